/* SPDX-License-Identifier: BSD-3-Clause */
/* The pure TCP control block against the RFC 9293 figures and the RFC 5961
 * rules: every test drives seqs__tcb_input() with hand-made segments. */
#include "check.h"
#include "tcp/tcb.h"

static seqs__tcb_t t;
static seqs__tcb_out_t o;

static seqs__seg_t seg(uint32_t seq, uint32_t ack, uint8_t flags, uint32_t len, uint32_t wnd) {
    seqs__seg_t g = {seq, ack, len, wnd, flags};
    return g;
}
static void in(uint32_t seq, uint32_t ack, uint8_t flags, uint32_t len) {
    seqs__seg_t g = seg(seq, ack, flags, len, 1000);
    seqs__tcb_input(&t, &g, &o);
}

/* TCP A (ISS 100) to TCP B (ISS 300), RFC 9293 figure 6. */
static void established_a(uint32_t iss, uint32_t irs) {
    memset(&t, 0, sizeof t);
    seqs__tcb_connect(&t, iss);
    seqs__tcb_sent(&t, iss, 0, TCP_SYN);
    t.rcv_wnd = 1000;
    in(irs, iss + 1, TCP_SYN | TCP_ACK, 0);
}

static void test_active_open_figure6(void) {
    memset(&t, 0, sizeof t);
    seqs__tcb_connect(&t, 100);
    CHECK_EQ(t.state, SEQS_TCP_SYN_SENT);
    seqs__tcb_sent(&t, 100, 0, TCP_SYN);
    CHECK_EQ(t.snd_nxt, 101);
    t.rcv_wnd = 1000;
    in(300, 101, TCP_SYN | TCP_ACK, 0);
    CHECK_EQ(t.state, SEQS_TCP_ESTABLISHED);
    CHECK(o.act & TCB_ESTABLISHED);
    CHECK(o.act & TCB_ACK);
    CHECK_EQ(t.rcv_nxt, 301);
    CHECK_EQ(t.snd_una, 101);
    CHECK_EQ(t.irs, 300);
}

static void test_passive_open_syn_received_to_established(void) {
    memset(&t, 0, sizeof t);
    seqs__tcb_accept_syn(&t, 300, 100, 5000);
    CHECK_EQ(t.state, SEQS_TCP_SYN_RECEIVED);
    CHECK_EQ(t.rcv_nxt, 101);
    seqs__tcb_sent(&t, 300, 0, TCP_SYN | TCP_ACK);
    t.rcv_wnd = 1000;
    in(101, 301, TCP_ACK, 0);
    CHECK_EQ(t.state, SEQS_TCP_ESTABLISHED);
    CHECK(o.act & TCB_ESTABLISHED);
    CHECK_EQ(o.acked, 0);       /* the SYN is not data */
    CHECK_EQ(t.snd_una, 301);
}

static void test_syn_received_unacceptable_ack_gets_rst(void) {
    memset(&t, 0, sizeof t);
    seqs__tcb_accept_syn(&t, 300, 100, 5000);
    seqs__tcb_sent(&t, 300, 0, TCP_SYN | TCP_ACK);
    t.rcv_wnd = 1000;
    in(101, 999, TCP_ACK, 0);
    CHECK(o.act & TCB_RST);
    CHECK_EQ(o.rst_seq, 999);
    CHECK_EQ(t.state, SEQS_TCP_SYN_RECEIVED);
}

static void test_syn_received_rst_returns_to_listen(void) {
    memset(&t, 0, sizeof t);
    seqs__tcb_accept_syn(&t, 300, 100, 5000);
    seqs__tcb_sent(&t, 300, 0, TCP_SYN | TCP_ACK);
    t.rcv_wnd = 1000;
    in(101, 0, TCP_RST, 0);
    CHECK(o.act & TCB_LISTEN);
    CHECK_EQ(t.state, SEQS_TCP_CLOSED);
}

