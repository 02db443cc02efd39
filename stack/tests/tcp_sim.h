/* SPDX-License-Identifier: BSD-3-Clause */
/* stack/tests/tcp_sim.h — two stacks in one process joined by a simulated
 * link: rate, one-way delay, a bounded queue (tail drop), and seeded
 * impairments (loss, reordering, duplication, a loss burst). Time is virtual:
 * the pump jumps to the next frame arrival or stack deadline. Used by the C
 * TCP tests and by bench/tcp_bench.c. */
#ifndef SEQS_TEST_TCP_SIM_H
#define SEQS_TEST_TCP_SIM_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "seqs/seqs.h"

#define SIM_QCAP 512
#define SIM_A_IP SEQS_IP4(192, 0, 2, 1)
#define SIM_B_IP SEQS_IP4(192, 0, 2, 2)
#define SIM_GW_IP SEQS_IP4(192, 0, 2, 254)

typedef struct sim_frame {
    uint64_t at;
    uint16_t len;
    uint8_t data[SEQS_MAX_FRAME];
} sim_frame_t;

typedef struct sim_dir {
    sim_frame_t q[SIM_QCAP];
    unsigned n;            /* frames in flight, unsorted (small) */
    uint64_t busy_until;   /* serialization */
    uint64_t sent, lost, dup, reordered, qdrop;
} sim_dir_t;

typedef struct sim_impair {
    double loss;           /* probability a frame is lost */
    double reorder;        /* probability a frame is delayed by reorder_us extra */
    double dup;            /* probability a frame is duplicated */
    uint64_t reorder_us;
    uint64_t burst_at, burst_len;   /* every frame sent in [burst_at, +burst_len) is lost */
} sim_impair_t;

typedef struct sim {
    seqs_stack_t a, b;
    sim_dir_t ab, ba;      /* a->b and b->a */
    uint64_t now;
    uint64_t rate_bps;     /* 0 = infinite */
    uint64_t delay_us;
    unsigned qlimit;       /* frames queued per direction before tail drop */
    sim_impair_t imp;
    uint64_t rng;
    uint64_t frames;
} sim_t;

