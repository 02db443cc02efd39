/* SPDX-License-Identifier: BSD-3-Clause */
/* The C socket API: argument checks, error codes, slot limits, generation-
 * counted handles, TIME-WAIT slot reuse. Two stacks through tcp_sim.h. */
#include "check.h"
#include "tcp_sim.h"

static sim_t m;
static uint8_t rx[8][4096], tx[8][4096], pool[8 * 8192];

static void run_ms(uint64_t ms) {
    uint64_t end = m.now + ms * 1000u;
    while (m.now < end && sim_step(&m, end)) {
    }
}

static void test_connect_argument_errors(void) {
    sim_init(&m, 1);
    seqs_tcp_t h = 0;
    CHECK_EQ(seqs_tcp_connect(&m.a, NULL, SIM_B_IP, 80, 0, rx[0], 4096, tx[0], 4096), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_tcp_connect(&m.a, &h, SIM_B_IP, 0, 0, rx[0], 4096, tx[0], 4096), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_tcp_connect(&m.a, &h, SIM_B_IP, 80, 0, NULL, 4096, tx[0], 4096), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_tcp_connect(&m.a, &h, SIM_B_IP, 80, 0, rx[0], 0, tx[0], 4096), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_tcp_connect(&m.a, &h, SEQS_IP4(255, 255, 255, 255), 80, 0, rx[0], 4096, tx[0], 4096),
             SEQS_ERR_INVAL);
    seqs_stack_clear_addr(&m.a);
    CHECK_EQ(seqs_tcp_connect(&m.a, &h, SIM_B_IP, 80, 0, rx[0], 4096, tx[0], 4096), SEQS_ERR_NOADDR);
    CHECK_EQ(h, 0);
}

static void test_listen_errors_and_stale_listener(void) {
    sim_init(&m, 2);
    seqs_tcp_listener_t l, l2;
    CHECK_EQ(seqs_tcp_listen(&m.b, &l, 0, 4, pool, sizeof pool, 4096, 4096), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_tcp_listen(&m.b, &l, 80, 0, pool, sizeof pool, 4096, 4096), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_tcp_listen(&m.b, &l, 80, 4, pool, 100, 4096, 4096), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_tcp_listen(&m.b, &l, 80, 4, pool, sizeof pool, 4096, 4096), SEQS_OK);
    CHECK(l != 0);
    CHECK_EQ(seqs_tcp_listen(&m.b, &l2, 80, 4, pool, sizeof pool, 4096, 4096), SEQS_ERR_INUSE);
    seqs_tcp_t c;
    CHECK_EQ(seqs_tcp_accept(&m.b, l, &c), SEQS_ERR_AGAIN);
    CHECK_EQ(seqs_tcp_listener_close(&m.b, l), SEQS_OK);
    CHECK_EQ(seqs_tcp_listen(&m.b, &l2, 80, 4, pool, sizeof pool, 4096, 4096), SEQS_OK);
    CHECK(l2 != l);                                   /* same slot, new generation */
    CHECK_EQ(seqs_tcp_accept(&m.b, l, &c), SEQS_ERR_BADHANDLE);
    CHECK_EQ(seqs_tcp_listener_close(&m.b, l), SEQS_ERR_BADHANDLE);
    for (int i = 0; i < SEQS_MAX_TCP_LISTENERS - 1; i++)
        CHECK_EQ(seqs_tcp_listen(&m.b, &l, (uint16_t)(81 + i), 1, pool, sizeof pool, 4096, 4096), SEQS_OK);
    CHECK_EQ(seqs_tcp_listen(&m.b, &l, 99, 1, pool, sizeof pool, 4096, 4096), SEQS_ERR_NOSLOT);
}

