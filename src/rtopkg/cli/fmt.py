"""``rtopkg fmt``: rewrite Turtle files in the canonical layout, or check that they are."""

from __future__ import annotations

import click


@click.command(name="fmt")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--check", is_flag=True, help="Change nothing; list the files that would change and exit 1 if any.")
def command(paths: tuple[str, ...], check: bool) -> int:
    """Rewrite Turtle files in one canonical, readable layout: the prefixes used, then one block per subject,
    sorted, rdf:type first; comments kept (see docs/export.md). The graph never changes: each result is checked
    against the original before the file is replaced.

    PATHS default to the project's data/, ontology/ and shapes/ folders. Exit 0 when every file is (now)
    canonical, 1 with --check when some would change, 2 when a file does not parse (file:line:col).

    Example: rtopkg fmt --check data/ ontology/ shapes/
    """
    from ..fmt import fmt_paths
    from ..paths import display_path, project

    if not paths:
        proj = project()
        paths = tuple(str(p) for p in (proj.data_dir, proj.ontology_dir, proj.shapes_dir) if p.is_dir())
    report = fmt_paths(paths, check=check)
    for path in report.changed:
        click.echo(f"{'would reformat' if check else 'reformatted'} {display_path(path)}")
    if check:
        if report.changed:
            click.echo(f"{len(report.changed)} of {report.total} files would be reformatted "
                       "(run: rtopkg fmt PATHS)", err=True)
            return 1
        click.echo(f"{report.total} files already canonical")
        return 0
    click.echo(f"{len(report.changed)} files reformatted, {len(report.unchanged)} already canonical")
    return 0
