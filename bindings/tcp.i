/* SPDX-License-Identifier: BSD-3-Clause */
/* bindings/tcp.i — TCP part of the SWIG interface (%included once by seqs.i).
 *
 * The low-level module's docstring: seqs_c is the raw C API and is unsafe by
 * design (see the text below); the Pythonic layer (seqs.Stack, seqs.tcp) is the
 * supported, guarded API. */
%pythonbegin %{
"""seqs.seqs_c — the raw SWIG wrapper of the C API. UNSAFE: use seqs.Stack instead.

Every function here is the C function itself, with C's rules and none of Python's
guards:
  * buffers handed to seqs_tcp_connect / seqs_tcp_listen / seqs_udp_* are kept by
    pointer in C: if the Python object is freed or resized while C still uses it,
    the stack reads and writes freed memory;
  * seqs_py_stack_free(s) frees the stack: calling it twice, or using `s` after it,
    is a double free / use after free;
  * negative return values are error codes, not exceptions.
The Pythonic layer keeps every buffer alive as long as C may use it, frees the stack
exactly once, and raises exceptions (seqs.SeqsError) that name the argument."""
%}
