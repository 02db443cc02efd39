# SPDX-License-Identifier: BSD-3-Clause
"""A scripted TCP peer for the conformance tests: builds segments with scapy
from PEER (192.0.2.1) to the stack under test and tracks both sequence spaces.

    p = Peer(w, dport=80)                 # w: an ipwire (peer already resolved)
    synack = p.syn()                      # SYN in, the SYN-ACK out (asserted)
    p.ack()                               # completes the handshake
    out = p.send_data(b"hello")           # frames the stack emitted in response
"""
from __future__ import annotations

from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether

from harness import US, US_MAC, PEER, PEER_MAC, expect_one

FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10, "U": 0x20}


def tcp_frames(frames, sport=None, dport=None):
    """The TCP segments among frames (optionally of one connection, from the stack)."""
    out = []
    for f in frames:
        if TCP not in f:
            continue
        t = f[TCP]
        if sport is not None and t.sport != sport:
            continue
        if dport is not None and t.dport != dport:
            continue
        out.append(f)
    return out


def flags_of(f) -> str:
    v = int(f[TCP].flags)
    return "".join(k for k, b in FLAGS.items() if v & b)


def opt(f, name):
    for k, v in f[TCP].options:
        if k == name:
            return v
    return None


def payload(f) -> bytes:
    t = f[TCP]
    return bytes(t.payload) if t.payload else b""


class Peer:
    def __init__(self, w, dport=80, sport=40000, iss=1000, win=65535, src=PEER, src_mac=PEER_MAC):
        self.w = w
        self.dport = dport
        self.sport = sport
        self.iss = iss
        self.nxt = iss          # our next sequence number
        self.rcv = None         # next byte expected from the stack (its RCV side for us)
        self.win = win
        self.src = src
        self.src_mac = src_mac
        self.handle = None      # the stack-side TcpConnection once accepted/connected

    # -- building ------------------------------------------------------------------
    def seg(self, flags="A", seq=None, ack=None, data=b"", win=None, options=None, **kw):
        t = TCP(sport=self.sport, dport=self.dport, flags=flags,
                seq=(self.nxt if seq is None else seq) & 0xFFFFFFFF,
                ack=((self.rcv or 0) if ack is None else ack) & 0xFFFFFFFF,
                window=self.win if win is None else win, options=options or [], **kw)
        return Ether(dst=US_MAC, src=self.src_mac) / IP(src=self.src, dst=US) / t / data

    def out(self, frames):
        """The stack's segments to this peer among frames."""
        return tcp_frames(frames, sport=self.dport, dport=self.sport)

    def send(self, flags="A", data=b"", advance=True, **kw):
        """Sends one segment; advances our sequence by its length unless seq= was given.
        Returns the stack's TCP segments to us emitted in response."""
        f = self.seg(flags, data=data, **kw)
        if advance and "seq" not in kw:
            self.nxt += len(data) + ("S" in flags) + ("F" in flags)
        return self.out(self.w.send(f))

    # -- handshakes -----------------------------------------------------------------
    def syn(self, options=(("MSS", 1460),), **kw):
        """SYN to the listener; returns the one SYN-ACK (asserted) and learns its ISS."""
        got = self.send("S", options=list(options), **kw)
        synacks = [f for f in got if flags_of(f) == "SA"]
        assert len(synacks) == 1, "expected one SYN-ACK, got %r" % [f.summary() for f in got]
        sa = synacks[0]
        assert sa[TCP].ack == (self.iss + 1) & 0xFFFFFFFF
        self.rcv = (sa[TCP].seq + 1) & 0xFFFFFFFF
        return sa

    def ack(self, **kw):
        return self.send("A", **kw)

    def open(self, listener, options=(("MSS", 1460),)):
        """Full passive open at the stack: SYN, SYN-ACK, ACK, accept()."""
        sa = self.syn(options=options)
        self.ack()
        self.handle = listener.accept()
        assert self.handle is not None, "accept() found no connection after the handshake"
        return sa

    def answer_connect(self, conn, options=(("MSS", 1460),), win=None):
        """The stack did connect(): take its SYN, answer SYN-ACK, expect its ACK."""
        frames = self.out(self.w.drain())
        syns = [f for f in frames if flags_of(f) == "S"]
        assert syns, "no SYN from the stack: %r" % [f.summary() for f in frames]
        s = syns[-1]
        self.rcv = (s[TCP].seq + 1) & 0xFFFFFFFF
        got = self.send("SA", options=list(options), win=win)
        self.nxt = (self.iss + 1) & 0xFFFFFFFF
        self.handle = conn
        return s, got

    def send_data(self, data, flags="PA", **kw):
        return self.send(flags, data=data, **kw)

    def recv_all(self, frames):
        """Payload of in-order segments among frames (and advance self.rcv)."""
        out = b""
        for f in self.out(frames):
            p = payload(f)
            if p and f[TCP].seq == self.rcv:
                out += p
                self.rcv = (self.rcv + len(p)) & 0xFFFFFFFF
            if "F" in flags_of(f) and (f[TCP].seq + len(p)) & 0xFFFFFFFF == self.rcv:
                self.rcv = (self.rcv + 1) & 0xFFFFFFFF
        return out
