"""AnnotatedDoc: the one record type, and its JSONL reading and writing.

Articles, model predictions, human annotations and gold all share this shape, so every stage takes any mix
of them. Reads check every record and name file:line and the field; writes are atomic and byte-deterministic.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import jsonlines

from .errors import RecordError
from .io import atomic_open

MODEL_PREFIX = "model:"
GOLD_ANNOTATOR = "gold"


@dataclass(frozen=True)
class Span:
    id: str
    start: int
    end: int
    label: str
    text: str
    attrs: Mapping[str, str] = field(default_factory=dict)
    # A model's confidence in [0, 1]; people's spans have none.
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        record = {"id": self.id, "start": self.start, "end": self.end, "label": self.label,
                  "text": self.text, "attrs": dict(self.attrs)}
        if self.score is not None:
            record["score"] = self.score
        return record


@dataclass(frozen=True)
class Relation:
    from_id: str
    to_id: str
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.from_id, "to": self.to_id, "label": self.label}


@dataclass(frozen=True)
class AnnotatedDoc:
    doc_id: str
    text: str
    annotator: str | None = None
    spans: tuple[Span, ...] = ()
    relations: tuple[Relation, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_article(self) -> bool:
        """An ingested article: nobody has annotated it yet."""
        return self.annotator is None and not self.spans and not self.relations

    @property
    def is_model(self) -> bool:
        return bool(self.annotator) and self.annotator.startswith(MODEL_PREFIX)

    def span_by_id(self) -> dict[str, Span]:
        return {span.id: span for span in self.spans}

    def with_(self, **changes: Any) -> AnnotatedDoc:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {"doc_id": self.doc_id, "text": self.text}
        # An article has no annotation layer at all; an annotator who marked nothing keeps empty lists,
        # because "saw it and marked nothing" must stay distinct from "never saw it".
        if not self.is_article:
            record["annotator"] = self.annotator
            record["spans"] = [span.to_dict() for span in self.spans]
            record["relations"] = [relation.to_dict() for relation in self.relations]
        record["meta"] = dict(self.meta)
        return record


def make_doc_id(text: str) -> str:
    """A stable id from the normalised text: the same article always gets the same id, anywhere."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def make_span(doc_text: str, span_id: str, start: int, end: int, label: str,
              attrs: Mapping[str, str] | None = None, score: float | None = None) -> Span:
    """A span whose text is cut from the document, so `text[start:end] == span.text` holds by construction."""
    return Span(id=span_id, start=start, end=end, label=label, text=doc_text[start:end],
                attrs=dict(attrs or {}), score=score)


# ---------------------------------------------------------------------------------------------------------
# Checking


def _fail(path: str, line: int | None, field_name: str | None, problem: str, fix: str = "") -> RecordError:
    return RecordError(path, line, field_name, problem, fix)


def _require_str(raw: Mapping[str, Any], key: str, path: str, line: int | None, prefix: str,
                 allow_empty: bool = False) -> str:
    value = raw.get(key)
    if value is None:
        raise _fail(path, line, prefix + key, "is missing")
    if not isinstance(value, str):
        raise _fail(path, line, prefix + key, f"must be a string, got {type(value).__name__}")
    if not allow_empty and not value.strip():
        raise _fail(path, line, prefix + key, "is empty")
    return value


def _require_int(raw: Mapping[str, Any], key: str, path: str, line: int | None, prefix: str) -> int:
    value = raw.get(key)
    if value is None:
        raise _fail(path, line, prefix + key, "is missing")
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(path, line, prefix + key, f"must be an integer character offset, got {value!r}")
    return value


def _require_mapping(raw: Mapping[str, Any], key: str, path: str, line: int | None, prefix: str) -> dict[str, Any]:
    value = raw.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(path, line, prefix + key, f"must be an object, got {type(value).__name__}")
    return value


def _require_list(raw: Mapping[str, Any], key: str, path: str, line: int | None) -> list[Any]:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(path, line, key, f"must be a list, got {type(value).__name__}")
    return value


