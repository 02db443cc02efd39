# SPDX-License-Identifier: BSD-3-Clause
"""seqs.DhcpServer: a DHCPv4 server on a seqs.Stack (see seqs/dhcp_server.h).

    srv = seqs.DhcpServer(stack, pool="192.0.2.100-192.0.2.199", lease=3600,
                          router="192.0.2.1", dns=["192.0.2.1"],
                          reservations={"02:00:00:00:00:42": "192.0.2.42"})
    ... drive the stack (input/output/next_deadline) ...
    srv.leases()    # [{'addr': '192.0.2.100', 'mac': '02:..', 'state': 'bound', ...}]
    srv.counters()  # {'rx': 3, 'tx_offer': 1, 'drop_cookie': 0, ...}
    srv.events()    # lease changes since the last call (bound/released/expired/declined)
    srv.close()

The C structs (server, lease table, reservations) are allocated by the binding;
the server keeps the Stack alive and is detached from it by close() or when it is
garbage-collected."""

from . import seqs_c as _c
from ._closing import Closing
from .addr import format_mac, int_to_ip, ip_to_int, parse_mac
from .errors import InvalidArgument, LimitError, error_for

__all__ = ["DhcpServer", "DHCPS_LEASE_ENTRY_SIZE", "DHCPS_SERVER_SIZE"]

DHCPS_LEASE_ENTRY_SIZE = _c.seqs_py_dhcps_lease_entry_size()   # sizeof(seqs_dhcp_lease_t)
DHCPS_SERVER_SIZE = _c.seqs_py_dhcps_server_size()             # sizeof(seqs_dhcp_server_t)
MAX_DNS = _c.SEQS_DHCPS_MAX_DNS


def _parse_pool(pool):
    if isinstance(pool, str):
        parts = pool.split("-")
        if len(parts) != 2:
            raise InvalidArgument("pool=%r: expected 'FIRST-LAST', e.g. '192.0.2.100-192.0.2.199'" % pool)
        first, last = parts
    elif isinstance(pool, (tuple, list)) and len(pool) == 2:
        first, last = pool
    else:
        raise TypeError("pool must be 'FIRST-LAST' or a (first, last) pair, not %r" % (pool,))
    return ip_to_int(first.strip() if isinstance(first, str) else first, "pool first"), \
        ip_to_int(last.strip() if isinstance(last, str) else last, "pool last")


def _seconds(name, value, allow_none=True):
    if value is None and allow_none:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("%s must be a number of seconds, not %r" % (name, value))
    v = int(value)
    if v < 0 or v > 0xFFFFFFFF:
        raise InvalidArgument("%s=%r: must be 0..4294967295 seconds" % (name, value))
    return v


