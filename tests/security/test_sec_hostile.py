"""Hazard 4: hostile documents are refused quickly, with a clear message, in bounded time and memory.

Each document goes through ``rtopkg query --data FILE`` in a child process whose CPU time and address space
are capped with ``setrlimit`` (:data:`CPU_SECONDS`, :data:`MEMORY_BYTES`): were a document parsed instead of
refused, the child would run out of its memory (an entity bomb expands to gigabytes) or be killed, and the
exit code and message asserted here would not appear. The first tests show the parsers underneath do blow up
under the same caps.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sec_helpers import one_error_line, run_rtopkg

CPU_SECONDS = 20
MEMORY_BYTES = 1536 << 20  # 1.5 GiB of address space: ample for rtopkg, far short of an entity bomb

HEAD = '<?xml version="1.0"?>\n'
RDF_OPEN = '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
RDF_CLOSE = "</rdf:RDF>\n"


def billion_laughs() -> str:
    """Ten entities each referencing the previous ten times: 3 x 10^9 bytes from a 1 kB file."""
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)]
    return (HEAD + "<!DOCTYPE rdf:RDF [\n" + "\n".join(entities) + "\n]>\n" + RDF_OPEN
            + '<rdf:Description rdf:about="http://example.org/s"><ex:p>&lol9;</ex:p></rdf:Description>\n' + RDF_CLOSE)


def quadratic_blowup() -> str:
    """One 100 kB entity referenced 20,000 times (no nesting): a 2 GB literal from a 160 kB file."""
    return (HEAD + '<!DOCTYPE rdf:RDF [\n<!ENTITY a "' + "a" * 100_000 + '">\n]>\n' + RDF_OPEN
            + '<rdf:Description rdf:about="http://example.org/s"><ex:p>' + "&a;" * 20_000
            + "</ex:p></rdf:Description>\n" + RDF_CLOSE)


def deep_nesting() -> str:
    return (HEAD + RDF_OPEN + "<rdf:Description><ex:p>" * 10_000 + "<rdf:Description/>"
            + "</ex:p></rdf:Description>" * 10_000 + "\n" + RDF_CLOSE)


def external_entity(target: str) -> str:
    return (HEAD + f'<!DOCTYPE rdf:RDF [\n<!ENTITY x SYSTEM "{target}">\n]>\n' + RDF_OPEN
            + '<rdf:Description rdf:about="http://example.org/s"><ex:p>&x;</ex:p></rdf:Description>\n' + RDF_CLOSE)


def parameter_entity(target: str) -> str:
    return HEAD + f'<!DOCTYPE rdf:RDF [\n<!ENTITY % x SYSTEM "{target}">\n%x;\n]>\n' + RDF_OPEN + RDF_CLOSE


def deep_json(depth: int = 10_000) -> str:
    return '{"@id": "http://example.org/s", "http://example.org/p": ' + '{"http://example.org/p": ' * depth + '"x"' \
           + "}" * depth + "}"


CASES = {
    "billion-laughs.rdf": (billion_laughs, "refused a nested XML entity (entity expansion attack, 'billion laughs')"),
    "quadratic-blowup.rdf": (quadratic_blowup, "refused XML entities that would expand to 2000000000 bytes "
                                               "(entity expansion attack, 'quadratic blowup'"),
    "deep.rdf": (deep_nesting, "refused RDF/XML nested more than 256 elements deep"),
    "external-file.rdf": (lambda: external_entity("file:///etc/passwd"), "refused an external or parameter XML entity"),
    "parameter.rdf": (lambda: parameter_entity("http://127.0.0.1:9/x.dtd"), "refused an external or parameter XML entity"),
    "deep.jsonld": (deep_json, "refused a JSON document nested too deeply"),
}


def run_capped(args: list[str], **kwargs):
    return run_rtopkg(args, cpu_seconds=CPU_SECONDS, memory_bytes=MEMORY_BYTES, **kwargs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_document_is_refused_within_the_caps(tmp_path: Path, name):
    make, message = CASES[name]
    path = tmp_path / name
    path.write_text(make(), encoding="utf-8")
    completed = run_capped(["query", "--data", str(path), "--sparql", "ASK { ?s ?p ?o }"])
    assert completed.returncode == 2, completed.stderr.decode("utf-8", "replace")[-500:]
    line = one_error_line(completed)
    assert line.startswith("rtopkg: ") and name in line and message in line


def test_the_hostile_cases_ran_in_full():
    assert len(CASES) == 6


def test_external_entity_to_a_listener_gets_zero_hits(tmp_path: Path, listener):
    path = tmp_path / "external-http.rdf"
    path.write_text(external_entity(listener.url + "secret"), encoding="utf-8")
    completed = run_capped(["validate", "--no-ontology", str(path)])
    assert completed.returncode == 2 and "refused an external" in one_error_line(completed)
    assert listener.hits == 0


def test_oversized_input_is_refused_before_reading(tmp_path: Path):
    path = tmp_path / "big.nt"
    path.write_bytes(b'<http://example.org/s> <http://example.org/p> "x" .\n' * 100)
    completed = run_capped(["query", "--data", str(path), "--sparql", "ASK { ?s ?p ?o }"],
                           env={"RTOPKG_MAX_INPUT_BYTES": "1000"})
    assert completed.returncode == 3
    assert one_error_line(completed).endswith(f"big.nt: {path.stat().st_size} bytes is over the input size limit "
                                              "of 1000 bytes (raise it with RTOPKG_MAX_INPUT_BYTES)")


# ------------------------------------------------------------------------------------------------------------
# The hazards are real: the parsers underneath, unguarded, under the same caps
# ------------------------------------------------------------------------------------------------------------

RAW_PARSE = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({mem}, {mem}))
resource.setrlimit(resource.RLIMIT_CPU, ({cpu}, {cpu}))
import pyoxigraph as ox
quads = list(ox.parse(path=sys.argv[1]))
print(max(len(q.object.value) for q in quads))
"""


@pytest.mark.parametrize("name", ["billion-laughs.rdf", "quadratic-blowup.rdf", "deep.jsonld"])
def test_unguarded_pyoxigraph_blows_up_on_these_documents(tmp_path: Path, name):
    import subprocess

    path = tmp_path / name
    path.write_text(CASES[name][0](), encoding="utf-8")
    script = RAW_PARSE.format(mem=MEMORY_BYTES, cpu=CPU_SECONDS)
    completed = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, timeout=120)
    assert completed.returncode < 0 or completed.returncode > 1  # killed: out of memory (SIGABRT) or stack (SIGSEGV)
    assert completed.stdout == b""


def test_the_limits_are_not_overbroad(tmp_path: Path):
    """Ordinary nesting and entities still load: JSON 50 levels deep, RDF/XML with a small internal entity."""
    from rtopkg.load import load_store

    deep = tmp_path / "deep-enough.jsonld"
    deep.write_text(deep_json(50), encoding="utf-8")
    entity = tmp_path / "entity.rdf"
    entity.write_text(HEAD + '<!DOCTYPE rdf:RDF [\n<!ENTITY name "Mónica">\n]>\n' + RDF_OPEN
                      + '<rdf:Description rdf:about="http://example.org/s"><ex:p>&name; Serrano</ex:p>'
                      + "</rdf:Description>\n" + RDF_CLOSE, encoding="utf-8")
    store = load_store([deep, entity])
    assert len(store) == 52
    assert any(q.object.value == "Mónica Serrano" for q in store)
