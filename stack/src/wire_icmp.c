/* SPDX-License-Identifier: BSD-3-Clause */
/* wire_icmp.c — validation of the ICMP message view (RFC 792). */
#include "internal.h"
#include "seqs/wire/icmp.h"

seqs_view_status_t seqs_icmp_view_init(seqs_icmp_view_t *v, const uint8_t *msg, size_t len) {
    if (len < SEQS_ICMP_HDR_LEN)
        return SEQS_VIEW_TRUNCATED;
    if (seqs__csum_fold(seqs__csum_add(0, msg, len)) != 0)
        return SEQS_VIEW_CHECKSUM;
    v->p = msg;
    v->len = len;
    return SEQS_VIEW_OK;
}
