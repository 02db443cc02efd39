/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 reassembly (I11-I13) and fragmented echoes (C2). */
#include "check.h"
#include "frames.h"
#include "internal.h"

static seqs_stack_t st;
static f_out_t o[16];
static uint8_t f[2048];
static uint8_t ring[16384];
static uint8_t dg[9000];   /* a whole transport datagram, cut into fragments below */

/* One fragment of dg: bytes [off, off+len) with MF as given. */
static void frag(uint64_t t, uint8_t proto, uint16_t id, size_t off, size_t len, int mf) {
    memcpy(f + 34, dg + off, len);
    f_ip(f, F_US, F_PEER, F_PEER_IP, F_ADDR, proto, len, id, (uint16_t)((off / 8) | (mf ? 0x2000u : 0u)), 64);
    seqs_stack_input(&st, f, 34 + len, t);
}

/* A UDP datagram of n payload bytes to port 9 in dg; returns its length. */
static size_t make_udp(size_t n, uint8_t seed) {
    wr16(dg, 4444); wr16(dg + 2, 9); wr16(dg + 4, 8 + n); wr16(dg + 6, 0);
    for (size_t i = 0; i < n; i++)
        dg[8 + i] = (uint8_t)(seed + i * 13);
    wr16(dg + 6, ref_csum(dg, 8 + n, ref_pseudo(F_PEER_IP, F_ADDR, 17, 8 + n)));
    return 8 + n;
}

static seqs_udp_t sock(void) {
    seqs_udp_t h;
    seqs_udp_open(&st, &h, ring, sizeof ring);
    seqs_udp_bind(&st, h, 0, 9);
    return h;
}

static int got_exact(seqs_udp_t h, size_t n) {
    static uint8_t buf[9000];
    int r = seqs_udp_recvfrom(&st, h, buf, sizeof buf, NULL);
    return r == (int)n && memcmp(buf, dg + 8, n) == 0;
}

static void test_i11_in_order_reversed_and_duplicates_deliver_once(void) {
    f_setup(&st, 1);
    seqs_udp_t h = sock();
    size_t n = make_udp(2000, 1);   /* 2008 bytes: 0..1000, 1000..2000 (wait: 8-aligned), rest */
    frag(1, 17, 100, 0, 1000, 1);
    frag(1, 17, 100, 1000, 1000, 1);
    frag(1, 17, 100, 2000, n - 2000, 0);
    CHECK(got_exact(h, 2000));
    n = make_udp(2000, 2);
    frag(2, 17, 101, 2000, n - 2000, 0);
    frag(2, 17, 101, 1000, 1000, 1);
    CHECK_EQ(seqs_udp_pending(&st, h), 0);
    frag(2, 17, 101, 0, 1000, 1);
    CHECK(got_exact(h, 2000));
    n = make_udp(2000, 3);
    frag(3, 17, 102, 0, 1000, 1);
    frag(3, 17, 102, 0, 1000, 1);          /* duplicate */
    frag(3, 17, 102, 496, 1000, 1);        /* overlapping, same bytes */
    frag(3, 17, 102, 2000, n - 2000, 0);
    frag(3, 17, 102, 1000, 1000, 1);
    CHECK(got_exact(h, 2000));
    frag(3, 17, 102, 1000, 1000, 1);       /* late duplicate after completion: a new, incomplete reassembly */
    CHECK_EQ(seqs_udp_pending(&st, h), 0);
    CHECK_EQ(st.cnt.ip_reasm_ok, 3);
    CHECK_EQ(st.cnt.udp_rx, 3);
}

static void test_i12_overlap_with_different_data_drops_whole_datagram(void) {
    f_setup(&st, 1);
    seqs_udp_t h = sock();
    size_t n = make_udp(2000, 1);
    frag(1, 17, 7, 0, 1000, 1);
    dg[600] ^= 0xFF;
    frag(1, 17, 7, 496, 1000, 1);   /* rewrites byte 600 differently */
    dg[600] ^= 0xFF;
    CHECK_EQ(st.cnt.ip_reasm_drop, 1);
    frag(1, 17, 7, 1000, 1000, 1);
    frag(1, 17, 7, 2000, n - 2000, 0);
    CHECK_EQ(seqs_udp_pending(&st, h), 0);
    CHECK_EQ(st.cnt.ip_reasm_drop, 3);   /* the rest of it is absorbed and counted */
    CHECK_EQ(f_drain(&st, 2, o, 16), 0);
    /* the poisoned slot frees at the timeout, silently (no Time Exceeded) */
    CHECK_EQ(f_drain(&st, 1 + SEQS_REASM_TIMEOUT_S * F_SEC, o, 16), 0);
    CHECK_EQ(st.cnt.ip_reasm_timeout, 0);
    CHECK_EQ(seqs_stack_next_deadline(&st) > 1 + SEQS_REASM_TIMEOUT_S * F_SEC, 1);
}

