"""Leakage-free, seeded train/dev/test splits: near-duplicate clusters never straddle two splits.

Documents are grouped by ingest's near-duplicate cluster (`meta.cluster`), or by doc_id when they have none, so
that every record of one text and every near copy of it land in the same split. Groups are shuffled with the seed,
placed largest first, each into the split furthest below its target share. The same input and seed give the same
splits on any machine.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

from ..clusters import components
from ..errors import ConfigError
from ..records import AnnotatedDoc

SPLIT_NAMES: dict[int, tuple[str, ...]] = {1: ("all",), 2: ("train", "dev"), 3: ("train", "dev", "test")}


def parse_ratios(text: str | Sequence[float] | None) -> tuple[float, ...]:
    """"0.8,0.1,0.1" -> (0.8, 0.1, 0.1); one to three shares in [0, 1] that add up to 1. None -> everything in one."""
    if text is None:
        return (1.0,)
    if isinstance(text, str):
        try:
            ratios = tuple(float(part) for part in text.split(",") if part.strip())
        except ValueError as error:
            raise ConfigError(f"--splits {text!r}: use comma-separated shares such as 0.8,0.1,0.1") from error
    else:
        ratios = tuple(float(value) for value in text)
    if not 1 <= len(ratios) <= 3:
        raise ConfigError(f"--splits {text!r}: give one to three shares (train,dev[,test]), got {len(ratios)}")
    if any(not 0 <= ratio <= 1 or math.isnan(ratio) for ratio in ratios):
        raise ConfigError(f"--splits {text!r}: each share must be between 0 and 1")
    if abs(sum(ratios) - 1) > 1e-6:
        raise ConfigError(f"--splits {text!r}: the shares add up to {sum(ratios):g}; they must add up to 1")
    return ratios


def group_key(doc: AnnotatedDoc) -> str:
    cluster = doc.meta.get("cluster")
    if cluster is not None and cluster != "":
        return f"cluster:{cluster}"
    return f"doc:{doc.doc_id}"


def assign_splits(docs: Sequence[AnnotatedDoc], ratios: Sequence[float], seed: int = 0) -> dict[str, list[AnnotatedDoc]]:
    """Split name -> its records in input order. A cluster's records all go to one split."""
    names = SPLIT_NAMES[len(ratios)]
    groups: dict[str, list[int]] = {}
    for index, doc in enumerate(docs):
        groups.setdefault(group_key(doc), []).append(index)
    # A doc_id belongs to one group even if some of its records carry a cluster and others do not.
    keys = _merge_by_doc_id(docs, groups)
    rng = random.Random(seed)
    order = sorted(keys)
    rng.shuffle(order)
    order.sort(key=lambda key: -len(keys[key]))  # stable: equal sizes keep the shuffled order
    total = len(docs)
    filled = [0] * len(names)
    chosen: dict[int, str] = {}
    for key in order:
        deficits = [ratios[i] * total - filled[i] for i in range(len(names))]
        target = max(range(len(names)), key=lambda i: (ratios[i] > 0, deficits[i], -i))
        filled[target] += len(keys[key])
        for index in keys[key]:
            chosen[index] = names[target]
    return {name: [doc for index, doc in enumerate(docs) if chosen[index] == name] for name in names}


def _merge_by_doc_id(docs: Sequence[AnnotatedDoc], groups: dict[str, list[int]]) -> dict[str, list[int]]:
    first_group_of_doc: dict[str, str] = {}
    links = [(key, first_group_of_doc.setdefault(docs[index].doc_id, key))
             for key, indexes in groups.items() for index in indexes]
    component = components(groups, links)
    merged: dict[str, list[int]] = {}
    for key, indexes in groups.items():
        merged.setdefault(component[key], []).extend(indexes)
    return {key: sorted(indexes) for key, indexes in merged.items()}


def split_summary(splits: dict[str, list[AnnotatedDoc]]) -> dict[str, Any]:
    return {name: {"documents": len(records), "doc_ids": [doc.doc_id for doc in records],
                   "groups": sorted({group_key(doc) for doc in records})}
            for name, records in splits.items()}
