/* SPDX-License-Identifier: BSD-3-Clause */
/* bench/vs_lwip/common.h — what both sides of the side-by-side benchmark share:
 * the wire (queues of frames the "driver" copied out of a stack), the peer that
 * builds request frames and checks replies (its own checksum code: the oracle is
 * not the stack under test), and the interface each side (seqs, lwIP) implements.
 * Nothing here includes a stack's header, so the two sides compile apart. */
#ifndef VS_COMMON_H
#define VS_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Addresses: the stack under test is US, the scripted peer PEER. Bulk runs two
 * instances of the same stack, A and B, on another documentation subnet. */
#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
#define US_IP IP(192, 0, 2, 2)
#define PEER_IP IP(192, 0, 2, 1)
#define A_IP IP(198, 51, 100, 1)
#define B_IP IP(198, 51, 100, 2)
#define TCP_PORT 80
#define UDP_PORT 7
extern const uint8_t US_MAC[6], PEER_MAC[6], A_MAC[6], B_MAC[6];

/* --- the wire ------------------------------------------------------------- */
#define WIRE_SLOTS 512
#define FRAME_CAP 1536
typedef struct wire {
    unsigned head, count;
    uint16_t len[WIRE_SLOTS];
    uint8_t buf[WIRE_SLOTS][FRAME_CAP];
} wire_t;
extern wire_t wire_out;           /* frames the stack under test sent (single-stack cases) */
extern wire_t wire_ab, wire_ba;   /* bulk: A -> B and B -> A */
/* A driver buffer for the next frame (the stack writes or copies into it). */
uint8_t *wire_slot(wire_t *w);
void wire_commit(wire_t *w, size_t len);
/* Oldest frame or NULL; pop drops it. */
const uint8_t *wire_peek(const wire_t *w, size_t *len);
void wire_pop(wire_t *w);
void wire_clear(wire_t *w);
void die(const char *fmt, ...);

/* --- the interface of a side ------------------------------------------------ */
typedef struct side {
    const char *name;
    /* One stack at US_IP/24 that knows PEER_MAC, a UDP echo socket on UDP_PORT,
     * a TCP listener on TCP_PORT for up to max_conns connections. */
    void (*setup)(unsigned max_conns);
    /* The driver hands one received frame to the stack (copying it into a
     * receive buffer first); the application reacts (UDP echo) inside. */
    void (*input)(const uint8_t *f, size_t n);
    /* Frames the stack has to send go to wire_out. */
    void (*output)(void);
    /* The delayed-ACK timer comes due; the ACK goes to wire_out. */
    void (*delack)(void);
    int (*accept)(void);             /* an accepted connection's id, or -1 */
    size_t (*read)(int id, uint8_t *buf, size_t cap);
    void (*abort)(int id);
    /* Bulk: two instances A and B, A connected to B; then A sends bytes
     * (pattern) to B, B reads them; returns the bytes B read into sink. */
    void (*bulk_setup)(void);
    size_t (*bulk_run)(size_t bytes, uint8_t *sink, size_t sink_cap);
} side_t;
extern const side_t side_seqs, side_lwip;

/* --- the peer --------------------------------------------------------------- */
uint16_t ref_csum(const uint8_t *p, size_t n, uint32_t sum);
size_t peer_arp_request(uint8_t *f);
size_t peer_arp_reply(uint8_t *f);
/* Removes the stack's ARP requests for PEER_IP from w (the peer answers them
 * after the op); returns how many there were. */
int wire_take_arp_requests(wire_t *w);
size_t peer_icmp_echo(uint8_t *f, size_t datalen);
size_t peer_udp(uint8_t *f, size_t datalen);
/* TCP segment from PEER:sport to US:TCP_PORT. syn: MSS 1460, SACK-permitted, WS 7. */
size_t peer_tcp(uint8_t *f, uint16_t sport, uint32_t seq, uint32_t ack, uint8_t flags, int syn_opts,
                const uint8_t *data, size_t dlen);
/* Checks (die on failure). */
void check_arp_reply(const uint8_t *f, size_t n);
void check_icmp_reply(const uint8_t *req, size_t reqlen, const uint8_t *f, size_t n);
void check_udp_echo(const uint8_t *req, size_t reqlen, const uint8_t *f, size_t n);
/* A SYN-ACK to sport acking seq+1: returns the stack's ISN. */
uint32_t check_synack(const uint8_t *f, size_t n, uint16_t sport, uint32_t peer_isn);
/* A pure ACK to sport with this ack number. */
void check_ack(const uint8_t *f, size_t n, uint16_t sport, uint32_t ack);
/* An IPv4/TCP frame's flags (0 when not TCP). */
uint8_t frame_tcp_flags(const uint8_t *f, size_t n);

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

#endif
