# SPDX-License-Identifier: BSD-3-Clause
"""harness.match is seqs.testing.match (see harness/__init__.py)."""
import sys

from seqs.testing import match as _module

sys.modules[__name__] = _module
