/* SPDX-License-Identifier: BSD-3-Clause */
#define _POSIX_C_SOURCE 200809L
/* bench/tcp_bench.c — TCP over the in-process simulated link (stack/tests/tcp_sim.h).
 *
 *   tcp_bench --goodput            print the goodput grid (1 MiB each way per cell)
 *   tcp_bench --write FILE         write the grid to FILE (bench/tcp_goodput.txt)
 *   tcp_bench --check FILE         rerun the grid; fail if a cell fails byte-exact
 *                                  delivery or its goodput fell > 20 % below FILE
 *   tcp_bench --perf [MIB]         throughput, CPU per segment, RAM per connection (64 MiB;
 *                                  under callgrind --collect-atstart=no only the transfer counts)
 *   tcp_bench --synflood N         N spoofed SYNs, then a real client connects and transfers
 *   tcp_bench --sweep N            every cell with seeds 1..N: failures and the goodput spread
 *   tcp_bench --chaos N            N runs with random buffers (down to 200 B), loss, reordering,
 *                                  duplication, delay, rate and queue: every byte exactly once
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tcp_sim.h"
#include "tcp/tcp_int.h"

static sim_t m;

typedef struct cell {
    const char *name;
    double loss, reorder, dup;
    uint64_t burst_us;
    int nosack, nots;   /* switch SACK / timestamps off on both stacks */
} cell_t;

static const cell_t cells[] = {
    {"loss0", 0, 0, 0, 0},           {"loss1", 0.01, 0, 0, 0},        {"loss5", 0.05, 0, 0, 0},
    {"loss10", 0.10, 0, 0, 0},       {"loss20", 0.20, 0, 0, 0},       {"reorder10", 0, 0.10, 0, 0},
    {"dup10", 0, 0, 0.10, 0},        {"burst300ms", 0, 0, 0, 300000}, {"mix_l2_r5_d2", 0.02, 0.05, 0.02, 0},
    {"loss5_nosack", 0.05, 0, 0, 0, 1, 0},   /* NewReno recovery (RFC 6582) */
    {"loss5_nots", 0.05, 0, 0, 0, 0, 1},     /* RTT from timed segments (Karn) */
    {"loss5_plain", 0.05, 0, 0, 0, 1, 1},    /* neither */
};
#define NCELLS (sizeof cells / sizeof cells[0])

typedef struct result {
    int ok;
    double kbps[2];   /* goodput A->B, B->A in KiB/s of virtual time */
    double secs;
    unsigned rtx;
} result_t;

static result_t run_cell(const cell_t *c, uint64_t seed) {
    sim_init(&m, seed);
    m.rate_bps = 10000000u;   /* 10 Mbit/s, 5 ms one way, 100-frame queue */
    m.delay_us = 5000;
    m.qlimit = 100;
    m.imp.loss = c->loss;
    m.imp.reorder = c->reorder;
    m.imp.reorder_us = 4000;
    m.imp.dup = c->dup;
    m.imp.burst_at = c->burst_us ? 200000 : 0;
    m.imp.burst_len = c->burst_us;
    seqs_stack_t *both[2] = {&m.a, &m.b};
    for (int k = 0; k < 2; k++) {
        seqs_tcp_config_t cfg;
        seqs_tcp_get_config(both[k], &cfg);
        if (c->nosack) cfg.sack = 0;
        if (c->nots) cfg.tstamp = 0;
        seqs_tcp_set_config(both[k], &cfg);
    }
    sim_xfer_t x;
    memset(&x, 0, sizeof x);
    x.bytes = 1u << 20;
    x.both = 1;
    x.bufsize = 65536;
    x.time_limit_us = 3600ull * 1000000u;
    sim_run_xfer(&m, &x);
    result_t r;
    memset(&r, 0, sizeof r);
    r.ok = x.ok;
    for (int d = 0; d < 2; d++) {
        double t = (double)(x.t_dir_done[d] - x.t_start) / 1e6;
        r.kbps[d] = x.ok && t > 0 ? (double)x.bytes / 1024.0 / t : 0;
    }
    r.secs = (double)(x.t_done - x.t_start) / 1e6;
    r.rtx = x.ia.retransmits + x.ib.retransmits;
    if (!x.ok) fprintf(stderr, "%s: FAILED: %s\n", c->name, x.fail);
    return r;
}

