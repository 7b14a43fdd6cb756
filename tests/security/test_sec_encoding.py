"""Hazard 7: non-ASCII names round-trip byte-exact through the whole chain -- load, query on both embedded
engines, export in every format, publish to a real Oxigraph server and read back -- with no normalisation
(a decomposed accent stays decomposed), no escaping into ``\\u`` forms, and no lost astral characters.
"""

from __future__ import annotations

import json
import unicodedata
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from rtopkg.cli import cli
from rtopkg.paths import Project

EX = "http://example.org/"
NAMES = [
    "Mónica Serrano",                              # precomposed ó (U+00F3)
    unicodedata.normalize("NFD", "Mónica Serrano"),  # o + combining acute (U+0301): must not be normalised
    "Dilma Raousseff – “responsibility in protecting”",
    "Fundación para la Paz y la Democracia ☮ 𝔸 😀",  # astral characters (outside the BMP)
    "non\u00a0breaking space",
    "Ñandú — señor «guillemets» ¿qué?",
    "Zürich, São Paulo, Bogotá, Curaçao",
]


def write_names(root: Path) -> Path:
    (root / "data").mkdir(parents=True)
    (root / "ontology").mkdir()
    path = root / "data" / "names.ttl"
    lines = [f"@prefix ex: <{EX}> .", ""]
    for i, name in enumerate(NAMES):
        lines.append(f'ex:n{i} ex:name "{name}" .')
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


def test_the_names_are_distinct_and_not_ascii():
    assert len(set(NAMES)) == len(NAMES) == 7
    assert NAMES[0] != NAMES[1] and unicodedata.normalize("NFC", NAMES[1]) == NAMES[0]
    assert all(not name.isascii() for name in NAMES)


def name_values(quads) -> list[str]:
    return sorted(q.object.value for q in quads if q.predicate.value == EX + "name")


@pytest.fixture(scope="module")
def names_file(tmp_path_factory) -> Path:
    return write_names(tmp_path_factory.mktemp("names"))


def test_load_keeps_every_byte(names_file):
    from rtopkg.load import load_graph, load_store

    assert name_values(load_store([names_file])) == sorted(NAMES)
    assert sorted(str(o) for o in load_graph([names_file]).objects()) == sorted(NAMES)


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("fmt", ["json", "tsv", "csv"])
def test_query_on_both_engines_keeps_every_byte(runner, names_file, engine, fmt):
    result = runner.invoke(cli, ["query", "--engine", engine, "--data", str(names_file), "--format", fmt,
                                 "--sparql", f"SELECT ?name WHERE {{ ?s <{EX}name> ?name }} ORDER BY ?name"])
    assert result.exit_code == 0, result.stderr
    raw = result.stdout_bytes
    for name in NAMES:
        assert name.encode("utf-8") in raw, name
    if fmt == "json":
        bindings = json.loads(raw.decode("utf-8"))["results"]["bindings"]
        assert sorted(b["name"]["value"] for b in bindings) == sorted(NAMES)


@pytest.fixture(scope="module")
def exported(names_file, tmp_path_factory) -> Path:
    from rtopkg.export import export

    out = tmp_path_factory.mktemp("export")
    export(out, catalog=False, proj=Project(names_file.parent.parent))
    return out


@pytest.mark.parametrize("name, fmt", [("rtopkg.ttl", ox.RdfFormat.TURTLE), ("rtopkg.nt", ox.RdfFormat.N_TRIPLES),
                                       ("rtopkg.nq", ox.RdfFormat.N_QUADS), ("rtopkg.trig", ox.RdfFormat.TRIG),
                                       ("rtopkg.jsonld", ox.RdfFormat.JSON_LD), ("rtopkg.rdf", ox.RdfFormat.RDF_XML)])
def test_export_keeps_every_byte(exported, name, fmt):
    raw = (exported / name).read_bytes()
    for value in NAMES:
        assert value.encode("utf-8") in raw, (name, value)  # written as UTF-8, not escaped
    assert name_values(ox.parse(raw, fmt)) == sorted(NAMES)


@pytest.mark.parametrize("method", ["gsp", "update"])
def test_publish_to_a_real_oxigraph_keeps_every_byte(oxigraph, names_file, method):
    from rtopkg.export import load_dataset
    from rtopkg.publish import Target, publish

    graph = f"{EX}encoding-{method}"
    triples = load_dataset(Project(names_file.parent.parent)).union
    target = Target(oxigraph.query_url, graph, gsp=oxigraph.store_url if method == "gsp" else None,
                    update=oxigraph.update_url, timeout=30)
    publish(triples, target)
    query = f"SELECT ?name WHERE {{ GRAPH <{graph}> {{ ?s <{EX}name> ?name }} }}"
    request = urllib.request.Request(f"{oxigraph.query_url}?{urllib.parse.urlencode({'query': query})}",
                                     headers={"Accept": "application/sparql-results+json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=30) as response:
        raw = response.read()
    for value in NAMES:
        assert value.encode("utf-8") in raw or json.dumps(value)[1:-1].encode("ascii") in raw
    bindings = json.loads(raw.decode("utf-8"))["results"]["bindings"]
    assert sorted(b["name"]["value"] for b in bindings) == sorted(NAMES)
