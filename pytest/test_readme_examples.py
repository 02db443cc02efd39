# SPDX-License-Identifier: BSD-3-Clause
"""The README's examples run as written (docs/examples/), so the README stays true."""
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUILD_DIR = Path(os.environ.get("SEQS_BUILD_DIR", REPO / "build"))


def test_python_flow_example_answers_ping():
    env = dict(os.environ, PYTHONPATH=str(BUILD_DIR / "python"))
    out = subprocess.run([sys.executable, str(REPO / "docs/examples/flow.py")], env=env,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert "echo-reply" in out
    assert "'icmp_tx_echo_reply': 1" in out


def test_c_flow_example_delivers_datagram():
    exe = BUILD_DIR / "docs/examples/example_flow"
    out = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60, check=True).stdout
    assert 'bob got "hello"' in out


def test_c_dhcp_example_gets_lease():
    exe = BUILD_DIR / "docs/examples/example_dhcp_flow"
    out = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60, check=True).stdout
    assert "got offer: 192.0.2.69/24 router 192.0.2.1 lease 3600 s" in out and "(bound)" in out


def test_python_dhcp_example_gets_lease():
    env = dict(os.environ, PYTHONPATH=str(BUILD_DIR / "python"))
    out = subprocess.run([sys.executable, str(REPO / "docs/examples/dhcp_flow.py")], env=env,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert "got offer: 192.0.2.69 DhcpLease(addr='192.0.2.69', prefix_len=24" in out
    assert "('192.0.2.69', 24, '192.0.2.1')" in out
