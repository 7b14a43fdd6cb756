"""Question-specific tests of the catalogue of stored analyst questions (``queries/*.rq``).

The golden-answer harness (``tests/test_catalogue.py``) runs every question once, with its defaults. These tests
go further, question by question:

* **parameter variants**: a question asked about something other than its default gives the rows the source
  supports (each expectation below cites the line of ``data/sources/icrtop-americas.txt`` it comes from), and
  gives the same rows whether the parameters are bound by Oxigraph substitution, by rdflib ``initBindings``
  or as a ``VALUES`` block sent to a real Oxigraph server;
* **the closure**: each question that declares reasoning is run with and without it, and the closure is what
  makes the difference (a superclass, an inverse, a sub-property, a transitive organ-of relation);
* **the date semantics** of the timeline and of memberships on a date (a year or a month stands for all its
  days);
* **asking in words**: ``rtopkg ask`` picks the right question for several phrasings, fills its parameter with
  the resource named, and says when nothing matches.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from pathlib import Path

import pytest
from support.loading import file_quads, server_with

from rtopkg.catalogue import golden_path, load_catalogue, parse_question
from rtopkg.cli import cli
from rtopkg.engines import OxigraphEngine, RdflibEngine, run_question
from rtopkg.paths import project
from rtopkg.prefixes import shorten
from rtopkg.remote import RemoteEngine
from rtopkg.results import comparable_rows, read_tsv
from rtopkg.terms import from_nt

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
#: The catalogue answers issue 5: at least 30 questions.
MIN_QUESTIONS = 30


def question(name: str):
    return parse_question(QUERIES / f"{name}.rq")


def cell(value: str | None) -> str | None:
    """A result cell as a reader writes it: ``actor:oas`` for IRIs, the lexical form for literals."""
    if value is None:
        return None
    if value.startswith("<"):
        return shorten(value[1:-1])
    return from_nt(value).value


def column(result, name: str) -> list[str | None]:
    return [cell(value) for value in result.column(name)]


def pairs(result, first: str, second: str) -> set[tuple]:
    return set(zip(column(result, first), column(result, second)))


# ------------------------------------------------------------------------------------------------------------
# Engines: Oxigraph in process (substitution), rdflib (initBindings), a real Oxigraph server (VALUES)
# ------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def local():
    return {"oxigraph": OxigraphEngine.project(), "rdflib": RdflibEngine.project()}


@pytest.fixture(scope="module")
def servers():
    """Real Oxigraph servers: the project's graph, and the graph with its rules closure."""
    with contextlib.ExitStack() as stack:
        running: dict = {None: stack.enter_context(server_with(file_quads(project().graph_files())))}

        def get(profile: str | None):
            if profile not in running:
                from rtopkg.load import load_project_store
                from rtopkg.reason import materialise_store

                closure = materialise_store(load_project_store(), profile)
                running[profile] = stack.enter_context(server_with(list(closure)))
            return running[profile]

        yield get


def answer_everywhere(name: str, params: dict, local, servers):
    """The answer of every engine; fails unless all three give the same rows (in order when ordered)."""
    q = question(name)
    results = {engine: run_question(q, params, local[engine], timeout=300) for engine in ("oxigraph", "rdflib")}
    results["server"] = run_question(q, params, RemoteEngine(servers(q.reasoning).query_url), timeout=300)
    reference = comparable_rows(results["oxigraph"], q.ordered)
    for engine, result in results.items():
        assert result.variables == results["oxigraph"].variables, engine
        assert comparable_rows(result, q.ordered) == reference, f"{name} {params}: {engine} differs from oxigraph"
    return results["oxigraph"]


# ------------------------------------------------------------------------------------------------------------
# The catalogue as a whole
# ------------------------------------------------------------------------------------------------------------


def test_the_catalogue_has_at_least_30_questions_each_with_a_golden_answer_with_rows():
    questions = load_catalogue(QUERIES)
    assert len(questions) >= MIN_QUESTIONS
    for q in questions:
        golden = read_tsv(golden_path(q))
        assert golden.rows, f"{q.name}: its golden answer has no rows"
        assert q.summary.endswith("?") or "?" in q.summary, f"{q.name}: the summary is the question in words"
        assert len(q.tags) >= 3, f"{q.name}: tags are what analysts type to 'rtopkg ask'"


