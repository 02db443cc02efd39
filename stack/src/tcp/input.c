/* SPDX-License-Identifier: BSD-3-Clause */
/* stack/src/tcp/input.c — segment validation and demultiplexing: checksum,
 * header, options (T15, T16), then the connection by 4-tuple, else the
 * listener by port, else the closed-port RST (RFC 9293 3.10.7.1). */
#include <string.h>
#include "tcp_int.h"
#include "seqs/wire/tcp.h"

void seqs__tcp_input(seqs_stack_t *s, const seqs__ip_rx_t *rx, const uint8_t *seg, size_t len) {
    SEQS_CNT(s, tcp_rx);
    if (rx->dst_bcast || rx->link_bcast) {
        SEQS_CNT(s, tcp_drop_bcast);    /* RFC 1122 4.2.3.10: no TCP to broadcast/multicast */
        return;
    }
    /* the frame view validates the data offset once; then the checksum (T15, T16) */
    seqs_tcp_view_t v;
    if (seqs_tcp_view_init(&v, seg, len) != SEQS_VIEW_OK || len > 0xFFFFu) {
        SEQS_CNT(s, tcp_drop_header);
        return;
    }
    /* A zero checksum field is not "no checksum" in TCP: it passes only when
     * 0 is the right value (1 segment in 65536). */
    if (!seqs_tcp_view_checksum_ok(&v, rx->src, rx->dst)) {
        SEQS_CNT(s, tcp_drop_checksum);
        return;
    }
    tcp_rx_t r;
    memset(&r, 0, sizeof r);
    r.src = rx->src;
    r.dst = rx->dst;
    r.sport = seqs_tcp_src_port(&v);
    r.dport = seqs_tcp_dst_port(&v);
    r.seg.seq = seqs_tcp_seq(&v);
    r.seg.ack = seqs_tcp_ack(&v);
    r.seg.flags = (uint8_t)(seqs_tcp_flags(&v) & 0x3Fu);   /* CWR and ECE ignored (no ECN) */
    r.seg.wnd = seqs_tcp_window(&v);
    r.urg = seqs_tcp_urgent(&v);
    r.seg.len = (uint32_t)seqs_tcp_payload_len(&v);
    r.payload = seqs_tcp_payload(&v);
    if (r.sport == 0 || r.dport == 0) {
        SEQS_CNT(s, tcp_drop_header);
        return;
    }
    if (seqs__tcp_parse_opts(&v, (r.seg.flags & TCP_SYN) != 0, &r.opt) != 0) {
        SEQS_CNT(s, tcp_drop_header);
        return;
    }
    conn_t *c = seqs__tcp_lookup(s, r.dst, r.dport, r.src, r.sport);
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
