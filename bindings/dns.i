/* SPDX-License-Identifier: BSD-3-Clause */
/* bindings/dns.i — SWIG helpers for the DNS resolver (seqs/dns.h) and the
 * SNTP client (seqs/sntp.h). Their structs are opaque to SWIG; these helpers
 * allocate them (the Python layer owns and frees them) and return results as
 * plain tuples. The Pythonic layer is bindings/python/seqs/dns.py. */
%{
#include "seqs/dns.h"
#include "seqs/sntp.h"
#include "seqs/wire/dns.h"
%}

/* A Python sequence of IPv4 addresses (ints, host order) for seqs_dns_set_servers(). */
%typemap(in) (const uint32_t *servers, size_t n) (uint32_t tmp[SEQS_DNS_MAX_SERVERS + 1]) {
    PyObject *seq = PySequence_Fast($input, "servers must be a sequence of int addresses");
    Py_ssize_t i, len;
    if (!seq)
        SWIG_fail;
    len = PySequence_Fast_GET_SIZE(seq);
    if (len > SEQS_DNS_MAX_SERVERS + 1)
        len = SEQS_DNS_MAX_SERVERS + 1;   /* the C call reports SEQS_ERR_LIMIT */
    for (i = 0; i < len; i++) {
        unsigned long v = PyLong_AsUnsignedLong(PySequence_Fast_GET_ITEM(seq, i));
        if (PyErr_Occurred() || v > 0xFFFFFFFFul) {
            Py_DECREF(seq);
            PyErr_SetString(PyExc_ValueError, "servers: each address must be an int in 0..2**32-1");
            SWIG_fail;
        }
        tmp[i] = (uint32_t)v;
    }
    $2 = (size_t)PySequence_Fast_GET_SIZE(seq);
    Py_DECREF(seq);
    $1 = tmp;
}
%typemap(typecheck) (const uint32_t *servers, size_t n) { $1 = PySequence_Check($input) ? 1 : 0; }

/* Function pointers cannot come from Python: the layer polls instead. */
%ignore seqs_dns_set_callback;
%ignore seqs_dns_query_addrs;

