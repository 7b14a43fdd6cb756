"""Reasoning: the rule closure, owlrl on a copy, the projection they agree on, imports, limits and the CLI.

Each case in ``tests/data/reason/`` is a TriG file: its default graph is the input, its graph
``<urn:x-rtopkg:expected>`` holds, written by hand, exactly the triples the rule set adds, and its first line
names the rules the case exercises. owlrl checks the hand-written answers independently.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from rtopkg.cli import cli
from rtopkg.errors import LimitExceeded, RefusedError
from rtopkg.owl import hermit_available
from rtopkg.reason import (PROFILES, _Terms, check_imports, inferred_triples, materialise_graph, materialise_store,
                           serialize_triples)
from rtopkg.rules import RULES, projection

CASES_DIR = Path(__file__).resolve().parent / "data" / "reason"
CASES = sorted(CASES_DIR.glob("*.trig"))
EXPECTED = ox.NamedNode("urn:x-rtopkg:expected")
ORG = "http://www.w3.org/ns/org#"
RTO = "https://w3id.org/rtopkg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
ACTOR = "https://w3id.org/rtopkg/id/actor/"
EX = "https://example.org/"


# ------------------------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------------------------


def load_case(path: Path) -> tuple[list[ox.Triple], set[tuple], list[str]]:
    """(input triples, expected inferred triples, the rules the case names)."""
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TRIG))
    given = [ox.Triple(q.subject, q.predicate, q.object) for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
    expected = {(q.subject, q.predicate, q.object) for q in quads if q.graph_name == EXPECTED}
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# rules: "), f"{path.name}: the first line must name the rules"
    return given, expected, first[len("# rules: "):].split()


def store_of(triples) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(t[0], t[1], t[2]) for t in triples)
    return store


def triples_of(store: ox.Store) -> set[tuple]:
    return {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, None)}


def graph_of(triples, terms: _Terms) -> Graph:
    graph = Graph()
    for t in triples:
        graph.add((terms.to_rd(t[0]), terms.to_rd(t[1]), terms.to_rd(t[2])))
    return graph


def ox_triples(graph: Graph, terms: _Terms) -> list[ox.Triple]:
    return [ox.Triple(terms.to_ox(s), terms.to_ox(p), terms.to_ox(o)) for s, p, o in graph
            if not isinstance(s, Literal)]


def show(triples, limit: int = 25) -> str:
    lines = sorted(f"{s} {p} {o}" for s, p, o in triples)
    return "\n  ".join(lines[:limit]) + (f"\n  ... and {len(lines) - limit} more" if len(lines) > limit else "")


def assert_same(found: set, expected: set, what: str) -> None:
    missing, extra = expected - found, found - expected
    assert not missing and not extra, (f"{what}: {len(missing)} expected triples missing:\n  {show(missing)}\n"
                                       f"{len(extra)} unexpected triples:\n  {show(extra)}")


def same_as_chain(n: int) -> Graph:
    """n owl:sameAs links in a chain: owlrl takes 2.8 s for 25, 21 s for 50, 137 s for 100 (cubic)."""
    graph = Graph()
    for i in range(n):
        graph.add((URIRef(f"{EX}n{i}"), OWL.sameAs, URIRef(f"{EX}n{i + 1}")))
    return graph


# ------------------------------------------------------------------------------------------------------------
# The rule set, case by case
# ------------------------------------------------------------------------------------------------------------


def test_cases_cover_every_rule():
    assert len(CASES) == 13
    named = set()
    total = 0
    for path in CASES:
        given, expected, rules = load_case(path)
        named |= set(rules)
        total += len(expected)
    assert total == 77, "the cases' expected triples were added or removed: update this count"
    assert named == set(RULES), f"rules without a case: {set(RULES) - named}; unknown names: {named - set(RULES)}"


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in CASES])
def test_rules_add_exactly_the_expected_triples(path: Path):
    given, expected, _ = load_case(path)
    assert given and expected
    store = store_of(given)
    before = triples_of(store)
    added = inferred_triples(store, "rules")
    assert triples_of(store) == before, "inferred_triples changed its input store"
    assert len(added) == len(set(added)), "a triple was reported twice"
    found = {(t.subject, t.predicate, t.object) for t in added}
    assert_same(found, expected, f"{path.name} ({len(expected)} expected)")
    assert not found & set(before)


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in CASES])
def test_store_and_graph_paths_agree(path: Path):
    """materialise_store (Oxigraph) and materialise_graph (rdflib in, rdflib out) give input + expected."""
    given, expected, _ = load_case(path)
    store = store_of(given)
    closed = materialise_store(store, "rules")
    assert closed is not store
    assert_same(triples_of(closed), {(t.subject, t.predicate, t.object) for t in given} | expected, path.name)

    terms = _Terms()
    graph = graph_of(given, terms)
    result = materialise_graph(graph, "rules")
    assert result is not graph
    want = graph_of(list(given) + list(expected), terms)
    assert len(result) == len(want)
    assert set(result) == set(want)  # the same blank nodes, not only an isomorphic graph


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in CASES])
def test_owlrl_agrees_with_the_hand_written_answer(path: Path):
    """owlrl's OWL 2 RL closure, projected, is the input plus exactly the expected triples, projected."""
    given, expected, _ = load_case(path)
    terms = _Terms()
    closed = materialise_graph(graph_of(given, terms), "owlrl", timeout=60)
    by_owlrl = projection(ox_triples(closed, terms))
    by_hand = projection([ox.Triple(*t) for t in expected] + given)
    assert_same(by_owlrl, by_hand, f"{path.name}: owlrl projection vs input + expected")


