/* SPDX-License-Identifier: BSD-3-Clause */
/* stack/src/tcp/listen.c — listeners: SYN -> half-open connection in
 * SYN-RECEIVED (RFC 9293 3.10.7.2), bounded by the backlog; beyond it SYN
 * cookies (RFC 4987 3.6) answer without keeping state, and a valid cookie ACK
 * creates the connection directly, evicting the oldest stale half-open entry
 * if needed (a completed handshake is worth more than a likely-spoofed SYN).
 * The evicted entry goes to a small syncache with its ISS and options, so its
 * client is still admitted (never reset) if it was real. Overload never
 * leaves a completed cookie handshake silent: served, or refused with RST. */
#include <string.h>
#include "tcp_int.h"

listener_t *seqs__tcp_find_listener(seqs_stack_t *s, uint16_t port) {
    for (unsigned i = 0; i < s->tcp.max_listeners; i++) {
        listener_t *l = &s->tcp.listeners[i];
        if (l->used && l->port == port) return l;
    }
    return NULL;
}

static unsigned lidx(seqs_stack_t *s, const listener_t *l) { return (unsigned)(l - s->tcp.listeners); }

void seqs__tcp_listener_release_slot(seqs_stack_t *s, conn_t *c) {
    unsigned i = (unsigned)c->listener - 1u;
    if (i >= SEQS_MAX_TCP_LISTENERS) return;
    listener_t *l = &s->tcp.listeners[i];
    if (l->used && l->gen == c->listener_gen) l->slots_used[c->pool_slot / 32u] &= ~(1u << (c->pool_slot % 32u));
}

/* Half-open or not yet accepted connections of l; *oldest gets the oldest
 * stale half-open one: a SYN-RECEIVED entry whose SYN-ACK already timed out
 * once (unanswered for an RTO: spoofed, or its client is slow). A fresh entry
 * is never traded away: its client is probably about to complete. */
static unsigned queued(seqs_stack_t *s, const listener_t *l, conn_t **oldest) {
    unsigned n = 0;
    *oldest = NULL;
    for (unsigned i = 0; i < s->tcp.max_conns; i++) {
        conn_t *c = &s->tcp.conns[i];
        if (!c->used || c->accepted || c->listener != lidx(s, l) + 1u || c->listener_gen != l->gen) continue;
        n++;
        if (c->tcb.state == SEQS_TCP_SYN_RECEIVED && c->retries >= 1 &&
            (!*oldest || c->last_rx < (*oldest)->last_rx))
            *oldest = c;
    }
    return n;
}

static int free_slot(const listener_t *l) {
    for (unsigned i = 0; i < l->nslots; i++)
        if (!(l->slots_used[i / 32u] & (1u << (i % 32u)))) return (int)i;
    return -1;
}

static int can_create(seqs_stack_t *s, const listener_t *l) {
    int any = 0;
    for (unsigned i = 0; i < s->tcp.max_conns; i++)
        if (!s->tcp.conns[i].used || s->tcp.conns[i].tcb.state == SEQS_TCP_TIME_WAIT) any = 1;
    return any && free_slot(l) >= 0;
}

static conn_t *create(seqs_stack_t *s, listener_t *l, const tcp_rx_t *r) {
    int slot = free_slot(l);
    if (slot < 0) return NULL;
    conn_t *c = seqs__tcp_conn_alloc(s, 1);
    if (!c) return NULL;
    l->slots_used[(unsigned)slot / 32u] |= 1u << ((unsigned)slot % 32u);
    c->listener = (uint8_t)(lidx(s, l) + 1u);
    c->listener_gen = l->gen;
    c->pool_slot = (uint8_t)slot;
    uint8_t *base = l->pool + (size_t)slot * (l->rx_size + l->tx_size);
    c->rxbuf = base;
    c->rxcap = l->rx_size;
    c->txbuf = base + l->rx_size;
    c->txcap = l->tx_size;
    c->laddr = r->dst;
    c->raddr = r->src;
    c->lport = r->dport;
    c->rport = r->sport;
    seqs__tcp_hash_add(s, c);
    seqs__tcp_conn_setup(s, c, seqs__tcp_mtu(s, r->src));
    c->idle_ms = l->idle_ms;
    return c;
}

static void syn_cookie_reply(seqs_stack_t *s, const tcp_rx_t *r) {
    uint16_t mtu = seqs__tcp_mtu(s, r->src);
    uint16_t mss = r->opt.has_mss ? r->opt.mss : TCP_DEFAULT_MSS;
    if (mss > mtu - 40u) mss = (uint16_t)(mtu - 40u);
    int sack = r->opt.sack_perm && s->tcp.cfg.sack;
    uint32_t iss = seqs__tcp_cookie_make(s, r, mss, sack);
    uint8_t opt[8] = {2, 4, (uint8_t)((mtu - 40u) >> 8), (uint8_t)(mtu - 40u), 1, 1, 4, 2};
    SEQS_CNT(s, tcp_syncookie_sent);
    seqs__tcp_send_ctl(s, r->dst, r->src, r->dport, r->sport, iss, r->seg.seq + 1u, TCP_SYN | TCP_ACK,
                       (uint16_t)(mtu - 40u) * 2u > 65535u ? 65535u : (uint16_t)((mtu - 40u) * 2u), opt,
                       sack ? 8u : 4u);
}

