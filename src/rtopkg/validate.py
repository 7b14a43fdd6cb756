"""SHACL validation of RDF files, with reports that point at the file and line of each focus node.

:func:`validate` loads the data files (by default the project's ontology and data) and the shapes files (by
default ``shapes/``), runs a SHACL engine (pyshacl by default, with SHACL-SPARQL) and returns a
:class:`ValidationResult` whose results carry the focus node, the file and line where its subject block starts,
the path, the offending value, the message, the severity, the source shape and the constraint component.
:mod:`rtopkg.shaclreport` renders it as text, Turtle (the standard ``sh:ValidationReport``), JSON or GitHub
workflow annotations.

Safety: nothing is fetched. ``owl:imports`` are never followed, and shapes whose SPARQL could reach the network
(``SERVICE``, ``FROM``, ``FROM NAMED``, ``LOAD``) are refused before anything runs. The engine runs under the
wall-clock limit of :func:`rtopkg.limits.run_limited`, in a forked child, so neither a runaway constraint nor
inference can change the caller's graphs.

Verdicts: :attr:`ValidationResult.conforms` is SHACL's ``sh:conforms`` (no result at all, whatever its
severity), the verdict the W3C test suite checks. :meth:`ValidationResult.failed` applies the ``--fail-on``
policy of the command line: results of severity ``sh:Info`` never fail, ``sh:Warning`` fails only with
``fail_on="warning"``.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from .errors import EXIT_NEGATIVE, EXIT_OK, InputError, RefusedError
from .limits import run_limited
from .load import SourceIndex, expand_paths, parse_file, to_rdflib
from .paths import display_path, project

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph

__all__ = [
    "ENGINES",
    "Engine",
    "INFERENCE",
    "FAIL_ON",
    "SEVERITIES",
    "Result",
    "ValidationResult",
    "validate",
    "prepare",
    "Prepared",
    "pyshacl_engine",
    "oxigraph_engine",
    "refuse_remote_sparql",
    "meta_validate_shapes",
    "results_from_report",
]

SH = "http://www.w3.org/ns/shacl#"
#: The namespace of the project's shapes (prefix ``rtosh:``).
SHAPES_NS = "https://w3id.org/rtopkg/shapes#"
_SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"

#: The inference regimes of ``--inference`` (applied by the engine to a copy of the data graph).
INFERENCE = ("none", "rdfs", "owlrl")
#: The choices of ``--fail-on``.
FAIL_ON = ("violation", "warning")
#: Severity names, most severe first.
SEVERITIES = ("Violation", "Warning", "Info")
_RANK = {name: i for i, name in enumerate(SEVERITIES)}

#: An engine: ``engine(data, shapes, inference) -> report``. See :data:`ENGINES`.
Engine = Callable[..., "Graph"]


# ----------------------------------------------------------------------------------------------------------
# Engines
# ----------------------------------------------------------------------------------------------------------


_PARSED: dict = {}
_CACHE_SIZE = 512


class _CachedSparqlParsing:
    """Parse each SPARQL text once while the engine runs.

    pyshacl evaluates a SHACL-SPARQL constraint once per focus node with the same query text and ``$this``
    pre-bound; rdflib would parse and translate the text every time (about 0.1 s each), which dominates the run.
    The translated query is the same for every focus node, so it is cached by text, base and namespaces (for
    the life of the process, up to :data:`_CACHE_SIZE` texts: a validation in the same process reuses them).
    """

    def __enter__(self):
        from rdflib.plugins.sparql import processor

        self._processor = processor
        self._original = processor.SPARQLProcessor.query
        cache = _PARSED
        original = self._original

        def query(this, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
            if isinstance(strOrQuery, str):
                key = (strOrQuery, base, tuple(sorted((initNs or {}).items())))
                prepared = cache.get(key)
                if prepared is None:
                    prepared = processor.translateQuery(processor.parseQuery(strOrQuery), base, initNs)
                    if len(cache) >= _CACHE_SIZE:
                        cache.clear()
                    cache[key] = prepared
                strOrQuery = prepared
            return original(this, strOrQuery, initBindings, initNs, base, DEBUG)

        processor.SPARQLProcessor.query = query
        return self

    def __exit__(self, *exc):
        self._processor.SPARQLProcessor.query = self._original
        return False


class _quiet:
    """Silence the libraries' log lines and warnings while an engine runs (results come back as a report)."""

    def __enter__(self):
        import logging
        import warnings

        self._disabled = logging.root.manager.disable
        logging.disable(logging.CRITICAL)
        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.simplefilter("ignore")
        return self

    def __exit__(self, *exc):
        import logging

        self._warnings.__exit__(*exc)
        logging.disable(self._disabled)
        return False


