/* SPDX-License-Identifier: BSD-3-Clause */
/* HTTP/1.1 client: one connection (kept alive between requests when the server
 * allows it) over one caller buffer that holds the request until it is sent,
 * then the response head at [0, head_len) and body bytes after it, which
 * seqs_http_client_read() decodes into the caller's memory piece by piece. */
#include <stddef.h>
#include <string.h>

#include "seqs/err.h"
#include "seqs/http.h"
#include "seqs/seqs.h"
#include "http_int.h"

static seqs_http_client_t *cl_of(seqs_app_t *app) {
    return (seqs_http_client_t *)(void *)((uint8_t *)app - offsetof(seqs_http_client_t, app));
}
static const seqs_http_client_t *ccl_of(const seqs_app_t *app) {
    return (const seqs_http_client_t *)(const void *)((const uint8_t *)app - offsetof(seqs_http_client_t, app));
}

static void drop_conn(seqs_http_client_t *cl, int abort) {
    if (cl->conn_open || cl->tcp != 0) {
        if (abort)
            (void)seqs_tcp_abort(cl->stack, cl->tcp);
        else
            (void)seqs_tcp_close(cl->stack, cl->tcp);
    }
    cl->tcp = 0;
    cl->conn_open = 0;
}

static void fail(seqs_http_client_t *cl, int err) {
    cl->error = err;
    cl->state = SEQS_HTTP_CL_ERROR;
    if (err == SEQS_ERR_TIMEDOUT)
        cl->counters.timeouts++;
    else if (err == SEQS_HTTP_ERR_PROTO || err == SEQS_HTTP_ERR_TOOBIG)
        cl->counters.proto_errors++;
    else
        cl->counters.conn_errors++;
    drop_conn(cl, 1);   /* K6: a failed request leaves no connection behind */
}

static void finish(seqs_http_client_t *cl) {
    cl->state = SEQS_HTTP_CL_DONE;
    cl->counters.responses++;
    cl->reusable = (uint8_t)(!(cl->msg.flags & SEQS_HTTP_F_CLOSE) && !cl->fin_seen && cl->raw == cl->filled);
    if (!cl->reusable)
        drop_conn(cl, 0);
}

/* Reads from TCP into the free part of buf. Returns 0 or -1 (failed). */
static int pull(seqs_http_client_t *cl) {
    if (cl->filled == cl->cap && cl->state == SEQS_HTTP_CL_BODY && cl->raw > cl->msg.head_len) {
        uint32_t keep = cl->msg.head_len;
        memmove(cl->buf + keep, cl->buf + cl->raw, cl->filled - cl->raw);
        cl->filled -= cl->raw - keep;
        cl->raw = keep;
    }
    while (cl->filled < cl->cap && !cl->fin_seen) {
        int n = seqs_tcp_read(cl->stack, cl->tcp, cl->buf + cl->filled, cl->cap - cl->filled);
        if (n > 0) {
            cl->filled += (uint32_t)n;
            cl->deadline = cl->now + (uint64_t)cl->timeout_ms * 1000u;
        } else if (n == 0) {
            cl->fin_seen = 1;
        } else if (n == SEQS_ERR_AGAIN) {
            break;
        } else {
            fail(cl, n);
            return -1;
        }
    }
    return 0;
}

/* The response head: 1xx are skipped (RFC 9112 6.3 item 1; 101 is not expected). */
static void parse_head(seqs_http_client_t *cl) {
    for (;;) {
        int r = seqs_http_parse_response(cl->buf, cl->filled, cl->head_req, &cl->msg);
        if (r < 0) {
            fail(cl, r);
            return;
        }
        if (r == 0) {
            if (cl->filled >= cl->cap || cl->filled > SEQS_HTTP_MAX_HEAD)
                fail(cl, SEQS_HTTP_ERR_TOOBIG);
            else if (cl->fin_seen)
                fail(cl, cl->filled ? SEQS_HTTP_ERR_PROTO : SEQS_ERR_RESET);
            return;
        }
        if (cl->msg.status >= 100 && cl->msg.status < 200) {
            if (cl->msg.status == 101) {
                fail(cl, SEQS_HTTP_ERR_PROTO);
                return;
            }
            cl->counters.informational++;
            memmove(cl->buf, cl->buf + r, cl->filled - (uint32_t)r);
            cl->filled -= (uint32_t)r;
            continue;
        }
        cl->raw = cl->msg.head_len;
        seqs_http_body_init(&cl->body, &cl->msg);
        cl->state = SEQS_HTTP_CL_BODY;
        if (seqs_http_body_done(&cl->body))
            finish(cl);
        return;
    }
}

