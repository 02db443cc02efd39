# SPDX-License-Identifier: BSD-3-Clause
"""The fixtures moved into the seqs pytest plugin (seqs.testing.plugin), which this
repository's pytest/conftest.py loads: make_wire, wire, ipwire, stack, linux_wire.
Re-exported here for conftest files that import them by name."""
from seqs.testing.plugin import ipwire, linux_wire, make_wire, stack, wire  # noqa: F401
from seqs.testing.plugin import pcap_path as _pcap_name  # noqa: F401
