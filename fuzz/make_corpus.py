#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Regenerates the committed seed corpus for fuzz_ingress (and fuzz_tcp when present).

Each seed is a script of frames in the fuzz_ingress record format:
  [time step, 10 ms units][u16 length][Ethernet frame]
The seeds walk the interesting paths: ARP, echo (plain, large, fragmented, reversed),
UDP to the bound port 7 and to a closed port, TCP, VLAN, runts and bad checksums.
Run: /usr/bin/python3 fuzz/make_corpus.py  (needs python3-scapy)."""
import struct
from pathlib import Path

from scapy.all import ARP, Dot1Q, Ether, ICMP, IP, TCP, UDP, Raw, fragment

US_MAC, PEER_MAC = "02:00:00:00:00:02", "02:00:00:00:00:01"
US, PEER = "192.0.2.2", "192.0.2.1"
BCAST = "ff:ff:ff:ff:ff:ff"


def rec(frames, step=1):
    out = b""
    for f in frames:
        b = bytes(f)
        out += struct.pack(">BH", step, len(b)) + b
    return out


def eth(p, dst=US_MAC):
    return Ether(src=PEER_MAC, dst=dst) / p


arp_req = Ether(src=PEER_MAC, dst=BCAST) / ARP(op=1, hwsrc=PEER_MAC, psrc=PEER, pdst=US)
big = eth(IP(src=PEER, dst=US, id=7) / ICMP(id=1, seq=1) / Raw(b"x" * 3972))
frags = [eth(f) for f in fragment(big[IP], fragsize=1480)]

seeds = {
    "arp_request": rec([arp_req]),
    "arp_probe": rec([Ether(src=PEER_MAC, dst=BCAST) / ARP(op=1, hwsrc=PEER_MAC, psrc="0.0.0.0", pdst=US)]),
    "gratuitous": rec([Ether(src=PEER_MAC, dst=BCAST) / ARP(op=2, hwsrc=PEER_MAC, psrc=PEER, pdst=PEER)]),
    "ping": rec([arp_req, eth(IP(src=PEER, dst=US) / ICMP(id=9, seq=1) / Raw(b"hello"))]),
    "ping_frag": rec([arp_req] + frags),
    "ping_frag_reversed": rec([arp_req] + frags[::-1]),
    "ping_frag_timeout": rec([arp_req, frags[0]]) + rec([frags[1]], step=255) + rec([frags[1]], step=255),
    "udp_echo": rec([arp_req, eth(IP(src=PEER, dst=US) / UDP(sport=5000, dport=7) / Raw(b"ping"))]),
    "udp_closed": rec([arp_req, eth(IP(src=PEER, dst=US) / UDP(sport=5000, dport=9999) / Raw(b"?"))]),
    "udp_bcast": rec([eth(IP(src=PEER, dst="192.0.2.255") / UDP(sport=5000, dport=7) / Raw(b"b"), dst=BCAST)]),
    "udp_zero_csum": rec([arp_req, eth(IP(src=PEER, dst=US) / UDP(sport=5000, dport=7, chksum=0) / Raw(b"z"))]),
    "tcp_syn": rec([arp_req, eth(IP(src=PEER, dst=US) / TCP(sport=40000, dport=80, flags="S", seq=1000,
                                                           options=[("MSS", 1460), ("SAckOK", b""),
                                                                    ("Timestamp", (1, 0)), ("WScale", 7)]))]),
    "tcp_ack_closed": rec([arp_req, eth(IP(src=PEER, dst=US) / TCP(sport=40000, dport=81, flags="A", ack=5))]),
    "unknown_proto": rec([arp_req, eth(IP(src=PEER, dst=US, proto=99) / Raw(b"data"))]),
    "ip_options": rec([arp_req, eth(IP(src=PEER, dst=US, options=b"\x94\x04\x00\x00") / ICMP() / Raw(b"o"))]),
    "bad_ip_csum": rec([eth(IP(src=PEER, dst=US, chksum=0x1234) / ICMP())]),
    "vlan": rec([Ether(src=PEER_MAC, dst=US_MAC) / Dot1Q(vlan=5) / IP(src=PEER, dst=US) / ICMP()]),
    "runt": rec([b"\x02\x00\x00\x00", eth(b"", dst=BCAST)]),
    "icmp_unreach_in": rec([arp_req, eth(IP(src=PEER, dst=US) / ICMP(type=3, code=3) /
                                         IP(src=US, dst=PEER) / UDP(sport=7, dport=5000) / Raw(b"q"))]),
}

out = Path(__file__).resolve().parent / "corpus" / "fuzz_ingress"
out.mkdir(parents=True, exist_ok=True)
for name, data in seeds.items():
    (out / name).write_bytes(data)
print(f"wrote {len(seeds)} seeds to {out}")
