/* SPDX-License-Identifier: BSD-3-Clause */
/* resolver.c — the DNS stub resolver (seqs/dns.h): query state machine,
 * response matching (RFC 5452), retransmission and server fail-over (RFC 1035
 * 7.2), TCP retry on TC=1 (RFC 7766), CNAME chains (RFC 1034 3.6.2). */
#include <stddef.h>
#include <string.h>

#include "seqs/dns.h"
#include "seqs/seqs.h"
#include "seqs/wire/dns.h"

#include "../app_time.h"

/* Query phases. */
enum { PH_DONE = 0, PH_START, PH_UDP, PH_TCP };

#define UDP_MAX_MSG 512u   /* RFC 1035 4.2.1: no EDNS0 is offered, so nothing larger is valid */
#define TCP_RX_RING 384u   /* the receive window while reassembling a TCP answer */
#define TCP_TX_RING 280u   /* >= 2 + the largest query (12 + 255 + 4) */
#define TCP_ASM (SEQS_DNS_QUERY_BUF - TCP_RX_RING - TCP_TX_RING)

_Static_assert(SEQS_DNS_QUERY_BUF >= 12u + UDP_MAX_MSG + 16u, "SEQS_DNS_QUERY_BUF must hold one 512-byte datagram");
_Static_assert(TCP_ASM >= 2u + 300u, "SEQS_DNS_QUERY_BUF too small for a TCP answer");
_Static_assert(offsetof(seqs_dns_resolver_t, app) == 0, "the app hook must be the first member");
_Static_assert(SEQS_DNS_MAX_SERVERS >= 1 && SEQS_DNS_MAX_SERVERS <= 255, "SEQS_DNS_MAX_SERVERS out of range");

static seqs_dns_resolver_t *from_app(seqs_app_t *a) {
    return (seqs_dns_resolver_t *)(void *)((uint8_t *)a - offsetof(seqs_dns_resolver_t, app));
}
static const seqs_dns_resolver_t *from_capp(const seqs_app_t *a) {
    return (const seqs_dns_resolver_t *)(const void *)((const uint8_t *)a - offsetof(seqs_dns_resolver_t, app));
}

/* RFC 2181 8: a TTL with the most significant bit set is treated as zero. */
static uint32_t ttl_norm(uint32_t t) { return (t & 0x80000000u) ? 0u : t; }

static uint8_t lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c; }

static const uint8_t *q_name(const seqs_dns_query_t *q) { return q->qmsg + 2 + SEQS_DNS_HDR_LEN; }
static size_t q_namelen(const seqs_dns_query_t *q) { return (size_t)q->qlen - SEQS_DNS_HDR_LEN - 4u; }

/* ---- cache -------------------------------------------------------------- */

static seqs_dns_cache_entry_t *cache_find(seqs_dns_resolver_t *r, const uint8_t *name, size_t len, uint64_t now) {
    for (unsigned i = 0; i < (unsigned)SEQS_DNS_CACHE_SIZE; i++) {
        seqs_dns_cache_entry_t *e = &r->cache[i];
        if (!e->namelen)
            continue;
        if (e->expires_us <= now) {
            e->namelen = 0;   /* expired (RFC 1035 3.2.1: TTL is how long it may be cached) */
            continue;
        }
        if (seqs_dns_name_eq(e->name, e->namelen, name, len))
            return e;
    }
    return NULL;
}

static void cache_put(seqs_dns_resolver_t *r, const seqs_dns_query_t *q, uint64_t now) {
    size_t len = q_namelen(q);
    if (SEQS_DNS_CACHE_SIZE == 0 || q->ttl_s == 0 || len > SEQS_DNS_CACHE_NAME)
        return;
    seqs_dns_cache_entry_t *e = cache_find(r, q_name(q), len, now);
    if (!e) {
        /* A free slot, else the entry that expires first. */
        e = &r->cache[0];
        for (unsigned i = 0; i < (unsigned)SEQS_DNS_CACHE_SIZE; i++) {
            if (!r->cache[i].namelen) {
                e = &r->cache[i];
                break;
            }
            if (r->cache[i].expires_us < e->expires_us)
                e = &r->cache[i];
        }
    }
    for (size_t i = 0; i < len; i++)
        e->name[i] = lower(q_name(q)[i]);
    e->namelen = (uint8_t)len;
    e->naddrs = q->naddrs;
    memcpy(e->addrs, q->addrs, sizeof e->addrs);
    e->expires_us = now + (uint64_t)q->ttl_s * 1000000u;
}

