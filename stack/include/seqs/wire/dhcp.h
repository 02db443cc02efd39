/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/wire/dhcp.h — BOOTP/DHCP message view and builder (RFC 951, RFC 2131,
 * RFC 2132, RFC 3396), shared by the DHCP client and server.
 *
 * The view validates a received message once (fixed header, hardware type,
 * magic cookie, and the whole option structure of every area in use, options
 * field then `file` then `sname` when option 52 overloads them); after that no
 * accessor can read out of bounds. The option reader concatenates repeated
 * options (RFC 3396) into a caller buffer. The builder writes a message into a
 * caller buffer with bounds checks and a sticky error. */
#ifndef SEQS_WIRE_DHCP_H
#define SEQS_WIRE_DHCP_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

#define SEQS_DHCP_SERVER_PORT 67u
#define SEQS_DHCP_CLIENT_PORT 68u

/* Fixed layout (RFC 2131 figure 1). */
#define SEQS_DHCP_OFF_OP 0u
#define SEQS_DHCP_OFF_HTYPE 1u
#define SEQS_DHCP_OFF_HLEN 2u
#define SEQS_DHCP_OFF_HOPS 3u
#define SEQS_DHCP_OFF_XID 4u
#define SEQS_DHCP_OFF_SECS 8u
#define SEQS_DHCP_OFF_FLAGS 10u
#define SEQS_DHCP_OFF_CIADDR 12u
#define SEQS_DHCP_OFF_YIADDR 16u
#define SEQS_DHCP_OFF_SIADDR 20u
#define SEQS_DHCP_OFF_GIADDR 24u
#define SEQS_DHCP_OFF_CHADDR 28u
#define SEQS_DHCP_OFF_SNAME 44u
#define SEQS_DHCP_OFF_FILE 108u
#define SEQS_DHCP_OFF_COOKIE 236u
#define SEQS_DHCP_OFF_OPTIONS 240u
#define SEQS_DHCP_SNAME_LEN 64u
#define SEQS_DHCP_FILE_LEN 128u
#define SEQS_DHCP_CHADDR_LEN 16u
#define SEQS_DHCP_MIN_LEN 240u        /* fixed header + magic cookie */
#define SEQS_DHCP_BOOTP_MIN_LEN 300u  /* RFC 1542 2.1: what we pad our messages to */
#define SEQS_DHCP_MAGIC 0x63825363u   /* RFC 2132 2 */
#define SEQS_DHCP_FLAG_BROADCAST 0x8000u

enum { SEQS_DHCP_BOOTREQUEST = 1, SEQS_DHCP_BOOTREPLY = 2 };

/* Option 53 values (RFC 2132 9.6). */
enum {
    SEQS_DHCP_DISCOVER = 1,
    SEQS_DHCP_OFFER = 2,
    SEQS_DHCP_REQUEST = 3,
    SEQS_DHCP_DECLINE = 4,
    SEQS_DHCP_ACK = 5,
    SEQS_DHCP_NAK = 6,
    SEQS_DHCP_RELEASE = 7,
    SEQS_DHCP_INFORM = 8
};

/* Option codes (RFC 2132). */
enum {
    SEQS_DHCP_OPT_PAD = 0,
    SEQS_DHCP_OPT_SUBNET_MASK = 1,
    SEQS_DHCP_OPT_ROUTER = 3,
    SEQS_DHCP_OPT_DNS = 6,
    SEQS_DHCP_OPT_HOSTNAME = 12,
    SEQS_DHCP_OPT_DOMAIN_NAME = 15,
    SEQS_DHCP_OPT_BROADCAST_ADDR = 28,
    SEQS_DHCP_OPT_NTP = 42,
    SEQS_DHCP_OPT_REQUESTED_ADDR = 50,
    SEQS_DHCP_OPT_LEASE_TIME = 51,
    SEQS_DHCP_OPT_OVERLOAD = 52,
    SEQS_DHCP_OPT_MSG_TYPE = 53,
    SEQS_DHCP_OPT_SERVER_ID = 54,
    SEQS_DHCP_OPT_PARAM_LIST = 55,
    SEQS_DHCP_OPT_MESSAGE = 56,
    SEQS_DHCP_OPT_MAX_MSG_SIZE = 57,
    SEQS_DHCP_OPT_T1 = 58,
    SEQS_DHCP_OPT_T2 = 59,
    SEQS_DHCP_OPT_VENDOR_CLASS = 60,
    SEQS_DHCP_OPT_CLIENT_ID = 61,
    SEQS_DHCP_OPT_END = 255
};

