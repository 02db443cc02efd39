/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz/fuzz_ntp.c — NTP packet parser / SNTP client fuzz target.
 *
 * Input: [1 byte flags][NTP packet]. A client on a fresh stack sends its first
 * request; the packet is fed back as the server's reply (from 192.0.2.1:123).
 * flags bit 0: copy our transmit timestamp into the origin field (so the
 * fuzzer reaches the KoD / LI / stratum / offset logic). The client's state must
 * stay consistent (a stopped client never sends again). Also checks the
 * NTP <-> Unix conversions round-trip on the packet's timestamps. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seqs/sntp.h"
#include "seqs/wire/ntp.h"
#include "app_peer.h"

static seqs_sntp_t cl;
static uint8_t pkt[1500];

static void check_conversion(uint64_t ntp) {
    int64_t us = seqs_ntp_to_unix_us(ntp);
    uint64_t back = seqs_unix_us_to_ntp(us);
    uint64_t d = back - ntp;   /* modulo 2^64: a µs is ~4295 fraction units */
    if (d > 2200 && (uint64_t)0 - d > 2200)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    uint8_t flags = data[0];
    size_t len = size - 1 > sizeof pkt ? sizeof pkt : size - 1;
    memcpy(pkt, data + 1, len);
    seqs_ntp_view_t v;
    if (seqs_ntp_view_init(&v, pkt, len) == SEQS_VIEW_OK) {
        check_conversion(seqs_ntp_ts(&v, SEQS_NTP_OFF_REC));
        check_conversion(seqs_ntp_ts(&v, SEQS_NTP_OFF_XMT));
    }

    setup_us(2);
    seqs_sntp_config_t cfg;
    seqs_sntp_config_default(&cfg);
    cfg.poll_s = 15;
    cfg.first_max_ms = 0;
    if (seqs_sntp_start(&us, &cl, PEER_IP, &cfg) != SEQS_OK)
        abort();
    uint8_t req[600];
    size_t rlen = 0;
    uint16_t sport = 0;
    if (!drain_for(123, req, sizeof req, &rlen, &sport) || rlen != SEQS_NTP_LEN)
        abort();
    if ((flags & 1) && len >= SEQS_NTP_LEN)
        memcpy(pkt + SEQS_NTP_OFF_ORG, req + SEQS_NTP_OFF_XMT, 8);
    now += 1000;
    peer_udp(123, sport, pkt, len);
    drain_for(123, req, sizeof req, &rlen, &sport);
    seqs_sntp_status_t st = seqs_sntp_status(&cl);
    if (st > SEQS_SNTP_KOD_RSTR)
        abort();
    if (st == SEQS_SNTP_SYNCED && (seqs_sntp_delay_us(&cl) < 0 || seqs_sntp_stratum(&cl) < 1 ||
                                   seqs_sntp_stratum(&cl) > 15 || seqs_sntp_leap(&cl) == 3))
        abort();
    /* An hour of polling: a client stopped by DENY/RSTR sends nothing; others keep going. */
    int sent = 0;
    for (int i = 0; i < 16; i++) {
        uint64_t d = seqs_stack_next_deadline(&us);
        if (d == SEQS_NEVER)
            break;
        now = d > now ? d : now + 1;
        sent += drain_for(123, req, sizeof req, &rlen, &sport);
    }
    if ((st == SEQS_SNTP_KOD_DENY || st == SEQS_SNTP_KOD_RSTR) && sent)
        abort();
    if (st != SEQS_SNTP_KOD_DENY && st != SEQS_SNTP_KOD_RSTR && !sent)
        abort();
    seqs_sntp_stop(&us, &cl);
    return 0;
}
