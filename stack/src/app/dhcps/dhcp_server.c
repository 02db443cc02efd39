/* SPDX-License-Identifier: BSD-3-Clause */
/* dhcp_server.c — DHCPv4 server (RFC 2131 4.3, RFC 2132) as a seqs application.
 *
 * Requests are read from the port-67 socket into srv->msg, checked and read
 * through the DHCP wire view (seqs/wire/dhcp.h) into a dhcps_req_t, handled
 * against the lease table, and answered with a reply built in place in the same
 * buffer. Table invariants: one entry per address, and one client per entry
 * (an entry that is not FREE/DECLINED belongs to exactly one client key), so
 * two clients can never be handed one address. */
#include <string.h>

#include "seqs/seqs.h"
#include "seqs/dhcp_server.h"
#include "seqs/wire/dhcp.h"

#define US_PER_S 1000000ull
#define PORT_SERVER SEQS_DHCP_SERVER_PORT
#define PORT_CLIENT SEQS_DHCP_CLIENT_PORT
#define LIMITED_BCAST 0xFFFFFFFFu

/* seqs_dhcps_lease_t.flags */
#define LF_HAD_LEASE 0x01        /* an offer made from the client's old binding: a lapse goes back to EXPIRED */
#define LF_ID_FOLDED 0x02        /* id holds a folded long client id (prefix + hash) */

typedef struct dhcps_req {
    uint8_t type;
    uint16_t flags;
    uint32_t xid, ciaddr, giaddr;
    uint8_t chaddr[16];
    uint32_t reqaddr, server_id;
    uint8_t has_reqaddr, has_server_id;
    uint8_t id_len, id_folded;          /* key: option 61 (folded if long), or 0 = chaddr */
    uint8_t id[SEQS_DHCPS_CLIENT_ID_MAX];
    size_t id_raw_len;                  /* option 61 as received is in srv->cid (for the echo) */
    uint8_t has_id;
    uint8_t broadcast_dst;              /* the request came to a broadcast address (REBINDING vs RENEWING) */
} dhcps_req_t;

static seqs_dhcp_server_t *from_app(seqs_app_t *app) {
    return (seqs_dhcp_server_t *)(void *)((uint8_t *)app - offsetof(seqs_dhcp_server_t, app));
}
static const seqs_dhcp_server_t *from_capp(const seqs_app_t *app) {
    return (const seqs_dhcp_server_t *)(const void *)((const uint8_t *)app - offsetof(seqs_dhcp_server_t, app));
}

static uint32_t prefix_mask(uint8_t p) { return p == 0 ? 0 : (uint32_t)(0xFFFFFFFFu << (32u - p)); }

/* --- configuration ------------------------------------------------------------------- */

static int in_pool(const seqs_dhcp_server_config_t *c, uint32_t a) { return a >= c->pool_first && a <= c->pool_last; }

static int host_in_subnet(uint32_t a, uint32_t net, uint32_t mask) {
    return (a & mask) == net && a != net && a != (net | ~mask);
}

seqs_dhcps_cfg_err_t seqs_dhcp_server_check(const seqs_stack_t *s, const seqs_dhcp_server_config_t *cfg) {
    uint8_t sp = 0;
    uint32_t self = seqs_stack_addr(s, &sp, NULL);
    if (!self || seqs_stack_addr_state(s) == SEQS_ADDR_TENTATIVE || seqs_stack_addr_state(s) == SEQS_ADDR_CONFLICT)
        return SEQS_DHCPS_CFG_NO_ADDR;
    uint8_t p = cfg->prefix_len ? cfg->prefix_len : sp;
    if (p < 1 || p > 30)
        return SEQS_DHCPS_CFG_PREFIX;
    uint32_t mask = prefix_mask(p), net = self & mask;
    if (!cfg->pool_first || cfg->pool_first > cfg->pool_last)
        return SEQS_DHCPS_CFG_POOL_ORDER;
    if (!cfg->table || !cfg->table_len)
        return SEQS_DHCPS_CFG_NO_TABLE;
    if (!host_in_subnet(cfg->pool_first, net, mask) || !host_in_subnet(cfg->pool_last, net, mask))
        return SEQS_DHCPS_CFG_POOL_SUBNET;
    if (in_pool(cfg, self))
        return SEQS_DHCPS_CFG_POOL_HAS_SERVER;
    if (cfg->lease_s == 0)
        return SEQS_DHCPS_CFG_LEASE_ZERO;
    if (cfg->dns_count > SEQS_DHCPS_MAX_DNS)
        return SEQS_DHCPS_CFG_DNS_COUNT;
    if (cfg->router && !host_in_subnet(cfg->router, net, mask))
        return SEQS_DHCPS_CFG_ROUTER_SUBNET;
    if (cfg->reservation_count && !cfg->reservations)
        return SEQS_DHCPS_CFG_RESERVATIONS_NULL;
    uint64_t need = (uint64_t)cfg->pool_last - cfg->pool_first + 1u;
    for (size_t i = 0; i < cfg->reservation_count; i++) {
        const seqs_dhcp_reservation_t *r = &cfg->reservations[i];
        if (!host_in_subnet(r->addr, net, mask) || r->addr == self)
            return SEQS_DHCPS_CFG_RESERVATION_SUBNET;
        for (size_t j = 0; j < i; j++)
            if (cfg->reservations[j].addr == r->addr || !memcmp(cfg->reservations[j].mac, r->mac, 6))
                return SEQS_DHCPS_CFG_RESERVATION_DUP;
        if (!in_pool(cfg, r->addr))
            need++;
    }
    if ((uint64_t)cfg->table_len < need)
        return SEQS_DHCPS_CFG_TABLE_SMALL;
    return SEQS_DHCPS_CFG_OK;
}

