# SPDX-License-Identifier: BSD-3-Clause
"""TCP connection establishment and segments without a connection (RFC 9293
3.5, 3.10.7.1-3.10.7.4; RFC 6528): rows T1-T9."""
import pytest
from scapy.layers.inet import TCP

from harness import PEER, expect_none
from tcp.peer import Peer, flags_of, opt, payload


def _pump(w, peer, n=5):
    out = []
    for _ in range(n):
        out += peer.out(w.advance(ms=50))
    return out


# --- T1 ------------------------------------------------------------------------------
@pytest.mark.conformance("T1")
def test_syn_to_listener_gets_synack_with_mss_then_data_flows(ipwire):
    """RFC 9293 3.5 / 3.10.7.2: SYN -> <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> with an MSS
    option; the ACK completes the handshake and data flows both ways."""
    lst = ipwire.stack.tcp_listen(80)
    p = Peer(ipwire, 80)
    sa = p.syn(options=[("MSS", 1460)])
    assert sa[TCP].ack == p.iss + 1
    assert opt(sa, "MSS") == 1460                     # MTU 1500 - 40 (T17)
    expect_none(p.ack())
    c = lst.accept()
    assert c is not None and c.state == "ESTABLISHED"
    p.handle = c
    got = p.send_data(b"hello")
    got += _pump(ipwire, p, 2)                        # delayed ACK
    assert c.read() == b"hello"
    assert any(f[TCP].ack == p.nxt for f in got)
    assert c.write(b"world") == 5
    assert p.recv_all(ipwire.drain() + ipwire.advance(ms=1)) == b"world"


@pytest.mark.conformance("T1")
def test_listener_serves_many_connections_on_one_port(ipwire):
    """One port, several concurrent connections demultiplexed by 4-tuple."""
    lst = ipwire.stack.tcp_listen(80, backlog=3)
    peers = [Peer(ipwire, 80, sport=41000 + i, iss=5000 * (i + 1)) for i in range(3)]
    for p in peers:
        p.open(lst)
    for i, p in enumerate(peers):
        p.send_data(b"conn%d" % i)
    for i, p in enumerate(peers):
        assert p.handle.read() == b"conn%d" % i
        assert p.handle.remote == (PEER, 41000 + i)


# --- T2 ------------------------------------------------------------------------------
@pytest.mark.conformance("T2")
def test_active_open_sends_syn_with_options_and_acks_synack(ipwire):
    """RFC 9293 3.5: connect() sends SYN with MSS (+ WS, SACK-permitted, timestamps);
    the SYN-ACK is answered with <SEQ=ISS+1><ACK=RCV.NXT><CTL=ACK>."""
    c = ipwire.stack.tcp_connect(PEER, 8080)
    assert c.state == "SYN_SENT"
    p = Peer(ipwire, dport=c.local[1], sport=8080, iss=7000)
    p.dport, p.sport = c.local[1], 8080
    syn, got = p.answer_connect(c, options=[("MSS", 1460)])
    assert flags_of(syn) == "S"
    assert opt(syn, "MSS") == 1460
    assert opt(syn, "WScale") is not None
    assert opt(syn, "SAckOK") is not None
    assert opt(syn, "Timestamp") is not None
    acks = [f for f in got if flags_of(f) == "A"]
    assert len(acks) == 1
    assert acks[0][TCP].seq == syn[TCP].seq + 1 and acks[0][TCP].ack == 7001
    assert c.state == "ESTABLISHED"


# --- T3 ------------------------------------------------------------------------------
def _isn(seed, t_us, sport=40000):
    import seqs
    from harness import SimWire, PEER_MAC
    w = SimWire(seed=seed)
    w.configure()
    w.resolve_peer()
    w.advance_to(t_us)
    c = w.stack.tcp_connect(PEER, 80, sport=sport)
    syn = [f for f in w.drain() if TCP in f][-1]
    return syn[TCP].seq


@pytest.mark.conformance("T3")
def test_isn_differs_across_reboots_and_connections():
    """RFC 6528: ISN = clock + keyed hash of the 4-tuple, keyed from the stack's RNG:
    another seed (a reboot) gives another ISN for the same tuple and time, and
    consecutive connections' ISNs do not step by a constant."""
    a = _isn(1, 20_000_000)
    b = _isn(2, 20_000_000)
    assert a != b
    isns = [_isn(1, 20_000_000 + k * 1000, sport=40000 + k) for k in range(4)]
    steps = {(isns[k + 1] - isns[k]) & 0xFFFFFFFF for k in range(3)}
    assert len(steps) == 3


@pytest.mark.conformance("T3")
def test_isn_is_reproducible_for_the_same_seed():
    """Determinism (ARCHITECTURE.md): same seed, same inputs, same ISN."""
    assert _isn(5, 30_000_000) == _isn(5, 30_000_000)


# --- T4 ------------------------------------------------------------------------------
@pytest.mark.conformance("T4")
def test_simultaneous_open(ipwire):
    """RFC 9293 figure 8: crossing SYNs -> SYN-RECEIVED (SYN,ACK sent with our ISS)
    -> the peer's SYN,ACK -> ESTABLISHED."""
    c = ipwire.stack.tcp_connect(PEER, 9000, sport=9001)
    p = Peer(ipwire, dport=9001, sport=9000, iss=3000)
    syn = p.out(ipwire.drain())[-1]
    iss = syn[TCP].seq
    got = p.send("S", seq=3000, ack=0)              # crossing SYN, no ACK
    sa = [f for f in got if flags_of(f) == "SA"]
    assert len(sa) == 1 and sa[0][TCP].seq == iss and sa[0][TCP].ack == 3001
    assert c.state == "SYN_RECEIVED"
    p.send("SA", seq=3000, ack=iss + 1)
    assert c.state == "ESTABLISHED"


