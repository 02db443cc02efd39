/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/http.h — HTTP/1.1 server and client (RFC 9110, RFC 9112) on the TCP API.
 *
 * Zero allocations: every connection works over one caller-supplied buffer that
 * holds the request (or response) head, its body, and the head of what is sent
 * back. Parsing is a *view* over that buffer (offsets, no copies); a body is
 * de-chunked in place. Server and client attach to a stack through seqs/app.h,
 * so their timers are part of seqs_stack_next_deadline() and the stack's three
 * calls drive them. Limits are the SEQS_HTTP_* values below (override them like
 * every seqs option: define them first, e.g. in SEQS_OPTS_FILE). */
#ifndef SEQS_HTTP_H
#define SEQS_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include "app.h"
#include "tcp.h"

/* Limits and defaults --------------------------------------------------------- */

/* Longest request line (method SP target SP version): longer -> 414 URI Too Long. */
#ifndef SEQS_HTTP_MAX_REQUEST_LINE
#define SEQS_HTTP_MAX_REQUEST_LINE 1024u
#endif
/* Largest header section (start line + fields + empty line) and most fields:
 * beyond -> 431 Request Header Fields Too Large (RFC 6585 5). A connection's
 * buffer caps it too (buffer size - SEQS_HTTP_TX_RESERVE). */
#ifndef SEQS_HTTP_MAX_HEAD
#define SEQS_HTTP_MAX_HEAD 8192u
#endif
#ifndef SEQS_HTTP_MAX_FIELDS
#define SEQS_HTTP_MAX_FIELDS 48u
#endif
/* Default largest request body the server accepts (-> 413 Content Too Large);
 * a body must also fit the connection buffer after its head. */
#ifndef SEQS_HTTP_MAX_BODY
#define SEQS_HTTP_MAX_BODY 65536u
#endif
/* Bytes of every connection buffer kept free for the response head (reads
 * never fill them). Buffers must be at least 2 * this. */
#ifndef SEQS_HTTP_TX_RESERVE
#define SEQS_HTTP_TX_RESERVE 256u
#endif
/* Routes per server. */
#ifndef SEQS_HTTP_MAX_ROUTES
#define SEQS_HTTP_MAX_ROUTES 8u
#endif
/* Chunk extensions and trailer section are skipped but bounded (bytes). */
#ifndef SEQS_HTTP_MAX_CHUNK_EXT
#define SEQS_HTTP_MAX_CHUNK_EXT 256u
#endif
#ifndef SEQS_HTTP_MAX_TRAILER
#define SEQS_HTTP_MAX_TRAILER 2048u
#endif
/* Server timers (defaults of seqs_http_server_config_t): a keep-alive connection
 * with no request is closed after IDLE; a request (head and body) not complete
 * REQUEST after its first byte gets 408 and a close (slowloris); after the last
 * response of a connection, unread input is drained for up to LINGER before the
 * close, so it never turns into an RST that destroys the response (RFC 9112 9.6). */
#ifndef SEQS_HTTP_IDLE_MS
#define SEQS_HTTP_IDLE_MS 15000u
#endif
#ifndef SEQS_HTTP_REQUEST_MS
#define SEQS_HTTP_REQUEST_MS 10000u
#endif
#ifndef SEQS_HTTP_LINGER_MS
#define SEQS_HTTP_LINGER_MS 2000u
#endif
/* Client: no progress (connect, bytes of the response) for this long -> SEQS_ERR_TIMEDOUT. */
#ifndef SEQS_HTTP_CLIENT_TIMEOUT_MS
#define SEQS_HTTP_CLIENT_TIMEOUT_MS 10000u
#endif

#if SEQS_HTTP_MAX_ROUTES < 1 || SEQS_HTTP_TX_RESERVE < 128
#error "SEQS_HTTP_MAX_ROUTES >= 1 and SEQS_HTTP_TX_RESERVE >= 128"
#endif

/* Errors beyond seqs_err_t (negative, below it). */
enum {
    SEQS_HTTP_ERR_PROTO = -100,     /* malformed message (status line, field, framing, chunk) */
    SEQS_HTTP_ERR_TOOBIG = -101     /* header section beyond the limit or the buffer */
};
/* A message for a seqs_err_t or SEQS_HTTP_ERR_* code. */
const char *seqs_http_strerror(int err);

