"""The canonical Turtle and TriG writer, and the canonical N-Triples form of terms.

One graph always gives the same text, whatever order its triples came in, so that releases and curators'
diffs stay small:

* a prefix block holding only the prefixes used, in the order of :data:`rtopkg.prefixes.PREFIXES`, then the
  unknown ones sorted by name;
* one block per subject, blocks sorted by the subject as written (prefixed name or ``<iri>``; blank-node
  blocks after IRIs); ``rdf:type`` first as ``a``, the other predicates sorted as written, the objects of a
  predicate sorted (IRIs, then blank nodes, then literals);
* several objects of one predicate on one line joined with ``", "`` when that line fits in :data:`WIDTH`
  columns, otherwise one object per line;
* a blank node referenced once is written inline as ``[ ... ]`` (on one line when it fits), a well-formed RDF
  list as ``( ... )``; a blank node that is nobody's object starts its own block as ``[] ...``; blank nodes
  referenced more than once (or only from a cycle) keep a label from RDF Dataset Canonicalization (RDFC-1.0);
* literals in their shortest exact form: integers, decimals, doubles and booleans bare when their lexical form
  allows it, other datatypes as prefixed names, ``\"\"\"`` for multi-line strings; non-ASCII characters are
  written as themselves (UTF-8), control characters escaped.

Terms are pyoxigraph terms: their lexical forms are exactly those of the source (rdflib would normalise
``"007"^^xsd:integer`` to ``"7"``, which changes the graph).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Sequence

import pyoxigraph as ox

from .prefixes import PREFIXES

__all__ = [
    "WIDTH",
    "natural",
    "PrefixMap",
    "nt_term",
    "direction_suffix",
    "nt_quad",
    "canonicalize",
    "turtle_literal",
    "TurtleWriter",
    "serialize_turtle",
    "serialize_trig",
]

#: The line width the writer keeps to when it has a choice (long literals stay on one line); the project's
#: files and docs wrap at 110 columns.
WIDTH = 110
INDENT = "    "

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = RDF + "type"
RDF_FIRST = RDF + "first"
RDF_REST = RDF + "rest"
RDF_NIL = RDF + "nil"
XSD_STRING = XSD + "string"

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?[0-9]*\.[0-9]+")
_DOUBLE = re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+")
_BARE = {XSD + "integer": _INTEGER, XSD + "decimal": _DECIMAL, XSD + "double": _DOUBLE}
# A conservative PN_LOCAL: ASCII name characters, may start with a digit, may not end with a dot, not empty
# (``<http://purl.org/dc/terms/>`` reads better than ``dcterms:``).
_LOCAL = re.compile(r"[A-Za-z0-9_:](?:[A-Za-z0-9_\-.:]*[A-Za-z0-9_\-:])?")
_PREFIX_NAME = re.compile(r"(?:[A-Za-z](?:[A-Za-z0-9_\-.]*[A-Za-z0-9_\-])?)?")
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


# ---------------------------------------------------------------------------------------------------------
# N-Triples (canonical form)
# ---------------------------------------------------------------------------------------------------------

_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _escape_char(ch: str) -> str:
    found = _ECHAR.get(ch)
    if found is not None:
        return found
    if ch < " " or ch == "\x7f":
        return f"\\u{ord(ch):04X}"
    return ch


_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')


def _escape_string(value: str) -> str:
    return _NEEDS_ESCAPE.sub(lambda m: _escape_char(m.group(0)), value)


def direction_suffix(literal: "ox.Literal") -> str:
    """``--ltr``/``--rtl`` for an RDF 1.2 directional language string, else ``""``."""
    direction = getattr(literal, "direction", None)
    return f"--{direction}" if direction is not None else ""


def _iri_ref(iri: str) -> str:
    return "<" + _IRI_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04X}", iri) + ">"


def nt_term(term) -> str:
    """The canonical N-Triples text of a pyoxigraph term (UTF-8 as itself, control characters escaped)."""
    if isinstance(term, ox.NamedNode):
        return _iri_ref(term.value)
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        text = '"' + _escape_string(term.value) + '"'
        if term.language:
            return text + "@" + term.language + direction_suffix(term)
        if term.datatype.value != XSD_STRING:
            return text + "^^" + _iri_ref(term.datatype.value)
        return text
    if isinstance(term, ox.DefaultGraph):
        return ""
    raise TypeError(f"not an RDF term: {term!r}")


def nt_quad(subject, predicate, obj, graph=None) -> str:
    """One N-Triples (``graph`` None or default) or N-Quads line, without the line end."""
    parts = [nt_term(subject), nt_term(predicate), nt_term(obj)]
    if graph is not None and not isinstance(graph, ox.DefaultGraph):
        parts.append(nt_term(graph))
    return " ".join(parts) + " ."


def canonicalize(quads: Iterable) -> list:
    """The quads with blank nodes relabelled by RDF Dataset Canonicalization (RDFC-1.0, SHA-256).

    The labels (``c14n0``, ``c14n1``...) depend only on the graph, never on parse order or hash seeds.
    """
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return list(dataset)


# ---------------------------------------------------------------------------------------------------------
# Prefixes
# ---------------------------------------------------------------------------------------------------------


class PrefixMap:
    """Prefixed names for IRIs: the project's :data:`PREFIXES`, plus a file's own prefixes.

    A file's prefix whose namespace is one of the project's takes the project's name; a file's prefix whose
    name the project uses for another namespace keeps its binding (the project's namespace is then written
    in full). :meth:`used_lines` lists only the prefixes that were used.
    """

    def __init__(self, extra: dict[str, str] | None = None):
        names: dict[str, str] = dict(PREFIXES)
        known = set(PREFIXES.values())
        self.extra: list[str] = []
        for name, ns in sorted((extra or {}).items()):
            if ns in known or not _PREFIX_NAME.fullmatch(name) or not ns:
                continue
            if name in names and names[name] != ns:
                del names[name]
            if name not in PREFIXES or names.get(name) is None:
                self.extra.append(name)
            names[name] = ns
        self.names = names
        self._by_length = sorted(((ns, name) for name, ns in names.items()), key=lambda x: (-len(x[0]), x[1]))
        self._cache: dict[str, str] = {}
        self.used: set[str] = set()

    def iri(self, iri: str) -> str:
        """``prefix:local`` when a prefix fits, else ``<iri>``."""
        found = self._cache.get(iri)
        if found is None:
            found = _iri_ref(iri)
            for ns, name in self._by_length:
                if iri.startswith(ns) and _LOCAL.fullmatch(iri[len(ns):]):
                    found = f"{name}:{iri[len(ns):]}"
                    break
            self._cache[iri] = found
        if not found.startswith("<"):
            self.used.add(found.split(":", 1)[0])
        return found

    def used_lines(self) -> list[str]:
        """``@prefix`` lines for the prefixes used: project order first, then the file's own, sorted."""
        order = [name for name in PREFIXES if name in self.names and name not in self.extra]
        order += sorted(self.extra)
        return [f"@prefix {name}: {_iri_ref(self.names[name])} ." for name in order if name in self.used]