#define GRID_SEEDS 10u

static void header(FILE *f) {
    fprintf(f, "# seqs TCP goodput: 1 MiB each way at once, 64 KiB buffers, 10 Mbit/s, 5 ms one-way,\n");
    fprintf(f, "# 100-frame queue, impairments on IPv4 frames in both directions (virtual time; deterministic).\n");
    fprintf(f, "# Each cell: mean over seeds 1..%u; ok = every seed delivered every byte exactly once and closed.\n",
            GRID_SEEDS);
    fprintf(f, "# regenerate: build/bench/tcp_bench --write bench/tcp_goodput.txt\n");
    fprintf(f, "# cell           ok  A->B_KiB/s  B->A_KiB/s   seconds  retransmits\n");
}

static int grid(FILE *out, result_t *res) {
    int fails = 0;
    if (out) header(out);
    for (unsigned i = 0; i < NCELLS; i++) {
        result_t acc;
        memset(&acc, 0, sizeof acc);
        acc.ok = 1;
        for (unsigned seed = 1; seed <= GRID_SEEDS; seed++) {
            result_t r = run_cell(&cells[i], seed);
            acc.ok &= r.ok;
            acc.kbps[0] += r.kbps[0] / GRID_SEEDS;
            acc.kbps[1] += r.kbps[1] / GRID_SEEDS;
            acc.secs += r.secs / GRID_SEEDS;
            acc.rtx += r.rtx;
        }
        acc.rtx /= GRID_SEEDS;
        res[i] = acc;
        if (!acc.ok) fails++;
        if (out)
            fprintf(out, "%-14s %3s %11.1f %11.1f %9.3f %12u\n", cells[i].name, acc.ok ? "ok" : "BAD", acc.kbps[0],
                    acc.kbps[1], acc.secs, acc.rtx);
    }
    return fails;
}

static int check(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return 2;
    }
    result_t res[NCELLS];
    int fails = grid(stdout, res);
    char line[256];
    unsigned seen = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        char name[64], ok[8];
        double k0, k1, secs;
        unsigned rtx;
        if (sscanf(line, "%63s %7s %lf %lf %lf %u", name, ok, &k0, &k1, &secs, &rtx) != 6) continue;
        for (unsigned i = 0; i < NCELLS; i++) {
            if (strcmp(name, cells[i].name) != 0) continue;
            seen++;
            double base[2] = {k0, k1};
            for (int d = 0; d < 2; d++) {
                if (res[i].kbps[d] < 0.8 * base[d]) {
                    fprintf(stderr, "REGRESSION %s dir %d: %.1f KiB/s < 80%% of %.1f\n", name, d, res[i].kbps[d],
                            base[d]);
                    fails++;
                }
            }
        }
    }
    fclose(f);
    if (seen != NCELLS) {
        fprintf(stderr, "%s lists %u of %u cells: regenerate it with --write\n", path, seen, (unsigned)NCELLS);
        fails++;
    }
    printf(fails ? "goodput check FAILED\n" : "goodput check ok\n");
    return fails ? 1 : 0;
}

static double wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Stack cost alone: A sends 64 MiB to B over a direct, lossless, zero-delay
 * hand-off (no link model, no pattern checks); each side's frames go straight
 * into the other's input. Wall time covers write/read copies, segment build,
 * checksums both ways and all TCP processing of both stacks. */
#ifdef SEQS_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#define PERF_COLLECT CALLGRIND_TOGGLE_COLLECT
#else
#define PERF_COLLECT ((void)0)
#endif

