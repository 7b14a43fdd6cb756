"""The catalogue written beside the exports: DCAT-AP 3 with VoID statistics, and a schema.org ``Dataset``.

``catalog.ttl`` describes, in one graph:

* a ``dcat:Catalog`` (publisher, homepage, licence, languages, spatial coverage, the EU data-theme taxonomy);
* the ``dcat:Dataset`` (also a ``void:Dataset``) with title, description, licence CC BY 4.0, publisher,
  contact point, temporal coverage (the span of the graph's dates, computed), spatial coverage (North and
  South America, from the EU continents authority table), keywords, EU data themes, languages (from the
  language tags of the graph), and VoID statistics computed from the graph: triples, distinct subjects and
  objects, class and property partitions, example resources, data dumps, vocabularies, SPARQL endpoint;
* one ``dcat:Distribution`` per export file: download URL, IANA media type, EU file type, byte size and
  SHA-256 checksum (``spdx:Checksum``), licence, availability;
* a ``dcat:DataService`` for the SPARQL endpoint, when one is given.

It conforms to the official DCAT-AP 3.0.1 SHACL shapes (``shapes.ttl`` with ``range.ttl`` under RDFS
inference); of the recommended-property shapes only ``dcat:bbox``/``dcat:centroid`` of the two continents are
left open (the source gives no geometry, and rtopkg does not make one up).

``dataset.jsonld`` is the same dataset as a schema.org ``Dataset`` for dataset search engines, with its context
inline (``{"@vocab": "https://schema.org/"}``) rather than a remote one.

Nothing here reads the clock: ``dct:issued`` is the ontology's ``dcterms:created`` and ``dct:modified`` the
newest ``dcterms:created``/``modified``/``issued``/``date`` of the graph, unless ``--issued``/``--modified`` say
otherwise.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Iterable, Sequence
from urllib.parse import urlsplit

import pyoxigraph as ox

from . import __version__
from .canonical import RDF_TYPE, XSD, PrefixMap, serialize_turtle
from .errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from .export import ExportedFile, ProjectDataset

__all__ = ["CatalogOptions", "VoidStats", "void_stats", "temporal_coverage", "catalogue_graph",
           "schema_org_dataset", "catalogue_files", "CATALOG", "DATASET"]

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
SPDX = "http://spdx.org/rdf/terms#"
VOID = "http://rdfs.org/ns/void#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
PROV = "http://www.w3.org/ns/prov#"
DCATAP = "http://data.europa.eu/r5r/"
SCHEMA = "http://schema.org/"
TIME = "http://www.w3.org/2006/time#"
OWL = "http://www.w3.org/2002/07/owl#"
RTO = "https://w3id.org/rtopkg/ontology#"
EU = "http://publications.europa.eu/resource/authority/"

HOMEPAGE = "https://w3id.org/rtopkg"
CATALOG = "https://w3id.org/rtopkg/catalog"
DATASET = "https://w3id.org/rtopkg/dataset"
PUBLISHER = "https://w3id.org/rtopkg/developers"
CONTACT = "https://w3id.org/rtopkg/contact"
SERVICE = "https://w3id.org/rtopkg/dataset/sparql"
ONTOLOGY = "https://w3id.org/rtopkg/ontology"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
PUBLISHER_NAME = "The rtopkg developers"

TITLE = "rtopkg: the Responsibility to Protect in the Americas"
DESCRIPTION = ("An open knowledge graph of the Responsibility to Protect (RtoP, R2P) in the Americas: states, "
               "intergovernmental organisations and their organs, government bodies, civil-society and academic "
               "organisations, networks and people; their memberships, mandates and ties to the three pillars of "
               "RtoP; dated events and publications. Every statement is traceable to a verbatim quote of its source "
               "document, and the OWL ontology, SKOS vocabularies and SHACL shapes travel with the data.")
KEYWORDS_EN = ["Responsibility to Protect", "R2P", "RtoP", "atrocity prevention", "genocide prevention",
               "mass atrocities", "human rights", "Americas", "Latin America", "Caribbean", "knowledge graph",
               "linked data"]
KEYWORDS_OTHER = [("Responsabilidad de Proteger", "es"), ("Responsabilidade de Proteger", "pt")]
THEMES = {"JUST": "Justice, legal system and public safety", "GOVE": "Government and public sector",
          "INTR": "International issues"}
CONTINENTS = {"NORTH_AMERICA": "North America", "SOUTH_AMERICA": "South America"}
LANGUAGES = {"en": ("ENG", "English"), "es": ("SPA", "Spanish"), "pt": ("POR", "Portuguese"),
             "fr": ("FRA", "French"), "de": ("DEU", "German"), "it": ("ITA", "Italian"), "nl": ("NLD", "Dutch")}
FILE_TYPE_LABELS = {"RDF_TURTLE": "RDF Turtle", "RDF_N_TRIPLES": "RDF N-Triples", "RDF_N_QUADS": "RDF N-Quads",
                    "RDF_TRIG": "RDF TriG", "JSON_LD": "JSON-LD", "RDF_XML": "RDF/XML"}
FORMAT_STANDARDS = {"turtle": ("https://www.w3.org/TR/turtle/", "RDF 1.1 Turtle"),
                    "ntriples": ("https://www.w3.org/TR/n-triples/", "RDF 1.1 N-Triples"),
                    "nquads": ("https://www.w3.org/TR/n-quads/", "RDF 1.1 N-Quads"),
                    "trig": ("https://www.w3.org/TR/trig/", "RDF 1.1 TriG"),
                    "jsonld": ("https://www.w3.org/TR/json-ld11/", "JSON-LD 1.1"),
                    "rdfxml": ("https://www.w3.org/TR/rdf-syntax-grammar/", "RDF 1.1 XML Syntax")}
W3C_FORMATS = {"turtle": "Turtle", "ntriples": "N-Triples", "nquads": "N-Quads", "trig": "TriG",
               "jsonld": "JSON-LD", "rdfxml": "RDF_XML"}
# Schemes of the EU and ADMS code lists used, with their titles.
SCHEMES = {EU + "data-theme": "Data theme", EU + "continent": "Continent", EU + "language": "Language",
           EU + "file-type": "File type", EU + "planned-availability": "Planned availability",
           EU + "frequency": "Frequency", EU + "access-right": "Access right",
           "http://purl.org/adms/publishertype/1.0": "Publisher type",
           "http://purl.org/adms/licencetype/1.0": "Licence type"}
EXTRA_PREFIXES = {"vcard": VCARD, "spdx": SPDX, "dcatap": DCATAP}
DATE_PROPERTIES = (SCHEMA + "startDate", SCHEMA + "endDate", TIME + "inXSDDate", TIME + "inXSDgYearMonth",
                   TIME + "inXSDgYear")
STAMP_PROPERTIES = (DCT + "created", DCT + "modified", DCT + "issued", DCT + "date")

_DATE = re.compile(r"(-?\d{4,})-(\d\d)-(\d\d)")
_YEAR_MONTH = re.compile(r"(-?\d{4,})-(\d\d)")
_YEAR = re.compile(r"(-?\d{4,})")
_TZ = re.compile(r"(Z|[+-]\d\d:\d\d)$")


@dataclass
class CatalogOptions:
    """What the catalogue cannot learn from the graph."""

    base_url: str = "https://w3id.org/rtopkg/dumps/"
    sparql_endpoint: str | None = None
    issued: str | None = None
    modified: str | None = None
    contact_email: str | None = None

    def check(self) -> None:
        """Refuse values that would make a broken catalogue (one line, naming the option)."""
        for option, value in (("--base-url", self.base_url), ("--sparql-endpoint", self.sparql_endpoint)):
            if value is None:
                continue
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"[\s<>\"{}|\\^`]", value):
                raise InputError(f"{option} {value!r}: not an absolute http(s) URL")
        if not self.base_url.endswith("/"):
            self.base_url += "/"
        for option, value in (("--issued", self.issued), ("--modified", self.modified)):
            if value is not None:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    raise InputError(f"{option} {value!r}: not a date (YYYY-MM-DD)") from None
        if self.contact_email is not None and not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", self.contact_email):
            raise InputError(f"--contact-email {self.contact_email!r}: not an e-mail address")


# ---------------------------------------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------------------------------------


@dataclass
class VoidStats:
    """VoID statistics of a graph."""

    triples: int
    distinct_subjects: int
    distinct_objects: int
    classes: dict[str, int]  # class IRI -> number of distinct instances
    properties: dict[str, int]  # property IRI -> number of triples
    examples: list[str] = field(default_factory=list)


def void_stats(triples: Sequence[Sequence]) -> VoidStats:
    """Count triples, distinct subjects and objects, instances per class and triples per property."""
    triples = list(dict.fromkeys((t[0], t[1], t[2]) for t in triples))
    instances: dict[str, set] = defaultdict(set)
    properties: Counter = Counter()
    size: Counter = Counter()
    for s, p, o in triples:
        properties[p.value] += 1
        size[s] += 1
        if p.value == RDF_TYPE and isinstance(o, ox.NamedNode):
            instances[o.value].add(s)
    classes = {c: len(members) for c, members in sorted(instances.items())}
    # Example resources: for the five rtopkg classes with most instances, the instance described by most triples.
    ranked = sorted((c for c in classes if c.startswith(RTO)), key=lambda c: (-classes[c], c))[:5]
    examples = []
    for c in ranked:
        named = [s for s in instances[c] if isinstance(s, ox.NamedNode)]
        if named:
            examples.append(min(named, key=lambda s: (-size[s], s.value)).value)
    return VoidStats(len(triples), len({s for s, _, _ in triples}), len({o for _, _, o in triples}), classes,
                     dict(sorted(properties.items())), list(dict.fromkeys(examples)))


def _span(literal: "ox.Literal") -> tuple[date, date] | None:
    """The first and last day a date, year-month or year literal covers (None when it is none of them)."""
    datatype = literal.datatype.value if literal.datatype else ""
    value = _TZ.sub("", literal.value.strip())
    try:
        if datatype in (XSD + "date", XSD + "dateTime"):
            m = _DATE.match(value)
            if m and int(m.group(1)) > 0:
                d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                return d, d
        elif datatype == XSD + "gYearMonth":
            m = _YEAR_MONTH.fullmatch(value)
            if m and int(m.group(1)) > 0:
                y, mo = int(m.group(1)), int(m.group(2))
                if mo == 12:
                    last = date(y, 12, 31)
                else:
                    last = date(y, mo + 1, 1) - date.resolution
                return date(y, mo, 1), last
        elif datatype == XSD + "gYear":
            m = _YEAR.fullmatch(value)
            if m and int(m.group(1)) > 0:
                y = int(m.group(1))
                return date(y, 1, 1), date(y, 12, 31)
    except ValueError:
        return None
    return None


def temporal_coverage(triples: Iterable[Sequence]) -> tuple["ox.Literal", "ox.Literal"] | None:
    """The earliest and the latest date of the graph's events and memberships, at the precision written."""
    starts, ends = [], []
    for s, p, o in triples:
        if p.value in DATE_PROPERTIES and isinstance(o, ox.Literal):
            found = _span(o)
            if found:
                starts.append((found[0], o.value, o))
                ends.append((found[1], o.value, o))
    if not starts:
        return None
    first = min(starts, key=lambda x: (x[0], x[1]))[2]
    last = max(ends, key=lambda x: (x[0], x[1]))[2]
    return first, last


