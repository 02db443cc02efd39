/* SPDX-License-Identifier: BSD-3-Clause */
/* ipv4.c — IPv4 for a host (RFC 791, RFC 1122 3.2-3.3): input checks and
 * dispatch, routing (on-link or via the gateway), header emission and
 * fragmentation of what we send. Reassembly is in reasm.c. */
#include <string.h>

#include "internal.h"
#include "seqs/wire/eth.h"
#include "seqs/wire/ipv4.h"

static const uint8_t mac_bcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

static int is_subnet_bcast(const seqs_stack_t *s, uint32_t addr) {
    return seqs__ip_addr_usable(s) && s->ip.prefix <= 30 && addr == (s->ip.addr | ~s->ip.mask);
}

static int group_joined(const seqs_stack_t *s, uint32_t g) {
    if (g == SEQS_IP4(224, 0, 0, 1) || (s->flags & SEQS_CFG_ALL_MULTICAST))
        return 1;
    for (unsigned i = 0; i < SEQS_MAX_MCAST_GROUPS; i++)
        if (s->groups[i] == g)
            return 1;
    return 0;
}

int seqs__ip_is_bcast_or_mcast(const seqs_stack_t *s, uint32_t addr) {
    return seqs_ip4_is_limited_bcast(addr) || seqs_ip4_is_multicast(addr) || is_subnet_bcast(s, addr);
}

int seqs__ip_names_no_host(const seqs_stack_t *s, uint32_t a) {
    if (seqs_ip4_is_limited_bcast(a) || seqs_ip4_is_multicast(a) || seqs_ip4_is_loopback(a) || is_subnet_bcast(s, a))
        return 1;
    /* RFC 1122 3.2.1.3 (a)/(b): {<subnet>, 0} is an obsolete broadcast form */
    return seqs__ip_addr_usable(s) && s->ip.prefix <= 30 && a == (s->ip.addr & s->ip.mask);
}

/* RFC 1122 3.2.1.3: a source must name one host: not 0.0.0.0, a broadcast,
 * multicast or loopback address (nor, arriving from the wire, our own address). */
static int bad_source(const seqs_stack_t *s, uint32_t src) {
    return src == 0 || seqs__ip_names_no_host(s, src) || seqs__ip_is_local(s, src);
}

void seqs__ip_deliver(seqs_stack_t *s, const seqs__ip_rx_t *rx, uint8_t proto, const uint8_t *l4, size_t l4len) {
    switch (proto) {
    case SEQS_PROTO_ICMP:
        seqs__icmp_input(s, rx, l4, l4len);
        break;
    case SEQS_PROTO_UDP:
        seqs__udp_input(s, rx, l4, l4len);
        break;
    case SEQS_PROTO_TCP:
        if (rx->src == 0) {   /* 0.0.0.0 is only let through for DHCP over UDP */
            SEQS_CNT(s, ip_drop_bad_src);
            return;
        }
        seqs__tcp_input(s, rx, l4, l4len);
        break;
    default:
        SEQS_CNT(s, ip_drop_proto);   /* RFC 1122 3.2.2.1: protocol unreachable (C6) */
        seqs__icmp_send_error(s, rx, l4, l4len, 3, 2, 0);
        break;
    }
}

