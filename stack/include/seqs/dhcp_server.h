/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/dhcp_server.h — a DHCPv4 server (RFC 2131, RFC 2132) on one stack.
 *
 * The server hands out addresses from one pool inside the stack's subnet (or a
 * relay's, RFC 1542), honours static reservations (MAC -> address), and keeps
 * its bindings in a lease table the caller allocates. It is an application:
 * seqs_dhcp_server_start() opens UDP port 67 and attaches the server to the
 * stack through seqs/app.h, so the stack's three calls drive it; offer holds,
 * lease and decline-hold expiries are part of seqs_stack_next_deadline().
 *
 * Replies (RFC 2131 4.1): giaddr set -> to the relay, port 67; else ciaddr set
 * -> unicast to ciaddr; else broadcast to 255.255.255.255 (whether or not the
 * client set the BROADCAST flag: the public UDP API cannot send to a MAC
 * without ARP, and a client without an address does not answer ARP). DHCPNAK
 * is broadcast unless relayed.
 *
 * One address has at most one table entry, and an entry belongs to one client
 * (option 61 client identifier, else chaddr) at a time, so no two clients can
 * ever hold one address. Bad input is dropped and counted (seqs_dhcp_server_counters_t). */
#ifndef SEQS_DHCP_SERVER_H
#define SEQS_DHCP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "opts.h"   /* SEQS_OPTS_FILE may override the SEQS_DHCPS_* limits below */
#include "udp.h"

struct seqs_stack;

/* Compile-time limits (override like seqs/opts.h). */
#ifndef SEQS_DHCPS_MAX_DNS
#define SEQS_DHCPS_MAX_DNS 3          /* DNS servers in option 6 */
#endif
#ifndef SEQS_DHCPS_CLIENT_ID_MAX
#define SEQS_DHCPS_CLIENT_ID_MAX 20   /* option 61 bytes stored verbatim; longer ids are folded (see .c) */
#endif
#ifndef SEQS_DHCPS_MSG_MAX
#define SEQS_DHCPS_MSG_MAX 1024       /* largest request handled; longer ones are counted and dropped */
#endif
#ifndef SEQS_DHCPS_RXBUF
#define SEQS_DHCPS_RXBUF 1600         /* the port-67 socket's receive ring */
#endif

/* Defaults used when the config leaves a time at 0 (offer hold, decline hold). */
#define SEQS_DHCPS_DEFAULT_OFFER_HOLD_S 30
#define SEQS_DHCPS_DEFAULT_DECLINE_HOLD_S 600

/* Lease entry states. */
typedef enum seqs_dhcps_lease_state {
    SEQS_DHCPS_FREE = 0,       /* entry unused */
    SEQS_DHCPS_OFFERED,        /* held for the client until expires_us (offer hold) */
    SEQS_DHCPS_BOUND,          /* leased until expires_us */
    SEQS_DHCPS_RELEASED,       /* released by the client at expires_us; remembered for its reuse */
    SEQS_DHCPS_EXPIRED,        /* lease ran out at expires_us; remembered for the client's reuse */
    SEQS_DHCPS_DECLINED        /* the client said the address is in use: not offered until expires_us */
} seqs_dhcps_lease_state_t;

/* One lease table entry (the caller allocates an array of them; members are
 * read-only for the caller, use seqs_dhcp_server_lease_next() to walk them). */
typedef struct seqs_dhcps_lease {
    uint64_t expires_us;       /* see the states above */
    uint32_t addr;
    uint8_t state;             /* seqs_dhcps_lease_state_t */
    uint8_t flags;             /* private */
    uint8_t mac[6];            /* chaddr of the client */
    uint8_t id_len;            /* option 61 length (0: the client is known by chaddr) */
    uint8_t id[SEQS_DHCPS_CLIENT_ID_MAX];
} seqs_dhcps_lease_t;

typedef struct seqs_dhcp_reservation {
    uint8_t mac[6];
    uint32_t addr;             /* inside the subnet; may be outside the pool */
} seqs_dhcp_reservation_t;

/* Events reported to cfg.on_event (the lease's state after the change). */
typedef void (*seqs_dhcp_server_event_fn)(void *ctx, const seqs_dhcps_lease_t *lease);

