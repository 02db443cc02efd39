/* SPDX-License-Identifier: BSD-3-Clause */
/* fw_config.h — the firmware's settings: compile-time defaults (CMake cache
 * variables, see firmware/README.md) that a board may override at boot from a
 * command line (QEMU: `-append "ip=dhcp hostname=dev1"`, read by semihosting), so
 * tests change settings without rebuilding. */
#ifndef SEQS_FW_CONFIG_H
#define SEQS_FW_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define FW_HOSTNAME_MAX 32
#define FW_NTP_NAME_MAX 63

typedef struct fw_config {
    uint8_t dhcp;                       /* 1: get the address by DHCP; 0: ip/prefix/gw below */
    uint8_t prefix;
    uint32_t ip, gw;                    /* host order; gw 0 = none */
    uint16_t udp_echo_port;             /* 0 = off */
    uint16_t tcp_echo_port;             /* 0 = off (or TCP echo not compiled in) */
    uint16_t http_port;                 /* status page (0 = off, or HTTP not compiled in) */
    uint32_t ntp;                       /* SNTP server; 0 = the DHCP lease's (option 42) */
    char ntp_name[FW_NTP_NAME_MAX + 1]; /* SNTP server by name (resolved by DNS); "" = none */
    char hostname[FW_HOSTNAME_MAX + 1]; /* DHCP option 12; "" = none */
} fw_config_t;

/* The settings in force (valid after fw_config_load). */
const fw_config_t *fw_config(void);

/* Fills the settings from the compile-time defaults, then applies the board's command
 * line: space-separated key=value words (other words, such as the image name QEMU puts
 * first, are skipped). Keys:
 *   ip=dhcp | ip=A.B.C.D/N     address by DHCP, or static with its prefix length
 *   gw=A.B.C.D | gw=none       default gateway of a static address
 *   hostname=NAME              1..32 letters, digits, '-' (DHCP option 12)
 *   udp_echo=PORT  tcp_echo=PORT   echo ports (0 = off)
 *   http=PORT                  status page port (0 = off)
 *   ntp=A.B.C.D | ntp=NAME | ntp=dhcp   SNTP server: an address, a name resolved by DNS
 *                              (the lease's DNS servers), or the one the DHCP lease names
 * Returns 0, or -1 with *bad pointing at the offending word (which the caller reports). */
int fw_config_load(const char *cmdline, const char **bad);

/* Parsers, exposed for the apps: "A.B.C.D" -> host-order address; "1234" -> value <= max.
 * Both read exactly n characters and return 0 on success, -1 otherwise. */
int fw_parse_ip4(const char *s, size_t n, uint32_t *out);
int fw_parse_uint(const char *s, size_t n, uint32_t max, uint32_t *out);

#endif
