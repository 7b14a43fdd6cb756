"""The Markdown table of a benchmark run (``results.md``): one row per size, task item and fast variant, beside
the baseline measured in the same run."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from statistics import median
from typing import Iterable

__all__ = ["BASELINE", "render_markdown", "render_summary", "pairs", "fmt_seconds", "load_json", "main"]

#: The baseline variant of each task (the fast variants are the others).
BASELINE = {"load": "rdflib", "validate": "pyshacl", "reason": "owlrl", "questions": "rdflib", "export": "rdflib",
            "ask": "rdflib", "store": None}
_LABEL = {"load": "load", "validate": "validate", "reason": "reason (closure)", "questions": "question",
          "export": "export", "ask": "cold `rtopkg ask`", "store": "on-disk store"}


def fmt_seconds(value: float) -> str:
    if value >= 100:
        return f"{value:.0f} s"
    if value >= 10:
        return f"{value:.1f} s"
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 0.01:
        return f"{value:.3f} s"
    return f"{value * 1000:.1f} ms"


def _cell(m) -> tuple[str, str]:
    """(time cell, memory cell) of a measurement (or of None: no such variant)."""
    if m is None:
        return "—", "—"
    memory = f"{m.peak_mb:.0f} MB" if m.peak_mb is not None else "—"
    if m.status != "ok" or not m.walls:
        return m.status, memory
    return f"{fmt_seconds(m.wall)} (cpu {fmt_seconds(m.cpu)}, n={len(m.walls)})", memory


def _ratio(base, fast) -> str:
    if base is None or fast is None or base.status != "ok" or fast.status != "ok" or not base.walls \
            or not fast.walls or fast.wall <= 0:
        return "—"
    ratio = base.wall / fast.wall
    return f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.1f}×"


def pairs(measurements: Iterable) -> list[tuple]:
    """``(size, task, item, baseline, fast)`` in the order measured; ``baseline`` may be None."""
    found: dict[tuple, dict] = {}
    for m in measurements:
        found.setdefault((m.size, m.task, m.item), {})[m.variant] = m
    out = []
    for (size, task, item), variants in found.items():
        base_name = BASELINE.get(task)
        base = variants.get(base_name) if base_name else None
        fast = [v for name, v in variants.items() if name != base_name]
        for f in fast or [None]:
            out.append((size, task, item, base, f))
    return out


def _questions_summary(rows: list) -> tuple[str, str]:
    """(time cell, memory cell) for all questions of one engine at one size: slowest, median and total."""
    done = [m for m in rows if m.status == "ok" and m.walls]
    if not rows:
        return "—", "—"
    if not done:
        return rows[0].status, "—"
    slowest = max(done, key=lambda m: m.wall)
    total = sum(m.wall for m in done)
    other = {m.status for m in rows if m.status != "ok"}
    extra = f"; {len(rows) - len(done)} {'/'.join(sorted(other))}" if other else ""
    memory = max((m.peak_mb for m in done if m.peak_mb is not None), default=None)
    text = (f"slowest {fmt_seconds(slowest.wall)} (`{slowest.item}`), median "
            f"{fmt_seconds(median(m.wall for m in done))}, all {len(done)}: {fmt_seconds(total)}{extra}")
    return text, (f"{memory:.0f} MB" if memory is not None else "—")


def _questions_row(size: str, task: str, at: list) -> list[str]:
    qs = [m for m in at if m.task == task and not (task == "store" and m.item == "load")]
    base_name = BASELINE.get(task)
    base_rows = [m for m in qs if m.variant == base_name]
    out = []
    for variant in [v for v in dict.fromkeys(m.variant for m in qs) if v != base_name]:
        fast_rows = [m for m in qs if m.variant == variant]
        bt, bm = _questions_summary(base_rows) if base_rows else ("—", "—")
        ft, fm = _questions_summary(fast_rows)
        ratio = "—"
        ok_base = {m.item: m for m in base_rows if m.status == "ok" and m.walls}
        both = [(ok_base[m.item], m) for m in fast_rows if m.item in ok_base and m.status == "ok" and m.walls]
        if both:
            total = sum(b.wall for b, _ in both) / sum(f.wall for _, f in both)
            ratio = f"{total:.0f}× (totals of {len(both)})"
        out.append(f"| {size} | every stored question ({len(fast_rows)}) | {base_name or '—'} | {bt} | {bm} | "
                   f"{variant} | {ft} | {fm} | {ratio} |")
    return out


def render_summary(measurements: list) -> list[str]:
    """One row per size and task, in the order measured (the questions summarised: slowest, median, total)."""
    lines = ["| size | work | baseline | time | memory | fast | time | memory | ratio |",
             "|---|---|---|---|---|---|---|---|---|"]
    for size in dict.fromkeys(m.size for m in measurements):
        at = [m for m in measurements if m.size == size]
        summarised = set()
        for _, task, item, base, fast in pairs(at):
            if task == "questions" or (task == "store" and item != "load"):
                if task not in summarised:
                    summarised.add(task)
                    lines.extend(_questions_row(size, task, at))
                continue
            base_time, base_mem = _cell(base)
            fast_time, fast_mem = _cell(fast)
            lines.append(f"| {size} | {_LABEL.get(task, task)} | {base.variant if base else '—'} | {base_time} | "
                         f"{base_mem} | {fast.variant if fast else '—'} | {fast_time} | {fast_mem} | "
                         f"{_ratio(base, fast)} |")
    return lines


def render_markdown(meta: dict, measurements: list) -> str:
    machine = meta["machine"]
    lines = [
        "# rtopkg benchmarks",
        "",
        f"Command: `{meta['command']}` (seed {meta['seed']}, up to {meta['repeat']} runs per measurement, "
        f"wall-clock limit {meta['limit_s']:g} s per run; started {meta['started']}, took {meta['seconds']:.0f} s).",
        "",
        f"Machine: {machine.get('cpus')} CPUs, {machine.get('memory_gib', '?')} GiB, {machine.get('platform')}; "
        f"Python {machine.get('python')}, rdflib {machine.get('rdflib')}, pyoxigraph {machine.get('pyoxigraph')}, "
        f"pyshacl {machine.get('pyshacl', '?')}.",
        "",
        "Times are medians of wall time over n runs (CPU time of the process beside it), memory the peak resident "
        "size of the measuring process; ratio = baseline / fast. `not run`: above the baseline's size cap; "
        "`limit`: a run passed the wall-clock limit.",
        "",
        "## Summary",
        "",
        *render_summary(measurements),
        "",
        "## Every measurement",
        "",
        "| size | work | item | baseline | time | memory | fast | time | memory | ratio |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size, task, item, base, fast in pairs(measurements):
        base_time, base_mem = _cell(base)
        fast_time, fast_mem = _cell(fast)
        item_text = "" if item in (task, "closure") else f"`{item}`"
        rows = {m.info.get("rows") for m in (base, fast) if m is not None and m.status == "ok" and m.info}
        rows.discard(None)
        if len(rows) == 1:
            item_text += f" ({rows.pop()} rows)"
        elif len(rows) > 1:
            item_text += " (ROW COUNTS DIFFER)"
        lines.append(f"| {size} | {_LABEL.get(task, task)} | {item_text} | {base.variant if base else '—'} | "
                     f"{base_time} | {base_mem} | {fast.variant if fast else '—'} | {fast_time} | {fast_mem} | "
                     f"{_ratio(base, fast)} |")
    lines.append("")
    return "\n".join(lines)


def load_json(path: str | Path) -> tuple[dict, list]:
    """``(meta, measurements)`` of a results.json."""
    from benchmarks.run import Measurement

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    keep = set(Measurement.__dataclass_fields__)
    return data["meta"], [Measurement(**{k: v for k, v in row.items() if k in keep}) for row in data["measurements"]]


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.report RESULTS.json``: write results.md again beside it (after a change of layout)."""
    path = Path((argv or sys.argv[1:])[0])
    meta, measurements = load_json(path)
    path.with_name("results.md").write_text(render_markdown(meta, measurements), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
