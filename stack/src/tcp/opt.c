/* SPDX-License-Identifier: BSD-3-Clause */
/* stack/src/tcp/opt.c — TCP options of a validated segment (RFC 9293 3.2, 3.7.1;
 * RFC 7323; RFC 2018), walked with the wire view's iterator. MSS, window scale
 * and SACK-permitted count only on SYN segments (T18); unknown kinds are
 * skipped by their length; a length of 0 or 1, or one running past the header,
 * makes the list malformed (T16). */
#include <string.h>
#include "tcp_int.h"
#include "seqs/wire/tcp.h"

int seqs__tcp_parse_opts(const seqs_tcp_view_t *v, int syn, tcp_opts_t *o) {
    memset(o, 0, sizeof *o);
    seqs_tcp_opt_iter_t it;
    seqs_tcp_opt_t op;
    int rc;
    seqs_tcp_opt_begin(&it, v);
    while ((rc = seqs_tcp_opt_next(&it, &op)) == 1) {
        const uint8_t *d = op.data;
        switch (op.kind) {
        case SEQS_TCPOPT_MSS:
            if (op.len == 2 && syn) {
                o->has_mss = 1;
                o->mss = seqs__be16(d);
            }
            break;
        case SEQS_TCPOPT_WS:
            if (op.len == 1 && syn) {
                o->has_ws = 1;
                /* RFC 7323 2.3: a shift above 14 is used as 14 */
                o->ws = d[0] > 14 ? 14 : d[0];
            }
            break;
        case SEQS_TCPOPT_SACK_PERM:
            if (op.len == 0 && syn) o->sack_perm = 1;
            break;
        case SEQS_TCPOPT_SACK:
            if (!syn && op.len >= 8 && op.len % 8 == 0) {
                unsigned nb = op.len / 8u;
                for (unsigned b = 0; b < nb && o->nsack < 4; b++) {
                    o->sack[o->nsack].start = seqs__be32(d + 8 * b);
                    o->sack[o->nsack].end = seqs__be32(d + 8 * b + 4);
                    o->nsack++;
                }
            }
            break;
        case SEQS_TCPOPT_TS:
            if (op.len == 8) {
                o->has_ts = 1;
                o->tsval = seqs__be32(d);
                o->tsecr = seqs__be32(d + 4);
            }
            break;
        default:
            break;
        }
    }
    return rc < 0 ? -1 : 0;
}
