/* SPDX-License-Identifier: BSD-3-Clause */
/* bindings/dhcp_server.i — binding helpers for the DHCP server (seqs/dhcp_server.h).
 *
 * The Python layer (bindings/python/seqs/dhcp_server.py) owns one heap-allocated
 * seqs_py_dhcps_t holding the server, its config, lease table, reservations and
 * a small ring of lease events (filled by the server's on_event callback, in C:
 * no Python is called from inside the stack). Only stack/ is heapless. */
%{
#include "seqs/dhcp_server.h"

#define SEQS_PY_DHCPS_EVENTS 1024

typedef struct seqs_py_dhcps {
    seqs_dhcp_server_t srv;
    seqs_dhcp_server_config_t cfg;
    seqs_dhcps_lease_t *table;
    seqs_dhcp_reservation_t *res;
    size_t res_count;
    seqs_stack_t *stack;                /* the stack it runs on, NULL when stopped */
    seqs_dhcps_lease_t ev[SEQS_PY_DHCPS_EVENTS];
    size_t ev_head, ev_count;
    unsigned long ev_lost;
} seqs_py_dhcps_t;

static void seqs_py_dhcps_on_event(void *ctx, const seqs_dhcps_lease_t *lease) {
    seqs_py_dhcps_t *h = (seqs_py_dhcps_t *)ctx;
    if (h->ev_count == SEQS_PY_DHCPS_EVENTS) {
        h->ev_head = (h->ev_head + 1) % SEQS_PY_DHCPS_EVENTS;
        h->ev_count--;
        h->ev_lost++;
    }
    h->ev[(h->ev_head + h->ev_count) % SEQS_PY_DHCPS_EVENTS] = *lease;
    h->ev_count++;
}

static seqs_py_dhcps_t *seqs_py_dhcps_new(void) {
    return (seqs_py_dhcps_t *)calloc(1, sizeof(seqs_py_dhcps_t));
}

/* Plain values into the config; the table is (re)allocated with table_len entries. */
static int seqs_py_dhcps_config(seqs_py_dhcps_t *h, uint32_t pool_first, uint32_t pool_last, unsigned int prefix_len,
                                uint32_t router, uint32_t lease_s, uint32_t offer_hold_s, uint32_t decline_hold_s,
                                size_t table_len) {
    if (h == NULL || h->stack != NULL)
        return SEQS_ERR_INVAL;
    if (prefix_len > 32 || table_len > (1u << 24))
        return SEQS_ERR_LIMIT;
    free(h->table);
    h->table = table_len ? (seqs_dhcps_lease_t *)calloc(table_len, sizeof(seqs_dhcps_lease_t)) : NULL;
    if (table_len && h->table == NULL)
        return SEQS_ERR_NOBUFS;
    memset(&h->cfg, 0, sizeof h->cfg);
    h->cfg.pool_first = pool_first;
    h->cfg.pool_last = pool_last;
    h->cfg.prefix_len = (uint8_t)prefix_len;
    h->cfg.router = router;
    h->cfg.lease_s = lease_s;
    h->cfg.offer_hold_s = offer_hold_s;
    h->cfg.decline_hold_s = decline_hold_s;
    h->cfg.table = h->table;
    h->cfg.table_len = table_len;
    h->cfg.on_event = seqs_py_dhcps_on_event;
    h->cfg.event_ctx = h;
    return SEQS_OK;
}

static int seqs_py_dhcps_add_dns(seqs_py_dhcps_t *h, uint32_t addr) {
    if (h == NULL || h->stack != NULL)
        return SEQS_ERR_INVAL;
    if (h->cfg.dns_count >= SEQS_DHCPS_MAX_DNS)
        return SEQS_ERR_LIMIT;
    h->cfg.dns[h->cfg.dns_count++] = addr;
    return SEQS_OK;
}

static int seqs_py_dhcps_add_reservation(seqs_py_dhcps_t *h, const uint8_t *mac, size_t mac_len, uint32_t addr) {
    seqs_dhcp_reservation_t *r;
    if (h == NULL || h->stack != NULL || mac_len != 6)
        return SEQS_ERR_INVAL;
    r = (seqs_dhcp_reservation_t *)realloc(h->res, (h->res_count + 1) * sizeof *r);
    if (r == NULL)
        return SEQS_ERR_NOBUFS;
    h->res = r;
    memset(&r[h->res_count], 0, sizeof *r);
    memcpy(r[h->res_count].mac, mac, 6);
    r[h->res_count].addr = addr;
    h->res_count++;
    return SEQS_OK;
}

static int seqs_py_dhcps_check(seqs_py_dhcps_t *h, seqs_stack_t *s) {
    h->cfg.reservations = h->res;
    h->cfg.reservation_count = h->res_count;
    return (int)seqs_dhcp_server_check(s, &h->cfg);
}

static int seqs_py_dhcps_start(seqs_py_dhcps_t *h, seqs_stack_t *s) {
    int r;
    if (h == NULL || s == NULL || h->stack != NULL)
        return SEQS_ERR_INVAL;
    h->cfg.reservations = h->res;
    h->cfg.reservation_count = h->res_count;
    r = seqs_dhcp_server_start(s, &h->srv, &h->cfg);
    if (r == SEQS_OK)
        h->stack = s;
    return r;
}

static int seqs_py_dhcps_stop(seqs_py_dhcps_t *h) {
    int r;
    if (h == NULL || h->stack == NULL)
        return SEQS_OK;
    r = seqs_dhcp_server_stop(h->stack, &h->srv);
    h->stack = NULL;
    return r;
}

static void seqs_py_dhcps_free(seqs_py_dhcps_t *h) {
    if (h == NULL)
        return;
    seqs_py_dhcps_stop(h);
    free(h->table);
    free(h->res);
    free(h);
}

static PyObject *seqs_py_dhcps_lease_tuple(const seqs_dhcps_lease_info_t *i) {
    return Py_BuildValue("(ksy#y#KB)", (unsigned long)i->addr, seqs_dhcp_server_lease_state_name(i->state),
                         (const char *)i->mac, (Py_ssize_t)6, (const char *)i->id, (Py_ssize_t)i->id_len,
                         (unsigned long long)i->expires_us, i->reserved);
}

/* Every used entry as (addr, state, mac, client_id, expires_us, reserved). */
static PyObject *seqs_py_dhcps_leases(seqs_py_dhcps_t *h) {
    seqs_dhcps_lease_info_t info;
    size_t cur = 0;
    PyObject *list = PyList_New(0);
    if (list == NULL)
        return NULL;
    while (seqs_dhcp_server_lease_next(&h->srv, &cur, &info)) {
        PyObject *t = seqs_py_dhcps_lease_tuple(&info);
        if (t == NULL || PyList_Append(list, t) != 0) {
            Py_XDECREF(t);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(t);
    }
    return list;
}

/* Events since the last call, oldest first, as (addr, state, mac, client_id, expires_us, lost_before). */
static PyObject *seqs_py_dhcps_events(seqs_py_dhcps_t *h) {
    PyObject *list = PyList_New(0);
    if (list == NULL)
        return NULL;
    while (h->ev_count) {
        const seqs_dhcps_lease_t *e = &h->ev[h->ev_head];
        PyObject *t = Py_BuildValue("(ksy#y#Kk)", (unsigned long)e->addr, seqs_dhcp_server_lease_state_name(e->state),
                                    (const char *)e->mac, (Py_ssize_t)6, (const char *)e->id, (Py_ssize_t)e->id_len,
                                    (unsigned long long)e->expires_us, h->ev_lost);
        h->ev_lost = 0;
        h->ev_head = (h->ev_head + 1) % SEQS_PY_DHCPS_EVENTS;
        h->ev_count--;
        if (t == NULL || PyList_Append(list, t) != 0) {
            Py_XDECREF(t);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(t);
    }
    return list;
}

static PyObject *seqs_py_dhcps_counters(seqs_py_dhcps_t *h) {
    PyObject *d = PyDict_New();
    unsigned i;
    if (d == NULL)
        return NULL;
    for (i = 0; i < SEQS_DHCPS_COUNTER_COUNT; i++) {
        PyObject *v = PyLong_FromUnsignedLong((unsigned long)seqs_dhcp_server_counter_value(&h->srv, i));
        if (v == NULL || PyDict_SetItemString(d, seqs_dhcp_server_counter_name(i), v) != 0) {
            Py_XDECREF(v);
            Py_DECREF(d);
            return NULL;
        }
        Py_DECREF(v);
    }
    return d;
}

static size_t seqs_py_dhcps_lease_entry_size(void) { return sizeof(seqs_dhcps_lease_t); }
static size_t seqs_py_dhcps_server_size(void) { return sizeof(seqs_dhcp_server_t); }
%}

typedef struct seqs_py_dhcps seqs_py_dhcps_t;
seqs_py_dhcps_t *seqs_py_dhcps_new(void);
int seqs_py_dhcps_config(seqs_py_dhcps_t *h, uint32_t pool_first, uint32_t pool_last, unsigned int prefix_len,
                         uint32_t router, uint32_t lease_s, uint32_t offer_hold_s, uint32_t decline_hold_s,
                         size_t table_len);
int seqs_py_dhcps_add_dns(seqs_py_dhcps_t *h, uint32_t addr);
int seqs_py_dhcps_add_reservation(seqs_py_dhcps_t *h, const uint8_t *mac, size_t mac_len, uint32_t addr);
int seqs_py_dhcps_check(seqs_py_dhcps_t *h, seqs_stack_t *s);
int seqs_py_dhcps_start(seqs_py_dhcps_t *h, seqs_stack_t *s);
int seqs_py_dhcps_stop(seqs_py_dhcps_t *h);
void seqs_py_dhcps_free(seqs_py_dhcps_t *h);
PyObject *seqs_py_dhcps_leases(seqs_py_dhcps_t *h);
PyObject *seqs_py_dhcps_events(seqs_py_dhcps_t *h);
PyObject *seqs_py_dhcps_counters(seqs_py_dhcps_t *h);
size_t seqs_py_dhcps_lease_entry_size(void);
size_t seqs_py_dhcps_server_size(void);
