# SPDX-License-Identifier: BSD-3-Clause
"""TCP connection release (RFC 9293 3.6, 3.10.4-3.10.8; RFC 1337) and SYN floods
(RFC 4987): rows T34-T39."""
import socket
import struct
import random

import pytest
from scapy.layers.inet import TCP

import seqs
from harness import US, US_MAC, PEER, PEER_MAC, expect_none
from tcp.peer import Peer, flags_of, payload


def _open(w, iss=50_000, **kw):
    lst = w.stack.tcp_listen(80, **kw)
    p = Peer(w, 80, iss=iss)
    p.open(lst)
    p.handle.setopt(delack=False)
    return lst, p, p.handle


def _fin_of(frames, p):
    fins = [f for f in p.out(frames) if "F" in flags_of(f)]
    assert len(fins) == 1, [f.summary() for f in frames]
    return fins[0]


# --- T34 -----------------------------------------------------------------------------
@pytest.mark.conformance("T34")
def test_passive_close(ipwire):
    """FIN -> ACK, CLOSE-WAIT, EOF for the reader; close -> FIN, LAST-ACK; ACK -> CLOSED."""
    lst, p, c = _open(ipwire)
    got = p.send("FA")
    assert len(got) == 1 and flags_of(got[0]) == "A" and got[0][TCP].ack == p.nxt
    assert c.state == "CLOSE_WAIT" and c.read() == b""
    c.close()
    fin = _fin_of(ipwire.drain(), p)
    assert c.state == "LAST_ACK"
    p.rcv = (fin[TCP].seq + 1) & 0xFFFFFFFF
    expect_none(p.send("A"))
    assert not c.alive                                 # CLOSED and released


# --- T35 -----------------------------------------------------------------------------
@pytest.mark.conformance("T35")
def test_active_close_fin_wait_1_2_time_wait(ipwire):
    lst, p, c = _open(ipwire)
    c.close()
    fin = _fin_of(ipwire.drain(), p)
    assert c.state == "FIN_WAIT_1"
    p.rcv = (fin[TCP].seq + 1) & 0xFFFFFFFF
    p.send("A")
    assert c.state == "FIN_WAIT_2"
    got = p.send("FA")
    assert len(got) == 1 and got[0][TCP].ack == p.nxt
    assert c.state == "TIME_WAIT"


@pytest.mark.conformance("T35")
def test_fin_ack_together_goes_straight_to_time_wait(ipwire):
    lst, p, c = _open(ipwire)
    c.close()
    fin = _fin_of(ipwire.drain(), p)
    p.rcv = (fin[TCP].seq + 1) & 0xFFFFFFFF
    p.send("FA")
    assert c.state == "TIME_WAIT"


@pytest.mark.conformance("T35")
def test_simultaneous_close_closing_then_time_wait(ipwire):
    lst, p, c = _open(ipwire)
    c.close()
    fin = _fin_of(ipwire.drain(), p)
    got = p.send("FA")                                 # its FIN crosses ours: does not ACK it
    assert c.state == "CLOSING" and got[-1][TCP].ack == p.nxt
    p.rcv = (fin[TCP].seq + 1) & 0xFFFFFFFF
    p.send("A")
    assert c.state == "TIME_WAIT"


# --- T36 -----------------------------------------------------------------------------
@pytest.mark.conformance("T36")
def test_out_of_order_fin_waits_for_the_hole(ipwire):
    lst, p, c = _open(ipwire)
    base = p.nxt
    got = p.send("FPA", data=b"tail", seq=base + 4)
    assert got[-1][TCP].ack == base and c.state == "ESTABLISHED"
    got = p.send("PA", data=b"head", seq=base)
    assert got[-1][TCP].ack == base + 9                # the data and the FIN
    assert c.state == "CLOSE_WAIT"
    assert c.read_all() == b"headtail" and c.read() == b""


@pytest.mark.conformance("T36")
def test_fin_in_listen_and_syn_sent_ignored(ipwire):
    lst = ipwire.stack.tcp_listen(80)
    expect_none(Peer(ipwire, 80).send("F"))
    assert lst.accept() is None
    c = ipwire.stack.tcp_connect(PEER, 9500, sport=52000)
    ipwire.drain()
    expect_none(Peer(ipwire, dport=52000, sport=9500).send("F"))
    assert c.state == "SYN_SENT"


