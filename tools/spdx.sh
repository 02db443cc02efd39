#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SPDX licence headers of the seqs sources (BSD-3-Clause, see LICENSE).
#   tools/spdx.sh --check [DIR]   lists every source file without the header; exit 1 if any
#   tools/spdx.sh --add   [DIR]   inserts the header where it is missing (idempotent)
# DIR defaults to the repository root. Files are those git tracks there (every file
# under DIR when it is not a git checkout), of these kinds:
#   C, C headers, C++, SWIG .i, linker scripts, *.h.in:  /* SPDX-License-Identifier: BSD-3-Clause */
#   Python, shell, CMake, TOML, *.cmake.in, *.pc.in:     # SPDX-License-Identifier: BSD-3-Clause
# A shebang (and a Python coding line) stays first; the header goes right after it.
# Data files (fuzz corpora, *.txt tables, pcaps) are not sources and are left alone.
set -euo pipefail
ID="SPDX-License-Identifier: BSD-3-Clause"
mode=${1:-}
case "$mode" in --add|--check) ;; *) echo "usage: $0 --add|--check [DIR]" >&2; exit 2 ;; esac
root=${2:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"

# Comment style of a file, or nothing when it is not a source file we own.
style() {
  case "$1" in fuzz/corpus/*) return 0 ;; esac
  case "${1##*/}" in
    *.c|*.h|*.cc|*.cpp|*.hpp|*.i|*.ld|*.h.in) echo c ;;
    *.py|*.sh|*.cmake|*.toml|CMakeLists.txt|*.cmake.in|*.pc.in) echo hash ;;
    *.*) ;;
    *) head -c 64 "$1" 2>/dev/null | head -n 1 | grep -Eq '^#!.*(ba|da)?sh|^#!.*python' && echo hash ;;
  esac
  return 0
}

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  list() { git ls-files -z --cached --others --exclude-standard; }
else
  list() { find . -type f -not -path './.git/*' -printf '%P\0'; }
fi

missing=0
while IFS= read -r -d '' f; do
  [ -f "$f" ] || continue
  s=$(style "$f")
  [ -n "$s" ] || continue
  head -n 5 "$f" | grep -q "$ID" && continue
  if [ "$mode" = --check ]; then
    echo "$f"
    missing=$((missing + 1))
    continue
  fi
  if [ "$s" = c ]; then line="/* $ID */"; else line="# $ID"; fi
  # Lines that must stay first: a shebang, then (Python) a coding declaration.
  keep=0
  first=$(head -n 1 "$f")
  if [[ $first == '#!'* ]]; then
    keep=1
    second=$(sed -n 2p "$f")
    [[ $f == *.py && $second =~ ^#.*coding[:=] ]] && keep=2
  elif [[ $f == *.py && $first =~ ^#.*coding[:=] ]]; then
    keep=1
  fi
  tmp=$(mktemp)
  { head -n "$keep" "$f"; printf '%s\n' "$line"; tail -n +"$((keep + 1))" "$f"; } >"$tmp"
  chmod --reference="$f" "$tmp"
  mv "$tmp" "$f"
  echo "spdx: added to $f"
done < <(list)

if [ "$mode" = --check ]; then
  if [ $missing -gt 0 ]; then
    echo "spdx: $missing source file(s) above lack '$ID' in their first 5 lines (run tools/spdx.sh --add)" >&2
    exit 1
  fi
  echo "spdx: every source file carries '$ID'"
fi
