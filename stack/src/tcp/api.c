/* SPDX-License-Identifier: BSD-3-Clause */
/* stack/src/tcp/api.c — the socket-style API of seqs/tcp.h. Handles are
 * (generation << 8) | (slot + 1), so a closed or reused slot never answers
 * to an old handle. */
#include <stddef.h>
#include <string.h>
#include "tcp_int.h"

#define GEN_MASK 0xFFFFFFu

static uint32_t mk_handle(uint32_t gen, unsigned idx) { return ((gen & GEN_MASK) << 8) | (uint32_t)(idx + 1u); }

static conn_t *conn_get(const seqs_stack_t *s, seqs_tcp_t h) {
    if (!s) return NULL;
    unsigned idx = (h & 0xFFu);
    if (idx == 0 || idx > s->tcp.max_conns) return NULL;
    conn_t *c = (conn_t *)&s->tcp.conns[idx - 1u];
    if (!c->used || (c->gen & GEN_MASK) != (h >> 8)) return NULL;
    /* a passive connection is reachable only once accept() returned it */
    if (c->listener && !c->accepted) return NULL;
    return c;
}

/* A handle whose connection the call may change: it joins the work list
 * (output and timers look at it again). */
static conn_t *conn_mut(seqs_stack_t *s, seqs_tcp_t h) {
    conn_t *c = conn_get(s, h);
    if (c) seqs__tcp_work(s, c);
    return c;
}

static listener_t *listener_get(const seqs_stack_t *s, seqs_tcp_listener_t h) {
    if (!s) return NULL;
    unsigned idx = (h & 0xFFu);
    if (idx == 0 || idx > s->tcp.max_listeners) return NULL;
    listener_t *l = (listener_t *)&s->tcp.listeners[idx - 1u];
    if (!l->used || (l->gen & GEN_MASK) != (h >> 8)) return NULL;
    return l;
}

void seqs_tcp_get_config(const seqs_stack_t *s, seqs_tcp_config_t *cfg) {
    if (s && cfg) *cfg = s->tcp.cfg;
}

int seqs_tcp_set_config(seqs_stack_t *s, const seqs_tcp_config_t *cfg) {
    if (!s || !cfg || cfg->msl_ms == 0 || cfg->rto_min_ms == 0 || cfg->rto_min_ms > cfg->rto_max_ms ||
        cfg->rto_init_ms == 0 || cfg->keepintvl_ms == 0)
        return SEQS_ERR_INVAL;
    s->tcp.cfg = *cfg;
    return SEQS_OK;
}

int seqs_tcp_listen(seqs_stack_t *s, seqs_tcp_listener_t *out, uint16_t port, unsigned backlog, uint8_t *pool,
                    size_t pool_len, size_t rx_size, size_t tx_size) {
    if (!s || !out || !pool || port == 0 || backlog == 0 || rx_size == 0 || tx_size == 0 ||
        rx_size > 0x40000000u || tx_size > 0x40000000u || pool_len < rx_size + tx_size)
        return SEQS_ERR_INVAL;
    if (seqs__tcp_find_listener(s, port)) return SEQS_ERR_INUSE;
    for (unsigned i = 0; i < s->tcp.max_listeners; i++) {
        listener_t *l = &s->tcp.listeners[i];
        if (l->used) continue;
        uint32_t gen = l->gen;
        memset(l, 0, sizeof *l);
        l->gen = gen;
        l->used = 1;
        l->port = port;
        l->backlog = (uint16_t)(backlog > 0xFFFFu ? 0xFFFFu : backlog);
        size_t n = pool_len / (rx_size + tx_size);
        l->nslots = (uint8_t)(n > SEQS_TCP_POOL_SLOTS ? SEQS_TCP_POOL_SLOTS : n);
        l->pool = pool;
        l->rx_size = (uint32_t)rx_size;
        l->tx_size = (uint32_t)tx_size;
        l->handshake_ms = s->tcp.cfg.handshake_ms;
        l->idle_ms = s->tcp.cfg.idle_ms;
        *out = mk_handle(l->gen, i);
        return SEQS_OK;
    }
    return SEQS_ERR_NOSLOT;
}

int seqs_tcp_listener_set_timeouts(seqs_stack_t *s, seqs_tcp_listener_t lh, uint32_t handshake_ms,
                                   uint32_t idle_ms) {
    listener_t *l = listener_get(s, lh);
    if (!l) return SEQS_ERR_BADHANDLE;
    l->handshake_ms = handshake_ms;
    l->idle_ms = idle_ms;
    return SEQS_OK;
}

