/* SPDX-License-Identifier: BSD-3-Clause */
/* stack/src/tcp/conn_out.c — what a connection sends next, and its timers.
 *
 * plan() is a pure function of the connection: the deadline (const) and
 * the output use the same decision, so "a segment is ready" never disagrees
 * with "output produced one". Order: SYN / SYN-ACK, retransmission of holes
 * (RTO or fast recovery, skipping SACKed data), new data within
 * min(cwnd, SND.WND) subject to Nagle and sender SWS avoidance (RFC 9293
 * 3.7.4, 3.8.6.2.1), FIN, zero-window or keep-alive probe, pure ACK. */
#include <string.h>
#include "tcp_int.h"

typedef struct plan {
    uint8_t flags;          /* 0: nothing to send */
    uint8_t rtx;            /* a retransmission */
    uint8_t probe;          /* zero-window probe / keep-alive: SEQ is below SND.NXT, no state change */
    uint8_t tlp;            /* a tail loss probe */
    uint32_t seq, len;
} plan_t;

static uint32_t fin_unacked(const seqs__tcb_t *t) { return t->fin_sent && SEQ_LEQ(t->snd_una, t->fin_seq); }

/* Data bytes (from SND.UNA) already sent at least once. */
static uint32_t data_sent(const conn_t *c) {
    const seqs__tcb_t *t = &c->tcb;
    uint32_t n = t->snd_nxt - t->snd_una;
    if (!t->syn_acked && n) n--;
    if (fin_unacked(t) && n) n--;
    return n;
}

static uint32_t unsent(const conn_t *c) {
    uint32_t s = data_sent(c);
    return c->tx_len > s ? c->tx_len - s : 0;
}

static uint32_t unsacked_in(const conn_t *c, uint32_t a, uint32_t b) {
    if (!SEQ_LT(a, b)) return 0;
    uint32_t n = b - a;
    for (unsigned i = 0; i < c->sack_n; i++) {
        uint32_t s = c->sack[i].start, e = c->sack[i].end;
        if (SEQ_LT(s, a)) s = a;
        if (SEQ_GT(e, b)) e = b;
        if (SEQ_LT(s, e)) n -= e - s;
    }
    return n;
}

/* RFC 6675 pipe, simplified: bytes in flight minus SACKed ones minus the
 * holes still waiting to be retransmitted. */
static uint32_t pipe_bytes(const conn_t *c) {
    uint32_t f = c->tcb.snd_nxt - c->tcb.snd_una;
    if (!c->rtx_active || (c->in_recovery && !(c->sack_ok && c->sack_n))) return f;
    uint32_t sub = seqs__tcp_sacked_bytes(c) + unsacked_in(c, c->rtx_next, c->rtx_end);
    return f > sub ? f - sub : 0;
}

static unsigned sack_blocks(const conn_t *c) {
    if (!c->sack_ok || !c->ooo_n) return 0;
    unsigned max = c->ts_ok ? 3u : 4u;
    return c->ooo_n < max ? c->ooo_n : max;
}

static uint32_t payload_max(const conn_t *c) {
    uint32_t m = c->mss;
    unsigned nb = sack_blocks(c);
    if (nb) m -= 4u + 8u * nb;
    return m;
}

