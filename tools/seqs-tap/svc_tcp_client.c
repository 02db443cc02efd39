/* SPDX-License-Identifier: BSD-3-Clause */
/* svc_tcp_client.c — --tcp-client A.B.C.D:PORT[:SEND[:RECV]]: the stack opens a
 * TCP connection (active open), sends SEND bytes (default 0) of the pattern
 * i mod 251, half-closes, reads what the peer sends and closes: after the
 * peer's FIN, or — with RECV — once RECV bytes arrived (a peer that sends more,
 * e.g. an endless source, is then cut off; one that ends before RECV bytes is
 * a failure: "short").
 * Reports connect time, bytes each way, the SHA-256 of what it sent and of what
 * it received, and timings; "error" names what went wrong (refused, reset,
 * timed out, short ...), and seqs-tap then exits 1. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "service.h"
#include "sha256.h"

#define TCPC_RXBUF (64 * 1024)
#define TCPC_TXBUF (64 * 1024)

typedef struct tcp_client {
    uint32_t dst;
    uint16_t port;
    uint64_t bytes;            /* to send */
    uint64_t recv_limit;       /* RECV: stop after this many bytes (0: read to the peer's FIN) */
    int has_recv_limit;
    seqs_tcp_t h;
    uint8_t *rxbuf, *txbuf;
    uint64_t start_us, established_us, end_us;
    uint64_t first_rx_us, last_rx_us, eof_us, shut_us;
    sha256_t sha_in, sha_out;
    const char *why;           /* failure that is not a stack error ("short") */
    uint64_t bytes_out, bytes_in;
    int shut, closed, done;    /* done: 1 ok, -1 failed */
    int err;
    int last_state;
    seqs_tcp_info_t info;      /* latest snapshot while the handle is valid */
} tcp_client_t;

static int tcpc_parse(svc_t *sv, const char *arg, char *err, size_t errlen)
{
    tcp_client_t *st = sv->state;
    char buf[64];
    if (strlen(arg) >= sizeof buf)
        goto bad;
    snprintf(buf, sizeof buf, "%s", arg);
    char *p = buf;
    char *ip = strsep(&p, ":");
    char *port = strsep(&p, ":");
    char *bytes = strsep(&p, ":");
    char *recv = strsep(&p, ":");
    if (!ip || !port || p)
        goto bad;
    struct in_addr a;
    if (inet_pton(AF_INET, ip, &a) != 1)
        goto bad;
    char *end = NULL;
    unsigned long v = strtoul(port, &end, 10);
    if (!*port || *end || v < 1 || v > 65535)
        goto bad;
    st->port = (uint16_t)v;
    if (bytes) {
        unsigned long long b = strtoull(bytes, &end, 10);
        if (!*bytes || *end || bytes[0] == '-')
            goto bad;
        st->bytes = b;
    }
    if (recv) {
        unsigned long long b = strtoull(recv, &end, 10);
        if (!*recv || *end || recv[0] == '-')
            goto bad;
        st->recv_limit = b;
        st->has_recv_limit = 1;
    }
    st->dst = ntohl(a.s_addr);
    return 0;
bad:
    snprintf(err, errlen, "--tcp-client: expected A.B.C.D:PORT[:SEND[:RECV]], got '%s'", arg);
    return -1;
}

static int tcpc_start(svc_t *sv, seqs_stack_t *s, uint64_t now_us, char *err, size_t errlen)
{
    tcp_client_t *st = sv->state;
    st->rxbuf = malloc(TCPC_RXBUF);
    st->txbuf = malloc(TCPC_TXBUF);
    if (!st->rxbuf || !st->txbuf) {
        snprintf(err, errlen, "tcp-client: out of memory");
        return -1;
    }
    st->start_us = now_us;
    sha256_init(&st->sha_in);
    sha256_init(&st->sha_out);
    int rc = seqs_tcp_connect(s, &st->h, st->dst, st->port, 0, st->rxbuf, TCPC_RXBUF, st->txbuf, TCPC_TXBUF);
    if (rc != SEQS_OK) {
        snprintf(err, errlen, "tcp-client: connect: %s", seqs_strerror(rc));
        return -1;
    }
    return 0;
}

