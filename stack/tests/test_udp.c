/* SPDX-License-Identifier: BSD-3-Clause */
/* UDP sockets: U1-U7, handles and their generations, binding, rings. */
#include "check.h"
#include "frames.h"
#include "internal.h"

static seqs_stack_t st;
static f_out_t o[16];
static uint8_t f[2048];
static uint8_t ring[512], ring2[512];

static seqs_udp_t udp_on(uint16_t port) {
    seqs_udp_t h = 0;
    CHECK_EQ(seqs_udp_open(&st, &h, ring, sizeof ring), SEQS_OK);
    CHECK_EQ(seqs_udp_bind(&st, h, 0, port), SEQS_OK);
    return h;
}

static void test_u1_delivery_with_source_and_empty_datagram(void) {
    f_setup(&st, 1);
    seqs_udp_t h = udp_on(9);
    size_t n = f_udp(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1234, 9, "", 0);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(seqs_udp_pending(&st, h), 1);
    seqs_udp_meta_t m;
    char buf[8];
    CHECK_EQ(seqs_udp_recvfrom(&st, h, buf, sizeof buf, &m), 0);
    CHECK_EQ(m.remote_addr, F_PEER_IP);
    CHECK_EQ(m.remote_port, 1234);
    CHECK_EQ(seqs_udp_pending(&st, h), 0);
    CHECK_EQ(seqs_udp_recvfrom(&st, h, buf, sizeof buf, &m), SEQS_ERR_AGAIN);
    /* and we send empty datagrams too */
    CHECK_EQ(seqs_udp_sendto(&st, h, NULL, 0, F_PEER_IP, 1234), 0);
    CHECK_EQ(f_drain(&st, 2, o, 16), 1);
    CHECK_EQ(rd16(o[0].f + 38), 8);
    CHECK_EQ(ref_csum(o[0].f + 34, 8, ref_pseudo(F_ADDR, F_PEER_IP, 17, 8)), 0);
}

static void test_u2_u3_zero_checksum_accepted_wrong_dropped(void) {
    f_setup(&st, 1);
    seqs_udp_t h = udp_on(9);
    size_t n = f_udp(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 9, "zero", 4);
    wr16(f + 40, 0);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(seqs_udp_pending(&st, h), 1);
    n = f_udp(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 9, "bad!", 4);
    f[41] ^= 0x10;
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(st.cnt.udp_drop_checksum, 1);
    CHECK_EQ(seqs_udp_pending(&st, h), 1);
    CHECK_EQ(f_drain(&st, 1, o, 16), 0);   /* no ICMP for a corrupt datagram */
}

static void test_u4_checksum_computing_to_zero_sent_as_ffff(void) {
    f_setup(&st, 1);
    seqs_udp_t h = udp_on(9);
    /* Payload = 2 bytes chosen so that the one's complement sum is 0xffff. */
    uint8_t p[2] = {0, 0};
    uint8_t u[10] = {0, 9, 0x30, 0x39, 0, 10, 0, 0, 0, 0};
    uint32_t s = ref_pseudo(F_ADDR, F_PEER_IP, 17, 10);
    uint16_t c = ref_csum(u, 10, s);   /* = ~sum with payload 0 */
    uint16_t sum = (uint16_t)~c;
    uint16_t w = (uint16_t)(0xFFFF - sum);
    p[0] = (uint8_t)(w >> 8);
    p[1] = (uint8_t)w;
    CHECK_EQ(seqs_udp_sendto(&st, h, p, 2, F_PEER_IP, 12345), 2);
    CHECK_EQ(f_drain(&st, 1, o, 16), 1);
    CHECK_EQ(rd16(o[0].f + 40), 0xFFFF);
    CHECK(memcmp(o[0].f + 42, p, 2) == 0);
}

