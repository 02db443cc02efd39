/* SPDX-License-Identifier: BSD-3-Clause */
/* fw_log.h — tiny, allocation-free log helpers over fw_hal_log_write (no printf). */
#ifndef SEQS_FW_LOG_H
#define SEQS_FW_LOG_H

#include <stdint.h>

void fw_log(const char *s);              /* text as is */
void fw_log_u32(uint32_t v);             /* decimal */
void fw_log_u64(uint64_t v);             /* decimal */
void fw_log_i32(int32_t v);              /* decimal, signed */
void fw_log_hex32(uint32_t v);           /* 0x%08x */
void fw_log_ip4(uint32_t addr);          /* dotted quad of a host-order address */
void fw_log_mac(const uint8_t mac[6]);   /* aa:bb:cc:dd:ee:ff */

#endif
