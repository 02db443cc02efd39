/* SPDX-License-Identifier: BSD-3-Clause */
/* status_http.c — the status page: HTTP/1.1 (seqs/http.h) on fw_config()->http_port
 * (default 80). GET /status.json answers JSON, any other GET the same as an HTML page:
 * uptime, address, the DHCP lease, NTP time, the non-zero counters (core, main loop,
 * apps) and the TCP connections the apps hold.
 *
 * One HTTP connection at a time (a second one gets 503 from the server); the page is
 * built into its own buffer at each request and sent from there (respond_static), so
 * its size is bounded by FW_STATUS_PAGE (a page cut at the limit stays valid JSON/HTML:
 * the counters are the part that is dropped). */
#include <string.h>

#include <seqs/dhcp.h>
#include <seqs/http.h>
#include <seqs/sntp.h>

#include "fw_app.h"
#include "fw_config.h"
#include "fw_hal.h"

#ifndef FW_STATUS_PAGE
#define FW_STATUS_PAGE 3072
#endif
#define HTTP_CONNS 1
#define HTTP_BUF 1024
#define HTTP_TCP_RX 1024
#define HTTP_TCP_TX 1024
#define CLOSE_RESERVE 160   /* bytes kept for closing brackets/tags when the page is full */

static seqs_http_server_t g_srv;
static seqs_http_sconn_t g_conns[HTTP_CONNS];
static uint8_t g_bufs[HTTP_CONNS * HTTP_BUF] __attribute__((aligned(4)));
static uint8_t g_pool[(HTTP_CONNS + 1) * (HTTP_TCP_RX + HTTP_TCP_TX)] __attribute__((aligned(4)));
static uint8_t g_running;
static seqs_stack_t *g_stack;
static char g_page[FW_STATUS_PAGE];
static uint32_t g_pages;

/* ---- a tiny emitter: the same calls write JSON or HTML -------------------------- */
typedef struct {
    char *b;
    size_t pos, cap;   /* cap excludes CLOSE_RESERVE until the final close */
    int html;
    int depth;
    uint8_t first[4];  /* no comma before the first member at each depth */
    uint8_t in_arr[4];
} emit_t;

static void put(emit_t *e, const char *s)
{
    e->pos = fw_put_str(e->b, e->pos, e->cap, s);
}

static void put_html_text(emit_t *e, const char *s)
{
    for (; *s != '\0'; s++) {
        char c[2] = {*s, '\0'};
        put(e, *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;" : c);
    }
}

/* Starts a member "name": (JSON) or a table row (HTML). */
static void key(emit_t *e, const char *name)
{
    if (e->html) {
        put(e, "<tr><th>");
        put_html_text(e, name);
        put(e, "</th><td>");
        return;
    }
    if (!e->first[e->depth])
        put(e, ",");
    e->first[e->depth] = 0;
    if (!e->in_arr[e->depth]) {
        put(e, "\"");
        put(e, name);
        put(e, "\":");
    }
}

static void end_val(emit_t *e)
{
    if (e->html)
        put(e, "</td></tr>\n");
}

static void f_str(emit_t *e, const char *name, const char *v)
{
    key(e, name);
    if (e->html) {
        put_html_text(e, v);
    } else {   /* our strings are names, addresses and state words: no escaping needed but quotes */
        put(e, "\"");
        for (; *v != '\0'; v++) {
            char c[2] = {*v, '\0'};
            put(e, (*v == '"' || *v == '\\' || (unsigned char)*v < 0x20) ? "?" : c);
        }
        put(e, "\"");
    }
    end_val(e);
}

static void f_i64(emit_t *e, const char *name, int64_t v)
{
    key(e, name);
    e->pos = fw_put_i64(e->b, e->pos, e->cap, v);
    end_val(e);
}

static void f_ip(emit_t *e, const char *name, uint32_t a)
{
    char t[16];
    size_t n = fw_put_ip4(t, 0, sizeof t - 1, a);
    t[n] = '\0';
    f_str(e, name, t);
}

static void open_obj(emit_t *e, const char *name, int array)
{
    if (e->html) {
        if (name != NULL) {
            put(e, "<h2>");
            put_html_text(e, name);
            put(e, "</h2>\n");
        }
        put(e, "<table>\n");
    } else {
        key(e, name != NULL ? name : "");
        put(e, array ? "[" : "{");
    }
    if (e->depth < 3)
        e->depth++;
    e->first[e->depth] = 1;
    e->in_arr[e->depth] = (uint8_t)array;
}

static void close_obj(emit_t *e, int array)
{
    if (e->depth > 0)
        e->depth--;
    if (e->html)
        put(e, "</table>\n");
    else
        put(e, array ? "]" : "}");
}

/* ---- the page ---------------------------------------------------------------------- */

static const char *tcp_state(int st)
{
    return st >= 0 ? seqs_tcp_state_name(st) : "gone";
}

static void conns_of(emit_t *e, const seqs_stack_t *s, const char *app, const seqs_tcp_t *h, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        seqs_tcp_info_t in;
        if (seqs_tcp_info(s, h[i], &in) != SEQS_OK)
            continue;
        if (e->html) {
            put(e, "<tr><td>");
            put(e, app);
            put(e, "</td><td>");
            e->pos = fw_put_ip4(e->b, e->pos, e->cap, in.remote_addr);
            put(e, ":");
            e->pos = fw_put_u32(e->b, e->pos, e->cap, in.remote_port);
            put(e, "</td><td>");
            e->pos = fw_put_u32(e->b, e->pos, e->cap, in.local_port);
            put(e, "</td><td>");
            put(e, tcp_state(in.state));
            put(e, "</td></tr>\n");
            continue;
        }
        open_obj(e, NULL, 0);
        f_str(e, "app", app);
        f_ip(e, "remote_addr", in.remote_addr);
        f_i64(e, "remote_port", in.remote_port);
        f_i64(e, "local_port", in.local_port);
        f_str(e, "state", tcp_state(in.state));
        f_i64(e, "bytes_in", in.bytes_in);
        f_i64(e, "bytes_out", in.bytes_out);
        close_obj(e, 0);
    }
}

