# SPDX-License-Identifier: BSD-3-Clause
"""ICMP (RFC 792, RFC 1122 3.2.2, RFC 1812 4.3.2.8, RFC 1191, RFC 5927): rows C1-C8."""
import random

import pytest
from scapy.layers.inet import IP, ICMP, UDP, TCP, IPerror, UDPerror, fragment
from scapy.layers.l2 import Ether
from scapy.packet import Raw

from harness import (US, US_MAC, PEER, PEER_MAC, OTHER, REMOTE, SUBNET_BCAST, BCAST_MAC,
                     expect_one, expect_none, oracle)
from harness.build import echo, udp, ip_header, raw_frame, udp_bytes

REPLY = Ether(dst=PEER_MAC, src=US_MAC) / IP(src=US, dst=PEER) / ICMP(type=0, code=0)


def _lim(name):
    import seqs
    return getattr(seqs, name)


def _sock(w, port):
    s = w.stack.udp_socket()
    s.bind(port=port)
    return s


# --- C1 ----------------------------------------------------------------------------
@pytest.mark.conformance("C1")
@pytest.mark.parametrize("data", [b"", b"a", b"odd-length", bytes(range(256)) * 2],
                         ids=["empty", "1B", "odd", "512B"])
def test_echo_reply_mirrors_request(ipwire, data):
    """RFC 792 / RFC 1122 3.2.2.6: the reply has type 0, the request's identifier,
    sequence number and full data, and is sourced from the address the request
    was sent to."""
    rep = ipwire.exchange(echo(data=data, id=0xBEEF, seq=0x0102),
                          Ether(dst=PEER_MAC, src=US_MAC) / IP(src=US, dst=PEER) /
                          ICMP(type=0, code=0, id=0xBEEF, seq=0x0102))
    assert bytes(rep[ICMP].payload) == data
    assert rep[IP].len == 28 + len(data)


@pytest.mark.conformance("C1")
def test_echo_counts(ipwire):
    """Each echo request gives exactly one reply (icmp_tx_echo_reply)."""
    before = ipwire.counters()
    for seq in range(5):
        ipwire.exchange(echo(seq=seq), IP(src=US, dst=PEER) / ICMP(type=0, seq=seq))
    assert ipwire.delta(before).get("icmp_tx_echo_reply") == 5


@pytest.mark.conformance("C1")
def test_echo_from_offlink_answered_via_gateway(ipwire):
    """RFC 1122 3.2.2.6 + 3.3.1: a request from an off-link source (framed by the
    gateway) is answered to that source, through the gateway's MAC."""
    ipwire.exchange(echo(src=REMOTE), Ether(dst=PEER_MAC) / IP(src=US, dst=REMOTE) / ICMP(type=0))


@pytest.mark.conformance("C1")
def test_echo_with_tos_and_options(ipwire):
    """RFC 1122 3.2.2.6: an echo with a TOS and a (harmless) IP option is answered with
    the same data."""
    from scapy.layers.inet import IPOption_NOP
    rep = ipwire.exchange(echo(data=b"tos", tos=0x10, options=[IPOption_NOP()] * 4), REPLY)
    assert bytes(rep[ICMP].payload) == b"tos"


# --- C2 ----------------------------------------------------------------------------
@pytest.mark.conformance("C2")
def test_echo_1472_bytes(ipwire):
    """RFC 1122 3.2.2.6: a full-MTU echo (1472 data bytes, 1500-byte datagram) is
    echoed in full in one unfragmented datagram."""
    data = random.Random(1).randbytes(1472)
    rep = ipwire.exchange(echo(data=data), REPLY)
    assert rep[IP].len == 1500 and rep[IP].frag == 0 and not rep[IP].flags.MF
    assert bytes(rep[ICMP].payload) == data


