"""Reading a SHACL shapes graph (rdflib) into plain shape and constraint records.

Only what the fast engine can evaluate with the same results as pyshacl is accepted; anything else raises
:class:`Unsupported` naming the feature, so that the caller can fall back to pyshacl.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph

__all__ = ["Unsupported", "Shape", "Constraint", "ShapesIndex", "SH", "sparql_path", "term_sparql"]

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"


class Unsupported(InputError):
    """The shapes use a feature the fast engine does not evaluate (the message names it); use pyshacl instead."""


#: Constraint parameters this engine evaluates, keyed by the component's local name.
COMPONENT_PARAMETERS: dict[str, tuple[str, ...]] = {
    "Class": ("class",), "Datatype": ("datatype",), "NodeKind": ("nodeKind",),
    "MinCount": ("minCount",), "MaxCount": ("maxCount",),
    "MinExclusive": ("minExclusive",), "MinInclusive": ("minInclusive",),
    "MaxExclusive": ("maxExclusive",), "MaxInclusive": ("maxInclusive",),
    "MinLength": ("minLength",), "MaxLength": ("maxLength",), "Pattern": ("pattern", "flags"),
    "LanguageIn": ("languageIn",), "UniqueLang": ("uniqueLang",),
    "Equals": ("equals",), "Disjoint": ("disjoint",), "LessThan": ("lessThan",),
    "LessThanOrEquals": ("lessThanOrEquals",),
    "Not": ("not",), "And": ("and",), "Or": ("or",), "Xone": ("xone",), "Node": ("node",),
    "Property": ("property",),
    "QualifiedValueShape": ("qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount",
                            "qualifiedValueShapesDisjoint"),
    "Closed": ("closed", "ignoredProperties"), "HasValue": ("hasValue",), "In": ("in",), "SPARQL": ("sparql",),
}
_ALL_PARAMETERS = {p for ps in COMPONENT_PARAMETERS.values() for p in ps}
#: Shape-describing properties that are not constraints.
_DESCRIPTIVE = {"targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target", "path", "severity", "message",
                "deactivated", "name", "description", "order", "group", "defaultValue", "declare", "prefixes",
                "labelTemplate"}
#: Features this engine refuses (pyshacl's "advanced" features and SHACL-AF).
_REFUSED = {"rule": "SHACL rules (sh:rule)",
            "expression": "node expressions (sh:expression)", "values": "sh:values (SHACL-AF)",
            "condition": "sh:condition (SHACL-AF)", "js": "JavaScript constraints (sh:js)",
            "jsLibrary": "JavaScript libraries (sh:jsLibrary)"}


@dataclass
class Constraint:
    """One constraint of a shape: a component and the values of its parameters (rdflib terms)."""

    component: str  # local name, e.g. "MinCount"; the IRI is SH + component + "ConstraintComponent"
    value: object  # the main parameter's value
    extra: dict = field(default_factory=dict)

    @property
    def iri(self) -> str:
        return f"{SH}{self.component}ConstraintComponent"


@dataclass
class Shape:
    node: object  # rdflib term
    path: object | None  # rdflib path node (None for node shapes)
    path_sparql: str | None
    severity: object
    deactivated: bool
    messages: list
    target_classes: list
    target_nodes: list
    target_subjects_of: list
    target_objects_of: list
    constraints: list[Constraint]
    target_sparql: list = field(default_factory=list)  # sh:SPARQLTarget nodes (sh:select)

    @property
    def is_property(self) -> bool:
        return self.path is not None

    @property
    def has_targets(self) -> bool:
        return bool(self.target_classes or self.target_nodes or self.target_subjects_of or self.target_objects_of
                    or self.target_sparql)


def term_sparql(term: object) -> str:
    """An IRI or literal (rdflib) in SPARQL syntax. Blank nodes have no SPARQL syntax: callers substitute them."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        text = str(term)
        if any(c in text for c in '<>"{}|^`\\ \n'):
            raise Unsupported(f"the IRI {text!r} cannot be written in a SPARQL query")
        return f"<{text}>"
    if isinstance(term, Literal):
        value = str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if term.language:
            return f'"{value}"@{term.language}'
        if term.datatype is not None and str(term.datatype) != XSD + "string":
            return f'"{value}"^^<{term.datatype}>'
        return f'"{value}"'
    if isinstance(term, BNode):
        raise Unsupported("a blank node used as a constant in a constraint")
    raise Unsupported(f"the term {term!r}")


def sparql_path(graph: "Graph", node: object, depth: int = 0) -> str:
    """A SHACL property path (rdflib) as a SPARQL 1.1 property path."""
    from rdflib import BNode, URIRef
    from rdflib.namespace import RDF as R, SH as S

    if depth > 20:
        raise Unsupported("a property path nested more than 20 deep")
    if isinstance(node, URIRef):
        return term_sparql(node)
    if not isinstance(node, BNode):
        raise Unsupported(f"a property path that is not an IRI or a blank node ({node!r})")
    if graph.value(node, R.first) is not None:
        items = list(graph.items(node))
        if len(items) < 2:
            raise Unsupported("a sequence path with fewer than two members")
        return "(" + "/".join(sparql_path(graph, i, depth + 1) for i in items) + ")"
    for prop, fmt in ((S.inversePath, "^({})"), (S.zeroOrMorePath, "({})*"), (S.oneOrMorePath, "({})+"),
                      (S.zeroOrOnePath, "({})?")):
        inner = graph.value(node, prop)
        if inner is not None:
            return fmt.format(sparql_path(graph, inner, depth + 1))
    alternatives = graph.value(node, S.alternativePath)
    if alternatives is not None:
        items = list(graph.items(alternatives))
        if len(items) < 2:
            raise Unsupported("an alternative path with fewer than two members")
        return "(" + "|".join(sparql_path(graph, i, depth + 1) for i in items) + ")"
    raise Unsupported("a property path of an unknown form")


