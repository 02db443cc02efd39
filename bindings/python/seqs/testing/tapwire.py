# SPDX-License-Identifier: BSD-3-Clause
"""Real Linux peers for seqs: network namespaces, the seqs-tap process, and the
TAP flavour of the conformance Wire.

    Netns(name)            an `ip netns` namespace, deleted on close()
    SeqsTap(...)           runs build/tools/seqs-tap (one stack on a TAP device
                           inside a netns); waits for its `ready` line; counters()
                           (SIGUSR1 snapshot) and stop() (final JSON line)
    TapWire(...)           harness.wire.Wire over a real TAP device

TapWire
-------
The stack under test is the real ``seqs-tap`` binary (the C event loop that
serves Linux peers), not an in-process ``seqs.Stack``. Its TAP device lives in
a private network namespace whose kernel end has no address and IPv6 disabled,
so the kernel stays silent. The test plays the peer through an AF_PACKET socket
bound to the kernel end of the device: a frame it sends crosses the kernel's
TAP driver into seqs-tap's fd; what seqs-tap writes comes back through the same
driver. Nothing is simulated between the test and the stack.

It implements the Wire primitives in real time:
    _inject     send() on the packet socket
    _collect    read frames until the wire has been quiet for ``settle_s``
    _run_until  sleep (reading frames) until the monotonic clock reaches t_us
    _counters   SIGUSR1 to seqs-tap, which prints a JSON counter snapshot
``now_us`` is the monotonic clock (offset so a wire starts at 1 s like SimWire).

What it can run: conformance tests that exchange frames at "now" and look at
counters — Ethernet filtering (E1, E2), ARP replies and learning (A1-A4, A8),
ICMP echo incl. fragmented, drops and errors (C1-C3, C5-C7), IPv4 header
validation drops (I1-I5, I7, I8, I10, I12 tiny fragment), and UDP to closed
ports (U3) — plus anything a seqs-tap service answers (UDP echo on port 7).
pytest/interop/test_tapwire_conformance.py lists the 45 functions (59 cases) we run.
Short advance() calls work (they sleep in real time).
What it cannot run: tests that advance a virtual clock to prove a timer (ARP
retry/aging, reassembly timeout, RFC 5227 timing, ICMP rate limit, RTO,
TIME_WAIT: real time would make them slow and racy), tests that need exact
emission times, tests that build their own stack (make_wire with options) and
tests that call the stack's socket API (``wire.stack`` does not exist here: the
stack lives in another process). Those fail with AttributeError, so the list is
explicit rather than discovered.
"""
from __future__ import annotations

import ctypes
import json
import os
import queue
import select
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from .wire import Wire, US, US_MAC, PEER, PREFIX

CLONE_NEWNET = 0x40000000
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4

_libc = ctypes.CDLL(None, use_errno=True)


def build_dir() -> Path | None:
    """The CMake build tree of seqs: $SEQS_BUILD_DIR, else the tree this module was
    copied into (<build>/python/seqs/testing/), else None (an installed package)."""
    if os.environ.get("SEQS_BUILD_DIR"):
        return Path(os.environ["SEQS_BUILD_DIR"])
    here = Path(__file__).resolve().parents[3]
    return here if (here / "CMakeCache.txt").exists() else None


def built_seqs_tap() -> Path:
    """Where the seqs-tap executable is: $SEQS_TAP, else <build>/tools/seqs-tap (see
    build_dir()), else `seqs-tap` on PATH (cmake --install puts it in <prefix>/bin)."""
    if os.environ.get("SEQS_TAP"):
        return Path(os.environ["SEQS_TAP"])
    b = build_dir()
    if b is not None:
        return b / "tools" / "seqs-tap"
    import shutil
    found = shutil.which("seqs-tap")
    return Path(found) if found else Path("seqs-tap-not-found")   # callers skip when it does not exist


_snapshots: dict[Path, Path] = {}


