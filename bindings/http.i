/* SPDX-License-Identifier: BSD-3-Clause */
/* bindings/http.i — binding helpers for seqs/http.h (%included by seqs.i).
 *
 * The Python layer (bindings/python/seqs/http.py) uses these: a server whose
 * routes call Python callables through one C trampoline, and a client with
 * its buffers. Both are malloc'ed here (bindings may allocate); the C API
 * itself stays caller-allocated. */

%{
#include "seqs/http.h"

typedef struct seqs_py_http_server {
    seqs_http_server_t srv;         /* first: the trampoline recovers this struct from it */
    seqs_http_sconn_t *conns;
    uint8_t *bufs, *pool;
    unsigned max_conns;
    int started;
    PyObject *handlers[SEQS_HTTP_MAX_ROUTES];
    char *prefixes[SEQS_HTTP_MAX_ROUTES];
    PyObject **keep;                /* per connection: the body of a response in flight */
    struct seqs_py_stream *streams; /* per connection: an iterator streamed chunked */
    unsigned bad_returns, stream_errors;
} seqs_py_http_server_t;

/* A handler's body given as an iterable of bytes: sent chunked as the send buffer drains. */
typedef struct seqs_py_stream {
    seqs_py_http_server_t *p;
    PyObject *it, *cur;
    Py_ssize_t pos;
} seqs_py_stream_t;

static void seqs_py_stream_clear(seqs_py_stream_t *st) {
    Py_CLEAR(st->it);
    Py_CLEAR(st->cur);
    st->pos = 0;
}

static int seqs_py_stream_source(void *ctx, uint64_t offset, uint8_t *dst, size_t cap) {
    seqs_py_stream_t *st = (seqs_py_stream_t *)ctx;
    (void)offset;
    while (st->it != NULL) {
        if (st->cur != NULL && st->pos < PyBytes_GET_SIZE(st->cur)) {
            size_t n = (size_t)(PyBytes_GET_SIZE(st->cur) - st->pos);
            if (n > cap)
                n = cap;
            memcpy(dst, PyBytes_AS_STRING(st->cur) + st->pos, n);
            st->pos += (Py_ssize_t)n;
            return (int)n;
        }
        Py_CLEAR(st->cur);
        st->pos = 0;
        {
            PyObject *nx = PyIter_Next(st->it);
            if (nx == NULL) {
                if (PyErr_Occurred()) {
                    PyErr_Clear();
                    st->p->stream_errors++;
                    seqs_py_stream_clear(st);
                    return -1;      /* the connection is aborted: the body is incomplete */
                }
                seqs_py_stream_clear(st);
                return 0;           /* last-chunk */
            }
            if (PyUnicode_Check(nx)) {
                st->cur = PyUnicode_AsUTF8String(nx);
                Py_DECREF(nx);
            } else {
                st->cur = PyBytes_FromObject(nx);
                Py_DECREF(nx);
            }
            if (st->cur == NULL) {
                PyErr_Clear();
                st->p->stream_errors++;
                seqs_py_stream_clear(st);
                return -1;
            }
        }
    }
    return 0;
}

static PyObject *seqs_py_http_fields(const seqs_http_msg_t *m) {
    PyObject *list = PyList_New(0);
    size_t cur = 0;
    seqs_http_field_t f;
    if (list == NULL)
        return NULL;
    while (seqs_http_msg_next_field(m, &cur, &f)) {
        PyObject *t = Py_BuildValue("(y#y#)", f.name, (Py_ssize_t)f.name_len, f.value, (Py_ssize_t)f.value_len);
        if (t == NULL || PyList_Append(list, t) != 0) {
            Py_XDECREF(t);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(t);
    }
    return list;
}

/* Every route calls this; user is the route index. The Python callable gets a
 * dict and returns (status, header_lines_str_or_None, body_bytes). */
static void seqs_py_http_trampoline(seqs_http_server_t *srv, seqs_http_sconn_t *c, const seqs_http_msg_t *req,
                                    const uint8_t *body, size_t body_len, void *user) {
    seqs_py_http_server_t *p = (seqs_py_http_server_t *)(void *)srv;
    size_t idx = (size_t)(uintptr_t)user, ci = (size_t)(c - p->conns);
    size_t tl = 0, ml = 0;
    const char *target = seqs_http_msg_target(req, &tl);
    const char *method = seqs_http_msg_method(req, &ml);
    PyObject *fields, *arg, *res;
    int status = 0;
    const char *hdr = NULL;
    PyObject *hobj = NULL, *bobj = NULL;
    Py_buffer view;
    fields = seqs_py_http_fields(req);
    if (fields == NULL) {
        PyErr_Clear();
        return;
    }
    arg = Py_BuildValue("{s:s#,s:s#,s:i,s:N,s:y#,s:n,s:i}", "method", method, (Py_ssize_t)ml,
                        "target", target, (Py_ssize_t)tl, "minor", (int)req->minor, "headers", fields,
                        "body", (const char *)body, (Py_ssize_t)body_len, "conn", (Py_ssize_t)ci,
                        "method_id", (int)req->method);
    if (arg == NULL) {
        PyErr_Clear();
        return;
    }
    res = PyObject_CallFunctionObjArgs(p->handlers[idx], arg, NULL);
    Py_DECREF(arg);
    if (res == NULL || !PyArg_ParseTuple(res, "iOO", &status, &hobj, &bobj)) {
        /* the Python layer catches handler exceptions itself; this is a broken wrapper */
        PyErr_Clear();
        Py_XDECREF(res);
        p->bad_returns++;
        return;     /* no response: the server answers 500 */
    }
    if (hobj != Py_None) {
        hdr = PyUnicode_AsUTF8(hobj);
        if (hdr == NULL) {
            PyErr_Clear();
            Py_DECREF(res);
            p->bad_returns++;
            return;
        }
    }
    if (!PyObject_CheckBuffer(bobj)) {
        seqs_py_stream_t *st = &p->streams[ci];
        PyObject *it = PyObject_GetIter(bobj);
        if (it == NULL) {
            PyErr_Clear();
            Py_DECREF(res);
            p->bad_returns++;
            return;
        }
        seqs_py_stream_clear(st);
        st->p = p;
        st->it = it;
        if (seqs_http_respond_stream(c, status, hdr, -1, seqs_py_stream_source, st) != SEQS_OK) {
            seqs_py_stream_clear(st);
            p->bad_returns++;
        }
        Py_DECREF(res);
        return;
    }
    if (PyObject_GetBuffer(bobj, &view, PyBUF_SIMPLE) != 0) {
        PyErr_Clear();
        Py_DECREF(res);
        p->bad_returns++;
        return;
    }
    if (seqs_http_respond(c, status, hdr, view.buf, (size_t)view.len) == SEQS_ERR_NOBUFS) {
        /* larger than the buffer: sent from the Python object, kept alive until the next response */
        Py_XDECREF(p->keep[ci]);
        Py_INCREF(bobj);
        p->keep[ci] = bobj;
        if (seqs_http_respond_static(c, status, hdr, view.buf, (size_t)view.len) != SEQS_OK)
            p->bad_returns++;
    }
    PyBuffer_Release(&view);
    Py_DECREF(res);
}

static seqs_py_http_server_t *seqs_py_http_server_new(unsigned int max_conns, size_t buf_size,
                                                      size_t tcp_rx, size_t tcp_tx) {
    seqs_py_http_server_t *p;
    if (max_conns == 0 || max_conns > 255)
        return NULL;
    p = (seqs_py_http_server_t *)calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->max_conns = max_conns;
    p->conns = (seqs_http_sconn_t *)calloc(max_conns, sizeof *p->conns);
    p->bufs = (uint8_t *)calloc(max_conns, buf_size ? buf_size : 1);
    /* one TCP slot more than the cap, so a connection over the cap can be told 503 */
    p->pool = (uint8_t *)calloc((size_t)max_conns + 1, (tcp_rx + tcp_tx) ? tcp_rx + tcp_tx : 1);
    p->keep = (PyObject **)calloc(max_conns, sizeof(PyObject *));
    p->streams = (seqs_py_stream_t *)calloc(max_conns, sizeof(seqs_py_stream_t));
    if (!p->conns || !p->bufs || !p->pool || !p->keep || !p->streams) {
        free(p->conns); free(p->bufs); free(p->pool); free(p->keep); free(p->streams); free(p);
        return NULL;
    }
    return p;
}

static int seqs_py_http_server_start(seqs_py_http_server_t *p, seqs_stack_t *s, unsigned int port,
                                     unsigned int backlog, size_t buf_size, size_t tcp_rx, size_t tcp_tx,
                                     uint32_t idle_ms, uint32_t request_ms, uint32_t linger_ms, uint32_t max_body) {
    seqs_http_server_config_t cfg;
    int r;
    if (p == NULL || s == NULL || port == 0 || port > 65535)
        return SEQS_ERR_INVAL;
    seqs_http_server_config_default(&cfg);
    cfg.port = (uint16_t)port;
    cfg.backlog = backlog;
    cfg.conns = p->conns;
    cfg.max_conns = p->max_conns;
    cfg.bufs = p->bufs;
    cfg.buf_size = buf_size;
    cfg.tcp_pool = p->pool;
    cfg.tcp_pool_len = ((size_t)p->max_conns + 1) * (tcp_rx + tcp_tx);
    cfg.tcp_rx = tcp_rx;
    cfg.tcp_tx = tcp_tx;
    cfg.idle_ms = idle_ms;
    cfg.request_ms = request_ms;
    cfg.linger_ms = linger_ms;
    cfg.max_body = max_body;
    r = seqs_http_server_start(&p->srv, s, &cfg);
    if (r == SEQS_OK)
        p->started = 1;
    return r;
}

static int seqs_py_http_server_route(seqs_py_http_server_t *p, int method, const char *prefix, PyObject *fn) {
    unsigned idx;
    size_t n;
    int r;
    if (p == NULL || prefix == NULL || !PyCallable_Check(fn))
        return SEQS_ERR_INVAL;
    idx = p->srv.nroutes;
    if (idx >= SEQS_HTTP_MAX_ROUTES)
        return SEQS_ERR_LIMIT;
    n = strlen(prefix);
    p->prefixes[idx] = (char *)malloc(n + 1);
    if (p->prefixes[idx] == NULL)
        return SEQS_ERR_NOBUFS;
    memcpy(p->prefixes[idx], prefix, n + 1);
    r = seqs_http_server_route(&p->srv, method, p->prefixes[idx], seqs_py_http_trampoline, (void *)(uintptr_t)idx);
    if (r != SEQS_OK) {
        free(p->prefixes[idx]);
        p->prefixes[idx] = NULL;
        return r;
    }
    Py_INCREF(fn);
    p->handlers[idx] = fn;
    return SEQS_OK;
}

static int seqs_py_http_server_stop(seqs_py_http_server_t *p) {
    if (p == NULL || !p->started)
        return SEQS_ERR_STATE;
    p->started = 0;
    return seqs_http_server_stop(&p->srv);
}

/* The stack is gone already (garbage collection in any order): free without touching it. */
static void seqs_py_http_server_abandon(seqs_py_http_server_t *p) {
    if (p != NULL)
        p->started = 0;
}

static void seqs_py_http_server_free(seqs_py_http_server_t *p) {
    unsigned i;
    if (p == NULL)
        return;
    if (p->started)
        (void)seqs_http_server_stop(&p->srv);
    for (i = 0; i < SEQS_HTTP_MAX_ROUTES; i++) {
        Py_XDECREF(p->handlers[i]);
        free(p->prefixes[i]);
    }
    for (i = 0; i < p->max_conns; i++) {
        Py_XDECREF(p->keep[i]);
        seqs_py_stream_clear(&p->streams[i]);
    }
    free(p->conns); free(p->bufs); free(p->pool); free(p->keep); free(p->streams); free(p);
}

static PyObject *seqs_py_http_server_counters(seqs_py_http_server_t *p) {
    const seqs_http_server_counters_t *c = &p->srv.counters;
    return Py_BuildValue("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
        "conns_accepted", c->conns_accepted, "conns_rejected", c->conns_rejected,
        "requests", c->requests, "responses", c->responses, "bad_request", c->bad_request,
        "uri_too_long", c->uri_too_long, "fields_too_large", c->fields_too_large,
        "body_too_large", c->body_too_large, "not_implemented", c->not_implemented,
        "bad_version", c->bad_version, "expectation_failed", c->expectation_failed,
        "not_found", c->not_found, "method_not_allowed", c->method_not_allowed,
        "no_response", c->no_response, "request_timeouts", c->request_timeouts,
        "idle_closes", c->idle_closes, "linger_timeouts", c->linger_timeouts,
        "continues", c->continues, "conn_errors", c->conn_errors, "peer_resets", c->peer_resets,
        "active", seqs_http_server_active(&p->srv), "bad_returns", p->bad_returns,
        "stream_errors", p->stream_errors);
}

/* Client ------------------------------------------------------------------------ */

typedef struct seqs_py_http_client {
    seqs_http_client_t cl;
    uint8_t *buf, *rx, *tx;
    int inited;
} seqs_py_http_client_t;

static seqs_py_http_client_t *seqs_py_http_client_new(size_t buf_size, size_t rx, size_t tx) {
    seqs_py_http_client_t *p = (seqs_py_http_client_t *)calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->buf = (uint8_t *)calloc(1, buf_size ? buf_size : 1);
    p->rx = (uint8_t *)calloc(1, rx ? rx : 1);
    p->tx = (uint8_t *)calloc(1, tx ? tx : 1);
    if (!p->buf || !p->rx || !p->tx) {
        free(p->buf); free(p->rx); free(p->tx); free(p);
        return NULL;
    }
    return p;
}

static int seqs_py_http_client_init(seqs_py_http_client_t *p, seqs_stack_t *s, uint32_t addr, unsigned int port,
                                    size_t buf_size, size_t rx, size_t tx, uint32_t timeout_ms) {
    int r;
    if (p == NULL || port == 0 || port > 65535)
        return SEQS_ERR_INVAL;
    r = seqs_http_client_init(&p->cl, s, addr, (uint16_t)port, p->buf, buf_size, p->rx, rx, p->tx, tx, timeout_ms);
    if (r == SEQS_OK)
        p->inited = 1;
    return r;
}

static int seqs_py_http_client_request(seqs_py_http_client_t *p, const char *method, const char *target,
                                       const char *host, const char *headers, const void *data, size_t len,
                                       uint64_t now_us) {
    if (p == NULL || !p->inited)
        return SEQS_ERR_STATE;
    return seqs_http_client_request(&p->cl, method, target, host, headers, data, len, now_us);
}

static int seqs_py_http_client_state(seqs_py_http_client_t *p) { return p->cl.state; }
static int seqs_py_http_client_error(seqs_py_http_client_t *p) { return p->cl.error; }

static PyObject *seqs_py_http_client_response(seqs_py_http_client_t *p) {
    const seqs_http_msg_t *m = seqs_http_client_response(&p->cl);
    PyObject *fields;
    if (m == NULL)
        Py_RETURN_NONE;
    fields = seqs_py_http_fields(m);
    if (fields == NULL)
        return NULL;
    return Py_BuildValue("{s:i,s:y#,s:i,s:N,s:i,s:K,s:i}", "status", (int)m->status,
                         "reason", (const char *)m->buf + m->b_off, (Py_ssize_t)m->b_len, "minor", (int)m->minor,
                         "headers", fields, "framing", (int)m->framing,
                         "content_length", (unsigned long long)m->content_length, "flags", (int)m->flags);
}

/* Body bytes (up to n), b"" at the end of the body, None when nothing is ready, or an int error. */
static PyObject *seqs_py_http_client_read(seqs_py_http_client_t *p, size_t n) {
    PyObject *b;
    int r;
    if (n == 0 || n > (1u << 24))
        n = 65536;
    b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)n);
    if (b == NULL)
        return NULL;
    r = seqs_http_client_read(&p->cl, PyBytes_AS_STRING(b), n);
    if (r >= 0) {
        if (_PyBytes_Resize(&b, r) != 0)
            return NULL;
        return b;
    }
    Py_DECREF(b);
    if (r == SEQS_ERR_AGAIN)
        Py_RETURN_NONE;
    return PyLong_FromLong(r);
}

