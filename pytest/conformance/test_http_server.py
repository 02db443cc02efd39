# SPDX-License-Identifier: BSD-3-Clause
"""HTTP/1.1 server (seqs/http.h) against a scripted TCP peer on the virtual clock:
rows H1-H13 (RFC 9112, RFC 9110, RFC 6585). Responses are parsed by Python's
http.client (the oracle), not by seqs."""
import pytest

import seqs
from http_peer import HttpPeer, one_response, parse_responses, status_of

BIG = bytes((i * 7) & 0xFF for i in range(20000))
STREAM = [b"first piece ", b"x" * 5000, b"", b"last"]


@pytest.fixture
def srv(ipwire):
    s = seqs.HttpServer(ipwire.stack, 80, max_conns=3, buf_size=4096, max_body=2000)

    @s.route("GET", "/hello")
    def hello(req):
        return 200, {"Content-Type": "text/plain"}, b"hello world"

    @s.route("GET", "/big")
    def big(req):
        return BIG

    @s.route("POST", "/echo")
    def echo(req):
        return 200, {"X-Len": str(len(req.body))}, req.body

    @s.route("GET", "/stream")
    def stream(req):
        return 200, {"Content-Type": "application/octet-stream"}, iter(STREAM)

    @s.route("PUT", "/echo")
    def echo_put(req):
        return 200, None, req.body

    yield s
    s.close()


@pytest.fixture
def peer(ipwire, srv):
    p = HttpPeer(ipwire, 80, sport=41000, iss=5000)
    p.connect()
    return p


def new_peer(ipwire, sport):
    p = HttpPeer(ipwire, 80, sport=sport, iss=9000 + sport)
    p.connect()
    return p


def GET(path="/hello", extra=b"", version=b"HTTP/1.1", host=b"Host: h\r\n"):
    return b"GET " + path.encode() + b" " + version + b"\r\n" + host + extra + b"\r\n"


# --- H1 ----------------------------------------------------------------------------------
@pytest.mark.conformance("H1")
def test_get_200_with_content_length(peer):
    """RFC 9112 6.3: Content-Length frames the body exactly."""
    status, h, body, _ = one_response(peer.request(GET()))
    assert status == 200 and body == b"hello world"
    assert h["Content-Length"] == "11" and h["Content-Type"] == "text/plain"


@pytest.mark.conformance("H1")
def test_large_body_streamed_from_python_object_with_content_length(peer):
    data = peer.request(GET("/big"), settle_ms=500)
    status, h, body, _ = one_response(data)
    assert status == 200 and int(h["Content-Length"]) == len(BIG) and body == BIG


@pytest.mark.conformance("H1")
def test_chunked_response_body(peer):
    """RFC 9112 7.1: a body of unknown length goes out chunked, ends with the last-chunk."""
    data = peer.request(GET("/stream"), settle_ms=500)
    status, h, body, n = one_response(data)
    assert status == 200 and h["Transfer-Encoding"] == "chunked" and "Content-Length" not in h
    assert body == b"".join(STREAM) and data.endswith(b"\r\n0\r\n\r\n") and n == len(data)


@pytest.mark.conformance("H1")
def test_chunked_stream_to_http10_is_close_delimited(ipwire, srv):
    """RFC 9112 7: a 1.0 recipient cannot parse chunked: the body ends with the close instead."""
    p = new_peer(ipwire, 41005)
    data = p.request(GET("/stream", version=b"HTTP/1.0", host=b""), settle_ms=500)
    status, h, body, _ = one_response(data)
    assert status == 200 and "Transfer-Encoding" not in h and body == b"".join(STREAM) and p.fin


@pytest.mark.conformance("H1")
def test_head_same_headers_no_body(peer):
    """RFC 9110 9.3.2: HEAD gets the GET headers (Content-Length included) and no body."""
    get = peer.request(GET())
    head = peer.request(b"HEAD /hello HTTP/1.1\r\nHost: h\r\n\r\n")
    sg, hg, _, _ = one_response(get)
    sh, hh, body, n = one_response(head, "HEAD")
    assert sg == sh == 200 and dict(hg) == dict(hh) and body == b""
    assert head.endswith(b"\r\n\r\n") and n == len(head)   # not one byte of body


# --- H2 ----------------------------------------------------------------------------------
@pytest.mark.conformance("H2")
@pytest.mark.parametrize("host", [b"", b"Host: a\r\nHost: b\r\n", b"Host: a\r\nhost: a\r\n"])
def test_missing_or_duplicate_host_400(peer, srv, host):
    """RFC 9112 3.2: a 1.1 request without exactly one Host gets 400."""
    data = peer.request(GET(host=host))
    assert status_of(data) == 400
    assert srv.counters["bad_request"] == 1


