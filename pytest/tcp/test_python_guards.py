# SPDX-License-Identifier: BSD-3-Clause
"""Python-layer guards of the TCP API (issue 11, item 5): pools of closed listeners are
freed, write() takes only bytes-like data, listen() checks its int arguments, and the raw
seqs_c module says it is unsafe."""
import gc
import tracemalloc

import pytest

seqs = pytest.importorskip("seqs")
from tcp.test_api import _pair, _pump  # noqa: E402


def test_listen_close_cycles_do_not_keep_buffer_pools():
    st = seqs.Stack(mac="02:00:00:00:00:0b", seed=2, gratuitous=False)
    st.set_addr("192.0.2.2/24")
    for _ in range(50):                                  # warm-up (SWIG, caches)
        st.tcp_listen(80, rxbuf=32768, txbuf=32768).close()
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(2000):                                # 2,000 x 8 slots x 64 KiB = 1 GiB if kept
        st.tcp_listen(80, rxbuf=32768, txbuf=32768).close()
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert grown < 1 << 20, "listen/close cycles kept %d bytes" % grown
    assert not [k for k in st._buffers if k[0] == "tcp_pool"]


def test_closed_listener_pool_lives_until_its_accepted_connection_is_released():
    a, b = _pair()
    lst = b.tcp_listen(7)
    c = a.tcp_connect("192.0.2.2", 7)
    t = _pump(a, b, 1000)
    s = lst.accept()
    lst.close()
    assert [k for k in b._buffers if k[0] == "tcp_pool"]     # s still reads and writes into it
    c.write(b"still here")
    t = _pump(a, b, t)
    assert s.read() == b"still here"
    s.abort()
    b.tcp_listen(8).close()                                  # any later listen/close sweeps
    assert not [k for k in b._buffers if k[0] == "tcp_pool"]


def test_write_of_an_int_or_str_raises_type_error():
    a, b = _pair()
    b.tcp_listen(7)
    c = a.tcp_connect("192.0.2.2", 7)
    _pump(a, b, 1000)
    with pytest.raises(TypeError, match="bytes-like"):
        c.write(10)                                          # not ten zero bytes
    with pytest.raises(TypeError, match="bytes-like"):
        c.write("text")
    assert c.info()["tx_queued"] == 0
    assert c.write(memoryview(b"ok")) == 2


@pytest.mark.parametrize("backlog,exc", [(2.7, TypeError), ("4", TypeError), (True, TypeError),
                                         (0, seqs.InvalidArgument), (70000, seqs.InvalidArgument)])
def test_listen_rejects_a_backlog_that_is_not_an_int_in_range(backlog, exc):
    st = seqs.Stack(mac="02:00:00:00:00:0b", seed=2, gratuitous=False)
    with pytest.raises(exc, match="backlog"):
        st.tcp_listen(80, backlog=backlog)
    assert not [k for k in st._buffers if k[0] == "tcp_pool"]


def test_listener_timeouts_and_config_fields_are_checked():
    st = seqs.Stack(mac="02:00:00:00:00:0b", seed=2, gratuitous=False)
    lst = st.tcp_listen(80)
    lst.set_timeouts(handshake_ms=2000, idle_ms=30000)
    with pytest.raises(TypeError, match="idle_ms"):
        lst.set_timeouts(idle_ms=1.5)
    with pytest.raises(seqs.InvalidArgument, match="handshake_ms"):
        lst.set_timeouts(handshake_ms=-1)
    cfg = st.tcp_config(invalid_ratelimit_ms=250, closed_reclaim_ms=5000)
    assert cfg["invalid_ratelimit_ms"] == 250 and cfg["closed_reclaim_ms"] == 5000
    with pytest.raises(TypeError, match="closed_reclaim_ms"):
        st.tcp_config(closed_reclaim_ms="5s")


def test_raw_seqs_c_module_is_documented_unsafe():
    doc = seqs.seqs_c.__doc__
    assert "UNSAFE" in doc and "double free" in doc and "seqs.Stack" in doc