const char *seqs_dhcp_server_cfg_strerror(int code) {
    switch (code) {
    case SEQS_DHCPS_CFG_OK: return "ok";
    case SEQS_DHCPS_CFG_NO_ADDR: return "the stack has no usable address (it is the server identifier)";
    case SEQS_DHCPS_CFG_PREFIX: return "prefix length must be 1..30";
    case SEQS_DHCPS_CFG_POOL_ORDER: return "pool first address is 0 or after the last";
    case SEQS_DHCPS_CFG_POOL_SUBNET: return "pool is not inside the subnet (or holds its network/broadcast address)";
    case SEQS_DHCPS_CFG_POOL_HAS_SERVER: return "pool contains the server's own address";
    case SEQS_DHCPS_CFG_TABLE_SMALL: return "lease table smaller than the pool plus reservations outside it";
    case SEQS_DHCPS_CFG_NO_TABLE: return "no lease table (NULL or 0 entries)";
    case SEQS_DHCPS_CFG_LEASE_ZERO: return "lease time is 0";
    case SEQS_DHCPS_CFG_RESERVATION_SUBNET: return "a reservation is outside the subnet or is the server's address";
    case SEQS_DHCPS_CFG_RESERVATION_DUP: return "two reservations name one MAC or one address";
    case SEQS_DHCPS_CFG_DNS_COUNT: return "more DNS servers than SEQS_DHCPS_MAX_DNS";
    case SEQS_DHCPS_CFG_ROUTER_SUBNET: return "router is outside the subnet";
    case SEQS_DHCPS_CFG_RESERVATIONS_NULL: return "reservation_count > 0 with no reservation array";
    default: return "unknown DHCP server configuration error";
    }
}

/* --- table --------------------------------------------------------------------------- */

static const seqs_dhcp_reservation_t *reservation_for_mac(const seqs_dhcp_server_t *srv, const uint8_t *mac) {
    for (size_t i = 0; i < srv->cfg.reservation_count; i++)
        if (!memcmp(srv->cfg.reservations[i].mac, mac, 6))
            return &srv->cfg.reservations[i];
    return NULL;
}

static const seqs_dhcp_reservation_t *reservation_for_addr(const seqs_dhcp_server_t *srv, uint32_t a) {
    for (size_t i = 0; i < srv->cfg.reservation_count; i++)
        if (srv->cfg.reservations[i].addr == a)
            return &srv->cfg.reservations[i];
    return NULL;
}

static seqs_dhcps_lease_t *entry_for_addr(seqs_dhcp_server_t *srv, uint32_t a) {
    for (size_t i = 0; i < srv->cfg.table_len; i++)
        if (srv->cfg.table[i].state != SEQS_DHCPS_FREE && srv->cfg.table[i].addr == a)
            return &srv->cfg.table[i];
    return NULL;
}

static int held(const seqs_dhcps_lease_t *e) {
    return e->state == SEQS_DHCPS_OFFERED || e->state == SEQS_DHCPS_BOUND;
}

/* Does entry e belong to the client of req? (DECLINED entries belong to nobody.) */
static int owned_by(const seqs_dhcps_lease_t *e, const dhcps_req_t *q) {
    if (e->state == SEQS_DHCPS_FREE || e->state == SEQS_DHCPS_DECLINED)
        return 0;
    if (q->has_id)
        return e->id_len == q->id_len && ((e->flags & LF_ID_FOLDED) != 0) == (q->id_folded != 0) &&
               !memcmp(e->id, q->id, q->id_len);
    return e->id_len == 0 && !memcmp(e->mac, q->chaddr, 6);
}

static seqs_dhcps_lease_t *entry_for_client(seqs_dhcp_server_t *srv, const dhcps_req_t *q) {
    for (size_t i = 0; i < srv->cfg.table_len; i++)
        if (owned_by(&srv->cfg.table[i], q))
            return &srv->cfg.table[i];
    return NULL;
}

static void emit(seqs_dhcp_server_t *srv, const seqs_dhcps_lease_t *e) {
    if (srv->cfg.on_event)
        srv->cfg.on_event(srv->cfg.event_ctx, e);
}

