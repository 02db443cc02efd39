/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz/fuzz_http_request.c — HTTP request head parser and body decoder.
 *
 * Input: [1 byte: split step for the body decoder (0 = all at once)] [bytes].
 * The bytes are copied into a buffer of exactly their size (so any read past
 * the end is an ASan error), parsed as a request head, every field walked and
 * looked up, and the rest fed to the body decoder in pieces: with the framing
 * the head declared and, independently, as a chunked body. Invariants (spans
 * inside the input, no more body than declared, progress on every call) abort
 * when broken. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seqs/http.h"

static void must(int c) {
    if (!c) abort();
}

static void decode(const uint8_t *p, size_t n, const seqs_http_msg_t *m, unsigned step) {
    seqs_http_body_t b;
    size_t pos = 0;
    uint64_t total = 0;
    seqs_http_body_init(&b, m);
    while (pos < n && !seqs_http_body_done(&b)) {
        size_t len = n - pos;
        const uint8_t *d;
        size_t dl;
        int r;
        if (step && len > step) len = step;
        r = seqs_http_body_feed(&b, p + pos, len, &d, &dl);
        if (r < 0) return;
        must((size_t)r <= len);
        must(dl <= (size_t)r && d >= p + pos && d + dl <= p + pos + (size_t)r);
        total += dl;
        if (r == 0) {
            must(seqs_http_body_done(&b));
            break;
        }
        pos += (size_t)r;
    }
    must(total == b.total);
    if (m->framing == SEQS_HTTP_BODY_LENGTH) must(total <= m->content_length);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    seqs_http_msg_t m, ch;
    uint8_t *buf;
    unsigned step;
    int r;
    if (size < 1) return 0;
    step = data[0];
    size--;
    buf = (uint8_t *)malloc(size ? size : 1);
    if (buf == NULL) return 0;
    memcpy(buf, data + 1, size);
    r = seqs_http_parse_request(buf, size, &m);
    if (r > 0) {
        seqs_http_field_t f;
        size_t cur = 0, tl, ml;
        unsigned n = 0;
        must((size_t)r <= size && m.head_len == (unsigned)r);
        while (seqs_http_msg_next_field(&m, &cur, &f)) {
            must((const uint8_t *)f.name >= buf && (const uint8_t *)f.value + f.value_len <= buf + r);
            must(f.name_len > 0);
            n++;
        }
        must(n == m.nfields);
        (void)seqs_http_msg_field(&m, "host", &f);
        (void)seqs_http_msg_field(&m, "x-none", &f);
        must(seqs_http_msg_target(&m, &tl) != NULL && tl > 0);
        must(seqs_http_msg_method(&m, &ml) != NULL && ml > 0);
        decode(buf + r, size - (size_t)r, &m, step);
    } else {
        must(r == 0 || r == -400 || r == -414 || r == -431 || r == -501 || r == -505 || r == -417);
    }
    /* the whole input as a chunked body, too */
    memset(&ch, 0, sizeof ch);
    ch.framing = SEQS_HTTP_BODY_CHUNKED;
    decode(buf, size, &ch, step);
    free(buf);
    return 0;
}
