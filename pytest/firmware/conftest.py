# SPDX-License-Identifier: BSD-3-Clause
"""Fixtures of the firmware tests: a booted QEMU image (see fwqemu.py)."""
import pytest

from fwqemu import QemuMps2, image


@pytest.fixture
def hwcheck():
    with QemuMps2(image("seqs-qemu-mps2-hwcheck.elf")) as q:
        yield q


@pytest.fixture
def fw():
    with QemuMps2(image("seqs-qemu-mps2.elf")) as q:
        yield q
