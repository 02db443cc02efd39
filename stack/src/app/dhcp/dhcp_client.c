/* SPDX-License-Identifier: BSD-3-Clause */
/* dhcp_client.c — DHCPv4 client state machine (RFC 2131 figure 5), an app
 * driven by the stack's input/output/next_deadline through seqs/app.h.
 * One timer per state (c->timer): retransmission, T1, T2, expiry, the wait
 * after a DECLINE. Uses only the public API (UDP port 68, set/clear address,
 * the RFC 5227 probe result). */
#include <stddef.h>
#include <string.h>

#include "seqs/dhcp.h"
#include "seqs/wire/dhcp.h"
#include "seqs/wire/ipv4.h"

#include "../app_time.h"

#define US_PER_S 1000000ull
/* RFC 2131 4.1: retransmit after 4 s, doubling up to 64 s, randomized by ±1 s. */
#define BACKOFF_FIRST_S 4u
#define BACKOFF_MAX_S 64u
#define JITTER_US US_PER_S
/* REQUESTING / INIT-REBOOT give up after this many REQUESTs and go to INIT. */
#define REQUEST_TRIES 5u
#define REBOOT_TRIES 3u
/* RFC 2131 3.1 step 5: wait at least 10 s after a DECLINE before restarting. */
#define DECLINE_WAIT_US (10ull * US_PER_S)
/* RFC 2131 4.4.5: renew/rebind retransmissions no closer than 60 s. */
#define RENEW_MIN_US (60ull * US_PER_S)
/* Time a RELEASE gets to be resolved and sent before the address goes. */
#define RELEASE_LINGER_US (1ull * US_PER_S)
/* RFC 2131 2: a client must accept 576-byte datagrams; tell servers that (opt 57). */
#define MAX_MSG_SIZE 576u

enum { PENDING_RELEASE = 1, PENDING_DECLINE = 2 };

static const uint8_t param_list[] = {SEQS_DHCP_OPT_SUBNET_MASK, SEQS_DHCP_OPT_ROUTER, SEQS_DHCP_OPT_DNS,
                                     SEQS_DHCP_OPT_NTP,         SEQS_DHCP_OPT_LEASE_TIME, SEQS_DHCP_OPT_T1,
                                     SEQS_DHCP_OPT_T2};

static seqs_dhcp_client_t *client_of(seqs_app_t *app) {
    return (seqs_dhcp_client_t *)(void *)((uint8_t *)app - offsetof(seqs_dhcp_client_t, app));
}
static const seqs_dhcp_client_t *cclient_of(const seqs_app_t *app) {
    return (const seqs_dhcp_client_t *)(const void *)((const uint8_t *)app - offsetof(seqs_dhcp_client_t, app));
}

static void set_state(seqs_dhcp_client_t *c, seqs_dhcp_state_t st) {
    c->state = (uint8_t)st;
    c->changes++;
}

static int holds_lease(const seqs_dhcp_client_t *c) {
    return c->state == SEQS_DHCP_BOUND || c->state == SEQS_DHCP_RENEWING || c->state == SEQS_DHCP_REBINDING;
}

static int applies(const seqs_dhcp_client_t *c) { return !(c->flags & SEQS_DHCP_NO_APPLY); }

/* base << (tries - 1) seconds, at most 64, ±1 s uniformly (RFC 2131 4.1). */
static uint64_t backoff(seqs_stack_t *s, unsigned tries) {
    unsigned shift = tries ? tries - 1u : 0u;
    uint64_t base = (uint64_t)BACKOFF_FIRST_S << (shift > 4 ? 4 : shift);
    if (base > BACKOFF_MAX_S)
        base = BACKOFF_MAX_S;
    uint64_t j = seqs_stack_random(s) % (uint32_t)(2 * JITTER_US + 1);   /* 32-bit: no 64-bit divide */
    return base * US_PER_S - JITTER_US + j;
}

static uint32_t new_xid(seqs_stack_t *s) {
    uint32_t x;
    do
        x = seqs_stack_random(s);
    while (x == 0);
    return x;
}

/* The caller's xid serves the first exchange; every later one gets a fresh id. */
static void take_xid(seqs_stack_t *s, seqs_dhcp_client_t *c) {
    if (c->xid_used || !c->xid)
        c->xid = new_xid(s);
    c->xid_used = 1;
}

static int unicast_ok(uint32_t a) {
    return (a & 0xFF000000u) != 0 && !seqs_ip4_is_loopback(a) && !seqs_ip4_is_multicast(a) &&
           (a & 0xF0000000u) != 0xF0000000u;
}

