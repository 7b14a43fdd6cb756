"""RDF terms as text, and the conversions between the term models rtopkg meets.

Every engine's answer is turned into the same text form, so answers compare across engines:

* **N-Triples text** (:func:`to_nt`) is the canonical form of a term in results and golden files:
  ``<iri>``, ``_:label``, ``"lexical"``, ``"lexical"@lang`` (language tag in lower case) or
  ``"lexical"^^<datatype>`` (``xsd:string`` is implied and never written). ``\\``, ``"``, line feed, carriage
  return and tab are written as ``\\\\ \\" \\n \\r \\t``; every other control character as ``\\uXXXX``; all
  else is written as itself (UTF-8), so non-ASCII names round-trip byte for byte.
* **Safe SPARQL text** (:func:`to_sparql`) is what a ``VALUES`` block sent to a remote endpoint is made of.
  It is the N-Triples form after strict checks: an IRI must match the ``IRIREF`` grammar (no spaces, control
  characters or ``<>"{}|^`\\``) and be absolute; a language tag must be well formed; blank nodes are refused;
  and a string holding a backslash followed by ``u`` or ``U`` is refused, because SPARQL engines disagree on
  whether codepoint escapes are expanded before parsing (SPARQL 1.1 section 19.2: rdflib expands
  ``"\\\\u0022"`` into a quote, Oxigraph keeps it as text), so no spelling of it means the same everywhere.
  (rdflib's ``Literal.n3()`` is not used: a multi-line value ending in a backslash and a quote breaks out.)
* :func:`from_nt` parses the N-Triples form back (with Oxigraph's strict parser); :func:`from_json` and
  :func:`to_json` convert to and from SPARQL 1.1 Query Results JSON; :func:`from_rdflib` converts rdflib terms.

Terms in memory are pyoxigraph terms (``NamedNode``, ``BlankNode``, ``Literal``). This module imports
pyoxigraph only; rdflib is imported by the functions that convert its terms.
"""

from __future__ import annotations

import re
from typing import Any, Union

import pyoxigraph as ox

from .errors import InputError

__all__ = [
    "Term",
    "TermError",
    "XSD",
    "XSD_STRING",
    "RDF_LANGSTRING",
    "check_iri",
    "check_language",
    "escape_string",
    "iri_nt",
    "literal_nt",
    "to_nt",
    "from_nt",
    "canonical",
    "to_sparql",
    "values_block",
    "from_rdflib",
    "rdflib_nt",
    "to_rdflib",
    "from_json",
    "to_json",
    "nt_kind",
    "nt_lexical",
    "describe_char",
]

Term = Union[ox.NamedNode, ox.BlankNode, ox.Literal]

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class TermError(InputError):
    """A value cannot be written or read as an RDF term (a bad IRI, language tag or N-Triples text)."""


# ---------------------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------------------

#: Characters the IRIREF production forbids: controls, space and <>"{}|^`\ .
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f]')
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_LANG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*\Z")
_SURROGATE = re.compile("[\ud800-\udfff]")
_BACKSLASH_U = re.compile(r"\\[uU]")


def describe_char(ch: str) -> str:
    """A readable name for a character in messages: ``a space``, ``U+000A``, ``'<'``."""
    if ch == " ":
        return "a space"
    if ch == "\t":
        return "a tab (U+0009)"
    if ch in "\n\r":
        return f"a line break (U+{ord(ch):04X})"
    if ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F:
        return f"the control character U+{ord(ch):04X}"
    if 0xD800 <= ord(ch) <= 0xDFFF:
        return f"the lone surrogate U+{ord(ch):04X}"
    return repr(ch)


def check_iri(iri: str) -> str:
    """Return ``iri`` if it is an absolute IRI the ``IRIREF`` grammar accepts; else raise :class:`TermError`."""
    if not isinstance(iri, str):
        raise TermError(f"{iri!r} is not an IRI")
    found = _IRI_FORBIDDEN.search(iri) or _SURROGATE.search(iri)
    if found:
        raise TermError(f"{_clip(iri)} is not a valid IRI: it contains {describe_char(found.group())}")
    if not _SCHEME.match(iri):
        raise TermError(f"{_clip(iri)} is not an absolute IRI (it has no scheme such as https:)")
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise TermError(f"{_clip(iri)} is not a valid IRI: {exc}") from None
    return iri