@pytest.mark.conformance("T36")
def test_fin_to_closed_port_gets_rst_not_processed(ipwire):
    """Documented: CLOSED answers every non-RST segment with a RST (3.10.7.1); the FIN is not processed."""
    got = Peer(ipwire, 81, iss=77).send("F")
    assert len(got) == 1 and flags_of(got[0]) == "RA" and got[0][TCP].ack == 78


# --- T37 -----------------------------------------------------------------------------
def _time_wait(w, msl_ms=1000):
    w.stack.tcp_config(msl_ms=msl_ms)
    lst, p, c = _open(w)
    c.close()
    fin = _fin_of(w.drain(), p)
    p.rcv = (fin[TCP].seq + 1) & 0xFFFFFFFF
    p.send("FA")
    assert c.state == "TIME_WAIT"
    return lst, p, c


@pytest.mark.conformance("T37")
def test_time_wait_lasts_2msl_configurable(ipwire):
    lst, p, c = _time_wait(ipwire, msl_ms=1000)
    ipwire.advance(ms=1990)
    assert c.state == "TIME_WAIT"
    ipwire.advance(ms=20)
    assert not c.alive


@pytest.mark.conformance("T37")
def test_time_wait_default_is_two_minutes(ipwire):
    assert ipwire.stack.tcp_config()["msl_ms"] == 60_000


@pytest.mark.conformance("T37")
def test_time_wait_fin_retransmission_reacked_and_timer_restarts(ipwire):
    lst, p, c = _time_wait(ipwire, msl_ms=1000)
    ipwire.advance(ms=1500)
    got = p.send("FA", seq=p.nxt - 1)                  # our ACK was "lost": the FIN again
    assert len(got) == 1 and flags_of(got[0]) == "A" and got[0][TCP].ack == p.nxt
    ipwire.advance(ms=1500)
    assert c.state == "TIME_WAIT"                      # restarted: 2 s from the retransmission
    ipwire.advance(ms=600)
    assert not c.alive


@pytest.mark.conformance("T37")
def test_rst_in_time_wait_ignored(ipwire):
    """RFC 1337: TIME-WAIT assassination is prevented by ignoring RSTs."""
    lst, p, c = _time_wait(ipwire)
    expect_none(p.send("R", seq=p.nxt))
    assert c.state == "TIME_WAIT"


@pytest.mark.conformance("T37")
def test_new_syn_in_time_wait_reopens_when_listening(ipwire):
    """Documented (RFC 9293 3.10.7.4, RFC 6191 spirit): a SYN for the same 4-tuple with a
    sequence number above RCV.NXT replaces the TIME-WAIT entry when a listener wants it."""
    lst, p, c = _time_wait(ipwire)
    q = Peer(ipwire, 80, sport=p.sport, iss=(p.nxt + 100_000) & 0xFFFFFFFF)
    q.open(lst)
    assert q.handle.state == "ESTABLISHED"
    assert not c.alive


# --- T38 -----------------------------------------------------------------------------
@pytest.mark.conformance("T38")
def test_close_with_unread_data_sends_rst(ipwire):
    """RFC 9293 3.6 / RFC 2525 2.17: data would be lost -> RST instead of FIN."""
    lst, p, c = _open(ipwire)
    p.send_data(b"unread")
    c.close()
    out = p.out(ipwire.drain())
    assert len(out) == 1 and "R" in flags_of(out[0]) and "F" not in flags_of(out[0])
    assert out[0][TCP].seq == p.rcv


@pytest.mark.conformance("T38")
def test_abort_sends_rst_at_snd_nxt(ipwire):
    lst, p, c = _open(ipwire)
    c.setopt(nodelay=True)
    c.write(b"12345")
    sent = p.out(ipwire.drain())
    c.abort()
    out = p.out(ipwire.drain())
    assert len(out) == 1 and "R" in flags_of(out[0]) and out[0][TCP].seq == (sent[-1][TCP].seq + 5) & 0xFFFFFFFF
    assert not c.alive


