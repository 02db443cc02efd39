/* SPDX-License-Identifier: BSD-3-Clause */
/* fw_main.c — the board-independent main loop of the seqs firmware.
 *
 * It drives the sans-IO core through the tiny HAL in fw_hal.h: every received
 * frame goes into seqs_stack_input(), the applications run (fw_app.h: the echo
 * services, the test control port, the example and a user's own), then
 * seqs_stack_output() is pulled until empty; then the board sleeps until the
 * earliest deadline (core, DHCP client, apps) or until a frame arrives.
 * The address comes from DHCP (seqs/dhcp.h, an app attached to the stack) or is
 * static, as fw_config says (compile-time defaults + the board's command line).
 *
 * Everything is allocated statically; nothing here allocates or blocks. */
#include <stdint.h>
#include <string.h>

#include <seqs/seqs.h>
#if FW_DHCP
#include <seqs/dhcp.h>
#endif
#if FW_SNTP
#include <seqs/sntp.h>
#endif
#if FW_DNS
#include <seqs/dns.h>
#endif

#include "fw_app.h"
#include "fw_config.h"
#include "fw_hal.h"
#include "fw_log.h"

#ifndef FW_DHCP
#define FW_DHCP 0
#endif
#ifndef FW_SNTP
#define FW_SNTP 0
#endif
#ifndef FW_DNS
#define FW_DNS 0
#endif
#if FW_DNS && !FW_SNTP
#error "FW_DNS resolves the SNTP server's name: it needs FW_SNTP"
#endif
/* The scratch buffer apps share (fw_scratch): the largest datagram the core reassembles. */
#ifndef FW_SCRATCH_BYTES
#define FW_SCRATCH_BYTES SEQS_REASM_MAX_BYTES
#endif

/* The stack and every buffer live in .bss. Frame buffers are word-aligned so
 * drivers may move whole words; the core itself never assumes alignment. */
static seqs_stack_t g_stack;
static uint8_t g_rxframe[(SEQS_MAX_FRAME + 3) & ~3] __attribute__((aligned(4)));
static uint8_t g_txframe[(SEQS_MAX_FRAME + 3) & ~3] __attribute__((aligned(4)));
static uint8_t g_scratch[FW_SCRATCH_BYTES] __attribute__((aligned(4)));
static fw_status_t g_status;
static uint32_t g_tx_fail;   /* fw_hal_tx refused a frame */
#if FW_DHCP
static seqs_dhcp_client_t g_dhcp;
static uint32_t g_dhcp_seen;   /* seqs_dhcp_client_changes() last logged */
#endif
#if FW_SNTP
static seqs_sntp_t g_sntp;
static uint32_t g_sntp_server;   /* the server g_sntp polls, 0 = not running */
static int g_sntp_logged = -1;   /* status last logged */
#endif
#if FW_DNS
#define FW_DNS_RETRY_US 10000000u
static seqs_dns_resolver_t g_dns;
static seqs_dns_query_t g_dnsq;
static uint8_t g_dns_state;      /* 0 not asked, 1 in flight, 2 resolved, 3 failed (retry later) */
static uint32_t g_ntp_by_name;   /* the address fw_config()->ntp_name resolved to */
static uint64_t g_dns_retry_at;
static uint32_t g_dns_ok, g_dns_fail;
#endif

#ifdef FW_ICOUNT
/* Instruction-count markers (firmware/icount.py): tiny, never inlined, one function per
 * marker (distinct bodies, so the linker cannot fold them), so a trace of executed
 * instructions shows where the stack's work for one frame starts and ends:
 * 1 frame taken from the driver, 2 input + apps done, 3/4 around each
 * seqs_stack_output(), 5 every queued frame handed to the driver. */
volatile uint32_t fw_icount_last;
#define FW_ICOUNT_FN(n)                                       \
    void fw_icount_mark##n(void) __attribute__((noinline));  \
    void fw_icount_mark##n(void) { fw_icount_last = n; }