void seqs__ip_input(seqs_stack_t *s, const uint8_t *pkt, size_t len, int link_bcast) {
    SEQS_CNT(s, ip_rx);
    seqs_ipv4_view_t v;
    switch (seqs_ipv4_view_init(&v, pkt, len)) {
    case SEQS_VIEW_OK: break;
    case SEQS_VIEW_TRUNCATED: SEQS_CNT(s, ip_drop_truncated); return;
    case SEQS_VIEW_VERSION: SEQS_CNT(s, ip_drop_version); return;
    case SEQS_VIEW_HEADER: SEQS_CNT(s, ip_drop_header); return;
    case SEQS_VIEW_CHECKSUM: SEQS_CNT(s, ip_drop_checksum); return;
    case SEQS_VIEW_SRCROUTE: SEQS_CNT(s, ip_drop_srcroute); return;
    default: SEQS_CNT(s, ip_drop_options); return;
    }
    uint32_t src = seqs_ipv4_src(&v), dst = seqs_ipv4_dst(&v);
    uint8_t proto = seqs_ipv4_proto(&v);
    /* I5; 0.0.0.0 is kept for UDP so a DHCP server/client can hear clients
     * without an address (RFC 2131 4.1); udp.c limits it to ports 67/68. */
    if (bad_source(s, src) && !(src == 0 && proto == SEQS_PROTO_UDP)) {
        SEQS_CNT(s, ip_drop_bad_src);
        return;
    }
    int local = seqs__ip_is_local(s, dst);
    int bcast = seqs_ip4_is_limited_bcast(dst) || is_subnet_bcast(s, dst) ||
                (seqs_ip4_is_multicast(dst) && group_joined(s, dst));
    if (!local && !bcast) {   /* I4: a host does not forward */
        SEQS_CNT(s, ip_drop_not_for_us);
        return;
    }
    if (local && link_bcast) {   /* I7, RFC 1122 3.3.6 */
        SEQS_CNT(s, ip_drop_link_bcast);
        return;
    }
    /* I8: TTL is not checked — a datagram for us is delivered whatever its TTL. */
    seqs__ip_rx_t rx = {
        .src = src, .dst = dst, .ttl = seqs_ipv4_ttl(&v), .tos = seqs_ipv4_tos(&v),
        .link_bcast = (uint8_t)(link_bcast != 0), .dst_bcast = (uint8_t)bcast, .reassembled = 0,
        .ip_hdr = pkt, .ip_hdr_len = v.hdr_len,
    };
    uint32_t off = seqs_ipv4_frag_off(&v);
    int mf = seqs_ipv4_mf(&v);
    if (off || mf) {
        seqs__reasm_input(s, &rx, pkt, v.hdr_len, proto, seqs_ipv4_id(&v), off, mf, seqs_ipv4_payload(&v),
                          seqs_ipv4_payload_len(&v));
        return;
    }
    seqs__ip_deliver(s, &rx, proto, seqs_ipv4_payload(&v), seqs_ipv4_payload_len(&v));
}

/* --- output --------------------------------------------------------------- */

uint16_t seqs__ip_mtu(const seqs_stack_t *s) { return s->mtu; }

uint32_t seqs__ip_src_for(const seqs_stack_t *s, uint32_t dst) {
    (void)dst;
    return seqs__ip_addr_usable(s) ? s->ip.addr : 0;
}

int seqs__ip_route(seqs_stack_t *s, uint32_t dst, seqs__route_t *rt) {
    memset(rt, 0, sizeof *rt);
    rt->dst = dst;
    rt->mtu = s->mtu;
    rt->src = seqs__ip_src_for(s, dst);
    if (seqs_ip4_is_limited_bcast(dst)) {
        /* Allowed without an address (source 0.0.0.0) for DHCP (RFC 2131 4.1). */
        rt->nexthop = dst;
        memcpy(rt->dst_mac, mac_bcast, 6);
        return SEQS_OK;
    }
    if (!seqs__ip_addr_usable(s))
        return SEQS_ERR_NOADDR;
    if (dst == 0 || seqs_ip4_is_loopback(dst) || dst == s->ip.addr)
        return SEQS_ERR_UNREACH;   /* no loopback interface */
    if (seqs_ip4_is_multicast(dst)) {
        /* RFC 1112 6.4: 01:00:5e + the low 23 bits of the group. */
        uint8_t m[6] = {0x01, 0x00, 0x5E, (uint8_t)((dst >> 16) & 0x7Fu), (uint8_t)(dst >> 8), (uint8_t)dst};
        rt->nexthop = dst;
        memcpy(rt->dst_mac, m, 6);
        return SEQS_OK;
    }
    if (is_subnet_bcast(s, dst)) {
        rt->nexthop = dst;
        memcpy(rt->dst_mac, mac_bcast, 6);
        return SEQS_OK;
    }
    /* RFC 1122 3.3.1.1: on-link when in our prefix, else through the gateway. */
    if ((dst & s->ip.mask) == (s->ip.addr & s->ip.mask))
        rt->nexthop = dst;
    else if (s->ip.gateway)
        rt->nexthop = s->ip.gateway;
    else
        return SEQS_ERR_UNREACH;
    return seqs__arp_resolve(s, rt->nexthop, rt->dst_mac);
}