/* Option 52 bits: which extra areas carry options. */
enum { SEQS_DHCP_OVERLOAD_FILE = 1, SEQS_DHCP_OVERLOAD_SNAME = 2 };

/* What seqs_dhcp_view_init() found; every value but OK is a drop reason. */
typedef enum seqs_dhcp_check {
    SEQS_DHCP_OK = 0,
    SEQS_DHCP_TRUNCATED,     /* shorter than the 240-byte fixed part + cookie */
    SEQS_DHCP_BAD_OP,        /* op is neither BOOTREQUEST nor BOOTREPLY */
    SEQS_DHCP_BAD_HW,        /* htype != 1 (Ethernet) or hlen != 6 */
    SEQS_DHCP_BAD_COOKIE,    /* magic cookie is not 99.130.83.99 */
    SEQS_DHCP_BAD_OPTIONS,   /* an option's length runs past its area, or option 52 is malformed */
    SEQS_DHCP_NO_TYPE        /* no option 53, or it is not one byte long */
} seqs_dhcp_check_t;

typedef struct seqs_dhcp_view {
    const uint8_t *p;
    size_t len;
    uint8_t overload;   /* SEQS_DHCP_OVERLOAD_* found in the options field */
    uint8_t msg_type;   /* option 53 */
} seqs_dhcp_view_t;

/* The one validation step over a UDP payload of len bytes. Options are walked
 * area by area: pad (0) runs are skipped; END (255) or the end of the area
 * ends it (a missing END is accepted); a zero-length option is valid; an
 * option whose length byte or data would pass the area's end makes the
 * message BAD_OPTIONS. Option 52 is honoured only in the options field
 * (so an overloaded area cannot name itself or another: no loop); a value
 * outside 1..3 or a length other than 1 is BAD_OPTIONS. */
seqs_dhcp_check_t seqs_dhcp_view_init(seqs_dhcp_view_t *v, const uint8_t *msg, size_t len);
/* A short English name of a check result ("ok", "truncated", ...). */
const char *seqs_dhcp_check_name(seqs_dhcp_check_t c);

static inline uint8_t seqs_dhcp_op(const seqs_dhcp_view_t *v) { return v->p[SEQS_DHCP_OFF_OP]; }
static inline uint8_t seqs_dhcp_htype(const seqs_dhcp_view_t *v) { return v->p[SEQS_DHCP_OFF_HTYPE]; }
static inline uint8_t seqs_dhcp_hlen(const seqs_dhcp_view_t *v) { return v->p[SEQS_DHCP_OFF_HLEN]; }
static inline uint8_t seqs_dhcp_hops(const seqs_dhcp_view_t *v) { return v->p[SEQS_DHCP_OFF_HOPS]; }
static inline uint32_t seqs_dhcp_xid(const seqs_dhcp_view_t *v) { return seqs_be32(v->p + SEQS_DHCP_OFF_XID); }
static inline uint16_t seqs_dhcp_secs(const seqs_dhcp_view_t *v) { return seqs_be16(v->p + SEQS_DHCP_OFF_SECS); }
static inline uint16_t seqs_dhcp_flags(const seqs_dhcp_view_t *v) { return seqs_be16(v->p + SEQS_DHCP_OFF_FLAGS); }
static inline uint32_t seqs_dhcp_ciaddr(const seqs_dhcp_view_t *v) { return seqs_be32(v->p + SEQS_DHCP_OFF_CIADDR); }
static inline uint32_t seqs_dhcp_yiaddr(const seqs_dhcp_view_t *v) { return seqs_be32(v->p + SEQS_DHCP_OFF_YIADDR); }
static inline uint32_t seqs_dhcp_siaddr(const seqs_dhcp_view_t *v) { return seqs_be32(v->p + SEQS_DHCP_OFF_SIADDR); }
static inline uint32_t seqs_dhcp_giaddr(const seqs_dhcp_view_t *v) { return seqs_be32(v->p + SEQS_DHCP_OFF_GIADDR); }
/* 16 bytes; the first hlen (6) are the client's MAC. */
static inline const uint8_t *seqs_dhcp_chaddr(const seqs_dhcp_view_t *v) { return v->p + SEQS_DHCP_OFF_CHADDR; }
/* Option 53 (validated present and one byte long; its value is not range-checked). */
static inline uint8_t seqs_dhcp_msg_type(const seqs_dhcp_view_t *v) { return v->msg_type; }
/* The sname (64 bytes) / file (128 bytes) fields as raw bytes, or NULL when
 * option 52 says they carry options instead. Not necessarily NUL-terminated. */
