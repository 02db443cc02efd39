# SPDX-License-Identifier: BSD-3-Clause
"""The README's Python example (run by pytest/test_readme_examples.py so it stays true):
a stack with MAC/MTU/port limits and a static address answers a ping built with scapy."""
import seqs
from scapy.all import ARP, ICMP, IP, Ether

PEER_MAC, US_MAC = "02:00:00:00:00:01", "02:00:00:00:00:02"
st = seqs.Stack(mac=US_MAC, mtu=1500, max_udp_sockets=2, seed=7)
st.set_addr("192.0.2.2/24", gateway="192.0.2.1")

now_us = 1_000_000
ping = Ether(src=PEER_MAC, dst=US_MAC) / IP(src="192.0.2.1", dst="192.0.2.2") / ICMP(id=1, seq=1) / b"hi"
st.input(bytes(ping), now_us)
out = [Ether(f) for f in st.output_all(now_us)]        # a gratuitous ARP, then who-has 192.0.2.1
# Answer the stack's ARP request; the queued echo reply follows.
st.input(bytes(Ether(src=PEER_MAC, dst=US_MAC) /
               ARP(op=2, hwsrc=PEER_MAC, psrc="192.0.2.1", hwdst=US_MAC, pdst="192.0.2.2")), now_us)
out += [Ether(f) for f in st.output_all(now_us)]
reply = next(f for f in out if ICMP in f and f[ICMP].type == 0)
print(reply.summary(), "| next timer at", st.next_deadline(), "µs")
print({name: n for name, n in st.counters().items() if n})
