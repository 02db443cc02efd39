/* SPDX-License-Identifier: BSD-3-Clause */
/* fw_app.h — how a service joins the seqs firmware without forking fw_main.c.
 *
 * A firmware application is one C file that defines one constant
 *
 *     const fw_app_t fw_app_<name> = { .name = "<name>", .init = ..., .poll = ... };
 *
 * where <name> is the file's base name (my_app.c -> fw_app_my_app), and is added to
 * the build with the CMake list SEQS_FW_APPS (-DSEQS_FW_APPS="/path/my_app.c;...").
 * The build generates the table of every app (fw_app_table.c); the main loop then
 *   - calls init(s) once at boot, after seqs_stack_init() and before the first frame
 *     (the address may not be there yet: with DHCP it comes later; sockets bound to
 *     address 0 work from the moment the address is set);
 *   - calls poll(s, now) after every received frame has gone through the stack and
 *     on every wake-up of the loop (timers, link changes), then sends what the stack
 *     queued; poll reads its sockets, writes replies, runs its own state machine;
 *   - sleeps no later than deadline(s) (optional, NULL = "only when something happens").
 * Everything an app keeps is static in its own file (no heap on these boards).
 * An app that needs to be driven by the stack itself (its timers inside
 * seqs_stack_next_deadline(), polls from inside seqs_stack_output()) may instead
 * attach a seqs_app_t (seqs/app.h) in init: that is how the DHCP client runs.
 *
 * Example: firmware/apps/uptime.c (a UDP service that reports uptime and the lease). */
#ifndef SEQS_FW_APP_H
#define SEQS_FW_APP_H

#include <stddef.h>
#include <stdint.h>

#include <seqs/seqs.h>

typedef struct fw_app {
    const char *name;
    /* Once at boot. SEQS_OK, or an error that stops the firmware (logged with the name). */
    int (*init)(seqs_stack_t *s);
    /* After every received frame and every wake-up. May call any seqs_udp_* / seqs_tcp_*
     * function of s; must not call seqs_stack_input/output/poll (the loop does). */
    void (*poll)(seqs_stack_t *s, uint64_t now_us);
    /* Optional: the latest time poll must run when nothing arrives (SEQS_NEVER when none). */
    uint64_t (*deadline)(const seqs_stack_t *s);
    /* Optional: appends the app's counters as "name=value\n" lines to buf at pos (never
     * past cap) and returns the new position (the test control port reports them). */
    size_t (*report)(char *buf, size_t pos, size_t cap);
    /* Optional: the TCP connections the app holds now (up to max handles into out; returns
     * how many). The status page lists them. */
    unsigned (*conns)(const seqs_stack_t *s, seqs_tcp_t *out, unsigned max);
} fw_app_t;

/* The generated table: every app of SEQS_FW_APPS, in that order, NULL-terminated. */
extern const fw_app_t *const fw_app_table[];

/* ---- what the main loop offers to apps ------------------------------------------ */

/* Sends a UDP reply to the sender of req, from the address req was sent to when
 * that address is ours; flushes the transmit queue once if it is full. Returns what
 * seqs_udp_sendmsg returns (the length, or an error). */
int fw_udp_reply(seqs_stack_t *s, seqs_udp_t h, const void *data, size_t len, const seqs_udp_meta_t *req);

/* Hands every frame the stack has queued to the driver now (normally the loop does it
 * after each poll; an app that queues a lot in one poll may call it in between). */
void fw_flush(seqs_stack_t *s);

/* A scratch buffer shared by every app: valid only during the current init/poll call
 * (the loop is single-threaded). *cap receives its size (FW_SCRATCH_BYTES). */
uint8_t *fw_scratch(size_t *cap);

/* How the address was obtained and what the firmware knows about the network. */
typedef struct fw_status {
    uint64_t boot_us;         /* fw_hal_now_us() when the stack came up */
    uint8_t dhcp;             /* 1: address by DHCP, 0: static */
    uint8_t link;             /* 1 while the link is up */
    const char *hostname;     /* sent in DHCP option 12 */
} fw_status_t;
const fw_status_t *fw_status(void);

/* The DHCP lease (NULL when the address is static, or while no lease is held), and
 * the client state name ("bound", "selecting", ..., "static"). */
struct seqs_dhcp_lease;
const struct seqs_dhcp_lease *fw_dhcp_lease(void);
const char *fw_dhcp_state(void);

/* The SNTP client (NULL when SNTP is not compiled in or no server is known yet) and the
 * wall-clock time: Unix microseconds at monotonic time now_us, 0 before the first sync. */
struct seqs_sntp;
const struct seqs_sntp *fw_sntp(void);
int64_t fw_unix_us(uint64_t now_us);

/* Appends text / a decimal / a dotted quad to buf at pos (never past cap); returns the
 * new position. Small helpers for apps that format replies without printf. */
size_t fw_put_str(char *buf, size_t pos, size_t cap, const char *s);
size_t fw_put_u32(char *buf, size_t pos, size_t cap, uint32_t v);
size_t fw_put_u64(char *buf, size_t pos, size_t cap, uint64_t v);
size_t fw_put_ip4(char *buf, size_t pos, size_t cap, uint32_t addr);
size_t fw_put_i64(char *buf, size_t pos, size_t cap, int64_t v);
/* The main loop's own counters (fw_tx_fail, dhcp_*), in the format of fw_app_t.report. */
size_t fw_report(char *buf, size_t pos, size_t cap);
/* "name=value\n" when value != 0 (nothing otherwise). */
size_t fw_put_counter(char *buf, size_t pos, size_t cap, const char *name, uint32_t value);

#endif
