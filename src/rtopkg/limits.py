"""Wall-clock limits for queries, validation and reasoning.

:func:`run_limited` runs a function in a forked child process and waits at most ``seconds`` for its result;
past the limit the child is killed and :class:`~rtopkg.errors.LimitExceeded` names the limit that was hit. The
calling process never blocks on runaway work and keeps everything it had loaded (the child works on a
copy-on-write copy of memory, so nothing it does can leave the caller's graph half-changed).

The default limit is :data:`DEFAULT_SECONDS`, overridden by the ``RTOPKG_TIMEOUT`` environment variable or by
the commands' ``--timeout`` option; ``0`` runs the function in-process with no limit.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
from typing import Any, Callable, TypeVar

from .errors import InputError, LimitExceeded, RtopkgError

__all__ = ["DEFAULT_SECONDS", "default_seconds", "run_limited"]

T = TypeVar("T")

#: The default wall-clock limit, in seconds, of one query, validation or reasoning run.
DEFAULT_SECONDS = 120.0


def default_seconds() -> float:
    """The limit in force: ``RTOPKG_TIMEOUT`` if set, else :data:`DEFAULT_SECONDS`."""
    raw = os.environ.get("RTOPKG_TIMEOUT")
    if raw is None or raw == "":
        return DEFAULT_SECONDS
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"RTOPKG_TIMEOUT={raw!r}: not a number of seconds") from None
    if value < 0:
        raise InputError(f"RTOPKG_TIMEOUT={raw!r}: must be 0 (no limit) or more")
    return value


def _child(conn, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    try:
        result: tuple[str, Any] = ("ok", fn(*args, **kwargs))
    except RtopkgError as exc:
        result = ("error", exc)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which re-raises
        result = ("crash", f"{type(exc).__name__}: {exc}")
    try:
        conn.send_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception as exc:  # noqa: BLE001 - an unpicklable result
        conn.send_bytes(pickle.dumps(("crash", f"cannot return the result: {exc}")))
    finally:
        conn.close()


def run_limited(fn: Callable[..., T], *args: Any, seconds: float | None = None, what: str = "the work",
                **kwargs: Any) -> T:
    """Run ``fn(*args, **kwargs)`` with a wall-clock limit and return its result.

    ``seconds`` defaults to :func:`default_seconds`; ``0`` means no limit (run in this process). ``what`` names
    the work in the error message (for instance ``"query 'oas-preventive-mandates'"``).
    """
    limit = default_seconds() if seconds is None else seconds
    if limit <= 0:
        return fn(*args, **kwargs)
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(sender, fn, args, kwargs), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(limit):
            raise LimitExceeded(f"{what} stopped after the wall-clock limit of {limit:g} s "
                                "(set --timeout or RTOPKG_TIMEOUT to change it)")
        try:
            status, payload = pickle.loads(receiver.recv_bytes())
        except EOFError:
            code = process.join(1) or process.exitcode
            raise LimitExceeded(f"{what} ended without an answer (exit status {code}); "
                                "it may have run out of memory") from None
    finally:
        if process.is_alive():
            os.kill(process.pid, signal.SIGKILL)
        process.join()
        receiver.close()
    if status == "ok":
        return payload
    if status == "error":
        raise payload
    raise RuntimeError(f"{what} failed: {payload}")
