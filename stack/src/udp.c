/* SPDX-License-Identifier: BSD-3-Clause */
/* udp.c — UDP sockets (RFC 768, RFC 1122 4.1). Each socket keeps received
 * datagrams in the caller's ring as [u16 len][u32 src][u16 sport][u32 dst][data]
 * records; handles carry a generation count so a stale one is refused. */
#include <string.h>

#include "internal.h"
#include "seqs/wire/icmp.h"
#include "seqs/wire/ipv4.h"
#include "seqs/wire/udp.h"

#define REC_HDR 12u
#define MAX_PAYLOAD 65507u   /* 65535 - 20 (IP) - 8 (UDP) */

/* Handle = generation (24 bits) << 8 | slot + 1: never 0. */
static seqs_udp_t make_handle(unsigned slot, uint32_t gen) { return ((gen & 0xFFFFFFu) << 8) | (slot + 1u); }

static struct seqs_udp_sock *lookup(const seqs_stack_t *s, seqs_udp_t h) {
    if (!s)
        return NULL;
    unsigned slot = (h & 0xFFu);
    if (slot == 0 || slot > s->max_udp)
        return NULL;
    struct seqs_udp_sock *u = (struct seqs_udp_sock *)&s->udp[slot - 1];
    if (!u->open || (u->gen & 0xFFFFFFu) != (h >> 8))
        return NULL;
    return u;
}

int seqs_udp_open(seqs_stack_t *s, seqs_udp_t *out, uint8_t *rxbuf, size_t rxcap) {
    if (!s || !out || (!rxbuf && rxcap) || rxcap > 0xFFFFFFFFu)
        return SEQS_ERR_INVAL;
    for (unsigned i = 0; i < s->max_udp; i++) {
        struct seqs_udp_sock *u = &s->udp[i];
        if (u->open)
            continue;
        uint32_t gen = u->gen;
        memset(u, 0, sizeof *u);
        u->gen = gen;
        u->open = 1;
        u->rx = rxbuf;
        u->rxcap = (uint32_t)rxcap;
        *out = make_handle(i, gen);
        return SEQS_OK;
    }
    return SEQS_ERR_NOSLOT;
}

int seqs_udp_close(seqs_stack_t *s, seqs_udp_t h) {
    struct seqs_udp_sock *u = lookup(s, h);
    if (!u)
        return SEQS_ERR_BADHANDLE;
    uint32_t gen = u->gen + 1u;
    if ((gen & 0xFFFFFFu) == 0)
        gen = 1;
    memset(u, 0, sizeof *u);
    u->gen = gen;
    return SEQS_OK;
}

static int port_in_use(const seqs_stack_t *s, uint16_t port) {
    for (unsigned i = 0; i < s->max_udp; i++)
        if (s->udp[i].open && s->udp[i].bound && s->udp[i].local_port == port)
            return 1;
    return 0;
}

static int bind_ephemeral(seqs_stack_t *s, struct seqs_udp_sock *u) {
    const uint32_t n = SEQS_EPHEMERAL_HI - SEQS_EPHEMERAL_LO + 1u;
    uint32_t start = seqs__random_below(s, n);   /* RFC 6056: random ephemeral ports */
    for (uint32_t i = 0; i < n; i++) {
        uint16_t p = (uint16_t)(SEQS_EPHEMERAL_LO + (start + i) % n);
        if (!port_in_use(s, p)) {
            u->local_port = p;
            u->bound = 1;
            return SEQS_OK;
        }
    }
    return SEQS_ERR_INUSE;
}

int seqs_udp_bind(seqs_stack_t *s, seqs_udp_t h, uint32_t local_addr, uint16_t port) {
    struct seqs_udp_sock *u = lookup(s, h);
    if (!u)
        return SEQS_ERR_BADHANDLE;
    if (u->bound)
        return SEQS_ERR_STATE;
    /* A socket may bind our unicast address, a multicast group or 0 (any). */
    if (local_addr && !seqs_ip4_is_multicast(local_addr) && local_addr != s->ip.addr)
        return SEQS_ERR_INVAL;
    if (port && port_in_use(s, port))
        return SEQS_ERR_INUSE;
    u->local_addr = local_addr;
    if (!port)
        return bind_ephemeral(s, u);
    u->local_port = port;
    u->bound = 1;
    return SEQS_OK;
}

