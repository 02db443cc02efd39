# SPDX-License-Identifier: BSD-3-Clause
"""TCP segment validation in synchronized states (RFC 9293 3.10.7.4, RFC 5961)
and malformed headers (RFC 9293 3.1-3.2): rows T10-T16."""
import socket
import struct

import pytest
from scapy.layers.inet import TCP
from scapy.utils import checksum

from harness import US, PEER, expect_none
from harness.build import ip_header, raw_frame
from tcp.peer import Peer, flags_of


@pytest.fixture
def est(ipwire):
    """An ESTABLISHED passive connection: (wire, peer, stack-side connection)."""
    lst = ipwire.stack.tcp_listen(80)
    p = Peer(ipwire, 80, iss=10_000)
    p.open(lst)
    p.handle.setopt(delack=False)
    return ipwire, p, p.handle


def _only_ack(got, p):
    assert len(got) == 1, [f.summary() for f in got]
    f = got[0]
    assert flags_of(f) == "A" and f[TCP].ack == p.nxt
    return f


# --- T10 -----------------------------------------------------------------------------
@pytest.mark.conformance("T10")
@pytest.mark.parametrize("offset", [100_000, -5000], ids=["beyond-window", "old"])
def test_out_of_window_segment_gets_ack_not_rst(est, offset):
    """RFC 9293 3.10.7.4 first check: an unacceptable segment -> <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, dropped."""
    w, p, c = est
    got = p.send("PA", data=b"junk", seq=(p.nxt + offset) & 0xFFFFFFFF)
    _only_ack(got, p)
    assert c.read() is None


# --- T11 -----------------------------------------------------------------------------
@pytest.mark.conformance("T11")
def test_rst_at_rcv_nxt_resets(est):
    w, p, c = est
    expect_none(p.send("R", seq=p.nxt))
    assert c.state == "CLOSED"
    with pytest.raises(ConnectionResetError):        # seqs.ConnectionReset is one
        c.read()


@pytest.mark.conformance("T11")
def test_rst_in_window_not_exact_gets_challenge_ack(est):
    """RFC 5961 3.2: in-window RST with SEQ != RCV.NXT -> challenge ACK, connection kept."""
    w, p, c = est
    before = w.snapshot()
    got = p.send("R", seq=p.nxt + 100)
    _only_ack(got, p)
    assert c.state == "ESTABLISHED"
    w.assert_delta(before, tcp_tx_challenge_ack=1)


@pytest.mark.conformance("T11")
def test_rst_outside_window_dropped_silently(est):
    w, p, c = est
    expect_none(p.send("R", seq=(p.nxt + 1_000_000) & 0xFFFFFFFF))
    assert c.state == "ESTABLISHED"


# --- T12 -----------------------------------------------------------------------------
@pytest.mark.conformance("T12")
def test_syn_in_established_gets_challenge_ack(est):
    """RFC 5961 4.2: a SYN in a synchronized state -> challenge ACK, connection unaffected."""
    w, p, c = est
    got = p.send("S", seq=p.nxt + 10)
    _only_ack(got, p)
    assert c.state == "ESTABLISHED"
    p.send_data(b"still here")
    assert c.read() == b"still here"


# --- T13 -----------------------------------------------------------------------------
@pytest.mark.conformance("T13")
def test_ack_beyond_snd_nxt_dropped_and_acked(est):
    """RFC 5961 5.2: SEG.ACK > SND.NXT -> the segment is dropped and an ACK sent."""
    w, p, c = est
    got = p.send("PA", data=b"abc", ack=(p.rcv + 5000) & 0xFFFFFFFF, advance=False)
    f = _only_ack(got, p)
    assert f[TCP].seq == p.rcv
    assert c.read() is None


