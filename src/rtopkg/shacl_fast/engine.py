"""Evaluating SHACL shapes as set-at-a-time SPARQL queries on an Oxigraph store.

Every constraint of a shape becomes one query that returns only the violations for all focus nodes at once:
the focus nodes are a SPARQL pattern binding ``?this`` (the shape's targets), or a temporary named graph that
holds an explicit set of nodes (the value nodes handed to ``sh:node``, ``sh:not``, ``sh:and``, ``sh:or``,
``sh:xone``, ``sh:qualifiedValueShape`` and nested ``sh:property``). Conformance of value nodes to a nested shape
is computed for the whole set of value nodes in one go, by validating them as focus nodes of that shape.
A shape's targets are computed once, into a temporary graph, by one SPARQL update when it has several
constraints; ``sh:or`` and ``sh:xone`` lists of plain ``[ sh:class C ]`` shapes are answered by one query.

The semantics follow the SHACL recommendation and, where pyshacl reads it in its own way (``sh:languageIn``
matches the whole tag or its first subtag, ``sh:pattern`` uses Python's ``re.search``, datatypes are
well-formed as rdflib reads them), pyshacl, so that both give the same results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable

import pyoxigraph as ox

from .shapes import RDF, RDFS, SH, XSD, Constraint, Shape, ShapesIndex, Unsupported, term_sparql

__all__ = ["Engine", "Result", "Focus"]

MEMBER = "urn:x-rtopkg:shacl:member"
_TYPE_PATH = f"<{RDF}type>/<{RDFS}subClassOf>*"
_TRUE = ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))
_FALSE = ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean"))
_FN_WELL_FORMED = "urn:x-rtopkg:shacl:well-formed"
_FN_PATTERN = "urn:x-rtopkg:shacl:pattern-"


@dataclass(frozen=True)
class Result:
    """One validation result (pyoxigraph terms for data nodes, rdflib terms for shapes-graph nodes)."""

    focus: object
    path: object | None  # rdflib path node from the shapes graph, or a pyoxigraph predicate (sh:closed)
    value: object | None
    shape: object
    component: str
    severity: object
    messages: tuple = ()
    source_constraint: object | None = None
    #: Which constraint of the shape gave the result (component, parameter value): two constraints of one shape
    #: that fail on the same value (two sh:class values) are two results, as SHACL and pyshacl report them.
    constraint_key: tuple = ()


@dataclass
class Focus:
    """A set of focus nodes: a group graph pattern that binds ``?this`` (each node once)."""

    pattern: str
    graph: ox.NamedNode | None = None  # the temporary named graph holding the nodes, if any


class _Params:
    """Constants of one query: IRIs and literals are written inline, blank nodes are substituted."""

    def __init__(self) -> None:
        self.subs: dict[ox.Variable, object] = {}

    def term(self, term: object) -> str:
        from rdflib import BNode

        from .terms import to_ox

        if isinstance(term, BNode):
            name = f"_c{len(self.subs)}"
            self.subs[ox.Variable(name)] = to_ox(term)
            return "?" + name
        return term_sparql(term)

    def projection(self) -> str:
        return "".join(f" ?{v.value}" for v in self.subs)


_NODE_KIND = {
    "IRI": "isIRI(?v)", "BlankNode": "isBlank(?v)", "Literal": "isLiteral(?v)",
    "BlankNodeOrIRI": "!isLiteral(?v)", "BlankNodeOrLiteral": "!isIRI(?v)", "IRIOrLiteral": "!isBlank(?v)",
}
_COMPARE = {"MinExclusive": ">", "MinInclusive": ">=", "MaxExclusive": "<", "MaxInclusive": "<="}


class Engine:
    """Validates the default graph of ``store`` against the shapes of ``index``."""

    def __init__(self, store: ox.Store, index: ShapesIndex, *, sparql_runner=None):
        self.store = store
        self.index = index
        self._graphs = 0
        self._active: set = set()
        self._functions: dict = {ox.NamedNode(_FN_WELL_FORMED): self._well_formed}
        self._well_formed_cache: dict = {}
        self._subclass_cache: dict = {}
        self._patterns: dict[tuple[str, str], ox.NamedNode] = {}
        self._sparql = sparql_runner
        self.queries = 0

    # ---- running queries -----------------------------------------------------------------------------------

    def select(self, query: str, params: _Params | None = None) -> list:
        self.queries += 1
        try:
            solutions = self.store.query(query, substitutions=(params.subs or None) if params else None,
                                         custom_functions=self._functions)
        except SyntaxError as exc:  # a bug in the generated query, or an unsupported path form
            raise Unsupported(f"a constraint the engine could not translate ({exc}); query: {' '.join(query.split())[:300]}") from None
        return list(solutions)

    def focus_of_nodes(self, nodes: Iterable[object]) -> Focus:
        self._graphs += 1
        graph = ox.NamedNode(f"urn:x-rtopkg:shacl:focus:{self._graphs}")
        member = ox.NamedNode(MEMBER)
        self.store.extend(ox.Quad(graph, member, n, graph) for n in nodes)
        return Focus(f"GRAPH <{graph.value}> {{ <{graph.value}> <{MEMBER}> ?this }}", graph)

    def materialise(self, focus: Focus) -> Focus:
        """The nodes ``focus`` binds, copied into a new temporary graph by one SPARQL update (inside the store)."""
        self._graphs += 1
        graph = ox.NamedNode(f"urn:x-rtopkg:shacl:focus:{self._graphs}")
        self.store.update(f"INSERT {{ GRAPH <{graph.value}> {{ <{graph.value}> <{MEMBER}> ?this }} }} "
                          f"WHERE {{ {focus.pattern} }}")
        return Focus(f"GRAPH <{graph.value}> {{ <{graph.value}> <{MEMBER}> ?this }}", graph)

    def release(self, focus: Focus) -> None:
        if focus.graph is not None:
            self.store.remove_graph(focus.graph)

    def focus_of_targets(self, shape: Shape) -> tuple[Focus, list[Focus]]:
        """The focus pattern of a shape's targets, and the temporary graphs it uses (to release)."""
        parts, temps = [], []
        for cls in shape.target_classes:
            if not _is_iri(cls):
                raise Unsupported("sh:targetClass with a blank node or literal")
            names = self._subclasses(cls)
            if names is None:
                parts.append(f"{{ ?this {_TYPE_PATH} {term_sparql(cls)} }}")
            else:
                parts.append(f"{{ ?this <{RDF}type> ?_t . FILTER(?_t IN ({', '.join(names)})) }}")
        if shape.target_nodes:
            from .terms import to_ox

            temp = self.focus_of_nodes(to_ox(n) for n in shape.target_nodes)
            temps.append(temp)
            parts.append(f"{{ {temp.pattern} }}")
        for target in shape.target_sparql:
            temp = self.focus_of_nodes(self._sparql_target(target))
            temps.append(temp)
            parts.append(f"{{ {temp.pattern} }}")
        for p in shape.target_subjects_of:
            parts.append(f"{{ ?this {term_sparql(p)} ?_o }}")
        for p in shape.target_objects_of:
            parts.append(f"{{ ?_s {term_sparql(p)} ?this }}")
        body = " UNION ".join(parts)
        return Focus(f"{{ SELECT DISTINCT ?this WHERE {{ {body} }} }}"), temps

    def _sparql_target(self, target: object) -> set:
        """The focus nodes an sh:SPARQLTarget selects (its query run once, with its prefixes)."""
        from rdflib import URIRef

        from .sparql import _mask, _prefixes, _rewrite_exists

        text = str(self.index.graph.value(target, URIRef(SH + "select")))
        masked = _mask(text)
        if re.search(r"[?$](currentShape|shapesGraph|PATH)\b", masked) or re.search(r"\b(SERVICE|LOAD)\b", masked, re.I):
            raise Unsupported("an sh:SPARQLTarget using $currentShape, $shapesGraph, $PATH or SERVICE")
        query = _prefixes(self, target) + "\n" + _rewrite_exists(text)
        return {r["this"] for r in self.select(query)}

    # ---- validation ----------------------------------------------------------------------------------------

    def run(self) -> list[Result]:
        results: list[Result] = []
        for shape in self.index.targeted:
            if shape.deactivated:
                continue
            focus, temps = self.focus_of_targets(shape)
            if len(shape.constraints) > 1:
                # the targets are computed once into a temporary graph, not again by every constraint's query
                focus = self.materialise(focus)
                temps.append(focus)
            try:
                results.extend(self.validate(shape, focus))
            finally:
                for temp in temps:
                    self.release(temp)
        return results

    def validate(self, shape: Shape, focus: Focus) -> list[Result]:
        """All results of ``shape`` for the focus nodes of ``focus``."""
        if shape.deactivated:
            return []
        out: list[Result] = []
        for constraint in shape.constraints:
            out.extend(self.check(shape, constraint, focus))
        return out

    def nonconforming(self, shape_node: object, nodes: set) -> set:
        """The members of ``nodes`` that do not conform to the shape ``shape_node``."""
        shape = self.index.shape(shape_node)
        if shape.deactivated or not nodes:
            return set()
        key = (shape_node, frozenset(nodes))
        if key in self._active:
            raise Unsupported(f"a recursive shape ({shape_node}) that reaches the same nodes again")
        self._active.add(key)
        focus = self.focus_of_nodes(nodes)
        try:
            return {r.focus for r in self.validate(shape, focus)}
        finally:
            self.release(focus)
            self._active.discard(key)

    # ---- constraints ---------------------------------------------------------------------------------------

    def _values(self, shape: Shape) -> str:
        """The pattern that binds the value nodes ``?v`` of ``?this`` (after the focus pattern)."""
        if shape.is_property:
            return f"?this {shape.path_sparql} ?v ."
        return "BIND(?this AS ?v)"

    def _result(self, shape: Shape, constraint: Constraint, focus: object, value: object | None,
                path: object | None = None, component: str | None = None) -> Result:
        return Result(focus, path if path is not None else shape.path, value, shape.node,
                      SH + (component or constraint.component) + "ConstraintComponent", shape.severity,
                      tuple(shape.messages))

    def _rows(self, shape: Shape, constraint: Constraint, focus: Focus, where: str, params: _Params | None = None,
              value: bool = True) -> list[Result]:
        params = params or _Params()
        head = "?this ?v" if value else "?this"
        rows = self.select(f"SELECT DISTINCT {head}{params.projection()} WHERE {{ {focus.pattern} {where} }}", params)
        return [self._result(shape, constraint, r["this"], r["v"] if value else None) for r in rows]

    def _pairs(self, shape: Shape, focus: Focus) -> list[tuple[object, object]]:
        rows = self.select(f"SELECT DISTINCT ?this ?v WHERE {{ {focus.pattern} {self._values(shape)} }}")
        return [(r["this"], r["v"]) for r in rows]

    def check(self, shape: Shape, c: Constraint, focus: Focus) -> list[Result]:
        method = getattr(self, "_check_" + c.component)
        key = (c.component, str(c.value))
        return [replace(r, constraint_key=key) for r in method(shape, c, focus)]

    def _subclasses(self, cls: object) -> list[str] | None:
        """The IRIs of ``cls`` and its subclasses (SPARQL syntax), or None if one is a blank node."""
        found = self._subclass_cache.get(cls)
        if found is None:
            p = _Params()
            target = p.term(cls)
            rows = self.select(f"SELECT DISTINCT ?c{p.projection()} WHERE {{ ?c <{RDFS}subClassOf>* {target} }}", p)
            terms = [r["c"] for r in rows]
            if not _is_iri(cls) or any(not isinstance(t, ox.NamedNode) for t in terms):
                found = self._subclass_cache[cls] = ()
            else:
                names = sorted({f"<{t.value}>" for t in terms} | {term_sparql(cls)})
                found = self._subclass_cache[cls] = tuple(names)
        return list(found) or None

    def _instance_test(self, var: str, cls: object, params: _Params) -> str:
        """A pattern that matches when ``var`` is a SHACL instance of ``cls`` (rdf:type/rdfs:subClassOf*)."""
        names = self._subclasses(cls)
        if names is None:
            return f"{var} {_TYPE_PATH} {params.term(cls)}"
        return f"{var} <{RDF}type> ?_t . FILTER(?_t IN ({', '.join(names)}))"

    def _check_Class(self, shape, c, focus):
        p = _Params()
        test = self._instance_test("?v", c.value, p)
        return self._rows(shape, c, focus, f"{self._values(shape)} FILTER NOT EXISTS {{ {test} }}", p)

    def _check_Datatype(self, shape, c, focus):
        dt = str(c.value)
        if dt == RDFS + "Literal":
            test = "isLiteral(?v)"
        elif dt == RDFS + "Datatype":
            raise Unsupported("sh:datatype rdfs:Datatype")
        elif dt == RDF + "langString":
            test = 'isLiteral(?v) && lang(?v) != ""'
        elif dt == XSD + "string":
            test = f'isLiteral(?v) && lang(?v) = "" && datatype(?v) = <{dt}>'
        else:
            test = f"isLiteral(?v) && datatype(?v) = {term_sparql(c.value)} && <{_FN_WELL_FORMED}>(?v)"
        return self._rows(shape, c, focus, f"{self._values(shape)} FILTER(!({test}))")

    def _well_formed(self, value: ox.Literal) -> ox.Literal:
        """Is a literal well-formed for its datatype, as rdflib (and so pyshacl) reads it?"""
        key = (value.value, value.datatype.value)
        found = self._well_formed_cache.get(key)
        if found is None:
            found = _TRUE if _rdflib_well_formed(*key) else _FALSE
            self._well_formed_cache[key] = found
        return found

    def _check_NodeKind(self, shape, c, focus):
        kind = str(c.value)[len(SH):] if str(c.value).startswith(SH) else None
        if kind not in _NODE_KIND:
            raise Unsupported(f"sh:nodeKind {c.value}")
        return self._rows(shape, c, focus, f"{self._values(shape)} FILTER(!({_NODE_KIND[kind]}))")

    def _count(self, c) -> int:
        value = c.value.toPython() if hasattr(c.value, "toPython") else None
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise Unsupported(f"sh:{c.component[0].lower() + c.component[1:]} {c.value!r} (not a non-negative integer)")
        return value

    def _check_MinCount(self, shape, c, focus):
        n = self._count(c)
        if not shape.is_property:
            raise Unsupported("sh:minCount on a node shape")
        if n == 0:
            return []
        if n == 1:
            where = f"FILTER NOT EXISTS {{ ?this {shape.path_sparql} ?_x }}"
            return self._rows(shape, c, focus, where, value=False)
        rows = self.select(f"SELECT ?this WHERE {{ {focus.pattern} OPTIONAL {{ ?this {shape.path_sparql} ?v }} }} "
                           f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})")
        return [self._result(shape, c, r["this"], None) for r in rows]

    def _check_MaxCount(self, shape, c, focus):
        n = self._count(c)
        if not shape.is_property:
            raise Unsupported("sh:maxCount on a node shape")
        rows = self.select(f"SELECT ?this WHERE {{ {focus.pattern} ?this {shape.path_sparql} ?v }} "
                           f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})")
        return [self._result(shape, c, r["this"], None) for r in rows]

    def _compare(self, shape, c, focus):
        from rdflib import Literal

        if not isinstance(c.value, Literal):
            raise Unsupported(f"sh:{c.component} with a value that is not a literal")
        op = _COMPARE[c.component]
        return self._rows(shape, c, focus, f"{self._values(shape)} FILTER(!COALESCE(?v {op} {term_sparql(c.value)}, false))")

    _check_MinExclusive = _check_MinInclusive = _check_MaxExclusive = _check_MaxInclusive = _compare

    def _check_MinLength(self, shape, c, focus):
        n = self._count(c)
        if n == 0:
            return []
        return self._rows(shape, c, focus, f"{self._values(shape)} FILTER(isBlank(?v) || STRLEN(STR(?v)) < {n})")

    def _check_MaxLength(self, shape, c, focus):
        n = self._count(c)
        return self._rows(shape, c, focus, f"{self._values(shape)} FILTER(isBlank(?v) || STRLEN(STR(?v)) > {n})")

    def _check_Pattern(self, shape, c, focus):
        flags = str(c.extra.get("flags") or "")
        name = self._pattern_function(str(c.value), flags)
        return self._rows(shape, c, focus, f"{self._values(shape)} FILTER(isBlank(?v) || !<{name}>(STR(?v)))")

    def _pattern_function(self, pattern: str, flags: str) -> str:
        key = (pattern, flags)
        node = self._patterns.get(key)
        if node is None:
            re_flags = (re.I if "i" in flags.lower() else 0) | (re.M if "m" in flags.lower() else 0)
            if set(flags.lower()) - {"i", "m"}:
                raise Unsupported(f"sh:flags {flags!r} (only i and m are read the same way as pyshacl)")
            try:
                compiled = re.compile(pattern, re_flags)
            except re.error as exc:
                raise Unsupported(f"sh:pattern {pattern!r} ({exc})") from None
            cache: dict[str, ox.Literal] = {}

            def matches(text: ox.Literal) -> ox.Literal:
                found = cache.get(text.value)
                if found is None:
                    found = _TRUE if compiled.search(text.value) else _FALSE
                    if len(cache) < 200_000:
                        cache[text.value] = found
                return found

            node = ox.NamedNode(f"{_FN_PATTERN}{len(self._patterns)}")
            self._patterns[key] = node
            self._functions[node] = matches
        return node.value

    def _check_LanguageIn(self, shape, c, focus):
        from rdflib import Literal

        tags = []
        for item in self.index.graph.items(c.value):
            if not isinstance(item, Literal):
                raise Unsupported("sh:languageIn with a member that is not a literal")
            tags.append(str(item).lower())
        if "*" in tags:
            test = 'isLiteral(?v) && lang(?v) != ""'
        elif tags:
            listed = ", ".join(term_sparql(Literal(t)) for t in sorted(set(tags)))
            test = (f'isLiteral(?v) && lang(?v) != "" && (LCASE(lang(?v)) IN ({listed}) || '
                    f'LCASE(STRBEFORE(CONCAT(lang(?v), "-"), "-")) IN ({listed}))')
        else:
            test = "false"
        return self._rows(shape, c, focus, f"{self._values(shape)} FILTER(!({test}))")

    def _check_UniqueLang(self, shape, c, focus):
        if not (hasattr(c.value, "toPython") and c.value.toPython() is True):
            return []
        if not shape.is_property:
            raise Unsupported("sh:uniqueLang on a node shape")
        where = (f"?this {shape.path_sparql} ?v . ?this {shape.path_sparql} ?_w . "
                 'FILTER(isLiteral(?v) && lang(?v) != "" && !sameTerm(?v, ?_w) && LCASE(lang(?v)) = LCASE(lang(?_w)))')
        return self._rows(shape, c, focus, where, value=False)

    def _pair_path(self, c) -> str:
        if not _is_iri(c.value):
            raise Unsupported(f"sh:{c.component[0].lower() + c.component[1:]} with a value that is not an IRI")
        return term_sparql(c.value)

    def _check_Equals(self, shape, c, focus):
        p = self._pair_path(c)
        f = focus.pattern
        if shape.is_property:
            where = (f"{{ {f} ?this {shape.path_sparql} ?v FILTER NOT EXISTS {{ ?this {p} ?v }} }} UNION "
                     f"{{ {f} ?this {p} ?v FILTER NOT EXISTS {{ ?this {shape.path_sparql} ?v }} }}")
        else:
            where = (f"{{ {f} FILTER NOT EXISTS {{ ?this {p} ?this }} BIND(?this AS ?v) }} UNION "
                     f"{{ {f} ?this {p} ?v FILTER(!sameTerm(?v, ?this)) }}")
        return self._rows(shape, c, Focus(""), where)

    def _check_Disjoint(self, shape, c, focus):
        p = self._pair_path(c)
        return self._rows(shape, c, focus, f"{self._values(shape)} ?this {p} ?v .")

    def _less(self, shape, c, focus, op):
        p = self._pair_path(c)
        if not shape.is_property:
            raise Unsupported(f"sh:{c.component[0].lower() + c.component[1:]} on a node shape")
        rows = self.select(f"SELECT DISTINCT ?this ?v ?_o WHERE {{ {focus.pattern} ?this {shape.path_sparql} ?v . "
                           f"?this {p} ?_o . FILTER(!isLiteral(?v) || !isLiteral(?_o) || !COALESCE(?v {op} ?_o, false)) }}")
        out = []
        for r in rows:
            if not isinstance(r["v"], ox.Literal) or not isinstance(r["_o"], ox.Literal):
                raise Unsupported(f"sh:{c.component[0].lower() + c.component[1:]} comparing IRIs or blank nodes "
                                  "(pyshacl compares them as strings)")
            out.append(self._result(shape, c, r["this"], r["v"]))
        return list(dict.fromkeys(out))

    def _check_LessThan(self, shape, c, focus):
        return self._less(shape, c, focus, "<")

    def _check_LessThanOrEquals(self, shape, c, focus):
        return self._less(shape, c, focus, "<=")

    def _check_HasValue(self, shape, c, focus):
        p = _Params()
        value = p.term(c.value)
        if shape.is_property:
            return self._rows(shape, c, focus, f"FILTER NOT EXISTS {{ ?this {shape.path_sparql} {value} }}", p, value=False)
        return self._rows(shape, c, focus, f"FILTER(!sameTerm(?this, {value}))", p, value=False)

    def _check_In(self, shape, c, focus):
        p = _Params()
        members = [p.term(m) for m in self.index.graph.items(c.value)]
        test = " || ".join(f"sameTerm(?v, {m})" for m in members) or "false"
        return self._rows(shape, c, focus, f"{self._values(shape)} FILTER(!({test}))", p)

    def _check_Closed(self, shape, c, focus):
        from rdflib import URIRef

        if not (hasattr(c.value, "toPython") and c.value.toPython() is True):
            return []
        allowed = set()
        for prop in self.index.graph.objects(shape.node, URIRef(SH + "property")):
            path = self.index.shape(prop).path
            if isinstance(path, URIRef):
                allowed.add(path)
        if c.extra.get("ignoredProperties") is not None:
            allowed |= {m for m in self.index.graph.items(c.extra["ignoredProperties"]) if isinstance(m, URIRef)}
        test = f"FILTER(?_p NOT IN ({', '.join(term_sparql(a) for a in sorted(allowed))}))" if allowed else ""
        rows = self.select(f"SELECT DISTINCT ?this ?_p ?_o WHERE {{ {focus.pattern} {self._values(shape)} ?v ?_p ?_o . {test} }}")
        return [self._result(shape, c, r["this"], r["_o"], path=r["_p"]) for r in rows]

    # ---- shape-based constraints ---------------------------------------------------------------------------

    def _by_value(self, shape, c, focus, failing) -> list[Result]:
        """Results for the value nodes for which ``failing(set of value nodes)`` says they fail."""
        pairs = self._pairs(shape, focus)
        if not pairs:
            return []
        bad = failing({v for _, v in pairs})
        return [self._result(shape, c, this, v) for this, v in pairs if v in bad]

    def _check_Node(self, shape, c, focus):
        return self._by_value(shape, c, focus, lambda vs: self.nonconforming(c.value, vs))

    def _check_Not(self, shape, c, focus):
        return self._by_value(shape, c, focus, lambda vs: vs - self.nonconforming(c.value, vs))

    def _members(self, c) -> list:
        members = list(self.index.graph.items(c.value))
        return members

    def _check_And(self, shape, c, focus):
        members = self._members(c)
        return self._by_value(shape, c, focus, lambda vs: set().union(*(self.nonconforming(m, vs) for m in members)))

    def _class_members(self, c) -> list[list[str]] | None:
        """For ``sh:or``/``sh:xone`` lists of plain ``[ sh:class C ]`` shapes: the IRIs (SPARQL syntax) of each
        member's class and its subclasses; None when any member is anything else (then the general way runs)."""
        found = []
        for m in self._members(c):
            shape = self.index.shape(m)
            if shape.deactivated or shape.is_property or len(shape.constraints) != 1 \
                    or shape.constraints[0].component != "Class":
                return None
            names = self._subclasses(shape.constraints[0].value)
            if names is None:
                return None
            found.append(names)
        return found

    def _class_choice(self, shape, c, focus, classes: list[list[str]], exactly_one: bool) -> list[Result]:
        """``sh:or``/``sh:xone`` of class shapes in one query: a value conforms to member i when it has an
        ``rdf:type`` among member i's classes (the same test as ``_check_Class``)."""
        union = sorted({name for names in classes for name in names})
        if not exactly_one:  # sh:or: the values with no type of any member fail
            test = f"MINUS {{ ?v <{RDF}type> ?_t . FILTER(?_t IN ({', '.join(union)})) }}"
            return self._rows(shape, c, focus, f"{self._values(shape)} {test}")
        pairs = self._pairs(shape, focus)
        if not pairs:
            return []
        rows = self.select(f"SELECT DISTINCT ?v ?_t WHERE {{ {focus.pattern} {self._values(shape)} "
                           f"?v <{RDF}type> ?_t . FILTER(?_t IN ({', '.join(union)})) }}")
        types: dict = {}
        for r in rows:
            types.setdefault(r["v"], set()).add(f"<{r['_t'].value}>")
        sets = [set(names) for names in classes]

        def conforming(v) -> int:
            found = types.get(v, set())
            return sum(1 for names in sets if found & names)

        return [self._result(shape, c, this, v) for this, v in pairs if conforming(v) != 1]

    def _check_Or(self, shape, c, focus):
        classes = self._class_members(c)
        if classes is not None:
            return self._class_choice(shape, c, focus, classes, exactly_one=False)
        members = self._members(c)

        def failing(vs):
            bad = set(vs)
            for m in members:
                bad &= self.nonconforming(m, bad)
                if not bad:
                    break
            return bad

        return self._by_value(shape, c, focus, failing)

    def _check_Xone(self, shape, c, focus):
        classes = self._class_members(c)
        if classes is not None:
            return self._class_choice(shape, c, focus, classes, exactly_one=True)
        members = self._members(c)

        def failing(vs):
            conforming = {v: 0 for v in vs}
            for m in members:
                bad = self.nonconforming(m, vs)
                for v in vs:
                    if v not in bad:
                        conforming[v] += 1
            return {v for v, n in conforming.items() if n != 1}

        return self._by_value(shape, c, focus, failing)

    def _check_Property(self, shape, c, focus):
        nested = self.index.shape(c.value)
        if not nested.is_property:
            raise Unsupported("sh:property pointing at a shape without sh:path")
        if not shape.is_property:
            return self.validate(nested, focus)
        pairs = self._pairs(shape, focus)
        if not pairs:
            return []
        values = self.focus_of_nodes({v for _, v in pairs})
        try:
            return self.validate(nested, values)
        finally:
            self.release(values)

    def _check_QualifiedValueShape(self, shape, c, focus):
        from rdflib import URIRef

        if not shape.is_property:
            raise Unsupported("sh:qualifiedValueShape on a node shape")
        low = c.extra.get("qualifiedMinCount")
        high = c.extra.get("qualifiedMaxCount")
        low = None if low is None else low.toPython()
        high = None if high is None else high.toPython()
        if low is None and high is None:
            return []
        disjoint = c.extra.get("qualifiedValueShapesDisjoint")
        siblings = set()
        if disjoint is not None and disjoint.toPython() is True:
            g = self.index.graph
            for parent in g.subjects(URIRef(SH + "property"), shape.node):
                for sibling_property in g.objects(parent, URIRef(SH + "property")):
                    for sibling in g.objects(sibling_property, URIRef(SH + "qualifiedValueShape")):
                        if sibling != c.value:
                            siblings.add(sibling)
        pairs = self._pairs(shape, focus)
        values = {v for _, v in pairs}
        good = values - self.nonconforming(c.value, values)
        for sibling in sorted(siblings, key=str):
            good -= good - self.nonconforming(sibling, good)
        counted = self.focus_of_nodes(good)
        try:
            having = []
            if low is not None:
                having.append(f"?n < {int(low)}")
            if high is not None:
                having.append(f"?n > {int(high)}")
            inner = counted.pattern.replace("?this", "?v")
            having = [h.replace("?n", "COUNT(DISTINCT ?v)") for h in having]
            rows = self.select(f"SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {focus.pattern} OPTIONAL {{ "
                               f"?this {shape.path_sparql} ?v . {inner} }} }} GROUP BY ?this HAVING ({' || '.join(having)})")
        finally:
            self.release(counted)
        out = []
        for r in rows:
            n = int(r["n"].value)
            if low is not None and n < low:
                out.append(self._result(shape, c, r["this"], None, component="QualifiedMinCount"))
            if high is not None and n > high:
                out.append(self._result(shape, c, r["this"], None, component="QualifiedMaxCount"))
        return out

    def _check_SPARQL(self, shape, c, focus):
        if self._sparql is None:
            raise Unsupported("SPARQL-based constraints (sh:sparql)")
        return self._sparql(self, shape, c, focus)


def _is_iri(term: object) -> bool:
    from rdflib import URIRef

    return isinstance(term, URIRef)


def _rdflib_well_formed(value: str, datatype: str) -> bool:
    """pyshacl's test: rdflib does not find the literal ill-typed, and its Python value has the expected type."""
    import datetime
    from decimal import Decimal

    from rdflib import Literal, URIRef

    literal = Literal(value, datatype=URIRef(datatype))
    if getattr(literal, "ill_typed", None) is True:
        return False
    expected = {XSD + "integer": int, XSD + "float": float, XSD + "decimal": Decimal, XSD + "boolean": bool,
                XSD + "date": datetime.date, XSD + "time": datetime.time, XSD + "dateTime": datetime.datetime}.get(datatype)
    if expected is None:
        return True
    return isinstance(literal.value, expected)