/* --- sending ---------------------------------------------------------------- */

/* Builds and sends one message of `type` for the current state. */
static void send_msg(seqs_stack_t *s, seqs_dhcp_client_t *c, uint8_t type, uint64_t now) {
    uint64_t secs = seqs_app_us_to_s(now - c->exch_start, NULL);
    seqs_dhcp_hdr_t h = {.op = SEQS_DHCP_BOOTREQUEST, .xid = c->xid, .secs = (uint16_t)(secs > 0xFFFF ? 0xFFFF : secs)};
    /* RFC 2131 4.4.1: the REQUEST answering an OFFER repeats the DISCOVER's secs. */
    if (type == SEQS_DHCP_DISCOVER)
        c->disc_secs = h.secs;
    else if (type == SEQS_DHCP_REQUEST && c->state == SEQS_DHCP_REQUESTING)
        h.secs = c->disc_secs;
    memcpy(h.chaddr, c->mac, 6);
    uint32_t dst = 0xFFFFFFFFu;
    int renewing = c->state == SEQS_DHCP_RENEWING, rebinding = c->state == SEQS_DHCP_REBINDING;
    if ((type == SEQS_DHCP_REQUEST && (renewing || rebinding)) || type == SEQS_DHCP_RELEASE)
        h.ciaddr = c->lease.addr;   /* RFC 2131 table 5 */
    else if (type == SEQS_DHCP_DISCOVER || type == SEQS_DHCP_REQUEST)
        h.flags = SEQS_DHCP_FLAG_BROADCAST;   /* we cannot receive unicast before we have the address (4.1) */
    if ((type == SEQS_DHCP_REQUEST && renewing) || type == SEQS_DHCP_RELEASE)
        dst = c->lease.server_id ? c->lease.server_id : 0xFFFFFFFFu;   /* 4.4.5 / 4.4.6: unicast to the server */

    seqs_dhcp_builder_t b;
    seqs_dhcp_build_begin(&b, c->msg, sizeof c->msg, &h);
    seqs_dhcp_build_opt_u8(&b, SEQS_DHCP_OPT_MSG_TYPE, type);
    seqs_dhcp_build_opt(&b, SEQS_DHCP_OPT_CLIENT_ID, c->client_id, c->client_id_len);
    switch (type) {
    case SEQS_DHCP_DISCOVER:
        if (c->requested)
            seqs_dhcp_build_opt_u32(&b, SEQS_DHCP_OPT_REQUESTED_ADDR, c->requested);
        break;
    case SEQS_DHCP_REQUEST:
        if (c->state == SEQS_DHCP_REQUESTING) {   /* table 5: SELECTING: 50 and 54 */
            seqs_dhcp_build_opt_u32(&b, SEQS_DHCP_OPT_REQUESTED_ADDR, c->offer_addr);
            seqs_dhcp_build_opt_u32(&b, SEQS_DHCP_OPT_SERVER_ID, c->offer_server);
        } else if (c->state == SEQS_DHCP_INIT_REBOOT) {   /* INIT-REBOOT: 50, no 54 */
            seqs_dhcp_build_opt_u32(&b, SEQS_DHCP_OPT_REQUESTED_ADDR, c->requested);
        }   /* RENEWING/REBINDING: ciaddr, neither 50 nor 54 */
        break;
    case SEQS_DHCP_DECLINE:   /* table 5: 50 and 54, ciaddr 0 */
        seqs_dhcp_build_opt_u32(&b, SEQS_DHCP_OPT_REQUESTED_ADDR, c->lease.addr);
        seqs_dhcp_build_opt_u32(&b, SEQS_DHCP_OPT_SERVER_ID, c->lease.server_id);
        break;
    case SEQS_DHCP_RELEASE:
        seqs_dhcp_build_opt_u32(&b, SEQS_DHCP_OPT_SERVER_ID, c->lease.server_id);
        break;
    default:
        break;
    }
    if (type == SEQS_DHCP_DISCOVER || type == SEQS_DHCP_REQUEST) {
        if (c->hostname_len)
            seqs_dhcp_build_opt(&b, SEQS_DHCP_OPT_HOSTNAME, c->hostname, c->hostname_len);
        seqs_dhcp_build_opt_u16(&b, SEQS_DHCP_OPT_MAX_MSG_SIZE, MAX_MSG_SIZE);
        seqs_dhcp_build_opt(&b, SEQS_DHCP_OPT_PARAM_LIST, param_list, sizeof param_list);
    }
    int n = seqs_dhcp_build_end(&b);
    if (n < 0 || seqs_udp_sendto(s, c->sock, c->msg, (size_t)n, dst, SEQS_DHCP_SERVER_PORT) < 0) {
        c->cnt.tx_fail++;
        return;
    }
    switch (type) {
    case SEQS_DHCP_DISCOVER: c->cnt.tx_discover++; break;
    case SEQS_DHCP_REQUEST: c->cnt.tx_request++; break;
    case SEQS_DHCP_DECLINE: c->cnt.tx_decline++; break;
    default: c->cnt.tx_release++; break;
    }
}

