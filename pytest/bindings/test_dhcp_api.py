# SPDX-License-Identifier: BSD-3-Clause
"""seqs.DhcpClient, the Python face of seqs/dhcp.h: misuse raises with a message that names the
argument and the limit; release/stop/close keep the C stack consistent."""
import gc

import pytest

seqs = pytest.importorskip("seqs", reason="seqs Python module not built (set SEQS_BUILD_DIR)")


def test_begin_argument_errors_name_the_argument():
    st = seqs.Stack(mac="02:00:00:00:00:01")
    c = seqs.DhcpClient(st)
    with pytest.raises(seqs.InvalidArgument, match="hostname"):
        c.begin(hostname="x" * 33)
    with pytest.raises(seqs.InvalidArgument, match="hostname"):
        c.begin(hostname="")
    with pytest.raises(TypeError, match="hostname"):
        c.begin(hostname=b"pico")
    with pytest.raises(seqs.InvalidArgument, match="xid"):
        c.begin(xid=1 << 32)
    with pytest.raises(seqs.InvalidArgument, match="requested"):
        c.begin(requested="192.0.2.300")
    with pytest.raises(seqs.InvalidArgument, match="reboot"):
        c.begin(reboot=True)
    with pytest.raises(seqs.InvalidArgument, match="client_id"):
        c.begin(client_id=b"\x01")
    with pytest.raises(seqs.InvalidArgument, match="requested"):
        c.begin(requested="224.0.0.1")   # C side: not a unicast address
    assert c.state == "stopped"
    c.begin(hostname="tinygo-pico")
    with pytest.raises(seqs.StateError, match="already started"):
        c.begin()


def test_port_68_taken_and_second_client():
    st = seqs.Stack(mac="02:00:00:00:00:01")
    a = seqs.DhcpClient(st).begin()
    with pytest.raises(seqs.AddressInUse):
        seqs.DhcpClient(st).begin()
    a.close()
    seqs.DhcpClient(st).begin()   # port 68 free again


def test_release_without_lease_is_a_state_error():
    st = seqs.Stack(mac="02:00:00:00:00:01")
    c = seqs.DhcpClient(st).begin()
    with pytest.raises(seqs.StateError, match="needs a lease"):
        c.release()
    with pytest.raises(seqs.StateError):
        c.decline()


def test_closed_client_raises_and_gc_detaches():
    st = seqs.Stack(mac="02:00:00:00:00:01")
    c = seqs.DhcpClient(st).begin()
    assert st.next_deadline() == st.now   # the first DISCOVER is due
    c.close()
    with pytest.raises(seqs.StateError, match="closed"):
        c.state
    assert st.next_deadline() is None   # detached: nothing of the client is scheduled
    d = seqs.DhcpClient(st).begin()
    st.output_all(0)
    assert st.next_deadline() is not None
    del d
    gc.collect()
    assert st.next_deadline() is None
    assert st.output_all(10_000_000) == []


def test_sizes_and_counter_names():
    assert seqs.DHCP_CLIENT_SIZE > 0
    assert "drop_xid" in seqs.DHCP_COUNTER_NAMES and "conflicts" in seqs.DHCP_COUNTER_NAMES
    c = seqs.DhcpClient(seqs.Stack(mac="02:00:00:00:00:01"))
    with pytest.raises(KeyError, match="drop_xid"):
        c.counter("nope")
