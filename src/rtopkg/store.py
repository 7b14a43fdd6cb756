"""A persistent on-disk Oxigraph store of the graph, loaded once and reused across commands.

``rtopkg store load --store PATH [FILES]`` loads the project's graph (or the given files) into a new store
folder and swaps it into place only when everything has loaded (all or nothing: a broken file leaves the old
store as it was). Beside the data it records, in ``PATH/rtopkg-store.json``, what it loaded: each file's path,
size and SHA-256, and a digest of them all. ``rtopkg query --store PATH`` opens the store read-only and first
checks that digest against the files as they are now: a store whose files changed (or, for the project's
graph, that gained or lost a file) is **stale** and refused with the command that reloads it, so an answer
never comes silently from old data.

Files are parsed by :mod:`rtopkg.load` (the same safety checks: no remote JSON-LD contexts, no XML entities,
size limit) and written with Oxigraph's bulk loader, one file at a time.

The same machinery gives the start-up cache of :meth:`rtopkg.engines.OxigraphEngine.project`: the project's
graph, and each closure a stored question asks for, kept as read-only stores under the user's cache folder and
keyed by the SHA-256 of every graph file (plus the versions of rtopkg and pyoxigraph and the loader's and
reasoner's sources), so a cached store is used only for exactly the content it was made from.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pyoxigraph as ox

from .errors import InputError
from .paths import display_path, project

__all__ = ["MANIFEST", "StoreInfo", "build_store", "store_info", "open_store", "file_entries", "cache_dir",
           "content_key", "cached_store"]

MANIFEST = "rtopkg-store.json"
_FORMAT = 1


@dataclass
class StoreInfo:
    """What a store holds and whether it still matches its files."""

    path: Path
    project: bool
    files: list[dict] = field(default_factory=list)
    digest: str = ""
    quads: int = 0
    named_graphs: int = 0
    problems: list[str] = field(default_factory=list)  # why it is stale; empty when fresh

    @property
    def fresh(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {"store": str(self.path), "project": self.project, "digest": self.digest, "quads": self.quads,
                "named_graphs": self.named_graphs, "fresh": self.fresh, "problems": self.problems,
                "files": self.files}


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _name(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(path.resolve())


def file_entries(paths: Sequence[Path], root: Path | None = None) -> tuple[list[dict], str]:
    """``([{"path", "bytes", "sha256"}...], digest)`` of files, paths relative to ``root`` when inside it."""
    entries = []
    for path in paths:
        try:
            sha, size = _sha256(path)
        except OSError as exc:
            raise InputError(f"{display_path(path)}: cannot read ({exc.strerror or exc})") from None
        entries.append({"path": _name(path, root), "bytes": size, "sha256": sha})
    combined = hashlib.sha256("".join(f"{e['path']}\t{e['sha256']}\n" for e in entries).encode("utf-8"))
    return entries, combined.hexdigest()


def _read_manifest(path: Path) -> dict:
    manifest = path / MANIFEST
    if not path.is_dir():
        raise InputError(f"--store {display_path(path)}: no such store; create it with: rtopkg store load --store {path}")
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"--store {display_path(path)}: not a store made by 'rtopkg store load' (no {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{display_path(manifest)}: unreadable ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != _FORMAT or not isinstance(data.get("files"), list):
        raise InputError(f"{display_path(manifest)}: not a manifest of this rtopkg version; reload the store")
    return data


def _problems(data: dict) -> list[str]:
    """Why the store no longer matches its files (empty when it does)."""
    problems: list[str] = []
    recorded = {e["path"]: e["sha256"] for e in data["files"]}
    if data.get("project"):
        proj = project()
        current = proj.graph_files()
        names = {_name(p, proj.root): p for p in current}
        for name in sorted(set(names) - set(recorded)):
            problems.append(f"{name} was added")
        for name in sorted(set(recorded) - set(names)):
            problems.append(f"{name} was removed")
        paths = {name: names[name] for name in names if name in recorded}
    else:
        paths = {name: Path(name) for name in recorded}
    for name, path in sorted(paths.items()):
        try:
            sha, _ = _sha256(path)
        except OSError:
            problems.append(f"{name} is missing")
            continue
        if sha != recorded[name]:
            problems.append(f"{name} changed")
    return problems


def store_info(path: str | os.PathLike[str]) -> StoreInfo:
    """What the store at ``path`` holds, and whether it is stale."""
    path = Path(path)
    data = _read_manifest(path)
    return StoreInfo(path, bool(data.get("project")), data["files"], data.get("digest", ""),
                     int(data.get("quads", 0)), int(data.get("named_graphs", 0)), _problems(data))


def open_store(path: str | os.PathLike[str], *, check_fresh: bool = True) -> ox.Store:
    """Open the store read-only; refuse a stale one (its files changed since it was loaded)."""
    path = Path(path)
    data = _read_manifest(path)
    if check_fresh:
        problems = _problems(data)
        if problems:
            shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
            raise InputError(f"--store {display_path(path)} is stale ({shown}); reload it with: "
                             f"rtopkg store load --store {path}")
    try:
        return ox.Store.read_only(str(path))
    except OSError as exc:
        raise InputError(f"--store {display_path(path)}: cannot open ({exc})") from None


def build_store(path: str | os.PathLike[str], files: Sequence[str | os.PathLike[str]] | None = None) -> StoreInfo:
    """Load the project's graph (or ``files``) into a new store at ``path``, replacing an older rtopkg store."""
    from .load import expand_paths, parse_file

    path = Path(path)
    is_project = not files
    proj = project()
    sources = proj.graph_files() if is_project else expand_paths(files or [])
    if not sources:
        raise InputError("nothing to load: no RDF files")
    if path.exists():
        if not path.is_dir():
            raise InputError(f"--store {display_path(path)}: exists and is not a folder")
        if any(path.iterdir()) and not (path / MANIFEST).is_file():
            raise InputError(f"--store {display_path(path)}: a folder that is not an rtopkg store; refusing to replace it")
    entries, digest = file_entries(sources, proj.root if is_project else None)
    work = path.parent / f".{path.name}.loading-{os.getpid()}"
    if work.exists():
        shutil.rmtree(work)
    try:
        store = ox.Store(str(work))
        for source in sources:
            parsed = parse_file(source)  # safety checks and strict parsing, with file:line:col errors
            store.bulk_extend(parsed.quads)
            del parsed
        store.flush()
        store.optimize()
        quads = len(store)
        graphs = sum(1 for _ in store.named_graphs())
        del store
        manifest = {"format": _FORMAT, "project": is_project, "digest": digest, "quads": quads,
                    "named_graphs": graphs, "files": entries}
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    old = path.parent / f".{path.name}.old-{os.getpid()}"
    if path.exists():
        path.rename(old)
    work.rename(path)
    shutil.rmtree(old, ignore_errors=True)
    return StoreInfo(path, is_project, entries, digest, quads, graphs, [])


