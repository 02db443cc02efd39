/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet and IPv4 input rules (E1-E2, I1-I10) and what we send (I8, I14, I15). */
#include "check.h"
#include "frames.h"
#include "internal.h"

static seqs_stack_t st;
static f_out_t o[16];
static uint8_t f[4096];
static uint8_t ring[4096];

static seqs_udp_t udp_on(uint16_t port) {
    seqs_udp_t h;
    seqs_udp_open(&st, &h, ring, sizeof ring);
    seqs_udp_bind(&st, h, 0, port);
    return h;
}

static void refix_ip(uint8_t *frame) {
    uint8_t *ip = frame + 14;
    size_t ihl = (size_t)(ip[0] & 15) * 4;
    wr16(ip + 10, 0);
    wr16(ip + 10, ref_csum(ip, ihl, 0));
}

static void test_e1_foreign_unicast_runt_unknown_type_vlan_dropped(void) {
    f_setup(&st, 1);
    const uint8_t other[6] = {0x02, 9, 9, 9, 9, 9};
    size_t n = f_echo(f, other, F_PEER, F_PEER_IP, F_ADDR, 1, 1, "x", 1);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(st.cnt.eth_drop_not_for_us, 1);
    seqs_stack_input(&st, f, 13, 1);
    CHECK_EQ(st.cnt.eth_drop_runt, 1);
    n = f_echo(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 1, "x", 1);
    wr16(f + 12, 0x86DD);
    seqs_stack_input(&st, f, n, 1);
    wr16(f + 12, 0x0040);   /* 802.3 length */
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(st.cnt.eth_drop_ethertype, 2);
    wr16(f + 12, 0x8100);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(st.cnt.eth_drop_vlan, 1);
    const uint8_t mc_unjoined[6] = {0x01, 0x00, 0x5E, 0x01, 0x02, 0x03};
    n = f_udp(f, mc_unjoined, F_PEER, F_PEER_IP, SEQS_IP4(239, 1, 2, 3), 1, 9, "m", 1);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(st.cnt.eth_drop_not_for_us, 2);
    n = f_echo(f, F_US, F_US, F_PEER_IP, F_ADDR, 1, 1, "x", 1);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(st.cnt.eth_drop_own_src, 1);
    CHECK_EQ(f_drain(&st, 1, o, 16), 0);
    CHECK_EQ(st.cnt.eth_rx, 8);
}

static void test_multicast_groups_joined_all_hosts_and_all_multicast(void) {
    f_setup(&st, 1);
    seqs_udp_t h = udp_on(5353);
    const uint8_t mc[6] = {0x01, 0x00, 0x5E, 0x01, 0x02, 0x03};
    const uint8_t allhosts[6] = {0x01, 0x00, 0x5E, 0x00, 0x00, 0x01};
    CHECK_EQ(seqs_stack_join_group(&st, SEQS_IP4(239, 1, 2, 3)), SEQS_OK);
    size_t n = f_udp(f, mc, F_PEER, F_PEER_IP, SEQS_IP4(239, 1, 2, 3), 1, 5353, "m", 1);
    seqs_stack_input(&st, f, n, 1);
    n = f_udp(f, allhosts, F_PEER, F_PEER_IP, SEQS_IP4(224, 0, 0, 1), 1, 5353, "a", 1);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(seqs_udp_pending(&st, h), 2);
    CHECK_EQ(seqs_stack_leave_group(&st, SEQS_IP4(239, 1, 2, 3)), SEQS_OK);
    n = f_udp(f, mc, F_PEER, F_PEER_IP, SEQS_IP4(239, 1, 2, 3), 1, 5353, "m", 1);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(st.cnt.eth_drop_not_for_us, 1);
    /* the MAC matches a joined group's but the IP group differs (23-bit aliasing) */
    CHECK_EQ(seqs_stack_join_group(&st, SEQS_IP4(239, 1, 2, 3)), SEQS_OK);
    n = f_udp(f, mc, F_PEER, F_PEER_IP, SEQS_IP4(239, 129, 2, 3), 1, 5353, "m", 1);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(st.cnt.ip_drop_not_for_us, 1);
    for (int i = 0; i < SEQS_MAX_MCAST_GROUPS - 1; i++)
        CHECK_EQ(seqs_stack_join_group(&st, SEQS_IP4(239, 9, 9, (uint32_t)i)), SEQS_OK);
    CHECK_EQ(seqs_stack_join_group(&st, SEQS_IP4(239, 9, 9, 200)), SEQS_ERR_NOSLOT);
    CHECK_EQ(seqs_stack_join_group(&st, F_ADDR), SEQS_ERR_INVAL);
    /* SEQS_CFG_ALL_MULTICAST accepts every group */
    st.flags |= SEQS_CFG_ALL_MULTICAST;
    const uint8_t mc2[6] = {0x01, 0x00, 0x5E, 0x7F, 0x00, 0x05};
    n = f_udp(f, mc2, F_PEER, F_PEER_IP, SEQS_IP4(239, 255, 0, 5), 1, 5353, "z", 1);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(seqs_udp_pending(&st, h), 3);
    CHECK_EQ(f_drain(&st, 1, o, 16), 0);   /* no ICMP for multicast */
}

