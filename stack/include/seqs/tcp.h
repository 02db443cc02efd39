/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/tcp.h — TCP sockets: listen/accept/connect/read/write/shutdown/close/abort.
 *
 * Every call is non-blocking and returns a seqs_err_t (negative) or a count.
 * Connections and listeners are slots in the stack named by handles that carry
 * a generation count, so a handle to a closed or reused slot is rejected with
 * SEQS_ERR_BADHANDLE. Buffers are the caller's: connect() takes a receive and a
 * send buffer; listen() takes a pool that is cut into per-connection buffer
 * pairs for the connections it accepts. A connection keeps using its buffers
 * until seqs_tcp_state() reports TIME_WAIT or CLOSED, or the handle goes stale.
 *
 * Who frees a connection slot: the application, always, by seqs_tcp_close() or
 * seqs_tcp_abort() on every handle that connect() or accept() gave it, also when
 * the peer reset the connection or it timed out (state CLOSED, read() returns the
 * error): the slot stays taken until then so the error can be read. As a safety
 * net, a CLOSED connection the application never closes is released
 * closed_reclaim_ms (config, off by default; counter tcp_conn_reclaimed) after it reached
 * CLOSED; its handle then goes stale (SEQS_ERR_BADHANDLE). The stack frees by
 * itself only what the application never saw: half-open and not-yet-accepted
 * connections, and closed connections once they are done (TIME-WAIT included). */
#ifndef SEQS_TCP_H
#define SEQS_TCP_H

#include <stddef.h>
#include <stdint.h>
#include "tcp_opts.h"

typedef uint32_t seqs_tcp_t;            /* a connection; 0 is never valid */
typedef uint32_t seqs_tcp_listener_t;   /* a listener; 0 is never valid */

/* RFC 9293 3.3.2 states. */
typedef enum seqs_tcp_state_e {
    SEQS_TCP_CLOSED = 0,
    SEQS_TCP_LISTEN,
    SEQS_TCP_SYN_SENT,
    SEQS_TCP_SYN_RECEIVED,
    SEQS_TCP_ESTABLISHED,
    SEQS_TCP_FIN_WAIT_1,
    SEQS_TCP_FIN_WAIT_2,
    SEQS_TCP_CLOSE_WAIT,
    SEQS_TCP_CLOSING,
    SEQS_TCP_LAST_ACK,
    SEQS_TCP_TIME_WAIT
} seqs_tcp_state_t;

/* Per-connection statistics (seqs_tcp_info). Times in microseconds. */
typedef struct seqs_tcp_info {
    uint8_t state;              /* seqs_tcp_state_t */
    uint8_t sack, wscale, tstamp;   /* options negotiated on the handshake */
    uint8_t snd_wscale, rcv_wscale;
    uint16_t snd_mss;           /* largest payload we send */
    uint16_t rcv_mss;           /* MSS we advertised */
    uint32_t local_addr, remote_addr;
    uint16_t local_port, remote_port;
    uint32_t srtt_us, rttvar_us, rto_us;   /* rto_us includes the current backoff (RFC 6298 5.5) */
    uint32_t cwnd, ssthresh;    /* bytes */
    uint32_t snd_wnd, rcv_wnd;  /* bytes */
    uint32_t flight;            /* bytes sent and not yet acknowledged */
    uint32_t rx_queued, tx_queued;  /* bytes readable / not yet acknowledged */
    uint32_t iss, irs, snd_una, snd_nxt, rcv_nxt;
    uint32_t segs_in, segs_out;
    uint32_t bytes_in, bytes_out;       /* payload delivered to the reader / newly acknowledged */
    uint32_t retransmits;       /* segments retransmitted (any reason) */
    uint32_t rto_expirations;
    uint32_t fast_retransmits;  /* recoveries entered on duplicate ACKs or SACK */
    uint32_t spurious_recoveries;   /* fast recoveries undone (RFC 3522: the original arrived) */
    uint32_t dup_acks_in;
    uint32_t ooo_segs_in;       /* out-of-order segments received */
    uint32_t zero_window_probes;
    uint32_t tail_loss_probes;  /* RFC 8985 7 probes sent */
    uint32_t keepalive_probes;
    int32_t error;              /* pending error (SEQS_ERR_RESET, ...), 0 if none */
} seqs_tcp_info_t;

