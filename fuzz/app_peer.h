/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz/app_peer.h — a scripted peer for the application fuzz targets (DNS,
 * NTP): one stack under test at 192.0.2.2, the peer at 192.0.2.1 answering
 * ARP, UDP datagrams built here from the fuzz input. Header-only, static. */
#ifndef SEQS_FUZZ_APP_PEER_H
#define SEQS_FUZZ_APP_PEER_H

#include <stdlib.h>
#include <string.h>

#include "seqs/seqs.h"

#define PEER_IP SEQS_IP4(192, 0, 2, 1)
#define US_IP SEQS_IP4(192, 0, 2, 2)
static const uint8_t PEER_MAC_[6] = {2, 0, 0, 0, 0, 0x0a}, US_MAC_[6] = {2, 0, 0, 0, 0, 0x0b};

static seqs_stack_t us;
static uint8_t frame[SEQS_MAX_FRAME];
static uint64_t now;

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

static uint16_t ip_csum(const uint8_t *p, size_t n) {
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2) s += (uint32_t)((p[i] << 8) | p[i + 1]);
    while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
    return (uint16_t)~s;
}

static void setup_us(uint64_t seed) {
    seqs_config_t cfg;
    seqs_config_default(&cfg);
    memcpy(cfg.mac, US_MAC_, 6);
    cfg.rng_seed = seed;
    cfg.flags = SEQS_CFG_NO_GRATUITOUS;
    if (seqs_stack_init(&us, &cfg) != SEQS_OK || seqs_stack_set_addr(&us, US_IP, 24, PEER_IP, 0) != SEQS_OK)
        abort();
    now = 1000000;
    seqs_stack_poll(&us, now);
}

/* Sends a UDP datagram from the peer (sport) to us (dport); UDP checksum 0 ("none"). */
static void peer_udp(uint16_t sport, uint16_t dport, const uint8_t *data, size_t len) {
    if (len > 1400)
        len = 1400;
    uint8_t *f = frame;
    memcpy(f, US_MAC_, 6);
    memcpy(f + 6, PEER_MAC_, 6);
    put16(f + 12, 0x0800);
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(28 + len));
    ip[8] = 64;
    ip[9] = 17;
    put32(ip + 12, PEER_IP);
    put32(ip + 16, US_IP);
    put16(ip + 10, ip_csum(ip, 20));
    uint8_t *u = ip + 20;
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)(8 + len));
    put16(u + 6, 0);
    memcpy(u + 8, data, len);
    seqs_stack_input(&us, f, 14 + 28 + len, now);
}

/* Pulls every frame we emit; answers ARP who-has for the peer; returns the
 * first UDP datagram to dport (payload copied into out, *outlen, *sport), 1 if found. */
static int drain_for(uint16_t dport, uint8_t *out, size_t cap, size_t *outlen, uint16_t *sport) {
    int found = 0, n;
    static uint8_t arp[42];
    for (int round = 0; round < 4; round++) {
        int answered = 0;
        while ((n = seqs_stack_output(&us, frame, sizeof frame, now)) > 0) {
            if (n >= 42 && get16(frame + 12) == 0x0806 && get16(frame + 20) == 1) {
                memcpy(arp, US_MAC_, 6);
                memcpy(arp + 6, PEER_MAC_, 6);
                put16(arp + 12, 0x0806);
                memcpy(arp + 14, frame + 14, 6);   /* htype, ptype, hlen, plen */
                put16(arp + 20, 2);
                memcpy(arp + 22, PEER_MAC_, 6);
                memcpy(arp + 28, frame + 38, 4);   /* sender ip = the target asked for */
                memcpy(arp + 32, frame + 22, 10);  /* target = the asker */
                answered = 1;
                continue;
            }
            if (!found && n >= 42 && get16(frame + 12) == 0x0800 && frame[14 + 9] == 17) {
                size_t ihl = (size_t)(frame[14] & 15) * 4;
                const uint8_t *u = frame + 14 + ihl;
                size_t ulen = get16(u + 4);
                if (get16(u + 2) == dport && ulen >= 8 && 14 + ihl + ulen <= (size_t)n && ulen - 8 <= cap) {
                    memcpy(out, u + 8, ulen - 8);
                    *outlen = ulen - 8;
                    *sport = get16(u);
                    found = 1;
                }
            }
        }
        if (!answered)
            break;
        seqs_stack_input(&us, arp, sizeof arp, now);
    }
    return found;
}

#endif
