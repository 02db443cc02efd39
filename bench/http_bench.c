/* SPDX-License-Identifier: BSD-3-Clause */
/* bench/http_bench.c — HTTP/1.1 cost: a seqs client and a seqs server in one
 * process (two stacks joined by stack/tests/tcp_sim.h, no loss), a small GET
 * with keep-alive, and the request parser alone beside nodejs http-parser
 * (Debian's libhttp-parser-dev) on the same requests.
 *
 *   http_bench rps N          N keep-alive GETs end to end; prints requests/s (wall clock)
 *   http_bench e2e N          the same without timing (for callgrind)
 *   http_bench parse-seqs N [K]  parses each request of the set (or only request K) N times
 *   http_bench parse-hp N     the same with http_parser_execute (when built with it)
 *   http_bench sizes          RAM of the server, a server connection and the client
 * bench/http_bench.sh runs them under callgrind and prints the table. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "seqs/http.h"
#include "tcp_sim.h"
#ifdef SEQS_BENCH_HTTP_PARSER
#include <http_parser.h>
#endif

/* The request set: what wrk, curl and a browser send. */
static const char *const REQS[] = {
    "GET /small.txt HTTP/1.1\r\nHost: 192.0.2.2\r\n\r\n",
    "GET /index.html HTTP/1.1\r\nHost: 192.0.2.2\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n",
    "GET /status.json?x=1 HTTP/1.1\r\nHost: device.example\r\nConnection: keep-alive\r\n"
    "Cache-Control: max-age=0\r\nUpgrade-Insecure-Requests: 1\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
    "Accept-Encoding: gzip, deflate\r\nAccept-Language: en-US,en;q=0.9\r\n"
    "Cookie: session=0123456789abcdef0123456789abcdef\r\n\r\n",
    "POST /upload HTTP/1.1\r\nHost: 192.0.2.2\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n"
    "{\"led\":\"on\",\"x\":1}",
};
#define NREQS (sizeof REQS / sizeof REQS[0])

static volatile size_t sink;

static size_t k_lo = 0, k_hi = NREQS;   /* which requests of the set (argv[3]: one) */

static unsigned long parse_seqs(unsigned long n) {
    unsigned long ok = 0;
    for (unsigned long i = 0; i < n; i++) {
        for (size_t k = k_lo; k < k_hi; k++) {
            seqs_http_msg_t m;
            seqs_http_field_t f;
            int r = seqs_http_parse_request((const uint8_t *)REQS[k], strlen(REQS[k]), &m);
            if (r > 0 && seqs_http_msg_field(&m, "host", &f))
                ok++;
            sink += m.content_length;
        }
    }
    return ok;
}

#ifdef SEQS_BENCH_HTTP_PARSER
/* The callbacks a user needs to see what we give: target, every field, end of head. */
typedef struct hp_ctx {
    const char *url, *hname, *hval;
    size_t url_len, nfields, host_len;
    int done;
} hp_ctx_t;
static int hp_url(http_parser *p, const char *at, size_t len) {
    hp_ctx_t *c = p->data;
    c->url = at;
    c->url_len = len;
    return 0;
}
static int hp_field(http_parser *p, const char *at, size_t len) {
    hp_ctx_t *c = p->data;
    c->hname = at;
    (void)len;
    c->nfields++;
    return 0;
}
static int hp_value(http_parser *p, const char *at, size_t len) {
    hp_ctx_t *c = p->data;
    c->hval = at;
    if (c->hname && (c->hname[0] == 'H' || c->hname[0] == 'h'))
        c->host_len = len;
    return 0;
}
static int hp_done(http_parser *p) {
    hp_ctx_t *c = p->data;
    c->done = 1;
    return 1;   /* stop at the end of the head, like seqs_http_parse_request */
}
static unsigned long parse_hp(unsigned long n) {
    http_parser_settings s;
    unsigned long ok = 0;
    memset(&s, 0, sizeof s);
    s.on_url = hp_url;
    s.on_header_field = hp_field;
    s.on_header_value = hp_value;
    s.on_headers_complete = hp_done;
    for (unsigned long i = 0; i < n; i++) {
        for (size_t k = k_lo; k < k_hi; k++) {
            http_parser p;
            hp_ctx_t c;
            memset(&c, 0, sizeof c);
            http_parser_init(&p, HTTP_REQUEST);
            p.data = &c;
            http_parser_execute(&p, &s, REQS[k], strlen(REQS[k]));
            if (c.done && c.host_len)
                ok++;
            sink += p.content_length;
        }
    }
    return ok;
}
#endif

/* End to end ------------------------------------------------------------------------ */

static sim_t m;
static seqs_http_server_t srv;
static seqs_http_sconn_t sconns[2];
static uint8_t sbufs[2][2048];
static uint8_t spool[3 * (4096 + 4096)];
static seqs_http_client_t cl;
static uint8_t cbuf[1024], crx[4096], ctx_[2048];
static const char BODY[] = "seqs says hello over HTTP/1.1\n";

