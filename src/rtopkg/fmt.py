"""``rtopkg fmt``: rewrite Turtle files in one canonical, readable layout, keeping every comment.

The layout is the one of :mod:`rtopkg.canonical` (prefix block, one block per subject, sorted). Comments are
kept, by three rules a curator can rely on:

* **header**: comment lines before the first statement about a subject (including those among the
  ``@prefix`` lines) open the file, above the prefix block;
* **section**: a comment followed by a blank line heads a section; the subjects written after it, up to the
  next section comment, are sorted within their section, which keeps its place in the file;
* **attached**: a comment directly above a statement (no blank line between), inside it, or after it on its
  last line stays with the statement's subject, directly above that subject's block.

A subject whose statements are spread over several sections is written, merged, in the first of them.

Formatting never changes the graph: the result is parsed again and compared with the original after RDF
Dataset Canonicalization (exact lexical forms, not rdflib's normalised ones) before a file is written, and
files are replaced atomically. Formatting is idempotent: ``fmt(fmt(x)) == fmt(x)``.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import pyoxigraph as ox

from .canonical import PrefixMap, TurtleWriter, _assemble, canonicalize, nt_quad
from .errors import InputError, SyntaxInputError
from .paths import display_path

__all__ = ["format_turtle", "FmtReport", "fmt_paths", "turtle_paths", "same_graph"]

_SKOLEM = "urn:x-rtopkg-fmt:bnode:"
_BNODE_LABEL = re.compile(r"_:([A-Za-z0-9_](?:[A-Za-z0-9_\-.]*[A-Za-z0-9_\-])?)")
_DIRECTIVE = re.compile(r"(?:@prefix|@base|PREFIX|BASE)(?![A-Za-z0-9_:-])", re.I)
_SPARQL_DIRECTIVE = re.compile(r"(?:PREFIX|BASE)(?![A-Za-z0-9_:-])", re.I)
_POS = re.compile(r"line (\d+)(?: between columns (\d+)| column (\d+))?")


@dataclass
class _Comment:
    line: int
    text: str


@dataclass
class _Statement:
    line: int
    text: str
    directive: bool
    inner: list[str] = field(default_factory=list)
    attached: list[str] = field(default_factory=list)
    section: int = 0


# ---------------------------------------------------------------------------------------------------------
# Scanning
# ---------------------------------------------------------------------------------------------------------


def _scan(text: str, where: str) -> list:
    """Split Turtle text into standalone comments and statements (aware of strings, IRIs and brackets)."""
    items: list = []
    i, n, line, line_start = 0, len(text), 1, 0
    start: int | None = None
    start_line = 0
    depth = 0
    sparql = False
    inner: list[str] = []
    last: _Statement | None = None

    def close(end: int) -> None:
        nonlocal start, inner, last
        chunk = text[start:end]
        last = _Statement(start_line, chunk, bool(_DIRECTIVE.match(chunk)), inner)
        items.append(last)
        start, inner = None, []

    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
            line_start = i
            continue
        if c in " \t\r":
            i += 1
            continue
        if c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            comment = text[i:j].rstrip()
            if start is not None:
                inner.append(comment)
            elif text[line_start:i].strip() and last is not None:
                last.inner.append(comment)  # a comment after a statement, on its last line
            else:
                items.append(_Comment(line, comment))
            i = j
            continue
        if start is None:
            start, start_line = i, line
            sparql = bool(_SPARQL_DIRECTIVE.match(text, i))
        if c == "<":
            j = text.find(">", i)
            if j < 0:
                raise SyntaxInputError(where, line, i - line_start + 1, "unterminated IRI")
            i = j + 1
            if sparql:
                close(i)
            continue
        if c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while not text.startswith(quote, j):
                if j >= n:
                    raise SyntaxInputError(where, line, i - line_start + 1, "unterminated string")
                if text[j] == "\\":
                    j += 2
                    continue
                if text[j] == "\n":
                    line += 1
                    line_start = j + 1
                j += 1
            i = j + len(quote)
            continue
        if c in "[(":
            depth += 1
        elif c in "])":
            depth -= 1
        elif c == "." and depth == 0 and (i + 1 == n or text[i + 1] in " \t\r\n#"):
            close(i + 1)
        i += 1
    if start is not None:
        raise SyntaxInputError(where, start_line, None, "statement not ended with '.'")
    return items


def _skolemize(chunk: str) -> str:
    """Replace each ``_:label`` outside strings and IRIs by an IRI, so labels survive parsing statements apart."""
    out, i, n = [], 0, len(chunk)
    while i < n:
        c = chunk[i]
        if c == "<":
            j = chunk.find(">", i) + 1
            out.append(chunk[i:j])
            i = j
        elif c in "\"'":
            quote = c * 3 if chunk.startswith(c * 3, i) else c
            j = i + len(quote)
            while not chunk.startswith(quote, j):
                j += 2 if chunk[j] == "\\" else 1
            out.append(chunk[i:j + len(quote)])
            i = j + len(quote)
        elif c == "#":
            j = chunk.find("\n", i)
            j = n if j < 0 else j
            out.append(chunk[i:j])
            i = j
        elif c == "_" and (m := _BNODE_LABEL.match(chunk, i)):
            out.append(f"<{_SKOLEM}{m.group(1)}>")
            i = m.end()
        else:
            out.append(c)
            i += 1
    return "".join(out)


# ---------------------------------------------------------------------------------------------------------
# Parsing and comparing
# ---------------------------------------------------------------------------------------------------------


def _syntax_error(where: str, exc: SyntaxError) -> SyntaxInputError:
    message = exc.msg or str(exc)
    line, col = exc.lineno, exc.offset
    found = _POS.search(message)
    if line is None and found:
        line = int(found.group(1))
        col = int(found.group(2) or found.group(3)) if (found.group(2) or found.group(3)) else None
    reason = message.split(": ", 1)[1] if message.startswith("Parser error") and ": " in message else message
    return SyntaxInputError(where, line, col, re.sub(r"\s*\(line \d+\)$", "", reason))


def _parse(text: str, where: str) -> tuple[list, dict[str, str]]:
    parser = ox.parse(text.encode("utf-8"), ox.RdfFormat.TURTLE, base_iri=None)
    try:
        quads = list(parser)
    except SyntaxError as exc:
        raise _syntax_error(where, exc) from None
    return quads, dict(parser.prefixes or {})


def _exact(triples: Iterable) -> set[str]:
    """The graph as a set of canonical N-Triples lines (RDFC-1.0 labels; lexical forms exactly as parsed)."""
    quads = (ox.Quad(t[0], t[1], t[2]) for t in triples)
    return {nt_quad(q.subject, q.predicate, q.object) for q in canonicalize(quads)}


def same_graph(text_a: str, text_b: str) -> bool:
    """Whether two Turtle texts hold exactly the same graph (blank nodes up to renaming, lexical forms exact)."""
    a, _ = _parse(text_a, "<a>")
    b, _ = _parse(text_b, "<b>")
    return (_exact((q.subject, q.predicate, q.object) for q in a)
            == _exact((q.subject, q.predicate, q.object) for q in b))


# ---------------------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------------------


def _groups(comments: Sequence[_Comment]) -> list[list[_Comment]]:
    """Runs of comments on consecutive lines."""
    groups: list[list[_Comment]] = []
    for c in comments:
        if groups and c.line == groups[-1][-1].line + 1:
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


def _place_comments(items: list) -> tuple[list[str], list[list[str]], list[_Statement]]:
    """Header lines, section comment lines (section 0 may have some) and the triple statements.

    The first run of comment lines before any statement about a subject is the header; later runs before it
    head section 0; a run directly above a statement (no blank line) is attached to it; runs after the first
    statement about a subject head new sections.
    """
    header: list[str] = []
    sections: list[list[str]] = [[]]
    statements: list[_Statement] = []
    pending: list[_Comment] = []
    state = {"triples": False, "header": False}

    def add(target: list[str], group: list[_Comment]) -> None:
        if target:
            target.append("")
        target.extend(c.text for c in group)

    def flush(next_line: int | None, to_statement: bool) -> list[str]:
        nonlocal pending
        groups = _groups(pending)
        pending = []
        attached: list[_Comment] = []
        if groups and to_statement and next_line is not None and groups[-1][-1].line == next_line - 1:
            attached = groups.pop()
        if state["triples"]:
            if groups:
                block: list[str] = []
                for group in groups:
                    add(block, group)
                sections.append(block)
        else:
            for group in groups:
                if not state["header"]:
                    add(header, group)
                    state["header"] = True
                else:
                    add(sections[0], group)
        return [c.text for c in attached]

    for item in items:
        if isinstance(item, _Comment):
            pending.append(item)
            continue
        attached = flush(item.line, not item.directive)
        if item.directive:
            header.extend(item.inner)
            continue
        state["triples"] = True
        item.attached = attached + item.inner
        item.section = len(sections) - 1
        statements.append(item)
    flush(None, False)
    return header, sections, statements


def _closure(node, by_subject: dict) -> list:
    out, todo, seen = [], [node], {node}
    while todo:
        s = todo.pop()
        for p, o in by_subject.get(s, ()):
            out.append((s, p, o))
            if isinstance(o, ox.BlankNode) and o not in seen:
                seen.add(o)
                todo.append(o)
    return out


def _fingerprint(node, by_subject: dict) -> str:
    """A text that two blank nodes share exactly when what hangs from them is the same graph."""
    mark = ox.NamedNode("urn:x-rtopkg-fmt:root")
    triples = _closure(node, by_subject) + [(node, mark, mark)]
    return "\n".join(sorted(_exact(triples)))


def format_turtle(text: str, where: str = "<text>") -> str:
    """The canonical text of a Turtle document (see the module docstring).

    Raises :class:`~rtopkg.errors.SyntaxInputError` (``file:line:col: reason``) when the text does not parse,
    and :class:`~rtopkg.errors.InputError` if the result would not hold exactly the same graph (a bug).
    """
    original, file_prefixes = _parse(text, where)
    items = _scan(text, where)
    header, sections, statements = _place_comments(items)

    # Parse each statement on its own (with the directives before it) to learn where each subject was written.
    directives: list[str] = []
    shared: dict[str, ox.BlankNode] = {}
    union: list[tuple] = []
    subject_statement: dict = {}
    roots: list = []
    k = 0
    for item in items:
        if isinstance(item, _Comment):
            continue
        if item.directive:
            directives.append(item.text)
            continue
        chunk = "\n".join(directives) + "\n" + _skolemize(item.text) + "\n"
        try:
            quads = list(ox.parse(chunk.encode("utf-8"), ox.RdfFormat.TURTLE, base_iri=None))
        except SyntaxError as exc:
            raise InputError(f"{where}:{item.line}: fmt cannot read this statement on its own ({exc.msg})") from None

        def back(term):
            if isinstance(term, ox.NamedNode) and term.value.startswith(_SKOLEM):
                return shared.setdefault(term.value, ox.BlankNode())
            return term

        triples = [(back(q.subject), q.predicate, back(q.object)) for q in quads]
        objects = {o for _, _, o in triples}
        subjects = [s for s, _, _ in triples]
        for s in subjects:
            subject_statement.setdefault(s, k)
        tops = [s for s in dict.fromkeys(subjects) if s not in objects]
        named = [s for s in tops if isinstance(s, ox.NamedNode)]
        roots.append(named[0] if named else (tops[0] if tops else (subjects[0] if subjects else None)))
        union.extend(triples)
        k += 1

    original_triples = [(q.subject, q.predicate, q.object) for q in original]
    if _exact(union) != _exact(original_triples):
        raise InputError(f"{where}: fmt could not split the file into statements safely; the file is left as it is")

    prefixes = PrefixMap(file_prefixes)
    canon = [(q.subject, q.predicate, q.object) for q in canonicalize(ox.Quad(*t) for t in union)]
    blocks = TurtleWriter(canon, prefixes).blocks()

    # Map blank-node blocks back to the blank nodes of the statements they came from.
    by_subject_union: dict = defaultdict(list)
    for s, p, o in union:
        by_subject_union[s].append((p, o))
    by_subject_canon: dict = defaultdict(list)
    for s, p, o in canon:
        by_subject_canon[s].append((p, o))
    refs: dict = defaultdict(int)
    for _, _, o in set(union):
        refs[o] += 1
    candidates: dict[str, list] = defaultdict(list)
    possible = (s for s in by_subject_union if isinstance(s, ox.BlankNode) and refs[s] != 1)
    for s in sorted(possible, key=lambda s: subject_statement[s]):
        candidates[_fingerprint(s, by_subject_union)].append(s)
    block_of: dict = {}
    for block in blocks:
        if isinstance(block.subject, ox.NamedNode):
            block_of[block.subject] = block
        else:
            found = candidates.get(_fingerprint(block.subject, by_subject_canon))
            if found:
                block_of[found.pop(0)] = block

    placed: dict[int, list] = defaultdict(list)
    comments: dict[int, list[str]] = defaultdict(list)
    section_of: dict[int, int] = {}
    for index, stmt in enumerate(statements):
        block = block_of.get(roots[index])
        if block is None:  # the statement's subject was written inline elsewhere: keep its comments in place
            sections[stmt.section] = sections[stmt.section] + stmt.attached
            continue
        comments[id(block)].extend(stmt.attached)
        section_of.setdefault(id(block), stmt.section)
    for block in blocks:
        section = section_of.get(id(block))
        if section is None:
            first = min((subject_statement.get(s, 0) for s, b in block_of.items() if b is block), default=0)
            section = statements[first].section if statements else 0
        placed[section].append(block)

    chunks: list[str] = []
    for index, comment in enumerate(sections):
        if comment:
            chunks.append("\n".join(comment))
        for block in sorted(placed.get(index, []), key=lambda b: b.key):
            chunks.append("\n".join(comments.get(id(block), []) + block.lines))
    result = _assemble(header, prefixes, chunks)
    check, _ = _parse(result, where)
    if _exact((q.subject, q.predicate, q.object) for q in check) != _exact(original_triples):
        raise InputError(f"{where}: fmt would change the graph (a bug); the file is left as it is")
    return result


# ---------------------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------------------


@dataclass
class FmtReport:
    """What ``fmt`` did (or, with ``check``, would do) to each file."""

    changed: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.changed) + len(self.unchanged)


def turtle_paths(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The Turtle files named, with folders replaced by the ``*.ttl`` files under them (sorted)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*.ttl") if p.is_file()))
        elif path.is_file():
            if path.suffix.lower() != ".ttl":
                raise InputError(f"{display_path(path)}: not a Turtle file (fmt rewrites .ttl files only)")
            out.append(path)
        else:
            raise InputError(f"{display_path(path)}: no such file or folder")
    return list(dict.fromkeys(out))


def _write_atomically(path: Path, text: str) -> None:
    mode = path.stat().st_mode & 0o777
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def fmt_paths(paths: Sequence[str | os.PathLike[str]], *, check: bool = False) -> FmtReport:
    """Format the Turtle files under ``paths`` (or, with ``check``, only report which would change).

    Every file is read and formatted before any is written, so a file that does not parse stops the run
    with nothing rewritten.
    """
    files = turtle_paths(paths)
    results: list[tuple[Path, str, str]] = []
    for path in files:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{display_path(path)}: not UTF-8 text (byte {exc.start})") from None
        except OSError as exc:
            raise InputError(f"{display_path(path)}: cannot read ({exc.strerror or exc})") from None
        results.append((path, text, format_turtle(text, display_path(path))))
    report = FmtReport()
    for path, before, after in results:
        if before == after:
            report.unchanged.append(path)
            continue
        report.changed.append(path)
        if not check:
            _write_atomically(path, after)
    return report
