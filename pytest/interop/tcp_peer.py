# SPDX-License-Identifier: BSD-3-Clause
"""Linux-side TCP helpers of the interop suite: kernel sockets inside the peer's
namespace, byte streams, SHA-256 (Python's hashlib: independent of seqs-tap's
own SHA-256, which reports what seqs sent and received), and time limits that
fail with a clear message instead of hanging."""
from __future__ import annotations

import hashlib
import json
import random
import socket
import threading
import time

from harness.tapwire import in_netns
from interop_peer import SEQS_IP

MIB = 1 << 20


def pattern(n: int, off: int = 0) -> bytes:
    """What seqs-tap sends (--tcp-source, --tcp-client): byte i of the stream is i mod 251."""
    period = bytes(range(251))
    start = off % 251
    reps = (start + n) // 251 + 1
    return (period * reps)[start:start + n]


def random_bytes(n: int, seed: int) -> bytes:
    """What Linux sends: seeded pseudo-random bytes (no period for a misplaced segment to hide in)."""
    return random.Random(seed).randbytes(n)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def report(name, **numbers):
    print(f"\nINTEROP {name}: " + json.dumps(numbers))


def service(final, name):
    return next(s for s in final["services"] if s["service"] == name)


def mbit_s(nbytes: int, seconds: float) -> float:
    return round(8 * nbytes / seconds / 1e6, 1) if seconds > 0 else float("inf")


class Deadline:
    """A time budget for one test: left() for socket timeouts, check() fails
    with a message naming the step that ran out of time."""

    def __init__(self, seconds: float, what: str):
        self.end = time.monotonic() + seconds
        self.seconds = seconds
        self.what = what

    def left(self) -> float:
        return max(0.1, self.end - time.monotonic())

    def check(self, step: str) -> None:
        if time.monotonic() > self.end:
            raise AssertionError(f"{self.what}: took longer than {self.seconds} s (at: {step})")


def connect(ns_name: str, port: int, timeout: float, ip: str = SEQS_IP) -> socket.socket:
    with in_netns(ns_name):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((ip, port))
    return s


def listen(ns_name: str, port: int, backlog: int = 16) -> socket.socket:
    with in_netns(ns_name):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))   # the tap (and LINUX_IP) appears only once seqs-tap runs
    ls.listen(backlog)
    return ls


def recv_all(s: socket.socket, limit: int | None = None, deadline: "Deadline | None" = None,
             step: str = "receive") -> tuple[bytes, float | None]:
    """Reads until EOF (or limit bytes); returns the bytes and the time the first
    byte came. With a deadline, fails once it is over."""
    buf = bytearray()
    first = None
    while limit is None or len(buf) < limit:
        if deadline is not None:
            deadline.check(f"{step}, {len(buf)} bytes so far")
            s.settimeout(deadline.left())
        chunk = s.recv(1 << 18 if limit is None else min(1 << 18, limit - len(buf)))
        if not chunk:
            break
        if first is None:
            first = time.monotonic()
        buf += chunk
    return bytes(buf), first


def send_and_close_write(s: socket.socket, data: bytes) -> None:
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)


class Thread(threading.Thread):
    """A thread whose exception is re-raised by join_checked()."""

    def __init__(self, fn, *args):
        super().__init__(daemon=True)
        self.fn, self.args, self.result, self.exc = fn, args, None, None

    def run(self):
        try:
            self.result = self.fn(*self.args)
        except BaseException as e:   # handed to the test
            self.exc = e

    def join_checked(self, timeout: float, what: str):
        self.join(timeout)
        if self.is_alive():
            raise AssertionError(f"{what}: still running after {timeout:.1f} s")
        if self.exc is not None:
            raise self.exc
        return self.result


def tcp_errors(peer) -> dict:
    """Linux's verdict on what seqs sent: non-zero error counters only (bad
    segments, and connections that ended by a reset rather than a clean close)."""
    n = peer.nstat()
    return {k: n[k] for k in ("TcpInErrs", "TcpInCsumErrors", "IpInHdrErrors", "IpInAddrErrors", "TcpEstabResets",
                              "TcpAttemptFails", "TcpExtTCPAbortOnData", "TcpExtTCPAbortOnClose") if n.get(k)}


def assert_seqs_reset_nothing_live(counters: dict) -> None:
    """seqs reset no live connection. It may answer with RST a segment that found
    no connection (RFC 9293 3.10.7.1/3.10.7.2): e.g. Linux in TIME-WAIT re-ACKing a
    FIN that seqs retransmitted after an RTO, arriving after seqs (LAST-ACK) closed.
    A RST into a live Linux connection shows in Linux's TcpEstabResets (tcp_errors)."""
    c = counters
    assert c["tcp_conn_reset"] == 0, "a live seqs connection was reset"
    assert c["tcp_tx_rst"] <= c["tcp_drop_no_socket"] + c["tcp_drop_listen"], \
        {k: c[k] for k in ("tcp_tx_rst", "tcp_drop_no_socket", "tcp_drop_listen")}


def wait_idle(proc, names, deadline: Deadline, step: str = "connections closing") -> dict:
    """Polls seqs-tap's report until the named TCP services have no open
    connection left; returns that snapshot."""
    while True:
        snap = proc.snapshot()
        busy = {n: service(snap, n)["active"] for n in names if service(snap, n)["active"]}
        if not busy:
            return snap
        if time.monotonic() > deadline.end:
            raise AssertionError(f"{deadline.what}: connections still open at the deadline ({step}): {busy}")
        time.sleep(0.05)
