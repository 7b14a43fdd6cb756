"""``rtopkg export``: the project's graph in every common RDF format, deterministic, with a DCAT-AP catalogue.

The graph is split into three named graphs (used by TriG and N-Quads; the other formats hold their union):

* ``https://w3id.org/rtopkg/graph/ontology`` -- everything in ``ontology/*.ttl`` (the OWL ontology, the SKOS
  vocabularies and the declarations of reused terms);
* ``https://w3id.org/rtopkg/graph/provenance`` -- the descriptions of the ``rto:Quote``, ``rto:SourceDocument``
  and ``rto:Claim`` resources of ``data/*.ttl`` (what was quoted from where, and the claims from outside
  knowledge or in conflict);
* ``https://w3id.org/rtopkg/graph/data`` -- every other triple of ``data/*.ttl`` (actors, events, memberships,
  mandates... with their ``rto:evidence`` links to the quotes).

Every triple is in exactly one named graph (a triple stated both in the ontology and in the data is kept in the
ontology graph); a blank node goes with the resource that refers to it. The union of the named graphs is the
graph ``rtopkg query`` and ``rtopkg validate`` work on.

Same input, same bytes: blank nodes are labelled by RDF Dataset Canonicalization (RDFC-1.0), lines and blocks
are sorted, JSON keys are sorted, and nothing depends on the clock or on hash seeds (the catalogue's dates come
from the data, see :mod:`rtopkg.catalog`). Files are written to a temporary name and renamed into place.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import pyoxigraph as ox

from . import __version__
from .canonical import RDF_TYPE, PrefixMap, canonicalize, serialize_trig, serialize_turtle
from .errors import InputError
from .paths import Project, display_path, project

__all__ = [
    "GRAPH_ONTOLOGY",
    "GRAPH_DATA",
    "GRAPH_PROVENANCE",
    "GRAPHS",
    "DEFAULT_BASE_URL",
    "Format",
    "FORMATS",
    "ProjectDataset",
    "load_dataset",
    "split_data",
    "render",
    "ExportedFile",
    "ExportResult",
    "export",
]

GRAPH_ONTOLOGY = "https://w3id.org/rtopkg/graph/ontology"
GRAPH_DATA = "https://w3id.org/rtopkg/graph/data"
GRAPH_PROVENANCE = "https://w3id.org/rtopkg/graph/provenance"
#: The named graphs, in the order TriG writes them.
GRAPHS = (GRAPH_ONTOLOGY, GRAPH_DATA, GRAPH_PROVENANCE)

#: Where the dumps are published unless ``--base-url`` says otherwise (download URLs in the catalogue).
DEFAULT_BASE_URL = "https://w3id.org/rtopkg/dumps/"

RTO = "https://w3id.org/rtopkg/ontology#"
PROVENANCE_CLASSES = frozenset({RTO + "Quote", RTO + "SourceDocument", RTO + "Claim"})


@dataclass(frozen=True)
class Format:
    """One export format: its option name, file name, IANA media type and EU file-type code."""

    name: str
    filename: str
    media_type: str
    file_type: str
    label: str
    named_graphs: bool = False

    @property
    def media_type_iri(self) -> str:
        return "https://www.iana.org/assignments/media-types/" + self.media_type

    @property
    def file_type_iri(self) -> str:
        return "http://publications.europa.eu/resource/authority/file-type/" + self.file_type


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("turtle", "rtopkg.ttl", "text/turtle", "RDF_TURTLE", "Turtle"),
        Format("ntriples", "rtopkg.nt", "application/n-triples", "RDF_N_TRIPLES", "N-Triples"),
        Format("nquads", "rtopkg.nq", "application/n-quads", "RDF_N_QUADS", "N-Quads", named_graphs=True),
        Format("trig", "rtopkg.trig", "application/trig", "RDF_TRIG", "TriG", named_graphs=True),
        Format("jsonld", "rtopkg.jsonld", "application/ld+json", "JSON_LD", "JSON-LD"),
        Format("rdfxml", "rtopkg.rdf", "application/rdf+xml", "RDF_XML", "RDF/XML"),
    )
}

HEADER = [
    f"# rtopkg {__version__}: the Responsibility to Protect (RtoP) in the Americas, as a knowledge graph.",
    "# Ontology, data and provenance: every statement is traceable to a verbatim quote of its source.",
    "# Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Written by `rtopkg export`.",
]


@dataclass
class ProjectDataset:
    """The project's graph split into named graphs, blank nodes canonically labelled (pyoxigraph terms)."""

    graphs: dict[str, list[tuple]]
    files: dict[str, list[Path]] = field(default_factory=dict)

    @property
    def quads(self) -> list[tuple]:
        """``(subject, predicate, object, graph IRI)``, graphs in :data:`GRAPHS` order."""
        return [(s, p, o, g) for g, triples in self.graphs.items() for s, p, o in triples]

    @property
    def union(self) -> list[tuple]:
        """The union of the named graphs, each triple once."""
        return list(dict.fromkeys(t for triples in self.graphs.values() for t in triples))

    def __len__(self) -> int:
        return len(self.union)


