/* SPDX-License-Identifier: BSD-3-Clause */
/* icmp.c — ICMPv4 (RFC 792, RFC 1122 3.2.2): echo replies, the errors we send
 * (with the RFC 1122 3.2.2 restrictions and a token-bucket rate limit) and the
 * errors we receive (validated, then handed to the UDP socket or TCP connection
 * whose datagram provoked them). */
#include <string.h>

#include "internal.h"
#include "seqs/wire/icmp.h"
#include "seqs/wire/ipv4.h"

/* RFC 1122 3.2.2: "the maximum IP datagram size of 576" bounds what we quote. */
#define ICMP_ERR_MAX_DGRAM 576u

static void echo_reply(seqs_stack_t *s, const seqs__ip_rx_t *rx, const seqs_icmp_view_t *v) {
    /* C4, RFC 1122 3.2.2.6: echo to a broadcast or multicast address may be
     * ignored; we do unless SEQS_CFG_ECHO_BROADCAST asks otherwise. */
    if (rx->dst_bcast && !(s->flags & SEQS_CFG_ECHO_BROADCAST)) {
        SEQS_CNT(s, icmp_drop_bcast_echo);
        return;
    }
    /* C1: same identifier, sequence and data; sourced from the address the
     * request was sent to (our own address when that was a broadcast). */
    uint8_t hdr[SEQS_ICMP_HDR_LEN];
    memcpy(hdr, v->p, sizeof hdr);
    /* Only the type/code word changes (to 0): RFC 1624 eqn. 3 updates the
     * request's checksum, verified on input, instead of summing the data again:
     * HC' = ~(~HC + ~m + m') with m' = 0. */
    uint32_t sum = (uint32_t)(uint16_t)~seqs__be16(hdr + 2) + (uint16_t)~seqs__be16(hdr);
    hdr[0] = SEQS_ICMP_ECHO_REPLY;
    hdr[1] = 0;
    uint16_t c = seqs__csum_fold(sum);
    if (c == 0) {
        /* The update cannot tell -0 from +0 (RFC 1624 5): an all-zero message
         * needs 0xFFFF. Rare (1 in 65536): sum it the long way. */
        seqs__put16(hdr + 2, 0);
        c = seqs__csum_fold(seqs__csum_add(seqs__csum_add(0, hdr, sizeof hdr), seqs_icmp_body(v), seqs_icmp_body_len(v)));
    }
    seqs__put16(hdr + 2, c);
    seqs__iov_t iov[2] = {{hdr, sizeof hdr}, {seqs_icmp_body(v), seqs_icmp_body_len(v)}};
    uint32_t src = seqs__ip_is_local(s, rx->dst) ? rx->dst : 0;
    if (seqs__ip_sendv(s, src, rx->src, SEQS_PROTO_ICMP, iov, 2, 0) == SEQS_OK)
        SEQS_CNT(s, icmp_tx_echo_reply);
}

static void echo_reply_input(seqs_stack_t *s, const seqs__ip_rx_t *rx, const seqs_icmp_view_t *v) {
    if (s->echo_count == SEQS_ICMP_ECHO_RING) {   /* keep the newest: overwrite the oldest */
        SEQS_CNT(s, icmp_echo_reply_overflow);
        s->echo_head = (uint8_t)((s->echo_head + 1u) % SEQS_ICMP_ECHO_RING);
        s->echo_count--;
    }
    struct seqs_echo_rec *e = &s->echo[(s->echo_head + s->echo_count) % SEQS_ICMP_ECHO_RING];
    e->from = rx->src;
    e->id = seqs_icmp_echo_id(v);
    e->seq = seqs_icmp_echo_seq(v);
    e->len = (uint16_t)seqs_icmp_body_len(v);
    e->ttl = rx->ttl;
    e->rx_us = s->now;
    s->echo_count++;
    SEQS_CNT(s, icmp_rx_echo_reply);
}