/* Methods (RFC 9110 9). SEQS_HTTP_OTHER: a syntactically valid unknown method (-> 501). */
typedef enum seqs_http_method {
    SEQS_HTTP_ANY = 0,              /* in a route: every method */
    SEQS_HTTP_GET, SEQS_HTTP_HEAD, SEQS_HTTP_POST, SEQS_HTTP_PUT, SEQS_HTTP_DELETE,
    SEQS_HTTP_CONNECT, SEQS_HTTP_OPTIONS, SEQS_HTTP_TRACE, SEQS_HTTP_PATCH,
    SEQS_HTTP_OTHER
} seqs_http_method_t;
const char *seqs_http_method_name(int method);
/* Reason phrase of a status code ("Not Found"; "" when unknown). */
const char *seqs_http_reason(int status);

/* Message views ----------------------------------------------------------------- */

/* Body framing of a parsed message (RFC 9112 6.3). */
enum {
    SEQS_HTTP_BODY_NONE = 0,
    SEQS_HTTP_BODY_LENGTH,      /* Content-Length bytes */
    SEQS_HTTP_BODY_CHUNKED,
    SEQS_HTTP_BODY_CLOSE        /* responses only: until the connection closes */
};
/* seqs_http_msg_t.flags */
enum {
    SEQS_HTTP_F_CLOSE = 1,          /* Connection: close, or 1.0 without keep-alive */
    SEQS_HTTP_F_KEEPALIVE = 2,      /* Connection: keep-alive seen */
    SEQS_HTTP_F_CONTINUE = 4,       /* Expect: 100-continue */
    SEQS_HTTP_F_TE_AND_CL = 8       /* Transfer-Encoding and Content-Length both present */
};

/* A parsed request or response head: offsets into the buffer it was parsed from.
 * The fields section is validated once; lookups walk it again. */
typedef struct seqs_http_msg {
    const uint8_t *buf;         /* the buffer the head lives in */
    uint16_t head_len;          /* bytes of the head (through the empty line) */
    uint16_t start;             /* offset of the start line (leading CRLFs skipped) */
    uint16_t a_off, a_len;      /* request: method;  response: version */
    uint16_t b_off, b_len;      /* request: target;  response: reason phrase */
    uint16_t fields_off, fields_len;   /* the field lines (each ends in CRLF) */
    uint16_t status;            /* response status */
    uint8_t method;             /* seqs_http_method_t */
    uint8_t minor;              /* HTTP/1.minor */
    uint8_t framing;            /* SEQS_HTTP_BODY_* */
    uint8_t flags;              /* SEQS_HTTP_F_* */
    uint16_t nfields;
    uint64_t content_length;
} seqs_http_msg_t;

/* One field line: name and value (OWS trimmed); not NUL-terminated. */
typedef struct seqs_http_field {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} seqs_http_field_t;

/* Parses a request head in buf[0..len). Returns the head length (> 0) when it is
 * complete and valid, 0 when more bytes are needed, or the negated status code
 * to answer with: -400 (syntax, Host, framing), -414, -431, -501 (unknown
 * method or transfer coding), -505 (major version not 1). Never reads past len. */
int seqs_http_parse_request(const uint8_t *buf, size_t len, seqs_http_msg_t *m);
/* Parses a response head; head_request: it answers a HEAD (no body). Returns the
 * head length, 0 for more, SEQS_HTTP_ERR_PROTO or SEQS_HTTP_ERR_TOOBIG. */
int seqs_http_parse_response(const uint8_t *buf, size_t len, int head_request, seqs_http_msg_t *m);

/* First field named name (case-insensitive): 1 and *f filled, 0 when absent. */
int seqs_http_msg_field(const seqs_http_msg_t *m, const char *name, seqs_http_field_t *f);
/* Iterates the fields: start with *cursor = 0; returns 1 with *f filled, 0 at the end. */
int seqs_http_msg_next_field(const seqs_http_msg_t *m, size_t *cursor, seqs_http_field_t *f);
/* Request target (path and query) / method text / response reason, not NUL-terminated. */
const char *seqs_http_msg_target(const seqs_http_msg_t *m, size_t *len);
const char *seqs_http_msg_method(const seqs_http_msg_t *m, size_t *len);

