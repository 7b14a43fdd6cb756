"""SHACL-SPARQL constraints (``sh:sparql`` with ``sh:select``) on the Oxigraph store.

Pre-bound variables follow the recommendation (section 5.2.1): ``$this`` (each focus node), ``$currentShape``,
``$shapesGraph`` (the shapes graph, kept in a named graph of the store) and ``$PATH`` (replaced by the property
shape's path). Queries that the recommendation forbids (``MINUS``, ``VALUES``, ``SERVICE``, ``AS`` re-binding a
pre-bound variable, a sub-select that does not project ``$this``) are refused.

A query whose result for one focus node cannot depend on the other focus nodes (no sub-select, grouping,
aggregate, ``LIMIT`` or ``OFFSET``) runs once for all focus nodes, with the focus pattern joined at the start
of its outermost group -- which is what pre-binding by a ``VALUES`` clause there means. Other queries run once
per focus node with ``$this`` substituted.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from .engine import Engine, Focus, Result
from .shapes import SH, Constraint, Shape, Unsupported

__all__ = ["run_sparql_constraint", "SHAPES_GRAPH"]

SHAPES_GRAPH = "urn:x-rtopkg:shacl:shapes-graph"

_STRINGS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')
_FORBIDDEN = [(re.compile(r"\bMINUS\b", re.I), "MINUS"), (re.compile(r"\bVALUES\b", re.I), "VALUES"),
              (re.compile(r"\bSERVICE\b", re.I), "SERVICE"),
              (re.compile(r"\bAS\s*[?$](this|currentShape|shapesGraph|value|PATH)\b"), "AS re-binding a pre-bound variable")]
_PER_NODE = re.compile(r"\b(GROUP\s+BY|HAVING|LIMIT|OFFSET|COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\b", re.I)
_SELECT = re.compile(r"\bSELECT\b", re.I)


def _mask(text: str) -> str:
    """The query with strings, IRIs and comments blanked out (same length), for keyword searches."""
    return _STRINGS.sub(lambda m: " " * len(m.group(0)), text)


_GROUP_KEYWORD = re.compile(r"(\bNOT\s+EXISTS|\bEXISTS|\bOPTIONAL)\s*$", re.I)


def _flat(masked: str) -> bool:
    """Can ``$this`` be joined at the start of the outer group instead of pre-bound (same solutions)?

    True when every nested group is a ``FILTER (NOT) EXISTS`` (evaluated for each solution, so it sees
    ``$this``) or an ``OPTIONAL`` of plain triple patterns (joined on ``$this``). A ``UNION`` branch, a plain
    nested group or an ``OPTIONAL`` with its own ``FILTER`` or ``BIND`` is evaluated before the join, where a
    pre-bound ``$this`` would already be visible -- those queries run once per focus node.
    """
    start = masked.find("{", _SELECT.search(masked).end())
    depth, i = 0, start
    while i < len(masked):
        ch = masked[i]
        if ch == "{":
            depth += 1
            if depth >= 2:
                keyword = _GROUP_KEYWORD.search(masked[max(0, i - 40):i])
                if keyword is None:
                    return False
                if keyword.group(1).upper() == "OPTIONAL":
                    end = _matching(masked, i)
                    inner = masked[i + 1:end]
                    if "{" in inner or re.search(r"\b(FILTER|BIND)\b", inner, re.I):
                        return False
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return True
        i += 1
    return True


def _matching(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(text)


_VAR = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
_EXISTS = re.compile(r"FILTER\s*(NOT\s+)?EXISTS\s*\{", re.I)
_CALL = re.compile(r"\b(FILTER|BIND)\s*(\w+\s*)?\(", re.I)


def _strip_calls(text: str) -> tuple[str, str]:
    """Split group text into (triple patterns, FILTER and BIND expressions)."""
    triples, calls, i = [], [], 0
    for m in _CALL.finditer(text):
        if m.start() < i:
            continue
        triples.append(text[i:m.start()])
        end = _matching_paren(text, m.end() - 1)
        calls.append(text[m.start():end + 1])
        i = end + 1
    triples.append(text[i:])
    return " ".join(triples), " ".join(calls)


def _matching_paren(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return len(text) - 1


def _rewrite_exists(query: str) -> str:
    """Turn top-level ``FILTER NOT EXISTS { P }`` into ``MINUS { P }``, and ``FILTER EXISTS { P }`` into ``P``
    itself, joined in place with its own variables renamed apart, where that gives the same solutions.

    Oxigraph plans the pattern of an EXISTS without the outer bindings (a two-pattern EXISTS over 100k focus
    nodes takes minutes); MINUS runs as a hash anti-join, and ``P`` in place is planned together with the outer
    triple patterns (as an independent sub-select it would be evaluated alone: for ``$this a ?type . ?other a
    ?type`` every pair of resources of a type). The rewrite is exact when ``P`` is a plain group (no nested
    group) whose FILTERs use only variables its triple patterns bind, and ``P`` shares a variable that is bound in
    every outer solution (``$this``, or a variable of an outer triple pattern): then ``P`` does not depend on the
    outer solution except through shared bindings. Joining ``P`` may repeat a solution; the caller uses the
    solutions as a set (this runs only for queries without aggregates or solution modifiers).
    """
    masked = _mask(query)
    first = _SELECT.search(masked)
    start = masked.find("{", first.end())
    end = _matching(masked, start)
    body = masked[start + 1:end]
    groups = []  # (start, end, negated) within body, top level only
    depth, i = 0, 0
    while i < len(body):
        if depth == 0:
            m = _EXISTS.match(body, i)
            if m:
                close = _matching(body, m.end() - 1)
                groups.append((i, close + 1, bool(m.group(1)), m.end(), close))
                i = close + 1
                continue
        if body[i] == "{":
            depth += 1
        elif body[i] == "}":
            depth -= 1
        i += 1
    if not groups:
        return query
    outside = body
    for a, b, *_ in groups:
        outside = outside[:a] + " " * (b - a) + outside[b:]
    top = re.sub(r"\{[^{}]*\}", " ", outside)
    while "{" in top:
        top = re.sub(r"\{[^{}]*\}", " ", top)
    top_triples, _ = _strip_calls(top)
    always = {"this"} | set(_VAR.findall(top_triples))
    rest_vars = set(_VAR.findall(masked[:start] + outside))
    pieces, moved, last = [], [], 0
    for a, b, negated, inner_start, inner_end in groups:
        inner = body[inner_start:inner_end]
        if "{" in inner:
            continue
        triples, calls = _strip_calls(inner)
        triple_vars = set(_VAR.findall(triples))
        if not set(_VAR.findall(calls)) <= triple_vars or not (triple_vars & always):
            continue
        original = query[start + 1 + inner_start:start + 1 + inner_end]
        before = query[start + 1 + last:start + 1 + a]
        if negated:
            moved.append(f" MINUS {{ {original} }}")
        else:
            shared = triple_vars & rest_vars
            if not shared <= always:
                continue
            # Joined in place (not as an independent sub-select, which Oxigraph evaluates on its own: for
            # `$this a ?type . ?other a ?type` that is every pair of resources of a type). Its own variables
            # are renamed apart; the callers use the solutions as a set, so the extra multiplicity is harmless.
            inline = _rename(original, inner, triple_vars - shared, len(pieces))
            lead = "" if ("".join(pieces) + before).rstrip()[-1:] in ("{", ".", "") else " ."
            tail = "" if inline.rstrip().endswith(".") else " ."
            before = before + f"{lead} {inline}{tail} "
        pieces.append(before)
        last = b
    if not moved and not pieces:
        return query
    pieces.append(query[start + 1 + last:start + 1 + len(body)])
    return query[:start + 1] + "".join(pieces) + "".join(moved) + " " + query[end:]


def _rename(original: str, masked: str, names: set, n: int) -> str:
    """``original`` with the variables ``names`` renamed apart (``masked`` is its text with strings masked)."""
    out, last = [], 0
    for m in _VAR.finditer(masked):
        if m.group(1) in names:
            out.append(original[last:m.start()])
            out.append(f"?{m.group(1)}_rtopkg_exists{n}")
            last = m.end()
    out.append(original[last:])
    return "".join(out)


def _prefixes(engine: Engine, node: object) -> str:
    from rdflib import URIRef
    from rdflib.namespace import OWL

    g = engine.index.graph
    lines = []
    ontologies, todo = set(), list(g.objects(node, URIRef(SH + "prefixes")))
    while todo:
        ontology = todo.pop()
        if ontology in ontologies:
            continue
        ontologies.add(ontology)
        todo.extend(g.objects(ontology, OWL.imports))
    for ontology in sorted(ontologies, key=str):
        for declaration in g.objects(ontology, URIRef(SH + "declare")):
            prefix = g.value(declaration, URIRef(SH + "prefix"))
            namespace = g.value(declaration, URIRef(SH + "namespace"))
            if prefix is None or namespace is None:
                raise Unsupported("an sh:declare without sh:prefix and sh:namespace")
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def _ensure_projected(query: str, masked: str, names: list[str]) -> str:
    """Add ``?name`` to the outer projection unless it is ``SELECT *`` or already there."""
    match = _SELECT.search(masked)
    if not match:
        raise Unsupported("an sh:select that is not a SELECT query")
    brace = masked.find("{", match.end())
    head = masked[match.end():brace]
    if re.match(r"\s*(DISTINCT|REDUCED)?\s*\*", head, re.I):
        return query
    insert_at = match.end()
    modifier = re.match(r"\s*(DISTINCT|REDUCED)\b", head, re.I)
    if modifier:
        insert_at += modifier.end()
    missing = [n for n in names if not re.search(r"[?$]" + n + r"\b", head)]
    if not missing:
        return query
    return query[:insert_at] + "".join(f" ?{n}" for n in missing) + query[insert_at:]


def run_sparql_constraint(engine: Engine, shape: Shape, c: Constraint, focus: Focus) -> list[Result]:
    from rdflib import Literal, URIRef

    from .terms import to_ox

    g = engine.index.graph
    node = c.value
    if any(isinstance(v, Literal) and v.toPython() is True for v in g.objects(node, URIRef(SH + "deactivated"))):
        return []
    selects = list(g.objects(node, URIRef(SH + "select")))
    if len(selects) != 1:
        if list(g.objects(node, URIRef(SH + "ask"))):
            raise Unsupported("sh:ask in a SPARQL-based constraint")
        raise Unsupported("a SPARQL-based constraint without exactly one sh:select")
    query = str(selects[0])
    masked = _mask(query)
    for pattern, name in _FORBIDDEN:
        if pattern.search(masked):
            raise Unsupported(f"{name} in a SPARQL-based constraint (not allowed with pre-bound variables)")
    if "$PATH" in masked:
        if not shape.is_property:
            raise Unsupported("$PATH in a SPARQL-based constraint of a node shape")
        query = re.sub(r"\$PATH\b", lambda _: shape.path_sparql, query)
        masked = _mask(query)
    per_node = bool(_PER_NODE.search(masked)) or len(_SELECT.findall(masked)) > 1 or not _flat(masked)
    if len(_SELECT.findall(masked)) > 1:
        # A sub-select must project $this, or pre-binding cannot reach inside it.
        for sub in _SELECT.finditer(masked, _SELECT.search(masked).end()):
            head = masked[sub.end():masked.find("{", sub.end())]
            if not re.search(r"[?$]this\b|\*", head):
                raise Unsupported("a sub-select that does not project $this in a SPARQL-based constraint")
    subs: dict = {}
    if re.search(r"[?$]currentShape\b", masked):
        subs[ox.Variable("currentShape")] = to_ox(shape.node)
    if re.search(r"[?$]shapesGraph\b", masked):
        subs[ox.Variable("shapesGraph")] = engine_shapes_graph(engine)
    query = _ensure_projected(query, masked, ["this"] + [v.value for v in subs])
    prefix_text = _prefixes(engine, node)
    if per_node:
        rows = []
        flat = _flat(_mask(query)) and len(_SELECT.findall(_mask(query))) == 1
        for solution in engine.select(f"SELECT ?this WHERE {{ {focus.pattern} }}"):
            this = solution["this"]
            if isinstance(this, ox.BlankNode):
                if not flat:
                    raise Unsupported("a SPARQL-based constraint with nested groups or sub-selects, "
                                      "on a blank node focus node")
                bound = dict(subs)
                bound[ox.Variable("this")] = this
                text = query
            else:
                bound, text = subs, _replace_this(query, _ox_sparql(this))
            names, found = _run(engine, prefix_text + "\n" + text, bound)
            rows.extend((this, names, r) for r in found)
    else:
        masked = _mask(query)
        match = _SELECT.search(masked)
        brace = masked.find("{", match.end())
        joined = query[:brace + 1] + f" {focus.pattern} " + query[brace + 1:]
        joined = _rewrite_exists(joined)
        names, found = _run(engine, prefix_text + "\n" + joined, subs)
        rows = [(r["this"], names, r) for r in found]
    messages = list(g.objects(node, URIRef(SH + "message")))
    out: dict[Result, None] = {}
    for this, names, row in rows:
        out[_result(engine, shape, c, this, names, row, messages)] = None
    return list(out)


def _ox_sparql(term) -> str:
    """An IRI or literal (pyoxigraph) in SPARQL syntax."""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    value = term.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    if term.language:
        return f'"{value}"@{term.language}'
    return f'"{value}"^^<{term.datatype.value}>'


_THIS = re.compile(r"[?$]this\b")


def _replace_this(query: str, term: str) -> str:
    """Pre-bind ``$this`` by writing ``term`` in its place: ``(term AS ?this)`` in projections, ``(term)`` in
    GROUP BY and ORDER BY, ``term`` elsewhere."""
    query = re.sub(r"\bbound\s*\(\s*[?$]this\s*\)", "(true)", query, flags=re.I)
    masked = _mask(query)
    spans = []  # (start, end, kind)
    for i, m in enumerate(_SELECT.finditer(masked)):
        spans.append((m.end(), masked.find("{", m.end()), "outer" if i == 0 else "head"))
    for m in re.finditer(r"\b(GROUP|ORDER)\s+BY\b", masked, re.I):
        end = min([i for i in (masked.find("{", m.end()), masked.find("}", m.end())) if i >= 0] + [len(masked)])
        stop = re.search(r"\b(HAVING|ORDER|LIMIT|OFFSET)\b", masked[m.end():end], re.I)
        spans.append((m.end(), m.end() + stop.start() if stop else end, "group"))
    out, last = [], 0
    for m in _THIS.finditer(masked):
        kind = next((k for a, b, k in spans if a <= m.start() < b), None)
        out.append(query[last:m.start()])
        out.append("" if kind == "outer" else f"({term} AS ?this)" if kind == "head" else f"({term})" if kind == "group" else term)
        last = m.end()
    out.append(query[last:])
    text = "".join(out)
    # The outer projection no longer names $this (the caller knows the focus node); keep it non-empty.
    masked = _mask(text)
    first = _SELECT.search(masked)
    head = masked[first.end():masked.find("{", first.end())]
    if not re.sub(r"(?i)\b(DISTINCT|REDUCED|WHERE)\b", "", head).strip():
        modifier = re.match(r"\s*(DISTINCT|REDUCED)\b", head, re.I)
        at = first.end() + (modifier.end() if modifier else 0)
        text = text[:at] + " (1 AS ?_rtopkg_one)" + text[at:]
    return text


def _run(engine: Engine, query: str, subs: dict) -> tuple[list[str], list]:
    engine.queries += 1
    try:
        solutions = engine.store.query(query, substitutions=subs or None)
        return [v.value for v in solutions.variables], list(solutions)
    except SyntaxError as exc:
        raise Unsupported(f"a SPARQL-based constraint Oxigraph cannot parse ({exc})") from None


def _result(engine: Engine, shape: Shape, c: Constraint, this, names: list[str], row,
            constraint_messages: list) -> Result:
    values = {}
    for name in names:
        term = row[name]
        if term is not None:
            values[name] = term
    failure = values.get("failure")
    if failure is not None and isinstance(failure, ox.Literal) and failure.value == "true":
        raise Unsupported("a SPARQL-based constraint that reports ?failure")
    focus = values.get("this", this)
    path = values.get("path")
    value = values.get("value")
    if value is None and not shape.is_property:
        value = focus
    bound = {"this": focus}
    if path is not None:
        bound["path"] = path
    if value is not None:
        bound["value"] = value
    for name, term in values.items():
        if name not in ("this", "path", "value", "failure", "currentShape", "shapesGraph"):
            bound[name] = term
    rendered = []
    shape_messages = list(shape.messages)
    for m in constraint_messages:
        if m in shape_messages:
            continue
        rendered.append(_format(m, bound, engine))
    for m in shape_messages:
        rendered.append(_format(m, bound, engine))
    return Result(focus, path if path is not None else shape.path, value, shape.node, SH + "SPARQLConstraintComponent",
                  shape.severity, tuple(rendered), c.value)


def _format(message: object, bound: dict, engine: Engine):
    from rdflib import Literal

    from .terms import to_rdflib

    text = str(message)
    for name, term in bound.items():
        text = re.sub("{[?$]" + re.escape(name) + "}", lambda _: str(to_rdflib(term)), text)
    return Literal(text)


def engine_shapes_graph(engine: Engine) -> ox.NamedNode:
    """The named graph of the store that holds the shapes graph (loaded on first use)."""
    from .terms import to_ox

    graph = ox.NamedNode(SHAPES_GRAPH)
    if not getattr(engine, "_shapes_loaded", False):
        engine.store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph) for s, p, o in engine.index.graph)
        engine._shapes_loaded = True
    return graph
