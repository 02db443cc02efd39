#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Installs seqs from this tree the way a user would, into a temporary prefix and a
# virtual environment, and uses it from outside the tree:
#   C       cmake --install -> a small program (docs/examples/consumer) built against the
#           prefix with find_package(seqs) and with pkg-config, and built again with the
#           sources added by add_subdirectory (which must build the library only)
#   Python  pip install --no-build-isolation . into a --system-site-packages venv (what
#           Debian 12 has: no PyPI), import seqs elsewhere, run the README's Python flow
#   pytest  the test file of docs/first-conformance-test.md, extracted from the page,
#           run in a folder of its own with the installed plugin (and against Linux as
#           root); a failing test leaves its pcap in --seqs-artifacts, nothing elsewhere
# Usage: bash tools/check-install.sh   (tools/test-all.sh runs it)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
version=$(head -n 1 "$repo/VERSION")
work=$(mktemp -d /tmp/seqs-check-install.XXXXXX)
trap 'rm -rf "$work"' EXIT
t0=$(date +%s)
step() { printf 'check-install: %s\n' "$*"; }
fail() { printf 'check-install: FAILED: %s\n' "$*" >&2; exit 1; }
quiet() { local log="$work/log"; "$@" >"$log" 2>&1 || { cat "$log" >&2; fail "$*"; }; }

step "C library: configure, build, cmake --install into a prefix"
prefix=$work/prefix
quiet cmake -S "$repo" -B "$work/build" -DSEQS_LIBRARY_ONLY=ON   # the README's command
targets=$(cmake --build "$work/build" --target help)
for t in test_arp example_flow seqs-tap seqs_c tcp_bench fuzz_ingress-replay; do
  ! grep -qw -- "$t" <<<"$targets" || fail "SEQS_LIBRARY_ONLY=ON also builds $t"
done
quiet cmake --build "$work/build" -j"$(nproc)"
quiet cmake --install "$work/build" --prefix "$prefix"
for f in include/seqs/seqs.h include/seqs/version.h include/seqs/priv/stack.h lib/libseqs.a \
         lib/cmake/seqs/seqsConfig.cmake lib/cmake/seqs/seqsConfigVersion.cmake lib/pkgconfig/seqs.pc; do
  [ -f "$prefix/$f" ] || fail "cmake --install did not install $f"
done
cp -r "$repo/docs/examples/consumer" "$work/consumer"

step "C program against the prefix: find_package(seqs $version) -> seqs::seqs"
quiet cmake -S "$work/consumer" -B "$work/c-cmake" -DCMAKE_PREFIX_PATH="$prefix"
quiet cmake --build "$work/c-cmake"
grep -q "seqs $version " <<<"$("$work/c-cmake/hello_seqs")" || fail "hello_seqs (find_package) did not run"

step "C program against the prefix: pkg-config"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
[ "$(pkg-config --modversion seqs)" = "$version" ] || fail "pkg-config --modversion seqs"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror "$work/consumer/hello.c" $(pkg-config --cflags --libs seqs) -o "$work/hello-pc"
grep -q "seqs $version " <<<"$("$work/hello-pc")" || fail "hello_seqs (pkg-config) did not run"
unset PKG_CONFIG_PATH

step "C program with seqs added by add_subdirectory: seqs::seqs, and nothing but the library"
quiet cmake -S "$work/consumer" -B "$work/c-sub" -DSEQS_SOURCE_DIR="$repo"
targets=$(cmake --build "$work/c-sub" --target help)
for t in test_arp example_flow seqs-tap seqs_c tcp_bench fuzz_ingress-replay; do
  ! grep -qw -- "$t" <<<"$targets" || fail "add_subdirectory(seqs) also builds $t"
done
quiet cmake --build "$work/c-sub" -j"$(nproc)"
grep -q "seqs $version " <<<"$("$work/c-sub/hello_seqs")" || fail "hello_seqs (add_subdirectory) did not run"

step "Python: pip install --no-build-isolation into a --system-site-packages venv"
venv=$work/venv
quiet $PY -m venv --system-site-packages "$venv"
quiet "$venv/bin/pip" install --no-build-isolation --no-index --no-cache-dir "$repo"
cd "$work"   # from outside the tree from here on
got=$("$venv/bin/python" -c 'import seqs; print(seqs.__version__, seqs.__file__)')
[ "${got%% *}" = "$version" ] || fail "seqs.__version__ is '${got%% *}', VERSION says $version"
[[ ${got#* } == "$venv"/* ]] || fail "import seqs found ${got#* }, not the venv's copy"
cp "$repo/docs/examples/flow.py" "$work/flow.py"
flow=$("$venv/bin/python" "$work/flow.py") || fail "the README's Python flow"
grep -q "echo-reply" <<<"$flow" || fail "the README's Python flow: no echo reply"

step "pytest plugin: the test file of docs/first-conformance-test.md in a folder of its own"
mkdir "$work/my-stack-tests" && cd "$work/my-stack-tests"
$PY - "$repo/docs/first-conformance-test.md" test_first.py <<'PYEOF'
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"<!-- file: %s -->\s*```python\n(.*?)```" % re.escape(sys.argv[2]), page, re.S)
assert m, "no test file block in the page"
open(sys.argv[2], "w", encoding="utf-8").write(m.group(1))
PYEOF
"$venv/bin/python" -m pytest -q -p no:cacheprovider >"$work/log" 2>&1 || { cat "$work/log"; fail "first conformance test"; }
grep -q "4 passed" "$work/log" || { cat "$work/log"; fail "first conformance test: expected 4 passed"; }
if [ "$(id -u)" = 0 ]; then
  "$venv/bin/python" -m pytest -q -p no:cacheprovider --seqs-wire=linux -k "not start_up" >"$work/log" 2>&1 ||
    { cat "$work/log"; fail "first conformance test against Linux (--seqs-wire=linux)"; }
  grep -q "3 passed" "$work/log" || { cat "$work/log"; fail "--seqs-wire=linux: expected 3 passed"; }
fi
cat >test_fails.py <<'PYEOF'
from scapy.layers.inet import ICMP, IP
from scapy.layers.l2 import Ether
from seqs.testing import PEER, PEER_MAC, US, US_MAC


def test_expects_the_wrong_reply(ipwire):
    ipwire.exchange(Ether(src=PEER_MAC, dst=US_MAC) / IP(src=PEER, dst=US) / ICMP(type=8, id=1),
                    ICMP(type=0, id=2))
PYEOF
if "$venv/bin/python" -m pytest -q -p no:cacheprovider test_fails.py --seqs-artifacts="$work/artifacts" >"$work/log" 2>&1; then
  fail "a failing test passed"
fi
ls "$work/artifacts"/*.pcap >/dev/null 2>&1 || { cat "$work/log"; fail "no pcap of the failed test in --seqs-artifacts"; }
grep -q "seqs: pcap of 1 failed wire(s) kept in $work/artifacts" "$work/log" || fail "the run did not name the artifacts dir"
[ -z "$(find "$work/my-stack-tests" -name '*.pcap')" ] || fail "a pcap was written into the test folder"
step "ok: C (find_package, pkg-config, add_subdirectory), pip install, import seqs $version, plugin ($(( $(date +%s) - t0 )) s)"
