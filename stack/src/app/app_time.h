/* SPDX-License-Identifier: BSD-3-Clause */
/* stack/src/app/app_time.h — exact 64-bit divisions for the applications
 * without libgcc's __aeabi_uldivmod/__aeabi_ldivmod (Cortex-M0+ has no 64-bit
 * divide; tools/check-core-m0.sh fails if any object references them).
 * Only 32-bit divisions by 16-bit digits, like the core's seqs__tcp_div16
 * (apps do not include core-internal headers, so this is their own copy). */
#ifndef SEQS_APP_TIME_H
#define SEQS_APP_TIME_H

#include <stdint.h>

/* One 16-bit digit of long division: *r < d <= 0xFFFF, so x < 2^32. */
static inline uint32_t seqs_app_div_step(uint32_t *r, uint32_t digit, uint32_t d) {
    uint32_t x = (*r << 16) | digit;
    *r = x % d;
    return x / d;
}

/* n / d exactly (all 64 bits of the quotient) for 0 < d <= 0xFFFF; the
 * remainder goes to *rem when rem is not NULL. */
static inline uint64_t seqs_app_divmod16(uint64_t n, uint32_t d, uint32_t *rem) {
    uint32_t r = 0, hi = (uint32_t)(n >> 32), lo = (uint32_t)n;
    uint32_t q3 = seqs_app_div_step(&r, hi >> 16, d);
    uint32_t q2 = seqs_app_div_step(&r, hi & 0xFFFFu, d);
    uint32_t q1 = seqs_app_div_step(&r, lo >> 16, d);
    uint32_t q0 = seqs_app_div_step(&r, lo & 0xFFFFu, d);
    if (rem)
        *rem = r;
    return ((uint64_t)((q3 << 16) | q2) << 32) | ((q1 << 16) | q0);
}

/* us / 1000000 exactly, remainder (< 1000000) to *rem_us when not NULL:
 * 10^6 = 2^6 * 15625, so n = 64 m + a, m = 15625 q + r gives
 * n = 10^6 q + (64 r + a) with 64 r + a < 10^6. */
static inline uint64_t seqs_app_us_to_s(uint64_t us, uint32_t *rem_us) {
    uint32_t r;
    uint64_t q = seqs_app_divmod16(us >> 6, 15625u, &r);
    if (rem_us)
        *rem_us = (r << 6) | (uint32_t)(us & 63u);
    return q;
}

#endif
