"""The project's SHACL shapes (shapes/): the test cases of tests/shapes/, coverage of every constraint by a failing
and a passing case, SHACL-for-SHACL, labels, messages and severities, targets for every class, sh:in lists that
match the concept schemes, and agreement of an independent engine (Apache Jena) with pyshacl."""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

from rtopkg.load import load_graph
from rtopkg.validate import SHAPES_NS, meta_validate_shapes, prepare, validate
from support.shacl_cases import SH, actual, cases_in, differences

ROOT = Path(__file__).resolve().parent.parent
CASE_FILES = sorted((Path(__file__).resolve().parent / "shapes").glob("*.ttl"))
SHAPES_FILES = sorted((ROOT / "shapes").glob("*.ttl"))
RTOSH = Namespace(SHAPES_NS)
RTO = Namespace("https://w3id.org/rtopkg/ontology#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
ORG = Namespace("http://www.w3.org/ns/org#")
TIME = Namespace("http://www.w3.org/2006/time#")

#: How many cases tests/shapes/ holds (a case file lost or added by mistake changes it).
N_CASES = 37

#: SHACL parameters that make a shape a constraint (besides sh:property, which only groups).
CONSTRAINT_PARAMETERS = {SH[p] for p in (
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive", "maxExclusive",
    "maxInclusive", "minLength", "maxLength", "pattern", "languageIn", "uniqueLang", "equals", "disjoint",
    "lessThan", "lessThanOrEquals", "not", "and", "or", "xone", "node", "qualifiedValueShape", "closed",
    "hasValue", "in", "sparql")}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_graph(SHAPES_FILES)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_graph(sorted((ROOT / "ontology").glob("*.ttl")))


@functools.lru_cache(maxsize=None)
def run_case(path: Path):
    """The case in ``path`` and the result of validating its data graph, as ``rtopkg validate`` does."""
    (case,) = list(cases_in(path))
    assert case.shapes == ROOT / "shapes", f"{path.name}: the shapes graph of a case is the project's shapes/"
    assert case.data == path
    return case, validate([case.data], None, timeout=0)


# ----------------------------------------------------------------------------------------------------------
# The cases
# ----------------------------------------------------------------------------------------------------------


def test_case_count():
    assert len(CASE_FILES) == N_CASES
    assert sum(len(list(cases_in(p))) for p in CASE_FILES) == N_CASES


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in CASE_FILES])
def test_case(path: Path):
    case, result = run_case(path)
    assert result.conforms == case.conforms
    problems = differences(case.expected, actual(result))
    assert not problems, f"{path.name}:\n" + "\n".join(problems)
    if not case.conforms:
        assert case.expected, "a failing case lists the results it expects"


def test_the_comparison_can_fail(tmp_path):
    """A case whose expectation names the wrong shape, or leaves a result out, is caught."""
    original = (Path(__file__).parent / "shapes" / "people-failing.ttl").read_text(encoding="utf-8")
    shapes_iri = (ROOT / "shapes").as_uri() + "/"
    for broken in (original.replace("rtosh:Person-holds ]", "rtosh:Person-nationality ]"),
                   original.replace("sh:resultSeverity sh:Warning", "sh:resultSeverity sh:Violation")):
        assert broken != original
        path = tmp_path / "people-failing.ttl"
        path.write_text(broken.replace("<../../shapes/>", f"<{shapes_iri}>"), encoding="utf-8")
        (case,) = list(cases_in(path))
        assert differences(case.expected, actual(validate([path], None, timeout=0)))


# ----------------------------------------------------------------------------------------------------------
# Every constraint has a failing and a passing case
# ----------------------------------------------------------------------------------------------------------


def constraint_shapes(shapes: Graph) -> set:
    """Shapes holding constraints of their own (value shapes inside sh:or, sh:xone... excepted)."""
    inner = set()
    for parameter in (SH["or"], SH["xone"], SH["and"]):
        for lst in shapes.objects(None, parameter):
            inner.update(Collection(shapes, lst))
    inner.update(shapes.objects(None, SH["not"]))
    inner.update(shapes.objects(None, SH["qualifiedValueShape"]))
    inner.update(shapes.objects(None, SH["node"]))
    found = set()
    for shape in set(shapes.subjects()) - inner:
        if any((shape, p, None) in shapes for p in CONSTRAINT_PARAMETERS):
            found.add(shape)
    return found