static void test_stale_connection_handle_after_abort_and_reuse(void) {
    sim_init(&m, 3);
    seqs_tcp_t h1, h2;
    CHECK_EQ(seqs_tcp_connect(&m.a, &h1, SIM_B_IP, 80, 40000, rx[0], 4096, tx[0], 4096), SEQS_OK);
    CHECK_EQ(seqs_tcp_state(&m.a, h1), SEQS_TCP_SYN_SENT);
    CHECK_EQ(seqs_tcp_abort(&m.a, h1), SEQS_OK);
    CHECK_EQ(seqs_tcp_connect(&m.a, &h2, SIM_B_IP, 80, 40000, rx[0], 4096, tx[0], 4096), SEQS_OK);
    CHECK_EQ(h1 & 0xFF, h2 & 0xFF);
    CHECK(h1 != h2);
    char b[4];
    CHECK_EQ(seqs_tcp_state(&m.a, h1), SEQS_ERR_BADHANDLE);
    CHECK_EQ(seqs_tcp_read(&m.a, h1, b, sizeof b), SEQS_ERR_BADHANDLE);
    CHECK_EQ(seqs_tcp_write(&m.a, h1, "x", 1), SEQS_ERR_BADHANDLE);
    CHECK_EQ(seqs_tcp_close(&m.a, h1), SEQS_ERR_BADHANDLE);
    CHECK_EQ(seqs_tcp_abort(&m.a, h1), SEQS_ERR_BADHANDLE);
    CHECK_EQ(seqs_tcp_state(&m.a, 0), SEQS_ERR_BADHANDLE);
    CHECK_EQ(seqs_tcp_state(&m.a, 0xFFFFFFFFu), SEQS_ERR_BADHANDLE);
    CHECK_EQ(seqs_tcp_state(&m.a, h2), SEQS_TCP_SYN_SENT);
    /* the same 4-tuple twice is refused */
    seqs_tcp_t h3;
    CHECK_EQ(seqs_tcp_connect(&m.a, &h3, SIM_B_IP, 80, 40000, rx[1], 4096, tx[1], 4096), SEQS_ERR_INUSE);
}

static void test_slots_exhausted_then_time_wait_slot_reused(void) {
    sim_init(&m, 4);
    seqs_tcp_listener_t l;
    static uint8_t bigpool[8 * 2 * 4096];
    CHECK_EQ(seqs_tcp_listen(&m.b, &l, 80, 8, bigpool, sizeof bigpool, 4096, 4096), SEQS_OK);
    seqs_tcp_t h[SEQS_MAX_TCP_CONNS];
    for (int i = 0; i < SEQS_MAX_TCP_CONNS; i++)
        CHECK_EQ(seqs_tcp_connect(&m.a, &h[i], SIM_B_IP, 80, 0, rx[i], 4096, tx[i], 4096), SEQS_OK);
    seqs_tcp_t extra;
    CHECK_EQ(seqs_tcp_connect(&m.a, &extra, SIM_B_IP, 80, 0, rx[0], 4096, tx[0], 4096), SEQS_ERR_NOSLOT);
    run_ms(50);
    for (int i = 0; i < SEQS_MAX_TCP_CONNS; i++) CHECK_EQ(seqs_tcp_state(&m.a, h[i]), SEQS_TCP_ESTABLISHED);
    /* A closes first: its slot goes to TIME-WAIT and may then be reused */
    seqs_tcp_t srv;
    while (seqs_tcp_accept(&m.b, l, &srv) == SEQS_OK) seqs_tcp_close(&m.b, srv);
    CHECK_EQ(seqs_tcp_close(&m.a, h[0]), SEQS_OK);
    run_ms(50);
    CHECK_EQ(seqs_tcp_state(&m.a, h[0]), SEQS_TCP_TIME_WAIT);   /* the handle lives on through TIME-WAIT */
    /* close every connection from A: they end in TIME-WAIT, each slot still taken */
    for (int i = 1; i < SEQS_MAX_TCP_CONNS; i++) seqs_tcp_close(&m.a, h[i]);
    run_ms(50);
    /* a new connect evicts the TIME-WAIT slot closest to expiry */
    CHECK_EQ(seqs_tcp_connect(&m.a, &extra, SIM_B_IP, 80, 0, rx[0], 4096, tx[0], 4096), SEQS_OK);
    int stale = 0;
    for (int i = 0; i < SEQS_MAX_TCP_CONNS; i++) stale += seqs_tcp_state(&m.a, h[i]) == SEQS_ERR_BADHANDLE;
    CHECK(stale >= 1);
}

