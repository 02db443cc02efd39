# SPDX-License-Identifier: BSD-3-Clause
"""seqs TCP: listeners and connections of a seqs.Stack (see seqs/tcp.h).

    lst = st.tcp_listen(80, backlog=4, rxbuf=8192, txbuf=8192)
    c = st.tcp_connect("192.0.2.1", 80, rxbuf=8192, txbuf=8192)
    ... pump frames ...
    srv = lst.accept()            # TcpConnection or None
    c.write(b"hello")             # bytes queued (may be fewer than given)
    srv.read()                    # bytes, b"" at end of stream, None when nothing is ready
    c.state                       # "ESTABLISHED", ...
    c.info()                      # dict: srtt_us, rto_us, cwnd, retransmits, ...
    c.close(); c.abort(); c.shutdown()

Every call is non-blocking. Buffers are bytearrays kept in `stack._buffers` for as
long as the C side may use them: a connection's until its slot is released, a
listener's pool until the listener is closed and every connection it accepted is
released (so listen/close cycles do not accumulate pools).

Overload and attack settings (seqs/tcp.h): `lst.set_timeouts(handshake_ms=, idle_ms=)`,
`conn.setopt(idle_ms=)`, and `st.tcp_config(invalid_ratelimit_ms=, closed_reclaim_ms=,
handshake_ms=, idle_ms=)`."""

from . import seqs_c as _c
from .addr import int_to_ip, ip_to_int, parse_port
from .errors import BadHandle, InvalidArgument, error_for

__all__ = ["TcpListener", "TcpConnection", "TCP_STATES"]

TCP_STATES = ("CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2",
              "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT")

_AGAIN = _c.SEQS_ERR_AGAIN
_BADHANDLE = _c.SEQS_ERR_BADHANDLE

_INFO_FIELDS = ("state", "sack", "wscale", "tstamp", "snd_wscale", "rcv_wscale", "snd_mss", "rcv_mss",
                "local_addr", "remote_addr", "local_port", "remote_port", "srtt_us", "rttvar_us", "rto_us",
                "cwnd", "ssthresh", "snd_wnd", "rcv_wnd", "flight", "rx_queued", "tx_queued", "iss", "irs",
                "snd_una", "snd_nxt", "rcv_nxt", "segs_in", "segs_out", "bytes_in", "bytes_out", "retransmits",
                "rto_expirations", "fast_retransmits", "dup_acks_in", "ooo_segs_in", "zero_window_probes", "tail_loss_probes",
                "keepalive_probes", "spurious_recoveries", "error")
_CFG_FIELDS = ("msl_ms", "rto_init_ms", "rto_min_ms", "rto_max_ms", "delack_ms", "fin_wait2_ms", "keepidle_ms",
               "keepintvl_ms", "keepcnt", "syn_retries", "synack_retries", "data_retries", "nodelay", "keepalive",
               "sack", "wscale", "tstamp", "syncookies", "invalid_ratelimit_ms", "closed_reclaim_ms", "handshake_ms",
               "idle_ms")


def _uint(v, what, lo, hi):
    """An int argument in lo..hi, or TypeError/InvalidArgument naming it and the limit."""
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError("%s must be an int, not %s" % (what, type(v).__name__))
    if v < lo or v > hi:
        raise InvalidArgument("%s=%d out of range (%d .. %d)" % (what, v, lo, hi))
    return v


def _bytes_like(data, what):
    """bytes of a bytes-like object; an int (bytes(10) would be ten zero bytes), a str
    or anything else without the buffer protocol is a TypeError."""
    try:
        return bytes(memoryview(data))
    except TypeError:
        raise TypeError("%s: data must be a bytes-like object (bytes, bytearray, memoryview), not %s"
                        % (what, type(data).__name__)) from None


def _bufsize(v, what):
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError("%s must be an int (bytes), not %s" % (what, type(v).__name__))
    if v <= 0 or v > 1 << 28:
        raise InvalidArgument("%s=%d out of range (1 .. 256 MiB)" % (what, v))
    return v


