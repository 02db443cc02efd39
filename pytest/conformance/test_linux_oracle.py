# SPDX-License-Identifier: BSD-3-Clause
"""The conformance tests, run against the Linux kernel: checks the TESTS.

CONFORMANCE.md: "where a row can also be checked against the Linux kernel in
a network namespace, do it there too -- if Linux disagrees with the test, the
test is probably wrong." Each case below runs one conformance test function,
unchanged, with a harness.kernelwire.KernelWire (Linux behind a TAP device in a
private netns) as its `wire`/`ipwire`. Frame-level tests run as they are; socket-level
ones use KernelStack (real Linux UDP sockets in the namespace); tests whose
point is a seqs counter or a long virtual-time wait cannot run there, and some
seqs choices deliberately differ from Linux; EXCLUDED lists those with the reason,
so the list is reviewed rather than silently shrunk. A case naming a test that
no longer exists fails."""
from __future__ import annotations

import importlib
import os

import pytest

from harness import PEER, PEER_MAC
from harness.fixtures import _pcap_name

pytestmark = [pytest.mark.root]

# (module, test, params)
LINUX_CASES = [
    ("test_ethernet", "test_frame_to_our_mac_is_processed", {}),
    ("test_ethernet", "test_foreign_unicast_mac_dropped", {}),
    ("test_ethernet", "test_unknown_ethertype_dropped", {"ethertype": 0x88B5}),
    ("test_ethernet", "test_8023_length_field_dropped", {}),
    ("test_ethernet", "test_vlan_tagged_dropped", {}),
    ("test_ethernet", "test_padded_echo_reply_has_no_padding", {}),
    ("test_ethernet", "test_padded_arp_request_answered", {}),
    ("test_arp", "test_who_has_us_gets_unicast_reply", {}),
    ("test_arp", "test_unicast_who_has_us_answered", {}),
    ("test_arp", "test_who_has_reply_targets_sender_hw_address", {}),
    ("test_arp", "test_who_has_other_ip_not_answered", {}),
    ("test_arp", "test_who_has_other_ip_refreshes_known_sender", {}),
    ("test_arp", "test_who_has_other_ip_does_not_add_unknown_sender", {}),
    ("test_arp", "test_who_has_us_adds_sender_to_cache", {}),
    ("test_arp", "test_echo_after_who_has_needs_no_arp", {}),
    ("test_arp", "test_is_at_for_us_from_unknown_sender_answered_nothing", {}),
    ("test_arp", "test_who_has_from_broadcast_or_multicast_sender_not_cached", {"spa": "255.255.255.255"}),
    ("test_arp", "test_who_has_from_broadcast_or_multicast_sender_not_cached", {"spa": "224.0.0.1"}),
    ("test_arp", "test_who_has_from_broadcast_or_multicast_sender_not_cached", {"spa": "192.0.2.255"}),
    ("test_arp", "test_unsupported_arp_ignored", {"variant": "hrd32"}),
    ("test_arp", "test_unsupported_arp_ignored", {"variant": "pro_ipv6"}),
    ("test_arp", "test_unsupported_arp_ignored", {"variant": "hln8"}),
    ("test_arp", "test_unsupported_arp_ignored", {"variant": "pln16"}),
    ("test_arp", "test_truncated_arp_ignored", {"n": 20}),
    ("test_arp", "test_echo_reply_to_unknown_offlink_sender_goes_via_gateway", {}),
    ("test_arp", "test_changed_mac_learned_from_request", {}),
    ("test_arp", "test_gratuitous_from_known_neighbour_updates", {"op": 1}),
    ("test_arp", "test_gratuitous_from_known_neighbour_updates", {"op": 2}),
    ("test_arp", "test_gratuitous_from_unknown_creates_no_entry", {"op": 1}),
    ("test_arp", "test_gratuitous_from_unknown_creates_no_entry", {"op": 2}),
    ("test_arp", "test_probe_for_our_address_is_answered", {}),
    ("test_arp", "test_probe_for_other_address_ignored", {}),
    ("test_ipv4", "test_version_not_4_dropped", {"version": 6}),
    ("test_ipv4", "test_version_4_control", {}),
    ("test_ipv4", "test_bad_header_checksum_dropped", {"delta": 1}),
    ("test_ipv4", "test_zero_header_checksum_dropped", {}),
    ("test_ipv4", "test_ihl_below_5_dropped", {"ihl": 4}),
    ("test_ipv4", "test_ihl_beyond_total_length_dropped", {}),
    ("test_ipv4", "test_total_length_beyond_received_dropped", {"extra": 100}),
    ("test_ipv4", "test_total_length_beyond_received_in_padded_frame", {}),
    ("test_ipv4", "test_ip_header_truncated_dropped", {"n": 10}),
    ("test_ipv4", "test_not_our_destination_dropped", {"dst": "192.0.2.7"}),
    ("test_ipv4", "test_not_our_destination_dropped", {"dst": "198.51.100.9"}),
    ("test_ipv4", "test_invalid_source_dropped", {"src": "255.255.255.255"}),
    ("test_ipv4", "test_invalid_source_dropped", {"src": "192.0.2.255"}),   # needs rp_filter=1 on Linux
    ("test_ipv4", "test_invalid_source_dropped", {"src": "224.0.0.5"}),
    ("test_ipv4", "test_invalid_source_dropped", {"src": "127.0.0.1"}),
    ("test_ipv4", "test_invalid_source_dropped", {"src": "0.0.0.0"}),
    ("test_ipv4", "test_own_or_subnet_zero_source_dropped", {"src": "192.0.2.2"}),
    ("test_ipv4", "test_unicast_ip_in_link_broadcast_dropped", {"mac": "ff:ff:ff:ff:ff:ff"}),
    ("test_ipv4", "test_unicast_ip_in_link_broadcast_dropped", {"mac": "01:00:5e:00:00:01"}),
    ("test_ipv4", "test_low_ttl_delivered_locally", {"ttl": 0}),
    ("test_ipv4", "test_low_ttl_delivered_locally", {"ttl": 1}),
    ("test_ipv4", "test_unknown_or_harmless_options_ignored", {"opts": b"\x01\x01\x01\x00"}),
    ("test_ipv4", "test_unknown_or_harmless_options_ignored", {"opts": b"\x94\x04\x00\x00"}),
    ("test_ipv4", "test_source_route_dropped", {"kind": "lsrr"}),
    ("test_ipv4", "test_source_route_dropped", {"kind": "ssrr"}),
    ("test_icmp", "test_echo_reply_mirrors_request", {"data": b"odd-length"}),
    ("test_icmp", "test_echo_reply_mirrors_request", {"data": b""}),
    ("test_icmp", "test_echo_from_offlink_answered_via_gateway", {}),
    ("test_icmp", "test_echo_1472_bytes", {}),
    ("test_icmp", "test_echo_4000_bytes_fragmented", {}),
    ("test_icmp", "test_echo_bad_checksum_dropped", {"delta": 1}),
    ("test_icmp", "test_unknown_icmp_type_dropped", {"itype": 99}),
    ("test_icmp", "test_unsolicited_echo_reply_not_answered", {}),
    ("test_icmp", "test_truncated_icmp_dropped", {"n": 3}),
    ("test_icmp", "test_unknown_protocol_unreachable", {"proto": 253}),
    ("test_icmp", "test_broadcast_echo_ignored_by_default", {"dst": "255.255.255.255", "mac": "ff:ff:ff:ff:ff:ff"}),
    ("test_icmp", "test_broadcast_echo_ignored_by_default", {"dst": "192.0.2.255", "mac": "ff:ff:ff:ff:ff:ff"}),
    ("test_icmp", "test_broadcast_echo_ignored_by_default", {"dst": "224.0.0.1", "mac": "01:00:5e:00:00:01"}),
    ("test_icmp", "test_no_error_about_icmp_error", {"itype": 3, "code": 3}),
    ("test_icmp", "test_no_error_about_error_with_unknown_quoted_protocol", {}),
    ("test_icmp", "test_no_protocol_unreachable_for_broadcast", {}),
    ("test_icmp", "test_no_error_for_link_broadcast", {}),
    ("test_icmp", "test_no_error_for_invalid_source", {"src": "0.0.0.0"}),
    ("test_icmp", "test_no_error_for_invalid_source", {"src": "224.0.0.5"}),
    # socket-level tests (KernelStack: real Linux UDP sockets in the namespace)
    ("test_ethernet", "test_foreign_unicast_mac_udp_not_delivered", {}),
    ("test_ethernet", "test_padded_udp_delivers_exact_payload", {}),
    ("test_ipv4", "test_invalid_source_udp_not_delivered", {}),
    ("test_ipv4", "test_broadcast_udp_accepted", {"dst": "255.255.255.255"}),
    ("test_ipv4", "test_broadcast_udp_accepted", {"dst": "192.0.2.255"}),
    ("test_ipv4", "test_all_hosts_multicast_accepted", {}),
    ("test_ipv4", "test_unicast_udp_in_link_broadcast_not_delivered", {}),
    ("test_ipv4", "test_low_ttl_udp_delivered", {}),
    ("test_ipv4", "test_source_route_udp_not_delivered", {}),
    ("test_ipv4", "test_fragments_any_order_delivered_once", {"order": "in-order"}),
    ("test_ipv4", "test_fragments_any_order_delivered_once", {"order": "reversed"}),
    ("test_ipv4", "test_fragments_any_order_delivered_once", {"order": "shuffled"}),
    ("test_ipv4", "test_duplicate_fragments_delivered_once", {}),
    ("test_ipv4", "test_fragment_after_completion_does_not_redeliver", {}),
    ("test_ipv4", "test_two_interleaved_datagrams", {}),
    ("test_ipv4", "test_small_fragments", {}),
    ("test_ipv4", "test_overlapping_fragments_drop_datagram", {}),
    ("test_ipv4", "test_large_udp_fragmented_correctly", {"size": 3000}),
    ("test_ipv4", "test_mtu_sized_not_fragmented", {}),
    ("test_ipv4", "test_ip_id_unique_across_fragmented_datagrams", {}),
    ("test_ipv4", "test_our_datagrams_have_valid_headers", {}),
    ("test_icmp", "test_closed_port_after_close", {}),
    ("test_icmp", "test_dest_unreachable_delivered_to_udp_socket", {"code": 3}),
    ("test_icmp", "test_dest_unreachable_delivered_to_udp_socket", {"code": 1}),
    ("test_icmp", "test_frag_needed_delivered_with_mtu", {}),
    ("test_icmp", "test_error_for_unconnected_socket_that_sent", {}),
    ("test_icmp", "test_error_not_matching_connected_socket_ignored", {"variant": "quoted-src-not-us"}),
    ("test_icmp", "test_error_not_matching_connected_socket_ignored", {"variant": "quoted-dst-not-peer"}),
    ("test_icmp", "test_error_not_matching_connected_socket_ignored", {"variant": "quoted-dport-wrong"}),
    ("test_udp", "test_datagram_delivered_with_source", {"data": b"hello world"}),
    ("test_udp", "test_zero_length_datagram_delivered_empty", {}),
    ("test_udp", "test_offlink_source_preserved", {}),
    ("test_udp", "test_demux_by_port_and_order", {}),
    ("test_udp", "test_connected_socket_filters_sources", {}),
    ("test_udp", "test_our_datagram_fields", {}),
    ("test_udp", "test_zero_checksum_accepted", {}),
    ("test_udp", "test_ffff_checksum_for_zero_sum_accepted", {}),
    ("test_udp", "test_wrong_checksum_dropped", {"xor": 1}),
    ("test_udp", "test_corrupted_payload_dropped", {}),
    ("test_udp", "test_wrong_checksum_to_closed_port_no_icmp", {}),
    ("test_udp", "test_tx_zero_checksum_sent_as_ffff", {}),
    ("test_udp", "test_length_below_8_dropped", {"length": 7}),
    ("test_udp", "test_length_beyond_ip_payload_dropped", {"extra": 100}),
    ("test_udp", "test_length_below_ip_payload_extra_ignored", {"chk": "zero"}),
    ("test_udp", "test_length_below_ip_payload_extra_ignored", {"chk": "real"}),
    ("test_udp", "test_broadcast_or_multicast_source_dropped", {"src": "255.255.255.255"}),
    ("test_udp", "test_broadcast_or_multicast_source_dropped", {"src": "224.0.0.9"}),
    ("test_udp", "test_wildcard_server_replies_from_request_destination", {}),
    ("test_udp", "test_sendmsg_foreign_source_refused", {}),
]

