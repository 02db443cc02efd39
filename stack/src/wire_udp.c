/* SPDX-License-Identifier: BSD-3-Clause */
/* wire_udp.c — validation of the UDP datagram view (RFC 768, RFC 1122 4.1.3). */
#include "internal.h"
#include "seqs/wire/udp.h"

seqs_view_status_t seqs_udp_view_init(seqs_udp_view_t *v, const uint8_t *dgram, size_t len, uint32_t src,
                                      uint32_t dst) {
    if (len < SEQS_UDP_HDR_LEN)
        return SEQS_VIEW_TRUNCATED;
    size_t ulen = seqs_be16(dgram + 4);
    if (ulen < SEQS_UDP_HDR_LEN || ulen > len)   /* U5: a shorter UDP length just ignores the rest */
        return SEQS_VIEW_LENGTH;
    if (seqs_be16(dgram + 6) != 0) {             /* zero: sender computed no checksum (U2) */
        uint32_t sum = seqs__csum_pseudo(src, dst, SEQS_PROTO_UDP, (uint16_t)ulen);
        if (seqs__csum_fold(seqs__csum_add(sum, dgram, ulen)) != 0)
            return SEQS_VIEW_CHECKSUM;
    }
    v->p = dgram;
    v->len = ulen;
    return SEQS_VIEW_OK;
}