/* --- state changes ------------------------------------------------------------ */

/* INIT: the DISCOVER goes out when c->timer comes (now, or after a wait). */
static void to_init(seqs_dhcp_client_t *c, uint64_t at) {
    set_state(c, SEQS_DHCP_INIT);
    c->timer = at;
    c->tries = 0;
    c->offer_addr = c->offer_server = 0;
}

static void drop_address(seqs_stack_t *s, seqs_dhcp_client_t *c) {
    /* Only our own lease: never clear an address the user set meanwhile. */
    if (applies(c) && c->lease.addr && seqs_stack_addr(s, NULL, NULL) == c->lease.addr)
        seqs_stack_clear_addr(s);
}

static void start_selecting(seqs_stack_t *s, seqs_dhcp_client_t *c, uint64_t now) {
    take_xid(s, c);
    c->exch_start = now;
    set_state(c, SEQS_DHCP_SELECTING);
    c->tries = 1;
    send_msg(s, c, SEQS_DHCP_DISCOVER, now);
    c->timer = now + backoff(s, c->tries);
}

/* RFC 2131 3.1 step 5 / RFC 5227: the address is in use elsewhere. */
static void decline(seqs_stack_t *s, seqs_dhcp_client_t *c, uint64_t now) {
    c->cnt.conflicts++;
    c->requested = 0;   /* never hint the address in use again */
    send_msg(s, c, SEQS_DHCP_DECLINE, now);
    drop_address(s, c);
    memset(&c->lease, 0, sizeof c->lease);
    to_init(c, now + DECLINE_WAIT_US);
}

static void enter_bound(seqs_dhcp_client_t *c) {
    set_state(c, SEQS_DHCP_BOUND);
    c->nak_streak = 0;
    c->tries = 0;
    c->requested = c->lease.addr;   /* a later INIT asks for it again (option 50 hint) */
    c->timer = c->t1_at;
}

static void expire(seqs_stack_t *s, seqs_dhcp_client_t *c, uint64_t now) {
    /* RFC 2131 4.4.5: at expiry the client stops using the address and restarts. */
    c->cnt.expired++;
    drop_address(s, c);
    memset(&c->lease, 0, sizeof c->lease);
    to_init(c, now);
}

/* --- receiving ----------------------------------------------------------------- */

static uint8_t prefix_of(uint32_t mask, int *ok) {
    uint8_t n = 0;
    while (n < 32 && (mask & (0x80000000u >> n)))
        n++;
    *ok = n > 0 && (n == 32 || (mask << n) == 0);   /* contiguous ones (RFC 950) */
    return n;
}