int seqs_icmp_echo_send(seqs_stack_t *s, uint32_t dst, uint16_t id, uint16_t seq, const void *data, size_t len) {
    if (!s || (!data && len))
        return SEQS_ERR_INVAL;
    if (len > 0xFFFFu - SEQS_IP_HDR - SEQS_ICMP_HDR_LEN)
        return SEQS_ERR_MSGSIZE;
    uint8_t hdr[SEQS_ICMP_HDR_LEN] = {SEQS_ICMP_ECHO_REQUEST, 0, 0, 0, 0, 0, 0, 0};
    seqs__put16(hdr + 4, id);
    seqs__put16(hdr + 6, seq);
    uint32_t sum = seqs__csum_add(0, hdr, sizeof hdr);
    seqs__put16(hdr + 2, seqs__csum_fold(seqs__csum_add(sum, (const uint8_t *)data, len)));
    seqs__iov_t iov[2] = {{hdr, sizeof hdr}, {(const uint8_t *)data, len}};
    int r = seqs__ip_sendv(s, 0, dst, SEQS_PROTO_ICMP, iov, 2, 0);
    if (r == SEQS_OK)
        SEQS_CNT(s, icmp_tx_echo_request);
    return r;
}

int seqs_icmp_echo_recv(seqs_stack_t *s, seqs_icmp_echo_t *out) {
    if (!s || !out)
        return SEQS_ERR_INVAL;
    if (!s->echo_count)
        return SEQS_ERR_AGAIN;
    const struct seqs_echo_rec *e = &s->echo[s->echo_head];
    out->from = e->from;
    out->id = e->id;
    out->seq = e->seq;
    out->len = e->len;
    out->ttl = e->ttl;
    out->rx_us = e->rx_us;
    s->echo_head = (uint8_t)((s->echo_head + 1u) % SEQS_ICMP_ECHO_RING);
    s->echo_count--;
    return SEQS_OK;
}

/* C8, RFC 1122 4.2.3.9 / RFC 5927: an inbound error is acted on only when the
 * quoted header is a sane IPv4 header of a datagram we sent, with at least the
 * 8 transport bytes that name the ports. */
static void error_input(seqs_stack_t *s, const seqs_icmp_view_t *v) {
    const uint8_t *q = seqs_icmp_body(v);
    size_t qlen = seqs_icmp_body_len(v);
    if (qlen < SEQS_IPV4_MIN_HDR + 8u || (q[0] >> 4) != 4u) {
        SEQS_CNT(s, icmp_drop_malformed);
        return;
    }
    size_t ihl = (size_t)(q[0] & 0x0Fu) * 4u;
    uint32_t qsrc = seqs__be32(q + 12), qdst = seqs__be32(q + 16);
    if (ihl < SEQS_IPV4_MIN_HDR || ihl + 8u > qlen || (seqs__be16(q + 6) & SEQS_IPV4_OFF_MASK) != 0 ||
        !seqs__ip_is_local(s, qsrc) || seqs__be16(q + 2) < ihl + 8u) {
        SEQS_CNT(s, icmp_drop_malformed);
        return;
    }
    uint8_t type = seqs_icmp_type(v), code = seqs_icmp_code(v);
    uint16_t mtu = (type == SEQS_ICMP_DEST_UNREACH && code == SEQS_ICMP_UNREACH_FRAG_NEEDED) ? seqs_icmp_mtu(v) : 0;
    const uint8_t *l4 = q + ihl;
    size_t l4len = qlen - ihl;
    switch (q[9]) {
    case SEQS_PROTO_UDP:
        if (seqs__udp_icmp_error(s, type, code, mtu, qsrc, qdst, l4, l4len))
            SEQS_CNT(s, icmp_err_delivered);
        else
            SEQS_CNT(s, icmp_err_unmatched);
        break;
    case SEQS_PROTO_TCP:
        SEQS_CNT(s, icmp_err_delivered);   /* TCP matches (or ignores) it itself */
        seqs__tcp_icmp_error(s, type, code, mtu, qsrc, qdst, l4, l4len);
        break;
    default:
        SEQS_CNT(s, icmp_err_unmatched);
        break;
    }
}

void seqs__icmp_input(seqs_stack_t *s, const seqs__ip_rx_t *rx, const uint8_t *msg, size_t len) {
    SEQS_CNT(s, icmp_rx);
    seqs_icmp_view_t v;
    switch (seqs_icmp_view_init(&v, msg, len)) {
    case SEQS_VIEW_OK: break;
    case SEQS_VIEW_CHECKSUM: SEQS_CNT(s, icmp_drop_checksum); return;   /* C3 */
    default: SEQS_CNT(s, icmp_drop_malformed); return;
    }
    switch (seqs_icmp_type(&v)) {
    case SEQS_ICMP_ECHO_REQUEST:
        echo_reply(s, rx, &v);
        break;
    case SEQS_ICMP_DEST_UNREACH:
    case SEQS_ICMP_TIME_EXCEEDED:
    case SEQS_ICMP_PARAM_PROBLEM:
        error_input(s, &v);
        break;
    case SEQS_ICMP_ECHO_REPLY:
        echo_reply_input(s, rx, &v);
        break;
    default:
        /* C3: unknown types; also source
         * quench (RFC 6633: ignore) and redirects (no routing table to update). */
        SEQS_CNT(s, icmp_drop_type);
        break;
    }
}

