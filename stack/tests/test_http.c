/* SPDX-License-Identifier: BSD-3-Clause */
/* HTTP server and client over two stacks in one process (stack/tests/tcp_sim.h):
 * keep-alive GETs, HEAD, a chunked 1 MiB stream read through a 1 KiB buffer,
 * POST with a body, 404, and the parser on fixed inputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seqs/http.h"
#include "tcp_sim.h"

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static seqs_http_server_t srv;
static seqs_http_sconn_t sconns[4];
static uint8_t sbufs[4][2048];
static uint8_t spool[5 * (8192 + 8192)];
static seqs_http_client_t cl;
static uint8_t cbuf[1024], crx[16384], ctx_[8192];

static void h_hello(seqs_http_server_t *s, seqs_http_sconn_t *c, const seqs_http_msg_t *req,
                    const uint8_t *body, size_t len, void *user) {
    (void)s; (void)req; (void)body; (void)len; (void)user;
    seqs_http_respond(c, 200, "Content-Type: text/plain\r\n", "hello", 5);
}

static void h_echo(seqs_http_server_t *s, seqs_http_sconn_t *c, const seqs_http_msg_t *req,
                   const uint8_t *body, size_t len, void *user) {
    (void)s; (void)req; (void)user;
    seqs_http_respond(c, 201, NULL, body, len);
}

static int big_src(void *ctx, uint64_t off, uint8_t *dst, size_t cap) {
    uint64_t total = *(uint64_t *)ctx;
    size_t n = 0;
    while (n < cap && off + n < total) {
        dst[n] = sim_pattern(7, off + n);
        n++;
    }
    return (int)n;
}
static uint64_t big_total = 1u << 20;

static void h_big(seqs_http_server_t *s, seqs_http_sconn_t *c, const seqs_http_msg_t *req,
                  const uint8_t *body, size_t len, void *user) {
    (void)s; (void)req; (void)body; (void)len; (void)user;
    seqs_http_respond_stream(c, 200, NULL, -1, big_src, &big_total);
}

static sim_t m;

/* Runs until the client leaves BUSY/BODY, reading the body; returns the body length. */
static long fetch(const char *method, const char *target, const char *body, uint8_t *out, size_t cap, int check_pattern) {
    size_t got = 0;
    long bad = 0;
    int r = seqs_http_client_request(&cl, method, target, NULL, NULL, body, body ? strlen(body) : 0, m.now);
    if (r != SEQS_OK) {
        printf("request: %d\n", r);
        return -1;
    }
    uint64_t limit = m.now + 60000000u;
    while (m.now < limit) {
        uint8_t tmp[700];
        int n = seqs_http_client_read(&cl, tmp, sizeof tmp);
        if (n > 0) {
            for (int i = 0; i < n; i++) {
                if (check_pattern && tmp[i] != sim_pattern(7, got + (size_t)i)) bad++;
                if (out && got + (size_t)i < cap) out[got + (size_t)i] = tmp[i];
            }
            got += (size_t)n;
            continue;
        }
        if (n == 0) break;
        if (n != SEQS_ERR_AGAIN) {
            printf("read: %d\n", n);
            return -1;
        }
        sim_step(&m, limit);
    }
    if (bad) return -2;
    return (long)got;
}

int main(void) {
    seqs_http_server_config_t cfg;
    sim_init(&m, 1);
    seqs_http_server_config_default(&cfg);
    cfg.conns = sconns;
    cfg.max_conns = 4;
    cfg.bufs = &sbufs[0][0];
    cfg.buf_size = sizeof sbufs[0];
    cfg.tcp_pool = spool;
    cfg.tcp_pool_len = sizeof spool;
    cfg.tcp_rx = 8192;
    cfg.tcp_tx = 8192;
    CHECK(seqs_http_server_start(&srv, &m.b, &cfg) == SEQS_OK);
    CHECK(seqs_http_server_route(&srv, SEQS_HTTP_GET, "/hello", h_hello, NULL) == SEQS_OK);
    CHECK(seqs_http_server_route(&srv, SEQS_HTTP_POST, "/echo", h_echo, NULL) == SEQS_OK);
    CHECK(seqs_http_server_route(&srv, SEQS_HTTP_GET, "/big", h_big, NULL) == SEQS_OK);
    CHECK(seqs_http_client_init(&cl, &m.a, SIM_B_IP, 80, cbuf, sizeof cbuf, crx, sizeof crx, ctx_, sizeof ctx_, 5000) == SEQS_OK);

    uint8_t out[256];
    CHECK(fetch("GET", "/hello", NULL, out, sizeof out, 0) == 5 && memcmp(out, "hello", 5) == 0);
    CHECK(seqs_http_client_response(&cl)->status == 200);
    CHECK(fetch("GET", "/hello", NULL, out, sizeof out, 0) == 5);
    CHECK(cl.counters.connects == 1 && cl.counters.reused == 1);
    CHECK(fetch("HEAD", "/hello", NULL, out, sizeof out, 0) == 0);
    CHECK(seqs_http_client_response(&cl)->content_length == 5);
    CHECK(fetch("GET", "/nope", NULL, out, sizeof out, 0) == 9);
    CHECK(seqs_http_client_response(&cl)->status == 404);
    CHECK(fetch("POST", "/echo", "posted body", out, sizeof out, 0) == 11 && memcmp(out, "posted body", 11) == 0);
    CHECK(seqs_http_client_response(&cl)->status == 201);
    long n = fetch("GET", "/big", NULL, NULL, 0, 1);
    CHECK(n == (long)big_total);
    CHECK(seqs_http_client_response(&cl)->framing == SEQS_HTTP_BODY_CHUNKED);
    CHECK(cl.counters.connects == 1);
    CHECK(srv.counters.requests == 6 && srv.counters.responses == 6);

    /* parser spot checks */
    seqs_http_msg_t msg;
    const char *r1 = "\r\nGET /x HTTP/1.1\r\nHost: a\r\nX-A:  v v \r\n\r\n";
    CHECK(seqs_http_parse_request((const uint8_t *)r1, strlen(r1), &msg) == (int)strlen(r1));
    seqs_http_field_t f;
    CHECK(seqs_http_msg_field(&msg, "x-a", &f) == 1 && f.value_len == 3 && memcmp(f.value, "v v", 3) == 0);
    CHECK(seqs_http_parse_request((const uint8_t *)"GET / HTTP/1.1\r\n\r\n", 18, &msg) == -400);
    CHECK(seqs_http_parse_request((const uint8_t *)"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 27, &msg) == -505);
    CHECK(seqs_http_parse_request((const uint8_t *)"BREW / HTTP/1.1\r\nHost: a\r\n\r\n", 28, &msg) == -501);
    CHECK(seqs_http_parse_request((const uint8_t *)"GET / HTTP/1.1\r\nHost : a\r\n\r\n", 28, &msg) == -400);
    CHECK(seqs_http_parse_request((const uint8_t *)"GET / HTTP/1.1\r\nHo", 18, &msg) == 0);

    seqs_http_client_close(&cl);
    seqs_http_server_stop(&srv);
    if (failures) {
        printf("%d failures\n", failures);
        return 1;
    }
    printf("test_http: OK\n");
    return 0;
}