/* Reads an ACK into *l. 0 when the lease is unusable. */
static int parse_lease(const seqs_dhcp_view_t *v, uint64_t start, seqs_dhcp_lease_t *l) {
    memset(l, 0, sizeof *l);
    l->addr = seqs_dhcp_yiaddr(v);
    if (!unicast_ok(l->addr) || !seqs_dhcp_opt_u32(v, SEQS_DHCP_OPT_LEASE_TIME, &l->lease_s) ||
        !seqs_dhcp_opt_u32(v, SEQS_DHCP_OPT_SERVER_ID, &l->server_id))
        return 0;
    uint32_t mask;
    if (seqs_dhcp_opt_u32(v, SEQS_DHCP_OPT_SUBNET_MASK, &mask)) {
        int ok;
        l->prefix_len = prefix_of(mask, &ok);
        if (!ok)
            return 0;
    } else {   /* RFC 2131 does not require option 1: the classful default */
        l->prefix_len = (l->addr >> 31) == 0 ? 8 : (l->addr >> 30) == 2 ? 16 : 24;
    }
    if (l->prefix_len <= 30) {
        uint32_t host = l->addr & (0xFFFFFFFFu >> l->prefix_len);
        if (host == 0 || host == (0xFFFFFFFFu >> l->prefix_len))
            return 0;   /* the subnet's network or broadcast address */
    }
    uint32_t r[1];
    if (seqs_dhcp_opt_addrs(v, SEQS_DHCP_OPT_ROUTER, r, 1))
        l->router = r[0];
    l->dns_count = (uint8_t)seqs_dhcp_opt_addrs(v, SEQS_DHCP_OPT_DNS, l->dns, SEQS_DHCP_MAX_DNS);
    l->ntp_count = (uint8_t)seqs_dhcp_opt_addrs(v, SEQS_DHCP_OPT_NTP, l->ntp, SEQS_DHCP_MAX_NTP);
    /* RFC 2131 4.4.5: T1 defaults to 0.5, T2 to 0.875 of the lease; keep T1 < T2 < lease. */
    uint32_t t1 = 0, t2 = 0;
    int has1 = seqs_dhcp_opt_u32(v, SEQS_DHCP_OPT_T1, &t1), has2 = seqs_dhcp_opt_u32(v, SEQS_DHCP_OPT_T2, &t2);
    if (l->lease_s == SEQS_DHCP_INFINITE) {
        l->t1_s = l->t2_s = SEQS_DHCP_INFINITE;
    } else {
        if (!has2 || t2 >= l->lease_s)
            t2 = (uint32_t)((uint64_t)l->lease_s * 7 / 8);
        if (!has1 || t1 >= t2)
            t1 = l->lease_s / 2 < t2 ? l->lease_s / 2 : t2;
        l->t1_s = t1;
        l->t2_s = t2;
    }
    l->start_us = start;
    return 1;
}

static void set_lease_timers(seqs_dhcp_client_t *c) {
    const seqs_dhcp_lease_t *l = &c->lease;
    if (l->lease_s == SEQS_DHCP_INFINITE) {   /* RFC 2131 3.3: never renew */
        c->t1_at = c->t2_at = c->expire_at = SEQS_NEVER;
        return;
    }
    c->t1_at = l->start_us + (uint64_t)l->t1_s * US_PER_S;
    c->t2_at = l->start_us + (uint64_t)l->t2_s * US_PER_S;
    c->expire_at = l->start_us + (uint64_t)l->lease_s * US_PER_S;
}

/* The router we hand the stack: only an on-link one (the stack rejects others). */
static uint32_t onlink_router(const seqs_dhcp_lease_t *l) {
    uint32_t mask = l->prefix_len >= 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> l->prefix_len);
    if (!l->router || l->router == l->addr || (l->router & mask) != (l->addr & mask))
        return 0;
    if (l->prefix_len <= 30 && ((l->router & ~mask) == 0 || (l->router & ~mask) == ~mask))
        return 0;
    return l->router;
}

static void on_ack(seqs_stack_t *s, seqs_dhcp_client_t *c, const seqs_dhcp_view_t *v, uint64_t now) {
    seqs_dhcp_lease_t l;
    if (!parse_lease(v, c->req_first, &l)) {
        c->cnt.drop_bad_lease++;
        return;
    }
    c->cnt.rx_ack++;
    int had = holds_lease(c);
    uint32_t old_addr = c->lease.addr;
    uint8_t old_prefix = c->lease.prefix_len;
    uint32_t old_router = onlink_router(&c->lease);
    c->lease = l;
    set_lease_timers(c);
    if (!applies(c)) {
        enter_bound(c);
        return;
    }
    if (had && old_addr == l.addr) {
        /* Renewed (D8/D9): the address stays; only changed parameters are re-applied. */
        if (old_prefix != l.prefix_len || old_router != onlink_router(&l))
            seqs_stack_set_addr(s, l.addr, l.prefix_len, onlink_router(&l), 0);
        enter_bound(c);
        return;
    }
    /* A new address: probe it before use (D5, RFC 5227 2.1). */
    if (seqs_stack_set_addr(s, l.addr, l.prefix_len, onlink_router(&l), SEQS_ADDR_PROBE) != SEQS_OK) {
        c->cnt.drop_bad_lease++;
        memset(&c->lease, 0, sizeof c->lease);
        to_init(c, now);
        return;
    }
    set_state(c, SEQS_DHCP_PROBING);
    c->timer = c->expire_at;   /* the probe ends by itself; expiry is the backstop */
}

static void on_nak(seqs_stack_t *s, seqs_dhcp_client_t *c, uint64_t now) {
    c->cnt.rx_nak++;
    /* D6/D11: back to INIT; D8/D9: a NAK while renewing ends the lease at once. */
    if (holds_lease(c))
        drop_address(s, c);
    memset(&c->lease, 0, sizeof c->lease);
    c->requested = 0;   /* the server refused it: do not hint it again */
    /* Restart at once the first time; back off if the server keeps refusing. */
    uint64_t wait = c->nak_streak ? backoff(s, c->nak_streak) : 0;
    if (c->nak_streak < 5)
        c->nak_streak++;
    to_init(c, now + wait);
}

