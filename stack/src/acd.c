/* SPDX-License-Identifier: BSD-3-Clause */
/* acd.c — our IPv4 address: configuration and RFC 5227 conflict detection
 * (probe before use, announce, defend), timed by the stack's clock. */
#include <string.h>

#include "internal.h"
#include "seqs/wire/arp.h"
#include "seqs/wire/ipv4.h"

/* RFC 5227 1.1 constants, in microseconds. */
#define PROBE_WAIT_US (1u * SEQS_US_PER_S)
#define PROBE_NUM 3u
#define PROBE_MIN_US (1u * SEQS_US_PER_S)
#define PROBE_MAX_US (2u * SEQS_US_PER_S)
#define ANNOUNCE_WAIT_US (2u * SEQS_US_PER_S)
#define ANNOUNCE_NUM 2u
#define ANNOUNCE_INTERVAL_US (2u * SEQS_US_PER_S)
#define DEFEND_INTERVAL_US (10ull * SEQS_US_PER_S)

static const uint8_t mac_zero[6] = {0, 0, 0, 0, 0, 0};

seqs_addr_state_t seqs_stack_addr_state(const seqs_stack_t *s) {
    return s ? (seqs_addr_state_t)s->ip.state : SEQS_ADDR_NONE;
}

uint32_t seqs_stack_addr(const seqs_stack_t *s, uint8_t *prefix_len, uint32_t *gateway) {
    int have = s && s->ip.state != SEQS_ADDR_NONE;
    if (prefix_len)
        *prefix_len = have ? s->ip.prefix : 0;
    if (gateway)
        *gateway = have ? s->ip.gateway : 0;
    return have ? s->ip.addr : 0;
}

/* RFC 5227 2.3: an announcement is a request with sender and target = our address. */
static void announce(seqs_stack_t *s) {
    if (seqs__arp_send(s, SEQS_ARP_OP_REQUEST, NULL, mac_zero, s->ip.addr, s->ip.addr) == SEQS_OK)
        SEQS_CNT(s, arp_tx_announce);
}

static void start_announcing(seqs_stack_t *s) {
    s->ip.sent = 0;
    if (s->flags & SEQS_CFG_NO_GRATUITOUS) {
        s->ip.state = SEQS_ADDR_BOUND;
        s->ip.timer = SEQS_NEVER;
    } else {
        s->ip.state = SEQS_ADDR_ANNOUNCING;
        s->ip.timer = s->now;   /* first announcement at the next output/poll */
    }
    seqs__apps_event(s, SEQS_APP_EV_ADDR);
}

static void drop_address_users(seqs_stack_t *s) {
    seqs__arp_flush(s);
    seqs__tcp_addr_changed(s);
}

int seqs_stack_set_addr(seqs_stack_t *s, uint32_t addr, uint8_t prefix_len, uint32_t gateway, unsigned flags) {
    if (!s || prefix_len < 1 || prefix_len > 32)
        return SEQS_ERR_INVAL;
    uint32_t mask = prefix_len == 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> prefix_len);
    if ((addr & 0xFF000000u) == 0 || seqs_ip4_is_limited_bcast(addr) || seqs_ip4_is_multicast(addr) ||
        seqs_ip4_is_loopback(addr) || (addr & 0xF0000000u) == 0xF0000000u)
        return SEQS_ERR_INVAL;
    if (prefix_len <= 30 && ((addr & ~mask) == 0 || (addr & ~mask) == ~mask))   /* network or broadcast */
        return SEQS_ERR_INVAL;
    if (gateway) {
        if ((gateway & mask) != (addr & mask) || gateway == addr)
            return SEQS_ERR_INVAL;
        if (prefix_len <= 30 && ((gateway & ~mask) == 0 || (gateway & ~mask) == ~mask))
            return SEQS_ERR_INVAL;
    }
    int was = s->ip.state != SEQS_ADDR_NONE && s->ip.addr != addr;
    s->ip.addr = addr;
    s->ip.mask = mask;
    s->ip.prefix = prefix_len;
    s->ip.gateway = gateway;
    s->ip.defended = 0;
    s->ip.sent = 0;
    if (was)   /* after the change: users of the old address are no longer local */
        drop_address_users(s);
    if (flags & SEQS_ADDR_PROBE) {
        /* RFC 5227 2.1.1: wait a random 0..PROBE_WAIT before the first probe. */
        s->ip.state = SEQS_ADDR_TENTATIVE;
        s->ip.timer = s->now + seqs__random_below(s, PROBE_WAIT_US);
        seqs__apps_event(s, SEQS_APP_EV_ADDR);
    } else {
        start_announcing(s);
    }
    return SEQS_OK;
}

