"""Consensus and adjudication, pure: one gold record per document, from an adjudicated record, a ground-truth star, or the annotators' consensus.

Per document the gold is, in order of precedence:
1. the adjudicator's record from a review project (`adjudicated=`), for its doc_id;
2. a record starred as ground truth in Label Studio (`meta.ground_truth` true);
3. the consensus of the people who annotated it:
   - a span is gold when at least K annotators marked it (matched one-to-one by overlap within a label), K
     defaulting to a strict majority of the document's annotators; it takes the boundaries most of them chose;
   - a relation is gold when both its ends are gold and a strict majority of the annotators who marked both
     ends drew it;
   - an attribute is gold when a strict majority of the annotators who marked the span gave it the same value
     (leaving it unset is a vote too).
Whatever the consensus cannot settle is a conflict: the document's records go, side by side, to the conflicts
file with `meta.conflicts` saying what is unresolved, ready for `annotate push --adjudicate`.

Model predictions (annotator `model:...`) and cancelled annotations are not votes. Files and the datasheet
are datasheet.py's job.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from ..grouping import by_doc_and_annotator, newest
from ..matching import Mode, match_spans
from ..records import GOLD_ANNOTATOR, AnnotatedDoc, Relation, Span

# Meta keys that describe one person's annotation, not the document: gold does not inherit them.
PER_ANNOTATION_META = frozenset({
    "ground_truth", "lead_time", "ls_annotation_id", "ls_prediction_id", "ls_task_id", "ls_project",
    "updated_at", "created_at", "was_cancelled", "completed_by", "conflicts", "gold", "model_version", "score",
    "prediction_score", "brat_ann",
})
METHODS = ("adjudicated", "ground_truth", "consensus")


@dataclass(frozen=True)
class Conflict:
    """One thing the consensus could not settle, with every annotator's version of it."""

    kind: str  # "span" (too few votes), "boundary" (no majority boundary), "relation", "attribute"
    label: str
    start: int
    end: int
    # Annotator -> their version: a span id, "start-end" boundaries, an attribute value, or None for "did not mark".
    votes: Mapping[str, Any]
    needed: int
    detail: str
    attribute: str | None = None

    def to_dict(self) -> dict[str, Any]:
        record = {"kind": self.kind, "label": self.label, "start": self.start, "end": self.end,
                  "votes": dict(self.votes), "needed": self.needed, "detail": self.detail}
        if self.attribute is not None:
            record["attribute"] = self.attribute
        return record


@dataclass(frozen=True)
class DocGold:
    """The gold for one document and what was left unresolved on the way."""

    gold: AnnotatedDoc
    method: str
    conflicts: tuple[Conflict, ...] = ()
    records: tuple[AnnotatedDoc, ...] = ()  # the annotators' records it was made from, one per annotator


@dataclass(frozen=True)
class GoldResult:
    docs: tuple[DocGold, ...]
    skipped: Mapping[str, int] = field(default_factory=dict)  # why records were not votes -> how many

    @property
    def gold(self) -> list[AnnotatedDoc]:
        return [item.gold for item in self.docs]

    def conflict_records(self) -> list[AnnotatedDoc]:
        """Every annotator's record of each document with a conflict, carrying `meta.conflicts`."""
        out = []
        for item in self.docs:
            if not item.conflicts:
                continue
            described = [conflict.to_dict() for conflict in item.conflicts]
            for record in item.records:
                out.append(record.with_(meta={**record.meta, "conflicts": described}))
        return out

    @property
    def method_counts(self) -> dict[str, int]:
        counts = Counter(item.method for item in self.docs)
        return {method: counts.get(method, 0) for method in METHODS}

    @property
    def single_annotator_documents(self) -> int:
        """Documents whose "consensus" is one person's record: nobody else annotated them."""
        return sum(1 for item in self.docs if item.method == "consensus" and len(item.records) == 1)

    @property
    def warnings(self) -> list[str]:
        single = self.single_annotator_documents
        if not single:
            return []
        share = "all" if single == len(self.docs) else f"{single} of {len(self.docs)}"
        return [f"{share} documents had a single annotator: their gold is that person's record, not a consensus; "
                "have a second person annotate them, or adjudicate them, before calling it gold"]

    @property
    def conflict_documents(self) -> int:
        return sum(1 for item in self.docs if item.conflicts)

    @property
    def conflict_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(c.kind for item in self.docs for c in item.conflicts).items()))