def doc_from_dict(raw: Any, path: str = "<record>", line: int | None = None) -> AnnotatedDoc:
    """Build and check one record. Raises RecordError naming path:line and the field at fault."""
    if not isinstance(raw, dict):
        raise _fail(path, line, None, f"a record must be a JSON object, got {type(raw).__name__}")
    text = _require_str(raw, "text", path, line, "", allow_empty=False)
    doc_id = raw.get("doc_id")
    if doc_id is None:
        doc_id = make_doc_id(text)
    elif not isinstance(doc_id, str) or not doc_id:
        raise _fail(path, line, "doc_id", f"must be a non-empty string, got {doc_id!r}")
    annotator = raw.get("annotator")
    if annotator is not None and (not isinstance(annotator, str) or not annotator.strip()):
        raise _fail(path, line, "annotator", f"must be a non-empty string or absent, got {annotator!r}")

    spans: list[Span] = []
    seen_ids: set[str] = set()
    for index, raw_span in enumerate(_require_list(raw, "spans", path, line)):
        prefix = f"spans[{index}]."
        if not isinstance(raw_span, dict):
            raise _fail(path, line, f"spans[{index}]", "must be an object")
        span_id = raw_span.get("id")
        if span_id is None or span_id == "":
            raise _fail(path, line, prefix + "id", "is missing")
        span_id = str(span_id)
        if span_id in seen_ids:
            raise _fail(path, line, prefix + "id", f"duplicate span id {span_id!r}", "Give every span in a record its own id")
        seen_ids.add(span_id)
        start = _require_int(raw_span, "start", path, line, prefix)
        end = _require_int(raw_span, "end", path, line, prefix)
        if not 0 <= start < end <= len(text):
            raise _fail(path, line, prefix + "start/end",
                        f"offsets {start}..{end} out of range for a text of {len(text)} characters (need 0 <= start < end <= len(text))")
        label = _require_str(raw_span, "label", path, line, prefix)
        span_text = raw_span.get("text")
        if span_text is None:
            span_text = text[start:end]
        elif span_text != text[start:end]:
            raise _fail(path, line, prefix + "text",
                        f"{span_text!r} does not match text[{start}:{end}] = {text[start:end]!r}",
                        "Fix the offsets or the span text; offsets are Python str indices into 'text'")
        attrs = _require_mapping(raw_span, "attrs", path, line, prefix)
        for name, value in attrs.items():
            if not isinstance(value, str):
                raise _fail(path, line, f"{prefix}attrs.{name}", f"must be a string, got {value!r}")
        score = raw_span.get("score")
        if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
            raise _fail(path, line, prefix + "score", f"must be a number, got {score!r}")
        spans.append(Span(id=span_id, start=start, end=end, label=label, text=span_text, attrs=dict(attrs),
                          score=None if score is None else float(score)))

    relations: list[Relation] = []
    for index, raw_relation in enumerate(_require_list(raw, "relations", path, line)):
        prefix = f"relations[{index}]."
        if not isinstance(raw_relation, dict):
            raise _fail(path, line, f"relations[{index}]", "must be an object")
        ends = []
        for key in ("from", "to"):
            value = raw_relation.get(key)
            if value is None or value == "":
                raise _fail(path, line, prefix + key, "is missing")
            if str(value) not in seen_ids:
                raise _fail(path, line, prefix + key, f"points to span {value!r}, which this record does not have")
            ends.append(str(value))
        label = _require_str(raw_relation, "label", path, line, prefix)
        relations.append(Relation(from_id=ends[0], to_id=ends[1], label=label))

    meta = _require_mapping(raw, "meta", path, line, "")
    return AnnotatedDoc(doc_id=doc_id, text=text, annotator=annotator, spans=tuple(spans),
                        relations=tuple(relations), meta=dict(meta))


def no_records(path: str | os.PathLike[str], fix: str) -> RecordError:
    """The one error for an input with no records: commands refuse it rather than write or report nothing."""
    return RecordError(str(path), None, None, "holds no records", fix)


def check_doc(doc: AnnotatedDoc, where: str = "<record>") -> AnnotatedDoc:
    """Writers call this: the same checks a reader makes, so nothing invalid is ever written."""
    return doc_from_dict(doc.to_dict(), where)


# ---------------------------------------------------------------------------------------------------------
# JSONL


def dumps(record: Mapping[str, Any]) -> str:
    """One canonical line: sorted keys, real Unicode, so that the same records give the same bytes."""
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


def iter_json_lines(path: str | os.PathLike[str]) -> Iterator[tuple[int, Any]]:
    """Yield (line number, parsed JSON) for every non-blank line, with located errors for bad JSON or bytes."""
    name = str(path)
    try:
        handle = open(path, "rb")
    except OSError as error:
        raise _fail(name, None, None, f"cannot be read ({error.strerror})", "Check the path") from error
    with handle:
        for number, raw_line in enumerate(handle, start=1):
            try:
                line = raw_line.decode("utf-8")
            except UnicodeDecodeError as error:
                raise _fail(name, number, None, f"is not valid UTF-8 (byte {error.start})",
                            "Re-encode the file as UTF-8") from error
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as error:
                raise _fail(name, number, None, f"invalid JSON ({error.msg} at column {error.colno})",
                            "Each line must be one JSON object") from error


def read_docs(path: str | os.PathLike[str]) -> Iterator[AnnotatedDoc]:
    """Stream checked records from a JSONL file."""
    for number, raw in iter_json_lines(path):
        yield doc_from_dict(raw, str(path), number)


def write_docs(path: str | os.PathLike[str], docs: Iterable[AnnotatedDoc]) -> int:
    """Check and write records atomically: a killed run leaves the old file, never half a new one."""
    count = 0
    with atomic_open(path) as handle, jsonlines.Writer(handle, dumps=dumps) as writer:
        for doc in docs:
            count += 1
            writer.write(check_doc(doc, f"{path} (record {count})").to_dict())
    return count
