# SPDX-License-Identifier: BSD-3-Clause
"""DHCPv4 server (RFC 2131 4.3, RFC 2132): rows S1-S11.

The stack under test is the server at 192.0.2.2/24 (seqs.DhcpServer); the test
plays the clients (and a relay) with scapy-built BOOTP/DHCP frames on the virtual
clock, and scapy dissects every reply."""
import random

import pytest
from scapy.layers.dhcp import BOOTP, DHCP
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from scapy.utils import mac2str

from harness import US, US_MAC, PEER, PEER_MAC, BCAST_MAC, expect_none

POOL = "192.0.2.100-192.0.2.109"
POOL_ADDRS = ["192.0.2.%d" % i for i in range(100, 110)]
ROUTER = "192.0.2.1"
DNS = ["192.0.2.53", "192.0.2.54"]
LEASE = 600
BOOTP_BROADCAST = 0x8000
MSG = {"discover": 1, "offer": 2, "request": 3, "decline": 4, "ack": 5, "nak": 6, "release": 7, "inform": 8}


def cmac(i):
    return "02:00:00:00:10:%02x" % i


@pytest.fixture
def server(make_wire):
    """make(**DhcpServer kwargs) -> (wire, server); the stack is 192.0.2.2/24, gateway PEER."""
    import seqs

    def make(**kw):
        w = make_wire()
        kw.setdefault("pool", POOL)
        kw.setdefault("lease", LEASE)
        kw.setdefault("router", ROUTER)
        kw.setdefault("dns", DNS)
        srv = seqs.DhcpServer(w.stack, **kw)
        w.srv = srv
        return w, srv
    return make


def dhcp(mac, mtype, xid=0x1234, ciaddr="0.0.0.0", giaddr="0.0.0.0", flags=0, src="0.0.0.0",
         dst="255.255.255.255", dst_mac=BCAST_MAC, sport=68, src_mac=None, server_id=None, requested=None,
         client_id=None, extra=(), op=1, htype=1, hlen=6):
    options = [("message-type", MSG[mtype] if isinstance(mtype, str) else mtype)]
    if server_id:
        options.append(("server_id", server_id))
    if requested:
        options.append(("requested_addr", requested))
    if client_id is not None:
        options.append(("client_id", client_id))
    options += list(extra) + ["end"]
    return (Ether(src=src_mac or mac, dst=dst_mac) / IP(src=src, dst=dst) / UDP(sport=sport, dport=67) /
            BOOTP(op=op, htype=htype, hlen=hlen, xid=xid, flags=flags, ciaddr=ciaddr, giaddr=giaddr,
                  chaddr=mac2str(mac)) / DHCP(options=options))


def replies(frames):
    return [f for f in frames if BOOTP in f and f[BOOTP].op == 2]


def one_reply(frames, mtype=None):
    r = replies(frames)
    assert len(r) == 1, "expected one DHCP reply, got %d: %s" % (len(r), [f.summary() for f in frames])
    if mtype is not None:
        assert opts(r[0]).get("message-type") == MSG[mtype], "expected %s, got %s" % (mtype, opts(r[0]))
    return r[0]


def opts(p):
    out = {}
    for o in p[DHCP].options:
        if isinstance(o, tuple):
            out[o[0]] = o[1] if len(o) == 2 else list(o[1:])
    return out


def discover(w, mac, xid=0x1000, **kw):
    return w.send(dhcp(mac, "discover", xid=xid, **kw))


def bind(w, mac, xid=0x2000, requested=None, client_id=None):
    """DISCOVER -> OFFER -> REQUEST (SELECTING) -> ACK; returns the bound address."""
    off = one_reply(discover(w, mac, xid=xid, requested=requested, client_id=client_id), "offer")
    ack = one_reply(w.send(dhcp(mac, "request", xid=xid, server_id=US, requested=off[BOOTP].yiaddr,
                                client_id=client_id)), "ack")
    assert ack[BOOTP].yiaddr == off[BOOTP].yiaddr
    return ack[BOOTP].yiaddr


def leases(srv, state=None):
    return {d["addr"]: d for d in srv.leases(state)}


def assert_unique(srv):
    """Never two clients on one address: every address appears once, and no client
    (id or MAC) holds two offered/bound entries."""
    ls = srv.leases()
    addrs = [d["addr"] for d in ls]
    assert len(addrs) == len(set(addrs)), ls
    held = [(d["client_id"] or d["mac"]) for d in ls if d["state"] in ("offered", "bound")]
    assert len(held) == len(set(held)), ls


