/* csum.c — the Internet checksum (RFC 1071): 16-bit one's complement sum. */
#include "internal.h"

uint32_t seqs__csum_add(uint32_t sum, const uint8_t *p, size_t n) {
    /* Fold the incoming sum (< 0x1FFFF after this), then add blocks of at most
     * 0x7FFF words: 0x1FFFF + 0x7FFF * 0xFFFF < 2^31, so the 32-bit accumulator
     * cannot overflow and needs folding only once per block, not per word. */
    sum = (sum & 0xFFFFu) + (sum >> 16);
    while (n >= 2) {
        size_t words = n / 2 < 0x7FFFu ? n / 2 : 0x7FFFu;
        n -= words * 2;
        while (words--) {
            sum += (uint32_t)((p[0] << 8) | p[1]);
            p += 2;
        }
        sum = (sum & 0xFFFFu) + (sum >> 16);
    }
    if (n)  /* an odd final byte is padded with a zero byte (RFC 1071 4.1) */
        sum += (uint32_t)p[0] << 8;
    return sum;
}

uint32_t seqs__csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len) {
    uint32_t sum = (src >> 16) + (src & 0xFFFFu) + (dst >> 16) + (dst & 0xFFFFu);
    return sum + proto + len;
}

uint16_t seqs__csum_fold(uint32_t sum) {
    while (sum >> 16)
        sum = (sum & 0xFFFFu) + (sum >> 16);
    return (uint16_t)~sum;
}
