/* SPDX-License-Identifier: BSD-3-Clause */
/* svc_tcp.c — TCP servers for Linux peers to talk to:
 *   --tcp-echo PORT            RFC 862: every byte received is sent back
 *   --tcp-discard PORT         RFC 863: everything received is read and thrown away
 *   --tcp-source PORT[:BYTES]  sends the pattern i mod 251 (RFC 864 style) as fast
 *                              as the connection allows: BYTES of it, then closes;
 *                              without BYTES until the peer closes
 * Each takes optional timeouts after the port: PORT[:BYTES][,handshake=MS][,idle=MS]
 * (seqs_tcp_listener_set_timeouts: half-open entries dropped after handshake MS,
 * connections without payload either way for idle MS reset; 0/absent = off).
 * The stack's closed_reclaim_ms is set to 10 s (unless already set), a safety net
 * behind the explicit seqs_tcp_close() of every connection that ended.
 * One listener per instance; its accepted connections are polled here. A
 * connection is forgotten once the stack reports it CLOSED/TIME_WAIT (its pool
 * slot is then free again); it leaves one record in the report's "conns" list:
 * peer, bytes and the SHA-256 of what was received and of what was sent, so a
 * test compares them with the Linux side's hashlib. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "service.h"
#include "sha256.h"

#define TCP_SVC_RXBUF (64 * 1024)
#define TCP_SVC_TXBUF (64 * 1024)
#define TCP_SVC_CONNS SEQS_MAX_TCP_CONNS
/* One listener's pool holds at most SEQS_TCP_POOL_SLOTS connections. */
#define TCP_SVC_SLOTS (SEQS_TCP_POOL_SLOTS < TCP_SVC_CONNS ? SEQS_TCP_POOL_SLOTS : TCP_SVC_CONNS)
#define TCP_SVC_CHUNK 4096
#define TCP_SVC_MAX_RECORDS 4096   /* ended connections kept for the report */

typedef enum { TCP_ECHO, TCP_DISCARD, TCP_SOURCE } tcp_mode_t;

typedef struct tcp_conn {
    seqs_tcp_t h;              /* 0: free */
    int closing;               /* we called seqs_tcp_close */
    size_t pend_len, pend_off; /* echo: bytes read but not yet queued back */
    uint8_t pend[TCP_SVC_CHUNK];
    uint64_t src_off;          /* source: position in the pattern */
    uint64_t bytes_in, bytes_out;
    uint64_t accepted_us;
    sha256_t sha_in, sha_out;  /* of every byte read / queued for sending */
    seqs_tcp_info_t info;      /* latest snapshot, folded into the totals when the connection ends */
} tcp_conn_t;

/* What the report says about one ended connection. */
typedef struct tcp_rec {
    uint32_t raddr;
    uint16_t rport;
    int32_t error;             /* the connection's error (reset ...), 0 if it ended cleanly */
    uint64_t bytes_in, bytes_out, duration_us;
    uint32_t retransmits;
    uint8_t live;              /* still open when the report was written (or aborted by stop) */
    uint8_t sack, tstamp, wscale;   /* options negotiated on the handshake */
    uint16_t snd_mss;
    char sha_in[65], sha_out[65];
} tcp_rec_t;

typedef struct tcp_srv {
    tcp_mode_t mode;
    uint16_t port;
    uint64_t limit;            /* source: bytes to send per connection (0: until the peer closes) */
    uint32_t handshake_ms, idle_ms;   /* listener timeouts (0: off) */
    seqs_tcp_listener_t l;
    uint8_t *pool;
    tcp_conn_t conns[TCP_SVC_CONNS];
    uint32_t accepted, closed, errors, refused_slots;
    uint64_t bytes_in, bytes_out;
    /* seqs_tcp_info() totals over ended connections: how recovery went */
    uint64_t retransmits, rto_expirations, fast_retransmits, dup_acks_in, ooo_segs_in, zero_window_probes;
    uint32_t max_srtt_us;
    uint64_t now_us;           /* of the latest poll */
    seqs_stack_t *s;
    int stopped;
    int pending_at_stop;       /* connections waiting for accept() when the listener closed */
    tcp_rec_t *recs;
    size_t nrecs, recs_cap;
    uint32_t recs_dropped;     /* ended connections beyond TCP_SVC_MAX_RECORDS */
    uint32_t max_active;       /* most connections open at once */
} tcp_srv_t;

