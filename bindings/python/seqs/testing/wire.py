# SPDX-License-Identifier: BSD-3-Clause
"""The Wire: the test is the peer on an Ethernet segment with the stack under test.

A Wire feeds scapy-built frames to the stack and hands back what it emitted,
parsed by scapy. Everything that crosses the wire, in or out, is written to a
pcap, and every emitted frame is checked by the independent oracle
(harness.oracle): a malformed frame fails the test at the moment it appears.

Flavours
--------
``Wire`` is the flavour-independent part. A flavour subclasses it and implements
four primitives; everything else (send/advance/expect/drain, pcap, ARP helpers,
oracle checks) is built on them:

    _inject(raw: bytes) -> None
        Deliver one Ethernet frame to the stack at the current time (self.now_us).
    _collect() -> list[bytes]
        Frames the stack has emitted up to the current time that were not yet
        collected (non-blocking: a real-time flavour waits a short settle time).
    _run_until(t_us: int) -> list[bytes]
        Let time pass up to t_us (virtual: set the clock and run due timers;
        real time: sleep until then), returning the frames emitted meanwhile.
        Afterwards self.now_us == t_us.
    _next_wakeup(limit_us: int) -> int | None
        Optional: the earliest time <= limit_us at which the stack has work
        (its next deadline), or None. A virtual-clock flavour returns it so
        advance() stops at every deadline and the frames emitted there are
        answered (e.g. automatic ARP replies) at the right time; a real-time
        flavour keeps the default (None) and just sleeps.
    _counters() -> dict | None
        The stack's counters by name, or None when the flavour cannot see them
        (then counter assertions skip the test instead of passing silently).

Flavours: ``SimWire`` (below) drives a ``seqs.Stack`` in-process with a virtual
microsecond clock; ``harness.tapwire.TapWire`` talks to the seqs-tap process
over a real TAP device in real time; ``harness.kernelwire.KernelWire`` puts the
Linux kernel in the stack's place, to check that the tests expect what a real
stack does.
"""
from __future__ import annotations

import os
from typing import Iterable

from scapy.layers.l2 import Ether, ARP
from scapy.packet import Packet

from . import oracle
from .match import expect_one, expect_none, match, mismatch, summarize

# Documentation addresses only (RFC 5737).
US = "192.0.2.2"
US_MAC = "02:00:00:00:00:01"
PEER = "192.0.2.1"           # also the default gateway
PEER_MAC = "02:00:00:00:00:fe"
OTHER = "192.0.2.7"          # another host on our subnet
OTHER_MAC = "02:00:00:00:00:07"
REMOTE = "198.51.100.9"      # off-link, reached through the gateway
SUBNET_BCAST = "192.0.2.255"
BCAST_MAC = "ff:ff:ff:ff:ff:ff"
PREFIX = 24


