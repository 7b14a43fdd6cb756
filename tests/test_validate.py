"""``rtopkg validate`` and rtopkg.validate: the W3C SHACL test suite, the project's graph, broken copies of real
data files, the output formats, exit codes and options, safety, and the engine hook."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace

from rtopkg.cli import cli
from rtopkg.paths import display_path
from rtopkg.errors import InputError, LimitExceeded, RefusedError, RtopkgError
from rtopkg.validate import ENGINES, prepare, pyshacl_engine, validate
from support.shacl_cases import cases_in

ROOT = Path(__file__).resolve().parent.parent
W3C = Path(__file__).resolve().parent / "data" / "w3c-shacl"
W3C_CASES = list(cases_in(W3C / "manifest.ttl"))
SH = Namespace("http://www.w3.org/ns/shacl#")

#: $shapesGraph is an optional feature of SHACL-SPARQL that pyshacl does not implement: validate must say so
#: (exit 2) rather than give a verdict.
UNSUPPORTED = {"shapesGraph-001": "$shapesGraph"}


def _other_project_files(but: str) -> list[str]:
    files = [p for p in sorted((ROOT / "ontology").glob("*.ttl")) + sorted((ROOT / "data").glob("*.ttl"))]
    assert any(p.name == but for p in files)
    return [str(p) for p in files if p.name != but]


def _line_of(text: str, subject: str) -> int:
    """The line where ``subject``'s block starts (found in the text itself, not by rtopkg)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(subject + " "):
            return number
    raise AssertionError(f"{subject} not found")


# ----------------------------------------------------------------------------------------------------------
# W3C SHACL test suite
# ----------------------------------------------------------------------------------------------------------


def test_w3c_suite_size():
    assert len(W3C_CASES) == 120
    assert sum("/core/" in str(c.file) for c in W3C_CASES) == 98
    assert sum("/sparql/" in str(c.file) for c in W3C_CASES) == 22
    assert sum(c.failure for c in W3C_CASES) == 7
    assert (W3C / "README.md").read_text().count("W3C test suite licence") == 1


@pytest.mark.parametrize("case", [pytest.param(c, id=f"{c.file.parent.name}/{c.name}") for c in W3C_CASES])
def test_w3c_case(case):
    """rtopkg validate's library path reaches the verdict the W3C suite expects."""
    if case.name in UNSUPPORTED:
        with pytest.raises(InputError, match=re.escape(UNSUPPORTED[case.name])):
            validate([case.data], [case.shapes], timeout=0, ignore_imports=True)
        return
    if case.failure:
        with pytest.raises(RtopkgError):
            validate([case.data], [case.shapes], timeout=0, ignore_imports=True)
        return
    # the suite's expected reports do not follow its owl:imports (of the DASH namespace)
    result = validate([case.data], [case.shapes], timeout=0, ignore_imports=True)
    assert result.conforms == case.conforms
    if case.expected:
        assert len(result.results) == len(case.expected)


# ----------------------------------------------------------------------------------------------------------
# The project
# ----------------------------------------------------------------------------------------------------------


def test_the_project_passes(runner):
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 0, result.output + result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert re.match(r"0 violations, \d+ warnings?, \d+ infos? on \d+ focus nodes? \(\d+ triples in \d+ files;", summary)
    assert "ontology" not in result.stderr and result.stderr == ""


def test_validation_does_not_change_the_data_graph():
    prepared = prepare([ROOT / "tests" / "shapes" / "events-valid.ttl"], None, "rdfs")
    graph = prepared.data_graph()
    before = set(graph)
    report = pyshacl_engine(graph, prepared.shapes, "rdfs")
    assert set(graph) == before
    assert (None, RDF.type, SH.ValidationReport) in report


# ----------------------------------------------------------------------------------------------------------
# Broken copies of real data files
# ----------------------------------------------------------------------------------------------------------


