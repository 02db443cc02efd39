/* SPDX-License-Identifier: BSD-3-Clause */
/* bench/vs_lwip/main.c — seqs and lwIP side by side: the same frames in, the
 * same driver copies, every reply checked by the peer (common.c), and the cost
 * of the stack's part only.
 *
 * Usage: vs_lwip CASE [--mode count|time] [--ops N] [--rounds R] [--conns N]
 *   CASE: arp | icmp | udp | handshake | tcpdata | bulk
 *   --conns N (icmp, tcpdata): N TCP connections open (tcpdata: the measured
 *     one plus N-1 idle; icmp: N idle), on both stacks.
 *   count: run --ops measured ops per side between callgrind client requests
 *     (CALLGRIND_TOGGLE_COLLECT around the stack's part only, an empty loop with
 *     the same requests for calibration, one CALLGRIND_DUMP_STATS_AT per part:
 *     "CASE SIDE" and "CASE SIDE empty"); run.py does the arithmetic. Outside
 *     valgrind the requests do nothing: it is then the verification run.
 *   time: --rounds rounds, sides interleaved, --ops ops each; prints one line
 *     per side with the median ns/op (clock read around the stack's part, the
 *     empty loop's cost subtracted).
 * Bulk is one op = 1 MiB (smaller with --ops) from A to B; per-op figures are
 * then per 1460 payload bytes. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <valgrind/callgrind.h>

#include "common.h"

extern int app_udp_echo;
const uint8_t *bulk_pattern;

static const side_t *side;
static int cur_case;
enum { C_ARP, C_ICMP, C_UDP, C_HANDSHAKE, C_TCPDATA, C_BULK, C_N };
static const char *case_names[C_N] = {"arp", "icmp", "udp", "handshake", "tcpdata", "bulk"};

/* Per-side state of the scripted peer. */
typedef struct peer_state {
    int conn;                 /* the measured connection (tcpdata) */
    uint32_t our_seq, their_ack;   /* peer's next sequence number, the stack's ISN + 1 */
    uint16_t sport;
    unsigned hs;              /* handshakes done (source ports) */
    uint8_t *sink;
    size_t bulk_bytes;
} peer_state_t;
static peer_state_t ps[2];
static int si;   /* index of the current side in ps[] */

static uint8_t req[FRAME_CAP], req2[FRAME_CAP];
static size_t reqlen, req2len;
static uint8_t appbuf[65536];

