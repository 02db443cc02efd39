/* SPDX-License-Identifier: BSD-3-Clause */
/* ctrl.c — the test-control service of the QEMU test image (UDP port FW_CTRL_PORT;
 * only built when that is not 0):
 *   "counters"  -> the non-zero counters (core, main loop, every app's report),
 *                  one "name=value" a line;
 *   "exit"      -> replies "bye", runs 300 ms more (the reply may need ARP), then logs
 *                  the counters and ends the run with exit code 0;
 *   "unaligned" -> performs a misaligned 32-bit load: on a Cortex-M0+ (and on the QEMU
 *                  image, which enables UNALIGN_TRP) this must fault. */
#include <string.h>

#include "fw_app.h"
#include "fw_hal.h"
#include "fw_log.h"

#ifndef FW_CTRL_PORT
#define FW_CTRL_PORT 9999
#endif
#define EXIT_GRACE_US 300000u

static seqs_udp_t g_sock;
static uint64_t g_exit_at;   /* 0, or when a requested exit happens */
static uint8_t g_ring[1024] __attribute__((aligned(4)));

static size_t format_counters(const seqs_stack_t *s, char *buf, size_t cap)
{
    size_t pos = 0;
    for (unsigned i = 0; i < SEQS_COUNTER_COUNT; i++)
        pos = fw_put_counter(buf, pos, cap, seqs_counter_name(i), seqs_counter_value(s, i));
    pos = fw_report(buf, pos, cap);
    for (const fw_app_t *const *a = fw_app_table; *a != NULL; a++)
        if ((*a)->report != NULL)
            pos = (*a)->report(buf, pos, cap);
    return pos;
}

static int ctrl_init(seqs_stack_t *s)
{
    int r = seqs_udp_open(s, &g_sock, g_ring, sizeof g_ring);
    if (r == SEQS_OK)
        r = seqs_udp_bind(s, g_sock, 0, FW_CTRL_PORT);
    return r;
}

static void ctrl_poll(seqs_stack_t *s, uint64_t now)
{
    size_t cap;
    uint8_t *buf = fw_scratch(&cap);
    if (g_exit_at != 0 && now >= g_exit_at) {
        size_t n = format_counters(s, (char *)buf, cap);
        fw_log("counters:\r\n");
        fw_hal_log_write((const char *)buf, n);
        fw_log("exit requested\r\n");
        fw_hal_exit(0);
    }
    char cmd[16];
    seqs_udp_meta_t meta;
    for (;;) {
        int n = seqs_udp_recvfrom(s, g_sock, cmd, sizeof cmd - 1, &meta);
        if (n < 0)
            return;
        while (n > 0 && (cmd[n - 1] == '\n' || cmd[n - 1] == '\r'))
            n--;
        cmd[n] = '\0';
        if (strcmp(cmd, "counters") == 0) {
            size_t len = format_counters(s, (char *)buf, cap);
            (void)fw_udp_reply(s, g_sock, buf, len, &meta);
        } else if (strcmp(cmd, "exit") == 0) {
            (void)fw_udp_reply(s, g_sock, "bye\n", 4, &meta);
            g_exit_at = now + EXIT_GRACE_US;
        } else if (strcmp(cmd, "unaligned") == 0) {
            fw_log("performing a misaligned 32-bit load\r\n");
            /* An explicit LDR: from C, GCC would see the misalignment and split the load into LDRBs. */
            uint32_t v;
            __asm volatile("ldr %0, [%1]" : "=r"(v) : "r"(&buf[1]) : "memory");
            (void)v;
            fw_log("misaligned load did NOT fault\r\n");
            (void)fw_udp_reply(s, g_sock, "no-fault\n", 9, &meta);
        } else {
            (void)fw_udp_reply(s, g_sock, "?\n", 2, &meta);
        }
    }
}

static uint64_t ctrl_deadline(const seqs_stack_t *s)
{
    (void)s;
    return g_exit_at != 0 ? g_exit_at : SEQS_NEVER;
}

const fw_app_t fw_app_ctrl = {.name = "ctrl", .init = ctrl_init, .poll = ctrl_poll, .deadline = ctrl_deadline};
