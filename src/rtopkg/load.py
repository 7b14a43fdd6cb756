"""Loading RDF files safely: all or nothing, with the file and line of every subject.

* Each file is parsed on its own by Oxigraph's strict parsers (fast, with exact ``line:column`` errors); only
  when every file has parsed are its triples added to the target store or graph. A broken file leaves the
  target exactly as it was and raises :class:`~rtopkg.errors.SyntaxInputError` (``file:line:col: reason``).
* Nothing is fetched: JSON-LD documents with a remote ``@context`` and RDF/XML documents with external or
  nested entities, entities that would expand past a budget or elements nested too deep are refused before
  parsing (:class:`~rtopkg.errors.RefusedError`), and files larger than
  the size limit are refused before they are read (:class:`~rtopkg.errors.LimitExceeded`).
* :class:`SourceIndex` remembers where each subject's block starts (pyshacl cannot say this), so validation
  reports can point at ``file:line``.

:func:`load_store` needs only pyoxigraph (the fast path of ``rtopkg ask``); :func:`load_graph` builds an rdflib
graph and imports rdflib when called.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Mapping, Sequence

import pyoxigraph as ox

from .errors import InputError, LimitExceeded, RefusedError, SyntaxInputError
from .paths import RDF_SUFFIXES, display_path, project

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ParsedFile",
    "SourceIndex",
    "expand_paths",
    "parse_file",
    "parse_files",
    "load_store",
    "load_graph",
    "load_project_graph",
    "load_project_store",
    "to_rdflib",
]

#: Files larger than this are refused before reading (override with RTOPKG_MAX_INPUT_BYTES; 0 means no limit).
DEFAULT_MAX_BYTES = 1 << 30

_OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "json-ld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
    "n3": ox.RdfFormat.N3,
}


def _max_bytes(explicit: int | None) -> int:
    if explicit is not None:
        return explicit
    raw = os.environ.get("RTOPKG_MAX_INPUT_BYTES")
    if raw is None:
        return DEFAULT_MAX_BYTES
    try:
        return int(raw)
    except ValueError:
        raise InputError(f"RTOPKG_MAX_INPUT_BYTES={raw!r}: not a whole number of bytes") from None


@dataclass
class ParsedFile:
    """The quads of one file, with what is needed to say where things are in it."""

    path: Path
    format: str
    quads: list
    prefixes: dict[str, str]
    text: str | None  # kept for line-based formats, to index subject lines


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files named, with folders replaced by the RDF files they hold (sorted). Missing paths are an error."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in RDF_SUFFIXES)
            if not found:
                raise InputError(f"{display_path(path)}: folder holds no RDF files ({', '.join(sorted(RDF_SUFFIXES))})")
            out.extend(found)
        elif path.exists():
            out.append(path)
        else:
            raise InputError(f"{display_path(path)}: no such file or folder")
    return out


def rdf_format(path: Path, fmt: str | None = None) -> str:
    """The format name for ``path`` (from ``fmt`` or from its suffix)."""
    if fmt:
        if fmt not in _OX_FORMATS:
            raise InputError(f"{display_path(path)}: unknown RDF format {fmt!r} (expected one of {', '.join(sorted(_OX_FORMATS))})")
        return fmt
    found = RDF_SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise InputError(f"{display_path(path)}: unknown RDF file type {path.suffix!r} (expected {', '.join(sorted(RDF_SUFFIXES))})")
    return found


def _read(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{display_path(path)}: cannot read ({exc.strerror or exc})") from None
    if max_bytes and size > max_bytes:
        raise LimitExceeded(f"{display_path(path)}: {size} bytes is over the input size limit of {max_bytes} bytes "
                            "(raise it with RTOPKG_MAX_INPUT_BYTES)")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{display_path(path)}: cannot read ({exc.strerror or exc})") from None


_ENTITY_DECL = re.compile(rb"<!ENTITY\s+(%\s+)?[^\s>]+\s+(SYSTEM|PUBLIC|\"[^\"]*\"|'[^']*')", re.S)

# Security (issue 7, hazard 4) -- added beside the checks above:
# * Oxigraph's RDF/XML parser expands internal entities, so one entity of 100 kB referenced 20,000 times (a
#   400 kB file, no nesting) becomes a 2 GB literal ("quadratic blowup"): the text that entity references add
#   is bounded by :data:`XML_ENTITY_BUDGET` or twice the file's size, whichever is larger.
# * its time grows with the square of the element depth (20,000 nested elements, a 1 MB file, take 30 s):
#   elements nested deeper than :data:`MAX_XML_DEPTH` are refused.
#: The most text (in bytes) entity references may add to an RDF/XML document beyond twice its size.
XML_ENTITY_BUDGET = 1 << 20
#: RDF/XML elements may be nested at most this deep.
MAX_XML_DEPTH = 256
_INTERNAL_ENTITY = re.compile(rb'<!ENTITY\s+([^\s>%]+)\s+"([^"]*)"', re.S)
_ENTITY_REF = re.compile(rb"&([^\s;&<>#]+);")
_XML_MARKUP = re.compile(
    rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE(?:[^\[>]|\[.*?\])*>"
    rb"|<(/?)[^\s/>!?](?:[^>\"']|\"[^\"]*\"|'[^']*')*?(/?)>", re.S)


def _check_xml_size(path: Path, data: bytes) -> None:
    entities = {m.group(1): len(m.group(2)) for m in _INTERNAL_ENTITY.finditer(data)}
    if entities:
        added = 0
        for name in _ENTITY_REF.findall(data):
            added += entities.get(name, 0)
        if added > max(XML_ENTITY_BUDGET, 2 * len(data)):
            raise RefusedError(f"{display_path(path)}: refused XML entities that would expand to {added} bytes "
                               f"(entity expansion attack, 'quadratic blowup'; at most {max(XML_ENTITY_BUDGET, 2 * len(data))})")
    depth = 0
    for match in _XML_MARKUP.finditer(data):
        close, empty = match.group(1), match.group(2)
        if close is None:  # a comment, CDATA section, processing instruction or DOCTYPE
            continue
        if close:
            depth = max(0, depth - 1)
        elif not empty:
            depth += 1
            if depth > MAX_XML_DEPTH:
                line = data.count(b"\n", 0, match.start()) + 1
                raise RefusedError(f"{display_path(path)}:{line}: refused RDF/XML nested more than {MAX_XML_DEPTH} "
                                   "elements deep (parsing time grows with the square of the depth)")


def _check_xml(path: Path, data: bytes) -> None:
    """Refuse RDF/XML entity tricks: external entities, parameter entities, entities that nest entities."""
    for match in _ENTITY_DECL.finditer(data):
        parameter, value = match.group(1), match.group(2)
        if parameter or value in (b"SYSTEM", b"PUBLIC"):
            raise RefusedError(f"{display_path(path)}: refused an external or parameter XML entity (rtopkg never fetches or expands them)")
        if b"&" in value or b"%" in value:
            raise RefusedError(f"{display_path(path)}: refused a nested XML entity (entity expansion attack, 'billion laughs')")
    _check_xml_size(path, data)  # issue 7: quadratic blowup and deep nesting (see above)


def _remote_contexts(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                contexts = value if isinstance(value, list) else [value]
                for ctx in contexts:
                    if isinstance(ctx, str):
                        yield ctx
                    elif isinstance(ctx, dict):
                        if isinstance(ctx.get("@import"), str):
                            yield ctx["@import"]
                        yield from _remote_contexts(ctx)
            else:
                yield from _remote_contexts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _remote_contexts(item)


def _check_jsonld(path: Path, data: bytes) -> None:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        col = getattr(exc, "colno", None)
        raise SyntaxInputError(display_path(path), line, col, f"invalid JSON: {getattr(exc, 'msg', exc)}") from None
    except RecursionError:  # issue 7: JSON nested thousands deep must be an input error, not a crash
        raise RefusedError(f"{display_path(path)}: refused a JSON document nested too deeply") from None
    try:
        remote = next(_remote_contexts(doc), None)
    except RecursionError:
        raise RefusedError(f"{display_path(path)}: refused a JSON document nested too deeply") from None
    if remote is not None:
        ctx = remote
        raise RefusedError(f"{display_path(path)}: refused the remote JSON-LD context {ctx!r} (rtopkg never fetches contexts; "
                           "inline the context in the document)")


_POS = re.compile(r"line (\d+)(?: between columns (\d+)| column (\d+))?")


def _syntax_error(path: Path, exc: SyntaxError) -> SyntaxInputError:
    message = exc.msg or str(exc)
    line, col = exc.lineno, exc.offset
    if line is None:
        found = _POS.search(message)
        if found:
            line = int(found.group(1))
            col = int(found.group(2) or found.group(3)) if (found.group(2) or found.group(3)) else None
    reason = message.split(": ", 1)[1] if message.startswith("Parser error") and ": " in message else message
    return SyntaxInputError(display_path(path), line, col, reason)


def _xml_position(path: Path, data: bytes, error: SyntaxInputError) -> SyntaxInputError:
    """``error`` with the line and column where expat finds the document ill-formed (when it does)."""
    import xml.parsers.expat

    checker = xml.parsers.expat.ParserCreate()
    try:
        checker.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        return SyntaxInputError(display_path(path), exc.lineno, exc.offset + 1, error.reason)
    return error


def parse_file(path: str | os.PathLike[str], fmt: str | None = None, *, max_bytes: int | None = None,
               base_iri: str | None = None) -> ParsedFile:
    """Parse one file completely into memory; raise a one-line error naming ``file:line:col`` if it is bad."""
    path = Path(path)
    name = rdf_format(path, fmt)
    data = _read(path, _max_bytes(max_bytes))
    if name == "xml":
        _check_xml(path, data)
    elif name == "json-ld":
        _check_jsonld(path, data)
    parser = ox.parse(data, _OX_FORMATS[name], base_iri=base_iri or path.resolve().as_uri())
    try:
        quads = list(parser)
    except SyntaxError as exc:
        error = _syntax_error(path, exc)
        if error.line is None and name == "xml":  # issue 7: Oxigraph gives no position for ill-formed XML
            error = _xml_position(path, data, error)
        raise error from None
    except (ValueError, OSError) as exc:
        raise InputError(f"{display_path(path)}: {exc}") from None
    for quad in quads:
        if isinstance(quad.subject, ox.Triple) or isinstance(quad.object, ox.Triple):
            raise InputError(f"{display_path(path)}: RDF-star quoted triples are not supported")
    text = None
    if name in ("turtle", "trig", "nt", "nquads", "n3"):
        text = data.decode("utf-8", errors="replace")
    return ParsedFile(path, name, quads, dict(parser.prefixes or {}), text)


def parse_files(paths: Sequence[str | os.PathLike[str]], *, max_bytes: int | None = None) -> list[ParsedFile]:
    """Parse every file; any error aborts before anything is loaded anywhere."""
    return [parse_file(p, max_bytes=max_bytes) for p in expand_paths(paths)]


# --------------------------------------------------------------------------------------------------------
# Where subjects start
# --------------------------------------------------------------------------------------------------------

_PNAME = re.compile(r"([A-Za-z][\w.-]*)?:((?:[\w\-.:%]|\\.)*)")


def _term_key(term: object) -> str:
    """A stable text key for a term of either library (the N-Triples form for IRIs, ``_:id`` for blank nodes)."""
    value = getattr(term, "value", None)
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, str) and not isinstance(value, str):
        # rdflib URIRef / BNode are str subclasses
        cls = type(term).__name__
        if cls == "URIRef":
            return f"<{term}>"
        if cls == "BNode":
            return f"_:{term}"
    return str(term)


@dataclass
class SourceIndex:
    """Where each subject's block starts, per file: ``locate(term)`` gives ``(path, line)`` or ``None``."""

    lines: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    prefixes: dict[str, dict[str, str]] = field(default_factory=dict)

    def add(self, parsed: ParsedFile, label: str | None = None) -> None:
        label = label or display_path(parsed.path)
        if parsed.text is None:
            return
        self.texts[label] = parsed.text
        self.prefixes[label] = parsed.prefixes
        for key, line in _subject_lines(parsed.text, parsed.prefixes, parsed.format):
            self.lines.setdefault(key, []).append((label, line))

    def locate(self, term: object, graph: "Graph | None" = None, _seen: frozenset = frozenset()) -> tuple[str, int] | None:
        """The file and line where ``term``'s subject block starts.

        A blank node is located at the block of the resource that refers to it (``graph`` is needed for that).
        A resource with no block of its own is located at its first mention.
        """
        key = _term_key(term)
        if key in self.lines:
            return self.lines[key][0]
        if key.startswith("_:") and graph is not None and key not in _seen:
            for parent in graph.subjects(None, term):
                found = self.locate(parent, graph, _seen | {key})
                if found:
                    return found
            return None
        if key.startswith("<"):
            return self._first_mention(key[1:-1])
        return None

    def _first_mention(self, iri: str) -> tuple[str, int] | None:
        for label, text in self.texts.items():
            forms = [f"<{iri}>"]
            for prefix, ns in self.prefixes.get(label, {}).items():
                if iri.startswith(ns) and iri != ns:
                    forms.append(f"{prefix}:{iri[len(ns):]}")
            for form in forms:
                pattern = re.compile(re.escape(form) + r"(?![\w\-:/])") if not form.startswith("<") else re.compile(re.escape(form))
                found = pattern.search(text)
                if found:
                    return label, text.count("\n", 0, found.start()) + 1
        return None


