"""``rtopkg ask "question in words"``: pick the best-matching stored question, say which, and run it."""

from __future__ import annotations

from typing import Any

import click

from ..errors import NegativeResult, RtopkgError
from .query import answer, note, open_chosen, run_options


def _mentions(text: str, questions: list, engine: Any, timeout: float | None) -> list:
    """The resources the words name, among the kinds the stored questions take as parameters."""
    from ..ask import find_mentions, label_candidates_query
    from ..prefixes import PREFIXES

    prefixes = sorted({spec.prefix for q in questions for spec in q.params or () if spec.type == "iri" and spec.prefix})
    namespaces = {p: PREFIXES[p] for p in prefixes if p in PREFIXES}
    if not namespaces:
        return []
    # one scan of the label triples: bounded by the data, so run in process on the local engines
    rows = engine.query(label_candidates_query(namespaces), timeout=0 if engine.local else timeout,
                        what="the look-up of names").rows
    from ..terms import from_nt

    candidates = []
    for subject, label in rows:
        iri = subject[1:-1]
        prefix = next((p for p, ns in namespaces.items() if iri.startswith(ns)), None)
        if prefix is not None:
            candidates.append((prefix, iri, from_nt(label).value))
    return find_mentions(text, sorted(candidates))


@click.command(name="ask")
@click.argument("words", nargs=-1, required=True)
@click.option("--list", "list_only", is_flag=True, help="Only show how the stored questions rank; run nothing.")
@run_options
def command(words: tuple[str, ...], list_only: bool, **options: Any) -> int:
    """Answer a question in words with the stored question that matches it best.

    \b
    Examples:
      rtopkg ask "which OAS bodies have preventive mandates"
      rtopkg ask "in which events was the Stanley Foundation involved"

    The match is transparent: words (with R2P/RtoP, OAS and other synonyms, and light stemming) weighted by
    rarity; a question is picked when at least half of the weighted words match. A resource the words name
    (an actor, a class) fills the question's parameter of that kind. With no good match the nearest
    questions are listed and the exit code is 1.
    """
    from ..ask import THRESHOLD, best
    from ..catalogue import load_catalogue, parse_question

    text = " ".join(words)
    questions = load_catalogue(check_queries=False)  # headers only; the question picked is read in full below
    chosen = open_chosen(**options)
    mentions = _mentions(text, questions, chosen, options.get("timeout"))
    picked, ranking = best(text, questions, mentions=mentions)
    if list_only:
        lines = [f"{m.match:4.2f}  {m.name}  {getattr(m.question, 'summary', '')}"
                 + (f"  [{', '.join(f'{k}={v}' for k, v in m.bindings.items())}]" if m.bindings else "")
                 for m in ranking[:10]]
        click.echo("\n".join(["match name / summary", *lines]))
        return 0
    if picked is None:
        nearest = [m for m in ranking if m.score > 0][:5] or ranking[:5]
        click.echo("Nearest stored questions:")
        for match in nearest:
            click.echo(f"  {match.name:32s} {match.match:4.2f}  {getattr(match.question, 'summary', '')}")
        raise NegativeResult(f"no stored question matches {text!r} well enough (best match "
                             f"{ranking[0].match if ranking else 0:.2f} < {THRESHOLD}); run one with 'rtopkg query NAME'")
    question = picked.question
    try:
        question.shape  # the query itself is checked now, for the question picked only
    except RtopkgError:
        parse_question(question.path)  # raises the error with its file:line
        raise
    from ..prefixes import shorten

    asked = "".join(f", {name}={shorten(iri)}" for name, iri in picked.bindings.items())
    note(f"answering with '{picked.name}'{asked}: {question.summary} (match {picked.match:.2f} on "
         f"{', '.join(picked.found)})")
    found = {name: f"<{iri}>" for name, iri in picked.bindings.items()}
    return answer(question, chosen=chosen, found=found, **options)
