/* SPDX-License-Identifier: BSD-3-Clause */
/* lan9118.c — driver for the SMSC LAN9118 10/100 MAC+PHY (datasheet rev. 1.5),
 * written against the behaviour of QEMU's model (hw/net/lan9118.c) but without
 * relying on its shortcuts (busy bits and FIFO space are still checked).
 *
 * RX: frames sit in the chip's RX data FIFO with one status word each; we read
 * the status, then ceil(len/4) data words (len includes the 4-byte FCS).
 * TX: per frame, TX command A (first+last segment, byte count), command B
 * (packet length), then the data words. TX status is allowed to overrun (TXSAO),
 * so we never have to drain it. All FIFO accesses are 32-bit. */
#include "lan9118.h"

#include "mps2.h"

/* System CSRs (byte offsets). */
#define RX_DATA_FIFO    0x00u
#define TX_DATA_FIFO    0x20u
#define RX_STATUS_FIFO  0x40u
#define ID_REV          0x50u
#define IRQ_CFG         0x54u
#define INT_STS         0x58u
#define INT_EN          0x5Cu
#define BYTE_TEST       0x64u
#define FIFO_INT        0x68u
#define RX_CFG          0x6Cu
#define TX_CFG          0x70u
#define HW_CFG          0x74u
#define RX_FIFO_INF     0x7Cu
#define TX_FIFO_INF     0x80u
#define PMT_CTRL        0x84u
#define MAC_CSR_CMD     0xA4u
#define MAC_CSR_DATA    0xA8u

#define IRQ_CFG_TYPE_PUSHPULL (1u << 0)
#define IRQ_CFG_POL_HIGH      (1u << 4)
#define IRQ_CFG_EN            (1u << 8)
#define INT_RSFL              (1u << 3)
#define HW_CFG_SRST           (1u << 0)
#define PMT_CTRL_READY        (1u << 0)
#define TX_CFG_TX_ON          (1u << 1)
#define TX_CFG_TXSAO          (1u << 2)
#define MAC_CSR_BUSY          (1u << 31)
#define MAC_CSR_READ          (1u << 30)

/* MAC CSRs (indirect, through MAC_CSR_CMD/DATA). */
#define MAC_CR      1u
#define MAC_ADDRH   2u
#define MAC_ADDRL   3u
#define MAC_MII_ACC 6u
#define MAC_MII_DATA 7u
#define MAC_CR_RXEN  (1u << 2)
#define MAC_CR_TXEN  (1u << 3)
#define MAC_CR_MCPAS (1u << 19)
#define MAC_CR_FDPX  (1u << 20)
#define MII_BUSY     (1u << 0)
#define PHY_ADDR     1u
#define PHY_BSR      1u
#define PHY_BSR_LINK (1u << 2)

/* RX status word. */
#define RXS_LEN(s)        (((s) >> 16) & 0x3FFFu)
#define RXS_ERROR_SUMMARY (1u << 15)

/* TX command words. */
#define TXA_FIRST_SEG (1u << 13)
#define TXA_LAST_SEG  (1u << 12)

#define SPIN_LIMIT 100000u

static uintptr_t g_base;
static lan9118_stats_t g_stats;

static inline uint32_t rd(uint32_t off)
{
    return REG32(g_base + off);
}

static inline void wr(uint32_t off, uint32_t v)
{
    REG32(g_base + off) = v;
}

static int mac_wait(void)
{
    for (uint32_t i = 0; i < SPIN_LIMIT; i++)
        if ((rd(MAC_CSR_CMD) & MAC_CSR_BUSY) == 0)
            return 0;
    return -1;
}

static uint32_t mac_read(uint32_t reg)
{
    (void)mac_wait();
    wr(MAC_CSR_CMD, MAC_CSR_BUSY | MAC_CSR_READ | reg);
    (void)mac_wait();
    return rd(MAC_CSR_DATA);
}

static void mac_write(uint32_t reg, uint32_t v)
{
    (void)mac_wait();
    wr(MAC_CSR_DATA, v);
    wr(MAC_CSR_CMD, MAC_CSR_BUSY | reg);
    (void)mac_wait();
}

static uint32_t phy_read(uint32_t reg)
{
    for (uint32_t i = 0; i < SPIN_LIMIT && (mac_read(MAC_MII_ACC) & MII_BUSY); i++) {
    }
    mac_write(MAC_MII_ACC, (PHY_ADDR << 11) | (reg << 6) | MII_BUSY);
    for (uint32_t i = 0; i < SPIN_LIMIT && (mac_read(MAC_MII_ACC) & MII_BUSY); i++) {
    }
    return mac_read(MAC_MII_DATA) & 0xFFFFu;
}

