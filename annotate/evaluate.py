"""Any annotator (a model or a person) against gold: P/R/F1 per label, relations, attribution triples, attributes.

Docs are paired by doc_id. Spans are aligned one-to-one within a label by `annotate.matching` in two modes, exact
offsets and any overlap; a relation matches when both its ends align and its label agrees; a triple (SOURCE, CUE,
CLAIM) when all three align. Attribute accuracy is measured on aligned span pairs, over the attributes gold sets.
A gold doc with no prediction counts all its spans as misses and is listed as missing; a predicted doc that gold
does not have is listed and not scored.

The gold file is held in memory (it is the reference and small); predictions are streamed.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import RecordError
from .matching import MODES, Counts, Mode, alignment, match_spans, relation_counts, span_counts, triple_counts
from .records import AnnotatedDoc, doc_from_dict, iter_json_lines, no_records
from .schema import Schema, load_schema

ALL = "ALL"


@dataclass(frozen=True)
class AttributeScore:
    label: str
    attribute: str
    correct: int  # aligned pairs where the prediction has gold's value
    total: int  # aligned pairs where gold sets the attribute
    predicted: int  # of those, pairs where the prediction sets it at all

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.total if self.total else None

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "attribute": self.attribute, "correct": self.correct, "total": self.total,
                "predicted": self.predicted, "accuracy": self.accuracy}


@dataclass(frozen=True)
class Evaluation:
    predictions: str
    gold: str
    annotators: tuple[str, ...]
    docs: int  # gold docs scored (missing ones included)
    missing: tuple[str, ...]  # gold doc_ids with no prediction
    extra: tuple[str, ...]  # predicted doc_ids that gold does not have
    labels: tuple[str, ...]
    spans: Mapping[str, Mapping[str, Counts]]  # mode -> label (and ALL) -> counts
    relations: Mapping[str, Mapping[str, Counts]]  # mode -> relation label (and ALL) -> counts
    triples: Mapping[str, Counts]  # mode -> counts
    attributes: Mapping[str, tuple[AttributeScore, ...]]  # mode -> scores
    unscored_labels: Mapping[str, int] = field(default_factory=dict)  # predicted labels gold never uses

    def f1(self, label: str, mode: Mode = "exact") -> float:
        return self.spans[mode][label].f1

    def to_dict(self) -> dict[str, Any]:
        def counts(c: Counts) -> dict[str, Any]:
            return {"matched": c.matched, "predicted": c.n_a, "gold": c.n_b, "precision": c.precision,
                    "recall": c.recall, "f1": c.f1}

        return {
            "predictions": self.predictions, "gold": self.gold, "annotators": list(self.annotators),
            "docs": self.docs, "missing_docs": list(self.missing), "extra_docs": list(self.extra),
            "labels": list(self.labels),
            "spans": {mode: {label: counts(c) for label, c in by_label.items()}
                      for mode, by_label in self.spans.items()},
            "relations": {mode: {label: counts(c) for label, c in by_label.items()}
                          for mode, by_label in self.relations.items()},
            "triples": {mode: counts(c) for mode, c in self.triples.items()},
            "attributes": {mode: [score.to_dict() for score in scores] for mode, scores in self.attributes.items()},
            "unscored_labels": dict(self.unscored_labels),
        }


def _located(path: str | os.PathLike[str]) -> Iterator[tuple[int, AnnotatedDoc]]:
    """(line number, record): errors then name the file's real line, blank lines included."""
    for number, raw in iter_json_lines(path):
        yield number, doc_from_dict(raw, str(path), number)


def _index_gold(gold: Iterable[tuple[int, AnnotatedDoc]], gold_name: str) -> dict[str, tuple[int, AnnotatedDoc]]:
    by_id: dict[str, tuple[int, AnnotatedDoc]] = {}
    for number, doc in gold:
        if doc.doc_id in by_id:
            raise RecordError(gold_name, number, "doc_id",
                              f"duplicate doc_id {doc.doc_id!r} (also line {by_id[doc.doc_id][0]})",
                              "Gold must hold one record per document; adjudicate first with `annotate gold`")
        by_id[doc.doc_id] = (number, doc)
    if not by_id:
        raise no_records(gold_name, "Give the gold file that `annotate gold` wrote")
    return by_id


