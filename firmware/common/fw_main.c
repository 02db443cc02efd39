/* fw_main.c — the board-independent main loop of the seqs firmware.
 *
 * It drives the sans-IO core through the tiny HAL in fw_hal.h: every received
 * frame goes into seqs_stack_input(), the UDP services run, then
 * seqs_stack_output() is pulled until empty; then the board sleeps until the
 * core's next deadline or until a frame arrives. Services: ARP and ping (in the
 * core), UDP echo on FW_ECHO_PORT, TCP echo on FW_TCP_ECHO_PORT, and (test images only, FW_CTRL_PORT != 0) a
 * control port the QEMU test uses to read counters and end the run.
 *
 * Everything is allocated statically; nothing here allocates or blocks. */
#include <stdint.h>
#include <string.h>

#include <seqs/seqs.h>

#include "fw_hal.h"
#include "fw_log.h"

/* Compile-time options (set by firmware/cmake/seqs_fw.cmake from CMake options). */
#ifndef FW_IP_ADDR
#define FW_IP_ADDR SEQS_IP4(192, 0, 2, 2)
#endif
#ifndef FW_IP_PREFIX
#define FW_IP_PREFIX 24
#endif
#ifndef FW_IP_GATEWAY
#define FW_IP_GATEWAY SEQS_IP4(192, 0, 2, 1)
#endif
#ifndef FW_ECHO_PORT
#define FW_ECHO_PORT 7
#endif
#ifndef FW_CTRL_PORT
#define FW_CTRL_PORT 0
#endif
/* TCP echo port (0 = no TCP service), concurrent connections and their buffers. */
#ifndef FW_TCP_ECHO_PORT
#define FW_TCP_ECHO_PORT 7
#endif
#ifndef FW_TCP_CONNS
#define FW_TCP_CONNS 2
#endif
#ifndef FW_TCP_BUF
#define FW_TCP_BUF 4096
#endif
/* Largest datagram echoed: what the core can reassemble. */
#ifndef FW_ECHO_MAX
#define FW_ECHO_MAX SEQS_REASM_MAX_BYTES
#endif
/* Receive ring of the echo socket (datagrams + record headers). */
#ifndef FW_ECHO_RXRING
#define FW_ECHO_RXRING (2 * FW_ECHO_MAX)
#endif

/* The stack and every buffer live in .bss. Frame buffers are word-aligned so
 * drivers may move whole words; the core itself never assumes alignment. */
static seqs_stack_t g_stack;
static uint8_t g_rxframe[(SEQS_MAX_FRAME + 3) & ~3] __attribute__((aligned(4)));
static uint8_t g_txframe[(SEQS_MAX_FRAME + 3) & ~3] __attribute__((aligned(4)));
static uint8_t g_echo_ring[FW_ECHO_RXRING] __attribute__((aligned(4)));
static uint8_t g_dgram[FW_ECHO_MAX] __attribute__((aligned(4)));
static seqs_udp_t g_echo;

/* Firmware-side counters (the core counts everything else). */
static struct {
    uint32_t tx_fail;        /* fw_hal_tx refused a frame */
    uint32_t echo_ok;        /* datagrams echoed */
    uint32_t echo_fail;      /* echo could not be queued (NOBUFS even after a flush, ...) */
    uint32_t echo_trunc;     /* datagram larger than g_dgram: not echoed */
    uint32_t tcp_accepted;   /* TCP echo connections accepted */
    uint32_t tcp_refused;    /* accepted while every FW_TCP_CONNS slot was busy: aborted */
    uint32_t tcp_bytes;      /* bytes echoed over TCP */
    uint32_t tcp_short;      /* write took fewer bytes than the room reported */
} g_fw;

#if FW_TCP_ECHO_PORT != 0
/* Each connection gets FW_TCP_BUF bytes of receive and of send buffer from the pool. */
static uint8_t g_tcp_pool[FW_TCP_CONNS * 2 * FW_TCP_BUF] __attribute__((aligned(4)));
static seqs_tcp_listener_t g_tcp_listener;
static struct {
    seqs_tcp_t h;      /* 0 = free */
    uint8_t closing;   /* the peer's FIN was read (or an error): we closed our side */
} g_tcp[FW_TCP_CONNS];
#endif

