"""The catalogue written with the exports: DCAT-AP 3.0.1 conformance (official shapes, copied in
tests/data/dcat-ap-3.0.1), distributions that match the files, VoID statistics that match independent counts,
coverage computed from the graph, and a schema.org Dataset."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from rtopkg.cli import cli
from rtopkg.export import FORMATS, export
from rtopkg.paths import Project

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHAPES = HERE / "data" / "dcat-ap-3.0.1"
SAMPLE = HERE / "data" / "export" / "sample.ttl"
SPDX = Namespace("http://spdx.org/rdf/terms#")
# Plain namespaces (rdflib's DefinedNamespace classes make pytest's collection warn).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
SH = Namespace("http://www.w3.org/ns/shacl#")
VOID = Namespace("http://rdfs.org/ns/void#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
DATASET = URIRef("https://w3id.org/rtopkg/dataset")
CATALOG = URIRef("https://w3id.org/rtopkg/catalog")
BASE = "https://downloads.example.org/rtopkg/1.0/"
ENDPOINT = "https://sparql.example.org/rtopkg"
CONTINENTS = {URIRef("http://publications.europa.eu/resource/authority/continent/NORTH_AMERICA"),
              URIRef("http://publications.europa.eu/resource/authority/continent/SOUTH_AMERICA")}

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def shapes(*names: str) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(SHAPES / name, format="turtle")
    return graph


def validate(data: Graph, *names: str) -> tuple[bool, Graph]:
    import pyshacl

    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes(*names), inference="rdfs",
                                           allow_warnings=True)
    return conforms, report


def top_results(report: Graph) -> list[tuple]:
    """(focus node, path, severity) of the report's top-level results (not the nested sh:detail ones)."""
    out = []
    for result in report.objects(None, SH.result):
        out.append((report.value(result, SH.focusNode), report.value(result, SH.resultPath),
                    report.value(result, SH.resultSeverity)))
    return out


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> Path:
    """The sample graph with the project's ontology, exported with a SPARQL endpoint."""
    root = tmp_path_factory.mktemp("mini")
    shutil.copytree(ROOT / "ontology", root / "ontology")
    (root / "data").mkdir()
    shutil.copy(SAMPLE, root / "data" / SAMPLE.name)
    out = root / "out"
    export(out, list(FORMATS), base_url=BASE, sparql_endpoint=ENDPOINT, proj=Project(root))
    return out


