"""The engines that answer SPARQL queries, with parameters bound as RDF terms, never pasted as text.

=================  =======================================================================================
engine             how it runs and how parameters are bound
=================  =======================================================================================
``oxigraph``       the default: pyoxigraph in this process, on the project's graph in memory (or an on-disk
                   store, ``--store PATH``); parameters are ``substitutions`` (SEP-0007 semantics)
``rdflib``         the reference engine: rdflib's SPARQL on a graph built by :func:`rtopkg.load.load_graph`;
                   parameters are ``initBindings`` of a prepared query
``remote``         any SPARQL 1.1 endpoint (:class:`rtopkg.remote.RemoteEngine`); parameters are one
                   ``VALUES`` block of safely serialised terms first in the top-level WHERE group
=================  =======================================================================================

Every query is checked first (:func:`rtopkg.guard.check_query`: no ``SERVICE``, ``FROM`` or update on the
local engines) and runs under a wall-clock limit (:func:`rtopkg.limits.run_limited`: past it the work is
killed and :class:`~rtopkg.errors.LimitExceeded` names the query and the limit, exit code 3). On the local
engines a query sees exactly the default graph that was loaded: never a union with named graphs.

The interface (all engines)::

    engine.query(text, bindings={"name": term}, timeout=None, what="question 'x'") -> Result
    engine.labels(["https://...", ...]) -> {iri: label}
    engine.reasoned("rules" | "rdfs" | "owlrl") -> Engine     # the same data plus its closure (local only)

and :func:`run_question` runs a stored question with its typed parameters and declared reasoning.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

import pyoxigraph as ox

from .errors import InputError, RtopkgError
from .guard import QueryShape, check_query
from .limits import default_seconds, run_limited
from .prefixes import PREFIXES
from .results import Result, relabel_blank_nodes
from .terms import Term, TermError, check_iri, from_nt, to_nt, to_sparql

if TYPE_CHECKING:  # pragma: no cover - imported on demand by __getattr__ below
    from .remote import RemoteEngine

__all__ = ["Engine", "OxigraphEngine", "RdflibEngine", "RemoteEngine", "ENGINES", "REASON_CHOICES",
           "open_engine", "run_question", "LABEL_PROPERTIES"]

#: ``--engine`` choices for local work.
ENGINES = ("oxigraph", "rdflib")
#: ``--reason`` choices (``none`` switches off what a question declares).
REASON_CHOICES = ("none", "rules", "rdfs", "owlrl")
#: Label properties, best first: the table writer shows the first English (or language-less) label found.
LABEL_PROPERTIES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
)
_LABEL_CHUNK = 800


class Engine:
    """Base of the engines: the guard, the limit and the label look-up are shared."""

    name = "engine"
    local = True

    def __init__(self, *, allow_network: bool = False, description: str = ""):
        self.allow_network = allow_network
        self.description = description or self.name
        self._reasoned: dict[str, "Engine"] = {}

    # -- the one entry point -------------------------------------------------------------------------------
    def query(self, text: str, bindings: Mapping[str, Term] | None = None, *, timeout: float | None = None,
              what: str = "the query") -> Result:
        """Check ``text``, bind ``bindings`` (variable name -> pyoxigraph term) and answer within the limit."""
        shape = check_query(text, local=self.local, allow_network=self.allow_network, engine=self.name, what=what)
        bindings = dict(bindings or {})
        for name in bindings:
            if name not in shape.variables:
                raise InputError(f"{what}: the parameter '{name}' is not a variable of the query (?{name})")
            if shape.projection is not None and name not in shape.projection:
                raise InputError(f"{what}: the parameter '{name}' must be selected (SELECT ... ?{name} ...): every "
                                 "engine then binds it the same way")
        limit = default_seconds() if timeout is None else timeout
        return self._run(text, shape, bindings, limit, what)

    def _run(self, text: str, shape: QueryShape, bindings: dict[str, Term], limit: float, what: str) -> Result:
        raise NotImplementedError

    # -- labels for the table writer ----------------------------------------------------------------------
    def labels(self, iris: Iterable[str], *, timeout: float | None = None) -> dict[str, str]:
        """The best label of each IRI (English first), fetched with one query per 800 IRIs."""
        usable = []
        for iri in iris:
            try:
                check_iri(iri)
            except TermError:
                continue
            usable.append(iri)
        found: dict[str, tuple] = {}
        for start in range(0, len(usable), _LABEL_CHUNK):
            chunk = usable[start:start + _LABEL_CHUNK]
            subjects = " ".join(to_sparql(ox.NamedNode(iri)) for iri in chunk)
            props = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
            text = (f"SELECT ?s ?p ?l WHERE {{ VALUES ?s {{ {subjects} }} VALUES ?p {{ {props} }} "
                    "?s ?p ?l FILTER(isLiteral(?l)) }")
            # a bounded look-up (one VALUES join): run in process on the local engines, with the limit remotely
            result = self.query(text, timeout=0 if self.local else timeout, what="the label look-up")
            for s, p, label in result.rows:
                lit = from_nt(label)
                language = lit.language or ""
                rank = (LABEL_PROPERTIES.index(p[1:-1]),
                        0 if language.startswith("en") else 1 if language == "" else 2, lit.value)
                key = s[1:-1]
                if key not in found or rank < found[key]:
                    found[key] = rank
        return {iri: rank[2] for iri, rank in found.items()}

    # -- reasoning ----------------------------------------------------------------------------------------
    def reasoned(self, profile: str, *, timeout: float | None = None) -> "Engine":
        """An engine over the same data plus its ``profile`` closure (computed once, on a copy)."""
        if profile not in REASON_CHOICES[1:]:
            raise InputError(f"unknown reasoning profile {profile!r} (expected one of {', '.join(REASON_CHOICES)})")
        if profile not in self._reasoned:
            self._reasoned[profile] = self._materialise(profile, timeout)
        return self._reasoned[profile]

    def _materialise(self, profile: str, timeout: float | None) -> "Engine":
        raise InputError(f"--reason {profile} needs a local engine: a remote endpoint answers from its own data")


def _reason_module():
    try:
        from . import reason
    except ImportError as exc:
        raise InputError(f"reasoning is not available (rtopkg.reason cannot be imported: {exc})") from None
    return reason


# ------------------------------------------------------------------------------------------------------------
# Oxigraph, in process
# ------------------------------------------------------------------------------------------------------------


def _ox_result(answer: Any) -> Result:
    if isinstance(answer, ox.QueryBoolean):
        return Result([], boolean=bool(answer), form="ASK")
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows = [tuple(to_nt(term) for term in solution) for solution in answer]
        return Result(variables, relabel_blank_nodes(rows))
    rows = [(to_nt(t.subject), to_nt(t.predicate), to_nt(t.object)) for t in answer]
    return Result(["subject", "predicate", "object"], relabel_blank_nodes(rows), form="CONSTRUCT")


class OxigraphEngine(Engine):
    """pyoxigraph in this process: the project's graph in memory, files given, or an on-disk store."""

    name = "oxigraph"

    def __init__(self, store: ox.Store, *, allow_network: bool = False, description: str = "",
                 cache_key: str | None = None):
        super().__init__(allow_network=allow_network, description=description or "oxigraph (in memory)")
        self.store = store
        self.cache_key = cache_key  # set when the store is the project's graph, for cached closures

    @classmethod
    def project(cls, **kwargs: Any) -> "OxigraphEngine":
        """The project's ontology and data, loaded by :func:`rtopkg.load.load_store` -- or, when the files are
        exactly those of an earlier run, opened read-only from the start-up cache (:mod:`rtopkg.store`)."""
        from .load import load_store
        from .paths import project
        from .store import cached_store, content_key

        files = project().graph_files()
        key = content_key(files, "graph")
        store = cached_store(key, lambda: load_store(files))
        return cls(store, description="oxigraph (the project's graph)", cache_key=key, **kwargs)

    @classmethod
    def from_files(cls, paths: Sequence[str | os.PathLike[str]], **kwargs: Any) -> "OxigraphEngine":
        """The given RDF files in memory (triples in the default graph; TriG/N-Quads graphs stay named)."""
        from .load import load_store

        return cls(load_store(paths), description="oxigraph (given files)", **kwargs)

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, check_fresh: bool = True, **kwargs: Any) -> "OxigraphEngine":
        """An on-disk store made by ``rtopkg store load``, read-only; refused when its files changed since."""
        from .store import open_store

        return cls(open_store(Path(path), check_fresh=check_fresh), description=f"oxigraph (store {path})", **kwargs)

    def _run(self, text: str, shape: QueryShape, bindings: dict[str, Term], limit: float, what: str) -> Result:
        store = self.store
        substitutions = {ox.Variable(name): term for name, term in bindings.items()}

        def work() -> Result:
            try:
                answer = store.query(text, substitutions=substitutions or None, use_default_graph_as_union=False,
                                     prefixes=PREFIXES)
                result = _ox_result(answer)
            except SyntaxError as exc:
                raise InputError(f"{what}: {exc}") from None
            except (OSError, ValueError, RuntimeError) as exc:
                raise InputError(f"{what}: {type(exc).__name__}: {exc}") from None
            result.form = shape.form or result.form
            return result

        return run_limited(work, seconds=limit, what=what)

    def _materialise(self, profile: str, timeout: float | None) -> "Engine":
        reason = _reason_module()

        def build() -> ox.Store:
            return reason.materialise_store(self.store, profile, timeout=timeout)

        if self.cache_key is None:
            store = build()
        else:  # the project's graph: its closure is cached too, keyed by the graph and the reasoner's source
            from .store import cached_store, content_key

            here = Path(__file__).parent
            sources = [p for p in (here / "reason.py", here / "rules.py") if p.is_file()]
            store = cached_store(content_key(sources, self.cache_key, profile), build)
        return OxigraphEngine(store, allow_network=self.allow_network,
                              description=f"{self.description} + {profile} closure")


