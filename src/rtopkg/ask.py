"""Matching a question in words to a stored question (``rtopkg ask``).

The scoring is meant to be read and predicted, not learnt:

1. **Words.** The question and each stored question's summary, tags, name, description and parameter names
   are cut into words, lower-cased, stripped of accents and of common words ("which", "the", "have"...).
2. **Synonyms and stems.** ``R2P``, ``RtoP`` and "responsibility to protect" are one word, as are ``OAS`` and
   "Organization of American States", ``UN`` and "United Nations", "organ" and "body"; -ize spellings become
   -ise; then a light stemmer strips common endings (``preventive``, ``prevention`` -> ``prevent``;
   ``bodies`` -> ``body``; ``mandates``, ``mandated`` -> ``mandat``).
3. **Ranking** is BM25 over the stored question's words, its summary counting three times, its tags and
   name twice, its description and parameter names once.
4. **Match** is the share of the question's words, weighted by how rare each is in the catalogue (IDF),
   that the stored question has. The best match is picked (ties go to the higher BM25 score) when it is at
   least :data:`THRESHOLD` (0.5); otherwise nothing is picked and the nearest questions are listed.
5. **Named resources.** Words that name a resource of the graph by one of its labels (``CRIES``, "Stanley
   Foundation", ``OAS``, "meeting") fill a stored question's parameter of that kind (a parameter declaring
   ``prefix: actor`` takes an ``actor:`` resource): they count as found for that question, and the question
   is asked about that resource instead of its default (``rtopkg ask`` says so).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

__all__ = ["THRESHOLD", "Match", "Mention", "words", "find_mentions", "rank", "best", "label_candidates_query"]

#: The least match (0..1) for a stored question to be picked.
THRESHOLD = 0.5

STOPWORDS = frozenset("""
a about according all also am an and any are as at be been by can could did do does each ever for from get give
had has have having he her his how i if in into is it its list me my of on or our please show she so some tell
that the their them there these they this those to us was we were what when where which while who whom whose why
will with would you your find named name there's whats what's
""".split())

# Phrases first (longest first), then single words; the right-hand side is the canonical word.
PHRASES = [
    ("responsibility while protecting", "rwp"),
    ("responsibility to protect", "rtop"),
    ("organization of american states", "oas"),
    ("organisation of american states", "oas"),
    ("united nations", "un"),
    ("united states of america", "usa"),
    ("united states", "usa"),
    ("inter american commission on human rights", "iachr"),
    ("latin america", "latin-america"),
    ("human rights", "human-rights"),
    ("early warning", "early-warning"),
    ("civil society", "civil-society"),
    ("mass atrocity", "atrocity"),
    ("mass atrocities", "atrocity"),
    ("focal point", "focal-point"),
    ("focal points", "focal-point"),
]
SYNONYMS = {
    "r2p": "rtop", "rtop": "rtop", "r2pcs": "rtop",
    "u.s.": "usa", "u.s": "usa", "america": "americas",
    "organ": "body", "organs": "body", "bodies": "body", "body": "body", "unit": "body", "units": "body",
    "organisations": "organisation", "organization": "organisation", "organizations": "organisation",
    "ngo": "civil-society", "ngos": "civil-society", "csos": "civil-society", "cso": "civil-society",
    "atrocities": "atrocity", "genocides": "genocide",
    "when": "date", "dated": "date", "dates": "date", "year": "date", "years": "date",
    "citing": "source", "quote": "source", "quotes": "source", "evidence": "source", "sources": "source",
    "kinds": "type", "kind": "type", "types": "type", "sorts": "type",
    "people": "person", "persons": "person", "individuals": "person",
    "countries": "state", "country": "state", "nations": "state",
}
_SUFFIXES = ("ations", "ation", "itions", "ition", "ments", "ment", "ions", "ion", "ives", "ive", "ings", "ing",
             "ies", "ied", "es", "ed", "ly", "s")
_SPLIT = re.compile(r"[^a-z0-9.\-]+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _stem(word: str) -> str:
    if "-" in word or word.isdigit() or len(word) <= 3:
        return word
    word = re.sub(r"iz(e|es|ed|ing|ation|ations)$", r"is\1", word)
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def words(text: str) -> list[str]:
    """The canonical words of ``text`` (see the module docstring), in order, repeats kept."""
    folded = " " + " ".join(_SPLIT.split(_fold(text).replace("-", " "))) + " "
    for phrase, canonical in PHRASES:
        folded = folded.replace(f" {phrase} ", f" {canonical} ")
    out = []
    for raw in folded.split():
        raw = raw.strip(".-")
        if not raw or raw in STOPWORDS:
            continue
        word = SYNONYMS.get(raw, raw)
        out.append(_stem(word))
    return out


@dataclass(frozen=True)
class Match:
    """A stored question's standing for a question in words."""

    question: object  # rtopkg.catalogue.Question
    score: float  # BM25
    match: float  # 0..1, the IDF-weighted share of the question's words found
    found: tuple[str, ...]  # the question's words the stored question has
    missing: tuple[str, ...]
    bindings: dict = field(default_factory=dict, compare=False)  # parameter -> IRI of a mentioned resource

    @property
    def name(self) -> str:
        return getattr(self.question, "name", "")


