"""Typed parameters: what each type accepts, the one-line errors for what it refuses, and the terms made.

The property tests run ``RTOPKG_FUZZ_EXAMPLES`` examples each (default 300).
"""

from __future__ import annotations

import datetime as dt
import os
import re

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtopkg.errors import ParameterError
from rtopkg.params import ParamSpec, bind_parameters, parse_assignments, parse_untyped, parse_value
from rtopkg.terms import XSD, TermError, check_iri, from_nt, to_nt, to_sparql

EXAMPLES = int(os.environ.get("RTOPKG_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DATE = ParamSpec("when", "date")
YEAR = ParamSpec("year", "year")
INTEGER = ParamSpec("n", "integer")
STRING = ParamSpec("name", "string")
ACTOR = ParamSpec("actor", "iri", prefix="actor")
IRI = ParamSpec("thing", "iri")
WHERE = "question 'test'"


def literal(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


# ------------------------------------------------------------------------------------------------------------
# Dates, years, integers
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["2012-04-30", "2000-02-29", "0001-01-01", "9999-12-31"])
def test_valid_dates(raw):
    assert parse_value(DATE, raw) == literal(raw, "date")


@pytest.mark.parametrize("raw, reason", [
    ("2012-13-40", "month 13 is out of range"),
    ("2012-02-30", "day 30 is out of range for 2012-02"),
    ("2011-02-29", "day 29 is out of range for 2011-02"),
    ("2012-4-30", "expected YYYY-MM-DD"),
    ("30/04/2012", "expected YYYY-MM-DD"),
    ("2012-04-30T00:00:00", "expected YYYY-MM-DD"),
    (" 2012-04-30", "expected YYYY-MM-DD"),
    ("2012-04-30\n", "expected YYYY-MM-DD"),
    ("", "expected YYYY-MM-DD"),
])
def test_invalid_dates_are_refused_with_a_clear_message(raw, reason):
    with pytest.raises(ParameterError) as caught:
        parse_value(DATE, raw, where=WHERE)
    message = caught.value.message
    assert message.startswith(f"{WHERE}, parameter 'when': ")
    assert reason in message
    assert "\n" not in message


def test_year_and_integer():
    assert parse_value(YEAR, "2012") == literal("2012", "gYear")
    assert parse_value(INTEGER, "+035") == literal("35", "integer")
    assert parse_value(INTEGER, "-7") == literal("-7", "integer")
    for bad in ("12", "20121", "MMXII", "0000"):
        with pytest.raises(ParameterError, match="not a year"):
            parse_value(YEAR, bad)
    for bad in ("3.5", "1e3", "", "35 ", "٣٥"):
        with pytest.raises(ParameterError, match="not a whole number"):
            parse_value(INTEGER, bad)


@FUZZ
@given(st.integers(min_value=0, max_value=10000), st.integers(min_value=0, max_value=14),
       st.integers(min_value=0, max_value=33))
def test_dates_are_accepted_exactly_when_they_are_calendar_days(year, month, day):
    raw = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        dt.date(year, month, day)
        valid = len(str(year)) <= 4
    except ValueError:
        valid = False
    if valid:
        assert parse_value(DATE, raw) == literal(raw, "date")
    else:
        with pytest.raises(ParameterError):
            parse_value(DATE, raw)


@FUZZ
@given(st.text(max_size=14))
def test_random_text_is_a_date_only_when_it_is_one(raw):
    try:
        term = parse_value(DATE, raw)
    except ParameterError:
        return
    assert re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw)
    dt.date.fromisoformat(raw)
    assert term.value == raw


# ------------------------------------------------------------------------------------------------------------
# IRIs
# ------------------------------------------------------------------------------------------------------------

ACTOR_NS = "https://w3id.org/rtopkg/id/actor/"


@pytest.mark.parametrize("raw, iri", [
    ("oas", ACTOR_NS + "oas"),
    ("inter-american-court-of-human-rights", ACTOR_NS + "inter-american-court-of-human-rights"),
    ("actor:iachr", ACTOR_NS + "iachr"),
    ("person:monica-serrano", "https://w3id.org/rtopkg/id/person/monica-serrano"),
    ("rto:Organ", "https://w3id.org/rtopkg/ontology#Organ"),
    ("<https://example.org/a?b=c#d>", "https://example.org/a?b=c#d"),
    ("https://example.org/Mónica", "https://example.org/Mónica"),
    ("urn:isbn:978-0-465-06151-0", "urn:isbn:978-0-465-06151-0"),
])
def test_iris_accepted(raw, iri):
    assert parse_value(ACTOR, raw) == ox.NamedNode(iri)


@pytest.mark.parametrize("raw, reason", [
    ("organization of american states", "contains a space"),
    ("oas\n", "contains a line break"),
    ("oas\x00", "control character U+0000"),
    ("actor:oas\t", "contains a tab"),
    ("<https://example.org/a b>", "contains a space"),
    ("<https://example.org/a>b>", "contains '>'"),
    ('actor:o"as', "contains '\"'"),
    ("actor:{oas}", "contains '{'"),
    ("https://example.org/a\\b", "contains '\\\\'"),
    ("acter:oas", "unknown prefix 'acter:'"),
    ("<relative/path>", "not an absolute IRI"),
    ("", "it is empty"),
    ("-oas", "is not a name in actor:"),
])
def test_iris_refused(raw, reason):
    with pytest.raises(ParameterError) as caught:
        parse_value(ACTOR, raw, where=WHERE)
    assert reason in caught.value.message
    assert caught.value.message.startswith(f"{WHERE}, parameter 'actor': ")


def test_a_bare_name_needs_a_declared_prefix():
    with pytest.raises(ParameterError, match="prefixed name such as actor:oas"):
        parse_value(IRI, "oas")


@FUZZ
@given(st.text(max_size=40))
def test_an_accepted_iri_is_always_safe_to_write(raw):
    try:
        term = parse_value(ACTOR, raw)
    except ParameterError as exc:
        assert "\n" not in exc.message
        return
    check_iri(term.value)
    text = to_sparql(term)
    assert from_nt(text) == term  # it parses back to exactly the same IRI
    assert not re.search(r"[\x00-\x20<>\"{}|^`\\]", term.value)


# ------------------------------------------------------------------------------------------------------------
# Strings
# ------------------------------------------------------------------------------------------------------------

HOSTILE = ['quote " inside', "back\\slash", "ends with a backslash\\", 'multi\nline ending \\"', "tab\there",
           "{braces}", "} ; DROP ALL #", "Mónica Serrano", "'''", '"""', "\x00\x1b[31m", "😀", ""]


@pytest.mark.parametrize("raw", HOSTILE)
def test_strings_are_kept_verbatim(raw):
    term = parse_value(STRING, raw)
    assert term == ox.Literal(raw)
    assert from_nt(to_nt(term)) == term


def test_language_tagged_string_parameter():
    assert parse_value(ParamSpec("label", "string", lang="es"), "Fundación") == ox.Literal("Fundación", language="es")


def test_lone_surrogates_are_refused():
    with pytest.raises(ParameterError, match="lone surrogate"):
        parse_value(STRING, "a\ud800b")


def test_backslash_u_cannot_be_sent_to_an_endpoint_but_is_a_fine_local_value():
    term = parse_value(STRING, "C:\\users")
    assert term.value == "C:\\users"
    with pytest.raises(TermError, match="backslash followed by 'u'"):
        to_sparql(term)


# ------------------------------------------------------------------------------------------------------------
# Binding a question's parameters
# ------------------------------------------------------------------------------------------------------------

SPECS = (ParamSpec("actor", "iri", default="actor:oas", prefix="actor"),
         ParamSpec("year", "year", example="2012"),
         ParamSpec("name", "string", optional=True))


def test_defaults_examples_and_optional_parameters():
    assert bind_parameters(SPECS, {"year": "2013"}, where=WHERE) == {
        "actor": ox.NamedNode(ACTOR_NS + "oas"), "year": literal("2013", "gYear")}
    assert bind_parameters(SPECS, {}, use_examples=True)["year"] == literal("2012", "gYear")
    with pytest.raises(ParameterError, match=r"question 'test' needs parameter 'year' \(year\), e.g. -p year=2012"):
        bind_parameters(SPECS, {}, where=WHERE)
    with pytest.raises(ParameterError, match=r"has no parameter 'colour' \(parameters: actor, year, name\)"):
        bind_parameters(SPECS, {"colour": "red", "year": "2012"}, where=WHERE)


def test_assignments():
    assert parse_assignments(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    for bad, reason in (("novalue", "not name=value"), ("a b=1", "not a parameter name"), ("=1", "not a parameter")):
        with pytest.raises(ParameterError, match=reason):
            parse_assignments([bad])
    with pytest.raises(ParameterError, match="given twice"):
        parse_assignments(["a=1", "a=2"])


@pytest.mark.parametrize("raw, term", [
    ("actor:oas", ox.NamedNode(ACTOR_NS + "oas")),
    ("<https://example.org/x>", ox.NamedNode("https://example.org/x")),
    ('"2012"^^xsd:gYear', literal("2012", "gYear")),
    ('"2012"^^<http://www.w3.org/2001/XMLSchema#gYear>', literal("2012", "gYear")),
    ('"Fundación"@es', ox.Literal("Fundación", language="es")),
    ("just text: with a colon", ox.Literal("just text: with a colon")),
    ("2012", ox.Literal("2012")),
])
def test_untyped_values_of_ad_hoc_queries(raw, term):
    assert parse_untyped("p", raw) == term