static int perf(uint64_t mib) {
    static sim_t pm;
    static uint8_t buf[SEQS_MAX_FRAME], chunk[65536], sink[65536];
    sim_init(&pm, 7);
    static uint8_t arx[65536], atx[65536], pool[2 * 131072];
    seqs_tcp_listener_t l;
    seqs_tcp_t ca, cb = 0;
    seqs_tcp_listen(&pm.b, &l, 80, 1, pool, sizeof pool, 65536, 65536);
    seqs_tcp_connect(&pm.a, &ca, SIM_B_IP, 80, 0, arx, sizeof arx, atx, sizeof atx);
    const uint64_t total = mib << 20;
    uint64_t sent = 0, got = 0, frames = 0, now = pm.now;
    memset(chunk, 0x5a, sizeof chunk);
    double t0 = wall();
    PERF_COLLECT;   /* under callgrind --collect-atstart=no: count the transfer only */
    while (got < total) {
        now += 10;
        int n, moved = 0;
        while ((n = seqs_stack_output(&pm.a, buf, sizeof buf, now)) > 0) {
            seqs_stack_input(&pm.b, buf, (size_t)n, now);
            frames++;
            moved = 1;
        }
        while ((n = seqs_stack_output(&pm.b, buf, sizeof buf, now)) > 0) {
            seqs_stack_input(&pm.a, buf, (size_t)n, now);
            frames++;
            moved = 1;
        }
        if (!cb && seqs_tcp_accept(&pm.b, l, &cb) != SEQS_OK) cb = 0;
        if (sent < total) {
            int w = seqs_tcp_write(&pm.a, ca, chunk, (size_t)(total - sent < sizeof chunk ? total - sent : sizeof chunk));
            if (w > 0) sent += (uint64_t)w, moved = 1;
        }
        if (cb) {
            int r;
            while ((r = seqs_tcp_read(&pm.b, cb, sink, sizeof sink)) > 0) got += (uint64_t)r, moved = 1;
        }
        if (!moved) {
            uint64_t d = seqs_stack_next_deadline(&pm.a), db = seqs_stack_next_deadline(&pm.b);
            if (db < d) d = db;
            if (d == SEQS_NEVER) break;
            if (d > now) now = d;
            seqs_stack_poll(&pm.a, now);
            seqs_stack_poll(&pm.b, now);
        }
    }
    PERF_COLLECT;
    double t1 = wall();
    seqs_tcp_info_t ia, ib;
    seqs_tcp_info(&pm.a, ca, &ia);
    seqs_tcp_info(&pm.b, cb, &ib);
    int ok = got == total;
    if (ia.retransmits)
        for (unsigned i = 0; i < SEQS_COUNTER_COUNT; i++) {
            uint32_t va = seqs_counter_value(&pm.a, i), vb = seqs_counter_value(&pm.b, i);
            const char *nm = seqs_counter_name(i);
            if ((va || vb) && (strstr(nm, "drop") || strstr(nm, "full") || strstr(nm, "fail")))
                printf("  counter %s: a=%u b=%u\n", nm, va, vb);
        }
    if (!ok || ia.retransmits) printf("got %llu of %llu, retransmits %u (rto %u, fast %u, dupacks %u, zwp %u)\n", (unsigned long long)got, (unsigned long long)total, ia.retransmits, ia.rto_expirations, ia.fast_retransmits, ia.dup_acks_in, ia.zero_window_probes);
    printf("transfer: %s, %llu MiB one way, 64 KiB buffers, 0 %% loss, direct hand-off between two stacks\n",
           ok ? "ok" : "FAILED", (unsigned long long)(total >> 20));
    printf("throughput (wall clock, both stacks on one core): %.1f MiB/s\n", (double)total / 1048576.0 / (t1 - t0));
    printf("frames: %llu (%u data segments from A, %u ACKs from B)\n", (unsigned long long)frames, ia.segs_out,
           ib.segs_out);
    printf("CPU per frame (build + checksum + parse + TCP, sender and receiver): %.0f ns\n",
           (t1 - t0) * 1e9 / (double)frames);
    printf("CPU per data segment (incl. its share of ACKs): %.0f ns\n", (t1 - t0) * 1e9 / ia.segs_out);
    printf("RAM: sizeof(seqs_stack_t) = %zu B (with %d connection slots, %d listeners)\n", sizeof(seqs_stack_t),
           SEQS_MAX_TCP_CONNS, SEQS_MAX_TCP_LISTENERS);
    printf("RAM: TCP's share of it = %zu B (sizeof(struct seqs_tcp_state))\n", sizeof(struct seqs_tcp_state));
    printf("RAM per connection: %zu B control state + rx + tx buffers (here 64 KiB + 64 KiB = %zu B total)\n",
           sizeof(seqs__tcp_conn_t), sizeof(seqs__tcp_conn_t) + 2u * 65536u);
    printf("RAM per listener slot: %zu B\n", sizeof(seqs__tcp_listener_t));
    return ok ? 0 : 1;
}

