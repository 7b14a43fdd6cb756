"""Loading RDF into a real SPARQL server for the tests, through the SPARQL 1.1 Graph Store HTTP Protocol.

The data is serialised by pyoxigraph (not by rtopkg), so tests that compare rtopkg's answers on a server with
its answers in process do not depend on rtopkg's own serialiser.
"""

from __future__ import annotations

import contextlib
import urllib.request
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import pyoxigraph as ox


def nquads(quads: Iterable[ox.Quad]) -> bytes:
    return ox.serialize(list(quads), format=ox.RdfFormat.N_QUADS) or b""


def _request(url: str, method: str, data: bytes | None = None, content_type: str | None = None) -> None:
    request = urllib.request.Request(url, data=data, method=method)
    if content_type:
        request.add_header("Content-Type", content_type)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=60) as response:
        response.read()


def replace_dataset(base: str, quads: Iterable[ox.Quad]) -> None:
    """Replace the whole dataset of the server at ``base`` (``/store``) with ``quads`` (graphs kept)."""
    _request(f"{base}/update", "POST", b"DROP SILENT ALL", "application/sparql-update")
    add_quads(base, quads)


def add_quads(base: str, quads: Iterable[ox.Quad]) -> None:
    body = nquads(quads)
    if body:
        _request(f"{base}/store", "POST", body, "application/n-quads")


def file_quads(paths: Sequence[Path]) -> list[ox.Quad]:
    from rtopkg.load import parse_files

    return [q for item in parse_files(paths) for q in item.quads]


@contextlib.contextmanager
def server_with(quads: Iterable[ox.Quad]) -> Iterator[object]:
    """A fresh ``oxigraph serve`` on loopback holding ``quads``; stopped on exit."""
    from support.servers import oxigraph_server

    with oxigraph_server() as server:
        add_quads(server.base, quads)
        yield server