def _stamp_dates(triples: Sequence[Sequence]) -> list[str]:
    out = []
    for s, p, o in triples:
        if p.value in STAMP_PROPERTIES and isinstance(o, ox.Literal) \
                and o.datatype.value in (XSD + "date", XSD + "dateTime"):
            m = _DATE.match(o.value)
            if m:
                out.append(m.group(0))
    return sorted(out)


def _languages(triples: Iterable[Sequence]) -> list[str]:
    found = {o.language.split("-")[0].lower() for _, _, o in triples if isinstance(o, ox.Literal) and o.language}
    return sorted(code for code in found if code in LANGUAGES)


# ---------------------------------------------------------------------------------------------------------
# The DCAT-AP graph
# ---------------------------------------------------------------------------------------------------------


class _Graph:
    """Triples being written, and the code-list schemes their concepts belong to."""

    def __init__(self) -> None:
        self.triples: list[tuple] = []
        self.schemes: set[str] = set()

    def add(self, s, p: str, o) -> None:
        s = ox.NamedNode(s) if isinstance(s, str) else s
        o = ox.NamedNode(o) if isinstance(o, str) else o
        self.triples.append((s, ox.NamedNode(p), o))

    def concept(self, iri: str, label: str, scheme: str, *types: str) -> None:
        for t in (SKOS + "Concept",) + types:
            self.add(iri, RDF_TYPE, t)
        self.add(iri, SKOS + "prefLabel", ox.Literal(label, language="en"))
        self.add(iri, SKOS + "inScheme", scheme)
        self.schemes.add(scheme)