# ------------------------------------------------------------------------------------------------------------
# rdflib, the reference
# ------------------------------------------------------------------------------------------------------------


def _walk(node: Any, seen: set[int] | None = None):
    """Every CompValue in an rdflib parse tree or algebra (depth first)."""
    seen = seen if seen is not None else set()
    if id(node) in seen:
        return
    seen.add(id(node))
    name = getattr(node, "name", None)
    if name is not None and isinstance(node, dict):
        yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value, seen)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _walk(value, seen)


class RdflibEngine(Engine):
    """rdflib's SPARQL engine on an rdflib graph (the reference the golden answers also hold on)."""

    name = "rdflib"

    def __init__(self, graph: Any, *, allow_network: bool = False, description: str = ""):
        super().__init__(allow_network=allow_network, description=description or "rdflib")
        self.graph = graph

    @classmethod
    def project(cls, **kwargs: Any) -> "RdflibEngine":
        from .load import load_graph
        from .paths import project

        return cls(load_graph(project().graph_files()), description="rdflib (the project's graph)", **kwargs)

    @classmethod
    def from_files(cls, paths: Sequence[str | os.PathLike[str]], **kwargs: Any) -> "RdflibEngine":
        """The given files; named graphs of TriG/N-Quads stay named (a Dataset whose default graph is not a
        union), so that both local engines see the same default graph."""
        from .load import load_graph, parse_files

        parsed = parse_files(paths)
        if all(isinstance(q.graph_name, ox.DefaultGraph) for item in parsed for q in item.quads):
            return cls(load_graph(paths), description="rdflib (given files)", **kwargs)
        from rdflib import Dataset

        from .load import to_rdflib

        dataset = Dataset(default_union=False)
        for item in parsed:
            for quad in item.quads:
                triple = (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))
                if isinstance(quad.graph_name, ox.DefaultGraph):
                    dataset.default_graph.add(triple)
                else:
                    dataset.graph(to_rdflib(quad.graph_name)).add(triple)
        return cls(dataset, description="rdflib (given files, named graphs kept apart)", **kwargs)

    def _prepare(self, text: str, what: str) -> Any:
        from rdflib.plugins.sparql import prepareQuery

        try:
            prepared = prepareQuery(text, initNs=PREFIXES)
        except Exception as exc:  # noqa: BLE001 - pyparsing and rdflib raise many kinds
            raise InputError(f"{what}: {' '.join(str(exc).split())}") from None
        # Belt and braces: rdflib's own parse of the query must agree with the guard.
        for node in _walk(prepared.algebra):
            if node.name == "ServiceGraphPattern" and not self.allow_network:
                from .errors import RefusedError

                raise RefusedError(f"{what}: refused SERVICE: a local query never contacts other servers")
            if dict.get(node, "datasetClause") and not self.allow_network:
                from .errors import RefusedError

                raise RefusedError(f"{what}: refused FROM: a local query reads only the loaded graph")
        return prepared

    def _run(self, text: str, shape: QueryShape, bindings: dict[str, Term], limit: float, what: str) -> Result:
        from .load import to_rdflib
        from .terms import rdflib_nt

        prepared = self._prepare(text, what)
        init = {name: to_rdflib(term) for name, term in bindings.items()}
        graph = self.graph
        if shape.froms:  # allowed by the guard (--allow-network): the FROM graphs alone make the dataset
            from rdflib import Dataset

            graph = Dataset(default_union=False)

        def work() -> Result:
            try:
                answer = graph.query(prepared, initBindings=init)
                if answer.type == "ASK":
                    return Result([], boolean=bool(answer.askAnswer), form="ASK")
                if answer.type in ("CONSTRUCT", "DESCRIBE"):
                    rows = [(rdflib_nt(s), rdflib_nt(p), rdflib_nt(o)) for s, p, o in answer.graph]
                    return Result(["subject", "predicate", "object"], relabel_blank_nodes(rows), form=answer.type)
                variables = [str(v) for v in answer.vars]
                rows = [tuple(rdflib_nt(term) for term in row) for row in answer]
                return Result(variables, relabel_blank_nodes(rows))
            except RtopkgError:
                raise
            except Exception as exc:  # noqa: BLE001 - rdflib evaluation errors of every kind
                raise InputError(f"{what}: {type(exc).__name__}: {' '.join(str(exc).split())}") from None

        return run_limited(work, seconds=limit, what=what)

    def _materialise(self, profile: str, timeout: float | None) -> "Engine":
        reason = _reason_module()
        graph = reason.materialise_graph(self.graph, profile, timeout=timeout)
        return RdflibEngine(graph, allow_network=self.allow_network,
                            description=f"{self.description} + {profile} closure")


