# SPDX-License-Identifier: BSD-3-Clause
"""Builds the extension seqs._seqs_c with CMake (bindings/CMakeLists.txt) for setuptools;
the metadata is in pyproject.toml. Only the SWIG module is built: no tests, tools,
benchmarks, ns-3 or firmware. Extra CMake arguments: SEQS_CMAKE_ARGS (e.g.
"-DSEQS_WERROR=ON", or "-DSWIG_EXECUTABLE=/opt/swig/bin/swig")."""
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class BuildWithCMake(build_ext):
    def build_extension(self, ext):
        build = Path(self.build_temp).resolve() / "cmake"
        args = ["-DCMAKE_BUILD_TYPE=Release", "-DPython3_EXECUTABLE=" + sys.executable,
                "-DSEQS_BUILD_PYTHON=ON", "-DSEQS_BUILD_TESTS=OFF", "-DSEQS_BUILD_TOOLS=OFF",
                "-DSEQS_BUILD_BENCH=OFF", "-DSEQS_BUILD_EXAMPLES=OFF", "-DSEQS_BUILD_SIM=OFF",
                "-DSEQS_BUILD_FIRMWARE=OFF", "-DSEQS_INSTALL=OFF"]
        args += shlex.split(os.environ.get("SEQS_CMAKE_ARGS", ""))
        subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build)] + args, check=True)
        subprocess.run(["cmake", "--build", str(build), "--target", "seqs_c",
                        "-j", str(os.cpu_count() or 1)], check=True)
        pkg = build / "python" / "seqs"
        built = sorted(pkg.glob("_seqs_c*" + Path(self.get_ext_filename("x")).suffix))
        if not built:
            raise RuntimeError("CMake built no _seqs_c extension in %s" % pkg)
        dest = Path(self.get_ext_fullpath(ext.name))
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], dest)
        shutil.copyfile(pkg / "seqs_c.py", dest.parent / "seqs_c.py")   # SWIG's proxy module


setup(ext_modules=[CMakeExtension("seqs._seqs_c")],
      cmdclass={"build_ext": BuildWithCMake},
      # setuptools' default build/ is our CMake build directory
      options={"build": {"build_base": "build-pip"}})
