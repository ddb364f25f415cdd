"""A processed Doc -> an AnnotatedDoc: attribution spans, entity spans, links, ids in text order."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from spacy.tokens import Doc

from ..records import AnnotatedDoc, Relation, make_span
from .model import LINKS, SPAN_KEY

# The same prefixes as the seed gold importer (annotate/importers/phrases.py), so ids read alike across annotators.
ID_PREFIX = {"CLAIM": "c", "SOURCE": "s", "CUE": "q", "SUPPLEMENT": "p"}
ENTITY_PREFIX = "e"


def doc_to_record(doc: Doc, doc_id: str, annotator: str, meta: Mapping[str, Any] | None = None,
                  entity_labels: Collection[str] = (), entity_scores: Mapping[str, float] | None = None,
                  text: str | None = None) -> AnnotatedDoc:
    """`entity_labels`: the schema's entity layer (NER labels outside it are left out). `text`, when the caller
    has it, is the Doc's text (spaCy keeps it exactly); Doc.text joins every token, so passing it saves that."""
    entity_scores = entity_scores or {}
    if text is None:
        text = doc.text
    rows: list[tuple[int, int, str, dict[str, str], float, Any]] = []
    group = doc.spans[SPAN_KEY] if SPAN_KEY in doc.spans else []
    scores = group.attrs.get("scores", []) if group else []
    attrs = group.attrs.get("attrs", []) if group else []
    for index, span in enumerate(group):
        rows.append((span.start_char, span.end_char, span.label_, dict(attrs[index]) if index < len(attrs) else {},
                     float(scores[index]) if index < len(scores) else 1.0, index))
    for ent in doc.ents:
        if ent.label_ in entity_labels:
            source = "gazetteer" if ent.ent_id_ == "gazetteer" else "ner"
            score = entity_scores.get(source, 0.95 if source == "gazetteer" else 0.8)
            rows.append((ent.start_char, ent.end_char, ent.label_, {}, float(score), None))
    rows.sort(key=lambda row: (row[0], row[1], row[2]))
    counters: dict[str, int] = {}
    ids: dict[int, str] = {}
    spans = []
    for start, end, label, span_attrs, score, index in rows:
        prefix = ID_PREFIX.get(label, ENTITY_PREFIX)
        counters[prefix] = counters.get(prefix, 0) + 1
        span_id = f"{prefix}{counters[prefix]}"
        if index is not None:
            ids[index] = span_id
        spans.append(make_span(text, span_id, start, end, label, span_attrs, round(score, 4)))
    position = {span.id: number for number, span in enumerate(spans)}
    relations = sorted({Relation(ids[a], ids[b], label) for a, b, label in (doc._.get(LINKS) or [])},
                       key=lambda r: (position[r.from_id], position[r.to_id], r.label))
    return AnnotatedDoc(doc_id=doc_id, text=text, annotator=annotator, spans=tuple(spans),
                        relations=tuple(relations), meta=dict(meta or {}))