@pytest.mark.conformance("H2")
def test_http10_without_host_is_fine(peer):
    assert status_of(peer.request(GET(version=b"HTTP/1.0", host=b""))) == 200


# --- H3 ----------------------------------------------------------------------------------
@pytest.mark.conformance("H3")
@pytest.mark.parametrize("line", [b"GET /hello\r\n", b"GET  /hello HTTP/1.1\r\n", b"GET /hello  HTTP/1.1\r\n",
                                  b"GET /hello http/1.1\r\n", b"GET /he\x01llo HTTP/1.1\r\n",
                                  b"GET /hello HTTP/1.1 \r\n", b"GET /hello HTTP/1.1\n", b"GET /he llo HTTP/1.1\r\n",
                                  b" GET /hello HTTP/1.1\r\n", b"GET hello HTTP/1.1\r\n"])
def test_malformed_request_line_400(peer, srv, line):
    """RFC 9112 3: method SP request-target SP HTTP-version CRLF, nothing else."""
    data = peer.request(line + b"Host: h\r\n\r\n")
    assert status_of(data) == 400
    assert peer.fin, "the connection is closed after a 400"


@pytest.mark.conformance("H3")
def test_empty_lines_before_request_line_tolerated(peer):
    """RFC 9112 2.2: at least one empty line before a request-line is ignored."""
    status, _, body, _ = one_response(peer.request(b"\r\n\r\n" + GET()))
    assert status == 200 and body == b"hello world"


# --- H4 ----------------------------------------------------------------------------------
@pytest.mark.conformance("H4")
@pytest.mark.parametrize("method", [b"BREW", b"get", b"PROPFIND"])
def test_unknown_method_501(peer, srv, method):
    """RFC 9110 9.1 / 15.6.2: an unrecognised method gets 501 (methods are case-sensitive)."""
    assert status_of(peer.request(method + b" /hello HTTP/1.1\r\nHost: h\r\n\r\n")) == 501
    assert srv.counters["not_implemented"] == 1


@pytest.mark.conformance("H4")
@pytest.mark.parametrize("version", [b"HTTP/2.0", b"HTTP/0.9", b"HTTP/3.1"])
def test_unsupported_major_version_505(peer, srv, version):
    """RFC 9110 15.6.6."""
    assert status_of(peer.request(GET(version=version))) == 505
    assert srv.counters["bad_version"] == 1


@pytest.mark.conformance("H4")
def test_known_method_without_route_404_or_405(peer):
    assert status_of(peer.request(b"DELETE /hello HTTP/1.1\r\nHost: h\r\n\r\n")) == 405
    assert status_of(peer.request(GET("/nothing"))) == 404


# --- H5 ----------------------------------------------------------------------------------
@pytest.mark.conformance("H5")
def test_target_too_long_414(peer, srv):
    """RFC 9112 3 / RFC 9110 15.5.15: a request-target longer than SEQS_HTTP_MAX_REQUEST_LINE."""
    long_path = "/hello?" + "a" * seqs.HTTP_LIMITS["max_request_line"]
    assert status_of(peer.request(GET(long_path))) == 414
    assert srv.counters["uri_too_long"] == 1 and peer.fin


@pytest.mark.conformance("H5")
def test_header_section_over_buffer_431(peer, srv):
    """RFC 6585 5: fields beyond what the connection buffer holds -> 431, not a crash."""
    extra = b"".join(b"X-Pad-%d: %s\r\n" % (i, b"v" * 100) for i in range(40))   # ~4.4 KB > 4096 buffer
    assert status_of(peer.request(GET(extra=extra), settle_ms=100)) == 431
    assert srv.counters["fields_too_large"] == 1


@pytest.mark.conformance("H5")
def test_too_many_fields_431(peer, srv):
    extra = b"".join(b"X%d: 1\r\n" % i for i in range(seqs.HTTP_LIMITS["max_fields"] + 1))
    assert status_of(peer.request(GET(extra=extra))) == 431


