/* SPDX-License-Identifier: BSD-3-Clause */
/* stack/src/tcp/conn_in.c — a segment for a connection: PAWS, the control
 * block, then what it asked for: payload into the receive ring (in order, or
 * into the out-of-order assembler), ACK processing with RTT estimation
 * (RFC 6298), congestion control (RFC 5681, NewReno RFC 6582), the SACK
 * scoreboard (RFC 2018, RFC 6675), and ACK scheduling (delayed ACKs). */
#include <string.h>
#ifdef SEQS_TCP_DEBUG
#include <stdio.h>
#endif
#include "tcp_int.h"

static void ring_put(uint8_t *buf, uint32_t cap, uint32_t pos, const uint8_t *src, uint32_t n) {
    pos %= cap;
    uint32_t first = cap - pos < n ? cap - pos : n;
    memcpy(buf + pos, src, first);
    if (n > first) memcpy(buf, src + first, n - first);
}

/* --- receive side ---------------------------------------------------------- */

/* Adds [a,b) to the out-of-order list; the merged range moves to the front
 * (RFC 2018 4: the first SACK block reports the most recent segment). */
static int ooo_add(conn_t *c, uint32_t a, uint32_t b) {
    seqs__range_t nr = {a, b};
    unsigned i = 0;
    while (i < c->ooo_n) {
        seqs__range_t *r = &c->ooo[i];
        if (SEQ_LEQ(r->start, nr.end) && SEQ_LEQ(nr.start, r->end)) {
            if (SEQ_LT(r->start, nr.start)) nr.start = r->start;
            if (SEQ_GT(r->end, nr.end)) nr.end = r->end;
            memmove(&c->ooo[i], &c->ooo[i + 1], (c->ooo_n - i - 1u) * sizeof nr);
            c->ooo_n--;
        } else {
            i++;
        }
    }
    if (c->ooo_n >= SEQS_TCP_OOO_RANGES) return -1;
    memmove(&c->ooo[1], &c->ooo[0], c->ooo_n * sizeof nr);
    c->ooo[0] = nr;
    c->ooo_n++;
    return 0;
}

static void handle_state(seqs_stack_t *s, conn_t *c, const seqs__tcb_out_t *o);

/* Out-of-order data that became contiguous with RCV.NXT. */
static void ooo_drain(seqs_stack_t *s, conn_t *c) {
    int moved = 1;
    while (moved) {
        moved = 0;
        for (unsigned i = 0; i < c->ooo_n; i++) {
            seqs__range_t r = c->ooo[i];
            if (SEQ_LEQ(r.start, c->tcb.rcv_nxt)) {
                uint32_t n = SEQ_GT(r.end, c->tcb.rcv_nxt) ? r.end - c->tcb.rcv_nxt : 0;
                memmove(&c->ooo[i], &c->ooo[i + 1], (c->ooo_n - i - 1u) * sizeof r);
                c->ooo_n--;
                if (n) {
                    c->rx_len += n;
                    seqs__tcb_out_t o;
                    memset(&o, 0, sizeof o);
                    int fin = c->rcv_fin_ooo && c->rcv_fin_seq == c->tcb.rcv_nxt + n;
                    seqs__tcb_rcv_advance(&c->tcb, n, fin, &o);
                    if (fin) c->rcv_fin_ooo = 0;
                    handle_state(s, c, &o);
                }
                moved = 1;
                break;
            }
        }
    }
    if (c->rcv_fin_ooo && c->rcv_fin_seq == c->tcb.rcv_nxt) {
        seqs__tcb_out_t o;
        memset(&o, 0, sizeof o);
        c->rcv_fin_ooo = 0;
        seqs__tcb_rcv_advance(&c->tcb, 0, 1, &o);
        handle_state(s, c, &o);
    }
}

/* --- send side: SACK scoreboard --------------------------------------------- */

