"""Deterministic writers for N-Triples, N-Quads, JSON-LD and RDF/XML (Turtle and TriG are in
:mod:`rtopkg.canonical`).

All of them take pyoxigraph terms whose blank nodes already carry canonical labels
(:func:`rtopkg.canonical.canonicalize`), and give the same bytes for the same graph:

* **N-Triples / N-Quads**: canonical N-Triples terms, lines sorted (code point order, which is UTF-8 byte order).
* **JSON-LD**: compacted with the curated context shipped in the package (``rtopkg/context.jsonld``), which the
  document embeds (no remote ``@context``). Language-tagged labels go into language maps (``"label": {"en": ...}``),
  object properties the context declares with ``"@type": "@id"`` take compact IRIs as plain strings, blank nodes
  referenced once are embedded, RDF lists become ``@list``; keys and arrays are sorted, ``@graph`` by ``@id``.
* **RDF/XML**: one ``rdf:Description`` per subject, subjects sorted (IRIs, then blank nodes by label), properties
  sorted; blank nodes as ``rdf:nodeID``; text escaped so that XML line-end handling cannot change a literal.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from functools import lru_cache
from importlib import resources
from typing import Iterable, Sequence

import pyoxigraph as ox

from .canonical import (RDF, RDF_FIRST, RDF_NIL, RDF_REST, RDF_TYPE, XSD, XSD_STRING, direction_suffix, nt_quad,
                        nt_term)
from .errors import InputError
from .prefixes import PREFIXES

__all__ = ["ntriples", "nquads", "jsonld_context", "jsonld", "rdfxml"]


# ---------------------------------------------------------------------------------------------------------
# N-Triples and N-Quads
# ---------------------------------------------------------------------------------------------------------


def ntriples(triples: Iterable[Sequence]) -> str:
    """Sorted canonical N-Triples (duplicates removed)."""
    lines = sorted({nt_quad(t[0], t[1], t[2]) for t in triples})
    return "".join(line + "\n" for line in lines)


def nquads(quads: Iterable[Sequence]) -> str:
    """Sorted canonical N-Quads: ``(subject, predicate, object, graph IRI or None)``."""
    lines = sorted({nt_quad(q[0], q[1], q[2], ox.NamedNode(q[3]) if isinstance(q[3], str) else q[3])
                    for q in quads})
    return "".join(line + "\n" for line in lines)


# ---------------------------------------------------------------------------------------------------------
# JSON-LD
# ---------------------------------------------------------------------------------------------------------

_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_\-.]*[A-Za-z0-9_\-])?")
_CANONICAL_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")


@lru_cache(maxsize=1)
def _context_text() -> str:
    return resources.files("rtopkg").joinpath("context.jsonld").read_text(encoding="utf-8")


def jsonld_context() -> dict:
    """The curated JSON-LD context (a fresh copy of the ``@context`` object of ``rtopkg/context.jsonld``)."""
    return json.loads(_context_text())["@context"]


class _Compactor:
    def __init__(self, context: dict):
        self.context = context
        self.prefixes = sorted(((v, k) for k, v in context.items() if isinstance(v, str) and v[-1:] in "/#"),
                               key=lambda x: (-len(x[0]), x[1]))
        self.prefix_names = {k for _, k in self.prefixes}
        self.language_terms: dict[str, str] = {}
        self.id_terms: dict[str, str] = {}
        for key, value in context.items():
            if not isinstance(value, dict):
                continue
            iri = self.expand(value.get("@id", key))
            if value.get("@container") == "@language" and "@type" not in value:
                self.language_terms.setdefault(iri, key)
            elif value.get("@type") == "@id" and "@container" not in value:
                self.id_terms.setdefault(iri, key)

    def expand(self, text: str) -> str:
        if ":" in text:
            prefix, local = text.split(":", 1)
            ns = self.context.get(prefix)
            if isinstance(ns, str) and not local.startswith("//"):
                return ns + local
        return text

    def iri(self, iri: str) -> str:
        for ns, name in self.prefixes:
            if iri.startswith(ns) and _LOCAL.fullmatch(iri[len(ns):]):
                return f"{name}:{iri[len(ns):]}"
        scheme = iri.split(":", 1)[0]
        if scheme in self.prefix_names or scheme in self.context:
            raise InputError(f"<{iri}> cannot be written in JSON-LD with this context: its scheme {scheme!r} is a "
                             "prefix of the context")
        return iri

    def key(self, predicate: str) -> str:
        """A key for ``predicate`` that carries no container or coercion from the context."""
        compact = self.iri(predicate)
        return predicate if compact in self.context else compact


def _sort_key(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def jsonld(triples: Iterable[Sequence], context: dict | None = None) -> str:
    """A compacted JSON-LD document of ``triples`` embedding ``context`` (default: the curated one)."""
    context = context if context is not None else jsonld_context()
    cx = _Compactor(context)
    props: dict = defaultdict(lambda: defaultdict(set))
    refs: dict = defaultdict(int)
    for s, p, o in {(t[0], t[1], t[2]) for t in triples}:
        props[s][p.value].add(o)
        if isinstance(o, ox.BlankNode):
            refs[o] += 1
    visited: set = set()

    def inlinable(node) -> bool:
        return isinstance(node, ox.BlankNode) and refs[node] == 1 and node not in visited and node in props

    def list_items(node) -> list | None:
        items, seen = [], set()
        while not (isinstance(node, ox.NamedNode) and node.value == RDF_NIL):
            if not inlinable(node) or node in seen or set(props[node]) != {RDF_FIRST, RDF_REST}:
                return None
            if len(props[node][RDF_FIRST]) != 1 or len(props[node][RDF_REST]) != 1:
                return None
            seen.add(node)
            items.append(next(iter(props[node][RDF_FIRST])))
            node = next(iter(props[node][RDF_REST]))
        return items or None

    def value(term, coerced: bool):
        if isinstance(term, ox.NamedNode):
            return cx.iri(term.value) if coerced else {"@id": cx.iri(term.value)}
        if isinstance(term, ox.BlankNode):
            items = list_items(term)
            if items is not None and not any(isinstance(i, ox.BlankNode) and list_items(i) for i in items):
                node = term
                while not (isinstance(node, ox.NamedNode) and node.value == RDF_NIL):
                    visited.add(node)
                    node = next(iter(props[node][RDF_REST]))
                return {"@list": [value(i, coerced) for i in items]}
            if inlinable(term):
                return node_object(term, embedded=True)
            return "_:" + term.value if coerced else {"@id": "_:" + term.value}
        text, language, datatype = term.value, term.language, term.datatype.value
        if direction_suffix(term):
            raise InputError(f"{nt_term(term)}: directional language strings (RDF 1.2) are not written to JSON-LD")
        if language:
            return {"@value": text, "@language": language}
        if datatype == XSD_STRING:
            return {"@value": text} if coerced else text
        if datatype == XSD + "integer" and _CANONICAL_INT.fullmatch(text) and abs(int(text)) < 2 ** 53:
            return int(text)
        if datatype == XSD + "boolean" and text in ("true", "false"):
            return text == "true"
        return {"@value": text, "@type": cx.iri(datatype)}

    def node_object(subject, embedded: bool) -> dict:
        visited.add(subject)
        obj: dict = {}
        if not embedded:
            obj["@id"] = cx.iri(subject.value) if isinstance(subject, ox.NamedNode) else "_:" + subject.value
        for predicate in sorted(props[subject]):
            objects = props[subject][predicate]
            if predicate == RDF_TYPE and all(isinstance(o, ox.NamedNode) for o in objects):
                types = sorted(cx.iri(o.value) for o in objects)
                obj["@type"] = types[0] if len(types) == 1 else types
                continue
            term = cx.language_terms.get(predicate)
            if term and all(isinstance(o, ox.Literal) and o.language and not direction_suffix(o) for o in objects):
                by_language: dict[str, list[str]] = defaultdict(list)
                for o in objects:
                    by_language[o.language].append(o.value)
                obj[term] = {lang: sorted(v)[0] if len(v) == 1 else sorted(v) for lang, v in by_language.items()}
                continue
            id_key = cx.id_terms.get(predicate)
            key = id_key or cx.key(predicate)
            values = sorted((value(o, bool(id_key)) for o in objects), key=_sort_key)
            obj[key] = values[0] if len(values) == 1 else values
        return obj

    roots = [s for s in props if isinstance(s, ox.NamedNode)]
    roots += [s for s in props if isinstance(s, ox.BlankNode) and refs[s] != 1]
    roots.sort(key=lambda s: (isinstance(s, ox.BlankNode), s.value))
    graph = [node_object(s, embedded=False) for s in roots]
    for s in sorted((s for s in props if s not in visited), key=lambda s: s.value):
        if s not in visited:  # blank nodes only reachable from a cycle
            refs[s] = 2
            graph.append(node_object(s, embedded=False))
    graph.sort(key=lambda node: (node["@id"].startswith("_:"), node["@id"]))
    body = json.dumps(graph, sort_keys=True, ensure_ascii=False, indent=2)
    return ("{\n  \"@context\": " + _context_block(context) + ",\n  \"@graph\": "
            + body.replace("\n", "\n  ") + "\n}\n")


def _context_block(context: dict) -> str:
    """The context, one term per line, in the curated order (which is fixed, so the bytes are too)."""
    items = [f"    {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False, sort_keys=True)}"
             for k, v in context.items()]
    return "{\n" + ",\n".join(items) + "\n  }"


# ---------------------------------------------------------------------------------------------------------
# RDF/XML
# ---------------------------------------------------------------------------------------------------------

_NCNAME_TAIL = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*$")
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str, where: str) -> str:
    if _XML_BAD.search(text):
        raise InputError(f"{where}: holds a control character that XML 1.0 cannot carry; RDF/XML cannot be written")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _xml_attr(text: str, where: str) -> str:
    return (_xml_text(text, where).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;"))


def rdfxml(triples: Iterable[Sequence]) -> str:
    """RDF/XML of ``triples``: flat ``rdf:Description`` elements in a fixed order."""
    props: dict = defaultdict(list)
    for s, p, o in {(t[0], t[1], t[2]) for t in triples}:
        props[s].append((p, o))
    known = {ns: name for name, ns in PREFIXES.items()}
    namespaces: dict[str, str] = {RDF: "rdf"}
    qnames: dict[str, tuple[str, str]] = {}
    unknown: set[str] = set()
    for pairs in props.values():
        for p, _ in pairs:
            if p.value in qnames:
                continue
            match = _NCNAME_TAIL.search(p.value)
            # the longest tail that is an XML name, but not the whole IRI
            if not match or match.start() == 0:
                raise InputError(f"<{p.value}> cannot be written in RDF/XML: the predicate does not end in an XML name")
            ns, local = p.value[:match.start()], p.value[match.start():]
            qnames[p.value] = (ns, local)
            if ns not in known and ns not in namespaces:
                unknown.add(ns)
    for ns, _local in qnames.values():
        if ns in known:
            namespaces[ns] = known[ns]
    for k, ns in enumerate(sorted(unknown), start=1):
        namespaces[ns] = f"ns{k}"

    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<rdf:RDF"]
    decls = sorted((name, ns) for ns, name in namespaces.items())
    for k, (name, ns) in enumerate(decls):
        end = ">" if k == len(decls) - 1 else ""
        lines.append(f'    xmlns:{name}="{_xml_attr(ns, ns)}"{end}')

    def subject_key(s):
        return (isinstance(s, ox.BlankNode), s.value)

    for s in sorted(props, key=subject_key):
        where = s.value
        about = (f'rdf:about="{_xml_attr(s.value, where)}"' if isinstance(s, ox.NamedNode)
                 else f'rdf:nodeID="{s.value}"')
        lines.append(f"  <rdf:Description {about}>")
        for p, o in sorted(props[s], key=lambda po: (po[0].value, nt_term(po[1]))):
            ns, local = qnames[p.value]
            tag = f"{namespaces[ns]}:{local}"
            if isinstance(o, ox.NamedNode):
                lines.append(f'    <{tag} rdf:resource="{_xml_attr(o.value, where)}"/>')
            elif isinstance(o, ox.BlankNode):
                lines.append(f'    <{tag} rdf:nodeID="{o.value}"/>')
            else:
                if direction_suffix(o):
                    raise InputError(f"{nt_term(o)}: directional language strings (RDF 1.2) are not written to "
                                     "RDF/XML")
                attrs = ""
                if o.language:
                    attrs = f' xml:lang="{o.language}"'
                elif o.datatype.value != XSD_STRING:
                    attrs = f' rdf:datatype="{_xml_attr(o.datatype.value, where)}"'
                lines.append(f"    <{tag}{attrs}>{_xml_text(o.value, where)}</{tag}>")
        lines.append("  </rdf:Description>")
    lines.append("</rdf:RDF>")
    return "\n".join(lines) + "\n"
