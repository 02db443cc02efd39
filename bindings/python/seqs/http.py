# SPDX-License-Identifier: BSD-3-Clause
"""seqs HTTP/1.1: the server and client of seqs/http.h from Python, on the virtual clock.

    srv = seqs.HttpServer(stack, 80)
    @srv.route("GET", "/hello")
    def hello(req):                       # req: seqs.HttpRequest
        return 200, {"Content-Type": "text/plain"}, b"hi"

    link = seqs.VirtualLink(client_stack, server_stack)
    r = seqs.http_get(client_stack, "http://192.0.2.2/hello", run=link.step)
    r.status, r.headers, r.body

Handlers return bytes/str (200), (status, body), (status, headers, body) or an
HttpResponse; a body that is an iterable of bytes (a generator) is streamed
chunked (close-delimited to an HTTP/1.0 client); headers are a dict, a list of (name, value) or None. An exception in
a handler answers 500 and is kept in `srv.errors`. The C side works over one buffer
per connection; a response body larger than it is sent from the Python object."""

from collections import namedtuple
from urllib.parse import urlsplit

from . import seqs_c as _c
from ._closing import Closing
from .addr import ip_to_int
from .errors import InvalidArgument, LimitError, SeqsError, StateError, error_for

__all__ = ["HttpServer", "HttpClient", "HttpRequest", "HttpResponse", "HttpResult", "HttpError",
           "HttpProtocolError", "HttpTooLarge", "VirtualLink", "http_get", "http_request", "HTTP_LIMITS"]

METHODS = {"*": 0, "ANY": 0, "GET": 1, "HEAD": 2, "POST": 3, "PUT": 4, "DELETE": 5, "CONNECT": 6,
           "OPTIONS": 7, "TRACE": 8, "PATCH": 9}
HTTP_LIMITS = {
    "max_request_line": _c.HTTP_MAX_REQUEST_LINE, "max_head": _c.HTTP_MAX_HEAD,
    "max_fields": _c.HTTP_MAX_FIELDS, "max_body": _c.HTTP_MAX_BODY, "tx_reserve": _c.HTTP_TX_RESERVE,
    "max_routes": _c.HTTP_MAX_ROUTES, "idle_ms": _c.HTTP_IDLE_MS, "request_ms": _c.HTTP_REQUEST_MS,
    "linger_ms": _c.HTTP_LINGER_MS, "client_timeout_ms": _c.HTTP_CLIENT_TIMEOUT_MS,
}
_FRAMING = {0: "none", 1: "length", 2: "chunked", 3: "close"}
_CL_IDLE, _CL_BUSY, _CL_BODY, _CL_DONE, _CL_ERROR = range(5)


class HttpError(SeqsError):
    """An HTTP-level failure (malformed message, oversized head)."""

    def __init__(self, message=None, code=None):
        SeqsError.__init__(self, message, code=code)
        text = _c.seqs_http_strerror(self.code)
        self.args = ("%s: %s" % (message, text) if message else text,)


class HttpProtocolError(HttpError):
    code = _c.SEQS_HTTP_ERR_PROTO
    name = "SEQS_HTTP_ERR_PROTO"


class HttpTooLarge(HttpError):
    code = _c.SEQS_HTTP_ERR_TOOBIG
    name = "SEQS_HTTP_ERR_TOOBIG"


def _err(code, what):
    if code == _c.SEQS_HTTP_ERR_PROTO:
        return HttpProtocolError(what)
    if code == _c.SEQS_HTTP_ERR_TOOBIG:
        return HttpTooLarge(what)
    return error_for(code, what)


def _int_arg(name, v, lo, hi):
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError("%s must be an int, not %s" % (name, type(v).__name__))
    if v < lo or v > hi:
        raise InvalidArgument("%s=%d out of range (%d .. %d)" % (name, v, lo, hi))
    return v


def _field_lines(headers, what):
    """dict / list of pairs / None -> "Name: value\\r\\n..." (validated)."""
    if headers is None:
        return None
    if isinstance(headers, str):
        items = []
        for line in headers.split("\r\n"):
            if line:
                if ":" not in line:
                    raise InvalidArgument("%s: field line %r has no colon" % (what, line))
                n, v = line.split(":", 1)
                items.append((n, v.strip()))
    elif isinstance(headers, dict):
        items = list(headers.items())
    else:
        items = list(headers)
    out = []
    for n, v in items:
        n = str(n)
        v = str(v)
        if not n or any(c in n for c in " \t\r\n:") or any(c in v for c in "\r\n\0"):
            raise InvalidArgument("%s: invalid field %r: %r (no CR/LF/NUL, names are tokens)" % (what, n, v))
        if n.lower() in ("content-length", "transfer-encoding"):
            raise InvalidArgument("%s: %s is written by seqs itself" % (what, n))
        out.append("%s: %s\r\n" % (n, v))
    return "".join(out) or None


