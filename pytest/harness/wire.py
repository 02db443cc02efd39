# SPDX-License-Identifier: BSD-3-Clause
"""harness.wire is seqs.testing.wire (see harness/__init__.py)."""
import sys

from seqs.testing import wire as _module

sys.modules[__name__] = _module
