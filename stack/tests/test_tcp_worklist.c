/* SPDX-License-Identifier: BSD-3-Clause */
/* What issue 10 changed in stack/src/tcp/tcp.c: the 4-tuple hash (chains
 * that survive releases in any order), the work list (output and deadlines
 * see every connection that has something to do, and an idle stack reaches
 * "no deadline"), and the 64-bit time division without libgcc's uldivmod. */
#include "check.h"
#include "tcp_sim.h"
#include "tcp/tcp_int.h"

static sim_t m;
static uint8_t rx[SEQS_MAX_TCP_CONNS][2048], tx[SEQS_MAX_TCP_CONNS][2048];
static uint8_t pool[SEQS_MAX_TCP_CONNS * 4096];

static void run_ms(uint64_t ms) {
    uint64_t end = m.now + ms * 1000u;
    while (m.now < end && sim_step(&m, end)) {
    }
}

static void test_div16_matches_64bit_division(void) {
    uint64_t x = 0x9E3779B97F4A7C15ull;
    static const uint32_t ds[] = {1u, 3u, 1000u, 15625u, 65535u};
    for (unsigned i = 0; i < 200000u; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t n = x >> (i % 64u);
        uint32_t d = ds[i % 5u];
        CHECK_EQ(seqs__tcp_div16(n, d), (uint32_t)(n / d));
    }
    CHECK_EQ(seqs__tcp_div16(UINT64_MAX, 1000u), (uint32_t)(UINT64_MAX / 1000u));
    CHECK_EQ(seqs__tcp_div16(999u, 1000u), 0u);
}

/* Every slot in use (the hash buckets then hold chains), connections closed
 * in a scattered order and reopened: each byte still reaches its own
 * connection, and once idle neither stack has a deadline left. */
static void test_hash_chains_and_idle_deadline(void) {
    sim_init(&m, 77);
    seqs_tcp_listener_t l;
    CHECK_EQ(seqs_tcp_listen(&m.b, &l, 80, SEQS_MAX_TCP_CONNS, pool, sizeof pool, 2048, 2048), SEQS_OK);
    enum { N = SEQS_MAX_TCP_CONNS };
    seqs_tcp_t ca[N], cb[N];
    for (int round = 0; round < 3; round++) {
        for (unsigned i = 0; i < N; i++) {
            if (round && (i * 5u + (unsigned)round) % 3u != 0u) continue;   /* only the ones closed below */
            CHECK_EQ(seqs_tcp_connect(&m.a, &ca[i], SIM_B_IP, 80, (uint16_t)(40000u + i + 100u * (unsigned)round),
                                      rx[i], sizeof rx[i], tx[i], sizeof tx[i]), SEQS_OK);
            run_ms(20);
            CHECK_EQ(seqs_tcp_accept(&m.b, l, &cb[i]), SEQS_OK);
        }
        for (unsigned i = 0; i < N; i++) {
            uint8_t msg[2] = {(uint8_t)i, (uint8_t)round};
            CHECK_EQ(seqs_tcp_write(&m.a, ca[i], msg, 2), 2);
        }
        run_ms(300);
        for (unsigned i = 0; i < N; i++) {
            uint8_t got[4] = {0};
            CHECK_EQ(seqs_tcp_read(&m.b, cb[i], got, sizeof got), 2);
            CHECK_EQ(got[0], i);
            CHECK_EQ(got[1], round);
        }
        /* close a scattered subset on both sides (middle of chains first) */
        for (unsigned i = 0; i < N; i++) {
            if ((i * 5u + (unsigned)round + 1u) % 3u != 0u) continue;
            CHECK_EQ(seqs_tcp_abort(&m.a, ca[i]), SEQS_OK);
            run_ms(10);
            CHECK_EQ(seqs_tcp_close(&m.b, cb[i]), SEQS_OK);
        }
        run_ms(100);
    }
    /* idle: a stale earliest-timer bound costs at most a wake-up, then nothing is due */
    /* (TCP's part only: ARP entries keep their own expiry) */
    for (int k = 0; k < 20 && (seqs__tcp_deadline(&m.a) != SEQS_NEVER || seqs__tcp_deadline(&m.b) != SEQS_NEVER); k++)
        sim_step(&m, seqs__tcp_deadline(&m.a) < seqs__tcp_deadline(&m.b) ? seqs__tcp_deadline(&m.a) : seqs__tcp_deadline(&m.b));
    CHECK_EQ(seqs__tcp_deadline(&m.a), SEQS_NEVER);
    CHECK_EQ(seqs__tcp_deadline(&m.b), SEQS_NEVER);
    CHECK(seqs_tcp_state(&m.a, ca[0]) == SEQS_TCP_ESTABLISHED || seqs_tcp_state(&m.a, ca[1]) == SEQS_TCP_ESTABLISHED);
    uint8_t buf[SEQS_MAX_FRAME];
    CHECK_EQ(seqs_stack_output(&m.a, buf, sizeof buf, m.now), 0);
    CHECK_EQ(m.a.tcp.nwork, 0);
}

int main(void) {
    RUN(test_div16_matches_64bit_division);
    RUN(test_hash_chains_and_idle_deadline);
    return check_result();
}
