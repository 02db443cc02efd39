/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/dhcp.h — DHCPv4 client (RFC 2131, options RFC 2132) for one stack.
 *
 * The seed's flow: begin a request, keep driving the stack (input / output /
 * next_deadline: the client is an attached app, its retransmissions and
 * T1/T2/expiry timers are part of seqs_stack_next_deadline()), wait for done,
 * read the lease:
 *
 *     static seqs_dhcp_client_t dhcp;
 *     seqs_dhcp_client_begin(&stack, &dhcp, &(seqs_dhcp_request_t){
 *         .requested_addr = SEQS_IP4(192, 0, 2, 69), .xid = 0x12345678, .hostname = "tinygo-pico"});
 *     while (!seqs_dhcp_client_done(&dhcp)) { ...pump frames... }
 *     uint32_t ip = seqs_dhcp_client_offer(&dhcp);
 *
 * States follow RFC 2131 figure 5: INIT, SELECTING, REQUESTING, BOUND,
 * RENEWING, REBINDING, INIT-REBOOT; plus PROBING (the RFC 2131 3.1 step 5 /
 * RFC 5227 check of the acknowledged address before use) and STOPPED.
 *
 * By default the client applies the lease itself: seqs_stack_set_addr(addr,
 * prefix, router, SEQS_ADDR_PROBE) runs the stack's RFC 5227 probe; a conflict
 * sends DECLINE and restarts after 10 s; when the lease expires (or a NAK
 * arrives while renewing) seqs_stack_clear_addr() removes the address — which
 * aborts every TCP connection using it and drops datagrams waiting for ARP.
 * With SEQS_DHCP_NO_APPLY the client only reports the lease; the caller sets
 * (and clears) the address and may call seqs_dhcp_client_decline().
 *
 * Malformed or foreign replies are dropped and counted per reason. All state
 * is in the caller's seqs_dhcp_client_t (RAM: see sizeof; the receive ring and
 * message buffer dominate, sized by SEQS_DHCP_RX_BYTES / SEQS_DHCP_MSG_MAX). */
#ifndef SEQS_DHCP_H
#define SEQS_DHCP_H

#include <stdint.h>

#include "app.h"
#include "seqs.h"

/* Largest DHCP message received or sent (RFC 2131 2: every client accepts 576-byte
 * datagrams; we tell servers so with option 57). A longer reply does not fit the
 * socket ring: the stack drops it and counts udp_drop_queue_full. */
#ifndef SEQS_DHCP_MSG_MAX
#define SEQS_DHCP_MSG_MAX 576
#endif
/* The client socket's receive ring (a datagram costs its length + 12). One
 * message is enough: the stack polls the client after every received frame. */
#ifndef SEQS_DHCP_RX_BYTES
#define SEQS_DHCP_RX_BYTES (SEQS_DHCP_MSG_MAX + 24)
#endif
#define SEQS_DHCP_MAX_DNS 3
#define SEQS_DHCP_MAX_NTP 2
#define SEQS_DHCP_HOSTNAME_MAX 32
#define SEQS_DHCP_CLIENT_ID_MAX 16
#define SEQS_DHCP_INFINITE 0xFFFFFFFFu   /* lease time meaning "never expires" (RFC 2131 3.3) */

/* seqs_dhcp_request_t.flags */
enum {
    SEQS_DHCP_REBOOT = 1u << 0,   /* start in INIT-REBOOT asking to keep requested_addr (RFC 2131 3.2) */
    SEQS_DHCP_NO_APPLY = 1u << 1  /* report the lease only; never set/clear the stack's address */
};

typedef struct seqs_dhcp_request {
    uint32_t requested_addr;    /* 0 = none; else option 50 in DISCOVER (a hint) or, with SEQS_DHCP_REBOOT, the address to keep */
    uint32_t xid;               /* first transaction id; 0 = random (later exchanges always use random ids) */
    const char *hostname;       /* option 12, copied; NULL = none; 1..SEQS_DHCP_HOSTNAME_MAX bytes */
    const uint8_t *client_id;   /* option 61, copied; NULL = hardware type 1 + our MAC (RFC 2132 9.14) */
    uint8_t client_id_len;      /* 2..SEQS_DHCP_CLIENT_ID_MAX when client_id is set */
    unsigned flags;             /* SEQS_DHCP_REBOOT, SEQS_DHCP_NO_APPLY */
} seqs_dhcp_request_t;

