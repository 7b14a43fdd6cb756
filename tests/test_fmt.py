"""``rtopkg fmt``: the canonical Turtle layout, comments kept, the graph never changed, idempotent, ``--check``."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from rtopkg.canonical import canonicalize, nt_quad
from rtopkg.cli import cli
from rtopkg.fmt import fmt_paths, format_turtle

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CASES = HERE / "data" / "fmt"
EXPECTED = sorted(CASES.glob("*.expected.ttl"))
INPUTS = sorted(p for p in CASES.glob("*.ttl") if not p.name.endswith(".expected.ttl"))
INVALID = sorted((CASES / "invalid").glob("*.ttl"))
PROJECT_FILES = sorted(p for folder in ("data", "ontology", "shapes") for p in (ROOT / folder).glob("*.ttl"))


def _input_of(expected: Path) -> Path:
    return expected.with_name(expected.name.replace(".expected.ttl", ".ttl"))


def exact(text: str) -> set[str]:
    """The graph of a Turtle text as canonical N-Triples lines (RDFC-1.0; lexical forms exactly as written)."""
    quads = ox.parse(text.encode("utf-8"), ox.RdfFormat.TURTLE)
    return {nt_quad(q.subject, q.predicate, q.object) for q in canonicalize(quads)}


def rdflib_graph(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle")


def test_cases_are_there():
    assert len(EXPECTED) == 6 and len(INPUTS) == 7 and len(INVALID) == 4


@pytest.mark.parametrize("expected", [pytest.param(p, id=p.name) for p in EXPECTED])
def test_expected_layout(expected: Path):
    source = _input_of(expected).read_text(encoding="utf-8")
    assert format_turtle(source, str(expected)) == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in INPUTS + PROJECT_FILES])
def test_same_graph_and_idempotent(path: Path):
    source = path.read_text(encoding="utf-8")
    once = format_turtle(source, str(path))
    assert exact(once) == exact(source)
    assert isomorphic(rdflib_graph(once), rdflib_graph(source))
    assert format_turtle(once, str(path)) == once


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in INPUTS + PROJECT_FILES])
def test_every_comment_is_kept(path: Path):
    source = path.read_text(encoding="utf-8")
    once = format_turtle(source, str(path))
    comments = [line.strip() for line in source.splitlines() if line.strip().startswith("#")]
    for comment in comments:
        assert comment in once


def test_non_ascii_and_nfd_bytes_survive():
    source = (CASES / "literals.ttl").read_text(encoding="utf-8")
    once = format_turtle(source)
    assert "Mónica Serrano".encode() in once.encode()
    assert "Fundación para la Paz y la Democracia".encode() in once.encode()
    assert "Fundacio\u0301n".encode() in once.encode()  # decomposed form kept, not normalised to NFC
    assert "Costa Rica\u00a0– Denmark".encode() in once.encode()


def test_directional_language_strings_keep_their_direction():
    source = '@prefix ex: <http://example.org/> .\nex:a ex:b "x"@en--ltr, "y"@ar--rtl, "z"@en .\n'
    once = format_turtle(source)
    assert exact(once) == exact(source) and '"x"@en--ltr' in once and '"y"@ar--rtl' in once
    assert exact(once) != exact(source.replace("--ltr", ""))  # the comparison sees directions


def test_shared_and_cyclic_blank_nodes_keep_labels():
    once = format_turtle((CASES / "shared-bnode.ttl").read_text(encoding="utf-8"))
    labels = sorted({word.strip(".;,[]") for word in once.split() if word.startswith("_:")})
    assert len(labels) == 2  # the shared node and one node of the cycle
    assert once.count(labels[0]) + once.count(labels[1]) == 5
    assert "[ ex:next _:" in once


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in INVALID])
def test_parse_errors_exit_2_with_position(runner, tmp_path: Path, path: Path):
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    before = copy.read_bytes()
    result = runner.invoke(cli, ["fmt", str(copy)])
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert re.fullmatch(rf"rtopkg: \S*{re.escape(path.name)}:\d+:\d+: \S.*", message), message
    assert copy.read_bytes() == before


def test_check_lists_files_and_rewrite_makes_them_canonical(runner, tmp_path: Path):
    folder = tmp_path / "ttl"
    folder.mkdir()
    for p in INPUTS:
        shutil.copy(p, folder / p.name)
    canonical = folder / "already.ttl"
    canonical.write_text((CASES / "sections.expected.ttl").read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(cli, ["fmt", "--check", str(folder)])
    assert result.exit_code == 1
    listed = sorted(Path(line.split(" ", 2)[2]).name for line in result.stdout.splitlines()
                    if line.startswith("would reformat"))
    assert listed == sorted(p.name for p in INPUTS)
    assert "already.ttl" not in result.stdout
    assert all((folder / p.name).read_bytes() == p.read_bytes() for p in INPUTS)  # --check writes nothing

    result = runner.invoke(cli, ["fmt", str(folder)])
    assert result.exit_code == 0
    assert f"{len(INPUTS)} files reformatted, 1 already canonical" in result.stdout
    for p in INPUTS:
        assert exact((folder / p.name).read_text(encoding="utf-8")) == exact(p.read_text(encoding="utf-8"))
    result = runner.invoke(cli, ["fmt", "--check", str(folder)])
    assert result.exit_code == 0, result.stdout + result.stderr


def test_a_broken_file_stops_the_run_before_anything_is_written(tmp_path: Path):
    good = tmp_path / "a-good.ttl"
    shutil.copy(CASES / "comments.ttl", good)
    bad = tmp_path / "b-bad.ttl"
    shutil.copy(INVALID[0], bad)
    before = good.read_bytes()
    from rtopkg.errors import SyntaxInputError

    with pytest.raises(SyntaxInputError):
        fmt_paths([tmp_path])
    assert good.read_bytes() == before


def test_project_copies_format_and_keep_their_graph(tmp_path: Path):
    assert len(PROJECT_FILES) >= 10
    for folder in ("data", "ontology", "shapes"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("sources"))
    report = fmt_paths([tmp_path])
    assert report.total == len(PROJECT_FILES)
    for original in PROJECT_FILES:
        copy = tmp_path / original.parent.name / original.name
        assert exact(copy.read_text(encoding="utf-8")) == exact(original.read_text(encoding="utf-8"))
    assert not fmt_paths([tmp_path], check=True).changed


def test_not_turtle_is_refused(runner, tmp_path: Path):
    other = tmp_path / "graph.nt"
    other.write_text("<http://a> <http://b> <http://c> .\n")
    result = runner.invoke(cli, ["fmt", str(other)])
    assert result.exit_code == 2
    assert "not a Turtle file" in result.stderr


def test_project_files_are_canonical(runner):
    result = runner.invoke(cli, ["fmt", "--check", str(ROOT / "data"), str(ROOT / "ontology"), str(ROOT / "shapes")])
    assert result.exit_code == 0, result.stdout
