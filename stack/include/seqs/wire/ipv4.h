/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/wire/ipv4.h — IPv4 header view (RFC 791 3.1). */
#ifndef SEQS_WIRE_IPV4_H
#define SEQS_WIRE_IPV4_H

#include "bytes.h"

#define SEQS_IPV4_MIN_HDR 20u
#define SEQS_IPV4_FLAG_DF 0x4000u
#define SEQS_IPV4_FLAG_MF 0x2000u
#define SEQS_IPV4_OFF_MASK 0x1FFFu

/* Option kinds (RFC 791 3.1, IANA). */
#define SEQS_IPOPT_EOL 0u
#define SEQS_IPOPT_NOP 1u
#define SEQS_IPOPT_LSRR 131u
#define SEQS_IPOPT_SSRR 137u

typedef struct seqs_ipv4_view {
    const uint8_t *p;
    size_t hdr_len;     /* IHL * 4 */
    size_t total_len;   /* Total Length; bytes after it (Ethernet padding) are not part of the view */
} seqs_ipv4_view_t;

/* The one validation step, in this order: SEQS_VIEW_TRUNCATED (< 20 bytes),
 * SEQS_VIEW_VERSION (!= 4), SEQS_VIEW_HEADER (IHL < 5), SEQS_VIEW_TRUNCATED
 * (Total Length > len), SEQS_VIEW_HEADER (IHL*4 > Total Length),
 * SEQS_VIEW_CHECKSUM (header checksum, options included), SEQS_VIEW_SRCROUTE
 * (LSRR/SSRR), SEQS_VIEW_OPTIONS (option length 0/1 or past the header).
 * Unknown options are accepted (RFC 1122 3.2.1.8). */
seqs_view_status_t seqs_ipv4_view_init(seqs_ipv4_view_t *v, const uint8_t *pkt, size_t len);

static inline uint8_t seqs_ipv4_tos(const seqs_ipv4_view_t *v) { return v->p[1]; }
static inline uint16_t seqs_ipv4_id(const seqs_ipv4_view_t *v) { return seqs_be16(v->p + 4); }
static inline uint16_t seqs_ipv4_frag(const seqs_ipv4_view_t *v) { return seqs_be16(v->p + 6); }
static inline int seqs_ipv4_df(const seqs_ipv4_view_t *v) { return (seqs_ipv4_frag(v) & SEQS_IPV4_FLAG_DF) != 0; }
static inline int seqs_ipv4_mf(const seqs_ipv4_view_t *v) { return (seqs_ipv4_frag(v) & SEQS_IPV4_FLAG_MF) != 0; }
/* Fragment offset in bytes. */
static inline uint32_t seqs_ipv4_frag_off(const seqs_ipv4_view_t *v) {
    return (uint32_t)(seqs_ipv4_frag(v) & SEQS_IPV4_OFF_MASK) * 8u;
}
static inline uint8_t seqs_ipv4_ttl(const seqs_ipv4_view_t *v) { return v->p[8]; }
static inline uint8_t seqs_ipv4_proto(const seqs_ipv4_view_t *v) { return v->p[9]; }
static inline uint16_t seqs_ipv4_checksum(const seqs_ipv4_view_t *v) { return seqs_be16(v->p + 10); }
static inline uint32_t seqs_ipv4_src(const seqs_ipv4_view_t *v) { return seqs_be32(v->p + 12); }
static inline uint32_t seqs_ipv4_dst(const seqs_ipv4_view_t *v) { return seqs_be32(v->p + 16); }
static inline const uint8_t *seqs_ipv4_payload(const seqs_ipv4_view_t *v) { return v->p + v->hdr_len; }
static inline size_t seqs_ipv4_payload_len(const seqs_ipv4_view_t *v) { return v->total_len - v->hdr_len; }

/* Address classes (host byte order). */
static inline int seqs_ip4_is_multicast(uint32_t a) { return (a & 0xF0000000u) == 0xE0000000u; }
static inline int seqs_ip4_is_loopback(uint32_t a) { return (a & 0xFF000000u) == 0x7F000000u; }
static inline int seqs_ip4_is_limited_bcast(uint32_t a) { return a == 0xFFFFFFFFu; }

#endif
