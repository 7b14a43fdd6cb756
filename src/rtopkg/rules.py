"""The fast rule closure ("rules" profile): a fixed subset of OWL 2 RL, run on an Oxigraph store.

The rule set
============

The rules are named as in the OWL 2 RL/RDF rule tables (OWL 2 Profiles, section 4.3). ``T(s, p, o)`` is a
triple of the graph; every rule adds the triple after the arrow.

=============  ===========================================================================================
rule           meaning
=============  ===========================================================================================
``scm-sco``    ``T(c1, rdfs:subClassOf, c2), T(c2, rdfs:subClassOf, c3) -> T(c1, rdfs:subClassOf, c3)``
``scm-spo``    ``T(p1, rdfs:subPropertyOf, p2), T(p2, rdfs:subPropertyOf, p3) -> T(p1, rdfs:subPropertyOf, p3)``
``scm-eqc1``   ``T(c1, owl:equivalentClass, c2) -> T(c1, rdfs:subClassOf, c2), T(c2, rdfs:subClassOf, c1)``
``scm-eqp1``   ``T(p1, owl:equivalentProperty, p2) -> T(p1, rdfs:subPropertyOf, p2), T(p2, rdfs:subPropertyOf, p1)``
``cax-sco``    ``T(c1, rdfs:subClassOf, c2), T(x, rdf:type, c1) -> T(x, rdf:type, c2)``
``prp-spo1``   ``T(p1, rdfs:subPropertyOf, p2), T(x, p1, y) -> T(x, p2, y)``
``prp-inv1``   ``T(p1, owl:inverseOf, p2), T(x, p1, y) -> T(y, p2, x)``
``prp-inv2``   ``T(p1, owl:inverseOf, p2), T(x, p2, y) -> T(y, p1, x)``
``prp-symp``   ``T(p, rdf:type, owl:SymmetricProperty), T(x, p, y) -> T(y, p, x)``
``prp-trp``    ``T(p, rdf:type, owl:TransitiveProperty), T(x, p, y), T(y, p, z) -> T(x, p, z)``
``prp-spo2``   ``T(p, owl:propertyChainAxiom, (p1 ... pn)), T(u1, p1, u2) ... T(un, pn, un+1) -> T(u1, p, un+1)``;
               a member may be ``[ owl:inverseOf q ]``, read as ``T(u(i+1), q, ui)``
``prp-dom``    ``T(p, rdfs:domain, c), T(x, p, y) -> T(x, rdf:type, c)``
``prp-rng``    ``T(p, rdfs:range, c), T(x, p, y) -> T(y, rdf:type, c)``
=============  ===========================================================================================

With ``scm-eqc1`` and ``scm-eqp1`` the equivalence rules ``cax-eqc1/2`` and ``prp-eqp1/2`` are special cases of
``cax-sco`` and ``prp-spo1``. These are the rules the stored questions need: an ``rto:CivilSocietyOrganisation``
is an ``org:Organization`` (``cax-sco``); an event's ``rto:organiser`` is an ``rto:involves`` and a
``prov:wasAssociatedWith`` (``prp-spo1``); ``org:hasUnit`` comes from ``org:unitOf`` (``prp-inv1``);
``org:transitiveSubOrganizationOf`` from ``org:unitOf`` and ``org:subOrganizationOf`` (``prp-spo1`` then
``prp-trp``); ``skos:narrower`` from ``skos:broader`` (``prp-inv1``); a claim ``rto:conflictsWith`` the claim
that conflicts with it (``prp-symp``); an actor ``rto:supports`` the policy of an ``rto:PolicySupport`` whose
``rto:supporter`` it is (``prp-spo2``, a chain through the inverse of ``rto:supporter``).

What the closure leaves out, on purpose: the reflexive and ``owl:Thing``/``owl:Nothing`` axioms of
``scm-cls``/``scm-op``/``eq-ref``, datatype typing (``dt-*``), derived ``rdfs:domain``/``rdfs:range`` axioms
(``scm-dom*``/``scm-rng*``: their effect on instances is already in ``prp-dom``/``prp-rng``), equality
(``eq-*``, ``prp-fp``, ``prp-ifp``, ``prp-key``, ``cls-maxc*``) and class expressions (``cls-*``). A triple can
have a literal only as its object: rules that would put a literal in the subject (``prp-inv*``/``prp-symp``
on a literal value, ``prp-rng`` of a datatype property) add nothing. ``owlrl``'s full OWL 2 RL closure
(``rtopkg.reason``, profile ``owlrl``) gives exactly the same triples for these rules; ``tests/test_reason.py``
checks it on the project's graph.

How it runs
===========

The schema is tiny, so it is closed first, in Python: the super-classes of every class, and for every property
its *views* -- every ``(property, direction)`` that ``prp-spo1``, ``prp-inv1/2`` and ``prp-symp`` reach from it
in any number of steps. The instance rules then run as a few bulk SPARQL updates on Oxigraph, one per property
or per class, so that every triple of the graph is read a small, fixed number of times:

1. the schema triples of ``scm-*``;
2. one update per property with views copies its triples to every view (``INSERT { ?x ?q ?y } WHERE
   { VALUES ?q { ... } ?x <p> ?y }`` and the same with subject and object swapped);
3. the transitive properties are closed in Python (``prp-trp``) and the new triples' views copied again, until
   nothing changes (two rounds on the project's graph); then one update per property chain (``prp-spo2``)
   joins the chain's triples, the new triples' views are copied, and step 3 repeats until no chain adds
   anything;
4. one update per property with a domain or range types its subjects or objects with the stated classes
   (``prp-dom``/``prp-rng``), then one update per class copies its instances to all its super-classes
   (``cax-sco``; the super-classes are already closed, so this runs once).

Types never make new property triples in this rule set, so step 4 runs once, last. The rules read and write
the store's default graph only (named graphs are left as they are). The schema is read once, as stated (no
meta-modelling: a statement that would make a new ``rdfs:subClassOf``, ``owl:inverseOf``... by inference is
not followed). A wall-clock ``deadline`` is checked between updates; one update handles the triples of one
property or one class, so the time past the deadline is at most one such update.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Iterator

import pyoxigraph as ox

from .errors import LimitExceeded

__all__ = ["RULES", "BUILTIN_NAMESPACES", "Schema", "read_schema", "apply_rules", "projection", "Deadline"]

#: The rules of the "rules" profile, by their OWL 2 RL names.
RULES: tuple[str, ...] = ("scm-sco", "scm-spo", "scm-eqc1", "scm-eqp1", "cax-sco", "prp-spo1", "prp-inv1",
                          "prp-inv2", "prp-symp", "prp-trp", "prp-spo2", "prp-dom", "prp-rng")

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = ox.NamedNode(_RDF + "type")
SUBCLASS = ox.NamedNode(_RDFS + "subClassOf")
SUBPROPERTY = ox.NamedNode(_RDFS + "subPropertyOf")
DOMAIN = ox.NamedNode(_RDFS + "domain")
RANGE = ox.NamedNode(_RDFS + "range")
EQ_CLASS = ox.NamedNode(_OWL + "equivalentClass")
EQ_PROPERTY = ox.NamedNode(_OWL + "equivalentProperty")
INVERSE = ox.NamedNode(_OWL + "inverseOf")
CHAIN = ox.NamedNode(_OWL + "propertyChainAxiom")
RDF_FIRST = ox.NamedNode(_RDF + "first")
RDF_REST = ox.NamedNode(_RDF + "rest")
RDF_NIL = ox.NamedNode(_RDF + "nil")
TRANSITIVE = ox.NamedNode(_OWL + "TransitiveProperty")
SYMMETRIC = ox.NamedNode(_OWL + "SymmetricProperty")
DEFAULT = ox.DefaultGraph()

#: Namespaces of the built-in vocabularies (their terms are the rules' schema language, not data), and owlrl's
#: namespace for the error reports it adds to a graph.
BUILTIN_NAMESPACES: tuple[str, ...] = (_RDF, _RDFS, _OWL, "http://www.w3.org/2001/XMLSchema#",
                                       "http://www.daml.org/2002/03/agents/agent-ont#")

Node = ox.NamedNode | ox.BlankNode


class Deadline:
    """A point in time past which :meth:`check` raises :class:`LimitExceeded` naming the limit."""

    def __init__(self, seconds: float | None, what: str = "reasoning"):
        self.seconds = seconds
        self.what = what
        self.at = None if not seconds or seconds <= 0 else time.monotonic() + seconds

    def check(self) -> None:
        if self.at is not None and time.monotonic() > self.at:
            raise LimitExceeded(f"{self.what} stopped after the wall-clock limit of {self.seconds:g} s "
                                "(set --timeout or RTOPKG_TIMEOUT to change it)")


_NO_DEADLINE = Deadline(None)


def _reach(edges: dict[Node, set[Node]], start: Node) -> set[Node]:
    """Every node reachable from ``start`` in one step or more (``start`` itself only through a cycle)."""
    seen: set[Node] = set()
    todo = list(edges.get(start, ()))
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(edges.get(node, ()))
    return seen


@dataclass
class Schema:
    """The closed schema: what the instance rules need, computed once from the graph's schema triples."""

    #: class -> its super-classes (scm-sco, scm-eqc1), never empty
    supers: dict[Node, set[Node]] = field(default_factory=dict)
    #: property -> its super-properties (scm-spo, scm-eqp1)
    super_properties: dict[Node, set[Node]] = field(default_factory=dict)
    #: property -> the (property, flipped) pairs prp-spo1, prp-inv1/2 and prp-symp reach from it
    views: dict[ox.NamedNode, list[tuple[ox.NamedNode, bool]]] = field(default_factory=dict)
    transitive: set[ox.NamedNode] = field(default_factory=set)
    #: (property, its chain as (member, flipped) steps) for every owl:propertyChainAxiom of named properties
    chains: list[tuple[ox.NamedNode, tuple[tuple[ox.NamedNode, bool], ...]]] = field(default_factory=list)
    #: property -> the classes its subjects (domains) or objects (ranges) get, as stated (cax-sco does the rest)
    domains: dict[ox.NamedNode, set[Node]] = field(default_factory=dict)
    ranges: dict[ox.NamedNode, set[Node]] = field(default_factory=dict)

    def schema_triples(self) -> list[ox.Triple]:
        """The triples of scm-sco, scm-spo, scm-eqc1 and scm-eqp1 (the closed hierarchies)."""
        out = [ox.Triple(c, SUBCLASS, d) for c, ds in self.supers.items() for d in ds]
        out += [ox.Triple(p, SUBPROPERTY, q) for p, qs in self.super_properties.items() for q in qs]
        return out


