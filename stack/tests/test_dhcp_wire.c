/* SPDX-License-Identifier: BSD-3-Clause */
/* test_dhcp_wire.c — the DHCP message view, option reader and builder (D12/S10). */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "seqs/err.h"
#include "seqs/wire/dhcp.h"

static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x01};

/* A bare reply with the fixed part and cookie, options appended by the test. */
static size_t base_msg(uint8_t *m, size_t cap) {
    memset(m, 0, cap);
    m[0] = 2;
    m[1] = 1;
    m[2] = 6;
    seqs_put32(m + 4, 0x12345678u);
    seqs_put32(m + 16, 0xC0000245u);
    memcpy(m + 28, mac, 6);
    seqs_put32(m + 236, SEQS_DHCP_MAGIC);
    return 240;
}

static size_t put(uint8_t *m, size_t at, const uint8_t *b, size_t n) {
    memcpy(m + at, b, n);
    return at + n;
}

static void test_builder_roundtrip(void) {
    uint8_t buf[600];
    seqs_dhcp_builder_t b;
    seqs_dhcp_hdr_t h = {.op = SEQS_DHCP_BOOTREQUEST, .xid = 0xA1B2C3D4u, .secs = 7, .flags = SEQS_DHCP_FLAG_BROADCAST,
                         .ciaddr = 0x01020304u, .yiaddr = 0x05060708u, .siaddr = 9, .giaddr = 10};
    memcpy(h.chaddr, mac, 6);
    CHECK_EQ(seqs_dhcp_build_begin(&b, buf, sizeof buf, &h), SEQS_OK);
    CHECK_EQ(seqs_dhcp_build_opt_u8(&b, SEQS_DHCP_OPT_MSG_TYPE, SEQS_DHCP_DISCOVER), SEQS_OK);
    CHECK_EQ(seqs_dhcp_build_opt_u32(&b, SEQS_DHCP_OPT_REQUESTED_ADDR, 0xC0000245u), SEQS_OK);
    CHECK_EQ(seqs_dhcp_build_opt_u16(&b, SEQS_DHCP_OPT_MAX_MSG_SIZE, 576), SEQS_OK);
    CHECK_EQ(seqs_dhcp_build_opt(&b, 80, NULL, 0), SEQS_OK);   /* zero-length option */
    int n = seqs_dhcp_build_end(&b);
    CHECK_EQ(n, 300);   /* padded to the BOOTP minimum */
    seqs_dhcp_view_t v;
    CHECK_EQ(seqs_dhcp_view_init(&v, buf, (size_t)n), SEQS_DHCP_OK);
    CHECK_EQ(seqs_dhcp_op(&v), 1);
    CHECK_EQ(seqs_dhcp_htype(&v), 1);
    CHECK_EQ(seqs_dhcp_hlen(&v), 6);
    CHECK_EQ(seqs_dhcp_xid(&v), 0xA1B2C3D4u);
    CHECK_EQ(seqs_dhcp_secs(&v), 7);
    CHECK_EQ(seqs_dhcp_flags(&v), 0x8000);
    CHECK_EQ(seqs_dhcp_ciaddr(&v), 0x01020304u);
    CHECK_EQ(seqs_dhcp_yiaddr(&v), 0x05060708u);
    CHECK_EQ(seqs_dhcp_siaddr(&v), 9);
    CHECK_EQ(seqs_dhcp_giaddr(&v), 10);
    CHECK(memcmp(seqs_dhcp_chaddr(&v), mac, 6) == 0);
    CHECK_EQ(seqs_dhcp_msg_type(&v), SEQS_DHCP_DISCOVER);
    uint32_t a = 0;
    CHECK(seqs_dhcp_opt_u32(&v, SEQS_DHCP_OPT_REQUESTED_ADDR, &a));
    CHECK_EQ(a, 0xC0000245u);
    size_t tot = 99;
    CHECK(seqs_dhcp_opt_get(&v, 80, NULL, 0, &tot));
    CHECK_EQ(tot, 0);
    CHECK(!seqs_dhcp_opt_get(&v, SEQS_DHCP_OPT_ROUTER, NULL, 0, NULL));
    CHECK(!seqs_dhcp_opt_u32(&v, SEQS_DHCP_OPT_MAX_MSG_SIZE, &a));   /* 2 bytes, not 4 */
    CHECK(seqs_dhcp_sname(&v) == buf + 44);
    CHECK(seqs_dhcp_file(&v) == buf + 108);
}

