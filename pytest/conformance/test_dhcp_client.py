# SPDX-License-Identifier: BSD-3-Clause
"""DHCPv4 client (RFC 2131, RFC 2132, RFC 3396; RFC 5227 for the address check): rows D1-D12.

The test is the DHCP server on the wire: every frame is built and dissected by
scapy (scapy.layers.dhcp), time is the harness's virtual clock. The client is
seqs.DhcpClient attached to the SimWire's stack, driven only by the stack's
input/output/next_deadline."""
import pytest
from scapy.layers.dhcp import BOOTP, DHCP
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import ARP, Ether
from scapy.packet import Raw

from harness import US_MAC, BCAST_MAC

SERVER, SERVER_MAC = "192.0.2.1", "02:00:00:00:00:fe"
SERVER2, SERVER2_MAC = "192.0.2.3", "02:00:00:00:00:fd"
YI = "192.0.2.57"
MAGIC = b"\x63\x82\x53\x63"
XID = 0x12345678


def chaddr(mac=US_MAC):
    return bytes.fromhex(mac.replace(":", "")) + bytes(10)


def dhcp_frames(frames):
    return [f for f in frames if BOOTP in f]


def opts(pkt):
    """DHCP options of a scapy packet as {name: value} (first instance), plus '_order'."""
    d, order = {}, []
    for o in pkt[DHCP].options:
        if isinstance(o, tuple):
            d.setdefault(o[0], o[1] if len(o) == 2 else o[1:])
            order.append(o[0])
        else:
            order.append(o)
    d["_order"] = order
    return d


def mtype(pkt):
    return opts(pkt).get("message-type")


LEASE_OPTS = [("subnet_mask", "255.255.255.0"), ("router", SERVER), ("name_server", SERVER, "198.51.100.53"),
              ("NTP_server", "192.0.2.123"), ("lease_time", 120), ("renewal_time", 60), ("rebinding_time", 105)]


def reply(req, typ, yiaddr=YI, server=SERVER, smac=SERVER_MAC, options=None, xid=None, ch=None, op=2,
          ip_dst="255.255.255.255", eth_dst=BCAST_MAC, raw_options=None, sname=b"", file=b""):
    """A server reply to the client's message `req`, broadcast by default (we asked with the B flag)."""
    b = BOOTP(op=op, xid=req[BOOTP].xid if xid is None else xid, yiaddr=yiaddr, siaddr=server,
              flags=req[BOOTP].flags, chaddr=ch if ch is not None else req[BOOTP].chaddr, sname=sname, file=file)
    head = Ether(src=smac, dst=eth_dst) / IP(src=server, dst=ip_dst) / UDP(sport=67, dport=68)
    if raw_options is not None:
        b.options = raw_options
        return head / b
    o = [("message-type", typ), ("server_id", server)] + (LEASE_OPTS if options is None else options) + ["end"]
    return head / b / DHCP(options=o)


@pytest.fixture
def dwire(make_wire):
    """A stack without an address, the DHCP server's MAC answered for ARP."""
    w = make_wire(addr=None)
    w.answer_arp(SERVER, SERVER_MAC)
    w.answer_arp(SERVER2, SERVER2_MAC)
    return w


def start(w, **kw):
    import seqs
    kw.setdefault("xid", XID)
    kw.setdefault("hostname", "tinygo-pico")
    c = seqs.DhcpClient(w.stack).begin(**kw)
    w.client = c
    return c


def first_discover(w):
    d = dhcp_frames(w.drain())
    assert len(d) == 1 and mtype(d[0]) == 1, w.summarize(d)
    return d[0]


def bind(w, c, lease_opts=None, server=SERVER, smac=SERVER_MAC, yiaddr=YI):
    """DISCOVER -> OFFER -> REQUEST -> ACK -> probe -> bound. Returns (request, ack time, frames of the probe)."""
    disc = first_discover(w)
    req = dhcp_frames(w.send(reply(disc, "offer", yiaddr=yiaddr, server=server, smac=smac, options=lease_opts)))
    assert len(req) == 1 and mtype(req[0]) == 3, w.summarize(req)
    t_req = w.now_us
    w.send(reply(req[0], "ack", yiaddr=yiaddr, server=server, smac=smac, options=lease_opts))
    assert c.state == "probing"
    probe = w.advance(s=12)
    assert c.state == "bound" and c.done
    return req[0], t_req, probe


