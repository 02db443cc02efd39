/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/priv/tcp.h — TCP's member of seqs_stack_t (owned by stack/src/tcp).
 * Private: only stack/src/tcp touches these; public so callers can size the stack. */
#ifndef SEQS_PRIV_TCP_H
#define SEQS_PRIV_TCP_H

#include <stdint.h>
#include "../opts.h"
#include "../tcp_opts.h"
#include "../tcp.h"

/* The pure control block: RFC 9293 sequence variables and state, no buffers,
 * no timers (stack/src/tcp/tcb.c). Windows are in bytes (already scaled). */
typedef struct seqs__tcb {
    uint8_t state;          /* seqs_tcp_state_t */
    uint8_t passive;        /* opened from a listener: RST in SYN-RECEIVED returns to LISTEN */
    uint8_t fin_queued;     /* the user closed: send FIN after the data */
    uint8_t fin_sent;       /* FIN has been sent at sequence fin_seq */
    uint8_t syn_acked;      /* our SYN has been acknowledged */
    uint8_t snd_shift, rcv_shift;   /* window scale shifts (0 when not negotiated) */
    uint32_t iss, irs;
    uint32_t snd_una, snd_nxt, snd_wnd, snd_wl1, snd_wl2, max_snd_wnd;
    uint32_t fin_seq;
    uint32_t rcv_nxt;
    uint32_t rcv_wnd;       /* bytes acceptable beyond rcv_nxt (set by the connection layer) */
} seqs__tcb_t;

typedef struct seqs__range { uint32_t start, end; } seqs__range_t;

/* The counters of seqs_tcp_info_t that cannot be derived from live fields
 * (seqs_tcp_info() fills in the rest on demand). */
typedef struct seqs__tcp_stats {
    uint32_t segs_in, segs_out;
    uint32_t bytes_in, bytes_out;
    uint32_t retransmits, rto_expirations, fast_retransmits, spurious_recoveries;
    uint32_t dup_acks_in, ooo_segs_in;
    uint32_t zero_window_probes, tail_loss_probes, keepalive_probes;
} seqs__tcp_stats_t;

/* A connection: control block + buffers, timers, options, congestion control. */
typedef struct seqs__tcp_conn {
    seqs__tcb_t tcb;
    uint32_t gen;           /* bumped on release: stale handles fail */
    uint8_t used;
    uint8_t user_closed;    /* close() called: the user no longer reads */
    uint8_t shut_wr;        /* shutdown()/close(): no more writes */
    uint8_t accepted;       /* passive connection handed out by accept() (or active) */
    uint8_t listener;       /* index+1 of the listener that created it, 0 if active */
    uint8_t pool_slot;      /* slot in that listener's pool */
    uint8_t nodelay, keepalive, delack;
    uint8_t sack_ok, ts_ok, ws_ok;
    uint8_t rcv_fin_ooo;    /* a FIN arrived beyond a hole at rcv_fin_seq */
    uint8_t ooo_n, sack_n;
    uint8_t dupacks;
    uint8_t in_recovery;
    uint8_t rtx_active;     /* retransmitting [rtx_next, rtx_end) */
    uint8_t retries;        /* consecutive RTO expirations (R2) */
    uint8_t backoff;        /* RTO/persist backoff exponent */
    uint8_t rtt_timing;     /* rtt_seq is being timed (no timestamps) */
    uint8_t persist;        /* the rtx timer is the persist timer */
    uint8_t keep_probes;
    uint8_t ack_now;        /* an ACK must go out at the next output */
    uint8_t ack_pending;    /* full segments received and not ACKed yet */
    uint8_t send_synack, send_syn, send_rst, send_probe, send_keepalive;
    uint8_t cookie;         /* created from a SYN cookie */
    uint8_t soft_err;       /* an ICMP destination unreachable arrived (reported if we give up) */
    int16_t err;
    uint16_t mss;           /* effective send MSS (payload bytes incl. nothing else) */
    uint16_t peer_mss;
    uint16_t rcv_mss;
    uint16_t lport, rport;
    uint32_t laddr, raddr;
    uint8_t *rxbuf, *txbuf;
    uint32_t rxcap, rx_head, rx_len;    /* readable bytes [rx_head, +rx_len) */
    uint32_t txcap, tx_head, tx_len;    /* bytes from snd_una (incl. unsent) */
    uint32_t rcv_adv;       /* right edge of the window we advertised */
    uint32_t rcv_fin_seq;
    uint32_t listener_gen;  /* generation of that listener (its pool slot is returned on release) */
    uint32_t order;         /* establishment order, for accept() */
    seqs__range_t ooo[SEQS_TCP_OOO_RANGES];     /* received out of order (sorted by recency) */
    seqs__range_t sack[SEQS_TCP_SACK_RANGES];  /* scoreboard, sorted by sequence */
    uint32_t rtx_next, rtx_end, recover;
    uint32_t rtx_mark;      /* SND.NXT when SND.UNA was last retransmitted (lost-retransmission check) */
    uint8_t mark_ok;        /* rtx_mark is valid for the current recovery */
    uint8_t rtx_head;       /* retransmit the segment at SND.UNA once more, first */
    uint8_t tlp_pending;    /* send a tail loss probe */
    uint8_t tlp_done;       /* one probe per tail, until new data is acknowledged */
    uint8_t undo_ok;        /* this recovery may be undone by Eifel detection */
    uint8_t rtx_since_ack;  /* something was retransmitted since SND.UNA last advanced */
    uint8_t hnext;          /* next connection (index+1, 0: none) in its 4-tuple hash bucket */
    uint32_t srtt_us, rttvar_us, rto_us;
    uint32_t rtt_seq;
    uint32_t cwnd, ssthresh, ca_acked;
    uint32_t ts_recent, ts_offset;
    uint32_t rtx_tsval;     /* our TSval when we last retransmitted (0: never) */
    uint32_t undo_tsval;    /* TSval of the first retransmission of this recovery (RFC 3522 Eifel) */
    uint32_t prior_cwnd, prior_ssthresh;   /* before the recovery, to undo a spurious one */
    uint64_t rtt_start;
    uint64_t t_rtx, t_delack, t_state, t_keep;   /* absolute deadlines, SEQS_NEVER when off */
    uint64_t t_tlp;         /* RFC 8985 7 tail loss probe deadline */
    uint64_t last_rx;
    uint64_t last_rto;      /* time of the last retransmission timeout */
    uint64_t last_send;     /* time data was last sent (RFC 5681 4.1 restart window) */
    uint64_t last_oow;      /* time of the last reply to an unacceptable segment (+1; 0: never) */
    uint64_t last_data;     /* time payload last moved either way (idle timeout) */
    uint32_t idle_ms;       /* idle timeout, 0 = off */
    seqs__tcp_stats_t st;   /* the counters of seqs_tcp_info() */
} seqs__tcp_conn_t;