class HttpRequest:
    """A request as a handler sees it (a copy: valid after the handler returns)."""

    __slots__ = ("method", "target", "path", "query", "version", "headers", "body", "conn")

    def __init__(self, d):
        self.method = d["method"]
        self.target = d["target"]
        path, _, self.query = self.target.partition("?")
        self.path = path
        self.version = "HTTP/1.%d" % d["minor"]
        self.headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in d["headers"]]
        self.body = d["body"]
        self.conn = d["conn"]

    def header(self, name, default=None):
        """The first field named name (case-insensitive), or default."""
        name = name.lower()
        for n, v in self.headers:
            if n.lower() == name:
                return v
        return default

    def __repr__(self):
        return "<HttpRequest %s %s %s body=%d>" % (self.method, self.target, self.version, len(self.body))


HttpResponse = namedtuple("HttpResponse", "status headers body")
HttpResponse.__new__.__defaults__ = (None, b"")


def _normalize(r):
    if isinstance(r, HttpResponse):
        status, headers, body = r
    elif isinstance(r, (bytes, bytearray, memoryview, str)):
        status, headers, body = 200, None, r
    elif isinstance(r, tuple) and len(r) == 2:
        (status, body), headers = r, None
    elif isinstance(r, tuple) and len(r) == 3:
        status, headers, body = r
    else:
        raise TypeError("a handler returns bytes/str, (status, body), (status, headers, body) or HttpResponse, "
                        "not %r" % (type(r).__name__,))
    if isinstance(body, str):
        body = body.encode()
    if body is None:
        body = b""
    _int_arg("status", status, 200, 599)
    if not isinstance(body, (bytes, bytearray, memoryview)):
        # an iterable of bytes/str: streamed with Transfer-Encoding: chunked
        return status, _field_lines(headers, "response headers"), iter(body)
    return status, _field_lines(headers, "response headers"), bytes(body)


