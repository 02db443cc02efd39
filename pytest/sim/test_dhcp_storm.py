# SPDX-License-Identifier: BSD-3-Clause
"""ns-3: the DHCP storm (row S12): one seqs DHCP server, 200 seqs DHCP clients on one
switch with 5 % loss per link direction (scenarios/dhcp-storm.toml). Every client ends
bound to a distinct pool address within the stated simulated time; scapy reads the
server's own pcap and finds every ACK well formed and no address ACKed to two clients;
the same seed gives byte-identical pcaps."""
from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("SEQS_BUILD_DIR", REPO / "build"))
SIM = BUILD_DIR / "sim" / "seqs-sim"
SCENARIO = REPO / "scenarios" / "dhcp-storm.toml"

pytestmark = pytest.mark.skipif(not SIM.exists(), reason=f"seqs-sim not built ({SIM}); build with SEQS_BUILD_SIM=ON")


def run(tmp: Path, tag: str, seed: int | None = None):
    out, pcaps = tmp / f"{tag}.json", tmp / f"{tag}-pcap"
    pcaps.mkdir()
    cmd = [str(SIM), str(SCENARIO), "--out", str(out), "--pcap-dir", str(pcaps), "--quiet"]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert p.returncode in (0, 1), p.stderr
    return p.returncode, json.loads(out.read_text()), pcaps


def digest(d: Path) -> dict:
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(d.glob("*.pcap"))}


@pytest.mark.conformance("S12")
def test_dhcp_storm_200_clients_all_bound_distinct_and_deterministic(tmp_path):
    """RFC 2131 4.3.1 / 4.1 at scale: 200 clients, 5 % loss per link direction: all bound,
    distinct addresses, the server agrees; same seed -> identical pcaps."""
    from scapy.layers.dhcp import BOOTP, DHCP
    from scapy.layers.l2 import Ether
    from scapy.utils import PcapReader

    with open(SCENARIO, "rb") as f:
        sc = tomllib.load(f)
    n = next(nd["count"] for nd in sc["node"] if nd.get("count"))
    stated_s = float(sc["duration"].rstrip("s"))
    rc, summary, pcaps = run(tmp_path, "a")
    bad = [e for e in summary["expectations"] if not e["ok"]]
    assert rc == 0 and not bad, bad
    m = summary["metrics"]
    assert m["dhcp.bound"] == n and m["dhcps.bound"] == n and m["dhcp.duplicates"] == 0
    assert 0.045 <= m["link.loss_ratio"] <= 0.055   # the loss really happened
    assert m["dhcp.retransmits"] > 0                 # ... and the clients had to recover from it
    assert m["dhcp.last_bound_s"] <= stated_s
    clients = {name: nd for name, nd in summary["nodes"].items() if name != "srv"}
    addrs = [nd["apps"][0]["addr"] for nd in clients.values()]
    assert len(set(addrs)) == n
    first, last = (ipaddress.ip_address(a) for a in sc["app"][0]["pool"].split("-"))
    assert all(first <= ipaddress.ip_address(a) <= last for a in addrs)

    # The oracle is scapy on the server's own pcap: every reply it sent is a well-formed
    # BOOTREPLY, and the last ACK per client hardware address names a distinct address.
    srv_mac = summary["nodes"]["srv"]["mac"]
    last_ack = {}
    replies = 0
    with PcapReader(str(pcaps / "srv.pcap")) as rd:
        for pkt in rd:
            if pkt[Ether].src != srv_mac or not pkt.haslayer(BOOTP):
                continue
            replies += 1
            b = pkt[BOOTP]
            assert b.op == 2 and b.htype == 1 and b.hlen == 6
            opts = {o[0]: o[1] for o in pkt[DHCP].options if isinstance(o, tuple)}
            assert opts["server_id"] == "192.0.2.1"
            if opts["message-type"] == 5:
                assert opts["lease_time"] == 3600 and opts["subnet_mask"] == "255.255.255.0"
                last_ack[bytes(b.chaddr[:6])] = b.yiaddr
    assert replies == m["dhcps.offers"] + m["dhcps.acks"] + m["dhcps.naks"]
    assert len(last_ack) == n and len(set(last_ack.values())) == n
    assert sorted(last_ack.values()) == sorted(addrs)

    # Determinism: the same seed again gives byte-identical pcaps.
    rc2, summary2, pcaps2 = run(tmp_path, "b")
    assert rc2 == 0 and digest(pcaps) == digest(pcaps2)
    print("\nSIM dhcp-storm: " + json.dumps({"clients": n, "last_bound_s": m["dhcp.last_bound_s"],
          "retransmits": m["dhcp.retransmits"], "wall_s": round(summary["wall_s"], 2),
          "frames_delivered": m["link.delivered"]}))
