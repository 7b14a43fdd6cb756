"""The common result model of every engine, and the writers of ``rtopkg query --format``.

A :class:`Result` is the variables and rows of an answer, each term as canonical N-Triples text
(:func:`rtopkg.terms.to_nt`), ``None`` when unbound. The same question gives equal ``Result`` rows on the
embedded Oxigraph engine, the rdflib engine and a remote endpoint, so answers compare across engines and with
the golden files (SPARQL 1.1 TSV, read by :func:`read_tsv`).

Writers (all deterministic: the same result gives byte-identical output):

* ``table`` -- aligned columns for a terminal; IRIs as prefixed names with their English label beside them;
  control characters shown as escapes, never sent to the terminal;
* ``csv`` -- SPARQL 1.1 Query Results CSV (values only, CRLF line ends);
* ``tsv`` -- SPARQL 1.1 Query Results TSV (terms in N-Triples syntax: IRIs, datatypes and languages kept);
* ``json`` -- SPARQL 1.1 Query Results JSON;
* ``md`` -- a Markdown table, IRIs as links named by their label.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .prefixes import shorten
from .terms import XSD, TermError, canonical, from_nt, literal_nt, to_json

__all__ = ["FORMATS", "Result", "render", "read_tsv", "write_tsv", "write_csv", "write_json", "write_md",
           "write_table", "comparable_rows"]

FORMATS = ("table", "csv", "tsv", "json", "md")

Row = tuple  # tuple[str | None, ...]


@dataclass
class Result:
    """An answer: ``variables`` and ``rows`` of N-Triples text (``None`` = unbound); ``boolean`` for ASK."""

    variables: list[str]
    rows: list[Row] = field(default_factory=list)
    boolean: bool | None = None
    form: str = "SELECT"
    notes: list[str] = field(default_factory=list, compare=False)  # said on stderr, never part of the answer

    def __len__(self) -> int:
        return len(self.rows)

    def iris(self) -> list[str]:
        """The distinct IRIs in the rows, in order of first appearance."""
        seen: dict[str, None] = {}
        for row in self.rows:
            for cell in row:
                if cell is not None and cell.startswith("<"):
                    seen.setdefault(cell[1:-1], None)
        return list(seen)

    def column(self, name: str) -> list[str | None]:
        index = self.variables.index(name)
        return [row[index] for row in self.rows]


def relabel_blank_nodes(rows: list[Row]) -> list[Row]:
    """Rename blank nodes ``_:b0``, ``_:b1``... in order of first appearance (engines' labels differ)."""
    names: dict[str, str] = {}
    out = []
    for row in rows:
        if any(cell is not None and cell.startswith("_:") for cell in row):
            row = tuple(names.setdefault(cell, f"_:b{len(names)}") if cell is not None and cell.startswith("_:")
                        else cell for cell in row)
        out.append(row)
    return out


def comparable_rows(result: Result, ordered: bool) -> list[Row] | Counter:
    """Rows in a form that compares across engines: a list when ``ordered``, else a multiset. Blank nodes
    compare equal to each other (their labels are arbitrary)."""
    rows = [tuple("_:" if cell is not None and cell.startswith("_:") else cell for cell in row)
            for row in result.rows]
    return rows if ordered else Counter(rows)


# --------------------------------------------------------------------------------------------------------
# TSV (SPARQL 1.1 Query Results TSV): the golden files' format
# --------------------------------------------------------------------------------------------------------

_NUMBER = {
    "integer": re.compile(r"[+-]?[0-9]+\Z"),
    "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+\Z"),
    "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+\Z"),
}


def _tsv_cell(cell: str, where: str) -> str | None:
    if cell == "":
        return None
    for kind, pattern in _NUMBER.items():
        if pattern.match(cell):
            return literal_nt(cell, XSD + kind)
    if cell in ("true", "false"):
        return literal_nt(cell, XSD + "boolean")
    try:
        return canonical(cell)
    except TermError as exc:
        raise InputError(f"{where}: {exc.message}") from None


def read_tsv(source: str | Path, *, name: str | None = None) -> Result:
    """Read SPARQL 1.1 TSV results (a path or the text itself) into a :class:`Result` of canonical terms."""
    if isinstance(source, Path):
        name = name or str(source)
        try:
            text = source.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    else:
        text = source
    name = name or "TSV results"
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise InputError(f"{name}: empty, expected a header line of ?variables")
    header = lines[0].rstrip("\r").split("\t") if lines[0].rstrip("\r") else []
    for var in header:
        if not re.fullmatch(r"[?$][A-Za-z_0-9]+", var):
            raise InputError(f"{name}:1: {var!r} is not a ?variable")
    variables = [var[1:] for var in header]
    rows: list[Row] = []
    for number, line in enumerate(lines[1:], start=2):
        cells = line.rstrip("\r").split("\t")
        if len(cells) != len(variables):
            raise InputError(f"{name}:{number}: {len(cells)} cells for {len(variables)} variables")
        rows.append(tuple(_tsv_cell(cell, f"{name}:{number}") for cell in cells))
    return Result(variables, rows)


