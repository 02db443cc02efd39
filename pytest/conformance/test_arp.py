# SPDX-License-Identifier: BSD-3-Clause
"""ARP (RFC 826, RFC 1122 2.3.2) and address conflict detection (RFC 5227): rows A1-A11."""
import pytest
from scapy.layers.inet import IP, ICMP, UDP
from scapy.layers.l2 import Ether, ARP

from harness import (US, US_MAC, PEER, PEER_MAC, OTHER, OTHER_MAC, REMOTE, BCAST_MAC,
                     expect_one, expect_none)
from harness.build import who_has, is_at, arp_raw, raw_frame, echo

ZERO_MAC = "00:00:00:00:00:00"
NEW_MAC = "02:00:00:00:00:ee"


def seqs_limit(name):
    import seqs
    return getattr(seqs, name)


def arp_frames(frames, op=None, pdst=None):
    return [f for f in frames if ARP in f and (op is None or f[ARP].op == op)
            and (pdst is None or f[ARP].pdst == pdst)]


# --- A1 ---------------------------------------------------------------------------
@pytest.mark.conformance("A1")
def test_who_has_us_gets_unicast_reply(wire):
    """RFC 826 "Packet Reception": a request for our protocol address is answered
    with op=reply, sender = our MAC/IP, target = the requester's MAC/IP, sent
    unicast to the requester (not broadcast)."""
    before = wire.snapshot()
    rep = wire.exchange(who_has(), Ether(dst=PEER_MAC, src=US_MAC) /
                        ARP(op=2, hwtype=1, ptype=0x0800, hwlen=6, plen=4,
                            hwsrc=US_MAC, psrc=US, hwdst=PEER_MAC, pdst=PEER))
    assert rep.dst != BCAST_MAC
    wire.assert_delta(before, arp_tx_reply=1)


@pytest.mark.conformance("A1")
def test_unicast_who_has_us_answered(wire):
    """RFC 826 does not care whether the request was broadcast: a unicast request
    (as used for cache revalidation, RFC 1122 2.3.2.1) is answered the same way."""
    wire.exchange(who_has(dst_mac=US_MAC),
                  Ether(dst=PEER_MAC) / ARP(op=2, hwsrc=US_MAC, psrc=US, hwdst=PEER_MAC, pdst=PEER))


@pytest.mark.conformance("A1")
def test_who_has_reply_targets_sender_hw_address(wire):
    """RFC 826: the reply goes to ar$sha of the request; the Ethernet source of the
    request is not what the target is taken from (here they differ)."""
    req = Ether(dst=BCAST_MAC, src=OTHER_MAC) / ARP(op=1, hwsrc=PEER_MAC, psrc=PEER, pdst=US)
    rep = wire.exchange(req, ARP(op=2, psrc=US, hwdst=PEER_MAC, pdst=PEER))
    assert rep[ARP].hwsrc == US_MAC


# --- A2 ---------------------------------------------------------------------------
@pytest.mark.conformance("A2")
def test_who_has_other_ip_not_answered(wire):
    """RFC 826: a request whose target protocol address is not ours gets no reply."""
    before = wire.snapshot()
    expect_none(wire.send(who_has(target=OTHER)))
    expect_none(wire.send(who_has(target="198.51.100.1")))
    wire.assert_delta(before, arp_tx_reply=0)


@pytest.mark.conformance("A2")
def test_who_has_other_ip_refreshes_known_sender(wire):
    """RFC 826 merge flag: if the sender is already in the table its hardware
    address is updated even when the request is not for us."""
    wire.resolve_peer()
    wire.responders.clear()
    assert wire.resolved_mac(PEER) == PEER_MAC
    wire.advance(ms=1100)  # past Linux's 1 s ARP locktime, so Linux can confirm this test
    expect_none(wire.send(who_has(target=OTHER, sender=PEER, sender_mac=NEW_MAC)))
    assert wire.resolved_mac(PEER) == NEW_MAC


@pytest.mark.conformance("A2")
def test_who_has_other_ip_does_not_add_unknown_sender(wire):
    """RFC 826: an unknown sender is added only when we are the target; a
    request for someone else leaves our table without it (we must ARP for it)."""
    expect_none(wire.send(who_has(target=PEER, sender=OTHER, sender_mac=OTHER_MAC)))
    assert wire.resolved_mac(OTHER) is None