static void test_builder_bounds(void) {
    uint8_t buf[260];
    seqs_dhcp_builder_t b;
    seqs_dhcp_hdr_t h = {.op = 1};
    CHECK_EQ(seqs_dhcp_build_begin(&b, buf, 240, &h), SEQS_ERR_NOBUFS);   /* no room for END */
    CHECK_EQ(seqs_dhcp_build_end(&b), SEQS_ERR_NOBUFS);
    CHECK_EQ(seqs_dhcp_build_begin(&b, NULL, 240, &h), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_dhcp_build_begin(&b, buf, sizeof buf, &h), SEQS_OK);
    uint8_t big[40];
    memset(big, 'x', sizeof big);
    /* 19 bytes left (260 - 240 - END): a 17-byte option fits exactly, then nothing. */
    CHECK_EQ(seqs_dhcp_build_opt(&b, 12, big, 17), SEQS_OK);
    CHECK_EQ(b.len, 259);
    CHECK_EQ(seqs_dhcp_build_opt_u8(&b, 53, 1), SEQS_ERR_NOBUFS);
    CHECK_EQ(b.len, 259);   /* nothing written */
    CHECK_EQ(seqs_dhcp_build_end(&b), SEQS_ERR_NOBUFS);   /* sticky */
    CHECK_EQ(seqs_dhcp_build_begin(&b, buf, sizeof buf, &h), SEQS_OK);
    CHECK_EQ(seqs_dhcp_build_opt(&b, SEQS_DHCP_OPT_END, big, 1), SEQS_ERR_INVAL);
    CHECK_EQ(seqs_dhcp_build_begin(&b, buf, sizeof buf, &h), SEQS_OK);
    CHECK_EQ(seqs_dhcp_build_opt(&b, 12, NULL, 3), SEQS_ERR_INVAL);
    /* END fits into a 241-byte buffer; no padding beyond cap. */
    CHECK_EQ(seqs_dhcp_build_begin(&b, buf, 241, &h), SEQS_OK);
    CHECK_EQ(seqs_dhcp_build_end(&b), 241);
}

static void test_builder_splits_long_option(void) {
    uint8_t buf[900], data[600];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)i;
    seqs_dhcp_builder_t b;
    seqs_dhcp_hdr_t h = {.op = 2};
    seqs_dhcp_build_begin(&b, buf, sizeof buf, &h);
    seqs_dhcp_build_opt_u8(&b, 53, 5);
    CHECK_EQ(seqs_dhcp_build_opt(&b, 77, data, sizeof data), SEQS_OK);
    int n = seqs_dhcp_build_end(&b);
    CHECK_EQ(n, 240 + 3 + (2 + 255) * 2 + 2 + 90 + 1);
    CHECK_EQ(buf[243], 77);
    CHECK_EQ(buf[244], 255);
    seqs_dhcp_view_t v;
    CHECK_EQ(seqs_dhcp_view_init(&v, buf, (size_t)n), SEQS_DHCP_OK);
    uint8_t out[600];
    size_t tot;
    CHECK(seqs_dhcp_opt_get(&v, 77, out, sizeof out, &tot));
    CHECK_EQ(tot, 600);
    CHECK(memcmp(out, data, sizeof data) == 0);
}