typedef enum seqs_dhcp_state {
    SEQS_DHCP_STOPPED = 0,   /* not started, stopped, or released */
    SEQS_DHCP_INIT,          /* about to send DISCOVER (or waiting 10 s after a DECLINE) */
    SEQS_DHCP_SELECTING,     /* DISCOVER sent, waiting for an OFFER */
    SEQS_DHCP_REQUESTING,    /* REQUEST for the chosen offer sent */
    SEQS_DHCP_PROBING,       /* ACK received, RFC 5227 probe of the address running */
    SEQS_DHCP_BOUND,
    SEQS_DHCP_RENEWING,      /* T1 passed: unicast REQUEST to our server */
    SEQS_DHCP_REBINDING,     /* T2 passed: broadcast REQUEST to any server */
    SEQS_DHCP_INIT_REBOOT    /* REQUEST for a known address sent (RFC 2131 3.2, "REBOOTING") */
} seqs_dhcp_state_t;

/* The acquired lease. Times are seconds as the server gave them (T1/T2 defaulted
 * to 0.5 and 0.875 of the lease when absent or inconsistent, RFC 2131 4.4.5). */
typedef struct seqs_dhcp_lease {
    uint32_t addr;
    uint8_t prefix_len;         /* from option 1 (classful default when absent) */
    uint8_t dns_count, ntp_count;
    uint32_t router;            /* first address of option 3, 0 when none */
    uint32_t server_id;         /* option 54 */
    uint32_t dns[SEQS_DHCP_MAX_DNS];   /* option 6 */
    uint32_t ntp[SEQS_DHCP_MAX_NTP];   /* option 42 */
    uint32_t lease_s, t1_s, t2_s;      /* SEQS_DHCP_INFINITE: never renew, never expire */
    uint64_t start_us;          /* when the REQUEST that got it was sent; T1/T2/expiry count from here */
} seqs_dhcp_lease_t;

/* Per-reason counters of one client (X-macro: names and fields in one place). */
#define SEQS_DHCP_CLIENT_COUNTERS(X) \
    X(rx)                  /* datagrams read from port 68 */ \
    X(tx_discover)         \
    X(tx_request)          \
    X(tx_decline)          \
    X(tx_release)          \
    X(tx_fail)             /* a send the stack refused (queue full); the timer retries */ \
    X(retransmit)          /* DISCOVER/REQUEST sent again after a timeout */ \
    X(rx_offer)            /* offers taken */ \
    X(rx_ack)              \
    X(rx_nak)              \
    X(drop_truncated)      /* shorter than 240 bytes (or longer than SEQS_DHCP_MSG_MAX with a bigger ring) */ \
    X(drop_bad_op)         /* op not BOOTREPLY (D7) */ \
    X(drop_bad_hw)         /* htype/hlen not Ethernet */ \
    X(drop_bad_cookie)     /* magic cookie wrong (D7) */ \
    X(drop_bad_options)    /* option overrunning its area, bad overload (D12) */ \
    X(drop_no_type)        /* no option 53 (D7) */ \
    X(drop_xid)            /* not our transaction (D7) */ \
    X(drop_chaddr)         /* not our hardware address (D7) */ \
    X(drop_other_server)   /* from a server we did not choose (D3) */ \
    X(drop_unexpected)     /* a message type the current state does not take */ \
    X(drop_bad_lease)      /* unusable yiaddr/mask, or OFFER/ACK without server id / lease time */ \
    X(conflicts)           /* the probe (or a defence) found the address in use: DECLINE sent (D5) */ \
    X(expired)             /* leases that ran out (D9) */ \
    X(addr_lost)           /* the stack's address was changed by someone else while we held a lease */

typedef struct seqs_dhcp_client_counters {
#define SEQS_X_FIELD(name) uint32_t name;
    SEQS_DHCP_CLIENT_COUNTERS(SEQS_X_FIELD)
#undef SEQS_X_FIELD
} seqs_dhcp_client_counters_t;

#define SEQS_DHCP_CLIENT_COUNTER_COUNT (sizeof(seqs_dhcp_client_counters_t) / sizeof(uint32_t))