int lan9118_init(uintptr_t base, const uint8_t mac[6])
{
    g_base = base;
    if (rd(BYTE_TEST) != 0x87654321u)
        return -1;
    wr(HW_CFG, HW_CFG_SRST);
    for (uint32_t i = 0; i < SPIN_LIMIT && (rd(HW_CFG) & HW_CFG_SRST); i++) {
    }
    for (uint32_t i = 0; i < SPIN_LIMIT && !(rd(PMT_CTRL) & PMT_CTRL_READY); i++) {
    }
    wr(INT_EN, 0);
    wr(INT_STS, 0xFFFFFFFFu);
    wr(IRQ_CFG, IRQ_CFG_EN | IRQ_CFG_POL_HIGH | IRQ_CFG_TYPE_PUSHPULL);
    wr(FIFO_INT, 0x48000000u);   /* reset value: RX status level 0 = interrupt on the first frame */

    mac_write(MAC_ADDRL, (uint32_t)mac[0] | (uint32_t)mac[1] << 8 | (uint32_t)mac[2] << 16 |
                             (uint32_t)mac[3] << 24);
    mac_write(MAC_ADDRH, (uint32_t)mac[4] | (uint32_t)mac[5] << 8);

    wr(RX_CFG, 0);                            /* no data offset, 4-byte end alignment */
    wr(TX_CFG, TX_CFG_TX_ON | TX_CFG_TXSAO);  /* TX status may overrun: never read */
    /* Exact-match unicast + broadcast + every multicast (the core filters groups);
     * clears the promiscuous bit the chip resets with. */
    mac_write(MAC_CR, MAC_CR_RXEN | MAC_CR_TXEN | MAC_CR_FDPX | MAC_CR_MCPAS);
    wr(INT_EN, INT_RSFL);
    return 0;
}

unsigned lan9118_rx_pending(void)
{
    return (rd(RX_FIFO_INF) >> 16) & 0xFFu;
}

void lan9118_irq_ack(void)
{
    wr(INT_STS, INT_RSFL);
}

size_t lan9118_rx(uint8_t *buf, size_t cap)
{
    while (lan9118_rx_pending() > 0) {
        uint32_t st = rd(RX_STATUS_FIFO);
        uint32_t len = RXS_LEN(st);   /* includes the FCS */
        uint32_t words = (len + 3u) / 4u;
        int keep = 1;
        if (st & RXS_ERROR_SUMMARY) {
            g_stats.rx_drop_error++;
            keep = 0;
        } else if (len < 4u || len - 4u > cap) {
            g_stats.rx_drop_size++;
            keep = 0;
        }
        size_t frame = keep ? len - 4u : 0;
        size_t pos = 0;
        for (uint32_t w = 0; w < words; w++) {
            uint32_t v = rd(RX_DATA_FIFO);
            for (unsigned b = 0; b < 4 && pos < frame; b++) {   /* byte stores: no alignment assumed */
                buf[pos++] = (uint8_t)(v >> (8 * b));
            }
        }
        if (keep) {
            g_stats.rx_frames++;
            return frame;
        }
    }
    return 0;
}

int lan9118_tx(const uint8_t *frame, size_t len)
{
    if (len < 14 || len > 1518) {   /* no FCS; room for one 802.1Q tag */
        g_stats.tx_drop_size++;
        return -1;
    }
    uint32_t plen = len < 60 ? 60u : (uint32_t)len;
    uint32_t words = (plen + 3u) / 4u;
    uint32_t i = 0;
    while ((rd(TX_FIFO_INF) & 0xFFFFu) < words * 4u + 8u) {   /* TDFREE, bytes */
        if (++i == SPIN_LIMIT) {
            g_stats.tx_drop_busy++;
            return -1;
        }
    }
    wr(TX_DATA_FIFO, TXA_FIRST_SEG | TXA_LAST_SEG | plen);
    wr(TX_DATA_FIFO, (plen << 16) | plen);   /* tag = length (unused), packet length */
    size_t pos = 0;
    for (uint32_t w = 0; w < words; w++) {
        uint32_t v = 0;
        for (unsigned b = 0; b < 4; b++, pos++)
            if (pos < len)
                v |= (uint32_t)frame[pos] << (8 * b);
        wr(TX_DATA_FIFO, v);
    }
    g_stats.tx_frames++;
    return 0;
}

int lan9118_link_up(void)
{
    return (phy_read(PHY_BSR) & PHY_BSR_LINK) != 0;
}

const lan9118_stats_t *lan9118_stats(void)
{
    return &g_stats;
}
