/* SPDX-License-Identifier: BSD-3-Clause */
/* stack/src/tcp/tcb.c — the pure control block: RFC 9293 3.10.7 segment
 * arrival for SYN-SENT and the synchronized states, with the RFC 5961
 * hardening (challenge ACKs for in-window RSTs and SYNs, ACK range check). */
#include <string.h>
#include "tcb.h"

void seqs__tcb_connect(seqs__tcb_t *t, uint32_t iss) {
    uint8_t ss = t->snd_shift, rs = t->rcv_shift;
    memset(t, 0, sizeof *t);
    t->snd_shift = ss;
    t->rcv_shift = rs;
    t->state = SEQS_TCP_SYN_SENT;
    t->iss = iss;
    t->snd_una = iss;
    t->snd_nxt = iss;
}

void seqs__tcb_accept_syn(seqs__tcb_t *t, uint32_t iss, uint32_t irs, uint32_t wnd) {
    uint8_t ss = t->snd_shift, rs = t->rcv_shift;
    memset(t, 0, sizeof *t);
    t->snd_shift = ss;
    t->rcv_shift = rs;
    t->state = SEQS_TCP_SYN_RECEIVED;
    t->passive = 1;
    t->iss = iss;
    t->snd_una = iss;
    t->snd_nxt = iss;
    t->irs = irs;
    t->rcv_nxt = irs + 1;
    /* RFC 7323 2.2: the window of a SYN is never scaled. */
    t->snd_wnd = wnd;
    t->max_snd_wnd = wnd;
    t->snd_wl1 = irs;
    t->snd_wl2 = iss;
}

void seqs__tcb_sent(seqs__tcb_t *t, uint32_t seq, uint32_t len, uint8_t flags) {
    uint32_t end = seq + len;
    if (flags & TCP_SYN) end++;
    if (flags & TCP_FIN) {
        t->fin_sent = 1;
        t->fin_seq = seq + len;
        end++;
    }
    if (SEQ_GT(end, t->snd_nxt)) t->snd_nxt = end;
}

uint32_t seqs__tcb_close(seqs__tcb_t *t) {
    switch (t->state) {
    case SEQS_TCP_SYN_SENT:
        /* RFC 9293 3.10.4: delete the TCB. */
        t->state = SEQS_TCP_CLOSED;
        return TCB_CLOSED;
    case SEQS_TCP_SYN_RECEIVED:
    case SEQS_TCP_ESTABLISHED:
        t->fin_queued = 1;
        t->state = SEQS_TCP_FIN_WAIT_1;
        return 0;
    case SEQS_TCP_CLOSE_WAIT:
        t->fin_queued = 1;
        t->state = SEQS_TCP_LAST_ACK;
        return 0;
    default:
        return 0;
    }
}

int seqs__tcb_can_recv(const seqs__tcb_t *t) {
    return t->state == SEQS_TCP_ESTABLISHED || t->state == SEQS_TCP_FIN_WAIT_1 ||
           t->state == SEQS_TCP_FIN_WAIT_2 || t->state == SEQS_TCP_SYN_RECEIVED;
}

int seqs__tcb_can_send(const seqs__tcb_t *t) {
    return t->state == SEQS_TCP_ESTABLISHED || t->state == SEQS_TCP_CLOSE_WAIT ||
           t->state == SEQS_TCP_SYN_SENT || t->state == SEQS_TCP_SYN_RECEIVED;
}

static int fin_acked(const seqs__tcb_t *t) {
    return t->fin_sent && SEQ_GT(t->snd_una, t->fin_seq);
}

static void set_rst(seqs__tcb_out_t *o, uint32_t seq, uint32_t ack, uint8_t flags) {
    o->act |= TCB_RST | TCB_DROP;
    o->rst_seq = seq;
    o->rst_ack = ack;
    o->rst_flags = flags;
}

