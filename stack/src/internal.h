/* SPDX-License-Identifier: BSD-3-Clause */
/* stack/src/internal.h — services the core modules offer each other.
 * Not installed; only the core sources and stack/tests include it.
 * Byte order: every uint32_t address here is host order; on-wire fields are read
 * and written only through the be16/be32 helpers. */
#ifndef SEQS_INTERNAL_H
#define SEQS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "seqs/seqs.h"
#include "seqs/wire/bytes.h"

#define SEQS_CNT(s, name) ((s)->cnt.name++)

#define SEQS_ETH_HDR 14u
#define SEQS_IP_HDR 20u
/* Offset of the transport header in a frame built by seqs__ip_emit(). */
#define SEQS_TX_L4_OFF (SEQS_ETH_HDR + SEQS_IP_HDR)

#define SEQS_PROTO_ICMP 1u
#define SEQS_PROTO_TCP 6u
#define SEQS_PROTO_UDP 17u

/* --- byte order (the same helpers as seqs/wire/bytes.h) ----------------- */
static inline uint16_t seqs__be16(const uint8_t *p) { return seqs_be16(p); }
static inline uint32_t seqs__be32(const uint8_t *p) { return seqs_be32(p); }
static inline void seqs__put16(uint8_t *p, uint16_t v) { seqs_put16(p, v); }
static inline void seqs__put32(uint8_t *p, uint32_t v) { seqs_put32(p, v); }

/* --- Internet checksum (RFC 1071) --------------------------------------
 * Accumulate with seqs__csum_add (any length, odd lengths padded), start a
 * transport sum with seqs__csum_pseudo, finish with seqs__csum_fold (returns
 * the one's complement, ready to store; a result of 0 means "valid" when
 * verifying a block that contains its own checksum). */
uint32_t seqs__csum_add(uint32_t sum, const uint8_t *p, size_t n);
static inline uint32_t seqs__csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len) {
    return (src >> 16) + (src & 0xFFFFu) + (dst >> 16) + (dst & 0xFFFFu) + proto + len;
}
static inline uint16_t seqs__csum_fold(uint32_t sum) {
    sum = (sum & 0xFFFFu) + (sum >> 16);
    sum = (sum & 0xFFFFu) + (sum >> 16);
    return (uint16_t)~sum;
}

/* --- what IP tells a transport about a received datagram --------------- */
typedef struct seqs__ip_rx {
    uint32_t src, dst;      /* host order */
    uint8_t ttl, tos;
    uint8_t link_bcast;     /* arrived in a link-layer broadcast or multicast frame */
    uint8_t dst_bcast;      /* dst is limited/subnet broadcast or multicast */
    uint8_t reassembled;    /* came from fragments */
    const uint8_t *ip_hdr;  /* the IP header as received (for ICMP quoting) */
    size_t ip_hdr_len;
} seqs__ip_rx_t;

/* --- IP output ------------------------------------------------------------ */
typedef struct seqs__route {
    uint32_t src;           /* our address chosen as source */
    uint32_t dst;           /* final destination */
    uint32_t nexthop;       /* dst when on-link, else the gateway */
    uint8_t dst_mac[6];     /* resolved link address of nexthop (broadcast for 255.255.255.255 etc.) */
    uint16_t mtu;           /* IP MTU of the interface */
} seqs__route_t;

/* Route and resolve dst. SEQS_OK: *rt is ready for seqs__ip_emit. SEQS_ERR_AGAIN:
 * ARP resolution has been started/is in progress (the deadline covers the retry;
 * call again later). SEQS_ERR_NOADDR: no usable address. SEQS_ERR_UNREACH: no
 * route or the neighbour recently failed to resolve. */
int seqs__ip_route(seqs_stack_t *s, uint32_t dst, seqs__route_t *rt);

/* Completes a frame whose transport header+payload (payload_len bytes) already
 * sits at frame + SEQS_TX_L4_OFF: writes the 20-byte IPv4 header (fresh IP ID,
 * DF if df, default TTL, header checksum) and the Ethernet header. The datagram
 * must fit the MTU. Returns the frame length. Counts ip_tx. */
size_t seqs__ip_emit(seqs_stack_t *s, uint8_t *frame, const seqs__route_t *rt, uint8_t proto,
                     size_t payload_len, int df);

/* Sends a whole transport payload (for UDP, ICMP, and TCP control segments
 * such as RSTs/ACKs built on the caller's C stack): routes it, fragments it
 * when larger than the MTU (unless df: then SEQS_ERR_MSGSIZE), and queues the
 * frames in the tx queue, or in the ARP pending queue while the neighbour
 * resolves. src 0 = our address. Returns SEQS_OK or a negative error; on error
 * nothing is queued. */
int seqs__ip_send(seqs_stack_t *s, uint32_t src, uint32_t dst, uint8_t proto,
                  const uint8_t *payload, size_t len, int df);

