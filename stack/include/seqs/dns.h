/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/dns.h — DNS stub resolver: asynchronous A lookups (RFC 1035, RFC 5452).
 *
 * A resolver is a caller-allocated app attached to a stack (seqs/app.h): its
 * retransmissions and time-outs are part of seqs_stack_next_deadline(), so the
 * stack's usual three calls drive it. Each lookup is a caller-allocated
 * seqs_dns_query_t (several may be in flight, each with its own random ID and
 * source port); the caller polls seqs_dns_query_status() or sets a callback.
 *
 *   seqs_dns_resolver_t r;  seqs_dns_query_t q;
 *   seqs_dns_init(s, &r);
 *   seqs_dns_set_servers(&r, (uint32_t[]){SEQS_IP4(192, 0, 2, 53)}, 1);
 *   seqs_dns_resolve(s, &r, &q, "www.example.test");
 *   ... pump the stack until seqs_dns_query_status(&q) != SEQS_DNS_PENDING ...
 *
 * Policy: per server, up to `tries` UDP queries with a time-out that doubles
 * from `timeout_ms`; SERVFAIL, REFUSED (and FORMERR/NOTIMP), an ICMP
 * unreachable for the query, or running out of tries moves to the next server; NXDOMAIN is final; TC=1 repeats the query
 * over TCP (RFC 7766) to the same server. Responses are accepted only from the
 * queried server's port 53 with our ID and question (anything else is counted
 * and ignored). Answers are cached per name (case-insensitive) for their TTL. */
#ifndef SEQS_DNS_H
#define SEQS_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "tcp.h"
#include "udp.h"

/* Compile-time sizes (override before including, like seqs/opts.h). */
#ifndef SEQS_DNS_MAX_SERVERS
#define SEQS_DNS_MAX_SERVERS 3
#endif
#ifndef SEQS_DNS_MAX_ADDRS        /* addresses kept per answer */
#define SEQS_DNS_MAX_ADDRS 4
#endif
#ifndef SEQS_DNS_CACHE_SIZE       /* cached names per resolver (0 disables the cache) */
#define SEQS_DNS_CACHE_SIZE 4
#endif
#ifndef SEQS_DNS_CACHE_NAME       /* longest wire name cached (longer ones are looked up every time) */
#define SEQS_DNS_CACHE_NAME 64
#endif
#ifndef SEQS_DNS_QUERY_BUF        /* per query: UDP receive ring, or TCP rx ring (384) + tx ring (280) + the
                                     TCP answer (the rest: 872 bytes by default; larger answers fail that server) */
#define SEQS_DNS_QUERY_BUF 1536
#endif
#define SEQS_DNS_MAX_CNAMES 8      /* CNAME links followed in one answer */
#define SEQS_DNS_TCP_TIMEOUT_MS 5000u   /* a TCP retry (connect + answer) gets this long */
#define SEQS_DNS_MAX_TTL_S 604800u      /* cache at most a week (RFC 8767 4 suggests capping) */

/* Outcome of a query. */
typedef enum seqs_dns_status {
    SEQS_DNS_IDLE = 0,       /* never started, or cancelled */
    SEQS_DNS_PENDING,        /* in flight */
    SEQS_DNS_OK,             /* addresses (>= 1) and TTL available */
    SEQS_DNS_NXDOMAIN,       /* the name does not exist (RCODE 3) */
    SEQS_DNS_NODATA,         /* the name exists but has no A record */
    SEQS_DNS_SERVFAIL,       /* the last server answered SERVFAIL (or FORMERR/NOTIMP) */
    SEQS_DNS_REFUSED,        /* the last server answered REFUSED */
    SEQS_DNS_TIMEOUT,        /* no server answered */
    SEQS_DNS_ERROR           /* could not send (no address, no route, no socket), the last server was
                                unreachable (ICMP) or its TCP connection failed, or a TCP answer too large */
} seqs_dns_status_t;