typedef struct seqs_dhcp_server_config {
    uint32_t pool_first, pool_last;   /* inclusive range, inside the subnet */
    uint8_t prefix_len;               /* subnet mask for clients; 0 = the stack's prefix */
    uint32_t router;                  /* option 3; 0 = none */
    uint32_t dns[SEQS_DHCPS_MAX_DNS]; /* option 6: the first dns_count entries */
    uint8_t dns_count;
    uint32_t lease_s;                 /* lease time (> 0); T1 = 1/2, T2 = 7/8 of it */
    uint32_t offer_hold_s;            /* 0 = SEQS_DHCPS_DEFAULT_OFFER_HOLD_S */
    uint32_t decline_hold_s;          /* 0 = SEQS_DHCPS_DEFAULT_DECLINE_HOLD_S */
    const seqs_dhcp_reservation_t *reservations;  /* kept by pointer: must outlive the server */
    size_t reservation_count;
    seqs_dhcps_lease_t *table;         /* caller's lease table (zeroed by start) */
    size_t table_len;                 /* >= pool size + reservations outside the pool */
    seqs_dhcp_server_event_fn on_event;   /* optional: bound/released/expired/declined */
    void *event_ctx;
} seqs_dhcp_server_config_t;

/* Why a config was refused (seqs_dhcp_server_check(), srv->cfg_error). */
typedef enum seqs_dhcps_cfg_err {
    SEQS_DHCPS_CFG_OK = 0,
    SEQS_DHCPS_CFG_NO_ADDR,           /* the stack has no (usable) address: it is the server id */
    SEQS_DHCPS_CFG_PREFIX,            /* prefix_len not in 1..30 */
    SEQS_DHCPS_CFG_POOL_ORDER,        /* pool_first > pool_last, or 0 */
    SEQS_DHCPS_CFG_POOL_SUBNET,       /* pool not inside the subnet (or holds its network/broadcast address) */
    SEQS_DHCPS_CFG_POOL_HAS_SERVER,   /* the pool contains the server's own address */
    SEQS_DHCPS_CFG_TABLE_SMALL,       /* table_len < pool size + reservations outside the pool */
    SEQS_DHCPS_CFG_NO_TABLE,          /* table NULL or table_len 0 */
    SEQS_DHCPS_CFG_LEASE_ZERO,        /* lease_s == 0 */
    SEQS_DHCPS_CFG_RESERVATION_SUBNET,/* a reservation outside the subnet, on the server, or network/broadcast */
    SEQS_DHCPS_CFG_RESERVATION_DUP,   /* two reservations for one MAC or one address */
    SEQS_DHCPS_CFG_DNS_COUNT,         /* dns_count > SEQS_DHCPS_MAX_DNS */
    SEQS_DHCPS_CFG_ROUTER_SUBNET,     /* router outside the subnet */
    SEQS_DHCPS_CFG_RESERVATIONS_NULL  /* reservation_count > 0 with a NULL array */
} seqs_dhcps_cfg_err_t;

/* Counters: X-macro so bindings and tools name them without a second list. */
#define SEQS_DHCPS_COUNTERS(X) \
    X(rx)                  /* datagrams read from port 67 */ \
    X(rx_discover) X(rx_request) X(rx_decline) X(rx_release) X(rx_inform) \
    X(tx_offer) X(tx_ack) X(tx_nak) \
    X(tx_fail)             /* a reply the stack refused to queue */ \
    X(drop_truncated)      /* shorter than the fixed header, or longer than SEQS_DHCPS_MSG_MAX */ \
    X(drop_op)             /* op != BOOTREQUEST */ \
    X(drop_htype)          /* htype != 1 or hlen != 6 */ \
    X(drop_cookie)         /* bad magic cookie */ \
    X(drop_options)        /* options run past the end, or a bad length */ \
    X(drop_no_type)        /* no option 53 */ \
    X(drop_type)           /* a message type a server does not take (OFFER, ACK, NAK, unknown) */ \
    X(drop_malformed)      /* a required field missing or wrong (REQUEST without 50/ciaddr, INFORM without ciaddr, bad opt 50/54 length) */ \
    X(drop_other_server)   /* DECLINE/RELEASE naming another server, or REQUEST in SELECTING for another server */ \
    X(drop_relay_subnet)   /* giaddr outside the served subnet */ \
    X(ignored_no_record)   /* INIT-REBOOT/REBINDING for a client or address we know nothing about (silence) */ \
    X(ignored_decline)     /* DECLINE for an address the client does not hold */ \
    X(ignored_release)     /* RELEASE for an address the client does not hold */ \
    X(pool_exhausted)      /* DISCOVER with no address to offer */ \
    X(offers_withdrawn)    /* REQUEST chose another server, or the offer hold ran out */ \
    X(leases_expired)

