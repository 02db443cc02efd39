# SPDX-License-Identifier: BSD-3-Clause
"""Many Linux connections at once to one seqs port: 100 kernel sockets in the
peer's namespace connect to seqs-tap --tcp-echo together (one burst of 100
SYNs), are all open at the same time, each echoes 64 KiB of its own bytes, and
all close cleanly; afterwards the stack's TCP table is empty (no leaked
connection). seqs-tap is built with its own limits (tools/seqs-tap/
seqs_tap_opts.h: 128 connections) so the library keeps the small defaults."""
import selectors
import socket
import threading
import time

import pytest

from harness.tapwire import in_netns
from interop_peer import SEQS_IP
from tcp_peer import Deadline, assert_seqs_reset_nothing_live, random_bytes, report, service, sha256, tcp_errors

pytestmark = [pytest.mark.root]

N = 100
SIZE = 64 << 10
BUDGET_S = 60


def open_all(ns_name: str, port: int, n: int, dl: Deadline) -> list[socket.socket]:
    """n non-blocking connects issued back to back (a burst of SYNs), then
    waits until every one completed; fails on any refused/reset connect."""
    socks = []
    with in_netns(ns_name):
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            socks.append(s)
    for s in socks:
        err = s.connect_ex((SEQS_IP, port))
        assert err in (0, 115), f"connect: {err}"          # EINPROGRESS
    sel = selectors.DefaultSelector()
    for i, s in enumerate(socks):
        sel.register(s, selectors.EVENT_WRITE, i)
    pending = len(socks)
    while pending:
        dl.check(f"connecting, {pending} of {n} still in progress")
        for key, _ in sel.select(timeout=min(1.0, dl.left())):
            s = key.fileobj
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            assert err == 0, f"connection {key.data} failed: {err}"
            sel.unregister(s)
            pending -= 1
    sel.close()
    for s in socks:
        s.setblocking(True)
    return socks


def test_100_concurrent_linux_connections_echo_64kib_each_and_leave_nothing_open(make_peer):
    peer = make_peer(["--tcp-echo", "7"])
    limits = peer.proc.snapshot()["tcp"]
    assert limits["pool_slots"] >= N and limits["max_conns"] >= N, \
        f"this seqs-tap cannot hold {N} connections on one port: {limits} (tools/seqs-tap/seqs_tap_opts.h)"
    run_100(peer)


def run_100(peer):
    dl = Deadline(BUDGET_S, f"{N} concurrent connections x 64 KiB echo")
    datas = [random_bytes(SIZE, 1000 + i) for i in range(N)]
    t0 = time.monotonic()
    socks = open_all(peer.ns.name, 7, N, dl)
    t_connect = time.monotonic() - t0

    # All 100 are open on the Linux side; seqs must have all of them too.
    while True:
        snap = service(peer.proc.snapshot(), "tcp-echo")
        if snap["accepted"] + snap["accept_pending"] >= N or time.monotonic() > t0 + 3:
            break
        time.sleep(0.02)
    open_at_seqs = snap["active"] + snap["accept_pending"]

    results = [None] * N

    def run(i):
        s = socks[i]
        s.settimeout(dl.left())
        def send():
            try:
                s.sendall(datas[i])
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass            # the receive side reports the broken connection
        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        got = bytearray()
        try:
            while True:
                chunk = s.recv(1 << 16)
                if not chunk:
                    break
                got += chunk
        except OSError as e:
            results[i] = repr(e)
            return
        sender.join(dl.left())
        results[i] = (s.getsockname()[1], bytes(got))
        s.close()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(dl.left())
    dl.check("echo phase")
    took = time.monotonic() - t0
    bad = [i for i in range(N) if not isinstance(results[i], tuple) or results[i][1] != datas[i]]
    assert not bad, f"{len(bad)} connections did not get their 64 KiB back intact, e.g. #{bad[0]}: " \
                    f"{results[bad[0]] if not isinstance(results[bad[0]], tuple) else len(results[bad[0]][1])}"

    # Every connection ends at seqs too (seqs closes second: LAST-ACK -> CLOSED, no TIME-WAIT).
    while True:
        snap_all = peer.proc.snapshot()
        e = service(snap_all, "tcp-echo")
        if (e["active"] == 0 and snap_all["tcp"]["conns_used"] == 0) or time.monotonic() > dl.end:
            break
        time.sleep(0.05)
    errors = tcp_errors(peer)
    final = peer.proc.stop()
    e = service(final, "tcp-echo")
    report("tcp-100-concurrent", connect_s=round(t_connect, 3), total_s=round(took, 2), open_at_seqs=open_at_seqs,
           max_active=e["max_active"], pool_slots=final["tcp"]["pool_slots"], sizeof_tcp_conn=final["sizes"]["tcp_conn"],
           rxbuf_txbuf=2 * SIZE, syncookies=final["counters"]["tcp_syncookie_sent"],
           retransmits=final["counters"]["tcp_tx_retransmit"], tap_tx_err=final["tool"]["tap_tx_err"])

    assert snap_all["tcp"]["conns_used"] == 0 and e["active"] == 0, \
        f"connections left open at seqs after every client closed: {snap_all['tcp']}"
    assert e["accepted"] == N and e["closed"] == N and e["errors"] == 0, e
    assert e["accept_pending"] == 0
    by_port = {r["peer"].split(":")[1]: r for r in e["conns"]}
    assert len(by_port) == N
    for i in range(N):
        port, got = results[i]
        r = by_port[str(port)]
        want = sha256(datas[i])
        assert (r["bytes_in"], r["bytes_out"]) == (SIZE, SIZE), r
        assert r["sha256_in"] == want and r["sha256_out"] == want, r
        assert "error" not in r and not r["live"], r
    assert not errors, f"Linux counted errors in what seqs sent: {errors}"
    assert_seqs_reset_nothing_live(final["counters"])
    # The point of the test: all 100 were open at seqs at the same time.
    assert open_at_seqs == N and e["max_active"] == N, \
        f"only {max(open_at_seqs, e['max_active'])} of the {N} connections were open at seqs at once"
