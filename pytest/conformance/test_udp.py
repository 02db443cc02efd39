# SPDX-License-Identifier: BSD-3-Clause
"""UDP (RFC 768, RFC 1122 4.1): rows U1-U7."""
import struct

import pytest
from scapy.layers.inet import IP, ICMP, UDP
from scapy.layers.l2 import Ether
from scapy.utils import checksum

from harness import (US, US_MAC, PEER, PEER_MAC, OTHER, REMOTE, SUBNET_BCAST, BCAST_MAC,
                     expect_one, expect_none)
from harness.build import udp, ip_header, raw_frame, udp_bytes


def _sock(w, port, **kw):
    s = w.stack.udp_socket()
    s.bind(port=port, **kw)
    return s


def _udp_raw(l4: bytes, src=PEER, dst=US, dst_mac=US_MAC):
    return raw_frame(ip_header(src=src, dst=dst, proto=17, payload_len=len(l4)) + l4, dst=dst_mac)


# --- U1 ----------------------------------------------------------------------------
@pytest.mark.conformance("U1")
@pytest.mark.parametrize("data", [b"x", b"hello world", bytes(range(256)) * 5], ids=["1B", "11B", "1280B"])
def test_datagram_delivered_with_source(ipwire, data):
    """RFC 768: a valid datagram to a bound port is delivered with its data, the
    source address and source port, and the destination it was sent to."""
    s = _sock(ipwire, 8000)
    expect_none(ipwire.send(udp(8000, data, sport=34567)))
    assert s.recvfrom() == (data, (PEER, 34567), US)
    assert s.recvfrom() is None


@pytest.mark.conformance("U1")
def test_zero_length_datagram_delivered_empty(ipwire):
    """RFC 768: a datagram with no data (length 8) is delivered as an empty datagram,
    distinguishable from "nothing waiting"."""
    s = _sock(ipwire, 8001)
    ipwire.send(udp(8001, b"", sport=1111))
    assert s.recvfrom() == (b"", (PEER, 1111), US)
    assert s.recvfrom() is None


@pytest.mark.conformance("U1")
def test_offlink_source_preserved(ipwire):
    """RFC 768 / RFC 1122 4.1.3.5: the IP source (an off-link host behind the gateway) is reported, not the MAC's owner."""
    s = _sock(ipwire, 8002)
    ipwire.send(udp(8002, b"far", src=REMOTE, sport=53))
    assert s.recvfrom() == (b"far", (REMOTE, 53), US)


@pytest.mark.conformance("U1")
def test_demux_by_port_and_order(ipwire):
    """RFC 768: datagrams are demultiplexed by destination port and kept in order."""
    a, b = _sock(ipwire, 8003), _sock(ipwire, 8004)
    for i in range(3):
        ipwire.send(udp(8003, b"a%d" % i))
        ipwire.send(udp(8004, b"b%d" % i))
    assert [a.recvfrom()[0] for _ in range(3)] == [b"a0", b"a1", b"a2"]
    assert [b.recvfrom()[0] for _ in range(3)] == [b"b0", b"b1", b"b2"]


@pytest.mark.conformance("U1")
def test_full_receive_buffer_drops_new_datagrams(ipwire):
    """RFC 768 / RFC 1122 4.1.3: a datagram that does not fit the socket's receive
    buffer is dropped (udp_drop_queue_full); those already queued are intact
    and in order, and space freed by reading is reused."""
    s = ipwire.stack.udp_socket(rxbuf=256)
    s.bind(port=8007)
    before = ipwire.counters()
    for i in range(10):
        ipwire.send(udp(8007, b"%d" % i + b"." * 59))
    got = []
    while (d := s.recvfrom()) is not None:
        got.append(d[0])
    assert 1 <= len(got) < 10
    assert got == [b"%d" % i + b"." * 59 for i in range(len(got))]
    assert ipwire.delta(before).get("udp_drop_queue_full") == 10 - len(got)
    ipwire.send(udp(8007, b"after"))
    assert s.recvfrom()[0] == b"after"


