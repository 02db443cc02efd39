/* SPDX-License-Identifier: BSD-3-Clause */
/* dhcp_wire.c — BOOTP/DHCP message view, option reader and builder (seqs/wire/dhcp.h). */
#include <string.h>

#include "seqs/err.h"
#include "seqs/wire/dhcp.h"

enum { AREA_OPTIONS = 0, AREA_FILE = 1, AREA_SNAME = 2, AREA_DONE = 3 };

/* Bounds of one option area; 0 when the area does not carry options. */
static int area_bounds(const seqs_dhcp_view_t *v, unsigned area, const uint8_t **start, size_t *n) {
    switch (area) {
    case AREA_OPTIONS:
        *start = v->p + SEQS_DHCP_OFF_OPTIONS;
        *n = v->len - SEQS_DHCP_OFF_OPTIONS;
        return 1;
    case AREA_FILE:   /* RFC 3396 5: options, then file, then sname */
        *start = v->p + SEQS_DHCP_OFF_FILE;
        *n = SEQS_DHCP_FILE_LEN;
        return (v->overload & SEQS_DHCP_OVERLOAD_FILE) != 0;
    case AREA_SNAME:
        *start = v->p + SEQS_DHCP_OFF_SNAME;
        *n = SEQS_DHCP_SNAME_LEN;
        return (v->overload & SEQS_DHCP_OVERLOAD_SNAME) != 0;
    default:
        return 0;
    }
}

/* RFC 2132 2: pad and end are one byte, every other option is code, len, data. */
static int area_well_formed(const uint8_t *a, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = a[i];
        if (c == SEQS_DHCP_OPT_PAD) {
            i++;
            continue;
        }
        if (c == SEQS_DHCP_OPT_END)
            return 1;
        if (i + 1 >= n)
            return 0;   /* the length byte is past the area */
        size_t l = a[i + 1];
        if (l > n - i - 2)
            return 0;   /* the data runs past the area */
        i += 2 + l;
    }
    return 1;   /* no END: the area's end ends the list */
}

int seqs_dhcp_opt_next(const seqs_dhcp_view_t *v, seqs_dhcp_opt_iter_t *it, uint8_t *code, const uint8_t **data,
                       uint8_t *len) {
    while (it->area < AREA_DONE) {
        const uint8_t *a;
        size_t n;
        if (!area_bounds(v, it->area, &a, &n) || it->off >= n) {
            it->area++;
            it->off = 0;
            continue;
        }
        uint8_t c = a[it->off];
        if (c == SEQS_DHCP_OPT_PAD) {
            it->off++;
            continue;
        }
        /* END, or (defensively; the view rejected it) an option cut by the area's end. */
        if (c == SEQS_DHCP_OPT_END || it->off + 1 >= n || a[it->off + 1] > n - it->off - 2) {
            it->area++;
            it->off = 0;
            continue;
        }
        *code = c;
        *len = a[it->off + 1];
        *data = a + it->off + 2;
        it->off += 2u + *len;
        return 1;
    }
    return 0;
}

int seqs_dhcp_opt_get(const seqs_dhcp_view_t *v, uint8_t code, uint8_t *buf, size_t cap, size_t *total) {
    seqs_dhcp_opt_iter_t it = SEQS_DHCP_OPT_ITER_INIT;
    uint8_t c, l;
    const uint8_t *d;
    size_t sum = 0;
    int found = 0;
    if (!buf)
        cap = 0;
    while (seqs_dhcp_opt_next(v, &it, &c, &d, &l)) {
        if (c != code)
            continue;
        found = 1;
        /* RFC 3396 6: instances are concatenated in order. */
        if (sum < cap) {
            size_t k = cap - sum < l ? cap - sum : l;
            memcpy(buf + sum, d, k);
        }
        sum += l;
    }
    if (total)
        *total = sum;
    return found;
}

int seqs_dhcp_opt_u32(const seqs_dhcp_view_t *v, uint8_t code, uint32_t *out) {
    uint8_t b[4];
    size_t n;
    if (!seqs_dhcp_opt_get(v, code, b, sizeof b, &n) || n != 4)
        return 0;
    if (out)
        *out = seqs_be32(b);
    return 1;
}

