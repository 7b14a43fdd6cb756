"""Asking a remote SPARQL 1.1 endpoint (``rtopkg query --endpoint URL``), and failing loudly when it fails.

SPARQLWrapper builds the SPARQL-protocol request (a POST of ``application/sparql-query``, declared UTF-8, with
an ``Accept`` for SPARQL JSON results and the credentials); rtopkg sends it itself so that it keeps control of
what SPARQLWrapper leaves to urllib:

* **a deadline** for the whole exchange (connect, headers, body), not only per socket read: a server that
  drips bytes past the limit is cut off (:class:`EndpointTimeout`, exit code 3);
* **HTTP errors with their headers**: 500, 503, 429... become one-line :class:`~rtopkg.errors.EndpointError`\\ s;
  503 and 429 are retried after ``Retry-After`` when it is within a bound (10 s by default,
  ``RTOPKG_ENDPOINT_MAX_WAIT``) and before the deadline;
* **partial answers are errors**: HTTP 206, an ``X-SQL-State`` header (Virtuoso's "anytime" partial results),
  a body shorter than its ``Content-Length``, truncated JSON, or a content type other than SPARQL JSON;
* **no redirects** (a redirect could carry the credentials elsewhere), no ``file:`` or other schemes, no
  credentials in the URL, and no credentials over plain ``http:`` except to the local machine
  (``RTOPKG_ENDPOINT_INSECURE=1`` allows it).

Credentials come from the environment: ``RTOPKG_ENDPOINT_USER`` and ``RTOPKG_ENDPOINT_PASSWORD`` (HTTP basic),
or ``RTOPKG_ENDPOINT_TOKEN`` (a bearer token).

Parameters travel as one ``VALUES`` block placed first in the query's top-level WHERE group, made of terms
written by :func:`rtopkg.terms.to_sparql` (checked IRIs, escaped strings); the bound query is checked again.
"""

from __future__ import annotations

import email.utils
import http.client
import ipaddress
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pyoxigraph as ox

from .engines import Engine
from .errors import EXIT_LIMIT, EndpointError, InputError, LimitExceeded, RtopkgError
from .guard import QueryShape, check_query, insert_values
from .results import Result, relabel_blank_nodes
from .terms import Term, TermError, from_json, to_nt, values_block

__all__ = ["RemoteEngine", "EndpointTimeout", "DEFAULT_MAX_WAIT", "DEFAULT_MAX_BYTES"]

#: The longest Retry-After rtopkg waits for, in seconds (override: RTOPKG_ENDPOINT_MAX_WAIT).
DEFAULT_MAX_WAIT = 10.0
#: The largest answer read, in bytes (override: RTOPKG_MAX_RESULT_BYTES).
DEFAULT_MAX_BYTES = 256 << 20
_JSON_TYPES = ("application/sparql-results+json", "application/json")
_GRAPH_TYPES = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/turtle": ox.RdfFormat.TURTLE}


class EndpointTimeout(EndpointError, LimitExceeded):
    """The endpoint did not give a complete answer within the wall-clock limit (exit code 3)."""

    exit_code = EXIT_LIMIT


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError:
        raise InputError(f"{name}={raw!r}: not a number") from None


def _loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102 - urllib's hook
        return None  # urllib then raises HTTPError with the 3xx code


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