static int plan(const conn_t *c, plan_t *p) {
    const seqs__tcb_t *t = &c->tcb;
    memset(p, 0, sizeof *p);
    switch (t->state) {
    case SEQS_TCP_CLOSED:
    case SEQS_TCP_LISTEN:
        return 0;
    case SEQS_TCP_SYN_SENT:
        if (c->send_syn) {
            p->flags = TCP_SYN;
            p->seq = t->iss;
            p->rtx = t->snd_nxt != t->iss;
            return 1;
        }
        return 0;
    case SEQS_TCP_TIME_WAIT:
        if (c->ack_now) {
            p->flags = TCP_ACK;
            p->seq = t->snd_nxt;
            return 1;
        }
        return 0;
    default:
        break;
    }
    if (t->state == SEQS_TCP_SYN_RECEIVED && c->send_synack) {
        p->flags = TCP_SYN | TCP_ACK;
        p->seq = t->iss;
        p->rtx = t->snd_nxt != t->iss;
        return 1;
    }
    if (t->syn_acked) {
        uint32_t pm = payload_max(c);
        uint32_t cwnd = c->cwnd;
        /* RFC 3042 limited transmit: one new segment for each of the first two duplicate ACKs */
        if (!c->in_recovery && c->dupacks && c->dupacks < 3) cwnd += (uint32_t)c->dupacks * c->mss;
        /* the retransmission of SND.UNA was lost: once more, before anything else */
        if (c->rtx_head) {
            uint32_t lim = t->snd_una + pm;
            for (unsigned i = 0; i < c->sack_n; i++)
                if (SEQ_GT(c->sack[i].start, t->snd_una) && SEQ_LT(c->sack[i].start, lim)) lim = c->sack[i].start;
            uint32_t len = lim - t->snd_una;
            if (len > c->tx_len) len = c->tx_len;
            p->seq = t->snd_una;
            p->len = len;
            p->rtx = 1;
            p->flags = TCP_ACK;
            if (t->fin_sent && t->snd_una + len == t->fin_seq) p->flags |= TCP_FIN;
            if (len || (p->flags & TCP_FIN)) return 1;
        }
        /* retransmission: the next hole in [rtx_next, rtx_end) */
        if (c->rtx_active) {
            uint32_t seq = c->rtx_next;
            if (SEQ_LT(seq, t->snd_una)) seq = t->snd_una;
            uint32_t lim = c->rtx_end;
            for (unsigned i = 0; i < c->sack_n; i++) {
                if (SEQ_LEQ(c->sack[i].start, seq) && SEQ_LT(seq, c->sack[i].end)) seq = c->sack[i].end;
                else if (SEQ_GT(c->sack[i].start, seq) && SEQ_LT(c->sack[i].start, lim)) lim = c->sack[i].start;
            }
            if (SEQ_LT(seq, lim) && SEQ_LT(seq, t->snd_nxt) && (seq == t->snd_una || pipe_bytes(c) < cwnd)) {
                uint32_t off = seq - t->snd_una;
                uint32_t avail = c->tx_len > off ? c->tx_len - off : 0;
                uint32_t len = lim - seq;
                if (len > avail) len = avail;
                if (len > pm) len = pm;
                p->seq = seq;
                p->len = len;
                p->rtx = 1;
                p->flags = TCP_ACK;
                if (t->fin_sent && seq + len == t->fin_seq && SEQ_LT(t->fin_seq, t->snd_nxt) &&
                    SEQ_LT(t->fin_seq, c->rtx_end))
                    p->flags |= TCP_FIN;
                if (len && len == avail) p->flags |= TCP_PSH;
                if (len || (p->flags & TCP_FIN)) return 1;
            }
        }
        /* RFC 8985 7.3: the tail loss probe, new data if the peer's window
         * allows it (cwnd does not limit a probe), else the last segment again */
        if (c->tlp_pending) {
            uint32_t u0 = t->fin_sent ? 0 : unsent(c);
            uint32_t edge = t->snd_una + t->snd_wnd;
            uint32_t wroom = SEQ_GT(edge, t->snd_nxt) ? edge - t->snd_nxt : 0;
            p->tlp = 1;
            p->flags = TCP_ACK;
            if (u0 && wroom) {
                p->seq = t->snd_nxt;
                p->len = u0 < pm ? u0 : pm;
                if (p->len > wroom) p->len = wroom;
                if (p->len == u0) p->flags |= TCP_PSH;
                return 1;
            }
            uint32_t dend = t->fin_sent ? t->fin_seq : t->snd_nxt;
            uint32_t sent_data = dend - t->snd_una;
            uint32_t len = sent_data < pm ? sent_data : pm;
            p->seq = dend - len;
            p->len = len;
            p->rtx = 1;
            if (t->fin_sent) p->flags |= TCP_FIN;
            return 1;
        }
        /* new data */
        uint32_t u = t->fin_sent ? 0 : unsent(c);
        if (u && t->state != SEQS_TCP_SYN_RECEIVED) {
            uint32_t edge = t->snd_una + t->snd_wnd;
            uint32_t wroom = SEQ_GT(edge, t->snd_nxt) ? edge - t->snd_nxt : 0;
            uint32_t pb = pipe_bytes(c);
            uint32_t croom = cwnd > pb ? cwnd - pb : 0;
            uint32_t room = wroom < croom ? wroom : croom;
            uint32_t len = u < pm ? u : pm;
            if (len > room) len = room;
            if (len) {
                uint32_t inflight = t->snd_nxt - t->snd_una;
                int ok = len == pm                                          /* a full segment */
                         || (len == u && (c->nodelay || inflight == 0 || t->fin_queued)) /* Nagle */
                         || (inflight == 0 && len == wroom)                 /* SWS override: window-limited, idle */
                         || (t->max_snd_wnd && len >= t->max_snd_wnd / 2u && len == wroom);
                if (ok) {
                    p->seq = t->snd_nxt;
                    p->len = len;
                    p->flags = TCP_ACK;
                    if (len == u) {
                        p->flags |= TCP_PSH;
                        if (t->fin_queued) p->flags |= TCP_FIN;
                    }
                    return 1;
                }
            }
        }
        if (t->fin_queued && !t->fin_sent && u == 0 && t->state != SEQS_TCP_SYN_RECEIVED) {
            p->seq = t->snd_nxt;
            p->flags = TCP_ACK | TCP_FIN;
            return 1;
        }
        if (c->send_probe) {
            /* zero-window probe: an old sequence number forces an ACK with the window */
            p->seq = t->snd_una - 1u;
            p->flags = TCP_ACK;
            p->probe = 1;
            return 1;
        }
        if (c->send_keepalive) {
            p->seq = t->snd_nxt - 1u;      /* RFC 9293 3.8.4 */
            p->flags = TCP_ACK;
            p->probe = 1;
            return 1;
        }
    }
    if (c->ack_now) {
        p->flags = TCP_ACK;
        p->seq = t->snd_nxt;
        return 1;
    }
    return 0;
}

