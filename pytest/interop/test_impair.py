# SPDX-License-Identifier: BSD-3-Clause
"""seqs-tap's link impairments beyond --loss (tools/seqs-tap/impair.c): corruption,
duplication, reordering, delay with jitter and a rate limit, each seeded and checked
against what real Linux sees (ping, UDP and TCP sockets, nstat)."""
import json
import re
import socket
import subprocess
import time

import pytest

from harness.tapwire import in_netns
from interop_peer import LINUX_IP, SEQS_IP, SEQS_MAC, need_binary

pytestmark = [pytest.mark.root]


def report(name, **numbers):
    print(f"\nINTEROP {name}: " + json.dumps(numbers))


def warm_up(peer):
    """Both ARP caches filled before measuring, so impairments hit only the test's
    traffic: a static neighbour on the Linux side, pings until one is answered."""
    peer.ns.run(["ip", "neigh", "replace", SEQS_IP, "lladdr", SEQS_MAC, "dev", peer.tap, "nud", "permanent"])
    for _ in range(30):
        r = peer.ns.run(["ping", "-n", "-q", "-c", "1", "-W", "0.5", SEQS_IP], check=False)
        if " 1 received" in r.stdout:
            return
    pytest.fail("no ping answered during warm-up")


def drops(counters):
    return sum(v for k, v in counters.items() if "_drop_" in k)


def delta(after, before):
    return {k: after[k] - before.get(k, 0) for k in after if isinstance(after[k], int)}


