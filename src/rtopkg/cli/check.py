"""``rtopkg check``: quotes against the source, and the stored checks of queries/checks/."""

from __future__ import annotations

import click

from ..checks import render_checks, run_checks
from ..limits import default_seconds

EPILOG = """\b
Exit codes:
  0  every check passes
  1  a check fails: a quote that is not verbatim, or a row of a queries/checks/*-violation.rq
  2  usage or input error (missing or malformed file, a check that is not a SELECT)
  3  the wall-clock limit (--timeout) was hit
"""


@click.command(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--no-quotes", is_flag=True, help="Skip the check of quotes against the source.")
@click.option("--timeout", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help=f"Wall-clock limit; 0 for none. Default: RTOPKG_TIMEOUT or {default_seconds():g}.")
def command(paths, fmt, no_quotes, timeout) -> int:
    """Run the data-quality checks SHACL cannot express.

    Checks every rto:Quote against the project's copy of its source (verbatim, on its line), and runs every
    queries/checks/*-violation.rq on the graph: each row such a query returns is a failure. With no PATHS the
    graph is the project's ontology and data.
    """
    report = run_checks(list(paths) if paths else None, quotes=not no_quotes, timeout=timeout)
    click.echo(render_checks(report, fmt), nl=False)
    return report.exit_code
