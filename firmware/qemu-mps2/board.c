/* SPDX-License-Identifier: BSD-3-Clause */
/* board.c — the HAL of fw_main.c for QEMU's mps2-an385: CMSDK UART0 for the log,
 * SysTick (1 kHz) for monotonic microseconds, the LAN9118 for frames (its RX
 * interrupt only wakes the CPU from WFI), and semihosting SYS_EXIT_EXTENDED to
 * end a test run with an exit code. */
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "fw_hal.h"
#include "lan9118.h"
#include "mps2.h"

#ifndef FW_MAC_BYTES
#define FW_MAC_BYTES 0x02, 0x53, 0x51, 0x00, 0x00, 0x02
#endif

/* ---- UART ------------------------------------------------------------------ */
#define UART_DATA    REG32(UART0_BASE + 0x00u)
#define UART_STATE   REG32(UART0_BASE + 0x04u)
#define UART_CTRL    REG32(UART0_BASE + 0x08u)
#define UART_BAUDDIV REG32(UART0_BASE + 0x10u)
#define UART_STATE_TXFULL 1u
#define UART_CTRL_TXEN    1u

static void uart_init(void)
{
    UART_BAUDDIV = MPS2_SYSCLK_HZ / 115200u;
    UART_CTRL = UART_CTRL_TXEN;
}

static void uart_putc(char c)
{
    while (UART_STATE & UART_STATE_TXFULL) {
    }
    UART_DATA = (uint8_t)c;
}

void fw_hal_log_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        uart_putc(s[i]);
}

void board_puts(const char *s)
{
    while (*s != '\0')
        uart_putc(*s++);
}

