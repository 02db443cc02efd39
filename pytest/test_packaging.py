# SPDX-License-Identifier: BSD-3-Clause
"""Packaging checks that need no build (issue 12): the SWIG interface works across SWIG
versions, and pip's build backend asks PyPI for cmake/swig only when they are missing."""
import importlib.util
import re
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_typemaps_use_swig_appendoutput_not_the_python_specific_one():
    """SWIG 4.3 changed SWIG_Python_AppendOutput to take three arguments; SWIG_AppendOutput
    works with every SWIG >= 4.0. Every bindings/*.i (each part adds its own) must use it."""
    offenders = [f"{p.name}:{n}" for p in sorted((REPO / "bindings").glob("*.i"))
                 for n, line in enumerate(p.read_text().splitlines(), 1) if "SWIG_Python_AppendOutput" in line]
    assert not offenders, f"use SWIG_AppendOutput in {offenders}"


def _backend():
    spec = importlib.util.spec_from_file_location("seqs_build_backend", REPO / "bindings" / "seqs_build_backend.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_build_backend_needs_nothing_from_pypi_where_cmake_and_swig_exist():
    assert shutil.which("cmake") and shutil.which("swig")
    assert _backend()._missing_tools() == []


def test_build_backend_asks_for_cmake_and_swig_when_missing(monkeypatch):
    be = _backend()
    monkeypatch.setattr(be.shutil, "which", lambda exe: None)
    assert be._missing_tools() == ["cmake>=3.18", "swig>=4.0"]


def test_one_version_for_cmake_python_and_c():
    """VERSION is read by CMake's project() and by setuptools (pyproject's dynamic version)."""
    version = (REPO / "VERSION").read_text().split()[0]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert "SEQS_VERSION_FROM_FILE" in (REPO / "CMakeLists.txt").read_text()
    assert 'version = {file = "VERSION"}' in (REPO / "pyproject.toml").read_text()
    import seqs
    assert seqs.__version__ == version
    assert seqs.seqs_c.SEQS_VERSION == sum(int(x) * m for x, m in zip(version.split("."), (10000, 100, 1)))
