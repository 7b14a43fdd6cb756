"""Run the benchmarks and write ``results.md`` and ``results.json``.

::

    python -m benchmarks.run --sizes 10k,100k,1M [--repeat 3] [--out benchmarks/results]
    python -m benchmarks.run --sizes 10M --store /big/disk/rtopkg-10M      # on-disk store: load + questions

For each size a graph of the project's shape is generated (deterministically from ``--seed``, cached outside
the repository, see :mod:`benchmarks.graphs`), the project's ontology is added, and each task is measured in a
fresh child process (:mod:`benchmarks.tasks`) for its baseline and for rtopkg's fast path:

=================  =========================  ==========================================
task               baseline                   fast path
=================  =========================  ==========================================
load               rdflib                     oxigraph (rtopkg's loader; and bulk_load)
validate           pyshacl                    oxigraph (rtopkg.shacl_fast)
reason             owlrl (OWL 2 RL)           rules profile on Oxigraph
question NAME      rdflib engine              oxigraph engine (every stored question)
export             rdflib Turtle serializer   rtopkg export (Turtle + catalogue)
ask (cold)         rtopkg ask --engine rdflib rtopkg ask (oxigraph), project's graph only
=================  =========================  ==========================================

Each cell is the median wall time over the runs, the median CPU time (the machine may be shared: CPU time is
the steadier figure), the number of runs, and the child's peak resident memory. The ratio is baseline median /
fast median, both measured in the same run. A baseline above its size cap (``--pyshacl-max``, ``--owlrl-max``,
``--rdflib-max``...) shows ``not run``; a run past the wall-clock limit (``--limit``) shows ``limit``; a failing
child shows ``error`` (its message is in results.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import median

from benchmarks import graphs
from benchmarks.generate import parse_size
from benchmarks.report import render_markdown

__all__ = ["main", "Measurement", "measure", "TASK_ORDER"]

TASK_ORDER = ("load", "validate", "reason", "questions", "export", "ask", "store")
ASK_WORDS = "in which events was the Stanley Foundation involved"


@dataclass
class Measurement:
    """One variant of one task item at one size."""

    size: str
    task: str
    item: str
    variant: str
    status: str = "ok"  # ok, not run, limit, error
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    peak_mb: float | None = None
    setup_s: float | None = None
    info: dict = field(default_factory=dict)
    note: str = ""

    @property
    def wall(self) -> float | None:
        return median(self.walls) if self.walls else None

    @property
    def cpu(self) -> float | None:
        return median(self.cpus) if self.cpus else None

    def as_dict(self) -> dict:
        out = asdict(self)
        out.update(median_wall=self.wall, median_cpu=self.cpu, runs=len(self.walls))
        return out


def _reader(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def measure(spec: dict, items: list[str], *, limit: float, setup_limit: float, size: str) -> list[Measurement]:
    """Run ``spec`` in child processes; one Measurement per item. An item past ``limit`` (per run) is marked
    ``limit`` and the remaining items run in a new child."""
    results = {item: Measurement(size, spec["task"], item, spec["variant"]) for item in items}
    remaining = list(items)
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    while remaining:
        child = {**spec, "items": remaining}
        process = subprocess.Popen([sys.executable, "-m", "benchmarks.tasks", json.dumps(child)],
                                   cwd=graphs.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, start_new_session=True)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True).start()
        errors: list[str] = []
        threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True).start()
        deadline = time.monotonic() + setup_limit + limit
        setup = None
        current = remaining[0]
        finished = False
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                os.killpg(process.pid, signal.SIGKILL)  # the child and anything it started (its own group)
                process.wait()
                results[current].status = "limit"
                results[current].note = f"a run took more than {limit:g} s" if setup is not None else \
                    f"set-up and first run took more than {setup_limit + limit:g} s"
                break
            if line is None:
                process.wait()
                if not finished:
                    results[current].status = "error"
                    results[current].note = " ".join("".join(errors).strip().splitlines()[-1:])[:300] or \
                        f"exit status {process.returncode}"
                break
            record = json.loads(line)
            deadline = time.monotonic() + limit
            if "ready" in record:
                setup = record["setup"]
            elif "start" in record:
                current = record["start"]
            elif "item" in record:
                m = results[record["item"]]
                m.walls.append(record["wall"])
                m.cpus.append(record["cpu"])
                m.info = record.get("info") or {}
                m.setup_s = setup
                m.peak_mb = record["maxrss_kb"] / 1024
            elif record.get("done"):
                finished = True
        if finished:
            break
        if setup is None:  # the set-up itself failed or ran out of time: the same would happen to every item
            for item in remaining:
                results[item].status, results[item].note = results[current].status, results[current].note
            break
        remaining = remaining[remaining.index(current) + 1:]
    return [results[i] for i in items]


def _question_params(triples: int, seed: int, cache: Path) -> dict:
    """:func:`benchmarks.graphs.question_params`, computed in a child process: this process stays small, so
    that the children it starts later do not inherit its peak memory (Linux keeps ``ru_maxrss`` across fork
    and exec)."""
    code = "import sys; from pathlib import Path; from benchmarks import graphs; " \
           "graphs.question_params(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))"
    subprocess.run([sys.executable, "-c", code, str(triples), str(seed), str(cache)], cwd=graphs.ROOT, check=True)
    return graphs.question_params(triples, seed, cache)  # now read from the cache


def _not_run(size: str, task: str, item: str, variant: str, why: str) -> Measurement:
    return Measurement(size, task, item, variant, status="not run", note=why)


def run_size(triples: int, args, log) -> list[Measurement]:
    """Every task at one size."""
    size = graphs.size_label(triples)
    cache = graphs.cache_root(args.cache)
    log(f"[{size}] generating (cached in {cache})")
    data = graphs.graph_file(triples, args.seed, cache)
    files = [str(p) for p in graphs.ontology_files()] + [str(data)]
    common = {"repeat": args.repeat, "max_repeat_seconds": args.max_repeat_seconds, "files": files}
    out: list[Measurement] = []
    tasks = args.tasks

    def run(task: str, variant: str, items: list[str], cap: int | None = None, **extra) -> None:
        if cap is not None and triples > cap:
            out.extend(_not_run(size, task, i, variant, f"above the size cap of {graphs.size_label(cap)}")
                       for i in items)
            return
        log(f"[{size}] {task} {variant} ({len(items)} item{'s' if len(items) != 1 else ''})")
        got = measure({**common, "task": task, "variant": variant, **extra}, items, limit=args.limit,
                      setup_limit=args.setup_limit, size=size)
        for m in got:
            log(f"    {m.item:32} {m.status:6} " + (f"{m.wall:8.3f} s wall {m.cpu:8.3f} s cpu "
                                                     f"{m.peak_mb or 0:7.0f} MB" if m.walls else m.note))
        out.extend(got)

    if args.store:
        from rtopkg.catalogue import load_catalogue

        names = [q.name for q in load_catalogue()]
        params = _question_params(triples, args.seed, cache)
        run("store", "oxigraph-disk", ["load", *names], store=args.store, params=params)
        return out
    if "load" in tasks:
        run("load", "rdflib", ["load"], cap=args.rdflib_load_max)
        run("load", "oxigraph", ["load"])
        run("load", "oxigraph-bulk", ["load"])
    if "validate" in tasks:
        run("validate", "pyshacl", ["validate"], cap=args.pyshacl_max, data=[str(data)])
        run("validate", "oxigraph", ["validate"], data=[str(data)])
    if "reason" in tasks:
        run("reason", "owlrl", ["closure"], cap=args.owlrl_max)
        run("reason", "rules", ["closure"])
    if "questions" in tasks:
        from rtopkg.catalogue import load_catalogue

        names = [q.name for q in load_catalogue()]
        params = _question_params(triples, args.seed, cache)
        run("questions", "rdflib", names, cap=args.rdflib_max, params=params)
        run("questions", "oxigraph", names, params=params)
    if "export" in tasks:
        folder = str(graphs.project_dir(triples, args.seed, cache))
        run("export", "rdflib", ["export"], cap=args.rdflib_load_max, project=folder)
        run("export", "rtopkg", ["export"], cap=args.export_max, project=folder)
    return out


def run_ask(args, log) -> list[Measurement]:
    cache = graphs.cache_root(args.cache) / "rtopkg-cache"
    out = []
    for variant in ("rdflib", "oxigraph"):
        log(f"[project] cold rtopkg ask --engine {variant}")
        got = measure({"task": "ask", "variant": variant, "repeat": args.ask_repeat, "words": ASK_WORDS,
                       "cache_dir": str(cache)}, ["ask"], limit=args.limit, setup_limit=args.setup_limit,
                      size="project")
        out.extend(got)
        for m in got:
            log(f"    {m.status} {m.wall or 0:.3f} s wall {m.cpu or 0:.3f} s cpu")
    return out


def machine() -> dict:
    import pyoxigraph
    import rdflib

    info = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "rdflib": rdflib.__version__, "pyoxigraph": pyoxigraph.__version__}
    try:
        import pyshacl

        info["pyshacl"] = pyshacl.__version__
    except Exception:  # noqa: BLE001 - only for the record
        pass
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            info["memory_gib"] = round(int(f.readline().split()[1]) / 1024 ** 2, 1)
    except OSError:
        pass
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1M", help="comma-separated sizes (2000, 10k, 1M, 10M)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is shown)")
    parser.add_argument("--out", default=str(Path("benchmarks") / "results"), help="folder for results.md/json")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated graphs")
    parser.add_argument("--cache", help="cache folder for generated graphs (default: <temp>/rtopkg-bench)")
    parser.add_argument("--tasks", default="load,validate,reason,questions,export,ask",
                        help="which tasks (load, validate, reason, questions, export, ask)")
    parser.add_argument("--limit", type=float, default=300.0, help="wall-clock limit of one run, seconds")
    parser.add_argument("--setup-limit", type=float, default=600.0, help="wall-clock limit of a set-up, seconds")
    parser.add_argument("--max-repeat-seconds", type=float, default=30.0,
                        help="a run longer than this is not repeated")
    parser.add_argument("--ask-repeat", type=int, default=5, help="runs of the cold `rtopkg ask` (default 5)")
    parser.add_argument("--pyshacl-max", default="100k", help="largest size pyshacl validates")
    parser.add_argument("--owlrl-max", default="10k", help="largest size owlrl reasons over")
    parser.add_argument("--rdflib-max", default="100k", help="largest size the rdflib engine answers questions on")
    parser.add_argument("--rdflib-load-max", default="1M", help="largest size rdflib loads/serialises")
    parser.add_argument("--export-max", default="1M", help="largest size rtopkg export runs on")
    parser.add_argument("--store", help="on-disk Oxigraph store folder: measure only loading it and the questions")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    try:
        sizes = graphs.parse_sizes(args.sizes)
        for name in ("pyshacl_max", "owlrl_max", "rdflib_max", "rdflib_load_max", "export_max"):
            setattr(args, name, parse_size(getattr(args, name)))
    except ValueError as exc:
        parser.error(str(exc))
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    unknown = set(args.tasks) - set(TASK_ORDER)
    if unknown:
        parser.error(f"--tasks: unknown {', '.join(sorted(unknown))}")

    def log(text: str) -> None:
        if not args.quiet:
            print(text, file=sys.stderr, flush=True)

    started = time.time()
    measurements: list[Measurement] = []
    for triples in sizes:
        measurements.extend(run_size(triples, args, log))
    if "ask" in args.tasks and not args.store:
        measurements.extend(run_ask(args, log))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    command = "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:])
    meta = {"command": command, "machine": machine(), "seed": args.seed, "repeat": args.repeat,
            "limit_s": args.limit, "seconds": round(time.time() - started, 1),
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started))}
    rows = [m.as_dict() for m in measurements]
    (out / "results.json").write_text(json.dumps({"meta": meta, "measurements": rows}, indent=1) + "\n",
                                      encoding="utf-8")
    (out / "results.md").write_text(render_markdown(meta, measurements), encoding="utf-8")
    log(f"wrote {out / 'results.md'} and {out / 'results.json'} in {meta['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
