"""Fit an imported record to the schema: keep what the schema defines, drop the rest with a reason.

Other tools allow labels, relations and attributes that this project's schema does not. Records that carry them
would fail later in `gold`, `push` and `export` (schema.validate_docs), so the importer drops them here, counts
each drop by reason in the Tally, and (under --strict) stops at the first one instead.
"""

from __future__ import annotations

from ..records import AnnotatedDoc, Relation, Span
from ..schema import Schema
from .common import Tally


def conform(doc: AnnotatedDoc, schema: Schema, where: str, tally: Tally) -> AnnotatedDoc:
    """The record with only the spans, attributes and relations that `schema` allows (see schema.schema_problems)."""
    labels = schema.labels
    spans: dict[str, Span] = {}
    for span in doc.spans:
        if span.label not in labels:
            tally.drop(f"span label {span.label!r} is not in the schema", f"{where}: span {span.id}")
            continue
        allowed = schema.attributes_for(span.label)
        attrs = {}
        for name, value in span.attrs.items():
            if name not in allowed:
                tally.drop(f"attribute {name!r} is not defined for {span.label}", f"{where}: span {span.id}")
            elif value not in allowed[name].values:
                tally.drop(f"attribute {name}={value!r} is not one of {list(allowed[name].values)}",
                           f"{where}: span {span.id}")
            else:
                attrs[name] = value
        spans[span.id] = span if attrs == dict(span.attrs) else Span(span.id, span.start, span.end, span.label,
                                                                       span.text, attrs, span.score)
    dropped_spans = {span.id for span in doc.spans} - set(spans)
    definitions = schema.relation_by_name
    relations: list[Relation] = []
    seen: set[Relation] = set()
    for relation in doc.relations:
        at = f"{where}: relation {relation.from_id}->{relation.to_id}"
        definition = definitions.get(relation.label)
        if relation in seen:
            continue
        if definition is None:
            tally.drop(f"relation label {relation.label!r} is not in the schema", at)
            continue
        if relation.from_id in dropped_spans or relation.to_id in dropped_spans:
            tally.drop(f"{relation.label} relation whose span was dropped", at)
            continue
        source, target = spans.get(relation.from_id), spans.get(relation.to_id)
        if source is None or target is None:
            tally.drop(f"{relation.label} relation points to a missing span", at)
            continue
        if (source.label, target.label) != (definition.from_label, definition.to_label):
            tally.drop(f"{relation.label} must go {definition.from_label} -> {definition.to_label}, not "
                       f"{source.label} -> {target.label}", at)
            continue
        seen.add(relation)
        relations.append(relation)
    return doc.with_(spans=tuple(spans.values()), relations=tuple(relations))