static void test_fixed_part_checks(void) {
    uint8_t m[400];
    size_t n = base_msg(m, sizeof m);
    n = put(m, n, (const uint8_t[]){53, 1, 2, 255}, 4);
    seqs_dhcp_view_t v;
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_OK);
    CHECK_EQ(seqs_dhcp_view_init(&v, m, 239), SEQS_DHCP_TRUNCATED);
    CHECK_EQ(seqs_dhcp_view_init(&v, NULL, 300), SEQS_DHCP_TRUNCATED);
    /* Exactly the fixed part: valid structure but no option 53. */
    CHECK_EQ(seqs_dhcp_view_init(&v, m, 240), SEQS_DHCP_NO_TYPE);
    m[0] = 3;
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_BAD_OP);
    m[0] = 2;
    m[1] = 6;
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_BAD_HW);
    m[1] = 1;
    m[2] = 16;
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_BAD_HW);
    m[2] = 6;
    m[239] ^= 1;
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_BAD_COOKIE);
    m[239] ^= 1;
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_OK);
    CHECK(strcmp(seqs_dhcp_check_name(SEQS_DHCP_BAD_COOKIE), "bad magic cookie") == 0);
}

static void test_pad_runs_and_missing_end(void) {
    uint8_t m[400];
    size_t n = base_msg(m, sizeof m);
    n += 30;   /* 30 pad bytes (already zero) */
    n = put(m, n, (const uint8_t[]){53, 1, 5, 0, 0, 0, 51, 4, 0, 0, 0, 120, 0}, 13);
    /* no END: the packet's end ends the list */
    seqs_dhcp_view_t v;
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_OK);
    CHECK_EQ(seqs_dhcp_msg_type(&v), SEQS_DHCP_ACK);
    uint32_t lease;
    CHECK(seqs_dhcp_opt_u32(&v, 51, &lease));
    CHECK_EQ(lease, 120);
    /* Options after END are not seen. */
    n = base_msg(m, sizeof m);
    n = put(m, n, (const uint8_t[]){53, 1, 6, 255, 51, 4, 0, 0, 0, 9}, 10);
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_OK);
    CHECK(!seqs_dhcp_opt_u32(&v, 51, &lease));
    /* Garbage after END is not parsed at all (a length there may overrun). */
    n = base_msg(m, sizeof m);
    n = put(m, n, (const uint8_t[]){53, 1, 6, 255, 51, 200}, 6);
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_OK);
}

static void test_length_past_packet(void) {
    uint8_t m[400];
    seqs_dhcp_view_t v;
    size_t n = base_msg(m, sizeof m);
    n = put(m, n, (const uint8_t[]){53, 1, 2, 3, 8, 192, 0, 2, 1}, 9);   /* router says 8, has 4 */
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_BAD_OPTIONS);
    n = base_msg(m, sizeof m);
    n = put(m, n, (const uint8_t[]){53, 1, 2, 3}, 4);   /* length byte missing */
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_BAD_OPTIONS);
    n = base_msg(m, sizeof m);
    n = put(m, n, (const uint8_t[]){53, 255}, 2);   /* 53 claims 255 bytes */
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_BAD_OPTIONS);
    /* Zero-length 53 is structurally fine but is not a message type. */
    n = base_msg(m, sizeof m);
    n = put(m, n, (const uint8_t[]){53, 0, 255}, 3);
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_NO_TYPE);
    n = base_msg(m, sizeof m);
    n = put(m, n, (const uint8_t[]){53, 2, 2, 2, 255}, 5);
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_NO_TYPE);
}