class RemoteEngine(Engine):
    """A SPARQL 1.1 endpoint over HTTP(S)."""

    name = "remote"
    local = False

    def __init__(self, url: str, *, max_wait: float | None = None, retries: int = 2,
                 max_bytes: int | None = None, user: str | None = None, password: str | None = None,
                 token: str | None = None):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(f"--endpoint {url!r}: expected an http:// or https:// URL")
        if parts.username or parts.password:
            raise InputError("--endpoint: put credentials in RTOPKG_ENDPOINT_USER and RTOPKG_ENDPOINT_PASSWORD "
                             "(or RTOPKG_ENDPOINT_TOKEN), not in the URL")
        super().__init__(description=f"endpoint {url}")
        self.url = url
        self.host = parts.hostname
        self.max_wait = _env_float("RTOPKG_ENDPOINT_MAX_WAIT", DEFAULT_MAX_WAIT) if max_wait is None else max_wait
        self.retries = retries
        self.max_bytes = int(_env_float("RTOPKG_MAX_RESULT_BYTES", DEFAULT_MAX_BYTES)) if max_bytes is None else max_bytes
        self.user = user if user is not None else os.environ.get("RTOPKG_ENDPOINT_USER") or None
        self.password = password if password is not None else os.environ.get("RTOPKG_ENDPOINT_PASSWORD") or None
        self.token = token if token is not None else os.environ.get("RTOPKG_ENDPOINT_TOKEN") or None
        if (self.user is None) != (self.password is None):
            raise InputError("RTOPKG_ENDPOINT_USER and RTOPKG_ENDPOINT_PASSWORD must be set together")
        if (self.user or self.token) and parts.scheme == "http" and not _loopback(self.host) \
                and os.environ.get("RTOPKG_ENDPOINT_INSECURE") != "1":
            raise InputError(f"--endpoint {url}: refusing to send credentials over plain http:// to another machine "
                             "(use https://, or set RTOPKG_ENDPOINT_INSECURE=1)")
        self.hits = 0  # requests sent (for tests and diagnostics)

    # -- the query ----------------------------------------------------------------------------------------
    def _run(self, text: str, shape: QueryShape, bindings: dict[str, Term], limit: float, what: str) -> Result:
        if bindings:
            try:
                block = values_block(bindings)
            except TermError as exc:
                raise InputError(f"{what}: {exc.message}") from None
            text = insert_values(text, shape, block)
            check_query(text, local=False, what=f"{what} (with its parameters)")
        text = _with_prefixes(text, shape)
        graph = shape.form in ("CONSTRUCT", "DESCRIBE")
        status, headers, body = self._exchange(text, graph, limit, what)
        content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if graph:
            return self._graph_result(content_type, body, what, shape.form or "CONSTRUCT")
        return self._json_result(content_type, body, what, shape.form or "SELECT")

    def _request(self, text: str, graph: bool) -> urllib.request.Request:
        from SPARQLWrapper import JSON, POST, POSTDIRECTLY, TURTLE, SPARQLWrapper

        wrapper = SPARQLWrapper(self.url)
        wrapper.setQuery(text)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(POSTDIRECTLY)
        wrapper.setOnlyConneg(True)
        wrapper.setReturnFormat(TURTLE if graph else JSON)
        wrapper.addCustomHttpHeader("Content-Type", "application/sparql-query; charset=UTF-8")
        wrapper.addCustomHttpHeader("Accept", "application/n-triples, text/turtle;q=0.9" if graph
                                    else "application/sparql-results+json, application/json;q=0.9")
        wrapper.addCustomHttpHeader("Accept-Charset", "utf-8")
        if self.user and self.password:
            wrapper.setCredentials(self.user, self.password)
        if self.token:
            wrapper.addCustomHttpHeader("Authorization", f"Bearer {self.token}")
        request = wrapper._createRequest()  # noqa: SLF001 - sent below, with a deadline and without redirects
        if request.full_url.endswith("?"):
            request.full_url = request.full_url[:-1]  # POSTDIRECTLY with no URL parameters
        return request

    def _exchange(self, text: str, graph: bool, limit: float, what: str) -> tuple[int, Any, bytes]:
        """POST the query; retry 503/429 within bounds; return (status, headers, body) of a complete answer."""
        deadline = time.monotonic() + limit if limit > 0 else None
        attempt = 0
        while True:
            attempt += 1
            outcome = self._attempt(self._request(text, graph), deadline, limit, what)
            if isinstance(outcome, tuple):
                return outcome
            code, reason, headers, snippet = outcome.code, outcome.reason, outcome.headers, outcome.snippet
            where = f"{what}: {self.url} answered HTTP {code} {reason}".rstrip()
            if code in (429, 503):
                wait = _retry_after(headers.get("Retry-After") if headers else None)
                if wait is None:
                    raise EndpointError(f"{where} with no Retry-After{snippet}", status=code, kind="unavailable")
                if wait > self.max_wait:
                    raise EndpointError(f"{where}; its Retry-After of {wait:g} s is beyond the {self.max_wait:g} s "
                                        "rtopkg waits (RTOPKG_ENDPOINT_MAX_WAIT)", status=code, kind="unavailable")
                if deadline is not None and time.monotonic() + wait >= deadline:
                    raise EndpointTimeout(f"{where}; waiting its Retry-After of {wait:g} s would pass the "
                                          f"wall-clock limit of {limit:g} s", status=code, kind="timeout")
                if attempt > self.retries:
                    raise EndpointError(f"{where} again after {self.retries} retr{'y' if self.retries == 1 else 'ies'}",
                                        status=code, kind="unavailable")
                time.sleep(wait)
                continue
            if 300 <= code < 400:
                target = headers.get("Location") if headers else None
                raise EndpointError(f"{where} (a redirect to {target or 'elsewhere'}); rtopkg does not follow "
                                    "redirects: give the final URL", status=code, kind="redirect")
            kind = {400: "bad-query", 401: "unauthorized", 403: "forbidden", 404: "not-found"}.get(code, "http")
            hint = " (check RTOPKG_ENDPOINT_USER/PASSWORD or TOKEN)" if code in (401, 403) else ""
            raise EndpointError(f"{where}{hint}{snippet}", status=code, kind=kind)

    class _Failure:
        def __init__(self, code: int, reason: str, headers: Any, snippet: str):
            self.code, self.reason, self.headers, self.snippet = code, reason, headers, snippet

    def _attempt(self, request: urllib.request.Request, deadline: float | None, limit: float, what: str):
        """One HTTP exchange in a worker thread, abandoned (and its socket timed out) at the deadline."""
        handlers: list[Any] = [_NoRedirect()]
        if _loopback(self.host):
            handlers.append(urllib.request.ProxyHandler({}))  # never send loopback traffic through a proxy
        opener = urllib.request.build_opener(*handlers)
        box: dict[str, Any] = {}
        stop = threading.Event()
        remaining = None if deadline is None else max(0.05, deadline - time.monotonic())
        socket_timeout = 30.0 if remaining is None else min(30.0, remaining)
        max_bytes = self.max_bytes

        def exchange() -> None:
            try:
                self.hits += 1
                with opener.open(request, timeout=socket_timeout) as response:
                    chunks, size = [], 0
                    while not stop.is_set():
                        chunk = response.read1(65536)
                        if not chunk:
                            break
                        size += len(chunk)
                        if size > max_bytes:
                            box["error"] = LimitExceeded(f"{what}: the answer of {self.url} is over the "
                                                         f"{max_bytes} byte limit (RTOPKG_MAX_RESULT_BYTES)")
                            return
                        chunks.append(chunk)
                    if stop.is_set():
                        return
                    declared = response.headers.get("Content-Length")
                    if declared and declared.isdigit() and size < int(declared):
                        box["error"] = EndpointError(f"{what}: the answer of {self.url} was cut off after {size} of "
                                                     f"{declared} bytes (truncated)", kind="truncated")
                        return
                    box["ok"] = (response.status, response.headers, b"".join(chunks))
            except urllib.error.HTTPError as exc:
                try:
                    raw = exc.read(300)
                except Exception:  # noqa: BLE001 - the error body is only a hint
                    raw = b""
                text = " ".join(raw.decode("utf-8", "replace").split())[:160]
                box["http"] = RemoteEngine._Failure(exc.code, exc.reason or "", exc.headers, f": {text}" if text else "")
            except http.client.IncompleteRead as exc:
                box["error"] = EndpointError(f"{what}: the answer of {self.url} was cut off after "
                                             f"{len(exc.partial)} bytes (truncated)", kind="truncated")
            except (socket.timeout, TimeoutError):
                box["error"] = EndpointTimeout(f"{what}: {self.url} did not answer within the wall-clock limit of "
                                               f"{limit:g} s", kind="timeout")
            except urllib.error.URLError as exc:
                reason = exc.reason
                if isinstance(reason, (socket.timeout, TimeoutError)):
                    box["error"] = EndpointTimeout(f"{what}: {self.url} did not answer within the wall-clock "
                                                   f"limit of {limit:g} s", kind="timeout")
                else:
                    detail = getattr(reason, "strerror", None) or str(reason)
                    box["error"] = EndpointError(f"{what}: cannot reach {self.url}: {detail}", kind="unreachable")
            except (http.client.HTTPException, OSError) as exc:
                box["error"] = EndpointError(f"{what}: the connection to {self.url} failed: "
                                             f"{type(exc).__name__}: {exc}", kind="connection")

        worker = threading.Thread(target=exchange, name="rtopkg-endpoint", daemon=True)
        worker.start()
        worker.join(remaining)
        if worker.is_alive():
            stop.set()
            raise EndpointTimeout(f"{what}: {self.url} gave no complete answer within the wall-clock limit of "
                                  f"{limit:g} s", kind="timeout")
        if "error" in box:
            raise box["error"]
        if "http" in box:
            return box["http"]
        status, headers, body = box["ok"]
        sql_state = headers.get("X-SQL-State")
        if status == 206 or sql_state:
            detail = f", X-SQL-State {sql_state}" if sql_state else ""
            message = headers.get("X-SQL-Message")
            detail += f": {' '.join(message.split())[:120]}" if message else ""
            raise EndpointError(f"{what}: {self.url} returned a partial answer (HTTP {status}{detail}); "
                                "rtopkg never passes off a partial answer as complete", status=status, kind="partial")
        if status != 200:
            raise EndpointError(f"{what}: {self.url} answered HTTP {status}, expected 200 with results",
                                status=status, kind="http")
        return status, headers, body

    # -- reading the answer ---------------------------------------------------------------------------------
    def _json_result(self, content_type: str, body: bytes, what: str, form: str) -> Result:
        if content_type not in _JSON_TYPES:
            raise EndpointError(f"{what}: {self.url} answered with content type {content_type or '(none)'!r}, "
                                "not SPARQL JSON results", kind="content-type")
        try:
            doc = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise EndpointError(f"{what}: the answer of {self.url} is not UTF-8 ({exc.reason} at byte {exc.start})",
                                kind="encoding") from None
        except json.JSONDecodeError as exc:
            raise EndpointError(f"{what}: the answer of {self.url} is truncated or not JSON ({exc.msg}, byte "
                                f"{exc.pos} of {len(body)})", kind="truncated") from None
        try:
            return _parse_json_results(doc, form)
        except (TermError, ValueError, TypeError, KeyError, AttributeError) as exc:
            message = exc.message if isinstance(exc, RtopkgError) else str(exc)
            raise EndpointError(f"{what}: the answer of {self.url} is not SPARQL JSON results: {message}",
                                kind="malformed") from None

    def _graph_result(self, content_type: str, body: bytes, what: str, form: str) -> Result:
        fmt = _GRAPH_TYPES.get(content_type)
        if fmt is None:
            raise EndpointError(f"{what}: {self.url} answered with content type {content_type or '(none)'!r}, "
                                "not N-Triples or Turtle", kind="content-type")
        try:
            quads = list(ox.parse(body, fmt))
        except (SyntaxError, ValueError) as exc:
            raise EndpointError(f"{what}: the graph {self.url} returned does not parse ({exc})",
                                kind="truncated") from None
        rows = [(to_nt(q.subject), to_nt(q.predicate), to_nt(q.object)) for q in quads]
        return Result(["subject", "predicate", "object"], relabel_blank_nodes(rows), form=form)