# ------------------------------------------------------------------------------------------------------------
# The project's graph: rules == owlrl (projected), and a question that needs the closure
# ------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project_closures(project_graph):
    terms = _Terms()
    rules = materialise_graph(project_graph, "rules", timeout=300)
    owlrl = materialise_graph(project_graph, "owlrl", timeout=300)
    return project_graph, rules, owlrl, terms


def test_rules_equal_owlrl_on_the_project_graph(project_closures):
    graph, rules, owlrl, terms = project_closures
    # The rule set has no equality rules: owl:sameAs in the data would be a difference to add rules for.
    assert (None, OWL.sameAs, None) not in graph
    by_rules = projection(ox_triples(rules, terms))
    by_owlrl = projection(ox_triples(owlrl, terms))
    assert_same(by_rules, by_owlrl, "rules closure vs owlrl OWLRL_Semantics (projected)")
    inferred = by_rules - projection(ox_triples(graph, terms))
    predicates = {p.value for _, p, _ in inferred}
    types = {o.value for _, p, o in inferred if p.value == str(RDF.type)}
    # The closure the stored questions need is really there (each kind at least once).
    for needed in (ORG + "hasUnit", ORG + "transitiveSubOrganizationOf", SKOS + "narrower", RTO + "involves",
                   PROV + "wasAssociatedWith"):
        assert needed in predicates, f"the closure adds no {needed} triple"
    assert ORG + "Organization" in types
    assert len(inferred) > 1000


def test_a_question_needs_the_closure(project_closures):
    """'Which bodies are part of the OAS, directly or through another body?' -- empty without the closure."""
    project_graph, _, owlrl, _ = project_closures
    question = f"SELECT ?body WHERE {{ ?body <{ORG}transitiveSubOrganizationOf> <{ACTOR}oas> }}"
    store = store_of(ox_triples(project_graph, _Terms()))
    without = {row["body"].value for row in store.query(question)}
    closed = materialise_store(store, "rules")
    with_rules = {row["body"].value for row in closed.query(question)}
    with_owlrl = {str(row[0]) for row in owlrl.query(question)}
    # The answer, walked by hand over the stated part-of links (org:unitOf and org:subOrganizationOf).
    parts = {str(s): str(o) for p in ("unitOf", "subOrganizationOf")
             for s, o in project_graph.subject_objects(URIRef(ORG + p))}
    below: set[str] = set()
    frontier = {ACTOR + "oas"}
    while frontier:
        frontier = {s for s, o in parts.items() if o in frontier} - below
        below |= frontier
    direct = {s for s, o in parts.items() if o == ACTOR + "oas"}
    assert without == set()
    assert len(below) > len(direct) >= 1, "the data no longer has a body two steps below the OAS"
    assert with_rules == below
    assert with_owlrl == below