void seqs_dns_cache_flush(seqs_dns_resolver_t *r) {
    if (!r)
        return;
    for (unsigned i = 0; i < (unsigned)SEQS_DNS_CACHE_SIZE; i++)
        r->cache[i].namelen = 0;
}

/* ---- query life cycle ------------------------------------------------------ */

static void unlink_query(seqs_dns_resolver_t *r, seqs_dns_query_t *q) {
    for (seqs_dns_query_t **pp = &r->queries; *pp; pp = &(*pp)->next)
        if (*pp == q) {
            *pp = q->next;
            break;
        }
    q->next = NULL;
}

static void release_sockets(seqs_stack_t *s, seqs_dns_query_t *q) {
    if (q->udp) {
        seqs_udp_close(s, q->udp);
        q->udp = 0;
    }
    if (q->tcp) {
        /* Abort, not close: the connection's buffers are the query's, and the
         * caller may reuse the query as soon as it is done. */
        seqs_tcp_abort(s, q->tcp);
        q->tcp = 0;
    }
}

static void finish(seqs_stack_t *s, seqs_dns_resolver_t *r, seqs_dns_query_t *q, seqs_dns_status_t st,
                   uint64_t now) {
    release_sockets(s, q);
    unlink_query(r, q);
    q->phase = PH_DONE;
    q->status = (uint8_t)st;
    if (st == SEQS_DNS_OK && !q->from_cache)
        cache_put(r, q, now);
    if (r->cb)
        r->cb(q, r->cb_ctx);
}

static uint64_t try_timeout_us(const seqs_dns_resolver_t *r, unsigned tries) {
    unsigned shift = tries > 0 ? tries - 1u : 0u;
    if (shift > 6)
        shift = 6;
    return (uint64_t)r->timeout_ms * 1000u << shift;
}

static void new_id(seqs_stack_t *s, seqs_dns_query_t *q) {
    q->id = (uint16_t)seqs_stack_random(s);   /* RFC 5452 9.2: unpredictable ID */
    seqs_put16(q->qmsg + 2, q->id);
}

static void send_udp(seqs_stack_t *s, seqs_dns_resolver_t *r, seqs_dns_query_t *q, uint64_t now) {
    q->tries++;
    q->deadline_us = now + try_timeout_us(r, q->tries);
    int rc = seqs_udp_sendto(s, q->udp, q->qmsg + 2, q->qlen, r->servers[q->server], r->port);
    if (rc == SEQS_ERR_NOADDR) {
        finish(s, r, q, SEQS_DNS_ERROR, now);
        return;
    }
    /* Other failures (queue full, neighbour unreachable) count as a lost
     * datagram: the time-out retransmits or moves on. */
    r->stats.queries_tx++;
}

static void next_server(seqs_stack_t *s, seqs_dns_resolver_t *r, seqs_dns_query_t *q, seqs_dns_status_t why,
                        uint64_t now) {
    if (q->tcp) {
        seqs_tcp_abort(s, q->tcp);
        q->tcp = 0;
    }
    if ((unsigned)q->server + 1u >= r->nservers) {
        finish(s, r, q, why, now);
        return;
    }
    q->server++;
    q->tries = 0;
    r->stats.server_switches++;
    if (!q->udp) {
        if (seqs_udp_open(s, &q->udp, q->buf, sizeof q->buf) < 0 || seqs_udp_bind(s, q->udp, 0, 0) < 0) {
            finish(s, r, q, SEQS_DNS_ERROR, now);
            return;
        }
    }
    new_id(s, q);
    q->phase = PH_UDP;
    send_udp(s, r, q, now);
}

