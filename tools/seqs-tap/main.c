/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs-tap — runs one seqs stack on a Linux TAP device so that real Linux
 * programs (ping, socat, curl, the kernel's own TCP) can talk to it.
 *
 *   seqs-tap --tap NAME [--netns NS] --mac MAC --ip A.B.C.D/N [--gw A.B.C.D]
 *            [--peer-ip A.B.C.D/N] [--udp-echo PORT] [--pcap FILE]
 *            [--loss P] [--corrupt P] [--duplicate P] [--reorder P] [--delay MS[:JITTER]]
 *            [--rate MBIT] [--seed S] [--duration SECONDS]
 *
 * Prints `ready <ip> <mac>` once the device is up, serves until SIGINT/SIGTERM
 * or the duration (or until every client service, e.g. --ping, has finished),
 * then prints its counters as one JSON line and exits 0.
 * Bad arguments: exit 2. Setup failures, or a client service that failed: exit 1.
 *
 * The loop: ppoll() on the tap fd with a timeout from the stack's (and the
 * services') next deadline, on CLOCK_MONOTONIC in microseconds. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <seqs/seqs.h>

#include "impair.h"
#include "pcap.h"
#include "service.h"
#include "tap.h"
#include "tap_dhcp.h"

#define MAX_SERVICES 16
#define RX_BATCH 64
#define ETH_MIN_FRAME 60   /* without FCS: what Ethernet hardware pads short frames to */

typedef struct options {
    const char *tap;
    const char *netns;
    const char *bridge;
    uint8_t mac[6];
    int have_mac;
    uint32_t ip, gw, peer_ip;
    uint8_t prefix, peer_prefix;
    int have_ip;
    unsigned mtu;
    const char *pcap;
    impair_cfg_t impair;       /* --loss, --corrupt, --duplicate, --reorder, --delay, --rate */
    uint64_t seed;
    double duration;
    int probe;
    int no_pad;
    uint32_t cfg_flags;
    int dhcp;                 /* --dhcp: address from DHCP instead of --ip (tap_dhcp.c) */
    const char *hostname;
} options_t;

typedef struct tool_counters {
    uint64_t tap_rx, tap_rx_bytes, tap_tx, tap_tx_bytes;
    uint64_t tap_tx_err;                   /* write() failed (EIO while the link is down/moving): dropped */
    uint64_t tap_rx_err;
    uint64_t wakeups;
} tool_counters_t;

static seqs_stack_t g_stack;    /* large; one instance per process */
static volatile sig_atomic_t g_stop;
static volatile sig_atomic_t g_dump;

static void on_signal(int sig)
{
    if (sig == SIGUSR1)
        g_dump = 1;
    else
        g_stop = 1;
}

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- argument parsing ---------------------------------------------------- */

static const char *g_prog = "seqs-tap";

static void usage(FILE *f)
{
    fprintf(f,
        "usage: %s --tap NAME [--netns NS] --mac MAC --ip A.B.C.D/N [--gw A.B.C.D] [options]\n"
        "\n"
        "Runs one seqs stack on TAP device NAME; the kernel end of the device is a real Linux host.\n"
        "Prints `ready <ip> <mac>` once up, serves until SIGINT/SIGTERM, --duration, or until every\n"
        "client service has finished, then prints its counters as one JSON line (SIGUSR1 prints them\n"
        "without stopping). Exit status: 0 ok, 1 setup error or a client failed, 2 bad arguments.\n"
        "\n"
        "  --tap NAME          TAP device to create/attach (IFF_TAP|IFF_NO_PI, no offloads)\n"
        "  --netns NS          create the device inside network namespace NS (/var/run/netns/NS or a path)\n"
        "  --mac MAC           the stack's MAC address, aa:bb:cc:dd:ee:ff (unicast)\n"
        "  --ip A.B.C.D/N      the stack's IPv4 address and prefix length\n"
        "  --gw A.B.C.D        default gateway (on-link)\n"
        "  --dhcp              get the address by DHCP instead of --ip (`ready 0.0.0.0 MAC` at once,\n"
        "                      services start once bound; JSON {\"event\":\"dhcp\",...} per state change)\n"
        "  --hostname NAME     DHCP option 12 sent with --dhcp\n"
        "  --probe             RFC 5227: probe the address before use; `ready` waits for it\n"
        "  --peer-ip A.B.C.D/N give the Linux end of the device this address\n"
        "  --bridge BR         enslave the device to existing Linux bridge BR before link-up\n"
        "  --mtu N             IP MTU of the stack and of the device (576..%d, default 1500)\n"
        "  --pcap FILE         write every frame the stack receives and sends to FILE (classic pcap)\n"
        "  --seed S            seed of the impairments below and of the stack's RNG (default 1)\n"
        "  --duration SECONDS  stop after this long (default: run until a signal)\n"
        "  --no-pad            send frames shorter than 60 bytes unpadded\n"
        "  --no-gratuitous     do not announce the address with gratuitous ARP\n"
        "  --echo-broadcast    answer echo requests sent to broadcast/multicast addresses\n"
        "  --help              this text\n",
        g_prog, SEQS_MAX_MTU);
    impair_usage(f);
    fprintf(f, "\nservices (each option may be repeated):\n");
    for (const svc_ops_t *const *o = seqs_tap_services; *o; o++) {
        char head[64];
        snprintf(head, sizeof head, "--%s%s%s", (*o)->option, (*o)->argname ? " " : "",
                 (*o)->argname ? (*o)->argname : "");
        if (strlen(head) > 19)
            fprintf(f, "  %s\n  %-19s %s\n", head, "", (*o)->help);
        else
            fprintf(f, "  %-19s %s\n", head, (*o)->help);
    }
}

static void __attribute__((noreturn, format(printf, 1, 2))) die_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", g_prog);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help'.\n", g_prog);
    exit(2);
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: error: ", g_prog);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static int parse_mac(const char *s, uint8_t mac[6])
{
    unsigned v[6];
    char tail;
    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
        return -1;
    if (strlen(s) != 17)
        return -1;
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)v[i];
    return 0;
}

