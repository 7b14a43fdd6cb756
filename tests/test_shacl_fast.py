"""The fast SHACL engine (rtopkg.shacl_fast, ``--engine oxigraph``) against pyshacl, the reference.

Both engines run on the same prepared inputs (the same rdflib data graph and shapes graph, so blank nodes keep
their identities) and must give the same set of results: (focus, path, value, source shape, component,
severity). Inputs: the project's graph, a small generated graph and a damaged copy of it, and every case of
tests/shapes/. Literals that Oxigraph would store in another form are refused, never validated differently.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from rtopkg.errors import InputError
from rtopkg.validate import ENGINES, oxigraph_engine, prepare, pyshacl_engine, results_from_report, validate
from support.shacl_cases import cases_in, load

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CASE_FILES = sorted((HERE / "shapes").glob("*.ttl"))
#: Cases whose data holds derived-integer literals ("0"^^xsd:nonNegativeInteger...), which Oxigraph rewrites
#: to xsd:integer: the oxigraph engine refuses them (the test checks that it does, and that nothing else is).
REFUSED = {"mandates-valid", "quotes-valid"}


def _key_set(report, prepared, data) -> set[tuple]:
    results = results_from_report(report, index=prepared.index, data=data)
    keys = {(r.focus, r.path_text, r.value, r.source_shape, r.component, r.severity) for r in results}
    assert len(keys) == len(results), "two results of one engine are the same"
    return keys


def both(paths: list[Path] | None) -> tuple[set, set]:
    """The results of pyshacl and of the oxigraph engine on the same prepared inputs."""
    prepared = prepare(paths, None)
    data = prepared.data_graph()
    size = len(data)
    reference = _key_set(pyshacl_engine(data, prepared.shapes, "none"), prepared, data)
    fast = _key_set(oxigraph_engine(data, prepared.shapes, "none"), prepared, data)
    assert len(data) == size, "an engine changed the data graph"
    return reference, fast


def test_registered():
    assert ENGINES["oxigraph"] is oxigraph_engine
    assert getattr(oxigraph_engine, "accepts_paths", False) is True
    assert "pyshacl" in ENGINES


def test_project_graph_through_validate():
    """End to end: ``validate(engine="oxigraph")`` hands the engine the files, not an rdflib graph."""
    a = validate(engine="pyshacl", timeout=0)
    b = validate(engine="oxigraph", timeout=0)
    assert a.results, "the project's graph has some warnings or infos to compare"
    assert b.engine == "oxigraph" and b.triples == a.triples
    assert b.conforms == a.conforms and b.counts == a.counts

    def keys(result):
        return {(r.focus_text, r.file, r.line, r.path_text, r.value, r.source_shape, r.component, r.severity)
                for r in result.results}

    assert keys(b) == keys(a)


def _generated(triples: int) -> str:
    from benchmarks.generate import generate

    out = io.StringIO()
    generate(triples, 7, out)
    return out.getvalue()


def _damaged(text: str) -> str:
    """A copy with triples left out, language tags changed and dates broken (deterministic)."""
    out = []
    for i, line in enumerate(text.splitlines(keepends=True)):
        if i % 37 == 5:
            continue
        if i % 29 == 3:
            line = line.replace('"@es', '"@en')
        if i % 23 == 7 and "XMLSchema#date>" in line:
            line = line.replace("-", "/", 1)
        out.append(line)
    return "".join(out)


def test_generated_graph_same_results(tmp_path):
    text = _generated(2000)
    (tmp_path / "valid.nt").write_text(text, encoding="utf-8")
    (tmp_path / "damaged.nt").write_text(_damaged(text), encoding="utf-8")
    reference, fast = both([tmp_path / "valid.nt"])
    assert fast == reference == set(), "the generated graph is valid under the project's shapes"
    reference, fast = both([tmp_path / "damaged.nt"])
    assert len(reference) > 20, "the damage is seen"
    assert len({k[5] for k in reference} | {k[4] for k in reference}) > 3, "several components fail"
    assert fast == reference


def test_case_count():
    assert len(CASE_FILES) >= 35  # tests/test_shapes.py pins the exact number
    assert sum(len(list(cases_in(p))) for p in CASE_FILES) == len(CASE_FILES)
    assert REFUSED <= {p.stem for p in CASE_FILES}


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in CASE_FILES])
def test_case_same_results(path: Path):
    if path.stem in REFUSED:
        with pytest.raises(InputError, match="Oxigraph stores in another form"):
            both([path])
        return
    reference, fast = both([path])
    assert fast == reference
    if path.stem.endswith("-failing"):
        assert reference, "a failing case has results"


def test_a_difference_is_seen():
    """The comparison can fail: one result left out of the fast engine's report is noticed."""
    from rdflib import RDF, Namespace

    sh = Namespace("http://www.w3.org/ns/shacl#")
    prepared = prepare([HERE / "shapes" / "memberships-failing.ttl"], None)
    data = prepared.data_graph()
    report = oxigraph_engine(data, prepared.shapes, "none")
    reference = _key_set(pyshacl_engine(data, prepared.shapes, "none"), prepared, data)
    root = next(report.subjects(RDF.type, sh.ValidationReport))
    report.remove((root, sh.result, next(report.objects(root, sh.result))))
    assert _key_set(report, prepared, data) != reference


def test_cli_engine_option(runner):
    from rtopkg.cli import cli

    path = HERE / "shapes" / "memberships-failing.ttl"
    outs = {}
    for engine in ("pyshacl", "oxigraph"):
        got = runner.invoke(cli, ["validate", "--engine", engine, str(path)])
        assert got.exit_code == 1, got.output
        outs[engine] = re.sub(r"oxigraph|pyshacl", "ENGINE", got.output)
    assert outs["oxigraph"] == outs["pyshacl"]


#: W3C cases the oxigraph engine refuses (literals Oxigraph would rewrite, SPARQL-based constraint components,
#: sh:optional parameters): each is an input error naming the feature, never another verdict.
W3C_REFUSED = {"maxExclusive-001", "maxInclusive-001", "minExclusive-001", "datatype-ill-formed", "or-datatypes-001",
               "optional-001", "propertyValidator-select-001", "validator-001"}
#: W3C cases pyshacl itself cannot run (see tests/test_validate.py).
W3C_PYSHACL_ERRORS = {"prefixes-001", "shapesGraph-001"}


def test_w3c_suite_same_results():
    """Every W3C SHACL Core and SHACL-SPARQL case with a report: the same results as pyshacl, or refused."""
    cases = [c for c in cases_in(HERE / "data" / "w3c-shacl" / "manifest.ttl") if not c.failure]
    assert len(cases) == 113
    compared, refused, pyshacl_errors = 0, set(), set()
    for case in cases:
        data, shapes = load(case.data), load(case.shapes)
        try:
            reference = results_from_report(pyshacl_engine(data, shapes, "none"), data=data)
        except InputError:
            pyshacl_errors.add(case.name)
            continue
        try:
            fast = results_from_report(oxigraph_engine(data, shapes, "none"), data=data)
        except InputError:
            refused.add(case.name)
            continue

        def keys(results):
            return {(r.focus, r.path_text, r.value, r.source_shape, r.component, r.severity) for r in results}

        assert keys(fast) == keys(reference), case.name
        compared += 1
    assert refused == W3C_REFUSED and pyshacl_errors == W3C_PYSHACL_ERRORS
    assert compared == len(cases) - len(W3C_REFUSED) - len(W3C_PYSHACL_ERRORS)