# --- D1 ---------------------------------------------------------------------------
@pytest.mark.conformance("D1")
def test_discover_is_broadcast_from_zero_with_all_required_fields(dwire):
    """RFC 2131 4.1/4.4.1, RFC 2132 9.6/9.8: DISCOVER from 0.0.0.0:68 to 255.255.255.255:67, op=1,
    htype=1, hlen=6, our xid, the magic cookie, 53=1, 55, END last; BROADCAST flag set since we cannot
    receive unicast before configuration; client id 61 and hostname 12."""
    c = start(dwire, requested="192.0.2.69")
    d = first_discover(dwire)
    assert (d.dst, d[IP].src, d[IP].dst, d[UDP].sport, d[UDP].dport) == (BCAST_MAC, "0.0.0.0", "255.255.255.255",
                                                                         68, 67)
    b = d[BOOTP]
    assert (b.op, b.htype, b.hlen, b.xid, b.ciaddr, b.yiaddr) == (1, 1, 6, XID, "0.0.0.0", "0.0.0.0")
    assert b.flags & 0x8000
    assert bytes(b.chaddr)[:16] == chaddr()
    raw = bytes(d[UDP].payload)
    assert raw[236:240] == MAGIC
    o = opts(d)
    assert o["message-type"] == 1
    assert list(o["param_req_list"])[:3] == [1, 3, 6] and 42 in o["param_req_list"]
    assert o["client_id"] == b"\x01" + chaddr()[:6]
    assert o["hostname"] == b"tinygo-pico"
    assert o["requested_addr"] == "192.0.2.69"
    order = [x for x in o["_order"] if x != "pad"]
    assert order[-1] == "end"
    assert len(raw) >= 300   # RFC 1542 2.1 minimum BOOTP size
    assert c.state == "selecting"


@pytest.mark.conformance("D1")
def test_random_xid_when_none_given(make_wire):
    """RFC 2131 4.4.1: xid is a random number; different seeds give different ids, never 0."""
    xids = set()
    for seed in (1, 2, 3):
        w = make_wire(addr=None, seed=seed)
        start(w, xid=0)
        x = first_discover(w)[BOOTP].xid
        assert x != 0
        xids.add(x)
    assert len(xids) == 3


# --- D2 ---------------------------------------------------------------------------
@pytest.mark.conformance("D2")
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_discover_retransmitted_with_exponential_backoff(make_wire, seed):
    """RFC 2131 4.1: without an OFFER, retransmit after 4, 8, 16, 32, 64 s, each randomized by ±1 s,
    then every 64 ± 1 s; the same xid throughout the exchange."""
    w = make_wire(addr=None, seed=seed)
    start(w)
    d0 = first_discover(w)
    t = [w.now_us / 1e6]
    frames = dhcp_frames(w.advance(s=4 + 8 + 16 + 32 + 64 + 64 + 8))
    assert all(mtype(f) == 1 and f[BOOTP].xid == d0[BOOTP].xid for f in frames)
    t += [f.time for f in frames]
    gaps = [b - a for a, b in zip(t, t[1:])]
    assert len(gaps) == 6, gaps
    for g, base in zip(gaps, (4, 8, 16, 32, 64, 64)):
        assert base - 1 - 1e-6 <= g <= base + 1 + 1e-6, gaps
    # the secs field counts from the start of the exchange
    assert frames[-1][BOOTP].secs == int(t[-1] - t[0])


# --- D3 ---------------------------------------------------------------------------
@pytest.mark.conformance("D3")
def test_offer_answered_with_broadcast_request_naming_server(dwire):
    """RFC 2131 4.4.1, table 5: REQUEST broadcast, 50 = yiaddr, 54 = the chosen server, ciaddr 0, same xid."""
    c = start(dwire)
    d = first_discover(dwire)
    r = dhcp_frames(dwire.send(reply(d, "offer")))
    assert len(r) == 1
    r = r[0]
    o = opts(r)
    assert o["message-type"] == 3
    assert (r.dst, r[IP].src, r[IP].dst) == (BCAST_MAC, "0.0.0.0", "255.255.255.255")
    assert r[BOOTP].xid == XID and r[BOOTP].ciaddr == "0.0.0.0" and r[BOOTP].flags & 0x8000
    assert o["requested_addr"] == YI and o["server_id"] == SERVER
    assert o["client_id"] == b"\x01" + chaddr()[:6] and o["hostname"] == b"tinygo-pico"
    assert c.state == "requesting" and c.offer == YI and not c.done