# ---------------------------------------------------------------------------------------------------------
# Choosing whose records count


def _is_cancelled(doc: AnnotatedDoc) -> bool:
    return bool(doc.meta.get("was_cancelled"))


def _votes_by_doc(records: Iterable[AnnotatedDoc], skipped: Counter) -> dict[str, dict[str, AnnotatedDoc]]:
    """doc_id -> annotator -> that annotator's newest record (annotate.grouping); predictions, articles and
    cancelled ones are skipped."""
    votes = []
    for doc in records:
        if doc.is_article or doc.annotator is None:
            skipped["article (no annotator)"] += 1
        elif doc.is_model:
            skipped["model prediction"] += 1
        elif _is_cancelled(doc):
            skipped["cancelled annotation"] += 1
        else:
            votes.append(doc)
    grouped = by_doc_and_annotator(votes)
    if grouped.older_copies:
        skipped["older copy of the same annotator's record"] += grouped.older_copies
    return {doc_id: dict(by_annotator) for doc_id, by_annotator in grouped.docs.items()}


def _common_meta(records: Iterable[AnnotatedDoc]) -> dict[str, Any]:
    """Document-level meta: the keys every record agrees on, minus what belongs to one person's annotation."""
    records = list(records)
    if not records:
        return {}
    common = {key: value for key, value in records[0].meta.items() if key not in PER_ANNOTATION_META}
    for record in records[1:]:
        common = {key: value for key, value in common.items() if key in record.meta and record.meta[key] == value}
    return common


# ---------------------------------------------------------------------------------------------------------
# Consensus


@dataclass
class _Cluster:
    """Spans of one label from different annotators that were matched to each other (at most one per annotator)."""

    label: str
    members: dict[str, Span] = field(default_factory=dict)  # annotator -> span

    def boundaries(self) -> Counter:
        return Counter((span.start, span.end) for span in self.members.values())

    def representative(self) -> Span:
        # The boundary chosen most often so far; ties go to the first annotator's (clusters grow in annotator order).
        counts = self.boundaries()
        top = max(counts.values())
        for span in self.members.values():
            if counts[(span.start, span.end)] == top:
                return Span(id=f"cluster{id(self)}", start=span.start, end=span.end, label=self.label, text="")
        raise AssertionError("empty cluster")

    @property
    def extent(self) -> tuple[int, int]:
        return (min(span.start for span in self.members.values()), max(span.end for span in self.members.values()))


def _cluster_spans(records: Mapping[str, AnnotatedDoc], mode: Mode) -> list[_Cluster]:
    clusters: list[_Cluster] = []
    for annotator, record in records.items():  # sorted by annotator: the result does not depend on file order
        spans = sorted(record.spans, key=lambda s: (s.start, s.end, s.label, s.id))
        representatives = [cluster.representative() for cluster in clusters]
        by_representative = {id(rep): cluster for rep, cluster in zip(representatives, clusters)}
        matched = set()
        for span, rep in match_spans(spans, representatives, mode):
            by_representative[id(rep)].members[annotator] = span
            matched.add(id(span))
        for span in spans:
            if id(span) not in matched:
                clusters.append(_Cluster(label=span.label, members={annotator: span}))
    clusters.sort(key=lambda c: (c.extent, c.label))
    return clusters


def _strict_majority(values: Sequence[Any]) -> tuple[bool, Any]:
    counts = Counter(values)
    value, top = max(counts.items(), key=lambda item: (item[1], item[0] is not None, str(item[0])))
    return top * 2 > len(values), value



