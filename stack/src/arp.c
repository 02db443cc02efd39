/* SPDX-License-Identifier: BSD-3-Clause */
/* arp.c — ARP for Ethernet/IPv4 (RFC 826, RFC 1122 2.3.2): the neighbour cache,
 * requests with retries, the queue of datagrams waiting for resolution, and the
 * reception rules. Address conflict detection (RFC 5227) is in acd.c. */
#include <string.h>

#include "internal.h"
#include "seqs/wire/arp.h"
#include "seqs/wire/eth.h"
#include "seqs/wire/ipv4.h"

#define QREC_HDR 8u   /* [u16 frame len][u32 next hop][u16 datagram tag] */

static const uint8_t mac_bcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
static const uint8_t mac_zero[6] = {0, 0, 0, 0, 0, 0};

void seqs__eth_write(uint8_t *frame, const uint8_t dst[6], const uint8_t src[6], uint16_t type) {
    memcpy(frame, dst, 6);
    memcpy(frame + 6, src, 6);
    seqs__put16(frame + 12, type);
}

int seqs__arp_send(seqs_stack_t *s, uint16_t op, const uint8_t *eth_dst, const uint8_t tha[6], uint32_t spa,
                   uint32_t tpa) {
    uint8_t *f = seqs__txq_reserve(s, SEQS_ETH_HDR + SEQS_ARP_LEN);
    if (!f) {
        SEQS_CNT(s, txq_full);
        return SEQS_ERR_NOBUFS;
    }
    seqs__eth_write(f, eth_dst ? eth_dst : mac_bcast, s->mac, SEQS_ETHERTYPE_ARP);
    seqs_arp_write(f + SEQS_ETH_HDR, op, s->mac, spa, tha, tpa);
    seqs__txq_commit(s, SEQS_ETH_HDR + SEQS_ARP_LEN);
    return SEQS_OK;
}

/* --- pending queue ------------------------------------------------------- */

static uint32_t qrec_len(const uint8_t *r) { return QREC_HDR + seqs__be16(r); }

static void queue_remove(seqs_stack_t *s, uint32_t off, uint32_t n) {
    struct seqs_arp_queue *q = &s->arpq;
    memmove(q->buf + off, q->buf + off + n, q->used - off - n);
    q->used -= n;
}

/* Drops (drop != 0) or sends every datagram waiting for ip. */
static void queue_release(seqs_stack_t *s, uint32_t ip, const uint8_t *mac) {
    struct seqs_arp_queue *q = &s->arpq;
    uint32_t off = 0;
    while (off < q->used) {
        uint8_t *r = q->buf + off;
        uint32_t n = qrec_len(r);
        if (seqs__be32(r + 2) != ip) {
            off += n;
            continue;
        }
        if (mac) {
            memcpy(r + QREC_HDR, mac, 6);
            (void)seqs__txq_push(s, r + QREC_HDR, seqs__be16(r));   /* counts txq_full itself */
        } else {
            SEQS_CNT(s, arp_queue_drop);
        }
        queue_remove(s, off, n);
    }
}

void seqs__arp_flush(seqs_stack_t *s) {
    uint32_t off = 0;
    while (off < s->arpq.used) {
        SEQS_CNT(s, arp_queue_drop);
        off += qrec_len(s->arpq.buf + off);
    }
    s->arpq.used = 0;
}

/* A queued datagram may be evicted when a newer one for the same next hop is
 * queued (or is the one being added): so at least the latest datagram per
 * target stays (A5, RFC 1122 2.3.2.2). */
static int evictable(const struct seqs_arp_queue *q, uint32_t off, uint32_t ip) {
    uint32_t hop = seqs__be32(q->buf + off + 2);
    uint16_t tag = seqs__be16(q->buf + off + 6);
    if (hop == ip)
        return 1;
    for (uint32_t o = off; o < q->used; o += qrec_len(q->buf + o))
        if (seqs__be32(q->buf + o + 2) == hop && seqs__be16(q->buf + o + 6) != tag)
            return 1;
    return 0;
}

int seqs__arp_queue_reserve(seqs_stack_t *s, uint32_t ip, size_t frames, size_t bytes) {
    struct seqs_arp_queue *q = &s->arpq;
    size_t need = bytes + frames * QREC_HDR;
    if (need > SEQS_ARP_QUEUE_BYTES)
        return -1;
    size_t room = SEQS_ARP_QUEUE_BYTES - q->used;
    if (room < need) {
        size_t reclaim = 0;
        for (uint32_t o = 0; o < q->used; o += qrec_len(q->buf + o))
            if (evictable(q, o, ip))
                reclaim += qrec_len(q->buf + o);
        if (room + reclaim < need)
            return -1;
        while (SEQS_ARP_QUEUE_BYTES - q->used < need) {
            /* Oldest first: a victim's newer witness is still queued when it goes,
             * so the evictable set counted above stays evictable. */
            uint32_t o = 0;
            while (o < q->used && !evictable(q, o, ip))
                o += qrec_len(q->buf + o);
            if (o >= q->used)
                return -1;
            uint16_t tag = seqs__be16(q->buf + o + 6);
            while (o < q->used && seqs__be16(q->buf + o + 6) == tag) {
                SEQS_CNT(s, arp_queue_drop);
                queue_remove(s, o, qrec_len(q->buf + o));
            }
        }
    }
    return q->next_tag++;
}