# --- A3 ---------------------------------------------------------------------------
@pytest.mark.conformance("A3")
def test_who_has_us_adds_sender_to_cache(wire):
    """RFC 826: when we are the target, the sender's <protocol, hardware> pair is
    added to the table, so talking back needs no ARP request of our own."""
    before = wire.snapshot()
    wire.exchange(who_has(sender=OTHER, sender_mac=OTHER_MAC), Ether(dst=OTHER_MAC) / ARP(op=2, pdst=OTHER))
    assert wire.resolved_mac(OTHER) == OTHER_MAC
    wire.assert_delta(before, arp_tx_request=0)


@pytest.mark.conformance("A3")
def test_echo_after_who_has_needs_no_arp(wire):
    """RFC 826 + RFC 1122 2.3.2: a peer that ARPed for us and then pings gets its
    reply straight away (no who-has from us in between)."""
    wire.exchange(who_has(), ARP(op=2))
    frames = wire.send(echo())
    assert not arp_frames(frames), wire.summarize(frames)
    expect_one(frames, Ether(dst=PEER_MAC) / IP(dst=PEER) / ICMP(type=0))


@pytest.mark.conformance("A3")
@pytest.mark.parametrize("spa", ["255.255.255.255", "192.0.2.255", "224.0.0.1"])
def test_who_has_from_broadcast_or_multicast_sender_not_cached(wire, spa):
    """RFC 826 / RFC 1122 2.3.2.1: a sender protocol address that is broadcast or
    multicast names no single host: it is never cached (documented: counted
    arp_drop_bad_sender, not answered)."""
    before = wire.snapshot()
    expect_none(wire.send(who_has(sender=spa, sender_mac=OTHER_MAC)))
    wire.assert_delta(before, arp_drop_bad_sender=1)


@pytest.mark.conformance("A3")
def test_is_at_for_us_from_unknown_sender_answered_nothing(wire):
    """RFC 826: a reply is never answered (only requests are)."""
    expect_none(wire.send(is_at(OTHER, OTHER_MAC)))


# --- A4 ---------------------------------------------------------------------------
A4_VARIANTS = {
    "hrd32": (dict(hrd=32), "arp_drop_unsupported"),   # InfiniBand (Linux treats 6, IEEE 802, as Ethernet)
    "hrd0": (dict(hrd=0), "arp_drop_unsupported"),
    "pro_ipv6": (dict(pro=0x86DD), "arp_drop_unsupported"),
    "hln8": (dict(hln=8), "arp_drop_unsupported"),
    "hln0": (dict(hln=0), "arp_drop_unsupported"),
    "pln16": (dict(pln=16), "arp_drop_unsupported"),
    "pln2": (dict(pln=2), "arp_drop_unsupported"),
    "op_rarp3": (dict(op=3), "arp_drop_unsupported"),
    "op0": (dict(op=0), "arp_drop_unsupported"),
}


@pytest.mark.conformance("A4")
@pytest.mark.parametrize("variant", sorted(A4_VARIANTS))
def test_unsupported_arp_ignored(wire, variant):
    """RFC 826: "?Do I have the hardware type in ar$hrd? ... ?Do I speak the protocol
    in ar$pro?" — otherwise discard. Lengths other than 6/4 and unknown opcodes are
    not Ethernet/IPv4 ARP either: no reply, no learning, arp_drop_unsupported."""
    kw, counter = A4_VARIANTS[variant]
    frame = raw_frame(arp_raw(sha=OTHER_MAC, spa=OTHER, **kw), dst=BCAST_MAC, src=OTHER_MAC, ethertype=0x0806)
    frame += b"\x00" * max(0, 60 - len(frame))
    wire.send_dropped(frame, counter)
    assert wire.resolved_mac(OTHER) is None  # the sender was not learned


@pytest.mark.conformance("A4")
@pytest.mark.parametrize("n", [0, 7, 8, 20, 27])
def test_truncated_arp_ignored(wire, n):
    """RFC 826: an ARP packet cut short (fewer than the 28 bytes Ethernet/IPv4 ARP
    needs) is ignored and counted as arp_drop_malformed; no crash."""
    frame = raw_frame(arp_raw(), dst=BCAST_MAC, ethertype=0x0806)[:14 + n]
    wire.send_dropped(frame, "arp_drop_malformed")
    wire.exchange(who_has(), ARP(op=2, pdst=PEER))  # still alive