def pyshacl_engine(data: "Graph", shapes: "Graph", inference: str) -> "Graph":
    """Validate with pyshacl: SHACL Core and SHACL-SPARQL (``advanced=True``), never following ``owl:imports``.

    Inference (``rdfs`` or ``owlrl``) is applied by pyshacl to a copy of ``data``; ``data`` is not changed.
    The report keeps SHACL's own ``sh:conforms`` (warnings and infos count as results).
    """
    import pyshacl
    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError

    try:
        with _quiet(), _CachedSparqlParsing():
            _conforms, report, _text = pyshacl.validate(
                data,
                shacl_graph=shapes,
                inference=None if inference == "none" else inference,
                advanced=True,
                inplace=False,
                allow_warnings=False,
                allow_infos=False,
                do_owl_imports=False,
                js=False,
            )
    except (ReportableRuntimeError, ShapeLoadError, ConstraintLoadError) as exc:
        raise InputError(f"the shapes cannot be used: {getattr(exc, 'message', exc)}") from None
    except NotImplementedError as exc:
        raise InputError(f"the shapes use a SHACL feature pyshacl does not support: {exc}") from None
    except RecursionError:
        raise InputError("the shapes cannot be used: they recurse without end") from None
    except Exception as exc:  # noqa: BLE001 - rdflib's SPARQL parser raises bare Exceptions for bad queries
        if type(exc).__module__.split(".")[0] not in ("rdflib", "pyparsing", "pyshacl", "builtins"):
            raise
        raise InputError(f"the shapes cannot be used: {type(exc).__name__}: {exc}") from None
    if not hasattr(report, "triples"):  # pyshacl returns the exception on a validation failure
        raise InputError(f"the shapes cannot be used: {getattr(report, 'message', report)}")
    return report


pyshacl_engine.accepts_paths = False  # type: ignore[attr-defined]

#: The SHACL engines ``validate`` can run, by name (``rtopkg validate --engine NAME``; ``pyshacl`` by default).
#:
#: An engine is a function ``engine(data, shapes, inference) -> rdflib.Graph``:
#:
#: * ``data`` -- the data graph as an ``rdflib.Graph`` (the ontology files and the data files merged, with
#:   blank-node identities as loaded), which the engine must not change; or, when the function has the attribute
#:   ``accepts_paths = True``, the list of the data files as ``pathlib.Path``, already checked to parse (the part
#:   of the ontology mixed in comes first, as a temporary N-Triples file), so that a store-based engine can load
#:   them its own way without rdflib;
#: * ``shapes`` -- the shapes graph as an ``rdflib.Graph``, already checked: no SPARQL that reaches the network,
#:   and ``owl:imports`` are never to be followed;
#: * ``inference`` -- ``"none"``, ``"rdfs"`` or ``"owlrl"``, applied to a copy of the data, never to ``data``.
#:
#: It returns an ``rdflib.Graph`` holding one standard ``sh:ValidationReport`` with ``sh:conforms`` and one
#: ``sh:result`` per ``sh:ValidationResult`` (``sh:focusNode``, ``sh:resultSeverity``, ``sh:sourceShape``,
#: ``sh:sourceConstraintComponent``, and when they apply ``sh:resultPath``, ``sh:value``, ``sh:resultMessage``).
#: It raises :class:`rtopkg.errors.InputError` for shapes it cannot use, and never touches the network. Engines
#: run inside :func:`rtopkg.limits.run_limited` (a forked child with a wall-clock limit).
ENGINES: dict[str, Engine] = {"pyshacl": pyshacl_engine}


