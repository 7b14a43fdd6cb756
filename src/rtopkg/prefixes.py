"""The prefixes rtopkg writes and reads, in a module that imports nothing heavy (the fast path uses it)."""

from __future__ import annotations

__all__ = ["PREFIXES", "shorten", "expand"]

#: The prefixes the project writes, in the order files list them (used by ``rtopkg fmt`` and the exports).
PREFIXES: dict[str, str] = {
    "rto": "https://w3id.org/rtopkg/ontology#",
    "actor": "https://w3id.org/rtopkg/id/actor/",
    "person": "https://w3id.org/rtopkg/id/person/",
    "post": "https://w3id.org/rtopkg/id/post/",
    "place": "https://w3id.org/rtopkg/id/place/",
    "event": "https://w3id.org/rtopkg/id/event/",
    "work": "https://w3id.org/rtopkg/id/work/",
    "policy": "https://w3id.org/rtopkg/id/policy/",
    "membership": "https://w3id.org/rtopkg/id/membership/",
    "mandate": "https://w3id.org/rtopkg/id/mandate/",
    "pillarlink": "https://w3id.org/rtopkg/id/pillarlink/",
    "support": "https://w3id.org/rtopkg/id/support/",
    "count": "https://w3id.org/rtopkg/id/count/",
    "quote": "https://w3id.org/rtopkg/id/quote/",
    "claim": "https://w3id.org/rtopkg/id/claim/",
    "source": "https://w3id.org/rtopkg/id/source/",
    "vocab": "https://w3id.org/rtopkg/vocab/",
    "pillar": "https://w3id.org/rtopkg/vocab/pillar/",
    "mtype": "https://w3id.org/rtopkg/vocab/mandate-type/",
    "modality": "https://w3id.org/rtopkg/vocab/modality/",
    "basis": "https://w3id.org/rtopkg/vocab/basis/",
    "prec": "https://w3id.org/rtopkg/vocab/date-precision/",
    "role": "https://w3id.org/rtopkg/vocab/role/",
    "pstatus": "https://w3id.org/rtopkg/vocab/policy-status/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "lang": "http://id.loc.gov/vocabulary/iso639-1/",
    "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "http://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def shorten(iri: str) -> str:
    """``iri`` as a prefixed name when one of :data:`PREFIXES` covers it and the rest is a plain local name."""
    for prefix, ns in _BY_LENGTH:
        if iri.startswith(ns):
            local = iri[len(ns):]
            if local and all(c.isalnum() or c in "-_." for c in local) and not local.endswith("."):
                return f"{prefix}:{local}"
    return f"<{iri}>"


def expand(name: str) -> str | None:
    """The IRI of a prefixed name ``prefix:local`` when the prefix is known, else ``None``."""
    prefix, sep, local = name.partition(":")
    if not sep or prefix not in PREFIXES:
        return None
    return PREFIXES[prefix] + local