/* Writes Ethernet + a 20-byte IPv4 header for a datagram (or fragment) whose
 * payload of payload_len bytes follows at frame + SEQS_TX_L4_OFF. */
static size_t write_headers(seqs_stack_t *s, uint8_t *frame, const seqs__route_t *rt, uint8_t proto, size_t payload_len,
                            uint16_t id, uint16_t frag) {
    seqs__eth_write(frame, rt->dst_mac, s->mac, SEQS_ETHERTYPE_IPV4);
    uint8_t *ip = frame + SEQS_ETH_HDR;
    ip[0] = 0x45;
    ip[1] = 0;
    seqs__put16(ip + 2, (uint16_t)(SEQS_IP_HDR + payload_len));
    seqs__put16(ip + 4, id);
    seqs__put16(ip + 6, frag);
    ip[8] = s->ttl;   /* never 0 (I8) */
    ip[9] = proto;
    seqs__put32(ip + 12, rt->src);
    seqs__put32(ip + 16, rt->dst);
    /* The header's ten words are all known numbers: add them, not the bytes. */
    uint32_t sum = 0x4500u + (uint32_t)(SEQS_IP_HDR + payload_len) + id + frag + ((uint32_t)s->ttl << 8) + proto +
                   (rt->src >> 16) + (rt->src & 0xFFFFu) + (rt->dst >> 16) + (rt->dst & 0xFFFFu);
    seqs__put16(ip + 10, seqs__csum_fold(sum));
    return SEQS_TX_L4_OFF + payload_len;
}

size_t seqs__ip_emit(seqs_stack_t *s, uint8_t *frame, const seqs__route_t *rt, uint8_t proto, size_t payload_len,
                     int df) {
    SEQS_CNT(s, ip_tx);
    return write_headers(s, frame, rt, proto, payload_len, s->ip_id++, df ? SEQS_IPV4_FLAG_DF : 0);
}

/* Copies n bytes starting at byte `off` of the gather list into dst. */
static void gather(uint8_t *dst, const seqs__iov_t *iov, unsigned niov, size_t off, size_t n) {
    for (unsigned i = 0; i < niov && n; i++) {
        if (off >= iov[i].len) {
            off -= iov[i].len;
            continue;
        }
        size_t k = iov[i].len - off < n ? iov[i].len - off : n;
        memcpy(dst, iov[i].p + off, k);
        dst += k;
        n -= k;
        off = 0;
    }
}

