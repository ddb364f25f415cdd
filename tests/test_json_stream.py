"""The incremental JSON array parser behind streaming pull: same items as json.loads, however the bytes are cut."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.labelstudio.json_stream import JSONStreamError, iter_json_array

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)


def cut(data: bytes, sizes: list[int]) -> list[bytes]:
    """`data` in pieces of the given sizes (cycled), so that cuts fall inside items, strings and UTF-8 sequences."""
    pieces, start, turn = [], 0, 0
    while start < len(data):
        size = sizes[turn % len(sizes)]
        pieces.append(data[start:start + size])
        start, turn = start + size, turn + 1
    return pieces


@settings(max_examples=200, deadline=None)
@given(items=st.lists(JSON_VALUES, max_size=12), sizes=st.lists(st.integers(1, 40), min_size=1, max_size=5),
       indent=st.sampled_from([None, 1]))
def test_items_match_json_loads_however_the_stream_is_cut(items, sizes, indent):
    data = json.dumps(items, indent=indent, ensure_ascii=False).encode("utf-8")
    assert list(iter_json_array(cut(data, sizes))) == json.loads(data)


def test_a_large_export_is_parsed_item_by_item():
    tasks = [{"id": number, "data": {"text": "Officials said 🚀 " * 200}, "annotations": []} for number in range(300)]
    data = json.dumps(tasks).encode("utf-8")
    stream = iter_json_array(cut(data, [8192]))
    assert next(stream) == tasks[0]  # the first item comes before the rest is read
    assert list(stream) == tasks[1:]


@pytest.mark.parametrize("data,problem", [
    (b'{"id": 1}', "expected '['"),
    (b'[{"id": 1}, {"id": 2', "cut off"),
    (b'[{"id": 1} {"id": 2}]', "expected ',' or ']'"),
    (b'[{"id": 1},', "cut off"),
    (b'[1, 2] x', "unexpected data after the array"),
    (b'[1, 2', "not closed"),
])
def test_a_broken_stream_is_an_error_that_says_where(data, problem):
    with pytest.raises(JSONStreamError, match=re.escape(problem)) as caught:
        list(iter_json_array(cut(data, [3]), what="the export of project 7"))
    assert "the export of project 7 is not a JSON array" in str(caught.value)