@pytest.mark.conformance("D3")
def test_request_repeats_secs_of_the_discover(dwire):
    """RFC 2131 4.4.1: the REQUEST uses the same 'secs' value as the DISCOVER it answers."""
    start(dwire)
    first_discover(dwire)
    d = dhcp_frames(dwire.advance(s=13))[-1]   # the second retransmission, secs 10..14
    assert d[BOOTP].secs >= 9   # 4±1 + 8±1 s after the first
    dwire.advance(s=2)
    r = dhcp_frames(dwire.send(reply(d, "offer")))[0]
    assert r[BOOTP].secs == d[BOOTP].secs


@pytest.mark.conformance("D3")
def test_second_offer_and_other_servers_ack_ignored(dwire):
    """RFC 2131 4.4.1: the client takes one offer; later OFFERs and an ACK/NAK from a server it did
    not choose are ignored (counted), the chosen server's ACK is taken."""
    c = start(dwire)
    d = first_discover(dwire)
    r = dhcp_frames(dwire.send(reply(d, "offer")))[0]
    before = c.counters()
    assert dhcp_frames(dwire.send(reply(d, "offer", yiaddr="192.0.2.99", server=SERVER2, smac=SERVER2_MAC))) == []
    assert dhcp_frames(dwire.send(reply(r, "ack", yiaddr="192.0.2.99", server=SERVER2, smac=SERVER2_MAC))) == []
    assert dhcp_frames(dwire.send(reply(r, "nak", server=SERVER2, smac=SERVER2_MAC, options=[]))) == []
    after = c.counters()
    assert after["drop_unexpected"] - before["drop_unexpected"] == 1
    assert after["drop_other_server"] - before["drop_other_server"] == 2
    assert c.state == "requesting" and dwire.stack.addr is None
    dwire.send(reply(r, "ack"))
    assert c.state == "probing"
    assert dwire.stack.addr[0] == YI


@pytest.mark.conformance("D3")
def test_request_retransmitted_then_back_to_init(dwire):
    """RFC 2131 4.4.1: REQUEST retransmitted with the same backoff and xid; after the last one
    without an answer the client starts over with a new DISCOVER."""
    c = start(dwire)
    d = first_discover(dwire)
    dwire.send(reply(d, "offer"))
    frames = dhcp_frames(dwire.advance(s=4 + 8 + 16 + 32 + 5))
    reqs = [f for f in frames if mtype(f) == 3]
    assert len(reqs) == 4 and all(f[BOOTP].xid == XID and opts(f)["server_id"] == SERVER for f in reqs)
    frames = dhcp_frames(dwire.advance(s=70))
    disc = [f for f in frames if mtype(f) == 1]
    assert disc and disc[0][BOOTP].xid != XID
    assert c.state == "selecting"


# --- D4 ---------------------------------------------------------------------------
@pytest.mark.conformance("D4")
def test_ack_applies_address_mask_router_and_reports_lease(dwire):
    """RFC 2131 4.4.1, RFC 2132 3.3/3.5/3.8/9.2/9.11/9.12: the stack gets yiaddr/24 with the router as
    gateway; the lease reports DNS (6), NTP (42), lease (51), T1 (58), T2 (59) and the server id."""
    c = start(dwire)
    bind(dwire, c)
    assert dwire.stack.addr == (YI, 24, SERVER)
    assert dwire.stack.addr_state in ("announcing", "bound")
    l = c.lease
    assert (l.addr, l.prefix_len, l.router, l.server_id) == (YI, 24, SERVER, SERVER)
    assert l.dns == [SERVER, "198.51.100.53"] and l.ntp == ["192.0.2.123"]
    assert (l.lease_s, l.t1_s, l.t2_s) == (120, 60, 105)
    assert c.offer == YI
    # The address works: a ping from the server is answered from YI.
    from scapy.layers.inet import ICMP
    rep = dwire.send(Ether(src=SERVER_MAC, dst=US_MAC) / IP(src=SERVER, dst=YI) / ICMP(id=1, seq=1))
    assert any(ICMP in f and f[ICMP].type == 0 and f[IP].src == YI for f in rep)


