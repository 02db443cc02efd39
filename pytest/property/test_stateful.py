# SPDX-License-Identifier: BSD-3-Clause
"""Stateful property test: random sequences of API calls, frames and time.

A hypothesis state machine drives one stack through random interleavings of:
socket open/close/bind/send (to neighbours that answer ARP, that stay silent,
off-link hosts, broadcast), valid and mutated frames from the wire (ARP
requests/replies/probes/conflicts, pings, fragments, UDP to open and closed
ports), address changes (with and without RFC 5227 probing) and time jumps;
and, when the TCP bindings are present, TCP clients (handshakes with ISNs
near the wrap, data, FIN, RST, ACKs, tracked from the stack's segments) against
a listener whose connections the application accepts, reads, writes, closes
and aborts.

Invariants after every step:
  * every frame emitted is well-formed (the Wire's scapy oracle);
  * no stuck timer: once everything due is drained, next_deadline() is in the
    future (or None);
  * the socket API only fails with seqs.SeqsError, never anything else.
At the end of each run the same operations are replayed on a fresh stack with
the same seed: the frames emitted must be identical, byte for byte, at the
same times (ARCHITECTURE.md: determinism).
Bounded: 80 runs x up to 40 steps, a few seconds."""
import os
import random

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from scapy.layers.inet import IP, ICMP, UDP, TCP, fragment
from scapy.layers.l2 import Ether, ARP

from harness import US, US_MAC, PEER, PEER_MAC, OTHER, OTHER_MAC, REMOTE, SUBNET_BCAST, BCAST_MAC, SimWire

seqs = pytest.importorskip("seqs")

DESTS = [PEER, OTHER, REMOTE, "192.0.2.77", "255.255.255.255", SUBNET_BCAST, "224.0.0.1"]


def _frames():
    eth = Ether(dst=US_MAC, src=PEER_MAC)
    big = IP(src=PEER, dst=US, id=9) / ICMP(type=8, id=1, seq=1) / (b"B" * 2500)
    return {
        "whohas_us": bytes(Ether(dst=BCAST_MAC, src=OTHER_MAC) / ARP(op=1, hwsrc=OTHER_MAC, psrc=OTHER, pdst=US)),
        "whohas_other": bytes(Ether(dst=BCAST_MAC, src=OTHER_MAC) / ARP(op=1, hwsrc=OTHER_MAC, psrc=OTHER, pdst=PEER)),
        "reply_other": bytes(Ether(dst=US_MAC, src=OTHER_MAC) / ARP(op=2, hwsrc=OTHER_MAC, psrc=OTHER, hwdst=US_MAC, pdst=US)),
        "probe_us": bytes(Ether(dst=BCAST_MAC, src=OTHER_MAC) / ARP(op=1, hwsrc=OTHER_MAC, psrc="0.0.0.0", pdst=US)),
        "conflict": bytes(Ether(dst=BCAST_MAC, src=OTHER_MAC) / ARP(op=1, hwsrc=OTHER_MAC, psrc=US, pdst=US)),
        "garp_peer": bytes(Ether(dst=BCAST_MAC, src=PEER_MAC) / ARP(op=1, hwsrc=PEER_MAC, psrc=PEER, pdst=PEER)),
        "ping": bytes(eth / IP(src=PEER, dst=US) / ICMP(type=8, id=5, seq=6) / b"ping"),
        "ping_remote": bytes(eth / IP(src=REMOTE, dst=US) / ICMP(type=8, id=5, seq=7) / b"far"),
        "ping_bcast": bytes(Ether(dst=BCAST_MAC, src=PEER_MAC) / IP(src=PEER, dst=SUBNET_BCAST) / ICMP(type=8)),
        "udp_7": bytes(eth / IP(src=PEER, dst=US) / UDP(sport=999, dport=7) / b"to-7"),
        "udp_closed": bytes(eth / IP(src=PEER, dst=US) / UDP(sport=999, dport=4444) / b"closed"),
        "proto_253": bytes(eth / IP(src=PEER, dst=US, proto=253) / b"12345678"),
        "tcp_syn": bytes(eth / IP(src=PEER, dst=US) / TCP(sport=5555, dport=80, flags="S", seq=1)),
        "icmp_unreach": bytes(eth / IP(src=PEER, dst=US) / ICMP(type=3, code=3) /
                              bytes(IP(src=US, dst=PEER) / UDP(sport=7, dport=9))[:28]),
        "frag0": bytes(eth / fragment(big, 1000)[0]),
        "frag1": bytes(eth / fragment(big, 1000)[1]),
        "frag2": bytes(eth / fragment(big, 1000)[2]),
    }


FRAMES = _frames()


HAS_TCP = hasattr(seqs.Stack, "tcp_listen")
TCP_PORT = 80