static void set_key(seqs_dhcps_lease_t *e, const dhcps_req_t *q) {
    memcpy(e->mac, q->chaddr, 6);
    e->id_len = q->has_id ? q->id_len : 0;
    memset(e->id, 0, sizeof e->id);
    if (q->has_id)
        memcpy(e->id, q->id, q->id_len);
    e->flags = (uint8_t)((e->flags & ~LF_ID_FOLDED) | (q->has_id && q->id_folded ? LF_ID_FOLDED : 0));
}

/* The offer hold ran out, or the client chose another server (RFC 2131 4.3.2):
 * the address goes back; an offer made from the client's old binding leaves it
 * remembered as EXPIRED, a fresh one forgets the address. */
static void withdraw_offer(seqs_dhcp_server_t *srv, seqs_dhcps_lease_t *e, uint64_t now) {
    srv->cnt.offers_withdrawn++;
    if (e->flags & LF_HAD_LEASE) {
        e->state = SEQS_DHCPS_EXPIRED;
        e->expires_us = now;
    } else {
        memset(e, 0, sizeof *e);
    }
}

/* Gives address a to the client of q as an OFFERED entry (or keeps its BOUND
 * one). Any other entry the client owns is forgotten: one entry per client. */
static seqs_dhcps_lease_t *claim(seqs_dhcp_server_t *srv, uint32_t a, const dhcps_req_t *q, uint64_t now) {
    seqs_dhcps_lease_t *mine = entry_for_client(srv, q);
    if (mine && mine->addr != a) {
        memset(mine, 0, sizeof *mine);
        mine = NULL;
    }
    seqs_dhcps_lease_t *e = mine ? mine : entry_for_addr(srv, a);
    if (!e) {
        for (size_t i = 0; i < srv->cfg.table_len && !e; i++)
            if (srv->cfg.table[i].state == SEQS_DHCPS_FREE)
                e = &srv->cfg.table[i];
        if (!e)
            return NULL;   /* cannot happen: start() sized the table for every address */
        memset(e, 0, sizeof *e);
    }
    if (e->state == SEQS_DHCPS_BOUND && owned_by(e, q))
        return e;
    uint8_t had = (uint8_t)((e->state == SEQS_DHCPS_RELEASED || e->state == SEQS_DHCPS_EXPIRED) && owned_by(e, q));
    e->addr = a;
    set_key(e, q);
    e->flags = (uint8_t)((e->flags & LF_ID_FOLDED) | (had ? LF_HAD_LEASE : 0));
    e->state = SEQS_DHCPS_OFFERED;
    e->expires_us = now + (uint64_t)srv->cfg.offer_hold_s * US_PER_S;
    return e;
}

static void bind(seqs_dhcp_server_t *srv, seqs_dhcps_lease_t *e, uint64_t now) {
    e->state = SEQS_DHCPS_BOUND;
    e->flags = (uint8_t)(e->flags & LF_ID_FOLDED);
    e->expires_us = now + (uint64_t)srv->cfg.lease_s * US_PER_S;
    emit(srv, e);
}

/* Can address a go to the client of q? Its own entry, its reservation, or a pool
 * address nobody holds or remembers (and not reserved for someone else). */
static seqs_dhcps_lease_t *assignable(seqs_dhcp_server_t *srv, uint32_t a, const dhcps_req_t *q, uint64_t now) {
    seqs_dhcps_lease_t *e = entry_for_addr(srv, a);
    if (e && owned_by(e, q))
        return claim(srv, a, q, now);   /* its own: kept if BOUND, else held for it again */
    if (e)
        return NULL;   /* someone else's, or declined (a remembered address is not taken by request) */
    const seqs_dhcp_reservation_t *r = reservation_for_addr(srv, a);
    if (r ? memcmp(r->mac, q->chaddr, 6) != 0 : !in_pool(&srv->cfg, a))
        return NULL;
    const seqs_dhcp_reservation_t *own = reservation_for_mac(srv, q->chaddr);
    if (own && own->addr != a)
        return NULL;   /* a reserved client gets its reservation only */
    return claim(srv, a, q, now);
}

/* RFC 2131 4.3.1: the address to offer, in order: the client's reservation,
 * its current or previous binding, the requested address (option 50) when
 * valid and free, a never-used pool address, then the binding that ended
 * longest ago (released/expired). NULL: nothing to offer. */