static void start_tcp(seqs_stack_t *s, seqs_dns_resolver_t *r, seqs_dns_query_t *q, uint64_t now) {
    seqs_udp_close(s, q->udp);
    q->udp = 0;
    r->stats.tcp_fallbacks++;
    uint8_t *rx = q->buf + TCP_ASM;
    uint8_t *tx = rx + TCP_RX_RING;
    int rc = seqs_tcp_connect(s, &q->tcp, r->servers[q->server], r->port, 0, rx, TCP_RX_RING, tx, TCP_TX_RING);
    if (rc < 0) {
        q->tcp = 0;
        next_server(s, r, q, SEQS_DNS_ERROR, now);
        return;
    }
    q->phase = PH_TCP;
    q->tcp_sent = 0;
    q->tcp_have = 0;
    q->deadline_us = now + (uint64_t)SEQS_DNS_TCP_TIMEOUT_MS * 1000u;
}

/* ---- answers ----------------------------------------------------------------- */

/* Follows CNAMEs from our question name (RFC 1034 3.6.2) and takes the A
 * records of the final name; unrelated records are ignored (N7). The message
 * passed seqs_dns_msg_check(), so every record parses. */
static void take_answers(seqs_dns_query_t *q, const seqs_dns_view_t *v, size_t ans_off) {
    uint8_t target[SEQS_DNS_MAX_WIRE_NAME];
    size_t tlen = q_namelen(q);
    uint32_t ttl = UINT32_MAX;
    unsigned an = seqs_dns_ancount(v);
    memcpy(target, q_name(q), tlen);
    for (unsigned hop = 0; hop < SEQS_DNS_MAX_CNAMES; hop++) {
        size_t off = ans_off;
        int moved = 0;
        for (unsigned i = 0; i < an && !moved; i++) {
            seqs_dns_rr_t rr;
            if (seqs_dns_rr_parse(v, off, &rr, &off) != 0)
                return;
            if (rr.type != SEQS_DNS_TYPE_CNAME || rr.rclass != SEQS_DNS_CLASS_IN)
                continue;
            if (seqs_dns_name_eq_at(v, rr.name_off, target, tlen) != 1)
                continue;
            if (seqs_dns_name_decode(v, rr.rdata_off, target, sizeof target, &tlen, NULL) != 0)
                return;
            if (ttl_norm(rr.ttl) < ttl)
                ttl = ttl_norm(rr.ttl);
            moved = 1;
        }
        if (!moved)
            break;
    }
    size_t off = ans_off;
    uint8_t n = 0;
    uint32_t ttl_a = UINT32_MAX;
    for (unsigned i = 0; i < an; i++) {
        seqs_dns_rr_t rr;
        if (seqs_dns_rr_parse(v, off, &rr, &off) != 0)
            return;
        if (rr.type != SEQS_DNS_TYPE_A || rr.rclass != SEQS_DNS_CLASS_IN)
            continue;
        if (seqs_dns_name_eq_at(v, rr.name_off, target, tlen) != 1)
            continue;
        if (ttl_norm(rr.ttl) < ttl_a)
            ttl_a = ttl_norm(rr.ttl);
        if (n < SEQS_DNS_MAX_ADDRS)
            q->addrs[n++] = seqs_be32(v->p + rr.rdata_off);
    }
    q->naddrs = n;
    if (ttl_a < ttl)
        ttl = ttl_a;
    if (ttl > SEQS_DNS_MAX_TTL_S)
        ttl = SEQS_DNS_MAX_TTL_S;
    q->ttl_s = n ? ttl : 0;
}

/* One candidate response (already known to come from the queried server).
 * Returns 1 when it was taken (the query moved on), 0 when it was dropped. */