def test_syntax_error_in_a_copy_of_a_data_file(runner, tmp_path):
    original = (ROOT / "data" / "places.ttl").read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    target = next(i for i, line in enumerate(lines) if line.startswith("place:"))  # a subject line
    lines[target] = lines[target].replace(" a rto:", " a a rto:", 1)
    broken = tmp_path / "places.ttl"
    broken.write_text("".join(lines), encoding="utf-8")
    result = runner.invoke(cli, ["validate", *_other_project_files("places.ttl"), str(broken)])
    assert result.exit_code == 2
    assert result.stdout == ""
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in message
    match = re.match(r"rtopkg: (.+places\.ttl):(\d+):(\d+): (.+)$", message)
    assert match, message
    assert Path(match.group(1)).resolve() == broken.resolve()
    assert int(match.group(2)) == target + 1


def test_shape_violation_in_a_copy_of_a_data_file(runner, tmp_path):
    """An event that loses its date precision is reported at the line its block starts, with exit code 1."""
    text = (ROOT / "data" / "events.ttl").read_text(encoding="utf-8")
    block = re.search(r"^(event:[a-z0-9-]+) a rto:\w+ ;\n(?:    .*\n)*?    rto:datePrecision prec:(?:day|month|year) ;\n",
                      text, re.M)
    assert block, "no dated event in data/events.ttl"
    event = block.group(1)
    start = block.group(0)
    broken_text = text.replace(start, re.sub(r"    rto:datePrecision prec:\w+ ;\n", "", start), 1)
    assert broken_text != text
    broken = tmp_path / "events.ttl"
    broken.write_text(broken_text, encoding="utf-8")
    line = _line_of(broken_text, event)
    args = ["validate", *_other_project_files("events.ttl"), str(broken)]

    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output + result.stderr
    where = f"{display_path(broken)}:{line}  {event}"
    assert where in result.stdout, result.stdout
    assert "an event needs exactly one rto:datePrecision" in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("1 violation, ")

    github = runner.invoke(cli, [*args, "--format", "github"])
    assert github.exit_code == 1
    errors = [l for l in github.stdout.splitlines() if l.startswith("::error ")]
    assert len(errors) == 1
    assert errors[0].startswith(f"::error file={display_path(broken)},line={line},title=SHACL Violation%3A rtosh%3AEvent-datePrecision::{event} rto:datePrecision: ")


# ----------------------------------------------------------------------------------------------------------
# Formats, options and exit codes (on small files)
# ----------------------------------------------------------------------------------------------------------

CASES = ROOT / "tests" / "shapes"


def test_formats_are_deterministic_and_agree(runner):
    path = str(CASES / "people-failing.ttl")
    outputs = {}
    for fmt in ("text", "turtle", "json", "github"):
        first = runner.invoke(cli, ["validate", path, "--format", fmt])
        second = runner.invoke(cli, ["validate", path, "--format", fmt])
        assert first.exit_code == 1, first.stderr
        assert first.stdout == second.stdout, fmt
        outputs[fmt] = first.stdout
    doc = json.loads(outputs["json"])
    assert doc["conforms"] is False and doc["failed"] is True
    assert doc["counts"] == {"violation": 3, "warning": 1, "info": 0}
    assert {r["sourceShape"].rsplit("#", 1)[1] for r in doc["results"]} == {
        "Person-holds", "Person-nationality", "Position-postIn-given", "Position-postIn"}
    assert all(r["file"].endswith("people-failing.ttl") and r["line"] > 0 for r in doc["results"])
    report = Graph().parse(data=outputs["turtle"], format="turtle")
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == Literal(False)
    assert len(list(report.objects(node, SH.result))) == 4
    assert len([l for l in outputs["github"].splitlines() if l.startswith("::error ")]) == 3
    assert len([l for l in outputs["github"].splitlines() if l.startswith("::warning ")]) == 1
    text = outputs["text"]
    headers = [l for l in text.splitlines() if re.match(r"\S+people-failing\.ttl:\d+  ", l)]
    assert [h.split("  ")[1] for h in headers] == [  # grouped by focus node, in file order
        "person:lloyd-axworthy", "post:minister-of-nowhere", "post:minister-in-a-person"]
    assert text.strip().splitlines()[-1].startswith("3 violations, 1 warning, 0 infos on 3 focus nodes")