static void test_u5_length_rules(void) {
    f_setup(&st, 1);
    seqs_udp_t h = udp_on(9);
    size_t n = f_udp(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 9, "abcdef", 6);
    wr16(f + 38, 7); wr16(f + 40, 0);
    seqs_stack_input(&st, f, n, 1);
    wr16(f + 38, 15);
    seqs_stack_input(&st, f, n, 1);
    seqs_stack_input(&st, f, 34 + 7, 1);   /* IP payload shorter than a UDP header */
    f_ip(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 17, 7, 1, 0, 64);
    seqs_stack_input(&st, f, 34 + 7, 1);
    CHECK_EQ(st.cnt.udp_drop_length, 3);
    /* UDP length 10 inside a 14-byte IP payload: 2 bytes delivered */
    n = f_udp(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 9, "abcdef", 6);
    wr16(f + 38, 10); wr16(f + 40, 0);
    seqs_stack_input(&st, f, n, 1);
    char buf[16];
    CHECK_EQ(seqs_udp_recvfrom(&st, h, buf, sizeof buf, NULL), 2);
    CHECK(memcmp(buf, "ab", 2) == 0);
}

static void test_u6_broadcast_or_multicast_source_dropped(void) {
    f_setup(&st, 1);
    seqs_udp_t h = udp_on(9);
    size_t n = f_udp(f, F_US, F_PEER, 0xFFFFFFFFu, F_ADDR, 1, 9, "x", 1);
    seqs_stack_input(&st, f, n, 1);
    n = f_udp(f, F_US, F_PEER, SEQS_IP4(239, 1, 1, 1), F_ADDR, 1, 9, "x", 1);
    seqs_stack_input(&st, f, n, 1);
    n = f_udp(f, F_US, F_PEER, SEQS_IP4(192, 0, 2, 255), F_ADDR, 1, 9, "x", 1);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(st.cnt.ip_drop_bad_src, 3);
    CHECK_EQ(seqs_udp_pending(&st, h), 0);
    CHECK_EQ(f_drain(&st, 1, o, 16), 0);
}

static void test_u7_wildcard_server_replies_from_request_destination(void) {
    f_setup(&st, 1);
    seqs_udp_t h = udp_on(7);
    size_t n = f_udp(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 2000, 7, "req", 3);
    seqs_stack_input(&st, f, n, 1);
    n = f_udp(f, F_BCAST, F_PEER, F_PEER_IP, 0xFFFFFFFFu, 2000, 7, "bc", 2);
    seqs_stack_input(&st, f, n, 1);
    char buf[8];
    seqs_udp_meta_t m;
    for (int i = 0; i < 2; i++) {
        int r = seqs_udp_recvfrom(&st, h, buf, sizeof buf, &m);
        CHECK(r > 0);
        CHECK_EQ(seqs_udp_sendmsg(&st, h, buf, (size_t)r, &m), r);
        CHECK_EQ(f_drain(&st, 2, o, 16), 1);
        CHECK_EQ(rd32(o[0].f + 26), F_ADDR);
        CHECK_EQ(rd32(o[0].f + 30), F_PEER_IP);
        CHECK_EQ(rd16(o[0].f + 36), 2000);
    }
    seqs_udp_meta_t bad = {.remote_addr = F_PEER_IP, .remote_port = 1, .local_addr = F_PEER2_IP};
    CHECK_EQ(seqs_udp_sendmsg(&st, h, "x", 1, &bad), SEQS_ERR_INVAL);   /* not our address */
}