# --- S1 ------------------------------------------------------------------------------------
@pytest.mark.conformance("S1")
def test_discover_gets_offer_from_pool_with_every_field(server):
    """RFC 2131 4.3.1 / 4.1 table 3, RFC 2132 9.6/9.7: the OFFER echoes xid, chaddr,
    flags and giaddr, yiaddr is a pool address, and the options carry message type 2,
    the server id, lease time, mask, router and DNS, ended by option 255."""
    w, srv = server()
    mac = cmac(1)
    off = one_reply(discover(w, mac, xid=0xCAFEBABE, flags=BOOTP_BROADCAST), "offer")
    b = off[BOOTP]
    assert (b.op, b.htype, b.hlen, b.xid, b.flags) == (2, 1, 6, 0xCAFEBABE, BOOTP_BROADCAST)
    assert b.chaddr[:6] == mac2str(mac) and b.giaddr == "0.0.0.0" and b.ciaddr == "0.0.0.0"
    assert b.yiaddr in POOL_ADDRS
    o = opts(off)
    assert o["server_id"] == US
    assert o["lease_time"] == LEASE
    assert o["renewal_time"] == LEASE // 2 and o["rebinding_time"] == LEASE * 7 // 8
    assert o["subnet_mask"] == "255.255.255.0"
    assert o["router"] == ROUTER
    assert o["name_server"] == DNS
    assert off[DHCP].options[-1] == "end" or "end" in off[DHCP].options
    assert off[UDP].sport == 67 and off[UDP].dport == 68 and off[IP].src == US
    assert len(off[UDP].payload) >= 300   # RFC 1542 2.1 minimum BOOTP size
    assert leases(srv)[b.yiaddr]["state"] == "offered"


@pytest.mark.conformance("S1")
def test_offer_without_router_or_dns_omits_them(server):
    """RFC 2132: options 3 and 6 are sent only when configured; mask and lease always."""
    w, _ = server(router=None, dns=())
    o = opts(one_reply(discover(w, cmac(1)), "offer"))
    assert "router" not in o and "name_server" not in o
    assert o["subnet_mask"] == "255.255.255.0" and o["lease_time"] == LEASE


@pytest.mark.conformance("S1")
def test_offer_avoids_leased_offered_and_declined_addresses(server):
    """RFC 2131 4.3.1: the offered address is free: not bound to, offered to, or
    declined by another client."""
    w, srv = server(pool="192.0.2.100-192.0.2.103")
    a = bind(w, cmac(1))
    b = one_reply(discover(w, cmac(2)), "offer")[BOOTP].yiaddr
    c = bind(w, cmac(3))
    w.send(dhcp(cmac(3), "decline", server_id=US, requested=c))
    d = one_reply(discover(w, cmac(4)), "offer")[BOOTP].yiaddr
    assert len({a, b, c, d}) == 4
    assert set([a, b, c, d]) <= set(POOL_ADDRS)


# --- S2 ------------------------------------------------------------------------------------
@pytest.mark.conformance("S2")
@pytest.mark.parametrize("flags", [0, BOOTP_BROADCAST], ids=["no-flag", "broadcast-flag"])
def test_reply_without_ciaddr_or_giaddr_is_broadcast(server, flags):
    """RFC 2131 4.1 p.24: BROADCAST flag -> 255.255.255.255. Without it we also
    broadcast (documented in seqs/dhcp_server.h: the UDP API cannot unicast to a
    chaddr that does not answer ARP); both go to the Ethernet broadcast address."""
    w, _ = server()
    off = one_reply(discover(w, cmac(1), flags=flags), "offer")
    assert (off[IP].dst, off[Ether].dst, off[UDP].dport) == ("255.255.255.255", BCAST_MAC, 68)
    assert off[BOOTP].flags == flags


@pytest.mark.conformance("S2")
def test_reply_to_ciaddr_is_unicast(server):
    """RFC 2131 4.1: ciaddr set (here a RENEWING REQUEST) -> the ACK is unicast to
    ciaddr:68, at the client's MAC (resolved by ARP)."""
    w, _ = server()
    mac = cmac(1)
    a = bind(w, mac)
    w.answer_arp(a, mac)
    ack = one_reply(w.send(dhcp(mac, "request", xid=7, ciaddr=a, src=a, dst=US, dst_mac=US_MAC)), "ack")
    assert (ack[IP].dst, ack[Ether].dst, ack[UDP].dport) == (a, mac, 68)
    assert ack[BOOTP].ciaddr == a and ack[BOOTP].yiaddr == a


@pytest.mark.conformance("S2")
def test_reply_to_relay_goes_to_giaddr_port_67(server):
    """RFC 2131 4.1 / RFC 1542 4.1: giaddr set -> OFFER and ACK go to the relay on
    port 67 (even with the BROADCAST flag), and giaddr is echoed."""
    w, srv = server()
    w.answer_arp(PEER, PEER_MAC)
    mac = cmac(1)
    relay = dict(giaddr=PEER, src=PEER, dst=US, dst_mac=US_MAC, src_mac=PEER_MAC, sport=67, flags=BOOTP_BROADCAST)
    off = one_reply(w.send(dhcp(mac, "discover", **relay)), "offer")
    assert (off[IP].dst, off[Ether].dst, off[UDP].dport, off[BOOTP].giaddr) == (PEER, PEER_MAC, 67, PEER)
    ack = one_reply(w.send(dhcp(mac, "request", server_id=US, requested=off[BOOTP].yiaddr, **relay)), "ack")
    assert (ack[IP].dst, ack[UDP].dport) == (PEER, 67)