static seqs_dhcps_lease_t *choose(seqs_dhcp_server_t *srv, const dhcps_req_t *q, uint64_t now) {
    const seqs_dhcp_reservation_t *r = reservation_for_mac(srv, q->chaddr);
    if (r) {
        seqs_dhcps_lease_t *e = entry_for_addr(srv, r->addr);
        if (e && e->state == SEQS_DHCPS_DECLINED)
            return NULL;
        return claim(srv, r->addr, q, now);
    }
    seqs_dhcps_lease_t *mine = entry_for_client(srv, q);
    if (mine && in_pool(&srv->cfg, mine->addr) && !reservation_for_addr(srv, mine->addr))
        return claim(srv, mine->addr, q, now);
    if (q->has_reqaddr) {
        seqs_dhcps_lease_t *e = assignable(srv, q->reqaddr, q, now);
        if (e)
            return e;
    }
    uint32_t size = srv->cfg.pool_last - srv->cfg.pool_first + 1u;
    for (uint32_t k = 0; k < size; k++) {
        uint32_t off = (srv->fresh_cursor + k) % size;
        uint32_t a = srv->cfg.pool_first + off;
        if (reservation_for_addr(srv, a) || entry_for_addr(srv, a))
            continue;
        srv->fresh_cursor = (off + 1u) % size;
        return claim(srv, a, q, now);
    }
    seqs_dhcps_lease_t *old = NULL;
    for (size_t i = 0; i < srv->cfg.table_len; i++) {
        seqs_dhcps_lease_t *e = &srv->cfg.table[i];
        if ((e->state == SEQS_DHCPS_RELEASED || e->state == SEQS_DHCPS_EXPIRED) && in_pool(&srv->cfg, e->addr) &&
            !reservation_for_addr(srv, e->addr) && (!old || e->expires_us < old->expires_us))
            old = e;
    }
    if (old) {
        /* Reuse RFC 2131 4.3.1 allows: the address is no longer bound; its old
         * client forgets it (one client per entry). */
        uint32_t a = old->addr;
        memset(old, 0, sizeof *old);
        return claim(srv, a, q, now);
    }
    return NULL;
}

/* --- timers -------------------------------------------------------------------------- */

static void recompute_due(seqs_dhcp_server_t *srv) {
    uint64_t due = SEQS_NEVER;
    for (size_t i = 0; i < srv->cfg.table_len; i++) {
        const seqs_dhcps_lease_t *e = &srv->cfg.table[i];
        if ((held(e) || e->state == SEQS_DHCPS_DECLINED) && e->expires_us < due)
            due = e->expires_us;
    }
    srv->next_due = due;
}

static void run_timers(seqs_dhcp_server_t *srv, uint64_t now) {
    if (now < srv->next_due)
        return;
    for (size_t i = 0; i < srv->cfg.table_len; i++) {
        seqs_dhcps_lease_t *e = &srv->cfg.table[i];
        if (e->expires_us > now)
            continue;
        if (e->state == SEQS_DHCPS_OFFERED) {
            withdraw_offer(srv, e, now);
        } else if (e->state == SEQS_DHCPS_BOUND) {
            /* RFC 2131 4.4.1 / 4.3.1: an expired lease returns to the pool but the
             * client's address is remembered for it. */
            e->state = SEQS_DHCPS_EXPIRED;
            srv->cnt.leases_expired++;
            emit(srv, e);
        } else if (e->state == SEQS_DHCPS_DECLINED) {
            memset(e, 0, sizeof *e);
        }
    }
}

/* --- replies ------------------------------------------------------------------------- */

/* Builds the reply to q in srv->msg and sends it. yiaddr 0 for NAK/INFORM. */
static void reply(seqs_stack_t *s, seqs_dhcp_server_t *srv, const dhcps_req_t *q, uint8_t type, uint32_t yiaddr) {
    seqs_dhcp_hdr_t h;
    memset(&h, 0, sizeof h);
    h.op = SEQS_DHCP_BOOTREPLY;
    h.xid = q->xid;
    h.flags = q->flags;
    if (type == SEQS_DHCP_ACK)
        h.ciaddr = q->ciaddr;   /* RFC 2131 table 3: ciaddr of the request in an ACK */
    h.yiaddr = yiaddr;
    h.giaddr = q->giaddr;
    memcpy(h.chaddr, q->chaddr, 6);
    seqs_dhcp_builder_t b;
    seqs_dhcp_build_begin(&b, srv->msg, sizeof srv->msg, &h);
    seqs_dhcp_build_opt_u8(&b, SEQS_DHCP_OPT_MSG_TYPE, type);
    seqs_dhcp_build_opt_u32(&b, SEQS_DHCP_OPT_SERVER_ID, srv->server_addr);
    if (type != SEQS_DHCP_NAK) {
        if (yiaddr) {   /* not for INFORM (RFC 2131 4.3.5: no lease time) */
            seqs_dhcp_build_opt_u32(&b, SEQS_DHCP_OPT_LEASE_TIME, srv->cfg.lease_s);
            seqs_dhcp_build_opt_u32(&b, SEQS_DHCP_OPT_T1, srv->cfg.lease_s / 2u);
            seqs_dhcp_build_opt_u32(&b, SEQS_DHCP_OPT_T2, (uint32_t)((uint64_t)srv->cfg.lease_s * 7u / 8u));
        }
        seqs_dhcp_build_opt_u32(&b, SEQS_DHCP_OPT_SUBNET_MASK, srv->mask);
        if (srv->cfg.router)
            seqs_dhcp_build_opt_u32(&b, SEQS_DHCP_OPT_ROUTER, srv->cfg.router);
        if (srv->cfg.dns_count) {
            uint8_t d[4 * SEQS_DHCPS_MAX_DNS];
            for (unsigned i = 0; i < srv->cfg.dns_count; i++)
                seqs_put32(d + 4 * i, srv->cfg.dns[i]);
            seqs_dhcp_build_opt(&b, SEQS_DHCP_OPT_DNS, d, 4u * srv->cfg.dns_count);
        }
    }
    if (q->has_id)   /* RFC 6842: echo the client identifier */
        seqs_dhcp_build_opt(&b, SEQS_DHCP_OPT_CLIENT_ID, srv->cid, q->id_raw_len);
    int n = seqs_dhcp_build_end(&b);
    if (n < 0) {
        srv->cnt.tx_fail++;
        return;
    }
    size_t o = (size_t)n;
    uint8_t *m = srv->msg;
    /* RFC 2131 4.1 (p. 23-24): relay first, then ciaddr, else broadcast (see the
     * header: we cannot unicast to chaddr without ARP). NAK: relay or broadcast. */
    uint32_t dst = LIMITED_BCAST;
    uint16_t port = PORT_CLIENT;
    if (q->giaddr) {
        dst = q->giaddr;
        port = PORT_SERVER;
    } else if (type != SEQS_DHCP_NAK && q->ciaddr) {
        dst = q->ciaddr;
    }
    int r = seqs_udp_sendto(s, srv->sock, m, o, dst, port);
    if (r < 0) {
        srv->cnt.tx_fail++;
        return;
    }
    if (type == SEQS_DHCP_OFFER)
        srv->cnt.tx_offer++;
    else if (type == SEQS_DHCP_ACK)
        srv->cnt.tx_ack++;
    else
        srv->cnt.tx_nak++;
}