# ---------------------------------------------------------------------------------------------------------
# Literals
# ---------------------------------------------------------------------------------------------------------


def _long_string(value: str) -> str:
    out = []
    last = len(value) - 1
    for i, ch in enumerate(value):
        if ch == "\n":
            out.append(ch)
        elif ch == '"':
            out.append('\\"' if i == last or value[i + 1] == '"' else ch)
        else:
            out.append(_escape_char(ch))
    return '"""' + "".join(out) + '"""'


def turtle_literal(literal: "ox.Literal", prefixes: PrefixMap) -> str:
    """The shortest exact Turtle text of ``literal``."""
    value = literal.value
    quoted = _long_string(value) if "\n" in value else '"' + _escape_string(value) + '"'
    if literal.language:
        return quoted + "@" + literal.language + direction_suffix(literal)
    datatype = literal.datatype.value
    if datatype == XSD_STRING:
        return quoted
    pattern = _BARE.get(datatype)
    if pattern is not None and pattern.fullmatch(value):
        return value
    if datatype == XSD + "boolean" and value in ("true", "false"):
        return value
    return quoted + "^^" + prefixes.iri(datatype)


# ---------------------------------------------------------------------------------------------------------
# Turtle
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Block:
    """One subject's block: ``key`` orders blocks, ``subject`` is the term, ``lines`` its text."""

    key: tuple
    subject: object
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


_DIGITS = re.compile(r"(\d+)")


def natural(text: str) -> tuple:
    """A sort key that orders the numbers inside names by value (``quote:l8-x`` before ``quote:l21-y``)."""
    parts = _DIGITS.split(text)
    return tuple((0, int(part), part) if k % 2 else (1, 0, part) for k, part in enumerate(parts)), text


def _kind(term) -> int:
    if isinstance(term, ox.NamedNode):
        return 0
    if isinstance(term, ox.BlankNode):
        return 1
    return 2


