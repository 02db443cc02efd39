/* SPDX-License-Identifier: BSD-3-Clause */
/* impair.c — seeded link impairments of seqs-tap (see impair.h). */
#include "impair.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const impair_options[] = {"loss", "corrupt", "duplicate", "reorder", "delay", "rate", NULL};

void impair_usage(FILE *f)
{
    fprintf(f,
        "\nlink impairments, each direction, seeded by --seed (the pcap shows frames as the stack\n"
        "received them, after impairment, and as it sent them, before):\n"
        "  --loss P            drop fraction P (0..1) of frames\n"
        "  --corrupt P         flip one random bit after the Ethernet header in fraction P of frames\n"
        "  --duplicate P       deliver fraction P of frames twice\n"
        "  --reorder P         hold fraction P of frames back until the next frame has passed\n"
        "                      (at most %u ms)\n"
        "  --delay MS[:JITTER] delay every frame by MS milliseconds, +- uniform JITTER (order kept)\n"
        "  --rate MBIT         serialise frames at MBIT megabits/s (queue of %u frames, tail drop)\n",
        IMPAIR_REORDER_HOLD_US / 1000u, 1024u);
}

static int parse_num(const char *s, double lo, double hi, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v) || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int impair_parse(impair_cfg_t *cfg, size_t idx, const char *arg, char *err, size_t errlen)
{
    const char *name = impair_options[idx];
    double v;
    if (idx <= 3) {
        if (parse_num(arg, 0.0, 1.0, &v) < 0) {
            snprintf(err, errlen, "--%s: expected a number in 0..1, got '%s'", name, arg);
            return -1;
        }
        double *p[] = {&cfg->loss, &cfg->corrupt, &cfg->duplicate, &cfg->reorder};
        *p[idx] = v;
        return 0;
    }
    if (idx == 4) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s", arg);
        char *colon = strchr(buf, ':');
        double j = 0;
        if (colon)
            *colon = 0;
        if (parse_num(buf, 0.0, 60000.0, &v) < 0 || (colon && parse_num(colon + 1, 0.0, 60000.0, &j) < 0)) {
            snprintf(err, errlen, "--delay: expected MS[:JITTER_MS] with values in 0..60000, got '%s'", arg);
            return -1;
        }
        cfg->delay_us = (uint64_t)llround(v * 1000.0);
        cfg->jitter_us = (uint64_t)llround(j * 1000.0);
        return 0;
    }
    if (parse_num(arg, 0.001, 100000.0, &v) < 0) {
        snprintf(err, errlen, "--rate: expected megabits/s in 0.001..100000, got '%s'", arg);
        return -1;
    }
    cfg->rate_bps = v * 1e6;
    return 0;
}

void impair_rng_seed(impair_rng_t *r, uint64_t seed)
{
    r->x = seed ^ 0x5eb5a7a9d00dull;   /* a stream distinct from the stack's */
}

