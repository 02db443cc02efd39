# SPDX-License-Identifier: BSD-3-Clause
"""DNS stub resolver (seqs/dns.h) and, re-exported from seqs.sntp, the SNTP client.

    r = seqs.Resolver(stack, servers=["192.0.2.53"])
    lk = r.start("www.example.test")          # non-blocking; the stack sends at its next output()
    ... pump frames ...; lk.done, lk.result() -> DnsResult(name, status, addrs, ttl, from_cache)
    res = r.resolve("www.example.test", wire, answer)   # blocking-style on a harness Wire (virtual clock)

`status` is "ok", "nxdomain", "nodata", "servfail", "refused", "timeout" or "error"."""
from collections import namedtuple

from . import seqs_c as _c
from .addr import int_to_ip, ip_to_int
from .errors import InvalidArgument, LimitError, StateError, error_for
from .sntp import SntpClient  # noqa: F401  (exported with the resolver)

DnsResult = namedtuple("DnsResult", "name status addrs ttl from_cache")
DnsResult.ok = property(lambda self: self.status == "ok")

_STATUS = {getattr(_c, n): _c.seqs_dns_status_name(getattr(_c, n))
           for n in dir(_c) if n.startswith("SEQS_DNS_") and n[9:] in
           ("IDLE", "PENDING", "OK", "NXDOMAIN", "NODATA", "SERVFAIL", "REFUSED", "TIMEOUT", "ERROR")}


def _check_name(name):
    if not isinstance(name, str):
        raise TypeError("name must be a str, not %s" % type(name).__name__)
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        raise InvalidArgument("name %r is not ASCII (use its IDNA 'xn--' form)" % name) from None
    text = name[:-1] if name.endswith(".") else name
    if not text:
        raise InvalidArgument("name %r is empty; a host name is needed" % name)
    labels = text.split(".")
    for lab in labels:
        if not lab:
            raise InvalidArgument("name %r has an empty label" % name)
        if len(lab) > 63:
            raise InvalidArgument("name %r: label %r is %d bytes, the limit is 63" % (name, lab[:20] + "...", len(lab)))
    wire_len = sum(len(lab) + 1 for lab in labels) + 1
    if wire_len > 255:
        raise InvalidArgument("name %r is %d bytes in wire form, the limit is 255" % (name[:40] + "...", wire_len))


class DnsLookup:
    """One lookup in flight (a caller-allocated seqs_dns_query_t)."""

    def __init__(self, resolver, name):
        self._r = resolver
        self.name = name
        self._q = _c.seqs_py_dns_query_new()
        if self._q is None:
            raise MemoryError("cannot allocate a seqs_dns_query_t")

    def __del__(self):
        q = getattr(self, "_q", None)
        if q is not None:
            r = self._r
            if r._r is not None and _c.seqs_dns_query_status(q) == _c.SEQS_DNS_PENDING:
                _c.seqs_dns_cancel(r._stack._s, r._r, q)
            self._q = None
            _c.seqs_py_dns_query_free(q)

    @property
    def status(self):
        return _STATUS.get(_c.seqs_dns_query_status(self._q), "unknown")

    @property
    def done(self):
        return _c.seqs_dns_query_status(self._q) not in (_c.SEQS_DNS_PENDING, _c.SEQS_DNS_IDLE)

    def result(self):
        """DnsResult once done, None while pending."""
        st, addrs, ttl, cached = _c.seqs_py_dns_result(self._q)
        if st == _c.SEQS_DNS_PENDING:
            return None
        self._r._inflight.discard(self)
        return DnsResult(self.name, _STATUS.get(st, "unknown"), [int_to_ip(a) for a in addrs], ttl, bool(cached))

    def cancel(self):
        if _c.seqs_dns_query_status(self._q) == _c.SEQS_DNS_PENDING:
            _c.seqs_dns_cancel(self._r._stack._s, self._r._r, self._q)
        self._r._inflight.discard(self)

    def __repr__(self):
        return "<seqs.DnsLookup %r %s>" % (self.name, self.status)


