# SPDX-License-Identifier: BSD-3-Clause
"""seqs's DNS stub resolver and SNTP client against real servers in a network
namespace: dnsmasq (names, a CNAME, an NXDOMAIN) compared with what Linux's own
lookup (glibc's getaddrinfo, and a scapy-dissected query from a Python socket) gets
from the same server; chronyd as NTP server (seqs-tap's offset against this
host's clock, which the namespace shares); a Kiss-o'-Death and a silent server
played by a Python peer. seqs-tap's --resolve / --ntp print one JSON event line."""
import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time

import pytest
from scapy.layers.dns import DNS, DNSQR

from harness.tapwire import Netns, SeqsTap, in_netns, unique_names
from interop_peer import LINUX_IP, SEQS_IP, SEQS_MAC, need_binary, need_root

pytestmark = [pytest.mark.root]

DNSMASQ_ARGS = ["--address=/a.test/192.0.2.50", "--host-record=target.c.test,192.0.2.51",
                "--cname=alias.c.test,target.c.test", "--local=/c.test/", "--local-ttl=300"]


def report(name, **numbers):
    print(f"\nINTEROP {name}: " + json.dumps(numbers))


class Env:
    """One namespace (the Linux side, 192.0.2.1 once a seqs-tap is up) with its servers."""

    def __init__(self, binary):
        self.binary = binary
        self.ns = Netns(unique_names("dn")[0])
        self.procs = []
        self.tmp = tempfile.mkdtemp(prefix="seqs-dns-")

    def spawn(self, argv):
        p = self.ns.popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.procs.append(p)
        return p

    def seqs_tap(self, *extra, timeout=30):
        """Runs seqs-tap with a client service until it exits; returns (rc, events, final report, stderr)."""
        tap = unique_names("dn")[1]
        st = SeqsTap(tap, self.ns.name, mac=SEQS_MAC, ip=f"{SEQS_IP}/24", binary=self.binary,
                     extra=["--peer-ip", f"{LINUX_IP}/24", "--duration", str(timeout - 5), *extra])
        try:
            st.start()
            events, final = [], None
            end = time.monotonic() + timeout
            while final is None:
                obj = st._next_json(timeout=max(0.1, end - time.monotonic()))
                if "event" in obj:
                    events.append(obj)
                else:
                    final = obj
            rc = st.wait(timeout=10)
        finally:
            st.kill()
        return rc, events, final, st.stderr

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
        self.ns.close()
        shutil.rmtree(f"/etc/netns/{self.ns.name}", ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture
def env():
    need_root()
    e = Env(need_binary())
    yield e
    e.close()


def start_dnsmasq(env):
    if not shutil.which("dnsmasq"):
        pytest.skip("dnsmasq not installed (tools/install-deps.sh)")
    # Wildcard socket: it answers on 192.0.2.1 once seqs-tap's --peer-ip puts that address up.
    p = env.spawn(["dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--user=root", "--port=53", "--no-resolv",
                   "--no-hosts", "--pid-file=" + os.path.join(env.tmp, "dnsmasq.pid"), *DNSMASQ_ARGS])
    for _ in range(50):   # ready when it answers on the namespace's loopback
        if linux_query(env, "www.a.test", server="127.0.0.1", timeout=0.1) is not None:
            return p
        assert p.poll() is None, p.stdout.read()
    raise AssertionError("dnsmasq did not answer")


def linux_query(env, name, server="127.0.0.1", timeout=2.0):
    """One A query from a kernel UDP socket in the namespace to the same dnsmasq (its
    wildcard socket; 192.0.2.1 goes away with each seqs-tap's TAP); the answer dissected by scapy."""
    with in_netns(env.ns.name):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.settimeout(timeout)
        s.sendto(bytes(DNS(id=4321, rd=1, qd=DNSQR(qname=name))), (server, 53))
        data, _ = s.recvfrom(4096)
    except OSError:
        return None
    finally:
        s.close()
    d = DNS(data)
    addrs = sorted(d.an[i].rdata for i in range(d.ancount) if d.an[i].type == 1)
    ttls = [d.an[i].ttl for i in range(d.ancount)]
    return {"rcode": d.rcode, "addrs": addrs, "ttl": min(ttls) if ttls else None}


GLIBC_LOOKUP = """
import socket, sys
try:
    ai = socket.getaddrinfo(sys.argv[1], None, socket.AF_INET, socket.SOCK_STREAM)
    print(" ".join(sorted({a[4][0] for a in ai})))
except socket.gaierror as e:
    print("gaierror", e.errno)
"""


def glibc_lookup(env, name):
    """glibc's resolver in the namespace (getaddrinfo; resolv.conf from /etc/netns/NS/ under
    `ip netns exec`). getent ahostsv4 is not used: its AI_ADDRCONFIG finds no IPv4 address in
    the namespace once seqs-tap's TAP is gone, and returns nothing. -> sorted addresses, or
    "nxdomain" for EAI_NONAME."""
    os.makedirs(f"/etc/netns/{env.ns.name}", exist_ok=True)
    with open(f"/etc/netns/{env.ns.name}/resolv.conf", "w") as f:
        f.write("nameserver 127.0.0.1\noptions timeout:2 attempts:2\n")
    out = env.ns.run(["/usr/bin/python3", "-c", GLIBC_LOOKUP, name], timeout=30).stdout.split()
    if out[:1] == ["gaierror"]:
        return "nxdomain" if int(out[1]) == socket.EAI_NONAME else "gaierror %s" % out[1]
    return out


def test_resolve_answers_match_linux_lookups_from_dnsmasq(env):
    """A name (--address), a CNAME to a host record, and a name that does not exist:
    seqs-tap's addresses and TTL equal what glibc (getaddrinfo) and a direct query
    from the namespace get from the same dnsmasq; NXDOMAIN is reported as such."""
    start_dnsmasq(env)
    results = {}
    for name in ("www.a.test", "alias.c.test", "nope.c.test"):
        rc, events, final, err = env.seqs_tap("--resolve", f"{name}@{LINUX_IP}")
        (ev,) = [e for e in events if e["event"] == "resolve"]
        assert ev["name"] == name and ev["server"] == LINUX_IP
        ref = linux_query(env, name)
        gaddrs = glibc_lookup(env, name)
        results[name] = (ev, ref, gaddrs)
        svc = next(s for s in final["services"] if s["service"] == "resolve")
        assert svc["drop_malformed"] == 0 and svc["drop_id"] == 0 and svc["drop_source"] == 0
        if name == "nope.c.test":
            assert ev.get("error") == "nxdomain" and rc == 1
            assert ref["rcode"] == 3 and gaddrs == "nxdomain"
        else:
            assert rc == 0, err
            assert sorted(ev["addrs"]) == ref["addrs"] == gaddrs != []
            assert ev["ttl"] == ref["ttl"] == 300
    report("dns-vs-linux", **{n: (r[0].get("addrs") or r[0].get("error")) for n, r in results.items()},
           elapsed_us={n: r[0]["elapsed_us"] for n, r in results.items()})


def start_chronyd(env):
    if not shutil.which("chronyd"):
        pytest.skip("chrony not installed (tools/install-deps.sh)")
    conf = os.path.join(env.tmp, "chrony.conf")
    with open(conf, "w") as f:
        f.write("local stratum 8\nallow 192.0.2.0/24\ncmdport 0\nuser root\n"
                f"pidfile {env.tmp}/chronyd.pid\ndriftfile {env.tmp}/drift\n")
    return env.spawn(["chronyd", "-x", "-d", "-f", conf])   # -x: never touches the (shared) system clock


def test_ntp_offset_against_chronyd_agrees_with_the_namespace_clock(env):
    """chronyd (local stratum 8) serves the clock this host and the namespace share:
    seqs-tap's offset (server minus CLOCK_REALTIME) must be within 5 ms of zero, the
    stratum 8, no leap pending. Three runs: on a loaded machine one exchange can be
    slow, and its offset error is then bounded by half its round-trip delay (RFC 4330
    5), so every sample must lie within delay/2 (+1 ms) of zero and the fastest one
    within 5 ms."""
    start_chronyd(env)
    time.sleep(0.3)
    offs = []
    for _ in range(3):
        rc, events, final, err = env.seqs_tap("--ntp", LINUX_IP)
        (ev,) = [e for e in events if e["event"] == "ntp"]
        assert rc == 0 and "error" not in ev, (ev, err)
        assert ev["stratum"] == 8 and ev["leap"] == 0
        assert 0 <= ev["delay_us"] < 200_000, ev
        assert abs(ev["offset_us"]) <= ev["delay_us"] // 2 + 1000, ev
        offs.append(ev)
        svc = next(s for s in final["services"] if s["service"] == "ntp")
        assert svc["drop_bogus"] == 0 and svc["replies"] == 1
    best = min(offs, key=lambda e: e["delay_us"])
    assert abs(best["offset_us"]) < 5000, offs
    report("sntp-vs-chronyd", offsets_us=[e["offset_us"] for e in offs], delays_us=[e["delay_us"] for e in offs])


class NtpPeer:
    """A Python NTP 'server' in the namespace: answers every request with reply(req) -> bytes|None."""

    def __init__(self, env, reply):
        with in_netns(env.ns.name):
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("0.0.0.0", 123))
        self.sock.settimeout(0.2)
        self.reply, self.requests, self.stop_ = reply, [], False
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop_:
            try:
                data, addr = self.sock.recvfrom(2048)
            except socket.timeout:
                continue
            except OSError:
                return
            self.requests.append((time.monotonic(), data, addr))
            out = self.reply(data)
            if out is not None:
                self.sock.sendto(out, addr)

    def close(self):
        self.stop_ = True
        self.t.join(timeout=2)
        self.sock.close()


