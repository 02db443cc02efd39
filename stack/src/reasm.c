/* SPDX-License-Identifier: BSD-3-Clause */
/* reasm.c — bounded IPv4 reassembly (RFC 791 3.2, RFC 1122 3.3.2, RFC 1858).
 *
 * SEQS_REASM_SLOTS datagrams of at most SEQS_REASM_MAX_BYTES each are
 * collected at once, keyed by (src, dst, protocol, id). A bitmap records which
 * 8-byte blocks have arrived, so fragments may come in any order and
 * duplicates are harmless. Choices (I12):
 *  - a fragment overlapping data already received is accepted only if the
 *    overlapping bytes are identical; otherwise the whole datagram is dropped
 *    (RFC 5722's rule for IPv6, applied here: overlaps are an attack signature);
 *  - a dropped datagram's slot is "poisoned" until its timeout so its remaining
 *    fragments are dropped too, instead of starting a reassembly that can only
 *    time out;
 *  - RFC 1858: a first fragment too short for the transport header, or a TCP
 *    fragment at offset 8, drops the datagram;
 *  - offset + length beyond the IPv4 maximum (ping of death) drops it;
 *  - when every slot is busy, a fragment of a new datagram evicts the oldest
 *    one (a poisoned slot first), as lwIP does: otherwise two datagrams that
 *    lost a fragment, or an attacker's two first fragments, would block all
 *    reassembly for the whole timeout. */
#include <string.h>

#include "internal.h"
#include "seqs/wire/icmp.h"
#include "seqs/wire/ipv4.h"

enum { SLOT_FREE = 0, SLOT_COLLECTING, SLOT_POISONED };

static int bit(const struct seqs_reasm_slot *r, size_t b) { return (r->map[b >> 3] >> (b & 7u)) & 1u; }

static void poison(seqs_stack_t *s, struct seqs_reasm_slot *r) {
    r->state = SLOT_POISONED;
    SEQS_CNT(s, ip_reasm_drop);
}

/* s->reasm_next is the earliest expiry of a slot in use (SEQS_NEVER when none),
 * kept exact so the timer pass and the deadline need no scan. */
static void next_recompute(seqs_stack_t *s) {
    uint64_t d = SEQS_NEVER;
    for (unsigned i = 0; i < SEQS_REASM_SLOTS; i++)
        if (s->reasm[i].state != SLOT_FREE && s->reasm[i].expires < d)
            d = s->reasm[i].expires;
    s->reasm_next = d;
}

/* Bytes received contiguously from offset 0. */
static size_t contiguous(const struct seqs_reasm_slot *r) {
    size_t b = 0;
    while (b < (size_t)SEQS_REASM_MAX_BYTES / 8u && bit(r, b))
        b++;
    size_t n = b * 8u;
    return r->total && n > r->total ? r->total : n;
}