def __getattr__(name: str) -> Any:  # PEP 562: RemoteEngine lives in rtopkg.remote (imported on demand)
    if name == "RemoteEngine":
        from .remote import RemoteEngine

        return RemoteEngine
    raise AttributeError(f"module 'rtopkg.engines' has no attribute {name!r}")


# ------------------------------------------------------------------------------------------------------------
# Choosing an engine and running a stored question
# ------------------------------------------------------------------------------------------------------------


def open_engine(engine: str = "oxigraph", *, endpoint: str | None = None, store: str | os.PathLike[str] | None = None,
                data: Sequence[str | os.PathLike[str]] | None = None, allow_network: bool = False) -> Engine:
    """The engine the command-line options ask for (``--engine``, ``--endpoint``, ``--store``, ``--data``)."""
    if endpoint:
        if store or data:
            raise InputError("--endpoint cannot be combined with --store or --data: the endpoint has its own data")
        from .remote import RemoteEngine

        return RemoteEngine(endpoint)
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r} (expected one of {', '.join(ENGINES)})")
    if store:
        if data:
            raise InputError("--store and --data cannot be combined")
        if engine != "oxigraph":
            raise InputError("--store is an Oxigraph store: use it with --engine oxigraph")
        return OxigraphEngine.open(store, allow_network=allow_network)
    cls = OxigraphEngine if engine == "oxigraph" else RdflibEngine
    if data:
        return cls.from_files(data, allow_network=allow_network)
    return cls.project(allow_network=allow_network)


