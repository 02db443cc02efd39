/* SPDX-License-Identifier: BSD-3-Clause */
/* stack.c — instance setup and the frame pump (input / output / poll / deadline). */
#include <string.h>

#include "internal.h"
#include "seqs/wire/eth.h"
#include "seqs/wire/ipv4.h"

void seqs_config_default(seqs_config_t *cfg) {
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->mtu = SEQS_MAX_MTU < 1500 ? SEQS_MAX_MTU : 1500;
    cfg->max_udp_sockets = SEQS_MAX_UDP_SOCKETS;
    cfg->max_tcp_listeners = SEQS_MAX_TCP_LISTENERS;
    cfg->max_tcp_conns = SEQS_MAX_TCP_CONNS;
    cfg->ttl = 64;
    cfg->rng_seed = 1;
}

int seqs_stack_init(seqs_stack_t *s, const seqs_config_t *cfg) {
    if (!s || !cfg)
        return SEQS_ERR_INVAL;
    if (seqs_mac_is_group(cfg->mac) || seqs_mac_is_zero(cfg->mac))
        return SEQS_ERR_INVAL;
    uint16_t mtu = cfg->mtu ? cfg->mtu : (SEQS_MAX_MTU < 1500 ? SEQS_MAX_MTU : 1500);
    if (mtu < SEQS_MIN_MTU)
        return SEQS_ERR_INVAL;
    if (mtu > SEQS_MAX_MTU || cfg->max_udp_sockets > SEQS_MAX_UDP_SOCKETS ||
        cfg->max_tcp_listeners > SEQS_MAX_TCP_LISTENERS || cfg->max_tcp_conns > SEQS_MAX_TCP_CONNS)
        return SEQS_ERR_LIMIT;
    memset(s, 0, sizeof *s);
    memcpy(s->mac, cfg->mac, 6);
    s->mtu = mtu;
    s->max_udp = cfg->max_udp_sockets;
    s->ttl = cfg->ttl ? cfg->ttl : 64;   /* RFC 1122 3.2.1.7: never send TTL 0 (I8) */
    s->flags = cfg->flags;
    s->rng = cfg->rng;
    s->rng_ctx = cfg->rng_ctx;
    seqs__rng_seed(s, cfg->rng_seed);
    s->ip.state = SEQS_ADDR_NONE;
    s->ip.timer = SEQS_NEVER;
    s->arp_next = s->reasm_next = SEQS_NEVER;
    /* RFC 6864 4: IDs need only be unique per src/dst/proto while fragmentable;
     * a counter from a random start does that and hides how many we sent. */
    s->ip_id = (uint16_t)seqs_stack_random(s);
    s->icmp_tokens = SEQS_ICMP_ERR_BURST;
    for (unsigned i = 0; i < SEQS_MAX_UDP_SOCKETS; i++)
        s->udp[i].gen = 1;
    s->tcp.max_conns = cfg->max_tcp_conns;
    s->tcp.max_listeners = cfg->max_tcp_listeners;
    seqs__tcp_init(s);   /* after the RNG is seeded: TCP draws its secrets from it */
    return SEQS_OK;
}

static void advance(seqs_stack_t *s, uint64_t now_us) {
    /* Time never runs backwards inside the stack, whatever the caller passes. */
    if (now_us > s->now)
        s->now = now_us;
}

void seqs__run_timers(seqs_stack_t *s) {
    /* Each module keeps its earliest deadline: nothing due costs a compare. */
    if (s->now >= s->ip.timer)
        seqs__acd_timers(s);
    if (s->now >= s->arp_next)
        seqs__arp_timers(s);
    if (s->now >= s->reasm_next)
        seqs__reasm_timers(s);
    seqs__tcp_timers(s);
    if (s->apps)
        seqs__apps_run(s, 0);
}

/* Is an Ethernet destination ours? Unicast to our MAC, broadcast, or an IPv4
 * multicast MAC (01:00:5e + low 23 bits) of a group we are in (E1). */
static int eth_dst_accepted(const seqs_stack_t *s, const uint8_t *d) {
    if (memcmp(d, s->mac, 6) == 0 || seqs_mac_is_bcast(d))
        return 1;
    if (d[0] != 0x01 || d[1] != 0x00 || d[2] != 0x5E || (d[3] & 0x80u))
        return 0;
    if (s->flags & SEQS_CFG_ALL_MULTICAST)
        return 1;
    uint32_t low = ((uint32_t)d[3] << 16) | ((uint32_t)d[4] << 8) | d[5];
    if (low == (SEQS_IP4(224, 0, 0, 1) & 0x7FFFFFu))
        return 1;
    for (unsigned i = 0; i < SEQS_MAX_MCAST_GROUPS; i++)
        if (s->groups[i] && (s->groups[i] & 0x7FFFFFu) == low)
            return 1;
    return 0;
}

