/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared HTTP helpers: names, reason phrases, output formatting. */
#include <string.h>

#include "seqs/err.h"
#include "seqs/http.h"

#include "../app_time.h"
#include "http_int.h"

const char *seqs_http_strerror(int err) {
    switch (err) {
    case SEQS_HTTP_ERR_PROTO: return "malformed HTTP message";
    case SEQS_HTTP_ERR_TOOBIG: return "HTTP header section larger than the limit or the buffer";
    default: return seqs_strerror(err);
    }
}

const char *seqs_http_method_name(int method) {
    static const char *const names[] = {"*", "GET", "HEAD", "POST", "PUT", "DELETE",
                                        "CONNECT", "OPTIONS", "TRACE", "PATCH", "OTHER"};
    if (method < 0 || method > SEQS_HTTP_OTHER)
        return "";
    return names[method];
}

const char *seqs_http_reason(int status) {
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "";
    }
}

int seqs_http_put(uint8_t *dst, size_t cap, size_t *pos, const void *src, size_t n) {
    if (n > cap - *pos)
        return -1;
    memcpy(dst + *pos, src, n);
    *pos += n;
    return 0;
}

int seqs_http_put_str(uint8_t *dst, size_t cap, size_t *pos, const char *s) {
    return seqs_http_put(dst, cap, pos, s, strlen(s));
}

int seqs_http_put_dec(uint8_t *dst, size_t cap, size_t *pos, uint64_t v) {
    uint8_t tmp[20];
    size_t n = 0;
    do {
        uint32_t digit;
        v = seqs_app_divmod16(v, 10u, &digit);   /* no 64-bit divide on M0+ */
        tmp[sizeof tmp - 1 - n] = (uint8_t)('0' + digit);
        n++;
    } while (v != 0);
    return seqs_http_put(dst, cap, pos, tmp + sizeof tmp - n, n);
}

size_t seqs_http_hex(uint8_t *dst, uint64_t v) {
    static const char digits[] = "0123456789abcdef";
    uint8_t tmp[16];
    size_t n = 0;
    do {
        tmp[n++] = (uint8_t)digits[v & 15u];
        v >>= 4;
    } while (v != 0);
    for (size_t i = 0; i < n; i++)
        dst[i] = tmp[n - 1 - i];
    return n;
}

int seqs_http_check_fields(const char *h, unsigned forbid) {
    const uint8_t *p = (const uint8_t *)h;
    size_t i = 0;
    if (h == NULL)
        return 0;
    while (p[i] != '\0') {
        size_t ns = i, ne;
        while (seqs_http_is_tchar(p[i]))
            i++;
        ne = i;
        if (ne == ns || p[i] != ':')
            return -1;
        if (seqs_http_ieq(p + ns, ne - ns, "content-length") ||
            seqs_http_ieq(p + ns, ne - ns, "transfer-encoding"))
            return -1;
        if ((forbid & HTTP_FORBID_CONNECTION) && seqs_http_ieq(p + ns, ne - ns, "connection"))
            return -1;
        if ((forbid & HTTP_FORBID_HOST) && seqs_http_ieq(p + ns, ne - ns, "host"))
            return -1;
        i++;
        while (p[i] != '\0' && seqs_http_is_val(p[i]))
            i++;
        if (p[i] != '\r' || p[i + 1] != '\n')
            return -1;
        i += 2;
    }
    return 0;
}
