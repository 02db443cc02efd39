# SPDX-License-Identifier: BSD-3-Clause
"""TCP under attack and overload (issue 11), against seqs-tap --tcp-echo over a TAP device.

The attacker is in the Linux peer's namespace: spoofed and forged frames leave an
AF_PACKET socket bound to the kernel end of the TAP device (frames built with struct,
thousands per second; scapy would manage ~1,000/s), real clients are kernel sockets.
Documentation addresses only (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24).
Every attack ends the same way: a legitimate client echoes 1 MiB byte-exact through
seqs, and seqs' connection table returns to 0 (tcp.conns_used of the JSON report).
Measured outcomes are printed (-s) as one JSON line per test."""
import os
import random
import selectors
import socket
import struct
import threading
import time

import pytest

from harness.tapwire import in_netns
from interop_peer import LINUX_IP, SEQS_IP, SEQS_MAC
from tcp_peer import Deadline, connect, report, service

pytestmark = [pytest.mark.root]

PORT = 7
MIB = 1 << 20
HOLD_S = 2.0


# -- frames ---------------------------------------------------------------------------------
def _csum(b: bytes) -> int:
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def _mac(m: str) -> bytes:
    return bytes(int(x, 16) for x in m.split(":"))


def tcp_frame(src_mac: bytes, src: str, sport: int, seq: int, ack: int, flags: int, data: bytes = b"",
              dport: int = PORT, win: int = 65535) -> bytes:
    srcb, dstb = socket.inet_aton(src), socket.inet_aton(SEQS_IP)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 0x50, flags, win, 0, 0) + data
    tcp = tcp[:16] + struct.pack("!H", _csum(srcb + dstb + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, srcb, dstb)
    ip = ip[:10] + struct.pack("!H", _csum(ip)) + ip[12:]
    return _mac(SEQS_MAC) + src_mac + b"\x08\x00" + ip + tcp


class Pump:
    """Raw frames into seqs-tap from the Linux end of the TAP device."""

    def __init__(self, peer):
        with in_netns(peer.ns.name):
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        self.sock.bind((peer.tap, 0))
        self.mac = _mac(peer.ns.run(["cat", f"/sys/class/net/{peer.tap}/address"]).stdout.strip())

    def send(self, frames, per_ms: int = 20) -> float:
        """Sends frames at about per_ms frames per millisecond (seqs-tap reads the TAP
        queue in bursts; faster only fills the kernel's queue). Returns seconds."""
        t0 = time.monotonic()
        for i, f in enumerate(frames):
            while True:
                try:
                    self.sock.send(f)
                    break
                except OSError:            # ENOBUFS: the TAP queue is full for a moment
                    time.sleep(0.0005)
            if i % per_ms == per_ms - 1:
                lag = t0 + (i + 1) / per_ms / 1000 - time.monotonic()
                if lag > 0:
                    time.sleep(lag)
        return time.monotonic() - t0

    def close(self):
        self.sock.close()


# -- the legitimate client and the table ------------------------------------------------------
def echo_1mib(peer, dl: Deadline, s: socket.socket | None = None, seed: int = 1) -> float:
    """1 MiB through seqs' echo, byte-exact (sender thread + reader); returns seconds."""
    data = random.Random(seed).randbytes(MIB)
    t0 = time.monotonic()
    if s is None:
        s = connect(peer.ns.name, PORT, timeout=dl.left())
    s.settimeout(dl.left())
    err = []

    def sender():
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            err.append(e)

    th = threading.Thread(target=sender, daemon=True)
    th.start()
    got = bytearray()
    while True:
        dl.check(f"1 MiB echo, {len(got)} bytes back")
        chunk = s.recv(1 << 16)
        if not chunk:
            break
        got += chunk
    th.join(dl.left())
    s.close()
    assert not err, err
    assert len(got) == MIB and bytes(got) == data, f"echo not byte-exact: {len(got)} bytes back"
    return time.monotonic() - t0


def wait_table_empty(peer, dl: Deadline) -> dict:
    while True:
        snap = peer.proc.snapshot()
        if snap["tcp"]["conns_used"] == 0 and service(snap, "tcp-echo")["active"] == 0:
            return snap
        dl.check(f"table back to 0: {snap['tcp']}, active {service(snap, 'tcp-echo')['active']}")
        time.sleep(0.1)


def delta(after: dict, before: dict, *names) -> dict:
    return {n: after.get(n, 0) - before.get(n, 0) for n in names}


# -- the attacks --------------------------------------------------------------------------------
def test_syn_flood_from_spoofed_sources_then_1mib_echo_and_table_empty(make_peer):
    """20,000 SYNs from spoofed 198.51.100.0/24 and 203.0.113.0/24 sources fill all 128
    places with half-open entries; a real client still gets in (a SYN cookie once the
    entries are stale, its ACK trades a stale entry), echoes 1 MiB; the handshake timeout
    (3 s) empties the table."""
    peer = make_peer(["--tcp-echo", f"{PORT},handshake=3000"])
    dl = Deadline(60, "SYN flood")
    pump = Pump(peer)
    rnd = random.Random(4987)
    frames = [tcp_frame(pump.mac, "%s.%d" % (rnd.choice(("198.51.100", "203.0.113")), rnd.randrange(1, 255)),
                        rnd.randrange(1024, 65536), rnd.getrandbits(32), 0, 0x02) for _ in range(20_000)]
    before = peer.proc.counters()
    secs = pump.send(frames)
    flooded = peer.proc.snapshot()
    took = echo_1mib(peer, dl)
    after = peer.proc.counters()
    snap = wait_table_empty(peer, dl)
    pump.close()
    d = delta(after, before, "tcp_rx", "tcp_syncookie_sent", "tcp_syncookie_ok", "tcp_drop_backlog")
    d.update(delta(snap["counters"], before, "tcp_handshake_timeout", "tcp_halfopen_expired"))
    report("syn_flood", syns=len(frames), send_s=round(secs, 2), half_open_at_peak=flooded["tcp"].get("SYN_RECEIVED", 0),
           echo_1mib_s=round(took, 2), **d)
    assert flooded["tcp"]["conns_used"] >= 100          # the flood did fill the table
    assert d["tcp_handshake_timeout"] + d["tcp_halfopen_expired"] >= 100


def test_rst_ack_and_data_storm_on_a_live_connection_gets_bounded_replies(make_peer):
    """30,000 forged segments with the 4-tuple of a live Linux connection: RSTs, ACKs and
    data at random sequence and acknowledgment numbers. seqs drops them and answers at
    most one per 500 ms (invalid_ratelimit) plus RFC 5961 challenge ACKs (10/s); the
    connection lives and then echoes 1 MiB byte-exact."""
    peer = make_peer(["--tcp-echo", str(PORT)])
    dl = Deadline(60, "RST/ACK/data storm")
    s = connect(peer.ns.name, PORT, timeout=10)
    s.sendall(b"hello")
    assert s.recv(5) == b"hello"
    lport = s.getsockname()[1]
    pump = Pump(peer)
    rnd = random.Random(5961)
    kinds = (0x04, 0x10, 0x18)                    # RST, ACK, PSH|ACK with 100 bytes
    frames = []
    for i in range(30_000):
        fl = kinds[i % 3]
        frames.append(tcp_frame(pump.mac, LINUX_IP, lport, rnd.getrandbits(32), rnd.getrandbits(32), fl,
                                b"X" * 100 if fl == 0x18 else b"", dport=PORT))
    before = peer.proc.counters()
    secs = pump.send(frames)
    time.sleep(0.3)
    after = peer.proc.counters()
    pump.close()
    d = delta(after, before, "tcp_rx", "tcp_tx", "tcp_drop_unacceptable", "tcp_oow_ratelimited",
              "tcp_tx_challenge_ack", "tcp_challenge_ratelimited", "tcp_conn_reset")
    report("storm_live_connection", forged=len(frames), send_s=round(secs, 2), **d)
    assert d["tcp_conn_reset"] == 0
    assert d["tcp_rx"] >= 10_000                  # most of the storm reached the stack
    # replies: 1 per 500 ms per connection, plus <= 10 challenge ACKs per second
    assert d["tcp_tx"] <= 2 * (secs + 1) + 10 * (secs + 1) + 4, d
    took = echo_1mib(peer, dl, s=s)               # the same connection, byte-exact
    snap = wait_table_empty(peer, dl)
    report("storm_live_connection_after", echo_1mib_s=round(took, 2), conns_used=snap["tcp"]["conns_used"])


def test_peer_reset_storm_leaves_no_slot_taken(make_peer):
    """400 connect-then-RST connections (SO_LINGER 0): the slot leak of issue 11 left
    every one of seqs-tap's 128 slots CLOSED and taken for good. Now every ended
    connection is closed by the service; the table is empty and a 1 MiB echo works."""
    peer = make_peer(["--tcp-echo", str(PORT)])
    dl = Deadline(60, "peer-reset storm")
    linger0 = struct.pack("ii", 1, 0)
    for i in range(400):
        dl.check(f"connect+RST {i}")
        s = connect(peer.ns.name, PORT, timeout=10)
        if i % 2:
            s.sendall(b"x" * 1000)                # some with data in flight
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger0)
        s.close()                                 # RST
    snap = wait_table_empty(peer, dl)
    took = echo_1mib(peer, dl)
    snap = wait_table_empty(peer, dl)
    c = snap["counters"]
    report("peer_reset_storm", resets=400, tcp_conn_reset=c["tcp_conn_reset"], conns_used=snap["tcp"]["conns_used"],
           reclaimed=c["tcp_conn_reclaimed"], echo_1mib_s=round(took, 2))
    assert c["tcp_conn_reset"] >= 300
    assert c["tcp_conn_reclaimed"] == 0           # the service closed them itself


