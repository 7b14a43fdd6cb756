"""``rtopkg stats``: coverage statistics of the graph."""

from __future__ import annotations

import click


@click.command(name="stats")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=True, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text", show_default=True,
              help="Output format.")
def command(paths: tuple[str, ...], fmt: str) -> None:
    """Print coverage statistics: resources per class, events per date precision, statements with and
    without a quote, claims, quotes and pillar links by basis, mandates by modality.

    PATHS default to the project's ontology and data.

    Example: rtopkg stats --format md
    """
    from ..stats import coverage, format_coverage

    click.echo(format_coverage(coverage(list(paths) or None), fmt), nl=False)