def test_every_parameter_is_typed_with_a_default_an_example_and_a_description():
    checked = 0
    types = Counter()
    for q in load_catalogue(QUERIES):
        for spec in q.params or ():
            assert spec.default is not None, f"{q.name}: {spec.name} has no default"
            assert spec.example is not None, f"{q.name}: {spec.name} has no example"
            assert spec.description, f"{q.name}: {spec.name} has no description"
            types[spec.type] += 1
            checked += 1
    assert checked >= 20
    assert set(types) == {"iri", "string", "date", "year", "integer"}, types


def test_every_question_answers_its_example_too(local):
    """A parameter's example is a value worth asking about: it must give rows as well."""
    checked = 0
    for q in load_catalogue(QUERIES):
        examples = {spec.name: spec.example for spec in q.params or () if spec.example != spec.default}
        if not examples:
            continue
        result = run_question(q, examples, local["oxigraph"], timeout=300)
        assert result.rows, f"{q.name} {examples}: no rows"
        checked += 1
    assert checked >= 15


def test_the_closure_questions_declare_it():
    declared = {q.name for q in load_catalogue(QUERIES) if q.reasoning}
    assert {"actors-by-kind", "organisation-bodies", "events-by-kind", "pillar-ties"} <= declared


# ------------------------------------------------------------------------------------------------------------
# Parameter variants, checked against the source, on the three engines
# ------------------------------------------------------------------------------------------------------------

US_BODIES = {  # line 33 (the APB and the members of its committee), 35, 37, 41, 72
    "actor:apb", "actor:cia", "actor:obama-administration", "actor:us-department-of-defense",
    "actor:us-department-of-homeland-security", "actor:us-department-of-justice", "actor:us-department-of-state",
    "actor:us-department-of-the-treasury", "actor:us-house-of-representatives", "actor:us-intelligence-community",
    "actor:us-joint-staff", "actor:us-mission-to-the-un", "actor:us-national-security-council",
    "actor:us-office-of-the-vice-president", "actor:us-office-of-war-crimes-issues", "actor:usaid",
    "actor:white-house",
}


def test_organisation_bodies_of_the_united_states_at_any_depth(local, servers):
    result = answer_everywhere("organisation-bodies", {"organisation": "united-states"}, local, servers)
    assert set(column(result, "body")) == US_BODIES
    # line 37: the Department of State established the Office of War Crimes Issues; line 35: "The White House
    # National Security Council"
    assert ("actor:us-office-of-war-crimes-issues", "actor:us-department-of-state") in pairs(result, "body", "partOf")
    assert ("actor:us-national-security-council", "actor:white-house") in pairs(result, "body", "partOf")


def test_organisation_bodies_of_sica_are_its_three_organs(local, servers):
    # line 18: "SICA includes three separate organs: the Central American Court of Justice (CCJ), the Central
    # American Parliament (PARLACEN) and the Secretariat General of the Central American Integration system"
    result = answer_everywhere("organisation-bodies", {"organisation": "sica"}, local, servers)
    assert sorted(column(result, "body")) == [
        "actor:central-american-court-of-justice", "actor:parlacen", "actor:secretariat-general-of-sica"]


def test_organisation_bodies_of_the_oas_leave_out_what_is_only_listed_beside_it(local, servers):
    # line 15 lists SICA and the Inter-American Institute of Human Rights among "Other relevant bodies in the
    # OAS"; the graph keeps that listing as claims it does not assert, so they are not organs of the OAS.
    result = answer_everywhere("organisation-bodies", {"organisation": "actor:oas"}, local, servers)
    bodies = set(column(result, "body"))
    assert {"actor:iachr", "actor:inter-american-court-of-human-rights", "actor:inter-american-commission-on-women",
            "actor:committee-on-juridical-and-political-affairs"} <= bodies
    assert not bodies & {"actor:sica", "actor:inter-american-institute-of-human-rights"}


