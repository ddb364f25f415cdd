"""What every importer shares: the label map, the options a reader gets, and the tally it reports into."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import ConfigError, SchemaError
from ..schema import Schema


@dataclass(frozen=True)
class LabelMap:
    """Renames applied while converting: span labels and brat event roles, and (written rel:OLD=NEW) relation labels."""

    spans: Mapping[str, str] = field(default_factory=dict)
    relations: Mapping[str, str] = field(default_factory=dict)

    def keys(self) -> set[str]:
        return set(self.spans) | {f"rel:{name}" for name in self.relations}

    def label(self, name: str) -> str:
        return self.spans.get(name, name)


def parse_label_map(text: str | None) -> LabelMap:
    """'Person=SOURCE,Say=CUE,rel:Content=cue_of' -> span renames and relation renames.

    Span labels and relation labels are apart (brat corpora often use one word for both a span type and a
    relation), so a relation rename carries the rel: prefix. brat event roles are renamed like span labels,
    because a role names what its argument is (Source, Cue, Content).
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


@dataclass(frozen=True)
class ReadOptions:
    """What every reader is given besides its path."""

    schema: Schema
    label_map: LabelMap = field(default_factory=LabelMap)
    annotator: str | None = None


STRICT_FIX = "map it with --label-map, or leave out --strict to drop it with a count"


@dataclass
class Tally:
    """What readers left out on purpose (skipped), noticed (notes), renamed (used_labels) or dropped because the
    schema has no place for it. Under `strict` a drop is an error at the place where it happens."""

    strict: bool = False
    skipped: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    used_labels: set[str] = field(default_factory=set)
    dropped: Counter[str] = field(default_factory=Counter)
    first_dropped_at: dict[str, str] = field(default_factory=dict)

    def drop(self, reason: str, where: str) -> None:
        if self.strict:
            raise SchemaError(f"{where}: {reason}; {STRICT_FIX}")
        self.dropped[reason] += 1
        self.first_dropped_at.setdefault(reason, where)