/* Token bucket: SEQS_ICMP_ERR_BURST errors, one more per interval (C7, RFC 1812 4.3.2.8). */
static int rate_ok(seqs_stack_t *s) {
    const uint32_t interval = (uint32_t)SEQS_ICMP_ERR_INTERVAL_MS * SEQS_US_PER_MS;
    uint64_t elapsed = s->now - s->icmp_refill;
    /* 32-bit arithmetic only (no 64-bit division helper on Cortex-M0+): a
     * gap of a whole burst fills the bucket; the refill phase is kept unless
     * the gap exceeds 2^32 us (71 minutes). */
    if (elapsed >= (uint64_t)SEQS_ICMP_ERR_BURST * interval) {
        s->icmp_tokens = SEQS_ICMP_ERR_BURST;
        s->icmp_refill = (elapsed >> 32) ? s->now : s->now - (uint32_t)elapsed % interval;
    } else if (elapsed >= interval) {
        uint32_t add = (uint32_t)elapsed / interval;
        s->icmp_refill += add * interval;
        s->icmp_tokens = add >= SEQS_ICMP_ERR_BURST - s->icmp_tokens ? SEQS_ICMP_ERR_BURST : s->icmp_tokens + add;
    }
    if (!s->icmp_tokens)
        return 0;
    s->icmp_tokens--;
    return 1;
}

void seqs__icmp_send_error(seqs_stack_t *s, const seqs__ip_rx_t *rx, const uint8_t *l4, size_t l4len, uint8_t type,
                           uint8_t code, uint32_t extra) {
    const uint8_t *ip = rx->ip_hdr;
    size_t ihl = rx->ip_hdr_len;
    /* RFC 1122 3.2.2 (C7): never about an ICMP error, a datagram to a
     * broadcast/multicast address or in a link broadcast, a non-initial
     * fragment, or one whose source does not name a single host. */
    int suppress = rx->dst_bcast || rx->link_bcast || ihl < SEQS_IPV4_MIN_HDR ||
                   (seqs__be16(ip + 6) & SEQS_IPV4_OFF_MASK) != 0 || rx->src == 0 ||
                   seqs__ip_names_no_host(s, rx->src) ||
                   (ip[9] == SEQS_PROTO_ICMP && (l4len == 0 || seqs_icmp_type_is_error(l4[0]))) ||
                   !seqs__ip_addr_usable(s);
    if (suppress) {
        SEQS_CNT(s, icmp_err_suppressed);
        return;
    }
    if (!rate_ok(s)) {
        SEQS_CNT(s, icmp_err_ratelimited);
        return;
    }
    /* RFC 1122 3.2.2: quote the IP header and at least 8 bytes (C5); we quote
     * as much as keeps the error within 576 bytes. */
    size_t room = ICMP_ERR_MAX_DGRAM - SEQS_IP_HDR - SEQS_ICMP_HDR_LEN - ihl;
    size_t qn = l4len < room ? l4len : room;
    uint8_t hdr[SEQS_ICMP_HDR_LEN] = {type, code, 0, 0, 0, 0, 0, 0};
    seqs__put32(hdr + 4, extra);
    uint32_t sum = seqs__csum_add(0, hdr, sizeof hdr);
    sum = seqs__csum_add(sum, ip, ihl);
    seqs__put16(hdr + 2, seqs__csum_fold(seqs__csum_add(sum, l4, qn)));
    seqs__iov_t iov[3] = {{hdr, sizeof hdr}, {ip, ihl}, {l4, qn}};
    uint32_t src = seqs__ip_is_local(s, rx->dst) ? rx->dst : 0;
    if (seqs__ip_sendv(s, src, rx->src, SEQS_PROTO_ICMP, iov, 3, 0) == SEQS_OK)
        SEQS_CNT(s, icmp_tx_error);
}
