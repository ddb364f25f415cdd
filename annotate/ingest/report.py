"""What happened to every input, and the removed-lines report (TSV or JSON Lines)."""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, RecordError
from ..io import atomic_open, has_marker, jsonl_with_keys
from ..records import AnnotatedDoc, dumps

@dataclass(frozen=True)
class RemovedLine:
    where: str
    line: int
    text: str
    rule: str
    reason: str

    def to_dict(self, doc_id: str | None = None) -> dict[str, Any]:
        return {"source": self.where, "line": self.line, "rule": self.rule, "reason": self.reason,
                "text": self.text, "doc_id": doc_id}


@dataclass(frozen=True)
class Skip:
    """An input that could not become an article; `message` is exactly what --strict raises."""
    path: str
    line: int | None
    field: str | None
    problem: str
    fix: str = ""

    @property
    def error(self) -> RecordError:
        return RecordError(self.path, self.line, self.field, self.problem, self.fix)

    @property
    def message(self) -> str:
        return str(self.error)


@dataclass(frozen=True)
class Duplicate:
    where: str
    duplicate_of: str
    doc_id: str


@dataclass(frozen=True)
class NearDuplicatePair:
    doc_a: str
    doc_b: str
    similarity: float
    passages: int
    sentences: int


@dataclass
class IngestReport:
    """What happened to every input. Filled in as the pipeline streams; read it after the docs are consumed."""
    strict: bool = False
    read: int = 0
    removed: list[RemovedLine] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    near_duplicates: list[NearDuplicatePair] = field(default_factory=list)
    doc_ids: dict[str, str] = field(default_factory=dict)  # where -> doc_id of the article written from it
    written: int = 0

    def skip(self, path: str, line: int | None, field_name: str | None, problem: str, fix: str = "") -> None:
        skipped = Skip(path, line, field_name, problem, fix)
        if self.strict:
            raise skipped.error
        self.skipped.append(skipped)

    def removed_by_reason(self) -> dict[str, int]:
        counts = Counter(line.rule for line in self.removed)
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def removed_rows(self) -> list[dict[str, Any]]:
        return [line.to_dict(self.doc_ids.get(line.where)) for line in self.removed]

    def summary(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "written": self.written,
            "duplicates_dropped": [{"source": d.where, "duplicate_of": d.duplicate_of, "doc_id": d.doc_id}
                                   for d in self.duplicates],
            "skipped": [skip.message for skip in self.skipped],
            "ignored": list(self.ignored),
            "lines_removed": len(self.removed),
            "lines_removed_by_rule": self.removed_by_reason(),
            "near_duplicate_pairs": [{"doc_a": p.doc_a, "doc_b": p.doc_b, "similarity": p.similarity,
                                      "passages": p.passages, "sentences": p.sentences} for p in self.near_duplicates],
        }

    def summary_lines(self) -> list[str]:
        """A human summary, one fact per line (the CLI prints these to stderr)."""
        lines = [f"Read {self.read} article(s); wrote {self.written}."]
        if self.removed:
            by_rule = ", ".join(f"{rule} {count}" for rule, count in self.removed_by_reason().items())
            lines.append(f"Removed {len(self.removed)} boilerplate line(s): {by_rule}.")
        for duplicate in self.duplicates:
            lines.append(f"Dropped exact duplicate: {duplicate.where} (same text as {duplicate.duplicate_of}).")
        for skipped in self.skipped:
            lines.append(f"Skipped: {skipped.message}")
        if self.ignored:
            lines.append(f"Ignored {len(self.ignored)} file(s) that are not .txt/.jsonl/.html: {', '.join(self.ignored)}")
        if self.near_duplicates:
            where_of = {doc_id: where for where, doc_id in self.doc_ids.items()}
            pairs = "; ".join(f"{where_of.get(p.doc_a, p.doc_a)} ~ {where_of.get(p.doc_b, p.doc_b)} "
                              f"({p.passages} passage(s), {p.sentences} sentences, similarity {p.similarity})"
                              for p in self.near_duplicates)
            lines.append(f"Near-duplicate pairs: {len(self.near_duplicates)}: {pairs}.")
        return lines


@dataclass(frozen=True)
class IngestResult:
    docs: tuple[AnnotatedDoc, ...]
    report: IngestReport


REPORT_COLUMNS = ("source", "line", "rule", "reason", "text", "doc_id")


def format_removed(report: IngestReport, fmt: str = "tsv") -> str:
    """Every removed line as TSV (with a header) or JSONL."""
    rows = report.removed_rows()
    if fmt == "jsonl":
        return "".join(dumps(row) + "\n" for row in rows)
    if fmt != "tsv":
        raise ConfigError(f"unknown report format {fmt!r}; use tsv or jsonl")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(REPORT_COLUMNS)
    for row in rows:
        writer.writerow(["" if row[column] is None else row[column] for column in REPORT_COLUMNS])
    return buffer.getvalue()


def is_removed_report(path: Path) -> bool:
    """A removed-lines report that ingest wrote (TSV with its header, or JSONL rows), which a rerun may replace."""
    return has_marker("\t".join(REPORT_COLUMNS) + "\n", head=len("\t".join(REPORT_COLUMNS)) + 1)(path) or \
        jsonl_with_keys("rule", "reason", "source")(path)


def write_removed(report: IngestReport, path: str | os.PathLike[str]) -> int:
    """Write the removed-lines report: JSONL for .jsonl/.json paths, TSV otherwise. Atomic."""
    fmt = "jsonl" if Path(path).suffix.lower() in (".jsonl", ".json") else "tsv"
    with atomic_open(path) as handle:
        handle.write(format_removed(report, fmt))
    return len(report.removed)
