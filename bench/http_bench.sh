#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# HTTP benchmark table: in-process requests/s, instructions per request under
# callgrind (difference of two run lengths, so setup cancels out), the request
# parser beside nodejs http-parser (libhttp-parser-dev) on the same requests,
# and RAM per connection. Usage: bench/http_bench.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}/bench/http_bench
[ -x "$B" ] || { echo "build http_bench first (cmake --build build --target http_bench)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind not installed" >&2; exit 1; }

ir() {   # total instructions of one run
  local out; out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$B" "$@" >/dev/null 2>&1
  callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}'
  rm -f "$out"
}
per() {  # instructions per unit: (Ir(n2) - Ir(n1)) / ((n2 - n1) * units)
  local mode=$1 n1=$2 n2=$3 units=$4; shift 4
  local a b; a=$(ir "$mode" "$n1" "$@"); b=$(ir "$mode" "$n2" "$@")
  echo $(( (b - a) / ((n2 - n1) * units) ))
}

echo "HTTP benchmark ($(uname -m), $(${CC:-cc} --version | head -1))"
"$B" rps 50000 | sed 's/^/  in-process keep-alive GET: /'
echo "  instructions per keep-alive GET (client + server + both TCP/IP stacks): $(per e2e 1000 3000 1)"
echo
printf "  %-44s %12s %12s\n" "request parse (instructions)" "seqs" "http-parser"
names=("wrk: GET, Host" "curl: GET, 3 fields" "browser: GET, 9 fields, 600 B" "POST with Content-Length")
for k in 0 1 2 3; do
  s=$(per parse-seqs 2000 6000 1 "$k")
  h=$(per parse-hp 2000 6000 1 "$k" 2>/dev/null || echo n/a)
  printf "  %-44s %12s %12s\n" "${names[$k]}" "$s" "$h"
done
echo
"$B" sizes | python3 -c '
import json, sys
s = json.load(sys.stdin)
print("  RAM: server %(sizeof_server)d B + per connection %(sizeof_sconn)d B of state + its buffer "
      "(e.g. 2048 B) + the TCP connection (its rx/tx buffers); client %(sizeof_client)d B + its buffer" % s)'
