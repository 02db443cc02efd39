# SPDX-License-Identifier: BSD-3-Clause
"""The seqs firmware, built for the Cortex-M0+ and run under QEMU's mps2-an385.

(a) Without root: QEMU's LAN9118 is wired to a `-netdev dgram` UDP socket pair on
127.0.0.1; scapy builds every frame we send and dissects every frame the firmware
sends (checksums recomputed by scapy, never by seqs).
(b) As root: Linux pings the firmware over a TAP device in a network namespace.

The core-free `hwcheck` image tests the board layer alone (LAN9118 driver, clock,
semihosting exit, the unaligned-access trap that makes the M3 fault like an M0+)."""
import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest
from scapy.layers.inet import ICMP, IP, TCP, UDP, IPOption_NOP, IPOption_RR, fragment
from scapy.layers.l2 import ARP, Ether
from scapy.packet import Raw

from fwqemu import (CTRL_PORT, ECHO_PORT, FW_IP, FW_MAC, PEER_IP, PEER_MAC, QemuMps2, image)

pytestmark = pytest.mark.slow

BCAST = "ff:ff:ff:ff:ff:ff"


# ---------------------------------------------------------------------------
# helpers: scapy as the oracle
# ---------------------------------------------------------------------------
def ip_checksums_ok(raw_ip):
    """True when the IP header checksum (and the UDP/ICMP checksum of an unfragmented
    datagram) equal what scapy computes for the same bytes."""
    got = IP(raw_ip)
    fresh = IP(raw_ip)
    fresh.chksum = None
    if fresh.flags.MF == 0 and fresh.frag == 0:
        if UDP in fresh:
            fresh[UDP].chksum = None
        if ICMP in fresh:
            fresh[ICMP].chksum = None
    again = IP(bytes(fresh))
    ok = got.chksum == again.chksum
    if UDP in got and got.frag == 0 and got.flags.MF == 0 and got[UDP].chksum != 0:
        ok = ok and got[UDP].chksum == again[UDP].chksum
    if ICMP in got and got.frag == 0 and got.flags.MF == 0:
        ok = ok and got[ICMP].chksum == again[ICMP].chksum
    return ok


def reassemble(frames):
    """Reassembles the IP fragments (all of one datagram) in frames; returns the full
    datagram bytes with MF/offset cleared (checksums as recomputed by scapy) and the
    number of fragments. Asserts they are contiguous and end with MF=0."""
    ips = sorted((Ether(f)[IP] for f in frames), key=lambda p: p.frag)
    assert len({p.id for p in ips}) == 1, "fragments of different datagrams"
    data = b""
    for p in ips:
        assert p.frag * 8 == len(data), f"gap/overlap at offset {p.frag * 8}, have {len(data)}"
        assert ip_checksums_ok(bytes(p)), "bad IP header checksum on a fragment"
        data += bytes(p.payload)[: p.len - p.ihl * 4]
    assert ips[-1].flags.MF == 0 and all(p.flags.MF == 1 for p in ips[:-1])
    head = ips[0].copy()
    head.remove_payload()
    head.flags = 0
    head.frag = 0
    head.len = None
    head.chksum = None
    return bytes(head / Raw(data)), len(ips)


def frame_to(payload, dst=FW_MAC):
    return Ether(src=PEER_MAC, dst=dst) / payload


def arp_resolve(fw):
    """ARP who-has for the firmware (which also teaches it our MAC); returns the reply."""
    fw.send(frame_to(ARP(op=1, hwsrc=PEER_MAC, psrc=PEER_IP, pdst=FW_IP), dst=BCAST))
    hit, _ = fw.recv_until(lambda f: ARP in Ether(f) and Ether(f)[ARP].op == 2 and
                           Ether(f)[ARP].pdst == PEER_IP)
    assert hit is not None, "no ARP reply"
    return Ether(hit)


