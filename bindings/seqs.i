/* SPDX-License-Identifier: BSD-3-Clause */
/* bindings/seqs.i — SWIG interface over the public C API of seqs.
 *
 * Generates the low-level module `seqs.seqs_c` (extension `seqs._seqs_c`).
 * Users import `seqs` (bindings/python/seqs/), the Pythonic layer on top.
 *
 * Conventions (see bindings/README.md):
 *   - seqs_stack_t is opaque: allocated here by seqs_py_stack_new()/freed by
 *     seqs_py_stack_free(); its members are never exposed.
 *   - Every function keeps its C signature and returns the C result (negative
 *     seqs_err_t codes included): raising is done by the Python layer.
 *   - Byte buffers go through typemaps selected by PARAMETER NAMES, so any new
 *     function following the naming rules is wrapped with no extra work:
 *       (const void *data, size_t len), (const uint8_t *data, size_t len),
 *       (const uint8_t *frame, size_t len)       -> any bytes-like object (read)
 *       (void *buf, size_t cap), (uint8_t *buf, size_t cap),
 *       (void *rxbuf, size_t rxcap), (uint8_t *rxbuf, size_t rxcap),
 *       (void *txbuf, size_t txcap), (uint8_t *txbuf, size_t txcap)
 *                                                -> a writable buffer (bytearray,
 *                                                   memoryview); the C code writes
 *                                                   into it / keeps a pointer to it.
 *   - Out-parameters named `out` of handle types, and uint8_t/uint16_t/uint32_t
 *     out-parameters listed below, become extra return values (a list
 *     [result, out...]).
 */
%module seqs_c

%{
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>
#include <string.h>
#include "seqs/seqs.h"
%}

%include <stdint.i>
%include <typemaps.i>

/* size_t as a Python int; negative values are rejected by SWIG's stdint typemaps. */

/* ---------------------------------------------------------------------------
 * Read-only byte buffers: any object supporting the buffer protocol.
 * ------------------------------------------------------------------------- */
%define SEQS_IN_BUFFER(TYPE, PTR, LEN)
%typemap(in) (TYPE PTR, size_t LEN) (Py_buffer view, int have_view = 0) {
    if (PyObject_GetBuffer($input, &view, PyBUF_SIMPLE) != 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s(): argument '%s' must be a bytes-like object, not %.100s",
                     "$symname", "$1_name", Py_TYPE($input)->tp_name);
        SWIG_fail;
    }
    have_view = 1;
    $1 = ($1_ltype)view.buf;
    $2 = (size_t)view.len;
}
%typemap(freearg) (TYPE PTR, size_t LEN) {
    if (have_view$argnum) PyBuffer_Release(&view$argnum);
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_STRING) (TYPE PTR, size_t LEN) {
    $1 = PyObject_CheckBuffer($input) ? 1 : 0;
}
%enddef

SEQS_IN_BUFFER(const void *, data, len)
SEQS_IN_BUFFER(const uint8_t *, data, len)
SEQS_IN_BUFFER(const uint8_t *, frame, len)
SEQS_IN_BUFFER(const uint8_t *, mac, mac_len)

/* ---------------------------------------------------------------------------
 * Writable byte buffers (the C side writes into them, or keeps them: the
 * Python owner must keep the object alive and never resize it).
 * ------------------------------------------------------------------------- */
%define SEQS_OUT_BUFFER(TYPE, PTR, LEN)
%typemap(in) (TYPE PTR, size_t LEN) (Py_buffer view, int have_view = 0) {
    if (PyObject_GetBuffer($input, &view, PyBUF_WRITABLE) != 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError,
                     "%s(): argument '%s' must be a writable bytes-like object (bytearray, memoryview), not %.100s",
                     "$symname", "$1_name", Py_TYPE($input)->tp_name);
        SWIG_fail;
    }
    have_view = 1;
    $1 = ($1_ltype)view.buf;
    $2 = (size_t)view.len;
}
%typemap(freearg) (TYPE PTR, size_t LEN) {
    if (have_view$argnum) PyBuffer_Release(&view$argnum);
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_STRING) (TYPE PTR, size_t LEN) {
    $1 = PyObject_CheckBuffer($input) ? 1 : 0;
}
%enddef

SEQS_OUT_BUFFER(void *, buf, cap)
SEQS_OUT_BUFFER(uint8_t *, buf, cap)
SEQS_OUT_BUFFER(void *, rxbuf, rxcap)
SEQS_OUT_BUFFER(uint8_t *, rxbuf, rxcap)
SEQS_OUT_BUFFER(void *, txbuf, txcap)
SEQS_OUT_BUFFER(uint8_t *, txbuf, txcap)
SEQS_OUT_BUFFER(void *, pool, pool_len)
SEQS_OUT_BUFFER(uint8_t *, pool, pool_len)

