"""Span alignment between two annotations of one text, shared by evaluate, agreement and gold.

Matching is one-to-one within a label. Exact mode pairs identical offsets; overlap mode pairs spans that share
at least one character, choosing the largest number of pairs and, among those, the largest overlaps
(a maximum-weight bipartite matching, solved with SciPy's Hungarian algorithm).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import numpy as np
from scipy.optimize import linear_sum_assignment

from .records import AnnotatedDoc, Span

Mode = Literal["exact", "overlap"]
MODES: tuple[Mode, ...] = ("exact", "overlap")


def overlap(a: Span, b: Span) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def _match_exact(a: Sequence[Span], b: Sequence[Span]) -> list[tuple[int, int]]:
    # Several spans may share offsets (a duplicate mark): pair them up one by one.
    where: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, span in enumerate(b):
        where[(span.start, span.end)].append(index)
    pairs = []
    for index, span in enumerate(a):
        candidates = where.get((span.start, span.end))
        if candidates:
            pairs.append((index, candidates.pop(0)))
    return pairs


def _match_overlap(a: Sequence[Span], b: Sequence[Span]) -> list[tuple[int, int]]:
    # Weights make one more pair always worth more than any gain in overlap among fewer pairs.
    scale = 1.0 / (min(len(a), len(b)) + 1)
    weights = np.zeros((len(a), len(b)))
    for i, left in enumerate(a):
        for j, right in enumerate(b):
            shared = overlap(left, right)
            if shared:
                union = max(left.end, right.end) - min(left.start, right.start)
                weights[i, j] = 1.0 + scale * shared / union
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return [(int(i), int(j)) for i, j in zip(rows, cols) if weights[i, j] > 0]


# Each match mode pairs the indices of two same-label span lists, one to one.
MATCHERS: dict[Mode, Callable[[Sequence[Span], Sequence[Span]], list[tuple[int, int]]]] = {
    "exact": _match_exact,
    "overlap": _match_overlap,
}
MatchMode = StrEnum("MatchMode", {mode: mode for mode in MATCHERS})


def _match_group(a: Sequence[Span], b: Sequence[Span], mode: Mode) -> list[tuple[int, int]]:
    if not a or not b:
        return []
    return MATCHERS[mode](a, b)


def match_spans(a: Sequence[Span], b: Sequence[Span], mode: Mode = "exact",
                labels: Sequence[str] | None = None) -> list[tuple[Span, Span]]:
    """One-to-one pairs (span of a, span of b) with the same label, in a's order."""
    group_a: dict[str, list[Span]] = defaultdict(list)
    group_b: dict[str, list[Span]] = defaultdict(list)
    for span in a:
        if labels is None or span.label in labels:
            group_a[span.label].append(span)
    for span in b:
        if labels is None or span.label in labels:
            group_b[span.label].append(span)
    pairs: list[tuple[Span, Span]] = []
    for label, spans_a in group_a.items():
        spans_b = group_b.get(label, [])
        pairs.extend((spans_a[i], spans_b[j]) for i, j in _match_group(spans_a, spans_b, mode))
    order = {id(span): index for index, span in enumerate(a)}
    pairs.sort(key=lambda pair: order[id(pair[0])])
    return pairs


@dataclass
class Counts:
    """True positives and the sizes of the two sides; precision and recall read `a` as predicted, `b` as reference."""

    matched: int = 0
    n_a: int = 0
    n_b: int = 0

    def add(self, other: Counts) -> None:
        self.matched += other.matched
        self.n_a += other.n_a
        self.n_b += other.n_b

    @property
    def precision(self) -> float:
        return self.matched / self.n_a if self.n_a else (1.0 if not self.n_b else 0.0)

    @property
    def recall(self) -> float:
        return self.matched / self.n_b if self.n_b else (1.0 if not self.n_a else 0.0)

    @property
    def f1(self) -> float:
        """2a / (2a + b + c): the positive specific agreement, symmetric in the two sides."""
        total = self.n_a + self.n_b
        return 2 * self.matched / total if total else 1.0