def check_language(tag: str) -> str:
    """Return ``tag`` in lower case if it is a well-formed BCP 47 language tag; else raise :class:`TermError`."""
    if not isinstance(tag, str) or not _LANG.match(tag):
        raise TermError(f"{tag!r} is not a valid language tag (expected something like en, es or pt-br)")
    return tag.lower()


def _clip(text: str, width: int = 60) -> str:
    shown = text if len(text) <= width else text[: width - 1] + "…"
    return repr(shown)


# ---------------------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------------------


def _escape_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in list(range(0x00, 0x20)) + list(range(0x7F, 0xA0)) + [0x2028, 0x2029, 0xFFFE, 0xFFFF]:
        table[code] = f"\\u{code:04X}"
    table.update({ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})
    return table


_ESCAPES = _escape_table()
_SHORT_ESCAPE = re.compile(r"\\u([0-9A-F]{4})")


def escape_string(value: str) -> str:
    """The body of a double-quoted N-Triples/SPARQL string for ``value`` (see the module docstring)."""
    found = _SURROGATE.search(value)
    if found:
        raise TermError(f"{_clip(value)} contains {describe_char(found.group())}, which UTF-8 cannot encode")
    return value.translate(_ESCAPES)


def iri_nt(iri: str) -> str:
    return f"<{iri}>"


def literal_nt(value: str, datatype: str | None = None, language: str | None = None) -> str:
    """The N-Triples form of a literal (``xsd:string`` is not written; language tags are lower-cased)."""
    body = f'"{escape_string(value)}"'
    if language:
        return f"{body}@{language.lower()}"
    if datatype and datatype not in (XSD_STRING, RDF_LANGSTRING):
        return f"{body}^^<{datatype}>"
    return body


def to_nt(term: Any) -> str:
    """The N-Triples text of a pyoxigraph term (``None`` for an unbound value stays ``None``)."""
    if term is None:
        return None  # type: ignore[return-value]
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return literal_nt(term.value, term.datatype.value, term.language)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        raise TermError("RDF-star quoted triples are not supported in results")
    raise TermError(f"not an RDF term: {term!r}")


_PARSE_SUBJECT = "<urn:rtopkg:s> <urn:rtopkg:p> "


def from_nt(text: str) -> Term:
    """Parse one term written in N-Triples syntax (as :func:`to_nt` writes it); raise :class:`TermError`."""
    if not isinstance(text, str) or not text or "\n" in text or "\r" in text:
        raise TermError(f"{_clip(str(text))} is not an RDF term in N-Triples syntax")
    try:
        quads = list(ox.parse(f"{_PARSE_SUBJECT}{text} .\n", ox.RdfFormat.N_TRIPLES))
    except (SyntaxError, ValueError) as exc:
        raise TermError(f"{_clip(text)} is not an RDF term in N-Triples syntax ({exc})") from None
    if len(quads) != 1:
        raise TermError(f"{_clip(text)} is not a single RDF term in N-Triples syntax")
    return quads[0].object


def canonical(text: str | None) -> str | None:
    """The canonical N-Triples text of a term written in N-Triples syntax (``None`` stays ``None``)."""
    if text is None or text == "":
        return None
    return to_nt(from_nt(text))


def to_sparql(term: Term) -> str:
    """SAFE SPARQL text of a term for a ``VALUES`` block: checked IRIs and tags, escaped strings.

    Raises :class:`TermError` for what cannot be written safely: blank nodes, invalid IRIs or language tags,
    strings with lone surrogates or with a backslash followed by ``u``/``U`` (see the module docstring).
    """
    if isinstance(term, ox.NamedNode):
        return f"<{check_iri(term.value)}>"
    if isinstance(term, ox.Literal):
        value = term.value
        if _BACKSLASH_U.search(value):
            raise TermError(f"{_clip(value)} holds a backslash followed by 'u': SPARQL endpoints disagree on "
                            "codepoint escapes, so it cannot be sent unambiguously (use the embedded engine)")
        if term.language:
            text = literal_nt(value, language=check_language(term.language))
        else:
            text = literal_nt(value, check_iri(term.datatype.value))
        # issue 7 (found by fuzzing): rdflib reads "\u007F2012" as one 8-digit escape; the 8-digit form of the
        # escapes written for control characters reads alike everywhere.
        return _SHORT_ESCAPE.sub(r"\\U0000\1", text)
    if isinstance(term, ox.BlankNode):
        raise TermError("a blank node cannot be sent as a parameter value")
    raise TermError(f"not an RDF term: {term!r}")


