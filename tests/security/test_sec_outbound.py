"""Hazard 1: no outbound request from local work. A loopback listener counts every connection; each way a
query, a data file, a shapes file or an ontology could make rtopkg reach out is refused (or not followed) and
the listener records zero hits. Where an option relaxes the refusal, a test shows the listener then *is*
reached, so a hit count of zero means something.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rtopkg.cli import cli

ENGINES = ["oxigraph", "rdflib"]


def invoke(runner, args: list[str]):
    result = runner.invoke(cli, args)
    return result, result.stderr.strip().splitlines()


# ------------------------------------------------------------------------------------------------------------
# Queries: LOAD, FROM, SERVICE on both embedded engines, through the command line
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("form", ["LOAD <{url}>", "LOAD SILENT <{url}> INTO GRAPH <http://example.org/g>",
                                  "SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
                                  "SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                                  "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"],
                         ids=["load", "load-into", "from", "from-named", "service"])
def test_query_reaching_out_is_refused_with_zero_hits(runner, listener, engine, form):
    result, lines = invoke(runner, ["query", "--engine", engine, "--sparql", form.format(url=listener.url)])
    assert result.exit_code == 2
    assert len(lines) == 1 and "refused" in lines[0]
    assert (listener.url in lines[0]) if "LOAD" not in form else ("refused the SPARQL Update keyword LOAD" in lines[0])
    assert listener.hits == 0


@pytest.mark.parametrize("engine", ENGINES)
def test_from_a_local_file_reads_nothing(runner, engine):
    result, lines = invoke(runner, ["query", "--engine", engine, "--format", "tsv", "--sparql",
                                    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"])
    assert result.exit_code == 2 and result.stdout == ""
    assert lines == ["rtopkg: the query: refused FROM <file:///etc/passwd> at line 1, column 10: a local query reads "
                     "only the loaded graph and never fetches one (--allow-network with --engine rdflib lifts this "
                     "for http(s) graphs)"]


def test_allow_network_does_reach_the_listener(runner, listener):
    """The relaxing option works, so the zero counts above are not an artefact of the listener."""
    result = runner.invoke(cli, ["query", "--allow-network", "--timeout", "10", "--sparql",
                                 f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"])
    assert result.exit_code != 0  # the listener closes the connection without an answer
    assert listener.hits >= 1


# ------------------------------------------------------------------------------------------------------------
# Data files: a JSON-LD document with a remote @context, in every command that loads files
# ------------------------------------------------------------------------------------------------------------


def jsonld_documents(url: str) -> dict[str, object]:
    node = {"@id": "http://example.org/s", "http://example.org/name": "x"}
    return {
        "context-string": {"@context": url + "context.jsonld", **node},
        "context-list": {"@context": [{"ex": "http://example.org/"}, url + "list.jsonld"], **node},
        "context-import": {"@context": {"@import": url + "import.jsonld"}, **node},
        "nested-context": {"@graph": [{"@context": url + "nested.jsonld", **node}]},
        "property-scoped": {"@context": {"p": {"@id": "http://example.org/p", "@context": url + "scoped.jsonld"}},
                            "@id": "http://example.org/s", "p": {"@id": "http://example.org/o"}},
    }


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_rdflib_alone_would_fetch_a_remote_context(listener):
    """The hazard is real: rdflib's JSON-LD parser fetches the context a document names."""
    from rdflib import Graph

    doc = json.dumps(jsonld_documents(listener.url)["context-string"])
    with pytest.raises(Exception):
        Graph().parse(data=doc, format="json-ld")
    assert listener.hits >= 1


