/* SPDX-License-Identifier: BSD-3-Clause */
/* svc_udp_echo.c — --udp-echo PORT: RFC 862 echo over UDP. Each datagram goes
 * back to its sender, from the address it was sent to (unless that was a
 * broadcast/multicast address: then from our own address). */
#include <stdlib.h>
#include <string.h>

#include "service.h"

#define UDP_ECHO_RXBUF (64 * 1024)
#define UDP_ECHO_MAX_DGRAM 65507

typedef struct udp_echo {
    uint16_t port;
    seqs_udp_t sock;
    uint8_t *rxbuf;            /* the socket's receive ring (handed to the stack) */
    uint8_t *dgram;            /* one datagram between recv and send */
    int held;                  /* dgram holds a datagram not yet queued (tx queue was full) */
    size_t held_len;
    seqs_udp_meta_t held_meta;
    uint32_t rx, tx, truncated, send_err, retries;
} udp_echo_t;

static int udp_echo_parse(svc_t *sv, const char *arg, char *err, size_t errlen)
{
    udp_echo_t *st = sv->state;
    char *end = NULL;
    long v = strtol(arg, &end, 10);
    if (!*arg || *end || v < 1 || v > 65535) {
        snprintf(err, errlen, "--udp-echo: port must be 1..65535, got '%s'", arg);
        return -1;
    }
    st->port = (uint16_t)v;
    return 0;
}

static int udp_echo_start(svc_t *sv, seqs_stack_t *s, uint64_t now_us, char *err, size_t errlen)
{
    (void)now_us;
    udp_echo_t *st = sv->state;
    st->rxbuf = malloc(UDP_ECHO_RXBUF);
    st->dgram = malloc(UDP_ECHO_MAX_DGRAM);
    if (!st->rxbuf || !st->dgram) {
        snprintf(err, errlen, "udp-echo: out of memory");
        return -1;
    }
    int rc = seqs_udp_open(s, &st->sock, st->rxbuf, UDP_ECHO_RXBUF);
    if (rc == SEQS_OK)
        rc = seqs_udp_bind(s, st->sock, 0, st->port);
    if (rc != SEQS_OK) {
        snprintf(err, errlen, "udp-echo %u: %s", st->port, seqs_strerror(rc));
        return -1;
    }
    return 0;
}

static int udp_echo_poll(svc_t *sv, seqs_stack_t *s, uint64_t now_us)
{
    (void)now_us;
    udp_echo_t *st = sv->state;
    int did = 0;
    for (int budget = 64; budget > 0; budget--) {
        if (!st->held) {
            int n = seqs_udp_recvfrom(s, st->sock, st->dgram, UDP_ECHO_MAX_DGRAM, &st->held_meta);
            if (n < 0)
                break;   /* SEQS_ERR_AGAIN: nothing waiting */
            st->rx++;
            if (st->held_meta.truncated)
                st->truncated++;
            st->held = 1;
            st->held_len = (size_t)n;
            did = 1;
            uint32_t ours = seqs_stack_addr(s, NULL, NULL);
            if (st->held_meta.local_addr != ours)
                st->held_meta.local_addr = 0;   /* asked on broadcast/multicast: answer from our address */
        }
        int rc = seqs_udp_sendmsg(s, st->sock, st->dgram, st->held_len, &st->held_meta);
        if (rc == SEQS_ERR_NOBUFS) {
            /* Transmit queue full: keep the datagram, let the loop drain and call again. */
            st->retries++;
            return 1;
        }
        st->held = 0;
        if (rc < 0)
            st->send_err++;
        else
            st->tx++;
        did = 1;
    }
    return did;
}

static void udp_echo_report(const svc_t *sv, FILE *f)
{
    const udp_echo_t *st = sv->state;
    fprintf(f, "\"port\":%u,\"rx\":%u,\"tx\":%u,\"truncated\":%u,\"send_err\":%u,\"retries\":%u",
            st->port, st->rx, st->tx, st->truncated, st->send_err, st->retries);
}

static void udp_echo_stop(svc_t *sv, seqs_stack_t *s)
{
    udp_echo_t *st = sv->state;
    if (st->sock)
        seqs_udp_close(s, st->sock);
    free(st->rxbuf);
    free(st->dgram);
    st->rxbuf = st->dgram = NULL;
}

const svc_ops_t svc_udp_echo = {
    .option = "udp-echo",
    .argname = "PORT",
    .help = "echo every UDP datagram received on PORT back to its sender (RFC 862)",
    .state_size = sizeof(udp_echo_t),
    .parse = udp_echo_parse,
    .start = udp_echo_start,
    .poll = udp_echo_poll,
    .report = udp_echo_report,
    .stop = udp_echo_stop,
};
