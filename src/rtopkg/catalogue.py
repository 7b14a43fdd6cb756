"""The catalogue of stored questions: ``queries/*.rq``, one question per file.

A stored question is a plain SPARQL file that opens with a commented YAML header, each header line starting
with ``#+`` (so the file stays a valid query that any SPARQL tool can run)::

    #+ summary: Which OAS bodies have preventive mandates?
    #+ description: >
    #+   Each organ of the Organization of American States with a mandate whose type is prevention ...
    #+ tags: [oas, mandate, prevention, modality, organ]
    #+ params:
    #+   - name: organisation
    #+     type: iri            # iri | string | date | year | integer
    #+     prefix: actor        # a bare slug such as `oas` resolves to actor:oas
    #+     default: actor:oas
    #+     example: oas
    #+     description: the organisation whose organs are listed
    #+ reasoning: rules        # optional: rules | rdfs | owlrl, when the answer needs the closure
    #+ rows_required: true     # optional: no rows is an error (exit 1)
    PREFIX ...
    SELECT ...

Each parameter is a variable of the query (``?organisation``) used in its top-level group; the engines bind
it to the typed value (:mod:`rtopkg.params`). The question's name is its file name without ``.rq``; its
golden answer is ``NAME.tsv`` beside it (SPARQL 1.1 TSV results). ``queries/checks/`` is not part of the
catalogue (data-quality checks live there).

Reading the catalogue needs no rdflib: the header is YAML read with PyYAML's C loader when present.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

from .errors import InputError, ParameterError, RtopkgError, SyntaxInputError, UnknownQueryError
from .guard import QueryShape, check_query
from .params import TYPES, VARNAME, ParamSpec, parse_value
from .paths import display_path, project
from .prefixes import PREFIXES

__all__ = ["Question", "REASONING", "catalogue_dir", "question_paths", "parse_question", "parse_query_file",
           "load_catalogue", "find_question", "golden_path", "summaries"]

REASONING = ("rules", "rdfs", "owlrl")
NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_TOP_KEYS = {"summary", "description", "tags", "params", "reasoning", "rows_required"}
_PARAM_KEYS = {"name", "type", "default", "example", "description", "prefix", "lang", "optional"}


@dataclass
class Question:
    """A stored question (or an ad hoc query file, whose header is optional)."""

    name: str
    path: Path | None
    text: str
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    params: tuple[ParamSpec, ...] | None = ()  # None: an ad hoc query with untyped parameters
    reasoning: str | None = None
    rows_required: bool = False
    header_lines: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How messages name it: ``question 'pillars'`` or ``query file q.rq``."""
        if self.path is not None and self.params is not None and self.summary:
            return f"question '{self.name}'"
        return f"query {display_path(self.path)}" if self.path is not None else "the query"

    @cached_property
    def shape(self) -> QueryShape:
        """The query's shape; stored questions are checked like any local query (no SERVICE, FROM, update)."""
        return check_query(self.text, what=self.label)

    @property
    def ordered(self) -> bool:
        """True when the query has a top-level ORDER BY (its rows compare as a list, not a multiset)."""
        return self.shape.ordered

    def param(self, name: str) -> ParamSpec | None:
        for spec in self.params or ():
            if spec.name == name:
                return spec
        return None


def catalogue_dir() -> Path:
    """The project's ``queries/`` folder."""
    return project().queries_dir


def question_paths(folder: Path | None = None) -> list[Path]:
    """The stored questions' files, sorted by name (``queries/*.rq``, not ``queries/checks/``)."""
    folder = folder or catalogue_dir()
    return sorted(p for p in folder.glob("*.rq") if p.is_file())


def golden_path(question: Question) -> Path:
    """Where the golden answer of a stored question lives: ``NAME.tsv`` beside ``NAME.rq``."""
    if question.path is None:
        raise InputError(f"{question.label} has no file, hence no golden answer")
    return question.path.with_suffix(".tsv")


_LOADER: Any = None


def _load_yaml(text: str) -> Any:
    """YAML with PyYAML's (C) safe loader, minus implicit timestamps: ``2012-13-40`` stays text, for our check."""
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        _LOADER = type("HeaderLoader", (base,), {})
        _LOADER.yaml_implicit_resolvers = {
            key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
            for key, resolvers in base.yaml_implicit_resolvers.items()}
    import yaml

    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader


def _split_header(text: str) -> tuple[list[tuple[int, str]], int]:
    """The ``#+`` lines at the top of a file as ``(line number, content)``, and the number of lines read."""
    header: list[tuple[int, str]] = []
    count = 0
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#+"):
            content = stripped[2:]
            header.append((number, content[1:] if content.startswith(" ") else content))
        elif stripped == "" or stripped.startswith("#"):
            pass
        else:
            break
        count = number
    return header, count