def test_actors_by_country_canada(local, servers):
    # line 10: DFAIT and "then-Minister of Foreign Affairs Lloyd Axworthy"; line 25: "Canada's All-Party
    # Parliamentary Group"
    result = answer_everywhere("actors-by-country", {"country": "canada"}, local, servers)
    assert pairs(result, "actor", "tie") == {
        ("actor:dfait", "org:unitOf"), ("actor:genocide-prevention-group", "rto:basedIn"),
        ("post:canada-minister-of-foreign-affairs", "org:postIn")}


def test_actors_by_country_names_the_outside_knowledge_a_tie_rests_on(local, servers):
    # lines 84-86: the Coalition's address is in "New York, NY 10017"; that New York lies in the United States
    # is outside knowledge, so the row names the external claim.
    result = answer_everywhere("actors-by-country", {"country": "united-states"}, local, servers)
    rows = {(cell(r[1]), cell(r[3]), cell(r[4])) for r in result.rows}
    assert ("actor:icrtop", "place:new-york", "claim:new-york-in-united-states") in rows
    assert US_BODIES <= set(column(result, "actor"))
    assert all(claim is None for actor, via, claim in rows if actor != "actor:icrtop")


def test_members_of_the_r2p_focal_points_initiative(local, servers):
    # line 23: "Argentina, Costa Rica, Guatemala, United States, Uruguay - R2P Focal Points Initiative:"; line 24:
    # "In 2010, the governments of Denmark and Ghana established ... in collaboration with ... The Global Centre
    # ... In the three years since, Australia and Costa Rica have joined as co-facilitators"
    result = answer_everywhere("members", {"organisation": "r2p-focal-points-initiative"}, local, servers)
    assert pairs(result, "member", "role") == {
        ("actor:argentina", "role:focal-point"), ("actor:costa-rica", "role:focal-point"),
        ("actor:guatemala", "role:focal-point"), ("actor:united-states", "role:focal-point"),
        ("actor:uruguay", "role:focal-point"), ("actor:denmark", "role:founder"), ("actor:ghana", "role:founder"),
        ("actor:gcr2p", "role:partner"), ("actor:australia", "role:co-facilitator"),
        ("actor:costa-rica", "role:co-facilitator")}
    began = {member: value for member, value in zip(column(result, "member"), column(result, "began")) if value}
    assert began == {"actor:denmark": "2010", "actor:ghana": "2010", "actor:gcr2p": "2010"}


def test_person_affiliations_of_andres_serbin(local, servers):
    # line 55: "Dr. Andrés Serbin, Director of the journal, Chair of ICRtoP and Executive President of CRIES"
    result = answer_everywhere("person-affiliations", {"person": "andres-serbin"}, local, servers)
    assert pairs(result, "organisation", "role") == {
        ("actor:cries", "role:director"), ("actor:icrtop", "role:chair"), ("actor:cries", "role:executive-president")}
    assert "post:pensamiento-propio-director" in column(result, "position")


def test_mandates_of_type_early_warning_are_only_potentials(local, servers):
    # line 18: "all three of these bodies have potential for encouraging the implementation of human rights and
    # early warning mechanisms" (CARICOM, SICA, UNASUR)
    result = answer_everywhere("mandates-of-type", {"type": "early-warning"}, local, servers)
    assert pairs(result, "body", "modality") == {
        ("actor:caricom", "modality:potential"), ("actor:sica", "modality:potential"),
        ("actor:unasur", "modality:potential")}


def test_mandates_of_type_prevention_include_the_narrower_early_warning(local, servers):
    result = answer_everywhere("mandates-of-type", {"type": "prevention"}, local, servers)
    matched = Counter(column(result, "matchedType"))
    assert matched["mtype:early-warning"] == 3 and matched["mtype:prevention"] > 3
    assert "modality:absent" not in column(result, "modality")
    # line 33: the APB "would ensure that the prevention of mass atrocities would be considered a 'core national
    # security interest ...'": stated; line 14: the OAS bodies' preventive work is "an avenue where ... can be advanced"
    assert ("actor:apb", "modality:stated") in pairs(result, "body", "modality")
    assert ("actor:iachr", "modality:potential") in pairs(result, "body", "modality")
    assert ("actor:iachr", "modality:stated") not in pairs(result, "body", "modality")