/* --- message handling ---------------------------------------------------------------- */

static int in_served_subnet(const seqs_dhcp_server_t *srv, uint32_t a) {
    return host_in_subnet(a, srv->subnet, srv->mask);
}

static void on_discover(seqs_stack_t *s, seqs_dhcp_server_t *srv, const dhcps_req_t *q, uint64_t now) {
    seqs_dhcps_lease_t *e = choose(srv, q, now);
    if (!e) {
        srv->cnt.pool_exhausted++;   /* S9: no OFFER, never a duplicate */
        return;
    }
    reply(s, srv, q, SEQS_DHCP_OFFER, e->addr);
}

static void ack(seqs_stack_t *s, seqs_dhcp_server_t *srv, const dhcps_req_t *q, seqs_dhcps_lease_t *e, uint64_t now) {
    bind(srv, e, now);
    reply(s, srv, q, SEQS_DHCP_ACK, e->addr);
}

static void on_request(seqs_stack_t *s, seqs_dhcp_server_t *srv, const dhcps_req_t *q, uint64_t now) {
    seqs_dhcps_lease_t *mine = entry_for_client(srv, q);
    if (q->has_server_id) {
        /* SELECTING (RFC 2131 4.3.2) */
        if (q->server_id != srv->server_addr) {
            /* The client took another server's offer: ours is withdrawn. */
            if (mine && mine->state == SEQS_DHCPS_OFFERED)
                withdraw_offer(srv, mine, now);
            srv->cnt.drop_other_server++;
            return;
        }
        if (!q->has_reqaddr) {
            srv->cnt.drop_malformed++;
            return;
        }
        seqs_dhcps_lease_t *e = assignable(srv, q->reqaddr, q, now);
        if (!e) {
            reply(s, srv, q, SEQS_DHCP_NAK, 0);
            return;
        }
        ack(s, srv, q, e, now);
        return;
    }
    if (q->ciaddr == 0) {
        if (!q->has_reqaddr) {
            srv->cnt.drop_malformed++;
            return;
        }
        /* INIT-REBOOT: verify the client's remembered address. */
        uint32_t a = q->reqaddr;
        if (!in_served_subnet(srv, a)) {
            reply(s, srv, q, SEQS_DHCP_NAK, 0);
            return;
        }
        seqs_dhcps_lease_t *holder = entry_for_addr(srv, a);
        const seqs_dhcp_reservation_t *r = reservation_for_addr(srv, a);
        if ((holder && !owned_by(holder, q) && (held(holder) || holder->state == SEQS_DHCPS_DECLINED)) ||
            (r && memcmp(r->mac, q->chaddr, 6) != 0)) {
            reply(s, srv, q, SEQS_DHCP_NAK, 0);
            return;
        }
        const seqs_dhcp_reservation_t *own = reservation_for_mac(srv, q->chaddr);
        if (own) {
            seqs_dhcps_lease_t *e = own->addr == a ? assignable(srv, a, q, now) : NULL;
            if (!e)
                reply(s, srv, q, SEQS_DHCP_NAK, 0);
            else
                ack(s, srv, q, e, now);
            return;
        }
        if (!mine) {
            srv->cnt.ignored_no_record++;   /* RFC 2131 4.3.2: no record -> remain silent */
            return;
        }
        if (mine->addr != a || !in_pool(&srv->cfg, a)) {
            reply(s, srv, q, SEQS_DHCP_NAK, 0);
            return;
        }
        ack(s, srv, q, mine, now);
        return;
    }
    /* RENEWING (unicast to us) or REBINDING (broadcast): ciaddr is the client's address. */
    uint32_t c = q->ciaddr;
    if (mine && mine->addr == c && mine->state != SEQS_DHCPS_OFFERED) {
        ack(s, srv, q, mine, now);
        return;
    }
    const seqs_dhcp_reservation_t *own = reservation_for_mac(srv, q->chaddr);
    if (own && own->addr == c) {
        seqs_dhcps_lease_t *e = assignable(srv, c, q, now);
        if (e) {
            ack(s, srv, q, e, now);
            return;
        }
    }
    if (q->broadcast_dst) {
        /* REBINDING: NAK only what we can judge (RFC 2131 4.3.2: an address of our
         * subnet that is someone else's); otherwise another server may know it. */
        seqs_dhcps_lease_t *holder = in_served_subnet(srv, c) ? entry_for_addr(srv, c) : NULL;
        const seqs_dhcp_reservation_t *r = reservation_for_addr(srv, c);
        if ((holder && !owned_by(holder, q)) || (r && memcmp(r->mac, q->chaddr, 6) != 0)) {
            reply(s, srv, q, SEQS_DHCP_NAK, 0);
            return;
        }
        srv->cnt.ignored_no_record++;
        return;
    }
    reply(s, srv, q, SEQS_DHCP_NAK, 0);
}