def _instances(graph: Graph, cls) -> set:
    classes = set(graph.transitive_subjects(RDFS.subClassOf, cls))
    return {s for c in classes for s in graph.subjects(RDF.type, c)}


def focus_nodes(shapes: Graph, shape, graph: Graph) -> set:
    """The focus nodes of ``shape`` in ``graph`` (for a property shape: those of the node shapes using it)."""
    if (None, SH.property, shape) in shapes:
        return set().union(*(focus_nodes(shapes, parent, graph) for parent in shapes.subjects(SH.property, shape)))
    nodes = set()
    for cls in shapes.objects(shape, SH.targetClass):
        nodes |= _instances(graph, cls)
    nodes |= set(shapes.objects(shape, SH.targetNode))
    for p in shapes.objects(shape, SH.targetSubjectsOf):
        nodes |= set(graph.subjects(p, None))
    for p in shapes.objects(shape, SH.targetObjectsOf):
        nodes |= set(graph.objects(None, p))
    for target in shapes.objects(shape, SH.target):  # SPARQL-based targets
        prefixes = {str(shapes.value(d, SH.prefix)): str(shapes.value(d, SH.namespace))
                    for declarer in shapes.objects(target, SH.prefixes) for d in shapes.objects(declarer, SH.declare)}
        nodes |= {row[0] for row in graph.query(str(shapes.value(target, SH.select)), initNs=prefixes)}
    return nodes


def _values(shapes: Graph, shape, graph: Graph, focus) -> list:
    path = shapes.value(shape, SH.path)
    if isinstance(path, URIRef):
        predicates = [path]
    else:
        predicates = list(Collection(shapes, shapes.value(path, SH.alternativePath)))
    return [o for p in predicates for o in graph.objects(focus, p)]


def _exercised(shapes: Graph, shape, graph: Graph) -> set:
    """Focus nodes on which ``shape`` really checks something in ``graph``."""
    nodes = focus_nodes(shapes, shape, graph)
    if (shape, SH.path, None) not in shapes:
        return nodes
    counts = ((shape, SH.minCount, None) in shapes or (shape, SH.qualifiedMinCount, None) in shapes
              or (shape, SH.maxCount, Literal(0)) in shapes)  # these check a focus node with no value too
    return {f for f in nodes if counts or _values(shapes, shape, graph, f)}


def _case_graph(path: Path) -> Graph:
    prepared = prepare([path], None, "none")
    return prepared.data_graph()


def test_every_constraint_has_a_failing_and_a_passing_case(shapes):
    from rtopkg.validate import _bnode_text, _short

    def text(graph, node):
        return _bnode_text(node, graph) if isinstance(node, BNode) else _short(node)

    constraints = constraint_shapes(shapes)
    assert len(constraints) >= 100
    failing: Counter = Counter()
    passing: Counter = Counter()
    for path in CASE_FILES:
        case, result = run_case(path)
        graph = _case_graph(path)
        failed = {(r.source_shape, r.focus_text) for r in result.results}
        for shape, _ in failed:
            failing[shape] += 1
        for shape in constraints:
            if any((shape, text(graph, f)) not in failed for f in _exercised(shapes, shape, graph)):
                passing[shape] += 1
    no_failing = sorted(_short(s) for s in constraints if not failing[s])
    no_passing = sorted(_short(s) for s in constraints if not passing[s])
    assert not no_failing, "constraints no case makes fail: " + ", ".join(no_failing)
    assert not no_passing, "constraints no case exercises and passes: " + ", ".join(no_passing)
    unknown = sorted(_short(s) for s in failing if s not in constraints)
    assert not unknown, f"results from shapes that are not constraints: {unknown}"


# ----------------------------------------------------------------------------------------------------------
# The shapes graph itself
# ----------------------------------------------------------------------------------------------------------


def test_shapes_pass_shacl_for_shacl(shapes):
    assert meta_validate_shapes(shapes) == []


