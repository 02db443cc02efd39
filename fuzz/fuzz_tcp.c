/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz/fuzz_tcp.c — TCP segment fuzz target.
 *
 * Each run sets up stack B (192.0.2.2) with a listener on port 80 and an
 * ESTABLISHED connection from stack A (192.0.2.1), made by a real handshake
 * through an in-process pump. The input is then a script of records
 *   [1 byte mode][1 byte time step (ms)][2 bytes BE length][length bytes: TCP header + payload]
 * Each segment is sent to B from A's address. mode bits:
 *   0x01  aim at the listener (port 80, random source port) instead of the connection
 *   0x02  seq field is a delta added to B's RCV.NXT (reach in-window paths)
 *   0x04  ack field is a delta added to B's SND.UNA
 *   0x08  keep the fuzzed checksum (default: fixed up so the segment is processed)
 *   0x10  after the segment the application writes 1000 bytes
 *   0x20  after the segment the application reads everything
 *   0x40  after the segment the application closes (0x60: aborts)
 *   0x80  aim at B's own active open instead (B connects to A:9999, where nobody
 *         listens, so it sits in SYN-SENT until a fuzzed segment moves it)
 * Every frame B emits is checked by independent code: sizes, IPv4 and TCP
 * checksums, and no segment larger than the MSS the handshake agreed. A
 * violation aborts, which libFuzzer reports as a crash; so does an exchange
 * that is still moving after 64 rounds without time passing (an ACK loop:
 * corpus/fuzz_tcp/ack_loop_forged_rst_syn is the one issue 11 found, a forged
 * exact RST then a SYN for the same 4-tuple 100 ms later). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seqs/seqs.h"