void board_putu(uint32_t v)
{
    char buf[10];
    unsigned i = sizeof buf;
    do {
        buf[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0 && i > 0);
    fw_hal_log_write(&buf[i], sizeof buf - i);
}

void board_puthex(uint32_t v)
{
    static const char dig[] = "0123456789abcdef";
    char buf[10] = {'0', 'x'};
    for (unsigned i = 0; i < 8; i++)
        buf[2 + i] = dig[(v >> (28 - 4 * i)) & 0xFu];
    fw_hal_log_write(buf, sizeof buf);
}

/* ---- semihosting ----------------------------------------------------------- */
#define SYS_EXIT_EXTENDED 0x20u
#define ADP_Stopped_ApplicationExit 0x20026u

static void semihost(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm("r0") = op;
    register const void *r1 __asm("r1") = arg;
    __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
}

void board_exit(int code)
{
    uint32_t block[2] = {ADP_Stopped_ApplicationExit, (uint32_t)code};
    semihost(SYS_EXIT_EXTENDED, block);
    for (;;)   /* semihosting disabled: halt */
        __asm volatile("wfi");
}

/* The command line QEMU hands to semihosting: "<image path> <-append text>". */
#define SYS_GET_CMDLINE 0x15u
static char g_cmdline[256];

const char *fw_hal_cmdline(void)
{
    uint32_t block[2] = {(uint32_t)(uintptr_t)g_cmdline, sizeof g_cmdline};
    register uint32_t r0 __asm("r0") = SYS_GET_CMDLINE;
    register const void *r1 __asm("r1") = block;
    __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    if (r0 != 0) {   /* no command line, or longer than the buffer */
        board_puts("semihosting: no command line (or longer than 255 bytes)\r\n");
        return NULL;
    }
    g_cmdline[sizeof g_cmdline - 1] = '\0';
    return g_cmdline;
}

#ifdef FW_ICOUNT
uint32_t fw_hal_irq_off(void)
{
    return irq_save();
}

void fw_hal_irq_restore(uint32_t state)
{
    irq_restore(state);
}
#endif

/* ---- time ------------------------------------------------------------------ */
/* The clock is CMSDK timer 0 counting down from 0xFFFFFFFF at 25 MHz (wraps every
 * 171 s), extended to 64 bits in software: fw_hal_now_us() runs at least every
 * millisecond (SysTick wakes the loop), so no wrap is ever missed. A tick counter
 * incremented by an interrupt would lose ticks whenever QEMU's vCPU thread is not
 * scheduled for a while; the timer's value is computed from the clock on every read. */
#define TIMER0_CTRL   REG32(TIMER0_BASE + 0x00u)
#define TIMER0_VALUE  REG32(TIMER0_BASE + 0x04u)
#define TIMER0_RELOAD REG32(TIMER0_BASE + 0x08u)
#define TICKS_PER_US (MPS2_SYSCLK_HZ / 1000000u)

static uint64_t g_ticks;       /* 25 MHz ticks since timer_init */
static uint32_t g_last_value;

void SysTick_Handler(void);
void SysTick_Handler(void)
{
    /* Only here to end WFI once a millisecond, so deadlines are checked. */
}

static void timer_init(void)
{
    TIMER0_CTRL = 0;
    TIMER0_RELOAD = 0xFFFFFFFFu;
    TIMER0_VALUE = 0xFFFFFFFFu;
    TIMER0_CTRL = 1u;   /* enable, no interrupt, internal clock */
    g_last_value = TIMER0_VALUE;
    SYST_RVR = MPS2_SYSCLK_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7u;   /* processor clock, interrupt, enable */
}

uint64_t fw_hal_now_us(void)
{
    uint32_t pm = irq_save();
    uint32_t v = TIMER0_VALUE;
    g_ticks += (uint32_t)(g_last_value - v);   /* down-counter: elapsed = old - new (mod 2^32) */
    g_last_value = v;
    uint64_t t = g_ticks;
    irq_restore(pm);
    return t / TICKS_PER_US;
}

/* ---- network --------------------------------------------------------------- */
static const uint8_t g_mac[6] = {FW_MAC_BYTES};

void fw_hal_get_mac(uint8_t mac[6])
{
    for (unsigned i = 0; i < 6; i++)
        mac[i] = g_mac[i];
}

/* No entropy source on the AN385: a fixed seed makes runs reproducible, and the
 * boot time (SysTick phase) is all the variation QEMU could offer anyway. */
uint64_t fw_hal_seed(void)
{
    return 0x5e9500000000ull ^ ((uint64_t)g_mac[4] << 8 | g_mac[5]);
}

void Eth_Handler(void);
void Eth_Handler(void)
{
    lan9118_irq_ack();   /* the wake-up from WFI was the point; the main loop reads the FIFO */
}

size_t fw_hal_rx(uint8_t *buf, size_t cap)
{
    return lan9118_rx(buf, cap);
}

int fw_hal_tx(const uint8_t *frame, size_t len)
{
    return lan9118_tx(frame, len);
}

static uint64_t g_link_checked_us;
static int g_link;

int fw_hal_link_up(void)
{
    uint64_t now = fw_hal_now_us();
    if (now - g_link_checked_us >= 100000u || g_link_checked_us == 0) {   /* PHY poll at most 10/s */
        g_link = lan9118_link_up();
        g_link_checked_us = now;
    }
    return g_link;
}

void fw_hal_wait(uint64_t deadline_us)
{
    /* With interrupts masked, a pending SysTick or LAN9118 interrupt still ends
     * WFI; it is serviced right after PRIMASK is restored. Checking the RX FIFO
     * inside the masked region closes the race with a frame arriving just now. */
    uint32_t pm = irq_save();
    if (lan9118_rx_pending() == 0 && fw_hal_now_us() < deadline_us)
        __asm volatile("wfi");
    irq_restore(pm);
}

void fw_hal_exit(int code)
{
    const lan9118_stats_t *st = lan9118_stats();
    board_puts("lan9118: rx ");
    board_putu(st->rx_frames);
    board_puts(" tx ");
    board_putu(st->tx_frames);
    board_puts(" rx_drop_error ");
    board_putu(st->rx_drop_error);
    board_puts(" rx_drop_size ");
    board_putu(st->rx_drop_size);
    board_puts(" tx_drop ");
    board_putu(st->tx_drop_size + st->tx_drop_busy);
    board_puts("\r\nstack high-water ");
    board_putu(board_stack_used());
    board_puts(" B\r\nexit ");
    board_putu((uint32_t)code);
    board_puts("\r\n");
    board_exit(code);
}

void board_main(void)
{
    uart_init();
    /* M3 only: separate MemManage/BusFault/UsageFault vectors give a precise
     * CFSR in the fault report (an M0+ escalates everything to HardFault). */
    SCB_SHCSR |= (1u << 16) | (1u << 17) | (1u << 18);
    timer_init();
    board_puts("\r\nseqs qemu-mps2 (cortex-m0plus code), UNALIGN_TRP ");
    board_puts((SCB_CCR & SCB_CCR_UNALIGN_TRP) ? "on" : "off");
    board_puts("\r\n");
    if (lan9118_init(LAN9118_BASE, g_mac) != 0) {
        board_puts("FATAL: LAN9118 not found (BYTE_TEST mismatch)\r\n");
        board_exit(5);
    }
    NVIC_ICPR0 = 1u << LAN9118_IRQn;
    NVIC_ISER0 = 1u << LAN9118_IRQn;
    fw_main();
}
