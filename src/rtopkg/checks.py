"""Data-quality checks beyond SHACL: quotes against the source, and the stored checks of ``queries/checks/``.

``rtopkg check`` runs

* the quote check (:func:`rtopkg.quotes.check_quotes`): every ``rto:Quote`` occurs verbatim on its line of the
  project's copy of the source -- SHACL cannot read files, so the shapes only check a quote's structure;
* every ``queries/checks/*-violation.rq`` (the ODK convention): a SPARQL SELECT whose every row is a failure.
  Each file opens with the ``#+`` YAML header of the stored questions (``summary``, ``description``, ``tags``).

The checks run on the project's graph (ontology and data) in an in-memory Oxigraph store, under the wall-clock
limit of :func:`rtopkg.limits.run_limited`. Any failure makes the exit code 1.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from .errors import EXIT_NEGATIVE, EXIT_OK, InputError
from .limits import run_limited
from .paths import display_path, project

__all__ = ["Check", "CheckResult", "CheckReport", "load_checks", "run_checks", "render_checks"]

SUFFIX = "-violation.rq"


@dataclass(frozen=True)
class Check:
    """One stored check: ``queries/checks/NAME-violation.rq``."""

    name: str
    path: Path
    summary: str
    description: str
    query: str


@dataclass
class CheckResult:
    check: Check
    variables: list[str]
    rows: list[list[str]]  # each cell as N-Triples-ish text ("" when unbound)

    @property
    def failed(self) -> bool:
        return bool(self.rows)


@dataclass
class CheckReport:
    quotes_checked: int
    quote_problems: list = field(default_factory=list)  # rtopkg.quotes.QuoteProblem
    results: list[CheckResult] = field(default_factory=list)
    quotes_run: bool = True

    @property
    def failures(self) -> int:
        return (1 if self.quote_problems else 0) + sum(1 for r in self.results if r.failed)

    @property
    def exit_code(self) -> int:
        return EXIT_NEGATIVE if self.failures else EXIT_OK


def load_checks(folder: Path | None = None) -> list[Check]:
    """The checks of ``folder`` (default ``queries/checks/``), sorted by name, headers and queries checked."""
    from .catalogue import parse_question

    folder = folder or project().queries_dir / "checks"
    if not folder.is_dir():
        raise InputError(f"{display_path(folder)}: no such folder of checks")
    checks = []
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        question = parse_question(path)
        if question.params:
            raise InputError(f"{display_path(path)}: a check takes no parameters")
        checks.append(Check(name=path.name[: -len(SUFFIX)], path=path, summary=question.summary,
                            description=question.description, query=question.text))
    return checks


def _cell(term) -> str:
    if term is None:
        return ""
    return str(term)


def _run(paths: list[Path] | None, checks: list[Check], quotes: bool) -> CheckReport:
    import pyoxigraph as ox

    from .load import load_graph, load_store

    proj = project()
    files = paths if paths is not None else proj.graph_files()
    store = load_store(files)
    report = CheckReport(quotes_checked=0, quotes_run=quotes)
    if quotes:
        from .quotes import check_quotes

        report.quotes_checked, report.quote_problems = check_quotes(load_graph(files), proj.root)
    for check in checks:
        solutions = store.query(check.query)
        if not isinstance(solutions, ox.QuerySolutions):
            raise InputError(f"{display_path(check.path)}: a check must be a SELECT query")
        variables = [v.value for v in solutions.variables]
        rows = [[_cell(solution[v]) for v in variables] for solution in solutions]
        report.results.append(CheckResult(check, variables, rows))
    return report


def run_checks(paths: Sequence[str | os.PathLike[str]] | None = None, *, folder: Path | None = None,
               quotes: bool = True, timeout: float | None = None) -> CheckReport:
    """Run the quote check and the stored checks on ``paths`` (default: the project's ontology and data)."""
    from .load import expand_paths

    files = expand_paths(paths) if paths is not None else None
    checks = load_checks(folder)
    return run_limited(_run, files, checks, quotes, seconds=timeout, what="the checks")


def _short(text: str) -> str:
    from .prefixes import PREFIXES

    if text.startswith("<") and text.endswith(">"):
        iri = text[1:-1]
        best = max((p for p, ns in PREFIXES.items() if iri.startswith(ns)), key=lambda p: len(PREFIXES[p]), default=None)
        if best is not None:
            return f"{best}:{iri[len(PREFIXES[best]):]}"
    return text


def render_checks(report: CheckReport, fmt: str = "text") -> str:
    """The report as text (one line per check, failing rows below it, a summary) or JSON."""
    if fmt == "json":
        import json

        doc = {
            "failures": report.failures,
            "quotes": {"checked": report.quotes_checked, "problems": [str(p) for p in report.quote_problems]}
            if report.quotes_run else None,
            "checks": [{"name": r.check.name, "summary": r.check.summary, "file": display_path(r.check.path),
                        "failed": r.failed, "variables": r.variables, "rows": r.rows} for r in report.results],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if fmt != "text":
        raise InputError(f"--format {fmt!r}: expected text or json")
    lines = []
    if report.quotes_run:
        status = "FAIL" if report.quote_problems else "ok  "
        lines.append(f"{status} quotes: every quote stands verbatim on its line of the source "
                     f"({report.quotes_checked} checked, {len(report.quote_problems)} wrong)")
        lines.extend(f"       {_short('<' + p.quote + '>')}: {p.message}" for p in report.quote_problems)
    for r in report.results:
        lines.append(f"{'FAIL' if r.failed else 'ok  '} {r.check.name}: {r.check.summary}"
                     + (f" ({len(r.rows)} row{'s' if len(r.rows) != 1 else ''})" if r.failed else ""))
        if r.failed:
            lines.append("       " + "\t".join(f"?{v}" for v in r.variables))
            lines.extend("       " + "\t".join(_short(c) for c in row) for row in r.rows)
    total = len(report.results) + (1 if report.quotes_run else 0)
    lines.append(f"{total} checks, {report.failures} failed")
    return "\n".join(lines) + "\n"
