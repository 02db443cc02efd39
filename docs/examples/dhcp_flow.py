# SPDX-License-Identifier: BSD-3-Clause
"""The README's Python DHCP example (the seed's flow; run by pytest/test_readme_examples.py):
a device stack gets its address from DHCP. The server is a second seqs.Stack whose UDP port 67
answers with scapy-built OFFER/ACK (a toy, so the example runs alone)."""
import seqs
from scapy.layers.dhcp import BOOTP, DHCP

dev = seqs.Stack(mac="02:00:00:00:00:02", seed=2)
srv = seqs.Stack(mac="02:00:00:00:00:01", seed=1)
srv.set_addr("192.0.2.1/24")
port67 = srv.udp_socket()
port67.bind(67)


def toy_server():
    while (d := port67.recvmsg()) is not None:
        req = BOOTP(d.data)
        typ = "offer" if req[DHCP].options[0][1] == 1 else "ack"
        rep = BOOTP(op=2, xid=req.xid, flags=req.flags, chaddr=req.chaddr, yiaddr="192.0.2.69") / DHCP(options=[
            ("message-type", typ), ("server_id", "192.0.2.1"), ("lease_time", 3600),
            ("subnet_mask", "255.255.255.0"), ("router", "192.0.2.1"), ("name_server", "192.0.2.1"), "end"])
        port67.sendto(bytes(rep), ("255.255.255.255", 68))


# --- the seed's flow ---
dhcp = seqs.DhcpClient(dev).begin(requested="192.0.2.69", xid=0x12345678, hostname="tinygo-pico")
now = 0
while not dhcp.done:
    for f in dev.output_all(now):       # the port: frames out of one NIC into the other
        srv.input(f, now)
    toy_server()
    for f in srv.output_all(now):
        dev.input(f, now)
    now = max(now + 1000, min(d for d in (dev.next_deadline(), srv.next_deadline(), 1 << 62) if d is not None))
print("got offer:", dhcp.offer, dhcp.lease, dev.addr)