def _objects(store: ox.Store, predicate: ox.NamedNode) -> Iterator[tuple[Node, Node]]:
    for quad in store.quads_for_pattern(None, predicate, None, DEFAULT):
        if not isinstance(quad.object, ox.Literal):
            yield quad.subject, quad.object


def read_schema(store: ox.Store) -> Schema:
    """Read and close the schema of ``store``'s default graph."""
    class_edges: dict[Node, set[Node]] = defaultdict(set)
    for c, d in _objects(store, SUBCLASS):
        class_edges[c].add(d)
    for c, d in _objects(store, EQ_CLASS):
        class_edges[c].add(d)
        class_edges[d].add(c)
    prop_edges: dict[Node, set[Node]] = defaultdict(set)
    for p, q in _objects(store, SUBPROPERTY):
        prop_edges[p].add(q)
    for p, q in _objects(store, EQ_PROPERTY):
        prop_edges[p].add(q)
        prop_edges[q].add(p)
    inverses: dict[Node, set[Node]] = defaultdict(set)
    for p, q in _objects(store, INVERSE):
        inverses[p].add(q)
        inverses[q].add(p)
    symmetric = {q.subject for q in store.quads_for_pattern(None, RDF_TYPE, SYMMETRIC, DEFAULT)}
    transitive = {q.subject for q in store.quads_for_pattern(None, RDF_TYPE, TRANSITIVE, DEFAULT)
                  if isinstance(q.subject, ox.NamedNode)}

    schema = Schema(transitive=transitive)
    schema.supers = {c: _reach(class_edges, c) for c in list(class_edges)}
    schema.supers = {c: ds for c, ds in schema.supers.items() if ds}
    schema.super_properties = {p: r for p in list(prop_edges) if (r := _reach(prop_edges, p))}

    # The views of a property: a search over (property, flipped) states.
    sources = set(prop_edges) | set(inverses) | symmetric
    for p in sources:
        if not isinstance(p, ox.NamedNode):
            continue  # a blank node cannot be a predicate
        start = (p, False)
        seen = {start}
        todo = [start]
        while todo:
            q, flipped = todo.pop()
            nexts = [(r, flipped) for r in prop_edges.get(q, ())]
            nexts += [(r, not flipped) for r in inverses.get(q, ())]
            if q in symmetric:
                nexts.append((q, not flipped))
            for state in nexts:
                if state not in seen and isinstance(state[0], ox.NamedNode):
                    seen.add(state)
                    todo.append(state)
        seen.discard(start)
        if seen:
            schema.views[p] = sorted(seen, key=lambda s: (s[0].value, s[1]))

    for p, head in _objects(store, CHAIN):
        chain = _chain_steps(store, head)
        if isinstance(p, ox.NamedNode) and chain:
            schema.chains.append((p, chain))
    schema.chains.sort(key=lambda pc: (pc[0].value, [(q.value, f) for q, f in pc[1]]))

    for p, c in _objects(store, DOMAIN):
        if isinstance(p, ox.NamedNode):
            schema.domains.setdefault(p, set()).add(c)
    for p, c in _objects(store, RANGE):
        if isinstance(p, ox.NamedNode):
            schema.ranges.setdefault(p, set()).add(c)
    return schema