static int parse_ip(const char *s, uint32_t *out)
{
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1)
        return -1;
    *out = ntohl(a.s_addr);
    return 0;
}

static int parse_cidr(const char *s, uint32_t *addr, uint8_t *prefix)
{
    char buf[32];
    const char *slash = strchr(s, '/');
    if (!slash || (size_t)(slash - s) >= sizeof buf)
        return -1;
    memcpy(buf, s, (size_t)(slash - s));
    buf[slash - s] = 0;
    char *end = NULL;
    long p = strtol(slash + 1, &end, 10);
    if (!slash[1] || *end || p < 1 || p > 32)
        return -1;
    if (parse_ip(buf, addr) < 0)
        return -1;
    *prefix = (uint8_t)p;
    return 0;
}

static double parse_double(const char *opt, const char *s, double lo, double hi)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v) || v < lo || v > hi)
        die_usage("%s: expected a number in %g..%g, got '%s'", opt, lo, hi, s);
    return v;
}

static void ip_str(uint32_t ip, char *buf, size_t len)
{
    snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

enum {
    OPT_TAP = 256, OPT_NETNS, OPT_BRIDGE, OPT_MAC, OPT_IP, OPT_GW, OPT_PEER_IP, OPT_MTU, OPT_PCAP,
    OPT_SEED, OPT_DURATION, OPT_PROBE, OPT_NO_PAD, OPT_NO_GRAT, OPT_ECHO_BCAST, OPT_HELP, OPT_DHCP, OPT_HOSTNAME,
    OPT_IMPAIR_BASE = 900, OPT_SERVICE_BASE = 1000
};

static size_t parse_args(int argc, char **argv, options_t *o, svc_t *svcs)
{
    static const struct option core[] = {
        {"tap", required_argument, 0, OPT_TAP},
        {"netns", required_argument, 0, OPT_NETNS},
        {"bridge", required_argument, 0, OPT_BRIDGE},
        {"mac", required_argument, 0, OPT_MAC},
        {"ip", required_argument, 0, OPT_IP},
        {"gw", required_argument, 0, OPT_GW},
        {"peer-ip", required_argument, 0, OPT_PEER_IP},
        {"mtu", required_argument, 0, OPT_MTU},
        {"pcap", required_argument, 0, OPT_PCAP},
        {"seed", required_argument, 0, OPT_SEED},
        {"duration", required_argument, 0, OPT_DURATION},
        {"probe", no_argument, 0, OPT_PROBE},
        {"no-pad", no_argument, 0, OPT_NO_PAD},
        {"no-gratuitous", no_argument, 0, OPT_NO_GRAT},
        {"echo-broadcast", no_argument, 0, OPT_ECHO_BCAST},
        {"help", no_argument, 0, OPT_HELP},
        {"dhcp", no_argument, 0, OPT_DHCP},
        {"hostname", required_argument, 0, OPT_HOSTNAME},
    };
    size_t ncore = sizeof core / sizeof core[0];
    size_t nsvc = 0;
    while (seqs_tap_services[nsvc])
        nsvc++;
    size_t nimp = 0;
    while (impair_options[nimp])
        nimp++;
    struct option longopts[sizeof core / sizeof core[0] + 16 + 32 + 1];
    if (nsvc > 32 || nimp > 16)
        die("too many services in the table");
    memcpy(longopts, core, sizeof core);
    for (size_t i = 0; i < nimp; i++)
        longopts[ncore++] = (struct option){impair_options[i], required_argument, 0, OPT_IMPAIR_BASE + (int)i};
    for (size_t i = 0; i < nsvc; i++) {
        longopts[ncore + i] = (struct option){seqs_tap_services[i]->option,
            seqs_tap_services[i]->argname ? required_argument : no_argument, 0,
            OPT_SERVICE_BASE + (int)i};
    }
    memset(&longopts[ncore + nsvc], 0, sizeof longopts[0]);

    memset(o, 0, sizeof *o);
    o->seed = 1;
    size_t nsv = 0;
    int have_seed = 0;
    opterr = 0;
    for (;;) {
        int c = getopt_long(argc, argv, ":", longopts, NULL);
        if (c == -1)
            break;
        switch (c) {
        case OPT_TAP: o->tap = optarg; break;
        case OPT_NETNS: o->netns = optarg; break;
        case OPT_BRIDGE: o->bridge = optarg; break;
        case OPT_MAC:
            if (parse_mac(optarg, o->mac) < 0)
                die_usage("--mac: expected aa:bb:cc:dd:ee:ff, got '%s'", optarg);
            if (o->mac[0] & 1)
                die_usage("--mac: %s is a multicast address", optarg);
            o->have_mac = 1;
            break;
        case OPT_IP:
            if (parse_cidr(optarg, &o->ip, &o->prefix) < 0)
                die_usage("--ip: expected A.B.C.D/N with N in 1..32, got '%s'", optarg);
            o->have_ip = 1;
            break;
        case OPT_GW:
            if (parse_ip(optarg, &o->gw) < 0)
                die_usage("--gw: expected A.B.C.D, got '%s'", optarg);
            break;
        case OPT_PEER_IP:
            if (parse_cidr(optarg, &o->peer_ip, &o->peer_prefix) < 0)
                die_usage("--peer-ip: expected A.B.C.D/N with N in 1..32, got '%s'", optarg);
            break;
        case OPT_MTU:
            o->mtu = (unsigned)parse_double("--mtu", optarg, SEQS_MIN_MTU, SEQS_MAX_MTU);
            if ((double)o->mtu != strtod(optarg, NULL))
                die_usage("--mtu: expected an integer, got '%s'", optarg);
            break;
        case OPT_PCAP: o->pcap = optarg; break;
        case OPT_SEED: {
            char *end = NULL;
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 0);
            if (!*optarg || *end || errno || optarg[0] == '-')
                die_usage("--seed: expected an unsigned integer, got '%s'", optarg);
            o->seed = v;
            have_seed = 1;
            break;
        }
        case OPT_DURATION: o->duration = parse_double("--duration", optarg, 0.0, 1e9); break;
        case OPT_PROBE: o->probe = 1; break;
        case OPT_NO_PAD: o->no_pad = 1; break;
        case OPT_NO_GRAT: o->cfg_flags |= SEQS_CFG_NO_GRATUITOUS; break;
        case OPT_ECHO_BCAST: o->cfg_flags |= SEQS_CFG_ECHO_BROADCAST; break;
        case OPT_HELP: usage(stdout); exit(0);
        case OPT_DHCP: o->dhcp = 1; break;
        case OPT_HOSTNAME: o->hostname = optarg; break;
        case ':':
            die_usage("option %s needs an argument", argv[optind - 1]);
        case '?':
            die_usage("unknown option '%s'", argv[optind - 1]);
        default: {
            char ierr[160];
            if (c >= OPT_IMPAIR_BASE && c < OPT_IMPAIR_BASE + (int)nimp) {
                if (impair_parse(&o->impair, (size_t)(c - OPT_IMPAIR_BASE), optarg, ierr, sizeof ierr) < 0)
                    die_usage("%s", ierr);
                break;
            }
            size_t idx = (size_t)(c - OPT_SERVICE_BASE);
            if (c < OPT_SERVICE_BASE || idx >= nsvc)
                die_usage("unexpected option");
            if (nsv >= MAX_SERVICES)
                die_usage("at most %d service instances", MAX_SERVICES);
            svc_t *sv = &svcs[nsv++];
            sv->ops = seqs_tap_services[idx];
            sv->state = calloc(1, sv->ops->state_size ? sv->ops->state_size : 1);
            if (!sv->state)
                die("out of memory");
            snprintf(sv->arg, sizeof sv->arg, "%s", optarg ? optarg : "");
            char err[256] = "";
            if (sv->ops->parse && sv->ops->parse(sv, optarg, err, sizeof err) < 0)
                die_usage("%s", err);
            break;
        }
        }
    }
    if (optind < argc)
        die_usage("unexpected argument '%s'", argv[optind]);
    if (!o->tap)
        die_usage("--tap NAME is required");
    if (!o->tap[0] || strlen(o->tap) > 15 || strchr(o->tap, '/'))
        die_usage("--tap: '%s' is not a valid interface name (1..15 characters, no '/')", o->tap);
    if (o->bridge && (!o->bridge[0] || strlen(o->bridge) > 15))
        die_usage("--bridge: '%s' is not a valid interface name", o->bridge);
    if (!o->have_mac)
        die_usage("--mac MAC is required");
    if (o->dhcp && (o->have_ip || o->probe))
        die_usage("--dhcp replaces --ip/--probe (the lease is probed anyway)");
    if (o->hostname && !o->dhcp)
        die_usage("--hostname is only used with --dhcp");
    if (!o->have_ip && !o->dhcp)
        die_usage("--ip A.B.C.D/N is required (or --dhcp)");
    (void)have_seed;
    return nsv;
}

