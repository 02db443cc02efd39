/* SPDX-License-Identifier: BSD-3-Clause */
/* svc_resolve.c — --resolve NAME@A.B.C.D: one A lookup through the stack's DNS
 * stub resolver (seqs/dns.h) against that server; --resolve NAME (with --dhcp):
 * against the lease's DNS servers (option 6, in order, with fail-over). Prints
 * one JSON line when it ends, {"event":"resolve","name":...,"server":...,
 * "servers":[...],"addrs":[...],"ttl":N,...} or the same with
 * "error":"nxdomain"|"nodata"|"servfail"|"refused"|"timeout"|"error".
 * A client: finishes with the answer (any error counts as a failure, exit 1). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <seqs/dns.h>

#include "service.h"
#include "tap_dhcp.h"
#include <seqs/dhcp.h>

typedef struct resolve {
    char name[256];
    uint32_t servers[SEQS_DNS_MAX_SERVERS];
    unsigned nservers;         /* 0 until start when the lease provides them */
    seqs_dns_resolver_t *r;
    seqs_dns_query_t *q;
    uint64_t start_us, end_us;
    int done;          /* 0 running, 1 answered, -1 failed */
    seqs_dns_stats_t stats;   /* kept at stop() for the final report */
    int status;
} resolve_t;

static void ip_text(uint32_t a, char *buf, size_t len)
{
    struct in_addr in = {.s_addr = htonl(a)};
    inet_ntop(AF_INET, &in, buf, (socklen_t)len);
}

static int resolve_parse(svc_t *sv, const char *arg, char *err, size_t errlen)
{
    resolve_t *st = sv->state;
    const char *at = strrchr(arg, '@');
    struct in_addr a;
    size_t nl = at ? (size_t)(at - arg) : strlen(arg);
    if (nl == 0 || nl >= sizeof st->name || (at && inet_pton(AF_INET, at + 1, &a) != 1)) {
        snprintf(err, errlen, "--resolve: expected NAME@A.B.C.D, or NAME with --dhcp (the lease's DNS servers), "
                              "NAME up to 253 characters; got '%s'", arg);
        return -1;
    }
    memcpy(st->name, arg, nl);
    st->name[nl] = '\0';
    if (at) {
        st->servers[0] = ntohl(a.s_addr);
        st->nservers = 1;
    }
    return 0;
}

static int resolve_start(svc_t *sv, seqs_stack_t *s, uint64_t now_us, char *err, size_t errlen)
{
    resolve_t *st = sv->state;
    st->r = calloc(1, sizeof *st->r);
    st->q = calloc(1, sizeof *st->q);
    if (!st->r || !st->q) {
        snprintf(err, errlen, "resolve: out of memory");
        return -1;
    }
    if (!st->nservers) {   /* NAME alone: the DHCP lease's servers (option 6) */
        const seqs_dhcp_lease_t *l = tap_dhcp_lease();
        if (!l || !l->dns_count) {
            snprintf(err, errlen, "--resolve %s: no DNS server: give NAME@A.B.C.D, or use --dhcp with a server "
                                  "that sends option 6%s", sv->arg, l ? " (this lease has none)" : "");
            return -1;
        }
        for (unsigned i = 0; i < l->dns_count && i < SEQS_DNS_MAX_SERVERS; i++)
            st->servers[st->nservers++] = l->dns[i];
    }
    int rc = seqs_dns_init(s, st->r);
    if (rc == SEQS_OK)
        rc = seqs_dns_set_servers(st->r, st->servers, st->nservers);
    if (rc == SEQS_OK)
        rc = seqs_dns_resolve(s, st->r, st->q, st->name);
    if (rc != SEQS_OK) {
        snprintf(err, errlen, "--resolve %s: %s", sv->arg, seqs_strerror(rc));
        return -1;
    }
    st->start_us = now_us;
    return 0;
}

