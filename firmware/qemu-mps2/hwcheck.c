/* SPDX-License-Identifier: BSD-3-Clause */
/* hwcheck.c — a core-free image that exercises the mps2 HAL alone (LAN9118 RX/TX,
 * SysTick time, WFI wake-up, semihosting exit, the unaligned-access trap), so the
 * board layer can be tested independently of the stack. It replaces fw_main():
 *   - every received frame is sent back with source and destination MAC swapped
 *     (the payload untouched, so length, padding and byte order can be checked);
 *   - frames with EtherType 0x88B5 (IEEE local experimental) carry a command:
 *       "time"      -> reply payload is "time <microseconds since boot>"
 *       "unaligned" -> performs a misaligned 32-bit load (must fault)
 *       "nosystick" -> stops the 1 kHz SysTick wake-up: from then on only the LAN9118
 *                      RX interrupt can end WFI, which proves that it does
 *       "exit"      -> ends QEMU with exit code 0. */
#include <stdint.h>
#include <string.h>

#include "fw_hal.h"
#include "fw_log.h"
#include "mps2.h"

static uint8_t frame[1536] __attribute__((aligned(4)));

static int is_cmd(const uint8_t *f, size_t len, const char *cmd)
{
    size_t n = strlen(cmd);
    return len >= 14 + n && f[12] == 0x88 && f[13] == 0xB5 && memcmp(f + 14, cmd, n) == 0;
}

static size_t put_u64(uint8_t *p, uint64_t v)
{
    char tmp[20];
    size_t i = sizeof tmp, n = 0;
    do {
        tmp[--i] = (char)('0' + (unsigned)(v % 10u));
        v /= 10u;
    } while (v != 0 && i > 0);
    while (i < sizeof tmp)
        p[n++] = (uint8_t)tmp[i++];
    return n;
}

void fw_main(void)
{
    fw_log("hwcheck: L2 reflector\r\nready\r\n");
    for (;;) {
        size_t len;
        while ((len = fw_hal_rx(frame, sizeof frame)) > 0) {
            if (is_cmd(frame, len, "exit")) {
                fw_log("exit requested\r\n");
                fw_hal_exit(0);
            }
            if (is_cmd(frame, len, "unaligned")) {
                fw_log("performing a misaligned 32-bit load\r\n");
                /* An explicit LDR: from C, GCC would see the misalignment and split the load into LDRBs. */
                uint32_t v;
                __asm volatile("ldr %0, [%1]" : "=r"(v) : "r"(&frame[1]) : "memory");
                (void)v;
                fw_log("misaligned load did NOT fault\r\n");
            }
            if (is_cmd(frame, len, "nosystick")) {
                SYST_CSR = 0;
                fw_log("SysTick stopped\r\n");
            }
            if (is_cmd(frame, len, "time")) {
                memcpy(frame + 14, "time ", 5);
                len = 19 + put_u64(frame + 19, fw_hal_now_us());
            }
            uint8_t tmp[6];
            memcpy(tmp, frame, 6);
            memcpy(frame, frame + 6, 6);
            memcpy(frame + 6, tmp, 6);
            (void)fw_hal_tx(frame, len);
        }
        fw_hal_wait(fw_hal_now_us() + 1000000u);
    }
}