@pytest.mark.conformance("C2")
def test_echo_4000_bytes_fragmented(ipwire):
    """RFC 1122 3.2.2.6 / 3.3.2: a 4000-byte echo arriving in fragments is
    reassembled and echoed in full (in fragments, which reassemble to a valid
    reply with the same id/seq/data)."""
    data = random.Random(2).randbytes(4000)
    req = IP(src=PEER, dst=US, id=999) / ICMP(type=8, id=7, seq=9) / data
    out = []
    for f in fragment(req, fragsize=1480):
        out += ipwire.send(Ether(dst=US_MAC, src=PEER_MAC) / f)
    frags = [f for f in out if IP in f]
    assert len(frags) == 3, ipwire.summarize(out)
    r = oracle.Reassembler()
    whole = None
    for f in frags:
        assert f[IP].src == US and f[IP].dst == PEER and f[IP].len <= 1500
        whole = r.add(bytes(f[IP])) or whole
    assert whole is not None
    ip = IP(whole)
    assert (ip[ICMP].type, ip[ICMP].id, ip[ICMP].seq) == (0, 7, 9)
    assert bytes(ip[ICMP].payload) == data
    assert oracle.check_datagram(whole) == []


@pytest.mark.conformance("C2")
def test_echo_reply_beyond_our_mtu_fragmented(make_wire):
    """RFC 1122 3.2.2.6 / RFC 791 3.2: with mtu=576, a 1400-byte echo (which
    arrived whole) is echoed in full, in fragments of at most 576 bytes."""
    w = make_wire(mtu=576)
    w.resolve_peer()
    data = random.Random(3).randbytes(1400)
    out = [f for f in w.send(echo(data=data, id=3, seq=4)) if IP in f]
    assert len(out) == 3 and all(f[IP].len <= 576 for f in out)
    r = oracle.Reassembler()
    whole = None
    for f in out:
        whole = r.add(bytes(f[IP])) or whole
    ip = IP(whole)
    assert (ip[ICMP].type, ip[ICMP].id, ip[ICMP].seq) == (0, 3, 4) and bytes(ip[ICMP].payload) == data


# --- C3 ----------------------------------------------------------------------------
@pytest.mark.conformance("C3")
@pytest.mark.parametrize("delta", [1, 0xFFFF])
def test_echo_bad_checksum_dropped(ipwire, delta):
    """RFC 1122 3.2.2 / RFC 792: an ICMP message with a bad checksum is discarded
    (icmp_drop_checksum), no reply."""
    req = echo(data=b"bad")
    good = IP(bytes(req[IP]))[ICMP].chksum
    req[ICMP].chksum = (good + delta) & 0xFFFF
    if req[ICMP].chksum == good:
        req[ICMP].chksum ^= 1
    ipwire.send_dropped(req, "icmp_drop_checksum")


@pytest.mark.conformance("C3")
@pytest.mark.parametrize("itype", [42, 99, 13, 15, 17, 253])
def test_unknown_icmp_type_dropped(ipwire, itype):
    """RFC 1122 3.2.2: an ICMP message of unknown type MUST be silently discarded
    (icmp_drop_type). Documented: timestamp (13), information (15) and address
    mask (17) requests are not implemented and are dropped the same way."""
    pkt = Ether(dst=US_MAC, src=PEER_MAC) / IP(src=PEER, dst=US) / ICMP(type=itype, code=0) / b"data"
    ipwire.send_dropped(pkt, "icmp_drop_type")


@pytest.mark.conformance("C3")
@pytest.mark.parametrize("n", [0, 3, 7])
def test_truncated_icmp_dropped(ipwire, n):
    """RFC 792: an ICMP message shorter than its 8-byte header is malformed (icmp_drop_malformed)."""
    body = bytes(ICMP(type=8, id=1, seq=1))[:n]
    ipwire.send_dropped(raw_frame(ip_header(proto=1, payload_len=n) + body), "icmp_drop_malformed")


@pytest.mark.conformance("C3")
def test_unsolicited_echo_reply_not_answered(ipwire):
    """RFC 792: an echo reply is never answered (no loops)."""
    pkt = Ether(dst=US_MAC, src=PEER_MAC) / IP(src=PEER, dst=US) / ICMP(type=0, id=1, seq=1)
    expect_none(ipwire.send(pkt))


# --- C4 ----------------------------------------------------------------------------
BCAST_DSTS = [("255.255.255.255", BCAST_MAC), (SUBNET_BCAST, BCAST_MAC), ("224.0.0.1", "01:00:5e:00:00:01")]


