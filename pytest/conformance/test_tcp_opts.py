# SPDX-License-Identifier: BSD-3-Clause
"""TCP options: MSS (RFC 9293 3.7.1, RFC 6691), window scale and timestamps
(RFC 7323), SACK (RFC 2018, RFC 6675): rows T17-T21."""
import pytest
from scapy.layers.inet import TCP

from harness import PEER, expect_none
from tcp.peer import Peer, flags_of, opt, payload


def _open(w, options, rxbuf=8192, txbuf=65536, win=65535, **kw):
    lst = w.stack.tcp_listen(80, rxbuf=rxbuf, txbuf=txbuf)
    p = Peer(w, 80, iss=20_000, win=win)
    sa = p.syn(options=options)
    p.ack()
    p.handle = lst.accept()
    p.handle.setopt(nodelay=True, delack=False)
    return p, sa


def _data_segments(frames, p):
    return [f for f in p.out(frames) if payload(f)]


# --- T17 -----------------------------------------------------------------------------
@pytest.mark.conformance("T17")
def test_advertised_mss_is_mtu_minus_40(make_wire):
    w = make_wire(mtu=1000)
    w.resolve_peer()
    p, sa = _open(w, [("MSS", 1460)])
    assert opt(sa, "MSS") == 960


@pytest.mark.conformance("T17")
def test_no_peer_mss_means_536_byte_segments(ipwire):
    """RFC 9293 3.7.1: without an MSS option the peer is assumed to take 536 bytes."""
    p, _ = _open(ipwire, [])
    p.handle.write(b"x" * 3000)
    segs = _data_segments(ipwire.drain(), p)
    assert segs and max(len(payload(f)) for f in segs) == 536


@pytest.mark.conformance("T17")
def test_small_peer_mss_bounds_segments_including_options(ipwire):
    """RFC 6691: with timestamps on, data + options fit the peer's MSS of 700."""
    p, _ = _open(ipwire, [("MSS", 700), ("Timestamp", (100, 0))])
    p.handle.write(b"y" * 5000)
    segs = _data_segments(ipwire.drain(), p)
    assert segs
    for f in segs:
        optlen = len(f[TCP]) - len(payload(f)) - 20
        assert len(payload(f)) + optlen <= 700


# --- T18 -----------------------------------------------------------------------------
@pytest.mark.conformance("T18")
def test_syn_only_options_in_later_segment_ignored(ipwire):
    """RFC 9293 3.7.1 / RFC 7323 2.2 / RFC 2018 2: MSS, WS and SACK-permitted after the
    handshake change nothing."""
    p, _ = _open(ipwire, [])
    p.send("A", options=[("MSS", 1460), ("WScale", 7), ("SAckOK", b"")])
    info = p.handle.info()
    assert info["snd_mss"] == 536 and info["snd_wscale"] == 0 and not info["sack"]
    p.handle.write(b"z" * 2000)
    assert max(len(payload(f)) for f in _data_segments(ipwire.drain(), p)) == 536


# --- T19 -----------------------------------------------------------------------------
@pytest.mark.conformance("T19")
def test_window_scale_both_sides(ipwire):
    """RFC 7323 2.2-2.3: both SYNs carry WS -> windows are scaled after the handshake;
    the SYN-ACK's own window is never scaled."""
    p, sa = _open(ipwire, [("MSS", 1460), ("WScale", 2)], rxbuf=262144, win=100)
    assert opt(sa, "WScale") == 3                     # 256 KiB needs shift 3
    assert sa[TCP].window == 65535                    # unscaled in the SYN-ACK
    info = p.handle.info()
    assert info["snd_wscale"] == 2 and info["rcv_wscale"] == 3
    assert info["snd_wnd"] == 400                     # our view of the peer's window: 100 << 2
    got = p.send_data(b"a" * 10)
    assert got[-1][TCP].window == (262144 - 10) >> 3 or got[-1][TCP].window == 262144 >> 3
    p.handle.write(b"b" * 5000)
    sent = sum(len(payload(f)) for f in _data_segments(ipwire.drain(), p))
    assert sent == 400


