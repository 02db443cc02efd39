/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/counters.h — per-reason event and drop counters.
 *
 * Every frame the stack drops increments exactly one drop counter, so a test
 * (or a user debugging a link) can tell why. The list is an X-macro so names,
 * struct fields and the bindings' dict stay in one place. TCP's rows live in
 * seqs/tcp_counters.h.
 *
 * The first rows are the ones an ordinary frame bumps (received, sent, ARP, ICMP
 * echo, UDP): they share the struct's first cache line, so a frame touches one line
 * of counters, not one per protocol (at thousands of stacks in one simulation every
 * line is a miss). The drop and error rows follow, grouped by protocol. */
#ifndef SEQS_COUNTERS_H
#define SEQS_COUNTERS_H

#include <stdint.h>
#include "tcp_counters.h"

#define SEQS_CORE_COUNTERS(X) \
    X(eth_rx)                /* frames handed to seqs_stack_input */ \
    X(eth_tx)                /* frames returned by seqs_stack_output */ \
    X(arp_rx)                \
    X(ip_rx)                 \
    X(ip_tx)                 /* datagrams sent */ \
    X(icmp_rx)               \
    X(icmp_tx_echo_reply)    \
    X(icmp_tx_echo_request)  /* seqs_icmp_echo_send */ \
    X(icmp_rx_echo_reply)    /* echo replies kept for seqs_icmp_echo_recv */ \
    X(udp_rx)                \
    X(udp_tx)                \
    X(eth_drop_runt)         /* shorter than an Ethernet header */ \
    X(eth_drop_not_for_us)   /* foreign unicast or unjoined multicast destination */ \
    X(eth_drop_ethertype)    /* EtherType we do not handle (or 802.3 length field) */ \
    X(eth_drop_vlan)         /* 802.1Q tagged frame (VLANs not supported) */ \
    X(eth_drop_own_src)      /* frame claims our own MAC as its source */ \
    X(arp_drop_malformed)    /* truncated */ \
    X(arp_drop_unsupported)  /* hrd/pro/hln/pln not Ethernet+IPv4, or unknown op */ \
    X(arp_drop_bad_sender)   /* sender IP/MAC that must not be cached (broadcast, multicast, ours) */ \
    X(arp_tx_request)        \
    X(arp_tx_reply)          \
    X(arp_tx_probe)          /* RFC 5227 probes */ \
    X(arp_tx_announce)       /* gratuitous ARP / RFC 5227 announcements and defends */ \
    X(arp_resolve_fail)      /* gave up on a neighbour after SEQS_ARP_MAX_TRIES requests */ \
    X(arp_queue_drop)        /* datagram waiting for ARP dropped (queue full or resolution failed) */ \
    X(arp_cache_full)        /* a new entry evicted the oldest one */ \
    X(arp_conflict)          /* someone else claims our address */ \
    X(ip_drop_truncated)     /* shorter than 20 bytes or than Total Length */ \
    X(ip_drop_version)       \
    X(ip_drop_header)        /* IHL < 5 or IHL*4 > Total Length */ \
    X(ip_drop_checksum)      \
    X(ip_drop_options)       /* malformed option list */ \
    X(ip_drop_srcroute)      /* LSRR/SSRR (RFC 7126) */ \
    X(ip_drop_bad_src)       /* broadcast, multicast, loopback or 0.0.0.0 source */ \
    X(ip_drop_not_for_us)    /* destination not ours (we do not forward) */ \
    X(ip_drop_link_bcast)    /* unicast IP destination in a link-layer broadcast/multicast */ \
    X(ip_drop_proto)         /* unknown protocol (ICMP protocol unreachable sent when allowed) */ \
    X(ip_reasm_ok)           /* datagrams reassembled */ \
    X(ip_reasm_drop)         /* overlap, oversize (ping of death), tiny first fragment */ \
    X(ip_reasm_timeout)      \
    X(ip_reasm_nomem)        /* datagram beyond SEQS_REASM_MAX_BYTES */ \
    X(ip_reasm_evicted)      /* incomplete datagram evicted for a newer one (all slots busy) */ \
    X(ip_frag_tx)            /* fragments sent */ \
    X(ip_drop_noroute)       /* send with no address, no route, or unresolvable neighbour */ \
    X(ip_drop_msgsize)       /* send larger than MTU with DF, or than the tx queue */ \
    X(icmp_drop_checksum)    \
    X(icmp_drop_malformed)   /* too short, or quoted header invalid */ \
    X(icmp_drop_type)        /* type we do not handle */ \
    X(icmp_drop_bcast_echo)  /* echo to broadcast/multicast ignored by config */ \
    X(icmp_echo_reply_overflow) /* an unread echo reply was overwritten */ \
    X(icmp_tx_error)         \
    X(icmp_err_ratelimited)  /* error not sent: rate limit */ \
    X(icmp_err_suppressed)   /* error not sent: RFC 1122 3.2.2 forbids it */ \
    X(icmp_err_delivered)    /* inbound error delivered to a socket */ \
    X(icmp_err_unmatched)    /* inbound error matched no socket */ \
    X(udp_drop_checksum)     \
    X(udp_drop_length)       \
    X(udp_drop_bad_src)      \
    X(udp_drop_no_socket)    /* port unreachable (ICMP sent when allowed) */ \
    X(udp_drop_queue_full)   /* socket receive buffer full */ \
    X(txq_full)              /* a frame could not be queued for transmission */

#define SEQS_COUNTERS(X) SEQS_CORE_COUNTERS(X) SEQS_TCP_COUNTERS(X)

typedef struct seqs_counters {
#define SEQS_X_FIELD(name) uint32_t name;
    SEQS_COUNTERS(SEQS_X_FIELD)
#undef SEQS_X_FIELD
} seqs_counters_t;

enum {
#define SEQS_X_ENUM(name) SEQS_CNT_##name,
    SEQS_COUNTERS(SEQS_X_ENUM)
#undef SEQS_X_ENUM
    SEQS_COUNTER_COUNT
};

#endif