@pytest.mark.conformance("C4")
@pytest.mark.parametrize("dst,mac", BCAST_DSTS, ids=["limited", "subnet", "all-hosts"])
def test_broadcast_echo_ignored_by_default(ipwire, dst, mac):
    """RFC 1122 3.2.2.6 (MAY be silently discarded; documented default
    echo_broadcast=False): echo to limited/subnet broadcast or multicast gets no
    reply, counted as icmp_drop_bcast_echo -- the same for all three."""
    ipwire.send_dropped(echo(dst=dst, dst_mac=mac), "icmp_drop_bcast_echo")


@pytest.mark.conformance("C4")
@pytest.mark.parametrize("dst,mac", BCAST_DSTS, ids=["limited", "subnet", "all-hosts"])
def test_broadcast_echo_answered_when_configured(make_wire, dst, mac):
    """RFC 1122 3.2.2.6: with echo_broadcast=True each kind is answered, unicast to
    the requester, and the reply's source is our unicast address (never the
    broadcast/multicast address the request was sent to)."""
    w = make_wire(echo_broadcast=True)
    w.resolve_peer()
    rep = w.exchange(echo(dst=dst, dst_mac=mac, data=b"bc"), REPLY)
    assert bytes(rep[ICMP].payload) == b"bc"


# --- C5 ----------------------------------------------------------------------------
@pytest.mark.conformance("C5")
@pytest.mark.parametrize("size", [0, 5, 100, 1400])
def test_udp_closed_port_port_unreachable(ipwire, size):
    """RFC 792 / RFC 1122 3.2.2.1, 4.1.3.1: UDP to a closed port -> Destination
    Unreachable code 3 (port) quoting the offending IP header and at least its
    first 8 data bytes (byte-exact), the whole error within 576 bytes."""
    data = bytes(range(256)) * 6
    req = udp(6666, data[:size], sport=41000)
    before = ipwire.counters()
    err = ipwire.exchange(req, Ether(dst=PEER_MAC, src=US_MAC) / IP(src=US, dst=PEER, proto=1) /
                          ICMP(type=3, code=3) / IPerror(src=PEER, dst=US, proto=17) /
                          UDPerror(sport=41000, dport=6666))
    q = bytes(err[ICMP].payload)
    sent = bytes(req[IP])
    assert len(q) >= 28 and sent.startswith(q)
    assert err[IP].len <= 576
    d = ipwire.delta(before)
    assert d.get("udp_drop_no_socket") == 1 and d.get("icmp_tx_error") == 1


@pytest.mark.conformance("C5")
def test_closed_port_after_close(ipwire):
    """RFC 1122 4.1.3.1: a port whose socket was closed is closed again."""
    s = _sock(ipwire, 6667)
    s.close()
    ipwire.exchange(udp(6667), ICMP(type=3, code=3) / UDPerror(dport=6667))


# --- C6 ----------------------------------------------------------------------------
@pytest.mark.conformance("C6")
@pytest.mark.parametrize("proto", [47, 132, 253, 255])
def test_unknown_protocol_unreachable(ipwire, proto):
    """RFC 1122 3.2.2.1: a datagram for a protocol we do not implement -> Destination
    Unreachable code 2 (protocol) quoting the header + 8 bytes; ip_drop_proto."""
    body = b"\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa"
    frame = raw_frame(ip_header(proto=proto, payload_len=len(body), id=4321) + body)
    before = ipwire.snapshot()
    err = ipwire.exchange(frame, IP(src=US, dst=PEER) / ICMP(type=3, code=2) /
                          IPerror(src=PEER, dst=US, proto=proto, id=4321))
    q = bytes(err[ICMP].payload)
    assert q[:28] == frame[14:14 + 28]
    ipwire.assert_delta(before, ip_drop_proto=1)


