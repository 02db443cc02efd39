/* test_csum_blocks.c — seqs__csum_add over buffers longer than one fold block
 * (0x7FFF words), odd lengths and saturated starting sums, against a plain
 * 64-bit reference sum written here. */
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

int main(void) {
    RUN(test_long_and_odd_buffers_match_the_reference);
    RUN(test_all_ones_buffer_does_not_overflow);
    return check_result();
}