/* True when our address is configured and usable as a source (not tentative/conflict). */
static inline int seqs__ip_addr_usable(const seqs_stack_t *s) {
    return s->ip.state == SEQS_ADDR_ANNOUNCING || s->ip.state == SEQS_ADDR_BOUND;
}
/* True when addr is ours (unicast). */
static inline int seqs__ip_is_local(const seqs_stack_t *s, uint32_t addr) {
    return addr == s->ip.addr && seqs__ip_addr_usable(s);
}
/* True when addr is limited broadcast, our subnet broadcast or multicast. */
int seqs__ip_is_bcast_or_mcast(const seqs_stack_t *s, uint32_t addr);
/* True when addr cannot be a sender (RFC 1122 3.2.1.3): broadcast (limited,
 * subnet-directed, or the subnet's all-zeros form), multicast or loopback. */
int seqs__ip_names_no_host(const seqs_stack_t *s, uint32_t addr);

/* --- ICMP ---------------------------------------------------------------- */
/* Sends an ICMP error (type/code, 4 extra bytes e.g. MTU) quoting the IP header
 * and the first 8+ payload bytes of the offending datagram, subject to the
 * RFC 1122 3.2.2 restrictions and the rate limit. */
void seqs__icmp_send_error(seqs_stack_t *s, const seqs__ip_rx_t *rx, const uint8_t *l4, size_t l4len,
                           uint8_t type, uint8_t code, uint32_t extra);

/* A gather list for seqs__ip_sendv: the transport header and its payload
 * without first copying them together. Every piece but the last must have an
 * even length (checksums are summed piece by piece). */
typedef struct seqs__iov {
    const uint8_t *p;
    size_t len;
} seqs__iov_t;
int seqs__ip_sendv(seqs_stack_t *s, uint32_t src, uint32_t dst, uint8_t proto, const seqs__iov_t *iov,
                   unsigned n, int df);
/* Source address for a datagram to dst when the caller does not choose one:
 * our address when usable, else 0 (only limited broadcast may go out from
 * 0.0.0.0, which DHCP needs). */
uint32_t seqs__ip_src_for(const seqs_stack_t *s, uint32_t dst);
/* The configured IP MTU (what a TCP MSS is derived from). */
uint16_t seqs__ip_mtu(const seqs_stack_t *s);
/* Received IPv4 payload of a (possibly reassembled) datagram: dispatch to the transport. */
void seqs__ip_deliver(seqs_stack_t *s, const seqs__ip_rx_t *rx, uint8_t proto, const uint8_t *l4, size_t l4len);

/* --- link layer (eth.c, arp.c, acd.c) ------------------------------------- */
void seqs__ip_input(seqs_stack_t *s, const uint8_t *pkt, size_t len, int link_bcast);
void seqs__arp_input(seqs_stack_t *s, const uint8_t *pkt, size_t len);
/* Writes a 14-byte Ethernet header. */
void seqs__eth_write(uint8_t *frame, const uint8_t dst[6], const uint8_t src[6], uint16_t type);
/* Queues an ARP packet (op, target MAC and IP, sender IP; eth_dst NULL = broadcast).
 * SEQS_ERR_NOBUFS (counted txq_full) when the transmit queue is full. */
int seqs__arp_send(seqs_stack_t *s, uint16_t op, const uint8_t *eth_dst, const uint8_t tha[6], uint32_t spa,
                    uint32_t tpa);

enum { SEQS__ARP_FREE = 0, SEQS__ARP_INCOMPLETE, SEQS__ARP_REACHABLE, SEQS__ARP_REVALIDATE, SEQS__ARP_FAILED };
/* Resolves next hop ip: SEQS_OK with *mac, SEQS_ERR_AGAIN (request sent/pending),
 * SEQS_ERR_UNREACH (recently failed). */
int seqs__arp_resolve(seqs_stack_t *s, uint32_t ip, uint8_t mac[6]);
/* Room in the ARP pending queue for a datagram of `frames` frames totalling
 * `bytes` frame bytes for next hop ip, evicting superseded datagrams if needed.
 * Returns the tag for seqs__arp_queue_frame, or -1 (nothing evicted). */
int seqs__arp_queue_reserve(seqs_stack_t *s, uint32_t ip, size_t frames, size_t bytes);
/* Contiguous space for one frame of len bytes in the ARP queue (after reserve). */
uint8_t *seqs__arp_queue_frame(seqs_stack_t *s, uint32_t ip, uint16_t tag, size_t len);
void seqs__arp_timers(seqs_stack_t *s);
uint64_t seqs__arp_deadline(const seqs_stack_t *s);
/* Drops every datagram waiting for resolution (our address changed). */
void seqs__arp_flush(seqs_stack_t *s);

/* RFC 5227 address conflict detection (acd.c). arp_input calls seqs__acd_arp for every
 * valid ARP whose sender MAC is not ours (our own packets never count as conflicts). */
