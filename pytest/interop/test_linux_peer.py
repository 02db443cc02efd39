# SPDX-License-Identifier: BSD-3-Clause
"""Linux's own ICMP and UDP against seqs over a TAP device: every request gets
its answer, fragmented datagrams survive both ways, and Linux finds nothing
malformed in what seqs sends (nstat checksum/header error counters stay 0)."""
import json

import pytest

from interop_peer import SEQS_IP

pytestmark = [pytest.mark.root]

# Linux's counters that count malformed input (from seqs: the only sender here).
ERROR_COUNTERS = ("IpInHdrErrors", "IpInAddrErrors", "IpInUnknownProtos", "IpReasmFails",
                  "IcmpInErrors", "IcmpInCsumErrors", "UdpInErrors", "UdpInCsumErrors",
                  "TcpInErrs", "TcpInCsumErrors", "IcmpInDestUnreachs")


def assert_linux_saw_no_errors(peer):
    n = peer.nstat()
    bad = {k: n[k] for k in ERROR_COUNTERS if n.get(k)}
    assert not bad, f"Linux counted malformed input from seqs: {bad}"
    return n


def report(name, **numbers):
    print(f"\nINTEROP {name}: " + json.dumps(numbers))


def test_linux_ping_1000_fast_all_answered(make_peer):
    peer = make_peer()
    r = peer.ping(1000, interval=0.002, wait=1, timeout=60)
    report("ping-1000", received=r["received"], rtt_min_ms=r.get("rtt_min"),
           rtt_avg_ms=r.get("rtt_avg"), rtt_max_ms=r.get("rtt_max"))
    assert r["transmitted"] == 1000
    assert r["received"] == 1000, r["output"]
    n = assert_linux_saw_no_errors(peer)
    assert n["IcmpInEchoReps"] == 1000
    c = peer.proc.stop()["counters"]
    assert c["icmp_tx_echo_reply"] == 1000
    assert c["ip_drop_checksum"] == 0 and c["icmp_drop_checksum"] == 0


def test_linux_ping_4000_bytes_fragmented_both_ways(make_peer):
    peer = make_peer()
    r = peer.ping(5, interval=0.1, size=4000, wait=2)
    report("ping-4000", received=r["received"], rtt_avg_ms=r.get("rtt_avg"))
    assert r["received"] == 5, r["output"]
    n = assert_linux_saw_no_errors(peer)
    assert n["IpReasmOKs"] >= 5          # Linux reassembled seqs's fragmented replies
    c = peer.proc.stop()["counters"]
    assert c["ip_reasm_ok"] == 5         # seqs reassembled Linux's fragmented requests
    assert c["ip_frag_tx"] >= 15         # 4028-byte replies at MTU 1500: 3 fragments each


@pytest.mark.parametrize("size", [1, 100, 1472, 4000])
def test_udp_echo_round_trips_through_socat(make_peer, size):
    peer = make_peer(["--udp-echo", "7"])
    payload = bytes((i * 7 + 3) % 256 for i in range(size))
    r = peer.ns.run(["socat", "-t", "0.5", "-T", "3", "-b", "65536", "-", f"UDP:{SEQS_IP}:7"],
                    input=payload, timeout=20, text=False)
    got = r.stdout
    assert got == payload, f"sent {size} bytes, got {len(got)}"
    assert_linux_saw_no_errors(peer)
    final = peer.proc.stop()
    svc = final["services"][0]
    assert (svc["service"], svc["rx"], svc["tx"]) == ("udp-echo", 1, 1)
    assert final["counters"]["udp_rx"] == 1 and final["counters"]["udp_drop_checksum"] == 0


def test_udp_to_closed_port_gets_port_unreachable_in_linux(make_peer):
    """socat's connected UDP socket reports ECONNREFUSED after seqs's ICMP port unreachable."""
    peer = make_peer(["--udp-echo", "7"])
    r = peer.ns.run(["socat", "-t", "1", "-T", "2", "-", f"UDP:{SEQS_IP}:9"], input="x\n", check=False,
                    timeout=20)
    assert "Connection refused" in r.stderr, r.stderr
    n = peer.nstat()
    assert n["IcmpInDestUnreachs"] == 1 and n["IcmpInCsumErrors"] == 0 and n["IcmpInErrors"] == 0
    c = peer.proc.stop()["counters"]
    assert c["udp_drop_no_socket"] == 1 and c["icmp_tx_error"] == 1