static void test_e2_padding_ignored_total_length_counts(void) {
    f_setup(&st, 1);
    size_t n = f_echo(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 9, 9, "abcd", 4);
    CHECK_EQ(n, 46);
    memset(f + n, 0xAB, 60 - n);   /* Ethernet padding */
    seqs_stack_input(&st, f, 60, 1);
    CHECK_EQ(f_drain(&st, 1, o, 16), 1);
    CHECK_EQ(o[0].len, 46);
    CHECK_EQ(rd16(o[0].f + 16), 32);
    CHECK(memcmp(o[0].f + 42, "abcd", 4) == 0);
    /* UDP in a padded frame: the padding is not payload */
    seqs_udp_t h = udp_on(9);
    n = f_udp(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 9, "xy", 2);
    memset(f + n, 0, 60 - n);
    seqs_stack_input(&st, f, 60, 2);
    char buf[64];
    CHECK_EQ(seqs_udp_recvfrom(&st, h, buf, sizeof buf, NULL), 2);
}

static void test_i1_i2_i3_header_checks(void) {
    f_setup(&st, 1);
    size_t n = f_echo(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 1, "x", 1);
    f[14] = 0x65; refix_ip(f);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(st.cnt.ip_drop_version, 1);
    n = f_echo(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 1, "x", 1);
    f[24] ^= 0xFF;
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(st.cnt.ip_drop_checksum, 1);
    n = f_echo(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 1, "x", 1);
    f[14] = 0x44; refix_ip(f);
    seqs_stack_input(&st, f, n, 1);
    n = f_echo(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 1, "x", 1);
    f[14] = 0x4F; wr16(f + 16, 40); refix_ip(f);   /* 60-byte header in a 40-byte datagram */
    seqs_stack_input(&st, f, 14 + 60, 1);
    CHECK_EQ(st.cnt.ip_drop_header, 2);
    n = f_echo(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, 1, "x", 1);
    seqs_stack_input(&st, f, n - 1, 1);   /* Total Length > bytes received */
    seqs_stack_input(&st, f, 14 + 19, 1);
    CHECK_EQ(st.cnt.ip_drop_truncated, 2);
    CHECK_EQ(f_drain(&st, 1, o, 16), 0);
}

static void test_i4_not_our_destination_dropped(void) {
    f_setup(&st, 1);
    size_t n = f_echo(f, F_US, F_PEER, F_PEER_IP, SEQS_IP4(192, 0, 2, 99), 1, 1, "x", 1);
    seqs_stack_input(&st, f, n, 1);
    n = f_echo(f, F_US, F_PEER, F_PEER_IP, SEQS_IP4(198, 51, 100, 1), 1, 1, "x", 1);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(st.cnt.ip_drop_not_for_us, 2);
    CHECK_EQ(f_drain(&st, 1, o, 16), 0);
}

