/* SPDX-License-Identifier: BSD-3-Clause */
/* End-to-end through the frame pump: ARP reply, ICMP echo, UDP sockets,
 * and two instances in one process that do not see each other's state. */
#include "check.h"
#include "frames.h"

static seqs_stack_t st, st2;
static uint8_t out[SEQS_MAX_FRAME];
static uint8_t f[2048];

static void test_arp_request_for_us_gets_unicast_reply(void) {
    f_setup(&st, 1);
    const uint8_t zero[6] = {0};
    size_t n = f_arp(f, F_BCAST, F_PEER2, 1, F_PEER2, F_PEER2_IP, zero, F_ADDR);
    seqs_stack_input(&st, f, n, 10);
    int len = seqs_stack_output(&st, out, sizeof out, 10);
    CHECK_EQ(len, 42);
    CHECK(memcmp(out, F_PEER2, 6) == 0);          /* unicast to the requester */
    CHECK(memcmp(out + 6, F_US, 6) == 0);
    CHECK_EQ(rd16(out + 12), 0x0806);
    CHECK_EQ(rd16(out + 20), 2);                  /* op reply */
    CHECK(memcmp(out + 22, F_US, 6) == 0);        /* sender = us */
    CHECK_EQ(rd32(out + 28), F_ADDR);
    CHECK(memcmp(out + 32, F_PEER2, 6) == 0);     /* target = requester */
    CHECK_EQ(rd32(out + 38), F_PEER2_IP);
    CHECK_EQ(seqs_stack_output(&st, out, sizeof out, 10), 0);
    CHECK_EQ(seqs_stack_counters(&st)->arp_tx_reply, 2);
}

static void test_echo_request_gets_reply_with_same_id_seq_data(void) {
    f_setup(&st, 1);
    const char data[] = "abcdefghijklmnopqrstuvwxyz0123456789!";
    size_t n = f_echo(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 0xBEEF, 7, data, sizeof data);
    seqs_stack_input(&st, f, n, 100);
    int len = seqs_stack_output(&st, out, sizeof out, 100);
    CHECK_EQ(len, (int)n);
    CHECK(memcmp(out, F_PEER, 6) == 0);
    const uint8_t *ip = out + 14, *m = out + 34;
    CHECK_EQ(ip[0], 0x45);
    CHECK_EQ(ref_csum(ip, 20, 0), 0);
    CHECK_EQ(rd16(ip + 2), 8 + sizeof data + 20);
    CHECK_EQ(ip[8], 64);
    CHECK_EQ(ip[9], 1);
    CHECK_EQ(rd32(ip + 12), F_ADDR);
    CHECK_EQ(rd32(ip + 16), F_PEER_IP);
    CHECK_EQ(m[0], 0);
    CHECK_EQ(rd16(m + 4), 0xBEEF);
    CHECK_EQ(rd16(m + 6), 7);
    CHECK(memcmp(m + 8, data, sizeof data) == 0);
    CHECK_EQ(ref_csum(m, 8 + sizeof data, 0), 0);
    CHECK_EQ(seqs_stack_counters(&st)->icmp_tx_echo_reply, 1);
}

