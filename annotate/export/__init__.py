"""Training data from gold: spaCy DocBin, Prodigy-style JSONL, CoNLL BIO per layer, brat standoff.

`export(records, format, output_dir, ratios=..., seed=...)` splits the records without leakage
(`splits.assign_splits`), writes one file (or, for brat, one folder) per split, and writes `export.json`: the
splits with their doc_ids, the seed, the tokenizer, the schema hash, and every span whose offsets did not fit the
tokens or that a format could not hold, with what was done about it.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..io import atomic_directory, folder_with, guard_output, json_with_keys, write_new_file
from ..nlp import check_length
from ..records import AnnotatedDoc, read_docs
from ..schema import Schema, load_schema, validate_docs
from . import brat, conll, prodigy_jsonl, spacy
from .splits import assign_splits, parse_ratios, split_summary
from .tokens import Misaligned, SplitContext, check_mode, tokenizer

MANIFEST = "export.json"


class ExportFormat(StrEnum):
    spacy = "spacy"
    jsonl = "jsonl"
    conll = "conll"
    brat = "brat"


@dataclass(frozen=True)
class FormatWriter:
    """How one format writes a split (its files go into the staged output folder), and what else it adds once."""

    write_split: Callable[[Path, str, Sequence[AnnotatedDoc], SplitContext], list[Path]]
    tokenized: bool = True
    write_extra: Callable[[Path, SplitContext], list[Path]] | None = None


def _brat_conf(out: Path, context: SplitContext) -> list[Path]:
    return [write_new_file(out / "annotation.conf", brat.annotation_conf(context.schema))]


WRITERS: dict[ExportFormat, FormatWriter] = {
    ExportFormat.spacy: FormatWriter(spacy.write_split),
    ExportFormat.jsonl: FormatWriter(prodigy_jsonl.write_split),
    ExportFormat.conll: FormatWriter(conll.write_split),
    ExportFormat.brat: FormatWriter(brat.write_split, tokenized=False, write_extra=_brat_conf),
}
FORMATS = tuple(WRITERS)


# A folder an earlier export wrote: re-exporting into it replaces it without --force.
is_export_folder = folder_with(MANIFEST, json_with_keys("format", "splits", "files"))


@dataclass(frozen=True)
class ExportResult:
    format: str
    output_dir: Path
    files: tuple[Path, ...]
    splits: Mapping[str, Any]
    misaligned: tuple[Misaligned, ...] = ()
    overlaps: tuple[Misaligned, ...] = ()  # spans a format could not hold (BIO and doc.ents do not nest)
    skipped: Mapping[str, int] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def documents(self) -> int:
        return sum(split["documents"] for split in self.splits.values())


def select_records(records: Iterable[AnnotatedDoc], annotator: str | None = None) -> tuple[list[AnnotatedDoc], dict[str, int]]:
    """The annotated records to export, one per document; skipped ones are counted by reason."""
    chosen: list[AnnotatedDoc] = []
    skipped: Counter = Counter()
    owners: dict[str, list[str]] = {}
    for record in records:
        if record.is_article:
            skipped["article without annotations"] += 1
            continue
        if annotator is not None and record.annotator != annotator:
            skipped[f"annotator is not {annotator}"] += 1
            continue
        owners.setdefault(record.doc_id, []).append(str(record.annotator))
        chosen.append(record)
    repeated = {doc_id: names for doc_id, names in owners.items() if len(names) > 1}
    if repeated:
        doc_id, names = next(iter(repeated.items()))
        raise ConfigError(f"{len(repeated)} document(s) have more than one record (e.g. {doc_id} by "
                          f"{', '.join(names)}); training data needs one version per text: run `annotate gold` "
                          "first, or pass --annotator NAME")
    return chosen, dict(sorted(skipped.items()))


def export(records: Iterable[AnnotatedDoc], format: str, output_dir: str | os.PathLike[str],
           ratios: str | Sequence[float] | None = None, seed: int = 0, alignment: str = "strict",
           model: str | None = None, schema: Schema | None = None, annotator: str | None = None,
           source: str | None = None, inputs: Sequence[str | os.PathLike[str]] = (), force: bool = False) -> ExportResult:
    """Export `records` into the folder `output_dir`, which is replaced as a whole: the data files and the manifest
    are written into a sibling temp folder and swapped in, so a killed export leaves the old set or the new one.
    The folder must be new, empty or an earlier export (else `force`), and must not hold one of `inputs`."""
    if format not in WRITERS:
        raise ConfigError(f"unknown export format {format!r}; choose one of {', '.join(FORMATS)}")
    writer = WRITERS[ExportFormat(format)]
    mode = check_mode(alignment)
    shares = parse_ratios(ratios)
    out = guard_output(output_dir, inputs=inputs, ours=is_export_folder, force=force, folder=True)
    schema = schema or load_schema()
    numbered: dict[int, int] = {}
    chosen, skipped = select_records(_numbering(records, numbered), annotator)
    if not chosen:
        raise ConfigError("nothing to export: no annotated records" + (f" by {annotator}" if annotator else "")
                          + "; check the input file")
    validate_docs(chosen, schema, where=source or "input")
    nlp = tokenizer(model) if writer.tokenized else None
    if nlp is not None:
        for record in chosen:
            check_length(nlp, record, source or "input", numbered.get(id(record)))
    splits = assign_splits(chosen, shares, seed)
    context = SplitContext(nlp=nlp, schema=schema, mode=mode)
    with atomic_directory(out) as staged:
        written: list[Path] = []
        for name, split_records in splits.items():
            written.extend(writer.write_split(staged, name, split_records, context))
        if writer.write_extra is not None:
            written.extend(writer.write_extra(staged, context))
        files = tuple(out / path.relative_to(staged) for path in written)
        summary = split_summary(splits)
        manifest = {
            "format": format,
            "source": source,
            "seed": seed,
            "ratios": list(shares),
            "alignment_mode": mode if writer.tokenized else None,
            "tokenizer": None if nlp is None else f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}@{nlp.meta.get('version')}",
            "schema": {"version": schema.version, "hash": schema.hash},
            "splits": summary,
            "files": sorted(str(path.relative_to(out)) for path in files),
            "skipped": skipped,
            "misaligned": [item.to_dict() for item in context.misaligned],
            "not_representable": [item.to_dict() for item in context.overlaps],
        }
        if format == "conll":
            manifest["conll_files"] = {layer.name: [label.name for label in layer.labels] for layer in schema.layers}
        write_new_file(staged / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return ExportResult(format=format, output_dir=out, files=files, splits=summary,
                        misaligned=tuple(context.misaligned), overlaps=tuple(context.overlaps), skipped=skipped,
                        manifest=manifest)


def _numbering(records: Iterable[AnnotatedDoc], numbers: dict[int, int]) -> Iterable[AnnotatedDoc]:
    """Pass records through, noting each one's number in the input (by object id) for located errors."""
    for number, record in enumerate(records, start=1):
        numbers[id(record)] = number
        yield record


def export_file(path: str | os.PathLike[str], format: str, output_dir: str | os.PathLike[str], **options) -> ExportResult:
    return export(read_docs(path), format, output_dir, source=Path(path).name, inputs=[path], **options)
