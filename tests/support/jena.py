"""Apache Jena's SHACL engine (Debian's libapache-jena-java), as an independent engine for the agreement tests.

:func:`jena_validator` installs the Debian package when it is missing and this runs as root (``apt-get install
-y libapache-jena-java``), compiles ``JenaShacl.java`` (beside this file) into a cache folder outside the tree,
and returns a function that validates many (data, shapes) pairs in one JVM. When Java, javac or the package
cannot be had it raises :class:`JenaUnavailable` with the reason, which the tests turn into a skip.

Debian's Jena 4.5 jars need two fixes to run: one SLF4J binding on the class path (the package pulls in several),
and the message resources of Jena's relocated Xerces copied to where the relocated classes look for them
(``xerces/impl/msg``, ``xerces/impl/xpath/regex``) -- without them the XSD datatypes fail to initialise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import zipfile
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
JAVA_DIR = Path("/usr/share/java")
JARS = [
    "jena-arq", "jena-base", "jena-core", "jena-iri", "jena-shacl", "jena-dboe-base",
    "commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io", "commons-lang3",
    "dexx.collection", "gson", "guava", "httpclient", "httpcore", "jackson-annotations", "jackson-core",
    "jackson-databind", "jakarta.json-api", "jsonld-java", "protobuf", "thrift", "titanium-json-ld",
    "slf4j-api", "slf4j-nop",
]
PACKAGE = "libapache-jena-java"


class JenaUnavailable(Exception):
    """Jena cannot run here; the message says why."""


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "rtopkg-tests" / "jena-shacl"


def _install() -> float:
    """Install the Debian package (as root); return the seconds it took."""
    if os.geteuid() != 0:
        raise JenaUnavailable(f"{PACKAGE} is not installed and the tests do not run as root to apt-get install it")
    if shutil.which("apt-get") is None:
        raise JenaUnavailable(f"{PACKAGE} is not installed and there is no apt-get to install it")
    started = time.monotonic()
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", PACKAGE],
                          capture_output=True, text=True, env=env, timeout=600)
    if done.returncode != 0:
        update = subprocess.run(["apt-get", "update"], capture_output=True, text=True, env=env, timeout=600)
        done = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", PACKAGE],
                              capture_output=True, text=True, env=env, timeout=600)
        if done.returncode != 0:
            tail = (done.stderr or update.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise JenaUnavailable(f"apt-get install {PACKAGE} failed: {tail[0]}")
    return time.monotonic() - started


def _fix_resources(target: Path) -> None:
    """Copy Xerces' message resources to the package names Debian's relocated classes use."""
    with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
        for name in jar.namelist():
            for old, new in (("org/apache/jena/ext/xerces/impl/msg/", "xerces/impl/msg/"),
                             ("org/apache/jena/ext/xerces/impl/xpath/regex/", "xerces/impl/xpath/regex/")):
                if name.startswith(old) and name.endswith(".properties"):
                    out = target / (new + name[len(old):])
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(jar.read(name))


def jena_validator() -> tuple[Callable[[list[tuple[Path, Path, Path]]], None], str]:
    """Return ``(run, note)``: ``run(jobs)`` validates ``(data, shapes, report)`` triples of paths in one JVM."""
    for tool in ("java", "javac"):
        if shutil.which(tool) is None:
            raise JenaUnavailable(f"no {tool} on PATH")
    note = f"{PACKAGE} already installed"
    if not (JAVA_DIR / "jena-shacl.jar").is_file():
        note = f"installed {PACKAGE} in {_install():.1f} s"
    missing = [j for j in JARS if not (JAVA_DIR / f"{j}.jar").is_file()]
    if missing:
        raise JenaUnavailable(f"jars missing from {JAVA_DIR}: {', '.join(missing)}")
    classpath_jars = ":".join(str(JAVA_DIR / f"{j}.jar") for j in JARS)
    cache = cache_dir()
    classes = cache / "classes"
    source = HERE / "JenaShacl.java"
    stamp = classes / "JenaShacl.class"
    if not stamp.is_file() or stamp.stat().st_mtime < source.stat().st_mtime:
        classes.mkdir(parents=True, exist_ok=True)
        _fix_resources(classes)
        done = subprocess.run(["javac", "-nowarn", "-cp", classpath_jars, "-d", str(classes), str(source)],
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise JenaUnavailable(f"javac failed: {(done.stderr or done.stdout).strip()[-500:]}")
    classpath = f"{classes}:{classpath_jars}"

    def run(jobs: list[tuple[Path, Path, Path]]) -> None:
        job_file = cache / f"jobs-{os.getpid()}.tsv"
        job_file.write_text("".join(f"{d}\t{s}\t{r}\n" for d, s, r in jobs), encoding="utf-8")
        done = subprocess.run(["java", "-Xmx2g", "-cp", classpath, "JenaShacl", str(job_file)],
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"Jena failed: {(done.stderr or done.stdout).strip()[-2000:]}")

    return run, note