def collect_datagram(fw, match, timeout=3.0):
    """Receives the frames of one IP datagram accepted by match(ip) (fragmented or not)."""
    frags = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        f = fw.recv(deadline - time.monotonic())
        if f is None:
            break
        e = Ether(f)
        if IP not in e or not match(e[IP]):
            continue
        assert e.dst == PEER_MAC and e.src == FW_MAC
        assert len(f) <= 1514, f"frame of {len(f)} bytes exceeds the 1500-byte MTU"
        frags.append(f)
        if e[IP].flags.MF == 0:
            # last fragment seen: done once every offset is covered
            try:
                return reassemble(frags)
            except AssertionError:
                continue
    raise AssertionError(f"datagram not received ({len(frags)} fragment(s) seen)")


def answering_arp(fw, match):
    """A recv_until predicate that also answers the firmware's who-has for the peer."""
    def pred(f):
        e = Ether(f)
        if ARP in e and e[ARP].op == 1 and e[ARP].pdst == PEER_IP:
            fw.send(frame_to(ARP(op=2, hwsrc=PEER_MAC, psrc=PEER_IP, hwdst=e[ARP].hwsrc, pdst=e[ARP].psrc),
                             dst=e[ARP].hwsrc))
            return False
        return match(f)
    return pred


def ctrl(fw, cmd, timeout=3.0):
    fw.send(frame_to(IP(src=PEER_IP, dst=FW_IP) / UDP(sport=40000, dport=CTRL_PORT) / cmd.encode()))
    hit, _ = fw.recv_until(answering_arp(fw, lambda f: UDP in Ether(f) and Ether(f)[UDP].sport == CTRL_PORT),
                           timeout)
    if hit is None:
        return None
    udp = Ether(hit)[UDP]
    return bytes(udp.payload)[: udp.len - 8].decode()   # without the Ethernet padding


def counters(fw):
    text = ctrl(fw, "counters")
    assert text is not None, "no reply on the control port"
    return {k: int(v) for k, v in re.findall(r"^(\w+)=(\d+)$", text, re.M)}


def finish(fw):
    """Asks the firmware to end the run; it must exit QEMU with code 0 (no fault)."""
    assert ctrl(fw, "exit") == "bye\n"
    rc = fw.wait_exit(10)
    assert rc == 0, f"firmware exit code {rc}"
    assert "FAULT" not in fw.uart()
    check_stack_depth(fw)


# The Pico W port runs with a 4 KB main stack that the cyw43 interrupt handlers share.
STACK_BUDGET = 3072


def check_stack_depth(fw):
    """The deepest main-stack use of the run (painted-stack high-water mark the image prints
    at exit) stays within what the Pico W port can give the core and main loop."""
    m = re.search(r"stack high-water (\d+) B", fw.uart())
    assert m, "no stack high-water mark in the UART log"
    assert int(m.group(1)) <= STACK_BUDGET, f"main stack reached {m.group(1)} B"


# ---------------------------------------------------------------------------
# (a0) the board layer alone (no core)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("size", [14, 15, 42, 59, 60, 61, 63, 64, 65, 255, 1000, 1513, 1514, 1518])
def test_lan9118_driver_round_trips_every_frame_size(hwcheck, size):
    """The reflector returns each frame byte for byte with the MACs swapped; frames
    shorter than 60 bytes are zero-padded to 60 by the driver."""
    body = bytes((i * 7 + 3) & 0xFF for i in range(size - 14))
    frame = bytes.fromhex("025351000002") + bytes.fromhex("020000000001") + b"\x88\xb6"[: max(0, size - 12)] + body
    frame = frame[:size]
    hwcheck.send(frame)
    got = hwcheck.recv(3)
    assert got is not None, "no frame back"
    assert len(got) == max(size, 60)
    assert got[:6] == frame[6:12] and got[6:12] == frame[:6]
    assert got[12:size] == frame[12:]
    assert got[size:] == bytes(len(got) - size)


def test_lan9118_driver_keeps_order_under_a_burst(hwcheck):
    """40 back-to-back frames come back complete and in order. (Their total, ~4 KB, fits
    QEMU's 10.5 KB LAN9118 RX FIFO even if the guest is not scheduled during the burst,
    so a loss would be the driver's.)"""
    sent = []
    for i in range(40):
        f = bytes.fromhex("025351000002020000000001") + b"\x88\xb6" + bytes([i]) * (46 + i)
        sent.append(f)
        hwcheck.send(f)
    got = [hwcheck.recv(3) for _ in sent]
    assert [g[14] if g else None for g in got] == list(range(40))
    assert all(g[12:] == s[12:] for g, s in zip(got, sent))


