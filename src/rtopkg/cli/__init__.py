"""The ``rtopkg`` command line: it only wires the library's functions to commands.

Each command lives in its own module ``rtopkg.cli.<name>`` exposing a click command called ``command``; the
group imports a command's module only when that command runs, so ``rtopkg ask`` does not pay for rdflib or
pyshacl.

Exit codes: 0 success; 1 a negative answer (violations, no rows, no match); 2 usage or input error;
3 a time or size limit was hit; 4 an internal error (a bug: please report it).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

import click

from .. import __version__
from ..errors import RtopkgError, one_line

__all__ = ["main", "cli", "COMMANDS", "run_safely"]

#: name -> (module, one-line help). The order is the order of ``rtopkg --help``.
COMMANDS: dict[str, tuple[str, str]] = {
    "ask": ("rtopkg.cli.ask", "Answer a question in words with the best-matching stored question."),
    "queries": ("rtopkg.cli.queries", "List the stored questions with their parameters."),
    "query": ("rtopkg.cli.query", "Run a stored question or an ad hoc SPARQL query."),
    "validate": ("rtopkg.cli.validate", "Validate RDF files against the SHACL shapes."),
    "check": ("rtopkg.cli.check", "Run the data-quality checks: quotes against the source, queries/checks."),
    "stats": ("rtopkg.cli.stats", "Print coverage statistics of the graph."),
    "reason": ("rtopkg.cli.reason", "Materialise inferences, or check OWL consistency with HermiT."),
    "export": ("rtopkg.cli.export", "Export the graph to RDF formats with a DCAT-AP catalogue."),
    "fmt": ("rtopkg.cli.fmt", "Rewrite Turtle files in the canonical layout, or check they are."),
    "publish": ("rtopkg.cli.publish", "Publish the graph into a remote triple store, atomically."),
    "store": ("rtopkg.cli.store", "Load the graph into a persistent on-disk Oxigraph store."),
    "serve": ("rtopkg.cli.serve", "Serve the graph on a local SPARQL endpoint (Oxigraph)."),
}

HINT = 'Try: rtopkg ask "which OAS bodies have preventive mandates"'


class LazyGroup(click.Group):
    """A group whose commands are imported on first use, and whose errors are one line with an exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, (module, _) in COMMANDS.items() if importlib.util.find_spec(module) is not None]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entry = COMMANDS.get(name)
        if entry is None or importlib.util.find_spec(entry[0]) is None:
            return None
        return importlib.import_module(entry[0]).command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[override]
        """Run the command line and map every outcome to a documented exit code and at most one error line."""
        code = run_safely(lambda: super(LazyGroup, self).main(
            args, prog_name or "rtopkg", complete_var, standalone_mode=False, **extra))
        if standalone_mode:
            sys.exit(code)
        return code


def run_safely(call) -> int:
    """Call ``call()`` (a click main in non-standalone mode) and turn its outcome into an exit code."""
    try:
        result = call()
    except click.UsageError as exc:
        where = f"rtopkg {exc.ctx.command_path.split(' ', 1)[1]}" if exc.ctx and " " in exc.ctx.command_path else "rtopkg"
        click.echo(f"{where}: {one_line(exc.format_message())} (see '{where} --help')", err=True)
        return 2
    except click.ClickException as exc:
        click.echo(f"rtopkg: {one_line(exc.format_message())}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("rtopkg: aborted", err=True)
        return 130
    except RtopkgError as exc:
        click.echo(f"rtopkg: {exc.message}", err=True)
        return exc.exit_code
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - a bug: one line, unless asked for the traceback
        if os.environ.get("RTOPKG_DEBUG"):
            raise
        click.echo(f"rtopkg: internal error: {type(exc).__name__}: {one_line(exc)} "
                   "(rerun with RTOPKG_DEBUG=1 for the traceback, and please report it)", err=True)
        return 4
    return result if isinstance(result, int) else 0


@click.group(name="rtopkg", cls=LazyGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]},
             epilog="Exit codes: 0 ok; 1 violations, no rows or no match; 2 usage or input error; "
                    "3 time or size limit hit; 4 internal error.\n\n" + HINT)
@click.version_option(__version__, "--version", "-V", prog_name="rtopkg", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """rtopkg: the Responsibility to Protect in the Americas, as a knowledge graph you can question.

    Every answer comes with the verbatim quote of the source that supports it.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


def main(argv: list[str] | None = None) -> None:
    """The ``rtopkg`` console script: run and exit with the exit code."""
    cli.main(args=argv, prog_name="rtopkg")
