"""Remote endpoints that fail: every failure is a one-line typed error with a non-zero exit, never a shorter
answer. A small fake endpoint on 127.0.0.1 misbehaves on purpose (tests/support/fake_endpoint.py)."""

from __future__ import annotations

import base64

import pytest
from support.fake_endpoint import FakeEndpoint, HitCounter, refused_port

from rtopkg.cli import cli
from rtopkg.errors import EXIT_INPUT, EXIT_LIMIT, EndpointError, InputError, LimitExceeded
from rtopkg.remote import EndpointTimeout, RemoteEngine

QUERY = "SELECT ?name WHERE { ?s ?p ?name }"
MONICA = [('"Mónica Serrano"@es',)]


@pytest.fixture()
def fake():
    with FakeEndpoint() as endpoint:
        yield endpoint


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch):
    for name in ("RTOPKG_ENDPOINT_USER", "RTOPKG_ENDPOINT_PASSWORD", "RTOPKG_ENDPOINT_TOKEN",
                 "RTOPKG_ENDPOINT_INSECURE", "RTOPKG_ENDPOINT_MAX_WAIT"):
        monkeypatch.delenv(name, raising=False)


def test_a_good_answer(fake):
    result = RemoteEngine(fake.url("/ok")).query(QUERY, timeout=10)
    assert result.variables == ["name"] and result.rows == MONICA


FAILURES = [
    ("/500", EndpointError, "HTTP 500 Internal Server Error", 1),
    ("/503-long", EndpointError, "Retry-After of 3600 s is beyond the 10 s", 1),
    ("/429-long", EndpointError, "HTTP 429 Too Many Requests; its Retry-After of 600 s", 1),
    ("/503-bare", EndpointError, "HTTP 503 Service Unavailable with no Retry-After", 1),
    ("/206", EndpointError, "partial answer (HTTP 206, X-SQL-State S1TAT", 1),
    ("/sqlstate", EndpointError, "partial answer (HTTP 200, X-SQL-State S1TAT", 1),
    ("/truncated", EndpointError, "truncated or not JSON", 1),
    ("/short", EndpointError, "cut off after 40 of", 1),
    ("/html", EndpointError, "content type 'text/html', not SPARQL JSON", 1),
    ("/redirect", EndpointError, "rtopkg does not follow redirects", 1),
    ("/drip", EndpointTimeout, "no complete answer within the wall-clock limit of 1 s", 1),
    ("/slow-headers", EndpointTimeout, "no complete answer within the wall-clock limit of 1 s", 1),
]


@pytest.mark.parametrize("path, error, message, hits", FAILURES, ids=[f[0] for f in FAILURES])
def test_failures_are_typed_one_line_errors(fake, path, error, message, hits):
    with pytest.raises(error) as caught:
        RemoteEngine(fake.url(path)).query(QUERY, timeout=1)
    assert message in caught.value.message
    assert "\n" not in caught.value.message
    assert caught.value.exit_code == (EXIT_LIMIT if error is EndpointTimeout else EXIT_INPUT)
    assert fake.hits[path] == hits


def test_timeouts_are_limits(fake):
    with pytest.raises(LimitExceeded):
        RemoteEngine(fake.url("/drip")).query(QUERY, timeout=1)


@pytest.mark.parametrize("path", ["/503-then-ok", "/429-then-ok", "/503-date"])
def test_retry_after_within_the_bound_is_honoured(fake, path):
    result = RemoteEngine(fake.url(path)).query(QUERY, timeout=20)
    assert result.rows == MONICA
    assert fake.hits[path] == 2


def test_retry_after_bound_is_configurable(fake, monkeypatch):
    monkeypatch.setenv("RTOPKG_ENDPOINT_MAX_WAIT", "0.5")
    with pytest.raises(EndpointError, match="beyond the 0.5 s"):
        RemoteEngine(fake.url("/503-then-ok")).query(QUERY, timeout=20)
    assert fake.hits["/503-then-ok"] == 1


