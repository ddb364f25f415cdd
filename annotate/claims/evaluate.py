"""Scoring linked groups against gold groups: pairwise precision, recall and F1 over the pairs of figures put in one
group, and B³ (Bagga and Baldwin 1998) over every figure.

A figure is identified by its document and its character offsets, so predictions made over model spans and gold
made over gold spans meet on the same figures whatever the claim boundaries. A predicted figure that overlaps a
gold figure in the same document is that figure; figures on one side only are singletons on the other.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from ..errors import RecordError
from ..records import iter_json_lines, no_records
from .link import Group


@dataclass(frozen=True)
class GoldFigure:
    doc_id: str
    start: int
    end: int
    text: str


def read_gold_groups(path: str | os.PathLike[str]) -> dict[str, list[GoldFigure]]:
    """gold/<name>/claims.jsonl: {"group": NAME, "members": [{"doc_id", "start", "end", "text"}, ...]} per line."""
    groups: dict[str, list[GoldFigure]] = {}
    for number, raw in iter_json_lines(path):
        if not isinstance(raw, dict) or not isinstance(raw.get("group"), str) or not isinstance(raw.get("members"), list):
            raise RecordError(str(path), number, "group", "a gold claims line needs a group name and a members list",
                              'write {"group": "troops_sent", "members": [{"doc_id": ..., "start": ..., "end": ..., "text": ...}]}')
        if raw["group"] in groups:
            raise RecordError(str(path), number, "group", f"group {raw['group']!r} appears twice", "merge the two lines")
        members = []
        for index, member in enumerate(raw["members"]):
            try:
                members.append(GoldFigure(str(member["doc_id"]), int(member["start"]), int(member["end"]), str(member["text"])))
            except (KeyError, TypeError, ValueError) as error:
                raise RecordError(str(path), number, f"members[{index}]", f"needs doc_id, start, end and text ({error!r})") from error
        groups[raw["group"]] = members
    if not groups:
        raise no_records(path, "write one gold group per line")
    return groups


@dataclass(frozen=True)
class LinkScores:
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    b3_precision: float
    b3_recall: float
    b3_f1: float
    gold_pairs: int
    predicted_pairs: int
    matched_pairs: int
    figures: int

    def to_dict(self) -> dict[str, Any]:
        return {name: (round(value, 4) if isinstance(value, float) else value) for name, value in self.__dict__.items()}

    def summary_lines(self) -> list[str]:
        return [f"Pairwise: P {self.pairwise_precision:.3f}  R {self.pairwise_recall:.3f}  F1 {self.pairwise_f1:.3f} "
                f"({self.matched_pairs} of {self.predicted_pairs} predicted pairs in gold; {self.gold_pairs} gold pairs)",
                f"B³:       P {self.b3_precision:.3f}  R {self.b3_recall:.3f}  F1 {self.b3_f1:.3f} over {self.figures} figures"]


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _pairs(clusters: Mapping[str, str]) -> set[frozenset[str]]:
    by_cluster: dict[str, list[str]] = {}
    for item, cluster in clusters.items():
        by_cluster.setdefault(cluster, []).append(item)
    return {frozenset(pair) for items in by_cluster.values() for pair in combinations(sorted(items), 2)}


def score_clusters(gold: Mapping[str, str], predicted: Mapping[str, str]) -> LinkScores:
    """item -> cluster on each side; an item missing on one side is a singleton there."""
    items = sorted(set(gold) | set(predicted))
    gold = {item: gold.get(item, "gold-only:" + item) for item in items}
    predicted = {item: predicted.get(item, "pred-only:" + item) for item in items}
    gold_pairs, predicted_pairs = _pairs(gold), _pairs(predicted)
    matched = len(gold_pairs & predicted_pairs)
    precision = matched / len(predicted_pairs) if predicted_pairs else 1.0
    recall = matched / len(gold_pairs) if gold_pairs else 1.0
    members_gold: dict[str, set[str]] = {}
    members_pred: dict[str, set[str]] = {}
    for item in items:
        members_gold.setdefault(gold[item], set()).add(item)
        members_pred.setdefault(predicted[item], set()).add(item)
    b3_p = b3_r = 0.0
    for item in items:
        same_gold, same_pred = members_gold[gold[item]], members_pred[predicted[item]]
        overlap = len(same_gold & same_pred)
        b3_p += overlap / len(same_pred)
        b3_r += overlap / len(same_gold)
    n = len(items) or 1
    b3_p, b3_r = b3_p / n, b3_r / n
    return LinkScores(precision, recall, _f1(precision, recall), b3_p, b3_r, _f1(b3_p, b3_r),
                      len(gold_pairs), len(predicted_pairs), matched, len(items))


def align(groups: Sequence[Group], gold: Mapping[str, Iterable[GoldFigure]]) -> tuple[dict[str, str], dict[str, str]]:
    """Both sides as item -> cluster, items named by gold figure where a predicted figure overlaps one."""
    gold_clusters: dict[str, str] = {}
    by_doc: dict[str, list[tuple[GoldFigure, str]]] = {}
    for name, figures in gold.items():
        for figure in figures:
            item = f"{figure.doc_id}:{figure.start}-{figure.end}"
            gold_clusters[item] = name
            by_doc.setdefault(figure.doc_id, []).append((figure, item))
    predicted: dict[str, str] = {}
    for group in groups:
        for member in group.members:
            figure = member.figure
            item = member.key
            for candidate, gold_item in by_doc.get(member.claim.doc_id, ()):
                if candidate.start < figure.end and figure.start < candidate.end:
                    item = gold_item
                    break
            predicted[item] = group.group_id
    return gold_clusters, predicted


def evaluate_groups(groups: Sequence[Group], gold: Mapping[str, Iterable[GoldFigure]]) -> LinkScores:
    gold_clusters, predicted = align(groups, gold)
    return score_clusters(gold_clusters, predicted)