/* RFC 9293 3.10.7.3 */
static void syn_sent(seqs__tcb_t *t, const seqs__seg_t *g, seqs__tcb_out_t *o) {
    int ack_ok = 0;
    if (g->flags & TCP_ACK) {
        /* first check: an ACK for something we never sent */
        if (SEQ_LEQ(g->ack, t->iss) || SEQ_GT(g->ack, t->snd_nxt)) {
            if (!(g->flags & TCP_RST)) set_rst(o, g->ack, 0, TCP_RST);
            o->act |= TCB_DROP;
            return;
        }
        ack_ok = 1;
    }
    if (g->flags & TCP_RST) {
        /* second check: only a RST acknowledging our SYN refuses the connection */
        if (ack_ok) {
            t->state = SEQS_TCP_CLOSED;
            o->act |= TCB_RESET;
            o->err = SEQS_ERR_REFUSED;
        }
        o->act |= TCB_DROP;
        return;
    }
    if (!(g->flags & TCP_SYN)) {
        o->act |= TCB_DROP;
        return;
    }
    /* fourth check: SYN. Payload and FIN on a SYN are not queued (the peer
     * retransmits them); FIN in SYN-SENT is ignored (3.10.7.3 fifth). */
    t->irs = g->seq;
    t->rcv_nxt = g->seq + 1;
    t->snd_wnd = g->wnd;        /* RFC 7323 2.2: never scaled in a SYN */
    t->max_snd_wnd = g->wnd;
    t->snd_wl1 = g->seq;
    t->snd_wl2 = g->ack;
    if (ack_ok) {
        t->snd_una = g->ack;
        t->syn_acked = 1;
        t->state = SEQS_TCP_ESTABLISHED;
        o->act |= TCB_ESTABLISHED | TCB_ACK;
    } else {
        /* simultaneous open (RFC 9293 figure 8) */
        t->state = SEQS_TCP_SYN_RECEIVED;
        o->act |= TCB_SYNACK;
    }
    if (g->len || (g->flags & TCP_FIN)) o->act |= TCB_DROP;
}

static int acceptable(const seqs__tcb_t *t, uint32_t seq, uint32_t seglen) {
    uint32_t wnd = t->rcv_wnd;
    if (seglen == 0) {
        if (wnd == 0) return seq == t->rcv_nxt;
        return SEQ_LEQ(t->rcv_nxt, seq) && SEQ_LT(seq, t->rcv_nxt + wnd);
    }
    if (wnd == 0) return 0;
    return (SEQ_LEQ(t->rcv_nxt, seq) && SEQ_LT(seq, t->rcv_nxt + wnd)) ||
           (SEQ_LEQ(t->rcv_nxt, seq + seglen - 1) && SEQ_LT(seq + seglen - 1, t->rcv_nxt + wnd));
}

static void consume_fin(seqs__tcb_t *t, seqs__tcb_out_t *o) {
    t->rcv_nxt++;
    o->act |= TCB_FIN_IN | TCB_ACK;
    switch (t->state) {
    case SEQS_TCP_SYN_RECEIVED:
    case SEQS_TCP_ESTABLISHED:
        t->state = SEQS_TCP_CLOSE_WAIT;
        break;
    case SEQS_TCP_FIN_WAIT_1:
        if (fin_acked(t)) {
            t->state = SEQS_TCP_TIME_WAIT;
            o->act |= TCB_TIME_WAIT;
        } else {
            t->state = SEQS_TCP_CLOSING;   /* simultaneous close (figure 13) */
        }
        break;
    case SEQS_TCP_FIN_WAIT_2:
        t->state = SEQS_TCP_TIME_WAIT;
        o->act |= TCB_TIME_WAIT;
        break;
    default:
        break;
    }
}

void seqs__tcb_rcv_advance(seqs__tcb_t *t, uint32_t n, int fin, seqs__tcb_out_t *o) {
    t->rcv_nxt += n;
    if (fin && seqs__tcb_can_recv(t)) consume_fin(t, o);
}

