/* SPDX-License-Identifier: BSD-3-Clause */
/* TCP under attack and overload (issue 11): two stacks through tcp_sim.h,
 * forged segments built here by independent code (checksums summed by hand).
 * Each test reproduces the attack first (with the defence switched off where
 * the defence is a setting) and then shows the bound. */
#include "check.h"
#include "tcp_sim.h"

static sim_t m;
static uint8_t rx[12][4096], tx[12][4096], pool[8 * 8192];

static void run_ms(uint64_t ms) {
    uint64_t end = m.now + ms * 1000u;
    while (m.now < end && sim_step(&m, end)) {
    }
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s) {
    for (size_t i = 0; i + 1 < n; i += 2) s += (uint32_t)((p[i] << 8) | p[i + 1]);
    if (n & 1) s += (uint32_t)(p[n - 1] << 8);
    return s;
}
static uint16_t fold(uint32_t s) {
    while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
    return (uint16_t)~s;
}
static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v); }

/* Injects into stack B a segment that claims to come from A (a blind or
 * on-path attacker forging A's address). */
static void forge(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags) {
    uint8_t f[14 + 20 + 20];
    memset(f, 0, sizeof f);
    f[0] = 2; f[5] = 0x0b;           /* B's MAC 02:00:00:00:00:0b */
    f[6] = 2; f[11] = 0x0a;          /* A's MAC */
    f[12] = 0x08;
    uint8_t *ip = f + 14, *t = f + 34;
    ip[0] = 0x45;
    put16(ip + 2, 40);
    ip[8] = 64;
    ip[9] = 6;
    put32(ip + 12, SIM_A_IP);
    put32(ip + 16, SIM_B_IP);
    put16(ip + 10, fold(sum16(ip, 20, 0)));
    put16(t, sport);
    put16(t + 2, dport);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = 0x50;
    t[13] = flags;
    put16(t + 14, 8192);
    uint32_t ps = (SIM_A_IP >> 16) + (SIM_A_IP & 0xFFFF) + (SIM_B_IP >> 16) + (SIM_B_IP & 0xFFFF) + 6 + 20;
    put16(t + 16, fold(sum16(t, 20, ps)));
    seqs_stack_input(&m.b, f, sizeof f, m.now);
}

/* Frames B sends now, thrown away (what an attacker's victim would receive). */
static unsigned b_out(void) {
    static uint8_t buf[SEQS_MAX_FRAME];
    unsigned n = 0;
    while (seqs_stack_output(&m.b, buf, sizeof buf, m.now) > 0) n++;
    return n;
}

static seqs_tcp_listener_t lst;

/* A connects to B:80 and B accepts: returns both handles. */
static void open_pair(seqs_tcp_t *ca, seqs_tcp_t *cb, int i) {
    CHECK_EQ(seqs_tcp_connect(&m.a, ca, SIM_B_IP, 80, (uint16_t)(40000 + i), rx[i], 4096, tx[i], 4096), SEQS_OK);
    run_ms(20);
    CHECK_EQ(seqs_tcp_state(&m.a, *ca), SEQS_TCP_ESTABLISHED);
    CHECK_EQ(seqs_tcp_accept(&m.b, lst, cb), SEQS_OK);
}

static void setup(uint64_t seed) {
    sim_init(&m, seed);
    CHECK_EQ(seqs_tcp_listen(&m.b, &lst, 80, 4, pool, sizeof pool, 4096, 4096), SEQS_OK);
}

static int used_conns(const seqs_stack_t *s) {
    int n = 0;
    for (unsigned i = 0; i < s->tcp.max_conns; i++) n += s->tcp.conns[i].used;
    return n;
}

/* Who frees the slot when the peer resets: the application, by close(); the
 * handle stays readable (CLOSED, SEQS_ERR_RESET) until then. */
static void test_peer_reset_slot_is_freed_by_app_close(void) {
    setup(1);
    seqs_tcp_t ca, cb;
    open_pair(&ca, &cb, 0);
    CHECK_EQ(seqs_tcp_abort(&m.a, ca), SEQS_OK);     /* A's RST */
    run_ms(20);
    CHECK_EQ(seqs_tcp_state(&m.b, cb), SEQS_TCP_CLOSED);
    CHECK_EQ(seqs_tcp_read(&m.b, cb, rx[1], 10), SEQS_ERR_RESET);
    CHECK_EQ(used_conns(&m.b), 1);                     /* still ours */
    run_ms(600000);
    CHECK_EQ(used_conns(&m.b), 1);                     /* reclaim is off by default */
    CHECK_EQ(seqs_tcp_close(&m.b, cb), SEQS_OK);
    CHECK_EQ(used_conns(&m.b), 0);
    CHECK_EQ(seqs_tcp_state(&m.b, cb), SEQS_ERR_BADHANDLE);
}

/* The safety net: with closed_reclaim_ms set, a CLOSED connection the
 * application never closes is released after the grace time, and counted. */
