# SPDX-License-Identifier: BSD-3-Clause
"""DNS stub resolver (RFC 1035, RFC 1034 3.6.2, RFC 2181, RFC 5452, RFC 7766,
RFC 9267): rows N1-N9. The test is the DNS server: scapy dissects the stack's
queries and builds the answers; malformed answers are written byte by byte."""
import struct

import pytest
from scapy.layers.dns import DNS, DNSQR, DNSRR
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Raw

import seqs
from harness import US, US_MAC, PEER, PEER_MAC, OTHER, OTHER_MAC, expect_none

SERVER, SERVER2 = PEER, OTHER
MACS = {PEER: PEER_MAC, OTHER: OTHER_MAC}
c = seqs.seqs_c


@pytest.fixture
def dwire(ipwire):
    ipwire.answer_arp(OTHER, OTHER_MAC)
    return ipwire


def resolver(w, servers=(SERVER,), **kw):
    return seqs.Resolver(w.stack, servers=list(servers), **kw)


def queries(frames, server=None):
    return [f for f in frames if UDP in f and f[UDP].dport == 53 and (server is None or f[IP].dst == server)]


def from_server(q, payload, src=None, sport=53, dport=None):
    """A UDP answer to query frame q carrying payload (scapy DNS or raw bytes)."""
    src = src or q[IP].dst
    return (Ether(src=MACS.get(src, PEER_MAC), dst=US_MAC) / IP(src=src, dst=US) /
            UDP(sport=sport, dport=dport or q[UDP].sport) / (payload if not isinstance(payload, bytes) else Raw(payload)))


def answer(q, an=None, rcode=0, tc=0, ttl=300, addrs=("192.0.2.50",), **kw):
    """A scapy DNS answer for query frame q (A records for the question name by default)."""
    d = q[DNS]
    if an is None and rcode == 0 and not tc:
        an = None
        for a in addrs:
            rr = DNSRR(rrname=d.qd.qname, type="A", ttl=ttl, rdata=a)
            an = rr if an is None else an / rr
    return DNS(id=d.id, qr=1, aa=1, rd=1, ra=1, rcode=rcode, tc=tc, qd=d.qd, an=an, **kw)


def server(**kw):
    """answer callback for Resolver.resolve: every query gets answer(q, **kw)."""
    return lambda f: [from_server(f, answer(f, **kw))] if queries([f]) else []


