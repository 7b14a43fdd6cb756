"""Hazard 5: runaway work hits the wall-clock limit set by ``RTOPKG_TIMEOUT`` (the environment, not only the
``--timeout`` option the older tests use), exits 3 with a one-line message naming the limit, and the process
stays responsive. Each test carries a pytest timeout far above the limit it sets, so that without the limit the
test fails (by pytest-timeout) instead of finishing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rtopkg.cli import cli

#: A cross product of the whole graph with itself five times: 10^20 rows on the project's graph.
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
LIMIT_LINE = "stopped after the wall-clock limit of {s} s (set --timeout or RTOPKG_TIMEOUT to change it)"


def small_file(tmp_path: Path, n: int = 60) -> Path:
    path = tmp_path / "small.nt"
    path.write_text("".join(f"<http://example.org/n{i}> <http://example.org/p> <http://example.org/n{i + 1}> .\n"
                            for i in range(n)), encoding="utf-8")
    return path


@pytest.mark.timeout(90)
@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_runaway_query_stops_at_rtopkg_timeout(runner, tmp_path: Path, engine):
    data = small_file(tmp_path)
    result = runner.invoke(cli, ["query", "--engine", engine, "--data", str(data), "--sparql", EXPLOSIVE],
                           env={"RTOPKG_TIMEOUT": "1"})
    assert result.exit_code == 3 and result.stdout == ""
    assert result.stderr.strip() == "rtopkg: the query " + LIMIT_LINE.format(s=1)
    # the same process answers the next question at once
    again = runner.invoke(cli, ["query", "--engine", engine, "--data", str(data), "--format", "tsv", "--sparql",
                                "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"], env={"RTOPKG_TIMEOUT": "30"})
    assert again.exit_code == 0 and again.stdout.splitlines()[1] == '"60"^^<http://www.w3.org/2001/XMLSchema#integer>'


@pytest.mark.timeout(90)
def test_a_runaway_owlrl_closure_stops_at_rtopkg_timeout(runner, tmp_path: Path):
    """80 owl:sameAs links in a chain: owlrl's closure would take minutes (it grows with the cube)."""
    path = tmp_path / "same-as.nt"
    path.write_text("".join(f"<http://example.org/n{i}> <http://www.w3.org/2002/07/owl#sameAs> "
                            f"<http://example.org/n{i + 1}> .\n" for i in range(80)), encoding="utf-8")
    result = runner.invoke(cli, ["reason", "--profile", "owlrl", str(path)], env={"RTOPKG_TIMEOUT": "2"})
    assert result.exit_code == 3 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(LIMIT_LINE.format(s=2)), lines


@pytest.mark.timeout(90)
@pytest.mark.parametrize("engine", ["pyshacl", "oxigraph"])
def test_a_runaway_validation_stops_at_rtopkg_timeout(runner, tmp_path: Path, engine):
    """A SHACL-SPARQL constraint that is a cross product of the data graph with itself."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text('''@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://example.org/S> a sh:NodeShape ; sh:targetNode <http://example.org/n0> ;
    sh:sparql [ sh:select """SELECT $this WHERE {
        { SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?p ?o . ?q ?r ?s } }
        FILTER (?n < 0) }""" ] .
''', encoding="utf-8")
    result = runner.invoke(cli, ["validate", "--engine", engine, "--no-ontology", "--shapes", str(shapes),
                                 str(small_file(tmp_path))], env={"RTOPKG_TIMEOUT": "1"})
    assert result.exit_code == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(LIMIT_LINE.format(s=1)), lines


@pytest.mark.parametrize("value", ["soon", "-1"])
def test_a_bad_rtopkg_timeout_is_an_input_error(runner, value):
    result = runner.invoke(cli, ["query", "--sparql", "ASK { ?s ?p ?o }"], env={"RTOPKG_TIMEOUT": value})
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(f"rtopkg: RTOPKG_TIMEOUT={value!r}: ")
