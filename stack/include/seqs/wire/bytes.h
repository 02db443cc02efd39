/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/wire/bytes.h — big-endian field access and the result of a view's
 * validation step. Every frame view reads its fields through these helpers at
 * fixed offsets: no packed-struct casts, so alignment and padding never matter. */
#ifndef SEQS_WIRE_BYTES_H
#define SEQS_WIRE_BYTES_H

#include <stddef.h>
#include <stdint.h>

static inline uint16_t seqs_be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t seqs_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline void seqs_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void seqs_put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* What a view's single validation function found. Only SEQS_VIEW_OK allows the
 * accessors to be used; the other values name the reason so the caller can count it. */
typedef enum seqs_view_status {
    SEQS_VIEW_OK = 0,
    SEQS_VIEW_TRUNCATED,    /* fewer bytes than the header (or a length field) needs */
    SEQS_VIEW_VERSION,      /* IPv4: version != 4 */
    SEQS_VIEW_HEADER,       /* a header length field is out of range (IHL, data offset) */
    SEQS_VIEW_LENGTH,       /* a length field is inconsistent (UDP length) */
    SEQS_VIEW_CHECKSUM,     /* checksum does not verify */
    SEQS_VIEW_OPTIONS,      /* malformed option list (length 0/1, overrun) */
    SEQS_VIEW_SRCROUTE,     /* IPv4 LSRR/SSRR present (RFC 7126 4.3-4.4: dropped) */
    SEQS_VIEW_UNSUPPORTED   /* ARP: hardware/protocol types or sizes are not Ethernet/IPv4 */
} seqs_view_status_t;

#endif
