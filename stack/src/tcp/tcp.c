/* stack/src/tcp/tcp.c — placeholder hooks until the TCP module lands: every
 * segment is counted and dropped. (TCP-TODO: replace.) */
#include "internal.h"

void seqs__tcp_init(seqs_stack_t *s) { (void)s; }
void seqs__tcp_input(seqs_stack_t *s, const seqs__ip_rx_t *rx, const uint8_t *seg, size_t len) {
    (void)rx; (void)seg; (void)len;
    SEQS_CNT(s, tcp_rx);
    SEQS_CNT(s, tcp_drop_no_socket);
}
int seqs__tcp_output(seqs_stack_t *s, uint8_t *buf, size_t cap) { (void)s; (void)buf; (void)cap; return 0; }
void seqs__tcp_timers(seqs_stack_t *s) { (void)s; }
uint64_t seqs__tcp_deadline(const seqs_stack_t *s) { (void)s; return SEQS_NEVER; }
void seqs__tcp_icmp_error(seqs_stack_t *s, uint8_t type, uint8_t code, uint16_t mtu, uint32_t src, uint32_t dst,
                          const uint8_t *quoted, size_t qlen) {
    (void)s; (void)type; (void)code; (void)mtu; (void)src; (void)dst; (void)quoted; (void)qlen;
}
void seqs__tcp_addr_changed(seqs_stack_t *s) { (void)s; }