# --- A5 ---------------------------------------------------------------------------
def _sock(w, port=5555):
    s = w.stack.udp_socket()
    s.bind(port=port)
    return s


@pytest.mark.conformance("A5")
def test_tx_to_unresolved_neighbour_broadcasts_who_has_then_sends(wire):
    """RFC 1122 2.3.2.2: sending to an unresolved neighbour broadcasts a request
    (sender = us, target = the neighbour) and queues the datagram, which is
    sent, to the MAC learned, as soon as the reply arrives."""
    s = _sock(wire)
    s.sendto(b"queued", (OTHER, 9))
    frames = wire.drain()
    expect_one(frames, Ether(dst=BCAST_MAC, src=US_MAC) /
               ARP(op=1, hwsrc=US_MAC, psrc=US, pdst=OTHER))
    expect_none(frames, UDP())
    out = wire.send(is_at(OTHER, OTHER_MAC))
    pkt = expect_one(out, Ether(dst=OTHER_MAC) / IP(src=US, dst=OTHER) / UDP(sport=5555, dport=9))
    assert bytes(pkt[UDP].payload) == b"queued"


@pytest.mark.conformance("A5")
def test_latest_of_several_queued_packets_is_sent(wire):
    """RFC 1122 2.3.2.2: "SHOULD save at least one (the latest) packet": of several
    datagrams sent while resolving, the last one is delivered after the reply;
    only one who-has goes out for them at that time."""
    s = _sock(wire)
    frames = []
    for i in range(4):
        s.sendto(b"dgram-%d" % i, (OTHER, 9))
        frames += wire.drain()
    assert len(arp_frames(frames, op=1, pdst=OTHER)) == 1, wire.summarize(frames)
    out = wire.send(is_at(OTHER, OTHER_MAC))
    payloads = [bytes(f[UDP].payload) for f in out if UDP in f]
    assert b"dgram-3" in payloads, payloads
    assert len(payloads) == len(set(payloads))  # each at most once


@pytest.mark.conformance("A5")
def test_latest_kept_when_queue_overflows(wire):
    """RFC 1122 2.3.2.2: with more waiting data than the ARP queue holds
    (SEQS_ARP_QUEUE_BYTES), the LATEST datagram is still the one kept; older
    ones are dropped and counted (arp_queue_drop)."""
    import seqs
    s = _sock(wire)
    n = seqs.ARP_QUEUE_BYTES // 1000 + 3
    before = wire.counters()
    for i in range(n):
        s.sendto(b"%02d" % i + b"." * 998, (OTHER, 9))
        wire.drain()
    out = wire.send(is_at(OTHER, OTHER_MAC))
    heads = [bytes(f[UDP].payload)[:2] for f in out if UDP in f]
    assert b"%02d" % (n - 1) in heads, heads
    assert len(heads) < n
    assert wire.delta(before).get("arp_queue_drop", 0) == n - len(heads)


@pytest.mark.conformance("A5")
def test_offlink_destination_resolves_gateway(wire):
    """RFC 1122 3.3.1 + 2.3.2.2: a datagram to an off-link host ARPs for the
    gateway, then goes to the gateway's MAC with the remote IP destination."""
    s = _sock(wire)
    s.sendto(b"far", (REMOTE, 9))
    expect_one(wire.drain(), ARP(op=1, pdst=PEER))
    out = wire.send(is_at(PEER, PEER_MAC))
    expect_one(out, Ether(dst=PEER_MAC) / IP(dst=REMOTE) / UDP(dport=9))


@pytest.mark.conformance("A5")
def test_echo_reply_to_unknown_offlink_sender_goes_via_gateway(wire):
    """RFC 1122 3.3.1: an echo from an off-link host (framed by the gateway) is
    answered through the gateway, after resolving the gateway."""
    frames = wire.send(echo(src=REMOTE))
    expect_one(frames, ARP(op=1, pdst=PEER))
    expect_one(wire.send(is_at(PEER, PEER_MAC)), Ether(dst=PEER_MAC) / IP(src=US, dst=REMOTE) / ICMP(type=0))


