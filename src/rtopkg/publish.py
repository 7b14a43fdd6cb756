"""``rtopkg publish``: load the graph into a remote triple store, atomically, and check what arrived.

How (SPARQL 1.1 Graph Store HTTP Protocol and SPARQL 1.1 Update only, so any conforming store works):

1. the graph goes into a fresh **staging graph** (``urn:rtopkg:staging:<random>``): with the Graph Store
   protocol (``--gsp``: one ``PUT``, then ``POST`` for further chunks) or, without one, with
   ``INSERT DATA`` requests (``--update``); chunks never split a blank-node structure;
2. the staging graph's triple count is checked against the local graph (a store that changed the data, or a
   body cut short, stops the publish here);
3. **one** SPARQL Update request, ``MOVE <staging> TO <graph>``, replaces the target graph: the store runs it as
   one operation, so readers see the old graph or the new one, never half of it;
4. the target graph's triple count and a deterministic sample of resources (each compared triple by triple,
   including resources with non-ASCII text) are queried back and reported.

A single ``PUT`` of the target graph is not relied on: the Graph Store protocol does not say that a ``PUT``
is atomic, and stores differ (some clear the graph before they read the body, so a body cut short would leave
it empty). SPARQL Update, on the other hand, runs one request as one operation in both stores tested (Oxigraph,
Virtuoso), and a body cut short never reaches the target graph.

Any failure before step 3 (bad credentials, an unreachable endpoint, a connection cut, a body the store
rejects, a count that does not match) leaves the target graph exactly as it was, drops the staging graph, and
raises :class:`~rtopkg.errors.EndpointError` with a one-line reason (exit status 2).

Credentials come from the environment (``RTOPKG_PUBLISH_USER``, ``RTOPKG_PUBLISH_PASSWORD``), never from the
command line, and are offered to the store's HTTP Basic or Digest challenge (Virtuoso's ``*-auth`` endpoints
use Digest). Every request body is UTF-8 and says so (``charset=utf-8``).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import secrets
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Iterable, Sequence

import pyoxigraph as ox

from .canonical import XSD, XSD_STRING, nt_quad, nt_term
from .errors import EndpointError, InputError, one_line

__all__ = ["Target", "PublishReport", "publish", "chunks", "with_closure", "SparqlClient", "USER_ENV",
           "PASSWORD_ENV"]

USER_ENV = "RTOPKG_PUBLISH_USER"
PASSWORD_ENV = "RTOPKG_PUBLISH_PASSWORD"
STAGING_PREFIX = "urn:rtopkg:staging:"
#: Triples per request when loading the staging graph with the Graph Store protocol...
DEFAULT_CHUNK = 50_000
#: ... and with SPARQL Update (Virtuoso's SPARQL compiler refuses an INSERT DATA of a few thousand triples).
DEFAULT_UPDATE_CHUNK = 500
DEFAULT_SAMPLE = 10
_NUMERIC = {XSD + "integer", XSD + "int", XSD + "long", XSD + "short", XSD + "decimal", XSD + "nonNegativeInteger",
            XSD + "positiveInteger", XSD + "double", XSD + "float", XSD + "boolean"}


@dataclass
class Target:
    """Where to publish: the SPARQL query endpoint, the graph, and how to write."""

    endpoint: str
    graph: str
    gsp: str | None = None
    update: str | None = None
    user: str | None = None
    password: str | None = None
    timeout: float = 60.0

    @classmethod
    def from_env(cls, endpoint: str, graph: str, *, gsp: str | None = None, update: str | None = None,
                 timeout: float = 60.0) -> "Target":
        return cls(endpoint, graph, gsp, update, os.environ.get(USER_ENV) or None,
                   os.environ.get(PASSWORD_ENV) or None, timeout)

    def check(self) -> None:
        for option, value in (("--endpoint", self.endpoint), ("--gsp", self.gsp), ("--update", self.update)):
            if value is None:
                continue
            parts = urllib.parse.urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise InputError(f"{option} {value!r}: not an http(s) URL")
        try:
            ox.NamedNode(self.graph)
        except ValueError:
            raise InputError(f"--graph {self.graph!r}: not an absolute IRI") from None
        if not urllib.parse.urlsplit(self.graph).scheme:
            raise InputError(f"--graph {self.graph!r}: not an absolute IRI")
        if self.graph.startswith(STAGING_PREFIX):
            raise InputError(f"--graph {self.graph!r}: that name is reserved for staging graphs")
        if bool(self.user) != bool(self.password):
            missing = PASSWORD_ENV if self.user else USER_ENV
            raise InputError(f"{missing} is not set (set both {USER_ENV} and {PASSWORD_ENV}, or neither)")
        if self.timeout <= 0:
            raise InputError(f"--timeout {self.timeout:g}: must be more than 0 seconds")

    @property
    def update_url(self) -> str:
        return self.update or self.endpoint


@dataclass
class SampleCheck:
    resource: str
    local: int
    remote: int
    same: bool


@dataclass
class PublishReport:
    """What was published, how long each step took, and what the store holds afterwards."""

    graph: str
    triples: int
    remote_triples: int
    sample: list[SampleCheck] = field(default_factory=list)
    method: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    requests: int = 0

    @property
    def ok(self) -> bool:
        return self.remote_triples == self.triples and all(s.same for s in self.sample)

    def lines(self) -> list[str]:
        same = sum(1 for s in self.sample if s.same)
        total = sum(self.seconds.values())
        steps = ", ".join(f"{k} {v:.2f} s" for k, v in self.seconds.items())
        return [
            f"published {self.triples} triples to <{self.graph}> ({self.method}, {self.requests} requests): "
            f"{steps}; total {total:.2f} s",
            f"remote count: {self.remote_triples} triples in <{self.graph}> (local {self.triples})",
            f"sample: {same} of {len(self.sample)} resources identical "
            f"({sum(s.local for s in self.sample)} triples compared)",
        ]


# ---------------------------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------------------------


def _loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


class SparqlClient:
    """A small SPARQL protocol client: queries, updates and Graph Store requests, errors as one line.

    Authentication is done here rather than by urllib's handlers, which send a large body first and answer the
    challenge after: a store that refuses early (Virtuoso does) then cuts the upload, and the 401 is lost. So
    before the first request with a body to a URL, a small ``GET`` learns the challenge (Basic or Digest) and
    checks the credentials; later requests carry the ``Authorization`` header from the start.
    """

    def __init__(self, target: Target):
        self.target = target
        self.requests = 0
        urls = [u for u in (target.endpoint, target.gsp, target.update) if u]
        handlers: list = []
        if all(_loopback(u) for u in urls):
            handlers.append(urllib.request.ProxyHandler({}))
        self.opener = urllib.request.build_opener(*handlers)
        self._manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        if target.user:
            for url in urls:
                parts = urllib.parse.urlsplit(url)
                self._manager.add_password(None, f"{parts.scheme}://{parts.netloc}/", target.user, target.password)
        self._digest = urllib.request.HTTPDigestAuthHandler(self._manager)
        self._challenges: dict[str, tuple[str, dict]] = {}  # scheme://host/path -> (scheme, parameters)
        self._probed: set[str] = set()

    def _authorization(self, req: urllib.request.Request) -> str | None:
        found = self._challenges.get(_short(req.full_url))
        if not found or not self.target.user:
            return None
        scheme, params = found
        if scheme == "basic":
            import base64
            token = base64.b64encode(f"{self.target.user}:{self.target.password}".encode("utf-8")).decode("ascii")
            return f"Basic {token}"
        value = self._digest.get_authorization(req, params)
        return f"Digest {value}" if value else None

    def _learn(self, url: str, header: str | None) -> bool:
        """Remember the challenge of a 401 answer; whether it is one we can answer."""
        if not header:
            return False
        scheme, _, rest = header.strip().partition(" ")
        scheme = scheme.lower()
        if scheme == "digest":
            params = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
            self._challenges[_short(url)] = ("digest", params)
            return True
        if scheme == "basic":
            self._challenges[_short(url)] = ("basic", {})
            return True
        return False

    def _send(self, method: str, url: str, body: bytes | None, headers: dict, what: str) -> bytes:
        for attempt in range(3):
            req = urllib.request.Request(url, data=body, method=method, headers=headers)
            authorization = self._authorization(req)
            if authorization:
                req.add_unredirected_header("Authorization", authorization)
            self.requests += 1
            try:
                with self.opener.open(req, timeout=self.target.timeout) as response:
                    data = response.read()
                    if response.status == 206:
                        raise EndpointError(f"{what} at {_short(url)}: the store sent a partial answer (HTTP 206)",
                                            status=206, kind="partial")
                    return data
            except urllib.error.HTTPError as exc:
                if exc.code == 401 and self.target.user:
                    header = exc.headers.get("WWW-Authenticate")
                    stale = "stale=true" in (header or "").replace(" ", "").lower()
                    if (authorization is None or stale) and self._learn(url, header) and attempt < 2:
                        continue
                raise _http_error(exc, url, what, bool(self.target.user)) from None
            except EndpointError:
                raise
            except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
                raise _network_error(exc, url, what, self.target.timeout) from None
        raise EndpointError(f"{what} at {_short(url)}: the store kept asking for credentials", kind="auth")

    def _probe(self, url: str, what: str) -> None:
        """Before sending a body to ``url``: check that it answers and accepts our credentials (or needs none)."""
        key = _short(url)
        if key in self._probed:
            return
        try:
            self._send("GET", url, None, {"User-Agent": "rtopkg-publish"}, what)
        except EndpointError as exc:
            if exc.status == 401 or exc.status == 403 or exc.status is None:
                raise
        self._probed.add(key)

    def request(self, method: str, url: str, body: bytes | None = None, content_type: str | None = None,
                accept: str | None = None, what: str = "request") -> bytes:
        headers = {"User-Agent": "rtopkg-publish"}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        if body is not None and len(body) > 4096:
            self._probe(url, what)
        return self._send(method, url, body, headers, what)

    def query(self, query: str) -> list[dict]:
        """SELECT results as a list of bindings (SPARQL 1.1 Query Results JSON)."""
        body = urllib.parse.urlencode({"query": query}).encode("ascii")
        data = self.request("POST", self.target.endpoint, body, "application/x-www-form-urlencoded; charset=utf-8",
                            "application/sparql-results+json", what="query")
        try:
            return json.loads(data.decode("utf-8"))["results"]["bindings"]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise EndpointError(f"query at {_short(self.target.endpoint)}: the answer is not SPARQL results JSON "
                                f"({one_line(data[:80].decode('utf-8', 'replace'))!r})", kind="format") from None

    def update(self, update: str, what: str = "update") -> None:
        self.request("POST", self.target.update_url, update.encode("utf-8"),
                     "application/sparql-update; charset=utf-8", what=what)

    def count(self, graph: str) -> int:
        rows = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {nt_term(ox.NamedNode(graph))} {{ ?s ?p ?o }} }}")
        try:
            return int(rows[0]["n"]["value"])
        except (IndexError, KeyError, ValueError):
            raise EndpointError(f"query at {_short(self.target.endpoint)}: no count in the answer",
                                kind="format") from None

    def graph_store_url(self, graph: str) -> str:
        gsp = self.target.gsp or ""
        # Oxigraph, Fuseki, GraphDB: ?graph= ; Virtuoso's /sparql-graph-crud(-auth): ?graph-uri=
        name = "graph-uri" if "sparql-graph-crud" in gsp else "graph"
        joiner = "&" if urllib.parse.urlsplit(gsp).query else "?"
        return f"{gsp}{joiner}{urllib.parse.urlencode({name: graph})}"


def _short(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _http_error(exc: urllib.error.HTTPError, url: str, what: str, credentials: bool = True) -> EndpointError:
    try:
        detail = one_line(exc.read()[:300].decode("utf-8", "replace"))
    except Exception:  # noqa: BLE001 - the body of an error is a courtesy
        detail = ""
    code = exc.code
    where = f"{what} at {_short(url)}"
    if code in (401, 403) and not credentials:
        return EndpointError(f"{where}: the store needs credentials (HTTP {code}); set {USER_ENV} and "
                             f"{PASSWORD_ENV}", status=code, kind="auth")
    if code in (401, 403):
        return EndpointError(f"{where}: the store refused the credentials (HTTP {code}); set {USER_ENV} and "
                             f"{PASSWORD_ENV} to a user allowed to write", status=code, kind="auth")
    if code == 404:
        return EndpointError(f"{where}: not found (HTTP 404); check the URL", status=code, kind="not-found")
    if 400 <= code < 500:
        return EndpointError(f"{where}: the store rejected the request (HTTP {code}"
                             f"{': ' + detail[:200] if detail else ''})", status=code, kind="rejected")
    return EndpointError(f"{where}: the store failed (HTTP {code}{': ' + detail[:200] if detail else ''})",
                         status=code, kind="server")


def _network_error(exc: BaseException, url: str, what: str, timeout: float) -> EndpointError:
    reason = getattr(exc, "reason", exc)
    where = f"{what} at {_short(url)}"
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return EndpointError(f"{where}: no answer within {timeout:g} s", kind="timeout")
    if isinstance(reason, ConnectionRefusedError):
        return EndpointError(f"{where}: cannot connect (connection refused); is the store running?", kind="unreachable")
    if isinstance(reason, socket.gaierror):
        return EndpointError(f"{where}: unknown host ({one_line(reason)})", kind="unreachable")
    if isinstance(reason, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError, http.client.HTTPException)):
        name = type(reason).__name__
        return EndpointError(f"{where}: the connection was cut before the store answered ({name})", kind="cut")
    return EndpointError(f"{where}: {one_line(reason) or type(reason).__name__}", kind="network")


# ---------------------------------------------------------------------------------------------------------
# Publishing
# ---------------------------------------------------------------------------------------------------------


def chunks(triples: Sequence[Sequence], size: int, *, separate_blank: bool = False) -> list[list[tuple]]:
    """Split triples into chunks of about ``size``, never splitting the triples that share blank nodes (each
    request is its own document, so a blank node cannot span two). With ``separate_blank`` no chunk mixes
    triples with blank nodes and ground ones (stores such as Virtuoso refuse blank nodes in ``INSERT DATA``)."""
    parent: dict = {}

    def find(x):
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for s, _, o in triples:
        if isinstance(s, ox.BlankNode) and isinstance(o, ox.BlankNode):
            a, b = find(s), find(o)
            if a != b:
                parent[a] = b
    groups: dict = {}
    ground: list[tuple] = []
    for t in triples:
        node = t[0] if isinstance(t[0], ox.BlankNode) else (t[2] if isinstance(t[2], ox.BlankNode) else None)
        if node is None:
            ground.append(tuple(t[:3]))
        else:
            groups.setdefault(find(node), []).append(tuple(t[:3]))
    out: list[list[tuple]] = []
    batches = [list(groups.values()), [[t] for t in ground]]  # blank-node chunks first, then ground ones
    if not separate_blank:
        batches = [batches[0] + batches[1]]
    for batch in batches:
        current: list[tuple] = []
        for group in batch:
            if current and len(current) + len(group) > size:
                out.append(current)
                current = []
            current.extend(group)
        if current:
            out.append(current)
    return out


def _body(triples: Iterable[Sequence]) -> bytes:
    return "".join(nt_quad(t[0], t[1], t[2]) + "\n" for t in triples).encode("utf-8")


def _term_from_json(value: dict):
    kind = value.get("type")
    text = value.get("value", "")
    if kind == "uri":
        return ox.NamedNode(text)
    if kind == "bnode":
        return ox.BlankNode()
    language = value.get("xml:lang")
    if language:
        return ox.Literal(text, language=language.lower())
    datatype = value.get("datatype")
    if datatype and datatype != XSD_STRING:
        return ox.Literal(text, datatype=ox.NamedNode(datatype))
    return ox.Literal(text)


def comparable(term) -> str:
    """A term as compared after the round trip: exact text, except numbers and booleans (by value, since
    stores such as Virtuoso return their canonical forms, ``"1"`` for ``true``), and blank nodes (any)."""
    if isinstance(term, ox.BlankNode):
        return "_:"
    if isinstance(term, ox.Literal) and not term.language and term.datatype.value in _NUMERIC:
        text = term.value.strip()
        if term.datatype.value == XSD + "boolean":
            return f"boolean:{text in ('true', '1')}"
        try:
            return f"number:{Decimal(text).normalize()}"
        except InvalidOperation:
            return nt_term(term)
    return nt_term(term)


def sample_subjects(triples: Sequence[Sequence], size: int = DEFAULT_SAMPLE) -> list[str]:
    """IRI subjects to compare after publishing: ``size`` spread by hash, plus up to ``size // 2`` of those with
    non-ASCII text (so the encoding is checked), all chosen from the graph alone."""
    subjects = sorted({t[0].value for t in triples if isinstance(t[0], ox.NamedNode)},
                      key=lambda iri: hashlib.sha256(iri.encode("utf-8")).hexdigest())
    chosen = subjects[:size]
    non_ascii = sorted({t[0].value for t in triples if isinstance(t[0], ox.NamedNode) and isinstance(t[2], ox.Literal)
                        and not t[2].value.isascii()}, key=lambda iri: hashlib.sha256(iri.encode("utf-8")).hexdigest())
    chosen += [iri for iri in non_ascii if iri not in chosen][: max(size // 2, 1) if size else 0]
    return chosen


def _check_sample(client: SparqlClient, graph: str, triples: Sequence[Sequence],
                  subjects: Sequence[str]) -> list[SampleCheck]:
    local: dict[str, list[str]] = {s: [] for s in subjects}
    for t in triples:
        if isinstance(t[0], ox.NamedNode) and t[0].value in local:
            local[t[0].value].append(nt_term(t[1]) + " " + comparable(t[2]))
    out = []
    g = nt_term(ox.NamedNode(graph))
    for iri in subjects:
        rows = client.query(f"SELECT ?p ?o WHERE {{ GRAPH {g} {{ {nt_term(ox.NamedNode(iri))} ?p ?o }} }}")
        remote = [nt_term(_term_from_json(r["p"])) + " " + comparable(_term_from_json(r["o"])) for r in rows]
        out.append(SampleCheck(iri, len(local[iri]), len(remote), sorted(remote) == sorted(local[iri])))
    return out


def publish(triples: Sequence[Sequence], target: Target, *, chunk_size: int | None = None,
            sample: int = DEFAULT_SAMPLE) -> PublishReport:
    """Replace ``target.graph`` in the remote store with ``triples`` (see the module docstring)."""
    target.check()
    triples = list(dict.fromkeys((t[0], t[1], t[2]) for t in triples))
    client = SparqlClient(target)
    staging = STAGING_PREFIX + secrets.token_hex(16)
    staging_term = nt_term(ox.NamedNode(staging))
    method = "Graph Store protocol into a staging graph, then MOVE" if target.gsp else \
        "INSERT DATA into a staging graph, then MOVE"
    report = PublishReport(target.graph, len(triples), -1, method=method)
    if chunk_size is None:
        chunk_size = DEFAULT_CHUNK if target.gsp else DEFAULT_UPDATE_CHUNK
    if chunk_size < 1:
        raise InputError(f"--chunk {chunk_size}: must be at least 1 triple")
    moved = False
    try:
        start = time.perf_counter()
        for k, chunk in enumerate(chunks(triples, chunk_size, separate_blank=not target.gsp)):
            if target.gsp:
                client.request("PUT" if k == 0 else "POST", client.graph_store_url(staging), _body(chunk),
                               "text/turtle; charset=utf-8", what="loading the staging graph")
            else:
                body = _body(chunk).decode("utf-8")
                if any(isinstance(t[0], ox.BlankNode) or isinstance(t[2], ox.BlankNode) for t in chunk):
                    operation = f"INSERT {{ GRAPH {staging_term} {{\n{body}}} }} WHERE {{}}"
                else:
                    operation = f"INSERT DATA {{ GRAPH {staging_term} {{\n{body}}} }}"
                client.update(operation, what="loading the staging graph")
        report.seconds["load"] = time.perf_counter() - start
        start = time.perf_counter()
        staged = client.count(staging)
        if staged != len(triples):
            raise EndpointError(f"the staging graph holds {staged} triples, not the {len(triples)} sent (the store "
                                "dropped or merged some); nothing was replaced", kind="count")
        report.seconds["check"] = time.perf_counter() - start
        start = time.perf_counter()
        try:
            client.update(f"MOVE {staging_term} TO {nt_term(ox.NamedNode(target.graph))}",
                          what="moving the staging graph into place")
        except EndpointError:
            # Did the MOVE happen before the answer was lost? Decide from what the store holds now.
            try:
                if client.count(staging) == 0 and client.count(target.graph) == len(triples):
                    moved = True
            except EndpointError:
                pass
            if not moved:
                raise
        moved = True
        report.seconds["move"] = time.perf_counter() - start
    except BaseException as exc:
        if not moved:
            _drop_quietly(client, staging)
            if isinstance(exc, EndpointError):
                raise EndpointError(f"publish to <{target.graph}> failed, the graph is unchanged: {exc}",
                                    status=exc.status, kind=exc.kind) from None
        raise
    start = time.perf_counter()
    try:
        report.remote_triples = client.count(target.graph)
        report.sample = _check_sample(client, target.graph, triples, sample_subjects(triples, sample))
    except EndpointError as exc:
        raise EndpointError(f"published <{target.graph}>, but checking it failed: {exc}", status=exc.status,
                            kind=exc.kind) from None
    report.seconds["verify"] = time.perf_counter() - start
    report.requests = client.requests
    if report.remote_triples != report.triples:
        raise EndpointError(f"published <{target.graph}>, but the store now holds {report.remote_triples} triples "
                            f"in it, not {report.triples}", kind="count")
    bad = [s.resource for s in report.sample if not s.same]
    if bad:
        raise EndpointError(f"published <{target.graph}>, but {len(bad)} sampled resources differ in the store "
                            f"(first: <{bad[0]}>)", kind="sample")
    return report


def with_closure(triples: Sequence[Sequence], profile: str = "rules") -> list[tuple]:
    """``triples`` plus their closure under the ``rules`` profile (:mod:`rtopkg.rules`), for stores that do not
    reason: stored questions that declare ``reasoning: rules`` then give the same answers remotely."""
    if profile != "rules":
        raise InputError(f"--reason {profile!r}: only the 'rules' closure can be published")
    try:
        from .rules import apply_rules
    except ImportError as exc:  # pragma: no cover - rules.py is part of the package
        raise InputError(f"--reason rules: the rule closure is not available ({exc})") from None
    store = ox.Store()
    store.extend(ox.Quad(t[0], t[1], t[2]) for t in triples)
    apply_rules(store)
    return [(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())]


def _drop_quietly(client: SparqlClient, staging: str) -> None:
    try:
        client.update(f"DROP SILENT GRAPH {nt_term(ox.NamedNode(staging))}", what="dropping the staging graph")
    except EndpointError:
        pass
