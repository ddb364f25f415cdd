"""Per-document sufficient statistics and the document bootstrap over them.

Every coefficient in the report is a function of sums over documents (match counts, coincidence margins,
confusion tables, unitizing distances, histograms of unit and gap lengths). Those sums are computed once per
document into a `Ledger`. A bootstrap replicate draws documents with replacement, which is the same as weighting
each document by how often it was drawn; the replicate's totals are then one matrix product (weights @ statistics)
for all replicates of a chunk at once. No Python loop runs over tokens or documents inside the bootstrap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

CONFIDENCE = 0.95
CHUNK = 100  # replicates per matrix product: bounds memory at CHUNK x documents weights


class Ledger:
    """Named blocks of per-document statistics, each an array of shape (documents, *shape)."""

    def __init__(self, n_docs: int) -> None:
        self.n_docs = n_docs
        self._blocks: dict[str, np.ndarray] = {}
        self._histograms: dict[str, dict[str, list]] = {}
        self._frozen: tuple[np.ndarray, dict[str, tuple[slice, tuple[int, ...]]], dict[str, tuple[sparse.csr_matrix, np.ndarray]]] | None = None

    def block(self, name: str, shape: tuple[int, ...] = ()) -> np.ndarray:
        """The (documents, *shape) array for `name`, created as zeros on first use."""
        if name not in self._blocks:
            self._blocks[name] = np.zeros((self.n_docs, *shape))
            self._frozen = None
        return self._blocks[name]

    def add_to_histogram(self, name: str, doc: int, values) -> None:
        """Count each value (a length) once for document `doc` in histogram `name`."""
        builder = self._histograms.setdefault(name, {"rows": [], "values": []})
        values = np.asarray(values, dtype=np.int64).ravel()
        builder["rows"].append(np.full(values.size, doc, dtype=np.int64))
        builder["values"].append(values)
        self._frozen = None

    def _freeze(self):
        if self._frozen is None:
            layout, columns, offset = {}, [], 0
            for name in sorted(self._blocks):
                array = self._blocks[name]
                width = int(np.prod(array.shape[1:], dtype=np.int64))
                layout[name] = (slice(offset, offset + width), array.shape[1:])
                columns.append(array.reshape(self.n_docs, width))
                offset += width
            dense = np.concatenate(columns, axis=1) if columns else np.zeros((self.n_docs, 0))
            histograms = {}
            for name in sorted(self._histograms):
                rows = np.concatenate(self._histograms[name]["rows"]) if self._histograms[name]["rows"] else np.zeros(0, np.int64)
                values = np.concatenate(self._histograms[name]["values"]) if self._histograms[name]["values"] else np.zeros(0, np.int64)
                distinct, column = np.unique(values, return_inverse=True)
                matrix = sparse.csr_matrix((np.ones(values.size), (rows, column)), shape=(self.n_docs, distinct.size))
                histograms[name] = (matrix, distinct.astype(float))
            self._frozen = (dense, layout, histograms)
        return self._frozen

    def totals(self, weights: np.ndarray) -> Totals:
        """Weighted sums over documents for each row of `weights` (replicates × documents)."""
        dense, layout, histograms = self._freeze()
        summed = weights @ dense
        blocks = {name: summed[:, where].reshape(weights.shape[0], *shape) for name, (where, shape) in layout.items()}
        counted = {name: (np.asarray((matrix.T @ weights.T).T), values) for name, (matrix, values) in histograms.items()}
        return Totals(blocks, counted)


@dataclass(frozen=True)
class Totals:
    """Summed statistics for a batch of replicates: each block has a leading replicate axis."""

    blocks: Mapping[str, np.ndarray]
    histograms: Mapping[str, tuple[np.ndarray, np.ndarray]]  # name -> (replicates × distinct counts, distinct values)
    memo: dict = field(default_factory=dict, compare=False, repr=False)  # work shared by several statistics

    def __getitem__(self, name: str) -> np.ndarray:
        return self.blocks[name]

    def histogram(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        if name in self.histograms:
            return self.histograms[name]
        batch = next(iter(self.blocks.values())).shape[0] if self.blocks else 1
        return np.zeros((batch, 0)), np.zeros(0)


def resample_weights(n_docs: int, n_resamples: int, seed: int, chunk: int = CHUNK) -> Iterator[np.ndarray]:
    """Chunks of (replicates × documents) draw counts: row r says how often each document is in replicate r."""
    rng = np.random.default_rng(seed)
    done = 0
    while done < n_resamples:
        size = min(chunk, n_resamples - done)
        drawn = rng.integers(0, n_docs, size=(size, n_docs))
        flat = (drawn + (np.arange(size) * n_docs)[:, None]).ravel()
        yield np.bincount(flat, minlength=size * n_docs).reshape(size, n_docs).astype(float)
        done += size


@dataclass(frozen=True)
class Estimate:
    value: float | None
    ci_low: float | None
    ci_high: float | None


Statistic = Callable[[Totals], np.ndarray]  # totals with a leading replicate axis -> one value per replicate


def _finite(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def estimate(ledger: Ledger, statistics: Mapping[str, Statistic], n_resamples: int, seed: int) -> dict[str, Estimate]:
    """Point value and percentile bootstrap interval of every statistic, resampling documents.

    The same ledger, resamples and seed give the same numbers. Replicates where a coefficient is undefined
    (e.g. a resample without any span of a label) are left out of that coefficient's interval.
    """
    point_totals = ledger.totals(np.ones((1, ledger.n_docs)))
    points = {key: float(np.asarray(function(point_totals)).reshape(-1)[0]) for key, function in statistics.items()}
    if n_resamples <= 0 or ledger.n_docs == 0:
        return {key: Estimate(_finite(value), None, None) for key, value in points.items()}
    replicates: dict[str, list[np.ndarray]] = {key: [] for key in statistics}
    for weights in resample_weights(ledger.n_docs, n_resamples, seed):
        totals = ledger.totals(weights)
        for key, function in statistics.items():
            replicates[key].append(np.asarray(function(totals), dtype=float).reshape(-1))
    tail = (1 - CONFIDENCE) / 2
    results = {}
    for key, value in points.items():
        values = np.concatenate(replicates[key])
        values = values[np.isfinite(values)]
        if _finite(value) is None or values.size == 0:
            results[key] = Estimate(_finite(value), None, None)
            continue
        low, high = np.quantile(values, [tail, 1 - tail])
        results[key] = Estimate(float(value), float(low), float(high))
    return results
