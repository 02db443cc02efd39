# SPDX-License-Identifier: BSD-3-Clause
"""Two seqs stacks and Linux on one Ethernet segment: each seqs-tap's device is
enslaved to a Linux bridge (--bridge), so seqs talks to seqs through the kernel's
bridge (ARP, ICMP and TCP both ways) while Linux watches the same segment."""
import json

import pytest

from harness.tapwire import SeqsTap, unique_names
from interop_peer import need_binary, need_root
from harness.tapwire import Netns

pytestmark = [pytest.mark.root]

A_IP, B_IP, LINUX_IP = "192.0.2.2", "192.0.2.3", "192.0.2.1"


@pytest.fixture
def segment():
    need_root()
    binary = need_binary()
    ns_name, tap = unique_names("br")
    ns = Netns(ns_name)
    procs = []
    try:
        ns.sysctl("net.ipv6.conf.all.disable_ipv6", 1)
        ns.sysctl("net.ipv6.conf.default.disable_ipv6", 1)
        ns.run(["ip", "link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0"])
        ns.run(["ip", "addr", "add", f"{LINUX_IP}/24", "dev", "br0"])
        ns.run(["ip", "link", "set", "br0", "up"])

        def start(name, mac, ip, extra):
            p = SeqsTap(f"{tap}{name}"[:15], ns_name, mac=mac, ip=f"{ip}/24", binary=binary,
                        extra=["--bridge", "br0", *extra])
            procs.append(p)
            return p.start()

        yield ns, start
    finally:
        for p in procs:
            p.kill()
        ns.close()


def test_seqs_to_seqs_ping_and_tcp_through_a_linux_bridge(segment):
    ns, start = segment
    a = start("a", "02:00:00:00:00:0a", A_IP, ["--tcp-echo", "7"])
    b = start("b", "02:00:00:00:00:0b", B_IP, ["--ping", f"{A_IP}:50:1000:5",
                                             "--tcp-client", f"{A_IP}:7:300000", "--duration", "30"])
    final_b = b.wait_final(timeout=40)
    ping = next(s for s in final_b["services"] if s["service"] == "ping")
    tcp = next(s for s in final_b["services"] if s["service"] == "tcp-client")
    print("\nINTEROP seqs-seqs-bridge: " + json.dumps({"ping_received": ping["received"],
          "rtt_avg_us": ping.get("rtt_avg_us"), "tcp_duration_us": tcp.get("duration_us"),
          "tcp_bytes_in": tcp["bytes_in"]}))
    assert ping["received"] == 50
    assert tcp["done"] is True and tcp["bytes_out"] == 300000 and tcp["bytes_in"] == 300000, tcp
    # Linux on the same segment reaches the server stack too (B has exited: its clients are done).
    out = ns.run(["ping", "-c", "3", "-i", "0.05", "-W", "1", A_IP], check=False).stdout
    assert "3 received" in out, out
    final_a = a.stop()
    echo = next(s for s in final_a["services"] if s["service"] == "tcp-echo")
    assert echo["accepted"] == 1 and echo["bytes_in"] == 300000 and echo["errors"] == 0
    for f in (final_a, final_b):
        c = f["counters"]
        assert c["ip_drop_checksum"] == c["tcp_drop_checksum"] == c["icmp_drop_checksum"] == 0
    n = ns.nstat()
    assert n["IpInHdrErrors"] == 0 and n["IcmpInCsumErrors"] == 0
