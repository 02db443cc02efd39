# SPDX-License-Identifier: BSD-3-Clause
"""TCP under attack and overload (issue 11): replies to unacceptable segments are
rate-limited per connection (RFC 5961 10, Linux tcp_invalid_ratelimit), an evicted
half-open entry keeps its handshake in the syncache, a cookie client with no place is
refused at once, listeners have handshake and idle timeouts, and a CLOSED connection
the application never closes can be reclaimed."""
import pytest
from scapy.layers.inet import TCP

import seqs
from tcp.peer import Peer, flags_of, payload


def _open(w, sport=40000, iss=50_000, **kw):
    lst = w.stack.tcp_listen(80, **kw)
    p = Peer(w, 80, sport=sport, iss=iss)
    p.open(lst)
    p.handle.setopt(delack=False)
    return lst, p, p.handle


@pytest.mark.conformance("T41")
def test_unacceptable_segments_get_one_ack_per_500ms_per_connection(ipwire):
    """RFC 5961 10 / Linux tcp_invalid_ratelimit (500 ms): out-of-window segments are
    dropped; the ACK answering them goes out at most once per 500 ms per connection, so
    two stacks cannot ACK each other forever and a blind flood is not reflected."""
    lst, p, c = _open(ipwire)
    far = (p.nxt + 1_000_000) & 0xFFFFFFFF
    first = p.send("A", seq=far)
    assert len(first) == 1 and flags_of(first[0]) == "A" and first[0][TCP].ack == p.nxt
    for _ in range(20):
        assert p.send("A", seq=far) == []
        assert p.send("PA", seq=far, data=b"blind") == []
    ipwire.advance(ms=490)
    assert p.send("A", seq=far) == []
    ipwire.advance(ms=20)
    again = p.send("A", seq=far)
    assert len(again) == 1 and flags_of(again[0]) == "A"
    cnt = ipwire.counters()
    assert cnt["tcp_oow_ratelimited"] == 41 and cnt["tcp_drop_unacceptable"] == 43
    # in-window data is not affected
    got = p.send_data(b"real")
    assert c.read() == b"real" and any(f[TCP].ack == p.nxt for f in got)


@pytest.mark.conformance("T41")
def test_invalid_ratelimit_zero_answers_every_unacceptable_segment(ipwire):
    """invalid_ratelimit_ms = 0 switches the limit off (RFC 9293 3.10.7.4 plain)."""
    ipwire.stack.tcp_config(invalid_ratelimit_ms=0)
    lst, p, c = _open(ipwire)
    far = (p.nxt + 1_000_000) & 0xFFFFFFFF
    assert all(len(p.send("A", seq=far)) == 1 for _ in range(10))


@pytest.mark.conformance("T42")
def test_evicted_half_open_client_is_admitted_from_the_syncache_not_reset(ipwire):
    """A cookie ACK trades a stale half-open entry (its SYN-ACK timed out once) for its
    place; the entry's ISS and options go to the syncache, so when the evicted client's
    ACK finally comes it is held quietly while the listener is full and admitted with
    its window scale once there is room — never reset."""
    st = ipwire.stack
    lst = st.tcp_listen(80, backlog=2)
    a = Peer(ipwire, 80, sport=41000, iss=1000)
    a.syn(options=(("MSS", 1460), ("WScale", 7)))
    rtx = a.out(ipwire.advance(s=1.5))
    assert [flags_of(f) for f in rtx] == ["SA"]                 # stale now
    b = Peer(ipwire, 80, sport=41001, iss=2000)
    b.syn()
    c = Peer(ipwire, 80, sport=41002, iss=3000)
    c.syn()                                                    # the listener is full: a cookie
    assert st.counters()["tcp_syncookie_sent"] == 1
    c.ack()                                                    # evicts a's entry
    cnt = st.counters()
    assert cnt["tcp_syncookie_ok"] == 1 and cnt["tcp_syncache_added"] == 1
    assert a.ack() == []                                       # still full: held, not reset
    assert lst.accept() is not None                            # c: now there is room
    got = a.send_data(b"late")
    assert not [f for f in got if "R" in flags_of(f)]
    conn = lst.accept()
    assert conn is not None and conn.read() == b"late"
    i = conn.info()
    assert i["wscale"] == 1 and i["snd_wscale"] == 7 and i["remote_port"] == 41000
    cnt = st.counters()
    assert cnt["tcp_syncache_ok"] == 1 and cnt["tcp_tx_rst"] == 0


