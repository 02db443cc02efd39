# SPDX-License-Identifier: BSD-3-Clause
"""harness.oracle is seqs.testing.oracle (see harness/__init__.py)."""
import sys

from seqs.testing import oracle as _module

sys.modules[__name__] = _module
