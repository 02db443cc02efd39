/* SPDX-License-Identifier: BSD-3-Clause */
/* sha256.h — SHA-256 (FIPS 180-4, section 6.2), streaming, for seqs-tap's
 * transfer digests. Our own code; checked against the FIPS / NIST vectors by
 * tools/seqs-tap/test_sha256.c and against Python's hashlib by the interop tests. */
#ifndef SEQS_TAP_SHA256_H
#define SEQS_TAP_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256 {
    uint32_t h[8];
    uint64_t len;          /* bytes hashed so far */
    uint8_t buf[64];
    size_t fill;           /* bytes in buf */
} sha256_t;

void sha256_init(sha256_t *c);
void sha256_update(sha256_t *c, const void *data, size_t len);
/* Writes the 32-byte digest; c must be re-initialised before further use. */
void sha256_final(sha256_t *c, uint8_t out[32]);
/* The digest of what has been hashed so far as 64 lowercase hex digits + NUL,
 * without disturbing c (works on a copy). */
void sha256_hex(const sha256_t *c, char out[65]);

#endif
