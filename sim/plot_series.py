#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""sim/plot_series.py SERIES.json OUTDIR — PNG time series of a seqs-sim run (--plot DIR).

Writes into OUTDIR:
  frames.png   stack frames per second (in, out) and queue drops per second, all nodes
  nodes.png    frames per second of individual nodes (the first ones) and the min/median/max
               over every node
  rtt.png      per-flow RTT (ping: mean of the replies in each step; TCP: smoothed RTT) and
               lost pings per step
  goodput.png  per-flow goodput (bytes delivered end to end per second), and the total
Only the plots the run has data for are written; the file names are printed.
"""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def rate(t, cum):
    """Per-second rate between successive samples (plotted at the end of each step)."""
    return t[1:], [(b - a) / (t2 - t1) if t2 > t1 else 0.0 for a, b, t1, t2 in zip(cum, cum[1:], t, t[1:])]


def step_mean(sums, ns):
    out = []
    for a, b, na, nb in zip(sums, sums[1:], ns, ns[1:]):
        out.append((b - a) / (nb - na) / 1000.0 if nb > na else float("nan"))
    return out


def main():
    src, outdir = Path(sys.argv[1]), Path(sys.argv[2])
    d = json.loads(src.read_text())
    t = d["t"]
    title = f'{d.get("scenario", "")} (seed {d.get("seed", "")}, {d["node_count"]} nodes)'
    written = []
    if len(t) < 2:
        print("plot_series: fewer than two samples, nothing to plot", file=sys.stderr)
        return 1
    # Stop the time axis a little after the last frame (a scenario's duration often leaves
    # room for timeouts after the traffic ended).
    fin, fout = d["total"]["frames_in"], d["total"]["frames_out"]
    last = max((i for i in range(1, len(t)) if fin[i] != fin[i - 1] or fout[i] != fout[i - 1]), default=len(t) - 1)
    keep = min(len(t), last + 1 + max(2, last // 20))
    n = len(t)

    def cut(x):
        if isinstance(x, dict):
            return {k: cut(v) for k, v in x.items()}
        return x[:keep] if isinstance(x, list) and len(x) == n else x

    d = cut(d)
    t = d["t"]

    fig, ax = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    for key, label in (("frames_in", "frames in"), ("frames_out", "frames out")):
        x, y = rate(t, d["total"][key])
        ax[0].plot(x, y, label=label)
    ax[0].set_ylabel("stack frames / s")
    ax[0].legend()
    x, y = rate(t, d["total"]["queue_dropped"])
    ax[1].plot(x, y, color="tab:red")
    ax[1].set_ylabel("queue drops / s")
    ax[1].set_xlabel("simulated time (s)")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(outdir / "frames.png", dpi=100)
    written.append("frames.png")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(9, 4.5))
    nr = d["node_rate"]
    ax.fill_between(t[1:], nr["min"][1:], nr["max"][1:], alpha=0.2, label="min..max over all nodes")
    ax.plot(t[1:], nr["median"][1:], color="k", lw=1.5, label="median over all nodes")
    for name, cum in list(d["nodes"].items())[:8]:
        x, y = rate(t, cum)
        ax.plot(x, y, lw=0.8, label=name)
    ax.set_ylabel("frames in + out / s")
    ax.set_xlabel("simulated time (s)")
    ax.set_title(title)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(outdir / "nodes.png", dpi=100)
    written.append("nodes.png")
    plt.close(fig)

    flows = d["flows"]
    has_rtt = any(max(f["rtt_n"]) > 0 or max(f.get("srtt_us", [-1])) > 0 for f in flows.values())
    if flows and has_rtt:
        has_ping = max(d["flow_total"]["rtt_n"]) > 0
        fig, ax = plt.subplots(2 if has_ping else 1, 1, figsize=(9, 6 if has_ping else 4), sharex=True, squeeze=False)
        ax = ax[:, 0]
        for name, f in list(flows.items())[:12]:
            if max(f["rtt_n"]) > 0:
                ax[0].plot(t[1:], step_mean(f["rtt_sum_us"], f["rtt_n"]), lw=0.8, label=name)
            elif max(f.get("srtt_us", [-1])) > 0:
                ax[0].plot(t, [v / 1000.0 if v >= 0 else float("nan") for v in f["srtt_us"]], lw=0.8, label=name)
        tot = d["flow_total"]
        if max(tot["rtt_n"]) > 0:
            ax[0].plot(t[1:], step_mean(tot["rtt_sum_us"], tot["rtt_n"]), color="k", lw=1.5, label="all ping flows")
        ax[0].set_ylabel("RTT (ms)")
        ax[0].legend(fontsize=7, ncol=2)
        if has_ping:
            x, y = rate(t, tot["lost"])
            ax[1].plot(x, y, color="tab:red")
            ax[1].set_ylabel("pings lost / s (all flows)")
        ax[-1].set_xlabel("simulated time (s)")
        fig.suptitle(title)
        fig.tight_layout()
        fig.savefig(outdir / "rtt.png", dpi=100)
        written.append("rtt.png")
        plt.close(fig)

    if flows:
        fig, ax = plt.subplots(figsize=(9, 4.5))
        for name, f in list(flows.items())[:12]:
            x, y = rate(t, f["bytes"])
            ax.plot(x, [v * 8 / 1e6 for v in y], lw=0.8, label=name)
        x, y = rate(t, d["flow_total"]["bytes"])
        ax.plot(x, [v * 8 / 1e6 for v in y], color="k", lw=1.5, label="all flows")
        ax.set_ylabel("goodput (Mbit/s)")
        ax.set_xlabel("simulated time (s)")
        ax.set_title(title)
        ax.legend(fontsize=7, ncol=2)
        fig.tight_layout()
        fig.savefig(outdir / "goodput.png", dpi=100)
        written.append("goodput.png")
        plt.close(fig)

    for w in written:
        print(outdir / w)
    return 0


if __name__ == "__main__":
    sys.exit(main())