static void test_i5_bad_sources_dropped_except_zero_for_dhcp(void) {
    f_setup(&st, 1);
    const uint32_t bad[] = {0xFFFFFFFFu, SEQS_IP4(224, 0, 0, 5), SEQS_IP4(127, 0, 0, 1), 0, SEQS_IP4(192, 0, 2, 255),
                            F_ADDR, SEQS_IP4(192, 0, 2, 0)};
    for (unsigned i = 0; i < 7; i++) {
        size_t n = f_echo(f, F_US, F_PEER, bad[i], F_ADDR, 1, 1, "x", 1);
        seqs_stack_input(&st, f, n, 1);
    }
    CHECK_EQ(st.cnt.ip_drop_bad_src, 7);
    seqs_udp_t h = udp_on(68);
    size_t n = f_udp(f, F_BCAST, F_PEER, 0, 0xFFFFFFFFu, 67, 68, "dhcp", 4);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(seqs_udp_pending(&st, h), 1);
    n = f_udp(f, F_US, F_PEER, 0, F_ADDR, 67, 9999, "x", 1);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(st.cnt.udp_drop_bad_src, 1);
    CHECK_EQ(f_drain(&st, 1, o, 16), 0);
}

static void test_i6_limited_and_subnet_broadcast_udp_accepted(void) {
    f_setup(&st, 1);
    seqs_udp_t h = udp_on(9);
    size_t n = f_udp(f, F_BCAST, F_PEER, F_PEER_IP, 0xFFFFFFFFu, 1, 9, "a", 1);
    seqs_stack_input(&st, f, n, 1);
    n = f_udp(f, F_BCAST, F_PEER, F_PEER_IP, SEQS_IP4(192, 0, 2, 255), 1, 9, "b", 1);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(seqs_udp_pending(&st, h), 2);
    seqs_udp_meta_t m;
    char c;
    seqs_udp_recvfrom(&st, h, &c, 1, &m);
    CHECK_EQ(m.local_addr, 0xFFFFFFFFu);
    seqs_udp_recvfrom(&st, h, &c, 1, &m);
    CHECK_EQ(m.local_addr, SEQS_IP4(192, 0, 2, 255));
    /* a broadcast to a closed port draws no ICMP error */
    n = f_udp(f, F_BCAST, F_PEER, F_PEER_IP, 0xFFFFFFFFu, 1, 10, "c", 1);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(f_drain(&st, 1, o, 16), 0);
    CHECK_EQ(st.cnt.icmp_err_suppressed, 1);
}

static void test_i7_unicast_ip_in_link_broadcast_dropped(void) {
    f_setup(&st, 1);
    size_t n = f_echo(f, F_BCAST, F_PEER, F_PEER_IP, F_ADDR, 1, 1, "x", 1);
    seqs_stack_input(&st, f, n, 1);
    CHECK_EQ(st.cnt.ip_drop_link_bcast, 1);
    CHECK_EQ(f_drain(&st, 1, o, 16), 0);
}

static void test_i8_ttl_0_and_1_delivered_and_we_send_64(void) {
    f_setup(&st, 1);
    for (uint8_t ttl = 0; ttl < 2; ttl++) {
        size_t n = f_echo(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1, ttl, "x", 1);
        f[22] = ttl; refix_ip(f);
        seqs_stack_input(&st, f, n, 1);
        CHECK_EQ(f_drain(&st, 1, o, 16), 1);
        CHECK_EQ(o[0].f[22], 64);
    }
    seqs_config_t c;
    seqs_config_default(&c);
    memcpy(c.mac, F_US, 6);
    c.ttl = 0;
    seqs_stack_init(&st, &c);
    CHECK_EQ(st.ttl, 64);
}

