"""The engines: same question, same answer; parameters bound alike by the three mechanisms; the wall-clock
limit; the default graph never a union; non-ASCII byte-exact; reasoning on a copy; the on-disk store."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from support.loading import file_quads, server_with

from rtopkg.catalogue import Question, find_question
from rtopkg.cli import cli
from rtopkg.engines import OxigraphEngine, RdflibEngine, open_engine, run_question
from rtopkg.errors import InputError, LimitExceeded
from rtopkg.paths import project
from rtopkg.remote import RemoteEngine
from rtopkg.results import comparable_rows

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "engines"
HAS_REASON = importlib.util.find_spec("rtopkg.reason") is not None
needs_reason = pytest.mark.skipif(not HAS_REASON, reason="rtopkg.reason (another area's module) is not there yet")
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def local():
    return {"oxigraph": OxigraphEngine.project(), "rdflib": RdflibEngine.project()}


@pytest.fixture(scope="module")
def server():
    with server_with(file_quads(project().graph_files())) as running:
        yield running


@pytest.fixture(scope="module")
def every(local, server):
    return {**local, "remote": RemoteEngine(server.query_url)}


# ------------------------------------------------------------------------------------------------------------
# Same question, same answer; the three binding mechanisms agree
# ------------------------------------------------------------------------------------------------------------

AD_HOC = [
    "SELECT ?class (COUNT(?sub) AS ?n) WHERE { ?sub <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?class } "
    "GROUP BY ?class",
    "SELECT ?c ?label WHERE { ?c a <http://www.w3.org/2002/07/owl#Class> OPTIONAL { ?c <http://www.w3.org/2004/02/"
    "skos/core#altLabel> ?label } }",
    "ASK { <https://w3id.org/rtopkg/vocab/pillar/1> ?p ?o }",
    "ASK { <https://w3id.org/rtopkg/vocab/pillar/9> ?p ?o }",
    "CONSTRUCT { ?p <http://example.org/label> ?l } WHERE { ?p <http://www.w3.org/2004/02/skos/core#inScheme> "
    "<https://w3id.org/rtopkg/vocab/pillar> ; <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }",
    "SELECT ?x WHERE { ?x ?p ?o } LIMIT 0",
    "SELECT ?p ?l WHERE { ?p skos:inScheme vocab:pillar ; skos:prefLabel ?l }",  # project prefixes predeclared
]


@pytest.mark.parametrize("text", AD_HOC, ids=[f"adhoc-{i}" for i in range(len(AD_HOC))])
def test_engines_agree_on_ad_hoc_queries(every, text):
    results = {name: engine.query(text, timeout=60) for name, engine in every.items()}
    first = results["oxigraph"]
    for name, result in results.items():
        assert result.boolean == first.boolean, name
        assert result.variables == first.variables or first.boolean is not None, name
        assert comparable_rows(result, False) == comparable_rows(first, False), name


KINDS = ["Event", "Meeting", "Actor", "Publication", "rto:Place", "<https://w3id.org/rtopkg/ontology#Actor>", "Organ"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_three_binding_mechanisms_agree(every, kind):
    """Substitutions (Oxigraph), initBindings (rdflib) and a VALUES block (server) give the same rows."""
    question = find_question("event-kinds")
    rows = {name: comparable_rows(run_question(question, {"kind": kind}, engine, reason="none", timeout=60), True)
            for name, engine in every.items()}
    assert rows["oxigraph"] == rows["rdflib"] == rows["remote"]
    assert bool(rows["oxigraph"]) == (kind != "Organ")  # rto:Organ has no kinds of its own


def test_a_parameter_must_be_selected(local):
    question = Question("hidden", None, "SELECT ?label WHERE { ?kind <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
                        params=None)
    for engine in local.values():
        with pytest.raises(InputError, match=r"parameter 'kind' must be selected \(SELECT \.\.\. \?kind"):
            run_question(question, {"kind": "rto:Event"}, engine)


# ------------------------------------------------------------------------------------------------------------
# The wall-clock limit
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_an_explosive_query_hits_the_limit_and_the_engine_stays_usable(local, engine):
    question = Question("explosive", None, EXPLOSIVE, summary="a cross product", params=())
    question.path = ROOT / "queries" / "explosive.rq"  # for the label only
    with pytest.raises(LimitExceeded) as caught:
        run_question(question, {}, local[engine], timeout=1)
    assert "question 'explosive' stopped after the wall-clock limit of 1 s" in caught.value.message
    # the engine and its graph are intact
    assert local[engine].query("ASK { ?s ?p ?o }", timeout=30).boolean is True


def test_cli_limit_exit_3(runner):
    result = runner.invoke(cli, ["query", "--sparql", EXPLOSIVE, "--timeout", "1"])
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.strip() == "rtopkg: the query stopped after the wall-clock limit of 1 s (set --timeout or " \
                                    "RTOPKG_TIMEOUT to change it)"


# ------------------------------------------------------------------------------------------------------------
# The default graph is never a union with named graphs
# ------------------------------------------------------------------------------------------------------------

EVERYTHING = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_named_graphs_do_not_leak_into_the_default_graph(engine):
    chosen = open_engine(engine, data=[DATA / "named-graphs.trig"])
    rows = chosen.query(EVERYTHING).rows
    assert rows == [("<http://example.org/public>", "<http://example.org/says>", '"visible"')]
    named = chosen.query("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    assert named == [('"in a named graph"',)]  # still there, when asked for by GRAPH


def test_named_graphs_do_not_leak_from_an_on_disk_store(tmp_path):
    from rtopkg.store import build_store

    build_store(tmp_path / "store", [DATA / "named-graphs.trig"])
    rows = OxigraphEngine.open(tmp_path / "store").query(EVERYTHING).rows
    assert rows == [("<http://example.org/public>", "<http://example.org/says>", '"visible"')]


# ------------------------------------------------------------------------------------------------------------
# Encoding: non-ASCII names round-trip byte for byte
# ------------------------------------------------------------------------------------------------------------

NAMES_QUERY = "SELECT ?who ?name WHERE { ?who <http://example.org/name> ?name } ORDER BY ?name"


def _expected_names() -> list[str]:
    quads = list(ox.parse(path=str(DATA / "names.ttl")))
    return sorted(q.object.value for q in quads)


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib", "remote"])
@pytest.mark.parametrize("fmt", ["tsv", "csv", "json"])
def test_non_ascii_round_trips_byte_exact(runner, engine, fmt, tmp_path):
    expected = _expected_names()
    assert "Mónica Serrano" in expected and any(ord(c) > 0xFFFF for name in expected for c in name)
    args = ["query", "--sparql", NAMES_QUERY, "--format", fmt]
    if engine == "remote":
        with server_with(list(ox.parse(path=str(DATA / "names.ttl")))) as running:
            result = runner.invoke(cli, args + ["--endpoint", running.query_url])
    else:
        result = runner.invoke(cli, args + ["--engine", engine, "--data", str(DATA / "names.ttl")])
    assert result.exit_code == 0, result.stderr
    raw = result.stdout_bytes
    for name in expected:
        assert name.encode("utf-8") in raw
    if fmt == "json":
        doc = json.loads(raw.decode("utf-8"))
        assert [b["name"]["value"] for b in doc["results"]["bindings"]] == sorted(expected)


# ------------------------------------------------------------------------------------------------------------
# Reasoning on a copy
# ------------------------------------------------------------------------------------------------------------


@needs_reason
@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_reasoning_happens_on_a_copy_and_adds_the_closure(local, engine):
    question = find_question("event-kinds")
    before = local[engine].query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
    without = run_question(question, {}, local[engine], reason="none")
    with_rules = run_question(question, {}, local[engine], reason="rules")
    after = local[engine].query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
    assert before == after  # the loaded graph did not change
    kinds_without = {row[1] for row in without.rows}
    kinds_with = {row[1] for row in with_rules.rows}
    meeting_kinds = {f"<https://w3id.org/rtopkg/ontology#{k}>" for k in
                     ("Conference", "Forum", "Seminar", "Roundtable", "Course", "Panel", "Workshop", "Symposium",
                      "Dialogue")}
    assert kinds_with - kinds_without == meeting_kinds
    assert kinds_without < kinds_with


@needs_reason
@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_actor_events_need_the_sub_property_closure(local, engine):
    """Roles are sub-properties of rto:involves: without the closure no event is found, with it the golden."""
    from rtopkg.results import read_tsv

    question = find_question("actor-events")
    assert run_question(question, {}, local[engine], reason="none").rows == []
    closed = run_question(question, {}, local[engine])  # the question declares the rules closure
    assert closed.rows == read_tsv(ROOT / "queries" / "actor-events.tsv").rows
    assert len(closed.rows) >= 5


@needs_reason
@pytest.mark.parametrize("profile", ["rdfs"])  # owlrl gives the same (tests/test_reason.py), in 25 s
def test_the_full_profiles_give_the_same_kinds(local, profile):
    question = find_question("event-kinds")
    rules = {row[1] for row in run_question(question, {}, local["oxigraph"], reason="rules").rows}
    other = {row[1] for row in run_question(question, {}, local["rdflib"], reason=profile, timeout=300).rows}
    assert other == rules


def test_reasoning_is_refused_on_a_remote_endpoint(server):
    question = find_question("event-kinds")
    with pytest.raises(InputError, match="needs a local engine"):
        run_question(question, {}, RemoteEngine(server.query_url), reason="rules")
    # asked as declared, a note says the endpoint must hold the closure
    result = run_question(question, {}, RemoteEngine(server.query_url))
    assert result.notes and "expects the rules closure" in result.notes[0]


# ------------------------------------------------------------------------------------------------------------
# The on-disk store
# ------------------------------------------------------------------------------------------------------------


def test_store_load_query_and_staleness(runner, tmp_path):
    data = tmp_path / "data.ttl"
    data.write_text((DATA / "names.ttl").read_text(encoding="utf-8"), encoding="utf-8")
    store = tmp_path / "store"
    loaded = runner.invoke(cli, ["store", "load", "--store", str(store), str(data)])
    assert loaded.exit_code == 0, loaded.stderr
    assert "loaded 5 quads from 1 files" in loaded.stdout
    info = runner.invoke(cli, ["store", "info", "--store", str(store), "--format", "json"])
    assert info.exit_code == 0 and json.loads(info.stdout)["fresh"] is True
    on_disk = runner.invoke(cli, ["query", "--sparql", NAMES_QUERY, "--format", "tsv", "--store", str(store)])
    in_memory = runner.invoke(cli, ["query", "--sparql", NAMES_QUERY, "--format", "tsv", "--data", str(data)])
    assert on_disk.exit_code == 0 and on_disk.stdout_bytes == in_memory.stdout_bytes

    data.write_text(data.read_text(encoding="utf-8") + '<http://example.org/x> <http://example.org/name> "new" .\n',
                    encoding="utf-8")
    stale = runner.invoke(cli, ["query", "--sparql", NAMES_QUERY, "--store", str(store)])
    assert stale.exit_code == 2 and stale.stdout == ""
    assert f"is stale ({data} changed); reload it with: rtopkg store load --store {store}" in stale.stderr
    assert runner.invoke(cli, ["store", "info", "--store", str(store)]).exit_code == 1
    reloaded = runner.invoke(cli, ["store", "load", "--store", str(store), str(data)])
    assert reloaded.exit_code == 0 and "loaded 6 quads" in reloaded.stdout


def test_store_of_the_project_graph_answers_like_memory(tmp_path):
    from rtopkg.store import build_store

    info = build_store(tmp_path / "store")
    assert info.project and info.fresh
    names = {entry["path"] for entry in info.files}
    assert "ontology/rtopkg.ttl" in names and len(names) == len(project().graph_files())
    question = find_question("mandate-types")
    on_disk = run_question(question, {}, OxigraphEngine.open(tmp_path / "store"))
    in_memory = run_question(question, {}, OxigraphEngine.project())
    assert on_disk.rows == in_memory.rows and on_disk.rows


def test_a_broken_file_leaves_the_old_store(tmp_path):
    from rtopkg.errors import SyntaxInputError
    from rtopkg.store import build_store, store_info

    good = tmp_path / "good.ttl"
    good.write_text('<http://example.org/a> <http://example.org/b> "c" .\n', encoding="utf-8")
    build_store(tmp_path / "store", [good])
    bad = tmp_path / "bad.ttl"
    bad.write_text('<http://example.org/a> <http://example.org/b> "c .\n', encoding="utf-8")
    with pytest.raises(SyntaxInputError, match="bad.ttl:1"):
        build_store(tmp_path / "store", [good, bad])
    assert store_info(tmp_path / "store").quads == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.ttl", "good.ttl", "store"]


def test_store_refuses_to_replace_a_folder_it_did_not_make(tmp_path):
    from rtopkg.store import build_store

    (tmp_path / "precious").mkdir()
    (tmp_path / "precious" / "thesis.txt").write_text("do not delete", encoding="utf-8")
    with pytest.raises(InputError, match="not an rtopkg store; refusing to replace it"):
        build_store(tmp_path / "precious", [DATA / "names.ttl"])
    assert (tmp_path / "precious" / "thesis.txt").read_text(encoding="utf-8") == "do not delete"


def test_query_store_that_does_not_exist(runner, tmp_path):
    result = runner.invoke(cli, ["query", "pillars", "--store", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "no such store; create it with: rtopkg store load" in result.stderr


# ------------------------------------------------------------------------------------------------------------
# Labels beside IRIs
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib", "remote"])
def test_labels_prefer_english_preferred_labels(every, engine):
    labels = every[engine].labels(["https://w3id.org/rtopkg/vocab/pillar/2", "https://w3id.org/rtopkg/ontology#Organ",
                                   "https://example.org/unknown"])
    assert labels == {"https://w3id.org/rtopkg/vocab/pillar/2": "International assistance and capacity-building",
                      "https://w3id.org/rtopkg/ontology#Organ": "organ or body of an organisation"}


# ------------------------------------------------------------------------------------------------------------
# The start-up cache is keyed by content: it never gives an answer from other data
# ------------------------------------------------------------------------------------------------------------


def test_the_cache_follows_the_content_of_the_files(tmp_path, monkeypatch):
    import shutil

    home = tmp_path / "project"
    shutil.copytree(ROOT / "ontology", home / "ontology")
    (home / "data").mkdir()
    data = home / "data" / "one.ttl"
    data.write_text('<https://w3id.org/rtopkg/id/actor/x> <http://www.w3.org/2004/02/skos/core#prefLabel> "first"@en .\n',
                    encoding="utf-8")
    monkeypatch.setenv("RTOPKG_HOME", str(home))
    monkeypatch.setenv("RTOPKG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("RTOPKG_CACHE", raising=False)
    query = "SELECT ?l WHERE { <https://w3id.org/rtopkg/id/actor/x> ?p ?l }"

    first = OxigraphEngine.project()
    assert first.query(query).rows == [('"first"@en',)]
    cached = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert len(cached) == 1 and cached[0].startswith("store-")
    again = OxigraphEngine.project()  # opened from the cache
    assert again.query(query).rows == [('"first"@en',)]

    data.write_text(data.read_text(encoding="utf-8").replace('"first"', '"second"'), encoding="utf-8")
    changed = OxigraphEngine.project()
    assert changed.query(query).rows == [('"second"@en',)]
    assert len(list((tmp_path / "cache").glob("store-*"))) == 2

    (tmp_path / "cache" / cached[0] / "CURRENT").write_text("garbage", encoding="utf-8")  # damage an entry
    data.write_text(data.read_text(encoding="utf-8").replace('"second"', '"first"'), encoding="utf-8")
    assert OxigraphEngine.project().query(query).rows == [('"first"@en',)]

    monkeypatch.setenv("RTOPKG_CACHE", "0")
    before = sorted(p.name for p in (tmp_path / "cache").iterdir())
    data.write_text(data.read_text(encoding="utf-8").replace('"first"', '"third"'), encoding="utf-8")
    assert OxigraphEngine.project().query(query).rows == [('"third"@en',)]
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == before
