#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""size_report: flash and RAM of the seqs firmware per feature, for both boards, as Markdown.

Two modes:
  size_report.py --build-dir build        report the images of an existing build (top CMake with
                                          -DSEQS_BUILD_FIRMWARE=ON, or an image's project built alone)
  size_report.py --variants [--pico-sdk P] build every feature variant of the QEMU image (and, with a
                                          pico-sdk checkout, of the Pico W image) into --work-dir and
                                          print one row per variant: core, +TCP, +DHCP, +example app,
                                          and +DNS/SNTP, +HTTP once those apps exist in stack/src/app/.
Variants are cumulative and differ only in CMake options (firmware/cmake/seqs_fw.cmake):
FW_TCP (TCP echo app), FW_DHCP (+ FW_IP=dhcp), FW_APPS (the example app). Every variant uses
the same core limits (firmware/common/fw_opts.h). Numbers come from arm-none-eabi-size and the
linker map (input sections kept after --gc-sections, attributed to the object that brought them).
Needs arm-none-eabi-gcc/size on PATH; the Pico W variants need PICO_SDK_PATH's lib/cyw43-driver."""
import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEXT_PREFIXES = (".text", ".rodata", ".ARM.exidx", ".vectors", ".boot2", ".binary_info", ".time_critical",
                 ".init", ".fini", ".init_array", ".fini_array", ".preinit_array", ".ARM.extab", ".eh_frame")


def run(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


# ---------------------------------------------------------------------------
# what an object file is
# ---------------------------------------------------------------------------
def core_modules():
    """{object basename: group} for the core: 'tcp', 'app:<name>' or 'core'."""
    groups = {}
    for c in (REPO / "stack" / "src").rglob("*.c"):
        rel = c.relative_to(REPO / "stack" / "src").parts
        if rel[0] == "app":
            g = f"app:{rel[1]}"
        elif rel[0] == "tcp" or c.name == "wire_tcp.c":
            g = "tcp"
        else:
            g = "core"
        groups[c.name] = g
    return groups


def classify(obj, groups):
    """Group of a map's input file: core / tcp / app:<x> (seqs), fw (main loop + apps),
    board (startup, drivers, Pico port), sdk (pico-sdk, cyw43, libc, libgcc)."""
    m = re.search(r"libseqs_core\.a\((\S+?)\.o(bj)?\)", obj)
    if m:
        return groups.get(m.group(1), "core")
    if "/firmware/common/" in obj or "/firmware/apps/" in obj or "fw_app_table" in obj:
        return "fw"
    if re.search(r"CMakeFiles/seqs-(qemu-mps2|pico-w)\.dir/[^/]+\.c\.o(bj)?$", obj):
        return "board"   # the board's own files: startup/driver (QEMU), the cyw43 port main.c (Pico W)
    if re.search(r"CMakeFiles/seqs-(qemu-mps2|pico-w)\.dir/", obj) and not re.search(
            r"/src/(rp2_common|rp2040|common|boards)/|/lib/cyw43-driver/|/lib/tinyusb/", obj):
        return "fw"      # a user's app outside the tree (SEQS_FW_APPS)
    return "sdk"


def map_sizes(mapfile, groups):
    """{group: [text, data, bss]} of the input sections the link kept."""
    out = {}
    in_map = False
    pending = None
    for line in Path(mapfile).read_text(errors="replace").splitlines():
        if line.startswith("Linker script and memory map"):
            in_map = True
            continue
        if not in_map or line.startswith(("LOAD ", "OUTPUT(")):
            continue
        m = re.match(r"^ (\.\S+|COMMON)$", line)
        if m:
            pending = m.group(1)
            continue
        m = re.match(r"^ (\.\S+|COMMON)?\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S.*)$", line)
        if not m:
            pending = None
            continue
        sec = m.group(1) or pending
        pending = None
        if sec is None:
            continue
        size = int(m.group(2), 16)
        if size == 0:
            continue
        g = out.setdefault(classify(m.group(3).strip(), groups), [0, 0, 0])
        if sec.startswith(".data") or sec.startswith(".ram_vector"):
            g[1] += size
        elif sec.startswith((".bss", "COMMON", ".uninitialized")):
            g[2] += size
        elif sec.startswith(TEXT_PREFIXES):
            g[0] += size
    return out


def alloc_sections(elf):
    """Names of the sections of elf that occupy memory (ALLOC), with their sizes."""
    out = {}
    text = run("arm-none-eabi-objdump", "-h", str(elf))
    lines = text.splitlines()
    for i, line in enumerate(lines):
        f = line.split()
        if len(f) >= 7 and f[0].isdigit() and i + 1 < len(lines) and "ALLOC" in lines[i + 1]:
            out[f[1]] = (int(f[2], 16), int(f[3], 16), "LOAD" in lines[i + 1])
    return out


def image_totals(elf):
    """(flash, static RAM) of an image, without the stack/heap reservations."""
    flash = ram = 0
    for name, (size, vma, load) in alloc_sections(elf).items():
        if name in (".stack_dummy", ".stack1_dummy", ".heap", ".stack"):
            continue
        if vma >= 0x20000000:
            ram += size
        if load:
            flash += size   # code, constants, and the initial values of .data
    return flash, ram


def find_map(elf):
    """The linker map next to elf (x.map from our CMake, x.elf.map from pico-sdk's), or None."""
    for m in (elf.with_suffix(".map"), elf.with_name(elf.name + ".map")):
        if m.exists():
            return m
    return None


def reserved(elf):
    s = alloc_sections(elf)
    return sum(s[n][0] for n in (".stack_dummy", ".stack1_dummy", ".heap", ".stack") if n in s)


# ---------------------------------------------------------------------------
# variants
# ---------------------------------------------------------------------------
def variants():
    apps = {p.name for p in (REPO / "stack" / "src" / "app").iterdir() if p.is_dir()}
    static = ["-DFW_IP=192.0.2.2", "-DFW_CTRL_PORT=0", "-DFW_APPS="]
    dyn = ["-DFW_IP=dhcp", "-DFW_CTRL_PORT=0"]
    off = ["-DFW_SNTP=OFF", "-DFW_DNS=OFF", "-DFW_HTTP=OFF"]
    v = [("core (ARP, IPv4, ICMP, UDP) + UDP echo", static + ["-DFW_TCP=OFF", "-DFW_DHCP=OFF"] + off),
         ("+ TCP (echo app, 2 connections)", static + ["-DFW_TCP=ON", "-DFW_DHCP=OFF"] + off),
         ("+ DHCP client", dyn + ["-DFW_APPS=", "-DFW_TCP=ON", "-DFW_DHCP=ON"] + off)]
    missing = []
    if "sntp" in apps and "dns" in apps:
        v.append(("+ DNS resolver + SNTP client", dyn + ["-DFW_APPS=", "-DFW_TCP=ON", "-DFW_DHCP=ON", "-DFW_SNTP=ON",
                                                         "-DFW_DNS=ON", "-DFW_HTTP=OFF"]))
    else:
        missing.append("+ DNS/SNTP")
    if "http" in apps:
        v.append(("+ HTTP status page (1 connection)", dyn + ["-DFW_APPS=", "-DFW_TCP=ON", "-DFW_DHCP=ON",
                                                              "-DFW_SNTP=ON", "-DFW_DNS=ON", "-DFW_HTTP=ON"]))
    else:
        missing.append("+ HTTP")
    v.append(("+ example app (uptime.c) = the shipped image",
              dyn + [f"-DFW_APPS={REPO / 'firmware' / 'apps' / 'uptime.c'}", "-DFW_TCP=ON", "-DFW_DHCP=ON",
                     "-DFW_SNTP=ON", "-DFW_DNS=ON", "-DFW_HTTP=ON"]))
    return v, missing


def library_apps(work):
    """Flash of each app in stack/src/app/ compiled for the M0+ (from the shipped variant's
    libseqs_core.a), linked or not: DNS has no user in the image."""
    out = {}
    groups = core_modules()
    lib = next(iter(sorted(Path(work).glob("seqs-qemu-mps2*/libseqs_core.a"))), None)
    if lib is None:
        return out
    for line in run("arm-none-eabi-size", str(lib)).splitlines()[1:]:
        f = line.split()
        if len(f) >= 6:
            name = re.sub(r"\.o(bj)?$", "", f[5].split("(")[-1].rstrip(")"))
            g = groups.get(name, "core")
            if g.startswith("app:"):
                out[g[4:]] = out.get(g[4:], 0) + int(f[0]) + int(f[1])
    return out


def build(src, bdir, args, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    bdir.mkdir(parents=True, exist_ok=True)
    # One build tree per board: every variant sets every option, so nothing leaks from the
    # previous one, and only what the options change is recompiled (not the SDK).
    run("cmake", "-S", str(src), "-B", str(bdir), *args, env=env)
    run("cmake", "--build", str(bdir), "-j", str(os.cpu_count() or 2), env=env)


def kb(n):
    return f"{n:,}"


def report_variant(label, elf, mapf, groups, prev):
    flash, ram = image_totals(elf)
    g = map_sizes(mapf, groups)
    seqs_flash = sum(v[0] + v[1] for k, v in g.items() if k in ("core", "tcp") or k.startswith("app:"))
    ours_ram = sum(v[1] + v[2] for k, v in g.items() if k in ("core", "tcp", "fw", "board") or k.startswith("app:"))
    fw_flash = sum(v[0] + v[1] for k, v in g.items() if k == "fw")
    tcp_flash = sum(g.get("tcp", [0, 0, 0])[:2])
    apps_flash = sum(v[0] + v[1] for k, v in g.items() if k.startswith("app:"))
    d_flash = f"+{flash - prev[0]:,}" if prev else ""
    d_ram = f"+{ram - prev[1]:,}" if prev else ""
    print(f"| {label} | {kb(flash)} | {d_flash} | {kb(ram)} | {d_ram} | {kb(seqs_flash)} (TCP {kb(tcp_flash)}, "
          f"apps {kb(apps_flash)}) | {kb(fw_flash)} | {kb(ours_ram)} |")
    return flash, ram, g


def run_variants(a):
    groups = core_modules()
    vs, missing = variants()
    work = a.work_dir
    boards = [("QEMU mps2-an385", REPO / "firmware" / "qemu-mps2", "seqs-qemu-mps2", [], None)]
    if a.pico_sdk:
        boards.append(("Pico W", REPO / "firmware" / "pico_w", "seqs-pico-w",
                       [f"-DPICO_SDK_PATH={a.pico_sdk}", "-DWIFI_SSID=example", "-DWIFI_PASSWORD=example-pass"],
                       None))
    for board, src, target, extra, _ in boards:
        print(f"\n### {board}\n")
        print("| variant | flash | Δ flash | static RAM | Δ RAM | of flash: seqs core | of flash: main loop + apps "
              "| RAM of stack + apps + buffers |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        prev = None
        last = None
        for i, (label, args) in enumerate(vs):
            bdir = work / target
            build(src, bdir, extra + args)
            elf = bdir / f"{target}.elf"
            mapf = find_map(elf)
            if mapf is None:
                sys.exit(f"{mapf} missing")
            prev_flash_ram = report_variant(label, elf, mapf, groups, prev)
            prev = prev_flash_ram[:2]
            last = (elf, prev_flash_ram[2])
        for label in missing:
            print(f"| {label} | – | | – | | | | not on this branch yet (no stack/src/app/ for it) |")
        if board.startswith("QEMU"):
            libs = library_apps(work)
            if libs:
                print("\nApps of the core compiled for the M0+ (flash, linked or not): " +
                      ", ".join(f"{k} {v:,} B" for k, v in sorted(libs.items())) +
                      ".")
        elf, g = last
        sdk = g.get("sdk", [0, 0, 0])
        print(f"\nLast row: reserved stack/heap {kb(reserved(elf))} B (not in static RAM); "
              f"flash of SDK/driver/libc {kb(sdk[0] + sdk[1])} B, their RAM {kb(sdk[1] + sdk[2])} B.")
        sym = {}
        for line in run("arm-none-eabi-nm", "-S", "--size-sort", str(elf)).splitlines():
            f = line.split()
            if len(f) == 4 and f[2] in "bBdD":
                sym[f[3]] = int(f[1], 16)
        big = sorted(((v, k) for k, v in sym.items() if v >= 512), reverse=True)[:12]
        print("Largest RAM objects: " + ", ".join(f"`{k}` {v:,}" for v, k in big) + ".")


# ---------------------------------------------------------------------------
# one existing build
# ---------------------------------------------------------------------------
def report_build(a):
    groups = core_modules()
    fw = a.build_dir / "firmware" if (a.build_dir / "firmware").is_dir() else a.build_dir
    found = False
    for board, sub, target in (("QEMU mps2-an385", "qemu-mps2", "seqs-qemu-mps2"), ("Pico W", "pico_w", "seqs-pico-w")):
        elf = fw / sub / f"{target}.elf"
        if not elf.exists():
            elf = fw / f"{target}.elf"
        mapf = find_map(elf) if elf.exists() else None
        if mapf is None:
            continue
        found = True
        flash, ram = image_totals(elf)
        g = map_sizes(mapf, groups)
        print(f"\n### {board}: {elf}\n")
        print(f"flash {flash:,} B, static RAM {ram:,} B (+ {reserved(elf):,} B stack/heap reserved)\n")
        print("| part | text | data | bss | flash | RAM |")
        print("|---|---:|---:|---:|---:|---:|")
        for k in sorted(g, key=lambda k: -(g[k][0] + g[k][1] + g[k][2])):
            t, d, b = g[k]
            print(f"| {k} | {t:,} | {d:,} | {b:,} | {t + d:,} | {d + b:,} |")
    if not found:
        sys.exit(f"no firmware image (with its .map) under {fw}: build with -DSEQS_BUILD_FIRMWARE=ON first")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default="build", type=Path)
    ap.add_argument("--variants", action="store_true", help="build and report every feature variant")
    ap.add_argument("--pico-sdk", default=os.environ.get("PICO_SDK_PATH"), help="pico-sdk checkout (Pico W rows)")
    ap.add_argument("--work-dir", default=Path("/tmp/seqs-size-variants"), type=Path)
    a = ap.parse_args(argv)
    if a.variants:
        run_variants(a)
    else:
        report_build(a)


if __name__ == "__main__":
    main()
