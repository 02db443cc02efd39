# SPDX-License-Identifier: BSD-3-Clause
"""seqs.UdpSocket: a UDP socket of a seqs.Stack (see seqs/udp.h).

Create one with `stack.udp_socket(rxbuf=8192)`. Its receive buffer is a bytearray
owned by Python and registered with the stack, so it outlives the C socket even
if the Python object is dropped without close()."""

from collections import namedtuple

from . import seqs_c as _c
from .addr import int_to_ip, ip_to_int, parse_endpoint, parse_port
from .errors import BadHandle, InvalidArgument, check, error_for

_EAGAIN = _c.SEQS_ERR_AGAIN
_recvfrom = _c.seqs_udp_recvfrom
_sendto = _c.seqs_udp_sendto

Datagram = namedtuple("Datagram", "data src dst local_port truncated")
Datagram.__doc__ = """A received datagram: data (bytes), src ((addr, port)), dst (the address it
was sent to: ours, broadcast or multicast), local_port, truncated (bool: the
datagram was longer than the socket buffer could hold)."""


class UdpSocket:
    """A UDP socket. Methods raise seqs.SeqsError subclasses on failure; use after
    close() raises seqs.BadHandle (the C core rejects the stale handle)."""

    def __init__(self, stack, rxbuf=8192):
        if isinstance(rxbuf, bool) or not isinstance(rxbuf, int):
            raise TypeError("rxbuf must be an int (bytes of receive buffer), not %s" % type(rxbuf).__name__)
        if rxbuf <= 0:
            raise InvalidArgument("rxbuf=%d: the receive buffer needs at least one byte" % rxbuf)
        if rxbuf > 1 << 24:
            raise InvalidArgument("rxbuf=%d is unreasonably large (max 16 MiB)" % rxbuf)
        self._stack = stack
        self._h = 0
        self._closed = True
        buf = bytearray(rxbuf)
        rc, h = _c.seqs_udp_open(stack._s, buf)
        if rc < 0:
            raise stack._error(rc, "udp_socket(rxbuf=%d)" % rxbuf, "max_udp_sockets")
        self._h = h
        self._buf = buf
        stack._buffers[("udp", h)] = buf
        self._closed = False

    # -- lifecycle ----------------------------------------------------------------------
    def close(self):
        """Closes the socket (idempotent). Its handle becomes stale."""
        if self._closed:
            return
        self._closed = True
        st = self._stack
        if st._s is not None:
            rc = _c.seqs_udp_close(st._s, self._h)
            st._buffers.pop(("udp", self._h), None)
            check(rc, "close")

    def __del__(self):
        try:
            if not self._closed:
                self.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        if self._closed:
            return "<seqs.UdpSocket handle=%#x closed>" % self._h
        return "<seqs.UdpSocket handle=%#x port=%d>" % (self._h, self.local_port)

    @property
    def closed(self):
        return self._closed

    @property
    def handle(self):
        """The C handle (seqs_udp_t): 0 is never valid; stale after close()."""
        return self._h

    def _what(self, op):
        if self._closed:
            return "%s on a closed socket" % op
        return op

    # -- addressing ---------------------------------------------------------------------
    def bind(self, port=0, addr="0.0.0.0"):
        """Binds to addr:port (port 0 = a random ephemeral port, addr '0.0.0.0'/None = any of ours)."""
        p = parse_port(port)
        a = 0 if addr is None or addr == "" else ip_to_int(addr, "bind address")
        rc = _c.seqs_udp_bind(self._stack._s, self._h, a, p)
        if rc < 0:
            raise error_for(rc, self._what("bind(port=%d, addr=%r)" % (p, addr)))

    def connect(self, addr, port):
        """Sets the default destination and only accepts datagrams from it (addr None disconnects)."""
        a = 0 if addr is None else ip_to_int(addr, "connect address")
        p = parse_port(port)
        rc = _c.seqs_udp_connect(self._stack._s, self._h, a, p)
        if rc < 0:
            raise error_for(rc, self._what("connect(%r, %d)" % (addr, p)))

    def disconnect(self):
        self.connect(None, 0)

    @property
    def local_port(self):
        """Bound local port (after an implicit bind too), 0 if unbound."""
        if self._closed:
            raise BadHandle("local_port on a closed socket")
        return _c.seqs_udp_local_port(self._stack._s, self._h)

    # -- sending ------------------------------------------------------------------------
    def sendto(self, data, address):
        """Queues one datagram to address=(addr, port). Returns the number of bytes queued."""
        a, p = parse_endpoint(address, "destination")
        rc = _sendto(self._stack._s, self._h, data, a, p)
        if rc < 0:
            raise error_for(rc, self._what("sendto(%d bytes, %r)" % (len(data), address)))
        return rc

    def send(self, data):
        """Queues one datagram to the connected peer."""
        rc = _sendto(self._stack._s, self._h, data, 0, 0)
        if rc < 0:
            raise error_for(rc, self._what("send(%d bytes)" % len(data)))
        return rc

    def sendmsg(self, data, address=None, src=None):
        """Like sendto, with the source address chosen by src (one of ours; None = default).
        address None sends to the connected peer."""
        if address is None:
            a, p = 0, 0
        else:
            a, p = parse_endpoint(address, "destination")
        s = 0 if src is None else ip_to_int(src, "src")
        rc = _c.seqs_udp_sendmsg(self._stack._s, self._h, data, (a, p, s))
        if rc < 0:
            raise error_for(rc, self._what("sendmsg(%d bytes, %r, src=%r)" % (len(data), address, src)))
        return rc

    # -- receiving ----------------------------------------------------------------------
    def recvmsg(self):
        """The oldest datagram as a Datagram namedtuple, or None when none is waiting."""
        st = self._stack
        rc, meta = _recvfrom(st._s, self._h, st._scratch)
        if rc < 0:
            if rc == _EAGAIN:
                return None
            raise error_for(rc, self._what("recvfrom"))
        ra, rp, lp, la, trunc = meta
        return Datagram(bytes(st._scratch_mv[:rc]), (int_to_ip(ra), rp), int_to_ip(la), lp, bool(trunc))

    def recvfrom(self):
        """(data, (src_addr, src_port), dst_addr) for the oldest datagram, or None."""
        d = self.recvmsg()
        return None if d is None else (d.data, d.src, d.dst)

    def recv(self):
        """Payload of the oldest datagram, or None."""
        r = self.recvfrom()
        return None if r is None else r[0]

    @property
    def pending(self):
        """Number of datagrams waiting."""
        rc = _c.seqs_udp_pending(self._stack._s, self._h)
        if rc < 0:
            raise error_for(rc, self._what("pending"))
        return rc

    def error(self):
        """The pending ICMP error (then cleared), or None:
        dict(type=, code=, addr=, port=, mtu=, err=<SeqsError instance: Unreachable or MessageTooLarge>)."""
        rc, info = _c.seqs_udp_error(self._stack._s, self._h)
        if rc == 0:
            return None
        if rc == _c.SEQS_ERR_BADHANDLE:
            raise error_for(rc, self._what("error"))
        t, c, a, p, mtu = info
        return dict(type=t, code=c, addr=int_to_ip(a), port=p, mtu=mtu, err=error_for(rc, "ICMP type %d code %d" % (t, c)))


__all__ = ["UdpSocket", "Datagram"]
