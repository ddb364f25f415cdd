"""Matching glue: records grouped per document, compared through annotate.matching, summed into a Ledger.

"Never saw it" and "saw it and marked nothing" stay apart here. A document enters a comparison only for the
annotators who have a record for it; a record with no spans is a real, empty annotation (all tokens O), while
a missing record is missing (not O, not pairable).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import AnnotateError, RecordError
from ..grouping import by_doc_and_annotator
from ..matching import MODES, match_spans, relation_counts, triple_counts
from ..records import GOLD_ANNOTATOR, AnnotatedDoc
from .bootstrap import Ledger
from .coefficients import confusion_from_codes, value_counts_from_codes
from .tokens import token_bounds, token_codes, token_coverage
from .unitizing import category_stats


class AgreementError(AnnotateError):
    """The records cannot be compared (e.g. fewer than two annotators)."""


@dataclass(frozen=True)
class Corpus:
    """Records grouped by document (sorted by doc_id), then by annotator."""

    docs: Mapping[str, Mapping[str, AnnotatedDoc]]
    n_records: int
    n_articles: int
    duplicates: str | None = None  # the warning about older copies left out (annotate.grouping's policy)


def group_records(records: Iterable[AnnotatedDoc], source: str = "<records>") -> Corpus:
    """Group records; one text per doc_id, and one record per (document, annotator): the newest (grouping)."""
    texts: dict[str, tuple[int, str]] = {}
    annotated: list[AnnotatedDoc] = []
    n_records = n_articles = 0
    for number, doc in enumerate(records, start=1):
        n_records += 1
        if doc.annotator is None:
            if doc.spans or doc.relations:
                raise RecordError(source, None, "annotator", f"record {number} (doc {doc.doc_id}) has spans but no annotator",
                                  "Set 'annotator' to whoever made the annotation")
            n_articles += 1
            continue
        if doc.doc_id in texts and texts[doc.doc_id][1] != doc.text:
            raise RecordError(source, None, "text",
                              f"record {number} (doc {doc.doc_id}, annotator {doc.annotator!r}) has a different text "
                              f"from record {texts[doc.doc_id][0]} with the same doc_id",
                              "A doc_id names one text: fix the record, or give it the id of its own text (make_doc_id)")
        texts.setdefault(doc.doc_id, (number, doc.text))
        annotated.append(doc)
    grouped = by_doc_and_annotator(annotated)
    docs = {doc_id: grouped.docs[doc_id] for doc_id in sorted(grouped.docs)}
    return Corpus(docs, n_records, n_articles, grouped.warning())


@dataclass(frozen=True)
class Plan:
    """What is compared with what, and the vocabularies that fix every statistic's shape."""

    annotators: tuple[str, ...]  # compared with each other
    excluded_models: tuple[str, ...]
    scored: tuple[str, ...]  # scored against gold
    labels: tuple[str, ...]
    relation_labels: tuple[str, ...]
    layers: Mapping[str, tuple[str, ...]]  # layer -> its labels present in the data, in schema order
    attributes: Mapping[str, tuple[str, ...]]  # attribute -> values seen, sorted
    doc_ids: tuple[str, ...]  # the documents resampled: those with something to compare

    @property
    def pairs(self) -> tuple[tuple[int, int], ...]:
        n = len(self.annotators)
        return tuple((i, j) for i in range(n) for j in range(i + 1, n))

    @property
    def has_gold(self) -> bool:
        return bool(self.scored)


def make_plan(corpus: Corpus, include_models: bool, label_order: Mapping[str, tuple[int, str]]) -> Plan:
    """label_order: label -> (rank, layer) from the schema; labels it does not know go last, in the first layer."""
    names = sorted({name for by_name in corpus.docs.values() for name in by_name})
    models = tuple(name for name in names if name.startswith("model:"))
    annotators = tuple(name for name in names if name != GOLD_ANNOTATOR and (include_models or name not in models))
    excluded = () if include_models else models
    has_gold = any(GOLD_ANNOTATOR in by_name for by_name in corpus.docs.values())
    scored = annotators if has_gold else ()
    if len(annotators) < 2 and not (has_gold and annotators):
        found = ", ".join(repr(n) for n in names) or "none"
        hint = " Add --include-models to compare model predictions too." if excluded else ""
        raise AgreementError(f"agreement needs records from at least two annotators (or one annotator and 'gold'); "
                             f"found annotators: {found}.{hint}")
    kept = set(annotators) | ({GOLD_ANNOTATOR} if has_gold else set())
    labels, relation_labels, attributes = set(), set(), defaultdict(set)
    doc_ids = []
    for doc_id, by_name in corpus.docs.items():
        present = [name for name in by_name if name in kept]
        compared = [name for name in present if name in annotators]
        if len(compared) >= 2 or (GOLD_ANNOTATOR in present and compared):
            doc_ids.append(doc_id)
        for name in present:
            doc = by_name[name]
            labels.update(span.label for span in doc.spans)
            relation_labels.update(relation.label for relation in doc.relations)
            for span in doc.spans:
                for attribute, value in span.attrs.items():
                    attributes[attribute].add(value)
    default_layer = min(label_order.values())[1] if label_order else "span"
    unknown_rank = len(label_order)

    def rank(label: str) -> tuple[int, str]:
        return (label_order[label][0], label) if label in label_order else (unknown_rank, label)

    ordered = tuple(sorted(labels, key=rank))
    layers: dict[str, list[str]] = {}
    for label in ordered:
        layers.setdefault(label_order[label][1] if label in label_order else default_layer, []).append(label)
    return Plan(annotators=annotators, excluded_models=excluded, scored=scored, labels=ordered,
                relation_labels=tuple(sorted(relation_labels)), layers={k: tuple(v) for k, v in layers.items()},
                attributes={k: tuple(sorted(v)) for k, v in sorted(attributes.items())}, doc_ids=tuple(doc_ids))