def kod(code):
    def reply(req):
        # LI 3, VN 4, mode 4, stratum 0, the kiss code as reference id, origin = the request's transmit time.
        return (struct.pack("!BBbb", (3 << 6) | (4 << 3) | 4, 0, 6, -20) + bytes(8) + code + bytes(8) +
                req[40:48] + bytes(16))
    return reply


@pytest.mark.parametrize("code,error", [(b"DENY", "kod-deny"), (b"RATE", "kod-rate")])
def test_ntp_kiss_of_death_from_a_python_peer(env, code, error):
    """RFC 5905 7.4: a KoD is reported as an error, no time is taken (no offset), and the
    request that provoked it was a well-formed client request (VN 4, mode 3)."""
    tap = unique_names("dn")[1]
    st = SeqsTap(tap, env.ns.name, mac=SEQS_MAC, ip=f"{SEQS_IP}/24", binary=env.binary,
                 extra=["--peer-ip", f"{LINUX_IP}/24", "--duration", "15", "--ntp", LINUX_IP])
    # the peer's socket needs nothing but the namespace: it binds the wildcard address
    peer = NtpPeer(env, kod(code))
    try:
        st.start()
        ev = st._next_json(timeout=15)
        final = st._next_json(timeout=15)
        rc = st.wait(timeout=10)
    finally:
        peer.close()
        st.kill()
    assert ev == {"event": "ntp", "server": LINUX_IP, "error": error}
    assert rc == 1
    svc = next(s for s in final["services"] if s["service"] == "ntp")
    assert svc["kod"] == 1 and svc["replies"] == 1
    (t, req, addr) = peer.requests[0]
    assert len(req) == 48 and req[0] & 0x3F == (4 << 3) | 3 and req[40:48] != bytes(8)
    assert addr[0] == SEQS_IP


