# SPDX-License-Identifier: BSD-3-Clause
"""harness.tapwire is seqs.testing.tapwire (see harness/__init__.py)."""
import sys

from seqs.testing import tapwire as _module

sys.modules[__name__] = _module
