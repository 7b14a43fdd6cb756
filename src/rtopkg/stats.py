"""Coverage statistics of the graph: what it holds and how well every statement is sourced.

:func:`coverage` answers, with SPARQL on an in-memory Oxigraph store:

* resources per class (instances of the rtopkg classes and of ``org:Membership``);
* events per date precision, and how many events carry a date;
* statements with and without a quote (every described resource is a statement about itself; see
  docs/modelling.md), and quotes that nothing cites;
* claims, quotes and pillar links by basis, and mandates by modality.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import pyoxigraph as ox

__all__ = ["Coverage", "coverage", "coverage_of_store", "format_coverage"]

_PREFIXES = """
PREFIX rto: <https://w3id.org/rtopkg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

_ID = "https://w3id.org/rtopkg/id/"

_CLASSES = _PREFIXES + """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?class .
  FILTER(STRSTARTS(STR(?s), "https://w3id.org/rtopkg/id/"))
} GROUP BY ?class ORDER BY ?class
"""

_PRECISION = _PREFIXES + """
SELECT ?precision (COUNT(DISTINCT ?e) AS ?n) WHERE {
  ?e rto:datePrecision ?precision .
} GROUP BY ?precision ORDER BY ?precision
"""

_DATED = _PREFIXES + """
SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {
  { ?e schema:startDate ?d } UNION { ?e schema:endDate ?d }
  UNION { ?e rto:datePrecision <https://w3id.org/rtopkg/vocab/date-precision/disputed> }
}
"""

_STATEMENTS = _PREFIXES + """
SELECT ?quoted (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?type .
  FILTER(STRSTARTS(STR(?s), "https://w3id.org/rtopkg/id/"))
  FILTER NOT EXISTS { ?s a rto:Quote }
  FILTER NOT EXISTS { ?s a rto:SourceDocument }
  BIND(EXISTS { ?s rto:evidence ?q } AS ?quoted)
} GROUP BY ?quoted
"""

_UNCITED = _PREFIXES + """
SELECT (COUNT(DISTINCT ?q) AS ?n) WHERE {
  ?q a rto:Quote .
  FILTER NOT EXISTS { ?s rto:evidence ?q }
}
"""

_BASIS = _PREFIXES + """
SELECT ?kind ?basis (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s rto:basis ?basis ; a ?kind .
  VALUES ?kind { rto:Quote rto:Claim rto:PillarLink }
} GROUP BY ?kind ?basis ORDER BY ?kind ?basis
"""

_MODALITY = _PREFIXES + """
SELECT ?modality (COUNT(DISTINCT ?m) AS ?n) WHERE {
  ?m a rto:Mandate ; rto:modality ?modality .
} GROUP BY ?modality ORDER BY ?modality
"""


@dataclass
class Coverage:
    """The numbers :func:`coverage` reports (IRIs shortened to prefixed names)."""

    triples: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    precisions: dict[str, int] = field(default_factory=dict)
    dated_events: int = 0
    statements_with_quote: int = 0
    statements_without_quote: int = 0
    uncited_quotes: int = 0
    basis: dict[str, dict[str, int]] = field(default_factory=dict)
    modalities: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "triples": self.triples,
            "resources_per_class": self.classes,
            "events_per_date_precision": self.precisions,
            "dated_events": self.dated_events,
            "statements": {"with_quote": self.statements_with_quote, "without_quote": self.statements_without_quote},
            "uncited_quotes": self.uncited_quotes,
            "by_basis": self.basis,
            "mandates_by_modality": self.modalities,
        }


def _short(iri: str) -> str:
    from .prefixes import shorten

    return shorten(iri)


def _rows(store: ox.Store, query: str) -> Iterable[ox.QuerySolution]:
    return store.query(query)


def _value(term: object) -> str:
    return term.value if hasattr(term, "value") else str(term)


def coverage_of_store(store: ox.Store) -> Coverage:
    """Coverage statistics of the default graph of ``store``."""
    result = Coverage(triples=len(store))
    for row in _rows(store, _CLASSES):
        result.classes[_short(row["class"].value)] = int(row["n"].value)
    for row in _rows(store, _PRECISION):
        result.precisions[_short(row["precision"].value)] = int(row["n"].value)
    for row in _rows(store, _DATED):
        result.dated_events = int(row["n"].value)
    for row in _rows(store, _STATEMENTS):
        if row["quoted"].value == "true":
            result.statements_with_quote = int(row["n"].value)
        else:
            result.statements_without_quote = int(row["n"].value)
    for row in _rows(store, _UNCITED):
        result.uncited_quotes = int(row["n"].value)
    for row in _rows(store, _BASIS):
        kind = _short(row["kind"].value)
        result.basis.setdefault(kind, {})[_short(row["basis"].value)] = int(row["n"].value)
    for row in _rows(store, _MODALITY):
        result.modalities[_short(row["modality"].value)] = int(row["n"].value)
    return result


def coverage(paths: Sequence[str] | None = None) -> Coverage:
    """Coverage statistics of the given RDF files, or of the project's graph (ontology and data)."""
    from .load import load_project_store, load_store

    store = load_store(paths) if paths else load_project_store()
    return coverage_of_store(store)


def format_coverage(cov: Coverage, fmt: str = "text") -> str:
    """Render coverage statistics as aligned text, Markdown or JSON."""
    if fmt == "json":
        return json.dumps(cov.as_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    sections: list[tuple[str, list[tuple[str, int]]]] = [
        ("Resources per class", sorted(cov.classes.items(), key=lambda kv: (-kv[1], kv[0]))),
        ("Events per date precision", sorted(cov.precisions.items(), key=lambda kv: (-kv[1], kv[0]))),
        ("Statements", [("with a quote", cov.statements_with_quote), ("without a quote", cov.statements_without_quote),
                        ("quotes cited by nothing", cov.uncited_quotes)]),
    ]
    for kind, counts in sorted(cov.basis.items()):
        sections.append((f"{kind} by basis", sorted(counts.items())))
    sections.append(("Mandates by modality", sorted(cov.modalities.items())))
    lines: list[str] = []
    if fmt == "md":
        lines.append(f"**{cov.triples} triples**, {cov.dated_events} dated events.\n")
        for title, rows in sections:
            lines += [f"| {title} | count |", "|---|---:|"]
            lines += [f"| {name} | {n} |" for name, n in rows]
            lines.append("")
        return "\n".join(lines)
    lines.append(f"{cov.triples} triples; {cov.dated_events} dated events")
    for title, rows in sections:
        lines.append("")
        lines.append(title)
        width = max((len(name) for name, _ in rows), default=0)
        lines += [f"  {name.ljust(width)}  {n:>6}" for name, n in rows]
    return "\n".join(lines) + "\n"