static void sack_add(conn_t *c, uint32_t a, uint32_t b) {
    seqs__range_t nr = {a, b};
    seqs__range_t out[SEQS_TCP_SACK_RANGES + 1];
    unsigned n = 0, placed = 0;
    for (unsigned i = 0; i < c->sack_n; i++) {
        seqs__range_t r = c->sack[i];
        if (SEQ_LT(r.end, nr.start)) {
            out[n++] = r;
        } else if (SEQ_LT(nr.end, r.start)) {
            if (!placed) {
                out[n++] = nr;
                placed = 1;
            }
            out[n++] = r;
        } else {
            if (SEQ_LT(r.start, nr.start)) nr.start = r.start;
            if (SEQ_GT(r.end, nr.end)) nr.end = r.end;
        }
    }
    if (!placed) out[n++] = nr;
    if (n > SEQS_TCP_SACK_RANGES) n = SEQS_TCP_SACK_RANGES;   /* forget the highest range */
    memcpy(c->sack, out, n * sizeof nr);
    c->sack_n = (uint8_t)n;
}

static void sack_prune(conn_t *c) {
    unsigned j = 0;
    for (unsigned i = 0; i < c->sack_n; i++) {
        seqs__range_t r = c->sack[i];
        if (SEQ_LEQ(r.end, c->tcb.snd_una)) continue;
        if (SEQ_LT(r.start, c->tcb.snd_una)) r.start = c->tcb.snd_una;
        c->sack[j++] = r;
    }
    c->sack_n = (uint8_t)j;
}

uint32_t seqs__tcp_sacked_bytes(const conn_t *c) {
    uint32_t n = 0;
    for (unsigned i = 0; i < c->sack_n; i++) n += c->sack[i].end - c->sack[i].start;
    return n;
}

/* --- RTT (RFC 6298) ---------------------------------------------------------- */

static void rto_compute(seqs_stack_t *s, conn_t *c) {
    const seqs_tcp_config_t *cfg = &s->tcp.cfg;
    uint64_t rto = (uint64_t)c->srtt_us + (4u * c->rttvar_us > 1000u ? 4u * (uint64_t)c->rttvar_us : 1000u);
    if (rto < (uint64_t)cfg->rto_min_ms * US_PER_MS) rto = (uint64_t)cfg->rto_min_ms * US_PER_MS;   /* (2.4) */
    if (rto > (uint64_t)cfg->rto_max_ms * US_PER_MS) rto = (uint64_t)cfg->rto_max_ms * US_PER_MS;   /* (2.5) */
    c->rto_us = (uint32_t)rto;
}

static void rtt_sample(seqs_stack_t *s, conn_t *c, uint32_t r_us) {
#ifdef SEQS_TCP_DEBUG
    fprintf(stderr, "%p t=%llu sample %u srtt %u\n", (void *)c, (unsigned long long)s->now, r_us, c->srtt_us);
#endif
    if (r_us == 0) r_us = 1;
    if (c->srtt_us == 0) {
        c->srtt_us = r_us;                  /* (2.2) */
        c->rttvar_us = r_us / 2u;
    } else {                                /* (2.3) */
        uint32_t d = c->srtt_us > r_us ? c->srtt_us - r_us : r_us - c->srtt_us;
        c->rttvar_us = c->rttvar_us - c->rttvar_us / 4u + d / 4u;
        c->srtt_us = c->srtt_us - c->srtt_us / 8u + r_us / 8u;
    }
    rto_compute(s, c);
}

static uint32_t flight(const conn_t *c) { return c->tcb.snd_nxt - c->tcb.snd_una; }

static uint32_t high_sack(const conn_t *c) {
    return c->sack_n ? c->sack[c->sack_n - 1].end : c->tcb.snd_una;
}

