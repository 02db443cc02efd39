/* SPDX-License-Identifier: BSD-3-Clause */
/* The transmit queue: FIFO order across the ring's wrap, all-or-nothing
 * queuing of a fragmented datagram, NOBUFS for small caller buffers,
 * deadlines, and byte-identical output for identical inputs and seeds. */
#include "check.h"
#include "frames.h"
#include "internal.h"

static seqs_stack_t st, st2;
static f_out_t o[64];
static uint8_t ring[64];

static void test_fifo_order_survives_wrap(void) {
    f_setup(&st, 1);
    seqs_udp_t h;
    seqs_udp_open(&st, &h, ring, sizeof ring);
    uint8_t data[700];
    uint8_t buf[SEQS_MAX_FRAME];
    uint32_t next_out = 0, next_in = 0;
    /* keep ~5 frames in flight so the ring wraps many times */
    for (int round = 0; round < 200; round++) {
        while (next_in - next_out < 5) {
            memset(data, (int)(next_in & 0xFF), sizeof data);
            wr32(data, next_in);
            size_t len = 300 + (next_in * 37) % 400;
            CHECK_EQ(seqs_udp_sendto(&st, h, data, len, F_PEER_IP, 9), (int)len);
            next_in++;
        }
        int n = seqs_stack_output(&st, buf, sizeof buf, 1);
        CHECK(n > 42);
        CHECK_EQ(rd32(buf + 42), next_out);
        CHECK_EQ(rd16(buf + 38), 8 + 300 + (next_out * 37) % 400);
        next_out++;
    }
}

static void test_full_queue_refuses_whole_datagram_and_counts(void) {
    f_setup(&st, 1);
    seqs_udp_t h;
    seqs_udp_open(&st, &h, ring, sizeof ring);
    static uint8_t big[4000];
    int ok = 0, r;
    while ((r = seqs_udp_sendto(&st, h, big, sizeof big, F_PEER_IP, 9)) == (int)sizeof big)
        ok++;
    CHECK_EQ(r, SEQS_ERR_NOBUFS);
    CHECK_EQ(st.cnt.txq_full, 1);
    CHECK(ok >= 2);
    /* what is queued is whole datagrams: 3 fragments each */
    int n = f_drain(&st, 1, o, 64);
    CHECK_EQ(n, ok * 3);
    CHECK_EQ(st.cnt.ip_frag_tx, (uint32_t)(ok * 3));   /* the refused one counted nothing */
    /* frames too large for the queue at all */
    static uint8_t huge[SEQS_TXQ_BYTES];
    CHECK_EQ(seqs__ip_send(&st, 0, F_PEER_IP, 17, huge, sizeof huge, 0), SEQS_ERR_MSGSIZE);
}

static void test_small_caller_buffer_keeps_frame(void) {
    f_setup(&st, 1);
    size_t n;
    static uint8_t f[128];
    n = f_echo(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 1, "hello", 5);
    seqs_stack_input(&st, f, n, 1);
    uint8_t small[20];
    CHECK_EQ(seqs_stack_output(&st, small, sizeof small, 1), SEQS_ERR_NOBUFS);
    CHECK_EQ(seqs_stack_next_deadline(&st), 1);   /* still pending */
    uint8_t buf[SEQS_MAX_FRAME];
    CHECK_EQ(seqs_stack_output(&st, buf, sizeof buf, 1), (int)n);
    CHECK_EQ(st.cnt.eth_tx, 1 + 1);   /* f_setup's ARP reply + this */
}

static void test_deadline_covers_every_timer(void) {
    f_setup(&st, 1);
    /* ARP retry */
    seqs_udp_t h;
    seqs_udp_open(&st, &h, ring, sizeof ring);
    seqs_udp_sendto(&st, h, "x", 1, SEQS_IP4(192, 0, 2, 77), 9);
    CHECK_EQ(seqs_stack_next_deadline(&st), 0);   /* request queued */
    f_drain(&st, 0, o, 64);
    CHECK_EQ(seqs_stack_next_deadline(&st), F_SEC);
    /* time moves only forward: an earlier "now" is ignored */
    seqs_stack_poll(&st, 5 * F_SEC);
    seqs_stack_poll(&st, 1);
    CHECK_EQ(st.now, 5 * F_SEC);
}

static void test_same_seed_same_frames(void) {
    f_setup(&st, 77);
    f_setup(&st2, 77);
    static uint8_t r1[256], r2[256];
    seqs_udp_t a, b;
    seqs_udp_open(&st, &a, r1, sizeof r1);
    seqs_udp_open(&st2, &b, r2, sizeof r2);
    CHECK_EQ(seqs_udp_sendto(&st, a, "same", 4, F_PEER_IP, 9), 4);
    CHECK_EQ(seqs_udp_sendto(&st2, b, "same", 4, F_PEER_IP, 9), 4);
    uint8_t x[SEQS_MAX_FRAME], y[SEQS_MAX_FRAME];
    int nx = seqs_stack_output(&st, x, sizeof x, 3), ny = seqs_stack_output(&st2, y, sizeof y, 3);
    CHECK_EQ(nx, ny);
    CHECK(nx > 0 && memcmp(x, y, (size_t)nx) == 0);   /* same ephemeral port, same IP ID */
    f_setup(&st2, 78);
    seqs_udp_open(&st2, &b, r2, sizeof r2);
    seqs_udp_sendto(&st2, b, "same", 4, F_PEER_IP, 9);
    ny = seqs_stack_output(&st2, y, sizeof y, 3);
    CHECK(ny == nx && memcmp(x, y, (size_t)nx) != 0);
}

static void test_output_returns_arp_request_queued_by_tcp_output(void) {
    /* TCP's output routes, which starts ARP and queues a request in the txq:
     * the same output() call must hand that request out instead of 0. */
    f_setup(&st, 1);
    static uint8_t rx[256], tx[256];
    seqs_tcp_t c;
    CHECK_EQ(seqs_tcp_connect(&st, &c, SEQS_IP4(192, 0, 2, 77), 80, 0, rx, sizeof rx, tx, sizeof tx), SEQS_OK);
    uint8_t buf[SEQS_MAX_FRAME];
    int n = seqs_stack_output(&st, buf, sizeof buf, 100);
    CHECK_EQ(n, 42);
    CHECK_EQ(rd16(buf + 12), 0x0806);
    CHECK_EQ(rd32(buf + 38), SEQS_IP4(192, 0, 2, 77));
    CHECK_EQ(seqs_stack_output(&st, buf, sizeof buf, 100), 0);
    CHECK(seqs_stack_next_deadline(&st) > 100);
}

int main(void) {
    RUN(test_fifo_order_survives_wrap);
    RUN(test_full_queue_refuses_whole_datagram_and_counts);
    RUN(test_small_caller_buffer_keeps_frame);
    RUN(test_deadline_covers_every_timer);
    RUN(test_same_seed_same_frames);
    RUN(test_output_returns_arp_request_queued_by_tcp_output);
    return check_result();
}
