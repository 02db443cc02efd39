"""Conformance suite: one file per protocol, every test marked with its
CONFORMANCE.md row (rows.txt here) and citing its RFC. Fixtures: see harness/fixtures.py."""
from harness.fixtures import make_wire, wire, ipwire  # noqa: F401