static void fill_rec(tcp_rec_t *r, const tcp_srv_t *st, const tcp_conn_t *c, int32_t error)
{
    r->raddr = c->info.remote_addr;
    r->rport = c->info.remote_port;
    r->error = error;
    r->bytes_in = c->bytes_in;
    r->bytes_out = c->bytes_out;
    r->duration_us = st->now_us - c->accepted_us;
    r->retransmits = c->info.retransmits;
    r->live = 0;
    r->sack = c->info.sack;
    r->tstamp = c->info.tstamp;
    r->wscale = c->info.wscale;
    r->snd_mss = c->info.snd_mss;
    sha256_hex(&c->sha_in, r->sha_in);
    sha256_hex(&c->sha_out, r->sha_out);
}

static tcp_rec_t *record(tcp_srv_t *st, const tcp_conn_t *c, int32_t error)
{
    if (st->nrecs == st->recs_cap) {
        size_t cap = st->recs_cap ? st->recs_cap * 2 : 64;
        tcp_rec_t *r = cap <= TCP_SVC_MAX_RECORDS ? realloc(st->recs, cap * sizeof *r) : NULL;
        if (!r) {
            st->recs_dropped++;
            return NULL;
        }
        st->recs = r;
        st->recs_cap = cap;
    }
    tcp_rec_t *r = &st->recs[st->nrecs++];
    fill_rec(r, st, c, error);
    return r;
}

static void fold_info(tcp_srv_t *st, const seqs_tcp_info_t *i)
{
    st->retransmits += i->retransmits;
    st->rto_expirations += i->rto_expirations;
    st->fast_retransmits += i->fast_retransmits;
    st->dup_acks_in += i->dup_acks_in;
    st->ooo_segs_in += i->ooo_segs_in;
    st->zero_window_probes += i->zero_window_probes;
    if (i->srtt_us > st->max_srtt_us)
        st->max_srtt_us = i->srtt_us;
}

static int tcp_parse(svc_t *sv, const char *arg, char *err, size_t errlen, tcp_mode_t mode, const char *opt)
{
    tcp_srv_t *st = sv->state;
    char *end = NULL;
    long v = strtol(arg, &end, 10);
    if (!*arg || (*end && *end != ',' && !(mode == TCP_SOURCE && *end == ':')) || v < 1 || v > 65535) {
        snprintf(err, errlen, "--%s: port must be 1..65535%s, got '%s'", opt,
                 mode == TCP_SOURCE ? " (PORT[:BYTES][,handshake=MS][,idle=MS])" : " (PORT[,handshake=MS][,idle=MS])",
                 arg);
        return -1;
    }
    st->port = (uint16_t)v;
    st->mode = mode;
    if (*end == ':') {
        const char *b = end + 1;
        unsigned long long n = strtoull(b, &end, 10);
        if (!*b || (*end && *end != ',') || *b == '-' || n == 0) {
            snprintf(err, errlen, "--%s: BYTES must be a positive integer, got '%s'", opt, arg);
            return -1;
        }
        st->limit = n;
    }
    while (*end == ',') {
        const char *k = end + 1;
        uint32_t *dst = !strncmp(k, "handshake=", 10) ? &st->handshake_ms : !strncmp(k, "idle=", 5) ? &st->idle_ms : NULL;
        const char *val = dst == &st->handshake_ms ? k + 10 : k + 5;
        unsigned long long n = dst ? strtoull(val, &end, 10) : 0;
        if (!dst || !*val || *val == '-' || (*end && *end != ',') || n > 0xFFFFFFFFull) {
            snprintf(err, errlen, "--%s: options are handshake=MS and idle=MS (0 .. 4294967295), got '%s'", opt, arg);
            return -1;
        }
        *dst = (uint32_t)n;
    }
    return 0;
}

static int tcp_echo_parse(svc_t *sv, const char *arg, char *err, size_t errlen)
{
    return tcp_parse(sv, arg, err, errlen, TCP_ECHO, "tcp-echo");
}

static int tcp_discard_parse(svc_t *sv, const char *arg, char *err, size_t errlen)
{
    return tcp_parse(sv, arg, err, errlen, TCP_DISCARD, "tcp-discard");
}

