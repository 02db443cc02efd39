# SPDX-License-Identifier: BSD-3-Clause
"""Conformance-row report: which CONFORMANCE.md rows are covered by tests, and passing.

Rows come from pytest/conformance/rows.txt (our committed copy: ID<TAB>title).
Tests name their rows with @pytest.mark.conformance("A5") (several IDs allowed).

Two front ends share the code here:
  * the pytest plugin (registered by pytest/conftest.py):
        pytest --conformance-report [--conformance-rows E,A] [--require E,A,I,C,U]
    prints the table at the end; with --require the run exits non-zero when a
    required row has no test, or any of its tests failed or was skipped.
    Every marked test also gets a junit property  conformance=<ID>.
  * tools/conformance_report.py, which reads a junit XML file (or runs pytest).
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROWS_FILE = Path(__file__).resolve().parent.parent / "conformance" / "rows.txt"


def load_rows(path: Path = ROWS_FILE) -> list[tuple[str, str]]:
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        rid, _, title = line.partition("\t")
        rows.append((rid.strip(), title.strip()))
    return rows


def parse_prefixes(spec: str | None) -> list[str] | None:
    """'E,A,I' -> ['E','A','I']; also accepts exact IDs ('T11') and ranges of none."""
    if not spec:
        return None
    return [p.strip().upper() for p in spec.split(",") if p.strip()]


def row_selected(rid: str, prefixes: list[str] | None) -> bool:
    if prefixes is None:
        return True
    for p in prefixes:
        if re.fullmatch(r"[A-Z]+\d+", p):
            if rid == p:
                return True
        elif re.fullmatch(r"[A-Z]+", p) and re.fullmatch(p + r"\d+", rid):
            return True
    return False


@dataclass
class RowResult:
    rid: str
    title: str
    tests: dict = field(default_factory=dict)  # test id -> 'passed'|'failed'|'skipped'
    oracle: dict = field(default_factory=dict)  # Linux cross-check case id -> outcome

    @property
    def covered(self) -> bool:
        return bool(self.tests)

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.tests.values() if o == outcome)

    @property
    def passing(self) -> bool:
        return self.covered and self.count("passed") == len(self.tests)

    @property
    def status(self) -> str:
        if not self.covered:
            return "MISSING"
        if self.count("failed"):
            return "FAIL"
        if self.passing:
            return "PASS"
        return "SKIP"


def build(results: dict[str, dict[str, str]], rows=None, oracle: dict | None = None) -> list[RowResult]:
    """results: row id -> {test id: outcome}; oracle: row id -> {Linux cross-check
    case: outcome} (tests of the tests, not of seqs). Unknown row IDs are reported too."""
    rows = rows if rows is not None else load_rows()
    oracle = oracle or {}
    out = [RowResult(rid, title, dict(results.get(rid, {})), dict(oracle.get(rid, {}))) for rid, title in rows]
    known = {rid for rid, _ in rows}
    for rid in sorted(set(results) - known):
        out.append(RowResult(rid, "(not in rows.txt!)", dict(results[rid]), dict(oracle.get(rid, {}))))
    return out


def render(table: list[RowResult], prefixes: list[str] | None = None) -> str:
    sel = [r for r in table if row_selected(r.rid, prefixes) or r.title.startswith("(not in")]
    show_oracle = any(r.oracle for r in table)
    head = f"{'row':<5} {'status':<7} {'tests':>5} {'pass':>4} {'fail':>4} {'skip':>4}"
    lines = [head + (f" {'linux':>6}" if show_oracle else "") + "  title"]
    for r in sel:
        line = (f"{r.rid:<5} {r.status:<7} {len(r.tests):>5} {r.count('passed'):>4} "
                f"{r.count('failed'):>4} {r.count('skipped'):>4}")
        if show_oracle:
            ok = sum(1 for o in r.oracle.values() if o == "passed")
            line += f" {f'{ok}/{len(r.oracle)}' if r.oracle else '-':>6}"
        lines.append(line + f"  {r.title}")
    cov = sum(1 for r in sel if r.covered)
    ok = sum(1 for r in sel if r.passing)
    scope = ",".join(prefixes) if prefixes else "all"
    if show_oracle:
        lines.append("linux: conformance tests also confirmed against the Linux kernel (passing/run)")
    lines.append(f"rows ({scope}): {len(sel)}  covered: {cov}  passing: {ok}  "
                 f"missing: {len(sel) - cov}  failing: {sum(1 for r in sel if r.status == 'FAIL')}")
    return "\n".join(lines)


def unmet(table: list[RowResult], required: list[str] | None) -> list[RowResult]:
    """Required rows that are missing, failing or only skipped."""
    if not required:
        return []
    return [r for r in table if row_selected(r.rid, required) and not r.passing]


def from_junit(path: str, prop: str = "conformance") -> dict[str, dict[str, str]]:
    """Row results from a junit XML file whose testcases carry conformance properties
    (prop="conformance_oracle" for the Linux cross-checks)."""
    results: dict[str, dict[str, str]] = {}
    root = ET.parse(path).getroot()
    for tc in root.iter("testcase"):
        rids = [p.get("value") for p in tc.iter("property") if p.get("name") == prop]
        if not rids:
            continue
        if tc.find("failure") is not None or tc.find("error") is not None:
            outcome = "failed"
        elif tc.find("skipped") is not None:
            outcome = "skipped"
        else:
            outcome = "passed"
        tid = f"{tc.get('classname')}::{tc.get('name')}"
        for rid in rids:
            prev = results.setdefault(rid, {}).get(tid)
            results[rid][tid] = _worse(prev, outcome)
    return results


def _worse(a: str | None, b: str) -> str:
    order = {None: -1, "passed": 0, "skipped": 1, "failed": 2}
    return a if order[a] > order[b] else b


class ConformancePlugin:
    """pytest plugin: collects conformance markers and outcomes, prints the table."""

    def __init__(self, config):
        self.config = config
        self.item_rows: dict[str, list[str]] = {}
        self.oracle_rows: dict[str, list[str]] = {}
        self.outcomes: dict[str, str] = {}

    def pytest_collection_modifyitems(self, session, config, items):
        for item in items:
            for marker, table in (("conformance", self.item_rows), ("conformance_oracle", self.oracle_rows)):
                rids = []
                for m in item.iter_markers(marker):
                    rids.extend(str(a) for a in m.args)
                if rids:
                    table[item.nodeid] = rids
                    for rid in rids:
                        item.user_properties.append((marker, rid))

    def pytest_runtest_logreport(self, report):
        if report.nodeid not in self.item_rows and report.nodeid not in self.oracle_rows:
            return
        if report.failed:
            outcome = "failed"
        elif report.skipped:
            outcome = "skipped" if not hasattr(report, "wasxfail") else "failed"
        elif report.when == "call":
            outcome = "passed"
        else:
            return
        self.outcomes[report.nodeid] = _worse(self.outcomes.get(report.nodeid), outcome)

    def results(self, table=None) -> dict[str, dict[str, str]]:
        res: dict[str, dict[str, str]] = {}
        for nodeid, rids in (self.item_rows if table is None else table).items():
            outcome = self.outcomes.get(nodeid)
            if outcome is None:
                continue  # deselected or not run
            for rid in rids:
                res.setdefault(rid, {})[nodeid] = outcome
        return res

    def _table(self):
        return build(self.results(), oracle=self.results(self.oracle_rows))

    def pytest_sessionfinish(self, session, exitstatus):
        required = parse_prefixes(self.config.getoption("conformance_require"))
        bad = unmet(self._table(), required)
        if bad and session.exitstatus == 0:
            session.exitstatus = 1

    def pytest_terminal_summary(self, terminalreporter, exitstatus, config):
        required = parse_prefixes(config.getoption("conformance_require"))
        if not (config.getoption("conformance_report") or required):
            return
        prefixes = parse_prefixes(config.getoption("conformance_rows")) or required
        table = self._table()
        terminalreporter.write_sep("=", "conformance rows")
        terminalreporter.write_line(render(table, prefixes))
        bad = unmet(table, required)
        if bad:
            terminalreporter.write_line(
                "REQUIRED ROWS NOT PASSING: " + ", ".join(f"{r.rid}({r.status})" for r in bad), red=True)


def addoption(parser):
    g = parser.getgroup("seqs conformance")
    g.addoption("--conformance-report", action="store_true", default=False,
                help="print per-row coverage/pass table of CONFORMANCE.md rows")
    g.addoption("--conformance-rows", default=None, metavar="PREFIXES",
                help="only show these rows in the report, e.g. E,A,I,C,U or T11")
    g.addoption("--require", dest="conformance_require", default=None, metavar="PREFIXES",
                help="fail the run unless every row with these prefixes has tests that all pass")