def _chain_steps(store: ox.Store, head: Node) -> tuple[tuple[ox.NamedNode, bool], ...] | None:
    """The steps of an RDF list of chain members (a named property, or ``[ owl:inverseOf q ]`` flipped), or
    ``None`` when the list is malformed or a member is neither (such a chain is not followed)."""
    steps: list[tuple[ox.NamedNode, bool]] = []
    seen: set[Node] = set()
    node: Node = head
    while node != RDF_NIL:
        if node in seen or not isinstance(node, (ox.NamedNode, ox.BlankNode)):
            return None
        seen.add(node)
        firsts = [q.object for q in store.quads_for_pattern(node, RDF_FIRST, None, DEFAULT)]
        rests = [q.object for q in store.quads_for_pattern(node, RDF_REST, None, DEFAULT)]
        if len(firsts) != 1 or len(rests) != 1:
            return None
        member = firsts[0]
        if isinstance(member, ox.NamedNode):
            steps.append((member, False))
        elif isinstance(member, ox.BlankNode):
            inverse = [q.object for q in store.quads_for_pattern(member, INVERSE, None, DEFAULT)]
            if len(inverse) != 1 or not isinstance(inverse[0], ox.NamedNode):
                return None
            steps.append((inverse[0], True))
        else:
            return None
        node = rests[0]
    return tuple(steps) if len(steps) >= 2 else None


