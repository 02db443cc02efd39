# SPDX-License-Identifier: BSD-3-Clause
"""seqs-tap's own link impairment (--loss, seeded) and its pcap output, checked
with Linux ping and two independent pcap readers (scapy, tshark)."""
import json
import shutil
import subprocess

import pytest

from interop_peer import ARTIFACTS, LINUX_IP, SEQS_IP, SEQS_MAC

pytestmark = [pytest.mark.root]


def warm_up(peer):
    """Both ARP caches filled before measuring, so --loss hits only the echo
    traffic: a static neighbour on the Linux side, and pings until one is
    answered (seqs learns Linux's MAC while answering)."""
    peer.ns.run(["ip", "neigh", "replace", SEQS_IP, "lladdr", SEQS_MAC, "dev", peer.tap, "nud", "permanent"])
    for _ in range(20):
        if peer.ping(1, wait=0.5)["received"] == 1:
            return
    pytest.fail("no ping answered during warm-up")


def test_loss_10_percent_each_way_leaves_about_81_percent_of_pings(make_peer):
    p = 0.1
    peer = make_peer(["--loss", str(p), "--seed", "7"])
    warm_up(peer)
    before = peer.proc.snapshot()["tool"]
    n = 400
    r = peer.ping(n, interval=0.005, wait=1, timeout=60)
    rate = r["received"] / r["transmitted"]
    expected = (1 - p) ** 2   # request and reply must both survive
    after = peer.proc.stop()["tool"]
    drops = (after["loss_drop_rx"] - before["loss_drop_rx"]) + (after["loss_drop_tx"] - before["loss_drop_tx"])
    frames = (after["tap_rx"] - before["tap_rx"]) + (after["tap_tx"] - before["tap_tx"]) + \
        (after["loss_drop_tx"] - before["loss_drop_tx"])
    print("\nINTEROP loss-0.1: " + json.dumps({"pings": n, "received": r["received"], "rate": round(rate, 3),
                                               "expected": round(expected, 3), "frame_drop_rate":
                                               round(drops / frames, 3), "rtt_avg_ms": r.get("rtt_avg")}))
    assert r["transmitted"] == n
    assert 0.70 <= rate <= 0.90, f"{r['received']}/{n} answered, expected about {expected:.2f}"
    assert 0.06 <= drops / frames <= 0.14


def test_no_loss_option_drops_nothing(make_peer):
    peer = make_peer(["--loss", "0"])
    r = peer.ping(50, interval=0.005, wait=1)
    tool = peer.proc.stop()["tool"]
    assert r["received"] == 50
    assert tool["loss_drop_rx"] == 0 and tool["loss_drop_tx"] == 0


def test_pcap_records_both_directions_and_opens_in_scapy_and_tshark(make_peer, tmp_path):
    from scapy.utils import rdpcap
    from scapy.layers.inet import ICMP, IP
    from scapy.layers.l2 import ARP

    pcap = tmp_path / "seqs-tap.pcap"
    peer = make_peer(["--pcap", str(pcap), "--udp-echo", "7"])
    r = peer.ping(20, interval=0.01, wait=1)
    assert r["received"] == 20
    final = peer.proc.stop()
    pkts = rdpcap(str(pcap))
    assert len(pkts) == final["tool"]["pcap_frames"] > 0
    requests = [p for p in pkts if ICMP in p and p[ICMP].type == 8 and p[IP].src == LINUX_IP]
    replies = [p for p in pkts if ICMP in p and p[ICMP].type == 0 and p[IP].src == SEQS_IP]
    assert len(requests) == 20 and len(replies) == 20
    assert any(ARP in p and p[ARP].psrc == SEQS_IP for p in pkts)   # our ARP traffic too
    assert all(a.time <= b.time for a, b in zip(pkts, pkts[1:]))
    if not shutil.which("tshark"):
        pytest.skip("tshark not installed")
    out = subprocess.run(["tshark", "-r", str(pcap), "-o", "ip.check_checksum:TRUE",
                          "-o", "udp.check_checksum:TRUE",
                          "-T", "fields", "-E", "separator=/t", "-e", "frame.number", "-e", "icmp.type",
                          "-e", "ip.checksum.status", "-e", "icmp.checksum.status", "-e", "_ws.malformed"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    rows = [line.split("\t") for line in out.stdout.splitlines()]
    assert len(rows) == len(pkts)
    assert sum(1 for row in rows if row[1] == "0") == 20     # tshark sees the 20 echo replies
    GOOD = "1"   # tshark checksum status: 0 bad, 1 good, 2 unverified
    ip_rows = [row for row in rows if row[2]]
    assert ip_rows and all(row[2] == GOOD for row in ip_rows), ip_rows
    assert all(row[3] == GOOD for row in rows if row[3]), rows
    assert not [row for row in rows if len(row) > 4 and row[4]], "tshark found malformed frames"
