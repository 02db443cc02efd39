# SPDX-License-Identifier: BSD-3-Clause
"""Ethernet (RFC 894, RFC 1122 2.3.3): rows E1-E2."""
import pytest
from scapy.layers.inet import IP, ICMP, UDP
from scapy.layers.l2 import Ether, ARP, Dot1Q
from scapy.packet import Raw, Padding

from harness import US, US_MAC, PEER, PEER_MAC, OTHER_MAC, BCAST_MAC, expect_one
from harness.build import echo, udp, who_has, raw_frame

E1 = pytest.mark.conformance("E1")
E2 = pytest.mark.conformance("E2")


def _sock(w, port):
    s = w.stack.udp_socket()
    s.bind(port=port)
    return s


@E1
def test_frame_to_our_mac_is_processed(ipwire):
    """Control for E1: the same echo request addressed to our MAC is answered
    (RFC 894), so the drops below are caused by the destination MAC only."""
    ipwire.exchange(echo(), Ether(dst=PEER_MAC, src=US_MAC) / IP(src=US, dst=PEER) / ICMP(type=0))


@E1
def test_foreign_unicast_mac_dropped(ipwire):
    """RFC 1122 2.3.3 / RFC 894: a frame to another station's unicast MAC is not ours
    (even though its IP destination is): dropped and counted as eth_drop_not_for_us."""
    ipwire.send_dropped(echo(dst_mac=OTHER_MAC), "eth_drop_not_for_us")


@E1
def test_foreign_unicast_mac_udp_not_delivered(ipwire):
    """RFC 894: a UDP datagram for a bound port inside a foreign-MAC frame is not delivered."""
    s = _sock(ipwire, 7000)
    ipwire.send_dropped(udp(7000, dst_mac="02:00:00:00:00:99"), "eth_drop_not_for_us")
    assert s.recvfrom() is None


@E1
def test_unjoined_multicast_mac_dropped(ipwire):
    """RFC 1112 6.4 / RFC 1122 2.3.3: a multicast MAC of a group we did not join is filtered."""
    ipwire.send_dropped(udp(7000, dst="224.1.2.3", dst_mac="01:00:5e:01:02:03"), "eth_drop_not_for_us")


@E1
@pytest.mark.parametrize("n", [0, 1, 6, 12, 13])
def test_runt_frame_dropped(ipwire, n):
    """RFC 894: a frame shorter than the 14-byte Ethernet header is dropped and
    counted as eth_drop_runt (and the stack keeps working)."""
    frame = bytes(echo())[:n]
    ipwire.send_dropped(frame, "eth_drop_runt")
    ipwire.exchange(echo(), IP(src=US, dst=PEER) / ICMP(type=0))


@E1
@pytest.mark.parametrize("ethertype", [0x86DD, 0x88B5, 0x9000, 0x0806 + 1, 0x0000])
def test_unknown_ethertype_dropped(ipwire, ethertype):
    """RFC 894: only EtherType 0x0800 (IPv4) and 0x0806 (ARP) are ours; an IPv4
    datagram under another type is not processed (eth_drop_ethertype)."""
    frame = raw_frame(bytes(echo()[IP]), ethertype=ethertype)
    ipwire.send_dropped(frame, "eth_drop_ethertype")


@E1
def test_8023_length_field_dropped(ipwire):
    """RFC 1042 vs RFC 894: a type/length field <= 1500 is an IEEE 802.3 length,
    not an EtherType we handle: dropped (eth_drop_ethertype)."""
    frame = raw_frame(bytes(echo()[IP]), ethertype=46)
    ipwire.send_dropped(frame, "eth_drop_ethertype")


@E1
def test_vlan_tagged_dropped(ipwire):
    """802.1Q tagged frames are not supported (documented): dropped as eth_drop_vlan."""
    frame = Ether(dst=US_MAC, src=PEER_MAC) / Dot1Q(vlan=5) / IP(src=PEER, dst=US) / ICMP(type=8)
    ipwire.send_dropped(frame, "eth_drop_vlan")


@E1
def test_own_source_mac_dropped(ipwire):
    """A frame claiming our own MAC as source (a loop or a spoof) is dropped (eth_drop_own_src)."""
    ipwire.send_dropped(echo(src_mac=US_MAC), "eth_drop_own_src")


@E2
def test_padded_echo_reply_has_no_padding(ipwire):
    """RFC 894 / RFC 791 3.1: a short echo request padded to 60 bytes; the reply
    echoes exactly the ICMP data bounded by Total Length, not the padding."""
    req = echo(data=b"ab")
    frame = bytes(req) + b"\xAA" * (60 - len(bytes(req)))
    assert len(frame) == 60
    rep = ipwire.exchange(frame, IP(src=US, dst=PEER) / ICMP(type=0, id=0x1234, seq=1))
    assert rep[IP].len == 20 + 8 + 2
    assert bytes(rep[ICMP].payload) == b"ab"


@E2
def test_padded_udp_delivers_exact_payload(ipwire):
    """RFC 894 / RFC 791 3.1 / RFC 768: garbage padding after a short UDP datagram
    is neither delivered nor included in the checksum (the datagram is accepted)."""
    s = _sock(ipwire, 7001)
    req = udp(7001, data=b"xyz")
    frame = bytes(req) + bytes(range(1, 60 - len(bytes(req)) + 1))
    assert len(frame) == 60
    ipwire.send(frame)
    got = s.recvfrom()
    assert got is not None and got[0] == b"xyz"


@E2
def test_padded_arp_request_answered(wire):
    """RFC 894/826: an ARP request padded to the 60-byte minimum is answered normally."""
    frame = bytes(who_has()) + b"\x00" * 18
    assert len(frame) == 60
    wire.exchange(frame, Ether(dst=PEER_MAC) / ARP(op=2, psrc=US, pdst=PEER))