int seqs_udp_connect(seqs_stack_t *s, seqs_udp_t h, uint32_t addr, uint16_t port) {
    struct seqs_udp_sock *u = lookup(s, h);
    if (!u)
        return SEQS_ERR_BADHANDLE;
    if (addr && !port)
        return SEQS_ERR_INVAL;
    u->remote_addr = addr;
    u->remote_port = addr ? port : 0;
    if (addr && !u->bound)
        return bind_ephemeral(s, u);
    return SEQS_OK;
}

uint16_t seqs_udp_local_port(const seqs_stack_t *s, seqs_udp_t h) {
    const struct seqs_udp_sock *u = lookup(s, h);
    return u && u->bound ? u->local_port : 0;
}

int seqs_udp_sendmsg(seqs_stack_t *s, seqs_udp_t h, const void *data, size_t len, const seqs_udp_meta_t *meta) {
    struct seqs_udp_sock *u = lookup(s, h);
    if (!u)
        return SEQS_ERR_BADHANDLE;
    if (!meta || (!data && len))
        return SEQS_ERR_INVAL;
    if (len > MAX_PAYLOAD)
        return SEQS_ERR_MSGSIZE;
    uint32_t dst = meta->remote_addr;
    uint16_t dport = meta->remote_port;
    if (!dst && !dport) {
        if (!u->remote_addr)
            return SEQS_ERR_NOTCONN;
        dst = u->remote_addr;
        dport = u->remote_port;
    }
    if (!dst || !dport)
        return SEQS_ERR_INVAL;
    /* U7: the source may be named per datagram (a wildcard-bound server
     * answering from the address it was asked on); it must be ours. */
    uint32_t src = meta->local_addr;
    /* A request that arrived to a broadcast/multicast address is answered from
     * our unicast address, so echoing recvfrom's meta back always works. */
    if (seqs__ip_is_bcast_or_mcast(s, src))
        src = 0;
    if (src && !seqs__ip_is_local(s, src))
        return seqs__ip_addr_usable(s) ? SEQS_ERR_INVAL : SEQS_ERR_NOADDR;
    if (!src && u->local_addr && !seqs_ip4_is_multicast(u->local_addr))
        src = u->local_addr;
    if (!src)
        src = seqs__ip_src_for(s, dst);
    if (!src && !seqs_ip4_is_limited_bcast(dst))
        return SEQS_ERR_NOADDR;
    if (!u->bound) {
        int r = bind_ephemeral(s, u);
        if (r != SEQS_OK)
            return r;
    }
    uint8_t hdr[SEQS_UDP_HDR_LEN];
    uint16_t ulen = (uint16_t)(SEQS_UDP_HDR_LEN + len);
    seqs__put16(hdr, u->local_port);
    seqs__put16(hdr + 2, dport);
    seqs__put16(hdr + 4, ulen);
    seqs__put16(hdr + 6, 0);
    /* The header's words are the ports and the length (the checksum field is 0):
     * added as numbers rather than summed from the bytes. */
    uint32_t sum = seqs__csum_pseudo(src, dst, SEQS_PROTO_UDP, ulen) + u->local_port + dport + ulen;
    uint16_t c = seqs__csum_fold(seqs__csum_add(sum, (const uint8_t *)data, len));
    seqs__put16(hdr + 6, c ? c : 0xFFFFu);   /* RFC 768: a computed 0 is sent as all ones (U4) */
    seqs__iov_t iov[2] = {{hdr, sizeof hdr}, {(const uint8_t *)data, len}};
    int r = seqs__ip_sendv(s, src, dst, SEQS_PROTO_UDP, iov, 2, 0);
    if (r != SEQS_OK)
        return r;
    SEQS_CNT(s, udp_tx);
    return (int)len;
}