# --- C7 ----------------------------------------------------------------------------
@pytest.mark.conformance("C7")
@pytest.mark.parametrize("itype,code", [(3, 3), (3, 1), (11, 0), (12, 0), (3, 99)])
def test_no_error_about_icmp_error(ipwire, itype, code):
    """RFC 1122 3.2.2: an ICMP error message MUST NOT be sent about an ICMP error
    message. Errors arriving for unknown endpoints (odd codes included) are
    absorbed silently."""
    quoted = IP(src=US, dst=PEER, proto=17) / UDP(sport=1234, dport=5678)
    pkt = Ether(dst=US_MAC, src=PEER_MAC) / IP(src=PEER, dst=US) / ICMP(type=itype, code=code) / bytes(quoted)[:28]
    expect_none(ipwire.send(pkt))


@pytest.mark.conformance("C7")
def test_no_error_about_error_with_unknown_quoted_protocol(ipwire):
    """RFC 1122 3.2.2: even when the quoted datagram names a protocol we lack, no
    protocol unreachable is generated about an ICMP error."""
    quoted = ip_header(src=US, dst=PEER, proto=253, payload_len=8) + b"\x00" * 8
    pkt = Ether(dst=US_MAC, src=PEER_MAC) / IP(src=PEER, dst=US) / ICMP(type=3, code=2) / quoted
    expect_none(ipwire.send(pkt))


@pytest.mark.conformance("C7")
def test_no_time_exceeded_about_fragmented_icmp_error(ipwire):
    """RFC 1122 3.2.2: fragment 0 of an ICMP error message whose reassembly times
    out would normally earn a Time Exceeded (I13); being about an ICMP error, it
    MUST NOT be sent (icmp_err_suppressed)."""
    timeout = _lim("REASM_TIMEOUT_S")
    quoted = bytes(IP(src=US, dst=PEER) / UDP(sport=1, dport=2) / (b"z" * 40))
    err = bytes(ICMP(type=3, code=3) / quoted)
    frame = raw_frame(ip_header(proto=1, payload_len=24, id=99, flags=1) + err[:24])
    before = ipwire.counters()
    expect_none(ipwire.send(frame))
    expect_none(ipwire.advance(s=timeout + 2))
    d = ipwire.delta(before)
    assert d.get("ip_reasm_timeout") == 1 and d.get("icmp_err_suppressed") == 1, d


@pytest.mark.conformance("C7")
def test_time_exceeded_about_fragmented_echo_is_sent(ipwire):
    """Control for the test above: the same with an echo request does earn Time Exceeded (I13)."""
    timeout = _lim("REASM_TIMEOUT_S")
    body = bytes(ICMP(type=8, id=1, seq=1) / (b"z" * 40))
    frame = raw_frame(ip_header(proto=1, payload_len=24, id=98, flags=1) + body[:24])
    expect_none(ipwire.send(frame))
    expect_one(ipwire.advance(s=timeout + 2), ICMP(type=11, code=1))


@pytest.mark.conformance("C7")
@pytest.mark.parametrize("dst,mac", BCAST_DSTS, ids=["limited", "subnet", "all-hosts"])
def test_no_port_unreachable_for_broadcast(ipwire, dst, mac):
    """RFC 1122 3.2.2 / 4.1.3.1: no ICMP error for a datagram to a broadcast or
    multicast address (UDP to a closed port)."""
    before = ipwire.counters()
    expect_none(ipwire.send(udp(6668, dst=dst, dst_mac=mac)))
    d = ipwire.delta(before)
    assert d.get("icmp_tx_error", 0) == 0 and d.get("udp_drop_no_socket") == 1, d


@pytest.mark.conformance("C7")
def test_no_protocol_unreachable_for_broadcast(ipwire):
    """RFC 1122 3.2.2: unknown protocol to the subnet broadcast: no ICMP error."""
    frame = raw_frame(ip_header(dst=SUBNET_BCAST, proto=253, payload_len=8) + b"\x00" * 8, dst=BCAST_MAC)
    expect_none(ipwire.send(frame))