/* Body decoder ------------------------------------------------------------------ */

/* Decodes a body framed by Content-Length, chunked (extensions ignored, trailers
 * skipped, both bounded) or close. Feed it bytes; each call consumes some and
 * points at the body bytes found among them (one contiguous run). */
typedef struct seqs_http_body {
    uint64_t left;          /* LENGTH: bytes to go; CHUNKED: bytes of the current chunk */
    uint64_t total;         /* body bytes decoded so far */
    uint16_t aux;           /* bytes of the current extension / trailer section */
    uint8_t framing;        /* SEQS_HTTP_BODY_* */
    uint8_t st;             /* decoder state (private) */
    uint8_t digits;
} seqs_http_body_t;

void seqs_http_body_init(seqs_http_body_t *b, const seqs_http_msg_t *m);
/* Consumes bytes of in[0..len): returns how many (>= 0) or SEQS_HTTP_ERR_PROTO
 * (bad or overflowing chunk size, bad CRLF, oversized extension/trailers).
 * data, data_len: the body bytes among them (a sub-range of in; may be empty). */
int seqs_http_body_feed(seqs_http_body_t *b, const uint8_t *in, size_t len,
                        const uint8_t **data, size_t *data_len);
/* 1 when the body is complete (never for BODY_CLOSE: that ends with the stream). */
int seqs_http_body_done(const seqs_http_body_t *b);

/* Server ------------------------------------------------------------------------ */

struct seqs_http_server;
typedef struct seqs_http_sconn seqs_http_sconn_t;

/* A route's handler: called once per request, when its head and whole body are
 * in the connection buffer. It answers with one of the seqs_http_respond*()
 * calls before it returns (otherwise the server answers 500). body is the
 * request body (de-chunked), valid during the call. */
typedef void (*seqs_http_handler_fn)(struct seqs_http_server *srv, seqs_http_sconn_t *c,
                                     const seqs_http_msg_t *req, const uint8_t *body, size_t body_len,
                                     void *user);
/* A streamed body: write up to cap bytes at dst, return the count; 0 ends the
 * body (required for chunked; for a known length 0 early aborts the connection);
 * negative aborts the connection. offset: body bytes produced so far. */
typedef int (*seqs_http_source_fn)(void *ctx, uint64_t offset, uint8_t *dst, size_t cap);

/* Per-server counters: every reason a request or connection was refused or dropped. */
typedef struct seqs_http_server_counters {
    uint32_t conns_accepted, conns_rejected;    /* rejected: over the cap (503 + close) */
    uint32_t requests, responses;
    uint32_t bad_request, uri_too_long, fields_too_large, body_too_large;   /* 400 414 431 413 */
    uint32_t not_implemented, bad_version, expectation_failed;             /* 501 505 417 */
    uint32_t not_found, method_not_allowed, no_response;                   /* 404 405 500 */
    uint32_t request_timeouts;  /* 408 */
    uint32_t idle_closes, linger_timeouts;
    uint32_t continues;         /* 100 Continue sent */
    uint32_t peer_resets;       /* the client reset the connection (e.g. closed with unread data) */
    uint32_t conn_errors;       /* any other TCP error under a connection, a stalled send, a source abort */
} seqs_http_server_counters_t;

/* Connection states (seqs_http_sconn_state) */
enum {
    SEQS_HTTP_SC_FREE = 0, SEQS_HTTP_SC_IDLE, SEQS_HTTP_SC_HEAD, SEQS_HTTP_SC_BODY,
    SEQS_HTTP_SC_SEND, SEQS_HTTP_SC_LINGER
};

/* One server connection (caller-allocated array; members are private). */
struct seqs_http_sconn {
    seqs_tcp_t tcp;
    uint8_t *buf;
    uint32_t cap;
    uint32_t filled;        /* bytes read into buf */
    uint32_t raw;           /* next byte not yet parsed/decoded */
    uint32_t body_len;      /* decoded body bytes at buf[msg.head_len..] */
    uint32_t out_off, out_len;      /* pending head/body bytes in buf */
    uint64_t deadline;
    uint64_t src_off, src_len;      /* streamed body: produced, total (UINT64_MAX: chunked) */
    seqs_http_source_fn src;
    void *src_ctx;
    const uint8_t *mem;     /* respond_static body */
    seqs_http_msg_t msg;
    seqs_http_body_t body;
    uint8_t state;
    uint8_t close_after;    /* this response ends the connection */
    uint8_t no_body;        /* HEAD / 204 / 304: head only */
    uint8_t responded;
    uint8_t close_delimited;    /* streamed body to a 1.0 client: raw bytes, ended by the close */
    uint8_t fin_seen;
};

