/* SPDX-License-Identifier: BSD-3-Clause */
/* fw_hal.h — what a board provides to the board-independent main loop (fw_main.c).
 *
 * The loop is single-threaded: every function here is called from it only.
 * A board's receive interrupt (if any) must only queue frames for fw_hal_rx(). */
#ifndef SEQS_FW_HAL_H
#define SEQS_FW_HAL_H

#include <stddef.h>
#include <stdint.h>

/* The interface's MAC address: the compile-time FW_MAC on boards without one of
 * their own (QEMU), the radio's MAC on the Pico W (a WiFi access point only
 * delivers frames for the MAC that associated). */
void fw_hal_get_mac(uint8_t mac[6]);

/* Seed for the stack's random generator (a hardware TRNG where the board has one). */
uint64_t fw_hal_seed(void);

/* Monotonic microseconds since boot (never goes backwards, does not wrap in practice). */
uint64_t fw_hal_now_us(void);

/* Copies the next received Ethernet frame (without FCS) into buf and returns its
 * length; 0 when no frame is waiting. A frame longer than cap is dropped by the
 * board (and counted there), never truncated. */
size_t fw_hal_rx(uint8_t *buf, size_t cap);

/* Transmits one Ethernet frame (no FCS; the board pads it to 60 bytes if its MAC
 * does not). Returns 0, or a negative value when the frame had to be dropped. */
int fw_hal_tx(const uint8_t *frame, size_t len);

/* Sleeps until fw_hal_now_us() >= deadline_us or a frame may have arrived
 * (spurious early returns are allowed; the loop simply goes round again). */
void fw_hal_wait(uint64_t deadline_us);

/* 1 while the link can carry frames (cable/WiFi association up), 0 otherwise. */
int fw_hal_link_up(void);

/* Writes n bytes of log text (UART, USB CDC, ...). */
void fw_hal_log_write(const char *s, size_t n);

/* Ends the program with an exit code where the board can (QEMU semihosting);
 * other boards log it and halt. Never returns. */
void fw_hal_exit(int code) __attribute__((noreturn));

/* The boot command line (QEMU: semihosting SYS_GET_CMDLINE, i.e. `-append "..."`),
 * NUL-terminated, or NULL when the board has none. fw_config.h lists the settings. */
const char *fw_hal_cmdline(void);

#ifdef FW_ICOUNT
/* Instruction-count builds only: mask / restore interrupts around one measured frame. */
uint32_t fw_hal_irq_off(void);
void fw_hal_irq_restore(uint32_t state);
#endif

/* Board-independent entry: configures the stack from the compile-time options
 * and runs the frame pump forever. Boards call it after initialising their HAL. */
void fw_main(void) __attribute__((noreturn));

#endif
