/* SPDX-License-Identifier: BSD-3-Clause */
/* test_tcp_names_off.c — SEQS_NAMES 0 (seqs/opts.h) compiles the TCP state
 * names out: seqs_tcp_state_name() returns "" (never NULL) for every value.
 * api.c is compiled into this test with the option off (the library the
 * other tests link has it on, as every hosted build does). */
#define SEQS_NAMES 0
#include "../src/tcp/api.c"

#include "check.h"

static void test_state_names_are_empty_never_null(void) {
    for (int st = -1; st <= SEQS_TCP_TIME_WAIT + 1; st++) {
        const char *n = seqs_tcp_state_name(st);
        CHECK(n != NULL);
        CHECK(n != NULL && n[0] == '\0');
    }
}

int main(void) {
    RUN(test_state_names_are_empty_never_null);
    return check_result();
}