uint32_t seqs__tcp_rcv_window(const conn_t *c) {
    uint32_t free = c->rxcap - c->rx_len;
    uint32_t cur = SEQ_GT(c->rcv_adv, c->tcb.rcv_nxt) ? c->rcv_adv - c->tcb.rcv_nxt : 0;
    uint32_t thresh = c->rxcap / 2u < c->rcv_mss ? c->rxcap / 2u : c->rcv_mss;
    /* RFC 9293 3.8.6.2.2: move the right edge only by a useful amount */
    uint32_t w = free >= cur + thresh ? free : cur;
    if (w > free) w = free;
    uint32_t max = 65535u << c->tcb.rcv_shift;
    return w > max ? max : w;
}

static size_t put_ts(const conn_t *c, const seqs_stack_t *s, uint8_t *o, int nops) {
    size_t n = 0;
    if (nops) {
        o[n++] = 1;
        o[n++] = 1;
    }
    o[n++] = 8;
    o[n++] = 10;
    seqs__put32(o + n, seqs__tcp_now_ms(s) + c->ts_offset);
    seqs__put32(o + n + 4, c->ts_recent);
    return n + 8;
}

static size_t build_opts(const seqs_stack_t *s, const conn_t *c, uint8_t flags, uint8_t *o) {
    size_t n = 0;
    if (flags & TCP_SYN) {
        o[n++] = 2;
        o[n++] = 4;
        seqs__put16(o + n, c->rcv_mss);
        n += 2;
        if (c->sack_ok && c->ts_ok) {
            o[n++] = 4;
            o[n++] = 2;
            n += put_ts(c, s, o + n, 0);
        } else if (c->ts_ok) {
            n += put_ts(c, s, o + n, 1);
        } else if (c->sack_ok) {
            o[n++] = 1;
            o[n++] = 1;
            o[n++] = 4;
            o[n++] = 2;
        }
        if (c->ws_ok) {
            o[n++] = 1;
            o[n++] = 3;
            o[n++] = 3;
            o[n++] = seqs__tcp_wscale_for(c->rxcap);
        }
        return n;   /* in SYN-SENT TS.Recent is still 0: our SYN's TSecr is 0 */
    }
    if (c->ts_ok) n += put_ts(c, s, o + n, 1);
    unsigned nb = sack_blocks(c);
    if (nb && (flags & TCP_ACK)) {
        o[n++] = 1;
        o[n++] = 1;
        o[n++] = 5;
        o[n++] = (uint8_t)(2u + 8u * nb);
        for (unsigned i = 0; i < nb; i++) {
            seqs__put32(o + n, c->ooo[i].start);
            seqs__put32(o + n + 4, c->ooo[i].end);
            n += 8;
        }
    }
    return n;
}