typedef struct seqs_http_route {
    uint8_t method;             /* seqs_http_method_t; SEQS_HTTP_ANY matches every method */
    const char *prefix;         /* path prefix, "/" matches all */
    seqs_http_handler_fn fn;
    void *user;
} seqs_http_route_t;

typedef struct seqs_http_server_config {
    uint16_t port;
    unsigned backlog;               /* TCP accept backlog */
    seqs_http_sconn_t *conns;       /* max_conns connection states */
    unsigned max_conns;             /* the connection cap */
    uint8_t *bufs;                  /* max_conns * buf_size bytes of HTTP buffers */
    size_t buf_size;                /* per connection, >= 2 * SEQS_HTTP_TX_RESERVE */
    uint8_t *tcp_pool;              /* seqs_tcp_listen() pool: at least max_conns + 1 slots */
    size_t tcp_pool_len, tcp_rx, tcp_tx;
    uint32_t idle_ms, request_ms, linger_ms;   /* 0: the SEQS_HTTP_*_MS default */
    uint32_t max_body;              /* 0: SEQS_HTTP_MAX_BODY */
} seqs_http_server_config_t;

typedef struct seqs_http_server {
    seqs_app_t app;
    struct seqs_stack *stack;
    seqs_tcp_listener_t listener;
    seqs_http_sconn_t *conns;
    unsigned max_conns;
    uint32_t idle_ms, request_ms, linger_ms, max_body;
    uint64_t now;                   /* time of the current poll */
    seqs_http_route_t routes[SEQS_HTTP_MAX_ROUTES];
    unsigned nroutes;
    seqs_http_server_counters_t counters;
} seqs_http_server_t;

/* Fills cfg with defaults (port 80, backlog 4, timers from the SEQS_HTTP_*_MS). */
void seqs_http_server_config_default(seqs_http_server_config_t *cfg);
/* Listens and attaches. SEQS_ERR_INVAL (NULL, 0 conns, a buffer smaller than
 * 2 * SEQS_HTTP_TX_RESERVE or over 65535, bufs too short), errors of
 * seqs_tcp_listen() and seqs_app_attach(). */
int seqs_http_server_start(seqs_http_server_t *srv, struct seqs_stack *s, const seqs_http_server_config_t *cfg);
/* Aborts every connection, closes the listener and detaches. */
int seqs_http_server_stop(seqs_http_server_t *srv);
/* Adds a route (first match in order of adding wins). SEQS_ERR_LIMIT when
 * SEQS_HTTP_MAX_ROUTES are in use, SEQS_ERR_INVAL for a NULL or non-'/' prefix. */
int seqs_http_server_route(seqs_http_server_t *srv, int method, const char *prefix,
                           seqs_http_handler_fn fn, void *user);
/* Connections in use (not FREE). */
unsigned seqs_http_server_active(const seqs_http_server_t *srv);
const seqs_http_server_counters_t *seqs_http_server_counters(const seqs_http_server_t *srv);
int seqs_http_sconn_state(const seqs_http_sconn_t *c);

/* Answers the current request (from a handler). headers: extra field lines, each
 * ending in CRLF (or NULL); Content-Length/Transfer-Encoding/Connection are
 * written by the server. respond() copies headers and body into the connection
 * buffer: SEQS_ERR_NOBUFS when they do not fit (stream instead).
 * respond_static() copies only headers; body must stay valid until sent.
 * respond_stream(): length is the body size or -1 for chunked; fn is called as
 * the send buffer drains. SEQS_ERR_STATE when the request was answered already,
 * SEQS_ERR_INVAL for a status outside 200..599. */