static void test_closed_connection_never_closed_is_reclaimed_after_grace(void) {
    setup(2);
    seqs_tcp_config_t cfg;
    seqs_tcp_get_config(&m.b, &cfg);
    cfg.closed_reclaim_ms = 10000;
    CHECK_EQ(seqs_tcp_set_config(&m.b, &cfg), SEQS_OK);
    for (int i = 0; i < 4; i++) {     /* connect-then-RST, the application never closes */
        seqs_tcp_t ca, cb;
        open_pair(&ca, &cb, i);
        CHECK_EQ(seqs_tcp_abort(&m.a, ca), SEQS_OK);
        run_ms(20);
        CHECK_EQ(seqs_tcp_state(&m.b, cb), SEQS_TCP_CLOSED);
    }
    CHECK_EQ(used_conns(&m.b), 4);
    run_ms(9000);
    CHECK_EQ(used_conns(&m.b), 4);
    run_ms(2000);
    CHECK_EQ(used_conns(&m.b), 0);
    CHECK_EQ(seqs_stack_counters(&m.b)->tcp_conn_reclaimed, 4);
}

/* The loop of issue 11: a forged exact-sequence RST kills B's side; a forged
 * SYN with A's 4-tuple puts B's listener in SYN-RECEIVED; B's SYN-ACK is out
 * of A's window, A's ACK out of B's: each answers the other. Returns the
 * frames exchanged in `ms` after the SYN. */
static uint64_t ack_loop_frames(uint32_t ratelimit_ms, uint64_t ms, int *b_state_after) {
    setup(3);
    seqs_tcp_config_t cfg;
    seqs_tcp_get_config(&m.a, &cfg);
    cfg.invalid_ratelimit_ms = ratelimit_ms;
    CHECK_EQ(seqs_tcp_set_config(&m.a, &cfg), SEQS_OK);
    CHECK_EQ(seqs_tcp_set_config(&m.b, &cfg), SEQS_OK);
    seqs_tcp_t ca, cb;
    open_pair(&ca, &cb, 0);
    seqs_tcp_info_t ib;
    CHECK_EQ(seqs_tcp_info(&m.b, cb, &ib), SEQS_OK);
    forge(40000, 80, ib.rcv_nxt, 0, 0x04);          /* RST at RCV.NXT: accepted */
    CHECK_EQ(seqs_tcp_state(&m.b, cb), SEQS_TCP_CLOSED);
    CHECK_EQ(seqs_tcp_close(&m.b, cb), SEQS_OK);     /* the application does its part */
    forge(40000, 80, ib.rcv_nxt + 0x40000000u, 0, 0x02);   /* SYN far from A's sequence */
    uint64_t f0 = m.frames;
    run_ms(ms);
    *b_state_after = used_conns(&m.b);
    CHECK_EQ(seqs_tcp_state(&m.a, ca), SEQS_TCP_ESTABLISHED);   /* the forgery did not kill A */
    return m.frames - f0;
}

static void test_ack_loop_after_forged_rst_and_syn_ends_within_bounded_frames(void) {
    int used;
    /* reproduced: without the limit two stacks ACK each other at link speed */
    uint64_t loop = ack_loop_frames(0, 2000, &used);
    CHECK(loop > 1000);
    /* with the default (500 ms per connection) it stops at once, and each
     * SYN-ACK retransmission (1, 3, 7, 15 s) costs at most 3 frames until B
     * gives the half-open entry up */
    uint64_t bounded = ack_loop_frames(500, 60000, &used);
    printf("  ack loop: %llu frames in 2 s without the limit, %llu in 60 s with it\n", (unsigned long long)loop,
           (unsigned long long)bounded);
    CHECK(bounded <= 20);
    CHECK_EQ(used, 0);                                 /* B is back to its listener */
    CHECK(seqs_stack_counters(&m.b)->tcp_oow_ratelimited + seqs_stack_counters(&m.a)->tcp_oow_ratelimited >= 1);
}

/* Amplification: N blind out-of-window segments (pure ACKs and SYNs) to a
 * live connection over 1 s get at most 1 s / 500 ms + 1 replies (+ the
 * RFC 5961 challenge ACK limit for in-window SYNs); the connection lives. */
static unsigned blind(uint32_t ratelimit_ms) {
    setup(4);
    seqs_tcp_config_t cfg;
    seqs_tcp_get_config(&m.b, &cfg);
    cfg.invalid_ratelimit_ms = ratelimit_ms;
    CHECK_EQ(seqs_tcp_set_config(&m.b, &cfg), SEQS_OK);
    seqs_tcp_t ca, cb;
    open_pair(&ca, &cb, 0);
    seqs_tcp_info_t ib;
    CHECK_EQ(seqs_tcp_info(&m.b, cb, &ib), SEQS_OK);
    unsigned out = 0;
    uint64_t rng = 12345;
    for (int i = 0; i < 5000; i++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t seq = ib.rcv_nxt + 0x100000u + (uint32_t)(rng >> 40);   /* beyond the window */
        forge(40000, 80, seq, ib.snd_nxt, (i % 3 == 0) ? 0x02 : 0x10);
        out += b_out();
        m.now += 200;                                  /* 5,000 segments in 1 s */
    }
    CHECK_EQ(seqs_stack_counters(&m.b)->tcp_drop_unacceptable, 5000);
    /* the real peer is unaffected */
    CHECK_EQ(seqs_tcp_write(&m.a, ca, "hello", 5), 5);
    run_ms(50);
    CHECK_EQ(seqs_tcp_read(&m.b, cb, rx[1], 10), 5);
    return out;
}

