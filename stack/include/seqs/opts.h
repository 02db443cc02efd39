/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/opts.h — compile-time limits and defaults, in the way of lwIP's opt.h.
 *
 * Every table and pool in a seqs_stack_t is sized here. A user overrides any
 * value by defining it before this header is seen, most simply by compiling
 * with -DSEQS_OPTS_FILE=\"myopts.h\" (that file is included first).
 * Runtime config (seqs_config_t) may ask for less than these limits, never more:
 * seqs_stack_init() returns SEQS_ERR_LIMIT when it does. */
#ifndef SEQS_OPTS_H
#define SEQS_OPTS_H

#ifdef SEQS_OPTS_FILE
#include SEQS_OPTS_FILE
#endif

/* Largest IP MTU a stack can be configured with (bytes of IP datagram per frame). */
#ifndef SEQS_MAX_MTU
#define SEQS_MAX_MTU 1500
#endif
/* Smallest IP MTU accepted (RFC 791: every host must accept 576). */
#define SEQS_MIN_MTU 576
/* Largest Ethernet frame we build or accept: 14 + MTU + 4 (room for one 802.1Q tag). */
#define SEQS_MAX_FRAME (SEQS_MAX_MTU + 18)

/* ARP cache entries. */
#ifndef SEQS_ARP_CACHE_SIZE
#define SEQS_ARP_CACHE_SIZE 8
#endif
/* Bytes reserved for IP datagrams waiting on ARP resolution (RFC 1122 2.3.2.2). */
#ifndef SEQS_ARP_QUEUE_BYTES
#define SEQS_ARP_QUEUE_BYTES 3072
#endif
/* Seconds an ARP entry stays valid before revalidation. */
#ifndef SEQS_ARP_MAX_AGE_S
#define SEQS_ARP_MAX_AGE_S 300
#endif
/* ARP requests sent for one unresolved target before giving up (1 per second). */
#ifndef SEQS_ARP_MAX_TRIES
#define SEQS_ARP_MAX_TRIES 3
#endif

/* Seconds a neighbour that failed to resolve answers sends with SEQS_ERR_UNREACH
 * before a new resolution may start (keeps retries at most one per second). */
#ifndef SEQS_ARP_FAIL_HOLD_S
#define SEQS_ARP_FAIL_HOLD_S 3
#endif

/* Concurrent IPv4 reassemblies, and the largest datagram reassembled. */
#ifndef SEQS_REASM_SLOTS
#define SEQS_REASM_SLOTS 2
#endif
#ifndef SEQS_REASM_MAX_BYTES
#define SEQS_REASM_MAX_BYTES 8192
#endif
#ifndef SEQS_REASM_TIMEOUT_S
#define SEQS_REASM_TIMEOUT_S 15
#endif

/* Bytes of the internal transmit queue holding built frames (ARP replies, ICMP,
 * UDP datagrams and their fragments) until the caller pulls them with
 * seqs_stack_output(). */
#ifndef SEQS_TXQ_BYTES
#define SEQS_TXQ_BYTES 12288
#endif

/* Multicast groups a stack can join (besides 224.0.0.1, always joined). */
#ifndef SEQS_MAX_MCAST_GROUPS
#define SEQS_MAX_MCAST_GROUPS 4
#endif

/* Sockets. */
#ifndef SEQS_MAX_UDP_SOCKETS
#define SEQS_MAX_UDP_SOCKETS 8
#endif
#ifndef SEQS_MAX_TCP_LISTENERS
#define SEQS_MAX_TCP_LISTENERS 4
#endif
#ifndef SEQS_MAX_TCP_CONNS
#define SEQS_MAX_TCP_CONNS 8
#endif

/* ICMP error rate limit: token bucket of this many errors, refilled one per interval. */
#ifndef SEQS_ICMP_ERR_BURST
#define SEQS_ICMP_ERR_BURST 10
#endif
#ifndef SEQS_ICMP_ERR_INTERVAL_MS
#define SEQS_ICMP_ERR_INTERVAL_MS 100
#endif

/* Echo replies kept for seqs_icmp_echo_recv(). */
#ifndef SEQS_ICMP_ECHO_RING
#define SEQS_ICMP_ECHO_RING 8
#endif

/* Counter names (seqs_counter_name) and error messages (seqs_strerror) as
 * text, about 2.3 KB of flash on Cortex-M0+. 1 (the default on hosted builds:
 * the Python bindings, seqs-tap and the ns-3 runner print them) or 0 (the
 * default when compiling freestanding, e.g. firmware): seqs_counter_name()
 * then returns NULL for every index and seqs_strerror() returns "success"
 * for 0 and "error" for anything else. Counters themselves are always kept. */
#ifndef SEQS_NAMES
#if defined(__STDC_HOSTED__) && __STDC_HOSTED__
#define SEQS_NAMES 1
#else
#define SEQS_NAMES 0
#endif
#endif

/* Ephemeral port range (RFC 6335 dynamic ports). */
#define SEQS_EPHEMERAL_LO 49152u
#define SEQS_EPHEMERAL_HI 65535u

#if SEQS_MAX_MTU < SEQS_MIN_MTU
#error "SEQS_MAX_MTU must be at least 576"
#endif
#if SEQS_TXQ_BYTES < SEQS_MAX_FRAME + 8
#error "SEQS_TXQ_BYTES must hold at least one full frame"
#endif
#if SEQS_ICMP_ERR_BURST * SEQS_ICMP_ERR_INTERVAL_MS > 4294967
#error "SEQS_ICMP_ERR_BURST * SEQS_ICMP_ERR_INTERVAL_MS must stay below 2^32 microseconds"
#endif
#if SEQS_REASM_MAX_BYTES > 65535
#error "SEQS_REASM_MAX_BYTES cannot exceed the IPv4 maximum"
#endif

#endif