@pytest.mark.conformance("C7")
def test_no_error_for_link_broadcast(ipwire):
    """RFC 1122 3.2.2: no ICMP error about a datagram that arrived as a link-layer
    broadcast (here: limited-broadcast IP to a closed port and an unknown protocol)."""
    frame = raw_frame(ip_header(dst="255.255.255.255", proto=253, payload_len=8) + b"\x00" * 8, dst=BCAST_MAC)
    expect_none(ipwire.send(frame))
    expect_none(ipwire.send(udp(6669, dst="255.255.255.255", dst_mac=BCAST_MAC)))


@pytest.mark.conformance("C7")
def test_no_error_for_noninitial_fragment(ipwire):
    """RFC 1122 3.2.2: no error about a non-initial fragment: a datagram with an
    unknown protocol whose fragment 0 never arrives times out silently."""
    timeout = _lim("REASM_TIMEOUT_S")
    payload = b"\x00" * 40
    frame = raw_frame(ip_header(proto=253, payload_len=16, id=88, flags=0, frag=3) + payload[:16])
    expect_none(ipwire.send(frame))
    expect_none(ipwire.advance(s=timeout + 2))


@pytest.mark.conformance("C7")
@pytest.mark.parametrize("src", ["0.0.0.0", SUBNET_BCAST, "224.0.0.5", "127.0.0.1"])
def test_no_error_for_invalid_source(ipwire, src):
    """RFC 1122 3.2.2: no ICMP error about a datagram whose source does not define
    a single host (0.0.0.0, broadcast, multicast, loopback)."""
    expect_none(ipwire.send(udp(6670, src=src)))


@pytest.mark.conformance("C7")
def test_errors_rate_limited(ipwire):
    """RFC 1122 3.2.2 / RFC 1812 4.3.2.8: ICMP errors are rate-limited (token
    bucket: ICMP_ERR_BURST at once, then one per ICMP_ERR_INTERVAL_MS): a burst of
    3x that many closed-port datagrams at one instant yields at most the burst,
    the rest counted icmp_err_ratelimited; after waiting, errors flow again."""
    burst = _lim("ICMP_ERR_BURST")
    interval = _lim("ICMP_ERR_INTERVAL_MS")
    before = ipwire.counters()
    errs = []
    for i in range(3 * burst):
        errs += [f for f in ipwire.send(udp(6000 + i)) if ICMP in f]
    assert 1 <= len(errs) <= burst
    assert ipwire.delta(before).get("icmp_err_ratelimited", 0) == 3 * burst - len(errs)
    ipwire.advance(ms=interval * 2 + 1)
    assert [f for f in ipwire.send(udp(6999)) if ICMP in f]


# --- C8 ----------------------------------------------------------------------------
def _icmp_err(itype, code, sport, dport=9999, src=US, dst=PEER, extra=None, quote_len=28, nexthop=0):
    q = bytes(IP(src=src, dst=dst, id=5) / UDP(sport=sport, dport=dport) / (b"q" * 20))[:quote_len]
    icmp = ICMP(type=itype, code=code)
    if itype == 3 and code == 4:
        icmp = ICMP(type=3, code=4, nexthopmtu=nexthop)
    return Ether(dst=US_MAC, src=PEER_MAC) / IP(src=PEER, dst=US) / icmp / q


def _connected(w, lport=7700, rport=9999, dst=PEER):
    s = _sock(w, lport)
    s.connect(dst, rport)
    s.send(b"probe")
    w.drain()
    return s


@pytest.mark.conformance("C8")
@pytest.mark.parametrize("code", [0, 1, 3])
def test_dest_unreachable_delivered_to_udp_socket(ipwire, code):
    """RFC 1122 4.1.3.3 / 3.2.2.1: a Destination Unreachable quoting a datagram we
    sent from a socket is reported to that socket (type, code, remote addr/port)."""
    s = _connected(ipwire)
    before = ipwire.snapshot()
    expect_none(ipwire.send(_icmp_err(3, code, 7700)))
    e = s.error()
    assert e is not None and (e["type"], e["code"], e["addr"], e["port"]) == (3, code, PEER, 9999)
    assert s.error() is None  # cleared
    ipwire.assert_delta(before, icmp_err_delivered=1)


