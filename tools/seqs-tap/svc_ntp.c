/* SPDX-License-Identifier: BSD-3-Clause */
/* svc_ntp.c — --ntp A.B.C.D: one SNTP measurement (seqs/sntp.h) against that
 * server. Prints one JSON line: {"event":"ntp","server":...,"offset_us":N,
 * "delay_us":N,"stratum":N,"leap":N} where offset_us is the server's clock minus
 * this host's CLOCK_REALTIME (the stack itself measures against
 * CLOCK_MONOTONIC, the clock seqs-tap drives it with), or the same with
 * "error":"timeout"|"kod-deny"|"kod-rstr"|"kod-rate". A client: it finishes at
 * the first outcome (a reply-timeout of 5 s); an error exits 1. `--ntp dhcp`
 * (with --dhcp) asks the lease's first NTP server (option 42); the word stands in
 * for "no server" because getopt cannot make a separate argument optional. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <seqs/sntp.h>

#include "service.h"
#include "tap_dhcp.h"
#include <seqs/dhcp.h>

typedef struct ntp {
    uint32_t server;
    seqs_sntp_t *c;
    int done;
    int64_t offset_realtime_us;
    seqs_sntp_stats_t stats;   /* kept at stop() for the final report */
    int status;
} ntp_t;

static int ntp_parse(svc_t *sv, const char *arg, char *err, size_t errlen)
{
    ntp_t *st = sv->state;
    struct in_addr a;
    if (strcmp(arg, "dhcp") == 0) {
        st->server = 0;   /* taken from the lease at start */
        return 0;
    }
    if (inet_pton(AF_INET, arg, &a) != 1 || a.s_addr == 0) {
        snprintf(err, errlen, "--ntp: expected the server's address A.B.C.D, or 'dhcp' (with --dhcp: the lease's "
                              "NTP server, option 42), got '%s'", arg);
        return -1;
    }
    st->server = ntohl(a.s_addr);
    return 0;
}

static int ntp_start(svc_t *sv, seqs_stack_t *s, uint64_t now_us, char *err, size_t errlen)
{
    (void)now_us;
    ntp_t *st = sv->state;
    if (!st->server) {
        const seqs_dhcp_lease_t *l = tap_dhcp_lease();
        if (!l || !l->ntp_count) {
            snprintf(err, errlen, "--ntp dhcp: no NTP server: use --dhcp with a server that sends option 42%s",
                     l ? " (this lease has none)" : "");
            return -1;
        }
        st->server = l->ntp[0];
    }
    st->c = calloc(1, sizeof *st->c);
    if (!st->c) {
        snprintf(err, errlen, "ntp: out of memory");
        return -1;
    }
    seqs_sntp_config_t cfg;
    seqs_sntp_config_default(&cfg);
    cfg.poll_s = SEQS_SNTP_MIN_POLL_S;
    cfg.first_max_ms = 200;
    int rc = seqs_sntp_start(s, st->c, st->server, &cfg);
    if (rc != SEQS_OK) {
        snprintf(err, errlen, "--ntp %s: %s", sv->arg, seqs_strerror(rc));
        return -1;
    }
    return 0;
}

static int64_t clock_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int ntp_poll(svc_t *sv, seqs_stack_t *s, uint64_t now_us)
{
    (void)s;
    (void)now_us;
    ntp_t *st = sv->state;
    if (st->done || !st->c)
        return 0;
    seqs_sntp_status_t status = seqs_sntp_status(st->c);
    if (status == SEQS_SNTP_WAITING)
        return 0;
    char ip[INET_ADDRSTRLEN];
    struct in_addr in = {.s_addr = htonl(st->server)};
    inet_ntop(AF_INET, &in, ip, sizeof ip);
    if (status == SEQS_SNTP_SYNCED) {
        /* The stack's offset maps CLOCK_MONOTONIC to Unix time; against this
         * host's wall clock that is (mono + offset) - realtime, read together. */
        int64_t rt1 = clock_us(CLOCK_REALTIME);
        int64_t mono = clock_us(CLOCK_MONOTONIC);
        int64_t rt2 = clock_us(CLOCK_REALTIME);
        st->offset_realtime_us = seqs_sntp_now(st->c, (uint64_t)mono) - (rt1 + (rt2 - rt1) / 2);
        st->done = 1;
        printf("{\"event\":\"ntp\",\"server\":\"%s\",\"offset_us\":%lld,\"delay_us\":%lld,\"stratum\":%d,"
               "\"leap\":%d}\n", ip, (long long)st->offset_realtime_us, (long long)seqs_sntp_delay_us(st->c),
               seqs_sntp_stratum(st->c), seqs_sntp_leap(st->c));
        fprintf(stderr, "ntp %s: offset %+lld us, delay %lld us, stratum %d\n", ip,
                (long long)st->offset_realtime_us, (long long)seqs_sntp_delay_us(st->c), seqs_sntp_stratum(st->c));
    } else {
        st->done = -1;
        printf("{\"event\":\"ntp\",\"server\":\"%s\",\"error\":\"%s\"}\n", ip, seqs_sntp_status_name(status));
        fprintf(stderr, "ntp %s: %s\n", ip, seqs_sntp_status_name(status));
    }
    fflush(stdout);
    return 1;
}

static int ntp_finished(const svc_t *sv)
{
    const ntp_t *st = sv->state;
    return st->done;
}

static void ntp_report(const svc_t *sv, FILE *f)
{
    const ntp_t *st = sv->state;
    const seqs_sntp_stats_t *d = st->c ? seqs_sntp_stats(st->c) : &st->stats;
    int status = st->c ? (int)seqs_sntp_status(st->c) : st->status;
    fprintf(f, "\"status\":\"%s\",\"requests\":%u,\"replies\":%u,\"kod\":%u,\"timeouts\":%u,\"drop_bogus\":%u,"
               "\"drop_source\":%u,\"drop_mode\":%u,\"drop_unsync\":%u,\"drop_stratum\":%u",
            seqs_sntp_status_name(status), d->requests, d->replies, d->kod, d->timeouts,
            d->drop_bogus, d->drop_source, d->drop_mode, d->drop_unsync, d->drop_stratum);
    if (st->done < 0)
        fprintf(f, ",\"error\":\"%s\"", seqs_sntp_status_name(status));
}

static void ntp_stop(svc_t *sv, seqs_stack_t *s)
{
    ntp_t *st = sv->state;
    if (st->c) {
        st->stats = *seqs_sntp_stats(st->c);
        st->status = (int)seqs_sntp_status(st->c);
        seqs_sntp_stop(s, st->c);
    }
    free(st->c);
    st->c = NULL;
}

const svc_ops_t svc_ntp = {
    .option = "ntp",
    .argname = "A.B.C.D|dhcp",
    .help = "client: measure the clock offset to that NTP server (dhcp: the --dhcp lease's), print JSON",
    .state_size = sizeof(ntp_t),
    .parse = ntp_parse,
    .start = ntp_start,
    .poll = ntp_poll,
    .finished = ntp_finished,
    .report = ntp_report,
    .stop = ntp_stop,
};