def _triples(paths: Sequence[Path]) -> list[tuple]:
    from .load import parse_file

    out: list[tuple] = []
    for path in paths:
        out.extend((q.subject, q.predicate, q.object) for q in parse_file(path).quads)
    return out


def split_data(triples: Iterable[Sequence]) -> tuple[list[tuple], list[tuple]]:
    """``(data, provenance)``: the descriptions of quotes, source documents and claims go to provenance.

    A blank node's triples go with the resource at the top of the chain of references to it.
    """
    triples = list(dict.fromkeys((t[0], t[1], t[2]) for t in triples))
    provenance_subjects = {s for s, p, o in triples
                           if p.value == RDF_TYPE and isinstance(o, ox.NamedNode) and o.value in PROVENANCE_CLASSES}
    referrers: dict = {}
    for s, _, o in triples:
        if isinstance(o, ox.BlankNode):
            referrers.setdefault(o, s)

    def root(node):
        seen = set()
        while isinstance(node, ox.BlankNode) and node in referrers and node not in seen:
            seen.add(node)
            node = referrers[node]
        return node

    data, provenance = [], []
    for t in triples:
        (provenance if root(t[0]) in provenance_subjects else data).append(t)
    return data, provenance


def load_dataset(proj: Project | None = None) -> ProjectDataset:
    """Load the project's ontology and data (all or nothing, exact lexical forms) and split them."""
    proj = proj or project()
    ontology_files, data_files = proj.ontology_files(), proj.data_files()
    if not ontology_files and not data_files:
        raise InputError(f"{display_path(proj.root)}: no ontology/*.ttl or data/*.ttl files to export")
    ontology = list(dict.fromkeys(_triples(ontology_files)))
    in_ontology = set(ontology)
    data, provenance = split_data(t for t in _triples(data_files) if t not in in_ontology)
    quads = [ox.Quad(s, p, o, ox.NamedNode(g))
             for g, triples in ((GRAPH_ONTOLOGY, ontology), (GRAPH_DATA, data), (GRAPH_PROVENANCE, provenance))
             for s, p, o in triples]
    graphs: dict[str, list[tuple]] = {g: [] for g in GRAPHS}
    for q in canonicalize(quads):
        graphs[q.graph_name.value].append((q.subject, q.predicate, q.object))
    for g in graphs:
        graphs[g].sort(key=lambda t: (str(t[0]), str(t[1]), str(t[2])))
    return ProjectDataset(graphs, {"ontology": ontology_files, "data": data_files})


