/* SPDX-License-Identifier: BSD-3-Clause */
/* svc_ping.c — --ping A.B.C.D[:COUNT[:SIZE[:INTERVAL_MS]]]: the stack pings a
 * host (default 10 requests of 56 bytes, 100 ms apart), waits up to 1 s for
 * late replies after the last request, then reports sent/received and RTTs.
 * No reply at all counts as a failure (seqs-tap exits 1), as with ping(8).
 * A client: seqs-tap exits once every client service has finished. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "service.h"

#define PING_WAIT_US 1000000u
#define PING_MAX_SIZE 8000u

typedef struct ping {
    uint32_t dst;
    uint32_t count, size, interval_us;
    uint16_t id;
    uint8_t *data;
    uint64_t *sent_at;         /* per seq (1-based index - 1), 0 = not sent */
    uint8_t *got;              /* per seq: reply seen */
    uint32_t sent, received, dups, foreign, send_err;
    uint64_t next_us, last_sent_us;
    uint64_t rtt_min, rtt_max, rtt_sum;
    int done;
} ping_t;

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    char *end = NULL;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || s[0] == '-' || v < lo || v > hi)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int ping_parse(svc_t *sv, const char *arg, char *err, size_t errlen)
{
    ping_t *st = sv->state;
    char buf[64];
    snprintf(buf, sizeof buf, "%s", arg);
    char *f[4] = {0};
    int n = 0;
    for (char *p = buf, *tok; n < 4 && (tok = strsep(&p, ":")) != NULL;)
        f[n++] = tok;
    struct in_addr a;
    st->count = 10;
    st->size = 56;
    uint32_t interval_ms = 100;
    if (strlen(arg) >= sizeof buf || !f[0] || inet_pton(AF_INET, f[0], &a) != 1)
        goto bad;
    if ((f[1] && parse_u32(f[1], 1, 65535, &st->count) < 0) ||
        (f[2] && parse_u32(f[2], 0, PING_MAX_SIZE, &st->size) < 0) ||
        (f[3] && parse_u32(f[3], 0, 3600000, &interval_ms) < 0))
        goto bad;
    int colons = 0;
    for (const char *c = arg; *c; c++)
        colons += *c == ':';
    if (colons > 3)
        goto bad;
    st->dst = ntohl(a.s_addr);
    st->interval_us = interval_ms * 1000u;
    return 0;
bad:
    snprintf(err, errlen, "--ping: expected A.B.C.D[:COUNT[:SIZE[:INTERVAL_MS]]] (COUNT 1..65535, "
                          "SIZE 0..%u), got '%s'", PING_MAX_SIZE, arg);
    return -1;
}

/* The stack has one echo-reply ring; every --ping instance is registered here
 * and whichever polls first hands each reply to the instance whose id it carries. */
#define PING_MAX_INSTANCES 16
static ping_t *g_pings[PING_MAX_INSTANCES];
static size_t g_npings;

static int ping_start(svc_t *sv, seqs_stack_t *s, uint64_t now_us, char *err, size_t errlen)
{
    ping_t *st = sv->state;
    st->data = malloc(st->size ? st->size : 1);
    st->sent_at = calloc(st->count, sizeof *st->sent_at);
    st->got = calloc(st->count, 1);
    if (!st->data || !st->sent_at || !st->got) {
        snprintf(err, errlen, "ping: out of memory");
        return -1;
    }
    for (uint32_t i = 0; i < st->size; i++)
        st->data[i] = (uint8_t)i;
    if (g_npings == PING_MAX_INSTANCES) {
        snprintf(err, errlen, "ping: at most %d instances", PING_MAX_INSTANCES);
        return -1;
    }
    /* Distinct ids, so replies can be told apart. */
    int unique;
    do {
        st->id = (uint16_t)seqs_stack_random(s);
        unique = 1;
        for (size_t i = 0; i < g_npings; i++)
            unique &= g_pings[i]->id != st->id;
    } while (!unique);
    g_pings[g_npings++] = st;
    st->next_us = now_us;
    st->rtt_min = UINT64_MAX;
    return 0;
}

static void ping_take(ping_t *st, const seqs_icmp_echo_t *rep);

