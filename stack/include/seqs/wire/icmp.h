/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/wire/icmp.h — ICMPv4 message view (RFC 792). */
#ifndef SEQS_WIRE_ICMP_H
#define SEQS_WIRE_ICMP_H

#include "bytes.h"

#define SEQS_ICMP_HDR_LEN 8u
#define SEQS_ICMP_ECHO_REPLY 0u
#define SEQS_ICMP_DEST_UNREACH 3u
#define SEQS_ICMP_SOURCE_QUENCH 4u
#define SEQS_ICMP_REDIRECT 5u
#define SEQS_ICMP_ECHO_REQUEST 8u
#define SEQS_ICMP_TIME_EXCEEDED 11u
#define SEQS_ICMP_PARAM_PROBLEM 12u

#define SEQS_ICMP_UNREACH_NET 0u
#define SEQS_ICMP_UNREACH_HOST 1u
#define SEQS_ICMP_UNREACH_PROTO 2u
#define SEQS_ICMP_UNREACH_PORT 3u
#define SEQS_ICMP_UNREACH_FRAG_NEEDED 4u
#define SEQS_ICMP_TIMEX_REASM 1u

typedef struct seqs_icmp_view {
    const uint8_t *p;
    size_t len;   /* the whole ICMP message */
} seqs_icmp_view_t;

/* The one validation step: SEQS_VIEW_TRUNCATED below 8 bytes, SEQS_VIEW_CHECKSUM
 * when the checksum over the whole message does not verify. */
seqs_view_status_t seqs_icmp_view_init(seqs_icmp_view_t *v, const uint8_t *msg, size_t len);

static inline uint8_t seqs_icmp_type(const seqs_icmp_view_t *v) { return v->p[0]; }
static inline uint8_t seqs_icmp_code(const seqs_icmp_view_t *v) { return v->p[1]; }
static inline uint16_t seqs_icmp_checksum(const seqs_icmp_view_t *v) { return seqs_be16(v->p + 2); }
/* Echo identifier/sequence (types 0/8). */
static inline uint16_t seqs_icmp_echo_id(const seqs_icmp_view_t *v) { return seqs_be16(v->p + 4); }
static inline uint16_t seqs_icmp_echo_seq(const seqs_icmp_view_t *v) { return seqs_be16(v->p + 6); }
/* Next-hop MTU of a Frag-Needed message (RFC 1191). */
static inline uint16_t seqs_icmp_mtu(const seqs_icmp_view_t *v) { return seqs_be16(v->p + 6); }
static inline const uint8_t *seqs_icmp_body(const seqs_icmp_view_t *v) { return v->p + SEQS_ICMP_HDR_LEN; }
static inline size_t seqs_icmp_body_len(const seqs_icmp_view_t *v) { return v->len - SEQS_ICMP_HDR_LEN; }

/* True for the error types (3, 4, 5, 11, 12) and for types we do not know,
 * which RFC 1122 3.2.2 lets us treat as errors: never answer those with an error. */
static inline int seqs_icmp_type_is_error(uint8_t type) {
    return !(type == 0 || type == 8 || (type >= 13 && type <= 18));
}

#endif
