/* SPDX-License-Identifier: BSD-3-Clause */
/* The applications' 64-bit divisions without libgcc (stack/src/app/app_time.h):
 * the digit-wise divide, µs -> s, and the callers rewritten with it (SNTP's
 * Unix µs -> NTP timestamp, HTTP's decimal printer) checked against the host's
 * native 64-bit division on edge values and a million pseudo-random ones. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include "app/app_time.h"
#include "app/http/http_int.h"
#include "check.h"
#include "seqs/sntp.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void) {   /* xorshift64 */
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* The previous seqs_unix_us_to_ntp, with native 64-bit division: the oracle. */
static uint64_t ntp_ref(int64_t unix_us) {
    int64_t s = unix_us / 1000000, rem = unix_us % 1000000;
    if (rem < 0) {
        rem += 1000000;
        s -= 1;
    }
    uint64_t ntp_s = (uint64_t)(s + (int64_t)SEQS_SNTP_UNIX_OFFSET_S) & 0xFFFFFFFFu;
    uint64_t frac = (((uint64_t)rem << 32) + 500000) / 1000000;
    if (frac > 0xFFFFFFFFu)
        frac = 0xFFFFFFFFu;
    return (ntp_s << 32) | frac;
}

static int fails;
static void one(uint64_t n) {
    static const uint32_t ds[] = {1, 2, 3, 7, 10, 125, 1000, 15625, 65521, 65535};
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        uint32_t r = 0xDEADu;
        uint64_t q = seqs_app_divmod16(n, ds[i], &r);
        if (q != n / ds[i] || r != n % ds[i] || seqs_app_divmod16(n, ds[i], NULL) != q)
            fails++;
    }
    uint32_t rus;
    uint64_t s = seqs_app_us_to_s(n, &rus);
    if (s != n / 1000000u || rus != n % 1000000u)
        fails++;
    int64_t x = (int64_t)n;
    if (seqs_unix_us_to_ntp(x) != ntp_ref(x))
        fails++;
    uint8_t buf[24];
    char want[24];
    size_t pos = 0;
    int len = snprintf(want, sizeof want, "%" PRIu64, n);
    if (seqs_http_put_dec(buf, sizeof buf, &pos, n) != 0 || pos != (size_t)len || memcmp(buf, want, pos) != 0)
        fails++;
}

static void test_edges(void) {
    fails = 0;
    const uint64_t e[] = {0, 1, 9, 10, 63, 64, 999999, 1000000, 1000001, 0xFFFFull, 0x10000ull,
                          0xFFFFFFFFull, 0x100000000ull, 0x7FFFFFFFFFFFFFFFull, 0x8000000000000000ull,
                          0xFFFFFFFFFFFFFFFFull, 2085978496000000ull /* 2036 era edge in Unix µs */};
    for (size_t i = 0; i < sizeof e / sizeof e[0]; i++) {
        one(e[i]);
        one(e[i] - 1);
        one(e[i] + 1);
        one(0u - e[i]);   /* the two's-complement negation, without signed overflow */
    }
    CHECK_EQ(fails, 0);
}

static void test_random(void) {
    fails = 0;
    for (int i = 0; i < 1000000; i++) {
        uint64_t v = next();
        one(v >> (v & 63u));   /* all magnitudes */
    }
    CHECK_EQ(fails, 0);
}

int main(void) {
    RUN(test_edges);
    RUN(test_random);
    return check_result();
}