/* T39: N spoofed SYNs straight into B's input (a fast path: frames are built
 * here, not through the link), then a real client connects and transfers. */
static int synflood(unsigned n) {
    static uint8_t f[128];
    sim_init(&m, 11);
    /* B learns A's MAC through ARP first (for the gateway too) */
    seqs_tcp_listener_t l;
    static uint8_t pool[4 * 2 * 8192];
    if (seqs_tcp_listen(&m.b, &l, 80, 4, pool, sizeof pool, 8192, 8192) != SEQS_OK) return 1;
    uint8_t amac[6] = {0x02, 0, 0, 0, 0, 0x0a}, bmac[6] = {0x02, 0, 0, 0, 0, 0x0b};
    static uint8_t out[SEQS_MAX_FRAME];
    double t0 = wall();
    uint64_t dropped_out = 0;
    for (unsigned i = 0; i < n; i++) {
        uint32_t src = SEQS_IP4(198, 51, 100, 0) | (i & 0xFF);
        src = (i & 0x100) ? SEQS_IP4(203, 0, 113, i & 0xFF) : src;
        memset(f, 0, 54);
        memcpy(f, bmac, 6);
        memcpy(f + 6, amac, 6);
        f[12] = 0x08;
        uint8_t *ip = f + 14, *t = f + 34;
        ip[0] = 0x45;
        ip[2] = 0;
        ip[3] = 40;
        ip[8] = 64;
        ip[9] = 6;
        ip[12] = (uint8_t)(src >> 24); ip[13] = (uint8_t)(src >> 16); ip[14] = (uint8_t)(src >> 8); ip[15] = (uint8_t)src;
        ip[16] = 192; ip[17] = 0; ip[18] = 2; ip[19] = 2;
        uint32_t s = 0;
        for (int k = 0; k < 20; k += 2) s += (uint32_t)(ip[k] << 8 | ip[k + 1]);
        while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
        ip[10] = (uint8_t)(~s >> 8); ip[11] = (uint8_t)~s;
        uint16_t sport = (uint16_t)(1024 + i % 60000);
        t[0] = (uint8_t)(sport >> 8); t[1] = (uint8_t)sport; t[2] = 0; t[3] = 80;
        uint32_t seq = (uint32_t)sim_rand(&m);
        t[4] = (uint8_t)(seq >> 24); t[5] = (uint8_t)(seq >> 16); t[6] = (uint8_t)(seq >> 8); t[7] = (uint8_t)seq;
        t[12] = 0x50; t[13] = 0x02; t[14] = 0x72; t[15] = 0x10;
        s = (src >> 16) + (src & 0xFFFF) + 0xC000 + 0x0202 + 6 + 20;
        for (int k = 0; k < 20; k += 2) s += (uint32_t)(t[k] << 8 | t[k + 1]);
        while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
        t[16] = (uint8_t)(~s >> 8); t[17] = (uint8_t)~s;
        m.now += 100;   /* 10,000 SYNs per second */
        seqs_stack_input(&m.b, f, 54, m.now);
        while (seqs_stack_output(&m.b, out, sizeof out, m.now) > 0) dropped_out++;   /* SYN-ACKs into the void */
    }
    double t1 = wall();
    const seqs_counters_t *cb = seqs_stack_counters(&m.b);
    printf("synflood: %u SYNs in %.3f s wall (%.0f SYN/s); SYN-ACK frames out %llu; cookies sent %u\n", n, t1 - t0,
           n / (t1 - t0), (unsigned long long)dropped_out, cb->tcp_syncookie_sent);
    /* the legitimate client, through the link */
    sim_xfer_t x;
    memset(&x, 0, sizeof x);
    x.bytes = 256u << 10;
    x.both = 1;
    x.bufsize = 8192;
    x.time_limit_us = 600ull * 1000000u;
    x.listener = l;     /* the flooded listener itself */
    unsigned halfopen = 0;
    for (unsigned i = 0; i < SEQS_MAX_TCP_CONNS; i++)
        halfopen += m.b.tcp.conns[i].used && m.b.tcp.conns[i].tcb.state == SEQS_TCP_SYN_RECEIVED;
    printf("half-open connections holding the backlog: %u\n", halfopen);
    sim_run_xfer(&m, &x);
    printf("legit client after the flood: %s (%.3f s virtual)\n", x.ok ? "ok" : x.fail,
           (double)(x.t_done - x.t_start) / 1e6);
    /* let every half-open entry and TIME-WAIT expire: the stack returns to idle */
    for (int k = 0; k < 100000 && sim_step(&m, m.now + 300ull * 1000000u); k++) {
    }
    unsigned used = 0;
    for (unsigned i = 0; i < SEQS_MAX_TCP_CONNS; i++) used += m.b.tcp.conns[i].used;
    printf("cookie connections: %u; ", cb->tcp_syncookie_ok);
    printf("connection slots in use afterwards: %u; half-open expired: %u; next deadline: %s\n", used,
           cb->tcp_halfopen_expired, seqs_stack_next_deadline(&m.b) == SEQS_NEVER ? "never (idle)" : "pending");
    seqs_tcp_listener_close(&m.b, l);
    int ok = x.ok && used == 0 && halfopen > 0 && cb->tcp_syncookie_ok >= 1 && seqs_stack_next_deadline(&m.b) == SEQS_NEVER && cb->tcp_syncookie_sent > 0;
    printf(ok ? "synflood ok\n" : "synflood FAILED\n");
    return ok ? 0 : 1;
}