static void test_i12_conflicting_last_fragments_and_data_beyond_end(void) {
    f_setup(&st, 1);
    seqs_udp_t h = sock();
    make_udp(2000, 1);
    frag(1, 17, 8, 1000, 1000, 0);   /* says the datagram ends at 2000 */
    frag(1, 17, 8, 1000, 1008, 0);   /* now 2008 */
    CHECK_EQ(st.cnt.ip_reasm_drop, 1);
    make_udp(2000, 1);
    frag(1, 17, 9, 1000, 1008, 1);
    frag(1, 17, 9, 504, 8, 0);       /* last fragment ending before data we already have */
    CHECK_EQ(st.cnt.ip_reasm_drop, 2);
    make_udp(2000, 1);
    frag(1, 17, 10, 0, 1001, 1);     /* non-last fragment not a multiple of 8 */
    CHECK_EQ(st.cnt.ip_reasm_drop, 3);
    CHECK_EQ(seqs_udp_pending(&st, h), 0);
}

static void test_i12_tiny_first_fragment_and_tcp_offset_8(void) {
    f_setup(&st, 1);
    memset(dg, 0x11, 64);
    frag(1, 6, 20, 0, 16, 1);        /* TCP first fragment without the full header */
    CHECK_EQ(st.cnt.ip_reasm_drop, 1);
    frag(1, 6, 21, 8, 16, 0);        /* TCP fragment at offset 8 (RFC 1858 3.2) */
    CHECK_EQ(st.cnt.ip_reasm_drop, 2);
    frag(1, 6, 20, 16, 16, 0);       /* rest of the dropped one: absorbed */
    CHECK_EQ(st.cnt.ip_reasm_drop, 3);
    CHECK_EQ(st.cnt.ip_reasm_ok, 0);
}

static void test_i12_ping_of_death_dropped(void) {
    f_setup(&st, 1);
    memset(dg, 0x22, 2000);
    /* offset 65528 (0x1FFF * 8) with 1000 bytes: beyond 65535 */
    memcpy(f + 34, dg, 1000);
    f_ip(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 1000, 30, 0x1FFF, 64);
    seqs_stack_input(&st, f, 34 + 1000, 1);
    CHECK_EQ(st.cnt.ip_reasm_drop, 1);
    frag(1, 1, 30, 0, 1000, 1);
    CHECK_EQ(st.cnt.ip_reasm_drop, 2);
    /* within 65535 but beyond SEQS_REASM_MAX_BYTES: no memory for it */
    memcpy(f + 34, dg, 1000);
    f_ip(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 1000, 31, (SEQS_REASM_MAX_BYTES / 8), 64);
    seqs_stack_input(&st, f, 34 + 1000, 1);
    CHECK_EQ(st.cnt.ip_reasm_nomem, 1);
    CHECK_EQ(f_drain(&st, 1, o, 16), 0);
}

static void test_i13_timeout_sends_time_exceeded_only_with_fragment_zero(void) {
    f_setup(&st, 1);
    size_t n = make_udp(2000, 5);
    frag(1000, 17, 40, 0, 1000, 1);
    frag(1000, 17, 41, 1000, 1000, 1);   /* no fragment 0 */
    (void)n;
    uint64_t t = 1000 + SEQS_REASM_TIMEOUT_S * F_SEC;
    CHECK_EQ(seqs_stack_next_deadline(&st), t);
    CHECK_EQ(f_drain(&st, t - 1, o, 16), 0);
    CHECK_EQ(f_drain(&st, t, o, 16), 1);
    CHECK_EQ(st.cnt.ip_reasm_timeout, 2);
    const uint8_t *ip = o[0].f + 14, *m = o[0].f + 34;
    CHECK_EQ(ip[9], 1);
    CHECK_EQ(rd32(ip + 16), F_PEER_IP);
    CHECK_EQ(m[0], 11);
    CHECK_EQ(m[1], 1);
    size_t mlen = rd16(ip + 2) - 20u;
    CHECK_EQ(ref_csum(m, mlen, 0), 0);
    CHECK_EQ(rd16(m + 8 + 4), 40);                 /* quotes fragment 0's header (id 40) */
    CHECK(memcmp(m + 8 + 20, dg, 8) == 0);         /* and its first 8+ bytes */
    CHECK(rd16(ip + 2) <= 576);
    CHECK_EQ(seqs__reasm_deadline(&st), SEQS_NEVER);
}

static int slots_in_use(void) {
    int k = 0;
    for (unsigned i = 0; i < SEQS_REASM_SLOTS; i++)
        k += st.reasm[i].state != 0;
    return k;
}

