# SPDX-License-Identifier: BSD-3-Clause
"""TCP timers and errors: RTO (RFC 6298), fast retransmit (RFC 5681), R2 (RFC 9293
3.8.3), zero windows (3.8.6.1), ICMP errors (RFC 1122 4.2.3.9, RFC 5461, RFC 1191),
keep-alive and URG (3.8.4, 3.8.5): rows T26-T30, T33, T40."""
import pytest
from scapy.layers.inet import IP, ICMP, TCP
from scapy.layers.l2 import Ether

import seqs
from harness import US, US_MAC, PEER, PEER_MAC, expect_none
from tcp.peer import Peer, flags_of, payload


def _open(w, options=(("MSS", 1000),), rxbuf=8192, win=65535):
    lst = w.stack.tcp_listen(80, rxbuf=rxbuf, txbuf=65536)
    p = Peer(w, 80, iss=40_000, win=win)
    p.open(lst, options=options)
    p.handle.setopt(nodelay=True)
    return p, p.handle


def _times(frames):
    return [round(f.time, 3) for f in frames]


# --- T26 -----------------------------------------------------------------------------
@pytest.mark.conformance("T26")
def test_rto_starts_at_1s_and_backs_off(ipwire):
    """RFC 6298 2.1, 5.5: first retransmission after 1 s, then the RTO doubles."""
    p, c = _open(ipwire)
    t0 = ipwire.now_us / 1e6
    c.write(b"r" * 100)
    assert len([f for f in p.out(ipwire.drain()) if payload(f)]) == 1
    rtx = [f for f in p.out(ipwire.advance(s=7.5)) if payload(f)]
    assert [round(f.time - t0, 3) for f in rtx] == [1.0, 3.0, 7.0]
    assert c.info()["rto_expirations"] == 3


@pytest.mark.conformance("T26")
def test_karn_no_rtt_sample_from_retransmission(ipwire):
    """RFC 6298 3 (Karn): the ACK of a retransmitted segment gives no RTT sample."""
    p, c = _open(ipwire)
    c.write(b"k" * 100)
    seg = [f for f in p.out(ipwire.drain()) if payload(f)][0]
    ipwire.advance(s=1.2)                              # retransmitted once
    p.rcv = (seg[TCP].seq + 100) & 0xFFFFFFFF
    p.send("A")
    i = c.info()
    assert i["srtt_us"] == 0 and i["rto_us"] == 1_000_000


@pytest.mark.conformance("T26")
def test_rtt_sample_sets_rto(ipwire):
    p, c = _open(ipwire)
    c.write(b"m" * 100)
    seg = [f for f in p.out(ipwire.drain()) if payload(f)][0]
    ipwire.advance(ms=30)
    p.rcv = (seg[TCP].seq + 100) & 0xFFFFFFFF
    p.send("A")
    i = c.info()
    assert 29_000 <= i["srtt_us"] <= 31_000
    assert i["rto_us"] == 200_000                      # srtt + 4*rttvar = 90 ms, clamped to the 200 ms floor


@pytest.mark.conformance("T26")
def test_rto_is_3s_after_a_syn_timeout(ipwire):
    """RFC 6298 5.7: the SYN timed out -> RTO 3 s once connected (no sample yet)."""
    c = ipwire.stack.tcp_connect(PEER, 9200, sport=51000)
    p = Peer(ipwire, dport=51000, sport=9200, iss=900)
    p.out(ipwire.drain())
    syns = [f for f in p.out(ipwire.advance(s=1.5)) if flags_of(f) == "S"]
    assert len(syns) == 1
    p.rcv = (syns[0][TCP].seq + 1) & 0xFFFFFFFF
    p.send("SA", options=[("MSS", 1460)])
    assert c.state == "ESTABLISHED" and c.info()["rto_us"] == 3_000_000


# --- T27 -----------------------------------------------------------------------------
@pytest.mark.conformance("T27")
def test_three_dup_acks_trigger_fast_retransmit(ipwire):
    """RFC 5681 3.2: the third duplicate ACK retransmits the missing segment at once."""
    p, c = _open(ipwire)
    c.write(b"f" * 4000)
    segs = [f for f in p.out(ipwire.drain()) if payload(f)]
    una = segs[0][TCP].seq
    p.rcv = una
    out = []
    for _ in range(3):
        out.append([f for f in p.send("A") if payload(f)])
    assert out[0] == [] and out[1] == []
    assert len(out[2]) == 1 and out[2][0][TCP].seq == una
    assert c.info()["fast_retransmits"] == 1 and c.info()["rto_expirations"] == 0


