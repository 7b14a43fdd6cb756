"""``rtopkg validate``: SHACL validation of the project's graph, or of any RDF files, fit for CI."""

from __future__ import annotations

import click

from ..limits import default_seconds
from ..shaclreport import FORMATS, render
from ..validate import ENGINES, FAIL_ON, INFERENCE, validate

EPILOG = """\b
Exit codes:
  0  conforms: no result at or above the --fail-on severity (infos never fail)
  1  does not conform: violations (or, with --fail-on warning, warnings)
  2  usage or input error: missing, unreadable or malformed file (file:line:col: message),
     unusable shapes, SPARQL in the shapes that could reach the network
  3  the wall-clock limit (--timeout) was hit

\b
Examples:
  rtopkg validate                                  # the project's ontology and data, its shapes
  rtopkg validate data/events.ttl                  # one file (with the project's ontology mixed in)
  rtopkg validate my.ttl --shapes my-shapes.ttl    # your data, your shapes
  rtopkg validate --format github --fail-on warning
"""


@click.command(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=True, path_type=str))
@click.option("--shapes", "shapes", multiple=True, metavar="PATH",
              help="Shapes file or folder (repeatable). Default: the project's shapes/.")
@click.option("--ontology", "ontology", multiple=True, metavar="PATH",
              help="Ontology mixed into the data graph so that sh:class and sh:targetClass see the class "
                   "hierarchy (repeatable). Default: the project's ontology/ with the project's shapes, none "
                   "with --shapes.")
@click.option("--no-ontology", is_flag=True, help="Mix no ontology into the data graph.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people; turtle: the standard sh:ValidationReport; json; github: workflow annotations.")
@click.option("--inference", type=click.Choice(INFERENCE), default="none", show_default=True,
              help="Inference applied to a copy of the data graph before validating.")
@click.option("--fail-on", "fail_on", type=click.Choice(FAIL_ON), default="violation", show_default=True,
              help="The least severe result that makes the exit code 1.")
@click.option("--engine", type=click.Choice(sorted(ENGINES)), default="pyshacl", show_default=True,
              help="The SHACL engine.")
@click.option("--meta-shacl", is_flag=True, help="First check the shapes against SHACL-for-SHACL.")
@click.option("--timeout", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help=f"Wall-clock limit; 0 for none. Default: RTOPKG_TIMEOUT or {default_seconds():g}.")
@click.option("--allow-imports", is_flag=True,
              help="Fetch the owl:imports of the data or shapes that are not loaded beside them (refused otherwise).")
@click.option("--ignore-imports", is_flag=True,
              help="Validate as if the owl:imports were not there: nothing is fetched or refused.")
def command(paths, shapes, ontology, no_ontology, fmt, inference, fail_on, engine, meta_shacl, timeout,
            allow_imports, ignore_imports) -> int:
    """Validate RDF files against SHACL shapes.

    With no PATHS, validates the project's ontology and data against the project's shapes. PATHS may name other
    RDF files or folders (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML), validated against the project's
    shapes or against your own (--shapes). Each result names the file and line where its focus node's block
    starts. Nothing is fetched: an owl:imports whose target is not loaded beside it is refused (unless
    --allow-imports or --ignore-imports), and SPARQL that could reach the network is refused.
    """
    if allow_imports and ignore_imports:
        raise click.UsageError("--allow-imports and --ignore-imports exclude each other")
    if no_ontology and ontology:
        raise click.UsageError("--ontology and --no-ontology exclude each other")
    result = validate(
        list(paths) if paths else None,
        list(shapes) if shapes else None,
        inference,
        engine=engine,
        ontology_paths=list(ontology) if ontology else None,
        use_ontology=False if no_ontology else None,
        meta_shacl=meta_shacl,
        timeout=timeout,
        allow_imports=allow_imports,
        ignore_imports=ignore_imports,
    )
    click.echo(render(result, fmt, fail_on), nl=False)
    return result.exit_code(fail_on)

