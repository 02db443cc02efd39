/* SPDX-License-Identifier: BSD-3-Clause */
/* pcap.c — classic pcap (not pcapng): every reader (scapy, tshark, wireshark) opens it. */
#define _POSIX_C_SOURCE 200809L
#include "pcap.h"

#include <string.h>
#include <time.h>

#define PCAP_SNAPLEN 65535u

/* The file is written in host byte order; the magic tells readers which one. */
static int put32(FILE *f, uint32_t v) { return fwrite(&v, 4, 1, f) == 1 ? 0 : -1; }
static int put16(FILE *f, uint16_t v) { return fwrite(&v, 2, 1, f) == 1 ? 0 : -1; }

int pcap_open(pcap_writer_t *w, const char *path)
{
    memset(w, 0, sizeof *w);
    w->f = fopen(path, "wbe");
    if (!w->f)
        return -1;
    int rc = put32(w->f, 0xa1b2c3d4u);   /* microsecond resolution */
    rc |= put16(w->f, 2);
    rc |= put16(w->f, 4);
    rc |= put32(w->f, 0);                 /* thiszone */
    rc |= put32(w->f, 0);                 /* sigfigs */
    rc |= put32(w->f, PCAP_SNAPLEN);
    rc |= put32(w->f, 1);                 /* LINKTYPE_ETHERNET */
    return rc;
}

int pcap_write(pcap_writer_t *w, const uint8_t *frame, size_t len)
{
    if (!w->f)
        return 0;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint32_t caplen = len > PCAP_SNAPLEN ? PCAP_SNAPLEN : (uint32_t)len;
    int rc = put32(w->f, (uint32_t)ts.tv_sec);
    rc |= put32(w->f, (uint32_t)(ts.tv_nsec / 1000));
    rc |= put32(w->f, caplen);
    rc |= put32(w->f, (uint32_t)len);
    if (fwrite(frame, 1, caplen, w->f) != caplen)
        rc = -1;
    w->frames++;
    return rc;
}

int pcap_close(pcap_writer_t *w)
{
    if (!w->f)
        return 0;
    int rc = fclose(w->f);
    w->f = NULL;
    return rc;
}
