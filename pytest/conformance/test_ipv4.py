# SPDX-License-Identifier: BSD-3-Clause
"""IPv4 (RFC 791, RFC 1122 3.2-3.3, RFC 7126, RFC 1858, RFC 6864): rows I1-I15."""
import random

import pytest
from scapy.layers.inet import IP, ICMP, UDP, IPerror, UDPerror, fragment
from scapy.layers.inet import IPOption, IPOption_LSRR, IPOption_SSRR, IPOption_RR, IPOption_NOP, IPOption_Router_Alert
from scapy.layers.l2 import Ether
from scapy.packet import Raw

from harness import (US, US_MAC, PEER, PEER_MAC, OTHER, REMOTE, SUBNET_BCAST, BCAST_MAC,
                     expect_one, expect_none, oracle)
from harness.build import echo, udp, ip_header, raw_frame, icmp_echo_bytes, udp_bytes

REPLY = IP(src=US, dst=PEER) / ICMP(type=0)


def _sock(w, port):
    s = w.stack.udp_socket(rxbuf=65536)
    s.bind(port=port)
    return s


def _lim(name):
    import seqs
    return getattr(seqs, name)


# --- I1 ----------------------------------------------------------------------------
@pytest.mark.conformance("I1")
@pytest.mark.parametrize("version", [0, 5, 6, 15])
def test_version_not_4_dropped(ipwire, version):
    """RFC 1122 3.2.1.1: a datagram whose version number is not 4 MUST be silently
    discarded (header checksum valid, so only the version is wrong)."""
    body = icmp_echo_bytes()
    frame = raw_frame(ip_header(version=version, payload_len=len(body)) + body)
    ipwire.send_dropped(frame, "ip_drop_version")


@pytest.mark.conformance("I1")
def test_version_4_control(ipwire):
    """Control for I1/I2/I3: the raw builder's well-formed echo is answered."""
    body = icmp_echo_bytes()
    ipwire.exchange(raw_frame(ip_header(payload_len=len(body)) + body), REPLY)


# --- I2 ----------------------------------------------------------------------------
@pytest.mark.conformance("I2")
@pytest.mark.parametrize("delta", [1, 0x100, 0x8000])
def test_bad_header_checksum_dropped(ipwire, delta):
    """RFC 1122 3.2.1.2: a datagram with a bad header checksum MUST be silently discarded."""
    body = icmp_echo_bytes()
    good = ip_header(payload_len=len(body))
    ck = int.from_bytes(good[10:12], "big") ^ delta
    frame = raw_frame(ip_header(payload_len=len(body), chksum=ck) + body)
    ipwire.send_dropped(frame, "ip_drop_checksum")


@pytest.mark.conformance("I2")
def test_zero_header_checksum_dropped(ipwire):
    """RFC 1122 3.2.1.2: IPv4 has no "no checksum" value: a zero checksum that is
    wrong is a bad checksum."""
    body = icmp_echo_bytes()
    frame = raw_frame(ip_header(payload_len=len(body), chksum=0) + body)
    ipwire.send_dropped(frame, "ip_drop_checksum")


# --- I3 ----------------------------------------------------------------------------
@pytest.mark.conformance("I3")
@pytest.mark.parametrize("ihl", [0, 1, 4])
def test_ihl_below_5_dropped(ipwire, ihl):
    """RFC 791 3.1: the minimum IHL is 5; smaller is malformed (ip_drop_header)."""
    body = icmp_echo_bytes()
    frame = raw_frame(ip_header(ihl=ihl, payload_len=len(body)) + body)
    ipwire.send_dropped(frame, "ip_drop_header")


@pytest.mark.conformance("I3")
def test_ihl_beyond_total_length_dropped(ipwire):
    """RFC 791 3.1: IHL*4 (24) larger than Total Length (22) is inconsistent."""
    opts = b"\x01\x01\x01\x00"
    frame = raw_frame(ip_header(ihl=6, options=opts, total_len=22) + b"\x00\x00" + b"\x00" * 30)
    ipwire.send_dropped(frame, "ip_drop_header")


