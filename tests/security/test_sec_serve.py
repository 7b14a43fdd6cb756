"""Hazards 8 (default-graph leaks) and 1 (outbound requests) on ``rtopkg serve``, with a basic query.

``rtopkg serve`` runs as a real child process (Oxigraph's server behind rtopkg's guard); the tests talk HTTP to
it like any client would.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sec_helpers import ROOT, TESTS

from rtopkg.cli import cli

NAMED = TESTS / "data" / "engines" / "named-graphs.trig"
NAMES = TESTS / "data" / "engines" / "names.ttl"
EVERYTHING = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { " + " . ".join(f"?s{i} ?p{i} ?o{i}" for i in range(12)) + " }"
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Served:
    def __init__(self, *args: str):
        import os

        env = {**os.environ, "RTOPKG_CACHE": "0"}
        self.process = subprocess.Popen([sys.executable, "-m", "rtopkg", "serve", "--port", "0", *args],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=str(ROOT), env=env)
        line = self.process.stderr.readline().decode("utf-8")
        assert " read-only at http://127.0.0.1:" in line, line
        self.banner = line
        self.url = line.split(" read-only at ", 1)[1].split(" ", 1)[0]

    def stop(self) -> int:
        self.process.terminate()
        try:
            return self.process.wait(20)
        finally:
            self.process.stderr.close()

    def get(self, query: str, **extra: str) -> tuple[int, bytes]:
        params = urllib.parse.urlencode({"query": query, **extra})
        request = urllib.request.Request(f"{self.url}?{params}", headers={"Accept": "application/sparql-results+json"})
        return self.send(request)

    def post(self, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
        target = self.url.rsplit("/", 1)[0] + path
        return self.send(urllib.request.Request(target, data=body, method="POST",
                                                headers={"Content-Type": content_type}))

    @staticmethod
    def send(request) -> tuple[int, bytes]:
        try:
            with OPENER.open(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def rows(self, query: str) -> list[dict]:
        status, body = self.get(query)
        assert status == 200, body
        return json.loads(body.decode("utf-8"))["results"]["bindings"]


@pytest.fixture(scope="module")
def served():
    running = Served("--timeout", "2", str(NAMED), str(NAMES))
    yield running
    assert running.stop() == 0  # SIGTERM stops it cleanly


def test_the_default_graph_holds_only_what_was_loaded_into_it(served):
    values = {row["o"]["value"] for row in served.rows(EVERYTHING)}
    assert "visible" in values and "Mónica Serrano" in values
    assert "in a named graph" not in values
    # the named graph is still there when asked for by name
    named = served.rows("SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert [(r["g"]["value"], r["o"]["value"]) for r in named] == [("http://example.org/private-graph", "in a named graph")]


@pytest.mark.parametrize("parameter, value", [("union-default-graph", "true"),
                                              ("default-graph-uri", "http://example.org/private-graph"),
                                              ("named-graph-uri", "http://example.org/private-graph")])
def test_dataset_parameters_cannot_widen_the_default_graph(served, parameter, value):
    status, body = served.get(EVERYTHING, **{parameter: value})
    assert status == 403
    assert body.decode("utf-8").strip() == (f"refused the parameter {parameter}: this endpoint answers over its "
                                            "default graph as loaded (use GRAPH for named graphs)")


def test_from_a_named_graph_is_refused(served):
    status, body = served.get("SELECT ?o FROM <http://example.org/private-graph> WHERE { ?s ?p ?o }")
    assert status == 403 and b"refused FROM" in body


def test_an_unguarded_oxigraph_server_calls_a_service(oxigraph, listener):
    """The hazard is real: Oxigraph's own server makes the request a SERVICE clause names."""
    params = urllib.parse.urlencode({"query": f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"})
    Served.send(urllib.request.Request(f"{oxigraph.query_url}?{params}"))
    assert listener.hits >= 1


@pytest.mark.parametrize("how", ["get", "post-query", "post-form"])
def test_service_is_refused_with_zero_hits(served, listener, how):
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    if how == "get":
        status, body = served.get(query)
    elif how == "post-query":
        status, body = served.post("/query", query.encode("utf-8"), "application/sparql-query")
    else:
        status, body = served.post("/query", urllib.parse.urlencode({"query": query}).encode(),
                                   "application/x-www-form-urlencoded")
    assert status == 403 and b"refused SERVICE" in body
    assert listener.hits == 0


def test_updates_and_other_paths_are_refused(served):
    before = len(served.rows(EVERYTHING))
    assert served.post("/query", b"DROP ALL", "application/sparql-query")[0] == 403
    assert served.post("/update", b"DROP ALL", "application/sparql-update")[0] == 404
    assert served.post("/store", b"<http://e/a> <http://e/b> <http://e/c> .", "application/n-triples")[0] == 404
    assert len(served.rows(EVERYTHING)) == before


def test_a_runaway_query_is_stopped_by_the_limit(served):
    """6 triples to the 12th power: the count is never reached within the 2 s limit given to the server."""
    status, body = served.get(EXPLOSIVE)
    assert (status, body) == (503, b"the query stopped after the wall-clock limit of 2 s\n")
    assert served.get("ASK { ?s ?p ?o }")[0] == 200  # and it still answers


def test_a_basic_query_through_the_cli(served, runner):
    result = runner.invoke(cli, ["query", "--endpoint", served.url, "--format", "tsv", "--sparql",
                                 "SELECT ?name WHERE { ?s <http://example.org/name> ?name } ORDER BY ?name"])
    assert result.exit_code == 0, result.stderr
    import pyoxigraph as ox

    expected = sorted(q.object.value for q in ox.parse(path=str(NAMES)))
    lines = result.stdout_bytes.decode("utf-8").splitlines()
    assert len(lines) == len(expected) + 1
    for name in expected:
        assert name.encode("utf-8") in result.stdout_bytes


def test_serving_the_project_graph_answers_a_stored_question(runner):
    running = Served("--timeout", "60")
    try:
        served = runner.invoke(cli, ["query", "pillars", "--endpoint", running.url, "--format", "json"])
        local = runner.invoke(cli, ["query", "pillars", "--format", "json"])
        assert served.exit_code == local.exit_code == 0, served.stderr + local.stderr
        rows = json.loads(served.stdout)["results"]["bindings"]
        assert rows and rows == json.loads(local.stdout)["results"]["bindings"]
    finally:
        assert running.stop() == 0


def test_missing_server_extra_is_a_clear_error(runner, monkeypatch, tmp_path):
    import rtopkg.serve

    monkeypatch.setattr(rtopkg.serve, "_candidates", lambda: [tmp_path / "oxigraph"])
    result = runner.invoke(cli, ["serve", str(NAMED)])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("rtopkg: the Oxigraph server is not installed: install the extra with "
                                     "pip install 'rtopkg[server]' (it provides the 'oxigraph' command)")
