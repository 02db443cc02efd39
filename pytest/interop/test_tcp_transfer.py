# SPDX-License-Identifier: BSD-3-Clause
"""10 MiB each way between Linux's TCP and seqs's TCP over a TAP device, with
Linux as the client (seqs-tap --tcp-discard / --tcp-source) and as the server
(seqs-tap --tcp-client), at 0 % and at 2 % seeded loss in each direction.

Every byte is accounted for by SHA-256 on both ends: Python's hashlib on the
Linux side, seqs-tap's own SHA-256 (tools/seqs-tap/sha256.c) on the seqs side,
which reports the digest of what it received and of what it sent. Linux sends
seeded random bytes; seqs sends the pattern i mod 251. Each test has a 60 s
budget and fails with the step that ran out of time."""
import socket
import time

import pytest

from interop_peer import LINUX_IP
from tcp_peer import (MIB, Deadline, assert_seqs_reset_nothing_live, Thread, connect, listen, mbit_s, pattern, random_bytes, recv_all, report,
                      send_and_close_write, service, sha256, tcp_errors, wait_idle)

pytestmark = [pytest.mark.root]

N = 10 * MIB
BUDGET_S = 60
LOSS = [pytest.param(0.0, id="loss0"), pytest.param(0.02, id="loss2pct")]


def loss_args(loss, seed):
    return ["--loss", str(loss), "--seed", str(seed)] if loss else []


@pytest.mark.conformance("I15")
@pytest.mark.parametrize("loss", LOSS)
def test_linux_client_moves_10mib_each_way_and_sha256_match(make_peer, loss):
    """Linux connects to seqs: 10 MiB Linux -> seqs (discard), then 10 MiB
    seqs -> Linux (source, which closes after exactly 10 MiB)."""
    dl = Deadline(BUDGET_S, f"Linux client, 10 MiB each way, loss {loss:.0%}")
    peer = make_peer(["--tcp-discard", "9", "--tcp-source", f"19:{N}", *loss_args(loss, 21)])
    data = random_bytes(N, 1)

    # Linux -> seqs. seqs answers our FIN with its own once it has read everything.
    s = connect(peer.ns.name, 9, timeout=dl.left())
    t0 = time.monotonic()
    send_and_close_write(s, data)
    s.settimeout(dl.left())
    assert s.recv(1) == b"", "seqs's discard service sent data"
    up_s = time.monotonic() - t0
    s.close()
    dl.check("Linux -> seqs")

    # seqs -> Linux
    s = connect(peer.ns.name, 19, timeout=dl.left())
    t0 = time.monotonic()
    got, _ = recv_all(s, deadline=dl, step="seqs -> Linux")
    down_s = time.monotonic() - t0
    s.close()

    snap = wait_idle(peer.proc, ["tcp-discard", "tcp-source"], dl)
    errors = tcp_errors(peer)
    final = peer.proc.stop()
    d, src = service(final, "tcp-discard"), service(final, "tcp-source")
    report(f"linux-client-10MiB-loss{loss:.0%}", up_s=round(up_s, 2), up_mbit_s=mbit_s(N, up_s),
           down_s=round(down_s, 2), down_mbit_s=mbit_s(N, down_s),
           seqs_retransmits=src["retransmits"], seqs_fast_retransmits=src["fast_retransmits"],
           seqs_rto=src["rto_expirations"], loss_drops=[final["tool"]["loss_drop_rx"], final["tool"]["loss_drop_tx"]])

    assert len(d["conns"]) == 1 and len(src["conns"]) == 1, (d["conns"], src["conns"])
    dc, sc = d["conns"][0], src["conns"][0]
    assert dc["bytes_in"] == N, f"seqs received {dc['bytes_in']} of {N} bytes"
    assert dc["sha256_in"] == sha256(data), "seqs's SHA-256 of what it received differs from what Linux sent"
    assert len(got) == N, f"Linux received {len(got)} of {N} bytes"
    assert sha256(got) == sha256(pattern(N)), "Linux received a corrupted stream"
    assert sc["bytes_out"] == N and sc["sha256_out"] == sha256(got), sc
    assert "error" not in dc and "error" not in sc, (dc, sc)
    assert snap["tcp"]["conns_used"] <= 1 and snap["tcp"].get("ESTABLISHED", 0) == 0   # at most source's TIME-WAIT
    assert not errors, f"Linux counted errors in what seqs sent: {errors}"
    assert_seqs_reset_nothing_live(final["counters"])
    if loss:
        assert final["tool"]["loss_drop_rx"] > 0 and final["tool"]["loss_drop_tx"] > 0
        assert src["retransmits"] > 0
    else:
        assert final["counters"]["tcp_tx_retransmit"] == 0


