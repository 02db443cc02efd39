# SPDX-License-Identifier: BSD-3-Clause
"""HTTP/1.1 client (seqs/http.h) against a scripted server peer on the virtual clock:
rows K1-K6 (RFC 9112, RFC 9110). The request the stack sends is checked with
Python's email/http parsers, not with seqs."""
import email.parser
import re

import pytest
from scapy.layers.inet import TCP

import seqs
from harness import PEER
from http_peer import ServerPeer, syns_from_stack
from tcp.peer import flags_of


_PEERS = []


def start(w, cl, method="GET", target="/x", **kw):
    """Starts a request; answers the stack's SYN if it opens a connection. Returns the
    new ServerPeer, or None when the request went out on a kept-alive connection
    (whose peer then takes the segments)."""
    cl.request(method, target, now_us=w.now_us, **kw)
    frames = w.drain()
    syns = syns_from_stack(frames)
    if syns:
        sp = ServerPeer(w, syns[-1])
        _PEERS.append(sp)
        return sp
    for sp in _PEERS:
        sp.take(frames)
    return None


@pytest.fixture(autouse=True)
def _forget_peers():
    _PEERS.clear()
    yield
    _PEERS.clear()


def run(w, sp, cl, ms=50, reads=None):
    """Lets time pass, then reads the whole body (None if not complete)."""
    sp.wait(ms=ms)
    out = b""
    while True:
        r = cl.read(700)
        if r is None:
            return None if reads is None else out
        if r == b"":
            return out
        if reads is not None:
            reads.append(len(r))
        out += r