def test_ntp_silent_server_times_out(env):
    """No reply within the 5 s reply time-out: reported as "timeout" (exit 1), after
    exactly one request (the next would wait for the 15 s poll interval)."""
    peer = NtpPeer(env, lambda req: None)
    tap = unique_names("dn")[1]
    st = SeqsTap(tap, env.ns.name, mac=SEQS_MAC, ip=f"{SEQS_IP}/24", binary=env.binary,
                 extra=["--peer-ip", f"{LINUX_IP}/24", "--duration", "15", "--ntp", LINUX_IP])
    try:
        t0 = time.monotonic()
        st.start()
        ev = st._next_json(timeout=15)
        elapsed = time.monotonic() - t0
        final = st._next_json(timeout=15)
        rc = st.wait(timeout=10)
    finally:
        peer.close()
        st.kill()
    assert ev == {"event": "ntp", "server": LINUX_IP, "error": "timeout"}
    assert rc == 1 and 4.5 < elapsed < 9, elapsed
    assert len(peer.requests) == 1
    svc = next(s for s in final["services"] if s["service"] == "ntp")
    assert svc["timeouts"] == 1 and svc["requests"] == 1


def test_resolve_and_ntp_use_the_dhcp_lease_servers(env):
    """seqs-tap --dhcp --resolve NAME --ntp dhcp: the lookup goes to the lease's DNS server
    (option 6) and the SNTP exchange to its NTP server (option 42): dnsmasq serves the lease
    and the names, chronyd the time, all at 192.0.2.1 in the namespace."""
    start_chronyd(env)
    tap = unique_names("dn")[1]
    st = SeqsTap(tap, env.ns.name, mac="02:00:00:00:00:58", binary=env.binary,
                 extra=["--peer-ip", f"{LINUX_IP}/24", "--duration", "40", "--dhcp",
                        "--resolve", "alias.c.test", "--ntp", "dhcp"])
    i = st.argv.index("--ip")
    del st.argv[i:i + 2]   # --dhcp replaces --ip
    try:
        st.start()
        # DHCP and DNS on the TAP (it exists now), options 6 and 42 naming 192.0.2.1
        env.spawn(["dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--user=root", "--port=53",
                   f"--interface={tap}", "--bind-interfaces", "--dhcp-range=192.0.2.50,192.0.2.59,255.255.255.0,2m",
                   "--no-ping", f"--dhcp-leasefile={env.tmp}/leases", f"--pid-file={env.tmp}/dnsmasq2.pid",
                   "--no-resolv", "--no-hosts", f"--dhcp-option=option:dns-server,{LINUX_IP}",
                   f"--dhcp-option=option:ntp-server,{LINUX_IP}", *DNSMASQ_ARGS])
        events = []
        while True:
            obj = st._next_json(timeout=40)
            if "event" not in obj:
                final = obj
                break
            events.append(obj)
        rc = st.wait(timeout=10)
    finally:
        st.kill()
    bound = [e for e in events if e["event"] == "dhcp" and e["state"] == "bound"]
    assert bound and bound[0]["dns"] == [LINUX_IP] and bound[0]["ntp"] == [LINUX_IP], events
    (res,) = [e for e in events if e["event"] == "resolve"]
    (ntp,) = [e for e in events if e["event"] == "ntp"]
    assert rc == 0, st.stderr
    assert res["servers"] == [LINUX_IP] and res["addrs"] == ["192.0.2.51"] and res["ttl"] == 300, res
    assert ntp["server"] == LINUX_IP and ntp["stratum"] == 8 and abs(ntp["offset_us"]) <= ntp["delay_us"] // 2 + 5000
    report("dns-sntp-from-dhcp-lease", addr=bound[0]["addr"], resolve=res["addrs"], offset_us=ntp["offset_us"])


def test_resolve_without_server_needs_a_lease(env):
    """--resolve NAME without @SERVER and without --dhcp: a clear error, exit 1."""
    tap = unique_names("dn")[1]
    st = SeqsTap(tap, env.ns.name, mac=SEQS_MAC, ip=f"{SEQS_IP}/24", binary=env.binary,
                 extra=["--peer-ip", f"{LINUX_IP}/24", "--duration", "5", "--resolve", "www.a.test"])
    st.proc = subprocess.Popen(st.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = st.proc.communicate(timeout=15)
    finally:
        st.kill()
    assert st.proc.returncode == 1 and "no DNS server" in err and "--dhcp" in err, (st.proc.returncode, err)
