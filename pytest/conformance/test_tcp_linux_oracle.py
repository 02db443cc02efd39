# SPDX-License-Identifier: BSD-3-Clause
"""TCP conformance tests run unchanged against the Linux kernel (harness.kernelwire:
Linux behind a TAP device in a private netns), so the tests' expectations are
checked by an implementation that is not ours.

For tests that open a listener, the kernel wire gets a small `stack` shim whose
tcp_listen() opens a real Linux listening socket inside the namespace; accepted
sockets answer read/write/state/close like seqs.TcpConnection (state from TCP_INFO).
EXCLUDED lists the TCP tests Linux is not asked to confirm, with the reason."""
from __future__ import annotations

import errno
import importlib
import inspect
import os
import socket
import struct

import pytest

from harness import PEER, PEER_MAC
from harness.fixtures import _pcap_name

pytestmark = [pytest.mark.root]

# (module, test, params). Tests taking `est` get an ESTABLISHED passive connection.
CASES = [
    ("test_tcp_handshake", "test_syn_to_listener_gets_synack_with_mss_then_data_flows", {}),
    ("test_tcp_handshake", "test_listener_serves_many_connections_on_one_port", {}),
    ("test_tcp_handshake", "test_syn_to_closed_port_gets_rst_ack", {}),
    ("test_tcp_handshake", "test_data_without_ack_to_closed_port_acks_its_length", {}),
    ("test_tcp_handshake", "test_ack_to_closed_port_gets_rst_seq_ack", {}),
    ("test_tcp_handshake", "test_rst_to_closed_port_gets_nothing", {}),
    ("test_tcp_handshake", "test_listen_ack_gets_rst_and_rst_is_ignored", {}),
    ("test_tcp_handshake", "test_listen_odd_flags_no_crash_no_state", {"flags": "SF"}),
    ("test_tcp_handshake", "test_listen_odd_flags_no_crash_no_state", {"flags": "SR"}),
    ("test_tcp_handshake", "test_listen_odd_flags_no_crash_no_state", {"flags": ""}),
    ("test_tcp_handshake", "test_syn_received_unacceptable_ack_gets_rst", {}),
    ("test_tcp_security", "test_out_of_window_segment_gets_ack_not_rst", {"offset": 100_000}),
    ("test_tcp_security", "test_out_of_window_segment_gets_ack_not_rst", {"offset": -5000}),
    ("test_tcp_security", "test_rst_at_rcv_nxt_resets", {}),
    ("test_tcp_security", "test_rst_in_window_not_exact_gets_challenge_ack", {}),
    ("test_tcp_security", "test_rst_outside_window_dropped_silently", {}),
    ("test_tcp_security", "test_syn_in_established_gets_challenge_ack", {}),
    ("test_tcp_security", "test_ack_beyond_snd_nxt_dropped_and_acked", {}),
    ("test_tcp_security", "test_segment_without_ack_flag_dropped", {}),
    ("test_tcp_data", "test_out_of_order_buffered_dup_ack_then_jump", {}),
    ("test_tcp_data", "test_overlapping_and_duplicate_segments_deliver_each_byte_once", {}),
    ("test_tcp_close", "test_fin_to_closed_port_gets_rst_not_processed", {}),
    ("test_tcp_close", "test_out_of_order_fin_waits_for_the_hole", {}),
    ("test_tcp_close", "test_close_with_unread_data_sends_rst", {}),
    ("test_tcp_opts", "test_no_peer_mss_means_536_byte_segments", {}),
    ("test_tcp_opts", "test_timestamps_only_if_negotiated", {}),
    ("test_tcp_opts", "test_receiver_sends_sack_blocks_most_recent_first", {}),
    ("test_tcp_opts", "test_no_sack_blocks_when_not_negotiated", {}),
    ("test_tcp_data", "test_peer_sequence_wraps_through_handshake_data_sack_and_close", {}),
    ("test_tcp_data", "test_nagle_coalesces_small_writes_while_unacked", {}),
]