typedef struct seqs_dhcp_server_counters {
#define SEQS_DHCPS_X_FIELD(name) uint32_t name;
    SEQS_DHCPS_COUNTERS(SEQS_DHCPS_X_FIELD)
#undef SEQS_DHCPS_X_FIELD
} seqs_dhcp_server_counters_t;

/* The server: caller-allocated (statically on firmware). Members are private. */
typedef struct seqs_dhcp_server {
    seqs_app_t app;
    seqs_dhcp_server_config_t cfg;
    seqs_dhcp_server_counters_t cnt;
    seqs_udp_t sock;
    uint32_t server_addr, subnet, mask;
    uint64_t next_due;                 /* earliest expiry in the table */
    uint32_t fresh_cursor;             /* next never-used pool address to try */
    uint8_t running;
    uint8_t cfg_error;                 /* seqs_dhcps_cfg_err_t of the last start */
    uint8_t rx[SEQS_DHCPS_RXBUF];
    uint8_t msg[SEQS_DHCPS_MSG_MAX];   /* the request being handled, then its reply */
    uint8_t cid[255];                  /* the request's client id, echoed in the reply (RFC 6842) */
} seqs_dhcp_server_t;

/* A lease as seen by a user (copy). */
typedef struct seqs_dhcps_lease_info {
    uint32_t addr;
    uint8_t state;             /* seqs_dhcps_lease_state_t */
    uint8_t mac[6];
    uint8_t id_len;
    uint8_t id[SEQS_DHCPS_CLIENT_ID_MAX];
    uint64_t expires_us;
    uint8_t reserved;          /* the address is a static reservation */
} seqs_dhcps_lease_info_t;

/* Checks cfg against the stack's address; SEQS_DHCPS_CFG_OK or the first problem. */
seqs_dhcps_cfg_err_t seqs_dhcp_server_check(const struct seqs_stack *s, const seqs_dhcp_server_config_t *cfg);
/* One-line English text for a seqs_dhcps_cfg_err_t (never NULL). */
const char *seqs_dhcp_server_cfg_strerror(int code);

/* Starts a server on s with cfg (copied; the table and reservations are kept by
 * pointer). Returns SEQS_OK; SEQS_ERR_INVAL for NULL arguments or a config that
 * seqs_dhcp_server_check() refuses (the reason is in seqs_dhcp_server_cfg_error()),
 * SEQS_ERR_LIMIT for a table too small for the pool, SEQS_ERR_NOADDR when the
 * stack has no address, SEQS_ERR_INUSE when port 67 is taken or srv is running,
 * SEQS_ERR_NOSLOT when no UDP socket is free. */
int seqs_dhcp_server_start(struct seqs_stack *s, seqs_dhcp_server_t *srv, const seqs_dhcp_server_config_t *cfg);
/* Detaches the server and closes its socket. The table keeps its contents. */
int seqs_dhcp_server_stop(struct seqs_stack *s, seqs_dhcp_server_t *srv);
/* The reason of the last refused start (SEQS_DHCPS_CFG_OK if none). */
int seqs_dhcp_server_cfg_error(const seqs_dhcp_server_t *srv);

const seqs_dhcp_server_counters_t *seqs_dhcp_server_counters(const seqs_dhcp_server_t *srv);
/* Name/value of counter i (0 <= i < SEQS_DHCPS_COUNTER_COUNT); NULL/0 otherwise. */
const char *seqs_dhcp_server_counter_name(unsigned i);
uint32_t seqs_dhcp_server_counter_value(const seqs_dhcp_server_t *srv, unsigned i);
#define SEQS_DHCPS_X_ONE(name) +1
enum { SEQS_DHCPS_COUNTER_COUNT = 0 SEQS_DHCPS_COUNTERS(SEQS_DHCPS_X_ONE) };
#undef SEQS_DHCPS_X_ONE

/* Walks the table: starting with *cursor = 0, each call copies the next used
 * entry into *out and returns 1, or returns 0 at the end. */
int seqs_dhcp_server_lease_next(const seqs_dhcp_server_t *srv, size_t *cursor, seqs_dhcps_lease_info_t *out);
/* Name of a seqs_dhcps_lease_state_t ("free", "offered", "bound", "released", "expired", "declined"). */
const char *seqs_dhcp_server_lease_state_name(int state);

#endif