/* Returns 1 when the packet was about our address and must not be processed further. */
int seqs__acd_arp(seqs_stack_t *s, uint16_t op, uint32_t spa, uint32_t tpa);
void seqs__acd_timers(seqs_stack_t *s);
uint64_t seqs__acd_deadline(const seqs_stack_t *s);

/* --- transmit queue (txq.c) ------------------------------------------------ */
typedef struct seqs__txq_mark {
    uint32_t tail, wrap, count;
} seqs__txq_mark_t;
/* Contiguous space for a frame of up to len bytes, or NULL (queue full). */
uint8_t *seqs__txq_reserve(seqs_stack_t *s, size_t len);
/* Commits the reserved frame with its final length (<= reserved). */
void seqs__txq_commit(seqs_stack_t *s, size_t len);
seqs__txq_mark_t seqs__txq_mark(const seqs_stack_t *s);
void seqs__txq_rollback(seqs_stack_t *s, seqs__txq_mark_t m);
/* Copies a whole frame into the queue; counts txq_full and returns SEQS_ERR_NOBUFS when it does not fit. */
int seqs__txq_push(seqs_stack_t *s, const uint8_t *frame, size_t len);
/* Oldest frame, or NULL. */
static inline const uint8_t *seqs__txq_peek(const seqs_stack_t *s, size_t *len) {
    const struct seqs_txq *q = &s->txq;
    if (q->count == 0)
        return NULL;
    *len = seqs_be16(q->buf + q->head);
    return q->buf + q->head + 2;   /* after the record's length */
}
void seqs__txq_pop(seqs_stack_t *s);

/* --- reassembly (reasm.c) -------------------------------------------------- */
/* A validated fragment addressed to us. */
void seqs__reasm_input(seqs_stack_t *s, const seqs__ip_rx_t *rx, const uint8_t *ip_hdr, size_t hdr_len,
                       uint8_t proto, uint16_t id, uint32_t off, int mf, const uint8_t *data, size_t len);
void seqs__reasm_timers(seqs_stack_t *s);
uint64_t seqs__reasm_deadline(const seqs_stack_t *s);

/* --- transports ------------------------------------------------------------ */
void seqs__icmp_input(seqs_stack_t *s, const seqs__ip_rx_t *rx, const uint8_t *msg, size_t len);
void seqs__udp_input(seqs_stack_t *s, const seqs__ip_rx_t *rx, const uint8_t *dgram, size_t len);
/* A validated inbound ICMP error about a UDP datagram we sent. Returns 1 if a socket took it. */
int seqs__udp_icmp_error(seqs_stack_t *s, uint8_t type, uint8_t code, uint16_t mtu, uint32_t src, uint32_t dst,
                         const uint8_t *quoted, size_t qlen);

/* --- randomness (rng.c) ---------------------------------------------------- */
void seqs__rng_seed(seqs_stack_t *s, uint64_t seed);
/* Uniform in [0, n) (n > 0). */
uint32_t seqs__random_below(seqs_stack_t *s, uint32_t n);

/* Runs every due timer (ARP, address probing, reassembly, TCP) at s->now. */
void seqs__run_timers(seqs_stack_t *s);

#define SEQS_US_PER_S 1000000u
#define SEQS_US_PER_MS 1000u

/* --- applications (app.c) ------------------------------------------------ */
/* Polls attached apps: every one when all, else those kicked or due at s->now. */
void seqs__apps_run(seqs_stack_t *s, int all);
uint64_t seqs__apps_deadline(const seqs_stack_t *s);
/* Tells every app about ev (SEQS_APP_EV_*) and kicks it. */
void seqs__apps_event(seqs_stack_t *s, unsigned ev);

/* --- TCP hooks (implemented in stack/src/tcp) ------------------------------ */
void seqs__tcp_init(seqs_stack_t *s);
/* A validated IPv4 datagram with protocol 6 addressed to us. */
void seqs__tcp_input(seqs_stack_t *s, const seqs__ip_rx_t *rx, const uint8_t *seg, size_t len);
/* Writes at most one complete Ethernet frame (via seqs__ip_route/seqs__ip_emit)
 * into buf; returns its length, 0 when no connection has anything to send. */
int seqs__tcp_output(seqs_stack_t *s, uint8_t *buf, size_t cap);
/* Runs due TCP timers (called from output/poll/input with s->now set). */
void seqs__tcp_timers(seqs_stack_t *s);
/* Earliest TCP timer or pending output (<= s->now when a segment is ready). */
uint64_t seqs__tcp_deadline(const seqs_stack_t *s);
/* An inbound ICMP error whose quoted datagram was TCP from us: quoted points at
 * the quoted TCP header (at least 8 bytes valid), src/dst from the quoted IP header. */
void seqs__tcp_icmp_error(seqs_stack_t *s, uint8_t type, uint8_t code, uint16_t mtu,
                          uint32_t src, uint32_t dst, const uint8_t *quoted, size_t qlen);
/* Our address went away or changed: connections bound to the old one are aborted. */
void seqs__tcp_addr_changed(seqs_stack_t *s);

#endif