/* Syncache: an evicted half-open entry keeps what its SYN-ACK promised. */
static void syncache_put(seqs_stack_t *s, const conn_t *c) {
    seqs__syncache_t *e = NULL;
    for (unsigned i = 0; i < SEQS_TCP_SYNCACHE; i++) {
        seqs__syncache_t *x = &s->tcp.syncache[i];
        if (x->until <= s->now) {
            e = x;
            break;
        }
        if (!e || x->until < e->until) e = x;
    }
    if (e->until > s->now) SEQS_CNT(s, tcp_syncache_overflow);
    SEQS_CNT(s, tcp_syncache_added);
    e->until = s->now + tcp_ms(SEQS_TCP_SYNCACHE_MS);
    e->raddr = c->raddr;
    e->laddr = c->laddr;
    e->rport = c->rport;
    e->lport = c->lport;
    e->iss = c->tcb.iss;
    e->irs = c->tcb.irs;
    e->ts_recent = c->ts_recent;
    e->ts_offset = c->ts_offset;
    e->peer_mss = c->peer_mss;
    e->sack_ok = c->sack_ok;
    e->ts_ok = c->ts_ok;
    e->ws_ok = c->ws_ok;
    e->snd_shift = c->tcb.snd_shift;
    e->rcv_shift = c->tcb.rcv_shift;
}

/* The entry this segment completes: same 4-tuple, ACK of our ISS, sequence
 * number at or just after the client's ISN+1 (its ACK may have been lost). */
static seqs__syncache_t *syncache_find(seqs_stack_t *s, const tcp_rx_t *r) {
    for (unsigned i = 0; i < SEQS_TCP_SYNCACHE; i++) {
        seqs__syncache_t *e = &s->tcp.syncache[i];
        if (e->until > s->now && e->raddr == r->src && e->laddr == r->dst && e->rport == r->sport &&
            e->lport == r->dport && r->seg.ack == e->iss + 1u && r->seg.seq - (e->irs + 1u) < 65536u)
            return e;
    }
    return NULL;
}

/* A completed handshake (cookie or syncache): the connection starts ESTABLISHED. */
static void admit(seqs_stack_t *s, conn_t *c, const tcp_rx_t *r, const seqs__syncache_t *e, uint16_t mss, int sack) {
    const seqs__seg_t *g = &r->seg;
    seqs__tcb_t *t = &c->tcb;
    if (e) {
        SEQS_CNT(s, tcp_syncache_ok);
        c->peer_mss = e->peer_mss;
        c->sack_ok = e->sack_ok;
        c->ts_ok = e->ts_ok;
        c->ws_ok = e->ws_ok;
        c->ts_recent = e->ts_recent;
        c->ts_offset = e->ts_offset;
        t->snd_shift = e->snd_shift;
        t->rcv_shift = e->rcv_shift;
        t->irs = e->irs;
    } else {
        SEQS_CNT(s, tcp_syncookie_ok);
        c->cookie = 1;
        c->peer_mss = mss;
        c->sack_ok = (uint8_t)sack;
        t->irs = g->seq - 1u;
    }
    t->state = SEQS_TCP_ESTABLISHED;
    t->passive = 1;
    t->syn_acked = 1;
    t->iss = g->ack - 1u;
    t->snd_una = t->snd_nxt = g->ack;
    t->rcv_nxt = t->irs + 1u;
    t->snd_wnd = t->max_snd_wnd = g->wnd << t->snd_shift;
    t->snd_wl1 = g->seq;
    t->snd_wl2 = g->ack;
    c->rcv_adv = t->rcv_nxt + (c->rxcap < 65535u ? c->rxcap : 65535u);
    c->recover = t->iss;
    c->rtx_next = c->rtx_end = c->rtx_mark = t->iss + 1u;
    seqs__tcp_conn_set_mss(c, seqs__tcp_mtu(s, r->src));
    SEQS_CNT(s, tcp_conn_opened);
    c->order = ++s->tcp.order;
    c->last_data = s->now;
    if (c->keepalive) c->t_keep = s->now + tcp_ms(s->tcp.cfg.keepidle_ms);
    seqs__tcp_conn_input(s, c, r);    /* it may carry data */
}

