/* SPDX-License-Identifier: BSD-3-Clause */
/* bindings/dhcp.i — SWIG helpers for the DHCP client (seqs/dhcp.h).
 * The client struct is opaque to Python: allocated here (malloc is fine in the
 * bindings), started with plain values, its lease and counters read as a dict /
 * tuple. seqs/dhcp.h itself is %included through seqs_extra.i. */
%{
#include "seqs/dhcp.h"
%}

%ignore seqs_dhcp_client;
%ignore seqs_dhcp_client_t;
%ignore seqs_dhcp_request;
%ignore seqs_dhcp_request_t;
%ignore seqs_dhcp_lease;
%ignore seqs_dhcp_lease_t;
%ignore seqs_dhcp_client_counters;
%ignore seqs_dhcp_client_counters_t;
%ignore seqs_dhcp_client_begin;     /* seqs_py_dhcp_client_begin() */
%ignore seqs_dhcp_client_lease;     /* seqs_py_dhcp_lease() */

%inline %{
static seqs_dhcp_client_t *seqs_py_dhcp_client_new(void) {
    return (seqs_dhcp_client_t *)calloc(1, sizeof(seqs_dhcp_client_t));
}
static void seqs_py_dhcp_client_free(seqs_dhcp_client_t *c) { free(c); }
static size_t seqs_py_dhcp_client_size(void) { return sizeof(seqs_dhcp_client_t); }
static unsigned seqs_py_dhcp_counter_count(void) { return (unsigned)SEQS_DHCP_CLIENT_COUNTER_COUNT; }

/* seqs_dhcp_client_begin() from plain values; client_id b"" means the default. */
static int seqs_py_dhcp_client_begin(seqs_stack_t *s, seqs_dhcp_client_t *c, uint32_t requested, uint32_t xid,
                                     const char *hostname, const uint8_t *data, size_t len, unsigned int flags) {
    seqs_dhcp_request_t r;
    memset(&r, 0, sizeof r);
    if (len > 255)
        return SEQS_ERR_INVAL;
    r.requested_addr = requested;
    r.xid = xid;
    r.hostname = hostname;
    r.client_id = len ? data : NULL;
    r.client_id_len = (uint8_t)len;
    r.flags = flags;
    return seqs_dhcp_client_begin(s, c, &r);
}

/* The lease as a dict, or None when no lease is held. */
static PyObject *seqs_py_dhcp_lease(const seqs_dhcp_client_t *c) {
    const seqs_dhcp_lease_t *l = seqs_dhcp_client_lease(c);
    if (!l)
        Py_RETURN_NONE;
    PyObject *dns = PyList_New(l->dns_count), *ntp = PyList_New(l->ntp_count);
    if (!dns || !ntp) {
        Py_XDECREF(dns);
        Py_XDECREF(ntp);
        return NULL;
    }
    for (unsigned i = 0; i < l->dns_count; i++)
        PyList_SET_ITEM(dns, i, PyLong_FromUnsignedLong(l->dns[i]));
    for (unsigned i = 0; i < l->ntp_count; i++)
        PyList_SET_ITEM(ntp, i, PyLong_FromUnsignedLong(l->ntp[i]));
    return Py_BuildValue("{s:k,s:I,s:k,s:k,s:N,s:N,s:k,s:k,s:k,s:K}", "addr", (unsigned long)l->addr,
                         "prefix_len", (unsigned)l->prefix_len, "router", (unsigned long)l->router,
                         "server_id", (unsigned long)l->server_id, "dns", dns, "ntp", ntp,
                         "lease_s", (unsigned long)l->lease_s, "t1_s", (unsigned long)l->t1_s,
                         "t2_s", (unsigned long)l->t2_s, "start_us", (unsigned long long)l->start_us);
}

static PyObject *seqs_py_dhcp_counter_values(const seqs_dhcp_client_t *c) {
    unsigned n = (unsigned)SEQS_DHCP_CLIENT_COUNTER_COUNT;
    PyObject *t = PyTuple_New(n);
    if (!t)
        return NULL;
    for (unsigned i = 0; i < n; i++)
        PyTuple_SET_ITEM(t, i, PyLong_FromUnsignedLong(seqs_dhcp_client_counter_value(c, i)));
    return t;
}
%}

%constant int DHCP_MAX_DNS = SEQS_DHCP_MAX_DNS;
%constant int DHCP_MAX_NTP = SEQS_DHCP_MAX_NTP;
%constant int DHCP_HOSTNAME_MAX = SEQS_DHCP_HOSTNAME_MAX;
%constant int DHCP_CLIENT_ID_MAX = SEQS_DHCP_CLIENT_ID_MAX;
