# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for the HTTP conformance tests: a scripted TCP peer (pytest/tcp/peer.py)
that speaks raw bytes to the stack's HTTP server or client, and an independent
response parser (the standard library's http.client) as the oracle."""
from __future__ import annotations

import io
import http.client

from scapy.layers.inet import TCP

from tcp.peer import Peer, flags_of, payload


class HttpPeer(Peer):
    """A TCP peer that ACKs whatever the stack sends and keeps the byte stream."""

    def __init__(self, w, *a, **kw):
        super().__init__(w, *a, **kw)
        self.stream = b""     # bytes received from the stack, in order
        self.fin = False
        self.rst = False
        self.segments = []    # the stack's segments to us

    def take(self, frames):
        """Consumes the stack's segments among frames: in-order data is kept, and
        everything (data, FIN) is ACKed at once, repeatedly until quiet."""
        for _ in range(10000):
            segs = self.out(frames)
            if not segs:
                return
            self.segments.extend(segs)
            need_ack = False
            for f in segs:
                fl = flags_of(f)
                if "R" in fl:
                    self.rst = True
                p = payload(f)
                if p and f[TCP].seq == self.rcv:
                    self.stream += p
                    self.rcv = (self.rcv + len(p)) & 0xFFFFFFFF
                    need_ack = True
                elif p:
                    need_ack = True   # duplicate / out of window: re-ACK
                if "F" in fl and (f[TCP].seq + len(p)) & 0xFFFFFFFF == self.rcv:
                    self.rcv = (self.rcv + 1) & 0xFFFFFFFF
                    self.fin = True
                    need_ack = True
            if not need_ack or self.rst:
                return
            frames = self.w.send(self.seg("A"))

    def connect(self):
        """Handshake with the server's listener (the HTTP server accepts in its poll)."""
        self.syn()
        self.take(self.send("A"))

    def send_bytes(self, data, mss=1400, flags="PA"):
        for i in range(0, len(data), mss):
            self.take(self.send(flags, data=data[i:i + mss]))

    def close(self):
        self.take(self.send("FA"))

    def wait(self, ms=0, s=0):
        self.take(self.w.advance(ms=ms, s=s))

    def request(self, data, settle_ms=50):
        """Sends data (one segment per 1400 bytes) and lets the stack answer."""
        start = len(self.stream)
        self.send_bytes(data)
        self.wait(ms=settle_ms)
        return self.stream[start:]


class _NoClose(io.BytesIO):
    def close(self):      # http.client closes its file after a body; the stream goes on
        pass


class _Sock:
    def __init__(self, data):
        self.f = _NoClose(data)

    def makefile(self, *a, **kw):
        return self.f


def parse_responses(data, methods=None, n=None):
    """Splits a byte stream into responses with http.client (the oracle).
    methods: the request method of each response (HEAD has no body). Returns a
    list of (status, headers, body, raw_length) and the leftover bytes."""
    sock = _Sock(data)
    out = []
    i = 0
    while sock.f.tell() < len(data) and (n is None or len(out) < n):
        start = sock.f.tell()
        m = (methods[i] if methods and i < len(methods) else "GET")
        r = http.client.HTTPResponse(sock, method=m)
        r.begin()
        if r.status == 100:
            # http.client's begin() skips 100 itself; we never get here
            continue
        body = r.read()
        out.append((r.status, r.headers, body, sock.f.tell() - start))
        i += 1
        if r.will_close:
            break
    return out, data[sock.f.tell():]


def one_response(data, method="GET"):
    rs, rest = parse_responses(data, [method], n=1)
    assert rs, "no response in %r" % data[:200]
    return rs[0]


def status_of(data):
    """Status code of the first response line (without the full parser: works for heads only)."""
    line = data.split(b"\r\n", 1)[0]
    parts = line.split(b" ")
    assert parts[0] == b"HTTP/1.1", line
    return int(parts[1])


class ServerPeer(Peer):
    """The peer as an HTTP server for the stack's client: answers the stack's SYN."""

    def __init__(self, w, syn, iss=70_000):
        super().__init__(w, dport=syn[TCP].sport, sport=syn[TCP].dport, iss=iss)
        self.stream = b""
        self.fin = False
        self.rst = False
        self.segments = []
        self.rcv = (syn[TCP].seq + 1) & 0xFFFFFFFF
        got = self.send("SA", options=[("MSS", 1460)])
        self.nxt = (iss + 1) & 0xFFFFFFFF
        self.take(got)

    take = HttpPeer.take

    def reply(self, data, mss=1400, flags="PA"):
        for i in range(0, len(data), mss):
            self.take(self.send(flags, data=data[i:i + mss]))

    def wait(self, ms=0, s=0):
        self.take(self.w.advance(ms=ms, s=s))


def syns_from_stack(frames):
    return [f for f in frames if TCP in f and flags_of(f) == "S"]
