"""The benchmark command works (a smoke run at a tiny size) and the generator keeps its promises.

No timing is asserted: the figures belong in benchmarks/results/, not in tests. What is checked: the command
writes a Markdown and a JSON table with a row per measured task, numeric medians and ratios; the engines give
the same number of rows for every stored question; a baseline above its size cap shows ``not run`` and a run
past the wall-clock limit shows ``limit``; the generated graphs are valid under the project's shapes and the
same seed gives the same bytes.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import graphs
from benchmarks.generate import generate
from rtopkg.catalogue import load_catalogue
from rtopkg.validate import validate

ROOT = Path(__file__).resolve().parent.parent
#: (task, baseline, fast variants) the smoke run measures at its size.
MEASURED = {"load": ("rdflib", {"oxigraph", "oxigraph-bulk"}), "validate": ("pyshacl", {"oxigraph"}),
            "questions": ("rdflib", {"oxigraph"}), "export": ("rdflib", {"rtopkg"}), "ask": ("rdflib", {"oxigraph"})}


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    """``python -m benchmarks.run`` at 2k triples, one run each; owlrl left out by its size cap."""
    folder = tmp_path_factory.mktemp("bench")
    command = [sys.executable, "-m", "benchmarks.run", "--sizes", "2k", "--repeat", "1", "--ask-repeat", "1",
               "--seed", "3", "--owlrl-max", "1000", "--out", str(folder / "out"), "--cache", str(folder / "cache"),
               "--quiet"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads((folder / "out" / "results.json").read_text(encoding="utf-8"))
    markdown = (folder / "out" / "results.md").read_text(encoding="utf-8")
    return data, markdown, folder


def _table(markdown: str, section: str = "## Every measurement") -> list[list[str]]:
    if section in markdown:
        markdown = markdown.split(section, 1)[1].split("\n## ", 1)[0]
    rows = [line.strip("|").split(" | ") for line in markdown.splitlines() if line.startswith("| ")]
    assert rows and rows[0][0].strip() == "size"
    return [[cell.strip() for cell in row] for row in rows[1:]]


def test_json_has_every_task_with_numeric_medians(smoke):
    data, _, _ = smoke
    rows = data["measurements"]
    questions = [q.name for q in load_catalogue()]
    assert len(questions) > 20
    for task, (baseline, fast) in MEASURED.items():
        for variant in {baseline, *fast}:
            got = [r for r in rows if r["task"] == task and r["variant"] == variant]
            assert len(got) == (len(questions) if task == "questions" else 1), (task, variant)
            for r in got:
                assert r["status"] == "ok", r
                assert r["runs"] == 1 and isinstance(r["median_wall"], float) and r["median_wall"] > 0
                assert isinstance(r["median_cpu"], float) and r["peak_mb"] > 0
    assert {r["item"] for r in rows if r["task"] == "questions"} == set(questions)
    assert data["meta"]["machine"]["cpus"] >= 1


def test_markdown_has_a_row_per_task_with_a_ratio(smoke):
    _, markdown, _ = smoke
    table = _table(markdown)
    assert all(len(row) == 10 for row in table)
    by_work = {}
    for row in table:
        by_work.setdefault(row[1], []).append(row)
    assert len(by_work["question"]) == len(load_catalogue())
    measured = [r for r in table if r[1] != "reason (closure)"]
    assert len(measured) == 2 + 1 + len(load_catalogue()) + 1 + 1  # load (2 fast variants), validate, ...
    for row in measured:
        assert re.fullmatch(r"\d+(\.\d+)? (s|ms) \(cpu .*, n=1\)", row[4]), row
        assert re.fullmatch(r"\d+(\.\d+)? (s|ms) \(cpu .*, n=1\)", row[7]), row
        assert re.fullmatch(r"\d+(\.\d)?×", row[9]), row
        assert re.fullmatch(r"\d+ MB", row[5]) and re.fullmatch(r"\d+ MB", row[8]), row


def test_summary_has_a_row_per_task(smoke):
    _, markdown, _ = smoke
    summary = _table(markdown, "## Summary")
    assert [row[1] for row in summary] == ["load", "load", "validate", "reason (closure)",
                                           f"every stored question ({len(load_catalogue())})", "export",
                                           "cold `rtopkg ask`"]
    assert all(re.fullmatch(r"\d+(\.\d)?×( \(totals of \d+\))?", row[8]) for row in summary if row[1] != "reason (closure)")


def test_both_engines_agree_on_every_question(smoke):
    data, markdown, _ = smoke
    rows = {(r["item"], r["variant"]): r["info"]["rows"] for r in data["measurements"] if r["task"] == "questions"}
    names = {item for item, _ in rows}
    assert all(rows[(n, "rdflib")] == rows[(n, "oxigraph")] for n in names)
    assert sum(1 for n in names if rows[(n, "oxigraph")] > 0) > len(names) // 2, "most questions have answers"
    assert "ROW COUNTS DIFFER" not in markdown


def test_cap_shows_not_run(smoke):
    data, markdown, _ = smoke
    owlrl = [r for r in data["measurements"] if r["variant"] == "owlrl"]
    assert len(owlrl) == 1 and owlrl[0]["status"] == "not run" and owlrl[0]["runs"] == 0
    (row,) = [r for r in _table(markdown) if r[1] == "reason (closure)"]
    assert row[4] == "not run" and row[6] == "rules" and row[9] == "—"


def test_validation_in_the_run_finds_the_graph_valid(smoke):
    data, _, _ = smoke
    for variant in ("pyshacl", "oxigraph"):
        (r,) = [r for r in data["measurements"] if r["task"] == "validate" and r["variant"] == variant]
        assert r["info"]["conforms"] is True and r["info"]["results"] == 0 and r["info"]["triples"] > 2000


def test_a_run_past_the_limit_shows_limit(tmp_path):
    from benchmarks.report import render_markdown
    from benchmarks.run import machine, measure

    data = graphs.graph_file(2000, 3, graphs.cache_root(tmp_path))
    spec = {"task": "validate", "variant": "pyshacl", "repeat": 1, "data": [str(data)], "files": []}
    (m,) = measure(spec, ["validate"], limit=0.05, setup_limit=0.0, size="2k")
    assert m.status == "limit" and not m.walls
    meta = {"command": "x", "machine": machine(), "seed": 3, "repeat": 1, "limit_s": 0.05, "seconds": 1,
            "started": "now"}
    (row,) = _table(render_markdown(meta, [m]))
    (summary,) = _table(render_markdown(meta, [m]), "## Summary")
    assert summary[3] == "limit"
    assert row[4] == "limit"


def test_generated_graphs_are_valid_under_the_shapes(tmp_path):
    """Another seed and size than the smoke run's, with the fast engine (the smoke run used pyshacl too)."""
    path = tmp_path / "g.nt"
    with path.open("w", encoding="utf-8") as out:
        count = generate(5000, 11, out)
    assert count >= 5000
    result = validate([path], None, engine="oxigraph", timeout=0)
    assert result.conforms, [f"{r.focus_text} {r.message}" for r in result.results[:5]]
    assert result.triples >= count


