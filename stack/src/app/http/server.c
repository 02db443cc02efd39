/* SPDX-License-Identifier: BSD-3-Clause */
/* HTTP/1.1 server: one listener, a capped array of connections, each over one
 * caller buffer laid out as
 *   [0, head_len)            the request head (the parsed view points here)
 *   [head_len, +body_len)    the request body, de-chunked in place
 *   [raw, filled)            bytes read but not yet parsed (a pipelined request)
 *   [filled, cap)            the response head (and a copied body / a chunk)
 * Reads never fill the last SEQS_HTTP_TX_RESERVE bytes, so a response head
 * always has room. */
#include <stddef.h>
#include <string.h>

#include "seqs/err.h"
#include "seqs/http.h"
#include "seqs/seqs.h"
#include "http_int.h"

#define CHUNK_HDR 18u   /* 16 hex digits + CRLF before a chunk's data */

static seqs_http_server_t *srv_of(seqs_app_t *app) {
    return (seqs_http_server_t *)(void *)((uint8_t *)app - offsetof(seqs_http_server_t, app));
}
static const seqs_http_server_t *csrv_of(const seqs_app_t *app) {
    return (const seqs_http_server_t *)(const void *)((const uint8_t *)app - offsetof(seqs_http_server_t, app));
}

void seqs_http_server_config_default(seqs_http_server_config_t *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->port = 80;
    cfg->backlog = 4;
    cfg->idle_ms = SEQS_HTTP_IDLE_MS;
    cfg->request_ms = SEQS_HTTP_REQUEST_MS;
    cfg->linger_ms = SEQS_HTTP_LINGER_MS;
    cfg->max_body = SEQS_HTTP_MAX_BODY;
}

int seqs_http_sconn_state(const seqs_http_sconn_t *c) {
    return c ? c->state : SEQS_ERR_INVAL;
}

unsigned seqs_http_server_active(const seqs_http_server_t *srv) {
    unsigned i, n = 0;
    if (srv == NULL)
        return 0;
    for (i = 0; i < srv->max_conns; i++)
        n += srv->conns[i].state != SEQS_HTTP_SC_FREE;
    return n;
}

const seqs_http_server_counters_t *seqs_http_server_counters(const seqs_http_server_t *srv) {
    return srv ? &srv->counters : NULL;
}

int seqs_http_server_route(seqs_http_server_t *srv, int method, const char *prefix,
                           seqs_http_handler_fn fn, void *user) {
    seqs_http_route_t *r;
    if (srv == NULL || prefix == NULL || prefix[0] != '/' || fn == NULL || method < 0 ||
        method >= SEQS_HTTP_OTHER)
        return SEQS_ERR_INVAL;
    if (srv->nroutes >= SEQS_HTTP_MAX_ROUTES)
        return SEQS_ERR_LIMIT;
    r = &srv->routes[srv->nroutes++];
    r->method = (uint8_t)method;
    r->prefix = prefix;
    r->fn = fn;
    r->user = user;
    return SEQS_OK;
}

/* Response head ---------------------------------------------------------------- */

/* Writes the status line, the user's fields, framing and Connection at buf[filled..).
 * length: body bytes, or -1 for chunked. */