def seqs_tap_binary() -> Path:
    """The seqs-tap the tests run: a private copy of built_seqs_tap(), taken
    once per process.

    Why a copy: the build directory is shared, and a rebuild while a test run
    is in progress replaces the executable under it. The linker writes the new
    file in place; a test that execs it in that moment runs a partly written
    ELF, which dies (SIGSEGV) before printing anything — seen as four
    consecutive test_clients.py failures under load ("'NoneType' object has no
    attribute 'startswith'" in SeqsTap.start, the end-of-output marker taken
    for a line). The copy is only taken from a file that has stopped changing
    and that runs (`--help` exits 0), so one run tests one binary throughout.
    SEQS_TAP_NO_COPY=1 runs the built file directly."""
    src = built_seqs_tap()
    if os.environ.get("SEQS_TAP_NO_COPY") == "1" or not src.exists():
        return src          # callers skip when it does not exist
    if src in _snapshots:
        return _snapshots[src]
    import atexit
    import shutil
    import tempfile
    last = "no attempt"
    for _ in range(60):
        try:
            st = src.stat()
            if time.time() - st.st_mtime < 2.0:
                last = "the file was modified less than 2 s ago (being linked?)"
                time.sleep(0.5)
                continue
            data = src.read_bytes()
            if src.stat().st_mtime_ns != st.st_mtime_ns or len(data) != st.st_size:
                last = "the file changed while being copied"
                continue
        except FileNotFoundError:
            last = "the file disappeared (being relinked?)"
            time.sleep(0.5)
            continue
        d = Path(tempfile.mkdtemp(prefix="seqs-tap-run-"))
        atexit.register(shutil.rmtree, d, True)
        dst = d / "seqs-tap"      # same name: messages say "seqs-tap: ..."
        dst.write_bytes(data)
        dst.chmod(0o755)
        r = subprocess.run([str(dst), "--help"], capture_output=True, timeout=10)
        if r.returncode == 0:
            _snapshots[src] = dst
            return dst
        last = f"the copy does not run (`--help` exit status {r.returncode})"
        shutil.rmtree(d, True)
        time.sleep(0.5)
    raise RuntimeError(f"cannot take a usable copy of {src}: {last}")


def _setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"setns: {os.strerror(e)}")


class in_netns:
    """Context manager: this thread runs in netns `name` inside the block.
    Sockets created inside keep that namespace after the block ends."""

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        self.home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        target = os.open(f"/var/run/netns/{self.name}", os.O_RDONLY)
        try:
            _setns(target)
        except BaseException:
            os.close(self.home)
            raise
        finally:
            os.close(target)
        return self

    def __exit__(self, *exc):
        try:
            _setns(self.home)
        finally:
            os.close(self.home)
        return False


_counter = 0


def unique_names(prefix: str = "sq") -> tuple[str, str]:
    """A (netns, tap) name pair unique to this process; tap names fit IFNAMSIZ."""
    global _counter
    _counter += 1
    tag = f"{os.getpid() % 100000}x{_counter}"
    return f"seqs-{prefix}-{tag}", f"{prefix}{tag}"[:15]


class Netns:
    """A network namespace of our own; close() deletes it (and every device in it)."""

    def __init__(self, name: str):
        self.name = name
        subprocess.run(["ip", "netns", "del", name], capture_output=True)
        subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True)
        self.run(["ip", "link", "set", "lo", "up"])

    def run(self, argv, check=True, timeout=60, text=True, **kw) -> subprocess.CompletedProcess:
        """Runs argv inside the namespace, capturing its output (bytes if text=False)."""
        return subprocess.run(["ip", "netns", "exec", self.name, *argv], check=check, timeout=timeout,
                              capture_output=True, text=text, **kw)

    def popen(self, argv, **kw) -> subprocess.Popen:
        return subprocess.Popen(["ip", "netns", "exec", self.name, *argv], **kw)

    def sysctl(self, key: str, value) -> None:
        self.run(["sysctl", "-qw", f"{key}={value}"])

    def nstat(self) -> dict[str, int]:
        """Linux's absolute SNMP counters in this namespace (nstat -az)."""
        out = self.run(["nstat", "-a", "-z", "-s", "--json"]).stdout
        data = json.loads(out)
        table = data.get("kernel", data)
        return {k: int(v) for k, v in table.items()}

    def close(self) -> None:
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)


