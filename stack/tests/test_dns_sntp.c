/* SPDX-License-Identifier: BSD-3-Clause */
/* The DNS resolver and the SNTP client in C, end to end between two stacks:
 * alice runs the apps, bob answers from plain UDP sockets (a toy DNS server
 * and a toy NTP server with a clock 1.7e9 s ahead). Also the name codec and
 * the NTP era conversion. The Python conformance suites (N, P rows) test the
 * protocol rules; this proves the C API as the README shows it. */
#include <string.h>

#include "check.h"
#include "seqs/dns.h"
#include "seqs/seqs.h"
#include "seqs/sntp.h"
#include "seqs/wire/dns.h"

#define ALICE SEQS_IP4(192, 0, 2, 1)
#define BOB SEQS_IP4(192, 0, 2, 53)
#define SERVER_AHEAD_US 1700000000000000LL

static seqs_stack_t alice, bob;
static uint8_t frame[SEQS_MAX_FRAME];
static uint64_t now = 1000000;
static seqs_udp_t dns_sock, ntp_sock;
static uint8_t dns_ring[2048], ntp_ring[512];
static int dns_served, ntp_served;

static void init(seqs_stack_t *s, uint8_t last, uint32_t ip, uint64_t seed) {
    seqs_config_t cfg;
    seqs_config_default(&cfg);
    memcpy(cfg.mac, (uint8_t[6]){2, 0, 0, 0, 0, last}, 6);
    cfg.rng_seed = seed;
    CHECK_EQ(seqs_stack_init(s, &cfg), SEQS_OK);
    CHECK_EQ(seqs_stack_set_addr(s, ip, 24, 0, 0), SEQS_OK);
}

/* Bob's toy servers: answer "www.example.test" A 192.0.2.80 (TTL 60), anything else NXDOMAIN;
 * NTP: mode 4, stratum 1, receive = transmit = our clock + SERVER_AHEAD_US. */
static void serve(void) {
    uint8_t m[600];
    seqs_udp_meta_t meta;
    int n;
    while ((n = seqs_udp_recvfrom(&bob, dns_sock, m, sizeof m, &meta)) >= 12) {
        uint8_t name[255];
        size_t nl, after;
        seqs_dns_view_t v;
        seqs_dns_view_init(&v, m, (size_t)n);
        if (seqs_dns_name_decode(&v, 12, name, sizeof name, &nl, &after) != 0)
            continue;
        int known = seqs_dns_name_eq(name, nl, (const uint8_t *)"\3www\7example\4test", 18);
        size_t len = after + 4;
        m[2] = 0x81;                         /* QR, RD */
        m[3] = known ? 0x80 : 0x83;          /* RA, NOERROR / NXDOMAIN */
        m[7] = known ? 1 : 0;                /* ANCOUNT */
        if (known) {
            static const uint8_t rr[] = {0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 80};
            memcpy(m + len, rr, sizeof rr);
            len += sizeof rr;
        }
        seqs_udp_sendmsg(&bob, dns_sock, m, len, &meta);
        dns_served++;
    }
    while ((n = seqs_udp_recvfrom(&bob, ntp_sock, m, sizeof m, &meta)) >= 48) {
        uint8_t r[48] = {0x24, 1, 6, 0xEC};  /* LI 0, VN 4, mode 4, stratum 1 */
        memcpy(r + 12, "GPS", 3);
        memcpy(r + 24, m + 40, 8);           /* origin = the client's transmit timestamp */
        uint64_t t = seqs_unix_us_to_ntp((int64_t)now + SERVER_AHEAD_US);
        for (int i = 0; i < 8; i++)
            r[32 + i] = r[40 + i] = (uint8_t)(t >> (56 - 8 * i));
        seqs_udp_sendmsg(&bob, ntp_sock, r, sizeof r, &meta);
        ntp_served++;
    }
}

/* The frame loop of both stacks (a round trip takes no time; 1 ms passes
 * between rounds) until both are quiet; then
 * jump to the earliest deadline (at most `until`). */
static void run_until(uint64_t until) {
    while (now <= until) {
        int moved = 1;
        while (moved) {
            moved = 0;
            int len;
            while ((len = seqs_stack_output(&alice, frame, sizeof frame, now)) > 0) {
                seqs_stack_input(&bob, frame, (size_t)len, now);
                moved = 1;
            }
            serve();
            while ((len = seqs_stack_output(&bob, frame, sizeof frame, now)) > 0) {
                seqs_stack_input(&alice, frame, (size_t)len, now);
                moved = 1;
            }
            if (moved)
                now += 1000;
        }
        uint64_t d = seqs_stack_next_deadline(&alice), d2 = seqs_stack_next_deadline(&bob);
        if (d2 < d)
            d = d2;
        if (d > until)
            break;
        now = d > now ? d : now + 1;
    }
    if (now < until)
        now = until;
}

