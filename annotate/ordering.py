"""The order in which new tasks reach annotators: as in the file, or where the model is least sure first.

Push creates one task per doc_id in the order the records come, so ordering the records orders the new tasks
(tasks a project already has keep their place). The records of one document stay together.

`uncertain-first` follows Prodigy's teach recipes (`prefer_uncertain`): a span scored near 0.5 is the one the
model is least sure of, so a document's uncertainty is that of its least certain attribution span,
1 - 2·|score - 0.5| (1 at 0.5, 0 at 0 or 1), with the mean over its spans breaking ties. Documents are sorted by it,
most uncertain first; ties keep the file order. Documents without scored attribution spans (the model found
nothing, or a person annotated them) have no uncertainty and come last, in file order. Entity spans are left out:
their scores are fixed per source, not the model's confidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from .errors import ConfigError
from .records import AnnotatedDoc

Order = Literal["file", "uncertain-first"]
ORDERS: tuple[Order, ...] = ("file", "uncertain-first")
ATTRIBUTION_LABELS = frozenset({"SOURCE", "CUE", "CLAIM", "SUPPLEMENT"})


def span_uncertainty(score: float) -> float:
    """Rounded, so that scores equally far from 0.5 (0.3 and 0.7) tie despite floating-point noise."""
    return round(1.0 - 2.0 * abs(score - 0.5), 6)


def doc_uncertainty(docs: AnnotatedDoc | Iterable[AnnotatedDoc],
                    labels: frozenset[str] = ATTRIBUTION_LABELS) -> tuple[float, float] | None:
    """(the uncertainty of the least certain span, the mean over the spans) of one document's records, or None
    when they have no scored attribution span."""
    records = [docs] if isinstance(docs, AnnotatedDoc) else list(docs)
    values = [span_uncertainty(span.score) for record in records for span in record.spans
              if span.label in labels and span.score is not None]
    if not values:
        return None
    return max(values), round(sum(values) / len(values), 6)


def check_order(how: str) -> Order:
    if how not in ORDERS:
        raise ConfigError(f"--order {how!r} is not one of {', '.join(ORDERS)}")
    return how  # type: ignore[return-value]


def order_for_review(docs: Iterable[AnnotatedDoc], how: str = "file",
                     labels: frozenset[str] = ATTRIBUTION_LABELS) -> list[AnnotatedDoc]:
    """The records in review order (see the module docstring); deterministic for the same input."""
    how = check_order(how)
    docs = list(docs)
    if how == "file":
        return docs
    groups: dict[str, list[AnnotatedDoc]] = {}
    for doc in docs:
        groups.setdefault(doc.doc_id, []).append(doc)
    keyed = [(doc_uncertainty(records, labels), position, records)
             for position, records in enumerate(groups.values())]
    scored = sorted((item for item in keyed if item[0] is not None),
                    key=lambda item: (-item[0][0], -item[0][1], item[1]))
    unscored = [item for item in keyed if item[0] is None]
    return [doc for _, _, records in scored + unscored for doc in records]
