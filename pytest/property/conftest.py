from harness.fixtures import make_wire, wire, ipwire  # noqa: F401