/* ---- the frame pump ------------------------------------------------------ */

typedef struct tool {
    options_t opt;
    int fd;
    seqs_stack_t *s;
    svc_t svcs[MAX_SERVICES];
    size_t nsvc;
    pcap_writer_t pcap;
    impair_rng_t rng;
    impair_dir_t imp_rx, imp_tx;   /* tap -> stack, stack -> tap */
    tool_counters_t cnt;
    uint64_t start_us;
    int started;               /* services started (the address is usable) */
} tool_t;

/* A frame leaves the (impaired) link towards Linux. */
static void deliver_tx(void *ctx, uint8_t *frame, size_t len, uint64_t now)
{
    tool_t *t = ctx;
    (void)now;
    ssize_t w = write(t->fd, frame, len);
    if (w != (ssize_t)len) {
        /* EIO while the link is down or being moved, EAGAIN if the kernel
         * queue is full: the frame is lost, as on a real wire. */
        t->cnt.tap_tx_err++;
        return;
    }
    t->cnt.tap_tx++;
    t->cnt.tap_tx_bytes += len;
}

/* Pulls every frame the stack has queued and sends it through the link's impairments. */
static void pump_out(tool_t *t, uint64_t now)
{
    static uint8_t buf[SEQS_MAX_FRAME + ETH_MIN_FRAME];
    for (;;) {
        int n = seqs_stack_output(t->s, buf, SEQS_MAX_FRAME, now);
        if (n <= 0)
            break;
        size_t len = (size_t)n;
        if (len < ETH_MIN_FRAME && !t->opt.no_pad) {
            memset(buf + len, 0, ETH_MIN_FRAME - len);
            len = ETH_MIN_FRAME;
        }
        if (t->opt.pcap)
            pcap_write(&t->pcap, buf, len);
        impair_push(&t->imp_tx, buf, len, now, deliver_tx, t);
    }
}