class Wire:
    """Flavour-independent wire. See the module docstring for the primitives."""

    our_mac = US_MAC

    def __init__(self, pcap_path: str | None = None, check: bool = True):
        self.now_us = 1_000_000
        self.check = check
        self.pcap = None
        self.pcap_path = pcap_path
        self.log: list[tuple[str, int, bytes]] = []   # ("in"|"out", t_us, bytes)
        self.responders: dict[str, str] = {}          # ip -> mac answered automatically
        self._reasm = oracle.Reassembler()
        self.problems: list[str] = []
        if pcap_path:
            self.pcap = _open_pcap(pcap_path)

    # --- primitives (a flavour implements these) -------------------------
    def _inject(self, raw: bytes) -> None:
        raise NotImplementedError

    def _collect(self) -> list[bytes]:
        raise NotImplementedError

    def _run_until(self, t_us: int) -> list[bytes]:
        raise NotImplementedError

    def _next_wakeup(self, limit_us: int) -> int | None:
        return None

    def _counters(self) -> dict | None:
        return None

    # --- recording and checking -------------------------------------------
    def _record(self, direction: str, raw: bytes):
        self.log.append((direction, self.now_us, raw))
        if self.pcap is not None:
            self.pcap.write(raw, self.now_us)

    def _check(self, raw: bytes):
        if not self.check:
            return
        probs = oracle.check_frame(raw, self.our_mac)
        if not probs and len(raw) >= 34 and raw[12:14] == b"\x08\x00":
            flags_off = int.from_bytes(raw[20:22], "big")
            if flags_off & 0x3FFF:  # a fragment: check the transport once reassembled
                whole = self._reasm.add(raw[14:])
                if whole is not None:
                    probs = ["reassembled: " + p for p in oracle.check_datagram(whole)]
        if probs:
            msg = f"stack emitted a malformed frame at t={self.now_us}us: {raw.hex()}\n  " + "\n  ".join(probs)
            self.problems.append(msg)
            raise AssertionError(msg)

    def _emitted(self, raws: Iterable) -> list[Packet]:
        out = []
        for item in raws:
            raw = bytes(item)
            self._record("out", raw)
            self._check(raw)
            pkt = Ether(raw)
            pkt.time = self.now_us / 1e6
            out.append(pkt)
        return self._answer_arp(out)

    def _answer_arp(self, frames: list[Packet]) -> list[Packet]:
        """Answer who-has for self.responders (the answer is logged, not returned)."""
        if not self.responders:
            return frames
        keep = []
        more = []
        for f in frames:
            if ARP in f and f[ARP].op == 1 and f[ARP].pdst in self.responders and f[ARP].psrc != "0.0.0.0":
                mac = self.responders[f[ARP].pdst]
                rep = Ether(src=mac, dst=f.src) / ARP(op=2, hwsrc=mac, psrc=f[ARP].pdst,
                                                        hwdst=f[ARP].hwsrc, pdst=f[ARP].psrc)
                raw = bytes(rep)
                self._record("in", raw)
                self._inject(raw)
                more.extend(self._collect())
            else:
                keep.append(f)
        if more:
            keep.extend(self._emitted(more))
        return keep

    # --- the test-facing API ---------------------------------------------
    def send(self, pkt, *more) -> list[Packet]:
        """Feed one or more frames (scapy packets or bytes) at the current time;
        return the frames the stack emitted in response, parsed as scapy Ether."""
        out = []
        for p in (pkt,) + more:
            raw = bytes(p)
            self._record("in", raw)
            self._inject(raw)
            out.extend(self._emitted(self._collect()))
        return out

    def drain(self) -> list[Packet]:
        """Frames pending at the current time (e.g. after a socket send)."""
        return self._emitted(self._collect())

    def advance(self, ms: float = 0, s: float = 0, us: int = 0) -> list[Packet]:
        """Let time pass, running the stack's timers; returns what it emitted
        meanwhile (each frame's .time is its emission time in seconds)."""
        return self.advance_to(self.now_us + int(us + ms * 1000 + s * 1_000_000))

    def advance_to(self, t_us: int) -> list[Packet]:
        if t_us < self.now_us:
            raise ValueError("time does not run backwards")
        out: list[Packet] = []
        idle_at_same_time = 0
        while True:
            nxt = self._next_wakeup(t_us)
            if nxt is None:
                break
            nxt = max(nxt, self.now_us)
            moved = nxt > self.now_us
            got = self._emitted(self._run_until(nxt))
            out.extend(got)
            if got or moved:
                idle_at_same_time = 0
            else:
                idle_at_same_time += 1
                if idle_at_same_time > 100:
                    raise AssertionError(f"stack deadline stuck at t={nxt}us with nothing to send")
        out.extend(self._emitted(self._run_until(t_us)))
        return out

    def exchange(self, pkt, template: Packet) -> Packet:
        """send(pkt) and expect exactly one emitted frame matching template."""
        return expect_one(self.send(pkt), template)

    def expect(self, template: Packet, frames: list | None = None, count: int | None = 1):
        """Frames (default: drain()) matching template. count=1: exactly one, returned
        itself; count=0: none (returns []); count=n: exactly n; count=None: at least one."""
        frames = self.drain() if frames is None else frames
        if count == 1:
            return expect_one(frames, template)
        if count == 0:
            expect_none(frames, template)
            return []
        hits = [f for f in frames if match(f, template)]
        if count is None:
            assert hits, f"no frame matching {template.summary()}:\n{summarize(frames)}"
        else:
            assert len(hits) == count, f"{len(hits)} frames match {template.summary()}, want {count}:\n{summarize(frames)}"
        return hits

    expect_one = staticmethod(expect_one)
    expect_none = staticmethod(expect_none)
    match = staticmethod(match)
    mismatch = staticmethod(mismatch)
    summarize = staticmethod(summarize)

    # --- counters ------------------------------------------------------------
    def counters(self) -> dict:
        c = self._counters()
        if c is None:
            import pytest
            pytest.skip("this wire flavour cannot read the stack's counters")
        return c

    def snapshot(self) -> dict | None:
        """Counters now, or None for a flavour without them (no skip): pair with
        assert_delta(), for tests whose frame-level part is worth running on any
        flavour (e.g. against Linux) while counters are checked where they exist."""
        return self._counters()

    def assert_delta(self, before: dict | None, **expected: int) -> None:
        """Each named counter rose by exactly the given amount since before
        (no-op when before is None, i.e. the flavour has no counters)."""
        if before is None:
            return
        d = self.delta(before)
        for name, n in expected.items():
            assert name in before, f"no counter named {name!r}"
            assert d.get(name, 0) == n, f"counter {name}: expected +{n}, delta {d}"

    def delta(self, before: dict) -> dict:
        """Counters that changed since before (name -> increase)."""
        now = self.counters()
        return {k: v - before.get(k, 0) for k, v in now.items() if v != before.get(k, 0)}

    def send_dropped(self, pkt, counter: str, n: int = 1) -> dict:
        """send(pkt) and assert: nothing emitted, and drop counter `counter` rose by n.
        Returns the counter delta for further assertions."""
        before = self.counters()
        assert counter in before, f"no counter named {counter!r}; have {sorted(before)}"
        frames = self.send(pkt)
        expect_none(frames)
        d = self.delta(before)
        assert d.get(counter, 0) == n, f"counter {counter}: expected +{n}, delta {d}"
        return d

    # --- ARP helpers ------------------------------------------------------------
    def resolve_peer(self, ip: str = PEER, mac: str = PEER_MAC, our_ip: str = US) -> None:
        """Put ip/mac in the stack's ARP cache the way a real peer would: it asks
        who-has our_ip (RFC 826: the target learns the sender), and the stack's
        reply must come back to it. Also answers the stack's own who-has for ip
        from now on."""
        req = Ether(src=mac, dst=BCAST_MAC) / ARP(op=1, hwsrc=mac, psrc=ip, hwdst="00:00:00:00:00:00", pdst=our_ip)
        expect_one(self.send(req), Ether(dst=mac) / ARP(op=2, psrc=our_ip, pdst=ip))
        self.responders[ip] = mac

    def answer_arp(self, ip: str, mac: str) -> None:
        """From now on answer the stack's who-has for ip with mac."""
        self.responders[ip] = mac

    def resolved_mac(self, ip: str, port: int = 9) -> str | None:
        """Observe the stack's ARP cache from outside: send a UDP datagram to
        ip:port and return the Ethernet destination it went to at once, or None
        when the stack had to broadcast a who-has for ip first (not cached)."""
        if getattr(self, "_probe_sock", None) is None:
            self._probe_sock = self.stack.udp_socket()
            self._probe_sock.bind(port=0)
        saved, self.responders = self.responders, {}
        try:
            self._probe_sock.sendto(b"cache-probe", (ip, port))
            frames = self.drain()
        finally:
            self.responders = saved
        for f in frames:
            if ARP in f and f[ARP].op == 1 and f[ARP].pdst == ip:
                return None
            if f.haslayer("UDP") and f["IP"].dst == ip:
                return f.dst.lower()
        raise AssertionError(f"sending to {ip} emitted neither a who-has nor the datagram:\n{summarize(frames)}")

    def _resolved_mac_by_echo(self, ip: str, port: int) -> str | None:
        """resolved_mac for flavours without the stack's socket API: an echo
        request from ip, framed by an unrelated MAC so nothing about ip's MAC is
        revealed, is answered straight to the cached MAC, or after a who-has when
        ip is not cached (then None). RFC 826 learns only from ARP, so the probe
        does not fill the cache; it counts as icmp_rx/icmp_tx_echo_reply."""
        from scapy.layers.inet import ICMP, IP
        probe = Ether(src="02:00:00:00:00:99", dst=self.our_mac) / IP(src=ip, dst=US) / \
            ICMP(type=8, id=0xcafe, seq=port) / b"cache-probe"
        saved, self.responders = self.responders, {}
        try:
            frames = self.send(probe)
        finally:
            self.responders = saved
        for f in frames:
            if ARP in f and f[ARP].op == 1 and f[ARP].pdst == ip:
                return None
            if f.haslayer("ICMP") and f["IP"].dst == ip:
                return f.dst.lower()
        raise AssertionError(f"an echo from {ip} produced neither a who-has nor a reply:\n{summarize(frames)}")

    # --- lifetime ----------------------------------------------------------------
    def close(self, keep_pcap: bool = True):
        if self.pcap is not None:
            _close_pcap(self.pcap)
            self.pcap = None
            if not keep_pcap and self.pcap_path and os.path.exists(self.pcap_path):
                os.unlink(self.pcap_path)