static uint64_t backoff_deadline(const seqs_stack_t *s, const conn_t *c) {
    uint64_t rto = (uint64_t)c->rto_us << (c->backoff > 16 ? 16 : c->backoff);
    uint64_t max = tcp_ms(s->tcp.cfg.rto_max_ms);
    return s->now + (rto > max ? max : rto);
}

/* RFC 8985 7.2: PTO = 2*SRTT (+ a delayed-ACK allowance when one segment is
 * out), only outside recovery, once per tail, and only if it beats the RTO. */
void seqs__tcp_arm_tlp(seqs_stack_t *s, conn_t *c) {
    const seqs__tcb_t *t = &c->tcb;
    c->t_tlp = SEQS_NEVER;
    if (!c->sack_ok || !c->srtt_us || c->tlp_done || c->in_recovery || c->rtx_active || c->persist ||
        t->snd_nxt == t->snd_una || !t->syn_acked)
        return;
    uint64_t pto = 2u * (uint64_t)c->srtt_us;
    if (t->snd_nxt - t->snd_una <= c->mss) pto += tcp_ms(s->tcp.cfg.delack_ms ? s->tcp.cfg.delack_ms : 40u);
    if (pto < 10000u) pto = 10000u;
    if (s->now + pto < c->t_rtx) c->t_tlp = s->now + pto;
}

static void arm_persist(seqs_stack_t *s, conn_t *c) {
    const seqs__tcb_t *t = &c->tcb;
    if (!t->syn_acked || t->fin_sent || c->t_rtx != SEQS_NEVER || t->snd_nxt != t->snd_una) return;
    if (t->state == SEQS_TCP_TIME_WAIT || t->state == SEQS_TCP_CLOSED) return;
    if (unsent(c) && t->snd_wnd == 0) {
        /* RFC 9293 3.8.6.1: probe a zero window, with backoff, forever */
        c->persist = 1;
        c->t_rtx = backoff_deadline(s, c);
    }
}

