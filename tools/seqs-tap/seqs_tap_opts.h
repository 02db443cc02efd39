/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs_tap_opts.h — compile-time limits of the stack inside seqs-tap.
 *
 * seqs-tap links its own copy of the core (tools/CMakeLists.txt: library
 * seqs_tap_core, compiled with -DSEQS_OPTS_FILE="seqs_tap_opts.h"), so these
 * limits apply to seqs-tap only; libseqs, the Python module, the firmware ...
 * keep the defaults of seqs/opts.h and seqs/tcp_opts.h.
 *
 * A host tool serving real Linux peers needs more than a small device: the
 * interop suite opens 100 concurrent connections to one --tcp-echo port. The
 * RAM this costs is reported in the JSON ("sizes": sizeof the stack and of one
 * TCP connection's control block; buffers are the services' own). */
#ifndef SEQS_TAP_OPTS_H
#define SEQS_TAP_OPTS_H

/* Connections (the stack-wide table; < 256, see tcp_opts.h). */
#define SEQS_MAX_TCP_CONNS 128
/* Listeners: one per --tcp-echo/--tcp-discard/--tcp-source instance. */
#define SEQS_MAX_TCP_LISTENERS 16
#define SEQS_MAX_UDP_SOCKETS 16
/* Buffer slots one listener's pool may be cut into: every connection a
 * listener accepts lives in one slot, so this bounds concurrent connections
 * per port (the interop suite opens 100 on one --tcp-echo port). */
#define SEQS_TCP_POOL_SLOTS 128
/* Many Linux peers (bridge tests) and their ARP entries. */
#define SEQS_ARP_CACHE_SIZE 32
#define SEQS_ARP_QUEUE_BYTES 16384
/* Frames queued between two seqs_stack_output() drains (ICMP/UDP bursts). */
#define SEQS_TXQ_BYTES 65536
/* Out-of-order ranges / SACK scoreboard: more holes survive a lossy link. */
#define SEQS_TCP_OOO_RANGES 8
#define SEQS_TCP_SACK_RANGES 8

#endif