@pytest.mark.conformance("S2")
def test_relay_from_another_subnet_is_dropped(server):
    """We serve one subnet: a relayed request whose giaddr is not on it is dropped and counted."""
    w, srv = server()
    frames = w.send(dhcp(cmac(1), "discover", giaddr="198.51.100.1", src=PEER, dst=US, dst_mac=US_MAC, sport=67))
    expect_none(replies(frames))
    assert srv.counter("drop_relay_subnet") == 1


@pytest.mark.conformance("S2")
def test_nak_is_broadcast_even_with_ciaddr(server):
    """RFC 2131 4.1 p.24: a DHCPNAK is broadcast when giaddr is 0 (here a RENEWING
    REQUEST, unicast, for an address that is not the client's)."""
    w, _ = server()
    nak = one_reply(w.send(dhcp(cmac(1), "request", ciaddr="192.0.2.105", src="192.0.2.105", dst=US,
                                dst_mac=US_MAC)), "nak")
    assert (nak[IP].dst, nak[Ether].dst) == ("255.255.255.255", BCAST_MAC)
    assert nak[BOOTP].yiaddr == "0.0.0.0" and nak[BOOTP].ciaddr == "0.0.0.0"
    o = opts(nak)
    assert o["server_id"] == US and "lease_time" not in o


@pytest.mark.conformance("S2")
def test_nak_through_relay_goes_to_giaddr(server):
    """RFC 2131 4.3.2: with giaddr set the NAK goes to the relay (port 67)."""
    w, _ = server()
    w.answer_arp(PEER, PEER_MAC)
    nak = one_reply(w.send(dhcp(cmac(1), "request", requested="198.51.100.7", giaddr=PEER, src=PEER, dst=US,
                                dst_mac=US_MAC, sport=67)), "nak")
    assert (nak[IP].dst, nak[UDP].dport) == (PEER, 67)


# --- S3 ------------------------------------------------------------------------------------
@pytest.mark.conformance("S3")
def test_same_chaddr_gets_the_same_offer_again(server):
    """RFC 2131 4.3.1: a client's current offer/binding is offered again."""
    w, _ = server()
    a = one_reply(discover(w, cmac(1), xid=1), "offer")[BOOTP].yiaddr
    b = one_reply(discover(w, cmac(1), xid=2), "offer")[BOOTP].yiaddr
    assert a == b
    c = bind(w, cmac(1))
    assert c == a
    assert one_reply(discover(w, cmac(1), xid=3), "offer")[BOOTP].yiaddr == a


@pytest.mark.conformance("S3")
def test_client_identifier_names_the_client_not_chaddr(server):
    """RFC 2132 9.14 / RFC 2131 4.2: with option 61 the client is known by it: the same
    id from another chaddr gets its address back; the id is echoed (RFC 6842)."""
    w, _ = server()
    cid = b"\x01" + mac2str(cmac(1))
    a = bind(w, cmac(1), client_id=cid)
    off = one_reply(discover(w, cmac(9), client_id=cid), "offer")
    assert off[BOOTP].yiaddr == a
    assert opts(off)["client_id"] == cid
    other = one_reply(discover(w, cmac(1), client_id=b"\x00other-client"), "offer")[BOOTP].yiaddr
    assert other != a


@pytest.mark.conformance("S3")
def test_long_client_identifier_is_still_one_client(server):
    """A client id longer than the stored 20 bytes keys the client as well (folded with
    a hash) and is echoed whole; two long ids differing only at the end are two clients."""
    w, _ = server()
    cid1 = b"\xff" + b"duid-" * 10 + b"A"
    cid2 = b"\xff" + b"duid-" * 10 + b"B"
    a = bind(w, cmac(1), client_id=cid1)
    off = one_reply(discover(w, cmac(1), client_id=cid1), "offer")
    assert off[BOOTP].yiaddr == a and opts(off)["client_id"] == cid1
    assert one_reply(discover(w, cmac(1), client_id=cid2), "offer")[BOOTP].yiaddr != a


@pytest.mark.conformance("S3")
def test_requested_address_is_honoured_when_free(server):
    """RFC 2131 4.3.1: option 50 names a valid, free pool address -> it is offered."""
    w, _ = server()
    assert one_reply(discover(w, cmac(1), requested="192.0.2.107"), "offer")[BOOTP].yiaddr == "192.0.2.107"


@pytest.mark.conformance("S3")
@pytest.mark.parametrize("req", ["192.0.2.50", "198.51.100.7", "taken"])
def test_requested_address_not_honoured_when_invalid_or_taken(server, req):
    """RFC 2131 4.3.1: option 50 outside the pool, off the subnet, or held by another
    client is not offered; a free pool address is offered instead."""
    w, _ = server()
    if req == "taken":
        req = bind(w, cmac(2))
    off = one_reply(discover(w, cmac(1), requested=req), "offer")
    assert off[BOOTP].yiaddr != req and off[BOOTP].yiaddr in POOL_ADDRS


