# SPDX-License-Identifier: BSD-3-Clause
"""TCP data transfer: ACK generation (RFC 9293 3.8.6.3, RFC 5681 4.2), out-of-order
and duplicate data, wrap-around, window updates, SWS and Nagle: rows T22-T25, T31, T32."""
import pytest
from scapy.layers.inet import TCP

from harness import expect_none
from tcp.peer import Peer, flags_of, opt, payload


def _open(w, iss=30_000, rxbuf=8192, txbuf=65536, options=(("MSS", 1460),), win=65535):
    lst = w.stack.tcp_listen(80, rxbuf=rxbuf, txbuf=txbuf)
    p = Peer(w, 80, iss=iss, win=win)
    p.open(lst, options=options)
    return p, p.handle


# --- T22 -----------------------------------------------------------------------------
@pytest.mark.conformance("T22")
def test_single_segment_ack_is_delayed_but_under_500ms(ipwire):
    p, c = _open(ipwire)
    expect_none(p.send_data(b"x" * 100))              # not ACKed at once
    later = p.out(ipwire.advance(ms=500))
    acks = [f for f in later if f[TCP].ack == p.nxt]
    assert len(acks) == 1
    assert acks[0].time - 1e-9 <= ipwire.now_us / 1e6 and acks[0].time < (ipwire.now_us - 400_000) / 1e6


@pytest.mark.conformance("T22")
def test_every_second_full_segment_acked_at_once(ipwire):
    p, c = _open(ipwire)
    expect_none(p.send_data(b"a" * 1460))
    got = p.send_data(b"b" * 1460)
    assert len(got) == 1 and got[0][TCP].ack == p.nxt  # cumulative


# --- T23 -----------------------------------------------------------------------------
@pytest.mark.conformance("T23")
def test_out_of_order_buffered_dup_ack_then_jump(ipwire):
    p, c = _open(ipwire)
    base = p.nxt
    got = p.send("PA", data=b"2" * 100, seq=base + 100)
    assert len(got) == 1 and got[0][TCP].ack == base   # immediate duplicate ACK
    got = p.send("PA", data=b"3" * 100, seq=base + 200)
    assert got[0][TCP].ack == base
    assert c.read() is None
    got = p.send("PA", data=b"1" * 100, seq=base)
    assert got[0][TCP].ack == base + 300                # jumps over the buffered data
    assert c.read() == b"1" * 100 + b"2" * 100 + b"3" * 100


# --- T24 -----------------------------------------------------------------------------
@pytest.mark.conformance("T24")
def test_overlapping_and_duplicate_segments_deliver_each_byte_once(ipwire):
    p, c = _open(ipwire)
    base = p.nxt
    data = bytes(range(256)) * 4
    p.send("PA", data=data[0:300], seq=base)
    p.send("PA", data=data[200:500], seq=base + 200)   # overlaps 100 bytes
    p.send("PA", data=data[0:300], seq=base)           # full duplicate
    p.send("PA", data=data[600:800], seq=base + 600)   # out of order
    p.send("PA", data=data[450:700], seq=base + 450)   # overlaps both sides
    p.send("PA", data=data[700:1024], seq=base + 700)
    assert c.read_all() == data


@pytest.mark.conformance("T24")
def test_segment_partly_beyond_window_trimmed(ipwire):
    p, c = _open(ipwire, rxbuf=1000)
    base = p.nxt
    got = p.send("PA", data=b"w" * 1500, seq=base)
    assert got[-1][TCP].ack == base + 1000 and got[-1][TCP].window == 0
    assert c.read_all() == b"w" * 1000


# --- T25 -----------------------------------------------------------------------------
@pytest.mark.conformance("T25")
def test_peer_sequence_wraps_through_handshake_data_sack_and_close(ipwire):
    """Peer ISS 2^32 - 150: the handshake, data across 2^32, SACK blocks across it and the FIN."""
    p, c = _open(ipwire, iss=0xFFFFFF6A, options=(("MSS", 1460), ("SAckOK", b"")))
    base = p.nxt
    assert base == 0xFFFFFF6B
    got = p.send("PA", data=b"B" * 200, seq=(base + 100) & 0xFFFFFFFF)   # crosses 2^32, out of order
    assert opt(got[-1], "SAck") == ((base + 100) & 0xFFFFFFFF, (base + 300) & 0xFFFFFFFF)
    got = p.send("PA", data=b"A" * 100, seq=base)
    assert got[-1][TCP].ack == (base + 300) & 0xFFFFFFFF
    p.nxt = (base + 300) & 0xFFFFFFFF
    got = p.send("FA")
    got += p.out(ipwire.advance(ms=500))              # (Linux delays this ACK: pingpong mode)
    assert got and got[-1][TCP].ack == (base + 301) & 0xFFFFFFFF
    assert c.read_all() == b"A" * 100 + b"B" * 200
    assert c.read() == b"" and c.state == "CLOSE_WAIT"


