"""Reasoning on a copy: the closure of a graph or store under one of three profiles, never changing the input.

==========  ===============================================================================================
profile     what it adds, and how
==========  ===============================================================================================
``rules``   the rule set the stored questions need (sub-classes, sub-properties, inverses, symmetric and
            transitive properties, domains and ranges; see :mod:`rtopkg.rules` for the exact rules), run as
            bulk SPARQL updates on Oxigraph. Seconds at a million triples; the default.
``rdfs``    owlrl's ``RDFS_Semantics``: the RDFS entailment rules (rdflib, pure Python: small graphs only).
``owlrl``   owlrl's ``OWLRL_Semantics``: the full OWL 2 RL/RDF rules (rdflib, pure Python: small graphs only).
==========  ===============================================================================================

:func:`materialise_graph` (rdflib) and :func:`materialise_store` (pyoxigraph) return a NEW graph or store with
the input plus its closure; :func:`inferred_triples` returns only the triples the closure adds.

**Wall-clock limit.** Every run has one (``timeout``; default :func:`rtopkg.limits.default_seconds`; ``0`` for
none), and past it :class:`~rtopkg.errors.LimitExceeded` names the limit (exit code 3). How it is kept
depends on the engine:

* owlrl (``rdfs``, ``owlrl``) runs in a forked child (:func:`rtopkg.limits.run_limited`) on its copy-on-write
  copy of the graph and sends back only the inferred triples (rdflib terms pickle); past the limit the child
  is killed, whatever rule it was in, and the caller keeps its graph untouched.
* the ``rules`` profile runs in this process, on the new store, with the deadline checked between bulk
  updates (each update handles the triples of one property or one class; the transitive closure is computed
  in Python and checks the deadline as it goes). A pyoxigraph store cannot cross a process boundary, and
  inserting a child's inferred triples into a new store in the parent costs as much as inferring them there
  (Oxigraph's in-memory store inserts about 200,000 quads a second), so forking would make the fast path
  twice as slow for no gain in safety: each update's work is bounded by the size of one property's or one
  class's triples, so the time past the deadline is bounded too.

**owl:imports are never fetched unless allowed.** An ``owl:imports`` whose target is not itself loaded (as an
``owl:Ontology`` or the ``owl:versionIRI`` of one) makes the closure incomplete, so it is refused
(:class:`~rtopkg.errors.RefusedError`) unless ``allow_imports=True``; then the imported documents (``file:``,
``http:`` or ``https:``; at most :data:`MAX_IMPORTS`, each within the size limit) are fetched, recursively,
and added to the copy before reasoning. owlrl itself never fetches (its ``DeductiveClosure`` does not read
``owl:imports``), and nothing else here does.
"""

from __future__ import annotations

import itertools
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Any, Iterable, Iterator

import pyoxigraph as ox

from .errors import InputError, LimitExceeded, RefusedError
from .limits import default_seconds, run_limited
from .rules import RULES, Deadline, apply_rules

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph

__all__ = [
    "PROFILES",
    "RULES",
    "MAX_IMPORTS",
    "materialise_graph",
    "materialise_store",
    "inferred_triples",
    "imports_to_fetch",
    "check_imports",
    "resolve_imports",
    "serialize_triples",
    "FORMATS",
]

#: The reasoning profiles, fastest first.
PROFILES: tuple[str, ...] = ("rules", "rdfs", "owlrl")
#: Output formats of :func:`serialize_triples` (and ``rtopkg reason --format``).
FORMATS: tuple[str, ...] = ("turtle", "ntriples")
#: At most this many documents are fetched when ``allow_imports`` is set.
MAX_IMPORTS = 50

_OWL = "http://www.w3.org/2002/07/owl#"
OWL_IMPORTS = ox.NamedNode(_OWL + "imports")
OWL_ONTOLOGY = ox.NamedNode(_OWL + "Ontology")
OWL_VERSION_IRI = ox.NamedNode(_OWL + "versionIRI")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DEFAULT = ox.DefaultGraph()
_BATCH = 50_000

_WHAT = {
    "rules": "reasoning (rules profile)",
    "rdfs": "reasoning (owlrl RDFS closure)",
    "owlrl": "reasoning (owlrl OWL 2 RL closure)",
}