static PyObject *seqs_py_http_client_counters(seqs_py_http_client_t *p) {
    const seqs_http_client_counters_t *c = &p->cl.counters;
    return Py_BuildValue("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "requests", c->requests, "responses", c->responses,
                         "connects", c->connects, "reused", c->reused, "informational", c->informational,
                         "timeouts", c->timeouts, "proto_errors", c->proto_errors, "conn_errors", c->conn_errors);
}

static void seqs_py_http_client_abandon(seqs_py_http_client_t *p) {
    if (p != NULL)
        p->inited = 0;
}

static void seqs_py_http_client_free(seqs_py_http_client_t *p) {
    if (p == NULL)
        return;
    if (p->inited)
        (void)seqs_http_client_close(&p->cl);
    free(p->buf); free(p->rx); free(p->tx); free(p);
}
%}

typedef struct seqs_py_http_server seqs_py_http_server_t;
typedef struct seqs_py_http_client seqs_py_http_client_t;
seqs_py_http_server_t *seqs_py_http_server_new(unsigned int max_conns, size_t buf_size, size_t tcp_rx, size_t tcp_tx);
int seqs_py_http_server_start(seqs_py_http_server_t *p, seqs_stack_t *s, unsigned int port,
                              unsigned int backlog, size_t buf_size, size_t tcp_rx, size_t tcp_tx,
                              uint32_t idle_ms, uint32_t request_ms, uint32_t linger_ms, uint32_t max_body);
