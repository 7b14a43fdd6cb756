"""``rtopkg export``: every format parses back to the same graph with two (for JSON-LD three) independent
parsers, byte-exact for non-ASCII text; the named-graph split; the same bytes on every run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from rtopkg.canonical import canonicalize, nt_quad
from rtopkg.cli import cli
from rtopkg.export import (FORMATS, GRAPH_DATA, GRAPH_ONTOLOGY, GRAPH_PROVENANCE, GRAPHS, PROVENANCE_CLASSES,
                           export, load_dataset)
from rtopkg.fmt import format_turtle
from rtopkg.load import parse_file, to_rdflib
from rtopkg.paths import Project

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAMPLE = HERE / "data" / "export" / "sample.ttl"
OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
              "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig", "jsonld": "json-ld",
                  "rdfxml": "xml"}
NAMES = ("Mónica Serrano", "Fundación para la Paz y la Democracia")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def exact(triples) -> set[str]:
    """A graph as canonical N-Triples lines (RDFC-1.0 labels, lexical forms exactly as parsed)."""
    quads = (ox.Quad(t[0], t[1], t[2]) for t in triples)
    return {nt_quad(q.subject, q.predicate, q.object) for q in canonicalize(quads)}


def parse_ox(path: Path, name: str) -> list:
    return list(ox.parse(path.read_bytes(), OX_FORMATS[name], base_iri=None))


def refuse_remote(url, options=None):
    from pyld import jsonld

    raise jsonld.JsonLdError(f"refused to fetch {url}", "jsonld.LoadDocumentError", {"url": url},
                             code="loading document failed")


def make_project(root: Path, data: list[Path]) -> Project:
    shutil.copytree(ROOT / "ontology", root / "ontology")
    (root / "data").mkdir(parents=True)
    for path in data:
        shutil.copy(path, root / "data" / path.name)
    return Project(root)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    """The project's graph exported in every format (with a SPARQL endpoint in the catalogue)."""
    out = tmp_path_factory.mktemp("export")
    export(out, list(FORMATS), sparql_endpoint="https://example.org/sparql")
    return out


@pytest.fixture(scope="module")
def source():
    return load_dataset()


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> Project:
    return make_project(tmp_path_factory.mktemp("mini"), [SAMPLE])


def test_all_files_written(exported: Path):
    names = sorted(p.name for p in exported.iterdir())
    assert names == sorted([f.filename for f in FORMATS.values()] + ["catalog.ttl", "dataset.jsonld"])


@pytest.mark.parametrize("name", list(FORMATS))
def test_round_trip_with_oxigraph(exported: Path, source, name: str):
    quads = parse_ox(exported / FORMATS[name].filename, name)
    assert exact((q.subject, q.predicate, q.object) for q in quads) == exact(source.union)


@pytest.mark.parametrize("name", list(FORMATS))
def test_round_trip_with_rdflib(exported: Path, source, name: str):
    path = exported / FORMATS[name].filename
    expected = Graph()
    for t in source.union:
        expected.add(tuple(to_rdflib(x) for x in t))
    if FORMATS[name].named_graphs:
        dataset = Dataset()
        dataset.parse(path, format=RDFLIB_FORMATS[name])
        got = Graph()
        for s, p, o, _ in dataset.quads():
            got.add((s, p, o))
    else:
        got = Graph().parse(path, format=RDFLIB_FORMATS[name])
    assert len(got) == len(expected) > 1000
    assert isomorphic(got, expected)


def test_jsonld_round_trips_with_pyld_and_fetches_nothing(exported: Path, source):
    from pyld import jsonld

    doc = json.loads((exported / "rtopkg.jsonld").read_text(encoding="utf-8"))
    assert isinstance(doc["@context"], dict)  # embedded, not a URL
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": refuse_remote})
    quads = list(ox.parse(nquads.encode("utf-8"), ox.RdfFormat.N_QUADS))
    assert exact((q.subject, q.predicate, q.object) for q in quads) == exact(source.union)
    # the loader really is the one PyLD uses: a remote context is refused, not fetched
    with pytest.raises(jsonld.JsonLdError):
        jsonld.to_rdf({"@context": "https://example.org/context.jsonld", "@id": "https://example.org/x",
                       "name": "x"}, {"documentLoader": refuse_remote})