def _lit(value, datatype: str | None = None, language: str | None = None) -> "ox.Literal":
    if language:
        return ox.Literal(str(value), language=language)
    if datatype:
        return ox.Literal(str(value), datatype=ox.NamedNode(datatype))
    return ox.Literal(str(value))


def _dates(dataset: "ProjectDataset", options: CatalogOptions) -> tuple[str, str]:
    """``(issued, modified)``: the options, else the ontology's creation date and the newest date stamp."""
    from .export import GRAPH_ONTOLOGY

    issued = options.issued
    if issued is None:
        ontology = dataset.graphs[GRAPH_ONTOLOGY]
        ontologies = {s for s, p, o in ontology if p.value == RDF_TYPE and o == ox.NamedNode(OWL + "Ontology")}
        stamps = _stamp_dates([t for t in ontology if t[0] in ontologies and t[1].value == DCT + "created"])
        stamps = stamps or _stamp_dates(dataset.union)
        if not stamps:
            raise InputError("the graph holds no dcterms:created date to date the release; give --issued YYYY-MM-DD")
        issued = stamps[0]
    modified = options.modified or max(_stamp_dates(dataset.union) + [issued])
    return issued, modified


def catalogue_graph(dataset: "ProjectDataset", files: Sequence["ExportedFile"], options: CatalogOptions,
                    stats: VoidStats | None = None) -> list[tuple]:
    """The DCAT-AP 3 + VoID description of ``dataset`` and its export ``files`` (pyoxigraph triples)."""
    union = dataset.union
    stats = stats or void_stats(union)
    issued, modified = _dates(dataset, options)
    g = _Graph()
    date_issued, date_modified = _lit(issued, XSD + "date"), _lit(modified, XSD + "date")
    languages = _languages(union)

    # Shared resources: publisher, contact point, licence, homepage, code-list concepts.
    g.add(PUBLISHER, RDF_TYPE, FOAF + "Agent")
    g.add(PUBLISHER, RDF_TYPE, FOAF + "Organization")
    g.add(PUBLISHER, FOAF + "name", _lit(PUBLISHER_NAME))
    g.add(PUBLISHER, FOAF + "homepage", HOMEPAGE)
    g.add(PUBLISHER, DCT + "type", "http://purl.org/adms/publishertype/NonProfitOrganisation")
    g.concept("http://purl.org/adms/publishertype/NonProfitOrganisation", "Non-profit organisation",
              "http://purl.org/adms/publishertype/1.0")
    g.add(CONTACT, RDF_TYPE, VCARD + "Kind")
    g.add(CONTACT, RDF_TYPE, VCARD + "Organization")
    g.add(CONTACT, VCARD + "fn", _lit(PUBLISHER_NAME))
    g.add(CONTACT, VCARD + "hasURL", HOMEPAGE)
    if options.contact_email:
        g.add(CONTACT, VCARD + "hasEmail", "mailto:" + options.contact_email)
    g.add(LICENSE, RDF_TYPE, DCT + "LicenseDocument")
    g.add(LICENSE, RDFS + "label", _lit("Creative Commons Attribution 4.0 International (CC BY 4.0)", language="en"))
    g.add(LICENSE, DCT + "type", "http://purl.org/adms/licencetype/Attribution")
    g.concept("http://purl.org/adms/licencetype/Attribution", "Attribution", "http://purl.org/adms/licencetype/1.0")
    g.add(HOMEPAGE, RDF_TYPE, FOAF + "Document")
    g.add(ONTOLOGY, RDF_TYPE, DCT + "Standard")
    g.add(ONTOLOGY, DCT + "title", _lit("rtopkg ontology: the Responsibility to Protect in the Americas",
                                        language="en"))
    for code, label in THEMES.items():
        g.concept(EU + "data-theme/" + code, label, EU + "data-theme")
    for code, label in CONTINENTS.items():
        g.concept(EU + "continent/" + code, label, EU + "continent", DCT + "Location")
    for code in languages:
        eu_code, label = LANGUAGES[code]
        g.concept(EU + "language/" + eu_code, label, EU + "language", DCT + "LinguisticSystem")
    g.concept(EU + "planned-availability/STABLE", "stable", EU + "planned-availability")
    g.concept(EU + "frequency/IRREG", "irregular", EU + "frequency", DCT + "Frequency")
    g.concept(EU + "access-right/PUBLIC", "public", EU + "access-right", DCT + "RightsStatement")

    # The catalogue.
    g.add(CATALOG, RDF_TYPE, DCAT + "Catalog")
    g.add(CATALOG, DCT + "title", _lit("rtopkg catalogue", language="en"))
    g.add(CATALOG, DCT + "description", _lit("The datasets and services of rtopkg, an open knowledge graph of the "
                                             "Responsibility to Protect in the Americas.", language="en"))
    g.add(CATALOG, DCT + "publisher", PUBLISHER)
    g.add(CATALOG, FOAF + "homepage", HOMEPAGE)
    g.add(CATALOG, DCT + "license", LICENSE)
    g.add(CATALOG, DCT + "issued", date_issued)
    g.add(CATALOG, DCT + "modified", date_modified)
    g.add(CATALOG, DCAT + "themeTaxonomy", EU + "data-theme")
    g.add(CATALOG, DCAT + "dataset", DATASET)
    for code in CONTINENTS:
        g.add(CATALOG, DCT + "spatial", EU + "continent/" + code)
    for code in languages:
        g.add(CATALOG, DCT + "language", EU + "language/" + LANGUAGES[code][0])

    # The dataset.
    d = DATASET
    g.add(d, RDF_TYPE, DCAT + "Dataset")
    g.add(d, RDF_TYPE, VOID + "Dataset")
    g.add(d, DCT + "title", _lit(TITLE, language="en"))
    g.add(d, DCT + "description", _lit(DESCRIPTION, language="en"))
    g.add(d, DCT + "identifier", _lit(DATASET))
    g.add(d, DCAT + "version", _lit(__version__))
    g.add(d, DCT + "issued", date_issued)
    g.add(d, DCT + "modified", date_modified)
    g.add(d, DCT + "publisher", PUBLISHER)
    g.add(d, DCT + "creator", PUBLISHER)
    g.add(d, DCAT + "contactPoint", CONTACT)
    g.add(d, DCT + "license", LICENSE)
    g.add(d, DCT + "accessRights", EU + "access-right/PUBLIC")
    g.add(d, DCT + "accrualPeriodicity", EU + "frequency/IRREG")
    g.add(d, DCAT + "landingPage", HOMEPAGE)
    g.add(d, DCT + "conformsTo", ONTOLOGY)
    for code in CONTINENTS:
        g.add(d, DCT + "spatial", EU + "continent/" + code)
    for code in languages:
        g.add(d, DCT + "language", EU + "language/" + LANGUAGES[code][0])
    for code in THEMES:
        g.add(d, DCAT + "theme", EU + "data-theme/" + code)
    for word in KEYWORDS_EN:
        g.add(d, DCAT + "keyword", _lit(word, language="en"))
    for word, language in KEYWORDS_OTHER:
        g.add(d, DCAT + "keyword", _lit(word, language=language))
    span = temporal_coverage(union)
    if span:
        period = ox.BlankNode()
        g.add(d, DCT + "temporal", period)
        g.add(period, RDF_TYPE, DCT + "PeriodOfTime")
        g.add(period, DCAT + "startDate", span[0])
        g.add(period, DCAT + "endDate", span[1])
    provenance = ox.BlankNode()
    g.add(d, DCT + "provenance", provenance)
    g.add(provenance, RDF_TYPE, DCT + "ProvenanceStatement")
    g.add(provenance, RDFS + "label", _lit(
        "Curated by hand from the source documents it cites. Every resource links with rto:evidence to rto:Quote "
        "resources, each a verbatim passage of a source document with its line number; statements from outside "
        "knowledge are rto:Claim resources with their own source, and conflicting statements are kept as "
        "conflicting claims.", language="en"))
    for s, p, o in union:
        if p.value == RDF_TYPE and isinstance(o, ox.NamedNode) and o.value == RTO + "SourceDocument" \
                and isinstance(s, ox.NamedNode):
            g.add(d, PROV + "wasDerivedFrom", s)

    # VoID.
    g.add(d, VOID + "triples", _lit(stats.triples, XSD + "integer"))
    g.add(d, VOID + "distinctSubjects", _lit(stats.distinct_subjects, XSD + "integer"))
    g.add(d, VOID + "distinctObjects", _lit(stats.distinct_objects, XSD + "integer"))
    g.add(d, VOID + "classes", _lit(len(stats.classes), XSD + "integer"))
    g.add(d, VOID + "properties", _lit(len(stats.properties), XSD + "integer"))
    g.add(d, VOID + "uriSpace", _lit("https://w3id.org/rtopkg/id/"))
    for iri, count in stats.classes.items():
        part = ox.BlankNode()
        g.add(d, VOID + "classPartition", part)
        g.add(part, VOID + "class", iri)
        g.add(part, VOID + "entities", _lit(count, XSD + "integer"))
    for iri, count in stats.properties.items():
        part = ox.BlankNode()
        g.add(d, VOID + "propertyPartition", part)
        g.add(part, VOID + "property", iri)
        g.add(part, VOID + "triples", _lit(count, XSD + "integer"))
    for iri in stats.examples:
        g.add(d, VOID + "exampleResource", iri)
    from .prefixes import PREFIXES
    used = {p for p in stats.properties} | set(stats.classes)
    for ns in sorted({ns for ns in PREFIXES.values() if any(u.startswith(ns) for u in used)}):
        if not ns.startswith("https://w3id.org/rtopkg/id/"):
            g.add(d, VOID + "vocabulary", ns)

    # The distributions.
    for f in files:
        fmt = f.format
        url = options.base_url + fmt.filename
        dist = f"{DATASET}/distribution/{fmt.name}"
        g.add(d, DCAT + "distribution", dist)
        g.add(d, VOID + "dataDump", url)
        g.add(d, VOID + "feature", "http://www.w3.org/ns/formats/" + W3C_FORMATS[fmt.name])
        g.add(dist, RDF_TYPE, DCAT + "Distribution")
        g.add(dist, DCT + "title", _lit(f"rtopkg in {fmt.label}", language="en"))
        what = ("the ontology, data and provenance named graphs" if fmt.named_graphs
                else "the ontology, data and provenance in one graph")
        g.add(dist, DCT + "description", _lit(f"The whole knowledge graph as {fmt.label} ({what}; {f.triples} "
                                              f"{'quads' if fmt.named_graphs else 'triples'}).", language="en"))
        g.add(dist, DCAT + "accessURL", url)
        g.add(dist, DCAT + "downloadURL", url)
        g.add(dist, DCAT + "mediaType", fmt.media_type_iri)
        g.add(fmt.media_type_iri, RDF_TYPE, DCT + "MediaType")
        g.add(dist, DCT + "format", fmt.file_type_iri)
        g.concept(fmt.file_type_iri, FILE_TYPE_LABELS[fmt.file_type], EU + "file-type", DCT + "MediaTypeOrExtent")
        standard, standard_title = FORMAT_STANDARDS[fmt.name]
        g.add(dist, DCT + "conformsTo", standard)
        g.add(standard, RDF_TYPE, DCT + "Standard")
        g.add(standard, DCT + "title", _lit(standard_title, language="en"))
        g.add(dist, DCAT + "byteSize", _lit(f.size, XSD + "nonNegativeInteger"))
        checksum = ox.BlankNode()
        g.add(dist, SPDX + "checksum", checksum)
        g.add(checksum, RDF_TYPE, SPDX + "Checksum")
        g.add(checksum, SPDX + "algorithm", SPDX + "checksumAlgorithm_sha256")
        g.add(checksum, SPDX + "checksumValue", _lit(f.sha256, XSD + "hexBinary"))
        g.add(SPDX + "checksumAlgorithm_sha256", RDF_TYPE, SPDX + "ChecksumAlgorithm")
        g.add(dist, DCT + "license", LICENSE)
        g.add(dist, DCATAP + "availability", EU + "planned-availability/STABLE")
        g.add(dist, DCT + "issued", date_issued)
        g.add(dist, DCT + "modified", date_modified)
        for code in languages:
            g.add(dist, DCT + "language", EU + "language/" + LANGUAGES[code][0])

    # The SPARQL endpoint.
    if options.sparql_endpoint:
        endpoint = options.sparql_endpoint
        g.add(d, VOID + "sparqlEndpoint", endpoint)
        g.add(CATALOG, DCAT + "service", SERVICE)
        g.add(SERVICE, RDF_TYPE, DCAT + "DataService")
        g.add(SERVICE, DCT + "title", _lit("rtopkg SPARQL endpoint", language="en"))
        g.add(SERVICE, DCT + "description", _lit("A SPARQL 1.1 endpoint serving the rtopkg knowledge graph.",
                                                 language="en"))
        g.add(SERVICE, DCAT + "endpointURL", endpoint)
        g.add(SERVICE, DCAT + "endpointDescription", endpoint)
        g.add(SERVICE, DCAT + "servesDataset", DATASET)
        g.add(SERVICE, DCT + "conformsTo", "https://www.w3.org/TR/sparql11-protocol/")
        g.add("https://www.w3.org/TR/sparql11-protocol/", RDF_TYPE, DCT + "Standard")
        g.add("https://www.w3.org/TR/sparql11-protocol/", DCT + "title",
              _lit("SPARQL 1.1 Protocol", language="en"))
        g.add(SERVICE, DCAT + "contactPoint", CONTACT)
        g.add(SERVICE, DCT + "publisher", PUBLISHER)
        g.add(SERVICE, DCT + "license", LICENSE)
        g.add(SERVICE, DCT + "accessRights", EU + "access-right/PUBLIC")
        for code in THEMES:
            g.add(SERVICE, DCAT + "theme", EU + "data-theme/" + code)
        for word in KEYWORDS_EN[:4]:
            g.add(SERVICE, DCAT + "keyword", _lit(word, language="en"))

    for scheme in sorted(g.schemes):
        g.add(scheme, RDF_TYPE, SKOS + "ConceptScheme")
        g.add(scheme, DCT + "title", _lit(SCHEMES[scheme], language="en"))
    return list(dict.fromkeys(g.triples))


