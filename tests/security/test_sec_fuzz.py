"""Bounded fuzzing of the entry points that take text from outside: Turtle files (hazard 3, all or nothing)
and the ``-p NAME=VALUE`` parameters of the command line (hazard 2, bound as one RDF term each).

Each test runs ``RTOPKG_FUZZ_EXAMPLES`` examples (150 by default, a few seconds in CI); SECURITY.md gives the
command of the longer run. ../test_injection.py fuzzes bound parameters on the three engines.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyoxigraph as ox
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rtopkg.errors import InputError, ParameterError, SyntaxInputError
from rtopkg.guard import check_query
from rtopkg.load import load_store
from rtopkg.params import TYPES, ParamSpec, parse_assignments, parse_value
from rtopkg.terms import TermError, to_sparql

EXAMPLES = int(os.environ.get("RTOPKG_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

FRAGMENTS = ['"', "'", "\\", "\n", "\r", "\t", "{", "}", ";", "#", "<", ">", "?", "$", "=", "DROP ALL", "SERVICE",
             '"""', "'''", "\\u0022", "\\n", "\x00", "\x7f", "\u0085", "\u2028", "é", "ñ", "😀", " ", ")", "(", ".",
             "@prefix", "^^", "@en", "_:b", "ex:", "http://example.org/", "2012-04-30", "2012", "-35", "+0"]
HOSTILE = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=8).map("".join)
EX = "http://example.org/"


# ------------------------------------------------------------------------------------------------------------
# Parameters: NAME=VALUE, then each declared type
# ------------------------------------------------------------------------------------------------------------


@FUZZ
@given(name=st.one_of(st.sampled_from(["name", "kind", "_x", "a1"]), HOSTILE), value=HOSTILE)
def test_assignments_split_at_the_first_equals_or_are_refused(name, value):
    try:
        parsed = parse_assignments([f"{name}={value}"])
    except ParameterError as exc:
        assert "\n" not in exc.message
        return
    assert parsed == {name: value}  # the value is kept whole, '=' and all


@FUZZ
@given(kind=st.sampled_from(TYPES), raw=HOSTILE)
@example(kind="string", raw="\x7f2012-04-30")  # found by the long run: "\u007F2012" read as one escape by rdflib
def test_a_parameter_binds_as_exactly_one_term_or_is_refused(kind, raw):
    """Whatever the text, a value becomes one RDF term: bound in a query it parses, passes the guard and
    yields exactly that term -- or it is refused with a one-line ParameterError."""
    spec = ParamSpec("v", kind, prefix=EX if kind == "iri" else None)
    try:
        term = parse_value(spec, raw)
    except ParameterError as exc:
        assert "\n" not in exc.message
        return
    try:
        written = to_sparql(term)
    except (TermError, InputError):
        return  # a value the SPARQL writer refuses (e.g. backslash-u, read differently by engines)
    query = f"SELECT ?v WHERE {{ VALUES ?v {{ {written} }} }}"
    check_query(query)
    rows = list(ox.Store().query(query))
    assert len(rows) == 1 and rows[0]["v"] == term
    if kind == "string":
        assert term.value == raw


def test_the_fuzz_covers_every_parameter_type():
    assert TYPES == ("iri", "string", "date", "year", "integer")


# ------------------------------------------------------------------------------------------------------------
# Turtle: a valid document loads exactly; a damaged one loads nothing and names a line in the file
# ------------------------------------------------------------------------------------------------------------

LITERALS = st.one_of(HOSTILE.filter(lambda s: not any(0xD800 <= ord(c) <= 0xDFFF for c in s)),
                     st.text(max_size=20).filter(lambda s: not any(0xD800 <= ord(c) <= 0xDFFF for c in s)))
TRIPLES = st.lists(st.tuples(st.integers(0, 20), st.sampled_from(["name", "note", "label"]), LITERALS),
                   min_size=1, max_size=12)
DAMAGE = st.one_of(st.sampled_from(['"', "<", "{", "}", ";", ".", "@prefix", "ex:", "[", "(", "^^", "\\", "_:", "'"]),
                   HOSTILE)
BEFORE = ox.Quad(ox.NamedNode(EX + "kept"), ox.NamedNode(EX + "p"), ox.Literal("before"))


def turtle_of(triples) -> tuple[bytes, set]:
    quads = {ox.Quad(ox.NamedNode(f"{EX}s{s}"), ox.NamedNode(EX + p), ox.Literal(o)) for s, p, o in triples}
    text = ox.serialize(sorted(quads, key=str), format=ox.RdfFormat.TURTLE, prefixes={"ex": EX})
    return text, quads


@FUZZ
@given(triples=TRIPLES, damage=DAMAGE, where=st.floats(0, 1))
def test_turtle_loads_exactly_or_not_at_all(triples, damage, where):
    text, quads = turtle_of(triples)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.ttl"
        path.write_bytes(text)
        assert set(load_store([path])) == quads  # the valid document loads exactly
        at = int(where * len(text))
        damaged = text[:at] + damage.encode("utf-8", "surrogatepass") + text[at:]
        path.write_bytes(damaged)
        store = ox.Store()
        store.add(BEFORE)
        try:
            load_store([path], store)
        except SyntaxInputError as exc:
            assert set(store) == {BEFORE}  # nothing of the damaged file
            assert exc.path.endswith("fuzz.ttl") and "\n" not in exc.message
            assert exc.line is not None and 1 <= exc.line <= damaged.count(b"\n") + 1
            return
        except InputError as exc:  # e.g. not UTF-8: still one line, still nothing loaded
            assert set(store) == {BEFORE} and "\n" not in exc.message
            return
        # still valid Turtle (e.g. the damage fell inside a string): loaded in full, beside what was there
        assert BEFORE in store and set(store) - {BEFORE} == set(ox.parse(damaged, ox.RdfFormat.TURTLE)) - {BEFORE}
