# SPDX-License-Identifier: BSD-3-Clause
"""Linux DHCP clients against the seqs DHCP server (row S12).

Topology: one namespace holds a Linux bridge with seqs-tap's TAP device
(`--bridge`, `--ip 192.0.2.2/24 --dhcp-server 192.0.2.100-192.0.2.109`); each
client has its own namespace, wired to the bridge by a veth pair. busybox udhcpc
and ISC dhclient each get an address from the pool, use it (ping the server),
renew it (the server logs a second `bound` for the same address), and release it
(`released`). The server's lease events come from seqs-tap's stdout (one JSON
object per line). Every wait is bounded."""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import tempfile
import time

import pytest

from harness.tapwire import Netns, SeqsTap, unique_names
from interop_peer import need_binary, need_root

pytestmark = [pytest.mark.root]

SERVER_IP = "192.0.2.2"
POOL = [f"192.0.2.{i}" for i in range(100, 110)]
LEASE = 20   # seconds: T1 = 10 s; udhcpc may renew later than T1 (PLATFORM-NOTES)

UDHCPC_SCRIPT = """#!/bin/sh
# udhcpc event script: log the event, configure the address so renewals (unicast) work.
echo "$1 ip=$ip subnet=$subnet router=$router dns=$dns lease=$lease serverid=$serverid" >> "{log}"
case "$1" in
  deconfig) ip addr flush dev "$interface" ;;
  bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/$mask" dev "$interface" ;;
esac
exit 0
"""

DHCLIENT_SCRIPT = """#!/bin/sh
# dhclient event script: log the event, configure the address.
echo "$reason ip=$new_ip_address mask=$new_subnet_mask router=$new_routers dns=$new_domain_name_servers lease=$new_dhcp_lease_time" >> "{log}"
case "$reason" in
  BOUND|RENEW|REBIND|REBOOT)
    ip addr flush dev "$interface"
    ip addr add "$new_ip_address/$new_subnet_mask" dev "$interface" ;;
  RELEASE|EXPIRE|FAIL|STOP) ip addr flush dev "$interface" ;;
esac
exit 0
"""