const uint8_t *seqs_dhcp_sname(const seqs_dhcp_view_t *v);
const uint8_t *seqs_dhcp_file(const seqs_dhcp_view_t *v);

/* Option reader ------------------------------------------------------------ */

/* Walks every option instance in RFC 3396 order (options field, then file, then
 * sname when overloaded). Start with it zeroed (SEQS_DHCP_OPT_ITER_INIT). */
typedef struct seqs_dhcp_opt_iter {
    uint8_t area;   /* 0 options, 1 file, 2 sname, 3 done */
    size_t off;     /* next byte within the area */
} seqs_dhcp_opt_iter_t;
#define SEQS_DHCP_OPT_ITER_INIT {0, 0}

/* Next option instance (never PAD or END): 1 with code, data and len set, or 0 at the end. */
int seqs_dhcp_opt_next(const seqs_dhcp_view_t *v, seqs_dhcp_opt_iter_t *it, uint8_t *code, const uint8_t **data,
                       uint8_t *len);

/* Option `code`, all its instances concatenated (RFC 3396). Returns 1 when
 * present, 0 when absent. *total (may be NULL) gets the full concatenated
 * length; min(total, cap) bytes are copied into buf (buf may be NULL with cap 0). */
int seqs_dhcp_opt_get(const seqs_dhcp_view_t *v, uint8_t code, uint8_t *buf, size_t cap, size_t *total);
/* A 4-byte option (address or seconds): 1 when present with exactly 4 bytes. */
int seqs_dhcp_opt_u32(const seqs_dhcp_view_t *v, uint8_t code, uint32_t *out);
/* A list of addresses (1 router, 3 DNS, 42 NTP ...): number stored in out (at
 * most max); 0 when absent, empty, or not a multiple of 4 bytes. */
size_t seqs_dhcp_opt_addrs(const seqs_dhcp_view_t *v, uint8_t code, uint32_t *out, size_t max);

/* Builder ------------------------------------------------------------------- */

/* Fixed fields of a message to build. */
typedef struct seqs_dhcp_hdr {
    uint8_t op;   /* SEQS_DHCP_BOOTREQUEST / BOOTREPLY */
    uint8_t hops;
    uint32_t xid;
    uint16_t secs;
    uint16_t flags;
    uint32_t ciaddr, yiaddr, siaddr, giaddr;
    uint8_t chaddr[6];   /* Ethernet: htype 1, hlen 6 */
} seqs_dhcp_hdr_t;

typedef struct seqs_dhcp_builder {
    uint8_t *buf;
    size_t cap;
    size_t len;
    int err;   /* sticky: the first error (SEQS_ERR_NOBUFS / SEQS_ERR_INVAL) */
} seqs_dhcp_builder_t;

/* Starts a message in buf (cap bytes, at least 241 so END fits): zeroes the
 * fixed part and writes hdr, htype 1, hlen 6 and the magic cookie.
 * SEQS_ERR_INVAL for NULL pointers, SEQS_ERR_NOBUFS when cap < 241. */
int seqs_dhcp_build_begin(seqs_dhcp_builder_t *b, uint8_t *buf, size_t cap, const seqs_dhcp_hdr_t *hdr);
/* Appends option code with len bytes of data; data longer than 255 bytes is
 * split into consecutive instances of the same code (RFC 3396). Room for the
 * END byte is always kept. SEQS_ERR_NOBUFS when it does not fit (nothing is
 * written), SEQS_ERR_INVAL for code PAD/END or NULL data with len > 0. */
int seqs_dhcp_build_opt(seqs_dhcp_builder_t *b, uint8_t code, const void *data, size_t len);
int seqs_dhcp_build_opt_u8(seqs_dhcp_builder_t *b, uint8_t code, uint8_t v);
int seqs_dhcp_build_opt_u16(seqs_dhcp_builder_t *b, uint8_t code, uint16_t v);
int seqs_dhcp_build_opt_u32(seqs_dhcp_builder_t *b, uint8_t code, uint32_t v);
/* Writes END and zero-pads to 300 bytes (RFC 1542 2.1) when cap allows.
 * Returns the message length, or the first error of any earlier build call. */
int seqs_dhcp_build_end(seqs_dhcp_builder_t *b);

#endif