size_t seqs_dhcp_opt_addrs(const seqs_dhcp_view_t *v, uint8_t code, uint32_t *out, size_t max) {
    /* Walk the instances ourselves so a long list needs no buffer: the
     * concatenation is read four bytes at a time across instance boundaries. */
    size_t total;
    if (!seqs_dhcp_opt_get(v, code, NULL, 0, &total) || total == 0 || total % 4)
        return 0;
    seqs_dhcp_opt_iter_t it = SEQS_DHCP_OPT_ITER_INIT;
    uint8_t c, l, acc[4];
    const uint8_t *d;
    size_t got = 0, k = 0;
    while (got < max && seqs_dhcp_opt_next(v, &it, &c, &d, &l)) {
        if (c != code)
            continue;
        for (size_t i = 0; i < l && got < max; i++) {
            acc[k++] = d[i];
            if (k == 4) {
                out[got++] = seqs_be32(acc);
                k = 0;
            }
        }
    }
    return got;
}

seqs_dhcp_check_t seqs_dhcp_view_init(seqs_dhcp_view_t *v, const uint8_t *msg, size_t len) {
    v->p = msg;
    v->len = len;
    v->overload = 0;
    v->msg_type = 0;
    if (!msg || len < SEQS_DHCP_MIN_LEN)
        return SEQS_DHCP_TRUNCATED;
    if (msg[SEQS_DHCP_OFF_OP] != SEQS_DHCP_BOOTREQUEST && msg[SEQS_DHCP_OFF_OP] != SEQS_DHCP_BOOTREPLY)
        return SEQS_DHCP_BAD_OP;
    if (msg[SEQS_DHCP_OFF_HTYPE] != 1 || msg[SEQS_DHCP_OFF_HLEN] != 6)
        return SEQS_DHCP_BAD_HW;
    if (seqs_be32(msg + SEQS_DHCP_OFF_COOKIE) != SEQS_DHCP_MAGIC)
        return SEQS_DHCP_BAD_COOKIE;
    if (!area_well_formed(msg + SEQS_DHCP_OFF_OPTIONS, len - SEQS_DHCP_OFF_OPTIONS))
        return SEQS_DHCP_BAD_OPTIONS;
    /* v->overload is 0 here, so this reads the options field only: an
     * option 52 inside file/sname is never followed (no overload loop). */
    uint8_t ov;
    size_t n;
    if (seqs_dhcp_opt_get(v, SEQS_DHCP_OPT_OVERLOAD, &ov, 1, &n)) {
        if (n != 1 || ov < 1 || ov > 3)
            return SEQS_DHCP_BAD_OPTIONS;
        if ((ov & SEQS_DHCP_OVERLOAD_FILE) && !area_well_formed(msg + SEQS_DHCP_OFF_FILE, SEQS_DHCP_FILE_LEN))
            return SEQS_DHCP_BAD_OPTIONS;
        if ((ov & SEQS_DHCP_OVERLOAD_SNAME) && !area_well_formed(msg + SEQS_DHCP_OFF_SNAME, SEQS_DHCP_SNAME_LEN))
            return SEQS_DHCP_BAD_OPTIONS;
        v->overload = ov;
    }
    uint8_t t;
    if (!seqs_dhcp_opt_get(v, SEQS_DHCP_OPT_MSG_TYPE, &t, 1, &n) || n != 1)
        return SEQS_DHCP_NO_TYPE;
    v->msg_type = t;
    return SEQS_DHCP_OK;
}

const char *seqs_dhcp_check_name(seqs_dhcp_check_t c) {
    switch (c) {
    case SEQS_DHCP_OK: return "ok";
    case SEQS_DHCP_TRUNCATED: return "truncated";
    case SEQS_DHCP_BAD_OP: return "bad op";
    case SEQS_DHCP_BAD_HW: return "bad htype/hlen";
    case SEQS_DHCP_BAD_COOKIE: return "bad magic cookie";
    case SEQS_DHCP_BAD_OPTIONS: return "malformed options";
    case SEQS_DHCP_NO_TYPE: return "no message type";
    }
    return "unknown";
}

const uint8_t *seqs_dhcp_sname(const seqs_dhcp_view_t *v) {
    return (v->overload & SEQS_DHCP_OVERLOAD_SNAME) ? NULL : v->p + SEQS_DHCP_OFF_SNAME;
}

const uint8_t *seqs_dhcp_file(const seqs_dhcp_view_t *v) {
    return (v->overload & SEQS_DHCP_OVERLOAD_FILE) ? NULL : v->p + SEQS_DHCP_OFF_FILE;
}