def schema_org_dataset(dataset: "ProjectDataset", files: Sequence["ExportedFile"], options: CatalogOptions,
                       stats: VoidStats | None = None) -> dict:
    """The dataset as a schema.org ``Dataset`` (a JSON-LD object with an inline context)."""
    union = dataset.union
    stats = stats or void_stats(union)
    issued, modified = _dates(dataset, options)
    organisation = {"@type": "Organization", "name": PUBLISHER_NAME, "url": HOMEPAGE}
    doc: dict = {
        "@context": {"@vocab": "https://schema.org/"},
        "@type": "Dataset",
        "@id": DATASET,
        "name": TITLE,
        "description": DESCRIPTION,
        "url": HOMEPAGE,
        "identifier": DATASET,
        "version": __version__,
        "license": LICENSE,
        "isAccessibleForFree": True,
        "creator": organisation,
        "publisher": organisation,
        "datePublished": issued,
        "dateModified": modified,
        "keywords": KEYWORDS_EN + [w for w, _ in KEYWORDS_OTHER],
        "inLanguage": _languages(union),
        "spatialCoverage": [{"@type": "Place", "name": name, "sameAs": EU + "continent/" + code}
                            for code, name in CONTINENTS.items()],
        "isBasedOn": sorted(s.value for s, p, o in union if p.value == RDF_TYPE and isinstance(o, ox.NamedNode)
                            and o.value == RTO + "SourceDocument" and isinstance(s, ox.NamedNode)),
        "size": f"{stats.triples} triples",
        "distribution": [
            {"@type": "DataDownload", "name": f"rtopkg in {f.format.label}", "encodingFormat": f.format.media_type,
             "contentUrl": options.base_url + f.format.filename, "contentSize": f"{f.size} B", "sha256": f.sha256}
            for f in files
        ],
    }
    span = temporal_coverage(union)
    if span:
        doc["temporalCoverage"] = f"{span[0].value}/{span[1].value}"
    if options.sparql_endpoint:
        doc["includedInDataCatalog"] = {"@type": "DataCatalog", "@id": CATALOG, "name": "rtopkg catalogue"}
        doc["distribution"].append({"@type": "DataDownload", "name": "rtopkg SPARQL endpoint",
                                    "encodingFormat": "application/sparql-results+json",
                                    "contentUrl": options.sparql_endpoint})
    return doc


def catalogue_files(dataset: "ProjectDataset", files: Sequence["ExportedFile"],
                    options: CatalogOptions) -> list[tuple[str, bytes, float]]:
    """``catalog.ttl`` and ``dataset.jsonld``: ``(file name, bytes, seconds to make)``."""
    start = time.perf_counter()
    stats = void_stats(dataset.union)
    triples = catalogue_graph(dataset, files, options, stats)
    header = [f"# DCAT-AP 3 catalogue with VoID statistics of rtopkg {__version__}, written by `rtopkg export`."]
    turtle = serialize_turtle(triples, prefixes=PrefixMap(EXTRA_PREFIXES), header=header).encode("utf-8")
    middle = time.perf_counter()
    doc = schema_org_dataset(dataset, files, options, stats)
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    end = time.perf_counter()
    return [("catalog.ttl", turtle, middle - start), ("dataset.jsonld", text.encode("utf-8"), end - middle)]