def consensus(records: Mapping[str, AnnotatedDoc], min_agree: int | None = None,
              mode: Mode = "overlap") -> tuple[list[Span], list[Relation], list[Conflict]]:
    """Gold spans and relations from several annotators' records of one text, and the conflicts left over."""
    annotators = sorted(records)
    needed = min_agree if min_agree is not None else len(annotators) // 2 + 1
    text = next(iter(records.values())).text
    conflicts: list[Conflict] = []
    clusters = _cluster_spans({name: records[name] for name in annotators}, mode)
    settled: list[tuple[_Cluster, Span]] = []

    for cluster in clusters:
        start, end = cluster.extent
        if len(cluster.members) < needed:
            voters = {name: (cluster.members[name].id if name in cluster.members else None) for name in annotators}
            conflicts.append(Conflict("span", cluster.label, start, end, voters, needed,
                                      f"{len(cluster.members)} of {len(annotators)} annotators marked it; {needed} needed"))
            continue
        ranked = cluster.boundaries().most_common()
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            versions = {name: (f"{span.start}-{span.end}" if (span := cluster.members.get(name)) else None)
                        for name in annotators}
            conflicts.append(Conflict("boundary", cluster.label, start, end, versions, needed,
                                      "marked by enough annotators, but no boundary was chosen more often than the others"))
            continue
        span_start, span_end = ranked[0][0]
        attrs: dict[str, str] = {}
        for name in sorted({name for span in cluster.members.values() for name in span.attrs}):
            values = [span.attrs.get(name) for span in cluster.members.values()]
            decided, value = _strict_majority(values)
            if not decided:
                versions = {who: (span.attrs.get(name) if (span := cluster.members.get(who)) else None)
                            for who in annotators}
                conflicts.append(Conflict("attribute", cluster.label, span_start, span_end, versions,
                                          len(values) // 2 + 1, f"no majority among the {len(values)} annotators "
                                          f"who marked the span", attribute=name))
            elif value is not None:
                attrs[name] = value
        settled.append((cluster, Span(id="", start=span_start, end=span_end, label=cluster.label,
                                      text=text[span_start:span_end], attrs=attrs)))

    settled.sort(key=lambda item: (item[1].start, item[1].end, item[1].label))
    spans: list[Span] = []
    gold_id: dict[int, str] = {}  # id(cluster) -> gold span id
    for index, (cluster, span) in enumerate(settled, start=1):
        spans.append(Span(id=f"g{index}", start=span.start, end=span.end, label=span.label, text=span.text,
                          attrs=span.attrs))
        gold_id[id(cluster)] = f"g{index}"
    cluster_of: dict[tuple[str, str], _Cluster] = {(name, span.id): cluster for cluster in clusters
                                                    for name, span in cluster.members.items()}
    relations, relation_conflicts = _relation_consensus(records, annotators, cluster_of, gold_id)
    order = {span.id: index for index, span in enumerate(spans)}
    relations.sort(key=lambda r: (order[r.from_id], order[r.to_id], r.label))
    return spans, relations, conflicts + relation_conflicts


def _relation_consensus(records: Mapping[str, AnnotatedDoc], annotators: Sequence[str],
                        cluster_of: Mapping[tuple[str, str], _Cluster],
                        gold_id: Mapping[int, str]) -> tuple[list[Relation], list[Conflict]]:
    drawn: dict[tuple[int, int, str], set[str]] = defaultdict(set)
    ends: dict[tuple[int, int, str], tuple[_Cluster, _Cluster]] = {}
    for name in annotators:
        for relation in records[name].relations:
            source, target = cluster_of[(name, relation.from_id)], cluster_of[(name, relation.to_id)]
            key = (id(source), id(target), relation.label)
            drawn[key].add(name)
            ends[key] = (source, target)
    relations: list[Relation] = []
    conflicts: list[Conflict] = []
    for key, voters in drawn.items():
        source, target = ends[key]
        label = key[2]
        start = min(source.extent[0], target.extent[0])
        end = max(source.extent[1], target.extent[1])
        # Only those who marked both ends could have drawn the link: the majority is taken among them.
        eligible = sorted(set(source.members) & set(target.members))
        versions = {name: (f"{source.members[name].id}->{target.members[name].id}" if name in voters else None)
                    for name in annotators}
        if id(source) not in gold_id or id(target) not in gold_id:
            conflicts.append(Conflict("relation", label, start, end, versions, len(eligible) // 2 + 1,
                                      "an end of the relation is not in gold"))
        elif len(voters) * 2 > len(eligible):
            relations.append(Relation(gold_id[id(source)], gold_id[id(target)], label))
        else:
            conflicts.append(Conflict("relation", label, start, end, versions, len(eligible) // 2 + 1,
                                      f"{len(voters)} of the {len(eligible)} annotators who marked both ends drew it"))
    conflicts.sort(key=lambda c: (c.start, c.end, c.label))
    return relations, conflicts


# ---------------------------------------------------------------------------------------------------------
# Gold for a corpus


