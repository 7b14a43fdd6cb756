"""Checking quotes against the source documents they cite.

A quote matches when its text occurs in the cited line of the project's copy of the source, after folding
non-breaking spaces into spaces and runs of white space into one space (and nothing else: curly quotes, dashes
and the source's own typos must be exactly as printed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .paths import project

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph

__all__ = ["fold", "QuoteProblem", "check_quotes"]

_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Fold non-breaking spaces and runs of white space into single spaces, and trim."""
    return _SPACE.sub(" ", text.replace("\u00a0", " ")).strip()


@dataclass(frozen=True)
class QuoteProblem:
    quote: str  # the quote's IRI
    message: str

    def __str__(self) -> str:
        return f"{self.quote}: {self.message}"


def check_quotes(graph: "Graph", root: Path | None = None) -> tuple[int, list[QuoteProblem]]:
    """Check every ``rto:Quote`` of ``graph``; return how many were checked and the problems found."""
    from rdflib import RDF, Literal

    from .vocab import PROV, RTO

    root = root or project().root
    sources: dict[object, list[str]] = {}
    for doc in graph.subjects(RDF.type, RTO.SourceDocument):
        local = graph.value(doc, RTO.localCopy)
        if local is None:
            continue
        path = root / str(local)
        if path.is_file():
            sources[doc] = [fold(line) for line in path.read_text(encoding="utf-8").splitlines()]

    problems: list[QuoteProblem] = []
    checked = 0
    for quote in sorted(set(graph.subjects(RDF.type, RTO.Quote))):
        checked += 1
        values = list(graph.objects(quote, PROV.value))
        docs = list(graph.objects(quote, PROV.wasQuotedFrom))
        lines = list(graph.objects(quote, RTO.sourceLine))
        if len(values) != 1 or not isinstance(values[0], Literal):
            problems.append(QuoteProblem(str(quote), f"needs exactly one prov:value text, has {len(values)}"))
            continue
        if len(docs) != 1 or docs[0] not in sources:
            problems.append(QuoteProblem(str(quote), "needs exactly one prov:wasQuotedFrom a source document with a local copy"))
            continue
        text = fold(str(values[0]))
        if not text:
            problems.append(QuoteProblem(str(quote), "is empty"))
            continue
        source_lines = sources[docs[0]]
        where = [n for n, line in enumerate(source_lines, start=1) if text in line]
        if not where:
            problems.append(QuoteProblem(str(quote), f"does not occur verbatim in the source: {text!r}"))
        elif len(lines) != 1:
            problems.append(QuoteProblem(str(quote), f"needs exactly one rto:sourceLine (it occurs on line {where[0]})"))
        elif int(lines[0]) not in where:
            problems.append(QuoteProblem(str(quote), f"rto:sourceLine is {lines[0]} but the text occurs on line(s) {where}"))
    return checked, problems