static void client_poll(struct seqs_stack *s, seqs_app_t *app, uint64_t now) {
    seqs_http_client_t *cl = cl_of(app);
    (void)s;
    cl->now = now;
    if (cl->state == SEQS_HTTP_CL_BUSY) {
        int st = seqs_tcp_state(cl->stack, cl->tcp);
        int err = seqs_tcp_error(cl->stack, cl->tcp);
        if (st < 0 || err < 0) {
            fail(cl, st < 0 ? SEQS_ERR_RESET : err);
            return;
        }
        if (st != SEQS_TCP_SYN_SENT && st != SEQS_TCP_SYN_RECEIVED) {
            while (!cl->sent_all) {
                int w = seqs_tcp_write(cl->stack, cl->tcp, cl->buf + cl->out_off, cl->out_len);
                if (w == SEQS_ERR_AGAIN || w == 0)
                    break;
                if (w < 0) {
                    fail(cl, w);
                    return;
                }
                cl->out_off += (uint32_t)w;
                cl->out_len -= (uint32_t)w;
                cl->deadline = now + (uint64_t)cl->timeout_ms * 1000u;
                if (cl->out_len == 0) {
                    cl->sent_all = 1;
                    cl->filled = cl->raw = 0;
                }
            }
            if (cl->sent_all) {
                if (pull(cl) != 0)
                    return;
                parse_head(cl);
            }
        }
    } else if (cl->state == SEQS_HTTP_CL_BODY) {
        if (pull(cl) != 0)
            return;
        if (cl->body.framing == SEQS_HTTP_BODY_CLOSE && cl->fin_seen && cl->raw == cl->filled)
            finish(cl);
    }
    if ((cl->state == SEQS_HTTP_CL_BUSY || cl->state == SEQS_HTTP_CL_BODY) && now >= cl->deadline)
        fail(cl, SEQS_ERR_TIMEDOUT);
}

static uint64_t client_deadline(const struct seqs_stack *s, const seqs_app_t *app) {
    const seqs_http_client_t *cl = ccl_of(app);
    (void)s;
    if (cl->state == SEQS_HTTP_CL_BUSY || cl->state == SEQS_HTTP_CL_BODY)
        return cl->deadline;
    return SEQS_NEVER;
}

static const seqs_app_ops_t client_ops = {client_poll, client_deadline, NULL};

int seqs_http_client_init(seqs_http_client_t *cl, struct seqs_stack *s, uint32_t addr, uint16_t port,
                          uint8_t *buf, size_t cap, uint8_t *rxbuf, size_t rxcap,
                          uint8_t *txbuf, size_t txcap, uint32_t timeout_ms) {
    if (cl == NULL || s == NULL || buf == NULL || rxbuf == NULL || txbuf == NULL || rxcap == 0 || txcap == 0 ||
        cap < 2u * SEQS_HTTP_TX_RESERVE || cap > 65535u || port == 0 || addr == 0)
        return SEQS_ERR_INVAL;
    memset(cl, 0, sizeof *cl);
    cl->stack = s;
    cl->addr = addr;
    cl->port = port;
    cl->buf = buf;
    cl->cap = (uint32_t)cap;
    cl->rxbuf = rxbuf;
    cl->rxcap = rxcap;
    cl->txbuf = txbuf;
    cl->txcap = txcap;
    cl->timeout_ms = timeout_ms ? timeout_ms : SEQS_HTTP_CLIENT_TIMEOUT_MS;
    cl->deadline = SEQS_NEVER;
    return seqs_app_attach(s, &cl->app, &client_ops);
}

static int str_eq(const char *a, const char *b) {
    size_t n = strlen(b);
    return strlen(a) == n && memcmp(a, b, n) == 0;
}

