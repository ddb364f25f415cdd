"""brat standoff, one folder per split: DOC_ID.txt (the text, byte for byte), DOC_ID_ANNOTATOR.ann, DOC_ID.json,
and annotation.conf at the top, so the export opens in brat with the schema's types.

The .ann lines, in this order:
    T1<TAB>LABEL START END<TAB>TEXT          one per span, in record order
    A1<TAB>ATTRIBUTE T1 VALUE                one per span attribute
    R1<TAB>RELATION Arg1:T1 Arg2:T2          from -> to
Span ids that are already brat ids (T1, T7, ...) are kept; any others are numbered T1, T2, ... in record order, and
DOC_ID.json maps them back (`span_ids`), beside what standoff has no place for: doc_id, annotator and meta.
`annotate convert --from brat` reads the folder back to the same text, annotator, spans, attributes and relations
(`restore` puts back the original span ids and meta from DOC_ID.json).

A span that crosses a line break is written, as brat requires, as fragments split at the break
("T1<TAB>CLAIM 10 20;21 30<TAB>first part second part"); readers see fragments, so the export reports such spans.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from ..errors import ConfigError
from ..io import write_new_file
from ..records import AnnotatedDoc, Span, dumps
from ..schema import Schema
from .tokens import Misaligned, SplitContext

# Every character that some line reader (brat's, Python's str.splitlines) treats as the end of a line.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_PIECES = re.compile(f"[^{re.escape(LINE_BREAKS)}]+")
_BRAT_ID = re.compile(r"^T\d+$")
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@:+-]*$")


def fragments(text: str, span: Span) -> list[tuple[int, int]]:
    """The span's pieces between line breaks, as absolute offsets."""
    return [match.span() for match in _PIECES.finditer(text, span.start, span.end)]


def brat_ids(record: AnnotatedDoc) -> dict[str, str]:
    """Our span id -> its T id: kept when every span already has a distinct brat id, else T1.. in record order."""
    ids = [span.id for span in record.spans]
    if all(_BRAT_ID.match(span_id) for span_id in ids) and len(set(ids)) == len(ids):
        return {span_id: span_id for span_id in ids}
    return {span.id: f"T{number}" for number, span in enumerate(record.spans, start=1)}


def _safe(value: str, what: str, record: AnnotatedDoc) -> str:
    if not value or any(char.isspace() for char in value):
        raise ConfigError(f"document {record.doc_id}: {what} {value!r} cannot be written in brat standoff "
                          "(it must be non-empty, without spaces, tabs or line breaks)")
    return value


def to_standoff(record: AnnotatedDoc, reported: list[Misaligned] | None = None) -> str:
    """The .ann text of one record; spans that become several fragments are added to `reported`."""
    lines: list[str] = []
    tid = brat_ids(record)
    for span in record.spans:
        pieces = fragments(record.text, span)
        if not pieces:
            raise ConfigError(f"document {record.doc_id}: span {span.id!r} holds only line breaks; brat cannot show it")
        if reported is not None and (len(pieces) > 1 or (pieces[0][0], pieces[-1][1]) != (span.start, span.end)):
            reported.append(Misaligned(record.doc_id, span.id, span.label, span.start, span.end, span.text,
                                       f"crosses a line break: written as {len(pieces)} brat fragment(s) "
                                       + ";".join(f"{start}-{end}" for start, end in pieces)))
        offsets = ";".join(f"{start} {end}" for start, end in pieces)
        shown = " ".join(record.text[start:end] for start, end in pieces)
        lines.append(f"{tid[span.id]}\t{_safe(span.label, 'label', record)} {offsets}\t{shown}")
    number = 0
    for span in record.spans:
        for name, value in sorted(span.attrs.items()):
            number += 1
            lines.append(f"A{number}\t{_safe(name, 'attribute', record)} {tid[span.id]} "
                         f"{_safe(value, 'attribute value', record)}")
    for number, relation in enumerate(record.relations, start=1):
        lines.append(f"R{number}\t{_safe(relation.label, 'relation', record)} "
                     f"Arg1:{tid[relation.from_id]} Arg2:{tid[relation.to_id]}")
    return "".join(line + "\n" for line in lines)


def annotation_conf(schema: Schema) -> str:
    """brat's annotation.conf for the schema."""
    lines = ["# Written by `annotate export --format brat` from the project's schema.", "[entities]"]
    lines += [label for label in schema.labels]
    lines += ["", "[relations]"]
    lines += [f"{relation.name}\tArg1:{relation.from_label}, Arg2:{relation.to_label}" for relation in schema.relations]
    lines += ["<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "", "[events]", "", "[attributes]"]
    lines += [f"{attribute.name}\tArg:{attribute.label}, Value:{'|'.join(attribute.values)}"
              for attribute in schema.attributes]
    return "\n".join(lines) + "\n"


def sidecar(record: AnnotatedDoc) -> str:
    renamed = {brat: ours for ours, brat in brat_ids(record).items() if brat != ours}
    return dumps({"doc_id": record.doc_id, "annotator": record.annotator, "meta": dict(record.meta),
                  "span_ids": renamed}) + "\n"


def _file_part(value: str | None, what: str) -> str:
    if not value or not _FILE_NAME.match(value) or value in (".", ".."):
        raise ConfigError(f"{what} {value!r} cannot be part of a file name; brat export names files "
                          "<doc_id>_<annotator>.ann (letters, digits and . _ @ : + - only)")
    return value


def write_split(out: Path, split: str, records: Sequence[AnnotatedDoc], context: SplitContext) -> list[Path]:
    """One folder per split: <doc_id>.txt, <doc_id>_<annotator>.ann and the <doc_id>.json sidecar."""
    directory = out / split
    directory.mkdir()
    written = []
    seen: set[str] = set()
    for record in records:
        doc_id = _file_part(record.doc_id, "doc_id")
        annotator = _file_part(record.annotator, "annotator")
        if doc_id in seen:
            raise ConfigError(f"doc_id {doc_id} appears twice in one split; export one record per document")
        seen.add(doc_id)
        written.append(write_new_file(directory / f"{doc_id}.txt", record.text))
        written.append(write_new_file(directory / f"{doc_id}_{annotator}.ann", to_standoff(record, context.overlaps)))
        written.append(write_new_file(directory / f"{doc_id}.json", sidecar(record)))
    return written


def restore(record: AnnotatedDoc, root: Path) -> AnnotatedDoc:
    """A record that `annotate convert --from brat ROOT` read back from this export, with its original span ids,
    doc_id and meta put back from DOC_ID.json."""
    side = (root / str(record.meta.get("source_file", ""))).with_suffix(".json")
    if not side.is_file():
        raise ConfigError(f"{side} is missing: restore needs the DOC_ID.json written beside the brat files")
    saved = json.loads(side.read_text(encoding="utf-8"))
    ids = saved.get("span_ids", {})
    spans = tuple(Span(ids.get(s.id, s.id), s.start, s.end, s.label, s.text, s.attrs, s.score) for s in record.spans)
    relations = tuple(r.__class__(ids.get(r.from_id, r.from_id), ids.get(r.to_id, r.to_id), r.label)
                      for r in record.relations)
    return record.with_(doc_id=saved["doc_id"], spans=spans, relations=relations, meta=saved.get("meta", {}))
