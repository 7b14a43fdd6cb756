"""A loopback TCP proxy in front of a real server that misbehaves on purpose, to test failures part-way.

Modes (each applies to every connection through the proxy):

* ``cut``: forwards a request until the client has sent ``limit`` bytes on that connection, then drops both
  sides with a TCP reset (a connection cut mid-body; small requests pass untouched);
* ``corrupt``: forwards everything, but replaces the byte at offset ``limit`` of the connection's request with
  ``0xFF`` (not UTF-8), so the real server rejects the body (HTTP 400);
* ``basic-auth``: answers ``401`` with a Basic challenge, before reading the body, unless the request carries
  ``Authorization: Basic`` with the expected user and password; then forwards untouched;
* ``pass``: forwards untouched.
"""

from __future__ import annotations

import base64
import contextlib
import socket
import struct
import threading
from dataclasses import dataclass, field
from typing import Iterator

from .servers import free_port


@dataclass
class ProxyStats:
    connections: int = 0
    cut: int = 0
    corrupted: int = 0
    refused: int = 0
    heads: list[str] = field(default_factory=list)  # the request line and headers of each request seen


def _reset(sock: socket.socket) -> None:
    """Drop a connection with a TCP reset, now (shutdown first: it wakes a thread blocked reading it, which
    close() alone does not, and until then the peer would see nothing)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


class FaultyProxy:
    def __init__(self, upstream_port: int, mode: str = "pass", limit: int = 100_000,
                 user: str = "", password: str = ""):
        self.upstream_port = upstream_port
        self.mode = mode
        self.limit = limit
        self.credentials = base64.b64encode(f"{user}:{password}".encode()).decode() if user else ""
        self.port = free_port()
        self.stats = ProxyStats()
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", self.port))
        self._server.listen(16)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._server.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            self.stats.connections += 1
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30)
        except OSError:
            _reset(client)
            return
        done = threading.Event()

        def backward() -> None:
            try:
                while True:
                    data = upstream.recv(65536)
                    if not data:
                        break
                    client.sendall(data)
            except OSError:
                pass
            finally:
                done.set()
                with contextlib.suppress(OSError):
                    client.shutdown(socket.SHUT_WR)

        sent = 0
        head = b""
        checked = False
        started_backward = False
        try:
            while True:
                data = client.recv(65536)
                if not data:
                    with contextlib.suppress(OSError):
                        upstream.shutdown(socket.SHUT_WR)
                    break
                if not checked:
                    head += data
                    if b"\r\n\r\n" not in head:
                        continue
                    checked = True
                    text = head.split(b"\r\n\r\n", 1)[0].decode("latin-1")
                    self.stats.heads.append(text)
                    headers = text.split("\r\n")
                    given = [h.split(":", 1)[1].strip() for h in headers[1:] if h.lower().startswith("authorization:")]
                    if self.mode == "basic-auth" and given != [f"Basic {self.credentials}"]:
                        self.stats.refused += 1
                        client.sendall(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"rtopkg-test\"\r\n"
                                       b"Content-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\n"
                                       b"Unauthorized\n")
                        with contextlib.suppress(OSError):
                            client.shutdown(socket.SHUT_WR)
                        # drain what the client still sends, then close
                        client.settimeout(2)
                        with contextlib.suppress(OSError):
                            while client.recv(65536):
                                pass
                        client.close()
                        upstream.close()
                        return
                    data, head = head, b""
                if not started_backward:
                    threading.Thread(target=backward, daemon=True).start()
                    started_backward = True
                if self.mode == "cut" and sent + len(data) > self.limit:
                    upstream.sendall(data[: max(self.limit - sent, 0)])
                    self.stats.cut += 1
                    _reset(client)
                    _reset(upstream)
                    return
                if self.mode == "corrupt" and sent <= self.limit < sent + len(data):
                    k = self.limit - sent
                    data = data[:k] + b"\xff" + data[k + 1:]
                    self.stats.corrupted += 1
                sent += len(data)
                upstream.sendall(data)
            done.wait(30)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                client.close()
            with contextlib.suppress(OSError):
                upstream.close()


@contextlib.contextmanager
def faulty_proxy(upstream_port: int, mode: str = "pass", limit: int = 100_000, user: str = "",
                 password: str = "") -> Iterator[FaultyProxy]:
    proxy = FaultyProxy(upstream_port, mode, limit, user, password)
    try:
        yield proxy
    finally:
        proxy.close()