# ------------------------------------------------------------------------------------------------------------
# Never changing the input
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_the_input_graph_is_never_changed(profile):
    given, expected, _ = load_case(CASES_DIR / "organ-of-fixpoint.trig")
    terms = _Terms()
    graph = graph_of(given, terms)
    copy = Graph()
    copy += graph
    for timeout in (0, 60):  # in this process, and in a child
        result = materialise_graph(graph, profile, timeout=timeout)
        assert len(graph) == len(copy) == len(given)
        assert isomorphic(graph, copy)
        assert len(result) > len(graph)


@pytest.mark.parametrize("profile", PROFILES)
def test_the_input_store_is_never_changed(profile):
    given, _, _ = load_case(CASES_DIR / "organ-of-fixpoint.trig")
    store = store_of(given)
    before = triples_of(store)
    closed = materialise_store(store, profile, timeout=60)
    assert triples_of(store) == before
    assert len(triples_of(closed)) > len(before)


def test_named_graphs_are_copied_not_reasoned_over():
    given, _, _ = load_case(CASES_DIR / "unit-of-has-unit.trig")
    store = store_of(given)
    g = ox.NamedNode("https://example.org/g")
    stated = ox.Quad(ox.NamedNode(ACTOR + "x"), ox.NamedNode(ORG + "unitOf"), ox.NamedNode(ACTOR + "y"), g)
    store.add(stated)
    closed = materialise_store(store, "rules")
    assert stated in closed
    assert not list(closed.quads_for_pattern(ox.NamedNode(ACTOR + "y"), None, None, None))


# ------------------------------------------------------------------------------------------------------------
# owl:imports
# ------------------------------------------------------------------------------------------------------------


