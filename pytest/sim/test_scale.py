# SPDX-License-Identifier: BSD-3-Clause
"""seqs-sim at scale (issue 13): stack profiles, honest queue accounting, address plans, one
pcapng for many nodes, progress, malformed values, plots, NetAnim, the scale benchmark, and
determinism of a 1000-node run.

Oracles besides seqs-sim's own numbers: the per-node classic pcaps (written by ns-3's
PcapFileWrapper) for the pcapng, frame conservation on the switch (every broadcast a host
sends is copied to every other port: copies = delivered + dropped), Wireshark's capinfos,
Python's XML parser for NetAnim, and PNG signatures."""
from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import re
import resource
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("SEQS_BUILD_DIR", REPO / "build"))
SIM = BUILD_DIR / "sim" / "seqs-sim"
SIM_DEFAULT = BUILD_DIR / "sim" / "seqs-sim-default"
SCENARIOS = REPO / "scenarios"
SCALE = REPO / "bench" / "sim_scale"

pytestmark = pytest.mark.skipif(not SIM.exists(), reason=f"seqs-sim not built ({SIM}); build with SEQS_BUILD_SIM=ON")


def sim_scale_module():
    loader = importlib.machinery.SourceFileLoader("sim_scale", str(SCALE))
    spec = importlib.util.spec_from_loader("sim_scale", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def run(args, timeout=300, env=None, preexec_fn=None):
    return subprocess.run([str(SIM)] + [str(a) for a in args], capture_output=True, text=True, timeout=timeout,
                          env=env, preexec_fn=preexec_fn)


def summary_of(tmp_path, scenario_text, *extra, name="s"):
    toml = tmp_path / f"{name}.toml"
    toml.write_text(scenario_text)
    out = tmp_path / f"{name}.json"
    p = run([toml, "--out", out, "--quiet", "--no-progress", *extra])
    assert p.returncode in (0, 1), p.stderr
    return json.loads(out.read_text()), p


def read_pcapng(path: Path):
    """(interface names, {name: [(ts_us, frame bytes)]}) — a reader of our own for the
    little-endian blocks seqs-sim writes (SHB, IDB with if_name, EPB)."""
    data = path.read_bytes()
    off, names, frames = 0, [], {}
    assert struct.unpack_from("<I", data, 0)[0] == 0x0A0D0D0A and struct.unpack_from("<I", data, 8)[0] == 0x1A2B3C4D
    while off < len(data):
        btype, blen = struct.unpack_from("<II", data, off)
        assert blen % 4 == 0 and struct.unpack_from("<I", data, off + blen - 4)[0] == blen
        body = data[off + 8:off + blen - 4]
        if btype == 1:
            assert struct.unpack_from("<H", body, 0)[0] == 1   # LINKTYPE_ETHERNET
            o, name = 8, None
            while o + 4 <= len(body):
                code, ln = struct.unpack_from("<HH", body, o)
                if code == 0:
                    break
                if code == 2:
                    name = body[o + 4:o + 4 + ln].decode()
                o += 4 + ((ln + 3) & ~3)
            names.append(name)
        elif btype == 6:
            ifid, hi, lo, cap, orig = struct.unpack_from("<IIIII", body, 0)
            assert cap == orig
            frames.setdefault(names[ifid], []).append(((hi << 32) | lo, body[20:20 + cap]))
        off += blen
    return names, frames


# --- stack profiles ---------------------------------------------------------------------

def test_compact_profile_stack_is_at_most_a_third_of_the_default(tmp_path):
    s, _ = summary_of(tmp_path, (SCENARIOS / "ping-pair.toml").read_text())
    assert s["stack_profile"] == "compact"
    d = tmp_path / "d.json"
    p = subprocess.run([str(SIM_DEFAULT), SCENARIOS / "ping-pair.toml", "--out", d, "--quiet"], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    full = json.loads(d.read_text())
    assert full["stack_profile"] == "default"
    assert s["stack_bytes"] <= 16 * 1024 and s["stack_bytes"] * 3 <= full["stack_bytes"]


def test_scenario_asking_for_the_default_profile_runs_on_seqs_sim_default(tmp_path):
    text = (SCENARIOS / "ping-frag.toml").read_text()
    assert 'profile = "default"' in text
    s, p = summary_of(tmp_path, text)
    assert p.returncode == 0, s["expectations"]
    assert s["stack_profile"] == "default" and s["stack_bytes"] > 30000


def test_unknown_profile_is_a_scenario_error(tmp_path):
    toml = tmp_path / "x.toml"
    toml.write_text((SCENARIOS / "ping-pair.toml").read_text().replace("[topology]", '[stack]\nprofile = "huge"\n\n[topology]', 1))
    p = run([toml, "--quiet"])
    assert p.returncode == 2 and "stack.profile (line" in p.stderr and "'huge'" in p.stderr


# --- address plans and malformed values ---------------------------------------------------

@pytest.mark.parametrize("ip, count, message", [
    ("198.51.100.1/24", 255, "255 addresses from 198.51.100.1 do not fit 198.51.100.0/24"),
    ("198.51.100.200/25", 60, "do not fit 198.51.100.128/25"),
    ("198.51.100.0/24", 2, "is the network or broadcast address"),
    ("198.51.100.255/24", 1, "is the network or broadcast address"),
    ("127.0.0.1/8", 2, "not a unicast host address"),
])
def test_address_plan_that_does_not_fit_its_prefix_fails_before_the_run(tmp_path, ip, count, message):
    toml = tmp_path / "plan.toml"
    toml.write_text(f'duration = "1s"\n[topology]\nkind = "switch"\n\n[[node]]\nname = "h{{}}"\ncount = {count}\n'
                    f'ip = "{ip}"\n')
    p = run([toml, "--quiet"], timeout=30)
    assert p.returncode == 2, p.stderr
    assert "node[0].ip (line 8)" in p.stderr and message in p.stderr


def test_a_plan_that_fits_a_short_prefix_runs_and_addresses_are_unique(tmp_path):
    s, p = summary_of(tmp_path, 'duration = "1s"\n[topology]\nkind = "switch"\n[[node]]\nname = "h{}"\ncount = 300\n'
                                'ip = "198.18.0.250/15"\n[[node]]\nname = "x"\nip = "198.18.3.1/15"\n'
                                '[[app]]\ntype = "icmp-ping"\non = "h1"\ntargets = ["h300"]\ncount = 1\n'
                                'interval = "10ms"\ntimeout = "200ms"\n')
    assert s["nodes"]["h300"]["ip"] == "198.18.2.37/15" and s["metrics"]["icmp-ping.received"] == 1
    toml = tmp_path / "dup.toml"
    toml.write_text('[topology]\nkind = "switch"\n[[node]]\nname = "h{}"\ncount = 300\nip = "198.18.0.250/15"\n'
                    '[[node]]\nname = "x"\nip = "198.18.2.36/15"\n')
    p = run([toml, "--quiet"], timeout=30)
    assert p.returncode == 2 and "already the address of 'h299'" in p.stderr


@pytest.mark.parametrize("edit, message", [
    (('duration = "18s"', 'duration = "1.5.3s"'), "duration (line {line}): bad time '1.5.3s'"),
    (('duration = "18s"', 'duration = "18 s"'), "duration (line {line}): bad time '18 s'"),
    (('duration = "18s"', 'duration = "-1s"'), "duration (line {line}): bad time '-1s'"),
    (('rate = "100Mbps"', 'rate = "100Mbsp"'), "link.rate (line {line}): bad rate '100Mbsp'"),
    (('rate = "100Mbps"', 'rate = "1.2.3Mbps"'), "link.rate (line {line}): bad rate '1.2.3Mbps'"),
    (('delay = "2ms"', 'delay = 2'), "link.delay (line {line}): must be a string"),
    (('interval = "50ms"', 'interval = "50"'), "app[0].interval (line {line}): bad time '50'"),
    (("size = 56", 'size = "56 bytes"'), "app[0].size (line {line}): bad size '56 bytes'"),
    (("size = 56", "size = 99999"), "app[0].size (line {line}): 99999 bytes is outside 0..65000"),
    (("loss = 0.10", 'loss = "ten"'), "link.loss (line {line}): must be a number"),
    (("count = 300", "count = 1.5"), "app[0].count (line {line}): must be an integer"),
    (('ip = "198.51.100.1/24"', 'ip = "198.51.100.1/24/3"'), "node[0].ip (line {line}): bad prefix length"),
])
def test_every_malformed_value_is_a_scenario_error_with_key_and_line(tmp_path, edit, message):
    text = (SCENARIOS / "ping-pair.toml").read_text()
    assert edit[0] in text
    # the line of the edited key in the file as it is (headers above it may move it)
    message = message.format(line=text[:text.index(edit[0])].count("\n") + 1)
    toml = tmp_path / "bad.toml"
    toml.write_text(text.replace(edit[0], edit[1], 1))
    p = run([toml, "--quiet"], timeout=30)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert message in p.stderr, p.stderr


# --- link accounting -----------------------------------------------------------------------

SWITCH_250 = """
duration = "1s"
[topology]
kind = "switch"
[link]
rate = "1Gbps"
delay = "100us"
{queue}
[[node]]
name = "h{{}}"
count = 250
ip = "198.18.0.1/15"
"""


def broadcast_conservation(frames_by_node, macs):
    """(broadcast frames the hosts sent, broadcast copies the hosts received)."""
    sent = received = 0
    for name, frames in frames_by_node.items():
        for _, f in frames:
            if f[0:6] != b"\xff" * 6:
                continue
            if f[6:12] == macs[name]:
                sent += 1
            else:
                received += 1
    return sent, received


def test_switch_queue_drops_of_broadcast_copies_are_counted_per_node_and_warned(tmp_path):
    s, p = summary_of(tmp_path, SWITCH_250.format(queue=""), "--pcapng", tmp_path / "a.pcapng")
    m = s["metrics"]
    assert m["link.dropped"] == 0   # no error model: every loss here is a queue
    assert m["link.queue_dropped"] > 1000 and m["link.queue_dropped_broadcast"] == m["link.queue_dropped"]
    per_node = sum(n["link"]["queue_dropped_own"] + n["link"]["queue_dropped_toward"] for n in s["nodes"].values())
    assert per_node == m["link.queue_dropped"]
    assert "warning:" in p.stderr and "broadcast frame copies" in p.stderr and "were dropped" in p.stderr
    # Conservation on the wire: each broadcast a host sent is copied to the 249 other ports;
    # a copy either reached its host (in the pcapng) or was counted as a queue drop.
    _, frames = read_pcapng(tmp_path / "a.pcapng")
    macs = {name: bytes.fromhex(n["mac"].replace(":", "")) for name, n in s["nodes"].items()}
    sent, received = broadcast_conservation(frames, macs)
    assert sent == 250   # in the first second, one gratuitous announcement per node
    assert sent * 249 == received + m["link.queue_dropped_broadcast"]


def test_a_larger_switch_queue_removes_the_drops_and_the_warning(tmp_path):
    s, p = summary_of(tmp_path, SWITCH_250.format(queue="queue = 600"))
    assert s["metrics"]["link.queue_dropped"] == 0 and "warning" not in p.stderr
    # every copy of the 250 announcements, plus each announcement arriving at the switch
    assert s["metrics"]["link.delivered"] == 250 * 249 + 250


# --- captures --------------------------------------------------------------------------------

def test_pcapng_holds_exactly_the_per_node_pcaps(tmp_path):
    from scapy.utils import RawPcapReader

    _, p = summary_of(tmp_path, (SCENARIOS / "ping-mesh.toml").read_text(), "--pcap-dir", tmp_path / "pc",
                      "--pcapng", tmp_path / "all.pcapng")
    names, frames = read_pcapng(tmp_path / "all.pcapng")
    assert len(names) == 50 and len(set(names)) == 50
    total = 0
    for f in sorted((tmp_path / "pc").glob("*.pcap")):
        ref = [(m.sec * 1_000_000 + m.usec, bytes(d)) for d, m in RawPcapReader(str(f))]
        assert frames.get(f.stem, []) == ref, f.stem
        total += len(ref)
    info = subprocess.run(["capinfos", "-c", "-M", str(tmp_path / "all.pcapng")], capture_output=True, text=True)
    assert info.returncode == 0 and re.search(rf"Number of packets:\s+{total}\b", info.stdout), info.stdout


def limit_files(n):
    def f():
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
    return f


def test_captures_of_many_nodes_work_under_a_small_descriptor_limit(tmp_path):
    scen = sim_scale_module().scenario(1200, "pairs", 2.0, 50, True)
    toml = tmp_path / "many.toml"
    toml.write_text(scen)
    # --pcap-dir needs a descriptor per node: refused before the run, with the way out.
    p = run([toml, "--quiet", "--pcap-dir", tmp_path / "pc"], preexec_fn=limit_files(1024))
    assert p.returncode == 2 and "ulimit -n" in p.stderr and "--pcapng" in p.stderr
    assert not any((tmp_path / "pc").glob("*.pcap")) if (tmp_path / "pc").exists() else True
    # --pcapng: one file, an interface per node.
    p = run([toml, "--quiet", "--no-progress", "--pcapng", tmp_path / "all.pcapng", "--out", tmp_path / "s.json"],
            preexec_fn=limit_files(1024))
    assert p.returncode == 0, p.stderr
    names, frames = read_pcapng(tmp_path / "all.pcapng")
    s = json.loads((tmp_path / "s.json").read_text())
    assert len(names) == 1200
    assert sum(len(v) for v in frames.values()) == s["metrics"]["adapter.frames_in"] + s["metrics"]["adapter.frames_out"]


def pcapng_hash(tmp_path, scen, seed, tag):
    out = tmp_path / f"{tag}.pcapng"
    p = run([scen, "--quiet", "--no-progress", "--seed", seed, "--pcapng", out])
    assert p.returncode == 0, p.stderr
    return hashlib.sha256(out.read_bytes()).hexdigest()


def test_thousand_nodes_same_seed_same_pcapng_hash(tmp_path):
    scen = tmp_path / "k.toml"
    scen.write_text(sim_scale_module().scenario(1000, "pairs", 2.0, 50, True).replace(
        '[link]\nrate = "1Gbps"', '[link]\nloss = 0.01\nrate = "1Gbps"'))
    a = pcapng_hash(tmp_path, scen, 3, "a")
    assert a == pcapng_hash(tmp_path, scen, 3, "b")
    assert a != pcapng_hash(tmp_path, scen, 4, "c")


# --- progress, plots, NetAnim ------------------------------------------------------------------

def test_progress_reports_simulated_time_event_rate_and_eta(tmp_path):
    env = dict(os.environ, SEQS_SIM_PROGRESS="0,0.05")
    p = run([SCENARIOS / "ping-scale.toml", "--quiet"], env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    lines = re.findall(r"seqs-sim: ([\d.]+) / 3\.00 s simulated \(\d+ %\), ([\d.]+)M events/s, ETA (\d+) s", p.stderr)
    assert len(lines) >= 2, p.stderr
    sim_times = [float(t) for t, _, _ in lines]
    assert sim_times == sorted(sim_times) and all(float(r) > 0 for _, r, _ in lines)
    assert re.search(r"seqs-sim: 3\.0 s simulated in [\d.]+ s wall", p.stderr)
    quiet = run([SCENARIOS / "ping-scale.toml", "--quiet", "--no-progress"], env=env, timeout=120)
    assert "simulated (" not in quiet.stderr


def test_plot_writes_png_time_series_that_agree_with_the_summary(tmp_path):
    s, p = summary_of(tmp_path, (SCENARIOS / "tcp-pair.toml").read_text(), "--plot", tmp_path / "plots")
    assert p.returncode == 0, p.stderr
    for png in ("frames.png", "nodes.png", "rtt.png", "goodput.png"):
        data = (tmp_path / "plots" / png).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10000, png
    series = json.loads((tmp_path / "plots" / "series.json").read_text())
    t, fin = series["t"], series["total"]["frames_in"]
    assert t == sorted(t) and fin == sorted(fin) and len(t) >= 100
    assert fin[-1] <= s["metrics"]["adapter.frames_in"] and fin[-1] >= 0.95 * s["metrics"]["adapter.frames_in"]
    # Goodput: both 1 MB transfers are acknowledged by the end of the series.
    assert series["flow_total"]["bytes"][-1] == 2 * 1_000_000


def test_netanim_trace_names_every_node_and_counts_its_frames(tmp_path):
    anim = tmp_path / "anim.xml"
    s, p = summary_of(tmp_path, (SCENARIOS / "ping-mesh.toml").read_text(), "--netanim", anim)
    root = ET.parse(anim).getroot()
    assert root.tag == "anim"
    nodes = root.findall("node")
    assert len(nodes) == 51   # 50 hosts and the switch
    descr = {n.get("id"): n.get("descr") for n in root.iter("nu") if n.get("p") == "d"}
    assert {descr[str(i)] for i in range(50)} == {f"h{i}" for i in range(1, 51)}
    counters = {c.get("n"): c.get("ncId") for c in root.findall("ncs")}
    last = {}
    for nc in root.findall("nc"):
        if nc.get("c") == counters["frames out"]:
            last[nc.get("i")] = float(nc.get("v"))
    h1 = s["nodes"]["h1"]["adapter"]["frames_out"]
    assert 0 < last["0"] <= h1


# --- the scale benchmark ------------------------------------------------------------------------

def test_sim_scale_smoke_runs_both_stacks_on_both_topologies(tmp_path):
    p = subprocess.run([sys.executable, str(SCALE), "--nodes", "100", "--runs", "1", "--duration", "2", "--check",
                        "--json", str(tmp_path / "r.json")], capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, SEQS_BUILD_DIR=str(BUILD_DIR)))
    assert p.returncode == 0, p.stderr
    assert re.search(r"^\| 100 \| \d+k \|", p.stdout, re.M), p.stdout
    r = json.loads((tmp_path / "r.json").read_text())["results"]
    for topo in ("pairs", "switch"):
        seqs, ns3 = r[f"{topo}/100"]["seqs"][0], r[f"{topo}/100"]["ns3"][0]
        assert seqs["replies"] == seqs["sent"] > 0
        # Both stacks sent and answered the same pings over the same links.
        assert ns3["replies"] == seqs["replies"]