class TurtleWriter:
    """Renders a set of triples (pyoxigraph terms) as canonical Turtle blocks (see the module docstring).

    Blank nodes should already carry canonical labels (:func:`canonicalize`): labels only show for blank
    nodes referenced more than once, but they also order their blocks.
    """

    def __init__(self, triples: Iterable[Sequence], prefixes: PrefixMap, indent: str = ""):
        self.prefixes = prefixes
        self.base_indent = indent
        self.props: dict[object, dict[object, set]] = defaultdict(lambda: defaultdict(set))
        self.refs: dict[object, int] = defaultdict(int)
        for s, p, o in {(t[0], t[1], t[2]) for t in triples}:
            self.props[s][p].add(o)
            if isinstance(o, ox.BlankNode):
                self.refs[o] += 1
        self.visited: set = set()

    # -- terms ------------------------------------------------------------------------------------------

    def _simple(self, term) -> str:
        if isinstance(term, ox.NamedNode):
            return self.prefixes.iri(term.value)
        if isinstance(term, ox.Literal):
            return turtle_literal(term, self.prefixes)
        return "_:" + term.value

    def _inlinable(self, node) -> bool:
        return isinstance(node, ox.BlankNode) and self.refs.get(node, 0) == 1 and node not in self.visited

    def _list_items(self, node) -> list | None:
        """The items of the well-formed RDF list starting at ``node``, or None."""
        items, seen = [], set()
        while not (isinstance(node, ox.NamedNode) and node.value == RDF_NIL):
            if not self._inlinable(node) or node in seen:
                return None
            props = self.props.get(node, {})
            if set(p.value for p in props) != {RDF_FIRST, RDF_REST}:
                return None
            firsts = [o for p, objs in props.items() if p.value == RDF_FIRST for o in objs]
            rests = [o for p, objs in props.items() if p.value == RDF_REST for o in objs]
            if len(firsts) != 1 or len(rests) != 1:
                return None
            seen.add(node)
            items.append(firsts[0])
            node = rests[0]
        return items if items else None

    def _object(self, term, column: int, indent: str) -> list[str]:
        """The text of an object: one line, or several (the first without indent, the rest with it)."""
        if not self._inlinable(term):
            return [self._simple(term)]
        items = self._list_items(term)
        if items is not None:
            node = term
            while not (isinstance(node, ox.NamedNode) and node.value == RDF_NIL):
                self.visited.add(node)
                node = next(iter(self.props[node][ox.NamedNode(RDF_REST)]))
            rendered = [self._object(item, 0, indent + INDENT) for item in items]
            if all(len(r) == 1 for r in rendered):
                line = "( " + " ".join(r[0] for r in rendered) + " )"
                if column + len(line) <= WIDTH:
                    return [line]
            lines = ["("]
            for r in rendered:
                lines.append(indent + INDENT + r[0])
                lines.extend(r[1:])
            lines.append(indent + ")")
            return lines
        self.visited.add(term)
        props = self.props.get(term)
        if not props:
            return ["[]"]
        single = self._one_line(props)
        if single is not None and column + len(single) <= WIDTH:
            return [single]
        return ["["] + self._predicate_lines(props, indent + INDENT) + [indent + "]"]

    def _one_line(self, props) -> str | None:
        parts = []
        for predicate in self._predicates(props):
            objs = []
            for o in self._sorted_objects(props[predicate]):
                if isinstance(o, ox.BlankNode) and self._inlinable(o):
                    return None
                objs.append(self._simple(o))
            parts.append(self._predicate_text(predicate) + " " + ", ".join(objs))
        return "[ " + " ; ".join(parts) + " ]"

    def _predicate_text(self, predicate) -> str:
        return "a" if predicate.value == RDF_TYPE else self.prefixes.iri(predicate.value)

    def _predicates(self, props) -> list:
        return sorted(props, key=lambda p: (p.value != RDF_TYPE, natural(self._predicate_text(p))))

    def _sorted_objects(self, objects) -> list:
        return sorted(objects, key=lambda o: (_kind(o), natural(o.value if isinstance(o, ox.BlankNode)
                                                               else self._simple(o))))

    def _predicate_lines(self, props, indent: str) -> list[str]:
        """``predicate objects`` lines separated by `` ;`` (no final punctuation)."""
        groups: list[list[str]] = []
        for predicate in self._predicates(props):
            head = self._predicate_text(predicate) + " "
            column = len(indent) + len(head)
            rendered = sorted(((_kind(o), self._object(o, column, indent)) for o in props[predicate]),
                              key=lambda r: (r[0], natural("\n".join(r[1]))))
            texts = [r for _, r in rendered]
            joined = ", ".join(r[0] for r in texts)
            if all(len(r) == 1 for r in texts) and (len(texts) == 1 or column + len(joined) <= WIDTH):
                groups.append([indent + head + joined])
                continue
            lines: list[str] = []
            for i, r in enumerate(texts):
                if i > 0:
                    lines[-1] += ","
                lines.append((indent + head if i == 0 else indent + INDENT) + r[0])
                lines.extend(r[1:])
            groups.append(lines)
        out: list[str] = []
        for i, group in enumerate(groups):
            if i < len(groups) - 1:
                group = group[:-1] + [group[-1] + " ;"]
            out.extend(group)
        return out

    # -- blocks -----------------------------------------------------------------------------------------

    def _block(self, subject, head: str) -> list[str]:
        self.visited.add(subject)
        lines = self._predicate_lines(self.props[subject], self.base_indent + INDENT)
        first = lines[0][len(self.base_indent + INDENT):]
        lines[0] = self.base_indent + head + " " + first
        lines[-1] += " ."
        return lines

    def blocks(self) -> list[Block]:
        """All blocks, in canonical order."""
        out: list[Block] = []
        iris = sorted((s for s in self.props if isinstance(s, ox.NamedNode)),
                      key=lambda s: natural(self.prefixes.iri(s.value)))
        for s in iris:
            head = self.prefixes.iri(s.value)
            out.append(Block((0, natural(head)), s, self._block(s, head)))
        roots = sorted((s for s in self.props if isinstance(s, ox.BlankNode) and self.refs.get(s, 0) == 0),
                       key=lambda s: s.value)
        anonymous = []
        for s in roots:
            lines = self._block(s, "[]")
            anonymous.append(Block((1, natural("\n".join(lines))), s, lines))
        out.extend(sorted(anonymous, key=lambda b: b.key))
        rest = sorted((s for s in self.props if isinstance(s, ox.BlankNode) and s not in self.visited),
                      key=lambda s: s.value)
        for s in rest:
            if s in self.visited:
                continue
            self.refs[s] = max(self.refs.get(s, 0), 2)  # never inline it from now on
            head = "_:" + s.value
            out.append(Block((2, natural(s.value)), s, self._block(s, head)))
        return out