static void test_simultaneous_open_figure8(void) {
    memset(&t, 0, sizeof t);
    seqs__tcb_connect(&t, 100);
    seqs__tcb_sent(&t, 100, 0, TCP_SYN);
    t.rcv_wnd = 1000;
    in(300, 0, TCP_SYN, 0);                       /* crossing SYN */
    CHECK_EQ(t.state, SEQS_TCP_SYN_RECEIVED);
    CHECK(o.act & TCB_SYNACK);
    CHECK_EQ(t.rcv_nxt, 301);
    in(300, 101, TCP_SYN | TCP_ACK, 0);           /* the peer's SYN-ACK */
    CHECK_EQ(t.state, SEQS_TCP_ESTABLISHED);
    CHECK(o.act & TCB_ESTABLISHED);
}

static void test_simultaneous_open_plain_ack_completes(void) {
    memset(&t, 0, sizeof t);
    seqs__tcb_connect(&t, 100);
    seqs__tcb_sent(&t, 100, 0, TCP_SYN);
    t.rcv_wnd = 1000;
    in(300, 0, TCP_SYN, 0);
    in(301, 101, TCP_ACK, 0);
    CHECK_EQ(t.state, SEQS_TCP_ESTABLISHED);
}

static void test_syn_sent_bad_ack_gets_rst_and_stays(void) {
    memset(&t, 0, sizeof t);
    seqs__tcb_connect(&t, 100);
    seqs__tcb_sent(&t, 100, 0, TCP_SYN);
    in(300, 5000, TCP_SYN | TCP_ACK, 0);
    CHECK(o.act & TCB_RST);
    CHECK_EQ(o.rst_seq, 5000);
    CHECK_EQ(o.rst_flags, TCP_RST);
    CHECK_EQ(t.state, SEQS_TCP_SYN_SENT);
    in(300, 100, TCP_ACK, 0);           /* ACK == ISS is unacceptable too */
    CHECK(o.act & TCB_RST);
}

static void test_syn_sent_rst_with_acceptable_ack_refuses(void) {
    memset(&t, 0, sizeof t);
    seqs__tcb_connect(&t, 100);
    seqs__tcb_sent(&t, 100, 0, TCP_SYN);
    in(0, 101, TCP_RST | TCP_ACK, 0);
    CHECK(o.act & TCB_RESET);
    CHECK_EQ(o.err, SEQS_ERR_REFUSED);
    CHECK_EQ(t.state, SEQS_TCP_CLOSED);
}

static void test_syn_sent_rst_without_ack_ignored(void) {
    memset(&t, 0, sizeof t);
    seqs__tcb_connect(&t, 100);
    seqs__tcb_sent(&t, 100, 0, TCP_SYN);
    in(0, 0, TCP_RST, 0);
    CHECK(!(o.act & (TCB_RESET | TCB_RST)));
    CHECK_EQ(t.state, SEQS_TCP_SYN_SENT);
    in(0, 0, TCP_FIN, 0);               /* FIN in SYN-SENT: ignored */
    CHECK_EQ(t.state, SEQS_TCP_SYN_SENT);
}

static void test_rst_exact_resets(void) {
    established_a(100, 300);
    in(301, 0, TCP_RST, 0);
    CHECK(o.act & TCB_RESET);
    CHECK_EQ(o.err, SEQS_ERR_RESET);
    CHECK_EQ(t.state, SEQS_TCP_CLOSED);
}

static void test_rst_in_window_but_not_exact_gets_challenge_ack(void) {
    established_a(100, 300);
    in(400, 0, TCP_RST, 0);
    CHECK(o.act & TCB_CHALLENGE);
    CHECK_EQ(t.state, SEQS_TCP_ESTABLISHED);
}

static void test_rst_outside_window_dropped_silently(void) {
    established_a(100, 300);
    in(301 + 5000, 0, TCP_RST, 0);
    CHECK_EQ(o.act & (TCB_CHALLENGE | TCB_ACK | TCB_RESET), 0);
    CHECK_EQ(t.state, SEQS_TCP_ESTABLISHED);
}

static void test_syn_in_established_gets_challenge_ack(void) {
    established_a(100, 300);
    in(301, 0, TCP_SYN, 0);
    CHECK(o.act & TCB_CHALLENGE);
    CHECK_EQ(t.state, SEQS_TCP_ESTABLISHED);
    in(50, 0, TCP_SYN, 0);              /* out of window: plain ACK */
    CHECK(o.act & TCB_ACK);
    CHECK_EQ(t.state, SEQS_TCP_ESTABLISHED);
}

