# SPDX-License-Identifier: BSD-3-Clause
"""seqs-tap under pressure from Linux: a windowed UDP echo load (every datagram
accounted for) and a burst of malformed frames injected on the kernel side of
the TAP device (the stack drops and counts them, keeps serving, and exits
cleanly — run with SEQS_TAP=<ASan build> to have the sanitizers watch)."""
import json
import random
import select
import socket
import time

import pytest
from scapy.layers.inet import IP, ICMP, UDP, TCP
from scapy.layers.l2 import Ether, ARP

from harness.tapwire import in_netns
from interop_peer import LINUX_IP, SEQS_IP, SEQS_MAC

pytestmark = [pytest.mark.root]


def test_udp_echo_20000_datagrams_windowed_all_come_back(make_peer):
    peer = make_peer(["--udp-echo", "7"])
    with in_netns(peer.ns.name):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.connect((SEQS_IP, 7))
    s.setblocking(False)
    total, window = 20000, 32
    sent = received = 0
    seen = set()
    t0 = time.monotonic()
    deadline = t0 + 60
    while received < total and time.monotonic() < deadline:
        while sent < total and sent - received < window:
            s.send(sent.to_bytes(4, "big") * 16)
            sent += 1
        r, _, _ = select.select([s], [], [], 1.0)
        if not r:
            break   # a datagram went missing: stop and report
        while True:
            try:
                d = s.recv(2048)
            except BlockingIOError:
                break
            seen.add(int.from_bytes(d[:4], "big"))
            received += 1
    took = time.monotonic() - t0
    s.close()
    final = peer.proc.stop()
    svc = final["services"][0]
    c = final["counters"]
    print("\nINTEROP udp-echo-20000: " + json.dumps({"seconds": round(took, 2),
          "datagrams_per_s": round(received / took), "received": received}))
    assert received == total and len(seen) == total, (sent, received, svc, c["udp_drop_queue_full"])
    assert svc["rx"] == svc["tx"] == total and svc["send_err"] == 0
    assert c["udp_rx"] == total and c["udp_drop_queue_full"] == 0 and c["txq_full"] == 0


def _mutants(rng: random.Random, n: int):
    """Valid frames to seqs, then cut, flipped, or with a random field rewritten."""
    base = [
        Ether(dst=SEQS_MAC, src="02:00:00:00:00:77") / IP(src=LINUX_IP, dst=SEQS_IP) / ICMP(id=1, seq=1) / (b"p" * 40),
        Ether(dst="ff:ff:ff:ff:ff:ff", src="02:00:00:00:00:77") / ARP(op=1, hwsrc="02:00:00:00:00:77", psrc=LINUX_IP,
                                                                     pdst=SEQS_IP),
        Ether(dst=SEQS_MAC, src="02:00:00:00:00:77") / IP(src=LINUX_IP, dst=SEQS_IP) / UDP(sport=5, dport=7) / (b"u" * 30),
        Ether(dst=SEQS_MAC, src="02:00:00:00:00:77") / IP(src=LINUX_IP, dst=SEQS_IP) / TCP(sport=5, dport=7, flags="S",
                                                                                            options=[("MSS", 1460)]),
        Ether(dst=SEQS_MAC, src="02:00:00:00:00:77") / IP(src=LINUX_IP, dst=SEQS_IP, flags="MF", frag=0) / (b"f" * 64),
    ]
    raws = [bytes(p) for p in base]
    for _ in range(n):
        f = bytearray(rng.choice(raws))
        kind = rng.randrange(4)
        if kind == 0:
            f = f[:rng.randrange(14, len(f))]
        elif kind == 1:
            for _ in range(rng.randrange(1, 4)):
                i = rng.randrange(14, len(f))
                f[i] ^= 1 << rng.randrange(8)
        elif kind == 2:
            i = rng.randrange(14, len(f) - 1)
            f[i] = rng.randrange(256)
            f[i + 1] = rng.randrange(256)
        else:
            f += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
        yield bytes(f)


def test_malformed_burst_from_linux_side_is_dropped_and_counted_and_serving_continues(make_peer):
    peer = make_peer(["--udp-echo", "7", "--tcp-echo", "7"])
    with in_netns(peer.ns.name):
        raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    raw.bind((peer.tap, 0))
    before = peer.proc.counters()
    n = 5000
    for i, f in enumerate(_mutants(random.Random(1234), n)):
        raw.send(f)
        if i % 200 == 199:
            time.sleep(0.002)   # stay below the tap queue (1000 frames)
    raw.close()
    time.sleep(0.2)
    assert peer.proc.proc.poll() is None, "seqs-tap died"
    r = peer.ping(10, interval=0.02)
    assert r["received"] == 10
    final = peer.proc.stop()      # exit status 0 (also under ASan/UBSan)
    c = final["counters"]
    assert c["eth_rx"] - before["eth_rx"] >= n
    drops = sum(v - before.get(k, 0) for k, v in c.items() if "drop" in k)
    print("\nINTEROP malformed-burst: " + json.dumps({"frames": n, "counted_drops": drops}))
    assert drops > n // 4      # most mutants are rejected by a named check
