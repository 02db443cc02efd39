# SPDX-License-Identifier: BSD-3-Clause
"""The seqs DHCP client against dnsmasq, a real DHCP server, in a network namespace.

- seqs-tap --dhcp: the lease is obtained (dnsmasq's lease file shows it), then used by Linux ping
  and a TCP echo; a T1 renewal is acknowledged (dnsmasq is told to send T1 = 10 s as option 58, so
  the test needs no 60 s wait for the 2-minute minimum lease's default T1).
- INIT-REBOOT/NAK: with --dhcp-authoritative a wrong INIT-REBOOT address is NAKed, the client goes
  back to INIT and gets a new lease. seqs-tap has no INIT-REBOOT option, so this test drives
  seqs.DhcpClient (Python bindings, real time) over a TAP device of its own.

Bounded: every wait has a deadline; dnsmasq and seqs-tap are killed at the end."""
from __future__ import annotations

import fcntl
import json
import os
import queue
import shutil
import socket
import struct
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from harness.tapwire import Netns, SeqsTap, unique_names
from interop_peer import LINUX_IP, need_binary, need_root

MAC = "02:00:00:00:00:57"
RANGE = ("192.0.2.50", "192.0.2.59")


def need_dnsmasq():
    if not shutil.which("dnsmasq"):
        pytest.skip("dnsmasq not installed (apt-get install dnsmasq-base)")


class Dnsmasq:
    """A DHCP-only dnsmasq on one interface of a namespace (PLATFORM-NOTES flags)."""

    def __init__(self, ns: Netns, iface: str, tmp: Path, extra=()):
        self.leasefile = tmp / "leases"
        self.log = tmp / "dnsmasq.log"
        argv = ["dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--user=root", "--port=0",
                f"--interface={iface}", "--bind-interfaces", f"--dhcp-range={RANGE[0]},{RANGE[1]},255.255.255.0,2m",
                "--no-ping", "--dhcp-authoritative", f"--dhcp-leasefile={self.leasefile}",
                f"--pid-file={tmp / 'dnsmasq.pid'}", "--log-dhcp", "--log-facility=-",
                f"--dhcp-option=option:router,{LINUX_IP}", f"--dhcp-option=option:dns-server,{LINUX_IP}",
                *extra]
        self.logf = open(self.log, "w")
        self.proc = ns.popen(argv, stdout=self.logf, stderr=subprocess.STDOUT)
        time.sleep(0.3)
        if self.proc.poll() is not None:
            raise RuntimeError(f"dnsmasq exited: {self.log.read_text()}")

    def leases(self) -> list[list[str]]:
        """Lines of the lease file: [expiry, mac, ip, hostname, client-id]."""
        if not self.leasefile.exists():
            return []
        return [ln.split() for ln in self.leasefile.read_text().splitlines() if ln.strip()]

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.logf.close()


def dhcp_tap(tap: str, ns: str, binary, extra=()) -> SeqsTap:
    p = SeqsTap(tap, ns, mac=MAC, binary=binary, extra=["--peer-ip", f"{LINUX_IP}/24", *extra])
    i = p.argv.index("--ip")
    del p.argv[i:i + 2]   # --dhcp replaces --ip
    p.argv += ["--dhcp", "--hostname", "tinygo-pico"]
    return p


def next_event(proc: SeqsTap, want: str, timeout: float) -> dict:
    """The next {"event":"dhcp"} line with state `want` (other events are passed over)."""
    deadline = time.monotonic() + timeout
    seen = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no dhcp state {want!r} within {timeout} s; saw {seen}; stderr={proc.stderr!r}")
        try:
            line = proc.lines.get(timeout=left)
        except queue.Empty:
            continue
        if line is None:
            raise AssertionError(f"seqs-tap exited; saw {seen}; stderr={proc.stderr!r}")
        if line.startswith("{") and '"event":"dhcp"' in line:
            ev = json.loads(line)
            seen.append(ev["state"])
            if ev["state"] == want:
                return ev


def final_report(proc: SeqsTap, timeout: float = 10) -> dict:
    proc.proc.terminate()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.lines.get(timeout=max(0.01, deadline - time.monotonic()))
        if line is None:
            break
        if line.startswith("{") and '"final"' in line and '"event"' not in line:
            assert proc.proc.wait(timeout=timeout) == 0, proc.stderr
            return json.loads(line)
    raise AssertionError(f"no final report; stderr={proc.stderr!r}")


def tcp_echo(ns: Netns, ip: str, port: int, data: bytes) -> bytes:
    code = ("import socket,sys;s=socket.create_connection((sys.argv[1],int(sys.argv[2])),timeout=5);"
            "d=bytes.fromhex(sys.argv[3]);s.sendall(d);b=b''\n"
            "while len(b)<len(d):\n c=s.recv(65536)\n if not c: break\n b+=c\n"
            "s.close();sys.stdout.write(b.hex())")
    r = ns.run(["/usr/bin/python3", "-c", code, ip, str(port), data.hex()], timeout=20)
    return bytes.fromhex(r.stdout.strip())


@pytest.fixture
def env(tmp_path):
    need_root()
    need_dnsmasq()
    binary = need_binary()
    ns_name, tap = unique_names("dc")
    ns = Netns(ns_name)
    made = {"ns": ns, "procs": [], "dnsmasq": []}
    yield ns_name, tap, ns, binary, tmp_path, made
    for d in made["dnsmasq"]:
        d.close()
    for p in made["procs"]:
        p.kill()
    ns.close()


