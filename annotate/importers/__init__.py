"""Other tools' annotations -> AnnotatedDoc records: brat standoff, Prodigy JSONL, Label Studio JSON exports.

`convert(source, path, label_map=..., annotator=..., schema=..., strict=...)` returns a ConvertResult: the
records, and what was left out, renamed, noticed and dropped. `annotate agree`, `gold`, `push` and `export` take
the records as they are: labels are renamed by the label map, and whatever the schema has no place for is dropped
with a count (importers.conform), or is an error under `strict`. Each reader is pure apart from reading its files,
and golden-file tested (tests/data/convert/<case>/). `importers.phrases` compiles hand-written phrase
annotations (gold/seed/annotations.toml) into records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from ..errors import ConfigError, RecordError
from ..records import AnnotatedDoc, Relation, Span
from ..schema import Schema, load_schema
from .brat import read_brat
from .common import LabelMap, ReadOptions, Tally, parse_label_map
from .conform import conform
from .labelstudio import read_labelstudio
from .prodigy import read_prodigy

__all__ = ["READERS", "ConvertResult", "LabelMap", "Source", "convert", "parse_label_map", "relabel"]


class Source(str, Enum):
    """The formats `annotate convert --from` reads."""

    brat = "brat"
    prodigy = "prodigy"
    labelstudio = "labelstudio"


Reader = Callable[[Path, ReadOptions, Tally], Iterable[AnnotatedDoc]]
READERS: dict[Source, Reader] = {Source.brat: read_brat, Source.prodigy: read_prodigy,
                                 Source.labelstudio: read_labelstudio}


@dataclass(frozen=True)
class ConvertResult:
    """The converted records and an account of everything that did not come through as it was."""

    docs: tuple[AnnotatedDoc, ...]
    skipped: Mapping[str, int] = field(default_factory=dict)  # left out on purpose: rejected answers, drafts
    notes: tuple[str, ...] = ()  # warnings: re-anchored regions, converted offsets
    used_labels: frozenset[str] = frozenset()  # label-map keys that matched something
    dropped: Mapping[str, int] = field(default_factory=dict)  # reason -> count: what the schema has no place for
    first_dropped_at: Mapping[str, str] = field(default_factory=dict)  # reason -> where it happened first
    unused_labels: tuple[str, ...] = ()  # label-map keys that matched nothing

    def summary_lines(self, output: str | Path | None = None) -> list[str]:
        """What `annotate convert` prints on stderr, warnings first."""
        lines = [f"Warning: {note}" for note in self.notes]
        if self.unused_labels:
            lines.append(f"Warning: --label-map names labels that never occur: {', '.join(self.unused_labels)}")
        for reason, count in sorted(self.dropped.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"Dropped {count}: {reason} (first: {self.first_dropped_at[reason]})")
        if self.dropped:
            lines.append("Dropped items have no place in the schema; map their labels with --label-map, or pass "
                         "--strict to stop at the first one")
        left_out = "; ".join(f"{n} {what}" for what, n in sorted(self.skipped.items()))
        target = f" to {output}" if output is not None else ""
        lines.append(f"Wrote {len(self.docs)} records{target}" + (f" (left out: {left_out})" if left_out else ""))
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {"records": len(self.docs), "skipped": dict(self.skipped), "notes": list(self.notes),
                "dropped": dict(self.dropped), "unused_labels": list(self.unused_labels)}


def relabel(docs: Iterable[AnnotatedDoc], label_map: LabelMap, used: set[str] | None = None) -> Iterator[AnnotatedDoc]:
    """Rename span and relation labels; `used` collects the map keys that matched something."""
    for doc in docs:
        if not label_map.spans and not label_map.relations:
            yield doc
            continue
        spans = tuple(Span(s.id, s.start, s.end, label_map.label(s.label), s.text, s.attrs, s.score) for s in doc.spans)
        relations = tuple(Relation(r.from_id, r.to_id, label_map.relations.get(r.label, r.label)) for r in doc.relations)
        if used is not None:
            used.update(s.label for s in doc.spans if s.label in label_map.spans)
            used.update(f"rel:{r.label}" for r in doc.relations if r.label in label_map.relations)
        yield doc.with_(spans=spans, relations=relations)


def source_of(name: Source | str) -> Source:
    try:
        return Source(name)
    except ValueError:
        raise ConfigError(f"unknown source format {str(name)!r}; choose one of: "
                          f"{', '.join(source.value for source in Source)}") from None


def _where(doc: AnnotatedDoc, path: Path) -> str:
    """A record's place for messages: its brat .ann or source file, else the input, and the annotator."""
    place = doc.meta.get("brat_ann") or doc.meta.get("source_file") or path.name
    task = doc.meta.get("ls_task_id")
    return f"{place}{f' task {task}' if task is not None else ''} ({doc.annotator})"


def convert(source: Source | str, path: str | Path, *, label_map: LabelMap | None = None, annotator: str | None = None,
            schema: Schema | None = None, strict: bool = False) -> ConvertResult:
    """Records from `path` in the `source` format, labels renamed by `label_map`, fitted to `schema` (default: the
    configured one). Under `strict`, anything the schema cannot hold is a SchemaError instead of a counted drop.
    Input that yields no record at all is a RecordError: it is the wrong file far more often than a real result."""
    reader = READERS[source_of(source)]
    path = Path(path)
    label_map = label_map or LabelMap()
    schema = schema or load_schema()
    tally = Tally(strict=strict)
    docs = tuple(conform(doc, schema, _where(doc, path), tally)
                 for doc in relabel(reader(path, ReadOptions(schema, label_map, annotator), tally), label_map,
                                    tally.used_labels))
    if not docs:
        left_out = "; ".join(f"{n} {what}" for what, n in sorted(tally.skipped.items())) or "nothing was read"
        raise RecordError(str(path), None, None, f"gives no records to convert ({left_out})",
                          "Check that this is the right file, and that its annotations were accepted or submitted")
    return ConvertResult(docs=docs, skipped=dict(tally.skipped), notes=tuple(tally.notes),
                         used_labels=frozenset(tally.used_labels), dropped=dict(tally.dropped),
                         first_dropped_at=dict(tally.first_dropped_at),
                         unused_labels=tuple(sorted(label_map.keys() - tally.used_labels)))
