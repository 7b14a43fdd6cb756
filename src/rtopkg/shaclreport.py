"""Rendering a :class:`~rtopkg.validate.ValidationResult`: text, Turtle, JSON or GitHub workflow annotations.

Every format is deterministic: the same input gives byte-identical output (results are sorted by file, line and
focus node; blank nodes of the Turtle report get stable labels).

* ``text`` -- for people: results grouped by focus node under ``file:line  focus``, each with its severity,
  path, value, message and shape, then a one-line summary of counts.
* ``turtle`` -- the standard SHACL ``sh:ValidationReport``.
* ``json`` -- the summary and one object per result (file, line, focus node, path, value, message, severity,
  source shape, constraint component).
* ``github`` -- one ``::error``/``::warning``/``::notice`` workflow command per result, with ``file`` and
  ``line``, so that GitHub Actions shows each result on the line of the data file; then the summary.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .validate import Result, ValidationResult

__all__ = ["FORMATS", "render", "summary"]

#: The output formats of ``rtopkg validate --format``.
FORMATS = ("text", "turtle", "json", "github")

SH = "http://www.w3.org/ns/shacl#"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(result: "ValidationResult", fail_on: str = "violation") -> str:
    """The one-line summary: counts, what was validated, and the verdict under ``fail_on``."""
    counts = result.counts
    if result.conforms:
        verdict = "conforms"
    elif result.failed(fail_on):
        verdict = f"does not conform (fails on {fail_on}s)"
    else:
        verdict = f"passes: no {'violations' if fail_on == 'violation' else 'violations or warnings'}"
    focus = result.focus_nodes
    return (f"{_plural(counts['Violation'], 'violation')}, {_plural(counts['Warning'], 'warning')}, "
            f"{_plural(counts['Info'], 'info')} on {_plural(focus, 'focus node')} "
            f"({result.triples} triples in {_plural(len(result.data_files), 'file')}; "
            f"{_plural(len(result.shapes_files), 'shapes file')}; {result.engine}, inference {result.inference}): "
            f"{verdict}")


def _short(term: object) -> str:
    from .validate import _short as short

    return short(term)


def _text(result: "ValidationResult", fail_on: str) -> str:
    lines: list[str] = []
    current = None
    for r in result.results:
        key = (r.file, r.line, r.focus_text, r.focus if not r.focus_text.startswith("[") else None)
        if key != current:
            if current is not None:
                lines.append("")
            lines.append(f"{r.where}  {r.focus_text}")
            current = key
        head = f"  {r.severity}"
        if r.path_text:
            head += f"  {r.path_text}"
        if r.value is not None and r.value != r.focus:
            head += f" = {_short(r.value)}"
        lines.append(head)
        lines.append(f"      {r.message or '(no message)'}  [{_short(r.source_shape)}]")
    if lines:
        lines.append("")
    lines.append(summary(result, fail_on))
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


_GITHUB_LEVEL = {"Violation": "error", "Warning": "warning", "Info": "notice"}


def _github(result: "ValidationResult", fail_on: str) -> str:
    lines = []
    for r in result.results:
        props = []
        if r.file:
            props.append(f"file={_escape_property(r.file)}")
            if r.line:
                props.append(f"line={r.line}")
        props.append(f"title={_escape_property(f'SHACL {r.severity}: {_short(r.source_shape)}')}")
        where = r.focus_text + (f" {r.path_text}" if r.path_text else "")
        value = f" = {_short(r.value)}" if r.value is not None and r.value != r.focus else ""
        lines.append(f"::{_GITHUB_LEVEL[r.severity]} {','.join(props)}::{_escape_data(f'{where}{value}: {r.message}')}")
    lines.append(summary(result, fail_on))
    return "\n".join(lines) + "\n"


def _term_json(term: object) -> str | None:
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, Literal):
        return term.n3()
    if isinstance(term, BNode):
        return "_:"  # blank nodes have no name outside their graph; see "focus" for where it sits
    return str(term)


def _json(result: "ValidationResult", fail_on: str) -> str:
    doc = {
        "conforms": result.conforms,
        "failed": result.failed(fail_on),
        "failOn": fail_on,
        "counts": {k.lower(): v for k, v in result.counts.items()},
        "triples": result.triples,
        "engine": result.engine,
        "inference": result.inference,
        "dataFiles": result.data_files,
        "shapesFiles": result.shapes_files,
        "summary": summary(result, fail_on),
        "results": [_result_json(r) for r in result.results],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _result_json(r: "Result") -> dict:
    return {
        "file": r.file,
        "line": r.line,
        "focusNode": _term_json(r.focus),
        "focus": r.focus_text,
        "path": r.path_text,
        "value": _term_json(r.value),
        "severity": r.severity,
        "message": r.message,
        "sourceShape": _term_json(r.source_shape),
        "sourceConstraintComponent": _term_json(r.component),
    }


def _turtle(result: "ValidationResult") -> str:
    """The standard report, rebuilt in result order with stable blank-node labels."""
    from rdflib import RDF, BNode, Graph, Literal, URIRef
    from rdflib.namespace import XSD

    from .validate import SHAPES_NS
    from .vocab import PREFIXES

    source = result.report
    out = Graph(bind_namespaces="none")
    for prefix, ns in {**PREFIXES, "rtosh": SHAPES_NS}.items():
        out.bind(prefix, ns)
    labels: dict[object, BNode] = {}

    def label(node: object, hint: str) -> object:
        if not isinstance(node, BNode):
            return node
        if node not in labels:
            labels[node] = BNode(f"{hint}{len(labels) + 1}")
        return labels[node]

    def copy(node: object, seen: set) -> None:
        """Copy the blank-node tree below ``node`` (paths, details) with stable labels, in a stable order."""
        if not isinstance(node, BNode) or node in seen:
            return
        seen.add(node)
        for p, o in sorted(source.predicate_objects(node), key=lambda po: (str(po[0]), _sort_term(po[1]))):
            out.add((label(node, "b"), p, label(o, "b")))
            copy(o, seen)

    report = BNode("report")
    out.add((report, RDF.type, URIRef(SH + "ValidationReport")))
    out.add((report, URIRef(SH + "conforms"), Literal(result.conforms, datatype=XSD.boolean)))
    for i, r in enumerate(result.results, start=1):
        node = BNode(f"r{i}")
        out.add((report, URIRef(SH + "result"), node))
        out.add((node, RDF.type, URIRef(SH + "ValidationResult")))
        out.add((node, URIRef(SH + "focusNode"), label(r.focus, "focus")))
        out.add((node, URIRef(SH + "resultSeverity"), URIRef(SH + r.severity)))
        if r.source_shape is not None:
            out.add((node, URIRef(SH + "sourceShape"), label(r.source_shape, "shape")))
        if r.component is not None:
            out.add((node, URIRef(SH + "sourceConstraintComponent"), r.component))
        if r.value is not None:
            out.add((node, URIRef(SH + "value"), label(r.value, "value")))
        if r.message:
            out.add((node, URIRef(SH + "resultMessage"), Literal(r.message)))
        original = r.node
        if r.path is not None:
            out.add((node, URIRef(SH + "resultPath"), label(r.path, "path")))
            copy(r.path, set())
        if original is not None:
            constraint = source.value(original, URIRef(SH + "sourceConstraint"))
            if constraint is not None:
                out.add((node, URIRef(SH + "sourceConstraint"), label(constraint, "constraint")))
    text = out.serialize(format="turtle")
    return text if text.endswith("\n") else text + "\n"


def _sort_term(term: object) -> str:
    return f"{type(term).__name__}:{term}"


def render(result: "ValidationResult", fmt: str = "text", fail_on: str = "violation") -> str:
    """``result`` in one of :data:`FORMATS`."""
    from .errors import InputError

    if fmt == "text":
        return _text(result, fail_on)
    if fmt == "github":
        return _github(result, fail_on)
    if fmt == "json":
        return _json(result, fail_on)
    if fmt == "turtle":
        return _turtle(result)
    raise InputError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