static void test_i9_i10_options(void) {
    f_setup(&st, 1);
    /* echo with an unknown 4-byte option: answered */
    uint8_t *ip = f + 14;
    f_eth(f, F_US, F_PEER, 0x0800);
    memset(ip, 0, 24);
    ip[0] = 0x46; wr16(ip + 2, 24 + 9); ip[8] = 64; ip[9] = 1;
    wr32(ip + 12, F_PEER_IP); wr32(ip + 16, F_ADDR);
    ip[20] = 0x9E; ip[21] = 4; ip[22] = 1; ip[23] = 2;
    uint8_t *m = ip + 24;
    m[0] = 8; m[1] = 0; wr16(m + 2, 0); wr16(m + 4, 1); wr16(m + 6, 2); m[8] = 'z';
    wr16(m + 2, ref_csum(m, 9, 0));
    refix_ip(f);
    seqs_stack_input(&st, f, 14 + 33, 1);
    CHECK_EQ(f_drain(&st, 1, o, 16), 1);
    CHECK_EQ(o[0].f[14], 0x45);   /* we do not echo options back */
    CHECK_EQ(o[0].f[42], 'z');
    ip[21] = 0; refix_ip(f);
    seqs_stack_input(&st, f, 14 + 33, 1);
    ip[21] = 1; refix_ip(f);
    seqs_stack_input(&st, f, 14 + 33, 1);
    ip[21] = 5; refix_ip(f);
    seqs_stack_input(&st, f, 14 + 33, 1);
    CHECK_EQ(st.cnt.ip_drop_options, 3);
    ip[20] = 131; ip[21] = 3; ip[23] = 1; refix_ip(f);   /* LSRR, then NOP */
    seqs_stack_input(&st, f, 14 + 33, 1);
    ip[20] = 137; refix_ip(f);
    seqs_stack_input(&st, f, 14 + 33, 1);
    CHECK_EQ(st.cnt.ip_drop_srcroute, 2);
    CHECK_EQ(f_drain(&st, 1, o, 16), 0);
}

static void test_i14_fragmentation_of_large_send_and_df(void) {
    f_setup(&st, 1);
    seqs_udp_t h = udp_on(9);
    static uint8_t data[3000];
    for (unsigned i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7);
    CHECK_EQ(seqs_udp_sendto(&st, h, data, sizeof data, F_PEER_IP, 7), 3000);
    CHECK_EQ(seqs_udp_sendto(&st, h, "y", 1, F_PEER_IP, 7), 1);
    int n = f_drain(&st, 1, o, 16);
    CHECK_EQ(n, 4);
    static uint8_t re[3008];
    size_t total = 0;
    uint16_t id = rd16(o[0].f + 18);
    for (int i = 0; i < 3; i++) {
        const uint8_t *ip = o[i].f + 14;
        CHECK(o[i].len <= 1514);
        CHECK_EQ(ip[0], 0x45);
        CHECK_EQ(ref_csum(ip, 20, 0), 0);                 /* I15 */
        CHECK_EQ(rd16(ip + 2) + 14, o[i].len);            /* I15 */
        CHECK_EQ(rd16(ip + 4), id);
        uint16_t fr = rd16(ip + 6);
        CHECK_EQ((fr & 0x1FFF) * 8, total);
        CHECK_EQ((fr & 0x2000) != 0, i < 2);
        CHECK_EQ(fr & 0x4000, 0);
        size_t plen = rd16(ip + 2) - 20u;
        CHECK(i == 2 || plen % 8 == 0);
        memcpy(re + total, ip + 20, plen);
        total += plen;
    }
    CHECK_EQ(total, 3008);
    CHECK_EQ(rd16(re + 4), 3008);
    CHECK_EQ(ref_csum(re, 3008, ref_pseudo(F_ADDR, F_PEER_IP, 17, 3008)), 0);
    CHECK(memcmp(re + 8, data, sizeof data) == 0);
    CHECK(rd16(o[3].f + 18) != id);   /* a new datagram, a new ID */
    CHECK_EQ(st.cnt.ip_frag_tx, 3);
    /* DF: too big -> MSGSIZE, nothing queued; small -> DF set */
    CHECK_EQ(seqs__ip_send(&st, 0, F_PEER_IP, 17, data, 2000, 1), SEQS_ERR_MSGSIZE);
    CHECK_EQ(seqs__ip_send(&st, 0, F_PEER_IP, 253, data, 100, 1), SEQS_OK);
    CHECK_EQ(f_drain(&st, 2, o, 16), 1);
    CHECK_EQ(rd16(o[0].f + 20), 0x4000);
    CHECK_EQ(seqs_udp_sendto(&st, h, data, 65508, F_PEER_IP, 7), SEQS_ERR_MSGSIZE);
}

