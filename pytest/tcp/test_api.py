# SPDX-License-Identifier: BSD-3-Clause
"""The Python TCP API and handle safety (generation counters)."""
import pytest

seqs = pytest.importorskip("seqs")


def _pair():
    a = seqs.Stack(mac="02:00:00:00:00:0a", seed=1, gratuitous=False)
    b = seqs.Stack(mac="02:00:00:00:00:0b", seed=2, gratuitous=False)
    a.set_addr("192.0.2.1/24")
    b.set_addr("192.0.2.2/24")
    return a, b


def _pump(a, b, t, rounds=20):
    for _ in range(rounds):
        t += 100
        fa, fb = a.output_all(t), b.output_all(t)
        if not fa and not fb:
            a.poll(t)
            b.poll(t)
        for f in fa:
            b.input(f, t)
        for f in fb:
            a.input(f, t)
    return t


def test_stale_handle_after_abort_and_slot_reuse():
    a, b = _pair()
    b.tcp_listen(80)
    c1 = a.tcp_connect("192.0.2.2", 80)
    c1.abort()
    c2 = a.tcp_connect("192.0.2.2", 80)
    assert c2.handle & 0xFF == c1.handle & 0xFF       # same slot ...
    assert c2.handle != c1.handle                     # ... another generation
    with pytest.raises(seqs.BadHandle):
        c1.state
    with pytest.raises(seqs.BadHandle):
        c1.write(b"x")
    assert c2.state == "SYN_SENT"


def test_echo_and_info_counters():
    a, b = _pair()
    lst = b.tcp_listen(7)
    c = a.tcp_connect("192.0.2.2", 7)
    t = _pump(a, b, 1000)
    s = lst.accept()
    assert s is not None and lst.accept() is None
    c.write(b"ping" * 100)
    t = _pump(a, b, t)
    s.write(s.read_all())
    t = _pump(a, b, t)
    assert c.read_all() == b"ping" * 100
    i = c.info()
    assert i["state"] == "ESTABLISHED" and i["sack"] and i["tstamp"] and i["wscale"] in (0, 1)
    assert i["srtt_us"] > 0 and i["rto_us"] >= 200_000 and i["cwnd"] > 0 and i["retransmits"] == 0
    assert i["local_port"] == c.local[1] and i["remote_port"] == 7 and i["remote_addr"] == "192.0.2.2"


def test_errors_are_exceptions():
    a, b = _pair()
    with pytest.raises(seqs.AddressInUse):
        b.tcp_listen(80)
        b.tcp_listen(80)
    c = a.tcp_connect("192.0.2.2", 81)               # nobody listens there
    _pump(a, b, 1000)
    assert c.state == "CLOSED"
    with pytest.raises(seqs.ConnectionRefused):
        c.read()
    cfg = a.tcp_config()
    assert cfg["msl_ms"] == 60000 and cfg["syncookies"] == 1
    with pytest.raises(seqs.InvalidArgument):
        a.tcp_config(msl_ms=0)


def test_cwnd_restarts_after_idle():
    """RFC 5681 4.1: after more than an RTO without sending, cwnd falls back to the initial window."""
    a, b = _pair()
    lst = b.tcp_listen(80, rxbuf=65536, txbuf=65536)
    c = a.tcp_connect("192.0.2.2", 80, rxbuf=65536, txbuf=65536)
    t = _pump(a, b, 1000)
    s = lst.accept()
    for _ in range(20):
        c.write(b"x" * 20000)
        t = _pump(a, b, t)
        s.read_all()
    t = _pump(a, b, t + 100_000)                     # delayed ACKs out: nothing in flight
    assert c.info()["flight"] == 0
    grown = c.info()["cwnd"]
    mss = c.info()["snd_mss"]
    assert grown > 4 * mss
    a.poll(t + 5_000_000)
    assert c.info()["cwnd"] == 4 * mss and c.info()["rto_expirations"] == 0


def test_connect_to_unresolvable_neighbour_fails_unreachable():
    """A SYN whose neighbour never answers ARP: connect() fails with Unreachable once
    ARP has given up (RFC 1122 4.2.3.9), long before the SYN's R2."""
    a, _ = _pair()
    c = a.tcp_connect("192.0.2.99", 80)
    t = 1000
    while c.state == "SYN_SENT" and t < 60_000_000:
        d = a.next_deadline()
        t = max(t + 1, d if d is not None else t + 1_000_000)
        a.output_all(t)
    assert c.state == "CLOSED" and t < 20_000_000
    with pytest.raises(seqs.Unreachable):
        c.read()


def test_buffers_of_gone_connections_are_dropped():
    """Stack._buffers keeps a connection's buffers while C may use them, not forever."""
    a, b = _pair()
    for _ in range(20):
        c = a.tcp_connect("192.0.2.2", 80)
        c.abort()
    assert len([k for k in a._buffers if k[0] == "tcp"]) <= 1
