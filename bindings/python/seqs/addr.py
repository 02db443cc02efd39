# SPDX-License-Identifier: BSD-3-Clause
"""Parsing and formatting of IPv4 and MAC addresses for the seqs API.

The C core takes IPv4 addresses as host-order uint32; the Python API takes
dotted-quad strings (or ipaddress.IPv4Address, or a plain int) and returns
strings. Parsed values are cached: tests send to the same few addresses
millions of times and parsing must not dominate a frame round trip."""

import ipaddress

from .errors import InvalidArgument

_IP_CACHE = {}
_STR_CACHE = {}
_CACHE_MAX = 4096
_HEX = frozenset("0123456789abcdefABCDEF")


def ip_to_int(value, what="address"):
    """host-order uint32 from '192.0.2.1' / IPv4Address / int. Raises InvalidArgument or TypeError."""
    r = _IP_CACHE.get(value) if value.__class__ is str else None
    if r is not None:
        return r
    if value.__class__ is int:
        if 0 <= value <= 0xFFFFFFFF:
            return value
        raise InvalidArgument("%s: integer %d is not a 32-bit IPv4 address" % (what, value))
    if isinstance(value, ipaddress.IPv4Address):
        return int(value)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError("%s must be an IPv4 address string like '192.0.2.1', not %s"
                        % (what, type(value).__name__))
    if isinstance(value, int):
        return ip_to_int(int(value), what)
    try:
        r = int(ipaddress.IPv4Address(value))
    except ValueError:
        raise InvalidArgument("%s: %r is not an IPv4 address (expected a dotted quad like '192.0.2.1')"
                              % (what, value)) from None
    if len(_IP_CACHE) >= _CACHE_MAX:
        _IP_CACHE.clear()
    _IP_CACHE[value] = r
    return r


def int_to_ip(value):
    """'192.0.2.1' from a host-order uint32."""
    r = _STR_CACHE.get(value)
    if r is None:
        r = "%d.%d.%d.%d" % ((value >> 24) & 255, (value >> 16) & 255, (value >> 8) & 255, value & 255)
        if len(_STR_CACHE) >= _CACHE_MAX:
            _STR_CACHE.clear()
        _STR_CACHE[value] = r
    return r


def parse_port(port, what="port"):
    if port.__class__ is not int:
        if isinstance(port, bool) or not isinstance(port, int):
            raise TypeError("%s must be an int in 0..65535, not %s" % (what, type(port).__name__))
        port = int(port)
    if not 0 <= port <= 65535:
        raise InvalidArgument("%s %d outside 0..65535" % (what, port))
    return port


def parse_endpoint(ep, what="address"):
    """(addr, port) tuple -> (uint32, port)."""
    try:
        a, p = ep
    except (TypeError, ValueError):
        raise TypeError("%s must be an (address, port) tuple like ('192.0.2.1', 7), not %r" % (what, ep)) from None
    return ip_to_int(a, what), parse_port(p, what + " port")


def parse_prefix(text, prefix=None):
    """'192.0.2.2/24' -> (uint32, 24). `prefix` may be given separately instead."""
    if isinstance(text, str) and "/" in text:
        if prefix is not None:
            raise InvalidArgument("address %r already has a prefix length; do not pass prefix= too" % text)
        a, _, p = text.partition("/")
        try:
            prefix = int(p, 10)
        except ValueError:
            raise InvalidArgument("%r: prefix length %r is not a number (expected e.g. '192.0.2.2/24')"
                                  % (text, p)) from None
    else:
        a = text
        if prefix is None:
            raise InvalidArgument("address %r needs a prefix length, e.g. '192.0.2.2/24'" % (text,))
        if isinstance(prefix, bool) or not isinstance(prefix, int):
            raise TypeError("prefix must be an int, not %s" % type(prefix).__name__)
    if not 1 <= prefix <= 32:
        raise InvalidArgument("%r: prefix length %d outside 1..32" % (text, prefix))
    return ip_to_int(a, "address"), prefix


def parse_mac(mac):
    """'02:00:00:00:00:01' (or '-' separated, or 6 bytes) -> bytes(6)."""
    if isinstance(mac, (bytes, bytearray)):
        if len(mac) != 6:
            raise InvalidArgument("mac: %d bytes given, a MAC address has 6" % len(mac))
        return bytes(mac)
    if not isinstance(mac, str):
        raise TypeError("mac must be a string like '02:00:00:00:00:01' or 6 bytes, not %s" % type(mac).__name__)
    parts = mac.replace("-", ":").split(":")
    if len(parts) != 6 or any(len(p) != 2 for p in parts):
        raise InvalidArgument("mac %r is not a MAC address (expected 6 hex octets like '02:00:00:00:00:01')" % mac)
    if any(c not in _HEX for p in parts for c in p):
        raise InvalidArgument("mac %r is not a MAC address: non-hex octet (expected e.g. '02:00:00:00:00:01')"
                              % mac)
    return bytes(int(p, 16) for p in parts)


def format_mac(b):
    return ":".join("%02x" % x for x in b)