/* Stack-wide TCP settings (copied from tcp_opts.h at init). */
typedef struct seqs_tcp_config {
    uint32_t msl_ms;            /* TIME-WAIT = 2*msl_ms */
    uint32_t rto_init_ms, rto_min_ms, rto_max_ms;
    uint32_t delack_ms;         /* 0 disables delayed ACKs for new connections */
    uint32_t fin_wait2_ms;
    uint32_t keepidle_ms, keepintvl_ms, keepcnt;
    uint8_t syn_retries, synack_retries, data_retries;
    uint8_t nodelay;            /* default Nagle setting for new connections: 1 = Nagle off */
    uint8_t keepalive;          /* default keep-alive for new connections: 1 = on */
    uint8_t sack, wscale, tstamp;   /* offer these options (1 = on, the default) */
    uint8_t syncookies;         /* answer SYNs with cookies when a backlog is full (default on) */
    /* Added for overload and attacks (defaults in tcp_opts.h): */
    uint32_t invalid_ratelimit_ms;  /* replies to out-of-window segments: 1 per conn per this (0 = off) */
    uint32_t closed_reclaim_ms;     /* release a CLOSED connection the app never closed (0 = never) */
    uint32_t handshake_ms;          /* default handshake timeout of new listeners (0 = off) */
    uint32_t idle_ms;               /* default idle timeout of new connections (0 = off) */
} seqs_tcp_config_t;

struct seqs_stack;

void seqs_tcp_get_config(const struct seqs_stack *s, seqs_tcp_config_t *cfg);
/* SEQS_ERR_INVAL when a value is out of range (RTO bounds inverted, msl 0). */
int seqs_tcp_set_config(struct seqs_stack *s, const seqs_tcp_config_t *cfg);

/* Listeners ------------------------------------------------------------------ */

/* Listens on port (local address: any of ours). Up to backlog connections may be
 * half-open or waiting for accept() at once; beyond that, SYN cookies answer new
 * SYNs without keeping state. pool (pool_len bytes) is cut into slots of
 * rx_size + tx_size bytes, one per live connection created by this listener (at
 * most SEQS_TCP_POOL_SLOTS); pool must stay valid until the listener and all
 * its connections are closed. SEQS_ERR_INUSE if port has a listener,
 * SEQS_ERR_NOSLOT when every listener slot is used, SEQS_ERR_INVAL for a zero
 * port/backlog or a pool smaller than one slot. */
int seqs_tcp_listen(struct seqs_stack *s, seqs_tcp_listener_t *out, uint16_t port, unsigned backlog,
                    uint8_t *pool, size_t pool_len, size_t rx_size, size_t tx_size);
/* Timeouts of this listener's connections (0 = off; new listeners take the
 * config's handshake_ms/idle_ms): handshake_ms drops a half-open entry whose
 * handshake has not completed after that long (tcp_handshake_timeout);
 * idle_ms resets a connection (accepted or not) when no payload went either
 * way for that long (tcp_idle_timeout, error SEQS_ERR_TIMEDOUT). Applies to
 * connections created from now on. */
int seqs_tcp_listener_set_timeouts(struct seqs_stack *s, seqs_tcp_listener_t l, uint32_t handshake_ms,
                                   uint32_t idle_ms);
/* Takes the oldest established connection: SEQS_ERR_AGAIN when none. */
int seqs_tcp_accept(struct seqs_stack *s, seqs_tcp_listener_t l, seqs_tcp_t *out);
/* Connections waiting for accept(). */
int seqs_tcp_accept_pending(const struct seqs_stack *s, seqs_tcp_listener_t l);
/* Stops listening: not-yet-accepted connections are reset; accepted ones live on. */
int seqs_tcp_listener_close(struct seqs_stack *s, seqs_tcp_listener_t l);

/* Connections ------------------------------------------------------------------ */

