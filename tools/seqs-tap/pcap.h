/* SPDX-License-Identifier: BSD-3-Clause */
/* pcap.h — a minimal classic-pcap writer (LINKTYPE_ETHERNET, microsecond stamps). */
#ifndef SEQS_TAP_PCAP_H
#define SEQS_TAP_PCAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct pcap_writer {
    FILE *f;
    uint32_t frames;
} pcap_writer_t;

int pcap_open(pcap_writer_t *w, const char *path);
/* Records one frame stamped with the wall clock (pcap readers expect epoch time). */
int pcap_write(pcap_writer_t *w, const uint8_t *frame, size_t len);
int pcap_close(pcap_writer_t *w);

#endif
