"""``rtopkg queries``: list the stored questions with their summaries and parameters."""

from __future__ import annotations

import json

import click


@click.command(name="queries")
@click.option("--tag", "tags", multiple=True, help="Only questions with this tag (repeatable: all must match).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "md"]), default="table", show_default=True)
def command(tags: tuple[str, ...], fmt: str) -> int:
    """List the stored questions: name, summary and parameters (name:type=default; '?' = optional).

    Run one with 'rtopkg query NAME -p name=value', or ask in words with 'rtopkg ask'.
    """
    from ..catalogue import load_catalogue

    questions = [q for q in load_catalogue() if all(t.lower() in q.tags for t in tags)]
    if fmt == "json":
        doc = [{
            "name": q.name,
            "summary": q.summary,
            "description": q.description,
            "tags": list(q.tags),
            "reasoning": q.reasoning,
            "params": [{"name": p.name, "type": p.type, "default": p.default, "example": p.example,
                        "optional": p.optional, "description": p.description} for p in q.params or ()],
        } for q in questions]
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    rows = [(q.name, q.summary, " ".join(p.describe() for p in q.params or ())) for q in questions]
    if fmt == "md":
        click.echo("| name | summary | parameters |\n|---|---|---|")
        for name, summary, params in rows:
            cells = [c.replace("|", "\\|") for c in (f"`{name}`", summary, f"`{params}`" if params else "")]
            click.echo("| " + " | ".join(cells) + " |")
        return 0
    width = max([len("NAME"), *(len(r[0]) for r in rows)])
    click.echo(f"{'NAME':{width}}  SUMMARY  [PARAMETERS]")
    for name, summary, params in rows:
        click.echo(f"{name:{width}}  {summary}" + (f"  [{params}]" if params else ""))
    click.echo(f"({len(rows)} question{'s' if len(rows) != 1 else ''})")
    return 0