int seqs_tcp_accept(seqs_stack_t *s, seqs_tcp_listener_t lh, seqs_tcp_t *out) {
    listener_t *l = listener_get(s, lh);
    if (!l || !out) return l ? SEQS_ERR_INVAL : SEQS_ERR_BADHANDLE;
    unsigned li = (unsigned)(l - s->tcp.listeners) + 1u;
    conn_t *best = NULL;
    unsigned bi = 0;
    for (unsigned i = 0; i < s->tcp.max_conns; i++) {
        conn_t *c = &s->tcp.conns[i];
        if (!c->used || c->accepted || c->listener != li || c->listener_gen != l->gen) continue;
        if (c->tcb.state == SEQS_TCP_SYN_RECEIVED || c->tcb.state == SEQS_TCP_CLOSED) continue;
        if (!best || (int32_t)(c->order - best->order) < 0) {
            best = c;
            bi = i;
        }
    }
    if (!best) return SEQS_ERR_AGAIN;
    best->accepted = 1;
    seqs__tcp_work(s, best);
    *out = mk_handle(best->gen, bi);
    return SEQS_OK;
}

int seqs_tcp_accept_pending(const seqs_stack_t *s, seqs_tcp_listener_t lh) {
    listener_t *l = listener_get(s, lh);
    if (!l) return SEQS_ERR_BADHANDLE;
    unsigned li = (unsigned)(l - s->tcp.listeners) + 1u;
    int n = 0;
    for (unsigned i = 0; i < s->tcp.max_conns; i++) {
        const conn_t *c = &s->tcp.conns[i];
        if (c->used && !c->accepted && c->listener == li && c->listener_gen == l->gen &&
            c->tcb.state != SEQS_TCP_SYN_RECEIVED && c->tcb.state != SEQS_TCP_CLOSED)
            n++;
    }
    return n;
}

static void send_rst(seqs_stack_t *s, conn_t *c) {
    seqs__tcp_send_ctl(s, c->laddr, c->raddr, c->lport, c->rport, c->tcb.snd_nxt, c->tcb.rcv_nxt,
                       TCP_RST | TCP_ACK, 0, NULL, 0);
}

int seqs_tcp_listener_close(seqs_stack_t *s, seqs_tcp_listener_t lh) {
    listener_t *l = listener_get(s, lh);
    if (!l) return SEQS_ERR_BADHANDLE;
    unsigned li = (unsigned)(l - s->tcp.listeners) + 1u;
    for (unsigned i = 0; i < s->tcp.max_conns; i++) {
        conn_t *c = &s->tcp.conns[i];
        if (!c->used || c->listener != li || c->listener_gen != l->gen) continue;
        if (!c->accepted) {
            if (c->tcb.state != SEQS_TCP_CLOSED) send_rst(s, c);
            seqs__tcp_conn_release(s, c);
        }
    }
    uint32_t gen = l->gen + 1u;
    memset(l, 0, sizeof *l);
    l->gen = gen ? gen : 1u;
    return SEQS_OK;
}

static int tuple_used(const seqs_stack_t *s, uint32_t la, uint16_t lp, uint32_t ra, uint16_t rp) {
    for (unsigned i = 0; i < s->tcp.max_conns; i++) {
        const conn_t *c = &s->tcp.conns[i];
        if (c->used && c->lport == lp && c->rport == rp && c->laddr == la && c->raddr == ra) return 1;
    }
    return 0;
}