def _check_profile(profile: str) -> None:
    if profile not in PROFILES:
        raise InputError(f"unknown reasoning profile {profile!r} (expected one of {', '.join(PROFILES)})")


def _limit(timeout: float | None) -> float:
    limit = default_seconds() if timeout is None else float(timeout)
    if limit < 0:
        raise InputError(f"timeout {timeout!r}: must be 0 (no limit) or more seconds")
    return limit


def _batches(items: Iterable[Any], size: int = _BATCH) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


# --------------------------------------------------------------------------------------------------------
# Terms: rdflib <-> pyoxigraph, keeping blank nodes apart and lexical forms exact
# --------------------------------------------------------------------------------------------------------


class _Terms:
    """Converts terms both ways; a blank node always maps to the same blank node of the other library."""

    def __init__(self) -> None:
        self.to_ox_blank: dict[Any, ox.BlankNode] = {}
        self.to_rd_blank: dict[ox.BlankNode, Any] = {}

    def to_ox(self, term: Any) -> Any:
        kind = type(term).__name__
        if kind == "URIRef":
            return ox.NamedNode(str(term))
        if kind == "BNode":
            found = self.to_ox_blank.get(term)
            if found is None:
                try:
                    found = ox.BlankNode(str(term))
                except ValueError:
                    found = ox.BlankNode()
                self.to_ox_blank[term] = found
                self.to_rd_blank[found] = term
            return found
        if kind == "Literal":
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype is not None:
                return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            return ox.Literal(str(term))
        raise InputError(f"unsupported RDF term {term!r}")

    def to_rd(self, term: Any) -> Any:
        from .load import to_rdflib

        if isinstance(term, ox.BlankNode):
            found = self.to_rd_blank.get(term)
            if found is None:
                found = to_rdflib(term)
                self.to_rd_blank[term] = found
                self.to_ox_blank[found] = term
            return found
        return to_rdflib(term, normalize=False)  # literals exactly as written, so they map back to the same term


def _copy_graph(graph: "Graph") -> "Graph":
    from rdflib import Graph

    copy = Graph(bind_namespaces="none")
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=True)
    copy += graph
    return copy


# --------------------------------------------------------------------------------------------------------
# owl:imports
# --------------------------------------------------------------------------------------------------------


def imports_to_fetch(statements: Iterable[tuple[Any, Any, Any]]) -> list[str]:
    """The ``owl:imports`` targets (IRIs, sorted) that the triples state but do not load themselves.

    An import is satisfied when the graph declares its target as an ``owl:Ontology`` or as the
    ``owl:versionIRI`` of one (the imported files were loaded beside the importing one).
    """
    def text(term: Any) -> str:
        return term.value if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)) else str(term)

    wanted: set[str] = set()
    loaded: set[str] = set()
    for s, p, o in statements:
        p = text(p)
        if p == OWL_IMPORTS.value:
            wanted.add(text(o))
        elif p == RDF_TYPE.value and text(o) == OWL_ONTOLOGY.value:
            loaded.add(text(s))
        elif p == OWL_VERSION_IRI.value:
            loaded.add(text(o))
    return sorted(wanted - loaded)


def _store_statements(store: ox.Store) -> Iterator[tuple[Any, Any, Any]]:
    for predicate in (OWL_IMPORTS, OWL_VERSION_IRI):
        for q in store.quads_for_pattern(None, predicate, None, None):
            yield q.subject, q.predicate, q.object
    for q in store.quads_for_pattern(None, RDF_TYPE, OWL_ONTOLOGY, None):
        yield q.subject, q.predicate, q.object


def _graph_statements(graph: "Graph") -> Iterator[tuple[Any, Any, Any]]:
    from rdflib import OWL, RDF

    yield from graph.triples((None, OWL.imports, None))
    yield from graph.triples((None, OWL.versionIRI, None))
    yield from graph.triples((None, RDF.type, OWL.Ontology))


_CONTENT_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/xml": ox.RdfFormat.RDF_XML,
    "text/xml": ox.RdfFormat.RDF_XML,
    "text/n3": ox.RdfFormat.N3,
}


