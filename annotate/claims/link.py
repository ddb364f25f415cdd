"""Linking claims across documents: figures that state the same proposition in different articles become one group.

Two figure mentions from different documents are scored on what they count (the same kind, or related kinds such as
killed and killed-or-injured), the predicate they share ("sent" = "deployed"), the named entities of their sentences
and the words of their sentences (tf-idf cosine). Gates come first: figures whose parties differ ("Russia's 60,000
troops" vs "11,000 troops sent from North Korea") or that are more than `max_ratio` apart are not linked. Pairs at
or above the threshold are links; groups are the connected components. The same passage copied into near-duplicate
articles (ingest's `meta.near_duplicates`) is linked as a copy: one statement, never a conflict with itself.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..clusters import components
from .conflicts import CONFLICT, CONSISTENT, DIFFERENT, STATUS_ORDER, Comparison, compare, group_status
from .figures import Claim, Figure, FigureMention
from .settings import ClaimsSettings


@dataclass(frozen=True)
class Member:
    key: str
    claim: Claim
    figure: Figure
    copy_of: str | None = None  # the key of the member whose passage this one copies

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "claim": self.claim.to_dict(), "figure": self.figure.to_dict(), "copy_of": self.copy_of}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Member:
        return cls(key=raw["key"], claim=Claim(**{**raw["claim"], "near_duplicates": tuple(raw["claim"].get("near_duplicates", ()))}),
                   figure=Figure.from_dict(raw["figure"]), copy_of=raw.get("copy_of"))


@dataclass(frozen=True)
class Group:
    group_id: str
    members: tuple[Member, ...]
    status: str
    reasons: tuple[str, ...]
    comparisons: tuple[Comparison, ...] = ()
    links: tuple[tuple[str, str, float], ...] = ()

    @property
    def doc_ids(self) -> list[str]:
        return sorted({member.claim.doc_id for member in self.members})

    @property
    def kinds(self) -> list[str]:
        return sorted({member.figure.kind for member in self.members if member.figure.kind})

    def to_dict(self) -> dict[str, Any]:
        return {"group_id": self.group_id, "status": self.status, "reasons": list(self.reasons),
                "kinds": self.kinds, "documents": self.doc_ids, "members": [m.to_dict() for m in self.members],
                "comparisons": [c.to_dict() for c in self.comparisons],
                "links": [{"first": a, "second": b, "score": score} for a, b, score in self.links]}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Group:
        return cls(group_id=raw["group_id"], members=tuple(Member.from_dict(m) for m in raw["members"]),
                   status=raw["status"], reasons=tuple(raw.get("reasons", ())),
                   comparisons=tuple(Comparison(**c) for c in raw.get("comparisons", ())),
                   links=tuple((link["first"], link["second"], float(link["score"])) for link in raw.get("links", ())))


@dataclass(frozen=True)
class PairScore:
    score: float
    parts: Mapping[str, float] = field(default_factory=dict)
    blocked: str | None = None


def _normal(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def are_copies(first: FigureMention, second: FigureMention) -> bool:
    """The same passage in near-duplicate articles: same figure, same sentence, documents that ingest paired."""
    a, b = first.claim, second.claim
    near = b.doc_id in a.near_duplicates or a.doc_id in b.near_duplicates or (a.cluster is not None and a.cluster == b.cluster)
    return near and first.figure.text == second.figure.text and _normal(a.sentence) == _normal(b.sentence)


class Scorer:
    """Pair scores over one corpus of mentions (the idf of words is the corpus's)."""

    def __init__(self, mentions: Sequence[FigureMention], settings: ClaimsSettings) -> None:
        self.settings = settings
        frequency: Counter = Counter()
        for mention in mentions:
            frequency.update(set(mention.words))
        total = max(len(mentions), 1)
        self.idf = {word: math.log((1 + total) / (1 + count)) + 1 for word, count in frequency.items()}
        self.vectors = {mention.key: self._vector(mention) for mention in mentions}

    def _vector(self, mention: FigureMention) -> dict[str, float]:
        vector = {word: count * self.idf.get(word, 1.0) for word, count in mention.words.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {word: value / norm for word, value in vector.items()}

    def cosine(self, first: FigureMention, second: FigureMention) -> float:
        a, b = self.vectors[first.key], self.vectors[second.key]
        return sum(value * b.get(word, 0.0) for word, value in a.items())

    def predicate_match(self, first: Figure, second: Figure) -> float:
        if not first.predicate or not second.predicate:
            return 0.0
        classes = self.settings.predicate_class

        def words(phrase: str) -> set[str]:
            return {classes.get(word, word) for word in phrase.split() if word not in ("or", "and")}
        return 1.0 if words(first.predicate) & words(second.predicate) else 0.0

    def score(self, first: FigureMention, second: FigureMention) -> PairScore:
        settings = self.settings
        a, b = first.figure, second.figure
        if a.kind is None or b.kind is None:
            return PairScore(0.0, blocked="no counted thing")
        if settings.kinds_comparable(a.kind, b.kind):
            kind = 1.0
        elif settings.kinds_related(a.kind, b.kind):
            kind = settings.related_kind_score
        else:
            return PairScore(0.0, blocked=f"different kinds ({a.kind} vs {b.kind})")
        # Parties tell counts of people or things apart; an area or a distance is seized or held by one party
        # on another's land, so parties do not separate those.
        if settings.block_different_owners and a.unit is None and b.unit is None and a.owners and b.owners \
                and not set(a.owners) & set(b.owners):
            return PairScore(0.0, blocked=f"different parties ({', '.join(a.owners)} vs {', '.join(b.owners)})")
        small = min(a.low or a.high, b.low or b.high)
        large = max(a.high, b.high)
        if small > 0 and large / small > settings.max_ratio:
            return PairScore(0.0, blocked=f"more than {settings.max_ratio:g} times apart")
        union = first.entities | second.entities
        parts = {"kind": kind, "predicate": self.predicate_match(a, b),
                 "entities": len(first.entities & second.entities) / len(union) if union else 0.0,
                 "text": self.cosine(first, second)}
        return PairScore(sum(settings.weights[name] * value for name, value in parts.items()), parts)


@dataclass(frozen=True)
class Linked:
    groups: tuple[Group, ...]
    mentions: int
    claims_with_figures: int


def link_mentions(mentions: Sequence[FigureMention], settings: ClaimsSettings, threshold: float | None = None) -> Linked:
    threshold = settings.threshold if threshold is None else threshold
    scorer = Scorer(mentions, settings)
    by_key = {mention.key: mention for mention in mentions}
    links: list[tuple[str, str, float]] = []
    copies: dict[str, str] = {}
    for i, first in enumerate(mentions):
        for second in mentions[i + 1:]:
            if first.claim.doc_id == second.claim.doc_id:
                continue
            if are_copies(first, second):
                copies.setdefault(second.key, copies.get(first.key, first.key))
                links.append((first.key, second.key, 1.0))
                continue
            scored = scorer.score(first, second)
            if scored.blocked is None and scored.score >= threshold:
                links.append((first.key, second.key, round(scored.score, 4)))
    component = components(by_key, [(a, b) for a, b, _ in links])
    members_of: dict[str, list[str]] = defaultdict(list)
    for key in by_key:
        members_of[component[key]].append(key)
    groups = [_group(keys, by_key, copies, links, settings) for keys in members_of.values()]
    groups.sort(key=lambda g: (STATUS_ORDER.get(g.status, 9), -len(g.doc_ids), g.members[0].key))
    numbered = tuple(Group(f"g{index}", g.members, g.status, g.reasons, g.comparisons, g.links)
                     for index, g in enumerate(groups, start=1))
    claims = {(m.claim.doc_id, m.claim.span_id) for m in mentions if m.claim.span_id is not None}
    return Linked(numbered, len(mentions), len(claims))


def _group(keys: Iterable[str], by_key: Mapping[str, FigureMention], copies: Mapping[str, str],
           links: Sequence[tuple[str, str, float]], settings: ClaimsSettings) -> Group:
    keys = sorted(keys, key=lambda key: (by_key[key].claim.doc_id, by_key[key].figure.start))
    members = tuple(Member(key, by_key[key].claim, by_key[key].figure, copies.get(key)) for key in keys)
    voices = [by_key[m.key] for m in members if m.copy_of is None]  # a copied passage speaks once
    comparisons = tuple(compare(a, b, settings) for i, a in enumerate(voices) for b in voices[i + 1:])
    status = group_status(comparisons, copies=any(m.copy_of for m in members))
    reasons = [c.reason for c in comparisons if c.status == CONFLICT]
    consistent = [c for c in comparisons if c.status == CONSISTENT]
    if consistent and reasons:  # beside conflicts, the pairs that merely overlap are one line
        reasons.append(f"{len(consistent)} other pair(s) are consistent (their bounds overlap)")
    else:
        reasons += [c.reason for c in consistent]
    apart = sorted({" and ".join(sorted({by_key[c.first].figure.kind or "?", by_key[c.second].figure.kind or "?"}))
                    for c in comparisons if c.status == DIFFERENT and "count different things" in c.reason})
    reasons += [f"{pair}: different quantities, not compared" for pair in apart]
    reasons += [c.reason for c in comparisons if c.status == DIFFERENT and "count different things" not in c.reason]
    copied = [m for m in members if m.copy_of]
    if copied:
        reasons.append(f"{len(copied)} member(s) are the same passage copied in a near-duplicate article; "
                       f"counted once")
    if status == "agree" and not reasons:
        reasons.append("every figure states the same value")
    own = set(keys)
    return Group("", members, status, tuple(reasons), comparisons,
                 tuple(link for link in links if link[0] in own))
