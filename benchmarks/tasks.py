"""The measured work, run in a child process per (task, variant, size) by :mod:`benchmarks.run`.

``python -m benchmarks.tasks SPEC_JSON`` does the task's set-up (not timed), then runs each item ``repeat``
times and writes one JSON line per run to stdout -- ``{"item", "wall", "cpu", "info"}`` -- and a last line with
the process's peak resident memory (``ru_maxrss`` of this process and of any child it waited for). The parent
enforces the wall-clock limit by reading these lines with a deadline, and kills the child when one is late.

Variants (baseline first):

* ``load``: ``rdflib`` -- :func:`rtopkg.load.load_graph`; ``oxigraph`` -- :func:`rtopkg.load.load_store`
  (what the embedded engine loads with), also ``oxigraph-bulk`` -- ``Store.bulk_load`` of the file.
* ``validate``: ``pyshacl`` / ``oxigraph`` -- :func:`rtopkg.validate.validate` with that engine, the whole
  validation (parsing, the ontology's class hierarchy mixed in, the project's shapes, the report).
* ``reason``: ``owlrl`` -- :func:`rtopkg.reason.materialise_graph` OWL 2 RL on an rdflib graph; ``rules`` --
  :func:`rtopkg.reason.materialise_store` on an Oxigraph store (a new store with the closure).
* ``questions``: ``rdflib`` / ``oxigraph`` engine of :mod:`rtopkg.engines`, one item per stored question,
  on the graph with the closure the question declares (materialised once in the set-up).
* ``export``: ``rdflib`` -- ``Graph.serialize(format="turtle")``; ``rtopkg`` -- :func:`rtopkg.export.export`
  to Turtle with the catalogue.
* ``ask``: ``rdflib`` / ``oxigraph`` -- a cold ``rtopkg ask`` process on the project's graph.
* ``store``: ``oxigraph-disk`` -- :func:`rtopkg.store.build_store` then each question on the opened store.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

__all__ = ["main", "TASKS"]


def _clock() -> tuple[float, float]:
    self_ = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter(), self_.ru_utime + self_.ru_stime + kids.ru_utime + kids.ru_stime


def _peak_kb() -> int:
    """Peak resident memory so far of this process, or of a child it waited for (Linux: kilobytes)."""
    return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def _emit(**fields: Any) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


# ---------------------------------------------------------------------------------------------------------
# Set-ups: each returns (items, run) where run(item) does the timed work and returns some info
# ---------------------------------------------------------------------------------------------------------

Setup = Callable[[dict], tuple[list[str], Callable[[str], Any]]]


def _files(spec: dict) -> list[Path]:
    return [Path(p) for p in spec["files"]]


def _load(spec: dict):
    files = _files(spec)
    variant = spec["variant"]

    def run(_item: str):
        if variant == "rdflib":
            from rtopkg.load import load_graph

            return {"triples": len(load_graph(files))}
        import pyoxigraph as ox

        if variant == "oxigraph-bulk":
            store = ox.Store()
            for path in files:
                fmt = ox.RdfFormat.N_TRIPLES if path.suffix == ".nt" else ox.RdfFormat.TURTLE
                store.bulk_load(path=str(path), format=fmt)
            return {"triples": len(store)}
        from rtopkg.load import load_store

        return {"triples": len(load_store(files))}

    return ["load"], run


def _validate(spec: dict):
    from rtopkg.validate import validate

    data = [Path(p) for p in spec["data"]]

    def run(_item: str):
        result = validate(data, None, engine=spec["variant"], timeout=0)
        return {"results": len(result.results), "conforms": result.conforms, "triples": result.triples}

    return ["validate"], run


def _reason(spec: dict):
    files = _files(spec)
    if spec["variant"] == "owlrl":
        from rtopkg.load import load_graph
        from rtopkg.reason import materialise_graph

        graph = load_graph(files)

        def run(_item: str):
            return {"triples": len(materialise_graph(graph, "owlrl", timeout=0)), "input": len(graph)}
    else:
        from rtopkg.load import load_store
        from rtopkg.reason import materialise_store

        store = load_store(files)

        def run(_item: str):
            return {"triples": len(materialise_store(store, "rules", timeout=0)), "input": len(store)}

    return ["closure"], run


def _question_runner(engine, spec: dict):
    from rtopkg.catalogue import load_catalogue
    from rtopkg.params import bind_parameters

    questions = {q.name: q for q in load_catalogue()}
    given = spec.get("params", {})
    reasoned: dict = {}

    def run(name: str):
        question = questions[name]
        target = engine
        if question.reasoning:
            if question.reasoning not in reasoned:
                reasoned[question.reasoning] = engine.reasoned(question.reasoning, timeout=0)
            target = reasoned[question.reasoning]
        bindings = bind_parameters(question.params, given.get(name, {}), where=name)
        result = target.query(question.text, bindings, timeout=0, what=name)
        return {"rows": len(result.rows) if result.boolean is None else int(result.boolean)}

    # the closures are set-up, not part of a question's time
    for q in questions.values():
        if q.name in spec["items"] and q.reasoning and q.reasoning not in reasoned:
            reasoned[q.reasoning] = engine.reasoned(q.reasoning, timeout=0)
    return run


def _questions(spec: dict):
    from rtopkg.engines import OxigraphEngine, RdflibEngine

    cls = OxigraphEngine if spec["variant"] == "oxigraph" else RdflibEngine
    engine = cls.from_files(_files(spec))
    return list(spec["items"]), _question_runner(engine, spec)


def _store(spec: dict):
    """Build the on-disk store (item ``load``), then ask every question on it (the other items)."""
    from rtopkg.engines import OxigraphEngine
    from rtopkg.store import build_store

    path = Path(spec["store"])
    state: dict = {}

    def run(name: str):
        if name == "load":
            if path.exists():
                shutil.rmtree(path)
            info = build_store(path, _files(spec))
            return {"triples": info.quads}
        return state["run"](name)

    def prepare(name: str) -> None:  # untimed: open the store and materialise the closures once
        if name != "load" and "run" not in state:
            state["run"] = _question_runner(OxigraphEngine.open(path), spec)

    run.prepare = prepare  # type: ignore[attr-defined]
    return list(spec["items"]), run


def _export(spec: dict):
    folder = Path(spec["project"])
    out = Path(tempfile.mkdtemp(prefix="rtopkg-bench-export-"))
    if spec["variant"] == "rdflib":
        from rtopkg.load import load_graph
        from rtopkg.paths import Project

        proj = Project(folder)
        graph = load_graph(proj.ontology_files() + proj.data_files())

        def run(_item: str):
            data = graph.serialize(format="turtle", encoding="utf-8")
            (out / "graph.ttl").write_bytes(data)
            return {"bytes": len(data)}
    else:
        from rtopkg.export import export
        from rtopkg.paths import Project

        def run(_item: str):
            result = export(out, ["turtle"], proj=Project(folder))
            return {"bytes": sum(f.size for f in result.files), "triples": sum(f.triples for f in result.files)}

    try:
        return ["export"], run
    finally:
        import atexit

        atexit.register(shutil.rmtree, out, True)


def _ask(spec: dict):
    """A cold ``rtopkg ask`` process (its wall time and CPU, as this process's child)."""
    script = Path(sys.executable).with_name("rtopkg")
    start = [str(script)] if script.is_file() else [sys.executable, "-m", "rtopkg"]
    command = [*start, "ask", "--engine", spec["variant"], spec["words"]]
    env = {**os.environ, "RTOPKG_CACHE_DIR": spec["cache_dir"]}
    # one run first, so that the start-up cache holds the project's graph (the cache is keyed by content)
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)

    def run(_item: str):
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        return {"lines": len(done.stdout.splitlines())}

    return ["ask"], run


TASKS: dict[str, Setup] = {"load": _load, "validate": _validate, "reason": _reason, "questions": _questions,
                           "export": _export, "ask": _ask, "store": _store}


def main(argv: list[str] | None = None) -> int:
    import logging
    import warnings

    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    spec = json.loads((argv or sys.argv[1:])[0])
    start = _clock()
    items, run = TASKS[spec["task"]](spec)
    _emit(ready=True, setup=time.perf_counter() - start[0])
    for item in items:
        _emit(start=item)
        prepare = getattr(run, "prepare", None)
        if prepare is not None:
            prepare(item)
        for i in range(spec["repeat"]):
            before = _clock()
            info = run(item)
            after = _clock()
            wall = after[0] - before[0]
            _emit(item=item, wall=wall, cpu=after[1] - before[1], info=info, maxrss_kb=_peak_kb())
            if wall > spec.get("max_repeat_seconds", 1e9) and i + 1 < spec["repeat"]:
                break  # a long run is not repeated (the table shows how many runs the median is of)
    _emit(done=True, maxrss_kb=_peak_kb())
    return 0


if __name__ == "__main__":
    sys.exit(main())