def _fetch(iri: str, seconds: float) -> list[ox.Quad]:
    """The triples of one imported document (``file:``, ``http:`` or ``https:``), in the default graph."""
    from .load import _check_xml, _max_bytes, parse_file
    from pathlib import Path

    parts = urllib.parse.urlsplit(iri)
    if parts.scheme == "file":
        parsed = parse_file(Path(urllib.request.url2pathname(parts.path)))
        return [ox.Quad(q.subject, q.predicate, q.object) for q in parsed.quads]
    if parts.scheme not in ("http", "https"):
        raise RefusedError(f"owl:imports <{iri}>: only file:, http: and https: imports can be fetched")
    limit = _max_bytes(None)
    request = urllib.request.Request(iri, headers={
        "Accept": "text/turtle, application/n-triples;q=0.9, application/rdf+xml;q=0.8",
        "User-Agent": "rtopkg (owl:imports, --allow-imports)"})
    try:
        with urllib.request.urlopen(request, timeout=max(1.0, min(seconds, 60.0))) as response:
            data = response.read(limit + 1 if limit else -1)
            content_type = (response.headers.get_content_type() or "").lower()
            final = response.geturl()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise InputError(f"owl:imports <{iri}>: cannot fetch it ({getattr(exc, 'reason', exc)})") from None
    if limit and len(data) > limit:
        raise LimitExceeded(f"owl:imports <{iri}>: over the input size limit of {limit} bytes")
    fmt = _CONTENT_TYPES.get(content_type)
    if fmt is None:
        suffix = final.rsplit(".", 1)[-1].lower() if "." in final.rsplit("/", 1)[-1] else ""
        fmt = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "rdf": ox.RdfFormat.RDF_XML,
               "owl": ox.RdfFormat.RDF_XML, "xml": ox.RdfFormat.RDF_XML}.get(suffix)
    if fmt is None:
        raise InputError(f"owl:imports <{iri}>: unknown RDF content type {content_type!r}")
    if fmt == ox.RdfFormat.RDF_XML:
        _check_xml(Path(iri), data)
    try:
        return [ox.Quad(q.subject, q.predicate, q.object) for q in ox.parse(data, fmt, base_iri=final)]
    except (SyntaxError, ValueError) as exc:
        raise InputError(f"owl:imports <{iri}>: not valid RDF ({exc})") from None


def _resolve_imports(statements: list[tuple[Any, Any, Any]], allow: bool, deadline: Deadline,
                     what: str = "the graph") -> list[ox.Quad]:
    """Refuse unloaded imports, or (``allow``) fetch them and what they import in turn."""
    missing = imports_to_fetch(statements)
    if not missing:
        return []
    if not allow:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise RefusedError(f"{what} imports <{missing[0]}>{more} with owl:imports, which rtopkg does not fetch: "
                           "load the imported ontology's files with the others, or allow fetching "
                           "(--allow-imports)")
    fetched: list[ox.Quad] = []
    done: set[str] = set()
    while missing:
        iri = missing.pop(0)
        if iri in done:
            continue
        if len(done) >= MAX_IMPORTS:
            raise LimitExceeded(f"owl:imports: more than {MAX_IMPORTS} documents to fetch")
        deadline.check()
        remaining = (deadline.at - time.monotonic()) if deadline.at is not None else 60.0
        quads = _fetch(iri, remaining)
        done.add(iri)
        fetched.extend(quads)
        statements = statements + [(q.subject, q.predicate, q.object) for q in quads]
        missing = [m for m in imports_to_fetch(statements) if m not in done]
    return fetched


def resolve_imports(quads: Iterable[Any], *, allow_imports: bool = False, timeout: float | None = None,
                    what: str = "the graph") -> list[ox.Quad]:
    """Like :func:`check_imports`, for pyoxigraph quads (or triples) already parsed: refuse or fetch.

    Only the statements that declare or import an ontology are kept (what :func:`_store_statements` reads from a
    store), so a large parsed graph is not copied."""
    statements = [(q.subject, q.predicate, q.object) for q in quads
                  if q.predicate in (OWL_IMPORTS, OWL_VERSION_IRI) or (q.predicate == RDF_TYPE and q.object == OWL_ONTOLOGY)]
    return _resolve_imports(statements, allow_imports, Deadline(_limit(timeout), "fetching owl:imports"), what)


