# SPDX-License-Identifier: BSD-3-Clause
"""SNTP client (RFC 4330; RFC 5905 7.3, 7.4, 8): rows P1-P7. The test is the NTP
server: scapy dissects the stack's requests; replies are packed field by field so
every timestamp is exact to the bit (the expected values are computed here in
Python integers, independently of the C conversion)."""
import struct

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from scapy.layers.ntp import NTP
from scapy.packet import Raw

import seqs
from harness import US, US_MAC, PEER, PEER_MAC, OTHER, OTHER_MAC

SERVER = PEER
UNIX_TO_NTP = 2208988800
ERA = 1 << 32
OFF = 1_700_000_000_123_456   # the server's Unix time (µs) minus the stack's clock, unless a test says otherwise


def ntp_ts(unix_us):
    """64-bit NTP timestamp (era folded) of a Unix time in µs, rounded to the nearest fraction."""
    s, rem = divmod(unix_us, 1_000_000)
    frac = ((rem << 32) + 500_000) // 1_000_000
    return struct.pack("!II", (s + UNIX_TO_NTP) % ERA, frac)


def requests(frames):
    return [f for f in frames if UDP in f and f[UDP].dport == 123]


def xmt_of(req):
    return bytes(req[UDP].payload)[40:48]


def reply(req, t2, t3, li=0, vn=4, mode=4, stratum=2, refid=b"GPS\0", org=None, src=SERVER, sport=123,
          xmt=None):
    """An NTP reply to request frame req with receive time t2 and transmit time t3 (Unix µs)."""
    pkt = (struct.pack("!BBbb", (li << 6) | (vn << 3) | mode, stratum, 6, -20) + struct.pack("!II", 0, 0) + refid +
           ntp_ts(t2 - 1_000_000) + (xmt_of(req) if org is None else org) + ntp_ts(t2) +
           (ntp_ts(t3) if xmt is None else xmt))
    mac = OTHER_MAC if src == OTHER else PEER_MAC
    return Ether(src=mac, dst=US_MAC) / IP(src=src, dst=US) / UDP(sport=sport, dport=req[UDP].sport) / Raw(pkt)


def client(w, **kw):
    kw.setdefault("poll_s", 15)
    return seqs.SntpClient(w.stack, server=kw.pop("server", SERVER), **kw)


def next_request(w, c, limit_s=3600):
    """Advance to the client's next request and return it (with w.now_us = its send time)."""
    end = w.now_us + limit_s * 1_000_000
    while w.now_us < end:
        nd = w.stack.next_deadline()
        assert nd is not None, "no deadline: the client does not poll"
        got = requests(w.advance_to(min(max(nd, w.now_us), end)))
        if got:
            assert len(got) == 1
            return got[0]
    raise AssertionError("no request within %d s" % limit_s)


def exchange(w, c, up_us=1000, proc_us=50, down_us=1000, off=OFF, **kw):
    """One request/reply with the given one-way delays; returns (request, t1, t4)."""
    req = next_request(w, c)
    t1 = w.now_us
    w.advance(us=up_us)
    t2 = w.now_us + off
    w.advance(us=proc_us)
    t3 = w.now_us + off
    w.advance(us=down_us)
    w.send(reply(req, t2, t3, **kw))
    return req, t1, w.now_us


@pytest.fixture
def nwire(ipwire):
    ipwire.answer_arp(OTHER, OTHER_MAC)
    return ipwire


