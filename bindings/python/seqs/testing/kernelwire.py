# SPDX-License-Identifier: BSD-3-Clause
"""KernelWire: the Linux kernel as the device under test, to check the TESTS.

CONFORMANCE.md: "where a row can also be checked against the Linux kernel in a
network namespace, do it there too -- if Linux disagrees with the test, the
test is probably wrong." A KernelWire is a Wire flavour whose stack is Linux:
a TAP device in a private network namespace carries our address
(192.0.2.2/24, MAC 02:00:00:00:00:01, default route via 192.0.2.1), and the
test plays the peer by writing frames into the TAP fd (the kernel receives
them) and reading the frames the kernel transmits. The same conformance test
functions then run unchanged against Linux (pytest/conformance/test_linux_oracle.py).

Primitives (see harness.wire):
    _inject     os.write() on the TAP fd
    _collect    read frames until the fd has been quiet for settle_s
    _run_until  real time: read frames until the monotonic clock reaches t_us
    _counters   None: Linux's counters have other names. send_dropped() then
                checks only that nothing was emitted.
``wire.stack`` is a small stand-in (KernelStack) offering the part of the seqs
socket API the UDP tests use -- udp_socket() with bind/connect/send/sendto/
sendmsg(src=)/recvfrom()/error()/close() -- implemented with real sockets
created inside the namespace (IP_PKTINFO for the destination address and the
source of sendmsg, IP_RECVERR for ICMP errors), so socket-level tests can
be checked against Linux too.
The namespace is configured so Linux applies the same documented choices as
seqs where Linux has a knob: IPv6 off (silence), drop_unicast_in_l2_multicast=1
(I7), accept_source_route=0 (I10), rp_filter=1 (I5: a subnet-broadcast source is
only refused by Linux's source validation), ICMP rate limits off (tests that
prove rate limiting are not run on Linux), icmp_echo_ignore_broadcasts=1 (C4).
Needs root (ip netns, /dev/net/tun).
"""
from __future__ import annotations

import ctypes
import fcntl
import os
import select
import struct
import subprocess
import time
import uuid

from .wire import Wire, US, US_MAC, PEER, PREFIX

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000

_libc = ctypes.CDLL(None, use_errno=True)


def _setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"setns: {os.strerror(e)}")


def available() -> str | None:
    """None when a KernelWire can be made here, else the reason it cannot."""
    if os.geteuid() != 0:
        return "needs root (ip netns, /dev/net/tun)"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun"
    if subprocess.run(["ip", "-V"], capture_output=True).returncode != 0:
        return "no iproute2"
    return None