static void test_ack_beyond_snd_nxt_dropped_with_ack(void) {
    established_a(100, 300);
    in(301, 200, TCP_ACK, 10);
    CHECK(o.act & TCB_CHALLENGE);
    CHECK(o.act & TCB_DROP);
    CHECK_EQ(o.data_len, 0);
    CHECK_EQ(t.rcv_nxt, 301);
}

static void test_ack_older_than_max_window_dropped(void) {
    established_a(100, 300);
    t.max_snd_wnd = 1000;
    in(301, 101 - 2000, TCP_ACK, 10);
    CHECK(o.act & TCB_CHALLENGE);
    CHECK_EQ(t.rcv_nxt, 301);
}

static void test_segment_without_ack_flag_dropped(void) {
    established_a(100, 300);
    in(301, 0, TCP_PSH, 10);
    CHECK(o.act & TCB_DROP);
    CHECK_EQ(o.data_len, 0);
    CHECK_EQ(t.rcv_nxt, 301);
}

static void test_out_of_window_data_gets_ack_not_rst(void) {
    established_a(100, 300);
    in(301 + 4000, 101, TCP_ACK, 10);
    CHECK(o.act & TCB_ACK);
    CHECK(!(o.act & TCB_RST));
    CHECK_EQ(o.data_len, 0);
}

static void test_in_order_data_advances_rcv_nxt(void) {
    established_a(100, 300);
    in(301, 101, TCP_ACK | TCP_PSH, 100);
    CHECK_EQ(o.data_len, 100);
    CHECK_EQ(o.data_off, 0);
    CHECK_EQ(t.rcv_nxt, 401);
}

static void test_partial_duplicate_trimmed(void) {
    established_a(100, 300);
    in(301, 101, TCP_ACK, 100);
    in(351, 101, TCP_ACK, 100);         /* 50 old + 50 new */
    CHECK_EQ(o.data_off, 50);
    CHECK_EQ(o.data_len, 50);
    CHECK_EQ(t.rcv_nxt, 451);
}

static void test_segment_beyond_window_trimmed(void) {
    established_a(100, 300);
    in(301 + 900, 101, TCP_ACK | TCP_FIN, 200);   /* window 1000: 100 bytes fit */
    CHECK(o.act & TCB_OOO);
    CHECK_EQ(o.data_len, 100);
    CHECK_EQ(o.fin, 0);                 /* the FIN was beyond the window */
}

static void test_out_of_order_fin_waits_for_hole(void) {
    established_a(100, 300);
    in(311, 101, TCP_ACK | TCP_FIN, 10);
    CHECK(o.act & TCB_OOO);
    CHECK_EQ(o.fin, 1);
    CHECK_EQ(t.state, SEQS_TCP_ESTABLISHED);
    CHECK_EQ(t.rcv_nxt, 301);
    in(301, 101, TCP_ACK, 10);
    CHECK_EQ(t.rcv_nxt, 311);
    seqs__tcb_out_t o2;
    memset(&o2, 0, sizeof o2);
    seqs__tcb_rcv_advance(&t, 10, 1, &o2);
    CHECK(o2.act & TCB_FIN_IN);
    CHECK_EQ(t.rcv_nxt, 322);
    CHECK_EQ(t.state, SEQS_TCP_CLOSE_WAIT);
}

static void test_passive_close(void) {
    established_a(100, 300);
    in(301, 101, TCP_ACK | TCP_FIN, 0);
    CHECK(o.act & TCB_FIN_IN);
    CHECK(o.act & TCB_ACK);
    CHECK_EQ(t.state, SEQS_TCP_CLOSE_WAIT);
    CHECK_EQ(seqs__tcb_close(&t), 0);
    CHECK_EQ(t.state, SEQS_TCP_LAST_ACK);
    seqs__tcb_sent(&t, 101, 0, TCP_FIN | TCP_ACK);
    in(302, 102, TCP_ACK, 0);
    CHECK(o.act & TCB_CLOSED);
    CHECK_EQ(t.state, SEQS_TCP_CLOSED);
}

