/* SPDX-License-Identifier: BSD-3-Clause */
/* Frame views: each validation failure is reported with its reason, and the
 * accessors read the right fields of hand-built packets. */
#include "check.h"
#include "frames.h"
#include "seqs/wire/arp.h"
#include "seqs/wire/eth.h"
#include "seqs/wire/icmp.h"
#include "seqs/wire/ipv4.h"
#include "seqs/wire/tcp.h"
#include "seqs/wire/udp.h"

static uint8_t b[256];

static void test_eth_view(void) {
    seqs_eth_view_t v;
    f_eth(b, F_BCAST, F_PEER, 0x0806);
    CHECK_EQ(seqs_eth_view_init(&v, b, 13), SEQS_VIEW_TRUNCATED);
    CHECK_EQ(seqs_eth_view_init(&v, b, 14), SEQS_VIEW_OK);
    CHECK_EQ(seqs_eth_type(&v), 0x0806);
    CHECK(memcmp(seqs_eth_src(&v), F_PEER, 6) == 0);
    CHECK(seqs_mac_is_bcast(seqs_eth_dst(&v)));
    CHECK_EQ(seqs_eth_payload_len(&v), 0);
}

static void test_arp_view(void) {
    seqs_arp_view_t v;
    f_arp(b, F_BCAST, F_PEER, 1, F_PEER, F_PEER_IP, F_US, F_ADDR);
    CHECK_EQ(seqs_arp_view_init(&v, b + 14, 27), SEQS_VIEW_TRUNCATED);
    CHECK_EQ(seqs_arp_view_init(&v, b + 14, 28), SEQS_VIEW_OK);
    CHECK_EQ(seqs_arp_op(&v), 1);
    CHECK_EQ(seqs_arp_spa(&v), F_PEER_IP);
    CHECK_EQ(seqs_arp_tpa(&v), F_ADDR);
    CHECK(memcmp(seqs_arp_tha(&v), F_US, 6) == 0);
    for (int off = 0; off < 6; off++) {
        uint8_t save = b[14 + off];
        b[14 + off] ^= 0x40;
        CHECK_EQ(seqs_arp_view_init(&v, b + 14, 28), SEQS_VIEW_UNSUPPORTED);
        b[14 + off] = save;
    }
}

static size_t ip_hdr(uint8_t *p, size_t ihl, size_t total) {
    memset(p, 0, ihl);
    p[0] = (uint8_t)(0x40 | ihl / 4);
    wr16(p + 2, total);
    p[8] = 1;
    p[9] = 17;
    wr32(p + 12, F_PEER_IP);
    wr32(p + 16, F_ADDR);
    return ihl;
}
static void ip_csum(uint8_t *p, size_t ihl) {
    wr16(p + 10, 0);
    wr16(p + 10, ref_csum(p, ihl, 0));
}

static void test_ipv4_view_each_failure(void) {
    seqs_ipv4_view_t v;
    ip_hdr(b, 20, 28);
    ip_csum(b, 20);
    CHECK_EQ(seqs_ipv4_view_init(&v, b, 19), SEQS_VIEW_TRUNCATED);
    CHECK_EQ(seqs_ipv4_view_init(&v, b, 27), SEQS_VIEW_TRUNCATED);   /* Total Length beyond the bytes */
    CHECK_EQ(seqs_ipv4_view_init(&v, b, 60), SEQS_VIEW_OK);          /* padding after Total Length is fine */
    CHECK_EQ(v.total_len, 28);
    CHECK_EQ(seqs_ipv4_payload_len(&v), 8);
    CHECK_EQ(seqs_ipv4_src(&v), F_PEER_IP);
    CHECK_EQ(seqs_ipv4_dst(&v), F_ADDR);
    CHECK_EQ(seqs_ipv4_proto(&v), 17);
    b[0] = 0x65; ip_csum(b, 20);
    CHECK_EQ(seqs_ipv4_view_init(&v, b, 28), SEQS_VIEW_VERSION);
    b[0] = 0x44; ip_csum(b, 20);
    CHECK_EQ(seqs_ipv4_view_init(&v, b, 28), SEQS_VIEW_HEADER);      /* IHL < 5 */
    ip_hdr(b, 24, 22); ip_csum(b, 24);
    CHECK_EQ(seqs_ipv4_view_init(&v, b, 40), SEQS_VIEW_HEADER);      /* IHL*4 > Total Length */
    ip_hdr(b, 20, 28); ip_csum(b, 20);
    b[10] ^= 1;
    CHECK_EQ(seqs_ipv4_view_init(&v, b, 28), SEQS_VIEW_CHECKSUM);
    /* options: unknown one ignored, NOP/EOL fine */
    ip_hdr(b, 28, 28);
    b[20] = 1; b[21] = 0x88; b[22] = 4; b[23] = 0xAA; b[24] = 0xBB; b[25] = 0; b[26] = 0; b[27] = 0;
    ip_csum(b, 28);
    CHECK_EQ(seqs_ipv4_view_init(&v, b, 28), SEQS_VIEW_OK);
    CHECK_EQ(v.hdr_len, 28);
    /* option length 0, 1, and running past the header */
    const uint8_t badlen[] = {0, 1, 9};
    for (unsigned i = 0; i < 3; i++) {
        ip_hdr(b, 28, 28);
        b[20] = 0x88; b[21] = badlen[i];
        ip_csum(b, 28);
        CHECK_EQ(seqs_ipv4_view_init(&v, b, 28), SEQS_VIEW_OPTIONS);
    }
    ip_hdr(b, 24, 24);
    b[20] = 1; b[21] = 1; b[22] = 1; b[23] = 0x44;   /* timestamp kind at the last byte: no length */
    ip_csum(b, 24);
    CHECK_EQ(seqs_ipv4_view_init(&v, b, 24), SEQS_VIEW_OPTIONS);
    const uint8_t srr[] = {131, 137};
    for (unsigned i = 0; i < 2; i++) {
        ip_hdr(b, 28, 28);
        b[20] = 1; b[21] = srr[i]; b[22] = 7; b[23] = 4;
        ip_csum(b, 28);
        CHECK_EQ(seqs_ipv4_view_init(&v, b, 28), SEQS_VIEW_SRCROUTE);
    }
}

