/* SPDX-License-Identifier: BSD-3-Clause */
/* bench/vs_lwip/common.c — the wire and the scripted peer (see common.h). */
#include "common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const uint8_t US_MAC[6] = {2, 0, 0, 0, 0, 2}, PEER_MAC[6] = {2, 0, 0, 0, 0, 1};
const uint8_t A_MAC[6] = {2, 0, 0, 0, 1, 1}, B_MAC[6] = {2, 0, 0, 0, 1, 2};
wire_t wire_out, wire_ab, wire_ba;

void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "vs_lwip: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

uint8_t *wire_slot(wire_t *w) {
    if (w->count == WIRE_SLOTS)
        die("wire queue overflow");
    return w->buf[(w->head + w->count) % WIRE_SLOTS];
}
void wire_commit(wire_t *w, size_t len) {
    w->len[(w->head + w->count) % WIRE_SLOTS] = (uint16_t)len;
    w->count++;
}
const uint8_t *wire_peek(const wire_t *w, size_t *len) {
    if (!w->count)
        return NULL;
    *len = w->len[w->head];
    return w->buf[w->head];
}
void wire_pop(wire_t *w) {
    w->head = (w->head + 1) % WIRE_SLOTS;
    w->count--;
}
void wire_clear(wire_t *w) { w->head = w->count = 0; }

