/* SPDX-License-Identifier: BSD-3-Clause */
/* sim/profiles/compact/seqs_sim_opts.h — the "compact" stack profile of seqs-sim.
 *
 * seqs-sim (the default executable) builds the core with this SEQS_OPTS_FILE, so that
 * 10,000 stacks fit in one process: ~12 KB per seqs_stack_t instead of ~38 KB with the
 * core's defaults. A scenario that needs more (fragmented datagrams above 2 KB, more than
 * 4 TCP connections per node, SYN-cookie fan-in) says `[stack] profile = "default"` and
 * runs on seqs-sim-default, built with the core's own defaults (seqs/opts.h).
 * The sizes below are checked by scenarios/scale-*.toml and pytest/sim/test_scale.py. */
#ifndef SEQS_SIM_OPTS_COMPACT_H
#define SEQS_SIM_OPTS_COMPACT_H

/* One reassembly of up to 2 KB (a 1500-byte MTU datagram needs none). */
#define SEQS_REASM_SLOTS 1
#define SEQS_REASM_MAX_BYTES 2048
/* Built frames waiting for the adapter's pull: the adapter drains the queue after every
 * call into the stack, so a few frames of room is enough. */
#define SEQS_TXQ_BYTES 4096
/* Datagrams waiting for ARP: a ping or a SYN per unresolved neighbour. */
#define SEQS_ARP_QUEUE_BYTES 2048
#define SEQS_MAX_UDP_SOCKETS 4
#define SEQS_MAX_TCP_LISTENERS 2
#define SEQS_MAX_TCP_CONNS 4
#define SEQS_TCP_COOKIE_HOLD 2

#endif
