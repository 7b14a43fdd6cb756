"""OWL DL consistency with HermiT, the reasoner that the ``owlready2`` package ships, run on the machine's Java.

HermiT reads the graph as N-Triples from a temporary file (nothing is fetched: the graph states no
``owl:imports``, and any it states are removed first). xsd:date, xsd:gYear and xsd:gYearMonth are outside the
OWL 2 datatype map; with ``ignore_unsupported_datatypes`` HermiT treats those literals as opaque, which is what
checking the data (rather than the ontology alone) needs.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError, LimitExceeded

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph

__all__ = ["HermitResult", "hermit_available", "hermit_check"]


@dataclass(frozen=True)
class HermitResult:
    consistent: bool
    unsatisfiable: tuple[str, ...]
    output: str

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable


def _classpath() -> str:
    try:
        import owlready2
    except ImportError:
        raise InputError("HermiT needs the owlready2 package: pip install 'rtopkg[owl]'") from None
    here = Path(owlready2.__file__).parent / "hermit"
    return f"{here}:{here / 'HermiT.jar'}"


def hermit_available() -> str | None:
    """``None`` when HermiT can run here, else the reason it cannot."""
    if shutil.which("java") is None:
        return "no java on PATH (HermiT runs on Java)"
    try:
        _classpath()
    except InputError as exc:
        return str(exc)
    return None


def hermit_check(graph: "Graph", *, ignore_unsupported_datatypes: bool = True, timeout: float = 300) -> HermitResult:
    """Check that ``graph`` is consistent and that no named class is unsatisfiable."""
    from rdflib import OWL

    reason = hermit_available()
    if reason:
        raise InputError(f"cannot run HermiT: {reason}")
    copy = graph.__class__()
    for triple in graph:
        if triple[1] != OWL.imports:
            copy.add(triple)
    with tempfile.TemporaryDirectory(prefix="rtopkg-hermit-") as tmp:
        path = Path(tmp) / "graph.nt"
        copy.serialize(path, format="nt", encoding="utf-8")
        cmd = ["java", "-Xmx2g", "-cp", _classpath(), "org.semanticweb.HermiT.cli.CommandLine", "-k", "-U"]
        if ignore_unsupported_datatypes:
            cmd.append("--ignoreUnsupportedDatatypes")
        cmd.append(path.as_uri())
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise LimitExceeded(f"HermiT stopped after the wall-clock limit of {timeout:g} s") from None
    output = (done.stdout + done.stderr).strip()
    if "InconsistentOntologyException" in output:
        return HermitResult(False, (), output)
    if done.returncode != 0 and "satisfiable" not in output:
        raise InputError(f"HermiT failed: {output.splitlines()[-1] if output else 'no output'}")
    consistent = "owl:Thing is satisfiable" in output or "#Thing is satisfiable" in output
    unsat: list[str] = []
    if "Classes equivalent to 'owl:Nothing':" in output:
        tail = output.split("Classes equivalent to 'owl:Nothing':", 1)[1]
        for line in tail.splitlines():
            name = line.strip()
            if name and name != "owl:Nothing" and not name.startswith("http://www.w3.org/2002/07/owl#Nothing"):
                unsat.append(name)
    return HermitResult(consistent, tuple(unsat), output)
