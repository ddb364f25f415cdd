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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..records import AnnotatedDoc, read_docs
from ..schema import Schema, load_schema, validate_docs
from . import brat, conll, prodigy_jsonl, spacy
from .files import write_text_exact
from .splits import assign_splits, parse_ratios, split_summary
from .tokens import Misaligned, check_mode, tokenizer

FORMATS = ("spacy", "jsonl", "conll", "brat")
MANIFEST = "export.json"


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
           source: str | None = None) -> ExportResult:
    if format not in FORMATS:
        raise ConfigError(f"unknown export format {format!r}; choose one of {', '.join(FORMATS)}")
    mode = check_mode(alignment)
    shares = parse_ratios(ratios)
    schema = schema or load_schema()
    chosen, skipped = select_records(records, annotator)
    if not chosen:
        raise ConfigError("nothing to export: no annotated records" + (f" by {annotator}" if annotator else "")
                          + "; check the input file")
    validate_docs(chosen, schema, where=source or "input")
    splits = assign_splits(chosen, shares, seed)
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)

    misaligned: list[Misaligned] = []
    overlaps: list[Misaligned] = []
    files: list[Path] = []
    nlp = None
    if format != "brat":
        nlp = tokenizer(model)
    for name, split_records in splits.items():
        if format == "spacy":
            files.append(spacy.write_split(out / f"{name}.spacy", split_records, nlp, schema, mode, misaligned, overlaps))
        elif format == "jsonl":
            files.append(prodigy_jsonl.write_split(out / f"{name}.jsonl", split_records, nlp, mode, misaligned))
        elif format == "conll":
            files.extend(conll.write_split(out, name, split_records, nlp, schema, mode, misaligned, overlaps))
        else:
            files.extend(brat.write_split(out / name, split_records, overlaps))
    if format == "brat":
        files.append(write_text_exact(out / "annotation.conf", brat.annotation_conf(schema)))

    summary = split_summary(splits)
    manifest = {
        "format": format,
        "source": source,
        "seed": seed,
        "ratios": list(shares),
        "alignment_mode": mode if format != "brat" else None,
        "tokenizer": None if nlp is None else f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}@{nlp.meta.get('version')}",
        "schema": {"version": schema.version, "hash": schema.hash},
        "splits": summary,
        "files": sorted(str(path.relative_to(out)) for path in files),
        "skipped": skipped,
        "misaligned": [item.to_dict() for item in misaligned],
        "not_representable": [item.to_dict() for item in overlaps],
    }
    if format == "conll":
        manifest["conll_files"] = {layer.name: [label.name for label in layer.labels] for layer in schema.layers}
    write_text_exact(out / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return ExportResult(format=format, output_dir=out, files=tuple(files), splits=summary,
                        misaligned=tuple(misaligned), overlaps=tuple(overlaps), skipped=skipped, manifest=manifest)


def export_file(path: str | os.PathLike[str], format: str, output_dir: str | os.PathLike[str], **options) -> ExportResult:
    return export(read_docs(path), format, output_dir, source=Path(path).name, **options)
