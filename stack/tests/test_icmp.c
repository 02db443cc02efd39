/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP: echo (C1-C4), errors we send (C5-C7) and errors we receive (C8),
 * plus the echo client API. */
#include "check.h"
#include "frames.h"
#include "internal.h"

static seqs_stack_t st;
static f_out_t o[32];
static uint8_t f[2048];
static uint8_t ring[2048];

static seqs_udp_t udp_on(uint16_t port) {
    seqs_udp_t h;
    seqs_udp_open(&st, &h, ring, sizeof ring);
    seqs_udp_bind(&st, h, 0, port);
    return h;
}

static void test_c3_bad_checksum_and_unknown_type_dropped(void) {
    f_setup(&st, 1);
    size_t n = f_echo(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 1, "abc", 3);
    f[36] ^= 1;
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(st.cnt.icmp_drop_checksum, 1);
    n = f_echo(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 1, "abc", 3);
    f[34] = 42;
    wr16(f + 36, 0);
    wr16(f + 36, ref_csum(f + 34, 11, 0));
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(st.cnt.icmp_drop_type, 1);
    seqs_stack_input(&st, f, 34 + 7, 1);   /* IP says 7 ICMP bytes */
    CHECK_EQ(st.cnt.ip_drop_truncated, 1);
    f_ip(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 7, 1, 0, 64);
    seqs_stack_input(&st, f, 34 + 7, 1);
    CHECK_EQ(st.cnt.icmp_drop_malformed, 1);
    CHECK_EQ(f_drain(&st, 1, o, 32), 0);
    CHECK_EQ(st.cnt.icmp_tx_error, 0);
}

static void test_c4_echo_to_broadcast_or_multicast_ignored_by_default(void) {
    f_setup(&st, 1);
    const uint8_t allhosts[6] = {0x01, 0x00, 0x5E, 0x00, 0x00, 0x01};
    size_t n = f_echo(f, F_BCAST, F_PEER, F_PEER_IP, 0xFFFFFFFFu, 1, 1, "b", 1);
    seqs_stack_input(&st, f, n, 1);
    n = f_echo(f, F_BCAST, F_PEER, F_PEER_IP, SEQS_IP4(192, 0, 2, 255), 1, 2, "b", 1);
    seqs_stack_input(&st, f, n, 1);
    n = f_echo(f, allhosts, F_PEER, F_PEER_IP, SEQS_IP4(224, 0, 0, 1), 1, 3, "b", 1);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(st.cnt.icmp_drop_bcast_echo, 3);
    CHECK_EQ(f_drain(&st, 1, o, 32), 0);
    st.flags |= SEQS_CFG_ECHO_BROADCAST;
    n = f_echo(f, F_BCAST, F_PEER, F_PEER_IP, 0xFFFFFFFFu, 1, 1, "b", 1);
    seqs_stack_input(&st, f, n, 1);
    n = f_echo(f, allhosts, F_PEER, F_PEER_IP, SEQS_IP4(224, 0, 0, 1), 1, 3, "b", 1);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(f_drain(&st, 1, o, 32), 2);
    for (int i = 0; i < 2; i++) {
        CHECK_EQ(rd32(o[i].f + 26), F_ADDR);   /* answered from our unicast address */
        CHECK(memcmp(o[i].f, F_PEER, 6) == 0);
    }
}

static void test_c5_udp_to_closed_port_gets_port_unreachable(void) {
    f_setup(&st, 1);
    static uint8_t data[1000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 3);
    size_t n = f_udp(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 3333, 4444, data, sizeof data);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(st.cnt.udp_drop_no_socket, 1);
    CHECK_EQ(f_drain(&st, 1, o, 32), 1);
    const uint8_t *ip = o[0].f + 14, *m = o[0].f + 34;
    size_t tot = rd16(ip + 2);
    CHECK(tot <= 576);
    CHECK_EQ(tot + 14, o[0].len);
    CHECK_EQ(ref_csum(ip, 20, 0), 0);
    CHECK_EQ(rd32(ip + 12), F_ADDR);
    CHECK_EQ(rd32(ip + 16), F_PEER_IP);
    CHECK_EQ(ip[9], 1);
    CHECK_EQ(m[0], 3);
    CHECK_EQ(m[1], 3);
    CHECK_EQ(ref_csum(m, tot - 20, 0), 0);
    CHECK(tot - 20 - 8 >= 20 + 8);
    CHECK(memcmp(m + 8, f + 14, tot - 20 - 8) == 0);   /* quote: original header + as much as fits */
    CHECK_EQ(st.cnt.icmp_tx_error, 1);
}

