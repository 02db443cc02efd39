/* SPDX-License-Identifier: BSD-3-Clause */
/* stack/tests/frames.h — hand-building frames for the core's C tests.
 * Checksums here come from ref_csum(), a deliberately naive RFC 1071 loop
 * written separately from stack/src/csum.c, so a test never checks the stack's
 * checksum with the function that made it. */
#ifndef SEQS_TEST_FRAMES_H
#define SEQS_TEST_FRAMES_H

#include <stdint.h>
#include <string.h>

#include "seqs/seqs.h"

static const uint8_t F_BCAST[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
static const uint8_t F_US[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};     /* the stack under test */
static const uint8_t F_PEER[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};   /* 192.0.2.1 */
static const uint8_t F_PEER2[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x03};  /* 192.0.2.2 */
#define F_ADDR SEQS_IP4(192, 0, 2, 10)
#define F_PEER_IP SEQS_IP4(192, 0, 2, 1)
#define F_PEER2_IP SEQS_IP4(192, 0, 2, 2)
#define F_SEC 1000000ull

static inline uint16_t ref_csum(const uint8_t *p, size_t n, uint32_t start) {
    uint64_t sum = start;
    for (size_t i = 0; i < n; i++)
        sum += (i % 2 == 0) ? (uint64_t)p[i] * 256u : p[i];
    while (sum > 0xFFFF)
        sum = (sum >> 16) + (sum & 0xFFFF);
    return (uint16_t)(0xFFFF - sum);
}
static inline uint32_t ref_pseudo(uint32_t src, uint32_t dst, uint8_t proto, size_t len) {
    return (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + proto + (uint32_t)len;
}
static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void wr16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void wr32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static inline size_t f_eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type) {
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    wr16(f + 12, type);
    return 14;
}

static inline size_t f_arp(uint8_t *f, const uint8_t *edst, const uint8_t *esrc, uint16_t op, const uint8_t *sha,
                           uint32_t spa, const uint8_t *tha, uint32_t tpa) {
    f_eth(f, edst, esrc, 0x0806);
    uint8_t *a = f + 14;
    wr16(a, 1); wr16(a + 2, 0x0800); a[4] = 6; a[5] = 4; wr16(a + 6, op);
    memcpy(a + 8, sha, 6); wr32(a + 14, spa); memcpy(a + 18, tha, 6); wr32(a + 24, tpa);
    return 42;
}

/* IPv4 header at f+14 with payload_len bytes already at f+34 (or after opts). */
static inline size_t f_ip(uint8_t *f, const uint8_t *edst, const uint8_t *esrc, uint32_t src, uint32_t dst, uint8_t proto,
                          size_t payload_len, uint16_t id, uint16_t frag, uint8_t ttl) {
    f_eth(f, edst, esrc, 0x0800);
    uint8_t *ip = f + 14;
    ip[0] = 0x45; ip[1] = 0; wr16(ip + 2, 20 + payload_len); wr16(ip + 4, id); wr16(ip + 6, frag);
    ip[8] = ttl; ip[9] = proto; wr16(ip + 10, 0); wr32(ip + 12, src); wr32(ip + 16, dst);
    wr16(ip + 10, ref_csum(ip, 20, 0));
    return 34 + payload_len;
}

static inline size_t f_udp(uint8_t *f, const uint8_t *edst, const uint8_t *esrc, uint32_t src, uint32_t dst, uint16_t sport,
                           uint16_t dport, const void *data, size_t len) {
    uint8_t *u = f + 34;
    wr16(u, sport); wr16(u + 2, dport); wr16(u + 4, 8 + len); wr16(u + 6, 0);
    if (len)
        memcpy(u + 8, data, len);
    uint16_t c = ref_csum(u, 8 + len, ref_pseudo(src, dst, 17, 8 + len));
    wr16(u + 6, c ? c : 0xFFFF);
    return f_ip(f, edst, esrc, src, dst, 17, 8 + len, 0x1234, 0, 64);
}

static inline size_t f_echo(uint8_t *f, const uint8_t *edst, const uint8_t *esrc, uint32_t src, uint32_t dst, uint16_t id,
                            uint16_t seq, const void *data, size_t len) {
    uint8_t *m = f + 34;
    m[0] = 8; m[1] = 0; wr16(m + 2, 0); wr16(m + 4, id); wr16(m + 6, seq);
    if (len)
        memcpy(m + 8, data, len);
    wr16(m + 2, ref_csum(m, 8 + len, 0));
    return f_ip(f, edst, esrc, src, dst, 1, 8 + len, 0x4321, 0, 64);
}

/* Frames pulled from a stack. */
typedef struct f_out {
    uint8_t f[SEQS_MAX_FRAME];
    int len;
} f_out_t;

static inline int f_drain(seqs_stack_t *s, uint64_t now, f_out_t *o, int max) {
    int n = 0;
    uint8_t tmp[SEQS_MAX_FRAME];
    int len;
    while ((len = seqs_stack_output(s, n < max ? o[n].f : tmp, SEQS_MAX_FRAME, now)) > 0) {
        if (n < max)
            o[n].len = len;
        n++;
    }
    return n;
}

static inline int f_is_arp(const f_out_t *o, uint16_t op) {
    return o->len >= 42 && rd16(o->f + 12) == 0x0806 && rd16(o->f + 20) == op;
}

/* A stack with our MAC, 192.0.2.10/24 (gateway 192.0.2.254) announced and
 * bound, its announcements drained, and 192.0.2.1 in its ARP cache. */
static inline void f_setup(seqs_stack_t *s, uint64_t seed) {
    seqs_config_t c;
    seqs_config_default(&c);
    memcpy(c.mac, F_US, 6);
    c.rng_seed = seed;
    c.flags = SEQS_CFG_NO_GRATUITOUS;
    seqs_stack_init(s, &c);
    seqs_stack_set_addr(s, F_ADDR, 24, SEQS_IP4(192, 0, 2, 254), 0);
    uint8_t f[64];
    size_t n = f_arp(f, F_BCAST, F_PEER, 1, F_PEER, F_PEER_IP, (const uint8_t *)"\0\0\0\0\0\0", F_ADDR);
    seqs_stack_input(s, f, n, 0);
    uint8_t out[SEQS_MAX_FRAME];
    while (seqs_stack_output(s, out, sizeof out, 0) > 0) {
    }
}

#endif