@pytest.mark.conformance("U1")
def test_connected_socket_filters_sources(ipwire):
    """RFC 1122 4.1.3.4 (documented, as BSD sockets): a connected socket only accepts
    datagrams from its peer address and port."""
    s = _sock(ipwire, 8005)
    s.connect(PEER, 5000)
    ipwire.send(udp(8005, b"wrong-port", sport=5001))
    ipwire.send(udp(8005, b"wrong-host", src=REMOTE, sport=5000))
    ipwire.send(udp(8005, b"right", sport=5000))
    assert s.recvfrom() == (b"right", (PEER, 5000), US)
    assert s.recvfrom() is None


@pytest.mark.conformance("U1")
def test_our_datagram_fields(ipwire):
    """RFC 768: what we send carries our bound source port, the destination port,
    length = 8 + data, and the data."""
    s = _sock(ipwire, 8006)
    s.sendto(b"payload!", (PEER, 9001))
    pkt = expect_one(ipwire.drain(), Ether(dst=PEER_MAC, src=US_MAC) / IP(src=US, dst=PEER, proto=17) /
                     UDP(sport=8006, dport=9001, len=16))
    assert bytes(pkt[UDP].payload) == b"payload!"


@pytest.mark.conformance("U1")
def test_ephemeral_port_on_unbound_send(ipwire):
    """RFC 6335 / documented: an unbound socket sends from an ephemeral port in
    49152-65535, and replies to it are delivered."""
    s = ipwire.stack.udp_socket()
    s.sendto(b"q", (PEER, 53))
    pkt = expect_one(ipwire.drain(), UDP(dport=53))
    port = pkt[UDP].sport
    assert 49152 <= port <= 65535 and s.local_port == port
    ipwire.send(udp(port, b"answer", sport=53))
    assert s.recvfrom() == (b"answer", (PEER, 53), US)


# --- U2 ----------------------------------------------------------------------------
@pytest.mark.conformance("U2")
def test_zero_checksum_accepted(ipwire):
    """RFC 768 / RFC 1122 4.1.3.4: checksum 0 means the sender computed none: accepted."""
    s = _sock(ipwire, 8010)
    ipwire.send(_udp_raw(udp_bytes(4000, 8010, b"no-checksum", chksum="zero")))
    assert s.recvfrom() == (b"no-checksum", (PEER, 4000), US)


@pytest.mark.conformance("U2")
def test_ffff_checksum_for_zero_sum_accepted(ipwire):
    """RFC 768: a datagram whose checksum computes to 0 is transmitted as 0xFFFF;
    such a datagram is accepted (0xFFFF and 0 are the same in one's complement)."""
    s = _sock(ipwire, 8011)
    data = _zero_sum_payload(PEER, US, 4001, 8011)
    l4 = udp_bytes(4001, 8011, data)
    assert l4[6:8] == b"\xff\xff"
    ipwire.send(_udp_raw(l4))
    assert s.recvfrom() == (data, (PEER, 4001), US)


# --- U3 ----------------------------------------------------------------------------
@pytest.mark.conformance("U3")
@pytest.mark.parametrize("xor", [0x0001, 0x8000, 0x00FF])
def test_wrong_checksum_dropped(ipwire, xor):
    """RFC 1122 4.1.3.4: a datagram with a non-zero wrong checksum MUST be silently
    discarded (udp_drop_checksum): not delivered, no ICMP."""
    s = _sock(ipwire, 8012)
    l4 = bytearray(udp_bytes(4002, 8012, b"corrupt"))
    ck = struct.unpack("!H", l4[6:8])[0] ^ xor
    if ck == 0:
        ck = 0x1234
    l4[6:8] = struct.pack("!H", ck)
    ipwire.send_dropped(_udp_raw(bytes(l4)), "udp_drop_checksum")
    assert s.recvfrom() is None


@pytest.mark.conformance("U3")
def test_corrupted_payload_dropped(ipwire):
    """RFC 1122 4.1.3.4: a flipped data bit (checksum unchanged) is detected."""
    s = _sock(ipwire, 8013)
    l4 = bytearray(udp_bytes(4003, 8013, b"corrupt-me"))
    l4[10] ^= 0x40
    ipwire.send_dropped(_udp_raw(bytes(l4)), "udp_drop_checksum")
    assert s.recvfrom() is None


