"""``rtopkg store load|info``: a persistent on-disk Oxigraph store of the graph, for large graphs."""

from __future__ import annotations

import json
from pathlib import Path

import click

_STORE = click.option("--store", "store", required=True, metavar="PATH", type=click.Path(path_type=Path),
                      help="The store's folder.")


@click.group(name="store")
def command() -> None:
    """Load the graph into a persistent on-disk Oxigraph store, and inspect it.

    \b
    rtopkg store load --store PATH [FILES...]   load the project's graph (or FILES), replacing the old store
    rtopkg store info --store PATH              what it holds, and whether its files changed since
    rtopkg query NAME --store PATH              answer from the store (refused when it is stale)
    """


@command.command(name="load")
@_STORE
@click.argument("files", nargs=-1, type=click.Path(exists=True, path_type=Path))
def load(store: Path, files: tuple[Path, ...]) -> int:
    """Load the project's graph, or FILES, into the store at PATH (all or nothing)."""
    from ..store import build_store

    info = build_store(store, list(files) or None)
    click.echo(f"loaded {info.quads} quads from {len(info.files)} files into {store} "
               f"(digest {info.digest[:12]})")
    return 0


@command.command(name="info")
@_STORE
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def info(store: Path, fmt: str) -> int:
    """Say what the store holds and whether it is stale (exit 1 when stale)."""
    from ..errors import NegativeResult
    from ..store import store_info

    found = store_info(store)
    if fmt == "json":
        click.echo(json.dumps(found.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(f"store:   {found.path}")
        click.echo(f"holds:   {found.quads} quads, {found.named_graphs} named graphs")
        click.echo(f"from:    {'the project graph' if found.project else 'given files'} "
                   f"({len(found.files)} files, digest {found.digest[:12]})")
        for entry in found.files:
            click.echo(f"         {entry['path']}  {entry['bytes']} bytes  sha256 {entry['sha256'][:12]}")
        click.echo(f"status:  {'fresh' if found.fresh else 'STALE: ' + '; '.join(found.problems)}")
    if not found.fresh:
        raise NegativeResult(f"store {store} is stale; reload it with: rtopkg store load --store {store}")
    return 0