def test_monotonic_clock_follows_wall_time(hwcheck):
    def fw_time():
        hwcheck.send(bytes.fromhex("025351000002020000000001") + b"\x88\xb5time")
        got = hwcheck.recv(3)
        assert got is not None and got[14:19] == b"time "
        return int(got[19:].rstrip(b"\0"))
    t0, w0 = fw_time(), time.monotonic()
    time.sleep(0.5)
    t1, w1 = fw_time(), time.monotonic()
    wall_us = (w1 - w0) * 1e6
    assert t1 > t0
    assert 0.8 * wall_us - 20000 < t1 - t0 < 1.2 * wall_us + 20000, (t1 - t0, wall_us)


def test_lan9118_rx_interrupt_wakes_the_cpu(hwcheck):
    """With SysTick stopped, WFI only ends on an interrupt from the LAN9118: frames sent one
    at a time, with idle gaps, must still come back promptly."""
    cmd = bytes.fromhex("025351000002020000000001") + b"\x88\xb5"
    hwcheck.send(cmd + b"nosystick")
    assert hwcheck.recv(3) is not None
    hwcheck.wait_uart("SysTick stopped", 3)
    for i in range(10):
        time.sleep(0.05)
        t0 = time.monotonic()
        hwcheck.send(cmd[:12] + b"\x88\xb6" + bytes([i]) * 50)
        got = hwcheck.recv(2)
        assert got is not None and got[14] == i, f"frame {i} not reflected without SysTick"
        assert time.monotonic() - t0 < 0.5


def test_semihosting_exit_code_reaches_the_host(hwcheck):
    hwcheck.send(bytes.fromhex("025351000002020000000001") + b"\x88\xb5exit")
    assert hwcheck.wait_exit(10) == 0
    assert "exit requested" in hwcheck.uart()


def test_misaligned_word_load_faults_like_a_cortex_m0plus(hwcheck):
    """UNALIGN_TRP is on: a misaligned LDR must raise a fault (UsageFault UNALIGNED on the
    M3), which the handler reports on the UART before exiting QEMU with code 3."""
    assert "UNALIGN_TRP on" in hwcheck.uart()
    hwcheck.send(bytes.fromhex("025351000002020000000001") + b"\x88\xb5unaligned")
    assert hwcheck.wait_exit(10) == 3
    log = hwcheck.uart()
    assert "FAULT" in log and "UNALIGNED" in log
    assert "did NOT fault" not in log


@pytest.mark.parametrize("name", ["seqs-qemu-mps2.elf", "seqs-qemu-mps2-hwcheck.elf"])
def test_image_contains_only_armv6m_instructions(name):
    """The M3 would run Thumb-2 code an M0+ cannot: check the disassembly. ARMv6-M's only
    32-bit instructions are BL, MRS, MSR, DMB, DSB, ISB; CBZ/CBNZ and IT are ARMv7-M."""
    objdump = shutil.which("arm-none-eabi-objdump")
    if objdump is None:
        pytest.skip("arm-none-eabi-objdump not installed")
    out = subprocess.run([objdump, "-d", str(image(name))], capture_output=True, text=True, check=True).stdout
    wide, narrow = set(), set()
    for m in re.finditer(r"^\s+[0-9a-f]+:\t([0-9a-f]{4})( [0-9a-f]{4})?\s*\t(\S+)", out, re.M):
        (wide if m.group(2) else narrow).add(m.group(3).split(".")[0])
    assert wide, "no instructions found in the disassembly"
    assert wide <= {"bl", "mrs", "msr", "dmb", "dsb", "isb"}, f"Thumb-2-only instructions: {wide}"
    v7_narrow = {n for n in narrow if n in ("cbz", "cbnz") or re.fullmatch(r"it[te]{0,3}", n)}
    assert not v7_narrow, f"ARMv7-M-only instructions: {v7_narrow}"


