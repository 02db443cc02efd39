/* SPDX-License-Identifier: BSD-3-Clause */
/* fw_log.c — number formatting for the firmware log (no libc printf: keeps the image small). */
#include "fw_log.h"

#include <stddef.h>

#include "fw_hal.h"

void fw_log(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    fw_hal_log_write(s, n);
}

void fw_log_u64(uint64_t v)
{
    char buf[20];
    size_t i = sizeof buf;
    do {
        buf[--i] = (char)('0' + (unsigned)(v % 10u));
        v /= 10u;
    } while (v != 0 && i > 0);
    fw_hal_log_write(&buf[i], sizeof buf - i);
}

void fw_log_u32(uint32_t v)
{
    char buf[10];
    size_t i = sizeof buf;
    do {
        buf[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0 && i > 0);
    fw_hal_log_write(&buf[i], sizeof buf - i);
}

void fw_log_i32(int32_t v)
{
    if (v < 0) {
        fw_hal_log_write("-", 1);
        fw_log_u32((uint32_t)0 - (uint32_t)v);
    } else {
        fw_log_u32((uint32_t)v);
    }
}

static const char hexdig[] = "0123456789abcdef";

void fw_log_hex32(uint32_t v)
{
    char buf[10];
    buf[0] = '0';
    buf[1] = 'x';
    for (unsigned i = 0; i < 8; i++)
        buf[2 + i] = hexdig[(v >> (28 - 4 * i)) & 0xFu];
    fw_hal_log_write(buf, sizeof buf);
}

void fw_log_ip4(uint32_t addr)
{
    for (int shift = 24; shift >= 0; shift -= 8) {
        fw_log_u32((addr >> shift) & 0xFFu);
        if (shift != 0)
            fw_hal_log_write(".", 1);
    }
}

void fw_log_mac(const uint8_t mac[6])
{
    char buf[17];
    for (unsigned i = 0; i < 6; i++) {
        buf[3 * i] = hexdig[mac[i] >> 4];
        buf[3 * i + 1] = hexdig[mac[i] & 0xFu];
        if (i < 5)
            buf[3 * i + 2] = ':';
    }
    fw_hal_log_write(buf, sizeof buf);
}