static int emit(seqs_stack_t *s, conn_t *c, uint8_t *buf, size_t cap, const plan_t *p) {
    seqs__tcb_t *t = &c->tcb;
    uint8_t opts[TCP_MAX_OPT];
    size_t olen = build_opts(s, c, p->flags, opts);
    size_t hl = TCP_HDR + ((olen + 3u) & ~(size_t)3u);
    uint32_t len = p->len;
    int written = 0;
    /* a buffer too small for the headers (+1 byte of data when there is data):
     * nothing changes, the caller is told (seqs_stack_output's SEQS_ERR_NOBUFS) */
    if (cap < SEQS_TX_L4_OFF + hl + (len ? 1u : 0u)) return SEQS_ERR_NOBUFS;
    {
        if (len > cap - SEQS_TX_L4_OFF - hl) len = (uint32_t)(cap - SEQS_TX_L4_OFF - hl);
        uint8_t *h = buf + SEQS_TX_L4_OFF;
        memset(h, 0, hl);
        seqs__put16(h, c->lport);
        seqs__put16(h + 2, c->rport);
        seqs__put32(h + 4, p->seq);
        seqs__put32(h + 8, (p->flags & TCP_ACK) ? t->rcv_nxt : 0);
        h[12] = (uint8_t)((hl / 4u) << 4);
        uint8_t flags = p->flags;
        if (len != p->len) flags = (uint8_t)(flags & ~(TCP_FIN | TCP_PSH));
        h[13] = flags;
        uint32_t w = seqs__tcp_rcv_window(c);
        uint16_t field;
        if (p->flags & TCP_SYN) {
            field = (uint16_t)(w > 65535u ? 65535u : w);     /* never scaled (RFC 7323 2.2) */
        } else {
            uint32_t f = w >> t->rcv_shift;
            field = (uint16_t)(f > 65535u ? 65535u : f);
        }
        seqs__put16(h + 14, field);
        memcpy(h + TCP_HDR, opts, olen);
        if (len) {
            uint32_t off = (p->seq - t->snd_una) + c->tx_head;
            off %= c->txcap;
            uint32_t first = c->txcap - off < len ? c->txcap - off : len;
            memcpy(h + hl, c->txbuf + off, first);
            if (len > first) memcpy(h + hl + first, c->txbuf, len - first);
        }
        size_t tl = hl + len;
        uint32_t sum = seqs__csum_pseudo(c->laddr, c->raddr, SEQS_PROTO_TCP, (uint16_t)tl);
        seqs__put16(h + 16, seqs__csum_fold(seqs__csum_add(sum, h, tl)));
        seqs__route_t rt;
        memset(&rt, 0, sizeof rt);
        int rc = seqs__ip_route(s, c->raddr, &rt);
        if (rc == SEQS_OK && rt.src == c->laddr && SEQS_TX_L4_OFF + tl <= cap) {
            written = (int)seqs__ip_emit(s, buf, &rt, SEQS_PROTO_TCP, tl, 1);
        } else if (rc == SEQS_ERR_AGAIN || rc == SEQS_OK) {
            /* ARP still resolving: queue it behind the resolution */
            (void)seqs__ip_send(s, c->laddr, c->raddr, SEQS_PROTO_TCP, h, tl, 1);
        }
        /* else: no route; the segment counts as sent and lost (timers recover),
         * except that a SYN to a neighbour that failed to resolve ends connect()
         * (RFC 1122 4.2.3.9 treats host unreachable as fatal while connecting) */
        if (rc == SEQS_ERR_UNREACH && t->state == SEQS_TCP_SYN_SENT && p->rtx) {
            seqs__tcp_conn_set_error(s, c, SEQS_ERR_UNREACH);
            seqs__tcp_conn_closed(s, c);
            return 0;
        }
        if (!(p->flags & TCP_SYN) && SEQ_GT(t->rcv_nxt + ((uint32_t)field << t->rcv_shift), c->rcv_adv))
            c->rcv_adv = t->rcv_nxt + ((uint32_t)field << t->rcv_shift);
        if ((p->flags & TCP_SYN) && (p->flags & TCP_ACK) && SEQ_GT(t->rcv_nxt + field, c->rcv_adv))
            c->rcv_adv = t->rcv_nxt + field;
        SEQS_CNT(s, tcp_tx);
        c->st.segs_out++;
    }

    /* bookkeeping (also when the frame could not be emitted: it is "lost") */
    uint8_t sent_flags = p->flags;
    if (len != p->len) sent_flags = (uint8_t)(sent_flags & ~TCP_FIN);
    if (p->tlp) {
        c->tlp_pending = 0;
        c->st.tail_loss_probes++;
    }
    if (p->probe) {
        if (c->send_probe) {
            c->send_probe = 0;
        } else {
            c->send_keepalive = 0;
            c->st.keepalive_probes++;
        }
    } else {
        if (len || (sent_flags & (TCP_SYN | TCP_FIN))) {
            if (len) c->last_send = s->now;
            seqs__tcb_sent(t, p->seq, len, sent_flags);
            if (c->t_rtx == SEQS_NEVER || c->persist) {
                c->persist = 0;
                c->t_rtx = backoff_deadline(s, c);
            }
        }
        if (p->rtx) {
            c->st.retransmits++;
            SEQS_CNT(s, tcp_tx_retransmit);
            c->rtt_timing = 0;      /* Karn */
            c->rtx_since_ack = 1;
            /* exactly the TSval this segment carried (0 means "none": a 2^-32 blind spot) */
            c->rtx_tsval = seqs__tcp_now_ms(s) + c->ts_offset;
            if (c->in_recovery && !c->undo_tsval) c->undo_tsval = c->rtx_tsval;
            if (p->seq == t->snd_una) {
                c->rtx_mark = t->snd_nxt;
                c->mark_ok = 1;
                c->rtx_head = 0;
            }
            if (!(sent_flags & TCP_SYN) && !p->tlp) {
                c->rtx_next = p->seq + len + ((sent_flags & TCP_FIN) ? 1u : 0u);
                if (SEQ_GEQ(c->rtx_next, c->rtx_end)) c->rtx_active = 0;
            }
        } else if (len && !c->rtt_timing && !c->ts_ok) {
            c->rtt_timing = 1;
            c->rtt_seq = p->seq + len;
            c->rtt_start = s->now;
        }
        if (sent_flags & TCP_SYN) {
            if (sent_flags & TCP_ACK) c->send_synack = 0;
            else c->send_syn = 0;
        }
    }
    if (p->flags & TCP_ACK) {
        c->ack_now = 0;
        c->ack_pending = 0;
        c->t_delack = SEQS_NEVER;
    }
    if (len && !p->rtx) seqs__tcp_arm_tlp(s, c);
    arm_persist(s, c);
    return written;
}

