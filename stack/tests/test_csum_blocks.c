/* SPDX-License-Identifier: BSD-3-Clause */
/* test_csum_blocks.c — seqs__csum_add over buffers longer than one fold block
 * (0x7FFF words), odd lengths and saturated starting sums, against a plain
 * 64-bit reference sum written here. test_csum_aligned.c runs the same checks
 * on the path for targets without unaligned loads (Cortex-M0+). */
#include <stdint.h>

#include "check.h"
#include "internal.h"

static uint16_t reference(uint64_t start, const uint8_t *p, size_t n) {
    uint64_t sum = start;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint64_t)((p[i] << 8) | p[i + 1]);
    if (n & 1)
        sum += (uint64_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint8_t buf[200001];

static void test_long_and_odd_buffers_match_the_reference(void) {
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    const size_t lens[] = {0, 1, 2, 3, 65533, 65534, 65535, 65536, 65537, 131071, 200001};
    const uint32_t starts[] = {0, 1, 0xFFFF, 0x1FFFE, 0xFFFFFFFFu};
    for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++)
        for (size_t k = 0; k < sizeof starts / sizeof starts[0]; k++)
            CHECK_EQ(seqs__csum_fold(seqs__csum_add(starts[k], buf, lens[l])), reference(starts[k], buf, lens[l]));
}

static void test_all_ones_buffer_does_not_overflow(void) {
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = 0xFF;
    CHECK_EQ(seqs__csum_fold(seqs__csum_add(0xFFFFFFFFu, buf, sizeof buf)), reference(0xFFFFFFFFu, buf, sizeof buf));
}

/* The wide-word sum takes care of where a block starts: every start offset
 * modulo 8, every length up to 300 and a full frame, and a block split into
 * pieces of even length summed one after the other (as the gather list does). */
static void test_every_alignment_length_and_split_matches_the_reference(void) {
    uint32_t x = 777;
    for (size_t i = 0; i < 4096; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    int bad = 0;
    for (size_t off = 0; off < 8; off++) {
        for (size_t n = 0; n <= 1514; n = n < 300 ? n + 1 : n + 607) {
            const uint8_t *p = buf + off;
            uint32_t start = (uint32_t)(n * 2654435761u);
            if (seqs__csum_fold(seqs__csum_add(start, p, n)) != reference(start, p, n))
                bad++;
            for (size_t cut = 0; cut <= n; cut += 2 + (n > 64 ? 14 : 0)) {
                uint32_t s = seqs__csum_add(start, p, cut);
                if (seqs__csum_fold(seqs__csum_add(s, p + cut, n - cut)) != reference(start, p, n))
                    bad++;
            }
        }
    }
    CHECK_EQ(bad, 0);
}

int main(void) {
    RUN(test_every_alignment_length_and_split_matches_the_reference);
    RUN(test_long_and_odd_buffers_match_the_reference);
    RUN(test_all_ones_buffer_does_not_overflow);
    return check_result();
}
