#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Runs every test of seqs on Debian 12 (as root: the interop suites need network
# namespaces and TAP devices; without root they are skipped). Installs what is
# missing first. Usage: bash tools/test-all.sh [--quick]
#   --quick  skips the sanitizer build and the fuzz run.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0; [ "${1:-}" = --quick ] && quick=1
PY=/usr/bin/python3
JOBS=$(nproc)
step() { printf '\n==== %s ====\n' "$*"; }
W=-DSEQS_WERROR=ON   # our builds treat warnings as errors (a user's build does not)

step "dependencies"
bash tools/install-deps.sh test

step "licence headers (SPDX)"
bash tools/spdx.sh --check

step "build (gcc): core, C tests, Python module, tools, ns-3 runner, firmware"
cmake -S . -B build -DPython3_EXECUTABLE=$PY -DSEQS_BUILD_SIM=ON -DSEQS_BUILD_FIRMWARE=ON $W >/dev/null
cmake --build build -j"$JOBS"

step "C unit tests + fuzz corpus replay (ctest)"
ctest --test-dir build --output-on-failure -j"$JOBS"

step "seqs vs lwIP side by side (smoke: every reply checked, Ir/op under callgrind)"
$PY bench/vs_lwip/run.py --build-dir build --smoke

step "core builds warning-free under clang too"
cmake -S . -B build-clang -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
      -DSEQS_BUILD_PYTHON=OFF -DSEQS_BUILD_SIM=OFF -DSEQS_BUILD_FIRMWARE=OFF -DSEQS_BUILD_TOOLS=OFF \
      -DSEQS_BUILD_BENCH=OFF $W >/dev/null
cmake --build build-clang -j"$JOBS" --target seqs

step "Cortex-M0+ portability (no malloc, no mutable globals) and size"
bash tools/check-core-m0.sh build/m0plus

step "pytest: bindings, conformance, property, TCP, interop, ns-3, firmware"
export SEQS_BUILD_DIR=$PWD/build
[ "$(id -u)" = 0 ] && export SEQS_NO_SKIP=1   # root has every dependency: a skip is a bug
$PY -m pytest pytest -q -rfEs -p no:cacheprovider --junitxml=build/pytest-junit.xml

if [ "$(id -u)" = 0 ]; then
  step "the README's main demo (tools/demo.sh)"
  bash tools/demo.sh
fi

step "install and use from outside the tree: C (find_package, pkg-config, add_subdirectory), pip, pytest plugin"
bash tools/check-install.sh

step "conformance report"
$PY tools/conformance_report.py --junit build/pytest-junit.xml --require E,A,I,C,U,T,D,S,H,K,N,P

if [ $quick = 0 ]; then
  step "ASan + UBSan: C tests, corpus replay, conformance and property suites"
  cmake -S . -B build-asan -DPython3_EXECUTABLE=$PY -DSEQS_SANITIZE=ON -DSEQS_BUILD_SIM=OFF \
        -DSEQS_BUILD_FIRMWARE=OFF -DSEQS_BUILD_BENCH=OFF $W >/dev/null
  cmake --build build-asan -j"$JOBS"
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  ctest --test-dir build-asan --output-on-failure -j"$JOBS"
  SEQS_BUILD_DIR=$PWD/build-asan LD_PRELOAD="$(gcc -print-file-name=libasan.so)" \
    ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 \
    $PY -m pytest pytest/bindings pytest/conformance pytest/property -q -p no:cacheprovider
  if [ "$(id -u)" = 0 ]; then   # seqs-tap under ASan against malformed frames from the kernel side
    SEQS_TAP=$PWD/build-asan/tools/seqs-tap ASAN_OPTIONS=halt_on_error=1 \
      $PY -m pytest pytest/interop/test_robustness.py -q -p no:cacheprovider
  fi

  step "libFuzzer: replay the seed corpus, then fuzz each target for a short while"
  cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DSEQS_FUZZ=ON \
        -DSEQS_BUILD_PYTHON=OFF -DSEQS_BUILD_SIM=OFF -DSEQS_BUILD_FIRMWARE=OFF -DSEQS_BUILD_TOOLS=OFF \
        -DSEQS_BUILD_BENCH=OFF -DSEQS_BUILD_TESTS=OFF $W >/dev/null
  cmake --build build-fuzz -j"$JOBS"
  for bin in build-fuzz/fuzz/*-libfuzzer; do
    name=$(basename "$bin" -libfuzzer)
    work=$(mktemp -d)
    cp fuzz/corpus/"$name"/* "$work"/
    "$bin" -max_total_time="${SEQS_FUZZ_SECONDS:-30}" -timeout=10 -rss_limit_mb=2048 "$work" 2>&1 | tail -n 3
    rm -rf "$work"
  done
fi
step "all tests passed"
