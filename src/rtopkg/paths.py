"""Where the project's ontology, data, shapes and stored questions live.

Resolution order: the ``RTOPKG_HOME`` environment variable (a folder with ``ontology/`` and ``data/``); the
checkout this package was installed from in editable mode (``src/rtopkg`` two levels below it); the copy that
``pip install .`` puts inside the package (``rtopkg/resources``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import InputError

__all__ = ["Project", "project", "display_path", "RDF_SUFFIXES"]

#: File suffixes read as RDF, with the format name rdflib and pyoxigraph use for each.
RDF_SUFFIXES = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".n3": "n3",
}


@dataclass(frozen=True)
class Project:
    """The folders of one rtopkg project."""

    root: Path

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def source_document(self) -> Path:
        return self.data_dir / "sources" / "icrtop-americas.txt"

    def ontology_files(self) -> list[Path]:
        return _turtle_files(self.ontology_dir)

    def data_files(self) -> list[Path]:
        """The graph's data files (``data/*.ttl``; ``data/sources/`` holds no RDF)."""
        return _turtle_files(self.data_dir)

    def shapes_files(self) -> list[Path]:
        return _turtle_files(self.shapes_dir)

    def graph_files(self) -> list[Path]:
        """Everything the project's graph is made of: ontology then data."""
        return self.ontology_files() + self.data_files()

    def relative(self, path: Path) -> str:
        """``path`` relative to the project root when it lies inside it (for messages), else as given."""
        try:
            return str(Path(path).resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


def _turtle_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.ttl") if p.is_file())


def _looks_like_project(root: Path) -> bool:
    return (root / "ontology").is_dir() and (root / "data").is_dir()


@lru_cache(maxsize=None)
def _find_root(home: str | None) -> Path:
    if home:
        root = Path(home).expanduser()
        if not _looks_like_project(root):
            raise InputError(f"RTOPKG_HOME={home}: not an rtopkg project (no ontology/ and data/ folders)")
        return root
    here = Path(__file__).resolve().parent
    checkout = here.parent.parent
    if (checkout / "pyproject.toml").is_file() and _looks_like_project(checkout):
        return checkout
    bundled = here / "resources"
    if _looks_like_project(bundled):
        return bundled
    raise InputError("cannot find the project's ontology/ and data/ folders; set RTOPKG_HOME to the project folder")


def project() -> Project:
    """The current project (see the module docstring for how it is found)."""
    return Project(_find_root(os.environ.get("RTOPKG_HOME")))


def display_path(path: str | os.PathLike[str]) -> str:
    """``path`` as a user should read it in a message: relative to the working folder when inside it."""
    text = os.fspath(path)
    try:
        rel = os.path.relpath(text)
    except ValueError:
        return text
    return text if rel.startswith("..") else rel