# --- T28 -----------------------------------------------------------------------------
@pytest.mark.conformance("T28")
def test_syn_backoff_then_connect_fails(ipwire):
    """RFC 9293 3.8.3: SYN retransmitted with backoff; documented R2 for SYNs:
    6 retransmissions (1+2+4+8+16+32+64 = 127 s), then connect fails with TimedOut."""
    c = ipwire.stack.tcp_connect(PEER, 9300, sport=51001)
    t0 = ipwire.now_us / 1e6
    p = Peer(ipwire, dport=51001, sport=9300)
    p.out(ipwire.drain())
    syns = [f for f in p.out(ipwire.advance(s=200)) if flags_of(f) == "S"]
    assert [round(f.time - t0) for f in syns] == [1, 3, 7, 15, 31, 63]
    assert c.state == "CLOSED"
    with pytest.raises(seqs.TimedOut):
        c.read()


@pytest.mark.conformance("T28")
def test_data_retransmissions_give_up_and_reset(ipwire):
    """Documented R2 for data: 12 retransmissions (RTO capped at 60 s), then RST and TimedOut."""
    p, c = _open(ipwire)
    c.write(b"g" * 100)
    p.out(ipwire.drain())
    out = p.out(ipwire.advance(s=1000))
    rtx = [f for f in out if payload(f)]
    rst = [f for f in out if "R" in flags_of(f)]
    assert len(rtx) == 12 and len(rst) == 1
    assert c.state == "CLOSED"
    with pytest.raises(seqs.TimedOut):
        c.write(b"x")


# --- T29 -----------------------------------------------------------------------------
@pytest.mark.conformance("T29")
def test_zero_window_probes_with_backoff_never_time_out(ipwire):
    p, c = _open(ipwire, win=0)
    c.write(b"z" * 500)
    expect_none([f for f in p.out(ipwire.drain()) if payload(f)])
    t0 = ipwire.now_us / 1e6
    probes = p.out(ipwire.advance(s=1800))
    assert len(probes) >= 5
    gaps = [round(b.time - a.time, 1) for a, b in zip(probes, probes[1:])]
    assert gaps[0] < gaps[1] < gaps[2] and max(gaps) <= 60.0
    assert c.state == "ESTABLISHED" and c.info()["zero_window_probes"] == len(probes)
    got = p.send("A", win=4000)                       # window opens
    assert sum(len(payload(f)) for f in got) == 500
    assert round(probes[0].time - t0, 1) == 1.0


# --- T30 -----------------------------------------------------------------------------
@pytest.mark.conformance("T30")
def test_our_zero_window_answers_probes_and_processes_ack_and_rst(ipwire):
    """RFC 9293 3.8.6.1 / 3.10.7.4: with RCV.WND 0 a probe gets <ACK=RCV.NXT><WND=0>; ACKs
    and RSTs are still processed."""
    p, c = _open(ipwire, rxbuf=2000)
    c.setopt(delack=False)
    p.send_data(b"F" * 2000)
    c.write(b"out" * 10)
    sent = [f for f in p.out(ipwire.drain()) if payload(f)]
    got = p.send("PA", data=b"P", advance=False, ack=sent[0][TCP].seq + 30)
    assert len(got) == 1 and got[0][TCP].ack == p.nxt and got[0][TCP].window == 0
    assert c.info()["flight"] == 0                    # the ACK in the probe was processed
    expect_none(p.send("R", seq=p.nxt))
    assert c.state == "CLOSED"


# --- T33 -----------------------------------------------------------------------------
def _icmp_for(seg_frame, type, code, mtu=0):
    quoted = bytes(seg_frame[IP])[:28]
    icmp = ICMP(type=type, code=code, nexthopmtu=mtu) if type == 3 and code == 4 else ICMP(type=type, code=code)
    return Ether(dst=US_MAC, src=PEER_MAC) / IP(src=PEER, dst=US) / icmp / quoted


@pytest.mark.conformance("T33")
@pytest.mark.parametrize("code", [2, 3], ids=["proto-unreach", "port-unreach"])
def test_icmp_unreachable_in_syn_sent_fails_connect(ipwire, code):
    c = ipwire.stack.tcp_connect(PEER, 9400, sport=51002)
    syn = [f for f in ipwire.drain() if TCP in f][-1]
    ipwire.send(_icmp_for(syn, 3, code))
    assert c.state == "CLOSED"
    with pytest.raises(seqs.ConnectionRefused):
        c.read()


