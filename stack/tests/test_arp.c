/* SPDX-License-Identifier: BSD-3-Clause */
/* ARP (RFC 826, RFC 1122 2.3.2) and address conflict detection (RFC 5227):
 * conformance rows A1-A11 at the C level. */
#include "check.h"
#include "frames.h"
#include "internal.h"

static seqs_stack_t st;
static f_out_t o[32];
static uint8_t f[2048];
static const uint8_t zero6[6] = {0};
static const uint8_t MAC3[6] = {0x02, 0, 0, 0, 0, 0x33};
static const uint8_t MAC3b[6] = {0x02, 0, 0, 0, 0, 0x34};
#define IP3 SEQS_IP4(192, 0, 2, 3)
#define IP9 SEQS_IP4(192, 0, 2, 9)

static seqs_udp_t udp_sock(void) {
    static uint8_t ring[256];
    seqs_udp_t h;
    seqs_udp_open(&st, &h, ring, sizeof ring);
    seqs_udp_bind(&st, h, 0, 1000);
    return h;
}

static const struct seqs_arp_entry *entry(uint32_t ip) {
    for (unsigned i = 0; i < SEQS_ARP_CACHE_SIZE; i++)
        if (st.arp[i].state != SEQS__ARP_FREE && st.arp[i].ip == ip)
            return &st.arp[i];
    return NULL;
}

static void inject_arp(uint64_t t, uint16_t op, const uint8_t *sha, uint32_t spa, uint32_t tpa) {
    size_t n = f_arp(f, op == 1 ? F_BCAST : F_US, sha, op, sha, spa, op == 1 ? zero6 : F_US, tpa);
    seqs_stack_input(&st, f, n, t);
}

static void test_a3_request_from_unknown_sender_is_cached(void) {
    f_setup(&st, 1);
    inject_arp(10, 1, MAC3, IP3, F_ADDR);
    CHECK_EQ(f_drain(&st, 10, o, 32), 1);
    CHECK(f_is_arp(&o[0], 2));
    const struct seqs_arp_entry *e = entry(IP3);
    CHECK(e && memcmp(e->mac, MAC3, 6) == 0);
    seqs_udp_t h = udp_sock();
    CHECK_EQ(seqs_udp_sendto(&st, h, "x", 1, IP3, 9), 1);
    CHECK_EQ(f_drain(&st, 11, o, 32), 1);   /* no ARP needed: straight to the datagram */
    CHECK_EQ(rd16(o[0].f + 12), 0x0800);
    CHECK(memcmp(o[0].f, MAC3, 6) == 0);
}

static void test_a2_request_for_other_ip_no_reply_but_refreshes_known_sender(void) {
    f_setup(&st, 1);
    inject_arp(10, 1, MAC3, IP3, IP9);   /* unknown sender, not for us */
    CHECK_EQ(f_drain(&st, 10, o, 32), 0);
    CHECK(entry(IP3) == NULL);
    inject_arp(20, 1, F_PEER2, F_PEER_IP, IP9);   /* known sender 192.0.2.1 with a new MAC */
    CHECK_EQ(f_drain(&st, 20, o, 32), 0);
    const struct seqs_arp_entry *e = entry(F_PEER_IP);
    CHECK(e && memcmp(e->mac, F_PEER2, 6) == 0);   /* A7: changed MAC learned */
    CHECK(e && e->timer == 20 + SEQS_ARP_MAX_AGE_S * F_SEC);
}