@pytest.mark.conformance("D4")
def test_ack_with_other_prefix_and_no_router(dwire):
    """RFC 2132 3.3: the mask sets the prefix (/26 here); without option 3 there is no gateway."""
    c = start(dwire)
    bind(dwire, c, lease_opts=[("subnet_mask", "255.255.255.192"), ("lease_time", 300)])
    assert dwire.stack.addr == (YI, 26, None)
    assert c.lease.router is None and c.lease.dns == []


@pytest.mark.conformance("D4")
def test_manual_mode_reports_lease_without_touching_stack(dwire):
    """apply=False: the lease is reported, the stack keeps no address (the caller applies it)."""
    c = start(dwire, apply=False)
    d = first_discover(dwire)
    r = dhcp_frames(dwire.send(reply(d, "offer")))[0]
    dwire.send(reply(r, "ack"))
    assert c.state == "bound" and c.done and c.offer == YI
    assert dwire.stack.addr is None
    assert [f for f in dwire.advance(s=10) if ARP in f] == []


# --- D5 ---------------------------------------------------------------------------
@pytest.mark.conformance("D5")
def test_probe_conflict_sends_decline_and_waits_10s(dwire):
    """RFC 2131 3.1 step 5 / 4.4.1, RFC 5227 2.1: the ACKed address is probed; a reply from another
    host makes the client DECLINE (50 and 54, ciaddr 0, broadcast from 0.0.0.0), drop the address and
    wait at least 10 s before a new DISCOVER."""
    c = start(dwire)
    d = first_discover(dwire)
    r = dhcp_frames(dwire.send(reply(d, "offer")))[0]
    dwire.send(reply(r, "ack"))
    frames = dwire.advance(s=1.0)
    assert dwire.stack.addr_state == "tentative"
    probes = [f for f in frames if ARP in f and f[ARP].psrc == "0.0.0.0" and f[ARP].pdst == YI]
    assert probes, dwire.summarize(frames)
    owner = "02:00:00:00:00:77"
    out = dwire.send(Ether(src=owner, dst=US_MAC) / ARP(op=2, hwsrc=owner, psrc=YI, hwdst=US_MAC, pdst="0.0.0.0"))
    t_conflict = dwire.now_us / 1e6
    dec = [f for f in dhcp_frames(out + dwire.drain()) if mtype(f) == 4]
    assert len(dec) == 1, dwire.summarize(out)
    o = opts(dec[0])
    assert o["requested_addr"] == YI and o["server_id"] == SERVER
    assert dec[0][BOOTP].ciaddr == "0.0.0.0" and (dec[0][IP].src, dec[0][IP].dst) == ("0.0.0.0", "255.255.255.255")
    assert dwire.stack.addr is None and not c.done
    assert c.counter("conflicts") == 1
    later = dhcp_frames(dwire.advance(s=15))
    disc = [f for f in later if mtype(f) == 1]
    assert disc and disc[0].time - t_conflict >= 10 - 1e-6, [f.time - t_conflict for f in later]
    assert c.state == "selecting"


@pytest.mark.conformance("D5")
def test_probe_without_conflict_binds_after_rfc5227_probes(dwire):
    """RFC 5227 2.1.1: three probes for the ACKed address before it is used; then BOUND."""
    c = start(dwire)
    _, _, frames = bind(dwire, c)
    probes = [f for f in frames if ARP in f and f[ARP].psrc == "0.0.0.0" and f[ARP].pdst == YI]
    assert len(probes) == 3


# --- D6 ---------------------------------------------------------------------------
@pytest.mark.conformance("D6")
def test_nak_while_requesting_restarts_without_using_address(dwire):
    """RFC 2131 3.1 / 4.4.1: a NAK in REQUESTING sends the client back to INIT (new DISCOVER);
    the offered address is never configured or probed."""
    c = start(dwire)
    d = first_discover(dwire)
    r = dhcp_frames(dwire.send(reply(d, "offer")))[0]
    out = dwire.send(reply(r, "nak", yiaddr="0.0.0.0", options=[("error_message", b"no")]))
    disc = [f for f in dhcp_frames(out) if mtype(f) == 1]
    assert len(disc) == 1 and disc[0][BOOTP].xid != XID
    assert c.state == "selecting" and not c.done and c.counter("rx_nak") == 1
    assert dwire.stack.addr is None
    assert [f for f in dwire.advance(s=3) if ARP in f] == []