def serialize_turtle(triples: Iterable[Sequence], *, prefixes: PrefixMap | None = None,
                     header: Sequence[str] = (), canonical: bool = True) -> str:
    """Canonical Turtle for ``triples`` (pyoxigraph terms; a fourth item, the graph, is ignored).

    ``header`` lines (comments, without line ends) open the file. With ``canonical`` the blank nodes are
    first relabelled by RDFC-1.0.
    """
    triples = [(t[0], t[1], t[2]) for t in triples]
    if canonical:
        triples = [(q.subject, q.predicate, q.object)
                   for q in canonicalize(ox.Quad(s, p, o) for s, p, o in triples)]
    prefixes = prefixes or PrefixMap()
    blocks = TurtleWriter(triples, prefixes).blocks()
    return _assemble(list(header), prefixes, ["\n".join(b.lines) for b in blocks])


def serialize_trig(graphs: Sequence[tuple[str, Iterable[Sequence]]], *, prefixes: PrefixMap | None = None,
                   header: Sequence[str] = (), canonical: bool = True) -> str:
    """Canonical TriG: one ``GRAPH { ... }`` per ``(graph IRI, triples)`` pair, in the order given."""
    graphs = [(name, [(t[0], t[1], t[2]) for t in triples]) for name, triples in graphs]
    if canonical:
        quads = [ox.Quad(s, p, o, ox.NamedNode(name)) for name, triples in graphs for s, p, o in triples]
        grouped: dict[str, list] = defaultdict(list)
        for q in canonicalize(quads):
            grouped[q.graph_name.value].append((q.subject, q.predicate, q.object))
        graphs = [(name, grouped.get(name, [])) for name, _ in graphs]
    prefixes = prefixes or PrefixMap()
    chunks = []
    for name, triples in graphs:
        blocks = TurtleWriter(triples, prefixes, indent=INDENT).blocks()
        body = "\n\n".join("\n".join(b.lines) for b in blocks)
        chunks.append(prefixes.iri(name) + " {\n" + body + ("\n" if body else "") + "}")
    return _assemble(list(header), prefixes, chunks)


def _assemble(header: list[str], prefixes: PrefixMap, chunks: list[str]) -> str:
    parts = []
    if header:
        parts.append("\n".join(header))
    lines = prefixes.used_lines()
    if lines:
        parts.append("\n".join(lines))
    parts.extend(chunks)
    return "\n\n".join(parts) + "\n" if parts else ""
