#!/usr/bin/env python3
"""size_report: flash/RAM of the seqs core and of the firmware images, as Markdown.

Reads a firmware build (the top CMake with -DSEQS_BUILD_FIRMWARE=ON, or the
qemu-mps2 / pico_w projects built alone) and prints:
  - the core compiled for the Cortex-M0+ at -Os (libseqs_core.a, every module), per module;
  - the part of the core the QEMU image really links (from the linker map, after --gc-sections);
  - the QEMU mps2 image and, if built, the Pico W image.
Usage: size_report.py [--build-dir build-fw]   (needs arm-none-eabi-size/nm on PATH)"""
import argparse
import re
import subprocess
import sys
from pathlib import Path

TEXT_PREFIXES = (".text", ".rodata", ".ARM.exidx", ".vectors")


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def berkeley(path):
    """(text, data, bss) per object of an archive or for one ELF."""
    rows = {}
    for line in run("arm-none-eabi-size", str(path)).splitlines()[1:]:
        f = line.split()
        name = f[5] if len(f) > 5 else Path(path).name
        rows[name] = tuple(int(x) for x in f[:3])
    return rows


def sections(path):
    """{section: size} of an ELF (SysV format)."""
    out = {}
    for line in run("arm-none-eabi-size", "-A", str(path)).splitlines()[2:]:
        f = line.split()
        if len(f) == 3 and f[1].isdigit():
            out[f[0]] = int(f[1])
    return out


def symbol_size(elf, name):
    for line in run("arm-none-eabi-nm", "-S", str(elf)).splitlines():
        f = line.split()
        if len(f) == 4 and f[3] == name:
            return int(f[1], 16)
    return None


def linked_from_archive(mapfile, archive_name):
    """(text, data, bss) of the input sections the link kept from archive_name."""
    text = data = bss = 0
    in_map = False
    pending = None
    for line in Path(mapfile).read_text().splitlines():
        if line.startswith("Linker script and memory map"):
            in_map = True
            continue
        if not in_map:
            continue
        m = re.match(r"^ (\.\S+)$", line)
        if m:
            pending = m.group(1)
            continue
        m = re.match(r"^ (\.\S+)?\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+)$", line)
        if not m:
            pending = None
            continue
        sec = m.group(1) or pending
        pending = None
        if sec is None or f"{archive_name}(" not in m.group(3):
            continue
        size = int(m.group(2), 16)
        if sec.startswith(TEXT_PREFIXES):
            text += size
        elif sec.startswith(".data"):
            data += size
        elif sec.startswith((".bss", "COMMON")):
            bss += size
    return text, data, bss


def row(name, t, d, b, note=""):
    return f"| {name} | {t:,} | {d:,} | {b:,} | {t + d:,} | {d + b:,} | {note} |"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default="build-fw", type=Path)
    a = ap.parse_args(argv)
    fw = a.build_dir / "firmware" if (a.build_dir / "firmware").is_dir() else a.build_dir
    q = fw / "qemu-mps2"
    lib, elf, mapf = q / "libseqs_core.a", q / "seqs-qemu-mps2.elf", q / "seqs-qemu-mps2.map"
    if not elf.exists():
        sys.exit(f"{elf} not found: build with -DSEQS_BUILD_FIRMWARE=ON first")

    print("| what | text | data | bss | flash (text+data) | RAM (data+bss) | note |")
    print("|---|---:|---:|---:|---:|---:|---|")
    per_obj = berkeley(lib)
    tt = sum(v[0] for v in per_obj.values())
    td = sum(v[1] for v in per_obj.values())
    tb = sum(v[2] for v in per_obj.values())
    print(row("core, all modules (libseqs_core.a)", tt, td, tb, "-mcpu=cortex-m0plus -mthumb -Os"))
    lt, ld, lb = linked_from_archive(mapf, "libseqs_core.a")
    print(row("core, linked into the QEMU image", lt, ld, lb, "after --gc-sections"))
    st = symbol_size(elf, "g_stack")
    if st:
        print(f"| `seqs_stack_t` (one instance, in the image's bss) | | | {st:,} | | {st:,} | default `seqs/opts.h` |")
    t, d, b = berkeley(elf)[elf.name] if elf.name in berkeley(elf) else next(iter(berkeley(elf).values()))
    print(row("QEMU mps2-an385 image (seqs-qemu-mps2.elf)", t, d, b, "core + main loop + LAN9118/UART/startup + libc bits; 16 KB stack not included"))
    pico = fw / "pico_w" / "seqs-pico-w.elf"
    if pico.exists():
        s = sections(pico)
        flash = sum(v for k, v in s.items() if k in (".boot2", ".text", ".rodata", ".binary_info", ".data"))
        ram = sum(v for k, v in s.items() if k in (".ram_vector_table", ".uninitialized_data", ".data", ".bss",
                                                   ".heap", ".stack_dummy", ".stack1_dummy", ".scratch_x",
                                                   ".scratch_y"))
        text = flash - s.get(".data", 0)
        print(f"| Pico W image (seqs-pico-w.elf) | {text:,} | {s.get('.data', 0):,} | {s.get('.bss', 0):,} | "
              f"{flash:,} | {ram:,} | flash includes the cyw43 WiFi firmware blob; RAM includes heap + stacks |")
        uf2 = pico.with_suffix(".uf2")
        if uf2.exists():
            print(f"\n`{uf2.name}`: {uf2.stat().st_size:,} bytes ({uf2.stat().st_size // 512} UF2 blocks).")

    print("\nCore per module (libseqs_core.a, bytes):\n")
    print("| module | text | data | bss |")
    print("|---|---:|---:|---:|")
    for name, (t, d, b) in sorted(per_obj.items(), key=lambda kv: -kv[1][0]):
        print(f"| {name.replace('.c.obj', '.c')} | {t:,} | {d:,} | {b:,} |")


if __name__ == "__main__":
    main()
