"""Stage 5: near-duplicate passages (MinHash over sentence shingles), and clusters of documents that share them."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from ..clusters import components
from ..records import AnnotatedDoc
from .report import IngestReport, NearDuplicatePair
from .rules import NearDuplicateSettings

if TYPE_CHECKING:
    from datasketch import LeanMinHash

_WORD = re.compile(r"\w+")

_ABBREVIATIONS = frozenset(
    "jan feb mar apr jun jul aug sep sept oct nov dec mr mrs ms dr prof gen col lt sgt capt st mt ft no vs etc "
    "inc ltd co corp dept gov sen rep u.s u.k u.n e.g i.e".split())
_SENTENCE_BREAK = re.compile(r"[.!?…][\"'”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Sentences, paragraph by paragraph. A light splitter: it is only used to compare texts, not to annotate."""
    sentences: list[str] = []
    for paragraph in text.split("\n"):
        start = 0
        for match in _SENTENCE_BREAK.finditer(paragraph):
            before = paragraph[start:match.start()].rsplit(None, 1)
            last_word = before[-1].lower().rstrip(".") if before else ""
            if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
                continue  # "Jan. 31", "J. Smith"
            sentences.append(paragraph[start:match.end()].strip())
            start = match.end()
        if paragraph[start:].strip():
            sentences.append(paragraph[start:].strip())
    return sentences


def shingles(sentence: str, size: int) -> frozenset[str]:
    words = [word.lower() for word in _WORD.findall(sentence)]
    if len(words) < size:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i:i + size]) for i in range(len(words) - size + 1))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


MapPartitions = Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]]
"""How partitions run: `map(function, items)` with the results in input order. The builtin `map` runs them here;
`annotate.distributed.ordered_map` bound to a Dask client runs them on its workers, with the same results."""

DOCUMENTS_PER_PARTITION = 200  # ~3,400 sentences to shingle and sign: about half a second per task
PAIRS_PER_BATCH = 2_000


@dataclass(frozen=True)
class DocumentSketch:
    """One document's sentences as shingle sets, and a MinHash signature of each distinct non-empty one (the
    positions of their first occurrences in `indexed`)."""

    sentence_sets: tuple[frozenset[str], ...]
    indexed: tuple[int, ...]
    signatures: tuple[LeanMinHash, ...]


@dataclass(frozen=True)
class PairBatch:
    """Candidate document pairs (d, e), d < e, to align, with what they need of each document, keyed by its index."""

    pairs: tuple[tuple[int, int], ...]
    doc_ids: Mapping[int, str]
    sentence_sets: Mapping[int, tuple[frozenset[str], ...]]


def find_near_duplicates(docs: Sequence[AnnotatedDoc], settings: NearDuplicateSettings,
                         executor: MapPartitions | None = None, *,
                         documents_per_partition: int = DOCUMENTS_PER_PARTITION,
                         pairs_per_batch: int = PAIRS_PER_BATCH) -> list[NearDuplicatePair]:
    """Pairs of documents sharing at least one passage: a run of consecutive, in-order, similar sentences.

    Two stages keep this far from quadratic: MinHash LSH over single sentences proposes document pairs (one
    sentence pair whose exact Jaccard reaches `sentence_similarity` is enough), and only those pairs are
    aligned sentence by sentence, exactly. The per-document sketches (in partitions of `documents_per_partition`)
    and the alignments (in batches of `pairs_per_batch`) run through `executor` (default: here, one after the
    other); the LSH index needs every sentence at once and stays here. Any executor and sizes give the same list.
    """
    run = executor or map
    texts = [doc.text for doc in docs]
    sketches = [sketch for partition in run(partial(sketch_documents, settings=settings),
                                            _slices(texts, documents_per_partition))
                for sketch in partition]
    candidates = sorted(_candidate_pairs(sketches, settings))
    batches = (PairBatch(tuple(batch), {d: docs[d].doc_id for pair in batch for d in pair},
                         {d: sketches[d].sentence_sets for pair in batch for d in pair})
               for batch in _slices(candidates, pairs_per_batch))
    pairs = [pair for aligned in run(partial(align_pairs, settings=settings), batches) for pair in aligned]
    return sorted(pairs, key=lambda pair: (pair.doc_a, pair.doc_b))


def sketch_documents(texts: Sequence[str], settings: NearDuplicateSettings) -> list[DocumentSketch]:
    """Stage 1, per partition of documents: sentences, shingles and MinHash signatures."""
    from datasketch import LeanMinHash, MinHash

    sentence_sets = [tuple(shingles(sentence, settings.shingle_size) for sentence in split_sentences(text))
                     for text in texts]
    # A sentence repeated within a document (a pasted block, a recurring line) is indexed once: its copies would
    # share every LSH bucket, so each query would return all of them and a long repetitive text would go quadratic.
    indexed = [tuple(_first_of_each(sets).values()) for sets in sentence_sets]
    signatures = iter(MinHash.bulk([[item.encode("utf-8") for item in sorted(sets[s])]
                                    for sets, positions in zip(sentence_sets, indexed) for s in positions],
                                   num_perm=settings.num_perm, seed=settings.seed))
    # LeanMinHash: the hash values without the permutations, a third of the size to ship and to keep.
    return [DocumentSketch(sets, positions, tuple(LeanMinHash(next(signatures)) for _ in positions))
            for sets, positions in zip(sentence_sets, indexed)]


