"""The command line of the query layer: ``rtopkg queries``, ``rtopkg query``, ``rtopkg ask``, in process.

Exit codes: 0 an answer; 1 no match, or no rows where the question requires rows; 2 usage or input error
(each one line naming the question, parameter or value); 3 the time limit.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from rtopkg.ask import THRESHOLD, best, words
from rtopkg.catalogue import load_catalogue
from rtopkg.cli import cli
from rtopkg.results import read_tsv

ROOT = Path(__file__).resolve().parent.parent
STARTERS = ["actor-events", "event-kinds", "mandate-types", "oas-preventive-mandates", "pillars"]


@pytest.fixture(scope="module")
def starter_project(tmp_path_factory) -> Path:
    """A project whose catalogue holds only the starter questions (the real catalogue grows; ranking tests
    must not depend on what others add). Ontology and data are the project's own."""
    import shutil

    home = tmp_path_factory.mktemp("starter")
    (home / "ontology").symlink_to(ROOT / "ontology")
    (home / "data").symlink_to(ROOT / "data")
    (home / "queries").mkdir()
    for name in STARTERS:
        for suffix in (".rq", ".tsv"):
            shutil.copy(ROOT / "queries" / f"{name}{suffix}", home / "queries")
    return home


@pytest.fixture()
def starters(starter_project, monkeypatch):
    monkeypatch.setenv("RTOPKG_HOME", str(starter_project))
    return starter_project


def one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# ------------------------------------------------------------------------------------------------------------
# rtopkg queries
# ------------------------------------------------------------------------------------------------------------


def test_queries_lists_every_question_with_parameters(runner, starters):
    result = runner.invoke(cli, ["queries"])
    assert result.exit_code == 0
    catalogue = load_catalogue()
    for question in catalogue:
        assert question.name in result.stdout and question.summary in result.stdout
    assert "[kind:iri=rto:Event]" in result.stdout
    assert result.stdout.strip().endswith(f"({len(catalogue)} questions)")
    assert len(catalogue) == len(STARTERS)


def test_queries_json_and_tag_filter(runner, starters):
    result = runner.invoke(cli, ["queries", "--format", "json", "--tag", "pillar"])
    doc = json.loads(result.stdout)
    assert [q["name"] for q in doc] == ["pillars"]
    full = json.loads(runner.invoke(cli, ["queries", "--format", "json"]).stdout)
    kinds = next(q for q in full if q["name"] == "event-kinds")
    assert kinds["params"][0] == {"name": "kind", "type": "iri", "default": "rto:Event", "example": "Actor",
                                  "optional": False, "description": kinds["params"][0]["description"]}
    assert kinds["reasoning"] == "rules"


# ------------------------------------------------------------------------------------------------------------
# rtopkg query: formats
# ------------------------------------------------------------------------------------------------------------


