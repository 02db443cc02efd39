/* SPDX-License-Identifier: BSD-3-Clause */
/* wire_dns.c — the DNS message view: names with compression (RFC 1035 4.1.4)
 * decoded under the RFC 9267 rules, questions and resource records. */
#include "seqs/wire/dns.h"

seqs_view_status_t seqs_dns_view_init(seqs_dns_view_t *v, const uint8_t *msg, size_t len) {
    v->p = msg;
    v->len = len;
    if (!msg || len < SEQS_DNS_HDR_LEN)
        return SEQS_VIEW_TRUNCATED;
    return SEQS_VIEW_OK;
}

int seqs_dns_name_decode(const seqs_dns_view_t *v, size_t off, uint8_t *out, size_t cap, size_t *outlen,
                         size_t *next) {
    size_t pos = off;
    size_t n = 0;            /* decoded bytes so far */
    size_t after = 0;        /* offset after the name in its original place */
    int jumped = 0;
    /* RFC 9267 2: every pointer must point strictly before the previous jump
     * target (the first: before the pointer itself). Positions then strictly
     * decrease, so the walk ends after at most len jumps; no loop is possible. */
    size_t limit = off;
    for (;;) {
        if (pos >= v->len)
            return SEQS_DNS_WIRE_TRUNCATED;
        uint8_t b = v->p[pos];
        if ((b & 0xC0u) == 0xC0u) {
            if (pos + 1 >= v->len)
                return SEQS_DNS_WIRE_TRUNCATED;
            size_t target = ((size_t)(b & 0x3Fu) << 8) | v->p[pos + 1];
            if (!jumped)
                after = pos + 2;
            if (target < SEQS_DNS_HDR_LEN || target >= limit || target >= pos)
                return SEQS_DNS_WIRE_POINTER;
            limit = target;
            pos = target;
            jumped = 1;
            continue;
        }
        if (b & 0xC0u)   /* 01 and 10: extended / reserved label types (RFC 6891 obsoleted 01) */
            return SEQS_DNS_WIRE_LABEL;
        if (n + 1u + b > SEQS_DNS_MAX_WIRE_NAME)
            return SEQS_DNS_WIRE_NAMELEN;
        if (pos + 1u + b > v->len)
            return SEQS_DNS_WIRE_TRUNCATED;
        if (out) {
            if (n + 1u + b > cap)
                return SEQS_DNS_WIRE_NAMELEN;
            for (size_t i = 0; i <= b; i++)
                out[n + i] = v->p[pos + i];
        }
        n += 1u + b;
        pos += 1u + b;
        if (b == 0)
            break;
    }
    if (!jumped)
        after = pos;
    if (outlen)
        *outlen = n;
    if (next)
        *next = after;
    return SEQS_DNS_WIRE_OK;
}

static uint8_t lower(uint8_t c);

int seqs_dns_name_eq_at(const seqs_dns_view_t *v, size_t off, const uint8_t *name, size_t namelen) {
    size_t pos = off, n = 0, limit = off;
    for (;;) {   /* ends: pointers strictly decrease (as in seqs_dns_name_decode), labels move forward */
        if (pos >= v->len)
            return SEQS_DNS_WIRE_TRUNCATED;
        uint8_t b = v->p[pos];
        if ((b & 0xC0u) == 0xC0u) {
            if (pos + 1 >= v->len)
                return SEQS_DNS_WIRE_TRUNCATED;
            size_t target = ((size_t)(b & 0x3Fu) << 8) | v->p[pos + 1];
            if (target < SEQS_DNS_HDR_LEN || target >= limit || target >= pos)
                return SEQS_DNS_WIRE_POINTER;
            limit = target;
            pos = target;
            continue;
        }
        if (b & 0xC0u)
            return SEQS_DNS_WIRE_LABEL;
        if (n + 1u + b > SEQS_DNS_MAX_WIRE_NAME)
            return SEQS_DNS_WIRE_NAMELEN;
        if (pos + 1u + b > v->len)
            return SEQS_DNS_WIRE_TRUNCATED;
        if (n + 1u + b > namelen || name[n] != b)
            return 0;
        for (size_t i = 1; i <= b; i++)
            if (lower(v->p[pos + i]) != lower(name[n + i]))
                return 0;
        n += 1u + b;
        pos += 1u + b;
        if (b == 0)
            return n == namelen;
    }
}

static uint8_t lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c; }

int seqs_dns_name_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
    if (alen != blen)
        return 0;
    /* Length octets are <= 63, below 'A', so lowering every byte is safe. */
    for (size_t i = 0; i < alen; i++)
        if (lower(a[i]) != lower(b[i]))
            return 0;
    return 1;
}

int seqs_dns_name_from_text(const char *text, uint8_t *out, size_t cap) {
    if (!text || !out)
        return SEQS_DNS_WIRE_LABEL;
    size_t n = 0;
    const char *p = text;
    if (*p == '\0' || (p[0] == '.' && p[1] == '\0'))
        return SEQS_DNS_WIRE_LABEL;
    for (;;) {
        size_t l = 0;
        while (p[l] != '\0' && p[l] != '.')
            l++;
        if (l == 0)
            return SEQS_DNS_WIRE_LABEL;   /* "a..b" or a leading dot */
        if (l > SEQS_DNS_MAX_LABEL)
            return SEQS_DNS_WIRE_LABEL;
        if (n + 1u + l + 1u > SEQS_DNS_MAX_WIRE_NAME || n + 1u + l + 1u > cap)
            return SEQS_DNS_WIRE_NAMELEN;
        out[n++] = (uint8_t)l;
        for (size_t i = 0; i < l; i++)
            out[n++] = (uint8_t)p[i];
        p += l;
        if (*p == '.')
            p++;
        if (*p == '\0')
            break;
    }
    out[n++] = 0;
    return (int)n;
}

