"""Who annotates which document in a session: a pure, seeded assignment (no network), saved as JSON.

A seeded fraction of the documents (the overlap set) goes to `per_doc` different annotators each, every other
document to one. The overlap set has exactly round(overlap x documents) members when enough documents qualify:
a document of a near-duplicate cluster (ingest's `meta.cluster`) never does, and its whole cluster goes to one
annotator, so that agreement is not measured on near-copies and one person sees a story's versions together.
Each overlap document goes to the `per_doc` least-loaded annotators, then clusters (largest first) and single
documents to the least-loaded one, so loads differ by at most one whenever clusters are small enough to allow it.
Ties are broken by a seeded hash of the email, and the overlap set is drawn by a seeded hash of each doc_id, so a
document's fate does not depend on which other documents are in the file.

Extending a plan never moves a pinned document (one somebody has started on). New documents are dealt out as
above; new annotators then take over as few planned, unstarted documents as balance needs. With the same annotators
nothing already planned moves at all, so running `session create` twice changes nothing.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from ..ordering import ORDERS, doc_uncertainty
PLAN_FORMAT = 1
EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,.]+$")


@dataclass(frozen=True)
class PlanDoc:
    """What the plan needs to know of a document: its id, its near-duplicate cluster, how unsure its model is."""

    doc_id: str
    cluster: str | None = None  # ingest's meta.cluster; None or the doc's own id when it has no near-duplicates
    uncertainty: tuple[float, float] | None = None  # ordering.doc_uncertainty: uncertain-first puts high ones first


@dataclass(frozen=True)
class SessionPlan:
    name: str
    annotators: tuple[str, ...]  # in the order they joined the session
    per_doc: int
    overlap: float
    seed: int
    order: str
    documents: tuple[str, ...]  # the order tasks are created in
    assignments: Mapping[str, tuple[str, ...]]  # doc_id -> its annotators
    overlap_docs: frozenset[str]
    clusters: Mapping[str, str] = field(default_factory=dict)  # doc_id -> cluster, for clustered documents only
    notes: tuple[str, ...] = ()

    def docs_of(self, annotator: str) -> list[str]:
        return [doc_id for doc_id in self.documents if annotator in self.assignments[doc_id]]

    def loads(self) -> dict[str, int]:
        return {annotator: len(self.docs_of(annotator)) for annotator in self.annotators}

    def to_dict(self) -> dict[str, Any]:
        return {"format": PLAN_FORMAT, "name": self.name, "annotators": list(self.annotators),
                "per_doc": self.per_doc, "overlap": self.overlap, "seed": self.seed, "order": self.order,
                "documents": [{"doc_id": doc_id, "annotators": list(self.assignments[doc_id]),
                               "overlap": doc_id in self.overlap_docs,
                               **({"cluster": self.clusters[doc_id]} if doc_id in self.clusters else {})}
                              for doc_id in self.documents]}

    @classmethod
    def from_dict(cls, raw: Any, where: str) -> SessionPlan:
        try:
            if raw.get("format") != PLAN_FORMAT:
                raise ConfigError(f"{where}: session plan format {raw.get('format')!r} is not {PLAN_FORMAT}; "
                                  "it was written by another version of annotate")
            documents = raw["documents"]
            return cls(name=str(raw["name"]), annotators=tuple(raw["annotators"]), per_doc=int(raw["per_doc"]),
                       overlap=float(raw["overlap"]), seed=int(raw["seed"]), order=str(raw["order"]),
                       documents=tuple(d["doc_id"] for d in documents),
                       assignments={d["doc_id"]: tuple(d["annotators"]) for d in documents},
                       overlap_docs=frozenset(d["doc_id"] for d in documents if d.get("overlap")),
                       clusters={d["doc_id"]: d["cluster"] for d in documents if d.get("cluster")})
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            raise ConfigError(f"{where}: not a session plan (missing or malformed {error}); it is written by "
                              "`annotate session create`, do not edit it by hand") from error


def check_email(email: str) -> None:
    if not EMAIL.match(email):
        raise ConfigError(f"invalid annotator email {email!r}: give addresses like name@example.org, "
                          "separated by commas")


def check_options(annotators: Sequence[str], per_doc: int, overlap: float, order: str) -> None:
    """The errors a user can make on the command line, each with the fix."""
    if not annotators:
        raise ConfigError("no annotators: give --annotators a@example.org,b@example.org")
    for email in annotators:
        check_email(email)
    repeated = sorted({email for email in annotators if annotators.count(email) > 1})
    if repeated:
        raise ConfigError(f"annotator {repeated[0]} is listed twice in --annotators; list each person once")
    if not 0.0 <= overlap <= 1.0 or math.isnan(overlap):
        raise ConfigError(f"--overlap {overlap} is outside [0, 1]: it is the fraction of documents that "
                          "--per-doc annotators each annotate (0.2 = one document in five)")
    if per_doc < 1:
        raise ConfigError(f"--per-doc {per_doc} must be at least 1")
    if per_doc > len(annotators):
        raise ConfigError(f"--per-doc {per_doc} is more than the {len(annotators)} annotator(s) given: an overlap "
                          f"document needs {per_doc} different people; add annotators or lower --per-doc")
    if order not in ORDERS:
        raise ConfigError(f"--order {order!r} is not one of {', '.join(ORDERS)}")


def _rank(seed: int, key: str) -> str:
    return hashlib.sha256(f"{seed}\x1f{key}".encode()).hexdigest()


def overlap_size(overlap: float, n_docs: int) -> int:
    """round(overlap x n_docs), halves rounded up (0.5 x 5 -> 3), with 0.4 x 20 exactly 8 despite binary floats."""
    return int(math.floor(round(overlap * n_docs, 9) + 0.5))


def _ordered(docs: Sequence[PlanDoc], order: str) -> list[PlanDoc]:
    """`push --order`'s order (annotate/ordering.py): the model's least certain documents first, unscored last."""
    if order == "file":
        return list(docs)
    return sorted(docs, key=lambda doc: (doc.uncertainty is None, tuple(-value for value in doc.uncertainty or ())))


def make_plan(name: str, docs: Sequence[PlanDoc], annotators: Sequence[str], *, per_doc: int = 2,
              overlap: float = 0.2, seed: int = 0, order: str = "uncertain-first",
              previous: SessionPlan | None = None, pinned: Collection[str] = ()) -> SessionPlan:
    """A new plan, or `previous` extended with the documents and annotators it lacks.

    `pinned`: doc_ids of `previous` that must keep their annotators (someone started on them, or they cannot be
    pushed again). When `annotators` adds people, they get the new documents first and then as many unpinned planned
    documents as balance needs; otherwise every planned document stays where it is.
    """
    annotators = list(annotators)
    check_options(annotators, per_doc, overlap, order)
    if previous is not None:
        annotators = _check_extension(previous, name, annotators, per_doc, overlap, seed, order)

    seen: set[str] = set(previous.documents if previous else ())
    new_docs = []
    for doc in docs:
        if doc.doc_id not in seen:
            seen.add(doc.doc_id)
            new_docs.append(doc)
    documents = [*(previous.documents if previous else ()), *(doc.doc_id for doc in _ordered(new_docs, order))]

    clusters: dict[str, str] = dict(previous.clusters) if previous else {}
    for doc in docs:
        if doc.cluster and doc.cluster != doc.doc_id:
            clusters[doc.doc_id] = doc.cluster
    members: dict[str, list[str]] = {}
    for doc_id in documents:
        members.setdefault(clusters.get(doc_id, doc_id), []).append(doc_id)
    # A cluster is named by its smallest doc_id, which itself carries no cluster mark when it is that id.
    clustered = {doc_id for group in members.values() if len(group) > 1 for doc_id in group}

    kept = dict(previous.assignments) if previous is not None else {}
    loads = {annotator: 0 for annotator in annotators}
    for who in kept.values():
        for annotator in who:
            loads[annotator] += 1
    tie = {annotator: _rank(seed, annotator) for annotator in annotators}

    def least_loaded(count: int) -> list[str]:
        chosen = sorted(annotators, key=lambda a: (loads[a], tie[a]))[:count]
        for annotator in chosen:
            loads[annotator] += 1
        return chosen

    overlap_docs = {doc_id for doc_id in kept if previous is not None and doc_id in previous.overlap_docs}
    free = [doc_id for doc_id in documents if doc_id not in kept]
    candidates = sorted((doc_id for doc_id in free if doc_id not in clustered), key=lambda d: _rank(seed, d))
    target = overlap_size(overlap, len(documents))
    wanted = max(0, target - len(overlap_docs))
    drawn = set(candidates[:wanted])
    notes = []
    if len(drawn) < wanted:
        notes.append(f"the overlap set has {len(overlap_docs) + len(drawn)} documents, not {target}: the others "
                     "are in near-duplicate clusters or already started")
    overlap_docs |= drawn

    assignments = dict(kept)
    for doc_id in free:
        if doc_id in drawn:
            assignments[doc_id] = tuple(least_loaded(per_doc))
    units: dict[str, list[str]] = {}
    for doc_id in free:
        if doc_id not in drawn:
            units.setdefault(clusters.get(doc_id, doc_id), []).append(doc_id)
    for key in sorted(units, key=lambda k: -len(units[k])):  # stable: equal sizes keep document order
        unit = units[key]
        started = [assignments[d] for d in members[key] if d in assignments]
        if started:  # a cluster that already has an annotator keeps them
            owner = started[0][0]
            loads[owner] += len(unit)
        else:
            (owner,) = least_loaded(1)
            loads[owner] += len(unit) - 1
        for doc_id in unit:
            assignments[doc_id] = (owner,)
    if previous is not None and tuple(annotators) != previous.annotators:
        _rebalance(assignments, loads, tie, [d for d in reversed(previous.documents)
                                             if d not in pinned and d not in clustered])
    return SessionPlan(name=name, annotators=tuple(annotators), per_doc=per_doc, overlap=overlap, seed=seed,
                       order=order, documents=tuple(documents), assignments=assignments,
                       overlap_docs=frozenset(overlap_docs),
                       clusters={doc_id: clusters[doc_id] for doc_id in documents if doc_id in clusters},
                       notes=tuple(notes))


def _rebalance(assignments: dict[str, tuple[str, ...]], loads: dict[str, int], tie: Mapping[str, str],
               movable: list[str]) -> None:
    """Hand planned documents from the most loaded annotators to the least loaded (the newcomers) until loads
    differ by at most one, moving as few as possible: each move takes one document from one person, the last
    planned first (the furthest from being reached in their queue); pinned and clustered documents never move."""
    while True:
        by_load = sorted(loads, key=lambda a: (loads[a], tie[a]))
        receiver = by_load[0]
        move = next(((doc_id, giver) for giver in reversed(by_load) if loads[giver] - loads[receiver] > 1
                     for doc_id in movable if giver in assignments[doc_id] and receiver not in assignments[doc_id]),
                    None)
        if move is None:
            return
        doc_id, giver = move
        assignments[doc_id] = tuple(receiver if a == giver else a for a in assignments[doc_id])
        loads[giver] -= 1
        loads[receiver] += 1
        movable.remove(doc_id)


def _check_extension(previous: SessionPlan, name: str, annotators: list[str], per_doc: int, overlap: float,
                     seed: int, order: str) -> list[str]:
    """The annotators of the extended plan: the old ones in their order, then the new ones."""
    missing = [email for email in previous.annotators if email not in annotators]
    if missing:
        raise ConfigError(f"session {name!r} already exists with annotators {', '.join(previous.annotators)}; "
                          f"the new list lacks {', '.join(missing)}. List all of them (you may add new ones), or "
                          "choose another session name")
    given = (per_doc, overlap, seed, order)
    saved = (previous.per_doc, previous.overlap, previous.seed, previous.order)
    if given != saved:
        raise ConfigError(f"session {name!r} was created with --per-doc {saved[0]} --overlap {saved[1]} --seed "
                          f"{saved[2]} --order {saved[3]}; run it with the same values, or choose another session name")
    return [*previous.annotators, *(email for email in annotators if email not in previous.annotators)]


def plan_docs(records: Sequence[Any]) -> list[PlanDoc]:
    """PlanDocs from grouped records (sync.group_documents' documents): cluster from meta, the model's uncertainty."""
    found = []
    for document in records:
        cluster = document.first.meta.get("cluster") if isinstance(document.first.meta, Mapping) else None
        found.append(PlanDoc(document.doc_id, cluster if isinstance(cluster, str) else None,
                             doc_uncertainty(list(document.versions.values()))))
    return found


__all__ = ["ORDERS", "PlanDoc", "SessionPlan", "check_email", "check_options", "make_plan", "overlap_size", "plan_docs"]
