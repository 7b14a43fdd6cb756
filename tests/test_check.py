"""``rtopkg check``: the quote check and the stored checks of queries/checks/, each shown to fail on a graph that
breaks it and to pass on one that does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rtopkg.checks import load_checks, run_checks
from rtopkg.cli import cli

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = [str(p) for p in sorted((ROOT / "ontology").glob("*.ttl"))]

PREFIXES = """@prefix actor: <https://w3id.org/rtopkg/id/actor/> .
@prefix basis: <https://w3id.org/rtopkg/vocab/basis/> .
@prefix claim: <https://w3id.org/rtopkg/id/claim/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix mandate: <https://w3id.org/rtopkg/id/mandate/> .
@prefix membership: <https://w3id.org/rtopkg/id/membership/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix quote: <https://w3id.org/rtopkg/id/quote/> .
@prefix role: <https://w3id.org/rtopkg/vocab/role/> .
@prefix rto: <https://w3id.org/rtopkg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix source: <https://w3id.org/rtopkg/id/source/> .

source:s a rto:SourceDocument .
quote:q a rto:Quote ; prov:value "Member Sign In" ; prov:wasQuotedFrom source:s ; rto:sourceLine 1 ; rto:basis basis:stated .
quote:h a rto:Quote ; prov:value "United States" ; prov:wasQuotedFrom source:s ; rto:sourceLine 30 ; rto:basis basis:context .
actor:a a rto:State ; rto:evidence quote:q, quote:h .
actor:b a rto:Network ; rto:evidence quote:q .
"""

#: check name -> (a graph on which it fails, a graph on which it passes), each added to PREFIXES.
CASES = {
    "dangling-reference": ("actor:b org:subOrganizationOf actor:ghost .",
                           "actor:b org:subOrganizationOf actor:a ."),
    "unused-quote": ("quote:unused a rto:Quote ; prov:value \"PDF Print E-mail\" ; rto:sourceLine 3 .",
                     "quote:used a rto:Quote ; prov:value \"PDF Print E-mail\" ; rto:sourceLine 3 .\n"
                     "actor:b rto:evidence quote:used ."),
    "duplicate-quote": ("quote:q2 a rto:Quote ; prov:value \"Member Sign In\" ; prov:wasQuotedFrom source:s ; "
                        "rto:sourceLine 1 ; rto:basis basis:stated .\nactor:b rto:evidence quote:q2 .",
                        "quote:q2 a rto:Quote ; prov:value \"Member Sign In\" ; prov:wasQuotedFrom source:s ; "
                        "rto:sourceLine 2 ; rto:basis basis:stated .\nactor:b rto:evidence quote:q2 ."),
    "external-claim-asserted": (
        "claim:c a rto:Claim ; rto:basis basis:external ; dcterms:source <https://example.org/> ; "
        "rto:claimSubject actor:a ; rto:claimProperty skos:altLabel ; rto:claimValue \"A\"@en .",
        "claim:c a rto:Claim ; rto:basis basis:external ; dcterms:source <https://example.org/> ; "
        "rto:claimSubject actor:a ; rto:claimProperty skos:altLabel ; rto:claimValue \"A\"@en .\n"
        "actor:a skos:altLabel \"A\"@en ."),
    "mandate-inverse": ("actor:a rto:hasMandate mandate:m .\nmandate:m a rto:Mandate ; rto:mandateOf actor:b ; rto:evidence quote:q .",
                        "actor:a rto:hasMandate mandate:m .\nmandate:m a rto:Mandate ; rto:mandateOf actor:a ; rto:evidence quote:q ."),
    "part-of-cycle": ("actor:a org:subOrganizationOf actor:b .\nactor:b org:unitOf actor:a .",
                      "actor:b org:subOrganizationOf actor:a ."),
    "duplicate-membership": (
        "membership:m1 a org:Membership ; org:member actor:a ; org:organization actor:b ; rto:evidence quote:q .\n"
        "membership:m2 a org:Membership ; org:member actor:a ; org:organization actor:b ; rto:evidence quote:q .",
        "membership:m1 a org:Membership ; org:member actor:a ; org:organization actor:b ; org:role role:member ; rto:evidence quote:q .\n"
        "membership:m2 a org:Membership ; org:member actor:a ; org:organization actor:b ; org:role role:chair ; rto:evidence quote:q ."),
    "context-only-evidence": (
        "membership:m a org:Membership ; org:member actor:a ; org:organization actor:b ; rto:evidence quote:h .",
        "membership:m a org:Membership ; org:member actor:a ; org:organization actor:b ; rto:evidence quote:h, quote:q ."),
}


def test_every_check_has_a_header_and_a_case():
    checks = load_checks()
    assert [c.name for c in checks] == sorted(CASES)
    for check in checks:
        assert check.summary.endswith("?") and len(check.description) > 80, check.name
        assert check.path.name == f"{check.name}-violation.rq"


def _run(tmp_path: Path, body: str):
    data = tmp_path / "data.ttl"
    data.write_text(PREFIXES + body + "\n", encoding="utf-8")
    report = run_checks(ONTOLOGY + [str(data)], quotes=False, timeout=0)
    return {r.check.name: r for r in report.results}


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_fails_and_passes(name, tmp_path):
    failing, passing = CASES[name]
    bad = _run(tmp_path, failing)[name]
    assert bad.failed and bad.rows, f"{name} should fail on:\n{failing}"
    good = _run(tmp_path, passing)[name]
    assert not good.failed, f"{name} should pass on:\n{passing}\nrows: {good.rows}"


def test_the_base_graph_passes_every_check(tmp_path):
    results = _run(tmp_path, "")
    assert len(results) == len(CASES)
    assert not [n for n, r in results.items() if r.failed]


def test_quote_check_catches_an_altered_quote(runner, tmp_path):
    """A copy of a real data file with one quote's text changed fails the quote check, naming the quote."""
    original = (ROOT / "data" / "source.ttl").read_text(encoding="utf-8")
    altered = original.replace('prov:value "Special thanks to Brianna Burt', 'prov:value "Special thanks to Brianna Bert', 1)
    assert altered != original
    copy = tmp_path / "source.ttl"
    copy.write_text(altered, encoding="utf-8")
    files = [str(p) for p in sorted((ROOT / "ontology").glob("*.ttl")) + sorted((ROOT / "data").glob("*.ttl"))
             if p.name != "source.ttl"] + [str(copy)]
    result = runner.invoke(cli, ["check", *files])
    assert result.exit_code == 1
    assert "FAIL quotes:" in result.stdout
    assert "quote:l80-brianna-burt: does not occur verbatim in the source" in result.stdout


