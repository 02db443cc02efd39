# SPDX-License-Identifier: BSD-3-Clause
"""Top-level pytest configuration for seqs.

Finds the CMake-built Python module ($SEQS_BUILD_DIR/python, default <repo>/build/python),
loads its pytest plugin seqs.testing.plugin (fixtures wire/ipwire/stack/make_wire/linux_wire,
--seqs-artifacts, default here pytest/artifacts/) as an installed seqs would, puts pytest/
on sys.path (so `import harness` works), registers the markers, the
conformance report options (--conformance-report, --conformance-rows, --require; see
harness/report.py) and records each test's outcome on its item (item.rep_setup /
rep_call / rep_teardown) so fixtures can keep artifacts of failed tests."""
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BUILD_DIR = Path(os.environ.get("SEQS_BUILD_DIR", REPO / "build"))
sys.path.insert(0, str(BUILD_DIR / "python"))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # pytest/harness as `harness`

from harness import report as _conformance_report  # noqa: E402

# The plugin an installed seqs registers through its pytest11 entry point (same name,
# so pytest loads it once when both apply). Without the built module (a build with
# SEQS_BUILD_PYTHON=OFF) its fixtures skip, so the other suites still run.
try:
    import importlib.util
    importlib.util.find_spec("seqs.testing.plugin")   # imports seqs, not the plugin (pytest rewrites its asserts)
    pytest_plugins = ["seqs.testing.plugin"]
    _NO_SEQS = None
except ImportError as e:
    _NO_SEQS = f"seqs Python module not built in {BUILD_DIR / 'python'} (set SEQS_BUILD_DIR): {e}"

    def _skipping(fixture_name):
        @pytest.fixture(name=fixture_name)
        def fixture():
            pytest.skip(_NO_SEQS)
        return fixture

    wire, ipwire, make_wire, stack, linux_wire = map(_skipping, ("wire", "ipwire", "make_wire", "stack",
                                                                 "linux_wire"))


def pytest_addoption(parser):
    _conformance_report.addoption(parser)


def pytest_configure(config):
    if _NO_SEQS is None and config.getoption("--seqs-artifacts", default=None) is None:
        config.option.seqs_artifacts = str(REPO / "pytest" / "artifacts")   # the README's place
    config.addinivalue_line("markers", "conformance(row): proves a CONFORMANCE.md row, e.g. conformance('A5')")
    config.addinivalue_line("markers", "conformance_oracle(row): checks a conformance TEST of that row against "
                            "a reference implementation (Linux); reported separately, not as proof of seqs")
    config.addinivalue_line("markers", "root: needs root (network namespaces, TAP devices)")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")
    config.addinivalue_line("markers", "allow_skip: may skip even when SEQS_NO_SKIP=1")
    if not config.pluginmanager.has_plugin("seqs-conformance"):
        config.pluginmanager.register(_conformance_report.ConformancePlugin(config), "seqs-conformance")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With SEQS_NO_SKIP=1 (set by CI), a skipped test is a failure: CI machines
    are root and have every dependency, so a skip there means a part silently
    stopped being tested. Tests that may legitimately skip carry `allow_skip`.
    Also keeps each phase's report on the item (item.rep_setup/rep_call/rep_teardown)
    so fixtures can keep the pcap of a failed test."""
    outcome = yield
    rep = outcome.get_result()
    if (os.environ.get("SEQS_NO_SKIP") == "1" and rep.skipped and not hasattr(rep, "wasxfail")
            and not item.get_closest_marker("allow_skip")):
        rep.outcome = "failed"
        rep.longrepr = f"skipped, but SEQS_NO_SKIP=1 forbids skips: {rep.longrepr}"
    setattr(item, "rep_" + rep.when, rep)