def test_fail_on_option(runner, tmp_path):
    warning_only = tmp_path / "warning.ttl"
    warning_only.write_text((CASES / "labels-valid.ttl").read_text(encoding="utf-8").replace(
        '"Brazil"@en, "Brasil"@pt', '"Brazil  (Federative Republic)"@en, "Brasil"@pt'), encoding="utf-8")
    plain = runner.invoke(cli, ["validate", str(warning_only)])
    strict = runner.invoke(cli, ["validate", str(warning_only), "--fail-on", "warning"])
    assert plain.exit_code == 0, plain.stdout
    assert strict.exit_code == 1
    assert "passes: no violations" in plain.stdout
    assert "does not conform (fails on warnings)" in strict.stdout


def test_infos_never_fail(runner, tmp_path):
    info_only = tmp_path / "info.ttl"
    text = (CASES / "publications-valid.ttl").read_text(encoding="utf-8")
    info_only.write_text(text.replace('dcterms:title "A bill"@en ; ', ""), encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(info_only), "--fail-on", "warning", "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["counts"] == {"violation": 0, "warning": 0, "info": 1}


def test_missing_and_unreadable_files(runner, tmp_path):
    missing = runner.invoke(cli, ["validate", str(tmp_path / "nope.ttl")])
    assert missing.exit_code == 2
    assert missing.stderr.startswith("rtopkg: ") and "nope.ttl: no such file or folder" in missing.stderr
    unreadable = tmp_path / "unreadable.ttl"
    if os.geteuid() == 0:
        unreadable.symlink_to("/proc/self/mem")  # root reads any file; this one cannot be read
    else:
        unreadable.write_text("<a> <b> <c> .")
        unreadable.chmod(0)
    result = runner.invoke(cli, ["validate", str(unreadable)])
    assert result.exit_code == 2
    assert "unreadable.ttl: cannot read" in result.stderr and "Traceback" not in result.stderr


def test_own_shapes_and_no_ontology(runner, tmp_path):
    data = tmp_path / "data.ttl"
    data.write_text("<http://example.org/a> <http://example.org/p> 1 .\n")
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/S> a sh:NodeShape ; sh:targetSubjectsOf <http://example.org/p> ;
    sh:property [ sh:path <http://example.org/p> ; sh:datatype xsd:string ; sh:message "p is a string" ] .
""")
    result = runner.invoke(cli, ["validate", str(data), "--shapes", str(shapes)])
    assert result.exit_code == 1
    assert f"{display_path(data)}:1  <http://example.org/a>" in result.stdout
    assert "p is a string" in result.stdout
    ok = runner.invoke(cli, ["validate", str(data), "--shapes", str(shapes), "--no-ontology"])
    assert ok.exit_code == 1 and "(1 triples in 1 file;" in ok.stdout


def test_inference_option(tmp_path):
    """rto:speaker is a sub-property of rto:participant: with RDFS inference the speaker is a participant too."""
    data = tmp_path / "data.ttl"
    data.write_text("""@prefix rto: <https://w3id.org/rtopkg/ontology#> .
<https://w3id.org/rtopkg/id/event/x> rto:speaker <https://w3id.org/rtopkg/id/person/y> .
""")
    none = validate([data], inference="none", timeout=0)
    rdfs = validate([data], inference="rdfs", timeout=0)
    assert none.conforms  # untyped: no shape targets them
    shapes = {str(r.source_shape).rsplit("#", 1)[1] for r in rdfs.results}
    assert "Sourced" in shapes and "Event-kind" in shapes  # rto:speaker's domain makes x an event
    with pytest.raises(InputError, match="--inference"):
        validate([data], inference="owl", timeout=0)


def test_service_in_shapes_is_refused(runner, tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text('''@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://example.org/S> a sh:NodeShape ; sh:targetNode <http://example.org/a> ;
    sh:sparql [ sh:select """SELECT $this WHERE { SERVICE <http://127.0.0.1:9/sparql> { $this ?p ?o } }""" ] .
''')
    data = tmp_path / "data.ttl"
    data.write_text("<http://example.org/a> <http://example.org/p> 1 .\n")
    result = runner.invoke(cli, ["validate", str(data), "--shapes", str(shapes)])
    assert result.exit_code == 2
    assert "refused" in result.stderr and "SERVICE" in result.stderr
    shapes.write_text('''@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://example.org/S> a sh:NodeShape ; sh:targetNode <http://example.org/a> ;
    sh:sparql [ sh:select """SELECT $this FROM <http://127.0.0.1:9/g> WHERE { $this ?p ?o }""" ] .
''')
    with pytest.raises(RefusedError, match="FROM"):
        validate([data], [shapes], timeout=0)
    # the words inside strings, IRIs and comments are not keywords
    shapes.write_text('''@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://example.org/S> a sh:NodeShape ; sh:targetNode <http://example.org/a> ;
    sh:sparql [ sh:select """SELECT $this WHERE { $this <http://example.org/p> ?o . # from a comment
        FILTER (?o != "LOAD from SERVICE" && ?o != <http://example.org/service>) }""" ] .
''')
    assert not validate([data], [shapes], timeout=0).conforms


def test_owl_imports_are_refused_or_ignored_never_followed(tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
<http://example.org/shapes> owl:imports <http://127.0.0.1:9/more-shapes.ttl> .
<http://example.org/S> a sh:NodeShape ; sh:targetNode <http://example.org/a> ; sh:class <http://example.org/C> .
""")
    data = tmp_path / "data.ttl"
    data.write_text("<http://example.org/a> a <http://example.org/C> .\n")
    with pytest.raises(RefusedError, match=r"the shapes imports <http://127.0.0.1:9/more-shapes.ttl> with owl:imports"):
        validate([data], [shapes], timeout=0)
    assert validate([data], [shapes], timeout=0, ignore_imports=True).conforms


def test_timeout(runner):
    result = runner.invoke(cli, ["validate", str(CASES / "events-valid.ttl"), "--timeout", "0.001"])
    assert result.exit_code == 3
    assert "wall-clock limit" in result.stderr
    with pytest.raises(LimitExceeded):
        validate([CASES / "events-valid.ttl"], timeout=0.001)


def test_meta_shacl_option(runner, tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://example.org/S> a sh:NodeShape ; sh:targetNode <http://example.org/a> ;
    sh:property [ sh:path <http://example.org/p> ; sh:minCount "one" ] .
""")
    data = tmp_path / "data.ttl"
    data.write_text("<http://example.org/a> <http://example.org/p> 1 .\n")
    result = runner.invoke(cli, ["validate", str(data), "--shapes", str(shapes), "--meta-shacl"])
    assert result.exit_code == 2
    assert "SHACL-for-SHACL" in result.stderr


def test_help_documents_exit_codes(runner):
    result = runner.invoke(cli, ["validate", "--help"])
    assert result.exit_code == 0
    for code in ("0  conforms", "1  does not conform", "2  usage or input error", "3  the wall-clock limit"):
        assert code in result.stdout
    bad = runner.invoke(cli, ["validate", "--format", "xml"])
    assert bad.exit_code == 2


# ----------------------------------------------------------------------------------------------------------
# The engine hook
# ----------------------------------------------------------------------------------------------------------


def test_an_engine_taking_paths_gets_the_files_and_the_ontology(monkeypatch):
    """A store-based engine gets file paths (the ontology part first, as N-Triples) and gives the same results."""
    seen = []

    def from_paths(paths, shapes, inference):
        from rtopkg.load import load_graph

        seen.extend(paths)
        return pyshacl_engine(load_graph(paths), shapes, inference)

    from_paths.accepts_paths = True
    monkeypatch.setitem(ENGINES, "from-paths", from_paths)
    path = CASES / "people-failing.ttl"
    ours = validate([path], engine="from-paths", timeout=0)
    reference = validate([path], timeout=0)
    assert [p.name for p in seen] == ["ontology-mixed-in.nt", "people-failing.ttl"]
    assert [(r.source_shape, r.focus, r.file, r.line) for r in ours.results] == \
        [(r.source_shape, r.focus, r.file, r.line) for r in reference.results]
    with pytest.raises(InputError, match="unknown engine"):
        validate([path], engine="nope", timeout=0)