/* splitmix64: tiny, good enough for Bernoulli draws, reproducible from --seed. */
static uint64_t rng_next(impair_rng_t *r)
{
    uint64_t z = (r->x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double rng_unit(impair_rng_t *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static int rng_hit(impair_rng_t *r, double p)
{
    return p > 0.0 && rng_unit(r) < p;
}

static int needs_queue(const impair_cfg_t *c)
{
    return c->delay_us || c->jitter_us || c->rate_bps > 0 || c->reorder > 0;
}

int impair_init(impair_dir_t *d, const impair_cfg_t *cfg, impair_rng_t *rng)
{
    memset(d, 0, sizeof *d);
    d->cfg = cfg;
    d->rng = rng;
    if (!needs_queue(cfg))
        return 0;
    d->cap = cfg->queue_frames ? cfg->queue_frames : 1024u;
    d->q = calloc(d->cap, sizeof *d->q);
    d->pool = malloc(d->cap * IMPAIR_FRAME_MAX);
    d->held_data = malloc(IMPAIR_FRAME_MAX);
    if (!d->q || !d->pool || !d->held_data)
        return -1;
    for (size_t i = 0; i < d->cap; i++)
        d->q[i].data = d->pool + i * IMPAIR_FRAME_MAX;
    return 0;
}

static void enqueue(impair_dir_t *d, const uint8_t *f, size_t len, uint64_t due)
{
    if (d->count == d->cap || len > IMPAIR_FRAME_MAX) {
        d->cnt.queue_drop++;
        return;
    }
    impair_slot_t *s = &d->q[(d->head + d->count) % d->cap];
    memcpy(s->data, f, len);
    s->len = (uint32_t)len;
    s->due = due;
    d->count++;
}

/* When a frame arriving now leaves the link: delay +- jitter, never before an
 * earlier frame (FIFO), then serialised behind what the rate limit still holds. */
static uint64_t schedule(impair_dir_t *d, size_t len, uint64_t now)
{
    const impair_cfg_t *c = d->cfg;
    int64_t due = (int64_t)(now + c->delay_us);
    if (c->jitter_us)
        due += (int64_t)llround((rng_unit(d->rng) * 2.0 - 1.0) * (double)c->jitter_us);
    uint64_t t = due < (int64_t)now ? now : (uint64_t)due;
    if (t < d->last_due)
        t = d->last_due;
    if (c->rate_bps > 0) {
        uint64_t start = t > d->link_free ? t : d->link_free;
        t = start + (uint64_t)llround((double)len * 8.0 * 1e6 / c->rate_bps);
        d->link_free = t;
    }
    d->last_due = t;
    return t;
}

void impair_push(impair_dir_t *d, uint8_t *f, size_t len, uint64_t now, impair_deliver_fn fn, void *ctx)
{
    const impair_cfg_t *c = d->cfg;
    if (rng_hit(d->rng, c->loss)) {
        d->cnt.lost++;
        return;
    }
    if (rng_hit(d->rng, c->corrupt) && len > 0) {
        /* After the Ethernet header, so the frame still reaches its receiver and
         * the IP/transport checksums are what notices. */
        size_t lo = len > 14 ? 14 : 0;
        size_t at = lo + (size_t)(rng_next(d->rng) % (len - lo));
        f[at] ^= (uint8_t)(1u << (rng_next(d->rng) % 8));
        d->cnt.corrupted++;
    }
    int copies = 1;
    if (rng_hit(d->rng, c->duplicate)) {
        d->cnt.duplicated++;
        copies = 2;
    }
    if (!d->q) {
        for (int i = 0; i < copies; i++)
            fn(ctx, f, len, now);
        return;
    }
    if (!d->have_held && rng_hit(d->rng, c->reorder) && len <= IMPAIR_FRAME_MAX) {
        /* Held back: the next frame overtakes it (or the hold times out). */
        memcpy(d->held_data, f, len);
        d->held.len = (uint32_t)len;
        d->held.due = now + IMPAIR_REORDER_HOLD_US;
        d->have_held = 1;
        d->cnt.reordered++;
        if (copies == 2)
            enqueue(d, f, len, schedule(d, len, now));
    } else {
        for (int i = 0; i < copies; i++)
            enqueue(d, f, len, schedule(d, len, now));
        if (d->have_held) {
            enqueue(d, d->held_data, d->held.len, schedule(d, d->held.len, now));
            d->have_held = 0;
        }
    }
    impair_poll(d, now, fn, ctx);
}

void impair_poll(impair_dir_t *d, uint64_t now, impair_deliver_fn fn, void *ctx)
{
    if (!d->q)
        return;
    if (d->have_held && d->held.due <= now) {
        enqueue(d, d->held_data, d->held.len, schedule(d, d->held.len, now));
        d->have_held = 0;
    }
    while (d->count && d->q[d->head].due <= now) {
        impair_slot_t *s = &d->q[d->head];
        d->head = (d->head + 1) % d->cap;
        d->count--;
        /* The slot is free now but not overwritten before fn returns: fn may push
         * into the OTHER direction only. */
        fn(ctx, s->data, s->len, now);
    }
}

uint64_t impair_deadline(const impair_dir_t *d)
{
    uint64_t t = UINT64_MAX;
    if (d->q && d->count)
        t = d->q[d->head].due;
    if (d->have_held && d->held.due < t)
        t = d->held.due;
    return t;
}

void impair_report(const impair_dir_t *d, const char *sfx, FILE *f)
{
    fprintf(f, ",\"corrupt%s\":%llu,\"duplicate%s\":%llu,\"reorder%s\":%llu,\"queue_drop%s\":%llu,\"queued%s\":%zu",
            sfx, (unsigned long long)d->cnt.corrupted, sfx, (unsigned long long)d->cnt.duplicated, sfx,
            (unsigned long long)d->cnt.reordered, sfx, (unsigned long long)d->cnt.queue_drop, sfx, d->count);
}
