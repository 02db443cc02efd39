#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""bin2uf2: converts a flat RP2040 flash image (.bin, linked at 0x10000000) to UF2,
so the Pico W image needs no picotool (the SDK is configured with PICO_NO_PICOTOOL=1).

UF2 (https://github.com/microsoft/uf2): 512-byte blocks, each with a 32-byte header
(magic 0x0A324655 0x9E5D5157, flags, target address, payload size, block number,
block count, family id), 476 data bytes of which 256 are used, and an end magic.
The RP2040 bootrom wants 256-byte payloads and family id 0xE48BFF56.

Usage: bin2uf2.py IN.bin OUT.uf2 [--base 0x10000000] [--family 0xE48BFF56]"""
import argparse
import struct
import sys

MAGIC0, MAGIC1, MAGIC_END = 0x0A324655, 0x9E5D5157, 0x0AB16F30
FLAG_FAMILY_ID = 0x00002000
PAYLOAD = 256


def convert(data, base=0x10000000, family=0xE48BFF56):
    blocks = [data[i:i + PAYLOAD] for i in range(0, len(data), PAYLOAD)]
    out = bytearray()
    for n, chunk in enumerate(blocks):
        chunk = chunk.ljust(PAYLOAD, b"\0")
        hdr = struct.pack("<8I", MAGIC0, MAGIC1, FLAG_FAMILY_ID, base + n * PAYLOAD,
                          PAYLOAD, n, len(blocks), family)
        out += hdr + chunk.ljust(476, b"\0") + struct.pack("<I", MAGIC_END)
    return bytes(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--base", type=lambda s: int(s, 0), default=0x10000000)
    ap.add_argument("--family", type=lambda s: int(s, 0), default=0xE48BFF56)
    a = ap.parse_args(argv)
    with open(a.input, "rb") as f:
        data = f.read()
    if not data:
        sys.exit(f"{a.input} is empty")
    uf2 = convert(data, a.base, a.family)
    with open(a.output, "wb") as f:
        f.write(uf2)
    print(f"{a.output}: {len(uf2) // 512} blocks, {len(data)} bytes at {a.base:#x}")


if __name__ == "__main__":
    main()
