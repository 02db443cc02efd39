/* SPDX-License-Identifier: BSD-3-Clause */
/* test_fastpath.c — the shortcuts the core takes for speed give the same
 * results as the long way: the echo reply's incrementally updated checksum
 * (RFC 1624) verifies for every payload, code and alignment, and the cached
 * earliest ARP/reassembly deadlines track every change exactly. */
#include "check.h"
#include "frames.h"
#include "internal.h"

static seqs_stack_t st;
static f_out_t o[8];
static uint8_t f[2048];

static void test_echo_reply_checksum_verifies_for_any_payload_and_code(void) {
    f_setup(&st, 3);
    uint32_t x = 99;
    int bad = 0, replies = 0;
    uint8_t data[1400];
    for (int i = 0; i < 400; i++) {
        size_t len = (size_t)(i * 37) % sizeof data;
        for (size_t k = 0; k < len; k++) {
            x = x * 1103515245u + 12345u;
            data[k] = (uint8_t)(i % 7 == 0 ? 0xFF : (i % 11 == 0 ? 0 : x >> 16));   /* all-ones and all-zero payloads too */
        }
        size_t n = f_echo(f, F_US, F_PEER, F_PEER_IP, F_ADDR, (uint16_t)(i * 977), (uint16_t)i, data, len);
        if (i % 3 == 1) {   /* a non-zero code in the request (RFC 792 says 0; the reply's is 0 whatever) */
            f[35] = (uint8_t)i;
            wr16(f + 36, 0);
            wr16(f + 36, ref_csum(f + 34, 8 + len, 0));
        }
        seqs_stack_input(&st, f, n, 1);
        if (f_drain(&st, 1, o, 8) != 1) {
            bad++;
            continue;
        }
        replies++;
        const uint8_t *m = o[0].f + 34;
        if (o[0].len != (int)n || m[0] != 0 || m[1] != 0 || ref_csum(m, 8 + len, 0) != 0 ||
            memcmp(m + 4, f + 38, 4 + len) != 0) {
            fprintf(stderr, "echo %d (len %zu): reply len %d type %u code %u csum %04x\n", i, len, o[0].len, m[0], m[1],
                    ref_csum(m, 8 + len, 0));
            bad++;
        }
    }
    CHECK_EQ(replies, 400);
    CHECK_EQ(bad, 0);
}

static void test_arp_deadline_follows_resolution_confirmation_and_expiry(void) {
    f_setup(&st, 4);   /* 192.0.2.1 is cached: its entry expires after SEQS_ARP_MAX_AGE_S */
    uint64_t age = (uint64_t)SEQS_ARP_MAX_AGE_S * F_SEC;
    CHECK_EQ(seqs_stack_next_deadline(&st), age);
    /* Resolving 192.0.2.3 starts a one-second retry: the earliest deadline. */
    seqs_udp_t u;
    seqs_udp_open(&st, &u, NULL, 0);
    CHECK_EQ(seqs_udp_sendto(&st, u, "x", 1, SEQS_IP4(192, 0, 2, 3), 9), 1);
    CHECK_EQ(f_drain(&st, 10, o, 8), 1);   /* the ARP request, sent at the stack's time 0 */
    CHECK_EQ(seqs_stack_next_deadline(&st), F_SEC);
    /* Its reply moves that entry's timer to the far expiry: the deadline goes
     * back to the first entry's, not the stale retry time. */
    static const uint8_t mac3[6] = {2, 0, 0, 0, 0, 9};
    size_t n = f_arp(f, F_US, mac3, 2, mac3, SEQS_IP4(192, 0, 2, 3), F_US, F_ADDR);
    seqs_stack_input(&st, f, n, 20);
    CHECK_EQ(f_drain(&st, 20, o, 8), 1);   /* the queued datagram */
    CHECK_EQ(seqs_stack_next_deadline(&st), age);
    /* Nothing due: output runs no ARP timer; at the expiry the idle entries go. */
    CHECK_EQ(f_drain(&st, age - 1, o, 8), 0);
    CHECK_EQ(seqs_stack_next_deadline(&st), age);
    CHECK_EQ(f_drain(&st, age, o, 8), 0);
    CHECK_EQ(seqs_stack_next_deadline(&st), 20 + age);
    CHECK_EQ(f_drain(&st, 20 + age, o, 8), 0);
    CHECK_EQ(seqs_stack_next_deadline(&st), SEQS_NEVER);
}

static void test_reasm_deadline_set_by_a_fragment_and_cleared_by_completion(void) {
    f_setup(&st, 5);
    CHECK_EQ(seqs_stack_next_deadline(&st), (uint64_t)SEQS_ARP_MAX_AGE_S * F_SEC);
    /* First half of a 16-byte echo: 8 bytes at offset 0, MF. */
    uint8_t msg[16] = {8, 0, 0, 0, 0, 1, 0, 1, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};
    wr16(msg + 2, ref_csum(msg, sizeof msg, 0));
    memcpy(f + 34, msg, 8);
    size_t n = f_ip(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 8, 77, 0x2000, 64);
    seqs_stack_input(&st, f, n, 5);
    CHECK_EQ(seqs_stack_next_deadline(&st), 5 + (uint64_t)SEQS_REASM_TIMEOUT_S * F_SEC);
    memcpy(f + 34, msg + 8, 8);
    n = f_ip(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 8, 77, 1, 64);
    seqs_stack_input(&st, f, n, 6);
    CHECK_EQ(st.cnt.ip_reasm_ok, 1);
    CHECK_EQ(f_drain(&st, 6, o, 8), 1);   /* the echo reply */
    CHECK_EQ(seqs_stack_next_deadline(&st), (uint64_t)SEQS_ARP_MAX_AGE_S * F_SEC);
    /* An incomplete one times out at its deadline, and the deadline clears. */
    memcpy(f + 34, msg, 8);
    n = f_ip(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 8, 78, 0x2000, 64);
    seqs_stack_input(&st, f, n, 7);
    uint64_t t = 7 + (uint64_t)SEQS_REASM_TIMEOUT_S * F_SEC;
    CHECK_EQ(seqs_stack_next_deadline(&st), t);
    seqs_stack_poll(&st, t - 1);
    CHECK_EQ(st.cnt.ip_reasm_timeout, 0);
    seqs_stack_poll(&st, t);
    CHECK_EQ(st.cnt.ip_reasm_timeout, 1);
    CHECK_EQ(f_drain(&st, t, o, 8), 1);   /* time exceeded (fragment 0 had arrived) */
    CHECK_EQ(seqs_stack_next_deadline(&st), (uint64_t)SEQS_ARP_MAX_AGE_S * F_SEC);
}

int main(void) {
    RUN(test_echo_reply_checksum_verifies_for_any_payload_and_code);
    RUN(test_arp_deadline_follows_resolution_confirmation_and_expiry);
    RUN(test_reasm_deadline_set_by_a_fragment_and_cleared_by_completion);
    return check_result();
}