void seqs__tcp_listen_input(seqs_stack_t *s, listener_t *l, const tcp_rx_t *r) {
    const seqs__seg_t *g = &r->seg;
    const seqs_tcp_config_t *cfg = &s->tcp.cfg;
    /* RFC 9293 3.10.7.2: first RST (ignored), second ACK (RST), third SYN */
    if (g->flags & TCP_RST) {
        SEQS_CNT(s, tcp_drop_listen);
        return;
    }
    if (g->flags & TCP_ACK) {
        uint16_t mss = 0;
        int sack = 0;
        seqs__syncache_t *found = (g->flags & TCP_SYN) ? NULL : syncache_find(s, r);
        seqs__syncache_t e;
        if (found) {
            e = *found;
            found->until = 0;
        }
        if (found || (!(g->flags & TCP_SYN) && cfg->syncookies && seqs__tcp_cookie_check(s, r, g->ack - 1u, &mss, &sack))) {
            conn_t *old;
            if (queued(s, l, &old) >= l->backlog || !can_create(s, l)) {
                if (old) {
                    /* trade a stale half-open entry for this completed
                     * handshake; the entry moves to the syncache */
                    SEQS_CNT(s, tcp_halfopen_expired);
                    syncache_put(s, old);
                    seqs__tcp_conn_release(s, old);
                } else if (found) {
                    /* a client whose SYN-ACK we sent: never reset it; its
                     * retransmissions get in once a place is free */
                    *found = e;
                    SEQS_CNT(s, tcp_drop_backlog);
                    return;
                } else {
                    /* a cookie client with no place: refuse it at once
                     * instead of leaving it connected to nobody */
                    SEQS_CNT(s, tcp_overload_refused);
                    seqs__tcp_send_ctl(s, r->dst, r->src, r->dport, r->sport, g->ack, 0, TCP_RST, 0, NULL, 0);
                    return;
                }
            }
            conn_t *c = create(s, l, r);
            if (c) {
                admit(s, c, r, found ? &e : NULL, mss, sack);
                return;
            }
            if (found) {
                *found = e;
                SEQS_CNT(s, tcp_drop_backlog);
                return;
            }
            SEQS_CNT(s, tcp_overload_refused);
            seqs__tcp_send_ctl(s, r->dst, r->src, r->dport, r->sport, g->ack, 0, TCP_RST, 0, NULL, 0);
            return;
        }
        if (!(g->flags & TCP_SYN) && cfg->syncookies) SEQS_CNT(s, tcp_syncookie_bad);
        SEQS_CNT(s, tcp_drop_listen);
        seqs__tcp_send_ctl(s, r->dst, r->src, r->dport, r->sport, g->ack, 0, TCP_RST, 0, NULL, 0);
        return;
    }
    if (!(g->flags & TCP_SYN) || (g->flags & TCP_FIN)) {
        /* no SYN, or SYN+FIN (documented: dropped): nothing to do */
        SEQS_CNT(s, tcp_drop_listen);
        return;
    }
    conn_t *old;
    if (queued(s, l, &old) >= l->backlog || !can_create(s, l)) {
        /* A cookie only helps when its ACK can take a place: by evicting a
         * half-open entry (the SYN-flood case). When established connections
         * hold every slot, a cookie would let the client in only to reset its
         * first data segment: drop the SYN, the client retries it. */
        if (cfg->syncookies && old) {
            syn_cookie_reply(s, r);
        } else {
            SEQS_CNT(s, tcp_drop_backlog);
        }
        return;
    }
    conn_t *c = create(s, l, r);
    if (!c) {
        SEQS_CNT(s, tcp_drop_backlog);
        return;
    }
    /* options of the SYN (T17-T20) */
    c->peer_mss = r->opt.has_mss ? r->opt.mss : TCP_DEFAULT_MSS;
    c->ws_ok = cfg->wscale && r->opt.has_ws;
    c->sack_ok = cfg->sack && r->opt.sack_perm;
    c->ts_ok = cfg->tstamp && r->opt.has_ts;
    if (c->ws_ok) {
        c->tcb.snd_shift = r->opt.ws;
        c->tcb.rcv_shift = seqs__tcp_wscale_for(c->rxcap);
    }
    if (c->ts_ok) c->ts_recent = r->opt.tsval;
    uint32_t iss = seqs__tcp_isn(s, r->dst, r->dport, r->src, r->sport);
    seqs__tcb_accept_syn(&c->tcb, iss, g->seq, g->wnd);
    c->rcv_adv = c->tcb.rcv_nxt + (c->rxcap < 65535u ? c->rxcap : 65535u);   /* what our SYN-ACK offers */
    c->recover = iss;
    c->rtx_next = c->rtx_end = c->rtx_mark = iss + 1u;   /* sequence-valued fields start inside the space */
    seqs__tcp_conn_set_mss(c, seqs__tcp_mtu(s, r->src));
    c->last_rx = s->now;
    c->send_synack = 1;
    c->t_rtx = s->now + c->rto_us;
    if (l->handshake_ms) c->t_state = s->now + tcp_ms(l->handshake_ms);
}