static void test_route_via_gateway_and_unreachable_without_one(void) {
    f_setup(&st, 1);
    seqs_udp_t h = udp_on(9);
    CHECK_EQ(seqs_udp_sendto(&st, h, "g", 1, SEQS_IP4(203, 0, 113, 5), 53), 1);
    CHECK_EQ(f_drain(&st, 1, o, 16), 1);
    CHECK_EQ(rd16(o[0].f + 12), 0x0806);
    CHECK_EQ(rd32(o[0].f + 38), SEQS_IP4(192, 0, 2, 254));   /* ARP for the gateway */
    const uint8_t gw[6] = {0x02, 0, 0, 0, 0, 0xFE}, zero6[6] = {0};
    size_t n = f_arp(f, F_US, gw, 2, gw, SEQS_IP4(192, 0, 2, 254), F_US, F_ADDR);
    (void)zero6;
    seqs_stack_input(&st, f, n, 2);
    CHECK_EQ(f_drain(&st, 2, o, 16), 1);
    CHECK(memcmp(o[0].f, gw, 6) == 0);
    CHECK_EQ(rd32(o[0].f + 30), SEQS_IP4(203, 0, 113, 5));
    seqs_stack_set_addr(&st, F_ADDR, 24, 0, 0);
    f_drain(&st, 3, o, 16);
    CHECK_EQ(seqs_udp_sendto(&st, h, "g", 1, SEQS_IP4(203, 0, 113, 5), 53), SEQS_ERR_UNREACH);
    /* limited broadcast goes out to ff:ff.. without ARP; subnet broadcast too */
    CHECK_EQ(seqs_udp_sendto(&st, h, "b", 1, 0xFFFFFFFFu, 53), 1);
    CHECK_EQ(seqs_udp_sendto(&st, h, "b", 1, SEQS_IP4(192, 0, 2, 255), 53), 1);
    CHECK_EQ(f_drain(&st, 4, o, 16), 2);
    CHECK(memcmp(o[0].f, F_BCAST, 6) == 0 && memcmp(o[1].f, F_BCAST, 6) == 0);
    CHECK_EQ(seqs_udp_sendto(&st, h, "m", 1, SEQS_IP4(239, 129, 2, 3), 53), 1);
    CHECK_EQ(f_drain(&st, 4, o, 16), 1);
    const uint8_t mc[6] = {0x01, 0x00, 0x5E, 0x01, 0x02, 0x03};
    CHECK(memcmp(o[0].f, mc, 6) == 0);
}

