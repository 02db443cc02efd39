/* SPDX-License-Identifier: BSD-3-Clause */
/* Two stacks through the simulated link: handshake, bulk transfer both ways,
 * orderly close, with and without impairments. */
#include "check.h"
#include "tcp_sim.h"

static sim_t m;

static void run(double loss, double reorder, double dup, uint64_t burst, uint64_t bytes, uint64_t seed) {
    sim_init(&m, seed);
    m.imp.loss = loss;
    m.imp.reorder = reorder;
    m.imp.reorder_us = 3000;
    m.imp.dup = dup;
    if (burst) {
        m.imp.burst_at = 8000;
        m.imp.burst_len = burst;
    }
    sim_xfer_t x;
    memset(&x, 0, sizeof x);
    x.bytes = bytes;
    x.both = 1;
    x.bufsize = 65536;
    x.time_limit_us = 3600ull * 1000000u;
    sim_run_xfer(&m, &x);
    printf("loss %.2f reorder %.2f dup %.2f burst %llu: %s  t=%.3fs  rtx a=%u b=%u  frames=%llu\n", loss, reorder, dup,
           (unsigned long long)burst, x.fail ? x.fail : "ok", (double)(x.t_done - x.t_start) / 1e6,
           x.ia.retransmits, x.ib.retransmits, (unsigned long long)m.frames);
    CHECK(x.ok);
    CHECK_EQ(x.mismatches, 0);
    CHECK_EQ(x.recvd[0], bytes);
    CHECK_EQ(x.recvd[1], bytes);
}

static void test_clean_link_transfers_both_ways_and_closes(void) { run(0, 0, 0, 0, 100000, 1); }
static void test_lossy_link_delivers_every_byte_once(void) { run(0.2, 0, 0, 0, 1048576, 2); }
static void test_reordering_and_duplication_deliver_exactly_once(void) { run(0.01, 0.1, 0.05, 0, 200000, 3); }
static void test_loss_burst_recovers(void) { run(0, 0, 0, 300000, 1048576, 4); }

static sim_xfer_t cell(double loss, double reorder, uint64_t seed) {
    sim_init(&m, seed);
    m.rate_bps = 10000000u;
    m.delay_us = 5000;
    m.imp.loss = loss;
    m.imp.reorder = reorder;
    m.imp.reorder_us = 4000;
    sim_xfer_t x;
    memset(&x, 0, sizeof x);
    x.bytes = 1u << 20;
    x.both = 1;
    x.bufsize = 65536;
    x.time_limit_us = 3600ull * 1000000u;
    sim_run_xfer(&m, &x);
    CHECK(x.ok);
    return x;
}

/* RFC 3522 Eifel detection: with reordering only, recoveries triggered by a late
 * segment are undone (the ACK echoes the original's timestamp); with loss only,
 * none is (the retransmission's timestamp is echoed). */
static void test_spurious_recoveries_undone_only_under_reordering(void) {
    sim_xfer_t r = cell(0, 0.10, 1);
    CHECK(r.ia.spurious_recoveries + r.ib.spurious_recoveries > 0);
    for (uint64_t seed = 1; seed <= 3; seed++) {
        sim_xfer_t l = cell(0.05, 0, seed);
        CHECK_EQ(l.ia.spurious_recoveries + l.ib.spurious_recoveries, 0);
        CHECK(l.ia.fast_retransmits + l.ib.fast_retransmits > 0);
    }
}

int main(void) {
    RUN(test_spurious_recoveries_undone_only_under_reordering);
    RUN(test_clean_link_transfers_both_ways_and_closes);
    RUN(test_lossy_link_delivers_every_byte_once);
    RUN(test_reordering_and_duplication_deliver_exactly_once);
    RUN(test_loss_burst_recovers);
    return check_result();
}
