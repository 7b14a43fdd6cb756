"""``rtopkg serve``: the graph on a local, read-only SPARQL endpoint (Oxigraph's server behind the query guard)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command(name="serve")
@click.argument("files", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="The TCP port to listen on (0 picks a free one).")
@click.option("--bind", "host", default="127.0.0.1", show_default=True, metavar="ADDRESS",
              help="The address to listen on; another than loopback opens the endpoint to the network.")
@click.option("--store", "store", metavar="PATH", type=click.Path(path_type=Path),
              help="Serve the on-disk store made by 'rtopkg store load' (refused when stale).")
@click.option("--timeout", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="Wall-clock limit of each query (default RTOPKG_TIMEOUT or 120; 0 = none).")
def command(files: tuple[Path, ...], port: int, host: str, store: Path | None, timeout: float | None) -> int:
    """Serve the project's graph (or FILES) read-only at http://ADDRESS:PORT/query until Ctrl-C.

    The default graph holds exactly what was loaded into it (named graphs of TriG/N-Quads files stay apart);
    SERVICE, FROM/FROM NAMED, updates and dataset parameters are refused with HTTP 403. Needs the extra
    rtopkg[server] (the 'oxigraph' command).

    \b
    Examples:
      rtopkg serve
      rtopkg serve --port 8000 data/events.ttl ontology/
      rtopkg query pillars --endpoint http://127.0.0.1:7878/query
    """
    import signal

    from ..serve import serving

    def stop(*_: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops like Ctrl-C: the Oxigraph server and the temporary store go too

    signal.signal(signal.SIGTERM, stop)
    with serving(list(files) or None, store=store, host=host, port=port, timeout=timeout) as running:
        click.echo(f"rtopkg: serving {running.quads} quads ({running.named_graphs} named graphs) read-only at "
                   f"{running.url} (Ctrl-C stops)", err=True)
        try:
            running.wait()
        except KeyboardInterrupt:
            pass
    return 0
