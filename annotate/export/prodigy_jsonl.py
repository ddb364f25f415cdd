"""Prodigy-style JSONL: text, tokens, spans with token indices, relations, meta.

Spans follow Prodigy's convention: character `start`/`end`, and `token_start`/`token_end` both inclusive. Relations
follow Prodigy's rel recipes: `head`/`child` are the last token of the `head_span`/`child_span`; head is our
relation's `from` end, child its `to` end. Each span also keeps our `id`, `text` and `attrs`, which Prodigy ignores.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..io import write_new_file
from ..records import AnnotatedDoc, dumps
from .tokens import AlignmentMode, Misaligned, SplitContext, align


def to_task(nlp, record: AnnotatedDoc, mode: AlignmentMode, misaligned: list[Misaligned]) -> dict[str, Any]:
    doc = nlp.make_doc(record.text)
    aligned = align(doc, record, record.spans, mode, misaligned)
    tokens = [{"text": token.text, "start": token.idx, "end": token.idx + len(token.text), "id": token.i,
               "ws": bool(token.whitespace_)} for token in doc]
    spans = []
    by_id: dict[str, dict[str, Any]] = {}
    for item in aligned:
        entry = {"id": item.span.id, "start": item.start, "end": item.end, "text": record.text[item.start:item.end],
                 "label": item.span.label, "token_start": item.token_start, "token_end": item.token_end - 1}
        if item.span.attrs:
            entry["attrs"] = dict(item.span.attrs)
        spans.append(entry)
        by_id[item.span.id] = entry
    relations = []
    for relation in record.relations:
        head, child = by_id.get(relation.from_id), by_id.get(relation.to_id)
        if head is None or child is None:
            continue  # an end was left out by alignment, and is already reported
        relations.append({
            "head": head["token_end"], "child": child["token_end"], "label": relation.label,
            "head_span": {key: head[key] for key in ("start", "end", "token_start", "token_end", "label")},
            "child_span": {key: child[key] for key in ("start", "end", "token_start", "token_end", "label")},
        })
    meta = {"doc_id": record.doc_id, **({"annotator": record.annotator} if record.annotator else {}), **record.meta}
    task = {"text": record.text, "tokens": tokens, "spans": spans, "relations": relations, "meta": meta,
            "answer": "accept"}
    if record.annotator:
        task["_annotator_id"] = record.annotator  # Prodigy's own key for who answered
    return task


def tasks(nlp, records: Sequence[AnnotatedDoc], mode: AlignmentMode, misaligned: list[Misaligned]) -> Iterator[str]:
    for record in records:
        yield dumps(to_task(nlp, record, mode, misaligned))


def write_split(directory: Path, split: str, records: Sequence[AnnotatedDoc], context: SplitContext) -> list[Path]:
    lines = list(tasks(context.nlp, records, context.mode, context.misaligned))
    return [write_new_file(directory / f"{split}.jsonl", "".join(line + "\n" for line in lines))]