static void on_decline(seqs_dhcp_server_t *srv, const dhcps_req_t *q, uint64_t now) {
    if (!q->has_server_id || !q->has_reqaddr) {
        srv->cnt.drop_malformed++;
        return;
    }
    if (q->server_id != srv->server_addr) {
        srv->cnt.drop_other_server++;
        return;
    }
    seqs_dhcps_lease_t *e = entry_for_addr(srv, q->reqaddr);
    if (!e || !held(e) || !owned_by(e, q)) {
        srv->cnt.ignored_decline++;
        return;
    }
    /* RFC 2131 4.3.3: the address is in use by someone else; mark it unusable. */
    e->state = SEQS_DHCPS_DECLINED;
    e->id_len = 0;
    memset(e->id, 0, sizeof e->id);
    e->flags = 0;
    e->expires_us = now + (uint64_t)srv->cfg.decline_hold_s * US_PER_S;
    emit(srv, e);
}

static void on_release(seqs_dhcp_server_t *srv, const dhcps_req_t *q, uint64_t now) {
    if (!q->has_server_id) {
        srv->cnt.drop_malformed++;
        return;
    }
    if (q->server_id != srv->server_addr) {
        srv->cnt.drop_other_server++;
        return;
    }
    seqs_dhcps_lease_t *e = entry_for_client(srv, q);
    if (!e || e->addr != q->ciaddr || !held(e)) {
        srv->cnt.ignored_release++;
        return;
    }
    /* RFC 2131 4.3.4: the binding ends; the address stays remembered for the client. */
    e->state = SEQS_DHCPS_RELEASED;
    e->flags = (uint8_t)(e->flags & LF_ID_FOLDED);
    e->expires_us = now;
    emit(srv, e);
}

static void on_inform(seqs_stack_t *s, seqs_dhcp_server_t *srv, const dhcps_req_t *q) {
    if (!q->ciaddr) {
        srv->cnt.drop_malformed++;
        return;
    }
    /* RFC 2131 4.3.5: configuration only, to ciaddr, no yiaddr, no lease time. */
    reply(s, srv, q, SEQS_DHCP_ACK, 0);
}