@pytest.mark.conformance("S3")
def test_reservation_wins_and_is_never_given_to_others(server):
    """RFC 2131 4.3.1 (static allocation first): a reserved MAC gets its address
    (inside or outside the pool) whatever it requests; nobody else gets it, even by
    option 50 or INIT-REBOOT."""
    w, srv = server(reservations={cmac(5): "192.0.2.50", cmac(6): "192.0.2.101"})
    assert bind(w, cmac(5), requested="192.0.2.104") == "192.0.2.50"
    assert one_reply(discover(w, cmac(1), requested="192.0.2.101"), "offer")[BOOTP].yiaddr != "192.0.2.101"
    one_reply(w.send(dhcp(cmac(2), "request", requested="192.0.2.101")), "nak")
    assert bind(w, cmac(6)) == "192.0.2.101"
    assert leases(srv)["192.0.2.50"]["reserved"] is True
    assert_unique(srv)


# --- S4 ------------------------------------------------------------------------------------
@pytest.mark.conformance("S4")
def test_request_selecting_us_commits_the_binding(server):
    """RFC 2131 4.3.2 SELECTING: opt 54 = us, opt 50 = the offer -> ACK with the
    lease; the binding is committed (and reported as an event)."""
    w, srv = server()
    a = bind(w, cmac(1))
    d = leases(srv)[a]
    assert d["state"] == "bound" and d["mac"] == cmac(1)
    assert d["expires_us"] == w.now_us + LEASE * 1_000_000
    ev = srv.events()
    assert [(e["addr"], e["state"]) for e in ev] == [(a, "bound")]


@pytest.mark.conformance("S4")
def test_request_for_another_server_withdraws_our_offer(server):
    """RFC 2131 4.3.2: a REQUEST naming another server id means our offer was
    declined: no reply, and the address returns to the pool (here a pool of one:
    the next client is offered it at once)."""
    w, srv = server(pool="192.0.2.100-192.0.2.100")
    a = one_reply(discover(w, cmac(1)), "offer")[BOOTP].yiaddr
    assert replies(discover(w, cmac(2))) == []   # pool of one is held for cmac(1)
    frames = w.send(dhcp(cmac(1), "request", server_id="192.0.2.9", requested=a))
    assert replies(frames) == []
    assert srv.leases() == []
    assert one_reply(discover(w, cmac(2)), "offer")[BOOTP].yiaddr == a
    assert srv.counter("offers_withdrawn") == 1


@pytest.mark.conformance("S4")
def test_request_selecting_an_address_we_cannot_give_is_nakked(server):
    """RFC 2131 4.3.2: SELECTING us for an address held by another client -> NAK."""
    w, srv = server()
    a = bind(w, cmac(1))
    one_reply(w.send(dhcp(cmac(2), "request", server_id=US, requested=a)), "nak")
    assert leases(srv)[a]["mac"] == cmac(1)


# --- S5 ------------------------------------------------------------------------------------
@pytest.mark.conformance("S5")
def test_init_reboot_with_its_address_is_acked(server):
    """RFC 2131 4.3.2 INIT-REBOOT (opt 50, no 54, ciaddr 0) for the client's own
    (even expired) binding -> ACK."""
    w, srv = server()
    a = bind(w, cmac(1))
    w.advance(s=LEASE + 1)
    assert leases(srv)[a]["state"] == "expired"
    ack = one_reply(w.send(dhcp(cmac(1), "request", requested=a)), "ack")
    assert ack[BOOTP].yiaddr == a and leases(srv)[a]["state"] == "bound"


@pytest.mark.conformance("S5")
@pytest.mark.parametrize("addr", ["198.51.100.7", "192.0.3.5"])
def test_init_reboot_off_subnet_is_nakked(server, addr):
    """RFC 2131 4.3.2: the requested address is wrong for the client's network -> NAK
    (even with no record of the client)."""
    w, _ = server()
    one_reply(w.send(dhcp(cmac(1), "request", requested=addr)), "nak")


@pytest.mark.conformance("S5")
def test_init_reboot_for_another_clients_address_is_nakked(server):
    """RFC 2131 4.3.2: the address is bound to another client -> NAK."""
    w, _ = server()
    a = bind(w, cmac(1))
    one_reply(w.send(dhcp(cmac(2), "request", requested=a)), "nak")


@pytest.mark.conformance("S5")
def test_init_reboot_with_another_address_than_its_binding_is_nakked(server):
    """RFC 2131 4.3.2: we know the client, and its address is not the one it asks -> NAK."""
    w, _ = server()
    a = bind(w, cmac(1))
    other = next(x for x in POOL_ADDRS if x != a)
    one_reply(w.send(dhcp(cmac(1), "request", requested=other)), "nak")