# ---------------------------------------------------------------------------
# (a) the full image: core + main loop, scapy over the dgram socket pair
# ---------------------------------------------------------------------------
@pytest.mark.conformance("A1")
def test_fw_arp_request_gets_a_unicast_reply(fw):
    reply = arp_resolve(fw)
    assert reply.dst == PEER_MAC and reply.src == FW_MAC
    a = reply[ARP]
    assert (a.hwtype, a.ptype, a.hwlen, a.plen) == (1, 0x0800, 6, 4)
    assert (a.hwsrc, a.psrc, a.hwdst, a.pdst) == (FW_MAC, FW_IP, PEER_MAC, PEER_IP)
    finish(fw)


@pytest.mark.conformance("A2")
def test_fw_arp_for_another_address_is_not_answered(fw):
    fw.send(frame_to(ARP(op=1, hwsrc=PEER_MAC, psrc=PEER_IP, pdst="192.0.2.99"), dst=BCAST))
    hit, _ = fw.recv_until(lambda f: ARP in Ether(f) and Ether(f)[ARP].op == 2 and
                           Ether(f)[ARP].pdst == PEER_IP, timeout=1.0)
    assert hit is None
    finish(fw)


@pytest.mark.conformance("C1")
@pytest.mark.conformance("C2")
@pytest.mark.parametrize("size", [0, 56, 1472, 4000])
def test_fw_ping_is_echoed_in_full(fw, size):
    """Echo requests of 0, 56, 1472 (largest unfragmented) and 4000 bytes (three
    fragments each way) come back with the same id, seq and data."""
    arp_resolve(fw)
    data = bytes((i * 13 + size) & 0xFF for i in range(size))
    req = IP(src=PEER_IP, dst=FW_IP, id=0x4242) / ICMP(type=8, id=0x1234, seq=7) / Raw(data)
    pkts = fragment(req, fragsize=1480) if size > 1472 else [req]
    for p in pkts:
        fw.send(frame_to(p))
    raw, nfrag = collect_datagram(fw, lambda ip: ip.proto == 1 and ip.dst == PEER_IP)
    assert nfrag == (3 if size == 4000 else 1)
    assert ip_checksums_ok(raw), "IP/ICMP checksum differs from scapy's"
    rep = IP(raw)
    assert rep.src == FW_IP and rep.dst == PEER_IP and rep.ttl > 0
    icmp = rep[ICMP]
    assert (icmp.type, icmp.code, icmp.id, icmp.seq) == (0, 0, 0x1234, 7)
    assert bytes(icmp.payload) == data
    c = counters(fw)
    assert c.get("ip_drop_checksum", 0) == 0
    if size == 4000:
        assert c.get("ip_reasm_ok", 0) == 1
    finish(fw)


@pytest.mark.conformance("U1")
@pytest.mark.conformance("U7")
@pytest.mark.parametrize("size", [0, 1, 100, 1472, 3000])
def test_fw_udp_echo_round_trip(fw, size):
    arp_resolve(fw)
    data = bytes((i * 31 + 5) & 0xFF for i in range(size))
    req = IP(src=PEER_IP, dst=FW_IP, id=0x777) / UDP(sport=50123, dport=ECHO_PORT) / Raw(data)
    pkts = fragment(req, fragsize=1480) if size > 1472 else [req]
    for p in pkts:
        fw.send(frame_to(p))
    raw, nfrag = collect_datagram(fw, lambda ip: ip.proto == 17 and ip.dst == PEER_IP)
    assert nfrag == (3 if size == 3000 else 1)
    assert ip_checksums_ok(raw), "IP/UDP checksum differs from scapy's"
    rep = IP(raw)
    assert rep.src == FW_IP
    assert (rep[UDP].sport, rep[UDP].dport) == (ECHO_PORT, 50123)
    assert rep[UDP].len == 8 + size
    assert bytes(rep[UDP].payload) == data
    if size == 3000:
        # the reply was fragmented by the firmware: check the UDP checksum over the whole datagram
        fresh = IP(raw)
        fresh[UDP].chksum = None
        assert IP(bytes(fresh))[UDP].chksum == rep[UDP].chksum
    c = counters(fw)
    assert c.get("fw_echo_ok", 0) == 1
    finish(fw)