def _subject_lines(text: str, prefixes: dict[str, str], fmt: str) -> Iterator[tuple[str, int]]:
    """Yield ``(term key, line)`` for each line that starts a subject block (a term in column 0)."""
    in_long = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_long:
            if line.count(in_long) % 2 == 1:
                in_long = None
            continue
        for quote in ('"""', "'''"):
            if line.count(quote) % 2 == 1:
                in_long = quote
        if not line or line[0] in " \t#@[()]}.;,\"'" or line.upper().startswith(("PREFIX", "BASE", "GRAPH")):
            continue
        if line.startswith("<"):
            end = line.find(">")
            if end > 0:
                yield f"<{line[1:end]}>", number
            continue
        if line.startswith("_:"):
            continue
        match = _PNAME.match(line)
        if match and match.group(0):
            prefix = match.group(1) or ""
            ns = prefixes.get(prefix)
            if ns is not None:
                local = re.sub(r"\\(.)", r"\1", match.group(2)).rstrip(".")
                yield f"<{ns}{local}>", number


# --------------------------------------------------------------------------------------------------------
# Loading into a store (pyoxigraph) or a graph (rdflib)
# --------------------------------------------------------------------------------------------------------


def load_store(paths: Sequence[str | os.PathLike[str]], store: "ox.Store | None" = None, *,
               max_bytes: int | None = None, index: SourceIndex | None = None) -> ox.Store:
    """Load files into an Oxigraph store (a new in-memory one by default), all or nothing.

    Quads of TriG and N-Quads files keep their graph names; triples go to the default graph.
    """
    parsed = parse_files(paths, max_bytes=max_bytes)
    store = store if store is not None else ox.Store()
    for item in parsed:
        if index is not None:
            index.add(item)
    store.extend(q for item in parsed for q in item.quads)
    return store


