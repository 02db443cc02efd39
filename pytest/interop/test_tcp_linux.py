# SPDX-License-Identifier: BSD-3-Clause
"""Linux's TCP against seqs's TCP over a TAP device, through seqs-tap's TCP
services (--tcp-echo, --tcp-discard, --tcp-source). The Linux side is a plain
kernel socket created inside the peer's namespace; Linux's nstat counters
(TcpInErrs, TcpInCsumErrors, ...) judge what seqs sends."""
import json
import socket
import threading
import time

import pytest

from harness.tapwire import in_netns
from interop_peer import SEQS_IP

pytestmark = [pytest.mark.root]

ECHO, DISCARD, SOURCE = 7, 9, 19
SERVICES = ["--tcp-echo", str(ECHO), "--tcp-discard", str(DISCARD), "--tcp-source", str(SOURCE)]


def connect(peer, port, timeout=20.0) -> socket.socket:
    with in_netns(peer.ns.name):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((SEQS_IP, port))
    return s


def pattern(n: int, off: int = 0) -> bytes:
    return bytes((off + i) % 251 for i in range(n))


def recv_exactly(s, n) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(min(1 << 16, n - len(buf)))
        if not chunk:
            break
        buf += chunk
    return bytes(buf)


def tcp_errors(peer) -> dict:
    n = peer.nstat()
    return {k: n[k] for k in ("TcpInErrs", "TcpInCsumErrors", "TcpExtTCPAbortOnData", "IpInHdrErrors") if n.get(k)}


def service(final, name):
    return next(s for s in final["services"] if s["service"] == name)


def report(name, **numbers):
    print(f"\nINTEROP {name}: " + json.dumps(numbers))


def echo_through(s: socket.socket, data: bytes, join_timeout: float = 30) -> bytes:
    """Sends data and half-closes from a thread while reading the echo to EOF;
    closes s and returns what came back."""
    got = bytearray()
    sender = threading.Thread(target=lambda: (s.sendall(data), s.shutdown(socket.SHUT_WR)))
    sender.start()
    while True:
        chunk = s.recv(1 << 16)
        if not chunk:
            break
        got += chunk
    sender.join(timeout=join_timeout)
    s.close()
    return bytes(got)


def test_tcp_echo_returns_1mb_intact(make_peer):
    peer = make_peer(SERVICES)
    data = bytes((i * 131 + 7) % 256 for i in range(1 << 20))
    s = connect(peer, ECHO)
    got = bytearray()

    def reader():
        while True:
            chunk = s.recv(1 << 16)
            if not chunk:
                return
            got.extend(chunk)

    t = threading.Thread(target=reader)
    t.start()
    t0 = time.monotonic()
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    t.join(timeout=30)
    took = time.monotonic() - t0
    s.close()
    assert not t.is_alive()
    assert bytes(got) == data, f"echoed {len(got)} of {len(data)} bytes"
    report("tcp-echo-1MB", seconds=round(took, 3), mbit_s=round(8 * len(data) / took / 1e6, 1))
    assert not tcp_errors(peer)
    final = peer.proc.stop()
    e = service(final, "tcp-echo")
    assert (e["accepted"], e["bytes_in"], e["bytes_out"], e["errors"]) == (1, len(data), len(data), 0)
    assert final["counters"]["tcp_drop_checksum"] == 0