static void test_a4_bad_hardware_protocol_sizes_or_truncated_ignored(void) {
    f_setup(&st, 1);
    const struct { int off; uint8_t val; } bad[] = {{15, 6}, {16, 0x86}, {18, 8}, {19, 16}};
    for (unsigned i = 0; i < 4; i++) {
        size_t n = f_arp(f, F_BCAST, MAC3, 1, MAC3, IP3, zero6, F_ADDR);
        f[bad[i].off] = bad[i].val;
        seqs_stack_input(&st, f, n, 10);
    }
    CHECK_EQ(st.cnt.arp_drop_unsupported, 4);
    size_t n = f_arp(f, F_BCAST, MAC3, 1, MAC3, IP3, zero6, F_ADDR);
    seqs_stack_input(&st, f, 14 + 27, 10);
    CHECK_EQ(st.cnt.arp_drop_malformed, 1);
    wr16(f + 20, 3);   /* RARP request op: not ours */
    seqs_stack_input(&st, f, n, 10);
    CHECK_EQ(st.cnt.arp_drop_unsupported, 5);
    CHECK_EQ(f_drain(&st, 10, o, 32), 0);
    CHECK(entry(IP3) == NULL);
}

static void test_broadcast_or_multicast_sender_not_cached_or_answered(void) {
    f_setup(&st, 1);
    const uint32_t bad[] = {0xFFFFFFFFu, SEQS_IP4(224, 0, 0, 1), SEQS_IP4(127, 0, 0, 1), SEQS_IP4(192, 0, 2, 255),
                            SEQS_IP4(192, 0, 2, 0)};
    for (unsigned i = 0; i < 5; i++) {
        inject_arp(10, 1, MAC3, bad[i], F_ADDR);
        CHECK(entry(bad[i]) == NULL);
    }
    CHECK_EQ(st.cnt.arp_drop_bad_sender, 5);
    CHECK_EQ(f_drain(&st, 10, o, 32), 0);
}

static void test_a5_unresolved_neighbour_queues_and_sends_after_reply(void) {
    f_setup(&st, 1);
    seqs_udp_t h = udp_sock();
    CHECK_EQ(seqs_udp_sendto(&st, h, "one", 3, IP3, 9), 3);
    CHECK_EQ(seqs_udp_sendto(&st, h, "two", 3, IP3, 9), 3);
    CHECK_EQ(f_drain(&st, 0, o, 32), 1);
    CHECK(f_is_arp(&o[0], 1));
    CHECK(memcmp(o[0].f, F_BCAST, 6) == 0);
    CHECK_EQ(rd32(o[0].f + 28), F_ADDR);
    CHECK_EQ(rd32(o[0].f + 38), IP3);
    inject_arp(500000, 2, MAC3, IP3, F_ADDR);
    CHECK_EQ(f_drain(&st, 500000, o, 32), 2);
    CHECK(memcmp(o[0].f, MAC3, 6) == 0 && memcmp(o[0].f + 42, "one", 3) == 0);
    CHECK(memcmp(o[1].f, MAC3, 6) == 0 && memcmp(o[1].f + 42, "two", 3) == 0);
}

static void test_a5_full_queue_keeps_latest_datagram_per_target(void) {
    f_setup(&st, 1);
    seqs_udp_t h = udp_sock();
    static uint8_t big[1400];
    for (int i = 0; i < 5; i++) {
        big[0] = (uint8_t)i;
        CHECK_EQ(seqs_udp_sendto(&st, h, big, sizeof big, IP3, 9), (int)sizeof big);
    }
    big[0] = 0x77;
    CHECK_EQ(seqs_udp_sendto(&st, h, big, 100, IP9, 9), 100);   /* another target still fits */
    CHECK(st.cnt.arp_queue_drop >= 3);
    inject_arp(1000, 2, MAC3, IP3, F_ADDR);
    int n = f_drain(&st, 1000, o, 32);
    int saw_latest = 0;
    for (int i = 0; i < n; i++)
        if (o[i].len > 42 + 1000 && o[i].f[42] == 4)
            saw_latest = 1;
    CHECK(saw_latest);
    inject_arp(1000, 2, MAC3b, IP9, F_ADDR);
    n = f_drain(&st, 1000, o, 32);
    CHECK_EQ(n, 1);
    CHECK(o[0].f[42] == 0x77);
}