# --- D7 ---------------------------------------------------------------------------
@pytest.mark.conformance("D7")
@pytest.mark.parametrize("case,counter", [
    ("wrong_xid", "drop_xid"), ("wrong_chaddr", "drop_chaddr"), ("op_request", "drop_bad_op"),
    ("bad_cookie", "drop_bad_cookie"), ("no_type", "drop_no_type"), ("truncated", "drop_truncated"),
])
def test_bad_replies_ignored_and_counted(dwire, case, counter):
    """RFC 2131 4.4.1, RFC 2132 2: replies for another xid or chaddr, op != BOOTREPLY, a wrong magic
    cookie or no option 53 are ignored: no REQUEST, still SELECTING, the reason counted."""
    c = start(dwire)
    d = first_discover(dwire)
    if case == "wrong_xid":
        bad = reply(d, "offer", xid=XID + 1)
    elif case == "wrong_chaddr":
        bad = reply(d, "offer", ch=chaddr("02:00:00:00:00:99"))
    elif case == "op_request":
        bad = reply(d, "offer", op=1)
    elif case == "bad_cookie":
        bad = reply(d, "offer", raw_options=b"\x63\x82\x53\x64" + bytes([53, 1, 2, 54, 4, 192, 0, 2, 1, 255]))
    elif case == "no_type":
        bad = reply(d, "offer", raw_options=MAGIC + bytes([54, 4, 192, 0, 2, 1, 51, 4, 0, 0, 0, 120, 255]))
    else:
        good = reply(d, "offer")
        bad = good[Ether].copy()
        bad[UDP].remove_payload()
        bad = bad / Raw(bytes(good[BOOTP])[:200])
        del bad[IP].len, bad[IP].chksum, bad[UDP].len, bad[UDP].chksum
    before = c.counters()
    out = dwire.send(bad)
    assert dhcp_frames(out) == []
    assert c.state == "selecting"
    after = c.counters()
    assert after[counter] - before[counter] == 1, {k: after[k] - before[k] for k in after if after[k] != before[k]}
    # the good offer still works afterwards
    assert [mtype(f) for f in dhcp_frames(dwire.send(reply(d, "offer")))] == [3]


# --- D8 ---------------------------------------------------------------------------
@pytest.mark.conformance("D8")
def test_t1_unicast_request_renews_lease(dwire):
    """RFC 2131 4.4.5, table 5: at T1 a REQUEST is unicast to the server with ciaddr = our address,
    no option 50/54, from our address; the ACK extends the lease (next T1 counted from this REQUEST)."""
    c = start(dwire)
    _, t_req, _ = bind(dwire, c)
    t1 = t_req / 1e6 + 60
    frames = dhcp_frames(dwire.advance_to(int(t1 * 1e6) + 1000))
    assert len(frames) == 1, dwire.summarize(frames)
    r = frames[0]
    assert r.time == pytest.approx(t1, abs=1e-3)
    o = opts(r)
    assert o["message-type"] == 3 and "requested_addr" not in o and "server_id" not in o
    assert (r.dst, r[IP].src, r[IP].dst, r[BOOTP].ciaddr) == (SERVER_MAC, YI, SERVER, YI)
    assert not r[BOOTP].flags & 0x8000
    assert c.state == "renewing" and c.done
    dwire.send(reply(r, "ack", ip_dst=YI, eth_dst=US_MAC, options=LEASE_OPTS[:4] + [("lease_time", 200)]))
    assert c.state == "bound" and c.lease.lease_s == 200 and c.lease.t1_s == 100
    assert dwire.stack.addr == (YI, 24, SERVER)
    nxt = dhcp_frames(dwire.advance(s=101))
    assert len(nxt) == 1 and nxt[0].time == pytest.approx(r.time + 100, abs=1e-3)