@pytest.mark.conformance("T33")
def test_soft_icmp_error_does_not_abort_established(ipwire):
    p, c = _open(ipwire)
    c.write(b"s" * 100)
    seg = [f for f in p.out(ipwire.drain()) if payload(f)][0]
    ipwire.send(_icmp_for(seg, 3, 1))                 # host unreachable: soft
    ipwire.send(_icmp_for(seg, 3, 3))                 # port unreachable once established: soft
    assert c.state == "ESTABLISHED"


@pytest.mark.conformance("T33")
def test_frag_needed_lowers_mss(ipwire):
    p, c = _open(ipwire, options=(("MSS", 1460),))
    c.write(b"b" * 1460)
    seg = [f for f in p.out(ipwire.drain()) if payload(f)][0]
    assert len(payload(seg)) == 1460
    out = p.out(ipwire.send(_icmp_for(seg, 3, 4, mtu=1000)))
    assert c.info()["snd_mss"] == 960
    out += p.out(ipwire.advance(ms=10))
    assert out and all(len(payload(f)) <= 960 for f in out)


# --- T40 -----------------------------------------------------------------------------
@pytest.mark.conformance("T40")
def test_keepalive_off_by_default(ipwire):
    p, c = _open(ipwire)
    expect_none(p.out(ipwire.advance(s=3 * 3600)))


@pytest.mark.conformance("T40")
def test_keepalive_after_2h_probe_seq_and_abort(ipwire):
    """RFC 9293 3.8.4: idle >= 2 h, probe <SEQ=SND.NXT-1>, abort after unanswered probes."""
    p, c = _open(ipwire)
    c.setopt(keepalive=True)
    expect_none(p.out(ipwire.advance(s=7199)))
    probes = p.out(ipwire.advance(s=2))
    assert len(probes) == 1 and probes[0][TCP].seq == (p.rcv - 1) & 0xFFFFFFFF and not payload(probes[0])
    got = p.send("A")                                  # answered: the connection lives on
    more = p.out(ipwire.advance(s=7200 + 75 * 12))
    assert len([f for f in more if "R" not in flags_of(f)]) == 9     # SEQS_TCP_KEEPCNT unanswered probes
    assert any("R" in flags_of(f) for f in more)
    with pytest.raises(seqs.TimedOut):
        c.read()


@pytest.mark.conformance("T40")
def test_urgent_data_is_delivered_in_band_intact(ipwire):
    p, c = _open(ipwire)
    p.send("PAU", data=b"abc!def", urgptr=4)
    p.send_data(b"ghi")
    assert c.read_all() == b"abc!defghi"


@pytest.mark.conformance("T29")
def test_window_closed_with_data_in_flight_never_times_out_while_peer_acks(ipwire):
    """The peer takes nothing more but keeps answering with a zero window: the
    retransmissions are answered, so R2 never fires."""
    p, c = _open(ipwire)
    c.write(b"w" * 3000)
    segs = [f for f in p.out(ipwire.drain()) if payload(f)]
    p.rcv = segs[0][TCP].seq
    for _ in range(40):                               # 40 minutes of virtual time
        for f in p.out(ipwire.advance(s=60)):
            p.send("A", win=0)
    assert c.state == "ESTABLISHED" and c.info()["flight"] == 3000
    p.rcv = (p.rcv + 3000) & 0xFFFFFFFF
    p.send("A", win=8000)
    assert c.info()["flight"] == 0 and c.state == "ESTABLISHED"


@pytest.mark.conformance("T33")
def test_soft_error_reported_when_connect_times_out(ipwire):
    """RFC 1122 4.2.3.9: a soft error (host unreachable) does not end the SYN-SENT
    connection, but when the SYN's R2 expires it is what the user is told."""
    c = ipwire.stack.tcp_connect(PEER, 9600, sport=51003)
    syn = [f for f in ipwire.drain() if TCP in f][-1]
    ipwire.send(_icmp_for(syn, 3, 1))
    assert c.state == "SYN_SENT"
    ipwire.advance(s=200)
    assert c.state == "CLOSED"
    with pytest.raises(seqs.Unreachable):
        c.read()
