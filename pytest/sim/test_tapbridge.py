# SPDX-License-Identifier: BSD-3-Clause
"""A seqs stack inside ns-3 talking to the real Linux kernel through a TapBridge.

Topology (all inside a network namespace this test creates and deletes):
    Linux veth1 192.0.2.1 -- veth0 -- br0 -- tap0 == ns-3 TapBridge (UseBridge) == CSMA == seqs 192.0.2.2
seqs-sim runs in real time inside the namespace. The kernel pings the seqs node and
UDP-echoes through its echo server while the seqs node pings the kernel; the kernel's
own counters prove it accepted every frame (no checksum or header errors)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SIM = Path(os.environ.get("SEQS_BUILD_DIR", REPO / "build")) / "sim" / "seqs-sim"

NS = f"seqs-simtb-{os.getpid()}"
LINUX, SEQS = "192.0.2.1", "192.0.2.2"

pytestmark = [
    pytest.mark.root,
    pytest.mark.skipif(not SIM.exists(), reason=f"seqs-sim not built ({SIM})"),
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespace, tap)"),
    pytest.mark.skipif(not os.path.exists("/dev/net/tun"), reason="no /dev/net/tun"),
    pytest.mark.skipif(not os.path.exists("/usr/libexec/ns3/ns3.37-tap-creator"),
                       reason="ns-3 tap-creator helper not installed (package ns3)"),
]

SCENARIO = f"""
name = "tapbridge-linux"
description = "one seqs node on a CSMA segment bridged to a Linux tap"
duration = "4s"
[topology]
kind = "tap"
device = "tap0"
[link]
rate = "100Mbps"
delay = "2us"
[[node]]
name = "s"
ip = "{SEQS}/24"
[[app]]
type = "udp-echo-server"
on = "s"
port = 7
[[app]]
type = "icmp-ping"
on = "s"
targets = ["{LINUX}"]
count = 20
interval = "100ms"
timeout = "1s"
start = "500ms"
[[expect]]
metric = "icmp-ping.received"
equals = 20
why = "no loss anywhere: the kernel answers every echo request"
[[expect]]
metric = "ping.bad"
equals = 0
"""


def sh(*cmd, check=True):
    return subprocess.run(["ip", "netns", "exec", NS, *cmd], capture_output=True, text=True, check=check)


@pytest.fixture
def netns():
    subprocess.run(["ip", "netns", "add", NS], check=True)
    try:
        sh("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
        sh("ip", "link", "set", "lo", "up")
        sh("ip", "tuntap", "add", "dev", "tap0", "mode", "tap")
        sh("ip", "link", "add", "br0", "type", "bridge")
        sh("ip", "link", "add", "veth0", "type", "veth", "peer", "name", "veth1")
        sh("ip", "link", "set", "tap0", "master", "br0")
        sh("ip", "link", "set", "veth0", "master", "br0")
        sh("ip", "addr", "add", f"{LINUX}/24", "dev", "veth1")
        if shutil.which("ethtool"):   # fully checksummed frames, no GSO super-frames
            for d in ("veth0", "veth1"):
                sh("ethtool", "-K", d, "tx", "off", "rx", "off", "tso", "off", "gso", "off", "gro", "off",
                   check=False)
        for d in ("tap0", "br0", "veth0", "veth1"):
            sh("ip", "link", "set", d, "up")
        yield NS
    finally:
        subprocess.run(["ip", "netns", "del", NS], check=False)


def nstat():
    out = sh("nstat", "-asz", "--json").stdout
    return json.loads(out)["kernel"]


def udp_echo_from_linux(n=10):
    """Sends n datagrams from inside the namespace and counts intact echoes."""
    code = (
        "import socket,sys\n"
        "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('%s',0)); s.settimeout(1)\n"
        "ok=0\n"
        "for i in range(%d):\n"
        "    m=b'seqs-sim-tap-%%d' %% i + bytes(range(200))\n"
        "    s.sendto(m,('%s',7))\n"
        "    try:\n"
        "        d,a=s.recvfrom(2048); ok+= (d==m and a==('%s',7))\n"
        "    except socket.timeout: pass\n"
        "print(ok)\n" % (LINUX, n, SEQS, SEQS))
    return int(sh("/usr/bin/python3", "-c", code).stdout.strip())


def test_linux_and_a_simulated_seqs_node_ping_and_udp_echo_each_other(netns, tmp_path):
    sc = tmp_path / "tap.toml"
    sc.write_text(SCENARIO)
    before = nstat()
    sim = subprocess.Popen(["ip", "netns", "exec", NS, str(SIM), str(sc), "--out", str(tmp_path / "s.json"),
                            "--pcap-dir", str(tmp_path), "--quiet"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # The tap has carrier once the TapBridge holds its fd (the simulation started).
        deadline = time.monotonic() + 5
        while "LOWER_UP" not in sh("ip", "link", "show", "tap0").stdout and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        ping = sh("ping", "-c", "10", "-i", "0.1", "-W", "1", SEQS, check=False)
        echoed = udp_echo_from_linux(10)
        out, err = sim.communicate(timeout=30)
    finally:
        if sim.poll() is None:
            sim.kill()
    assert sim.returncode == 0, err
    assert " 10 received" in ping.stdout, ping.stdout
    assert echoed == 10
    s = json.loads((tmp_path / "s.json").read_text())
    node = s["nodes"]["s"]
    assert s["metrics"]["icmp-ping.received"] == 20
    assert node["counters"]["icmp_tx_echo_reply"] >= 10
    assert node["apps"][0]["echoed"] == 10
    # The kernel found nothing wrong with any frame the seqs node sent.
    after = nstat()
    for k in ("IpInHdrErrors", "IpInAddrErrors", "IcmpInErrors", "IcmpInCsumErrors", "UdpInErrors",
              "UdpInCsumErrors"):
        assert after.get(k, 0) - before.get(k, 0) == 0, k
    assert (tmp_path / "s.pcap").stat().st_size > 24