static int tcp_source_parse(svc_t *sv, const char *arg, char *err, size_t errlen)
{
    return tcp_parse(sv, arg, err, errlen, TCP_SOURCE, "tcp-source");
}

static int tcp_start(svc_t *sv, seqs_stack_t *s, uint64_t now_us, char *err, size_t errlen)
{
    tcp_srv_t *st = sv->state;
    size_t pool_len = (size_t)TCP_SVC_SLOTS * (TCP_SVC_RXBUF + TCP_SVC_TXBUF);
    st->pool = malloc(pool_len);
    if (!st->pool) {
        snprintf(err, errlen, "%s: out of memory", sv->ops->option);
        return -1;
    }
    st->s = s;
    st->now_us = now_us;
    int rc = seqs_tcp_listen(s, &st->l, st->port, TCP_SVC_CONNS, st->pool, pool_len, TCP_SVC_RXBUF,
                             TCP_SVC_TXBUF);
    if (rc != SEQS_OK) {
        snprintf(err, errlen, "%s %u: %s", sv->ops->option, st->port, seqs_strerror(rc));
        return -1;
    }
    seqs_tcp_listener_set_timeouts(s, st->l, st->handshake_ms, st->idle_ms);
    seqs_tcp_config_t cfg;
    seqs_tcp_get_config(s, &cfg);
    if (!cfg.closed_reclaim_ms) {
        cfg.closed_reclaim_ms = 10000;
        seqs_tcp_set_config(s, &cfg);
    }
    return 0;
}

/* The pattern --tcp-source sends: byte i of the stream is (i % 251), so a
 * receiver can check order and completeness (251 is prime: no alignment with
 * segment sizes). */
static void fill_pattern(uint8_t *buf, size_t len, uint64_t off)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)((off + i) % 251u);
}

static void conn_close(tcp_srv_t *st, seqs_stack_t *s, tcp_conn_t *c)
{
    if (!c->closing) {
        seqs_tcp_close(s, c->h);
        c->closing = 1;
    }
    (void)st;
}

/* Polls one live connection; returns 1 if it did anything. */
static int conn_poll(tcp_srv_t *st, seqs_stack_t *s, tcp_conn_t *c)
{
    static uint8_t scratch[TCP_SVC_CHUNK];
    int state = seqs_tcp_state(s, c->h);
    seqs_tcp_info(s, c->h, &c->info);   /* fails (keeping the last snapshot) once the handle is stale */
    if (state < 0 || state == SEQS_TCP_CLOSED || state == SEQS_TCP_TIME_WAIT) {
        int e = state < 0 ? 0 : seqs_tcp_error(s, c->h);
        if (!c->closing && e < 0)
            st->errors++;   /* reset by the peer, timed out ... */
        /* The handle is ours until we close it (seqs/tcp.h): a connection the
         * peer reset is CLOSED but still holds its slot. Forgetting it without
         * closing leaked the slot for good (issue 11). */
        if (state >= 0)
            seqs_tcp_close(s, c->h);
        fold_info(st, &c->info);
        record(st, c, e < 0 ? e : 0);
        memset(c, 0, sizeof *c);
        st->closed++;
        return 1;
    }
    if (c->closing)
        return 0;
    int did = 0;
    for (int budget = 64; budget > 0; budget--) {
        if (st->mode == TCP_ECHO && c->pend_off < c->pend_len) {
            int w = seqs_tcp_write(s, c->h, c->pend + c->pend_off, c->pend_len - c->pend_off);
            if (w > 0) {
                sha256_update(&c->sha_out, c->pend + c->pend_off, (size_t)w);
                c->pend_off += (size_t)w;
                c->bytes_out += (uint64_t)w;
                st->bytes_out += (uint64_t)w;
                did = 1;
                continue;
            }
            if (w == SEQS_ERR_AGAIN)
                break;   /* send buffer full: stop reading until it drains (backpressure) */
            st->errors++;
            conn_close(st, s, c);
            return 1;
        }
        int n = seqs_tcp_read(s, c->h, st->mode == TCP_ECHO ? c->pend : scratch, TCP_SVC_CHUNK);
        if (n > 0) {
            st->bytes_in += (uint64_t)n;
            c->bytes_in += (uint64_t)n;
            sha256_update(&c->sha_in, st->mode == TCP_ECHO ? c->pend : scratch, (size_t)n);
            if (st->mode == TCP_ECHO) {
                c->pend_len = (size_t)n;
                c->pend_off = 0;
            }
            did = 1;
            continue;
        }
        if (n == SEQS_ERR_AGAIN)
            break;
        /* End of stream (the peer's FIN; echo has nothing pending then) or an
         * error: our side is done too. The FIN follows any queued data. */
        if (n < 0)
            st->errors++;
        conn_close(st, s, c);
        return 1;
    }
    if (st->mode == TCP_SOURCE) {
        int room;
        while ((!st->limit || c->src_off < st->limit) && (room = seqs_tcp_writable(s, c->h)) > 0) {
            size_t len = (size_t)room < sizeof scratch ? (size_t)room : sizeof scratch;
            if (st->limit && st->limit - c->src_off < len)
                len = (size_t)(st->limit - c->src_off);
            fill_pattern(scratch, len, c->src_off);
            int w = seqs_tcp_write(s, c->h, scratch, len);
            if (w <= 0)
                break;
            sha256_update(&c->sha_out, scratch, (size_t)w);
            c->src_off += (uint64_t)w;
            c->bytes_out += (uint64_t)w;
            st->bytes_out += (uint64_t)w;
            did = 1;
        }
        if (st->limit && c->src_off == st->limit) {
            conn_close(st, s, c);   /* all of it queued: the FIN follows the data */
            return 1;
        }
    }
    return did;
}