static void test_repeated_option_concatenated(void) {
    uint8_t m[400];
    seqs_dhcp_view_t v;
    size_t n = base_msg(m, sizeof m);
    /* DNS servers split over three instances, the split inside an address. */
    n = put(m, n, (const uint8_t[]){53, 1, 5, 6, 2, 192, 0, 6, 5, 2, 1, 198, 51, 100, 6, 1, 9, 255}, 18);
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_OK);
    uint32_t dns[4] = {0};
    CHECK_EQ(seqs_dhcp_opt_addrs(&v, 6, dns, 4), 2);
    CHECK_EQ(dns[0], 0xC0000201u);
    CHECK_EQ(dns[1], 0xC6336409u);
    CHECK_EQ(seqs_dhcp_opt_addrs(&v, 6, dns, 1), 1);
    /* A list whose length is not a multiple of 4 is ignored. */
    n = base_msg(m, sizeof m);
    n = put(m, n, (const uint8_t[]){53, 1, 5, 3, 5, 192, 0, 2, 1, 7, 255}, 11);
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_OK);
    CHECK_EQ(seqs_dhcp_opt_addrs(&v, 3, dns, 4), 0);
    /* A repeated 4-byte option is 8 bytes: not a valid u32. */
    n = base_msg(m, sizeof m);
    n = put(m, n, (const uint8_t[]){53, 1, 5, 51, 4, 0, 0, 0, 1, 51, 4, 0, 0, 0, 2, 255}, 16);
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_OK);
    uint32_t lease;
    CHECK(!seqs_dhcp_opt_u32(&v, 51, &lease));
}

static void test_overload_file_and_sname(void) {
    uint8_t m[400];
    seqs_dhcp_view_t v;
    size_t n = base_msg(m, sizeof m);
    n = put(m, n, (const uint8_t[]){52, 1, 3, 3, 4, 192, 0, 2, 1, 255}, 10);
    /* file: message type + first DNS part; sname: the rest of the DNS list. */
    put(m, 108, (const uint8_t[]){53, 1, 5, 6, 4, 192, 0, 2, 53, 255}, 10);
    put(m, 44, (const uint8_t[]){0, 0, 6, 4, 192, 0, 2, 54}, 8);   /* no END in sname: area end */
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_OK);
    CHECK_EQ(v.overload, 3);
    CHECK_EQ(seqs_dhcp_msg_type(&v), SEQS_DHCP_ACK);
    CHECK(seqs_dhcp_sname(&v) == NULL);
    CHECK(seqs_dhcp_file(&v) == NULL);
    uint32_t dns[3];
    CHECK_EQ(seqs_dhcp_opt_addrs(&v, 6, dns, 3), 2);   /* RFC 3396: options, file, sname */
    CHECK_EQ(dns[0], 0xC0000235u);
    CHECK_EQ(dns[1], 0xC0000236u);
    /* Only file overloaded: sname text stays a string and is not parsed. */
    n = base_msg(m, sizeof m);
    n = put(m, n, (const uint8_t[]){52, 1, 1, 255}, 4);
    put(m, 108, (const uint8_t[]){53, 1, 2, 255}, 4);
    memcpy(m + 44, "srv", 3);
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_OK);
    CHECK_EQ(seqs_dhcp_msg_type(&v), SEQS_DHCP_OFFER);
    CHECK(seqs_dhcp_sname(&v) != NULL && memcmp(seqs_dhcp_sname(&v), "srv", 3) == 0);
    /* Without 52 the file field's bytes are not options. */
    n = base_msg(m, sizeof m);
    put(m, 108, (const uint8_t[]){53, 1, 2, 255}, 4);
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_NO_TYPE);
}