/* A frame from Linux arrives at the stack (after the link's impairments). */
static void deliver_rx(void *ctx, uint8_t *frame, size_t len, uint64_t now)
{
    tool_t *t = ctx;
    if (t->opt.pcap)
        pcap_write(&t->pcap, frame, len);
    seqs_stack_input(t->s, frame, len, now);
    /* Whatever this frame made the stack send goes out before the next
     * frame is fed in, like a driver that answers per frame: otherwise the
     * ACKs of a whole batch collapse into one (an out-of-order burst would
     * yield one duplicate ACK instead of one per segment, RFC 5681 4.2, and
     * a peer without SACK could not fast-retransmit). */
    pump_out(t, now);
}

/* Reads up to a batch of frames from the tap into the stack. Returns frames read. */
static int pump_in(tool_t *t, uint64_t now)
{
    static uint8_t buf[65536];
    int got = 0;
    for (int i = 0; i < RX_BATCH; i++) {
        ssize_t n = read(t->fd, buf, sizeof buf);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR)
                t->cnt.tap_rx_err++;
            break;
        }
        if (n == 0)
            break;
        got++;
        t->cnt.tap_rx++;
        t->cnt.tap_rx_bytes += (uint64_t)n;
        impair_push(&t->imp_rx, buf, (size_t)n, now, deliver_rx, t);
    }
    return got;
}

