# SPDX-License-Identifier: BSD-3-Clause
"""pytest plugin of seqs (registered as the `pytest11` entry point `seqs.testing.plugin`,
so it is active wherever the seqs package is installed; `-p no:seqs.testing.plugin`
turns it off).

Fixtures
    wire        a SimWire: a seqs.Stack at 192.0.2.2/24 (gateway 192.0.2.1) on a virtual
                clock, its start-up traffic already settled (see below); the test is
                the peer 192.0.2.1 / 02:00:00:00:00:fe, which the stack does not know yet
    ipwire      the same, with the peer already in the stack's ARP cache (and who-has
                for it answered automatically from then on)
    stack       the seqs.Stack under `wire` (the same one: open sockets on it, then
                exchange frames through `wire`)
    make_wire   factory: make_wire(addr="192.0.2.2/24", gateway="192.0.2.1", probe=False,
                settle_s=10, **seqs_stack_kwargs) for other addresses or stack options
    linux_wire  the Linux kernel in a private network namespace behind a TAP device, in
                the stack's place (needs root): run a test against it to check that
                the test expects what a real stack does

Settling start-up traffic: a stack announces its new address with two gratuitous
ARPs, the second 2 s after the first (RFC 5227 2.3), and probes it first with
probe=True. `wire` lets 10 s of virtual time pass before the test starts, so
none of that lands in the middle of the test's exchange; with make_wire(settle_s=0)
call wire.settle() yourself (it returns the start-up frames, to assert on them).

Options
    --seqs-artifacts DIR   where the pcap of every wire of a failed test is kept
                           (default: a new temporary directory, printed at the end;
                           pcaps of passing tests are deleted)
    --seqs-wire sim|linux  the flavour of `wire`/`ipwire`/`stack`: `linux` runs the
                           same tests against the Linux kernel (root)
Marker
    @pytest.mark.seqs_stack(mtu=576, ...)   keyword arguments for the wire's seqs.Stack
    @pytest.mark.conformance("A5")          the checklist row a test proves"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

_PEER, _PEER_MAC = "192.0.2.1", "02:00:00:00:00:fe"   # = seqs.testing.wire.PEER/PEER_MAC


def pytest_addoption(parser):
    g = parser.getgroup("seqs", "seqs.testing (test a network stack by being its peer on the wire)")
    g.addoption("--seqs-artifacts", metavar="DIR", default=None,
                help="keep the pcap of each failed test's wires in DIR (default: a new temporary directory)")
    g.addoption("--seqs-wire", choices=("sim", "linux"), default="sim",
                help="flavour of the wire/ipwire/stack fixtures: sim = seqs.Stack on a virtual clock (default); "
                     "linux = the Linux kernel in a network namespace (root), to check the tests themselves")


def pytest_configure(config):
    config.addinivalue_line("markers", "conformance(row): proves a conformance-checklist row, e.g. conformance('A5')")
    config.addinivalue_line("markers", "seqs_stack(**kwargs): seqs.Stack keyword arguments for the wire fixture")
    config._seqs_artifacts = None      # resolved on first use (Path)
    config._seqs_kept = []             # pcaps kept for failed tests


def artifacts_dir(config) -> Path:
    """The directory for pcaps of failed tests (--seqs-artifacts, else a temporary one)."""
    d = getattr(config, "_seqs_artifacts", None)
    if d is None:
        opt = config.getoption("--seqs-artifacts", default=None)
        d = Path(opt) if opt else Path(tempfile.mkdtemp(prefix="seqs-artifacts-"))
        d.mkdir(parents=True, exist_ok=True)
        config._seqs_artifacts = d
    return d


def pcap_path(node, n: int = 0) -> str:
    """<artifacts>/<test name>[-n].pcap for the n-th wire of test item `node`."""
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", node.nodeid.split("::", 1)[-1])[:150]
    return str(artifacts_dir(node.config) / (base + (f"-{n}" if n else "") + ".pcap"))


def _failed(node) -> bool:
    rep = getattr(node, "rep_call", None)
    return rep is None or not rep.passed


def _close(node, wires):
    failed = _failed(node)
    for w in wires:
        w.close(keep_pcap=failed)
        if failed and w.pcap_path and os.path.exists(w.pcap_path):
            node.config._seqs_kept.append(w.pcap_path)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the item (item.rep_setup/rep_call/rep_teardown), so
    fixtures know at teardown whether the test failed."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    kept = getattr(config, "_seqs_kept", [])
    d = getattr(config, "_seqs_artifacts", None)
    if kept:
        terminalreporter.write_line(f"seqs: pcap of {len(kept)} failed wire(s) kept in {d}")
    elif d is not None and config.getoption("--seqs-artifacts", default=None) is None:
        shutil.rmtree(d, ignore_errors=True)   # our own temporary directory, empty


def _linux_wire(request, wires, addr, gateway):
    from . import kernelwire
    why = kernelwire.available()
    if why:
        pytest.skip(f"Linux reference wire: {why}")
    w = kernelwire.KernelWire(pcap_path=pcap_path(request.node, len(wires)), addr=addr, gateway=gateway)
    wires.append(w)
    return w


@pytest.fixture
def make_wire(request):
    """make_wire(addr="192.0.2.2/24", gateway="192.0.2.1", probe=False, settle_s=10, **stack_kwargs)."""
    wires = []
    marker = request.node.get_closest_marker("seqs_stack")
    defaults = dict(marker.kwargs) if marker else {}
    flavour = request.config.getoption("--seqs-wire", default="sim")

    def make(addr="192.0.2.2/24", gateway=_PEER, probe=False, settle_s=10, **stack_kwargs):
        kw = dict(defaults, **stack_kwargs)
        if flavour == "linux":
            if kw:
                pytest.skip(f"--seqs-wire=linux: stack options {sorted(kw)} have no Linux equivalent")
            return _linux_wire(request, wires, addr or "192.0.2.2/24", gateway)
        from .wire import SimWire
        w = SimWire(pcap_path=pcap_path(request.node, len(wires)), **kw)
        wires.append(w)
        if addr:
            w.configure(addr, gateway=gateway, probe=probe, settle_s=settle_s)
        return w

    yield make
    _close(request.node, wires)


@pytest.fixture
def wire(make_wire):
    return make_wire()


@pytest.fixture
def ipwire(make_wire):
    w = make_wire()
    w.resolve_peer(_PEER, _PEER_MAC)
    return w


@pytest.fixture
def stack(wire):
    """The stack under `wire` (seqs.Stack; with --seqs-wire=linux a stand-in offering
    Linux UDP sockets)."""
    return wire.stack


@pytest.fixture
def linux_wire(request):
    wires = []
    w = _linux_wire(request, wires, "192.0.2.2/24", _PEER)
    yield w
    _close(request.node, wires)
