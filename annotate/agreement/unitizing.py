"""Krippendorff's unitizing alpha (alpha_U) on character offsets, as DKPro Statistics computes it.

No maintained Python library offers alpha_U, so it is written here, following Krippendorff (1995, 2004) and
DKPro Statistics' `KrippendorffAlphaUnitizingAgreement` (whose test of the Krippendorff 2004 example gives
0.8591; our oracle test reproduces it). Each category is judged on its own: a rater's continuum is cut into that
category's units and the gaps between them.

Observed disagreement, per pair of raters, sums over every pair of intersecting sections (unit or gap):
  unit vs unit           (start difference)^2 + (end difference)^2
  unit inside a gap      (unit length)^2
  anything else          0
and D_o = 2 * sum / (R (R - 1) L^2). Expected disagreement considers every placement of every unit in every gap:
  D_e = (2 / L) * sum_u [ (N_c - 1)(2 l^3 - 3 l^2 + l) / 3 + l^2 sum_{gaps g >= l} (g - l + 1) ]
        / (R L (R L - 1) - sum_u l (l - 1)).
alpha_U per category is 1 - D_o / D_e; over all categories it is 1 - sum_c D_o / sum_c D_e.

A corpus is one continuum made of its documents; gaps stop at document boundaries (no unit can straddle two
documents). When raters saw different documents, R L becomes the rated length M = sum_d R_d L_d and
R (R - 1) L^2 / 2 becomes L * sum_d P_d L_d (P_d the rater pairs of document d): for one document, or every rater
on every document, these are DKPro's formulas. A rater's overlapping units of one category (which alpha_U does
not allow) are merged into their union first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

Interval = tuple[int, int]  # [start, end)


def merge_units(units: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping units: overlapping ones become their union; touching ones stay two units."""
    merged: list[list[int]] = []
    for start, end in sorted(units):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def gap_lengths(units: Sequence[Interval], begin: int, end: int) -> list[int]:
    """Lengths of the stretches of [begin, end) that no unit covers (units sorted and disjoint)."""
    gaps, position = [], begin
    for start, stop in units:
        if start > position:
            gaps.append(start - position)
        position = max(position, stop)
    if end > position:
        gaps.append(end - position)
    return gaps


def observed_distance(first: Sequence[Interval], second: Sequence[Interval]) -> float:
    """Sum of section distances between two raters' units of one category (each sorted and disjoint).

    Units of one rater that overlap no unit of the other lie inside one of the other's gaps: they cost length^2.
    Overlapping units cost the squared differences of their starts and of their ends. (A merge-like sweep in
    plain Python: a document holds a handful of units, where numpy's per-call cost would dominate.)
    """
    total = 0
    matched_a = [False] * len(first)
    matched_b = [False] * len(second)
    j0 = 0
    for i, (a_start, a_end) in enumerate(first):
        while j0 < len(second) and second[j0][1] <= a_start:
            j0 += 1
        j = j0
        while j < len(second) and second[j][0] < a_end:
            b_start, b_end = second[j]
            total += (a_start - b_start) ** 2 + (a_end - b_end) ** 2
            matched_a[i] = matched_b[j] = True
            j += 1
    total += sum((e - s) ** 2 for (s, e), hit in zip(first, matched_a) if not hit)
    total += sum((e - s) ** 2 for (s, e), hit in zip(second, matched_b) if not hit)
    return float(total)


@dataclass(frozen=True)
class CategoryStats:
    """One category in one continuum (a document): everything alpha_U needs, summable over documents."""

    distance: float  # sum over rater pairs of observed_distance
    n_units: int  # N_c: units of the category, all raters
    cubic: float  # sum_u (2 l^3 - 3 l^2 + l) / 3
    squared: float  # sum_u l (l - 1)
    unit_lengths: tuple[int, ...]
    gap_lengths: tuple[int, ...]


def category_stats(units_by_rater: Sequence[Iterable[Interval]], begin: int, end: int) -> CategoryStats:
    """Statistics of one category over one continuum [begin, end), one list of units per rater who saw it."""
    raters = [merge_units((max(s, begin), min(e, end)) for s, e in units if min(e, end) > max(s, begin))
              for units in units_by_rater]
    distance = sum(observed_distance(raters[i], raters[j])
                   for i in range(len(raters)) for j in range(i + 1, len(raters)))
    lengths = [e - s for units in raters for s, e in units]
    gaps = [g for units in raters for g in gap_lengths(units, begin, end)]
    cubic = float(sum((2 * l ** 3 - 3 * l ** 2 + l) / 3 for l in lengths))
    squared = float(sum(l * (l - 1) for l in lengths))
    return CategoryStats(distance, len(lengths), cubic, squared, tuple(lengths), tuple(gaps))


