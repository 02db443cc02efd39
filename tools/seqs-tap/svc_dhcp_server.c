/* SPDX-License-Identifier: BSD-3-Clause */
/* svc_dhcp_server.c — --dhcp-server FIRST-LAST [--lease SECONDS] [--dhcp-router A.B.C.D]
 * [--dhcp-dns A.B.C.D]: a DHCPv4 server (seqs/dhcp_server.h) on seqs-tap's stack
 * (which has its --ip; the pool must be inside that subnet).
 *
 * Every lease change is printed on stdout as one JSON object per line:
 *   {"event":"dhcp-lease","addr":"192.0.2.100","mac":"02:..","state":"bound","lease_s":120,
 *    "client_id":"01020000000001"}
 * (state: bound | released | expired | declined), and as a readable line on stderr.
 * --lease, --dhcp-router and --dhcp-dns are parameters of the one server: they
 * are plug-in entries of their own so main.c stays untouched; each may be given
 * once (--dhcp-dns up to SEQS_DHCPS_MAX_DNS times) and needs --dhcp-server. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <seqs/dhcp_server.h>

#include "service.h"

/* The parameters, shared by the four plug-in entries (tool code, not stack/). */
static struct {
    int servers;
    int have_lease, have_router;
    uint32_t lease_s, router;
    uint32_t dns[SEQS_DHCPS_MAX_DNS];
    unsigned dns_count;
} g_dhcps = {.lease_s = 3600};

typedef struct dhcps_svc {
    uint32_t first, last;
    seqs_dhcp_server_t *srv;
    seqs_dhcps_lease_t *table;
    size_t table_len;
} dhcps_svc_t;

static int parse_addr(const char *s, uint32_t *out)
{
    struct in_addr a;
    if (!s || inet_pton(AF_INET, s, &a) != 1)
        return -1;
    *out = ntohl(a.s_addr);
    return 0;
}

static void addr_str(uint32_t a, char *buf, size_t len)
{
    snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255u, (a >> 8) & 255u, a & 255u);
}

static int dhcps_parse(svc_t *sv, const char *arg, char *err, size_t errlen)
{
    dhcps_svc_t *st = sv->state;
    char buf[64];
    snprintf(buf, sizeof buf, "%s", arg);
    char *dash = strchr(buf, '-');
    if (dash)
        *dash = 0;
    if (!dash || parse_addr(buf, &st->first) < 0 || parse_addr(dash + 1, &st->last) < 0 || st->first > st->last) {
        snprintf(err, errlen, "--dhcp-server: expected FIRST-LAST (e.g. 192.0.2.100-192.0.2.199), got '%s'", arg);
        return -1;
    }
    if (++g_dhcps.servers > 1) {
        snprintf(err, errlen, "--dhcp-server may be given once");
        return -1;
    }
    return 0;
}

static void on_lease(void *ctx, const seqs_dhcps_lease_t *l)
{
    (void)ctx;
    char ip[20];
    addr_str(l->addr, ip, sizeof ip);
    const char *state = seqs_dhcp_server_lease_state_name(l->state);
    printf("{\"event\":\"dhcp-lease\",\"addr\":\"%s\",\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\",\"state\":\"%s\"",
           ip, l->mac[0], l->mac[1], l->mac[2], l->mac[3], l->mac[4], l->mac[5], state);
    if (l->state == SEQS_DHCPS_BOUND)
        printf(",\"lease_s\":%u", g_dhcps.lease_s);
    if (l->id_len) {
        printf(",\"client_id\":\"");
        for (unsigned i = 0; i < l->id_len; i++)
            printf("%02x", l->id[i]);
        printf("\"");
    }
    printf("}\n");
    fflush(stdout);
    fprintf(stderr, "dhcp-server: %s %s (%02x:%02x:%02x:%02x:%02x:%02x)\n", ip, state, l->mac[0], l->mac[1],
            l->mac[2], l->mac[3], l->mac[4], l->mac[5]);
}

static int dhcps_start(svc_t *sv, seqs_stack_t *s, uint64_t now_us, char *err, size_t errlen)
{
    (void)now_us;
    dhcps_svc_t *st = sv->state;
    seqs_dhcp_server_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.pool_first = st->first;
    cfg.pool_last = st->last;
    cfg.router = g_dhcps.router;
    cfg.dns_count = (uint8_t)g_dhcps.dns_count;
    memcpy(cfg.dns, g_dhcps.dns, sizeof cfg.dns);
    cfg.lease_s = g_dhcps.lease_s;
    st->table_len = (size_t)(st->last - st->first) + 1u;
    if (st->table_len > 65536) {
        snprintf(err, errlen, "--dhcp-server: the pool has %zu addresses, at most 65536", st->table_len);
        return -1;
    }
    st->table = calloc(st->table_len, sizeof *st->table);
    st->srv = calloc(1, sizeof *st->srv);
    if (!st->table || !st->srv) {
        snprintf(err, errlen, "dhcp-server: out of memory");
        return -1;
    }
    cfg.table = st->table;
    cfg.table_len = st->table_len;
    cfg.on_event = on_lease;
    int rc = seqs_dhcp_server_start(s, st->srv, &cfg);
    if (rc != SEQS_OK) {
        int why = seqs_dhcp_server_cfg_error(st->srv);
        snprintf(err, errlen, "--dhcp-server %s: %s", sv->arg,
                 why ? seqs_dhcp_server_cfg_strerror(why) : seqs_strerror(rc));
        return -1;
    }
    return 0;
}