# --- D9 ---------------------------------------------------------------------------
@pytest.mark.conformance("D9")
def test_t2_broadcast_rebind_accepts_any_server(dwire):
    """RFC 2131 4.4.5: without an answer to RENEWING, at T2 the REQUEST is broadcast (REBINDING,
    ciaddr = our address, no 50/54) and an ACK from any server is accepted."""
    c = start(dwire)
    _, t_req, _ = bind(dwire, c)
    t0 = t_req / 1e6
    frames = dhcp_frames(dwire.advance_to(int((t0 + 105) * 1e6) + 1000))
    times = [round(f.time - t0, 3) for f in frames]
    assert times == [60.0, 105.0], times   # renew at T1; the 60 s minimum retransmit runs into T2
    rb = frames[-1]
    o = opts(rb)
    assert "requested_addr" not in o and "server_id" not in o
    assert (rb.dst, rb[IP].src, rb[IP].dst, rb[BOOTP].ciaddr) == (BCAST_MAC, YI, "255.255.255.255", YI)
    assert c.state == "rebinding"
    dwire.send(reply(rb, "ack", server=SERVER2, smac=SERVER2_MAC))
    assert c.state == "bound" and c.lease.server_id == SERVER2
    assert dwire.stack.addr[0] == YI


@pytest.mark.conformance("D9")
def test_lease_expiry_removes_address_and_restarts(dwire):
    """RFC 2131 4.4.5: if the lease runs out while rebinding, the client stops using the address
    (removed from the stack; TCP on it is aborted) and goes back to INIT (DISCOVER)."""
    from scapy.layers.inet import TCP
    c = start(dwire)
    _, t_req, _ = bind(dwire, c)
    t0 = t_req / 1e6
    conn = dwire.stack.tcp_connect(SERVER, 80)
    syn = next(f for f in dwire.drain() if TCP in f)
    dwire.send(Ether(src=SERVER_MAC, dst=US_MAC) / IP(src=SERVER, dst=YI) /
               TCP(sport=80, dport=syn[TCP].sport, flags="SA", seq=1000, ack=syn[TCP].seq + 1))
    assert conn.state == "ESTABLISHED"
    frames = dhcp_frames(dwire.advance_to(int((t0 + 120) * 1e6) + 1000))
    assert [mtype(f) for f in frames][-1] == 1, dwire.summarize(frames)
    assert not conn.alive or conn.state == "CLOSED", conn   # documented: expiry aborts TCP on the address
    assert frames[-1].time == pytest.approx(t0 + 120, abs=1e-3)
    assert dwire.stack.addr is None and not c.done and c.lease is None
    assert c.state == "selecting" and c.counter("expired") == 1


# --- D10 --------------------------------------------------------------------------
@pytest.mark.conformance("D10")
def test_default_t1_t2_from_lease(dwire):
    """RFC 2131 4.4.5: without 58/59, T1 = 0.5 * lease and T2 = 0.875 * lease."""
    c = start(dwire)
    _, t_req, _ = bind(dwire, c, lease_opts=[("subnet_mask", "255.255.255.0"), ("lease_time", 400)])
    assert (c.lease.t1_s, c.lease.t2_s) == (200, 350)
    t0 = t_req / 1e6
    frames = dhcp_frames(dwire.advance_to(int((t0 + 351) * 1e6)))
    times = [round(f.time - t0, 3) for f in frames]
    # renew at 200; retransmit after half the time left to T2 but at least 60 s (275, 335); rebind at 350
    assert times == [200.0, 275.0, 335.0, 350.0], times
    assert frames[-1].dst == BCAST_MAC


@pytest.mark.conformance("D10")
def test_infinite_lease_never_renews(dwire):
    """RFC 2131 3.3: lease 0xffffffff is infinite: no REQUEST ever; the deadline is not the client's."""
    c = start(dwire)
    bind(dwire, c, lease_opts=[("subnet_mask", "255.255.255.0"), ("lease_time", 0xFFFFFFFF)])
    assert c.lease.lease_s == 0xFFFFFFFF
    assert dhcp_frames(dwire.advance(s=10 * 86400)) == []
    assert c.state == "bound" and dwire.stack.addr[0] == YI