# --- T5 / T6 -------------------------------------------------------------------------
@pytest.mark.conformance("T5")
def test_syn_to_closed_port_gets_rst_ack(ipwire):
    """RFC 9293 3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>."""
    p = Peer(ipwire, dport=81, iss=12345)
    before = ipwire.snapshot()
    got = p.send("S")
    assert len(got) == 1
    r = got[0][TCP]
    assert flags_of(got[0]) == "RA" and r.seq == 0 and r.ack == 12346
    ipwire.assert_delta(before, tcp_drop_no_socket=1)


@pytest.mark.conformance("T5")
def test_data_without_ack_to_closed_port_acks_its_length(ipwire):
    p = Peer(ipwire, dport=81, iss=500)
    got = p.send("P", data=b"12345")
    assert flags_of(got[0]) == "RA" and got[0][TCP].ack == 505 and got[0][TCP].seq == 0


@pytest.mark.conformance("T6")
def test_ack_to_closed_port_gets_rst_seq_ack(ipwire):
    """RFC 9293 3.10.7.1: <SEQ=SEG.ACK><CTL=RST> without the ACK flag."""
    p = Peer(ipwire, dport=81)
    got = p.send("A", ack=0xDEADBEEF)
    assert len(got) == 1 and flags_of(got[0]) == "R" and got[0][TCP].seq == 0xDEADBEEF


@pytest.mark.conformance("T6")
def test_rst_to_closed_port_gets_nothing(ipwire):
    p = Peer(ipwire, dport=81)
    expect_none(ipwire.send(p.seg("R")))
    expect_none(ipwire.send(p.seg("RA")))


# --- T7 ------------------------------------------------------------------------------
@pytest.mark.conformance("T7")
def test_listen_ack_gets_rst_and_rst_is_ignored(ipwire):
    """RFC 9293 3.10.7.2: an ACK to a listener -> <SEQ=SEG.ACK><CTL=RST>; a RST -> ignored."""
    lst = ipwire.stack.tcp_listen(80)
    p = Peer(ipwire, 80)
    got = p.send("A", ack=424242)
    assert len(got) == 1 and flags_of(got[0]) == "R" and got[0][TCP].seq == 424242
    expect_none(ipwire.send(p.seg("R")))
    assert lst.accept() is None


@pytest.mark.conformance("T7")
@pytest.mark.parametrize("flags", ["SF", "SR", ""], ids=["syn-fin", "syn-rst", "null"])
def test_listen_odd_flags_no_crash_no_state(ipwire, flags):
    """Documented: SYN+FIN and null-flag segments to a listener are dropped silently;
    SYN+RST is a RST (ignored). The listener keeps working afterwards."""
    lst = ipwire.stack.tcp_listen(80)
    p = Peer(ipwire, 80, sport=43000)
    expect_none(ipwire.send(p.seg(flags)))
    assert lst.accept() is None
    Peer(ipwire, 80, sport=43001).open(lst)


# --- T8 ------------------------------------------------------------------------------
def _syn_sent(w, dport=9100):
    c = w.stack.tcp_connect(PEER, dport, sport=50000)
    p = Peer(w, dport=50000, sport=dport, iss=800)
    syn = p.out(w.drain())[-1]
    return c, p, syn[TCP].seq


@pytest.mark.conformance("T8")
def test_syn_sent_unacceptable_synack_gets_rst_and_stays(ipwire):
    """RFC 9293 3.10.7.3: SYN-ACK whose ACK is not ISS+1 -> <SEQ=SEG.ACK><CTL=RST>, still SYN-SENT."""
    c, p, iss = _syn_sent(ipwire)
    got = p.send("SA", seq=800, ack=iss + 999)
    assert len(got) == 1 and flags_of(got[0]) == "R" and got[0][TCP].seq == iss + 999
    assert c.state == "SYN_SENT"


@pytest.mark.conformance("T8")
def test_syn_sent_rst_with_acceptable_ack_refuses(ipwire):
    import seqs
    c, p, iss = _syn_sent(ipwire)
    expect_none(p.send("RA", seq=0, ack=iss + 1))
    assert c.state == "CLOSED"
    with pytest.raises(seqs.ConnectionRefused):
        c.read()


@pytest.mark.conformance("T8")
def test_syn_sent_rst_without_ack_ignored(ipwire):
    c, p, iss = _syn_sent(ipwire)
    expect_none(p.send("R", seq=0, ack=0))
    assert c.state == "SYN_SENT"


# --- T9 ------------------------------------------------------------------------------
@pytest.mark.conformance("T9")
def test_syn_received_rst_returns_to_listen(ipwire):
    """RFC 9293 3.10.7.4 (second check): in SYN-RECEIVED from a passive open a RST
    returns the connection to LISTEN: nothing to accept, the port still listens."""
    lst = ipwire.stack.tcp_listen(80)
    p = Peer(ipwire, 80)
    p.syn()
    expect_none(p.send("R", seq=p.nxt))
    assert lst.accept() is None
    assert lst.pending == 0
    Peer(ipwire, 80, sport=40001).open(lst)


@pytest.mark.conformance("T9")
def test_syn_received_unacceptable_ack_gets_rst(ipwire):
    """RFC 9293 3.5.2 (2): an ACK for something never sent -> <SEQ=SEG.ACK><CTL=RST>."""
    lst = ipwire.stack.tcp_listen(80)
    p = Peer(ipwire, 80)
    p.syn()
    got = p.send("A", ack=(p.rcv + 1000) & 0xFFFFFFFF)
    assert len(got) == 1 and flags_of(got[0]) == "R" and got[0][TCP].seq == (p.rcv + 1000) & 0xFFFFFFFF
    assert lst.accept() is None
