/* SPDX-License-Identifier: BSD-3-Clause */
/* HTTP/1.1 head parser (RFC 9112 2-6, RFC 9110 5): a single bounded pass over
 * the bytes received so far. Strict where the RFC lets a recipient choose:
 * lines end in CRLF (a bare CR or LF is an error), no whitespace before a
 * field's colon, no obs-fold, one space between request-line elements. */
#include <string.h>

#include "seqs/err.h"
#include "seqs/http.h"
#include "http_int.h"

/* Character classes (one table, read-only). */
enum { C_TCHAR = 1, C_VAL = 2, C_TARGET = 4, C_DIGIT = 8, C_HEX = 16 };

#define T_ (C_TCHAR | C_VAL | C_TARGET)
#define D_ (C_TCHAR | C_VAL | C_TARGET | C_DIGIT | C_HEX)
#define H_ (C_TCHAR | C_VAL | C_TARGET | C_HEX)
#define V_ (C_VAL | C_TARGET)
#define O_ (C_VAL)
static const uint8_t cls[256] = {
    /* 0x00 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, O_, 0, 0, 0, 0, 0, 0,
    /* 0x10 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x20  SP ! " # $ % & ' ( ) * + , - . / */
    O_, T_, V_, T_, T_, T_, T_, T_, V_, V_, T_, T_, V_, T_, T_, V_,
    /* 0x30 0-9 : ; < = > ? */
    D_, D_, D_, D_, D_, D_, D_, D_, D_, D_, V_, V_, V_, V_, V_, V_,
    /* 0x40 @ A-O */
    V_, H_, H_, H_, H_, H_, H_, T_, T_, T_, T_, T_, T_, T_, T_, T_,
    /* 0x50 P-Z [ \ ] ^ _ */
    T_, T_, T_, T_, T_, T_, T_, T_, T_, T_, T_, V_, V_, V_, T_, T_,
    /* 0x60 ` a-o */
    T_, H_, H_, H_, H_, H_, H_, T_, T_, T_, T_, T_, T_, T_, T_, T_,
    /* 0x70 p-z { | } ~ DEL */
    T_, T_, T_, T_, T_, T_, T_, T_, T_, T_, T_, V_, T_, V_, T_, 0,
    /* 0x80-0xFF: obs-text, allowed in field values only */
    O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_,
    O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_,
    O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_,
    O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_,
    O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_,
    O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_,
    O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_,
    O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_, O_,
};

int seqs_http_is_tchar(uint8_t c) { return (cls[c] & C_TCHAR) != 0; }
int seqs_http_is_hex(uint8_t c) { return (cls[c] & C_HEX) != 0; }
int seqs_http_is_val(uint8_t c) { return (cls[c] & C_VAL) != 0; }

static uint8_t lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c; }

int seqs_http_ieq(const uint8_t *a, size_t alen, const char *b) {
    size_t i;
    for (i = 0; i < alen; i++) {
        if (b[i] == '\0' || lower(a[i]) != lower((uint8_t)b[i]))
            return 0;
    }
    return b[alen] == '\0';
}

/* Per-parse facts about the fields that decide framing and the answer. */
typedef struct finfo {
    unsigned hosts;
    uint8_t has_cl, has_te, te_chunked_last, te_unknown, te_bad, expect_bad;
    uint64_t cl;
} finfo_t;

/* Content-Length = 1*DIGIT, possibly a list of identical values (RFC 9112 6.3 item 5). */
static int parse_cl(const uint8_t *v, size_t n, finfo_t *fi) {
    size_t i = 0;
    for (;;) {
        uint64_t x = 0;
        size_t digits = 0;
        while (i < n && (v[i] == ' ' || v[i] == '\t'))
            i++;
        while (i < n && (cls[v[i]] & C_DIGIT)) {
            if (++digits > 18)
                return -1;     /* beyond 10^18: refuse rather than overflow */
            x = x * 10u + (uint64_t)(v[i] - '0');
            i++;
        }
        if (digits == 0)
            return -1;
        if (fi->has_cl && fi->cl != x)
            return -1;
        fi->has_cl = 1;
        fi->cl = x;
        while (i < n && (v[i] == ' ' || v[i] == '\t'))
            i++;
        if (i == n)
            return 0;
        if (v[i] != ',')
            return -1;
        i++;
    }
}