static void test_stale_handles_rejected_after_close_and_reuse(void) {
    f_setup(&st, 1);
    seqs_udp_t h1 = udp_on(9);
    CHECK(h1 != 0);
    CHECK_EQ(seqs_udp_close(&st, h1), SEQS_OK);
    seqs_udp_t h2;
    CHECK_EQ(seqs_udp_open(&st, &h2, ring2, sizeof ring2), SEQS_OK);
    CHECK(h2 != h1);
    CHECK_EQ((h2 & 0xFF), (h1 & 0xFF));   /* same slot, new generation */
    char b[4];
    CHECK_EQ(seqs_udp_close(&st, h1), SEQS_ERR_BADHANDLE);
    CHECK_EQ(seqs_udp_bind(&st, h1, 0, 10), SEQS_ERR_BADHANDLE);
    CHECK_EQ(seqs_udp_connect(&st, h1, F_PEER_IP, 1), SEQS_ERR_BADHANDLE);
    CHECK_EQ(seqs_udp_sendto(&st, h1, "x", 1, F_PEER_IP, 1), SEQS_ERR_BADHANDLE);
    CHECK_EQ(seqs_udp_recvfrom(&st, h1, b, sizeof b, NULL), SEQS_ERR_BADHANDLE);
    CHECK_EQ(seqs_udp_pending(&st, h1), SEQS_ERR_BADHANDLE);
    CHECK_EQ(seqs_udp_error(&st, h1, NULL), SEQS_ERR_BADHANDLE);
    CHECK_EQ(seqs_udp_local_port(&st, h1), 0);
    CHECK_EQ(seqs_udp_bind(&st, h2, 0, 9), SEQS_OK);   /* port freed by the close */
    CHECK_EQ(seqs_udp_bind(&st, 0, 0, 9), SEQS_ERR_BADHANDLE);
    CHECK_EQ(seqs_udp_bind(&st, 0xFFFFFF01u, 0, 9), SEQS_ERR_BADHANDLE);
    CHECK_EQ(seqs_udp_close(&st, h2), SEQS_OK);
    CHECK_EQ(seqs_udp_close(&st, h2), SEQS_ERR_BADHANDLE);
}

static void test_bind_conflicts_ephemeral_ports_and_slots(void) {
    seqs_config_t c;
    seqs_config_default(&c);
    memcpy(c.mac, F_US, 6);
    c.max_udp_sockets = 3;
    c.flags = SEQS_CFG_NO_GRATUITOUS;
    seqs_stack_init(&st, &c);
    seqs_stack_set_addr(&st, F_ADDR, 24, 0, 0);
    seqs_udp_t a, b, d, e;
    CHECK_EQ(seqs_udp_open(&st, &a, ring, sizeof ring), SEQS_OK);
    CHECK_EQ(seqs_udp_open(&st, &b, ring2, sizeof ring2), SEQS_OK);
    CHECK_EQ(seqs_udp_open(&st, &d, NULL, 0), SEQS_OK);
    CHECK_EQ(seqs_udp_open(&st, &e, NULL, 0), SEQS_ERR_NOSLOT);
    CHECK_EQ(seqs_udp_bind(&st, a, 0, 53), SEQS_OK);
    CHECK_EQ(seqs_udp_bind(&st, b, 0, 53), SEQS_ERR_INUSE);
    CHECK_EQ(seqs_udp_bind(&st, b, F_PEER_IP, 54), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_udp_bind(&st, a, 0, 55), SEQS_ERR_STATE);
    CHECK_EQ(seqs_udp_bind(&st, b, 0, 0), SEQS_OK);
    uint16_t p = seqs_udp_local_port(&st, b);
    CHECK(p >= SEQS_EPHEMERAL_LO);
    /* implicit bind on send */
    CHECK_EQ(seqs_udp_local_port(&st, d), 0);
    CHECK_EQ(seqs_udp_sendto(&st, d, "x", 1, 0xFFFFFFFFu, 67), 1);
    CHECK(seqs_udp_local_port(&st, d) >= SEQS_EPHEMERAL_LO);
    CHECK(seqs_udp_local_port(&st, d) != p);
    CHECK_EQ(seqs_udp_sendto(&st, d, "x", 1, 0, 0), SEQS_ERR_NOTCONN);
}

