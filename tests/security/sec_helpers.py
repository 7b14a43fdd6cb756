"""Helpers of the security tests (see conftest.py for the map of hazards to tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
ROOT = TESTS.parent

#: Examples per fuzz test: small in CI, thousands for the documented long run.
FUZZ_EXAMPLES = int(os.environ.get("RTOPKG_FUZZ_EXAMPLES", "150"))


def run_rtopkg(args: list[str], *, env: dict[str, str] | None = None, cpu_seconds: int | None = None,
               memory_bytes: int | None = None, timeout: float = 120, cwd: Path | None = None
               ) -> subprocess.CompletedProcess:
    """Run ``python -m rtopkg ARGS`` in a child process, optionally with a CPU-time and address-space bound
    (``setrlimit``): work that a mitigation should have refused is then killed, and the test fails."""

    def limits() -> None:
        import resource

        if cpu_seconds is not None:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
        if memory_bytes is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))

    full_env = {**os.environ, "RTOPKG_CACHE": "0", **(env or {})}
    full_env.pop("RTOPKG_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "rtopkg", *args], capture_output=True, env=full_env,
                          preexec_fn=limits if (cpu_seconds or memory_bytes) else None, timeout=timeout,
                          cwd=str(cwd or ROOT))


def one_error_line(completed: subprocess.CompletedProcess) -> str:
    """The single line the command wrote on stderr (fails when there are more, e.g. a traceback)."""
    lines = completed.stderr.decode("utf-8", "replace").strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]