uint8_t *seqs__arp_queue_frame(seqs_stack_t *s, uint32_t ip, uint16_t tag, size_t len) {
    struct seqs_arp_queue *q = &s->arpq;
    uint8_t *r = q->buf + q->used;
    seqs__put16(r, (uint16_t)len);
    seqs__put32(r + 2, ip);
    seqs__put16(r + 6, tag);
    q->used += QREC_HDR + (uint32_t)len;
    return r + QREC_HDR;
}

/* --- cache ------------------------------------------------------------------ */

/* s->arp_next is the earliest timer of any entry in use (SEQS_NEVER when none),
 * kept exact so input/output skip the cache when nothing is due and
 * seqs_stack_next_deadline() needs no scan. */
static void next_recompute(seqs_stack_t *s) {
    uint64_t d = SEQS_NEVER;
    for (unsigned i = 0; i < SEQS_ARP_CACHE_SIZE; i++)
        if (s->arp[i].state != SEQS__ARP_FREE && s->arp[i].timer < d)
            d = s->arp[i].timer;
    s->arp_next = d;
}

/* Sets the timer of an entry in use. */
static void set_timer(seqs_stack_t *s, struct seqs_arp_entry *e, uint64_t t) {
    uint64_t old = e->timer;
    e->timer = t;
    if (t <= s->arp_next)
        s->arp_next = t;
    else if (old == s->arp_next)   /* it may have been the earliest: look again */
        next_recompute(s);
}

static struct seqs_arp_entry *cache_find(seqs_stack_t *s, uint32_t ip) {
    for (unsigned i = 0; i < SEQS_ARP_CACHE_SIZE; i++)
        if (s->arp[i].state != SEQS__ARP_FREE && s->arp[i].ip == ip)
            return &s->arp[i];
    return NULL;
}

/* A free entry, else one that failed, else the least recently used (or
 * confirmed) resolved one; a resolution in progress is the last choice. */
static int alloc_rank(uint8_t state) {
    switch (state) {
    case SEQS__ARP_FREE: return 0;
    case SEQS__ARP_FAILED: return 1;
    case SEQS__ARP_INCOMPLETE: return 3;
    default: return 2;
    }
}

static struct seqs_arp_entry *cache_alloc(seqs_stack_t *s, uint32_t ip) {
    struct seqs_arp_entry *victim = &s->arp[0];
    for (unsigned i = 1; i < SEQS_ARP_CACHE_SIZE; i++) {
        struct seqs_arp_entry *e = &s->arp[i];
        int re = alloc_rank(e->state), rv = alloc_rank(victim->state);
        if (re < rv || (re == rv && e->stamp < victim->stamp))
            victim = e;
    }
    if (victim->state != SEQS__ARP_FREE) {
        SEQS_CNT(s, arp_cache_full);
        if (victim->state == SEQS__ARP_INCOMPLETE)
            queue_release(s, victim->ip, NULL);
    }
    int was_next = victim->state != SEQS__ARP_FREE && victim->timer == s->arp_next;
    memset(victim, 0, sizeof *victim);
    if (was_next)
        next_recompute(s);
    victim->ip = ip;
    victim->stamp = s->now;
    return victim;
}

/* The sender's mapping is confirmed: (re)validate the entry and send what waited for it. */
static void cache_confirm(seqs_stack_t *s, struct seqs_arp_entry *e, const uint8_t *mac) {
    memcpy(e->mac, mac, 6);   /* A7: a changed MAC is learned from new ARP */
    e->state = SEQS__ARP_REACHABLE;
    e->tries = 0;
    e->used = 0;
    e->stamp = s->now;
    set_timer(s, e, s->now + (uint64_t)SEQS_ARP_MAX_AGE_S * SEQS_US_PER_S);
    queue_release(s, e->ip, mac);
}

static void send_request(seqs_stack_t *s, struct seqs_arp_entry *e, const uint8_t *unicast) {
    if (seqs__arp_send(s, SEQS_ARP_OP_REQUEST, unicast, mac_zero, s->ip.addr, e->ip) == SEQS_OK)
        SEQS_CNT(s, arp_tx_request);
    e->tries++;
    set_timer(s, e, s->now + SEQS_US_PER_S);   /* RFC 1122 2.3.2.1: at most one request per second per target */
}

int seqs__arp_resolve(seqs_stack_t *s, uint32_t ip, uint8_t mac[6]) {
    struct seqs_arp_entry *e = cache_find(s, ip);
    if (!e) {
        e = cache_alloc(s, ip);
        e->state = SEQS__ARP_INCOMPLETE;
        send_request(s, e, NULL);
        return SEQS_ERR_AGAIN;
    }
    switch (e->state) {
    case SEQS__ARP_REACHABLE:
    case SEQS__ARP_REVALIDATE:
        memcpy(mac, e->mac, 6);
        e->used = 1;
        e->stamp = s->now;   /* least recently used goes first when the cache is full */
        return SEQS_OK;
    case SEQS__ARP_INCOMPLETE:
        return SEQS_ERR_AGAIN;
    default:
        return SEQS_ERR_UNREACH;
    }
}

