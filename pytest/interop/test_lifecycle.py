# SPDX-License-Identifier: BSD-3-Clause
"""seqs-tap as a process: how it starts (ready line, IPv6 silenced, RFC 5227
probing against a real Linux neighbour), how it ends (duration, signals: exit 0
with a final JSON report) and how it survives its link going down (write()
fails with EIO: counted as a dropped frame, not fatal)."""
import signal
import subprocess
import time

import pytest

from harness.tapwire import Netns, SeqsTap, unique_names
from interop_peer import LINUX_IP, SEQS_IP, SEQS_MAC, need_binary, need_root

pytestmark = [pytest.mark.root]


def test_duration_ends_the_run_with_exit_0_and_final_counters(make_peer):
    peer = make_peer(["--duration", "0.6"])
    t0 = time.monotonic()
    final = peer.proc.wait_final(timeout=10)
    assert final["final"] is True
    assert 0.5 <= final["runtime_s"] <= 3.0
    assert time.monotonic() - t0 < 3.0
    assert peer.proc.ready_line == f"ready {SEQS_IP} {SEQS_MAC}"
    assert set(final) >= {"tool", "counters", "services"}


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_stops_with_exit_0_and_final_counters(make_peer, sig):
    peer = make_peer()
    assert peer.ping(3, interval=0.05)["received"] == 3
    peer.proc.proc.send_signal(sig)
    final = peer.proc.wait_final(timeout=10)
    assert final["final"] is True and final["counters"]["icmp_tx_echo_reply"] == 3


def test_sigusr1_reports_without_stopping(make_peer):
    peer = make_peer()
    snap = peer.proc.snapshot()
    assert snap["final"] is False
    assert peer.ping(2, interval=0.05)["received"] == 2       # still serving
    assert peer.proc.stop()["counters"]["icmp_tx_echo_reply"] == 2


def test_ipv6_is_off_on_the_tap_so_linux_sends_no_chatter(make_peer, tmp_path):
    pcap = tmp_path / "v6.pcap"
    peer = make_peer(["--pcap", str(pcap)])
    assert peer.ns.run(["sysctl", "-n", f"net.ipv6.conf.{peer.tap}.disable_ipv6"]).stdout.strip() == "1"
    peer.ping(3, interval=0.3)
    peer.proc.stop()
    from scapy.utils import rdpcap
    v6 = [p for p in rdpcap(str(pcap)) if p.type == 0x86DD]
    assert not v6, f"{len(v6)} IPv6 frames reached the stack"


def test_link_down_makes_writes_fail_without_killing_the_tool(make_peer):
    """Its gratuitous ARP announcements (RFC 5227: 2, 2 s apart) are written
    while the device is down: EIO, counted as tap_tx_err; once the link is up
    again Linux's ping is answered."""
    peer = make_peer()
    peer.ns.run(["ip", "link", "set", peer.tap, "down"])
    time.sleep(2.5)
    assert peer.proc.proc.poll() is None
    peer.ns.run(["ip", "link", "set", peer.tap, "up"])
    assert peer.ping(3, interval=0.1, wait=1)["received"] == 3
    tool = peer.proc.stop()["tool"]
    assert tool["tap_tx_err"] >= 1


def test_probe_finds_linux_already_using_the_address_and_exits_1():
    """RFC 5227 against a real neighbour: with --probe, seqs asks who-has for its
    address from 0.0.0.0; Linux owns it and answers; seqs gives up (exit 1,
    no ready line)."""
    need_root()
    binary = need_binary()
    ns_name, tap = unique_names("io")
    ns = Netns(ns_name)
    try:
        p = subprocess.run([str(binary), "--tap", tap, "--netns", ns_name, "--mac", SEQS_MAC,
                            "--ip", f"{LINUX_IP}/24", "--peer-ip", f"{LINUX_IP}/24", "--probe",
                            "--duration", "20"], capture_output=True, text=True, timeout=30)
    finally:
        ns.close()
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert "ready" not in p.stdout
    assert "conflict" in p.stderr


@pytest.mark.slow
def test_probe_without_conflict_becomes_ready_then_serves(make_peer):
    t0 = time.monotonic()
    peer = make_peer(["--probe"])
    took = time.monotonic() - t0
    assert 3.0 <= took <= 10.0, took    # PROBE_WAIT + 3 probes 1-2 s apart + ANNOUNCE_WAIT
    assert peer.ping(2, interval=0.1)["received"] == 2
    c = peer.proc.stop()["counters"]
    assert c["arp_tx_probe"] == 3 and c["arp_conflict"] == 0


def test_small_mtu_fragments_to_fit(make_peer):
    peer = make_peer(["--mtu", "576"])
    assert peer.ns.run(["cat", f"/sys/class/net/{peer.tap}/mtu"]).stdout.strip() == "576"
    r = peer.ping(3, interval=0.1, size=1000)
    assert r["received"] == 3
    c = peer.proc.stop()["counters"]
    assert c["ip_frag_tx"] == 6      # 1028-byte replies: 2 fragments each at MTU 576


def test_missing_netns_is_a_setup_error_exit_1():
    need_root()
    r = subprocess.run([str(need_binary()), "--tap", "sqnons0", "--netns", "seqs-no-such-ns", "--mac", SEQS_MAC,
                        "--ip", f"{SEQS_IP}/24"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 1
    assert "network namespace seqs-no-such-ns not found" in r.stderr and r.stdout == ""


def test_idle_tool_sleeps_until_its_next_deadline(make_peer):
    """The loop blocks in ppoll() until a frame or the stack's next deadline:
    idle for 2 s it wakes only a handful of times (announcement timers), it
    does not spin."""
    peer = make_peer()
    before = peer.proc.snapshot()["tool"]["wakeups"]
    time.sleep(2.0)
    after = peer.proc.snapshot()["tool"]["wakeups"]
    assert after - before <= 10, f"{after - before} wakeups in 2 s of idle"


def test_linux_flushing_its_neighbour_cache_mid_ping_re_arps_and_continues(make_peer):
    """Linux re-ARPs mid-test (here forced by flushing its cache during a ping
    run): seqs answers every new who-has, and no echo is lost."""
    peer = make_peer()
    ping = peer.ns.popen(["ping", "-n", "-q", "-c", "300", "-i", "0.005", "-W", "1", SEQS_IP],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(5):
            time.sleep(0.2)
            peer.ns.run(["ip", "neigh", "flush", "dev", peer.tap])
        out, _ = ping.communicate(timeout=30)
    finally:
        if ping.poll() is None:
            ping.kill()
    assert "300 packets transmitted, 300 received" in out, out
    c = peer.proc.stop()["counters"]
    assert c["arp_tx_reply"] >= 3      # the first resolution plus re-ARPs after flushes
