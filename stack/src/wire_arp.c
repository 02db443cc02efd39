/* SPDX-License-Identifier: BSD-3-Clause */
/* wire_arp.c — validation and construction of Ethernet/IPv4 ARP packets (RFC 826). */
#include <string.h>

#include "seqs/wire/arp.h"

seqs_view_status_t seqs_arp_view_init(seqs_arp_view_t *v, const uint8_t *pkt, size_t len) {
    if (len < SEQS_ARP_LEN)
        return SEQS_VIEW_TRUNCATED;
    /* RFC 826 "Packet Reception": only ar$hrd/ar$pro we speak, with their sizes (A4). */
    if (seqs_be16(pkt) != 1u || seqs_be16(pkt + 2) != 0x0800u || pkt[4] != 6u || pkt[5] != 4u)
        return SEQS_VIEW_UNSUPPORTED;
    v->p = pkt;
    return SEQS_VIEW_OK;
}

void seqs_arp_write(uint8_t *p, uint16_t op, const uint8_t sha[6], uint32_t spa, const uint8_t tha[6], uint32_t tpa) {
    seqs_put16(p, 1u);
    seqs_put16(p + 2, 0x0800u);
    p[4] = 6u;
    p[5] = 4u;
    seqs_put16(p + 6, op);
    memcpy(p + 8, sha, 6);
    seqs_put32(p + 14, spa);
    memcpy(p + 18, tha, 6);
    seqs_put32(p + 24, tpa);
}