static void test_udp_datagram_delivered_and_reply_checksummed(void) {
    f_setup(&st, 1);
    static uint8_t ring[512];
    seqs_udp_t h;
    CHECK_EQ(seqs_udp_open(&st, &h, ring, sizeof ring), SEQS_OK);
    CHECK_EQ(seqs_udp_bind(&st, h, 0, 7), SEQS_OK);
    size_t n = f_udp(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 40000, 7, "hello", 5);
    seqs_stack_input(&st, f, n, 5);
    CHECK_EQ(seqs_udp_pending(&st, h), 1);
    char buf[16];
    seqs_udp_meta_t meta;
    CHECK_EQ(seqs_udp_recvfrom(&st, h, buf, sizeof buf, &meta), 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
    CHECK_EQ(meta.remote_addr, F_PEER_IP);
    CHECK_EQ(meta.remote_port, 40000);
    CHECK_EQ(meta.local_addr, F_ADDR);
    CHECK_EQ(meta.local_port, 7);
    CHECK_EQ(meta.truncated, 0);
    CHECK_EQ(seqs_udp_recvfrom(&st, h, buf, sizeof buf, &meta), SEQS_ERR_AGAIN);
    CHECK_EQ(seqs_udp_sendto(&st, h, "world!", 6, F_PEER_IP, 40000), 6);
    int len = seqs_stack_output(&st, out, sizeof out, 6);
    CHECK_EQ(len, 14 + 20 + 8 + 6);
    const uint8_t *u = out + 34;
    CHECK_EQ(rd16(u), 7);
    CHECK_EQ(rd16(u + 2), 40000);
    CHECK_EQ(rd16(u + 4), 14);
    CHECK(rd16(u + 6) != 0);
    CHECK_EQ(ref_csum(u, 14, ref_pseudo(F_ADDR, F_PEER_IP, 17, 14)), 0);
    CHECK(memcmp(u + 8, "world!", 6) == 0);
    CHECK_EQ(seqs_udp_close(&st, h), SEQS_OK);
}

static void test_two_instances_do_not_interfere(void) {
    f_setup(&st, 1);
    seqs_config_t c;
    seqs_config_default(&c);
    memcpy(c.mac, F_PEER2, 6);
    c.rng_seed = 1;
    CHECK_EQ(seqs_stack_init(&st2, &c), SEQS_OK);
    CHECK_EQ(seqs_stack_set_addr(&st2, F_PEER2_IP, 24, 0, 0), SEQS_OK);
    /* st2 announces; st has nothing pending */
    CHECK(seqs_stack_output(&st2, out, sizeof out, 0) > 0);
    CHECK_EQ(seqs_stack_output(&st, out, sizeof out, 0), 0);
    CHECK_EQ(seqs_stack_addr(&st, NULL, NULL), F_ADDR);
    CHECK_EQ(seqs_stack_addr(&st2, NULL, NULL), F_PEER2_IP);
    /* A frame to st leaves st2's counters alone and vice versa. */
    size_t n = f_echo(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 1, "x", 1);
    uint32_t rx2 = seqs_stack_counters(&st2)->eth_rx;
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(seqs_stack_counters(&st2)->eth_rx, rx2);
    CHECK_EQ(seqs_stack_counters(&st)->icmp_tx_echo_reply, 1);
    CHECK_EQ(seqs_stack_counters(&st2)->icmp_tx_echo_reply, 0);
    /* Same seed, separate generators: the sequences match but do not share state. */
    seqs_stack_t *a = &st, *b = &st2;
    seqs_config_default(&c);
    memcpy(c.mac, F_US, 6);
    c.rng_seed = 99;
    seqs_stack_init(a, &c);
    memcpy(c.mac, F_PEER2, 6);
    seqs_stack_init(b, &c);
    uint32_t a1 = seqs_stack_random(a), a2 = seqs_stack_random(a);
    uint32_t b1 = seqs_stack_random(b);
    CHECK_EQ(a1, b1);
    CHECK(a1 != a2);
    /* UDP sockets and ports are per instance. */
    static uint8_t r1[128], r2[128];
    seqs_udp_t h1, h2;
    CHECK_EQ(seqs_udp_open(a, &h1, r1, sizeof r1), SEQS_OK);
    CHECK_EQ(seqs_udp_open(b, &h2, r2, sizeof r2), SEQS_OK);
    CHECK_EQ(seqs_udp_bind(a, h1, 0, 5000), SEQS_OK);
    CHECK_EQ(seqs_udp_bind(b, h2, 0, 5000), SEQS_OK);
}

static uint32_t fixed_rng(void *ctx) { return ++*(uint32_t *)ctx; }

static void test_caller_rng_is_used(void) {
    uint32_t ctr = 41;
    seqs_config_t c;
    seqs_config_default(&c);
    memcpy(c.mac, F_US, 6);
    c.rng = fixed_rng;
    c.rng_ctx = &ctr;
    CHECK_EQ(seqs_stack_init(&st, &c), SEQS_OK);
    uint32_t before = ctr;
    CHECK_EQ(seqs_stack_random(&st), before + 1);
}

int main(void) {
    RUN(test_arp_request_for_us_gets_unicast_reply);
    RUN(test_echo_request_gets_reply_with_same_id_seq_data);
    RUN(test_udp_datagram_delivered_and_reply_checksummed);
    RUN(test_two_instances_do_not_interfere);
    RUN(test_caller_rng_is_used);
    return check_result();
}