FW_ICOUNT_FN(1)
FW_ICOUNT_FN(2)
FW_ICOUNT_FN(3)
FW_ICOUNT_FN(4)
FW_ICOUNT_FN(5)
#define ICOUNT_MARK(n) fw_icount_mark##n()
#else
#define ICOUNT_MARK(n) ((void)0)
#endif

static void fail(const char *what, int err)
{
    fw_log("FATAL: ");
    fw_log(what);
    fw_log(": ");
    fw_log(seqs_strerror(err));
    fw_log("\r\n");
    fw_hal_exit(2);
}

/* ---- services for apps (fw_app.h) ------------------------------------------ */

void fw_flush(seqs_stack_t *s)
{
    for (;;) {
        uint64_t now = fw_hal_now_us();
        ICOUNT_MARK(3);
        int n = seqs_stack_output(s, g_txframe, sizeof g_txframe, now);
        ICOUNT_MARK(4);
        if (n <= 0) {
            if (n < 0) {   /* cannot happen with a SEQS_MAX_FRAME buffer; do not spin on it */
                fw_log("output: ");
                fw_log(seqs_strerror(n));
                fw_log("\r\n");
            }
            return;
        }
        if (fw_hal_tx(g_txframe, (size_t)n) != 0)
            g_tx_fail++;
    }
}

int fw_udp_reply(seqs_stack_t *s, seqs_udp_t h, const void *data, size_t len, const seqs_udp_meta_t *req)
{
    seqs_udp_meta_t m;
    memset(&m, 0, sizeof m);
    m.remote_addr = req->remote_addr;
    m.remote_port = req->remote_port;
    m.local_addr = req->local_addr == seqs_stack_addr(s, NULL, NULL) ? req->local_addr : 0;
    int r = seqs_udp_sendmsg(s, h, data, len, &m);
    if (r == SEQS_ERR_NOBUFS) {
        fw_flush(s);
        r = seqs_udp_sendmsg(s, h, data, len, &m);
    }
    return r;
}

uint8_t *fw_scratch(size_t *cap)
{
    *cap = sizeof g_scratch;
    return g_scratch;
}

const fw_status_t *fw_status(void)
{
    return &g_status;
}

const struct seqs_dhcp_lease *fw_dhcp_lease(void)
{
#if FW_DHCP
    if (g_status.dhcp)
        return seqs_dhcp_client_lease(&g_dhcp);
#endif
    return NULL;
}

const char *fw_dhcp_state(void)
{
#if FW_DHCP
    if (g_status.dhcp)
        return seqs_dhcp_state_name(seqs_dhcp_client_state(&g_dhcp));
#endif
    return "static";
}

size_t fw_put_str(char *buf, size_t pos, size_t cap, const char *s)
{
    while (*s != '\0' && pos < cap)
        buf[pos++] = *s++;
    return pos;
}

size_t fw_put_u64(char *buf, size_t pos, size_t cap, uint64_t v)
{
    char tmp[20];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + (unsigned)(v % 10u));
        v /= 10u;
    } while (v != 0 && i > 0);
    while (i < sizeof tmp && pos < cap)
        buf[pos++] = tmp[i++];
    return pos;
}

size_t fw_put_u32(char *buf, size_t pos, size_t cap, uint32_t v)
{
    char tmp[10];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0 && i > 0);
    while (i < sizeof tmp && pos < cap)
        buf[pos++] = tmp[i++];
    return pos;
}

size_t fw_put_ip4(char *buf, size_t pos, size_t cap, uint32_t a)
{
    for (int sh = 24; sh >= 0; sh -= 8) {
        pos = fw_put_u32(buf, pos, cap, (a >> sh) & 0xFFu);
        if (sh > 0)
            pos = fw_put_str(buf, pos, cap, ".");
    }
    return pos;
}

size_t fw_put_i64(char *buf, size_t pos, size_t cap, int64_t v)
{
    if (v < 0) {
        pos = fw_put_str(buf, pos, cap, "-");
        return fw_put_u64(buf, pos, cap, (uint64_t)0 - (uint64_t)v);
    }
    return fw_put_u64(buf, pos, cap, (uint64_t)v);
}