/* ---------------------------------------------------------------------------
 * Out-parameters.
 * ------------------------------------------------------------------------- */
%apply uint32_t *OUTPUT { seqs_udp_t *out };
%apply uint32_t *OUTPUT { seqs_tcp_t *out };
%apply uint32_t *OUTPUT { seqs_tcp_listener_t *out };
%apply uint32_t *OUTPUT { seqs_tcp_conn_t *out };
%apply uint8_t *OUTPUT { uint8_t *prefix_len };
%apply uint32_t *OUTPUT { uint32_t *gateway };

/* seqs_udp_meta_t: received metadata comes back as a tuple
 * (remote_addr, remote_port, local_port, local_addr, truncated). */
%typemap(in, numinputs=0) seqs_udp_meta_t *meta (seqs_udp_meta_t temp) {
    memset(&temp, 0, sizeof temp);
    $1 = &temp;
}
%typemap(argout) seqs_udp_meta_t *meta {
    $result = SWIG_AppendOutput($result,
        Py_BuildValue("(kHHkB)", (unsigned long)$1->remote_addr, $1->remote_port, $1->local_port,
                      (unsigned long)$1->local_addr, $1->truncated));
}
/* ... and metadata to send is given as a tuple (remote_addr, remote_port, local_addr). */
%typemap(in) const seqs_udp_meta_t *meta (seqs_udp_meta_t temp) {
    unsigned long ra = 0, la = 0;
    unsigned int rp = 0;
    if (!PyArg_ParseTuple($input, "kIk;meta must be a tuple (remote_addr, remote_port, local_addr)",
                          &ra, &rp, &la))
        SWIG_fail;
    if (ra > 0xFFFFFFFFul || la > 0xFFFFFFFFul || rp > 0xFFFFu) {
        PyErr_SetString(PyExc_OverflowError, "meta: address or port out of range");
        SWIG_fail;
    }
    memset(&temp, 0, sizeof temp);
    temp.remote_addr = (uint32_t)ra;
    temp.remote_port = (uint16_t)rp;
    temp.local_addr = (uint32_t)la;
    $1 = &temp;
}
%typemap(argout) const seqs_udp_meta_t *meta "";
/* seqs_icmp_echo_t (icmp.h): a tuple (from, id, seq, len, ttl, rx_us). */
%typemap(in, numinputs=0) seqs_icmp_echo_t *out (seqs_icmp_echo_t temp) {
    memset(&temp, 0, sizeof temp);
    $1 = &temp;
}
%typemap(argout) seqs_icmp_echo_t *out {
    $result = SWIG_AppendOutput($result,
        Py_BuildValue("(kHHHBK)", (unsigned long)$1->from, $1->id, $1->seq, $1->len, $1->ttl,
                      (unsigned long long)$1->rx_us));
}
/* seqs_udp_icmp_err_t: a tuple (type, code, remote_addr, remote_port, mtu). */
%typemap(in, numinputs=0) seqs_udp_icmp_err_t *info (seqs_udp_icmp_err_t temp) {
    memset(&temp, 0, sizeof temp);
    $1 = &temp;
}
%typemap(argout) seqs_udp_icmp_err_t *info {
    $result = SWIG_AppendOutput($result,
        Py_BuildValue("(BBkHH)", $1->type, $1->code, (unsigned long)$1->remote_addr,
                      $1->remote_port, $1->mtu));
}

/* Structs filled by the C side (`TYPE *NAME` out-parameter): the Python call takes
 * no argument for it and returns a fresh, Python-owned copy as an extra result
 * (a SWIG proxy object whose attributes are the struct members). */
%define SEQS_OUT_STRUCT(TYPE, NAME)
%typemap(in, numinputs=0) TYPE *NAME (TYPE temp) {
    memset(&temp, 0, sizeof temp);
    $1 = &temp;
}
%typemap(argout) TYPE *NAME {
    TYPE *copy = (TYPE *)malloc(sizeof(TYPE));
    if (copy == NULL) {
        PyErr_NoMemory();
        SWIG_fail;
    }
    *copy = *$1;
    $result = SWIG_AppendOutput($result, SWIG_NewPointerObj(copy, $1_descriptor, SWIG_POINTER_OWN));
}
/* SWIG falls back from `const T *` to `T *` typemaps: keep the const form an ordinary input. */
%apply SWIGTYPE * { const TYPE *NAME };
%typemap(argout) const TYPE *NAME "";
%enddef

SEQS_OUT_STRUCT(seqs_tcp_info_t, info)
SEQS_OUT_STRUCT(seqs_tcp_config_t, cfg)

/* ---------------------------------------------------------------------------
 * The C API. seqs.h includes priv/stack.h (the layout), udp.h and tcp.h with
 * #include, which SWIG does not follow: the layout stays invisible and the
 * public headers are %included explicitly below.
 * ------------------------------------------------------------------------- */