# --- P1 ------------------------------------------------------------------------------
@pytest.mark.conformance("P1")
def test_request_is_version_4_client_mode_with_random_transmit_timestamp(nwire):
    """RFC 4330 5 / RFC 5905 7.3: LI 0, VN 4, mode 3, to port 123, a non-zero transmit
    timestamp that is random (it reveals nothing of our clock): two requests, and two
    seeds, give unrelated values."""
    c = client(nwire)
    r1 = next_request(nwire, c)
    n = NTP(bytes(r1[UDP].payload))
    assert (n.leap, n.version, n.mode) == (0, 4, 3)
    assert r1[IP].dst == SERVER and r1[UDP].dport == 123 and r1[UDP].sport >= 1024
    assert len(r1[UDP].payload) == 48
    x1 = xmt_of(r1)
    assert x1 != bytes(8)
    r2 = next_request(nwire, c)
    assert xmt_of(r2) not in (bytes(8), x1)
    from harness import SimWire
    w2 = SimWire(seed=4242)
    w2.configure()
    w2.resolve_peer()
    c2 = client(w2)
    assert xmt_of(next_request(w2, c2)) not in (x1, xmt_of(r2))


# --- P2 ------------------------------------------------------------------------------
@pytest.mark.conformance("P2")
@pytest.mark.parametrize("case,counter", [
    ("mode_3", "drop_mode"),
    ("mode_5_broadcast", "drop_mode"),
    ("other_server", "drop_source"),
    ("other_port", "drop_source"),
    ("wrong_origin", "drop_bogus"),
    ("zero_origin", "drop_bogus"),
    ("short", "drop_malformed"),
])
def test_bogus_reply_is_dropped_then_the_real_one_taken(nwire, case, counter):
    """RFC 4330 5 / RFC 5905 8: only a mode-4 reply from the queried server's port 123
    whose origin timestamp equals our transmit timestamp is used; anything else is
    dropped as bogus (counted) and takes no time."""
    c = client(nwire)
    req = next_request(nwire, c)
    t = nwire.now_us + 1000 + OFF
    bad = {
        "mode_3": lambda: reply(req, t, t, mode=3),
        "mode_5_broadcast": lambda: reply(req, t, t, mode=5),
        "other_server": lambda: reply(req, t, t, src=OTHER),
        "other_port": lambda: reply(req, t, t, sport=124),
        "wrong_origin": lambda: reply(req, t, t, org=bytes(a ^ 1 for a in xmt_of(req))),
        "zero_origin": lambda: reply(req, t, t, org=bytes(8)),
        "short": lambda: (Ether(src=PEER_MAC, dst=US_MAC) / IP(src=SERVER, dst=US) /    # 47 bytes of NTP
                          UDP(sport=123, dport=req[UDP].sport) / Raw(bytes(reply(req, t, t)[UDP].payload)[:47])),
    }[case]()
    nwire.send(bad)
    assert not c.synced and c.offset_us is None
    assert c.stats[counter] == 1, c.stats
    nwire.advance(us=1000)
    nwire.send(reply(req, t, t))
    assert c.synced and c.status == "synced"
    nwire.send(reply(req, t, t))          # a duplicate of the accepted reply: no request outstanding
    assert c.stats["replies"] == 1 and c.stats["drop_bogus"] == (1 if counter != "drop_bogus" else 2)


# --- P3 ------------------------------------------------------------------------------
@pytest.mark.conformance("P3")
@pytest.mark.parametrize("code,status", [(b"DENY", "kod-deny"), (b"RSTR", "kod-rstr")])
def test_kod_deny_or_rstr_stops_using_the_server(nwire, code, status):
    """RFC 5905 7.4 / RFC 4330 8: stratum 0 with kiss code DENY or RSTR: stop sending to
    that server (an hour later, nothing was sent) and take no time from the KoD."""
    c = client(nwire)
    req = next_request(nwire, c)
    t = nwire.now_us + OFF
    nwire.send(reply(req, t, t, li=3, stratum=0, refid=code))
    assert c.status == status and not c.synced and c.offset_us is None
    assert requests(nwire.advance(s=3600)) == []
    assert c.stats["kod"] == 1 and c.stats["requests"] == 1


