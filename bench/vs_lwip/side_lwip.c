/* SPDX-License-Identifier: BSD-3-Clause */
/* bench/vs_lwip/side_lwip.c — the lwIP side (Debian's liblwip 2.1.3, for the
 * comparison only): raw API, no tcpip thread (lwip_init() alone, then the
 * driver calls netif->input straight, see PLATFORM-NOTES.md), received frames
 * copied into PBUF_RAM pbufs, sent frames copied out by linkoutput. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/udp.h"
#include "netif/ethernet.h"
#include "netif/etharp.h"

#include "common.h"

static struct netif nif, nif_a, nif_b;
static wire_t *nif_wire(struct netif *n) { return n == &nif ? &wire_out : n == &nif_a ? &wire_ab : &wire_ba; }

static err_t linkoutput(struct netif *n, struct pbuf *p) {
    wire_t *w = nif_wire(n);
    uint8_t *slot = wire_slot(w);
    pbuf_copy_partial(p, slot, p->tot_len, 0);   /* the driver's copy into its transmit buffer */
    wire_commit(w, p->tot_len);
    return ERR_OK;
}

static const uint8_t *init_mac;
static err_t nif_init(struct netif *n) {
    n->hwaddr_len = 6;
    memcpy(n->hwaddr, init_mac, 6);
    n->mtu = 1500;
    n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    n->output = etharp_output;
    n->linkoutput = linkoutput;
    n->name[0] = 's';
    n->name[1] = 'q';
    return ERR_OK;
}

static void add_netif(struct netif *n, const uint8_t *mac, uint32_t ip) {
    ip4_addr_t a, m, g;
    IP4_ADDR(&a, ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
    IP4_ADDR(&m, 255, 255, 255, 0);
    ip4_addr_set_zero(&g);
    init_mac = mac;
    if (!netif_add(n, &a, &m, &g, NULL, nif_init, ethernet_input))
        die("lwip: netif_add");
    netif_set_up(n);
    netif_set_link_up(n);
}

static void pass_in(struct netif *n, const uint8_t *f, size_t len) {
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_RAM);
    if (!p)
        die("lwip: pbuf_alloc");
    memcpy(p->payload, f, len);   /* the driver's copy out of its receive buffer */
    if (n->input(p, n) != ERR_OK)
        pbuf_free(p);
}

static void l_input(const uint8_t *f, size_t n) { pass_in(&nif, f, n); }
static void l_output(void) {}   /* lwIP sends from inside input / the timers */
static void l_delack(void) { tcp_fasttmr(); }

/* --- applications -------------------------------------------------------------- */
static void udp_echo(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port) {
    (void)arg;
    udp_sendto(pcb, p, addr, port);   /* lwIP's echo idiom: the received pbuf goes back */
    pbuf_free(p);
}

#define MAXC 256
static struct tcp_pcb *conns[MAXC];
static struct tcp_pcb *pending[MAXC];
static unsigned npending;
static uint8_t *rxdata[MAXC];
static size_t rxlen[MAXC];
#define CONN_RX 8192

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
    (void)err;
    int id = (int)(intptr_t)arg;
    if (!p)
        return ERR_OK;
    /* The application's read: copy into its buffer, then open the window. */
    u16_t n = p->tot_len;
    if (rxlen[id] + n > CONN_RX)
        rxlen[id] = 0;
    pbuf_copy_partial(p, rxdata[id] + rxlen[id], n, 0);
    rxlen[id] += n;
    tcp_recved(pcb, n);
    pbuf_free(p);
    return ERR_OK;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err) {
    (void)arg;
    if (err != ERR_OK || !pcb || npending == MAXC)
        return ERR_VAL;
    pending[npending++] = pcb;
    return ERR_OK;
}

static void l_setup(unsigned maxc) {
    lwip_init();
    add_netif(&nif, US_MAC, US_IP);
    netif_set_default(&nif);
    wire_clear(&wire_out);   /* gratuitous ARP from netif_set_up */
    struct udp_pcb *u = udp_new();
    if (!u || udp_bind(u, IP_ADDR_ANY, UDP_PORT) != ERR_OK)
        die("lwip: udp");
    udp_recv(u, udp_echo, NULL);
    struct tcp_pcb *t = tcp_new();
    if (!t || tcp_bind(t, IP_ADDR_ANY, TCP_PORT) != ERR_OK)
        die("lwip: tcp_bind");
    struct tcp_pcb *l = tcp_listen_with_backlog(t, (u8_t)(maxc > 255 ? 255 : maxc));
    if (!l)
        die("lwip: listen");
    tcp_accept(l, on_accept);
    for (unsigned i = 0; i < MAXC; i++)
        rxdata[i] = malloc(CONN_RX);
    uint8_t f[64];
    l_input(f, peer_arp_request(f));   /* learn the peer's MAC */
    wire_clear(&wire_out);
}

