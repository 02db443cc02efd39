/* SPDX-License-Identifier: BSD-3-Clause */
/* err.c — messages for seqs_err_t. */
#include "seqs/err.h"
#include "seqs/opts.h"

#if !SEQS_NAMES
const char *seqs_strerror(int err) { return err == SEQS_OK ? "success" : "error"; }   /* SEQS_NAMES 0 */
#else
const char *seqs_strerror(int err) {
    switch (err) {
    case SEQS_OK: return "success";
    case SEQS_ERR_INVAL: return "invalid argument";
    case SEQS_ERR_LIMIT: return "configuration exceeds a compile-time limit";
    case SEQS_ERR_NOBUFS: return "no buffer space";
    case SEQS_ERR_AGAIN: return "try again later";
    case SEQS_ERR_NOADDR: return "no usable IPv4 address";
    case SEQS_ERR_INUSE: return "address or port in use";
    case SEQS_ERR_BADHANDLE: return "invalid or stale handle";
    case SEQS_ERR_UNREACH: return "destination unreachable";
    case SEQS_ERR_MSGSIZE: return "message too large";
    case SEQS_ERR_NOTCONN: return "not connected";
    case SEQS_ERR_NOSLOT: return "no free slot";
    case SEQS_ERR_REFUSED: return "connection refused";
    case SEQS_ERR_RESET: return "connection reset by peer";
    case SEQS_ERR_TIMEDOUT: return "timed out";
    case SEQS_ERR_CLOSED: return "endpoint closed";
    case SEQS_ERR_STATE: return "operation not valid in this state";
    case SEQS_ERR_CONFLICT: return "address conflict";
    default: return "unknown error";
    }
}
#endif
