/* SPDX-License-Identifier: BSD-3-Clause */
/* impair.h — seqs-tap's link impairments, seeded (the kernel here has no netem):
 * loss, corruption, duplication, reordering, delay with jitter, and a rate limit,
 * applied to each direction between the TAP device and the stack.
 *
 * Each direction is an impair_dir_t: a frame enters with impair_push() and leaves
 * through the deliver callback, at once or later from a FIFO queue (impair_poll(),
 * impair_deadline() for the event loop). Without delay, jitter, rate or reorder the
 * queue does not exist and frames pass synchronously, as without impairments.
 * One generator (splitmix64 from --seed) serves both directions in event order, and
 * it is drawn only for impairments that are on: --loss alone behaves as before. */
#ifndef SEQS_TAP_IMPAIR_H
#define SEQS_TAP_IMPAIR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct impair_cfg {
    double loss, corrupt, duplicate, reorder;   /* probabilities per frame, 0..1 */
    uint64_t delay_us, jitter_us;               /* one way; jitter: uniform +-jitter_us, FIFO kept */
    double rate_bps;                            /* 0: unlimited; else serialisation at this rate */
    uint32_t queue_frames;                      /* frames a direction may hold (tail drop beyond) */
} impair_cfg_t;

typedef struct impair_counters {
    uint64_t lost, corrupted, duplicated, reordered, queue_drop;
} impair_counters_t;

typedef struct impair_slot {
    uint64_t due;
    uint32_t len;
    uint8_t *data;
} impair_slot_t;

typedef struct impair_rng { uint64_t x; } impair_rng_t;

typedef struct impair_dir {
    const impair_cfg_t *cfg;
    impair_rng_t *rng;           /* shared by both directions */
    impair_counters_t cnt;
    impair_slot_t *q;            /* ring; NULL when no impairment needs a queue */
    uint8_t *pool;
    size_t cap, head, count;
    uint64_t last_due;           /* FIFO order under jitter */
    uint64_t link_free;          /* rate: when the link has sent everything queued so far */
    impair_slot_t held;          /* reorder: a frame waiting for the next one to overtake it */
    uint8_t *held_data;
    int have_held;
} impair_dir_t;

typedef void (*impair_deliver_fn)(void *ctx, uint8_t *frame, size_t len, uint64_t now_us);

/* Largest frame a queue holds (bigger ones are dropped as queue_drop). */
#define IMPAIR_FRAME_MAX 2048
/* A held (reordered) frame waits at most this long for a frame to overtake it. */
#define IMPAIR_REORDER_HOLD_US 10000u

/* Options: long option names (without dashes), NULL-terminated, each with an argument. */
extern const char *const impair_options[];
/* Parses option impair_options[idx] with argument arg into cfg. 0, or -1 with err. */
int impair_parse(impair_cfg_t *cfg, size_t idx, const char *arg, char *err, size_t errlen);
/* Help lines of the options. */
void impair_usage(FILE *f);

void impair_rng_seed(impair_rng_t *r, uint64_t seed);
/* Sets up one direction. Returns 0, or -1 when its queue cannot be allocated. */
int impair_init(impair_dir_t *d, const impair_cfg_t *cfg, impair_rng_t *rng);
/* One frame into the direction (the buffer may be modified: corruption). */
void impair_push(impair_dir_t *d, uint8_t *frame, size_t len, uint64_t now_us, impair_deliver_fn fn, void *ctx);
/* Delivers every queued frame that is due at now_us. */
void impair_poll(impair_dir_t *d, uint64_t now_us, impair_deliver_fn fn, void *ctx);
/* When impair_poll() next has work (UINT64_MAX: never). */
uint64_t impair_deadline(const impair_dir_t *d);
/* Writes the direction's counters as JSON members with this suffix ("_rx"): "corrupt_rx":1,... */
void impair_report(const impair_dir_t *d, const char *suffix, FILE *f);

#endif