# --- A6 ---------------------------------------------------------------------------
@pytest.mark.conformance("A6")
def test_unanswered_requests_rate_limited_and_given_up(wire):
    """RFC 1122 2.3.2.1: at most one request per second per unresolved target,
    even when the application keeps sending; after ARP_MAX_TRIES requests the
    stack gives up (arp_resolve_fail) and drops the queued datagrams (arp_queue_drop)."""
    tries = seqs_limit("ARP_MAX_TRIES")
    s = _sock(wire)
    before = wire.counters()
    frames = []
    s.sendto(b"x", (OTHER, 9))
    frames += wire.drain()
    for _ in range(30):  # the application retries every 100 ms for 3 s
        frames += wire.advance(ms=100)
        try:
            s.sendto(b"y", (OTHER, 9))
        except Exception:
            pass  # sending may be refused once the neighbour has failed
        frames += wire.drain()
    frames += wire.advance(s=10)
    reqs = arp_frames(frames, op=1, pdst=OTHER)
    times = [f.time for f in reqs]
    assert 1 <= len(reqs) <= tries + 1, f"{len(reqs)} requests at {times}"
    for a, b in zip(times, times[1:]):
        assert b - a >= 0.999, f"requests {b - a:.3f} s apart: {times}"
    expect_none(frames, UDP())
    d = wire.delta(before)
    assert d.get("arp_resolve_fail", 0) >= 1, d
    assert d.get("arp_queue_drop", 0) >= 1, d
    # A late reply must not resurrect the dropped datagrams.
    late = wire.send(is_at(OTHER, OTHER_MAC))
    expect_none(late, UDP())


@pytest.mark.conformance("A6")
def test_exactly_max_tries_requests(wire):
    """RFC 1122 2.3.2.1 (documented limit SEQS_ARP_MAX_TRIES, 1 s apart): one datagram
    to a silent neighbour causes exactly ARP_MAX_TRIES broadcast requests."""
    tries = seqs_limit("ARP_MAX_TRIES")
    s = _sock(wire)
    s.sendto(b"x", (OTHER, 9))
    frames = wire.drain() + wire.advance(s=30)
    reqs = arp_frames(frames, op=1, pdst=OTHER)
    assert len(reqs) == tries, wire.summarize(frames)
    assert all(f.dst == BCAST_MAC for f in reqs)


@pytest.mark.conformance("A6")
def test_two_targets_resolved_independently(wire):
    """RFC 1122 2.3.2.1: the rate limit is per target: requests for two silent
    neighbours are not suppressed by each other."""
    s = _sock(wire)
    s.sendto(b"a", (OTHER, 9))
    s.sendto(b"b", ("192.0.2.8", 9))
    frames = wire.drain()
    assert arp_frames(frames, op=1, pdst=OTHER) and arp_frames(frames, op=1, pdst="192.0.2.8"), wire.summarize(frames)


# --- A7 ---------------------------------------------------------------------------
@pytest.mark.conformance("A7")
def test_changed_mac_learned_from_request(wire):
    """RFC 826 merge: a new hardware address in a request from a known sender
    replaces the cached one."""
    wire.resolve_peer()
    wire.responders.clear()
    wire.exchange(who_has(sender_mac=NEW_MAC), Ether(dst=NEW_MAC) / ARP(op=2, hwdst=NEW_MAC))
    assert wire.resolved_mac(PEER) == NEW_MAC


@pytest.mark.conformance("A7")
def test_changed_mac_learned_from_reply(wire):
    """RFC 826 merge: an ARP reply from a known sender with a new MAC updates it."""
    wire.resolve_peer()
    wire.responders.clear()
    wire.advance(ms=1100)  # past Linux's 1 s ARP locktime
    expect_none(wire.send(is_at(PEER, NEW_MAC)))
    assert wire.resolved_mac(PEER) == NEW_MAC


@pytest.mark.conformance("A7")
def test_entry_ages_out_or_is_revalidated(wire):
    """RFC 1122 2.3.2.1: an entry older than SEQS_ARP_MAX_AGE_S is not trusted
    for ever: sending after it aged asks again (a who-has for the neighbour,
    broadcast or unicast), and the answer's (new) MAC is then used."""
    age = seqs_limit("ARP_MAX_AGE_S")
    wire.resolve_peer()
    wire.responders.clear()
    wire.advance(s=age + 5)
    s = _sock(wire)
    s.sendto(b"after-aging", (PEER, 9))
    frames = wire.drain() + wire.advance(s=5)
    reqs = arp_frames(frames, op=1, pdst=PEER)
    assert reqs, "no who-has for an entry past its age:\n" + wire.summarize(frames)
    out = wire.send(is_at(PEER, NEW_MAC))
    s.sendto(b"after-reval", (PEER, 9))
    out += wire.drain()
    pkt = expect_one(out, Ether() / UDP() / b"after-reval")
    assert pkt.dst == NEW_MAC