/* Per-resolver counters: every dropped response has a reason. */
typedef struct seqs_dns_stats {
    uint32_t queries_tx;        /* UDP queries sent (first tries and retransmissions) */
    uint32_t retransmits;
    uint32_t server_switches;   /* moved to the next server */
    uint32_t tcp_fallbacks;     /* TC=1 answers retried over TCP */
    uint32_t responses;         /* accepted responses */
    uint32_t drop_source;       /* from another address or port than the queried server's 53 */
    uint32_t drop_not_response; /* QR=0, or an opcode other than QUERY */
    uint32_t drop_id;           /* ID differs */
    uint32_t drop_question;     /* question differs from ours */
    uint32_t drop_malformed;    /* header, name, pointer, count or RDLENGTH error */
    uint32_t drop_udp_truncated;/* datagram larger than 512 bytes (no EDNS: never valid) */
    uint32_t icmp_unreachable;  /* ICMP destination unreachable from the queried server: moved on at once */
    uint32_t cache_hits;
    uint32_t cache_misses;
    int32_t last_wire_error;    /* seqs_dns_wire_err_t of the last malformed drop */
} seqs_dns_stats_t;

typedef struct seqs_dns_resolver seqs_dns_resolver_t;
typedef struct seqs_dns_query seqs_dns_query_t;
/* Called once when a query finishes (from inside the stack's poll of the
 * resolver): it must not call seqs_stack_input/output/poll; it may start a
 * new lookup (also on the same query struct). */
typedef void (*seqs_dns_callback_t)(seqs_dns_query_t *q, void *ctx);

#ifndef SWIG   /* layouts are private; SWIG sees the types as opaque */
typedef struct seqs_dns_cache_entry {
    uint8_t name[SEQS_DNS_CACHE_NAME];   /* lower-cased wire name */
    uint8_t namelen;                     /* 0 = empty slot */
    uint8_t naddrs;
    uint32_t addrs[SEQS_DNS_MAX_ADDRS];
    uint64_t expires_us;
} seqs_dns_cache_entry_t;

struct seqs_dns_query {
    /* results (read through the accessors) */
    uint8_t status;              /* seqs_dns_status_t */
    uint8_t naddrs;
    uint8_t rcode;               /* RCODE of the final answer */
    uint8_t from_cache;
    uint32_t addrs[SEQS_DNS_MAX_ADDRS];
    uint32_t ttl_s;              /* min TTL over the CNAME chain and the A records (RFC 2181 8) */
    /* private */
    seqs_dns_query_t *next;
    seqs_dns_resolver_t *owner;
    uint8_t phase;               /* internal state */
    uint8_t server;              /* index into the resolver's servers */
    uint8_t tries;               /* UDP queries sent to this server */
    uint8_t tcp_sent;
    uint16_t id;
    uint16_t qlen;               /* bytes of the query message in qmsg (after the 2-byte TCP prefix) */
    uint16_t tcp_have;           /* bytes of the TCP answer assembled */
    uint64_t deadline_us;
    seqs_udp_t udp;
    seqs_tcp_t tcp;
    uint8_t qmsg[2 + 12 + 255 + 4];   /* [TCP length][header][QNAME][QTYPE][QCLASS] */
    uint8_t buf[SEQS_DNS_QUERY_BUF];
};

struct seqs_dns_resolver {
    seqs_app_t app;
    uint32_t servers[SEQS_DNS_MAX_SERVERS];
    uint8_t nservers;
    uint8_t tries;               /* UDP tries per server (>= 1) */
    uint16_t port;               /* server port, 53 */
    uint32_t timeout_ms;         /* first UDP time-out; doubles on each retransmission */
    seqs_dns_query_t *queries;   /* in flight */
    seqs_dns_callback_t cb;
    void *cb_ctx;
    seqs_dns_stats_t stats;
    seqs_dns_cache_entry_t cache[SEQS_DNS_CACHE_SIZE > 0 ? SEQS_DNS_CACHE_SIZE : 1];
};
#endif

