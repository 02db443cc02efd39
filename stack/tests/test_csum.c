/* SPDX-License-Identifier: BSD-3-Clause */
/* The Internet checksum against known vectors (RFC 1071 3, a captured IPv4
 * header, a captured UDP datagram) rather than against itself. */
#include "check.h"
#include "internal.h"

static void test_rfc1071_example_sum(void) {
    /* RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
    const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    CHECK_EQ(seqs__csum_fold(seqs__csum_add(0, b, sizeof b)), (uint16_t)~0xddf2u);
    /* byte-order independence: summing in two pieces (even split) gives the same */
    uint32_t s = seqs__csum_add(0, b, 4);
    CHECK_EQ(seqs__csum_fold(seqs__csum_add(s, b + 4, 4)), 0x220d);
}

static void test_ipv4_header_known_checksum(void) {
    /* Wikipedia "IPv4 header checksum" example: checksum field b861. */
    uint8_t h[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                     0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    CHECK_EQ(seqs__csum_fold(seqs__csum_add(0, h, 20)), 0xb861);
    h[10] = 0xb8;
    h[11] = 0x61;
    CHECK_EQ(seqs__csum_fold(seqs__csum_add(0, h, 20)), 0);
}

static void test_odd_length_padded_with_zero(void) {
    const uint8_t b[] = {0x12, 0x34, 0x56};
    /* 0x1234 + 0x5600 = 0x6834 -> ~ = 0x97cb */
    CHECK_EQ(seqs__csum_fold(seqs__csum_add(0, b, 3)), 0x97cb);
}

static void test_udp_pseudo_header_known_datagram(void) {
    /* UDP 192.0.2.1:1234 -> 192.0.2.2:5678, payload "hi"; scapy gives chksum 0xf86c.
     * By hand: pseudo c000+0201+c000+0202+0011+000a = 0x1841e; header 04d2+162e+000a
     * = 0x1b0a; data 6869; total 0x20791 -> 0x0793 -> ~ = 0xf86c. */
    const uint8_t u[10] = {0x04, 0xd2, 0x16, 0x2e, 0x00, 0x0a, 0x00, 0x00, 'h', 'i'};
    uint32_t p = seqs__csum_pseudo(SEQS_IP4(192, 0, 2, 1), SEQS_IP4(192, 0, 2, 2), 17, 10);
    CHECK_EQ(seqs__csum_fold(seqs__csum_add(p, u, sizeof u)), 0xf86c);
}

static void test_long_buffer_does_not_overflow(void) {
    static uint8_t b[65536];
    memset(b, 0xFF, sizeof b);
    /* all-ones words sum to 0xffff in one's complement: the checksum is 0 */
    CHECK_EQ(seqs__csum_fold(seqs__csum_add(0, b, sizeof b)), 0);
    b[0] = 0;
    CHECK_EQ(seqs__csum_fold(seqs__csum_add(0, b, sizeof b)), 0xff00);
}

int main(void) {
    RUN(test_rfc1071_example_sum);
    RUN(test_ipv4_header_known_checksum);
    RUN(test_odd_length_padded_with_zero);
    RUN(test_udp_pseudo_header_known_datagram);
    RUN(test_long_buffer_does_not_overflow);
    return check_result();
}