@pytest.mark.conformance("A7")
def test_fresh_entry_not_requeried(wire):
    """RFC 1122 2.3.2.1: a fresh entry (well inside its age) is used without asking."""
    wire.resolve_peer()
    wire.responders.clear()
    wire.advance(s=10)
    assert wire.resolved_mac(PEER) == PEER_MAC


# --- A8 ---------------------------------------------------------------------------
@pytest.mark.conformance("A8")
@pytest.mark.parametrize("op", [1, 2])
def test_gratuitous_from_known_neighbour_updates(wire, op):
    """RFC 826 merge, RFC 5227 3: a gratuitous ARP (spa == tpa, request or reply
    form, broadcast) from a known neighbour updates its entry; it is not answered."""
    wire.resolve_peer()
    wire.responders.clear()
    wire.advance(ms=1100)  # past Linux's 1 s ARP locktime
    g = Ether(dst=BCAST_MAC, src=NEW_MAC) / ARP(op=op, hwsrc=NEW_MAC, psrc=PEER,
                                                 hwdst=ZERO_MAC if op == 1 else BCAST_MAC, pdst=PEER)
    expect_none(wire.send(g))
    assert wire.resolved_mac(PEER) == NEW_MAC


@pytest.mark.conformance("A8")
@pytest.mark.parametrize("op", [1, 2])
def test_gratuitous_from_unknown_creates_no_entry(wire, op):
    """RFC 826 / RFC 5227 3 (documented choice, as Linux with arp_accept=0): a
    gratuitous ARP from a host we have no entry for creates none."""
    g = Ether(dst=BCAST_MAC, src=OTHER_MAC) / ARP(op=op, hwsrc=OTHER_MAC, psrc=OTHER,
                                                   hwdst=ZERO_MAC, pdst=OTHER)
    expect_none(wire.send(g))
    assert wire.resolved_mac(OTHER) is None


# --- A9 ---------------------------------------------------------------------------
def _probe(sender_mac=OTHER_MAC, target=US):
    return Ether(dst=BCAST_MAC, src=sender_mac) / ARP(op=1, hwsrc=sender_mac, psrc="0.0.0.0",
                                                      hwdst=ZERO_MAC, pdst=target)


@pytest.mark.conformance("A9")
def test_probe_for_our_address_is_answered(wire):
    """RFC 5227 2.1.1/2.4: a probe (spa 0.0.0.0) for our bound address is answered
    so the prober sees the conflict: an ARP from us with sender = our MAC/IP
    (a reply to the prober or a broadcast announcement); we keep the address."""
    frames = wire.send(_probe())
    ours = [f for f in frames if ARP in f and f[ARP].psrc == US and f[ARP].hwsrc == US_MAC]
    assert ours, wire.summarize(frames)
    assert all(f.dst in (OTHER_MAC, BCAST_MAC) for f in ours)
    assert wire.addr_state == "bound"


@pytest.mark.conformance("A9")
def test_probe_creates_no_cache_entries(wire):
    """RFC 5227 2.1.1: a probe's sender (0.0.0.0) must not be cached. Observed via
    a full cache: the gateway (learned first, so the oldest) plus
    ARP_CACHE_SIZE-1 other neighbours fill it; probes then must not evict
    anything (no arp_cache_full, the gateway still resolved without asking).
    Control: one more real neighbour does evict (the cache really was full)."""
    size = seqs_limit("ARP_CACHE_SIZE")
    wire.resolve_peer()
    wire.responders.clear()
    for i in range(1, size):
        wire.exchange(who_has(sender=f"192.0.2.{100 + i}", sender_mac="02:00:00:00:02:%02x" % i), ARP(op=2))
    before = wire.counters()
    for i in range(3):
        wire.send(_probe(sender_mac="02:00:00:00:01:%02x" % i))
    assert wire.delta(before).get("arp_cache_full", 0) == 0
    assert wire.resolved_mac(PEER) == PEER_MAC
    before = wire.counters()
    wire.exchange(who_has(sender="192.0.2.99", sender_mac="02:00:00:00:03:01"), ARP(op=2))
    assert wire.delta(before).get("arp_cache_full", 0) == 1


