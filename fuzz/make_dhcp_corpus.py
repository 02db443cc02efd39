#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Regenerates the committed seed corpus for fuzz_dhcp: one DHCP message (UDP
payload) per file, built with scapy's BOOTP/DHCP layers plus hand-made
malformed ones (D12/S10). Run: /usr/bin/python3 fuzz/make_dhcp_corpus.py"""
import struct
from pathlib import Path

from scapy.layers.dhcp import BOOTP, DHCP

MAC = bytes.fromhex("020000000001")
XID = 0x12345678
OUT = Path(__file__).resolve().parent / "corpus" / "fuzz_dhcp"


def msg(op, opts, **kw):
    return bytes(BOOTP(op=op, xid=XID, chaddr=MAC + b"\0" * 10, flags=0x8000, **kw) / DHCP(options=opts))


def raw(op, optbytes, sname=b"", file=b""):
    hdr = struct.pack(">BBBBIHHIIII", op, 1, 6, 0, XID, 0, 0x8000, 0, 0xC0000245, 0, 0)
    hdr += MAC + b"\0" * 10 + sname.ljust(64, b"\0") + file.ljust(128, b"\0")
    return hdr + b"\x63\x82\x53\x63" + optbytes


lease = [("subnet_mask", "255.255.255.0"), ("router", "192.0.2.1"), ("name_server", "192.0.2.1", "192.0.2.2"),
         ("NTP_server", "192.0.2.123"), ("lease_time", 120), ("renewal_time", 60), ("rebinding_time", 105)]
seeds = {
    "discover": msg(1, [("message-type", "discover"), ("client_id", b"\x01" + MAC), ("hostname", b"tinygo-pico"),
                        ("param_req_list", [1, 3, 6, 42, 51, 58, 59]), "end"]),
    "request": msg(1, [("message-type", "request"), ("requested_addr", "192.0.2.69"),
                       ("server_id", "192.0.2.1"), "end"]),
    "offer": msg(2, [("message-type", "offer"), ("server_id", "192.0.2.1")] + lease + ["end"], yiaddr="192.0.2.69"),
    "ack": msg(2, [("message-type", "ack"), ("server_id", "192.0.2.1")] + lease + ["end"], yiaddr="192.0.2.69"),
    "nak": msg(2, [("message-type", "nak"), ("server_id", "192.0.2.1"), ("error_message", b"wrong address"), "end"]),
    "nak_no_end": raw(2, bytes([53, 1, 6, 54, 4, 192, 0, 2, 1])),
    "pad_runs": raw(2, bytes(40) + bytes([53, 1, 5]) + bytes(9) + bytes([51, 4, 0, 0, 0, 120, 255])),
    "len_past_end": raw(2, bytes([53, 1, 5, 3, 12, 192, 0, 2, 1])),
    "zero_len": raw(2, bytes([53, 1, 5, 80, 0, 12, 0, 255])),
    "repeated": raw(2, bytes([53, 1, 5, 6, 2, 192, 0, 6, 6, 2, 1, 198, 51, 100, 9, 255])),
    "overload_both": raw(2, bytes([52, 1, 3, 255]), sname=bytes([6, 4, 192, 0, 2, 54, 255]),
                         file=bytes([53, 1, 5, 54, 4, 192, 0, 2, 1, 255])),
    "overload_loop": raw(2, bytes([52, 1, 1, 255]), file=bytes([52, 1, 3, 53, 1, 2, 255]),
                         sname=bytes([52, 1, 3, 255])),
    "overload_bad": raw(2, bytes([53, 1, 5, 52, 1, 7, 255])),
    "big_prl": raw(1, bytes([53, 1, 1]) + (bytes([55, 255]) + bytes(range(1, 256))) * 2 + bytes([255])),
    "truncated": raw(2, b"")[:200],
    "bad_cookie": raw(2, bytes([53, 1, 5, 255]))[:236] + b"\x63\x82\x53\x64" + bytes([53, 1, 5, 255]),
}

# fuzz_dhcp patches xid/chaddr to the client's when the last byte is odd: these reach its states.
for name in ("offer", "ack", "nak", "overload_both", "repeated"):
    seeds[name + "_match"] = seeds[name] + b"\x01"

OUT.mkdir(parents=True, exist_ok=True)
for name, data in seeds.items():
    (OUT / name).write_bytes(data)
print(f"wrote {len(seeds)} seeds to {OUT}")