int seqs_stack_input(seqs_stack_t *s, const uint8_t *frame, size_t len, uint64_t now_us) {
    if (!s || !frame)
        return SEQS_ERR_INVAL;
    advance(s, now_us);
    seqs__run_timers(s);
    SEQS_CNT(s, eth_rx);
    seqs_eth_view_t eth;
    if (seqs_eth_view_init(&eth, frame, len) != SEQS_VIEW_OK) {
        SEQS_CNT(s, eth_drop_runt);
        return SEQS_OK;
    }
    if (!eth_dst_accepted(s, seqs_eth_dst(&eth))) {
        SEQS_CNT(s, eth_drop_not_for_us);
        return SEQS_OK;
    }
    if (memcmp(seqs_eth_src(&eth), s->mac, 6) == 0) {   /* our own frame looped back, or a spoof */
        SEQS_CNT(s, eth_drop_own_src);
        return SEQS_OK;
    }
    switch (seqs_eth_type(&eth)) {
    case SEQS_ETHERTYPE_IPV4:
        seqs__ip_input(s, seqs_eth_payload(&eth), seqs_eth_payload_len(&eth), seqs_mac_is_group(seqs_eth_dst(&eth)));
        break;
    case SEQS_ETHERTYPE_ARP:
        seqs__arp_input(s, seqs_eth_payload(&eth), seqs_eth_payload_len(&eth));
        break;
    case SEQS_ETHERTYPE_VLAN:
    case SEQS_ETHERTYPE_QINQ:
        SEQS_CNT(s, eth_drop_vlan);   /* no VLAN support: tagged frames are not ours */
        break;
    default:
        SEQS_CNT(s, eth_drop_ethertype);   /* includes 802.3 length fields (< 0x0600) */
        break;
    }
    /* Apps see what the frame brought (a datagram, a TCP segment) at once. */
    if (s->apps)
        seqs__apps_run(s, 1);
    return SEQS_OK;
}

/* Moves the oldest queued frame into buf: its length, 0 if none, or NOBUFS. */
static int txq_pull(seqs_stack_t *s, uint8_t *buf, size_t cap) {
    size_t len;
    const uint8_t *f = seqs__txq_peek(s, &len);
    if (!f)
        return 0;
    if (len > cap || !buf)
        return SEQS_ERR_NOBUFS;
    memcpy(buf, f, len);
    seqs__txq_pop(s);
    SEQS_CNT(s, eth_tx);
    return (int)len;
}

int seqs_stack_output(seqs_stack_t *s, uint8_t *buf, size_t cap, uint64_t now_us) {
    if (!s || (!buf && cap))
        return SEQS_ERR_INVAL;
    advance(s, now_us);
    seqs__run_timers(s);
    int n = txq_pull(s, buf, cap);
    if (n != 0 || !buf)
        return n;
    n = seqs__tcp_output(s, buf, cap);
    if (n > 0) {
        SEQS_CNT(s, eth_tx);
        return n;
    }
    /* TCP found nothing to send but may have queued something on the way
     * (an ARP request while routing, an RST): return that now, or the caller
     * would see 0 with a frame pending. */
    return n == 0 ? txq_pull(s, buf, cap) : n;
}

void seqs_stack_poll(seqs_stack_t *s, uint64_t now_us) {
    if (!s)
        return;
    advance(s, now_us);
    seqs__run_timers(s);
}

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

uint64_t seqs_stack_next_deadline(const seqs_stack_t *s) {
    if (!s)
        return SEQS_NEVER;
    if (s->txq.count)
        return s->now;
    uint64_t d = seqs__acd_deadline(s);
    d = min64(d, seqs__arp_deadline(s));
    d = min64(d, seqs__reasm_deadline(s));
    d = min64(d, seqs__tcp_deadline(s));
    if (s->apps)
        d = min64(d, seqs__apps_deadline(s));
    return d;
}

/* Multicast groups (no IGMP is sent; 224.0.0.1 is always joined). */
int seqs_stack_join_group(seqs_stack_t *s, uint32_t group) {
    if (!s || !seqs_ip4_is_multicast(group))
        return SEQS_ERR_INVAL;
    if (group == SEQS_IP4(224, 0, 0, 1))
        return SEQS_OK;
    int free_slot = -1;
    for (unsigned i = 0; i < SEQS_MAX_MCAST_GROUPS; i++) {
        if (s->groups[i] == group)
            return SEQS_OK;
        if (!s->groups[i] && free_slot < 0)
            free_slot = (int)i;
    }
    if (free_slot < 0)
        return SEQS_ERR_NOSLOT;
    s->groups[free_slot] = group;
    return SEQS_OK;
}

int seqs_stack_leave_group(seqs_stack_t *s, uint32_t group) {
    if (!s || !seqs_ip4_is_multicast(group) || group == SEQS_IP4(224, 0, 0, 1))
        return SEQS_ERR_INVAL;
    for (unsigned i = 0; i < SEQS_MAX_MCAST_GROUPS; i++)
        if (s->groups[i] == group) {
            s->groups[i] = 0;
            return SEQS_OK;
        }
    return SEQS_ERR_INVAL;
}

const uint8_t *seqs_stack_mac(const seqs_stack_t *s) { return s ? s->mac : NULL; }