COMMANDS = {
    "query": lambda f, tmp: ["query", "--data", str(f), "--sparql", "ASK { ?s ?p ?o }"],
    "query-rdflib": lambda f, tmp: ["query", "--engine", "rdflib", "--data", str(f), "--sparql", "ASK { ?s ?p ?o }"],
    "validate": lambda f, tmp: ["validate", str(f)],
    "reason": lambda f, tmp: ["reason", str(f)],
    "stats": lambda f, tmp: ["stats", str(f)],
    "store": lambda f, tmp: ["store", "load", "--store", str(tmp / "store"), str(f)],
    "serve": lambda f, tmp: ["serve", "--port", "0", str(f)],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("doc", sorted(jsonld_documents("x")))
def test_remote_jsonld_context_is_refused_with_zero_hits(runner, listener, tmp_path: Path, command, doc):
    path = tmp_path / "remote-context.jsonld"
    path.write_text(json.dumps(jsonld_documents(listener.url)[doc]), encoding="utf-8")
    result, lines = invoke(runner, COMMANDS[command](path, tmp_path))
    assert result.exit_code == 2, result.stderr
    assert len(lines) == 1 and "refused the remote JSON-LD context" in lines[0] and listener.url in lines[0]
    assert listener.hits == 0
    assert not (tmp_path / "store").exists()


def test_the_jsonld_matrix_ran_in_full():
    assert len(COMMANDS) * len(jsonld_documents("x")) == 35


# ------------------------------------------------------------------------------------------------------------
# owl:imports in validation and reasoning; SERVICE in SHACL-SPARQL shapes
# ------------------------------------------------------------------------------------------------------------


def importing_file(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "importing.ttl"
    path.write_text(f"""@prefix owl: <http://www.w3.org/2002/07/owl#> .
<http://example.org/mine> a owl:Ontology ; owl:imports <{url}imported.ttl> .
<http://example.org/x> a <http://example.org/A> .
""", encoding="utf-8")
    return path


SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://example.org/S> a sh:NodeShape ; sh:targetNode <http://example.org/x> ; sh:class <http://example.org/A> .
"""


@pytest.mark.parametrize("engine", ["pyshacl", "oxigraph"])
def test_validation_refuses_owl_imports_with_zero_hits(runner, listener, tmp_path: Path, engine):
    data = importing_file(tmp_path, listener.url)
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SHAPES + f"<http://example.org/shapes> <http://www.w3.org/2002/07/owl#imports> "
                               f"<{listener.url}shapes.ttl> .\n", encoding="utf-8")
    result, lines = invoke(runner, ["validate", "--engine", engine, "--no-ontology", "--shapes", str(shapes), str(data)])
    assert result.exit_code == 2, result.stderr
    assert len(lines) == 1 and "owl:imports" in lines[0] and "--allow-imports" in lines[0], lines
    assert listener.hits == 0
    # loaded beside the importer, an import is satisfied and nothing is refused or fetched
    imported = tmp_path / "imported.ttl"
    imported.write_text(f"<{listener.url}imported.ttl> a <http://www.w3.org/2002/07/owl#Ontology> .\n", encoding="utf-8")
    plain_shapes = tmp_path / "plain-shapes.ttl"
    plain_shapes.write_text(SHAPES, encoding="utf-8")
    result = runner.invoke(cli, ["validate", "--engine", engine, "--no-ontology", "--shapes", str(plain_shapes),
                                 str(data), str(imported)])
    assert result.exit_code == 0, result.stderr
    assert listener.hits == 0
    # the relaxing option does reach out (to a listener that never answers: an error, after a hit)
    result = runner.invoke(cli, ["validate", "--allow-imports", "--timeout", "10", "--engine", engine, "--no-ontology",
                                 "--shapes", str(plain_shapes), str(data)])
    assert result.exit_code != 0 and listener.hits >= 1


def test_reasoning_refuses_owl_imports_with_zero_hits(runner, listener, tmp_path: Path):
    path = importing_file(tmp_path, listener.url)
    result, lines = invoke(runner, ["reason", "--profile", "owlrl", str(path)])
    assert result.exit_code == 2
    assert len(lines) == 1 and "owl:imports" in lines[0] and "--allow-imports" in lines[0]
    assert listener.hits == 0
    # the relaxing option does reach out (here to a listener that never answers: an error, after a hit)
    result = runner.invoke(cli, ["reason", "--allow-imports", "--timeout", "10", str(path)])
    assert result.exit_code != 0 and listener.hits >= 1


@pytest.mark.parametrize("engine", ["pyshacl", "oxigraph"])
@pytest.mark.parametrize("clause", ["SERVICE <{url}> {{ $this ?p ?o }}", "$this ?p ?o . SERVICE SILENT <{url}> {{ }}"])
def test_service_in_shapes_is_refused_with_zero_hits(runner, listener, tmp_path: Path, engine, clause):
    shapes = tmp_path / "shapes.ttl"
    where = clause.format(url=listener.url)
    shapes.write_text(f'''@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://example.org/S> a sh:NodeShape ; sh:targetNode <http://example.org/x> ;
    sh:sparql [ sh:select """SELECT $this WHERE {{ {where} }}""" ] .
''', encoding="utf-8")
    data = tmp_path / "data.ttl"
    data.write_text("<http://example.org/x> <http://example.org/p> 1 .\n", encoding="utf-8")
    result, lines = invoke(runner, ["validate", "--engine", engine, "--no-ontology", "--shapes", str(shapes), str(data)])
    assert result.exit_code == 2
    assert len(lines) == 1 and "refused the SPARQL" in lines[0] and "it uses SERVICE" in lines[0]
    assert listener.hits == 0