def _gold_record(doc_id: str, text: str, spans: Sequence[Span], relations: Sequence[Relation],
                 sources: Sequence[AnnotatedDoc], info: Mapping[str, Any]) -> AnnotatedDoc:
    return AnnotatedDoc(doc_id=doc_id, text=text, annotator=GOLD_ANNOTATOR, spans=tuple(spans),
                        relations=tuple(relations), meta={**_common_meta(sources), "gold": dict(info)})


def build_gold(records: Iterable[AnnotatedDoc], adjudicated: Iterable[AnnotatedDoc] = (),
               min_agree: int | None = None, mode: Mode = "overlap", adjudicator: str | None = None) -> GoldResult:
    """Gold for every document that a person annotated (see the module docstring for the rules)."""
    if min_agree is not None and min_agree < 1:
        raise ConfigError(f"--min-agree must be at least 1, got {min_agree}")
    skipped: Counter = Counter()
    votes = _votes_by_doc(records, skipped)
    adjudicator_skipped: Counter = Counter()
    review = _votes_by_doc(adjudicated, adjudicator_skipped)
    docs: list[DocGold] = []
    for doc_id in list(votes) + [doc_id for doc_id in review if doc_id not in votes]:
        by_annotator = votes.get(doc_id, {})
        everyone = list(by_annotator.values())
        if doc_id in review:
            chosen = _adjudicators_record(doc_id, review[doc_id], adjudicator)
            text_mismatch = [name for name, record in by_annotator.items() if record.text != chosen.text]
            if text_mismatch:
                raise ConfigError(f"the adjudicated record of {doc_id} has a different text from "
                                  f"{', '.join(text_mismatch)}'s record; adjudicate the same document version")
            info = {"method": "adjudicated", "from": chosen.annotator, "annotators": sorted(by_annotator)}
            gold = _gold_record(doc_id, chosen.text, chosen.spans, chosen.relations, [*everyone, chosen], info)
            docs.append(DocGold(gold, "adjudicated", (), tuple(everyone)))
            continue
        starred = [record for record in everyone if record.meta.get("ground_truth") is True]
        if starred:
            chosen = newest(starred)
            info = {"method": "ground_truth", "from": chosen.annotator, "annotators": sorted(by_annotator)}
            gold = _gold_record(doc_id, chosen.text, chosen.spans, chosen.relations, everyone, info)
            docs.append(DocGold(gold, "ground_truth", (), tuple(everyone)))
            continue
        texts = {record.text for record in everyone}
        if len(texts) > 1:
            raise ConfigError(f"document {doc_id}: the annotators' records have different texts; "
                              "records of one doc_id must share its text")
        needed = min_agree if min_agree is not None else len(everyone) // 2 + 1
        spans, relations, conflicts = consensus(by_annotator, min_agree, mode)
        info = {"method": "consensus", "annotators": sorted(by_annotator), "min_agree": needed,
                "unresolved": len(conflicts)}
        gold = _gold_record(doc_id, everyone[0].text, spans, relations, everyone, info)
        docs.append(DocGold(gold, "consensus", tuple(conflicts), tuple(everyone)))
    skipped.update({f"review: {why}": n for why, n in adjudicator_skipped.items()})
    return GoldResult(docs=tuple(docs), skipped=dict(sorted(skipped.items())))


def _adjudicators_record(doc_id: str, by_annotator: Mapping[str, AnnotatedDoc], adjudicator: str | None) -> AnnotatedDoc:
    """The adjudicator's record of one document in a review project: the named adjudicator's, else the starred
    one, else the only person's; several people and no way to tell is an error rather than a guess."""
    if adjudicator is not None:
        if adjudicator not in by_annotator:
            raise ConfigError(f"the review file has no record of document {doc_id} by adjudicator {adjudicator!r} "
                              f"(it has: {', '.join(sorted(by_annotator))})")
        return by_annotator[adjudicator]
    starred = [record for record in by_annotator.values() if record.meta.get("ground_truth") is True]
    if len(starred) == 1 or len(by_annotator) == 1:
        return starred[0] if starred else next(iter(by_annotator.values()))
    raise ConfigError(f"the review file has records of document {doc_id} by {', '.join(sorted(by_annotator))} and "
                      "cannot tell which is the adjudicator's; pass --adjudicator NAME or star one as ground truth")