static int put_head(seqs_http_sconn_t *c, int status, const char *headers, int64_t length) {
    uint8_t *d = c->buf;
    size_t cap = c->cap, pos = c->filled;
    int bad = 0;
    if (status < 100 || status > 599)
        return SEQS_ERR_INVAL;
    if (seqs_http_check_fields(headers, HTTP_FORBID_CONNECTION) != 0)
        return SEQS_ERR_INVAL;
    c->no_body = (uint8_t)(c->msg.method == SEQS_HTTP_HEAD || status == 204 || status == 304);
    /* RFC 9112 7: a 1.0 client cannot read chunked: the body is delimited by the close. */
    c->close_delimited = 0;
    if (length < 0 && c->msg.minor == 0 && !c->no_body)
        c->close_after = c->close_delimited = 1;
    bad |= seqs_http_put_str(d, cap, &pos, "HTTP/1.1 ");
    bad |= seqs_http_put_dec(d, cap, &pos, (uint64_t)status);
    bad |= seqs_http_put_str(d, cap, &pos, " ");
    bad |= seqs_http_put_str(d, cap, &pos, seqs_http_reason(status));
    bad |= seqs_http_put_str(d, cap, &pos, "\r\n");
    if (headers)
        bad |= seqs_http_put_str(d, cap, &pos, headers);
    if (status != 204 && status != 304) {
        if (length >= 0) {
            bad |= seqs_http_put_str(d, cap, &pos, "Content-Length: ");
            bad |= seqs_http_put_dec(d, cap, &pos, (uint64_t)length);
            bad |= seqs_http_put_str(d, cap, &pos, "\r\n");
        } else if (c->msg.minor >= 1) {
            bad |= seqs_http_put_str(d, cap, &pos, "Transfer-Encoding: chunked\r\n");
        }
    }
    if (c->close_after)
        bad |= seqs_http_put_str(d, cap, &pos, "Connection: close\r\n");
    else if (c->msg.minor == 0)
        bad |= seqs_http_put_str(d, cap, &pos, "Connection: keep-alive\r\n");
    bad |= seqs_http_put_str(d, cap, &pos, "\r\n");
    if (bad)
        return SEQS_ERR_NOBUFS;
    c->out_off = c->filled;
    c->out_len = (uint32_t)(pos - c->filled);
    c->src = NULL;
    c->mem = NULL;
    c->src_off = 0;
    c->src_len = 0;
    return SEQS_OK;
}

static int may_respond(const seqs_http_sconn_t *c) {
    if (c == NULL)
        return SEQS_ERR_INVAL;
    if (c->state != SEQS_HTTP_SC_BODY || c->responded)
        return SEQS_ERR_STATE;
    return SEQS_OK;
}

/* The part every whole-body response shares: checks, then the head with Content-Length len. */
static int respond_head(seqs_http_sconn_t *c, int status, const char *headers, const void *body, size_t len) {
    int r = may_respond(c);
    if (r != SEQS_OK)
        return r;
    if (body == NULL && len > 0)
        return SEQS_ERR_INVAL;
    return put_head(c, status, headers, (int64_t)len);
}

int seqs_http_respond(seqs_http_sconn_t *c, int status, const char *headers, const void *body, size_t len) {
    int r = respond_head(c, status, headers, body, len);
    if (r != SEQS_OK)
        return r;
    if (!c->no_body && len > 0) {
        size_t pos = (size_t)c->out_off + c->out_len;
        if (seqs_http_put(c->buf, c->cap, &pos, body, len) != 0)
            return SEQS_ERR_NOBUFS;
        c->out_len += (uint32_t)len;
    }
    c->responded = 1;
    return SEQS_OK;
}

int seqs_http_respond_static(seqs_http_sconn_t *c, int status, const char *headers, const void *body, size_t len) {
    int r = respond_head(c, status, headers, body, len);
    if (r != SEQS_OK)
        return r;
    if (!c->no_body) {
        c->mem = (const uint8_t *)body;
        c->src_len = len;
    }
    c->responded = 1;
    return SEQS_OK;
}

int seqs_http_respond_stream(seqs_http_sconn_t *c, int status, const char *headers, int64_t length,
                             seqs_http_source_fn fn, void *ctx) {
    int r = may_respond(c);
    if (r != SEQS_OK)
        return r;
    if (fn == NULL || length < -1)
        return SEQS_ERR_INVAL;
    r = put_head(c, status, headers, length);
    if (r != SEQS_OK)
        return r;
    if (!c->no_body) {
        c->src = fn;
        c->src_ctx = ctx;
        c->src_len = length < 0 ? UINT64_MAX : (uint64_t)length;
    }
    c->responded = 1;
    return SEQS_OK;
}

/* Connection life ----------------------------------------------------------------- */

static void release(seqs_http_sconn_t *c) {
    c->state = SEQS_HTTP_SC_FREE;
    c->tcp = 0;
    c->deadline = SEQS_NEVER;
}

static void fail_conn(seqs_http_server_t *srv, seqs_http_sconn_t *c, int err) {
    if (err == SEQS_ERR_RESET)
        srv->counters.peer_resets++;
    else
        srv->counters.conn_errors++;
    (void)seqs_tcp_abort(srv->stack, c->tcp);
    release(c);
}

static void begin_send(seqs_http_server_t *srv, seqs_http_sconn_t *c) {
    c->state = SEQS_HTTP_SC_SEND;
    c->deadline = srv->now + (uint64_t)srv->idle_ms * 1000u;
}