class Resolver:
    """A DNS stub resolver attached to `stack` (its timers are in stack.next_deadline()).

    Resolver(stack, servers=["192.0.2.53"], timeout_ms=1000, tries=3, port=53)"""

    def __init__(self, stack, servers=(), timeout_ms=1000, tries=3, port=53):
        self._r = None
        self._stack = stack
        self._inflight = set()
        r = _c.seqs_py_dns_resolver_new()
        if r is None:
            raise MemoryError("cannot allocate a seqs_dns_resolver_t")
        rc = _c.seqs_dns_init(stack._s, r)
        if rc < 0:
            _c.seqs_py_dns_resolver_free(r)
            raise error_for(rc, "Resolver: seqs_dns_init")
        self._r = r
        try:
            self.servers = servers
            self.set_timing(timeout_ms, tries)
            if not isinstance(port, int) or not 1 <= port <= 65535:
                raise InvalidArgument("port=%r must be an int in 1..65535" % (port,))
            _c.seqs_dns_set_port(r, port)
        except Exception:
            self.close()
            raise

    def close(self):
        """Cancels every lookup and detaches from the stack."""
        r = self._r
        if r is not None:
            self._r = None
            _c.seqs_dns_deinit(self._stack._s, r)
            self._inflight.clear()
            _c.seqs_py_dns_resolver_free(r)

    __del__ = close

    def _need(self):
        if self._r is None:
            raise StateError("Resolver is closed")

    @property
    def servers(self):
        self._need()
        return [int_to_ip(_c.seqs_dns_server(self._r, i)) for i in range(_c.seqs_dns_server_count(self._r))]

    @servers.setter
    def servers(self, servers):
        self._need()
        if isinstance(servers, str):
            servers = [servers]
        servers = list(servers)
        if len(servers) > _c.DNS_MAX_SERVERS:
            raise LimitError("servers: %d given, SEQS_DNS_MAX_SERVERS=%d" % (len(servers), _c.DNS_MAX_SERVERS))
        addrs = [ip_to_int(a, "server") for a in servers]
        rc = _c.seqs_dns_set_servers(self._r, addrs)
        if rc < 0:
            raise error_for(rc, "servers=%r (unicast addresses only: not 0.0.0.0, broadcast, multicast, loopback)"
                            % (servers,))

    def set_timing(self, timeout_ms, tries):
        self._need()
        if not isinstance(timeout_ms, int) or not 100 <= timeout_ms <= 60000:
            raise InvalidArgument("timeout_ms=%r must be an int in 100..60000" % (timeout_ms,))
        if not isinstance(tries, int) or not 1 <= tries <= 8:
            raise InvalidArgument("tries=%r must be an int in 1..8" % (tries,))
        _c.seqs_dns_set_timing(self._r, timeout_ms, tries)

    @property
    def stats(self):
        self._need()
        return _c.seqs_py_dns_stats(self._r)

    def flush_cache(self):
        self._need()
        _c.seqs_dns_cache_flush(self._r)

    def start(self, name):
        """Starts an A lookup; returns a DnsLookup (sent at the stack's next poll/output)."""
        self._need()
        _check_name(name)
        lk = DnsLookup(self, name)
        rc = _c.seqs_dns_resolve(self._stack._s, self._r, lk._q, name)
        if rc < 0:
            if rc == _c.SEQS_ERR_STATE:
                raise StateError("resolve(%r): the resolver has no servers; set Resolver.servers" % (name,))
            raise error_for(rc, "resolve(%r)" % (name,))
        self._inflight.add(lk)
        return lk

    def resolve(self, name, wire, answer=None, limit_s=120, max_steps=10000):
        """Blocking-style lookup on a harness Wire (virtual clock): frames the stack
        emits go to answer(frame) -> [reply frames...] (the test's DNS server, may be
        None for a silent network), replies go back in, and time advances to the
        stack's deadlines until the lookup is done. Returns a DnsResult."""
        lk = self.start(name)
        pending = wire.drain()
        end = wire.now_us + int(limit_s * 1_000_000)
        for _ in range(max_steps):
            if lk.done:
                return lk.result()
            replies = []
            for f in pending:
                if answer is not None:
                    replies.extend(answer(f) or [])
            pending = []
            for rep in replies:
                pending.extend(wire.send(rep))
            if lk.done:
                return lk.result()
            if pending:
                continue
            nd = self._stack.next_deadline()
            if nd is None or nd > end:
                lk.cancel()
                raise TimeoutError("resolve(%r): not done within limit_s=%s of virtual time" % (name, limit_s))
            pending = wire.advance_to(max(nd, wire.now_us))
        lk.cancel()
        raise RuntimeError("resolve(%r): more than max_steps=%d pump steps" % (name, max_steps))


__all__ = ["Resolver", "DnsLookup", "DnsResult", "SntpClient"]