# --- T31 -----------------------------------------------------------------------------
@pytest.mark.conformance("T31")
def test_old_segment_cannot_shrink_send_window(ipwire):
    """RFC 9293 3.10.7.4: the window is taken only from segments newer than SND.WL1/WL2."""
    p, c = _open(ipwire)
    c.setopt(nodelay=True)
    base = p.nxt
    p.send("PA", data=b"x" * 100, seq=base, win=5000)
    p.send("A", seq=base + 100, win=8000)
    p.send("PA", data=b"x" * 100, seq=base + 50, win=0)   # acceptable but older than WL1
    assert c.info()["snd_wnd"] == 8000
    c.write(b"d" * 3000)
    assert sum(len(payload(f)) for f in p.out(ipwire.drain())) == 3000


# --- T32 -----------------------------------------------------------------------------
@pytest.mark.conformance("T32")
def test_nagle_coalesces_small_writes_while_unacked(ipwire):
    """RFC 9293 3.7.4: with data unacknowledged, small writes wait and go out together."""
    p, c = _open(ipwire)
    c.write(b"a" * 10)
    first = [f for f in p.out(ipwire.drain()) if payload(f)]
    assert len(first) == 1 and payload(first[0]) == b"a" * 10
    c.write(b"b" * 10)
    c.write(b"c" * 10)
    expect_none([f for f in p.out(ipwire.drain()) if payload(f)])
    p.rcv = (first[0][TCP].seq + 10) & 0xFFFFFFFF
    got = [f for f in p.send("A") if payload(f)]
    assert len(got) == 1 and payload(got[0]) == b"b" * 10 + b"c" * 10


@pytest.mark.conformance("T32")
def test_nodelay_sends_small_writes_at_once(ipwire):
    p, c = _open(ipwire)
    c.setopt(nodelay=True)
    c.write(b"a" * 10)
    first = [payload(f) for f in p.out(ipwire.drain()) if payload(f)]
    c.write(b"b" * 10)                    # the first is still unacknowledged
    second = [payload(f) for f in p.out(ipwire.drain()) if payload(f)]
    assert first == [b"a" * 10] and second == [b"b" * 10]


@pytest.mark.conformance("T32")
@pytest.mark.parametrize("iss", [30_000, 0x90000000], ids=["iss-low", "iss-high-half"])
def test_receiver_does_not_advertise_tiny_window_increases(ipwire, iss):
    """RFC 9293 3.8.6.2.2: after a full buffer, reading a few bytes opens no window;
    reading enough (min(buffer/2, MSS)) sends a window update. (Both halves of the
    sequence space: the advertised right edge is compared modulo 2^32.)"""
    p, c = _open(ipwire, rxbuf=4000, iss=iss)
    c.setopt(delack=False)
    got = p.send_data(b"f" * 4000)
    assert got[-1][TCP].window == 0
    assert len(c.read(100)) == 100
    expect_none(p.out(ipwire.drain()))
    got = p.send("A")                                   # a probe-like ACK: window still closed
    assert got == [] or got[-1][TCP].window == 0
    c.read(2000)
    upd = p.out(ipwire.drain())
    assert len(upd) == 1 and upd[0][TCP].window >= 2000


@pytest.mark.conformance("T32")
def test_sender_avoids_silly_window_segments(ipwire):
    """RFC 9293 3.8.6.2.1: with data in flight and a small usable window, no tiny segment is sent."""
    p, c = _open(ipwire, win=3000)
    c.write(b"s" * 2920)                  # two full segments: window left 80
    segs = [f for f in p.out(ipwire.drain()) if payload(f)]
    assert sum(len(payload(f)) for f in segs) == 2920
    c.write(b"t" * 1000)
    expect_none([f for f in p.out(ipwire.drain()) if payload(f)])