# --- T39 -----------------------------------------------------------------------------
def _csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def _spoofed_syn(src, sport, seq):
    srcb, dstb = socket.inet_aton(src), socket.inet_aton(US)
    tcp = struct.pack("!HHIIBBHHH", sport, 80, seq, 0, 0x50, 0x02, 29200, 0, 0)
    tcp = tcp[:16] + struct.pack("!H", _csum(srcb + dstb + struct.pack("!BBH", 0, 6, 20) + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, 0, 64, 6, 0, srcb, dstb)
    ip = ip[:10] + struct.pack("!H", _csum(ip)) + ip[12:]
    mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
    return mac(US_MAC) + mac(PEER_MAC) + b"\x08\x00" + ip + tcp


@pytest.mark.conformance("T39")
def test_syn_flood_legit_client_connects_and_state_expires(ipwire):
    """RFC 4987 3: 10,000 spoofed SYNs over 2 s (raw fast path, not scapy per frame) fill
    the backlog; once those half-open entries are stale (their SYN-ACK timed out once,
    1 s) SYN cookies answer the rest — before that, SYNs are dropped so a cookie never
    races a real client that is about to complete; a real client still connects and
    transfers; half-open entries expire and the stack returns to idle."""
    st = ipwire.stack
    lst = st.tcp_listen(80, backlog=4)
    rnd = random.Random(4987)
    t = ipwire.now_us
    for i in range(10_000):
        src = "198.51.100.%d" % (i % 250 + 1) if i % 2 else "203.0.113.%d" % (i % 250 + 1)
        st.input(_spoofed_syn(src, 1024 + i % 60000, rnd.getrandbits(32)), t)
        st.output_all(t)                               # SYN-ACKs into the void
        t += 200
    ipwire.now_us = t
    cnt = st.counters()
    # the first second: backlog full of fresh entries, SYNs dropped; then cookies
    assert 4_900 <= cnt["tcp_syncookie_sent"] <= 5_010
    assert cnt["tcp_syncookie_sent"] + cnt["tcp_drop_backlog"] + 4 == 10_000
    assert lst.pending == 0
    p = Peer(ipwire, 80, sport=45000, iss=123)
    sa = p.syn()
    p.ack()
    c = lst.accept()
    assert c is not None and c.state == "ESTABLISHED"
    assert st.counters()["tcp_syncookie_ok"] == 1
    p.handle = c
    p.send_data(b"through the flood")
    assert c.read() == b"through the flood"
    c.write(b"reply")
    assert p.recv_all(ipwire.drain()) == b"reply"
    c.abort()
    ipwire.advance(s=600)
    cnt = st.counters()
    assert cnt["tcp_halfopen_expired"] >= 4            # every spoofed half-open entry is gone ...
    before = ipwire.counters()
    for i in range(4):                                 # ... so a full backlog of real clients fits again
        Peer(ipwire, 80, sport=46000 + i, iss=1000 * i).open(lst)
    assert ipwire.delta(before).get("tcp_syncookie_sent", 0) == 0


@pytest.mark.conformance("T35")
def test_fin_wait_2_times_out_after_close(ipwire):
    """RFC 9293 3.6 note: a closed connection whose peer never sends FIN is dropped
    after the FIN-WAIT-2 timeout (documented: 60 s, configurable)."""
    lst, p, c = _open(ipwire)
    c.close()
    fin = _fin_of(ipwire.drain(), p)
    p.rcv = (fin[TCP].seq + 1) & 0xFFFFFFFF
    p.send("A")
    assert c.state == "FIN_WAIT_2"
    ipwire.advance(s=59)
    assert c.state == "FIN_WAIT_2"
    ipwire.advance(s=2)
    assert not c.alive


@pytest.mark.conformance("T38")
def test_data_after_close_gets_rst(ipwire):
    """RFC 2525 2.17 / Linux: data arriving after the application closed cannot be
    delivered: the connection is reset."""
    lst, p, c = _open(ipwire)
    c.close()
    fin = _fin_of(ipwire.drain(), p)
    got = p.send_data(b"too late")
    assert any("R" in flags_of(f) for f in got)
    assert not c.alive


@pytest.mark.conformance("T39")
def test_half_open_connection_expires(ipwire):
    """A SYN never completed: SYN-ACK retransmitted with backoff (1, 3, 7, 15 s), then the
    half-open entry is dropped; a late ACK is then answered with RST."""
    lst = ipwire.stack.tcp_listen(80)
    p = Peer(ipwire, 80)
    t0 = ipwire.now_us / 1e6
    p.syn()
    out = p.out(ipwire.advance(s=60))
    assert [round(f.time - t0) for f in out if flags_of(f) == "SA"] == [1, 3, 7, 15]
    assert ipwire.counters()["tcp_halfopen_expired"] == 1
    got = p.send("A")
    assert len(got) == 1 and flags_of(got[0]) == "R"
    before = ipwire.counters()
    Peer(ipwire, 80, sport=40002).open(lst)           # the backlog is free again: no cookie needed
    assert ipwire.delta(before).get("tcp_syncookie_sent", 0) == 0
