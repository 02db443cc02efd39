/* SPDX-License-Identifier: BSD-3-Clause */
/* tcp_echo.c — TCP echo on fw_config()->tcp_echo_port (0 = off): FW_TCP_CONNS
 * concurrent connections with FW_TCP_RXBUF bytes of receive and FW_TCP_TXBUF of send
 * buffer each.
 * It never reads more than the send buffer can take (back-pressure instead of loss)
 * and closes after the peer's FIN. */
#include "fw_app.h"
#include "fw_config.h"

#ifndef FW_TCP_CONNS
#define FW_TCP_CONNS 2
#endif
#ifndef FW_TCP_RXBUF
#define FW_TCP_RXBUF 2048
#endif
#ifndef FW_TCP_TXBUF
#define FW_TCP_TXBUF 2048
#endif

static uint8_t g_pool[FW_TCP_CONNS * (FW_TCP_RXBUF + FW_TCP_TXBUF)] __attribute__((aligned(4)));
static seqs_tcp_listener_t g_listener;
static uint8_t g_listening;
static struct {
    seqs_tcp_t h;      /* 0 = free */
    uint8_t closing;   /* the peer's FIN was read (or an error): we closed our side */
} g_conn[FW_TCP_CONNS];
static struct {
    uint32_t accepted, refused, bytes, short_writes;
} g_cnt;

static int tcp_echo_init(seqs_stack_t *s)
{
    uint16_t port = fw_config()->tcp_echo_port;
    if (port == 0)
        return SEQS_OK;
    int r = seqs_tcp_listen(s, &g_listener, port, FW_TCP_CONNS, g_pool, sizeof g_pool, FW_TCP_RXBUF, FW_TCP_TXBUF);
    g_listening = r == SEQS_OK;
    return r;
}

static void tcp_echo_poll(seqs_stack_t *s, uint64_t now)
{
    (void)now;
    if (!g_listening)
        return;
    seqs_tcp_t c;
    while (seqs_tcp_accept(s, g_listener, &c) == SEQS_OK) {
        unsigned i = 0;
        while (i < FW_TCP_CONNS && g_conn[i].h != 0)
            i++;
        if (i == FW_TCP_CONNS) {
            (void)seqs_tcp_abort(s, c);
            g_cnt.refused++;
            continue;
        }
        g_conn[i].h = c;
        g_conn[i].closing = 0;
        (void)seqs_tcp_setopt(s, c, SEQS_TCP_OPT_NODELAY, 1);
        g_cnt.accepted++;
    }
    size_t cap;
    uint8_t *buf = fw_scratch(&cap);
    for (unsigned i = 0; i < FW_TCP_CONNS; i++) {
        seqs_tcp_t h = g_conn[i].h;
        if (h == 0)
            continue;
        int st = seqs_tcp_state(s, h);
        if (st < 0 || st == SEQS_TCP_CLOSED || st == SEQS_TCP_TIME_WAIT) {
            if (st == SEQS_TCP_CLOSED && !g_conn[i].closing)
                (void)seqs_tcp_close(s, h);   /* give the slot back (reset by the peer, timed out) */
            g_conn[i].h = 0;   /* TIME-WAIT the core finishes alone */
            continue;
        }
        while (!g_conn[i].closing) {
            int room = seqs_tcp_writable(s, h);
            if (room <= 0)
                break;
            size_t want = (size_t)room < cap ? (size_t)room : cap;
            int n = seqs_tcp_read(s, h, buf, want);
            if (n == SEQS_ERR_AGAIN)
                break;
            if (n <= 0) {   /* end of stream, or the connection failed */
                g_conn[i].closing = 1;
                (void)seqs_tcp_close(s, h);
                break;
            }
            int w = seqs_tcp_write(s, h, buf, (size_t)n);
            if (w != n)
                g_cnt.short_writes++;
            if (w > 0)
                g_cnt.bytes += (uint32_t)w;
        }
    }
}

static size_t tcp_echo_report(char *buf, size_t pos, size_t cap)
{
    pos = fw_put_counter(buf, pos, cap, "fw_tcp_accepted", g_cnt.accepted);
    pos = fw_put_counter(buf, pos, cap, "fw_tcp_refused", g_cnt.refused);
    pos = fw_put_counter(buf, pos, cap, "fw_tcp_bytes", g_cnt.bytes);
    return fw_put_counter(buf, pos, cap, "fw_tcp_short", g_cnt.short_writes);
}

static unsigned tcp_echo_conns(const seqs_stack_t *s, seqs_tcp_t *out, unsigned max)
{
    (void)s;
    unsigned n = 0;
    for (unsigned i = 0; i < FW_TCP_CONNS && n < max; i++)
        if (g_conn[i].h != 0)
            out[n++] = g_conn[i].h;
    return n;
}

const fw_app_t fw_app_tcp_echo = {.name = "tcp_echo", .init = tcp_echo_init, .poll = tcp_echo_poll,
                                  .report = tcp_echo_report, .conns = tcp_echo_conns};