int seqs_http_respond(seqs_http_sconn_t *c, int status, const char *headers, const void *body, size_t len);
int seqs_http_respond_static(seqs_http_sconn_t *c, int status, const char *headers, const void *body, size_t len);
int seqs_http_respond_stream(seqs_http_sconn_t *c, int status, const char *headers, int64_t length,
                             seqs_http_source_fn fn, void *ctx);

/* Client ------------------------------------------------------------------------ */

/* Client states (seqs_http_client_state) */
enum {
    SEQS_HTTP_CL_IDLE = 0,      /* no request in flight (a kept-alive connection may be open) */
    SEQS_HTTP_CL_BUSY,          /* connecting, sending, or waiting for the response head */
    SEQS_HTTP_CL_BODY,          /* head received: status and fields readable, body via read() */
    SEQS_HTTP_CL_DONE,          /* the whole response was read (read() returns 0) */
    SEQS_HTTP_CL_ERROR          /* the request failed: seqs_http_client_error() */
};

typedef struct seqs_http_client_counters {
    uint32_t requests, responses, connects, reused, informational;
    uint32_t timeouts, proto_errors, conn_errors;
} seqs_http_client_counters_t;

typedef struct seqs_http_client {
    seqs_app_t app;
    struct seqs_stack *stack;
    seqs_tcp_t tcp;
    uint32_t addr;
    uint16_t port;
    uint8_t state;
    uint8_t conn_open;          /* tcp is a live, reusable connection */
    uint8_t head_req;           /* the request is a HEAD */
    uint8_t sent_all;
    uint8_t fin_seen;
    uint8_t reusable;
    int32_t error;
    uint8_t *buf;
    uint32_t cap, filled, raw, out_off, out_len;
    uint8_t *rxbuf, *txbuf;
    size_t rxcap, txcap;
    uint32_t timeout_ms;
    uint64_t now, deadline;
    seqs_http_msg_t msg;
    seqs_http_body_t body;
    seqs_http_client_counters_t counters;
} seqs_http_client_t;

/* Prepares a client for server addr:port (host order address) and attaches it.
 * buf (>= 2 * SEQS_HTTP_TX_RESERVE, <= 65535) holds each request and then its
 * response; rxbuf/txbuf are the TCP connection's buffers. timeout_ms 0: the
 * default. SEQS_ERR_INVAL for NULL / too small buffers. */
int seqs_http_client_init(seqs_http_client_t *cl, struct seqs_stack *s, uint32_t addr, uint16_t port,
                          uint8_t *buf, size_t cap, uint8_t *rxbuf, size_t rxcap,
                          uint8_t *txbuf, size_t txcap, uint32_t timeout_ms);
/* Starts a request: "METHOD target HTTP/1.1", Host (host, or the address),
 * headers (field lines ending in CRLF, or NULL; must not carry Host,
 * Content-Length or Transfer-Encoding), Content-Length when body_len > 0 or the
 * method is POST/PUT/PATCH. The whole request is copied into buf:
 * SEQS_ERR_NOBUFS when it does not fit. Reuses the open connection when the
 * last response allowed it. SEQS_ERR_STATE while a request is in flight (or its
 * body is unread), SEQS_ERR_INVAL for a bad method/target/host/headers. */
int seqs_http_client_request(seqs_http_client_t *cl, const char *method, const char *target,
                             const char *host, const char *headers, const void *body, size_t body_len,
                             uint64_t now_us);
int seqs_http_client_state(const seqs_http_client_t *cl);
/* The failed request's error (SEQS_ERR_TIMEDOUT, SEQS_ERR_RESET, SEQS_HTTP_ERR_PROTO...), 0 if none. */
int seqs_http_client_error(const seqs_http_client_t *cl);
/* The response head (state BODY or DONE), else NULL. */
const seqs_http_msg_t *seqs_http_client_response(const seqs_http_client_t *cl);
/* Copies up to cap body bytes: count (> 0), 0 when the body is complete,
 * SEQS_ERR_AGAIN when none are ready, or the request's error. */
int seqs_http_client_read(seqs_http_client_t *cl, void *buf, size_t cap);
/* Aborts any request, closes the connection and detaches. */
int seqs_http_client_close(seqs_http_client_t *cl);
const seqs_http_client_counters_t *seqs_http_client_counters(const seqs_http_client_t *cl);

#endif