static void test_active_close_figure12(void) {
    established_a(100, 300);
    seqs__tcb_close(&t);
    CHECK_EQ(t.state, SEQS_TCP_FIN_WAIT_1);
    seqs__tcb_sent(&t, 101, 0, TCP_FIN | TCP_ACK);
    in(301, 102, TCP_ACK, 0);
    CHECK_EQ(t.state, SEQS_TCP_FIN_WAIT_2);
    CHECK(o.act & TCB_FIN_WAIT_2);
    in(301, 102, TCP_ACK | TCP_FIN, 0);
    CHECK_EQ(t.state, SEQS_TCP_TIME_WAIT);
    CHECK(o.act & TCB_TIME_WAIT);
    CHECK(o.act & TCB_ACK);
}

static void test_fin_ack_together_goes_straight_to_time_wait(void) {
    established_a(100, 300);
    seqs__tcb_close(&t);
    seqs__tcb_sent(&t, 101, 0, TCP_FIN | TCP_ACK);
    in(301, 102, TCP_ACK | TCP_FIN, 0);
    CHECK_EQ(t.state, SEQS_TCP_TIME_WAIT);
}

static void test_simultaneous_close_figure13(void) {
    established_a(100, 300);
    seqs__tcb_close(&t);
    seqs__tcb_sent(&t, 101, 0, TCP_FIN | TCP_ACK);
    in(301, 101, TCP_ACK | TCP_FIN, 0);   /* peer's FIN, our FIN not yet acked */
    CHECK_EQ(t.state, SEQS_TCP_CLOSING);
    in(302, 102, TCP_ACK, 0);
    CHECK_EQ(t.state, SEQS_TCP_TIME_WAIT);
    CHECK(o.act & TCB_TIME_WAIT);
}

static void test_time_wait_fin_retransmission_reacked_and_timer_restarts(void) {
    test_active_close_figure12();
    in(301, 102, TCP_ACK | TCP_FIN, 0);
    CHECK(o.act & TCB_ACK);
    CHECK(o.act & TCB_TIME_WAIT);
    CHECK_EQ(t.state, SEQS_TCP_TIME_WAIT);
}

static void test_time_wait_rst_ignored(void) {
    test_active_close_figure12();
    in(302, 0, TCP_RST, 0);
    CHECK_EQ(t.state, SEQS_TCP_TIME_WAIT);
    CHECK(!(o.act & (TCB_RESET | TCB_CLOSED)));
}

static void test_time_wait_new_syn_may_reopen(void) {
    test_active_close_figure12();
    t.rcv_wnd = 1000;
    in(302 + 100, 0, TCP_SYN, 0);
    CHECK(o.act & TCB_TW_SYN);
}

static void test_old_segment_cannot_shrink_window(void) {
    established_a(100, 300);
    seqs__seg_t g = seg(301, 101, TCP_ACK, 0, 5000);
    seqs__tcb_input(&t, &g, &o);
    CHECK_EQ(t.snd_wnd, 5000);
    g = seg(301, 101, TCP_ACK, 10, 6000);
    seqs__tcb_input(&t, &g, &o);        /* newer: WL1 advances */
    CHECK_EQ(t.snd_wnd, 6000);
    g = seg(311, 101, TCP_ACK, 0, 7000);
    seqs__tcb_input(&t, &g, &o);
    CHECK_EQ(t.snd_wnd, 7000);
    CHECK_EQ(t.snd_wl1, 311);
    g = seg(301, 101, TCP_ACK, 20, 10); /* acceptable (half new) but older than WL1 */
    seqs__tcb_input(&t, &g, &o);
    CHECK_EQ(o.data_len, 10);
    CHECK_EQ(t.snd_wnd, 7000);
}

static void test_window_scale_applied_after_syn(void) {
    memset(&t, 0, sizeof t);
    t.snd_shift = 3;
    seqs__tcb_connect(&t, 100);
    seqs__tcb_sent(&t, 100, 0, TCP_SYN);
    t.rcv_wnd = 1000;
    seqs__seg_t g = seg(300, 101, TCP_SYN | TCP_ACK, 0, 1000);
    seqs__tcb_input(&t, &g, &o);
    CHECK_EQ(t.snd_wnd, 1000);          /* SYN window never scaled */
    g = seg(301, 101, TCP_ACK, 0, 1000);
    seqs__tcb_input(&t, &g, &o);
    CHECK_EQ(t.snd_wnd, 8000);
}

