# SPDX-License-Identifier: BSD-3-Clause
"""ns-3: M seqs HTTP clients fetch from one seqs HTTP server over lossy links
(scenarios/http-lossy.toml, sim/app_http.cc). The bodies are checked byte by byte by
the clients; here: every GET completed, keep-alive held (one connection per client),
the per-client completion time and goodput are reported, two runs with one seed give
identical pcaps, and the HTTP payload on the wire is parsed by scapy's HTTP layer."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("SEQS_BUILD_DIR", REPO / "build"))
SIM = BUILD_DIR / "sim" / "seqs-sim"
SCENARIO = REPO / "scenarios" / "http-lossy.toml"

pytestmark = pytest.mark.skipif(not SIM.exists(), reason=f"seqs-sim not built ({SIM}); build with SEQS_BUILD_SIM=ON")


def run(tmp: Path, tag: str):
    out, pcaps = tmp / f"{tag}.json", tmp / f"{tag}-pcap"
    pcaps.mkdir()
    p = subprocess.run([str(SIM), str(SCENARIO), "--out", str(out), "--quiet", "--pcap-dir", str(pcaps)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr + (out.read_text() if out.exists() else "")
    return json.loads(out.read_text()), pcaps


def test_http_clients_over_lossy_links_complete_with_keep_alive(tmp_path):
    sc = tomllib.loads(SCENARIO.read_text())
    get = next(a for a in sc["app"] if a["type"] == "http-get")
    srv_app = next(a for a in sc["app"] if a["type"] == "http-server")
    clients = next(n for n in sc["node"] if n["name"].startswith("c"))["count"]
    s, pcaps = run(tmp_path, "a")
    results = []
    for name, node in s["nodes"].items():
        for a in node.get("apps", []):
            if a.get("type") == "http-get":
                assert a["completed"] == get["repeat"] and a["failed"] == 0 and a["bad_bytes"] == 0, (name, a)
                assert a["bytes"] == get["repeat"] * srv_app["bytes"] and a["connects"] == 1, (name, a)
                results.append((name, a["completion_us"], a["goodput_bps"]))
            if a.get("type") == "http-server":
                assert a["requests"] == a["responses"] == clients * get["repeat"] and a["conn_errors"] == 0, a
    assert len(results) == clients
    assert s["metrics"]["link.dropped"] > 0     # the loss did hit
    print("\nSIM http-lossy per client (completion s, goodput Mbit/s): " +
          json.dumps({n: [round(c / 1e6, 3), round(g / 1e6, 2)] for n, c, g in sorted(results)}))
    s2, pcaps2 = run(tmp_path, "b")
    digest = lambda d: {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(d.glob("*.pcap"))}
    assert digest(pcaps) == digest(pcaps2)


def test_http_on_the_wire_parses_in_scapy(tmp_path):
    from scapy.layers.http import HTTPRequest, HTTPResponse
    from scapy.layers.inet import TCP
    from scapy.utils import rdpcap
    _, pcaps = run(tmp_path, "w")
    reqs = resps = 0
    for pkt in rdpcap(str(pcaps / "c1.pcap")):
        if TCP in pkt and pkt[TCP].dport == 80 and pkt.haslayer(HTTPRequest):
            r = pkt[HTTPRequest]
            assert r.Method == b"GET" and r.Path == b"/file" and r.Http_Version == b"HTTP/1.1" and r.Host
            reqs += 1
        if TCP in pkt and pkt[TCP].sport == 80 and pkt.haslayer(HTTPResponse):
            r = pkt[HTTPResponse]
            assert r.Status_Code == b"200" and r.Content_Length == b"200000"
            resps += 1
    assert reqs >= 3 and resps >= 3
