/* SPDX-License-Identifier: BSD-3-Clause */
/* The application hook (seqs/app.h): attach/detach, polls after input, on the
 * app's deadline and after address events, the app's deadline in the stack's,
 * and detaching from inside poll. */
#include <stddef.h>

#include "check.h"
#include "frames.h"
#include "internal.h"

static seqs_stack_t st;
static f_out_t o[16];
static uint8_t f[2048];

typedef struct toy {
    seqs_app_t app;       /* embedded hook */
    uint64_t due;         /* next timer */
    int polls, events, detach_self;
    uint64_t last_now;
    seqs_udp_t sock;
    uint8_t ring[256];
    int got;              /* datagrams read in poll */
} toy_t;

#define TOY(a) ((toy_t *)((char *)(a) - offsetof(toy_t, app)))

static void toy_poll(seqs_stack_t *s, seqs_app_t *a, uint64_t now) {
    toy_t *t = TOY(a);
    t->polls++;
    t->last_now = now;
    if (t->sock) {
        uint8_t b[64];
        seqs_udp_meta_t m;
        while (seqs_udp_recvfrom(s, t->sock, b, sizeof b, &m) >= 0) {
            t->got++;
            seqs_udp_sendmsg(s, t->sock, b, 1, &m);   /* answer from inside poll */
        }
    }
    if (t->due != SEQS_NEVER && now >= t->due)
        t->due = SEQS_NEVER;   /* one-shot timer fired */
    if (t->detach_self)
        CHECK_EQ(seqs_app_detach(s, a), SEQS_OK);
}
static uint64_t toy_deadline(const seqs_stack_t *s, const seqs_app_t *a) {
    (void)s;
    return TOY(a)->due;
}
static void toy_event(seqs_stack_t *s, seqs_app_t *a, unsigned ev) {
    (void)s;
    if (ev == SEQS_APP_EV_ADDR)
        TOY(a)->events++;
}
static const seqs_app_ops_t toy_ops = {toy_poll, toy_deadline, toy_event};
static const seqs_app_ops_t bad_ops = {NULL, toy_deadline, NULL};

static void test_attach_rules(void) {
    f_setup(&st, 1);
    toy_t t = {.due = SEQS_NEVER};
    CHECK_EQ(seqs_app_attach(&st, &t.app, &bad_ops), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_app_attach(NULL, &t.app, &toy_ops), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_app_attach(&st, &t.app, &toy_ops), SEQS_OK);
    CHECK(seqs_app_stack(&t.app) == &st);
    CHECK_EQ(seqs_app_attach(&st, &t.app, &toy_ops), SEQS_ERR_INUSE);
    CHECK_EQ(seqs_app_detach(&st, &t.app), SEQS_OK);
    CHECK(seqs_app_stack(&t.app) == NULL);
    CHECK_EQ(seqs_app_detach(&st, &t.app), SEQS_ERR_INVAL);
}

static void test_deadline_is_part_of_stack_deadline_and_fires(void) {
    f_setup(&st, 1);
    f_drain(&st, 0, o, 16);   /* announcements out of the way */
    uint64_t before = seqs_stack_next_deadline(&st);
    toy_t t = {.due = 5 * F_SEC};
    CHECK_EQ(seqs_app_attach(&st, &t.app, &toy_ops), SEQS_OK);
    CHECK_EQ(seqs_stack_next_deadline(&st), before < 5 * F_SEC ? before : 5 * F_SEC);
    seqs_stack_poll(&st, 4 * F_SEC);
    CHECK_EQ(t.polls, 0);
    seqs_stack_output(&st, f, sizeof f, 5 * F_SEC);
    CHECK_EQ(t.polls, 1);
    CHECK_EQ(t.last_now, 5 * F_SEC);
    CHECK(seqs_stack_next_deadline(&st) != 5 * F_SEC);
    seqs_app_detach(&st, &t.app);
}

