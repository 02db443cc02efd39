/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/err.h — error codes returned by every seqs_* call.
 *
 * Errors are a small enum returned by value (negative), results go through
 * out-parameters or a non-negative return. seqs_strerror() gives a one-line
 * message that the bindings turn into exception text. */
#ifndef SEQS_ERR_H
#define SEQS_ERR_H

typedef enum seqs_err {
    SEQS_OK = 0,
    SEQS_ERR_INVAL = -1,       /* invalid argument (NULL pointer, bad value) */
    SEQS_ERR_LIMIT = -2,       /* configuration beyond a compile-time limit in seqs/opts.h */
    SEQS_ERR_NOBUFS = -3,      /* caller buffer too small, or an internal queue is full */
    SEQS_ERR_AGAIN = -4,       /* nothing available now; try again later */
    SEQS_ERR_NOADDR = -5,      /* no IPv4 address configured (or still tentative) */
    SEQS_ERR_INUSE = -6,       /* address/port already in use */
    SEQS_ERR_BADHANDLE = -7,   /* socket handle invalid, closed, or stale (reused slot) */
    SEQS_ERR_UNREACH = -8,     /* destination unreachable (no route, ARP failed, ICMP unreachable) */
    SEQS_ERR_MSGSIZE = -9,     /* message too large to send */
    SEQS_ERR_NOTCONN = -10,    /* socket not connected */
    SEQS_ERR_NOSLOT = -11,     /* every socket/connection slot is in use */
    SEQS_ERR_REFUSED = -12,    /* connection refused (RST or ICMP port unreachable) */
    SEQS_ERR_RESET = -13,      /* connection reset by peer */
    SEQS_ERR_TIMEDOUT = -14,   /* retransmission or keepalive gave up */
    SEQS_ERR_CLOSED = -15,     /* operation on a closed/closing endpoint (e.g. write after shutdown) */
    SEQS_ERR_STATE = -16,      /* operation not valid in the current state */
    SEQS_ERR_CONFLICT = -17    /* address conflict detected (RFC 5227) */
} seqs_err_t;

/* One-line English description of err (never NULL, "unknown error" for others).
 * Built with SEQS_NAMES 0 (seqs/opts.h): "success" for 0, "error" otherwise. */
const char *seqs_strerror(int err);

#endif
