"""Refusing queries that would reach outside the loaded graph: ``SERVICE``, ``FROM``/``FROM NAMED``, updates.

rdflib's SPARQL engine fetches the IRIs of ``SERVICE``, ``FROM`` and ``FROM NAMED`` (``file:`` URLs included)
and pyoxigraph calls ``SERVICE`` endpoints over HTTP, so a local query could make the machine contact a server
or read a local file. :func:`check_query` decides before anything runs, from the query's **tokens**:

* The query is split into SPARQL 1.1 tokens by a lexer that follows the grammar's terminals (strings in their
  four forms with their escapes, ``<IRIREF>``, comments, prefixed names with ``\\``-escapes, variables,
  numbers, punctuation). SPARQL keywords are reserved words, so a ``SERVICE``, ``FROM`` or ``LOAD`` *token*
  can only be that construct, while the same word inside a string, an IRI, a comment, a prefixed name
  (``ex:service``) or a variable (``?from``) is not a token of its own and cannot fool the check.
* rdflib (like the SPARQL specification, section 19.2) expands ``\\uXXXX`` escapes *before* parsing, so
  ``\\u0053ERVICE`` or a string holding ``\\u0022`` can hide a keyword from a lexer that does not; Oxigraph
  does not expand them. When the text holds such escapes, the expanded text is lexed as well and both views
  must pass.
* Text the lexer cannot read is refused (fail closed) with the line and column, since the check could not
  see what an engine would.

On the local engines ``SERVICE`` and ``FROM``/``FROM NAMED`` are refused unless ``allow_network`` is set; then
only literal ``http:``/``https:`` IRIs are allowed (never a variable service, never ``file:``), and ``FROM`` only
on the rdflib engine (the one that loads such graphs; Oxigraph reads ``FROM`` as a graph of its store).
Updates (``LOAD``, ``INSERT``, ``DROP`` ...) are refused on every engine: querying never changes anything.

The same tokens give the query's shape (:class:`QueryShape`): its form, the variables it mentions, where its
top-level ``WHERE`` group opens (where a ``VALUES`` block of parameters goes) and whether it has a top-level
``ORDER BY``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from .errors import InputError, RefusedError

__all__ = ["Token", "QueryShape", "LexError", "tokenize", "expand_codepoints", "shape", "check_query",
           "insert_values", "UPDATE_KEYWORDS"]

#: Keywords that occur only in SPARQL Update requests.
UPDATE_KEYWORDS = frozenset({"LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "INSERT", "DELETE", "WITH",
                             "USING"})
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


class LexError(InputError):
    """The text is not made of SPARQL tokens."""


@dataclass(frozen=True)
class Token:
    kind: str  # IRI, PNAME, VAR, BNODE, STRING, LANGTAG, NUMBER, NAME, PUNCT
    text: str
    start: int
    end: int


# --------------------------------------------------------------------------------------------------------
# The lexer (SPARQL 1.1 terminals, section 19.8 of the specification)
# --------------------------------------------------------------------------------------------------------

# Non-ASCII letters are taken as name characters wholesale (the grammar allows most of them): no SPARQL
# punctuation, keyword or white space is non-ASCII, so this cannot hide structure from the check; an engine
# that rejects such a character rejects the whole query.
# (Written as negated classes, which compile fast: the fast path pays for this module's regexes.)
_BASE = r"^\x00-\x40\x5b-\x60\x7b-\xbf"  # A-Z a-z and U+00C0 onwards
_CHARS_U = r"^\x00-\x40\x5b-\x5e\x60\x7b-\xbf"  # ... and _
_CHARS = r"^\x00-\x2c\x2e\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\xb6\xb8-\xbf"  # ... and - 0-9 U+00B7
_NAME_START = rf"[{_CHARS_U}]|[0-9]"  # for VARNAME and blank node labels
_HEX = "[0-9A-Fa-f]"
_UCHAR = rf"\\u{_HEX}{{4}}|\\U{_HEX}{{8}}"
_ECHAR = r"""\\[tbnrf"'\\]"""
_PLX = rf"%{_HEX}{_HEX}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = rf"[{_BASE}](?:(?:[{_CHARS}]|\.)*[{_CHARS}])?"
_PN_LOCAL = rf"(?:[{_CHARS_U}]|[:0-9]|{_PLX})(?:(?:[{_CHARS}]|[.:]|{_PLX})*(?:[{_CHARS}]|:|{_PLX}))?"
_VARNAME = r"[^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\xb6\xb8-\xbf]+"  # PN_CHARS_U, 0-9, U+00B7


def _string_patterns(escape: str) -> list[tuple[str, str]]:
    return [
        ("STRING", rf"'''(?:(?:'|'')?(?:[^'\\]|{escape}))*'''"),
        ("STRING", rf'"""(?:(?:"|"")?(?:[^"\\]|{escape}))*"""'),
        ("STRING", rf"'(?:[^'\\\n\r]|{escape})*'"),
        ("STRING", rf'"(?:[^"\\\n\r]|{escape})*"'),
    ]


def _lexer(raw_escapes: bool) -> re.Pattern[str]:
    # Oxigraph reads \u escapes inside strings and IRIs as part of the token; after expansion (rdflib's view)
    # only the grammar's ECHAR escapes remain.
    escape = f"{_ECHAR}|{_UCHAR}" if raw_escapes else _ECHAR
    iri_char = rf'[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR}' if raw_escapes else r'[^<>"{}|^`\\\x00-\x20]'
    parts = [
        ("WS", r"[ \t\r\n]+"),
        ("COMMENT", r"#[^\r\n]*"),
        ("IRI", rf"<(?:{iri_char})*>"),
        *_string_patterns(escape),
        ("VAR", rf"[?$]{_VARNAME}"),
        ("BNODE", rf"_:(?:{_NAME_START})(?:(?:[{_CHARS}]|\.)*[{_CHARS}])?"),
        ("PNAME", rf"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?"),
        ("LANGTAG", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"),
        ("NUMBER", r"[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+"
                   r"|[0-9]*\.[0-9]+|[0-9]+"),
        ("NAME", r"[A-Za-z_][A-Za-z0-9_]*"),
        ("PUNCT", r"\^\^|\|\||&&|!=|<=|>=|[{}()\[\],;.*/|^+\-!=<>?]"),
    ]
    return re.compile("|".join(f"(?P<{kind}{i}>{pattern})" for i, (kind, pattern) in enumerate(parts)))


_LEXERS: dict[bool, re.Pattern[str]] = {}


def _get_lexer(raw_escapes: bool) -> re.Pattern[str]:
    if raw_escapes not in _LEXERS:
        _LEXERS[raw_escapes] = _lexer(raw_escapes)
    return _LEXERS[raw_escapes]
_CODEPOINT = re.compile(r"\\u([0-9a-f]{4}(?:[0-9a-f]{4})?)", re.I)


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def tokenize(text: str, *, expanded: bool = False) -> list[Token]:
    """The SPARQL tokens of ``text`` (white space and comments dropped); raise :class:`LexError`.

    ``expanded=True`` lexes text whose codepoint escapes were already expanded (only ECHAR escapes remain).
    """
    lexer = _get_lexer(not expanded)
    tokens: list[Token] = []
    pos, size = 0, len(text)
    while pos < size:
        found = lexer.match(text, pos)
        if not found or found.end() == pos:
            ch = text[pos]
            raise LexError(f"not SPARQL at {_position(text, pos)}: unexpected {ch!r}")
        kind = found.lastgroup.rstrip("0123456789")  # type: ignore[union-attr]
        if kind not in ("WS", "COMMENT"):
            tokens.append(Token(kind, found.group(), pos, found.end()))
        pos = found.end()
    return tokens


def expand_codepoints(text: str) -> str:
    """``text`` with ``\\uXXXX`` and ``\\UXXXXXXXX`` expanded exactly as rdflib does before parsing."""

    def expand(match: re.Match[str]) -> str:
        try:
            return chr(int(match.group(1), 16))
        except (ValueError, OverflowError):
            raise LexError(f"invalid codepoint escape \\u{match.group(1)}") from None

    return _CODEPOINT.sub(expand, text)


# --------------------------------------------------------------------------------------------------------
# The shape of a query
# --------------------------------------------------------------------------------------------------------


@dataclass
class QueryShape:
    """What the tokens of a query say about it."""

    form: str | None = None  # SELECT, ASK, CONSTRUCT, DESCRIBE; None when it is not a query
    variables: set[str] = field(default_factory=set)
    prefixes: dict[str, str] = field(default_factory=dict)
    base: str | None = None
    where_open: int | None = None  # offset just after the '{' that opens the top-level WHERE group
    ordered: bool = False  # a top-level ORDER BY
    projection: set[str] | None = None  # variables a SELECT projects (None: SELECT * or not a SELECT)
    services: list[tuple[str, int]] = field(default_factory=list)  # (target as written, offset)
    froms: list[tuple[str, int]] = field(default_factory=list)
    updates: list[tuple[str, int]] = field(default_factory=list)


def _keyword(token: Token) -> str | None:
    return token.text.upper() if token.kind == "NAME" else None


def shape(text: str, tokens: list[Token] | None = None) -> QueryShape:
    """The :class:`QueryShape` of ``text`` (tokenized here unless ``tokens`` are given)."""
    tokens = tokenize(text) if tokens is None else tokens
    out = QueryShape()
    braces = parens = 0
    template_pending = False  # CONSTRUCT { template } WHERE { ... }
    where_depth_closed = False
    projecting = False  # between SELECT and its WHERE group
    for i, token in enumerate(tokens):
        word = _keyword(token)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if projecting and braces == 0 and out.where_open is None and out.projection is not None:
            if token.kind == "VAR" and (parens == 0 or _keyword(tokens[i - 1]) == "AS"):
                out.projection.add(token.text[1:])
            elif token.kind == "PUNCT" and token.text == "*" and parens == 0:
                out.projection = None
                projecting = False
            elif word in ("FROM", "WHERE"):
                projecting = False
        if token.kind == "VAR":
            out.variables.add(token.text[1:])
        elif word == "PREFIX" and out.form is None and nxt is not None and i + 2 < len(tokens):
            if nxt.kind == "PNAME" and tokens[i + 2].kind == "IRI":
                out.prefixes[nxt.text[:-1]] = tokens[i + 2].text[1:-1]
        elif word == "BASE" and out.form is None and nxt is not None and nxt.kind == "IRI":
            out.base = nxt.text[1:-1]
        elif word in QUERY_FORMS and out.form is None and braces == 0:
            out.form = word
            template_pending = word == "CONSTRUCT"
            if word == "SELECT":
                out.projection, projecting = set(), True
        elif word in UPDATE_KEYWORDS:
            out.updates.append((word, token.start))
        elif word == "SERVICE":
            target = nxt
            if target is not None and _keyword(target) == "SILENT":
                target = tokens[i + 2] if i + 2 < len(tokens) else None
            out.services.append((target.text if target else "", token.start))
        elif word == "FROM":
            target = nxt
            if target is not None and _keyword(target) == "NAMED":
                target = tokens[i + 2] if i + 2 < len(tokens) else None
            out.froms.append((target.text if target else "", token.start))
        elif word == "ORDER" and braces == 0 and where_depth_closed:
            out.ordered = True
        elif token.kind == "PUNCT":
            if token.text == "(":
                parens += 1
            elif token.text == ")":
                parens -= 1
            elif token.text == "{":
                if braces == 0 and parens == 0 and out.form is not None and out.where_open is None:
                    if template_pending and (i == 0 or _keyword(tokens[i - 1]) != "WHERE"):
                        template_pending = False  # the CONSTRUCT template, not the WHERE group
                    else:
                        out.where_open = token.end
                braces += 1
            elif token.text == "}":
                braces -= 1
                if braces == 0 and out.where_open is not None:
                    where_depth_closed = True
    return out


def insert_values(text: str, query_shape: QueryShape, block: str) -> str:
    """``text`` with ``block`` (a ``VALUES`` clause) placed first in the top-level WHERE group."""
    if query_shape.where_open is None:
        raise InputError("cannot bind parameters: the query has no WHERE group to put them in")
    at = query_shape.where_open
    return f"{text[:at]} {block} {text[at:]}"


# --------------------------------------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------------------------------------


def _resolve(target: str, query_shape: QueryShape) -> str | None:
    """The absolute IRI a SERVICE/FROM target names, or None (a variable, an unknown prefix...)."""
    if target.startswith("<") and target.endswith(">"):
        iri = target[1:-1]
        return urljoin(query_shape.base, iri) if query_shape.base else iri
    if ":" in target and not target.startswith(("?", "$")):
        prefix, _, local = target.partition(":")
        if prefix in query_shape.prefixes:
            return query_shape.prefixes[prefix] + local
    return None


def _web(iri: str | None) -> bool:
    return iri is not None and re.match(r"https?://[^/]", iri, re.I) is not None


def _check_view(text: str, tokens: list[Token], *, local: bool, allow_network: bool, engine: str,
                what: str) -> QueryShape:
    found = shape(text, tokens)
    if found.updates:
        word, offset = found.updates[0]
        raise RefusedError(f"{what}: refused the SPARQL Update keyword {word} at {_position(text, offset)}: "
                           "querying never changes or loads anything")
    if local:
        for target, offset in found.services:
            iri = _resolve(target, found)
            if not allow_network:
                raise RefusedError(f"{what}: refused SERVICE {target or '(nothing)'} at {_position(text, offset)}: "
                                   "a local query never contacts other servers (--allow-network lifts this for "
                                   "http(s) services)")
            if not _web(iri):
                raise RefusedError(f"{what}: refused SERVICE {target or '(nothing)'} at {_position(text, offset)}: "
                                   "even with --allow-network only a literal http(s) IRI may be called")
        for target, offset in found.froms:
            iri = _resolve(target, found)
            if not allow_network:
                raise RefusedError(f"{what}: refused FROM {target or '(nothing)'} at {_position(text, offset)}: "
                                   "a local query reads only the loaded graph and never fetches one "
                                   "(--allow-network with --engine rdflib lifts this for http(s) graphs)")
            if engine != "rdflib":
                raise RefusedError(f"{what}: refused FROM {target} at {_position(text, offset)}: only the rdflib "
                                   "engine loads graphs named by FROM (use --engine rdflib --allow-network)")
            if not _web(iri):
                raise RefusedError(f"{what}: refused FROM {target or '(nothing)'} at {_position(text, offset)}: "
                                   "even with --allow-network only http(s) graphs may be loaded")
    return found


def check_query(text: str, *, local: bool = True, allow_network: bool = False, engine: str = "oxigraph",
                what: str = "the query") -> QueryShape:
    """Refuse what ``text`` must not do (see the module docstring) and return its :class:`QueryShape`.

    ``local`` is true for the embedded engines (``engine`` is ``"oxigraph"`` or ``"rdflib"``) and false for a
    remote endpoint, where only updates are refused. Raises :class:`~rtopkg.errors.RefusedError` (or
    :class:`LexError` for text that is not SPARQL) with a one-line message naming ``what`` and the position.
    """
    raw_error: LexError | None = None
    try:
        tokens = tokenize(text)
    except LexError as exc:
        raw_error, tokens = exc, []
    if _CODEPOINT.search(text):
        # rdflib's view: the escapes expanded before parsing. It must pass too (and may explain a raw error).
        try:
            expanded = expand_codepoints(text)
            expanded_tokens = tokenize(expanded, expanded=True)
        except LexError as exc:
            if raw_error is not None:
                raise LexError(f"{what}: {raw_error.message}") from None
            raise RefusedError(f"{what}: refused: its \\u escapes make it read differently on different engines "
                               f"({exc.message}); write the characters themselves") from None
        _check_view(expanded, expanded_tokens, local=local, allow_network=allow_network, engine=engine,
                    what=what + " (with its \\u escapes expanded)")
    if raw_error is not None:
        raise LexError(f"{what}: {raw_error.message}") from None
    result = _check_view(text, tokens, local=local, allow_network=allow_network, engine=engine, what=what)
    if result.form is None:
        raise InputError(f"{what}: not a SPARQL query (expected SELECT, ASK, CONSTRUCT or DESCRIBE)")
    return result
