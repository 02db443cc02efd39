# SPDX-License-Identifier: BSD-3-Clause
"""SNTP client (seqs/sntp.h) on a seqs.Stack.

    c = seqs.SntpClient(stack, server="192.0.2.123", poll_s=64)
    ... pump frames ...
    c.status      # "waiting", "synced", "timeout", "kod-rate", "kod-deny", "kod-rstr"
    c.offset_us   # server Unix time minus the stack's clock (µs), None before the first reply
    c.now()       # Unix time (float seconds) at stack.now: the stack's clock + offset

The core reads no clock: "now" is the time the caller gives the stack plus the
measured offset."""
from . import seqs_c as _c
from .addr import int_to_ip, ip_to_int
from .errors import InvalidArgument, StateError, error_for


def _uint(name, v, lo, hi):
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError("%s must be an int, not %s" % (name, type(v).__name__))
    if not lo <= v <= hi:
        raise InvalidArgument("%s=%d outside %d..%d" % (name, v, lo, hi))
    return v


class SntpClient:
    """SntpClient(stack, server, poll_s=64, max_poll_s=1024, reply_timeout_ms=5000,
    first_max_ms=1000, port=123): polls server; poll_s >= 15 (RFC 4330 10)."""

    def __init__(self, stack, server, poll_s=64, max_poll_s=1024, reply_timeout_ms=5000, first_max_ms=1000,
                 port=123):
        self._c = None
        self._stack = stack
        addr = ip_to_int(server, "server")
        _uint("poll_s", poll_s, _c.SEQS_SNTP_MIN_POLL_S, 1 << 24)
        _uint("max_poll_s", max_poll_s, poll_s, 1 << 24)
        _uint("reply_timeout_ms", reply_timeout_ms, 1, poll_s * 1000)
        _uint("first_max_ms", first_max_ms, 0, 3_600_000)
        _uint("port", port, 1, 65535)
        c = _c.seqs_py_sntp_new()
        if c is None:
            raise MemoryError("cannot allocate a seqs_sntp_t")
        rc = _c.seqs_py_sntp_start(stack._s, c, addr, poll_s, max_poll_s, reply_timeout_ms, first_max_ms, port)
        if rc < 0:
            _c.seqs_py_sntp_free(c)
            raise error_for(rc, "SntpClient(server=%r) (a unicast server address is needed)" % (server,))
        self._c = c
        self.server = int_to_ip(addr)

    def stop(self):
        """Stops polling and detaches from the stack (results stay readable until close)."""
        if self._c is not None:
            _c.seqs_sntp_stop(self._stack._s, self._c)   # SEQS_ERR_INVAL when already stopped: harmless

    def close(self):
        c = self._c
        if c is not None:
            _c.seqs_sntp_stop(self._stack._s, c)
            self._c = None
            _c.seqs_py_sntp_free(c)

    __del__ = close

    def _need(self):
        if self._c is None:
            raise StateError("SntpClient is closed")
        return self._c

    @property
    def status(self):
        return _c.seqs_sntp_status_name(_c.seqs_sntp_status(self._need()))

    @property
    def synced(self):
        return bool(_c.seqs_sntp_synced(self._need()))

    @property
    def offset_us(self):
        """Server Unix time minus the stack's clock, in µs (None before the first reply)."""
        c = self._need()
        return _c.seqs_sntp_offset_us(c) if _c.seqs_sntp_synced(c) else None

    @property
    def delay_us(self):
        c = self._need()
        return _c.seqs_sntp_delay_us(c) if _c.seqs_sntp_synced(c) else None

    @property
    def stratum(self):
        c = self._need()
        return _c.seqs_sntp_stratum(c) if _c.seqs_sntp_synced(c) else None

    @property
    def leap(self):
        """Leap indicator of the last reply: 0 none, 1 a second will be inserted, 2 deleted."""
        c = self._need()
        return _c.seqs_sntp_leap(c) if _c.seqs_sntp_synced(c) else None

    @property
    def refid(self):
        return _c.seqs_sntp_refid(self._need())

    @property
    def interval_s(self):
        return _c.seqs_sntp_interval_s(self._need())

    @property
    def next_request_us(self):
        d = _c.seqs_sntp_next_request_us(self._need())
        return None if d == (1 << 64) - 1 else d

    @property
    def stats(self):
        return _c.seqs_py_sntp_stats(self._need())

    def now_us(self, mono_us=None):
        """Unix time in µs at the stack's time mono_us (default: stack.now)."""
        c = self._need()
        if not _c.seqs_sntp_synced(c):
            raise StateError("SntpClient.now(): no reply from %s yet (status %s)" % (self.server, self.status))
        if mono_us is None:
            mono_us = self._stack.now
        _uint("mono_us", mono_us, 0, (1 << 64) - 1)
        return _c.seqs_sntp_now(c, mono_us)

    def now(self, mono_us=None):
        """Unix time in seconds (float) at the stack's time mono_us (default: stack.now)."""
        return self.now_us(mono_us) / 1e6

    def __repr__(self):
        return "<seqs.SntpClient %s %s offset_us=%s>" % (self.server, self.status if self._c else "closed",
                                                         self.offset_us if self._c else None)


__all__ = ["SntpClient"]
