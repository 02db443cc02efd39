/* SPDX-License-Identifier: BSD-3-Clause */
/* fw_config.c — compile-time defaults + the board's boot command line. */
#include "fw_config.h"

#include <string.h>

#include <seqs/seqs.h>

/* Compile-time defaults (firmware/cmake/seqs_fw.cmake turns the CMake cache variables
 * into these). FW_IP_DHCP=1 means "address by DHCP". */
#ifndef FW_IP_DHCP
#define FW_IP_DHCP 1
#endif
#ifndef FW_IP_ADDR
#define FW_IP_ADDR SEQS_IP4(192, 0, 2, 2)
#endif
#ifndef FW_IP_PREFIX
#define FW_IP_PREFIX 24
#endif
#ifndef FW_IP_GATEWAY
#define FW_IP_GATEWAY SEQS_IP4(192, 0, 2, 1)
#endif
#ifndef FW_ECHO_PORT
#define FW_ECHO_PORT 7
#endif
#ifndef FW_TCP_ECHO_PORT
#define FW_TCP_ECHO_PORT 7
#endif
#ifndef FW_HTTP_PORT
#define FW_HTTP_PORT 80
#endif
#ifndef FW_NTP_SERVER
#define FW_NTP_SERVER 0u
#endif
#ifndef FW_HOSTNAME
#define FW_HOSTNAME "seqs-fw"
#endif

static fw_config_t g_cfg;

const fw_config_t *fw_config(void)
{
    return &g_cfg;
}

int fw_parse_uint(const char *s, size_t n, uint32_t max, uint32_t *out)
{
    uint32_t v = 0;
    if (n == 0 || n > 10)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        uint32_t d = (uint32_t)(s[i] - '0');
        if (v > (max - d) / 10u)
            return -1;
        v = v * 10u + d;
    }
    *out = v;
    return 0;
}

int fw_parse_ip4(const char *s, size_t n, uint32_t *out)
{
    uint32_t addr = 0;
    size_t start = 0;
    for (unsigned part = 0; part < 4; part++) {
        size_t end = start;
        while (end < n && s[end] != '.')
            end++;
        uint32_t b;
        if (fw_parse_uint(s + start, end - start, 255, &b) != 0)
            return -1;
        if ((part < 3) != (end < n))
            return -1;
        addr = addr << 8 | b;
        start = end + 1;
    }
    *out = addr;
    return 0;
}

static int key_is(const char *w, size_t klen, const char *key)
{
    return strlen(key) == klen && memcmp(w, key, klen) == 0;
}

static int apply(const char *w, size_t n)
{
    const char *eq = memchr(w, '=', n);
    if (eq == NULL)
        return 0;   /* not a setting (e.g. the image path QEMU puts first) */
    size_t klen = (size_t)(eq - w);
    const char *v = eq + 1;
    size_t vlen = n - klen - 1;
    uint32_t x;
    if (key_is(w, klen, "ip")) {
        if (vlen == 4 && memcmp(v, "dhcp", 4) == 0) {
            g_cfg.dhcp = 1;
            return 0;
        }
        const char *slash = memchr(v, '/', vlen);
        if (slash == NULL || fw_parse_ip4(v, (size_t)(slash - v), &g_cfg.ip) != 0 ||
            fw_parse_uint(slash + 1, vlen - (size_t)(slash - v) - 1, 32, &x) != 0 || x == 0)
            return -1;
        g_cfg.prefix = (uint8_t)x;
        g_cfg.dhcp = 0;
        return 0;
    }
    if (key_is(w, klen, "gw")) {
        if (vlen == 4 && memcmp(v, "none", 4) == 0) {
            g_cfg.gw = 0;
            return 0;
        }
        return fw_parse_ip4(v, vlen, &g_cfg.gw);
    }
    if (key_is(w, klen, "hostname")) {
        if (vlen == 0 || vlen > FW_HOSTNAME_MAX)
            return -1;
        for (size_t i = 0; i < vlen; i++) {
            char c = v[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
                return -1;
        }
        memcpy(g_cfg.hostname, v, vlen);
        g_cfg.hostname[vlen] = '\0';
        return 0;
    }
    if (key_is(w, klen, "udp_echo") || key_is(w, klen, "tcp_echo") || key_is(w, klen, "http")) {
        if (fw_parse_uint(v, vlen, 65535, &x) != 0)
            return -1;
        if (w[0] == 'u')
            g_cfg.udp_echo_port = (uint16_t)x;
        else if (w[0] == 't')
            g_cfg.tcp_echo_port = (uint16_t)x;
        else
            g_cfg.http_port = (uint16_t)x;
        return 0;
    }
    if (key_is(w, klen, "ntp")) {
        if (vlen == 4 && memcmp(v, "dhcp", 4) == 0) {
            g_cfg.ntp = 0;
            g_cfg.ntp_name[0] = '\0';
            return 0;
        }
        g_cfg.ntp_name[0] = '\0';
        if (fw_parse_ip4(v, vlen, &g_cfg.ntp) == 0)
            return g_cfg.ntp != 0 ? 0 : -1;
        g_cfg.ntp = 0;
        /* a host name: letters, digits, '-' and dots (RFC 1123 2.1), resolved by DNS */
        if (vlen == 0 || vlen > FW_NTP_NAME_MAX)
            return -1;
        for (size_t i = 0; i < vlen; i++) {
            char c = v[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '.'))
                return -1;
        }
        memcpy(g_cfg.ntp_name, v, vlen);
        g_cfg.ntp_name[vlen] = '\0';
        return 0;
    }
    return -1;   /* unknown key: a typo in a test must not pass silently */
}

int fw_config_load(const char *cmdline, const char **bad)
{
    memset(&g_cfg, 0, sizeof g_cfg);
    g_cfg.dhcp = FW_IP_DHCP;
    g_cfg.ip = FW_IP_ADDR;
    g_cfg.prefix = FW_IP_PREFIX;
    g_cfg.gw = FW_IP_GATEWAY;
    g_cfg.udp_echo_port = FW_ECHO_PORT;
    g_cfg.tcp_echo_port = FW_TCP_ECHO_PORT;
    g_cfg.http_port = FW_HTTP_PORT;
    g_cfg.ntp = FW_NTP_SERVER;
    _Static_assert(sizeof FW_HOSTNAME - 1 <= FW_HOSTNAME_MAX, "FW_HOSTNAME longer than 32 characters");
    memcpy(g_cfg.hostname, FW_HOSTNAME, sizeof FW_HOSTNAME);
    if (cmdline == NULL)
        return 0;
    const char *p = cmdline;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        const char *w = p;
        while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            p++;
        if (p > w && apply(w, (size_t)(p - w)) != 0) {
            *bad = w;
            return -1;
        }
    }
    return 0;
}