static inline uint64_t sim_rand(sim_t *m) {
    /* splitmix64 */
    uint64_t z = (m->rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static inline double sim_unif(sim_t *m) { return (double)(sim_rand(m) >> 11) / 9007199254740992.0; }

static inline int sim_stack_init(seqs_stack_t *s, uint8_t last, uint32_t ip, uint64_t seed) {
    seqs_config_t c;
    seqs_config_default(&c);
    uint8_t mac[6] = {0x02, 0, 0, 0, 0, last};
    memcpy(c.mac, mac, 6);
    c.rng_seed = seed;
    c.flags = SEQS_CFG_NO_GRATUITOUS;
    int rc = seqs_stack_init(s, &c);
    if (rc) return rc;
    return seqs_stack_set_addr(s, ip, 24, SIM_GW_IP, 0);
}

static inline void sim_init(sim_t *m, uint64_t seed) {
    memset(m, 0, sizeof *m);
    m->rng = seed * 7919u + 1u;
    sim_stack_init(&m->a, 0x0a, SIM_A_IP, seed * 2u + 1u);
    sim_stack_init(&m->b, 0x0b, SIM_B_IP, seed * 2u + 2u);
    m->rate_bps = 100000000u;
    m->delay_us = 1000;
    m->qlimit = 100;
    m->now = 1000;
}

static inline void sim_push(sim_t *m, sim_dir_t *d, const uint8_t *f, size_t len) {
    d->sent++;
    m->frames++;
    uint64_t start = d->busy_until > m->now ? d->busy_until : m->now;
    if (d->n >= m->qlimit || d->n >= SIM_QCAP) {
        d->qdrop++;
        return;
    }
    uint64_t ser = m->rate_bps ? (uint64_t)(len + 24) * 8u * 1000000u / m->rate_bps : 0;
    d->busy_until = start + ser;
    /* impairments hit IPv4 only: ARP always gets through, so the numbers measure TCP */
    int is_ip = len >= 14 && f[12] == 0x08 && f[13] == 0x00;
    int lose = sim_unif(m) < m->imp.loss;
    if (m->imp.burst_len && m->now >= m->imp.burst_at && m->now < m->imp.burst_at + m->imp.burst_len) lose = 1;
    if (!is_ip) lose = 0;
    if (lose) {
        d->lost++;
        return;
    }
    int copies = sim_unif(m) < m->imp.dup ? 2 : 1;
    if (copies == 2) d->dup++;
    for (int k = 0; k < copies && d->n < SIM_QCAP; k++) {
        sim_frame_t *fr = &d->q[d->n++];
        fr->at = d->busy_until + m->delay_us + (uint64_t)k * 10u;
        if (sim_unif(m) < m->imp.reorder) {
            fr->at += m->imp.reorder_us;
            d->reordered++;
        }
        fr->len = (uint16_t)len;
        memcpy(fr->data, f, len);
    }
}

static inline void sim_drain(sim_t *m) {
    static uint8_t buf[SEQS_MAX_FRAME];
    for (int moved = 1; moved;) {
        moved = 0;
        int n;
        while ((n = seqs_stack_output(&m->a, buf, sizeof buf, m->now)) > 0) {
            sim_push(m, &m->ab, buf, (size_t)n);
            moved = 1;
        }
        while ((n = seqs_stack_output(&m->b, buf, sizeof buf, m->now)) > 0) {
            sim_push(m, &m->ba, buf, (size_t)n);
            moved = 1;
        }
    }
}

/* Earliest frame arrival or stack deadline. */
static inline uint64_t sim_next(const sim_t *m) {
    uint64_t t = seqs_stack_next_deadline(&m->a);
    uint64_t tb = seqs_stack_next_deadline(&m->b);
    if (tb < t) t = tb;
    for (unsigned i = 0; i < m->ab.n; i++) if (m->ab.q[i].at < t) t = m->ab.q[i].at;
    for (unsigned i = 0; i < m->ba.n; i++) if (m->ba.q[i].at < t) t = m->ba.q[i].at;
    return t;
}

static inline void sim_deliver_due(sim_t *m, sim_dir_t *d, seqs_stack_t *to) {
    for (;;) {
        unsigned best = d->n;
        for (unsigned i = 0; i < d->n; i++)
            if (d->q[i].at <= m->now && (best == d->n || d->q[i].at < d->q[best].at)) best = i;
        if (best == d->n) return;
        static sim_frame_t fr;
        fr = d->q[best];
        d->q[best] = d->q[--d->n];
        seqs_stack_input(to, fr.data, fr.len, m->now);
    }
}

/* Advances to the next event (at most until `limit`) and handles it. Returns 0 when idle. */
static inline int sim_step(sim_t *m, uint64_t limit) {
    sim_drain(m);
    uint64_t t = sim_next(m);
    if (t == SEQS_NEVER && limit == SEQS_NEVER) return 0;
    if (t > limit) t = limit;
    if (t > m->now) m->now = t;
    sim_deliver_due(m, &m->ab, &m->b);
    sim_deliver_due(m, &m->ba, &m->a);
    seqs_stack_poll(&m->a, m->now);
    seqs_stack_poll(&m->b, m->now);
    sim_drain(m);
    return 1;
}

/* Deterministic payload byte i of stream `dir`. */
static inline uint8_t sim_pattern(uint32_t dir, uint64_t i) {
    uint64_t z = (i / 8u) * 0x9E3779B97F4A7C15ull + dir * 0xD1B54A32D192ED03ull;
    z = (z ^ (z >> 31)) * 0xBF58476D1CE4E5B9ull;
    z ^= z >> 29;
    return (uint8_t)(z >> ((i % 8u) * 8u));
}

#endif

/* One bulk transfer: A connects to B:80, each side sends `bytes` to the other
 * (or only A->B when !both), verifies every byte, then both close. */
typedef struct sim_xfer {
    uint64_t bytes;
    int both;
    size_t bufsize;        /* rx and tx buffer of each side */
    uint64_t time_limit_us;
    seqs_tcp_listener_t listener;   /* B's listener on port 80 to use; 0: make one */
    /* results */
    int ok;                /* every byte arrived, in order, exactly once, and both closed */
    int closed;
    uint64_t t_start, t_done;       /* first SYN .. last byte read on both sides */
    uint64_t t_dir_done[2];         /* last byte of each direction read */
    uint64_t sent[2], recvd[2];     /* [0] = A->B, [1] = B->A */
    uint64_t mismatches;
    seqs_tcp_info_t ia, ib;         /* info just before closing */
    const char *fail;
    int err_a, err_b;               /* seqs_tcp_error() of each side at the end (0: none) */
} sim_xfer_t;

static uint8_t sim_bufA[2][1u << 18], sim_bufB[4u << 18];

static inline void sim_run_xfer(sim_t *m, sim_xfer_t *x) {
    seqs_tcp_listener_t l;
    seqs_tcp_t ca = 0, cb = 0;
    x->ok = 0;
    x->fail = NULL;
    size_t bs = x->bufsize;
    if (x->listener) l = x->listener;
    else if (seqs_tcp_listen(&m->b, &l, 80, 4, sim_bufB, 2 * bs, bs, bs) != SEQS_OK) { x->fail = "listen"; return; }
    if (seqs_tcp_connect(&m->a, &ca, SIM_B_IP, 80, 0, sim_bufA[0], bs, sim_bufA[1], bs) != SEQS_OK) { x->fail = "connect"; return; }
    x->t_start = m->now;
    uint64_t want[2] = {x->bytes, x->both ? x->bytes : 0};
    static uint8_t tmp[16384];
    int closing = 0;
    uint64_t deadline = m->now + x->time_limit_us;
    while (m->now < deadline) {
        if (!cb) {
            if (seqs_tcp_accept(&m->b, l, &cb) != SEQS_OK) cb = 0;
        }
        seqs_tcp_t hs[2] = {ca, cb};
        seqs_stack_t *ss[2] = {&m->a, &m->b};
        for (int side = 0; side < 2; side++) {
            seqs_tcp_t h = hs[side];
            if (!h) continue;
            seqs_stack_t *s = ss[side];
            /* write: side 0 writes stream 0, side 1 writes stream 1 */
            while (x->sent[side] < want[side]) {
                int room = seqs_tcp_writable(s, h);
                if (room <= 0) break;
                uint64_t left = want[side] - x->sent[side];
                size_t n = (size_t)room < sizeof tmp ? (size_t)room : sizeof tmp;
                if (n > left) n = (size_t)left;
                for (size_t i = 0; i < n; i++) tmp[i] = sim_pattern((uint32_t)side, x->sent[side] + i);
                int w = seqs_tcp_write(s, h, tmp, n);
                if (w <= 0) break;
                x->sent[side] += (uint64_t)w;
            }
            /* read the other side's stream */
            int other = 1 - side;
            for (;;) {
                int r = seqs_tcp_read(s, h, tmp, sizeof tmp);
                if (r <= 0) break;
                for (int i = 0; i < r; i++)
                    if (tmp[i] != sim_pattern((uint32_t)other, x->recvd[other] + (uint64_t)i)) x->mismatches++;
                x->recvd[other] += (uint64_t)r;
                if (x->recvd[other] >= want[other] && !x->t_dir_done[other]) x->t_dir_done[other] = m->now;
            }
        }
        if (!closing && ca && cb && x->recvd[0] >= want[0] && x->recvd[1] >= want[1]) {
            x->t_done = m->now;
            seqs_tcp_info(&m->a, ca, &x->ia);
            seqs_tcp_info(&m->b, cb, &x->ib);
            seqs_tcp_close(&m->a, ca);
            seqs_tcp_close(&m->b, cb);
            closing = 1;
        }
        if (closing) {
            int sa = seqs_tcp_state(&m->a, ca), sb = seqs_tcp_state(&m->b, cb);
            int a_done = sa < 0 || sa == SEQS_TCP_TIME_WAIT || sa == SEQS_TCP_CLOSED;
            int b_done = sb < 0 || sb == SEQS_TCP_TIME_WAIT || sb == SEQS_TCP_CLOSED;
            if (a_done && b_done) {
                x->closed = 1;
                break;
            }
        }
        if (!sim_step(m, deadline)) break;
    }
    x->err_a = seqs_tcp_error(&m->a, ca);
    x->err_b = cb ? seqs_tcp_error(&m->b, cb) : 0;
    if (!x->listener) seqs_tcp_listener_close(&m->b, l);
    if (!closing && x->err_a == SEQS_ERR_TIMEDOUT && !cb) x->fail = "connect timed out (R2)";
    else if (!closing && x->err_a == SEQS_ERR_UNREACH && !cb) x->fail = "connect: neighbour unreachable, ARP failed (R2)";
    else if (!closing && (x->err_a == SEQS_ERR_TIMEDOUT || x->err_b == SEQS_ERR_TIMEDOUT)) x->fail = "gave up (R2)";
    else if (!closing && !cb && x->err_a == SEQS_ERR_RESET && seqs_stack_counters(&m->b)->tcp_halfopen_expired)
        x->fail = "server's half-open entry expired (SYN-ACK retries), client then reset (R2)";
    else if (!closing) x->fail = "transfer did not complete";
    else if (!x->closed) x->fail = "close did not complete";
    else if (x->mismatches) x->fail = "corrupted bytes";
    else if (x->recvd[0] != want[0] || x->recvd[1] != want[1]) x->fail = "byte count";
    x->ok = x->fail == NULL;
}