def test_actor_mandates_of_the_oas_include_its_organs(local, servers):
    result = answer_everywhere("actor-mandates", {"actor": "oas"}, local, servers)
    holders = set(column(result, "holder"))
    assert {"actor:oas", "actor:iachr", "actor:inter-american-court-of-human-rights"} <= holders
    # line 9: "there remain no provisions in regional mechanisms that address responses to cases of genocide"
    assert ("mandate:oas-atrocity-response-absent", "modality:absent") in pairs(result, "mandate", "modality")


def test_events_by_place_poland_names_the_outside_knowledge(local, servers):
    # line 52: "In June 2013, the first of these seminars took place in Poland, which included two guided visits
    # of the camps Auschwitz I and Birkenau": that the camps lie in Poland is outside knowledge
    result = answer_everywhere("events-by-place", {"place": "poland"}, local, servers)
    assert {(cell(r[1]), cell(r[6])) for r in result.rows} == {
        ("event:lemkin-seminar-2013-06-poland", None),
        ("event:lemkin-seminar-2013-06-auschwitz-i-visit", "claim:auschwitz-i-in-poland"),
        ("event:lemkin-seminar-2013-06-birkenau-visit", "claim:birkenau-in-poland")}


def test_events_by_place_buenos_aires(local, servers):
    # line 52: the second seminar "in November 2013, in Buenos Aires" and the next "in Buenos Aires, Argentina in
    # June 2014"; line 65: the roundtable "in Buenos Aires on 31 March – 1 April 2008"
    result = answer_everywhere("events-by-place", {"place": "place:buenos-aires"}, local, servers)
    assert column(result, "event") == ["event:icrtop-buenos-aires-roundtable-2008",
                                       "event:lemkin-seminar-2013-11-buenos-aires",
                                       "event:lemkin-seminar-2014-06-buenos-aires"]


def test_events_by_organiser_united_states_goes_through_its_bodies(local, servers):
    result = answer_everywhere("events-by-organiser", {"organiser": "united-states"}, local, servers)
    organised = pairs(result, "event", "organisedBy")
    # line 41: "On 10 June 2009 the House of Representatives passed H.R.2410"; line 11: the State Department
    # "worked with the Kenyan government"; line 37: the Department of State established the Office
    assert ("event:hr-2410-passage", "actor:us-house-of-representatives") in organised
    assert ("event:kenya-2010-diplomacy", "actor:us-department-of-state") in organised
    assert ("event:office-of-war-crimes-issues-establishment", "actor:us-department-of-state") in organised
    assert all(by in US_BODIES for _, by in organised)


def test_publications_in_portuguese(local, servers):
    # line 54: the report "in Englishand Portuguese" and the book "again in both Englishand Portuguese"
    result = answer_everywhere("publications-by-language", {"language": "pt"}, local, servers)
    assert set(column(result, "work")) == {"work:igarape-institute-book-on-rtop",
                                           "work:implementing-the-responsibility-to-protect"}


def test_publications_in_2011(local, servers):
    # line 59: the conference report "published on 25 May 2011"; line 16 and 59: Ramcharan's paper, 2011; line
    # 60: the GR2P article of 2011; line 28: the concept note of 9 November 2011; line 72: the brief of 20 December
    result = answer_everywhere("publications-in-year", {"year": "2011"}, local, servers)
    assert set(column(result, "work")) == {
        "work:enhancing-the-responsibility-to-protect-in-latin-america-and-the-caribbean",
        "work:global-responsibility-to-protect-3-3",
        "work:the-relevance-of-the-responsibility-to-protect-for-latin-america-and-the-caribbean-region",
        "work:role-of-regional-and-sub-regional-arrangements-conference-report",
        "work:responsibility-while-protecting-concept-note",
        "work:structuring-the-us-government-to-prevent-atrocities"}
    assert all(value.startswith("2011") for value in column(result, "released"))


def test_publications_by_an_organisation_as_author(local, servers):
    # line 66: "CRIES published Paz, Conflicto y Sociedad Civil en America Latina y el Caribe in 2007"
    result = answer_everywhere("publications-by-author", {"author": "actor:cries"}, local, servers)
    assert column(result, "work") == ["work:paz-conflicto-y-sociedad-civil-en-america-latina-y-el-caribe"]
    assert column(result, "released") == ["2007"]