class HttpServer(Closing):
    """HttpServer(stack, port=80, max_conns=4, buf_size=4096, tcp_rx=8192, tcp_tx=8192, backlog=4,
    idle_ms=None, request_ms=None, linger_ms=None, max_body=None): an HTTP/1.1 server
    attached to stack (driven by the stack's input/output/poll)."""

    def __init__(self, stack, port=80, max_conns=4, buf_size=4096, tcp_rx=8192, tcp_tx=8192, backlog=4,
                 idle_ms=None, request_ms=None, linger_ms=None, max_body=None):
        _int_arg("port", port, 1, 65535)
        _int_arg("max_conns", max_conns, 1, 255)
        _int_arg("buf_size", buf_size, 2 * _c.HTTP_TX_RESERVE, 65535)
        _int_arg("tcp_rx", tcp_rx, 1, 1 << 24)
        _int_arg("tcp_tx", tcp_tx, 1, 1 << 24)
        _int_arg("backlog", backlog, 1, 255)
        timers = []
        for name, v in (("idle_ms", idle_ms), ("request_ms", request_ms), ("linger_ms", linger_ms),
                        ("max_body", max_body)):
            timers.append(0 if v is None else _int_arg(name, v, 1, (1 << 32) - 1))
        self._stack = stack
        self._p = _c.seqs_py_http_server_new(max_conns, buf_size, tcp_rx, tcp_tx)
        if self._p is None:
            raise MemoryError("HttpServer: out of memory")
        rc = _c.seqs_py_http_server_start(self._p, stack._s, port, backlog, buf_size, tcp_rx, tcp_tx, *timers)
        if rc < 0:
            _c.seqs_py_http_server_free(self._p)
            self._p = None
            raise _err(rc, "HttpServer(port=%d, max_conns=%d): start (does the stack have %d free TCP "
                       "connections and a free listener?)" % (port, max_conns, max_conns + 1))
        self.port = port
        self.errors = []          # exceptions raised by handlers (each answered 500)
        self._routes = []

    def route(self, method, prefix, handler=None):
        """Routes method ("GET", ..., "*" for any) and path prefix to handler(req).
        Usable as a decorator. GET routes also answer HEAD."""
        if self._p is None:
            raise StateError("HttpServer is closed")
        if not isinstance(method, str) or method.upper() not in METHODS:
            raise InvalidArgument("method=%r: one of %s" % (method, ", ".join(sorted(METHODS))))
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise InvalidArgument("prefix=%r must be a str starting with '/'" % (prefix,))
        if handler is None:
            return lambda fn: self.route(method, prefix, fn) or fn
        if not callable(handler):
            raise TypeError("handler must be callable")
        if len(self._routes) >= _c.HTTP_MAX_ROUTES:
            raise LimitError("route(): at most %d routes (SEQS_HTTP_MAX_ROUTES)" % _c.HTTP_MAX_ROUTES)

        def call(d, fn=handler):
            try:
                return _normalize(fn(HttpRequest(d)))
            except Exception as e:      # noqa: BLE001 - reported through srv.errors
                self.errors.append(e)
                return 500, "Content-Type: text/plain\r\n", b"handler raised " + type(e).__name__.encode()

        rc = _c.seqs_py_http_server_route(self._p, METHODS[method.upper()], prefix, call)
        if rc < 0:
            raise _err(rc, "route(%r, %r)" % (method, prefix))
        self._routes.append((method, prefix, handler))
        return None

    @property
    def counters(self):
        """Per-reason counters of seqs_http_server_counters_t (+ active connections)."""
        if self._p is None:
            raise StateError("HttpServer is closed")
        return dict(_c.seqs_py_http_server_counters(self._p))

    @property
    def active(self):
        return self.counters["active"]

    def close(self):
        """Aborts the connections, closes the listener, detaches from the stack."""
        if self._p is not None:
            if getattr(self._stack, "_s", None) is None:
                _c.seqs_py_http_server_abandon(self._p)    # the stack was freed first
            else:
                _c.seqs_py_http_server_stop(self._p)
            _c.seqs_py_http_server_free(self._p)
            self._p = None


HttpResult = namedtuple("HttpResult", "status reason headers body framing")


class HttpClient(Closing):
    """HttpClient(stack, addr, port=80, buf_size=4096, rxbuf=16384, txbuf=8192, timeout_ms=None):
    requests on one (kept-alive) connection to addr:port. Non-blocking: request(),
    then pump the stack and read()."""

    def __init__(self, stack, addr, port=80, buf_size=4096, rxbuf=16384, txbuf=8192, timeout_ms=None):
        _int_arg("port", port, 1, 65535)
        _int_arg("buf_size", buf_size, 2 * _c.HTTP_TX_RESERVE, 65535)
        _int_arg("rxbuf", rxbuf, 1, 1 << 24)
        _int_arg("txbuf", txbuf, 1, 1 << 24)
        t = 0 if timeout_ms is None else _int_arg("timeout_ms", timeout_ms, 1, (1 << 32) - 1)
        self._stack = stack
        a = ip_to_int(addr)
        if a == 0:
            raise InvalidArgument("addr=%r: 0.0.0.0 is not a server address" % (addr,))
        self._p = _c.seqs_py_http_client_new(buf_size, rxbuf, txbuf)
        if self._p is None:
            raise MemoryError("HttpClient: out of memory")
        rc = _c.seqs_py_http_client_init(self._p, stack._s, a, port, buf_size, rxbuf, txbuf, t)
        if rc < 0:
            _c.seqs_py_http_client_free(self._p)
            self._p = None
            raise _err(rc, "HttpClient(%r, %d)" % (addr, port))
        self.addr, self.port = addr, port

    def _live(self):
        if self._p is None:
            raise StateError("HttpClient is closed")
        return self._p

    def request(self, method, target, host=None, headers=None, body=b"", now_us=None):
        p = self._live()
        if not isinstance(method, str) or not method:
            raise InvalidArgument("method=%r must be a non-empty str" % (method,))
        if not isinstance(target, str) or not target.startswith("/") or any(c <= " " or c >= "\x7f" for c in target):
            raise InvalidArgument("target=%r must start with '/' and hold visible ASCII only" % (target,))
        if isinstance(body, str):
            body = body.encode()
        lines = _field_lines(headers, "request headers")
        if lines and any(n.lower() == "host" for n in (ln.split(":", 1)[0] for ln in lines.split("\r\n") if ln)):
            raise InvalidArgument("request headers: pass host= instead of a Host field")
        now = self._stack.now if now_us is None else now_us
        rc = _c.seqs_py_http_client_request(p, method, target, host, lines, bytes(body or b""), now)
        if rc < 0:
            if rc == _c.SEQS_ERR_NOBUFS:
                raise _err(rc, "request(%s %s): the request (%d bytes of body) does not fit buf_size"
                           % (method, target, len(body or b"")))
            raise _err(rc, "request(%s %s)" % (method, target))

    @property
    def state(self):
        return ("idle", "busy", "body", "done", "error")[_c.seqs_py_http_client_state(self._live())]

    def response(self):
        """The response head as a dict (status, reason, headers, framing, ...) or None."""
        r = _c.seqs_py_http_client_response(self._live())
        if r is None:
            return None
        r = dict(r)
        r["reason"] = r["reason"].decode("latin-1")
        r["headers"] = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in r["headers"]]
        r["framing"] = _FRAMING.get(r["framing"], r["framing"])
        return r

    def read(self, n=65536):
        """Body bytes, b"" once the body is complete, None when nothing is ready; raises on failure."""
        r = _c.seqs_py_http_client_read(self._live(), n)
        if r.__class__ is int:
            raise _err(r, "HTTP %s:%d" % (self.addr, self.port))
        return r

    @property
    def error(self):
        return _c.seqs_py_http_client_error(self._live())

    @property
    def counters(self):
        return dict(_c.seqs_py_http_client_counters(self._live()))

    def close(self):
        if self._p is not None:
            if getattr(self._stack, "_s", None) is None:
                _c.seqs_py_http_client_abandon(self._p)    # the stack was freed first
            _c.seqs_py_http_client_free(self._p)
            self._p = None


