"""Hazard 3: no partial loads. A file whose last statement is broken leaves the graph (or store) it was being
loaded into exactly as it was, and the error names the file, the line and the column -- in every RDF syntax
rtopkg reads, through the library and through the command line.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from rtopkg.cli import cli
from rtopkg.errors import SyntaxInputError
from rtopkg.load import load_graph, load_store
from rtopkg.paths import display_path

#: suffix -> (text whose last line is broken, the line, the column of the error)
BROKEN = {
    "ttl": ('@prefix ex: <http://example.org/> .\nex:a ex:name "Mónica" .\nex:b ex:name "b" .\nex:c ex:name "c\n',
            4, 14),
    "nt": ('<http://example.org/a> <http://example.org/p> "a" .\n<http://example.org/b> <http://example.org/p> "b" .\n'
           '<http://example.org/c> <http://example.org/p> <oops .\n', 3, 47),
    "trig": ('@prefix ex: <http://example.org/> .\nex:g { ex:a ex:p "a" . }\nex:b ex:p "b" .\nex:c ex:p ex:d ex:e .\n',
             4, 16),
    "nq": ('<http://example.org/a> <http://example.org/p> "a" <http://example.org/g> .\n'
           '<http://example.org/b> <http://example.org/p> "b" .\n'
           '<http://example.org/c> <http://example.org/p> "c" <http://example.org/g> <x> .\n', 3, 74),
    "jsonld": ('{"@context": {"ex": "http://example.org/"},\n "@graph": [{"@id": "ex:a", "ex:p": "a"},\n'
               ' {"@id": "ex:b", "ex:p": "b"}\n', 4, 1),
    "rdf": ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:ex="http://example.org/">\n<rdf:Description rdf:about="http://example.org/a"><ex:p>a</ex:p>'
            '</rdf:Description>\n<rdf:Description rdf:about="http://example.org/b"><ex:p>b</ex:p></rdf:Descr>\n', 4, 67),
}
GOOD = '<http://example.org/kept> <http://example.org/p> "already loaded" .\n'


def write(tmp_path: Path, suffix: str) -> Path:
    path = tmp_path / f"broken.{suffix}"
    path.write_text(BROKEN[suffix][0], encoding="utf-8")
    return path


def test_rdflib_alone_keeps_what_it_read_before_the_error(tmp_path: Path):
    """The hazard is real: rdflib's parser adds the statements before a syntax error to the graph."""
    from rdflib import Graph

    graph = Graph()
    with pytest.raises(Exception):
        graph.parse(write(tmp_path, "nt"), format="nt")
    assert len(graph) == 2


@pytest.mark.parametrize("suffix", sorted(BROKEN))
def test_a_broken_last_line_leaves_the_graph_as_it_was(tmp_path: Path, suffix):
    good = tmp_path / "good.nt"
    good.write_text(GOOD, encoding="utf-8")
    graph = load_graph([good])
    before = set(graph)
    path = write(tmp_path, suffix)
    with pytest.raises(SyntaxInputError) as caught:
        load_graph([tmp_path / "good.nt", path], graph)  # a good file first: it must not be added either
    assert set(graph) == before and len(before) == 1
    _, line, column = BROKEN[suffix]
    assert (caught.value.path, caught.value.line, caught.value.column) == (display_path(path), line, column)
    assert caught.value.message.startswith(f"{display_path(path)}:{line}:{column}: ")


@pytest.mark.parametrize("suffix", sorted(BROKEN))
def test_a_broken_last_line_leaves_the_store_as_it_was(tmp_path: Path, suffix):
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/kept"), ox.NamedNode("http://example.org/p"), ox.Literal("x")))
    before = set(store)
    good = tmp_path / "good.nt"
    good.write_text(GOOD, encoding="utf-8")
    with pytest.raises(SyntaxInputError) as caught:
        load_store([good, write(tmp_path, suffix)], store)
    assert set(store) == before
    assert caught.value.line == BROKEN[suffix][1]


def test_the_broken_cases_ran_in_full():
    assert len(BROKEN) == 6


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_cli_names_file_line_and_column(runner, tmp_path: Path, engine):
    good = tmp_path / "good.nt"
    good.write_text(GOOD, encoding="utf-8")
    path = write(tmp_path, "ttl")
    result = runner.invoke(cli, ["query", "--engine", engine, "--data", str(good), "--data", str(path),
                                 "--sparql", "SELECT * WHERE { ?s ?p ?o }"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip() == f"rtopkg: {display_path(path)}:4:14: Unexpected end of file"


def test_store_load_keeps_the_old_store(runner, tmp_path: Path):
    good = tmp_path / "good.nt"
    good.write_text(GOOD, encoding="utf-8")
    store = tmp_path / "store"
    assert runner.invoke(cli, ["store", "load", "--store", str(store), str(good)]).exit_code == 0
    result = runner.invoke(cli, ["store", "load", "--store", str(store), str(good), str(write(tmp_path, "trig"))])
    assert result.exit_code == 2 and ":4:16: " in result.stderr
    answer = runner.invoke(cli, ["query", "--store", str(store), "--format", "tsv", "--sparql",
                                 "SELECT ?o WHERE { ?s ?p ?o }"])
    assert answer.exit_code == 0, answer.stderr
    assert answer.stdout.splitlines() == ["?o", '"already loaded"']
