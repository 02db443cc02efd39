"""Top-level pytest configuration for seqs.

Finds the CMake-built Python module ($SEQS_BUILD_DIR/python, default <repo>/build/python)
and registers the `conformance` marker that ties a test to a CONFORMANCE.md row."""
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUILD_DIR = Path(os.environ.get("SEQS_BUILD_DIR", REPO / "build"))
sys.path.insert(0, str(BUILD_DIR / "python"))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # pytest/harness as `harness`


def pytest_configure(config):
    config.addinivalue_line("markers", "conformance(row): proves a CONFORMANCE.md row, e.g. conformance('A5')")
    config.addinivalue_line("markers", "root: needs root (network namespaces, TAP devices)")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")