class DhcpSegment:
    """The bridge namespace with seqs-tap as DHCP server, plus client namespaces."""

    def __init__(self, binary, tmp):
        self.tmp = tmp
        ns_name, tap = unique_names("dh")
        self.tag = tap
        self.ns = Netns(ns_name)
        self.clients: list[Netns] = []
        self.events: list[dict] = []
        self.procs: list[subprocess.Popen] = []
        self.ns.sysctl("net.ipv6.conf.all.disable_ipv6", 1)
        self.ns.sysctl("net.ipv6.conf.default.disable_ipv6", 1)
        self.ns.run(["ip", "link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0"])
        self.ns.run(["ip", "link", "set", "br0", "up"])
        self.server = SeqsTap(tap, ns_name, mac="02:00:00:00:00:02", ip=f"{SERVER_IP}/24", binary=binary,
                              extra=["--bridge", "br0", "--dhcp-server", f"{POOL[0]}-{POOL[-1]}",
                                     "--lease", str(LEASE), "--dhcp-router", "192.0.2.1",
                                     "--dhcp-dns", "192.0.2.53"])
        self.server.start()

    def add_client(self, idx: int, mac: str) -> Netns:
        """A namespace whose eth0 (MAC mac) is bridged to the server's segment."""
        cns = Netns(f"{self.ns.name}-c{idx}")
        self.clients.append(cns)
        cns.sysctl("net.ipv6.conf.all.disable_ipv6", 1)
        cns.sysctl("net.ipv6.conf.default.disable_ipv6", 1)
        host_end = f"{self.tag}v{idx}"[:15]
        self.ns.run(["ip", "link", "add", host_end, "type", "veth", "peer", "name", "eth0", "netns", cns.name])
        self.ns.run(["ip", "link", "set", host_end, "master", "br0", "up"])
        cns.run(["ip", "link", "set", "eth0", "address", mac])
        for ns, dev in ((self.ns, host_end), (cns, "eth0")):
            ns.run(["ethtool", "-K", dev, "tx", "off", "rx", "off", "tso", "off", "gso", "off", "gro", "off"],
                   check=False)
        cns.run(["ip", "link", "set", "eth0", "up"])
        return cns

    def start(self, cns: Netns, argv) -> subprocess.Popen:
        p = cns.popen(argv, stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.tmp, f"{cns.name}.err"), "w"))
        self.procs.append(p)
        return p

    def poll_events(self, timeout: float = 0.1) -> None:
        """Moves seqs-tap's `dhcp-lease` lines from its stdout into self.events."""
        end = time.monotonic() + timeout
        while True:
            try:
                line = self.server.lines.get(timeout=max(0.0, end - time.monotonic()))
            except queue.Empty:
                return
            if line is None:
                self.server.lines.put(None)
                raise RuntimeError(f"seqs-tap exited: {self.server.stderr}")
            if line.startswith("{"):
                obj = json.loads(line)
                if obj.get("event") == "dhcp-lease":
                    self.events.append(obj)

    def wait_event(self, pred, timeout: float, what: str, since: int = 0) -> dict:
        """The first event from index `since` on that satisfies pred (bounded wait)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.poll_events(0.2)
            for e in self.events[since:]:
                if pred(e):
                    return e
        raise AssertionError(f"no server event {what} within {timeout} s; events: {self.events}; "
                             f"seqs-tap stderr: {self.server.stderr[-2000:]}")

    def report(self) -> dict:
        """seqs-tap's JSON report now (SIGUSR1), skipping lease events."""
        self.server.proc.send_signal(signal.SIGUSR1)
        end = time.monotonic() + 5
        while time.monotonic() < end:
            line = self.server.lines.get(timeout=max(0.01, end - time.monotonic()))
            if line and line.startswith("{"):
                obj = json.loads(line)
                if obj.get("event") == "dhcp-lease":
                    self.events.append(obj)
                else:
                    return obj
        raise TimeoutError("no report from seqs-tap")

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
        self.server.kill()
        for c in self.clients:
            c.close()
        self.ns.close()


@pytest.fixture
def segment():
    need_root()
    binary = need_binary()
    for tool in ("busybox", "dhclient", "ethtool"):
        if subprocess.run(["which", tool], capture_output=True).returncode != 0:
            pytest.skip(f"{tool} not installed (tools/install-deps.sh)")
    with tempfile.TemporaryDirectory(prefix="seqs-dhcps-") as tmp:
        seg = DhcpSegment(binary, tmp)
        try:
            yield seg
        finally:
            seg.close()


def _script(tmp, name, text, log):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text.replace("{log}", log))
    os.chmod(path, 0o755)
    return path


def _addr_of(cns: Netns) -> str | None:
    out = cns.run(["ip", "-4", "-o", "addr", "show", "dev", "eth0"], check=False).stdout
    for tok in out.split():
        if tok.count(".") == 3 and "/" in tok:
            return tok.split("/")[0]
    return None


