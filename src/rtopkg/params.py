"""Typed parameters of stored questions: parse and check what the user typed into an RDF term.

A stored question declares each parameter with a type; the value the user gives (``-p name=value``) is parsed
into a pyoxigraph term, never pasted into the query text (the engines bind it: see :mod:`rtopkg.engines`).

==========  =====================================================================================
type        accepted text and the term it becomes
==========  =====================================================================================
``iri``     ``<https://...>``, an absolute IRI (``https://...``, ``urn:...``), a prefixed name with
            a known prefix (``actor:oas``), or -- when the parameter declares ``prefix: actor`` --
            a bare slug (``oas``). Spaces, control characters and ``<>"{}|^`\\`` are refused.
``string``  any text (quotes, backslashes, newlines and tabs included) as an ``xsd:string``, or a
            language-tagged string when the parameter declares ``lang: en``
``date``    ``YYYY-MM-DD``, a real calendar day, as ``xsd:date`` (``2012-13-40`` is refused)
``year``    ``YYYY`` as ``xsd:gYear``
``integer`` an optionally signed whole number as ``xsd:integer`` (canonical form)
==========  =====================================================================================

Every error is a :class:`~rtopkg.errors.ParameterError` whose one-line message names the question, the
parameter and the value.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pyoxigraph as ox

from .errors import ParameterError
from .prefixes import PREFIXES
from .terms import XSD, Term, TermError, check_iri, check_language, describe_char, from_nt

__all__ = [
    "TYPES",
    "ParamSpec",
    "parse_value",
    "parse_untyped",
    "parse_assignments",
    "bind_parameters",
]

#: The parameter types a stored question may declare.
TYPES = ("iri", "string", "date", "year", "integer")

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
VARNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_YEAR = re.compile(r"[0-9]{4}\Z")
_INTEGER = re.compile(r"[+-]?[0-9]{1,40}\Z")
_PNAME = re.compile(r"([A-Za-z][A-Za-z0-9_\-.]*)?:(.*)\Z", re.S)
_LOCAL = re.compile(r"[A-Za-z0-9_\-.~%]*\Z")
_BARE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_\-.]*[A-Za-z0-9_\-])?\Z")
_ABSOLUTE_SCHEMES = ("http", "https", "urn", "mailto", "tag", "did", "doi", "isbn", "info")
_EXAMPLES = {"iri": "actor:oas", "string": "Mónica Serrano", "date": "2012-04-30", "year": "2012", "integer": "35"}


@dataclass(frozen=True)
class ParamSpec:
    """A parameter a stored question declares (the ``params`` list of its ``#+`` header)."""

    name: str
    type: str
    default: str | None = None
    example: str | None = None
    description: str = ""
    prefix: str | None = None
    lang: str | None = None
    optional: bool = False

    @property
    def required(self) -> bool:
        """A value must be given: there is no default and the parameter is not optional."""
        return self.default is None and not self.optional

    def describe(self) -> str:
        """``name:type=default`` (or ``name:type`` / ``name:type?``) for listings."""
        text = f"{self.name}:{self.type}"
        if self.default is not None:
            text += f"={self.default}"
        elif self.optional:
            text += "?"
        return text


def _fail(where: str, spec_name: str, raw: str, reason: str) -> ParameterError:
    shown = raw if len(raw) <= 60 else raw[:59] + "…"
    prefix = f"{where}, " if where else ""
    return ParameterError(f"{prefix}parameter '{spec_name}': {shown!r} {reason}")


def parse_value(spec: ParamSpec, raw: str, *, where: str = "") -> Term:
    """The RDF term for ``raw`` as a value of ``spec``; raise :class:`ParameterError` naming what is wrong.

    ``where`` names the question in messages (for instance ``"question 'pillars'"``).
    """
    if not isinstance(raw, str):
        raise _fail(where, spec.name, str(raw), "is not text")
    kind = spec.type
    if kind == "iri":
        return _parse_iri(spec, raw, where)
    if kind == "string":
        bad = re.search("[\ud800-\udfff]", raw)
        if bad:
            raise _fail(where, spec.name, raw, f"contains {describe_char(bad.group())}, which UTF-8 cannot encode")
        if spec.lang:
            return ox.Literal(raw, language=check_language(spec.lang))
        return ox.Literal(raw)
    if kind == "date":
        found = _DATE.match(raw)
        if not found:
            raise _fail(where, spec.name, raw, "is not a date (expected YYYY-MM-DD, e.g. 2012-04-30)")
        year, month, day = (int(g) for g in found.groups())
        if not 1 <= month <= 12:
            raise _fail(where, spec.name, raw, f"is not a date: month {month} is out of range 1-12")
        try:
            _dt.date(year, month, day)
        except ValueError:
            raise _fail(where, spec.name, raw, f"is not a date: day {day} is out of range for {year}-{month:02d}") from None
        if year == 0:
            raise _fail(where, spec.name, raw, "is not a date: there is no year 0000")
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + "date"))
    if kind == "year":
        if not _YEAR.match(raw) or raw == "0000":
            raise _fail(where, spec.name, raw, "is not a year (expected four digits, e.g. 2012)")
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + "gYear"))
    if kind == "integer":
        if not _INTEGER.match(raw):
            raise _fail(where, spec.name, raw, "is not a whole number (e.g. 35)")
        return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
    raise ParameterError(f"{where + ', ' if where else ''}parameter '{spec.name}': unknown type {kind!r} "
                         f"(expected one of {', '.join(TYPES)})")