@dataclass(frozen=True)
class Collected:
    ledger: Ledger
    n_tokens: int
    n_compared_docs: int


def collect(corpus: Corpus, plan: Plan) -> Collected:
    """Fill the ledger with every document's statistics (one pass over documents; tokens stay inside each doc)."""
    pairs = plan.pairs
    n_docs, n_pairs, n_labels = len(plan.doc_ids), len(pairs), len(plan.labels)
    ledger = Ledger(n_docs)
    label_index = {label: i for i, label in enumerate(plan.labels)}
    relation_index = {label: i for i, label in enumerate(plan.relation_labels)}
    value_index = {name: {value: i for i, value in enumerate(values)} for name, values in plan.attributes.items()}
    layer_codes = {layer: {label: code for code, label in enumerate(labels, start=1)} for layer, labels in plan.layers.items()}

    def compare(a: AnnotatedDoc, b: AnnotatedDoc, d: int, slot: int, prefix: str, with_attributes: bool) -> None:
        width = ledger_width(prefix)
        sizes = (Counter(span.label for span in a.spans), Counter(span.label for span in b.spans))
        for mode in MODES:
            matches = match_spans(a.spans, b.spans, mode)
            matched = Counter(left.label for left, _ in matches)
            spans = ledger.block(f"{prefix}span.{mode}", (width, n_labels, 3))[d, slot]
            for label in sizes[0].keys() | sizes[1].keys():
                spans[label_index[label]] += (matched[label], sizes[0][label], sizes[1][label])
            aligned = {left.id: right.id for left, right in matches}
            relations = ledger.block(f"{prefix}rel.{mode}", (width, len(plan.relation_labels), 3))[d, slot]
            for label, counts in relation_counts(a, b, mode, aligned).items():
                relations[relation_index[label]] += (counts.matched, counts.n_a, counts.n_b)
            triples = triple_counts(a, b, mode, aligned)
            ledger.block(f"{prefix}triple.{mode}", (width, 3))[d, slot] += (triples.matched, triples.n_a, triples.n_b)
            if with_attributes and mode == "overlap":
                for left, right in matches:
                    for name in left.attrs.keys() | right.attrs.keys():
                        if name in left.attrs and name in right.attrs:
                            values = value_index[name]
                            stats = ledger.block(f"attr.{name}", (len(values) + 1,))[d]
                            stats[values[left.attrs[name]]] += 1
                            stats[values[right.attrs[name]]] += 1
                            # A pairable unit of two values adds 2 to the coincidence diagonal when they agree.
                            stats[-1] += 2.0 * (left.attrs[name] == right.attrs[name])
                        else:
                            ledger.block(f"attr.{name}.one_sided")[d] += 1
        ledger.block(f"{prefix}docs", (width,))[d, slot] += 1

    def ledger_width(prefix: str) -> int:
        return len(plan.scored) if prefix == "gold." else n_pairs

    # Register every block up front, so that a statistic over an empty corner is zero rather than missing.
    for prefix in (["pair."] if n_pairs else []) + (["gold."] if plan.has_gold else []):
        for mode in MODES:
            ledger.block(f"{prefix}span.{mode}", (ledger_width(prefix), n_labels, 3))
            ledger.block(f"{prefix}rel.{mode}", (ledger_width(prefix), len(plan.relation_labels), 3))
            ledger.block(f"{prefix}triple.{mode}", (ledger_width(prefix), 3))
        ledger.block(f"{prefix}docs", (ledger_width(prefix),))
    for name, values in plan.attributes.items():
        ledger.block(f"attr.{name}", (len(values) + 1,))
        ledger.block(f"attr.{name}.one_sided")
    if n_pairs:
        ledger.block("tok.units")
        for layer, codes in layer_codes.items():
            values = len(codes) + 1
            ledger.block(f"tok.{layer}.totals", (values,))
            ledger.block(f"tok.{layer}.agree")
            ledger.block(f"tok.{layer}.fleiss")
            ledger.block(f"tok.{layer}.confusion", (n_pairs, values, values))
        ledger.block("bin.totals", (n_labels, 2))
        ledger.block("bin.agree", (n_labels,))
        ledger.block("bin.fleiss", (n_labels,))
        ledger.block("bin.confusion", (n_pairs, n_labels, 2, 2))
        ledger.block("unit.doc", (3,))
        ledger.block("unit.label", (n_labels, 4))

    rated = [doc_id for doc_id in plan.doc_ids
             if sum(name in corpus.docs[doc_id] for name in plan.annotators) >= 2]
    bounds = dict(zip(rated, token_bounds(next(iter(corpus.docs[doc_id].values())).text for doc_id in rated)))
    n_tokens = 0
    for d, doc_id in enumerate(plan.doc_ids):
        records = corpus.docs[doc_id]
        present = [i for i, name in enumerate(plan.annotators) if name in records]
        for p, (i, j) in enumerate(pairs):
            if i in present and j in present:
                compare(records[plan.annotators[i]], records[plan.annotators[j]], d, p, "pair.", True)
        if GOLD_ANNOTATOR in records:
            for g, name in enumerate(plan.scored):
                if name in records:
                    compare(records[name], records[GOLD_ANNOTATOR], d, g, "gold.", False)
        if len(present) >= 2:
            n_tokens += _token_statistics(ledger, d, [records[plan.annotators[i]] for i in present], present,
                                          plan, layer_codes, bounds[doc_id])
            _unitizing_statistics(ledger, d, [records[plan.annotators[i]] for i in present], plan)
    return Collected(ledger, n_tokens, len(rated))


