"""Chance-corrected coefficients computed from additive sufficient statistics.

Every function takes statistics that are sums over units (tokens, matched span pairs), so the statistics of a
corpus are the sums of its documents' statistics, and a bootstrap replicate is a weighted sum of them. All
functions broadcast over leading axes: pass arrays of shape (replicates, ...) and get one value per replicate.
An undefined coefficient (no variation to agree on, nothing pairable) is NaN.

The formulas are the textbook ones and give exactly what the maintained libraries give on the same data
(the tests check them against `krippendorff.alpha(level_of_measurement="nominal")`,
`statsmodels.stats.inter_rater.fleiss_kappa` and `cohens_kappa` on published examples and on random data).
The libraries take one table of units; these functions take summed statistics, which is what the bootstrap needs.
"""

from __future__ import annotations

import numpy as np


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    numerator, denominator = np.broadcast_arrays(np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float))
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


# ---------------------------------------------------------------------------------------------------------
# Krippendorff's alpha, nominal


def nominal_alpha_stats(value_counts: np.ndarray) -> tuple[np.ndarray, float]:
    """(pairable values per category, observed coincidences on the diagonal) for units × categories counts.

    Units with fewer than two values are not pairable and add nothing, as in Krippendorff (2011).
    """
    counts = np.asarray(value_counts, dtype=float)
    per_unit = counts.sum(axis=1)
    pairable = per_unit >= 2
    counts, per_unit = counts[pairable], per_unit[pairable]
    agreeing = float(((counts * (counts - 1)).sum(axis=1) / (per_unit - 1)).sum())
    return counts.sum(axis=0), agreeing


def nominal_alpha(totals: np.ndarray, agreeing: np.ndarray) -> np.ndarray:
    """alpha = 1 - D_o / D_e with the nominal metric, from the coincidence matrix's margins and trace.

    totals: (..., V) pairable values n_c per category; agreeing: (...) the trace sum_c o_cc.
    D_o = (n - trace) / n and D_e = (n^2 - sum_c n_c^2) / (n (n - 1)).
    """
    totals = np.asarray(totals, dtype=float)
    n = totals.sum(axis=-1)
    expected = n * n - (totals * totals).sum(axis=-1)
    return 1.0 - _divide((n - 1) * (n - np.asarray(agreeing, dtype=float)), expected)


def value_counts_from_codes(codes: np.ndarray, n_values: int) -> np.ndarray:
    """Raters × units integer codes (-1 = missing) -> units × values counts, without a loop over units."""
    codes = np.asarray(codes)
    counts = np.zeros((codes.shape[1], n_values), dtype=np.int64)
    units = np.arange(codes.shape[1])
    for row in codes:  # one pass per rater; raters are few
        seen = row >= 0
        counts[units[seen], row[seen]] += 1  # a rater gives a unit one value, so indices never repeat
    return counts


# ---------------------------------------------------------------------------------------------------------
# Fleiss' kappa


def fleiss_stats(value_counts: np.ndarray) -> tuple[float, int, np.ndarray]:
    """(sum of per-unit agreement P_i, number of units, category totals) over units rated at least twice.

    P_i = (sum_c n_ic^2 - n_i) / (n_i (n_i - 1)). With the same number of raters on every unit this is Fleiss (1971)
    exactly; when the number varies, each unit's P_i uses its own n_i (the usual generalisation).
    """
    counts = np.asarray(value_counts, dtype=float)
    per_unit = counts.sum(axis=1)
    rated = per_unit >= 2
    counts, per_unit = counts[rated], per_unit[rated]
    agreement = ((counts * counts).sum(axis=1) - per_unit) / (per_unit * (per_unit - 1))
    return float(agreement.sum()), int(rated.sum()), counts.sum(axis=0)


def fleiss_kappa(agreement_sum: np.ndarray, n_units: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """kappa = (P_bar - P_e) / (1 - P_e), P_bar the mean unit agreement, P_e = sum_c p_c^2 from the margins."""
    totals = np.asarray(totals, dtype=float)
    shares = _divide(totals, totals.sum(axis=-1, keepdims=True))
    chance = (shares * shares).sum(axis=-1)
    observed = _divide(agreement_sum, n_units)
    return _divide(observed - chance, 1.0 - chance)


# ---------------------------------------------------------------------------------------------------------
# Cohen's kappa


def cohen_kappa(confusion: np.ndarray) -> np.ndarray:
    """kappa = (p_o - p_e) / (1 - p_e) for (..., V, V) confusion tables (rows: first rater, columns: second)."""
    confusion = np.asarray(confusion, dtype=float)
    total = confusion.sum(axis=(-2, -1))
    observed = _divide(np.trace(confusion, axis1=-2, axis2=-1), total)
    rows, cols = confusion.sum(axis=-1), confusion.sum(axis=-2)
    chance = _divide((rows * cols).sum(axis=-1), total * total)
    return _divide(observed - chance, 1.0 - chance)


def confusion_from_codes(first: np.ndarray, second: np.ndarray, n_values: int) -> np.ndarray:
    """The V × V table of two raters' codes on the same units."""
    return np.bincount(np.asarray(first) * n_values + np.asarray(second), minlength=n_values * n_values).reshape(n_values, n_values)


# ---------------------------------------------------------------------------------------------------------
# F1 (positive specific agreement) and its precision/recall


def f1(matched: np.ndarray, n_a: np.ndarray, n_b: np.ndarray) -> np.ndarray:
    """2a / (2a + b + c), the positive specific agreement; undefined (NaN) when neither side marked anything.

    (`annotate.matching.Counts.f1` calls that case 1.0 for a single document; pooled over a corpus or a resample,
    "nothing to agree on" must not count as perfect agreement.)
    """
    matched, n_a, n_b = (np.asarray(x, dtype=float) for x in (matched, n_a, n_b))
    return _divide(2 * matched, n_a + n_b)


def precision(matched: np.ndarray, n_a: np.ndarray, n_b: np.ndarray) -> np.ndarray:
    """matched / n_a, reading side a as the prediction; NaN when a marked nothing."""
    return _divide(matched, n_a)


def recall(matched: np.ndarray, n_a: np.ndarray, n_b: np.ndarray) -> np.ndarray:
    """matched / n_b, reading side b as the reference; NaN when b marked nothing."""
    return _divide(matched, n_b)