static void test_a6_one_request_per_second_then_give_up_and_drop(void) {
    f_setup(&st, 1);
    seqs_udp_t h = udp_sock();
    CHECK_EQ(seqs_udp_sendto(&st, h, "q", 1, IP3, 9), 1);
    CHECK_EQ(f_drain(&st, 0, o, 32), 1);
    CHECK_EQ(seqs_stack_next_deadline(&st), F_SEC);
    CHECK_EQ(seqs_udp_sendto(&st, h, "r", 1, IP3, 9), 1);   /* no second request yet */
    CHECK_EQ(f_drain(&st, F_SEC / 2, o, 32), 0);
    CHECK_EQ(f_drain(&st, F_SEC, o, 32), 1);
    CHECK(f_is_arp(&o[0], 1));
    CHECK_EQ(f_drain(&st, 2 * F_SEC, o, 32), 1);
    CHECK_EQ(st.cnt.arp_tx_request, SEQS_ARP_MAX_TRIES);
    CHECK_EQ(f_drain(&st, 3 * F_SEC, o, 32), 0);
    CHECK_EQ(st.cnt.arp_resolve_fail, 1);
    CHECK_EQ(st.cnt.arp_queue_drop, 2);
    /* While the failure is held, sends fail fast instead of re-resolving. */
    CHECK_EQ(seqs_udp_sendto(&st, h, "s", 1, IP3, 9), SEQS_ERR_UNREACH);
    CHECK_EQ(f_drain(&st, 3 * F_SEC + 1, o, 32), 0);
    /* After the hold-down a new resolution may start. */
    CHECK_EQ(f_drain(&st, (3 + SEQS_ARP_FAIL_HOLD_S) * F_SEC, o, 32), 0);
    CHECK_EQ(seqs_udp_sendto(&st, h, "t", 1, IP3, 9), 1);
    CHECK_EQ(f_drain(&st, (3 + SEQS_ARP_FAIL_HOLD_S) * F_SEC, o, 32), 1);
}

static void test_a7_idle_entry_expires_used_entry_revalidated_by_unicast(void) {
    f_setup(&st, 1);   /* 192.0.2.1 learned at t=0 */
    inject_arp(0, 1, MAC3, IP3, F_ADDR);   /* 192.0.2.3 learned at t=0 */
    f_drain(&st, 0, o, 32);
    seqs_udp_t h = udp_sock();
    CHECK_EQ(seqs_udp_sendto(&st, h, "u", 1, IP3, 9), 1);
    f_drain(&st, 1, o, 32);
    uint64_t exp = SEQS_ARP_MAX_AGE_S * F_SEC;
    CHECK_EQ(seqs_stack_next_deadline(&st), exp);
    CHECK_EQ(f_drain(&st, exp, o, 32), 1);
    CHECK(entry(F_PEER_IP) == NULL);                     /* idle: gone */
    CHECK(f_is_arp(&o[0], 1) && memcmp(o[0].f, MAC3, 6) == 0);   /* in use: unicast revalidation */
    CHECK_EQ(rd32(o[0].f + 38), IP3);
    CHECK_EQ(seqs_udp_sendto(&st, h, "v", 1, IP3, 9), 1);   /* still usable meanwhile */
    CHECK_EQ(f_drain(&st, exp + 1, o, 32), 1);
    CHECK_EQ(rd16(o[0].f + 12), 0x0800);
    inject_arp(exp + 2, 2, MAC3b, IP3, F_ADDR);   /* answer with a changed MAC */
    const struct seqs_arp_entry *e = entry(IP3);
    CHECK(e && e->state == SEQS__ARP_REACHABLE && memcmp(e->mac, MAC3b, 6) == 0);
    /* Unanswered revalidation: entry removed after the tries. */
    uint64_t exp2 = exp + 2 + SEQS_ARP_MAX_AGE_S * F_SEC;
    CHECK_EQ(seqs_udp_sendto(&st, h, "w", 1, IP3, 9), 1);
    f_drain(&st, exp + 3, o, 32);
    for (uint64_t t = exp2; t <= exp2 + SEQS_ARP_MAX_TRIES * F_SEC; t += F_SEC)
        f_drain(&st, t, o, 32);
    CHECK(entry(IP3) == NULL);
}

