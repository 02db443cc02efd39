# SPDX-License-Identifier: BSD-3-Clause
"""Helpers of the interop suite (imported by its conftest and tests).

Interop suite: real Linux (the kernel's ICMP/UDP, ping, socat, nstat, tshark)
talks to seqs running in the seqs-tap tool over a TAP device.

Every test gets its own network namespace holding the Linux peer: the kernel end
of the TAP device is 192.0.2.1/24 there, seqs answers at 192.0.2.2 (documentation
addresses only). Namespace, device and process are removed when the test ends,
whatever its outcome. Needs root and a built seqs-tap ($SEQS_BUILD_DIR/tools/seqs-tap);
skips otherwise (a failure under SEQS_NO_SKIP=1)."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from harness.tapwire import Netns, SeqsTap, seqs_tap_binary, unique_names

LINUX_IP = "192.0.2.1"
SEQS_IP = "192.0.2.2"
SEQS_MAC = "02:00:00:00:00:02"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def need_binary():
    b = seqs_tap_binary()
    if not b.exists():
        pytest.skip(f"seqs-tap not built ({b}); build with SEQS_BUILD_TOOLS=ON and set SEQS_BUILD_DIR")
    return b


def need_root():
    if os.geteuid() != 0:
        pytest.skip("interop tests need root (network namespaces, TAP devices)")
    for tool in ("ip", "ping", "socat", "nstat"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} not installed")


class Peer:
    """A Linux host in its own netns wired to a seqs-tap instance."""

    def __init__(self, ns: Netns, tap: str, proc: SeqsTap):
        self.ns = ns
        self.tap = tap
        self.proc = proc

    def ping(self, count: int, interval: float = 0.2, size: int | None = None, wait: float = 1.0,
             timeout: float = 60) -> dict:
        """Runs ping in the namespace; returns transmitted/received/loss and rtt stats (ms)."""
        argv = ["ping", "-n", "-q", "-c", str(count), "-i", str(interval), "-W", str(wait)]
        if size is not None:
            argv += ["-s", str(size)]
        r = self.ns.run(argv + [SEQS_IP], check=False, timeout=timeout)
        return parse_ping(r.stdout + r.stderr)

    def nstat(self) -> dict:
        return self.ns.nstat()


def parse_ping(out: str) -> dict:
    m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
    assert m, f"unexpected ping output:\n{out}"
    res = {"transmitted": int(m.group(1)), "received": int(m.group(2)), "output": out}
    m = re.search(r"rtt min/avg/max/mdev = ([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+) ms", out)
    if m:
        res.update(rtt_min=float(m.group(1)), rtt_avg=float(m.group(2)), rtt_max=float(m.group(3)),
                   rtt_mdev=float(m.group(4)))
    return res


