#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Regenerates the committed seed corpus for fuzz_dhcp_server: each file is a
sequence of records [ctl][len:2][DHCP payload] (see fuzz/fuzz_dhcp_server.c).
Run: /usr/bin/python3 fuzz/make_dhcp_server_corpus.py"""
import struct
from pathlib import Path

from scapy.layers.dhcp import BOOTP, DHCP

OUT = Path(__file__).resolve().parent / "corpus" / "fuzz_dhcp_server"
US = "192.0.2.2"


def mac(i):
    return bytes([2, 0, 0, 0, 0, i])


def msg(i, mtype, ciaddr="0.0.0.0", cid=True, **opts):
    o = [("message-type", mtype)]
    if cid:
        o.append(("client_id", b"\x01" + mac(i)))
    for k, v in opts.items():
        o.append((k, v))
    return bytes(BOOTP(op=1, xid=0x1000 + i, chaddr=mac(i) + bytes(10), ciaddr=ciaddr) / DHCP(options=o + ["end"]))


def rec(payload, advance_s=None, unicast=False):
    ctl = ((advance_s << 1) | 1) if advance_s is not None else (2 if unicast else 0)
    return struct.pack(">BH", ctl, len(payload)) + payload


def flow(i, addr):
    return (rec(msg(i, "discover")) + rec(msg(i, "request", server_id=US, requested_addr=addr)))


seeds = {
    "discover": rec(msg(1, "discover")),
    "bind": flow(1, "192.0.2.100"),
    "bind_renew_release": flow(1, "192.0.2.100") + rec(b"", advance_s=30) +
        rec(msg(1, "request", ciaddr="192.0.2.100"), unicast=True) +
        rec(msg(1, "release", ciaddr="192.0.2.100", server_id=US), unicast=True),
    "decline": flow(2, "192.0.2.100") + rec(msg(2, "decline", server_id=US, requested_addr="192.0.2.100")) +
        rec(msg(3, "discover")) + rec(b"", advance_s=21) + rec(msg(4, "discover")),
    "reserved": rec(msg(0x50, "discover", cid=False)) +
        rec(msg(0x50, "request", cid=False, server_id=US, requested_addr="192.0.2.50")) +
        rec(msg(7, "request", requested_addr="192.0.2.50")),
    "init_reboot": flow(1, "192.0.2.101") + rec(msg(1, "request", requested_addr="192.0.2.101")) +
        rec(msg(9, "request", requested_addr="192.0.2.101")),
    "rebinding": flow(1, "192.0.2.100") + rec(msg(1, "request", ciaddr="192.0.2.100")) +
        rec(msg(2, "request", ciaddr="192.0.2.100")),
    "inform": rec(msg(5, "inform", ciaddr="192.0.2.30"), unicast=True),
    "exhaust": b"".join(flow(i, "192.0.2.%d" % (99 + i)) for i in range(1, 9)) + rec(b"", advance_s=61) +
        b"".join(rec(msg(i, "discover")) for i in range(10, 14)),
    "other_server": rec(msg(1, "discover")) + rec(msg(1, "request", server_id="192.0.2.9",
                                                        requested_addr="192.0.2.100")),
    "truncated": rec(msg(1, "discover")[:100]),
    "bad_cookie": rec(msg(1, "discover")[:236] + b"\x63\x82\x53\x64" + msg(1, "discover")[240:]),
}

OUT.mkdir(parents=True, exist_ok=True)
for name, data in seeds.items():
    (OUT / name).write_bytes(data)
print(f"wrote {len(seeds)} seeds to {OUT}")