int seqs_udp_sendto(seqs_stack_t *s, seqs_udp_t h, const void *data, size_t len, uint32_t addr, uint16_t port) {
    seqs_udp_meta_t m;
    memset(&m, 0, sizeof m);
    m.remote_addr = addr;
    m.remote_port = port;
    return seqs_udp_sendmsg(s, h, data, len, &m);
}

/* --- receive ring ---------------------------------------------------------- */

/* Offsets handed in are below twice the capacity (head + used, or a record
 * header past the head): a subtraction wraps them, the division is a fallback
 * for rings smaller than a record header. */
static uint32_t ring_wrap(const struct seqs_udp_sock *u, uint32_t at) {
    if (at >= u->rxcap)
        at -= u->rxcap;
    return at < u->rxcap ? at : at % u->rxcap;
}

static void ring_write(struct seqs_udp_sock *u, uint32_t at, const uint8_t *p, uint32_t n) {
    at = ring_wrap(u, at);
    uint32_t k = u->rxcap - at < n ? u->rxcap - at : n;
    memcpy(u->rx + at, p, k);
    if (n > k)   /* the record wraps around the end of the ring */
        memcpy(u->rx, p + k, n - k);
}

static void ring_read(const struct seqs_udp_sock *u, uint32_t at, uint8_t *p, uint32_t n) {
    at = ring_wrap(u, at);
    uint32_t k = u->rxcap - at < n ? u->rxcap - at : n;
    memcpy(p, u->rx + at, k);
    if (n > k)
        memcpy(p + k, u->rx, n - k);
}

int seqs_udp_recvfrom(seqs_stack_t *s, seqs_udp_t h, void *buf, size_t cap, seqs_udp_meta_t *meta) {
    struct seqs_udp_sock *u = lookup(s, h);
    if (!u)
        return SEQS_ERR_BADHANDLE;
    if (!buf && cap)
        return SEQS_ERR_INVAL;
    if (!u->rcount)
        return SEQS_ERR_AGAIN;
    uint8_t rec[REC_HDR];
    ring_read(u, u->rhead, rec, REC_HDR);
    uint32_t len = seqs__be16(rec);
    uint32_t n = len < cap ? len : (uint32_t)cap;
    if (n)
        ring_read(u, u->rhead + REC_HDR, (uint8_t *)buf, n);
    if (meta) {
        memset(meta, 0, sizeof *meta);
        meta->remote_addr = seqs__be32(rec + 2);
        meta->remote_port = seqs__be16(rec + 6);
        meta->local_addr = seqs__be32(rec + 8);
        meta->local_port = u->local_port;
        meta->truncated = (uint8_t)(n < len);
    }
    u->rhead = ring_wrap(u, u->rhead + REC_HDR + len);
    u->rused -= REC_HDR + len;
    u->rcount--;
    if (!u->rcount)
        u->rhead = u->rused = 0;
    return (int)n;
}

int seqs_udp_pending(const seqs_stack_t *s, seqs_udp_t h) {
    const struct seqs_udp_sock *u = lookup(s, h);
    return u ? (int)u->rcount : SEQS_ERR_BADHANDLE;
}

int seqs_udp_error(seqs_stack_t *s, seqs_udp_t h, seqs_udp_icmp_err_t *info) {
    struct seqs_udp_sock *u = lookup(s, h);
    if (!u)
        return SEQS_ERR_BADHANDLE;
    if (!u->err_pending)
        return SEQS_OK;
    if (info) {
        info->type = u->err_type;
        info->code = u->err_code;
        info->remote_addr = u->err_addr;
        info->remote_port = u->err_port;
        info->mtu = u->err_mtu;
    }
    u->err_pending = 0;
    return u->err_code == SEQS_ICMP_UNREACH_FRAG_NEEDED ? SEQS_ERR_MSGSIZE : SEQS_ERR_UNREACH;
}

