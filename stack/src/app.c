/* SPDX-License-Identifier: BSD-3-Clause */
/* app.c — the application hook (seqs/app.h): a caller-allocated list of
 * attached apps, polled after input frames, on their deadlines and after events. */
#include "internal.h"
#include "seqs/app.h"

int seqs_app_attach(seqs_stack_t *s, seqs_app_t *app, const seqs_app_ops_t *ops) {
    if (!s || !app || !ops || !ops->poll || !ops->deadline)
        return SEQS_ERR_INVAL;
    for (seqs_app_t *a = s->apps; a; a = a->next)
        if (a == app)
            return SEQS_ERR_INUSE;
    app->ops = ops;
    app->stack = s;
    app->kicked = 0;
    app->next = NULL;
    /* Append: apps are polled in the order they were attached. */
    seqs_app_t **pp = &s->apps;
    while (*pp)
        pp = &(*pp)->next;
    *pp = app;
    return SEQS_OK;
}

int seqs_app_detach(seqs_stack_t *s, seqs_app_t *app) {
    if (!s || !app)
        return SEQS_ERR_INVAL;
    for (seqs_app_t **pp = &s->apps; *pp; pp = &(*pp)->next)
        if (*pp == app) {
            *pp = app->next;
            if (s->app_cursor == app)
                s->app_cursor = app->next;
            app->next = NULL;
            app->stack = NULL;
            return SEQS_OK;
        }
    return SEQS_ERR_INVAL;
}

void seqs_app_kick(seqs_app_t *app) {
    if (app)
        app->kicked = 1;
}

seqs_stack_t *seqs_app_stack(const seqs_app_t *app) { return app ? app->stack : NULL; }

/* Walks the list through s->app_cursor so an app may detach itself (or
 * another app) from inside its poll without breaking the walk. */
void seqs__apps_run(seqs_stack_t *s, int all) {
    if (s->app_depth)   /* an app's poll led back here (e.g. through seqs_stack_poll): no recursion */
        return;
    s->app_depth = 1;
    for (seqs_app_t *a = s->apps; a; a = s->app_cursor) {
        s->app_cursor = a->next;
        if (all || a->kicked || a->ops->deadline(s, a) <= s->now) {
            a->kicked = 0;
            a->ops->poll(s, a, s->now);
        }
    }
    s->app_cursor = NULL;
    s->app_depth = 0;
}

uint64_t seqs__apps_deadline(const seqs_stack_t *s) {
    uint64_t d = SEQS_NEVER;
    for (const seqs_app_t *a = s->apps; a; a = a->next) {
        uint64_t t = a->kicked ? s->now : a->ops->deadline(s, a);
        if (t < d)
            d = t;
    }
    return d;
}

void seqs__apps_event(seqs_stack_t *s, unsigned ev) {
    for (seqs_app_t *a = s->apps; a; a = a->next) {
        a->kicked = 1;
        if (a->ops->event)
            a->ops->event(s, a, ev);
    }
}
