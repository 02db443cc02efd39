/* SPDX-License-Identifier: BSD-3-Clause */
/* docs/examples/flow.c — the README's C example, built and run by ctest so it
 * stays true: two stacks joined back to back by a two-line "wire", one sends a
 * UDP datagram to the other (ARP resolution included). */
#include <stdio.h>
#include <string.h>

#include "seqs/seqs.h"

/* A stack is caller-allocated: static here, as on firmware. */
static seqs_stack_t alice, bob;
static uint8_t bob_rx[2048];

/* Move every pending frame from one stack to the other. Returns frames moved. */
static int pump(seqs_stack_t *from, seqs_stack_t *to, uint64_t now_us) {
    uint8_t frame[SEQS_MAX_FRAME];
    int len, moved = 0;
    while ((len = seqs_stack_output(from, frame, sizeof frame, now_us)) > 0) {
        seqs_stack_input(to, frame, (size_t)len, now_us);   /* a NIC would transmit here */
        moved++;
    }
    return moved;
}

static int make(seqs_stack_t *s, uint8_t last_mac_byte, uint32_t addr) {
    seqs_config_t cfg;
    seqs_config_default(&cfg);
    const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, last_mac_byte};
    memcpy(cfg.mac, mac, sizeof mac);
    cfg.mtu = 1500;
    cfg.max_udp_sockets = 2;       /* port limits, like seqs' MaxOpenPortsUDP */
    cfg.max_tcp_listeners = 1;
    cfg.rng_seed = last_mac_byte;  /* or cfg.rng = your TRNG callback */
    int err = seqs_stack_init(s, &cfg);
    if (err == SEQS_OK)            /* static address 192.0.2.x/24, no gateway */
        err = seqs_stack_set_addr(s, addr, 24, 0, 0);
    return err;
}

int main(void) {
    if (make(&alice, 1, SEQS_IP4(192, 0, 2, 1)) || make(&bob, 2, SEQS_IP4(192, 0, 2, 2)))
        return 1;
    seqs_udp_t a, b;
    seqs_udp_open(&alice, &a, NULL, 0);                 /* send-only: no receive buffer */
    seqs_udp_open(&bob, &b, bob_rx, sizeof bob_rx);
    seqs_udp_bind(&bob, b, 0, 7);

    int err = seqs_udp_sendto(&alice, a, "hello", 5, SEQS_IP4(192, 0, 2, 2), 7);
    if (err < 0) {
        printf("sendto: %s\n", seqs_strerror(err));
        return 1;
    }
    /* The frame loop: ARP request, ARP reply, then the datagram. A real port
     * would also wake at seqs_stack_next_deadline() to run timers. */
    for (uint64_t now = 0; now < 10000; now += 1000)
        if (pump(&alice, &bob, now) + pump(&bob, &alice, now) == 0)
            break;

    char buf[64];
    seqs_udp_meta_t from;
    int n = seqs_udp_recvfrom(&bob, b, buf, sizeof buf, &from);
    if (n != 5 || memcmp(buf, "hello", 5) != 0 || from.remote_addr != SEQS_IP4(192, 0, 2, 1))
        return 1;
    printf("bob got \"%.*s\" from port %u; alice sent %u frames\n", n, buf, from.remote_port,
           seqs_stack_counters(&alice)->eth_tx);
    return 0;
}