def oxigraph_engine(data, shapes: "Graph", inference: str) -> "Graph":
    """Validate with :mod:`rtopkg.shacl_fast`: the shapes compiled to SPARQL on an in-memory Oxigraph store.

    It loads the data files itself (``accepts_paths``); shapes it cannot evaluate exactly are an input error.
    """
    from .shacl_fast import Unsupported, validate as fast_validate

    try:
        return fast_validate(data, shapes, inference)
    except Unsupported as exc:
        raise InputError(f"the oxigraph engine cannot validate this exactly: {exc} (use --engine pyshacl)") from None


oxigraph_engine.accepts_paths = True  # type: ignore[attr-defined]
ENGINES["oxigraph"] = oxigraph_engine


# ----------------------------------------------------------------------------------------------------------
# Safety
# ----------------------------------------------------------------------------------------------------------

_SPARQL_TEXT = ("select", "ask", "construct", "update")
_COMMENT_OR_STRING = re.compile(
    r'"""[\s\S]*?"""' r"|'''[\s\S]*?'''" r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\s]*>' r"|#[^\n]*")
_REMOTE = re.compile(r"(?<![\w:?$])(SERVICE|FROM|LOAD)(?![\w:])", re.IGNORECASE)


def refuse_remote_sparql(shapes: "Graph", what: str = "the shapes") -> None:
    """Refuse SHACL-SPARQL that could reach the network: ``SERVICE``, ``FROM``/``FROM NAMED`` or ``LOAD``.

    rdflib's SPARQL engine would fetch such graphs over HTTP; validation must never do so.
    """
    from rdflib import Literal, URIRef

    for name in _SPARQL_TEXT:
        for node, text in shapes.subject_objects(URIRef(SH + name)):
            if not isinstance(text, Literal):
                continue
            stripped = _COMMENT_OR_STRING.sub(" ", str(text))
            found = _REMOTE.search(stripped)
            if found:
                raise RefusedError(f"{what}: refused the SPARQL of {_short(node)}: it uses {found.group(1).upper()}, "
                                   "which could reach the network (validation never leaves this machine)")


def meta_validate_shapes(shapes: "Graph") -> list[str]:
    """Check ``shapes`` against SHACL-for-SHACL (pyshacl's meta-shacl); return the problems found (empty if none)."""
    from pyshacl.entrypoints import meta_validate

    with _quiet():
        conforms, report, _text = meta_validate(shapes, inference="rdfs")
    if conforms:
        return []
    return [f"{_short(r.focus)} {_short(r.path) if r.path is not None else ''}: {r.message}".replace("  ", " ")
            for r in results_from_report(report)]


# ----------------------------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """One SHACL validation result, with where its focus node is written."""

    focus: object  # rdflib term
    severity: str  # "Violation", "Warning" or "Info"
    message: str
    source_shape: object
    component: object
    path: object | None = None  # an IRI, or a blank node of the report graph for a complex path
    path_text: str | None = None  # the path as SPARQL property-path text
    value: object | None = None
    file: str | None = None
    line: int | None = None
    focus_text: str = ""  # the focus node as a reader sees it (prefixed name, or where a blank node sits)
    node: object | None = field(default=None, compare=False, repr=False)  # the result's node in the report graph

    @property
    def where(self) -> str:
        if self.file is None:
            return "(not found in the files)"
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass
class ValidationResult:
    """The outcome of :func:`validate`."""

    conforms: bool
    results: list[Result]
    report: "Graph"
    data_files: list[str]
    shapes_files: list[str]
    ontology_files: list[str]
    inference: str
    engine: str
    triples: int
    index: SourceIndex = field(repr=False, default_factory=SourceIndex)

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    @property
    def counts(self) -> dict[str, int]:
        return {name: self.count(name) for name in SEVERITIES}

    def failed(self, fail_on: str = "violation") -> bool:
        """Whether the results fail the ``--fail-on`` policy (Info never fails)."""
        if fail_on not in FAIL_ON:
            raise InputError(f"--fail-on {fail_on!r}: expected one of {', '.join(FAIL_ON)}")
        limit = _RANK["Violation"] if fail_on == "violation" else _RANK["Warning"]
        return any(_RANK[r.severity] <= limit for r in self.results)

    def exit_code(self, fail_on: str = "violation") -> int:
        return EXIT_NEGATIVE if self.failed(fail_on) else EXIT_OK

    @property
    def focus_nodes(self) -> int:
        return len({r.focus for r in self.results})


