"""Serving the graph on a local, read-only SPARQL endpoint: Oxigraph's server behind rtopkg's query guard.

:func:`serving` loads the project's graph (or the files given) into a new on-disk store in a temporary folder
-- with :mod:`rtopkg.load`'s checks, all or nothing -- or takes a fresh store made by ``rtopkg store load``, and
starts two things on loopback:

* ``oxigraph serve-read-only`` (the binary of the PyPI package ``oxigraph``, installed by the extra
  ``rtopkg[server]``) on a private port, with the wall-clock limit as its ``--timeout-s`` and **without**
  ``--union-default-graph``: the default graph holds exactly what was loaded into it (Turtle, N-Triples...);
  the named graphs of TriG or N-Quads files stay apart and are reached only by ``GRAPH``;
* a small front (this module) on the public address, which passes on ``GET``/``POST /query`` only after
  :func:`rtopkg.guard.check_query` has accepted the query. Oxigraph's server itself would call any ``SERVICE``
  IRI a query names (an outbound request on behalf of whoever asks); the front refuses ``SERVICE``,
  ``FROM``/``FROM NAMED``, updates, and the protocol's ``default-graph-uri``, ``named-graph-uri`` and
  ``union-default-graph`` parameters with HTTP 403 and a one-line reason. Every other path is 404.

Each query has the wall-clock limit (``--timeout``, else ``RTOPKG_TIMEOUT``, else 120 s). Oxigraph's own
``--timeout-s`` does not stop every query (a large ``COUNT`` runs on), and it cannot cancel one, so when an
answer is not complete by the limit the front answers HTTP 503 naming the limit and restarts the Oxigraph
server (the store is on disk and read-only: this takes a fraction of a second; other queries running at that
moment get HTTP 502).

The public address is ``127.0.0.1`` unless the caller binds another one on purpose.
"""

from __future__ import annotations

import contextlib
import math
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator, Sequence
from urllib.parse import parse_qs, urlsplit

from .errors import InputError, RefusedError, RtopkgError

__all__ = ["Serving", "oxigraph_binary", "serving", "REFUSED_PARAMETERS"]

#: Protocol parameters that would change the dataset a query sees: refused, like FROM.
REFUSED_PARAMETERS = ("default-graph-uri", "named-graph-uri", "union-default-graph")
_MAX_BODY = 1 << 20  # the longest query text accepted (1 MiB)


def _candidates() -> list[Path]:
    found = shutil.which("oxigraph")
    return [Path(sys.executable).parent / "oxigraph"] + ([Path(found)] if found else [])


def oxigraph_binary() -> str:
    """The ``oxigraph`` server binary, or an :class:`InputError` saying how to install it."""
    for path in _candidates():
        if path.is_file():
            return str(path)
    raise InputError("the Oxigraph server is not installed: install the extra with "
                     "pip install 'rtopkg[server]' (it provides the 'oxigraph' command)")


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, log, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            err = log.read().decode("utf-8", "replace")
            raise InputError(f"the Oxigraph server stopped at start (status {process.returncode}): {err.strip()[-300:]}")
        try:
            with opener.open(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.05)
    raise InputError(f"the Oxigraph server did not answer within {seconds:g} s")