static void enter_recovery(seqs_stack_t *s, conn_t *c) {
    (void)s;
    uint32_t mss = c->mss;
    uint32_t f = flight(c);
    c->prior_cwnd = c->cwnd;
    c->prior_ssthresh = c->ssthresh;
    /* something of this flight was already resent (a tail loss probe, an
     * earlier recovery or RTO): the hole may be filled by that copy, whose
     * timestamp is older than our retransmission, which Eifel would misread
     * as "the original arrived": no undo then */
    c->undo_ok = !c->rtx_since_ack && !c->tlp_done && !SEQ_LT(c->tcb.snd_una, c->rtx_next);
    c->mark_ok = 0;
    c->rtx_head = 0;
    c->undo_tsval = 0;
    c->ssthresh = f / 2u > 2u * mss ? f / 2u : 2u * mss;     /* RFC 5681 (4) */
    c->recover = c->tcb.snd_nxt;                              /* RFC 6582 3.2 (2) */
    c->in_recovery = 1;
    c->rtx_active = 1;
    c->rtx_next = c->tcb.snd_una;
    c->rtt_timing = 0;
    c->st.fast_retransmits++;
    if (c->sack_ok && c->sack_n) {
        c->cwnd = c->ssthresh;                                /* RFC 6675 5 (4) */
        c->rtx_end = high_sack(c);
    } else {
        c->cwnd = c->ssthresh + 3u * mss;                     /* RFC 5681 (4)/(5) */
        c->rtx_end = c->tcb.snd_una + mss;
    }
}