def test_lease_from_dnsmasq_used_for_ping_and_tcp_then_renewed(env):
    """D1-D4/D8 against dnsmasq: DISCOVER/OFFER/REQUEST/ACK (first frames may be lost while the TAP
    comes up: retransmission covers it), the probed address is in dnsmasq's lease file with our MAC
    and hostname, Linux pings it and echoes over TCP through it; at T1 (10 s, sent by dnsmasq as
    option 58) the client renews by unicast and dnsmasq extends the lease."""
    ns_name, tap, ns, binary, tmp, made = env
    proc = dhcp_tap(tap, ns_name, binary, extra=["--tcp-echo", "7"])
    made["procs"].append(proc)
    t0 = time.monotonic()
    proc.start()
    assert proc.ready_line.startswith("ready 0.0.0.0 ")
    dm = Dnsmasq(ns, tap, tmp, extra=["--dhcp-option=option:T1,10", "--dhcp-option=option:T2,100"])
    made["dnsmasq"].append(dm)
    ev = next_event(proc, "bound", timeout=40)
    t_bound = time.monotonic() - t0
    addr, plen = ev["addr"].split("/")
    assert RANGE[0] <= addr <= RANGE[1] and plen == "24", ev
    assert ev["router"] == LINUX_IP and ev["dns"] == [LINUX_IP] and ev["lease_s"] == 120 and ev["t1_s"] == 10
    leases = dm.leases()
    assert [ln[1:4] for ln in leases] == [[MAC, addr, "tinygo-pico"]], leases
    expiry0 = int(leases[0][0])

    r = ns.run(["ping", "-n", "-q", "-c", "3", "-i", "0.2", "-W", "2", addr], check=False, timeout=30)
    assert " 0% packet loss" in r.stdout, r.stdout + r.stderr
    data = os.urandom(3000)
    assert tcp_echo(ns, addr, 7, data) == data

    ev = next_event(proc, "renewing", timeout=20)
    ev = next_event(proc, "bound", timeout=10)
    assert ev["addr"] == f"{addr}/24"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and int(dm.leases()[0][0]) == expiry0:
        time.sleep(0.1)
    assert int(dm.leases()[0][0]) > expiry0, "dnsmasq did not extend the lease"
    assert "DHCPACK" in dm.log.read_text()
    rep = final_report(proc)
    c = rep["dhcp"]["counters"]
    assert c["tx_request"] >= 2 and c["rx_ack"] == 2 and c["conflicts"] == 0
    assert sum(v for k, v in c.items() if k.startswith("drop_")) == 0, c
    print(f"bound after {t_bound:.1f} s; renewal at T1 acknowledged; counters {c}")


def _tap_open(name: str) -> int:
    TUNSETIFF, IFF_TAP, IFF_NO_PI = 0x400454CA, 0x0002, 0x1000
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


def test_init_reboot_wrong_address_nak_then_new_lease(env):
    """D11/D6 against dnsmasq --dhcp-authoritative: seqs.DhcpClient (Python, real time) on a TAP in
    the namespace starts in INIT-REBOOT asking for an address outside dnsmasq's range; dnsmasq NAKs
    it, the client goes to INIT and obtains a lease from the range."""
    import seqs

    ns_name, tap, ns, binary, tmp, made = env
    # Create the TAP here, move it into the namespace, give the kernel end its address.
    fd = _tap_open(tap)
    try:
        subprocess.run(["ip", "link", "set", tap, "netns", ns_name], check=True, capture_output=True)
        ns.sysctl(f"net.ipv6.conf.{tap}.disable_ipv6", 1)
        ns.run(["ip", "addr", "add", f"{LINUX_IP}/24", "dev", tap])
        ns.run(["ip", "link", "set", tap, "up"])
        dm = Dnsmasq(ns, tap, tmp)
        made["dnsmasq"].append(dm)
        st = seqs.Stack(mac=MAC, seed=7)
        c = seqs.DhcpClient(st).begin(requested="192.0.2.200", reboot=True, hostname="tinygo-pico")
        t0 = time.monotonic()
        states = []

        def now():
            return int((time.monotonic() - t0) * 1e6) + 1

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not c.done:
            t = now()
            for f in st.output_all(t):
                try:
                    os.write(fd, bytes(f))
                except OSError:
                    pass   # EIO while the link settles: a lost frame
            while True:
                try:
                    frame = os.read(fd, 2048)
                except BlockingIOError:
                    break
                st.input(frame, now())
            if not states or states[-1] != c.state:
                states.append(c.state)
            time.sleep(0.005)
        assert c.done, (states, c.counters(), dm.log.read_text()[-2000:])
        assert states[:3] == ["init", "init-reboot", "selecting"] or "init-reboot" in states, states
        assert c.counter("rx_nak") == 1, c.counters()
        assert RANGE[0] <= c.offer <= RANGE[1]
        log = dm.log.read_text()
        assert "DHCPNAK" in log and "192.0.2.200" in log, log[-2000:]
        assert [ln[1:3] for ln in dm.leases()] == [[MAC, c.offer]]
        c.close()
    finally:
        os.close(fd)


@pytest.mark.parametrize("argv,msg", [
    (["--ip", "192.0.2.2/24", "--dhcp"], "--dhcp replaces --ip"),
    (["--hostname", "pico"], "--hostname is only used with --dhcp"),
    (["--dhcp", "--hostname", "x" * 33], "--hostname must be 1..32 bytes"),
])
def test_dhcp_cli_misuse_exits_2_with_message(argv, msg):
    """seqs-tap --dhcp argument errors: exit status 2 and a message naming the option."""
    binary = need_binary()
    r = subprocess.run([str(binary), "--tap", "x", "--mac", MAC, *argv], capture_output=True, text=True, timeout=10)
    assert r.returncode == 2 and msg in r.stderr, (r.returncode, r.stderr)