class DhcpServer(Closing):
    """A DHCP server attached to `stack` (which needs its address first: it is the
    server identifier). Raises InvalidArgument / LimitError / TypeError for a
    config the server refuses, with a message naming the argument."""

    def __init__(self, stack, pool, lease=3600, router=None, dns=(), reservations=None, table_size=None,
                 prefix=None, offer_hold=None, decline_hold=None):
        self._h = None
        self._stack = stack
        first, last = _parse_pool(pool)
        self.pool = (int_to_ip(first), int_to_ip(last))
        lease_s = _seconds("lease", lease, allow_none=False)
        if lease_s == 0:
            raise InvalidArgument("lease=%r: the lease time must be at least 1 second" % (lease,))
        if isinstance(dns, str):
            dns = [dns]
        dns = list(dns or ())
        if len(dns) > MAX_DNS:
            raise LimitError("dns: %d servers given, at most SEQS_DHCPS_MAX_DNS=%d" % (len(dns), MAX_DNS))
        res = dict(reservations or {})
        if prefix is not None and (isinstance(prefix, bool) or not isinstance(prefix, int) or not 1 <= prefix <= 30):
            raise InvalidArgument("prefix=%r: must be 1..30" % (prefix,))
        pool_size = last - first + 1 if last >= first else 0
        res_ints = {}
        for mac, ip in res.items():
            res_ints[parse_mac(mac)] = (ip_to_int(ip, "reservations[%s]" % mac), mac, ip)
        outside = sum(1 for a, _, _ in res_ints.values() if not first <= a <= last)
        if table_size is None:
            table_size = pool_size + outside
        if isinstance(table_size, bool) or not isinstance(table_size, int) or table_size < 0:
            raise TypeError("table_size must be a non-negative int, not %r" % (table_size,))
        h = _c.seqs_py_dhcps_new()
        if h is None:
            raise MemoryError("DhcpServer: out of memory")
        self._h = h
        try:
            rc = _c.seqs_py_dhcps_config(h, first, last, prefix or 0, ip_to_int(router, "router") if router else 0,
                                         lease_s, _seconds("offer_hold", offer_hold),
                                         _seconds("decline_hold", decline_hold), table_size)
            if rc < 0:
                raise error_for(rc, "DhcpServer(table_size=%d)" % table_size)
            for d in dns:
                rc = _c.seqs_py_dhcps_add_dns(h, ip_to_int(d, "dns"))
                if rc < 0:
                    raise error_for(rc, "dns=%r" % (dns,))
            for mb, (a, mac, ip) in res_ints.items():
                rc = _c.seqs_py_dhcps_add_reservation(h, mb, a)
                if rc < 0:
                    raise error_for(rc, "reservations[%s]" % mac)
            why = _c.seqs_py_dhcps_check(h, stack._s)
            if why != _c.SEQS_DHCPS_CFG_OK:
                raise self._config_error(why, pool, table_size, pool_size, outside, lease, router, res, stack)
            rc = _c.seqs_py_dhcps_start(h, stack._s)
            if rc < 0:
                raise error_for(rc, "DhcpServer: starting on port 67")
        except BaseException:
            self._h = None
            _c.seqs_py_dhcps_free(h)
            raise
        self.lease = lease_s
        self.router = router
        self.dns = dns
        self.table_size = table_size

    @staticmethod
    def _config_error(why, pool, table_size, pool_size, outside, lease, router, res, stack):
        text = _c.seqs_dhcp_server_cfg_strerror(why)
        addr = stack.addr
        net = "%s/%d" % (addr[0], addr[1]) if addr else "no address"
        C = _c
        if why == C.SEQS_DHCPS_CFG_TABLE_SMALL:
            return LimitError("table_size=%d is smaller than the pool (%d addresses) plus reservations outside it (%d)"
                              % (table_size, pool_size, outside))
        if why == C.SEQS_DHCPS_CFG_NO_TABLE:
            return InvalidArgument("table_size=%d: the lease table needs at least one entry" % table_size)
        if why in (C.SEQS_DHCPS_CFG_POOL_SUBNET, C.SEQS_DHCPS_CFG_POOL_ORDER, C.SEQS_DHCPS_CFG_POOL_HAS_SERVER):
            return InvalidArgument("pool=%r: %s (stack %s)" % (pool, text, net))
        if why == C.SEQS_DHCPS_CFG_RESERVATION_SUBNET or why == C.SEQS_DHCPS_CFG_RESERVATION_DUP:
            return InvalidArgument("reservations=%r: %s (stack %s)" % (res, text, net))
        if why == C.SEQS_DHCPS_CFG_ROUTER_SUBNET:
            return InvalidArgument("router=%r: %s (stack %s)" % (router, text, net))
        if why == C.SEQS_DHCPS_CFG_LEASE_ZERO:
            return InvalidArgument("lease=%r: %s" % (lease, text))
        if why == C.SEQS_DHCPS_CFG_NO_ADDR:
            from .errors import NoAddress
            return NoAddress("DhcpServer: %s; call stack.set_addr() first" % text)
        return InvalidArgument("DhcpServer: %s" % text)

    # -- lifecycle -----------------------------------------------------------------------
    def close(self):
        """Detaches the server from the stack and frees it (idempotent)."""
        h, self._h = self._h, None
        if h is not None:
            _c.seqs_py_dhcps_free(h)

    @property
    def closed(self):
        return self._h is None

    def __repr__(self):
        state = "closed" if self._h is None else "%d leases" % len(self.leases())
        return "<seqs.DhcpServer pool=%s-%s %s>" % (self.pool[0], self.pool[1], state)

    def _handle(self):
        if self._h is None:
            from .errors import Closed
            raise Closed("DhcpServer is closed")
        return self._h

    # -- state ----------------------------------------------------------------------------
    @staticmethod
    def _lease_dict(t):
        addr, state, mac, cid, expires_us, extra = t
        return {"addr": int_to_ip(addr), "state": state, "mac": format_mac(mac),
                "client_id": bytes(cid) if cid else None, "expires_us": expires_us}, extra

    def leases(self, state=None):
        """Every used table entry as a dict: addr, state ('offered', 'bound', 'released',
        'expired', 'declined'), mac, client_id (bytes or None), expires_us, reserved.
        `state` filters (a name or a collection of names)."""
        out = []
        for t in _c.seqs_py_dhcps_leases(self._handle()):
            d, reserved = self._lease_dict(t)
            d["reserved"] = bool(reserved)
            if state is None or d["state"] == state or (not isinstance(state, str) and d["state"] in state):
                out.append(d)
        return out

    def events(self):
        """Lease changes since the last call (bound, released, expired, declined), oldest
        first, as dicts like leases(); 'lost' counts events dropped before it (ring full)."""
        out = []
        for t in _c.seqs_py_dhcps_events(self._handle()):
            d, lost = self._lease_dict(t)
            d["lost"] = lost
            out.append(d)
        return out

    def counters(self):
        """Every server counter by name (rx, tx_offer, drop_cookie, pool_exhausted, ...)."""
        return dict(_c.seqs_py_dhcps_counters(self._handle()))

    def counter(self, name):
        c = self.counters()
        if name not in c:
            raise KeyError("no DHCP server counter %r; have %s" % (name, ", ".join(sorted(c))))
        return c[name]
