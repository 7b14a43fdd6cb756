"""Vocabulary terms as rdflib ``DefinedNamespace`` classes with ``_fail = True``: a misspelt term fails loudly.

``RTO`` mirrors ``ontology/rtopkg.ttl`` (a test checks that both list the same terms). ``SCHEMA`` is schema.org
with the ``http://`` IRIs the graph uses (rdflib's own ``SDO`` uses ``https://``). The controlled vocabularies are
plain namespaces, since their concepts are data that curators extend.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, VOID, XSD, DefinedNamespace

__all__ = [
    "RTO", "SCHEMA", "OA", "VANN", "ID", "VOCAB", "PILLAR", "MTYPE", "MODALITY", "BASIS", "PREC", "ROLE", "PSTATUS",
    "PREFIXES", "DCAT", "DCTERMS", "FOAF", "ORG", "OWL", "PROV", "RDF", "RDFS", "SH", "SKOS", "TIME", "VOID", "XSD",
]


class RTO(DefinedNamespace):
    """The rtopkg ontology, ``https://w3id.org/rtopkg/ontology#``."""

    _NS = Namespace("https://w3id.org/rtopkg/ontology#")
    _fail = True

    AcademicInstitution: URIRef
    Actor: URIRef
    Address: URIRef
    Adoption: URIRef
    Appointment: URIRef
    ArmedGroup: URIRef
    Article: URIRef
    Bill: URIRef
    BlogPost: URIRef
    Book: URIRef
    Charter: URIRef
    City: URIRef
    CivilSocietyOrganisation: URIRef
    Claim: URIRef
    ConceptNote: URIRef
    Conference: URIRef
    Count: URIRef
    Course: URIRef
    Crisis: URIRef
    Declaration: URIRef
    Dialogue: URIRef
    DiplomaticAction: URIRef
    Establishment: URIRef
    Event: URIRef
    EventSeries: URIRef
    Forum: URIRef
    GovernmentBody: URIRef
    IntergovernmentalOrganisation: URIRef
    JournalIssue: URIRef
    Judgment: URIRef
    Mandate: URIRef
    Meeting: URIRef
    MilitaryIntervention: URIRef
    Network: URIRef
    Newsletter: URIRef
    OnSiteVisit: URIRef
    Organ: URIRef
    Panel: URIRef
    Paper: URIRef
    Periodical: URIRef
    Person: URIRef
    PillarLink: URIRef
    Place: URIRef
    Policy: URIRef
    PolicyBrief: URIRef
    PolicySupport: URIRef
    Position: URIRef
    Process: URIRef
    PublicStatement: URIRef
    Publication: URIRef
    PublicationRelease: URIRef
    Quote: URIRef
    Referendum: URIRef
    Region: URIRef
    Report: URIRef
    Resolution: URIRef
    Roundtable: URIRef
    Seminar: URIRef
    Site: URIRef
    SourceDocument: URIRef
    State: URIRef
    Symposium: URIRef
    Workshop: URIRef
    appointee: URIRef
    asOf: URIRef
    basedIn: URIRef
    basis: URIRef
    claimObject: URIRef
    claimProperty: URIRef
    claimSubject: URIRef
    claimValue: URIRef
    concerns: URIRef
    conflictsWith: URIRef
    countOf: URIRef
    countQualifier: URIRef
    countValue: URIRef
    countedKind: URIRef
    datePrecision: URIRef
    establishes: URIRef
    evidence: URIRef
    grantedBy: URIRef
    hasClaim: URIRef
    hasMandate: URIRef
    host: URIRef
    involves: URIRef
    linkedResource: URIRef
    localCopy: URIRef
    mandateOf: URIRef
    mandateType: URIRef
    modality: URIRef
    namedAfter: URIRef
    organiser: URIRef
    output: URIRef
    participant: URIRef
    partner: URIRef
    pillar: URIRef
    policyStatus: URIRef
    relativeDate: URIRef
    relativeTo: URIRef
    sha256: URIRef
    sourceLine: URIRef
    speaker: URIRef
    sponsor: URIRef
    supportedPolicy: URIRef
    supporter: URIRef
    supports: URIRef
    toPosition: URIRef


class SCHEMA(DefinedNamespace):
    """The schema.org terms rtopkg uses, with ``http://schema.org/`` IRIs."""

    _NS = Namespace("http://schema.org/")
    _fail = True

    Article: URIRef
    BlogPosting: URIRef
    Book: URIRef
    City: URIRef
    Country: URIRef
    CreativeWork: URIRef
    DataCatalog: URIRef
    DataDownload: URIRef
    Dataset: URIRef
    Event: URIRef
    EventSeries: URIRef
    LandmarksOrHistoricalBuildings: URIRef
    Legislation: URIRef
    Organization: URIRef
    Periodical: URIRef
    Person: URIRef
    Place: URIRef
    PublicationIssue: URIRef
    WebPage: URIRef
    about: URIRef
    address: URIRef
    attendee: URIRef
    containedInPlace: URIRef
    endDate: URIRef
    issueNumber: URIRef
    location: URIRef
    nationality: URIRef
    organizer: URIRef
    performer: URIRef
    sponsor: URIRef
    startDate: URIRef
    subEvent: URIRef
    superEvent: URIRef
    volumeNumber: URIRef


OA = Namespace("http://www.w3.org/ns/oa#")
VANN = Namespace("http://purl.org/vocab/vann/")
ID = Namespace("https://w3id.org/rtopkg/id/")
VOCAB = Namespace("https://w3id.org/rtopkg/vocab/")
PILLAR = Namespace("https://w3id.org/rtopkg/vocab/pillar/")
MTYPE = Namespace("https://w3id.org/rtopkg/vocab/mandate-type/")
MODALITY = Namespace("https://w3id.org/rtopkg/vocab/modality/")
BASIS = Namespace("https://w3id.org/rtopkg/vocab/basis/")
PREC = Namespace("https://w3id.org/rtopkg/vocab/date-precision/")
ROLE = Namespace("https://w3id.org/rtopkg/vocab/role/")
PSTATUS = Namespace("https://w3id.org/rtopkg/vocab/policy-status/")

from .prefixes import PREFIXES  # noqa: E402  (re-exported; the list lives in a module free of rdflib)