def check_imports(data: "Graph | ox.Store", *, allow_imports: bool = False,
                  timeout: float | None = None) -> list[ox.Quad]:
    """Refuse the ``owl:imports`` of ``data`` that are not loaded, or with ``allow_imports`` fetch them.

    Returns the fetched triples (as default-graph quads; empty when every import is loaded or there is none).
    """
    statements = list(_store_statements(data) if isinstance(data, ox.Store) else _graph_statements(data))
    return _resolve_imports(statements, allow_imports, Deadline(_limit(timeout), "fetching owl:imports"))


# --------------------------------------------------------------------------------------------------------
# owlrl (in a child process)
# --------------------------------------------------------------------------------------------------------


def _owlrl_inferred(graph: "Graph", extra: list, profile: str, private: bool) -> list[tuple]:
    """The triples owlrl's closure adds to ``graph`` (+ ``extra``). Runs on ``graph`` itself when ``private``."""
    import owlrl
    from rdflib import Literal, URIRef

    work = graph if private else _copy_graph(graph)
    before = set(work)
    for triple in extra:
        work.add(triple)
    semantics = owlrl.OWLRL_Semantics if profile == "owlrl" else owlrl.RDFS_Semantics
    owlrl.DeductiveClosure(semantics, axiomatic_triples=False, datatype_axioms=False).expand(work)
    # owlrl reasons on generalised triples (a literal as subject); they are not RDF and are left out.
    return [t for t in work if t not in before and not isinstance(t[0], Literal) and isinstance(t[1], URIRef)]


def _owlrl(graph: "Graph", extra: list, profile: str, limit: float) -> list[tuple]:
    if limit > 0:
        return run_limited(_owlrl_inferred, graph, extra, profile, True, seconds=limit, what=_WHAT[profile])
    return _owlrl_inferred(graph, extra, profile, False)


# --------------------------------------------------------------------------------------------------------
# The public functions
# --------------------------------------------------------------------------------------------------------


def materialise_graph(graph: "Graph", profile: str, *, timeout: float | None = None,
                      allow_imports: bool = False) -> "Graph":
    """A NEW rdflib graph holding ``graph`` and its closure under ``profile``; ``graph`` is never changed.

    ``profile`` is ``"rules"`` (the fast rule set, evaluated on Oxigraph), ``"rdfs"`` or ``"owlrl"`` (owlrl's
    RDFS_Semantics / OWLRL_Semantics). Raises :class:`~rtopkg.errors.LimitExceeded` past the wall-clock limit
    and :class:`~rtopkg.errors.RefusedError` for ``owl:imports`` it would have to fetch (see the module doc).
    """
    _check_profile(profile)
    limit = _limit(timeout)
    deadline = Deadline(limit, _WHAT[profile])
    terms = _Terms()
    fetched = _resolve_imports(list(_graph_statements(graph)), allow_imports, deadline)
    extra = [tuple(terms.to_rd(t) for t in (q.subject, q.predicate, q.object)) for q in fetched]
    if profile == "rules":
        store = ox.Store()
        for batch in _batches(graph):
            deadline.check()
            store.extend(ox.Quad(terms.to_ox(s), terms.to_ox(p), terms.to_ox(o)) for s, p, o in batch)
        store.extend(fetched)
        found = apply_rules(store, deadline=deadline, record=True) or []
        inferred = [(terms.to_rd(t.subject), terms.to_rd(t.predicate), terms.to_rd(t.object)) for t in found]
    else:
        inferred = _owlrl(graph, extra, profile, limit)
    result = _copy_graph(graph)
    for triple in itertools.chain(extra, inferred):
        result.add(triple)
    return result


def _copy_store(store: ox.Store, deadline: Deadline) -> ox.Store:
    copy = ox.Store()
    for batch in _batches(store.quads_for_pattern(None, None, None, None)):
        deadline.check()
        copy.extend(batch)
    return copy


def _owlrl_on_store(store: ox.Store, profile: str, limit: float, fetched: list[ox.Quad]) -> list[ox.Triple]:
    from rdflib import Graph

    terms = _Terms()
    graph = Graph(bind_namespaces="none")
    graph.addN((terms.to_rd(q.subject), terms.to_rd(q.predicate), terms.to_rd(q.object), graph)
               for q in store.quads_for_pattern(None, None, None, DEFAULT))
    extra = [tuple(terms.to_rd(t) for t in (q.subject, q.predicate, q.object)) for q in fetched]
    inferred = _owlrl(graph, extra, profile, limit)
    return [ox.Triple(terms.to_ox(s), terms.to_ox(p), terms.to_ox(o)) for s, p, o in inferred]


