"""Injection through parameters: hostile values are bound as terms, match exactly what they should, and a
canary triple survives -- on the embedded Oxigraph engine, the rdflib engine and a real Oxigraph server
(where parameters travel as a VALUES block of safely serialised terms).

The property tests run ``RTOPKG_FUZZ_EXAMPLES`` examples each (default 300; set it to thousands for a long run).
"""

from __future__ import annotations

import os

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.loading import add_quads, server_with

from rtopkg.catalogue import Question
from rtopkg.engines import OxigraphEngine, RdflibEngine, run_question
from rtopkg.errors import InputError, ParameterError
from rtopkg.params import ParamSpec
from rtopkg.remote import RemoteEngine
from rtopkg.terms import to_rdflib

EXAMPLES = int(os.environ.get("RTOPKG_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

EX = "http://example.org/"
NAME = ox.NamedNode(EX + "name")
CANARY = ox.Quad(ox.NamedNode(EX + "canary"), ox.NamedNode(EX + "alive"), ox.Literal("yes"))

HOSTILE = [
    "plain", 'quote " inside', "single ' quote", "back\\slash", "ends with a backslash\\",
    'multi\nline ending in a backslash-quote \\"', "tab\there", "carriage\rreturn", "{braces}", "} ; DROP ALL #",
    '" } ; DROP ALL ; INSERT DATA { <http://example.org/x> <http://example.org/y> "z" } #',
    "'''", '"""', "Mónica Serrano", "Raousseff – “responsibility in protecting”", "\x00nul", "\x1b[31mred",
    "emoji 😀 beyond the BMP", "SERVICE <http://127.0.0.1:1/> { ?s ?p ?o }", "?name", "$name", "<http://example.org/x>",
    "\u2028line separator", " leading and trailing spaces ", "",
]

BY_NAME = Question(
    "by-name", None,
    "PREFIX ex: <http://example.org/>\nSELECT ?item ?name WHERE { ?item ex:name ?name }",
    summary="items with this name", params=(ParamSpec("name", "string"),))
BY_ITEM = Question(
    "by-item", None,
    "PREFIX ex: <http://example.org/>\nSELECT ?item ?name WHERE { ?item ex:name ?name }",
    summary="the name of this item", params=(ParamSpec("item", "iri"),))
CANARY_ASK = "ASK { <http://example.org/canary> <http://example.org/alive> \"yes\" }"


def _data() -> list[ox.Quad]:
    quads = [CANARY]
    for i, value in enumerate(HOSTILE):
        quads.append(ox.Quad(ox.NamedNode(f"{EX}item-{i}"), NAME, ox.Literal(value)))
        # near misses that a pasted or badly escaped value could match instead
        quads.append(ox.Quad(ox.NamedNode(f"{EX}near-{i}"), NAME, ox.Literal(value + "x")))
        quads.append(ox.Quad(ox.NamedNode(f"{EX}upper-{i}"), NAME, ox.Literal(value.upper() + "\\")))
    return quads


class World:
    """The same data in the three engines, with the expected matches kept beside them."""

    def __init__(self, server):
        from rdflib import Graph

        self.store = ox.Store()
        self.graph = Graph()
        self.server = server
        self.expected: dict[str, set[str]] = {}
        self.count = 0
        self.add(_data())
        self.engines = {"oxigraph": OxigraphEngine(self.store), "rdflib": RdflibEngine(self.graph),
                        "remote": RemoteEngine(server.query_url)}

    def add(self, quads: list[ox.Quad]) -> None:
        self.store.extend(quads)
        for q in quads:
            self.graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
            if q.predicate == NAME:
                self.expected.setdefault(q.object.value, set()).add(f"<{q.subject.value}>")
        add_quads(self.server.base, quads)

    def canary_alive(self) -> dict[str, bool]:
        return {name: engine.query(CANARY_ASK, timeout=0 if name != "remote" else 30).boolean
                for name, engine in self.engines.items()}


@pytest.fixture(scope="module")
def world():
    with server_with([]) as server:
        yield World(server)


def _items(result) -> set[str]:
    return {row[0] for row in result.rows}


def _remote_refuses(value: str) -> bool:
    """Values the VALUES serialiser refuses for endpoints (backslash + u: engines disagree on \\u escapes)."""
    import re

    return re.search(r"\\[uU]", value) is not None


ENGINES = ["oxigraph", "rdflib", "remote"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("index", range(len(HOSTILE)), ids=[repr(v)[:30] for v in HOSTILE])
def test_hostile_strings_match_exactly(world, engine, index):
    value = HOSTILE[index]
    result = run_question(BY_NAME, {"name": value}, world.engines[engine], timeout=30)
    assert f"<{EX}item-{index}>" in _items(result)
    assert _items(result) == world.expected[value]
    assert all(row[1] is not None and ox.Literal(value) == _literal(row[1]) for row in result.rows)
    assert world.canary_alive() == {"oxigraph": True, "rdflib": True, "remote": True}


def _literal(text: str) -> ox.Literal:
    from rtopkg.terms import from_nt

    return from_nt(text)


def test_the_hostile_list_ran_in_full():
    assert len(HOSTILE) == 25


def test_a_backslash_u_value_is_refused_remotely_and_exact_locally(world):
    value = "C:\\users\\u0022 } DROP ALL"
    world.add([ox.Quad(ox.NamedNode(EX + "windows-path"), NAME, ox.Literal(value))])
    for name in ("oxigraph", "rdflib"):
        assert _items(run_question(BY_NAME, {"name": value}, world.engines[name], timeout=0)) == {f"<{EX}windows-path>"}
    with pytest.raises(InputError, match="backslash followed by 'u'"):
        run_question(BY_NAME, {"name": value}, world.engines["remote"])
    assert world.canary_alive() == {"oxigraph": True, "rdflib": True, "remote": True}


FRAGMENTS = ['"', "'", "\\", "\n", "\r", "\t", "{", "}", ";", "#", "<", ">", "?", "$", "DROP ALL", "SERVICE",
             '"""', "'''", "\\u0022", "\\n", "\x00", "\x7f", "\u0085", "\u2028", "é", "ñ", "😀", " ", ")", "(", "."]
HOSTILE_TEXT = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=8).map("".join)


@FUZZ
@given(value=HOSTILE_TEXT)
def test_generated_strings_match_exactly_everywhere(world, value):
    world.count += 1
    subject = ox.NamedNode(f"{EX}fuzz-{world.count}")
    world.add([ox.Quad(subject, NAME, ox.Literal(value))])
    expected = world.expected[value]
    for name in ENGINES:
        if name == "remote" and _remote_refuses(value):
            with pytest.raises(InputError, match="backslash followed by 'u'"):
                run_question(BY_NAME, {"name": value}, world.engines[name])
            continue
        result = run_question(BY_NAME, {"name": value}, world.engines[name], timeout=0 if name != "remote" else 30)
        assert _items(result) == expected, name
    # the canary is checked on every tenth example (and at the end, below)
    if world.count % 10 == 0:
        assert world.canary_alive() == {"oxigraph": True, "rdflib": True, "remote": True}


IRI_TEXT = st.one_of(
    st.text(max_size=30),
    st.lists(st.sampled_from(["http://example.org/", "a", "é", "%20", " ", "<", ">", '"', "{", "}", "|", "^", "`",
                              "\\", "\n", "#", "?", "=", "&", "'", "(", ")", "ñ", "😀", ":", "/"]),
             min_size=1, max_size=10).map("".join),
)


@FUZZ
@given(raw=IRI_TEXT)
def test_generated_iris_are_refused_or_match_exactly_everywhere(world, raw):
    from rtopkg.params import parse_value

    try:
        term = parse_value(BY_ITEM.params[0], raw)
    except ParameterError:
        return
    world.count += 1
    world.add([ox.Quad(term, NAME, ox.Literal(f"iri {world.count}"))])
    for name in ENGINES:
        result = run_question(BY_ITEM, {"item": raw}, world.engines[name], timeout=0 if name != "remote" else 30)
        assert {row[0] for row in result.rows} == {f"<{term.value}>"}, name


TYPED = Question(
    "typed", None,
    "PREFIX ex: <http://example.org/>\nSELECT ?item ?value WHERE { ?item ex:typed ?value }",
    summary="items with this typed value", params=(ParamSpec("value", "string"),))


@pytest.mark.parametrize("kind, raw, datatype", [("date", "2012-04-30", "date"), ("year", "2012", "gYear"),
                                                 ("integer", "+035", "integer")])
def test_typed_values_match_the_typed_literal_only(world, kind, raw, datatype):
    from rtopkg.terms import XSD

    canonical = str(int(raw)) if kind == "integer" else raw
    typed = ox.Literal(canonical, datatype=ox.NamedNode(XSD + datatype))
    world.add([ox.Quad(ox.NamedNode(f"{EX}typed-{kind}"), ox.NamedNode(EX + "typed"), typed),
               ox.Quad(ox.NamedNode(f"{EX}plain-{kind}"), ox.NamedNode(EX + "typed"), ox.Literal(canonical))])
    question = Question("typed", None, TYPED.text, summary="typed", params=(ParamSpec("value", kind),))
    for name in ENGINES:
        result = run_question(question, {"value": raw}, world.engines[name], timeout=0 if name != "remote" else 30)
        assert _items(result) == {f"<{EX}typed-{kind}>"}, name
    with pytest.raises(ParameterError):
        run_question(question, {"value": raw + "x"}, world.engines["oxigraph"])


def test_the_canary_survived_everything(world):
    assert world.count > 0
    assert world.canary_alive() == {"oxigraph": True, "rdflib": True, "remote": True}
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    totals = {name: engine.query(count, timeout=30).rows[0][0] for name, engine in world.engines.items()}
    assert len(set(totals.values())) == 1, totals  # nothing was added or dropped behind anyone's back