int seqs_tcp_connect(seqs_stack_t *s, seqs_tcp_t *out, uint32_t dst, uint16_t dport, uint16_t sport, uint8_t *rxbuf,
                     size_t rxcap, uint8_t *txbuf, size_t txcap) {
    if (!s || !out || !rxbuf || !txbuf || rxcap == 0 || txcap == 0 || dport == 0 || dst == 0 ||
        rxcap > 0x40000000u || txcap > 0x40000000u)
        return SEQS_ERR_INVAL;
    seqs_addr_state_t as = seqs_stack_addr_state(s);
    uint32_t la = seqs_stack_addr(s, NULL, NULL);
    if (la == 0 || (as != SEQS_ADDR_BOUND && as != SEQS_ADDR_ANNOUNCING)) return SEQS_ERR_NOADDR;
    if (seqs__ip_is_bcast_or_mcast(s, dst)) return SEQS_ERR_INVAL;
    if (sport == 0) {
        uint32_t span = SEQS_EPHEMERAL_HI - SEQS_EPHEMERAL_LO + 1u;
        for (uint32_t k = 0; k < span; k++) {
            uint16_t p = s->tcp.next_ephemeral;
            s->tcp.next_ephemeral = (uint16_t)(p >= SEQS_EPHEMERAL_HI ? SEQS_EPHEMERAL_LO : p + 1u);
            if (!tuple_used(s, la, p, dst, dport) && !seqs__tcp_find_listener(s, p)) {
                sport = p;
                break;
            }
        }
        if (sport == 0) return SEQS_ERR_INUSE;
    } else if (tuple_used(s, la, sport, dst, dport)) {
        return SEQS_ERR_INUSE;
    }
    conn_t *c = seqs__tcp_conn_alloc(s, 1);
    if (!c) return SEQS_ERR_NOSLOT;
    c->rxbuf = rxbuf;
    c->rxcap = (uint32_t)rxcap;
    c->txbuf = txbuf;
    c->txcap = (uint32_t)txcap;
    c->laddr = la;
    c->raddr = dst;
    c->lport = sport;
    c->rport = dport;
    seqs__tcp_hash_add(s, c);
    c->accepted = 1;
    seqs__tcp_conn_setup(s, c, seqs__tcp_mtu(s, dst));
    c->ws_ok = s->tcp.cfg.wscale;
    c->sack_ok = s->tcp.cfg.sack;
    c->ts_ok = s->tcp.cfg.tstamp;
    uint32_t iss = seqs__tcp_isn(s, la, sport, dst, dport);
    seqs__tcb_connect(&c->tcb, iss);
    c->recover = iss;
    c->rtx_next = c->rtx_end = c->rtx_mark = iss + 1u;   /* sequence-valued fields start inside the space */
    c->send_syn = 1;
    *out = mk_handle(c->gen, (unsigned)(c - s->tcp.conns));
    return SEQS_OK;
}

int seqs_tcp_read(seqs_stack_t *s, seqs_tcp_t h, void *buf, size_t cap) {
    conn_t *c = conn_mut(s, h);
    if (!c) return SEQS_ERR_BADHANDLE;
    if (!buf && cap) return SEQS_ERR_INVAL;
    if (c->user_closed) return SEQS_ERR_CLOSED;
    if (c->rx_len == 0) {
        if (c->err) return c->err;
        uint8_t st = c->tcb.state;
        /* end of stream once the peer's FIN is consumed */
        if (st == SEQS_TCP_CLOSE_WAIT || st == SEQS_TCP_LAST_ACK || st == SEQS_TCP_CLOSING ||
            st == SEQS_TCP_TIME_WAIT || (st == SEQS_TCP_CLOSED && !c->err))
            return 0;
        return SEQS_ERR_AGAIN;
    }
    if (cap > 0x7FFFFFFFu) cap = 0x7FFFFFFFu;
    uint32_t n = c->rx_len < cap ? c->rx_len : (uint32_t)cap;
    uint32_t first = c->rxcap - c->rx_head < n ? c->rxcap - c->rx_head : n;
    memcpy(buf, c->rxbuf + c->rx_head, first);
    if (n > first) memcpy((uint8_t *)buf + first, c->rxbuf, n - first);
    uint32_t before = seqs__tcp_rcv_window(c);
    c->rx_head = (c->rx_head + n) % c->rxcap;
    c->rx_len -= n;
    c->st.bytes_in += n;
    /* window update once the window grew by a useful amount (RFC 9293 3.8.6.2.2) */
    if (seqs__tcb_can_recv(&c->tcb)) {
        uint32_t cur = SEQ_GT(c->rcv_adv, c->tcb.rcv_nxt) ? c->rcv_adv - c->tcb.rcv_nxt : 0;
        uint32_t after = seqs__tcp_rcv_window(c);
        uint32_t thresh = c->rxcap / 2u < 2u * c->rcv_mss ? c->rxcap / 2u : 2u * c->rcv_mss;
        if (after > before && after >= cur + thresh) c->ack_now = 1;
    }
    return (int)n;
}