/* 32-bit FNV-1a, to fold client ids longer than SEQS_DHCPS_CLIENT_ID_MAX. */
static uint32_t fnv1a(const uint8_t *p, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* An option that must be 4 bytes when present: 1 present, 0 absent, -1 bad length. */
static int opt_addr(const seqs_dhcp_view_t *v, uint8_t code, uint32_t *out) {
    uint8_t b[4];
    size_t total = 0;
    if (!seqs_dhcp_opt_get(v, code, b, sizeof b, &total))
        return 0;
    if (total != 4)
        return -1;
    *out = seqs_be32(b);
    return 1;
}

/* Reads a request through the wire view; returns 0 or counts the drop. */
static int parse(seqs_dhcp_server_t *srv, size_t len, const seqs_udp_meta_t *meta, dhcps_req_t *q) {
    seqs_dhcp_view_t v;
    switch (seqs_dhcp_view_init(&v, srv->msg, len)) {
    case SEQS_DHCP_OK: break;
    case SEQS_DHCP_TRUNCATED: srv->cnt.drop_truncated++; return -1;
    case SEQS_DHCP_BAD_OP: srv->cnt.drop_op++; return -1;
    case SEQS_DHCP_BAD_HW: srv->cnt.drop_htype++; return -1;
    case SEQS_DHCP_BAD_COOKIE: srv->cnt.drop_cookie++; return -1;
    case SEQS_DHCP_NO_TYPE: srv->cnt.drop_no_type++; return -1;
    default: srv->cnt.drop_options++; return -1;
    }
    if (seqs_dhcp_op(&v) != SEQS_DHCP_BOOTREQUEST) {
        srv->cnt.drop_op++;
        return -1;
    }
    memset(q, 0, sizeof *q);
    q->type = seqs_dhcp_msg_type(&v);
    q->xid = seqs_dhcp_xid(&v);
    q->flags = seqs_dhcp_flags(&v);
    q->ciaddr = seqs_dhcp_ciaddr(&v);
    q->giaddr = seqs_dhcp_giaddr(&v);
    memcpy(q->chaddr, seqs_dhcp_chaddr(&v), 16);
    int r1 = opt_addr(&v, SEQS_DHCP_OPT_REQUESTED_ADDR, &q->reqaddr);
    int r2 = opt_addr(&v, SEQS_DHCP_OPT_SERVER_ID, &q->server_id);
    if (r1 < 0 || r2 < 0) {
        srv->cnt.drop_malformed++;
        return -1;
    }
    q->has_reqaddr = (uint8_t)r1;
    q->has_server_id = (uint8_t)r2;
    size_t total = 0;
    if (seqs_dhcp_opt_get(&v, SEQS_DHCP_OPT_CLIENT_ID, srv->cid, sizeof srv->cid, &total) && total >= 1) {
        if (total > sizeof srv->cid) {
            srv->cnt.drop_malformed++;   /* RFC 3396 allows it; we keep ids of one option (255 bytes) */
            return -1;
        }
        q->has_id = 1;
        q->id_raw_len = total;
        if (total <= SEQS_DHCPS_CLIENT_ID_MAX) {
            q->id_len = (uint8_t)total;
            memcpy(q->id, srv->cid, total);
        } else {
            /* Folded: the first bytes verbatim, then a hash of the whole id. */
            q->id_folded = 1;
            q->id_len = SEQS_DHCPS_CLIENT_ID_MAX;
            memcpy(q->id, srv->cid, SEQS_DHCPS_CLIENT_ID_MAX - 4u);
            seqs_put32(q->id + SEQS_DHCPS_CLIENT_ID_MAX - 4u, fnv1a(srv->cid, total));
        }
    }
    q->broadcast_dst = (uint8_t)(meta->local_addr == LIMITED_BCAST ||
                                 meta->local_addr == (srv->subnet | ~srv->mask));
    return 0;
}

static void handle(seqs_stack_t *s, seqs_dhcp_server_t *srv, size_t len, const seqs_udp_meta_t *meta, uint64_t now) {
    dhcps_req_t q;
    if (parse(srv, len, meta, &q) != 0)
        return;
    if (q.giaddr && !in_served_subnet(srv, q.giaddr)) {
        srv->cnt.drop_relay_subnet++;
        return;
    }
    switch (q.type) {
    case SEQS_DHCP_DISCOVER: srv->cnt.rx_discover++; on_discover(s, srv, &q, now); break;
    case SEQS_DHCP_REQUEST: srv->cnt.rx_request++; on_request(s, srv, &q, now); break;
    case SEQS_DHCP_DECLINE: srv->cnt.rx_decline++; on_decline(srv, &q, now); break;
    case SEQS_DHCP_RELEASE: srv->cnt.rx_release++; on_release(srv, &q, now); break;
    case SEQS_DHCP_INFORM: srv->cnt.rx_inform++; on_inform(s, srv, &q); break;
    default: srv->cnt.drop_type++; break;
    }
}

/* --- the app hook -------------------------------------------------------------------- */

static void srv_poll(seqs_stack_t *s, seqs_app_t *app, uint64_t now) {
    seqs_dhcp_server_t *srv = from_app(app);
    /* Polled after every frame the stack receives: the O(table) work (timers,
     * the next deadline) only when a timer is due or a request arrived. */
    int changed = now >= srv->next_due;
    run_timers(srv, now);
    seqs_udp_meta_t meta;
    int n;
    while ((n = seqs_udp_recvfrom(s, srv->sock, srv->msg, sizeof srv->msg, &meta)) >= 0) {
        changed = 1;
        srv->cnt.rx++;
        if (meta.truncated) {
            srv->cnt.drop_truncated++;
            continue;
        }
        srv->server_addr = seqs_stack_addr(s, NULL, NULL);
        if (!srv->server_addr)
            continue;   /* our address went away: nothing to serve from */
        handle(s, srv, (size_t)n, &meta, now);
    }
    if (changed)
        recompute_due(srv);
}

static uint64_t srv_deadline(const seqs_stack_t *s, const seqs_app_t *app) {
    (void)s;
    return from_capp(app)->next_due;
}

static const seqs_app_ops_t srv_ops = {srv_poll, srv_deadline, NULL};

int seqs_dhcp_server_start(seqs_stack_t *s, seqs_dhcp_server_t *srv, const seqs_dhcp_server_config_t *cfg) {
    if (!s || !srv || !cfg)
        return SEQS_ERR_INVAL;
    if (srv->running)
        return SEQS_ERR_INUSE;
    seqs_dhcps_cfg_err_t ce = seqs_dhcp_server_check(s, cfg);
    if (ce != SEQS_DHCPS_CFG_OK) {
        srv->cfg_error = (uint8_t)ce;
        return ce == SEQS_DHCPS_CFG_NO_ADDR ? SEQS_ERR_NOADDR : ce == SEQS_DHCPS_CFG_TABLE_SMALL ? SEQS_ERR_LIMIT
                                                                                                  : SEQS_ERR_INVAL;
    }
    memset(srv, 0, sizeof *srv);
    srv->cfg = *cfg;
    if (!srv->cfg.offer_hold_s)
        srv->cfg.offer_hold_s = SEQS_DHCPS_DEFAULT_OFFER_HOLD_S;
    if (!srv->cfg.decline_hold_s)
        srv->cfg.decline_hold_s = SEQS_DHCPS_DEFAULT_DECLINE_HOLD_S;
    uint8_t sp = 0;
    srv->server_addr = seqs_stack_addr(s, &sp, NULL);
    srv->mask = prefix_mask(cfg->prefix_len ? cfg->prefix_len : sp);
    srv->subnet = srv->server_addr & srv->mask;
    memset(cfg->table, 0, cfg->table_len * sizeof *cfg->table);
    srv->next_due = SEQS_NEVER;
    int r = seqs_udp_open(s, &srv->sock, srv->rx, sizeof srv->rx);
    if (r != SEQS_OK)
        return r;
    r = seqs_udp_bind(s, srv->sock, 0, PORT_SERVER);
    if (r == SEQS_OK)
        r = seqs_app_attach(s, &srv->app, &srv_ops);
    if (r != SEQS_OK) {
        seqs_udp_close(s, srv->sock);
        return r;
    }
    srv->running = 1;
    return SEQS_OK;
}

int seqs_dhcp_server_stop(seqs_stack_t *s, seqs_dhcp_server_t *srv) {
    if (!s || !srv || !srv->running || seqs_app_stack(&srv->app) != s)
        return SEQS_ERR_INVAL;
    seqs_app_detach(s, &srv->app);
    seqs_udp_close(s, srv->sock);
    srv->running = 0;
    return SEQS_OK;
}

int seqs_dhcp_server_cfg_error(const seqs_dhcp_server_t *srv) { return srv ? srv->cfg_error : SEQS_DHCPS_CFG_OK; }

const seqs_dhcp_server_counters_t *seqs_dhcp_server_counters(const seqs_dhcp_server_t *srv) {
    return srv ? &srv->cnt : NULL;
}

const char *seqs_dhcp_server_counter_name(unsigned i) {
    static const char *const names[] = {
#define SEQS_DHCPS_X_NAME(name) #name,
        SEQS_DHCPS_COUNTERS(SEQS_DHCPS_X_NAME)
#undef SEQS_DHCPS_X_NAME
    };
    return i < sizeof names / sizeof names[0] ? names[i] : NULL;
}

uint32_t seqs_dhcp_server_counter_value(const seqs_dhcp_server_t *srv, unsigned i) {
    if (!srv || i >= SEQS_DHCPS_COUNTER_COUNT)
        return 0;
    unsigned k = 0;
#define SEQS_DHCPS_X_VAL(name) if (i == k++) return srv->cnt.name;
    SEQS_DHCPS_COUNTERS(SEQS_DHCPS_X_VAL)
#undef SEQS_DHCPS_X_VAL
    return 0;
}

int seqs_dhcp_server_lease_next(const seqs_dhcp_server_t *srv, size_t *cursor, seqs_dhcps_lease_info_t *out) {
    if (!srv || !cursor || !out || !srv->cfg.table)
        return 0;
    while (*cursor < srv->cfg.table_len) {
        const seqs_dhcps_lease_t *e = &srv->cfg.table[(*cursor)++];
        if (e->state == SEQS_DHCPS_FREE)
            continue;
        memset(out, 0, sizeof *out);
        out->addr = e->addr;
        out->state = e->state;
        memcpy(out->mac, e->mac, 6);
        out->id_len = e->id_len;
        memcpy(out->id, e->id, sizeof out->id);
        out->expires_us = e->expires_us;
        for (size_t i = 0; i < srv->cfg.reservation_count; i++)
            if (srv->cfg.reservations[i].addr == e->addr)
                out->reserved = 1;
        return 1;
    }
    return 0;
}

const char *seqs_dhcp_server_lease_state_name(int state) {
    static const char *const names[] = {"free", "offered", "bound", "released", "expired", "declined"};
    return state >= 0 && state < 6 ? names[state] : "unknown";
}