static void on_offer(seqs_stack_t *s, seqs_dhcp_client_t *c, const seqs_dhcp_view_t *v, uint64_t now) {
    uint32_t yi = seqs_dhcp_yiaddr(v), sid;
    if (!unicast_ok(yi) || !seqs_dhcp_opt_u32(v, SEQS_DHCP_OPT_SERVER_ID, &sid) || !unicast_ok(sid)) {
        c->cnt.drop_bad_lease++;
        return;
    }
    /* RFC 2131 4.4.1: we take the first acceptable offer. */
    c->cnt.rx_offer++;
    c->offer_addr = yi;
    c->offer_server = sid;
    set_state(c, SEQS_DHCP_REQUESTING);
    c->tries = 1;
    c->req_first = now;
    send_msg(s, c, SEQS_DHCP_REQUEST, now);
    c->timer = now + backoff(s, c->tries);
}

static void on_message(seqs_stack_t *s, seqs_dhcp_client_t *c, size_t n, uint64_t now) {
    seqs_dhcp_view_t v;
    switch (seqs_dhcp_view_init(&v, c->msg, n)) {
    case SEQS_DHCP_OK: break;
    case SEQS_DHCP_TRUNCATED: c->cnt.drop_truncated++; return;
    case SEQS_DHCP_BAD_OP: c->cnt.drop_bad_op++; return;
    case SEQS_DHCP_BAD_HW: c->cnt.drop_bad_hw++; return;
    case SEQS_DHCP_BAD_COOKIE: c->cnt.drop_bad_cookie++; return;
    case SEQS_DHCP_BAD_OPTIONS: c->cnt.drop_bad_options++; return;
    default: c->cnt.drop_no_type++; return;
    }
    /* D7, RFC 2131 4.4.1: only replies to our transaction and our hardware address. */
    if (seqs_dhcp_op(&v) != SEQS_DHCP_BOOTREPLY) {
        c->cnt.drop_bad_op++;
        return;
    }
    if (seqs_dhcp_xid(&v) != c->xid) {
        c->cnt.drop_xid++;
        return;
    }
    if (memcmp(seqs_dhcp_chaddr(&v), c->mac, 6) != 0) {
        c->cnt.drop_chaddr++;
        return;
    }
    uint8_t type = seqs_dhcp_msg_type(&v);
    uint32_t sid = 0;
    seqs_dhcp_opt_u32(&v, SEQS_DHCP_OPT_SERVER_ID, &sid);
    switch (c->state) {
    case SEQS_DHCP_SELECTING:
        if (type == SEQS_DHCP_OFFER) {
            on_offer(s, c, &v, now);
            return;
        }
        break;
    case SEQS_DHCP_REQUESTING:
        if (type == SEQS_DHCP_ACK || type == SEQS_DHCP_NAK) {
            if (sid != c->offer_server) {   /* D3: only the server we chose */
                c->cnt.drop_other_server++;
                return;
            }
            if (type == SEQS_DHCP_ACK && seqs_dhcp_yiaddr(&v) != c->offer_addr) {
                c->cnt.drop_bad_lease++;
                return;
            }
            type == SEQS_DHCP_ACK ? on_ack(s, c, &v, now) : on_nak(s, c, now);
            return;
        }
        break;
    case SEQS_DHCP_INIT_REBOOT:
        if (type == SEQS_DHCP_ACK || type == SEQS_DHCP_NAK) {
            if (type == SEQS_DHCP_ACK && seqs_dhcp_yiaddr(&v) != c->requested) {
                c->cnt.drop_bad_lease++;
                return;
            }
            type == SEQS_DHCP_ACK ? on_ack(s, c, &v, now) : on_nak(s, c, now);
            return;
        }
        break;
    case SEQS_DHCP_RENEWING:
    case SEQS_DHCP_REBINDING:   /* D9: any server's answer counts while rebinding */
        if (type == SEQS_DHCP_ACK || type == SEQS_DHCP_NAK) {
            if (c->state == SEQS_DHCP_RENEWING && sid && sid != c->lease.server_id) {
                c->cnt.drop_other_server++;
                return;
            }
            type == SEQS_DHCP_ACK ? on_ack(s, c, &v, now) : on_nak(s, c, now);
            return;
        }
        break;
    default:
        break;
    }
    c->cnt.drop_unexpected++;
}