class _Header:
    def __init__(self, path: Path, lines: list[tuple[int, str]]):
        self.path, self.lines = path, lines

    def line_of(self, key: str, after: int = 0) -> int | None:
        pattern = re.compile(rf"^\s*(?:-\s+)?{re.escape(key)}\s*:")
        for number, content in self.lines:
            if number >= after and pattern.match(content):
                return number
        return self.lines[0][0] if self.lines else None

    def error(self, message: str, key: str | None = None, after: int = 0) -> SyntaxInputError:
        line = self.line_of(key, after) if key else (self.lines[0][0] if self.lines else None)
        return SyntaxInputError(display_path(self.path), line, None, message)


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("true/false is ambiguous here; write the value in quotes")
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, (int, float, str)):
        return str(value)
    raise ValueError(f"expected a single value, not {type(value).__name__}")


def _parse_params(header: _Header, raw: Any, name: str) -> tuple[ParamSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise header.error("params must be a list of parameters", "params")
    specs: list[ParamSpec] = []
    after = header.line_of("params") or 0
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise header.error("each parameter needs a name", "params")
        pname = item["name"]
        at = header.line_of("name", after) or after
        after = at + 1

        def fail(message: str, key: str = "name") -> SyntaxInputError:
            return header.error(f"parameter '{pname}': {message}", key, at)

        unknown = sorted(set(item) - _PARAM_KEYS)
        if unknown:
            raise fail(f"unknown key '{unknown[0]}' (allowed: {', '.join(sorted(_PARAM_KEYS))})", unknown[0])
        if not VARNAME.match(pname):
            raise fail("the name must be a SPARQL variable name (letters, digits and _)")
        if any(spec.name == pname for spec in specs):
            raise fail("declared twice")
        kind = item.get("type")
        if kind not in TYPES:
            raise fail(f"type must be one of {', '.join(TYPES)}, not {kind!r}", "type")
        prefix = item.get("prefix")
        if prefix is not None and (kind != "iri" or prefix not in PREFIXES):
            raise fail(f"prefix {prefix!r} must be a known prefix, on an iri parameter", "prefix")
        lang = item.get("lang")
        if lang is not None and kind != "string":
            raise fail("lang applies to string parameters only", "lang")
        optional = item.get("optional", False)
        if not isinstance(optional, bool):
            raise fail("optional must be true or false", "optional")
        try:
            default = _scalar(item.get("default"))
            example = _scalar(item.get("example"))
        except ValueError as exc:
            raise fail(str(exc), "default") from None
        description = item.get("description") or ""
        if not isinstance(description, str):
            raise fail("description must be text", "description")
        spec = ParamSpec(pname, kind, default, example, description.strip(), prefix, lang, optional)
        for key, value in (("default", default), ("example", example)):
            if value is not None:
                try:
                    parse_value(spec, value, where=f"question '{name}'")
                except ParameterError as exc:
                    raise fail(f"its {key} is invalid: {exc.message}", key) from None
        specs.append(spec)
    return tuple(specs)


def parse_question(path: str | Path, *, require_header: bool = True, check_query: bool = True) -> Question:
    """Read one ``.rq`` file; raise :class:`~rtopkg.errors.SyntaxInputError` (``file:line: reason``) if its
    header or query is not right. With ``require_header=False`` (ad hoc ``--file``) a header is optional.

    ``check_query=False`` reads the header only, without lexing the query (``rtopkg ask`` ranks the whole
    catalogue that way, then reads the question it picked in full)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{display_path(path)}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{display_path(path)}: cannot read ({exc.strerror or exc})") from None
    name = path.stem
    lines, count = _split_header(text)
    if not lines:
        if require_header:
            raise SyntaxInputError(display_path(path), 1, None, "a stored question starts with a '#+ summary:' header")
        return Question(name, path, text, params=None)
    header = _Header(path, lines)
    source = "\n".join(content for _, content in lines)
    try:
        data = _load_yaml(source)
    except Exception as exc:  # noqa: BLE001 - yaml.YAMLError and friends
        mark = getattr(exc, "problem_mark", None)
        line = lines[min(mark.line, len(lines) - 1)][0] if mark is not None else lines[0][0]
        problem = getattr(exc, "problem", None) or str(exc)
        raise SyntaxInputError(display_path(path), line, None, f"header is not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise header.error("the #+ header must be a YAML mapping (summary:, tags:, params: ...)")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise header.error(f"unknown header key '{unknown[0]}' (allowed: {', '.join(sorted(_TOP_KEYS))})", unknown[0])
    if require_header and not NAME.match(name):
        raise SyntaxInputError(display_path(path), None, None,
                               "a stored question's file name must be a slug (lower-case words joined by hyphens)")
    summary = data.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        raise header.error("the header needs a one-line summary (the question in words)", "summary")
    description = data.get("description") or ""
    if not isinstance(description, str):
        raise header.error("description must be text", "description")
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise header.error("tags must be a list of words", "tags")
    reasoning = data.get("reasoning")
    if reasoning is not None and reasoning not in REASONING:
        raise header.error(f"reasoning must be one of {', '.join(REASONING)}, not {reasoning!r}", "reasoning")
    rows_required = data.get("rows_required", False)
    if not isinstance(rows_required, bool):
        raise header.error("rows_required must be true or false", "rows_required")
    params = _parse_params(header, data.get("params"), name)
    question = Question(name, path, text, " ".join(summary.split()), " ".join(description.split()),
                        tuple(t.strip().lower() for t in tags), params, reasoning, rows_required, count)
    if not check_query:
        return question
    try:
        shape = question.shape
    except RtopkgError as exc:  # refused or unreadable: say where, as for any syntax error in the file
        found = re.search(r"at line (\d+), column (\d+): ", exc.message)
        reason = exc.message.split(": ", 1)[1] if exc.message.startswith(question.label) else exc.message
        raise SyntaxInputError(display_path(path), int(found.group(1)) if found else None,
                               int(found.group(2)) if found else None, reason) from None
    for spec in params:
        if spec.name not in shape.variables:
            raise header.error(f"parameter '{spec.name}' is not a variable of the query (?{spec.name})", "params")
        if shape.projection is not None and spec.name not in shape.projection:
            raise header.error(f"parameter '{spec.name}' must be selected (SELECT ... ?{spec.name} ...) so that "
                               "every engine binds it the same way", "params")
    return question


def parse_query_file(path: str | Path) -> Question:
    """An ad hoc query file (``rtopkg query --file``): a header is optional; without one, parameters are untyped."""
    return parse_question(path, require_header=False)


def load_catalogue(folder: Path | None = None, *, check_queries: bool = True) -> list[Question]:
    """Every stored question, sorted by name; the first bad file raises its ``file:line`` error.

    ``check_queries=False`` reads the headers only (see :func:`parse_question`), through a cache of parsed
    headers keyed by each file's SHA-256 (and this parser's own source), so that ``rtopkg ask`` does not parse
    YAML for files it has seen before; a changed file is parsed again, so the cache cannot be stale.
    """
    paths = question_paths(folder)
    if check_queries:
        return [parse_question(path) for path in paths]
    return _headers_cached(paths)


def _headers_cached(paths: list[Path]) -> list[Question]:
    import hashlib
    import json
    import os

    from .store import cache_dir

    folder = cache_dir()
    here = Path(__file__).resolve().parent
    salt = hashlib.sha256(b"".join((here / name).read_bytes() for name in ("catalogue.py", "params.py"))).hexdigest()
    cache_file = folder / f"headers-{salt[:24]}.json" if folder is not None else None
    cached: dict = {}
    if cache_file is not None and cache_file.is_file():
        try:
            cached = json.loads(cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            cached = {}
    out, fresh, changed = [], {}, False
    for path in paths:
        raw = path.read_bytes()
        key = hashlib.sha256(path.name.encode("utf-8") + b"\0" + raw).hexdigest()
        entry = cached.get(key)
        if entry is None:
            question = parse_question(path, check_query=False)
            entry = {"summary": question.summary, "description": question.description, "tags": list(question.tags),
                     "reasoning": question.reasoning, "rows_required": question.rows_required,
                     "header_lines": question.header_lines,
                     "params": [[p.name, p.type, p.default, p.example, p.description, p.prefix, p.lang, p.optional]
                                for p in question.params or ()]}
            changed = True
        fresh[key] = entry
        out.append(Question(path.stem, path, raw.decode("utf-8"), entry["summary"], entry["description"],
                            tuple(entry["tags"]), tuple(ParamSpec(*p) for p in entry["params"]), entry["reasoning"],
                            entry["rows_required"], entry["header_lines"]))
    if changed and cache_file is not None:
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            work = cache_file.with_name(f".{cache_file.name}.{os.getpid()}")
            work.write_text(json.dumps(fresh, ensure_ascii=False), encoding="utf-8")
            work.replace(cache_file)
            for old in cache_file.parent.glob("headers-*.json"):
                if old != cache_file:
                    old.unlink(missing_ok=True)
        except OSError:
            pass
    return out


def find_question(name: str, folder: Path | None = None) -> Question:
    """The stored question called ``name``; :class:`~rtopkg.errors.UnknownQueryError` names close matches."""
    folder = folder or catalogue_dir()
    if NAME.match(name):
        path = folder / f"{name}.rq"
        if path.is_file():
            return parse_question(path)
    names = [p.stem for p in question_paths(folder)]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; 'rtopkg queries' lists them"
    raise UnknownQueryError(f"no stored question named {name!r}{hint}")


def summaries(questions: Iterable[Question]) -> list[tuple[str, str, str]]:
    """``(name, summary, parameters)`` rows for listings."""
    return [(q.name, q.summary, " ".join(spec.describe() for spec in q.params or ())) for q in questions]
