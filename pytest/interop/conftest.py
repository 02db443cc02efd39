# SPDX-License-Identifier: BSD-3-Clause
"""Interop suite: real Linux (the kernel's ICMP/UDP, ping, socat, nstat, tshark)
talks to seqs running in the seqs-tap tool over a TAP device. Helpers and
details: interop_peer.py."""
import pytest

from harness.tapwire import Netns, SeqsTap, unique_names
from interop_peer import LINUX_IP, SEQS_IP, SEQS_MAC, Peer, need_binary, need_root


@pytest.fixture
def make_peer(request):
    """make_peer(extra=[...seqs-tap options...]) -> Peer. The seqs-tap runs with
    --peer-ip 192.0.2.1/24 so the kernel end is configured before link-up."""
    need_root()
    binary = need_binary()
    made = []

    def make(extra=(), ip=f"{SEQS_IP}/24", mac=SEQS_MAC, start=True) -> Peer:
        """start=False: the namespace exists, seqs-tap is not started yet (the test
        prepares a listener in the namespace first, then calls peer.proc.start())."""
        ns_name, tap = unique_names("io")
        ns = Netns(ns_name)
        made.append([ns, None])
        ns.sysctl("net.ipv4.tcp_no_metrics_save", 1)
        proc = SeqsTap(tap, ns_name, mac=mac, ip=ip, binary=binary,
                       extra=["--peer-ip", f"{LINUX_IP}/24", *extra])
        made[-1][1] = proc
        if start:
            proc.start()
        return Peer(ns, tap, proc)

    yield make
    for ns, proc in made:
        try:
            if proc is not None:
                proc.kill()
        finally:
            ns.close()
