# SPDX-License-Identifier: BSD-3-Clause
"""Frame builders for tests: valid frames from the peer, and raw builders for
malformed ones that scapy would "fix" (all checksums computed by scapy)."""
from __future__ import annotations

import struct

from scapy.layers.inet import IP, ICMP, UDP
from scapy.layers.l2 import Ether, ARP
from scapy.utils import checksum

from .wire import US, US_MAC, PEER, PEER_MAC, BCAST_MAC


def eth(dst=US_MAC, src=PEER_MAC, type=None):
    return Ether(dst=dst, src=src) if type is None else Ether(dst=dst, src=src, type=type)


def echo(data=b"seqs-ping", id=0x1234, seq=1, src=PEER, dst=US, dst_mac=US_MAC, src_mac=PEER_MAC, **ipkw):
    return Ether(dst=dst_mac, src=src_mac) / IP(src=src, dst=dst, **ipkw) / ICMP(type=8, id=id, seq=seq) / data


def udp(dport, data=b"hello", sport=40000, src=PEER, dst=US, dst_mac=US_MAC, src_mac=PEER_MAC, **ipkw):
    return Ether(dst=dst_mac, src=src_mac) / IP(src=src, dst=dst, **ipkw) / UDP(sport=sport, dport=dport) / data


def who_has(target=US, sender=PEER, sender_mac=PEER_MAC, dst_mac=BCAST_MAC, **kw):
    return Ether(dst=dst_mac, src=sender_mac) / ARP(op=1, hwsrc=sender_mac, psrc=sender,
                                                       hwdst="00:00:00:00:00:00", pdst=target, **kw)


def is_at(sender, sender_mac, target=US, target_mac=US_MAC, dst_mac=None):
    return Ether(dst=dst_mac or target_mac, src=sender_mac) / ARP(op=2, hwsrc=sender_mac, psrc=sender,
                                                                    hwdst=target_mac, pdst=target)


def ip_header(src=PEER, dst=US, proto=1, payload_len=0, ihl=5, version=4, tos=0, total_len=None,
              id=1, flags=0, frag=0, ttl=64, options=b"", chksum=None) -> bytes:
    """A raw IPv4 header with any (possibly inconsistent) field values. The
    checksum is computed by scapy's checksum() over ihl*4 bytes (or the bytes
    present) unless given."""
    import socket
    if total_len is None:
        total_len = 20 + len(options) + payload_len
    h = struct.pack("!BBHHHBBH4s4s", (version << 4) | (ihl & 0xF), tos, total_len & 0xFFFF, id,
                    (flags << 13) | frag, ttl, proto, 0, socket.inet_aton(src), socket.inet_aton(dst)) + options
    if chksum is None:
        n = min(len(h), max(ihl * 4, 20))
        chksum = checksum(h[:n])
    return h[:10] + struct.pack("!H", chksum) + h[12:]


def raw_frame(l3: bytes, dst=US_MAC, src=PEER_MAC, ethertype=0x0800) -> bytes:
    return bytes(Ether(dst=dst, src=src, type=ethertype)) + l3


def icmp_echo_bytes(data=b"x" * 8, id=7, seq=1) -> bytes:
    return bytes(ICMP(type=8, id=id, seq=seq) / data)


def udp_bytes(sport, dport, data, src=PEER, dst=US, length=None, chksum=None) -> bytes:
    """Raw UDP header+data. chksum None: correct (computed by scapy for the bytes
    covered by length); 'zero': 0."""
    ln = 8 + len(data) if length is None else length
    if chksum is None:
        covered = min(ln, 8 + len(data))
        ref = IP(src=src, dst=dst) / UDP(sport=sport, dport=dport, len=covered) / data[:covered - 8]
        chksum = IP(bytes(ref))[UDP].chksum
    elif chksum == "zero":
        chksum = 0
    return struct.pack("!HHHH", sport, dport, ln & 0xFFFF, chksum) + data


def arp_raw(hrd=1, pro=0x0800, hln=6, pln=4, op=1, sha=PEER_MAC, spa=PEER, tha="00:00:00:00:00:00", tpa=US,
            truncate=None) -> bytes:
    """Raw ARP body (with hln/pln as given: the address fields are sized by them)."""
    import socket

    def mac(m, n):
        b = bytes(int(x, 16) for x in m.split(":"))
        return (b + b"\x00" * n)[:n]

    def ip(a, n):
        b = socket.inet_aton(a)
        return (b + b"\x00" * n)[:n]
    body = struct.pack("!HHBBH", hrd, pro, hln, pln, op) + mac(sha, hln) + ip(spa, pln) + mac(tha, hln) + ip(tpa, pln)
    return body if truncate is None else body[:truncate]
