# SPDX-License-Identifier: BSD-3-Clause
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

# (module, test function, which parameter sets: "all", "first", or a dict of values).
# Chosen because they exchange frames at "now" and read counters only: no
# virtual-clock timers, no wire.stack socket calls (see harness/tapwire.py).
TAP_CASES = [
    ("test_ethernet", "test_frame_to_our_mac_is_processed", "all"),
    ("test_ethernet", "test_foreign_unicast_mac_dropped", "all"),
    ("test_ethernet", "test_unknown_ethertype_dropped", "first"),
    ("test_ethernet", "test_vlan_tagged_dropped", "all"),
    ("test_ethernet", "test_own_source_mac_dropped", "all"),
    ("test_ethernet", "test_padded_echo_reply_has_no_padding", "all"),
    ("test_ethernet", "test_padded_arp_request_answered", "all"),
    ("test_arp", "test_who_has_us_gets_unicast_reply", "all"),
    ("test_arp", "test_unicast_who_has_us_answered", "all"),
    ("test_arp", "test_who_has_reply_targets_sender_hw_address", "all"),
    ("test_arp", "test_who_has_other_ip_not_answered", "all"),
    ("test_arp", "test_who_has_other_ip_does_not_add_unknown_sender", "all"),
    ("test_arp", "test_who_has_us_adds_sender_to_cache", "all"),
    ("test_arp", "test_echo_after_who_has_needs_no_arp", "all"),
    ("test_arp", "test_is_at_for_us_from_unknown_sender_answered_nothing", "all"),
    ("test_arp", "test_unsupported_arp_ignored", {"variant": "hln8"}),
    ("test_arp", "test_truncated_arp_ignored", {"n": 20}),
    ("test_arp", "test_changed_mac_learned_from_request", "all"),
    ("test_arp", "test_gratuitous_from_unknown_creates_no_entry", "all"),
    ("test_icmp", "test_echo_reply_mirrors_request", "all"),
    ("test_icmp", "test_echo_counts", "all"),
    ("test_icmp", "test_echo_from_offlink_answered_via_gateway", "all"),
    ("test_icmp", "test_echo_1472_bytes", "all"),
    ("test_icmp", "test_echo_4000_bytes_fragmented", "all"),
    ("test_icmp", "test_echo_bad_checksum_dropped", "all"),
    ("test_icmp", "test_unknown_icmp_type_dropped", "first"),
    ("test_icmp", "test_udp_closed_port_port_unreachable", "all"),
    ("test_icmp", "test_unknown_protocol_unreachable", "first"),
    ("test_icmp", "test_no_error_about_icmp_error", "first"),
    ("test_icmp", "test_no_port_unreachable_for_broadcast", "all"),
    ("test_ipv4", "test_version_not_4_dropped", "first"),
    ("test_ipv4", "test_bad_header_checksum_dropped", "all"),
    ("test_ipv4", "test_ihl_below_5_dropped", "first"),
    ("test_ipv4", "test_total_length_beyond_received_dropped", "first"),
    ("test_ipv4", "test_not_our_destination_dropped", "first"),
    ("test_ipv4", "test_invalid_source_dropped", "first"),
    ("test_ipv4", "test_unicast_ip_in_link_broadcast_dropped", "all"),
    ("test_ipv4", "test_low_ttl_delivered_locally", "all"),
    ("test_ipv4", "test_source_route_dropped", "all"),
    ("test_ipv4", "test_tiny_first_fragment_dropped", "all"),
    ("test_udp", "test_wrong_checksum_to_closed_port_no_icmp", "all"),
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


def _param_sets(fn, which):
    """The conformance test's own parametrize values: all sets, the first, or given ones."""
    if isinstance(which, dict):
        return [which]
    sets = [{}]
    for m in getattr(fn, "pytestmark", []):
        if m.name != "parametrize":
            continue
        names = [n.strip() for n in (m.args[0].split(",") if isinstance(m.args[0], str) else m.args[0])]
        values = [v.values if hasattr(v, "values") and not isinstance(v, (tuple, list)) else v
                  for v in m.args[1]]
        rows = [dict(zip(names, v if len(names) > 1 else (v,))) for v in values]
        sets = [dict(a, **b) for a in sets for b in rows]
    return sets[:1] if which == "first" else sets


def _expand():
    cases, ids = [], []
    for module, name, which in TAP_CASES:
        fn = conformance_test(module, name)
        for params in _param_sets(fn, which):
            cases.append((module, name, params))
            ids.append(f"{_row(module, name)}-{name}" + "".join(f"[{v!r:.30}]" for v in params.values()))
    return cases, ids


_CASES, _IDS = _expand()


@pytest.mark.parametrize("module, name, params", _CASES, ids=_IDS)
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