def test_event_participants_with_the_reported_attendance(local, servers):
    # line 54: "Approximately 80 policy makers, practitioners, scholars and advocates participated in the event"
    result = answer_everywhere("event-participants", {"event": "igarape-rtop-event-2012-11"}, local, servers)
    assert ("80", "about") in pairs(result, "number", "qualifier")
    assert ("rto:organiser", "actor:igarape-institute") in pairs(result, "role", "actor")


def test_quotes_on_line_33_are_on_line_33(local, servers, source_text):
    result = answer_everywhere("quotes-on-line", {"line": "33"}, local, servers)
    line = source_text.split("\n")[32]
    from rtopkg.quotes import fold

    quotes = set(column(result, "quote"))
    assert "In April 2012, U.S. President Obama created the Atrocities Prevention Board (APB)" in quotes
    assert all(fold(quote) in fold(line) for quote in quotes)
    assert "actor:apb" in column(result, "resource")


def test_search_names_finds_the_sources_misspelling(local, servers):
    # line 77: "hosted the Canada Civil Society Roundtable in Ottowa"
    result = answer_everywhere("search-names", {"text": "ottowa"}, local, servers)
    assert {(cell(r[1]), cell(r[3])) for r in result.rows} == {("place:ottawa", "skos:hiddenLabel")}


@pytest.mark.parametrize("text", [pytest.param('"} ?s ?p ?o {', id="sparql"),
                                  pytest.param("Ott'owa\n", id="quote-newline")])
def test_search_names_binds_hostile_text_as_a_literal(text, local, servers):
    result = answer_everywhere("search-names", {"text": text}, local, servers)
    assert result.rows == []


def test_evidence_keeps_outside_knowledge_apart(local, servers):
    # the source never expands "OAS": the full name comes from outside knowledge, shown once, as its claim
    result = answer_everywhere("evidence", {"resource": "oas"}, local, servers)
    full_name = [row for row in result.rows if cell(row[3]) == "Organization of American States"]
    assert full_name and {(cell(r[4]), cell(r[5])) for r in full_name} == {("claim:oas-full-name", "basis:external")}
    # line 15: "The human rights protection system of the OAS includes the Inter-American Commission on Human
    # Rights (IACHR)": the statement that the IACHR is an organ of the OAS is backed by a quote of line 15
    backing = {cell(r[6]) for r in result.rows if (cell(r[1]), cell(r[2])) == ("actor:iachr", "org:unitOf")}
    assert "15" in backing


def test_evidence_for_the_apb_shows_both_dates_of_its_creation(local, servers):
    # line 33: "In April 2012, U.S. President Obama created the Atrocities Prevention Board (APB)"; line 72: "the
    # Atrocities Prevention Board (APB) established by the Obama administration in August 2011"
    result = answer_everywhere("evidence", {"resource": "apb"}, local, servers)
    claimed = {(cell(r[3]), cell(r[6])) for r in result.rows if cell(r[2]) == "schema:startDate"}
    assert ("2012-04", "33") in claimed and ("2011-08", "72") in claimed


# ------------------------------------------------------------------------------------------------------------
# Dates at their precision
# ------------------------------------------------------------------------------------------------------------


def test_timeline_a_day_overlaps_the_year_and_the_month_that_contain_it(local, servers):
    result = answer_everywhere("timeline", {"from": "2012-04-30", "to": "2012-04-30"}, local, servers)
    rows = {(cell(r[5]), cell(r[2]), cell(r[7])) for r in result.rows}
    # line 33: "In April 2012" (one of the APB's two dates); line 21: "including Argentina in 2012"
    assert ("event:apb-establishment", "2012-04", "claim:apb-establishment-2012-04") in rows
    assert ("event:argentina-national-mechanism-establishment", "2012", None) in rows
    # line 45: the Network's launch "in March 2012" does not reach 30 April
    assert "event:latin-american-network-launch" not in column(result, "event")


def test_timeline_shows_a_disputed_event_at_each_claimed_date(local, servers):
    # line 72: "established by the Obama administration in August 2011"
    result = answer_everywhere("timeline", {"from": "2011-08-01", "to": "2011-08-31"}, local, servers)
    assert ("event:apb-establishment", "claim:apb-establishment-2011-08") in pairs(result, "event", "claim")
    assert set(column(result, "precision")) <= {"prec:year", "prec:disputed"}


