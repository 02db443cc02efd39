/* SPDX-License-Identifier: BSD-3-Clause */
/* main.c — the HAL of fw_main.c for the Raspberry Pi Pico W, on pico-sdk's cyw43
 * driver with lwIP disabled (pico_cyw43_arch_none, CYW43_LWIP=0).
 *
 * The driver does its work in a low-priority interrupt (async_context
 * threadsafe_background). Received frames arrive in cyw43_cb_process_ethernet()
 * from that context; we copy each into a small single-producer/single-consumer
 * ring and wake the main loop with SEV. The main loop (fw_main) takes them out
 * with fw_hal_rx() and sends with cyw43_send_ethernet(), which copies the frame
 * and takes the driver's lock itself. */
#include <stdio.h>
#include <string.h>

#include "hardware/sync.h"
#include "pico/cyw43_arch.h"
#include "pico/rand.h"
#include "pico/stdlib.h"

#include <seqs/seqs.h>

#include "fw_hal.h"
#include "fw_log.h"

#ifndef WIFI_SSID
#define WIFI_SSID ""
#endif
#ifndef WIFI_PASSWORD
#define WIFI_PASSWORD ""
#endif
/* Frames the ring holds between two passes of the main loop (the loop drains it after
 * every wake-up; a frame that finds it full is dropped and counted, TCP retransmits). */
#ifndef FW_RXQ_SLOTS
#define FW_RXQ_SLOTS 4
#endif

/* ---- receive ring (driver context -> main loop) ------------------------------ */
typedef struct {
    uint16_t len;
    uint8_t data[SEQS_MAX_FRAME];
} rx_slot_t;

static rx_slot_t g_rxq[FW_RXQ_SLOTS];
static volatile uint32_t g_rxq_head;   /* written by the producer only */
static volatile uint32_t g_rxq_tail;   /* written by the consumer only */
static volatile uint32_t g_rx_drop_full, g_rx_drop_size, g_tx_fail;
static volatile int g_link;

void cyw43_cb_process_ethernet(void *cb_data, int itf, size_t len, const uint8_t *buf)
{
    (void)cb_data;
    if (itf != CYW43_ITF_STA)
        return;
    uint32_t head = g_rxq_head;
    if (head - g_rxq_tail >= FW_RXQ_SLOTS) {
        g_rx_drop_full++;
        return;
    }
    if (len > SEQS_MAX_FRAME) {
        g_rx_drop_size++;
        return;
    }
    rx_slot_t *slot = &g_rxq[head % FW_RXQ_SLOTS];
    memcpy(slot->data, buf, len);   /* the driver reuses buf once we return */
    slot->len = (uint16_t)len;
    __dmb();                        /* publish the slot before the index */
    g_rxq_head = head + 1;
    __sev();                        /* wake fw_hal_wait() */
}

size_t fw_hal_rx(uint8_t *buf, size_t cap)
{
    uint32_t tail = g_rxq_tail;
    if (tail == g_rxq_head)
        return 0;
    __dmb();
    const rx_slot_t *slot = &g_rxq[tail % FW_RXQ_SLOTS];
    size_t len = slot->len <= cap ? slot->len : 0;
    memcpy(buf, slot->data, len);
    __dmb();
    g_rxq_tail = tail + 1;
    return len;
}

/* ---- cyw43 "tcpip" callbacks: no IP stack inside the driver ------------------ */
void cyw43_cb_tcpip_init(cyw43_t *self, int itf)
{
    (void)self;
    (void)itf;
}

void cyw43_cb_tcpip_deinit(cyw43_t *self, int itf)
{
    (void)self;
    if (itf == CYW43_ITF_STA)
        g_link = 0;
}

void cyw43_cb_tcpip_set_link_up(cyw43_t *self, int itf)
{
    (void)self;
    if (itf == CYW43_ITF_STA)
        g_link = 1;
    __sev();
}

void cyw43_cb_tcpip_set_link_down(cyw43_t *self, int itf)
{
    (void)self;
    if (itf == CYW43_ITF_STA)
        g_link = 0;
    __sev();
}

/* cyw43_arch_wifi_connect_*() wait for CYW43_LINK_UP from this lwIP-side function
 * (lwIP reports "up" once it has an address); here the address is seqs' business (DHCP
 * in fw_main, or static), so an associated link is an "up" link. */
int cyw43_tcpip_link_status(cyw43_t *self, int itf)
{
    int st = cyw43_wifi_link_status(self, itf);
    return (st == CYW43_LINK_JOIN && g_link) ? CYW43_LINK_UP : st;
}

