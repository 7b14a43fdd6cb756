"""``rtopkg export``: the graph in every RDF format, with a DCAT-AP catalogue for portals."""

from __future__ import annotations

import click

FORMAT_NAMES = ["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml", "all"]


@click.command(name="export")
@click.option("--format", "formats", multiple=True, default=("all",), show_default=True,
              help="turtle|ntriples|nquads|trig|jsonld|rdfxml|all; repeat the option or separate with commas.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Folder to write the files into (created if missing).")
@click.option("--base-url", default="https://w3id.org/rtopkg/dumps/", show_default=True,
              help="Where the files will be downloadable from (the catalogue's download URLs).")
@click.option("--sparql-endpoint", default=None, metavar="URL",
              help="A public SPARQL endpoint serving the graph (adds a dcat:DataService and void:sparqlEndpoint).")
@click.option("--issued", default=None, metavar="YYYY-MM-DD",
              help="Release date (default: the ontology's dcterms:created).")
@click.option("--modified", default=None, metavar="YYYY-MM-DD",
              help="Last-modified date (default: the newest dcterms:created/modified/issued/date of the graph).")
@click.option("--contact-email", default=None, metavar="ADDRESS", help="E-mail of the catalogue's contact point.")
@click.option("--no-catalog", is_flag=True, help="Write the RDF files only, no catalog.ttl or dataset.jsonld.")
def command(formats: tuple[str, ...], out: str, base_url: str, sparql_endpoint: str | None, issued: str | None,
            modified: str | None, contact_email: str | None, no_catalog: bool) -> None:
    """Export the project's ontology and data to RDF files, deterministically (same graph, same bytes).

    Turtle, N-Triples, JSON-LD and RDF/XML hold the whole graph; TriG and N-Quads hold it as three named graphs
    (https://w3id.org/rtopkg/graph/ontology, .../data, .../provenance). Beside them, catalog.ttl (DCAT-AP 3 with
    VoID statistics, checksums and download URLs) and dataset.jsonld (schema.org Dataset).

    Example: rtopkg export --format all --out dist/
    """
    from ..catalog import CatalogOptions
    from ..export import export, parse_formats
    from ..paths import display_path

    chosen = parse_formats(name for raw in formats for name in raw.split(",") if name.strip())
    options = CatalogOptions(base_url=base_url, sparql_endpoint=sparql_endpoint, issued=issued, modified=modified,
                             contact_email=contact_email)
    options.check()
    result = export(out, chosen, base_url=options.base_url, sparql_endpoint=sparql_endpoint, issued=issued,
                    modified=modified, catalog=not no_catalog, contact_email=contact_email)
    graphs = ", ".join(f"{name.rsplit('/', 1)[1]} {len(triples)}" for name, triples in result.dataset.graphs.items())
    click.echo(f"graph: {len(result.dataset)} triples ({graphs}), loaded in {result.load_seconds:.2f} s")
    for f in result.files:
        unit = "quads" if f.format.named_graphs else "triples"
        click.echo(f"wrote {display_path(f.path)}: {f.size:,} bytes, {f.triples:,} {unit}, {f.seconds:.2f} s, "
                   f"sha256 {f.sha256[:16]}")
    for f in result.catalog:
        click.echo(f"wrote {display_path(f.path)}: {f.size:,} bytes, {f.seconds:.2f} s")