/* --- timers -------------------------------------------------------------------- */

static void on_timer(seqs_stack_t *s, seqs_dhcp_client_t *c, uint64_t now) {
    switch (c->state) {
    case SEQS_DHCP_INIT:
        if (c->flags & SEQS_DHCP_REBOOT) {   /* RFC 2131 3.2: INIT-REBOOT first */
            c->flags &= (uint8_t)~SEQS_DHCP_REBOOT;
            take_xid(s, c);
            c->exch_start = c->req_first = now;
            set_state(c, SEQS_DHCP_INIT_REBOOT);
            c->tries = 1;
            send_msg(s, c, SEQS_DHCP_REQUEST, now);
            c->timer = now + backoff(s, c->tries);
            return;
        }
        start_selecting(s, c, now);
        return;
    case SEQS_DHCP_SELECTING:   /* D2: retransmit for ever, backing off to 64 s */
        c->tries = (uint8_t)(c->tries < 250 ? c->tries + 1 : c->tries);
        c->cnt.retransmit++;
        send_msg(s, c, SEQS_DHCP_DISCOVER, now);
        c->timer = now + backoff(s, c->tries);
        return;
    case SEQS_DHCP_REQUESTING:
    case SEQS_DHCP_INIT_REBOOT:
        if (c->tries >= (c->state == SEQS_DHCP_REQUESTING ? REQUEST_TRIES : REBOOT_TRIES)) {
            if (c->state == SEQS_DHCP_INIT_REBOOT)
                c->requested = 0;
            to_init(c, now);
            on_timer(s, c, now);
            return;
        }
        c->tries++;
        c->cnt.retransmit++;
        send_msg(s, c, SEQS_DHCP_REQUEST, now);
        c->timer = now + backoff(s, c->tries);
        return;
    case SEQS_DHCP_PROBING:   /* the lease ran out while probing */
        expire(s, c, now);
        start_selecting(s, c, now);
        return;
    case SEQS_DHCP_BOUND:   /* T1 (D8) */
    case SEQS_DHCP_RENEWING:
    case SEQS_DHCP_REBINDING:
        if (now >= c->expire_at) {   /* D9 */
            expire(s, c, now);
            start_selecting(s, c, now);
            return;
        }
        if (now >= c->t2_at && c->state != SEQS_DHCP_REBINDING) {
            set_state(c, SEQS_DHCP_REBINDING);
            c->xid = new_xid(s);
            c->exch_start = c->req_first = now;
        } else if (c->state == SEQS_DHCP_BOUND) {
            set_state(c, SEQS_DHCP_RENEWING);
            c->xid = new_xid(s);
            c->exch_start = c->req_first = now;
        } else {
            c->cnt.retransmit++;
        }
        send_msg(s, c, SEQS_DHCP_REQUEST, now);
        /* RFC 2131 4.4.5: wait half the time left to T2 (renewing) or to
         * expiry (rebinding), at least 60 s, never past that limit. */
        uint64_t limit = c->state == SEQS_DHCP_RENEWING ? c->t2_at : c->expire_at;
        uint64_t wait = (limit - now) / 2;
        if (wait < RENEW_MIN_US)
            wait = RENEW_MIN_US;
        c->timer = now + wait < limit ? now + wait : limit;
        return;
    case SEQS_DHCP_STOPPED:
    default:
        c->timer = SEQS_NEVER;
        return;
    }
}

/* After a RELEASE the client lingers in STOPPED until c->timer: then the address goes. */
static void finish_release(seqs_stack_t *s, seqs_dhcp_client_t *c) {
    drop_address(s, c);
    memset(&c->lease, 0, sizeof c->lease);
    seqs_dhcp_client_stop(s, c);
}

/* Work the API asked for, done here because only poll knows the time. */
static void run_pending(seqs_stack_t *s, seqs_dhcp_client_t *c, uint64_t now) {
    uint8_t p = c->pending;
    c->pending = 0;
    if (p == PENDING_RELEASE) {
        c->xid = new_xid(s);
        c->exch_start = now;
        send_msg(s, c, SEQS_DHCP_RELEASE, now);
        c->requested = 0;
        c->timer = now + RELEASE_LINGER_US;
    } else if (p == PENDING_DECLINE && (holds_lease(c) || c->state == SEQS_DHCP_PROBING)) {
        c->requested = 0;
        decline(s, c, now);
    }
}