static void tcpc_fail(tcp_client_t *st, int rc, uint64_t now_us)
{
    st->err = rc;
    st->done = -1;
    st->end_us = now_us;
}

static int tcpc_poll(svc_t *sv, seqs_stack_t *s, uint64_t now_us)
{
    static uint8_t chunk[16384];
    tcp_client_t *st = sv->state;
    if (st->done)
        return 0;
    int state = seqs_tcp_state(s, st->h);
    seqs_tcp_info(s, st->h, &st->info);
    int did = state != st->last_state;
    st->last_state = state;
    if (!st->closed && (state < 0 || state == SEQS_TCP_CLOSED)) {
        int e = seqs_tcp_error(s, st->h);
        tcpc_fail(st, e < 0 ? e : SEQS_ERR_CLOSED, now_us);
        if (state >= 0)
            seqs_tcp_close(s, st->h);   /* the slot is ours to free (seqs/tcp.h) */
        return 1;
    }
    if (st->closed) {
        /* Our FIN went after the peer's: done once it is acknowledged. A close
         * with unread data (after RECV bytes) resets the connection and frees
         * it at once: the handle is then stale, which is done as well. */
        if (state < 0 || state == SEQS_TCP_TIME_WAIT || state == SEQS_TCP_CLOSED) {
            st->done = 1;
            st->end_us = now_us;
            return 1;
        }
        return did;
    }
    if (state == SEQS_TCP_SYN_SENT)
        return did;
    if (!st->established_us)
        st->established_us = now_us;
    while (st->bytes_out < st->bytes) {
        uint64_t left = st->bytes - st->bytes_out;
        size_t n = left < sizeof chunk ? (size_t)left : sizeof chunk;
        for (size_t i = 0; i < n; i++)
            chunk[i] = (uint8_t)((st->bytes_out + i) % 251u);
        int w = seqs_tcp_write(s, st->h, chunk, n);
        if (w == SEQS_ERR_AGAIN)
            break;
        if (w < 0) {
            tcpc_fail(st, w, now_us);
            return 1;
        }
        sha256_update(&st->sha_out, chunk, (size_t)w);
        st->bytes_out += (uint64_t)w;
        did = 1;
    }
    if (st->bytes_out == st->bytes && !st->shut) {
        seqs_tcp_shutdown(s, st->h);
        st->shut = 1;
        st->shut_us = now_us;
        did = 1;
    }
    for (;;) {
        size_t cap = sizeof chunk;
        if (st->has_recv_limit) {
            uint64_t left = st->recv_limit - st->bytes_in;
            if (left == 0) {
                /* RECV bytes read: done receiving, whatever the peer still sends. */
                if (st->shut && !st->closed) {
                    seqs_tcp_close(s, st->h);
                    st->closed = 1;
                    did = 1;
                }
                break;
            }
            if (left < cap)
                cap = (size_t)left;
        }
        int n = seqs_tcp_read(s, st->h, chunk, cap);
        if (n > 0) {
            if (!st->first_rx_us)
                st->first_rx_us = now_us;
            st->last_rx_us = now_us;
            sha256_update(&st->sha_in, chunk, (size_t)n);
            st->bytes_in += (uint64_t)n;
            did = 1;
            continue;
        }
        if (n == SEQS_ERR_AGAIN)
            break;
        if (n < 0) {
            tcpc_fail(st, n, now_us);
            return 1;
        }
        /* The peer's FIN: everything is read. */
        if (!st->eof_us)
            st->eof_us = now_us;
        if (st->has_recv_limit && st->bytes_in < st->recv_limit) {
            st->why = "short";   /* the peer ended before RECV bytes */
            seqs_tcp_close(s, st->h);
            tcpc_fail(st, 0, now_us);
            return 1;
        }
        if (st->shut) {
            seqs_tcp_close(s, st->h);
            st->closed = 1;
            did = 1;
        }
        break;
    }
    return did;
}

