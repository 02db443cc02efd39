#!/usr/bin/env bash
# The main demo: real Linux talks to a seqs stack over a TAP device.
# Builds seqs-tap, creates a network namespace "seqs-demo" holding the Linux
# peer (192.0.2.1/24) and a TAP device on which seqs answers at 192.0.2.2,
# then Linux pings it (plain and fragmented), round-trips UDP through its echo
# service and pushes 1 MiB through its TCP echo service (sha256 compared).
# Prints the stack's counters at the end. Needs root.
# Usage: sudo bash tools/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo: needs root (network namespace + TAP device)"; exit 1; }
bash tools/install-deps.sh demo
cmake -S . -B build -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build build -j"$(nproc)" --target seqs-tap

NS=seqs-demo TAP=seqsdemo0
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; ip netns del $NS 2>/dev/null || true; }
trap cleanup EXIT
ip netns del $NS 2>/dev/null || true
ip netns add $NS
ip -n $NS link set lo up

out=$(mktemp)
./build/tools/seqs-tap --tap $TAP --netns $NS --mac 02:00:00:00:00:02 --ip 192.0.2.2/24 \
    --udp-echo 7 --tcp-echo 7 --duration 60 >"$out" &
pid=$!
for _ in $(seq 50); do grep -q '^ready' "$out" && break; sleep 0.1; done
grep '^ready' "$out" || { cat "$out"; exit 1; }
ip netns exec $NS sysctl -qw net.ipv6.conf.$TAP.disable_ipv6=1 || true
ip -n $NS addr add 192.0.2.1/24 dev $TAP
ip -n $NS link set $TAP up

echo "--- Linux pings seqs (10 small, 3 fragmented 4000-byte)"
ip netns exec $NS ping -c 10 -i 0.05 -W 1 192.0.2.2 | tail -n 2
ip netns exec $NS ping -c 3 -i 0.1 -s 4000 -W 1 192.0.2.2 | tail -n 2
echo "--- UDP echo through seqs (socat)"
echo "hello from Linux" | ip netns exec $NS socat -t 1 - UDP:192.0.2.2:7
echo "--- 1 MiB through seqs's TCP echo (socat), sha256 of what went out and what came back"
blob=$(mktemp)
head -c 1048576 /dev/urandom >"$blob"
sent=$(sha256sum <"$blob" | cut -d' ' -f1)
echoed=$(ip netns exec $NS socat -t 5 - TCP:192.0.2.2:7 <"$blob" | sha256sum | cut -d' ' -f1)
rm -f "$blob"
echo "$sent  sent"; echo "$echoed  echoed"
[ "$sent" = "$echoed" ] || { echo "demo: TCP echo came back different"; exit 1; }
kill -INT $pid; wait $pid || true; pid=
echo "--- seqs counters (non-zero)"
tail -n 1 "$out" | /usr/bin/python3 -c 'import json,sys; c=json.load(sys.stdin); c=c.get("counters", c); print("\n".join(f"  {k:24} {v}" for k,v in c.items() if v))'