/* The client. Allocate it (statically on firmware); members are private. */
typedef struct seqs_dhcp_client {
    seqs_app_t app;
    seqs_udp_t sock;
    uint8_t state, flags, tries, nak_streak, pending, xid_used;
    uint8_t hostname_len, client_id_len;
    uint16_t disc_secs;        /* secs of the last DISCOVER (repeated by its REQUEST) */
    uint8_t mac[6];
    char hostname[SEQS_DHCP_HOSTNAME_MAX];
    uint8_t client_id[SEQS_DHCP_CLIENT_ID_MAX];
    uint32_t xid, requested;
    uint32_t offer_addr, offer_server;
    uint32_t changes;
    uint64_t timer;            /* the one pending event of the current state */
    uint64_t exch_start;       /* start of this exchange (the secs field) */
    uint64_t req_first;        /* first REQUEST of this exchange (lease start) */
    uint64_t t1_at, t2_at, expire_at;
    seqs_dhcp_lease_t lease;   /* valid from PROBING on */
    seqs_dhcp_client_counters_t cnt;
    uint8_t rx[SEQS_DHCP_RX_BYTES];
    uint8_t msg[SEQS_DHCP_MSG_MAX];
} seqs_dhcp_client_t;

/* Starts the client on s: opens UDP port 68, attaches to the stack and sends
 * DISCOVER (or, with SEQS_DHCP_REBOOT, an INIT-REBOOT REQUEST) at the next
 * output/poll. req may be NULL (all defaults). c needs no initialisation.
 * SEQS_ERR_INVAL: NULL s/c, hostname empty or longer than SEQS_DHCP_HOSTNAME_MAX,
 * client_id_len outside 2..SEQS_DHCP_CLIENT_ID_MAX, SEQS_DHCP_REBOOT without a
 * requested_addr, requested_addr not a unicast address, unknown flags.
 * SEQS_ERR_INUSE: c is already running on s, or port 68 is taken.
 * SEQS_ERR_NOSLOT: no free UDP socket. */
int seqs_dhcp_client_begin(seqs_stack_t *s, seqs_dhcp_client_t *c, const seqs_dhcp_request_t *req);
/* Stops: detaches, closes the socket. The stack's address is left as it is. */
int seqs_dhcp_client_stop(seqs_stack_t *s, seqs_dhcp_client_t *c);
/* Gives the lease back (RFC 2131 4.4.6): the next output/poll sends a unicast
 * RELEASE to the server; (unless SEQS_DHCP_NO_APPLY) the address is removed one
 * second later, so the datagram can be resolved and sent first, and the client
 * stops then (state STOPPED at once).
 * SEQS_ERR_STATE when no lease is held. */
int seqs_dhcp_client_release(seqs_stack_t *s, seqs_dhcp_client_t *c);
/* For SEQS_DHCP_NO_APPLY callers whose own check found the address in use:
 * the next output/poll sends DECLINE, and the client restarts 10 s later. SEQS_ERR_STATE when no lease is held. */
int seqs_dhcp_client_decline(seqs_stack_t *s, seqs_dhcp_client_t *c);

/* 1 while a lease is held and (by default) the address is in use: BOUND, RENEWING, REBINDING. */
int seqs_dhcp_client_done(const seqs_dhcp_client_t *c);
/* The leased address when done, else the address offered so far (0 when none). */
uint32_t seqs_dhcp_client_offer(const seqs_dhcp_client_t *c);
/* The lease when done, else NULL. */
const seqs_dhcp_lease_t *seqs_dhcp_client_lease(const seqs_dhcp_client_t *c);
seqs_dhcp_state_t seqs_dhcp_client_state(const seqs_dhcp_client_t *c);
/* "stopped", "init", "selecting", ... "init-reboot". */
const char *seqs_dhcp_state_name(seqs_dhcp_state_t st);
/* Incremented on every state change and every lease (re)acquisition: poll it to report events. */
uint32_t seqs_dhcp_client_changes(const seqs_dhcp_client_t *c);

const seqs_dhcp_client_counters_t *seqs_dhcp_client_counters(const seqs_dhcp_client_t *c);
/* Name of counter i (< SEQS_DHCP_CLIENT_COUNTER_COUNT), NULL otherwise. */
const char *seqs_dhcp_client_counter_name(unsigned i);
uint32_t seqs_dhcp_client_counter_value(const seqs_dhcp_client_t *c, unsigned i);

#endif