static void json_name(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20 || c > 0x7e)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static int resolve_poll(svc_t *sv, seqs_stack_t *s, uint64_t now_us)
{
    (void)s;
    resolve_t *st = sv->state;
    if (st->done || !st->q)
        return 0;
    seqs_dns_status_t status = seqs_dns_query_status(st->q);
    if (status == SEQS_DNS_PENDING)
        return 0;
    st->end_us = now_us;
    st->done = status == SEQS_DNS_OK ? 1 : -1;
    char ip[INET_ADDRSTRLEN];
    ip_text(st->servers[0], ip, sizeof ip);
    printf("{\"event\":\"resolve\",\"name\":");
    json_name(stdout, st->name);
    printf(",\"server\":\"%s\",\"servers\":[", ip);
    for (unsigned i = 0; i < st->nservers; i++) {
        ip_text(st->servers[i], ip, sizeof ip);
        printf("%s\"%s\"", i ? "," : "", ip);
    }
    printf("]");
    if (status == SEQS_DNS_OK) {
        uint32_t a[SEQS_DNS_MAX_ADDRS];
        int n = seqs_dns_query_addrs(st->q, a, SEQS_DNS_MAX_ADDRS);
        printf(",\"addrs\":[");
        for (int i = 0; i < n; i++) {
            ip_text(a[i], ip, sizeof ip);
            printf("%s\"%s\"", i ? "," : "", ip);
        }
        printf("],\"ttl\":%u", seqs_dns_query_ttl(st->q));
    } else {
        printf(",\"error\":\"%s\"", seqs_dns_status_name(status));
    }
    printf(",\"elapsed_us\":%llu}\n", (unsigned long long)(st->end_us - st->start_us));
    fflush(stdout);
    ip_text(st->servers[0], ip, sizeof ip);
    fprintf(stderr, "resolve %s @%s%s: %s\n", st->name, ip, st->nservers > 1 ? " (+ more)" : "",
            seqs_dns_status_name(status));
    return 1;
}

static int resolve_finished(const svc_t *sv)
{
    const resolve_t *st = sv->state;
    return st->done;
}

static void resolve_report(const svc_t *sv, FILE *f)
{
    const resolve_t *st = sv->state;
    const seqs_dns_stats_t *d = st->r ? seqs_dns_stats(st->r) : &st->stats;
    int status = st->q ? (int)seqs_dns_query_status(st->q) : st->status;
    fprintf(f, "\"status\":\"%s\",\"queries_tx\":%u,\"retransmits\":%u,\"tcp_fallbacks\":%u,\"responses\":%u,"
               "\"drop_source\":%u,\"drop_id\":%u,\"drop_question\":%u,\"drop_malformed\":%u",
            seqs_dns_status_name(status), d->queries_tx, d->retransmits,
            d->tcp_fallbacks, d->responses, d->drop_source, d->drop_id, d->drop_question, d->drop_malformed);
    if (st->done < 0)
        fprintf(f, ",\"error\":\"%s\"", seqs_dns_status_name(status));
}

static void resolve_stop(svc_t *sv, seqs_stack_t *s)
{
    resolve_t *st = sv->state;
    if (st->r) {
        st->stats = *seqs_dns_stats(st->r);
        st->status = st->q ? (int)seqs_dns_query_status(st->q) : 0;
        seqs_dns_deinit(s, st->r);
    }
    free(st->q);
    free(st->r);
    st->q = NULL;
    st->r = NULL;
}

const svc_ops_t svc_resolve = {
    .option = "resolve",
    .argname = "NAME[@A.B.C.D]",
    .help = "client: look up NAME's A records at that DNS server (NAME alone: the --dhcp lease's), print JSON",
    .state_size = sizeof(resolve_t),
    .parse = resolve_parse,
    .start = resolve_start,
    .poll = resolve_poll,
    .finished = resolve_finished,
    .report = resolve_report,
    .stop = resolve_stop,
};
