"""Conformance tests run over a real TAP device (harness.tapwire.TapWire): the
same test functions as pytest/conformance, but the stack is the seqs-tap
process and every frame crosses the kernel's TAP driver in real time.

Only tests that exchange frames "now" and read counters can run this way (see
the TapWire docstring); TAP_CASES names the ones we run. A name that no longer
exists in the conformance suite fails here, so this list cannot silently rot."""
from __future__ import annotations

import importlib.util
import inspect
from pathlib import Path

import pytest
from scapy.layers.inet import IP, ICMP, UDP
from scapy.layers.l2 import Ether

from interop_peer import need_binary, need_root
from harness import US, US_MAC, PEER, PEER_MAC, expect_one
from harness.build import udp
from harness.tapwire import TapWire

pytestmark = [pytest.mark.root]

CONFORMANCE = Path(__file__).resolve().parent.parent / "conformance"

# (module, test function, parameters, fixture it asks for is served by TapWire)
TAP_CASES = [
    ("test_arp", "test_who_has_us_gets_unicast_reply", {}),
    ("test_arp", "test_unicast_who_has_us_answered", {}),
    ("test_arp", "test_who_has_reply_targets_sender_hw_address", {}),
    ("test_arp", "test_who_has_other_ip_not_answered", {}),
    ("test_arp", "test_who_has_other_ip_refreshes_known_sender", {}),
    ("test_arp", "test_who_has_other_ip_does_not_add_unknown_sender", {}),
    ("test_arp", "test_who_has_us_adds_sender_to_cache", {}),
    ("test_arp", "test_echo_after_who_has_needs_no_arp", {}),
    ("test_arp", "test_is_at_for_us_from_unknown_sender_answered_nothing", {}),
    ("test_arp", "test_unsupported_arp_ignored", {"variant": "hln8"}),
    ("test_arp", "test_truncated_arp_ignored", {"n": 20}),
]

_modules: dict = {}


def conformance_test(module: str, name: str):
    if module not in _modules:
        path = CONFORMANCE / f"{module}.py"
        spec = importlib.util.spec_from_file_location(f"tap_conformance_{module}", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        _modules[module] = mod
    fn = getattr(_modules[module], name, None)
    assert fn is not None, f"{module}.{name} is gone from the conformance suite: update TAP_CASES"
    return fn


@pytest.fixture
def tapwire(request, tmp_path):
    need_root()
    need_binary()
    w = TapWire(pcap_path=str(tmp_path / "tapwire.pcap"))
    try:
        w.configure()
        yield w
    finally:
        w.close()


def _row(module, name):
    fn = conformance_test(module, name)
    marks = [m for m in getattr(fn, "pytestmark", []) if m.name == "conformance"]
    return marks[0].args[0] if marks else "?"


@pytest.mark.parametrize("module, name, params", TAP_CASES,
                         ids=[f"{_row(m, n)}-{n}" + "".join(f"[{v}]" for v in p.values())
                              for m, n, p in TAP_CASES])
def test_conformance_case_over_tap(tapwire, module, name, params):
    fn = conformance_test(module, name)
    args = {}
    for arg in inspect.signature(fn).parameters:
        if arg == "wire":
            args[arg] = tapwire
        elif arg == "ipwire":
            tapwire.resolve_peer(PEER, PEER_MAC)
            args[arg] = tapwire
        elif arg in params:
            args[arg] = params[arg]
        else:
            pytest.fail(f"{name} needs fixture {arg!r}, which TapWire does not provide")
    fn(**args)


# TAP-only checks of the same wire: things SimWire tests through the socket
# API, here through seqs-tap's services.

def test_echo_request_over_tap_answered_in_full(tapwire):
    """C1 over TAP: id, seq and data come back unchanged, from the address asked."""
    tapwire.resolve_peer()
    req = Ether(src=PEER_MAC, dst=US_MAC) / IP(src=PEER, dst=US) / ICMP(type=8, id=0x4242, seq=9) / (b"q" * 100)
    rep = tapwire.exchange(req, Ether(dst=PEER_MAC, src=US_MAC) / IP(src=US, dst=PEER) /
                           ICMP(type=0, id=0x4242, seq=9))
    assert bytes(rep[ICMP].payload) == b"q" * 100


def test_udp_echo_service_over_tap_round_trips(tapwire):
    """seqs-tap's --udp-echo 7 answers from port 7 to the sender's port with the same data."""
    tapwire.resolve_peer()
    rep = tapwire.exchange(udp(7, data=b"over-a-real-tap", sport=40001),
                           Ether(dst=PEER_MAC) / IP(src=US, dst=PEER) / UDP(sport=7, dport=40001))
    assert bytes(rep[UDP].payload) == b"over-a-real-tap"


def test_tapwire_counters_come_from_the_running_process(tapwire):
    before = tapwire.counters()
    tapwire.resolve_peer()
    d = tapwire.delta(before)
    assert d.get("arp_rx") == 1 and d.get("arp_tx_reply") == 1
