#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes the seed corpora of fuzz_dns and fuzz_ntp (fuzz/corpus/fuzz_{dns,ntp}/).
Each seed is [flags byte][message]; see the targets for the flags."""
import os
import struct
import sys

D = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def wname(n):
    return b"".join(bytes([len(x)]) + x.encode() for x in n.split(".")) + b"\0"


def hdr(id=0, flags=0x8180, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!6H", id, flags, qd, an, ns, ar)


Q = wname("www.example.test") + b"\0\1\0\1"
ANS = 12 + len(Q)


def rr(owner, t, rdata, ttl=300, rdlength=None):
    return owner + struct.pack("!HHIH", t, 1, ttl, len(rdata) if rdlength is None else rdlength) + rdata


def p(off):
    return struct.pack("!H", 0xC000 | off)


IP = bytes([192, 0, 2, 50])
dns = {
    "a_compressed": hdr(an=1) + Q + rr(p(12), 1, IP),
    "a_two": hdr(an=2) + Q + rr(p(12), 1, IP) + rr(p(12), 1, bytes([192, 0, 2, 51]), ttl=0x80000001),
    "cname_chain": hdr(an=3) + Q + rr(p(12), 5, b"\x03cdn" + p(16)) + rr(p(ANS + 12), 5, wname("z.test")) +
                   rr(wname("z.test"), 1, IP),
    "nxdomain": hdr(flags=0x8183) + Q,
    "servfail": hdr(flags=0x8182) + Q,
    "truncated": hdr(flags=0x8380, an=5) + Q,
    "ptr_loop": hdr(an=1) + Q + rr(p(ANS), 1, IP),
    "ptr_forward": hdr(an=1) + Q + rr(p(ANS + 40), 1, IP),
    "label_64": hdr(an=1) + Q + rr(b"\x40" + b"a" * 64 + b"\0", 1, IP),
    "ancount_big": hdr(an=9) + Q + rr(p(12), 1, IP),
    "rdlength_bad": hdr(an=1) + Q + rr(p(12), 1, IP + b"x"),
}
os.makedirs(os.path.join(D, "fuzz_dns"), exist_ok=True)
for name, m in dns.items():
    with open(os.path.join(D, "fuzz_dns", name), "wb") as f:
        f.write(bytes([3]) + m)


def ntp(li=0, vn=4, mode=4, stratum=2, refid=b"GPS\0", rec=0xEB000000_80000000, xmt=0xEB000000_80001000):
    return (struct.pack("!BBbb", (li << 6) | (vn << 3) | mode, stratum, 6, -20) + bytes(8) + refid +
            struct.pack("!QQQQ", rec - (1 << 32), 0, rec, xmt))


seeds = {
    "good": (1, ntp()),
    "leap_1": (1, ntp(li=1)),
    "era_boundary": (1, ntp(rec=0xFFFFFFFF_FFFF0000, xmt=0x00000000_00010000)),
    "kod_deny": (1, ntp(li=3, stratum=0, refid=b"DENY")),
    "kod_rate": (1, ntp(li=3, stratum=0, refid=b"RATE")),
    "unsync": (1, ntp(li=3)),
    "stratum_16": (1, ntp(stratum=16)),
    "zero_xmt": (1, ntp(xmt=0)),
    "mode_3": (1, ntp(mode=3)),
    "bogus_origin": (0, ntp()),
    "short": (1, ntp()[:47]),
}
os.makedirs(os.path.join(D, "fuzz_ntp"), exist_ok=True)
for name, (fl, m) in seeds.items():
    with open(os.path.join(D, "fuzz_ntp", name), "wb") as f:
        f.write(bytes([fl]) + m)
print("wrote %d dns and %d ntp seeds" % (len(dns), len(seeds)), file=sys.stderr)