/* Transmits, then lets every service act, until nothing more happens. Returns
 * 1 if the round limit was hit (services still busy). */
static int run_services(tool_t *t, uint64_t now)
{
    for (int round = 0; round < 256; round++) {
        pump_out(t, now);
        int progress = 0;
        for (size_t i = 0; t->started && i < t->nsvc; i++)
            if (t->svcs[i].ops->poll && t->svcs[i].ops->poll(&t->svcs[i], t->s, now) > 0)
                progress = 1;
        if (!progress) {
            pump_out(t, now);
            return 0;
        }
    }
    pump_out(t, now);
    return 1;
}

static uint64_t next_deadline(const tool_t *t)
{
    uint64_t d = seqs_stack_next_deadline(t->s);
    uint64_t di = impair_deadline(&t->imp_rx), dt = impair_deadline(&t->imp_tx);
    d = di < d ? di : d;
    d = dt < d ? dt : d;
    for (size_t i = 0; t->started && i < t->nsvc; i++) {
        if (t->svcs[i].ops->deadline) {
            uint64_t sd = t->svcs[i].ops->deadline(&t->svcs[i]);
            if (sd < d)
                d = sd;
        }
    }
    return d;
}

/* 1 when there are client services and all of them have finished. */
static int all_finished(const tool_t *t)
{
    int any = 0;
    for (size_t i = 0; t->started && i < t->nsvc; i++) {
        if (t->svcs[i].ops->finished) {
            any = 1;
            if (!t->svcs[i].ops->finished(&t->svcs[i]))
                return 0;
        }
    }
    return any;
}