@pytest.mark.conformance("C8")
def test_frag_needed_delivered_with_mtu(ipwire):
    """RFC 1191 / RFC 1122 4.2.3.9: Fragmentation Needed (3/4) with a next-hop MTU
    reaches the socket with that MTU."""
    s = _connected(ipwire)
    ipwire.send(_icmp_err(3, 4, 7700, nexthop=1280))
    e = s.error()
    assert e is not None and (e["type"], e["code"], e["mtu"]) == (3, 4, 1280)


@pytest.mark.conformance("C8")
def test_error_for_unconnected_socket_that_sent(ipwire):
    """RFC 1122 4.1.3.3: the error is delivered to the socket bound to the quoted
    source port (documented: unconnected sockets get it too)."""
    s = _sock(ipwire, 7701)
    s.sendto(b"x", (PEER, 9999))
    ipwire.drain()
    ipwire.send(_icmp_err(3, 3, 7701))
    e = s.error()
    assert e is not None and e["addr"] == PEER and e["port"] == 9999


@pytest.mark.conformance("C8")
def test_error_for_unknown_port_unmatched(ipwire):
    """RFC 5927 4: an error quoting a port no socket uses is counted
    icmp_err_unmatched and affects nobody."""
    s = _connected(ipwire)
    before = ipwire.counters()
    ipwire.send(_icmp_err(3, 3, 7799))
    assert s.error() is None
    assert ipwire.delta(before).get("icmp_err_unmatched") == 1


@pytest.mark.conformance("C8")
@pytest.mark.parametrize("variant", ["quoted-src-not-us", "quoted-dst-not-peer", "quoted-dport-wrong"])
def test_error_not_matching_connected_socket_ignored(ipwire, variant):
    """RFC 5927 4.1-4.3: the quoted header is validated against the socket
    before acting: a quoted source that is not ours, or a 4-tuple that does not
    match the connected socket, is not delivered."""
    s = _connected(ipwire)
    kw = {"quoted-src-not-us": dict(src=OTHER), "quoted-dst-not-peer": dict(dst=OTHER),
          "quoted-dport-wrong": dict(dport=1111)}[variant]
    ipwire.send(_icmp_err(3, 3, 7700, **kw))
    assert s.error() is None


@pytest.mark.conformance("C8")
@pytest.mark.parametrize("quote_len", [0, 10, 20, 27])
def test_error_with_short_quote_malformed(ipwire, quote_len):
    """RFC 792 / RFC 5927: an error quoting less than the IP header + 8 bytes cannot
    be matched safely: dropped as icmp_drop_malformed, nothing delivered."""
    s = _connected(ipwire)
    before = ipwire.counters()
    expect_none(ipwire.send(_icmp_err(3, 3, 7700, quote_len=quote_len)))
    assert s.error() is None
    assert ipwire.delta(before).get("icmp_drop_malformed") == 1


@pytest.mark.conformance("C8")
def test_error_quoting_non_initial_fragment_malformed(ipwire):
    """RFC 5927 / RFC 792: a quoted datagram that is a non-initial fragment has no
    transport header to match: not acted on (icmp_drop_malformed)."""
    s = _connected(ipwire)
    q = bytes(IP(src=US, dst=PEER, frag=10, proto=17) / UDP(sport=7700, dport=9999))[:28]
    pkt = Ether(dst=US_MAC, src=PEER_MAC) / IP(src=PEER, dst=US) / ICMP(type=3, code=3) / q
    before = ipwire.counters()
    ipwire.send(pkt)
    assert s.error() is None
    assert ipwire.delta(before).get("icmp_drop_malformed") == 1


@pytest.mark.conformance("C8")
def test_error_with_bad_quoted_ip_version_malformed(ipwire):
    """RFC 5927: the quoted header must itself be a valid IPv4 header (version 4,
    IHL >= 5) before anything is looked up."""
    s = _connected(ipwire)
    q = bytearray(bytes(IP(src=US, dst=PEER) / UDP(sport=7700, dport=9999)))
    q[0] = 0x65
    pkt = Ether(dst=US_MAC, src=PEER_MAC) / IP(src=PEER, dst=US) / ICMP(type=3, code=3) / bytes(q)
    ipwire.send(pkt)
    assert s.error() is None