def run_question(question: Any, given: Mapping[str, str] | None = None, engine: Engine | None = None, *,
                 reason: str | None = None, timeout: float | None = None, use_examples: bool = False) -> Result:
    """Answer a stored question (:class:`rtopkg.catalogue.Question`) with the values the user gave.

    ``given`` maps parameter names to the text typed (parsed by their declared types); missing ones take their
    defaults (or their examples with ``use_examples``). ``reason`` is ``none``/``rules``/``rdfs``/``owlrl``,
    or ``None`` for what the question declares. A remote endpoint is asked as is: a note says when the
    question expects a closure the endpoint must already hold.
    """
    from .params import bind_parameters

    engine = engine or OxigraphEngine.project()
    bindings = bind_parameters(question.params, given or {}, where=question.label, use_examples=use_examples)
    profile = question.reasoning if reason is None else (None if reason == "none" else reason)
    notes: list[str] = []
    if profile and not engine.local:
        if reason is not None:
            raise InputError(f"--reason {profile} needs a local engine: a remote endpoint answers from its own data")
        notes.append(f"{question.label} expects the {profile} closure: the endpoint must hold the materialised graph")
        profile = None
    if profile:
        engine = engine.reasoned(profile, timeout=timeout)
    result = engine.query(question.text, bindings, timeout=timeout, what=question.label)
    result.notes = notes
    return result
