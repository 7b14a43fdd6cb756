"""The knowledge graph itself: it parses everywhere, every quote is verbatim, every term is declared, every
resource has evidence and a well-formed IRI, and the ontology is consistent under HermiT."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from rtopkg.load import load_graph
from rtopkg.owl import hermit_available, hermit_check
from rtopkg.quotes import check_quotes, fold
from rtopkg.vocab import RTO

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_FILES = sorted((ROOT / "ontology").glob("*.ttl"))
DATA_FILES = sorted((ROOT / "data").glob("*.ttl"))
ID = "https://w3id.org/rtopkg/id/"
VOCAB = "https://w3id.org/rtopkg/vocab/"
RTO_NS = "https://w3id.org/rtopkg/ontology#"
BUCKETS = {"actor", "person", "post", "place", "event", "work", "policy", "membership", "mandate", "pillarlink",
           "support", "count", "quote", "claim", "source"}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# The minimum size of the graph the source supports; the graph may grow, never shrink below these.
MIN_QUOTES = 150
MIN_ENTITIES = 250
MIN_DATED_EVENTS = 70


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_graph(ONTOLOGY_FILES)


@pytest.fixture(scope="module")
def data() -> Graph:
    return load_graph(DATA_FILES)


@pytest.fixture(scope="module")
def both(ontology, data) -> Graph:
    graph = Graph()
    graph += ontology
    graph += data
    return graph


def test_files_are_there():
    assert len(ONTOLOGY_FILES) == 3
    assert len(DATA_FILES) >= 5, "data/ should split the graph into several files"


@pytest.mark.parametrize("path", [pytest.param(p, id=str(p.relative_to(ROOT))) for p in ONTOLOGY_FILES + DATA_FILES])
def test_parses_with_rdflib_and_pyoxigraph(path: Path):
    """rdflib's own Turtle parser and Oxigraph's read the same graph."""
    with_rdflib = Graph().parse(path, format="turtle")
    with_oxigraph = load_graph([path])
    assert len(with_rdflib) > 0
    assert len(with_rdflib) == len(with_oxigraph)
    assert isomorphic(with_rdflib, with_oxigraph)
    assert len(list(pyoxigraph.parse(path=str(path)))) == len(with_rdflib)


def test_every_quote_is_verbatim(both):
    checked, problems = check_quotes(both, ROOT)
    assert checked >= MIN_QUOTES, f"only {checked} quotes"
    assert not problems, f"{len(problems)} of {checked} quotes do not match the source:\n" + "\n".join(map(str, problems))


def test_fold_only_folds_spaces():
    assert fold("a\u00a0 b\n c") == "a b c"
    assert fold("“R2P”") == "“R2P”"


def _declared(ontology: Graph) -> set[URIRef]:
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.TransitiveProperty,
             OWL.SymmetricProperty, RDFS.Class, RDF.Property}
    return {s for k in kinds for s in ontology.subjects(RDF.type, k) if isinstance(s, URIRef)}


BUILTIN = {RDF.type, RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.sameAs, OWL.versionInfo}


def test_every_term_used_in_data_is_declared(ontology, data):
    """Every property and class the data uses is declared in ontology/ (a misspelt term fails)."""
    declared = _declared(ontology) | BUILTIN
    used_predicates = set(data.predicates())
    used_classes = {o for o in data.objects(None, RDF.type) if isinstance(o, URIRef)}
    assert len(used_predicates) >= 20 and len(used_classes) >= 20
    undeclared = sorted(str(t) for t in (used_predicates | used_classes) - declared)
    assert not undeclared, "undeclared terms: " + ", ".join(undeclared)


def test_every_concept_used_is_in_a_scheme(both):
    """Values taken from the controlled vocabularies exist there."""
    used = {o for _, _, o in both if isinstance(o, URIRef) and str(o).startswith(VOCAB)}
    assert used
    missing = sorted(str(c) for c in used
                     if (c, RDF.type, URIRef("http://www.w3.org/2004/02/skos/core#Concept")) not in both
                     and (c, RDF.type, URIRef("http://www.w3.org/2004/02/skos/core#ConceptScheme")) not in both)
    assert not missing, "unknown concepts: " + ", ".join(missing)


def test_vocab_module_matches_ontology(ontology):
    in_ontology = {str(s)[len(RTO_NS):] for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(RTO_NS)}
    in_module = set(RTO.__annotations__)
    assert in_ontology == in_module


def test_every_ontology_term_has_label_and_definition(ontology):
    terms = {s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(RTO_NS)}
    assert len(terms) >= 90
    skos_definition = URIRef("http://www.w3.org/2004/02/skos/core#definition")
    missing = sorted(str(t) for t in terms
                     if not any(isinstance(l, Literal) and l.language == "en" for l in ontology.objects(t, RDFS.label))
                     or not any(isinstance(d, Literal) and d.language == "en" for d in ontology.objects(t, skos_definition)))
    assert not missing, "terms without an English label and definition: " + ", ".join(missing)


def test_instance_iris_are_well_formed(data):
    iris = {t for triple in data for t in triple if isinstance(t, URIRef) and str(t).startswith(ID)}
    assert len(iris) >= MIN_ENTITIES
    bad = []
    for iri in iris:
        bucket, _, slug = str(iri)[len(ID):].partition("/")
        if bucket not in BUCKETS or not SLUG.match(slug):
            bad.append(str(iri))
    assert not bad, "malformed instance IRIs: " + ", ".join(sorted(bad))


def test_no_dangling_references(both):
    """Every rtopkg IRI the graph mentions is described (has a type) somewhere."""
    mentioned = {t for s, p, o in both for t in (s, o)
                 if isinstance(t, URIRef) and (str(t).startswith(ID) or str(t).startswith(VOCAB))}
    typed = set(both.subjects(RDF.type, None))
    dangling = sorted(str(t) for t in mentioned - typed)
    assert not dangling, "mentioned but never described: " + ", ".join(dangling)


def test_every_resource_has_evidence(data):
    """Every described resource cites at least one quote (quotes, sources and SKOS concepts aside)."""
    exempt = {RTO.Quote, RTO.SourceDocument}
    subjects = {s for s, t in data.subject_objects(RDF.type) if isinstance(s, URIRef) and str(s).startswith(ID)
                and t not in exempt and not set(data.objects(s, RDF.type)) & exempt}
    assert len(subjects) >= MIN_ENTITIES
    missing = sorted(str(s) for s in subjects if (s, RTO.evidence, None) not in data)
    assert not missing, f"{len(missing)} resources without rto:evidence: " + ", ".join(missing[:50])


def test_dated_events(data):
    events = {s for s in data.subjects(URIRef("http://schema.org/startDate"), None)}
    events |= {s for s in data.subjects(URIRef("http://schema.org/endDate"), None)}
    disputed = set(data.subjects(RTO.datePrecision, URIRef(VOCAB + "date-precision/disputed")))
    assert len(events | disputed) >= MIN_DATED_EVENTS


@pytest.mark.java
def test_ontology_is_consistent_under_hermit(ontology):
    reason = hermit_available()
    if reason:
        pytest.skip(f"HermiT cannot run: {reason}")
    result = hermit_check(ontology, ignore_unsupported_datatypes=False)
    assert result.consistent, result.output[-2000:]
    assert not result.unsatisfiable, f"unsatisfiable classes: {result.unsatisfiable}"


@pytest.mark.java
def test_ontology_and_data_are_consistent_under_hermit(both):
    reason = hermit_available()
    if reason:
        pytest.skip(f"HermiT cannot run: {reason}")
    result = hermit_check(both, ignore_unsupported_datatypes=True)
    assert result.consistent, "the data contradicts the ontology (for instance one resource of two disjoint kinds)"
    assert not result.unsatisfiable, f"unsatisfiable classes: {result.unsatisfiable}"


@pytest.mark.java
def test_hermit_detects_an_inconsistency(ontology):
    """The consistency check can fail: a resource of two disjoint actor kinds is caught."""
    reason = hermit_available()
    if reason:
        pytest.skip(f"HermiT cannot run: {reason}")
    broken = Graph()
    broken += ontology
    x = URIRef(ID + "actor/test-double-kind")
    broken.add((x, RDF.type, RTO.Person))
    broken.add((x, RDF.type, RTO.State))
    assert not hermit_check(broken).consistent