def evaluate(predictions: Iterable[AnnotatedDoc], gold: Iterable[AnnotatedDoc], schema: Schema | None = None,
             predictions_name: str = "<predictions>", gold_name: str = "<gold>") -> Evaluation:
    """Score a stream of predicted records against gold records (errors name the record number)."""
    schema = schema or load_schema()
    return _score(enumerate(predictions, start=1), _index_gold(enumerate(gold, start=1), gold_name), schema,
                  predictions_name, gold_name)


def evaluate_files(predictions_path: str | os.PathLike[str], gold_path: str | os.PathLike[str],
                   schema: Schema | None = None) -> Evaluation:
    """Score a predictions file against a gold file: gold is read first, predictions are streamed."""
    schema = schema or load_schema()
    gold_by_id = _index_gold(_located(gold_path), str(gold_path))
    return _score(_located(predictions_path), gold_by_id, schema, str(predictions_path), str(gold_path))


def _score(predictions: Iterable[tuple[int, AnnotatedDoc]], gold_by_id: Mapping[str, tuple[int, AnnotatedDoc]],
           schema: Schema, predictions_name: str, gold_name: str) -> Evaluation:
    entity_layer = {label for label, definition in schema.labels.items() if definition.layer != "span"}
    gold_labels = {span.label for _, doc in gold_by_id.values() for span in doc.spans}
    # Entities are scored only when gold has an entity layer; attribution labels always.
    labels = tuple(schema.attribution_labels) + tuple(sorted(gold_labels & entity_layer))
    scored = set(labels)
    seen: dict[str, int] = {}
    extra: list[str] = []
    annotators: set[str] = set()
    unscored: dict[str, int] = defaultdict(int)
    spans = {mode: defaultdict(Counts) for mode in MODES}
    relations = {mode: defaultdict(Counts) for mode in MODES}
    triples = {mode: Counts() for mode in MODES}
    attribute_tallies = {mode: defaultdict(lambda: [0, 0, 0]) for mode in MODES}

    def add(predicted: AnnotatedDoc, reference: AnnotatedDoc) -> None:
        predicted = predicted.with_(spans=tuple(s for s in predicted.spans if s.label in scored))
        kept = {span.id for span in predicted.spans}
        predicted = predicted.with_(relations=tuple(r for r in predicted.relations
                                                    if r.from_id in kept and r.to_id in kept))
        reference = reference.with_(spans=tuple(s for s in reference.spans if s.label in scored))
        for mode in MODES:
            for label, counts in span_counts(predicted.spans, reference.spans, mode).items():
                spans[mode][label].add(counts)
            aligned = alignment(predicted, reference, mode)
            for label, counts in relation_counts(predicted, reference, mode, aligned).items():
                relations[mode][label].add(counts)
            triples[mode].add(triple_counts(predicted, reference, mode, aligned))
            for left, right in match_spans(predicted.spans, reference.spans, mode):
                for name in schema.attributes_for(right.label):
                    if name in right.attrs:
                        tally = attribute_tallies[mode][(right.label, name)]
                        tally[1] += 1
                        tally[2] += name in left.attrs
                        tally[0] += left.attrs.get(name) == right.attrs[name]

    for number, doc in predictions:
        if doc.doc_id in seen:
            raise RecordError(predictions_name, number, "doc_id",
                              f"duplicate doc_id {doc.doc_id!r} (also line {seen[doc.doc_id]})",
                              "Evaluate one annotator at a time: one record per document")
        seen[doc.doc_id] = number
        if doc.annotator:
            annotators.add(doc.annotator)
        for span in doc.spans:
            if span.label not in scored:
                unscored[span.label] += 1
        if doc.doc_id not in gold_by_id:
            extra.append(doc.doc_id)
            continue
        gold_line, reference = gold_by_id[doc.doc_id]
        if doc.text != reference.text:
            raise RecordError(predictions_name, number, "text",
                              f"doc_id {doc.doc_id} has a different text than in {gold_name} (line {gold_line}), "
                              "so offsets cannot be compared", "Pre-annotate the same ingested articles as the gold")
        add(doc, reference)
    if not seen:
        raise no_records(predictions_name, "Give the records to score, e.g. the output of `annotate preannotate`")
    missing = sorted(doc_id for doc_id in gold_by_id if doc_id not in seen)
    for doc_id in missing:
        reference = gold_by_id[doc_id][1]
        add(reference.with_(spans=(), relations=()), reference)

    def with_total(by_label: Mapping[str, Counts], keys: Iterable[str]) -> dict[str, Counts]:
        result = {key: by_label.get(key, Counts()) for key in keys}
        total = Counts()
        for counts in result.values():
            total.add(counts)
        result[ALL] = total
        return result

    relation_labels = [relation.name for relation in schema.relations]
    return Evaluation(
        predictions=predictions_name, gold=gold_name, annotators=tuple(sorted(annotators)),
        docs=len(gold_by_id), missing=tuple(missing), extra=tuple(sorted(extra)), labels=labels,
        spans={mode: with_total(spans[mode], [label for label in labels if label in schema.attribution_labels])
               | {label: spans[mode].get(label, Counts()) for label in labels if label not in schema.attribution_labels}
               for mode in MODES},
        relations={mode: with_total(relations[mode], relation_labels) for mode in MODES},
        triples=triples,
        attributes={mode: tuple(AttributeScore(label, name, *_tally_tuple(tally))
                                for (label, name), tally in sorted(attribute_tallies[mode].items()))
                    for mode in MODES},
        unscored_labels=dict(sorted(unscored.items())),
    )