static uint16_t rd16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum) {
    for (size_t i = 0; i + 1 < n; i += 2) sum += (uint32_t)((p[i] << 8) | p[i + 1]);
    if (n & 1) sum += (uint32_t)(p[n - 1] << 8);
    return sum;
}
static uint16_t fold(uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

#define A_IP SEQS_IP4(192, 0, 2, 1)
#define B_IP SEQS_IP4(192, 0, 2, 2)
static const uint8_t AMAC[6] = {2, 0, 0, 0, 0, 0x0a}, BMAC[6] = {2, 0, 0, 0, 0, 0x0b};

static seqs_stack_t A, B;
static uint8_t frame[SEQS_MAX_FRAME];
static uint8_t arx[4096], atx[4096], pool[2 * 2 * 4096];
static uint64_t now;

static void check_emitted(const uint8_t *f, int len) {
    if (len < 14 || len > 14 + 1500) abort();
    if (rd16(f + 12) != 0x0800) return;
    const uint8_t *ip = f + 14;
    size_t iplen = (size_t)len - 14;
    if (iplen < 20 || (ip[0] >> 4) != 4 || rd16(ip + 2) != iplen) abort();
    size_t ihl = (size_t)(ip[0] & 15) * 4;
    if (fold(sum16(ip, ihl, 0)) != 0) abort();
    if (ip[9] != 6) return;
    const uint8_t *t = ip + ihl;
    size_t tl = iplen - ihl;
    if (tl < 20) abort();
    size_t doff = (size_t)(t[12] >> 4) * 4;
    if (doff < 20 || doff > tl) abort();
    uint32_t ps = (A_IP >> 16) + (A_IP & 0xFFFF) + (B_IP >> 16) + (B_IP & 0xFFFF) + 6 + (uint32_t)tl;
    if (fold(sum16(t, tl, ps)) != 0) abort();
    if (tl - doff > 1460) abort();
}

static void pump(void) {
    for (int k = 0; k < 64; k++) {
        int moved = 0, n;
        while ((n = seqs_stack_output(&A, frame, sizeof frame, now)) > 0) {
            seqs_stack_input(&B, frame, (size_t)n, now);
            moved = 1;
        }
        while ((n = seqs_stack_output(&B, frame, sizeof frame, now)) > 0) {
            check_emitted(frame, n);
            seqs_stack_input(&A, frame, (size_t)n, now);
            moved = 1;
        }
        if (!moved) return;
    }
    /* 64 rounds in zero time and still moving: two stacks answering each
     * other forever (the ACK loop of issue 11). No input may loop. */
    abort();
}

static void setup(seqs_stack_t *s, const uint8_t *mac, uint32_t ip, uint64_t seed) {
    seqs_config_t c;
    seqs_config_default(&c);
    memcpy(c.mac, mac, 6);
    c.rng_seed = seed;
    c.flags = SEQS_CFG_NO_GRATUITOUS;
    c.max_tcp_conns = 4;
    seqs_stack_init(s, &c);
    seqs_stack_set_addr(s, ip, 24, 0, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    now = 1000;
    setup(&A, AMAC, A_IP, 1);
    setup(&B, BMAC, B_IP, 2);
    seqs_tcp_listener_t l;
    seqs_tcp_t ca, cb = 0;
    if (seqs_tcp_listen(&B, &l, 80, 2, pool, sizeof pool, 4096, 4096) != SEQS_OK) abort();
    if (seqs_tcp_connect(&A, &ca, B_IP, 80, 40000, arx, sizeof arx, atx, sizeof atx) != SEQS_OK) abort();
    for (int i = 0; i < 10 && !cb; i++) {
        now += 1000;
        pump();
        if (seqs_tcp_accept(&B, l, &cb) != SEQS_OK) cb = 0;
    }
    if (!cb || seqs_tcp_state(&B, cb) != SEQS_TCP_ESTABLISHED) abort();
    static uint8_t brx[2048], btx[2048];
    seqs_tcp_t act;
    if (seqs_tcp_connect(&B, &act, A_IP, 9999, 41000, brx, sizeof brx, btx, sizeof btx) != SEQS_OK) abort();
    seqs_tcp_info_t bi;
    static uint8_t seg[1600];
    static uint8_t tmp[4096];
    size_t i = 0;
    while (i + 4 <= size) {
        uint8_t mode = data[i], step = data[i + 1];
        size_t len = rd16(data + i + 2);
        i += 4;
        if (len > size - i) len = size - i;
        if (len > 1480) len = 1480;
        memcpy(seg, data + i, len);
        i += len;
        now += (uint64_t)step * 1000u;
        seqs_tcp_info(&B, (mode & 0x80) ? act : cb, &bi);   /* may fail once gone: then fields stay */
        if (len >= 20) {
            if (mode & 0x80) {
                seg[0] = 9999 >> 8; seg[1] = 9999 & 0xFF;
                seg[2] = 41000 >> 8; seg[3] = 41000 & 0xFF;
            } else if (mode & 0x01) {
                seg[2] = 0;
                seg[3] = 80;
            } else {
                seg[0] = 40000 >> 8; seg[1] = 40000 & 0xFF;
                seg[2] = 0; seg[3] = 80;
            }
            if (mode & 0x02) {
                uint32_t d = (uint32_t)seg[4] << 24 | (uint32_t)seg[5] << 16 | (uint32_t)seg[6] << 8 | seg[7];
                uint32_t v = bi.rcv_nxt + (uint32_t)(int32_t)(int16_t)(d & 0xFFFF);
                seg[4] = (uint8_t)(v >> 24); seg[5] = (uint8_t)(v >> 16); seg[6] = (uint8_t)(v >> 8); seg[7] = (uint8_t)v;
            }
            if (mode & 0x04) {
                uint32_t d = (uint32_t)seg[8] << 24 | (uint32_t)seg[9] << 16 | (uint32_t)seg[10] << 8 | seg[11];
                uint32_t v = bi.snd_una + (uint32_t)(int32_t)(int16_t)(d & 0xFFFF);
                seg[8] = (uint8_t)(v >> 24); seg[9] = (uint8_t)(v >> 16); seg[10] = (uint8_t)(v >> 8); seg[11] = (uint8_t)v;
            }
            if (!(mode & 0x08)) {
                seg[16] = seg[17] = 0;
                uint32_t ps = (A_IP >> 16) + (A_IP & 0xFFFF) + (B_IP >> 16) + (B_IP & 0xFFFF) + 6 + (uint32_t)len;
                uint16_t c = fold(sum16(seg, len, ps));
                seg[16] = (uint8_t)(c >> 8);
                seg[17] = (uint8_t)c;
            }
        }
        /* wrap it in IPv4 + Ethernet from A to B */
        uint8_t *f = frame;
        memcpy(f, BMAC, 6);
        memcpy(f + 6, AMAC, 6);
        f[12] = 0x08; f[13] = 0x00;
        uint8_t *ip = f + 14;
        memset(ip, 0, 20);
        ip[0] = 0x45;
        ip[2] = (uint8_t)((20 + len) >> 8); ip[3] = (uint8_t)(20 + len);
        ip[8] = 64; ip[9] = 6;
        ip[12] = 192; ip[13] = 0; ip[14] = 2; ip[15] = 1;
        ip[16] = 192; ip[17] = 0; ip[18] = 2; ip[19] = 2;
        uint16_t hc = fold(sum16(ip, 20, 0));
        ip[10] = (uint8_t)(hc >> 8); ip[11] = (uint8_t)hc;
        memcpy(ip + 20, seg, len);
        seqs_stack_input(&B, f, 34 + len, now);
        /* B's answers go to A as well: A's reactions keep the exchange going
         * (A answers B's SYN to port 9999 with RST, which is fine) */
        if (mode & 0x80) {
            /* keep B's SYN-SENT connection from being refused by A's RST: only
             * drain B's output here, A does not see it */
            int n;
            while ((n = seqs_stack_output(&B, frame, sizeof frame, now)) > 0) check_emitted(frame, n);
        }
        pump();
        if (mode & 0x10) {
            memset(tmp, 'x', 1000);
            (void)seqs_tcp_write(&B, cb, tmp, 1000);
        }
        if (mode & 0x20) {
            while (seqs_tcp_read(&B, cb, tmp, sizeof tmp) > 0) {
            }
        }
        if ((mode & 0x60) == 0x60) (void)seqs_tcp_abort(&B, cb);
        else if (mode & 0x40) (void)seqs_tcp_close(&B, cb);
        int acted = (mode & 0x70) != 0;
        seqs_tcp_t extra;
        if (seqs_tcp_accept(&B, l, &extra) == SEQS_OK) {
            (void)seqs_tcp_close(&B, extra);
            acted = 1;
        }
        if (acted) pump();      /* only when the application did something: idle polls are the cost */
        /* the deadline contract: never in the past after output drained */
        if (seqs_stack_next_deadline(&B) < now) abort();
    }
    /* run every timer out: the stack must come back to idle without crashing */
    for (int k = 0; k < 64; k++) {   /* R2 (12 backoffs), keep-alive (9 probes), 2*MSL fit; a zero window persists forever */
        uint64_t d = seqs_stack_next_deadline(&B);
        uint64_t da = seqs_stack_next_deadline(&A);
        if (da < d) d = da;
        if (d == SEQS_NEVER) break;
        if (d > now) now = d;
        pump();
    }
    return 0;
}