const struct seqs_sntp *fw_sntp(void)
{
#if FW_SNTP
    if (g_sntp_server != 0)
        return &g_sntp;
#endif
    return NULL;
}

int64_t fw_unix_us(uint64_t now_us)
{
#if FW_SNTP
    if (g_sntp_server != 0 && seqs_sntp_synced(&g_sntp))
        return seqs_sntp_now(&g_sntp, now_us);
#endif
    (void)now_us;
    return 0;
}

size_t fw_put_counter(char *buf, size_t pos, size_t cap, const char *name, uint32_t v)
{
    if (v == 0)
        return pos;
    pos = fw_put_str(buf, pos, cap, name);
    pos = fw_put_str(buf, pos, cap, "=");
    pos = fw_put_u32(buf, pos, cap, v);
    return fw_put_str(buf, pos, cap, "\n");
}

/* The firmware's own counters: the loop's and the DHCP client's (dhcp_<name>). */
size_t fw_report(char *buf, size_t pos, size_t cap)
{
    pos = fw_put_counter(buf, pos, cap, "fw_tx_fail", g_tx_fail);
#if FW_DHCP
    if (g_status.dhcp)
        for (unsigned i = 0; i < SEQS_DHCP_CLIENT_COUNTER_COUNT; i++) {
            if (seqs_dhcp_client_counter_value(&g_dhcp, i) == 0)
                continue;
            pos = fw_put_str(buf, pos, cap, "dhcp_");
            pos = fw_put_counter(buf, pos, cap, seqs_dhcp_client_counter_name(i),
                                 seqs_dhcp_client_counter_value(&g_dhcp, i));
        }
#endif
#if FW_DNS
    pos = fw_put_counter(buf, pos, cap, "dns_lookups_ok", g_dns_ok);
    pos = fw_put_counter(buf, pos, cap, "dns_lookups_failed", g_dns_fail);
    if (fw_config()->ntp_name[0] != '\0') {
        const seqs_dns_stats_t *ds = seqs_dns_stats(&g_dns);
        pos = fw_put_counter(buf, pos, cap, "dns_queries_tx", ds->queries_tx);
        pos = fw_put_counter(buf, pos, cap, "dns_responses", ds->responses);
        pos = fw_put_counter(buf, pos, cap, "dns_drops", ds->drop_source + ds->drop_not_response + ds->drop_id +
                                                            ds->drop_question + ds->drop_malformed +
                                                            ds->drop_udp_truncated);
    }
#endif
#if FW_SNTP
    if (g_sntp_server != 0) {
        const seqs_sntp_stats_t *st = seqs_sntp_stats(&g_sntp);
        pos = fw_put_counter(buf, pos, cap, "sntp_requests", st->requests);
        pos = fw_put_counter(buf, pos, cap, "sntp_replies", st->replies);
        pos = fw_put_counter(buf, pos, cap, "sntp_timeouts", st->timeouts);
        pos = fw_put_counter(buf, pos, cap, "sntp_drops", st->drop_source + st->drop_malformed + st->drop_mode +
                                                              st->drop_bogus + st->drop_unsync + st->drop_stratum +
                                                              st->drop_zero_tx);
    }
#endif
    return pos;
}

/* ---- address ------------------------------------------------------------------ */

static void start_dhcp(uint32_t reboot_addr)
{
#if FW_DHCP
    seqs_dhcp_request_t req;
    memset(&req, 0, sizeof req);
    req.hostname = fw_config()->hostname[0] != '\0' ? fw_config()->hostname : NULL;
    if (reboot_addr != 0) {   /* RFC 2131 3.2: back on a (maybe new) link, ask to keep the address */
        req.requested_addr = reboot_addr;
        req.flags = SEQS_DHCP_REBOOT;
    }
    int r = seqs_dhcp_client_begin(&g_stack, &g_dhcp, &req);
    if (r != SEQS_OK)
        fail("dhcp client", r);
#else
    (void)reboot_addr;
#endif
}