#if FW_CTRL_PORT != 0
#define FW_EXIT_GRACE_US 300000u
static seqs_udp_t g_ctrl;
static uint64_t g_exit_at;   /* 0, or when a requested exit happens */
static uint8_t g_ctrl_ring[1024] __attribute__((aligned(4)));
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

/* Pulls every pending frame out of the core and hands it to the driver. */
static void flush(void)
{
    for (;;) {
        int n = seqs_stack_output(&g_stack, g_txframe, sizeof g_txframe, fw_hal_now_us());
        if (n <= 0) {
            if (n < 0) {   /* cannot happen with a SEQS_MAX_FRAME buffer; do not spin on it */
                fw_log("output: ");
                fw_log(seqs_strerror(n));
                fw_log("\r\n");
            }
            return;
        }
        if (fw_hal_tx(g_txframe, (size_t)n) != 0)
            g_fw.tx_fail++;
    }
}

/* Sends a reply from the address the request was sent to (when it is ours),
 * flushing the transmit queue once if it is full. */
static int reply(seqs_udp_t h, const void *data, size_t len, const seqs_udp_meta_t *req)
{
    seqs_udp_meta_t m;
    memset(&m, 0, sizeof m);
    m.remote_addr = req->remote_addr;
    m.remote_port = req->remote_port;
    m.local_addr = req->local_addr == seqs_stack_addr(&g_stack, NULL, NULL) ? req->local_addr : 0;
    int r = seqs_udp_sendmsg(&g_stack, h, data, len, &m);
    if (r == SEQS_ERR_NOBUFS) {
        flush();
        r = seqs_udp_sendmsg(&g_stack, h, data, len, &m);
    }
    return r;
}

static void service_echo(void)
{
    for (;;) {
        seqs_udp_meta_t meta;
        int n = seqs_udp_recvfrom(&g_stack, g_echo, g_dgram, sizeof g_dgram, &meta);
        if (n < 0)
            return;
        if (meta.truncated) {
            g_fw.echo_trunc++;
            continue;
        }
        if (reply(g_echo, g_dgram, (size_t)n, &meta) == n)
            g_fw.echo_ok++;
        else
            g_fw.echo_fail++;
    }
}

#if FW_TCP_ECHO_PORT != 0
/* Echoes what each connection receives, never reading more than its send buffer
 * can take (back-pressure instead of loss); closes after the peer's FIN. */
static void service_tcp(void)
{
    seqs_tcp_t c;
    while (seqs_tcp_accept(&g_stack, g_tcp_listener, &c) == SEQS_OK) {
        unsigned i = 0;
        while (i < FW_TCP_CONNS && g_tcp[i].h != 0)
            i++;
        if (i == FW_TCP_CONNS) {
            (void)seqs_tcp_abort(&g_stack, c);
            g_fw.tcp_refused++;
            continue;
        }
        g_tcp[i].h = c;
        g_tcp[i].closing = 0;
        (void)seqs_tcp_setopt(&g_stack, c, SEQS_TCP_OPT_NODELAY, 1);
        g_fw.tcp_accepted++;
    }
    for (unsigned i = 0; i < FW_TCP_CONNS; i++) {
        seqs_tcp_t h = g_tcp[i].h;
        if (h == 0)
            continue;
        int st = seqs_tcp_state(&g_stack, h);
        if (st < 0 || st == SEQS_TCP_CLOSED || st == SEQS_TCP_TIME_WAIT) {
            g_tcp[i].h = 0;   /* gone (or only TIME-WAIT left, which the core finishes alone) */
            continue;
        }
        while (!g_tcp[i].closing) {
            int room = seqs_tcp_writable(&g_stack, h);
            if (room <= 0)
                break;
            size_t cap = (size_t)room < sizeof g_dgram ? (size_t)room : sizeof g_dgram;
            int n = seqs_tcp_read(&g_stack, h, g_dgram, cap);
            if (n == SEQS_ERR_AGAIN)
                break;
            if (n <= 0) {   /* end of stream, or the connection failed */
                g_tcp[i].closing = 1;
                (void)seqs_tcp_close(&g_stack, h);
                break;
            }
            int w = seqs_tcp_write(&g_stack, h, g_dgram, (size_t)n);
            if (w != n)
                g_fw.tcp_short++;
            if (w > 0)
                g_fw.tcp_bytes += (uint32_t)w;
        }
    }
}
#endif

