/* SPDX-License-Identifier: BSD-3-Clause */
/* stack/src/tcp/isn.c — initial sequence numbers and SYN cookies.
 *
 * RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, secretkey),
 * M a 4 microsecond timer and F SipHash-2-4 keyed with 128 bits drawn from the
 * stack's random source at init (so ISNs differ across reboots with different
 * seeds and cannot be predicted from another connection's ISN).
 * SYN cookies (RFC 4987 3.6): ISN = hash(4-tuple, time slot) with the MSS
 * index and the SACK-permitted bit in the low bits; the time slot (64 s)
 * lets a cookie be valid for 64 to 128 seconds. */
#include "tcp_int.h"

static uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

#define SIPROUND                                                        \
    do {                                                                \
        v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);       \
        v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;                          \
        v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;                          \
        v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);       \
    } while (0)

/* SipHash-2-4 of three 64-bit words. */
static uint64_t siphash3(const uint32_t key[4], uint64_t a, uint64_t b, uint64_t c) {
    uint64_t k0 = ((uint64_t)key[1] << 32) | key[0], k1 = ((uint64_t)key[3] << 32) | key[2];
    uint64_t v0 = k0 ^ 0x736f6d6570736575ull, v1 = k1 ^ 0x646f72616e646f6dull;
    uint64_t v2 = k0 ^ 0x6c7967656e657261ull, v3 = k1 ^ 0x7465646279746573ull;
    uint64_t m[4] = {a, b, c, (uint64_t)24 << 56};
    for (int i = 0; i < 4; i++) {
        v3 ^= m[i];
        SIPROUND;
        SIPROUND;
        v0 ^= m[i];
    }
    v2 ^= 0xff;
    SIPROUND; SIPROUND; SIPROUND; SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

uint32_t seqs__tcp_isn(seqs_stack_t *s, uint32_t la, uint16_t lp, uint32_t ra, uint16_t rp) {
    uint64_t f = siphash3(s->tcp.secret, ((uint64_t)la << 32) | ra, ((uint64_t)lp << 16) | rp, 0);
    return (uint32_t)(s->now / 4u) + (uint32_t)f;
}

static const uint16_t cookie_mss[4] = {536, 1220, 1440, 1460};

static uint32_t cookie_hash(seqs_stack_t *s, const tcp_rx_t *r, uint32_t slot, uint32_t low) {
    uint64_t h = siphash3(s->tcp.secret, ((uint64_t)r->dst << 32) | r->src,
                          ((uint64_t)r->dport << 16) | r->sport, ((uint64_t)slot << 32) | low | 0x100u);
    return (uint32_t)(h ^ (h >> 32));
}

static uint32_t time_slot(const seqs_stack_t *s) { return seqs__tcp_div16(s->now >> 12, 15625u); }   /* 64 s = 2^12 * 15625 µs */

uint32_t seqs__tcp_cookie_make(seqs_stack_t *s, const tcp_rx_t *r, uint16_t mss, int sack) {
    uint32_t idx = 0;
    for (uint32_t i = 0; i < 4; i++)
        if (cookie_mss[i] <= mss) idx = i;
    uint32_t slot = time_slot(s);
    uint32_t low = ((slot & 7u) << 3) | (idx << 1) | (sack ? 1u : 0u);
    /* the cookie is the ISS: the hash covers the client's ISN too, so a
     * guessed ACK must match both */
    return ((cookie_hash(s, r, slot, low) & 0xFFFFFFC0u) ^ (r->seg.seq & 0xFFFFFFC0u)) | low;
}

int seqs__tcp_cookie_check(seqs_stack_t *s, const tcp_rx_t *r, uint32_t cookie, uint16_t *mss, int *sack) {
    uint32_t low = cookie & 0x3Fu;
    uint32_t now_slot = time_slot(s);
    for (uint32_t age = 0; age < 2; age++) {
        uint32_t slot = now_slot - age;
        if (((low >> 3) & 7u) != (slot & 7u)) continue;
        /* the ACK's seq is the client's ISN + 1 */
        uint32_t expect = (cookie_hash(s, r, slot, low) & 0xFFFFFFC0u) ^ ((r->seg.seq - 1u) & 0xFFFFFFC0u);
        if ((cookie & 0xFFFFFFC0u) == expect) {
            *mss = cookie_mss[(low >> 1) & 3u];
            *sack = (int)(low & 1u);
            return 1;
        }
    }
    return 0;
}
