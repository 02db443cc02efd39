/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/wire/tcp.h — TCP header view and option iterator (RFC 9293 3.1-3.2). */
#ifndef SEQS_WIRE_TCP_H
#define SEQS_WIRE_TCP_H

#include "bytes.h"

#define SEQS_TCP_MIN_HDR 20u
#define SEQS_TCP_MAX_HDR 60u

/* Flag bits of byte 13 (CWR..FIN). */
#define SEQS_TCP_FIN 0x01u
#define SEQS_TCP_SYN 0x02u
#define SEQS_TCP_RST 0x04u
#define SEQS_TCP_PSH 0x08u
#define SEQS_TCP_ACK 0x10u
#define SEQS_TCP_URG 0x20u
#define SEQS_TCP_ECE 0x40u
#define SEQS_TCP_CWR 0x80u

/* Option kinds. */
#define SEQS_TCPOPT_EOL 0u
#define SEQS_TCPOPT_NOP 1u
#define SEQS_TCPOPT_MSS 2u
#define SEQS_TCPOPT_WS 3u
#define SEQS_TCPOPT_SACK_PERM 4u
#define SEQS_TCPOPT_SACK 5u
#define SEQS_TCPOPT_TS 8u

typedef struct seqs_tcp_view {
    const uint8_t *p;
    size_t len;       /* the whole segment (header + payload) */
    size_t hdr_len;   /* data offset * 4, validated to lie within [20, len] */
} seqs_tcp_view_t;

/* The one validation step for a segment of len bytes: SEQS_VIEW_TRUNCATED below
 * 20 bytes, SEQS_VIEW_HEADER when the data offset is < 5 or points past the
 * segment. Option contents are not judged here: walk them with the iterator,
 * which stops safely on a malformed list. The checksum is checked separately
 * (seqs_tcp_view_checksum_ok) so a caller can count the two reasons apart. */
seqs_view_status_t seqs_tcp_view_init(seqs_tcp_view_t *v, const uint8_t *seg, size_t len);
/* True when the checksum over the pseudo header (src, dst host order) and the
 * whole segment verifies. A zero checksum field is only valid if the sum says so. */
int seqs_tcp_view_checksum_ok(const seqs_tcp_view_t *v, uint32_t src, uint32_t dst);

static inline uint16_t seqs_tcp_src_port(const seqs_tcp_view_t *v) { return seqs_be16(v->p); }
static inline uint16_t seqs_tcp_dst_port(const seqs_tcp_view_t *v) { return seqs_be16(v->p + 2); }
static inline uint32_t seqs_tcp_seq(const seqs_tcp_view_t *v) { return seqs_be32(v->p + 4); }
static inline uint32_t seqs_tcp_ack(const seqs_tcp_view_t *v) { return seqs_be32(v->p + 8); }
/* CWR..FIN; the reserved bits (and NS/AE) of byte 12 are ignored (T16). */
static inline uint8_t seqs_tcp_flags(const seqs_tcp_view_t *v) { return v->p[13]; }
static inline uint16_t seqs_tcp_window(const seqs_tcp_view_t *v) { return seqs_be16(v->p + 14); }
static inline uint16_t seqs_tcp_checksum(const seqs_tcp_view_t *v) { return seqs_be16(v->p + 16); }
static inline uint16_t seqs_tcp_urgent(const seqs_tcp_view_t *v) { return seqs_be16(v->p + 18); }
static inline const uint8_t *seqs_tcp_options(const seqs_tcp_view_t *v) { return v->p + SEQS_TCP_MIN_HDR; }
static inline size_t seqs_tcp_options_len(const seqs_tcp_view_t *v) { return v->hdr_len - SEQS_TCP_MIN_HDR; }
static inline const uint8_t *seqs_tcp_payload(const seqs_tcp_view_t *v) { return v->p + v->hdr_len; }
static inline size_t seqs_tcp_payload_len(const seqs_tcp_view_t *v) { return v->len - v->hdr_len; }

/* Option iterator: NOPs are skipped, EOL or the end of the option area ends the
 * walk. An option whose length byte is missing, 0, 1, or runs past the header
 * makes next() return -1 (and every later call too). */
typedef struct seqs_tcp_opt_iter {
    const uint8_t *p;
    size_t len;
    size_t off;
    int bad;
} seqs_tcp_opt_iter_t;

typedef struct seqs_tcp_opt {
    uint8_t kind;
    uint8_t len;           /* data bytes (option length minus 2) */
    const uint8_t *data;   /* len bytes, inside the header */
} seqs_tcp_opt_t;

void seqs_tcp_opt_begin(seqs_tcp_opt_iter_t *it, const seqs_tcp_view_t *v);
/* 1: *opt filled; 0: end of options; -1: malformed option list. */
int seqs_tcp_opt_next(seqs_tcp_opt_iter_t *it, seqs_tcp_opt_t *opt);

#endif