static size_t build_page(seqs_stack_t *s, int html, uint64_t now)
{
    emit_t e = {.b = g_page, .pos = 0, .cap = sizeof g_page - CLOSE_RESERVE, .html = html};
    e.first[0] = 1;
    const fw_status_t *st = fw_status();
    if (html)
        put(&e, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>seqs firmware</title></head>"
                "<body>\n<h1>seqs firmware</h1>\n");
    else
        put(&e, "{");
    open_obj(&e, html ? "device" : "device", 0);
    f_str(&e, "hostname", st->hostname);
    {
        char mac[18];
        const uint8_t *m = seqs_stack_mac(s);
        static const char hx[] = "0123456789abcdef";
        for (unsigned i = 0; i < 6; i++) {
            mac[i * 3] = hx[m[i] >> 4];
            mac[i * 3 + 1] = hx[m[i] & 15u];
            mac[i * 3 + 2] = i < 5 ? ':' : '\0';
        }
        f_str(&e, "mac", mac);
    }
    f_i64(&e, "uptime_ms", (int64_t)((now - st->boot_us) / 1000u));
    uint8_t prefix = 0;
    uint32_t gw = 0;
    f_ip(&e, "addr", seqs_stack_addr(s, &prefix, &gw));
    f_i64(&e, "prefix", prefix);
    f_ip(&e, "gateway", gw);
    f_str(&e, "link", st->link ? "up" : "down");
    close_obj(&e, 0);

    open_obj(&e, "lease", 0);
    f_str(&e, "state", fw_dhcp_state());
    const seqs_dhcp_lease_t *l = fw_dhcp_lease();
    if (l != NULL) {
        f_ip(&e, "addr", l->addr);
        f_i64(&e, "prefix", l->prefix_len);
        f_ip(&e, "router", l->router);
        f_ip(&e, "server", l->server_id);
        f_i64(&e, "lease_s", l->lease_s);
        if (l->lease_s != SEQS_DHCP_INFINITE) {
            uint64_t end = l->start_us + (uint64_t)l->lease_s * 1000000u;
            f_i64(&e, "remaining_s", end > now ? (int64_t)((end - now) / 1000000u) : 0);
        }
        for (unsigned i = 0; i < l->dns_count && i < 1; i++)
            f_ip(&e, "dns", l->dns[i]);
        for (unsigned i = 0; i < l->ntp_count && i < 1; i++)
            f_ip(&e, "ntp", l->ntp[i]);
    }
    close_obj(&e, 0);

    open_obj(&e, "ntp", 0);
    if (fw_config()->ntp_name[0] != '\0')
        f_str(&e, "name", fw_config()->ntp_name);
    const seqs_sntp_t *c = fw_sntp();
    if (c == NULL) {
        f_str(&e, "status", "no-server");
    } else {
        f_str(&e, "status", seqs_sntp_status_name(seqs_sntp_status(c)));
        f_ip(&e, "server", c->server);
        f_i64(&e, "synced", seqs_sntp_synced(c));
        if (seqs_sntp_synced(c)) {
            f_i64(&e, "unix_us", fw_unix_us(now));
            f_i64(&e, "delay_us", seqs_sntp_delay_us(c));
            f_i64(&e, "stratum", seqs_sntp_stratum(c));
            f_i64(&e, "last_sample_age_ms", (int64_t)((now - c->sample_us) / 1000u));
        }
    }
    close_obj(&e, 0);

    open_obj(&e, "connections", 1);
    if (html)
        put(&e, "<tr><th>app</th><th>peer</th><th>port</th><th>state</th></tr>\n");
    for (const fw_app_t *const *a = fw_app_table; *a != NULL; a++) {
        if ((*a)->conns == NULL)
            continue;
        seqs_tcp_t h[4];
        unsigned n = (*a)->conns(s, h, 4);
        conns_of(&e, s, (*a)->name, h, n);
    }
    close_obj(&e, 1);

    /* Counters last: on a full page they are what is cut. */
    open_obj(&e, "counters", 0);
    {
        size_t tcap;
        char *tmp = (char *)fw_scratch(&tcap);   /* not the C stack: this runs deep inside input */
        size_t n = 0;
        for (unsigned i = 0; i < SEQS_COUNTER_COUNT; i++)
            n = fw_put_counter(tmp, n, tcap, seqs_counter_name(i), seqs_counter_value(s, i));
        n = fw_report(tmp, n, tcap);
        for (const fw_app_t *const *a = fw_app_table; *a != NULL; a++)
            if ((*a)->report != NULL)
                n = (*a)->report(tmp, n, tcap);
        /* "name=value\n" lines -> members */
        size_t i = 0;
        while (i < n) {
            size_t eq = i, end;
            while (eq < n && tmp[eq] != '=')
                eq++;
            end = eq;
            while (end < n && tmp[end] != '\n')
                end++;
            if (eq >= n)
                break;
            tmp[eq] = '\0';
            uint32_t v = 0;
            if (fw_parse_uint(&tmp[eq + 1], end - eq - 1, 0xFFFFFFFFu, &v) == 0 &&
                e.pos + 48 + (eq - i) < e.cap)
                f_i64(&e, &tmp[i], v);
            i = end + 1;
        }
    }
    close_obj(&e, 0);
    e.cap = sizeof g_page;   /* the reserve is for the closing part */
    if (html)
        put(&e, "<p><a href=\"/status.json\">JSON</a></p></body></html>\n");
    else
        put(&e, "}\n");
    return e.pos;
}

