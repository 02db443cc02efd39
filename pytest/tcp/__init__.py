# SPDX-License-Identifier: BSD-3-Clause
"""TCP test helpers (peer.py) and the in-process simulation tests."""