# --------------------------------------------------------------------------------------------------------
# Running the rules
# --------------------------------------------------------------------------------------------------------


def _sparql(term: Node) -> str:
    return f"<{term.value}>"


def _key(term) -> tuple:
    return (type(term).__name__, term.value)


class _Runner:
    """Applies one rule update at a time, either in place (INSERT) or recording what is new (CONSTRUCT)."""

    def __init__(self, store: ox.Store, deadline: Deadline, record: bool):
        self.store = store
        self.deadline = deadline
        self.record: list[ox.Triple] | None = [] if record else None

    def add(self, template: str, where: str) -> None:
        """Add ``template``'s triples for every solution of ``where`` (one SPARQL update)."""
        self.deadline.check()
        where = f"{where} FILTER NOT EXISTS {{ {template} }}"
        if self.record is None:
            self.store.update(f"INSERT {{ {template} }} WHERE {{ {where} }}")
        else:
            self._keep(self.store.query(f"CONSTRUCT {{ {template} }} WHERE {{ {where} }}"))

    def add_triples(self, triples: Iterable[ox.Triple]) -> None:
        self.deadline.check()
        self._keep(triples)

    def _keep(self, triples: Iterable[ox.Triple]) -> None:
        new = [t for t in dict.fromkeys(triples) if ox.Quad(t.subject, t.predicate, t.object, DEFAULT) not in self.store]
        self.store.extend(ox.Quad(t.subject, t.predicate, t.object, DEFAULT) for t in new)
        if self.record is not None:
            self.record.extend(new)

    def count(self, predicate: ox.NamedNode) -> int:
        found = self.store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s {_sparql(predicate)} ?o }}")
        return int(next(iter(found))["n"].value)