static int tcp_poll(svc_t *sv, seqs_stack_t *s, uint64_t now_us)
{
    tcp_srv_t *st = sv->state;
    st->now_us = now_us;
    int did = 0;
    for (;;) {
        seqs_tcp_t h;
        if (seqs_tcp_accept(s, st->l, &h) != SEQS_OK)
            break;
        did = 1;
        tcp_conn_t *slot = NULL;
        for (size_t i = 0; i < TCP_SVC_CONNS && !slot; i++)
            if (!st->conns[i].h)
                slot = &st->conns[i];
        if (!slot) {
            st->refused_slots++;
            seqs_tcp_abort(s, h);
            continue;
        }
        memset(slot, 0, sizeof *slot);
        slot->h = h;
        slot->accepted_us = now_us;
        sha256_init(&slot->sha_in);
        sha256_init(&slot->sha_out);
        seqs_tcp_info(s, h, &slot->info);
        st->accepted++;
        uint32_t active = 0;
        for (size_t i = 0; i < TCP_SVC_CONNS; i++)
            active += st->conns[i].h != 0;
        if (active > st->max_active)
            st->max_active = active;
        if (st->mode == TCP_ECHO)
            seqs_tcp_setopt(s, h, SEQS_TCP_OPT_NODELAY, 1);   /* echo small writes at once */
    }
    for (size_t i = 0; i < TCP_SVC_CONNS; i++)
        if (st->conns[i].h && conn_poll(st, s, &st->conns[i]))
            did = 1;
    return did;
}

static void rec_json(FILE *f, const tcp_rec_t *r, int first)
{
    char ip[INET_ADDRSTRLEN];
    struct in_addr a = {.s_addr = htonl(r->raddr)};
    inet_ntop(AF_INET, &a, ip, sizeof ip);
    fprintf(f, "%s{\"peer\":\"%s:%u\",\"bytes_in\":%llu,\"bytes_out\":%llu,\"sha256_in\":\"%s\","
               "\"sha256_out\":\"%s\",\"duration_us\":%llu,\"retransmits\":%u,\"live\":%s",
            first ? "" : ",", ip, r->rport, (unsigned long long)r->bytes_in, (unsigned long long)r->bytes_out,
            r->sha_in, r->sha_out, (unsigned long long)r->duration_us, r->retransmits, r->live ? "true" : "false");
    fprintf(f, ",\"sack\":%u,\"tstamp\":%u,\"wscale\":%u,\"snd_mss\":%u", r->sack, r->tstamp, r->wscale, r->snd_mss);
    if (r->error)
        fprintf(f, ",\"error\":\"%s\"", seqs_strerror(r->error));
    fputc('}', f);
}

