# SPDX-License-Identifier: BSD-3-Clause
"""The firmware image as a user runs it: it boots with DHCP (the image's default
setting) on a TAP device in a network namespace where dnsmasq serves DHCP and DNS
and chronyd serves NTP (dnsmasq names it in option 42).

Oracles: dnsmasq's lease file (the image's MAC, host name and address), the Linux
kernel (ping, a TCP client whose 1 MiB comes back byte for byte, nstat error
counters), curl + Python's json (the status page), the namespace's clock (the
image's NTP time), the image's own UART log (the lease it reports must be dnsmasq's).
Root only (network namespace + TAP); bounded: every wait has a deadline, QEMU and
dnsmasq are always ended."""
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from fwqemu import CTRL_PORT, FW_MAC, QemuMps2, image
_names = 0


def unique_names(prefix):
    """A (netns, tap) pair unique to this process and call (other suites run in parallel)."""
    global _names
    _names += 1
    tag = f"{os.getpid() % 100000}x{_names}"
    return f"seqs-{prefix}-{tag}", f"{prefix}{tag}"[:15]

pytestmark = [pytest.mark.slow, pytest.mark.root]

LINUX_IP = "192.0.2.1"
RANGE = ("192.0.2.50", "192.0.2.59")
HOSTNAME = "seqs-qemu-fw"
UPTIME_PORT = 1313


def sh(ns, *args, check=True, timeout=60):
    return subprocess.run(["ip", "netns", "exec", ns, *args], check=check, capture_output=True, text=True,
                          timeout=timeout)


def nstat(ns):
    out = sh(ns, "nstat", "-az").stdout
    return {k: int(v) for k, v in re.findall(r"^(\w+)\s+(\d+)", out, re.M)}