def _short(term: object) -> str:
    """A term as a reader sees it: a prefixed name where a project prefix fits, else ``<iri>`` or the literal."""
    from rdflib import BNode, Literal, URIRef

    from .vocab import PREFIXES

    prefixes = {**PREFIXES, "rtosh": SHAPES_NS}
    if isinstance(term, URIRef):
        text = str(term)
        best = None
        for prefix, ns in prefixes.items():
            if text.startswith(ns) and (best is None or len(ns) > len(prefixes[best])):
                local = text[len(ns):]
                if re.fullmatch(r"[A-Za-z0-9_][\w.\-]*", local or "x") and not local.endswith("."):
                    best = prefix
        if best is not None:
            return f"{best}:{text[len(prefixes[best]):]}"
        return f"<{text}>"
    if isinstance(term, Literal):
        return term.n3()
    if isinstance(term, BNode):
        return "[]"
    return str(term)


def _path_text(report: "Graph", path: object) -> str:
    """A SHACL property path of the report graph as SPARQL property-path text."""
    from rdflib import RDF, BNode, URIRef
    from rdflib.collection import Collection

    sh = lambda name: URIRef(SH + name)  # noqa: E731
    if isinstance(path, URIRef):
        return _short(path)
    if isinstance(path, BNode):
        if (path, RDF.first, None) in report:
            return "/".join(_path_text(report, p) for p in Collection(report, path))
        for name, fmt in (("inversePath", "^{}"), ("zeroOrMorePath", "{}*"), ("oneOrMorePath", "{}+"),
                          ("zeroOrOnePath", "{}?")):
            inner = report.value(path, sh(name))
            if inner is not None:
                return fmt.format(_path_text(report, inner))
        alternatives = report.value(path, sh("alternativePath"))
        if alternatives is not None:
            return "(" + "|".join(_path_text(report, p) for p in Collection(report, alternatives)) + ")"
    return str(path)


def _bnode_text(node: object, graph: "Graph | None", seen: frozenset = frozenset()) -> str:
    """Where a blank node sits: ``membership:x org:memberDuring/time:hasBeginning``.

    The path is found by walking up to a named resource; of several ways up the first in text order is taken,
    so that the answer does not depend on blank-node labels. Links from SHACL terms (``sh:focusNode`` of a
    report that sits in the same graph) are not ways up.
    """
    from rdflib import BNode

    if graph is None or node in seen:
        return "[]"
    options = []
    for parent, predicate in graph.subject_predicates(node):
        if str(predicate).startswith(SH):
            continue
        if isinstance(parent, BNode):
            options.append(f"{_bnode_text(parent, graph, seen | {node})}/{_short(predicate)}")
        else:
            options.append(f"{_short(parent)} {_short(predicate)}")
    return min(options) if options else "[]"


def _message(report: "Graph", node: object) -> str:
    from rdflib import Literal, URIRef

    messages = [m for m in report.objects(node, URIRef(SH + "resultMessage")) if isinstance(m, Literal)]
    if not messages:
        return ""
    english = sorted(str(m) for m in messages if (m.language or "").lower().startswith("en"))
    return " ".join((english or sorted(str(m) for m in messages))[0].split())