def test_fw_answers_a_burst_of_pings(fw):
    """50 pings sent back to back: all answered, in order, no fault."""
    arp_resolve(fw)
    for seq in range(50):
        fw.send(frame_to(IP(src=PEER_IP, dst=FW_IP) / ICMP(type=8, id=99, seq=seq) / Raw(b"x" * 64)))
    seqs = []
    deadline = time.monotonic() + 5
    while len(seqs) < 50 and time.monotonic() < deadline:
        f = fw.recv(deadline - time.monotonic())
        if f is None:
            break
        e = Ether(f)
        if ICMP in e and e[ICMP].type == 0:
            assert ip_checksums_ok(bytes(e[IP]))
            seqs.append(e[ICMP].seq)
    assert seqs == list(range(50))
    finish(fw)


@pytest.mark.conformance("A5")
def test_fw_resolves_an_unknown_peer_before_replying(fw):
    """A ping from a peer it has no ARP entry for: the firmware broadcasts who-has for the
    peer, and sends the echo reply once we answer."""
    fw.send(frame_to(IP(src=PEER_IP, dst=FW_IP) / ICMP(type=8, id=5, seq=1) / Raw(b"resolve me")))
    who, _ = fw.recv_until(lambda f: ARP in Ether(f) and Ether(f)[ARP].op == 1 and
                           Ether(f)[ARP].pdst == PEER_IP)   # not the boot-time announcement
    assert who is not None, "no who-has for the peer"
    w = Ether(who)
    assert w.dst == BCAST and w[ARP].pdst == PEER_IP and w[ARP].psrc == FW_IP and w[ARP].hwsrc == FW_MAC
    fw.send(frame_to(ARP(op=2, hwsrc=PEER_MAC, psrc=PEER_IP, hwdst=FW_MAC, pdst=FW_IP)))
    rep, _ = fw.recv_until(lambda f: ICMP in Ether(f) and Ether(f)[ICMP].type == 0)
    assert rep is not None, "echo reply not sent after ARP resolution"
    assert Ether(rep).dst == PEER_MAC and bytes(Ether(rep)[ICMP].payload)[:10] == b"resolve me"
    finish(fw)


@pytest.mark.conformance("C5")
def test_fw_udp_to_a_closed_port_gets_port_unreachable(fw):
    arp_resolve(fw)
    req = IP(src=PEER_IP, dst=FW_IP, id=0x1111) / UDP(sport=5555, dport=4444) / Raw(b"nobody home")
    fw.send(frame_to(req))
    rep, _ = fw.recv_until(lambda f: ICMP in Ether(f) and Ether(f)[ICMP].type == 3)
    assert rep is not None, "no ICMP error"
    ip = Ether(rep)[IP]
    assert ip_checksums_ok(bytes(ip)[: ip.len])
    assert (ip[ICMP].type, ip[ICMP].code) == (3, 3)
    quoted = bytes(ip[ICMP].payload)[: ip.len - 20 - 8]
    assert quoted[:28] == bytes(req)[:28], "the quote must start with our IP header + 8 bytes"
    finish(fw)


@pytest.mark.conformance("T5")
def test_fw_syn_to_a_closed_port_gets_rst_ack(fw):
    arp_resolve(fw)
    fw.send(frame_to(IP(src=PEER_IP, dst=FW_IP) / TCP(sport=40001, dport=81, flags="S", seq=1000)))
    rep, _ = fw.recv_until(lambda f: TCP in Ether(f))
    assert rep is not None, "no RST"
    ip = Ether(rep)[IP]
    assert ip_checksums_ok(bytes(ip)[: ip.len])
    fresh = IP(bytes(ip)[: ip.len])
    fresh[TCP].chksum = None
    assert IP(bytes(fresh))[TCP].chksum == ip[TCP].chksum, "TCP checksum differs from scapy's"
    t = ip[TCP]
    assert t.flags == "RA" and t.seq == 0 and t.ack == 1001 and (t.sport, t.dport) == (81, 40001)
    finish(fw)


