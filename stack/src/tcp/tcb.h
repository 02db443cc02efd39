/* SPDX-License-Identifier: BSD-3-Clause */
/* stack/src/tcp/tcb.h — the pure TCP control block (RFC 9293 3.10.7).
 *
 * Given a parsed segment, seqs__tcb_input() applies the segment-arrival rules
 * to the sequence variables and reports what the connection layer must do:
 * send an ACK, a RST or a challenge ACK, deliver a slice of the payload,
 * release acknowledged send-buffer bytes, start a state timer. It owns no
 * buffer and no clock, so the unit tests drive it with the RFC figures. */
#ifndef SEQS_TCP_TCB_H
#define SEQS_TCP_TCB_H

#include <stdint.h>
#include "seqs/seqs.h"

/* Sequence-number comparisons modulo 2^32 (RFC 9293 3.4). */
#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b) SEQ_LT(b, a)
#define SEQ_GEQ(a, b) SEQ_LEQ(b, a)

/* Header flags as on the wire. */
#define TCP_FIN 0x01u
#define TCP_SYN 0x02u
#define TCP_RST 0x04u
#define TCP_PSH 0x08u
#define TCP_ACK 0x10u
#define TCP_URG 0x20u

typedef struct seqs__seg {
    uint32_t seq, ack;
    uint32_t len;       /* payload bytes */
    uint32_t wnd;       /* raw 16-bit window field */
    uint8_t flags;
} seqs__seg_t;

/* seqs__tcb_out_t.act bits */
enum {
    TCB_ACK = 1u << 0,          /* send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> now */
    TCB_CHALLENGE = 1u << 1,    /* send an ACK, subject to the RFC 5961 rate limit */
    TCB_RST = 1u << 2,          /* send a RST built from rst_seq/rst_ack/rst_flags */
    TCB_SYNACK = 1u << 3,       /* (re)send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> */
    TCB_ESTABLISHED = 1u << 4,  /* the handshake completed */
    TCB_RESET = 1u << 5,        /* reset by the peer: now CLOSED (err holds the code) */
    TCB_CLOSED = 1u << 6,       /* orderly end: now CLOSED */
    TCB_TIME_WAIT = 1u << 7,    /* (re)start the 2*MSL timer */
    TCB_FIN_WAIT_2 = 1u << 8,   /* our FIN was acknowledged in FIN-WAIT-1 */
    TCB_FIN_IN = 1u << 9,       /* the peer's FIN was consumed (end of stream) */
    TCB_DROP = 1u << 10,        /* the segment was not (fully) processed */
    TCB_DUPACK = 1u << 11,      /* RFC 5681 duplicate ACK */
    TCB_LISTEN = 1u << 12,      /* RST in a passive SYN-RECEIVED: return to LISTEN (free it) */
    TCB_TW_SYN = 1u << 13,      /* acceptable new SYN in TIME-WAIT (RFC 9293 3.10.7.4 / RFC 6191) */
    TCB_WND_UPDATE = 1u << 14,  /* SND.WND changed */
    TCB_OOO = 1u << 15,         /* data beyond RCV.NXT: data_* describe it, the caller queues it */
    TCB_OOW = 1u << 16          /* the ACK answers an unacceptable segment (rate-limited, RFC 5961 10) */
};

typedef struct seqs__tcb_out {
    uint32_t act;
    uint32_t acked;         /* send-buffer bytes newly acknowledged (SYN/FIN excluded) */
    uint32_t data_off;      /* payload[data_off, +data_len) is acceptable ... */
    uint32_t data_len;
    uint32_t data_seq;      /* ... and starts at this sequence number */
    uint8_t fin;            /* the segment's FIN is inside the window (at data_seq+data_len) */
    uint8_t rst_flags;
    uint32_t rst_seq, rst_ack;
    int err;                /* with TCB_RESET: SEQS_ERR_REFUSED or SEQS_ERR_RESET */
} seqs__tcb_out_t;

/* Active open: CLOSED -> SYN-SENT. The SYN is sent with seqs__tcb_sent(). */
void seqs__tcb_connect(seqs__tcb_t *t, uint32_t iss);
/* Passive open from a listener on a SYN: LISTEN -> SYN-RECEIVED. */
void seqs__tcb_accept_syn(seqs__tcb_t *t, uint32_t iss, uint32_t irs, uint32_t wnd);
/* A segment was sent: [seq, seq+len) of data, plus SYN/FIN in flags. */
void seqs__tcb_sent(seqs__tcb_t *t, uint32_t seq, uint32_t len, uint8_t flags);
/* The user's CLOSE (RFC 9293 3.10.4). Returns TCB_CLOSED when the
 * connection ends at once (SYN-SENT), else 0; the FIN is queued. */
uint32_t seqs__tcb_close(seqs__tcb_t *t);
/* Segment arrival for every state but LISTEN and CLOSED (RFC 9293 3.10.7.3-4). */
void seqs__tcb_input(seqs__tcb_t *t, const seqs__seg_t *seg, seqs__tcb_out_t *out);
/* Out-of-order data [RCV.NXT, +n) became contiguous; fin: a FIN follows it. */
void seqs__tcb_rcv_advance(seqs__tcb_t *t, uint32_t n, int fin, seqs__tcb_out_t *out);
/* States in which the peer may still send data / we may still send data. */
int seqs__tcb_can_recv(const seqs__tcb_t *t);
int seqs__tcb_can_send(const seqs__tcb_t *t);

#endif