@pytest.mark.conformance("I15")
@pytest.mark.parametrize("loss", LOSS)
def test_linux_server_moves_10mib_each_way_and_sha256_match(make_peer, loss):
    """seqs connects to a Linux listener: sends 10 MiB, half-closes, then reads
    the 10 MiB Linux sends back and closes (seqs-tap --tcp-client A:P:SEND:RECV)."""
    dl = Deadline(BUDGET_S, f"Linux server, 10 MiB each way, loss {loss:.0%}")
    peer = make_peer(["--tcp-client", f"{LINUX_IP}:5001:{N}:{N}", "--duration", str(BUDGET_S - 5),
                      *loss_args(loss, 22)], start=False)
    ls = listen(peer.ns.name, 5001)
    ls.settimeout(dl.left())
    data = random_bytes(N, 2)

    def serve():
        c, _ = ls.accept()
        ls.close()
        t0 = time.monotonic()
        got, first = recv_all(c, deadline=dl, step="Linux server receiving")
        t_in = time.monotonic() - (first or t0)
        t1 = time.monotonic()
        c.settimeout(dl.left())
        send_and_close_write(c, data)
        rest = c.recv(1)           # seqs closes once it has read all of it
        t_out = time.monotonic() - t1
        c.close()
        return got, t_in, t_out, rest

    th = Thread(serve)
    th.start()
    peer.proc.start()
    try:
        final = peer.proc.wait_final(timeout=dl.left())
    except (RuntimeError, TimeoutError) as e:
        raise AssertionError(f"{dl.what}: seqs-tap's client did not finish cleanly within the budget: {e}")
    got, t_in, t_out, rest = th.join_checked(dl.left(), "Linux server")
    c = service(final, "tcp-client")
    report(f"linux-server-10MiB-loss{loss:.0%}", seqs_to_linux_s=round(t_in, 2), seqs_to_linux_mbit_s=mbit_s(N, t_in),
           linux_to_seqs_s=round(t_out, 2), linux_to_seqs_mbit_s=mbit_s(N, t_out),
           seqs_duration_s=round(c["duration_us"] / 1e6, 2), seqs_retransmits=c["retransmits"],
           seqs_fast_retransmits=c["fast_retransmits"], seqs_rto=c["rto_expirations"])

    assert rest == b"", "seqs sent more after its 10 MiB"
    assert len(got) == N, f"Linux received {len(got)} of {N} bytes"
    assert sha256(got) == sha256(pattern(N)), "Linux received a corrupted stream"
    assert c["done"] is True and c["bytes_out"] == N and c["bytes_in"] == N, c
    assert c["sha256_out"] == sha256(got), "seqs's SHA-256 of what it sent differs from what Linux received"
    assert c["sha256_in"] == sha256(data), "seqs's SHA-256 of what it received differs from what Linux sent"
    assert not tcp_errors(peer)
    assert_seqs_reset_nothing_live(final["counters"])
    if loss:
        assert c["retransmits"] > 0
    else:
        assert final["counters"]["tcp_tx_retransmit"] == 0


def test_client_recv_limit_cuts_off_an_endless_linux_source(make_peer):
    """--tcp-client A:P:0:RECV against a peer that never stops: seqs reads
    exactly RECV bytes, closes, and reports their SHA-256."""
    recv = 300_000
    peer = make_peer(["--tcp-client", f"{LINUX_IP}:5003:0:{recv}", "--duration", "20"], start=False)
    ls = listen(peer.ns.name, 5003)
    ls.settimeout(20)
    stream = random_bytes(4 * MIB, 3)

    def serve():
        c, _ = ls.accept()
        ls.close()
        c.settimeout(20)
        sent = 0
        try:
            while sent < len(stream):
                sent += c.send(stream[sent:sent + 65536])
        except (ConnectionResetError, BrokenPipeError):
            pass               # seqs closed with our data unread: RST (RFC 9293 3.6)
        c.close()
        return sent

    th = Thread(serve)
    th.start()
    peer.proc.start()
    final = peer.proc.wait_final(timeout=25)
    th.join_checked(10, "endless Linux source")
    c = service(final, "tcp-client")
    assert c["done"] is True and c["bytes_in"] == recv and c["recv_limit"] == recv, c
    assert c["sha256_in"] == sha256(stream[:recv])


def test_client_recv_limit_not_reached_fails_as_short(make_peer):
    """A peer that ends before RECV bytes: the client fails ("short"), exit 1."""
    peer = make_peer(["--tcp-client", f"{LINUX_IP}:5004:0:1000", "--duration", "20"], start=False)
    ls = listen(peer.ns.name, 5004)
    ls.settimeout(20)

    def serve():
        c, _ = ls.accept()
        ls.close()
        c.sendall(b"x" * 10)
        c.shutdown(socket.SHUT_WR)
        c.settimeout(10)
        c.recv(1)
        c.close()

    th = Thread(serve)
    th.start()
    peer.proc.start()
    final = peer.proc._next_json(timeout=25)
    assert peer.proc.wait() == 1
    th.join_checked(10, "short Linux server")
    c = service(final, "tcp-client")
    assert c["done"] is False and c["error"] == "short" and c["bytes_in"] == 10, c
    assert c["sha256_in"] == sha256(b"x" * 10)
