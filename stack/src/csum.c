/* SPDX-License-Identifier: BSD-3-Clause */
/* csum.c — the Internet checksum (RFC 1071): 16-bit one's complement sum.
 *
 * RFC 1071 2(B): the sum is byte-order independent, so the data is summed in
 * the machine's own order a word (32 or 64 bits) at a time with end-around
 * carry, folded to 16 bits, and swapped once into network order at the end
 * (2(C): folding wide partial sums gives the same result). A block starting
 * at an odd address is summed shifted by one byte, which swaps its sum (2(B)
 * again): the final swap is skipped for it. */
#include <string.h>

#include "internal.h"

#if UINTPTR_MAX > 0xFFFFFFFFu
typedef uint64_t csum_word_t;   /* 64-bit hosts: 8 bytes per add */
#else
typedef uint32_t csum_word_t;   /* Cortex-M and other 32-bit targets */
#endif

/* Loads through memcpy: no aliasing questions. Where a load at any address
 * costs the same (x86, AArch64) the data is summed from where it starts; elsewhere
 * (Cortex-M0+ faults on unaligned words) a prologue aligns p first and the
 * compiler, told the alignment, emits one load per word. */
#ifndef SEQS_CSUM_ANY_ALIGNMENT   /* a test sets 0 to run the aligned path on the host */
#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__)
#define SEQS_CSUM_ANY_ALIGNMENT 1
#else
#define SEQS_CSUM_ANY_ALIGNMENT 0
#endif
#endif
#define CSUM_ANY_ALIGNMENT SEQS_CSUM_ANY_ALIGNMENT
#if !CSUM_ANY_ALIGNMENT && (defined(__GNUC__) || defined(__clang__))
#define ASSUME_ALIGNED(p, a) __builtin_assume_aligned((p), (a))
#else
#define ASSUME_ALIGNED(p, a) (p)
#endif

static int little_endian(void) {
    const uint16_t one = 1;
    uint8_t b;
    memcpy(&b, &one, 1);
    return b == 1;   /* a constant once the compiler has looked at it */
}

static inline csum_word_t add_c(csum_word_t a, csum_word_t b) {
    a += b;
    return a + (a < b);   /* end-around carry */
}

static inline uint16_t load16(const uint8_t *p) {   /* p is 2-byte aligned */
    uint16_t v;
    memcpy(&v, ASSUME_ALIGNED(p, 2), 2);
    return v;
}
static inline uint32_t load32(const uint8_t *p) {   /* p is 4-byte aligned */
    uint32_t v;
    memcpy(&v, ASSUME_ALIGNED(p, 4), 4);
    return v;
}
static inline csum_word_t loadw(const uint8_t *p) {   /* p is aligned to the word */
    csum_word_t v;
    memcpy(&v, ASSUME_ALIGNED(p, sizeof(csum_word_t)), sizeof v);
    return v;
}
static inline uint16_t pair(uint8_t first, uint8_t second) {   /* two bytes as a native word */
    const uint8_t b[2] = {first, second};
    uint16_t v;
    memcpy(&v, b, 2);
    return v;
}

uint32_t seqs__csum_add(uint32_t sum, const uint8_t *p, size_t n) {
    const size_t w = sizeof(csum_word_t);
    csum_word_t acc = 0;
    int swap = little_endian();
    if (!CSUM_ANY_ALIGNMENT) {
        if (n && ((uintptr_t)p & 1u)) {
            /* The first byte is the second half of a word: everything after it
             * is summed one byte off, which swaps the sum. */
            acc = pair(0, p[0]);
            p++;
            n--;
            swap = !swap;
        }
        if (n >= 2 && ((uintptr_t)p & 2u)) {
            acc += load16(p);
            p += 2;
            n -= 2;
        }
        if (w > 4 && n >= 4 && ((uintptr_t)p & 4u)) {
            acc += load32(p);
            p += 4;
            n -= 4;
        }
    }
    /* The carries out of the word adds are counted apart and added back once
     * (end-around carry, RFC 1071 2(C)): one add and one add-with-carry per word. */
    csum_word_t carries = 0;
#define CSUM_WORD(k)                           \
    do {                                       \
        csum_word_t v_ = loadw(p + (k) * w);   \
        acc += v_;                             \
        carries += acc < v_;                   \
    } while (0)
    while (n >= 8 * w) {
        CSUM_WORD(0); CSUM_WORD(1); CSUM_WORD(2); CSUM_WORD(3);
        CSUM_WORD(4); CSUM_WORD(5); CSUM_WORD(6); CSUM_WORD(7);
        p += 8 * w;
        n -= 8 * w;
    }
#undef CSUM_WORD
    while (n >= w) {
        csum_word_t v = loadw(p);
        acc += v;
        carries += acc < v;
        p += w;
        n -= w;
    }
    acc = add_c(acc, carries);
    if (w > 4 && n >= 4) {
        acc = add_c(acc, load32(p));
        p += 4;
        n -= 4;
    }
    if (n >= 2) {
        acc = add_c(acc, load16(p));
        p += 2;
        n -= 2;
    }
    if (n)   /* an odd final byte is padded with a zero byte (RFC 1071 4.1) */
        acc = add_c(acc, pair(p[0], 0));
    uint64_t a = (uint64_t)acc;
    if (w > 4) {
        a = (a & 0xFFFFFFFFu) + (a >> 32);
        a = (a & 0xFFFFFFFFu) + (a >> 32);
    }
    uint32_t s = (uint32_t)a;
    s = (s & 0xFFFFu) + (s >> 16);
    s = (s & 0xFFFFu) + (s >> 16);
    if (swap)   /* into network order */
        s = ((s & 0xFFu) << 8) | (s >> 8);
    return (sum & 0xFFFFu) + (sum >> 16) + s;
}