@pytest.mark.conformance("T43")
def test_cookie_client_without_a_place_is_refused_with_rst_at_once(ipwire):
    """Overload never leaves a completed cookie handshake silent: when the cookie ACK
    finds no place (the stale entry it was offered against completed meanwhile), the
    client is refused with RST <SEQ=SEG.ACK> at once."""
    st = ipwire.stack
    lst = st.tcp_listen(80, backlog=1)
    a = Peer(ipwire, 80, sport=42000, iss=1000)
    a.syn()
    ipwire.advance(s=1.5)
    c = Peer(ipwire, 80, sport=42001, iss=5000)
    c.syn()
    assert st.counters()["tcp_syncookie_sent"] == 1
    a.ack()                                                    # a completes: the place is gone
    got = c.ack()
    assert [flags_of(f) for f in got] == ["R"] and got[0][TCP].seq == c.rcv
    assert st.counters()["tcp_overload_refused"] == 1
    assert lst.accept() is not None and lst.accept() is None   # a is served


@pytest.mark.conformance("T44")
def test_listener_handshake_timeout_drops_half_open_entry(ipwire):
    st = ipwire.stack
    lst = st.tcp_listen(80)
    lst.set_timeouts(handshake_ms=2000)
    a = Peer(ipwire, 80, sport=43000)
    a.syn()
    ipwire.advance(ms=1990)
    assert st.counters()["tcp_handshake_timeout"] == 0
    ipwire.advance(ms=20)
    assert st.counters()["tcp_handshake_timeout"] == 1
    got = a.ack()                                              # too late: no such connection
    assert [flags_of(f) for f in got] == ["R"]


@pytest.mark.conformance("T44")
def test_listener_idle_timeout_resets_a_connection_without_payload(ipwire):
    """idle_ms: no payload either way for that long resets the connection (RST to the
    peer, SEQS_ERR_TIMEDOUT to the application, counter tcp_idle_timeout); payload
    restarts the clock; pure ACKs do not."""
    st = ipwire.stack
    lst = st.tcp_listen(80)
    lst.set_timeouts(idle_ms=5000)
    p = Peer(ipwire, 80, sport=44000)
    p.open(lst)
    c = p.handle
    assert p.out(ipwire.advance(ms=4900)) == []
    p.send_data(b"x")
    assert c.read() == b"x"
    p.ack()
    assert [f for f in p.out(ipwire.advance(ms=4900)) if "R" in flags_of(f)] == []
    out = p.out(ipwire.advance(ms=200))
    assert [flags_of(f) for f in out] == ["RA"]
    with pytest.raises(seqs.TimedOut):
        c.read()
    assert st.counters()["tcp_idle_timeout"] == 1


@pytest.mark.conformance("T45")
def test_closed_connection_the_application_never_closes_is_reclaimed(ipwire):
    """Who frees the slot when the peer resets: the application (close()). With
    closed_reclaim_ms set, a CLOSED connection it never closes is released after the
    grace time (counted); by default (0) the handle stays readable."""
    st = ipwire.stack
    st.tcp_config(closed_reclaim_ms=10_000)
    lst, p, c = _open(ipwire)
    p.send("R", seq=p.nxt)
    assert c.state == "CLOSED"
    with pytest.raises(seqs.ConnectionReset):
        c.read()
    ipwire.advance(ms=9900)
    assert c.alive and c.state == "CLOSED"
    ipwire.advance(ms=200)
    assert not c.alive and st.counters()["tcp_conn_reclaimed"] == 1


@pytest.mark.conformance("T45")
def test_closed_connection_stays_until_closed_by_default(ipwire):
    lst, p, c = _open(ipwire)
    p.send("R", seq=p.nxt)
    ipwire.advance(s=600)
    assert c.alive and c.state == "CLOSED"
    c.close()
    assert not c.alive
