/* SPDX-License-Identifier: BSD-3-Clause */
/* bench/bench_frames.c — per-frame CPU cost of the core (no TCP).
 *
 * One stack, frames built once by hand, then for each case: input the frame,
 * pull every reply, repeat N times, report nanoseconds per round and frames per
 * second. Cases: ARP request -> reply, ICMP echo 56 B and 1472 B -> reply,
 * UDP 100 B -> socket recv, UDP 100 B send -> frame out, a 4000 B echo in three
 * fragments -> reassembled and answered in three fragments, and a frame with a
 * bad IP checksum (the drop path).
 * Usage: bench_frames [rounds]   (default 200000) */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "seqs/seqs.h"

static const uint8_t US_MAC[6] = {2, 0, 0, 0, 0, 2}, PEER_MAC[6] = {2, 0, 0, 0, 0, 1};
#define US SEQS_IP4(192, 0, 2, 2)
#define PEER SEQS_IP4(192, 0, 2, 1)

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xFFFF); }
static uint16_t csum(const uint8_t *p, size_t n, uint32_t sum) {
    for (size_t i = 0; i + 1 < n; i += 2) sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1) sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

static size_t eth(uint8_t *f, const uint8_t *dst, unsigned type) {
    memcpy(f, dst, 6); memcpy(f + 6, PEER_MAC, 6); put16(f + 12, type);
    return 14;
}
/* IPv4 header at f+14 with payload already at f+34; returns the frame length. */
static size_t ip(uint8_t *f, unsigned proto, size_t paylen, unsigned id, unsigned frag) {
    uint8_t *h = f + 14;
    eth(f, US_MAC, 0x0800);
    h[0] = 0x45; h[1] = 0; put16(h + 2, (unsigned)(20 + paylen)); put16(h + 4, id); put16(h + 6, frag);
    h[8] = 64; h[9] = (uint8_t)proto; put16(h + 10, 0); put32(h + 12, PEER); put32(h + 16, US);
    put16(h + 10, csum(h, 20, 0));
    return 34 + paylen;
}
static size_t echo(uint8_t *f, size_t datalen) {
    uint8_t *m = f + 34;
    m[0] = 8; m[1] = 0; put16(m + 2, 0); put16(m + 4, 7); put16(m + 6, 1);
    for (size_t i = 0; i < datalen; i++) m[8 + i] = (uint8_t)i;
    put16(m + 2, csum(m, 8 + datalen, 0));
    return ip(f, 1, 8 + datalen, 1, 0);
}
static size_t udp(uint8_t *f, size_t datalen, unsigned dport) {
    uint8_t *u = f + 34, ph[12];
    put16(u, 5000); put16(u + 2, dport); put16(u + 4, (unsigned)(8 + datalen)); put16(u + 6, 0);
    memset(u + 8, 'u', datalen);
    put32(ph, PEER); put32(ph + 4, US); ph[8] = 0; ph[9] = 17; put16(ph + 10, (unsigned)(8 + datalen));
    uint16_t c0 = csum(ph, 12, 0);
    put16(u + 6, csum(u, 8 + datalen, (uint16_t)~c0));
    return ip(f, 17, 8 + datalen, 2, 0);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static seqs_stack_t st;
static uint8_t rxbuf[1 << 16], out[SEQS_MAX_FRAME];
static seqs_udp_t sock;
static uint64_t t_us = 1000000;

static int pump(const uint8_t *f, size_t n) {
    int frames = 0, len;
    if (f) seqs_stack_input(&st, f, n, t_us);
    while ((len = seqs_stack_output(&st, out, sizeof out, t_us)) > 0) frames++;
    return frames;
}

static void report(const char *name, long rounds, double secs, int frames_per_round) {
    printf("%-34s %8.0f ns/round  %6.2f Mrounds/s  (%d frame%s out per round)\n", name,
           secs * 1e9 / (double)rounds, (double)rounds / secs / 1e6, frames_per_round,
           frames_per_round == 1 ? "" : "s");
}

int main(int argc, char **argv) {
    long rounds = argc > 1 ? atol(argv[1]) : 200000;
    seqs_config_t cfg;
    seqs_config_default(&cfg);
    memcpy(cfg.mac, US_MAC, 6);
    cfg.flags |= SEQS_CFG_NO_GRATUITOUS;
    if (seqs_stack_init(&st, &cfg) || seqs_stack_set_addr(&st, US, 24, 0, 0) ||
        seqs_udp_open(&st, &sock, rxbuf, sizeof rxbuf) || seqs_udp_bind(&st, sock, 0, 7)) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    static uint8_t arp[60], ping[1514], bigping[1514], dgram[200], bad[200];
    static uint8_t frag[3][1514];
    size_t frag_len[3];
    const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    eth(arp, bcast, 0x0806);
    put16(arp + 14, 1); put16(arp + 16, 0x0800); arp[18] = 6; arp[19] = 4; put16(arp + 20, 1);
    memcpy(arp + 22, PEER_MAC, 6); put32(arp + 28, PEER); memset(arp + 32, 0, 6); put32(arp + 38, US);
    size_t ping_len = echo(ping, 56), big_len = echo(bigping, 1472), dgram_len = udp(dgram, 100, 7);
    memcpy(bad, dgram, dgram_len); bad[24] ^= 0x55;   /* corrupt the IP header checksum */
    /* A 4000-byte echo split by hand into 1480+1480+1048 bytes of ICMP message. */
    static uint8_t whole[4100];
    uint8_t *m = whole; size_t mlen = 8 + 3992;
    m[0] = 8; m[1] = 0; put16(m + 2, 0); put16(m + 4, 9); put16(m + 6, 1);
    for (size_t i = 8; i < mlen; i++) m[i] = (uint8_t)i;
    put16(m + 2, csum(m, mlen, 0));
    for (int i = 0; i < 3; i++) {
        size_t off = (size_t)i * 1480, n = mlen - off < 1480 ? mlen - off : 1480;
        memcpy(frag[i] + 34, m + off, n);
        frag_len[i] = ip(frag[i], 1, n, 0x4242, (unsigned)(off / 8) | (i < 2 ? 0x2000u : 0u));
    }

    pump(arp, 42);   /* learn the peer so replies need no ARP of their own */
    struct { const char *name; const uint8_t *f; size_t n; } cases[] = {
        {"ARP request -> reply", arp, 42},
        {"ICMP echo 56 B -> reply", ping, ping_len},
        {"ICMP echo 1472 B -> reply", bigping, big_len},
        {"bad IP checksum -> counted drop", bad, dgram_len},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int frames = pump(cases[c].f, cases[c].n);
        double t0 = now_s();
        for (long i = 0; i < rounds; i++) pump(cases[c].f, cases[c].n);
        report(cases[c].name, rounds, now_s() - t0, frames);
    }
    {   /* UDP receive: datagram in, recvfrom */
        uint8_t data[256];
        double t0 = now_s();
        for (long i = 0; i < rounds; i++) {
            pump(dgram, dgram_len);
            if (seqs_udp_recvfrom(&st, sock, data, sizeof data, NULL) != 100) { fprintf(stderr, "udp recv failed\n"); return 1; }
        }
        report("UDP 100 B in -> recvfrom", rounds, now_s() - t0, 0);
    }
    {   /* UDP send: sendto, frame out */
        uint8_t data[100] = {0};
        double t0 = now_s();
        for (long i = 0; i < rounds; i++) {
            if (seqs_udp_sendto(&st, sock, data, sizeof data, PEER, 5000) != 100) { fprintf(stderr, "udp send failed\n"); return 1; }
            pump(NULL, 0);
        }
        report("UDP 100 B sendto -> frame out", rounds, now_s() - t0, 1);
    }
    {   /* Fragmented echo: 3 fragments in, reassembled, reply in 3 fragments. */
        long r = rounds / 4;
        int frames = 0;
        double t0 = now_s();
        for (long i = 0; i < r; i++) {
            seqs_stack_input(&st, frag[0], frag_len[0], t_us);
            seqs_stack_input(&st, frag[1], frag_len[1], t_us);
            frames = pump(frag[2], frag_len[2]);
        }
        report("ICMP echo 4000 B in 3 fragments", r, now_s() - t0, frames);
    }
    const seqs_counters_t *c = seqs_stack_counters(&st);
    printf("counters: eth_rx=%u eth_tx=%u ip_reasm_ok=%u ip_drop_checksum=%u txq_full=%u\n",
           c->eth_rx, c->eth_tx, c->ip_reasm_ok, c->ip_drop_checksum, c->txq_full);
    return c->txq_full ? 1 : 0;
}
