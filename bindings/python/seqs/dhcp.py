# SPDX-License-Identifier: BSD-3-Clause
"""seqs.DhcpClient: the DHCPv4 client of seqs/dhcp.h attached to a seqs.Stack.

    dhcp = seqs.DhcpClient(stack).begin(requested="192.0.2.69", xid=0x12345678, hostname="tinygo-pico")
    while not dhcp.done:
        ...pump frames (stack.input / stack.output / stack.next_deadline)...
    print(dhcp.offer, dhcp.lease)

The client is an app attached to the stack: the stack's own three calls drive it
(its retransmissions and T1/T2/expiry are in stack.next_deadline()). By default it
applies the lease to the stack (RFC 5227 probe first); apply=False only reports it."""

from collections import namedtuple

from . import seqs_c as _c
from ._closing import Closing
from .addr import int_to_ip, ip_to_int
from .errors import InvalidArgument, StateError, error_for

DhcpLease = namedtuple("DhcpLease", "addr prefix_len router server_id dns ntp lease_s t1_s t2_s start_us")
DhcpLease.__doc__ = ("A DHCP lease: addresses as strings (router None when absent), times in seconds as the "
                     "server gave them (0xFFFFFFFF = infinite), start_us = when the REQUEST that got it was sent.")

_STATES = {getattr(_c, n): _c.seqs_dhcp_state_name(getattr(_c, n)) for n in dir(_c)
           if n.startswith("SEQS_DHCP_") and n[10:] in ("STOPPED", "INIT", "SELECTING", "REQUESTING", "PROBING",
                                                        "BOUND", "RENEWING", "REBINDING", "INIT_REBOOT")}
DHCP_COUNTER_NAMES = tuple(_c.seqs_dhcp_client_counter_name(i) for i in range(_c.seqs_py_dhcp_counter_count()))
DHCP_CLIENT_SIZE = _c.seqs_py_dhcp_client_size()   # sizeof(seqs_dhcp_client_t): RAM per client


