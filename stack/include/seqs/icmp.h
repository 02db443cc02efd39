/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/icmp.h — ICMP echo client ("ping"): send echo requests and collect the
 * replies. Echo *replies* to other hosts' requests are automatic (RFC 1122 3.2.2.6). */
#ifndef SEQS_ICMP_H
#define SEQS_ICMP_H

#include <stddef.h>
#include <stdint.h>

typedef struct seqs_icmp_echo {
    uint32_t from;     /* source of the reply (host order) */
    uint16_t id, seq;
    uint16_t len;      /* payload bytes in the reply */
    uint8_t ttl;
    uint64_t rx_us;    /* stack time when it arrived */
} seqs_icmp_echo_t;

struct seqs_stack;

/* Queues one echo request (type 8) to dst with identifier id, sequence seq and
 * len bytes of payload; it is routed and ARP-resolved like UDP (while the
 * neighbour resolves it waits in the ARP queue) and fragmented if larger than
 * the MTU. Returns SEQS_OK or SEQS_ERR_INVAL/NOADDR/UNREACH/NOBUFS/MSGSIZE. */
int seqs_icmp_echo_send(struct seqs_stack *s, uint32_t dst, uint16_t id, uint16_t seq, const void *data, size_t len);
/* Pops the oldest echo reply received into *out; SEQS_ERR_AGAIN when none. The
 * stack keeps the last SEQS_ICMP_ECHO_RING replies (older ones are overwritten
 * and counted in icmp_echo_reply_overflow). */
int seqs_icmp_echo_recv(struct seqs_stack *s, seqs_icmp_echo_t *out);

#endif
