/* SPDX-License-Identifier: BSD-3-Clause */
/* fw_opts.h — the core's limits for the firmware images (SEQS_OPTS_FILE), chosen so
 * the Pico W's network RAM (stack + apps + buffers) stays within 64 KB; anything not
 * set here keeps its default from seqs/opts.h. Both boards use the same file, so the
 * QEMU tests run the configuration that ships on the Pico W. */
#ifndef SEQS_FW_OPTS_H
#define SEQS_FW_OPTS_H

/* Largest datagram reassembled (default 8192): a 4000-byte ping still fits. */
#define SEQS_REASM_MAX_BYTES 4096
/* Frames waiting to be pulled by the driver (default 12288). */
#define SEQS_TXQ_BYTES 8192
/* TCP connection slots (default 8): 2 echo + 1 (+1 refused) HTTP + TIME-WAIT leftovers. */
#define SEQS_MAX_TCP_CONNS 6

/* Per DNS query: the UDP receive ring (answers <= 512 bytes), or the TCP fallback's rings
 * + answer (default 1536; with 1024 a TCP answer may be 360 bytes). */
#define SEQS_DNS_QUERY_BUF 1024

#endif