/* The stack's address changed (our probe ended, a conflict, or someone else). */
static void check_address(seqs_stack_t *s, seqs_dhcp_client_t *c, uint64_t now) {
    if (!applies(c) || (c->state != SEQS_DHCP_PROBING && !holds_lease(c)))
        return;
    seqs_addr_state_t st = seqs_stack_addr_state(s);
    uint32_t a = seqs_stack_addr(s, NULL, NULL);
    if (a != c->lease.addr || st == SEQS_ADDR_NONE) {
        c->cnt.addr_lost++;
        memset(&c->lease, 0, sizeof c->lease);
        to_init(c, now);
        return;
    }
    if (st == SEQS_ADDR_CONFLICT) {   /* D5: probe hit, or a defence failed while bound */
        decline(s, c, now);
        return;
    }
    if (c->state == SEQS_DHCP_PROBING && (st == SEQS_ADDR_ANNOUNCING || st == SEQS_ADDR_BOUND))
        enter_bound(c);
}

static void client_poll(seqs_stack_t *s, seqs_app_t *app, uint64_t now) {
    seqs_dhcp_client_t *c = client_of(app);
    if (c->pending)
        run_pending(s, c, now);
    if (c->state == SEQS_DHCP_STOPPED) {
        if (c->timer <= now)
            finish_release(s, c);
        return;
    }
    check_address(s, c, now);
    seqs_udp_meta_t m;
    int n;
    while ((n = seqs_udp_recvfrom(s, c->sock, c->msg, sizeof c->msg, &m)) >= 0) {
        c->cnt.rx++;
        if (m.truncated) {
            c->cnt.drop_truncated++;
            continue;
        }
        on_message(s, c, (size_t)n, now);
        if (c->state == SEQS_DHCP_STOPPED)
            return;
    }
    if (c->timer <= now)
        on_timer(s, c, now);
}

static uint64_t client_deadline(const seqs_stack_t *s, const seqs_app_t *app) {
    (void)s;
    return cclient_of(app)->timer;
}

static const seqs_app_ops_t client_ops = {client_poll, client_deadline, NULL};

/* --- API ------------------------------------------------------------------------- */

int seqs_dhcp_client_begin(seqs_stack_t *s, seqs_dhcp_client_t *c, const seqs_dhcp_request_t *req) {
    static const seqs_dhcp_request_t defaults = {0, 0, NULL, NULL, 0, 0};
    if (!s || !c)
        return SEQS_ERR_INVAL;
    if (!req)
        req = &defaults;
    size_t hl = req->hostname ? strlen(req->hostname) : 0;
    if (req->hostname && (hl == 0 || hl > SEQS_DHCP_HOSTNAME_MAX))
        return SEQS_ERR_INVAL;
    if (req->client_id && (req->client_id_len < 2 || req->client_id_len > SEQS_DHCP_CLIENT_ID_MAX))
        return SEQS_ERR_INVAL;
    if (req->flags & ~(unsigned)(SEQS_DHCP_REBOOT | SEQS_DHCP_NO_APPLY))
        return SEQS_ERR_INVAL;
    if (req->requested_addr && !unicast_ok(req->requested_addr))
        return SEQS_ERR_INVAL;
    if ((req->flags & SEQS_DHCP_REBOOT) && !req->requested_addr)
        return SEQS_ERR_INVAL;
    /* attach first: it refuses (without touching c) when c is already on s's list. */
    int r = seqs_app_attach(s, &c->app, &client_ops);
    if (r != SEQS_OK)
        return r;
    seqs_app_t app = c->app;
    memset(c, 0, sizeof *c);
    c->app = app;
    r = seqs_udp_open(s, &c->sock, c->rx, sizeof c->rx);
    if (r == SEQS_OK) {
        r = seqs_udp_bind(s, c->sock, 0, SEQS_DHCP_CLIENT_PORT);
        if (r != SEQS_OK)
            seqs_udp_close(s, c->sock);
    }
    if (r != SEQS_OK) {
        seqs_app_detach(s, &c->app);
        c->sock = 0;
        return r;
    }
    memcpy(c->mac, seqs_stack_mac(s), 6);
    if (req->hostname) {
        memcpy(c->hostname, req->hostname, hl);
        c->hostname_len = (uint8_t)hl;
    }
    if (req->client_id) {
        memcpy(c->client_id, req->client_id, req->client_id_len);
        c->client_id_len = req->client_id_len;
    } else {   /* RFC 2132 9.14: type 1 (Ethernet) + MAC */
        c->client_id[0] = 1;
        memcpy(c->client_id + 1, c->mac, 6);
        c->client_id_len = 7;
    }
    c->flags = (uint8_t)req->flags;
    c->requested = req->requested_addr;
    c->xid = req->xid;
    c->t1_at = c->t2_at = c->expire_at = SEQS_NEVER;
    set_state(c, SEQS_DHCP_INIT);
    c->timer = 0;   /* first message at the next output/poll */
    seqs_app_kick(&c->app);
    return SEQS_OK;
}

