/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/wire/udp.h — UDP datagram view (RFC 768). */
#ifndef SEQS_WIRE_UDP_H
#define SEQS_WIRE_UDP_H

#include "bytes.h"

#define SEQS_UDP_HDR_LEN 8u

typedef struct seqs_udp_view {
    const uint8_t *p;
    size_t len;   /* UDP Length field: bytes after it (up to the IP payload end) are ignored (U5) */
} seqs_udp_view_t;

/* The one validation step over an IP payload of len bytes from src to dst:
 * SEQS_VIEW_TRUNCATED below 8 bytes, SEQS_VIEW_LENGTH when the UDP length is < 8
 * or more than len, SEQS_VIEW_CHECKSUM when a non-zero checksum does not verify
 * (zero means "not computed", RFC 768 / RFC 1122 4.1.3.4). */
seqs_view_status_t seqs_udp_view_init(seqs_udp_view_t *v, const uint8_t *dgram, size_t len, uint32_t src,
                                      uint32_t dst);

static inline uint16_t seqs_udp_src_port(const seqs_udp_view_t *v) { return seqs_be16(v->p); }
static inline uint16_t seqs_udp_dst_port(const seqs_udp_view_t *v) { return seqs_be16(v->p + 2); }
static inline uint16_t seqs_udp_checksum(const seqs_udp_view_t *v) { return seqs_be16(v->p + 6); }
static inline const uint8_t *seqs_udp_payload(const seqs_udp_view_t *v) { return v->p + SEQS_UDP_HDR_LEN; }
static inline size_t seqs_udp_payload_len(const seqs_udp_view_t *v) { return v->len - SEQS_UDP_HDR_LEN; }

#endif
