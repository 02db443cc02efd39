/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz/fuzz_http_server.c — the whole HTTP server (seqs/http.h) under a fuzzed client.
 *
 * Stack B runs the server (2 connections, 1 KiB buffers: the limits are reached
 * quickly) with a route that echoes, one that streams chunked, one that answers
 * nothing; stack A opens TCP connections to it and writes the input, joined in
 * process (stack/tests/tcp_sim.h, no loss). Input: records of
 *   [1 byte: bits 0-1 connection (0, 1, 2: a third one, over the cap),
 *            bit 2 close that connection after, bit 3 advance time by 3 s]
 *   [1 byte length L] [L bytes written on it]
 * Every response byte is read and dropped. At the end every client connection
 * is closed and time runs on: the server must then have no connection left
 * (no leak), and it must never hold more than its cap. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seqs/http.h"
#include "../stack/tests/tcp_sim.h"

static void must(int c) {
    if (!c) abort();
}

static int gen(void *ctx, uint64_t off, uint8_t *dst, size_t cap) {
    (void)ctx;
    if (off >= 3000) return 0;
    size_t n = cap < 700 ? cap : 700;
    memset(dst, 'g', n);
    return (int)n;
}

static void h_echo(seqs_http_server_t *s, seqs_http_sconn_t *c, const seqs_http_msg_t *req, const uint8_t *body,
                   size_t len, void *user) {
    seqs_http_field_t f;
    size_t cur = 0;
    (void)s; (void)user;
    while (seqs_http_msg_next_field(req, &cur, &f))
        ;
    seqs_http_respond(c, 200, "X-A: b\r\n", body, len);
}
static void h_gen(seqs_http_server_t *s, seqs_http_sconn_t *c, const seqs_http_msg_t *req, const uint8_t *body,
                  size_t len, void *user) {
    (void)s; (void)req; (void)body; (void)len; (void)user;
    seqs_http_respond_stream(c, 200, NULL, -1, gen, NULL);
}
static void h_none(seqs_http_server_t *s, seqs_http_sconn_t *c, const seqs_http_msg_t *req, const uint8_t *body,
                   size_t len, void *user) {
    (void)s; (void)c; (void)req; (void)body; (void)len; (void)user;
}

static sim_t m;
static seqs_http_server_t srv;
static seqs_http_sconn_t sconns[2];
static uint8_t sbufs[2][1024];
static uint8_t spool[4 * (2048 + 2048)];
static uint8_t cbufs[3][2][4096];

static void pump(uint64_t until) {
    for (int i = 0; i < 2000 && sim_step(&m, until); i++)
        if (m.now >= until) break;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    seqs_http_server_config_t cfg;
    seqs_tcp_t c[3] = {0, 0, 0};
    uint8_t sink[2048];
    size_t pos = 0;
    sim_init(&m, 5);
    m.rate_bps = 0;
    m.delay_us = 100;
    seqs_http_server_config_default(&cfg);
    cfg.conns = sconns;
    cfg.max_conns = 2;
    cfg.bufs = &sbufs[0][0];
    cfg.buf_size = sizeof sbufs[0];
    cfg.tcp_pool = spool;
    cfg.tcp_pool_len = sizeof spool;
    cfg.tcp_rx = 2048;
    cfg.tcp_tx = 2048;
    cfg.max_body = 600;
    must(seqs_http_server_start(&srv, &m.b, &cfg) == SEQS_OK);
    must(seqs_http_server_route(&srv, SEQS_HTTP_POST, "/e", h_echo, NULL) == SEQS_OK);
    must(seqs_http_server_route(&srv, SEQS_HTTP_GET, "/g", h_gen, NULL) == SEQS_OK);
    must(seqs_http_server_route(&srv, SEQS_HTTP_ANY, "/n", h_none, NULL) == SEQS_OK);
    must(seqs_http_server_route(&srv, SEQS_HTTP_ANY, "/", h_echo, NULL) == SEQS_OK);
    while (pos + 2 <= size) {
        unsigned ctl = data[pos], k = ctl & 3u;
        size_t len = data[pos + 1];
        pos += 2;
        if (len > size - pos) len = size - pos;
        if (k > 2) k = 2;
        if (c[k] == 0 || seqs_tcp_state(&m.a, c[k]) < 0) {
            c[k] = 0;
            if (seqs_tcp_connect(&m.a, &c[k], SIM_B_IP, 80, 0, cbufs[k][0], sizeof cbufs[k][0], cbufs[k][1],
                                 sizeof cbufs[k][1]) != SEQS_OK)
                c[k] = 0;
            pump(m.now + 5000);
        }
        if (c[k]) {
            (void)seqs_tcp_write(&m.a, c[k], data + pos, len);
            pump(m.now + 3000);
            for (unsigned j = 0; j < 3; j++)
                while (c[j] && seqs_tcp_read(&m.a, c[j], sink, sizeof sink) > 0)
                    ;
            if (ctl & 4u) {
                (void)seqs_tcp_close(&m.a, c[k]);
                c[k] = 0;
            }
        }
        if (ctl & 8u) pump(m.now + 3000000);
        must(seqs_http_server_active(&srv) <= 2);
        pos += len;
    }
    for (unsigned j = 0; j < 3; j++) {
        if (c[j]) {
            while (seqs_tcp_read(&m.a, c[j], sink, sizeof sink) > 0)
                ;
            (void)seqs_tcp_close(&m.a, c[j]);
        }
    }
    /* the server's own timers end whatever is left: idle, request (408), linger */
    for (int i = 0; i < 8; i++) {
        pump(m.now + 5000000);
        for (unsigned j = 0; j < 3; j++)
            if (c[j])
                while (seqs_tcp_read(&m.a, c[j], sink, sizeof sink) > 0)
                    ;
    }
    must(seqs_http_server_active(&srv) == 0);
    seqs_http_server_stop(&srv);
    return 0;
}
