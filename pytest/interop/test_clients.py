# SPDX-License-Identifier: BSD-3-Clause
"""seqs as the client, Linux as the server: seqs-tap's --ping and --tcp-client
services (active open against a Linux listener). seqs-tap exits by itself once
its clients are done: 0 when they succeeded, 1 when one failed."""
import json
import socket
import threading

import pytest

from harness.tapwire import in_netns
from interop_peer import LINUX_IP

pytestmark = [pytest.mark.root]


def report(name, **numbers):
    print(f"\nINTEROP {name}: " + json.dumps(numbers))


def client(final, name):
    return next(s for s in final["services"] if s["service"] == name)


def test_seqs_pings_linux_200_times(make_peer):
    peer = make_peer(["--ping", f"{LINUX_IP}:200:56:5", "--duration", "30"])
    final = peer.proc.wait_final(timeout=40)
    p = client(final, "ping")
    report("seqs-pings-linux", received=p["received"], rtt_min_us=p.get("rtt_min_us"),
           rtt_avg_us=p.get("rtt_avg_us"), rtt_max_us=p.get("rtt_max_us"))
    assert (p["sent"], p["received"], p["dups"], p["foreign"]) == (200, 200, 0, 0)
    assert final["runtime_s"] < 10          # finished by itself, not by --duration
    n = peer.nstat()
    assert n["IcmpInEchos"] == 200 and n["IcmpOutEchoReps"] == 200
    assert n["IcmpInCsumErrors"] == 0 and n["IcmpInErrors"] == 0 and n["IpInHdrErrors"] == 0


def test_seqs_pings_linux_with_4000_byte_fragmented_echo(make_peer):
    peer = make_peer(["--ping", f"{LINUX_IP}:5:4000:50", "--duration", "30"])
    final = peer.proc.wait_final(timeout=40)
    assert client(final, "ping")["received"] == 5
    n = peer.nstat()
    assert n["IpReasmOKs"] == 5 and n["IpReasmFails"] == 0      # Linux reassembled seqs's fragments
    assert final["counters"]["ip_reasm_ok"] == 5                 # and seqs reassembled Linux's


def _linux_server(peer, port, reply: bytes, result: dict):
    """A kernel TCP listener in the peer's namespace: reads until EOF, then sends reply and closes."""
    with in_netns(peer.ns.name):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(1)
    ls.settimeout(20)

    def serve():
        try:
            c, addr = ls.accept()
            c.settimeout(20)
            got = bytearray()
            while True:
                chunk = c.recv(1 << 16)
                if not chunk:
                    break
                got += chunk
            c.sendall(reply)
            c.close()
            result.update(got=bytes(got), addr=addr)
        except Exception as e:   # reported by the test
            result["error"] = repr(e)
        finally:
            ls.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return t


def test_seqs_tcp_client_sends_1mb_to_linux_and_reads_the_answer(make_peer):
    n_out, reply = 1_000_000, bytes(range(256)) * 1200
    peer = make_peer(["--tcp-client", f"{LINUX_IP}:5001:{n_out}", "--duration", "30"], start=False)
    result = {}
    t = _linux_server(peer, 5001, reply, result)
    peer.proc.start()
    final = peer.proc.wait_final(timeout=40)
    t.join(timeout=5)
    c = client(final, "tcp-client")
    assert "error" not in result, result["error"]
    assert result["got"] == bytes(i % 251 for i in range(n_out)), "Linux received a corrupted stream"
    assert c["done"] is True and c["bytes_out"] == n_out and c["bytes_in"] == len(reply), c
    report("seqs-tcp-client", connect_us=c.get("connect_us"), duration_us=c.get("duration_us"),
           mbit_s=round(8 * (n_out + len(reply)) / c["duration_us"], 1))
    n = peer.nstat()
    assert n["TcpInErrs"] == 0 and n["TcpInCsumErrors"] == 0
    assert final["counters"]["tcp_conn_opened"] == 1


def test_seqs_tcp_client_refused_exits_1(make_peer):
    peer = make_peer(["--tcp-client", f"{LINUX_IP}:5002:10", "--duration", "20"])
    final = peer.proc._next_json(timeout=30)
    rc = peer.proc.wait()
    c = client(final, "tcp-client")
    assert rc == 1
    assert c["done"] is False and "refused" in c.get("error", "").lower(), c


def test_ping_without_any_reply_fails_with_exit_1(make_peer):
    peer = make_peer(["--ping", "192.0.2.77:2:56:10", "--duration", "20"])   # nobody has that address
    final = peer.proc._next_json(timeout=30)
    assert peer.proc.wait() == 1
    assert "1 client service(s) failed" in peer.proc.stderr
    p = client(final, "ping")
    assert p["sent"] == 2 and p["received"] == 0
    assert final["runtime_s"] < 5          # gave up 1 s after the last request, not at --duration


def test_client_unfinished_at_duration_exits_1(make_peer):
    peer = make_peer(["--tcp-client", "192.0.2.77:7:10", "--duration", "1"])
    final = peer.proc._next_json(timeout=20)
    assert peer.proc.wait() == 1
    assert "did not finish within --duration" in peer.proc.stderr
    assert client(final, "tcp-client")["done"] is False