static void on_ack(seqs_stack_t *s, conn_t *c, const tcp_rx_t *r, const seqs__tcb_out_t *o, uint32_t prev_una) {
    uint32_t mss = c->mss;
    int new_sack = 0;
    if (c->sack_ok && r->opt.nsack) {
        for (unsigned i = 0; i < r->opt.nsack; i++) {
            seqs__range_t b = r->opt.sack[i];
            /* RFC 2018: only blocks inside (SND.UNA, SND.NXT]; D-SACKs are ignored */
            if (SEQ_LT(b.start, b.end) && SEQ_GEQ(b.start, c->tcb.snd_una) && SEQ_LEQ(b.end, c->tcb.snd_nxt)) {
                sack_add(c, b.start, b.end);
                new_sack = 1;
            }
        }
    }
    if (SEQ_GT(c->tcb.snd_una, prev_una)) {
        uint32_t n = o->acked;
        if (n > c->tx_len) n = c->tx_len;
        c->tx_head = c->txcap ? (c->tx_head + n) % c->txcap : 0;
        c->tx_len -= n;
        c->st.bytes_out += n;
        sack_prune(c);
        /* RTT: timestamps give a sample per ACK (RFC 7323 4); otherwise the
         * one timed segment, never a retransmitted one (Karn). */
        /* an echo older than our last retransmission may come from a stale
         * TS.Recent at the peer (a duplicate it dropped): no sample then */
        if (c->ts_ok && r->opt.has_ts && r->opt.tsecr && (!c->rtx_tsval || SEQ_GEQ(r->opt.tsecr, c->rtx_tsval))) {
            uint32_t now_ts = seqs__tcp_now_ms(s) + c->ts_offset;
            uint32_t d = now_ts - r->opt.tsecr;
            if (d < 0x7FFFFFFFu) rtt_sample(s, c, d * US_PER_MS);
        } else if (c->rtt_timing && SEQ_GEQ(c->tcb.snd_una, c->rtt_seq)) {
            c->rtt_timing = 0;
            rtt_sample(s, c, (uint32_t)(s->now - c->rtt_start));
        } else if (c->srtt_us) {
            rto_compute(s, c);      /* new data acknowledged: drop the backoff */
        }
        if (c->srtt_us == 0) c->rto_us = s->tcp.cfg.rto_init_ms * US_PER_MS;
        c->backoff = 0;
        c->retries = 0;
        c->dupacks = 0;
        c->rtx_head = 0;
        c->rtx_since_ack = 0;
        /* the new first hole was already retransmitted by the walk: watch it
         * from now on (a later, conservative mark than its real send time) */
        c->mark_ok = SEQ_LT(c->tcb.snd_una, c->recover) && SEQ_LT(c->tcb.snd_una, c->rtx_next);
        if (c->mark_ok) c->rtx_mark = c->tcb.snd_nxt;
        /* RFC 3522 (Eifel detection): the ACK echoes a timestamp older than our
         * first retransmission, so the original segment arrived: the recovery
         * was caused by reordering. Undo the reduction (RFC 4015 spirit). */
        if (c->in_recovery && c->ts_ok && c->undo_ok && c->undo_tsval && r->opt.has_ts && r->opt.tsecr &&
            SEQ_LT(r->opt.tsecr, c->undo_tsval)) {
            c->in_recovery = 0;
            c->rtx_active = 0;
            c->undo_tsval = 0;
            if (c->cwnd < c->prior_cwnd) c->cwnd = c->prior_cwnd;
            if (c->ssthresh < c->prior_ssthresh) c->ssthresh = c->prior_ssthresh;
            c->recover = c->tcb.snd_una;
            c->st.spurious_recoveries++;
        }
        if (c->in_recovery) {
            if (SEQ_GEQ(c->tcb.snd_una, c->recover)) {
                c->in_recovery = 0;                          /* full ACK: RFC 6582 3.2 (3) */
                c->rtx_active = 0;
                /* min(ssthresh, max(FlightSize, SMSS) + SMSS): with an empty
                 * flight that is 2 segments, so the peer's delayed ACK does
                 * not stall the restart. */
                uint32_t f = flight(c);
                if (f < mss) f = mss;
                c->cwnd = c->ssthresh < f + mss ? c->ssthresh : f + mss;
            } else if (!c->sack_ok || !c->sack_n) {
                /* partial ACK: retransmit the next hole, deflate (RFC 6582 3.2 (5)) */
                c->rtx_active = 1;
                c->rtx_next = c->tcb.snd_una;
                c->rtx_end = c->tcb.snd_una + mss;
                c->cwnd = c->cwnd > n ? c->cwnd - n + mss : mss;
            } else {
                if (SEQ_LT(c->rtx_next, c->tcb.snd_una)) c->rtx_next = c->tcb.snd_una;
                if (SEQ_GT(high_sack(c), c->rtx_end)) c->rtx_end = high_sack(c);
                c->rtx_active = SEQ_LT(c->rtx_next, c->rtx_end);
            }
        } else {
            if (c->cwnd < c->ssthresh) {
                c->cwnd += n < mss ? n : mss;               /* slow start (RFC 5681 3.1) */
            } else {
                c->ca_acked += n;                           /* congestion avoidance */
                if (c->ca_acked >= c->cwnd) {
                    c->ca_acked -= c->cwnd;
                    c->cwnd += mss;
                }
            }
            if (c->cwnd > 0x3FFFFFFFu) c->cwnd = 0x3FFFFFFFu;
            if (c->rtx_active) {
                if (SEQ_LT(c->rtx_next, c->tcb.snd_una)) c->rtx_next = c->tcb.snd_una;
                if (SEQ_GEQ(c->rtx_next, c->rtx_end)) c->rtx_active = 0;
            }
        }
        /* RFC 6298 5.2/5.3 */
        c->t_rtx = c->tcb.snd_nxt == c->tcb.snd_una ? SEQS_NEVER : s->now + c->rto_us;
        c->persist = 0;
        c->tlp_done = 0;
        c->tlp_pending = 0;
        seqs__tcp_arm_tlp(s, c);
    } else if (o->act & TCB_DUPACK) {
        c->dupacks++;
        c->st.dup_acks_in++;
        if (c->in_recovery && !c->sack_ok) {
            c->cwnd += mss;                                  /* inflate (RFC 5681 (5)) */
        } else if (!c->in_recovery && c->dupacks >= 3 && !SEQ_LT(c->tcb.snd_una, c->recover)) {
            enter_recovery(s, c);                            /* RFC 5681 3.2 / RFC 6582 */
        }
    }
    /* RFC 6675: SACK information counts whatever segment carried it (in a
     * bidirectional transfer most ACKs ride on data and are not "duplicate"). */
    if (c->sack_ok && new_sack) {
        if (c->in_recovery) {
            if (SEQ_GT(high_sack(c), c->rtx_end)) {
                c->rtx_end = high_sack(c);
                c->rtx_active = 1;
            }
        } else if (!SEQ_LT(c->tcb.snd_una, c->recover)) {
            uint32_t f = flight(c), sacked = seqs__tcp_sacked_bytes(c);
            uint32_t oseg = (f + mss - 1u) / mss;
            /* RFC 5827 early retransmit: with fewer than 4 segments out and no
             * new data that may be sent (none queued, or cwnd/window full), all
             * but one SACKed is enough evidence of loss */
            int stuck = c->tx_len <= f || f >= c->cwnd || f >= c->tcb.snd_wnd;
            int early = oseg >= 2 && oseg < 4 && stuck && sacked + mss >= f;
            if (sacked >= 3u * mss || early) enter_recovery(s, c);   /* IsLost: DupThresh SACKed above */
        }
        /* Data sent after our last retransmission of SND.UNA is SACKed while
         * SND.UNA stays: that retransmission was lost too (the idea of RFC 8985
         * RACK, reduced to the first hole). Send it again at once, in fast
         * recovery or after an RTO, instead of waiting for (another) RTO. */
        if (c->mark_ok && !c->rtx_head && SEQ_LT(c->tcb.snd_una, c->recover) &&
            SEQ_GT(high_sack(c), c->rtx_mark + mss)) {
            c->rtx_head = 1;
            c->mark_ok = 0;
        }
    }
}

