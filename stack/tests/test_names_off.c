/* SPDX-License-Identifier: BSD-3-Clause */
/* test_names_off.c — SEQS_NAMES 0 (seqs/opts.h) compiles the counter names and
 * error strings out: seqs_counter_name() is NULL for every index and
 * seqs_strerror() says only "success" or "error"; the counters still count.
 * The two sources are compiled into this test with the option off (the seqs
 * library the other tests link has it on, as every hosted build does). */
#define SEQS_NAMES 0
#include "../src/counters.c"
#include "../src/err.c"

#include "check.h"

static seqs_stack_t st;

static void test_counter_names_are_null_and_values_still_read(void) {
    for (unsigned i = 0; i <= SEQS_COUNTER_COUNT; i++)
        CHECK(seqs_counter_name(i) == NULL);
    seqs_config_t c;
    seqs_config_default(&c);
    c.mac[0] = 2;
    c.mac[5] = 1;
    CHECK_EQ(seqs_stack_init(&st, &c), SEQS_OK);
    uint8_t runt[10] = {0};
    seqs_stack_input(&st, runt, sizeof runt, 0);
    CHECK_EQ(seqs_counter_value(&st, SEQS_CNT_eth_drop_runt), 1);
}

static void test_strerror_is_short_and_never_null(void) {
    CHECK(strcmp(seqs_strerror(SEQS_OK), "success") == 0);
    CHECK(strcmp(seqs_strerror(SEQS_ERR_BADHANDLE), "error") == 0);
    CHECK(strcmp(seqs_strerror(-1000), "error") == 0);
}

int main(void) {
    RUN(test_counter_names_are_null_and_values_still_read);
    RUN(test_strerror_is_short_and_never_null);
    return check_result();
}
