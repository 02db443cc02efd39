# SPDX-License-Identifier: BSD-3-Clause
"""seqs.DhcpServer: misuse raises with a message naming the argument and the limit;
the server keeps its Stack alive and detaches on close()/GC."""
import gc

import pytest

seqs = pytest.importorskip("seqs")


def _stack(addr="192.0.2.2/24"):
    st = seqs.Stack(mac="02:00:00:00:00:01", seed=1)
    if addr:
        st.set_addr(addr)
    return st


@pytest.mark.parametrize("kw, exc, text", [
    (dict(pool="192.0.3.10-192.0.3.20"), seqs.InvalidArgument, r"pool=.*not inside the subnet.*192\.0\.2\.2/24"),
    (dict(pool="192.0.2.0-192.0.2.10"), seqs.InvalidArgument, r"pool=.*network/broadcast"),
    (dict(pool="192.0.2.1-192.0.2.10"), seqs.InvalidArgument, r"pool=.*server's own address"),
    (dict(pool="192.0.2.20-192.0.2.10"), seqs.InvalidArgument, r"pool=.*after the last"),
    (dict(pool="192.0.2.100"), seqs.InvalidArgument, r"pool=.*FIRST-LAST"),
    (dict(table_size=50), seqs.LimitError, r"table_size=50 is smaller than the pool \(100 addresses\)"),
    (dict(table_size=100, reservations={"02:00:00:00:00:09": "192.0.2.9"}), seqs.LimitError,
     r"table_size=100 .*reservations outside it \(1\)"),
    (dict(lease=0), seqs.InvalidArgument, r"lease=0"),
    (dict(reservations={"02:00:00:00:00:09": "198.51.100.9"}), seqs.InvalidArgument,
     r"reservations=.*outside the subnet"),
    (dict(reservations={"02:00:00:00:00:09": "192.0.2.9", "02:00:00:00:00:0a": "192.0.2.9"}),
     seqs.InvalidArgument, r"reservations=.*one MAC or one address"),
    (dict(router="198.51.100.1"), seqs.InvalidArgument, r"router=.*outside the subnet"),
    (dict(dns=["192.0.2.1"] * 4), seqs.LimitError, r"dns: 4 servers given, at most SEQS_DHCPS_MAX_DNS=3"),
    (dict(prefix=31), seqs.InvalidArgument, r"prefix=31"),
    (dict(lease="long"), TypeError, r"lease must be a number"),
])
def test_misuse_raises_with_a_message(kw, exc, text):
    st = _stack()
    args = dict(pool="192.0.2.100-192.0.2.199")
    args.update(kw)
    with pytest.raises(exc, match=text):
        seqs.DhcpServer(st, **args)
    # nothing was left attached: port 67 is free for a good server
    seqs.DhcpServer(st, pool="192.0.2.100-192.0.2.199").close()


def test_server_needs_an_address():
    with pytest.raises(seqs.NoAddress, match="set_addr"):
        seqs.DhcpServer(_stack(addr=None), pool="192.0.2.100-192.0.2.110")


def test_one_server_per_port_and_close_frees_it():
    st = _stack()
    a = seqs.DhcpServer(st, pool="192.0.2.100-192.0.2.110")
    with pytest.raises(seqs.AddressInUse):
        seqs.DhcpServer(st, pool="192.0.2.120-192.0.2.130")
    a.close()
    a.close()   # idempotent
    with pytest.raises(seqs.Closed):
        a.leases()
    b = seqs.DhcpServer(st, pool="192.0.2.120-192.0.2.130")
    del b
    gc.collect()   # GC detaches too: the port is free again
    seqs.DhcpServer(st, pool="192.0.2.120-192.0.2.130").close()


def test_server_keeps_its_stack_alive():
    srv = seqs.DhcpServer(_stack(), pool="192.0.2.100-192.0.2.110", lease=60)
    gc.collect()
    st = srv._stack
    st.poll(2_000_000)
    assert srv.leases() == [] and srv.counters()["rx"] == 0
    assert st.next_deadline() is None or st.next_deadline() > 0


def test_sizes_are_exported():
    assert seqs.DHCPS_LEASE_ENTRY_SIZE == 48
    assert seqs.DHCPS_SERVER_SIZE > seqs.DHCPS_LEASE_ENTRY_SIZE