static void tcp_report(const svc_t *sv, FILE *f)
{
    const tcp_srv_t *st = sv->state;
    unsigned active = 0;
    for (size_t i = 0; i < TCP_SVC_CONNS; i++)
        active += st->conns[i].h != 0;
    int pending = st->stopped ? st->pending_at_stop : (st->s && st->l ? seqs_tcp_accept_pending(st->s, st->l) : 0);
    fprintf(f, "\"port\":%u,\"accepted\":%u,\"active\":%u,\"max_active\":%u,\"accept_pending\":%d,\"closed\":%u,\"errors\":%u,"
               "\"refused_slots\":%u,\"pool_slots\":%u,"
               "\"bytes_in\":%llu,\"bytes_out\":%llu,\"retransmits\":%llu,\"rto_expirations\":%llu,"
               "\"fast_retransmits\":%llu,\"dup_acks_in\":%llu,\"ooo_segs_in\":%llu,\"zero_window_probes\":%llu,"
               "\"max_srtt_us\":%u",
            st->port, st->accepted, active, st->max_active, pending, st->closed, st->errors, st->refused_slots, (unsigned)TCP_SVC_SLOTS,
            (unsigned long long)st->bytes_in, (unsigned long long)st->bytes_out,
            (unsigned long long)st->retransmits, (unsigned long long)st->rto_expirations,
            (unsigned long long)st->fast_retransmits, (unsigned long long)st->dup_acks_in,
            (unsigned long long)st->ooo_segs_in, (unsigned long long)st->zero_window_probes, st->max_srtt_us);
    if (st->limit)
        fprintf(f, ",\"limit\":%llu", (unsigned long long)st->limit);
    fprintf(f, ",\"handshake_ms\":%u,\"idle_ms\":%u", st->handshake_ms, st->idle_ms);
    /* One record per connection: ended ones in the order they ended, then the live ones. */
    fprintf(f, ",\"records_dropped\":%u,\"conns\":[", st->recs_dropped);
    int first = 1;
    for (size_t i = 0; i < st->nrecs; i++, first = 0)
        rec_json(f, &st->recs[i], first);
    for (size_t i = 0; i < TCP_SVC_CONNS; i++) {
        if (!st->conns[i].h)
            continue;
        tcp_rec_t r;
        fill_rec(&r, st, &st->conns[i], 0);
        r.live = 1;
        rec_json(f, &r, first);
        first = 0;
    }
    fputc(']', f);
}

static void tcp_stop(svc_t *sv, seqs_stack_t *s)
{
    tcp_srv_t *st = sv->state;
    for (size_t i = 0; i < TCP_SVC_CONNS; i++) {
        if (st->conns[i].h) {
            tcp_rec_t *r = record(st, &st->conns[i], 0);
            if (r)
                r->live = 1;   /* still open at the end of the run: aborted now */
            seqs_tcp_abort(s, st->conns[i].h);
            memset(&st->conns[i], 0, sizeof st->conns[i]);
        }
    }
    if (st->l) {
        int p = seqs_tcp_accept_pending(s, st->l);
        st->pending_at_stop = p > 0 ? p : 0;
        seqs_tcp_listener_close(s, st->l);
    }
    st->stopped = 1;
    /* The pool stays allocated: the stack may still reference it until exit. */
}

#define TCP_SERVICE(name_, opt_, argname_, help_, parse_) \
    const svc_ops_t name_ = { \
        .option = opt_, .argname = argname_, .help = help_, .state_size = sizeof(tcp_srv_t), \
        .parse = parse_, .start = tcp_start, .poll = tcp_poll, .report = tcp_report, .stop = tcp_stop, \
    }

TCP_SERVICE(svc_tcp_echo, "tcp-echo", "PORT[,handshake=MS][,idle=MS]", "TCP server on PORT that sends every byte back (RFC 862)",
            tcp_echo_parse);
TCP_SERVICE(svc_tcp_discard, "tcp-discard", "PORT[,handshake=MS][,idle=MS]", "TCP server on PORT that reads and discards everything (RFC 863)",
            tcp_discard_parse);
TCP_SERVICE(svc_tcp_source, "tcp-source", "PORT[:BYTES][,handshake=MS][,idle=MS]",
            "TCP server on PORT that sends the byte pattern i mod 251: BYTES of it then closes, or until the peer closes",
            tcp_source_parse);
