/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/wire/dns.h — DNS message view (RFC 1035 4.1): header accessors, a
 * name decoder that follows compression pointers safely (RFC 9267), and
 * question / resource-record walkers. Nothing here reads past the length
 * given to seqs_dns_view_init(), and every loop is bounded: a pointer must
 * point strictly before the previous jump (so no loop is possible), a label
 * is at most 63 bytes and a name at most 255. */
#ifndef SEQS_WIRE_DNS_H
#define SEQS_WIRE_DNS_H

#include "bytes.h"

#define SEQS_DNS_HDR_LEN 12u
#define SEQS_DNS_MAX_LABEL 63u
#define SEQS_DNS_MAX_WIRE_NAME 255u   /* RFC 1035 2.3.4: length octets included */
#define SEQS_DNS_PORT 53u

/* RR types and class we use. */
#define SEQS_DNS_TYPE_A 1u
#define SEQS_DNS_TYPE_CNAME 5u
#define SEQS_DNS_CLASS_IN 1u

/* RCODE values (RFC 1035 4.1.1). */
#define SEQS_DNS_RCODE_NOERROR 0u
#define SEQS_DNS_RCODE_FORMERR 1u
#define SEQS_DNS_RCODE_SERVFAIL 2u
#define SEQS_DNS_RCODE_NXDOMAIN 3u
#define SEQS_DNS_RCODE_NOTIMP 4u
#define SEQS_DNS_RCODE_REFUSED 5u

/* What the name / record walkers found (0 = fine). */
typedef enum seqs_dns_wire_err {
    SEQS_DNS_WIRE_OK = 0,
    SEQS_DNS_WIRE_TRUNCATED = -1,   /* runs past the end of the message (name, pointer, RR, rdata) */
    SEQS_DNS_WIRE_POINTER = -2,     /* pointer forward, to itself, into the header, or not before the previous jump (loop) */
    SEQS_DNS_WIRE_LABEL = -3,       /* label longer than 63, or the reserved 01/10 label types */
    SEQS_DNS_WIRE_NAMELEN = -4,     /* decoded name longer than 255 bytes */
    SEQS_DNS_WIRE_RDLENGTH = -5,    /* RDLENGTH inconsistent with the type (A != 4, CNAME name not filling it) */
    SEQS_DNS_WIRE_COUNT = -6        /* a section count promises more records than the message holds */
} seqs_dns_wire_err_t;

typedef struct seqs_dns_view {
    const uint8_t *p;
    size_t len;
} seqs_dns_view_t;

/* The one validation step: SEQS_VIEW_TRUNCATED below the 12-byte header. The
 * sections are checked by the walkers below as they are read. */
seqs_view_status_t seqs_dns_view_init(seqs_dns_view_t *v, const uint8_t *msg, size_t len);

static inline uint16_t seqs_dns_id(const seqs_dns_view_t *v) { return seqs_be16(v->p); }
static inline uint16_t seqs_dns_flags(const seqs_dns_view_t *v) { return seqs_be16(v->p + 2); }
static inline unsigned seqs_dns_qr(const seqs_dns_view_t *v) { return (v->p[2] >> 7) & 1u; }
static inline unsigned seqs_dns_opcode(const seqs_dns_view_t *v) { return (v->p[2] >> 3) & 15u; }
static inline unsigned seqs_dns_aa(const seqs_dns_view_t *v) { return (v->p[2] >> 2) & 1u; }
static inline unsigned seqs_dns_tc(const seqs_dns_view_t *v) { return (v->p[2] >> 1) & 1u; }
static inline unsigned seqs_dns_rd(const seqs_dns_view_t *v) { return v->p[2] & 1u; }
static inline unsigned seqs_dns_ra(const seqs_dns_view_t *v) { return (v->p[3] >> 7) & 1u; }
static inline unsigned seqs_dns_rcode(const seqs_dns_view_t *v) { return v->p[3] & 15u; }
static inline uint16_t seqs_dns_qdcount(const seqs_dns_view_t *v) { return seqs_be16(v->p + 4); }
static inline uint16_t seqs_dns_ancount(const seqs_dns_view_t *v) { return seqs_be16(v->p + 6); }
static inline uint16_t seqs_dns_nscount(const seqs_dns_view_t *v) { return seqs_be16(v->p + 8); }
static inline uint16_t seqs_dns_arcount(const seqs_dns_view_t *v) { return seqs_be16(v->p + 10); }

/* Decodes the (possibly compressed) name starting at off into out as an
 * uncompressed wire-format name (length-prefixed labels ending with the root
 * byte 0): *outlen bytes, at most 255, so cap >= 255 always suffices (out may
 * be NULL to only validate). *next is the offset just after the name at off
 * (after the first pointer when there is one). Returns 0 or a seqs_dns_wire_err_t. */
int seqs_dns_name_decode(const seqs_dns_view_t *v, size_t off, uint8_t *out, size_t cap, size_t *outlen,
                         size_t *next);

/* Compares the (possibly compressed) name at off with the uncompressed wire
 * name `name` without copying it: 1 equal (ASCII case ignored, RFC 1035 2.3.3),
 * 0 different, or a negative seqs_dns_wire_err_t when the name at off is malformed
 * (up to where they differ: validate first when that matters). */
int seqs_dns_name_eq_at(const seqs_dns_view_t *v, size_t off, const uint8_t *name, size_t namelen);

/* 1 when wire names a and b (uncompressed) are equal ignoring ASCII case (RFC 1035 2.3.3). */
int seqs_dns_name_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* Encodes a dotted text name ("www.example.test", a trailing dot allowed) into
 * wire format. Returns the wire length (>= 2), or SEQS_DNS_WIRE_LABEL for an
 * empty or >63-byte label, SEQS_DNS_WIRE_NAMELEN when the name exceeds 255 wire
 * bytes or cap. The root name "." and "" are rejected (a stub looks up hosts). */
int seqs_dns_name_from_text(const char *text, uint8_t *out, size_t cap);

/* Writes wire name as dotted text (no trailing dot) with a NUL; returns the
 * text length or SEQS_DNS_WIRE_NAMELEN when cap is too small. Bytes outside
 * printable ASCII and '.' / '\\' inside labels are written as \DDD. */
int seqs_dns_name_to_text(const uint8_t *name, size_t namelen, char *out, size_t cap);

/* One question entry at off. */
typedef struct seqs_dns_question {
    size_t name_off;
    uint16_t qtype, qclass;
} seqs_dns_question_t;

int seqs_dns_question_parse(const seqs_dns_view_t *v, size_t off, seqs_dns_question_t *q, size_t *next);

/* One resource record at off: the owner name is validated (not copied), the
 * fixed fields read, and RDATA checked to lie inside the message. For A
 * records RDLENGTH must be 4; for CNAME the RDATA must be exactly one name. */
typedef struct seqs_dns_rr {
    size_t name_off;
    uint16_t type, rclass;
    uint32_t ttl;       /* as sent; RFC 2181 8: callers treat the MSB set as 0 */
    uint16_t rdlength;
    size_t rdata_off;
} seqs_dns_rr_t;

int seqs_dns_rr_parse(const seqs_dns_view_t *v, size_t off, seqs_dns_rr_t *rr, size_t *next);

/* Checks the whole message: every question and every record of the answer,
 * authority and additional sections parses, and the counts match what is
 * there. On success *answers_off is the offset of the answer section. */
int seqs_dns_msg_check(const seqs_dns_view_t *v, size_t *answers_off);

#endif