/* Active open to dst:dport from local port sport (0 = random ephemeral). rx/tx
 * buffers (at least 1 byte each) must stay valid while the connection uses them.
 * Returns SEQS_OK at once (the SYN is sent from seqs_stack_output); watch
 * seqs_tcp_state() for ESTABLISHED or an error. SEQS_ERR_NOADDR, SEQS_ERR_NOSLOT,
 * SEQS_ERR_INUSE (4-tuple taken), SEQS_ERR_INVAL. */
int seqs_tcp_connect(struct seqs_stack *s, seqs_tcp_t *out, uint32_t dst, uint16_t dport, uint16_t sport,
                     uint8_t *rxbuf, size_t rxcap, uint8_t *txbuf, size_t txcap);

/* Copies up to cap received bytes into buf. Returns the count (> 0), 0 at end of
 * stream (the peer's FIN has been read), SEQS_ERR_AGAIN when nothing is ready,
 * or the connection's error: SEQS_ERR_RESET (reset by the peer, or data arrived
 * after close), SEQS_ERR_REFUSED (RST or ICMP port/protocol unreachable while
 * connecting), SEQS_ERR_TIMEDOUT (R2 or keep-alive gave up), SEQS_ERR_UNREACH (the
 * neighbour did not resolve, a soft ICMP error preceded the time-out, or our
 * address went away). */
int seqs_tcp_read(struct seqs_stack *s, seqs_tcp_t h, void *buf, size_t cap);
/* Queues up to len bytes; returns how many were taken (may be fewer than len),
 * SEQS_ERR_AGAIN when the send buffer is full, SEQS_ERR_CLOSED after
 * shutdown/close, or the connection's error. */
int seqs_tcp_write(struct seqs_stack *s, seqs_tcp_t h, const void *data, size_t len);
/* Bytes readable now / room in the send buffer. */
int seqs_tcp_readable(const struct seqs_stack *s, seqs_tcp_t h);
int seqs_tcp_writable(const struct seqs_stack *s, seqs_tcp_t h);
/* Half-close: a FIN follows the queued data; reading still works. */
int seqs_tcp_shutdown(struct seqs_stack *s, seqs_tcp_t h);
/* Closes: FIN after queued data (RST instead if received data is unread, RFC
 * 9293 3.6 / 2525). The handle stays valid for seqs_tcp_state()/info until the
 * connection is gone; read/write then return SEQS_ERR_CLOSED. A closed
 * connection whose peer vanished is dropped after the FIN-WAIT-2 timeout. */
int seqs_tcp_close(struct seqs_stack *s, seqs_tcp_t h);
/* Sends RST (SEQ=SND.NXT) and releases the slot at once; the handle goes stale. */
int seqs_tcp_abort(struct seqs_stack *s, seqs_tcp_t h);
/* Returns a seqs_tcp_state_t (>= 0) or SEQS_ERR_BADHANDLE. */
int seqs_tcp_state(const struct seqs_stack *s, seqs_tcp_t h);
int seqs_tcp_info(const struct seqs_stack *s, seqs_tcp_t h, seqs_tcp_info_t *info);
/* The connection's error (SEQS_ERR_RESET...), 0 if none; does not clear it. */
int seqs_tcp_error(const struct seqs_stack *s, seqs_tcp_t h);

/* Per-connection options. */
enum {
    SEQS_TCP_OPT_NODELAY = 1,    /* 1 = Nagle off */
    SEQS_TCP_OPT_KEEPALIVE,      /* 1 = keep-alive probes on */
    SEQS_TCP_OPT_DELACK,         /* 0 = ACK every segment at once */
    SEQS_TCP_OPT_IDLE_MS         /* idle timeout in ms (0 = off), see seqs_tcp_listener_set_timeouts */
};
int seqs_tcp_setopt(struct seqs_stack *s, seqs_tcp_t h, int opt, uint32_t value);

/* Human-readable state name ("ESTABLISHED"..., "INVALID" out of range).
 * Built with SEQS_NAMES 0 (seqs/opts.h): "" for every state (never NULL). */
const char *seqs_tcp_state_name(int state);

#endif
