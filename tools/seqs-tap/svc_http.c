/* SPDX-License-Identifier: BSD-3-Clause */
/* svc_http.c — HTTP on seqs-tap (seqs/http.h):
 *   --http PORT         an HTTP/1.1 server: "/" is a status page (the stack's
 *                       counters and the server's own, as HTML), "/status.json"
 *                       the same as JSON, POST/PUT /upload answers the body's
 *                       length and SHA-256, and with --http-root every other path
 *                       is a file under DIR (GET/HEAD, Content-Length, streamed).
 *   --http-root DIR     the directory --http serves files from.
 *   --http-get URL      client: GET http://A.B.C.D[:PORT]/path, then prints
 *                       {"event":"http-get","status":N,"bytes":N,"sha256":"..."}
 *                       (or with "error") and finishes.
 * The server and client are the core's (attached to the stack with seqs/app.h);
 * this file only gives them memory and routes, and reports their counters. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <seqs/http.h>

#include "service.h"
#include "sha256.h"

#define HTTP_CONNS 120             /* concurrent connections (wrk/ab with 100) */
#define HTTP_BUF 16384             /* per connection: request head + body (uploads) */
#define HTTP_TCP_RX 16384
#define HTTP_TCP_TX 32768
#define HTTP_PAGE 32768            /* status page rendering, per connection */

static char g_root[256];           /* --http-root (host tool: a file-level setting is fine) */

typedef struct http_srv {
    uint16_t port;
    seqs_http_server_t srv;
    seqs_http_sconn_t *conns;
    uint8_t *bufs, *pool;
    char *pages;                   /* HTTP_CONNS * HTTP_PAGE */
    int *fds;                      /* per connection: the file being sent, -1 */
    uint64_t *fsize;
    seqs_stack_t *s;
    uint32_t files, file_errors;
} http_srv_t;

static int http_parse(svc_t *sv, const char *arg, char *err, size_t errlen)
{
    http_srv_t *st = sv->state;
    char *end = NULL;
    unsigned long v = strtoul(arg, &end, 10);
    if (!*arg || *end || v < 1 || v > 65535) {
        snprintf(err, errlen, "--http: expected a port 1..65535, got '%s'", arg);
        return -1;
    }
    st->port = (uint16_t)v;
    return 0;
}

static size_t conn_index(const http_srv_t *st, const seqs_http_sconn_t *c)
{
    return (size_t)(c - st->conns);
}

static void close_fd(http_srv_t *st, size_t i)
{
    if (st->fds[i] >= 0) {
        close(st->fds[i]);
        st->fds[i] = -1;
    }
}

/* Renders the status page (html = 1) or JSON into the connection's page buffer. */
static size_t render(http_srv_t *st, size_t ci, int html)
{
    char *p = st->pages + ci * HTTP_PAGE;
    size_t cap = HTTP_PAGE, n = 0;
    const seqs_http_server_counters_t *hc = seqs_http_server_counters(&st->srv);
#define OUT(...) do { int k_ = snprintf(p + n, cap - n, __VA_ARGS__); if (k_ > 0) n += (size_t)k_ < cap - n ? (size_t)k_ : cap - n - 1; } while (0)
    if (html)
        OUT("<!DOCTYPE html>\n<html><head><title>seqs-tap</title></head><body>\n<h1>seqs-tap status</h1>\n"
            "<h2>stack counters</h2>\n<table>\n");
    else
        OUT("{\"counters\":{");
    for (unsigned i = 0; i < SEQS_COUNTER_COUNT; i++) {
        const char *name = seqs_counter_name(i);
        if (html)
            OUT("<tr><td>%s</td><td>%u</td></tr>\n", name ? name : "?", seqs_counter_value(st->s, i));
        else
            OUT("%s\"%s\":%u", i ? "," : "", name ? name : "?", seqs_counter_value(st->s, i));
    }
    if (html)
        OUT("</table>\n<h2>http</h2>\n<table>\n"
            "<tr><td>active</td><td>%u</td></tr><tr><td>requests</td><td>%u</td></tr>"
            "<tr><td>responses</td><td>%u</td></tr><tr><td>conns_accepted</td><td>%u</td></tr>"
            "<tr><td>conns_rejected</td><td>%u</td></tr><tr><td>bad_request</td><td>%u</td></tr>\n"
            "</table>\n</body></html>\n",
            seqs_http_server_active(&st->srv), hc->requests, hc->responses, hc->conns_accepted,
            hc->conns_rejected, hc->bad_request);
    else
        OUT("},\"http\":{\"active\":%u,\"requests\":%u,\"responses\":%u,\"conns_accepted\":%u,"
            "\"conns_rejected\":%u,\"bad_request\":%u}}\n",
            seqs_http_server_active(&st->srv), hc->requests, hc->responses, hc->conns_accepted,
            hc->conns_rejected, hc->bad_request);
#undef OUT
    return n;
}