EXCLUDED = {
    "test_tcp_security.test_challenge_acks_are_rate_limited": "Linux: 1000/s global with randomisation; seqs: 10/s",
    "test_tcp_security.test_ack_older_than_max_window_dropped_and_acked":
        "Linux rate-limits that ACK per socket (tcp_invalid_ratelimit) right after the previous one",
    "test_tcp_data.test_single_segment_ack_is_delayed_but_under_500ms": "Linux quick-ACKs a new connection",
    "*counters/info/virtual time*": "tests reading seqs counters, seqs_tcp_info or waiting minutes of virtual time",
    "*options*": "Linux picks its own initial window, window scale and SACK/timestamp policy",
}

_LINUX_STATES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECEIVED", 4: "FIN_WAIT_1", 5: "FIN_WAIT_2",
                 6: "TIME_WAIT", 7: "CLOSED", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING"}


def _in_ns(ns, fn):
    from harness import kernelwire
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/var/run/netns/{ns}", os.O_RDONLY)
    try:
        kernelwire._setns(target)
        try:
            return fn()
        finally:
            kernelwire._setns(own)
    finally:
        os.close(own)
        os.close(target)


class LinuxConn:
    def __init__(self, s):
        self.s = s
        s.setblocking(False)

    def read(self, n=65536):
        try:
            return self.s.recv(n)
        except BlockingIOError:
            return None

    def read_all(self):
        out = b""
        while True:
            d = self.read()
            if not d:
                return out
            out += d

    def write(self, data):
        return self.s.send(data)

    def setopt(self, nodelay=None, keepalive=None, delack=None):
        if nodelay is not None:
            self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, int(bool(nodelay)))

    @property
    def state(self):
        info = self.s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
        return _LINUX_STATES.get(info[0], "?%d" % info[0])

    @property
    def remote(self):
        return self.s.getpeername()

    def close(self):
        self.s.close()

    def abort(self):
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.s.close()


class LinuxListener:
    def __init__(self, ns, port, backlog):
        def mk():
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", port))
            s.listen(backlog)
            s.setblocking(False)
            return s
        self.s = _in_ns(ns, mk)

    def accept(self):
        try:
            c, _ = self.s.accept()
        except BlockingIOError:
            return None
        return LinuxConn(c)

    @property
    def pending(self):
        return 0


class LinuxStack:
    def __init__(self, ns):
        self.ns = ns
        self.listeners = []

    def tcp_listen(self, port, backlog=4, rxbuf=None, txbuf=None, slots=None):
        l = LinuxListener(self.ns, port, backlog)
        self.listeners.append(l)
        return l


@pytest.fixture
def kernel_wire(request):
    from harness import kernelwire
    why = kernelwire.available()
    if why:
        pytest.skip(why)
    w = kernelwire.KernelWire(pcap_path=_pcap_name(request.node, 0))
    # Linux: no RST rate limit from the namespace's defaults gets in the way of these few segments
    w.stack = LinuxStack(w.ns)
    yield w
    for l in w.stack.listeners:
        l.s.close()
    rep = getattr(request.node, "rep_call", None)
    w.close(keep_pcap=rep is None or not rep.passed)


def _case_id(c):
    module, name, params = c
    p = ",".join(f"{k}={v!r}" for k, v in params.items())
    return f"{module[9:]}.{name[5:]}" + (f"[{p}]" if p else "")


@pytest.mark.parametrize("module,name,params", CASES, ids=[_case_id(c) for c in CASES])
def test_linux_agrees(kernel_wire, module, name, params):
    """Linux passes the same TCP conformance test (so its expectation is right)."""
    mod = importlib.import_module(module)
    fn = getattr(mod, name, None)
    assert fn is not None, f"{module}.{name} is gone: update CASES"
    wanted = inspect.signature(fn).parameters
    kernel_wire.resolve_peer(PEER, PEER_MAC)
    args = dict(params)
    if "ipwire" in wanted:
        args["ipwire"] = kernel_wire
    if "est" in wanted:
        from tcp.peer import Peer
        lst = kernel_wire.stack.tcp_listen(80)
        p = Peer(kernel_wire, 80, iss=10_000)
        p.open(lst)
        args["est"] = (kernel_wire, p, p.handle)
    fn(**args)
