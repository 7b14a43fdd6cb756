"""``rtopkg query``: run a stored question (by name) or an ad hoc query (``--file``, ``--sparql``).

The options shared with ``rtopkg ask`` (engine, format, reasoning, limit) are defined here as
:func:`run_options`, and :func:`answer` runs a question and writes its answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import click

from ..errors import InputError, NegativeResult

FORMAT_CHOICES = ["table", "csv", "tsv", "json", "md"]


def run_options(func: Callable) -> Callable:
    """The options of every command that answers a question."""
    options = [
        click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
                     help="A parameter value (repeatable), e.g. -p organisation=oas."),
        click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="table", show_default=True,
                     help="table (aligned, labels beside IRIs), csv, tsv or json (SPARQL 1.1 results), md."),
        click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True,
                     help="The embedded engine: Oxigraph (fast) or rdflib (the reference)."),
        click.option("--endpoint", metavar="URL", help="Ask a remote SPARQL 1.1 endpoint instead; credentials from "
                     "RTOPKG_ENDPOINT_USER/RTOPKG_ENDPOINT_PASSWORD or RTOPKG_ENDPOINT_TOKEN."),
        click.option("--store", "store", metavar="PATH", type=click.Path(path_type=Path),
                     help="Use the on-disk Oxigraph store made by 'rtopkg store load' (refused when stale)."),
        click.option("--data", "data", multiple=True, type=click.Path(exists=True, path_type=Path),
                     help="Query these RDF files (or folders) instead of the project's graph (repeatable)."),
        click.option("--reason", type=click.Choice(["none", "rules", "rdfs", "owlrl"]), default=None,
                     help="Materialise a closure first (on a copy). Default: what the question declares, else none."),
        click.option("--timeout", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
                     help="Wall-clock limit of the query (default RTOPKG_TIMEOUT or 120; 0 = none)."),
        click.option("--allow-network", is_flag=True, help="Allow SERVICE (and FROM with --engine rdflib) to "
                     "http(s) IRIs; refused otherwise."),
        click.option("--no-labels", is_flag=True, help="Do not look up labels for the table and md formats."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _write(text: str) -> None:
    """Write UTF-8 bytes whatever the locale (click sends bytes to the binary stdout as they are)."""
    click.echo(text.encode("utf-8"), nl=False)


def note(message: str) -> None:
    click.echo(f"rtopkg: {message}", err=True)


def open_chosen(engine: str, endpoint: str | None, store: Path | None, data: tuple[Path, ...],
                allow_network: bool, **_: Any) -> Any:
    """The engine the options name."""
    from ..engines import open_engine

    return open_engine(engine, endpoint=endpoint, store=store, data=list(data), allow_network=allow_network)


def answer(question: Any, params: tuple[str, ...], fmt: str, engine: str, endpoint: str | None, store: Path | None,
           data: tuple[Path, ...], reason: str | None, timeout: float | None, allow_network: bool,
           no_labels: bool, *, chosen: Any = None, found: dict[str, str] | None = None) -> int:
    """Run ``question`` with the options given and write its answer; return the exit code.

    ``chosen`` is an engine already open; ``found`` holds parameter values found otherwise (by ``rtopkg ask``),
    which ``-p`` values override.
    """
    from ..engines import run_question
    from ..params import parse_assignments
    from ..results import render

    given = {**(found or {}), **parse_assignments(params, where=question.label)}
    if question.params is not None:
        from ..params import bind_parameters

        bind_parameters(question.params, given, where=question.label)  # check values before loading anything
    if chosen is None:
        chosen = open_chosen(engine, endpoint, store, data, allow_network)
    result = run_question(question, given, chosen, reason=reason, timeout=timeout)
    for message in result.notes:
        note(f"note: {message}")
    labels = {}
    if fmt in ("table", "md") and not no_labels and result.rows:
        iris = result.iris()
        if iris:
            labels = chosen.labels(iris, timeout=timeout)
    _write(render(result, fmt, labels))
    if result.boolean is None and not result.rows:
        asked = ", ".join(f"{k}={v}" for k, v in given.items())
        if question.rows_required and not asked:
            raise NegativeResult(f"{question.label} returned no rows; it should always have some")
        if question.rows_required:
            raise NegativeResult(f"{question.label} returned no rows for {asked}")
        note(f"{question.label}: no rows")
    return 0


@click.command(name="query")
@click.argument("name", required=False)
@click.option("--file", "file_", type=click.Path(dir_okay=False, path_type=Path),
              help="Run the SPARQL query in this file (a '#+' header with typed parameters is optional).")
@click.option("--sparql", metavar="TEXT", help="Run this SPARQL query text.")
@run_options
def command(name: str | None, file_: Path | None, sparql: str | None, **options: Any) -> int:
    """Run the stored question NAME (see 'rtopkg queries'), or an ad hoc query with --file or --sparql.

    \b
    Examples:
      rtopkg query pillars
      rtopkg query oas-preventive-mandates -p organisation=oas --format md
      rtopkg query --sparql 'SELECT ?type ?s WHERE { ?s a ?type }' -p type=rto:Organ
      rtopkg query pillars --endpoint http://127.0.0.1:7878/query

    Exit codes: 0 an answer; 1 no rows where the question requires rows; 2 usage or input error (a bad
    parameter, an unknown question, a refused SERVICE/FROM, an endpoint failure); 3 the time limit was hit.
    """
    from ..catalogue import Question, find_question, parse_query_file

    given = sum(x is not None for x in (name, file_, sparql))
    if given != 1:
        raise click.UsageError("give exactly one of NAME, --file or --sparql")
    if name is not None:
        question = find_question(name)
    elif file_ is not None:
        if not file_.is_file():
            raise InputError(f"--file {file_}: no such file")
        question = parse_query_file(file_)
    else:
        question = Question("ad hoc", None, sparql or "", params=None)
    return answer(question, **options)