static int handle_message(seqs_stack_t *s, seqs_dns_resolver_t *r, seqs_dns_query_t *q, const uint8_t *msg,
                          size_t len, int over_tcp, uint64_t now) {
    seqs_dns_view_t v;
    if (seqs_dns_view_init(&v, msg, len) != SEQS_VIEW_OK) {
        r->stats.drop_malformed++;
        r->stats.last_wire_error = SEQS_DNS_WIRE_TRUNCATED;
        return 0;
    }
    if (!seqs_dns_qr(&v) || seqs_dns_opcode(&v) != 0) {
        r->stats.drop_not_response++;
        return 0;
    }
    if (seqs_dns_id(&v) != q->id) {
        r->stats.drop_id++;
        return 0;
    }
    /* RFC 5452 3: the question must be ours (name case-insensitively, type, class). */
    seqs_dns_question_t qu;
    size_t after_q;
    int rc;
    if (seqs_dns_qdcount(&v) != 1) {
        r->stats.drop_question++;
        return 0;
    }
    if ((rc = seqs_dns_question_parse(&v, SEQS_DNS_HDR_LEN, &qu, &after_q)) != 0) {
        r->stats.drop_malformed++;
        r->stats.last_wire_error = rc;
        return 0;
    }
    /* The question parsed, so its name is valid: compared in place. */
    if (qu.qtype != SEQS_DNS_TYPE_A || qu.qclass != SEQS_DNS_CLASS_IN ||
        seqs_dns_name_eq_at(&v, qu.name_off, q_name(q), q_namelen(q)) != 1) {
        r->stats.drop_question++;
        return 0;
    }
    /* RFC 1035 4.1.1 / RFC 7766 5: a truncated UDP answer is retried over TCP;
     * its sections may be cut anywhere, so they are not read. */
    if (seqs_dns_tc(&v) && !over_tcp) {
        r->stats.responses++;
        start_tcp(s, r, q, now);
        return 1;
    }
    size_t ans_off;
    if ((rc = seqs_dns_msg_check(&v, &ans_off)) != 0) {
        r->stats.drop_malformed++;
        r->stats.last_wire_error = rc;
        return 0;
    }
    r->stats.responses++;
    q->rcode = (uint8_t)seqs_dns_rcode(&v);
    switch (q->rcode) {
    case SEQS_DNS_RCODE_NOERROR:
        take_answers(q, &v, ans_off);
        finish(s, r, q, q->naddrs ? SEQS_DNS_OK : SEQS_DNS_NODATA, now);
        break;
    case SEQS_DNS_RCODE_NXDOMAIN:
        finish(s, r, q, SEQS_DNS_NXDOMAIN, now);
        break;
    case SEQS_DNS_RCODE_REFUSED:
        next_server(s, r, q, SEQS_DNS_REFUSED, now);
        break;
    default:   /* SERVFAIL, FORMERR, NOTIMP and unknown codes: this server cannot help */
        next_server(s, r, q, SEQS_DNS_SERVFAIL, now);
        break;
    }
    return 1;
}

static void poll_udp(seqs_stack_t *s, seqs_dns_resolver_t *r, seqs_dns_query_t *q, uint64_t now) {
    uint8_t msg[UDP_MAX_MSG];
    seqs_udp_meta_t meta;
    int n;
    while (q->phase == PH_UDP && (n = seqs_udp_recvfrom(s, q->udp, msg, sizeof msg, &meta)) >= 0) {
        /* RFC 5452 9.1: only the server we asked, from port 53, to our port. */
        if (meta.remote_addr != r->servers[q->server] || meta.remote_port != r->port) {
            r->stats.drop_source++;
            continue;
        }
        if (meta.truncated) {
            r->stats.drop_udp_truncated++;
            continue;
        }
        handle_message(s, r, q, msg, (size_t)n, 0, now);
    }
    seqs_udp_icmp_err_t ie;
    if (q->phase == PH_UDP && seqs_udp_error(s, q->udp, &ie) == SEQS_ERR_UNREACH &&
        ie.remote_addr == r->servers[q->server] && ie.remote_port == r->port) {
        /* RFC 1122 4.1.3.3: the server (or its port 53) is unreachable; no answer
         * will come, so the next server is asked at once instead of after the time-outs. */
        r->stats.icmp_unreachable++;
        next_server(s, r, q, SEQS_DNS_ERROR, now);
        return;
    }
    if (q->phase != PH_UDP || now < q->deadline_us)
        return;
    /* RFC 1035 7.2: retransmit with a growing time-out, then try the next server. */
    if (q->tries < r->tries) {
        r->stats.retransmits++;
        send_udp(s, r, q, now);
    } else {
        next_server(s, r, q, SEQS_DNS_TIMEOUT, now);
    }
}