static void h_small(seqs_http_server_t *s, seqs_http_sconn_t *c, const seqs_http_msg_t *req,
                    const uint8_t *body, size_t len, void *user) {
    (void)s; (void)req; (void)body; (void)len; (void)user;
    seqs_http_respond_static(c, 200, "Content-Type: text/plain\r\n", BODY, sizeof BODY - 1);
}

static void setup(void) {
    seqs_http_server_config_t cfg;
    sim_init(&m, 3);
    m.rate_bps = 0;
    m.delay_us = 10;
    seqs_http_server_config_default(&cfg);
    cfg.conns = sconns;
    cfg.max_conns = 2;
    cfg.bufs = &sbufs[0][0];
    cfg.buf_size = sizeof sbufs[0];
    cfg.tcp_pool = spool;
    cfg.tcp_pool_len = sizeof spool;
    cfg.tcp_rx = 4096;
    cfg.tcp_tx = 4096;
    if (seqs_http_server_start(&srv, &m.b, &cfg) != SEQS_OK ||
        seqs_http_server_route(&srv, SEQS_HTTP_GET, "/", h_small, NULL) != SEQS_OK ||
        seqs_http_client_init(&cl, &m.a, SIM_B_IP, 80, cbuf, sizeof cbuf, crx, sizeof crx, ctx_, sizeof ctx_, 5000) !=
            SEQS_OK) {
        fprintf(stderr, "setup failed\n");
        exit(1);
    }
}

static unsigned long run_requests(unsigned long n) {
    unsigned long done = 0;
    uint8_t tmp[256];
    for (unsigned long i = 0; i < n; i++) {
        if (seqs_http_client_request(&cl, "GET", "/small.txt", "192.0.2.2", NULL, NULL, 0, m.now) != SEQS_OK)
            break;
        for (int guard = 0; guard < 10000; guard++) {
            int r = seqs_http_client_read(&cl, tmp, sizeof tmp);
            if (r == 0) {
                done++;
                break;
            }
            if (r > 0)
                continue;
            if (r != SEQS_ERR_AGAIN) {
                fprintf(stderr, "request %lu: %s\n", i, seqs_http_strerror(r));
                return done;
            }
            sim_step(&m, SEQS_NEVER);
        }
    }
    return done;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "rps";
    unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 10) : 20000;
    if (argc > 3) {
        k_lo = strtoul(argv[3], NULL, 10) % NREQS;
        k_hi = k_lo + 1;
    }
    if (!strcmp(mode, "sizes")) {
        printf("{\"sizeof_server\":%zu,\"sizeof_sconn\":%zu,\"sizeof_client\":%zu,\"sizeof_msg\":%zu}\n",
               sizeof(seqs_http_server_t), sizeof(seqs_http_sconn_t), sizeof(seqs_http_client_t),
               sizeof(seqs_http_msg_t));
        return 0;
    }
    if (!strcmp(mode, "parse-seqs")) {
        unsigned long ok = parse_seqs(n);
        printf("{\"mode\":\"parse-seqs\",\"n\":%lu,\"ok\":%lu}\n", n, ok);
        return ok == n * (k_hi - k_lo) ? 0 : 1;
    }
    if (!strcmp(mode, "parse-hp")) {
#ifdef SEQS_BENCH_HTTP_PARSER
        unsigned long ok = parse_hp(n);
        printf("{\"mode\":\"parse-hp\",\"n\":%lu,\"ok\":%lu}\n", n, ok);
        return ok == n * (k_hi - k_lo) ? 0 : 1;
#else
        fprintf(stderr, "built without libhttp-parser-dev\n");
        return 2;
#endif
    }
    setup();
    if (!strcmp(mode, "e2e")) {
        unsigned long d = run_requests(n);
        printf("{\"mode\":\"e2e\",\"n\":%lu,\"done\":%lu}\n", n, d);
        return d == n ? 0 : 1;
    }
    if (!strcmp(mode, "rps")) {
        struct timespec a, b;
        run_requests(100);   /* warm up: connection open */
        clock_gettime(CLOCK_MONOTONIC, &a);
        unsigned long d = run_requests(n);
        clock_gettime(CLOCK_MONOTONIC, &b);
        double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
        printf("{\"mode\":\"rps\",\"n\":%lu,\"done\":%lu,\"seconds\":%.3f,\"requests_per_s\":%.0f,"
               "\"frames\":%llu,\"connects\":%u}\n",
               n, d, s, (double)d / s, (unsigned long long)m.frames, cl.counters.connects);
        return d == n && cl.counters.connects == 1 ? 0 : 1;
    }
    fprintf(stderr, "usage: http_bench rps|e2e|parse-seqs|parse-hp|sizes [N]\n");
    return 2;
}
