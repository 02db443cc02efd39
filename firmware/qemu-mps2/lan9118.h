/* SPDX-License-Identifier: BSD-3-Clause */
/* lan9118.h — polled/IRQ-woken driver for the SMSC LAN9118 (as emulated by QEMU's mps2-an385). */
#ifndef SEQS_LAN9118_H
#define SEQS_LAN9118_H

#include <stddef.h>
#include <stdint.h>

typedef struct lan9118_stats {
    uint32_t rx_frames, rx_drop_error, rx_drop_size;
    uint32_t tx_frames, tx_drop_size, tx_drop_busy;
} lan9118_stats_t;

/* Resets the chip, programs the MAC address, enables RX/TX and the RX interrupt
 * (status-FIFO level). Returns 0, or -1 when the chip does not answer BYTE_TEST. */
int lan9118_init(uintptr_t base, const uint8_t mac[6]);
/* Number of received frames waiting in the RX status FIFO. */
unsigned lan9118_rx_pending(void);
/* Reads the next frame (FCS stripped) into buf; 0 when none. Frames longer than
 * cap or flagged bad by the MAC are read out and dropped (counted). */
size_t lan9118_rx(uint8_t *buf, size_t cap);
/* Transmits one frame, zero-padded to 60 bytes. 0, or -1 when dropped. */
int lan9118_tx(const uint8_t *frame, size_t len);
/* Acknowledges the RX interrupt (called from the IRQ handler). */
void lan9118_irq_ack(void);
/* 1 when the PHY reports link up. */
int lan9118_link_up(void);
const lan9118_stats_t *lan9118_stats(void);

#endif
