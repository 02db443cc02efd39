/* SPDX-License-Identifier: BSD-3-Clause */
/* seqs/app.h — the one hook applications (DHCP, DNS, SNTP, HTTP, a user's own
 * service) use to be driven by the stack's three calls.
 *
 * An application lives beside the core, on the public UDP/TCP API. To get its
 * timers run and its sockets serviced without a fourth call in every port, it
 * attaches a caller-allocated seqs_app_t with three callbacks:
 *   - poll(s, app, now): do work — read sockets, retransmit, change state.
 *     The stack calls it (a) after every received frame has been processed by
 *     seqs_stack_input(), (b) from seqs_stack_output()/seqs_stack_poll() when
 *     deadline() has come, and (c) once after an event() (or seqs_app_kick()).
 *     poll may send (UDP, TCP write) and change the address; it must not call
 *     seqs_stack_input/output/poll of the same stack.
 *   - deadline(s, app): the earliest time poll must run if no frame arrives
 *     (SEQS_NEVER when none). It is part of seqs_stack_next_deadline(), so a
 *     port that honours the stack's deadline drives every attached app too.
 *   - event(s, app, ev) (may be NULL): the stack tells every app about a
 *     change (SEQS_APP_EV_ADDR: the address state changed — an RFC 5227 probe
 *     ended, a conflict, set/clear by anyone, the app itself included). Every
 *     app is also polled once after an event, so most apps leave event NULL;
 *     event must not send or change stack state (it may run mid-frame).
 * Attaching is O(1) and allocation-free; the struct must stay valid until
 * seqs_app_detach(). An app is attached to at most one stack. */
#ifndef SEQS_APP_H
#define SEQS_APP_H

#include <stdint.h>

struct seqs_stack;
typedef struct seqs_app seqs_app_t;

/* seqs_app_ops_t.event codes */
enum {
    SEQS_APP_EV_ADDR = 1   /* seqs_stack_addr_state()/seqs_stack_addr() changed */
};

typedef struct seqs_app_ops {
    void (*poll)(struct seqs_stack *s, seqs_app_t *app, uint64_t now_us);
    uint64_t (*deadline)(const struct seqs_stack *s, const seqs_app_t *app);
    void (*event)(struct seqs_stack *s, seqs_app_t *app, unsigned ev);
} seqs_app_ops_t;

/* Embed this as a member of the application's own state (the DHCP client,
 * the HTTP server, ...); recover the outer struct with offsetof. Members are private. */
struct seqs_app {
    const seqs_app_ops_t *ops;
    struct seqs_app *next;
    struct seqs_stack *stack;
    uint8_t kicked;
};

/* Attaches app with ops (poll and deadline are required). SEQS_ERR_INVAL for
 * NULL arguments or missing callbacks, SEQS_ERR_INUSE when app is already attached. */
int seqs_app_attach(struct seqs_stack *s, seqs_app_t *app, const seqs_app_ops_t *ops);
/* Detaches app; SEQS_ERR_INVAL when it is not attached to s. Safe to call from
 * inside the app's own poll(). */
int seqs_app_detach(struct seqs_stack *s, seqs_app_t *app);
/* Asks for one poll() at the next seqs_stack_output()/seqs_stack_poll(), and
 * makes seqs_stack_next_deadline() return "now" until then. */
void seqs_app_kick(seqs_app_t *app);
/* The stack app is attached to, or NULL. */
struct seqs_stack *seqs_app_stack(const seqs_app_t *app);

#endif