#if FW_CTRL_PORT != 0
/* Appends "name=value\n" for every non-zero counter (core and firmware) to buf. */
static size_t put_str(char *buf, size_t pos, size_t cap, const char *s)
{
    while (*s != '\0' && pos < cap)
        buf[pos++] = *s++;
    return pos;
}

static size_t put_u32(char *buf, size_t pos, size_t cap, uint32_t v)
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

static size_t put_counter(char *buf, size_t pos, size_t cap, const char *name, uint32_t v)
{
    if (v == 0)
        return pos;
    pos = put_str(buf, pos, cap, name);
    pos = put_str(buf, pos, cap, "=");
    pos = put_u32(buf, pos, cap, v);
    return put_str(buf, pos, cap, "\n");
}

static size_t format_counters(char *buf, size_t cap)
{
    size_t pos = 0;
    for (unsigned i = 0; i < SEQS_COUNTER_COUNT; i++)
        pos = put_counter(buf, pos, cap, seqs_counter_name(i), seqs_counter_value(&g_stack, i));
    pos = put_counter(buf, pos, cap, "fw_tx_fail", g_fw.tx_fail);
    pos = put_counter(buf, pos, cap, "fw_echo_ok", g_fw.echo_ok);
    pos = put_counter(buf, pos, cap, "fw_echo_fail", g_fw.echo_fail);
    pos = put_counter(buf, pos, cap, "fw_echo_trunc", g_fw.echo_trunc);
    pos = put_counter(buf, pos, cap, "fw_tcp_accepted", g_fw.tcp_accepted);
    pos = put_counter(buf, pos, cap, "fw_tcp_refused", g_fw.tcp_refused);
    pos = put_counter(buf, pos, cap, "fw_tcp_bytes", g_fw.tcp_bytes);
    pos = put_counter(buf, pos, cap, "fw_tcp_short", g_fw.tcp_short);
    return pos;
}


static void log_counters(void)
{
    size_t n = format_counters((char *)g_dgram, sizeof g_dgram);
    fw_log("counters:\r\n");
    fw_hal_log_write((const char *)g_dgram, n);
}

/* Test-only control service (compiled in when FW_CTRL_PORT != 0):
 *   "counters"  -> replies with the non-zero counters, one "name=value" a line;
 *   "exit"      -> replies "bye", runs 300 ms more (the reply may need ARP), then
 *                  logs the counters and ends the run (exit code 0);
 *   "unaligned" -> performs a misaligned 32-bit load: on a Cortex-M0+ (and on the
 *                  QEMU image, which enables UNALIGN_TRP) this must fault. */
static void service_ctrl(void)
{
    char cmd[16];
    seqs_udp_meta_t meta;
    for (;;) {
        int n = seqs_udp_recvfrom(&g_stack, g_ctrl, cmd, sizeof cmd - 1, &meta);
        if (n < 0)
            return;
        while (n > 0 && (cmd[n - 1] == '\n' || cmd[n - 1] == '\r'))
            n--;
        cmd[n] = '\0';
        if (strcmp(cmd, "counters") == 0) {
            size_t len = format_counters((char *)g_dgram, sizeof g_dgram);
            (void)reply(g_ctrl, g_dgram, len, &meta);
        } else if (strcmp(cmd, "exit") == 0) {
            /* The reply may wait on ARP: keep pumping a little before ending the run. */
            (void)reply(g_ctrl, "bye\n", 4, &meta);
            g_exit_at = fw_hal_now_us() + FW_EXIT_GRACE_US;
        } else if (strcmp(cmd, "unaligned") == 0) {
            fw_log("performing a misaligned 32-bit load\r\n");
            /* An explicit LDR: from C, GCC would see the misalignment and split the load into LDRBs. */
            uint32_t v;
            __asm volatile("ldr %0, [%1]" : "=r"(v) : "r"(&g_dgram[1]) : "memory");
            (void)v;
            fw_log("misaligned load did NOT fault\r\n");
            (void)reply(g_ctrl, "no-fault\n", 9, &meta);
        } else {
            (void)reply(g_ctrl, "?\n", 2, &meta);
        }
    }
}
#endif