/* The server's own answer (errors, 408, 404): a short text body, then close. */
static void answer(seqs_http_server_t *srv, seqs_http_sconn_t *c, int status, int close) {
    const char *reason = seqs_http_reason(status);
    size_t rl = strlen(reason);
    if (close)
        c->close_after = 1;
    c->state = SEQS_HTTP_SC_BODY;
    c->responded = 0;
    if (seqs_http_respond(c, status, "Content-Type: text/plain\r\n", reason, rl) != SEQS_OK) {
        /* cannot happen with the reserve; be safe: drop the connection */
        fail_conn(srv, c, SEQS_ERR_NOBUFS);
        return;
    }
    switch (status) {
    case 400: srv->counters.bad_request++; break;
    case 404: srv->counters.not_found++; break;
    case 405: srv->counters.method_not_allowed++; break;
    case 408: srv->counters.request_timeouts++; break;
    case 413: srv->counters.body_too_large++; break;
    case 414: srv->counters.uri_too_long++; break;
    case 417: srv->counters.expectation_failed++; break;
    case 431: srv->counters.fields_too_large++; break;
    case 500: srv->counters.no_response++; break;
    case 501: srv->counters.not_implemented++; break;
    case 505: srv->counters.bad_version++; break;
    default: break;
    }
    begin_send(srv, c);
}

/* Path of the target (absolute-form: after the authority). */
static const uint8_t *target_path(const seqs_http_msg_t *m, size_t *len) {
    const uint8_t *t = m->buf + m->b_off;
    size_t n = m->b_len, i;
    if (n > 0 && t[0] != '/') {
        for (i = 0; i + 2 < n && !(t[i] == '/' && t[i + 1] == '/'); i++)
            ;
        i += 2;
        while (i < n && t[i] != '/')
            i++;
        if (i >= n) {
            *len = 1;
            return (const uint8_t *)"/";
        }
        t += i;
        n -= i;
    }
    *len = n;
    return t;
}

static void dispatch(seqs_http_server_t *srv, seqs_http_sconn_t *c) {
    size_t plen, i;
    const uint8_t *path = target_path(&c->msg, &plen);
    int path_matched = 0;
    c->responded = 0;
    if (c->msg.flags & SEQS_HTTP_F_CLOSE)
        c->close_after = 1;
    for (i = 0; i < srv->nroutes; i++) {
        const seqs_http_route_t *r = &srv->routes[i];
        size_t pl = strlen(r->prefix);
        if (pl > plen || memcmp(path, r->prefix, pl) != 0)
            continue;
        path_matched = 1;
        if (r->method != SEQS_HTTP_ANY && r->method != c->msg.method &&
            !(r->method == SEQS_HTTP_GET && c->msg.method == SEQS_HTTP_HEAD))
            continue;
        r->fn(srv, c, &c->msg, c->buf + c->msg.head_len, c->body_len, r->user);
        if (c->state == SEQS_HTTP_SC_FREE)
            return;
        if (!c->responded) {
            answer(srv, c, 500, 1);
            return;
        }
        begin_send(srv, c);
        return;
    }
    answer(srv, c, path_matched ? 405 : 404, 0);
}

/* Reads what fits (never into the reserve). Returns 0, or -1 when the connection failed. */
static int pull(seqs_http_server_t *srv, seqs_http_sconn_t *c) {
    uint32_t limit = c->cap - SEQS_HTTP_TX_RESERVE;
    while (c->filled < limit && !c->fin_seen) {
        int n = seqs_tcp_read(srv->stack, c->tcp, c->buf + c->filled, limit - c->filled);
        if (n > 0) {
            c->filled += (uint32_t)n;
            if (c->state == SEQS_HTTP_SC_IDLE) {
                c->state = SEQS_HTTP_SC_HEAD;
                c->deadline = srv->now + (uint64_t)srv->request_ms * 1000u;
            }
        } else if (n == 0) {
            c->fin_seen = 1;
        } else if (n == SEQS_ERR_AGAIN) {
            break;
        } else {
            fail_conn(srv, c, n);
            return -1;
        }
    }
    return 0;
}

/* Writes the pending bytes of c->buf (out_off, out_len) into TCP: 1 when all went,
 * 0 when TCP has no room now, -1 on a TCP error; *progress set when any went. */