def _open_many(ns_name: str, n: int) -> list[socket.socket]:
    socks = []
    with in_netns(ns_name):
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            socks.append(s)
    for s in socks:
        assert s.connect_ex((SEQS_IP, PORT)) in (0, 115)
    return socks


def test_slowloris_twice_the_slots_then_real_client_served(make_peer):
    """256 clients (2x the 128 slots) connect and send nothing. With handshake=2000 and
    idle=3000 on the listener they are reset after 3 s idle; a real client that started
    after all of them is served within 20 s and the counters say why the others went."""
    peer = make_peer(["--tcp-echo", f"{PORT},handshake=2000,idle=3000"])
    dl = Deadline(90, "slowloris")
    idle = _open_many(peer.ns.name, 256)
    time.sleep(0.5)
    t0 = time.monotonic()
    s = connect(peer.ns.name, PORT, timeout=30)
    t_connected = time.monotonic() - t0
    took = echo_1mib(peer, dl, s=s)
    served = time.monotonic() - t0
    for x in idle:
        x.close()
    snap = wait_table_empty(peer, dl)
    c = snap["counters"]
    report("slowloris", idle_clients=256, connected_after_s=round(t_connected, 2), served_after_s=round(served, 2),
           tcp_idle_timeout=c["tcp_idle_timeout"], tcp_handshake_timeout=c["tcp_handshake_timeout"],
           echo_1mib_s=round(took, 2))
    assert served < 20
    assert c["tcp_idle_timeout"] >= 128