# --------------------------------------------------------------------------------------------------------------
# The start-up cache: the project's graph (and its closures) as read-only on-disk stores keyed by content
# --------------------------------------------------------------------------------------------------------------

_CACHE_MARK = "rtopkg-cache.json"
_CACHE_KEEP = 6


def cache_dir() -> Path | None:
    """Where start-up caches live (``RTOPKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/rtopkg``, else
    ``~/.cache/rtopkg``); ``None`` when ``RTOPKG_CACHE=0`` switches caching off."""
    if os.environ.get("RTOPKG_CACHE", "1") == "0":
        return None
    explicit = os.environ.get("RTOPKG_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rtopkg"


def content_key(paths: Sequence[Path], *parts: str) -> str:
    """A key that changes whenever any file's content, the list of files, ``parts``, rtopkg's version, the
    pyoxigraph version or the source of the loader changes."""
    from . import __version__

    _, digest = file_entries(list(paths))
    loader = Path(__file__).with_name("load.py")
    loader_sha = _sha256(loader)[0] if loader.is_file() else ""
    text = "\n".join([digest, __version__, ox.__version__, loader_sha, *parts])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cached_store(key: str, build) -> ox.Store:
    """The store cached under ``key`` (opened read-only), or ``build()`` -- an in-memory store -- which is
    returned at once and also written to the cache for next time. Any problem with the cache (not writable,
    a race with another process, a damaged entry) falls back to ``build()``: the cache can only make things
    faster, never change an answer."""
    folder = cache_dir()
    if folder is None:
        return build()
    target = folder / f"store-{key[:40]}"
    if (target / _CACHE_MARK).is_file():
        try:
            return ox.Store.read_only(str(target))
        except (OSError, RuntimeError, ValueError):  # a damaged entry: drop it and build again
            shutil.rmtree(target, ignore_errors=True)
    store = build()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        work = folder / f".building-{os.getpid()}-{key[:12]}"
        shutil.rmtree(work, ignore_errors=True)
        disk = ox.Store(str(work))
        disk.bulk_extend(store)
        disk.flush()
        del disk
        (work / _CACHE_MARK).write_text(json.dumps({"key": key}) + "\n", encoding="utf-8")
        try:
            work.rename(target)
        except OSError:  # another process got there first
            shutil.rmtree(work, ignore_errors=True)
        _prune(folder)
    except (OSError, RuntimeError, ValueError):
        shutil.rmtree(folder / f".building-{os.getpid()}-{key[:12]}", ignore_errors=True)
    return store


def _prune(folder: Path) -> None:
    """Keep the most recent cached stores only."""
    entries = sorted((p for p in folder.glob("store-*") if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[_CACHE_KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
