# SPDX-License-Identifier: BSD-3-Clause
"""Two seqs stacks in one process through a seeded impairment pump (Python side),
and the C goodput grid (bench/tcp_bench --check bench/tcp_goodput.txt)."""
import os
import random
import subprocess
from pathlib import Path

import pytest

seqs = pytest.importorskip("seqs")

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("SEQS_BUILD_DIR", REPO / "build"))


class Link:
    """Both directions: delay, seeded loss/duplication/reordering."""

    def __init__(self, seed, loss=0.0, dup=0.0, reorder=0.0, delay_us=2000):
        self.rng = random.Random(seed)
        self.loss, self.dup, self.reorder, self.delay = loss, dup, reorder, delay_us
        self.q = []   # (t, seq, dst_index, frame)
        self.n = 0

    def push(self, t, dst, frame):
        if self.rng.random() < self.loss:
            return
        copies = 2 if self.rng.random() < self.dup else 1
        for k in range(copies):
            at = t + self.delay + k * 10 + (3000 if self.rng.random() < self.reorder else 0)
            self.n += 1
            self.q.append((at, self.n, dst, frame))


def transfer(nbytes, seed, **impair):
    a = seqs.Stack(mac="02:00:00:00:00:0a", seed=seed, gratuitous=False)
    b = seqs.Stack(mac="02:00:00:00:00:0b", seed=seed + 1, gratuitous=False)
    a.set_addr("192.0.2.1/24")
    b.set_addr("192.0.2.2/24")
    stacks = [a, b]
    link = Link(seed, **impair)
    lst = b.tcp_listen(80, rxbuf=16384, txbuf=16384)
    ca = a.tcp_connect("192.0.2.2", 80, rxbuf=16384, txbuf=16384)
    cb = None
    rnd = random.Random(seed * 31)
    data = [bytes(rnd.getrandbits(8) for _ in range(nbytes)) for _ in range(2)]
    sent, got = [0, 0], [bytearray(), bytearray()]
    t = 1000
    for _ in range(200_000):
        if cb is None:
            cb = lst.accept()
        for side, c in enumerate((ca, cb)):
            if c is None:
                continue
            if sent[side] < nbytes:
                sent[side] += c.write(data[side][sent[side]:sent[side] + 8192])
            d = c.read()
            while d:
                got[1 - side] += d
                d = c.read()
        if len(got[0]) == nbytes and len(got[1]) == nbytes:
            break
        for i, st in enumerate(stacks):
            for f in st.output_all(t):
                link.push(t, 1 - i, f)
        nxt = [x for x in (a.next_deadline(), b.next_deadline()) if x is not None]
        nxt += [min(link.q)[0]] if link.q else []
        t = max(t, min(nxt)) if nxt else t + 1000
        due = sorted(x for x in link.q if x[0] <= t)
        link.q = [x for x in link.q if x[0] > t]
        for _, _, dst, f in due:
            stacks[dst].input(f, t)
        a.poll(t)
        b.poll(t)
    return data, got, t, ca, cb


@pytest.mark.parametrize("impair", [dict(), dict(loss=0.05), dict(loss=0.02, dup=0.05, reorder=0.05)],
                         ids=["clean", "loss5", "mixed"])
def test_python_pump_delivers_every_byte_exactly_once(impair):
    data, got, t, ca, cb = transfer(48 * 1024, seed=3, **impair)
    assert bytes(got[0]) == data[0]
    assert bytes(got[1]) == data[1]
    ia = ca.info()
    assert ia["bytes_in"] == len(data[1])


def test_goodput_grid_matches_the_kept_table():
    """bench/tcp_goodput.txt is the kept result; a failing cell or a goodput drop > 20 % fails."""
    exe = BUILD / "bench" / "tcp_bench"
    if not exe.exists():
        pytest.skip("bench/tcp_bench not built in %s" % BUILD)
    r = subprocess.run([str(exe), "--check", str(REPO / "bench" / "tcp_goodput.txt")], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_synflood_bench():
    exe = BUILD / "bench" / "tcp_bench"
    if not exe.exists():
        pytest.skip("bench/tcp_bench not built in %s" % BUILD)
    r = subprocess.run([str(exe), "--synflood", "10000"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "synflood ok" in r.stdout, r.stdout + r.stderr