def split_request(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    line, _, fields = head.partition(b"\r\n")
    msg = email.parser.BytesHeaderParser().parsebytes(fields + b"\r\n\r\n")
    return line, msg, fields, body


@pytest.fixture
def cl(ipwire):
    c = seqs.HttpClient(ipwire.stack, PEER, 80, buf_size=1024, rxbuf=8192, txbuf=4096, timeout_ms=3000)
    yield c
    c.close()


# --- K1 ----------------------------------------------------------------------------------
@pytest.mark.conformance("K1")
def test_request_line_host_and_no_duplicates(ipwire, cl):
    """RFC 9112 3 / 3.2: METHOD SP target SP HTTP/1.1, one Host; RFC 9110 5.3: no field twice."""
    sp = start(ipwire, cl, "GET", "/a/b?c=d", headers={"Accept": "*/*", "X-Test": "1"})
    sp.wait(ms=10)
    line, msg, fields, body = split_request(sp.stream)
    assert re.fullmatch(rb"GET /a/b\?c=d HTTP/1\.1", line)
    assert msg.get_all("Host") == ["192.0.2.1"] and msg["Accept"] == "*/*"
    names = [k.lower() for k in msg.keys()]
    assert len(names) == len(set(names)) and "content-length" not in names and body == b""


@pytest.mark.conformance("K1")
def test_post_body_gets_content_length(ipwire, cl):
    sp = start(ipwire, cl, "POST", "/form", body=b"a=1&b=2", host="example.test:8080")
    sp.wait(ms=10)
    line, msg, _, body = split_request(sp.stream)
    assert line == b"POST /form HTTP/1.1" and msg.get_all("Content-Length") == ["7"] and body == b"a=1&b=2"
    assert msg.get_all("Host") == ["example.test:8080"]


@pytest.mark.conformance("K1")
def test_empty_post_says_content_length_zero_and_user_cannot_double_framing(ipwire, cl):
    sp = start(ipwire, cl, "POST", "/e")
    sp.wait(ms=10)
    assert split_request(sp.stream)[1].get_all("Content-Length") == ["0"]
    with pytest.raises(seqs.InvalidArgument, match="Content-Length"):
        seqs.HttpClient(ipwire.stack, PEER, 81).request("GET", "/", headers={"Content-Length": "3"})
    with pytest.raises(seqs.InvalidArgument, match="host"):
        seqs.HttpClient(ipwire.stack, PEER, 81).request("GET", "/", headers={"Host": "x"})
    with pytest.raises(seqs.InvalidArgument, match="target"):
        seqs.HttpClient(ipwire.stack, PEER, 81).request("GET", "no-slash")


# --- K2 ----------------------------------------------------------------------------------
@pytest.mark.conformance("K2")
def test_content_length_read_exactly(ipwire, cl):
    """RFC 9112 6.3 item 6."""
    sp = start(ipwire, cl)
    sp.reply(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
    assert run(ipwire, sp, cl) == b"hello"
    assert cl.response()["status"] == 200 and cl.response()["framing"] == "length"


@pytest.mark.conformance("K2")
def test_chunked_decoded_extensions_ignored_trailers_skipped(ipwire, cl):
    """RFC 9112 7.1."""
    sp = start(ipwire, cl)
    sp.reply(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
             b"5;ext=1\r\nhello\r\n1 ; a=\"b\"\r\n \r\n5\r\nworld\r\n0\r\nX-T: 1\r\n\r\n")
    assert run(ipwire, sp, cl) == b"hello world"
    assert cl.response()["framing"] == "chunked" and cl.state == "done"


@pytest.mark.conformance("K2")
def test_close_delimited_body_read_until_fin(ipwire, cl):
    """RFC 9112 6.3 item 8: no length -> the body ends with the connection."""
    sp = start(ipwire, cl)
    sp.reply(b"HTTP/1.1 200 OK\r\nContent-Type: x\r\n\r\npart one, ")
    assert run(ipwire, sp, cl) is None          # not complete: no FIN yet
    got = cl.read() or b""
    sp.reply(b"part two")
    sp.take(sp.send("FA"))
    body = run(ipwire, sp, cl)
    assert cl.response()["framing"] == "close" and body is not None
    assert cl.counters["responses"] == 1


@pytest.mark.conformance("K2")
def test_close_delimited_full_body(ipwire, cl):
    sp = start(ipwire, cl)
    sp.reply(b"HTTP/1.0 200 OK\r\n\r\n" + b"z" * 3000)
    sp.take(sp.send("FA"))
    assert run(ipwire, sp, cl) == b"z" * 3000


@pytest.mark.conformance("K2")
def test_1xx_skipped(ipwire, cl):
    """RFC 9112 6.3 item 1 / RFC 9110 15.2: interim responses are skipped."""
    sp = start(ipwire, cl)
    sp.reply(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s>\r\n\r\n"
             b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    assert run(ipwire, sp, cl) == b"ok" and cl.response()["status"] == 200
    assert cl.counters["informational"] == 2


@pytest.mark.conformance("K2")
@pytest.mark.parametrize("status", [204, 304])
def test_204_304_have_no_body(ipwire, cl, status):
    """RFC 9112 6.3 item 1: 204 and 304 end at the head, whatever they declare."""
    sp = start(ipwire, cl)
    sp.reply(b"HTTP/1.1 %d X\r\nContent-Length: 10\r\n\r\n" % status)
    assert run(ipwire, sp, cl) == b"" and cl.response()["status"] == status
    # the connection is reusable right away
    assert start(ipwire, cl) is None
    sp.wait(ms=10)
    assert sp.stream.count(b"GET /x HTTP/1.1") == 2


@pytest.mark.conformance("K2")
def test_head_response_has_no_body(ipwire, cl):
    sp = start(ipwire, cl, "HEAD", "/h")
    sp.reply(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
    assert run(ipwire, sp, cl) == b"" and cl.response()["content_length"] == 1000


# --- K3 ----------------------------------------------------------------------------------
@pytest.mark.conformance("K3")
@pytest.mark.parametrize("resp", [
    b"HTTP/1.1 2000 OK\r\n\r\n", b"HTTP/1.1 20 OK\r\n\r\n", b"HTTP/2 200 OK\r\n\r\n", b"http/1.1 200 OK\r\n\r\n",
    b"HTTP/1.1 200 OK\nContent-Length: 1\n\nx", b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx",
    b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", b"HTTP/1.1 200 OK\r\nBad Field: 1\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n folded: 1\r\n\r\n", b"HTTP/1.1 200 OK\r\nX: a\x00b\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n",
    b"HTTP/1.1 101 Switching Protocols\r\n\r\n"])
def test_malformed_response_is_a_clear_error(ipwire, cl, resp):
    """RFC 9112 4, 6.3, 7.1; RFC 9110 5: strict, bounded parsing -> HttpProtocolError."""
    sp = start(ipwire, cl)
    sp.reply(resp)
    sp.wait(ms=10)
    with pytest.raises(seqs.HttpProtocolError):
        while cl.read() is not None:
            pass
        raise AssertionError("no error")
    assert cl.state == "error" and cl.counters["proto_errors"] == 1


@pytest.mark.conformance("K3")
def test_oversized_header_section_is_a_clear_error(ipwire, cl):
    sp = start(ipwire, cl)
    sp.reply(b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"p" * 1500 + b"\r\n\r\n")   # > 1024-byte buffer
    sp.wait(ms=10)
    with pytest.raises(seqs.HttpTooLarge):
        cl.read()
    assert sp.rst or any("R" in flags_of(f) for f in sp.segments)   # the connection is dropped


# --- K4 ----------------------------------------------------------------------------------
@pytest.mark.conformance("K4")
def test_keep_alive_reuses_one_connection(ipwire, cl):
    """RFC 9112 9.3: persistent connections by default."""
    sp = start(ipwire, cl, "GET", "/1")
    sp.reply(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na")
    assert run(ipwire, sp, cl) == b"a"
    for i in (2, 3):
        assert start(ipwire, cl, "GET", "/%d" % i) is None     # no new SYN
        sp.wait(ms=5)
        sp.reply(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n%d" % i)
        assert run(ipwire, sp, cl) == b"%d" % i
    assert sp.stream.count(b" HTTP/1.1\r\n") == 3
    assert cl.counters["connects"] == 1 and cl.counters["reused"] == 2


@pytest.mark.conformance("K4")
@pytest.mark.parametrize("resp", [b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na",
                                  b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\na"])
def test_connection_close_means_no_reuse(ipwire, cl, resp):
    sp = start(ipwire, cl)
    sp.reply(resp)
    assert run(ipwire, sp, cl) == b"a"
    sp2 = start(ipwire, cl, "GET", "/again")
    assert sp2 is not None and sp2.dport != sp.dport    # a new connection (new SYN, new port)
    assert cl.counters["connects"] == 2


# --- K5 ----------------------------------------------------------------------------------
@pytest.mark.conformance("K5")
def test_response_larger_than_buffer_streamed_in_pieces(ipwire, cl):
    """One 1024-byte buffer per connection: a 100 KB body reaches the caller in pieces."""
    body = bytes((i * 13) & 0xFF for i in range(100_000))
    sp = start(ipwire, cl)
    got, reads = b"", []
    sp.reply(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    for i in range(0, len(body), 4000):
        piece = body[i:i + 4000]
        sp.reply(b"%x\r\n" % len(piece) + piece + b"\r\n")
        out = run(ipwire, sp, cl, ms=1, reads=reads)
        got += out or b""
    sp.reply(b"0\r\n\r\n")
    got += run(ipwire, sp, cl, ms=1, reads=reads)
    assert got == body and max(reads) <= 700 and len(reads) >= 100 and cl.counters["responses"] == 1


@pytest.mark.conformance("K5")
def test_same_buffer_serves_every_request_on_the_connection(ipwire, cl):
    sp = start(ipwire, cl)
    for i in range(5):
        if i:
            assert start(ipwire, cl, "GET", "/x") is None
            sp.wait(ms=1)
        payload = bytes([65 + i]) * 3000
        sp.reply(b"HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n" + payload)
        assert run(ipwire, sp, cl, ms=5, reads=[]) == payload
    assert cl.counters["connects"] == 1


# --- K6 ----------------------------------------------------------------------------------
@pytest.mark.conformance("K6")
def test_no_response_times_out_and_closes(ipwire, cl):
    sp = start(ipwire, cl)
    sp.wait(ms=10)
    assert sp.stream.startswith(b"GET /x HTTP/1.1")
    d = ipwire.stack.next_deadline()
    assert d is not None and d <= ipwire.now_us + 3_000_000      # the client's timer is in the stack deadline
    sp.wait(s=2.5)
    assert cl.read() is None
    sp.wait(s=1)
    with pytest.raises(seqs.TimedOut):
        cl.read()
    assert cl.counters["timeouts"] == 1
    assert any("R" in flags_of(f) for f in sp.segments), "the connection is closed (RST) on the timeout"


@pytest.mark.conformance("K6")
def test_stalled_body_times_out(ipwire, cl):
    sp = start(ipwire, cl)
    sp.reply(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")
    sp.wait(s=4)
    with pytest.raises(seqs.TimedOut):
        while cl.read() is not None:
            pass