class KernelWire(Wire):
    """Linux in a network namespace, behind a TAP device, as the stack under test."""

    def __init__(self, pcap_path: str | None = None, check: bool = True, settle_s: float = 0.03,
                 addr: str = f"{US}/{PREFIX}", gateway: str | None = PEER):
        super().__init__(pcap_path=pcap_path, check=check)
        self.settle_us = int(settle_s * 1e6)
        self.ns = "sqk" + uuid.uuid4().hex[:8]
        self.dev = "sqk0"
        self.fd = None
        self._t0 = time.monotonic_ns() // 1000 - 1_000_000
        self._run(["ip", "netns", "add", self.ns])
        try:
            self._setup(addr, gateway)
        except BaseException:
            self.close()
            raise
        self.now_us = self._now()
        self.stack = KernelStack(self)

    # --- namespace plumbing ----------------------------------------------------
    def _run(self, argv, check=True):
        r = subprocess.run(argv, capture_output=True, text=True, timeout=20)
        if check and r.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed: {r.stderr.strip()}")
        return r

    def nsrun(self, *argv, check=True):
        return self._run(["ip", "netns", "exec", self.ns, *argv], check=check)

    def sysctl(self, key, value):
        self.nsrun("sysctl", "-q", "-w", f"{key}={value}")

    def _setup(self, addr, gateway):
        for k, v in [("net.ipv6.conf.all.disable_ipv6", 1), ("net.ipv6.conf.default.disable_ipv6", 1),
                     ("net.ipv4.conf.all.rp_filter", 1), ("net.ipv4.conf.default.rp_filter", 1),
                     ("net.ipv4.conf.all.drop_unicast_in_l2_multicast", 1),
                     ("net.ipv4.conf.default.drop_unicast_in_l2_multicast", 1),
                     ("net.ipv4.conf.all.accept_source_route", 0), ("net.ipv4.conf.default.accept_source_route", 0),
                     ("net.ipv4.icmp_ratelimit", 0), ("net.ipv4.icmp_msgs_per_sec", 100000),
                     ("net.ipv4.icmp_echo_ignore_broadcasts", 1), ("net.ipv4.conf.all.arp_notify", 0),
                     ("net.ipv4.conf.default.arp_notify", 0)]:
            self.sysctl(k, v)
        self.nsrun("ip", "tuntap", "add", "dev", self.dev, "mode", "tap")
        self.nsrun("ip", "link", "set", self.dev, "address", US_MAC)
        self.fd = self._open_tap()
        self.nsrun("ip", "addr", "add", addr, "dev", self.dev)
        self.nsrun("ip", "link", "set", self.dev, "up")
        if gateway:
            self.nsrun("ip", "route", "add", "default", "via", gateway)
        # let link-up chatter (if any) pass, then start clean
        time.sleep(0.05)
        self._read_until(self._now() + 50_000, quiet_us=None)

    def in_ns(self, fn):
        """Runs fn() with this thread inside the namespace (sockets and fds made
        there stay bound to it)."""
        own = os.open("/proc/self/ns/net", os.O_RDONLY)
        target = os.open(f"/var/run/netns/{self.ns}", os.O_RDONLY)
        try:
            _setns(target)
            try:
                return fn()
            finally:
                _setns(own)
        finally:
            os.close(own)
            os.close(target)

    def _open_tap(self) -> int:
        def op():
            fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
            fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", self.dev.encode(), IFF_TAP | IFF_NO_PI))
            return fd
        return self.in_ns(op)

    # --- primitives -------------------------------------------------------------
    def _now(self) -> int:
        return time.monotonic_ns() // 1000 - self._t0

    def _read_until(self, t_end_us: int, quiet_us: int | None) -> list[bytes]:
        out = []
        last = self._now()
        while True:
            now = self._now()
            if now >= t_end_us:
                break
            if quiet_us is not None and now - last >= quiet_us:
                break
            wait = (t_end_us - now) if quiet_us is None else min(t_end_us - now, quiet_us - (now - last))
            r, _, _ = select.select([self.fd], [], [], max(wait, 0) / 1e6)
            if not r:
                continue
            while True:
                try:
                    out.append(os.read(self.fd, 65536))
                except BlockingIOError:
                    break
            last = self._now()
        self.now_us = self._now()
        return out

    def _inject(self, raw: bytes) -> None:
        self.now_us = self._now()
        os.write(self.fd, raw)

    def _collect(self) -> list[bytes]:
        return self._read_until(self._now() + 2_000_000, quiet_us=self.settle_us)

    def _run_until(self, t_us: int) -> list[bytes]:
        return self._read_until(t_us, quiet_us=None)

    def _counters(self):
        return None

    def send_dropped(self, pkt, counter: str, n: int = 1) -> dict:
        """Linux has no seqs counters: only check that nothing was emitted."""
        self.expect_none(self.send(pkt))
        return {}

    def resolved_mac(self, ip: str, port: int = 9) -> str | None:
        """The kernel's neighbour table seen from outside (no socket API here): an
        echo request from ip, framed by an unrelated MAC, is answered straight to
        the cached MAC, or after a who-has when ip is not cached (then None)."""
        return self._resolved_mac_by_echo(ip, port)

    @property
    def addr_state(self) -> str:
        return "bound"

    def close(self, keep_pcap: bool = True):
        try:
            for sk in list(getattr(getattr(self, "stack", None), "sockets", [])):
                sk.close()
            if self.fd is not None:
                os.close(self.fd)
                self.fd = None
            subprocess.run(["ip", "netns", "del", self.ns], capture_output=True, timeout=20)
        finally:
            super().close(keep_pcap=keep_pcap)