def _candidate_pairs(sketches: Sequence[DocumentSketch], settings: NearDuplicateSettings) -> set[tuple[int, int]]:
    """Stage 2, over the whole corpus: document pairs (d, e), d < e, with a sentence pair similar enough."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=settings.candidate_threshold, num_perm=settings.num_perm)
    with lsh.insertion_session() as session:
        for d, sketch in enumerate(sketches):
            for s, signature in zip(sketch.indexed, sketch.signatures):
                session.insert((d, s), signature, check_duplication=False)

    candidates: set[tuple[int, int]] = set()
    for d, sketch in enumerate(sketches):
        for s, signature in zip(sketch.indexed, sketch.signatures):
            for e, t in lsh.query(signature):
                if e > d and (d, e) not in candidates and _jaccard(
                        sketch.sentence_sets[s], sketches[e].sentence_sets[t]) >= settings.sentence_similarity:
                    candidates.add((d, e))
    return candidates


def align_pairs(batch: PairBatch, settings: NearDuplicateSettings) -> list[NearDuplicatePair]:
    """Stage 3, per batch of candidate pairs: the exact sentence alignment; a pair without a passage is dropped."""
    pairs: list[NearDuplicatePair] = []
    for d, e in batch.pairs:
        aligned = {}
        # Each distinct sentence pair is compared once, then its similarity holds for every copy.
        copies_b = _positions(batch.sentence_sets[e])
        for a, positions_a in _positions(batch.sentence_sets[d]).items():
            for b, positions_b in copies_b.items():
                similarity = _jaccard(a, b)
                if similarity >= settings.sentence_similarity:
                    aligned.update(((s, t), similarity) for s in positions_a for t in positions_b)
        runs = _passages(aligned, settings.min_passage_sentences)
        if not runs:
            continue
        similarities = [aligned[cell] for run in runs for cell in run]
        a_id, b_id = sorted((batch.doc_ids[d], batch.doc_ids[e]))
        pairs.append(NearDuplicatePair(a_id, b_id, round(sum(similarities) / len(similarities), 3), len(runs),
                                       len(similarities)))
    return pairs


def _slices(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    return (items[start:start + size] for start in range(0, len(items), size))


def _first_of_each(sets: Sequence[frozenset[str]]) -> dict[frozenset[str], int]:
    """Each distinct non-empty sentence set -> the position of its first occurrence."""
    first: dict[frozenset[str], int] = {}
    for position, shingle_set in enumerate(sets):
        if shingle_set:
            first.setdefault(shingle_set, position)
    return first


def _positions(sets: Sequence[frozenset[str]]) -> dict[frozenset[str], list[int]]:
    """Each distinct sentence set -> every position where it occurs."""
    positions: dict[frozenset[str], list[int]] = {}
    for position, shingle_set in enumerate(sets):
        positions.setdefault(shingle_set, []).append(position)
    return positions


def _passages(aligned: Mapping[tuple[int, int], float], min_length: int) -> list[list[tuple[int, int]]]:
    """Maximal diagonal runs (s, t), (s+1, t+1), ... of at least min_length, not sharing sentences, longest first."""
    runs = []
    for s, t in aligned:
        if (s - 1, t - 1) in aligned:
            continue
        run = []
        while (s + len(run), t + len(run)) in aligned:
            run.append((s + len(run), t + len(run)))
        if len(run) >= min_length:
            runs.append(run)
    chosen: list[list[tuple[int, int]]] = []
    used_a: set[int] = set()
    used_b: set[int] = set()
    for run in sorted(runs, key=lambda r: (-len(r), r[0])):
        if used_a.isdisjoint(s for s, _ in run) and used_b.isdisjoint(t for _, t in run):
            chosen.append(run)
            used_a.update(s for s, _ in run)
            used_b.update(t for _, t in run)
    return chosen


def clusters(doc_ids: Sequence[str], pairs: Iterable[NearDuplicatePair]) -> dict[str, str]:
    """Connected components of the near-duplicate graph; each is named by its smallest doc_id."""
    return components(doc_ids, ((pair.doc_a, pair.doc_b) for pair in pairs))


def mark_near_duplicates(docs: Iterable[AnnotatedDoc], settings: NearDuplicateSettings, report: IngestReport,
                         executor: MapPartitions | None = None) -> Iterator[AnnotatedDoc]:
    """Add meta.near_duplicates and meta.cluster (the export keeps a cluster within one split)."""
    collected = list(docs)
    pairs = find_near_duplicates(collected, settings, executor)
    report.near_duplicates.extend(pairs)
    neighbours: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for pair in pairs:
        for this, other in ((pair.doc_a, pair.doc_b), (pair.doc_b, pair.doc_a)):
            neighbours[this].append({"doc_id": other, "similarity": pair.similarity, "passages": pair.passages,
                                     "sentences": pair.sentences})
    cluster_of = clusters([doc.doc_id for doc in collected], pairs)
    for doc in collected:
        meta = {**doc.meta, "near_duplicates": sorted(neighbours.get(doc.doc_id, []), key=lambda n: n["doc_id"]),
                "cluster": cluster_of[doc.doc_id]}
        yield doc.with_(meta=meta)
