# SPDX-License-Identifier: BSD-3-Clause
"""Linux with SACK, timestamps and window scaling on and off (the per-namespace
sysctls net.ipv4.tcp_sack, tcp_timestamps, tcp_window_scaling), in every
combination, with Linux as the client and as the server. seqs offers all three;
what is negotiated must be exactly what both offered (RFC 2018 SACK-permitted,
RFC 7323 TSopt/WSopt are only answered when received). The pcap seqs-tap
writes proves it on the wire: SYN and SYN-ACK options, timestamps on every
later segment iff negotiated, SACK blocks only when SACK is on. A 1 MiB
transfer each way through seeded 2 % loss (so loss recovery runs with and
without SACK) must arrive intact (SHA-256 on both ends)."""
import itertools
import socket
import time

import pytest

from interop_peer import LINUX_IP, SEQS_IP
from tcp_peer import (MIB, Deadline, Thread, connect, listen, pattern, random_bytes, recv_all, report, service,
                      sha256, tcp_errors)

pytestmark = [pytest.mark.root]

N = MIB
# 1 MiB each way takes 0.05-1.3 s here (5 s at worst on a loaded machine); a
# receiver that sends one duplicate ACK for a burst of out-of-order segments
# leaves a peer without SACK waiting for RTOs (13-24 s): that must fail.
BUDGET_S = 15
SEQS_RXBUF = 64 << 10       # receive buffer of seqs-tap's TCP services and client
COMBOS = [pytest.param(sack, ts, ws, id=f"sack{sack}-ts{ts}-ws{ws}")
          for sack, ts, ws in itertools.product((1, 0), repeat=3)]


def set_linux_options(peer, sack, ts, ws):
    peer.ns.sysctl("net.ipv4.tcp_sack", sack)
    peer.ns.sysctl("net.ipv4.tcp_timestamps", ts)
    peer.ns.sysctl("net.ipv4.tcp_window_scaling", ws)
    # dsack/fack ride on SACK; keep Linux from caching per-destination metrics between tests
    peer.ns.sysctl("net.ipv4.tcp_no_metrics_save", 1)


def tcp_segments(pcap):
    from scapy.layers.inet import IP, TCP
    from scapy.utils import PcapReader
    out = []
    with PcapReader(str(pcap)) as r:
        for p in r:
            if TCP in p:
                out.append((p[IP].src, p[TCP]))
    return out


def opts(tcp) -> dict:
    return {k: v for k, v in tcp.options if k not in ("NOP", "EOL")}


def check_wire(segs, client_ip, expect, seqs_offers):
    """segs: (src, TCP) of one connection. expect: negotiated {sack, ts, ws}.
    seqs_offers: what seqs's SYN/SYN-ACK must carry."""
    syn = next(t for src, t in segs if src == client_ip and t.flags.S and not t.flags.A)
    synack = next(t for src, t in segs if src != client_ip and t.flags.S and t.flags.A)
    seqs_hs = syn if client_ip == SEQS_IP else synack
    linux_hs = synack if client_ip == SEQS_IP else syn
    for name, key in (("sack", "SAckOK"), ("ts", "Timestamp"), ("ws", "WScale")):
        assert (key in opts(seqs_hs)) == bool(seqs_offers[name]), \
            f"seqs's {'SYN' if seqs_hs is syn else 'SYN-ACK'} {'lacks' if seqs_offers[name] else 'carries'} " \
            f"{key}: {seqs_hs.options}"
    assert "MSS" in opts(seqs_hs)
    after = [(src, t) for src, t in segs if not t.flags.S]
    seqs_after = [t for src, t in after if src == SEQS_IP and not t.flags.R]
    linux_after = [t for src, t in after if src != SEQS_IP and not t.flags.R]
    assert seqs_after and linux_after
    with_ts = sum("Timestamp" in opts(t) for t in seqs_after)
    if expect["ts"]:
        assert with_ts == len(seqs_after), f"{len(seqs_after) - with_ts} seqs segments without TSopt"
        assert all("Timestamp" in opts(t) for t in linux_after)
    else:
        assert with_ts == 0, f"{with_ts} seqs segments carry TSopt though it was not negotiated"
        assert not any("Timestamp" in opts(t) for t in linux_after)
    seqs_sack = sum("SAck" in opts(t) for t in seqs_after)
    linux_sack = sum("SAck" in opts(t) for t in linux_after)
    if expect["sack"]:
        assert seqs_sack > 0, "SACK negotiated and segments lost, but seqs never sent a SACK block"
    else:
        assert seqs_sack == 0 and linux_sack == 0, (seqs_sack, linux_sack)
    # RFC 7323 2.2/2.3: the window of a SYN is never scaled; later ones are, by
    # the shift seqs announced, only if both SYNs carried WSopt. seqs's receive
    # buffer is 64 KiB (65536 bytes: one more than an unscaled field can say).
    assert seqs_hs.window == 65535, f"seqs's SYN window {seqs_hs.window}: scaled, or not the 64 KiB buffer"
    top = max(t.window for t in seqs_after)
    if expect["ws"]:
        shift = opts(seqs_hs)["WScale"]
        assert shift >= 1, "a 64 KiB buffer needs a shift of at least 1"
        assert top << shift == SEQS_RXBUF, f"largest window {top} << {shift} is not the 64 KiB buffer"
    else:
        assert top == 65535, f"unscaled window field should reach 65535 (64 KiB buffer), got {top}"
    # what Linux offered in its handshake segment is what the sysctls say
    return linux_hs, seqs_hs, seqs_sack, linux_sack


