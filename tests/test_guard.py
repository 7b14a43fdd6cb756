"""No outbound requests from local queries: SERVICE, FROM/FROM NAMED and updates are refused before execution.

Each refusal is shown to matter: the first tests prove that without the guard pyoxigraph does call a SERVICE
and rdflib does read a ``FROM <file:...>`` graph; the others show the guard refuses them (with zero hits on a
listener) and cannot be fooled by comments, strings, case, escapes or prefixed names.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from support.fake_endpoint import HitCounter

from rtopkg.cli import cli
from rtopkg.engines import OxigraphEngine, RdflibEngine
from rtopkg.errors import InputError, RefusedError
from rtopkg.guard import check_query, expand_codepoints, insert_values, shape, tokenize

ENGINES = ["oxigraph", "rdflib"]


@pytest.fixture(scope="module")
def tiny_store() -> ox.Store:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal("o")))
    return store


@pytest.fixture(scope="module")
def engines(tiny_store):
    from rdflib import Graph, Literal, URIRef

    graph = Graph()
    graph.add((URIRef("http://example.org/s"), URIRef("http://example.org/p"), Literal("o")))
    return {"oxigraph": OxigraphEngine(tiny_store), "rdflib": RdflibEngine(graph)}


# ------------------------------------------------------------------------------------------------------------
# The hazards are real
# ------------------------------------------------------------------------------------------------------------


def test_unguarded_pyoxigraph_calls_a_service(tiny_store):
    """Without the guard, pyoxigraph's SERVICE makes an HTTP request (so the guard is needed)."""
    with HitCounter() as listener:
        with pytest.raises(Exception):
            list(tiny_store.query(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"))
    assert listener.hits >= 1


def test_unguarded_rdflib_reads_a_file_named_by_from(tmp_path: Path):
    """Without the guard, rdflib (on a Dataset) loads the graph a FROM clause names, file: URLs included."""
    from rdflib import Dataset

    secret = tmp_path / "secret.ttl"
    secret.write_text('<http://example.org/secret> <http://example.org/is> "read from disk" .\n', encoding="utf-8")
    rows = list(Dataset().query(f"SELECT ?o FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}"))
    assert [str(r[0]) for r in rows] == ["read from disk"]


# ------------------------------------------------------------------------------------------------------------
# Refused on both local engines, with zero hits
# ------------------------------------------------------------------------------------------------------------

SERVICE_FORMS = [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ service silent <{url}> {{ ?s ?p ?o }} }}",
    "PREFIX remote: <{url}>\nSELECT * WHERE {{ SERVICE remote: {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SeRvIcE# a comment between\n<{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    "SELECT * WHERE {{ BIND(<{url}> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    'SELECT * WHERE {{ ?s ?p "\\u0022 }} SERVICE <{url}> {{ ?s ?p ?o }} #" }}',
    "ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("form", [pytest.param(f, id=f"service-{i}") for i, f in enumerate(SERVICE_FORMS)])
def test_service_is_refused_with_zero_hits(engines, engine, form):
    with HitCounter() as listener:
        with pytest.raises(InputError) as caught:
            engines[engine].query(form.format(url=listener.url), timeout=5)
    assert listener.hits == 0
    assert "\n" not in caught.value.message


FROM_FORMS = [
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "select * from<file:///etc/passwd>where{?s ?p ?o}",
    "BASE <file:///etc/>\nSELECT * FROM <passwd> WHERE { ?s ?p ?o }",
    "PREFIX f: <file:///etc/>\nSELECT * FROM f:passwd WHERE { ?s ?p ?o }",
    "ASK FROM <file:///etc/passwd> { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "DESCRIBE ?s FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "SELECT * \\u0046ROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("form", [pytest.param(f, id=f"from-{i}") for i, f in enumerate(FROM_FORMS)])
def test_from_is_refused(engines, engine, form):
    with pytest.raises(RefusedError) as caught:
        engines[engine].query(form, timeout=5)
    assert "FROM" in caught.value.message


def test_from_a_local_file_is_refused_even_with_allow_network(tmp_path):
    from rdflib import Graph

    secret = tmp_path / "secret.ttl"
    secret.write_text('<http://example.org/secret> <http://example.org/is> "read from disk" .\n', encoding="utf-8")
    engine = RdflibEngine(Graph(), allow_network=True)
    with pytest.raises(RefusedError, match="only http"):
        engine.query(f"SELECT ?o FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}")


def test_from_with_allow_network_on_rdflib_fetches_http(tmp_path):
    """--allow-network lifts the refusal on the rdflib engine, for http(s) graphs only (here a local server)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from rdflib import Graph

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            body = b'<http://example.org/remote> <http://example.org/is> "fetched" .\n'
            self.send_response(200)
            self.send_header("Content-Type", "application/n-triples")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/graph.nt"
        engine = RdflibEngine(Graph(), allow_network=True)
        result = engine.query(f"SELECT ?o FROM <{url}> WHERE {{ ?s ?p ?o }}", timeout=20)
        assert result.rows == [('"fetched"',)]
        with pytest.raises(RefusedError):
            RdflibEngine(Graph()).query(f"SELECT ?o FROM <{url}> WHERE {{ ?s ?p ?o }}")
    finally:
        server.shutdown()
        server.server_close()


def test_oxigraph_refuses_from_even_with_allow_network(tiny_store):
    with pytest.raises(RefusedError, match="rdflib"):
        OxigraphEngine(tiny_store, allow_network=True).query("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }")


def test_variable_service_is_refused_even_with_allow_network(tiny_store):
    with HitCounter() as listener:
        with pytest.raises(RefusedError, match="literal http"):
            OxigraphEngine(tiny_store, allow_network=True).query(
                f"SELECT * WHERE {{ BIND(<{listener.url}> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}")
    assert listener.hits == 0


UPDATES = [
    "LOAD <file:///etc/passwd>",
    "load <http://127.0.0.1:9/x> INTO GRAPH <http://example.org/g>",
    "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DROP ALL",
    "CLEAR DEFAULT",
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
    "WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "COPY DEFAULT TO <http://example.org/g>",
    "\\u0044ROP ALL",
]


@pytest.mark.parametrize("engine", ENGINES + ["remote"])
@pytest.mark.parametrize("text", [pytest.param(t, id=f"update-{i}") for i, t in enumerate(UPDATES)])
def test_updates_are_refused_everywhere(engines, tiny_store, engine, text):
    if engine == "remote":
        with pytest.raises(RefusedError):
            check_query(text, local=False)
        return
    before = len(tiny_store)
    with pytest.raises(RefusedError, match="Update"):
        engines[engine].query(text)
    assert len(tiny_store) == before


# ------------------------------------------------------------------------------------------------------------
# Not fooled: the words inside strings, comments, IRIs, names and variables are harmless
# ------------------------------------------------------------------------------------------------------------

HARMLESS = [
    'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:1/> { }" }',
    "SELECT * WHERE { ?s ?p '''FROM <file:///etc/passwd>''' }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:1/> { } LOAD <file:///etc/passwd>",
    "PREFIX ex: <http://example.org/>\nSELECT * WHERE { ?s ex:service ex:from . ?s ex:load ex:drop }",
    "SELECT ?service ?from ?load WHERE { ?service ?from ?load }",
    "SELECT * WHERE { ?s <http://example.org/SERVICE#FROM> ?o }",
    'SELECT * WHERE { ?s ?p """a "" quote and SERVICE <x:y> {}""" }',
    'SELECT * WHERE { ?s ?p "a \\" escaped quote then SERVICE <x:y> {}" }',
    "PREFIX insert: <http://example.org/>\nSELECT * WHERE { ?s insert:data ?o }",
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("text", [pytest.param(t, id=f"harmless-{i}") for i, t in enumerate(HARMLESS)])
def test_keywords_in_strings_comments_and_names_are_not_refused(engines, engine, text):
    result = engines[engine].query(text, timeout=10)
    assert result.variables  # it ran


@pytest.mark.parametrize("text", [pytest.param(t, id=f"agree-{i}") for i, t in
                                  enumerate(HARMLESS + [f.format(url="http://127.0.0.1:1/") for f in SERVICE_FORMS[:8]]
                                            + FROM_FORMS[:8])])
def test_the_guard_agrees_with_rdflibs_parser(text):
    """The token-based verdict equals what rdflib's own parse tree contains (SERVICE or a dataset clause)."""
    from rdflib.plugins.sparql import prepareQuery

    from rtopkg.engines import _walk

    algebra = prepareQuery(text).algebra
    nodes = list(_walk(algebra))
    assert nodes, "the walk saw nothing"
    has_service = any(node.name == "ServiceGraphPattern" for node in nodes)
    has_from = bool(dict.get(algebra, "datasetClause"))
    refused = True
    try:
        check_query(text)
        refused = False
    except RefusedError:
        pass
    assert refused == (has_service or has_from)


def test_unreadable_text_is_refused_not_guessed():
    with pytest.raises(InputError, match="not SPARQL at line 1, column 21"):
        check_query("SELECT * WHERE { ?s ~ ?o }")


def test_escapes_that_read_differently_are_refused():
    # \u0022 ends the string once expanded (rdflib), and the rest no longer lexes: refuse, do not guess.
    with pytest.raises(RefusedError, match="escapes"):
        check_query('SELECT * WHERE { ?s ?p "\\u0022" }')
    assert expand_codepoints("\\u0041\\U0001F600") == "A\U0001F600"


# ------------------------------------------------------------------------------------------------------------
# The shape of a query
# ------------------------------------------------------------------------------------------------------------


def test_shape_finds_the_top_level_where_group_and_order():
    text = ("PREFIX ex: <http://example.org/>\n"
            "SELECT ?a (COUNT(?b) AS ?n) (EXISTS { ?a ?p ?b } AS ?e) WHERE {\n"
            "  { SELECT ?a WHERE { ?a ?p ?b } ORDER BY ?a LIMIT 3 } ?a ?q ?b }\n"
            "GROUP BY ?a ORDER BY DESC(?n)")
    found = shape(text)
    assert found.form == "SELECT"
    assert text[found.where_open - 1] == "{" and text[found.where_open:].startswith("\n  { SELECT")
    assert found.ordered
    assert found.projection == {"a", "n", "e"}
    assert found.prefixes == {"ex": "http://example.org/"}


def test_order_inside_a_subquery_is_not_top_level():
    assert not shape("SELECT * WHERE { { SELECT ?a WHERE { ?a ?p ?b } ORDER BY ?a } }").ordered


def test_construct_template_is_not_the_where_group():
    text = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    found = shape(text)
    assert text[: found.where_open].endswith("WHERE {")
    bound = insert_values(text, found, "VALUES ?s { <http://example.org/s> }")
    assert bound == "CONSTRUCT { ?s ?p ?o } WHERE { VALUES ?s { <http://example.org/s> }  ?s ?p ?o }"


def test_select_star_projects_everything():
    assert shape("SELECT * WHERE { ?s ?p ?o }").projection is None


def test_tokens_of_tricky_text():
    tokens = tokenize("SELECT ?a-?b WHERE { ?a ex:p.x ex:o. FILTER(?a<?b) } # SERVICE")
    kinds = [(t.kind, t.text) for t in tokens]
    assert ("PUNCT", "-") in kinds and ("PNAME", "ex:p.x") in kinds and ("PNAME", "ex:o") in kinds
    assert ("PUNCT", "<") in kinds
    assert not any(t.text.upper() == "SERVICE" for t in tokens)


def test_cli_refusal_is_one_line_exit_2(runner):
    with HitCounter() as listener:
        result = runner.invoke(cli, ["query", "--sparql", f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"])
    assert listener.hits == 0
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "refused SERVICE" in lines[0] and listener.url in lines[0]
