/* fuzz/fuzz_dhcp.c — DHCP message parsing (client and server side: the same
 * view reads BOOTREQUESTs and BOOTREPLYs).
 *
 * The input is one DHCP message (a UDP payload). The target validates it with
 * seqs_dhcp_view_init(); when valid it walks every option, checks with its own
 * arithmetic that each reported option lies inside the message, that the
 * concatenating reader agrees with the iterator, and that the builder can
 * write the same options back into a message that parses again. A violation
 * aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seqs/seqs.h"
#include "seqs/wire/dhcp.h"

static void check_view(const seqs_dhcp_view_t *v, const uint8_t *data, size_t size) {
    seqs_dhcp_opt_iter_t it = SEQS_DHCP_OPT_ITER_INIT;
    uint8_t code, len;
    const uint8_t *d;
    size_t per_code[256];
    memset(per_code, 0, sizeof per_code);
    unsigned steps = 0;
    while (seqs_dhcp_opt_next(v, &it, &code, &d, &len)) {
        if (d < data || d + len > data + size || code == 0 || code == 255)
            abort();
        per_code[code] += len;
        if (++steps > size)   /* each instance takes >= 2 bytes: this is a loop */
            abort();
    }
    uint8_t small[8];
    for (unsigned c = 1; c < 255; c++) {
        size_t total = 0;
        int found = seqs_dhcp_opt_get(v, (uint8_t)c, small, sizeof small, &total);
        if (total != per_code[c] || (!found && total))
            abort();
        uint32_t addrs[4];
        size_t n = seqs_dhcp_opt_addrs(v, (uint8_t)c, addrs, 4);
        if (n > 4 || (n && total % 4))
            abort();
    }
    /* Builder round trip: every instance re-emitted in order must parse again. */
    uint8_t out[1600];
    seqs_dhcp_builder_t b;
    seqs_dhcp_hdr_t h = {.op = seqs_dhcp_op(v), .xid = seqs_dhcp_xid(v), .flags = seqs_dhcp_flags(v)};
    memcpy(h.chaddr, seqs_dhcp_chaddr(v), 6);
    if (seqs_dhcp_build_begin(&b, out, sizeof out, &h) != 0)
        abort();
    seqs_dhcp_opt_iter_t it2 = SEQS_DHCP_OPT_ITER_INIT;
    while (seqs_dhcp_opt_next(v, &it2, &code, &d, &len))
        if (code != SEQS_DHCP_OPT_OVERLOAD)
            seqs_dhcp_build_opt(&b, code, d, len);
    int n = seqs_dhcp_build_end(&b);
    if (n > 0) {
        seqs_dhcp_view_t v2;
        if (seqs_dhcp_view_init(&v2, out, (size_t)n) != SEQS_DHCP_OK || v2.msg_type != v->msg_type)
            abort();
    } else if (n != -3) {   /* only SEQS_ERR_NOBUFS may stop it */
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    seqs_dhcp_view_t v;
    seqs_dhcp_check_t r = seqs_dhcp_view_init(&v, data, size);
    if (r == SEQS_DHCP_OK)
        check_view(&v, data, size);
    else if (r > SEQS_DHCP_NO_TYPE)
        abort();
    return 0;
}