int seqs_tcp_write(seqs_stack_t *s, seqs_tcp_t h, const void *data, size_t len) {
    conn_t *c = conn_mut(s, h);
    if (!c) return SEQS_ERR_BADHANDLE;
    if (!data && len) return SEQS_ERR_INVAL;
    if (c->err) return c->err;
    if (c->shut_wr || c->user_closed) return SEQS_ERR_CLOSED;
    if (!seqs__tcb_can_send(&c->tcb)) return c->tcb.state == SEQS_TCP_CLOSED ? SEQS_ERR_NOTCONN : SEQS_ERR_CLOSED;
    uint32_t room = c->txcap - c->tx_len;
    if (room == 0) return len ? SEQS_ERR_AGAIN : 0;
    if (len > 0x7FFFFFFFu) len = 0x7FFFFFFFu;
    uint32_t n = room < len ? room : (uint32_t)len;
    uint32_t pos = (c->tx_head + c->tx_len) % c->txcap;
    uint32_t first = c->txcap - pos < n ? c->txcap - pos : n;
    memcpy(c->txbuf + pos, data, first);
    if (n > first) memcpy(c->txbuf, (const uint8_t *)data + first, n - first);
    c->tx_len += n;
    return (int)n;
}

int seqs_tcp_readable(const seqs_stack_t *s, seqs_tcp_t h) {
    const conn_t *c = conn_get(s, h);
    if (!c) return SEQS_ERR_BADHANDLE;
    return (int)c->rx_len;
}

int seqs_tcp_writable(const seqs_stack_t *s, seqs_tcp_t h) {
    const conn_t *c = conn_get(s, h);
    if (!c) return SEQS_ERR_BADHANDLE;
    if (c->shut_wr || c->user_closed || !seqs__tcb_can_send(&c->tcb)) return 0;
    return (int)(c->txcap - c->tx_len);
}

int seqs_tcp_shutdown(seqs_stack_t *s, seqs_tcp_t h) {
    conn_t *c = conn_mut(s, h);
    if (!c) return SEQS_ERR_BADHANDLE;
    if (c->shut_wr) return SEQS_OK;
    c->shut_wr = 1;
    if (seqs__tcb_close(&c->tcb) & TCB_CLOSED) seqs__tcp_conn_closed(s, c);
    return SEQS_OK;
}

int seqs_tcp_close(seqs_stack_t *s, seqs_tcp_t h) {
    conn_t *c = conn_mut(s, h);
    if (!c) return SEQS_ERR_BADHANDLE;
    if (c->user_closed) return SEQS_OK;
    c->user_closed = 1;
    uint8_t st = c->tcb.state;
    if (st == SEQS_TCP_CLOSED) {
        seqs__tcp_conn_release(s, c);
        return SEQS_OK;
    }
    if (c->rx_len && st != SEQS_TCP_SYN_SENT && st != SEQS_TCP_TIME_WAIT) {
        /* RFC 9293 3.6 / RFC 2525 2.17: unread data is lost: tell the peer with a RST */
        send_rst(s, c);
        seqs__tcp_conn_closed(s, c);
        return SEQS_OK;
    }
    c->shut_wr = 1;
    if (seqs__tcb_close(&c->tcb) & TCB_CLOSED) {
        seqs__tcp_conn_closed(s, c);
        return SEQS_OK;
    }
    if (c->tcb.state == SEQS_TCP_FIN_WAIT_2) c->t_state = s->now + tcp_ms(s->tcp.cfg.fin_wait2_ms);
    return SEQS_OK;
}

int seqs_tcp_abort(seqs_stack_t *s, seqs_tcp_t h) {
    conn_t *c = conn_mut(s, h);
    if (!c) return SEQS_ERR_BADHANDLE;
    uint8_t st = c->tcb.state;
    if (st != SEQS_TCP_CLOSED && st != SEQS_TCP_SYN_SENT && st != SEQS_TCP_TIME_WAIT) send_rst(s, c);
    seqs__tcp_conn_release(s, c);
    return SEQS_OK;
}

int seqs_tcp_state(const seqs_stack_t *s, seqs_tcp_t h) {
    const conn_t *c = conn_get(s, h);
    if (!c) return SEQS_ERR_BADHANDLE;
    return c->tcb.state;
}

int seqs_tcp_error(const seqs_stack_t *s, seqs_tcp_t h) {
    const conn_t *c = conn_get(s, h);
    if (!c) return SEQS_ERR_BADHANDLE;
    return c->err;
}