static int write_out(seqs_http_server_t *srv, seqs_http_sconn_t *c, int *progress) {
    while (c->out_len > 0) {
        int w = seqs_tcp_write(srv->stack, c->tcp, c->buf + c->out_off, c->out_len);
        if (w == SEQS_ERR_AGAIN || w == 0)
            return 0;
        if (w < 0)
            return -1;
        c->out_off += (uint32_t)w;
        c->out_len -= (uint32_t)w;
        *progress = 1;
    }
    return 1;
}

/* Pushes pending bytes; returns 1 when the whole response has been queued. */
static int flush(seqs_http_server_t *srv, seqs_http_sconn_t *c) {
    int progress = 0, w = write_out(srv, c, &progress);
    if (w <= 0)
        goto out;
    if (c->mem) {
        while (c->src_off < c->src_len) {
            uint64_t left = c->src_len - c->src_off;
            w = seqs_tcp_write(srv->stack, c->tcp, c->mem + c->src_off, left > 0x7FFFFFFFu ? 0x7FFFFFFFu : (size_t)left);
            if (w == SEQS_ERR_AGAIN || w == 0)
                goto wait;
            if (w < 0)
                return -1;
            c->src_off += (uint64_t)w;
            progress = 1;
        }
        c->mem = NULL;
    }
    while (c->src) {
        int room = seqs_tcp_writable(srv->stack, c->tcp);
        size_t space = c->cap - c->filled, want;
        uint8_t *dst = c->buf + c->filled;
        int n;
        if (room < 0)
            return -1;
        if (c->src_len == UINT64_MAX && !c->close_delimited) {
            /* chunked: CHUNK_HDR reserved in front of the data, CRLF after it */
            if ((size_t)room <= CHUNK_HDR + 2 + 5 || space <= CHUNK_HDR + 2 + 5)
                goto wait;
            want = (size_t)room - CHUNK_HDR - 2;
            if (want > space - CHUNK_HDR - 2)
                want = space - CHUNK_HDR - 2;
            n = c->src(c->src_ctx, c->src_off, dst + CHUNK_HDR, want);
            if (n < 0 || (size_t)n > want)
                return -1;
            if (n == 0) {
                /* last-chunk, no trailers */
                memcpy(dst, "0\r\n\r\n", 5);
                c->out_off = c->filled;
                c->out_len = 5;
                c->src = NULL;
            } else {
                uint8_t hex[16];
                size_t h = seqs_http_hex(hex, (uint64_t)n);
                size_t at = CHUNK_HDR - h - 2;
                memcpy(dst + at, hex, h);
                dst[CHUNK_HDR - 2] = '\r';
                dst[CHUNK_HDR - 1] = '\n';
                dst[CHUNK_HDR + (size_t)n] = '\r';
                dst[CHUNK_HDR + (size_t)n + 1] = '\n';
                c->out_off = c->filled + (uint32_t)at;
                c->out_len = (uint32_t)(h + 2 + (size_t)n + 2);
                c->src_off += (uint64_t)n;
            }
        } else {
            uint64_t left = c->src_len - c->src_off;
            if (left == 0) {
                c->src = NULL;
                break;
            }
            if (room == 0)
                goto wait;
            want = (size_t)room < space ? (size_t)room : space;
            if ((uint64_t)want > left)
                want = (size_t)left;
            n = c->src(c->src_ctx, c->src_off, dst, want);
            if (n == 0 && c->close_delimited) {
                c->src = NULL;  /* the close ends the body */
                break;
            }
            if (n <= 0 || (size_t)n > want)
                return -1;      /* the body ended short of its Content-Length: abort */
            c->out_off = c->filled;
            c->out_len = (uint32_t)n;
            c->src_off += (uint64_t)n;
        }
        progress = 1;
        w = write_out(srv, c, &progress);
        if (w <= 0)
            goto out;
    }
    return 1;
wait:
    w = 0;
out:
    if (w == 0 && progress)
        c->deadline = srv->now + (uint64_t)srv->idle_ms * 1000u;
    return w;
}