@pytest.mark.conformance("H5")
def test_content_length_over_limit_413(peer, srv):
    """RFC 9110 15.5.14: the declared body exceeds max_body -> 413 before the body is read."""
    data = peer.request(b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n")
    assert status_of(data) == 413 and srv.counters["body_too_large"] == 1


@pytest.mark.conformance("H5")
def test_chunked_body_over_limit_413(peer, srv):
    chunks = b"".join(b"3e8\r\n" + b"z" * 1000 + b"\r\n" for _ in range(3)) + b"0\r\n\r\n"
    data = peer.request(b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks)
    assert status_of(data) == 413 and srv.counters["body_too_large"] == 1


# --- H6 ----------------------------------------------------------------------------------
@pytest.mark.conformance("H6")
@pytest.mark.parametrize("field", [b"Host : h\r\n", b"Host\t: h\r\n", b"Host: h\r\nX-A : 1\r\n"])
def test_whitespace_before_colon_400(peer, field):
    """RFC 9112 5.1: no whitespace between field name and colon (request smuggling)."""
    assert status_of(peer.request(b"GET /hello HTTP/1.1\r\n" + field + b"\r\n")) == 400


@pytest.mark.conformance("H6")
@pytest.mark.parametrize("fold", [b"X-A: 1\r\n  continued\r\n", b"X-A: 1\r\n\tcontinued\r\n"])
def test_obs_fold_400(peer, fold):
    """RFC 9112 5.2: obs-fold outside message/http is rejected with 400 (our choice)."""
    assert status_of(peer.request(b"GET /hello HTTP/1.1\r\nHost: h\r\n" + fold + b"\r\n")) == 400


# --- H7 ----------------------------------------------------------------------------------
@pytest.mark.conformance("H7")
def test_content_length_body_exact_then_next_request(peer):
    """RFC 9112 6.3: the body is exactly Content-Length bytes; what follows is the next request."""
    data = peer.request(b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloGET /hello HTTP/1.1\r\nHost: h\r\n\r\n")
    rs, rest = parse_responses(data, ["POST", "GET"])
    assert [(r[0], r[2]) for r in rs] == [(200, b"hello"), (200, b"hello world")] and rest == b""


@pytest.mark.conformance("H7")
def test_body_split_across_segments(peer):
    start = len(peer.stream)
    peer.send_bytes(b"PUT /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n01234")
    peer.wait(ms=20)
    assert len(peer.stream) == start      # waits for the rest of the body
    data = peer.request(b"56789")
    assert one_response(data, "PUT")[2] == b"0123456789"


# --- H8 ----------------------------------------------------------------------------------
@pytest.mark.conformance("H8")
@pytest.mark.parametrize("cl", [b"Content-Length: 5, 6\r\n", b"Content-Length: 5\r\nContent-Length: 6\r\n",
                                b"Content-Length: abc\r\n", b"Content-Length: -1\r\n", b"Content-Length: +5\r\n",
                                b"Content-Length: 99999999999999999999\r\n", b"Content-Length: \r\n"])
def test_bad_or_differing_content_length_400_and_close(peer, srv, cl):
    """RFC 9112 6.3 item 5: differing or invalid Content-Length -> 400, connection closed."""
    data = peer.request(b"POST /echo HTTP/1.1\r\nHost: h\r\n" + cl + b"\r\nhello")
    assert status_of(data) == 400 and peer.fin and not peer.rst


@pytest.mark.conformance("H8")
def test_identical_content_length_list_accepted(peer):
    data = peer.request(b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\nhello")
    assert one_response(data, "POST")[2] == b"hello"


# --- H9 ----------------------------------------------------------------------------------
@pytest.mark.conformance("H9")
def test_te_and_cl_chunked_wins_then_close(peer):
    """RFC 9112 6.1: Transfer-Encoding overrides Content-Length; the connection is closed
    after the response (the message may be a smuggling attempt)."""
    req = (b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"5\r\nhello\r\n0\r\n\r\nGET /hello HTTP/1.1\r\nHost: h\r\n\r\n")
    data = peer.request(req)
    rs, rest = parse_responses(data, ["POST", "GET"])
    assert len(rs) == 1 and rs[0][0] == 200 and rs[0][2] == b"hello"
    assert rs[0][1]["Connection"] == "close" and peer.fin and rest == b""


@pytest.mark.conformance("H9")
@pytest.mark.parametrize("te", [b"gzip", b"gzip, chunked", b"x-custom"])
def test_unknown_transfer_coding_501(peer, srv, te):
    """RFC 9112 6.1: a transfer coding we do not implement -> 501."""
    data = peer.request(b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: " + te + b"\r\n\r\n0\r\n\r\n")
    assert status_of(data) == 501 and peer.fin


@pytest.mark.conformance("H9")
@pytest.mark.parametrize("req", [
    b"POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",               # TE in 1.0
    b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n",     # chunked not final
    b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"])
def test_faulty_transfer_encoding_400(peer, req):
    """RFC 9112 6.1: TE in 1.0, chunked not the final coding, or chunked twice -> 400, close."""
    data = peer.request(req)
    assert status_of(data) == 400 and peer.fin


# --- H10 ---------------------------------------------------------------------------------
@pytest.mark.conformance("H10")
def test_chunked_body_extensions_and_trailers(peer):
    """RFC 9112 7.1: chunk extensions ignored, trailer section skipped, last-chunk ends the body."""
    body = (b"5;name=value\r\nhello\r\n6 ; q=\"x\"\r\n world\r\n0\r\nX-Trailer: 1\r\nY: 2\r\n\r\n")
    data = peer.request(b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + body +
                        GET())
    rs, _ = parse_responses(data, ["POST", "GET"])
    assert rs[0][2] == b"hello world" and rs[0][1]["X-Len"] == "11" and rs[1][2] == b"hello world"


@pytest.mark.conformance("H10")
def test_chunked_body_one_byte_per_segment(peer):
    req = b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
    start = len(peer.stream)
    for i in range(len(req)):
        peer.send_bytes(req[i:i + 1])
    peer.wait(ms=50)
    assert one_response(peer.stream[start:], "POST")[2] == b"abc"


@pytest.mark.conformance("H10")
@pytest.mark.parametrize("chunk", [b"zz\r\nab\r\n0\r\n\r\n", b"ffffffffffffffffff\r\n", b"\r\n",
                                   b"3\r\nabcX\r\n0\r\n\r\n", b"3\nabc\r\n0\r\n\r\n", b"-1\r\n"])
def test_bad_or_overflowing_chunk_size_400(peer, srv, chunk):
    data = peer.request(b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk)
    assert status_of(data) == 400 and peer.fin and srv.counters["bad_request"] == 1


# --- H11 ---------------------------------------------------------------------------------
@pytest.mark.conformance("H11")
def test_keep_alive_default_in_11(peer, srv):
    """RFC 9112 9.3: persistent by default; the second request uses the same connection."""
    for _ in range(3):
        status, h, _, _ = one_response(peer.request(GET()))
        assert status == 200 and "Connection" not in h
    assert not peer.fin and srv.counters["conns_accepted"] == 1


@pytest.mark.conformance("H11")
def test_connection_close_closes_after_response(peer):
    status, h, body, _ = one_response(peer.request(GET(extra=b"Connection: close\r\n")))
    assert status == 200 and h["Connection"] == "close" and body == b"hello world"
    assert peer.fin and not peer.rst


@pytest.mark.conformance("H11")
def test_http10_closes_unless_keep_alive(ipwire, srv):
    p = new_peer(ipwire, 41001)
    data = p.request(GET(version=b"HTTP/1.0"))
    assert status_of(data) == 200 and p.fin
    q = new_peer(ipwire, 41002)
    data = q.request(GET(version=b"HTTP/1.0", extra=b"Connection: keep-alive\r\n"))
    s, h, _, _ = one_response(data)
    assert s == 200 and h["Connection"] == "keep-alive" and not q.fin
    assert status_of(q.request(GET(version=b"HTTP/1.0", extra=b"Connection: keep-alive\r\n"))) == 200


# --- H12 ---------------------------------------------------------------------------------
@pytest.mark.conformance("H12")
def test_pipelined_requests_in_one_segment_answered_in_order(peer):
    """RFC 9112 9.3.2: N requests in one segment -> N responses in order."""
    reqs = (GET("/hello") + b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc" + GET("/nope") +
            b"HEAD /hello HTTP/1.1\r\nHost: h\r\n\r\n" + GET("/hello"))
    assert len(reqs) < 1400
    data = peer.request(reqs)
    rs, rest = parse_responses(data, ["GET", "POST", "GET", "HEAD", "GET"])
    assert [(r[0], r[2]) for r in rs] == [(200, b"hello world"), (200, b"abc"), (404, b"Not Found"),
                                          (200, b""), (200, b"hello world")]
    assert rest == b""


@pytest.mark.conformance("H12")
def test_forty_pipelined_requests_answered_at_once_in_order(peer):
    """More requests in one segment than the server handles per poll: all answered without
    waiting for another frame from the client (the server asks the stack to poll it again)."""
    from scapy.layers.inet import TCP
    from tcp.peer import payload
    reqs = b"".join(GET("/hello?n=%d" % i) for i in range(40))
    base = peer.rcv
    frames = peer.send("PA", data=reqs)          # one segment in, nothing ACKed, no time passes
    frames += peer.out(peer.w.drain())
    data = b"".join(payload(f) for f in sorted(frames, key=lambda f: (f[TCP].seq - base) & 0xFFFFFFFF))
    rs, rest = parse_responses(data)
    assert len(rs) == 40 and all(r[0] == 200 and r[2] == b"hello world" for r in rs) and rest == b""


# --- H13 ---------------------------------------------------------------------------------
@pytest.mark.conformance("H13")
def test_slowloris_trickled_headers_get_408_and_close(peer, srv):
    """RFC 9110 15.5.9: a head that never completes -> 408 after the request timeout, then close."""
    req = GET(extra=b"X-Slow: " + b"s" * 100 + b"\r\n")
    start = len(peer.stream)
    t0 = peer.w.now_us
    for i in range(30):                       # one byte a second: 30 s < the whole request
        peer.send_bytes(req[i:i + 1])
        peer.wait(s=1)
        if peer.fin:
            break
    data = peer.stream[start:]
    assert status_of(data) == 408 and peer.fin and srv.counters["request_timeouts"] == 1
    assert 9.5e6 <= peer.w.now_us - t0 <= 12e6   # SEQS_HTTP_REQUEST_MS = 10 s


@pytest.mark.conformance("H13")
def test_idle_keep_alive_connection_closed_after_idle_timeout(peer, srv):
    assert status_of(peer.request(GET())) == 200
    peer.wait(s=seqs.HTTP_LIMITS["idle_ms"] / 1000 - 1)
    assert not peer.fin
    peer.wait(s=2)
    assert peer.fin and not peer.rst and srv.counters["idle_closes"] == 1


@pytest.mark.conformance("H13")
def test_expect_100_continue_then_final_response(peer, srv):
    """RFC 9110 10.1.1: 100 (Continue) before the body is read, then the final response."""
    start = len(peer.stream)
    peer.send_bytes(b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
    peer.wait(ms=20)
    assert peer.stream[start:] == b"HTTP/1.1 100 Continue\r\n\r\n"
    data = peer.request(b"body")
    status, h, body, _ = one_response(data, "POST")
    assert status == 200 and body == b"body" and srv.counters["continues"] == 1


@pytest.mark.conformance("H13")
def test_unknown_expectation_417(peer, srv):
    data = peer.request(b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nExpect: tea\r\n\r\nbody")
    assert status_of(data) == 417 and srv.counters["expectation_failed"] == 1


@pytest.mark.conformance("H13")
def test_connection_cap_enforced_with_503(ipwire, srv):
    peers = [new_peer(ipwire, 42000 + i) for i in range(3)]    # the cap is 3
    extra = new_peer(ipwire, 42010)
    assert status_of(extra.stream) == 503 and extra.fin
    assert srv.counters["conns_rejected"] == 1 and srv.active == 3
    for p in peers:
        assert status_of(p.request(GET())) == 200


@pytest.mark.conformance("H13")
def test_graceful_close_unread_input_does_not_reset_response(peer, srv):
    """RFC 9112 9.6: after the last response the server half-closes and drains input, so
    bytes it never reads (here: a pipelined request after Connection: close, and more
    data sent after the FIN) do not turn into an RST that destroys the response."""
    data = peer.request(GET(extra=b"Connection: close\r\n") + GET() + b"garbage" * 50)
    assert peer.fin and not peer.rst
    peer.send_bytes(b"more data after the server's FIN")
    peer.wait(ms=10)
    assert not peer.rst
    status, _, body, _ = one_response(data)
    assert status == 200 and body == b"hello world"
    peer.close()
    peer.wait(ms=10)
    assert not peer.rst and srv.active == 0


@pytest.mark.conformance("H13")
def test_linger_ends_after_linger_time_when_client_never_closes(peer, srv):
    peer.request(GET(extra=b"Connection: close\r\n"))
    assert peer.fin and srv.active == 1
    peer.wait(s=seqs.HTTP_LIMITS["linger_ms"] / 1000 + 1)
    assert srv.active == 0 and srv.counters["linger_timeouts"] == 1


@pytest.mark.conformance("H13")
def test_deadline_is_part_of_the_stack_deadline(ipwire, srv, peer):
    """The server's timers are visible through seqs_stack_next_deadline() (app hook)."""
    peer.request(GET())
    d = ipwire.stack.next_deadline()
    assert d is not None and d <= ipwire.now_us + seqs.HTTP_LIMITS["idle_ms"] * 1000
