/* SPDX-License-Identifier: BSD-3-Clause */
/* stack/src/tcp/conn.c — connection slots: allocation with generation counts,
 * setup of buffers/MSS/window scale, release, and bare control segments
 * (RSTs, challenge ACKs) that are not tied to a slot. */
#include <string.h>
#include "tcp_int.h"

/* The low 32 bits of n / d for 0 < d < 2^16, by 16-bit digits: only 32-bit
 * divisions (Cortex-M0+ has no 64-bit divide; this avoids libgcc's
 * __aeabi_uldivmod). Each partial dividend is below d * 2^16 < 2^32. */
uint32_t seqs__tcp_div16(uint64_t n, uint32_t d) {
    uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n;
    uint32_t r = hi % d;                                /* the quotient's upper half is dropped */
    uint32_t x = (r << 16) | (lo >> 16);
    uint32_t q1 = x / d;
    x = ((x % d) << 16) | (lo & 0xFFFFu);
    return (q1 << 16) | (x / d);
}

uint32_t seqs__tcp_now_ms(const seqs_stack_t *s) { return seqs__tcp_div16(s->now, US_PER_MS); }

uint16_t seqs__tcp_mtu(seqs_stack_t *s, uint32_t dst) {
    (void)dst;
    uint16_t m = seqs__ip_mtu(s);
    return m >= SEQS_MIN_MTU ? m : SEQS_MIN_MTU;
}

conn_t *seqs__tcp_conn_alloc(seqs_stack_t *s, int evict_time_wait) {
    struct seqs_tcp_state *t = &s->tcp;
    conn_t *tw = NULL;
    for (unsigned i = 0; i < t->max_conns; i++) {
        conn_t *c = &t->conns[i];
        if (!c->used) {
            uint32_t gen = c->gen;
            memset(c, 0, sizeof *c);
            c->gen = gen;
            c->used = 1;
            seqs__tcp_work(s, c);
            return c;
        }
        if (c->tcb.state == SEQS_TCP_TIME_WAIT && (!tw || c->t_state < tw->t_state)) tw = c;
    }
    if (evict_time_wait && tw) {
        /* Reuse the TIME-WAIT slot closest to expiry (its handle goes stale). */
        seqs__tcp_conn_release(s, tw);
        return seqs__tcp_conn_alloc(s, 0);
    }
    return NULL;
}

void seqs__tcp_conn_release(seqs_stack_t *s, conn_t *c) {
    if (c->listener) seqs__tcp_listener_release_slot(s, c);
    seqs__tcp_unwork(s, c);
    seqs__tcp_hash_del(s, c);
    uint32_t gen = c->gen + 1;
    memset(c, 0, sizeof *c);
    c->gen = gen ? gen : 1;
}

static uint8_t wscale_for(uint32_t cap) {
    uint8_t sh = 0;
    while (sh < SEQS_TCP_MAX_WSCALE && (cap >> sh) > 65535u) sh++;
    return sh;
}

void seqs__tcp_conn_setup(seqs_stack_t *s, conn_t *c, uint16_t mtu) {
    const seqs_tcp_config_t *cfg = &s->tcp.cfg;
    c->rcv_mss = (uint16_t)(mtu - 40u);     /* T17: MTU - 40 */
    c->peer_mss = TCP_DEFAULT_MSS;
    c->mss = TCP_DEFAULT_MSS;
    c->rto_us = cfg->rto_init_ms * US_PER_MS;
    c->cwnd = SEQS_TCP_INIT_CWND_SEGS * TCP_DEFAULT_MSS;
    c->ssthresh = 0x7FFFFFFFu;
    c->nodelay = cfg->nodelay;
    c->keepalive = cfg->keepalive;
    c->delack = cfg->delack_ms != 0;
    c->t_rtx = c->t_delack = c->t_state = c->t_keep = c->t_tlp = SEQS_NEVER;
    c->last_rx = s->now;
    c->last_data = s->now;
    c->idle_ms = cfg->idle_ms;
    c->ts_offset = seqs_stack_random(s);
    c->tcb.rcv_shift = 0;
    c->tcb.snd_shift = 0;
}

uint8_t seqs__tcp_wscale_for(uint32_t cap) { return wscale_for(cap); }

/* Negotiated send MSS: the peer's MSS (536 without the option), our MTU,
 * minus the timestamp option carried on every segment (RFC 6691). */
void seqs__tcp_conn_set_mss(conn_t *c, uint16_t mtu) {
    uint32_t m = c->peer_mss;
    if (m > (uint32_t)mtu - 40u) m = (uint32_t)mtu - 40u;
    if (c->ts_ok) m -= 12u;
    if (m < 64u) m = 64u;
    c->mss = (uint16_t)m;
    c->cwnd = SEQS_TCP_INIT_CWND_SEGS * m;
}