static int valid_token(const char *t) {
    size_t i;
    if (t == NULL || t[0] == '\0')
        return 0;
    for (i = 0; t[i]; i++)
        if (!seqs_http_is_tchar((uint8_t)t[i]))
            return 0;
    return 1;
}

static int valid_visible(const char *t, int allow_empty) {
    size_t i;
    if (t == NULL || (!allow_empty && t[0] == '\0'))
        return 0;
    for (i = 0; t[i]; i++)
        if ((uint8_t)t[i] <= 0x20 || (uint8_t)t[i] >= 0x7F)
            return 0;
    return 1;
}

int seqs_http_client_request(seqs_http_client_t *cl, const char *method, const char *target,
                             const char *host, const char *headers, const void *body, size_t body_len,
                             uint64_t now_us) {
    size_t pos = 0;
    int bad = 0;
    if (cl == NULL || cl->stack == NULL)
        return SEQS_ERR_INVAL;
    if (cl->state == SEQS_HTTP_CL_BUSY || cl->state == SEQS_HTTP_CL_BODY)
        return SEQS_ERR_STATE;
    if (!valid_token(method) || !valid_visible(target, 0) || (host && !valid_visible(host, 0)) ||
        (body == NULL && body_len > 0) || seqs_http_check_fields(headers, HTTP_FORBID_HOST) != 0)
        return SEQS_ERR_INVAL;
    if (target[0] != '/' && !str_eq(target, "*"))
        return SEQS_ERR_INVAL;
    /* K1: METHOD SP target SP HTTP/1.1, Host, Content-Length for a body. */
    bad |= seqs_http_put_str(cl->buf, cl->cap, &pos, method);
    bad |= seqs_http_put_str(cl->buf, cl->cap, &pos, " ");
    bad |= seqs_http_put_str(cl->buf, cl->cap, &pos, target);
    bad |= seqs_http_put_str(cl->buf, cl->cap, &pos, " HTTP/1.1\r\nHost: ");
    if (host) {
        bad |= seqs_http_put_str(cl->buf, cl->cap, &pos, host);
    } else {
        unsigned i;
        for (i = 0; i < 4; i++) {
            bad |= seqs_http_put_dec(cl->buf, cl->cap, &pos, (cl->addr >> (24 - 8 * i)) & 0xFFu);
            if (i < 3)
                bad |= seqs_http_put_str(cl->buf, cl->cap, &pos, ".");
        }
    }
    if (cl->port != 80) {
        bad |= seqs_http_put_str(cl->buf, cl->cap, &pos, ":");
        bad |= seqs_http_put_dec(cl->buf, cl->cap, &pos, cl->port);
    }
    bad |= seqs_http_put_str(cl->buf, cl->cap, &pos, "\r\n");
    if (headers)
        bad |= seqs_http_put_str(cl->buf, cl->cap, &pos, headers);
    if (body_len > 0 || str_eq(method, "POST") || str_eq(method, "PUT") || str_eq(method, "PATCH")) {
        bad |= seqs_http_put_str(cl->buf, cl->cap, &pos, "Content-Length: ");
        bad |= seqs_http_put_dec(cl->buf, cl->cap, &pos, body_len);
        bad |= seqs_http_put_str(cl->buf, cl->cap, &pos, "\r\n");
    }
    bad |= seqs_http_put_str(cl->buf, cl->cap, &pos, "\r\n");
    if (body_len > 0)
        bad |= seqs_http_put(cl->buf, cl->cap, &pos, body, body_len);
    if (bad)
        return SEQS_ERR_NOBUFS;
    /* K4: reuse the connection only when the last response allowed it and it is still up. */
    if (cl->conn_open && !(cl->reusable && seqs_tcp_state(cl->stack, cl->tcp) == SEQS_TCP_ESTABLISHED &&
                           seqs_tcp_readable(cl->stack, cl->tcp) == 0))
        drop_conn(cl, 0);
    if (!cl->conn_open) {
        int r = seqs_tcp_connect(cl->stack, &cl->tcp, cl->addr, cl->port, 0, cl->rxbuf, cl->rxcap,
                                 cl->txbuf, cl->txcap);
        if (r != SEQS_OK) {
            cl->tcp = 0;
            return r;
        }
        (void)seqs_tcp_setopt(cl->stack, cl->tcp, SEQS_TCP_OPT_NODELAY, 1);
        cl->conn_open = 1;
        cl->counters.connects++;
    } else {
        cl->counters.reused++;
    }
    cl->head_req = (uint8_t)str_eq(method, "HEAD");
    cl->out_off = 0;
    cl->out_len = (uint32_t)pos;
    cl->sent_all = 0;
    cl->fin_seen = 0;
    cl->reusable = 0;
    cl->error = 0;
    cl->filled = cl->raw = 0;
    memset(&cl->msg, 0, sizeof cl->msg);
    cl->state = SEQS_HTTP_CL_BUSY;
    cl->now = now_us;
    cl->deadline = now_us + (uint64_t)cl->timeout_ms * 1000u;
    cl->counters.requests++;
    seqs_app_kick(&cl->app);
    return SEQS_OK;
}