def write_tsv(result: Result) -> str:
    if result.boolean is not None:
        return f"?boolean\n{literal_nt(str(result.boolean).lower(), XSD + 'boolean')}\n"
    out = ["\t".join(f"?{v}" for v in result.variables)]
    out.extend("\t".join(cell or "" for cell in row) for row in result.rows)
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------------------
# CSV and JSON
# --------------------------------------------------------------------------------------------------------


def _plain(cell: str | None) -> str:
    if cell is None:
        return ""
    if cell.startswith("<"):
        return cell[1:-1]
    if cell.startswith("_:"):
        return cell
    return from_nt(cell).value


def write_csv(result: Result) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if result.boolean is not None:
        writer.writerow(["boolean"])
        writer.writerow([str(result.boolean).lower()])
        return buffer.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_plain(cell) for cell in row])
    return buffer.getvalue()


def write_json(result: Result) -> str:
    if result.boolean is not None:
        doc: dict = {"head": {}, "boolean": result.boolean}
    else:
        doc = {
            "head": {"vars": list(result.variables)},
            "results": {"bindings": [
                {var: to_json(cell) for var, cell in zip(result.variables, row) if cell is not None}
                for row in result.rows
            ]},
        }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------------------------------------
# Table and Markdown
# --------------------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _visible(text: str) -> str:
    """Control characters as escapes, so that data never drives the terminal."""
    return _CONTROL.sub(lambda m: {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(m.group(), f"\\u{ord(m.group()):04X}"),
                        text)


def _width(text: str) -> int:
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _display(cell: str | None, labels: dict[str, str]) -> str:
    if cell is None:
        return ""
    if cell.startswith("<"):
        iri = cell[1:-1]
        label = labels.get(iri)
        short = _visible(shorten(iri))
        return f"{short} ({_visible(label)})" if label else short
    if cell.startswith("_:"):
        return cell
    return _literal_text(cell, _visible)


def _literal_text(cell: str, render) -> str:
    """A literal cell's value for people: ``render``-ed, with its language tag unless English."""
    term = from_nt(cell)
    text = render(term.value)
    if term.language and not term.language.startswith("en"):
        text += f" @{term.language}"
    return text


def write_table(result: Result, labels: dict[str, str] | None = None) -> str:
    labels = labels or {}
    if result.boolean is not None:
        return ("yes" if result.boolean else "no") + "\n"
    header = list(result.variables)
    body = [[_display(cell, labels) for cell in row] for row in result.rows]
    widths = [_width(h) for h in header]
    for row in body:
        for i, text in enumerate(row):
            widths[i] = max(widths[i], _width(text))

    def line(cells: list[str]) -> str:
        return "  ".join(text + " " * (widths[i] - _width(text)) for i, text in enumerate(cells)).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    out.extend(line(row) for row in body)
    count = len(result.rows)
    out.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(out) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md_text(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", _visible(text))


def _md_cell(cell: str | None, labels: dict[str, str]) -> str:
    if cell is None:
        return ""
    if cell.startswith("<"):
        iri = cell[1:-1]
        name = labels.get(iri) or shorten(iri)
        target = iri.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
        return f"[{_md_text(name)}](<{target}>)" if ">" not in target else _md_text(name)
    if cell.startswith("_:"):
        return _md_text(cell)
    return _literal_text(cell, _md_text)


def write_md(result: Result, labels: dict[str, str] | None = None) -> str:
    labels = labels or {}
    if result.boolean is not None:
        return f"| boolean |\n|---|\n| {str(result.boolean).lower()} |\n"
    out = ["| " + " | ".join(result.variables) + " |", "|" + "|".join("---" for _ in result.variables) + "|"]
    for row in result.rows:
        out.append("| " + " | ".join(_md_cell(cell, labels) for cell in row) + " |")
    return "\n".join(out) + "\n"


def render(result: Result, fmt: str, labels: dict[str, str] | None = None) -> str:
    """``result`` written in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "table":
        return write_table(result, labels)
    if fmt == "csv":
        return write_csv(result)
    if fmt == "tsv":
        return write_tsv(result)
    if fmt == "json":
        return write_json(result)
    if fmt == "md":
        return write_md(result, labels)
    raise InputError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