@pytest.mark.conformance("I3")
@pytest.mark.parametrize("total_len", [0, 8, 19])
def test_total_length_below_header_dropped(ipwire, total_len):
    """RFC 791 3.1: a Total Length smaller than the 20-byte header is malformed."""
    body = icmp_echo_bytes()
    frame = raw_frame(ip_header(total_len=total_len) + body)
    before = ipwire.counters()
    expect_none(ipwire.send(frame))
    d = ipwire.delta(before)
    assert d.get("ip_drop_header", 0) + d.get("ip_drop_truncated", 0) == 1, d


@pytest.mark.conformance("I3")
@pytest.mark.parametrize("extra", [1, 100, 65535 - 36])
def test_total_length_beyond_received_dropped(ipwire, extra):
    """RFC 791 3.1: Total Length larger than the bytes received (the datagram was
    truncated) is dropped as ip_drop_truncated, never read past the frame."""
    body = icmp_echo_bytes()
    frame = raw_frame(ip_header(total_len=20 + len(body) + extra) + body)
    ipwire.send_dropped(frame, "ip_drop_truncated")


@pytest.mark.conformance("I3")
def test_total_length_beyond_received_in_padded_frame(ipwire):
    """RFC 894/791: a 60-byte padded frame whose Total Length (100) exceeds the 46
    bytes actually present is truncated (padding is not datagram data)."""
    body = icmp_echo_bytes(b"")
    frame = raw_frame(ip_header(total_len=100) + body)
    frame += b"\x00" * (60 - len(frame))
    ipwire.send_dropped(frame, "ip_drop_truncated")


@pytest.mark.conformance("I3")
@pytest.mark.parametrize("n", [1, 10, 19])
def test_ip_header_truncated_dropped(ipwire, n):
    """RFC 791 3.1: fewer than 20 bytes of IPv4 header: ip_drop_truncated."""
    frame = raw_frame(ip_header(payload_len=8)[:n])
    ipwire.send_dropped(frame, "ip_drop_truncated")


# --- I4 ----------------------------------------------------------------------------
@pytest.mark.conformance("I4")
@pytest.mark.parametrize("dst", [OTHER, REMOTE, "198.51.100.255", "192.0.2.0", "0.0.0.0", "127.0.0.1"])
def test_not_our_destination_dropped(ipwire, dst):
    """RFC 1122 3.2.1.3 (a host does not forward, 3.3.1): a datagram to an address
    that is neither ours nor a recognised broadcast/multicast is dropped
    (ip_drop_not_for_us); nothing is forwarded or answered."""
    ipwire.send_dropped(echo(dst=dst), "ip_drop_not_for_us")


@pytest.mark.conformance("I4")
def test_unjoined_multicast_destination_dropped(ipwire):
    """RFC 1112 / RFC 1122 3.2.1.3: multicast to a group we did not join is not for us,
    even when the frame reached us (sent to our unicast MAC)."""
    s = _sock(ipwire, 7100)
    ipwire.send_dropped(udp(7100, dst="224.1.2.3"), "ip_drop_not_for_us")
    assert s.recvfrom() is None


@pytest.mark.conformance("I4")
def test_joined_multicast_destination_accepted(ipwire):
    """RFC 1112 / RFC 1122 3.2.1.3: multicast to a joined group is ours (control for I4)."""
    s = _sock(ipwire, 7101)
    ipwire.stack.join_group("239.1.2.3")
    ipwire.send(udp(7101, b"mc", dst="239.1.2.3", dst_mac="01:00:5e:01:02:03"))
    got = s.recvfrom()
    assert got is not None and got[0] == b"mc" and got[2] == "239.1.2.3"


# --- I5 ----------------------------------------------------------------------------
@pytest.mark.conformance("I5")
@pytest.mark.parametrize("src", ["255.255.255.255", SUBNET_BCAST, "224.0.0.5", "239.1.1.1",
                                 "127.0.0.1", "127.1.2.3", "0.0.0.0"])
def test_invalid_source_dropped(ipwire, src):
    """RFC 1122 3.2.1.3: a datagram whose source is broadcast, multicast, loopback
    (127/8) or 0.0.0.0 is discarded (ip_drop_bad_src); no echo reply, no ICMP."""
    ipwire.send_dropped(echo(src=src), "ip_drop_bad_src")


