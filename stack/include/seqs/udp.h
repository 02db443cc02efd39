/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/udp.h — UDP sockets over caller-supplied receive buffers (RFC 768, RFC 1122 4.1).
 *
 * A socket is a slot in the stack named by a handle that carries a generation
 * count: after close, the old handle is rejected (SEQS_ERR_BADHANDLE) even if
 * the slot is reused. Received datagrams are copied once, into the ring the
 * caller gave to seqs_udp_open(), each with its source and destination. */
#ifndef SEQS_UDP_H
#define SEQS_UDP_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t seqs_udp_t;   /* 0 is never a valid handle */

typedef struct seqs_udp_meta {
    uint32_t remote_addr;   /* datagram source (recv) / destination (send) */
    uint16_t remote_port;
    uint16_t local_port;
    uint32_t local_addr;    /* destination the datagram was sent to (recv: may be broadcast/multicast) / source to use (send; 0 = default) */
    uint8_t truncated;      /* recv: the datagram was longer than the buffer; the rest is discarded */
} seqs_udp_meta_t;

/* Information about the last ICMP error delivered to a socket (C8). */
typedef struct seqs_udp_icmp_err {
    uint8_t type, code;
    uint32_t remote_addr;   /* destination of our datagram that provoked it */
    uint16_t remote_port;
    uint16_t mtu;           /* next-hop MTU for Frag-Needed, else 0 */
} seqs_udp_icmp_err_t;

struct seqs_stack;

/* Opens a socket whose received datagrams are kept in rxbuf (rxcap bytes, each
 * datagram costs its length plus a small record header). rxbuf must stay valid
 * until close. SEQS_ERR_NOSLOT when all config.max_udp_sockets are open. */
int seqs_udp_open(struct seqs_stack *s, seqs_udp_t *out, uint8_t *rxbuf, size_t rxcap);
/* Binds to local_addr (0 = any of ours) and port (0 = a random ephemeral port).
 * SEQS_ERR_INUSE if another socket has that port. */
int seqs_udp_bind(struct seqs_stack *s, seqs_udp_t h, uint32_t local_addr, uint16_t port);
/* Sets the default destination and only accepts datagrams from it (addr 0 disconnects). */
int seqs_udp_connect(struct seqs_stack *s, seqs_udp_t h, uint32_t addr, uint16_t port);
/* Bound local port (after an implicit bind too), 0 if unbound. */
uint16_t seqs_udp_local_port(const struct seqs_stack *s, seqs_udp_t h);

/* Queues one datagram to addr:port (addr 0 and port 0 = the connected peer).
 * An unbound socket is bound to an ephemeral port first. Datagrams larger than
 * the MTU are fragmented. Returns len on success; SEQS_ERR_NOADDR, SEQS_ERR_NOBUFS
 * (transmit queue full), SEQS_ERR_MSGSIZE (beyond 65507 or the queue size),
 * SEQS_ERR_UNREACH (no route). */
int seqs_udp_sendto(struct seqs_stack *s, seqs_udp_t h, const void *data, size_t len, uint32_t addr, uint16_t port);
/* As sendto, with the source address chosen by meta->local_addr (must be ours,
 * or 0) — a server bound to the wildcard replies from the address it was asked on (U7).
 * A broadcast/multicast local_addr (a request that came to one) means "our address",
 * so passing recvfrom's meta straight back always works. */
int seqs_udp_sendmsg(struct seqs_stack *s, seqs_udp_t h, const void *data, size_t len, const seqs_udp_meta_t *meta);

/* Takes the oldest datagram: copies up to cap bytes into buf, fills meta (may be
 * NULL) and returns the number of bytes copied; SEQS_ERR_AGAIN when empty. */
int seqs_udp_recvfrom(struct seqs_stack *s, seqs_udp_t h, void *buf, size_t cap, seqs_udp_meta_t *meta);
/* Number of datagrams waiting. */
int seqs_udp_pending(const struct seqs_stack *s, seqs_udp_t h);

/* Pending ICMP error: returns SEQS_ERR_UNREACH (type 3) or SEQS_ERR_MSGSIZE
 * (frag needed), with details in *info (may be NULL), and clears it; SEQS_OK when none. */
int seqs_udp_error(struct seqs_stack *s, seqs_udp_t h, seqs_udp_icmp_err_t *info);

int seqs_udp_close(struct seqs_stack *s, seqs_udp_t h);

#endif