static void test_icmp_view(void) {
    seqs_icmp_view_t v;
    uint8_t m[12] = {8, 0, 0, 0, 0x12, 0x34, 0x00, 0x05, 'a', 'b', 'c', 'd'};
    wr16(m + 2, ref_csum(m, sizeof m, 0));
    CHECK_EQ(seqs_icmp_view_init(&v, m, 7), SEQS_VIEW_TRUNCATED);
    CHECK_EQ(seqs_icmp_view_init(&v, m, sizeof m), SEQS_VIEW_OK);
    CHECK_EQ(seqs_icmp_echo_id(&v), 0x1234);
    CHECK_EQ(seqs_icmp_echo_seq(&v), 5);
    CHECK_EQ(seqs_icmp_body_len(&v), 4);
    m[11] ^= 1;
    CHECK_EQ(seqs_icmp_view_init(&v, m, sizeof m), SEQS_VIEW_CHECKSUM);
    CHECK(seqs_icmp_type_is_error(3) && seqs_icmp_type_is_error(11) && seqs_icmp_type_is_error(99));
    CHECK(!seqs_icmp_type_is_error(8) && !seqs_icmp_type_is_error(0));
}

static void test_udp_view(void) {
    seqs_udp_view_t v;
    uint8_t u[16] = {0x04, 0xd2, 0x16, 0x2e, 0x00, 0x0a, 0xf8, 0x6c, 'h', 'i', 0xEE, 0xEE};   /* chksum from scapy */
    uint32_t src = SEQS_IP4(192, 0, 2, 1), dst = SEQS_IP4(192, 0, 2, 2);
    CHECK_EQ(seqs_udp_view_init(&v, u, 7, src, dst), SEQS_VIEW_TRUNCATED);
    CHECK_EQ(seqs_udp_view_init(&v, u, 12, src, dst), SEQS_VIEW_OK);   /* 2 extra bytes ignored */
    CHECK_EQ(seqs_udp_payload_len(&v), 2);
    CHECK_EQ(seqs_udp_src_port(&v), 1234);
    CHECK_EQ(seqs_udp_dst_port(&v), 5678);
    CHECK_EQ(seqs_udp_view_init(&v, u, 12, src, dst + 1), SEQS_VIEW_CHECKSUM);
    u[6] = u[7] = 0;
    CHECK_EQ(seqs_udp_view_init(&v, u, 12, src, dst + 1), SEQS_VIEW_OK);   /* zero: not computed */
    wr16(u + 4, 7);
    CHECK_EQ(seqs_udp_view_init(&v, u, 12, src, dst), SEQS_VIEW_LENGTH);
    wr16(u + 4, 13);
    CHECK_EQ(seqs_udp_view_init(&v, u, 12, src, dst), SEQS_VIEW_LENGTH);
}