/* Walks a comma-separated token list, calling back per element (parameters after ';' cut off). */
static void te_list(const uint8_t *v, size_t n, finfo_t *fi) {
    size_t i = 0;
    while (i <= n) {
        size_t s, e;
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        if (i >= n)
            break;
        s = i;
        while (i < n && cls[v[i]] & C_TCHAR)
            i++;
        e = i;
        if (e == s) {
            fi->te_bad = 1;
            return;
        }
        /* skip parameters and whitespace up to the next comma */
        while (i < n && v[i] != ',')
            i++;
        if (seqs_http_ieq(v + s, e - s, "chunked")) {
            if (fi->te_chunked_last)
                fi->te_bad = 1;     /* chunked twice (RFC 9112 6.1) */
            fi->te_chunked_last = 1;
        } else {
            if (fi->te_chunked_last)
                fi->te_bad = 1;     /* a coding after chunked: chunked is not final */
            fi->te_chunked_last = 0;
            fi->te_unknown = 1;
        }
    }
    fi->has_te = 1;
}

static void conn_list(const uint8_t *v, size_t n, seqs_http_msg_t *m) {
    size_t i = 0;
    while (i < n) {
        size_t s;
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        s = i;
        while (i < n && v[i] != ',' && v[i] != ' ' && v[i] != '\t')
            i++;
        if (i > s) {
            if (seqs_http_ieq(v + s, i - s, "close"))
                m->flags |= SEQS_HTTP_F_CLOSE;
            else if (seqs_http_ieq(v + s, i - s, "keep-alive"))
                m->flags |= SEQS_HTTP_F_KEEPALIVE;
        }
    }
}

/* Parses field lines from pos up to and including the empty line. Returns the
 * head length, 0 when incomplete, -1 for a syntax error, -2 when over limits. */
