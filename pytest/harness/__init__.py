"""The harness now ships in the seqs package as `seqs.testing` (a pytest plugin, usable
from any project). This package keeps `import harness...` working for the suites in
this repository: each harness.<module> IS seqs.testing.<module> (the same module
object, so classes and constants are shared). Only harness.report (the conformance
report of this repository's checklist) lives here. New code: import seqs.testing."""
from seqs.testing import *  # noqa: F401,F403
from seqs.testing import oracle  # noqa: F401
