"""The golden-answer harness: every stored question (``queries/*.rq``) has a golden answer beside it
(``NAME.tsv``, SPARQL 1.1 TSV results) and returns exactly those rows on the embedded Oxigraph engine, on the
rdflib engine and on a real Oxigraph server -- as a multiset, or as a list when the query has a top-level
ORDER BY. A question without a golden file fails; so does one that returns no rows where its golden has rows.

Questions run with their parameters' defaults (else their examples) and the reasoning they declare; on the
server, a question that declares reasoning runs on a server loaded with the materialised graph.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from support.loading import file_quads, server_with

from rtopkg.catalogue import golden_path, parse_question, question_paths
from rtopkg.engines import OxigraphEngine, RdflibEngine, run_question
from rtopkg.errors import SyntaxInputError
from rtopkg.paths import project
from rtopkg.remote import RemoteEngine
from rtopkg.results import comparable_rows, read_tsv

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = question_paths(ROOT / "queries")
#: The catalogue never shrinks below this many questions.
MIN_QUESTIONS = 5
HAS_REASON = importlib.util.find_spec("rtopkg.reason") is not None
INVALID = sorted((Path(__file__).resolve().parent / "data" / "catalogue" / "invalid").glob("*.rq"))


def check_golden(question, engine) -> int:
    """Run ``question`` on ``engine`` and compare with its golden answer; return the number of rows checked."""
    golden = golden_path(question)
    if not golden.is_file():
        raise AssertionError(f"{question.name}: no golden answer ({golden.name} is missing beside {question.path.name})")
    expected = read_tsv(golden)
    result = run_question(question, {}, engine, use_examples=True, timeout=300)
    if result.variables != expected.variables:
        raise AssertionError(f"{question.name}: variables {result.variables} != golden {expected.variables}")
    if expected.rows and not result.rows:
        raise AssertionError(f"{question.name}: returns no rows on {engine.description}, its golden answer has "
                             f"{len(expected.rows)}")
    got, want = comparable_rows(result, question.ordered), comparable_rows(expected, question.ordered)
    if got != want:
        if question.ordered:
            first = next(i for i in range(max(len(got), len(want)))
                         if i >= len(got) or i >= len(want) or got[i] != want[i])
            raise AssertionError(f"{question.name} on {engine.description}: rows differ from the golden answer "
                                 f"from row {first + 1}")
        missing, extra = want - got, got - want
        raise AssertionError(f"{question.name} on {engine.description}: {sum(missing.values())} golden rows missing "
                             f"(e.g. {next(iter(missing), None)}), {sum(extra.values())} extra (e.g. {next(iter(extra), None)})")
    return len(expected.rows)


@pytest.fixture(scope="module")
def engines():
    return {"oxigraph": OxigraphEngine.project(), "rdflib": RdflibEngine.project()}


@pytest.fixture(scope="module")
def servers():
    """Real Oxigraph servers: one with the project's graph, and one per closure a question declares."""
    import contextlib

    with contextlib.ExitStack() as stack:
        graph = file_quads(project().graph_files())
        running = {None: stack.enter_context(server_with(graph))}

        def get(profile: str | None):
            if profile not in running:
                from rtopkg.load import load_project_store
                from rtopkg.reason import materialise_store

                closure = materialise_store(load_project_store(), profile)
                running[profile] = stack.enter_context(server_with(list(closure)))
            return running[profile]

        yield get


def test_the_catalogue_is_complete():
    assert len(QUESTIONS) >= MIN_QUESTIONS
    goldens = sorted((ROOT / "queries").glob("*.tsv"))
    assert [p.stem for p in goldens] == [p.stem for p in QUESTIONS], "every question has a golden file and vice versa"
    names = [parse_question(p).name for p in QUESTIONS]
    assert len(set(names)) == len(QUESTIONS)


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib", "server"])
@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in QUESTIONS])
def test_golden_answer(path, engine, engines, servers):
    question = parse_question(path)
    if question.reasoning and not HAS_REASON:
        pytest.skip(f"{question.name} needs the {question.reasoning} closure and rtopkg.reason is not there yet")
    if engine == "server":
        chosen = RemoteEngine(servers(question.reasoning).query_url)
    else:
        chosen = engines[engine]
    checked = check_golden(question, chosen)
    assert checked > 0 or read_tsv(golden_path(question)).rows == []