@pytest.mark.conformance("S5")
def test_init_reboot_without_record_is_silent(server):
    """RFC 2131 4.3.2: no record of the client -> the server MUST remain silent."""
    w, srv = server()
    assert replies(w.send(dhcp(cmac(1), "request", requested="192.0.2.105"))) == []
    assert srv.counter("ignored_no_record") == 1 and srv.leases() == []


# --- S6 ------------------------------------------------------------------------------------
@pytest.mark.conformance("S6")
def test_renewing_own_binding_gets_fresh_lease(server):
    """RFC 2131 4.3.2 RENEWING (unicast, ciaddr, no 50/54) -> ACK, lease restarted."""
    w, srv = server()
    mac = cmac(1)
    a = bind(w, mac)
    w.answer_arp(a, mac)
    w.advance(s=LEASE // 2)
    ack = one_reply(w.send(dhcp(mac, "request", ciaddr=a, src=a, dst=US, dst_mac=US_MAC)), "ack")
    assert ack[BOOTP].yiaddr == a and opts(ack)["lease_time"] == LEASE
    assert leases(srv)[a]["expires_us"] == w.now_us + LEASE * 1_000_000
    w.advance(s=LEASE // 2 + 10)
    assert leases(srv)[a]["state"] == "bound"   # would have expired without the renewal


@pytest.mark.conformance("S6")
def test_rebinding_own_binding_gets_fresh_lease(server):
    """RFC 2131 4.3.2 REBINDING (broadcast, ciaddr) -> ACK (to ciaddr)."""
    w, srv = server()
    mac = cmac(1)
    a = bind(w, mac)
    w.answer_arp(a, mac)
    w.advance(s=LEASE * 7 // 8)
    ack = one_reply(w.send(dhcp(mac, "request", ciaddr=a, src=a)), "ack")
    assert ack[BOOTP].yiaddr == a and ack[IP].dst == a
    assert leases(srv)[a]["expires_us"] == w.now_us + LEASE * 1_000_000


@pytest.mark.conformance("S6")
def test_renewing_someone_elses_address_is_nakked(server):
    """RFC 2131 4.3.2: RENEWING for an address that is not the client's -> NAK; the
    other client's binding is untouched."""
    w, srv = server()
    a = bind(w, cmac(1))
    one_reply(w.send(dhcp(cmac(2), "request", ciaddr=a, src=a, dst=US, dst_mac=US_MAC)), "nak")
    assert leases(srv)[a]["mac"] == cmac(1) and leases(srv)[a]["state"] == "bound"


@pytest.mark.conformance("S6")
def test_rebinding_someone_elses_address_is_nakked(server):
    """RFC 2131 4.3.2: REBINDING for an address of our subnet bound to another client -> NAK."""
    w, _ = server()
    a = bind(w, cmac(1))
    one_reply(w.send(dhcp(cmac(2), "request", ciaddr=a, src=a)), "nak")


@pytest.mark.conformance("S6")
@pytest.mark.parametrize("addr", ["198.51.100.7", "192.0.2.200"])
def test_rebinding_an_address_we_cannot_judge_is_silent(server, addr):
    """RFC 2131 4.3.2 / 4.4.5: REBINDING for an address off our subnet, or one we
    have no record of, may belong to another server's binding -> silence."""
    w, srv = server()
    assert replies(w.send(dhcp(cmac(1), "request", ciaddr=addr, src=addr))) == []
    assert srv.counter("ignored_no_record") == 1


# --- S7 ------------------------------------------------------------------------------------
@pytest.mark.conformance("S7")
def test_declined_address_is_held_then_returns(server):
    """RFC 2131 4.3.3: DECLINE marks the address unusable; it is not offered during
    the decline hold (pool of two: every later client gets the other one, or nothing),
    and is offered again afterwards."""
    w, srv = server(pool="192.0.2.100-192.0.2.101", decline_hold=120)
    a = bind(w, cmac(1))
    assert replies(w.send(dhcp(cmac(1), "decline", server_id=US, requested=a))) == []
    assert leases(srv)[a]["state"] == "declined"
    b = bind(w, cmac(2))
    assert b != a
    for i in range(3, 6):
        assert replies(discover(w, cmac(i))) == []
    assert srv.counter("pool_exhausted") == 3
    assert w.stack.next_deadline() <= w.now_us + 120 * 1_000_000
    w.advance(s=121)
    assert one_reply(discover(w, cmac(3)), "offer")[BOOTP].yiaddr == a


@pytest.mark.conformance("S7")
def test_decline_from_a_client_that_does_not_hold_the_address_is_ignored(server):
    """RFC 2131 4.3.3: only the client's own address can be declined; others are
    ignored and counted (a forged DECLINE does not evict a binding)."""
    w, srv = server()
    a = bind(w, cmac(1))
    w.send(dhcp(cmac(2), "decline", server_id=US, requested=a))
    assert leases(srv)[a]["state"] == "bound" and srv.counter("ignored_decline") == 1


@pytest.mark.conformance("S7")
def test_release_ends_binding_and_remembers_the_address(server):
    """RFC 2131 4.3.4: RELEASE ends the binding; the address is kept for the client,
    which gets it back on its next DISCOVER."""
    w, srv = server()
    mac = cmac(1)
    a = bind(w, mac)
    assert replies(w.send(dhcp(mac, "release", ciaddr=a, src=a, dst=US, dst_mac=US_MAC, server_id=US))) == []
    assert leases(srv)[a]["state"] == "released"
    assert one_reply(discover(w, cmac(2)), "offer")[BOOTP].yiaddr != a
    assert bind(w, mac) == a


@pytest.mark.conformance("S7")
def test_release_by_another_client_is_ignored(server):
    """RFC 2131 4.3.4: a RELEASE is matched to the client's own binding; a stranger's
    RELEASE for the address changes nothing."""
    w, srv = server()
    a = bind(w, cmac(1))
    w.send(dhcp(cmac(2), "release", ciaddr=a, src=a, dst=US, dst_mac=US_MAC, server_id=US))
    assert leases(srv)[a]["state"] == "bound" and srv.counter("ignored_release") == 1


# --- S8 ------------------------------------------------------------------------------------
@pytest.mark.conformance("S8")
def test_inform_gets_configuration_without_lease(server):
    """RFC 2131 4.3.5: DHCPINFORM -> DHCPACK unicast to ciaddr with the configuration
    (mask, router, DNS) and no yiaddr nor lease time; no binding is made."""
    w, srv = server()
    mac = cmac(1)
    ip = "192.0.2.30"   # configured by hand, outside the pool
    w.answer_arp(ip, mac)
    ack = one_reply(w.send(dhcp(mac, "inform", ciaddr=ip, src=ip, dst=US, dst_mac=US_MAC)), "ack")
    assert (ack[IP].dst, ack[Ether].dst) == (ip, mac)
    assert ack[BOOTP].yiaddr == "0.0.0.0" and ack[BOOTP].ciaddr == ip
    o = opts(ack)
    assert "lease_time" not in o and "renewal_time" not in o
    assert o["subnet_mask"] == "255.255.255.0" and o["router"] == ROUTER and o["name_server"] == DNS
    assert srv.leases() == []


@pytest.mark.conformance("S8")
def test_inform_without_ciaddr_is_dropped(server):
    """RFC 2131 4.3.5: an INFORM must carry ciaddr; without it there is nowhere to answer."""
    w, srv = server()
    assert replies(w.send(dhcp(cmac(1), "inform"))) == []
    assert srv.counter("drop_malformed") == 1


# --- S9 ------------------------------------------------------------------------------------
@pytest.mark.conformance("S9")
def test_lease_expiry_returns_the_address(server):
    """RFC 2131 4.4.1 / 4.3.1: a lease that is not renewed expires at its time (the
    stack's deadline shows it) and its address goes to the next client."""
    w, srv = server(pool="192.0.2.100-192.0.2.100")
    a = bind(w, cmac(1))
    t_bound = w.now_us
    assert w.stack.next_deadline() == t_bound + LEASE * 1_000_000
    assert replies(discover(w, cmac(2))) == []
    w.advance_to(t_bound + LEASE * 1_000_000 - 1)
    assert leases(srv)[a]["state"] == "bound"
    w.advance(us=1)
    assert leases(srv)[a]["state"] == "expired" and srv.counter("leases_expired") == 1
    assert [e["state"] for e in srv.events()][-1] == "expired"
    assert bind(w, cmac(2)) == a


@pytest.mark.conformance("S9")
def test_unanswered_offer_is_released_after_the_hold(server):
    """RFC 2131 4.3.1: an offered address is reserved only for a short time: after the
    offer hold (the stack's deadline) it is free again."""
    w, srv = server(pool="192.0.2.100-192.0.2.100", offer_hold=10)
    a = one_reply(discover(w, cmac(1)), "offer")[BOOTP].yiaddr
    assert w.stack.next_deadline() == w.now_us + 10 * 1_000_000
    w.advance(s=9)
    assert replies(discover(w, cmac(2))) == []
    w.advance(s=1)
    assert srv.leases() == []
    assert one_reply(discover(w, cmac(2)), "offer")[BOOTP].yiaddr == a


@pytest.mark.conformance("S9")
def test_exhausted_pool_sends_no_offer_and_counts(server):
    """RFC 2131 4.3.1: no address available -> no OFFER (counted), never a duplicate."""
    w, srv = server(pool="192.0.2.100-192.0.2.102")
    got = [bind(w, cmac(i)) for i in range(3)]
    assert sorted(got) == POOL_ADDRS[:3]
    for i in range(3, 8):
        assert replies(discover(w, cmac(i))) == []
    assert srv.counter("pool_exhausted") == 5
    assert_unique(srv)


# --- S10 -----------------------------------------------------------------------------------
def _raw_bootp(mac, op=1, htype=1, hlen=6, cookie=b"\x63\x82\x53\x63", options=b"\x35\x01\x01\xff"):
    """A hand-made BOOTP/DHCP payload (for malformed cases scapy would not build)."""
    import struct
    hdr = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", op, htype, hlen, 0, 0x42, 0, 0, bytes(4), bytes(4), bytes(4),
                      bytes(4), mac2str(mac) + bytes(10), bytes(64), bytes(128))
    return hdr + cookie + options


BAD = {
    "op-reply": (dict(op=2), "drop_op"),
    "htype-6": (dict(htype=6), "drop_htype"),
    "hlen-8": (dict(hlen=8), "drop_htype"),
    "bad-cookie": (dict(cookie=b"\x63\x82\x53\x64"), "drop_cookie"),
    "no-opt-53": (dict(options=b"\x32\x04\xc0\x00\x02\x65\xff"), "drop_no_type"),
    "type-offer": (dict(options=b"\x35\x01\x02\xff"), "drop_type"),
    "type-ack": (dict(options=b"\x35\x01\x05\xff"), "drop_type"),
    "type-nak": (dict(options=b"\x35\x01\x06\xff"), "drop_type"),
    "type-unknown": (dict(options=b"\x35\x01\x63\xff"), "drop_type"),
    "option-overrun": (dict(options=b"\x35\x01\x01\x0c\x40abc"), "drop_options"),
    "option-no-length": (dict(options=b"\x35\x01\x01\x0c"), "drop_options"),
}


@pytest.mark.conformance("S10")
@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_request_is_ignored_and_counted(server, case):
    """RFC 2131 4.1 / RFC 2132: a message that is not a valid client request is
    dropped with its own counter; nothing is sent and the table is unchanged."""
    w, srv = server()
    a = bind(w, cmac(1))
    before_leases = srv.leases()
    before = srv.counters()
    kw, counter = BAD[case]
    payload = _raw_bootp(cmac(2), **kw)
    frames = w.send(Ether(src=cmac(2), dst=BCAST_MAC) / IP(src="0.0.0.0", dst="255.255.255.255") /
                    UDP(sport=68, dport=67) / payload)
    assert replies(frames) == []
    after = srv.counters()
    assert after[counter] == before[counter] + 1, (counter, after)
    assert srv.leases() == before_leases and leases(srv)[a]["state"] == "bound"


@pytest.mark.conformance("S10")
@pytest.mark.parametrize("n", [0, 1, 100, 239])
def test_truncated_message_is_dropped(server, n):
    """A datagram shorter than the 240-byte fixed part + cookie is dropped (drop_truncated)."""
    w, srv = server()
    payload = _raw_bootp(cmac(2))[:n]
    w.send(Ether(src=cmac(2), dst=BCAST_MAC) / IP(src="0.0.0.0", dst="255.255.255.255") /
           UDP(sport=68, dport=67) / payload)
    assert srv.counter("drop_truncated") == 1 and srv.leases() == []


@pytest.mark.conformance("S10")
def test_request_with_bad_option_lengths_is_dropped(server):
    """Option 50 or 54 with a length other than 4 cannot be used: dropped (drop_malformed)."""
    w, srv = server()
    for opt in (b"\x32\x03\xc0\x00\x02", b"\x36\x05\xc0\x00\x02\x02\x00"):
        w.send(Ether(src=cmac(1), dst=BCAST_MAC) / IP(src="0.0.0.0", dst="255.255.255.255") /
               UDP(sport=68, dport=67) / _raw_bootp(cmac(1), options=b"\x35\x01\x03" + opt + b"\xff"))
    assert srv.counter("drop_malformed") == 2
    assert srv.leases() == []


@pytest.mark.conformance("S10")
def test_random_garbage_never_corrupts_the_table(server):
    """RFC 2131 4.1: 500 seeded random mutations of valid requests never crash the
    server, never put two clients on one address, and every datagram is accounted
    (handled or counted as a drop)."""
    w, srv = server(pool="192.0.2.100-192.0.2.104")
    rnd = random.Random(7)
    bind(w, cmac(1))
    bind(w, cmac(2))
    base = [bytes(dhcp(cmac(3 + i % 4), t, requested=rnd.choice(POOL_ADDRS), server_id=US)[UDP].payload)
            for i, t in enumerate(["discover", "request", "decline", "release", "inform"])]
    for i in range(500):
        p = bytearray(rnd.choice(base))
        for _ in range(rnd.randint(1, 8)):
            k = rnd.randrange(len(p))
            p[k] = rnd.randrange(256)
        if rnd.random() < 0.3:
            p = p[:rnd.randrange(len(p))]
        w.send(Ether(src=cmac(3), dst=BCAST_MAC) / IP(src="0.0.0.0", dst="255.255.255.255") /
               UDP(sport=68, dport=67) / bytes(p))
        assert_unique(srv)
    c = srv.counters()
    handled = sum(c[k] for k in ("rx_discover", "rx_request", "rx_decline", "rx_release", "rx_inform"))
    # drop_malformed / drop_other_server are counted after the message type (rx_*)
    dropped = sum(v for k, v in c.items() if k.startswith("drop_") and k not in ("drop_malformed", "drop_other_server"))
    assert handled + dropped == c["rx"]


# --- S11 -----------------------------------------------------------------------------------
@pytest.mark.conformance("S11")
def test_full_table_reuses_oldest_released_or_expired_binding_first(server):
    """RFC 2131 4.3.1: with every entry used, a new client gets the address whose
    binding ended longest ago (released or expired); clients holding a binding keep it."""
    w, srv = server(pool="192.0.2.100-192.0.2.102", table_size=3)
    a1, a2, a3 = bind(w, cmac(1)), bind(w, cmac(2)), bind(w, cmac(3))
    w.send(dhcp(cmac(2), "release", ciaddr=a2, src=a2, dst=US, dst_mac=US_MAC, server_id=US))
    w.advance(s=5)
    w.send(dhcp(cmac(1), "release", ciaddr=a1, src=a1, dst=US, dst_mac=US_MAC, server_id=US))
    assert bind(w, cmac(4)) == a2            # released first = oldest
    assert bind(w, cmac(5)) == a1
    assert replies(discover(w, cmac(6))) == []
    assert leases(srv)[a3]["mac"] == cmac(3) and leases(srv)[a3]["state"] == "bound"
    assert_unique(srv)
    # cmac(2)'s old address went to cmac(4): cmac(2) is a new client now, and the pool is full
    assert replies(discover(w, cmac(2))) == []


@pytest.mark.conformance("S11")
def test_pool_larger_than_table_is_refused(server):
    """The lease table bounds the server: a pool it cannot hold is an API error
    (LimitError naming table_size and the pool size)."""
    import seqs
    with pytest.raises(seqs.LimitError, match=r"table_size=5 .* \(10 addresses\)"):
        server(table_size=5)


@pytest.mark.conformance("S11")
def test_many_clients_random_churn_never_share_an_address(server):
    """RFC 2131 4.3.1: 40 clients binding, renewing, releasing, declining and
    expiring at random over a pool of 6 (table of 6): at every step each address has at
    most one client and each client at most one address, and every ACKed address is
    one that no other client holds."""
    w, srv = server(pool="192.0.2.100-192.0.2.105", lease=60, offer_hold=5, decline_hold=20)
    rnd = random.Random(11)
    have = {}   # mac -> address we believe it holds
    for step in range(400):
        mac = cmac(rnd.randrange(40))
        act = rnd.random()
        if act < 0.5:
            frames = discover(w, mac, xid=step)
            r = replies(frames)
            if r and rnd.random() < 0.8:
                ack = replies(w.send(dhcp(mac, "request", xid=step, server_id=US, requested=r[0][BOOTP].yiaddr)))
                if ack and opts(ack[0])["message-type"] == 5:
                    have[mac] = ack[0][BOOTP].yiaddr
        elif act < 0.65 and mac in have:
            w.send(dhcp(mac, "release", ciaddr=have.pop(mac), server_id=US, dst=US, dst_mac=US_MAC))
        elif act < 0.7 and mac in have:
            w.send(dhcp(mac, "decline", server_id=US, requested=have.pop(mac)))
        else:
            w.advance(s=rnd.randint(1, 15))
        bound = srv.leases("bound")
        assert len({d["addr"] for d in bound}) == len(bound)
        assert len({d["mac"] for d in bound}) == len(bound)
        assert_unique(srv)
        assert all(d["addr"] in POOL_ADDRS[:6] for d in srv.leases())
    assert srv.counter("tx_ack") > 20 and srv.counter("pool_exhausted") > 0


@pytest.mark.conformance("S10")
def test_overloaded_options_are_read_and_bad_overload_dropped(server):
    """RFC 2132 9.3 / RFC 3396: options carried in the `file` field (option 52 = 1) are
    honoured (here option 50); an option 52 with a value outside 1..3 is dropped
    (drop_options), never followed into a loop or out of bounds."""
    w, srv = server()
    file_opts = b"\x32\x04" + bytes([192, 0, 2, 106]) + b"\xff"
    payload = bytearray(_raw_bootp(cmac(1), options=b"\x35\x01\x01\x34\x01\x01\xff"))
    payload[108:108 + len(file_opts)] = file_opts
    frames = w.send(Ether(src=cmac(1), dst=BCAST_MAC) / IP(src="0.0.0.0", dst="255.255.255.255") /
                    UDP(sport=68, dport=67) / bytes(payload))
    assert one_reply(frames, "offer")[BOOTP].yiaddr == "192.0.2.106"
    bad = _raw_bootp(cmac(2), options=b"\x35\x01\x01\x34\x01\x07\xff")
    w.send(Ether(src=cmac(2), dst=BCAST_MAC) / IP(src="0.0.0.0", dst="255.255.255.255") /
           UDP(sport=68, dport=67) / bad)
    assert srv.counter("drop_options") == 1