static void poll_tcp(seqs_stack_t *s, seqs_dns_resolver_t *r, seqs_dns_query_t *q, uint64_t now) {
    int st = seqs_tcp_state(s, q->tcp);
    if (st < 0 || seqs_tcp_error(s, q->tcp) != 0) {
        next_server(s, r, q, SEQS_DNS_ERROR, now);
        return;
    }
    if (!q->tcp_sent && (st == SEQS_TCP_ESTABLISHED || st == SEQS_TCP_CLOSE_WAIT)) {
        /* RFC 1035 4.2.2 / RFC 7766 8: the message with a two-byte length prefix, in one write. */
        seqs_put16(q->qmsg, q->qlen);
        int w = seqs_tcp_write(s, q->tcp, q->qmsg, 2u + q->qlen);
        if (w == 2 + (int)q->qlen)
            q->tcp_sent = 1;
        else if (w >= 0 || w != SEQS_ERR_AGAIN) {
            next_server(s, r, q, SEQS_DNS_ERROR, now);
            return;
        }
    }
    for (;;) {
        if (q->tcp_have >= 2) {
            size_t want = 2u + seqs_be16(q->buf);
            if (want > TCP_ASM) {
                next_server(s, r, q, SEQS_DNS_ERROR, now);   /* larger than we can hold */
                return;
            }
            if (q->tcp_have >= want) {
                if (!handle_message(s, r, q, q->buf + 2, want - 2u, 1, now))
                    next_server(s, r, q, SEQS_DNS_ERROR, now);   /* a bad answer on our own connection */
                return;
            }
        }
        size_t room = (q->tcp_have < 2) ? 2u - q->tcp_have : 2u + seqs_be16(q->buf) - q->tcp_have;
        int n = seqs_tcp_read(s, q->tcp, q->buf + q->tcp_have, room);
        if (n == SEQS_ERR_AGAIN)
            break;
        if (n <= 0) {   /* end of stream before a whole answer, or an error */
            next_server(s, r, q, SEQS_DNS_ERROR, now);
            return;
        }
        q->tcp_have = (uint16_t)(q->tcp_have + n);
    }
    if (now >= q->deadline_us)
        next_server(s, r, q, SEQS_DNS_TIMEOUT, now);
}

static void start_query(seqs_stack_t *s, seqs_dns_resolver_t *r, seqs_dns_query_t *q, uint64_t now) {
    const seqs_dns_cache_entry_t *e = cache_find(r, q_name(q), q_namelen(q), now);
    if (e) {
        r->stats.cache_hits++;
        q->from_cache = 1;
        q->naddrs = e->naddrs;
        memcpy(q->addrs, e->addrs, sizeof q->addrs);
        q->ttl_s = (uint32_t)seqs_app_us_to_s(e->expires_us - now, NULL);
        q->rcode = SEQS_DNS_RCODE_NOERROR;
        finish(s, r, q, SEQS_DNS_OK, now);
        return;
    }
    r->stats.cache_misses++;
    q->phase = PH_UDP;
    send_udp(s, r, q, now);
}

static void dns_poll(seqs_stack_t *s, seqs_app_t *app, uint64_t now) {
    seqs_dns_resolver_t *r = from_app(app);
    seqs_dns_query_t *q = r->queries, *next;
    for (; q; q = next) {
        next = q->next;
        switch (q->phase) {
        case PH_START: start_query(s, r, q, now); break;
        case PH_UDP: poll_udp(s, r, q, now); break;
        case PH_TCP: poll_tcp(s, r, q, now); break;
        default: break;
        }
    }
}

static uint64_t dns_deadline(const seqs_stack_t *s, const seqs_app_t *app) {
    (void)s;
    const seqs_dns_resolver_t *r = from_capp(app);
    uint64_t d = SEQS_NEVER;
    for (const seqs_dns_query_t *q = r->queries; q; q = q->next) {
        uint64_t t = q->phase == PH_START ? 0 : q->deadline_us;
        if (t < d)
            d = t;
    }
    return d;
}

static const seqs_app_ops_t dns_ops = {dns_poll, dns_deadline, NULL};

/* ---- API ----------------------------------------------------------------------- */