/* --- state actions ------------------------------------------------------------ */

static void handle_state(seqs_stack_t *s, conn_t *c, const seqs__tcb_out_t *o) {
    const seqs_tcp_config_t *cfg = &s->tcp.cfg;
    if (o->act & TCB_ACK) c->ack_now = 1;
    if (o->act & TCB_FIN_IN) c->ack_now = 1;
    if (o->act & TCB_FIN_WAIT_2) {
        /* a FIN-WAIT-2 whose user closed must not wait forever for the peer */
        if (c->user_closed) c->t_state = s->now + tcp_ms(cfg->fin_wait2_ms);
    }
    if (o->act & TCB_TIME_WAIT) {
        c->t_state = s->now + 2u * tcp_ms(cfg->msl_ms);
        c->t_rtx = SEQS_NEVER;
        c->t_tlp = SEQS_NEVER;
        c->tlp_pending = 0;
        c->t_keep = SEQS_NEVER;
        c->rtx_active = 0;
        c->tx_len = 0;      /* everything was acknowledged (our FIN included) */
        /* TIME-WAIT needs no buffers: a listener's pool slot is free again */
        if (c->listener) {
            seqs__tcp_listener_release_slot(s, c);
            c->listener = 0;
        }
    }
}

static void established(seqs_stack_t *s, conn_t *c) {
    SEQS_CNT(s, tcp_conn_opened);
    c->order = ++s->tcp.order;
    c->retries = 0;
    c->backoff = 0;
    c->t_state = SEQS_NEVER;    /* the handshake timeout of a passive open */
    c->last_data = s->now;
    if (c->keepalive) c->t_keep = s->now + tcp_ms(s->tcp.cfg.keepidle_ms);
    /* RFC 6298 5.7: a SYN that timed out leaves RTO at 3 s until a sample */
    if (c->srtt_us == 0 && c->st.retransmits) c->rto_us = 3000000u;
    c->t_rtx = c->tcb.snd_nxt == c->tcb.snd_una ? SEQS_NEVER : s->now + c->rto_us;
}

