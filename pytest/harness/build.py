# SPDX-License-Identifier: BSD-3-Clause
"""harness.build is seqs.testing.build (see harness/__init__.py)."""
import sys

from seqs.testing import build as _module

sys.modules[__name__] = _module
