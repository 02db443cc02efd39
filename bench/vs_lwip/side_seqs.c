/* SPDX-License-Identifier: BSD-3-Clause */
/* bench/vs_lwip/side_seqs.c — the seqs side: the stack driven the way a port
 * drives it (copy the received frame into a driver buffer, input, output into
 * the next driver buffer), an application on the public API. */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "seqs/seqs.h"
#include "seqs/tcp.h"
#include "seqs/udp.h"

#define CONN_RX 8192
#define CONN_TX 2048
#define BULK_BUF 65536

static seqs_stack_t st;
static uint64_t now_us = 1000000;
static uint8_t rxbuf[FRAME_CAP];   /* the driver's receive buffer */
static uint8_t udp_rx[8192], udp_app[2048];
static seqs_udp_t usock;
static seqs_tcp_listener_t lst;
static seqs_tcp_t *conns;
static unsigned nconns, max_conns;
int app_udp_echo;   /* the UDP echo application runs after each input (set by main) */

static void drain(seqs_stack_t *s, wire_t *w) {
    int n;
    while ((n = seqs_stack_output(s, wire_slot(w), FRAME_CAP, now_us)) > 0)
        wire_commit(w, (size_t)n);
    if (n < 0)
        die("seqs_stack_output: %s", seqs_strerror(n));
}

static void s_output(void) { drain(&st, &wire_out); }

static void s_input(const uint8_t *f, size_t n) {
    memcpy(rxbuf, f, n);
    seqs_stack_input(&st, rxbuf, n, now_us);
    if (app_udp_echo) {
        seqs_udp_meta_t m;
        int len = seqs_udp_recvfrom(&st, usock, udp_app, sizeof udp_app, &m);
        if (len >= 0 && seqs_udp_sendto(&st, usock, udp_app, (size_t)len, m.remote_addr, m.remote_port) != len)
            die("seqs udp echo: sendto failed");
    }
}

static void s_setup(unsigned maxc) {
    seqs_config_t cfg;
    seqs_config_default(&cfg);
    memcpy(cfg.mac, US_MAC, 6);
    cfg.flags |= SEQS_CFG_NO_GRATUITOUS;
    cfg.max_tcp_conns = (uint8_t)maxc;
    int r = seqs_stack_init(&st, &cfg);
    if (r || (r = seqs_stack_set_addr(&st, US_IP, 24, 0, 0)))
        die("seqs setup: %s", seqs_strerror(r));
    if (seqs_udp_open(&st, &usock, udp_rx, sizeof udp_rx) || seqs_udp_bind(&st, usock, 0, UDP_PORT))
        die("seqs: udp socket");
    size_t pool_len = (size_t)maxc * (CONN_RX + CONN_TX);
    uint8_t *pool = malloc(pool_len);
    conns = calloc(maxc, sizeof *conns);
    max_conns = maxc;
    if (!pool || !conns || (r = seqs_tcp_listen(&st, &lst, TCP_PORT, maxc, pool, pool_len, CONN_RX, CONN_TX)))
        die("seqs listen: %s", seqs_strerror(r));
    uint8_t f[64];
    s_input(f, peer_arp_request(f));   /* learn the peer's MAC */
    s_output();
    wire_clear(&wire_out);
}

static void s_delack(void) {
    now_us += 50000;   /* past the 40 ms delayed-ACK timer */
    s_output();
}

static int s_accept(void) {
    seqs_tcp_t h;
    if (seqs_tcp_accept(&st, lst, &h) != SEQS_OK)
        return -1;
    for (unsigned i = 0; i < max_conns; i++)
        if (!conns[i]) {
            conns[i] = h;
            nconns++;
            return (int)i;
        }
    die("seqs: more connections than slots");
    return -1;
}

static size_t s_read(int id, uint8_t *buf, size_t cap) {
    int n = seqs_tcp_read(&st, conns[id], buf, cap);
    return n > 0 ? (size_t)n : 0;
}

static void s_abort(int id) {
    seqs_tcp_abort(&st, conns[id]);
    conns[id] = 0;
    nconns--;
    s_output();
}

/* --- bulk: A sends to B ------------------------------------------------------ */
static seqs_stack_t sa, sb;
static seqs_tcp_t ca, cb;
static uint8_t *bulk_mem;

static void bulk_init(seqs_stack_t *s, const uint8_t *mac, uint32_t ip) {
    seqs_config_t cfg;
    seqs_config_default(&cfg);
    memcpy(cfg.mac, mac, 6);
    cfg.flags |= SEQS_CFG_NO_GRATUITOUS;
    if (seqs_stack_init(s, &cfg) || seqs_stack_set_addr(s, ip, 24, 0, 0))
        die("seqs bulk setup");
}

static void deliver(seqs_stack_t *to, wire_t *w) {
    size_t n;
    const uint8_t *f;
    while ((f = wire_peek(w, &n))) {
        memcpy(rxbuf, f, n);
        wire_pop(w);
        seqs_stack_input(to, rxbuf, n, now_us);
    }
}

static void s_bulk_setup(void) {
    bulk_init(&sa, A_MAC, A_IP);
    bulk_init(&sb, B_MAC, B_IP);
    bulk_mem = malloc(4 * BULK_BUF);
    seqs_tcp_listener_t l;
    if (seqs_tcp_listen(&sb, &l, TCP_PORT, 1, bulk_mem, 2 * BULK_BUF, BULK_BUF, BULK_BUF) ||
        seqs_tcp_connect(&sa, &ca, B_IP, TCP_PORT, 0, bulk_mem + 2 * BULK_BUF, BULK_BUF, bulk_mem + 3 * BULK_BUF,
                         BULK_BUF))
        die("seqs bulk connect");
    for (int i = 0; i < 20 && seqs_tcp_accept(&sb, l, &cb) != SEQS_OK; i++) {
        drain(&sa, &wire_ab);
        deliver(&sb, &wire_ab);
        drain(&sb, &wire_ba);
        deliver(&sa, &wire_ba);
    }
    if (!cb || seqs_tcp_state(&sa, ca) != SEQS_TCP_ESTABLISHED)
        die("seqs bulk: no connection");
}

extern const uint8_t *bulk_pattern;   /* main's source data: 2 * 65536 bytes */

static size_t s_bulk_run(size_t bytes, uint8_t *sink, size_t cap) {
    size_t sent = 0, got = 0;
    while (got < bytes) {
        while (sent < bytes) {
            size_t k = bytes - sent < 65536 ? bytes - sent : 65536;
            int w = seqs_tcp_write(&sa, ca, bulk_pattern + sent % 65536, k);
            if (w <= 0)
                break;
            sent += (size_t)w;
        }
        drain(&sa, &wire_ab);
        unsigned moved = wire_ab.count;
        size_t n;
        const uint8_t *f;
        while ((f = wire_peek(&wire_ab, &n))) {
            memcpy(rxbuf, f, n);
            wire_pop(&wire_ab);
            seqs_stack_input(&sb, rxbuf, n, now_us);
            int r;
            while (got < cap && (r = seqs_tcp_read(&sb, cb, sink + got, cap - got)) > 0)
                got += (size_t)r;
        }
        drain(&sb, &wire_ba);
        moved += wire_ba.count;
        deliver(&sa, &wire_ba);
        if (!moved)
            now_us += 50000;   /* quiet: the receiver's delayed ACK comes due */
    }
    return got;
}

const side_t side_seqs = {
    "seqs", s_setup, s_input, s_output, s_delack, s_accept, s_read, s_abort, s_bulk_setup, s_bulk_run,
};
