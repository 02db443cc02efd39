/* SPDX-License-Identifier: BSD-3-Clause */
/* startup.c — reset, vector table and fault reporting for the QEMU mps2-an385 image.
 *
 * Built with Cortex-M0+ flags; the only ARMv7-M features used are the ones an
 * M0+ port would not need (CFSR decoding in the fault report, UNALIGN_TRP),
 * and they are plain memory-mapped registers. */
#include <stdint.h>

#include "board.h"
#include "mps2.h"

extern uint32_t __data_load, __data_start, __data_end, __bss_start, __bss_end;
extern uint32_t __stack_top, __stack_limit;

void Reset_Handler(void) __attribute__((noreturn));
void Fault_Handler(void) __attribute__((naked));
void fault_report(const uint32_t *frame, uint32_t exc_return) __attribute__((noreturn, used));
void Default_Handler(void);

#define STACK_PAINT 0xC0FFEE11u

void Reset_Handler(void)
{
    /* Unaligned accesses fault like on a Cortex-M0+ (ARMv6-M has no unaligned
     * support); integer division by zero traps (the M0+ has no divider: only
     * libgcc's software division, which cannot hit this, so it is a canary). */
    SCB_CCR |= SCB_CCR_UNALIGN_TRP | SCB_CCR_DIV_0_TRP;
    __asm volatile("dsb\n isb" ::: "memory");

    const uint32_t *src = &__data_load;
    for (uint32_t *dst = &__data_start; dst < &__data_end;)
        *dst++ = *src++;
    for (uint32_t *dst = &__bss_start; dst < &__bss_end;)
        *dst++ = 0;

    /* Paint the unused stack so board_stack_used() can report the high-water mark. */
    uint32_t *sp;
    __asm volatile("mov %0, sp" : "=r"(sp));
    for (uint32_t *p = &__stack_limit; p < sp - 16;)
        *p++ = STACK_PAINT;

    board_main();
}

uint32_t board_stack_used(void)
{
    const uint32_t *p = &__stack_limit;
    while (p < &__stack_top && *p == STACK_PAINT)
        p++;
    return (uint32_t)((uintptr_t)&__stack_top - (uintptr_t)p);
}

/* Every fault lands here (HardFault on an M0+; on the M3 also MemManage, BusFault
 * and UsageFault, which board_init enables for a precise report). Picks the stack
 * the exception frame was pushed on using ARMv6-M instructions only. */
void Fault_Handler(void)
{
    __asm volatile(
        "mov r1, lr\n"
        "movs r2, #4\n"
        "tst r1, r2\n"
        "beq 1f\n"
        "mrs r0, psp\n"
        "b 2f\n"
        "1: mrs r0, msp\n"
        "2: ldr r2, =fault_report\n"
        "bx r2\n"
        ".ltorg\n");
}

void fault_report(const uint32_t *frame, uint32_t exc_return)
{
    uint32_t cfsr = SCB_CFSR, hfsr = SCB_HFSR;
    board_puts("\r\nFAULT: exception ");
    uint32_t ipsr;
    __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
    board_putu(ipsr & 0x1FFu);
    board_puts(" pc ");
    board_puthex(frame[6]);
    board_puts(" lr ");
    board_puthex(frame[5]);
    board_puts(" exc_return ");
    board_puthex(exc_return);
    board_puts(" cfsr ");
    board_puthex(cfsr);
    board_puts(" hfsr ");
    board_puthex(hfsr);
    if (cfsr & (1u << 24))
        board_puts(" UNALIGNED");
    if (cfsr & (1u << 25))
        board_puts(" DIVBYZERO");
    if (cfsr & (1u << 16))
        board_puts(" UNDEFINSTR");
    if (cfsr & (1u << 15))
        board_puts(" BFAR ");
    if (cfsr & (1u << 15))
        board_puthex(SCB_BFAR);
    board_puts("\r\n");
    board_exit(3);
}

void Default_Handler(void)
{
    uint32_t ipsr;
    __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
    board_puts("\r\nFAULT: unexpected interrupt ");
    board_putu(ipsr & 0x1FFu);
    board_puts("\r\n");
    board_exit(4);
}

void SysTick_Handler(void);
void Eth_Handler(void);

typedef void (*vector_t)(void);

#define D Default_Handler
__attribute__((section(".vectors"), used)) static const vector_t vectors[16 + 32] = {
    (vector_t)(uintptr_t)&__stack_top,
    Reset_Handler,
    D,               /* NMI */
    Fault_Handler,   /* HardFault */
    Fault_Handler,   /* MemManage (M3) */
    Fault_Handler,   /* BusFault (M3) */
    Fault_Handler,   /* UsageFault (M3): unaligned access, divide by zero */
    0, 0, 0, 0,
    D,               /* SVCall */
    D,               /* DebugMonitor (M3) */
    0,
    D,               /* PendSV */
    SysTick_Handler,
    /* External interrupts 0..31 of the AN385; 13 is the LAN9118. */
    D, D, D, D, D, D, D, D, D, D, D, D, D, Eth_Handler, D, D,
    D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, D,
};
#undef D
_Static_assert(LAN9118_IRQn == 13, "vector table places Eth_Handler at IRQ 13");