/* Referenced by cyw43_ll.c for is_pbuf sends, which we never make. */
struct pbuf;
uint16_t pbuf_copy_partial(const struct pbuf *p, void *dataptr, uint16_t len, uint16_t offset);
uint16_t pbuf_copy_partial(const struct pbuf *p, void *dataptr, uint16_t len, uint16_t offset)
{
    (void)p;
    (void)dataptr;
    (void)len;
    (void)offset;
    return 0;
}

/* ---- the rest of the HAL ------------------------------------------------------ */
void fw_hal_get_mac(uint8_t mac[6])
{
    cyw43_wifi_get_mac(&cyw43_state, CYW43_ITF_STA, mac);
}

uint64_t fw_hal_seed(void)
{
    return get_rand_64();
}

uint64_t fw_hal_now_us(void)
{
    return time_us_64();
}

int fw_hal_tx(const uint8_t *frame, size_t len)
{
    if (!g_link)
        return -1;
    if (cyw43_send_ethernet(&cyw43_state, CYW43_ITF_STA, len, frame, false) != 0) {
        g_tx_fail++;
        return -1;
    }
    return 0;
}

void fw_hal_wait(uint64_t deadline_us)
{
    /* WFE ends on the SEV from the RX callback or the link callbacks, or at the deadline. */
    if (g_rxq_tail == g_rxq_head && time_us_64() < deadline_us)
        (void)best_effort_wfe_or_timeout(from_us_since_boot(deadline_us));
}

#define FW_AUTH (WIFI_PASSWORD[0] == '\0' ? CYW43_AUTH_OPEN : CYW43_AUTH_WPA2_AES_PSK)
#define FW_REJOIN_US 10000000u

/* Polled by the main loop: after 10 s without a link, starts a new (asynchronous)
 * join, again every 10 s until the link is back (the driver does not rejoin itself). */
int fw_hal_link_up(void)
{
    static uint64_t down_since;
    if (g_link) {
        down_since = 0;
        return 1;
    }
    uint64_t now = time_us_64();
    if (down_since == 0) {
        down_since = now;
    } else if (now - down_since >= FW_REJOIN_US) {
        down_since = now;
        if (cyw43_wifi_link_status(&cyw43_state, CYW43_ITF_STA) != CYW43_LINK_JOIN) {
            fw_log("link down for 10 s: rejoining '" WIFI_SSID "'\r\n");
            (void)cyw43_arch_wifi_connect_async(WIFI_SSID, WIFI_PASSWORD, FW_AUTH);
        }
    }
    return 0;
}

/* No boot command line on the Pico W: the settings are the compile-time ones. */
const char *fw_hal_cmdline(void)
{
    return NULL;
}

void fw_hal_log_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        putchar_raw(s[i]);
}

void fw_hal_exit(int code)
{
    fw_log("halted, code ");
    fw_log_i32(code);
    fw_log(" (rx ring drops ");
    fw_log_u32(g_rx_drop_full);
    fw_log(", oversize ");
    fw_log_u32(g_rx_drop_size);
    fw_log(", tx failures ");
    fw_log_u32(g_tx_fail);
    fw_log(")\r\n");
    for (;;)
        __wfi();
}

int main(void)
{
    stdio_init_all();
    sleep_ms(1000);   /* give a USB/UART console time to attach */
    fw_log("\r\nseqs pico_w: cyw43 raw Ethernet, no lwIP\r\n");
    if (cyw43_arch_init() != 0) {
        fw_log("FATAL: cyw43_arch_init failed\r\n");
        fw_hal_exit(1);
    }
    cyw43_arch_enable_sta_mode();
    /* Power saving delays frames to the radio by up to a beacon interval: off. */
    cyw43_wifi_pm(&cyw43_state, CYW43_NONE_PM);
    if (WIFI_SSID[0] == '\0') {
        fw_log("FATAL: no WiFi network configured (cmake -DWIFI_SSID=... -DWIFI_PASSWORD=...)\r\n");
        fw_hal_exit(1);
    }
    for (int attempt = 1;; attempt++) {
        fw_log("joining '" WIFI_SSID "', attempt ");
        fw_log_u32((uint32_t)attempt);
        fw_log("\r\n");
        int r = cyw43_arch_wifi_connect_timeout_ms(WIFI_SSID, WIFI_PASSWORD, FW_AUTH, 30000);
        if (r == 0)
            break;
        fw_log("join failed: ");
        fw_log_i32(r);
        fw_log("\r\n");
    }
    fw_log("joined\r\n");
    cyw43_arch_gpio_put(CYW43_WL_GPIO_LED_PIN, 1);
    fw_main();
}