@pytest.mark.conformance("P3")
def test_kod_rate_backs_off_and_takes_no_time(nwire):
    """RFC 5905 7.4: RATE -> the poll interval grows (doubles) before the next request;
    no time is taken from the KoD."""
    c = client(nwire, poll_s=16)
    req = next_request(nwire, c)
    t_req = nwire.now_us
    nwire.send(reply(req, t_req + OFF, t_req + OFF, li=3, stratum=0, refid=b"RATE"))
    assert c.status == "kod-rate" and not c.synced and c.interval_s == 32
    nxt = next_request(nwire, c)
    assert nwire.now_us - t_req >= 32_000_000


@pytest.mark.conformance("P3")
def test_kod_with_wrong_origin_is_ignored(nwire):
    """A spoofed DENY (origin not ours) must not stop the client (RFC 5905 8 bogus check first)."""
    c = client(nwire)
    req = next_request(nwire, c)
    t = nwire.now_us + OFF
    nwire.send(reply(req, t, t, li=3, stratum=0, refid=b"DENY", org=b"\x01" * 8))
    assert c.status == "waiting" and c.stats["drop_bogus"] == 1
    nwire.send(reply(req, t, t))
    assert c.status == "synced"


# --- P4 ------------------------------------------------------------------------------
@pytest.mark.conformance("P4")
@pytest.mark.parametrize("case,counter", [
    ("li_3", "drop_unsync"),
    ("stratum_16", "drop_stratum"),
    ("stratum_255", "drop_stratum"),
    ("zero_transmit", "drop_zero_tx"),
])
def test_unsynchronised_or_unusable_reply_is_ignored(nwire, case, counter):
    """RFC 4330 5 / RFC 5905 7.3: LI=3 (clock not synchronised), stratum above 15, or a
    zero transmit timestamp: the reply is ignored; a good reply to the same request is
    still taken."""
    c = client(nwire)
    req = next_request(nwire, c)
    t = nwire.now_us + 500 + OFF
    kw = {"li_3": dict(li=3), "stratum_16": dict(stratum=16), "stratum_255": dict(stratum=255),
          "zero_transmit": dict(xmt=bytes(8))}[case]
    nwire.send(reply(req, t, t, **kw))
    assert not c.synced and c.stats[counter] == 1
    nwire.send(reply(req, t, t))
    assert c.synced


# --- P5 ------------------------------------------------------------------------------
@pytest.mark.conformance("P5")
@pytest.mark.parametrize("li", [1, 2])
def test_leap_pending_is_passed_up(nwire, li):
    """RFC 5905 7.3: LI 1 (+1 s) / 2 (-1 s) at the end of the month is reported, the reply is used."""
    c = client(nwire)
    exchange(nwire, c, li=li)
    assert c.status == "synced" and c.leap == li and c.stratum == 2


# --- P6 ------------------------------------------------------------------------------
@pytest.mark.conformance("P6")
@pytest.mark.parametrize("up_us,proc_us,down_us", [(1000, 50, 1000), (30_000, 5_000, 10_000), (200, 0, 90_000)])
def test_offset_and_delay_under_asymmetric_delay(nwire, up_us, proc_us, down_us):
    """RFC 4330 5: offset = ((T2-T1)+(T3-T4))/2, delay = (T4-T1)-(T3-T2). With one-way
    delays up/down the offset is off by exactly (up-down)/2 and the delay is up+down;
    now() is the stack's clock plus the offset."""
    c = client(nwire)
    req, t1, t4 = exchange(nwire, c, up_us=up_us, proc_us=proc_us, down_us=down_us)
    t2 = t1 + up_us + OFF
    t3 = t2 + proc_us
    want = ((t2 - t1) + (t3 - t4)) // 2
    assert want == OFF + (up_us - down_us) // 2
    assert abs(c.offset_us - want) <= 1
    assert c.delay_us == (t4 - t1) - (t3 - t2) == up_us + down_us
    assert c.now_us() == nwire.now_us + c.offset_us
    assert abs(c.now() - (nwire.now_us + OFF) / 1e6) < 0.1


