# SPDX-License-Identifier: BSD-3-Clause
"""seqs.Stack: one seqs_stack_t (one network interface) driven from Python.

The stack is sans-IO: feed it received Ethernet frames with `input(frame, now_us)`,
pull frames to transmit with `output(now_us)` / `output_all(now_us)`, and ask
`next_deadline()` when to come back if nothing arrives. Time is an integer
count of microseconds chosen by the caller; it must never go backwards."""

from collections import namedtuple

from . import seqs_c as _c
from .addr import format_mac, int_to_ip, ip_to_int, parse_mac, parse_prefix
from .errors import InvalidArgument, LimitError, check, error_for
from .udp import UdpSocket

EchoReply = namedtuple("EchoReply", "src id seq len ttl rx_us")
_DEFAULTS = _c.seqs_py_config_default()
_COUNTER_NAMES = _c.seqs_py_counter_names()
_U64_MAX = (1 << 64) - 1
_NEVER = _U64_MAX

_ADDR_STATES = {
    _c.SEQS_ADDR_NONE: "none",
    _c.SEQS_ADDR_TENTATIVE: "tentative",
    _c.SEQS_ADDR_ANNOUNCING: "announcing",
    _c.SEQS_ADDR_BOUND: "bound",
    _c.SEQS_ADDR_CONFLICT: "conflict",
}

_output = _c.seqs_py_output
_output_all = _c.seqs_py_output_all
_input = _c.seqs_stack_input
_poll = _c.seqs_stack_poll
_next_deadline = _c.seqs_stack_next_deadline


# Stack() arguments that bound a slot table: what "no free slot" names.
_SLOT_LIMITS = {
    "max_udp_sockets": ("UDP socket", "SEQS_MAX_UDP_SOCKETS", _c.LIMIT_MAX_UDP_SOCKETS),
    "max_tcp_listeners": ("TCP listener", "SEQS_MAX_TCP_LISTENERS", _c.LIMIT_MAX_TCP_LISTENERS),
    "max_tcp_conns": ("TCP connection", "SEQS_MAX_TCP_CONNS", _c.LIMIT_MAX_TCP_CONNS),
}


def _limit(name, value, lo, hi, cname):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("%s must be an int, not %s" % (name, type(value).__name__))
    if value > hi:
        raise LimitError("%s=%d exceeds %s=%d (compile-time limit in seqs/opts.h)" % (name, value, cname, hi))
    if value < lo:
        raise InvalidArgument("%s=%d is below the minimum %d" % (name, value, lo))
    return value


