/* SPDX-License-Identifier: BSD-3-Clause */
/* uptime.c — the example of a user's own service (copy it to start yours).
 *
 * A UDP service on port FW_UPTIME_PORT (default 1313): any datagram gets back one
 * line of text,
 *     "uptime 12.345 s addr 192.0.2.57/24 dhcp bound lease 120 s hits 3\n"
 * It is added to the image by listing this file in the CMake list SEQS_FW_APPS (the
 * default list has it); the symbol below must be named fw_app_<file base name>. */
#include <seqs/dhcp.h>

#include "fw_app.h"

#ifndef FW_UPTIME_PORT
#define FW_UPTIME_PORT 1313
#endif

static uint8_t g_ring[512] __attribute__((aligned(4)));   /* a few small requests */
static seqs_udp_t g_sock;
static uint32_t g_hits;

static int uptime_init(seqs_stack_t *s)
{
    int r = seqs_udp_open(s, &g_sock, g_ring, sizeof g_ring);
    if (r == SEQS_OK)
        r = seqs_udp_bind(s, g_sock, 0, FW_UPTIME_PORT);   /* 0: any of our addresses, also a later one */
    return r;
}

static void uptime_poll(seqs_stack_t *s, uint64_t now)
{
    uint8_t req[64];
    seqs_udp_meta_t meta;
    while (seqs_udp_recvfrom(s, g_sock, req, sizeof req, &meta) >= 0) {
        g_hits++;
        char out[160];
        size_t n = 0, cap = sizeof out;
        uint64_t ms = (now - fw_status()->boot_us) / 1000u;
        n = fw_put_str(out, n, cap, "uptime ");
        n = fw_put_u64(out, n, cap, ms / 1000u);
        n = fw_put_str(out, n, cap, ".");
        uint32_t frac = (uint32_t)(ms % 1000u);
        n = fw_put_str(out, n, cap, frac < 10 ? "00" : frac < 100 ? "0" : "");
        n = fw_put_u32(out, n, cap, frac);
        uint8_t prefix = 0;
        uint32_t addr = seqs_stack_addr(s, &prefix, NULL);
        n = fw_put_str(out, n, cap, " s addr ");
        n = fw_put_ip4(out, n, cap, addr);
        n = fw_put_str(out, n, cap, "/");
        n = fw_put_u32(out, n, cap, prefix);
        n = fw_put_str(out, n, cap, fw_status()->dhcp ? " dhcp " : " ");
        n = fw_put_str(out, n, cap, fw_dhcp_state());
        const seqs_dhcp_lease_t *l = fw_dhcp_lease();
        if (l != NULL) {
            n = fw_put_str(out, n, cap, " lease ");
            n = fw_put_u32(out, n, cap, l->lease_s);
            n = fw_put_str(out, n, cap, " s");
        }
        n = fw_put_str(out, n, cap, " hits ");
        n = fw_put_u32(out, n, cap, g_hits);
        n = fw_put_str(out, n, cap, "\n");
        (void)fw_udp_reply(s, g_sock, out, n, &meta);
    }
}

static size_t uptime_report(char *buf, size_t pos, size_t cap)
{
    return fw_put_counter(buf, pos, cap, "uptime_hits", g_hits);
}

const fw_app_t fw_app_uptime = {.name = "uptime", .init = uptime_init, .poll = uptime_poll, .report = uptime_report};
