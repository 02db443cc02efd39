/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/wire/arp.h — ARP packet view for Ethernet/IPv4 (RFC 826). */
#ifndef SEQS_WIRE_ARP_H
#define SEQS_WIRE_ARP_H

#include "bytes.h"

#define SEQS_ARP_LEN 28u
#define SEQS_ARP_OP_REQUEST 1u
#define SEQS_ARP_OP_REPLY 2u

typedef struct seqs_arp_view {
    const uint8_t *p;
} seqs_arp_view_t;

/* The one validation step: SEQS_VIEW_TRUNCATED below 28 bytes; SEQS_VIEW_UNSUPPORTED
 * unless hrd=1 (Ethernet), pro=0x0800, hln=6, pln=4 (A4). Trailing bytes are ignored. */
seqs_view_status_t seqs_arp_view_init(seqs_arp_view_t *v, const uint8_t *pkt, size_t len);

static inline uint16_t seqs_arp_op(const seqs_arp_view_t *v) { return seqs_be16(v->p + 6); }
static inline const uint8_t *seqs_arp_sha(const seqs_arp_view_t *v) { return v->p + 8; }
static inline uint32_t seqs_arp_spa(const seqs_arp_view_t *v) { return seqs_be32(v->p + 14); }
static inline const uint8_t *seqs_arp_tha(const seqs_arp_view_t *v) { return v->p + 18; }
static inline uint32_t seqs_arp_tpa(const seqs_arp_view_t *v) { return seqs_be32(v->p + 24); }

/* Writes a 28-byte Ethernet/IPv4 ARP packet at p. */
void seqs_arp_write(uint8_t *p, uint16_t op, const uint8_t sha[6], uint32_t spa, const uint8_t tha[6], uint32_t tpa);

#endif
