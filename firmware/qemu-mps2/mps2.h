/* SPDX-License-Identifier: BSD-3-Clause */
/* mps2.h — the few registers of QEMU's mps2-an385 (Cortex-M3) this port touches. */
#ifndef SEQS_MPS2_H
#define SEQS_MPS2_H

#include <stdint.h>

#define MPS2_SYSCLK_HZ 25000000u

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* System control block / SysTick / NVIC (ARMv6-M and ARMv7-M share these). */
#define SCB_ICSR   REG32(0xE000ED04u)
#define SCB_VTOR   REG32(0xE000ED08u)
#define SCB_CCR    REG32(0xE000ED14u)
#define SCB_SHCSR  REG32(0xE000ED24u)
#define SCB_CFSR   REG32(0xE000ED28u)   /* ARMv7-M only: fault reasons on the QEMU M3 */
#define SCB_HFSR   REG32(0xE000ED2Cu)
#define SCB_BFAR   REG32(0xE000ED38u)
#define SYST_CSR   REG32(0xE000E010u)
#define SYST_RVR   REG32(0xE000E014u)
#define SYST_CVR   REG32(0xE000E018u)
#define NVIC_ISER0 REG32(0xE000E100u)
#define NVIC_ICPR0 REG32(0xE000E280u)

#define SCB_ICSR_PENDSTSET (1u << 26)
#define SCB_CCR_UNALIGN_TRP (1u << 3)
#define SCB_CCR_DIV_0_TRP (1u << 4)

/* CMSDK APB timer 0 (PCLK = SYSCLK): a 32-bit down-counter. */
#define TIMER0_BASE 0x40000000u
/* CMSDK APB UART0. */
#define UART0_BASE 0x40004000u
/* SMSC LAN9118 and its interrupt line on the AN385. */
#define LAN9118_BASE 0x40200000u
#define LAN9118_IRQn 13

static inline uint32_t irq_save(void)
{
    uint32_t primask;
    __asm volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
    return primask;
}

static inline void irq_restore(uint32_t primask)
{
    __asm volatile("msr primask, %0" ::"r"(primask) : "memory");
}

#endif