class _Handle:
    """A C handle (0 is never valid) usable in a with-block: leaving it closes,
    and an already stale handle is not an error there."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            self.close()
        except BadHandle:
            pass
        return False

    @property
    def handle(self):
        return self._h


class TcpConnection(_Handle):
    """One TCP connection. Methods raise seqs.SeqsError subclasses; after the slot is
    released (abort(), or close() and the end of the connection) they raise BadHandle."""

    def __init__(self, stack, handle):
        self._stack = stack
        self._h = handle

    def __repr__(self):
        try:
            return "<seqs.TcpConnection %#x %s %s:%d -> %s:%d>" % (
                self._h, self.state, *self.local, *self.remote)
        except BadHandle:
            return "<seqs.TcpConnection %#x gone>" % self._h

    def _rc(self, rc, what):
        if rc < 0:
            raise error_for(rc, what)
        return rc

    # -- data --------------------------------------------------------------------------
    def read(self, n=65536):
        """Up to n received bytes; b"" at end of stream (the peer's FIN was read);
        None when nothing is ready. Raises ConnectionReset/Refused/TimedOut on errors."""
        buf = bytearray(_uint(n, "read(n)", 1, 1 << 30))
        rc = _c.seqs_tcp_read(self._stack._s, self._h, buf)
        if rc == _AGAIN:
            return None
        self._rc(rc, "read")
        return bytes(buf[:rc])

    def read_all(self):
        """Everything readable now (b"" if nothing; see eof)."""
        out = bytearray()
        while True:
            d = self.read()
            if not d:
                return bytes(out)
            out += d

    def write(self, data):
        """Queues bytes; returns how many were taken (0 when the buffer is full).
        data must be bytes-like: write(10) raises TypeError (it is not ten zero bytes)."""
        rc = _c.seqs_tcp_write(self._stack._s, self._h, _bytes_like(data, "write"))
        if rc == _AGAIN:
            return 0
        return self._rc(rc, "write")

    @property
    def readable(self):
        return self._rc(_c.seqs_tcp_readable(self._stack._s, self._h), "readable")

    @property
    def writable(self):
        return self._rc(_c.seqs_tcp_writable(self._stack._s, self._h), "writable")

    @property
    def eof(self):
        """True once the peer's FIN has been received and every byte before it read."""
        return self.readable == 0 and self.state in ("CLOSE_WAIT", "LAST_ACK", "CLOSING", "TIME_WAIT", "CLOSED") \
            and not self.error

    # -- lifecycle ---------------------------------------------------------------------
    def shutdown(self):
        self._rc(_c.seqs_tcp_shutdown(self._stack._s, self._h), "shutdown")

    def close(self):
        self._rc(_c.seqs_tcp_close(self._stack._s, self._h), "close")

    def abort(self):
        self._rc(_c.seqs_tcp_abort(self._stack._s, self._h), "abort")

    # -- state -------------------------------------------------------------------------
    @property
    def state(self):
        """State name ("ESTABLISHED"...); raises BadHandle once the slot is gone."""
        return TCP_STATES[self._rc(_c.seqs_tcp_state(self._stack._s, self._h), "state")]

    @property
    def alive(self):
        """False once the handle is stale (the slot was released)."""
        return _c.seqs_tcp_state(self._stack._s, self._h) != _BADHANDLE

    @property
    def error(self):
        """The pending error as an exception instance (not raised), or None."""
        rc = self._rc(_c.seqs_tcp_error(self._stack._s, self._h), "error")
        return None if rc == 0 else error_for(rc, "connection")

    def info(self):
        """seqs_tcp_info() as a dict (state as a name, addresses as strings); times in µs.

        srtt_us, rttvar_us: smoothed round-trip time and its variation (RFC 6298 2), 0 before
        the first sample. rto_us: the retransmission timeout the next timer uses (RFC 6298 2.2-2.4:
        SRTT + 4*RTTVAR clamped to tcp_config()'s rto_min_ms..rto_max_ms; rto_init_ms before any
        sample; 3 s once established after a retransmitted SYN, 5.7), doubled after each expiry
        up to rto_max_ms (5.5; rto_expirations counts the expiries).
        cwnd, ssthresh, snd_wnd, rcv_wnd, flight, rx_queued, tx_queued: bytes. See seqs/tcp.h."""
        rc, inf = _c.seqs_tcp_info(self._stack._s, self._h)
        self._rc(rc, "info")
        d = {f: getattr(inf, f) for f in _INFO_FIELDS}
        d["state"] = TCP_STATES[d["state"]]
        d["local_addr"] = int_to_ip(d["local_addr"])
        d["remote_addr"] = int_to_ip(d["remote_addr"])
        return d

    @property
    def local(self):
        i = self.info()
        return (i["local_addr"], i["local_port"])

    @property
    def remote(self):
        i = self.info()
        return (i["remote_addr"], i["remote_port"])

    def setopt(self, nodelay=None, keepalive=None, delack=None, idle_ms=None):
        s = self._stack._s
        if idle_ms is not None:
            v = _uint(idle_ms, "idle_ms", 0, 0xFFFFFFFF)
            self._rc(_c.seqs_tcp_setopt(s, self._h, _c.SEQS_TCP_OPT_IDLE_MS, v), "idle_ms")
        if nodelay is not None:
            self._rc(_c.seqs_tcp_setopt(s, self._h, _c.SEQS_TCP_OPT_NODELAY, int(bool(nodelay))), "nodelay")
        if keepalive is not None:
            self._rc(_c.seqs_tcp_setopt(s, self._h, _c.SEQS_TCP_OPT_KEEPALIVE, int(bool(keepalive))), "keepalive")
        if delack is not None:
            self._rc(_c.seqs_tcp_setopt(s, self._h, _c.SEQS_TCP_OPT_DELACK, int(bool(delack))), "delack")


class TcpListener(_Handle):
    """A listening port. accept() returns a TcpConnection or None."""

    def __init__(self, stack, port, backlog=4, rxbuf=8192, txbuf=8192, slots=None):
        p = parse_port(port)
        backlog = _uint(backlog, "backlog", 1, 65535)
        rxbuf = _bufsize(rxbuf, "rxbuf")
        txbuf = _bufsize(txbuf, "txbuf")
        maxslots = getattr(_c, "SEQS_TCP_POOL_SLOTS", 32)
        if slots is None:
            slots = max(1, min(backlog * 2, maxslots))
        slots = _uint(slots, "slots", 1, maxslots)
        _sweep(stack)
        pool = bytearray((rxbuf + txbuf) * slots)
        rc, h = _c.seqs_tcp_listen(stack._s, p, backlog, pool, rxbuf, txbuf)
        if rc < 0:
            raise stack._error(rc, "tcp_listen(%d, backlog=%d)" % (p, backlog), "max_tcp_listeners")
        self._stack = stack
        self._h = h
        self.port = p
        # kept while C may use it: until close() and the release of every connection
        # accepted from it (they keep their buffers in the pool)
        stack._buffers[("tcp_pool", h)] = _Pool(pool)

    def __repr__(self):
        return "<seqs.TcpListener %#x port %d>" % (self._h, self.port)

    def accept(self):
        rc, h = _c.seqs_tcp_accept(self._stack._s, self._h)
        if rc == _AGAIN:
            return None
        if rc < 0:
            raise error_for(rc, "accept")
        pool = self._stack._buffers.get(("tcp_pool", self._h))
        if pool is not None:
            pool.users.add(h)
        return TcpConnection(self._stack, h)

    def set_timeouts(self, handshake_ms=0, idle_ms=0):
        """Handshake timeout of half-open entries and idle timeout of this listener's
        connections, in ms (0 = off); see seqs_tcp_listener_set_timeouts()."""
        hs = _uint(handshake_ms, "handshake_ms", 0, 0xFFFFFFFF)
        idle = _uint(idle_ms, "idle_ms", 0, 0xFFFFFFFF)
        rc = _c.seqs_tcp_listener_set_timeouts(self._stack._s, self._h, hs, idle)
        if rc < 0:
            raise error_for(rc, "set_timeouts")

    @property
    def pending(self):
        rc = _c.seqs_tcp_accept_pending(self._stack._s, self._h)
        if rc < 0:
            raise error_for(rc, "pending")
        return rc

    def close(self):
        rc = _c.seqs_tcp_listener_close(self._stack._s, self._h)
        if rc < 0:
            raise error_for(rc, "listener close")
        pool = self._stack._buffers.get(("tcp_pool", self._h))
        if pool is not None:
            pool.closed = True
        _sweep(self._stack)


class _Pool:
    """A listener's buffer pool and the connections accepted from it."""
    __slots__ = ("buf", "users", "closed")

    def __init__(self, buf):
        self.buf = buf
        self.users = set()
        self.closed = False


def _sweep(stack):
    """Drops buffers C no longer uses: those of released connections, and pools of
    closed listeners whose accepted connections are all released."""
    bufs = stack._buffers
    for key in [k for k in bufs if isinstance(k, tuple) and k[0] in ("tcp", "tcp_pool")]:
        if key[0] == "tcp":
            if _c.seqs_tcp_state(stack._s, key[1]) == _BADHANDLE:
                del bufs[key]
            continue
        pool = bufs[key]
        pool.users = {h for h in pool.users if _c.seqs_tcp_state(stack._s, h) != _BADHANDLE}
        if pool.closed and not pool.users:
            del bufs[key]


def _tcp_listen(self, port, backlog=4, rxbuf=8192, txbuf=8192, slots=None):
    """Listens on port; see TcpListener."""
    return TcpListener(self, port, backlog, rxbuf, txbuf, slots)


def _tcp_connect(self, addr, port, sport=0, rxbuf=8192, txbuf=8192):
    """Active open to addr:port (sport 0 = ephemeral). Returns a TcpConnection in SYN_SENT;
    the SYN leaves with the next output()."""
    _sweep(self)    # buffers of connections whose slot is gone are no longer used by C
    a = ip_to_int(addr, "connect address")
    p = parse_port(port)
    sp = parse_port(sport, "sport") if sport else 0
    rx = bytearray(_bufsize(rxbuf, "rxbuf"))
    tx = bytearray(_bufsize(txbuf, "txbuf"))
    rc, h = _c.seqs_tcp_connect(self._s, a, p, sp, rx, tx)
    if rc < 0:
        raise self._error(rc, "tcp_connect(%r, %d)" % (addr, p), "max_tcp_conns")
    # the C side keeps both buffers until the slot is released: keep them with the stack
    self._buffers[("tcp", h)] = (rx, tx)
    return TcpConnection(self, h)


def _tcp_config(self, **changes):
    """Returns the stack-wide TCP config as a dict; keyword arguments change fields first."""
    cfg = _c.seqs_tcp_get_config(self._s)
    if isinstance(cfg, (list, tuple)):
        cfg = cfg[-1]
    for k, v in changes.items():
        if k not in _CFG_FIELDS:
            raise InvalidArgument("unknown TCP config field %r" % k)
        setattr(cfg, k, int(v) if isinstance(v, bool) else _uint(v, k, 0, 0xFFFFFFFF))
    if changes:
        rc = _c.seqs_tcp_set_config(self._s, cfg)
        if rc < 0:
            raise error_for(rc, "tcp_config")
    return {f: getattr(cfg, f) for f in _CFG_FIELDS}


def _install():
    from .stack import Stack
    Stack.tcp_listen = _tcp_listen
    Stack.tcp_connect = _tcp_connect
    Stack.tcp_config = _tcp_config


_install()