class _Counting(http.server.SimpleHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802
        type(self).requests.append(self.path)
        body = (f"<{EX}imported> <{RDF.type}> <{OWL.Ontology}> .\n"
                f"<{EX}A> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{EX}B> .\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/n-triples")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def ontology_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that serves one small ontology and records every request."""
    _Counting.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/imported.nt", _Counting.requests
    finally:
        server.shutdown()
        server.server_close()


def importing_graph(url: str, *, loaded: bool = False) -> Graph:
    graph = Graph()
    graph.add((URIRef(EX + "mine"), RDF.type, OWL.Ontology))
    graph.add((URIRef(EX + "mine"), OWL.imports, URIRef(url)))
    graph.add((URIRef(EX + "x"), RDF.type, URIRef(EX + "A")))
    if loaded:
        graph.add((URIRef(url), RDF.type, OWL.Ontology))
    return graph


@pytest.mark.parametrize("profile", PROFILES)
def test_imports_are_refused_and_not_fetched(ontology_server, profile):
    url, requests = ontology_server
    graph = importing_graph(url)
    with pytest.raises(RefusedError, match="owl:imports") as caught:
        materialise_graph(graph, profile, timeout=60)
    assert url in str(caught.value) and "--allow-imports" in str(caught.value)
    with pytest.raises(RefusedError):
        materialise_store(store_of(ox_triples(graph, _Terms())), profile, timeout=60)
    assert requests == []


@pytest.mark.parametrize("profile", PROFILES)
def test_loaded_imports_are_not_fetched(ontology_server, profile):
    """An import whose ontology is loaded beside it is fine, and owlrl does not follow it either."""
    url, requests = ontology_server
    result = materialise_graph(importing_graph(url, loaded=True), profile, timeout=60)
    assert (URIRef(EX + "x"), RDF.type, URIRef(EX + "B")) not in result
    assert requests == []


@pytest.mark.parametrize("profile", PROFILES)
def test_allowed_imports_are_fetched_and_used(ontology_server, profile):
    url, requests = ontology_server
    graph = importing_graph(url)
    result = materialise_graph(graph, profile, timeout=60, allow_imports=True)
    assert (URIRef(EX + "x"), RDF.type, URIRef(EX + "B")) in result  # needs the imported axiom
    assert (URIRef(EX + "A"), URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf"), URIRef(EX + "B")) in result
    assert requests == ["/imported.nt"]
    assert (URIRef(EX + "x"), RDF.type, URIRef(EX + "B")) not in graph


def test_check_imports_on_a_store(ontology_server):
    url, requests = ontology_server
    store = store_of(ox_triples(importing_graph(url), _Terms()))
    with pytest.raises(RefusedError):
        check_imports(store)
    fetched = check_imports(store, allow_imports=True, timeout=30)
    assert len(fetched) == 2 and len(requests) == 1


def test_cli_refuses_imports(runner, tmp_path, ontology_server):
    url, requests = ontology_server
    path = tmp_path / "importing.nt"
    importing_graph(url).serialize(path, format="nt", encoding="utf-8")
    result = runner.invoke(cli, ["reason", str(path)])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "owl:imports" in result.stderr
    assert requests == []


# ------------------------------------------------------------------------------------------------------------
# Wall-clock limits
# ------------------------------------------------------------------------------------------------------------


def test_runaway_owlrl_hits_the_limit_and_we_carry_on():
    graph = same_as_chain(200)
    with pytest.raises(LimitExceeded, match=r"owlrl OWL 2 RL closure\) stopped after the wall-clock limit of 2 s"):
        materialise_graph(graph, "owlrl", timeout=2)
    assert len(graph) == 200  # untouched
    # Still responsive: the same process reasons on at once.
    given, expected, _ = load_case(CASES_DIR / "transitive-chain.trig")
    added = {(t.subject, t.predicate, t.object) for t in inferred_triples(store_of(given), "rules", timeout=60)}
    assert added == expected


def test_runaway_rules_hit_the_limit():
    """A 3,000-link transitive chain has 4.5 million triples in its closure: the rules stop at the deadline."""
    t = ox.NamedNode(EX + "t")
    store = ox.Store()
    store.add(ox.Quad(t, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(OWL.TransitiveProperty))))
    store.extend(ox.Quad(ox.NamedNode(f"{EX}n{i}"), t, ox.NamedNode(f"{EX}n{i + 1}")) for i in range(3000))
    with pytest.raises(LimitExceeded, match=r"rules profile\) stopped after the wall-clock limit of 1 s"):
        materialise_store(store, "rules", timeout=1)
    assert len(store) == 3001


def test_cli_runaway_exits_3(runner, tmp_path):
    path = tmp_path / "same-as-chain.nt"
    same_as_chain(200).serialize(path, format="nt", encoding="utf-8")
    result = runner.invoke(cli, ["reason", "--profile", "owlrl", "--timeout", "2", str(path)])
    assert result.exit_code == 3
    assert result.stderr.strip().count("\n") == 0
    assert "wall-clock limit of 2 s" in result.stderr


# ------------------------------------------------------------------------------------------------------------
# The command line
# ------------------------------------------------------------------------------------------------------------


@pytest.fixture()
def organiser_file(tmp_path) -> tuple[Path, set[tuple]]:
    given, expected, _ = load_case(CASES_DIR / "organiser-is-involved.trig")
    path = tmp_path / "organiser.ttl"
    path.write_bytes(serialize_triples(given, "turtle"))
    return path, expected


def parse_nt(text: str) -> set[tuple]:
    return {(t.subject, t.predicate, t.object) for t in ox.parse(text.encode(), format=ox.RdfFormat.N_TRIPLES)}


@pytest.mark.parametrize("profile", PROFILES)
def test_cli_each_profile(runner, organiser_file, profile):
    path, expected = organiser_file
    result = runner.invoke(cli, ["reason", "--profile", profile, "--only-inferred", "--format", "ntriples", str(path)])
    assert result.exit_code == 0, result.stderr
    found = parse_nt(result.stdout)
    if profile == "rules":
        assert found == expected
    else:  # RDFS and OWL 2 RL both have the sub-property rule, and add more (their axioms)
        assert expected <= found and len(found) > len(expected)
    assert f"({profile} profile" in result.stderr


def test_cli_full_closure_turtle_and_ntriples_agree(runner, organiser_file, tmp_path):
    path, expected = organiser_file
    given = {(t.subject, t.predicate, t.object) for t in ox.parse(path=str(path))}
    out = tmp_path / "closure.nt"
    result = runner.invoke(cli, ["reason", "--format", "ntriples", "--out", str(out), str(path)])
    assert result.exit_code == 0 and result.stdout == ""
    assert parse_nt(out.read_text(encoding="utf-8")) == given | expected
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)
    turtle = runner.invoke(cli, ["reason", str(path)])
    assert turtle.exit_code == 0
    assert {(t.subject, t.predicate, t.object)
            for t in ox.parse(turtle.stdout.encode(), format=ox.RdfFormat.TURTLE)} == given | expected


@pytest.mark.parametrize("fmt", ["turtle", "ntriples"])
def test_cli_output_is_deterministic(runner, fmt):
    """The project's graph (with blank nodes, parsed afresh each time) gives the same bytes twice."""
    first = runner.invoke(cli, ["reason", "--format", fmt])
    second = runner.invoke(cli, ["reason", "--format", fmt])
    assert first.exit_code == 0 and second.exit_code == 0
    assert "_:" in first.stdout or "[" in first.stdout
    assert first.stdout == second.stdout


def test_cli_bad_input_is_one_line_exit_2(runner, tmp_path):
    path = tmp_path / "broken.ttl"
    path.write_text("<https://example.org/a> <https://example.org/p> .\n", encoding="utf-8")
    result = runner.invoke(cli, ["reason", str(path)])
    assert result.exit_code == 2
    assert "broken.ttl:1" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_cli_owlrl_reports_inconsistencies(runner, tmp_path):
    path = tmp_path / "disjoint.ttl"
    path.write_text(f"""@prefix owl: <http://www.w3.org/2002/07/owl#> .
<{EX}A> owl:disjointWith <{EX}B> .
<{EX}x> a <{EX}A>, <{EX}B> .
""", encoding="utf-8")
    result = runner.invoke(cli, ["reason", "--profile", "owlrl", "--only-inferred", str(path)])
    assert result.exit_code == 0
    assert "owlrl reported 1 inconsistencies" in result.stderr and "Disjoint classes" in result.stderr


@pytest.mark.java
def test_cli_hermit_consistent(runner):
    reason = hermit_available()
    if reason:
        pytest.skip(f"HermiT cannot run: {reason}")
    result = runner.invoke(cli, ["reason", "--hermit"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("consistent:")


@pytest.mark.java
def test_cli_hermit_inconsistent(runner, root, tmp_path):
    reason = hermit_available()
    if reason:
        pytest.skip(f"HermiT cannot run: {reason}")
    path = tmp_path / "double-kind.ttl"
    path.write_text(f"<{ACTOR}test-double-kind> a <{RTO}Person>, <{RTO}State> .\n", encoding="utf-8")
    result = runner.invoke(cli, ["reason", "--hermit", str(root / "ontology"), str(path)])
    assert result.exit_code == 1
    assert "inconsistent" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_cli_hermit_cannot_run_is_exit_2(runner, monkeypatch, organiser_file):
    monkeypatch.setenv("PATH", "/nonexistent")
    result = runner.invoke(cli, ["reason", "--hermit", str(organiser_file[0])])
    assert result.exit_code == 2
    assert "cannot run HermiT" in result.stderr


def test_cli_hermit_writes_no_graph(runner):
    result = runner.invoke(cli, ["reason", "--hermit", "--only-inferred"])
    assert result.exit_code == 2 and "--only-inferred" in result.stderr


def test_rules_path_does_not_import_rdflib(tmp_path):
    """materialise_store with the rules profile, and the writer, stay on the fast path (no rdflib, no owlrl)."""
    import subprocess
    import sys

    code = f"""
import sys
import pyoxigraph as ox
from rtopkg.reason import materialise_store, serialize_triples
store = ox.Store()
store.extend(ox.parse(path={str(CASES_DIR / 'organ-of-fixpoint.trig')!r}, format=ox.RdfFormat.TRIG))
closed = materialise_store(store, "rules", timeout=30)
serialize_triples(closed.quads_for_pattern(None, None, None, ox.DefaultGraph()), "ntriples")
print(len(closed), sorted(m for m in ("rdflib", "owlrl", "pyshacl") if m in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    count, modules = done.stdout.split(" ", 1)
    assert int(count) > 0 and modules.strip() == "[]"