@pytest.mark.conformance("I9")
def test_fw_ping_with_ip_options_is_answered(fw):
    """Unknown/harmless IP options (NOP, Record Route) do not stop an echo request."""
    arp_resolve(fw)
    req = IP(src=PEER_IP, dst=FW_IP, options=[IPOption_NOP(), IPOption_RR(routers=["0.0.0.0"] * 3)]) / \
        ICMP(type=8, id=3, seq=3) / Raw(b"opts")
    fw.send(frame_to(req))
    rep, _ = fw.recv_until(lambda f: ICMP in Ether(f) and Ether(f)[ICMP].type == 0)
    assert rep is not None, "no echo reply"
    ip = Ether(rep)[IP]
    assert ip_checksums_ok(bytes(ip)[: ip.len])
    assert ip[ICMP].id == 3 and bytes(ip[ICMP].payload)[:4] == b"opts"
    finish(fw)


def malformed_frames(n, seed):
    """n frames that are wrong in the ways a parser must survive: truncated at every
    layer, lying length fields, bad IHL/data offset, random bytes after valid headers."""
    import random
    rnd = random.Random(seed)
    good = [
        frame_to(IP(src=PEER_IP, dst=FW_IP) / ICMP(type=8) / Raw(b"x" * 40)),
        frame_to(IP(src=PEER_IP, dst=FW_IP) / UDP(sport=1, dport=ECHO_PORT) / Raw(b"y" * 40)),
        frame_to(IP(src=PEER_IP, dst=FW_IP) / TCP(sport=1234, dport=7, flags="S", options=[("MSS", 1460)])),
        frame_to(IP(src=PEER_IP, dst=FW_IP, flags="MF", frag=0, id=9) / Raw(b"z" * 64)),
        frame_to(ARP(op=1, hwsrc=PEER_MAC, psrc=PEER_IP, pdst=FW_IP), dst=BCAST),
    ]
    out = []
    for i in range(n):
        f = bytearray(bytes(rnd.choice(good)))
        kind = i % 4
        if kind == 0:      # truncated anywhere (not to 0 bytes: QEMU's dgram backend takes an
            f = f[: rnd.randrange(1, len(f))]   # empty datagram for end-of-stream and stops reading)
        elif kind == 1:    # a few random bytes changed in the headers (lengths, IHL, offsets, options)
            for _ in range(rnd.randrange(1, 4)):
                f[rnd.randrange(12, min(len(f), 60))] = rnd.randrange(256)
        elif kind == 2:    # random tail after the Ethernet + IP headers
            f = f[:34] + bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 200)))
        else:              # garbage of any length with our MAC as destination
            f = f[:12] + bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 1500)))
        out.append(bytes(f))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fw_survives_malformed_frames(fw, seed):
    """600 malformed frames into the M0+ image (unaligned trap on): no fault, every one
    dropped for a counted reason, and it still answers ping afterwards."""
    arp_resolve(fw)
    frames = malformed_frames(600, seed=seed)
    for i, f in enumerate(frames):
        fw.send(f)
        if i % 20 == 19:
            time.sleep(0.01)   # stay below QEMU's RX FIFO; drain what the firmware answered
            while fw.recv(0.001) is not None:
                pass
    time.sleep(0.2)
    while fw.recv(0.05) is not None:
        pass
    assert "FAULT" not in fw.uart()
    arp_resolve(fw)
    fw.send(frame_to(IP(src=PEER_IP, dst=FW_IP) / ICMP(type=8, id=77, seq=1) / Raw(b"alive")))
    rep, _ = fw.recv_until(answering_arp(fw, lambda f: ICMP in Ether(f) and Ether(f)[ICMP].type == 0
                                         and Ether(f)[ICMP].id == 77))
    assert rep is not None, "no echo reply after the malformed frames"
    c = counters(fw)
    dropped = sum(v for k, v in c.items() if "drop" in k)
    assert dropped > 100, c   # the frames were seen, and dropped for a counted reason
    finish(fw)