def test_500_clients_for_128_slots_each_served_or_refused(make_peer):
    """500 clients at once, each sending 1 KiB, reading its echo and keeping its connection
    2 s: every one ends served (byte-exact) or refused (RST) — none is left silent (a
    client still waiting at the deadline fails the test) — then the table is back to 0
    and a 1 MiB echo works."""
    peer = make_peer(["--tcp-echo", str(PORT)])
    dl = Deadline(100, "500 clients")
    n = 500
    socks = _open_many(peer.ns.name, n)
    sel = selectors.DefaultSelector()
    msg = [os.urandom(1024) for _ in range(n)]
    got = [bytearray() for _ in range(n)]
    outcome = [None] * n
    for i, s in enumerate(socks):
        sel.register(s, selectors.EVENT_WRITE, i)
    sent = [False] * n
    holding = []
    left = n
    while left:
        dl.check(f"{left} of {n} clients unfinished: {sum(o == 'served' for o in outcome)} served")
        now = time.monotonic()
        for item in [h for h in holding if h[0] <= now]:
            item[1].close()
            holding.remove(item)
        for key, ev in sel.select(timeout=1.0):
            i, s = key.data, key.fileobj
            try:
                if not sent[i]:
                    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if err:
                        raise OSError(err, os.strerror(err))
                    s.send(msg[i])               # 1 KiB fits the socket buffer at once
                    sent[i] = True
                    sel.modify(s, selectors.EVENT_READ, i)
                    continue
                chunk = s.recv(4096)
                if chunk:
                    got[i] += chunk
                    if len(got[i]) < 1024:
                        continue
                    assert bytes(got[i]) == msg[i], f"client {i}: echo differs"
                    outcome[i] = "served"
                    holding.append((time.monotonic() + HOLD_S, s))   # keeps its place a while
                    sel.unregister(s)
                    left -= 1
                    continue
                else:
                    outcome[i] = "closed early"
            except (ConnectionResetError, ConnectionRefusedError) as e:
                outcome[i] = "refused"
            except OSError as e:
                outcome[i] = f"error {e.errno}"
            sel.unregister(s)
            s.close()
            left -= 1
    for _, x in holding:
        x.close()
    served = sum(o == "served" for o in outcome)
    refused = sum(o == "refused" for o in outcome)
    snap = wait_table_empty(peer, dl)
    took = echo_1mib(peer, dl)
    snap = wait_table_empty(peer, dl)
    c = snap["counters"]
    report("500_clients", clients=n, served=served, refused=refused, other=n - served - refused,
           max_active=service(snap, "tcp-echo")["max_active"], tcp_overload_refused=c.get("tcp_overload_refused", 0),
           tcp_syncookie_sent=c["tcp_syncookie_sent"], tcp_drop_backlog=c["tcp_drop_backlog"],
           echo_1mib_s=round(took, 2))
    assert served + refused == n, [o for o in outcome if o not in ("served", "refused")][:5]
