/* SPDX-License-Identifier: BSD-3-Clause */
/* stack/src/tcp/tcp_int.h — what the TCP files share (not installed). */
#ifndef SEQS_TCP_INT_H
#define SEQS_TCP_INT_H

#include "internal.h"
#include "tcb.h"

typedef seqs__tcp_conn_t conn_t;
typedef seqs__tcp_listener_t listener_t;

#define TCP_HDR 20u
#define TCP_MAX_OPT 40u
#define TCP_DEFAULT_MSS 536u    /* RFC 9293 3.7.1: when the peer sends no MSS option */
#define US_PER_MS 1000u

/* Options parsed from a segment (RFC 9293 3.2, RFC 7323, RFC 2018). */
typedef struct tcp_opts {
    uint8_t has_mss, has_ws, sack_perm, has_ts;
    uint16_t mss;
    uint8_t ws;
    uint32_t tsval, tsecr;
    uint8_t nsack;
    seqs__range_t sack[4];
} tcp_opts_t;

/* A received segment after validation. */
typedef struct tcp_rx {
    uint32_t src, dst;
    uint16_t sport, dport;
    seqs__seg_t seg;
    const uint8_t *payload;
    tcp_opts_t opt;
    uint16_t urg;
} tcp_rx_t;

/* opt.c: options of a validated segment; 0, or -1 when the list is malformed. */
struct seqs_tcp_view;
int seqs__tcp_parse_opts(const struct seqs_tcp_view *v, int syn, tcp_opts_t *o);

/* isn.c */
uint32_t seqs__tcp_isn(seqs_stack_t *s, uint32_t la, uint16_t lp, uint32_t ra, uint16_t rp);
uint32_t seqs__tcp_cookie_make(seqs_stack_t *s, const tcp_rx_t *r, uint16_t mss, int sack);
/* Returns 0 for a bad cookie, else fills *mss and *sack. */
int seqs__tcp_cookie_check(seqs_stack_t *s, const tcp_rx_t *r, uint32_t cookie, uint16_t *mss, int *sack);

/* conn.c */
conn_t *seqs__tcp_conn_alloc(seqs_stack_t *s, int evict_time_wait);
void seqs__tcp_conn_release(seqs_stack_t *s, conn_t *c);
/* Sets buffers, MSS, timers for a new connection. */
void seqs__tcp_conn_setup(seqs_stack_t *s, conn_t *c, uint16_t mtu);
uint8_t seqs__tcp_wscale_for(uint32_t cap);
void seqs__tcp_conn_set_mss(conn_t *c, uint16_t mtu);
uint32_t seqs__tcp_sacked_bytes(const conn_t *c);
/* RFC 8985 7: (re)arms the tail loss probe timer after new data was sent or acknowledged. */
void seqs__tcp_arm_tlp(seqs_stack_t *s, conn_t *c);
void seqs__tcp_conn_input(seqs_stack_t *s, conn_t *c, const tcp_rx_t *r);
void seqs__tcp_conn_timers(seqs_stack_t *s, conn_t *c);
uint64_t seqs__tcp_conn_deadline(const seqs_stack_t *s, const conn_t *c);
int seqs__tcp_conn_output(seqs_stack_t *s, conn_t *c, uint8_t *buf, size_t cap);
void seqs__tcp_conn_set_error(seqs_stack_t *s, conn_t *c, int err);
/* The connection reached CLOSED (or a final error): free the slot if nobody
 * needs it any more. */
void seqs__tcp_conn_closed(seqs_stack_t *s, conn_t *c);
uint32_t seqs__tcp_rcv_window(const conn_t *c);
uint16_t seqs__tcp_mtu(seqs_stack_t *s, uint32_t dst);
uint32_t seqs__tcp_now_ms(const seqs_stack_t *s);
/* Low 32 bits of n / d for 0 < d < 65536, with 32-bit divisions only. */
uint32_t seqs__tcp_div16(uint64_t n, uint32_t d);

/* Builds a bare segment (RST/ACK) and sends it through seqs__ip_send. */
void seqs__tcp_send_ctl(seqs_stack_t *s, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                        uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd, const uint8_t *opts,
                        size_t optlen);
/* RFC 9293 3.10.7.1: the RST answering a segment that has no connection. */
void seqs__tcp_reset_reply(seqs_stack_t *s, const tcp_rx_t *r);
/* 1 when a reply to an unacceptable segment may be sent now (per connection). */
int seqs__tcp_oow_ok(seqs_stack_t *s, conn_t *c);
/* RFC 5961 7: 1 when a challenge ACK may be sent now. */
int seqs__tcp_challenge_ok(seqs_stack_t *s);

/* tcp.c: the work list and the 4-tuple hash */
static inline unsigned tcp_idx(const seqs_stack_t *s, const conn_t *c) { return (unsigned)(c - s->tcp.conns); }
/* Something touched c: output and timers look at it at their next call. */
void seqs__tcp_work(seqs_stack_t *s, conn_t *c);
void seqs__tcp_unwork(seqs_stack_t *s, conn_t *c);
/* Enters c (its 4-tuple just set) into the hash; conn_release takes it out. */
void seqs__tcp_hash_add(seqs_stack_t *s, conn_t *c);
void seqs__tcp_hash_del(seqs_stack_t *s, conn_t *c);
/* The connection of a 4-tuple that is not CLOSED, or NULL. */
conn_t *seqs__tcp_lookup(seqs_stack_t *s, uint32_t la, uint16_t lp, uint32_t ra, uint16_t rp);
/* conn_out.c: the earliest timer of c (without pending output); SEQS_NEVER when none. */
uint64_t seqs__tcp_conn_timer_deadline(const conn_t *c);
/* RFC 5681 4.1 restart window after an idle period (applied before sending). */
void seqs__tcp_idle_restart(seqs_stack_t *s, conn_t *c);

/* listen.c */
void seqs__tcp_listen_input(seqs_stack_t *s, listener_t *l, const tcp_rx_t *r);
listener_t *seqs__tcp_find_listener(seqs_stack_t *s, uint16_t port);
/* A passive connection died before accept(): return its pool slot. */
void seqs__tcp_listener_release_slot(seqs_stack_t *s, conn_t *c);

static inline uint64_t tcp_ms(uint32_t ms) { return (uint64_t)ms * US_PER_MS; }

#endif