def test_shacl_for_shacl_catches_a_broken_shape(shapes):
    """The check can fail: a copy of one of the shapes with a non-integer sh:minCount is caught."""
    broken = Graph()
    for p, o in shapes.predicate_objects(RTOSH["Quote-line"]):
        if not isinstance(o, BNode):
            broken.add((RTOSH["Quote-line"], p, o))
    assert meta_validate_shapes(broken) == []
    broken.set((RTOSH["Quote-line"], SH.minCount, Literal("one")))
    problems = meta_validate_shapes(broken)
    assert problems and "Quote-line" in problems[0]


def test_every_constraint_has_a_label_message_and_deliberate_severity(shapes):
    constraints = constraint_shapes(shapes)
    problems = []
    for shape in sorted(constraints, key=str):
        if not isinstance(shape, URIRef) or not str(shape).startswith(SHAPES_NS):
            problems.append(f"{shape}: a constraint shape needs an rtosh: IRI")
            continue
        if not any(isinstance(l, Literal) and l.language == "en" for l in shapes.objects(shape, RDFS.label)):
            problems.append(f"{shape}: no rdfs:label@en")
        severity = list(shapes.objects(shape, SH.severity))
        if severity not in ([SH.Violation], [SH.Warning], [SH.Info]):
            problems.append(f"{shape}: sh:severity must be stated once ({severity})")
        messages = list(shapes.objects(shape, SH.message))
        for sparql in shapes.objects(shape, SH.sparql):
            messages += list(shapes.objects(sparql, SH.message))
            if not any(isinstance(l, Literal) and l.language == "en" for l in shapes.objects(sparql, RDFS.label)):
                problems.append(f"{sparql}: the SPARQL constraint needs an rdfs:label@en")
        if len(list(shapes.objects(shape, SH.sparql))) > 1:
            problems.append(f"{shape}: one SPARQL constraint per shape, so that each has its own severity")
        if not any(isinstance(m, Literal) and m.language == "en" for m in messages):
            problems.append(f"{shape}: no sh:message@en")
    assert not problems, "\n".join(problems)
    severities = Counter(shapes.value(s, SH.severity) for s in constraints)
    assert severities[SH.Violation] and severities[SH.Warning] and severities[SH.Info], severities


def test_every_named_shape_has_a_label(shapes):
    named = {s for s in shapes.subjects(RDF.type, SH.NodeShape)} | {s for s in shapes.subjects(RDF.type, SH.PropertyShape)}
    named |= {s for s in shapes.subjects(SH.path, None) if isinstance(s, URIRef)}
    assert len(named) >= 100
    unlabelled = sorted(str(s) for s in named
                        if not isinstance(s, URIRef) or (s, RDFS.label, None) not in shapes)
    assert not unlabelled, unlabelled
    outside = sorted(str(s) for s in named if not str(s).startswith(SHAPES_NS))
    assert not outside, f"shapes outside the rtosh: namespace: {outside}"


def test_every_ontology_class_is_targeted(shapes, ontology):
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(str(RTO))}
    assert len(classes) >= 60
    targeted = set(shapes.objects(None, SH.targetClass))
    missing = sorted(str(c) for c in classes - targeted)
    assert not missing, "classes with no node shape: " + ", ".join(missing)
    for extra in (ORG.Membership, TIME.Instant, TIME.ProperInterval, SKOS.Concept, SKOS.ConceptScheme, ORG.Role):
        assert extra in targeted, extra


def test_iri_patterns_follow_the_buckets(shapes):
    """Each kind's IRI pattern names its bucket and the slug rule of docs/modelling.md."""
    slug = "[a-z0-9]+(-[a-z0-9]+)*$"
    expected = {
        RTO.Quote: "quote", RTO.SourceDocument: "source", RTO.Claim: "claim", RTO.State: "actor",
        RTO.Organ: "actor", RTO.Network: "actor", RTO.Person: "person", RTO.Position: "post", RTO.City: "place",
        RTO.Conference: "event", RTO.Report: "work", RTO.Policy: "policy", ORG.Membership: "membership",
        RTO.Mandate: "mandate", RTO.PillarLink: "pillarlink", RTO.Count: "count", RTO.PolicySupport: "support",
    }
    for cls, bucket in expected.items():
        patterns = [str(p) for shape in shapes.subjects(SH.targetClass, cls) for p in shapes.objects(shape, SH.pattern)]
        assert patterns == [f"^https://w3id.org/rtopkg/id/{bucket}/{slug}"], (cls, patterns)