@pytest.mark.conformance("T19", "T20", "T21")
@pytest.mark.parametrize("sack,ts,ws", COMBOS)
def test_linux_client_with_options_negotiates_exactly_and_transfers_intact(make_peer, tmp_path, sack, ts, ws):
    dl = Deadline(BUDGET_S, f"Linux client sack={sack} ts={ts} ws={ws}")
    pcap = tmp_path / "opts.pcap"
    peer = make_peer(["--tcp-echo", "7", "--pcap", str(pcap), "--loss", "0.02", "--seed", str(40 + 4 * sack + 2 * ts + ws)],
                     start=False)
    set_linux_options(peer, sack, ts, ws)
    peer.proc.start()
    data = random_bytes(N, 7)
    s = connect(peer.ns.name, 7, timeout=dl.left())
    t0 = time.monotonic()
    sender = Thread(lambda: (s.sendall(data), s.shutdown(socket.SHUT_WR)))
    sender.start()
    got, _ = recv_all(s, deadline=dl, step="echo")
    sender.join_checked(dl.left(), "Linux sender")
    took = time.monotonic() - t0
    s.close()
    time.sleep(0.05)
    errors = tcp_errors(peer)
    final = peer.proc.stop()
    e = service(final, "tcp-echo")
    assert got == data, f"echo came back with {len(got)} bytes, not the {N} sent"
    (r,) = e["conns"]
    assert r["sha256_in"] == r["sha256_out"] == sha256(data) and r["bytes_in"] == N
    expect = {"sack": sack, "ts": ts, "ws": ws}
    assert (r["sack"], r["tstamp"], r["wscale"]) == (sack, ts, ws), f"seqs's view of the handshake: {r}"
    linux_syn, seqs_synack, seqs_sack, linux_sack = check_wire(tcp_segments(pcap), LINUX_IP, expect, expect)
    assert ("SAckOK" in opts(linux_syn), "Timestamp" in opts(linux_syn), "WScale" in opts(linux_syn)) == \
        (bool(sack), bool(ts), bool(ws)), f"Linux's SYN does not follow the sysctls: {linux_syn.options}"
    assert not errors, errors
    report(f"opts-linux-client-sack{sack}-ts{ts}-ws{ws}", seconds=round(took, 2), seqs_sack_segs=seqs_sack,
           linux_sack_segs=linux_sack, seqs_retransmits=e["retransmits"], seqs_rto=e["rto_expirations"])


@pytest.mark.conformance("T2", "T19", "T20", "T21")
@pytest.mark.parametrize("sack,ts,ws", COMBOS)
def test_linux_server_with_options_negotiates_exactly_and_transfers_intact(make_peer, tmp_path, sack, ts, ws):
    dl = Deadline(BUDGET_S, f"Linux server sack={sack} ts={ts} ws={ws}")
    pcap = tmp_path / "opts.pcap"
    peer = make_peer(["--tcp-client", f"{LINUX_IP}:5001:{N}:{N}", "--duration", str(BUDGET_S - 5), "--pcap", str(pcap),
                      "--loss", "0.02", "--seed", str(60 + 4 * sack + 2 * ts + ws)], start=False)
    set_linux_options(peer, sack, ts, ws)
    ls = listen(peer.ns.name, 5001)
    ls.settimeout(dl.left())
    data = random_bytes(N, 8)

    def serve():
        c, _ = ls.accept()
        ls.close()
        got, _ = recv_all(c, deadline=dl, step="Linux server receiving")
        c.settimeout(dl.left())
        c.sendall(data)
        c.shutdown(socket.SHUT_WR)
        c.recv(1)
        c.close()
        return got

    th = Thread(serve)
    th.start()
    t0 = time.monotonic()
    peer.proc.start()
    try:
        final = peer.proc.wait_final(timeout=dl.left())
    except (RuntimeError, TimeoutError) as ex:
        raise AssertionError(f"{dl.what}: seqs-tap's client did not finish cleanly: {ex}")
    got = th.join_checked(dl.left(), "Linux server")
    took = time.monotonic() - t0
    c = service(final, "tcp-client")
    assert got == pattern(N), f"Linux received {len(got)} bytes, not seqs's {N}-byte pattern"
    assert c["done"] is True and c["sha256_out"] == sha256(got) and c["sha256_in"] == sha256(data), c
    expect = {"sack": sack, "ts": ts, "ws": ws}
    assert (c["sack"], c["tstamp"], c["wscale"]) == (sack, ts, ws), f"seqs's view of the handshake: {c}"
    linux_synack, seqs_syn, seqs_sack, linux_sack = check_wire(tcp_segments(pcap), SEQS_IP, expect,
                                                               {"sack": 1, "ts": 1, "ws": 1})
    assert ("SAckOK" in opts(linux_synack), "Timestamp" in opts(linux_synack), "WScale" in opts(linux_synack)) == \
        (bool(sack), bool(ts), bool(ws)), f"Linux's SYN-ACK does not follow the sysctls: {linux_synack.options}"
    assert not tcp_errors(peer)
    report(f"opts-linux-server-sack{sack}-ts{ts}-ws{ws}", seconds=round(took, 2), seqs_sack_segs=seqs_sack,
           linux_sack_segs=linux_sack, seqs_retransmits=c["retransmits"], seqs_rto=c["rto_expirations"])