def _views(run: _Runner, schema: Schema, sources: Iterable[ox.NamedNode]) -> None:
    """prp-spo1, prp-inv1/2 and prp-symp: copy each source property's triples to its views."""
    for p in sorted(sources, key=_key):
        views = schema.views.get(p)
        if not views:
            continue
        same = " ".join(_sparql(q) for q, flipped in views if not flipped)
        swapped = " ".join(_sparql(q) for q, flipped in views if flipped)
        if same:
            run.add("?x ?q ?y", f"VALUES ?q {{ {same} }} ?x {_sparql(p)} ?y")
        if swapped:
            run.add("?y ?q ?x", f"VALUES ?q {{ {swapped} }} ?x {_sparql(p)} ?y FILTER(!isLiteral(?y))")


def _close_transitive(run: _Runner, p: ox.NamedNode) -> int:
    """prp-trp for one property, in Python; returns how many triples it added."""
    edges: dict[Node, set[Node]] = defaultdict(set)
    for s, o in _objects(run.store, p):
        edges[s].add(o)
    new: list[ox.Triple] = []
    total = 0
    for n, start in enumerate(sorted(edges, key=_key)):
        if n % 100 == 0:
            run.deadline.check()
        direct = edges[start]
        new.extend(ox.Triple(start, p, z) for z in _reach(edges, start) if z not in direct)
        if len(new) > 100_000:
            total += len(new)
            run.add_triples(new)
            new = []
    total += len(new)
    run.add_triples(new)
    return total


def _chains(run: _Runner, schema: Schema) -> set[ox.NamedNode]:
    """prp-spo2: one update per property chain; returns the properties that gained triples."""
    grown = set()
    for p, steps in schema.chains:
        before = run.count(p)
        patterns = [f"?x{i + 1} {_sparql(q)} ?x{i} ." if flipped else f"?x{i} {_sparql(q)} ?x{i + 1} ."
                    for i, (q, flipped) in enumerate(steps)]
        run.add(f"?x0 {_sparql(p)} ?x{len(steps)}", " ".join(patterns) + " FILTER(!isLiteral(?x0))")
        if run.count(p) != before:
            grown.add(p)
    return grown


def _types(run: _Runner, schema: Schema) -> None:
    """prp-dom and prp-rng (the stated classes), then cax-sco (each class's instances to all its super-classes).

    cax-sco runs last and once: the super-classes are already closed (scm-sco), so what it adds needs no
    further pass.
    """
    def named(classes: Iterable[Node]) -> str:
        return " ".join(_sparql(c) for c in sorted(classes, key=_key) if isinstance(c, ox.NamedNode))

    def blank(classes: Iterable[Node]) -> list[ox.BlankNode]:
        return sorted((c for c in classes if isinstance(c, ox.BlankNode)), key=_key)

    for p, classes in sorted(schema.domains.items(), key=lambda kv: _key(kv[0])):
        if named(classes):
            run.add("?x a ?c", f"?x {_sparql(p)} ?y VALUES ?c {{ {named(classes)} }}")
        for c in blank(classes):
            run.add_triples(ox.Triple(q.subject, RDF_TYPE, c) for q in run.store.quads_for_pattern(None, p, None, DEFAULT))
    for p, classes in sorted(schema.ranges.items(), key=lambda kv: _key(kv[0])):
        if named(classes):
            run.add("?y a ?c", f"?x {_sparql(p)} ?y FILTER(!isLiteral(?y)) VALUES ?c {{ {named(classes)} }}")
        for c in blank(classes):
            run.add_triples(ox.Triple(q.object, RDF_TYPE, c) for q in run.store.quads_for_pattern(None, p, None, DEFAULT)
                            if not isinstance(q.object, ox.Literal))
    for c, supers in sorted(schema.supers.items(), key=lambda kv: _key(kv[0])):
        if isinstance(c, ox.NamedNode) and named(supers):
            run.add("?x a ?c", f"?x a {_sparql(c)} VALUES ?c {{ {named(supers)} }}")
        elif isinstance(c, ox.BlankNode) and named(supers):
            run.add_triples(ox.Triple(q.subject, RDF_TYPE, d) for q in run.store.quads_for_pattern(None, RDF_TYPE, c, DEFAULT)
                            for d in supers if isinstance(d, ox.NamedNode))
        for d in blank(supers):
            run.add_triples(ox.Triple(q.subject, RDF_TYPE, d) for q in run.store.quads_for_pattern(None, RDF_TYPE, c, DEFAULT))