class SimWire(Wire):
    """A seqs.Stack in this process, driven on a virtual clock."""

    def __init__(self, stack=None, pcap_path: str | None = None, check: bool = True, **stack_kwargs):
        import seqs
        super().__init__(pcap_path=pcap_path, check=check)
        if stack is None:
            stack_kwargs.setdefault("mac", US_MAC)
            stack_kwargs.setdefault("seed", 1)
            stack = seqs.Stack(**stack_kwargs)
        self.stack = stack
        self.our_mac = str(getattr(stack, "mac", stack_kwargs.get("mac", US_MAC))).lower()
        stack.poll(self.now_us)  # the stack's "now" is the latest time it was given

    @property
    def addr_state(self) -> str:
        st = self.stack.addr_state
        return st() if callable(st) else st

    def configure(self, addr: str | None = f"{US}/{PREFIX}", gateway: str | None = PEER,
                  probe: bool = False, settle_s: float = 10) -> list[Packet]:
        """Give the stack its address and let it settle (announcements, probes)
        for settle_s seconds of virtual time; returns what it emitted meanwhile."""
        if addr:
            if gateway:
                self.stack.set_addr(addr, gateway=gateway, probe=probe)
            else:
                self.stack.set_addr(addr, probe=probe)
        return self.advance(s=settle_s) if settle_s else []

    def settle(self, max_s: float = 10) -> list[Packet]:
        """Let the start-up traffic pass and return it: RFC 5227 probes (with
        probe=True) and the two gratuitous ARP announcements, the second one 2 s
        (ANNOUNCE_INTERVAL) after the first. Advances virtual time from deadline
        to deadline until the address is bound and no timer is pending, or by
        at most max_s seconds. A test that starts before this sees an
        announcement in the middle of its exchange (e.g. before a SYN-ACK)."""
        end = self.now_us + int(max_s * 1_000_000)
        out: list[Packet] = []
        while self.now_us < end:
            d = self.stack.next_deadline()
            if self.addr_state not in ("tentative", "announcing") and d is None:
                break
            out.extend(self.advance_to(min(end, max(d if d is not None else end, self.now_us + 1))))
        return out

    def _inject(self, raw: bytes) -> None:
        self.stack.input(raw, self.now_us)

    def _collect(self) -> list[bytes]:
        return list(self.stack.output_all(self.now_us))

    def _run_until(self, t_us: int) -> list[bytes]:
        self.now_us = t_us
        self.stack.poll(t_us)
        return list(self.stack.output_all(t_us))

    def _next_wakeup(self, limit_us: int) -> int | None:
        d = self.stack.next_deadline()
        if d is None or d > limit_us:
            return None
        return d

    def _counters(self) -> dict:
        return dict(self.stack.counters())


def _open_pcap(path: str):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    try:
        import seqs
        w = seqs.PcapWriter(path)
        return _SeqsPcap(w)
    except (ImportError, AttributeError):
        from scapy.utils import PcapWriter
        return _ScapyPcap(PcapWriter(path, linktype=1, sync=False))


class _SeqsPcap:
    def __init__(self, w):
        self.w = w

    def write(self, raw: bytes, t_us: int):
        self.w.write(raw, t_us)

    def close(self):
        for name in ("close", "flush"):
            fn = getattr(self.w, name, None)
            if fn:
                fn()
                return


class _ScapyPcap:
    def __init__(self, w):
        self.w = w

    def write(self, raw: bytes, t_us: int):
        p = Ether(raw)
        p.time = t_us / 1e6
        self.w.write(p)

    def close(self):
        self.w.close()


def _close_pcap(p):
    p.close()