static int has_clients(const tool_t *t)
{
    for (size_t i = 0; i < t->nsvc; i++)
        if (t->svcs[i].ops->finished)
            return 1;
    return 0;
}

/* Number of client services that finished with a failure. */
static int failed_clients(const tool_t *t)
{
    int n = 0;
    for (size_t i = 0; i < t->nsvc; i++)
        if (t->svcs[i].ops->finished && t->svcs[i].ops->finished(&t->svcs[i]) < 0)
            n++;
    return n;
}

/* ---- report -------------------------------------------------------------- */

/* Writes s as a JSON string (arguments are user input: quote what must be). */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void report(const tool_t *t, int final)
{
    FILE *f = stdout;
    const tool_counters_t *c = &t->cnt;
    fprintf(f, "{\"final\":%s,\"runtime_s\":%.3f,\"tool\":{", final ? "true" : "false",
            (double)(mono_us() - t->start_us) / 1e6);
    fprintf(f, "\"tap_rx\":%llu,\"tap_rx_bytes\":%llu,\"tap_tx\":%llu,\"tap_tx_bytes\":%llu,"
               "\"loss_drop_rx\":%llu,\"loss_drop_tx\":%llu,\"tap_tx_err\":%llu,\"tap_rx_err\":%llu,"
               "\"wakeups\":%llu,\"pcap_frames\":%u",
            (unsigned long long)c->tap_rx, (unsigned long long)c->tap_rx_bytes,
            (unsigned long long)c->tap_tx, (unsigned long long)c->tap_tx_bytes,
            (unsigned long long)t->imp_rx.cnt.lost, (unsigned long long)t->imp_tx.cnt.lost,
            (unsigned long long)c->tap_tx_err, (unsigned long long)c->tap_rx_err,
            (unsigned long long)c->wakeups, t->pcap.frames);
    impair_report(&t->imp_rx, "_rx", f);
    impair_report(&t->imp_tx, "_tx", f);
    fprintf(f, "},\"counters\":{");
    for (unsigned i = 0; i < SEQS_COUNTER_COUNT; i++) {
        const char *name = seqs_counter_name(i);
        fprintf(f, "%s\"%s\":%u", i ? "," : "", name ? name : "?", seqs_counter_value(t->s, i));
    }
    /* The stack's TCP table, read-only (priv/tcp.h; like bench/): how many
     * connection slots are in use and in which state, so a test can prove
     * that nothing leaked; and what this build's limits cost in RAM. */
    unsigned used = 0, by_state[SEQS_TCP_TIME_WAIT + 1] = {0};
    for (unsigned i = 0; i < SEQS_MAX_TCP_CONNS; i++) {
        const seqs__tcp_conn_t *tc = &t->s->tcp.conns[i];
        if (!tc->used)
            continue;
        used++;
        if (tc->tcb.state <= SEQS_TCP_TIME_WAIT)
            by_state[tc->tcb.state]++;
    }
    fprintf(f, "},\"tcp\":{\"conns_used\":%u,\"max_conns\":%u,\"max_listeners\":%u,\"pool_slots\":%u", used,
            (unsigned)SEQS_MAX_TCP_CONNS, (unsigned)SEQS_MAX_TCP_LISTENERS, (unsigned)SEQS_TCP_POOL_SLOTS);
    for (unsigned st = 0; st <= SEQS_TCP_TIME_WAIT; st++)
        if (by_state[st])
            fprintf(f, ",\"%s\":%u", seqs_tcp_state_name((int)st), by_state[st]);
    fprintf(f, "},\"sizes\":{\"stack\":%zu,\"tcp_conn\":%zu,\"tcp_listener\":%zu,\"tcp_table\":%zu}",
            sizeof(seqs_stack_t), sizeof(seqs__tcp_conn_t), sizeof(seqs__tcp_listener_t), sizeof(t->s->tcp));
    fprintf(f, ",\"services\":[");
    for (size_t i = 0; i < t->nsvc; i++) {
        fprintf(f, "%s{\"service\":\"%s\",\"arg\":", i ? "," : "", t->svcs[i].ops->option);
        json_str(f, t->svcs[i].arg);
        fputc(',', f);
        if (t->svcs[i].ops->report)
            t->svcs[i].ops->report(&t->svcs[i], f);
        fputc('}', f);
    }
    fputc(']', f);
    tap_dhcp_report(f);   /* ,"dhcp":{...} with --dhcp */
    fprintf(f, "}\n");
    fflush(f);
}