@pytest.mark.conformance("P6")
@pytest.mark.parametrize("server_unix_s,label", [
    ((1 << 32) - UNIX_TO_NTP, "exactly_2036_boundary"),
    ((1 << 32) - UNIX_TO_NTP - 1, "one_second_before"),
    (2_208_988_800, "2040"),           # Unix 2208988800 is 2040-01-01
    (1_000_000_000, "2001"),
])
def test_offset_correct_across_the_2036_era_boundary(nwire, server_unix_s, label):
    """RFC 4330 3 / RFC 5905 6: NTP seconds wrap on 2036-02-07 06:28:16 UTC; a timestamp
    with the MSB clear belongs to the next era. Here T2 is 10 µs before the chosen
    moment and T3 after it (so they straddle the wrap at the boundary)."""
    c = client(nwire)
    req = next_request(nwire, c)
    t1 = nwire.now_us
    off = server_unix_s * 1_000_000 - 10 - (t1 + 1000)
    nwire.advance(us=1000)
    t2 = nwire.now_us + off
    nwire.advance(us=20)
    t3 = nwire.now_us + off
    nwire.advance(us=1000)
    if label == "exactly_2036_boundary":
        assert struct.unpack("!I", ntp_ts(t2)[:4])[0] == 0xFFFFFFFF and struct.unpack("!I", ntp_ts(t3)[:4])[0] == 0
    nwire.send(reply(req, t2, t3))
    assert c.synced
    assert abs(c.offset_us - off) <= 1
    assert abs(c.now_us() - (nwire.now_us + off)) <= 1


# --- P7 ------------------------------------------------------------------------------
@pytest.mark.conformance("P7")
def test_poll_interval_below_15_s_is_refused(nwire):
    """RFC 4330 10: a client must not poll more often than every 15 s."""
    with pytest.raises(seqs.InvalidArgument, match="poll_s=14"):
        seqs.SntpClient(nwire.stack, server=SERVER, poll_s=14)
    with pytest.raises(seqs.InvalidArgument):
        seqs.SntpClient(nwire.stack, server="255.255.255.255")


@pytest.mark.conformance("P7")
def test_first_query_is_randomised(nwire):
    """RFC 4330 10: the first query goes out after a random delay (here < 1 s), so many
    clients started together do not query at once: 6 seeds give 6 distinct delays."""
    from harness import SimWire
    delays = []
    for seed in range(1, 7):
        w = SimWire(seed=seed)
        w.configure()
        w.resolve_peer()
        t0 = w.now_us
        c = client(w, first_max_ms=1000)
        next_request(w, c)
        delays.append(w.now_us - t0)
    assert all(0 <= d < 1_000_000 for d in delays) and len(set(delays)) == 6, delays


@pytest.mark.conformance("P7")
def test_silent_server_gets_exponential_backoff_then_the_interval_resets(nwire):
    """RFC 4330 10: no reply -> the interval doubles (15, 30, 60, 120 s, capped at
    max_poll_s=120); each unanswered request is reported as a time-out; a reply brings
    the interval back to poll_s; successive requests are never < 15 s apart."""
    c = client(nwire, poll_s=15, max_poll_s=120, reply_timeout_ms=5000)
    times = []
    for _ in range(6):
        next_request(nwire, c)
        times.append(nwire.now_us)
    gaps = [(b - a) // 1_000_000 for a, b in zip(times, times[1:])]
    assert gaps == [15, 30, 60, 120, 120], gaps
    assert c.status == "timeout" and c.stats["timeouts"] >= 4
    req = next_request(nwire, c)
    t = nwire.now_us
    nwire.advance(us=2000)
    nwire.send(reply(req, t + 1000 + OFF, t + 1000 + OFF))
    assert c.status == "synced" and c.interval_s == 15
    nxt = nwire.now_us
    next_request(nwire, c)
    assert nwire.now_us - t == 15_000_000 and nwire.now_us > nxt