static void on_status(seqs_http_server_t *srv, seqs_http_sconn_t *c, const seqs_http_msg_t *req,
                      const uint8_t *body, size_t body_len, void *user)
{
    (void)srv;
    (void)body;
    (void)body_len;
    size_t tlen;
    const char *t = seqs_http_msg_target(req, &tlen);
    int json = user != NULL || (tlen >= 12 && memcmp(t, "/status.json", 12) == 0);
    size_t n = build_page(g_stack, !json, fw_hal_now_us());
    g_pages++;
    (void)seqs_http_respond_static(c, 200,
                                   json ? "Content-Type: application/json\r\nCache-Control: no-store\r\n"
                                        : "Content-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n",
                                   g_page, n);
}

static int status_init(seqs_stack_t *s)
{
    uint16_t port = fw_config()->http_port;
    if (port == 0)
        return SEQS_OK;
    seqs_http_server_config_t cfg;
    seqs_http_server_config_default(&cfg);
    cfg.port = port;
    cfg.conns = g_conns;
    cfg.max_conns = HTTP_CONNS;
    cfg.bufs = g_bufs;
    cfg.buf_size = HTTP_BUF;
    cfg.tcp_pool = g_pool;
    cfg.tcp_pool_len = sizeof g_pool;
    cfg.tcp_rx = HTTP_TCP_RX;
    cfg.tcp_tx = HTTP_TCP_TX;
    g_stack = s;
    int r = seqs_http_server_start(&g_srv, s, &cfg);
    if (r == SEQS_OK)
        r = seqs_http_server_route(&g_srv, SEQS_HTTP_GET, "/status.json", on_status, &g_srv);
    if (r == SEQS_OK)
        r = seqs_http_server_route(&g_srv, SEQS_HTTP_GET, "/", on_status, NULL);
    g_running = r == SEQS_OK;
    return r;
}

static size_t status_report(char *buf, size_t pos, size_t cap)
{
    if (!g_running)
        return pos;
    const seqs_http_server_counters_t *c = seqs_http_server_counters(&g_srv);
    pos = fw_put_counter(buf, pos, cap, "http_requests", c->requests);
    pos = fw_put_counter(buf, pos, cap, "http_responses", c->responses);
    pos = fw_put_counter(buf, pos, cap, "http_rejected", c->conns_rejected);
    pos = fw_put_counter(buf, pos, cap, "http_errors",
                         c->bad_request + c->uri_too_long + c->fields_too_large + c->body_too_large +
                             c->not_implemented + c->bad_version + c->not_found + c->method_not_allowed +
                             c->request_timeouts + c->conn_errors);
    return fw_put_counter(buf, pos, cap, "http_pages", g_pages);
}

static unsigned status_conns(const seqs_stack_t *s, seqs_tcp_t *out, unsigned max)
{
    (void)s;
    unsigned n = 0;
    for (unsigned i = 0; i < HTTP_CONNS && n < max; i++)
        if (g_running && seqs_http_sconn_state(&g_conns[i]) != SEQS_HTTP_SC_FREE)
            out[n++] = g_conns[i].tcp;
    return n;
}

const fw_app_t fw_app_status_http = {
    .name = "status_http", .init = status_init, .report = status_report, .conns = status_conns};
