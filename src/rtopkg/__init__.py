"""rtopkg: an open knowledge graph of the Responsibility to Protect (RtoP) in the Americas.

The package is a library first; :mod:`rtopkg.cli` only wires its functions to the ``rtopkg`` command.
Importing :mod:`rtopkg` is cheap: heavy libraries (rdflib, pyshacl, owlrl) are imported only by the
functions that need them.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# Public API: name -> module that defines it. Resolved lazily (PEP 562) so `import rtopkg` stays fast.
_API = {
    "project": "rtopkg.paths",
    "load_graph": "rtopkg.load",
    "load_project_graph": "rtopkg.load",
    "SourceIndex": "rtopkg.load",
    "coverage": "rtopkg.stats",
    "RtopkgError": "rtopkg.errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'rtopkg' has no attribute {name!r}")
    return getattr(import_module(module), name)
