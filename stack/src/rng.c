/* SPDX-License-Identifier: BSD-3-Clause */
/* rng.c — randomness: the caller's source, or splitmix64 seeded from the config
 * (state lives in the stack, so instances and runs are independent and reproducible). */
#include "internal.h"

void seqs__rng_seed(seqs_stack_t *s, uint64_t seed) { s->rng_state = seed; }

uint32_t seqs_stack_random(seqs_stack_t *s) {
    if (s->rng)
        return s->rng(s->rng_ctx);
    /* splitmix64 (Steele, Lea, Flood 2014) */
    uint64_t z = (s->rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (uint32_t)(z >> 32);
}

uint32_t seqs__random_below(seqs_stack_t *s, uint32_t n) {
    /* Multiply-shift (Lemire): bias below 2^-32 * n, irrelevant for timers and ports. */
    return (uint32_t)(((uint64_t)seqs_stack_random(s) * n) >> 32);
}