static void test_a8_gratuitous_arp_updates_known_never_creates(void) {
    f_setup(&st, 1);
    inject_arp(5, 1, MAC3, IP3, IP3);   /* unknown announcer */
    CHECK(entry(IP3) == NULL);
    inject_arp(6, 1, F_PEER2, F_PEER_IP, F_PEER_IP);   /* known neighbour moved */
    const struct seqs_arp_entry *e = entry(F_PEER_IP);
    CHECK(e && memcmp(e->mac, F_PEER2, 6) == 0);
    inject_arp(7, 2, MAC3, F_PEER_IP, F_PEER_IP);   /* gratuitous reply form */
    CHECK(e && memcmp(e->mac, MAC3, 6) == 0);
    CHECK_EQ(f_drain(&st, 8, o, 32), 0);
}

static void test_a9_probe_for_our_address_answered_no_entry_for_zero(void) {
    f_setup(&st, 1);
    inject_arp(5, 1, MAC3, 0, F_ADDR);
    CHECK_EQ(f_drain(&st, 5, o, 32), 1);
    CHECK(f_is_arp(&o[0], 2));
    CHECK(memcmp(o[0].f, MAC3, 6) == 0);
    CHECK_EQ(rd32(o[0].f + 28), F_ADDR);
    CHECK(memcmp(o[0].f + 32, MAC3, 6) == 0);
    CHECK_EQ(rd32(o[0].f + 38), 0);
    CHECK(entry(0) == NULL);
    CHECK_EQ(seqs_stack_addr_state(&st), SEQS_ADDR_BOUND);
}

static void test_a10_probe_then_announce_timing(void) {
    seqs_config_t c;
    seqs_config_default(&c);
    memcpy(c.mac, F_US, 6);
    c.rng_seed = 7;
    seqs_stack_init(&st, &c);
    CHECK_EQ(seqs_stack_set_addr(&st, F_ADDR, 24, 0, SEQS_ADDR_PROBE), SEQS_OK);
    CHECK_EQ(seqs_stack_addr_state(&st), SEQS_ADDR_TENTATIVE);
    uint64_t t = seqs_stack_next_deadline(&st);
    CHECK(t <= F_SEC);
    CHECK_EQ(f_drain(&st, t ? t - 1 : 0, o, 32), t ? 0 : 1);
    uint64_t probe_t[3];
    seqs_udp_t h = udp_sock();
    for (int i = 0; i < 3; i++) {
        t = seqs_stack_next_deadline(&st);
        CHECK_EQ(f_drain(&st, t, o, 32), 1);
        probe_t[i] = t;
        CHECK(f_is_arp(&o[0], 1));
        CHECK(memcmp(o[0].f, F_BCAST, 6) == 0);
        CHECK_EQ(rd32(o[0].f + 28), 0);        /* spa 0.0.0.0 */
        CHECK(memcmp(o[0].f + 32, zero6, 6) == 0);
        CHECK_EQ(rd32(o[0].f + 38), F_ADDR);
        CHECK_EQ(seqs_udp_sendto(&st, h, "x", 1, F_PEER_IP, 9), SEQS_ERR_NOADDR);   /* tentative: unused */
    }
    CHECK(probe_t[1] - probe_t[0] >= F_SEC && probe_t[1] - probe_t[0] <= 2 * F_SEC);
    CHECK(probe_t[2] - probe_t[1] >= F_SEC && probe_t[2] - probe_t[1] <= 2 * F_SEC);
    t = seqs_stack_next_deadline(&st);
    CHECK_EQ(t, probe_t[2] + 2 * F_SEC);   /* ANNOUNCE_WAIT */
    CHECK_EQ(f_drain(&st, t, o, 32), 1);
    CHECK(f_is_arp(&o[0], 1));
    CHECK_EQ(rd32(o[0].f + 28), F_ADDR);
    CHECK_EQ(rd32(o[0].f + 38), F_ADDR);
    CHECK_EQ(seqs_stack_addr_state(&st), SEQS_ADDR_ANNOUNCING);
    CHECK_EQ(seqs_stack_next_deadline(&st), t + 2 * F_SEC);
    CHECK_EQ(f_drain(&st, t + 2 * F_SEC, o, 32), 1);
    CHECK_EQ(seqs_stack_addr_state(&st), SEQS_ADDR_BOUND);
    CHECK_EQ(st.cnt.arp_tx_probe, 3);
    CHECK_EQ(st.cnt.arp_tx_announce, 2);
    CHECK_EQ(seqs_stack_next_deadline(&st), SEQS_NEVER);
}

