/* SPDX-License-Identifier: BSD-3-Clause */
/* Private helpers shared by the HTTP parser, server and client. */
#ifndef SEQS_HTTP_INT_H
#define SEQS_HTTP_INT_H

#include <stddef.h>
#include <stdint.h>

int seqs_http_is_tchar(uint8_t c);
int seqs_http_is_hex(uint8_t c);
int seqs_http_is_val(uint8_t c);
/* Case-insensitive: a[0..alen) equals the NUL-terminated b. */
int seqs_http_ieq(const uint8_t *a, size_t alen, const char *b);
/* Appends to dst[*pos..cap): returns 0, or -1 (nothing more written) when it does not fit. */
int seqs_http_put(uint8_t *dst, size_t cap, size_t *pos, const void *src, size_t n);
int seqs_http_put_str(uint8_t *dst, size_t cap, size_t *pos, const char *s);
int seqs_http_put_dec(uint8_t *dst, size_t cap, size_t *pos, uint64_t v);
/* Lowercase hex of v into dst (at least 16 bytes); returns the digits written. */
size_t seqs_http_hex(uint8_t *dst, uint64_t v);
/* Field lines a user hands in: each "name: value CRLF", tokens and values valid;
 * never Content-Length / Transfer-Encoding (the library writes them), nor the
 * fields named by forbid. Returns 0 or -1. */
enum { HTTP_FORBID_CONNECTION = 1, HTTP_FORBID_HOST = 2 };
int seqs_http_check_fields(const char *h, unsigned forbid);

#endif