static void rel_us(FILE *f, const char *name, uint64_t t, uint64_t start)
{
    if (t)
        fprintf(f, ",\"%s\":%llu", name, (unsigned long long)(t - start));
}

static int tcpc_finished(const svc_t *sv)
{
    const tcp_client_t *st = sv->state;
    return st->done;
}

static void tcpc_report(const svc_t *sv, FILE *f)
{
    const tcp_client_t *st = sv->state;
    char ip[INET_ADDRSTRLEN];
    struct in_addr a = {.s_addr = htonl(st->dst)};
    inet_ntop(AF_INET, &a, ip, sizeof ip);
    fprintf(f, "\"dst\":\"%s\",\"port\":%u,\"bytes_out\":%llu,\"bytes_in\":%llu,\"done\":%s", ip, st->port,
            (unsigned long long)st->bytes_out, (unsigned long long)st->bytes_in,
            st->done > 0 ? "true" : "false");
    if (st->established_us)
        fprintf(f, ",\"connect_us\":%llu", (unsigned long long)(st->established_us - st->start_us));
    if (st->end_us)
        fprintf(f, ",\"duration_us\":%llu", (unsigned long long)(st->end_us - st->start_us));
    /* Times relative to the connect() call. */
    rel_us(f, "first_rx_us", st->first_rx_us, st->start_us);
    rel_us(f, "last_rx_us", st->last_rx_us, st->start_us);
    rel_us(f, "eof_us", st->eof_us, st->start_us);
    rel_us(f, "shutdown_us", st->shut_us, st->start_us);
    char hin[65], hout[65];
    sha256_hex(&st->sha_in, hin);
    sha256_hex(&st->sha_out, hout);
    fprintf(f, ",\"sha256_out\":\"%s\",\"sha256_in\":\"%s\"", hout, hin);
    if (st->has_recv_limit)
        fprintf(f, ",\"recv_limit\":%llu", (unsigned long long)st->recv_limit);
    fprintf(f, ",\"sack\":%u,\"wscale\":%u,\"tstamp\":%u,\"snd_wscale\":%u,\"rcv_wscale\":%u,\"snd_mss\":%u",
            st->info.sack, st->info.wscale, st->info.tstamp, st->info.snd_wscale, st->info.rcv_wscale, st->info.snd_mss);
    fprintf(f, ",\"retransmits\":%u,\"rto_expirations\":%u,\"fast_retransmits\":%u,\"srtt_us\":%u",
            st->info.retransmits, st->info.rto_expirations, st->info.fast_retransmits, st->info.srtt_us);
    if (st->why)
        fprintf(f, ",\"error\":\"%s\"", st->why);
    else if (st->err)
        fprintf(f, ",\"error\":\"%s\"", seqs_strerror(st->err));
}

static void tcpc_stop(svc_t *sv, seqs_stack_t *s)
{
    tcp_client_t *st = sv->state;
    if (st->h && !st->done)
        seqs_tcp_abort(s, st->h);
    /* Buffers stay allocated until exit: a TIME_WAIT connection may still own them. */
}

const svc_ops_t svc_tcp_client = {
    .option = "tcp-client",
    .argname = "A.B.C.D:PORT[:SEND[:RECV]]",
    .help = "client: connect, send SEND bytes of pattern, half-close, read until the peer's FIN (or RECV bytes), "
            "close; reports the SHA-256 of both directions",
    .state_size = sizeof(tcp_client_t),
    .parse = tcpc_parse,
    .start = tcpc_start,
    .poll = tcpc_poll,
    .finished = tcpc_finished,
    .report = tcpc_report,
    .stop = tcpc_stop,
};
