"""Ingest: raw news articles (.txt, .jsonl, .html) -> clean article records with stable ids and near-duplicate clusters.

The pipeline is a chain of generators over one stream of articles:

    read_sources -> normalise -> clean -> to_records -> drop_exact_duplicates   (streaming)
    -> mark_near_duplicates                                                       (needs every document)

One module per stage: sources.py (read), clean.py (normalise, clean), near_duplicates.py; the records and
exact-duplicate step and the whole pipeline are here. Boilerplate rules and near-duplicate thresholds are data in
configs/boilerplate.toml, read by rules.py. Nothing is lost silently:
every removed line, skipped input, dropped duplicate and ignored file is collected in an `IngestReport` (report.py).
Library code raises `RecordError`/`ConfigError` and never prints or exits; the CLI does that.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import RecordError
from ..nlp import MAX_TEXT_LENGTH
from ..records import AnnotatedDoc, make_doc_id
from .clean import CleanArticle, Line, classify_lines, clean, clean_lines, headline, normalise, normalise_text
from .near_duplicates import (MapPartitions, clusters, find_near_duplicates, mark_near_duplicates, shingles,
                              split_sentences)
from .report import Duplicate, IngestReport, IngestResult, format_removed, is_removed_report, write_removed
from .rules import DEFAULT_RULES_PATH, RULES_FILE, IngestRules, load_rules
from .sources import SUFFIX_KINDS, read_sources


# Stage 4: records and exact duplicates


def to_records(articles: Iterable[CleanArticle]) -> Iterator[tuple[str, AnnotatedDoc]]:
    for article in articles:
        doc = AnnotatedDoc(doc_id=make_doc_id(article.text), text=article.text, meta=dict(article.meta))
        yield str(article.origin), doc


def drop_exact_duplicates(items: Iterable[tuple[str, AnnotatedDoc]], report: IngestReport) -> Iterator[AnnotatedDoc]:
    first_seen: dict[str, str] = {}
    for where, doc in items:
        if doc.doc_id in first_seen:
            report.duplicates.append(Duplicate(where, first_seen[doc.doc_id], doc.doc_id))
            continue
        first_seen[doc.doc_id] = where
        report.doc_ids[where] = doc.doc_id
        yield doc


# The whole pipeline


def ingest(paths: Iterable[str | os.PathLike[str]], *, rules: IngestRules | None = None, strict: bool = False,
           exclude: Iterable[str | os.PathLike[str]] = (), max_chars: int = MAX_TEXT_LENGTH,
           executor: MapPartitions | None = None) -> IngestResult:
    """Read, normalise, clean, de-duplicate and cluster articles. Bad inputs are skipped and reported
    (or, with strict=True, raised as RecordError naming the file and line), among them articles longer than
    `max_chars` after cleaning, which no spaCy pipeline takes. `exclude` keeps e.g. the output file out of a
    folder walk. `executor` runs the near-duplicate pass's partitions (see find_near_duplicates), e.g.
    `functools.partial(annotate.distributed.ordered_map, client, key_prefix="near-duplicates")` on Dask."""
    rules = rules or load_rules()
    paths = list(paths)
    for path in paths:  # before reading anything: a mistyped path is an error, not a skip
        if not (Path(path).exists() or Path(path).is_symlink()):
            raise RecordError(str(path), None, None, "does not exist", "Check the path")
    report = IngestReport(strict=strict)
    stream = read_sources(paths, rules, report, exclude)
    stream = normalise(stream)
    stream = clean(stream, rules, report, max_chars)
    docs = drop_exact_duplicates(to_records(stream), report)
    result = tuple(mark_near_duplicates(docs, rules.near_duplicates, report, executor))
    report.written = len(result)
    if not result:
        why = "; ".join(skip.message for skip in report.skipped[:3]) or "no .txt, .jsonl or .html files found"
        raise RecordError(", ".join(str(p) for p in paths), None, None, f"no articles to write ({why})",
                          "Fix or remove the inputs above")
    return IngestResult(docs=result, report=report)


__all__ = ["DEFAULT_RULES_PATH", "RULES_FILE", "SUFFIX_KINDS", "CleanArticle", "IngestReport", "IngestResult",
           "IngestRules", "Line", "MapPartitions", "classify_lines", "clean", "clean_lines", "clusters", "drop_exact_duplicates",
           "find_near_duplicates", "format_removed", "headline", "ingest", "is_removed_report", "load_rules",
           "mark_near_duplicates",
           "normalise", "normalise_text", "read_sources", "shingles", "split_sentences", "to_records",
           "write_removed"]