int seqs__tcp_conn_output(seqs_stack_t *s, conn_t *c, uint8_t *buf, size_t cap) {
    plan_t p;
    seqs__tcp_idle_restart(s, c);
    for (int guard = 0; guard < 4; guard++) {
        if (!plan(c, &p)) return 0;
        int n = emit(s, c, buf, cap, &p);
        if (n != 0) return n;   /* a frame, or SEQS_ERR_NOBUFS */
    }
    return 0;
}

/* When the idle timeout fires: no payload either way for idle_ms, in a
 * state where the peer or we could still send some. */
static uint64_t idle_due(const conn_t *c) {
    uint8_t st = c->tcb.state;
    if (!c->idle_ms || st == SEQS_TCP_CLOSED || st == SEQS_TCP_SYN_SENT || st == SEQS_TCP_SYN_RECEIVED || st == SEQS_TCP_TIME_WAIT ||
        st == SEQS_TCP_LAST_ACK || st == SEQS_TCP_CLOSING)
        return SEQS_NEVER;
    return c->last_data + tcp_ms(c->idle_ms);
}

uint64_t seqs__tcp_conn_deadline(const seqs_stack_t *s, const conn_t *c) {
    plan_t p;
    if (plan(c, &p)) return s->now;
    return seqs__tcp_conn_timer_deadline(c);
}

uint64_t seqs__tcp_conn_timer_deadline(const conn_t *c) {
    uint64_t d = c->t_rtx;
    if (c->t_delack < d) d = c->t_delack;
    if (c->t_state < d) d = c->t_state;
    if (c->t_keep < d) d = c->t_keep;
    if (c->t_tlp < d) d = c->t_tlp;
    uint64_t i = idle_due(c);
    if (i < d) d = i;
    return d;
}

static void give_up(seqs_stack_t *s, conn_t *c, int send_rst) {
    SEQS_CNT(s, tcp_conn_timeout);
    if (send_rst)
        seqs__tcp_send_ctl(s, c->laddr, c->raddr, c->lport, c->rport, c->tcb.snd_nxt, c->tcb.rcv_nxt,
                           TCP_RST | TCP_ACK, 0, NULL, 0);
    seqs__tcp_conn_set_error(s, c, c->soft_err ? SEQS_ERR_UNREACH : SEQS_ERR_TIMEDOUT);
    seqs__tcp_conn_closed(s, c);
}

static void rto_expired(seqs_stack_t *s, conn_t *c) {
    const seqs_tcp_config_t *cfg = &s->tcp.cfg;
    seqs__tcb_t *t = &c->tcb;
    c->t_rtx = SEQS_NEVER;
    if (c->persist) {
        c->send_probe = 1;
        c->st.zero_window_probes++;
        if (c->backoff < 16) c->backoff++;
        c->t_rtx = backoff_deadline(s, c);
        return;
    }
    switch (t->state) {
    case SEQS_TCP_SYN_SENT:
        if (c->retries >= cfg->syn_retries) {
            give_up(s, c, 0);
            return;
        }
        c->send_syn = 1;
        break;
    case SEQS_TCP_SYN_RECEIVED:
        if (c->retries >= cfg->synack_retries) {
            if (c->listener && !c->accepted) SEQS_CNT(s, tcp_halfopen_expired);
            give_up(s, c, 0);
            return;
        }
        c->send_synack = 1;
        break;
    case SEQS_TCP_TIME_WAIT:
    case SEQS_TCP_CLOSED:
    case SEQS_TCP_LISTEN:
        return;
    default:
        if (t->snd_nxt == t->snd_una) return;
        /* R2 counts timeouts of a silent peer: one that still ACKs (e.g. with a
         * zero window, T29) is alive and is not given up on */
        if (c->last_rto && c->last_rx > c->last_rto) c->retries = 0;
        c->last_rto = s->now;
        if (c->retries >= cfg->data_retries) {
            give_up(s, c, 1);
            return;
        }
        /* RFC 5681 (4) on the first timeout, then cwnd = 1 segment; RFC 6298 5.4-5.6 */
        if (c->backoff == 0) {
            uint32_t f = t->snd_nxt - t->snd_una;
            c->ssthresh = f / 2u > 2u * c->mss ? f / 2u : 2u * c->mss;
        }
        c->cwnd = c->mss;
        c->ca_acked = 0;
        c->mark_ok = 0;
        c->rtx_head = 0;
        c->in_recovery = 0;
        c->rtx_active = 1;
        c->rtx_next = t->snd_una;
        c->rtx_end = t->snd_nxt;
        c->recover = t->snd_nxt;
        c->dupacks = 0;
        break;
    }
    c->retries++;
    c->st.rto_expirations++;
    c->rtt_timing = 0;
    if (c->backoff < 16) c->backoff++;
    c->t_rtx = backoff_deadline(s, c);
}