/* --- the measured region ---------------------------------------------------- */
static int timing;
static double t_acc;
static struct timespec t0;
static inline void on(void) {
    if (timing)
        clock_gettime(CLOCK_MONOTONIC, &t0);
    else
        CALLGRIND_TOGGLE_COLLECT;
}
static inline void off(void) {
    if (timing) {
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        t_acc += (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
    } else {
        CALLGRIND_TOGGLE_COLLECT;
    }
}

static int arp_asked;   /* the stack asked for the peer's MAC (its cache entry aged out) */

static const uint8_t *one_frame(size_t *n, const char *what) {
    arp_asked += wire_take_arp_requests(&wire_out);
    if (wire_out.count != 1) {
        for (unsigned i = 0; i < wire_out.count; i++) {
            const uint8_t *g = wire_out.buf[(wire_out.head + i) % WIRE_SLOTS];
            fprintf(stderr, "  frame %u: %u bytes, TCP flags 0x%02x\n", i, wire_out.len[(wire_out.head + i) % WIRE_SLOTS],
                    frame_tcp_flags(g, wire_out.len[(wire_out.head + i) % WIRE_SLOTS]));
        }
        die("%s %s: %u frames out, want 1", side->name, what, wire_out.count);
    }
    return wire_peek(&wire_out, n);
}

/* A full handshake from sport; returns the accepted connection. Untimed
 * unless measure (the handshake case). */
static int handshake(uint16_t sport, int measure) {
    uint32_t isn = 1000u * sport + 17u;
    reqlen = peer_tcp(req, sport, isn, 0, TH_SYN, 1, NULL, 0);
    if (measure) on();
    side->input(req, reqlen);
    side->output();
    if (measure) off();
    size_t n;
    const uint8_t *f = one_frame(&n, "SYN-ACK");
    uint32_t their = check_synack(f, n, sport, isn);
    wire_clear(&wire_out);
    req2len = peer_tcp(req2, sport, isn + 1, their + 1, TH_ACK, 0, NULL, 0);
    if (measure) on();
    side->input(req2, req2len);
    side->output();
    int id = side->accept();
    if (measure) off();
    if (id < 0 || wire_out.count)
        die("%s: handshake from port %u not accepted cleanly", side->name, sport);
    ps[si].our_seq = isn + 1;
    ps[si].their_ack = their + 1;
    return id;
}

static void answer_arp(void) {
    if (!arp_asked)
        return;
    uint8_t f[64];
    size_t n = peer_arp_reply(f);
    side->input(f, n);
    side->output();
    wire_clear(&wire_out);
    arp_asked = 0;
}

static void op(int measure) {
    size_t n;
    const uint8_t *f;
    answer_arp();
    switch (cur_case) {
    case C_ARP:
    case C_ICMP:
    case C_UDP:
        if (measure) on();
        side->input(req, reqlen);
        side->output();
        if (measure) off();
        f = one_frame(&n, case_names[cur_case]);
        if (cur_case == C_ARP) check_arp_reply(f, n);
        else if (cur_case == C_ICMP) check_icmp_reply(req, reqlen, f, n);
        else check_udp_echo(req, reqlen, f, n);
        wire_clear(&wire_out);
        break;
    case C_HANDSHAKE: {
        uint16_t sport = (uint16_t)(10000u + ps[si].hs++ % 20000u);
        int id = handshake(sport, measure);
        side->abort(id);
        wire_clear(&wire_out);
        break;
    }
    case C_TCPDATA: {
        peer_state_t *p = &ps[si];
        uint8_t data[1460];
        for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(p->our_seq + i);
        reqlen = peer_tcp(req, p->sport, p->our_seq, p->their_ack, TH_ACK | TH_PSH, 0, data, sizeof data);
        if (measure) on();
        side->input(req, reqlen);
        size_t got = side->read(p->conn, appbuf, sizeof appbuf);
        side->delack();
        if (measure) off();
        p->our_seq += (uint32_t)sizeof data;
        if (got != sizeof data)
            die("%s: read %zu bytes, want 1460", side->name, got);
        f = one_frame(&n, "delayed ACK");
        check_ack(f, n, p->sport, p->our_seq);
        wire_clear(&wire_out);
        break;
    }
    case C_BULK: {
        size_t bytes = ps[si].bulk_bytes;
        if (measure) on();
        size_t got = side->bulk_run(bytes, ps[si].sink, bytes);
        if (measure) off();
        if (got != bytes)
            die("%s bulk: %zu of %zu bytes", side->name, got, bytes);
        for (size_t i = 0; i < bytes; i += 65536)
            if (memcmp(ps[si].sink + i, bulk_pattern + i % 65536, bytes - i < 65536 ? bytes - i : 65536))
                die("%s bulk: data corrupted", side->name);
        break;
    }
    }
}

static void setup(int which, unsigned conns) {
    si = which;
    side = which ? &side_lwip : &side_seqs;
    peer_state_t *p = &ps[si];
    if (cur_case == C_BULK) {
        side->bulk_setup();
        p->sink = malloc(p->bulk_bytes);
        return;
    }
    unsigned maxc = conns > 8 ? conns : 8;
    side->setup(maxc);
    if (cur_case == C_TCPDATA) {
        p->sport = 5555;
        p->conn = handshake(p->sport, 0);
    }
    /* Idle connections: established, then left alone. */
    unsigned idle = cur_case == C_TCPDATA ? (conns ? conns - 1 : 0) : conns;
    uint32_t keep_seq = p->our_seq, keep_ack = p->their_ack;
    for (unsigned i = 0; i < idle; i++)
        (void)handshake((uint16_t)(30000 + i), 0);
    p->our_seq = keep_seq;
    p->their_ack = keep_ack;
    if (cur_case == C_ICMP) reqlen = peer_icmp_echo(req, 56);
    if (cur_case == C_UDP) reqlen = peer_udp(req, 64);
    if (cur_case == C_ARP) reqlen = peer_arp_request(req);
    app_udp_echo = cur_case == C_UDP;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 2)
        die("usage: vs_lwip CASE [--mode count|time] [--ops N] [--rounds R] [--conns N]");
    cur_case = -1;
    for (int c = 0; c < C_N; c++)
        if (!strcmp(argv[1], case_names[c])) cur_case = c;
    if (cur_case < 0)
        die("unknown case %s", argv[1]);
    int mode_time = 0;
    long ops = cur_case == C_BULK ? 4 : 2000, rounds = 9;
    unsigned conns = 0;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--mode")) mode_time = !strcmp(argv[i + 1], "time");
        else if (!strcmp(argv[i], "--ops")) ops = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--rounds")) rounds = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--conns")) conns = (unsigned)atol(argv[i + 1]);
        else die("unknown option %s", argv[i]);
    }
    if (conns > 255 || ((cur_case != C_ICMP && cur_case != C_TCPDATA) && conns))
        die("--conns is 0..255, for icmp and tcpdata");
    static uint8_t pattern[2 * 65536];   /* writes start anywhere in the first half */
    for (size_t i = 0; i < sizeof pattern; i++) pattern[i] = (uint8_t)(i * 31 + 7);
    bulk_pattern = pattern;
    size_t bulk_bytes = cur_case == C_BULK && ops < 4 ? 262144 : 1048576;
    ps[0].bulk_bytes = ps[1].bulk_bytes = bulk_bytes;
    if (cur_case == C_BULK && ops < 4) ops = 1;

    for (int w = 0; w < 2; w++) {   /* both sides set up; a few ops to reach a steady state */
        setup(w, conns);
        for (int i = 0; i < 3; i++) op(0);
    }
    char label[96];
    const char *sn[2] = {"seqs", "lwIP"};
    if (!mode_time) {
        for (int w = 0; w < 2; w++) {
            si = w;
            side = w ? &side_lwip : &side_seqs;
            CALLGRIND_ZERO_STATS;
            for (long i = 0; i < ops; i++) op(1);
            snprintf(label, sizeof label, "%s %s", argv[1], sn[w]);
            CALLGRIND_DUMP_STATS_AT(label);
            for (long i = 0; i < ops; i++) { on(); off(); }
            snprintf(label, sizeof label, "%s %s empty", argv[1], sn[w]);
            CALLGRIND_DUMP_STATS_AT(label);
        }
        double per = cur_case == C_BULK ? (double)bulk_bytes / 1460.0 : 1.0;
        printf("{\"case\": \"%s\", \"conns\": %u, \"ops\": %ld, \"units_per_op\": %.4f, \"verified\": true}\n", argv[1],
               conns, ops, per);
        return 0;
    }
    timing = 1;
    double *res[2] = {calloc((size_t)rounds, sizeof(double)), calloc((size_t)rounds, sizeof(double))};
    double per = cur_case == C_BULK ? (double)bulk_bytes / 1460.0 : 1.0;
    for (long r = 0; r < rounds; r++)
        for (int w = 0; w < 2; w++) {
            int order = (int)((w + r) & 1);   /* alternate who goes first */
            si = order;
            side = order ? &side_lwip : &side_seqs;
            t_acc = 0;
            for (long i = 0; i < ops; i++) op(1);
            double full = t_acc;
            t_acc = 0;
            for (long i = 0; i < ops; i++) { on(); off(); }
            int calls = cur_case == C_HANDSHAKE ? 2 : 1;
            res[order][r] = (full - t_acc * calls) / (double)ops / per;
        }
    for (int w = 0; w < 2; w++) qsort(res[w], (size_t)rounds, sizeof(double), cmp_d);
    double ms = res[0][rounds / 2], ml = res[1][rounds / 2];
    printf("{\"case\": \"%s\", \"conns\": %u, \"seqs_ns\": %.1f, \"lwip_ns\": %.1f, \"ratio\": %.3f}\n", argv[1], conns,
           ms, ml, ms / ml);
    return 0;
}