void seqs__tcb_input(seqs__tcb_t *t, const seqs__seg_t *g, seqs__tcb_out_t *o) {
    memset(o, 0, sizeof *o);
    if (t->state == SEQS_TCP_SYN_SENT) {
        syn_sent(t, g, o);
        return;
    }
    if (t->state == SEQS_TCP_CLOSED || t->state == SEQS_TCP_LISTEN) {
        o->act |= TCB_DROP;
        return;
    }
    uint8_t fl = g->flags;

    /* A retransmitted SYN (or, in a simultaneous open, the peer's SYN-ACK)
     * in SYN-RECEIVED: answer it instead of treating it as old data. */
    if (t->state == SEQS_TCP_SYN_RECEIVED && (fl & TCP_SYN) && !(fl & TCP_RST) && g->seq == t->irs) {
        if ((fl & TCP_ACK) && SEQ_LT(t->snd_una, g->ack) && SEQ_LEQ(g->ack, t->snd_nxt)) {
            t->snd_una = g->ack;
            t->syn_acked = 1;
            t->snd_wnd = g->wnd;
            t->snd_wl1 = g->seq;
            t->snd_wl2 = g->ack;
            t->state = SEQS_TCP_ESTABLISHED;
            o->act |= TCB_ESTABLISHED | TCB_ACK | TCB_DROP;
        } else {
            o->act |= TCB_SYNACK | TCB_DROP;
        }
        return;
    }

    /* RFC 9293 3.10.7.4 / RFC 6191: a new SYN (no ACK) above RCV.NXT for a
     * TIME-WAIT 4-tuple may start a new incarnation; the caller decides. */
    if (t->state == SEQS_TCP_TIME_WAIT && (fl & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN &&
        SEQ_GT(g->seq, t->rcv_nxt)) {
        o->act |= TCB_TW_SYN | TCB_DROP;
        return;
    }

    uint32_t seglen = g->len + ((fl & TCP_SYN) ? 1u : 0u) + ((fl & TCP_FIN) ? 1u : 0u);

    /* first check: sequence number */
    int ok = acceptable(t, g->seq, seglen);
    int zero_wnd_allowance = 0;
    if (!ok && t->rcv_wnd == 0 && g->seq == t->rcv_nxt) {
        /* 3.10.7.4: with a zero window, still process ACK, URG and RST of a
         * segment at RCV.NXT (T30); its text is dropped. */
        ok = 1;
        zero_wnd_allowance = 1;
    }
    if (!ok) {
        if (!(fl & TCP_RST)) {
            o->act |= TCB_ACK | TCB_OOW;
            /* a retransmitted FIN in TIME-WAIT restarts 2*MSL (3.10.7.4 eighth) */
            if (t->state == SEQS_TCP_TIME_WAIT && (fl & TCP_FIN)) o->act |= TCB_TIME_WAIT;
        }
        o->act |= TCB_DROP;
        return;
    }

    /* second check: RST (RFC 5961 3.2) */
    if (fl & TCP_RST) {
        o->act |= TCB_DROP;
        if (t->state == SEQS_TCP_TIME_WAIT) return;   /* RFC 1337: ignore */
        if (g->seq != t->rcv_nxt) {
            o->act |= TCB_CHALLENGE;
            return;
        }
        if (t->state == SEQS_TCP_SYN_RECEIVED && t->passive) {
            t->state = SEQS_TCP_CLOSED;
            o->act |= TCB_LISTEN;
            return;
        }
        int refused = t->state == SEQS_TCP_SYN_RECEIVED;
        int quiet = t->state == SEQS_TCP_CLOSING || t->state == SEQS_TCP_LAST_ACK;
        t->state = SEQS_TCP_CLOSED;
        if (quiet) {
            o->act |= TCB_CLOSED;
        } else {
            o->act |= TCB_RESET;
            o->err = refused ? SEQS_ERR_REFUSED : SEQS_ERR_RESET;
        }
        return;
    }

    /* fourth check: SYN in a synchronized state (RFC 5961 4.2) */
    if (fl & TCP_SYN) {
        o->act |= TCB_DROP;
        o->act |= TCB_CHALLENGE;
        return;
    }

    /* fifth check: ACK */
    if (!(fl & TCP_ACK)) {
        o->act |= TCB_DROP;
        return;
    }
    if (t->state == SEQS_TCP_SYN_RECEIVED) {
        if (SEQ_LT(t->snd_una, g->ack) && SEQ_LEQ(g->ack, t->snd_nxt)) {
            t->state = SEQS_TCP_ESTABLISHED;
            o->act |= TCB_ESTABLISHED;
            t->snd_wnd = g->wnd << t->snd_shift;
            if (t->snd_wnd > t->max_snd_wnd) t->max_snd_wnd = t->snd_wnd;
            t->snd_wl1 = g->seq;
            t->snd_wl2 = g->ack;
        } else {
            set_rst(o, g->ack, 0, TCP_RST);   /* 3.5.2 (2) */
            return;
        }
    }
    if (t->state != SEQS_TCP_TIME_WAIT) {
        /* RFC 5961 5.2: ACK must be in [SND.UNA - MAX.SND.WND, SND.NXT] */
        if (SEQ_GT(g->ack, t->snd_nxt) || SEQ_LT(g->ack, t->snd_una - t->max_snd_wnd)) {
            o->act |= TCB_CHALLENGE | TCB_DROP;
            return;
        }
        uint32_t wnd = g->wnd << t->snd_shift;
        if (SEQ_LT(t->snd_una, g->ack)) {
            uint32_t n = g->ack - t->snd_una;
            if (!t->syn_acked) {
                n--;            /* the SYN's sequence number */
                t->syn_acked = 1;
            }
            if (t->fin_sent && SEQ_GT(g->ack, t->fin_seq) && SEQ_LEQ(t->snd_una, t->fin_seq)) n--;
            o->acked = n;
            t->snd_una = g->ack;
        } else if (g->ack == t->snd_una && g->len == 0 && !(fl & TCP_FIN) && wnd == t->snd_wnd &&
                   t->snd_nxt != t->snd_una) {
            o->act |= TCB_DUPACK;   /* RFC 5681 2 */
        }
        /* window update: only from a segment newer than the last one used (WL1/WL2) */
        if (SEQ_LT(t->snd_wl1, g->seq) || (t->snd_wl1 == g->seq && SEQ_LEQ(t->snd_wl2, g->ack))) {
            if (wnd != t->snd_wnd) o->act |= TCB_WND_UPDATE;
            t->snd_wnd = wnd;
            if (wnd > t->max_snd_wnd) t->max_snd_wnd = wnd;
            t->snd_wl1 = g->seq;
            t->snd_wl2 = g->ack;
        }
        if (fin_acked(t)) {
            if (t->state == SEQS_TCP_FIN_WAIT_1) {
                t->state = SEQS_TCP_FIN_WAIT_2;
                o->act |= TCB_FIN_WAIT_2;
            } else if (t->state == SEQS_TCP_CLOSING) {
                t->state = SEQS_TCP_TIME_WAIT;
                o->act |= TCB_TIME_WAIT;
            } else if (t->state == SEQS_TCP_LAST_ACK) {
                t->state = SEQS_TCP_CLOSED;
                o->act |= TCB_CLOSED;
                return;
            }
        }
    }

    if (zero_wnd_allowance) {
        if (seglen) o->act |= TCB_ACK | TCB_DROP;
        return;
    }

    /* seventh check: segment text, trimmed to the window (URG data is plain data) */
    uint32_t seq = g->seq, off = 0, dlen = g->len;
    int fin = (fl & TCP_FIN) != 0;
    if (SEQ_LT(seq, t->rcv_nxt)) {
        uint32_t d = t->rcv_nxt - seq;
        if (d > dlen) {
            fin = 0;            /* the FIN is old too */
            off = dlen;
            dlen = 0;
        } else {
            off = d;
            dlen -= d;
        }
        seq = t->rcv_nxt;
        if (g->len) o->act |= TCB_ACK;    /* a (partial) duplicate: ACK at once */
    }
    uint32_t right = t->rcv_nxt + t->rcv_wnd;
    if (SEQ_GT(seq + dlen, right)) {
        dlen = SEQ_GT(right, seq) ? right - seq : 0;
        fin = 0;
        o->act |= TCB_ACK;
    }
    if (!seqs__tcb_can_recv(t)) {
        /* CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: the peer already sent FIN */
        if (dlen || fin) o->act |= TCB_ACK;
        if (t->state == SEQS_TCP_TIME_WAIT && fin) o->act |= TCB_TIME_WAIT;
        return;
    }
    o->data_off = off;
    o->data_len = dlen;
    o->data_seq = seq;
    o->fin = (uint8_t)fin;
    if (seq != t->rcv_nxt) {
        if (dlen || fin) o->act |= TCB_OOO | TCB_ACK;   /* RFC 5681 4.2: immediate duplicate ACK */
        return;
    }
    t->rcv_nxt += dlen;
    /* eighth check: FIN, processed only once every byte before it arrived */
    if (fin) consume_fin(t, o);
}