@pytest.mark.conformance("D10")
def test_inconsistent_t1_t2_fall_back_to_defaults(dwire):
    """RFC 2131 4.4.5: T1 < T2 < lease must hold; a T2 beyond the lease or T1 beyond T2 is replaced."""
    c = start(dwire)
    bind(dwire, c, lease_opts=[("lease_time", 100), ("renewal_time", 90), ("rebinding_time", 150)])
    assert (c.lease.t1_s, c.lease.t2_s) == (50, 87)


# --- D11 --------------------------------------------------------------------------
@pytest.mark.conformance("D11")
def test_init_reboot_request_then_nak_goes_to_init(dwire):
    """RFC 2131 3.2 / 4.4.2: with a known address the client sends a broadcast REQUEST with 50 and
    without 54 (ciaddr 0); a NAK sends it to INIT (DISCOVER, no 50 hint for the refused address)."""
    c = start(dwire, requested="192.0.2.69", reboot=True)
    r = dhcp_frames(dwire.drain())
    assert len(r) == 1 and c.state == "init-reboot"
    r = r[0]
    o = opts(r)
    assert o["message-type"] == 3 and o["requested_addr"] == "192.0.2.69" and "server_id" not in o
    assert r[BOOTP].ciaddr == "0.0.0.0" and (r[IP].src, r[IP].dst) == ("0.0.0.0", "255.255.255.255")
    assert r[BOOTP].xid == XID
    out = dhcp_frames(dwire.send(reply(r, "nak", yiaddr="0.0.0.0", options=[])))
    assert [mtype(f) for f in out] == [1]
    assert "requested_addr" not in opts(out[0])
    assert c.state == "selecting" and dwire.stack.addr is None


@pytest.mark.conformance("D11")
def test_init_reboot_ack_binds_known_address(dwire):
    """RFC 2131 3.2: an ACK for the known address is probed and used like a fresh lease."""
    c = start(dwire, requested="192.0.2.69", reboot=True)
    r = dhcp_frames(dwire.drain())[0]
    dwire.send(reply(r, "ack", yiaddr="192.0.2.69"))
    dwire.advance(s=12)
    assert c.state == "bound" and dwire.stack.addr == ("192.0.2.69", 24, SERVER)


@pytest.mark.conformance("D11")
def test_init_reboot_unanswered_falls_back_to_discover(dwire):
    """RFC 2131 3.2: no answer after the retransmissions -> INIT (DISCOVER)."""
    c = start(dwire, requested="192.0.2.69", reboot=True)
    dwire.drain()
    frames = dhcp_frames(dwire.advance(s=4 + 8 + 16 + 2))
    assert [mtype(f) for f in frames] == [3, 3, 1], dwire.summarize(frames)
    assert c.state == "selecting"


# --- D12 --------------------------------------------------------------------------
def _raw_offer(d, body, sname=b"", file=b""):
    return reply(d, "offer", raw_options=MAGIC + body, sname=sname, file=file)


SID = bytes([54, 4, 192, 0, 2, 1])


