"""Connected components by union-find: near-duplicate clusters in ingest, leakage-free split groups in export."""

from __future__ import annotations

from collections.abc import Iterable


def components(items: Iterable[str], links: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each item mapped to its component, named by the component's smallest item (so names do not depend on
    the order of the links). Both ends of every link must be among `items`."""
    parent = {item: item for item in items}

    def find(item: str) -> str:
        while parent[item] != item:
            parent[item] = parent[parent[item]]  # path halving keeps later finds short
            item = parent[item]
        return item

    for left, right in links:
        a, b = find(left), find(right)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {item: find(item) for item in parent}
