#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Per-row report of the CONFORMANCE.md checklist: covered?, passing?, number of tests.

    tools/conformance_report.py [--rows E,A,I,C,U] [--require E,A,I,C,U] [--junit FILE]
                                [-- extra pytest args / test paths]

With --junit FILE it reads a junit XML written by a pytest run of this repo (the
pytest/conftest.py plugin attaches a `conformance` property to each marked
test). Without it, it runs pytest itself (/usr/bin/python3 -m pytest on
pytest/conformance and pytest/property by default, or the paths given after
--) and reports on that run.

--rows limits the table to row prefixes (or exact IDs); --require makes the
exit status non-zero when any row with those prefixes has no test, or has a
failing or skipped test. Rows come from pytest/conformance/rows.txt.
The same table is available inside pytest: --conformance-report / --require."""
import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "pytest"))

from harness import report  # noqa: E402


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--junit", help="junit XML from a previous pytest run (default: run pytest now)")
    ap.add_argument("--rows", help="show only these row prefixes/IDs, e.g. E,A,I,C,U")
    ap.add_argument("--require", help="exit 1 unless every row with these prefixes is covered and passing")
    ap.add_argument("--python", default="/usr/bin/python3", help="interpreter for the pytest run")
    args = ap.parse_args(argv)

    pytest_rc = 0
    if args.junit:
        junit = args.junit
    else:
        fd, junit = tempfile.mkstemp(prefix="seqs-conformance-", suffix=".xml")
        os.close(fd)
        paths = extra or [str(REPO / "pytest" / "conformance"), str(REPO / "pytest" / "property")]
        cmd = [args.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "junit_family=xunit1",
               f"--junitxml={junit}"] + paths
        print("running:", " ".join(cmd), file=sys.stderr)
        pytest_rc = subprocess.call(cmd, cwd=str(REPO))
        if pytest_rc not in (0, 1):
            print(f"pytest exited with {pytest_rc} (collection/usage error?)", file=sys.stderr)
    try:
        table = report.build(report.from_junit(junit), oracle=report.from_junit(junit, "conformance_oracle"))
    finally:
        if not args.junit:
            os.unlink(junit)
    prefixes = report.parse_prefixes(args.rows) or report.parse_prefixes(args.require)
    print(report.render(table, prefixes))
    bad = report.unmet(table, report.parse_prefixes(args.require))
    if bad:
        print("REQUIRED ROWS NOT PASSING: " + ", ".join(f"{r.rid}({r.status})" for r in bad))
        return 1
    if not args.junit and pytest_rc not in (0, 1):
        return pytest_rc
    return 0


if __name__ == "__main__":
    sys.exit(main())
