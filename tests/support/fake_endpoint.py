"""A small SPARQL endpoint on 127.0.0.1 that misbehaves on purpose, and a listener that only counts hits.

:class:`FakeEndpoint` answers by the first path segment of the URL:

=====================  ==================================================================================
path                   answer
=====================  ==================================================================================
``/ok``                200, a valid SPARQL JSON result (one row, with a non-ASCII name)
``/echo``              200, a result whose one row holds the request's Content-Type and decoded body
``/500``               500 Internal Server Error
``/503-then-ok``       503 with ``Retry-After: 1`` the first time, then like ``/ok``
``/503-long``          503 with ``Retry-After: 3600``
``/503-date``          503 with ``Retry-After`` as an HTTP date 1 s ahead, then like ``/ok``
``/503-bare``          503 with no Retry-After
``/429-then-ok``       429 with ``Retry-After: 1`` the first time, then like ``/ok``
``/429-long``          429 with ``Retry-After: 600``
``/drip``              200 with a long JSON body sent one byte every 0.2 s
``/slow-headers``      the status line and headers dripped one byte every 0.2 s
``/206``               206 Partial Content with ``X-SQL-State: S1TAT`` and a valid-looking JSON body
``/sqlstate``          200 with ``X-SQL-State: S1TAT`` (Virtuoso's anytime partial result)
``/truncated``         200, JSON cut in the middle (connection closed, no Content-Length)
``/short``             200, Content-Length larger than the body sent
``/html``              200, ``text/html``
``/redirect``          302 to ``Location`` given by ``?to=`` (never to be followed)
``/auth``              401 unless the request carries the expected Authorization header
=====================  ==================================================================================

Every request is recorded in :attr:`FakeEndpoint.requests` (path, headers, body) and counted per path.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

OK_BODY = json.dumps({
    "head": {"vars": ["name"]},
    "results": {"bindings": [{"name": {"type": "literal", "value": "Mónica Serrano", "xml:lang": "es"}}]},
}, ensure_ascii=False).encode("utf-8")
JSON_TYPE = "application/sparql-results+json; charset=utf-8"


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: bytes


class FakeEndpoint:
    """Run with ``with FakeEndpoint() as fake: ... fake.url('/ok')``."""

    def __init__(self, expected_auth: str | None = None):
        self.requests: list[Recorded] = []
        self.hits: Counter = Counter()
        self.expected_auth = expected_auth
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _record(self) -> str:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = urlsplit(self.path).path
                with owner._lock:
                    owner.requests.append(Recorded(path, dict(self.headers.items()), body))
                    owner.hits[path] += 1
                return path

            def _send(self, code: int, body: bytes = b"", content_type: str = JSON_TYPE, headers: dict | None = None,
                      length: int | None = None) -> None:
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()

            def do_GET(self):  # noqa: N802
                self.do_POST()

            def do_POST(self):  # noqa: N802
                path = self._record()
                count = owner.hits[path]
                if path == "/ok":
                    self._send(200, OK_BODY)
                elif path == "/echo":
                    last = owner.requests[-1]
                    doc = {"head": {"vars": ["contentType", "body"]}, "results": {"bindings": [{
                        "contentType": {"type": "literal", "value": last.headers.get("Content-Type", "")},
                        "body": {"type": "literal", "value": last.body.decode("utf-8")},
                    }]}}
                    self._send(200, json.dumps(doc, ensure_ascii=False).encode("utf-8"))
                elif path == "/500":
                    self._send(500, b"Virtuoso 42000 Error: something broke", "text/plain")
                elif path in ("/503-then-ok", "/429-then-ok"):
                    if count == 1:
                        self._send(int(path[1:4]), b"busy", "text/plain", {"Retry-After": "1"})
                    else:
                        self._send(200, OK_BODY)
                elif path == "/503-date":
                    if count == 1:
                        when = email.utils.formatdate(time.time() + 1, usegmt=True)
                        self._send(503, b"busy", "text/plain", {"Retry-After": when})
                    else:
                        self._send(200, OK_BODY)
                elif path == "/503-long":
                    self._send(503, b"maintenance", "text/plain", {"Retry-After": "3600"})
                elif path == "/429-long":
                    self._send(429, b"slow down", "text/plain", {"Retry-After": "600"})
                elif path == "/503-bare":
                    self._send(503, b"down", "text/plain")
                elif path == "/drip":
                    body = OK_BODY + b" " * 200
                    self.send_response(200)
                    self.send_header("Content-Type", JSON_TYPE)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.flush()
                    try:
                        for byte in body:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(0.2)
                    except OSError:
                        pass
                elif path == "/slow-headers":
                    head = f"HTTP/1.1 200 OK\r\nContent-Type: {JSON_TYPE}\r\nX-Padding: {'x' * 200}\r\n"
                    try:
                        for ch in head.encode():
                            self.wfile.write(bytes([ch]))
                            self.wfile.flush()
                            time.sleep(0.2)
                    except OSError:
                        pass
                    self.close_connection = True
                elif path == "/206":
                    self._send(206, OK_BODY, headers={"X-SQL-State": "S1TAT",
                                                      "X-SQL-Message": "RC...: Returning incomplete results"})
                elif path == "/sqlstate":
                    self._send(200, OK_BODY, headers={"X-SQL-State": "S1TAT"})
                elif path == "/truncated":
                    self.send_response(200)
                    self.send_header("Content-Type", JSON_TYPE)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(OK_BODY[: len(OK_BODY) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                elif path == "/short":
                    self._send(200, OK_BODY[:40], length=len(OK_BODY))
                    self.close_connection = True
                elif path == "/html":
                    self._send(200, b"<html><body>Login</body></html>", "text/html; charset=utf-8")
                elif path == "/redirect":
                    target = parse_qs(urlsplit(self.path).query).get("to", ["http://127.0.0.1:9/"])[0]
                    self._send(302, b"", "text/plain", {"Location": target})
                elif path == "/auth":
                    if self.headers.get("Authorization") == owner.expected_auth:
                        self._send(200, OK_BODY)
                    else:
                        self._send(401, b"who are you?", "text/plain", {"WWW-Authenticate": 'Basic realm="x"'})
                else:
                    self._send(404, b"no such mode", "text/plain")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> "FakeEndpoint":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


class HitCounter:
    """A TCP listener on 127.0.0.1 that accepts connections, counts them and closes them at once."""

    def __init__(self):
        self.hits = 0
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def __enter__(self) -> "HitCounter":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(2)
        self._sock.close()


@contextlib.contextmanager
def refused_port() -> Iterator[int]:
    """A loopback port with nothing listening on it (connections are refused)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    yield port