@pytest.fixture
def dhcp_net(tmp_path):
    """A namespace with a TAP device (192.0.2.1/24) and dnsmasq on it (DHCP + DNS)."""
    if os.geteuid() != 0:
        pytest.skip("needs root (network namespace + TAP device)")
    for tool, pkg in (("dnsmasq", "dnsmasq-base"), ("chronyd", "chrony"), ("curl", "curl")):
        if not shutil.which(tool):
            pytest.skip(f"{tool} not installed (apt-get install {pkg})")
    ns, tap = unique_names("fwd")
    subprocess.run(["ip", "netns", "add", ns], check=True)
    dm = logf = chrony = None
    try:
        sh(ns, "ip", "link", "set", "lo", "up")
        sh(ns, "ip", "tuntap", "add", "dev", tap, "mode", "tap")
        sh(ns, "sysctl", "-qw", f"net.ipv6.conf.{tap}.disable_ipv6=1")
        sh(ns, "sysctl", "-qw", "net.ipv4.tcp_no_metrics_save=1")
        sh(ns, "ip", "addr", "add", f"{LINUX_IP}/24", "dev", tap)
        sh(ns, "ip", "link", "set", tap, "up")
        leases = tmp_path / "leases"
        logf = open(tmp_path / "dnsmasq.log", "w")
        dm = subprocess.Popen(
            ["ip", "netns", "exec", ns, "dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--user=root",
             f"--interface={tap}", "--bind-interfaces", "--no-resolv", "--no-hosts",
             "--address=/fw.test/192.0.2.77", "--address=/ntp.fw.test/192.0.2.1", "--log-queries", f"--dhcp-range={RANGE[0]},{RANGE[1]},255.255.255.0,2m",
             "--no-ping", "--dhcp-authoritative", f"--dhcp-leasefile={leases}",
             f"--pid-file={tmp_path / 'dnsmasq.pid'}", "--log-dhcp", "--log-facility=-",
             f"--dhcp-option=option:router,{LINUX_IP}", f"--dhcp-option=option:dns-server,{LINUX_IP}",
             f"--dhcp-option=option:ntp-server,{LINUX_IP}"],
            stdout=logf, stderr=subprocess.STDOUT)
        conf = tmp_path / "chrony.conf"
        conf.write_text(f"local stratum 8\nallow 192.0.2.0/24\nbindaddress {LINUX_IP}\ncmdport 0\nuser root\n"
                        f"pidfile {tmp_path}/chronyd.pid\ndriftfile {tmp_path}/drift\n")
        # -x: chronyd never touches the system clock (which the namespace shares with the host)
        chrony = subprocess.Popen(["ip", "netns", "exec", ns, "chronyd", "-x", "-d", "-f", str(conf)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)
        if dm.poll() is not None:
            raise RuntimeError(f"dnsmasq exited: {(tmp_path / 'dnsmasq.log').read_text()}")
        yield ns, tap, leases, tmp_path / "dnsmasq.log"
    finally:
        if chrony is not None:
            chrony.terminate()
            try:
                chrony.wait(timeout=5)
            except subprocess.TimeoutExpired:
                chrony.kill()
        if dm is not None:
            dm.terminate()
            try:
                dm.wait(timeout=5)
            except subprocess.TimeoutExpired:
                dm.kill()
        if logf:
            logf.close()
        subprocess.run(["ip", "netns", "del", ns], check=False)


def lease_of(leases: Path, mac: str):
    """dnsmasq's lease line [expiry, mac, ip, hostname, client-id] for mac, or None."""
    if not leases.exists():
        return None
    for ln in leases.read_text().splitlines():
        f = ln.split()
        if len(f) >= 4 and f[1] == mac:
            return f
    return None


TCP_ECHO_CLIENT = r"""
import socket, sys, threading, time
host, n = sys.argv[1], int(sys.argv[2])
data = bytes((i * 131 + 7) & 0xFF for i in range(n))
s = socket.create_connection((host, 7), timeout=20)
got = bytearray()
def rx():
    while True:
        b = s.recv(65536)
        if not b:
            break
        got.extend(b)
t = threading.Thread(target=rx); t.start()
t0 = time.monotonic()
s.sendall(data)
s.shutdown(socket.SHUT_WR)
t.join(60)
print(len(got), bytes(got) == data, round(time.monotonic() - t0, 3))
"""

UDP_ASK = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
print(s.recvfrom(2000)[0].decode().strip())
"""


@pytest.mark.parametrize("ntp", ["lease", "dns-name"])
def test_fw_gets_a_lease_from_dnsmasq_and_serves_on_it(dhcp_net, ntp):
    """Boot with ip=dhcp: DISCOVER/OFFER/REQUEST/ACK with dnsmasq, the RFC 5227 probe, then
    the address dnsmasq's lease file lists for the image's MAC and host name is the one the
    image reports; Linux pings it, a 1 MiB TCP echo through it is byte-exact, the example
    app (uptime.c) reports the lease, SNTP against chronyd (the server named by the lease)
    puts the image's clock within 50 ms of the namespace's, curl fetches the status page
    (JSON with lease, NTP time, connections, counters; and HTML), and the run ends with exit
    code 0 and no fault. ntp="dns-name": the image is told `ntp=ntp.fw.test` instead and must
    resolve it through the lease's DNS server (dnsmasq logs the query) before SNTP."""
    ns, tap, leases, dmlog = dhcp_net
    elf = image("seqs-qemu-mps2.elf")
    append = f"ip=dhcp hostname={HOSTNAME}" + (" ntp=ntp.fw.test" if ntp == "dns-name" else "")
    with QemuMps2(elf, netdev="tap", tap=tap, netns=ns, append=append) as fw:
        t0 = time.monotonic()
        fw.wait_uart("dhcp: bound ", 30)
        t_bound = time.monotonic() - t0
        m = re.search(r"dhcp: bound (\S+)/(\d+) router (\S+) server (\S+) lease (\d+) s", fw.uart())
        assert m, fw.uart()
        addr = m.group(1)
        assert (m.group(2), m.group(3), m.group(4), m.group(5)) == ("24", LINUX_IP, LINUX_IP, "120")
        line = None
        deadline = time.monotonic() + 5
        while line is None and time.monotonic() < deadline:
            line = lease_of(leases, FW_MAC)
            time.sleep(0.1)
        assert line is not None, f"no lease for {FW_MAC} in dnsmasq's file; log:\n{dmlog.read_text()}"
        assert line[2] == addr and line[3] == HOSTNAME, line
        assert RANGE[0] <= addr <= RANGE[1]
        print(f"bound {addr} after {t_bound:.2f} s (incl. the RFC 5227 probe)")

        before = nstat(ns)
        r = sh(ns, "ping", "-c", "10", "-i", "0.05", "-W", "2", addr, check=False)
        assert " 10 received" in r.stdout, r.stdout + r.stderr

        up = sh(ns, "/usr/bin/python3", "-c", UDP_ASK, addr, str(UPTIME_PORT), "hi", check=False)
        assert re.match(rf"uptime \d+\.\d{{3}} s addr {re.escape(addr)}/24 dhcp bound lease 120 s hits 1$",
                        up.stdout.strip()), up.stdout + up.stderr

        size = 1 << 20
        t = sh(ns, "/usr/bin/python3", "-c", TCP_ECHO_CLIENT, addr, str(size), check=False, timeout=90)
        f = t.stdout.split()
        assert f[:2] == [str(size), "True"], t.stdout + t.stderr
        print(f"1 MiB TCP echo round trip: {f[2]} s")
        after = nstat(ns)
        for k in ("IpInHdrErrors", "IcmpInCsumErrors", "TcpInCsumErrors", "TcpInErrs", "UdpInCsumErrors"):
            assert after.get(k, 0) == before.get(k, 0), f"Linux counted {k}"

        # The status page: JSON (parsed by Python) and HTML, fetched by curl.
        fw.wait_uart("sntp: synced", 10)
        t0 = time.time()
        page = sh(ns, "curl", "-sS", "--max-time", "5", f"http://{addr}/status.json", check=False)
        t1 = time.time()
        assert page.returncode == 0, page.stderr
        st = json.loads(page.stdout)
        print("status.json:", json.dumps(st, indent=None)[:600])
        assert st["device"]["addr"] == addr and st["device"]["hostname"] == HOSTNAME
        assert st["device"]["mac"] == FW_MAC
        lease = st["lease"]
        assert (lease["state"], lease["addr"], lease["router"], lease["server"], lease["lease_s"]) == \
            ("bound", addr, LINUX_IP, LINUX_IP, 120)
        assert 0 < lease["remaining_s"] <= 120 and lease["ntp"] == LINUX_IP and lease["dns"] == LINUX_IP
        if ntp == "dns-name":
            assert "dns: ntp.fw.test -> 192.0.2.1" in fw.uart()
            assert "query[A] ntp.fw.test from " + addr in dmlog.read_text(), "dnsmasq saw no query from the image"
            assert st["ntp"]["name"] == "ntp.fw.test" and st["counters"]["dns_lookups_ok"] == 1
            assert "dns_lookups_failed" not in st["counters"], st["counters"]
        ntp = st["ntp"]
        assert ntp["status"] == "synced" and ntp["server"] == LINUX_IP and ntp["stratum"] == 8, ntp
        unix_s = ntp["unix_us"] / 1e6
        # The page was made between t0 and t1 (namespace clock = host clock): the image's
        # NTP time must be within 50 ms of that window.
        err = max(t0 - unix_s, unix_s - t1, 0.0)
        print(f"NTP time vs namespace clock: {err * 1000:.1f} ms outside [{t0:.3f}, {t1:.3f}] "
              f"(fetch took {(t1 - t0) * 1000:.1f} ms, delay {ntp['delay_us']} us)")
        assert err <= 0.050 and t1 - t0 < 1.0
        http_conns = [c for c in st["connections"] if c["app"] == "status_http"]
        assert http_conns and http_conns[0]["remote_addr"] == LINUX_IP and http_conns[0]["local_port"] == 80
        assert st["counters"]["dhcp_rx_ack"] == 1 and st["counters"]["tcp_conn_opened"] >= 2
        html = sh(ns, "curl", "-sS", "--max-time", "5", "-D", "-", f"http://{addr}/", check=False)
        assert html.returncode == 0, html.stderr
        assert "content-type: text/html" in html.stdout.lower()
        assert "<h1>seqs firmware</h1>" in html.stdout and f"<td>{addr}</td>" in html.stdout
        assert html.stdout.rstrip().endswith("</html>")

        c = sh(ns, "/usr/bin/python3", "-c", UDP_ASK, addr, str(CTRL_PORT), "counters", check=False)
        cnt = {k: int(v) for k, v in re.findall(r"^(\w+)=(\d+)$", c.stdout, re.M)}
        assert cnt.get("dhcp_rx_ack", 0) == 1 and cnt.get("dhcp_conflicts", 0) == 0, c.stdout
        assert cnt.get("fw_tcp_bytes", 0) == size, c.stdout
        bye = sh(ns, "/usr/bin/python3", "-c", UDP_ASK, addr, str(CTRL_PORT), "exit", check=False)
        assert bye.stdout.strip() == "bye", bye.stdout + bye.stderr
        assert fw.wait_exit(10) == 0
        assert "FAULT" not in fw.uart()
        # the status page is built deep inside seqs_stack_input(): the main stack must stay
        # within what the Pico W port gives it (4 KB, shared with the cyw43 interrupts)
        m = re.search(r"stack high-water (\d+) B", fw.uart())
        assert m and int(m.group(1)) <= 3072, m and m.group(0)
        print(m.group(0))