def test_in_lists_match_the_concept_schemes(shapes, ontology):
    """Each sh:in of concepts lists the whole scheme, or (where the modelling guide narrows it) a known subset."""
    subsets = {
        RTOSH["Quote-basis"]: {"stated", "context"},
        RTOSH["PillarLink-basis"]: {"stated", "interpreted"},
    }
    checked = 0
    for shape, lst in shapes.subject_objects(SH["in"]):
        members = set(Collection(shapes, lst))
        if all(isinstance(m, Literal) for m in members):
            continue
        schemes = {s for m in members for s in ontology.objects(m, SKOS.inScheme)}
        assert len(schemes) == 1, f"{shape}: sh:in mixes schemes or lists unknown concepts: {sorted(members)}"
        scheme = schemes.pop()
        concepts = set(ontology.subjects(SKOS.inScheme, scheme))
        if shape in subsets:
            assert {str(m).rsplit("/", 1)[1] for m in members} == subsets[shape]
            assert members <= concepts
        else:
            assert members == concepts, (f"{shape}: sh:in and {scheme} differ: only in the shape "
                                         f"{sorted(members - concepts)}, only in the scheme {sorted(concepts - members)}")
        checked += 1
    # datePrecision, mandateType, modality, role, pillar, policy status, 2 narrowed bases, claim basis
    assert checked == 9


def test_shapes_refuse_no_sparql_of_their_own(shapes):
    from rtopkg.validate import refuse_remote_sparql

    refuse_remote_sparql(shapes)
    texts = [str(t) for t in shapes.objects(None, SH.select)]
    assert len(texts) >= 15


# ----------------------------------------------------------------------------------------------------------
# An independent engine agrees: Apache Jena (Debian's libapache-jena-java)
# ----------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jena():
    from support.jena import JenaUnavailable, jena_validator

    try:
        run, note = jena_validator()
    except JenaUnavailable as exc:
        pytest.skip(f"Apache Jena's SHACL engine cannot run here: {exc}")
    print(f"\nJena: {note}")
    return run


def _jena_results(path: Path) -> list[tuple]:
    from rdflib import Graph as G

    if Path(str(path) + ".error").is_file():
        raise AssertionError(f"Jena failed: {Path(str(path) + '.error').read_text()}")
    report = G().parse(path, format="nt")
    out = []
    for r in report.objects(None, SH.result):
        focus = report.value(r, SH.focusNode)
        out.append((report.value(r, SH.sourceShape), report.value(r, SH.resultSeverity),
                    "_:" if isinstance(focus, BNode) else focus))
    return out


def _pyshacl_results(result) -> list[tuple]:
    return [(r.source_shape, SH[r.severity], "_:" if isinstance(r.focus, BNode) else r.focus) for r in result.results]


@pytest.mark.java
def test_jena_agrees_on_every_case_and_on_the_project(jena, tmp_path):
    shapes_nt = tmp_path / "shapes.nt"
    prepared = prepare(None, None, "none")
    prepared.shapes.serialize(shapes_nt, format="nt", encoding="utf-8")
    jobs, expected = [], {}
    for path in CASE_FILES + [None]:
        name = path.stem if path else "project"
        prepared = prepare([path] if path else None, None, "none")
        data = tmp_path / f"{name}.nt"
        prepared.data_graph().serialize(data, format="nt", encoding="utf-8")
        jobs.append((data, shapes_nt, tmp_path / f"{name}.report.nt"))
        expected[name] = run_case(path)[1] if path else validate(None, None, timeout=0)
    jena(jobs)
    disagreements = []
    for data, _, report in jobs:
        name = data.stem
        theirs, ours = _jena_results(report), _pyshacl_results(expected[name])
        if (not theirs) != expected[name].conforms or Counter(theirs) != Counter(ours):
            disagreements.append(f"{name}: Jena {sorted(map(str, Counter(theirs) - Counter(ours)))} "
                                 f"pyshacl {sorted(map(str, Counter(ours) - Counter(theirs)))}")
    assert len(jobs) == N_CASES + 1
    assert not disagreements, "\n".join(disagreements)
