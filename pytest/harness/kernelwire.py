# SPDX-License-Identifier: BSD-3-Clause
"""harness.kernelwire is seqs.testing.kernelwire (see harness/__init__.py)."""
import sys

from seqs.testing import kernelwire as _module

sys.modules[__name__] = _module
