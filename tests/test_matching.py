"""Span alignment: the published span example and the properties any span measure must satisfy."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotate.matching import Counts, match_spans, relation_counts, span_counts, triple_counts, triples
from annotate.records import AnnotatedDoc, Relation, Span


def units(*triples_):
    return [Span(f"u{i}", start, start + length, label, "") for i, (start, length, label) in enumerate(triples_)]


# Krippendorff (2004) unitizing example, as in oracles.md.
CODER0 = units((225, 70, "c"), (370, 30, "c"), (180, 60, "k"), (300, 50, "k"))
CODER1 = units((220, 80, "c"), (355, 20, "c"), (400, 20, "c"), (180, 60, "k"), (300, 50, "k"))


def micro(counts: dict[str, Counts]) -> Counts:
    total = Counts()
    for value in counts.values():
        total.add(value)
    return total


def test_published_span_example():
    exact, overlap = span_counts(CODER0, CODER1, "exact"), span_counts(CODER0, CODER1, "overlap")
    assert micro(exact).f1 == pytest.approx(0.4444, abs=1e-4)
    assert micro(overlap).f1 == pytest.approx(0.8889, abs=1e-4)
    assert exact["c"].f1 == 0.0 and overlap["c"].f1 == pytest.approx(0.8)
    assert exact["k"].f1 == 1.0 and overlap["k"].f1 == 1.0


def test_overlap_matching_prefers_more_pairs_then_larger_overlap():
    a = units((0, 10, "X"), (10, 10, "X"))
    b = units((5, 10, "X"), (0, 4, "X"))
    pairs = {(x.start, y.start) for x, y in match_spans(a, b, "overlap")}
    assert pairs == {(0, 0), (10, 5)}


span_lists = st.lists(st.tuples(st.integers(0, 50), st.integers(1, 10), st.sampled_from("AB")), max_size=8).map(lambda t: units(*t))


@given(a=span_lists, b=span_lists)
def test_f1_is_symmetric(a, b):
    for mode in ("exact", "overlap"):
        assert micro(span_counts(a, b, mode)).f1 == pytest.approx(micro(span_counts(b, a, mode)).f1)


@given(a=span_lists)
def test_identical_gives_one(a):
    assert micro(span_counts(a, a, "exact")).f1 == 1.0


def test_disjoint_gives_zero():
    assert micro(span_counts(units((0, 5, "A")), units((10, 5, "A")), "overlap")).f1 == 0.0


TEXT = "Officials said the troops had left."


def annotated(spans, relations):
    return AnnotatedDoc("d", TEXT, "x", tuple(spans), tuple(Relation(*r) for r in relations))


def test_relations_and_triples_match_through_alignment():
    gold = annotated([Span("s", 0, 9, "SOURCE", "Officials"), Span("q", 10, 14, "CUE", "said"),
                      Span("c", 15, 34, "CLAIM", "the troops had left")],
                     [("c", "s", "attributed_to"), ("q", "c", "cue_of")])
    # Other ids, and a claim that only overlaps.
    pred = annotated([Span("a", 0, 9, "SOURCE", "Officials"), Span("b", 10, 14, "CUE", "said"),
                      Span("e", 19, 34, "CLAIM", "troops had left")],
                     [("e", "a", "attributed_to"), ("b", "e", "cue_of")])
    assert triples(gold) == [("s", "q", "c")]
    assert relation_counts(pred, gold, "overlap")["cue_of"].f1 == 1.0
    assert relation_counts(pred, gold, "exact")["cue_of"].f1 == 0.0
    assert triple_counts(pred, gold, "overlap").f1 == 1.0
    assert triple_counts(pred, gold, "exact").f1 == 0.0
    # A triple with no source does not match one whose source is present but unaligned.
    no_source = annotated([Span("b", 10, 14, "CUE", "said"), Span("e", 15, 34, "CLAIM", "the troops had left")],
                          [("b", "e", "cue_of")])
    assert triple_counts(no_source, gold, "exact").matched == 0