static void probing_stack(void) {
    seqs_config_t c;
    seqs_config_default(&c);
    memcpy(c.mac, F_US, 6);
    seqs_stack_init(&st, &c);
    seqs_stack_set_addr(&st, F_ADDR, 24, 0, SEQS_ADDR_PROBE);
    f_drain(&st, seqs_stack_next_deadline(&st), o, 32);   /* first probe out */
}

static void test_a11_conflict_while_probing(void) {
    probing_stack();
    inject_arp(2 * F_SEC, 2, MAC3, F_ADDR, F_ADDR);   /* someone answers for it */
    CHECK_EQ(seqs_stack_addr_state(&st), SEQS_ADDR_CONFLICT);
    CHECK_EQ(st.cnt.arp_conflict, 1);
    CHECK_EQ(f_drain(&st, 10 * F_SEC, o, 32), 0);   /* no more probes or announcements */
    CHECK_EQ(seqs_stack_next_deadline(&st), SEQS_NEVER);
    /* Another host probing for the same address is a conflict too. */
    probing_stack();
    inject_arp(2 * F_SEC, 1, MAC3, 0, F_ADDR);
    CHECK_EQ(seqs_stack_addr_state(&st), SEQS_ADDR_CONFLICT);
    CHECK_EQ(f_drain(&st, 2 * F_SEC, o, 32), 0);   /* and it is not answered */
    /* A probe for some other address is not. */
    probing_stack();
    inject_arp(2 * F_SEC, 1, MAC3, 0, IP3);
    CHECK_EQ(seqs_stack_addr_state(&st), SEQS_ADDR_TENTATIVE);
}

static void test_a11_defend_once_per_10s_then_give_up(void) {
    f_setup(&st, 1);
    inject_arp(F_SEC, 1, MAC3, F_ADDR, F_ADDR);   /* someone announces our address */
    CHECK_EQ(seqs_stack_addr_state(&st), SEQS_ADDR_BOUND);
    CHECK_EQ(f_drain(&st, F_SEC, o, 32), 1);   /* defence: an announcement */
    CHECK(f_is_arp(&o[0], 1) && rd32(o[0].f + 28) == F_ADDR && rd32(o[0].f + 38) == F_ADDR);
    inject_arp(12 * F_SEC, 1, MAC3, F_ADDR, F_ADDR);   /* > 10 s later: defend again */
    CHECK_EQ(f_drain(&st, 12 * F_SEC, o, 32), 1);
    CHECK_EQ(seqs_stack_addr_state(&st), SEQS_ADDR_BOUND);
    inject_arp(15 * F_SEC, 2, MAC3, F_ADDR, F_ADDR);   /* within 10 s: give up */
    CHECK_EQ(seqs_stack_addr_state(&st), SEQS_ADDR_CONFLICT);
    CHECK_EQ(f_drain(&st, 15 * F_SEC, o, 32), 0);
    CHECK_EQ(st.cnt.arp_conflict, 3);
    seqs_udp_t h = udp_sock();
    CHECK_EQ(seqs_udp_sendto(&st, h, "x", 1, F_PEER_IP, 9), SEQS_ERR_NOADDR);
    /* The address no longer receives. */
    size_t n = f_echo(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 1, "x", 1);
    seqs_stack_input(&st, f, n, 16 * F_SEC);
    CHECK_EQ(st.cnt.ip_drop_not_for_us, 1);
}

