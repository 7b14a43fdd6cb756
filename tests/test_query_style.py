"""Style rules of the stored questions that keep them fast on large graphs (measured in benchmarks/).

Oxigraph evaluates a group's patterns in order around an OPTIONAL: a required pattern written after an OPTIONAL
is joined with the left join's result instead of narrowing it first, which took one question from 0.1 s to
288 s on a graph of a million triples. So in every group the OPTIONALs come after the required patterns.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = sorted((ROOT / "queries").glob("*.rq")) + sorted((ROOT / "queries" / "checks").glob("*.rq"))


def required_after_optional(text: str) -> list[str]:
    """The triple-pattern lines that follow an OPTIONAL of the same group (by indentation)."""
    found: list[str] = []
    optional_at: int | None = None
    for line in text.splitlines():
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if stripped.startswith("OPTIONAL"):
            optional_at = indent
        elif optional_at is not None and indent < optional_at:
            optional_at = None
        elif optional_at is not None and indent == optional_at and stripped.startswith("?"):
            found.append(stripped)
    return found


def test_the_rule_finds_a_required_pattern_after_an_optional():
    bad = "SELECT * WHERE {\n  ?a ?b ?c .\n  OPTIONAL { ?a ?d ?e }\n  ?c ?f ?g .\n}\n"
    good = "SELECT * WHERE {\n  ?a ?b ?c .\n  ?c ?f ?g .\n  OPTIONAL { ?a ?d ?e }\n}\n"
    assert required_after_optional(bad) == ["?c ?f ?g ."]
    assert required_after_optional(good) == []


def test_the_questions_are_there():
    assert len(QUESTIONS) >= 38


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in QUESTIONS])
def test_optionals_come_last_in_their_group(path):
    assert required_after_optional(path.read_text(encoding="utf-8")) == []