@pytest.mark.conformance("S12")
def test_udhcpc_and_dhclient_get_renew_and_release_distinct_addresses(segment):
    """RFC 2131 3.1/4.4.5/4.4.6 with real clients: busybox udhcpc and ISC dhclient each
    get a pool address (distinct), reach the server from it, renew it (a second
    `bound` event for the same address), and release it (`released`)."""
    seg = segment
    tmp = seg.tmp
    mac_u, mac_d = "02:00:00:00:20:01", "02:00:00:00:20:02"
    cu = seg.add_client(1, mac_u)
    cd = seg.add_client(2, mac_d)
    ulog, dlog = os.path.join(tmp, "udhcpc.log"), os.path.join(tmp, "dhclient.log")
    uscript = _script(tmp, "udhcpc.sh", UDHCPC_SCRIPT, ulog)
    dscript = _script(tmp, "dhclient.sh", DHCLIENT_SCRIPT, dlog)
    lf, pf = os.path.join(tmp, "dhclient.leases"), os.path.join(tmp, "dhclient.pid")
    open(lf, "w").close()
    udhcpc = seg.start(cu, ["busybox", "udhcpc", "-i", "eth0", "-f", "-R", "-t", "10", "-T", "1", "-A", "1",
                            "-s", uscript])
    dhclient_argv = ["dhclient", "-4", "-d", "-v", "-cf", "/dev/null", "-lf", lf, "-pf", pf, "-sf", dscript]
    seg.start(cd, dhclient_argv + ["eth0"])

    t0 = time.monotonic()
    bu = seg.wait_event(lambda e: e["mac"] == mac_u and e["state"] == "bound", 30, "udhcpc bound")
    bd = seg.wait_event(lambda e: e["mac"] == mac_d and e["state"] == "bound", 30, "dhclient bound")
    t_bound = time.monotonic() - t0
    assert bu["addr"] in POOL and bd["addr"] in POOL and bu["addr"] != bd["addr"]
    assert bu["lease_s"] == LEASE
    # Each client configured what it was given, and reaches the server from it.
    end = time.monotonic() + 10
    while time.monotonic() < end and (_addr_of(cu) != bu["addr"] or _addr_of(cd) != bd["addr"]):
        time.sleep(0.2)
    assert _addr_of(cu) == bu["addr"] and _addr_of(cd) == bd["addr"]
    for cns in (cu, cd):
        out = cns.run(["ping", "-c", "2", "-i", "0.2", "-W", "2", SERVER_IP], check=False).stdout
        assert " 0% packet loss" in out, out
    # Renewal: the same address bound again for each client.
    nb = lambda mac, addr: sum(1 for e in seg.events if e["mac"] == mac and e["addr"] == addr and e["state"] == "bound")
    end = time.monotonic() + 3 * LEASE
    while time.monotonic() < end and (nb(mac_u, bu["addr"]) < 2 or nb(mac_d, bd["addr"]) < 2):
        seg.poll_events(0.5)
    t_renew = time.monotonic() - t0
    assert nb(mac_u, bu["addr"]) >= 2, f"udhcpc did not renew within {3 * LEASE} s: {seg.events}"
    assert nb(mac_d, bd["addr"]) >= 2, f"dhclient did not renew within {3 * LEASE} s: {seg.events}"
    # No expiry in between: the renewals came in time.
    assert not [e for e in seg.events if e["state"] == "expired"], seg.events
    rep = seg.report()
    svc = next(s for s in rep["services"] if s["service"] == "dhcp-server")
    assert svc["leases"]["bound"] == 2 and svc["tx_nak"] == 0
    assert svc["drop_truncated"] == svc["drop_cookie"] == svc["drop_options"] == svc["drop_htype"] == 0
    # Release: dhclient -r sends DHCPRELEASE (and stops the running dhclient); udhcpc -R on SIGTERM.
    cd.run(dhclient_argv + ["-r", "eth0"], check=False, timeout=30)
    udhcpc.send_signal(signal.SIGTERM)
    udhcpc.wait(timeout=10)
    seg.wait_event(lambda e: e["mac"] == mac_d and e["state"] == "released", 15, "dhclient released")
    seg.wait_event(lambda e: e["mac"] == mac_u and e["state"] == "released", 15, "udhcpc released")
    rep = seg.report()
    svc = next(s for s in rep["services"] if s["service"] == "dhcp-server")
    assert svc["leases"]["released"] == 2 and svc["leases"]["bound"] == 0
    c = rep["counters"]
    assert c["ip_drop_checksum"] == 0 and c["udp_drop_checksum"] == 0
    with open(ulog) as f:
        ul = f.read()
    with open(dlog) as f:
        dl = f.read()
    assert f"bound ip={bu['addr']} subnet=255.255.255.0 router=192.0.2.1 dns=192.0.2.53" in ul, ul
    assert f"BOUND ip={bd['addr']} mask=255.255.255.0 router=192.0.2.1 dns=192.0.2.53" in dl, dl
    print("\nINTEROP dhcp-server: " + json.dumps({"bound_s": round(t_bound, 2), "renewed_s": round(t_renew, 2),
                                                  "udhcpc": bu["addr"], "dhclient": bd["addr"]}))