def new_wire(seed):
    w = SimWire(seed=seed)
    w.configure(f"{US}/24", gateway=PEER, settle_s=0)
    w.answer_arp(PEER, PEER_MAC)
    # TCP peer state (derived only from ops and the frames they caused, so a
    # replay rebuilds it identically): sport -> [our next seq, their next seq]
    w.tcp_peers = {}
    w.tcp_scan = 0
    w.tcp_conns = []
    w.listener = w.stack.tcp_listen(TCP_PORT, backlog=4) if HAS_TCP else None
    return w


def _tcp_track(w):
    """Advance each simulated client's view of the stack's sequence space from
    the segments the stack sent since the last look."""
    log = w.log
    for d, _t, raw in log[w.tcp_scan:]:
        if d != "out" or len(raw) < 54 or raw[12:14] != b"\x08\x00" or raw[23] != 6:
            continue
        p = Ether(raw)
        if TCP not in p or p[TCP].sport != TCP_PORT or p[TCP].dport not in w.tcp_peers:
            continue
        t = p[TCP]
        st = w.tcp_peers[t.dport]
        if t.flags.R:
            del w.tcp_peers[t.dport]
            continue
        end = t.seq + len(bytes(t.payload)) + (1 if t.flags.S else 0) + (1 if t.flags.F else 0)
        if st[1] is None or ((end - st[1]) & 0xFFFFFFFF) < 0x80000000:
            st[1] = end & 0xFFFFFFFF
    w.tcp_scan = len(log)


def _seg(sport, seq, ack, flags, data=b""):
    return Ether(dst=US_MAC, src=PEER_MAC) / IP(src=PEER, dst=US) / \
        TCP(sport=sport, dport=TCP_PORT, seq=seq, ack=ack or 0, flags=flags, window=8192) / data


def apply(w, socks, op):
    """Performs one recorded operation on wire w (socks: index -> socket)."""
    kind = op[0]
    try:
        if kind == "open":
            socks.append(w.stack.udp_socket(rxbuf=op[1]))
        elif kind == "bind":
            socks[op[1] % len(socks)].bind(port=op[2])
        elif kind == "close":
            socks.pop(op[1] % len(socks)).close()
        elif kind == "send":
            socks[op[1] % len(socks)].sendto(b"s" * op[3], (op[2], 9000 + op[1]))
            w.drain()
        elif kind == "recv":
            socks[op[1] % len(socks)].recvfrom()
        elif kind == "frame":
            w.send(FRAMES[op[1]])
        elif kind == "mutated":
            w.send(op[1])
        elif kind == "advance":
            w.advance(ms=op[1])
        elif kind == "set_addr":
            w.stack.set_addr(f"{US}/24", gateway=PEER, probe=op[1])
            w.drain()
        elif kind == "drain":
            w.drain()
        elif kind == "tcp_syn":
            sport, isn = op[1], op[2]
            w.tcp_peers[sport] = [(isn + 1) & 0xFFFFFFFF, None]
            w.send(_seg(sport, isn, 0, "S", b""))
            _tcp_track(w)
            st = w.tcp_peers.get(sport)
            if st and st[1] is not None:
                w.send(_seg(sport, st[0], st[1], "A"))
        elif kind in ("tcp_data", "tcp_fin", "tcp_rst", "tcp_ack") and op[1] in w.tcp_peers:
            st = w.tcp_peers[op[1]]
            if kind == "tcp_data":
                w.send(_seg(op[1], st[0], st[1], "PA", op[2]))
                st[0] = (st[0] + len(op[2])) & 0xFFFFFFFF
            elif kind == "tcp_fin":
                w.send(_seg(op[1], st[0], st[1], "FA"))
                st[0] = (st[0] + 1) & 0xFFFFFFFF
            elif kind == "tcp_rst":
                w.send(_seg(op[1], st[0], st[1], "R"))
                del w.tcp_peers[op[1]]
            else:
                w.send(_seg(op[1], st[0], st[1], "A"))
        elif kind == "tcp_accept" and w.listener is not None:
            while (c := w.listener.accept()) is not None:
                w.tcp_conns.append(c)
        elif kind in ("tcp_write", "tcp_read", "tcp_close", "tcp_abort") and w.tcp_conns:
            c = w.tcp_conns[op[1] % len(w.tcp_conns)]
            if kind == "tcp_write":
                c.write(op[2])
            elif kind == "tcp_read":
                c.read()
            elif kind == "tcp_close":
                c.close()
            else:
                c.abort()
            w.drain()
        elif kind == "clear_addr":
            w.stack.clear_addr()
            w.drain()
    except seqs.SeqsError:
        pass
    if HAS_TCP:
        _tcp_track(w)


class StackMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.seed = 1
        self.ops = []
        self.w = None
        self.socks = []

    @initialize(seed=st.integers(1, 2**32))
    def start(self, seed):
        self.seed = seed
        self.w = new_wire(seed)

    def do(self, *op):
        self.ops.append(op)
        apply(self.w, self.socks, op)

    @rule(rxbuf=st.sampled_from([64, 512, 8192]))
    def open_socket(self, rxbuf):
        if len(self.socks) < 6:
            self.do("open", rxbuf)

    @precondition(lambda self: self.socks)
    @rule(i=st.integers(0, 10), port=st.sampled_from([0, 7, 53, 4444, 60000]))
    def bind(self, i, port):
        self.do("bind", i, port)

    @precondition(lambda self: self.socks)
    @rule(i=st.integers(0, 10))
    def close(self, i):
        self.do("close", i)

    @precondition(lambda self: self.socks)
    @rule(i=st.integers(0, 10), dst=st.sampled_from(DESTS), size=st.sampled_from([0, 1, 100, 1472, 1473, 3000]))
    def send(self, i, dst, size):
        self.do("send", i, dst, size)

    @precondition(lambda self: self.socks)
    @rule(i=st.integers(0, 10))
    def recv(self, i):
        self.do("recv", i)

    @rule(name=st.sampled_from(sorted(FRAMES)))
    def frame(self, name):
        self.do("frame", name)

    @rule(name=st.sampled_from(sorted(FRAMES)), pos=st.integers(0, 80), val=st.integers(0, 255),
          cut=st.integers(0, 200))
    def mutated(self, name, pos, val, cut):
        b = bytearray(FRAMES[name])
        if pos < len(b):
            b[pos] = val
        self.do("mutated", bytes(b[:max(cut, 14)]) if cut < len(b) else bytes(b))

    @rule(ms=st.sampled_from([0, 1, 10, 500, 1000, 2500, 16000, 400000]))
    def advance(self, ms):
        self.do("advance", ms)

    @rule(probe=st.booleans())
    def set_addr(self, probe):
        self.do("set_addr", probe)

    @rule()
    def clear_addr(self):
        self.do("clear_addr")

    # --- TCP: a simulated client behind the peer, and the application side ---------
    @precondition(lambda self: HAS_TCP)
    @rule(sport=st.integers(40000, 40007), isn=st.sampled_from([0, 1, 0x7FFFFFFF, 0xFFFFFFF0, 0xFFFFFFFF, 12345]))
    def tcp_syn(self, sport, isn):
        self.do("tcp_syn", sport, isn)

    @precondition(lambda self: HAS_TCP)
    @rule(sport=st.integers(40000, 40007), size=st.sampled_from([1, 100, 1460, 3000]))
    def tcp_data(self, sport, size):
        self.do("tcp_data", sport, bytes([size & 0xFF]) * size)

    @precondition(lambda self: HAS_TCP)
    @rule(sport=st.integers(40000, 40007), kind=st.sampled_from(["tcp_fin", "tcp_rst", "tcp_ack"]))
    def tcp_ctl(self, sport, kind):
        self.do(kind, sport)

    @precondition(lambda self: HAS_TCP)
    @rule()
    def tcp_accept(self):
        self.do("tcp_accept")

    @precondition(lambda self: HAS_TCP)
    @rule(i=st.integers(0, 10), kind=st.sampled_from(["tcp_read", "tcp_close", "tcp_abort"]))
    def tcp_app(self, i, kind):
        self.do(kind, i)

    @precondition(lambda self: HAS_TCP)
    @rule(i=st.integers(0, 10), size=st.sampled_from([1, 500, 5000]))
    def tcp_write(self, i, size):
        self.do("tcp_write", i, b"w" * size)

    @invariant()
    def no_stuck_timer(self):
        if self.w is None:
            return
        self.do("drain")
        d = self.w.stack.next_deadline()
        assert d is None or d > self.w.now_us, f"deadline {d} <= now {self.w.now_us} with nothing left to send"

    def teardown(self):
        if self.w is None:
            return
        first = [(t, d, f) for d, t, f in self.w.log if d == "out"]
        w2 = new_wire(self.seed)
        socks2 = []
        for op in self.ops:
            apply(w2, socks2, op)
        again = [(t, d, f) for d, t, f in w2.log if d == "out"]
        assert again == first, "same seed and inputs gave different output (determinism)"


TestStackMachine = StackMachine.TestCase
TestStackMachine.settings = settings(max_examples=max(80, int(os.environ.get("SEQS_PROPERTY_EXAMPLES", "500")) // 6), stateful_step_count=40, deadline=None,
                                     derandomize=not os.environ.get("SEQS_PROPERTY_RANDOM"),
                                     suppress_health_check=[HealthCheck.too_slow])