static void configure_address(void)
{
    int r = seqs_stack_set_addr(&g_stack, FW_IP_ADDR, FW_IP_PREFIX, FW_IP_GATEWAY, 0);
    if (r != SEQS_OK)
        fail("seqs_stack_set_addr", r);
}

void fw_main(void)
{
    seqs_config_t cfg;
    seqs_config_default(&cfg);
    fw_hal_get_mac(cfg.mac);
    cfg.rng_seed = fw_hal_seed();
    int r = seqs_stack_init(&g_stack, &cfg);
    if (r != SEQS_OK)
        fail("seqs_stack_init", r);

    uint8_t prefix = 0;
    uint32_t gw = 0;
    configure_address();
    uint32_t ip = seqs_stack_addr(&g_stack, &prefix, &gw);

    r = seqs_udp_open(&g_stack, &g_echo, g_echo_ring, sizeof g_echo_ring);
    if (r == SEQS_OK)
        r = seqs_udp_bind(&g_stack, g_echo, 0, FW_ECHO_PORT);
    if (r != SEQS_OK)
        fail("echo socket", r);
#if FW_TCP_ECHO_PORT != 0
    r = seqs_tcp_listen(&g_stack, &g_tcp_listener, FW_TCP_ECHO_PORT, FW_TCP_CONNS, g_tcp_pool, sizeof g_tcp_pool,
                        FW_TCP_BUF, FW_TCP_BUF);
    if (r != SEQS_OK)
        fail("tcp listener", r);
#endif
#if FW_CTRL_PORT != 0
    r = seqs_udp_open(&g_stack, &g_ctrl, g_ctrl_ring, sizeof g_ctrl_ring);
    if (r == SEQS_OK)
        r = seqs_udp_bind(&g_stack, g_ctrl, 0, FW_CTRL_PORT);
    if (r != SEQS_OK)
        fail("control socket", r);
#endif

    fw_log("seqs firmware: mac ");
    fw_log_mac(cfg.mac);
    fw_log(" ip ");
    fw_log_ip4(ip);
    fw_log("/");
    fw_log_u32(prefix);
    fw_log(" gw ");
    fw_log_ip4(gw);
    fw_log(" udp-echo ");
    fw_log_u32(FW_ECHO_PORT);
#if FW_TCP_ECHO_PORT != 0
    fw_log(" tcp-echo ");
    fw_log_u32(FW_TCP_ECHO_PORT);
#endif
#if FW_CTRL_PORT != 0
    fw_log(" ctrl ");
    fw_log_u32(FW_CTRL_PORT);
#endif
    fw_log(" stack ");
    fw_log_u32((uint32_t)sizeof g_stack);
    fw_log(" B\r\nready\r\n");

    int link = fw_hal_link_up();
    for (;;) {
        int now_link = fw_hal_link_up();
        if (now_link != link) {
            link = now_link;
            fw_log(link ? "link up\r\n" : "link down\r\n");
            if (link)
                configure_address();   /* re-announce (gratuitous ARP) on the new link */
        }

        size_t len;
        while ((len = fw_hal_rx(g_rxframe, sizeof g_rxframe)) > 0) {
            (void)seqs_stack_input(&g_stack, g_rxframe, len, fw_hal_now_us());
            service_echo();
#if FW_TCP_ECHO_PORT != 0
            service_tcp();
#endif
#if FW_CTRL_PORT != 0
            service_ctrl();
#endif
            flush();
        }
        flush();   /* timers (ARP retries, announcements, reassembly expiry) */

        uint64_t deadline = seqs_stack_next_deadline(&g_stack);
#if FW_CTRL_PORT != 0
        if (g_exit_at != 0) {
            if (fw_hal_now_us() >= g_exit_at) {
                log_counters();
                fw_log("exit requested\r\n");
                fw_hal_exit(0);
            }
            if (g_exit_at < deadline)
                deadline = g_exit_at;
        }
#endif
        if (deadline > fw_hal_now_us())
            fw_hal_wait(deadline);
    }
}