def test_fw_misaligned_word_load_faults(fw):
    """The full image runs with the unaligned trap on, so any misaligned access in the
    core would end the run; this proves the trap is live in that very image."""
    assert "UNALIGN_TRP on" in fw.uart()
    ctrl(fw, "unaligned", timeout=1.0)
    assert fw.wait_exit(10) == 3
    assert "UNALIGNED" in fw.uart()


# ---------------------------------------------------------------------------
# (b) Linux pings the firmware over a TAP device in a network namespace (root)
# ---------------------------------------------------------------------------
def sh(*args, check=True, ns=None, timeout=60):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=timeout)


def nstat(ns):
    out = sh("nstat", "-az", ns=ns).stdout
    return {k: int(v) for k, v in re.findall(r"^(\w+)\s+(\d+)", out, re.M)}


@pytest.fixture
def tap_netns():
    if os.geteuid() != 0:
        pytest.skip("needs root (network namespace + TAP device)")
    ns, tap = f"seqsfw{os.getpid()}", "fwtap0"
    sh("ip", "netns", "add", ns)
    try:
        sh("ip", "link", "set", "lo", "up", ns=ns)
        sh("ip", "tuntap", "add", "dev", tap, "mode", "tap", ns=ns)
        sh("sysctl", "-qw", f"net.ipv6.conf.{tap}.disable_ipv6=1", ns=ns)
        sh("ip", "addr", "add", f"{PEER_IP}/24", "dev", tap, ns=ns)
        sh("ip", "link", "set", tap, "up", ns=ns)
        yield ns, tap
    finally:
        sh("ip", "link", "del", tap, ns=ns, check=False)
        sh("ip", "netns", "del", ns, check=False)


UDP_ECHO_CLIENT = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
ok = 0
for n in (1, 512, 1472, 3000):
    data = bytes((i * 7 + n) & 0xFF for i in range(n))
    s.sendto(data, ("192.0.2.2", 7))
    got, addr = s.recvfrom(65535)
    ok += got == data and addr == ("192.0.2.2", 7)
print(ok)
"""


@pytest.mark.root
@pytest.mark.conformance("I15")
def test_linux_pings_the_firmware_over_tap(tap_netns):
    ns, tap = tap_netns
    elf = image("seqs-qemu-mps2.elf")
    with QemuMps2(elf, netdev="tap", tap=tap, netns=ns) as fw:
        before = nstat(ns)
        r = sh("ping", "-c", "20", "-i", "0.05", "-W", "2", FW_IP, ns=ns, check=False)
        assert " 20 received" in r.stdout, r.stdout + r.stderr
        big = sh("ping", "-c", "3", "-i", "0.2", "-W", "2", "-s", "4000", FW_IP, ns=ns, check=False)
        assert " 3 received" in big.stdout, big.stdout + big.stderr
        udp = sh("/usr/bin/python3", "-c", UDP_ECHO_CLIENT, ns=ns, check=False)
        assert udp.stdout.strip() == "4", udp.stdout + udp.stderr
        after = nstat(ns)
        for k in ("IpInHdrErrors", "IpInAddrErrors", "IcmpInCsumErrors", "IcmpInErrors",
                  "UdpInCsumErrors", "UdpInErrors", "IpReasmFails"):
            assert after.get(k, 0) == before.get(k, 0), f"Linux counted {k}"
        # end the run through the control port: exit code 0, no fault
        ctl = sh("/usr/bin/python3", "-c",
                 "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2);"
                 f"s.sendto(b'exit', ('{FW_IP}', {9999})); print(s.recvfrom(100)[0].decode().strip())",
                 ns=ns, check=False)
        assert ctl.stdout.strip() == "bye", ctl.stdout + ctl.stderr
        assert fw.wait_exit(10) == 0
        assert "FAULT" not in fw.uart()
        check_stack_depth(fw)


TCP_ECHO_CLIENT = r"""
import socket, sys, threading
n = int(sys.argv[1])
data = bytes((i * 131 + 7) & 0xFF for i in range(n))
s = socket.create_connection(("192.0.2.2", 7), timeout=10)
got = bytearray()
def rx():
    while True:
        b = s.recv(65536)
        if not b:
            break
        got.extend(b)
