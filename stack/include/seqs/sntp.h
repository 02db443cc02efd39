/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/sntp.h — SNTP client (RFC 4330; packet checks of RFC 5905).
 *
 * A caller-allocated app attached to a stack (seqs/app.h): it polls one server
 * over UDP and measures the offset between the server's clock and the
 * caller's monotonic clock (the one whose microseconds the stack is given).
 * The core reads no clock: wall-clock time is that monotonic time plus the
 * measured offset, seqs_sntp_now(c, mono_us). All arithmetic is 64-bit integer.
 *
 *   seqs_sntp_t c;
 *   seqs_sntp_start(s, &c, SEQS_IP4(192, 0, 2, 123), NULL);
 *   ... pump the stack; once seqs_sntp_status(&c) == SEQS_SNTP_SYNCED:
 *   int64_t unix_us = seqs_sntp_now(&c, now_us);
 *
 * Requests carry VN=4, mode 3 and a random transmit timestamp (so nothing
 * about our clock leaks); a reply is taken only if it is mode 4, comes from
 * the server's port 123, echoes that timestamp as its origin, is synchronised
 * (LI != 3), has stratum 1..15 and a non-zero transmit timestamp. A
 * Kiss-o'-Death (stratum 0) DENY or RSTR stops the client; RATE doubles the
 * poll interval. The first query goes out after a random delay, and the poll
 * interval (>= 15 s, RFC 4330 10) doubles while the server stays silent. */
#ifndef SEQS_SNTP_H
#define SEQS_SNTP_H

#include <stdint.h>

#include "app.h"
#include "udp.h"

#define SEQS_SNTP_PORT 123u
#define SEQS_SNTP_MIN_POLL_S 15u          /* RFC 4330 10: never more often */
/* Seconds between 1900-01-01 (NTP era 0) and 1970-01-01. */
#define SEQS_SNTP_UNIX_OFFSET_S 2208988800u

typedef enum seqs_sntp_status {
    SEQS_SNTP_IDLE = 0,      /* not started, or stopped by the caller */
    SEQS_SNTP_WAITING,       /* running, no usable reply yet */
    SEQS_SNTP_SYNCED,        /* the latest exchange gave offset and delay */
    SEQS_SNTP_TIMEOUT,       /* the latest request got no usable reply in time (still polling, backing off) */
    SEQS_SNTP_KOD_RATE,      /* the server asked us to slow down (polling goes on, interval doubled) */
    SEQS_SNTP_KOD_DENY,      /* access denied: stopped (RFC 5905 7.4) */
    SEQS_SNTP_KOD_RSTR       /* access restricted: stopped */
} seqs_sntp_status_t;

typedef struct seqs_sntp_config {
    uint32_t poll_s;         /* interval between queries after a good reply (default 64, >= 15) */
    uint32_t max_poll_s;     /* cap of the backed-off interval (default 1024) */
    uint32_t reply_timeout_ms;   /* a request unanswered this long counts as lost (default 5000, <= poll_s) */
    uint32_t first_max_ms;   /* the first query goes out after a random delay in [0, first_max_ms) (default 1000) */
    uint16_t port;           /* server port (default 123) */
} seqs_sntp_config_t;

typedef struct seqs_sntp_stats {
    uint32_t requests;
    uint32_t replies;            /* accepted (including KoD) */
    uint32_t drop_source;        /* not from the server's address and port */
    uint32_t drop_malformed;     /* shorter than 48 bytes, or a datagram too large */
    uint32_t drop_mode;          /* mode != 4 */
    uint32_t drop_bogus;         /* origin timestamp != our transmit timestamp, or no request outstanding */
    uint32_t drop_unsync;        /* LI = 3 with stratum != 0 */
    uint32_t drop_stratum;       /* stratum > 15 */
    uint32_t drop_zero_tx;       /* transmit timestamp zero */
    uint32_t kod;                /* Kiss-o'-Death received */
    uint32_t timeouts;
} seqs_sntp_stats_t;