class ShapesIndex:
    """All shapes of a shapes graph, read lazily by node, and the ones that have targets."""

    def __init__(self, graph: "Graph"):
        from rdflib import URIRef

        self.graph = graph
        self._shapes: dict[object, Shape] = {}
        self._refuse_custom_components()
        sh = lambda name: URIRef(SH + name)  # noqa: E731
        candidates = set(graph.subjects(URIRef(RDF + "type"), sh("NodeShape")))
        candidates |= set(graph.subjects(URIRef(RDF + "type"), sh("PropertyShape")))
        for name in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target"):
            candidates |= set(graph.subjects(sh(name), None))
        for name in _REFUSED:
            if any(True for _ in graph.subject_objects(sh(name))):
                raise Unsupported(_REFUSED[name])
        self.targeted = [s for s in (self.shape(c) for c in sorted(candidates, key=_sort_key)) if s.has_targets]

    def _refuse_custom_components(self) -> None:
        from rdflib import URIRef

        components = set(self.graph.subjects(URIRef(RDF + "type"), URIRef(SH + "ConstraintComponent")))
        for name in ("parameter", "validator", "nodeValidator", "propertyValidator"):
            components |= set(self.graph.subjects(URIRef(SH + name), None))
        if components:
            raise Unsupported("SPARQL-based constraint components (sh:ConstraintComponent)")

    def shape(self, node: object) -> Shape:
        found = self._shapes.get(node)
        if found is None:
            found = self._shapes[node] = self._read(node)
        return found

    def _read(self, node: object) -> Shape:
        from rdflib import Literal, URIRef

        g = self.graph
        sh = lambda name: URIRef(SH + name)  # noqa: E731
        values = lambda name: sorted(g.objects(node, sh(name)), key=_sort_key)  # noqa: E731
        for _, p in [(None, p) for p in set(g.predicates(node, None))]:
            text = str(p)
            if text.startswith(SH):
                local = text[len(SH):]
                if local in _REFUSED:
                    raise Unsupported(_REFUSED[local])
                if local not in _ALL_PARAMETERS and local not in _DESCRIPTIVE and local not in (
                        "inversePath", "alternativePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath",
                        "select", "ask", "construct", "update", "validator", "nodeValidator", "propertyValidator",
                        "parameter", "labelTemplate", "first", "rest"):
                    raise Unsupported(f"the SHACL property sh:{local}")
        paths = values("path")
        if len(paths) > 1:
            raise Unsupported(f"a shape with {len(paths)} values of sh:path")
        path = paths[0] if paths else None
        severity = g.value(node, sh("severity")) or sh("Violation")
        deactivated = any(isinstance(v, Literal) and v.toPython() is True for v in g.objects(node, sh("deactivated")))
        # Implicit class targets: a shape that is also a class (rdfs:Class or a subclass of it in the shapes graph).
        implicit = []
        class_types = {URIRef(RDFS + "Class")} | set(g.transitive_subjects(URIRef(RDFS + "subClassOf"), URIRef(RDFS + "Class")))
        node_types = set(g.objects(node, URIRef(RDF + "type")))
        if node_types & class_types and (URIRef(SH + "NodeShape") in node_types or URIRef(SH + "PropertyShape") in node_types):
            implicit = [node]
        shape = Shape(
            node=node, path=path, path_sparql=sparql_path(g, path) if path is not None else None,
            severity=severity, deactivated=deactivated, messages=values("message"),
            target_classes=sorted(set(values("targetClass")) | set(implicit), key=_sort_key),
            target_nodes=values("targetNode"), target_subjects_of=values("targetSubjectsOf"),
            target_objects_of=values("targetObjectsOf"), constraints=[],
        )
        for target in values("target"):
            if g.value(target, sh("select")) is None or g.value(target, sh("ask")) is not None or \
                    list(g.objects(target, sh("parameter"))):
                raise Unsupported("a custom target (sh:target other than an sh:SPARQLTarget with sh:select)")
            shape.target_sparql.append(target)
        shape.constraints = self._constraints(node)
        return shape

    def _constraints(self, node: object) -> list[Constraint]:
        from rdflib import URIRef

        g = self.graph
        out: list[Constraint] = []
        for component, params in COMPONENT_PARAMETERS.items():
            main = params[0]
            vals = sorted(g.objects(node, URIRef(SH + main)), key=_sort_key)
            if not vals:
                continue
            extra = {}
            for p in params[1:]:
                found = sorted(g.objects(node, URIRef(SH + p)), key=_sort_key)
                if len(found) > 1:
                    raise Unsupported(f"more than one value of sh:{p} on one shape")
                extra[p] = found[0] if found else None
            single = component in ("Datatype", "NodeKind", "MinCount", "MaxCount", "MinLength", "MaxLength",
                                   "LanguageIn", "UniqueLang", "Closed", "In", "QualifiedValueShape",
                                   "MinExclusive", "MinInclusive", "MaxExclusive", "MaxInclusive")
            if single and len(vals) > 1:
                raise Unsupported(f"more than one value of sh:{main} on one shape")
            out.extend(Constraint(component, v, dict(extra)) for v in vals)
        return out


def _sort_key(term: object) -> tuple[str, str]:
    return (type(term).__name__, str(term))
