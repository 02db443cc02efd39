/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/priv/stack.h — the layout of seqs_stack_t. Private: only stack/src may
 * touch these members; it is public so callers can allocate the struct.
 * (Owned by the core; modules add their state as one member each.) */
#ifndef SEQS_PRIV_STACK_H
#define SEQS_PRIV_STACK_H

#include <stddef.h>
#include <stdint.h>
#include "../opts.h"
#include "../counters.h"
#include "tcp.h"
#include "../app.h"

struct seqs_stack;
typedef uint32_t (*seqs_priv_rng_fn)(void *ctx);

/* ARP cache entry (arp.c). */
struct seqs_arp_entry {
    uint32_t ip;
    uint8_t mac[6];
    uint8_t state;       /* SEQS__ARP_* in internal.h */
    uint8_t tries;       /* requests sent in the current resolution/revalidation */
    uint8_t used;        /* used for sending since the last confirmation */
    uint64_t timer;      /* REACHABLE: expiry; INCOMPLETE/REVALIDATE: next request; FAILED: end of hold-down */
    uint64_t stamp;      /* last use or confirmation, for choosing a victim when the cache is full */
};

/* Datagrams waiting for ARP: [u16 frame len][u32 next hop][u16 datagram tag][frame] records (arp.c). */
struct seqs_arp_queue {
    uint32_t used;
    uint16_t next_tag;
    uint8_t buf[SEQS_ARP_QUEUE_BYTES];
};

/* Built frames waiting for seqs_stack_output(): a ring of [u16 len][frame]
 * records, each contiguous (a record that does not fit at the end wraps to the
 * start and `wrap` marks where valid data ends) (txq.c). */
struct seqs_txq {
    uint32_t head, tail, wrap, count;
    uint32_t resv_off;    /* where the frame being built starts (its length header) */
    uint8_t resv_wraps;   /* committing it wraps the ring */
    uint8_t buf[SEQS_TXQ_BYTES];
};

/* One reassembly in progress (reasm.c). */
struct seqs_reasm_slot {
    uint8_t state;        /* 0 free, 1 collecting, 2 poisoned (absorbs fragments until timeout) */
    uint8_t proto;
    uint8_t have_first;   /* fragment 0 arrived: hdr[] holds its header */
    uint8_t hdr_len;
    uint8_t link_bcast, dst_bcast;
    uint16_t id;
    uint32_t src, dst;
    uint32_t total;       /* payload length once the last fragment arrived, else 0 */
    uint64_t expires;
    uint8_t hdr[60];
    uint8_t map[(SEQS_REASM_MAX_BYTES + 63) / 64];   /* one bit per 8-byte block received */
    uint8_t data[SEQS_REASM_MAX_BYTES];
};

/* UDP socket slot (udp.c). The receive ring is the caller's memory. */
struct seqs_udp_sock {
    uint32_t gen;         /* bumped on close: stale handles no longer match */
    uint8_t open, bound, err_pending;
    uint8_t err_type, err_code;
    uint16_t err_mtu, err_port;
    uint32_t err_addr;
    uint32_t local_addr, remote_addr;
    uint16_t local_port, remote_port;
    uint8_t *rx;
    uint32_t rxcap, rhead, rused, rcount;
};

/* Our IPv4 address and its RFC 5227 state machine (acd.c). */
struct seqs_addr {
    uint32_t addr, mask, gateway;
    uint8_t prefix;
    uint8_t state;        /* seqs_addr_state_t */
    uint8_t sent;         /* probes or announcements sent in the current phase */
    uint8_t defended;     /* last_defend is valid */
    uint64_t timer;       /* next probe/announcement, SEQS_NEVER-like UINT64_MAX when idle */
    uint64_t last_defend;
};

/* A received echo reply (icmp.c); same fields as seqs_icmp_echo_t. */
struct seqs_echo_rec {
    uint32_t from;
    uint16_t id, seq, len;
    uint8_t ttl;
    uint64_t rx_us;
};

/* The order is for the cache: what nearly every call reads (the clock, the modules'
 * earliest deadlines, the app list, the configuration, our address, the counters, the
 * ICMP and ARP state, the TCP work list at the head of `tcp`) comes first and lies
 * together; the queues' buffers, which a call touches only where it writes, come last.
 * At thousands of stacks in one process (ns-3) every stack is cold when its turn comes. */
struct seqs_stack {
    uint64_t now;                 /* latest time passed in by the caller */
    uint64_t arp_next;            /* earliest timer in arp[] (arp.c), SEQS_NEVER when none */
    uint64_t reasm_next;          /* earliest expiry in reasm[] (reasm.c), SEQS_NEVER when none */
    /* applications attached with seqs_app_attach() (app.c) */
    struct seqs_app *apps;
    struct seqs_app *app_cursor;  /* next app of the walk in progress */
    uint8_t app_depth;            /* a walk is in progress */
    /* configuration (seqs_config_t, validated) */
    uint8_t mac[6];
    uint16_t mtu;
    uint8_t max_udp, ttl;
    uint32_t flags;
    seqs_priv_rng_fn rng;
    void *rng_ctx;
    uint64_t rng_state;           /* splitmix64 state when rng is NULL */
    /* network layer */
    struct seqs_addr ip;
    uint32_t groups[SEQS_MAX_MCAST_GROUPS];   /* 0 = free */
    uint16_t ip_id;
    uint32_t icmp_tokens;
    uint64_t icmp_refill;
    seqs_counters_t cnt;
    struct seqs_echo_rec echo[SEQS_ICMP_ECHO_RING];
    uint8_t echo_head, echo_count;
    struct seqs_arp_entry arp[SEQS_ARP_CACHE_SIZE];
    struct seqs_tcp_state tcp;    /* owned by stack/src/tcp */
    struct seqs_udp_sock udp[SEQS_MAX_UDP_SOCKETS];
    struct seqs_txq txq;
    struct seqs_arp_queue arpq;
    struct seqs_reasm_slot reasm[SEQS_REASM_SLOTS];
};

#endif