def _bytes(triples: int, seed: int, turtle: bool = False) -> str:
    out = io.StringIO()
    generate(triples, seed, out, turtle=turtle)
    return out.getvalue()


def test_generation_is_deterministic(smoke):
    _, _, folder = smoke
    first = _bytes(2000, 3)
    assert first == _bytes(2000, 3)
    assert first != _bytes(2000, 4)
    # the cached graph of the smoke run is these very bytes
    assert (folder / "cache" / "g2000-s3.nt").read_text(encoding="utf-8") == first
    assert _bytes(2000, 3, turtle=True) == (folder / "cache" / "p2000-s3" / "data" / "generated.ttl").read_text(
        encoding="utf-8")


def test_store_mode_loads_and_answers_every_question(smoke, tmp_path):
    """``--store PATH`` (the 10M mode): the on-disk store is built, then every stored question is answered."""
    _, _, folder = smoke
    out = tmp_path / "out"
    command = [sys.executable, "-m", "benchmarks.run", "--sizes", "2k", "--repeat", "1", "--seed", "3",
               "--store", str(tmp_path / "store"), "--out", str(out), "--cache", str(folder / "cache"), "--quiet"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = json.loads((out / "results.json").read_text(encoding="utf-8"))["measurements"]
    assert [r["item"] for r in rows] == ["load"] + [q.name for q in load_catalogue()]
    assert all(r["status"] == "ok" and r["task"] == "store" and r["median_wall"] > 0 for r in rows)
    assert rows[0]["info"]["triples"] > 2000
    smoke_rows = {r["item"]: r["info"]["rows"] for r in json.loads(
        (folder / "out" / "results.json").read_text(encoding="utf-8"))["measurements"]
        if r["task"] == "questions" and r["variant"] == "oxigraph"}
    assert {r["item"]: r["info"]["rows"] for r in rows[1:]} == smoke_rows, "the store answers as in memory"
    assert (tmp_path / "store").is_dir()