void seqs__tcp_conn_set_error(seqs_stack_t *s, conn_t *c, int err) {
    (void)s;
    if (!c->err) c->err = (int16_t)err;
}

void seqs__tcp_conn_closed(seqs_stack_t *s, conn_t *c) {
    c->tcb.state = SEQS_TCP_CLOSED;
    c->t_rtx = c->t_delack = c->t_state = c->t_keep = c->t_tlp = SEQS_NEVER;
    c->tlp_pending = 0;
    c->ack_now = c->send_syn = c->send_synack = c->send_probe = c->send_keepalive = 0;
    c->rtx_active = 0;
    c->ooo_n = 0;
    c->sack_n = 0;
    /* An unaccepted passive connection goes back to LISTEN (the slot is
     * freed); a closed one is gone; otherwise the user still holds the
     * handle and learns the outcome from read()/state(). */
    if (c->user_closed || (c->listener && !c->accepted)) {
        seqs__tcp_conn_release(s, c);
        return;
    }
    /* the application holds the handle: it must close it; if it never does,
     * the slot is reclaimed after a grace time (t_state of a CLOSED connection) */
    if (s->tcp.cfg.closed_reclaim_ms) c->t_state = s->now + tcp_ms(s->tcp.cfg.closed_reclaim_ms);
}

/* RFC 5961 10 / Linux tcp_invalid_ratelimit: one reply to unacceptable
 * segments per connection per invalid_ratelimit_ms, so two stacks that find
 * each other's segments out of window cannot ACK each other forever and a
 * blind flood is not answered segment for segment. */
int seqs__tcp_oow_ok(seqs_stack_t *s, conn_t *c) {
    uint32_t ms = s->tcp.cfg.invalid_ratelimit_ms;
    if (ms && c->last_oow && s->now + 1u - c->last_oow < tcp_ms(ms)) {
        SEQS_CNT(s, tcp_oow_ratelimited);
        return 0;
    }
    c->last_oow = s->now + 1u;
    return 1;
}

int seqs__tcp_challenge_ok(seqs_stack_t *s) {
    struct seqs_tcp_state *t = &s->tcp;
    if (s->now - t->challenge_window >= 1000000u || t->challenge_window > s->now) {
        t->challenge_window = s->now;
        t->challenge_count = 0;
    }
    if (t->challenge_count >= SEQS_TCP_CHALLENGE_ACK_LIMIT) {
        SEQS_CNT(s, tcp_challenge_ratelimited);
        return 0;
    }
    t->challenge_count++;
    SEQS_CNT(s, tcp_tx_challenge_ack);
    return 1;
}

void seqs__tcp_send_ctl(seqs_stack_t *s, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                        uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd, const uint8_t *opts,
                        size_t optlen) {
    uint8_t seg[TCP_HDR + TCP_MAX_OPT];
    if (optlen > TCP_MAX_OPT) optlen = TCP_MAX_OPT;
    size_t hl = TCP_HDR + ((optlen + 3u) & ~(size_t)3u);
    memset(seg, 0, hl);
    seqs__put16(seg, sport);
    seqs__put16(seg + 2, dport);
    seqs__put32(seg + 4, seq);
    seqs__put32(seg + 8, (flags & TCP_ACK) ? ack : 0);
    seg[12] = (uint8_t)((hl / 4u) << 4);
    seg[13] = flags;
    seqs__put16(seg + 14, wnd);
    if (optlen) memcpy(seg + TCP_HDR, opts, optlen);
    uint32_t sum = seqs__csum_pseudo(src, dst, SEQS_PROTO_TCP, (uint16_t)hl);
    seqs__put16(seg + 16, seqs__csum_fold(seqs__csum_add(sum, seg, hl)));
    if (flags & TCP_RST) SEQS_CNT(s, tcp_tx_rst);
    SEQS_CNT(s, tcp_tx);
    (void)seqs__ip_send(s, src, dst, SEQS_PROTO_TCP, seg, hl, 1);
}

void seqs__tcp_reset_reply(seqs_stack_t *s, const tcp_rx_t *r) {
    const seqs__seg_t *g = &r->seg;
    if (g->flags & TCP_RST) return;     /* never answer a RST */
    if (g->flags & TCP_ACK) {
        seqs__tcp_send_ctl(s, r->dst, r->src, r->dport, r->sport, g->ack, 0, TCP_RST, 0, NULL, 0);
    } else {
        uint32_t seglen = g->len + ((g->flags & TCP_SYN) ? 1u : 0u) + ((g->flags & TCP_FIN) ? 1u : 0u);
        seqs__tcp_send_ctl(s, r->dst, r->src, r->dport, r->sport, 0, g->seq + seglen, TCP_RST | TCP_ACK, 0,
                           NULL, 0);
    }
}