void seqs__reasm_input(seqs_stack_t *s, const seqs__ip_rx_t *rx, const uint8_t *ip_hdr, size_t hdr_len,
                       uint8_t proto, uint16_t id, uint32_t off, int mf, const uint8_t *data, size_t len) {
    size_t end = off + len;
    struct seqs_reasm_slot *r = NULL, *free_slot = NULL, *victim = NULL;
    for (unsigned i = 0; i < SEQS_REASM_SLOTS; i++) {
        struct seqs_reasm_slot *c = &s->reasm[i];
        if (c->state == SLOT_FREE) {
            if (!free_slot)
                free_slot = c;
            continue;
        }
        if (c->src == rx->src && c->dst == rx->dst && c->proto == proto && c->id == id)
            r = c;
        else if (!victim || (c->state == SLOT_POISONED) > (victim->state == SLOT_POISONED) ||
                 ((c->state == SLOT_POISONED) == (victim->state == SLOT_POISONED) && c->expires < victim->expires))
            victim = c;
    }
    if (r && r->state == SLOT_POISONED) {
        SEQS_CNT(s, ip_reasm_drop);
        return;
    }
    /* Checks that need no state: they drop the fragment and poison its datagram. */
    int bad = end + hdr_len > 0xFFFFu                             /* ping of death */
              || (mf && (len == 0 || (len & 7u)))                 /* RFC 791: non-last sizes are 8-byte multiples */
              || (off == 0 && mf && len < (proto == SEQS_PROTO_TCP ? 20u : 8u))   /* RFC 1858 tiny fragment */
              || (proto == SEQS_PROTO_TCP && off == 8);           /* RFC 1858 3.2 overlapping TCP header */
    int too_big = end > SEQS_REASM_MAX_BYTES;
    if (!r) {
        if (!free_slot && bad) {
            SEQS_CNT(s, ip_reasm_drop);   /* malformed: not worth evicting anything for */
            return;
        }
        if (!free_slot) {
            if (victim->state == SLOT_COLLECTING)
                SEQS_CNT(s, ip_reasm_evicted);   /* a poisoned one was counted already */
            free_slot = victim;
        }
        r = free_slot;
        int was_next = r->state != SLOT_FREE && r->expires == s->reasm_next;
        memset(r, 0, offsetof(struct seqs_reasm_slot, map));
        memset(r->map, 0, sizeof r->map);
        r->state = SLOT_COLLECTING;
        r->src = rx->src;
        r->dst = rx->dst;
        r->proto = proto;
        r->id = id;
        r->link_bcast = rx->link_bcast;
        r->dst_bcast = rx->dst_bcast;
        r->expires = s->now + (uint64_t)SEQS_REASM_TIMEOUT_S * SEQS_US_PER_S;
        if (was_next)
            next_recompute(s);
        else if (r->expires < s->reasm_next)
            s->reasm_next = r->expires;
    }
    if (bad) {
        poison(s, r);
        return;
    }
    if (too_big) {
        r->state = SLOT_POISONED;
        SEQS_CNT(s, ip_reasm_nomem);
        return;
    }
    size_t first = off / 8u, last = (end + 7u) / 8u;   /* blocks [first, last) */
    if (!mf) {
        /* The last fragment fixes the length: it must agree with an earlier
         * last fragment and with every block already received. */
        if (r->total && r->total != end) {
            poison(s, r);
            return;
        }
        for (size_t b = last; b < (size_t)SEQS_REASM_MAX_BYTES / 8u; b++)
            if (bit(r, b)) {
                poison(s, r);
                return;
            }
        r->total = (uint32_t)end;
    } else if (r->total && end > r->total) {
        poison(s, r);
        return;
    }
    for (size_t b = first; b < last; b++) {
        if (!bit(r, b))
            continue;
        size_t lo = b * 8u, hi = lo + 8u < end ? lo + 8u : end;
        if (memcmp(r->data + lo, data + (lo - off), hi - lo) != 0) {
            poison(s, r);
            return;
        }
    }
    memcpy(r->data + off, data, len);
    for (size_t b = first; b < last; b++)
        r->map[b >> 3] = (uint8_t)(r->map[b >> 3] | (1u << (b & 7u)));
    if (off == 0 && hdr_len <= sizeof r->hdr) {
        memcpy(r->hdr, ip_hdr, hdr_len);
        r->hdr_len = (uint8_t)hdr_len;
        r->have_first = 1;
    }
    if (!r->total || !r->have_first || contiguous(r) < r->total)
        return;
    SEQS_CNT(s, ip_reasm_ok);
    seqs__ip_rx_t whole = *rx;
    whole.reassembled = 1;
    whole.ip_hdr = r->hdr;
    whole.ip_hdr_len = r->hdr_len;
    r->state = SLOT_FREE;   /* delivery reads r->data but cannot start a new reassembly */
    if (r->expires == s->reasm_next)
        next_recompute(s);
    seqs__ip_deliver(s, &whole, proto, r->data, r->total);
}

void seqs__reasm_timers(seqs_stack_t *s) {
    if (s->now < s->reasm_next)
        return;
    for (unsigned i = 0; i < SEQS_REASM_SLOTS; i++) {
        struct seqs_reasm_slot *r = &s->reasm[i];
        if (r->state == SLOT_FREE || s->now < r->expires)
            continue;
        int collecting = r->state == SLOT_COLLECTING;
        r->state = SLOT_FREE;
        if (!collecting)
            continue;   /* already counted when it was poisoned */
        SEQS_CNT(s, ip_reasm_timeout);
        /* RFC 1122 3.3.2 / RFC 792: Time Exceeded, code 1, only if fragment 0 arrived (I13). */
        if (r->have_first) {
            seqs__ip_rx_t rx = {
                .src = r->src, .dst = r->dst, .ttl = 0, .tos = 0, .link_bcast = r->link_bcast,
                .dst_bcast = r->dst_bcast, .reassembled = 0, .ip_hdr = r->hdr, .ip_hdr_len = r->hdr_len,
            };
            seqs__icmp_send_error(s, &rx, r->data, contiguous(r), SEQS_ICMP_TIME_EXCEEDED, SEQS_ICMP_TIMEX_REASM, 0);
        }
    }
    next_recompute(s);
}

uint64_t seqs__reasm_deadline(const seqs_stack_t *s) { return s->reasm_next; }