struct seqs_stack;

/* Initialises r (no servers, 1 s first time-out, 3 tries per server) and
 * attaches it to s. SEQS_ERR_INVAL for NULL, SEQS_ERR_INUSE if r is attached. */
int seqs_dns_init(struct seqs_stack *s, seqs_dns_resolver_t *r);
/* Cancels every query in flight (their status becomes IDLE) and detaches r. */
int seqs_dns_deinit(struct seqs_stack *s, seqs_dns_resolver_t *r);

/* Replaces the server list (a DHCP lease's option 6 can feed it). n may be 0.
 * SEQS_ERR_LIMIT above SEQS_DNS_MAX_SERVERS, SEQS_ERR_INVAL for 0.0.0.0,
 * 255.255.255.255, multicast or loopback servers. Queries in flight keep going
 * with the new list from their current index. */
int seqs_dns_set_servers(seqs_dns_resolver_t *r, const uint32_t *servers, size_t n);
int seqs_dns_server_count(const seqs_dns_resolver_t *r);
uint32_t seqs_dns_server(const seqs_dns_resolver_t *r, unsigned i);   /* 0 beyond the list */
/* First time-out (100..60000 ms) and UDP tries per server (1..8); SEQS_ERR_INVAL outside. */
int seqs_dns_set_timing(seqs_dns_resolver_t *r, uint32_t timeout_ms, unsigned tries);
/* Server port (tests and non-standard servers; default 53). SEQS_ERR_INVAL for 0. */
int seqs_dns_set_port(seqs_dns_resolver_t *r, uint16_t port);
void seqs_dns_set_callback(seqs_dns_resolver_t *r, seqs_dns_callback_t cb, void *ctx);

/* Starts an A lookup of name (dotted text; a trailing dot is allowed). The
 * query is sent (or answered from the cache) at the stack's next poll.
 * SEQS_ERR_INVAL: NULL arguments, an empty label or one over 63 bytes;
 * SEQS_ERR_MSGSIZE: the name is over 255 bytes in wire form;
 * SEQS_ERR_INUSE: q is in flight; SEQS_ERR_STATE: r has no servers or is not
 * attached to s; SEQS_ERR_NOSLOT: no UDP socket is free. */
int seqs_dns_resolve(struct seqs_stack *s, seqs_dns_resolver_t *r, seqs_dns_query_t *q, const char *name);
/* Stops q (status IDLE). SEQS_ERR_INVAL when q is not in flight on r. */
int seqs_dns_cancel(struct seqs_stack *s, seqs_dns_resolver_t *r, seqs_dns_query_t *q);

seqs_dns_status_t seqs_dns_query_status(const seqs_dns_query_t *q);
/* Copies up to cap addresses into out; returns how many the answer had (<= SEQS_DNS_MAX_ADDRS). */
int seqs_dns_query_addrs(const seqs_dns_query_t *q, uint32_t *out, size_t cap);
uint32_t seqs_dns_query_ttl(const seqs_dns_query_t *q);
int seqs_dns_query_from_cache(const seqs_dns_query_t *q);
/* "ok", "nxdomain", "servfail", "timeout", ... */
const char *seqs_dns_status_name(int status);

const seqs_dns_stats_t *seqs_dns_stats(const seqs_dns_resolver_t *r);
/* Forgets every cached answer. */
void seqs_dns_cache_flush(seqs_dns_resolver_t *r);

/* Builds a standard query (RD=1, one question of qtype/IN) for wire name
 * into msg; returns its length or SEQS_ERR_NOBUFS. Used by the resolver and tests. */
int seqs_dns_build_query(uint8_t *msg, size_t cap, uint16_t id, const uint8_t *qname, size_t qnamelen,
                         uint16_t qtype);

#endif