class Stack:
    """One seqs network stack instance (one Ethernet interface).

    Stack(mac="02:00:00:00:00:01", mtu=1500, max_udp_sockets=8, max_tcp_listeners=4,
          max_tcp_conns=8, ttl=64, seed=1, echo_broadcast=False, all_multicast=False,
          gratuitous=True, pcap=None)

    Defaults come from seqs_config_default(). `pcap` may be a seqs.PcapWriter: every
    frame given to input() and returned by output() is then recorded with its time."""

    _s = None   # no C stack yet: __del__ must not fail when __init__ did (e.g. a wrong keyword)

    def __init__(self, mac="02:00:00:00:00:01", mtu=_DEFAULTS["mtu"],
                 max_udp_sockets=_DEFAULTS["max_udp_sockets"],
                 max_tcp_listeners=_DEFAULTS["max_tcp_listeners"],
                 max_tcp_conns=_DEFAULTS["max_tcp_conns"],
                 ttl=_DEFAULTS["ttl"], seed=_DEFAULTS["seed"],
                 echo_broadcast=False, all_multicast=False, gratuitous=True, pcap=None):
        self._s = None
        macb = parse_mac(mac)
        if macb[0] & 1:
            raise InvalidArgument("mac %s is a multicast/broadcast address; a stack needs a unicast MAC"
                                  % format_mac(macb))
        if macb == bytes(6):
            raise InvalidArgument("mac 00:00:00:00:00:00 is not a valid station address")
        if mtu != 0:
            _limit("mtu", mtu, _c.LIMIT_MIN_MTU, _c.LIMIT_MAX_MTU, "SEQS_MAX_MTU")
        _limit("max_udp_sockets", max_udp_sockets, 0, _c.LIMIT_MAX_UDP_SOCKETS, "SEQS_MAX_UDP_SOCKETS")
        _limit("max_tcp_listeners", max_tcp_listeners, 0, _c.LIMIT_MAX_TCP_LISTENERS, "SEQS_MAX_TCP_LISTENERS")
        _limit("max_tcp_conns", max_tcp_conns, 0, _c.LIMIT_MAX_TCP_CONNS, "SEQS_MAX_TCP_CONNS")
        if isinstance(ttl, bool) or not isinstance(ttl, int):
            raise TypeError("ttl must be an int, not %s" % type(ttl).__name__)
        if not 0 <= ttl <= 255:
            raise InvalidArgument("ttl=%d outside 0..255 (0 means the default, 64)" % ttl)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError("seed must be an int, not %s" % type(seed).__name__)
        if not 0 <= seed <= _U64_MAX:
            raise InvalidArgument("seed=%d outside the unsigned 64-bit range" % seed)
        flags = 0
        if echo_broadcast:
            flags |= _c.SEQS_CFG_ECHO_BROADCAST
        if all_multicast:
            flags |= _c.SEQS_CFG_ALL_MULTICAST
        if not gratuitous:
            flags |= _c.SEQS_CFG_NO_GRATUITOUS

        s = _c.seqs_py_stack_new()
        if s is None:
            raise MemoryError("cannot allocate a seqs_stack_t (%d bytes)" % _c.seqs_py_stack_size())
        self._s = s
        check(_c.seqs_py_stack_init(s, macb, mtu, max_udp_sockets, max_tcp_listeners, max_tcp_conns,
                                    ttl, flags, seed), "seqs_stack_init")
        self._mac = macb
        self._config = dict(mtu=mtu, max_udp_sockets=max_udp_sockets, max_tcp_listeners=max_tcp_listeners,
                            max_tcp_conns=max_tcp_conns, ttl=ttl, seed=seed, echo_broadcast=bool(echo_broadcast),
                            all_multicast=bool(all_multicast), gratuitous=bool(gratuitous))
        self._now = 0
        self.pcap = pcap
        # Receive buffers handed to the C core, by handle: they stay alive as long as the
        # C socket may write into them, whatever happens to the Python socket object.
        self._buffers = {}
        self._scratch = bytearray(65536)
        self._scratch_mv = memoryview(self._scratch)

    def __del__(self):
        s = self._s
        if s is not None and _c is not None:
            self._s = None
            _c.seqs_py_stack_free(s)

    def __repr__(self):
        a = self.addr
        return "<seqs.Stack mac=%s addr=%s state=%s now=%d>" % (
            format_mac(self._mac), "%s/%d" % a[:2] if a else None, self.addr_state, self._now)

    # -- configuration --------------------------------------------------------------
    @property
    def mac(self):
        """The interface MAC as 'xx:xx:xx:xx:xx:xx'."""
        return format_mac(self._mac)

    @property
    def mac_bytes(self):
        return self._mac

    @property
    def config(self):
        """The values this stack was created with (a copy)."""
        return dict(self._config)

    @property
    def now(self):
        """Latest time (µs) passed to input/output/poll."""
        return self._now

    # -- time ----------------------------------------------------------------------
    def _time(self, now_us):
        if now_us.__class__ is not int:
            if isinstance(now_us, bool) or not isinstance(now_us, int):
                raise TypeError("now_us must be an int (microseconds), not %s" % type(now_us).__name__)
            now_us = int(now_us)
        if now_us < self._now:
            if now_us < 0:
                raise InvalidArgument("now_us=%d is negative; time is a non-negative microsecond count" % now_us)
            raise InvalidArgument("now_us=%d goes backwards (the stack is already at %d µs); time must be monotonic"
                                  % (now_us, self._now))
        if now_us > _U64_MAX:
            raise InvalidArgument("now_us=%d does not fit 64 bits" % now_us)
        self._now = now_us
        return now_us

    # -- the frame pump ------------------------------------------------------------------
    def input(self, frame, now_us):
        """Processes one received Ethernet frame (bytes-like, or an object with __bytes__
        such as a scapy packet; no FCS) at time now_us."""
        if now_us.__class__ is int and self._now <= now_us <= _U64_MAX:
            self._now = now_us
        else:
            now_us = self._time(now_us)
        if self.pcap is not None:
            self.pcap.write(frame, now_us)
        try:
            rc = _input(self._s, frame, now_us)
        except TypeError:
            if not hasattr(frame, "__bytes__") or isinstance(frame, (str, int)):
                raise
            rc = _input(self._s, bytes(frame), now_us)   # e.g. a scapy packet
        if rc:
            raise error_for(rc, "input")

    def output(self, now_us):
        """Runs due timers and returns the next frame to transmit (bytes), or None."""
        if now_us.__class__ is int and self._now <= now_us <= _U64_MAX:
            self._now = now_us
        else:
            now_us = self._time(now_us)
        r = _output(self._s, now_us)
        if r.__class__ is int:
            raise error_for(r, "output")
        if r is not None and self.pcap is not None:
            self.pcap.write(r, now_us)
        return r

    def output_all(self, now_us, limit=100000):
        """Every frame pending at now_us (list of bytes, possibly empty)."""
        if now_us.__class__ is int and self._now <= now_us <= _U64_MAX:
            self._now = now_us
        else:
            now_us = self._time(now_us)
        r = _output_all(self._s, now_us, limit)
        if r.__class__ is int:
            raise error_for(r, "output_all")
        if self.pcap is not None:
            for f in r:
                self.pcap.write(f, now_us)
        return r

    def poll(self, now_us):
        """Advances time to now_us and runs due timers without pulling a frame."""
        now_us = self._time(now_us)
        _poll(self._s, now_us)

    def next_deadline(self):
        """Earliest time (µs) at which output() has work, or None when nothing is scheduled."""
        d = _next_deadline(self._s)
        return None if d == _NEVER else d

    def run_until(self, until_us, max_steps=100000):
        """Advances virtual time to until_us, visiting every deadline on the way.

        Returns [(time_us, frame), ...] for every frame the stack transmitted meanwhile
        (timers: ARP retries, announcements, retransmissions...). Raises RuntimeError
        if the core reports a deadline in the past but produces nothing (a stuck timer)."""
        until_us = int(until_us)
        if until_us < self._now:
            self._time(until_us)  # raises: time going backwards
        sent = []
        for _ in range(max_steps):
            d = self.next_deadline()
            if d is None or d > until_us:
                break
            t = d if d > self._now else self._now
            frames = self.output_all(t)
            sent.extend((t, f) for f in frames)
            if not frames:
                d2 = self.next_deadline()
                if d2 is not None and d2 <= t:
                    raise RuntimeError("seqs core: next_deadline()=%d <= now=%d but output() produced nothing "
                                       "(timer does not advance)" % (d2, t))
        else:
            raise RuntimeError("run_until(%d): more than %d timer steps" % (until_us, max_steps))
        frames = self.output_all(until_us)
        sent.extend((until_us, f) for f in frames)
        return sent

    def _error(self, rc, what, limit=None):
        """error_for(rc, what); "no free slot" also says which limit is full (limit:
        the Stack() argument bounding that table, e.g. "max_udp_sockets")."""
        if rc == _c.SEQS_ERR_NOSLOT and limit in _SLOT_LIMITS:
            noun, cname, cmax = _SLOT_LIMITS[limit]
            n = self._config[limit]
            what = ("%s: all %d %s slots are in use (Stack(%s=%d); at most %s=%d at compile time)"
                    % (what, n, noun, limit, n, cname, cmax))
        return error_for(rc, what)

    # -- addresses -------------------------------------------------------------------
    def set_addr(self, addr, gateway=None, probe=False, prefix=None):
        """Sets the static address, e.g. set_addr("192.0.2.2/24", gateway="192.0.2.1").

        probe=True runs RFC 5227 probing first (addr_state 'tentative' until done)."""
        a, plen = parse_prefix(addr, prefix)
        gw = 0 if gateway is None else ip_to_int(gateway, "gateway")
        mask = (0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF
        if gw and (gw & mask) != (a & mask):
            raise InvalidArgument("set_addr(%r, gateway=%r): the gateway is outside the subnet %s/%d; "
                                  "it must be on-link (reachable without a router)"
                                  % (addr, gateway, int_to_ip(a & mask), plen))
        if gw and gw == a:
            raise InvalidArgument("set_addr(%r, gateway=%r): the gateway is our own address" % (addr, gateway))
        flags = _c.SEQS_ADDR_PROBE if probe else 0
        rc = _c.seqs_stack_set_addr(self._s, a, plen, gw, flags)
        if rc < 0:
            raise error_for(rc, "set_addr(%r, gateway=%r)" % (addr, gateway))

    def clear_addr(self):
        _c.seqs_stack_clear_addr(self._s)

    @property
    def addr_state(self):
        """'none', 'tentative', 'announcing', 'bound' or 'conflict'."""
        st = _c.seqs_stack_addr_state(self._s)
        return _ADDR_STATES.get(st, "unknown(%d)" % st)

    @property
    def addr(self):
        """(address, prefix_len, gateway or None), or None when no address is set."""
        a, plen, gw = _c.seqs_stack_addr(self._s)
        if a == 0:
            return None
        return int_to_ip(a), plen, (int_to_ip(gw) if gw else None)

    def join_group(self, group):
        g = ip_to_int(group, "group")
        rc = _c.seqs_stack_join_group(self._s, g)
        if rc < 0:
            raise error_for(rc, "join_group(%r)" % (group,))

    def leave_group(self, group):
        g = ip_to_int(group, "group")
        rc = _c.seqs_stack_leave_group(self._s, g)
        if rc < 0:
            raise error_for(rc, "leave_group(%r)" % (group,))

    # -- counters, randomness ----------------------------------------------------------
    def counters(self):
        """Every counter of seqs/counters.h by name: {'eth_rx': 3, ...}."""
        return dict(zip(_COUNTER_NAMES, _c.seqs_py_counter_values(self._s)))

    def counter(self, name):
        """One counter by name (KeyError naming the valid ones for a typo)."""
        try:
            i = _COUNTER_INDEX[name]
        except KeyError:
            raise KeyError("no counter %r; counters are: %s" % (name, ", ".join(_COUNTER_NAMES))) from None
        return _c.seqs_counter_value(self._s, i)

    def random(self):
        """A 32-bit value from the stack's random source (deterministic for a given seed)."""
        return _c.seqs_stack_random(self._s)

    # -- ICMP echo client (seqs/icmp.h) -----------------------------------------------
    def ping(self, dst, id=0, seq=0, data=b""):
        """Queues one ICMP echo request to dst (sent by the next output())."""
        d = ip_to_int(dst, "ping destination")
        if not (0 <= id <= 0xFFFF and 0 <= seq <= 0xFFFF):
            raise InvalidArgument("ping: id=%r and seq=%r must be in 0..65535" % (id, seq))
        rc = _c.seqs_icmp_echo_send(self._s, d, id, seq, data)
        if rc < 0:
            raise error_for(rc, "ping(%r, id=%d, seq=%d, %d bytes)" % (dst, id, seq, len(data)))

    def echo_replies(self):
        """Every echo reply received since the last call: [EchoReply(src, id, seq, len, ttl, rx_us), ...]."""
        out = []
        while True:
            rc, r = _c.seqs_icmp_echo_recv(self._s)
            if rc < 0:
                if rc == _c.SEQS_ERR_AGAIN:
                    return out
                raise error_for(rc, "echo_replies")
            out.append(EchoReply(int_to_ip(r[0]), *r[1:]))

    # -- sockets ---------------------------------------------------------------------
    def udp_socket(self, rxbuf=8192):
        """Opens a UDP socket whose received datagrams are stored in a buffer of rxbuf bytes."""
        return UdpSocket(self, rxbuf)


_COUNTER_INDEX = {n: i for i, n in enumerate(_COUNTER_NAMES)}
COUNTER_NAMES = _COUNTER_NAMES

__all__ = ["Stack", "COUNTER_NAMES", "EchoReply"]