/* The response is queued: close gracefully or get ready for the next request. */
static void finish_response(seqs_http_server_t *srv, seqs_http_sconn_t *c) {
    srv->counters.responses++;
    if (c->close_after || c->fin_seen) {
        /* RFC 9112 9.6: half-close, then keep reading until the client's FIN (or
         * the linger time) so unread input does not turn into an RST. */
        (void)seqs_tcp_shutdown(srv->stack, c->tcp);
        c->state = SEQS_HTTP_SC_LINGER;
        c->deadline = srv->now + (uint64_t)srv->linger_ms * 1000u;
        return;
    }
    /* keep-alive: the pipelined bytes move to the front */
    if (c->filled > c->raw)
        memmove(c->buf, c->buf + c->raw, c->filled - c->raw);
    c->filled -= c->raw;
    c->raw = 0;
    c->body_len = 0;
    c->responded = 0;
    memset(&c->msg, 0, sizeof c->msg);
    if (c->filled > 0) {
        c->state = SEQS_HTTP_SC_HEAD;
        c->deadline = srv->now + (uint64_t)srv->request_ms * 1000u;
    } else {
        c->state = SEQS_HTTP_SC_IDLE;
        c->deadline = srv->now + (uint64_t)srv->idle_ms * 1000u;
    }
}

static void head_done(seqs_http_server_t *srv, seqs_http_sconn_t *c) {
    uint32_t limit = c->cap - SEQS_HTTP_TX_RESERVE;
    srv->counters.requests++;
    c->raw = c->msg.head_len;
    c->body_len = 0;
    c->close_after = (uint8_t)((c->msg.flags & SEQS_HTTP_F_CLOSE) != 0);
    seqs_http_body_init(&c->body, &c->msg);
    if (c->msg.framing == SEQS_HTTP_BODY_LENGTH &&
        (c->msg.content_length > srv->max_body || c->msg.content_length > (uint64_t)(limit - c->msg.head_len))) {
        answer(srv, c, 413, 1);
        return;
    }
    c->state = SEQS_HTTP_SC_BODY;
    /* RFC 9110 10.1.1: 100 (Continue) only when the body has not started to arrive. */
    if ((c->msg.flags & SEQS_HTTP_F_CONTINUE) && c->msg.framing != SEQS_HTTP_BODY_NONE &&
        c->filled == c->raw) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        if (seqs_tcp_writable(srv->stack, c->tcp) >= (int)(sizeof cont - 1) &&
            seqs_tcp_write(srv->stack, c->tcp, cont, sizeof cont - 1) == (int)(sizeof cont - 1))
            srv->counters.continues++;
    }
}

/* Decodes body bytes in place; dispatches when the request is complete. */
static void body_step(seqs_http_server_t *srv, seqs_http_sconn_t *c) {
    uint32_t limit = c->cap - SEQS_HTTP_TX_RESERVE;
    while (!seqs_http_body_done(&c->body) && c->raw < c->filled) {
        const uint8_t *d;
        size_t dl;
        int n = seqs_http_body_feed(&c->body, c->buf + c->raw, c->filled - c->raw, &d, &dl);
        if (n < 0) {
            answer(srv, c, 400, 1);
            return;
        }
        if (dl > 0) {
            if ((uint64_t)c->body_len + dl > srv->max_body) {
                answer(srv, c, 413, 1);
                return;
            }
            if (d != c->buf + c->msg.head_len + c->body_len)
                memmove(c->buf + c->msg.head_len + c->body_len, d, dl);
            c->body_len += (uint32_t)dl;
        }
        c->raw += (uint32_t)n;
        if (n == 0)
            break;
    }
    if (seqs_http_body_done(&c->body)) {
        /* The request sits at [0, head_len + body_len); what follows it moves up to there. */
        uint32_t end = c->msg.head_len + c->body_len;
        if (c->raw > end) {
            memmove(c->buf + end, c->buf + c->raw, c->filled - c->raw);
            c->filled -= c->raw - end;
            c->raw = end;
        }
        dispatch(srv, c);
        return;
    }
    /* framing bytes consumed: give their room back */
    if (c->raw == c->filled) {
        c->raw = c->filled = c->msg.head_len + c->body_len;
        if (c->filled >= limit) {
            answer(srv, c, 413, 1);
            return;
        }
    }
    if (c->fin_seen) {
        (void)seqs_tcp_close(srv->stack, c->tcp);   /* the request can never complete */
        release(c);
    }
}

