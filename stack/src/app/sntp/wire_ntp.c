/* SPDX-License-Identifier: BSD-3-Clause */
/* wire_ntp.c — the NTP packet view. */
#include "seqs/wire/ntp.h"

seqs_view_status_t seqs_ntp_view_init(seqs_ntp_view_t *v, const uint8_t *pkt, size_t len) {
    v->p = pkt;
    v->len = len;
    if (!pkt || len < SEQS_NTP_LEN)
        return SEQS_VIEW_TRUNCATED;
    return SEQS_VIEW_OK;
}
