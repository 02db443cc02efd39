/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz/fuzz_http_response.c — HTTP response head parser and body decoder.
 *
 * Input: [1 byte: bit 0 = the response answers a HEAD; bits 1-7 = split step]
 * [bytes]. Parsed from a buffer of exactly the input's size; fields walked;
 * the rest decoded with the framing the head declared (Content-Length,
 * chunked or close-delimited). Spans must stay inside the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seqs/http.h"

static void must(int c) {
    if (!c) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    seqs_http_msg_t m;
    uint8_t *buf;
    unsigned head, step;
    int r;
    if (size < 1) return 0;
    head = data[0] & 1u;
    step = data[0] >> 1;
    size--;
    buf = (uint8_t *)malloc(size ? size : 1);
    if (buf == NULL) return 0;
    memcpy(buf, data + 1, size);
    r = seqs_http_parse_response(buf, size, (int)head, &m);
    if (r > 0) {
        seqs_http_field_t f;
        seqs_http_body_t b;
        size_t cur = 0, pos = (size_t)r;
        must((size_t)r <= size && m.status >= 100 && m.status <= 999);
        while (seqs_http_msg_next_field(&m, &cur, &f))
            must((const uint8_t *)f.value + f.value_len <= buf + r);
        if (head || m.status == 204 || m.status == 304) must(m.framing == SEQS_HTTP_BODY_NONE);
        seqs_http_body_init(&b, &m);
        while (pos < size && !seqs_http_body_done(&b)) {
            size_t len = size - pos;
            const uint8_t *d;
            size_t dl;
            int n;
            if (step && len > step) len = step;
            n = seqs_http_body_feed(&b, buf + pos, len, &d, &dl);
            if (n < 0) break;
            must((size_t)n <= len && d >= buf + pos && d + dl <= buf + pos + (size_t)n);
            if (n == 0) break;
            pos += (size_t)n;
        }
    } else {
        must(r == 0 || r == SEQS_HTTP_ERR_PROTO || r == SEQS_HTTP_ERR_TOOBIG);
    }
    free(buf);
    return 0;
}
