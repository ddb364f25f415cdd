"""Union-find components: named by their smallest member whatever the order of the links."""

from __future__ import annotations

import pytest

from annotate.clusters import components


@pytest.mark.parametrize("items, links, expected", [
    (["a", "b", "c"], [], {"a": "a", "b": "b", "c": "c"}),
    (["a", "b", "c"], [("c", "b")], {"a": "a", "b": "b", "c": "b"}),
    (["d", "c", "b", "a"], [("d", "c"), ("b", "a"), ("c", "b")], {"a": "a", "b": "a", "c": "a", "d": "a"}),
    (["x", "y"], [("x", "x"), ("y", "x"), ("x", "y")], {"x": "x", "y": "x"}),
])
def test_components(items, links, expected):
    assert components(items, links) == expected
    assert components(items, reversed(links)) == expected


def test_a_link_to_an_unknown_item_is_a_key_error():
    with pytest.raises(KeyError):
        components(["a"], [("a", "b")])