static void test_config_and_address_validation(void) {
    seqs_config_t c;
    seqs_config_default(&c);
    CHECK_EQ(seqs_stack_init(&st, &c), SEQS_ERR_INVAL);   /* zero MAC */
    c.mac[0] = 0x01;
    CHECK_EQ(seqs_stack_init(&st, &c), SEQS_ERR_INVAL);   /* multicast MAC */
    memcpy(c.mac, F_US, 6);
    CHECK_EQ(seqs_stack_init(NULL, &c), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_stack_init(&st, NULL), SEQS_ERR_INVAL);
    c.mtu = 575;
    CHECK_EQ(seqs_stack_init(&st, &c), SEQS_ERR_INVAL);
    c.mtu = SEQS_MAX_MTU + 1;
    CHECK_EQ(seqs_stack_init(&st, &c), SEQS_ERR_LIMIT);
    c.mtu = 0;
    c.max_udp_sockets = SEQS_MAX_UDP_SOCKETS + 1;
    CHECK_EQ(seqs_stack_init(&st, &c), SEQS_ERR_LIMIT);
    c.max_udp_sockets = 1;
    c.max_tcp_conns = SEQS_MAX_TCP_CONNS + 1;
    CHECK_EQ(seqs_stack_init(&st, &c), SEQS_ERR_LIMIT);
    c.max_tcp_conns = 1;
    CHECK_EQ(seqs_stack_init(&st, &c), SEQS_OK);
    CHECK_EQ(st.mtu, 1500);
    CHECK_EQ(seqs_stack_set_addr(&st, F_ADDR, 0, 0, 0), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_stack_set_addr(&st, F_ADDR, 33, 0, 0), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_stack_set_addr(&st, 0, 24, 0, 0), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_stack_set_addr(&st, 0xFFFFFFFFu, 24, 0, 0), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_stack_set_addr(&st, SEQS_IP4(224, 0, 0, 9), 24, 0, 0), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_stack_set_addr(&st, SEQS_IP4(127, 0, 0, 9), 8, 0, 0), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_stack_set_addr(&st, SEQS_IP4(192, 0, 2, 0), 24, 0, 0), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_stack_set_addr(&st, SEQS_IP4(192, 0, 2, 255), 24, 0, 0), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_stack_set_addr(&st, F_ADDR, 24, SEQS_IP4(198, 51, 100, 1), 0), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_stack_addr_state(&st), SEQS_ADDR_NONE);
    CHECK_EQ(seqs_stack_set_addr(&st, F_ADDR, 32, 0, 0), SEQS_OK);
    uint8_t pl;
    uint32_t gw;
    CHECK_EQ(seqs_stack_addr(&st, &pl, &gw), F_ADDR);
    CHECK_EQ(pl, 32);
    seqs_stack_clear_addr(&st);
    CHECK_EQ(seqs_stack_addr(&st, &pl, &gw), 0);
    CHECK_EQ(seqs_stack_addr_state(&st), SEQS_ADDR_NONE);
}

static void test_counter_names_and_values(void) {
    f_setup(&st, 1);
    CHECK(seqs_counter_name(0) != NULL);
    CHECK(strcmp(seqs_counter_name(SEQS_CNT_ip_drop_checksum), "ip_drop_checksum") == 0);
    CHECK(seqs_counter_name(SEQS_COUNTER_COUNT) == NULL);
    CHECK_EQ(seqs_counter_value(&st, SEQS_CNT_arp_tx_reply), st.cnt.arp_tx_reply);
    CHECK_EQ(seqs_counter_value(&st, SEQS_CNT_eth_rx), 1);
    CHECK(strcmp(seqs_strerror(SEQS_ERR_BADHANDLE), "invalid or stale handle") == 0);
    CHECK(strcmp(seqs_strerror(12345), "unknown error") == 0);
}

int main(void) {
    RUN(test_e1_foreign_unicast_runt_unknown_type_vlan_dropped);
    RUN(test_multicast_groups_joined_all_hosts_and_all_multicast);
    RUN(test_e2_padding_ignored_total_length_counts);
    RUN(test_i1_i2_i3_header_checks);
    RUN(test_i4_not_our_destination_dropped);
    RUN(test_i5_bad_sources_dropped_except_zero_for_dhcp);
    RUN(test_i6_limited_and_subnet_broadcast_udp_accepted);
    RUN(test_i7_unicast_ip_in_link_broadcast_dropped);
    RUN(test_i8_ttl_0_and_1_delivered_and_we_send_64);
    RUN(test_i9_i10_options);
    RUN(test_i14_fragmentation_of_large_send_and_df);
    RUN(test_route_via_gateway_and_unreachable_without_one);
    RUN(test_config_and_address_validation);
    RUN(test_counter_names_and_values);
    return check_result();
}