def test_jsonld_is_compacted_with_the_curated_context(exported: Path):
    doc = json.loads((exported / "rtopkg.jsonld").read_text(encoding="utf-8"))
    shipped = json.loads((ROOT / "src" / "rtopkg" / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    assert doc["@context"] == shipped
    nodes = {node["@id"]: node for node in doc["@graph"]}
    assert [node["@id"] for node in doc["@graph"]] == sorted(nodes, key=lambda i: (i.startswith("_:"), i))
    funpadem = nodes["actor:funpadem"]
    assert funpadem["@type"] == "rto:CivilSocietyOrganisation"
    assert funpadem["label"]["es"] == NAMES[1]
    evidence = funpadem["rto:evidence"]
    assert isinstance(evidence, list) and all(isinstance(e, str) and e.startswith("quote:") for e in evidence)
    assert evidence == sorted(evidence)


def test_non_ascii_names_are_byte_exact_in_every_format(exported: Path, source):
    names = {o.value for _, _, o in source.union if isinstance(o, ox.Literal) and not o.value.isascii()}
    assert set(NAMES) <= names and len(names) > 20
    for name, fmt in FORMATS.items():
        raw = (exported / fmt.filename).read_bytes()
        for text in NAMES:
            assert text.encode("utf-8") in raw, (name, text)
        parsed = {q.object.value for q in parse_ox(exported / fmt.filename, name) if isinstance(q.object, ox.Literal)}
        assert names <= parsed, name


def test_decomposed_accents_are_not_normalised(mini: Project, tmp_path: Path):
    export(tmp_path, list(FORMATS), proj=mini, catalog=False)
    nfd = "Fundacio\u0301n"
    for name, fmt in FORMATS.items():
        literals = {q.object.value for q in parse_ox(tmp_path / fmt.filename, name) if isinstance(q.object, ox.Literal)}
        assert nfd in literals and "Fundación" not in literals, name


def test_named_graph_split(exported: Path, source):
    ontology = {(q.subject, q.predicate, q.object) for p in Project(ROOT).ontology_files() for q in parse_file(p).quads}
    for name in ("trig", "nquads"):
        quads = parse_ox(exported / FORMATS[name].filename, name)
        by_graph: dict[str, list] = {}
        for q in quads:
            assert isinstance(q.graph_name, ox.NamedNode), "no triple in the default graph"
            by_graph.setdefault(q.graph_name.value, []).append((q.subject, q.predicate, q.object))
        assert sorted(by_graph) == sorted(GRAPHS)
        assert exact(by_graph[GRAPH_ONTOLOGY]) == exact(ontology)
        # each triple in exactly one graph, and together they are the whole graph
        assert sum(len(v) for v in by_graph.values()) == len(source.union)
        assert exact(t for v in by_graph.values() for t in v) == exact(source.union)
        typed = {}
        for s, p, o in by_graph[GRAPH_DATA] + by_graph[GRAPH_PROVENANCE]:
            if p.value == RDF_TYPE:
                typed.setdefault(s, set()).add(o.value)
        provenance_subjects = {s for s, _, _ in by_graph[GRAPH_PROVENANCE]}
        assert provenance_subjects and all(typed[s] & PROVENANCE_CLASSES for s in provenance_subjects)
        data_subjects = {s for s, _, _ in by_graph[GRAPH_DATA] if isinstance(s, ox.NamedNode)}
        assert data_subjects and not any(typed.get(s, set()) & PROVENANCE_CLASSES for s in data_subjects)
        kinds = {c.rsplit("#", 1)[1] for s in provenance_subjects for c in typed[s] & PROVENANCE_CLASSES}
        assert kinds == {"Quote", "SourceDocument", "Claim"}


def test_blank_nodes_go_with_their_resource(mini: Project):
    dataset = load_dataset(mini)
    data = dataset.graphs[GRAPH_DATA]
    blank_subjects = {s for s, _, _ in data if isinstance(s, ox.BlankNode)}
    assert len(blank_subjects) == 3  # the interval and its two instants
    assert not any(isinstance(s, ox.BlankNode) for s, _, _ in dataset.graphs[GRAPH_PROVENANCE])


def _run_export(out: Path, home: Path, seed: str) -> None:
    env = dict(os.environ, PYTHONHASHSEED=seed, RTOPKG_HOME=str(home))
    done = subprocess.run([sys.executable, "-m", "rtopkg", "export", "--out", str(out)], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    assert done.returncode == 0, done.stderr.decode()


def test_same_bytes_in_two_processes_with_different_hash_seeds(tmp_path: Path, mini: Project):
    _run_export(tmp_path / "a", mini.root, "1")
    _run_export(tmp_path / "b", mini.root, "2024")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(names) == 8
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_same_bytes_whatever_the_order_of_the_source(tmp_path: Path):
    """The sample written in another statement order (its canonical layout) exports to the same bytes."""
    reordered = tmp_path / "src" / "sample.ttl"
    reordered.parent.mkdir()
    reordered.write_text(format_turtle(SAMPLE.read_text(encoding="utf-8")), encoding="utf-8")
    assert reordered.read_text(encoding="utf-8") != SAMPLE.read_text(encoding="utf-8")
    first = make_project(tmp_path / "p1", [SAMPLE])
    second = make_project(tmp_path / "p2", [reordered])
    export(tmp_path / "a", list(FORMATS), proj=first)
    export(tmp_path / "b", list(FORMATS), proj=second)
    for name in sorted(p.name for p in (tmp_path / "a").iterdir()):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_turtle_export_is_already_canonical_for_fmt(exported: Path):
    text = (exported / "rtopkg.ttl").read_text(encoding="utf-8")
    assert format_turtle(text) == text


def test_cli_export_some_formats(runner, tmp_path: Path):
    result = runner.invoke(cli, ["export", "--format", "turtle,jsonld", "--format", "nq", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog.ttl", "dataset.jsonld", "rtopkg.jsonld",
                                                          "rtopkg.nq", "rtopkg.ttl"]
    wrote = [line for line in result.stdout.splitlines() if line.startswith("wrote ")]
    assert len(wrote) == 5
    size = (tmp_path / "rtopkg.ttl").stat().st_size
    assert any(f"rtopkg.ttl: {size:,} bytes" in line for line in wrote)


def test_cli_export_no_catalog(runner, tmp_path: Path):
    result = runner.invoke(cli, ["export", "--format", "ntriples", "--no-catalog", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["rtopkg.nt"]
    lines = (tmp_path / "rtopkg.nt").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == len(set(lines))


@pytest.mark.parametrize("args, message", [
    pytest.param(["--format", "yaml"], "--format 'yaml': unknown format", id="format"),
    pytest.param(["--base-url", "ftp://example.org/"], "--base-url 'ftp://example.org/'", id="base-url"),
    pytest.param(["--issued", "2024-13-01"], "--issued '2024-13-01': not a date", id="issued"),
    pytest.param(["--sparql-endpoint", "not a url"], "--sparql-endpoint", id="endpoint"),
])
def test_cli_export_bad_options(runner, tmp_path: Path, args, message):
    result = runner.invoke(cli, ["export", "--out", str(tmp_path / "out"), *args])
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