@pytest.mark.conformance("D12")
@pytest.mark.parametrize("case,ok,counter", [
    ("pad_runs", True, None),
    ("missing_end", True, None),
    ("zero_length", True, None),
    ("length_past_packet", False, "drop_bad_options"),
    ("length_byte_missing", False, "drop_bad_options"),
    ("overload_file_sname", True, None),
    ("overload_loop", True, None),
    ("overload_bad_value", False, "drop_bad_options"),
    ("oversized_55", True, None),
    ("longer_than_576", False, "stack:udp_drop_queue_full"),
    ("no_server_id", False, "drop_bad_lease"),
])
def test_offer_option_robustness(dwire, case, ok, counter):
    """RFC 2132 3.1-3.2/9.3, RFC 3396: pad runs, a missing END, zero-length options, an overloaded
    file/sname (and a 52 inside file that would loop), an oversized option 55 are parsed safely; an
    option running past the packet or a bad overload is dropped and counted. Never out of bounds
    (the C parser is also fuzzed: fuzz/fuzz_dhcp.c)."""
    c = start(dwire)
    d = first_discover(dwire)
    sname = file = b""
    if case == "pad_runs":
        body = bytes(50) + bytes([53, 1, 2]) + bytes(7) + SID + bytes(3) + bytes([255])
    elif case == "missing_end":
        body = bytes([53, 1, 2]) + SID
    elif case == "zero_length":
        body = bytes([53, 1, 2, 80, 0, 12, 0]) + SID + bytes([255])
    elif case == "length_past_packet":
        body = bytes([53, 1, 2]) + SID + bytes([3, 40, 192, 0, 2, 1])
    elif case == "length_byte_missing":
        body = bytes([53, 1, 2]) + SID + bytes([3])
    elif case == "overload_file_sname":
        body = bytes([52, 1, 3, 255])
        file = bytes([53, 1, 2, 255])
        sname = SID + bytes([255])
    elif case == "overload_loop":
        body = bytes([52, 1, 1, 255])
        file = bytes([52, 1, 3, 53, 1, 2]) + SID + bytes([255])
        sname = bytes([52, 1, 1, 255])
    elif case == "overload_bad_value":
        body = bytes([53, 1, 2, 52, 1, 9]) + SID + bytes([255])
    elif case == "oversized_55":
        # 55 in a reply, concatenated to 295 bytes (more than one option can hold)
        body = bytes([53, 1, 2, 55, 255]) + bytes(range(1, 256)) + bytes([55, 40]) + bytes(40) + SID + bytes([255])
    elif case == "longer_than_576":
        body = bytes([53, 1, 2]) + SID + bytes([77, 255]) + bytes(255) + bytes([78, 100]) + bytes(100) + bytes([255])
    else:
        body = bytes([53, 1, 2, 255])
    before, sbefore = c.counters(), dwire.counters()
    out = dhcp_frames(dwire.send(_raw_offer(d, body, sname=sname, file=file)))
    after, safter = c.counters(), dwire.counters()
    if counter and counter.startswith("stack:"):   # too big for the client's one-message ring
        counter = counter[6:]
        before, after = sbefore, safter
    if ok:
        assert [mtype(f) for f in out] == [3], dwire.summarize(out)
        assert opts(out[0])["server_id"] == SERVER and c.state == "requesting"
    else:
        assert out == [] and c.state == "selecting"
        assert after[counter] - before[counter] == 1


@pytest.mark.conformance("D12")
def test_repeated_options_concatenated_in_ack(dwire):
    """RFC 3396: a DNS list split over several option 6 instances (the split inside an address) is
    concatenated; options in an overloaded file field count too."""
    c = start(dwire)
    d = first_discover(dwire)
    r = dhcp_frames(dwire.send(reply(d, "offer")))[0]
    body = (bytes([53, 1, 5]) + SID + bytes([51, 4, 0, 0, 1, 0, 1, 4, 255, 255, 255, 0])
            + bytes([6, 2, 192, 0, 6, 6, 2, 53, 198, 51, 100, 7]) + bytes([52, 1, 1, 255]))
    file = bytes([6, 4, 192, 0, 2, 9, 42, 4, 192, 0, 2, 123, 255])
    dwire.send(reply(r, "ack", raw_options=MAGIC + body, file=file))
    dwire.advance(s=12)
    assert c.state == "bound"
    assert c.lease.dns == ["192.0.2.53", "198.51.100.7", "192.0.2.9"]
    assert c.lease.ntp == ["192.0.2.123"] and c.lease.lease_s == 256


# --- release (RFC 2131 4.4.6; no row of its own) ------------------------------------
def test_release_is_unicast_to_server_then_address_removed(dwire):
    """RFC 2131 4.4.6, table 5: RELEASE unicast to the server, ciaddr = our address, 54 = server id;
    the address is removed one second later and the client stops."""
    c = start(dwire)
    bind(dwire, c)
    c.release()
    assert c.state == "stopped" and not c.done
    out = dhcp_frames(dwire.drain())
    assert [mtype(f) for f in out] == [7]
    r = out[0]
    assert (r.dst, r[IP].src, r[IP].dst, r[BOOTP].ciaddr) == (SERVER_MAC, YI, SERVER, YI)
    assert opts(r)["server_id"] == SERVER and "requested_addr" not in opts(r)
    assert dwire.stack.addr[0] == YI
    dwire.advance(s=1.1)
    assert dwire.stack.addr is None
    assert dhcp_frames(dwire.advance(s=300)) == []