static void configure_address(void)
{
    const fw_config_t *cfg = fw_config();
    if (cfg->dhcp)
        return;
    int r = seqs_stack_set_addr(&g_stack, cfg->ip, cfg->prefix, cfg->gw, 0);
    if (r != SEQS_OK)
        fail("seqs_stack_set_addr", r);
}

/* The link came back: re-announce a static address (gratuitous ARP), or verify the
 * lease with an INIT-REBOOT request (we may have moved to another network). */
static void link_came_up(void)
{
    if (!g_status.dhcp) {
        configure_address();
        return;
    }
#if FW_DHCP
    const seqs_dhcp_lease_t *l = seqs_dhcp_client_lease(&g_dhcp);
    uint32_t addr = l ? l->addr : 0;
    (void)seqs_dhcp_client_stop(&g_stack, &g_dhcp);
    start_dhcp(addr);
#endif
}

#if FW_DHCP
static void log_dhcp(void)
{
    uint32_t ch = seqs_dhcp_client_changes(&g_dhcp);
    if (ch == g_dhcp_seen)
        return;
    g_dhcp_seen = ch;
    fw_log("dhcp: ");
    fw_log(seqs_dhcp_state_name(seqs_dhcp_client_state(&g_dhcp)));
    const seqs_dhcp_lease_t *l = seqs_dhcp_client_lease(&g_dhcp);
    if (l != NULL) {
        fw_log(" ");
        fw_log_ip4(l->addr);
        fw_log("/");
        fw_log_u32(l->prefix_len);
        fw_log(" router ");
        fw_log_ip4(l->router);
        fw_log(" server ");
        fw_log_ip4(l->server_id);
        fw_log(" lease ");
        fw_log_u32(l->lease_s);
        fw_log(" s");
    }
    fw_log("\r\n");
}
#endif

/* ---- time ------------------------------------------------------------------------ */

#if FW_DNS
/* The address of the SNTP server named by ntp=NAME, 0 until known: asks the DNS servers
 * of the lease (RFC 2132 option 6), once, again 10 s after a failure. */
static uint32_t resolve_ntp_name(void)
{
    const char *name = fw_config()->ntp_name;
    if (g_dns_state == 2)
        return g_ntp_by_name;
    if (g_dns_state == 1) {
        seqs_dns_status_t st = seqs_dns_query_status(&g_dnsq);
        if (st == SEQS_DNS_PENDING)
            return 0;
        fw_log("dns: ");
        fw_log(name);
        if (st == SEQS_DNS_OK && seqs_dns_query_addrs(&g_dnsq, &g_ntp_by_name, 1) > 0) {
            g_dns_state = 2;
            g_dns_ok++;
            fw_log(" -> ");
            fw_log_ip4(g_ntp_by_name);
            fw_log("\r\n");
            return g_ntp_by_name;
        }
        g_dns_state = 3;
        g_dns_fail++;
        g_dns_retry_at = fw_hal_now_us() + FW_DNS_RETRY_US;
        fw_log(": ");
        fw_log(seqs_dns_status_name(st));
        fw_log("\r\n");
        return 0;
    }
    if (g_dns_state == 3 && fw_hal_now_us() < g_dns_retry_at)
        return 0;
    uint32_t servers[3];
    size_t n = 0;
#if FW_DHCP
    const seqs_dhcp_lease_t *l = g_status.dhcp ? seqs_dhcp_client_lease(&g_dhcp) : NULL;
    if (g_status.dhcp && l == NULL)
        return 0;   /* the address is still being probed: the lease (and its DNS servers) comes next */
    for (unsigned i = 0; l != NULL && i < l->dns_count && n < 3; i++)
        servers[n++] = l->dns[i];
#endif
    int r = seqs_dns_set_servers(&g_dns, servers, n);
    if (r == SEQS_OK)
        r = seqs_dns_resolve(&g_stack, &g_dns, &g_dnsq, name);
    if (r != SEQS_OK) {   /* no DNS server known (static address, lease without option 6), ... */
        g_dns_state = 3;
        g_dns_fail++;
        g_dns_retry_at = fw_hal_now_us() + FW_DNS_RETRY_US;
        fw_log("dns: cannot resolve ");
        fw_log(name);
        fw_log(": ");
        fw_log(seqs_strerror(r));
        fw_log("\r\n");
        return 0;
    }
    g_dns_state = 1;
    return 0;
}
#endif

