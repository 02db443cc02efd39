/* SPDX-License-Identifier: BSD-3-Clause */
/* wire_ipv4.c — validation of the IPv4 header view (RFC 791 3.1, RFC 1122 3.2.1). */
#include "internal.h"
#include "seqs/wire/ipv4.h"

/* RFC 791 3.1 option format: EOL and NOP are single bytes, every other option
 * is kind, length (>= 2, counting kind and length), data. RFC 1122 3.2.1.8:
 * unknown options are ignored. RFC 7126 4.3-4.4: source-route options are
 * dropped rather than honoured (deviating from RFC 1122 3.2.1.8(c), I10). */
static seqs_view_status_t check_options(const uint8_t *o, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t kind = o[i];
        if (kind == SEQS_IPOPT_EOL)
            break;
        if (kind == SEQS_IPOPT_NOP) {
            i++;
            continue;
        }
        if (i + 1 >= n || o[i + 1] < 2u || o[i + 1] > n - i)
            return SEQS_VIEW_OPTIONS;
        if (kind == SEQS_IPOPT_LSRR || kind == SEQS_IPOPT_SSRR)
            return SEQS_VIEW_SRCROUTE;
        i += o[i + 1];
    }
    return SEQS_VIEW_OK;
}

seqs_view_status_t seqs_ipv4_view_init(seqs_ipv4_view_t *v, const uint8_t *pkt, size_t len) {
    if (len < SEQS_IPV4_MIN_HDR)
        return SEQS_VIEW_TRUNCATED;
    if ((pkt[0] >> 4) != 4u)                     /* RFC 1122 3.2.1.1 */
        return SEQS_VIEW_VERSION;
    size_t ihl = (size_t)(pkt[0] & 0x0Fu) * 4u;
    if (ihl < SEQS_IPV4_MIN_HDR)
        return SEQS_VIEW_HEADER;
    size_t total = seqs_be16(pkt + 2);
    if (total > len)                             /* RFC 791 3.1: Total Length counts, padding does not (E2) */
        return SEQS_VIEW_TRUNCATED;
    if (ihl > total)
        return SEQS_VIEW_HEADER;
    if (seqs__csum_fold(seqs__csum_add(0, pkt, ihl)) != 0)   /* RFC 1122 3.2.1.2 */
        return SEQS_VIEW_CHECKSUM;
    seqs_view_status_t st = check_options(pkt + SEQS_IPV4_MIN_HDR, ihl - SEQS_IPV4_MIN_HDR);
    if (st != SEQS_VIEW_OK)
        return st;
    v->p = pkt;
    v->hdr_len = ihl;
    v->total_len = total;
    return SEQS_VIEW_OK;
}
