/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz/fuzz_dns.c — DNS message parser and resolver fuzz target.
 *
 * Input: [1 byte flags][DNS message]. Every run
 *  1. walks the message with the wire view (seqs/wire/dns.h): the whole-message
 *     check, the question, and a name decode at every offset, asserting that a
 *     decoded name never exceeds 255 bytes and never ends past the message, and
 *     that the in-place comparison (seqs_dns_name_eq_at) agrees with it;
 *  2. starts a lookup of "www.example.test" on a stack and feeds the message as
 *     the server's answer. flags bit 0: overwrite the message's ID with the
 *     query's (so the fuzzer reaches the answer logic); bit 1: also copy our
 *     question over the message (same reason). The lookup must end in a valid
 *     state with at most SEQS_DNS_MAX_ADDRS addresses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seqs/dns.h"
#include "seqs/wire/dns.h"
#include "app_peer.h"

static seqs_dns_resolver_t res;
static seqs_dns_query_t query;
static uint8_t msg[1500];

static void walk(const uint8_t *m, size_t len) {
    seqs_dns_view_t v;
    if (seqs_dns_view_init(&v, m, len) != SEQS_VIEW_OK)
        return;
    size_t ans;
    (void)seqs_dns_msg_check(&v, &ans);
    seqs_dns_question_t q;
    size_t next;
    (void)seqs_dns_question_parse(&v, SEQS_DNS_HDR_LEN, &q, &next);
    uint8_t name[SEQS_DNS_MAX_WIRE_NAME];
    char text[4 * SEQS_DNS_MAX_WIRE_NAME + 1];
    for (size_t off = 0; off < len && off < 600; off++) {
        size_t nl = 0, nx = 0;
        if (seqs_dns_name_decode(&v, off, name, sizeof name, &nl, &nx) == 0) {
            if (nl > SEQS_DNS_MAX_WIRE_NAME || nl < 1 || nx > len || nx <= off)
                abort();
            if (seqs_dns_name_to_text(name, nl, text, sizeof text) < 0)
                abort();
            /* the in-place comparison agrees with the decoder */
            if (seqs_dns_name_eq_at(&v, off, name, nl) != 1)
                abort();
            if (nl > 1 && seqs_dns_name_eq_at(&v, off, name, nl - 1) == 1)
                abort();
        }
        seqs_dns_rr_t rr;
        if (seqs_dns_rr_parse(&v, off, &rr, &nx) == 0 && (rr.rdata_off + rr.rdlength > len || nx > len))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    uint8_t flags = data[0];
    size_t len = size - 1 > sizeof msg ? sizeof msg : size - 1;
    memcpy(msg, data + 1, len);
    walk(msg, len);

    setup_us(1);
    if (seqs_dns_init(&us, &res) != SEQS_OK)
        abort();
    uint32_t server = PEER_IP;
    seqs_dns_set_servers(&res, &server, 1);
    if (seqs_dns_resolve(&us, &res, &query, "www.example.test") != SEQS_OK)
        abort();
    uint8_t q[600];
    size_t qlen = 0;
    uint16_t sport = 0;
    if (!drain_for(53, q, sizeof q, &qlen, &sport) || qlen < 12)
        abort();   /* the query must go out */
    if ((flags & 1) && len >= 2)
        memcpy(msg, q, 2);
    if ((flags & 2) && len >= qlen)
        memcpy(msg + 12, q + 12, qlen - 12);
    peer_udp(53, sport, msg, len);
    drain_for(53, q, sizeof q, &qlen, &sport);
    seqs_dns_status_t st = seqs_dns_query_status(&query);
    if (st > SEQS_DNS_ERROR)
        abort();
    uint32_t addrs[SEQS_DNS_MAX_ADDRS];
    int n = seqs_dns_query_addrs(&query, addrs, SEQS_DNS_MAX_ADDRS);
    if (n < 0 || n > SEQS_DNS_MAX_ADDRS || (st == SEQS_DNS_OK && n == 0))
        abort();
    /* Let every retry and the TCP fall-back (nobody answers) run out: no hang. */
    for (int i = 0; i < 64 && seqs_dns_query_status(&query) == SEQS_DNS_PENDING; i++) {
        uint64_t d = seqs_stack_next_deadline(&us);
        if (d == SEQS_NEVER)
            break;
        now = d > now ? d : now + 1;
        drain_for(53, q, sizeof q, &qlen, &sport);
    }
    seqs_dns_deinit(&us, &res);
    return 0;
}
