"""Streaming pre-annotation: AnnotatedDoc records in, AnnotatedDoc predictions out, memory flat in corpus size.

Records go through `nlp.pipe` in chunks; each chunk runs inside `nlp.memory_zone()`, so strings
and lexemes that the chunk added to the vocabulary are freed, and with n_process > 1 each chunk gets fresh worker
processes. Only one chunk of records is held at a time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from spacy.language import Language

from ..errors import ConfigError, RecordError
from ..records import AnnotatedDoc, read_docs, write_docs
from ..schema import load_schema
from .convert import doc_to_record
from .pipeline import annotator_name, build_pipeline

DEFAULT_BATCH_SIZE = 32
DEFAULT_CHUNK_SIZE = 2000


@dataclass(frozen=True)
class PreannotateResult:
    output: str
    count: int
    annotator: str


def _chunks(records: Iterable[AnnotatedDoc], size: int) -> Iterator[list[AnnotatedDoc]]:
    iterator = iter(records)
    while chunk := list(islice(iterator, size)):
        yield chunk


def check_options(n_process: int, batch_size: int, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
    if n_process < 1:
        raise ConfigError(f"--n-process must be 1 or more, got {n_process}")
    if batch_size < 1:
        raise ConfigError(f"--batch-size must be 1 or more, got {batch_size}")
    if chunk_size < 1:
        raise ConfigError(f"chunk size must be 1 or more, got {chunk_size}")


def _fits(nlp: Language, records: Iterable[AnnotatedDoc], source: str) -> Iterator[AnnotatedDoc]:
    """Refuse a text longer than the pipeline's max_length with a clear error, before spaCy fails mid-batch."""
    for number, record in enumerate(records, start=1):
        if len(record.text) > nlp.max_length:
            raise RecordError(source, number, "text",
                              f"doc_id {record.doc_id} has {len(record.text):,} characters, more than the pipeline's "
                              f"max_length ({nlp.max_length:,})", "Split the article, or raise nlp.max_length")
        yield record


def preannotate_docs(nlp: Language, records: Iterable[AnnotatedDoc], n_process: int = 1,
                     batch_size: int = DEFAULT_BATCH_SIZE, chunk_size: int = DEFAULT_CHUNK_SIZE,
                     source: str = "<records>") -> Iterator[AnnotatedDoc]:
    """Predictions for each record, in input order, keeping its doc_id and meta. `source` names the input in
    errors (a record is then located by its number in the stream)."""
    check_options(n_process, batch_size, chunk_size)
    records = _fits(nlp, records, source)
    annotator = annotator_name(nlp)
    schema = load_schema()
    entity_labels = frozenset(label.name for layer in schema.layers if layer.name != "span" for label in layer.labels)
    entity_scores = nlp.meta.get("attribution", {}).get("entity_scores", {})
    for chunk in _chunks(records, chunk_size):
        with nlp.memory_zone():
            # nlp.pipe keeps input order, so each record pairs with its Doc by position; the doc_id and meta never
            # leave this process. (as_tuples=True would tokenise here, in the parent, and ship Docs to the workers
            # instead of strings: with n_process > 1 that work would compete with them.)
            docs = nlp.pipe((record.text for record in chunk), n_process=n_process, batch_size=batch_size)
            for record, doc in zip(chunk, docs, strict=True):
                yield doc_to_record(doc, record.doc_id, annotator, record.meta, entity_labels, entity_scores,
                                    text=record.text)


def count_records(path: str | os.PathLike[str]) -> int:
    """Non-blank lines, for a progress bar's total (cheap: no JSON parsing)."""
    try:
        with open(path, "rb") as handle:
            return sum(1 for line in handle if line.strip())
    except OSError:
        return 0


def preannotate_file(input_path: str | os.PathLike[str], output_path: str | os.PathLike[str],
                     model: str | None = None, config_path: str | os.PathLike[str] | None = None,
                     n_process: int = 1, batch_size: int = DEFAULT_BATCH_SIZE, chunk_size: int = DEFAULT_CHUNK_SIZE,
                     on_record: Callable[[int], None] | None = None, mode: str | None = None) -> PreannotateResult:
    """Pre-annotate a JSONL file of records into `output_path` (written atomically: all or nothing). `mode`:
    rules, model or hybrid (the last two need a pipeline trained by `annotate train` as `model`)."""
    check_options(n_process, batch_size, chunk_size)
    if not Path(input_path).is_file():
        raise ConfigError(f"{input_path}: no such file; give the articles JSONL written by `annotate ingest`")
    nlp = build_pipeline(model, config_path, mode=mode)
    count = 0

    def counted() -> Iterator[AnnotatedDoc]:
        nonlocal count
        for record in preannotate_docs(nlp, read_docs(input_path), n_process, batch_size, chunk_size,
                                       source=f"{input_path} (record)"):
            count += 1
            if on_record is not None:
                on_record(count)
            yield record

    write_docs(output_path, counted())
    return PreannotateResult(output=str(output_path), count=count, annotator=annotator_name(nlp))