def test_retry_after_past_the_deadline_is_a_limit(fake):
    with pytest.raises(EndpointTimeout, match="would pass the wall-clock limit"):
        RemoteEngine(fake.url("/503-then-ok")).query(QUERY, timeout=0.5)


def test_connection_refused():
    with refused_port() as port:
        with pytest.raises(EndpointError) as caught:
            RemoteEngine(f"http://127.0.0.1:{port}/sparql").query(QUERY, timeout=5)
    assert caught.value.kind == "unreachable"
    assert f"cannot reach http://127.0.0.1:{port}/sparql" in caught.value.message


def test_redirects_are_not_followed(fake):
    with HitCounter() as elsewhere:
        with pytest.raises(EndpointError, match="redirect"):
            RemoteEngine(fake.url(f"/redirect?to={elsewhere.url}")).query(QUERY, timeout=5)
    assert elsewhere.hits == 0


def test_requests_declare_utf8_and_carry_non_ascii_exactly(fake):
    text = 'SELECT ?name WHERE { ?s ?p "Mónica – “Raousseff” 😀" }'
    result = RemoteEngine(fake.url("/echo")).query(text, timeout=10)
    content_type, body = result.rows[0]
    assert content_type == '"application/sparql-query; charset=UTF-8"'
    assert body == '"SELECT ?name WHERE { ?s ?p \\"Mónica – “Raousseff” 😀\\" }"'
    assert fake.requests[-1].body == text.encode("utf-8")


def test_basic_credentials_come_from_the_environment(monkeypatch):
    expected = "Basic " + base64.b64encode("analyst:pässword".encode()).decode()
    with FakeEndpoint(expected_auth=expected) as fake:
        with pytest.raises(EndpointError, match=r"HTTP 401 .*RTOPKG_ENDPOINT_USER"):
            RemoteEngine(fake.url("/auth")).query(QUERY, timeout=5)
        monkeypatch.setenv("RTOPKG_ENDPOINT_USER", "analyst")
        monkeypatch.setenv("RTOPKG_ENDPOINT_PASSWORD", "pässword")
        assert RemoteEngine(fake.url("/auth")).query(QUERY, timeout=5).rows == MONICA
        assert fake.requests[-1].headers["Authorization"] == expected


def test_a_token_comes_from_the_environment(monkeypatch):
    with FakeEndpoint(expected_auth="Bearer s3cret") as fake:
        monkeypatch.setenv("RTOPKG_ENDPOINT_TOKEN", "s3cret")
        assert RemoteEngine(fake.url("/auth")).query(QUERY, timeout=5).rows == MONICA


def test_credentials_are_not_sent_in_clear_to_another_machine(monkeypatch):
    monkeypatch.setenv("RTOPKG_ENDPOINT_TOKEN", "s3cret")
    with pytest.raises(InputError, match="refusing to send credentials over plain http://"):
        RemoteEngine("http://example.org/sparql")
    with pytest.raises(InputError, match="not in the URL"):
        RemoteEngine("https://user:pw@example.org/sparql")
    with pytest.raises(InputError, match="expected an http:// or https:// URL"):
        RemoteEngine("file:///etc/passwd")


# ------------------------------------------------------------------------------------------------------------
# Through the command line: one line on stderr, nothing on stdout, the documented exit code
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path, code", [("/500", 2), ("/206", 2), ("/truncated", 2), ("/drip", 3), ("/html", 2)])
def test_cli_failures(runner, fake, path, code):
    result = runner.invoke(cli, ["query", "pillars", "--endpoint", fake.url(path), "--timeout", "1"])
    assert result.exit_code == code
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rtopkg: question 'pillars': ")


def test_cli_connection_refused(runner):
    with refused_port() as port:
        result = runner.invoke(cli, ["query", "pillars", "--endpoint", f"http://127.0.0.1:{port}/query"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "cannot reach" in result.stderr and len(result.stderr.strip().splitlines()) == 1
