"""seqs test harness: the test is the peer on the wire.

    from harness import SimWire, match, expect_one, US, PEER, ...

See harness.wire (Wire interface and the in-process SimWire flavour),
harness.match (template matching), harness.oracle (independent checks of
emitted frames) and harness.report (conformance-row report)."""
from .match import match, mismatch, expect_one, expect_none, summarize  # noqa: F401
from .wire import (Wire, SimWire, US, US_MAC, PEER, PEER_MAC, OTHER, OTHER_MAC,  # noqa: F401
                   REMOTE, SUBNET_BCAST, BCAST_MAC, PREFIX)
from . import oracle  # noqa: F401
