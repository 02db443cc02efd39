#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Cross-compiles the portable core (stack/) for Cortex-M0+ and proves it stays
# portable: no allocator symbol referenced, no writable global (.data/.bss/common),
# warnings are errors, and no object (core or app) references libgcc's 64-bit
# division (__aeabi_uldivmod/__aeabi_ldivmod: M0+ has no 64-bit divide, the
# helper is slow and big) -- divide 64-bit values by 16-bit digits with 32-bit
# divisions instead (core: seqs__tcp_div16 in stack/src/tcp; apps:
# stack/src/app/app_time.h). Prints the text/data/bss of the core.
# Usage: tools/check-core-m0.sh [outdir]   (needs gcc-arm-none-eabi)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/m0plus}
CC=arm-none-eabi-gcc
command -v $CC >/dev/null || { echo "check-core-m0: $CC not found (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)" >&2; exit 1; }
rm -rf "$out"; mkdir -p "$out"
flags=(-std=c11 -mcpu=cortex-m0plus -mthumb -Os -ffreestanding -ffunction-sections -fdata-sections
       -Wall -Wextra -Werror -Wconversion -Wno-sign-conversion -Istack/include -Istack/src)
objs=()
while IFS= read -r src; do
  obj="$out/$(echo "${src#stack/src/}" | tr / _).o"
  $CC "${flags[@]}" -c "$src" -o "$obj"
  objs+=("$obj")
done < <(find stack/src -name '*.c' | sort)
arm-none-eabi-ar rcs "$out/libseqs-m0plus.a" "${objs[@]}"

fail=0
# No allocator may be referenced (undefined symbols the core would pull from libc).
alloc=$(arm-none-eabi-nm -u "${objs[@]}" 2>/dev/null | grep -Ew 'malloc|free|calloc|realloc|_sbrk|_malloc_r|_free_r' || true)
if [ -n "$alloc" ]; then echo "FAIL: allocator referenced:"; echo "$alloc"; fail=1; fi
# No mutable global: no symbol of type D/d (.data), B/b (.bss), C (common), S/s small data.
writable=$(arm-none-eabi-nm "${objs[@]}" 2>/dev/null | grep -E ' [DdBbCSs] ' || true)
if [ -n "$writable" ]; then echo "FAIL: writable globals:"; echo "$writable"; fail=1; fi
# No 64-bit division helper from libgcc, in the core or in any app.
div64=$(for o in "${objs[@]}"; do arm-none-eabi-nm -u "$o" | grep -Ew '__aeabi_u?ldivmod' | sed "s|^|  ${o#$out/}: |"; done || true)
if [ -n "$div64" ]; then echo "FAIL: 64-bit division (libgcc) referenced:"; echo "$div64"; fail=1; fi
# What else the core needs from libc (memcpy & co are fine; anything OS-like is not).
undef=$(arm-none-eabi-nm -u "${objs[@]}" | awk '{print $2}' | sort -u | grep -v '^seqs' || true)
for sym in $undef; do
  case "$sym" in
    memcpy|memmove|memset|memcmp|strlen|__aeabi_*|__gnu_thumb1_case_*) ;;
    *) if ! arm-none-eabi-nm "${objs[@]}" | grep -qE " [TtR] $sym\$"; then
         echo "FAIL: core references external symbol $sym"; fail=1; fi ;;
  esac
done
echo "Cortex-M0+ core (-Os -mthumb), per object:"
arm-none-eabi-size -t "${objs[@]}" | sed "s|$out/||"
# Per module: the core (everything outside stack/src/app/) and each application
# (stack/src/app/<name>/ or stack/src/app/<name>_*.c), so an app's cost is visible alone.
echo "per module (text + rodata, data, bss):"
arm-none-eabi-size "${objs[@]}" | awk -v out="$out/" 'NR > 1 {
    f = $6; sub(out, "", f);
    m = "core";
    if (f ~ /^app_/) { m = f; sub(/^app_/, "", m); sub(/[_.].*/, "", m); m = "app " m }
    text[m] += $1; data[m] += $2; bss[m] += $3 }
  END { for (m in text) printf "  %-14s %7d B text  %d B data  %d B bss\n", m, text[m], data[m], bss[m] }' | sort
echo "sizeof(seqs_stack_t) on M0+ with default opts:"
cat > "$out/sizeof.c" <<'C'
#include "seqs/seqs.h"
const unsigned seqs_sizeof_stack = sizeof(seqs_stack_t);
C
$CC "${flags[@]}" -c "$out/sizeof.c" -o "$out/sizeof.o"
arm-none-eabi-objcopy -O binary -j .rodata.seqs_sizeof_stack "$out/sizeof.o" "$out/sizeof.bin"
od -An -tu4 "$out/sizeof.bin" | awk '{print "  " $1 " bytes"}'
[ $fail = 0 ] && echo "check-core-m0: OK (no allocator, no writable globals, no 64-bit division)"
exit $fail