int seqs_tcp_info(const seqs_stack_t *s, seqs_tcp_t h, seqs_tcp_info_t *info) {
    const conn_t *c = conn_get(s, h);
    if (!c) return SEQS_ERR_BADHANDLE;
    if (!info) return SEQS_ERR_INVAL;
    const seqs__tcb_t *t = &c->tcb;
    /* the stored counters are the run segs_in .. keepalive_probes of the info struct */
    _Static_assert(offsetof(seqs_tcp_info_t, keepalive_probes) + sizeof(uint32_t) -
                           offsetof(seqs_tcp_info_t, segs_in) == sizeof(seqs__tcp_stats_t) &&
                       offsetof(seqs__tcp_stats_t, keepalive_probes) + sizeof(uint32_t) == sizeof(seqs__tcp_stats_t),
                   "seqs__tcp_stats_t must mirror seqs_tcp_info_t's counters");
    _Static_assert(offsetof(seqs_tcp_info_t, retransmits) - offsetof(seqs_tcp_info_t, segs_in) ==
                           offsetof(seqs__tcp_stats_t, retransmits) &&
                       offsetof(seqs_tcp_info_t, dup_acks_in) - offsetof(seqs_tcp_info_t, segs_in) ==
                           offsetof(seqs__tcp_stats_t, dup_acks_in),
                   "seqs__tcp_stats_t must list the counters in seqs_tcp_info_t's order");
    memset(info, 0, sizeof *info);
    memcpy(&info->segs_in, &c->st, sizeof c->st);
    info->state = t->state;
    info->sack = c->sack_ok;
    info->wscale = c->ws_ok;
    info->tstamp = c->ts_ok;
    info->snd_wscale = t->snd_shift;
    info->rcv_wscale = t->rcv_shift;
    info->snd_mss = c->mss;
    info->rcv_mss = c->rcv_mss;
    info->local_addr = c->laddr;
    info->remote_addr = c->raddr;
    info->local_port = c->lport;
    info->remote_port = c->rport;
    info->srtt_us = c->srtt_us;
    info->rttvar_us = c->rttvar_us;
    {
        /* the RTO the next retransmission timer uses: RFC 6298 5.5 backoff included */
        uint64_t rto = (uint64_t)c->rto_us << (c->backoff > 16 ? 16 : c->backoff);
        uint64_t max = tcp_ms(s->tcp.cfg.rto_max_ms);
        info->rto_us = (uint32_t)(rto > max ? max : rto);
    }
    info->cwnd = c->cwnd;
    info->ssthresh = c->ssthresh;
    info->snd_wnd = t->snd_wnd;
    info->rcv_wnd = seqs__tcp_rcv_window(c);
    info->flight = t->snd_nxt - t->snd_una;
    info->rx_queued = c->rx_len;
    info->tx_queued = c->tx_len;
    info->iss = t->iss;
    info->irs = t->irs;
    info->snd_una = t->snd_una;
    info->snd_nxt = t->snd_nxt;
    info->rcv_nxt = t->rcv_nxt;
    info->error = c->err;
    return SEQS_OK;
}

int seqs_tcp_setopt(seqs_stack_t *s, seqs_tcp_t h, int opt, uint32_t value) {
    conn_t *c = conn_mut(s, h);
    if (!c) return SEQS_ERR_BADHANDLE;
    switch (opt) {
    case SEQS_TCP_OPT_NODELAY:
        c->nodelay = value != 0;
        return SEQS_OK;
    case SEQS_TCP_OPT_KEEPALIVE:
        c->keepalive = value != 0;
        c->keep_probes = 0;
        c->t_keep = (c->keepalive && c->tcb.state == SEQS_TCP_ESTABLISHED) ? s->now + tcp_ms(s->tcp.cfg.keepidle_ms)
                                                                             : SEQS_NEVER;
        return SEQS_OK;
    case SEQS_TCP_OPT_DELACK:
        c->delack = value != 0;
        return SEQS_OK;
    case SEQS_TCP_OPT_IDLE_MS:
        c->idle_ms = value;
        c->last_data = s->now;
        return SEQS_OK;
    default:
        return SEQS_ERR_INVAL;
    }
}

#if SEQS_NAMES
const char *seqs_tcp_state_name(int state) {
    static const char *const names[] = {"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
                                        "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"};
    if (state < 0 || state > SEQS_TCP_TIME_WAIT) return "INVALID";
    return names[state];
}
#else
const char *seqs_tcp_state_name(int state) {   /* names compiled out (SEQS_NAMES 0) */
    (void)state;
    return "";
}
#endif