%{
static seqs_dns_resolver_t *seqs_py_dns_resolver_new(void) {
    return (seqs_dns_resolver_t *)calloc(1, sizeof(seqs_dns_resolver_t));
}
static void seqs_py_dns_resolver_free(seqs_dns_resolver_t *r) { free(r); }
static seqs_dns_query_t *seqs_py_dns_query_new(void) {
    return (seqs_dns_query_t *)calloc(1, sizeof(seqs_dns_query_t));
}
static void seqs_py_dns_query_free(seqs_dns_query_t *q) { free(q); }
/* (status, [addr, ...], ttl_s, from_cache) */
static PyObject *seqs_py_dns_result(const seqs_dns_query_t *q) {
    uint32_t a[SEQS_DNS_MAX_ADDRS];
    int n = seqs_dns_query_addrs(q, a, SEQS_DNS_MAX_ADDRS), i;
    PyObject *l = PyList_New(0);
    if (!l)
        return NULL;
    for (i = 0; i < n && i < SEQS_DNS_MAX_ADDRS; i++) {
        PyObject *o = PyLong_FromUnsignedLong(a[i]);
        if (!o || PyList_Append(l, o) != 0) {
            Py_XDECREF(o);
            Py_DECREF(l);
            return NULL;
        }
        Py_DECREF(o);
    }
    return Py_BuildValue("(iNkO)", (int)seqs_dns_query_status(q), l, (unsigned long)seqs_dns_query_ttl(q),
                         seqs_dns_query_from_cache(q) ? Py_True : Py_False);
}
static PyObject *seqs_py_dns_stats(const seqs_dns_resolver_t *r) {
    const seqs_dns_stats_t *st = seqs_dns_stats(r);
    return Py_BuildValue("{s:k,s:k,s:k,s:k,s:k,s:k,s:k,s:k,s:k,s:k,s:k,s:k,s:k,s:k,s:i}",
        "queries_tx", (unsigned long)st->queries_tx, "retransmits", (unsigned long)st->retransmits,
        "server_switches", (unsigned long)st->server_switches, "tcp_fallbacks", (unsigned long)st->tcp_fallbacks,
        "responses", (unsigned long)st->responses, "drop_source", (unsigned long)st->drop_source,
        "drop_not_response", (unsigned long)st->drop_not_response, "drop_id", (unsigned long)st->drop_id,
        "drop_question", (unsigned long)st->drop_question, "drop_malformed", (unsigned long)st->drop_malformed,
        "drop_udp_truncated", (unsigned long)st->drop_udp_truncated,
        "icmp_unreachable", (unsigned long)st->icmp_unreachable, "cache_hits", (unsigned long)st->cache_hits,
        "cache_misses", (unsigned long)st->cache_misses, "last_wire_error", (int)st->last_wire_error);
}
static seqs_sntp_t *seqs_py_sntp_new(void) { return (seqs_sntp_t *)calloc(1, sizeof(seqs_sntp_t)); }
static void seqs_py_sntp_free(seqs_sntp_t *c) { free(c); }
/* seqs_sntp_start() from plain values (0 = the default of that field). */
static int seqs_py_sntp_start(seqs_stack_t *s, seqs_sntp_t *c, uint32_t server, unsigned int poll_s,
                              unsigned int max_poll_s, unsigned int reply_timeout_ms, unsigned int first_max_ms,
                              unsigned int port) {
    seqs_sntp_config_t cfg;
    seqs_sntp_config_default(&cfg);
    if (poll_s) cfg.poll_s = poll_s;
    if (max_poll_s) cfg.max_poll_s = max_poll_s;
    if (reply_timeout_ms) cfg.reply_timeout_ms = reply_timeout_ms;
    cfg.first_max_ms = first_max_ms;
    if (port > 0xFFFFu)
        return SEQS_ERR_INVAL;
    if (port) cfg.port = (uint16_t)port;
    return seqs_sntp_start(s, c, server, &cfg);
}
static PyObject *seqs_py_sntp_stats(const seqs_sntp_t *c) {
    const seqs_sntp_stats_t *st = seqs_sntp_stats(c);
    return Py_BuildValue("{s:k,s:k,s:k,s:k,s:k,s:k,s:k,s:k,s:k,s:k,s:k}",
        "requests", (unsigned long)st->requests, "replies", (unsigned long)st->replies,
        "drop_source", (unsigned long)st->drop_source, "drop_malformed", (unsigned long)st->drop_malformed,
        "drop_mode", (unsigned long)st->drop_mode, "drop_bogus", (unsigned long)st->drop_bogus,
        "drop_unsync", (unsigned long)st->drop_unsync, "drop_stratum", (unsigned long)st->drop_stratum,
        "drop_zero_tx", (unsigned long)st->drop_zero_tx, "kod", (unsigned long)st->kod,
        "timeouts", (unsigned long)st->timeouts);
}
%}

seqs_dns_resolver_t *seqs_py_dns_resolver_new(void);
void seqs_py_dns_resolver_free(seqs_dns_resolver_t *r);
seqs_dns_query_t *seqs_py_dns_query_new(void);
void seqs_py_dns_query_free(seqs_dns_query_t *q);
PyObject *seqs_py_dns_result(const seqs_dns_query_t *q);
PyObject *seqs_py_dns_stats(const seqs_dns_resolver_t *r);
seqs_sntp_t *seqs_py_sntp_new(void);
void seqs_py_sntp_free(seqs_sntp_t *c);
int seqs_py_sntp_start(seqs_stack_t *s, seqs_sntp_t *c, uint32_t server, unsigned int poll_s,
                       unsigned int max_poll_s, unsigned int reply_timeout_ms, unsigned int first_max_ms,
                       unsigned int port);
PyObject *seqs_py_sntp_stats(const seqs_sntp_t *c);
%constant int DNS_MAX_SERVERS = SEQS_DNS_MAX_SERVERS;
%constant int DNS_MAX_ADDRS = SEQS_DNS_MAX_ADDRS;
%constant int DNS_CACHE_SIZE = SEQS_DNS_CACHE_SIZE;
/* seqs_dns_stats_t.last_wire_error values (seqs/wire/dns.h). */
%constant int DNS_WIRE_TRUNCATED = SEQS_DNS_WIRE_TRUNCATED;
%constant int DNS_WIRE_POINTER = SEQS_DNS_WIRE_POINTER;
%constant int DNS_WIRE_LABEL = SEQS_DNS_WIRE_LABEL;
%constant int DNS_WIRE_NAMELEN = SEQS_DNS_WIRE_NAMELEN;
%constant int DNS_WIRE_RDLENGTH = SEQS_DNS_WIRE_RDLENGTH;
%constant int DNS_WIRE_COUNT = SEQS_DNS_WIRE_COUNT;