def _query_of(method: str, path: str, headers, body: bytes) -> tuple[str, dict[str, list[str]]]:
    """The query text and the protocol parameters of a request (raises InputError when there is none)."""
    params = parse_qs(urlsplit(path).query, keep_blank_values=True)
    if method == "POST":
        kind = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind == "application/x-www-form-urlencoded":
            for key, values in parse_qs(body.decode("utf-8"), keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        elif kind == "application/sparql-query":
            params.setdefault("query", []).append(body.decode("utf-8"))
        else:
            raise InputError(f"unsupported Content-Type {kind!r} (expected application/sparql-query or a form)")
    queries = params.get("query", [])
    if len(queries) != 1:
        raise InputError("expected exactly one 'query' parameter")
    return queries[0], params


class _Backend:
    """The ``oxigraph serve-read-only`` process on a private loopback port; restarted when a query overruns."""

    def __init__(self, binary: str, location: Path, limit: float):
        self.command = [binary, "serve-read-only", "--location", str(location)]
        if limit > 0:
            self.command += ["--timeout-s", str(max(1, math.ceil(limit)))]
        self.limit = limit
        self.port, self.url = 0, ""
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.restarts = 0

    def start(self) -> None:
        self.port = _free_port("127.0.0.1")
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()  # its messages (a pipe never read could fill up and block it)
        self.process = subprocess.Popen(self.command + ["--bind", f"127.0.0.1:{self.port}"],
                                        stdout=subprocess.DEVNULL, stderr=self.log)
        _wait_for(f"{self.url}/query?query=ASK%7B%7D", self.process, self.log)

    def restart(self, process: subprocess.Popen | None) -> None:
        """Stop a server still busy with an overrunning query (Oxigraph cannot cancel it) and start a new one."""
        with self.lock:
            if process is not self.process:  # another thread restarted it already
                return
            self.stop()
            self.restarts += 1
            self.start()

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
            self.log.close()


def _front(backend: _Backend):
    """The request handler class of the guarding front, passing accepted queries to ``backend``."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    class Front(BaseHTTPRequestHandler):
        server_version = "rtopkg-serve"
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet: the command prints what it serves
            pass

        def _reply(self, code: int, text: str) -> None:
            body = (text + "\n").encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _handle(self, method: str) -> None:
            if urlsplit(self.path).path != "/query":
                self._reply(404, "not found: this read-only endpoint answers SPARQL queries at /query only")
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > _MAX_BODY:
                self._reply(413, f"refused: a query of {length} bytes is over the limit of {_MAX_BODY}")
                return
            body = self.rfile.read(length) if length else b""
            try:
                text, params = _query_of(method, self.path, self.headers, body)
                for name in REFUSED_PARAMETERS:
                    if name in params:
                        raise RefusedError(f"refused the parameter {name}: this endpoint answers over its "
                                           "default graph as loaded (use GRAPH for named graphs)")
                from .guard import check_query

                check_query(text, local=True, what="the query")
            except UnicodeDecodeError:
                self._reply(400, "the request is not UTF-8")
                return
            except RefusedError as exc:
                self._reply(403, exc.message)
                return
            except RtopkgError as exc:
                self._reply(400, exc.message)
                return
            self._forward(method, body)

        def _forward(self, method: str, body: bytes) -> None:
            request = urllib.request.Request(backend.url + self.path, data=body if method == "POST" else None,
                                             method=method)
            for name in ("Accept", "Content-Type"):
                if self.headers.get(name):
                    request.add_header(name, self.headers[name])
            process = backend.process
            limit = backend.limit if backend.limit > 0 else None
            deadline = time.monotonic() + limit if limit else None
            chunks: list[bytes] = []
            try:
                try:
                    response = opener.open(request, timeout=limit)
                except urllib.error.HTTPError as exc:
                    response = exc
                with response:
                    while True:
                        if deadline is not None and time.monotonic() > deadline:
                            raise TimeoutError
                        chunk = response.read(1 << 16)
                        if not chunk:
                            break
                        chunks.append(chunk)
                    status = response.status if hasattr(response, "status") else response.code
                    kind = response.headers.get("Content-Type", "application/octet-stream")
            except (TimeoutError, socket.timeout):
                backend.restart(process)
                self._reply(503, f"the query stopped after the wall-clock limit of {backend.limit:g} s")
                return
            except OSError as exc:
                self._reply(502, f"the Oxigraph server did not answer: {exc}")
                return
            data = b"".join(chunks)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            self._handle("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._handle("POST")

        def do_PUT(self) -> None:  # noqa: N802
            self._reply(405, "refused: this endpoint is read-only")

        do_DELETE = do_PATCH = do_PUT  # noqa: N815

    return Front


@dataclass
class Serving:
    """A running endpoint: ``url`` is its query URL; ``quads`` how many quads it serves."""

    url: str
    quads: int
    named_graphs: int
    location: Path
    front: ThreadingHTTPServer
    backend: _Backend

    def wait(self) -> None:
        """Serve until interrupted (Ctrl-C), or until ``front.shutdown()`` is called from another thread."""
        self.front.serve_forever()


@contextlib.contextmanager
def serving(files: Sequence[str | Path] | None = None, *, store: str | Path | None = None, host: str = "127.0.0.1",
            port: int = 7878, timeout: float | None = None) -> Iterator[Serving]:
    """Serve the project's graph (or ``files``, or a fresh on-disk ``store``) read-only at ``host:port``.

    ``timeout`` is the wall-clock limit of each query in seconds (default :func:`rtopkg.limits.default_seconds`;
    0 means none). The front runs in a background thread; leaving the context stops everything and removes the
    temporary store.
    """
    from .limits import default_seconds
    from .store import build_store, store_info

    if files and store is not None:
        raise InputError("give either files or --store, not both")
    binary = oxigraph_binary()
    limit = default_seconds() if timeout is None else timeout
    with contextlib.ExitStack() as stack:
        if store is not None:
            info = store_info(store)
            if not info.fresh:
                raise InputError(f"--store {store} is stale ({'; '.join(info.problems[:3])}); reload it with: "
                                 f"rtopkg store load --store {store}")
            location = Path(store)
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rtopkg-serve-")))
            location = work / "store"
            info = build_store(location, list(files) if files else None)
        backend = _Backend(binary, location, limit)
        stack.callback(backend.stop)
        backend.start()
        try:
            front = ThreadingHTTPServer((host, port), _front(backend))
        except OSError as exc:
            raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        front.daemon_threads = True
        stack.callback(front.server_close)
        shown = f"[{host}]" if ":" in host else host
        yield Serving(f"http://{shown}:{front.server_address[1]}/query", info.quads, info.named_graphs, location,
                      front, backend)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