t = threading.Thread(target=rx); t.start()
s.sendall(data)
s.shutdown(socket.SHUT_WR)
t.join(30)
print(len(got), bytes(got) == data)
"""


def exit_over_udp(ns):
    return sh("/usr/bin/python3", "-c",
              "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2);"
              f"s.sendto(b'exit', ('{FW_IP}', {CTRL_PORT})); print(s.recvfrom(100)[0].decode().strip())",
              ns=ns, check=False).stdout.strip()


@pytest.mark.root
@pytest.mark.parametrize("size", [1, 1460, 200_000])
def test_linux_tcp_echo_over_tap(tap_netns, size):
    """A Linux TCP client sends `size` bytes to the firmware's TCP echo port, half-closes,
    and must read back exactly the same bytes followed by the firmware's FIN."""
    ns, tap = tap_netns
    elf = image("seqs-qemu-mps2.elf")
    with QemuMps2(elf, netdev="tap", tap=tap, netns=ns) as fw:
        before = nstat(ns)
        r = sh("/usr/bin/python3", "-c", TCP_ECHO_CLIENT, str(size), ns=ns, check=False, timeout=60)
        assert r.stdout.split() == [str(size), "True"], r.stdout + r.stderr
        after = nstat(ns)
        for k in ("TcpInCsumErrors", "TcpInErrs", "IpInHdrErrors"):
            assert after.get(k, 0) == before.get(k, 0), f"Linux counted {k}"
        assert exit_over_udp(ns) == "bye"
        assert fw.wait_exit(10) == 0
        assert "FAULT" not in fw.uart()
        check_stack_depth(fw)


# ---------------------------------------------------------------------------
# settings on the boot command line (semihosting), no rebuild
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("append, word", [("ip=192.0.2.300/24", "ip=192.0.2.300/24"),
                                          ("ip=192.0.2.2", "ip=192.0.2.2"),
                                          ("ip=192.0.2.2/24 hostname=no_underscores", "hostname=no_underscores"),
                                          ("ip=dhcp colour=blue", "colour=blue"),
                                          ("tcp_echo=70000", "tcp_echo=70000")])
def test_fw_bad_boot_setting_stops_the_image_naming_it(append, word):
    """A wrong or unknown key=value on the command line is not ignored: the image names the
    word on its UART and exits with code 2 before it touches the network."""
    elf = image("seqs-qemu-mps2.elf")
    with tempfile.TemporaryDirectory() as tmp:
        uart = os.path.join(tmp, "uart.log")
        r = subprocess.run([shutil.which("qemu-system-arm"), "-M", "mps2-an385", "-display", "none", "-monitor",
                            "none", "-serial", f"file:{uart}", "-semihosting-config", "enable=on,target=native",
                            "-kernel", str(elf), "-append", append, "-nic", "none"], capture_output=True, timeout=20)
        with open(uart, errors="replace", newline="") as f:
            log = f.read()
    assert r.returncode == 2, log
    assert f"FATAL: bad setting on the command line: {word}\r\n" in log
    assert "ready" not in log


def test_fw_boot_settings_change_the_address_without_a_rebuild():
    """The same image takes another static address and echo port from the command line."""
    with QemuMps2(image("seqs-qemu-mps2.elf"), append="ip=198.51.100.7/25 gw=none udp_echo=4000") as fw:
        assert "ip 198.51.100.7/25 gw 0.0.0.0" in fw.uart()
        fw.send(frame_to(ARP(op=1, hwsrc=PEER_MAC, psrc="198.51.100.1", pdst="198.51.100.7"), dst=BCAST))
        hit, _ = fw.recv_until(lambda f: ARP in Ether(f) and Ether(f)[ARP].op == 2)
        assert hit is not None and Ether(hit)[ARP].psrc == "198.51.100.7"
        fw.send(frame_to(IP(src="198.51.100.1", dst="198.51.100.7") / UDP(sport=1234, dport=4000) / Raw(b"port")))
        rep, _ = fw.recv_until(lambda f: UDP in Ether(f) and Ether(f)[UDP].sport == 4000)
        assert rep is not None and bytes(Ether(rep)[UDP].payload)[:4] == b"port"
        fw.stop()
