"""spaCy DocBin (.spacy): attribution spans in doc.spans["sc"], entities in doc.ents.

The attribution layer (CLAIM, SOURCE, CUE, SUPPLEMENT) may overlap and nest, so it goes to a span group for
spancat. The entity layer goes to doc.ents, which cannot overlap: where entities overlap, the longest are kept
there (and reported), and doc.spans["entity"] keeps every one. Each span carries our id (Span.id_); the document's
id, the span attributes and the relations travel in doc.user_data["annotate"].
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..io import write_new_file
from ..records import AnnotatedDoc
from ..schema import Schema
from .tokens import AlignmentMode, Misaligned, SplitContext, align, non_overlapping

SPANS_KEY = "sc"
ENTITY_KEY = "entity"
ATTRIBUTION_LAYER = "span"
ENTITY_LAYER = "entity"


def to_spacy_doc(nlp, record: AnnotatedDoc, schema: Schema, mode: AlignmentMode, misaligned: list[Misaligned],
                 overlaps: list[Misaligned]):
    from spacy.tokens import Span as SpacySpan

    doc = nlp.make_doc(record.text)
    layers = {name: label.layer for name, label in schema.labels.items()}
    aligned = align(doc, record, record.spans, mode, misaligned)

    def spacy_span(item):
        span = SpacySpan(doc, item.token_start, item.token_end, label=item.span.label)
        span.id_ = item.span.id
        return span

    doc.spans[SPANS_KEY] = [spacy_span(item) for item in aligned if layers[item.span.label] == ATTRIBUTION_LAYER]
    entities = [item for item in aligned if layers[item.span.label] == ENTITY_LAYER]
    doc.spans[ENTITY_KEY] = [spacy_span(item) for item in entities]
    kept, dropped = non_overlapping(entities)
    doc.ents = [spacy_span(item) for item in kept]
    for item in dropped:
        overlaps.append(Misaligned(record.doc_id, item.span.id, item.span.label, item.span.start, item.span.end,
                                   item.span.text, "not in doc.ents (overlaps a longer entity); kept in "
                                   f'doc.spans["{ENTITY_KEY}"]'))
    exported = {item.span.id for item in aligned}
    doc.user_data["annotate"] = {
        "doc_id": record.doc_id,
        "annotator": record.annotator,
        "attrs": {span.id: dict(span.attrs) for span in record.spans if span.id in exported and span.attrs},
        "relations": [relation.to_dict() for relation in record.relations
                      if relation.from_id in exported and relation.to_id in exported],
    }
    return doc


def write_split(directory: Path, split: str, records: Sequence[AnnotatedDoc], context: SplitContext) -> list[Path]:
    from spacy.tokens import DocBin

    docs = DocBin(store_user_data=True)
    for record in records:
        docs.add(to_spacy_doc(context.nlp, record, context.schema, context.mode, context.misaligned, context.overlaps))
    return [write_new_file(directory / f"{split}.spacy", docs.to_bytes())]