@pytest.mark.conformance("A9")
def test_probe_for_other_address_ignored(wire):
    """RFC 5227 2.1.1: a probe for an address that is not ours is none of our business."""
    expect_none(wire.send(_probe(target=OTHER)))
    assert wire.addr_state == "bound"


# --- A10 --------------------------------------------------------------------------
def _probing_wire(make_wire, **kw):
    w = make_wire(addr=None, **kw)
    t0 = w.now_us / 1e6
    w.stack.set_addr(f"{US}/24", gateway=PEER, probe=True)
    return w, t0


@pytest.mark.conformance("A10")
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6, 7, 8])
def test_probe_then_announce_timing(make_wire, seed):
    """RFC 5227 2.1.1/2.3: wait 0..PROBE_WAIT (1 s), send PROBE_NUM (3) probes
    (sha = ours, spa = 0, tha = 0, tpa = the address) PROBE_MIN..PROBE_MAX (1-2 s)
    apart, wait ANNOUNCE_WAIT (2 s), then ANNOUNCE_NUM (2) announcements (ARP
    requests, spa = tpa = the address) ANNOUNCE_INTERVAL (2 s) apart. Several
    seeds, since the waits are random."""
    w, t0 = _probing_wire(make_wire, seed=seed)
    assert w.addr_state == "tentative"
    frames = w.drain() + w.advance(s=20)
    arps = [f for f in frames if ARP in f]
    probes = [f for f in arps if f[ARP].psrc == "0.0.0.0"]
    anns = [f for f in arps if f[ARP].psrc == US]
    assert len(probes) == 3, w.summarize(arps)
    for p in probes:
        assert (p.dst, p[ARP].op, p[ARP].hwsrc, p[ARP].hwdst, p[ARP].pdst) == (BCAST_MAC, 1, US_MAC, ZERO_MAC, US)
    assert 0 <= probes[0].time - t0 <= 1.0 + 1e-6
    for a, b in zip(probes, probes[1:]):
        assert 1.0 - 1e-6 <= b.time - a.time <= 2.0 + 1e-6, [p.time - t0 for p in probes]
    assert len(anns) == 2, w.summarize(arps)
    for a in anns:
        assert (a.dst, a[ARP].op, a[ARP].hwsrc, a[ARP].pdst) == (BCAST_MAC, 1, US_MAC, US)
    assert anns[0].time - probes[-1].time == pytest.approx(2.0, abs=1e-3)
    assert anns[1].time - anns[0].time == pytest.approx(2.0, abs=1e-3)
    assert arps.index(anns[0]) > arps.index(probes[-1])
    assert w.addr_state == "bound"


@pytest.mark.conformance("A10")
def test_tentative_address_not_used(make_wire):
    """RFC 5227 2.1.1: until probing completes the address is not ours: an echo
    request to it gets no reply and ARP requests for it are not answered with it."""
    w, _ = _probing_wire(make_wire)
    w.advance(ms=500)
    frames = w.send(echo()) + w.send(who_has())
    assert not [f for f in frames if (IP in f and f[IP].src == US) or (ARP in f and f[ARP].psrc == US)], \
        w.summarize(frames)


@pytest.mark.conformance("A10")
def test_static_address_announced(make_wire):
    """RFC 5227 2.3 (documented: a static address without probing is still
    announced): 2 announcements, 2 s apart, unless gratuitous=False."""
    w = make_wire(addr=None)
    w.stack.set_addr(f"{US}/24", gateway=PEER)
    frames = w.drain() + w.advance(s=10)
    anns = [f for f in frames if ARP in f and f[ARP].psrc == US and f[ARP].pdst == US]
    assert len(anns) == 2, w.summarize(frames)
    assert anns[1].time - anns[0].time == pytest.approx(2.0, abs=1e-3)
    assert w.addr_state == "bound"


@pytest.mark.conformance("A10")
def test_no_announcement_when_disabled(make_wire):
    """Documented: gratuitous=False (SEQS_CFG_NO_GRATUITOUS) sends no announcement."""
    w = make_wire(addr=None, gratuitous=False)
    w.stack.set_addr(f"{US}/24", gateway=PEER)
    expect_none(w.drain() + w.advance(s=10))
    assert w.addr_state == "bound"