static void test_overload_loops_and_bad_values(void) {
    uint8_t m[400];
    seqs_dhcp_view_t v;
    /* file says "overload sname and file" again: followed at most once, no loop. */
    size_t n = base_msg(m, sizeof m);
    n = put(m, n, (const uint8_t[]){52, 1, 1, 255}, 4);
    put(m, 108, (const uint8_t[]){52, 1, 3, 53, 1, 5, 255}, 7);
    put(m, 44, (const uint8_t[]){51, 4, 0, 0, 0, 1, 255}, 7);
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_OK);
    CHECK_EQ(v.overload, 1);
    uint32_t lease;
    CHECK(!seqs_dhcp_opt_u32(&v, 51, &lease));   /* sname was not named by the options field */
    /* Invalid overload values and lengths (lwIP test_dhcp_invalid_overload). */
    static const uint8_t bad[][5] = {{52, 1, 0, 255, 0}, {52, 1, 4, 255, 0}, {52, 1, 200, 255, 0},
                                     {52, 2, 1, 1, 255}, {52, 0, 255, 0, 0}};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = base_msg(m, sizeof m);
        n = put(m, n, (const uint8_t[]){53, 1, 5}, 3);
        n = put(m, n, bad[i], 5);
        CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_BAD_OPTIONS);
    }
    /* An overloaded area with an option running past its 128 bytes. */
    n = base_msg(m, sizeof m);
    n = put(m, n, (const uint8_t[]){53, 1, 5, 52, 1, 1, 255}, 7);
    m[108 + 120] = 12;
    m[108 + 121] = 20;
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_BAD_OPTIONS);
    /* ... and the same bytes in sname while only file is overloaded: not parsed. */
    n = base_msg(m, sizeof m);
    n = put(m, n, (const uint8_t[]){53, 1, 5, 52, 1, 1, 255}, 7);
    m[44 + 60] = 12;
    m[44 + 61] = 20;
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_OK);
}

static void test_oversized_param_list(void) {
    /* Option 55 twice at 255 bytes (510 total): the reader reports the full
     * length and copies only what fits. */
    uint8_t m[800];
    seqs_dhcp_view_t v;
    size_t n = base_msg(m, sizeof m);
    n = put(m, n, (const uint8_t[]){53, 1, 1}, 3);
    for (int k = 0; k < 2; k++) {
        m[n++] = 55;
        m[n++] = 255;
        for (int i = 0; i < 255; i++)
            m[n++] = (uint8_t)(i + 1);
    }
    m[n++] = 255;
    m[0] = 1;
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_OK);
    uint8_t prl[16];
    size_t tot;
    memset(prl, 0xEE, sizeof prl);
    CHECK(seqs_dhcp_opt_get(&v, 55, prl, 8, &tot));
    CHECK_EQ(tot, 510);
    CHECK_EQ(prl[0], 1);
    CHECK_EQ(prl[7], 8);
    CHECK_EQ(prl[8], 0xEE);   /* nothing past cap */
}

static void test_iterator_visits_each_instance(void) {
    uint8_t m[400];
    seqs_dhcp_view_t v;
    size_t n = base_msg(m, sizeof m);
    n = put(m, n, (const uint8_t[]){0, 53, 1, 2, 0, 0, 80, 0, 54, 4, 192, 0, 2, 1, 255}, 15);
    CHECK_EQ(seqs_dhcp_view_init(&v, m, n), SEQS_DHCP_OK);
    seqs_dhcp_opt_iter_t it = SEQS_DHCP_OPT_ITER_INIT;
    uint8_t code, len;
    const uint8_t *d;
    uint8_t codes[8];
    unsigned k = 0;
    while (k < 8 && seqs_dhcp_opt_next(&v, &it, &code, &d, &len))
        codes[k++] = code;
    CHECK_EQ(k, 3);
    CHECK_EQ(codes[0], 53);
    CHECK_EQ(codes[1], 80);
    CHECK_EQ(codes[2], 54);
}

int main(void) {
    RUN(test_builder_roundtrip);
    RUN(test_builder_bounds);
    RUN(test_builder_splits_long_option);
    RUN(test_fixed_part_checks);
    RUN(test_pad_runs_and_missing_end);
    RUN(test_length_past_packet);
    RUN(test_repeated_option_concatenated);
    RUN(test_overload_file_and_sname);
    RUN(test_overload_loops_and_bad_values);
    RUN(test_oversized_param_list);
    RUN(test_iterator_visits_each_instance);
    return check_result();
}