class SeqsTap:
    """One seqs-tap process. Arguments mirror its command line; `extra` is
    appended verbatim (e.g. ["--udp-echo", "7"]). start() returns once the
    `ready` line arrived."""

    def __init__(self, tap: str, netns: str | None, mac: str = US_MAC, ip: str = f"{US}/{PREFIX}",
                 gw: str | None = None, extra=(), binary: Path | None = None):
        self.argv = [str(binary or seqs_tap_binary()), "--tap", tap, "--mac", mac, "--ip", ip]
        if netns:
            self.argv += ["--netns", netns]
        if gw:
            self.argv += ["--gw", gw]
        self.argv += list(extra)
        self.proc: subprocess.Popen | None = None
        self.lines: queue.Queue = queue.Queue()
        self.ready_line: str | None = None
        self.final: dict | None = None
        self.stderr = ""

    def start(self, timeout: float = 10.0) -> "SeqsTap":
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self._reader, daemon=True).start()
        self._err_thread = threading.Thread(target=self._err_reader, daemon=True)
        self._err_thread.start()
        deadline = time.monotonic() + timeout
        why = f"no `ready` line within {timeout} s"
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                # stdout closed: the process ended (or closed it) before `ready`.
                # Its status and stderr say why; never mistake the end marker for a line.
                why = "exited before `ready`"
                break
            if line.startswith("ready "):
                self.ready_line = line
                return self
        self.kill()
        try:
            rc = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            rc = None
        self._err_thread.join(timeout=5)
        raise RuntimeError(f"seqs-tap {why}: rc={rc} argv={self.argv} stderr={self.stderr!r}")

    def _reader(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def _err_reader(self):
        for line in self.proc.stderr:
            self.stderr += line

    def _next_json(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no counters line from seqs-tap")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                self.lines.put(None)   # keep the end marker for later calls
                raise RuntimeError(f"seqs-tap exited (rc={self.proc.poll()}), stderr={self.stderr!r}")
            if line.startswith("{"):
                return json.loads(line)

    def snapshot(self, timeout: float = 5.0) -> dict:
        """The whole JSON report of the running process (SIGUSR1)."""
        self.proc.send_signal(signal.SIGUSR1)
        return self._next_json(timeout)

    def counters(self) -> dict:
        """The stack's counters by name, now."""
        return self.snapshot()["counters"]

    def stop(self, timeout: float = 10.0) -> dict:
        """SIGTERM; returns the final JSON report and checks the exit status is 0."""
        if self.final is not None:
            return self.final
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.final = self._next_json(timeout)
        rc = self.proc.wait(timeout=timeout)
        if rc != 0:
            raise RuntimeError(f"seqs-tap exited with {rc}: {self.stderr}")
        return self.final

    def wait_final(self, timeout: float) -> dict:
        """For --duration runs: waits for the process to end by itself."""
        self.final = self._next_json(timeout)
        rc = self.proc.wait(timeout=timeout)
        if rc != 0:
            raise RuntimeError(f"seqs-tap exited with {rc}: {self.stderr}")
        return self.final

    def wait(self, timeout: float = 10.0) -> int:
        """Waits for the process to exit; returns its status with self.stderr complete."""
        rc = self.proc.wait(timeout=timeout)
        self._err_thread.join(timeout=timeout)
        return rc

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass


class TapWire(Wire):
    """The conformance Wire over a real TAP device and a real seqs-tap process.
    See the module docstring for what it can and cannot run.

    It owns its namespace and process: close() stops seqs-tap, checks that it
    exited cleanly and deletes the namespace."""

    def __init__(self, pcap_path: str | None = None, check: bool = True, settle_s: float = 0.03,
                 mac: str = US_MAC, services=("--udp-echo", "7"), extra=()):
        super().__init__(pcap_path=pcap_path, check=check)
        self.our_mac = mac
        self.settle_s = settle_s
        self.services = list(services)
        self.extra = list(extra)
        self.ns_name, self.tap_name = unique_names("tw")
        self.ns: Netns | None = None
        self.proc: SeqsTap | None = None
        self.sock: socket.socket | None = None
        self._t0 = time.monotonic_ns() // 1000 - self.now_us
        self.final: dict | None = None

    # time -------------------------------------------------------------------
    def _now(self) -> int:
        return time.monotonic_ns() // 1000 - self._t0

    def _tick(self) -> None:
        self.now_us = self._now()

    def configure(self, addr: str | None = f"{US}/{PREFIX}", gateway: str | None = PEER,
                  probe: bool = False, settle_s: float = 0.2, gratuitous: bool = False) -> list:
        """Starts seqs-tap with this address. Without `gratuitous` the stack does
        not announce itself, so no unsolicited frame disturbs the tests; with it,
        give settle_s long enough for the announcements. Returns what the stack
        emitted while settling."""
        if not addr:
            raise ValueError("seqs-tap needs an address")
        self.ns = Netns(self.ns_name)
        extra = ["--no-pad"] + self.services + self.extra
        if probe:
            extra.append("--probe")
        if not gratuitous:
            extra.append("--no-gratuitous")
        self.proc = SeqsTap(self.tap_name, self.ns_name, mac=self.our_mac, ip=addr, gw=gateway, extra=extra)
        self.proc.start()
        with in_netns(self.ns_name):
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((self.tap_name, 0))
        s.setblocking(False)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock = s
        self._tick()
        return self.advance(s=settle_s)

    # primitives -------------------------------------------------------------
    def _read_until(self, t_end_us: int, quiet_us: int | None) -> list[bytes]:
        """Reads stack frames until t_end_us, or (with quiet_us) until the wire
        has been silent that long."""
        got: list[bytes] = []
        last = self._now()
        while True:
            now = self._now()
            limit = t_end_us if quiet_us is None else min(t_end_us, last + quiet_us)
            if now >= limit:
                break
            r, _, _ = select.select([self.sock], [], [], (limit - now) / 1e6)
            if not r:
                continue
            while True:
                try:
                    data, addr = self.sock.recvfrom(65536)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue   # our own injection, seen on its way out
                got.append(data)
                last = self._now()
        return got

    def _inject(self, raw: bytes) -> None:
        self._tick()
        self.sock.send(raw)

    def _collect(self) -> list[bytes]:
        frames = self._read_until(self._now() + 2_000_000, int(self.settle_s * 1e6))
        self._tick()
        return frames

    def _run_until(self, t_us: int) -> list[bytes]:
        frames = self._read_until(t_us, None)
        self.now_us = max(t_us, self._now())
        return frames

    def _counters(self) -> dict:
        return dict(self.proc.counters())

    def resolved_mac(self, ip: str, port: int = 9) -> str | None:
        """The stack's ARP cache seen from outside, without its socket API: an
        echo request from ip (sent from an unrelated MAC, so nothing about ip's
        MAC is revealed) makes the stack answer ip — straight to the cached MAC,
        or after a who-has when ip is not cached (then None). RFC 826 learns
        only from ARP, so the probe itself does not fill the cache; it does
        count as icmp_rx/icmp_tx_echo_reply."""
        return self._resolved_mac_by_echo(ip, port)

    # lifetime ---------------------------------------------------------------
    def close(self, keep_pcap: bool = True):
        try:
            if self.sock is not None:
                self.sock.close()
                self.sock = None
            if self.proc is not None and self.proc.proc is not None:
                try:
                    self.final = self.proc.stop()
                finally:
                    self.proc.kill()
        finally:
            if self.ns is not None:
                self.ns.close()
                self.ns = None
            super().close(keep_pcap=keep_pcap)