static int l_accept(void) {
    if (!npending)
        return -1;
    struct tcp_pcb *p = pending[--npending];
    for (int i = 0; i < MAXC; i++)
        if (!conns[i]) {
            conns[i] = p;
            rxlen[i] = 0;
            tcp_arg(p, (void *)(intptr_t)i);
            tcp_recv(p, on_recv);
            tcp_backlog_accepted(p);
            return i;
        }
    die("lwip: more connections than slots");
    return -1;
}

static size_t l_read(int id, uint8_t *buf, size_t cap) {
    (void)buf;
    (void)cap;
    size_t n = rxlen[id];   /* on_recv copied it already */
    rxlen[id] = 0;
    return n;
}

static void l_abort(int id) {
    tcp_abort(conns[id]);
    conns[id] = NULL;
}

/* --- bulk: two netifs, A's pcb bound to A, B's listener to B ------------------------- */
static struct tcp_pcb *pa, *pb;
static uint8_t *bulk_sink;
static size_t bulk_got, bulk_cap;

static err_t bulk_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
    (void)arg;
    (void)err;
    if (!p)
        return ERR_OK;
    u16_t n = p->tot_len;
    if (bulk_got + n > bulk_cap)
        die("lwip bulk: sink overflow");
    pbuf_copy_partial(p, bulk_sink + bulk_got, n, 0);
    bulk_got += n;
    tcp_recved(pcb, n);
    pbuf_free(p);
    return ERR_OK;
}
static err_t bulk_accept(void *arg, struct tcp_pcb *pcb, err_t err) {
    (void)arg;
    if (err != ERR_OK)
        return ERR_VAL;
    pb = pcb;
    tcp_recv(pcb, bulk_recv);
    return ERR_OK;
}
static err_t bulk_connected(void *arg, struct tcp_pcb *pcb, err_t err) {
    (void)arg;
    (void)pcb;
    (void)err;
    return ERR_OK;
}

static void deliver(struct netif *to, wire_t *w) {
    size_t n;
    const uint8_t *f;
    while ((f = wire_peek(w, &n))) {
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_RAM);
        if (!p)
            die("lwip: pbuf_alloc");
        memcpy(p->payload, f, n);
        wire_pop(w);
        if (to->input(p, to) != ERR_OK)
            pbuf_free(p);
    }
}

static void l_bulk_setup(void) {
    if (!nif.input)
        lwip_init();
    add_netif(&nif_a, A_MAC, A_IP);
    add_netif(&nif_b, B_MAC, B_IP);
    wire_clear(&wire_ab);
    wire_clear(&wire_ba);
    ip_addr_t a, b;
    IP_ADDR4(&a, 198, 51, 100, 1);
    IP_ADDR4(&b, 198, 51, 100, 2);
    struct tcp_pcb *t = tcp_new();
    if (!t || tcp_bind(t, &b, TCP_PORT) != ERR_OK)
        die("lwip bulk: bind");
    tcp_bind_netif(t, &nif_b);
    struct tcp_pcb *l = tcp_listen(t);
    tcp_accept(l, bulk_accept);
    pa = tcp_new();
    tcp_bind(pa, &a, 0);
    tcp_bind_netif(pa, &nif_a);
    if (tcp_connect(pa, &b, TCP_PORT, bulk_connected) != ERR_OK)
        die("lwip bulk: connect");
    for (int i = 0; i < 20 && !pb; i++) {
        deliver(&nif_b, &wire_ab);
        deliver(&nif_a, &wire_ba);
    }
    deliver(&nif_b, &wire_ab);
    if (!pb || pa->state != ESTABLISHED)
        die("lwip bulk: no connection");
}

extern const uint8_t *bulk_pattern;

static size_t l_bulk_run(size_t bytes, uint8_t *sink, size_t cap) {
    size_t sent = 0;
    bulk_sink = sink;
    bulk_cap = cap;
    bulk_got = 0;
    while (bulk_got < bytes) {
        int wrote = 0;
        while (sent < bytes) {
            size_t k = bytes - sent < 65536 ? bytes - sent : 65536;
            if (k > tcp_sndbuf(pa))
                k = tcp_sndbuf(pa);
            if (!k || tcp_write(pa, bulk_pattern + sent % 65536, (u16_t)k, TCP_WRITE_FLAG_COPY) != ERR_OK)
                break;
            sent += k;
            wrote = 1;
        }
        if (wrote)
            tcp_output(pa);
        unsigned moved = wire_ab.count;
        deliver(&nif_b, &wire_ab);
        moved += wire_ba.count;
        deliver(&nif_a, &wire_ba);
        if (!moved)
            tcp_fasttmr();   /* quiet: the receiver's delayed ACK comes due */
    }
    return bulk_got;
}

const side_t side_lwip = {
    "lwIP", l_setup, l_input, l_output, l_delack, l_accept, l_read, l_abort, l_bulk_setup, l_bulk_run,
};