@pytest.fixture(scope="module")
def project_export(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("project")
    export(out, list(FORMATS), base_url=BASE)
    return out


def catalogue(folder: Path) -> Graph:
    return Graph().parse(folder / "catalog.ttl", format="turtle")


def test_the_official_shapes_are_the_unmodified_copies():
    readme = (SHAPES / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme and "SEMICeu/DCAT-AP" in readme
    names = {"shapes.ttl", "range.ttl", "shapes_recommended.ttl", "mdr-vocabularies.shape.ttl",
             "deprecateduris.ttl", "imports.ttl"}
    assert names <= {p.name for p in SHAPES.iterdir()}
    assert len(list(shapes("shapes.ttl", "range.ttl").subjects(SH.targetClass, None))) >= 15


@pytest.mark.parametrize("which", ["mini", "project_export"])
def test_conforms_to_dcat_ap_3(request, which: str):
    conforms, report = validate(catalogue(request.getfixturevalue(which)), "shapes.ttl", "range.ttl")
    assert conforms, report.serialize(format="turtle")


def test_a_broken_catalogue_does_not_conform(mini: Path):
    """The check can fail: without a title and a download URL the same catalogue violates the shapes."""
    graph = catalogue(mini)
    graph.remove((DATASET, DCTERMS["title"], None))
    for dist in graph.objects(DATASET, DCAT.distribution):
        graph.remove((dist, DCAT.accessURL, None))
    conforms, report = validate(graph, "shapes.ttl", "range.ttl")
    paths = {path for _, path, _ in top_results(report)}
    assert not conforms and {DCTERMS["title"], DCAT.accessURL} <= paths


def test_recommended_warnings_left_are_only_continent_geometry(mini: Path):
    conforms, report = validate(catalogue(mini), "shapes_recommended.ttl")
    results = top_results(report)
    assert sorted((str(f), str(p)) for f, p, _ in results) == sorted(
        (str(c), str(p)) for c in CONTINENTS for p in (DCAT.bbox, DCAT.centroid))
    assert {s for _, _, s in results} == {SH.Warning}


def test_recommended_warnings_on_the_project(project_export: Path):
    graph = catalogue(project_export)
    _, report = validate(graph, "shapes_recommended.ttl")
    left = {(str(f), str(p)) for f, p, _ in top_results(report)}
    allowed = {(str(c), str(p)) for c in CONTINENTS for p in (DCAT.bbox, DCAT.centroid)}
    if (DATASET, DCTERMS.temporal, None) not in graph:  # only when the graph holds no dated event yet
        allowed.add((str(DATASET), str(DCTERMS.temporal)))
    assert left <= allowed and left >= {(str(c), str(DCAT.bbox)) for c in CONTINENTS}


def test_controlled_vocabularies_and_deprecations(mini: Path):
    """The code-list shapes only flag what rtopkg cannot change: a publisher that is not an EU body (a
    warning), and SPDX's own namespace, which the official pattern misspells (https://spdx.org/rdf/terms
    while SPDX terms are http://spdx.org/rdf/terms#)."""
    _, report = validate(catalogue(mini), "mdr-vocabularies.shape.ttl")
    results = top_results(report)
    publisher = [(f, s) for f, p, s in results if p == DCTERMS.publisher]
    checksum = [(f, s) for f, p, s in results if p == SPDX.algorithm]
    assert len(publisher) == 3 and {s for _, s in publisher} == {SH.Warning}
    assert len(checksum) == len(FORMATS) and {s for _, s in checksum} == {SH.Violation}
    assert len(results) == len(publisher) + len(checksum)
    conforms, _ = validate(catalogue(mini), "deprecateduris.ttl")
    assert conforms


def test_one_distribution_per_file_matching_its_bytes(mini: Path):
    graph = catalogue(mini)
    distributions = list(graph.objects(DATASET, DCAT.distribution))
    assert len(distributions) == len(FORMATS)
    seen = set()
    for dist in distributions:
        url = str(graph.value(dist, DCAT.downloadURL))
        assert url.startswith(BASE) and graph.value(dist, DCAT.accessURL) == URIRef(url)
        name = url[len(BASE):]
        fmt = next(f for f in FORMATS.values() if f.filename == name)
        data = (mini / name).read_bytes()
        size = graph.value(dist, DCAT.byteSize)
        assert size.datatype == XSD.nonNegativeInteger and int(size) == len(data)
        checksum = graph.value(dist, SPDX.checksum)
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        value = graph.value(checksum, SPDX.checksumValue)
        assert value.datatype == XSD.hexBinary and str(value) == hashlib.sha256(data).hexdigest()
        assert graph.value(dist, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/"
                                                           + fmt.media_type)
        assert graph.value(dist, DCTERMS["format"]) == URIRef(
            "http://publications.europa.eu/resource/authority/file-type/" + fmt.file_type)
        assert graph.value(dist, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
        assert (DATASET, VOID.dataDump, URIRef(url)) in graph
        seen.add(name)
    assert seen == {f.filename for f in FORMATS.values()}


def test_void_statistics_match_independent_sparql_counts(mini: Path):
    graph = catalogue(mini)
    store = ox.Store()
    store.load(path=str(mini / "rtopkg.nt"), format=ox.RdfFormat.N_TRIPLES)

    def one(query: str) -> int:
        return int(next(iter(store.query(query)))[0].value)

    assert int(graph.value(DATASET, VOID.triples)) == one("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert int(graph.value(DATASET, VOID.distinctSubjects)) == one("SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }")
    assert int(graph.value(DATASET, VOID.distinctObjects)) == one("SELECT (COUNT(DISTINCT ?o) AS ?n) { ?s ?p ?o }")
    classes = {row[0].value: int(row[1].value) for row in store.query(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c } GROUP BY ?c")}
    properties = {row[0].value: int(row[1].value) for row in store.query(
        "SELECT ?p (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?p")}
    got_classes = {str(graph.value(part, VOID["class"])): int(graph.value(part, VOID.entities))
                   for part in graph.objects(DATASET, VOID.classPartition)}
    got_properties = {str(graph.value(part, VOID.property)): int(graph.value(part, VOID.triples))
                      for part in graph.objects(DATASET, VOID.propertyPartition)}
    assert got_classes == classes and len(classes) > 20
    assert got_properties == properties and len(properties) > 20
    assert int(graph.value(DATASET, VOID.classes)) == len(classes)
    assert int(graph.value(DATASET, VOID.properties)) == len(properties)
    examples = set(graph.objects(DATASET, VOID.exampleResource))
    subjects = {row[0].value for row in store.query("SELECT DISTINCT ?s { ?s ?p ?o }")}
    assert examples and {str(e) for e in examples} <= subjects
    assert graph.value(DATASET, VOID.sparqlEndpoint) == URIRef(ENDPOINT)


def test_coverage_comes_from_the_graph(mini: Path):
    graph = catalogue(mini)
    period = graph.value(DATASET, DCTERMS.temporal)
    # sample.ttl: the earliest date is the Genocide Convention (1948-12-09), the latest the forum's end
    assert graph.value(period, DCAT.startDate) == Literal("1948-12-09", datatype=XSD.date)
    assert graph.value(period, DCAT.endDate) == Literal("2016-06-03", datatype=XSD.date)
    assert set(graph.objects(DATASET, DCTERMS.spatial)) == CONTINENTS
    languages = {str(o).rsplit("/", 1)[1] for o in graph.objects(DATASET, DCTERMS.language)}
    assert languages == {"ENG", "SPA"}  # sample.ttl and the ontology use @en and @es only
    themes = {str(o).rsplit("/", 1)[1] for o in graph.objects(DATASET, DCAT.theme)}
    assert themes == {"JUST", "GOVE", "INTR"}
    assert graph.value(DATASET, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert (URIRef("https://w3id.org/rtopkg/id/source/icrtop-americas") in
            set(graph.objects(DATASET, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))))


def test_dates_come_from_the_data_or_the_options(mini: Path, tmp_path: Path):
    ontology = Graph().parse(ROOT / "ontology" / "rtopkg.ttl")
    created = ontology.value(URIRef("https://w3id.org/rtopkg/ontology"), DCTERMS.created)
    graph = catalogue(mini)
    assert graph.value(DATASET, DCTERMS.issued) == created
    assert graph.value(CATALOG, DCTERMS.issued) == created
    newest = max(str(created), "2016-06-30")  # sample.ttl's source document was created 2016-06-30
    assert str(graph.value(DATASET, DCTERMS.modified)) == newest

    root = mini.parent
    export(tmp_path, ["turtle"], issued="2020-01-02", modified="2021-03-04", proj=Project(root))
    graph = catalogue(tmp_path)
    assert graph.value(DATASET, DCTERMS.issued) == Literal("2020-01-02", datatype=XSD.date)
    assert graph.value(DATASET, DCTERMS.modified) == Literal("2021-03-04", datatype=XSD.date)


def test_data_service_only_with_an_endpoint(mini: Path, project_export: Path):
    with_endpoint, without = catalogue(mini), catalogue(project_export)
    services = list(with_endpoint.subjects(RDF.type, DCAT.DataService))
    assert len(services) == 1
    assert with_endpoint.value(services[0], DCAT.endpointURL) == URIRef(ENDPOINT)
    assert with_endpoint.value(services[0], DCAT.servesDataset) == DATASET
    assert (CATALOG, DCAT.service, services[0]) in with_endpoint
    assert not list(without.subjects(RDF.type, DCAT.DataService))
    assert without.value(DATASET, VOID.sparqlEndpoint) is None


def test_schema_org_dataset(mini: Path):
    text = (mini / "dataset.jsonld").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert doc["@context"] == {"@vocab": "https://schema.org/"}
    quads = list(ox.parse(text.encode("utf-8"), ox.RdfFormat.JSON_LD))
    schema = "https://schema.org/"
    types = {q.object.value for q in quads if q.predicate.value.endswith("rdf-syntax-ns#type")}
    assert {schema + "Dataset", schema + "DataDownload", schema + "Organization", schema + "Place"} <= types
    downloads = [d for d in doc["distribution"] if d["contentUrl"].startswith(BASE)]
    assert len(downloads) == len(FORMATS)
    for d in downloads:
        data = (mini / d["contentUrl"][len(BASE):]).read_bytes()
        assert d["sha256"] == hashlib.sha256(data).hexdigest() and d["contentSize"] == f"{len(data)} B"
    assert doc["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert doc["temporalCoverage"] == "1948-12-09/2016-06-03"
    assert {p["name"] for p in doc["spatialCoverage"]} == {"North America", "South America"}
    assert "Responsibility to Protect" in doc["keywords"]
    assert doc["creator"]["name"] and doc["publisher"]["name"]


def test_cli_reports_catalogue_files(runner, tmp_path: Path):
    result = runner.invoke(cli, ["export", "--format", "turtle", "--out", str(tmp_path), "--base-url",
                                 "https://example.org/dumps", "--contact-email", "rtopkg@example.org"])
    assert result.exit_code == 0, result.stderr
    graph = catalogue(tmp_path)
    dist = next(graph.objects(DATASET, DCAT.distribution))
    assert graph.value(dist, DCAT.downloadURL) == URIRef("https://example.org/dumps/rtopkg.ttl")
    contact = graph.value(DATASET, DCAT.contactPoint)
    assert graph.value(contact, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")) == URIRef(
        "mailto:rtopkg@example.org")
    assert "catalog.ttl" in result.stdout and "dataset.jsonld" in result.stdout