# -- raw messages (scapy does not compress names) -------------------------------------
def wname(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"


def hdr(id, flags=0x8180, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!6H", id, flags, qd, an, ns, ar)


def rr(owner, type_, rdata, ttl=300, cls=1, rdlength=None):
    return owner + struct.pack("!HHIH", type_, cls, ttl, len(rdata) if rdlength is None else rdlength) + rdata


def ptr(off):
    return struct.pack("!H", 0xC000 | off)


def question(q):
    return wname(q[DNSQR].qname.decode().rstrip(".")) + b"\x00\x01\x00\x01"


def raw_answer(q, records, an=None, flags=0x8180):
    """Header + our question (at offset 12) + records (bytes); an = ANCOUNT (default: len(records))."""
    records = list(records)
    return hdr(q[DNS].id, flags, 1, len(records) if an is None else an) + question(q) + b"".join(records)


A = 1
CNAME = 5
IP50 = bytes([192, 0, 2, 50])


# --- N1 ------------------------------------------------------------------------------
@pytest.mark.conformance("N1")
def test_query_has_rd_one_question_and_is_a_standard_query(dwire):
    """RFC 1035 4.1.1: QR=0, OPCODE=0, RD=1 (a stub asks for recursion), QDCOUNT=1 of
    type A class IN for the name asked, nothing in the other sections; sent to port 53."""
    r = resolver(dwire)
    r.start("www.example.test")
    (q,) = queries(dwire.drain())
    d = q[DNS]
    assert (d.qr, d.opcode, d.rd, d.tc, d.qdcount, d.ancount, d.nscount, d.arcount) == (0, 0, 1, 0, 1, 0, 0, 0)
    assert d.qd.qname == b"www.example.test." and d.qd.qtype == 1 and d.qd.qclass == 1
    assert q[IP].dst == SERVER and q[UDP].dport == 53


@pytest.mark.conformance("N1")
def test_each_lookup_has_its_own_random_id_and_source_port(dwire):
    """RFC 5452 9.1-9.2: IDs and source ports are unpredictable: 6 concurrent lookups use 6
    distinct IDs and 6 distinct ephemeral ports, and another seed gives other values."""
    def ids_ports(w):
        r = resolver(w)
        lks = [r.start("h%d.example.test" % i) for i in range(6)]
        qs = queries(w.drain())
        assert len(qs) == 6
        return [q[DNS].id for q in qs], [q[UDP].sport for q in qs], r, lks
    ids, ports, _r, _l = ids_ports(dwire)
    assert len(set(ids)) == 6 and len(set(ports)) == 6
    assert all(49152 <= p <= 65535 for p in ports) or all(1024 <= p for p in ports)
    from harness import SimWire
    w2 = SimWire(seed=99)
    w2.configure()
    w2.resolve_peer()
    ids2, ports2, _r2, _l2 = ids_ports(w2)
    assert ids2 != ids and ports2 != ports


# --- N2 ------------------------------------------------------------------------------
@pytest.mark.conformance("N2")
@pytest.mark.parametrize("case,counter", [
    ("other_address", "drop_source"),
    ("other_port", "drop_source"),
    ("other_id", "drop_id"),
    ("other_name", "drop_question"),
    ("other_type", "drop_question"),
    ("qr_zero", "drop_not_response"),
    ("two_questions", "drop_question"),
])
def test_non_matching_response_is_ignored_then_the_real_one_accepted(dwire, case, counter):
    """RFC 5452 3 / RFC 1035 7.3: a response is taken only from the queried server's
    address and port 53, with our ID and our question; anything else is ignored (not an
    error: the lookup keeps waiting) and the real answer that follows is accepted."""
    r = resolver(dwire)

    def srv(f):
        if not queries([f]):
            return []
        d = f[DNS]
        good = from_server(f, answer(f, addrs=("192.0.2.50",)))
        if case == "other_address":
            bad = from_server(f, answer(f, addrs=("203.0.113.66",)), src=OTHER)
        elif case == "other_port":
            bad = from_server(f, answer(f, addrs=("203.0.113.66",)), sport=5353)
        elif case == "other_id":
            bad = from_server(f, DNS(id=(d.id + 1) & 0xFFFF, qr=1, rd=1, ra=1, qd=d.qd,
                                     an=DNSRR(rrname=d.qd.qname, rdata="203.0.113.66")))
        elif case == "other_name":
            bad = from_server(f, DNS(id=d.id, qr=1, rd=1, ra=1, qd=DNSQR(qname="evil.test"),
                                     an=DNSRR(rrname="evil.test", rdata="203.0.113.66")))
        elif case == "other_type":
            bad = from_server(f, DNS(id=d.id, qr=1, rd=1, ra=1, qd=DNSQR(qname=d.qd.qname, qtype="MX"),
                                     an=DNSRR(rrname=d.qd.qname, rdata="203.0.113.66")))
        elif case == "qr_zero":
            bad = from_server(f, DNS(id=d.id, qr=0, rd=1, qd=d.qd, an=DNSRR(rrname=d.qd.qname, rdata="203.0.113.66")))
        else:
            bad = from_server(f, DNS(id=d.id, qr=1, rd=1, ra=1, qd=d.qd / DNSQR(qname="x.test"),
                                     an=DNSRR(rrname=d.qd.qname, rdata="203.0.113.66")))
        return [bad, good]
    res = r.resolve("www.example.test", dwire, srv)
    assert res.status == "ok" and res.addrs == ["192.0.2.50"]
    st = r.stats
    assert st[counter] == 1 and st["responses"] == 1, st


@pytest.mark.conformance("N2")
def test_question_name_compares_case_insensitively(dwire):
    """RFC 1035 2.3.3 / RFC 5452 3: the question echoed in another case still matches."""
    r = resolver(dwire)

    def srv(f):
        if not queries([f]):
            return []
        d = f[DNS]
        return [from_server(f, DNS(id=d.id, qr=1, rd=1, ra=1, qd=DNSQR(qname="WWW.EXAMPLE.Test"),
                                   an=DNSRR(rrname="www.EXAMPLE.test", rdata="192.0.2.50")))]
    res = r.resolve("www.example.test", dwire, srv)
    assert res.status == "ok" and res.addrs == ["192.0.2.50"]


@pytest.mark.conformance("N2")
def test_late_answer_after_completion_is_not_delivered(dwire):
    """A second answer for a finished lookup finds no socket (the query's port is
    closed): it cannot change the result."""
    r = resolver(dwire)
    lk = r.start("www.example.test")
    (q,) = queries(dwire.drain())
    dwire.send(from_server(q, answer(q)))
    assert lk.done and lk.result().addrs == ["192.0.2.50"]
    before = dwire.counters()
    dwire.send(from_server(q, answer(q, addrs=("203.0.113.66",))))
    assert lk.result().addrs == ["192.0.2.50"]
    assert r.stats["responses"] == 1
    assert dwire.delta(before).get("udp_drop_no_socket") == 1


# --- N3 ------------------------------------------------------------------------------
@pytest.mark.conformance("N3")
def test_answer_owner_compressed_to_the_question(dwire):
    """RFC 1035 4.1.4: an owner name that is a pointer to the question name (0xC00C)."""
    r = resolver(dwire)
    res = r.resolve("www.example.test", dwire,
                    lambda f: [from_server(f, raw_answer(f, [rr(ptr(12), A, IP50, ttl=60)]))] if queries([f]) else [])
    assert (res.status, res.addrs, res.ttl) == ("ok", ["192.0.2.50"], 60)


@pytest.mark.conformance("N3")
def test_pointer_to_a_name_that_ends_in_a_pointer(dwire):
    """RFC 1035 4.1.4: www.example.test CNAME cdn.<ptr example.test>; the A record's
    owner points at that CNAME target, i.e. at a name that itself ends in a pointer; and a
    second chain link whose owner points straight at a pointer."""
    r = resolver(dwire)

    sent = []

    def srv(f):
        if not queries([f]):
            return []
        qlen = len(question(f))
        cname_rdata = b"\x03cdn" + ptr(16)                  # "cdn" + pointer to "example.test" (offset 16)
        rr1 = rr(ptr(12), CNAME, cname_rdata)
        rdata_off = 12 + qlen + len(rr1) - len(cname_rdata)
        rr2 = rr(ptr(rdata_off), A, IP50, ttl=120)          # owner -> "cdn" + pointer -> "example.test"
        sent.append(raw_answer(f, [rr1, rr2]))
        return [from_server(f, sent[-1])]
    res = r.resolve("www.example.test", dwire, srv)
    assert (res.status, res.addrs, res.ttl) == ("ok", ["192.0.2.50"], 120)
    # the oracle (scapy's decompressor) reads the same names from that message
    msg = DNS(sent[-1])
    assert msg.an[0].rdata == b"cdn.example.test." and msg.an[1].rrname == b"cdn.example.test."


@pytest.mark.conformance("N3")
def test_owner_that_is_a_pointer_to_a_pointer(dwire):
    """RFC 1035 4.1.4: www.example.test CNAME <ptr example.test>; the A owner points at
    that RDATA, which is only a pointer (pointer -> pointer -> labels)."""
    r = resolver(dwire)

    def srv(f):
        if not queries([f]):
            return []
        rr1 = rr(ptr(12), CNAME, ptr(16))
        rdata_off = 12 + len(question(f)) + len(rr1) - 2
        return [from_server(f, raw_answer(f, [rr1, rr(ptr(rdata_off), A, bytes([192, 0, 2, 51]))]))]
    res = r.resolve("www.example.test", dwire, srv)
    assert res.status == "ok" and res.addrs == ["192.0.2.51"]


# --- N4 / N5: malformed answers, each followed by a good one ----------------------------
def _bad_then_good(w, make_bad, name="www.example.test"):
    r = resolver(w)

    def srv(f):
        if not queries([f]):
            return []
        return [from_server(f, make_bad(f)), from_server(f, raw_answer(f, [rr(ptr(12), A, IP50)]))]
    res = r.resolve(name, w, srv)
    assert res.status == "ok" and res.addrs == ["192.0.2.50"], res
    st = r.stats
    assert st["drop_malformed"] == 1 and st["responses"] == 1, st
    return st["last_wire_error"]


def _answers_at(f):
    return 12 + len(question(f))


@pytest.mark.conformance("N4")
@pytest.mark.parametrize("case,err", [
    ("self_loop", "POINTER"),
    ("two_pointer_loop", "POINTER"),
    ("label_then_pointer_back_to_it", "POINTER"),
    ("forward_pointer", "POINTER"),
    ("past_end", "POINTER"),
    ("into_header", "POINTER"),
    ("no_terminator", "TRUNCATED"),
    ("half_pointer_at_end", "TRUNCATED"),
    ("question_loop", "POINTER"),
])
def test_malformed_pointer_is_rejected_without_hanging(dwire, case, err):
    """RFC 9267 2 and 4: a pointer to itself, two pointers pointing at each other, a
    label followed by a pointer back to it, a forward pointer, a pointer past the end or into the header, a name running off the
    end of the message: each message is dropped (counted, no hang, no out-of-bounds read)
    and the good answer after it is taken."""
    def bad(f):
        base = _answers_at(f)
        if case == "self_loop":
            return raw_answer(f, [rr(ptr(base), A, IP50)])
        if case == "two_pointer_loop":
            # answer 1 (unknown type 99) carries in its RDATA a pointer to answer 2's owner,
            # and answer 2's owner points back at that RDATA.
            rr1_len = 2 + 10 + 2
            a_off, b_off = base + 12, base + rr1_len
            return raw_answer(f, [rr(ptr(12), 99, ptr(b_off)), rr(ptr(a_off), A, IP50)])
        if case == "label_then_pointer_back_to_it":
            # "a" then a pointer to that same label: a backward pointer that still loops
            return raw_answer(f, [rr(b"\x01a" + ptr(base), A, IP50)])
        if case == "forward_pointer":
            return raw_answer(f, [rr(ptr(base + 20), A, IP50), rr(ptr(12), A, IP50)])
        if case == "past_end":
            return raw_answer(f, [rr(ptr(0x3FF0), A, IP50)])
        if case == "into_header":
            return raw_answer(f, [rr(ptr(2), A, IP50)])
        if case == "no_terminator":
            return raw_answer(f, [b"\x03www\x07example"], an=1)
        if case == "half_pointer_at_end":
            return raw_answer(f, [b"\xc0"], an=1)
        # the question's own name is a pointer to itself
        d = f[DNS]
        return hdr(d.id, 0x8180, 1, 0) + ptr(12) + b"\x00\x01\x00\x01"
    code = _bad_then_good(dwire, bad)
    assert code == getattr(c, "DNS_WIRE_" + err), code


@pytest.mark.conformance("N5")
@pytest.mark.parametrize("case,err", [
    ("label_64", "LABEL"),
    ("name_over_255", "NAMELEN"),
    ("name_over_255_through_pointer", "NAMELEN"),
    ("a_rdlength_5", "RDLENGTH"),
    ("a_rdlength_3", "RDLENGTH"),
    ("rdlength_past_end", "TRUNCATED"),
    ("cname_rdlength_short", "RDLENGTH"),
    ("ancount_too_large", "COUNT"),
])
def test_bad_lengths_and_counts_are_rejected(dwire, case, err):
    """RFC 1035 2.3.4 / 3.4.1, RFC 9267 3, 5, 6: a label over 63 bytes (its length byte
    has the reserved 0x40 bit), a name over 255 bytes (directly or through a pointer),
    an A RDLENGTH other than 4, an RDLENGTH running past the end, a CNAME whose name does
    not fill its RDLENGTH, an ANCOUNT promising more records than present: dropped."""
    def bad(f):
        if case == "label_64":
            return raw_answer(f, [rr(b"\x40" + b"a" * 64 + b"\0", A, IP50)])
        if case == "name_over_255":
            return raw_answer(f, [rr((b"\x3f" + b"a" * 63) * 4 + b"\0", A, IP50)])   # 257 bytes
        if case == "name_over_255_through_pointer":
            long1 = (b"\x3f" + b"b" * 63) * 3 + b"\0"                            # 193 bytes, valid
            rr1 = rr(long1, 99, b"")
            rr1_off = _answers_at(f)
            return raw_answer(f, [rr1, rr((b"\x3f" + b"c" * 63) + ptr(rr1_off), A, IP50)])  # 64 + 193 = 257
        if case == "a_rdlength_5":
            return raw_answer(f, [rr(ptr(12), A, IP50 + b"\x01")])
        if case == "a_rdlength_3":
            return raw_answer(f, [rr(ptr(12), A, IP50[:3])])
        if case == "rdlength_past_end":
            return raw_answer(f, [rr(ptr(12), 16, b"abcd", rdlength=200)])
        if case == "cname_rdlength_short":
            return raw_answer(f, [rr(ptr(12), CNAME, wname("x.test") + b"\0\0")])
        return raw_answer(f, [rr(ptr(12), A, IP50)], an=3)
    code = _bad_then_good(dwire, bad)
    assert code == getattr(c, "DNS_WIRE_" + err), code


# --- N6 ------------------------------------------------------------------------------
class TcpDnsServer:
    """A minimal TCP DNS server on port 53 for the stack's TC=1 retry."""

    def __init__(self, udp_reply, tcp_payload):
        self.udp_reply, self.tcp_payload = udp_reply, tcp_payload
        self.iss, self.buf, self.syn, self.conn = 50000, b"", None, None
        self.out, self.sent, self.windows = None, 0, []
        self.segments = []

    def __call__(self, f):
        if queries([f]):
            return [from_server(f, self.udp_reply(f))]
        if TCP not in f or f[TCP].dport != 53:
            return []
        t = f[TCP]
        self.segments.append(f)
        mk = lambda flags, seq, ack, data=b"": (Ether(src=PEER_MAC, dst=US_MAC) / IP(src=SERVER, dst=US) /
                                                TCP(sport=53, dport=t.sport, flags=flags, seq=seq, ack=ack,
                                                    window=8192) / Raw(data))
        if t.flags.S:
            self.syn = f
            return [mk("SA", self.iss, t.seq + 1)]
        data = bytes(t.payload)
        self.buf += data
        self.rcv_nxt = t.seq + len(data)
        if self.out is None and len(self.buf) >= 2 and len(self.buf) >= 2 + struct.unpack("!H", self.buf[:2])[0]:
            msg = DNS(self.buf[2:])
            self.query = msg
            resp = self.tcp_payload(msg)
            self.out = struct.pack("!H", len(resp)) + resp
        if self.out is None:
            return [mk("A", self.iss + 1, self.rcv_nxt)] if data else []
        # send what the advertised window allows; the rest after the next ACK
        acked = t.ack - (self.iss + 1) if t.flags.A else 0
        if acked < self.sent:
            return [mk("A", self.iss + 1, self.rcv_nxt)] if data else []
        chunk = self.out[self.sent:self.sent + t.window]
        if not chunk:
            return []
        seq = self.iss + 1 + self.sent
        self.sent += len(chunk)
        self.windows.append(t.window)
        return [mk("PA", seq, self.rcv_nxt, chunk)]


@pytest.mark.conformance("N6")
def test_truncated_answer_is_retried_over_tcp_with_length_prefix(dwire):
    """RFC 1035 4.2.2 / RFC 7766 5-8: TC=1 over UDP -> the same question over TCP to the
    same server, preceded by a two-byte length; the TCP answer (more addresses than fit
    the truncated one) is the result."""
    r = resolver(dwire)
    addrs = ["192.0.2.%d" % i for i in range(60, 80)]     # 20 uncompressed records: > 512 bytes

    def tcp_answer(m):
        an = None
        for a in addrs:
            x = DNSRR(rrname=m.qd.qname, type="A", ttl=90, rdata=a)
            an = x if an is None else an / x
        return bytes(DNS(id=m.id, qr=1, aa=1, rd=1, ra=1, qd=m.qd, an=an))
    srv = TcpDnsServer(lambda f: answer(f, tc=1), tcp_answer)
    res = r.resolve("big.example.test", dwire, srv)
    assert len(srv.out) > 2 + 512 and len(srv.windows) > 1     # larger than UDP allows, sent in several windows
    assert (res.status, res.addrs, res.ttl) == ("ok", addrs[:seqs.seqs_c.DNS_MAX_ADDRS], 90)
    assert srv.syn is not None and srv.syn[IP].dst == SERVER
    assert srv.query.qd.qname == b"big.example.test." and srv.query.rd == 1 and srv.query.qr == 0
    assert r.stats["tcp_fallbacks"] == 1


@pytest.mark.conformance("N6")
def test_tcp_answer_is_matched_like_udp(dwire):
    """RFC 7766 7: over TCP the ID and question must match too; a wrong ID on the
    connection fails that server (and the lookup, with a single server)."""
    r = resolver(dwire)
    srv = TcpDnsServer(lambda f: answer(f, tc=1),
                       lambda m: bytes(DNS(id=(m.id + 1) & 0xFFFF, qr=1, rd=1, ra=1, qd=m.qd,
                                           an=DNSRR(rrname=m.qd.qname, rdata="203.0.113.66"))))
    res = r.resolve("big.example.test", dwire, srv)
    assert res.status == "error" and res.addrs == []
    assert r.stats["drop_id"] == 1


# --- N7 ------------------------------------------------------------------------------
@pytest.mark.conformance("N7")
@pytest.mark.parametrize("order", ["chain_order", "reversed"])
def test_cname_chain_is_followed_and_unrelated_records_ignored(dwire, order):
    """RFC 1034 3.6.2: a -> b -> c CNAMEs, then c's A records; an A record for an
    unrelated name (and one for an intermediate alias, not the canonical name) is ignored.
    The records may come in any order. TTL = the smallest along the chain (RFC 2181 8)."""
    r = resolver(dwire)

    def srv(f):
        if not queries([f]):
            return []
        recs = [DNSRR(rrname="a.example.test", type="CNAME", ttl=300, rdata="b.example.test"),
                DNSRR(rrname="b.example.test", type="CNAME", ttl=100, rdata="c.example.test"),
                DNSRR(rrname="unrelated.test", type="A", ttl=300, rdata="203.0.113.1"),
                DNSRR(rrname="c.example.test", type="A", ttl=200, rdata="192.0.2.70"),
                DNSRR(rrname="c.example.test", type="A", ttl=250, rdata="192.0.2.71")]
        if order == "reversed":
            recs.reverse()
        an = recs[0]
        for x in recs[1:]:
            an = an / x
        return [from_server(f, answer(f, an=an, ar=DNSRR(rrname="b.example.test", type="A", rdata="203.0.113.2")))]
    res = r.resolve("a.example.test", dwire, srv)
    assert (res.status, sorted(res.addrs), res.ttl) == ("ok", ["192.0.2.70", "192.0.2.71"], 100)


@pytest.mark.conformance("N7")
def test_cname_without_address_is_nodata(dwire):
    """A CNAME whose target has no A record in the answer: no address (NODATA), not a crash."""
    r = resolver(dwire)
    res = r.resolve("a.example.test", dwire,
                    server(an=DNSRR(rrname="a.example.test", type="CNAME", rdata="gone.example.test")))
    assert res.status == "nodata" and res.addrs == []


# --- N8 ------------------------------------------------------------------------------
@pytest.mark.conformance("N8")
def test_nxdomain_is_a_negative_answer_without_trying_other_servers(dwire):
    """RFC 1035 4.1.1 RCODE 3: the name does not exist; that is final."""
    r = resolver(dwire, servers=(SERVER, SERVER2))
    seen = []

    def srv(f):
        if queries([f]):
            seen.append(f[IP].dst)
            return [from_server(f, answer(f, rcode=3))]
        return []
    res = r.resolve("nope.example.test", dwire, srv)
    assert res.status == "nxdomain" and res.addrs == []
    assert seen == [SERVER]


@pytest.mark.conformance("N8")
@pytest.mark.parametrize("rcode,name", [(2, "servfail"), (5, "refused")])
def test_servfail_or_refused_moves_to_the_next_server(dwire, rcode, name):
    """RFC 1035 7.2: a server failure or refusal -> ask the next server (new ID); with
    every server failing the last one's answer is reported."""
    r = resolver(dwire, servers=(SERVER, SERVER2))
    seen = []

    def srv(f):
        if not queries([f]):
            return []
        seen.append((f[IP].dst, f[DNS].id))
        if f[IP].dst == SERVER:
            return [from_server(f, answer(f, rcode=rcode))]
        return [from_server(f, answer(f, addrs=("192.0.2.80",)))]
    res = r.resolve("www.example.test", dwire, srv)
    assert res.status == "ok" and res.addrs == ["192.0.2.80"]
    assert [s for s, _ in seen] == [SERVER, SERVER2] and seen[0][1] != seen[1][1]
    r2 = resolver(dwire, servers=(SERVER, SERVER2))
    res2 = r2.resolve("www2.example.test", dwire, server(rcode=rcode))
    assert res2.status == name


@pytest.mark.conformance("N8")
def test_timeout_retransmits_with_backoff_then_next_server_then_gives_up(dwire):
    """RFC 1035 7.2 / RFC 1536: unanswered queries are repeated with a doubling time-out
    (1 s, 2 s, 4 s by default, 3 tries), then the next server gets the same treatment;
    when every server stayed silent the lookup reports a time-out. The retries are driven
    only by seqs_stack_next_deadline()."""
    r = resolver(dwire, servers=(SERVER, SERVER2))
    t0 = dwire.now_us
    sent = []

    def silent(f):
        if queries([f]):
            sent.append((dwire.now_us - t0, f[IP].dst, f[DNS].id, f[UDP].sport))
        return []
    res = r.resolve("www.example.test", dwire, silent)
    assert res.status == "timeout"
    times = [t for t, _, _, _ in sent]
    assert [s for _, s, _, _ in sent] == [SERVER] * 3 + [SERVER2] * 3
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert gaps == [1_000_000, 2_000_000, 4_000_000, 1_000_000, 2_000_000], gaps
    assert dwire.now_us - t0 == 14_000_000
    st = r.stats
    assert (st["queries_tx"], st["retransmits"], st["server_switches"]) == (6, 4, 1)


@pytest.mark.conformance("N8")
def test_icmp_port_unreachable_moves_to_the_next_server_at_once(dwire):
    """RFC 1122 4.1.3.3: an ICMP port unreachable quoting our query to server 1 means no
    answer will come: server 2 is asked at once (no time-outs); an unreachable naming
    another destination is ignored."""
    from scapy.layers.inet import ICMP
    r = resolver(dwire, servers=(SERVER, SERVER2))
    seen = []

    def srv(f):
        if not queries([f]):
            return []
        seen.append((dwire.now_us, f[IP].dst))
        if f[IP].dst == SERVER:
            quoted = bytes(f[IP])[:28]
            other = bytearray(quoted)
            other[16:20] = bytes([203, 0, 113, 9])          # a destination we did not query
            mk = lambda q: Ether(src=PEER_MAC, dst=US_MAC) / IP(src=SERVER, dst=US) / ICMP(type=3, code=3) / Raw(q)
            return [mk(bytes(other)), mk(quoted)]
        return [from_server(f, answer(f, addrs=("192.0.2.81",)))]
    res = r.resolve("www.example.test", dwire, srv)
    assert res.status == "ok" and res.addrs == ["192.0.2.81"]
    assert [d for _, d in seen] == [SERVER, SERVER2] and seen[0][0] == seen[1][0]
    assert r.stats["icmp_unreachable"] == 1 and r.stats["retransmits"] == 0


@pytest.mark.conformance("N8")
def test_answer_to_a_retransmission_is_accepted(dwire):
    """A lost first query: the answer to the retransmitted one (same ID and port) is taken."""
    r = resolver(dwire)
    n = [0]

    def srv(f):
        if not queries([f]):
            return []
        n[0] += 1
        return [] if n[0] == 1 else [from_server(f, answer(f))]
    res = r.resolve("www.example.test", dwire, srv)
    assert res.status == "ok" and n[0] == 2 and r.stats["retransmits"] == 1


# --- N9 ------------------------------------------------------------------------------
@pytest.mark.conformance("N9")
def test_cache_answers_within_ttl_and_expires_after(dwire):
    """RFC 1035 3.2.1: an answer is reused for its TTL without a query (remaining TTL
    reported), and asked again once it has expired."""
    r = resolver(dwire)
    res = r.resolve("www.example.test", dwire, server(ttl=60))
    assert (res.status, res.ttl, res.from_cache) == ("ok", 60, False)
    dwire.advance(s=30)
    asked = []
    srv = server(ttl=60, addrs=("192.0.2.99",))
    res2 = r.resolve("www.example.test", dwire, lambda f: (asked.append(f) if queries([f]) else None) or srv(f))
    assert (res2.status, res2.addrs, res2.from_cache) == ("ok", ["192.0.2.50"], True)
    assert 29 <= res2.ttl <= 30 and not asked
    dwire.advance(s=31)
    res3 = r.resolve("www.example.test", dwire, lambda f: (asked.append(f) if queries([f]) else None) or srv(f))
    assert (res3.addrs, res3.from_cache) == (["192.0.2.99"], False) and len(asked) == 1
    assert r.stats["cache_hits"] == 1


@pytest.mark.conformance("N9")
def test_ttl_with_msb_set_counts_as_zero_and_is_not_cached(dwire):
    """RFC 2181 8: a TTL with the most significant bit set is treated as zero: the answer
    is used once, reported with TTL 0, and the next lookup asks again."""
    r = resolver(dwire)
    n = [0]

    def srv(f):
        if not queries([f]):
            return []
        n[0] += 1
        return [from_server(f, raw_answer(f, [rr(ptr(12), A, IP50, ttl=0x80000010)]))]
    res = r.resolve("www.example.test", dwire, srv)
    assert (res.status, res.ttl) == ("ok", 0)
    res2 = r.resolve("www.example.test", dwire, srv)
    assert res2.from_cache is False and n[0] == 2


@pytest.mark.conformance("N9")
def test_cache_lookup_ignores_case(dwire):
    """RFC 1035 2.3.3 / RFC 4343: WWW.Example.TEST is the cached www.example.test."""
    r = resolver(dwire)
    r.resolve("www.example.test", dwire, server(ttl=300))
    res = r.resolve("WWW.Example.TEST", dwire, lambda f: pytest.fail("queried despite a cached answer"))
    assert res.from_cache and res.addrs == ["192.0.2.50"]


# --- API misuse (not a row): clear errors ---------------------------------------------------
def test_api_misuse_raises_with_a_message(dwire):
    r = seqs.Resolver(dwire.stack)
    with pytest.raises(seqs.StateError, match="no servers"):
        r.start("www.example.test")
    with pytest.raises(seqs.LimitError, match="SEQS_DNS_MAX_SERVERS"):
        r.servers = ["192.0.2.%d" % i for i in range(1, 10)]
    with pytest.raises(seqs.InvalidArgument, match="broadcast"):
        r.servers = ["255.255.255.255"]
    r.servers = [SERVER]
    with pytest.raises(seqs.InvalidArgument, match="empty label"):
        r.start("a..test")
    with pytest.raises(seqs.InvalidArgument, match="limit is 63"):
        r.start("x" * 64 + ".test")
    with pytest.raises(seqs.InvalidArgument, match="limit is 255"):
        r.start(".".join(["a" * 60] * 5))
    with pytest.raises(seqs.InvalidArgument, match="timeout_ms"):
        r.set_timing(10, 3)
    with pytest.raises(TypeError):
        r.start(b"www.example.test")