/* --- frames ------------------------------------------------------------------ */
static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xFFFF); }
static unsigned get16(const uint8_t *p) { return (unsigned)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

uint16_t ref_csum(const uint8_t *p, size_t n, uint32_t sum) {
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}
static uint32_t pseudo(uint32_t src, uint32_t dst, unsigned proto, size_t len) {
    return (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + proto + (uint32_t)len;
}

static void eth(uint8_t *f, const uint8_t *dst, unsigned type) {
    memcpy(f, dst, 6);
    memcpy(f + 6, PEER_MAC, 6);
    put16(f + 12, type);
}
/* IPv4 header at f+14 for a payload already at f+34. */
static size_t ip(uint8_t *f, unsigned proto, size_t paylen) {
    static const uint8_t zero[1];
    (void)zero;
    uint8_t *h = f + 14;
    eth(f, US_MAC, 0x0800);
    h[0] = 0x45; h[1] = 0; put16(h + 2, (unsigned)(20 + paylen)); put16(h + 4, 0x1234); put16(h + 6, 0x4000);
    h[8] = 64; h[9] = (uint8_t)proto; put16(h + 10, 0); put32(h + 12, PEER_IP); put32(h + 16, US_IP);
    put16(h + 10, ref_csum(h, 20, 0));
    return 34 + paylen;
}

size_t peer_arp_request(uint8_t *f) {
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    eth(f, bcast, 0x0806);
    uint8_t *a = f + 14;
    put16(a, 1); put16(a + 2, 0x0800); a[4] = 6; a[5] = 4; put16(a + 6, 1);
    memcpy(a + 8, PEER_MAC, 6); put32(a + 14, PEER_IP); memset(a + 18, 0, 6); put32(a + 24, US_IP);
    memset(f + 42, 0, 18);   /* Ethernet minimum frame: 60 bytes without FCS */
    return 60;
}

size_t peer_arp_reply(uint8_t *f) {
    peer_arp_request(f);
    memcpy(f, US_MAC, 6);
    put16(f + 14 + 6, 2);
    memcpy(f + 14 + 18, US_MAC, 6);
    return 60;
}

int wire_take_arp_requests(wire_t *w) {
    int taken = 0;
    unsigned keep = 0;
    for (unsigned i = 0; i < w->count; i++) {
        unsigned k = (w->head + i) % WIRE_SLOTS;
        const uint8_t *f = w->buf[k];
        if (w->len[k] >= 42 && get16(f + 12) == 0x0806 && get16(f + 20) == 1 && get32(f + 38) == PEER_IP) {
            taken++;
            continue;
        }
        unsigned d = (w->head + keep++) % WIRE_SLOTS;
        if (d != k) {
            memcpy(w->buf[d], f, w->len[k]);
            w->len[d] = w->len[k];
        }
    }
    w->count = keep;
    return taken;
}

size_t peer_icmp_echo(uint8_t *f, size_t datalen) {
    uint8_t *m = f + 34;
    m[0] = 8; m[1] = 0; put16(m + 2, 0); put16(m + 4, 0x77); put16(m + 6, 1);
    for (size_t i = 0; i < datalen; i++) m[8 + i] = (uint8_t)(i * 7 + 3);
    put16(m + 2, ref_csum(m, 8 + datalen, 0));
    return ip(f, 1, 8 + datalen);
}

size_t peer_udp(uint8_t *f, size_t datalen) {
    uint8_t *u = f + 34;
    put16(u, 40000); put16(u + 2, UDP_PORT); put16(u + 4, (unsigned)(8 + datalen)); put16(u + 6, 0);
    for (size_t i = 0; i < datalen; i++) u[8 + i] = (uint8_t)(i * 13 + 1);
    uint16_t c = ref_csum(u, 8 + datalen, pseudo(PEER_IP, US_IP, 17, 8 + datalen));
    put16(u + 6, c ? c : 0xFFFF);
    return ip(f, 17, 8 + datalen);
}

size_t peer_tcp(uint8_t *f, uint16_t sport, uint32_t seq, uint32_t ack, uint8_t flags, int syn_opts,
                const uint8_t *data, size_t dlen) {
    uint8_t *t = f + 34;
    size_t hl = syn_opts ? 32 : 20;
    put16(t, sport); put16(t + 2, TCP_PORT); put32(t + 4, seq); put32(t + 8, ack);
    t[12] = (uint8_t)((hl / 4) << 4); t[13] = flags; put16(t + 14, 64240); put16(t + 16, 0); put16(t + 18, 0);
    if (syn_opts) {   /* MSS 1460, SACK-permitted, NOP, WS 7: 12 bytes */
        static const uint8_t o[12] = {2, 4, 0x05, 0xB4, 4, 2, 1, 1, 1, 3, 3, 7};
        memcpy(t + 20, o, 12);
    }
    if (dlen)
        memcpy(t + hl, data, dlen);
    put16(t + 16, ref_csum(t, hl + dlen, pseudo(PEER_IP, US_IP, 6, hl + dlen)));
    return ip(f, 6, hl + dlen);
}

/* --- checks -------------------------------------------------------------------- */

/* A frame from US to PEER carrying IPv4 protocol proto, header checksum good. */
static const uint8_t *check_ip(const uint8_t *f, size_t n, unsigned proto, size_t *l4len) {
    if (n < 34 || memcmp(f, PEER_MAC, 6) || memcmp(f + 6, US_MAC, 6) || get16(f + 12) != 0x0800)
        die("reply: not an IPv4 frame from us to the peer");
    const uint8_t *h = f + 14;
    size_t ihl = (size_t)(h[0] & 15) * 4, tot = get16(h + 2);
    if (h[0] >> 4 != 4 || ihl < 20 || tot > n - 14 || tot < ihl || ref_csum(h, ihl, 0) != 0)
        die("reply: bad IPv4 header");
    if (h[9] != proto || get32(h + 12) != US_IP || get32(h + 16) != PEER_IP)
        die("reply: wrong protocol %u or addresses", h[9]);
    *l4len = tot - ihl;
    return h + ihl;
}

void check_arp_reply(const uint8_t *f, size_t n) {
    if (n < 42 || memcmp(f, PEER_MAC, 6) || get16(f + 12) != 0x0806)
        die("ARP reply: wrong Ethernet header");
    const uint8_t *a = f + 14;
    if (get16(a + 6) != 2 || memcmp(a + 8, US_MAC, 6) || get32(a + 14) != US_IP || memcmp(a + 18, PEER_MAC, 6) ||
        get32(a + 24) != PEER_IP)
        die("ARP reply: wrong contents");
}

void check_icmp_reply(const uint8_t *req, size_t reqlen, const uint8_t *f, size_t n) {
    size_t len;
    const uint8_t *m = check_ip(f, n, 1, &len);
    if (len != reqlen - 34 || m[0] != 0 || m[1] != 0 || ref_csum(m, len, 0) != 0 ||
        memcmp(m + 4, req + 34 + 4, len - 4))
        die("ICMP echo reply: wrong type, checksum or data");
}

void check_udp_echo(const uint8_t *req, size_t reqlen, const uint8_t *f, size_t n) {
    size_t len;
    const uint8_t *u = check_ip(f, n, 17, &len);
    if (len != reqlen - 34 || get16(u) != UDP_PORT || get16(u + 2) != 40000 || get16(u + 4) != len ||
        (get16(u + 6) && ref_csum(u, len, pseudo(US_IP, PEER_IP, 17, len)) != 0) || memcmp(u + 8, req + 42, len - 8))
        die("UDP echo: wrong ports, checksum or data");
}

static const uint8_t *check_tcp(const uint8_t *f, size_t n, uint16_t sport, size_t *len) {
    const uint8_t *t = check_ip(f, n, 6, len);
    if (*len < 20 || get16(t) != TCP_PORT || get16(t + 2) != sport || ref_csum(t, *len, pseudo(US_IP, PEER_IP, 6, *len)))
        die("TCP: wrong ports or checksum");
    return t;
}

uint32_t check_synack(const uint8_t *f, size_t n, uint16_t sport, uint32_t peer_isn) {
    size_t len;
    const uint8_t *t = check_tcp(f, n, sport, &len);
    if ((t[13] & (TH_SYN | TH_ACK | TH_RST | TH_FIN)) != (TH_SYN | TH_ACK) || get32(t + 8) != peer_isn + 1)
        die("SYN-ACK: wrong flags 0x%02x or ack", t[13]);
    return get32(t + 4);
}

void check_ack(const uint8_t *f, size_t n, uint16_t sport, uint32_t ack) {
    size_t len;
    const uint8_t *t = check_tcp(f, n, sport, &len);
    if ((t[13] & (TH_SYN | TH_ACK | TH_RST)) != TH_ACK || get32(t + 8) != ack || len != (size_t)(t[12] >> 4) * 4)
        die("ACK: flags 0x%02x, ack %u (want %u), len %zu", t[13], get32(t + 8), ack, len);
}

uint8_t frame_tcp_flags(const uint8_t *f, size_t n) {
    if (n < 54 || get16(f + 12) != 0x0800 || f[23] != 6)
        return 0;
    return f[14 + (f[14] & 15) * 4 + 13];
}