@pytest.mark.conformance("U3")
def test_wrong_checksum_to_closed_port_no_icmp(ipwire):
    """RFC 1122 4.1.3.4: the checksum is verified before demultiplexing: a corrupt
    datagram to a closed port is dropped without a port unreachable."""
    l4 = bytearray(udp_bytes(4004, 8999, b"corrupt"))
    l4[6] ^= 0x01
    ipwire.send_dropped(_udp_raw(bytes(l4)), "udp_drop_checksum")


# --- U4 ----------------------------------------------------------------------------
def _zero_sum_payload(src, dst, sport, dport, n=8):
    """Data of n bytes for which the UDP checksum computes to 0 (found with scapy):
    the first 16-bit word is chosen to cancel the rest of the sum."""
    base = b"\x00\x00" + bytes(range(1, n - 1))
    ref = IP(src=src, dst=dst) / UDP(sport=sport, dport=dport, chksum=0) / base
    pseudo_and_udp = bytes(ref[UDP])
    from scapy.layers.inet import in4_chksum
    c = in4_chksum(17, IP(bytes(ref)), pseudo_and_udp)  # checksum with word = 0
    data = struct.pack("!H", c) + base[2:]
    check = IP(bytes(IP(src=src, dst=dst) / UDP(sport=sport, dport=dport, chksum=0) / data))
    assert in4_chksum(17, check, bytes(check[UDP])) in (0, 0xFFFF)
    return data


@pytest.mark.conformance("U4")
def test_tx_zero_checksum_sent_as_ffff(ipwire):
    """RFC 768: "If the computed checksum is zero, it is transmitted as all ones":
    a datagram crafted so its checksum computes to 0 leaves with 0xFFFF."""
    s = _sock(ipwire, 8020)
    data = _zero_sum_payload(US, PEER, 8020, 9020)
    s.sendto(data, (PEER, 9020))
    pkt = expect_one(ipwire.drain(), UDP(sport=8020, dport=9020))
    raw = bytes(pkt[IP])
    assert raw[20 + 6:20 + 8] == b"\xff\xff"
    from scapy.layers.inet import in4_chksum
    zeroed = raw[20:26] + b"\x00\x00" + raw[28:]
    assert in4_chksum(17, pkt[IP], zeroed) in (0, 0xFFFF)  # it really computes to zero


@pytest.mark.conformance("U4")
def test_tx_checksum_always_present(ipwire):
    """RFC 1122 4.1.3.4 (checksum generation MUST default on): none of many datagrams
    leaves with checksum 0, and each checksum matches scapy's."""
    s = _sock(ipwire, 8021)
    for i in range(40):
        s.sendto(bytes([i]) * i, (PEER, 9021 + i))
    frames = ipwire.drain()
    assert len(frames) == 40
    from harness.oracle import rebuilt_chksum
    for f in frames:
        have, want = rebuilt_chksum(f[IP], UDP)
        assert have != 0 and have == want


# --- U5 ----------------------------------------------------------------------------
@pytest.mark.conformance("U5")
@pytest.mark.parametrize("length", [0, 1, 7])
def test_length_below_8_dropped(ipwire, length):
    """RFC 768: the length field counts the 8-byte header; less is malformed (udp_drop_length)."""
    s = _sock(ipwire, 8030)
    l4 = udp_bytes(4030, 8030, b"abcdefgh", length=length, chksum="zero")
    ipwire.send_dropped(_udp_raw(l4), "udp_drop_length")
    assert s.recvfrom() is None


@pytest.mark.conformance("U5")
@pytest.mark.parametrize("extra", [1, 100, 60000])
def test_length_beyond_ip_payload_dropped(ipwire, extra):
    """RFC 768 / RFC 1122 4.1.3.4: a UDP length larger than the IP payload is
    malformed (udp_drop_length); nothing is read past the datagram."""
    s = _sock(ipwire, 8031)
    l4 = udp_bytes(4031, 8031, b"short", length=8 + 5 + extra, chksum="zero")
    ipwire.send_dropped(_udp_raw(l4), "udp_drop_length")
    assert s.recvfrom() is None