def apply_rules(store: ox.Store, *, deadline: Deadline | None = None, record: bool = False) -> list[ox.Triple] | None:
    """Add the closure of the "rules" profile to ``store``'s default graph, IN PLACE.

    With ``record`` the new triples are also returned (in the order they were found; slower, for small graphs
    and ``--only-inferred``). ``deadline`` is checked between updates. Callers that must keep their store as it
    is (``rtopkg.reason.materialise_store``) run this on a copy.
    """
    deadline = deadline or _NO_DEADLINE
    run = _Runner(store, deadline, record)
    schema = read_schema(store)
    run.add_triples(schema.schema_triples())
    _views(run, schema, schema.views)
    dirty = set(schema.transitive)
    while True:
        while dirty:
            changed = {t for t in sorted(dirty, key=_key) if _close_transitive(run, t)}
            if not changed:
                break
            watched = {t: run.count(t) for t in schema.transitive}
            _views(run, schema, changed)
            dirty = {t for t, n in watched.items() if run.count(t) != n}
        if not schema.chains:
            break
        watched = {t: run.count(t) for t in schema.transitive}
        grown = _chains(run, schema)
        if not grown:
            break
        _views(run, schema, grown)
        dirty = {t for t, n in watched.items() if run.count(t) != n}
    _types(run, schema)
    return run.record


# --------------------------------------------------------------------------------------------------------
# The projection: the part of an OWL 2 RL closure this rule set is responsible for
# --------------------------------------------------------------------------------------------------------


def _named(term: object) -> bool:
    return isinstance(term, ox.NamedNode) and not term.value.startswith(BUILTIN_NAMESPACES)


def projection(triples: Iterable[ox.Triple | ox.Quad]) -> set[tuple]:
    """The triples of a closure that this rule set, and OWL 2 RL, must agree on, as ``(s, p, o)`` tuples.

    A triple whose subject is an IRI or a blank node is kept when it is

    * ``rdf:type`` with a named class as object (not an ``rdf:``/``rdfs:``/``owl:``/``xsd:`` term, so not the
      ``owl:Thing``, ``owl:Class``, ``rdfs:Datatype``... typings of ``cls-thing``, ``scm-cls``, ``dt-type*``);
    * ``rdfs:subClassOf`` or ``rdfs:subPropertyOf`` between two different named terms (the reflexive
      triples and those to ``owl:Thing``/from ``owl:Nothing`` of ``scm-cls``/``scm-op`` are left out);
    * any triple whose predicate is a named property (object, datatype or annotation property: the
      ``prp-*`` results), whatever its object.

    Left out: ``owl:sameAs`` (``eq-ref`` makes every term the same as itself), ``owl:equivalentClass`` and
    ``owl:equivalentProperty`` (reflexive in ``scm-cls``/``scm-op``), derived ``rdfs:domain``/``rdfs:range``
    (``scm-dom*``/``scm-rng*``), literals as subjects (owlrl's generalised triples), and owlrl's error reports.
    """
    kept: set[tuple] = set()
    for t in triples:
        s, p, o = t.subject, t.predicate, t.object
        if isinstance(s, ox.Literal):
            continue
        if p == RDF_TYPE:
            ok = _named(o)
        elif p in (SUBCLASS, SUBPROPERTY):
            ok = _named(s) and _named(o) and s != o
        else:
            ok = _named(p)
        if ok:
            kept.add((s, p, o))
    return kept
