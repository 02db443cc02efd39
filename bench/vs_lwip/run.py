#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""seqs vs lwIP side by side: instructions per op under callgrind (exact) and
interleaved wall-clock medians.

    /usr/bin/python3 bench/vs_lwip/run.py [--build-dir build] [--smoke] [--no-time]

Needs the vs_lwip and vs_lwip_conns binaries (cmake --build build --target
vs_lwip vs_lwip_conns) and valgrind. Instruction counts come from callgrind
dumps taken by the binary around the stack's part of each op only (frame
building and reply checks are outside); the calibration loop's cost is
subtracted. --smoke: fewer ops and no timing (what CI runs, well under a minute).
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

CASES = [
    ("arp", "ARP request -> reply"),
    ("icmp", "ICMP echo 56 B"),
    ("udp", "UDP echo 64 B"),
    ("handshake", "TCP handshake (SYN, SYN-ACK, ACK, accept)"),
    ("tcpdata", "TCP 1460 B segment in, read, delayed ACK"),
    ("bulk", "TCP bulk, per 1460 B (both ends, one core)"),
]
CONNS = [1, 8, 128, 255]


def callgrind(binary, case, ops, conns=0):
    """Returns {"seqs": Ir/op, "lwIP": Ir/op} for one case."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        cmd = ["valgrind", "--tool=callgrind", "--collect-atstart=no", "--callgrind-out-file=" + out,
               binary, case, "--ops", str(ops)]
        if conns:
            cmd += ["--conns", str(conns)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            sys.exit(f"vs_lwip {case} failed under callgrind:\n{p.stderr[-3000:]}")
        info = json.loads(p.stdout.strip().splitlines()[-1])
        totals = {}
        for f in glob.glob(out + "*"):
            text = open(f).read()
            m = re.search(r"^desc: Trigger: Client Request: (.*)$", text, re.M)
            t = re.search(r"^(?:totals|summary): (\d+)", text, re.M)
            if m and t:
                totals[m.group(1).strip()] = int(t.group(1))
    res = {}
    for side in ("seqs", "lwIP"):
        full, empty = totals[f"{case} {side}"], totals[f"{case} {side} empty"]
        res[side] = (full - empty) / info["ops"] / info["units_per_op"]
    return res


def timed(binary, case, ops, rounds, conns=0):
    cmd = [binary, case, "--mode", "time", "--ops", str(ops), "--rounds", str(rounds)]
    if conns:
        cmd += ["--conns", str(conns)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        sys.exit(f"vs_lwip {case} --mode time failed:\n{p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default=os.environ.get("SEQS_BUILD_DIR", "build"))
    ap.add_argument("--smoke", action="store_true", help="few ops, no timing (CI)")
    ap.add_argument("--no-time", action="store_true", help="instruction counts only")
    ap.add_argument("--json", help="also write the results here")
    a = ap.parse_args()
    d = os.path.join(a.build_dir, "bench", "vs_lwip")
    vs, vsc = os.path.join(d, "vs_lwip"), os.path.join(d, "vs_lwip_conns")
    for b in (vs, vsc):
        if not os.access(b, os.X_OK):
            sys.exit(f"{b} missing: cmake --build {a.build_dir} --target vs_lwip vs_lwip_conns")
    if not shutil.which("valgrind"):
        sys.exit("valgrind not found (apt-get install valgrind; tools/install-deps.sh lists it)")
    ops = 100 if a.smoke else 2000
    do_time = not (a.smoke or a.no_time)
    results = {"cases": [], "conns": []}

    print("| case | lwIP Ir/op | seqs Ir/op | seqs/lwIP |" + (" lwIP ns/op | seqs ns/op | ratio |" if do_time else ""))
    print("|---|--:|--:|--:|" + ("--:|--:|--:|" if do_time else ""))
    for case, title in CASES:
        n = 1 if case == "bulk" and a.smoke else (4 if case == "bulk" else ops)
        ir = callgrind(vs, case, n)
        row = {"case": case, "lwip_ir": ir["lwIP"], "seqs_ir": ir["seqs"], "ratio_ir": ir["seqs"] / ir["lwIP"]}
        line = f"| {title} | {ir['lwIP']:.0f} | {ir['seqs']:.0f} | {row['ratio_ir']:.2f} |"
        if do_time:
            t = timed(vs, case, 2 if case == "bulk" else 5000, 21)
            row.update(lwip_ns=t["lwip_ns"], seqs_ns=t["seqs_ns"], ratio_ns=t["ratio"])
            line += f" {t['lwip_ns']:.0f} | {t['seqs_ns']:.0f} | {t['ratio']:.2f} |"
        results["cases"].append(row)
        print(line, flush=True)

    print()
    print("Per-frame cost with N TCP connections open (Ir/op; tcpdata: the measured connection + N-1 idle ones)")
    print()
    print("| connections | ICMP echo lwIP | ICMP echo seqs | TCP segment lwIP | TCP segment seqs |")
    print("|--:|--:|--:|--:|--:|")
    conns = [1, 255] if a.smoke else CONNS
    for c in conns:
        i = callgrind(vsc, "icmp", ops // 2, c)
        t = callgrind(vsc, "tcpdata", ops // 2, c)
        results["conns"].append({"conns": c, "icmp": i, "tcpdata": t})
        print(f"| {c} | {i['lwIP']:.0f} | {i['seqs']:.0f} | {t['lwIP']:.0f} | {t['seqs']:.0f} |", flush=True)
    first, last = results["conns"][0], results["conns"][-1]
    for k in ("icmp", "tcpdata"):
        g = last[k]["seqs"] / first[k]["seqs"] - 1
        print(f"seqs {k}: {last['conns']} connections cost {g * 100:+.1f} % over {first['conns']}")
    # tcp_bench --perf: two seqs stacks, A -> B, the README's bulk figure.
    tb = os.path.join(a.build_dir, "bench", "tcp_bench")
    if os.access(tb, os.X_OK):
        mib = 2 if a.smoke else 8
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "cg.out")
            p = subprocess.run(["valgrind", "--tool=callgrind", "--collect-atstart=no", "--callgrind-out-file=" + out,
                                tb, "--perf", str(mib)], capture_output=True, text=True, timeout=600)
            ir = int(re.search(r"^(?:totals|summary): (\d+)", open(out).read(), re.M).group(1))
        segs = int(re.search(r"\((\d+) data segments", p.stdout).group(1))
        results["tcp_bench_ir_per_segment"] = ir / segs
        line = f"tcp_bench --perf: {ir / segs:.0f} Ir per data segment (callgrind, {mib} MiB, both stacks)"
        if do_time:
            q = subprocess.run([tb, "--perf"], capture_output=True, text=True, timeout=600)
            m = re.search(r"throughput[^:]*: ([\d.]+) MiB/s", q.stdout)
            results["tcp_bench_mib_s"] = float(m.group(1))
            line += f"; {float(m.group(1)) / 1024:.2f} GiB/s wall clock (64 MiB)"
        print(line)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