static void service(seqs_http_server_t *srv, seqs_http_sconn_t *c) {
    unsigned rounds;
    for (rounds = 0; rounds < 16; rounds++) {
        uint8_t st = c->state;
        switch (st) {
        case SEQS_HTTP_SC_IDLE:
        case SEQS_HTTP_SC_HEAD:
        case SEQS_HTTP_SC_BODY:
            if (pull(srv, c) != 0)
                return;
            if (c->state == SEQS_HTTP_SC_IDLE) {
                if (c->fin_seen) {
                    (void)seqs_tcp_close(srv->stack, c->tcp);
                    release(c);
                }
                return;
            }
            if (c->state == SEQS_HTTP_SC_HEAD) {
                int r = seqs_http_parse_request(c->buf, c->filled, &c->msg);
                if (r < 0) {
                    answer(srv, c, -r, 1);
                    break;
                }
                if (r == 0) {
                    if (c->filled >= c->cap - SEQS_HTTP_TX_RESERVE) {
                        answer(srv, c, c->msg.status ? c->msg.status : 431, 1);
                        break;
                    }
                    if (c->fin_seen) {
                        (void)seqs_tcp_close(srv->stack, c->tcp);
                        release(c);
                    }
                    return;
                }
                head_done(srv, c);
                if (c->state != SEQS_HTTP_SC_BODY)
                    break;
            }
            body_step(srv, c);
            if (c->state == SEQS_HTTP_SC_BODY || c->state == SEQS_HTTP_SC_FREE)
                return;
            break;
        case SEQS_HTTP_SC_SEND: {
            int r = flush(srv, c);
            if (r < 0) {
                fail_conn(srv, c, seqs_tcp_error(srv->stack, c->tcp));
                return;
            }
            if (r == 0)
                return;
            finish_response(srv, c);
            break;
        }
        case SEQS_HTTP_SC_LINGER:
            for (;;) {
                int n = seqs_tcp_read(srv->stack, c->tcp, c->buf, c->cap);
                if (n > 0)
                    continue;
                if (n == SEQS_ERR_AGAIN)
                    return;
                /* the client's FIN (0) or an error: the response is delivered or lost either way */
                (void)seqs_tcp_close(srv->stack, c->tcp);
                release(c);
                return;
            }
        default:
            return;
        }
    }
    /* more pipelined work than one poll does: come back at the next output, not at the next frame */
    seqs_app_kick(&srv->app);
}

static void timeouts(seqs_http_server_t *srv, seqs_http_sconn_t *c) {
    if (c->state == SEQS_HTTP_SC_FREE || srv->now < c->deadline)
        return;
    switch (c->state) {
    case SEQS_HTTP_SC_IDLE:
        srv->counters.idle_closes++;
        (void)seqs_tcp_close(srv->stack, c->tcp);
        release(c);
        break;
    case SEQS_HTTP_SC_HEAD:
    case SEQS_HTTP_SC_BODY:
        /* RFC 9110 15.5.9: 408 and close (slowloris, a stalled body). The
         * unparsed request is dropped from the buffer first. */
        c->filled = c->raw = 0;
        memset(&c->msg, 0, sizeof c->msg);
        c->msg.minor = 1;
        answer(srv, c, 408, 1);
        break;
    case SEQS_HTTP_SC_SEND:
        fail_conn(srv, c, SEQS_ERR_TIMEDOUT);      /* the client stopped reading */
        break;
    case SEQS_HTTP_SC_LINGER:
        srv->counters.linger_timeouts++;
        (void)seqs_tcp_close(srv->stack, c->tcp);
        release(c);
        break;
    default:
        break;
    }
}

static void reject(seqs_http_server_t *srv, seqs_tcp_t h) {
    static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    uint8_t sink[32];
    srv->counters.conns_rejected++;
    (void)seqs_tcp_write(srv->stack, h, busy, sizeof busy - 1);
    while (seqs_tcp_read(srv->stack, h, sink, sizeof sink) > 0)
        ;
    (void)seqs_tcp_close(srv->stack, h);
}

static void server_poll(struct seqs_stack *s, seqs_app_t *app, uint64_t now) {
    seqs_http_server_t *srv = srv_of(app);
    seqs_tcp_t h;
    unsigned i;
    (void)s;
    srv->now = now;
    while (seqs_tcp_accept(srv->stack, srv->listener, &h) == SEQS_OK) {
        seqs_http_sconn_t *c = NULL;
        for (i = 0; i < srv->max_conns; i++) {
            if (srv->conns[i].state == SEQS_HTTP_SC_FREE) {
                c = &srv->conns[i];
                break;
            }
        }
        if (c == NULL) {
            reject(srv, h);
            continue;
        }
        srv->counters.conns_accepted++;
        c->tcp = h;
        c->filled = c->raw = c->body_len = 0;
        c->out_len = 0;
        c->fin_seen = 0;
        c->responded = 0;
        c->close_after = 0;
        c->src = NULL;
        c->mem = NULL;
        memset(&c->msg, 0, sizeof c->msg);
        c->state = SEQS_HTTP_SC_IDLE;
        c->deadline = now + (uint64_t)srv->idle_ms * 1000u;
        (void)seqs_tcp_setopt(srv->stack, h, SEQS_TCP_OPT_NODELAY, 1);
    }
    for (i = 0; i < srv->max_conns; i++) {
        seqs_http_sconn_t *c = &srv->conns[i];
        if (c->state == SEQS_HTTP_SC_FREE)
            continue;
        service(srv, c);
        timeouts(srv, c);
        if (c->state == SEQS_HTTP_SC_SEND)
            service(srv, c);   /* a 408 goes out at once */
    }
}

