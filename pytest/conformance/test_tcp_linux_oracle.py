"""TCP conformance tests run unchanged against the Linux kernel (harness.kernelwire:
Linux behind a TAP device in a private netns), so the tests' expectations are
checked by an implementation that is not ours. Only frame-level tests without
the seqs socket API qualify: the closed-port rows (T5, T6, T36's closed case)."""
from __future__ import annotations

import importlib
import inspect

import pytest

from harness import PEER, PEER_MAC
from harness.fixtures import _pcap_name

pytestmark = [pytest.mark.root]

CASES = [
    ("test_tcp_handshake", "test_syn_to_closed_port_gets_rst_ack"),
    ("test_tcp_handshake", "test_data_without_ack_to_closed_port_acks_its_length"),
    ("test_tcp_handshake", "test_ack_to_closed_port_gets_rst_seq_ack"),
    ("test_tcp_handshake", "test_rst_to_closed_port_gets_nothing"),
    ("test_tcp_close", "test_fin_to_closed_port_gets_rst_not_processed"),
]


@pytest.fixture
def kernel_wire(request):
    from harness import kernelwire
    why = kernelwire.available()
    if why:
        pytest.skip(why)
    w = kernelwire.KernelWire(pcap_path=_pcap_name(request.node, 0))
    yield w
    rep = getattr(request.node, "rep_call", None)
    w.close(keep_pcap=rep is None or not rep.passed)


@pytest.mark.parametrize("module,name", CASES, ids=[n[5:] for _, n in CASES])
def test_linux_agrees(kernel_wire, module, name):
    fn = getattr(importlib.import_module(module), name, None)
    assert fn is not None, f"{module}.{name} is gone: update CASES"
    assert "ipwire" in inspect.signature(fn).parameters
    kernel_wire.resolve_peer(PEER, PEER_MAC)
    fn(ipwire=kernel_wire)