typedef struct seqs__tcp_listener {
    uint32_t gen;
    uint8_t used;
    uint16_t port;
    uint16_t backlog;
    uint8_t nslots;
    uint32_t slots_used[(SEQS_TCP_POOL_SLOTS + 31) / 32];   /* bitmap of pool slots */
    uint8_t *pool;
    uint32_t rx_size, tx_size;
    uint32_t handshake_ms, idle_ms;     /* timeouts of its connections (0 = off) */
} seqs__tcp_listener_t;

/* Syncache entry: a half-open connection evicted from a full listener, kept
 * with what its SYN-ACK promised (ISS, options, timestamp offset) so the
 * client's ACK still creates the connection instead of being reset. */
typedef struct seqs__syncache {
    uint64_t until;         /* 0: free */
    uint32_t raddr, laddr, iss, irs;
    uint32_t ts_recent, ts_offset;
    uint16_t rport, lport, peer_mss;
    uint8_t sack_ok, ts_ok, ws_ok, snd_shift, rcv_shift;
} seqs__syncache_t;

/* 4-tuple hash buckets: a power of two >= SEQS_MAX_TCP_CONNS (chains of index+1). */
#if SEQS_MAX_TCP_CONNS <= 8
#define SEQS__TCP_HASH_BITS 3
#elif SEQS_MAX_TCP_CONNS <= 16
#define SEQS__TCP_HASH_BITS 4
#elif SEQS_MAX_TCP_CONNS <= 32
#define SEQS__TCP_HASH_BITS 5
#elif SEQS_MAX_TCP_CONNS <= 64
#define SEQS__TCP_HASH_BITS 6
#elif SEQS_MAX_TCP_CONNS <= 128
#define SEQS__TCP_HASH_BITS 7
#else
#define SEQS__TCP_HASH_BITS 8
#endif
#define SEQS__TCP_WORK_WORDS ((SEQS_MAX_TCP_CONNS + 31) / 32)   /* <= 8 */

struct seqs_tcp_state {
    /* Read on every call into the stack (timer pass, output): first, in one cache line.
     * Work list (stack/src/tcp/tcp.c): a connection is flagged in `work` whenever
     * anything touches it (segment, API call, due timer); output and the
     * deadline look only at flagged ones, and a flag is cleared when the
     * connection has nothing to send. next_timer is a lower bound of the
     * timer deadline of every connection that is not flagged: before it,
     * a timer pass costs one compare. */
    uint64_t next_timer;
    uint16_t nwork;                     /* bits set in work */
    uint8_t work_sum;                   /* bit w: work[w] != 0 */
    uint8_t max_conns, max_listeners;   /* from seqs_config_t (core sets them before seqs__tcp_init) */
    uint8_t rr;                         /* round-robin start for output */
    uint16_t next_ephemeral;
    uint32_t work[SEQS__TCP_WORK_WORDS];
    uint8_t hash[1u << SEQS__TCP_HASH_BITS];   /* 4-tuple -> first connection (index+1) */
    uint32_t order;                     /* counter for seqs__tcp_conn_t.order */
    seqs_tcp_config_t cfg;
    uint32_t secret[4];                 /* ISN / SYN-cookie key (RFC 6528) */
    uint64_t challenge_window;          /* RFC 5961 7: challenge ACK rate limit */
    uint32_t challenge_count;
    seqs__syncache_t syncache[SEQS_TCP_SYNCACHE];
    seqs__tcp_listener_t listeners[SEQS_MAX_TCP_LISTENERS];
    seqs__tcp_conn_t conns[SEQS_MAX_TCP_CONNS];
};

#endif