%ignore seqs_config;          /* built by seqs_py_stack_init() instead */
%ignore seqs_config_t;
%ignore seqs_stack_init;
%ignore seqs_counters;        /* read through seqs_py_counter_values() */
%ignore seqs_stack_counters;

%include "seqs/err.h"
%include "seqs/seqs.h"
%include "seqs/udp.h"
%include "seqs/tcp.h"
%include "dhcp.i"   /* DHCP client helpers (before seqs_extra.i: its %ignores apply there) */
%include "dns.i"   /* DNS resolver and SNTP client helpers */
/* Every other public header (generated list, see bindings/CMakeLists.txt). */
%include "seqs_extra.i"
%include "tcp.i"
%include "version.i"

/* ---------------------------------------------------------------------------
 * Binding helpers (not part of the C API).
 * ------------------------------------------------------------------------- */
%{
static seqs_stack_t *seqs_py_stack_new(void) {
    return (seqs_stack_t *)calloc(1, sizeof(seqs_stack_t));
}
static void seqs_py_stack_free(seqs_stack_t *s) {
    free(s);
}
static size_t seqs_py_stack_size(void) {
    return sizeof(seqs_stack_t);
}

/* Defaults of seqs_config_default() as a dict. */
static PyObject *seqs_py_config_default(void) {
    seqs_config_t c;
    memset(&c, 0, sizeof c);
    seqs_config_default(&c);
    return Py_BuildValue("{s:I,s:I,s:I,s:I,s:I,s:k,s:K}",
                         "mtu", (unsigned)c.mtu,
                         "max_udp_sockets", (unsigned)c.max_udp_sockets,
                         "max_tcp_listeners", (unsigned)c.max_tcp_listeners,
                         "max_tcp_conns", (unsigned)c.max_tcp_conns,
                         "ttl", (unsigned)c.ttl,
                         "flags", (unsigned long)c.flags,
                         "seed", (unsigned long long)c.rng_seed);
}

/* seqs_stack_init() from plain values. Values that do not fit the config's
 * fields are SEQS_ERR_LIMIT (never silently truncated). */
static int seqs_py_stack_init(seqs_stack_t *s, const uint8_t *mac, size_t mac_len,
                              unsigned int mtu, unsigned int max_udp_sockets,
                              unsigned int max_tcp_listeners, unsigned int max_tcp_conns,
                              unsigned int ttl, unsigned int flags, uint64_t seed) {
    seqs_config_t c;
    if (s == NULL || mac_len != 6)
        return SEQS_ERR_INVAL;
    if (mtu > 0xFFFFu || max_udp_sockets > 0xFFu || max_tcp_listeners > 0xFFu ||
        max_tcp_conns > 0xFFu || ttl > 0xFFu)
        return SEQS_ERR_LIMIT;
    memset(&c, 0, sizeof c);
    seqs_config_default(&c);
    memcpy(c.mac, mac, 6);
    c.mtu = (uint16_t)mtu;
    c.max_udp_sockets = (uint8_t)max_udp_sockets;
    c.max_tcp_listeners = (uint8_t)max_tcp_listeners;
    c.max_tcp_conns = (uint8_t)max_tcp_conns;
    c.ttl = (uint8_t)ttl;
    c.flags = flags;
    c.rng_seed = seed;
    c.rng = NULL;
    c.rng_ctx = NULL;
    return seqs_stack_init(s, &c);
}

/* One frame out: bytes, None when nothing is pending, or the (negative) error code as an int. */
static PyObject *seqs_py_output(seqs_stack_t *s, uint64_t now_us) {
    uint8_t buf[SEQS_MAX_FRAME];
    int n = seqs_stack_output(s, buf, sizeof buf, now_us);
    if (n > 0)
        return PyBytes_FromStringAndSize((const char *)buf, (Py_ssize_t)n);
    if (n == 0)
        Py_RETURN_NONE;
    return PyLong_FromLong(n);
}

/* Every pending frame as a list of bytes (an int error code instead on failure). */
static PyObject *seqs_py_output_all(seqs_stack_t *s, uint64_t now_us, unsigned int limit) {
    uint8_t buf[SEQS_MAX_FRAME];
    PyObject *list = PyList_New(0);
    unsigned int i;
    if (list == NULL)
        return NULL;
    for (i = 0; i < limit; i++) {
        int n = seqs_stack_output(s, buf, sizeof buf, now_us);
        PyObject *b;
        if (n == 0)
            break;
        if (n < 0) {
            Py_DECREF(list);
            return PyLong_FromLong(n);
        }
        b = PyBytes_FromStringAndSize((const char *)buf, (Py_ssize_t)n);
        if (b == NULL || PyList_Append(list, b) != 0) {
            Py_XDECREF(b);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(b);
    }
    return list;
}

/* Counter names straight from the X-macro (the binding's own list, which tests
 * compare with seqs_counter_name()). */
static PyObject *seqs_py_counter_names(void) {
    static const char *const names[] = {
#define SEQS_PY_X_NAME(name) #name,
        SEQS_COUNTERS(SEQS_PY_X_NAME)
#undef SEQS_PY_X_NAME
    };
    PyObject *t = PyTuple_New((Py_ssize_t)(sizeof names / sizeof names[0]));
    size_t i;
    if (t == NULL)
        return NULL;
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        PyObject *o = PyUnicode_FromString(names[i]);
        if (o == NULL) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, (Py_ssize_t)i, o);
    }
    return t;
}

