# SPDX-License-Identifier: BSD-3-Clause
"""The pytest plugin seqs.testing.plugin as this repository loads it (pytest/conftest.py);
tools/check-install.sh runs it from an installed package in a folder of its own."""
import os

import pytest
from scapy.layers.l2 import ARP

import seqs
from seqs.testing import US
from seqs.testing import plugin


def test_stack_fixture_is_the_stack_under_wire(wire, stack):
    assert wire.stack is stack and isinstance(stack, seqs.Stack)
    assert stack.addr == ("192.0.2.2", 24, "192.0.2.1") and stack.addr_state == "bound"


@pytest.mark.seqs_stack(mtu=576, max_udp_sockets=2)
def test_seqs_stack_marker_configures_the_wire_stack(wire):
    assert wire.stack.config["mtu"] == 576 and wire.stack.config["max_udp_sockets"] == 2


def test_settle_runs_through_the_two_announcements(make_wire):
    """RFC 5227 2.3: two announcements 2 s apart; settle() stops when no timer is left."""
    w = make_wire(settle_s=0)
    t0 = w.now_us
    frames = w.settle()
    ann = [f for f in frames if ARP in f and f[ARP].psrc == f[ARP].pdst == US]
    assert [round(f.time - t0 / 1e6, 3) for f in ann] == [0.0, 2.0]
    assert w.addr_state == "bound" and w.stack.next_deadline() is None
    assert w.settle() == []


def test_settle_with_probe_covers_probes_and_announcements(make_wire):
    """RFC 5227 2.1.1: three probes (sender 0.0.0.0), then the two announcements."""
    w = make_wire(settle_s=0, probe=True)
    frames = w.settle()
    probes = [f for f in frames if ARP in f and f[ARP].psrc == "0.0.0.0" and f[ARP].pdst == US]
    ann = [f for f in frames if ARP in f and f[ARP].psrc == f[ARP].pdst == US]
    assert len(probes) == 3 and len(ann) == 2
    assert w.addr_state == "bound"


def test_pcap_goes_to_the_artifacts_dir(request, wire):
    """Here --seqs-artifacts defaults to pytest/artifacts (pytest/conftest.py); a user's run
    gets a temporary directory instead (tools/check-install.sh checks that case)."""
    path = plugin.pcap_path(request.node)
    assert os.path.dirname(path) == str(plugin.artifacts_dir(request.config))
    assert wire.pcap_path == path and os.path.exists(path)
