/* SPDX-License-Identifier: BSD-3-Clause */
/* test_sha256.c — seqs-tap's SHA-256 against the FIPS 180-4 example vectors
 * (NIST CSRC "Examples with intermediate values": one-block "abc", two-block
 * 448-bit message) and the long-message vectors (896 bits, one million 'a'),
 * plus the empty message, every padding boundary and arbitrary update() splits
 * (must equal the one-shot digest). Exit status 0 = all passed. */
#include <stdio.h>
#include <string.h>

#include "../sha256.h"

static int failures;

static void hex_of(const void *data, size_t len, char out[65])
{
    sha256_t c;
    sha256_init(&c);
    sha256_update(&c, data, len);
    sha256_hex(&c, out);
}

static void expect(const char *name, const char *got, const char *want)
{
    if (strcmp(got, want) != 0) {
        printf("FAIL %s:\n  got  %s\n  want %s\n", name, got, want);
        failures++;
    } else {
        printf("ok   %s\n", name);
    }
}

int main(void)
{
    char h[65];

    hex_of("", 0, h);
    expect("empty", h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    hex_of("abc", 3, h);
    expect("abc (FIPS 180-4 one block)", h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_of(m448, strlen(m448), h);
    expect("448-bit (two blocks)", h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                       "mnopqrstnopqrstu";
    hex_of(m896, strlen(m896), h);
    expect("896-bit", h, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");

    static char million[1000000];
    memset(million, 'a', sizeof million);
    hex_of(million, sizeof million, h);
    expect("one million 'a'", h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

    /* The same million fed in odd pieces (1, 2, 3, ... bytes): same digest. */
    sha256_t c;
    sha256_init(&c);
    size_t off = 0;
    for (size_t piece = 1; off < sizeof million; piece = piece % 131 + 1) {
        size_t n = sizeof million - off < piece ? sizeof million - off : piece;
        sha256_update(&c, million + off, n);
        off += n;
    }
    sha256_hex(&c, h);
    expect("one million 'a' in 1..131-byte pieces", h,
           "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

    /* sha256_hex() does not disturb the running state: hex after "a", then "bc" -> "abc". */
    sha256_init(&c);
    sha256_update(&c, "a", 1);
    sha256_hex(&c, h);
    expect("'a' (intermediate)", h, "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
    sha256_update(&c, "bc", 2);
    sha256_hex(&c, h);
    expect("'a' then 'bc'", h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    /* Padding boundaries 55/56/63/64/65 bytes of 'a': split updates = one shot. */
    static const struct { size_t n; const char *want; } pads[] = {
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
    };
    for (size_t i = 0; i < sizeof pads / sizeof pads[0]; i++) {
        char name[64], split[65];
        snprintf(name, sizeof name, "%zu x 'a'", pads[i].n);
        hex_of(million, pads[i].n, h);
        expect(name, h, pads[i].want);
        sha256_init(&c);
        sha256_update(&c, million, pads[i].n / 3);
        sha256_update(&c, million, pads[i].n - pads[i].n / 3);
        sha256_hex(&c, split);
        snprintf(name, sizeof name, "%zu x 'a' in two updates", pads[i].n);
        expect(name, split, pads[i].want);
    }

    if (failures)
        printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
