/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/wire/ntp.h — NTP packet view (RFC 5905 7.3, the 48-byte header; any
 * extension fields or MAC after it are ignored). */
#ifndef SEQS_WIRE_NTP_H
#define SEQS_WIRE_NTP_H

#include "bytes.h"

#define SEQS_NTP_LEN 48u
#define SEQS_NTP_MODE_CLIENT 3u
#define SEQS_NTP_MODE_SERVER 4u
/* Field offsets. */
#define SEQS_NTP_OFF_REFID 12u
#define SEQS_NTP_OFF_REF 16u
#define SEQS_NTP_OFF_ORG 24u
#define SEQS_NTP_OFF_REC 32u
#define SEQS_NTP_OFF_XMT 40u

typedef struct seqs_ntp_view {
    const uint8_t *p;
    size_t len;
} seqs_ntp_view_t;

/* SEQS_VIEW_TRUNCATED below 48 bytes; the accessors read only the header. */
seqs_view_status_t seqs_ntp_view_init(seqs_ntp_view_t *v, const uint8_t *pkt, size_t len);

static inline unsigned seqs_ntp_li(const seqs_ntp_view_t *v) { return v->p[0] >> 6; }
static inline unsigned seqs_ntp_vn(const seqs_ntp_view_t *v) { return (v->p[0] >> 3) & 7u; }
static inline unsigned seqs_ntp_mode(const seqs_ntp_view_t *v) { return v->p[0] & 7u; }
static inline uint8_t seqs_ntp_stratum(const seqs_ntp_view_t *v) { return v->p[1]; }
static inline int8_t seqs_ntp_poll(const seqs_ntp_view_t *v) { return (int8_t)v->p[2]; }
static inline int8_t seqs_ntp_precision(const seqs_ntp_view_t *v) { return (int8_t)v->p[3]; }
static inline uint32_t seqs_ntp_root_delay(const seqs_ntp_view_t *v) { return seqs_be32(v->p + 4); }
static inline uint32_t seqs_ntp_root_disp(const seqs_ntp_view_t *v) { return seqs_be32(v->p + 8); }
/* The 4 or 8 bytes at a field offset (SEQS_NTP_OFF_*). */
static inline const uint8_t *seqs_ntp_field(const seqs_ntp_view_t *v, unsigned off) { return v->p + off; }
/* A 64-bit timestamp (seconds << 32 | fraction) at a field offset. */
static inline uint64_t seqs_ntp_ts(const seqs_ntp_view_t *v, unsigned off) {
    return ((uint64_t)seqs_be32(v->p + off) << 32) | seqs_be32(v->p + off + 4);
}

#endif
