# SPDX-License-Identifier: BSD-3-Clause
"""seqs: Python API of the seqs userspace TCP/IP stack.

    import seqs
    st = seqs.Stack(mac="02:00:00:00:00:01")
    st.set_addr("192.0.2.2/24", gateway="192.0.2.1")
    st.input(frame_bytes, now_us)
    for frame in st.output_all(now_us): ...

Low-level access: `seqs.seqs_c` is the SWIG module over the C API (functions take
`stack._s`, return raw seqs_err_t codes); `seqs.errors.check(rc)` raises for them."""

import importlib.util as _ilu

from . import seqs_c
from .errors import *  # noqa: F401,F403
from .errors import __all__ as _errors_all
from .errors import check, error_for
from .stack import COUNTER_NAMES, EchoReply, Stack
from .udp import Datagram, UdpSocket
from .pcap import LINKTYPE_ETHERNET, PcapReader, PcapWriter, read_pcap
from .clock import VirtualClock
from .addr import int_to_ip, ip_to_int, parse_mac, format_mac
__version__ = seqs_c.SEQS_VERSION_STRING   # the VERSION file, via CMake's <seqs/version.h>
from .dhcp import DhcpClient, DhcpLease, DHCP_COUNTER_NAMES, DHCP_CLIENT_SIZE  # noqa: F401 (DHCP client)
from .dns import Resolver, DnsLookup, DnsResult, SntpClient  # noqa: F401  DNS stub resolver, SNTP client

# Compile-time limits of seqs/opts.h (as compiled into this module).
MAX_MTU = seqs_c.LIMIT_MAX_MTU
MIN_MTU = seqs_c.LIMIT_MIN_MTU
MAX_FRAME = seqs_c.LIMIT_MAX_FRAME
ARP_CACHE_SIZE = seqs_c.LIMIT_ARP_CACHE_SIZE
ARP_QUEUE_BYTES = seqs_c.LIMIT_ARP_QUEUE_BYTES
ARP_MAX_AGE_S = seqs_c.LIMIT_ARP_MAX_AGE_S
ARP_MAX_TRIES = seqs_c.LIMIT_ARP_MAX_TRIES
REASM_SLOTS = seqs_c.LIMIT_REASM_SLOTS
REASM_MAX_BYTES = seqs_c.LIMIT_REASM_MAX_BYTES
REASM_TIMEOUT_S = seqs_c.LIMIT_REASM_TIMEOUT_S
TXQ_BYTES = seqs_c.LIMIT_TXQ_BYTES
MAX_MCAST_GROUPS = seqs_c.LIMIT_MAX_MCAST_GROUPS
MAX_UDP_SOCKETS = seqs_c.LIMIT_MAX_UDP_SOCKETS
MAX_TCP_LISTENERS = seqs_c.LIMIT_MAX_TCP_LISTENERS
MAX_TCP_CONNS = seqs_c.LIMIT_MAX_TCP_CONNS
ICMP_ERR_BURST = seqs_c.LIMIT_ICMP_ERR_BURST
ICMP_ERR_INTERVAL_MS = seqs_c.LIMIT_ICMP_ERR_INTERVAL_MS
EPHEMERAL_LO = seqs_c.LIMIT_EPHEMERAL_LO
EPHEMERAL_HI = seqs_c.LIMIT_EPHEMERAL_HI
COUNTER_COUNT = seqs_c.COUNTER_COUNT
STACK_SIZE = seqs_c.seqs_py_stack_size()   # sizeof(seqs_stack_t)
DEFAULTS = dict(seqs_c.seqs_py_config_default())   # seqs_config_default() values


def strerror(code):
    """seqs_strerror(code)."""
    return seqs_c.seqs_strerror(code)


__all__ = (["Stack", "EchoReply", "UdpSocket", "Datagram", "PcapWriter", "PcapReader", "read_pcap", "VirtualClock",
            "LINKTYPE_ETHERNET", "COUNTER_NAMES", "strerror", "check", "error_for", "seqs_c",
            "int_to_ip", "ip_to_int", "parse_mac", "format_mac", "DEFAULTS", "STACK_SIZE",
            "MAX_MTU", "MIN_MTU", "MAX_FRAME", "ARP_CACHE_SIZE", "ARP_QUEUE_BYTES", "ARP_MAX_AGE_S",
            "ARP_MAX_TRIES", "REASM_SLOTS", "REASM_MAX_BYTES", "REASM_TIMEOUT_S", "TXQ_BYTES",
            "MAX_MCAST_GROUPS", "MAX_UDP_SOCKETS", "MAX_TCP_LISTENERS", "MAX_TCP_CONNS",
            "ICMP_ERR_BURST", "ICMP_ERR_INTERVAL_MS", "EPHEMERAL_LO", "EPHEMERAL_HI", "COUNTER_COUNT"]
           + list(_errors_all))

from .dhcp_server import DhcpServer, DHCPS_LEASE_ENTRY_SIZE, DHCPS_SERVER_SIZE; __all__ += ["DhcpServer", "DHCPS_LEASE_ENTRY_SIZE", "DHCPS_SERVER_SIZE"]  # noqa: E402,E702

# TCP: the TCP implementer's pure-Python layer, when present (bindings/python/seqs/tcp.py).
# Imported unconditionally when the file exists, so an error in it is reported, not hidden.
if _ilu.find_spec(__name__ + ".tcp") is not None:
    from . import tcp  # noqa: E402
    __all__.append("tcp")
    for _name in getattr(tcp, "__all__", ()):
        globals()[_name] = getattr(tcp, _name)
        __all__.append(_name)

# HTTP/1.1 server and client (bindings/python/seqs/http.py).
from .http import *  # noqa: F401,F403,E402
from .http import __all__ as _http_all  # noqa: E402
__all__ += list(_http_all)