#if FW_SNTP
/* Polls the configured SNTP server (an address, or a name resolved by DNS), or the
 * first one of the DHCP lease (option 42), once the address is there; follows a
 * change of lease or address. */
static void manage_sntp(void)
{
    uint32_t want = 0;
    if (seqs_stack_addr(&g_stack, NULL, NULL) != 0) {
        want = fw_config()->ntp;
#if FW_DNS
        if (fw_config()->ntp_name[0] != '\0')
            want = resolve_ntp_name();
#endif
#if FW_DHCP
        const seqs_dhcp_lease_t *l = g_status.dhcp ? seqs_dhcp_client_lease(&g_dhcp) : NULL;
        if (want == 0 && fw_config()->ntp_name[0] == '\0' && l != NULL && l->ntp_count > 0)
            want = l->ntp[0];
#endif
    }
    if (want != g_sntp_server) {
        if (g_sntp_server != 0)
            (void)seqs_sntp_stop(&g_stack, &g_sntp);
        g_sntp_server = 0;
        g_sntp_logged = -1;
        if (want != 0) {
            seqs_sntp_config_t sc;
            seqs_sntp_config_default(&sc);
            sc.poll_s = 16;   /* RFC 4330 10 allows >= 15 s; keeps a QEMU clock within a few ms */
            sc.max_poll_s = 1024;
            int r = seqs_sntp_start(&g_stack, &g_sntp, want, &sc);
            if (r == SEQS_OK) {
                g_sntp_server = want;
                fw_log("sntp: polling ");
                fw_log_ip4(want);
                fw_log("\r\n");
            } else {
                fw_log("sntp: cannot start: ");
                fw_log(seqs_strerror(r));
                fw_log("\r\n");
            }
        }
    }
    if (g_sntp_server != 0 && (int)seqs_sntp_status(&g_sntp) != g_sntp_logged) {
        g_sntp_logged = (int)seqs_sntp_status(&g_sntp);
        fw_log("sntp: ");
        fw_log(seqs_sntp_status_name(g_sntp_logged));
        if (seqs_sntp_status(&g_sntp) == SEQS_SNTP_SYNCED) {
            fw_log(" stratum ");
            fw_log_u32((uint32_t)seqs_sntp_stratum(&g_sntp));
            fw_log(" delay ");
            fw_log_i32((int32_t)seqs_sntp_delay_us(&g_sntp));
            fw_log(" us");
        }
        fw_log("\r\n");
    }
}
#endif

/* ---- the loop ------------------------------------------------------------------ */

static void poll_apps(uint64_t now)
{
    for (const fw_app_t *const *a = fw_app_table; *a != NULL; a++)
        if ((*a)->poll != NULL)
            (*a)->poll(&g_stack, now);
}

static uint64_t next_deadline(void)
{
    uint64_t d = seqs_stack_next_deadline(&g_stack);
#if FW_DNS
    if (g_dns_state == 3 && g_dns_retry_at < d)
        d = g_dns_retry_at;
#endif
    for (const fw_app_t *const *a = fw_app_table; *a != NULL; a++) {
        if ((*a)->deadline != NULL) {
            uint64_t ad = (*a)->deadline(&g_stack);
            if (ad < d)
                d = ad;
        }
    }
    return d;
}