static void test_tcp_view_and_option_iterator(void) {
    seqs_tcp_view_t v;
    uint8_t t[40];
    memset(t, 0, sizeof t);
    wr16(t, 80); wr16(t + 2, 5555); wr32(t + 4, 0x01020304); wr32(t + 8, 0xA0B0C0D0);
    t[12] = 0x80;   /* data offset 8 = 32 bytes */
    t[13] = 0x12;   /* SYN|ACK */
    wr16(t + 14, 65535); wr16(t + 18, 7);
    /* options: MSS 1460, NOP, WS 7, SACK-perm, EOL... */
    uint8_t opts[12] = {2, 4, 0x05, 0xB4, 1, 3, 3, 7, 4, 2, 0, 0};
    memcpy(t + 20, opts, 12);
    CHECK_EQ(seqs_tcp_view_init(&v, t, 19), SEQS_VIEW_TRUNCATED);
    CHECK_EQ(seqs_tcp_view_init(&v, t, 31), SEQS_VIEW_HEADER);   /* offset past the segment */
    CHECK_EQ(seqs_tcp_view_init(&v, t, 36), SEQS_VIEW_OK);
    CHECK_EQ(seqs_tcp_src_port(&v), 80);
    CHECK_EQ(seqs_tcp_dst_port(&v), 5555);
    CHECK_EQ(seqs_tcp_seq(&v), 0x01020304);
    CHECK_EQ(seqs_tcp_ack(&v), 0xA0B0C0D0u);
    CHECK_EQ(seqs_tcp_flags(&v), SEQS_TCP_SYN | SEQS_TCP_ACK);
    CHECK_EQ(seqs_tcp_window(&v), 65535);
    CHECK_EQ(seqs_tcp_urgent(&v), 7);
    CHECK_EQ(seqs_tcp_payload_len(&v), 4);
    seqs_tcp_opt_iter_t it;
    seqs_tcp_opt_t o;
    seqs_tcp_opt_begin(&it, &v);
    CHECK_EQ(seqs_tcp_opt_next(&it, &o), 1);
    CHECK_EQ(o.kind, 2); CHECK_EQ(o.len, 2); CHECK_EQ(rd16(o.data), 1460);
    CHECK_EQ(seqs_tcp_opt_next(&it, &o), 1);
    CHECK_EQ(o.kind, 3); CHECK_EQ(o.len, 1); CHECK_EQ(o.data[0], 7);
    CHECK_EQ(seqs_tcp_opt_next(&it, &o), 1);
    CHECK_EQ(o.kind, 4); CHECK_EQ(o.len, 0);
    CHECK_EQ(seqs_tcp_opt_next(&it, &o), 0);
    CHECK_EQ(seqs_tcp_opt_next(&it, &o), 0);
    t[12] = 0x40;
    CHECK_EQ(seqs_tcp_view_init(&v, t, 36), SEQS_VIEW_HEADER);   /* offset < 5 */
    /* length 0, 1, overrun, and a kind in the last byte with no length byte */
    const uint8_t bad[][4] = {{8, 0, 0, 0}, {8, 1, 0, 0}, {8, 5, 0, 0}, {1, 1, 1, 8}};
    for (unsigned i = 0; i < 4; i++) {
        t[12] = 0x60;   /* 24 bytes: 4 option bytes */
        memcpy(t + 20, bad[i], 4);
        CHECK_EQ(seqs_tcp_view_init(&v, t, 24), SEQS_VIEW_OK);
        seqs_tcp_opt_begin(&it, &v);
        CHECK_EQ(seqs_tcp_opt_next(&it, &o), -1);
        CHECK_EQ(seqs_tcp_opt_next(&it, &o), -1);
    }
    /* checksum: a segment from scapy (IP 192.0.2.1 -> 192.0.2.2, TCP 1234->80 SYN seq 1, win 8192, chksum 0x06bc) */
    uint8_t syn[20] = {0x04, 0xd2, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0x20, 0x00, 0x06, 0xbc, 0, 0};
    CHECK_EQ(seqs_tcp_view_init(&v, syn, 20), SEQS_VIEW_OK);
    CHECK(seqs_tcp_view_checksum_ok(&v, SEQS_IP4(192, 0, 2, 1), SEQS_IP4(192, 0, 2, 2)));
    CHECK(!seqs_tcp_view_checksum_ok(&v, SEQS_IP4(192, 0, 2, 1), SEQS_IP4(192, 0, 2, 3)));
}

int main(void) {
    RUN(test_eth_view);
    RUN(test_arp_view);
    RUN(test_ipv4_view_each_failure);
    RUN(test_icmp_view);
    RUN(test_udp_view);
    RUN(test_tcp_view_and_option_iterator);
    return check_result();
}