static void h_status(seqs_http_server_t *srv, seqs_http_sconn_t *c, const seqs_http_msg_t *req,
                     const uint8_t *body, size_t len, void *user)
{
    http_srv_t *st = user;
    size_t ci = conn_index(st, c), tl;
    const char *t = seqs_http_msg_target(req, &tl);
    (void)srv; (void)body; (void)len;
    int json = tl >= 12 && memcmp(t, "/status.json", 12) == 0 && (tl == 12 || t[12] == '?');
    size_t n = render(st, ci, !json);
    seqs_http_respond_static(c, 200, json ? "Content-Type: application/json\r\nCache-Control: no-store\r\n"
                                          : "Content-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n",
                             st->pages + ci * HTTP_PAGE, n);
}

/* POST/PUT /upload: the body's length and SHA-256 (so a test compares them with what it sent). */
static void h_upload(seqs_http_server_t *srv, seqs_http_sconn_t *c, const seqs_http_msg_t *req,
                     const uint8_t *body, size_t len, void *user)
{
    sha256_t h;
    char hex[65], out[128];
    (void)srv; (void)req; (void)user;
    sha256_init(&h);
    sha256_update(&h, body, len);
    sha256_hex(&h, hex);
    int n = snprintf(out, sizeof out, "{\"bytes\":%zu,\"sha256\":\"%s\"}\n", len, hex);
    seqs_http_respond(c, 200, "Content-Type: application/json\r\n", out, (size_t)n);
}

typedef struct file_src {
    http_srv_t *st;
    size_t ci;
} file_src_t;

static file_src_t g_srcs[HTTP_CONNS];

static int file_source(void *ctx, uint64_t off, uint8_t *dst, size_t cap)
{
    file_src_t *fs = ctx;
    http_srv_t *st = fs->st;
    int fd = st->fds[fs->ci];
    if (fd < 0)
        return -1;
    ssize_t r = pread(fd, dst, cap, (off_t)off);
    if (r <= 0) {
        st->file_errors++;
        close_fd(st, fs->ci);
        return -1;
    }
    if (off + (uint64_t)r >= st->fsize[fs->ci])
        close_fd(st, fs->ci);
    return (int)r;
}

static const char *content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot) return "application/octet-stream";
    if (!strcmp(dot, ".html") || !strcmp(dot, ".htm")) return "text/html; charset=utf-8";
    if (!strcmp(dot, ".txt")) return "text/plain; charset=utf-8";
    if (!strcmp(dot, ".json")) return "application/json";
    if (!strcmp(dot, ".css")) return "text/css";
    if (!strcmp(dot, ".js")) return "text/javascript";
    return "application/octet-stream";
}

static void h_file(seqs_http_server_t *srv, seqs_http_sconn_t *c, const seqs_http_msg_t *req,
                   const uint8_t *body, size_t len, void *user)
{
    http_srv_t *st = user;
    size_t ci = conn_index(st, c), tl, i;
    const char *t = seqs_http_msg_target(req, &tl);
    char path[512], hdr[96];
    (void)srv; (void)body; (void)len;
    /* the path without the query; no "..", no NUL; only plain files under the root */
    for (i = 0; i < tl && t[i] != '?' && t[i] != '#'; i++)
        ;
    if (i == 1 && t[0] == '/') {
        h_status(srv, c, req, body, len, user);   /* "/" is the status page */
        return;
    }
    if (t[0] != '/' || i >= 200 || !g_root[0]) {
        seqs_http_respond(c, 404, "Content-Type: text/plain\r\n", "not found\n", 10);
        return;
    }
    if (memmem(t, i, "..", 2) != NULL) {
        seqs_http_respond(c, 403, "Content-Type: text/plain\r\n", "forbidden\n", 10);
        return;
    }
    snprintf(path, sizeof path, "%s%.*s", g_root, (int)i, t);
    close_fd(st, ci);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (fd >= 0)
            close(fd);
        seqs_http_respond(c, 404, "Content-Type: text/plain\r\n", "not found\n", 10);
        return;
    }
    st->fds[ci] = fd;
    st->fsize[ci] = (uint64_t)sb.st_size;
    st->files++;
    g_srcs[ci].st = st;
    g_srcs[ci].ci = ci;
    snprintf(hdr, sizeof hdr, "Content-Type: %s\r\n", content_type(path));
    if (seqs_http_respond_stream(c, 200, hdr, (int64_t)sb.st_size, file_source, &g_srcs[ci]) != SEQS_OK)
        close_fd(st, ci);
    else if (sb.st_size == 0 || req->method == SEQS_HTTP_HEAD)
        close_fd(st, ci);
}

