# SPDX-License-Identifier: BSD-3-Clause
"""PEP 517 build backend of the seqs Python package (see pyproject.toml).

setuptools does the packaging and setup.py drives CMake. This wrapper only adds
cmake and swig to the build requirements when the machine lacks them (or has
versions below what bindings/CMakeLists.txt needs), so `pip install .` works with
build isolation from PyPI, and with `--no-build-isolation` from Debian packages."""
import re
import shutil
import subprocess

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F401,F403  (build_wheel, build_sdist, ...)

_TOOLS = (("cmake", ["--version"], (3, 18), "cmake>=3.18"),
          ("swig", ["-version"], (4, 0), "swig>=4.0"))


def _have(exe, args, minimum):
    path = shutil.which(exe)
    if path is None:
        return False
    try:
        out = subprocess.run([path] + args, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    m = re.search(r"(\d+)\.(\d+)", out)
    return bool(m) and (int(m.group(1)), int(m.group(2))) >= minimum


def _missing_tools():
    return [req for exe, args, minimum, req in _TOOLS if not _have(exe, args, minimum)]


def get_requires_for_build_wheel(config_settings=None):
    return _setuptools.get_requires_for_build_wheel(config_settings) + _missing_tools()


def get_requires_for_build_editable(config_settings=None):
    return _setuptools.get_requires_for_build_editable(config_settings) + _missing_tools()