static int parse_fields(const uint8_t *buf, size_t len, size_t pos, seqs_http_msg_t *m, finfo_t *fi,
                        int request) {
    m->fields_off = (uint16_t)pos;
    for (;;) {
        size_t ns, ne, vs, ve;
        if (pos >= len)
            return 0;
        if (pos > SEQS_HTTP_MAX_HEAD)
            return -2;
        if (buf[pos] == '\r') {
            if (pos + 1 >= len)
                return 0;
            if (buf[pos + 1] != '\n')
                return -1;
            m->fields_len = (uint16_t)(pos - m->fields_off);
            pos += 2;
            if (pos > SEQS_HTTP_MAX_HEAD)
                return -2;
            return (int)pos;
        }
        /* A line starting with whitespace is obs-fold (or whitespace before the
         * first field): rejected (RFC 9112 5.2, 2.2). */
        ns = pos;
        while (pos < len && (cls[buf[pos]] & C_TCHAR))
            pos++;
        if (pos >= len)
            return pos > SEQS_HTTP_MAX_HEAD ? -2 : 0;
        ne = pos;
        /* No whitespace between name and colon (RFC 9112 5.1). */
        if (ne == ns || buf[pos] != ':')
            return -1;
        pos++;
        while (pos < len && (buf[pos] == ' ' || buf[pos] == '\t'))
            pos++;
        vs = pos;
        while (pos < len && (cls[buf[pos]] & C_VAL))
            pos++;
        if (pos + 1 >= len)
            return pos > SEQS_HTTP_MAX_HEAD ? -2 : 0;
        if (buf[pos] != '\r' || buf[pos + 1] != '\n')
            return -1;      /* a CTL, NUL, bare CR or bare LF in the value */
        ve = pos;
        while (ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t'))
            ve--;
        pos += 2;
        if (++m->nfields > SEQS_HTTP_MAX_FIELDS)
            return -2;
        {
            const uint8_t *n = buf + ns, *v = buf + vs;
            size_t nl = ne - ns, vl = ve - vs;
            switch (nl) {
            case 4:
                if (seqs_http_ieq(n, nl, "host"))
                    fi->hosts++;
                break;
            case 6:
                if (request && seqs_http_ieq(n, nl, "expect")) {
                    if (seqs_http_ieq(v, vl, "100-continue"))
                        m->flags |= SEQS_HTTP_F_CONTINUE;
                    else
                        fi->expect_bad = 1;
                }
                break;
            case 10:
                if (seqs_http_ieq(n, nl, "connection"))
                    conn_list(v, vl, m);
                break;
            case 14:
                if (seqs_http_ieq(n, nl, "content-length") && parse_cl(v, vl, fi) != 0)
                    return -1;
                break;
            case 17:
                if (seqs_http_ieq(n, nl, "transfer-encoding"))
                    te_list(v, vl, fi);
                break;
            default:
                break;
            }
        }
    }
}

static uint8_t method_of(const uint8_t *p, size_t n) {
    switch (n) {
    case 3:
        if (memcmp(p, "GET", 3) == 0) return SEQS_HTTP_GET;
        if (memcmp(p, "PUT", 3) == 0) return SEQS_HTTP_PUT;
        break;
    case 4:
        if (memcmp(p, "HEAD", 4) == 0) return SEQS_HTTP_HEAD;
        if (memcmp(p, "POST", 4) == 0) return SEQS_HTTP_POST;
        break;
    case 5:
        if (memcmp(p, "PATCH", 5) == 0) return SEQS_HTTP_PATCH;
        if (memcmp(p, "TRACE", 5) == 0) return SEQS_HTTP_TRACE;
        break;
    case 6:
        if (memcmp(p, "DELETE", 6) == 0) return SEQS_HTTP_DELETE;
        break;
    case 7:
        if (memcmp(p, "OPTIONS", 7) == 0) return SEQS_HTTP_OPTIONS;
        if (memcmp(p, "CONNECT", 7) == 0) return SEQS_HTTP_CONNECT;
        break;
    default:
        break;
    }
    return SEQS_HTTP_OTHER;
}

/* "HTTP/" DIGIT "." DIGIT at p (n bytes available): 1 ok, 0 incomplete-but-matching, -1 no. */
static int version_at(const uint8_t *p, size_t n, uint8_t *major, uint8_t *minor) {
    static const char pre[] = "HTTP/";
    size_t i;
    for (i = 0; i < 8 && i < n; i++) {
        uint8_t c = p[i];
        if (i < 5) {
            if (c != (uint8_t)pre[i])
                return -1;
        } else if (i == 6) {
            if (c != '.')
                return -1;
        } else if (!(cls[c] & C_DIGIT)) {
            return -1;
        }
    }
    if (n < 8)
        return 0;
    *major = (uint8_t)(p[5] - '0');
    *minor = (uint8_t)(p[7] - '0');
    return 1;
}

int seqs_http_parse_request(const uint8_t *buf, size_t len, seqs_http_msg_t *m) {
    size_t pos = 0, start;
    uint8_t major = 0, minor = 0;
    finfo_t fi;
    int r;
    memset(m, 0, sizeof *m);
    memset(&fi, 0, sizeof fi);
    m->buf = buf;
    m->status = 414;        /* what to answer if the buffer fills before the line ends */
    if (len > SEQS_HTTP_MAX_HEAD + 1)
        len = SEQS_HTTP_MAX_HEAD + 1;   /* the scan never needs more */
    /* RFC 9112 2.2: empty lines before the request line are ignored (bounded by the head limit). */
    while (pos + 1 < len && buf[pos] == '\r' && buf[pos + 1] == '\n')
        pos += 2;
    if (pos >= len || (buf[pos] == '\r' && pos + 1 >= len))
        return pos > SEQS_HTTP_MAX_HEAD ? -431 : 0;
    start = pos;
    m->start = (uint16_t)start;
    while (pos < len && (cls[buf[pos]] & C_TCHAR))
        pos++;
    if (pos - start > SEQS_HTTP_MAX_REQUEST_LINE)
        return -414;
    if (pos >= len)
        return 0;
    if (pos == start || buf[pos] != ' ')
        return -400;
    m->a_off = (uint16_t)start;
    m->a_len = (uint16_t)(pos - start);
    m->method = method_of(buf + start, pos - start);
    pos++;
    m->b_off = (uint16_t)pos;
    while (pos < len && (cls[buf[pos]] & C_TARGET))
        pos++;
    if (pos - start > SEQS_HTTP_MAX_REQUEST_LINE)
        return -414;
    if (pos >= len)
        return 0;
    if (pos == m->b_off || buf[pos] != ' ')
        return -400;
    m->b_len = (uint16_t)(pos - m->b_off);
    /* origin-form, absolute-form, authority-form (CONNECT) or "*" (OPTIONS), RFC 9112 3.2 */
    if (buf[m->b_off] != '/' && !(m->b_len == 1 && buf[m->b_off] == '*' && m->method == SEQS_HTTP_OPTIONS) &&
        !(m->b_len > 7 && seqs_http_ieq(buf + m->b_off, 7, "http://")) &&
        !(m->b_len > 8 && seqs_http_ieq(buf + m->b_off, 8, "https://")) && m->method != SEQS_HTTP_CONNECT)
        return -400;
    pos++;
    r = version_at(buf + pos, len - pos, &major, &minor);
    if (r < 0)
        return -400;
    if (r == 0 || pos + 10 > len)
        return (pos - start > SEQS_HTTP_MAX_REQUEST_LINE) ? -414 : 0;
    pos += 8;
    if (buf[pos] != '\r' || buf[pos + 1] != '\n')
        return -400;
    pos += 2;
    if (pos - start > SEQS_HTTP_MAX_REQUEST_LINE + 2)
        return -414;
    m->status = 431;
    r = parse_fields(buf, len, pos, m, &fi, 1);
    if (r == 0)
        return 0;
    if (r == -1)
        return -400;
    if (r == -2)
        return -431;
    m->head_len = (uint16_t)r;
    if (major != 1)
        return -505;
    m->minor = minor;
    if (m->method == SEQS_HTTP_OTHER)
        return -501;
    /* RFC 9112 3.2: exactly one Host in 1.1; never two. */
    if (fi.hosts > 1 || (minor >= 1 && fi.hosts != 1))
        return -400;
    if (fi.has_te) {
        if (minor == 0 || fi.te_bad)
            return -400;        /* RFC 9112 6.1: faulty framing */
        if (fi.te_unknown)
            return -501;
        if (!fi.te_chunked_last)
            return -400;
        m->framing = SEQS_HTTP_BODY_CHUNKED;
        if (fi.has_cl)
            m->flags |= SEQS_HTTP_F_TE_AND_CL | SEQS_HTTP_F_CLOSE;   /* RFC 9112 6.1: close after */
    } else if (fi.has_cl && fi.cl > 0) {
        m->framing = SEQS_HTTP_BODY_LENGTH;
        m->content_length = fi.cl;
    }
    if (minor == 0) {
        m->flags &= (uint8_t)~SEQS_HTTP_F_CONTINUE;   /* RFC 9110 10.1.1: ignored in 1.0 */
        if (!(m->flags & SEQS_HTTP_F_KEEPALIVE))
            m->flags |= SEQS_HTTP_F_CLOSE;
    } else if (fi.expect_bad) {
        return -417;
    }
    m->status = 0;
    return r;
}

int seqs_http_parse_response(const uint8_t *buf, size_t len, int head_request, seqs_http_msg_t *m) {
    size_t pos = 0;
    uint8_t major = 0, minor = 0;
    finfo_t fi;
    int r;
    memset(m, 0, sizeof *m);
    memset(&fi, 0, sizeof fi);
    m->buf = buf;
    if (len > SEQS_HTTP_MAX_HEAD + 1)
        len = SEQS_HTTP_MAX_HEAD + 1;
    r = version_at(buf, len, &major, &minor);
    if (r < 0)
        return SEQS_HTTP_ERR_PROTO;
    if (r == 0 || len < 13)
        return 0;
    if (major != 1)
        return SEQS_HTTP_ERR_PROTO;
    m->a_off = 0;
    m->a_len = 8;
    m->minor = minor;
    if (buf[8] != ' ' || !(cls[buf[9]] & C_DIGIT) || !(cls[buf[10]] & C_DIGIT) || !(cls[buf[11]] & C_DIGIT))
        return SEQS_HTTP_ERR_PROTO;
    m->status = (uint16_t)((buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0'));
    if (m->status < 100)
        return SEQS_HTTP_ERR_PROTO;
    pos = 12;
    /* RFC 9112 4: SP [reason-phrase]; a missing SP before an empty reason is tolerated. */
    if (buf[pos] == ' ') {
        pos++;
        m->b_off = (uint16_t)pos;
        while (pos < len && (cls[buf[pos]] & C_VAL))
            pos++;
        m->b_len = (uint16_t)(pos - m->b_off);
    }
    if (pos + 1 >= len)
        return pos > SEQS_HTTP_MAX_HEAD ? SEQS_HTTP_ERR_TOOBIG : 0;
    if (buf[pos] != '\r' || buf[pos + 1] != '\n')
        return SEQS_HTTP_ERR_PROTO;
    pos += 2;
    r = parse_fields(buf, len, pos, m, &fi, 0);
    if (r == 0)
        return 0;
    if (r == -1)
        return SEQS_HTTP_ERR_PROTO;
    if (r == -2)
        return SEQS_HTTP_ERR_TOOBIG;
    m->head_len = (uint16_t)r;
    /* RFC 9112 6.3 in its order. */
    if (head_request || m->status < 200 || m->status == 204 || m->status == 304) {
        m->framing = SEQS_HTTP_BODY_NONE;
    } else if (fi.has_te) {
        if (fi.te_bad)
            return SEQS_HTTP_ERR_PROTO;
        m->framing = fi.te_chunked_last ? SEQS_HTTP_BODY_CHUNKED : SEQS_HTTP_BODY_CLOSE;
    } else if (fi.has_cl) {
        m->framing = fi.cl ? SEQS_HTTP_BODY_LENGTH : SEQS_HTTP_BODY_NONE;
        m->content_length = fi.cl;
    } else {
        m->framing = SEQS_HTTP_BODY_CLOSE;
    }
    if (fi.has_cl && m->framing != SEQS_HTTP_BODY_CHUNKED)
        m->content_length = fi.cl;     /* also reported for HEAD / 304 */
    if (fi.has_te && fi.has_cl)
        m->flags |= SEQS_HTTP_F_TE_AND_CL | SEQS_HTTP_F_CLOSE;
    if (minor == 0 && !(m->flags & SEQS_HTTP_F_KEEPALIVE))
        m->flags |= SEQS_HTTP_F_CLOSE;
    if (m->framing == SEQS_HTTP_BODY_CLOSE)
        m->flags |= SEQS_HTTP_F_CLOSE;
    return r;
}

int seqs_http_msg_next_field(const seqs_http_msg_t *m, size_t *cursor, seqs_http_field_t *f) {
    const uint8_t *p;
    size_t pos, end, ns, vs, ve;
    if (m == NULL || cursor == NULL || f == NULL || m->buf == NULL)
        return 0;
    pos = m->fields_off + *cursor;
    end = (size_t)m->fields_off + m->fields_len;
    if (pos >= end)
        return 0;
    p = m->buf;
    /* The section was validated by the parser: every line is name ":" OWS value OWS CRLF. */
    ns = pos;
    while (p[pos] != ':')
        pos++;
    f->name = (const char *)p + ns;
    f->name_len = pos - ns;
    pos++;
    while (p[pos] == ' ' || p[pos] == '\t')
        pos++;
    vs = pos;
    while (p[pos] != '\r')
        pos++;
    ve = pos;
    while (ve > vs && (p[ve - 1] == ' ' || p[ve - 1] == '\t'))
        ve--;
    f->value = (const char *)p + vs;
    f->value_len = ve - vs;
    *cursor = pos + 2 - m->fields_off;
    return 1;
}

int seqs_http_msg_field(const seqs_http_msg_t *m, const char *name, seqs_http_field_t *f) {
    size_t cur = 0;
    seqs_http_field_t tmp;
    if (name == NULL)
        return 0;
    if (f == NULL)
        f = &tmp;
    while (seqs_http_msg_next_field(m, &cur, f)) {
        if (seqs_http_ieq((const uint8_t *)f->name, f->name_len, name))
            return 1;
    }
    return 0;
}

const char *seqs_http_msg_target(const seqs_http_msg_t *m, size_t *len) {
    if (m == NULL || m->buf == NULL) {
        if (len) *len = 0;
        return NULL;
    }
    if (len)
        *len = m->b_len;
    return (const char *)m->buf + m->b_off;
}

const char *seqs_http_msg_method(const seqs_http_msg_t *m, size_t *len) {
    if (m == NULL || m->buf == NULL) {
        if (len) *len = 0;
        return NULL;
    }
    if (len)
        *len = m->a_len;
    return (const char *)m->buf + m->a_off;
}