/* RFC 5681 4.1: after an idle period longer than the RTO, restart from
 * the initial window instead of bursting a stale cwnd into the network */
void seqs__tcp_idle_restart(seqs_stack_t *s, conn_t *c) {
    if (c->last_send && c->tcb.snd_nxt == c->tcb.snd_una && s->now - c->last_send > c->rto_us) {
        uint32_t iw = SEQS_TCP_INIT_CWND_SEGS * (uint32_t)c->mss;
        if (c->cwnd > iw) c->cwnd = iw;
        c->last_send = 0;
    }
}

void seqs__tcp_conn_timers(seqs_stack_t *s, conn_t *c) {
    uint64_t now = s->now;
    seqs__tcp_idle_restart(s, c);
    if (c->t_delack <= now) {
        c->t_delack = SEQS_NEVER;
        c->ack_now = 1;
    }
    if (c->t_state <= now) {
        c->t_state = SEQS_NEVER;
        uint8_t st = c->tcb.state;
        if (st == SEQS_TCP_TIME_WAIT || st == SEQS_TCP_FIN_WAIT_2) {
            seqs__tcp_conn_closed(s, c);
            return;
        }
        if (st == SEQS_TCP_SYN_RECEIVED) {
            /* the listener's handshake timeout: a half-open entry is dropped quietly */
            SEQS_CNT(s, tcp_handshake_timeout);
            c->tcb.state = SEQS_TCP_CLOSED;
            seqs__tcp_conn_closed(s, c);
            if (c->used) seqs__tcp_conn_release(s, c);
            return;
        }
        if (st == SEQS_TCP_CLOSED) {
            /* the application never closed it: reclaim the slot (tcp.h) */
            SEQS_CNT(s, tcp_conn_reclaimed);
            seqs__tcp_conn_release(s, c);
            return;
        }
    }
    if (idle_due(c) <= now) {
        SEQS_CNT(s, tcp_idle_timeout);
        give_up(s, c, 1);
        return;
    }
    if (c->t_keep <= now) {
        c->t_keep = SEQS_NEVER;
        if (c->keepalive && c->tcb.state == SEQS_TCP_ESTABLISHED) {
            if (c->keep_probes >= s->tcp.cfg.keepcnt) {
                give_up(s, c, 1);
                return;
            }
            c->send_keepalive = 1;
            c->keep_probes++;
            c->t_keep = now + tcp_ms(s->tcp.cfg.keepintvl_ms);
        }
    }
    if (c->t_tlp <= now) {
        c->t_tlp = SEQS_NEVER;
        const seqs__tcb_t *t = &c->tcb;
        if (!c->in_recovery && !c->rtx_active && !c->persist && t->snd_nxt != t->snd_una &&
            (t->state == SEQS_TCP_ESTABLISHED || t->state == SEQS_TCP_CLOSE_WAIT || t->state == SEQS_TCP_FIN_WAIT_1 ||
             t->state == SEQS_TCP_CLOSING || t->state == SEQS_TCP_LAST_ACK)) {
            c->tlp_pending = 1;
            c->tlp_done = 1;
        }
    }
    if (c->t_rtx <= now) {
        c->t_tlp = SEQS_NEVER;
        c->tlp_pending = 0;
        rto_expired(s, c);
        if (!c->used) return;
    }
    if (c->used) arm_persist(s, c);
}