def _tally_tuple(tally: list[int]) -> tuple[int, int, int]:
    return tally[0], tally[1], tally[2]


# ---------------------------------------------------------------------------------------------------------
# Rendering (rich tables; the CLI prints them)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def render(evaluation: Evaluation) -> list[Any]:
    """Rich renderables: a header, span P/R/F1 (exact | overlap), relations, triples, attributes."""
    from rich.table import Table
    from rich.text import Text

    parts: list[Any] = []
    header = (f"{evaluation.predictions} ({', '.join(evaluation.annotators) or 'no annotator'}) against "
              f"{evaluation.gold}: {evaluation.docs} gold docs")
    parts.append(Text(header))
    if evaluation.missing:
        parts.append(Text(f"Missing predictions for {len(evaluation.missing)} gold doc(s), counted as misses: "
                          f"{', '.join(evaluation.missing)}", style="yellow"))
    if evaluation.extra:
        parts.append(Text(f"{len(evaluation.extra)} predicted doc(s) not in gold, not scored: "
                          f"{', '.join(evaluation.extra)}", style="yellow"))
    if evaluation.unscored_labels:
        parts.append(Text("Predicted labels gold does not use, not scored: " +
                          ", ".join(f"{label} ({n})" for label, n in evaluation.unscored_labels.items())))

    def counts_table(title: str, rows: Mapping[str, Mapping[str, Counts]], keys: Iterable[str]) -> Table:
        table = Table(title=title, title_justify="left")
        for column in ("", "mode", "P", "R", "F1", "matched", "pred", "gold"):
            table.add_column(column, justify="left" if column in ("", "mode") else "right")
        for key in keys:
            for mode in MODES:
                c = rows[mode].get(key, Counts())
                table.add_row(key if mode == MODES[0] else "", mode, _pct(c.precision), _pct(c.recall), _pct(c.f1),
                              str(c.matched), str(c.n_a), str(c.n_b), end_section=mode == MODES[-1])
        return table

    parts.append(counts_table("Spans", evaluation.spans, list(evaluation.spans["exact"])))
    parts.append(counts_table("Relations (ends aligned in that mode)", evaluation.relations,
                              list(evaluation.relations["exact"])))
    parts.append(counts_table("Attribution triples (SOURCE, CUE, CLAIM)",
                              {mode: {"triples": evaluation.triples[mode]} for mode in MODES}, ["triples"]))
    table = Table(title="Attribute accuracy on aligned spans", title_justify="left",
                  caption="n: aligned pairs where gold sets the attribute; set: of those, where the prediction sets it "
                          "at all (an unset value counts as wrong)", caption_justify="left")
    for column in ("label", "attribute", "exact", "n", "overlap", "n", "set"):
        table.add_column(column, justify="left" if column in ("label", "attribute") else "right")
    overlap = {(s.label, s.attribute): s for s in evaluation.attributes["overlap"]}
    exact = {(s.label, s.attribute): s for s in evaluation.attributes["exact"]}
    for key in sorted(set(exact) | set(overlap)):
        e, o = exact.get(key), overlap.get(key)
        table.add_row(key[0], key[1], _pct(e.accuracy if e else None), str(e.total if e else 0),
                      _pct(o.accuracy if o else None), str(o.total if o else 0), str(o.predicted if o else 0))
    parts.append(table)
    return parts
