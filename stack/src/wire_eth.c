/* SPDX-License-Identifier: BSD-3-Clause */
/* wire_eth.c — validation of the Ethernet frame view. */
#include "seqs/wire/eth.h"

seqs_view_status_t seqs_eth_view_init(seqs_eth_view_t *v, const uint8_t *frame, size_t len) {
    if (len < SEQS_ETH_HDR_LEN)
        return SEQS_VIEW_TRUNCATED;
    v->p = frame;
    v->len = len;
    return SEQS_VIEW_OK;
}