void seqs__tcp_conn_input(seqs_stack_t *s, conn_t *c, const tcp_rx_t *r) {
    seqs__tcb_t *t = &c->tcb;
    const seqs__seg_t *g = &r->seg;
    c->st.segs_in++;
    seqs__tcp_work(s, c);
    seqs__tcp_idle_restart(s, c);

    /* SYN-SENT: options of the SYN-ACK (RFC 7323 2.2, RFC 2018 2, RFC 9293 3.7.1) */
    if (t->state == SEQS_TCP_SYN_SENT && (g->flags & TCP_SYN) && !(g->flags & TCP_RST)) {
        c->peer_mss = r->opt.has_mss ? r->opt.mss : TCP_DEFAULT_MSS;
        if (c->ws_ok && r->opt.has_ws) {
            t->snd_shift = r->opt.ws;
            t->rcv_shift = seqs__tcp_wscale_for(c->rxcap);
        } else {
            c->ws_ok = 0;
            t->snd_shift = t->rcv_shift = 0;
        }
        c->sack_ok = c->sack_ok && r->opt.sack_perm;
        c->ts_ok = c->ts_ok && r->opt.has_ts;
        if (c->ts_ok) c->ts_recent = r->opt.tsval;
    }

    /* RFC 7323 5.3 PAWS: a segment whose TSval is older than TS.Recent is a
     * duplicate from an earlier wrap; ACK it and drop it (never for RST). */
    if (c->ts_ok && r->opt.has_ts && t->state != SEQS_TCP_SYN_SENT && !(g->flags & TCP_RST) &&
        SEQ_LT(r->opt.tsval, c->ts_recent)) {
        SEQS_CNT(s, tcp_drop_paws);
        if (seqs__tcp_oow_ok(s, c)) c->ack_now = 1;
        return;
    }

    t->rcv_wnd = SEQ_GT(c->rcv_adv, t->rcv_nxt) ? c->rcv_adv - t->rcv_nxt : 0;
    if (t->rcv_wnd > c->rxcap - c->rx_len) t->rcv_wnd = c->rxcap - c->rx_len;
    uint8_t prev_state = t->state;
    uint32_t prev_una = t->snd_una;
    uint32_t prev_rcv_nxt = t->rcv_nxt;
    seqs__tcb_out_t o;
    seqs__tcb_input(t, g, &o);
    if (o.act & TCB_OOW) {
        SEQS_CNT(s, tcp_drop_unacceptable);
        if (!seqs__tcp_oow_ok(s, c)) o.act &= ~(uint32_t)TCB_ACK;
    }
    if (o.data_len || o.fin || o.acked) c->last_data = s->now;
    if (prev_state == SEQS_TCP_SYN_SENT && t->state != SEQS_TCP_SYN_SENT && t->state != SEQS_TCP_CLOSED) {
        /* RCV.NXT is known now: the window our SYN offered starts here */
        c->rcv_adv = t->rcv_nxt + (c->rxcap < 65535u ? c->rxcap : 65535u);
    }

    /* TS.Recent from a segment that covers the last ACK we sent (RFC 7323 4.3) */
    if (c->ts_ok && r->opt.has_ts && !(o.act & TCB_DROP && o.act & TCB_ACK && !o.data_len) &&
        SEQ_LEQ(g->seq, prev_rcv_nxt) && SEQ_GEQ(r->opt.tsval, c->ts_recent))
        c->ts_recent = r->opt.tsval;

    if (o.act & TCB_RST) {
        seqs__tcp_send_ctl(s, c->laddr, c->raddr, c->lport, c->rport, o.rst_seq, o.rst_ack, o.rst_flags, 0, NULL,
                           0);
    }
    if (o.act & TCB_CHALLENGE) {
        if (seqs__tcp_challenge_ok(s)) c->ack_now = 1;
    }
    if (o.act & TCB_SYNACK) {
        c->send_synack = 1;
        if (prev_state == SEQS_TCP_SYN_SENT) {
            seqs__tcp_conn_set_mss(c, seqs__tcp_mtu(s, c->raddr));
            c->t_rtx = s->now + c->rto_us;
        }
    }
    if (o.act & TCB_LISTEN) {
        seqs__tcp_conn_closed(s, c);    /* unaccepted: back to LISTEN (T9) */
        return;
    }
    if (o.act & TCB_RESET) {
        SEQS_CNT(s, tcp_conn_reset);
        seqs__tcp_conn_set_error(s, c, o.err);
        seqs__tcp_conn_closed(s, c);
        return;
    }
    if (o.act & TCB_CLOSED) {
        seqs__tcp_conn_closed(s, c);
        return;
    }
    if (o.act & TCB_TW_SYN) {
        /* RFC 6191 spirit: a new incarnation may replace TIME-WAIT when a
         * listener wants it; otherwise challenge it like any SYN. */
        listener_t *l = seqs__tcp_find_listener(s, c->lport);
        if (l) {
            c->tcb.state = SEQS_TCP_CLOSED;
            seqs__tcp_conn_closed(s, c);
            if (c->used) seqs__tcp_conn_release(s, c);
            seqs__tcp_listen_input(s, l, r);
            return;
        }
        if (seqs__tcp_challenge_ok(s)) c->ack_now = 1;
        return;
    }
    if (o.act & TCB_ESTABLISHED) {
        if (prev_state == SEQS_TCP_SYN_SENT) seqs__tcp_conn_set_mss(c, seqs__tcp_mtu(s, c->raddr));
        c->send_syn = c->send_synack = 0;
        established(s, c);
    }
    if (!(o.act & TCB_DROP) || o.acked || (o.act & TCB_DUPACK)) {
        c->last_rx = s->now;
        if (c->keepalive && t->state == SEQS_TCP_ESTABLISHED) c->t_keep = s->now + tcp_ms(s->tcp.cfg.keepidle_ms);
        c->keep_probes = 0;
    }
    if (t->syn_acked && prev_state != SEQS_TCP_SYN_SENT) on_ack(s, c, r, &o, prev_una);
    if (t->snd_wnd > 0 && c->persist) {
        c->persist = 0;
        c->backoff = 0;
        c->t_rtx = t->snd_nxt == t->snd_una ? SEQS_NEVER : s->now + c->rto_us;
    }

    /* New data after the application closed cannot be delivered: reset
     * (RFC 9293 3.10.7.4 / RFC 2525 2.17, as Linux does). */
    if (c->user_closed && o.data_len && seqs__tcb_can_recv(t)) {
        seqs__tcp_send_ctl(s, c->laddr, c->raddr, c->lport, c->rport, t->snd_nxt, t->rcv_nxt, TCP_RST | TCP_ACK, 0,
                           NULL, 0);
        seqs__tcp_conn_set_error(s, c, SEQS_ERR_RESET);
        seqs__tcp_conn_closed(s, c);
        return;
    }

    /* payload */
    if (o.data_len || o.fin) {
        const uint8_t *p = r->payload + o.data_off;
        if (o.act & TCB_OOO) {
            c->st.ooo_segs_in++;
            uint32_t off = o.data_seq - t->rcv_nxt;
            if (o.data_len) {
                if (ooo_add(c, o.data_seq, o.data_seq + o.data_len) == 0) {
                    ring_put(c->rxbuf, c->rxcap, c->rx_head + c->rx_len + off, p, o.data_len);
                } else {
                    SEQS_CNT(s, tcp_drop_ooo_full);
                }
            }
            if (o.fin) {
                c->rcv_fin_ooo = 1;
                c->rcv_fin_seq = o.data_seq + o.data_len;
            }
        } else if (o.data_len) {
            ring_put(c->rxbuf, c->rxcap, c->rx_head + c->rx_len, p, o.data_len);
            c->rx_len += o.data_len;
            int had_ooo = c->ooo_n != 0;
            ooo_drain(s, c);
            /* RFC 9293 3.8.6.3 / RFC 5681 4.2: ACK at least every second full
             * segment, at once when a hole was filled, else within delack. */
            if (had_ooo || !c->delack) {
                c->ack_now = 1;
            } else {
                c->ack_pending++;
                if (c->ack_pending >= 2) c->ack_now = 1;
                else if (c->t_delack == SEQS_NEVER) c->t_delack = s->now + tcp_ms(s->tcp.cfg.delack_ms);
            }
        }
    }
    handle_state(s, c, &o);
}
