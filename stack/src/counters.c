/* SPDX-License-Identifier: BSD-3-Clause */
/* counters.c — counter access by index, generated from the X-macro list. */
#include <string.h>

#include "internal.h"

#if SEQS_NAMES
static const char *const counter_names[SEQS_COUNTER_COUNT] = {
#define SEQS_X_NAME(name) #name,
    SEQS_COUNTERS(SEQS_X_NAME)
#undef SEQS_X_NAME
};
#endif

static const uint16_t counter_offsets[SEQS_COUNTER_COUNT] = {
#define SEQS_X_OFF(name) (uint16_t)offsetof(seqs_counters_t, name),
    SEQS_COUNTERS(SEQS_X_OFF)
#undef SEQS_X_OFF
};

const seqs_counters_t *seqs_stack_counters(const seqs_stack_t *s) { return s ? &s->cnt : NULL; }

#if SEQS_NAMES
const char *seqs_counter_name(unsigned i) { return i < SEQS_COUNTER_COUNT ? counter_names[i] : NULL; }
#else
const char *seqs_counter_name(unsigned i) {   /* names compiled out (SEQS_NAMES 0) */
    (void)i;
    return NULL;
}
#endif

uint32_t seqs_counter_value(const seqs_stack_t *s, unsigned i) {
    uint32_t v = 0;
    if (s && i < SEQS_COUNTER_COUNT)
        memcpy(&v, (const uint8_t *)&s->cnt + counter_offsets[i], sizeof v);
    return v;
}