static int http_start(svc_t *sv, seqs_stack_t *s, uint64_t now_us, char *err, size_t errlen)
{
    http_srv_t *st = sv->state;
    seqs_http_server_config_t cfg;
    (void)now_us;
    st->s = s;
    st->conns = calloc(HTTP_CONNS, sizeof *st->conns);
    st->bufs = malloc((size_t)HTTP_CONNS * HTTP_BUF);
    st->pool = malloc((size_t)(HTTP_CONNS + 4) * (HTTP_TCP_RX + HTTP_TCP_TX));
    st->pages = malloc((size_t)HTTP_CONNS * HTTP_PAGE);
    st->fds = malloc(HTTP_CONNS * sizeof *st->fds);
    st->fsize = calloc(HTTP_CONNS, sizeof *st->fsize);
    if (!st->conns || !st->bufs || !st->pool || !st->pages || !st->fds || !st->fsize) {
        snprintf(err, errlen, "http: out of memory");
        return -1;
    }
    for (size_t i = 0; i < HTTP_CONNS; i++)
        st->fds[i] = -1;
    seqs_http_server_config_default(&cfg);
    cfg.port = st->port;
    cfg.backlog = 64;
    cfg.conns = st->conns;
    cfg.max_conns = HTTP_CONNS;
    cfg.bufs = st->bufs;
    cfg.buf_size = HTTP_BUF;
    cfg.tcp_pool = st->pool;
    cfg.tcp_pool_len = (size_t)(HTTP_CONNS + 4) * (HTTP_TCP_RX + HTTP_TCP_TX);
    cfg.tcp_rx = HTTP_TCP_RX;
    cfg.tcp_tx = HTTP_TCP_TX;
    int rc = seqs_http_server_start(&st->srv, s, &cfg);
    if (rc == SEQS_OK)
        rc = seqs_http_server_route(&st->srv, SEQS_HTTP_GET, "/status.json", h_status, st);
    if (rc == SEQS_OK)
        rc = seqs_http_server_route(&st->srv, SEQS_HTTP_POST, "/upload", h_upload, st);
    if (rc == SEQS_OK)
        rc = seqs_http_server_route(&st->srv, SEQS_HTTP_PUT, "/upload", h_upload, st);
    if (rc == SEQS_OK)
        rc = seqs_http_server_route(&st->srv, SEQS_HTTP_GET, "/", h_file, st);
    if (rc != SEQS_OK) {
        snprintf(err, errlen, "http: port %u: %s", st->port, seqs_strerror(rc));
        return -1;
    }
    return 0;
}

static int http_poll(svc_t *sv, seqs_stack_t *s, uint64_t now_us)
{
    http_srv_t *st = sv->state;
    (void)s; (void)now_us;
    /* a connection that ended (or was aborted) mid-file gives its descriptor back */
    for (size_t i = 0; st->fds && i < HTTP_CONNS; i++)
        if (st->fds[i] >= 0 && seqs_http_sconn_state(&st->conns[i]) == SEQS_HTTP_SC_FREE)
            close_fd(st, i);
    return 0;
}