static int sweep(unsigned n) {
    int fails = 0;
    printf("# cell           seeds  failed  min_KiB/s  mean_KiB/s  max_KiB/s\n");
    for (unsigned i = 0; i < NCELLS; i++) {
        double mn = 1e18, mx = 0, sum = 0;
        unsigned bad = 0;
        for (unsigned seed = 1; seed <= n; seed++) {
            result_t r = run_cell(&cells[i], seed);
            if (!r.ok) {
                bad++;
                fprintf(stderr, "%s seed %u failed\n", cells[i].name, seed);
            }
            for (int d = 0; d < 2; d++) {
                if (r.kbps[d] < mn) mn = r.kbps[d];
                if (r.kbps[d] > mx) mx = r.kbps[d];
                sum += r.kbps[d];
            }
        }
        fails += (int)bad;
        printf("%-14s %6u %7u %10.1f %11.1f %10.1f\n", cells[i].name, n, bad, mn, sum / (2.0 * n), mx);
    }
    return fails ? 1 : 0;
}

static int chaos(unsigned n) {
    unsigned bad = 0, gaveup = 0;
    const char *only = getenv("CHAOS_ONLY");
    for (unsigned run = 1; run <= n; run++) {
        if (only && (unsigned)atoi(only) != run) continue;
        sim_t *c = &m;
        sim_init(c, 1000u + run);
        uint64_t r = sim_rand(c);
        c->rate_bps = (r % 4 == 0) ? 0 : 1000000u * (1u + (unsigned)(r >> 8) % 100u);
        c->delay_us = (sim_rand(c) % 20000u);
        c->qlimit = 3u + (unsigned)(sim_rand(c) % 200u);
        c->imp.loss = (double)(sim_rand(c) % 30u) / 100.0;
        c->imp.reorder = (double)(sim_rand(c) % 30u) / 100.0;
        c->imp.reorder_us = sim_rand(c) % 30000u;
        c->imp.dup = (double)(sim_rand(c) % 20u) / 100.0;
        if (sim_rand(c) % 4 == 0) {
            c->imp.burst_at = 2000 + sim_rand(c) % 500000u;
            c->imp.burst_len = sim_rand(c) % 3000000u;
        }
        sim_xfer_t x;
        memset(&x, 0, sizeof x);
        x.bytes = 20000u + sim_rand(c) % 200000u;
        x.both = (int)(sim_rand(c) % 2u);
        x.bufsize = 200u + (size_t)(sim_rand(c) % 70000u);
        x.time_limit_us = 4ull * 3600u * 1000000u;
        sim_run_xfer(c, &x);
        if (getenv("CHAOS_VERBOSE"))
            printf("run %u: %s %.3fs loss %.2f buf %zu bytes %llu frames %llu\n", run, x.ok ? "ok" : "BAD",
                   (double)(x.t_done - x.t_start) / 1e6, c->imp.loss, x.bufsize, (unsigned long long)x.bytes,
                   (unsigned long long)c->frames);
        if (only) {
            seqs_tcp_info_t ia, ib;
            printf("run %u: %s err_a %d err_b %d recvd %llu/%llu t_done %llu now %llu\n", run, x.fail ? x.fail : "ok",
                   x.err_a, x.err_b, (unsigned long long)x.recvd[0], (unsigned long long)x.recvd[1],
                   (unsigned long long)x.t_done, (unsigned long long)c->now);
            for (unsigned i = 0; i < SEQS_MAX_TCP_CONNS; i++) {
                const seqs__tcp_conn_t *k = &c->a.tcp.conns[i];
                if (k->used) printf("  A conn %u state %s una %u nxt %u tx_len %u err %d\n", i, seqs_tcp_state_name(k->tcb.state), k->tcb.snd_una, k->tcb.snd_nxt, k->tx_len, k->err);
                k = &c->b.tcp.conns[i];
                if (k->used) printf("  B conn %u state %s una %u nxt %u tx_len %u err %d accepted %d\n", i, seqs_tcp_state_name(k->tcb.state), k->tcb.snd_una, k->tcb.snd_nxt, k->tx_len, k->err, k->accepted);
            }
            (void)ia; (void)ib;
            for (unsigned i = 0; i < SEQS_COUNTER_COUNT; i++) {
                uint32_t va = seqs_counter_value(&c->a, i), vb = seqs_counter_value(&c->b, i);
                if (va || vb) printf("  %-26s a=%u b=%u\n", seqs_counter_name(i), va, vb);
            }
        }
        if (!x.ok && strstr(x.fail, "(R2)")) {
            gaveup++;   /* a documented outcome under these losses, not a failure */
            continue;
        }
        if (!x.ok) {
            bad++;
            printf("run %u FAILED (%s): rate %llu delay %llu q %u loss %.2f reorder %.2f/%llu dup %.2f burst %llu+%llu "
                   "bytes %llu both %d buf %zu; got %llu/%llu, mismatches %llu\n",
                   run, x.fail, (unsigned long long)c->rate_bps, (unsigned long long)c->delay_us, c->qlimit,
                   c->imp.loss, c->imp.reorder, (unsigned long long)c->imp.reorder_us, c->imp.dup,
                   (unsigned long long)c->imp.burst_at, (unsigned long long)c->imp.burst_len,
                   (unsigned long long)x.bytes, x.both, x.bufsize, (unsigned long long)x.recvd[0],
                   (unsigned long long)x.recvd[1], (unsigned long long)x.mismatches);
        }
    }
    printf("chaos: %u runs, %u failed, %u gave up (connect or data R2, or ARP failure: documented limits under"
           " heavy loss)\n", n, bad, gaveup);
    return bad ? 1 : 0;
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "--chaos") == 0) return chaos((unsigned)atoi(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "--sweep") == 0) return sweep((unsigned)atoi(argv[2]));
    if (argc >= 2 && strcmp(argv[1], "--goodput") == 0) {
        result_t res[NCELLS];
        return grid(stdout, res) ? 1 : 0;
    }
    if (argc >= 3 && strcmp(argv[1], "--write") == 0) {
        FILE *f = fopen(argv[2], "w");
        if (!f) return 2;
        result_t res[NCELLS];
        int fails = grid(f, res);
        fclose(f);
        return fails ? 1 : 0;
    }
    if (argc >= 3 && strcmp(argv[1], "--check") == 0) return check(argv[2]);
    if (argc >= 2 && strcmp(argv[1], "--perf") == 0) {
        long mib = argc >= 3 ? atol(argv[2]) : 64;
        if (mib < 1 || mib > 4096) {
            fprintf(stderr, "--perf MIB: 1..4096\n");
            return 2;
        }
        return perf((uint64_t)mib);
    }
    if (argc >= 2 && strcmp(argv[1], "--synflood") == 0) return synflood(argc >= 3 ? (unsigned)atoi(argv[2]) : 10000u);
    fprintf(stderr, "usage: %s --goodput | --write FILE | --check FILE | --perf [MIB] | --synflood N\n", argv[0]);
    return 2;
}
