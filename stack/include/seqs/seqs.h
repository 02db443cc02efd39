/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/seqs.h — the stack: one caller-allocated instance per network interface.
 *
 * The core is sans-IO: it never reads a clock, allocates, sleeps or touches a
 * device. A port drives it with three calls:
 *   seqs_stack_input()         one received Ethernet frame + the current time;
 *   seqs_stack_output()        pull the next frame to transmit into a caller buffer;
 *   seqs_stack_next_deadline() when to call seqs_stack_output() again if nothing arrives.
 * Time is a monotonic microsecond count chosen by the caller. The stack's notion
 * of "now" is the latest time passed to input/output/poll; calls without a time
 * argument (socket sends, set_addr) use it. Randomness comes from the config's
 * callback or seed, so a fixed seed gives bit-identical runs.
 * Instances share nothing: many may live in one process. */
#ifndef SEQS_SEQS_H
#define SEQS_SEQS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "opts.h"
#include "counters.h"

#define SEQS_NEVER UINT64_MAX

/* IPv4 addresses are uint32_t in host byte order: 192.0.2.1 == 0xC0000201. */
#define SEQS_IP4(a, b, c, d) \
    (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

typedef uint32_t (*seqs_rng_fn)(void *ctx);

/* seqs_config_t.flags */
enum {
    SEQS_CFG_ECHO_BROADCAST = 1u << 0,   /* answer echo requests sent to broadcast/multicast (C4); off by default */
    SEQS_CFG_ALL_MULTICAST = 1u << 1,    /* accept every IPv4 multicast frame, not only joined groups */
    SEQS_CFG_NO_GRATUITOUS = 1u << 2     /* do not announce (gratuitous ARP) a static address */
};

typedef struct seqs_config {
    uint8_t mac[6];            /* unicast, not all-zero */
    uint16_t mtu;              /* IP MTU, SEQS_MIN_MTU..SEQS_MAX_MTU; 0 means 1500 (or SEQS_MAX_MTU if lower) */
    uint8_t max_udp_sockets;   /* <= SEQS_MAX_UDP_SOCKETS */
    uint8_t max_tcp_listeners; /* <= SEQS_MAX_TCP_LISTENERS */
    uint8_t max_tcp_conns;     /* <= SEQS_MAX_TCP_CONNS */
    uint8_t ttl;               /* default TTL of our datagrams; 0 means 64 */
    uint32_t flags;            /* SEQS_CFG_* */
    uint64_t rng_seed;         /* seeds the internal generator when rng is NULL */
    seqs_rng_fn rng;           /* optional: caller's randomness source (e.g. a hardware TRNG) */
    void *rng_ctx;
} seqs_config_t;

/* Fills cfg with defaults: mtu 1500, all limits at their maximum, ttl 64, seed 1. The MAC is zero: set it. */
void seqs_config_default(seqs_config_t *cfg);

/* The full definition is in seqs/priv/stack.h so callers can allocate it
 * (statically on firmware); its members are private. */
typedef struct seqs_stack seqs_stack_t;

/* Initialises s from cfg. SEQS_ERR_INVAL for a NULL pointer or a multicast/zero MAC,
 * SEQS_ERR_LIMIT when cfg asks for more than seqs/opts.h allows. */
int seqs_stack_init(seqs_stack_t *s, const seqs_config_t *cfg);

/* Address configuration ------------------------------------------------- */

/* seqs_stack_set_addr() flags */
enum {
    SEQS_ADDR_PROBE = 1u << 0   /* RFC 5227: probe before use (A10); the address is tentative until done */
};

typedef enum seqs_addr_state {
    SEQS_ADDR_NONE = 0,        /* no address */
    SEQS_ADDR_TENTATIVE,       /* probing (RFC 5227 2.1.1); not yet used as a source */
    SEQS_ADDR_ANNOUNCING,      /* in use, announcements still being sent */
    SEQS_ADDR_BOUND,           /* in use */
    SEQS_ADDR_CONFLICT         /* probe met a conflict, or defence failed: address given up */
} seqs_addr_state_t;

/* Sets the static IPv4 address addr/prefix_len with optional default gateway
 * (0 for none; it must be on-link). Without SEQS_ADDR_PROBE the address is used
 * at once and announced with gratuitous ARP (unless SEQS_CFG_NO_GRATUITOUS).
 * SEQS_ERR_INVAL for prefix_len outside 1..32, a gateway off the subnet, or an address in 0/8,
 * broadcast, multicast, loopback, reserved (240/4), or the subnet's network/broadcast address.
 * Changing the address drops datagrams waiting for ARP and aborts TCP connections on the old one.
 * Without an address only the limited broadcast can be sent to (from 0.0.0.0, for DHCP). */
int seqs_stack_set_addr(seqs_stack_t *s, uint32_t addr, uint8_t prefix_len, uint32_t gateway, unsigned flags);
void seqs_stack_clear_addr(seqs_stack_t *s);
seqs_addr_state_t seqs_stack_addr_state(const seqs_stack_t *s);
/* Current address (0 when none), prefix length and gateway; any out pointer may be NULL. */
uint32_t seqs_stack_addr(const seqs_stack_t *s, uint8_t *prefix_len, uint32_t *gateway);

/* Joins/leaves an IPv4 multicast group (frames to its 01:00:5e MAC and datagrams
 * to it are accepted). No IGMP is sent. SEQS_ERR_NOSLOT when the table is full. */
int seqs_stack_join_group(seqs_stack_t *s, uint32_t group);
int seqs_stack_leave_group(seqs_stack_t *s, uint32_t group);

/* The frame pump --------------------------------------------------------- */

/* Processes one received Ethernet frame (no FCS). The frame is not retained:
 * the buffer may be reused when this returns. Returns SEQS_OK, or SEQS_ERR_INVAL
 * for a NULL stack/frame. Malformed frames are not errors: they are counted. */
int seqs_stack_input(seqs_stack_t *s, const uint8_t *frame, size_t len, uint64_t now_us);

/* Runs due timers, then writes the next frame to transmit into buf (cap bytes,
 * at least SEQS_MAX_FRAME is always enough). Returns the frame length (> 0), 0
 * when nothing is pending, or SEQS_ERR_NOBUFS when cap is too small for the
 * pending frame (it stays queued). Frames are never padded to 60 bytes: the
 * driver pads if its hardware does not. Call it until it returns 0. */
int seqs_stack_output(seqs_stack_t *s, uint8_t *buf, size_t cap, uint64_t now_us);

/* Advances time and runs due timers without pulling a frame. */
void seqs_stack_poll(seqs_stack_t *s, uint64_t now_us);

/* The earliest time at which seqs_stack_output() has work: <= now when a frame
 * is already pending, SEQS_NEVER when nothing is scheduled. */
uint64_t seqs_stack_next_deadline(const seqs_stack_t *s);

/* Counters ---------------------------------------------------------------- */
const seqs_counters_t *seqs_stack_counters(const seqs_stack_t *s);
/* Name of counter i (0 <= i < SEQS_COUNTER_COUNT), NULL otherwise. */
const char *seqs_counter_name(unsigned i);
uint32_t seqs_counter_value(const seqs_stack_t *s, unsigned i);

/* A uniformly random 32-bit value from the stack's source (ISNs, ids, ports). */
uint32_t seqs_stack_random(seqs_stack_t *s);

/* The stack's MAC address (6 bytes, from the config; NULL for a NULL stack). */
const uint8_t *seqs_stack_mac(const seqs_stack_t *s);

#include "priv/stack.h"
#include "udp.h"
#include "icmp.h"
#include "tcp.h"

#endif
