"""Reading W3C data-shapes style test cases (``mf:Manifest`` / ``sht:Validate``) and comparing results.

Used by the tests of the project's shapes (tests/shapes/) and of the W3C SHACL suite (tests/data/w3c-shacl/).
A case names its data graph and shapes graph (``mf:action``) and the expected ``sh:ValidationReport``
(``mf:result``), or ``sht:Failure`` when validation must fail.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlparse

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
SH = Namespace("http://www.w3.org/ns/shacl#")


def file_of(iri: URIRef) -> Path:
    return Path(unquote(urlparse(str(iri)).path))


@dataclass
class Case:
    name: str
    label: str
    file: Path
    data: Path
    shapes: Path
    failure: bool  # mf:result sht:Failure
    conforms: bool | None
    expected: list[dict]  # one dict per expected result: focus, path, severity, shape, component[, value]
    graph: Graph  # the case file's graph (to read expected blank nodes)


def load(path: Path) -> Graph:
    from rtopkg.load import load_graph

    return load_graph([path])


def _path_text(graph: Graph, path) -> str:
    from rtopkg.validate import _path_text as text

    return text(graph, path)


def _focus_text(graph: Graph, node) -> str:
    from rtopkg.validate import _bnode_text, _short

    return _bnode_text(node, graph) if isinstance(node, BNode) else _short(node)


def _expected(graph: Graph, report) -> list[dict]:
    out = []
    for r in graph.objects(report, SH.result):
        item = {
            "focus": _focus_text(graph, graph.value(r, SH.focusNode)),
            "severity": graph.value(r, SH.resultSeverity),
            "shape": graph.value(r, SH.sourceShape),
            "component": graph.value(r, SH.sourceConstraintComponent),
        }
        path = graph.value(r, SH.resultPath)
        item["path"] = _path_text(graph, path) if path is not None else None
        value = graph.value(r, SH.value)
        if value is not None:
            item["value"] = _focus_text(graph, value) if isinstance(value, BNode) else value
        out.append(item)
    return out


def cases_in(path: Path, graph: Graph | None = None) -> Iterator[Case]:
    """The cases a manifest file lists (following ``mf:include``)."""
    graph = graph if graph is not None else load(path)
    for included in graph.objects(None, MF.include):
        yield from cases_in(file_of(included))
    for entries in graph.objects(None, MF.entries):
        for entry in Collection(graph, entries):
            entry_graph = graph
            where = file_of(entry)
            if (entry, RDF.type, None) not in graph and where.with_suffix(".ttl").is_file():
                where = where.with_suffix(".ttl")
                entry_graph = load(where)
            action = entry_graph.value(entry, MF.action)
            result = entry_graph.value(entry, MF.result)
            failure = result == SHT.Failure
            conforms = None if failure else bool(entry_graph.value(result, SH.conforms).toPython())
            yield Case(
                name=str(entry).rsplit("/", 1)[-1],
                label=str(entry_graph.value(entry, URIRef("http://www.w3.org/2000/01/rdf-schema#label")) or ""),
                file=where if where.is_file() else path,
                data=file_of(entry_graph.value(action, SHT.dataGraph)),
                shapes=file_of(entry_graph.value(action, SHT.shapesGraph)),
                failure=failure,
                conforms=conforms,
                expected=[] if failure else _expected(entry_graph, result),
                graph=entry_graph,
            )


def actual(result) -> list[dict]:
    """The results of a :class:`rtopkg.validate.ValidationResult` in the form of :func:`_expected`."""
    out = []
    for r in result.results:
        item = {
            "focus": r.focus_text,
            "severity": SH[r.severity],
            "shape": r.source_shape,
            "component": r.component,
            "path": r.path_text,
        }
        if r.value is not None:
            item["value"] = r.value
        out.append(item)
    return out


def _key(item: dict, with_value: bool) -> tuple:
    value = item.get("value")
    if isinstance(value, Literal):
        value = (str(value), value.datatype, value.language)
    return (item["focus"], item["severity"], item["shape"], item["component"], item["path"],
            value if with_value else None)


def differences(expected: list[dict], got: list[dict]) -> list[str]:
    """How two lists of results differ (empty when every expected result is there and nothing else).

    A result matches an expected one when focus node, severity, source shape, constraint component and path are
    equal, and the value too where the expected result gives one.
    """
    remaining = list(got)
    missing = []
    for exp in expected:
        with_value = "value" in exp
        for i, item in enumerate(remaining):
            if _key(item, with_value) == _key(exp, with_value):
                del remaining[i]
                break
        else:
            missing.append(exp)
    lines = [f"missing: {_show(m)}" for m in missing] + [f"unexpected: {_show(u)}" for u in remaining]
    return lines


def _show(item: dict) -> str:
    from rtopkg.validate import _short

    parts = [item["focus"], _short(item["shape"]), _short(item["component"]), _short(item["severity"])]
    if item.get("path"):
        parts.append(f"path {item['path']}")
    if "value" in item:
        parts.append(f"value {_short(item['value'])}")
    return " ".join(str(p) for p in parts)


def count_by_shape(items: list[dict]) -> Counter:
    return Counter(item["shape"] for item in items)