def _token_statistics(ledger: Ledger, d: int, records: list[AnnotatedDoc], present: list[int], plan: Plan,
                      layer_codes: Mapping[str, Mapping[str, int]], bounds: tuple[np.ndarray, np.ndarray]) -> int:
    starts, ends = bounds
    raters = len(records)
    n_pairs, n_labels = len(plan.pairs), len(plan.labels)
    pair_slots = [(p, present.index(i), present.index(j)) for p, (i, j) in enumerate(plan.pairs)
                  if i in present and j in present]
    ledger.block("tok.units")[d] += len(starts)
    for layer, codes in layer_codes.items():
        values = len(codes) + 1
        labelled = np.stack([token_codes(starts, ends, record.spans, codes) for record in records])
        counts = value_counts_from_codes(labelled, values).astype(float)
        ledger.block(f"tok.{layer}.totals", (values,))[d] += counts.sum(axis=0)
        ledger.block(f"tok.{layer}.agree")[d] += (counts * (counts - 1)).sum() / (raters - 1)
        ledger.block(f"tok.{layer}.fleiss")[d] += ((counts * counts).sum(axis=1) - raters).sum() / (raters * (raters - 1))
        confusion = ledger.block(f"tok.{layer}.confusion", (n_pairs, values, values))
        for p, x, y in pair_slots:
            confusion[d, p] += confusion_from_codes(labelled[x], labelled[y], values)
    # One label against the rest, on coverage (a token inside a nested span counts for both labels).
    covered = np.stack([token_coverage(starts, ends, record.spans, plan.labels) for record in records])  # raters × labels × tokens
    marked = covered.sum(axis=0).astype(float)  # labels × tokens: raters who gave the label
    unmarked = raters - marked
    totals = ledger.block("bin.totals", (n_labels, 2))
    totals[d, :, 0] += unmarked.sum(axis=1)
    totals[d, :, 1] += marked.sum(axis=1)
    ledger.block("bin.agree", (n_labels,))[d] += (marked * (marked - 1) + unmarked * (unmarked - 1)).sum(axis=1) / (raters - 1)
    ledger.block("bin.fleiss", (n_labels,))[d] += (marked ** 2 + unmarked ** 2 - raters).sum(axis=1) / (raters * (raters - 1))
    confusion = ledger.block("bin.confusion", (n_pairs, n_labels, 2, 2))
    for p, x, y in pair_slots:
        first, second = covered[x], covered[y]
        confusion[d, p, :, 0, 0] += (~first & ~second).sum(axis=1)
        confusion[d, p, :, 0, 1] += (~first & second).sum(axis=1)
        confusion[d, p, :, 1, 0] += (first & ~second).sum(axis=1)
        confusion[d, p, :, 1, 1] += (first & second).sum(axis=1)
    return len(starts)


def _unitizing_statistics(ledger: Ledger, d: int, records: list[AnnotatedDoc], plan: Plan) -> None:
    length, raters = len(records[0].text), len(records)
    # L, M = R L (the rated length) and sum of P L (rater pairs times length), summed over documents.
    ledger.block("unit.doc", (3,))[d] += (length, raters * length, raters * (raters - 1) / 2 * length)
    per_label = ledger.block("unit.label", (len(plan.labels), 4))
    for index, label in enumerate(plan.labels):
        units = [[(span.start, span.end) for span in record.spans if span.label == label] for record in records]
        stats = category_stats(units, 0, length)
        per_label[d, index] += (stats.distance, stats.n_units, stats.cubic, stats.squared)
        ledger.add_to_histogram(f"unit.len.{label}", d, stats.unit_lengths)
        ledger.add_to_histogram(f"unit.gap.{label}", d, stats.gap_lengths)