@pytest.mark.conformance("I5")
@pytest.mark.parametrize("src", [US, "192.0.2.0"], ids=["our-own", "subnet-zero"])
def test_own_or_subnet_zero_source_dropped(ipwire, src):
    """RFC 1122 3.2.1.3: our own address arriving from the wire (a "land" spoof)
    and {<subnet>, 0} (the obsolete broadcast form, 3.2.1.3 (a)/(b) -- documented)
    are not valid sources: ip_drop_bad_src."""
    ipwire.send_dropped(echo(src=src), "ip_drop_bad_src")


@pytest.mark.conformance("I5")
def test_zero_source_udp_only_for_dhcp(ipwire):
    """RFC 1122 3.2.1.3 / RFC 2131 4.1 (documented): 0.0.0.0 as a source is only
    accepted for UDP to the DHCP ports 67/68 (clients without an address);
    to any other port it is dropped (udp_drop_bad_src), and TCP from it is dropped
    (ip_drop_bad_src)."""
    from scapy.layers.inet import TCP
    s = _sock(ipwire, 7109)
    ipwire.send_dropped(udp(7109, src="0.0.0.0"), "udp_drop_bad_src")
    assert s.recvfrom() is None
    tcp = Ether(dst=US_MAC, src=PEER_MAC) / IP(src="0.0.0.0", dst=US) / TCP(sport=1, dport=80, flags="S")
    ipwire.send_dropped(tcp, "ip_drop_bad_src")
    d = _sock(ipwire, 67)
    ipwire.send(udp(67, b"dhcp", src="0.0.0.0", sport=68, dst="255.255.255.255", dst_mac=BCAST_MAC))
    assert d.recvfrom() == (b"dhcp", ("0.0.0.0", 68), "255.255.255.255")


@pytest.mark.conformance("I5")
def test_invalid_source_udp_not_delivered(ipwire):
    """RFC 1122 3.2.1.3: the same for UDP: not delivered to a bound socket."""
    s = _sock(ipwire, 7102)
    ipwire.send_dropped(udp(7102, src="127.0.0.1"), "ip_drop_bad_src")
    assert s.recvfrom() is None


# --- I6 ----------------------------------------------------------------------------
@pytest.mark.conformance("I6")
@pytest.mark.parametrize("dst", ["255.255.255.255", SUBNET_BCAST])
def test_broadcast_udp_accepted(ipwire, dst):
    """RFC 1122 3.2.1.3 / 3.3.6: limited and subnet-directed broadcasts in a
    link-broadcast frame are delivered to a wildcard-bound socket, which sees
    the broadcast destination."""
    s = _sock(ipwire, 7103)
    ipwire.send(udp(7103, b"bc", dst=dst, dst_mac=BCAST_MAC))
    got = s.recvfrom()
    assert got is not None, ipwire.counters()
    assert got[0] == b"bc" and got[1] == (PEER, 40000) and got[2] == dst


@pytest.mark.conformance("I6")
def test_all_hosts_multicast_accepted(ipwire):
    """RFC 1112 / RFC 1122 3.2.1.3: 224.0.0.1 (all-hosts) is always joined."""
    s = _sock(ipwire, 7104)
    ipwire.send(udp(7104, b"ah", dst="224.0.0.1", dst_mac="01:00:5e:00:00:01"))
    got = s.recvfrom()
    assert got is not None and got[2] == "224.0.0.1"


# --- I7 ----------------------------------------------------------------------------
@pytest.mark.conformance("I7")
@pytest.mark.parametrize("mac", [BCAST_MAC, "01:00:5e:00:00:01"])
def test_unicast_ip_in_link_broadcast_dropped(ipwire, mac):
    """RFC 1122 3.3.6: a datagram with our unicast IP destination that arrived in a
    link-layer broadcast/multicast frame is discarded (ip_drop_link_bcast)."""
    ipwire.send_dropped(echo(dst_mac=mac), "ip_drop_link_bcast")


@pytest.mark.conformance("I7")
def test_unicast_udp_in_link_broadcast_not_delivered(ipwire):
    """RFC 1122 3.3.6: the same for UDP to a bound port."""
    s = _sock(ipwire, 7105)
    ipwire.send_dropped(udp(7105, dst_mac=BCAST_MAC), "ip_drop_link_bcast")
    assert s.recvfrom() is None