def values_block(bindings: dict[str, Term]) -> str:
    """One ``VALUES (?a ?b) { (t1 t2) }`` block binding each variable to its term, safely serialised."""
    names = list(bindings)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise TermError(f"{name!r} is not a SPARQL variable name")
    head = " ".join(f"?{n}" for n in names)
    row = " ".join(to_sparql(bindings[n]) for n in names)
    return f"VALUES ({head}) {{ ({row}) }}"


# ---------------------------------------------------------------------------------------------------------
# Other term models
# ---------------------------------------------------------------------------------------------------------


def from_rdflib(term: Any) -> Term:
    """The pyoxigraph term equal to an rdflib term."""
    kind = type(term).__name__
    if kind == "URIRef":
        return ox.NamedNode(str(term))
    if kind == "BNode":
        return ox.BlankNode(str(term))
    if kind == "Literal":
        if term.language:
            return ox.Literal(str(term), language=term.language.lower())
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TermError(f"not an RDF term: {term!r}")


def rdflib_nt(term: Any) -> str | None:
    """The N-Triples text of an rdflib term, without building a pyoxigraph term (the rdflib engine's path)."""
    if term is None:
        return None
    kind = type(term).__name__
    if kind == "URIRef":
        return f"<{term}>"
    if kind == "Literal":
        return literal_nt(str(term), str(term.datatype) if term.datatype is not None else None, term.language)
    if kind == "BNode":
        return f"_:{term}"
    raise TermError(f"not an RDF term: {term!r}")


def to_rdflib(term: Term) -> Any:
    """The rdflib term equal to a pyoxigraph term (imports rdflib)."""
    from .load import to_rdflib as convert

    return convert(term)


def from_json(value: Any) -> str:
    """The N-Triples text of one RDF term in SPARQL 1.1 Query Results JSON; raise :class:`TermError`."""
    if not isinstance(value, dict) or not isinstance(value.get("value"), str):
        raise TermError(f"not an RDF term in SPARQL JSON: {str(value)[:80]}")
    kind, text = value.get("type"), value["value"]
    if kind == "uri":
        return f"<{check_iri(text)}>"
    if kind == "bnode":
        if not re.fullmatch(r"[A-Za-z0-9_\-.]+", text):
            raise TermError(f"{_clip(text)} is not a usable blank node label")
        return f"_:{text}"
    if kind in ("literal", "typed-literal"):
        language = value.get("xml:lang")
        datatype = value.get("datatype")
        if language:
            return literal_nt(text, language=check_language(language))
        return literal_nt(text, check_iri(datatype) if datatype else None)
    raise TermError(f"unknown RDF term type {kind!r} in SPARQL JSON")


def to_json(text: str) -> dict[str, str]:
    """SPARQL 1.1 Query Results JSON for a term given in N-Triples text."""
    term = from_nt(text)
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


# ---------------------------------------------------------------------------------------------------------
# Reading N-Triples text without parsing (for display)
# ---------------------------------------------------------------------------------------------------------


def nt_kind(text: str | None) -> str:
    """``"iri"``, ``"bnode"``, ``"literal"`` or ``"unbound"`` for a term in N-Triples text."""
    if text is None:
        return "unbound"
    if text.startswith("<"):
        return "iri"
    if text.startswith("_:"):
        return "bnode"
    return "literal"


def nt_lexical(text: str) -> tuple[str, str | None, str | None]:
    """``(value, datatype, language)`` of a literal in N-Triples text (value unescaped)."""
    term = from_nt(text)
    if not isinstance(term, ox.Literal):
        raise TermError(f"{_clip(text)} is not a literal")
    datatype = None if term.language else term.datatype.value
    return term.value, datatype, term.language or None
