/* SPDX-License-Identifier: BSD-3-Clause */
/* board.h — the mps2-an385 board layer shared by startup.c and board.c. */
#ifndef SEQS_MPS2_BOARD_H
#define SEQS_MPS2_BOARD_H

#include <stdint.h>

void board_main(void) __attribute__((noreturn));
void board_puts(const char *s);
void board_putu(uint32_t v);
void board_puthex(uint32_t v);
/* Ends QEMU through semihosting SYS_EXIT_EXTENDED with this exit code. */
void board_exit(int code) __attribute__((noreturn));
/* High-water mark of the main stack in bytes (from the paint left by Reset_Handler). */
uint32_t board_stack_used(void);

#endif
