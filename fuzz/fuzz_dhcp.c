/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz/fuzz_dhcp.c — DHCP message parsing (client and server side: the same
 * view reads BOOTREQUESTs and BOOTREPLYs).
 *
 * The input is one DHCP message (a UDP payload). The target validates it with
 * seqs_dhcp_view_init(); when valid it walks every option, checks with its own
 * arithmetic that each reported option lies inside the message, that the
 * concatenating reader agrees with the iterator, and that the builder can
 * write the same options back into a message that parses again. Then the
 * message goes to a real DHCP client (seqs/dhcp.h) on a stack: as a broadcast
 * datagram from a server to port 68, with xid and chaddr made to match the
 * client's when the input's last byte is odd, twice (so an OFFER moves on to
 * REQUESTING and an ACK can follow), with time advanced through the client's
 * timers. Every emitted frame must stay within the MTU. A violation aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seqs/dhcp.h"
#include "seqs/seqs.h"
#include "seqs/wire/dhcp.h"

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

/* IPv4 header checksum, written independently of the stack's csum.c. */
static uint16_t ip_csum(const uint8_t *p, size_t n) {
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)((p[i] << 8) | p[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

static void drain(seqs_stack_t *s, uint64_t now) {
    uint8_t out[SEQS_MAX_FRAME];
    int n;
    for (int guard = 0; (n = seqs_stack_output(s, out, sizeof out, now)) > 0; guard++)
        if (n > 14 + 1500 || guard > 1000)
            abort();
}

/* The message as a broadcast UDP datagram 192.0.2.1:67 -> 255.255.255.255:68 (UDP checksum 0). */
static void deliver(seqs_stack_t *s, const uint8_t *msg, size_t len, uint64_t now) {
    static const uint8_t server_mac[6] = {2, 0, 0, 0, 0, 0xFE};
    uint8_t f[14 + 20 + 8 + 1472];
    if (len > 1472)
        len = 1472;
    memset(f, 0xFF, 6);
    memcpy(f + 6, server_mac, 6);
    put16(f + 12, 0x0800);
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(28 + len));
    ip[8] = 64;
    ip[9] = 17;
    ip[12] = 192, ip[13] = 0, ip[14] = 2, ip[15] = 1;
    memset(ip + 16, 0xFF, 4);
    put16(ip + 10, ip_csum(ip, 20));
    uint8_t *udp = ip + 20;
    put16(udp, 67);
    put16(udp + 2, 68);
    put16(udp + 4, (uint16_t)(8 + len));
    put16(udp + 6, 0);
    memcpy(udp + 8, msg, len);
    seqs_stack_input(s, f, 42 + len, now);
    drain(s, now);
}

static void client_side(const uint8_t *data, size_t size) {
    static const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};
    seqs_config_t cfg;
    seqs_config_default(&cfg);
    memcpy(cfg.mac, mac, 6);
    seqs_stack_t s;
    seqs_dhcp_client_t c;
    if (seqs_stack_init(&s, &cfg) != 0 ||
        seqs_dhcp_client_begin(&s, &c, &(seqs_dhcp_request_t){.xid = 0x12345678, .hostname = "fuzz"}) != 0)
        abort();
    uint64_t now = 1000000;
    drain(&s, now);
    uint8_t msg[1472];
    size_t len = size < sizeof msg ? size : sizeof msg;
    memcpy(msg, data, len);
    int match = size && (data[size - 1] & 1);
    for (int round = 0; round < 2; round++) {
        if (match && len >= 44) {   /* answer the client's current transaction */
            uint32_t x = c.xid;
            msg[4] = (uint8_t)(x >> 24), msg[5] = (uint8_t)(x >> 16), msg[6] = (uint8_t)(x >> 8), msg[7] = (uint8_t)x;
            memcpy(msg + 28, mac, 6);
        }
        deliver(&s, msg, len, now);
        now += 500000;
    }
    /* Let the timers run: probes, renewals, expiry, retransmissions. */
    for (int i = 0; i < 40; i++) {
        uint64_t d = seqs_stack_next_deadline(&s);
        if (d == SEQS_NEVER)
            break;
        now = d > now ? d : now + 1;
        drain(&s, now);
    }
    if (seqs_dhcp_client_state(&c) > SEQS_DHCP_INIT_REBOOT)
        abort();
    seqs_dhcp_client_stop(&s, &c);
}

static void check_view(const seqs_dhcp_view_t *v, const uint8_t *data, size_t size) {
    seqs_dhcp_opt_iter_t it = SEQS_DHCP_OPT_ITER_INIT;
    uint8_t code, len;
    const uint8_t *d;
    size_t per_code[256];
    memset(per_code, 0, sizeof per_code);
    unsigned steps = 0;
    while (seqs_dhcp_opt_next(v, &it, &code, &d, &len)) {
        if (d < data || d + len > data + size || code == 0 || code == 255)
            abort();
        per_code[code] += len;
        if (++steps > size)   /* each instance takes >= 2 bytes: this is a loop */
            abort();
    }
    uint8_t small[8];
    for (unsigned c = 1; c < 255; c++) {
        size_t total = 0;
        int found = seqs_dhcp_opt_get(v, (uint8_t)c, small, sizeof small, &total);
        if (total != per_code[c] || (!found && total))
            abort();
        uint32_t addrs[4];
        size_t n = seqs_dhcp_opt_addrs(v, (uint8_t)c, addrs, 4);
        if (n > 4 || (n && total % 4))
            abort();
    }
    /* Builder round trip: every instance re-emitted in order must parse again. */
    uint8_t out[1600];
    seqs_dhcp_builder_t b;
    seqs_dhcp_hdr_t h = {.op = seqs_dhcp_op(v), .xid = seqs_dhcp_xid(v), .flags = seqs_dhcp_flags(v)};
    memcpy(h.chaddr, seqs_dhcp_chaddr(v), 6);
    if (seqs_dhcp_build_begin(&b, out, sizeof out, &h) != 0)
        abort();
    seqs_dhcp_opt_iter_t it2 = SEQS_DHCP_OPT_ITER_INIT;
    while (seqs_dhcp_opt_next(v, &it2, &code, &d, &len))
        if (code != SEQS_DHCP_OPT_OVERLOAD)
            seqs_dhcp_build_opt(&b, code, d, len);
    int n = seqs_dhcp_build_end(&b);
    if (n > 0) {
        seqs_dhcp_view_t v2;
        if (seqs_dhcp_view_init(&v2, out, (size_t)n) != SEQS_DHCP_OK || v2.msg_type != v->msg_type)
            abort();
    } else if (n != -3) {   /* only SEQS_ERR_NOBUFS may stop it */
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    seqs_dhcp_view_t v;
    seqs_dhcp_check_t r = seqs_dhcp_view_init(&v, data, size);
    if (r == SEQS_DHCP_OK)
        check_view(&v, data, size);
    else if (r > SEQS_DHCP_NO_TYPE)
        abort();
    client_side(data, size);
    return 0;
}
