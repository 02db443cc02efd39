# SPDX-License-Identifier: BSD-3-Clause
"""Python API paper cuts (issue 12): each error says what is wrong and which limit applies."""
import os
import subprocess
import sys

import pytest

import seqs
from seqs.testing import PEER, PEER_MAC, SimWire


def test_wrong_keyword_to_stack_is_one_clean_type_error():
    """A typo in Stack(...) raises TypeError naming the keyword, and nothing else is printed
    (no 'Exception ignored in __del__' trace from the half-made object)."""
    code = "import seqs\ntry:\n    seqs.Stack(mtuu=1500)\nexcept TypeError as e:\n    print('TypeError:', e)\n"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0, r.stderr
    assert "unexpected keyword argument 'mtuu'" in r.stdout
    assert "Exception ignored" not in r.stderr and "Traceback" not in r.stderr, r.stderr


@pytest.mark.parametrize("gateway", ["198.51.100.1", "192.0.3.1"])
def test_gateway_outside_the_subnet_says_so(gateway):
    st = seqs.Stack()
    with pytest.raises(seqs.InvalidArgument, match=r"gateway is outside the subnet 192\.0\.2\.0/24"):
        st.set_addr("192.0.2.2/24", gateway=gateway)
    assert st.addr is None


def test_gateway_equal_to_our_address_says_so():
    with pytest.raises(seqs.InvalidArgument, match="gateway is our own address"):
        seqs.Stack().set_addr("192.0.2.2/24", gateway="192.0.2.2")


def test_on_link_gateway_accepted():
    st = seqs.Stack()
    st.set_addr("192.0.2.2/24", gateway="192.0.2.1")
    assert st.addr == ("192.0.2.2", 24, "192.0.2.1")


def test_no_free_udp_slot_names_the_limit():
    st = seqs.Stack(max_udp_sockets=2)
    kept = [st.udp_socket(), st.udp_socket()]
    with pytest.raises(seqs.NoSlot, match=r"all 2 UDP socket slots are in use \(Stack\(max_udp_sockets=2\); "
                                          r"at most SEQS_MAX_UDP_SOCKETS=%d" % seqs.MAX_UDP_SOCKETS):
        st.udp_socket()
    assert len(kept) == 2


def test_no_free_tcp_listener_slot_names_the_limit():
    st = seqs.Stack(max_tcp_listeners=1)
    st.set_addr("192.0.2.2/24")
    kept = st.tcp_listen(80)
    with pytest.raises(seqs.NoSlot, match=r"tcp_listen\(81, backlog=4\): all 1 TCP listener slots are in use "
                                          r"\(Stack\(max_tcp_listeners=1\)"):
        st.tcp_listen(81)
    assert kept.port == 80


def test_no_free_tcp_connection_slot_names_the_limit():
    st = seqs.Stack(max_tcp_conns=1)
    st.set_addr("192.0.2.2/24")
    kept = st.tcp_connect(PEER, 80)
    with pytest.raises(seqs.NoSlot, match=r"all 1 TCP connection slots are in use \(Stack\(max_tcp_conns=1\); "
                                          r"at most SEQS_MAX_TCP_CONNS=%d" % seqs.MAX_TCP_CONNS):
        st.tcp_connect(PEER, 81)
    assert kept.state == "SYN_SENT"


def test_info_rto_us_is_documented():
    doc = seqs.TcpConnection.info.__doc__
    assert "rto_us" in doc and "RFC 6298" in doc and "doubled after each expiry" in doc


def test_info_rto_us_tracks_backoff():
    """RFC 6298 5.5: after each expiry the timer doubles; info()["rto_us"] should say so."""
    w = SimWire()
    w.configure("192.0.2.2/24")
    w.resolve_peer(PEER, PEER_MAC)
    c = w.stack.tcp_connect(PEER, 80)
    w.drain()                              # the SYN
    seen = [c.info()["rto_us"]]
    for _ in range(3):                     # no SYN-ACK: the SYN is retransmitted 1, 2, 4 s later
        w.advance(us=seen[-1] + 1000)
        seen.append(c.info()["rto_us"])
    assert c.info()["rto_expirations"] == 3
    assert seen == [1_000_000, 2_000_000, 4_000_000, 8_000_000]