def test_timeline_ranges_and_end_only_dates(local, servers):
    result = answer_everywhere("timeline", {"from": "2008-01-01", "to": "2008-06-30"}, local, servers)
    events = column(result, "event")
    # line 11: "from 2001 to the end of the Presidency of George W. Bush in 2008"
    assert "event:us-drift-from-the-un-2001-2008" in events and "event:george-w-bush-presidency" in events
    # line 77: "on 7 March 2008"; line 65: "31 March – 1 April 2008"
    assert {"event:canada-civil-society-roundtable-2008", "event:icrtop-buenos-aires-roundtable-2008"} <= set(events)
    # line 78: the task force report of December 2008 falls after the period
    assert "event:genocide-prevention-task-force-report-release" not in events
    firsts = [value for value in column(result, "start") if value]
    assert firsts == sorted(firsts, key=lambda v: (v + "-01-01")[:10])


def test_timeline_of_an_empty_period(local):
    result = run_question(question("timeline"), {"from": "1990-01-01", "to": "1990-12-31"}, local["oxigraph"])
    assert result.rows == []


@pytest.mark.parametrize("day, expected, absent", [
    # line 49: "founding Executive Director of the Global Centre for the Responsibility to Protect (2008-11)"
    pytest.param("2009-06-30", {("person:monica-serrano", "inside")}, set(), id="serrano-inside"),
    pytest.param("2011-06-30", {("person:monica-serrano", "boundary")}, set(), id="serrano-last-year"),
    pytest.param("2012-06-30", set(), {"person:monica-serrano"}, id="serrano-gone"),
    # line 78: "launched in November 2007 and jointly convened by"
    pytest.param("2007-11-30", {("actor:usip", "boundary")}, set(), id="convener-launch-month"),
    pytest.param("2007-12-01", {("actor:usip", "inside")}, set(), id="convener-after"),
    pytest.param("2007-10-31", set(), {"actor:usip"}, id="convener-before"),
    # line 10: ICISS "launched on 14 September 2000, formed under the sponsorship of the government of Canada"
    pytest.param("2000-09-14", {("actor:canada", "inside")}, set(), id="sponsor-on-the-day"),
    pytest.param("2000-09-13", set(), {"actor:canada"}, id="sponsor-the-day-before"),
    # line 24: "In the three years since [2010], Australia and Costa Rica have joined as co-facilitators"
    pytest.param("2013-06-30", {("actor:australia", "as-of"), ("actor:costa-rica", "as-of")}, set(),
                 id="co-facilitators"),
    pytest.param("2014-01-01", set(), {"actor:australia", "actor:costa-rica"}, id="co-facilitators-after"),
])
def test_memberships_on_a_date(day, expected, absent, local, servers):
    result = answer_everywhere("memberships-on-date", {"date": day}, local, servers)
    found = pairs(result, "member", "match")
    assert expected <= found
    assert not {member for member, _ in found} & absent
    assert all(match in ("inside", "boundary", "as-of") for _, match in found)
    assert set(column(result, "date")) <= {day}


def test_memberships_on_a_date_before_any(local):
    result = run_question(question("memberships-on-date"), {"date": "1999-01-01"}, local["oxigraph"])
    assert result.rows == []