def placements(unit_lengths: Sequence[int], gap_lengths_: Sequence[int]) -> float:
    """sum_u l^2 sum_{g >= l} (g - l + 1): the ways to drop each unit into each gap, weighted by l^2."""
    if not len(unit_lengths) or not len(gap_lengths_):
        return 0.0
    gaps = np.sort(np.asarray(gap_lengths_, dtype=float))
    tail_count = np.concatenate([np.cumsum(np.ones_like(gaps)[::-1])[::-1], [0.0]])
    tail_sum = np.concatenate([np.cumsum((gaps + 1)[::-1])[::-1], [0.0]])
    lengths = np.asarray(unit_lengths, dtype=float)
    first = np.searchsorted(gaps, lengths, side="left")
    return float((lengths ** 2 * (tail_sum[first] - lengths * tail_count[first])).sum())


def placements_from_histograms(unit_counts: np.ndarray, unit_values: np.ndarray,
                               gap_counts: np.ndarray, gap_values: np.ndarray) -> np.ndarray:
    """`placements` for many resamples at once: counts are (replicates, distinct lengths) histograms."""
    if unit_values.size == 0 or gap_values.size == 0:
        return np.zeros(unit_counts.shape[0])
    order = np.argsort(gap_values)
    gap_values, gap_counts = gap_values[order], gap_counts[:, order]
    zeros = np.zeros((gap_counts.shape[0], 1))
    tail_count = np.concatenate([np.cumsum(gap_counts[:, ::-1], axis=1)[:, ::-1], zeros], axis=1)
    tail_sum = np.concatenate([np.cumsum((gap_counts * (gap_values + 1))[:, ::-1], axis=1)[:, ::-1], zeros], axis=1)
    first = np.searchsorted(gap_values, unit_values, side="left")
    per_length = unit_values ** 2 * (tail_sum[:, first] - unit_values * tail_count[:, first])
    return (unit_counts * per_length).sum(axis=1)


def observed_disagreement(distance: np.ndarray, length: np.ndarray, pair_length: np.ndarray) -> np.ndarray:
    """D_o = distance / (L * sum_d P_d L_d); DKPro's 2 * distance / (R (R - 1) L^2) when every rater saw it all."""
    return _safe_divide(distance, np.asarray(length, dtype=float) * pair_length)


def expected_disagreement(n_units: np.ndarray, cubic: np.ndarray, placed: np.ndarray, squared: np.ndarray,
                          length: np.ndarray, rated_length: np.ndarray) -> np.ndarray:
    """D_e = (2 / L) [(N_c - 1) cubic + placements] / (M (M - 1) - sum l (l - 1)), M = R L the rated length."""
    numerator = (np.asarray(n_units, dtype=float) - 1) * cubic + placed
    rated_length = np.asarray(rated_length, dtype=float)
    denominator = rated_length * (rated_length - 1) - squared
    # A category nobody used has no units: it adds nothing to D_e (and nothing to D_o).
    numerator = np.where(np.asarray(n_units) > 0, numerator, 0.0)
    return _safe_divide(2.0 * numerator, np.asarray(length, dtype=float) * denominator, empty=0.0)


def _safe_divide(numerator, denominator, empty: float = np.nan) -> np.ndarray:
    numerator, denominator = np.broadcast_arrays(np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float))
    out = np.full(numerator.shape, empty)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def alpha_from_disagreements(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """1 - D_o / D_e; undefined (NaN) when there is no expected disagreement (no units at all)."""
    return 1.0 - _safe_divide(observed, expected)


@dataclass(frozen=True)
class UnitizingResult:
    alpha: float
    per_category: dict[str, float]
    observed: dict[str, float]
    expected: dict[str, float]


def unitizing_alpha(units: Iterable[tuple[int, int, int, str]], begin: int, length: int,
                    n_raters: int | None = None) -> UnitizingResult:
    """alpha_U of one continuum [begin, begin + length) from (rater, start, end, category) units.

    Raters are 0 .. n_raters - 1 (default: as many as the highest index seen); all saw the whole continuum.
    """
    by_category: dict[str, dict[int, list[Interval]]] = defaultdict(lambda: defaultdict(list))
    highest = -1
    for rater, start, end, category in units:
        by_category[category][rater].append((start, end))
        highest = max(highest, rater)
    raters = n_raters if n_raters is not None else highest + 1
    end = begin + length
    pair_length = raters * (raters - 1) / 2 * length
    observed, expected, per_category = {}, {}, {}
    for category in sorted(by_category):
        stats = category_stats([by_category[category].get(r, []) for r in range(raters)], begin, end)
        observed[category] = float(observed_disagreement(stats.distance, length, pair_length))
        expected[category] = float(expected_disagreement(stats.n_units, stats.cubic,
                                                         placements(stats.unit_lengths, stats.gap_lengths),
                                                         stats.squared, length, raters * length))
        per_category[category] = float(alpha_from_disagreements(observed[category], expected[category]))
    overall = float(alpha_from_disagreements(sum(observed.values()), sum(expected.values())))
    return UnitizingResult(overall, per_category, observed, expected)