/* --- builder ---------------------------------------------------------------- */

int seqs_dhcp_build_begin(seqs_dhcp_builder_t *b, uint8_t *buf, size_t cap, const seqs_dhcp_hdr_t *hdr) {
    if (!b)
        return SEQS_ERR_INVAL;
    b->buf = buf;
    b->cap = cap;
    b->len = 0;
    b->err = SEQS_OK;
    if (!buf || !hdr)
        return b->err = SEQS_ERR_INVAL;
    if (cap < SEQS_DHCP_OFF_OPTIONS + 1)
        return b->err = SEQS_ERR_NOBUFS;
    memset(buf, 0, SEQS_DHCP_OFF_OPTIONS);
    buf[SEQS_DHCP_OFF_OP] = hdr->op;
    buf[SEQS_DHCP_OFF_HTYPE] = 1;
    buf[SEQS_DHCP_OFF_HLEN] = 6;
    buf[SEQS_DHCP_OFF_HOPS] = hdr->hops;
    seqs_put32(buf + SEQS_DHCP_OFF_XID, hdr->xid);
    seqs_put16(buf + SEQS_DHCP_OFF_SECS, hdr->secs);
    seqs_put16(buf + SEQS_DHCP_OFF_FLAGS, hdr->flags);
    seqs_put32(buf + SEQS_DHCP_OFF_CIADDR, hdr->ciaddr);
    seqs_put32(buf + SEQS_DHCP_OFF_YIADDR, hdr->yiaddr);
    seqs_put32(buf + SEQS_DHCP_OFF_SIADDR, hdr->siaddr);
    seqs_put32(buf + SEQS_DHCP_OFF_GIADDR, hdr->giaddr);
    memcpy(buf + SEQS_DHCP_OFF_CHADDR, hdr->chaddr, 6);
    seqs_put32(buf + SEQS_DHCP_OFF_COOKIE, SEQS_DHCP_MAGIC);
    b->len = SEQS_DHCP_OFF_OPTIONS;
    return SEQS_OK;
}

int seqs_dhcp_build_opt(seqs_dhcp_builder_t *b, uint8_t code, const void *data, size_t len) {
    if (!b)
        return SEQS_ERR_INVAL;
    if (b->err)
        return b->err;
    if (code == SEQS_DHCP_OPT_PAD || code == SEQS_DHCP_OPT_END || (!data && len))
        return b->err = SEQS_ERR_INVAL;
    /* One instance per 255 bytes (RFC 3396 7); a zero-length option is one instance. */
    size_t instances = len ? (len + 254) / 255 : 1;
    size_t need = instances * 2 + len;
    if (need > b->cap - b->len - 1)   /* keep room for END */
        return b->err = SEQS_ERR_NOBUFS;
    const uint8_t *d = (const uint8_t *)data;
    size_t left = len;
    do {
        size_t k = left > 255 ? 255 : left;
        b->buf[b->len++] = code;
        b->buf[b->len++] = (uint8_t)k;
        if (k)
            memcpy(b->buf + b->len, d, k);
        b->len += k;
        d += k;
        left -= k;
    } while (left);
    return SEQS_OK;
}

int seqs_dhcp_build_opt_u8(seqs_dhcp_builder_t *b, uint8_t code, uint8_t v) { return seqs_dhcp_build_opt(b, code, &v, 1); }

int seqs_dhcp_build_opt_u16(seqs_dhcp_builder_t *b, uint8_t code, uint16_t v) {
    uint8_t x[2];
    seqs_put16(x, v);
    return seqs_dhcp_build_opt(b, code, x, 2);
}

int seqs_dhcp_build_opt_u32(seqs_dhcp_builder_t *b, uint8_t code, uint32_t v) {
    uint8_t x[4];
    seqs_put32(x, v);
    return seqs_dhcp_build_opt(b, code, x, 4);
}

int seqs_dhcp_build_end(seqs_dhcp_builder_t *b) {
    if (!b)
        return SEQS_ERR_INVAL;
    if (b->err)
        return b->err;
    b->buf[b->len++] = SEQS_DHCP_OPT_END;
    size_t want = SEQS_DHCP_BOOTP_MIN_LEN < b->cap ? SEQS_DHCP_BOOTP_MIN_LEN : b->cap;
    if (b->len < want) {
        memset(b->buf + b->len, 0, want - b->len);
        b->len = want;
    }
    return (int)b->len;
}
