"""Do two figures disagree? Each figure is an interval by its bound: exact 11,000 is [11000, 11000], "some 11,000"
is 11,000 ± the configured tolerance, "more than 10,000" is [10000, ∞), "up to 350,000" is [0, 350000]. Figures
are compared only when they count the same kind of thing for the same time; then disjoint intervals conflict."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .figures import Figure, FigureMention
from .settings import ClaimsSettings

AGREE, CONSISTENT, CONFLICT, DIFFERENT = "agree", "consistent", "conflict", "different quantities"
# Conflicts first in reports: the order of statuses by how much a reader needs to see them.
STATUS_ORDER = {CONFLICT: 0, CONSISTENT: 1, AGREE: 2, DIFFERENT: 3, "single": 4}


def interval(figure: Figure, tolerance: float) -> tuple[float, float]:
    low, high = figure.low, figure.high
    if figure.bound == "approximate":
        return low * (1 - tolerance), high * (1 + tolerance)
    if figure.bound == "lower":
        return low, math.inf
    if figure.bound == "upper":
        return 0.0, high
    return low, high


TIME_FILLERS = frozenset({"in", "the", "past", "last", "just", "over", "during", "within", "for", "of", "since"})


def normal_time(text: str) -> str:
    """'in just three months' and 'in the past three months' are one time: 'three months'."""
    return " ".join(word for word in re.findall(r"\w+", text.lower()) if word not in TIME_FILLERS)


@dataclass(frozen=True)
class Comparison:
    first: str  # mention keys
    second: str
    status: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"first": self.first, "second": self.second, "status": self.status, "reason": self.reason}


def describe(mention: FigureMention) -> str:
    figure, claim = mention.figure, mention.claim
    said = claim.source or f"{claim.outlet} (unattributed)"
    bound = f"{figure.bound_text} " if figure.bound_text else ""
    counted = f" {figure.kind}" if figure.kind and not figure.kind.startswith("noun:") else (
        f" {figure.counted}" if figure.counted else "")
    return f"{bound}{figure.value_text}{counted} ({said})"


def compare(first: FigureMention, second: FigureMention, settings: ClaimsSettings) -> Comparison:
    a, b = first.figure, second.figure
    keys = (first.key, second.key)
    if not settings.kinds_comparable(a.kind, b.kind):
        return Comparison(*keys, DIFFERENT, f"{describe(first)} and {describe(second)} count different things "
                                            f"({a.kind or 'unknown'} vs {b.kind or 'unknown'})")
    if a.time and b.time and normal_time(a.time) != normal_time(b.time):
        return Comparison(*keys, DIFFERENT, f"{describe(first)} is for {a.time!r}, {describe(second)} for {b.time!r}")
    (low_a, high_a), (low_b, high_b) = interval(a, settings.approximate_tolerance), interval(b, settings.approximate_tolerance)
    if high_a < low_b or high_b < low_a:
        return Comparison(*keys, CONFLICT, f"{describe(first)} contradicts {describe(second)}")
    if (a.low, a.high) == (b.low, b.high) and a.bound == b.bound:
        return Comparison(*keys, AGREE, f"{describe(first)} and {describe(second)} state the same figure")
    return Comparison(*keys, CONSISTENT, f"{describe(first)} is consistent with {describe(second)}")


def group_status(comparisons: Sequence[Comparison], copies: bool) -> str:
    """conflict if any pair conflicts; else consistent or agree; different quantities if nothing was comparable.
    A group made only of copies of one passage (near-duplicates from ingest) agrees."""
    statuses = {comparison.status for comparison in comparisons}
    for status in (CONFLICT, CONSISTENT, AGREE):
        if status in statuses:
            return status
    if statuses:
        return DIFFERENT
    return AGREE if copies else "single"