def test_check_cli_exit_codes_and_json(runner, tmp_path):
    failing = tmp_path / "failing.ttl"
    failing.write_text(PREFIXES + CASES["part-of-cycle"][0] + "\n", encoding="utf-8")
    passing = tmp_path / "passing.ttl"
    passing.write_text(PREFIXES + CASES["part-of-cycle"][1] + "\n", encoding="utf-8")
    bad = runner.invoke(cli, ["check", *ONTOLOGY, str(failing), "--no-quotes", "--format", "json"])
    assert bad.exit_code == 1
    doc = json.loads(bad.stdout)
    assert doc["failures"] == 1 and doc["quotes"] is None
    (cycle,) = [c for c in doc["checks"] if c["name"] == "part-of-cycle"]
    assert cycle["failed"] and sorted(row[0] for row in cycle["rows"]) == [
        "<https://w3id.org/rtopkg/id/actor/a>", "<https://w3id.org/rtopkg/id/actor/b>"]
    good = runner.invoke(cli, ["check", *ONTOLOGY, str(passing), "--no-quotes"])
    assert good.exit_code == 0, good.stdout
    assert good.stdout.strip().splitlines()[-1] == f"{len(CASES)} checks, 0 failed"
    missing = runner.invoke(cli, ["check", str(tmp_path / "nope.ttl")])
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_the_project_passes_every_check(runner):
    result = runner.invoke(cli, ["check"])
    assert result.exit_code == 0, result.stdout
