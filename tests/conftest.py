"""Shared fixtures. Tests find their cases from ``Path(__file__)`` and never touch the network beyond loopback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def pytest_collection_modifyitems(config, items):
    if os.environ.get("RTOPKG_NETWORK_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="needs the network beyond loopback; set RTOPKG_NETWORK_TESTS=1 to run it")
    for item in items:
        if "network" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def root() -> Path:
    """The project's top folder."""
    return ROOT


@pytest.fixture(scope="session")
def source_text() -> str:
    return (ROOT / "data" / "sources" / "icrtop-americas.txt").read_text(encoding="utf-8")


@pytest.fixture()
def runner():
    """Click's in-process CLI runner (stderr kept apart from stdout)."""
    from click.testing import CliRunner

    return CliRunner()


@pytest.fixture(scope="session")
def project_graph():
    """The project's ontology and data as one rdflib graph (do not modify it)."""
    from rtopkg.load import load_project_graph

    return load_project_graph()


@pytest.fixture(scope="session")
def oxigraph():
    """A real Oxigraph SPARQL server on 127.0.0.1, empty, for the whole session."""
    from support.servers import oxigraph_server

    with oxigraph_server() as server:
        yield server
