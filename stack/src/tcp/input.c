/* stack/src/tcp/input.c — segment validation and demultiplexing: checksum,
 * header, options (T15, T16), then the connection by 4-tuple, else the
 * listener by port, else the closed-port RST (RFC 9293 3.10.7.1). */
#include <string.h>
#include "tcp_int.h"

static conn_t *find_conn(seqs_stack_t *s, const tcp_rx_t *r) {
    for (unsigned i = 0; i < s->tcp.max_conns; i++) {
        conn_t *c = &s->tcp.conns[i];
        if (c->used && c->tcb.state != SEQS_TCP_CLOSED && c->lport == r->dport && c->rport == r->sport &&
            c->raddr == r->src && c->laddr == r->dst)
            return c;
    }
    return NULL;
}

void seqs__tcp_input(seqs_stack_t *s, const seqs__ip_rx_t *rx, const uint8_t *seg, size_t len) {
    SEQS_CNT(s, tcp_rx);
    if (rx->dst_bcast || rx->link_bcast) {
        SEQS_CNT(s, tcp_drop_bcast);    /* RFC 1122 4.2.3.10: no TCP to broadcast/multicast */
        return;
    }
    if (len < TCP_HDR || len > 0xFFFFu) {
        SEQS_CNT(s, tcp_drop_header);
        return;
    }
    /* T15: verify over the pseudo header. A zero field is not "no checksum" in
     * TCP: it passes only when 0 is the right value (1 segment in 65536). */
    uint32_t sum = seqs__csum_pseudo(rx->src, rx->dst, SEQS_PROTO_TCP, (uint16_t)len);
    if (seqs__csum_fold(seqs__csum_add(sum, seg, len)) != 0) {
        SEQS_CNT(s, tcp_drop_checksum);
        return;
    }
    size_t doff = (size_t)(seg[12] >> 4) * 4u;
    if (doff < TCP_HDR || doff > len) {
        SEQS_CNT(s, tcp_drop_header);
        return;
    }
    tcp_rx_t r;
    memset(&r, 0, sizeof r);
    r.src = rx->src;
    r.dst = rx->dst;
    r.sport = seqs__be16(seg);
    r.dport = seqs__be16(seg + 2);
    r.seg.seq = seqs__be32(seg + 4);
    r.seg.ack = seqs__be32(seg + 8);
    r.seg.flags = (uint8_t)(seg[13] & 0x3Fu);   /* reserved bits, CWR and ECE ignored */
    r.seg.wnd = seqs__be16(seg + 14);
    r.urg = seqs__be16(seg + 18);
    r.seg.len = (uint32_t)(len - doff);
    r.payload = seg + doff;
    if (r.sport == 0 || r.dport == 0) {
        SEQS_CNT(s, tcp_drop_header);
        return;
    }
    if (seqs__tcp_parse_opts(seg + TCP_HDR, doff - TCP_HDR, (r.seg.flags & TCP_SYN) != 0, &r.opt) != 0) {
        SEQS_CNT(s, tcp_drop_header);
        return;
    }
    conn_t *c = find_conn(s, &r);
    if (c) {
        seqs__tcp_conn_input(s, c, &r);
        return;
    }
    listener_t *l = seqs__tcp_find_listener(s, r.dport);
    if (l) {
        seqs__tcp_listen_input(s, l, &r);
        return;
    }
    SEQS_CNT(s, tcp_drop_no_socket);
    seqs__tcp_reset_reply(s, &r);
}
