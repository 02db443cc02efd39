#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The main demo: real Linux talks to seqs over a TAP device.
#
#   Linux (the kernel, in network namespace $NS)  192.0.2.1
#        |  TAP device: the kernel end is Linux's interface, the file end is seqs
#   seqs  (userspace, the seqs-tap process)        192.0.2.2, or an address by DHCP
#
# Linux pings seqs (plain and fragmented), round-trips UDP through its echo service
# and pushes 1 MiB through its TCP echo service (sha256 compared). When seqs-tap has
# --dhcp, seqs first gets its address from dnsmasq running on the Linux side;
# otherwise it uses the static 192.0.2.2. Every frame is kept in a pcap; the last line
# is the verdict. Each run uses a namespace of its own, so runs may overlap. Needs root.
# Usage: sudo bash tools/demo.sh      (SEQS_DEMO_OUT=DIR: where the pcap goes, default build/demo)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo: needs root (network namespace + TAP device)"; exit 1; }
verdict() { echo "demo: $*"; }
fail() { verdict "FAIL: $*"; exit 1; }

bash tools/install-deps.sh demo
log=$(mktemp)
printf 'building seqs-tap (log: %s) ... ' "$log"
mkdir -p build
# flock: two demos started together must not build into build/ at the same time
flock build/.demo.lock sh -c 'cmake -S . -B build -DPython3_EXECUTABLE=/usr/bin/python3 &&
  cmake --build build -j"$(nproc)" --target seqs-tap' >"$log" 2>&1 || { echo; tail -n 30 "$log"; fail "build"; }
echo done

NS=seqs-demo-$$-$RANDOM TAP=seqsdemo0
out_dir=${SEQS_DEMO_OUT:-build/demo}
mkdir -p "$out_dir"
pcap=$(cd "$out_dir" && pwd)/demo-$(date +%Y%m%d-%H%M%S)-$$.pcap
work=$(mktemp -d)
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; [ -n "${dpid:-}" ] && kill "$dpid" 2>/dev/null
  wait 2>/dev/null || true; ip netns del "$NS" 2>/dev/null || true; rm -rf "$work" "$log"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
ns() { ip netns exec "$NS" "$@"; }

dhcp=0
grep -q -- '--dhcp ' <<<"$(./build/tools/seqs-tap --help)" && command -v dnsmasq >/dev/null && dhcp=1
addr=(--ip 192.0.2.2/24); [ $dhcp = 1 ] && addr=(--dhcp)
echo "Linux: the kernel in network namespace $NS, 192.0.2.1 on $TAP"
echo "seqs:  the seqs-tap process (pid below) on the other end of $TAP, $( [ $dhcp = 1 ] &&
      echo "address by DHCP from dnsmasq on the Linux side" || echo "static address 192.0.2.2")"
if [ $dhcp = 1 ]; then   # dnsmasq first (--bind-dynamic: it picks up the TAP when seqs-tap creates it)
  ns dnsmasq --no-daemon --conf-file=/dev/null --user=root --port=0 --interface="$TAP" --bind-dynamic \
     --dhcp-range=192.0.2.50,192.0.2.59,255.255.255.0,2m --no-ping --dhcp-authoritative \
     --dhcp-leasefile="$work/leases" --pid-file="$work/dnsmasq.pid" >"$work/dnsmasq.log" 2>&1 &
  dpid=$!
fi
./build/tools/seqs-tap --tap "$TAP" --netns "$NS" --mac 02:00:00:00:00:02 "${addr[@]}" \
    --peer-ip 192.0.2.1/24 --udp-echo 7 --tcp-echo 7 --pcap "$pcap" --duration 120 \
    >"$work/seqs.out" 2>"$work/seqs.err" &
pid=$!
for _ in $(seq 100); do grep -q '^ready' "$work/seqs.out" && break; sleep 0.1; done
grep -q '^ready' "$work/seqs.out" || { cat "$work/seqs.err"; fail "seqs-tap did not start"; }
SEQS=192.0.2.2
if [ $dhcp = 1 ]; then
  for _ in $(seq 150); do grep -q '"state":"bound"' "$work/seqs.out" && break; sleep 0.1; done
  SEQS=$(grep -m1 '"state":"bound"' "$work/seqs.out" | sed -n 's/.*"addr":"\([0-9.]*\)\/.*/\1/p')
  [ -n "$SEQS" ] || { cat "$work/seqs.err" "$work/dnsmasq.log"; fail "seqs got no DHCP lease from dnsmasq"; }
  echo "--- seqs asked Linux's dnsmasq for an address: leased $SEQS ($(wc -l <"$work/leases") lease in dnsmasq's file)"
fi
echo "seqs-tap pid $pid is up at $SEQS"
before=$(ns nstat -az 2>/dev/null | awk '/InCsumErrors|InHdrErrors|TcpInErrs/ {s+=$2} END {print s+0}')

echo "--- Linux pings seqs: 10 small, then 3 of 4000 bytes (fragmented both ways)"
p1=$(ns ping -n -q -c 10 -i 0.05 -W 1 "$SEQS" | grep -o '[0-9]* received') || true
p2=$(ns ping -n -q -c 3 -i 0.1 -s 4000 -W 1 "$SEQS" | grep -o '[0-9]* received') || true
echo "    small: ${p1:-0 received} of 10;  4000 bytes: ${p2:-0 received} of 3"
[ "$p1" = "10 received" ] && [ "$p2" = "3 received" ] || fail "pings lost"
echo "--- Linux sends a UDP datagram to seqs's echo service (socat), seqs sends it back"
u=$(echo "hello from Linux" | ns socat -t 1 - "UDP:$SEQS:7")
echo "    Linux got back: $u"
[ "$u" = "hello from Linux" ] || fail "UDP echo"
echo "--- Linux pushes 1 MiB through seqs's TCP echo service (socat); sha256 of both directions"
head -c 1048576 /dev/urandom >"$work/blob"
sent=$(sha256sum <"$work/blob" | cut -d' ' -f1)
t0=$(date +%s%N)
echoed=$(ns socat -t 5 - "TCP:$SEQS:7" <"$work/blob" | sha256sum | cut -d' ' -f1)
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "    $sent  sent by Linux"; echo "    $echoed  echoed by seqs  ($ms ms)"
[ "$sent" = "$echoed" ] || fail "the TCP echo came back different"
after=$(ns nstat -az 2>/dev/null | awk '/InCsumErrors|InHdrErrors|TcpInErrs/ {s+=$2} END {print s+0}')
echo "--- Linux's error counters for what seqs sent (checksum, header, TCP): $((after - before))"
[ "$((after - before))" = 0 ] || fail "Linux counted errors in frames from seqs"
kill -INT $pid; wait $pid || true; pid=
echo "--- seqs's counters (non-zero)"
grep '^{"final"' "$work/seqs.out" | /usr/bin/python3 -c '
import json, sys
c = json.load(sys.stdin)
for k, v in c["counters"].items():
    if v: print(f"    {k:24} {v}")
print("    frames in the pcap:", c["tool"]["pcap_frames"])'
verdict "PASS: Linux pinged seqs at $SEQS$( [ $dhcp = 1 ] && echo " (leased by dnsmasq)"), echoed UDP and 1 MiB of TCP through it; every frame is in $pcap"