static void test_write_read_state_errors(void) {
    sim_init(&m, 5);
    seqs_tcp_listener_t l;
    CHECK_EQ(seqs_tcp_listen(&m.b, &l, 80, 2, pool, sizeof pool, 4096, 4096), SEQS_OK);
    seqs_tcp_t a, b;
    CHECK_EQ(seqs_tcp_connect(&m.a, &a, SIM_B_IP, 80, 0, rx[0], 4096, tx[0], 4096), SEQS_OK);
    char buf[8192];
    CHECK_EQ(seqs_tcp_read(&m.a, a, buf, sizeof buf), SEQS_ERR_AGAIN);
    CHECK_EQ(seqs_tcp_write(&m.a, a, "early", 5), 5);     /* queued in SYN-SENT */
    run_ms(50);
    CHECK_EQ(seqs_tcp_accept(&m.b, l, &b), SEQS_OK);
    CHECK_EQ(seqs_tcp_read(&m.b, b, buf, sizeof buf), 5);
    memset(buf, 'z', sizeof buf);
    CHECK_EQ(seqs_tcp_write(&m.a, a, buf, sizeof buf), 4096);   /* the ring takes what fits */
    CHECK_EQ(seqs_tcp_writable(&m.a, a), 0);
    CHECK_EQ(seqs_tcp_write(&m.a, a, buf, 1), SEQS_ERR_AGAIN);
    CHECK_EQ(seqs_tcp_shutdown(&m.a, a), SEQS_OK);
    CHECK_EQ(seqs_tcp_write(&m.a, a, buf, 1), SEQS_ERR_CLOSED);
    int got = 0, r = SEQS_ERR_AGAIN;
    for (int k = 0; k < 100 && r != 0; k++) {
        run_ms(20);
        while ((r = seqs_tcp_read(&m.b, b, buf, sizeof buf)) > 0) got += r;
    }
    CHECK_EQ(got, 4096);
    CHECK_EQ(r, 0);                                        /* end of stream */
    CHECK_EQ(seqs_tcp_state(&m.b, b), SEQS_TCP_CLOSE_WAIT);
    CHECK_EQ(seqs_tcp_write(&m.b, b, "bye", 3), 3);        /* half-close: B may still send */
    run_ms(100);
    CHECK_EQ(seqs_tcp_read(&m.a, a, buf, sizeof buf), 3);
    seqs_tcp_info_t info;
    CHECK_EQ(seqs_tcp_info(&m.a, a, &info), SEQS_OK);
    CHECK_EQ(info.state, SEQS_TCP_FIN_WAIT_2);
    CHECK_EQ(info.bytes_out, 4101);
    CHECK_EQ(info.bytes_in, 3);
    CHECK(info.srtt_us > 0);
    CHECK_EQ(seqs_tcp_setopt(&m.a, a, 999, 1), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_tcp_close(&m.b, b), SEQS_OK);
    run_ms(100);
    CHECK_EQ(seqs_tcp_state(&m.a, a), SEQS_TCP_TIME_WAIT);
    CHECK_EQ(seqs_tcp_read(&m.a, a, buf, sizeof buf), 0);
    CHECK(strcmp(seqs_tcp_state_name(SEQS_TCP_TIME_WAIT), "TIME_WAIT") == 0);
    CHECK(strcmp(seqs_tcp_state_name(99), "INVALID") == 0);
}

static void test_config_validation(void) {
    sim_init(&m, 6);
    seqs_tcp_config_t c;
    seqs_tcp_get_config(&m.a, &c);
    CHECK_EQ(c.msl_ms, SEQS_TCP_MSL_MS);
    CHECK_EQ(c.rto_init_ms, 1000);
    c.rto_min_ms = 5000;
    c.rto_max_ms = 1000;
    CHECK_EQ(seqs_tcp_set_config(&m.a, &c), SEQS_ERR_INVAL);
    seqs_tcp_get_config(&m.a, &c);
    c.msl_ms = 0;
    CHECK_EQ(seqs_tcp_set_config(&m.a, &c), SEQS_ERR_INVAL);
    c.msl_ms = 500;
    CHECK_EQ(seqs_tcp_set_config(&m.a, &c), SEQS_OK);
}