static void test_connected_socket_filters_peer_and_defaults_destination(void) {
    f_setup(&st, 1);
    seqs_udp_t h = udp_on(9);
    CHECK_EQ(seqs_udp_connect(&st, h, F_PEER_IP, 53), SEQS_OK);
    size_t n = f_udp(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 54, 9, "no", 2);
    seqs_stack_input(&st, f, n, 1);
    n = f_udp(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 53, 9, "ok", 2);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(seqs_udp_pending(&st, h), 1);
    f_drain(&st, 1, o, 16);
    CHECK_EQ(seqs_udp_sendto(&st, h, "hi", 2, 0, 0), 2);
    CHECK_EQ(f_drain(&st, 1, o, 16), 1);
    CHECK_EQ(rd16(o[0].f + 36), 53);
    CHECK_EQ(seqs_udp_connect(&st, h, 0, 0), SEQS_OK);
    CHECK_EQ(seqs_udp_sendto(&st, h, "hi", 2, 0, 0), SEQS_ERR_NOTCONN);
}

static void test_ring_full_truncation_and_wraparound(void) {
    f_setup(&st, 1);
    seqs_udp_t h;
    static uint8_t small[100];
    seqs_udp_open(&st, &h, small, sizeof small);
    seqs_udp_bind(&st, h, 0, 9);
    uint8_t data[40], buf[64];
    /* 12-byte record header + 40 = 52 per datagram: one fits, the second not */
    for (int round = 0; round < 10; round++) {
        memset(data, 'a' + round, sizeof data);
        size_t n = f_udp(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 9, data, sizeof data);
        seqs_stack_input(&st, f, n, 1);
        seqs_stack_input(&st, f, n, 1);
        CHECK_EQ(seqs_udp_pending(&st, h), 1);
        seqs_udp_meta_t m;
        CHECK_EQ(seqs_udp_recvfrom(&st, h, buf, round % 2 ? sizeof buf : 10, &m), round % 2 ? 40 : 10);
        CHECK_EQ(m.truncated, round % 2 ? 0 : 1);
        CHECK(memcmp(buf, data, round % 2 ? 40 : 10) == 0);
        /* a small one moves the ring's start around */
        n = f_udp(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 9, "xyz", 3);
        seqs_stack_input(&st, f, n, 1);
        CHECK_EQ(seqs_udp_recvfrom(&st, h, buf, sizeof buf, NULL), 3);
    }
    CHECK_EQ(st.cnt.udp_drop_queue_full, 10);
}

static void test_send_without_address(void) {
    seqs_config_t c;
    seqs_config_default(&c);
    memcpy(c.mac, F_US, 6);
    seqs_stack_init(&st, &c);
    seqs_udp_t h;
    seqs_udp_open(&st, &h, ring, sizeof ring);
    seqs_udp_bind(&st, h, 0, 68);
    CHECK_EQ(seqs_udp_sendto(&st, h, "x", 1, F_PEER_IP, 67), SEQS_ERR_NOADDR);
    /* DHCP: from 0.0.0.0 to the limited broadcast */
    CHECK_EQ(seqs_udp_sendto(&st, h, "d", 1, 0xFFFFFFFFu, 67), 1);
    CHECK_EQ(f_drain(&st, 1, o, 16), 1);
    CHECK_EQ(rd32(o[0].f + 26), 0);
    CHECK_EQ(ref_csum(o[0].f + 34, 9, ref_pseudo(0, 0xFFFFFFFFu, 17, 9)), 0);
}

int main(void) {
    RUN(test_u1_delivery_with_source_and_empty_datagram);
    RUN(test_u2_u3_zero_checksum_accepted_wrong_dropped);
    RUN(test_u4_checksum_computing_to_zero_sent_as_ffff);
    RUN(test_u5_length_rules);
    RUN(test_u6_broadcast_or_multicast_source_dropped);
    RUN(test_u7_wildcard_server_replies_from_request_destination);
    RUN(test_stale_handles_rejected_after_close_and_reuse);
    RUN(test_bind_conflicts_ephemeral_ports_and_slots);
    RUN(test_connected_socket_filters_peer_and_defaults_destination);
    RUN(test_ring_full_truncation_and_wraparound);
    RUN(test_send_without_address);
    return check_result();
}
