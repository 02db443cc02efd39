# SPDX-License-Identifier: BSD-3-Clause
"""Conformance suite: one file per protocol, every test marked with its
CONFORMANCE.md row (rows.txt here) and citing its RFC. The fixtures (wire, ipwire,
make_wire, stack) come from the seqs pytest plugin, seqs.testing.plugin, as for any user."""
