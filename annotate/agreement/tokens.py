"""Tokens for token-level agreement: a deterministic tokenizer and explicit span-to-token alignment.

Tokens come from `spacy.blank("en").tokenizer` (rules only, no model: the same text always gives the same
tokens). Whitespace tokens are left out: nobody labels a line break, and counting them would inflate agreement
on O. A token takes a span's label when the span covers any of its characters (spaCy's
`alignment_mode="expand"`), so a span that cuts a word still marks that word. Where spans of one layer overlap,
the shortest span wins the token (ties: the label's place in the label list), so nested spans keep their inner label.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache

import numpy as np

from ..records import Span

OUTSIDE = 0  # the code of "O": no span covers the token


@lru_cache(maxsize=1)
def _tokenizer():
    import spacy

    return spacy.blank("en").tokenizer


def token_bounds(texts: Iterable[str], batch_size: int = 256) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(starts, ends) character offsets of the non-whitespace tokens of each text."""
    from spacy.attrs import IDX, IS_SPACE, LENGTH

    for doc in _tokenizer().pipe(texts, batch_size=batch_size):
        if len(doc) == 0:
            yield np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
            continue
        table = doc.to_array([IDX, LENGTH, IS_SPACE]).astype(np.int64)
        words = table[:, 2] == 0
        starts = table[words, 0]
        yield starts, starts + table[words, 1]


def token_range(starts: np.ndarray, ends: np.ndarray, start: int, end: int) -> tuple[int, int]:
    """Indices [first, last) of the tokens that share at least one character with [start, end)."""
    first = int(np.searchsorted(ends, start, side="right"))
    last = int(np.searchsorted(starts, end, side="left"))
    return first, max(first, last)


def token_ranges(starts: np.ndarray, ends: np.ndarray, spans: Sequence[Span]) -> tuple[np.ndarray, np.ndarray]:
    """`token_range` for many spans at once."""
    span_starts = np.fromiter((span.start for span in spans), dtype=np.int64, count=len(spans))
    span_ends = np.fromiter((span.end for span in spans), dtype=np.int64, count=len(spans))
    first = np.searchsorted(ends, span_starts, side="right")
    last = np.maximum(first, np.searchsorted(starts, span_ends, side="left"))
    return first, last


def token_codes(starts: np.ndarray, ends: np.ndarray, spans: Iterable[Span], codes: Mapping[str, int]) -> np.ndarray:
    """One code per token: that of the shortest covering span whose label is in `codes`, else OUTSIDE."""
    labelled = np.full(len(starts), OUTSIDE, dtype=np.int64)
    chosen = [span for span in spans if span.label in codes]
    # Longest first, so that shorter (inner) spans overwrite them.
    chosen.sort(key=lambda span: (-(span.end - span.start), -codes[span.label], span.start))
    for span, first, last in zip(chosen, *token_ranges(starts, ends, chosen)):
        labelled[first:last] = codes[span.label]
    return labelled


def token_coverage(starts: np.ndarray, ends: np.ndarray, spans: Sequence[Span], labels: Sequence[str]) -> np.ndarray:
    """labels × tokens booleans: does some span of that label cover the token?"""
    row = {label: index for index, label in enumerate(labels)}
    chosen = [span for span in spans if span.label in row]
    # +1 where a span's tokens begin and -1 after they end; a running sum > 0 means covered.
    edges = np.zeros((len(labels), len(starts) + 1), dtype=np.int64)
    if chosen:
        first, last = token_ranges(starts, ends, chosen)
        rows = np.fromiter((row[span.label] for span in chosen), dtype=np.int64, count=len(chosen))
        np.add.at(edges, (rows, first), 1)
        np.add.at(edges, (rows, last), -1)
    return np.cumsum(edges, axis=1)[:, :-1] > 0