def render(dataset: ProjectDataset, fmt: Format | str) -> bytes:
    """The bytes of ``dataset`` in ``fmt``."""
    from . import writers

    fmt = FORMATS[fmt] if isinstance(fmt, str) else fmt
    if fmt.name == "turtle":
        text = serialize_turtle(dataset.union, prefixes=PrefixMap(), header=HEADER, canonical=False)
    elif fmt.name == "trig":
        text = serialize_trig(list(dataset.graphs.items()), prefixes=PrefixMap(), header=HEADER, canonical=False)
    elif fmt.name == "ntriples":
        text = writers.ntriples(dataset.union)
    elif fmt.name == "nquads":
        text = writers.nquads(dataset.quads)
    elif fmt.name == "jsonld":
        text = writers.jsonld(dataset.union)
    elif fmt.name == "rdfxml":
        text = writers.rdfxml(dataset.union)
    else:  # pragma: no cover - FORMATS is closed
        raise InputError(f"unknown export format {fmt.name!r}")
    return text.encode("utf-8")


@dataclass
class ExportedFile:
    """One file written by :func:`export`."""

    format: Format | None
    path: Path
    size: int
    sha256: str
    seconds: float
    triples: int = 0


@dataclass
class ExportResult:
    files: list[ExportedFile]
    catalog: list[ExportedFile]
    dataset: ProjectDataset
    load_seconds: float


def _write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def parse_formats(names: Iterable[str]) -> list[Format]:
    """The formats named (``all`` for every one), in :data:`FORMATS` order."""
    wanted: set[str] = set()
    for name in names:
        key = name.strip().lower().replace("-", "").replace("_", "")
        aliases = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "json": "jsonld", "rdf": "rdfxml",
                   "xml": "rdfxml"}
        key = aliases.get(key, key)
        if key == "all":
            wanted.update(FORMATS)
        elif key in FORMATS:
            wanted.add(key)
        else:
            raise InputError(f"--format {name!r}: unknown format (expected {'|'.join(FORMATS)}|all)")
    return [f for name, f in FORMATS.items() if name in wanted]


def export(out_dir: str | os.PathLike[str], formats: Sequence[Format | str] = tuple(FORMATS), *,
           base_url: str = DEFAULT_BASE_URL, sparql_endpoint: str | None = None, issued: str | None = None,
           modified: str | None = None, catalog: bool = True, contact_email: str | None = None,
           proj: Project | None = None) -> ExportResult:
    """Write the project's graph in ``formats`` to ``out_dir``, with ``catalog.ttl`` and ``dataset.jsonld``.

    The catalogue (DCAT-AP 3 with VoID statistics, and a schema.org ``Dataset``) describes each file written,
    with its size and SHA-256 checksum; ``base_url`` is where the files will be downloadable from.
    """
    from . import catalog as catalogue

    chosen = [FORMATS[f] if isinstance(f, str) else f for f in formats]
    if not chosen:
        raise InputError("--format: choose at least one format")
    options = catalogue.CatalogOptions(base_url=base_url, sparql_endpoint=sparql_endpoint, issued=issued,
                                       modified=modified, contact_email=contact_email)
    options.check()
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out {display_path(out)}: cannot create the folder ({exc.strerror or exc})") from None
    start = time.perf_counter()
    dataset = load_dataset(proj)
    load_seconds = time.perf_counter() - start
    files: list[ExportedFile] = []
    for fmt in chosen:
        start = time.perf_counter()
        data = render(dataset, fmt)
        path = out / fmt.filename
        _write(path, data)
        count = len(dataset.quads) if fmt.named_graphs else len(dataset.union)
        files.append(ExportedFile(fmt, path, len(data), hashlib.sha256(data).hexdigest(),
                                  time.perf_counter() - start, count))
    written: list[ExportedFile] = []
    if catalog:
        for name, data, seconds in catalogue.catalogue_files(dataset, files, options):
            path = out / name
            _write(path, data)
            written.append(ExportedFile(None, path, len(data), hashlib.sha256(data).hexdigest(), seconds))
    return ExportResult(files, written, dataset, load_seconds)
