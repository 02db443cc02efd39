# SPDX-License-Identifier: BSD-3-Clause
"""ns-3: seqs DNS resolvers and SNTP clients over lossy links (scenarios/dns-sntp-lossy.toml,
apps in sim/app_dns_sntp.cc). The expected values are derived here from the scenario file:
the name's address and TTL, each client's path asymmetry (hold_step x the last octet of its
address) and so its exact offset error -asymmetry/2 (RFC 4330 5), the server's clock across
the 2036 NTP era wrap."""
import ipaddress
import json
import os
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("SEQS_BUILD_DIR", REPO / "build"))
SIM = BUILD_DIR / "sim" / "seqs-sim"
SCENARIO = REPO / "scenarios" / "dns-sntp-lossy.toml"

pytestmark = pytest.mark.skipif(not SIM.exists(), reason=f"seqs-sim not built ({SIM}); build with SEQS_BUILD_SIM=ON")


def _ms(s):
    assert s.endswith("ms")
    return int(float(s[:-2]) * 1000)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_clients_resolve_and_measure_offset_error_of_minus_half_the_asymmetry(tmp_path, seed):
    sc = tomllib.loads(SCENARIO.read_text())
    srv = next(a for a in sc["app"] if a["type"] == "dns-ntp-server")
    hold_step_us = _ms(srv["hold_step"])
    out = tmp_path / "s.json"
    p = subprocess.run([str(SIM), str(SCENARIO), "--out", str(out), "--quiet", "--seed", str(seed)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    s = json.loads(out.read_text())
    clients = {name: n for name, n in s["nodes"].items() if name.startswith("c")}
    assert len(clients) == 8
    synced = 0
    table = []
    for name, n in sorted(clients.items()):
        app = next(a for a in n["apps"] if a["type"] == "dns-sntp-client")
        d, t = app["dns"], app["ntp"]
        if d["status"] == "ok":
            assert (d["addr"], d["ttl"]) == (srv["addr"], srv["ttl"])
        # the scenario's asymmetry for this client: hold_step x the last octet of its address
        asym = -hold_step_us * (int(ipaddress.ip_address(n["ip"].split("/")[0])) & 0xFF)
        assert t["path_asymmetry_us"] == asym
        if t["samples"]:
            synced += 1
            # RFC 4330 5: error = (d_up - d_down) / 2 = asym / 2, to the 1 µs rounding
            for key in ("offset_error_us", "offset_error_min_us", "offset_error_max_us"):
                assert abs(t[key] - asym / 2) <= 1, (name, t)
            table.append((name, asym, t["offset_error_us"], t["samples"], t["timeouts"]))
        assert t["replies"] + t["timeouts"] <= t["requests"] and t["requests"] >= 8   # polled all along
    assert synced == 8
    print("\nSIM dns-sntp seed %d: (node, asymmetry_us, offset_error_us, samples, timeouts) %s"
          % (seed, json.dumps(table)))
