"""Generate a synthetic rtopkg graph of a given size, deterministically from a seed.

The graph has the project's own shape (see ``docs/modelling.md``): states, intergovernmental organisations with
chains of organs (``org:unitOf``), government bodies, positions, civil-society and academic organisations,
networks, people, memberships with OWL-Time intervals at day, month and year precision, mandates with types and
modalities, pillar links, events of every kind with dates at every precision (day, month, year, the three kinds
of range, relative, undated, disputed between two conflicting claims), publications with authors, publishers,
languages and release events, policies, counts, and a quote (``rto:evidence``) behind every resource. Labels
come in English, Spanish and Portuguese.

The quotes are synthetic sentences of a synthetic source document, ``source:synthetic-benchmark``; quote ``n``
stands on line ``n`` of that document, and ``--source FILE`` writes the document itself, so that every quote is
verbatim on its line.

Output is streamed (the whole graph is never held in memory) as N-Triples (``.nt``) or Turtle (``.ttl``), and is
byte-identical for the same ``--triples`` and ``--seed``::

    python -m benchmarks.generate --triples 100k --seed 1 --out g100k.nt

Generation stops at the first resource boundary at or after the requested number of triples.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from pathlib import Path
from typing import Callable, Iterator, TextIO

__all__ = ["generate", "parse_size", "main", "SOURCE_IRI", "PREFIXES"]

RTO = "https://w3id.org/rtopkg/ontology#"
ID = "https://w3id.org/rtopkg/id/"
VOCAB = "https://w3id.org/rtopkg/vocab/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "http://schema.org/"
TIME = "http://www.w3.org/2006/time#"
LANG = "http://id.loc.gov/vocabulary/iso639-1/"

SOURCE_IRI = ID + "source/synthetic-benchmark"

#: Prefixes of the Turtle output (the project's own, in the project's order).
PREFIXES = {
    "rto": RTO, "actor": ID + "actor/", "person": ID + "person/", "post": ID + "post/", "place": ID + "place/",
    "event": ID + "event/", "work": ID + "work/", "policy": ID + "policy/", "membership": ID + "membership/",
    "mandate": ID + "mandate/", "pillarlink": ID + "pillarlink/", "count": ID + "count/", "quote": ID + "quote/",
    "claim": ID + "claim/", "source": ID + "source/", "pillar": VOCAB + "pillar/", "mtype": VOCAB + "mandate-type/",
    "modality": VOCAB + "modality/", "basis": VOCAB + "basis/", "prec": VOCAB + "date-precision/",
    "role": VOCAB + "role/", "dcterms": DCT, "lang": LANG, "org": ORG, "prov": PROV, "schema": SCHEMA,
    "skos": SKOS, "time": TIME, "xsd": XSD,
}

EVENT_KINDS = ["Establishment", "PublicationRelease", "Conference", "Forum", "Seminar", "Roundtable", "Course",
               "Panel", "Workshop", "Symposium", "Dialogue", "Appointment", "Adoption", "Judgment", "OnSiteVisit",
               "Address", "DiplomaticAction", "MilitaryIntervention", "Referendum", "Process", "Crisis"]
PUBLICATION_KINDS = ["Report", "Article", "Paper", "Book", "JournalIssue", "Newsletter", "PolicyBrief",
                     "ConceptNote", "BlogPost", "PublicStatement", "Declaration", "Charter", "Resolution", "Bill"]
PRECISIONS = ["day", "month", "year", "day-range", "month-range", "year-range", "relative", "undated", "disputed"]
PRECISION_WEIGHTS = [30, 15, 25, 8, 4, 6, 4, 6, 2]
MANDATE_TYPES = ["prevention", "early-warning", "human-rights-promotion", "protection", "justice", "monitoring",
                 "consultative", "capacity-building", "peace-promotion", "research-and-teaching", "norm-development",
                 "coordination", "integration"]
ROLES = ["member", "leader", "founder", "sponsor", "co-facilitator", "focal-point", "chair", "co-chair", "director",
         "executive-director", "author", "host", "participant", "partner", "supporter", "professor",
         "research-associate", "fellow", "representative", "staff"]
INVOLVEMENT = ["organiser", "host", "participant", "speaker", "sponsor", "partner"]

# Name parts: (English, Spanish, Portuguese).
PLACE_ROOTS = ["Alda", "Borea", "Cala", "Dora", "Esta", "Fira", "Gala", "Hora", "Isla", "Jara", "Kora", "Luma",
               "Mara", "Nora", "Ora", "Pala", "Quira", "Rosa", "Sala", "Tara", "Ura", "Vala", "Yara", "Zora"]
TOPICS = [("Peace", "la Paz", "a Paz"), ("Human Rights", "los Derechos Humanos", "os Direitos Humanos"),
          ("Genocide Prevention", "la Prevención del Genocidio", "a Prevenção do Genocídio"),
          ("Democracy", "la Democracia", "a Democracia"), ("Justice", "la Justicia", "a Justiça"),
          ("Protection of Civilians", "la Protección de Civiles", "a Proteção de Civis"),
          ("Early Warning", "la Alerta Temprana", "o Alerta Precoce"), ("Security", "la Seguridad", "a Segurança")]
BODIES = [("Commission on", "Comisión sobre", "Comissão sobre"), ("Court of", "Corte de", "Corte de"),
          ("Office for", "Oficina para", "Escritório para"), ("Council on", "Consejo sobre", "Conselho sobre"),
          ("Secretariat for", "Secretaría para", "Secretaria para"), ("Committee on", "Comité sobre", "Comitê sobre")]
GIVEN = ["Ana", "Bruno", "Carla", "Diego", "Elena", "Felipe", "Gabriela", "Hugo", "Inés", "Javier", "Lucía",
         "Mateo", "Nadia", "Óscar", "Paula", "Ricardo", "Sofía", "Tomás", "Valeria", "Walter"]
FAMILY = ["Alves", "Barros", "Castro", "Duarte", "Espinoza", "Fonseca", "Gómez", "Herrera", "Ibarra", "Jiménez",
          "Lima", "Moreno", "Navarro", "Ortega", "Pereira", "Quintero", "Ramos", "Salazar", "Torres", "Vargas"]

Term = str  # a term in N-Triples syntax


def iri(value: str) -> Term:
    return f"<{value}>"


def lit(value: str, lang: str | None = None, datatype: str | None = None) -> Term:
    text = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    if lang:
        return f'"{text}"@{lang}'
    if datatype and datatype != XSD + "string":
        return f'"{text}"^^<{datatype}>'
    return f'"{text}"'


def typed(value: object, name: str) -> Term:
    return lit(str(value), datatype=XSD + name)


A = iri(RDF_TYPE)
PREF = iri(SKOS + "prefLabel")
ALT = iri(SKOS + "altLabel")
EVIDENCE = iri(RTO + "evidence")


def rto(name: str) -> Term:
    return iri(RTO + name)


def parse_size(text: str) -> int:
    """``10k`` -> 10000, ``1M`` -> 1000000, ``2500`` -> 2500."""
    raw = text.strip().lower().replace("_", "")
    factor = 1
    if raw.endswith("k"):
        factor, raw = 1000, raw[:-1]
    elif raw.endswith("m"):
        factor, raw = 1_000_000, raw[:-1]
    try:
        value = float(raw) * factor
    except ValueError:
        raise ValueError(f"not a size: {text!r} (examples: 2000, 10k, 1M)") from None
    if value <= 0 or value != int(value):
        raise ValueError(f"not a size: {text!r} (a positive whole number of triples)")
    return int(value)


class _Writer:
    """Writes subject blocks as N-Triples or Turtle and counts triples."""

    def __init__(self, out: TextIO, turtle: bool):
        self.out, self.turtle, self.triples = out, turtle, 0
        self._ns = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
        if turtle:
            out.write("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()) + "\n")

    def _short(self, term: Term) -> Term:
        if term.startswith("<"):
            value = term[1:-1]
            if value == RDF_TYPE:
                return "a"
            for prefix, ns in self._ns:
                if value.startswith(ns):
                    local = value[len(ns):]
                    if local and all(c.isalnum() or c == "-" for c in local) and local.isascii() and not local.endswith("-"):
                        return f"{prefix}:{local}"
            return term
        if term.startswith('"') and "^^<" in term:
            body, _, dt = term.rpartition("^^")
            return f"{body}^^{self._short(dt)}"
        return term

    def block(self, subject: Term, pairs: list[tuple[Term, Term]]) -> None:
        self.triples += len(pairs)
        if not self.turtle:
            self.out.write("".join(f"{subject} {p} {o} .\n" for p, o in pairs))
            return
        lines, last = [], None
        for p, o in pairs:
            if p == last:
                lines[-1] += f", {self._short(o)}"
            else:
                lines.append(f"{self._short(p)} {self._short(o)}")
                last = p
        self.out.write(self._short(subject) + " " + " ;\n    ".join(lines) + " .\n\n")


class _Generator:
    """The world being generated: what exists so far (by slug number) and the random source."""

    def __init__(self, writer: _Writer, seed: int):
        self.w = writer
        self.rng = random.Random(seed)
        self.n: dict[str, int] = {}
        self.states: list[Term] = []
        self.igos: list[Term] = []
        self.organs: list[Term] = []
        self.bodies: list[Term] = []
        self.positions: list[Term] = []
        self.people: list[Term] = []
        self.csos: list[Term] = []
        self.academics: list[Term] = []
        self.networks: list[Term] = []
        self.cities: list[Term] = []
        self.events: list[Term] = []
        self.series: list[Term] = []
        self.works: list[Term] = []
        self.periodicals: list[Term] = []
        self.mandates: list[Term] = []
        self.policies: list[Term] = []
        self.line = 0
        self.quote: Term | None = None
        self.quote_uses = 0
        self.digest = hashlib.sha256()
        self.source_out: TextIO | None = None
        self.bnodes = 0

    # ---- helpers -------------------------------------------------------------------------------------------

    def next(self, kind: str) -> int:
        self.n[kind] = self.n.get(kind, 0) + 1
        return self.n[kind]

    def pick(self, items: list[Term]) -> Term:
        return items[self.rng.randrange(len(items))]

    def evidence(self, sentence: str) -> Term:
        """A quote for the resource described by ``sentence``: a new one, or the last one again (shared quotes)."""
        if self.quote is not None and self.quote_uses < 2 and self.rng.random() < 0.3:
            self.quote_uses += 1
            return self.quote
        self.line += 1
        quote = iri(f"{ID}quote/q{self.line}")
        text = f"{sentence} (synthetic record {self.line})."
        basis = "stated" if self.rng.random() < 0.85 else "context"
        self.w.block(quote, [
            (A, rto("Quote")),
            (iri(PROV + "value"), lit(text)),
            (iri(PROV + "wasQuotedFrom"), iri(SOURCE_IRI)),
            (rto("sourceLine"), typed(self.line, "integer")),
            (rto("basis"), iri(f"{VOCAB}basis/{basis}")),
        ])
        line = (text + "\n").encode("utf-8")
        self.digest.update(line)
        if self.source_out is not None:
            self.source_out.write(text + "\n")
        self.quote, self.quote_uses = quote, 1
        return quote

    def year(self) -> int:
        return self.rng.randrange(1948, 2025)

    def date(self, kind: str, year: int | None = None) -> Term:
        y = year or self.year()
        m, d = self.rng.randrange(1, 13), self.rng.randrange(1, 29)
        if kind == "day":
            return typed(f"{y:04d}-{m:02d}-{d:02d}", "date")
        if kind == "month":
            return typed(f"{y:04d}-{m:02d}", "gYearMonth")
        return typed(f"{y:04d}", "gYear")

    def labels(self, en: str, es: str | None = None, pt: str | None = None) -> list[tuple[Term, Term]]:
        out = [(PREF, lit(en, "en"))]
        if es and self.rng.random() < 0.6:
            out.append((PREF, lit(es, "es")))
        if pt and self.rng.random() < 0.3:
            out.append((PREF, lit(pt, "pt")))
        return out

    def organisation(self) -> Term:
        pools = [p for p in (self.igos, self.csos, self.academics, self.networks, self.bodies) if p]
        return self.pick(self.pick(pools))

    def actor(self) -> Term:
        pools = [p for p in (self.states, self.igos, self.organs, self.bodies, self.csos, self.academics,
                             self.networks, self.people) if p]
        return self.pick(self.pick(pools))

    # ---- actors --------------------------------------------------------------------------------------------

    def state(self) -> Term:
        i = self.next("state")
        root = PLACE_ROOTS[i % len(PLACE_ROOTS)]
        name = f"{root}ria {i}"
        s = iri(f"{ID}actor/state-{i}")
        pairs = [(A, rto("State"))] + self.labels(f"Republic of {name}", f"República de {name}", f"República de {name}")
        pairs += [(ALT, lit(f"{root[:2].upper()}{i}", "en")), (EVIDENCE, self.evidence(f"The Republic of {name} took part"))]
        self.w.block(s, pairs)
        self.states.append(s)
        return s

    def igo(self) -> Term:
        i = self.next("igo")
        en, es, pt = TOPICS[i % len(TOPICS)]
        s = iri(f"{ID}actor/igo-{i}")
        name = f"Organisation for {en} {i}"
        pairs = [(A, rto("IntergovernmentalOrganisation"))]
        pairs += self.labels(name, f"Organización para {es} {i}", f"Organização para {pt} {i}")
        pairs += [(ALT, lit(f"O{en[0]}{i}", "en")), (rto("basedIn"), self.pick(self.states)),
                  (EVIDENCE, self.evidence(f"The {name} was founded by its member states"))]
        self.w.block(s, pairs)
        self.igos.append(s)
        # Organs in chains up to three deep: organ unitOf organ unitOf organ unitOf the organisation.
        parent, depth = s, 0
        for _ in range(self.rng.randrange(2, 6)):
            if depth >= 3 or self.rng.random() < 0.3:
                parent, depth = s, 0
            parent = self.organ(parent, i)
            depth += 1
        return s

    def organ(self, parent: Term, igo_number: int) -> Term:
        i = self.next("organ")
        body_en, body_es, body_pt = BODIES[i % len(BODIES)]
        topic_en, topic_es, topic_pt = TOPICS[(i // 3) % len(TOPICS)]
        s = iri(f"{ID}actor/organ-{i}")
        name = f"{body_en} {topic_en} {i}"
        pairs = [(A, rto("Organ"))] + self.labels(name, f"{body_es} {topic_es} {i}", f"{body_pt} {topic_pt} {i}")
        pairs += [(iri(ORG + "unitOf"), parent), (EVIDENCE, self.evidence(f"The {name} is an organ of organisation {igo_number}"))]
        self.w.block(s, pairs)
        self.organs.append(s)
        return s

    def government_body(self) -> Term:
        i = self.next("body")
        state = self.pick(self.states)
        s = iri(f"{ID}actor/government-body-{i}")
        name = f"Ministry of {TOPICS[i % len(TOPICS)][0]} {i}"
        pairs = [(A, rto("GovernmentBody"))] + self.labels(name, f"Ministerio de {TOPICS[i % len(TOPICS)][1]} {i}")
        pairs += [(iri(ORG + "unitOf"), state), (EVIDENCE, self.evidence(f"The {name} of the government acted"))]
        self.w.block(s, pairs)
        self.bodies.append(s)
        return s

    def position(self) -> Term:
        i = self.next("position")
        pools = [p for p in (self.bodies, self.organs, self.igos) if p]
        within = self.pick(self.pick(pools))
        s = iri(f"{ID}post/position-{i}")
        name = f"Special Adviser {i}"
        pairs = [(A, rto("Position"))] + self.labels(name, f"Asesor Especial {i}", f"Assessor Especial {i}")
        pairs += [(iri(ORG + "postIn"), within), (EVIDENCE, self.evidence(f"The post of {name} was created"))]
        self.w.block(s, pairs)
        self.positions.append(s)
        return s

    def person(self) -> Term:
        i = self.next("person")
        given, family = GIVEN[i % len(GIVEN)], FAMILY[(i // len(GIVEN) + i) % len(FAMILY)]
        s = iri(f"{ID}person/person-{i}")
        name = f"{given} {family} {i}"
        pairs = [(A, rto("Person")), (PREF, lit(name, "en")), (iri(SCHEMA + "nationality"), self.pick(self.states))]
        if self.positions and self.rng.random() < 0.4:
            pairs.append((iri(ORG + "holds"), self.pick(self.positions)))
        pairs.append((EVIDENCE, self.evidence(f"{name} spoke on prevention")))
        self.w.block(s, pairs)
        self.people.append(s)
        return s

    def civil_society(self) -> Term:
        i = self.next("cso")
        en, es, pt = TOPICS[i % len(TOPICS)]
        s = iri(f"{ID}actor/cso-{i}")
        name = f"Foundation for {en} {i}"
        pairs = [(A, rto("CivilSocietyOrganisation"))] + self.labels(name, f"Fundación para {es} {i}", f"Fundação para {pt} {i}")
        pairs += [(rto("basedIn"), self.pick(self.states)), (EVIDENCE, self.evidence(f"The {name} works on {en.lower()}"))]
        self.w.block(s, pairs)
        self.csos.append(s)
        return s

    def academic(self) -> Term:
        i = self.next("academic")
        en, es, pt = TOPICS[i % len(TOPICS)]
        s = iri(f"{ID}actor/academic-{i}")
        name = f"Institute of {en} Studies {i}"
        pairs = [(A, rto("AcademicInstitution"))] + self.labels(name, f"Instituto de Estudios de {es} {i}", f"Instituto de Estudos de {pt} {i}")
        pairs.append((rto("basedIn"), self.pick(self.states)))
        if self.academics and self.rng.random() < 0.2:
            pairs.append((iri(ORG + "subOrganizationOf"), self.pick(self.academics)))
        pairs.append((EVIDENCE, self.evidence(f"The {name} teaches and researches")))
        self.w.block(s, pairs)
        self.academics.append(s)
        return s

    def network(self) -> Term:
        i = self.next("network")
        en, es, pt = TOPICS[i % len(TOPICS)]
        s = iri(f"{ID}actor/network-{i}")
        name = f"Network on {en} {i}"
        pairs = [(A, rto("Network"))] + self.labels(name, f"Red sobre {es} {i}", f"Rede sobre {pt} {i}")
        pairs += [(ALT, lit(f"N{en[0]}{i}", "en")), (EVIDENCE, self.evidence(f"The {name} brings partners together"))]
        self.w.block(s, pairs)
        self.networks.append(s)
        return s

    def city(self) -> Term:
        i = self.next("city")
        s = iri(f"{ID}place/city-{i}")
        name = f"{PLACE_ROOTS[(i * 7) % len(PLACE_ROOTS)]}ville {i}"
        self.w.block(s, [(A, rto("City")), (PREF, lit(name, "en")), (EVIDENCE, self.evidence(f"The meeting took place in {name}"))])
        self.cities.append(s)
        return s

    # ---- relations -----------------------------------------------------------------------------------------

    def instant(self, precision: str, year: int) -> tuple[Term, list[tuple[Term, Term]]]:
        self.bnodes += 1
        node = f"_:i{self.bnodes}"
        prop = {"day": "inXSDDate", "month": "inXSDgYearMonth", "year": "inXSDgYear"}[precision]
        return node, [(A, iri(TIME + "Instant")), (iri(TIME + prop), self.date(precision, year))]

    def membership(self) -> Term:
        i = self.next("membership")
        organisation = self.pick(self.networks if self.networks and self.rng.random() < 0.5 else self.igos)
        if organisation in self.igos:
            member = self.pick(self.states)
        else:
            member = self.pick(self.pick([p for p in (self.states, self.csos, self.academics, self.people) if p]))
        s = iri(f"{ID}membership/membership-{i}")
        pairs = [(A, iri(ORG + "Membership")), (iri(ORG + "member"), member), (iri(ORG + "organization"), organisation),
                 (iri(ORG + "role"), iri(f"{VOCAB}role/{self.pick(ROLES)}"))]
        blocks = []
        if self.rng.random() < 0.8:
            self.bnodes += 1
            interval = f"_:t{self.bnodes}"
            pairs.append((iri(ORG + "memberDuring"), interval))
            precision = self.pick(["day", "month", "year"])
            start_year = self.rng.randrange(1948, 2020)
            begin, begin_pairs = self.instant(precision, start_year)
            interval_pairs = [(A, iri(TIME + "ProperInterval")), (iri(TIME + "hasBeginning"), begin)]
            blocks.append((begin, begin_pairs))
            if self.rng.random() < 0.3:
                end, end_pairs = self.instant(self.pick(["day", "month", "year"]), start_year + self.rng.randrange(1, 6))
                interval_pairs.append((iri(TIME + "hasEnd"), end))
                blocks.append((end, end_pairs))
            blocks.insert(0, (interval, interval_pairs))
        elif self.rng.random() < 0.5:
            pairs.append((rto("asOf"), self.date("year")))
        pairs.append((EVIDENCE, self.evidence(f"Membership {i} of the organisation was announced")))
        self.w.block(s, pairs)
        for node, node_pairs in blocks:
            self.w.block(node, node_pairs)
        return s

    def mandate(self) -> Term:
        i = self.next("mandate")
        holder = self.pick(self.organs or self.igos)
        s = iri(f"{ID}mandate/mandate-{i}")
        types = sorted({self.pick(MANDATE_TYPES) for _ in range(self.rng.randrange(1, 3))})
        pairs = [(A, rto("Mandate")), (rto("mandateOf"), holder)]
        pairs += [(rto("mandateType"), iri(f"{VOCAB}mandate-type/{t}")) for t in types]
        modality = "stated" if self.rng.random() < 0.8 else "potential"
        pairs += [(rto("modality"), iri(f"{VOCAB}modality/{modality}")),
                  (iri(DCT + "description"), lit(f"to work on {' and '.join(t.replace('-', ' ') for t in types)}", "en")),
                  (EVIDENCE, self.evidence(f"Body {i} is mandated to promote {types[0].replace('-', ' ')}"))]
        self.w.block(s, pairs)
        self.mandates.append(s)
        return s

    def pillar_link(self) -> Term:
        i = self.next("pillarlink")
        target = self.pick(self.events if self.events and self.rng.random() < 0.6 else (self.mandates or self.igos))
        s = iri(f"{ID}pillarlink/pillarlink-{i}")
        pillar = self.rng.randrange(1, 4)
        basis = "stated" if self.rng.random() < 0.5 else "interpreted"
        self.w.block(s, [(A, rto("PillarLink")), (rto("linkedResource"), target),
                         (rto("pillar"), iri(f"{VOCAB}pillar/{pillar}")), (rto("basis"), iri(f"{VOCAB}basis/{basis}")),
                         (EVIDENCE, self.evidence(f"This work falls under pillar {pillar}"))])
        return s

    def count(self) -> Term:
        i = self.next("count")
        target = self.pick(self.networks or self.igos)
        s = iri(f"{ID}count/count-{i}")
        kind = self.pick(["countries", "focal points", "members", "participants", "papers"])
        self.w.block(s, [(A, rto("Count")), (rto("countOf"), target), (rto("countedKind"), lit(kind)),
                         (rto("countValue"), typed(self.rng.randrange(1, 200), "integer")),
                         (rto("countQualifier"), lit(self.pick(["exactly", "about", "more than", "at least"]))),
                         (rto("asOf"), self.date(self.pick(["year", "month"]))),
                         (EVIDENCE, self.evidence(f"There are now many {kind}"))])
        return s

    def policy(self) -> Term:
        i = self.next("policy")
        s = iri(f"{ID}policy/policy-{i}")
        en, es, pt = TOPICS[i % len(TOPICS)]
        pairs = [(A, rto("Policy"))] + self.labels(f"Strategy for {en} {i}", f"Estrategia para {es} {i}", f"Estratégia para {pt} {i}")
        pairs.append((EVIDENCE, self.evidence(f"The strategy for {en.lower()} was adopted")))
        self.w.block(s, pairs)
        self.policies.append(s)
        return s

    # ---- publications and events ---------------------------------------------------------------------------

    def publication(self, kind: str | None = None) -> Term:
        i = self.next("work")
        kind = kind or self.pick(PUBLICATION_KINDS)
        s = iri(f"{ID}work/work-{i}")
        en, es, pt = TOPICS[i % len(TOPICS)]
        language = self.rng.choices(["en", "es", "pt"], [6, 3, 1])[0]
        title = {"en": f"Report on {en} {i}", "es": f"Informe sobre {es} {i}", "pt": f"Relatório sobre {pt} {i}"}[language]
        pairs = [(A, rto(kind)), (PREF, lit(f"Report on {en} {i}", "en"))]
        if language != "en":
            pairs.append((PREF, lit(title, language)))
        pairs += [(iri(DCT + "title"), lit(title, language)), (iri(DCT + "language"), iri(LANG + language))]
        for author in sorted({self.pick(self.people) for _ in range(self.rng.randrange(0, 3))} if self.people else set()):
            pairs.append((iri(DCT + "creator"), author))
        pairs.append((iri(DCT + "publisher"), self.organisation()))
        if kind == "JournalIssue" and self.periodicals:
            pairs.append((iri(DCT + "isPartOf"), self.pick(self.periodicals)))
        pairs.append((EVIDENCE, self.evidence(f"The report on {en.lower()} was published")))
        self.w.block(s, pairs)
        self.works.append(s)
        return s

    def periodical(self) -> Term:
        s = self.publication("Periodical")
        self.periodicals.append(s)
        return s

    def event(self) -> Term:
        kind = self.pick(EVENT_KINDS)
        i = self.next("event")
        s = iri(f"{ID}event/event-{i}")
        name = f"{kind} {i} on {TOPICS[i % len(TOPICS)][0]}"
        precision = self.rng.choices(PRECISIONS, PRECISION_WEIGHTS)[0]
        pairs = [(A, rto(kind)), (PREF, lit(name, "en"))]
        if self.rng.random() < 0.3:
            pairs.append((PREF, lit(f"Evento {i}", self.pick(["es", "pt"]))))
        pairs.append((rto("datePrecision"), iri(f"{VOCAB}date-precision/{precision}")))
        start, end = iri(SCHEMA + "startDate"), iri(SCHEMA + "endDate")
        year = self.year()
        claims: list[tuple[Term, list[tuple[Term, Term]]]] = []
        if precision in ("day", "month", "year"):
            pairs.append((start if precision != "year" or self.rng.random() < 0.9 else end, self.date(precision, year)))
        elif precision.endswith("-range"):
            unit = precision.split("-")[0]
            first, second = sorted([self.date(unit, year), self.date(unit, year + self.rng.randrange(0, 3))])
            pairs += [(start, first), (end, second)]
        elif precision == "relative":
            anchor = self.pick(self.events) if self.events else None
            if anchor is None:
                pairs[-1] = (rto("datePrecision"), iri(f"{VOCAB}date-precision/undated"))
            else:
                pairs += [(rto("relativeDate"), lit("in the first year")), (rto("relativeTo"), anchor)]
        elif precision == "disputed":
            n = self.next("claim")
            a, b = iri(f"{ID}claim/claim-{n}-a"), iri(f"{ID}claim/claim-{n}-b")
            for this, other, value in ((a, b, self.date("year", year)), (b, a, self.date("year", year + 1))):
                claims.append((this, [(A, rto("Claim")), (rto("claimSubject"), s), (rto("claimProperty"), start),
                                      (rto("claimValue"), value), (rto("basis"), iri(f"{VOCAB}basis/stated")),
                                      (rto("conflictsWith"), other)]))
        # Who and where.
        involved = sorted({self.actor() for _ in range(self.rng.randrange(1, 4))})
        for actor in involved:
            pairs.append((rto(self.pick(INVOLVEMENT)), actor))
        if self.cities and self.rng.random() < 0.6:
            pairs.append((iri(SCHEMA + "location"), self.pick(self.cities if self.rng.random() < 0.7 else self.states)))
        if kind in ("PublicationRelease", "Adoption") and self.works:
            pairs.append((rto("output"), self.pick(self.works)))
        if kind == "Establishment":
            pairs.append((rto("establishes"), self.pick(self.pick([p for p in (self.organs, self.networks, self.policies) if p]))))
        if kind == "Appointment" and self.people and self.positions:
            pairs += [(rto("appointee"), self.pick(self.people)), (rto("toPosition"), self.pick(self.positions))]
        if self.rng.random() < 0.3:
            pairs.append((rto("concerns"), self.pick(self.states)))
        if self.series and self.rng.random() < 0.2:
            pairs.append((iri(SCHEMA + "superEvent"), self.pick(self.series)))
        quote = self.evidence(f"The {name} was held")
        pairs.append((EVIDENCE, quote))
        self.w.block(s, pairs)
        for claim, claim_pairs in claims:
            self.w.block(claim, claim_pairs + [(EVIDENCE, quote)])
        self.events.append(s)
        return s

    def event_series(self) -> Term:
        i = self.next("series")
        s = iri(f"{ID}event/series-{i}")
        name = f"Annual Seminar on {TOPICS[i % len(TOPICS)][0]} {i}"
        self.w.block(s, [(A, rto("EventSeries")), (PREF, lit(name, "en")),
                         (rto("datePrecision"), iri(f"{VOCAB}date-precision/undated")),
                         (rto("organiser"), self.organisation()), (EVIDENCE, self.evidence(f"The {name} is held every year"))])
        self.series.append(s)
        return s

    # ---- the whole graph -----------------------------------------------------------------------------------

    def source_document(self) -> None:
        """The source document the quotes cite (written last: its checksum covers every quote's line)."""
        digest = self.digest.hexdigest()
        self.w.block(iri(SOURCE_IRI), [
            (A, rto("SourceDocument")), (PREF, lit("Synthetic benchmark source document", "en")),
            (iri(DCT + "title"), lit("Synthetic benchmark source document", "en")),
            (rto("localCopy"), lit("benchmarks/synthetic-source.txt")), (rto("sha256"), lit(digest))])

    def run(self, target: int) -> None:
        for make in (self.state, self.state, self.state, self.igo, self.government_body, self.position, self.person,
                     self.civil_society, self.academic, self.network, self.city, self.policy, self.periodical,
                     self.event_series, self.mandate, self.event, self.membership):
            make()
        steps: list[tuple[Callable[[], Term], int]] = [
            (self.state, 1), (self.igo, 1), (self.government_body, 2), (self.position, 3), (self.person, 8),
            (self.civil_society, 3), (self.academic, 2), (self.network, 1), (self.city, 2), (self.policy, 1),
            (self.periodical, 1), (self.event_series, 1), (self.membership, 12), (self.mandate, 3),
            (self.pillar_link, 4), (self.count, 2), (self.publication, 8), (self.event, 20),
        ]
        makers = [m for m, _ in steps]
        weights = [w for _, w in steps]
        while self.w.triples < target:
            make = self.rng.choices(makers, weights)[0]
            if make == self.state and len(self.states) >= 250:
                make = self.event
            make()
        self.source_document()


def generate(triples: int, seed: int, out: TextIO, *, turtle: bool = False, source: TextIO | None = None) -> int:
    """Write a graph of about ``triples`` triples to ``out`` (and the source document to ``source``); return
    the number of triples written."""
    writer = _Writer(out, turtle)
    gen = _Generator(writer, seed)
    gen.source_out = source
    gen.run(triples)
    return writer.triples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", required=True, help="how many triples (2000, 10k, 1M, 10M)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", required=True, help="output file: .nt (N-Triples) or .ttl (Turtle)")
    parser.add_argument("--source", help="also write the synthetic source document the quotes cite")
    args = parser.parse_args(argv)
    try:
        target = parse_size(args.triples)
    except ValueError as exc:
        parser.error(str(exc))
    out = Path(args.out)
    if out.suffix not in (".nt", ".ttl"):
        parser.error(f"--out {out}: use a .nt or .ttl file name")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="\n") as handle:
        if args.source:
            with open(args.source, "w", encoding="utf-8", newline="\n") as source:
                count = generate(target, args.seed, handle, turtle=out.suffix == ".ttl", source=source)
        else:
            count = generate(target, args.seed, handle, turtle=out.suffix == ".ttl")
    print(f"{out}: {count} triples (seed {args.seed})", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