/* ---- main ---------------------------------------------------------------- */

int main(int argc, char **argv)
{
    static tool_t t;
    char err[512] = "";
    if (argc > 0 && argv[0]) {
        const char *b = strrchr(argv[0], '/');
        g_prog = b ? b + 1 : argv[0];
    }
    t.nsvc = parse_args(argc, argv, &t.opt, t.svcs);
    t.s = &g_stack;
    impair_rng_seed(&t.rng, t.opt.seed);
    if (impair_init(&t.imp_rx, &t.opt.impair, &t.rng) < 0 || impair_init(&t.imp_tx, &t.opt.impair, &t.rng) < 0)
        die("out of memory for the impairment queues");

    seqs_config_t cfg;
    seqs_config_default(&cfg);
    memcpy(cfg.mac, t.opt.mac, 6);
    cfg.mtu = (uint16_t)t.opt.mtu;
    cfg.rng_seed = t.opt.seed;
    cfg.flags = t.opt.cfg_flags;
    int rc = seqs_stack_init(t.s, &cfg);
    if (rc != SEQS_OK)
        die_usage("cannot initialise the stack: %s", seqs_strerror(rc));

    /* The address is checked before any device exists; its announcement waits
     * in the stack's queue until the link is up. */
    seqs_stack_poll(t.s, mono_us());
    if (t.opt.dhcp && tap_dhcp_begin(t.s, t.opt.hostname, err, sizeof err) < 0)
        die_usage("%s", err);
    rc = t.opt.dhcp ? SEQS_OK
                    : seqs_stack_set_addr(t.s, t.opt.ip, t.opt.prefix, t.opt.gw, t.opt.probe ? SEQS_ADDR_PROBE : 0);
    if (rc != SEQS_OK)
        die_usage("--ip/--gw rejected by the stack: %s", seqs_strerror(rc));

    /* Signals only interrupt ppoll(): blocked everywhere else, so none is lost. */
    sigset_t block, unblocked;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &unblocked);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (t.opt.netns && tap_enter_netns(t.opt.netns, err, sizeof err) < 0)
        die("%s", err);
    t.fd = tap_open(t.opt.tap, err, sizeof err);
    if (t.fd < 0)
        die("%s", err);
    if (tap_disable_ipv6(t.opt.tap, err, sizeof err) < 0)
        die("%s", err);
    if (t.opt.mtu && tap_set_mtu(t.opt.tap, t.opt.mtu, err, sizeof err) < 0)
        die("%s", err);
    if (t.opt.peer_ip && tap_set_ipv4(t.opt.tap, t.opt.peer_ip, t.opt.peer_prefix, err, sizeof err) < 0)
        die("%s", err);
    if (t.opt.bridge && tap_join_bridge(t.opt.tap, t.opt.bridge, err, sizeof err) < 0)
        die("%s", err);
    if (tap_link_up(t.opt.tap, err, sizeof err) < 0)
        die("%s", err);
    if (t.opt.pcap && pcap_open(&t.pcap, t.opt.pcap) < 0)
        die("cannot write pcap %s: %s", t.opt.pcap, strerror(errno));

    t.start_us = mono_us();
    uint64_t now = t.start_us;

    char ipbuf[20];
    ip_str(t.opt.ip, ipbuf, sizeof ipbuf);
    int ready = 0;
    uint64_t end_us = t.opt.duration > 0 ? t.start_us + (uint64_t)(t.opt.duration * 1e6) : SEQS_NEVER;
    struct pollfd pfd = {.fd = t.fd, .events = POLLIN};

    int timed_out = 0;
    while (!g_stop) {
        now = mono_us();
        if (now >= end_us) {
            timed_out = 1;
            break;
        }
        impair_poll(&t.imp_rx, now, deliver_rx, &t);
        impair_poll(&t.imp_tx, now, deliver_tx, &t);
        int busy = run_services(&t, now);
        tap_dhcp_events(stdout);
        if (!ready && t.opt.dhcp) {   /* --dhcp: ready at once, services once bound */
            printf("ready 0.0.0.0 %02x:%02x:%02x:%02x:%02x:%02x\n", t.opt.mac[0], t.opt.mac[1], t.opt.mac[2],
                   t.opt.mac[3], t.opt.mac[4], t.opt.mac[5]);
            fflush(stdout);
            ready = 1;
        }
        if (!t.started) {
            seqs_addr_state_t st = seqs_stack_addr_state(t.s);
            if (st == SEQS_ADDR_CONFLICT && !t.opt.dhcp)
                die("address %s is in use by another host (RFC 5227 conflict)", ipbuf);
            if (t.opt.dhcp ? (st == SEQS_ADDR_ANNOUNCING || st == SEQS_ADDR_BOUND) : st != SEQS_ADDR_TENTATIVE) {
                /* Services start once the address is usable (after --probe too). */
                for (size_t i = 0; i < t.nsvc; i++) {
                    if (t.svcs[i].ops->start && t.svcs[i].ops->start(&t.svcs[i], t.s, now, err, sizeof err) < 0)
                        die("%s", err);
                }
                t.started = 1;
                busy = run_services(&t, now);
                if (!ready)
                    printf("ready %s %02x:%02x:%02x:%02x:%02x:%02x\n", ipbuf, t.opt.mac[0], t.opt.mac[1],
                           t.opt.mac[2], t.opt.mac[3], t.opt.mac[4], t.opt.mac[5]);
                fflush(stdout);
                ready = 1;
            }
        }
        if (all_finished(&t))
            break;
        if (g_dump) {
            g_dump = 0;
            report(&t, 0);
        }

        uint64_t deadline = next_deadline(&t);
        if (end_us < deadline)
            deadline = end_us;
        struct timespec ts, *tsp = NULL;
        if (busy) {
            ts = (struct timespec){0, 1000000};   /* services still busy: short yield */
            tsp = &ts;
        } else if (deadline != SEQS_NEVER) {
            uint64_t wait = deadline > now ? deadline - now : 0;
            ts.tv_sec = (time_t)(wait / 1000000u);
            ts.tv_nsec = (long)(wait % 1000000u) * 1000;
            tsp = &ts;
        }
        int pr = ppoll(&pfd, 1, tsp, &unblocked);
        t.cnt.wakeups++;
        if (pr < 0) {
            if (errno == EINTR)
                continue;
            die("ppoll: %s", strerror(errno));
        }
        if (pr > 0 && (pfd.revents & POLLIN))
            pump_in(&t, mono_us());
        else if (pr > 0 && (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)))
            die("tap %s: device error (revents 0x%x)", t.opt.tap, pfd.revents);
    }

    for (size_t i = 0; t.started && i < t.nsvc; i++)
        if (t.svcs[i].ops->stop)
            t.svcs[i].ops->stop(&t.svcs[i], t.s);
    pcap_close(&t.pcap);
    report(&t, 1);
    close(t.fd);
    int failed = failed_clients(&t);
    if (failed) {
        fprintf(stderr, "%s: %d client service(s) failed (see \"error\" in the report)\n", g_prog, failed);
        return 1;
    }
    if (timed_out && t.started && has_clients(&t) && !all_finished(&t)) {
        fprintf(stderr, "%s: client service(s) did not finish within --duration\n", g_prog);
        return 1;
    }
    return 0;
}