int seqs_http_client_state(const seqs_http_client_t *cl) {
    return cl ? cl->state : SEQS_ERR_INVAL;
}

int seqs_http_client_error(const seqs_http_client_t *cl) {
    return cl ? cl->error : SEQS_ERR_INVAL;
}

const seqs_http_msg_t *seqs_http_client_response(const seqs_http_client_t *cl) {
    if (cl == NULL || (cl->state != SEQS_HTTP_CL_BODY && cl->state != SEQS_HTTP_CL_DONE))
        return NULL;
    return &cl->msg;
}

int seqs_http_client_read(seqs_http_client_t *cl, void *buf, size_t cap) {
    size_t got = 0;
    if (cl == NULL || (buf == NULL && cap > 0))
        return SEQS_ERR_INVAL;
    switch (cl->state) {
    case SEQS_HTTP_CL_ERROR: return cl->error;
    case SEQS_HTTP_CL_DONE: return 0;
    case SEQS_HTTP_CL_BODY: break;
    case SEQS_HTTP_CL_BUSY: return SEQS_ERR_AGAIN;
    default: return SEQS_ERR_STATE;
    }
    while (got < cap && cl->state == SEQS_HTTP_CL_BODY) {
        const uint8_t *d;
        size_t dl, in = cl->filled - cl->raw;
        int n;
        if (in == 0) {
            cl->filled = cl->raw = cl->msg.head_len;
            if (pull(cl) != 0)
                return got ? (int)got : cl->error;
            if (cl->filled == cl->raw) {
                if (cl->fin_seen) {
                    if (cl->body.framing == SEQS_HTTP_BODY_CLOSE)
                        finish(cl);
                    else
                        fail(cl, SEQS_HTTP_ERR_PROTO);  /* closed in the middle of the body */
                }
                break;
            }
            continue;
        }
        if (in > cap - got)
            in = cap - got;
        n = seqs_http_body_feed(&cl->body, cl->buf + cl->raw, in, &d, &dl);
        if (n < 0) {
            fail(cl, n);
            return got ? (int)got : n;
        }
        memcpy((uint8_t *)buf + got, d, dl);
        got += dl;
        cl->raw += (uint32_t)n;
        if (seqs_http_body_done(&cl->body)) {
            finish(cl);
            break;
        }
        if (n == 0)
            break;
    }
    if (got > 0)
        return (int)got;
    if (cl->state == SEQS_HTTP_CL_DONE)
        return 0;
    if (cl->state == SEQS_HTTP_CL_ERROR)
        return cl->error;
    return SEQS_ERR_AGAIN;
}

int seqs_http_client_close(seqs_http_client_t *cl) {
    if (cl == NULL || cl->stack == NULL)
        return SEQS_ERR_INVAL;
    drop_conn(cl, cl->state == SEQS_HTTP_CL_BUSY || cl->state == SEQS_HTTP_CL_BODY);
    (void)seqs_app_detach(cl->stack, &cl->app);
    cl->stack = NULL;
    cl->state = SEQS_HTTP_CL_IDLE;
    return SEQS_OK;
}

const seqs_http_client_counters_t *seqs_http_client_counters(const seqs_http_client_t *cl) {
    return cl ? &cl->counters : NULL;
}
