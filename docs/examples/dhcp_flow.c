/* SPDX-License-Identifier: BSD-3-Clause */
/* docs/examples/dhcp_flow.c — the README's DHCP example (the seed's flow), built
 * and run by ctest: a device stack gets its address from DHCP, driven only by the
 * three calls. Its peer is a second stack with a static address running a toy
 * DHCP server (20 lines on the wire builder of seqs/wire/dhcp.h) so the example
 * runs alone; a real network has a real server (dnsmasq, seqs' own server ...). */
#include <stdio.h>
#include <string.h>

#include "seqs/dhcp.h"
#include "seqs/seqs.h"
#include "seqs/wire/dhcp.h"

static seqs_stack_t dev, srv;          /* caller-allocated, static as on firmware */
static seqs_dhcp_client_t dhcp;
static uint8_t srv_rx[1200];

static void move(seqs_stack_t *from, seqs_stack_t *to, uint64_t now) {
    uint8_t f[SEQS_MAX_FRAME];
    int n;
    while ((n = seqs_stack_output(from, f, sizeof f, now)) > 0)
        seqs_stack_input(to, f, (size_t)n, now);   /* a NIC would transmit here */
}

/* The toy server: every DISCOVER gets an OFFER, every REQUEST an ACK, of 192.0.2.69. */
static void toy_server(seqs_udp_t u) {
    uint8_t in[600], out[600];
    int n;
    while ((n = seqs_udp_recvfrom(&srv, u, in, sizeof in, NULL)) > 0) {
        seqs_dhcp_view_t v;
        if (seqs_dhcp_view_init(&v, in, (size_t)n) != SEQS_DHCP_OK)
            continue;
        uint8_t type = seqs_dhcp_msg_type(&v) == SEQS_DHCP_DISCOVER ? SEQS_DHCP_OFFER : SEQS_DHCP_ACK;
        seqs_dhcp_hdr_t h = {.op = SEQS_DHCP_BOOTREPLY, .xid = seqs_dhcp_xid(&v), .flags = seqs_dhcp_flags(&v),
                             .yiaddr = SEQS_IP4(192, 0, 2, 69)};
        memcpy(h.chaddr, seqs_dhcp_chaddr(&v), 6);
        seqs_dhcp_builder_t b;
        seqs_dhcp_build_begin(&b, out, sizeof out, &h);
        seqs_dhcp_build_opt_u8(&b, SEQS_DHCP_OPT_MSG_TYPE, type);
        seqs_dhcp_build_opt_u32(&b, SEQS_DHCP_OPT_SERVER_ID, SEQS_IP4(192, 0, 2, 1));
        seqs_dhcp_build_opt_u32(&b, SEQS_DHCP_OPT_LEASE_TIME, 3600);
        seqs_dhcp_build_opt_u32(&b, SEQS_DHCP_OPT_SUBNET_MASK, 0xFFFFFF00u);
        seqs_dhcp_build_opt_u32(&b, SEQS_DHCP_OPT_ROUTER, SEQS_IP4(192, 0, 2, 1));
        seqs_dhcp_build_opt_u32(&b, SEQS_DHCP_OPT_DNS, SEQS_IP4(192, 0, 2, 1));
        int len = seqs_dhcp_build_end(&b);
        if (len > 0)
            seqs_udp_sendto(&srv, u, out, (size_t)len, 0xFFFFFFFFu, SEQS_DHCP_CLIENT_PORT);
    }
}

static void init(seqs_stack_t *s, uint8_t last_mac_byte) {
    seqs_config_t cfg;
    seqs_config_default(&cfg);
    const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, last_mac_byte};
    memcpy(cfg.mac, mac, sizeof mac);
    cfg.rng_seed = last_mac_byte;
    seqs_stack_init(s, &cfg);
}

int main(void) {
    init(&srv, 1);
    seqs_stack_set_addr(&srv, SEQS_IP4(192, 0, 2, 1), 24, 0, 0);
    seqs_udp_t u;
    seqs_udp_open(&srv, &u, srv_rx, sizeof srv_rx);
    seqs_udp_bind(&srv, u, 0, SEQS_DHCP_SERVER_PORT);

    /* --- the seed's flow ---------------------------------------------------- */
    init(&dev, 2);
    int err = seqs_dhcp_client_begin(&dev, &dhcp, &(seqs_dhcp_request_t){
        .requested_addr = SEQS_IP4(192, 0, 2, 69), .xid = 0x12345678, .hostname = "tinygo-pico"});
    if (err) {
        printf("begin: %s\n", seqs_strerror(err));
        return 1;
    }
    uint64_t now = 0;
    while (!seqs_dhcp_client_done(&dhcp) && now < 60000000u) {
        move(&dev, &srv, now);   /* the port: frames out of one NIC into the other */
        toy_server(u);
        move(&srv, &dev, now);
        /* sleep until the next deadline of either side (a real port also wakes on RX) */
        uint64_t d = seqs_stack_next_deadline(&dev), d2 = seqs_stack_next_deadline(&srv);
        now = (d2 < d ? d2 : d) > now ? (d2 < d ? d2 : d) : now + 1000;
    }
    uint32_t ip = seqs_dhcp_client_offer(&dhcp);
    const seqs_dhcp_lease_t *l = seqs_dhcp_client_lease(&dhcp);
    /* --------------------------------------------------------------------------- */
    if (!l || ip != SEQS_IP4(192, 0, 2, 69) || seqs_stack_addr(&dev, NULL, NULL) != ip)
        return 1;
    printf("got offer: %u.%u.%u.%u/%u router %u.%u.%u.%u lease %lu s after %.1f s (%s)\n", ip >> 24,
           (ip >> 16) & 255, (ip >> 8) & 255, ip & 255, l->prefix_len, l->router >> 24, (l->router >> 16) & 255,
           (l->router >> 8) & 255, l->router & 255, (unsigned long)l->lease_s, (double)now / 1e6,
           seqs_dhcp_state_name(seqs_dhcp_client_state(&dhcp)));
    return 0;
}