static void test_c6_unknown_protocol_gets_protocol_unreachable(void) {
    f_setup(&st, 1);
    memcpy(f + 34, "12345678abcd", 12);
    size_t n = f_ip(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 99, 12, 77, 0, 64);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(st.cnt.ip_drop_proto, 1);
    CHECK_EQ(f_drain(&st, 1, o, 32), 1);
    const uint8_t *m = o[0].f + 34;
    CHECK_EQ(m[0], 3);
    CHECK_EQ(m[1], 2);
    CHECK(memcmp(m + 8, f + 14, 32) == 0);
}

static void test_c7_no_error_for_errors_broadcasts_fragments_bad_sources(void) {
    f_setup(&st, 1);
    /* UDP to a closed port via limited broadcast, subnet broadcast and multicast */
    const uint8_t allhosts[6] = {0x01, 0x00, 0x5E, 0x00, 0x00, 0x01};
    size_t n = f_udp(f, F_BCAST, F_PEER, F_PEER_IP, 0xFFFFFFFFu, 1, 4444, "x", 1);
    seqs_stack_input(&st, f, n, 1);
    n = f_udp(f, F_BCAST, F_PEER, F_PEER_IP, SEQS_IP4(192, 0, 2, 255), 1, 4444, "x", 1);
    seqs_stack_input(&st, f, n, 1);
    n = f_udp(f, allhosts, F_PEER, F_PEER_IP, SEQS_IP4(224, 0, 0, 1), 1, 4444, "x", 1);
    seqs_stack_input(&st, f, n, 1);
    /* from 0.0.0.0 to a closed DHCP port: source names no host */
    n = f_udp(f, F_US, F_PEER, 0, F_ADDR, 68, 67, "x", 1);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(f_drain(&st, 1, o, 32), 0);
    CHECK_EQ(st.cnt.icmp_err_suppressed, 4);
    /* Directly: about an ICMP error, and about a non-initial fragment */
    uint8_t hdr[20] = {0x45, 0, 0, 56, 0, 1, 0, 0, 64, 1, 0, 0};
    wr32(hdr + 12, F_PEER_IP);
    wr32(hdr + 16, F_ADDR);
    uint8_t l4[36] = {3, 3};
    seqs__ip_rx_t rx = {.src = F_PEER_IP, .dst = F_ADDR, .ip_hdr = hdr, .ip_hdr_len = 20};
    seqs__icmp_send_error(&st, &rx, l4, sizeof l4, 3, 2, 0);
    l4[0] = 8;   /* an echo request is not an error: an error about it is allowed */
    seqs__icmp_send_error(&st, &rx, l4, sizeof l4, 3, 2, 0);
    hdr[9] = 17;
    wr16(hdr + 6, 185);   /* offset 1480 */
    seqs__icmp_send_error(&st, &rx, l4, sizeof l4, 3, 3, 0);
    CHECK_EQ(st.cnt.icmp_err_suppressed, 6);
    CHECK_EQ(f_drain(&st, 1, o, 32), 1);
    CHECK_EQ(st.cnt.icmp_tx_error, 1);
}

static void test_c7_errors_rate_limited_by_token_bucket(void) {
    f_setup(&st, 1);
    for (int i = 0; i < SEQS_ICMP_ERR_BURST + 5; i++) {
        size_t n = f_udp(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 4444, "x", 1);
        seqs_stack_input(&st, f, n, 1000);
    }
    CHECK_EQ(st.cnt.icmp_tx_error, SEQS_ICMP_ERR_BURST);
    CHECK_EQ(st.cnt.icmp_err_ratelimited, 5);
    CHECK_EQ(st.cnt.udp_drop_no_socket, SEQS_ICMP_ERR_BURST + 5);
    f_drain(&st, 1000, o, 32);
    /* one token per interval */
    uint64_t t = 1000 + SEQS_ICMP_ERR_INTERVAL_MS * 1000u;
    for (int i = 0; i < 2; i++) {
        size_t n = f_udp(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 4444, "x", 1);
        seqs_stack_input(&st, f, n, t);
    }
    CHECK_EQ(st.cnt.icmp_tx_error, SEQS_ICMP_ERR_BURST + 1);
    CHECK_EQ(st.cnt.icmp_err_ratelimited, 6);
}

/* An ICMP error from the peer quoting a datagram we sent (our src, sport->dport). */
static size_t icmp_err_frame(uint8_t type, uint8_t code, uint16_t mtu, uint32_t qsrc, uint8_t proto, uint16_t sport,
                             uint16_t dport, size_t qlen) {
    uint8_t *m = f + 34;
    memset(m, 0, 8 + 28);
    m[0] = type; m[1] = code; wr16(m + 6, mtu);
    uint8_t *q = m + 8;
    q[0] = 0x45; wr16(q + 2, 100); q[8] = 64; q[9] = proto;
    wr32(q + 12, qsrc); wr32(q + 16, F_PEER_IP);
    wr16(q + 10, ref_csum(q, 20, 0));
    wr16(q + 20, sport); wr16(q + 22, dport); wr16(q + 24, 80);
    wr16(m + 2, ref_csum(m, 8 + qlen, 0));
    return f_ip(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 8 + qlen, 9, 0, 64);
}