/* All counter values (in X-macro order) read from seqs_stack_counters(). */
static PyObject *seqs_py_counter_values(const seqs_stack_t *s) {
    const seqs_counters_t *c = seqs_stack_counters(s);
    PyObject *t;
    Py_ssize_t i = 0;
    if (c == NULL)
        Py_RETURN_NONE;
    t = PyTuple_New(SEQS_COUNTER_COUNT);
    if (t == NULL)
        return NULL;
#define SEQS_PY_X_VAL(name) PyTuple_SET_ITEM(t, i++, PyLong_FromUnsignedLong((unsigned long)c->name));
    SEQS_COUNTERS(SEQS_PY_X_VAL)
#undef SEQS_PY_X_VAL
    return t;
}
%}

seqs_stack_t *seqs_py_stack_new(void);
void seqs_py_stack_free(seqs_stack_t *s);
size_t seqs_py_stack_size(void);
PyObject *seqs_py_config_default(void);
int seqs_py_stack_init(seqs_stack_t *s, const uint8_t *mac, size_t mac_len,
                       unsigned int mtu, unsigned int max_udp_sockets,
                       unsigned int max_tcp_listeners, unsigned int max_tcp_conns,
                       unsigned int ttl, unsigned int flags, uint64_t seed);
PyObject *seqs_py_output(seqs_stack_t *s, uint64_t now_us);
PyObject *seqs_py_output_all(seqs_stack_t *s, uint64_t now_us, unsigned int limit);
PyObject *seqs_py_counter_names(void);
PyObject *seqs_py_counter_values(const seqs_stack_t *s);

/* Compile-time limits as the C compiler saw them (seqs/opts.h, after any SEQS_OPTS_FILE). */
%constant int LIMIT_MAX_MTU = SEQS_MAX_MTU;
%constant int LIMIT_MIN_MTU = SEQS_MIN_MTU;
%constant int LIMIT_MAX_FRAME = SEQS_MAX_FRAME;
%constant int LIMIT_ARP_CACHE_SIZE = SEQS_ARP_CACHE_SIZE;
%constant int LIMIT_ARP_QUEUE_BYTES = SEQS_ARP_QUEUE_BYTES;
%constant int LIMIT_ARP_MAX_AGE_S = SEQS_ARP_MAX_AGE_S;
%constant int LIMIT_ARP_MAX_TRIES = SEQS_ARP_MAX_TRIES;
%constant int LIMIT_REASM_SLOTS = SEQS_REASM_SLOTS;
%constant int LIMIT_REASM_MAX_BYTES = SEQS_REASM_MAX_BYTES;
%constant int LIMIT_REASM_TIMEOUT_S = SEQS_REASM_TIMEOUT_S;
%constant int LIMIT_TXQ_BYTES = SEQS_TXQ_BYTES;
%constant int LIMIT_MAX_MCAST_GROUPS = SEQS_MAX_MCAST_GROUPS;
%constant int LIMIT_MAX_UDP_SOCKETS = SEQS_MAX_UDP_SOCKETS;
%constant int LIMIT_MAX_TCP_LISTENERS = SEQS_MAX_TCP_LISTENERS;
%constant int LIMIT_MAX_TCP_CONNS = SEQS_MAX_TCP_CONNS;
%constant int LIMIT_ICMP_ERR_BURST = SEQS_ICMP_ERR_BURST;
%constant int LIMIT_ICMP_ERR_INTERVAL_MS = SEQS_ICMP_ERR_INTERVAL_MS;
%constant int LIMIT_EPHEMERAL_LO = SEQS_EPHEMERAL_LO;
%constant int LIMIT_EPHEMERAL_HI = SEQS_EPHEMERAL_HI;
%constant int COUNTER_COUNT = SEQS_COUNTER_COUNT;

/* DHCP server helpers (seqs/dhcp_server.h). */
%include "dhcp_server.i"
/* HTTP server/client helpers (bindings/http.i). */
%include "http.i"
