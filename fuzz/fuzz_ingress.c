/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz/fuzz_ingress.c — frame ingress fuzz target.
 *
 * The input is a script of frames: each record is
 *   [1 byte: time step in 10 ms units][2 bytes big-endian: length][length bytes: frame]
 * fed to one stack with an address, a gateway, a joined group and a bound UDP
 * socket. After every frame the target drains the output and checks that every
 * emitted frame is sane (sized within the MTU, IPv4 header checksum and lengths
 * consistent — checked here by independent code, not the stack's). A violation
 * aborts, which libFuzzer reports as a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seqs/seqs.h"

static uint16_t rd16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

/* RFC 1071 sum written independently of the stack's csum.c. */
static uint16_t oracle_csum(const uint8_t *p, size_t n) {
    uint64_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)((p[i] << 8) | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)(p[n - 1] << 8);
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

static void check_emitted(const uint8_t *f, int len, uint16_t mtu) {
    if (len < 14 || len > 14 + mtu)
        abort();
    if (rd16(f + 12) != 0x0800)
        return;
    const uint8_t *ip = f + 14;
    size_t iplen = (size_t)len - 14;
    if (iplen < 20 || (ip[0] >> 4) != 4)
        abort();
    size_t ihl = (size_t)(ip[0] & 15) * 4;
    if (ihl < 20 || ihl > iplen || rd16(ip + 2) != iplen)
        abort();
    if (oracle_csum(ip, ihl) != 0)
        abort();
    if (ip[8] == 0)   /* we never send TTL 0 (RFC 1122 3.2.1.7) */
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static seqs_stack_t st;           /* large: keep it off the C stack */
    static uint8_t rxbuf[4096];
    static uint8_t out[SEQS_MAX_FRAME];
    seqs_config_t cfg;
    seqs_config_default(&cfg);
    const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x02};
    memcpy(cfg.mac, mac, 6);
    cfg.rng_seed = 42;
    if (seqs_stack_init(&st, &cfg) != SEQS_OK)
        abort();
    if (seqs_stack_set_addr(&st, SEQS_IP4(192, 0, 2, 2), 24, SEQS_IP4(192, 0, 2, 1), 0) != SEQS_OK)
        abort();
    seqs_stack_join_group(&st, SEQS_IP4(224, 0, 0, 251));
    seqs_udp_t u;
    if (seqs_udp_open(&st, &u, rxbuf, sizeof rxbuf) != SEQS_OK || seqs_udp_bind(&st, u, 0, 7) != SEQS_OK)
        abort();

    uint64_t now = 1000000;
    size_t off = 0;
    while (off + 3 <= size) {
        now += (uint64_t)data[off] * 10000u;
        size_t n = rd16(data + off + 1);
        off += 3;
        if (n > size - off)
            n = size - off;
        seqs_stack_input(&st, data + off, n, now);
        off += n;
        /* Echo whatever the socket received, exercising the send path too. */
        uint8_t dg[2048];
        seqs_udp_meta_t meta;
        int got;
        while ((got = seqs_udp_recvfrom(&st, u, dg, sizeof dg, &meta)) >= 0)
            seqs_udp_sendmsg(&st, u, dg, (size_t)got, &meta);
        int len;
        for (int guard = 0; guard < 256 && (len = seqs_stack_output(&st, out, sizeof out, now)) > 0; guard++)
            check_emitted(out, len, 1500);
    }
    /* Let every timer fire: reassembly timeouts, ARP retries and aging. */
    for (int step = 0; step < 8; step++) {
        uint64_t next = seqs_stack_next_deadline(&st);
        if (next == SEQS_NEVER)
            break;
        now = next > now ? next : now + 1;
        int len;
        for (int guard = 0; guard < 256 && (len = seqs_stack_output(&st, out, sizeof out, now)) > 0; guard++)
            check_emitted(out, len, 1500);
    }
    seqs_udp_close(&st, u);
    return 0;
}