static void test_zero_window_still_processes_ack_and_acks(void) {
    established_a(100, 300);
    seqs__tcb_sent(&t, 101, 50, TCP_ACK);
    t.rcv_wnd = 0;
    in(301, 151, TCP_ACK, 1);           /* a probe carrying one byte */
    CHECK(o.act & TCB_ACK);
    CHECK_EQ(o.acked, 50);
    CHECK_EQ(o.data_len, 0);
    CHECK_EQ(t.rcv_nxt, 301);
}

static void test_duplicate_ack_detected(void) {
    established_a(100, 300);
    seqs__tcb_sent(&t, 101, 500, TCP_ACK);
    in(301, 101, TCP_ACK, 0);
    CHECK(o.act & TCB_DUPACK);
    in(301, 201, TCP_ACK, 0);
    CHECK(!(o.act & TCB_DUPACK));
    CHECK_EQ(o.acked, 100);
}

static void test_sequence_wraparound(void) {
    established_a(0xFFFFFFF0u, 0xFFFFFFFAu);
    CHECK_EQ(t.state, SEQS_TCP_ESTABLISHED);
    CHECK_EQ(t.rcv_nxt, 0xFFFFFFFBu);
    in(0xFFFFFFFBu, 0xFFFFFFF1u, TCP_ACK, 20);     /* crosses 2^32 */
    CHECK_EQ(o.data_len, 20);
    CHECK_EQ(t.rcv_nxt, 0x0000000Fu);
    seqs__tcb_sent(&t, 0xFFFFFFF1u, 40, TCP_ACK);
    CHECK_EQ(t.snd_nxt, 0x00000019u);
    in(0x0000000Fu, 0x00000019u, TCP_ACK, 0);
    CHECK_EQ(o.acked, 40);
    seqs__tcb_close(&t);
    seqs__tcb_sent(&t, 0x19u, 0, TCP_FIN | TCP_ACK);
    in(0x0000000Fu, 0x1Au, TCP_ACK | TCP_FIN, 0);
    CHECK_EQ(t.state, SEQS_TCP_TIME_WAIT);
}

int main(void) {
    RUN(test_active_open_figure6);
    RUN(test_passive_open_syn_received_to_established);
    RUN(test_syn_received_unacceptable_ack_gets_rst);
    RUN(test_syn_received_rst_returns_to_listen);
    RUN(test_simultaneous_open_figure8);
    RUN(test_simultaneous_open_plain_ack_completes);
    RUN(test_syn_sent_bad_ack_gets_rst_and_stays);
    RUN(test_syn_sent_rst_with_acceptable_ack_refuses);
    RUN(test_syn_sent_rst_without_ack_ignored);
    RUN(test_rst_exact_resets);
    RUN(test_rst_in_window_but_not_exact_gets_challenge_ack);
    RUN(test_rst_outside_window_dropped_silently);
    RUN(test_syn_in_established_gets_challenge_ack);
    RUN(test_ack_beyond_snd_nxt_dropped_with_ack);
    RUN(test_ack_older_than_max_window_dropped);
    RUN(test_segment_without_ack_flag_dropped);
    RUN(test_out_of_window_data_gets_ack_not_rst);
    RUN(test_in_order_data_advances_rcv_nxt);
    RUN(test_partial_duplicate_trimmed);
    RUN(test_segment_beyond_window_trimmed);
    RUN(test_out_of_order_fin_waits_for_hole);
    RUN(test_passive_close);
    RUN(test_active_close_figure12);
    RUN(test_fin_ack_together_goes_straight_to_time_wait);
    RUN(test_simultaneous_close_figure13);
    RUN(test_time_wait_fin_retransmission_reacked_and_timer_restarts);
    RUN(test_time_wait_rst_ignored);
    RUN(test_time_wait_new_syn_may_reopen);
    RUN(test_old_segment_cannot_shrink_window);
    RUN(test_window_scale_applied_after_syn);
    RUN(test_zero_window_still_processes_ack_and_acks);
    RUN(test_duplicate_ack_detected);
    RUN(test_sequence_wraparound);
    return check_result();
}
