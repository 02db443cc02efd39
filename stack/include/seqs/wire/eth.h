/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/wire/eth.h — Ethernet II frame view (no FCS). */
#ifndef SEQS_WIRE_ETH_H
#define SEQS_WIRE_ETH_H

#include "bytes.h"

#define SEQS_ETH_HDR_LEN 14u
#define SEQS_ETHERTYPE_IPV4 0x0800u
#define SEQS_ETHERTYPE_ARP 0x0806u
#define SEQS_ETHERTYPE_VLAN 0x8100u   /* 802.1Q */
#define SEQS_ETHERTYPE_QINQ 0x88A8u   /* 802.1ad */

typedef struct seqs_eth_view {
    const uint8_t *p;
    size_t len;
} seqs_eth_view_t;

/* The one validation step: at least a full header. */
seqs_view_status_t seqs_eth_view_init(seqs_eth_view_t *v, const uint8_t *frame, size_t len);

static inline const uint8_t *seqs_eth_dst(const seqs_eth_view_t *v) { return v->p; }
static inline const uint8_t *seqs_eth_src(const seqs_eth_view_t *v) { return v->p + 6; }
static inline uint16_t seqs_eth_type(const seqs_eth_view_t *v) { return seqs_be16(v->p + 12); }
static inline const uint8_t *seqs_eth_payload(const seqs_eth_view_t *v) { return v->p + SEQS_ETH_HDR_LEN; }
static inline size_t seqs_eth_payload_len(const seqs_eth_view_t *v) { return v->len - SEQS_ETH_HDR_LEN; }

static inline int seqs_mac_is_bcast(const uint8_t *m) {
    return (m[0] & m[1] & m[2] & m[3] & m[4] & m[5]) == 0xFF;
}
/* Group bit set (multicast or broadcast). */
static inline int seqs_mac_is_group(const uint8_t *m) { return (m[0] & 1u) != 0; }
static inline int seqs_mac_is_zero(const uint8_t *m) { return (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) == 0; }

#endif