static void http_report(const svc_t *sv, FILE *f)
{
    const http_srv_t *st = sv->state;
    const seqs_http_server_counters_t *c = seqs_http_server_counters(&st->srv);
    fprintf(f, "\"port\":%u,\"active\":%u,\"conns_accepted\":%u,\"conns_rejected\":%u,\"requests\":%u,"
               "\"responses\":%u,\"bad_request\":%u,\"uri_too_long\":%u,\"fields_too_large\":%u,"
               "\"body_too_large\":%u,\"not_implemented\":%u,\"bad_version\":%u,\"expectation_failed\":%u,"
               "\"not_found\":%u,\"request_timeouts\":%u,\"idle_closes\":%u,\"linger_timeouts\":%u,"
               "\"continues\":%u,\"conn_errors\":%u,\"peer_resets\":%u,\"files\":%u,\"file_errors\":%u,"
               "\"sizeof_server\":%zu,\"sizeof_conn\":%zu,\"conn_buf\":%u",
            st->port, st->conns ? seqs_http_server_active(&st->srv) : 0, c->conns_accepted, c->conns_rejected,
            c->requests, c->responses, c->bad_request, c->uri_too_long, c->fields_too_large, c->body_too_large,
            c->not_implemented, c->bad_version, c->expectation_failed, c->not_found, c->request_timeouts,
            c->idle_closes, c->linger_timeouts, c->continues, c->conn_errors, c->peer_resets, st->files, st->file_errors,
            sizeof(seqs_http_server_t), sizeof(seqs_http_sconn_t), (unsigned)HTTP_BUF);
}

static void http_stop(svc_t *sv, seqs_stack_t *s)
{
    http_srv_t *st = sv->state;
    (void)s;
    if (st->conns)
        seqs_http_server_stop(&st->srv);
    for (size_t i = 0; st->fds && i < HTTP_CONNS; i++)
        close_fd(st, i);
}

const svc_ops_t svc_http = {
    .option = "http",
    .argname = "PORT",
    .help = "HTTP/1.1 server: / status page, /status.json, files from --http-root",
    .state_size = sizeof(http_srv_t),
    .parse = http_parse,
    .start = http_start,
    .poll = http_poll,
    .report = http_report,
    .stop = http_stop,
};

/* --http-root DIR ---------------------------------------------------------------- */

static int root_parse(svc_t *sv, const char *arg, char *err, size_t errlen)
{
    struct stat sb;
    (void)sv;
    if (strlen(arg) >= sizeof g_root - 1 || stat(arg, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "--http-root: '%s' is not a directory (or longer than %zu)", arg, sizeof g_root - 2);
        return -1;
    }
    snprintf(g_root, sizeof g_root, "%s", arg);
    size_t n = strlen(g_root);
    if (n > 1 && g_root[n - 1] == '/')
        g_root[n - 1] = '\0';
    return 0;
}

static void root_report(const svc_t *sv, FILE *f)
{
    (void)sv;
    fprintf(f, "\"root\":\"%s\"", g_root);
}

const svc_ops_t svc_http_root = {
    .option = "http-root",
    .argname = "DIR",
    .help = "directory of files --http serves (GET/HEAD; '/' stays the status page)",
    .state_size = 1,
    .parse = root_parse,
    .report = root_report,
};

/* --http-get URL ----------------------------------------------------------------- */

typedef struct http_get {
    uint32_t addr;
    uint16_t port;
    char host[64];
    char target[512];
    seqs_http_client_t cl;
    uint8_t *buf, *rx, *tx;
    sha256_t sha;
    uint64_t bytes, start_us, end_us;
    int status;
    int done;          /* 1 ok, -1 failed */
    int err;
    char framing[12];
} http_get_t;

static int get_parse(svc_t *sv, const char *arg, char *err, size_t errlen)
{
    http_get_t *st = sv->state;
    const char *p = arg, *slash;
    char hostport[64], *colon;
    struct in_addr a;
    if (strncmp(p, "http://", 7) != 0)
        goto bad;
    p += 7;
    slash = strchr(p, '/');
    size_t hl = slash ? (size_t)(slash - p) : strlen(p);
    if (hl == 0 || hl >= sizeof hostport)
        goto bad;
    memcpy(hostport, p, hl);
    hostport[hl] = '\0';
    snprintf(st->host, sizeof st->host, "%s", hostport);
    snprintf(st->target, sizeof st->target, "%s", slash ? slash : "/");
    if (slash && strlen(slash) >= sizeof st->target)
        goto bad;
    st->port = 80;
    colon = strchr(hostport, ':');
    if (colon) {
        char *end = NULL;
        unsigned long v = strtoul(colon + 1, &end, 10);
        if (!colon[1] || *end || v < 1 || v > 65535)
            goto bad;
        st->port = (uint16_t)v;
        *colon = '\0';
    }
    if (inet_pton(AF_INET, hostport, &a) != 1)
        goto bad;
    st->addr = ntohl(a.s_addr);
    return 0;
bad:
    snprintf(err, errlen, "--http-get: expected http://A.B.C.D[:PORT]/path, got '%s'", arg);
    return -1;
}

