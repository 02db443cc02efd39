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

    def _open_tap(self) -> int:
        own = os.open("/proc/self/ns/net", os.O_RDONLY)
        target = os.open(f"/var/run/netns/{self.ns}", os.O_RDONLY)
        try:
            _setns(target)
            try:
                fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
                fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", self.dev.encode(), IFF_TAP | IFF_NO_PI))
            finally:
                _setns(own)
        finally:
            os.close(own)
            os.close(target)
        return fd

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
        from scapy.layers.inet import IP, ICMP
        from scapy.layers.l2 import Ether, ARP
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
            if ICMP in f and f[IP].dst == ip:
                return f.dst.lower()
        raise AssertionError(f"an echo from {ip} produced neither a who-has nor a reply:\n{self.summarize(frames)}")

    @property
    def addr_state(self) -> str:
        return "bound"

    def close(self, keep_pcap: bool = True):
        try:
            if self.fd is not None:
                os.close(self.fd)
                self.fd = None
            subprocess.run(["ip", "netns", "del", self.ns], capture_output=True, timeout=20)
        finally:
            super().close(keep_pcap=keep_pcap)