@pytest.mark.conformance("T19")
def test_window_scale_needs_both_syns(ipwire):
    p, sa = _open(ipwire, [("MSS", 1460)], rxbuf=262144, win=100)
    assert opt(sa, "WScale") is None                  # not offered back when the SYN had none
    info = p.handle.info()
    assert info["snd_wscale"] == 0 and info["rcv_wscale"] == 0
    p.handle.write(b"b" * 5000)
    assert sum(len(payload(f)) for f in _data_segments(ipwire.drain(), p)) == 100
    got = p.send_data(b"c")
    assert got[-1][TCP].window == 65535               # capped, unscaled


@pytest.mark.conformance("T19")
def test_window_shift_above_14_treated_as_14(ipwire):
    p, _ = _open(ipwire, [("MSS", 1460), ("WScale", 20)], win=1)
    assert p.handle.info()["snd_wscale"] == 14
    assert p.handle.info()["snd_wnd"] == 1 << 14


# --- T20 -----------------------------------------------------------------------------
@pytest.mark.conformance("T20")
def test_timestamps_only_if_negotiated(ipwire):
    p, sa = _open(ipwire, [("MSS", 1460)])
    assert opt(sa, "Timestamp") is None
    p.handle.write(b"q" * 100)
    for f in p.out(ipwire.drain()):
        assert opt(f, "Timestamp") is None


@pytest.mark.conformance("T20")
def test_tsecr_echoes_ts_recent_and_paws_drops_old(ipwire):
    """RFC 7323 3-5: TSecr echoes TS.Recent; a segment with an older TSval is dropped (ACKed)."""
    p, sa = _open(ipwire, [("MSS", 1460), ("Timestamp", (1000, 0))])
    assert opt(sa, "Timestamp")[1] == 1000
    got = p.send_data(b"one", options=[("Timestamp", (2000, opt(sa, "Timestamp")[0]))])
    assert opt(got[-1], "Timestamp")[1] == 2000
    assert p.handle.read() == b"one"
    before = ipwire.counters()
    got = p.send_data(b"old", options=[("Timestamp", (1500, 0))])
    assert ipwire.delta(before).get("tcp_drop_paws") == 1
    assert got and flags_of(got[-1]) == "A" and got[-1][TCP].ack == p.nxt - 3
    assert p.handle.read() is None


# --- T21 -----------------------------------------------------------------------------
@pytest.mark.conformance("T21")
def test_receiver_sends_sack_blocks_most_recent_first(ipwire):
    """RFC 2018 4: out-of-order data is reported in SACK blocks; the first block holds
    the most recently received segment."""
    p, _ = _open(ipwire, [("MSS", 1460), ("SAckOK", b"")])
    base = p.nxt
    g1 = p.send("PA", data=b"B" * 100, seq=base + 100)
    g2 = p.send("PA", data=b"D" * 100, seq=base + 300)
    s1, s2 = opt(g1[-1], "SAck"), opt(g2[-1], "SAck")
    assert g1[-1][TCP].ack == base and s1 == (base + 100, base + 200)
    assert s2[:2] == (base + 300, base + 400) and s2[2:] == (base + 100, base + 200)
    got = p.send("PA", data=b"A" * 100, seq=base)      # fills the first hole
    assert got[-1][TCP].ack == base + 200


@pytest.mark.conformance("T21")
def test_no_sack_blocks_when_not_negotiated(ipwire):
    p, _ = _open(ipwire, [("MSS", 1460)])
    got = p.send("PA", data=b"B" * 100, seq=p.nxt + 100)
    assert opt(got[-1], "SAck") is None and got[-1][TCP].ack == p.nxt


@pytest.mark.conformance("T21")
def test_sender_retransmits_only_the_hole(ipwire):
    """RFC 6675: after SACKs for later data, only the unSACKed hole is retransmitted."""
    p, _ = _open(ipwire, [("MSS", 1000), ("SAckOK", b"")])
    p.handle.write(bytes(range(250)) * 16)            # 4000 bytes: the initial window, 4 segments
    segs = _data_segments(ipwire.drain(), p)
    assert len(segs) == 4
    una = segs[0][TCP].seq
    # the first segment is lost: three duplicate ACKs carrying SACK blocks
    got = []
    for k in range(1, 4):
        got += p.send("A", ack=una, options=[("SAck", (una + 1000, una + 1000 * (k + 1)))])
    rtx = [f for f in got if payload(f)]
    assert len(rtx) == 1 and rtx[0][TCP].seq == una and len(payload(rtx[0])) == 1000
    assert p.handle.info()["fast_retransmits"] == 1