class DhcpClient(Closing):
    """A DHCP client for one seqs.Stack (it keeps the stack alive). Call begin() to start."""

    def __init__(self, stack):
        if getattr(stack, "_s", None) is None:
            raise TypeError("DhcpClient(stack): stack must be a live seqs.Stack, not %r" % (stack,))
        self._stack = stack
        self._c = _c.seqs_py_dhcp_client_new()
        if self._c is None:
            raise MemoryError("DhcpClient: cannot allocate %d bytes" % DHCP_CLIENT_SIZE)
        self._running = False

    def begin(self, requested=None, xid=0, hostname=None, client_id=None, reboot=False, apply=True):
        """Starts: DISCOVER (with option 50 = requested as a hint) or, with reboot=True,
        an INIT-REBOOT REQUEST for `requested`. xid 0 = random. Returns self."""
        if self._c is None:
            raise StateError("DhcpClient.begin(): the client is closed")
        if self._running and self.state != "stopped":
            raise StateError("DhcpClient.begin(): already started (state %r); call stop() first" % self.state)
        if self._running:   # released (or stopped) earlier: detach what is left before starting again
            self.stop()
        req = 0 if requested is None else ip_to_int(requested, "requested")
        if isinstance(xid, bool) or not isinstance(xid, int):
            raise TypeError("xid must be an int, not %s" % type(xid).__name__)
        if not 0 <= xid <= 0xFFFFFFFF:
            raise InvalidArgument("xid=%d is not a 32-bit value (0..0xFFFFFFFF; 0 = random)" % xid)
        if hostname is not None:
            if not isinstance(hostname, str):
                raise TypeError("hostname must be a str, not %s" % type(hostname).__name__)
            if not hostname or len(hostname.encode()) > _c.DHCP_HOSTNAME_MAX or "\0" in hostname:
                raise InvalidArgument("hostname %r: must be 1..%d bytes without NUL"
                                      % (hostname, _c.DHCP_HOSTNAME_MAX))
        cid = b""
        if client_id is not None:
            cid = bytes(client_id)
            if not 2 <= len(cid) <= _c.DHCP_CLIENT_ID_MAX:
                raise InvalidArgument("client_id is %d bytes; option 61 takes 2..%d here"
                                      % (len(cid), _c.DHCP_CLIENT_ID_MAX))
        if reboot and not req:
            raise InvalidArgument("reboot=True needs requested= (the address INIT-REBOOT asks to keep)")
        flags = (_c.SEQS_DHCP_REBOOT if reboot else 0) | (0 if apply else _c.SEQS_DHCP_NO_APPLY)
        rc = _c.seqs_py_dhcp_client_begin(self._stack._s, self._c, req, xid, hostname, cid, flags)
        if rc < 0:
            raise error_for(rc, "DhcpClient.begin(requested=%r, xid=%r, hostname=%r)" % (requested, xid, hostname))
        self._running = True
        return self

    def _live(self, what):
        if self._c is None:
            raise StateError("DhcpClient.%s: the client is closed" % what)
        return self._c

    @property
    def done(self):
        """True while a lease is held (bound, renewing, rebinding)."""
        return bool(_c.seqs_dhcp_client_done(self._live("done")))

    @property
    def offer(self):
        """The leased address when done, else the address offered so far; None when none."""
        a = _c.seqs_dhcp_client_offer(self._live("offer"))
        return int_to_ip(a) if a else None

    @property
    def lease(self):
        """The current DhcpLease, or None."""
        d = _c.seqs_py_dhcp_lease(self._live("lease"))
        if d is None:
            return None
        return DhcpLease(int_to_ip(d["addr"]), d["prefix_len"], int_to_ip(d["router"]) if d["router"] else None,
                         int_to_ip(d["server_id"]), [int_to_ip(x) for x in d["dns"]],
                         [int_to_ip(x) for x in d["ntp"]], d["lease_s"], d["t1_s"], d["t2_s"], d["start_us"])

    @property
    def state(self):
        """'stopped', 'init', 'selecting', 'requesting', 'probing', 'bound', 'renewing', 'rebinding', 'init-reboot'."""
        st = _c.seqs_dhcp_client_state(self._live("state"))
        return _STATES.get(st, "unknown(%d)" % st)

    @property
    def changes(self):
        """Incremented on every state change and lease (re)acquisition."""
        return _c.seqs_dhcp_client_changes(self._live("changes"))

    def release(self):
        """Gives the lease back: RELEASE goes out with the next output(); the address is removed 1 s later."""
        rc = _c.seqs_dhcp_client_release(self._stack._s, self._live("release()"))
        if rc < 0:
            raise error_for(rc, "DhcpClient.release(): needs a lease (state is %r)" % self.state)

    def decline(self):
        """For apply=False users whose own check found the address in use: DECLINE, restart after 10 s."""
        rc = _c.seqs_dhcp_client_decline(self._stack._s, self._live("decline()"))
        if rc < 0:
            raise error_for(rc, "DhcpClient.decline(): needs a lease or a probe running (state is %r)" % self.state)

    def counters(self):
        """Per-reason counters: {'rx': .., 'drop_xid': .., ...}."""
        return dict(zip(DHCP_COUNTER_NAMES, _c.seqs_py_dhcp_counter_values(self._live("counters()"))))

    def counter(self, name):
        try:
            i = DHCP_COUNTER_NAMES.index(name)
        except ValueError:
            raise KeyError("no DHCP counter %r; counters are: %s" % (name, ", ".join(DHCP_COUNTER_NAMES))) from None
        return _c.seqs_dhcp_client_counter_value(self._live("counter()"), i)

    def stop(self):
        """Detaches from the stack and closes port 68 (the stack's address is left as it is)."""
        c = self._c
        if c is not None and getattr(self._stack, "_s", None) is not None:
            _c.seqs_dhcp_client_stop(self._stack._s, c)   # SEQS_ERR_INVAL when not attached: nothing to do
        self._running = False

    def close(self):
        """stop() and free the C client."""
        c = self._c
        if c is None:
            return
        self.stop()
        self._c = None
        _c.seqs_py_dhcp_client_free(c)

    def __repr__(self):
        if self._c is None:
            return "<seqs.DhcpClient closed>"
        return "<seqs.DhcpClient state=%s offer=%s>" % (self.state, self.offer)


__all__ = ["DhcpClient", "DhcpLease", "DHCP_COUNTER_NAMES", "DHCP_CLIENT_SIZE"]