static int dhcps_poll(svc_t *sv, seqs_stack_t *s, uint64_t now_us)
{
    (void)sv, (void)s, (void)now_us;
    return 0;   /* the server runs inside the stack's calls (seqs/app.h) */
}

static void dhcps_report(const svc_t *sv, FILE *f)
{
    const dhcps_svc_t *st = sv->state;
    if (!st->srv) {
        fprintf(f, "\"started\":false");
        return;
    }
    fprintf(f, "\"started\":true");
    for (unsigned i = 0; i < SEQS_DHCPS_COUNTER_COUNT; i++)
        fprintf(f, ",\"%s\":%u", seqs_dhcp_server_counter_name(i), seqs_dhcp_server_counter_value(st->srv, i));
    unsigned by[6] = {0};
    size_t cur = 0;
    seqs_dhcps_lease_info_t li;
    while (seqs_dhcp_server_lease_next(st->srv, &cur, &li))
        if (li.state < 6)
            by[li.state]++;
    fprintf(f, ",\"leases\":{");
    for (unsigned k = 1; k < 6; k++)
        fprintf(f, "%s\"%s\":%u", k > 1 ? "," : "", seqs_dhcp_server_lease_state_name((int)k), by[k]);
    fprintf(f, "}");
}

static void dhcps_stop(svc_t *sv, seqs_stack_t *s)
{
    dhcps_svc_t *st = sv->state;
    if (st->srv && st->srv->running)
        seqs_dhcp_server_stop(s, st->srv);
    /* srv and table stay allocated for the final report (the process ends next). */
}

const svc_ops_t svc_dhcp_server = {
    .option = "dhcp-server",
    .argname = "FIRST-LAST",
    .help = "DHCPv4 server handing out FIRST-LAST (inside --ip's subnet); lease events as JSON lines",
    .state_size = sizeof(dhcps_svc_t),
    .parse = dhcps_parse,
    .start = dhcps_start,
    .poll = dhcps_poll,
    .report = dhcps_report,
    .stop = dhcps_stop,
};

/* --- the server's parameters ------------------------------------------------------ */

static int need_server(const char *opt, char *err, size_t errlen)
{
    if (g_dhcps.servers)
        return 0;
    snprintf(err, errlen, "%s needs --dhcp-server FIRST-LAST", opt);
    return -1;
}

static int lease_parse(svc_t *sv, const char *arg, char *err, size_t errlen)
{
    (void)sv;
    char *end = NULL;
    unsigned long v = strtoul(arg, &end, 10);
    if (!*arg || *end || arg[0] == '-' || v < 1 || v > 0xFFFFFFFEul || g_dhcps.have_lease) {
        snprintf(err, errlen, "--lease: expected SECONDS in 1..4294967294 (once), got '%s'", arg);
        return -1;
    }
    g_dhcps.lease_s = (uint32_t)v;
    g_dhcps.have_lease = 1;
    return 0;
}

static int router_parse(svc_t *sv, const char *arg, char *err, size_t errlen)
{
    (void)sv;
    if (parse_addr(arg, &g_dhcps.router) < 0 || g_dhcps.have_router) {
        snprintf(err, errlen, "--dhcp-router: expected A.B.C.D (once), got '%s'", arg);
        return -1;
    }
    g_dhcps.have_router = 1;
    return 0;
}

static int dns_parse(svc_t *sv, const char *arg, char *err, size_t errlen)
{
    (void)sv;
    uint32_t a;
    if (parse_addr(arg, &a) < 0) {
        snprintf(err, errlen, "--dhcp-dns: expected A.B.C.D, got '%s'", arg);
        return -1;
    }
    if (g_dhcps.dns_count >= SEQS_DHCPS_MAX_DNS) {
        snprintf(err, errlen, "--dhcp-dns: at most %d servers", SEQS_DHCPS_MAX_DNS);
        return -1;
    }
    g_dhcps.dns[g_dhcps.dns_count++] = a;
    return 0;
}

static int lease_start(svc_t *sv, seqs_stack_t *s, uint64_t now_us, char *err, size_t errlen)
{
    (void)sv, (void)s, (void)now_us;
    return need_server("--lease", err, errlen);
}
static int router_start(svc_t *sv, seqs_stack_t *s, uint64_t now_us, char *err, size_t errlen)
{
    (void)sv, (void)s, (void)now_us;
    return need_server("--dhcp-router", err, errlen);
}
static int dns_start(svc_t *sv, seqs_stack_t *s, uint64_t now_us, char *err, size_t errlen)
{
    (void)sv, (void)s, (void)now_us;
    return need_server("--dhcp-dns", err, errlen);
}

static void param_report(const svc_t *sv, FILE *f)
{
    (void)sv;
    fprintf(f, "\"of\":\"dhcp-server\"");
}

const svc_ops_t svc_dhcp_lease = {
    .option = "lease", .argname = "SECONDS", .help = "lease time of --dhcp-server (default 3600)",
    .parse = lease_parse, .start = lease_start, .report = param_report,
};
const svc_ops_t svc_dhcp_router = {
    .option = "dhcp-router", .argname = "A.B.C.D", .help = "router (option 3) handed out by --dhcp-server",
    .parse = router_parse, .start = router_start, .report = param_report,
};
const svc_ops_t svc_dhcp_dns = {
    .option = "dhcp-dns", .argname = "A.B.C.D", .help = "DNS server (option 6) handed out by --dhcp-server (repeatable)",
    .parse = dns_parse, .start = dns_start, .report = param_report,
};
