/* stack/src/tcp/opt.c — TCP option parsing (RFC 9293 3.2, 3.7.1; RFC 7323; RFC 2018).
 * MSS, window scale and SACK-permitted count only on SYN segments (T18);
 * unknown kinds are skipped by their length; a length of 0 or 1, or one
 * running past the header, makes the list malformed (T16). */
#include <string.h>
#include "tcp_int.h"

int seqs__tcp_parse_opts(const uint8_t *p, size_t n, int syn, tcp_opts_t *o) {
    memset(o, 0, sizeof *o);
    size_t i = 0;
    while (i < n) {
        uint8_t kind = p[i];
        if (kind == 0) break;           /* end of option list */
        if (kind == 1) {                /* NOP */
            i++;
            continue;
        }
        if (i + 1 >= n) return -1;
        uint8_t len = p[i + 1];
        if (len < 2 || i + len > n) return -1;
        const uint8_t *v = p + i + 2;
        switch (kind) {
        case 2:
            if (len == 4 && syn) {
                o->has_mss = 1;
                o->mss = seqs__be16(v);
            }
            break;
        case 3:
            if (len == 3 && syn) {
                o->has_ws = 1;
                /* RFC 7323 2.3: a shift above 14 is used as 14 */
                o->ws = v[0] > 14 ? 14 : v[0];
            }
            break;
        case 4:
            if (len == 2 && syn) o->sack_perm = 1;
            break;
        case 5:
            if (!syn && len >= 10 && (len - 2) % 8 == 0) {
                unsigned nb = (unsigned)(len - 2) / 8;
                for (unsigned b = 0; b < nb && o->nsack < 4; b++) {
                    o->sack[o->nsack].start = seqs__be32(v + 8 * b);
                    o->sack[o->nsack].end = seqs__be32(v + 8 * b + 4);
                    o->nsack++;
                }
            }
            break;
        case 8:
            if (len == 10) {
                o->has_ts = 1;
                o->tsval = seqs__be32(v);
                o->tsecr = seqs__be32(v + 4);
            }
            break;
        default:
            break;
        }
        i += len;
    }
    return 0;
}