static void test_input_polls_and_reply_from_poll_is_sent(void) {
    f_setup(&st, 1);
    toy_t t = {.due = SEQS_NEVER};
    CHECK_EQ(seqs_udp_open(&st, &t.sock, t.ring, sizeof t.ring), SEQS_OK);
    CHECK_EQ(seqs_udp_bind(&st, t.sock, 0, 4242), SEQS_OK);
    CHECK_EQ(seqs_app_attach(&st, &t.app, &toy_ops), SEQS_OK);
    f_drain(&st, 1, o, 16);
    int polls = t.polls;
    /* The peer's ARP entry first, so the reply goes straight out. */
    size_t n = f_arp(f, F_US, F_PEER, 2, F_PEER, F_PEER_IP, F_US, F_ADDR);
    seqs_stack_input(&st, f, n, 2);
    n = f_udp(f, F_US, F_PEER, F_PEER_IP, F_ADDR, 1000, 4242, "ping", 4);
    seqs_stack_input(&st, f, n, 3);
    CHECK(t.polls > polls);
    CHECK_EQ(t.got, 1);
    int k = f_drain(&st, 3, o, 16);
    int replies = 0;
    for (int i = 0; i < k; i++)
        if (rd16(o[i].f + 12) == 0x0800 && o[i].f[23] == 17 && rd16(o[i].f + 36) == 1000)
            replies++;
    CHECK_EQ(replies, 1);
    seqs_app_detach(&st, &t.app);
}

static void test_address_events_kick_and_notify(void) {
    f_setup(&st, 1);
    toy_t t = {.due = SEQS_NEVER};
    CHECK_EQ(seqs_app_attach(&st, &t.app, &toy_ops), SEQS_OK);
    seqs_stack_clear_addr(&st);
    CHECK_EQ(t.events, 1);
    CHECK_EQ(seqs_stack_next_deadline(&st), st.now);   /* kicked: poll owed now */
    int polls = t.polls;
    seqs_stack_poll(&st, st.now);
    CHECK_EQ(t.polls, polls + 1);
    /* Probe, then the address becomes ours (no announcements here: straight to BOUND): one event each. */
    CHECK_EQ(seqs_stack_set_addr(&st, F_ADDR, 24, 0, SEQS_ADDR_PROBE), SEQS_OK);
    CHECK_EQ(t.events, 2);
    uint64_t end = st.now + 20 * F_SEC;
    for (uint64_t now = st.now; now < end; now += F_SEC / 10)
        f_drain(&st, now, o, 16);
    CHECK_EQ(seqs_stack_addr_state(&st), SEQS_ADDR_BOUND);
    CHECK_EQ(t.events, 3);
    seqs_app_detach(&st, &t.app);
}

static void test_detach_self_inside_poll_keeps_walk_intact(void) {
    f_setup(&st, 1);
    toy_t a = {.due = 0, .detach_self = 1}, b = {.due = 0}, c = {.due = 0};
    seqs_app_attach(&st, &a.app, &toy_ops);
    seqs_app_attach(&st, &b.app, &toy_ops);
    seqs_app_attach(&st, &c.app, &toy_ops);
    seqs_stack_poll(&st, 10);
    CHECK_EQ(a.polls, 1);
    CHECK_EQ(b.polls, 1);
    CHECK_EQ(c.polls, 1);
    CHECK(seqs_app_stack(&a.app) == NULL);
    b.due = c.due = 0;
    seqs_stack_poll(&st, 11);
    CHECK_EQ(a.polls, 1);
    CHECK_EQ(b.polls, 2);
    CHECK_EQ(c.polls, 2);
    seqs_app_detach(&st, &b.app);
    seqs_app_detach(&st, &c.app);
}

int main(void) {
    RUN(test_attach_rules);
    RUN(test_deadline_is_part_of_stack_deadline_and_fires);
    RUN(test_input_polls_and_reply_from_poll_is_sent);
    RUN(test_address_events_kick_and_notify);
    RUN(test_detach_self_inside_poll_keeps_walk_intact);
    return check_result();
}