@pytest.mark.conformance("U5")
@pytest.mark.parametrize("chk", ["zero", "real"])
def test_length_below_ip_payload_extra_ignored(ipwire, chk):
    """RFC 768: when the UDP length is less than the IP payload, the datagram is
    the first `length` bytes; the rest is ignored (also by the checksum)."""
    s = _sock(ipwire, 8032)
    l4 = udp_bytes(4032, 8032, b"keep", length=12, chksum="zero" if chk == "zero" else None) + b"TRAILER"
    ipwire.send(_udp_raw(l4))
    assert s.recvfrom() == (b"keep", (PEER, 4032), US)


# --- U6 ----------------------------------------------------------------------------
@pytest.mark.conformance("U6")
@pytest.mark.parametrize("src", ["255.255.255.255", SUBNET_BCAST, "224.0.0.9", "239.255.0.1"])
def test_broadcast_or_multicast_source_dropped(ipwire, src):
    """RFC 1122 4.1.3.6: a UDP datagram whose source is broadcast or multicast is
    discarded (at the IP layer: ip_drop_bad_src, or udp_drop_bad_src)."""
    s = _sock(ipwire, 8040)
    before = ipwire.snapshot()
    expect_none(ipwire.send(udp(8040, b"spoof", src=src)))
    assert s.recvfrom() is None
    if before is not None:
        d = ipwire.delta(before)
        assert d.get("ip_drop_bad_src", 0) + d.get("udp_drop_bad_src", 0) == 1, d


# --- U7 ----------------------------------------------------------------------------
@pytest.mark.conformance("U7")
def test_wildcard_server_replies_from_request_destination(ipwire):
    """RFC 1122 4.1.3.5: a server bound to 0.0.0.0 replies with the specific
    destination of the request as source (recvfrom's dst passed to sendmsg)."""
    s = _sock(ipwire, 8050, addr="0.0.0.0")
    ipwire.send(udp(8050, b"ping", sport=4050))
    data, (src, sport), dst = s.recvfrom()
    assert dst == US
    s.sendmsg(b"pong", (src, sport), src=dst)
    expect_one(ipwire.drain(), IP(src=US, dst=PEER) / UDP(sport=8050, dport=4050) / b"pong")


@pytest.mark.conformance("U7")
@pytest.mark.parametrize("bdst", ["255.255.255.255", SUBNET_BCAST])
def test_reply_to_broadcast_request_uses_unicast_source(ipwire, bdst):
    """RFC 1122 4.1.3.5 / 3.2.1.3: a reply to a request sent to a broadcast address
    must come from one of our unicast addresses, never the broadcast address.
    Documented choice (stack/src/udp.c): sendmsg() given the broadcast/multicast
    destination recvfrom() reported as its source substitutes our unicast
    address, so echoing the request's metadata back always works; sendto()
    picks our address too."""
    s = _sock(ipwire, 8051)
    ipwire.send(udp(8051, b"disc", dst=bdst, dst_mac=BCAST_MAC, sport=4051))
    data, peer, dst = s.recvfrom()
    assert dst == bdst
    s.sendto(b"offer", peer)
    expect_one(ipwire.drain(), IP(src=US, dst=PEER) / UDP(sport=8051, dport=4051) / b"offer")
    s.sendmsg(b"ack", peer, src=dst)
    expect_one(ipwire.drain(), IP(src=US, dst=PEER) / UDP(sport=8051, dport=4051) / b"ack")


@pytest.mark.conformance("U7")
def test_sendmsg_foreign_source_refused(ipwire):
    """RFC 1122 4.1.3.5: the source must be one of our addresses: another host's
    address is refused, nothing is sent."""
    import seqs
    s = _sock(ipwire, 8052)
    with pytest.raises(seqs.SeqsError):
        s.sendmsg(b"spoof", (PEER, 9), src=OTHER)
    expect_none(ipwire.drain())
