/* SPDX-License-Identifier: BSD-3-Clause */
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
    t->next_timer = SEQS_NEVER;
}

/* Work list: bit i of work[] set = connection i was touched since output
 * last found nothing to send on it. */

static unsigned ctz32(uint32_t x) {     /* x != 0 */
#if defined(__GNUC__) && !defined(__ARM_ARCH_6M__)
    return (unsigned)__builtin_ctz(x);
#else                                   /* no libgcc call on M0+ */
    unsigned n = 0;
    if (!(x & 0xFFFFu)) { n += 16; x >>= 16; }
    if (!(x & 0xFFu)) { n += 8; x >>= 8; }
    if (!(x & 0xFu)) { n += 4; x >>= 4; }
    if (!(x & 0x3u)) { n += 2; x >>= 2; }
    if (!(x & 0x1u)) n += 1;
    return n;
#endif
}

/* The first flagged index >= from (wrapping around), or -1 when none. */
static int next_work(const struct seqs_tcp_state *t, unsigned from) {
    unsigned w = from >> 5;
    uint32_t bits = t->work[w] & (0xFFFFFFFFu << (from & 31u));
    if (bits) return (int)(w * 32u + ctz32(bits));
    uint32_t sum = t->work_sum & ~((2u << w) - 1u);     /* words after w */
    if (!sum) sum = t->work_sum;                        /* wrap around */
    if (!sum) return -1;
    w = ctz32(sum);
    return (int)(w * 32u + ctz32(t->work[w]));
}

void seqs__tcp_work(seqs_stack_t *s, conn_t *c) {
    unsigned i = tcp_idx(s, c);
    uint32_t b = 1u << (i & 31u);
    if (!(s->tcp.work[i >> 5] & b)) {
        s->tcp.work[i >> 5] |= b;
        s->tcp.work_sum = (uint8_t)(s->tcp.work_sum | (1u << (i >> 5)));
        s->tcp.nwork++;
    }
}

void seqs__tcp_unwork(seqs_stack_t *s, conn_t *c) {
    unsigned i = tcp_idx(s, c);
    uint32_t b = 1u << (i & 31u);
    uint32_t *w = &s->tcp.work[i >> 5];
    if (*w & b) {
        *w &= ~b;
        if (!*w) s->tcp.work_sum = (uint8_t)(s->tcp.work_sum & ~(1u << (i >> 5)));
        s->tcp.nwork--;
    }
}

int seqs__tcp_output(seqs_stack_t *s, uint8_t *buf, size_t cap) {
    struct seqs_tcp_state *t = &s->tcp;
    unsigned from = t->rr;
    while (t->nwork) {
        int i = next_work(t, from);
        if (i < 0) break;
        conn_t *c = &t->conns[i];
        if (!c->used) {
            seqs__tcp_unwork(s, c);
            continue;
        }
        int len = seqs__tcp_conn_output(s, c, buf, cap);
        if (len > 0) {
            t->rr = (uint8_t)(((unsigned)i + 1u) % t->max_conns);
            return len;
        }
        if (len < 0) return len;   /* cap too small for this connection's segment: it stays pending */
        /* nothing to send: the connection leaves the work list, its timers
         * enter the earliest deadline */
        if (c->used) {
            uint64_t d = seqs__tcp_conn_timer_deadline(c);
            if (d < t->next_timer) t->next_timer = d;
        }
        seqs__tcp_unwork(s, c);
        from = ((unsigned)i + 1u) % t->max_conns;
    }
    return 0;
}

void seqs__tcp_timers(seqs_stack_t *s) {
    struct seqs_tcp_state *t = &s->tcp;
    uint64_t now = s->now;
    if (t->nwork) {
        /* flagged connections are not in next_timer: each is looked at */
        for (uint32_t sum = t->work_sum; sum; sum &= sum - 1u) {
            unsigned w = ctz32(sum);
            uint32_t bits = t->work[w];
            while (bits) {
                unsigned i = w * 32u + ctz32(bits);
                bits &= bits - 1u;
                conn_t *c = &t->conns[i];
                if (c->used) seqs__tcp_conn_timers(s, c);
            }
        }
    }
    if (now < t->next_timer) return;
    /* something may be due: a pass over all connections, then the new bound */
    uint64_t next = SEQS_NEVER;
    for (unsigned i = 0; i < t->max_conns; i++) {
        conn_t *c = &t->conns[i];
        if (!c->used) continue;
        int due = seqs__tcp_conn_timer_deadline(c) <= now;
        seqs__tcp_conn_timers(s, c);
        if (!c->used) continue;
        if (due) seqs__tcp_work(s, c);
        uint64_t d = seqs__tcp_conn_timer_deadline(c);
        if (d < next) next = d;
    }
    t->next_timer = next;
}

uint64_t seqs__tcp_deadline(const seqs_stack_t *s) {
    const struct seqs_tcp_state *t = &s->tcp;
    uint64_t d = t->next_timer;
    if (!t->nwork) return d;
    for (uint32_t sum = t->work_sum; sum; sum &= sum - 1u) {
        unsigned w = ctz32(sum);
        uint32_t bits = t->work[w];
        while (bits) {
            unsigned i = w * 32u + ctz32(bits);
            bits &= bits - 1u;
            const conn_t *c = &t->conns[i];
            if (!c->used) continue;
            uint64_t x = seqs__tcp_conn_deadline(s, c);
            if (x < d) d = x;
        }
    }
    return d;
}

/* 4-tuple hash: chains of index+1 through conn.hnext. */
static unsigned hash4(uint32_t la, uint16_t lp, uint32_t ra, uint16_t rp) {
    uint32_t h = (ra ^ (la * 0x9E3779B1u)) ^ (((uint32_t)rp << 16) | lp);
    h *= 0x9E3779B1u;
    return (unsigned)(h >> (32 - SEQS__TCP_HASH_BITS));
}

void seqs__tcp_hash_add(seqs_stack_t *s, conn_t *c) {
    unsigned b = hash4(c->laddr, c->lport, c->raddr, c->rport);
    c->hnext = s->tcp.hash[b];
    s->tcp.hash[b] = (uint8_t)(tcp_idx(s, c) + 1u);
}

void seqs__tcp_hash_del(seqs_stack_t *s, conn_t *c) {
    if (!c->lport) return;      /* never entered (the tuple is set before) */
    unsigned b = hash4(c->laddr, c->lport, c->raddr, c->rport);
    uint8_t me = (uint8_t)(tcp_idx(s, c) + 1u);
    uint8_t *p = &s->tcp.hash[b];
    while (*p) {
        if (*p == me) {
            *p = c->hnext;
            c->hnext = 0;
            return;
        }
        p = &s->tcp.conns[*p - 1u].hnext;
    }
}

conn_t *seqs__tcp_lookup(seqs_stack_t *s, uint32_t la, uint16_t lp, uint32_t ra, uint16_t rp) {
    uint8_t k = s->tcp.hash[hash4(la, lp, ra, rp)];
    while (k) {
        conn_t *c = &s->tcp.conns[k - 1u];
        if (c->lport == lp && c->rport == rp && c->raddr == ra && c->laddr == la && c->used &&
            c->tcb.state != SEQS_TCP_CLOSED)
            return c;
        k = c->hnext;
    }
    return NULL;
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
        seqs__tcp_work(s, c);
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
            seqs__tcp_work(s, c);
            seqs__tcp_conn_set_error(s, c, SEQS_ERR_UNREACH);
            seqs__tcp_conn_closed(s, c);
        }
    }
}
