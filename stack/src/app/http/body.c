/* SPDX-License-Identifier: BSD-3-Clause */
/* Message body decoder (RFC 9112 6.3, 7.1): Content-Length, chunked, close-delimited. */
#include <string.h>

#include "seqs/http.h"
#include "http_int.h"

enum {
    CS_SIZE = 0, CS_EXT, CS_SIZE_LF, CS_DATA, CS_DATA_CR, CS_DATA_LF,
    CS_TRAILER_START, CS_TRAILER, CS_TRAILER_LF, CS_END_LF, CS_DONE
};

void seqs_http_body_init(seqs_http_body_t *b, const seqs_http_msg_t *m) {
    memset(b, 0, sizeof *b);
    b->framing = m ? m->framing : SEQS_HTTP_BODY_NONE;
    if (b->framing == SEQS_HTTP_BODY_LENGTH)
        b->left = m->content_length;
    if (b->framing == SEQS_HTTP_BODY_NONE || (b->framing == SEQS_HTTP_BODY_LENGTH && b->left == 0))
        b->st = CS_DONE;
}

int seqs_http_body_done(const seqs_http_body_t *b) {
    return b->st == CS_DONE;
}

static int hexval(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
}

int seqs_http_body_feed(seqs_http_body_t *b, const uint8_t *in, size_t len,
                        const uint8_t **data, size_t *data_len) {
    size_t i = 0;
    *data = in;
    *data_len = 0;
    if (b->st == CS_DONE)
        return 0;
    if (b->framing == SEQS_HTTP_BODY_CLOSE) {
        *data_len = len;
        b->total += len;
        return (int)len;
    }
    if (b->framing == SEQS_HTTP_BODY_LENGTH) {
        size_t n = (uint64_t)len < b->left ? len : (size_t)b->left;
        b->left -= n;
        b->total += n;
        *data_len = n;
        if (b->left == 0)
            b->st = CS_DONE;
        return (int)n;
    }
    if (len > 0x7FFFFFFFu)
        len = 0x7FFFFFFFu;
    while (i < len) {
        uint8_t c = in[i];
        switch (b->st) {
        case CS_SIZE:
            if (seqs_http_is_hex(c)) {
                /* RFC 9112 7.1: guard the size against overflow (15 digits = 2^60). */
                if (++b->digits > 15)
                    return SEQS_HTTP_ERR_PROTO;
                b->left = (b->left << 4) | (uint64_t)hexval(c);
                i++;
                break;
            }
            if (b->digits == 0)
                return SEQS_HTTP_ERR_PROTO;
            if (c == ';' || c == ' ' || c == '\t') {
                b->st = CS_EXT;     /* BWS and chunk-ext: skipped, bounded */
                b->aux = 0;
                break;
            }
            if (c != '\r')
                return SEQS_HTTP_ERR_PROTO;
            b->st = CS_SIZE_LF;
            i++;
            break;
        case CS_EXT:
            if (c == '\r') {
                b->st = CS_SIZE_LF;
            } else if (!seqs_http_is_val(c) || ++b->aux > SEQS_HTTP_MAX_CHUNK_EXT) {
                return SEQS_HTTP_ERR_PROTO;
            }
            i++;
            break;
        case CS_SIZE_LF:
            if (c != '\n')
                return SEQS_HTTP_ERR_PROTO;
            i++;
            if (b->left == 0) {
                b->st = CS_TRAILER_START;
                b->aux = 0;
            } else {
                b->st = CS_DATA;
            }
            break;
        case CS_DATA: {
            size_t n = (uint64_t)(len - i) < b->left ? len - i : (size_t)b->left;
            *data = in + i;
            *data_len = n;
            b->left -= n;
            b->total += n;
            i += n;
            if (b->left == 0)
                b->st = CS_DATA_CR;
            return (int)i;
        }
        case CS_DATA_CR:
            if (c != '\r')
                return SEQS_HTTP_ERR_PROTO;
            b->st = CS_DATA_LF;
            i++;
            break;
        case CS_DATA_LF:
            if (c != '\n')
                return SEQS_HTTP_ERR_PROTO;
            b->st = CS_SIZE;
            b->digits = 0;
            b->left = 0;
            i++;
            break;
        case CS_TRAILER_START:
            if (c == '\r') {
                b->st = CS_END_LF;
                i++;
                break;
            }
            if (!seqs_http_is_tchar(c))
                return SEQS_HTTP_ERR_PROTO;
            b->st = CS_TRAILER;
            break;
        case CS_TRAILER:
            /* Trailer fields are skipped (RFC 9112 7.1.2 lets a recipient discard them). */
            if (c == '\r')
                b->st = CS_TRAILER_LF;
            else if (!(seqs_http_is_val(c) || c == ':'))
                return SEQS_HTTP_ERR_PROTO;
            if (++b->aux > SEQS_HTTP_MAX_TRAILER)
                return SEQS_HTTP_ERR_PROTO;
            i++;
            break;
        case CS_TRAILER_LF:
            if (c != '\n')
                return SEQS_HTTP_ERR_PROTO;
            b->st = CS_TRAILER_START;
            i++;
            break;
        case CS_END_LF:
            if (c != '\n')
                return SEQS_HTTP_ERR_PROTO;
            b->st = CS_DONE;
            return (int)(i + 1);
        default:
            return (int)i;
        }
    }
    return (int)i;
}
