# SPDX-License-Identifier: BSD-3-Clause
"""Independent well-formedness oracle for frames the stack emits.

Every check uses scapy, never the stack's own code: a checksum is verified by
deleting it from the dissected packet, letting scapy rebuild it, and comparing
(``rebuilt_chksum``). Lengths and header fields are checked for consistency.

    check_frame(raw, our_mac=None) -> list of problems (empty when fine)
    Reassembler: feeds IPv4 fragments, returns the whole datagram when complete
    check_datagram(ip_bytes) -> problems of the transport layer of a whole datagram
"""
from __future__ import annotations

from scapy.layers.inet import IP, ICMP, UDP, TCP
from scapy.layers.l2 import Ether, ARP
from scapy.packet import Raw

__all__ = ["check_frame", "check_datagram", "rebuilt_chksum", "Reassembler"]


def rebuilt_chksum(ip: IP, layer_cls=None) -> tuple[int, int]:
    """(checksum in the packet, checksum scapy computes for it) for ip (layer_cls None)
    or for its layer_cls transport layer. ip must be a dissected IP packet."""
    q = ip.copy()
    target = q if layer_cls is None else q[layer_cls]
    have = target.chksum
    del target.chksum
    rebuilt = IP(bytes(q))
    want = rebuilt.chksum if layer_cls is None else rebuilt[layer_cls].chksum
    return have, want


def check_datagram(ipb: bytes) -> list[str]:
    """Transport-level checks on a complete (unfragmented or reassembled) IPv4 datagram."""
    probs = []
    ip = IP(ipb)
    ihl = ip.ihl * 4
    l4len = ip.len - ihl
    if ip.proto == 17:
        if UDP not in ip:
            return [f"UDP datagram that scapy cannot dissect ({l4len} bytes)"]
        u = ip[UDP]
        if u.len != l4len:
            probs.append(f"UDP length {u.len} != IP payload {l4len}")
        if u.chksum == 0:
            probs.append("UDP checksum 0 (we must always checksum, RFC 1122 4.1.3.4)")
        else:
            have, want = rebuilt_chksum(ip, UDP)
            if have != want:
                probs.append(f"UDP checksum {have:#06x}, scapy computes {want:#06x}")
    elif ip.proto == 1:
        if ICMP not in ip:
            return [f"ICMP message scapy cannot dissect ({l4len} bytes)"]
        if l4len < 8:
            probs.append(f"ICMP message of {l4len} bytes (< 8)")
        have, want = rebuilt_chksum(ip, ICMP)
        if have != want:
            probs.append(f"ICMP checksum {have:#06x}, scapy computes {want:#06x}")
    elif ip.proto == 6:
        if TCP not in ip:
            return [f"TCP segment scapy cannot dissect ({l4len} bytes)"]
        t = ip[TCP]
        if t.dataofs is None or t.dataofs < 5 or t.dataofs * 4 > l4len:
            probs.append(f"TCP data offset {t.dataofs} inconsistent with {l4len} bytes")
        have, want = rebuilt_chksum(ip, TCP)
        if have != want:
            probs.append(f"TCP checksum {have:#06x}, scapy computes {want:#06x}")
    return probs


def check_frame(raw: bytes, our_mac: str | None = None) -> list[str]:
    """Problems with one emitted Ethernet frame (L2/ARP/IP header level, and the
    transport layer when the datagram is not a fragment)."""
    probs: list[str] = []
    if len(raw) < 14:
        return [f"runt frame of {len(raw)} bytes"]
    e = Ether(raw)
    if our_mac is not None and e.src.lower() != our_mac.lower():
        probs.append(f"Ethernet source {e.src}, expected our MAC {our_mac}")
    if int(raw[0]) & 1 == 0 and e.dst == "00:00:00:00:00:00":
        probs.append("Ethernet destination all-zero")
    if e.type == 0x0806:
        if len(raw) < 14 + 28:
            return probs + [f"ARP frame of {len(raw)} bytes"]
        a = e[ARP]
        if (a.hwtype, a.ptype, a.hwlen, a.plen) != (1, 0x0800, 6, 4):
            probs.append(f"ARP header hrd={a.hwtype} pro={a.ptype:#x} hln={a.hwlen} pln={a.plen}")
        if a.op not in (1, 2):
            probs.append(f"ARP op {a.op}")
        if our_mac is not None and a.hwsrc.lower() != our_mac.lower():
            probs.append(f"ARP sender MAC {a.hwsrc} is not ours")
        return probs
    if e.type != 0x0800:
        return probs + [f"unexpected EtherType {e.type:#06x}"]
    ipb = raw[14:]
    if len(ipb) < 20:
        return probs + [f"IPv4 packet of {len(ipb)} bytes"]
    ip = IP(ipb)
    if ip.version != 4:
        probs.append(f"IP version {ip.version}")
    if ip.ihl < 5 or ip.ihl * 4 > ip.len:
        probs.append(f"IHL {ip.ihl} inconsistent with total length {ip.len}")
    if ip.len != len(ipb):
        # seqs never pads (seqs_stack_output): the frame holds exactly the datagram
        probs.append(f"IP total length {ip.len} != {len(ipb)} bytes after the Ethernet header")
    if ip.ttl == 0:
        probs.append("TTL 0 (RFC 1122 3.2.1.7)")
    if ip.flags.evil:
        probs.append("reserved IP flag set")
    if ip.flags.DF and ip.flags.MF:
        probs.append("DF and MF both set")
    have, want = rebuilt_chksum(ip)
    if have != want:
        probs.append(f"IP header checksum {have:#06x}, scapy computes {want:#06x}")
    if probs:
        return probs
    if ip.frag == 0 and not ip.flags.MF:
        probs += check_datagram(bytes(ipb[:ip.len]))
    elif ip.frag != 0 or ip.flags.MF:
        if ip.flags.MF and (ip.len - ip.ihl * 4) % 8:
            probs.append(f"non-final fragment with {ip.len - ip.ihl * 4} payload bytes (not a multiple of 8)")
        if ip.frag * 8 + ip.len - ip.ihl * 4 > 65535:
            probs.append("fragment beyond 65535 bytes")
    return probs


class Reassembler:
    """Minimal independent IPv4 reassembly for checking our own fragments."""

    def __init__(self):
        self.parts: dict = {}

    def add(self, ipb: bytes) -> bytes | None:
        """Feed one fragment (IP bytes). Returns the full datagram (IP bytes, 20-byte
        header rebuilt by scapy) once every byte is present, else None."""
        ip = IP(ipb)
        key = (ip.src, ip.dst, ip.proto, ip.id)
        hl = ip.ihl * 4
        data = bytes(ipb[hl:ip.len])
        ent = self.parts.setdefault(key, {"pieces": {}, "last": None, "hdr": None})
        off = ip.frag * 8
        ent["pieces"][off] = data
        if off == 0:
            ent["hdr"] = ip
        if not ip.flags.MF:
            ent["last"] = off + len(data)
        if ent["last"] is None or ent["hdr"] is None:
            return None
        buf = bytearray()
        for o in sorted(ent["pieces"]):
            if o != len(buf):
                if o < len(buf):
                    raise AssertionError(f"our fragments overlap at offset {o} (datagram {key})")
                return None  # hole
            buf += ent["pieces"][o]
        if len(buf) != ent["last"]:
            return None
        del self.parts[key]
        h = ent["hdr"]
        whole = IP(src=h.src, dst=h.dst, proto=h.proto, id=h.id, ttl=h.ttl, tos=h.tos, flags=0) / Raw(bytes(buf))
        return bytes(whole)
