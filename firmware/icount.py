#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""icount: Cortex-M0+ instructions the firmware spends per frame, counted exactly under QEMU.

The image is built with FW_ICOUNT=ON: fw_main.c then calls empty marker functions
(fw_icount_mark1..5) around the work of each received frame, with interrupts masked:
  1 frame taken from the driver (and the clock read) -> seqs_stack_input() -> every app's poll -> 2
  3 -> seqs_stack_output() -> 4   (once per frame sent, plus the final call that returns 0;
                                   the board's clock is read before 3)
  5 every frame handed to the driver.
QEMU runs it with `-icount shift=0` (deterministic virtual time: one instruction = 1 ns),
`-singlestep` (one guest instruction per translation block) and `-d nochain` (no block
chaining), and around each measured frame the monitor switches `-d exec` on, so the log has
exactly one line per executed instruction. Counting lines between markers gives exact counts:
  stack = instructions between 1 and 2 (input + apps) + between every 3 and 4 (output pulls),
  total = everything from 1 to 5 (adds the main loop and the LAN9118 driver's TX FIFO writes).
(Marker bodies are excluded; a call into a marker costs 1-2 instructions in its caller.)

Frames come from scapy over QEMU's `-netdev dgram` socket pair, as in pytest/firmware.
Usage: icount.py [--elf build-icount/seqs-qemu-mps2.elf | --build-dir DIR] [--reps 5]
(without --elf it configures and builds the image into --build-dir first)."""
import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FW_MAC, FW_IP = "02:53:51:00:00:02", "192.0.2.2"
PEER_MAC, PEER_IP = "02:00:00:00:00:01", "192.0.2.1"
TRACE_RE = re.compile(rb"^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/[^\]]*\] ?(\S*)")


def build(bdir):
    subprocess.run(["cmake", "-S", str(REPO / "firmware" / "qemu-mps2"), "-B", str(bdir), "-DFW_ICOUNT=ON",
                    "-DFW_CTRL_PORT=9999", "-DFW_IP=192.0.2.2"], check=True, capture_output=True)
    subprocess.run(["cmake", "--build", str(bdir), "-j2"], check=True, capture_output=True)
    return bdir / "seqs-qemu-mps2.elf"


def symbols(elf):
    out = {}
    for line in subprocess.run(["arm-none-eabi-nm", "-S", str(elf)], check=True, capture_output=True,
                               text=True).stdout.splitlines():
        f = line.split()
        if len(f) == 4 and f[3].startswith("fw_icount_mark"):
            out[int(f[3][-1])] = (int(f[0], 16), int(f[0], 16) + int(f[1], 16))
    if len(out) != 5:
        sys.exit(f"{elf}: no fw_icount_mark1..5 (build it with -DFW_ICOUNT=ON)")
    return out


class Qemu:
    def __init__(self, elf):
        self.tmp = Path(tempfile.mkdtemp(prefix="seqs-icount-"))
        self.trace = self.tmp / "trace.log"
        self.uart = self.tmp / "uart.log"
        mon = self.tmp / "mon.sock"
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.bind(("127.0.0.1", 0))
        self.qport = probe.getsockname()[1]
        probe.close()
        cmd = ["qemu-system-arm", "-M", "mps2-an385", "-display", "none", "-serial", f"file:{self.uart}",
               "-monitor", f"unix:{mon},server=on,wait=off",
               "-semihosting-config", "enable=on,target=native", "-kernel", str(elf),
               "-append", f"ip={FW_IP}/24 gw={PEER_IP}",
               "-icount", "shift=0", "-singlestep", "-d", "nochain", "-D", str(self.trace),
               "-netdev", "dgram,id=n0,local.type=inet,local.host=127.0.0.1,"
               f"local.port={self.qport},remote.type=inet,remote.host=127.0.0.1,"
               f"remote.port={self.sock.getsockname()[1]}", "-net", "nic,netdev=n0,model=lan9118"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while b"ready" not in (self.uart.read_bytes() if self.uart.exists() else b""):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                sys.exit("the image did not boot")
            time.sleep(0.05)
        self.mon = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.mon.connect(str(mon))
        self._read_prompt()

    def _read_prompt(self):
        buf = b""
        self.mon.settimeout(5)
        while not buf.endswith(b"(qemu) "):
            buf += self.mon.recv(4096)
        return buf

    def hmp(self, cmd):
        self.mon.sendall(cmd.encode() + b"\n")
        return self._read_prompt()

    def send(self, frame):
        self.sock.sendto(bytes(frame), ("127.0.0.1", self.qport))

    def recv_until(self, match, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data, _ = self.sock.recvfrom(65536)
            except socket.timeout:
                break
            if match(data):
                return data
        return None

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def count(trace_bytes, marks, prof=None):
    """Per measured frame: (stack, total, frames sent) from one stretch of the exec log;
    prof (a dict) receives instructions per function of the stack part."""
    entry = {lo: n for n, (lo, _) in marks.items()}
    inside = [(lo, hi) for lo, hi in marks.values()]
    frames = []
    seg = None   # current segment: 'in' (1..2), 'loop' (2..3, 4..3, 4..5), 'out' (3..4)
    cur = None
    for line in trace_bytes.splitlines():
        m = TRACE_RE.match(line)
        if not m:
            continue
        pc = int(m.group(1), 16)
        n = entry.get(pc)
        if n is not None:
            if n == 1:
                cur = {"in": 0, "out": 0, "loop": 0, "pulls": 0}
                seg = "in"
            elif cur is not None:
                if n == 2:
                    seg = "loop"
                elif n == 3:
                    seg = "out"
                    cur["pulls"] += 1
                elif n == 4:
                    seg = "loop"
                elif n == 5:
                    frames.append(cur)
                    cur, seg = None, None
            continue
        if cur is None or any(lo <= pc < hi for lo, hi in inside):
            continue
        cur[seg] += 1
        if prof is not None and seg != "loop":
            fn = m.group(2).decode() or hex(pc)
            prof[fn] = prof.get(fn, 0) + 1
    return [(f["in"] + f["out"], f["in"] + f["out"] + f["loop"], f["pulls"] - 1) for f in frames]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--elf", type=Path)
    ap.add_argument("--build-dir", type=Path, default=Path("/tmp/seqs-icount-build"))
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--top", type=int, default=0, help="also print the N most expensive functions per frame")
    a = ap.parse_args(argv)
    from scapy.layers.inet import ICMP, IP, TCP, UDP
    from scapy.layers.l2 import ARP, Ether
    from scapy.packet import Raw

    elf = a.elf or build(a.build_dir)
    marks = symbols(elf)
    q = Qemu(elf)
    results = {}
    profiles = {}
    try:
        def eth(p, dst=FW_MAC):
            return Ether(src=PEER_MAC, dst=dst) / p

        def measure(name, frame, match):
            off = q.trace.stat().st_size
            q.hmp("log exec,nochain")
            q.send(frame)
            got = q.recv_until(match) if match else None
            time.sleep(0.3 if match is None else 0.1)
            q.hmp("log nochain")
            with open(q.trace, "rb") as f:
                f.seek(off)
                data = f.read()
            prof = {} if name not in profiles else None
            per = count(data, marks, prof)
            if prof is not None:
                profiles[name] = prof
            if len(per) != 1:
                raise SystemExit(f"{name}: expected one measured frame, trace shows {len(per)}")
            if match is not None and got is None:
                raise SystemExit(f"{name}: no reply")
            results.setdefault(name, []).append(per[0])
            return got

        def is_(layer, **kw):
            def m(f):
                e = Ether(f)
                return layer in e and all(getattr(e[layer], k) == v for k, v in kw.items())
            return m

        for _ in range(a.reps):
            measure("ARP request → reply", eth(ARP(op=1, hwsrc=PEER_MAC, psrc=PEER_IP, pdst=FW_IP),
                                               dst="ff:ff:ff:ff:ff:ff"), is_(ARP, op=2))
        for i in range(a.reps):
            measure("ICMP echo 56 B → reply", eth(IP(src=PEER_IP, dst=FW_IP) / ICMP(id=1, seq=i) / Raw(b"p" * 56)),
                    is_(ICMP, type=0))
        for i in range(a.reps):
            measure("UDP echo 64 B → reply", eth(IP(src=PEER_IP, dst=FW_IP) / UDP(sport=40000 + i, dport=7) /
                                                 Raw(b"u" * 64)), is_(UDP, sport=7))
        # TCP: one connection per repetition to the echo port.
        for i in range(a.reps):
            sport, seq = 41000 + i, 1000
            syn = eth(IP(src=PEER_IP, dst=FW_IP) / TCP(sport=sport, dport=7, flags="S", seq=seq, window=65535,
                                                         options=[("MSS", 1460)]))
            sa = Ether(measure("TCP SYN → SYN/ACK", syn, is_(TCP, flags="SA")))
            rseq = sa[TCP].seq + 1
            seq += 1
            measure("TCP handshake ACK (no reply)", eth(IP(src=PEER_IP, dst=FW_IP) /
                                                        TCP(sport=sport, dport=7, flags="A", seq=seq, ack=rseq,
                                                            window=65535)), None)
            data = bytes((j * 7) & 0xFF for j in range(1460))
            echo = Ether(measure("TCP 1460 B segment → echo app → data + ACK out",
                                 eth(IP(src=PEER_IP, dst=FW_IP) / TCP(sport=sport, dport=7, flags="PA", seq=seq,
                                                                      ack=rseq, window=65535) / Raw(data)),
                                 lambda f: TCP in Ether(f) and len(Ether(f)[TCP].payload) >= 1460))
            assert bytes(echo[TCP].payload)[:1460] == data
            seq += 1460
            rseq += 1460
            measure("TCP pure ACK of our data (no reply)", eth(IP(src=PEER_IP, dst=FW_IP) /
                                                               TCP(sport=sport, dport=7, flags="A", seq=seq,
                                                                   ack=rseq, window=65535)), None)
            q.send(eth(IP(src=PEER_IP, dst=FW_IP) / TCP(sport=sport, dport=7, flags="R", seq=seq)))
            time.sleep(0.05)
        # HTTP: one GET of the status page on a fresh connection to port 80.
        for i in range(a.reps):
            sport, seq = 42000 + i, 5000
            q.send(eth(IP(src=PEER_IP, dst=FW_IP) / TCP(sport=sport, dport=80, flags="S", seq=seq, window=65535,
                                                         options=[("MSS", 1460)])))
            sa = q.recv_until(lambda f: TCP in Ether(f) and Ether(f)[TCP].flags == "SA")
            if sa is None:
                raise SystemExit("HTTP: no SYN/ACK from port 80 (image built without FW_HTTP?)")
            rseq = Ether(sa)[TCP].seq + 1
            seq += 1
            q.send(eth(IP(src=PEER_IP, dst=FW_IP) / TCP(sport=sport, dport=80, flags="A", seq=seq, ack=rseq,
                                                         window=65535)))
            time.sleep(0.05)
            req = b"GET /status.json HTTP/1.1\r\nHost: fw\r\n\r\n"
            rep = Ether(measure("HTTP GET /status.json → 200 + JSON page",
                                eth(IP(src=PEER_IP, dst=FW_IP) / TCP(sport=sport, dport=80, flags="PA", seq=seq,
                                                                     ack=rseq, window=65535) / Raw(req)),
                                lambda f: TCP in Ether(f) and Ether(f)[TCP].sport == 80 and
                                len(Ether(f)[TCP].payload) > 0))
            assert bytes(rep[TCP].payload).startswith(b"HTTP/1.1 200")
            time.sleep(0.1)
            q.send(eth(IP(src=PEER_IP, dst=FW_IP) / TCP(sport=sport, dport=80, flags="R", seq=seq + len(req))))
            time.sleep(0.05)
    finally:
        q.close()
    print("| frame | stack (input + apps + output) | min..max | total incl. main loop + driver | frames out |")
    print("|---|---:|---:|---:|---:|")
    for name, rows in results.items():
        st = [r[0] for r in rows]
        tot = [r[1] for r in rows]
        print(f"| {name} | {int(statistics.median(st)):,} | {min(st):,}..{max(st):,} | "
              f"{int(statistics.median(tot)):,} | {rows[0][2]} |")
    print(f"\n{a.reps} repetitions each; image {elf}; QEMU -icount shift=0 -singlestep, exact instruction counts.")
    if a.top:
        for name, prof in profiles.items():
            top = sorted(prof.items(), key=lambda kv: -kv[1])[: a.top]
            print(f"\n{name} (first repetition): " + ", ".join(f"{fn} {n:,}" for fn, n in top))


if __name__ == "__main__":
    main()