# Conformance tests that Linux is NOT asked to confirm, and why (reviewed list).
EXCLUDED = {
    "test_ethernet.test_runt_frame_dropped": "the TAP driver refuses writes shorter than 14 bytes (EINVAL)",
    "test_ethernet.test_own_source_mac_dropped": "seqs choice; Linux accepts frames with its own source MAC",
    "test_arp.test_unsupported_arp_ignored[op_rarp3]": "Linux ignores op 3 too, but the test needs seqs counters",
    "test_ipv4.test_bad_option_length_dropped": "seqs drops silently; Linux sends Parameter Problem (both allowed by I9)",
    "test_ipv4.test_unknown_or_harmless_options_ignored[unknown158/unknown30]":
        "Linux sends Parameter Problem for unknown options in non-root contexts; seqs ignores (RFC 1122 3.2.1.8)",
    "test_ipv4.test_overlap_rewriting_udp_header_dropped":
        "Linux treats a fragment with exactly the range of an earlier one as a duplicate and keeps the "
        "first (the rewritten header is not used either); seqs drops the datagram as I12 asks",
    "test_ipv4.test_reply_to_broadcast_request_uses_unicast_source / test_ephemeral_port_on_unbound_send":
        "seqs choices: sendmsg() maps a broadcast source to our address; ephemeral ports 49152-65535 "
        "(Linux: EINVAL, 32768-60999)",
    "test_ipv4.test_tiny_first_fragment_dropped": "seqs applies RFC 1858 tiny-fragment filtering; Linux reassembles",
    "test_icmp.test_unknown_icmp_type_dropped[13]": "Linux answers timestamp requests; seqs does not implement them",
    "test_icmp.test_errors_rate_limited": "Linux's limits differ (and are disabled here for determinism)",
    "*timers*": "A5-A7/A10/A11/I13 timer tests need virtual time (Linux runs in real time)",
    "*counters*": "tests whose point is a seqs counter (Linux's have other names)",
}