static void test_resolve_cache_nxdomain(void) {
    static seqs_dns_resolver_t r;
    static seqs_dns_query_t q, q2;
    uint32_t servers[] = {BOB};
    uint32_t addrs[SEQS_DNS_MAX_ADDRS];
    CHECK_EQ(seqs_dns_init(&alice, &r), SEQS_OK);
    CHECK_EQ(seqs_dns_init(&alice, &r), SEQS_ERR_INUSE);
    CHECK_EQ(seqs_dns_resolve(&alice, &r, &q, "www.example.test"), SEQS_ERR_STATE);   /* no servers yet */
    CHECK_EQ(seqs_dns_set_servers(&r, servers, 1), SEQS_OK);
    CHECK_EQ(seqs_dns_resolve(&alice, &r, &q, "a..b"), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_dns_resolve(&alice, &r, &q, "www.example.test"), SEQS_OK);
    CHECK_EQ(seqs_dns_resolve(&alice, &r, &q, "www.example.test"), SEQS_ERR_INUSE);
    CHECK(seqs_stack_next_deadline(&alice) <= now);   /* the app wants to send at once */
    run_until(now + 100000);
    CHECK_EQ(seqs_dns_query_status(&q), SEQS_DNS_OK);
    CHECK_EQ(seqs_dns_query_addrs(&q, addrs, SEQS_DNS_MAX_ADDRS), 1);
    CHECK_EQ(addrs[0], SEQS_IP4(192, 0, 2, 80));
    CHECK_EQ(seqs_dns_query_ttl(&q), 60);
    CHECK_EQ(dns_served, 1);
    /* Cached: no query on the wire, remaining TTL. */
    run_until(now + 10000000);
    CHECK_EQ(seqs_dns_resolve(&alice, &r, &q, "WWW.example.TEST."), SEQS_OK);
    run_until(now + 1000);
    CHECK_EQ(seqs_dns_query_status(&q), SEQS_DNS_OK);
    CHECK(seqs_dns_query_from_cache(&q));
    CHECK(seqs_dns_query_ttl(&q) >= 49 && seqs_dns_query_ttl(&q) <= 50);
    CHECK_EQ(dns_served, 1);
    /* Two lookups in flight at once; one does not exist. */
    CHECK_EQ(seqs_dns_resolve(&alice, &r, &q, "nope.example.test"), SEQS_OK);
    CHECK_EQ(seqs_dns_resolve(&alice, &r, &q2, "other.example.test"), SEQS_OK);
    run_until(now + 100000);
    CHECK_EQ(seqs_dns_query_status(&q), SEQS_DNS_NXDOMAIN);
    CHECK_EQ(seqs_dns_query_status(&q2), SEQS_DNS_NXDOMAIN);
    CHECK_EQ(dns_served, 3);
    CHECK_EQ(seqs_dns_stats(&r)->responses, 3);
    CHECK_EQ(seqs_dns_deinit(&alice, &r), SEQS_OK);
}

static void test_sntp_offset(void) {
    static seqs_sntp_t c;
    seqs_sntp_config_t cfg;
    seqs_sntp_config_default(&cfg);
    cfg.poll_s = 14;
    CHECK_EQ(seqs_sntp_start(&alice, &c, BOB, &cfg), SEQS_ERR_INVAL);   /* RFC 4330 10: >= 15 s */
    cfg.poll_s = 16;
    CHECK_EQ(seqs_sntp_start(&alice, &c, BOB, &cfg), SEQS_OK);
    CHECK_EQ(seqs_sntp_status(&c), SEQS_SNTP_WAITING);
    run_until(now + 1100000);   /* the first query within first_max_ms (1 s) */
    CHECK_EQ(ntp_served, 1);
    CHECK_EQ(seqs_sntp_status(&c), SEQS_SNTP_SYNCED);
    CHECK_EQ(seqs_sntp_stratum(&c), 1);
    /* The loop delivers the request and the reply at the same instant: the offset
     * is exact up to the 1 µs rounding and the delay is 0. */
    int64_t err = seqs_sntp_offset_us(&c) - SERVER_AHEAD_US;
    CHECK(err >= -1 && err <= 1);
    CHECK_EQ(seqs_sntp_delay_us(&c), 0);
    CHECK(seqs_sntp_now(&c, now) - ((int64_t)now + SERVER_AHEAD_US) <= 1);
    run_until(now + 17000000);
    CHECK_EQ(ntp_served, 2);   /* polls again after 16 s */
    CHECK_EQ(seqs_sntp_stop(&alice, &c), SEQS_OK);
}

static void test_name_codec_and_era(void) {
    uint8_t w[255];
    char t[300];
    CHECK_EQ(seqs_dns_name_from_text("www.Example.test.", w, sizeof w), 18);
    CHECK_EQ(seqs_dns_name_to_text(w, 18, t, sizeof t), 16);
    CHECK(strcmp(t, "www.Example.test") == 0);
    CHECK_EQ(seqs_dns_name_from_text(".", w, sizeof w), SEQS_DNS_WIRE_LABEL);
    /* 2036-02-07 06:28:16 UTC: NTP seconds wrap to 0 and mean era 1 (RFC 4330 3). */
    CHECK_EQ(seqs_ntp_to_unix_us(0), 2085978496LL * 1000000);
    CHECK_EQ(seqs_ntp_to_unix_us((uint64_t)0xFFFFFFFFu << 32), 2085978495LL * 1000000);
    CHECK_EQ(seqs_ntp_to_unix_us((uint64_t)2208988800u << 32), 0);
    CHECK_EQ(seqs_unix_us_to_ntp(2085978496LL * 1000000), 0);
    CHECK_EQ(seqs_unix_us_to_ntp(500000), ((uint64_t)2208988800u << 32) | 0x80000000u);
}

int main(void) {
    init(&alice, 1, ALICE, 11);
    init(&bob, 2, BOB, 22);
    CHECK_EQ(seqs_udp_open(&bob, &dns_sock, dns_ring, sizeof dns_ring), SEQS_OK);
    CHECK_EQ(seqs_udp_bind(&bob, dns_sock, 0, 53), SEQS_OK);
    CHECK_EQ(seqs_udp_open(&bob, &ntp_sock, ntp_ring, sizeof ntp_ring), SEQS_OK);
    CHECK_EQ(seqs_udp_bind(&bob, ntp_sock, 0, 123), SEQS_OK);
    RUN(test_name_codec_and_era);
    RUN(test_resolve_cache_nxdomain);
    RUN(test_sntp_offset);
    return check_result();
}