void fw_main(void)
{
    const char *bad = NULL;
    if (fw_config_load(fw_hal_cmdline(), &bad) != 0) {
        size_t n = 0;
        while (bad[n] != '\0' && bad[n] != ' ')
            n++;
        fw_log("FATAL: bad setting on the command line: ");
        fw_hal_log_write(bad, n);
        fw_log("\r\n");
        fw_hal_exit(2);
    }
    const fw_config_t *cfg = fw_config();
#if !FW_DHCP
    if (cfg->dhcp) {
        fw_log("FATAL: ip=dhcp but the image was built without DHCP (SEQS_FW_DHCP=OFF)\r\n");
        fw_hal_exit(2);
    }
#endif

    seqs_config_t sc;
    seqs_config_default(&sc);
    fw_hal_get_mac(sc.mac);
    sc.rng_seed = fw_hal_seed();
    int r = seqs_stack_init(&g_stack, &sc);
    if (r != SEQS_OK)
        fail("seqs_stack_init", r);
    g_status.boot_us = fw_hal_now_us();
    g_status.dhcp = cfg->dhcp;
    g_status.hostname = cfg->hostname;

    configure_address();
    for (const fw_app_t *const *a = fw_app_table; *a != NULL; a++) {
        if ((*a)->init != NULL) {
            r = (*a)->init(&g_stack);
            if (r != SEQS_OK)
                fail((*a)->name, r);
        }
    }
    if (cfg->dhcp)
        start_dhcp(0);
#if FW_DNS
    if (cfg->ntp_name[0] != '\0') {
        r = seqs_dns_init(&g_stack, &g_dns);
        if (r != SEQS_OK)
            fail("dns resolver", r);
    }
#else
    if (cfg->ntp_name[0] != '\0') {
        fw_log("FATAL: ntp=NAME but the image was built without DNS (SEQS_FW_DNS=OFF)\r\n");
        fw_hal_exit(2);
    }
#endif

    fw_log("seqs firmware: mac ");
    fw_log_mac(sc.mac);
    if (cfg->dhcp) {
        fw_log(" ip dhcp (hostname ");
        fw_log(cfg->hostname);
        fw_log(")");
    } else {
        uint8_t prefix = 0;
        uint32_t gw = 0;
        uint32_t ip = seqs_stack_addr(&g_stack, &prefix, &gw);
        fw_log(" ip ");
        fw_log_ip4(ip);
        fw_log("/");
        fw_log_u32(prefix);
        fw_log(" gw ");
        fw_log_ip4(gw);
    }
    fw_log(" apps");
    for (const fw_app_t *const *a = fw_app_table; *a != NULL; a++) {
        fw_log(" ");
        fw_log((*a)->name);
    }
    fw_log(" stack ");
    fw_log_u32((uint32_t)sizeof g_stack);
    fw_log(" B\r\nready\r\n");

    int link = fw_hal_link_up();
    g_status.link = (uint8_t)link;
    for (;;) {
        int now_link = fw_hal_link_up();
        if (now_link != link) {
            link = now_link;
            g_status.link = (uint8_t)link;
            fw_log(link ? "link up\r\n" : "link down\r\n");
            if (link)
                link_came_up();
        }

        size_t len;
        while ((len = fw_hal_rx(g_rxframe, sizeof g_rxframe)) > 0) {
#ifdef FW_ICOUNT
            uint32_t pm = fw_hal_irq_off();   /* no interrupt handler inside a measured frame */
#endif
            uint64_t now = fw_hal_now_us();
            ICOUNT_MARK(1);
            (void)seqs_stack_input(&g_stack, g_rxframe, len, now);
            poll_apps(now);
            ICOUNT_MARK(2);
            fw_flush(&g_stack);
            ICOUNT_MARK(5);
#ifdef FW_ICOUNT
            fw_hal_irq_restore(pm);
#endif
        }
        poll_apps(fw_hal_now_us());
        fw_flush(&g_stack);   /* timers (ARP retries, announcements, reassembly expiry, DHCP) */
#if FW_DHCP
        if (g_status.dhcp)
            log_dhcp();
#endif
#if FW_SNTP
        manage_sntp();
#endif

        uint64_t deadline = next_deadline();
        if (deadline > fw_hal_now_us())
            fw_hal_wait(deadline);
    }
}