def _fn(module, name):
    mod = importlib.import_module(module)
    fn = getattr(mod, name, None)
    assert fn is not None, f"{module}.{name} is gone from the conformance suite: update LINUX_CASES"
    return fn


@pytest.fixture
def kernel_wire_factory(request):
    from harness import kernelwire
    why = kernelwire.available()
    if why:
        pytest.skip(why)
    wires = []

    def make():
        w = kernelwire.KernelWire(pcap_path=_pcap_name(request.node, len(wires)))
        wires.append(w)
        return w

    yield make
    rep = getattr(request.node, "rep_call", None)
    for w in wires:
        w.close(keep_pcap=rep is None or not rep.passed)


def _case_id(c):
    module, name, params = c
    p = ",".join(f"{k}={v!r}" if not isinstance(v, bytes) else f"{k}={v.hex()}" for k, v in params.items())
    return f"{module[5:]}.{name[5:]}" + (f"[{p}]" if p else "")


def _rows(module, name):
    fn = getattr(importlib.import_module(module), name, None)
    return [m.args[0] for m in getattr(fn, "pytestmark", []) if m.name == "conformance"]


@pytest.mark.parametrize("module,name,params", [
    pytest.param(*c, id=_case_id(c), marks=[pytest.mark.conformance_oracle(*_rows(c[0], c[1]))]) for c in LINUX_CASES])
def test_linux_agrees(kernel_wire_factory, module, name, params):
    """Linux passes the same conformance test (so the test's expectation is right)."""
    import inspect
    fn = _fn(module, name)
    args = dict(params)
    wanted = inspect.signature(fn).parameters
    w = kernel_wire_factory()
    if "ipwire" in wanted:
        w.resolve_peer(PEER, PEER_MAC)
        args["ipwire"] = w
    if "wire" in wanted:
        args["wire"] = w
    fn(**args)
