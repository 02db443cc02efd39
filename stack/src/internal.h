/* stack/src/internal.h — services the core modules offer each other.
 * Not installed; only the core sources and stack/tests include it.
 * Byte order: every uint32_t address here is host order; on-wire fields are read
 * and written only through the be16/be32 helpers. */
#ifndef SEQS_INTERNAL_H
#define SEQS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "seqs/seqs.h"

#define SEQS_CNT(s, name) ((s)->cnt.name++)

#define SEQS_ETH_HDR 14u
#define SEQS_IP_HDR 20u
/* Offset of the transport header in a frame built by seqs__ip_emit(). */
#define SEQS_TX_L4_OFF (SEQS_ETH_HDR + SEQS_IP_HDR)

#define SEQS_PROTO_ICMP 1u
#define SEQS_PROTO_TCP 6u
#define SEQS_PROTO_UDP 17u

/* --- byte order ------------------------------------------------------- */
static inline uint16_t seqs__be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t seqs__be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline void seqs__put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void seqs__put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* --- Internet checksum (RFC 1071) --------------------------------------
 * Accumulate with seqs__csum_add (any length, odd lengths padded), start a
 * transport sum with seqs__csum_pseudo, finish with seqs__csum_fold (returns
 * the one's complement, ready to store; a result of 0 means "valid" when
 * verifying a block that contains its own checksum). */
uint32_t seqs__csum_add(uint32_t sum, const uint8_t *p, size_t n);
uint32_t seqs__csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);
uint16_t seqs__csum_fold(uint32_t sum);

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

/* True when addr is ours (unicast). */
int seqs__ip_is_local(const seqs_stack_t *s, uint32_t addr);
/* True when addr is limited broadcast, our subnet broadcast or multicast. */
int seqs__ip_is_bcast_or_mcast(const seqs_stack_t *s, uint32_t addr);

/* --- ICMP ---------------------------------------------------------------- */
/* Sends an ICMP error (type/code, 4 extra bytes e.g. MTU) quoting the IP header
 * and the first 8+ payload bytes of the offending datagram, subject to the
 * RFC 1122 3.2.2 restrictions and the rate limit. */
void seqs__icmp_send_error(seqs_stack_t *s, const seqs__ip_rx_t *rx, const uint8_t *l4, size_t l4len,
                           uint8_t type, uint8_t code, uint32_t extra);

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
