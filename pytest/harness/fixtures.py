"""pytest fixtures over the harness, imported by the suites' conftest.py files:

    make_wire(**stack_kwargs, addr=..., gateway=..., probe=..., settle_s=...) -> SimWire
    wire      stack at 192.0.2.2/24 (gateway 192.0.2.1), settled, peer unknown to it
    ipwire    as wire, with the peer 192.0.2.1 resolved (and answered from then on)

The pcap of every wire is kept as pytest/artifacts/<test>.pcap when the test
fails, and deleted when it passes."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from .wire import SimWire, PEER, PEER_MAC

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def _pcap_name(node, n):
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", node.nodeid.split("::", 1)[-1])[:150]
    return str(ARTIFACTS / (base + (f"-{n}" if n else "") + ".pcap"))


@pytest.fixture
def make_wire(request):
    pytest.importorskip("seqs", reason="seqs Python module not built (set SEQS_BUILD_DIR)")
    wires = []

    def make(addr="192.0.2.2/24", gateway=PEER, probe=False, settle_s=10, **stack_kwargs):
        w = SimWire(pcap_path=_pcap_name(request.node, len(wires)), **stack_kwargs)
        wires.append(w)
        if addr:
            w.configure(addr, gateway=gateway, probe=probe, settle_s=settle_s)
        return w

    yield make
    rep = getattr(request.node, "rep_call", None)
    failed = rep is None or not rep.passed
    for w in wires:
        w.close(keep_pcap=failed)


@pytest.fixture
def wire(make_wire):
    return make_wire()


@pytest.fixture
def ipwire(make_wire):
    w = make_wire()
    w.resolve_peer(PEER, PEER_MAC)
    return w