static int get_start(svc_t *sv, seqs_stack_t *s, uint64_t now_us, char *err, size_t errlen)
{
    http_get_t *st = sv->state;
    st->buf = malloc(HTTP_BUF);
    st->rx = malloc(65536);
    st->tx = malloc(8192);
    if (!st->buf || !st->rx || !st->tx) {
        snprintf(err, errlen, "http-get: out of memory");
        return -1;
    }
    sha256_init(&st->sha);
    st->start_us = now_us;
    int rc = seqs_http_client_init(&st->cl, s, st->addr, st->port, st->buf, HTTP_BUF, st->rx, 65536, st->tx, 8192,
                                   10000);
    if (rc == SEQS_OK)
        rc = seqs_http_client_request(&st->cl, "GET", st->target, st->host, "User-Agent: seqs-tap\r\n", NULL, 0,
                                      now_us);
    if (rc != SEQS_OK) {
        snprintf(err, errlen, "http-get: %s", seqs_http_strerror(rc));
        return -1;
    }
    return 0;
}

static void get_event(http_get_t *st)
{
    char hex[65];
    sha256_hex(&st->sha, hex);
    if (st->done > 0)
        printf("{\"event\":\"http-get\",\"status\":%d,\"bytes\":%llu,\"sha256\":\"%s\",\"framing\":\"%s\","
               "\"time_us\":%llu}\n", st->status, (unsigned long long)st->bytes, hex, st->framing,
               (unsigned long long)(st->end_us - st->start_us));
    else
        printf("{\"event\":\"http-get\",\"status\":%d,\"bytes\":%llu,\"error\":\"%s\"}\n", st->status,
               (unsigned long long)st->bytes, seqs_http_strerror(st->err));
    fflush(stdout);
    fprintf(stderr, "http-get: %s -> %d, %llu bytes%s%s\n", st->target, st->status, (unsigned long long)st->bytes,
            st->done > 0 ? "" : ", error: ", st->done > 0 ? "" : seqs_http_strerror(st->err));
}

static int get_poll(svc_t *sv, seqs_stack_t *s, uint64_t now_us)
{
    static uint8_t chunk[16384];
    static const char *const framings[] = {"none", "length", "chunked", "close"};
    http_get_t *st = sv->state;
    int did = 0;
    (void)s;
    if (st->done)
        return 0;
    for (;;) {
        int n = seqs_http_client_read(&st->cl, chunk, sizeof chunk);
        const seqs_http_msg_t *m = seqs_http_client_response(&st->cl);
        if (m) {
            st->status = m->status;
            snprintf(st->framing, sizeof st->framing, "%s", m->framing < 4 ? framings[m->framing] : "?");
        }
        if (n > 0) {
            sha256_update(&st->sha, chunk, (size_t)n);
            st->bytes += (uint64_t)n;
            did = 1;
            continue;
        }
        if (n == SEQS_ERR_AGAIN)
            return did;
        st->end_us = now_us;
        st->done = n == 0 ? 1 : -1;
        st->err = n;
        get_event(st);
        return 1;
    }
}

static int get_finished(const svc_t *sv)
{
    const http_get_t *st = sv->state;
    return st->done;
}

static void get_report(const svc_t *sv, FILE *f)
{
    const http_get_t *st = sv->state;
    char hex[65];
    sha256_hex(&st->sha, hex);
    fprintf(f, "\"status\":%d,\"bytes\":%llu,\"sha256\":\"%s\",\"done\":%d", st->status,
            (unsigned long long)st->bytes, hex, st->done);
    if (st->done < 0)
        fprintf(f, ",\"error\":\"%s\"", seqs_http_strerror(st->err));
}

const svc_ops_t svc_http_get = {
    .option = "http-get",
    .argname = "URL",
    .help = "HTTP client: GET http://A.B.C.D[:PORT]/path, print status, bytes and sha256 (client)",
    .state_size = sizeof(http_get_t),
    .parse = get_parse,
    .start = get_start,
    .poll = get_poll,
    .finished = get_finished,
    .report = get_report,
};
