/* SPDX-License-Identifier: BSD-3-Clause */
/* wire_tcp.c — validation of the TCP header view and its option walk (RFC 9293 3.1-3.2). */
#include "internal.h"
#include "seqs/wire/tcp.h"

seqs_view_status_t seqs_tcp_view_init(seqs_tcp_view_t *v, const uint8_t *seg, size_t len) {
    if (len < SEQS_TCP_MIN_HDR)
        return SEQS_VIEW_TRUNCATED;
    size_t doff = (size_t)(seg[12] >> 4) * 4u;
    if (doff < SEQS_TCP_MIN_HDR || doff > len)
        return SEQS_VIEW_HEADER;
    v->p = seg;
    v->len = len;
    v->hdr_len = doff;
    return SEQS_VIEW_OK;
}

int seqs_tcp_view_checksum_ok(const seqs_tcp_view_t *v, uint32_t src, uint32_t dst) {
    if (v->len > 0xFFFFu)
        return 0;
    uint32_t sum = seqs__csum_pseudo(src, dst, SEQS_PROTO_TCP, (uint16_t)v->len);
    return seqs__csum_fold(seqs__csum_add(sum, v->p, v->len)) == 0;
}

void seqs_tcp_opt_begin(seqs_tcp_opt_iter_t *it, const seqs_tcp_view_t *v) {
    it->p = seqs_tcp_options(v);
    it->len = seqs_tcp_options_len(v);
    it->off = 0;
    it->bad = 0;
}

int seqs_tcp_opt_next(seqs_tcp_opt_iter_t *it, seqs_tcp_opt_t *opt) {
    if (it->bad)
        return -1;
    while (it->off < it->len && it->p[it->off] == SEQS_TCPOPT_NOP)
        it->off++;
    if (it->off >= it->len || it->p[it->off] == SEQS_TCPOPT_EOL) {
        it->off = it->len;
        return 0;
    }
    size_t rest = it->len - it->off;
    /* RFC 9293 3.2: every other option has a length byte counting kind and length. */
    if (rest < 2 || it->p[it->off + 1] < 2u || it->p[it->off + 1] > rest) {
        it->bad = 1;
        return -1;
    }
    opt->kind = it->p[it->off];
    opt->len = (uint8_t)(it->p[it->off + 1] - 2u);
    opt->data = it->p + it->off + 2;
    it->off += it->p[it->off + 1];
    return 1;
}