def _with_prefixes(text: str, shape: QueryShape) -> str:
    """``text`` with PREFIX lines for the project's prefixes it uses without declaring (the local engines
    predeclare them; an endpoint does not)."""
    from .guard import tokenize
    from .prefixes import PREFIXES

    used = {t.text.split(":", 1)[0] for t in tokenize(text) if t.kind == "PNAME"}
    missing = sorted(p for p in used if p not in shape.prefixes and p in PREFIXES)
    if not missing:
        return text
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in missing) + text


def _parse_json_results(doc: Any, form: str) -> Result:
    if not isinstance(doc, dict) or not isinstance(doc.get("head"), dict):
        raise ValueError("no head object")
    if "boolean" in doc:
        if not isinstance(doc["boolean"], bool):
            raise ValueError("boolean is not true or false")
        return Result([], boolean=doc["boolean"], form="ASK")
    variables = doc["head"].get("vars")
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        raise ValueError("head.vars is not a list of names")
    results = doc.get("results")
    if not isinstance(results, dict) or not isinstance(results.get("bindings"), list):
        raise ValueError("no results.bindings list")
    rows = []
    for binding in results["bindings"]:
        if not isinstance(binding, dict):
            raise ValueError("a binding is not an object")
        extra = set(binding) - set(variables)
        if extra:
            raise ValueError(f"a binding names {sorted(extra)[0]!r}, not in head.vars")
        rows.append(tuple(from_json(binding[v]) if v in binding else None for v in variables))
    return Result(list(variables), relabel_blank_nodes(rows), form=form)
