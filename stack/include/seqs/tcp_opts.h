/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/tcp_opts.h — TCP compile-time options and defaults (lwIP opt.h style).
 *
 * Override any value by defining it first (e.g. in the SEQS_OPTS_FILE header,
 * which seqs/opts.h includes before this file is seen). Time values marked
 * "default" are copied into the stack at init and can be changed at run time
 * with seqs_tcp_set_config(). */
#ifndef SEQS_TCP_OPTS_H
#define SEQS_TCP_OPTS_H

#include "opts.h"

/* Maximum segment lifetime; TIME-WAIT lasts 2*MSL (RFC 9293 3.4.2). Default. */
#ifndef SEQS_TCP_MSL_MS
#define SEQS_TCP_MSL_MS 60000u
#endif
/* RFC 6298: initial RTO 1 s (2.1), upper bound 60 s (2.5). The lower bound is
 * 200 ms like Linux instead of RFC 6298's 1 s (a documented, common deviation). */
#ifndef SEQS_TCP_RTO_INIT_MS
#define SEQS_TCP_RTO_INIT_MS 1000u
#endif
#ifndef SEQS_TCP_RTO_MIN_MS
#define SEQS_TCP_RTO_MIN_MS 200u
#endif
#ifndef SEQS_TCP_RTO_MAX_MS
#define SEQS_TCP_RTO_MAX_MS 60000u
#endif
/* R2 (RFC 9293 3.8.3): retransmissions of a SYN before connect() fails
 * (1+2+4+8+16+32+64 s = 127 s with the default RTO), and of data before the
 * connection is aborted with SEQS_ERR_TIMEDOUT (> 100 s with backoff). */
#ifndef SEQS_TCP_SYN_RETRIES
#define SEQS_TCP_SYN_RETRIES 6u
#endif
#ifndef SEQS_TCP_DATA_RETRIES
#define SEQS_TCP_DATA_RETRIES 12u
#endif
/* SYN-ACK retransmissions of a half-open (SYN-RECEIVED) connection before it is dropped. */
#ifndef SEQS_TCP_SYNACK_RETRIES
#define SEQS_TCP_SYNACK_RETRIES 4u
#endif
/* FIN-WAIT-2 timeout after the application closed (default). */
#ifndef SEQS_TCP_FIN_WAIT2_MS
#define SEQS_TCP_FIN_WAIT2_MS 60000u
#endif
/* Delayed ACK (RFC 9293 3.8.6.3: < 500 ms, at least every 2nd full segment). Default. */
#ifndef SEQS_TCP_DELACK_MS
#define SEQS_TCP_DELACK_MS 40u
#endif
/* Keep-alive (RFC 9293 3.8.4), off by default per connection: idle time, probe interval, probes. */
#ifndef SEQS_TCP_KEEPIDLE_MS
#define SEQS_TCP_KEEPIDLE_MS 7200000u
#endif
#ifndef SEQS_TCP_KEEPINTVL_MS
#define SEQS_TCP_KEEPINTVL_MS 75000u
#endif
#ifndef SEQS_TCP_KEEPCNT
#define SEQS_TCP_KEEPCNT 9u
#endif
/* RFC 5961 section 7: challenge ACKs allowed per second per stack. */
#ifndef SEQS_TCP_CHALLENGE_ACK_LIMIT
#define SEQS_TCP_CHALLENGE_ACK_LIMIT 10u
#endif
/* Out-of-order ranges the receiver keeps (also the SACK blocks it can report). */
#ifndef SEQS_TCP_OOO_RANGES
#define SEQS_TCP_OOO_RANGES 4
#endif
/* SACK scoreboard ranges the sender keeps (RFC 6675). */
#ifndef SEQS_TCP_SACK_RANGES
#define SEQS_TCP_SACK_RANGES 6
#endif
/* Window scale shift we ask for is the smallest that covers the receive buffer, at most this. */
#ifndef SEQS_TCP_MAX_WSCALE
#define SEQS_TCP_MAX_WSCALE 14
#endif
/* Buffer slots a listener's pool may be cut into (one bit each; at most 255). */
#ifndef SEQS_TCP_POOL_SLOTS
#define SEQS_TCP_POOL_SLOTS 32
#endif
/* Syncache (listen.c): half-open entries evicted from a full listener keep their ISS
 * and options here (about 40 bytes each), so their client's ACK still admits them. */
#ifndef SEQS_TCP_SYNCACHE
#define SEQS_TCP_SYNCACHE 8
#endif
/* How long a syncache entry stays valid (a SYN cookie's own lifetime). */
#ifndef SEQS_TCP_SYNCACHE_MS
#define SEQS_TCP_SYNCACHE_MS 64000u
#endif
/* Replies to unacceptable (out-of-window) segments and PAWS rejects: at most one per
 * connection per this many ms (Linux tcp_invalid_ratelimit, RFC 5961 10). 0 = no limit.
 * Default. */
#ifndef SEQS_TCP_INVALID_RATELIMIT_MS
#define SEQS_TCP_INVALID_RATELIMIT_MS 500u
#endif
/* A connection that reached CLOSED (reset, timed out) while the application still holds
 * its handle is released this long afterwards if the application never calls
 * seqs_tcp_close()/abort() (counted in tcp_conn_reclaimed; the handle goes stale).
 * 0 = never (the default: the handle stays readable; seqs-tap sets 10 s). Default. */
#ifndef SEQS_TCP_CLOSED_RECLAIM_MS
#define SEQS_TCP_CLOSED_RECLAIM_MS 0u
#endif
/* Default handshake timeout of new listeners: a half-open (SYN-RECEIVED) entry older than
 * this is dropped (0 = only SYNACK_RETRIES bound it). Default. */
#ifndef SEQS_TCP_HANDSHAKE_MS
#define SEQS_TCP_HANDSHAKE_MS 0u
#endif
/* Default idle timeout of new connections: no payload in either direction for this long
 * resets the connection (SEQS_ERR_TIMEDOUT; 0 = off). Default. */
#ifndef SEQS_TCP_IDLE_MS
#define SEQS_TCP_IDLE_MS 0u
#endif
/* Initial congestion window in segments (RFC 5681 3.1 allows up to 4 for small MSS; RFC 6928 says 10). */
#ifndef SEQS_TCP_INIT_CWND_SEGS
#define SEQS_TCP_INIT_CWND_SEGS 4u
#endif

#if SEQS_TCP_OOO_RANGES < 1 || SEQS_TCP_SACK_RANGES < 1
#error "SEQS_TCP_OOO_RANGES and SEQS_TCP_SACK_RANGES must be at least 1"
#endif
#if SEQS_TCP_SYNCACHE < 1
#error "SEQS_TCP_SYNCACHE must be at least 1"
#endif
#if SEQS_TCP_POOL_SLOTS < 1 || SEQS_TCP_POOL_SLOTS > 255
#error "SEQS_TCP_POOL_SLOTS is 1..255"
#endif
#if SEQS_TCP_MAX_WSCALE > 14
#error "RFC 7323 2.3: the window scale shift is at most 14"
#endif
#if SEQS_MAX_TCP_CONNS > 255 || SEQS_MAX_TCP_LISTENERS > 255
#error "at most 255 TCP connections and listeners per stack"
#endif

#endif