static void test_i13_concurrent_reassemblies_bounded_oldest_evicted(void) {
    f_setup(&st, 1);
    seqs_udp_t h = sock();
    make_udp(2000, 1);
    /* incomplete datagrams that lost a fragment: they fill every slot */
    for (uint16_t id = 0; id < SEQS_REASM_SLOTS + 2; id++)
        frag(1 + id, 17, (uint16_t)(50 + id), 0, 1000, 1);
    CHECK_EQ(slots_in_use(), SEQS_REASM_SLOTS);
    CHECK_EQ(st.cnt.ip_reasm_evicted, 2);   /* the two oldest made room */
    /* a new datagram still gets through while the slots are busy */
    size_t n = make_udp(100, 9);
    frag(10, 17, 60, 0, 64, 1);
    frag(10, 17, 60, 64, n - 64, 0);
    CHECK(got_exact(h, 100));
    CHECK_EQ(st.cnt.ip_reasm_evicted, 3);
    /* the evicted ones draw no Time Exceeded; the survivor times out with one */
    int k = f_drain(&st, 1 + SEQS_REASM_TIMEOUT_S * F_SEC + 10, o, 16);
    CHECK_EQ(st.cnt.ip_reasm_timeout, SEQS_REASM_SLOTS - 1);
    CHECK_EQ(k, SEQS_REASM_SLOTS - 1);
    CHECK_EQ(slots_in_use(), 0);
}

static void test_i12_poisoned_slot_is_evicted_first(void) {
    f_setup(&st, 1);
    size_t n = make_udp(2000, 1);
    frag(1, 17, 70, 0, 1000, 1);        /* collecting, oldest */
    frag(2, 17, 71, 0, 1001, 1);        /* malformed: poisoned */
    frag(3, 17, 72, 0, 1000, 1);        /* evicts the poisoned one, not 70 */
    CHECK_EQ(st.cnt.ip_reasm_evicted, 0);
    seqs_udp_t h = sock();
    frag(4, 17, 70, 1000, 1000, 1);
    frag(4, 17, 70, 2000, n - 2000, 0);
    CHECK(got_exact(h, 2000));
}

static void test_c2_4000_byte_echo_reassembled_and_replied_fragmented(void) {
    f_setup(&st, 1);
    size_t n = 8 + 4000;
    dg[0] = 8; dg[1] = 0; wr16(dg + 2, 0); wr16(dg + 4, 0x77); wr16(dg + 6, 3);
    for (size_t i = 8; i < n; i++)
        dg[i] = (uint8_t)(i ^ (i >> 8));
    wr16(dg + 2, ref_csum(dg, n, 0));
    frag(1, 1, 300, 0, 1480, 1);
    frag(1, 1, 300, 2960, n - 2960, 0);
    frag(1, 1, 300, 1480, 1480, 1);
    int k = f_drain(&st, 1, o, 16);
    CHECK_EQ(k, 3);
    static uint8_t re[4100];
    size_t total = 0;
    for (int i = 0; i < k; i++) {
        const uint8_t *ip = o[i].f + 14;
        CHECK_EQ(ref_csum(ip, 20, 0), 0);
        CHECK_EQ(rd32(ip + 12), F_ADDR);
        CHECK_EQ((rd16(ip + 6) & 0x1FFF) * 8u, total);
        size_t pl = rd16(ip + 2) - 20u;
        memcpy(re + total, ip + 20, pl);
        total += pl;
    }
    CHECK_EQ(total, n);
    CHECK_EQ(re[0], 0);
    CHECK_EQ(rd16(re + 4), 0x77);
    CHECK_EQ(rd16(re + 6), 3);
    CHECK(memcmp(re + 8, dg + 8, 4000) == 0);
    CHECK_EQ(ref_csum(re, n, 0), 0);
}

static void test_c2_1472_byte_echo_in_one_frame(void) {
    f_setup(&st, 1);
    static uint8_t data[1472];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)i;
    size_t n = f_echo(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 5, 6, data, sizeof data);
    CHECK_EQ(n, 1514);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(f_drain(&st, 1, o, 16), 1);
    CHECK_EQ(o[0].len, 1514);
    CHECK(memcmp(o[0].f + 42, data, sizeof data) == 0);
    CHECK_EQ(ref_csum(o[0].f + 34, 1480, 0), 0);
}

int main(void) {
    RUN(test_i11_in_order_reversed_and_duplicates_deliver_once);
    RUN(test_i12_overlap_with_different_data_drops_whole_datagram);
    RUN(test_i12_conflicting_last_fragments_and_data_beyond_end);
    RUN(test_i12_tiny_first_fragment_and_tcp_offset_8);
    RUN(test_i12_ping_of_death_dropped);
    RUN(test_i13_timeout_sends_time_exceeded_only_with_fragment_zero);
    RUN(test_i13_concurrent_reassemblies_bounded_oldest_evicted);
    RUN(test_i12_poisoned_slot_is_evicted_first);
    RUN(test_c2_4000_byte_echo_reassembled_and_replied_fragmented);
    RUN(test_c2_1472_byte_echo_in_one_frame);
    return check_result();
}