# --- I8 ----------------------------------------------------------------------------
@pytest.mark.conformance("I8")
@pytest.mark.parametrize("ttl", [0, 1])
def test_low_ttl_delivered_locally(ipwire, ttl):
    """RFC 1122 3.2.1.7: a host MUST NOT discard a datagram addressed to it because
    its TTL is 0 or 1 (TTL only matters when forwarding); the reply has TTL 64."""
    rep = ipwire.exchange(echo(ttl=ttl), REPLY)
    assert rep[IP].ttl == 64


@pytest.mark.conformance("I8")
def test_low_ttl_udp_delivered(ipwire):
    """RFC 1122 3.2.1.7: UDP with TTL 0 is delivered."""
    s = _sock(ipwire, 7106)
    ipwire.send(udp(7106, b"t0", ttl=0))
    assert s.recvfrom()[0] == b"t0"


@pytest.mark.conformance("I8")
def test_default_ttl_64_on_everything(ipwire):
    """RFC 1122 3.2.1.7 / RFC 1700: our datagrams (echo reply, UDP, ICMP error) use TTL 64."""
    s = _sock(ipwire, 7107)
    s.sendto(b"x", (PEER, 9))
    frames = ipwire.drain() + ipwire.send(echo()) + ipwire.send(udp(7999))
    ips = [f for f in frames if IP in f]
    assert len(ips) == 3, ipwire.summarize(frames)
    assert all(f[IP].ttl == 64 for f in ips)


@pytest.mark.conformance("I8")
def test_configured_ttl_used(make_wire):
    """seqs config ttl=5 is used for our datagrams (never 0: ttl=0 means 64)."""
    w = make_wire(ttl=5)
    w.resolve_peer()
    assert w.exchange(echo(), REPLY)[IP].ttl == 5
    w0 = make_wire(ttl=0)
    w0.resolve_peer()
    assert w0.exchange(echo(), REPLY)[IP].ttl == 64