# ------------------------------------------------------------------------------------------------------------
# The closure: with and without it
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_organisation_bodies_need_inverse_subproperty_and_transitivity(engine, local):
    q = question("organisation-bodies")
    without = run_question(q, {"organisation": "united-states"}, local[engine], reason="none")
    assert without.rows == []
    with_it = run_question(q, {"organisation": "united-states"}, local[engine])
    # the Office of War Crimes Issues is a body of the United States directly and through the State Department
    assert ("actor:us-office-of-war-crimes-issues", "actor:us-department-of-state") in pairs(with_it, "body", "partOf")


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_actors_by_kind_of_a_superclass_needs_the_subclass_closure(engine, local):
    q = question("actors-by-kind")
    assert run_question(q, {"kind": "rto:Actor"}, local[engine], reason="none").rows == []
    every = run_question(q, {"kind": "rto:Actor"}, local[engine])
    kinds = Counter(column(every, "actorKind"))
    assert {"rto:State", "rto:Person", "rto:Organ", "rto:Network", "rto:ArmedGroup"} <= set(kinds)
    # an actor kind itself needs no closure: the same civil-society organisations either way
    plain = run_question(q, {}, local[engine], reason="none")
    assert comparable_rows(plain, q.ordered) == comparable_rows(run_question(q, {}, local[engine]), q.ordered)
    assert kinds["rto:CivilSocietyOrganisation"] == len(plain.rows)


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_events_by_kind_meeting_needs_the_subclass_closure(engine, local):
    q = question("events-by-kind")
    assert run_question(q, {}, local[engine], reason="none").rows == []
    meetings = run_question(q, {}, local[engine])
    kinds = set(column(meetings, "eventKind"))
    assert {"rto:Conference", "rto:Seminar", "rto:Roundtable", "rto:Forum", "rto:Panel", "rto:Course"} <= kinds
    assert "rto:Meeting" not in kinds and "rto:PublicationRelease" not in kinds
    seminars = run_question(q, {"kind": "Seminar"}, local[engine], reason="none")
    assert len(seminars.rows) == 4  # lines 52 (2008, June 2013, November 2013, June 2014)


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_pillar_ties_through_events_need_the_subproperty_closure(engine, local):
    q = question("pillar-ties")
    assert run_question(q, {}, local[engine], reason="none").rows == []
    ties = run_question(q, {}, local[engine])
    rows = {(cell(r[1]), cell(r[2]), cell(r[3]), cell(r[4]), cell(r[7])) for r in ties.rows}
    # line 11: diplomacy with "the UN ... in alignment with R2P's second pillar" (stated)
    assert ("pillar:2", "basis:stated", "actor:un", "rto:partner", "event:kenya-2010-diplomacy") in rows
    # line 28: Rousseff introduced RwP in her address to the UNGA; line 29: RwP and "Pillar 3 of RtoP"
    assert ("pillar:3", "basis:stated", "actor:unga", "rto:host", "policy:responsibility-while-protecting") in rows
    # a speaker is a participant is involved: two sub-property steps
    viotti = run_question(q, {"actor": "person:maria-luiza-ribeiro-viotti"}, local[engine])
    assert pairs(viotti, "tie", "resource") == {("rto:speaker", "policy:responsibility-while-protecting")}


def test_pillar_ties_of_an_organisation_through_its_mandates(local, servers):
    network = "latin-american-network-for-genocide-and-mass-atrocity-prevention"
    result = answer_everywhere("pillar-ties", {"actor": network}, local, servers)
    # line 21: "The goals of the network are to install a genocide prevention training program within each
    # government": capacity-building, pillar 2, read by the curators
    assert {(cell(r[1]), cell(r[2]), cell(r[4])) for r in result.rows} == {
        ("pillar:2", "basis:interpreted", "rto:mandateOf")}


# ------------------------------------------------------------------------------------------------------------
# Asking in words
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("words, name, bound, shown", [
    pytest.param("which OAS bodies have preventive mandates", "oas-preventive-mandates", "organisation=actor:oas",
                 "actor:iachr", id="oas-preventive"),
    pytest.param("who are the members of the Latin American Network", "members", None, "actor:aipr",
                 id="latin-american-members"),
    pytest.param("timeline of events in 2012", "timeline", None, "event:uzcategui-judgment", id="timeline-2012"),
    pytest.param("why do we believe the APB was created in 2012", "evidence", "resource=actor:apb",
                 "created the Atrocities Prevention Board", id="why-apb"),
    pytest.param("which bodies are part of the OAS", "organisation-bodies", "organisation=actor:oas",
                 "actor:inter-american-court-of-human-rights", id="oas-bodies"),
    pytest.param("which events did the Stanley Foundation organise", "events-by-organiser",
                 "organiser=actor:stanley-foundation", "event:structuring-the-us-government-release", id="organiser"),
    pytest.param("list the civil society organisations", "actors-by-kind", "kind=rto:CivilSocietyOrganisation",
                 "actor:funpadem", id="csos"),
    pytest.param("which bodies have an early warning mandate", "mandates-of-type", "type=mtype:early-warning",
                 "actor:unasur", id="early-warning"),
    pytest.param("what ties the United Nations to the pillars of R2P", "pillar-ties", "actor=actor:un",
                 "pillar:2", id="pillars-un"),
    pytest.param("what did Andrés Serbin write", "publications-by-author", "author=person:andres-serbin",
                 "work:the-relevance-of-the-responsibility-to-protect", id="serbin"),
    pytest.param("where does the source contradict itself", "conflicting-claims", None,
                 "claim:apb-establishment-2011-08", id="contradictions"),
    pytest.param("which statements come from outside knowledge", "external-claims", None, "claim:oas-full-name",
                 id="external"),
    pytest.param("who hopes for national action plans on genocide prevention", "policy-supporters",
                 "policy=policy:national-action-plans-on-genocide-prevention", "actor:aipr", id="hopes"),
])
def test_ask_picks_the_question(words, name, bound, shown, runner):
    result = runner.invoke(cli, ["ask", words, "--format", "tsv" if shown.startswith("created") else "table"])
    assert result.exit_code == 0, result.stderr
    note = result.stderr.strip().splitlines()[0]
    assert note.startswith(f"rtopkg: answering with '{name}'"), note
    if bound:
        assert f", {bound}:" in note, note
    assert shown in result.stdout