int seqs_dns_name_to_text(const uint8_t *name, size_t namelen, char *out, size_t cap) {
    size_t o = 0, i = 0;
    if (!out || cap == 0)
        return SEQS_DNS_WIRE_NAMELEN;
    while (i < namelen && name[i] != 0) {
        size_t l = name[i++];
        if (i + l > namelen)
            return SEQS_DNS_WIRE_TRUNCATED;
        if (o) {
            if (o + 1 >= cap)
                return SEQS_DNS_WIRE_NAMELEN;
            out[o++] = '.';
        }
        for (size_t k = 0; k < l; k++) {
            uint8_t c = name[i + k];
            if (c > 32 && c < 127 && c != '.' && c != '\\') {
                if (o + 1 >= cap)
                    return SEQS_DNS_WIRE_NAMELEN;
                out[o++] = (char)c;
            } else {
                if (o + 4 >= cap)
                    return SEQS_DNS_WIRE_NAMELEN;
                out[o++] = '\\';
                out[o++] = (char)('0' + c / 100);
                out[o++] = (char)('0' + (c / 10) % 10);
                out[o++] = (char)('0' + c % 10);
            }
        }
        i += l;
    }
    out[o] = '\0';
    return (int)o;
}

/* Decodes (validates) the name at off; *after is where the fixed-size part that follows it starts,
 * which must hold `fixed` bytes. */
static int name_then_fixed(const seqs_dns_view_t *v, size_t off, size_t fixed, size_t *after) {
    int rc = seqs_dns_name_decode(v, off, NULL, 0, NULL, after);
    if (rc)
        return rc;
    return *after + fixed > v->len ? SEQS_DNS_WIRE_TRUNCATED : SEQS_DNS_WIRE_OK;
}

int seqs_dns_question_parse(const seqs_dns_view_t *v, size_t off, seqs_dns_question_t *q, size_t *next) {
    size_t after;
    int rc = name_then_fixed(v, off, 4u, &after);
    if (rc)
        return rc;
    q->name_off = off;
    q->qtype = seqs_be16(v->p + after);
    q->qclass = seqs_be16(v->p + after + 2);
    *next = after + 4u;
    return SEQS_DNS_WIRE_OK;
}

int seqs_dns_rr_parse(const seqs_dns_view_t *v, size_t off, seqs_dns_rr_t *rr, size_t *next) {
    size_t after;
    int rc = name_then_fixed(v, off, 10u, &after);
    if (rc)
        return rc;
    rr->name_off = off;
    rr->type = seqs_be16(v->p + after);
    rr->rclass = seqs_be16(v->p + after + 2);
    rr->ttl = seqs_be32(v->p + after + 4);
    rr->rdlength = seqs_be16(v->p + after + 8);
    rr->rdata_off = after + 10u;
    if (rr->rdata_off + rr->rdlength > v->len)
        return SEQS_DNS_WIRE_TRUNCATED;
    if (rr->rclass == SEQS_DNS_CLASS_IN && rr->type == SEQS_DNS_TYPE_A && rr->rdlength != 4u)
        return SEQS_DNS_WIRE_RDLENGTH;
    if (rr->type == SEQS_DNS_TYPE_CNAME) {
        size_t end;
        /* The CNAME target may point anywhere before it, but must fill RDATA exactly. */
        rc = seqs_dns_name_decode(v, rr->rdata_off, NULL, 0, NULL, &end);
        if (rc)
            return rc;
        if (end != rr->rdata_off + rr->rdlength)
            return SEQS_DNS_WIRE_RDLENGTH;
    }
    *next = rr->rdata_off + rr->rdlength;
    return SEQS_DNS_WIRE_OK;
}

int seqs_dns_msg_check(const seqs_dns_view_t *v, size_t *answers_off) {
    size_t off = SEQS_DNS_HDR_LEN;
    unsigned qd = seqs_dns_qdcount(v);
    unsigned rrs = (unsigned)seqs_dns_ancount(v) + seqs_dns_nscount(v) + seqs_dns_arcount(v);
    /* A question takes at least 5 bytes and a record 11: a count that cannot fit
     * is refused before walking (RFC 9267 5), keeping the walk short. */
    if ((size_t)qd * 5u + (size_t)rrs * 11u > v->len - SEQS_DNS_HDR_LEN)
        return SEQS_DNS_WIRE_COUNT;
    for (unsigned i = 0; i < qd; i++) {
        seqs_dns_question_t q;
        int rc = seqs_dns_question_parse(v, off, &q, &off);
        if (rc)
            return rc == SEQS_DNS_WIRE_TRUNCATED ? SEQS_DNS_WIRE_COUNT : rc;
    }
    if (answers_off)
        *answers_off = off;
    for (unsigned i = 0; i < rrs; i++) {
        seqs_dns_rr_t rr;
        int rc = seqs_dns_rr_parse(v, off, &rr, &off);
        if (rc)
            return (rc == SEQS_DNS_WIRE_TRUNCATED && off >= v->len) ? SEQS_DNS_WIRE_COUNT : rc;
    }
    return SEQS_DNS_WIRE_OK;
}