def test_table_shows_labels_beside_iris(runner):
    result = runner.invoke(cli, ["query", "mandate-types"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["type", "label", "broader", "definition"]
    early = next(line for line in lines if line.startswith("mtype:early-warning"))
    assert "mtype:early-warning (early warning)" in early and "mtype:prevention (prevention)" in early
    assert lines[-1] == "(13 rows)"
    column = lines[0].index("label")  # aligned: every row's second column starts where its header does
    assert all(line[column - 2:column] == "  " and line[column] != " " for line in lines[2:-1])


def test_no_labels(runner):
    result = runner.invoke(cli, ["query", "mandate-types", "--no-labels"])
    assert "(early warning)" not in result.stdout and "mtype:early-warning " in result.stdout


def test_tsv_is_the_golden_format(runner):
    result = runner.invoke(cli, ["query", "pillars", "--format", "tsv"])
    assert result.exit_code == 0
    assert result.stdout == (ROOT / "queries" / "pillars.tsv").read_text(encoding="utf-8")
    assert read_tsv(result.stdout).rows == read_tsv(ROOT / "queries" / "pillars.tsv").rows


def test_csv_follows_sparql_results_csv(runner):
    result = runner.invoke(cli, ["query", "pillars", "--format", "csv"])
    text = result.stdout_bytes.decode("utf-8")
    assert text.startswith("pillar,number,name,definition,source\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1][:3] == ["https://w3id.org/rtopkg/vocab/pillar/1", "1", "The protection responsibilities of the State"]
    assert len(rows) == 7


def test_json_follows_sparql_results_json(runner):
    doc = json.loads(runner.invoke(cli, ["query", "pillars", "--format", "json"]).stdout)
    assert doc["head"]["vars"] == ["pillar", "number", "name", "definition", "source"]
    first = doc["results"]["bindings"][0]
    assert first["pillar"] == {"type": "uri", "value": "https://w3id.org/rtopkg/vocab/pillar/1"}
    assert first["name"] == {"type": "literal", "value": "The protection responsibilities of the State", "xml:lang": "en"}
    assert first["number"] == {"type": "literal", "value": "1"}


def test_markdown(runner):
    result = runner.invoke(cli, ["query", "pillars", "--format", "md"])
    lines = result.stdout.splitlines()
    assert lines[0] == "| pillar | number | name | definition | source |"
    assert lines[1] == "|---|---|---|---|---|"
    assert lines[2].startswith("| [The protection responsibilities of the State](<https://w3id.org/rtopkg/vocab/pillar/1>) | 1 |")
    assert len(lines) == 8


def test_output_is_deterministic(runner):
    first = runner.invoke(cli, ["query", "mandate-types", "--format", "json"]).stdout_bytes
    assert runner.invoke(cli, ["query", "mandate-types", "--format", "json"]).stdout_bytes == first


def test_table_never_sends_control_characters_to_the_terminal(runner, tmp_path):
    data = tmp_path / "evil.ttl"
    data.write_text('<http://example.org/a> <http://example.org/b> "red \\u001B[31m alert\\nnew line" .\n',
                    encoding="utf-8")
    result = runner.invoke(cli, ["query", "--sparql", "SELECT ?o WHERE { ?s ?p ?o }", "--data", str(data)])
    assert "\x1b" not in result.stdout
    assert "red \\u001B[31m alert\\nnew line" in result.stdout


# ------------------------------------------------------------------------------------------------------------
# rtopkg query: parameters, files, errors
# ------------------------------------------------------------------------------------------------------------


def test_parameter_by_slug_and_prefixed_name(runner):
    by_slug = runner.invoke(cli, ["query", "event-kinds", "-p", "kind=Meeting", "--reason", "none", "--format", "tsv"])
    by_name = runner.invoke(cli, ["query", "event-kinds", "-p", "kind=rto:Meeting", "--reason", "none", "--format",
                                  "tsv"])
    assert by_slug.exit_code == 0 and by_slug.stdout == by_name.stdout
    assert len(read_tsv(by_slug.stdout).rows) == 9


@pytest.mark.parametrize("args, message", [
    (["query", "event-kinds", "-p", "kind=a b"],
     "rtopkg: question 'event-kinds', parameter 'kind': 'a b' is not an IRI: it contains a space"),
    (["query", "event-kinds", "-p", "colour=red"],
     "rtopkg: question 'event-kinds' has no parameter 'colour' (parameters: kind)"),
    (["query", "event-kinds", "-p", "kind"], "rtopkg: question 'event-kinds', 'kind' is not name=value"),
    (["query", "pilars"], "rtopkg: no stored question named 'pilars'; did you mean pillars?"),
    (["query", "--sparql", "SELECT ?s WHERE { ?s ?p ?o"], None),
])
def test_errors_are_one_line_exit_2(runner, starters, args, message):
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert result.stdout == ""
    line = one_line(result)
    if message:
        assert line == message
    else:
        assert line.startswith("rtopkg: the query: ")


def test_exactly_one_of_name_file_sparql(runner):
    result = runner.invoke(cli, ["query", "pillars", "--sparql", "ASK {}"])
    assert result.exit_code == 2
    assert "give exactly one of NAME, --file or --sparql" in one_line(result)


def test_query_file_with_a_typed_header(runner, tmp_path):
    path = tmp_path / "organs.rq"
    path.write_text("#+ summary: Which classes are kinds of this one?\n"
                    "#+ params:\n#+   - name: kind\n#+     type: iri\n#+     prefix: rto\n"
                    "SELECT ?kind ?c WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?kind }\n",
                    encoding="utf-8")
    result = runner.invoke(cli, ["query", "--file", str(path), "-p", "kind=Place", "--format", "tsv"])
    assert result.exit_code == 0, result.stderr
    classes = {row[1] for row in read_tsv(result.stdout).rows}
    assert classes == {f"<https://w3id.org/rtopkg/ontology#{c}>" for c in ("City", "Region", "Site")}
    bad = runner.invoke(cli, ["query", "--file", str(path), "-p", "kind=a b"])
    assert one_line(bad).startswith("rtopkg: question 'organs', parameter 'kind'")


def test_ad_hoc_untyped_parameters(runner):
    result = runner.invoke(cli, ["query", "--sparql", "SELECT ?p ?n WHERE { ?p <http://www.w3.org/2004/02/skos/core#"
                                 "notation> ?n }", "-p", 'n="2"', "--format", "tsv"])
    assert read_tsv(result.stdout).rows == [("<https://w3id.org/rtopkg/vocab/pillar/2>", '"2"')]


def test_rows_required_makes_no_rows_exit_1(runner, tmp_path):
    path = tmp_path / "nothing.rq"
    path.write_text("#+ summary: Nothing\n#+ rows_required: true\nSELECT ?s WHERE { ?s a <http://example.org/No> }\n",
                    encoding="utf-8")
    result = runner.invoke(cli, ["query", "--file", str(path), "--format", "tsv"])
    assert result.exit_code == 1
    assert result.stdout == "?s\n"
    assert one_line(result) == "rtopkg: question 'nothing' returned no rows; it should always have some"
    plain = runner.invoke(cli, ["query", "--sparql", "SELECT ?s WHERE { ?s a <http://example.org/No> }"])
    assert plain.exit_code == 0 and one_line(plain) == "rtopkg: the query: no rows"


def test_ask_query_answers_yes_or_no(runner):
    result = runner.invoke(cli, ["query", "--sparql", "ASK { ?s a <http://www.w3.org/2002/07/owl#Ontology> }"])
    assert result.exit_code == 0 and result.stdout == "yes\n"
    doc = json.loads(runner.invoke(cli, ["query", "--sparql", "ASK { ?s a <http://example.org/No> }", "--format",
                                         "json"]).stdout)
    assert doc == {"head": {}, "boolean": False}


# ------------------------------------------------------------------------------------------------------------
# rtopkg ask
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("words_in, name", [
    ("what are the R2P pillars", "pillars"),
    ("the three pillars of the responsibility to protect", "pillars"),
    ("RtoP pillar definitions", "pillars"),
    ("kinds of mandate", "mandate-types"),
    ("which kinds of event are there", "event-kinds"),
])
def test_ask_picks_the_question_and_says_so(runner, starters, words_in, name):
    result = runner.invoke(cli, ["ask", words_in, "--format", "tsv"])
    assert result.exit_code == 0, result.stderr
    assert one_line(result).startswith(f"rtopkg: answering with '{name}'")
    expected = runner.invoke(cli, ["query", name, "--format", "tsv"]).stdout
    assert result.stdout == expected


@pytest.mark.parametrize("words_in, name, value, actor", [
    ("which OAS bodies have preventive mandates", "oas-preventive-mandates", "organisation=actor:oas", "oas"),
    ("which SICA bodies have preventive mandates", "oas-preventive-mandates", "organisation=actor:sica", "sica"),
    ("in which events was the Stanley Foundation involved", "actor-events", "actor=actor:stanley-foundation",
     "stanley-foundation"),
    ("what events was CRIES involved in", "actor-events", "actor=actor:cries", "cries"),
    ("which kinds of meeting are there", "event-kinds", "kind=rto:Meeting", "Meeting"),
])
def test_ask_fills_parameters_from_the_resources_named(runner, starters, words_in, name, value, actor):
    result = runner.invoke(cli, ["ask", words_in, "--format", "tsv"])
    assert result.stderr.splitlines()[0].startswith(f"rtopkg: answering with '{name}', {value}: ")
    param = value.split("=")[0]
    expected = runner.invoke(cli, ["query", name, "-p", f"{param}={actor}", "--format", "tsv"])
    assert result.stdout == expected.stdout
    assert result.exit_code == expected.exit_code
    if actor == "sica":  # SICA's organs hold no preventive mandate: a negative answer, exit 1
        header = "\t".join(f"?{v}" for v in read_tsv(ROOT / "queries" / "oas-preventive-mandates.tsv").variables)
        assert result.exit_code == 1 and result.stdout == header + "\n"
        assert result.stderr.splitlines()[1] == ("rtopkg: question 'oas-preventive-mandates' returned no rows for "
                                                 "organisation=<https://w3id.org/rtopkg/id/actor/sica>")


def test_ask_parameters_given_win_over_the_ones_found(runner, starters):
    result = runner.invoke(cli, ["ask", "which OAS bodies have preventive mandates", "-p", "organisation=sica",
                                 "--format", "tsv"])
    expected = runner.invoke(cli, ["query", "oas-preventive-mandates", "-p", "organisation=sica", "--format", "tsv"])
    assert result.stdout == expected.stdout


def test_ask_without_a_good_match_lists_the_nearest_and_exits_1(runner, starters):
    result = runner.invoke(cli, ["ask", "what is the recipe for feijoada"])
    assert result.exit_code == 1
    assert result.stdout.startswith("Nearest stored questions:")
    assert len(result.stdout.strip().splitlines()) >= 2
    assert "no stored question matches 'what is the recipe for feijoada' well enough" in one_line(result)


def test_the_hint_of_rtopkg_help_works_on_the_real_catalogue(runner):
    """rtopkg's help suggests this question: whatever the catalogue holds, it must pick the OAS question."""
    result = runner.invoke(cli, ["ask", "which OAS bodies have preventive mandates", "--format", "tsv"])
    assert result.exit_code == 0
    assert result.stderr.startswith("rtopkg: answering with 'oas-preventive-mandates', organisation=actor:oas: ")
    assert read_tsv(result.stdout).rows == read_tsv(ROOT / "queries" / "oas-preventive-mandates.tsv").rows


def test_ask_matching_is_transparent(starters):
    assert words("Which OAS bodies have preventive mandates?") == ["oas", "body", "prevent", "mandat"]
    assert words("R2P") == words("RtoP") == words("responsibility to protect") == ["rtop"]
    assert words("organs of the Organization of American States") == ["body", "oas"]
    picked, ranking = best("pillars of R2P", load_catalogue())
    assert picked is not None and picked.name == "pillars" and picked.match >= THRESHOLD
    assert [m.name for m in ranking][0] == "pillars"