def materialise_store(store: ox.Store, profile: str = "rules", *, timeout: float | None = None,
                      allow_imports: bool = False) -> ox.Store:
    """A NEW in-memory Oxigraph store with ``store``'s quads and the closure of its default graph.

    ``"rules"`` runs as SPARQL updates on Oxigraph and imports nothing else (no rdflib); ``"rdfs"`` and
    ``"owlrl"`` go through rdflib and owlrl and back. Named graphs are copied as they are. ``store`` is never
    changed.
    """
    _check_profile(profile)
    limit = _limit(timeout)
    deadline = Deadline(limit, _WHAT[profile])
    fetched = _resolve_imports(list(_store_statements(store)), allow_imports, deadline)
    if profile == "rules":
        copy = _copy_store(store, deadline)
        copy.extend(fetched)
        apply_rules(copy, deadline=deadline)
        return copy
    inferred = _owlrl_on_store(store, profile, limit, fetched)
    copy = _copy_store(store, deadline)
    copy.extend(fetched)
    copy.extend(ox.Quad(t.subject, t.predicate, t.object) for t in inferred)
    return copy


def inferred_triples(store: ox.Store, profile: str = "rules", *, timeout: float | None = None,
                     allow_imports: bool = False, in_place: bool = False) -> list[ox.Triple]:
    """The triples the closure adds to ``store``'s default graph (with ``allow_imports``: and the imported ones).

    With ``in_place`` they are also added to ``store`` (for callers that own it: no copy is made); otherwise
    the work is done on a copy and ``store`` is left as it is.
    """
    _check_profile(profile)
    limit = _limit(timeout)
    deadline = Deadline(limit, _WHAT[profile])
    fetched = _resolve_imports(list(_store_statements(store)), allow_imports, deadline)
    target = store if in_place else None
    if profile == "rules":
        if target is None:
            target = ox.Store()
            for batch in _batches(store.quads_for_pattern(None, None, None, DEFAULT)):
                deadline.check()
                target.extend(batch)
        new = [ox.Triple(q.subject, q.predicate, q.object) for q in fetched
               if ox.Quad(q.subject, q.predicate, q.object) not in target]
        target.extend(fetched)
        return new + (apply_rules(target, deadline=deadline, record=True) or [])
    new = [ox.Triple(q.subject, q.predicate, q.object) for q in fetched
           if ox.Quad(q.subject, q.predicate, q.object) not in store]
    inferred = _owlrl_on_store(store, profile, limit, fetched)
    known = {(t.subject, t.predicate, t.object) for t in new}
    new += [t for t in inferred if (t.subject, t.predicate, t.object) not in known]
    if target is not None:
        target.extend(ox.Quad(t.subject, t.predicate, t.object) for t in new)
    return new


# --------------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------------


def serialize_triples(triples: Iterable[Any], fmt: str = "turtle") -> bytes:
    """Deterministic text of ``triples`` (pyoxigraph triples or quads; graph names are dropped).

    ``ntriples``: one line per triple, sorted, blank nodes labelled by RDF Dataset Canonicalization
    (RDFC-1.0; only the triples that mention a blank node take part in it, which gives the same labels).
    ``turtle``: the project's canonical Turtle (:func:`rtopkg.canonical.serialize_turtle`).
    The same graph always gives the same bytes.
    """
    from .canonical import canonicalize, nt_quad, serialize_turtle

    if fmt not in FORMATS:
        raise InputError(f"unknown output format {fmt!r} (expected one of {', '.join(FORMATS)})")
    plain = list(dict.fromkeys((t.subject, t.predicate, t.object) for t in triples))
    if fmt == "turtle":
        return serialize_turtle(plain).encode("utf-8")
    blank = [ox.Quad(s, p, o) for s, p, o in plain if isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode)]
    named = [(s, p, o) for s, p, o in plain if not (isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode))]
    if blank:
        named += [(q.subject, q.predicate, q.object) for q in canonicalize(blank)]
    lines = sorted(nt_quad(s, p, o) for s, p, o in named)
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
