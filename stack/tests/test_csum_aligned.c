/* SPDX-License-Identifier: BSD-3-Clause */
/* test_csum_aligned.c — the checksum's path for targets that fault on
 * unaligned loads (Cortex-M0+: byte, half-word and word prologue, then aligned
 * words; an odd start sums the data one byte off and skips the final swap),
 * compiled here on the host with SEQS_CSUM_ANY_ALIGNMENT 0 and run through
 * test_csum_blocks.c's checks (every start offset mod 8, lengths, splits). */
#define SEQS_CSUM_ANY_ALIGNMENT 0
#include "../src/csum.c"
#include "test_csum_blocks.c"