int seqs_py_http_server_route(seqs_py_http_server_t *p, int method, const char *prefix, PyObject *fn);
int seqs_py_http_server_stop(seqs_py_http_server_t *p);
void seqs_py_http_server_free(seqs_py_http_server_t *p);
void seqs_py_http_server_abandon(seqs_py_http_server_t *p);
void seqs_py_http_client_abandon(seqs_py_http_client_t *p);
PyObject *seqs_py_http_server_counters(seqs_py_http_server_t *p);
seqs_py_http_client_t *seqs_py_http_client_new(size_t buf_size, size_t rx, size_t tx);
int seqs_py_http_client_init(seqs_py_http_client_t *p, seqs_stack_t *s, uint32_t addr, unsigned int port,
                             size_t buf_size, size_t rx, size_t tx, uint32_t timeout_ms);
int seqs_py_http_client_request(seqs_py_http_client_t *p, const char *method, const char *target,
                                const char *host, const char *headers, const void *data, size_t len,
                                uint64_t now_us);
int seqs_py_http_client_state(seqs_py_http_client_t *p);
int seqs_py_http_client_error(seqs_py_http_client_t *p);
PyObject *seqs_py_http_client_response(seqs_py_http_client_t *p);
PyObject *seqs_py_http_client_read(seqs_py_http_client_t *p, size_t n);
PyObject *seqs_py_http_client_counters(seqs_py_http_client_t *p);
void seqs_py_http_client_free(seqs_py_http_client_t *p);

%constant int HTTP_MAX_REQUEST_LINE = SEQS_HTTP_MAX_REQUEST_LINE;
%constant int HTTP_MAX_HEAD = SEQS_HTTP_MAX_HEAD;
%constant int HTTP_MAX_FIELDS = SEQS_HTTP_MAX_FIELDS;
%constant int HTTP_MAX_BODY = SEQS_HTTP_MAX_BODY;
%constant int HTTP_TX_RESERVE = SEQS_HTTP_TX_RESERVE;
%constant int HTTP_MAX_ROUTES = SEQS_HTTP_MAX_ROUTES;
%constant int HTTP_IDLE_MS = SEQS_HTTP_IDLE_MS;
%constant int HTTP_REQUEST_MS = SEQS_HTTP_REQUEST_MS;
%constant int HTTP_LINGER_MS = SEQS_HTTP_LINGER_MS;
%constant int HTTP_CLIENT_TIMEOUT_MS = SEQS_HTTP_CLIENT_TIMEOUT_MS;
