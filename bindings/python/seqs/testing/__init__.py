# SPDX-License-Identifier: BSD-3-Clause
"""seqs.testing: test a network stack by being its peer on the wire.

    from seqs.testing import SimWire, expect_one, US, PEER, PEER_MAC

A *Wire* feeds scapy-built frames to the stack under test, hands back what it
emitted (parsed by scapy, checked by an independent oracle), runs the stack's
timers on a virtual clock and records a pcap of everything. Flavours:

    SimWire      a seqs.Stack in this process, virtual time    (seqs.testing.wire)
    KernelWire   the Linux kernel in a network namespace behind a TAP device:
                 the reference that checks your TESTS (root)   (seqs.testing.kernelwire)
    TapWire      the seqs-tap program over a real TAP device   (seqs.testing.tapwire)

Modules: wire (Wire, SimWire, the documentation addresses), match (template
matching: match/mismatch/expect_one/expect_none/summarize), oracle (independent
checks of emitted frames), build (frame builders, also for malformed frames).

The pytest plugin (seqs.testing.plugin, loaded automatically once the package is
installed) gives the fixtures ``wire``, ``ipwire``, ``stack``, ``make_wire`` and
``linux_wire`` and the options ``--seqs-artifacts DIR`` and ``--seqs-wire sim|linux``.
See docs/first-conformance-test.md.

Names are imported lazily, so importing this package (and the plugin) does not
need scapy until a wire is used."""
import importlib as _importlib

_EXPORTS = {
    "match": ("match", "mismatch", "expect_one", "expect_none", "summarize"),
    "wire": ("Wire", "SimWire", "US", "US_MAC", "PEER", "PEER_MAC", "OTHER", "OTHER_MAC", "REMOTE",
             "SUBNET_BCAST", "BCAST_MAC", "PREFIX"),
}
_WHERE = {name: mod for mod, names in _EXPORTS.items() for name in names}
_SUBMODULES = ("wire", "match", "oracle", "build", "kernelwire", "tapwire", "plugin")

__all__ = sorted(_WHERE) + ["oracle"]


def __getattr__(name):
    if name in _WHERE:
        return getattr(_importlib.import_module("." + _WHERE[name], __name__), name)
    if name in _SUBMODULES:
        return _importlib.import_module("." + name, __name__)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


def __dir__():
    return sorted(set(globals()) | set(_WHERE) | set(_SUBMODULES))
