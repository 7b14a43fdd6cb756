"""Hazard 6: a remote endpoint that fails gives a one-line typed error and a non-zero exit through the command
line -- never a shorter answer. A fake endpoint on 127.0.0.1 misbehaves on purpose
(``tests/support/fake_endpoint.py``); beside it, the same command against a real Oxigraph server answers in
full, so each failure comes from the endpoint and not from the command.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from support.fake_endpoint import FakeEndpoint, refused_port
from support.loading import add_quads

from rtopkg.cli import cli

QUERY = "SELECT ?name WHERE { ?s ?p ?name }"

#: path -> (exit code, what the one error line says)
FAILURES = {
    "/500": (2, "HTTP 500 Internal Server Error"),
    "/503-long": (2, "Retry-After of 3600 s is beyond the 10 s"),
    "/503-bare": (2, "HTTP 503 Service Unavailable with no Retry-After"),
    "/429-long": (2, "HTTP 429 Too Many Requests; its Retry-After of 600 s"),
    "/206": (2, "partial answer (HTTP 206, X-SQL-State S1TAT"),
    "/sqlstate": (2, "partial answer (HTTP 200, X-SQL-State S1TAT"),
    "/truncated": (2, "truncated or not JSON"),
    "/short": (2, "cut off after 40 of"),
    "/html": (2, "content type 'text/html', not SPARQL JSON"),
    "/redirect": (2, "rtopkg does not follow redirects"),
    "/drip": (3, "no complete answer within the wall-clock limit of 1 s"),
    "/slow-headers": (3, "no complete answer within the wall-clock limit of 1 s"),
}


@pytest.fixture(scope="module")
def fake():
    with FakeEndpoint() as endpoint:
        yield endpoint


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch):
    for name in ("RTOPKG_ENDPOINT_USER", "RTOPKG_ENDPOINT_PASSWORD", "RTOPKG_ENDPOINT_TOKEN",
                 "RTOPKG_ENDPOINT_MAX_WAIT"):
        monkeypatch.delenv(name, raising=False)


def one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("path", sorted(FAILURES))
def test_each_failure_is_one_line_and_a_non_zero_exit(runner, fake, path):
    code, message = FAILURES[path]
    before = fake.hits[path]
    result = runner.invoke(cli, ["query", "--endpoint", fake.url(path), "--timeout", "1", "--format", "json",
                                 "--sparql", QUERY])
    assert result.exit_code == code
    assert result.stdout == ""  # never a shorter answer
    line = one_line(result)
    assert line.startswith("rtopkg: ") and message in line
    assert fake.hits[path] - before == 1  # asked once: no silent retry of a failure


def test_the_failure_table_ran_in_full():
    assert len(FAILURES) == 12


def test_connection_refused(runner):
    with refused_port() as port:
        result = runner.invoke(cli, ["query", "--endpoint", f"http://127.0.0.1:{port}/query", "--sparql", QUERY])
    assert result.exit_code == 2 and result.stdout == ""
    assert f"cannot reach http://127.0.0.1:{port}/query" in one_line(result)


@pytest.mark.parametrize("path", ["/503-then-ok", "/429-then-ok"])
def test_a_retry_after_within_the_bound_is_honoured(runner, fake, path):
    before = fake.hits[path]
    result = runner.invoke(cli, ["query", "--endpoint", fake.url(path), "--timeout", "20", "--format", "tsv",
                                 "--sparql", QUERY])
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.decode("utf-8").splitlines() == ["?name", '"Mónica Serrano"@es']
    assert fake.hits[path] - before == 2


def test_the_same_command_against_a_real_oxigraph_answers_in_full(runner, oxigraph):
    name = ox.Literal("Mónica Serrano", language="es")
    add_quads(oxigraph.base, [ox.Quad(ox.NamedNode("http://example.org/sec-endpoint"),
                                      ox.NamedNode("http://example.org/sec-name"), name)])
    result = runner.invoke(cli, ["query", "--endpoint", oxigraph.query_url, "--timeout", "10", "--format", "tsv",
                                 "--sparql", "SELECT ?name WHERE { ?s <http://example.org/sec-name> ?name }"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.decode("utf-8").splitlines() == ["?name", '"Mónica Serrano"@es']