void seqs_stack_clear_addr(seqs_stack_t *s) {
    if (!s || s->ip.state == SEQS_ADDR_NONE)
        return;
    memset(&s->ip, 0, sizeof s->ip);
    s->ip.state = SEQS_ADDR_NONE;
    s->ip.timer = SEQS_NEVER;
    drop_address_users(s);   /* after the clear, so TCP sees its address is gone */
    seqs__apps_event(s, SEQS_APP_EV_ADDR);
}

/* The address is given up: it stays visible (state CONFLICT) so the owner (a
 * DHCP client sending DECLINE, A11) can see why, but it is no longer used. */
static void give_up(seqs_stack_t *s) {
    int was_used = seqs__ip_addr_usable(s);
    s->ip.state = SEQS_ADDR_CONFLICT;
    s->ip.timer = SEQS_NEVER;
    seqs__apps_event(s, SEQS_APP_EV_ADDR);
    if (was_used)
        drop_address_users(s);
}

int seqs__acd_arp(seqs_stack_t *s, uint16_t op, uint32_t spa, uint32_t tpa) {
    uint32_t a = s->ip.addr;
    switch (s->ip.state) {
    case SEQS_ADDR_TENTATIVE:
        /* RFC 5227 2.1.1: while probing, any ARP with sender IP = the candidate
         * (reply or announcement), or another host's probe for it, is a conflict. */
        if (spa == a || (spa == 0 && tpa == a && op == SEQS_ARP_OP_REQUEST)) {
            SEQS_CNT(s, arp_conflict);
            give_up(s);
            return 1;
        }
        return 0;
    case SEQS_ADDR_ANNOUNCING:
    case SEQS_ADDR_BOUND:
        if (spa != a)
            return 0;
        /* RFC 5227 2.4 (b)/(c): defend once per DEFEND_INTERVAL with an
         * announcement; a second conflict inside it means we lose the address. */
        SEQS_CNT(s, arp_conflict);
        if (!s->ip.defended || s->now - s->ip.last_defend >= DEFEND_INTERVAL_US) {
            s->ip.defended = 1;
            s->ip.last_defend = s->now;
            announce(s);
        } else {
            give_up(s);
        }
        return 1;
    default:
        return 0;
    }
}

void seqs__acd_timers(seqs_stack_t *s) {
    if (s->ip.timer == SEQS_NEVER || s->now < s->ip.timer)
        return;
    if (s->ip.state == SEQS_ADDR_TENTATIVE) {
        if (s->ip.sent < PROBE_NUM) {
            /* RFC 5227 2.1.1 probe: sender IP 0.0.0.0, target IP = the candidate. */
            if (seqs__arp_send(s, SEQS_ARP_OP_REQUEST, NULL, mac_zero, 0, s->ip.addr) == SEQS_OK)
                SEQS_CNT(s, arp_tx_probe);
            s->ip.sent++;
            s->ip.timer = s->now + (s->ip.sent < PROBE_NUM
                                        ? PROBE_MIN_US + seqs__random_below(s, PROBE_MAX_US - PROBE_MIN_US + 1u)
                                        : ANNOUNCE_WAIT_US);
            return;
        }
        start_announcing(s);   /* ANNOUNCE_WAIT passed without conflict: the address is ours */
        if (s->ip.state == SEQS_ADDR_BOUND)
            return;
    }
    if (s->ip.state == SEQS_ADDR_ANNOUNCING) {
        announce(s);
        s->ip.sent++;
        if (s->ip.sent < ANNOUNCE_NUM) {
            s->ip.timer = s->now + ANNOUNCE_INTERVAL_US;
        } else {
            s->ip.state = SEQS_ADDR_BOUND;
            s->ip.timer = SEQS_NEVER;
            seqs__apps_event(s, SEQS_APP_EV_ADDR);
        }
    }
}

uint64_t seqs__acd_deadline(const seqs_stack_t *s) { return s->ip.timer; }