def span_counts(a: Sequence[Span], b: Sequence[Span], mode: Mode) -> dict[str, Counts]:
    """Per-label counts for two span lists."""
    counts: dict[str, Counts] = defaultdict(Counts)
    for span in a:
        counts[span.label].n_a += 1
    for span in b:
        counts[span.label].n_b += 1
    for left, _ in match_spans(a, b, mode):
        counts[left.label].matched += 1
    return dict(counts)


def alignment(a: AnnotatedDoc, b: AnnotatedDoc, mode: Mode) -> dict[str, str]:
    """Span id in a -> span id in b for aligned spans; relation endpoints are compared through this map."""
    return {left.id: right.id for left, right in match_spans(a.spans, b.spans, mode)}


def relation_counts(a: AnnotatedDoc, b: AnnotatedDoc, mode: Mode,
                    aligned: Mapping[str, str] | None = None) -> dict[str, Counts]:
    """Per relation label: a relation matches when both endpoints align and the label is the same.

    `aligned` is `alignment(a, b, mode)` when the caller already has it (agreement reuses one alignment).
    """
    if aligned is None:
        aligned = alignment(a, b, mode)
    counts: dict[str, Counts] = defaultdict(Counts)
    remaining = defaultdict(int)
    for relation in b.relations:
        counts[relation.label].n_b += 1
        remaining[(relation.from_id, relation.to_id, relation.label)] += 1
    for relation in a.relations:
        counts[relation.label].n_a += 1
        key = (aligned.get(relation.from_id), aligned.get(relation.to_id), relation.label)
        if remaining.get(key):
            remaining[key] -= 1
            counts[relation.label].matched += 1
    return dict(counts)


_UNALIGNED = "\x00unaligned"
Triple = tuple[str | None, str | None, str]  # (source id, cue id, claim id); a part may be absent


def triples(doc: AnnotatedDoc) -> list[Triple]:
    """Attribution triples (SOURCE, CUE, CLAIM) tied by attributed_to and cue_of links, one per combination.

    A claim with a cue but no source (a passive with no agent) gives (None, cue, claim); a claim with a source
    but no cue gives (source, None, claim). A claim with neither link is not an attribution.
    """
    sources: dict[str, list[str]] = defaultdict(list)
    cues: dict[str, list[str]] = defaultdict(list)
    spans = doc.span_by_id()
    for relation in doc.relations:
        if relation.label == "attributed_to":
            sources[relation.from_id].append(relation.to_id)
        elif relation.label == "cue_of":
            cues[relation.to_id].append(relation.from_id)
    found: list[Triple] = []
    for claim_id in sorted(set(sources) | set(cues), key=lambda i: (spans[i].start, spans[i].end, i) if i in spans else (0, 0, i)):
        for source_id in sorted(sources.get(claim_id)) if sources.get(claim_id) else [None]:
            for cue_id in sorted(cues.get(claim_id)) if cues.get(claim_id) else [None]:
                found.append((source_id, cue_id, claim_id))
    return found


def triple_counts(a: AnnotatedDoc, b: AnnotatedDoc, mode: Mode,
                  aligned: Mapping[str, str] | None = None) -> Counts:
    """Whole attributions: a triple matches when its source, cue and claim all align (absent matches absent)."""
    if aligned is None:
        aligned = alignment(a, b, mode)
    remaining = defaultdict(int)
    b_triples = triples(b)
    for triple in b_triples:
        remaining[triple] += 1
    a_triples = triples(a)
    counts = Counts(n_a=len(a_triples), n_b=len(b_triples))
    for source, cue, claim in a_triples:
        # An absent part matches only an absent part; a present but unaligned part matches nothing.
        key = (aligned.get(source, _UNALIGNED) if source else None, aligned.get(cue, _UNALIGNED) if cue else None,
               aligned.get(claim))
        if key[2] is not None and remaining.get(key):
            remaining[key] -= 1
            counts.matched += 1
    return counts
