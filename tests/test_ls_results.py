"""Label Studio JSON <-> AnnotatedDoc (annotate/labelstudio/results.py): golden files, round trips, offset checks.

Golden files are in tests/data/labelstudio/: export.json is a Label Studio full JSON export written by hand in the
shape a real 1.23.2 server produces (completed_by as a user id, predictions as bare ids, drafts per task),
covering per-region attributes, relations (one drawn right-to-left, one without a label), an entity region,
UTF-16 offsets after an emoji, a region whose text is nowhere, a cancelled annotation, a draft, a ground-truth
annotation, an unknown user, and a foreign task without doc_id.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.errors import SchemaError
from annotate.labelstudio.results import (
    PULL_META_KEYS, doc_from_results, doc_to_prediction, doc_to_results, doc_to_task, docs_from_export,
    nearest_occurrence, prediction_score, strip_pull_meta)
from annotate.records import AnnotatedDoc, Relation, Span, dumps, make_doc_id, make_span, read_docs
from annotate.schema import load_schema

DATA = Path(__file__).parent / "data" / "labelstudio"
SCHEMA = load_schema()


def export_tasks() -> list[dict]:
    return json.loads((DATA / "export.json").read_text(encoding="utf-8"))


def names() -> dict[int, str]:
    return {int(key): value for key, value in json.loads((DATA / "annotator_names.json").read_text()).items()}


@pytest.mark.parametrize("case, options", [
    ("default", {}),
    ("predictions", {"include_predictions": True}),
    ("reviewed", {"reviewed_only": True}),
])
def test_export_golden(case, options):
    docs, summary = docs_from_export(export_tasks(), annotator_names=names(), **options)
    got = "".join(dumps(doc.to_dict()) + "\n" for doc in docs)
    assert got == (DATA / f"expected-{case}.jsonl").read_text(encoding="utf-8")
    assert summary.to_dict() == json.loads((DATA / f"summary-{case}.json").read_text(encoding="utf-8"))


def test_export_golden_facts_spelled_out():
    """The golden output, restated as facts, so that a regenerated golden file cannot hide a regression."""
    docs, summary = docs_from_export(export_tasks(), annotator_names=names())
    alice, bob, unknown, alice2 = docs
    assert all(doc.text[s.start:s.end] == s.text for doc in docs for s in doc.spans)
    assert alice.span_by_id()["c1"].attrs == {"certainty": "certain", "claim_type": "event"}
    assert alice.span_by_id()["e1"].label == "ORG"
    assert (bob.span_by_id()["Xc"].start, bob.span_by_id()["Xc"].end) == (17, 36)  # was 18..37 (UTF-16)
    assert bob.relations == (Relation("Xc", "Xa", "attributed_to"),)  # drawn right-to-left, stored CLAIM -> SOURCE
    assert bob.meta["ground_truth"] is True and bob.meta["lead_time"] == 12.0
    assert unknown.annotator == "ls-user-4" and unknown.spans == () and unknown.doc_id == make_doc_id("Nobody commented.")
    assert [s.id for s in alice2.spans] == ["n1"] and alice2.relations == ()
    assert (summary.drafts, summary.cancelled, summary.annotations) == (1, 1, 4)
    assert len(summary.reanchored) == 1 and len(summary.dropped_regions) == 1 and len(summary.problems) == 1


def test_doc_to_task_golden():
    doc = next(read_docs(DATA / "record.jsonl"))
    expected = json.loads((DATA / "expected-task.json").read_text(encoding="utf-8"))
    assert doc_to_task(doc, SCHEMA) == expected


def test_result_shapes():
    text = "Officials said it."
    doc = AnnotatedDoc("d", text, "alice", (make_span(text, "s1", 0, 9, "SOURCE", {"source_type": "anonymous_official"}),
                                            make_span(text, "q1", 10, 14, "CUE")),
                       (Relation("q1", "s1", "cue_of"),))
    results = doc_to_results(doc, SCHEMA)
    assert results[0] == {"id": "s1", "from_name": "span", "to_name": "text", "type": "labels",
                          "value": {"start": 0, "end": 9, "text": "Officials", "labels": ["SOURCE"]}}
    assert results[1] == {"id": "s1", "from_name": "source_type", "to_name": "text", "type": "choices",
                          "value": {"start": 0, "end": 9, "text": "Officials", "choices": ["anonymous_official"]}}
    assert results[-1] == {"from_id": "q1", "to_id": "s1", "type": "relation", "direction": "right", "labels": ["cue_of"]}


def test_entity_labels_go_to_the_entity_layer():
    text = "Kyiv said so."
    doc = AnnotatedDoc("d", text, "model:x@1", (make_span(text, "g", 0, 4, "GPE", score=0.5),))
    (result,) = doc_to_results(doc, SCHEMA)
    assert result["from_name"] == "entity" and result["score"] == 0.5


def test_unknown_label_refused():
    text = "Officials said it."
    doc = AnnotatedDoc("d", text, "alice", (make_span(text, "s1", 0, 9, "SPEAKER"),))
    with pytest.raises(SchemaError, match="SPEAKER"):
        doc_to_results(doc, SCHEMA)


@pytest.mark.parametrize("scores, expected", [((0.9, 0.8, 0.7), 0.8), ((None, 0.5), 0.5), ((None,), 1.0), ((), 1.0)])
def test_prediction_score(scores, expected):
    text = "a b c d e f"
    spans = tuple(make_span(text, f"s{i}", 2 * i, 2 * i + 1, "CLAIM", score=score) for i, score in enumerate(scores))
    doc = AnnotatedDoc("d", text, "model:x@1", spans)
    assert prediction_score(doc) == pytest.approx(expected)
    assert doc_to_prediction(doc, SCHEMA)["model_version"] == "model:x@1"


def test_article_task_has_no_predictions():
    doc = AnnotatedDoc("d1", "Some text.", meta={"title": "T"})
    assert doc_to_task(doc, SCHEMA) == {"data": {"text": "Some text.", "doc_id": "d1", "meta": {"title": "T"}}}


@pytest.mark.parametrize("text, needle, near, expected", [
    ("a b a b a", "a", 5, 4),       # occurrences at 0, 4, 8: the nearest wins
    ("a b a b a", "a", 2, 0),       # a tie (0 and 4 are both 2 away): the earlier one
    ("xyz", "q", 0, None),
    ("😀 said said", "said", 3, 2),  # code points, not UTF-16 units
])
def test_nearest_occurrence(text, needle, near, expected):
    assert nearest_occurrence(text, needle, near) == expected


def _region(region_id, start, end, text, label="CLAIM"):
    return {"id": region_id, "from_name": "span", "to_name": "text", "type": "labels",
            "value": {"start": start, "end": end, "text": text, "labels": [label]}}


@pytest.mark.parametrize("text, region, expected_span, reanchored, dropped", [
    ("Officials said 😀 it left.", _region("r", 18, 20, "it"), (17, 19), True, False),   # UTF-16 offsets after emoji
    ("Line one.\r\nThey said it.", _region("r", 15, 19, "said"), (16, 20), True, False),  # CRLF counted as one
    ("They said it.", _region("r", 5, 9, "said"), (5, 9), False, False),
    ("They said it.", _region("r", 5, 9, "told"), None, False, True),
    ("They said it.", _region("r", 50, 54, "said"), (5, 9), True, False),                # out of range
])
def test_offsets_checked_on_every_region(text, region, expected_span, reanchored, dropped):
    doc, issues, problems = doc_from_results([region], doc_id="d", text=text, annotator="a", where="t1")
    assert problems == []
    if expected_span is None:
        assert doc.spans == ()
    else:
        (span,) = doc.spans
        assert (span.start, span.end) == expected_span and text[span.start:span.end] == span.text
    assert bool(issues) == (reanchored or dropped)
    assert all((issue.anchored is None) == dropped for issue in issues)


def test_region_problems_are_reported_not_swallowed():
    text = "They said it."
    results = [
        _region("a", 0, 4, "They", label="SOURCE"),
        _region("a", 5, 9, "said", label="CUE"),                     # the same id labelled twice
        {"id": "zz", "from_name": "certainty", "to_name": "text", "type": "choices",
         "value": {"start": 0, "end": 4, "text": "They", "choices": ["certain"]}},  # attribute with no region
        {"from_id": "a", "to_id": "missing", "type": "relation", "direction": "right", "labels": ["cue_of"]},
        {"id": "b", "from_name": "span", "to_name": "text", "type": "labels",
         "value": {"start": 5, "end": 9, "text": "said", "labels": ["CUE", "CLAIM"]}},  # two labels
    ]
    doc, issues, problems = doc_from_results(results, doc_id="d", text=text, annotator="a", where="task 1")
    assert [s.id for s in doc.spans] == ["a"] and doc.relations == ()
    assert len(problems) == 4 and all(p.startswith("task 1: ") for p in problems)


def test_textarea_attribute_and_multi_label_relation():
    text = "They said it."
    results = [_region("c", 10, 12, "it"), _region("s", 0, 4, "They", label="SOURCE"),
               {"id": "c", "from_name": "note", "to_name": "text", "type": "textarea",
                "value": {"start": 10, "end": 12, "text": ["first", "second"]}},
               {"from_id": "c", "to_id": "s", "type": "relation", "direction": "bi", "labels": ["attributed_to", "x"]}]
    doc, _, problems = doc_from_results(results, doc_id="d", text=text, annotator="a")
    assert doc.span_by_id()["c"].attrs == {"note": "first\nsecond"}
    assert [r.label for r in doc.relations] == ["attributed_to", "x"] and problems == []


def test_annotator_names_by_id_email_or_user_object():
    task = {"id": 1, "data": {"text": "x y", "doc_id": "d"}, "annotations": [
        {"id": 1, "completed_by": 7, "result": []},
        {"id": 2, "completed_by": {"id": 8, "email": "eve@example.org"}, "result": []},
        {"id": 3, "completed_by": {"id": 9, "email": "mallory@example.org"}, "result": []}]}
    docs, _ = docs_from_export([task], annotator_names={"7": "grace", "mallory@example.org": "m"})
    assert [doc.annotator for doc in docs] == ["grace", "eve@example.org", "m"]


def test_task_without_text_is_a_clear_error():
    with pytest.raises(SchemaError, match="task 5 has no data.text"):
        docs_from_export([{"id": 5, "data": {"image": "x.png"}, "annotations": []}])


def test_strip_pull_meta_keeps_the_pushed_meta():
    doc = AnnotatedDoc("d", "x", "a", meta={"title": "T", **{key: 1 for key in PULL_META_KEYS}})
    assert strip_pull_meta(doc).meta == {"title": "T"}


# ---------------------------------------------------------------------------------------------------------
# Round trip: from_ls(to_ls(x)) == x for any record that fits the schema


@st.composite
def schema_docs(draw):
    words = draw(st.lists(st.sampled_from(["they", "said", "😀", "officials", "troops", "\n", "é", "left"]),
                          min_size=3, max_size=25))
    text = " ".join(words)
    labels = sorted(SCHEMA.labels)
    spans: list[Span] = []
    boundaries = sorted(draw(st.sets(st.integers(0, len(text)), min_size=2, max_size=12)))
    for index, (start, end) in enumerate(zip(boundaries, boundaries[1:])):
        if start == end or not draw(st.booleans()):
            continue
        label = draw(st.sampled_from(labels))
        attrs = {name: draw(st.sampled_from(definition.values))
                 for name, definition in SCHEMA.attributes_for(label).items() if draw(st.booleans())}
        score = draw(st.none() | st.floats(0, 1, allow_nan=False))
        spans.append(make_span(text, f"r{index}", start, end, label, attrs, score))
    by_label: dict[str, list[Span]] = {}
    for span in spans:
        by_label.setdefault(span.label, []).append(span)
    relations = []
    for definition in SCHEMA.relations:
        for source in by_label.get(definition.from_label, []):
            for target in by_label.get(definition.to_label, []):
                if draw(st.booleans()):
                    relations.append(Relation(source.id, target.id, definition.name))
    return AnnotatedDoc(doc_id=make_doc_id(text), text=text, annotator="model:x@1", spans=tuple(spans),
                        relations=tuple(relations), meta={"title": "t"})


@settings(max_examples=200, deadline=None)
@given(schema_docs())
def test_round_trip_is_exact(doc):
    results = doc_to_results(doc, SCHEMA)
    back, issues, problems = doc_from_results(results, doc_id=doc.doc_id, text=doc.text, annotator=doc.annotator,
                                              meta=doc.meta)
    assert (issues, problems) == ([], [])
    assert back.to_dict() == doc.to_dict()


@settings(max_examples=100, deadline=None)
@given(schema_docs())
def test_round_trip_through_an_export(doc):
    task = doc_to_task(doc, SCHEMA)
    exported = {"id": 3, "data": task["data"], "drafts": [], "predictions": [],
                "annotations": [{"id": 9, "completed_by": 2, "result": task.get("predictions", [{}])[0].get("result", []),
                                 "ground_truth": False, "was_cancelled": False, "lead_time": 1.0,
                                 "created_at": "c", "updated_at": "u"}]}
    (back,), summary = docs_from_export([exported], annotator_names={2: doc.annotator})
    assert strip_pull_meta(back).to_dict() == doc.to_dict()
    assert back.meta["ls_task_id"] == 3 and back.meta["ls_annotation_id"] == 9