# --- the socket stand-in -----------------------------------------------------------
import socket as _socket

IP_PKTINFO = 8
IP_RECVERR = 11
SO_EE_ORIGIN_ICMP = 2


class KernelError(Exception):
    """A socket call Linux refused (stands in for seqs.SeqsError)."""


def _seqs_error():
    try:
        import seqs
        return seqs.SeqsError
    except Exception:  # pragma: no cover - seqs not built: tests only see KernelError
        return KernelError


class KernelStack:
    """The slice of seqs.Stack the conformance UDP tests use, over Linux sockets."""

    def __init__(self, wire: "KernelWire"):
        self.wire = wire
        self.sockets: list = []
        self.mac = US_MAC

    def udp_socket(self, rxbuf: int = 8192) -> "KernelUdpSocket":
        s = KernelUdpSocket(self.wire, rxbuf)
        self.sockets.append(s)
        return s


class KernelUdpSocket:
    def __init__(self, wire, rxbuf):
        self.wire = wire
        self.sock = wire.in_ns(lambda: _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM))
        self.sock.setblocking(False)
        self.sock.setsockopt(_socket.SOL_IP, IP_PKTINFO, 1)
        self.sock.setsockopt(_socket.SOL_IP, IP_RECVERR, 1)
        self.sock.setsockopt(_socket.SOL_SOCKET, _socket.SO_BROADCAST, 1)
        self.sock.setsockopt(_socket.SOL_SOCKET, _socket.SO_RCVBUF, max(rxbuf, 256))

    def _call(self, fn, *a):
        try:
            return fn(*a)
        except OSError as e:
            raise _seqs_error()(f"Linux: {e}") from None

    def bind(self, port=0, addr="0.0.0.0"):
        self._call(self.sock.bind, (addr or "0.0.0.0", port))

    @property
    def local_port(self):
        return self.sock.getsockname()[1]

    def connect(self, addr, port):
        self._call(self.sock.connect, (addr, port))

    def send(self, data):
        return self._call(self.sock.send, data)

    def sendto(self, data, address):
        return self._call(self.sock.sendto, data, address)

    def sendmsg(self, data, address=None, src=None):
        anc = []
        if src is not None:
            anc = [(_socket.SOL_IP, IP_PKTINFO, struct.pack("=I4s4s", 0, _socket.inet_aton(src), bytes(4)))]
        if address is None:
            return self._call(self.sock.sendmsg, [data], anc)
        return self._call(self.sock.sendmsg, [data], anc, 0, address)

    def recvfrom(self):
        for _ in range(4):
            try:
                data, anc, flags, addr = self.sock.recvmsg(65536, 256, _socket.MSG_DONTWAIT)
            except BlockingIOError:
                return None
            except OSError:
                continue  # a pending ICMP error is reported once by recv: skip it like seqs does
            dst = None
            for level, typ, val in anc:
                if level == _socket.SOL_IP and typ == IP_PKTINFO:
                    dst = _socket.inet_ntoa(val[8:12])
            return data, addr, dst
        return None

    def error(self):
        try:
            data, anc, flags, addr = self.sock.recvmsg(512, 512, _socket.MSG_ERRQUEUE | _socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError):
            return None
        for level, typ, val in anc:
            if level == _socket.SOL_IP and typ == IP_RECVERR:
                ee_errno, origin, etype, code, _pad, info, _data = struct.unpack("=IBBBBII", val[:16])
                if origin != SO_EE_ORIGIN_ICMP:
                    continue
                self.sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_ERROR)  # clear it
                return dict(type=etype, code=code, addr=addr[0], port=addr[1],
                            mtu=info if (etype, code) == (3, 4) else 0, err=OSError(ee_errno, os.strerror(ee_errno)))
        return None

    @property
    def pending(self):
        return 0

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None