@pytest.mark.parametrize("words", [pytest.param("xq zzv blorf quux", id="gibberish"),
                                   pytest.param("recipe for banana bread", id="off-topic")])
def test_ask_says_when_no_question_matches(words, runner):
    result = runner.invoke(cli, ["ask", words])
    assert result.exit_code == 1
    assert "no stored question matches" in result.stderr
    assert "Nearest stored questions:" in result.stdout


# ------------------------------------------------------------------------------------------------------------
# The command line
# ------------------------------------------------------------------------------------------------------------


def test_queries_lists_the_whole_catalogue(runner):
    result = runner.invoke(cli, ["queries"])
    assert result.exit_code == 0
    names = [p.stem for p in sorted(QUERIES.glob("*.rq"))]
    assert len(names) >= MIN_QUESTIONS
    for name in names:
        assert name in result.stdout
    assert "date:date=2012-06-30" in result.stdout and "line:integer=28" in result.stdout


@pytest.mark.parametrize("name", ["timeline", "memberships-on-date", "evidence", "pillar-ties", "events-per-year"])
def test_query_table_output(name, runner):
    result = runner.invoke(cli, ["query", name, "--format", "table"])
    assert result.exit_code == 0, result.stderr
    golden = read_tsv(golden_path(question(name)))
    assert result.stdout.rstrip().endswith(f"({len(golden.rows)} row{'s' if len(golden.rows) != 1 else ''})")


def test_query_with_a_bad_date_is_a_usage_error(runner):
    result = runner.invoke(cli, ["query", "timeline", "-p", "from=2012-02-30"])
    assert result.exit_code == 2
    assert "from" in result.stderr and "2012-02-30" in result.stderr


def test_query_with_no_rows_for_a_required_question_exits_1(runner):
    result = runner.invoke(cli, ["query", "memberships-on-date", "-p", "date=1999-01-01"])
    assert result.exit_code == 1
    assert "no rows" in result.stderr


def test_policy_supporters_of_the_central_american_security_strategy_and_of_non_intervention(local, servers):
    # line 50: "The countries of the Central American Integration System (SICA) and Grupo de Países Amigos y
    # Organismos Internacionales Cooperantes (Group of Friends and International Cooperation Agencies) support
    # this Strategy"
    result = answer_everywhere("policy-supporters", {"policy": "central-american-security-strategy"}, local, servers)
    assert set(column(result, "supporter")) == {
        "actor:sica", "actor:group-of-friends-and-international-cooperation-agencies"}
    assert set(column(result, "line")) == {"50"}
    # line 8: CELAC's "January 2014 Havana Declaration, demonstrating commitment not to intervene in other
    # countries' internal affairs"; the countries' support for the three principles has no named supporter
    result = answer_everywhere("policy-supporters", {"policy": "policy:non-intervention"}, local, servers)
    assert set(column(result, "supporter")) == {"actor:celac"}
    assert set(column(result, "asOf")) == {"2014-01"}
    assert any("commitment not to intervene" in text for text in column(result, "quote"))