/* seqs_stack_output() contract: a buffer too small for the pending segment gives
 * SEQS_ERR_NOBUFS and the segment stays pending for a bigger buffer. */
static void test_small_output_buffer_gives_nobufs_and_keeps_segment(void) {
    sim_init(&m, 7);
    seqs_tcp_listener_t l;
    CHECK_EQ(seqs_tcp_listen(&m.b, &l, 80, 2, pool, sizeof pool, 4096, 4096), SEQS_OK);
    seqs_tcp_t a, b;
    CHECK_EQ(seqs_tcp_connect(&m.a, &a, SIM_B_IP, 80, 0, rx[0], 4096, tx[0], 4096), SEQS_OK);
    run_ms(50);
    CHECK_EQ(seqs_tcp_accept(&m.b, l, &b), SEQS_OK);
    CHECK_EQ(seqs_tcp_write(&m.a, a, "payload", 7), 7);
    uint8_t small[40];
    CHECK_EQ(seqs_stack_output(&m.a, small, sizeof small, m.now), SEQS_ERR_NOBUFS);
    CHECK(seqs_stack_next_deadline(&m.a) <= m.now);        /* still pending */
    static uint8_t big[SEQS_MAX_FRAME];
    int n = seqs_stack_output(&m.a, big, sizeof big, m.now);
    CHECK(n > 54);
    seqs_stack_input(&m.b, big, (size_t)n, m.now);
    char got[16];
    CHECK_EQ(seqs_tcp_read(&m.b, b, got, sizeof got), 7);
}

/* A listener whose every place is taken by established connections drops new
 * SYNs (no SYN cookie: its ACK could not be placed and the client would be reset);
 * the client gets in by retrying once a place is free. */
static void test_full_listener_drops_syn_then_client_gets_in_by_retrying(void) {
    sim_init(&m, 8);
    seqs_tcp_listener_t l;
    static uint8_t onepool[2 * 4096];
    CHECK_EQ(seqs_tcp_listen(&m.b, &l, 80, 1, onepool, sizeof onepool, 4096, 4096), SEQS_OK);
    seqs_tcp_t c1, c2, s1, s2;
    CHECK_EQ(seqs_tcp_connect(&m.a, &c1, SIM_B_IP, 80, 0, rx[0], 4096, tx[0], 4096), SEQS_OK);
    run_ms(50);
    CHECK_EQ(seqs_tcp_state(&m.a, c1), SEQS_TCP_ESTABLISHED);
    CHECK_EQ(seqs_tcp_connect(&m.a, &c2, SIM_B_IP, 80, 0, rx[1], 4096, tx[1], 4096), SEQS_OK);
    run_ms(500);
    CHECK_EQ(seqs_tcp_state(&m.a, c2), SEQS_TCP_SYN_SENT);
    CHECK_EQ(seqs_stack_counters(&m.b)->tcp_syncookie_sent, 0);
    CHECK(seqs_stack_counters(&m.b)->tcp_drop_backlog >= 1);
    CHECK_EQ(seqs_tcp_accept(&m.b, l, &s1), SEQS_OK);
    CHECK_EQ(seqs_tcp_close(&m.a, c1), SEQS_OK);
    CHECK_EQ(seqs_tcp_close(&m.b, s1), SEQS_OK);
    run_ms(4000);                                          /* the SYN is retried (1 s, 3 s) */
    CHECK_EQ(seqs_tcp_state(&m.a, c2), SEQS_TCP_ESTABLISHED);
    CHECK_EQ(seqs_tcp_accept(&m.b, l, &s2), SEQS_OK);
    CHECK_EQ(seqs_stack_counters(&m.b)->tcp_tx_rst, 0);
}

int main(void) {
    RUN(test_full_listener_drops_syn_then_client_gets_in_by_retrying);
    RUN(test_small_output_buffer_gives_nobufs_and_keeps_segment);
    RUN(test_connect_argument_errors);
    RUN(test_listen_errors_and_stale_listener);
    RUN(test_stale_connection_handle_after_abort_and_reuse);
    RUN(test_slots_exhausted_then_time_wait_slot_reused);
    RUN(test_write_read_state_errors);
    RUN(test_config_validation);
    return check_result();
}
