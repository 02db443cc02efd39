/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz/fuzz_dhcp_server.c — the DHCP server end to end: a stack at
 * 192.0.2.2/24 runs seqs_dhcp_server with a pool of 6, one reservation and a
 * table of 7; the input is a sequence of requests delivered to port 67.
 *
 * Input: records [ctl][len_hi][len_lo][len bytes of DHCP payload]. ctl bit 0:
 * advance the clock by (ctl >> 1) seconds first; bit 1 (with bit 0 clear): send
 * to our unicast address instead of 255.255.255.255. After every record the
 * target checks the table invariants with its own code and aborts on a
 * violation: every used entry's address is in the pool or reserved, no address
 * appears twice, no client (MAC) holds two offered/bound entries, and a
 * reserved address is held by its MAC only. Every emitted frame is pulled. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seqs/seqs.h"
#include "seqs/dhcp_server.h"

#define POOL_FIRST SEQS_IP4(192, 0, 2, 100)
#define POOL_LAST SEQS_IP4(192, 0, 2, 105)
#define RESERVED SEQS_IP4(192, 0, 2, 50)
static const uint8_t RES_MAC[6] = {2, 0, 0, 0, 0, 0x50};

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xFFFFu); }

/* Ethernet + IPv4 (checksummed) + UDP 68 -> 67 (checksum 0: not computed) around payload. */
static size_t frame(uint8_t *f, const uint8_t *payload, size_t n, uint32_t dst, const uint8_t *dmac) {
    static const uint8_t src_mac[6] = {2, 0, 0, 0, 0, 0x77};
    memcpy(f, dmac, 6);
    memcpy(f + 6, src_mac, 6);
    put16(f + 12, 0x0800);
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (unsigned)(20 + 8 + n));
    ip[8] = 64;
    ip[9] = 17;
    put32(ip + 16, dst);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xFFFFu) + (sum >> 16);
    put16(ip + 10, ~sum & 0xFFFFu);
    uint8_t *u = ip + 20;
    put16(u, 68);
    put16(u + 2, 67);
    put16(u + 4, (unsigned)(8 + n));
    put16(u + 6, 0);
    memcpy(u + 8, payload, n);
    return 14 + 20 + 8 + n;
}

static void check(const seqs_dhcps_lease_t *t, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const seqs_dhcps_lease_t *e = &t[i];
        if (e->state == SEQS_DHCPS_FREE)
            continue;
        if (e->state > SEQS_DHCPS_DECLINED)
            abort();
        if (!(e->addr >= POOL_FIRST && e->addr <= POOL_LAST) && e->addr != RESERVED)
            abort();
        int held = e->state == SEQS_DHCPS_OFFERED || e->state == SEQS_DHCPS_BOUND;
        if (e->addr == RESERVED && held && memcmp(e->mac, RES_MAC, 6))
            abort();
        for (size_t j = i + 1; j < n; j++) {
            const seqs_dhcps_lease_t *o = &t[j];
            if (o->state == SEQS_DHCPS_FREE)
                continue;
            if (o->addr == e->addr)
                abort();
            int oheld = o->state == SEQS_DHCPS_OFFERED || o->state == SEQS_DHCPS_BOUND;
            if (held && oheld && e->id_len == 0 && o->id_len == 0 && !memcmp(e->mac, o->mac, 6))
                abort();
            if (held && oheld && e->id_len && e->id_len == o->id_len && !memcmp(e->id, o->id, e->id_len))
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static seqs_stack_t s;   /* large: not on the fuzzer's stack (reinitialised every run) */
    static seqs_dhcp_server_t srv;
    static seqs_dhcps_lease_t table[7];
    static uint8_t f[SEQS_MAX_FRAME];
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t us_mac[6] = {2, 0, 0, 0, 0, 1};
    seqs_config_t cfg;
    seqs_config_default(&cfg);
    memcpy(cfg.mac, us_mac, 6);
    memset(&s, 0, sizeof s);
    memset(&srv, 0, sizeof srv);
    if (seqs_stack_init(&s, &cfg) != SEQS_OK)
        abort();
    uint64_t now = 1000000;
    seqs_stack_poll(&s, now);
    if (seqs_stack_set_addr(&s, SEQS_IP4(192, 0, 2, 2), 24, 0, 0) != SEQS_OK)
        abort();
    seqs_dhcp_reservation_t res = {{2, 0, 0, 0, 0, 0x50}, RESERVED};
    seqs_dhcp_server_config_t sc;
    memset(&sc, 0, sizeof sc);
    sc.pool_first = POOL_FIRST;
    sc.pool_last = POOL_LAST;
    sc.router = SEQS_IP4(192, 0, 2, 1);
    sc.dns[0] = SEQS_IP4(192, 0, 2, 53);
    sc.dns_count = 1;
    sc.lease_s = 60;
    sc.offer_hold_s = 5;
    sc.decline_hold_s = 20;
    sc.reservations = &res;
    sc.reservation_count = 1;
    sc.table = table;
    sc.table_len = 7;
    if (seqs_dhcp_server_start(&s, &srv, &sc) != SEQS_OK)
        abort();
    while (seqs_stack_output(&s, f, sizeof f, now) > 0) {
    }
    size_t off = 0;
    while (off + 3 <= size) {
        uint8_t ctl = data[off];
        size_t n = (size_t)data[off + 1] << 8 | data[off + 2];
        off += 3;
        if (n > size - off)
            n = size - off;
        if (n > SEQS_MAX_MTU - 28)
            n = SEQS_MAX_MTU - 28;
        if (ctl & 1)
            now += (uint64_t)(ctl >> 1) * 1000000u;
        int uni = !(ctl & 1) && (ctl & 2);
        static uint8_t payload[SEQS_MAX_MTU];
        memcpy(payload, data + off, n);
        off += n;
        size_t len = frame(f, payload, n, uni ? SEQS_IP4(192, 0, 2, 2) : 0xFFFFFFFFu, uni ? us_mac : bcast);
        seqs_stack_input(&s, f, len, now);
        while (seqs_stack_output(&s, f, sizeof f, now) > 0) {
        }
        check(table, 7);
        if (seqs_stack_next_deadline(&s) < now)
            abort();
    }
    seqs_dhcp_server_stop(&s, &srv);
    return 0;
}