def results_from_report(report: "Graph", *, index: SourceIndex | None = None,
                        data: "Graph | None" = None) -> list[Result]:
    """The results of an ``sh:ValidationReport`` graph, located in the files and sorted for stable output."""
    from rdflib import RDF, BNode, URIRef

    sh = lambda name: URIRef(SH + name)  # noqa: E731
    out: list[Result] = []
    # the results of the report itself (nested sh:detail results explain a result; they are not results)
    nodes = {n for r in report.subjects(RDF.type, sh("ValidationReport")) for n in report.objects(r, sh("result"))}
    for node in nodes:
        focus = report.value(node, sh("focusNode"))
        severity_iri = report.value(node, sh("resultSeverity"))
        severity = str(severity_iri)[len(SH):] if severity_iri is not None and str(severity_iri).startswith(SH) else "Violation"
        if severity not in _RANK:  # a custom severity counts as a violation (SHACL: any severity is a result)
            severity = "Violation"
        path = report.value(node, sh("resultPath"))
        file = line = None
        if index is not None and focus is not None:
            found = index.locate(focus, data)
            if found:
                file, line = found
        focus_text = _bnode_text(focus, data) if isinstance(focus, BNode) else _short(focus)
        out.append(Result(
            focus=focus,
            severity=severity,
            message=_message(report, node),
            source_shape=report.value(node, sh("sourceShape")),
            component=report.value(node, sh("sourceConstraintComponent")),
            path=path,
            path_text=_path_text(report, path) if path is not None else None,
            value=report.value(node, sh("value")),
            file=file,
            line=line,
            focus_text=focus_text,
            node=node,
        ))
    out.sort(key=_sort_key)
    return out


def _sort_key(r: Result) -> tuple:
    return (r.file is None, r.file or "", r.line or 0, r.focus_text, str(r.focus) if not r.focus_text.startswith("[") else "",
            _RANK[r.severity], r.path_text or "", _short(r.source_shape), _short(r.value) if r.value is not None else "",
            r.message)


# ----------------------------------------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------------------------------------


def _unique(paths: Sequence[Path]) -> list[Path]:
    seen: set[Path] = set()
    out: list[Path] = []
    for p in paths:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _graph(parsed: list, *, shapes: bool = False) -> "Graph":
    """An rdflib graph of parsed files (quietly: rdflib logs every ill-typed literal, which SHACL reports)."""
    from rdflib import Graph

    from .vocab import PREFIXES

    graph = Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    with _quiet():
        if shapes:
            # SHACL reads only "true" as a true xsd:boolean ("1" leaves sh:uniqueLang off, for instance):
            # build the shapes' literals the way pyshacl loads shapes.
            from pyshacl.monkey import rdflib_bool_patch, rdflib_bool_unpatch

            rdflib_bool_patch()
            try:
                graph.addN((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), graph)
                           for item in parsed for q in item.quads)
            finally:
                rdflib_bool_unpatch()
        else:
            graph.addN((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), graph)
                       for item in parsed for q in item.quads)
    return graph


def _inline_imported_prefixes(shapes: "Graph") -> None:
    """Copy the ``sh:declare`` of ontologies that ``sh:prefixes`` nodes reach by ``owl:imports`` within the graph.

    SHACL-SPARQL takes the prefixes of an ``sh:prefixes`` node together with those of the ontologies it imports;
    imports are never fetched, but those described in the shapes graph itself are honoured this way.
    """
    from rdflib import OWL, URIRef

    declare, prefixes = URIRef(SH + "declare"), URIRef(SH + "prefixes")
    for node in set(shapes.objects(None, prefixes)):
        seen, todo = {node}, [node]
        while todo:
            current = todo.pop()
            for imported in shapes.objects(current, OWL.imports):
                if imported not in seen:
                    seen.add(imported)
                    todo.append(imported)
                    for declaration in list(shapes.objects(imported, declare)):
                        shapes.add((node, declare, declaration))


@dataclass
class _Quads:
    """Quads standing in for a parsed file (the part of the ontology mixed into the data graph)."""

    quads: list


def _write_ntriples(quads: list, path: Path) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for q in quads:
            out.write(f"{q.subject} {q.predicate} {q.object} .\n")


def _run_engine(engine: Engine, data, shapes: "Graph", inference: str) -> list[tuple]:
    """Run ``engine`` (in the limited child) and return the report as picklable triples."""
    return list(engine(data, shapes, inference))


