"""Gold records -> the two DocBins a training run reads: what the frozen pipeline predicts (the span model's
input features), and the gold attribution spans on the same tokens."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import DocBin, Span

from ..errors import AnnotateError
from ..export.splits import assign_splits
from ..export.tokens import Misaligned, align
from ..records import AnnotatedDoc, read_docs
from .components import ATTRIBUTION_LABELS, LEARNED_KEY, RULES_KEY

DEV_SHARE = 0.2


class TrainingDataError(AnnotateError):
    """Training or dev records that cannot train an attribution model."""


@dataclass(frozen=True)
class Splits:
    train: list[AnnotatedDoc]
    dev: list[AnnotatedDoc]
    held_out: bool  # dev was held out of the training file (no --dev)


def label_counts(records: Sequence[AnnotatedDoc]) -> Counter[str]:
    return Counter(span.label for record in records for span in record.spans if span.label in ATTRIBUTION_LABELS)


def load_splits(train_path: str | os.PathLike[str], dev_path: str | os.PathLike[str] | None, seed: int) -> Splits:
    """Read and check the records; without `dev_path`, hold out a seeded share of TRAIN, whole near-duplicate
    clusters at a time (annotate.export.splits), so no near copy of a dev article is trained on."""
    train = list(read_docs(train_path))
    if not label_counts(train):
        raise TrainingDataError(
            f"{train_path}: none of its {len(train)} records has a {', '.join(ATTRIBUTION_LABELS)} span; train "
            "needs gold attribution annotations (e.g. the output of `annotate gold`), not articles or predictions "
            "without spans")
    if dev_path is not None:
        dev = list(read_docs(dev_path))
        if not dev:
            raise TrainingDataError(f"{dev_path}: no records; give a dev set of gold records, or leave out --dev")
        held_out = False
    else:
        parts = assign_splits(train, (1 - DEV_SHARE, DEV_SHARE), seed)
        train, dev, held_out = parts["train"], parts["dev"], True
        if not train or not dev:
            raise TrainingDataError(
                f"{train_path}: {len(train) + len(dev)} records in too few near-duplicate clusters to hold out a dev "
                "set; add documents or pass --dev DEV.jsonl")
    unknown = sorted(set(label_counts(dev)) - set(label_counts(train)))
    if unknown:
        raise TrainingDataError(
            f"{dev_path or train_path}: the dev set has {', '.join(unknown)} spans but the training set has none, so "
            "the model cannot learn them; add training documents with those labels or remove them from the dev set")
    return Splits(train=train, dev=dev, held_out=held_out)


@dataclass
class RuleCounts:
    """Exact matches of the rules' spans against gold, per label, over a corpus."""

    matched: Counter[str] = field(default_factory=Counter)
    predicted: Counter[str] = field(default_factory=Counter)
    gold: Counter[str] = field(default_factory=Counter)

    def add(self, rule_spans: set[tuple[str, int, int]], gold_spans: set[tuple[str, int, int]]) -> None:
        self.matched.update(label for label, _, _ in rule_spans & gold_spans)
        self.predicted.update(label for label, _, _ in rule_spans)
        self.gold.update(label for label, _, _ in gold_spans)

    def scores(self) -> dict[str, dict[str, float]]:
        """label -> {"p", "r", "f"}, for the labels gold has (the same keys as spaCy's per-type scores)."""
        result = {}
        for label in sorted(self.gold):
            p = self.matched[label] / self.predicted[label] if self.predicted[label] else 0.0
            r = self.matched[label] / self.gold[label]
            result[label] = {"p": round(p, 4), "r": round(r, 4), "f": round(2 * p * r / (p + r) if p + r else 0.0, 4)}
        return result


def write_corpus(nlp: Language, records: Sequence[AnnotatedDoc], predicted_path: Path, reference_path: Path,
                 misaligned: list[Misaligned], on_doc: Callable[[], None] | None = None,
                 batch_size: int = 32) -> tuple[int, RuleCounts]:
    """Run the (frozen) pipeline over the texts once and store its output beside the gold spans; returns the
    number of tokens and how the rules' spans score against gold. Gold offsets off token boundaries are expanded
    to whole tokens and reported."""
    predicted, reference = DocBin(store_user_data=False), DocBin(store_user_data=False)
    tokens = 0
    counts = RuleCounts()
    for record, doc in zip(records, nlp.pipe((record.text for record in records), batch_size=batch_size),
                           strict=True):
        gold = nlp.make_doc(record.text)
        attribution = [span for span in record.spans if span.label in ATTRIBUTION_LABELS]
        gold.spans[LEARNED_KEY] = [Span(gold, item.token_start, item.token_end, label=item.span.label)
                                   for item in align(gold, record, attribution, "expand", misaligned)]
        rule_group = doc.spans[RULES_KEY] if RULES_KEY in doc.spans else []
        counts.add({(span.label_, span.start, span.end) for span in rule_group},
                   {(span.label_, span.start, span.end) for span in gold.spans[LEARNED_KEY]})
        predicted.add(doc)
        reference.add(gold)
        tokens += len(doc)
        if on_doc is not None:
            on_doc()
    predicted.to_disk(predicted_path)
    reference.to_disk(reference_path)
    return tokens, counts
