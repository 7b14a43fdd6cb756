"""Moving terms between rdflib and pyoxigraph, and loading a data graph into a store without changing it.

Oxigraph stores some literals in a canonical form: ``"01"^^xsd:integer`` becomes ``"1"``, ``"1"^^xsd:boolean``
becomes ``"true"``, and the derived integer types (``xsd:int``, ``xsd:positiveInteger``...) become
``xsd:integer``. Validating such a store could give other verdicts than pyshacl on the graph as written
(``sh:datatype xsd:int`` would fail, two literals could merge into one value), so :func:`check_literal` finds
every literal the store would change and the loaders refuse it with :class:`Unsupported` (use pyshacl then).
Language tags are lower-cased by Oxigraph too, which RDF allows (tags compare case-insensitively); the
original spelling is remembered so that reports show the tag as written.
"""

from __future__ import annotations

import re
from typing import Iterable

import pyoxigraph as ox

from .shapes import Unsupported

__all__ = ["to_ox", "to_rdflib", "check_literal", "LangCase", "load_rdflib", "load_quads"]

XSD = "http://www.w3.org/2001/XMLSchema#"

#: Datatypes Oxigraph encodes natively (and may rewrite); everything else is stored exactly as written.
_NATIVE = {XSD + n for n in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
    "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte", "decimal", "double",
    "float", "boolean", "dateTime", "dateTimeStamp", "date", "time", "gYear", "gYearMonth", "gMonthDay", "gDay",
    "gMonth", "duration", "dayTimeDuration", "yearMonthDuration")}
#: Lexical forms Oxigraph keeps unchanged, for the common datatypes (others are checked with a scratch store).
_CANONICAL = {
    XSD + "integer": re.compile(r"-?(0|[1-9][0-9]*)\Z"),
    XSD + "boolean": re.compile(r"(true|false)\Z"),
    XSD + "date": re.compile(r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}Z?\Z"),
    XSD + "gYear": re.compile(r"-?[0-9]{4,}Z?\Z"),
    XSD + "gYearMonth": re.compile(r"-?[0-9]{4,}-[0-9]{2}Z?\Z"),
}
_scratch: ox.Store | None = None
_seen: dict[tuple[str, str], bool] = {}


def _kept(value: str, datatype: str) -> bool:
    key = (value, datatype)
    found = _seen.get(key)
    if found is None:
        global _scratch
        if _scratch is None:
            _scratch = ox.Store()
        literal = ox.Literal(value, datatype=ox.NamedNode(datatype))
        quad = ox.Quad(ox.NamedNode("urn:x-rtopkg:s"), ox.NamedNode("urn:x-rtopkg:p"), literal)
        _scratch.add(quad)
        stored = next(iter(_scratch)).object
        _scratch.clear()
        found = stored.value == value and stored.datatype.value == datatype
        if len(_seen) < 100_000:
            _seen[key] = found
    return found


def check_literal(value: str, datatype: str) -> None:
    """Raise :class:`Unsupported` if Oxigraph would store this typed literal differently."""
    if datatype not in _NATIVE:
        return
    pattern = _CANONICAL.get(datatype)
    if pattern is not None and pattern.match(value):
        return
    if not _kept(value, datatype):
        raise Unsupported(f'the literal "{value}"^^<{datatype}>, which Oxigraph stores in another form '
                          "(canonical lexical form or xsd:integer for derived integer types)")


class LangCase:
    """Remembers language tags written with upper-case letters, to report literals as written."""

    def __init__(self) -> None:
        self.tags: dict[str, str] = {}

    def note(self, tag: str) -> None:
        lower = tag.lower()
        if lower != tag:
            previous = self.tags.setdefault(lower, tag)
            if previous != tag:
                raise Unsupported(f"the language tags {previous!r} and {tag!r}, which differ only in case")


def to_ox(term: object) -> object:
    """An rdflib term as a pyoxigraph term."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is None:
            return ox.Literal(str(term))
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    raise Unsupported(f"the RDF term {term!r}")


def to_rdflib(term: object, langs: LangCase | None = None) -> object:
    """A pyoxigraph term as an rdflib term (language tags as originally written when known)."""
    from ..load import to_rdflib as convert

    if not isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        raise Unsupported(f"the RDF term {term!r}")
    return convert(term, languages=langs.tags if langs else None)


def load_rdflib(graph: object, store: ox.Store, langs: LangCase) -> int:
    """Copy an rdflib graph into the store's default graph, refusing literals the store would change."""
    from rdflib import Literal

    quads = []
    for s, p, o in graph:
        if isinstance(o, Literal):
            if o.language:
                langs.note(o.language)
            elif o.datatype is not None:
                check_literal(str(o), str(o.datatype))
                if getattr(o, "ill_typed", None) is True and _looks_well_formed(str(o), str(o.datatype)):
                    raise Unsupported(f'the ill-typed literal {o.n3()}, whose lexical form rdflib has rewritten')
        quads.append(ox.Quad(to_ox(s), to_ox(p), to_ox(o)))
    store.extend(quads)
    return len(quads)


def _looks_well_formed(value: str, datatype: str) -> bool:
    from .engine import _rdflib_well_formed

    return _rdflib_well_formed(value, datatype)


def load_quads(quads: Iterable[ox.Quad], store: ox.Store, langs: LangCase) -> int:
    """Add parsed quads to the store's default graph, refusing literals the store would change."""
    batch = []
    literal = ox.Literal
    for quad in quads:
        o = quad.object
        if type(o) is literal:
            tag = o.language
            if tag:
                langs.note(tag)
            else:
                dt = o.datatype.value
                if dt in _NATIVE:
                    check_literal(o.value, dt)
        batch.append(ox.Quad(quad.subject, quad.predicate, o))
    store.extend(batch)
    return len(batch)
