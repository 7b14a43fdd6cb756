"""``rtopkg publish``: load the graph into a remote triple store, atomically, and check it arrived."""

from __future__ import annotations

import click


@click.command(name="publish")
@click.option("--endpoint", required=True, metavar="URL", help="The store's SPARQL query endpoint (used to check).")
@click.option("--graph", "graph", required=True, metavar="IRI", help="The named graph to replace.")
@click.option("--gsp", default=None, metavar="URL",
              help="The store's Graph Store protocol endpoint (e.g. http://host:7878/store, "
                   "http://host:8890/sparql-graph-crud-auth); without it the graph is sent as INSERT DATA.")
@click.option("--update", default=None, metavar="URL",
              help="The store's SPARQL Update endpoint (default: --endpoint).")
@click.option("--timeout", default=60.0, show_default=True, type=float, help="Seconds to wait for each request.")
@click.option("--sample", default=10, show_default=True, type=click.IntRange(0, 1000),
              help="Resources compared triple by triple after publishing.")
@click.option("--chunk", default=None, type=int, metavar="N",
              help="Triples per request (default 50000 with --gsp, 500 with SPARQL Update).")
@click.option("--reason", type=click.Choice(["none", "rules"]), default="none", show_default=True,
              help="Publish the graph with its rules closure, for stores that do not reason (the stored "
                   "questions that declare 'reasoning: rules' then answer remotely as they do locally).")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
def command(endpoint: str, graph: str, gsp: str | None, update: str | None, timeout: float, sample: int,
            chunk: int | None, reason: str, paths: tuple[str, ...]) -> None:
    """Replace a named graph of a remote store with the project's graph (or with PATHS), atomically: the data
    goes into a staging graph, its size is checked, then one SPARQL Update MOVEs it into place. A failure before
    that leaves the graph as it was. Afterwards the remote triple count and a sample of resources are compared
    with the local graph.

    Credentials, when the store needs them, come from RTOPKG_PUBLISH_USER and RTOPKG_PUBLISH_PASSWORD.

    Example: rtopkg publish --endpoint http://127.0.0.1:7878/query --update http://127.0.0.1:7878/update
    --gsp http://127.0.0.1:7878/store --graph https://w3id.org/rtopkg/graph
    """
    from ..publish import Target, publish, with_closure

    target = Target.from_env(endpoint, graph, gsp=gsp, update=update, timeout=timeout)
    target.check()
    if paths:
        from ..load import expand_paths, parse_file

        triples = [(q.subject, q.predicate, q.object) for p in expand_paths(paths) for q in parse_file(p).quads]
    else:
        from ..export import load_dataset

        triples = load_dataset().union
    if reason == "rules":
        triples = with_closure(triples)
    report = publish(triples, target, sample=sample, chunk_size=chunk)
    for line in report.lines():
        click.echo(line)
