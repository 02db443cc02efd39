# SPDX-License-Identifier: BSD-3-Clause
"""The HTTP part of the Python API (bindings/http.i, seqs/http.py): a seqs client and a
seqs server on two stacks joined by seqs.VirtualLink, handlers written in Python,
and misuse raising exceptions that name the argument and the limit."""
import hashlib

import pytest

import seqs


@pytest.fixture
def pair():
    a = seqs.Stack(mac="02:00:00:00:00:0a", seed=11)
    b = seqs.Stack(mac="02:00:00:00:00:0b", seed=12)
    a.poll(1000)
    b.poll(1000)
    a.set_addr("192.0.2.10/24")
    b.set_addr("192.0.2.11/24")
    link = seqs.VirtualLink(a, b)
    for _ in range(200):       # let the address announcements settle
        link.step()
    return a, b, link


def test_python_handlers_keep_alive_and_large_bodies(pair):
    a, b, link = pair
    srv = seqs.HttpServer(b, 80, buf_size=2048)
    big = hashlib.sha256(b"seed").digest() * 40000          # 1.28 MB: sent from the Python object
    seen = []

    @srv.route("GET", "/")
    def index(req):
        seen.append((req.method, req.path, req.query, req.header("host")))
        return {"/big": big}.get(req.path, "page " + req.path)

    @srv.route("POST", "/sum")
    def add(req):
        return 200, [("X-Kind", "sum")], str(sum(int(x) for x in req.body.split(b","))).encode()

    cl = seqs.HttpClient(a, "192.0.2.11", 80)
    r = seqs.http_get(a, "http://192.0.2.11/hello?x=1", run=link.step, client=cl)
    assert (r.status, r.body) == (200, b"page /hello")
    r = seqs.http_get(a, "http://192.0.2.11/big", run=link.step, client=cl)
    assert r.body == big and ("Content-Length", str(len(big))) in r.headers
    r = seqs.http_request(a, "http://192.0.2.11/sum", link.step, "POST", body=b"1,2,3,4", client=cl)
    assert r.body == b"10" and ("X-Kind", "sum") in r.headers
    assert seen[0] == ("GET", "/hello", "x=1", "192.0.2.11")
    assert cl.counters["connects"] == 1 and cl.counters["reused"] == 2
    assert srv.counters["requests"] == 3 and srv.errors == []
    cl.close()
    srv.close()


def test_generator_body_is_streamed_chunked(pair):
    a, b, link = pair
    srv = seqs.HttpServer(b, 8080)
    srv.route("GET", "/gen", lambda req: (200, None, (b"%d," % i for i in range(2000))))
    r = seqs.http_get(a, "http://192.0.2.11:8080/gen", run=link.step)
    assert r.framing == "chunked" and r.body == b"".join(b"%d," % i for i in range(2000))


def test_handler_exception_answers_500_and_is_kept(pair):
    a, b, link = pair
    srv = seqs.HttpServer(b, 80)

    @srv.route("*", "/")
    def boom(req):
        raise KeyError("no such thing")

    r = seqs.http_get(a, "http://192.0.2.11/x", run=link.step)
    assert r.status == 500 and len(srv.errors) == 1 and isinstance(srv.errors[0], KeyError)

    srv.route("GET", "/bad", lambda req: object())     # not a valid return value
    assert seqs.http_get(a, "http://192.0.2.11/x", run=link.step).status == 500


def test_server_deadline_is_in_the_stack_deadline(pair):
    a, b, link = pair
    srv = seqs.HttpServer(b, 80, idle_ms=5000)
    srv.route("GET", "/", lambda req: b"ok")
    cl = seqs.HttpClient(a, "192.0.2.11", 80)
    seqs.http_get(a, "http://192.0.2.11/", run=link.step, client=cl)
    assert srv.active == 1
    d = b.next_deadline()
    assert d is not None and d <= link.now + 5_000_000
    for _ in range(100):
        link.step()
        if srv.active == 0:
            break
    assert srv.active == 0 and srv.counters["idle_closes"] == 1 and link.now >= 5_000_000


def test_client_timeout_raises_timed_out(pair):
    a, b, link = pair
    lst = b.tcp_listen(80)          # accepts, never answers
    cl = seqs.HttpClient(a, "192.0.2.11", 80, timeout_ms=2000)
    with pytest.raises(seqs.TimedOut):
        seqs.http_get(a, "http://192.0.2.11/", run=link.step, client=cl)
    assert cl.counters["timeouts"] == 1
    lst.close()


def test_misuse_raises_with_a_message(pair):
    a, b, link = pair
    with pytest.raises(seqs.InvalidArgument, match="port=0"):
        seqs.HttpServer(b, 0)
    with pytest.raises(seqs.InvalidArgument, match="buf_size=100 out of range .512"):
        seqs.HttpServer(b, 80, buf_size=100)
    with pytest.raises(TypeError, match="max_conns must be an int"):
        seqs.HttpServer(b, 80, max_conns="3")
    srv = seqs.HttpServer(b, 80)
    with pytest.raises(seqs.AddressInUse):
        seqs.HttpServer(b, 80)
    with pytest.raises(seqs.InvalidArgument, match="method='FETCH'"):
        srv.route("FETCH", "/", lambda r: b"")
    with pytest.raises(seqs.InvalidArgument, match="prefix='x'"):
        srv.route("GET", "x", lambda r: b"")
    for i in range(seqs.HTTP_LIMITS["max_routes"]):
        srv.route("GET", "/r%d" % i, lambda r: b"")
    with pytest.raises(seqs.LimitError, match="SEQS_HTTP_MAX_ROUTES"):
        srv.route("GET", "/one-more", lambda r: b"")
    srv.close()
    with pytest.raises(seqs.StateError, match="closed"):
        srv.route("GET", "/", lambda r: b"")
    cl = seqs.HttpClient(a, "192.0.2.11", 80, buf_size=512)
    with pytest.raises(seqs.NoBuffers, match="does not fit buf_size"):
        cl.request("POST", "/", body=b"x" * 1000)
    with pytest.raises(seqs.InvalidArgument, match="target"):
        cl.request("GET", "http://x/")
    with pytest.raises(seqs.InvalidArgument, match="invalid field"):
        cl.request("GET", "/", headers={"X-A": "1\r\nInjected: yes"})
    with pytest.raises(seqs.InvalidArgument, match="url="):
        seqs.http_get(a, "https://192.0.2.11/", run=link.step)
    cl.request("GET", "/")
    with pytest.raises(seqs.StateError):
        cl.request("GET", "/")           # one request in flight at a time
    cl.close()
    with pytest.raises(seqs.StateError, match="closed"):
        cl.read()


def test_stack_freed_before_server_and_client_is_safe():
    st = seqs.Stack(mac="02:00:00:00:00:0c")
    st.set_addr("192.0.2.12/24")
    srv = seqs.HttpServer(st, 80)
    cl = seqs.HttpClient(st, "192.0.2.13", 80)
    st.__del__()            # what a garbage collector may do first in a cycle
    srv.close()
    cl.close()