def test_tcp_discard_takes_8mb_and_closes_cleanly(make_peer):
    peer = make_peer(SERVICES)
    n = 8 << 20
    s = connect(peer, DISCARD)
    block = pattern(1 << 16)
    t0 = time.monotonic()
    for _ in range(n // len(block)):
        s.sendall(block)
    s.shutdown(socket.SHUT_WR)
    assert s.recv(1) == b""            # seqs answers our FIN with its own
    took = time.monotonic() - t0
    s.close()
    report("tcp-discard-8MB", seconds=round(took, 3), mbit_s=round(8 * n / took / 1e6, 1))
    assert not tcp_errors(peer)
    d = service(peer.proc.stop(), "tcp-discard")
    assert d["bytes_in"] == n and d["closed"] == 1 and d["errors"] == 0


def test_tcp_source_sends_8mb_in_order(make_peer):
    peer = make_peer(SERVICES)
    n = 8 << 20
    s = connect(peer, SOURCE)
    t0 = time.monotonic()
    got = recv_exactly(s, n)
    took = time.monotonic() - t0
    s.close()
    assert len(got) == n
    assert got == pattern(n), "stream out of order or corrupted"
    report("tcp-source-8MB", seconds=round(took, 3), mbit_s=round(8 * n / took / 1e6, 1))
    assert not tcp_errors(peer)


def test_tcp_four_concurrent_echo_connections(make_peer):
    peer = make_peer(SERVICES)
    results = {}

    def client(i):
        data = bytes([i]) * 50_000 + pattern(50_000, i)
        results[i] = echo_through(connect(peer, ECHO), data) == data

    threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results == {0: True, 1: True, 2: True, 3: True}
    e = service(peer.proc.stop(), "tcp-echo")
    assert e["accepted"] == 4 and e["bytes_in"] == 4 * 100_000


def test_tcp_connect_to_closed_port_is_refused(make_peer):
    peer = make_peer(SERVICES)
    with pytest.raises(ConnectionRefusedError):
        connect(peer, 4242, timeout=5)
    c = peer.proc.stop()["counters"]
    assert c["tcp_tx_rst"] >= 1


def test_tcp_echo_survives_5_percent_loss(make_peer):
    """Seeded 5 % loss each way: both retransmission machineries (seqs's and
    Linux's) must work for the 200 kB to come back intact."""
    peer = make_peer(SERVICES + ["--loss", "0.05", "--seed", "11"])
    data = pattern(200_000, 17)
    s = connect(peer, ECHO, timeout=60)
    t0 = time.monotonic()
    got = echo_through(s, data, join_timeout=60)
    took = time.monotonic() - t0
    assert bytes(got) == data
    n = peer.nstat()
    final = peer.proc.stop()
    report("tcp-echo-200kB-loss5%", seconds=round(took, 2), seqs_retransmits=final["counters"]["tcp_tx_retransmit"],
           linux_retransmits=n.get("TcpRetransSegs"))
    assert final["counters"]["tcp_tx_retransmit"] > 0
    assert final["tool"]["loss_drop_tx"] > 0 and final["tool"]["loss_drop_rx"] > 0
    assert not tcp_errors(peer)


def test_tcp_source_under_2_percent_loss_recovers_with_fast_retransmit(make_peer):
    """seqs as the sender through seeded 2 % loss each way: the 2 MB stream
    arrives intact and in order, and most losses are repaired by fast
    retransmit (duplicate ACKs / SACK from Linux), not by RTO expiry."""
    peer = make_peer(SERVICES + ["--loss", "0.02", "--seed", "5"])
    n = 2 << 20
    s = connect(peer, SOURCE, timeout=60)
    t0 = time.monotonic()
    got = recv_exactly(s, n)
    took = time.monotonic() - t0
    s.close()
    assert got == pattern(n)
    time.sleep(0.2)   # let seqs see the close
    src = service(peer.proc.stop(), "tcp-source")
    report("tcp-source-2MB-loss2%", seconds=round(took, 2), mbit_s=round(8 * n / took / 1e6, 1),
           retransmits=src["retransmits"], fast_retransmits=src["fast_retransmits"],
           rto_expirations=src["rto_expirations"])
    assert src["retransmits"] > 0
    assert src["fast_retransmits"] > src["rto_expirations"], src


def test_tcp_over_576_mtu_segments_fit_without_fragmentation(make_peer, tmp_path):
    """MSS from the MTU (RFC 9293 3.7.1): with both ends at MTU 576, seqs
    advertises MSS 536 and never sends an IP datagram over 576 bytes, and
    neither side needs IP fragmentation for a 100 kB echo."""
    from scapy.utils import rdpcap
    from scapy.layers.inet import IP, TCP as STCP
    pcap = tmp_path / "mtu576.pcap"
    peer = make_peer(SERVICES + ["--mtu", "576", "--pcap", str(pcap)])
    data = pattern(100_000, 3)
    assert echo_through(connect(peer, ECHO), data) == data
    final = peer.proc.stop()
    assert final["counters"]["ip_frag_tx"] == 0 and final["counters"]["ip_reasm_ok"] == 0
    pkts = [p for p in rdpcap(str(pcap)) if STCP in p]
    ours = [p for p in pkts if p[IP].src == SEQS_IP]
    synack = next(p for p in ours if p[STCP].flags.S)
    assert dict((k, v) for k, v in synack[STCP].options if k == "MSS") == {"MSS": 536}
    assert max(p[IP].len for p in ours) <= 576
    assert max(p[IP].len for p in pkts) <= 576      # Linux honoured our MSS too
    ts = any(k == "Timestamp" for k, _ in synack[STCP].options)
    assert max(len(p[STCP].payload) for p in ours) == 536 - (12 if ts else 0)   # full-sized segments