@dataclass
class Prepared:
    """The inputs of a validation, parsed and checked: what :func:`validate` hands to an engine."""

    data_files: list[Path]
    shapes_files: list[Path]
    ontology_files: list[Path]
    parsed_data: list  # ParsedFile of each data file
    mixed: list  # the ontology quads mixed into the data graph
    shapes: "Graph"
    index: SourceIndex
    inference: str

    def data_graph(self) -> "Graph":
        """The data graph as rdflib: the data files and the part of the ontology mixed in."""
        return _graph(self.parsed_data + [_Quads(self.mixed)])

    @property
    def triples(self) -> int:
        return sum(len(p.quads) for p in self.parsed_data) + len(self.mixed)


def prepare(data_paths: Sequence[str | os.PathLike[str]] | None = None,
            shapes_paths: Sequence[str | os.PathLike[str]] | None = None,
            inference: str = "none", *,
            ontology_paths: Sequence[str | os.PathLike[str]] | None = None,
            use_ontology: bool | None = None,
            meta_shacl: bool = False,
            allow_imports: bool = False,
            ignore_imports: bool = False) -> Prepared:
    """Find, parse and check the files of a validation (see :func:`validate` for the arguments)."""
    if inference not in INFERENCE:
        raise InputError(f"--inference {inference!r}: expected one of {', '.join(INFERENCE)}")
    proj = None
    if data_paths is None or shapes_paths is None or (ontology_paths is None and use_ontology is not False):
        proj = project()
    data_files = _unique(expand_paths(data_paths) if data_paths is not None else proj.graph_files())  # type: ignore[union-attr]
    if not data_files:
        raise InputError("no data files to validate")
    shapes_files = _unique(expand_paths(shapes_paths) if shapes_paths is not None else proj.shapes_files())  # type: ignore[union-attr]
    if not shapes_files:
        raise InputError("no shapes files: name some with --shapes")
    if use_ontology is None:
        use_ontology = shapes_paths is None or ontology_paths is not None
    ontology_files: list[Path] = []
    if use_ontology:
        named = {p.resolve() for p in data_files}
        ontology_files = [p for p in _unique(expand_paths(ontology_paths) if ontology_paths is not None
                                             else proj.ontology_files())  # type: ignore[union-attr]
                          if p.resolve() not in named]

    parsed_data = [parse_file(p) for p in data_files]
    parsed_ontology = [parse_file(p) for p in ontology_files]
    parsed_shapes = [parse_file(p) for p in shapes_files]
    index = SourceIndex()
    for item in parsed_data:
        index.add(item)
    # owl:imports are refused unless they are loaded beside their importer, or fetched with allow_imports
    # (security hazard 1): the data's imports are mixed into the data graph, the shapes' into the shapes graph.
    from .reason import resolve_imports

    fetched_data: list = []
    fetched_shapes: list = []
    if not ignore_imports:
        fetched_data = resolve_imports([q for item in parsed_data + parsed_ontology for q in item.quads],
                                       allow_imports=allow_imports, what="the data")
        fetched_shapes = resolve_imports([q for item in parsed_shapes for q in item.quads],
                                         allow_imports=allow_imports, what="the shapes")
    if fetched_shapes:
        parsed_shapes = parsed_shapes + [_Quads(fetched_shapes)]
    shapes = _graph(parsed_shapes, shapes=True)
    refuse_remote_sparql(shapes)
    _inline_imported_prefixes(shapes)
    if meta_shacl:
        problems = meta_validate_shapes(shapes)
        if problems:
            raise InputError(f"the shapes do not pass SHACL-for-SHACL ({len(problems)} problem"
                             f"{'s' if len(problems) != 1 else ''}): {problems[0]}")
    # The ontology mixed in: without inference SHACL reads only rdfs:subClassOf from it (for sh:class and
    # sh:targetClass), so only the class hierarchy is mixed in and the ontology's own resources are not validated
    # with the user's files; with inference the whole ontology is (domains, ranges, sub-properties...).
    mixed = [q for item in parsed_ontology for q in item.quads
             if inference != "none" or q.predicate.value == _SUBCLASS_OF]
    mixed += [q for q in fetched_data if inference != "none" or q.predicate.value == _SUBCLASS_OF]
    return Prepared(data_files, shapes_files, ontology_files, parsed_data, mixed, shapes, index, inference)