# --- A11 --------------------------------------------------------------------------
def _conflicted_after_probe(w, frame, settle_s=20):
    before = w.counters()
    w.send(frame)
    later = w.advance(s=settle_s)
    assert w.addr_state == "conflict", w.addr_state
    assert w.delta(before).get("arp_conflict", 0) >= 1
    # address not used: no announcement, no answer to an echo
    assert not [f for f in later if ARP in f and f[ARP].psrc == US], w.summarize(later)
    frames = w.send(echo()) + w.send(who_has())
    assert not [f for f in frames if (IP in f and f[IP].src == US) or (ARP in f and f[ARP].psrc == US)], \
        w.summarize(frames)


@pytest.mark.conformance("A11")
def test_reply_while_probing_is_conflict(make_wire):
    """RFC 5227 2.1.1: an ARP packet whose sender IP is the address being probed
    means a conflict: the address is not used (state 'conflict'). (DHCP's
    DECLINE is row D5: this stack's address here is static.)"""
    w, _ = _probing_wire(make_wire)
    w.advance(ms=1500)
    _conflicted_after_probe(w, is_at(US, OTHER_MAC, target=US, target_mac=US_MAC))


@pytest.mark.conformance("A11")
def test_other_probe_while_probing_is_conflict(make_wire):
    """RFC 5227 2.1.1: another host's probe for the same address (spa 0, tpa =
    ours, different sha) while we probe is a conflict too."""
    w, _ = _probing_wire(make_wire)
    w.advance(ms=1500)
    _conflicted_after_probe(w, _probe(sender_mac=OTHER_MAC, target=US))


@pytest.mark.conformance("A11")
def test_request_from_address_while_probing_is_conflict(make_wire):
    """RFC 5227 2.1.1: any ARP with spa = the probed address (here a request for another host)."""
    w, _ = _probing_wire(make_wire)
    w.advance(ms=1500)
    _conflicted_after_probe(w, who_has(target=PEER, sender=US, sender_mac=OTHER_MAC))


def _conflict_frame():
    return Ether(dst=BCAST_MAC, src=OTHER_MAC) / ARP(op=1, hwsrc=OTHER_MAC, psrc=US, hwdst=ZERO_MAC, pdst=US)


@pytest.mark.conformance("A11")
def test_conflict_when_bound_defended_once(wire):
    """RFC 5227 2.4 (b): a conflicting ARP for our bound address is met with one
    defending announcement (sender = our MAC/IP) and we keep the address."""
    before = wire.counters()
    frames = wire.send(_conflict_frame()) + wire.advance(ms=100)
    defends = [f for f in frames if ARP in f and f[ARP].psrc == US and f[ARP].hwsrc == US_MAC]
    assert len(defends) == 1, wire.summarize(frames)
    assert defends[0].dst == BCAST_MAC
    assert wire.addr_state == "bound"
    assert wire.delta(before).get("arp_conflict", 0) >= 1


@pytest.mark.conformance("A11")
def test_second_conflict_within_defend_interval_gives_up(wire):
    """RFC 5227 2.4 (b): another conflict within DEFEND_INTERVAL (10 s) of the
    defence: the host MUST immediately cease using the address (no second defence)."""
    wire.send(_conflict_frame())
    wire.advance(s=5)
    frames = wire.send(_conflict_frame()) + wire.advance(ms=100)
    assert not [f for f in frames if ARP in f and f[ARP].psrc == US], wire.summarize(frames)
    assert wire.addr_state == "conflict"
    frames = wire.send(echo()) + wire.advance(ms=10)
    expect_none(frames, IP(src=US))


@pytest.mark.conformance("A11")
def test_conflicts_more_than_defend_interval_apart_both_defended(wire):
    """RFC 5227 2.4 (b): conflicts more than DEFEND_INTERVAL (10 s) apart are each defended."""
    f1 = wire.send(_conflict_frame()) + wire.advance(s=11)
    f2 = wire.send(_conflict_frame()) + wire.advance(ms=100)
    for frames in (f1, f2):
        assert [f for f in frames if ARP in f and f[ARP].psrc == US and f[ARP].hwsrc == US_MAC], \
            wire.summarize(frames)
    assert wire.addr_state == "bound"