static uint64_t server_deadline(const struct seqs_stack *s, const seqs_app_t *app) {
    const seqs_http_server_t *srv = csrv_of(app);
    uint64_t d = SEQS_NEVER;
    unsigned i;
    (void)s;
    for (i = 0; i < srv->max_conns; i++) {
        const seqs_http_sconn_t *c = &srv->conns[i];
        if (c->state != SEQS_HTTP_SC_FREE && c->deadline < d)
            d = c->deadline;
    }
    return d;
}

static const seqs_app_ops_t server_ops = {server_poll, server_deadline, NULL};

int seqs_http_server_start(seqs_http_server_t *srv, struct seqs_stack *s, const seqs_http_server_config_t *cfg) {
    unsigned i;
    int r;
    if (srv == NULL || s == NULL || cfg == NULL || cfg->conns == NULL || cfg->max_conns == 0 ||
        cfg->bufs == NULL || cfg->buf_size < 2u * SEQS_HTTP_TX_RESERVE || cfg->buf_size > 65535u ||
        cfg->tcp_pool == NULL || cfg->port == 0)
        return SEQS_ERR_INVAL;
    if (cfg->tcp_rx + cfg->tcp_tx == 0 || cfg->tcp_pool_len / (cfg->tcp_rx + cfg->tcp_tx) < cfg->max_conns)
        return SEQS_ERR_INVAL;
    memset(srv, 0, sizeof *srv);
    srv->stack = s;
    srv->conns = cfg->conns;
    srv->max_conns = cfg->max_conns;
    srv->idle_ms = cfg->idle_ms ? cfg->idle_ms : SEQS_HTTP_IDLE_MS;
    srv->request_ms = cfg->request_ms ? cfg->request_ms : SEQS_HTTP_REQUEST_MS;
    srv->linger_ms = cfg->linger_ms ? cfg->linger_ms : SEQS_HTTP_LINGER_MS;
    srv->max_body = cfg->max_body ? cfg->max_body : SEQS_HTTP_MAX_BODY;
    for (i = 0; i < cfg->max_conns; i++) {
        memset(&cfg->conns[i], 0, sizeof cfg->conns[i]);
        cfg->conns[i].buf = cfg->bufs + (size_t)i * cfg->buf_size;
        cfg->conns[i].cap = (uint32_t)cfg->buf_size;
        cfg->conns[i].deadline = SEQS_NEVER;
    }
    r = seqs_tcp_listen(s, &srv->listener, cfg->port, cfg->backlog ? cfg->backlog : 4, cfg->tcp_pool,
                        cfg->tcp_pool_len, cfg->tcp_rx, cfg->tcp_tx);
    if (r != SEQS_OK)
        return r;
    r = seqs_app_attach(s, &srv->app, &server_ops);
    if (r != SEQS_OK) {
        (void)seqs_tcp_listener_close(s, srv->listener);
        return r;
    }
    return SEQS_OK;
}

int seqs_http_server_stop(seqs_http_server_t *srv) {
    unsigned i;
    if (srv == NULL || srv->stack == NULL)
        return SEQS_ERR_INVAL;
    for (i = 0; i < srv->max_conns; i++) {
        if (srv->conns[i].state != SEQS_HTTP_SC_FREE) {
            (void)seqs_tcp_abort(srv->stack, srv->conns[i].tcp);
            release(&srv->conns[i]);
        }
    }
    (void)seqs_tcp_listener_close(srv->stack, srv->listener);
    (void)seqs_app_detach(srv->stack, &srv->app);
    srv->stack = NULL;
    return SEQS_OK;
}