def validate(data_paths: Sequence[str | os.PathLike[str]] | None = None,
             shapes_paths: Sequence[str | os.PathLike[str]] | None = None,
             inference: str = "none", *,
             engine: str = "pyshacl",
             ontology_paths: Sequence[str | os.PathLike[str]] | None = None,
             use_ontology: bool | None = None,
             meta_shacl: bool = False,
             timeout: float | None = None,
             allow_imports: bool = False,
             ignore_imports: bool = False) -> ValidationResult:
    """Validate RDF files against SHACL shapes.

    * ``data_paths`` -- files or folders of RDF; ``None`` means the project's graph (ontology and data).
    * ``shapes_paths`` -- files or folders of shapes; ``None`` means the project's ``shapes/``.
    * ``inference`` -- ``"none"``, ``"rdfs"`` or ``"owlrl"`` (applied by the engine to a copy of the data).
    * ``engine`` -- a name of :data:`ENGINES`.
    * ``ontology_paths``/``use_ontology`` -- the ontology mixed into the data graph, so that ``sh:class`` and
      ``sh:targetClass`` see the class hierarchy: its ``rdfs:subClassOf`` triples without inference, all of it with
      inference. By default the project's ontology is mixed in when the project's shapes are used, and nothing
      when the caller brings their own shapes. (With no ``data_paths`` the ontology files are data, validated.)
    * ``meta_shacl`` -- first check the shapes against SHACL-for-SHACL; shapes that fail are an input error.
    * ``timeout`` -- the wall-clock limit in seconds (``None``: :func:`rtopkg.limits.default_seconds`; 0: none).
    * ``allow_imports`` -- fetch the ``owl:imports`` of the data and shapes that are not loaded beside them
      (``file:``, ``http:``, ``https:``); by default such an import is refused (:class:`~rtopkg.errors.RefusedError`).
    * ``ignore_imports`` -- validate as if the ``owl:imports`` were not there (nothing fetched, nothing refused).

    Raises :class:`~rtopkg.errors.InputError` (exit code 2) for a missing, unreadable or malformed file
    (``file:line:col: reason``), unusable shapes or an unknown option value, :class:`~rtopkg.errors.RefusedError`
    for SPARQL that could reach the network, :class:`~rtopkg.errors.LimitExceeded` (exit code 3) past the limit.
    """
    if engine not in ENGINES:
        raise InputError(f"--engine {engine!r}: unknown engine (known: {', '.join(sorted(ENGINES))})")
    run = ENGINES[engine]
    prepared = prepare(data_paths, shapes_paths, inference, ontology_paths=ontology_paths,
                       use_ontology=use_ontology, meta_shacl=meta_shacl, allow_imports=allow_imports,
                       ignore_imports=ignore_imports)
    accepts_paths = getattr(run, "accepts_paths", False)
    with tempfile.TemporaryDirectory(prefix="rtopkg-validate-") as tmp:
        if accepts_paths:
            data_graph = None
            data_arg = list(prepared.data_files)
            if prepared.mixed:
                extra = Path(tmp) / "ontology-mixed-in.nt"
                _write_ntriples(prepared.mixed, extra)
                data_arg.insert(0, extra)
        else:
            data_graph = data_arg = prepared.data_graph()
        report_triples = run_limited(_run_engine, run, data_arg, prepared.shapes, inference, seconds=timeout,
                                     what=f"validation with {engine}")
    from rdflib import Graph

    from .vocab import PREFIXES

    report = Graph(bind_namespaces="none")
    for prefix, ns in {**PREFIXES, "rtosh": SHAPES_NS}.items():
        report.bind(prefix, ns)
    for triple in report_triples:
        report.add(triple)
    results = results_from_report(report, index=prepared.index, data=data_graph)
    return ValidationResult(
        conforms=not results,
        results=results,
        report=report,
        data_files=[display_path(p) for p in prepared.data_files],
        shapes_files=[display_path(p) for p in prepared.shapes_files],
        ontology_files=[display_path(p) for p in prepared.ontology_files],
        inference=inference,
        engine=engine,
        triples=len(data_graph) if data_graph is not None else prepared.triples,
        index=prepared.index,
    )
