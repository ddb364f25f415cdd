"""Stage 5: near-duplicate passages (MinHash over sentence shingles), and clusters of documents that share them."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ..clusters import components
from ..records import AnnotatedDoc
from .report import IngestReport, NearDuplicatePair
from .rules import NearDuplicateSettings

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


def find_near_duplicates(docs: Sequence[AnnotatedDoc], settings: NearDuplicateSettings) -> list[NearDuplicatePair]:
    """Pairs of documents sharing at least one passage: a run of consecutive, in-order, similar sentences.

    Two stages keep this far from quadratic: MinHash LSH over single sentences proposes document pairs (one
    sentence pair whose exact Jaccard reaches `sentence_similarity` is enough), and only those pairs are
    aligned sentence by sentence, exactly.
    """
    from datasketch import MinHash, MinHashLSH

    sentence_sets = [[shingles(sentence, settings.shingle_size) for sentence in split_sentences(doc.text)]
                     for doc in docs]
    # A sentence repeated within a document (a pasted block, a recurring line) is indexed once: its copies would
    # share every LSH bucket, so each query would return all of them and a long repetitive text would go quadratic.
    keys = [(d, s) for d, sets in enumerate(sentence_sets) for s in _first_of_each(sets).values()]
    signatures = MinHash.bulk([[item.encode("utf-8") for item in sorted(sentence_sets[d][s])] for d, s in keys],
                              num_perm=settings.num_perm, seed=settings.seed)
    lsh = MinHashLSH(threshold=settings.candidate_threshold, num_perm=settings.num_perm)
    with lsh.insertion_session() as session:
        for key, signature in zip(keys, signatures):
            session.insert(key, signature, check_duplication=False)

    candidates: set[tuple[int, int]] = set()
    for (d, s), signature in zip(keys, signatures):
        for e, t in lsh.query(signature):
            if e > d and (d, e) not in candidates and \
                    _jaccard(sentence_sets[d][s], sentence_sets[e][t]) >= settings.sentence_similarity:
                candidates.add((d, e))

    pairs: list[NearDuplicatePair] = []
    for d, e in sorted(candidates):
        aligned = {}
        # Each distinct sentence pair is compared once, then its similarity holds for every copy.
        copies_b = _positions(sentence_sets[e])
        for a, positions_a in _positions(sentence_sets[d]).items():
            for b, positions_b in copies_b.items():
                similarity = _jaccard(a, b)
                if similarity >= settings.sentence_similarity:
                    aligned.update(((s, t), similarity) for s in positions_a for t in positions_b)
        runs = _passages(aligned, settings.min_passage_sentences)
        if not runs:
            continue
        similarities = [aligned[cell] for run in runs for cell in run]
        a_id, b_id = sorted((docs[d].doc_id, docs[e].doc_id))
        pairs.append(NearDuplicatePair(a_id, b_id, round(sum(similarities) / len(similarities), 3), len(runs),
                                       len(similarities)))
    return sorted(pairs, key=lambda pair: (pair.doc_a, pair.doc_b))


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


def mark_near_duplicates(docs: Iterable[AnnotatedDoc], settings: NearDuplicateSettings,
                         report: IngestReport) -> Iterator[AnnotatedDoc]:
    """Add meta.near_duplicates and meta.cluster (the export keeps a cluster within one split)."""
    collected = list(docs)
    pairs = find_near_duplicates(collected, settings)
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
