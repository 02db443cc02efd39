/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/tcp_counters.h — TCP's rows of the counter table (see counters.h). */
#ifndef SEQS_TCP_COUNTERS_H
#define SEQS_TCP_COUNTERS_H

#define SEQS_TCP_COUNTERS(X) \
    X(tcp_rx)                \
    X(tcp_drop_checksum)     \
    X(tcp_drop_header)       /* data offset or options malformed */ \
    X(tcp_drop_no_socket)    /* segment to a closed port (RST sent when allowed) */ \
    X(tcp_tx_rst)            \
    X(tcp_drop_bcast)        /* segment to a broadcast/multicast address */ \
    X(tcp_drop_listen)       /* segment to a listener that is neither SYN nor a valid cookie ACK */ \
    X(tcp_drop_backlog)      /* SYN dropped: listener full (no stale half-open entry to trade), or a syncache client's segment held until a place frees */ \
    X(tcp_drop_unacceptable) /* sequence number outside the window (ACK sent) */ \
    X(tcp_drop_bad_ack)      /* ACK outside SND.UNA-MAX.SND.WND..SND.NXT, or no ACK flag */ \
    X(tcp_drop_paws)         /* RFC 7323 5: timestamp older than TS.Recent */ \
    X(tcp_drop_ooo_full)     /* out-of-order segment with no free assembler range */ \
    X(tcp_tx)                /* segments sent */ \
    X(tcp_tx_retransmit)     \
    X(tcp_tx_challenge_ack)  \
    X(tcp_challenge_ratelimited) \
    X(tcp_syncookie_sent)    \
    X(tcp_syncookie_ok)      /* connection created from a valid cookie */ \
    X(tcp_syncookie_bad)     /* ACK to a listener with an invalid cookie */ \
    X(tcp_conn_opened)       /* reached ESTABLISHED */ \
    X(tcp_conn_reset)        /* reset by the peer */ \
    X(tcp_conn_timeout)      /* gave up retransmitting (R2) or keep-alive */ \
    X(tcp_halfopen_expired)  /* SYN-RECEIVED connection dropped (timeout or evicted) */ \
    X(tcp_icmp_err)          /* ICMP error delivered to a connection */ \
    X(tcp_oow_ratelimited)   /* reply to an unacceptable segment suppressed (invalid_ratelimit_ms) */ \
    X(tcp_handshake_timeout) /* half-open entry dropped by its listener's handshake timeout */ \
    X(tcp_idle_timeout)      /* connection reset after idle_ms without payload either way */ \
    X(tcp_conn_reclaimed)    /* CLOSED connection the application never closed, released */ \
    X(tcp_syncache_added)    /* half-open entry evicted into the syncache */ \
    X(tcp_syncache_ok)       /* connection created from a syncache entry */ \
    X(tcp_syncache_overflow) /* syncache entry overwritten before it expired */ \
    X(tcp_overload_refused)  /* valid cookie ACK with no place: refused with RST at once */

#endif