int seqs_dhcp_client_stop(seqs_stack_t *s, seqs_dhcp_client_t *c) {
    if (!s || !c || seqs_app_stack(&c->app) != s)
        return SEQS_ERR_INVAL;
    seqs_udp_close(s, c->sock);
    c->sock = 0;
    seqs_app_detach(s, &c->app);
    if (c->state != SEQS_DHCP_STOPPED)
        set_state(c, SEQS_DHCP_STOPPED);
    c->timer = SEQS_NEVER;
    return SEQS_OK;
}

int seqs_dhcp_client_release(seqs_stack_t *s, seqs_dhcp_client_t *c) {
    if (!s || !c || seqs_app_stack(&c->app) != s)
        return SEQS_ERR_INVAL;
    if (!holds_lease(c) || c->pending)
        return SEQS_ERR_STATE;
    c->pending = PENDING_RELEASE;   /* sent by the next poll, which knows the time */
    set_state(c, SEQS_DHCP_STOPPED);   /* the lease is given up now; c->lease stays for the RELEASE */
    c->timer = SEQS_NEVER;
    seqs_app_kick(&c->app);
    return SEQS_OK;
}

int seqs_dhcp_client_decline(seqs_stack_t *s, seqs_dhcp_client_t *c) {
    if (!s || !c || seqs_app_stack(&c->app) != s)
        return SEQS_ERR_INVAL;
    if ((!holds_lease(c) && c->state != SEQS_DHCP_PROBING) || c->pending)
        return SEQS_ERR_STATE;
    c->pending = PENDING_DECLINE;
    seqs_app_kick(&c->app);
    return SEQS_OK;
}

int seqs_dhcp_client_done(const seqs_dhcp_client_t *c) { return c && holds_lease(c); }

uint32_t seqs_dhcp_client_offer(const seqs_dhcp_client_t *c) {
    if (!c)
        return 0;
    return holds_lease(c) ? c->lease.addr : c->offer_addr;
}

const seqs_dhcp_lease_t *seqs_dhcp_client_lease(const seqs_dhcp_client_t *c) {
    return c && holds_lease(c) ? &c->lease : NULL;
}

seqs_dhcp_state_t seqs_dhcp_client_state(const seqs_dhcp_client_t *c) {
    return c ? (seqs_dhcp_state_t)c->state : SEQS_DHCP_STOPPED;
}

const char *seqs_dhcp_state_name(seqs_dhcp_state_t st) {
    switch (st) {
    case SEQS_DHCP_STOPPED: return "stopped";
    case SEQS_DHCP_INIT: return "init";
    case SEQS_DHCP_SELECTING: return "selecting";
    case SEQS_DHCP_REQUESTING: return "requesting";
    case SEQS_DHCP_PROBING: return "probing";
    case SEQS_DHCP_BOUND: return "bound";
    case SEQS_DHCP_RENEWING: return "renewing";
    case SEQS_DHCP_REBINDING: return "rebinding";
    case SEQS_DHCP_INIT_REBOOT: return "init-reboot";
    }
    return "unknown";
}

uint32_t seqs_dhcp_client_changes(const seqs_dhcp_client_t *c) { return c ? c->changes : 0; }

const seqs_dhcp_client_counters_t *seqs_dhcp_client_counters(const seqs_dhcp_client_t *c) {
    return c ? &c->cnt : NULL;
}

static const char *const counter_names[] = {
#define SEQS_X_NAME(name) #name,
    SEQS_DHCP_CLIENT_COUNTERS(SEQS_X_NAME)
#undef SEQS_X_NAME
};

const char *seqs_dhcp_client_counter_name(unsigned i) {
    return i < SEQS_DHCP_CLIENT_COUNTER_COUNT ? counter_names[i] : NULL;
}

uint32_t seqs_dhcp_client_counter_value(const seqs_dhcp_client_t *c, unsigned i) {
    uint32_t v = 0;
    if (c && i < SEQS_DHCP_CLIENT_COUNTER_COUNT)
        memcpy(&v, (const uint8_t *)&c->cnt + i * sizeof(uint32_t), sizeof v);
    return v;
}
