/* stack/src/tcp/tcp.c — TCP's hooks into the stack (internal.h): init,
 * output round-robin over connections, timers, deadline, ICMP errors and
 * address changes. */
#include <string.h>
#include "tcp_int.h"

void seqs__tcp_init(seqs_stack_t *s) {
    struct seqs_tcp_state *t = &s->tcp;
    uint8_t mc = t->max_conns, ml = t->max_listeners;
    memset(t, 0, sizeof *t);
    t->max_conns = (mc && mc <= SEQS_MAX_TCP_CONNS) ? mc : SEQS_MAX_TCP_CONNS;
    t->max_listeners = (ml && ml <= SEQS_MAX_TCP_LISTENERS) ? ml : SEQS_MAX_TCP_LISTENERS;
    for (unsigned i = 0; i < SEQS_MAX_TCP_CONNS; i++) t->conns[i].gen = 1;
    for (unsigned i = 0; i < SEQS_MAX_TCP_LISTENERS; i++) t->listeners[i].gen = 1;
    seqs_tcp_config_t *c = &t->cfg;
    c->msl_ms = SEQS_TCP_MSL_MS;
    c->rto_init_ms = SEQS_TCP_RTO_INIT_MS;
    c->rto_min_ms = SEQS_TCP_RTO_MIN_MS;
    c->rto_max_ms = SEQS_TCP_RTO_MAX_MS;
    c->delack_ms = SEQS_TCP_DELACK_MS;
    c->fin_wait2_ms = SEQS_TCP_FIN_WAIT2_MS;
    c->keepidle_ms = SEQS_TCP_KEEPIDLE_MS;
    c->keepintvl_ms = SEQS_TCP_KEEPINTVL_MS;
    c->keepcnt = SEQS_TCP_KEEPCNT;
    c->syn_retries = SEQS_TCP_SYN_RETRIES;
    c->synack_retries = SEQS_TCP_SYNACK_RETRIES;
    c->data_retries = SEQS_TCP_DATA_RETRIES;
    c->nodelay = 0;
    c->keepalive = 0;
    c->sack = c->wscale = c->tstamp = 1;
    c->syncookies = 1;
    c->invalid_ratelimit_ms = SEQS_TCP_INVALID_RATELIMIT_MS;
    c->closed_reclaim_ms = SEQS_TCP_CLOSED_RECLAIM_MS;
    c->handshake_ms = SEQS_TCP_HANDSHAKE_MS;
    c->idle_ms = SEQS_TCP_IDLE_MS;
    for (unsigned i = 0; i < 4; i++) t->secret[i] = seqs_stack_random(s);
    t->next_ephemeral = (uint16_t)(SEQS_EPHEMERAL_LO + seqs_stack_random(s) % (SEQS_EPHEMERAL_HI - SEQS_EPHEMERAL_LO + 1u));
    t->challenge_window = 0;
}

int seqs__tcp_output(seqs_stack_t *s, uint8_t *buf, size_t cap) {
    struct seqs_tcp_state *t = &s->tcp;
    unsigned n = t->max_conns;
    for (unsigned k = 0; k < n; k++) {
        unsigned i = (t->rr + k) % n;
        conn_t *c = &t->conns[i];
        if (!c->used) continue;
        int len = seqs__tcp_conn_output(s, c, buf, cap);
        if (len > 0) {
            t->rr = (uint8_t)((i + 1u) % n);
            return len;
        }
        if (len < 0) return len;   /* cap too small for this connection's segment: it stays pending */
    }
    return 0;
}

void seqs__tcp_timers(seqs_stack_t *s) {
    for (unsigned i = 0; i < s->tcp.max_conns; i++) {
        conn_t *c = &s->tcp.conns[i];
        if (c->used) seqs__tcp_conn_timers(s, c);
    }
}

uint64_t seqs__tcp_deadline(const seqs_stack_t *s) {
    uint64_t d = SEQS_NEVER;
    for (unsigned i = 0; i < s->tcp.max_conns; i++) {
        const conn_t *c = &s->tcp.conns[i];
        if (!c->used) continue;
        uint64_t x = seqs__tcp_conn_deadline(s, c);
        if (x < d) d = x;
    }
    return d;
}

void seqs__tcp_icmp_error(seqs_stack_t *s, uint8_t type, uint8_t code, uint16_t mtu, uint32_t src, uint32_t dst,
                          const uint8_t *quoted, size_t qlen) {
    if (qlen < 8) return;
    uint16_t sport = seqs__be16(quoted), dport = seqs__be16(quoted + 2);
    uint32_t seq = seqs__be32(quoted + 4);
    for (unsigned i = 0; i < s->tcp.max_conns; i++) {
        conn_t *c = &s->tcp.conns[i];
        if (!c->used || c->laddr != src || c->raddr != dst || c->lport != sport || c->rport != dport) continue;
        /* RFC 5927: the quoted sequence number must be one we have in flight */
        if (SEQ_LT(seq, c->tcb.snd_una) || SEQ_GT(seq, c->tcb.snd_nxt)) return;
        SEQS_CNT(s, tcp_icmp_err);
        if (type == 3 && code == 4) {
            /* RFC 1191: fragmentation needed: lower the MSS */
            if (mtu >= 68 && mtu < c->mss + 40u + (c->ts_ok ? 12u : 0u)) {
                uint16_t m = mtu < SEQS_MIN_MTU ? SEQS_MIN_MTU : mtu;
                uint32_t old = c->mss;
                uint16_t pm = c->peer_mss;
                seqs__tcp_conn_set_mss(c, m);
                c->peer_mss = pm;
                if (c->cwnd > 4u * old) c->cwnd = 4u * c->mss;
                /* retransmit what was sent with the old size */
                if (c->tcb.snd_nxt != c->tcb.snd_una) {
                    c->rtx_active = 1;
                    c->rtx_next = c->tcb.snd_una;
                    c->rtx_end = c->tcb.snd_nxt;
                }
            }
            return;
        }
        /* RFC 1122 4.2.3.9 / RFC 5461: port and protocol unreachable are hard
         * errors while connecting; everything else is a soft error. */
        if (type == 3 && (code == 2 || code == 3) && c->tcb.state == SEQS_TCP_SYN_SENT) {
            seqs__tcp_conn_set_error(s, c, SEQS_ERR_REFUSED);
            seqs__tcp_conn_closed(s, c);
            return;
        }
        /* remembered: if the connection later times out, this is the reason
         * reported (RFC 1122 4.2.3.9: soft errors are reported to the user) */
        if (type == 3) c->soft_err = 1;
        return;
    }
}

void seqs__tcp_addr_changed(seqs_stack_t *s) {
    for (unsigned i = 0; i < s->tcp.max_conns; i++) {
        conn_t *c = &s->tcp.conns[i];
        if (!c->used || c->tcb.state == SEQS_TCP_CLOSED) continue;
        if (!seqs__ip_is_local(s, c->laddr)) {
            seqs__tcp_conn_set_error(s, c, SEQS_ERR_UNREACH);
            seqs__tcp_conn_closed(s, c);
        }
    }
}