def _document(question: object) -> Counter:
    doc: Counter = Counter()
    name = getattr(question, "name", "")
    fields = [
        (getattr(question, "summary", ""), 3),
        (" ".join(getattr(question, "tags", ())), 2),
        (name.replace("-", " "), 2),
        (getattr(question, "description", ""), 1),
        (" ".join(spec.name.replace("_", " ") for spec in (getattr(question, "params", None) or ())), 1),
    ]
    for text, weight in fields:
        for word in words(text):
            doc[word] += weight
    return doc


@dataclass(frozen=True)
class Mention:
    """A resource of the graph that the question names by one of its labels (``CRIES``, ``Stanley Foundation``)."""

    prefix: str  # the prefix of its namespace (actor, rto ...)
    iri: str
    label: str
    words: tuple[str, ...]  # its label's canonical words


def _plain_words(text: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", _fold(text)) if w]


def find_mentions(text: str, labels: Iterable[tuple[str, str, str]]) -> list[Mention]:
    """The resources ``text`` names: ``labels`` gives ``(prefix, iri, label)``; a label matches when its words
    stand together in the text (a final plural ``s`` allowed). Longer matches win over the matches inside them."""
    tokens = _plain_words(text)
    found: list[tuple[int, int, Mention]] = []
    for prefix, iri, label in labels:
        target = _plain_words(label)
        if not target or all(w in STOPWORDS for w in target) or len("".join(target)) < 2:
            continue
        size = len(target)
        for start in range(len(tokens) - size + 1):
            window = tokens[start:start + size]
            if window[:-1] == target[:-1] and window[-1] in (target[-1], target[-1] + "s", target[-1] + "es"):
                found.append((start, start + size, Mention(prefix, iri, label, tuple(words(label)))))
    found.sort(key=lambda item: (-(item[1] - item[0]), item[0], item[2].iri))
    kept: list[tuple[int, int, Mention]] = []
    for start, end, mention in found:
        if not any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in kept):
            kept.append((start, end, mention))
    kept.sort(key=lambda item: (item[0], item[2].iri))
    return [mention for _, _, mention in kept]


def _slots(question: object) -> dict[str, str]:
    """The question's parameters that a mentioned resource can fill: prefix -> parameter name."""
    out: dict[str, str] = {}
    for spec in getattr(question, "params", None) or ():
        if spec.type == "iri" and spec.prefix:
            out.setdefault(spec.prefix, spec.name)
    return out


def rank(text: str, questions: Sequence[object], mentions: Sequence[Mention] = ()) -> list[Match]:
    """Every stored question scored against ``text``, best match first (then BM25 score, then name).

    A word of a mentioned resource counts as found for a question with a parameter of that resource's kind
    (``CRIES`` fills an ``actor`` parameter), and the question is then asked about it (:attr:`Match.bindings`).
    """
    query = list(dict.fromkeys(words(text)))
    docs = [_document(q) for q in questions]
    total = len(docs)
    if not total:
        return []
    average = sum(sum(d.values()) for d in docs) / total
    frequency = Counter(word for d in docs for word in d)

    def idf(word: str) -> float:
        n = frequency.get(word, 0)
        return math.log((total - n + 0.5) / (n + 0.5) + 1.0)

    weight_all = sum(idf(w) for w in query) or 1.0
    out = []
    for question, doc in zip(questions, docs):
        length = sum(doc.values())
        slots = _slots(question)
        bindings: dict[str, str] = {}
        filled: set[str] = set()
        for mention in mentions:
            name = slots.get(mention.prefix)
            if name is not None and name not in bindings:
                bindings[name] = mention.iri
                filled.update(mention.words)
        score = 0.0
        found = []
        for word in query:
            tf = doc.get(word, 0)
            if tf:
                score += idf(word) * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / average))
            if tf or word in filled:
                found.append(word)
        share = sum(idf(w) for w in found) / weight_all if query else 0.0
        missing = tuple(w for w in query if w not in found)
        out.append(Match(question, round(score, 6), round(share, 6), tuple(found), missing, bindings))
    out.sort(key=lambda m: (-m.match, -m.score, m.name))
    return out


def best(text: str, questions: Iterable[object], threshold: float = THRESHOLD,
         mentions: Sequence[Mention] = ()) -> tuple[Match | None, list[Match]]:
    """``(picked or None, ranking)``: the best-ranked question when its match reaches ``threshold``."""
    ranking = rank(text, list(questions), mentions)
    if ranking and ranking[0].match >= threshold and ranking[0].score > 0:
        return ranking[0], ranking
    return None, ranking


def label_candidates_query(namespaces: dict[str, str]) -> str:
    """A SPARQL query for ``?s ?label`` of the resources in these namespaces (prefix -> IRI), for mentions."""
    from .terms import literal_nt

    tests = " || ".join(f"STRSTARTS(STR(?s), {literal_nt(ns)})" for ns in namespaces.values())
    return ("SELECT ?s ?label WHERE { ?s ?p ?label "
            "VALUES ?p { <http://www.w3.org/2004/02/skos/core#prefLabel> <http://www.w3.org/2004/02/skos/core#altLabel> "
            "<http://www.w3.org/2000/01/rdf-schema#label> } "
            f"FILTER(isIRI(?s) && isLiteral(?label) && ({tests or 'false'})) }}")
