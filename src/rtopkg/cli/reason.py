"""``rtopkg reason``: write the closure of the graph (or only what it adds), or check OWL DL consistency."""

from __future__ import annotations

import time
from pathlib import Path

import click

from ..errors import InputError, NegativeResult
from ..limits import DEFAULT_SECONDS, default_seconds
from ..reason import FORMATS, PROFILES, inferred_triples, serialize_triples

EPILOG = """\b
Profiles:
  rules   the rule set the stored questions need, on Oxigraph (fast): sub-classes, sub-properties,
          inverses, symmetric and transitive properties, domains and ranges (OWL 2 RL rules scm-sco,
          scm-spo, scm-eqc1, scm-eqp1, cax-sco, prp-spo1, prp-inv1, prp-inv2, prp-symp, prp-trp,
          prp-dom, prp-rng)
  rdfs    owlrl's RDFS closure (pure Python: small graphs)
  owlrl   owlrl's full OWL 2 RL closure (pure Python: small graphs)

\b
Exit codes:
  0  written (with --hermit: consistent, no unsatisfiable class)
  1  with --hermit: inconsistent, or some named class is unsatisfiable
  2  usage or input error: malformed file (file:line:col), owl:imports that would need fetching,
     HermiT cannot run (no java, no owlready2)
  3  the wall-clock limit (--timeout) was hit

\b
Examples:
  rtopkg reason --only-inferred                    # what the rules add to the project's graph
  rtopkg reason --profile owlrl --format ntriples --out closure.nt
  rtopkg reason my.ttl --profile rdfs --timeout 30
  rtopkg reason --hermit                           # OWL DL consistency of the project's graph
"""


def _files(paths: tuple[str, ...]) -> list:
    if paths:
        return list(paths)
    from ..paths import project

    return project().graph_files()


def _load_store(paths: tuple[str, ...]):
    """The files' triples in one default graph (named graphs of TriG/N-Quads are merged, as load_graph does)."""
    import pyoxigraph as ox

    from ..load import parse_files

    store = ox.Store()
    for parsed in parse_files(_files(paths)):
        store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in parsed.quads)
    return store


def _hermit(paths: tuple[str, ...], timeout: float | None, allow_imports: bool) -> int:
    from ..load import load_graph, to_rdflib
    from ..owl import hermit_check
    from ..reason import check_imports

    graph = load_graph(_files(paths))
    limit = default_seconds() if timeout is None else timeout
    for q in check_imports(graph, allow_imports=allow_imports, timeout=limit):
        graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    result = hermit_check(graph, timeout=limit if limit > 0 else None)
    if not result.consistent:
        raise NegativeResult(f"HermiT: the graph ({len(graph)} triples) is inconsistent")
    if result.unsatisfiable:
        names = ", ".join(result.unsatisfiable[:10])
        more = f" and {len(result.unsatisfiable) - 10} more" if len(result.unsatisfiable) > 10 else ""
        raise NegativeResult(f"HermiT: {len(result.unsatisfiable)} unsatisfiable classes: {names}{more}")
    click.echo(f"consistent: HermiT finds the graph ({len(graph)} triples) consistent and every named class "
               "satisfiable")
    return 0


@click.command(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=True, path_type=str))
@click.option("--profile", type=click.Choice(PROFILES), default=None,
              help="What to infer (default: rules).")
@click.option("--out", "-o", "out", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="Write to this file (default: standard output).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output syntax (default: turtle). Both are sorted: the same graph gives the same bytes.")
@click.option("--only-inferred", is_flag=True, help="Write only the triples the closure adds.")
@click.option("--timeout", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help=f"Wall-clock limit; 0 for none. Default: RTOPKG_TIMEOUT or {DEFAULT_SECONDS:g}.")
@click.option("--allow-imports", is_flag=True,
              help="Fetch the ontologies that owl:imports names and that are not loaded (refused by default).")
@click.option("--hermit", is_flag=True,
              help="Instead of writing the closure, check OWL DL consistency with HermiT (needs java and owlready2).")
def command(paths, profile, out, fmt, only_inferred, timeout, allow_imports, hermit) -> int:
    """Materialise what the ontology entails, on a copy, and write it.

    With no PATHS, reasons on the project's ontology and data. PATHS may name other RDF files or folders
    (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML). The output is the input plus its closure (or, with
    --only-inferred, only what the closure adds), sorted. A short summary goes to standard error.
    """
    if hermit:
        used = [name for name, value in (("--profile", profile), ("--out", out), ("--format", fmt),
                                         ("--only-inferred", only_inferred)) if value]
        if used:
            raise click.UsageError(f"--hermit checks consistency and writes no graph: drop {', '.join(used)}")
        return _hermit(paths, timeout, allow_imports)
    profile = profile or "rules"
    fmt = fmt or "turtle"
    store = _load_store(paths)
    started = time.monotonic()
    before = len(store)
    added = inferred_triples(store, profile, timeout=timeout, allow_imports=allow_imports, in_place=not only_inferred)
    seconds = time.monotonic() - started
    triples = added if only_inferred else store.quads_for_pattern(None, None, None, None)
    data = serialize_triples(triples, fmt)
    if out is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        try:
            out.write_bytes(data)
        except OSError as exc:
            raise InputError(f"{out}: cannot write ({exc.strerror or exc})") from None
    errors = [t for t in added if t.predicate.value == "http://www.daml.org/2002/03/agents/agent-ont#error"]
    click.echo(f"rtopkg reason: {before} triples in, {len(added)} inferred ({profile} profile, {seconds:.2f} s)"
               + (f" -> {out}" if out else ""), err=True)
    if errors:
        click.echo(f"rtopkg reason: owlrl reported {len(errors)} inconsistencies, first: "
                   f"{' '.join(min(e.object.value for e in errors).split())}", err=True)
    return 0
