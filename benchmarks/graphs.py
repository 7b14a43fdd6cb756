"""The benchmark graphs: generated once per (size, seed) into a cache folder outside the repository.

For each size the cache holds ``g<N>-s<SEED>.nt`` (N-Triples, for loading, validating, reasoning and asking) and,
when export is measured, a small project folder ``p<N>-s<SEED>/`` with a copy of the project's ontology and the
same graph as Turtle in ``data/`` (``rtopkg export`` works on a project folder). Files are written under a
temporary name and renamed, so an interrupted run never leaves a half-written graph behind.

The cache folder is ``--cache``, else ``RTOPKG_BENCH_CACHE``, else ``<temp dir>/rtopkg-bench``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from benchmarks.generate import generate, parse_size

__all__ = ["ROOT", "cache_root", "graph_file", "project_dir", "ontology_files", "question_params", "size_label",
           "parse_sizes"]

ROOT = Path(__file__).resolve().parent.parent


def cache_root(explicit: str | os.PathLike[str] | None = None) -> Path:
    folder = Path(explicit or os.environ.get("RTOPKG_BENCH_CACHE") or Path(tempfile.gettempdir()) / "rtopkg-bench")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def size_label(triples: int) -> str:
    """``10000`` -> ``10k``, ``1000000`` -> ``1M`` (exact multiples only; otherwise the number)."""
    for factor, suffix in ((1_000_000, "M"), (1_000, "k")):
        if triples >= factor and triples % factor == 0:
            return f"{triples // factor}{suffix}"
    return str(triples)


def _write_atomically(path: Path, triples: int, seed: int, *, turtle: bool) -> None:
    if path.exists():
        return
    tmp = path.with_name(path.name + f".part{os.getpid()}")
    with tmp.open("w", encoding="utf-8", newline="\n") as out:
        generate(triples, seed, out, turtle=turtle)
    os.replace(tmp, path)


def graph_file(triples: int, seed: int, cache: Path) -> Path:
    """The generated graph as N-Triples (generated on first use)."""
    path = cache / f"g{triples}-s{seed}.nt"
    _write_atomically(path, triples, seed, turtle=False)
    return path


def ontology_files() -> list[Path]:
    from rtopkg.paths import project

    return project().ontology_files()


def project_dir(triples: int, seed: int, cache: Path) -> Path:
    """A project folder (the project's ontology, the generated graph as ``data/generated.ttl``) for export."""
    folder = cache / f"p{triples}-s{seed}"
    data = folder / "data" / "generated.ttl"
    if not data.exists():
        (folder / "ontology").mkdir(parents=True, exist_ok=True)
        (folder / "data").mkdir(parents=True, exist_ok=True)
        for path in ontology_files():
            shutil.copyfile(path, folder / "ontology" / path.name)
        _write_atomically(data, triples, seed, turtle=True)
    return folder


#: Parameter prefixes whose project defaults name resources the generated graph does not have.
_GENERATED_PREFIXES = ("actor", "event", "person", "work", "place", "policy")


def _candidates(store, ns: str, per_class: int = 3, most: int = 40) -> list[str]:
    """The resources of namespace ``ns`` the graph refers to most: the first few of each class."""
    import pyoxigraph as ox

    text = ox.Literal(ns)  # written by pyoxigraph, so the query text stays well-formed
    rows = store.query(
        f"SELECT ?r ?c (COUNT(*) AS ?n) WHERE {{ ?s ?p ?r . ?r a ?c FILTER(STRSTARTS(STR(?r), {text})) }} "
        "GROUP BY ?r ?c ORDER BY DESC(?n) STR(?r) STR(?c)")
    taken: dict[str, int] = {}
    out: list[str] = []
    for row in rows:
        iri, cls = row["r"].value, row["c"].value
        if iri in out or taken.get(cls, 0) >= per_class:
            continue
        taken[cls] = taken.get(cls, 0) + 1
        out.append(iri)
        if len(out) >= most:
            break
    return out


def question_params(triples: int, seed: int, cache: Path) -> dict[str, dict[str, str]]:
    """For each stored question, values for its IRI parameters that exist in the generated graph.

    A parameter of prefix ``actor``, ``person``, ``event``... takes, of the resources of that namespace the graph
    refers to most (a few of each class), the one for which the question has the most rows (ties: the first),
    so that the questions have answers to compute; other parameters keep their defaults. Cached beside the graph.
    """
    path = cache / f"params-g{triples}-s{seed}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    from rtopkg.catalogue import load_catalogue
    from rtopkg.engines import OxigraphEngine
    from rtopkg.params import bind_parameters
    from rtopkg.prefixes import PREFIXES

    engine = OxigraphEngine.from_files([*ontology_files(), graph_file(triples, seed, cache)])
    reasoned = {"": engine}
    candidates: dict[str, list[str]] = {}
    out: dict[str, dict[str, str]] = {}
    for question in load_catalogue():
        given: dict[str, str] = {}
        target = engine
        if question.reasoning:
            if question.reasoning not in reasoned:
                reasoned[question.reasoning] = engine.reasoned(question.reasoning, timeout=0)
            target = reasoned[question.reasoning]
        for spec in question.params or ():
            if spec.type != "iri" or spec.prefix not in _GENERATED_PREFIXES:
                continue
            ns = PREFIXES[spec.prefix]
            if spec.prefix not in candidates:
                candidates[spec.prefix] = _candidates(engine.store, ns)
            best, most = None, -1
            for iri in candidates[spec.prefix]:
                trial = {**given, spec.name: f"{spec.prefix}:{iri[len(ns):]}"}
                bindings = bind_parameters(question.params, trial, where=question.name)
                rows = len(target.query(question.text, bindings, timeout=0, what=question.name).rows)
                if rows > most:
                    best, most = trial[spec.name], rows
            if best is not None:
                given[spec.name] = best
        out[question.name] = given
    path.write_text(json.dumps(out, indent=1, sort_keys=True), encoding="utf-8")
    return out


def parse_sizes(text: str) -> list[int]:
    return [parse_size(part.strip()) for part in text.split(",") if part.strip()]