class VirtualLink:
    """Two seqs.Stack joined back to back on one virtual clock (no loss, no delay).
    step() delivers every pending frame, then jumps to the next deadline."""

    def __init__(self, a, b, now_us=None):
        self.a, self.b = a, b
        self.now = max(a.now, b.now) if now_us is None else now_us
        self.frames = 0

    def exchange(self):
        moved = True
        rounds = 0
        while moved and rounds < 10000:
            moved = False
            rounds += 1
            for src, dst in ((self.a, self.b), (self.b, self.a)):
                for f in src.output_all(self.now):
                    dst.input(f, self.now)
                    self.frames += 1
                    moved = True

    def step(self, max_jump_us=1_000_000):
        self.exchange()
        ds = [d for d in (self.a.next_deadline(), self.b.next_deadline()) if d is not None]
        t = min(ds) if ds else self.now + max_jump_us
        self.now = max(self.now + 1, min(t, self.now + max_jump_us))
        self.exchange()
        return self.now


def http_request(stack, url, run, method="GET", headers=None, body=b"", timeout_ms=None, client=None,
                 buf_size=4096, max_steps=10_000_000):
    """One request on the virtual clock: run() moves time one step (e.g. VirtualLink.step).
    Returns HttpResult(status, reason, headers, body, framing); raises on failure."""
    u = urlsplit(url)
    if u.scheme != "http" or not u.hostname:
        raise InvalidArgument("url=%r: only http://ADDRESS[:port]/path is supported" % (url,))
    port = u.port or 80
    target = (u.path or "/") + ("?" + u.query if u.query else "")
    own = client is None
    cl = client or HttpClient(stack, u.hostname, port, buf_size=buf_size, timeout_ms=timeout_ms)
    try:
        cl.request(method, target, host=u.netloc, headers=headers, body=body)
        chunks = []
        for _ in range(max_steps):
            r = cl.read()
            if r is None:
                run()
                continue
            if r == b"":
                break
            chunks.append(r)
        else:
            raise TimeoutError("http_request(%s): no end after %d steps" % (url, max_steps))
        h = cl.response()
        return HttpResult(h["status"], h["reason"], h["headers"], b"".join(chunks), h["framing"])
    finally:
        if own:
            cl.close()


def http_get(stack, url, run, headers=None, timeout_ms=None, client=None, buf_size=4096):
    """GET url through stack on the virtual clock (see http_request)."""
    return http_request(stack, url, run, "GET", headers=headers, timeout_ms=timeout_ms, client=client,
                        buf_size=buf_size)
