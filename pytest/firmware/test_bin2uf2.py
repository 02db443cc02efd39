# SPDX-License-Identifier: BSD-3-Clause
"""firmware/pico_w/bin2uf2.py: the UF2 the Pico W image is flashed with (no picotool).

The blocks are parsed here field by field against the UF2 specification
(github.com/microsoft/uf2: 512-byte blocks, magics 0x0A324655/0x9E5D5157/0x0AB16F30,
flag 0x2000 = familyID present) and the RP2040 bootrom's expectations (256-byte
payloads at 0x10000000 upwards, family 0xE48BFF56)."""
import importlib.util
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "firmware" / "pico_w" / "bin2uf2.py"


def load():
    spec = importlib.util.spec_from_file_location("bin2uf2", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def parse(uf2):
    assert len(uf2) % 512 == 0
    blocks = []
    for off in range(0, len(uf2), 512):
        b = uf2[off:off + 512]
        m0, m1, flags, addr, size, no, count, family = struct.unpack_from("<8I", b, 0)
        (mend,) = struct.unpack_from("<I", b, 508)
        assert (m0, m1, mend) == (0x0A324655, 0x9E5D5157, 0x0AB16F30)
        assert flags == 0x2000 and family == 0xE48BFF56 and size == 256
        assert b[32 + size:508] == bytes(508 - 32 - size), "unused data bytes must be zero"
        blocks.append((addr, no, count, b[32:32 + size]))
    return blocks


@pytest.mark.parametrize("n", [1, 255, 256, 257, 4096, 100_001])
def test_uf2_blocks_cover_the_image_in_order(n):
    data = os.urandom(n)
    blocks = parse(load().convert(data))
    assert len(blocks) == (n + 255) // 256
    for i, (addr, no, count, payload) in enumerate(blocks):
        assert (addr, no, count) == (0x10000000 + 256 * i, i, len(blocks))
    image = b"".join(p for *_, p in blocks)
    assert image[:n] == data and image[n:] == bytes(len(image) - n)


def test_command_line_writes_the_file(tmp_path):
    src, dst = tmp_path / "a.bin", tmp_path / "a.uf2"
    src.write_bytes(bytes(range(256)) * 3)
    r = subprocess.run([sys.executable, str(SCRIPT), str(src), str(dst)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert len(parse(dst.read_bytes())) == 3