def test_golden_quotes_are_verbatim_in_the_source(source_text):
    """Golden answers are checked against the source: every ?quote of a golden file stands on its ?line."""
    from rtopkg.quotes import fold
    from rtopkg.terms import from_nt

    lines = source_text.split("\n")
    checked = 0
    for golden in sorted((ROOT / "queries").glob("*.tsv")):
        result = read_tsv(golden)
        if not {"quote", "line"} <= set(result.variables):
            continue
        for quote, line in zip(result.column("quote"), result.column("line")):
            number = int(from_nt(line).value)
            assert fold(from_nt(quote).value) in fold(lines[number - 1]), f"{golden.name}: line {number}"
            checked += 1
    assert checked >= 10


# ------------------------------------------------------------------------------------------------------------
# The harness itself fails when it should
# ------------------------------------------------------------------------------------------------------------


def _write(folder: Path, name: str, body: str, golden: str | None) -> Path:
    path = folder / f"{name}.rq"
    path.write_text(f"#+ summary: A test question\n{body}\n", encoding="utf-8")
    if golden is not None:
        (folder / f"{name}.tsv").write_text(golden, encoding="utf-8")
    return path


def test_harness_fails_without_a_golden_file(tmp_path, engines):
    path = _write(tmp_path, "no-golden", "SELECT ?s WHERE { ?s a <http://www.w3.org/2002/07/owl#Ontology> }", None)
    with pytest.raises(AssertionError, match="no golden answer"):
        check_golden(parse_question(path), engines["oxigraph"])


def test_harness_fails_on_no_rows_where_the_golden_has_rows(tmp_path, engines):
    path = _write(tmp_path, "empty", "SELECT ?s WHERE { ?s a <http://example.org/Nothing> }",
                  "?s\n<https://w3id.org/rtopkg/ontology>\n")
    with pytest.raises(AssertionError, match="returns no rows"):
        check_golden(parse_question(path), engines["oxigraph"])


def test_harness_fails_on_a_wrong_row(tmp_path, engines):
    path = _write(tmp_path, "wrong", "SELECT ?s WHERE { ?s a <http://www.w3.org/2002/07/owl#Ontology> }",
                  "?s\n<https://w3id.org/rtopkg/ontology>\n<https://example.org/not-an-ontology>\n")
    with pytest.raises(AssertionError, match="1 golden rows missing"):
        check_golden(parse_question(path), engines["oxigraph"])


def test_harness_compares_order_only_when_ordered(tmp_path, engines):
    body = ("SELECT ?n WHERE { ?p <http://www.w3.org/2004/02/skos/core#inScheme> "
            "<https://w3id.org/rtopkg/vocab/pillar> ; <http://www.w3.org/2004/02/skos/core#notation> ?n }")
    reversed_golden = '?n\n"3"\n"2"\n"1"\n'
    unordered = _write(tmp_path, "unordered", body, reversed_golden)
    assert check_golden(parse_question(unordered), engines["oxigraph"]) == 3
    ordered = _write(tmp_path, "ordered", body + " ORDER BY ?n", reversed_golden)
    with pytest.raises(AssertionError, match="rows differ"):
        check_golden(parse_question(ordered), engines["oxigraph"])


def test_the_header_cache_follows_the_files(tmp_path, monkeypatch):
    from rtopkg.catalogue import load_catalogue

    monkeypatch.setenv("RTOPKG_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "queries"
    folder.mkdir()
    path = _write(folder, "one", "SELECT ?s WHERE { ?s ?p ?o }", None)
    assert [q.summary for q in load_catalogue(folder, check_queries=False)] == ["A test question"]
    assert len(list((tmp_path / "cache").glob("headers-*.json"))) == 1
    path.write_text(path.read_text(encoding="utf-8").replace("A test question", "Another question"), encoding="utf-8")
    headers = load_catalogue(folder, check_queries=False)
    full = load_catalogue(folder)
    assert [q.summary for q in headers] == [q.summary for q in full] == ["Another question"]
    assert [q.text for q in headers] == [q.text for q in full]


# ------------------------------------------------------------------------------------------------------------
# Bad catalogue files: one-line file:line errors
# ------------------------------------------------------------------------------------------------------------


def test_the_invalid_cases_are_there():
    assert len(INVALID) >= 8


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in INVALID])
def test_invalid_question_files(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must say what it expects on its first line"
    expected = first[len("# expect: "):]
    with pytest.raises(SyntaxInputError) as caught:
        parse_question(path)
    assert f"{path.name}:{expected}" in caught.value.message
    assert "\n" not in caught.value.message