/* --- input ----------------------------------------------------------------- */

/* The socket for a datagram to dst:dport from src:sport — one socket per port;
 * it must accept the destination address and, when connected, the peer. */
static struct seqs_udp_sock *demux(seqs_stack_t *s, uint32_t dst, uint16_t dport, uint32_t src, uint16_t sport) {
    for (unsigned i = 0; i < s->max_udp; i++) {
        struct seqs_udp_sock *u = &s->udp[i];
        if (!u->open || !u->bound || u->local_port != dport)
            continue;
        if (u->local_addr && u->local_addr != dst)
            return NULL;
        if (u->remote_addr && (u->remote_addr != src || u->remote_port != sport))
            return NULL;
        return u;
    }
    return NULL;
}

void seqs__udp_input(seqs_stack_t *s, const seqs__ip_rx_t *rx, const uint8_t *dgram, size_t len) {
    SEQS_CNT(s, udp_rx);
    seqs_udp_view_t v;
    switch (seqs_udp_view_init(&v, dgram, len, rx->src, rx->dst)) {
    case SEQS_VIEW_OK: break;
    case SEQS_VIEW_CHECKSUM: SEQS_CNT(s, udp_drop_checksum); return;   /* U3 */
    default: SEQS_CNT(s, udp_drop_length); return;                      /* U5 */
    }
    uint16_t dport = seqs_udp_dst_port(&v), sport = seqs_udp_src_port(&v);
    /* 0.0.0.0 is a valid source only for DHCP (RFC 2131 4.1: clients without an
     * address); ip input let it through for UDP so we decide here (U6/I5). */
    if (rx->src == 0 && dport != 67 && dport != 68) {
        SEQS_CNT(s, udp_drop_bad_src);
        return;
    }
    struct seqs_udp_sock *u = demux(s, rx->dst, dport, rx->src, sport);
    if (!u) {
        SEQS_CNT(s, udp_drop_no_socket);
        /* C5, RFC 1122 4.1.3.1: port unreachable (suppressed for broadcasts etc.) */
        seqs__icmp_send_error(s, rx, dgram, len, SEQS_ICMP_DEST_UNREACH, SEQS_ICMP_UNREACH_PORT, 0);
        return;
    }
    uint32_t n = (uint32_t)seqs_udp_payload_len(&v);
    if (REC_HDR + n > u->rxcap - u->rused) {
        SEQS_CNT(s, udp_drop_queue_full);
        return;
    }
    uint8_t rec[REC_HDR];
    seqs__put16(rec, (uint16_t)n);
    seqs__put32(rec + 2, rx->src);
    seqs__put16(rec + 6, sport);
    seqs__put32(rec + 8, rx->dst);
    uint32_t tail = u->rhead + u->rused;
    ring_write(u, tail, rec, REC_HDR);
    if (n)
        ring_write(u, tail + REC_HDR, seqs_udp_payload(&v), n);
    u->rused += REC_HDR + n;
    u->rcount++;
}

int seqs__udp_icmp_error(seqs_stack_t *s, uint8_t type, uint8_t code, uint16_t mtu, uint32_t src, uint32_t dst,
                         const uint8_t *quoted, size_t qlen) {
    (void)src;
    if (type != SEQS_ICMP_DEST_UNREACH || qlen < SEQS_UDP_HDR_LEN)
        return 0;
    uint16_t sport = seqs__be16(quoted), dport = seqs__be16(quoted + 2);
    for (unsigned i = 0; i < s->max_udp; i++) {
        struct seqs_udp_sock *u = &s->udp[i];
        if (!u->open || !u->bound || u->local_port != sport)
            continue;
        if (u->remote_addr && (u->remote_addr != dst || u->remote_port != dport))
            return 0;
        u->err_pending = 1;
        u->err_type = type;
        u->err_code = code;
        u->err_mtu = mtu;
        u->err_addr = dst;
        u->err_port = dport;
        return 1;
    }
    return 0;
}