static void test_gratuitous_announce_on_static_address(void) {
    seqs_config_t c;
    seqs_config_default(&c);
    memcpy(c.mac, F_US, 6);
    seqs_stack_init(&st, &c);
    CHECK_EQ(seqs_stack_set_addr(&st, F_ADDR, 24, 0, 0), SEQS_OK);
    CHECK_EQ(seqs_stack_addr_state(&st), SEQS_ADDR_ANNOUNCING);
    CHECK_EQ(f_drain(&st, 0, o, 32), 1);
    CHECK(f_is_arp(&o[0], 1) && rd32(o[0].f + 28) == F_ADDR && rd32(o[0].f + 38) == F_ADDR);
    CHECK_EQ(f_drain(&st, 2 * F_SEC, o, 32), 1);
    CHECK_EQ(seqs_stack_addr_state(&st), SEQS_ADDR_BOUND);
}

static void test_full_cache_evicts_least_recently_used(void) {
    f_setup(&st, 1);   /* 192.0.2.1 learned at t=0 */
    seqs_udp_t h = udp_sock();
    uint8_t mac[6] = {0x02, 0, 0, 0, 1, 0};
    /* fill the rest of the cache with neighbours learned later */
    for (unsigned i = 1; i < SEQS_ARP_CACHE_SIZE; i++) {
        mac[5] = (uint8_t)i;
        inject_arp(10 + i, 1, mac, SEQS_IP4(192, 0, 2, 100 + i), F_ADDR);
    }
    f_drain(&st, 100, o, 32);
    /* 192.0.2.1 is the oldest learned but the most recently used */
    CHECK_EQ(seqs_udp_sendto(&st, h, "x", 1, F_PEER_IP, 9), 1);
    f_drain(&st, 200, o, 32);
    mac[5] = 0x77;
    inject_arp(300, 1, mac, SEQS_IP4(192, 0, 2, 200), F_ADDR);
    CHECK_EQ(st.cnt.arp_cache_full, 1);
    CHECK(entry(F_PEER_IP) != NULL);
    CHECK(entry(SEQS_IP4(192, 0, 2, 101)) == NULL);   /* least recently used went */
    CHECK(entry(SEQS_IP4(192, 0, 2, 200)) != NULL);
}

int main(void) {
    RUN(test_a3_request_from_unknown_sender_is_cached);
    RUN(test_a2_request_for_other_ip_no_reply_but_refreshes_known_sender);
    RUN(test_a4_bad_hardware_protocol_sizes_or_truncated_ignored);
    RUN(test_broadcast_or_multicast_sender_not_cached_or_answered);
    RUN(test_a5_unresolved_neighbour_queues_and_sends_after_reply);
    RUN(test_a5_full_queue_keeps_latest_datagram_per_target);
    RUN(test_a6_one_request_per_second_then_give_up_and_drop);
    RUN(test_a7_idle_entry_expires_used_entry_revalidated_by_unicast);
    RUN(test_a8_gratuitous_arp_updates_known_never_creates);
    RUN(test_a9_probe_for_our_address_answered_no_entry_for_zero);
    RUN(test_a10_probe_then_announce_timing);
    RUN(test_a11_conflict_while_probing);
    RUN(test_a11_defend_once_per_10s_then_give_up);
    RUN(test_gratuitous_announce_on_static_address);
    RUN(test_full_cache_evicts_least_recently_used);
    return check_result();
}
