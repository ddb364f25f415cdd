"""Other tools' annotations -> AnnotatedDoc records: brat standoff, Prodigy JSONL, Label Studio JSON exports.

`convert(source, path, label_map=..., annotator=...)` yields records, so `annotate agree` can score annotations made
elsewhere exactly like those pulled from our own Label Studio. Each reader is pure apart from reading its files,
and golden-file tested (tests/data/convert/<case>/).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from ..records import AnnotatedDoc, Relation, Span

SOURCES = ("brat", "prodigy", "labelstudio")


@dataclass(frozen=True)
class LabelMap:
    """Renames applied while converting: span labels, and (written rel:OLD=NEW) relation labels."""

    spans: Mapping[str, str] = field(default_factory=dict)
    relations: Mapping[str, str] = field(default_factory=dict)

    def keys(self) -> set[str]:
        return set(self.spans) | {f"rel:{name}" for name in self.relations}


def parse_label_map(text: str | None) -> LabelMap:
    """'Person=SOURCE,Say=CUE,rel:Content=cue_of' -> span renames and relation renames.

    Span labels and relation labels are apart (brat events often use one word for both a span type and a role),
    so a relation rename carries the rel: prefix.
    """
    spans: dict[str, str] = {}
    relations: dict[str, str] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        old, sep, new = item.partition("=")
        old, new = old.strip(), new.strip()
        target = spans
        if old.startswith("rel:"):
            old, target = old[4:].strip(), relations
        if not sep or not old or not new:
            raise ConfigError(f"--label-map item {item.strip()!r} is not OLD=NEW; write e.g. "
                              "--label-map Person=SOURCE,Say=CUE,rel:Content=cue_of")
        if old in target:
            raise ConfigError(f"--label-map renames {old!r} twice")
        target[old] = new
    return LabelMap(spans, relations)


def relabel(docs: Iterable[AnnotatedDoc], label_map: LabelMap, used: set[str] | None = None) -> Iterator[AnnotatedDoc]:
    """Rename span and relation labels; `used` collects the map keys that matched something."""
    for doc in docs:
        if not label_map.spans and not label_map.relations:
            yield doc
            continue
        spans = tuple(Span(s.id, s.start, s.end, label_map.spans.get(s.label, s.label), s.text, s.attrs, s.score)
                      for s in doc.spans)
        relations = tuple(Relation(r.from_id, r.to_id, label_map.relations.get(r.label, r.label)) for r in doc.relations)
        if used is not None:
            used.update(s.label for s in doc.spans if s.label in label_map.spans)
            used.update(f"rel:{r.label}" for r in doc.relations if r.label in label_map.relations)
        yield doc.with_(spans=spans, relations=relations)


def convert(source: str, path: str | Path, *, label_map: LabelMap | None = None, annotator: str | None = None,
            skipped: Counter | None = None, notes: list[str] | None = None,
            used_labels: set[str] | None = None) -> Iterator[AnnotatedDoc]:
    """Records from `path` in the `source` format ("brat", "prodigy" or "labelstudio"), labels renamed by label_map.

    `skipped` counts what was left out on purpose (rejected Prodigy answers, Label Studio drafts), `notes` collects
    warnings, and `used_labels` the label_map keys that matched, so the caller can report unused ones.
    """
    if source == "brat":
        from .brat import read_brat

        docs: Iterable[AnnotatedDoc] = read_brat(path, annotator)
    elif source == "prodigy":
        from .prodigy import read_prodigy

        docs = read_prodigy(path, annotator, skipped)
    elif source == "labelstudio":
        from .labelstudio import read_labelstudio

        docs = read_labelstudio(path, annotator, skipped, notes)
    else:
        raise ConfigError(f"unknown source format {source!r}; choose one of: {', '.join(SOURCES)}")
    return relabel(docs, label_map or LabelMap(), used_labels)