@pytest.mark.conformance("S12")
def test_three_udhcpc_clients_never_share_an_address_and_rejoin_their_own(segment):
    """RFC 2131 4.3.1 with real clients: three udhcpc clients bound at once get three
    distinct pool addresses; one restarted client (same MAC, its client id) gets its
    own address back."""
    seg = segment
    tmp = seg.tmp
    macs = ["02:00:00:00:30:%02x" % i for i in range(1, 4)]
    clients = [seg.add_client(10 + i, m) for i, m in enumerate(macs)]
    logs = [os.path.join(tmp, f"u{i}.log") for i in range(3)]
    procs = []
    for i, cns in enumerate(clients):
        script = _script(tmp, f"u{i}.sh", UDHCPC_SCRIPT, logs[i])
        procs.append(seg.start(cns, ["busybox", "udhcpc", "-i", "eth0", "-f", "-q", "-t", "10", "-T", "1", "-A", "1",
                                     "-s", script]))
    got = {}
    for m in macs:
        got[m] = seg.wait_event(lambda e, m=m: e["mac"] == m and e["state"] == "bound", 30, f"{m} bound")["addr"]
    for p in procs:
        p.wait(timeout=10)   # -q: udhcpc exits once bound
    assert len(set(got.values())) == 3 and set(got.values()) <= set(POOL), got
    # The first client comes back (INIT-REBOOT or DISCOVER with option 50): same address.
    script = _script(tmp, "u0b.sh", UDHCPC_SCRIPT, logs[0])
    n_before = len(seg.events)
    seg.start(clients[0], ["busybox", "udhcpc", "-i", "eth0", "-f", "-q", "-t", "10", "-T", "1", "-A", "1",
                           "-s", script]).wait(timeout=30)
    again = seg.wait_event(lambda e: e["mac"] == macs[0] and e["state"] == "bound", 15, "rejoin bound",
                           since=n_before)
    assert again["addr"] == got[macs[0]]
    rep = seg.report()
    svc = next(s for s in rep["services"] if s["service"] == "dhcp-server")
    assert svc["leases"]["bound"] == 3


@pytest.mark.conformance("S12")
def test_seqs_tap_dhcp_client_binds_from_seqs_tap_dhcp_server(segment):
    """seqs on both ends through a Linux bridge: `seqs-tap --dhcp` gets a pool address from
    `seqs-tap --dhcp-server` with the configured mask, router and DNS, and both sides agree."""
    seg = segment
    mac = "02:00:00:00:40:01"
    client = SeqsTap(f"{seg.tag}c"[:15], seg.ns.name, mac=mac, binary=need_binary(), extra=["--bridge", "br0"])
    i = client.argv.index("--ip")
    del client.argv[i:i + 2]   # --dhcp replaces --ip
    client.argv += ["--dhcp"]
    client.start()
    try:
        end = time.monotonic() + 30
        ev = None
        while time.monotonic() < end and ev is None:
            try:
                line = client.lines.get(timeout=0.5)
            except queue.Empty:
                continue
            assert line is not None, f"seqs-tap --dhcp exited: {client.stderr}"
            if line.startswith("{") and '"event":"dhcp"' in line and json.loads(line)["state"] == "bound":
                ev = json.loads(line)
        assert ev is not None, f"seqs-tap --dhcp not bound within 30 s: {client.stderr}"
        addr = ev["addr"].split("/")[0]
        assert addr in POOL and ev["addr"].endswith("/24")
        assert ev["router"] == "192.0.2.1" and ev["dns"] == ["192.0.2.53"] and ev["lease_s"] == LEASE
        srv_ev = seg.wait_event(lambda e: e["mac"] == mac and e["state"] == "bound", 10, "seqs client bound")
        assert srv_ev["addr"] == addr
    finally:
        client.kill()