@pytest.mark.parametrize("argv, needle", [
    (["--corrupt", "2"], "--corrupt: expected a number in 0..1"),
    (["--duplicate", "-0.1"], "--duplicate: expected a number in 0..1"),
    (["--reorder", "x"], "--reorder: expected a number in 0..1"),
    (["--delay", "abc"], "--delay: expected MS[:JITTER_MS]"),
    (["--delay", "5:x"], "--delay: expected MS[:JITTER_MS]"),
    (["--rate", "0"], "--rate: expected megabits/s"),
])
def test_bad_impairment_arguments_exit_2(argv, needle):
    r = subprocess.run([str(need_binary()), "--tap", "sqimp0", "--mac", SEQS_MAC, "--ip", f"{SEQS_IP}/24", *argv],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 2 and needle in r.stderr, (r.returncode, r.stderr)


def udp_round_trips(peer, n, pause_every=20):
    """Sends n numbered datagrams from Linux to seqs's UDP echo (port 7); returns the
    payloads that came back, in arrival order."""
    with in_netns(peer.ns.name):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.settimeout(2)
    got = []
    for i in range(n):
        s.sendto(b"%06d-seqs-impair" % i, (SEQS_IP, 7))
        if i % pause_every == pause_every - 1:
            time.sleep(0.002)
    try:
        while len(got) < n:
            got.append(s.recv(100))
    except socket.timeout:
        pass
    s.close()
    return got


def test_corrupt_flips_bits_that_both_stacks_count_as_checksum_drops(make_peer):
    """--corrupt 0.3: a third of the frames each way get one bit flipped after the
    Ethernet header. Every one that reaches seqs is a counted drop (one flipped bit
    always breaks the IPv4 or UDP checksum), Linux counts its own, no corrupted
    datagram reaches either socket, and about 0.7 * 0.7 of the echoes come back.
    (UDP, not ping: ping's raw socket sees replies before the kernel checks them.)"""
    peer = make_peer(["--corrupt", "0.3", "--seed", "3", "--udp-echo", "7"])
    warm_up(peer)
    before, nb = peer.proc.snapshot(), peer.nstat()
    n = 300
    got = udp_round_trips(peer, n)
    after, na = peer.proc.stop(), peer.nstat()
    tool = delta(after["tool"], before["tool"])
    seqs_drops = drops(after["counters"]) - drops(before["counters"])
    # Linux counts a bad header checksum in IpExtInCsumErrors and IpInHdrErrors, a bad UDP
    # checksum in UdpInCsumErrors and UdpInErrors: only the second of each pair is summed
    linux_errs = {k: na.get(k, 0) - nb.get(k, 0) for k in ("UdpInErrors", "IpInHdrErrors",
                                                            "IpExtInTruncatedPkts", "IpInAddrErrors")
                  if na.get(k, 0) - nb.get(k, 0)}
    report("impair-corrupt-0.3", datagrams=n, echoed=len(got), corrupt_rx=tool["corrupt_rx"],
           corrupt_tx=tool["corrupt_tx"], seqs_drops=seqs_drops, linux_errors=linux_errs)
    assert all(g in {b"%06d-seqs-impair" % i for i in range(n)} for g in got), "a corrupted datagram got through"
    assert tool["corrupt_rx"] > 40 and tool["corrupt_tx"] > 20
    assert seqs_drops == tool["corrupt_rx"], after["counters"]
    assert sum(linux_errs.values()) >= tool["corrupt_tx"] * 0.85, na
    assert 0.35 <= len(got) / n <= 0.65


def test_duplicate_delivers_every_frame_twice(make_peer):
    """--duplicate 1: each echo request reaches seqs twice and each reply reaches Linux
    twice, so ping counts 1 reply and 3 duplicates per request."""
    peer = make_peer(["--duplicate", "1"])
    warm_up(peer)
    before = peer.proc.snapshot()
    r = peer.ping(20, interval=0.02, wait=1)
    after = peer.proc.stop()
    dups = re.search(r"\+(\d+) duplicates", r["output"])
    replies = after["counters"]["icmp_tx_echo_reply"] - before["counters"]["icmp_tx_echo_reply"]
    report("impair-duplicate-1", pings=20, received=r["received"], duplicates=dups and int(dups.group(1)))
    assert r["received"] == 20
    # ping stops at the 20th reply: the last request's 3 duplicates may come after it exits
    assert dups and 57 <= int(dups.group(1)) <= 60, r["output"]
    assert replies == 40


def test_reorder_changes_the_order_but_delivers_everything(make_peer):
    """--reorder 0.3: datagrams overtake each other in both directions; all 300 UDP
    echoes come back, some out of order."""
    peer = make_peer(["--reorder", "0.3", "--seed", "5", "--udp-echo", "7"])
    warm_up(peer)
    n = 300
    got = [int(g[:6]) for g in udp_round_trips(peer, n)]
    final = peer.proc.stop()["tool"]
    inversions = sum(1 for a, b in zip(got, got[1:]) if b < a)
    report("impair-reorder-0.3", sent=n, echoed=len(got), inversions=inversions, reorder_rx=final["reorder_rx"],
           reorder_tx=final["reorder_tx"])
    assert sorted(got) == list(range(n))
    assert inversions > 10
    assert final["reorder_rx"] > 30 and final["reorder_tx"] > 30


@pytest.mark.parametrize("delay, lo, hi", [("40", 80, 110), ("40:20", 40, 150)])
def test_delay_and_jitter_show_in_the_round_trip_time(make_peer, delay, lo, hi):
    """--delay 40 delays each direction by 40 ms (RTT >= 80 ms); with :20 of jitter
    each direction varies by +-20 ms, so RTTs spread."""
    peer = make_peer(["--delay", delay, "--seed", "9"])
    warm_up(peer)
    r = peer.ping(15, interval=0.1, wait=1)
    report(f"impair-delay-{delay}", received=r["received"], rtt_min=r.get("rtt_min"), rtt_max=r.get("rtt_max"),
           rtt_mdev=r.get("rtt_mdev"))
    assert r["received"] == 15
    assert lo <= r["rtt_min"] and r["rtt_max"] <= hi, r["output"]
    if ":" in delay:
        assert r["rtt_mdev"] > 3 and r["rtt_max"] - r["rtt_min"] > 10, r["output"]
    else:
        assert r["rtt_mdev"] < 5, r["output"]


def test_rate_limit_bounds_tcp_goodput(make_peer):
    """--rate 8: 1 MB from seqs's --tcp-source to a Linux socket takes at least the
    time 8 Mbit/s needs for its frames (~1.05 s), and arrives intact."""
    n = 1_000_000
    peer = make_peer(["--rate", "8", "--tcp-source", f"9:{n}"])
    warm_up(peer)
    with in_netns(peer.ns.name):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.settimeout(20)
    t0 = time.monotonic()
    c.connect((SEQS_IP, 9))
    data = bytearray()
    while True:
        chunk = c.recv(65536)
        if not chunk:
            break
        data += chunk
    took = time.monotonic() - t0
    c.close()
    final = peer.proc.stop()
    report("impair-rate-8mbit", bytes=len(data), seconds=round(took, 3), mbit_s=round(8 * len(data) / took / 1e6, 2),
           queue_drop_tx=final["tool"]["queue_drop_tx"])
    assert len(data) == n and data == bytes(i % 251 for i in range(n))
    assert 1.0 <= took <= 5.0
    assert 8 * n / took / 1e6 <= 8.0
