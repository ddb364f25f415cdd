"""Prodigy JSONL (ner.manual, spans.manual, rel.manual exports) -> AnnotatedDoc records.

One line is one annotated example. The annotator is `_annotator_id` (Prodigy's "<dataset>-<session>"), else
`_session_id`, unless --annotator names it. Only accepted examples are annotations: "reject" and "ignore" answers
are skipped and counted. Spans keep their character offsets and get ids s0, s1, … in the order of `spans`.
Relations (rel.manual) join `head_span` to `child_span` (head -> child, the relation's label); an endpoint that is
not among `spans` (a bare token in rel.manual) becomes a span of its own, labelled with its span label or TOKEN.
Prodigy's `meta` is kept in our meta, with `_input_hash`/`_task_hash` as prodigy_input_hash/prodigy_task_hash.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import RecordError
from ..records import AnnotatedDoc, Relation, Span, iter_json_lines, make_doc_id
from .common import ReadOptions, Tally

TOKEN_LABEL = "TOKEN"


def read_prodigy(path: str | Path, options: ReadOptions, tally: Tally) -> Iterator[AnnotatedDoc]:
    """Records from a Prodigy JSONL export; one (text, annotator) may appear only once. An export with no
    examples is an error, not an empty output: it is almost always the wrong file or dataset name."""
    path = Path(path)
    if not path.is_file():
        raise RecordError(str(path), None, None, "does not exist or is not a file", "Give a Prodigy JSONL export (prodigy db-out)")
    seen: dict[tuple[str, str], int] = {}
    examples = 0
    for number, raw in iter_json_lines(path):
        examples += 1
        doc = doc_from_prodigy(raw, str(path), number, options.annotator)
        if doc is None:
            tally.skipped[f"prodigy answer {raw.get('answer')!r}"] += 1
            continue
        key = (doc.doc_id, doc.annotator or "")
        if key in seen:
            raise RecordError(str(path), number, "_annotator_id",
                              f"the same text was already annotated by {doc.annotator!r} on line {seen[key]}",
                              "Keep one answer per text and annotator (e.g. prodigy db-out after review)")
        seen[key] = number
        yield doc
    if not examples:
        raise RecordError(str(path), None, None, "holds no Prodigy examples (the file is empty)",
                          "Export a dataset with: prodigy db-out DATASET > annotations.jsonl")


def _offsets(raw: Mapping[str, Any], tokens: list[Any], where: str, line: int, field: str) -> tuple[int, int]:
    """Character offsets of a Prodigy span; from token_start/token_end (inclusive) if start/end are absent."""
    start, end = raw.get("start"), raw.get("end")
    if start is None or end is None:
        first, last = raw.get("token_start"), raw.get("token_end")
        if not isinstance(first, int) or not isinstance(last, int) or not 0 <= first <= last < len(tokens):
            raise RecordError(where, line, field, "has neither start/end nor token_start/token_end inside 'tokens'")
        start, end = tokens[first].get("start"), tokens[last].get("end")
    if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) or not isinstance(end, int):
        raise RecordError(where, line, field, f"start/end must be integer character offsets, got {start!r}/{end!r}")
    return start, end


def doc_from_prodigy(raw: Any, where: str = "<prodigy>", line: int | None = None,
                     annotator: str | None = None) -> AnnotatedDoc | None:
    """One example -> a record, or None when it was not accepted (pure)."""
    if not isinstance(raw, dict):
        raise RecordError(where, line, None, f"an example must be a JSON object, got {type(raw).__name__}")
    answer = raw.get("answer", "accept")
    if answer != "accept":
        return None
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise RecordError(where, line, "text", "is missing or empty")
    name = annotator or raw.get("_annotator_id") or raw.get("_session_id")
    if not name:
        raise RecordError(where, line, "_annotator_id", "is missing, and so is _session_id",
                          "Pass --annotator NAME for a single annotator's export")
    tokens = raw.get("tokens") or []

    spans: list[Span] = []
    by_offsets: dict[tuple[int, int, str | None], str] = {}
    for index, raw_span in enumerate(raw.get("spans") or []):
        field = f"spans[{index}]"
        if not isinstance(raw_span, dict):
            raise RecordError(where, line, field, "must be an object")
        start, end = _offsets(raw_span, tokens, where, line, field)
        label = raw_span.get("label")
        if not isinstance(label, str) or not label:
            raise RecordError(where, line, field + ".label", "is missing")
        spans.append(_span(text, f"s{index}", start, end, label, raw_span.get("text"), where, line, field))
        by_offsets.setdefault((start, end, label), spans[-1].id)
        by_offsets.setdefault((start, end, None), spans[-1].id)

    relations: list[Relation] = []
    for index, raw_relation in enumerate(raw.get("relations") or []):
        field = f"relations[{index}]"
        if not isinstance(raw_relation, dict):
            raise RecordError(where, line, field, "must be an object")
        label = raw_relation.get("label")
        if not isinstance(label, str) or not label:
            raise RecordError(where, line, field + ".label", "is missing")
        ends = []
        for side in ("head", "child"):
            endpoint = raw_relation.get(f"{side}_span")
            if not isinstance(endpoint, dict):
                token = raw_relation.get(side)
                if not isinstance(token, int) or not 0 <= token < len(tokens):
                    raise RecordError(where, line, f"{field}.{side}_span", "is missing and the token index is not in 'tokens'")
                endpoint = {"token_start": token, "token_end": token, "label": None}
            start, end = _offsets(endpoint, tokens, where, line, f"{field}.{side}_span")
            span_label = endpoint.get("label") or None
            span_id = by_offsets.get((start, end, span_label))  # label None: any span on those offsets
            if span_id is None:
                span = _span(text, f"s{len(spans)}", start, end, span_label or TOKEN_LABEL, None, where, line, f"{field}.{side}_span")
                spans.append(span)
                span_id = span.id
                by_offsets[(start, end, span_label)] = span_id
                by_offsets.setdefault((start, end, None), span_id)
            ends.append(span_id)
        relations.append(Relation(ends[0], ends[1], label))

    meta = dict(raw.get("meta") or {}) if isinstance(raw.get("meta"), dict) else {}
    for key, name_in_meta in (("_input_hash", "prodigy_input_hash"), ("_task_hash", "prodigy_task_hash")):
        if raw.get(key) is not None:
            meta[name_in_meta] = raw[key]
    return AnnotatedDoc(make_doc_id(text), text, str(name), tuple(spans), tuple(relations), meta)


def _span(text: str, span_id: str, start: int, end: int, label: str, claimed: Any, where: str, line: int | None,
          field: str) -> Span:
    if not 0 <= start < end <= len(text):
        raise RecordError(where, line, field, f"offsets {start}..{end} are outside the text ({len(text)} characters) or empty")
    if claimed is not None and claimed != text[start:end]:
        raise RecordError(where, line, field + ".text", f"{claimed!r} does not match text[{start}:{end}] = {text[start:end]!r}")
    return Span(span_id, start, end, label, text[start:end])