def _parse_iri(spec: ParamSpec, raw: str, where: str) -> ox.NamedNode:
    def fail(reason: str) -> ParameterError:
        return _fail(where, spec.name, raw, reason)

    bad = re.search(r'[\x00-\x20\x7f-\x9f<>"{}|^`\\\ud800-\udfff]', raw[1:-1] if raw.startswith("<") and raw.endswith(">") and len(raw) > 1 else raw)
    if bad:
        raise fail(f"is not an IRI: it contains {describe_char(bad.group())}")
    if raw == "":
        raise fail("is not an IRI: it is empty")
    if raw.startswith("<") and raw.endswith(">"):
        iri = raw[1:-1]
    else:
        found = _PNAME.match(raw)
        if found and (found.group(1) or "") in PREFIXES:
            local = found.group(2)
            if not _LOCAL.match(local):
                raise fail("is not a prefixed name (the part after ':' may hold only letters, digits and -_.~%)")
            iri = PREFIXES[found.group(1) or ""] + local
        elif found and ((found.group(1) or "").lower() in _ABSOLUTE_SCHEMES or found.group(2).startswith("//")):
            iri = raw
        elif found:
            known = ", ".join(sorted(PREFIXES))
            raise fail(f"has an unknown prefix '{found.group(1) or ''}:' (known prefixes: {known}; or write a full <IRI>)")
        elif spec.prefix:
            if not _BARE.match(raw):
                raise fail(f"is not a name in {spec.prefix}: (letters and digits, joined by - _ or ., e.g. oas)")
            if spec.prefix not in PREFIXES:
                raise fail(f"cannot be resolved: the question declares the unknown prefix '{spec.prefix}'")
            iri = PREFIXES[spec.prefix] + raw
        else:
            raise fail("is not an IRI (write <https://...>, a prefixed name such as actor:oas, or a full IRI)")
    try:
        check_iri(iri)
    except TermError as exc:
        raise fail(f"is not an IRI: {exc.message}") from None
    return ox.NamedNode(iri)


def parse_untyped(name: str, raw: str, *, where: str = "") -> Term:
    """A value for an ad hoc query, whose parameters have no declared types.

    ``<iri>`` and prefixed names with a known prefix are IRIs; text in N-Triples literal syntax
    (``"2012"^^<http://www.w3.org/2001/XMLSchema#gYear>``, also with ``^^xsd:gYear``, or ``"x"@en``) is that
    literal; anything else is a plain string.
    """
    spec = ParamSpec(name, "iri")
    if raw.startswith("<") and raw.endswith(">"):
        return _parse_iri(spec, raw, where)
    found = _PNAME.match(raw)
    if found and found.group(1) in PREFIXES and _LOCAL.match(found.group(2)):
        return _parse_iri(spec, raw, where)
    if raw.startswith('"'):
        text = raw
        typed = re.search(r'\^\^([A-Za-z][A-Za-z0-9_\-.]*):([A-Za-z0-9_\-.]+)\Z', raw)
        if typed and typed.group(1) in PREFIXES:
            text = raw[: typed.start()] + f"^^<{PREFIXES[typed.group(1)]}{typed.group(2)}>"
        try:
            return from_nt(text)
        except TermError as exc:
            raise _fail(where, name, raw, f"is not a literal in N-Triples syntax ({exc.message})") from None
    return parse_value(ParamSpec(name, "string"), raw, where=where)


def parse_assignments(items: Sequence[str], *, where: str = "") -> dict[str, str]:
    """``["a=1", "b=x=y"]`` -> ``{"a": "1", "b": "x=y"}``; each name must be a SPARQL variable name, once."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise ParameterError(f"{where + ', ' if where else ''}{item!r} is not name=value")
        if not VARNAME.match(name):
            raise ParameterError(f"{where + ', ' if where else ''}{name!r} is not a parameter name "
                                 "(letters, digits and _ only)")
        if name in out:
            raise ParameterError(f"{where + ', ' if where else ''}parameter '{name}' is given twice")
        out[name] = value
    return out


def bind_parameters(specs: Sequence[ParamSpec] | None, given: Mapping[str, str], *, where: str = "",
                    use_examples: bool = False) -> dict[str, Term]:
    """The terms to bind: each declared parameter from ``given``, else its default (else its example when
    ``use_examples``); optional parameters left out stay unbound. Unknown or missing parameters are errors.

    With ``specs=None`` (an ad hoc query without a header) every given value is parsed untyped.
    """
    if specs is None:
        return {name: parse_untyped(name, raw, where=where) for name, raw in given.items()}
    by_name = {spec.name: spec for spec in specs}
    unknown = [name for name in given if name not in by_name]
    if unknown:
        have = ", ".join(by_name) or "none"
        raise ParameterError(f"{where + ' has' if where else 'there is'} no parameter '{unknown[0]}' "
                             f"(parameters: {have})")
    out: dict[str, Term] = {}
    for spec in specs:
        raw: Any = given.get(spec.name)
        if raw is None:
            raw = spec.default
        if raw is None and use_examples:
            raw = spec.example
        if raw is None:
            if spec.optional:
                continue
            example = spec.example or _EXAMPLES.get(spec.type, "value")
            raise ParameterError(f"{where + ' needs' if where else 'missing'} parameter '{spec.name}' "
                                 f"({spec.type}), e.g. -p {spec.name}={example}")
        out[spec.name] = parse_value(spec, str(raw), where=where)
    return out