void seqs__arp_timers(seqs_stack_t *s) {
    if (s->now < s->arp_next)
        return;
    for (unsigned i = 0; i < SEQS_ARP_CACHE_SIZE; i++) {
        struct seqs_arp_entry *e = &s->arp[i];
        if (e->state == SEQS__ARP_FREE || s->now < e->timer)
            continue;
        switch (e->state) {
        case SEQS__ARP_INCOMPLETE:
            if (e->tries >= SEQS_ARP_MAX_TRIES) {
                /* A6: give up and drop what waited; hold the failure briefly so
                 * senders get SEQS_ERR_UNREACH instead of restarting at once. */
                SEQS_CNT(s, arp_resolve_fail);
                queue_release(s, e->ip, NULL);
                e->state = SEQS__ARP_FAILED;
                e->timer = s->now + (uint64_t)SEQS_ARP_FAIL_HOLD_S * SEQS_US_PER_S;
            } else if (seqs__ip_addr_usable(s)) {
                send_request(s, e, NULL);
            } else {
                queue_release(s, e->ip, NULL);   /* our address went away meanwhile */
                e->state = SEQS__ARP_FREE;
            }
            break;
        case SEQS__ARP_REACHABLE:
            /* A7, RFC 1122 2.3.2.1: an entry in use is revalidated with unicast
             * requests to the cached MAC (still used meanwhile); an idle one just expires. */
            if (e->used && seqs__ip_addr_usable(s)) {
                e->state = SEQS__ARP_REVALIDATE;
                e->tries = 0;
                send_request(s, e, e->mac);
            } else {
                e->state = SEQS__ARP_FREE;
            }
            break;
        case SEQS__ARP_REVALIDATE:
            if (e->tries >= SEQS_ARP_MAX_TRIES || !seqs__ip_addr_usable(s))
                e->state = SEQS__ARP_FREE;
            else
                send_request(s, e, e->mac);
            break;
        default:   /* FAILED hold-down over */
            e->state = SEQS__ARP_FREE;
            break;
        }
    }
    next_recompute(s);
}

uint64_t seqs__arp_deadline(const seqs_stack_t *s) { return s->arp_next; }

/* --- reception (RFC 826 "Packet Reception") -------------------------------- */

void seqs__arp_input(seqs_stack_t *s, const uint8_t *pkt, size_t len) {
    SEQS_CNT(s, arp_rx);
    seqs_arp_view_t v;
    switch (seqs_arp_view_init(&v, pkt, len)) {
    case SEQS_VIEW_OK:
        break;
    case SEQS_VIEW_TRUNCATED:
        SEQS_CNT(s, arp_drop_malformed);
        return;
    default:
        SEQS_CNT(s, arp_drop_unsupported);   /* A4 */
        return;
    }
    uint16_t op = seqs_arp_op(&v);
    if (op != SEQS_ARP_OP_REQUEST && op != SEQS_ARP_OP_REPLY) {
        SEQS_CNT(s, arp_drop_unsupported);
        return;
    }
    const uint8_t *sha = seqs_arp_sha(&v);
    uint32_t spa = seqs_arp_spa(&v), tpa = seqs_arp_tpa(&v);
    if (seqs_mac_is_group(sha) || seqs_mac_is_zero(sha) || memcmp(sha, s->mac, 6) == 0 ||
        seqs__ip_names_no_host(s, spa)) {
        SEQS_CNT(s, arp_drop_bad_sender);
        return;
    }
    /* RFC 5227: packets about our own address (conflicts, probes while we probe). */
    if (seqs__acd_arp(s, op, spa, tpa))
        return;
    int for_us = seqs__ip_addr_usable(s) && tpa == s->ip.addr;
    if (spa != 0) {
        /* Merge: refresh only an entry we already have (A2, and A8: a gratuitous
         * ARP, spa == tpa, updates a known neighbour but never creates an entry:
         * creating entries for every announcer would let anyone fill the cache). */
        struct seqs_arp_entry *e = cache_find(s, spa);
        if (e)
            cache_confirm(s, e, sha);
        else if (for_us)   /* A3: the requester will be talked to, so learn it now */
            cache_confirm(s, cache_alloc(s, spa), sha);
    }
    /* A9: an ARP probe (spa 0.0.0.0) for our address is answered like any request
     * (that is our defence, RFC 5227 2.4) but creates no entry for 0.0.0.0.
     * The reply goes to the requester: target = its MAC and IP (A1). */
    if (for_us && op == SEQS_ARP_OP_REQUEST) {
        if (seqs__arp_send(s, SEQS_ARP_OP_REPLY, sha, sha, s->ip.addr, spa) == SEQS_OK)
            SEQS_CNT(s, arp_tx_reply);
    }
}