static void test_c8_inbound_unreachable_and_frag_needed_reach_udp_socket(void) {
    f_setup(&st, 1);
    seqs_udp_t h = udp_on(5000);
    seqs_udp_icmp_err_t e;
    CHECK_EQ(seqs_udp_error(&st, h, &e), SEQS_OK);
    size_t n = icmp_err_frame(3, 3, 0, F_ADDR, 17, 5000, 53, 28);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(st.cnt.icmp_err_delivered, 1);
    CHECK_EQ(seqs_udp_error(&st, h, &e), SEQS_ERR_UNREACH);
    CHECK_EQ(e.type, 3);
    CHECK_EQ(e.code, 3);
    CHECK_EQ(e.remote_addr, F_PEER_IP);
    CHECK_EQ(e.remote_port, 53);
    CHECK_EQ(seqs_udp_error(&st, h, &e), SEQS_OK);   /* cleared */
    n = icmp_err_frame(3, 4, 1280, F_ADDR, 17, 5000, 53, 28);
    seqs_stack_input(&st, f, n, 2);
    CHECK_EQ(seqs_udp_error(&st, h, &e), SEQS_ERR_MSGSIZE);
    CHECK_EQ(e.mtu, 1280);
    /* not validated: quoted source not ours, quote too short, wrong version */
    n = icmp_err_frame(3, 3, 0, F_PEER2_IP, 17, 5000, 53, 28);
    seqs_stack_input(&st, f, n, 3);
    n = icmp_err_frame(3, 3, 0, F_ADDR, 17, 5000, 53, 27);
    seqs_stack_input(&st, f, n, 3);
    CHECK_EQ(st.cnt.icmp_drop_malformed, 2);
    CHECK_EQ(seqs_udp_error(&st, h, &e), SEQS_OK);
    /* for a port nobody has */
    n = icmp_err_frame(3, 3, 0, F_ADDR, 17, 5001, 53, 28);
    seqs_stack_input(&st, f, n, 4);
    CHECK_EQ(st.cnt.icmp_err_unmatched, 1);
    /* TCP errors go to TCP */
    n = icmp_err_frame(3, 1, 0, F_ADDR, 6, 5001, 80, 28);
    seqs_stack_input(&st, f, n, 4);
    CHECK_EQ(st.cnt.icmp_err_delivered, 3);
    CHECK_EQ(f_drain(&st, 5, o, 32), 0);   /* never an error about an error */
}

static void test_echo_client_send_and_collect_replies(void) {
    f_setup(&st, 1);
    CHECK_EQ(seqs_icmp_echo_send(&st, F_PEER_IP, 0x99, 1, "ping", 4), SEQS_OK);
    CHECK_EQ(f_drain(&st, 1, o, 32), 1);
    const uint8_t *m = o[0].f + 34;
    CHECK_EQ(m[0], 8);
    CHECK_EQ(rd16(m + 4), 0x99);
    CHECK_EQ(rd16(m + 6), 1);
    CHECK_EQ(ref_csum(m, 12, 0), 0);
    seqs_icmp_echo_t e;
    CHECK_EQ(seqs_icmp_echo_recv(&st, &e), SEQS_ERR_AGAIN);
    for (uint16_t i = 0; i < SEQS_ICMP_ECHO_RING + 2; i++) {
        size_t n = f_echo(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 0x99, i, "ping", 4);
        f[34] = 0;
        wr16(f + 36, 0);
        wr16(f + 36, ref_csum(f + 34, 12, 0));
        seqs_stack_input(&st, f, n, 10 + i);
    }
    CHECK_EQ(st.cnt.icmp_echo_reply_overflow, 2);
    CHECK_EQ(seqs_icmp_echo_recv(&st, &e), SEQS_OK);
    CHECK_EQ(e.seq, 2);   /* the two oldest were overwritten */
    CHECK_EQ(e.from, F_PEER_IP);
    CHECK_EQ(e.len, 4);
    CHECK_EQ(e.rx_us, 12);
    CHECK_EQ(f_drain(&st, 20, o, 32), 0);
}

int main(void) {
    RUN(test_c3_bad_checksum_and_unknown_type_dropped);
    RUN(test_c4_echo_to_broadcast_or_multicast_ignored_by_default);
    RUN(test_c5_udp_to_closed_port_gets_port_unreachable);
    RUN(test_c6_unknown_protocol_gets_protocol_unreachable);
    RUN(test_c7_no_error_for_errors_broadcasts_fragments_bad_sources);
    RUN(test_c7_errors_rate_limited_by_token_bucket);
    RUN(test_c8_inbound_unreachable_and_frag_needed_reach_udp_socket);
    RUN(test_echo_client_send_and_collect_replies);
    return check_result();
}