# --- I9 ----------------------------------------------------------------------------
@pytest.mark.conformance("I9")
@pytest.mark.parametrize("opts", [
    b"\x01\x01\x01\x00",                      # NOP NOP NOP EOL
    b"\x9e\x04\x12\x34",                      # unknown option 158 (copied, class 0, number 30)
    b"\x1e\x06\x01\x02\x03\x04\x00\x00",      # unknown option 30, len 6, then EOL pad
    b"\x94\x04\x00\x00",                      # router alert
    b"\x07\x07\x04\x00\x00\x00\x00\x00",      # record route with room for one address
    b"\x44\x0c\x05\x00" + b"\x00" * 8,        # timestamp
], ids=["nop-eol", "unknown158", "unknown30", "router-alert", "record-route", "timestamp"])
def test_unknown_or_harmless_options_ignored(ipwire, opts):
    """RFC 1122 3.2.1.8: options the host does not implement are ignored; the
    echo request is answered normally."""
    body = icmp_echo_bytes(b"opt-data")
    frame = raw_frame(ip_header(ihl=5 + len(opts) // 4, options=opts, payload_len=len(body)) + body)
    rep = ipwire.exchange(frame, REPLY)
    assert bytes(rep[ICMP].payload) == b"opt-data"


BAD_OPTS = {
    "len0": b"\x9e\x00\x00\x00",
    "len1": b"\x9e\x01\x00\x00",
    "overrun": b"\x9e\x08\x00\x00",
    "rr-overrun": b"\x07\x09\x04\x00",
    "type-at-end": b"\x01\x01\x01\x9e",
}


@pytest.mark.conformance("I9")
@pytest.mark.parametrize("name", sorted(BAD_OPTS))
def test_bad_option_length_dropped(ipwire, name):
    """RFC 791 3.1 / RFC 1122 3.2.1.8: an option whose length is 0, 1 or runs past
    the header is malformed. Documented choice: the datagram is silently dropped
    (ip_drop_options); no Parameter Problem is sent."""
    opts = BAD_OPTS[name]
    body = icmp_echo_bytes()
    frame = raw_frame(ip_header(ihl=5 + len(opts) // 4, options=opts, payload_len=len(body)) + body)
    ipwire.send_dropped(frame, "ip_drop_options")


# --- I10 ---------------------------------------------------------------------------
@pytest.mark.conformance("I10")
@pytest.mark.parametrize("kind", ["lsrr", "ssrr"])
def test_source_route_dropped(ipwire, kind):
    """RFC 7126 4.3-4.4 (deliberately deviating from RFC 1122 3.2.1.8(c)):
    datagrams with LSRR/SSRR are dropped (ip_drop_srcroute), not answered."""
    opt = (IPOption_LSRR if kind == "lsrr" else IPOption_SSRR)(routers=[REMOTE], pointer=4)
    ipwire.send_dropped(echo(options=[opt]), "ip_drop_srcroute")


@pytest.mark.conformance("I10")
def test_source_route_exhausted_still_dropped(ipwire):
    """RFC 7126 4.3: a source route whose pointer is past the last address (i.e.
    we are the final destination) is dropped as well."""
    opt = IPOption_LSRR(routers=[REMOTE], pointer=8)
    ipwire.send_dropped(echo(options=[opt]), "ip_drop_srcroute")


@pytest.mark.conformance("I10")
def test_source_route_udp_not_delivered(ipwire):
    """RFC 7126 4.3: UDP with SSRR to a bound port is not delivered."""
    s = _sock(ipwire, 7108)
    ipwire.send_dropped(udp(7108, options=[IPOption_SSRR(routers=[REMOTE], pointer=4)]), "ip_drop_srcroute")
    assert s.recvfrom() is None


# --- I11 ---------------------------------------------------------------------------
def _frags(data=None, size=3000, fragsize=1000, port=7200, ident=0x4242):
    data = data if data is not None else random.Random(size).randbytes(size)
    pkt = IP(src=PEER, dst=US, id=ident) / UDP(sport=40000, dport=port) / data
    return data, [Ether(dst=US_MAC, src=PEER_MAC) / f for f in fragment(pkt, fragsize=fragsize)]


def _deliver(w, frames, port=7200):
    """Feeds frames with a socket bound on port; returns (datagrams received,
    frames emitted, counter delta or None when the flavour has no counters)."""
    s = _sock(w, port)
    before = w.snapshot()
    out = []
    for f in frames:
        out += w.send(f)
    got = []
    while (d := s.recvfrom()) is not None:
        got.append(d)
    return got, out, (None if before is None else w.delta(before))


@pytest.mark.conformance("I11")
@pytest.mark.parametrize("order", ["in-order", "reversed", "last-first", "shuffled"])
def test_fragments_any_order_delivered_once(ipwire, order):
    """RFC 791 3.2 / RFC 1122 3.3.2: fragments arriving in any order are
    reassembled into exactly one datagram with the right bytes."""
    data, frames = _frags()
    if order == "reversed":
        frames = frames[::-1]
    elif order == "last-first":
        frames = frames[-1:] + frames[:-1]
    elif order == "shuffled":
        random.Random(3).shuffle(frames)
    got, out, d = _deliver(ipwire, frames)
    assert len(got) == 1 and got[0][0] == data and got[0][1] == (PEER, 40000)
    assert d is None or d.get("ip_reasm_ok") == 1
    expect_none(out)


@pytest.mark.conformance("I11")
def test_duplicate_fragments_delivered_once(ipwire):
    """RFC 791 3.2: duplicated fragments (every one sent twice, interleaved) give
    exactly one delivery."""
    data, frames = _frags()
    assert len(frames) == 4
    dup = [frames[0], frames[1], frames[0], frames[2], frames[1], frames[3], frames[2]]
    got, out, d = _deliver(ipwire, dup)
    assert [g[0] for g in got] == [data]


@pytest.mark.conformance("I11")
def test_fragment_after_completion_does_not_redeliver(ipwire):
    """RFC 791 3.2: a duplicate arriving after reassembly completed does not
    produce a second datagram (it can at most start a reassembly that times out)."""
    data, frames = _frags()
    got, out, d = _deliver(ipwire, frames + [frames[1]])
    assert [g[0] for g in got] == [data]


@pytest.mark.conformance("I11")
def test_two_interleaved_datagrams(ipwire):
    """RFC 791 3.2: fragments of two datagrams (different IDs) interleaved are
    reassembled separately."""
    d1, f1 = _frags(size=2000, ident=1)
    d2, f2 = _frags(size=2500, ident=2)
    mixed = [x for pair in zip(f1, f2) for x in pair] + f2[len(f1):]
    got, out, d = _deliver(ipwire, mixed)
    assert sorted(g[0] for g in got) == sorted([d1, d2])


@pytest.mark.conformance("I11")
def test_small_fragments(ipwire):
    """RFC 791 3.2: 8-byte fragments (the minimum unit) reassemble correctly."""
    data, frames = _frags(size=120, fragsize=8)
    got, out, d = _deliver(ipwire, frames)
    assert [g[0] for g in got] == [data]


# --- I12 ---------------------------------------------------------------------------
def _frag(off8, payload, mf, ident=0x5151, proto=17):
    hdr = ip_header(proto=proto, payload_len=len(payload), id=ident, flags=1 if mf else 0, frag=off8)
    return raw_frame(hdr + payload)


@pytest.mark.conformance("I12")
def test_overlapping_fragments_drop_datagram(ipwire):
    """RFC 1858 / RFC 791 3.2 (documented: overlaps are treated as an attack, like
    RFC 5722 for IPv6): a fragment overlapping an earlier one with different
    data makes the whole datagram dropped (ip_reasm_drop); nothing is delivered."""
    data = bytes(range(48))
    l4 = udp_bytes(40000, 7200, data)          # 56 bytes
    frames = [_frag(0, l4[:32], True), _frag(2, b"\xEE" * 24, True), _frag(4, l4[32:], False)]
    got, out, d = _deliver(ipwire, frames)
    assert got == []
    assert d is None or d.get("ip_reasm_drop", 0) >= 1, d


@pytest.mark.conformance("I12")
def test_overlap_rewriting_udp_header_dropped(ipwire):
    """RFC 1858 3.2: the classic overlap attack: a second fragment at offset 0
    rewrites the transport header. The datagram is dropped, not delivered."""
    data = bytes(range(40))
    l4 = udp_bytes(40000, 7200, data)
    evil = udp_bytes(40000, 7201, data)
    frames = [_frag(0, l4[:24], True), _frag(0, evil[:24], True), _frag(3, l4[24:], False)]
    s2 = _sock(ipwire, 7201)
    got, out, d = _deliver(ipwire, frames)
    assert got == [] and s2.recvfrom() is None
    assert d is None or d.get("ip_reasm_drop", 0) >= 1, d


@pytest.mark.conformance("I12")
def test_tiny_first_fragment_dropped(ipwire):
    """RFC 1858 3.1: a first fragment too small to hold the transport header (here
    8 bytes, not even a whole TCP header) -- documented: dropped (ip_reasm_drop)."""
    from scapy.layers.inet import TCP
    seg = bytes(TCP(sport=40000, dport=80, flags="S") / (b"x" * 16))
    frames = [_frag(0, seg[:8], True, proto=6), _frag(1, seg[8:], False, proto=6)]
    before = ipwire.counters()
    out = []
    for f in frames:
        out += ipwire.send(f)
    expect_none(out)
    d = ipwire.delta(before)
    assert d.get("ip_reasm_drop", 0) >= 1, d


@pytest.mark.conformance("I12")
@pytest.mark.parametrize("off8,plen", [(8189, 100), (8191, 8), (8180, 200)])
def test_ping_of_death_dropped(ipwire, off8, plen):
    """RFC 791 3.2 / "ping of death": a fragment whose offset + length exceeds
    65535 makes the datagram invalid: dropped (ip_reasm_drop or ip_reasm_nomem when
    beyond SEQS_REASM_MAX_BYTES), no crash, and reassembly still works afterwards."""
    before = ipwire.counters()
    out = ipwire.send(_frag(0, icmp_echo_bytes(b"A" * 64), True, proto=1, ident=77))
    out += ipwire.send(_frag(off8, b"B" * plen, False, proto=1, ident=77))
    expect_none(out)
    d = ipwire.delta(before)
    assert d.get("ip_reasm_drop", 0) + d.get("ip_reasm_nomem", 0) >= 1, d
    data, frames = _frags()
    got, out, _ = _deliver(ipwire, frames)
    assert [g[0] for g in got] == [data]


@pytest.mark.conformance("I12")
def test_fragment_total_beyond_reasm_limit_dropped(ipwire):
    """Bounded reassembly (SEQS_REASM_MAX_BYTES): a datagram larger than the limit is
    dropped (ip_reasm_nomem or ip_reasm_drop), never delivered, no crash."""
    limit = _lim("REASM_MAX_BYTES")
    size = min(limit + 1000, 65000)
    data, frames = _frags(size=size, fragsize=1480)
    got, out, d = _deliver(ipwire, frames)
    assert got == []
    assert d is None or d.get("ip_reasm_drop", 0) + d.get("ip_reasm_nomem", 0) >= 1, d


# --- I13 ---------------------------------------------------------------------------
@pytest.mark.conformance("I13")
def test_reassembly_timeout_sends_time_exceeded(ipwire):
    """RFC 1122 3.3.2 / RFC 792: an incomplete reassembly is freed after the
    timeout (SEQS_REASM_TIMEOUT_S); since fragment 0 arrived, ICMP Time Exceeded
    code 1 is sent to the source quoting fragment 0's header + 8 bytes."""
    timeout = _lim("REASM_TIMEOUT_S")
    data, frames = _frags()
    before = ipwire.counters()
    expect_none(ipwire.send(frames[0]))
    early = ipwire.advance(s=timeout - 1)
    expect_none(early)
    late = ipwire.advance(s=2)
    te = expect_one(late, Ether(dst=PEER_MAC) / IP(src=US, dst=PEER) / ICMP(type=11, code=1) /
                    IPerror(src=PEER, dst=US, id=0x4242, proto=17))
    q = bytes(te[ICMP].payload)
    sent = bytes(frames[0][IP])
    assert len(q) >= 28 and q[:28] == sent[:28]
    d = ipwire.delta(before)
    assert d.get("ip_reasm_timeout") == 1
    # freed: completing it now gives nothing
    got, out, _ = _deliver(ipwire, frames[1:])
    assert got == []


@pytest.mark.conformance("I13")
def test_reassembly_timeout_without_first_fragment_silent(ipwire):
    """RFC 1122 3.3.2 / 3.2.2: without fragment 0 no Time Exceeded is sent (there is
    no header to quote) -- the reassembly is just freed."""
    timeout = _lim("REASM_TIMEOUT_S")
    data, frames = _frags()
    before = ipwire.counters()
    ipwire.send(frames[1])
    ipwire.send(frames[2])
    expect_none(ipwire.advance(s=timeout + 2))
    assert ipwire.delta(before).get("ip_reasm_timeout") == 1


@pytest.mark.conformance("I13")
def test_concurrent_reassemblies_bounded(ipwire):
    """RFC 1122 3.3.2: reassembly resources are bounded (SEQS_REASM_SLOTS). With
    more concurrent partial datagrams than slots, each extra one either evicts
    the oldest incomplete datagram (the core's documented choice,
    ip_reasm_evicted) or is refused (ip_reasm_nomem). Completing them all then
    delivers only correct datagrams, at most one per datagram; after the
    timeout everything is free again."""
    slots = _lim("REASM_SLOTS")
    timeout = _lim("REASM_TIMEOUT_S")
    extra = 3
    before = ipwire.counters()
    sets = []
    for i in range(slots + extra):
        data, frames = _frags(size=2000, ident=1000 + i, port=7250)
        sets.append((data, frames))
        ipwire.send(frames[0])
    d = ipwire.delta(before)
    assert d.get("ip_reasm_nomem", 0) + d.get("ip_reasm_evicted", 0) >= extra, d
    rest = [f for _, frames in sets for f in frames[1:]]
    got, out, _ = _deliver(ipwire, rest, port=7250)
    datas = [x for x, _ in sets]
    assert all(g[0] in datas for g in got) and len({g[0] for g in got}) == len(got)
    assert len(got) <= slots + extra
    ipwire.advance(s=timeout + 2)
    for i in range(slots):
        data, frames = _frags(size=2000, ident=2000 + i, port=7300 + i)
        got, out, _ = _deliver(ipwire, frames, port=7300 + i)
        assert [g[0] for g in got] == [data]


# --- I14 ---------------------------------------------------------------------------
def _frag_out(w, size, mtu=1500):
    s = _sock(w, 7400)
    data = random.Random(size).randbytes(size)
    s.sendto(data, (PEER, 9000))
    frames = [f for f in w.drain() if IP in f]
    return data, frames


@pytest.mark.conformance("I14")
@pytest.mark.parametrize("size", [1473, 3000, 8000])
def test_large_udp_fragmented_correctly(ipwire, size):
    """RFC 791 3.2: a datagram larger than the MTU goes out as fragments: each at
    most MTU bytes, non-final ones a multiple of 8 payload bytes with MF, one ID,
    no DF; reassembled by our oracle they give the exact UDP datagram (checksum
    verified by scapy)."""
    data, frames = _frag_out(ipwire, size)
    assert len(frames) == -(-(size + 8) // 1480)
    ids = {f[IP].id for f in frames}
    assert len(ids) == 1
    r = oracle.Reassembler()
    whole = None
    for f in frames:
        assert f[IP].len <= 1500 and not f[IP].flags.DF
        whole = r.add(bytes(f[IP])) or whole
    assert whole is not None
    ip = IP(whole)
    assert bytes(ip[UDP].payload) == data and not oracle.check_datagram(whole)


@pytest.mark.conformance("I14")
def test_mtu_sized_not_fragmented(ipwire):
    """RFC 791: a datagram of exactly MTU bytes (1472 B of UDP data) is one frame."""
    data, frames = _frag_out(ipwire, 1472)
    assert len(frames) == 1 and frames[0][IP].len == 1500 and frames[0][IP].flags.MF == 0 and frames[0][IP].frag == 0


@pytest.mark.conformance("I14")
def test_small_mtu_fragments(make_wire):
    """RFC 791 3.2: with mtu=576 fragments are at most 576 bytes."""
    w = make_wire(mtu=576)
    w.resolve_peer()
    data, frames = _frag_out(w, 2000)
    assert len(frames) == -(-(2008) // 552)
    assert all(f[IP].len <= 576 for f in frames)


@pytest.mark.conformance("I14")
def test_ip_id_unique_across_fragmented_datagrams(ipwire):
    """RFC 6864 4.1 / RFC 791: the IP ID of fragmentable datagrams must not repeat
    for the same src/dst/protocol while they may be in flight: 50 datagrams, 50 IDs."""
    s = _sock(ipwire, 7401)
    ids = []
    for i in range(50):
        s.sendto(b"z" * (2000 if i % 2 else 100), (PEER, 9000))
        for f in ipwire.drain():
            if IP in f and f[IP].frag == 0:
                ids.append(f[IP].id)
    assert len(ids) == 50 and len(set(ids)) == 50


# --- I15 ---------------------------------------------------------------------------
@pytest.mark.conformance("I15")
def test_our_datagrams_have_valid_headers(ipwire):
    """RFC 791 3.1 / RFC 1071: every datagram we send -- echo reply, UDP, ICMP
    error, fragments, ARP -- has a valid header checksum (recomputed by scapy)
    and consistent IHL / Total Length. (The Linux nstat oracle for this row runs
    in the TAP interop suite.)"""
    s = _sock(ipwire, 7402)
    frames = ipwire.send(echo(b"e" * 33))
    frames += ipwire.send(udp(7999, b"closed"))
    s.sendto(b"u" * 17, (PEER, 9000))
    s.sendto(b"f" * 3333, (PEER, 9000))
    frames += ipwire.drain()
    frames += ipwire.send(echo(dst="192.0.2.2", options=[IPOption_NOP()] * 4))
    assert len(frames) >= 6
    for f in frames:
        raw = bytes(f)
        assert oracle.check_frame(raw, US_MAC) == [], f.summary()
        ip = f[IP]
        assert ip.ihl == 5 and ip.len == len(raw) - 14
        have, want = oracle.rebuilt_chksum(ip)
        assert have == want
