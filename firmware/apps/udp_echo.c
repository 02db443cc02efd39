/* SPDX-License-Identifier: BSD-3-Clause */
/* udp_echo.c — UDP echo (RFC 862) on fw_config()->udp_echo_port (0 = off): every
 * datagram (up to the reassembly limit, so fragmented ones too) goes back to its
 * sender from the address it was sent to. */
#include <string.h>

#include "fw_app.h"
#include "fw_config.h"

/* Receive ring: one largest datagram plus room for a few small ones (a record costs
 * its length + 12 bytes); the app empties it after every frame. */
#ifndef FW_ECHO_RXRING
#define FW_ECHO_RXRING (SEQS_REASM_MAX_BYTES + 512)
#endif

static uint8_t g_ring[FW_ECHO_RXRING] __attribute__((aligned(4)));
static seqs_udp_t g_sock;
static struct {
    uint32_t ok, fail, trunc;
} g_cnt;

static int echo_init(seqs_stack_t *s)
{
    uint16_t port = fw_config()->udp_echo_port;
    if (port == 0)
        return SEQS_OK;
    int r = seqs_udp_open(s, &g_sock, g_ring, sizeof g_ring);
    if (r == SEQS_OK)
        r = seqs_udp_bind(s, g_sock, 0, port);
    return r;
}

static void echo_poll(seqs_stack_t *s, uint64_t now)
{
    (void)now;
    if (g_sock == 0)
        return;
    size_t cap;
    uint8_t *buf = fw_scratch(&cap);
    for (;;) {
        seqs_udp_meta_t meta;
        int n = seqs_udp_recvfrom(s, g_sock, buf, cap, &meta);
        if (n < 0)
            return;
        if (meta.truncated) {
            g_cnt.trunc++;
            continue;
        }
        if (fw_udp_reply(s, g_sock, buf, (size_t)n, &meta) == n)
            g_cnt.ok++;
        else
            g_cnt.fail++;
    }
}

static size_t echo_report(char *buf, size_t pos, size_t cap)
{
    pos = fw_put_counter(buf, pos, cap, "fw_echo_ok", g_cnt.ok);
    pos = fw_put_counter(buf, pos, cap, "fw_echo_fail", g_cnt.fail);
    return fw_put_counter(buf, pos, cap, "fw_echo_trunc", g_cnt.trunc);
}

const fw_app_t fw_app_udp_echo = {
    .name = "udp_echo", .init = echo_init, .poll = echo_poll, .report = echo_report};
