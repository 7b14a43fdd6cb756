"""Benchmark the reasoning profiles on the project's graph and on synthetic graphs of 10k, 100k and 1M triples.

For each graph (the project's ontology plus its data, or plus a graph from :mod:`benchmarks.generate`):

* ``rules in place``: :func:`rtopkg.rules.apply_rules` on a loaded Oxigraph store (what ``rtopkg reason``
  does: the CLI owns its store);
* ``materialise_store``: a NEW store with the closure (``rtopkg.reason.materialise_store``; includes copying
  the input, which Oxigraph's in-memory store does at about 200,000 quads a second);
* ``owlrl``: ``materialise_graph(graph, "owlrl")`` under a wall-clock limit (``--owlrl-limit``, default 120 s),
  only up to ``--owlrl-max`` triples;
* on graphs small enough for owlrl, whether the rules closure equals owlrl's (projected, both ways).

Wall time and this process's CPU time are both printed: the machine is shared, CPU time is the steadier of
the two. Usage::

    python -m benchmarks.bench_reason --sizes 10k,100k,1M
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent


def _clock():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), usage.ru_utime + usage.ru_stime


def _since(start) -> str:
    wall, cpu = _clock()
    return f"{wall - start[0]:7.2f} s wall {cpu - start[1]:7.2f} s cpu"


def _graph_file(size: str) -> Path:
    """The generated graph of ``size`` (seed 1), from the cache that ``python -m benchmarks.run`` uses."""
    from benchmarks import graphs
    from benchmarks.generate import parse_size

    return graphs.graph_file(parse_size(size), 1, graphs.cache_root())


def _files(size: str) -> list[Path]:
    from rtopkg.paths import project

    ontology = project().ontology_files()
    return project().graph_files() if size == "project" else ontology + [_graph_file(size)]


def _store(files: list[Path]) -> ox.Store:
    store = ox.Store()
    for path in files:
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES if path.suffix == ".nt" else ox.RdfFormat.TURTLE)
    return store


def bench(size: str, owlrl_max: int, owlrl_limit: float) -> None:
    from rtopkg.errors import LimitExceeded
    from rtopkg.reason import materialise_graph, materialise_store
    from rtopkg.rules import apply_rules, projection

    files = _files(size)
    start = _clock()
    store = _store(files)
    count = len(store)
    print(f"[{size}] {count} triples loaded into Oxigraph      {_since(start)}")

    start = _clock()
    closed = materialise_store(store, "rules", timeout=0)
    print(f"[{size}] materialise_store (new store)       {_since(start)}  -> {len(closed)} triples")
    del closed

    start = _clock()
    apply_rules(store)
    print(f"[{size}] rules in place                      {_since(start)}  +{len(store) - count} inferred")

    if count > owlrl_max:
        return
    from rtopkg.load import load_graph

    graph = load_graph(files)
    start = _clock()
    by_rules = materialise_graph(graph, "rules", timeout=0)
    print(f"[{size}] materialise_graph rules (rdflib)    {_since(start)}")
    start = _clock()
    try:
        by_owlrl = materialise_graph(graph, "owlrl", timeout=owlrl_limit)
    except LimitExceeded as exc:
        print(f"[{size}] owlrl OWL 2 RL                      unfinished: {exc}")
        return
    print(f"[{size}] owlrl OWL 2 RL (child process)      {_since(start)} (child's CPU not counted)")

    from rtopkg.reason import _Terms

    terms = _Terms()

    def project(g):
        return projection(ox.Triple(terms.to_ox(s), terms.to_ox(p), terms.to_ox(o))
                          for s, p, o in g if type(s).__name__ != "Literal")

    a, b = project(by_rules), project(by_owlrl)
    print(f"[{size}] projection: rules {len(a)}, owlrl {len(b)}, rules-only {len(a - b)}, owlrl-only {len(b - a)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="project,10k,100k,1M", help="comma-separated: project, 10k, 100k, 1M...")
    parser.add_argument("--owlrl-max", type=int, default=150_000, help="run owlrl only up to this many triples")
    parser.add_argument("--owlrl-limit", type=float, default=120.0, help="wall-clock limit of an owlrl run")
    args = parser.parse_args(argv)
    for size in args.sizes.split(","):
        bench(size.strip(), args.owlrl_max, args.owlrl_limit)


if __name__ == "__main__":
    main()