typedef struct seqs_sntp seqs_sntp_t;

#ifndef SWIG
struct seqs_sntp {
    seqs_app_t app;
    seqs_udp_t udp;
    uint32_t server;
    seqs_sntp_config_t cfg;
    uint8_t status;              /* seqs_sntp_status_t */
    uint8_t running;
    uint8_t outstanding;         /* a request waits for its reply */
    uint8_t synced;              /* a sample was ever taken */
    uint8_t leap, stratum, version;
    uint8_t kod_code[4];
    uint32_t refid;
    uint32_t interval_s;         /* current poll interval */
    uint64_t next_us;            /* next request */
    uint64_t sent_us;            /* T1 on the caller's clock */
    uint64_t timeout_us;         /* when the outstanding request counts as lost */
    uint8_t xmt[8];              /* the transmit timestamp we sent (the reply's origin must equal it) */
    int64_t offset_us;           /* server Unix time - caller's monotonic time */
    int64_t delay_us;            /* round-trip delay (T4 - T1) - (T3 - T2) */
    uint64_t sample_us;          /* caller's time of the last sample */
    seqs_sntp_stats_t stats;
    uint8_t rxbuf[2 * (48 + 16)];
};
#endif

struct seqs_stack;

void seqs_sntp_config_default(seqs_sntp_config_t *cfg);
/* Attaches c to s and starts polling server (cfg NULL = defaults). SEQS_ERR_INVAL
 * for NULL c/s, a server of 0.0.0.0 / broadcast / multicast, poll_s < 15,
 * max_poll_s < poll_s, reply_timeout_ms 0 or beyond poll_s; SEQS_ERR_INUSE when c
 * runs; SEQS_ERR_NOSLOT without a free UDP socket. */
int seqs_sntp_start(struct seqs_stack *s, seqs_sntp_t *c, uint32_t server, const seqs_sntp_config_t *cfg);
/* Stops polling, closes the socket and detaches (results stay readable). */
int seqs_sntp_stop(struct seqs_stack *s, seqs_sntp_t *c);

seqs_sntp_status_t seqs_sntp_status(const seqs_sntp_t *c);
const char *seqs_sntp_status_name(int status);
/* 1 once a reply was taken (offset/delay/now are valid), else 0. */
int seqs_sntp_synced(const seqs_sntp_t *c);
/* Server Unix time minus the caller's monotonic time, in microseconds. */
int64_t seqs_sntp_offset_us(const seqs_sntp_t *c);
int64_t seqs_sntp_delay_us(const seqs_sntp_t *c);
/* Unix time in microseconds at the caller's monotonic time mono_us (0 before the first sample). */
int64_t seqs_sntp_now(const seqs_sntp_t *c, uint64_t mono_us);
int seqs_sntp_stratum(const seqs_sntp_t *c);
/* Leap indicator of the last accepted reply: 0 none, 1 +1 s, 2 -1 s pending (RFC 5905 7.3). */
int seqs_sntp_leap(const seqs_sntp_t *c);
uint32_t seqs_sntp_refid(const seqs_sntp_t *c);
/* Current poll interval in seconds, and the caller time of the next request. */
uint32_t seqs_sntp_interval_s(const seqs_sntp_t *c);
uint64_t seqs_sntp_next_request_us(const seqs_sntp_t *c);
const seqs_sntp_stats_t *seqs_sntp_stats(const seqs_sntp_t *c);

/* Converts a 64-bit NTP timestamp (seconds since 1900 in the high 32 bits) to
 * Unix microseconds, choosing the era by the RFC 4330 3 rule: MSB set = era 0
 * (1968-2036), MSB clear = era 1 (2036-2104). */
int64_t seqs_ntp_to_unix_us(uint64_t ntp);
/* And back (era folded away), for tests and servers. */
uint64_t seqs_unix_us_to_ntp(int64_t unix_us);

#endif
