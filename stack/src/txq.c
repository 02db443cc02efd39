/* SPDX-License-Identifier: BSD-3-Clause */
/* txq.c — the transmit queue: built frames waiting for seqs_stack_output().
 *
 * A ring of [u16 length][frame] records. Each record is contiguous so a frame
 * can be built in place: one that does not fit before the end of the buffer
 * starts again at offset 0, and `wrap` remembers where the valid data ended
 * (0 while the data does not wrap). */
#include <string.h>

#include "internal.h"

#define REC_HDR 2u   /* seqs__txq_peek (internal.h) knows it too */
#define CAP ((uint32_t)SEQS_TXQ_BYTES)

uint8_t *seqs__txq_reserve(seqs_stack_t *s, size_t len) {
    struct seqs_txq *q = &s->txq;
    if (len > 0xFFFFu || len + REC_HDR > CAP)
        return NULL;
    uint32_t need = (uint32_t)len + REC_HDR;
    if (q->count == 0)
        q->head = q->tail = q->wrap = 0;
    q->resv_wraps = 0;
    if (q->wrap == 0) {
        if (q->tail + need <= CAP) {
            q->resv_off = q->tail;
        } else if (need <= q->head) {
            q->resv_off = 0;
            q->resv_wraps = 1;
        } else {
            return NULL;
        }
    } else if (q->tail + need <= q->head) {
        q->resv_off = q->tail;
    } else {
        return NULL;
    }
    return q->buf + q->resv_off + REC_HDR;
}

void seqs__txq_commit(seqs_stack_t *s, size_t len) {
    struct seqs_txq *q = &s->txq;
    seqs__put16(q->buf + q->resv_off, (uint16_t)len);
    if (q->resv_wraps)
        q->wrap = q->tail;
    q->tail = q->resv_off + REC_HDR + (uint32_t)len;
    q->count++;
}

seqs__txq_mark_t seqs__txq_mark(const seqs_stack_t *s) {
    seqs__txq_mark_t m = {s->txq.tail, s->txq.wrap, s->txq.count};
    return m;
}

void seqs__txq_rollback(seqs_stack_t *s, seqs__txq_mark_t m) {
    s->txq.tail = m.tail;
    s->txq.wrap = m.wrap;
    s->txq.count = m.count;
}

int seqs__txq_push(seqs_stack_t *s, const uint8_t *frame, size_t len) {
    uint8_t *p = seqs__txq_reserve(s, len);
    if (!p) {
        SEQS_CNT(s, txq_full);
        return SEQS_ERR_NOBUFS;
    }
    memcpy(p, frame, len);
    seqs__txq_commit(s, len);
    return SEQS_OK;
}

void seqs__txq_pop(seqs_stack_t *s) {
    struct seqs_txq *q = &s->txq;
    if (q->count == 0)
        return;
    q->head += REC_HDR + seqs__be16(q->buf + q->head);
    q->count--;
    if (q->count == 0)
        q->head = q->tail = q->wrap = 0;
    else if (q->wrap && q->head == q->wrap) {
        q->head = 0;
        q->wrap = 0;
    }
}