static void test_blind_segments_get_at_most_the_limit_of_replies(void) {
    unsigned before = blind(0);                        /* reproduced: one ACK per segment */
    CHECK_EQ(before, 5000);
    unsigned out = blind(500);
    printf("  blind: 5000 segments in, %u replies out without the limit, %u with it\n", before, out);
    CHECK(out <= 3);
    CHECK(seqs_stack_counters(&m.b)->tcp_oow_ratelimited >= 4997);
}

/* Slowloris: twice as many idle clients as B has places (3: its pool); with a
 * 2 s handshake timeout and a 3 s idle timeout the idle ones are reset, and a
 * real client that keeps retrying gets served within a bound. */
static uint64_t slowloris(uint32_t handshake_ms, uint32_t idle_ms) {
    sim_init(&m, 5);
    CHECK_EQ(seqs_tcp_listen(&m.b, &lst, 80, 3, pool, 3 * 8192, 4096, 4096), SEQS_OK);
    CHECK_EQ(seqs_tcp_listener_set_timeouts(&m.b, lst, handshake_ms, idle_ms), SEQS_OK);
    seqs_tcp_t idle[6], acc[12];
    unsigned nacc = 0;
    for (int i = 0; i < 6; i++)
        CHECK_EQ(seqs_tcp_connect(&m.a, &idle[i], SIM_B_IP, 80, (uint16_t)(41000 + i), rx[i], 4096, tx[i], 4096),
                 SEQS_OK);
    run_ms(500);
    seqs_tcp_t real;
    CHECK_EQ(seqs_tcp_connect(&m.a, &real, SIM_B_IP, 80, 42000, rx[7], 4096, tx[7], 4096), SEQS_OK);
    uint64_t t0 = m.now, served_at = 0;
    int written = 0;
    while (m.now - t0 < 60000000u && !served_at) {
        run_ms(10);
        seqs_tcp_t h;
        while (seqs_tcp_accept(&m.b, lst, &h) == SEQS_OK && nacc < 12) acc[nacc++] = h;   /* B accepts all */
        if (!written && seqs_tcp_state(&m.a, real) == SEQS_TCP_ESTABLISHED)
            written = seqs_tcp_write(&m.a, real, "GET", 3) == 3;
        for (unsigned k = 0; k < nacc; k++) {          /* B's application: echo what comes */
            uint8_t b[16];
            int n = seqs_tcp_read(&m.b, acc[k], b, sizeof b);
            if (n > 0) seqs_tcp_write(&m.b, acc[k], b, (size_t)n);
            if (n < 0 && n != SEQS_ERR_AGAIN) seqs_tcp_close(&m.b, acc[k]);
        }
        uint8_t r[8];
        if (written && seqs_tcp_read(&m.a, real, r, sizeof r) == 3) served_at = m.now;
    }
    return served_at ? served_at - t0 : 0;
}

static void test_slowloris_idle_clients_then_real_client_served(void) {
    CHECK_EQ(slowloris(0, 0), 0);                      /* reproduced: never served in 60 s */
    uint64_t t = slowloris(2000, 3000);
    const seqs_counters_t *cnt = seqs_stack_counters(&m.b);
    printf("  slowloris: real client served after %.1f s; idle timeouts %u, handshake timeouts %u\n",
           (double)t / 1e6, (unsigned)cnt->tcp_idle_timeout, (unsigned)cnt->tcp_handshake_timeout);
    CHECK(t != 0);
    CHECK(t < 30000000u);
    CHECK(cnt->tcp_idle_timeout >= 3);                /* the counters say why they were closed */
}

/* The idle timeout is off by default: a quiet connection lives on. */
static void test_idle_timeout_off_by_default(void) {
    setup(6);
    seqs_tcp_t ca, cb;
    open_pair(&ca, &cb, 0);
    run_ms(3600000);
    CHECK_EQ(seqs_tcp_state(&m.b, cb), SEQS_TCP_ESTABLISHED);
    CHECK_EQ(seqs_stack_counters(&m.b)->tcp_idle_timeout, 0);
}

int main(void) {
    RUN(test_peer_reset_slot_is_freed_by_app_close);
    RUN(test_closed_connection_never_closed_is_reclaimed_after_grace);
    RUN(test_ack_loop_after_forged_rst_and_syn_ends_within_bounded_frames);
    RUN(test_blind_segments_get_at_most_the_limit_of_replies);
    RUN(test_slowloris_idle_clients_then_real_client_served);
    RUN(test_idle_timeout_off_by_default);
    return check_result();
}