int seqs__ip_sendv(seqs_stack_t *s, uint32_t src, uint32_t dst, uint8_t proto, const seqs__iov_t *iov, unsigned n,
                   int df) {
    size_t total = 0;
    for (unsigned i = 0; i < n; i++)
        total += iov[i].len;
    if (total > 0xFFFFu - SEQS_IP_HDR) {
        SEQS_CNT(s, ip_drop_msgsize);
        return SEQS_ERR_MSGSIZE;
    }
    seqs__route_t rt;
    int r = seqs__ip_route(s, dst, &rt);
    if (r != SEQS_OK && r != SEQS_ERR_AGAIN) {
        SEQS_CNT(s, ip_drop_noroute);
        return r;
    }
    if (src) {
        if (src != rt.src && !seqs__ip_is_local(s, src)) {
            SEQS_CNT(s, ip_drop_noroute);
            return SEQS_ERR_NOADDR;
        }
        rt.src = src;
    }
    if (r == SEQS_OK && total + SEQS_IP_HDR <= rt.mtu) {
        /* The common case: one frame, neighbour known, straight into the tx queue. */
        size_t flen = SEQS_TX_L4_OFF + total;
        uint8_t *f = seqs__txq_reserve(s, flen);
        if (!f) {
            SEQS_CNT(s, txq_full);
            return SEQS_ERR_NOBUFS;
        }
        uint8_t *d = f + SEQS_TX_L4_OFF;
        for (unsigned i = 0; i < n; i++) {
            if (iov[i].len)   /* an empty piece may have no buffer */
                memcpy(d, iov[i].p, iov[i].len);
            d += iov[i].len;
        }
        write_headers(s, f, &rt, proto, total, s->ip_id++, df ? SEQS_IPV4_FLAG_DF : 0);
        seqs__txq_commit(s, flen);
        SEQS_CNT(s, ip_tx);
        return SEQS_OK;
    }
    /* RFC 791 3.2: fragment payloads are multiples of 8 bytes except the last. */
    size_t per = total + SEQS_IP_HDR <= rt.mtu ? total : ((size_t)(rt.mtu - SEQS_IP_HDR) & ~(size_t)7u);
    size_t frames = total <= per ? 1 : (total + per - 1) / per;
    if (frames > 1 && df) {
        SEQS_CNT(s, ip_drop_msgsize);
        return SEQS_ERR_MSGSIZE;
    }
    size_t bytes = total + frames * SEQS_TX_L4_OFF;
    int tag = -1;
    if (r == SEQS_ERR_AGAIN) {
        tag = seqs__arp_queue_reserve(s, rt.nexthop, frames, bytes);
        if (tag < 0) {
            SEQS_CNT(s, arp_queue_drop);
            return SEQS_ERR_NOBUFS;
        }
    } else if (bytes + frames * 2u > SEQS_TXQ_BYTES) {
        SEQS_CNT(s, ip_drop_msgsize);
        return SEQS_ERR_MSGSIZE;
    }
    seqs__txq_mark_t mark = seqs__txq_mark(s);
    uint16_t id = s->ip_id++;   /* RFC 6864 4: one ID per datagram, shared by its fragments */
    for (size_t off = 0, i = 0; i < frames; i++, off += per) {
        size_t chunk = total - off < per ? total - off : per;
        size_t flen = SEQS_TX_L4_OFF + chunk;
        uint8_t *f = tag >= 0 ? seqs__arp_queue_frame(s, rt.nexthop, (uint16_t)tag, flen) : seqs__txq_reserve(s, flen);
        if (!f) {
            seqs__txq_rollback(s, mark);
            SEQS_CNT(s, txq_full);
            return SEQS_ERR_NOBUFS;
        }
        gather(f + SEQS_TX_L4_OFF, iov, n, off, chunk);
        uint16_t frag = (uint16_t)(off / 8u);
        if (i + 1 < frames)
            frag |= SEQS_IPV4_FLAG_MF;
        if (df)
            frag |= SEQS_IPV4_FLAG_DF;
        write_headers(s, f, &rt, proto, chunk, id, frag);
        if (tag < 0)
            seqs__txq_commit(s, flen);
    }
    SEQS_CNT(s, ip_tx);
    if (frames > 1)
        s->cnt.ip_frag_tx += (uint32_t)frames;
    return SEQS_OK;
}

int seqs__ip_send(seqs_stack_t *s, uint32_t src, uint32_t dst, uint8_t proto, const uint8_t *payload, size_t len,
                  int df) {
    seqs__iov_t iov = {payload, len};
    return seqs__ip_sendv(s, src, dst, proto, &iov, 1, df);
}