def to_rdflib(term: object, *, normalize: bool | None = None, languages: Mapping[str, str] | None = None):
    """Convert a pyoxigraph term into the equal rdflib term.

    ``normalize`` is rdflib's ``Literal(normalize=...)`` for typed literals (``None``: rdflib's default, which
    rewrites a valid lexical form canonically; ``False`` keeps it as written). ``languages`` maps a language tag
    as Oxigraph gives it (lower case) to the tag as originally written.
    """
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=languages.get(term.language, term.language) if languages else term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype), normalize=normalize)
    raise InputError(f"unsupported RDF term {term!r}")


def load_graph(paths: Sequence[str | os.PathLike[str]], graph: "Graph | None" = None, *,
               max_bytes: int | None = None, index: SourceIndex | None = None) -> "Graph":
    """Load files into an rdflib graph (a new one by default), all or nothing.

    Every file is parsed before the first triple is added, so a broken file leaves ``graph`` unchanged.
    Named graphs of TriG or N-Quads files are merged into ``graph``.
    """
    from rdflib import Graph

    from .vocab import PREFIXES

    parsed = parse_files(paths, max_bytes=max_bytes)
    triples = []
    for item in parsed:
        if index is not None:
            index.add(item)
        triples.extend((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)) for q in item.quads)
    if graph is None:
        graph = Graph(bind_namespaces="none")
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns)
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return graph


def load_project_graph(*, ontology: bool = True, data: bool = True, index: SourceIndex | None = None) -> "Graph":
    """The project's graph as rdflib: the ontology (with vocabularies and imports) and the data."""
    proj = project()
    files = (proj.ontology_files() if ontology else []) + (proj.data_files() if data else [])
    return load_graph(files, index=index)


def load_project_store(*, ontology: bool = True, data: bool = True, store: "ox.Store | None" = None) -> ox.Store:
    """The project's graph in an in-memory Oxigraph store (default graph)."""
    proj = project()
    files = (proj.ontology_files() if ontology else []) + (proj.data_files() if data else [])
    return load_store(files, store)