int seqs_dns_init(seqs_stack_t *s, seqs_dns_resolver_t *r) {
    if (!s || !r)
        return SEQS_ERR_INVAL;
    /* r may be uninitialised memory: attach first (it refuses a struct that is
     * already in s's list), then clear everything but the hook. */
    int rc = seqs_app_attach(s, &r->app, &dns_ops);
    if (rc < 0)
        return rc;
    memset((uint8_t *)r + sizeof r->app, 0, sizeof *r - sizeof r->app);
    r->tries = 3;
    r->timeout_ms = 1000;
    r->port = SEQS_DNS_PORT;
    return SEQS_OK;
}

int seqs_dns_deinit(seqs_stack_t *s, seqs_dns_resolver_t *r) {
    if (!s || !r || seqs_app_stack(&r->app) != s)
        return SEQS_ERR_INVAL;
    while (r->queries) {
        seqs_dns_query_t *q = r->queries;
        release_sockets(s, q);
        unlink_query(r, q);
        q->phase = PH_DONE;
        q->status = SEQS_DNS_IDLE;
    }
    return seqs_app_detach(s, &r->app);
}

int seqs_dns_set_servers(seqs_dns_resolver_t *r, const uint32_t *servers, size_t n) {
    if (!r || (n && !servers))
        return SEQS_ERR_INVAL;
    if (n > SEQS_DNS_MAX_SERVERS)
        return SEQS_ERR_LIMIT;
    for (size_t i = 0; i < n; i++) {
        uint32_t a = servers[i];
        if (a == 0 || a == 0xFFFFFFFFu || (a >> 28) == 0xEu || (a >> 24) == 127u)
            return SEQS_ERR_INVAL;
    }
    for (size_t i = 0; i < n; i++)
        r->servers[i] = servers[i];
    r->nservers = (uint8_t)n;
    return SEQS_OK;
}

int seqs_dns_server_count(const seqs_dns_resolver_t *r) { return r ? r->nservers : SEQS_ERR_INVAL; }

uint32_t seqs_dns_server(const seqs_dns_resolver_t *r, unsigned i) {
    return (r && i < r->nservers) ? r->servers[i] : 0;
}

int seqs_dns_set_timing(seqs_dns_resolver_t *r, uint32_t timeout_ms, unsigned tries) {
    if (!r || timeout_ms < 100 || timeout_ms > 60000 || tries < 1 || tries > 8)
        return SEQS_ERR_INVAL;
    r->timeout_ms = timeout_ms;
    r->tries = (uint8_t)tries;
    return SEQS_OK;
}

int seqs_dns_set_port(seqs_dns_resolver_t *r, uint16_t port) {
    if (!r || port == 0)
        return SEQS_ERR_INVAL;
    r->port = port;
    return SEQS_OK;
}

void seqs_dns_set_callback(seqs_dns_resolver_t *r, seqs_dns_callback_t cb, void *ctx) {
    if (!r)
        return;
    r->cb = cb;
    r->cb_ctx = ctx;
}

int seqs_dns_build_query(uint8_t *msg, size_t cap, uint16_t id, const uint8_t *qname, size_t qnamelen,
                         uint16_t qtype) {
    if (!msg || !qname || qnamelen == 0 || qnamelen > SEQS_DNS_MAX_WIRE_NAME)
        return SEQS_ERR_INVAL;
    size_t len = SEQS_DNS_HDR_LEN + qnamelen + 4u;
    if (len > cap)
        return SEQS_ERR_NOBUFS;
    memset(msg, 0, SEQS_DNS_HDR_LEN);
    seqs_put16(msg, id);
    msg[2] = 0x01;          /* QR=0, OPCODE=QUERY, RD=1 (RFC 1035 4.1.1: a stub asks for recursion) */
    seqs_put16(msg + 4, 1); /* QDCOUNT */
    memcpy(msg + SEQS_DNS_HDR_LEN, qname, qnamelen);
    seqs_put16(msg + SEQS_DNS_HDR_LEN + qnamelen, qtype);
    seqs_put16(msg + SEQS_DNS_HDR_LEN + qnamelen + 2, SEQS_DNS_CLASS_IN);
    return (int)len;
}