@pytest.mark.conformance("T13")
def test_ack_older_than_max_window_dropped_and_acked(est):
    """RFC 5961 5.2: SEG.ACK < SND.UNA - MAX.SND.WND -> dropped, ACK sent."""
    w, p, c = est
    got = p.send("PA", data=b"abc", ack=(p.rcv - 200_000) & 0xFFFFFFFF, advance=False)
    _only_ack(got, p)
    assert c.read() is None


@pytest.mark.conformance("T13")
def test_challenge_acks_are_rate_limited(est):
    """RFC 5961 7: at most SEQS_TCP_CHALLENGE_ACK_LIMIT (10) challenge ACKs per second."""
    w, p, c = est
    before = w.counters()
    acks = 0
    for i in range(30):
        acks += len(p.send("R", seq=p.nxt + 10 + i))
    d = w.delta(before)
    assert acks == 10 and d.get("tcp_tx_challenge_ack") == 10
    assert d.get("tcp_challenge_ratelimited") == 20
    w.advance(s=1.1)
    assert len(p.send("R", seq=p.nxt + 5)) == 1


# --- T14 -----------------------------------------------------------------------------
@pytest.mark.conformance("T14")
def test_segment_without_ack_flag_dropped(est):
    """RFC 9293 3.10.7.4 fifth check: no ACK bit -> drop (packetdrill validate-established-no-flags)."""
    w, p, c = est
    expect_none(p.send("P", data=b"noack", advance=False))
    expect_none(p.send("", data=b"noflags", advance=False))
    assert c.read() is None
    p.send_data(b"ok")
    assert c.read() == b"ok"


# --- T15 -----------------------------------------------------------------------------
@pytest.mark.conformance("T15")
@pytest.mark.parametrize("csum", [0x1234, 0], ids=["bad", "zero"])
def test_bad_or_zero_checksum_dropped(est, csum):
    """RFC 9293 3.1: a segment failing the checksum is dropped: no ACK, no RST."""
    w, p, c = est
    before = w.counters()
    expect_none(w.send(p.seg("PA", data=b"evil", chksum=csum)))
    assert w.delta(before).get("tcp_drop_checksum") == 1
    assert c.read() is None


# --- T16 -----------------------------------------------------------------------------
def _raw_tcp(p, flags=0x18, doff=5, options=b"", data=b"", reserved=0, seq=None):
    hdr = struct.pack("!HHIIBBHHH", p.sport, p.dport, p.nxt if seq is None else seq, p.rcv,
                      (doff << 4) | (reserved & 0xF), flags, 65535, 0, 0) + options
    seg = hdr + data
    pseudo = socket.inet_aton(PEER) + socket.inet_aton(US) + struct.pack("!BBH", 0, 6, len(seg))
    cs = checksum(pseudo + seg)
    seg = seg[:16] + struct.pack("!H", cs) + seg[18:]
    return raw_frame(ip_header(proto=6, payload_len=len(seg)) + seg)


@pytest.mark.conformance("T16")
@pytest.mark.parametrize("doff,opts", [(4, b""), (15, b""), (6, b"\x02\x00\x00\x00"), (6, b"\x08\x01\x00\x00"),
                                       (6, b"\x01\x01\x05\x0a")],
                         ids=["doff<5", "doff-past-segment", "optlen0", "optlen1", "optlen-overrun"])
def test_malformed_header_or_options_dropped(est, doff, opts):
    w, p, c = est
    before = w.counters()
    expect_none(w.send(_raw_tcp(p, doff=doff, options=opts, data=b"bad!")))
    assert w.delta(before).get("tcp_drop_header") == 1
    assert c.read() is None


@pytest.mark.conformance("T16")
def test_unknown_option_skipped_and_reserved_bits_ignored(est):
    """Unknown option kinds are skipped by their length; reserved bits (and the
    old ECN bits) do not change processing."""
    w, p, c = est
    frame = _raw_tcp(p, doff=7, options=b"\xfd\x06abcd" + b"\x01\x00", data=b"fine", reserved=0xE)
    w.send(frame)
    p.nxt += 4
    assert c.read() == b"fine"