static int ping_dispatch(seqs_stack_t *s)
{
    int did = 0;
    seqs_icmp_echo_t rep;
    while (seqs_icmp_echo_recv(s, &rep) == SEQS_OK) {
        did = 1;
        ping_t *owner = NULL;
        for (size_t i = 0; i < g_npings && !owner; i++)
            if (g_pings[i]->id == rep.id && g_pings[i]->dst == rep.from)
                owner = g_pings[i];
        if (owner)
            ping_take(owner, &rep);
        else if (g_npings)
            g_pings[0]->foreign++;   /* a reply nobody asked for */
    }
    return did;
}

static void ping_take(ping_t *st, const seqs_icmp_echo_t *rep)
{
    if (rep->seq == 0 || rep->seq > st->sent) {
        st->foreign++;
        return;
    }
    uint32_t i = rep->seq - 1u;
    if (st->got[i]) {
        st->dups++;
        return;
    }
    st->got[i] = 1;
    st->received++;
    uint64_t rtt = rep->rx_us - st->sent_at[i];
    st->rtt_sum += rtt;
    if (rtt < st->rtt_min)
        st->rtt_min = rtt;
    if (rtt > st->rtt_max)
        st->rtt_max = rtt;
}

static int ping_poll(svc_t *sv, seqs_stack_t *s, uint64_t now_us)
{
    ping_t *st = sv->state;
    int did = ping_dispatch(s);
    if (st->done)
        return did;
    while (st->sent < st->count && now_us >= st->next_us) {
        uint16_t seq = (uint16_t)(st->sent + 1u);
        int rc = seqs_icmp_echo_send(s, st->dst, st->id, seq, st->data, st->size);
        if (rc == SEQS_ERR_NOBUFS)
            return 1;   /* transmit queue full: drain and retry */
        if (rc != SEQS_OK)
            st->send_err++;
        st->sent_at[st->sent] = now_us;
        st->sent++;
        st->last_sent_us = now_us;
        st->next_us += st->interval_us;
        did = 1;
    }
    if (st->sent == st->count && (st->received == st->count || now_us >= st->last_sent_us + PING_WAIT_US))
        st->done = 1;
    return did;
}

static uint64_t ping_deadline(const svc_t *sv)
{
    const ping_t *st = sv->state;
    if (st->done)
        return SEQS_NEVER;
    if (st->sent < st->count)
        return st->next_us;
    return st->last_sent_us + PING_WAIT_US;
}

static int ping_finished(const svc_t *sv)
{
    const ping_t *st = sv->state;
    if (!st->done)
        return 0;
    return st->received ? 1 : -1;   /* like ping(8): no reply at all is a failure */
}

static void ping_report(const svc_t *sv, FILE *f)
{
    const ping_t *st = sv->state;
    char ip[INET_ADDRSTRLEN];
    struct in_addr a = {.s_addr = htonl(st->dst)};
    inet_ntop(AF_INET, &a, ip, sizeof ip);
    fprintf(f, "\"dst\":\"%s\",\"size\":%u,\"sent\":%u,\"received\":%u,\"dups\":%u,\"foreign\":%u,\"send_err\":%u",
            ip, st->size, st->sent, st->received, st->dups, st->foreign, st->send_err);
    if (st->received)
        fprintf(f, ",\"rtt_min_us\":%llu,\"rtt_avg_us\":%llu,\"rtt_max_us\":%llu",
                (unsigned long long)st->rtt_min, (unsigned long long)(st->rtt_sum / st->received),
                (unsigned long long)st->rtt_max);
}

static void ping_stop(svc_t *sv, seqs_stack_t *s)
{
    (void)s;
    ping_t *st = sv->state;
    free(st->data);
    free(st->sent_at);
    free(st->got);
    st->data = NULL;
    st->sent_at = NULL;
    st->got = NULL;
}

const svc_ops_t svc_ping = {
    .option = "ping",
    .argname = "A.B.C.D[:COUNT[:SIZE[:MS]]]",
    .help = "client: ping a host COUNT times (default 10, 56 bytes, every 100 ms), then report RTTs",
    .state_size = sizeof(ping_t),
    .parse = ping_parse,
    .start = ping_start,
    .poll = ping_poll,
    .deadline = ping_deadline,
    .finished = ping_finished,
    .report = ping_report,
    .stop = ping_stop,
};