int seqs_dns_resolve(seqs_stack_t *s, seqs_dns_resolver_t *r, seqs_dns_query_t *q, const char *name) {
    if (!s || !r || !q || !name)
        return SEQS_ERR_INVAL;
    if (seqs_app_stack(&r->app) != s || r->nservers == 0)
        return SEQS_ERR_STATE;
    for (const seqs_dns_query_t *o = r->queries; o; o = o->next)
        if (o == q)
            return SEQS_ERR_INUSE;
    uint8_t wire[SEQS_DNS_MAX_WIRE_NAME];
    int wl = seqs_dns_name_from_text(name, wire, sizeof wire);
    if (wl == SEQS_DNS_WIRE_NAMELEN)
        return SEQS_ERR_MSGSIZE;
    if (wl < 0)
        return SEQS_ERR_INVAL;
    memset(q, 0, offsetof(seqs_dns_query_t, buf));
    int ql = seqs_dns_build_query(q->qmsg + 2, sizeof q->qmsg - 2, 0, wire, (size_t)wl, SEQS_DNS_TYPE_A);
    if (ql < 0)
        return ql;
    q->qlen = (uint16_t)ql;
    int rc = seqs_udp_open(s, &q->udp, q->buf, sizeof q->buf);
    if (rc < 0) {
        q->udp = 0;
        return rc;
    }
    /* RFC 5452 9.2: a random source port (the stack picks a random ephemeral one). */
    rc = seqs_udp_bind(s, q->udp, 0, 0);
    if (rc < 0) {
        seqs_udp_close(s, q->udp);
        q->udp = 0;
        return rc;
    }
    new_id(s, q);
    q->owner = r;
    q->status = SEQS_DNS_PENDING;
    q->phase = PH_START;
    q->next = NULL;
    seqs_dns_query_t **pp = &r->queries;
    while (*pp)
        pp = &(*pp)->next;
    *pp = q;
    seqs_app_kick(&r->app);
    return SEQS_OK;
}

int seqs_dns_cancel(seqs_stack_t *s, seqs_dns_resolver_t *r, seqs_dns_query_t *q) {
    if (!s || !r || !q)
        return SEQS_ERR_INVAL;
    for (seqs_dns_query_t *o = r->queries; o; o = o->next)
        if (o == q) {
            release_sockets(s, q);
            unlink_query(r, q);
            q->phase = PH_DONE;
            q->status = SEQS_DNS_IDLE;
            return SEQS_OK;
        }
    return SEQS_ERR_INVAL;
}

seqs_dns_status_t seqs_dns_query_status(const seqs_dns_query_t *q) {
    return q ? (seqs_dns_status_t)q->status : SEQS_DNS_IDLE;
}

int seqs_dns_query_addrs(const seqs_dns_query_t *q, uint32_t *out, size_t cap) {
    if (!q)
        return SEQS_ERR_INVAL;
    if (q->status != SEQS_DNS_OK)
        return 0;
    for (size_t i = 0; i < q->naddrs && i < cap && out; i++)
        out[i] = q->addrs[i];
    return q->naddrs;
}

uint32_t seqs_dns_query_ttl(const seqs_dns_query_t *q) { return (q && q->status == SEQS_DNS_OK) ? q->ttl_s : 0; }

int seqs_dns_query_from_cache(const seqs_dns_query_t *q) { return q ? q->from_cache : 0; }

const char *seqs_dns_status_name(int status) {
    switch (status) {
    case SEQS_DNS_IDLE: return "idle";
    case SEQS_DNS_PENDING: return "pending";
    case SEQS_DNS_OK: return "ok";
    case SEQS_DNS_NXDOMAIN: return "nxdomain";
    case SEQS_DNS_NODATA: return "nodata";
    case SEQS_DNS_SERVFAIL: return "servfail";
    case SEQS_DNS_REFUSED: return "refused";
    case SEQS_DNS_TIMEOUT: return "timeout";
    case SEQS_DNS_ERROR: return "error";
    default: return "unknown";
    }
}

const seqs_dns_stats_t *seqs_dns_stats(const seqs_dns_resolver_t *r) { return r ? &r->stats : NULL; }
