"""order_for_review: file order, or the least certain documents first (scores near 0.5), ties in file order."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from annotate.errors import ConfigError
from annotate.ordering import doc_uncertainty, order_for_review, span_uncertainty
from annotate.records import AnnotatedDoc, make_span

TEXT = "Officials said the plan failed."


def _doc(doc_id: str, *scores: float | None, label: str = "CUE") -> AnnotatedDoc:
    spans = tuple(make_span(TEXT, f"q{number}", 10, 14, label, score=score) for number, score in enumerate(scores))
    return AnnotatedDoc(doc_id=doc_id, text=TEXT, annotator="model:x@1", spans=spans)


@pytest.mark.parametrize(("score", "expected"), [(0.5, 1.0), (0.0, 0.0), (1.0, 0.0), (0.75, 0.5), (0.3, 0.6)])
def test_span_uncertainty_peaks_at_one_half(score, expected):
    assert span_uncertainty(score) == pytest.approx(expected)


def test_a_documents_uncertainty_is_its_least_certain_span_then_the_mean():
    assert doc_uncertainty(_doc("a", 0.9, 0.55, 0.99)) == pytest.approx((0.9, (0.2 + 0.9 + 0.02) / 3))
    assert doc_uncertainty(_doc("b")) is None
    assert doc_uncertainty(_doc("c", 0.5, label="PERSON")) is None  # entity scores are not the model's
    assert doc_uncertainty(_doc("d", None)) is None


@pytest.mark.parametrize(("docs", "expected"), [
    # most uncertain first
    ([_doc("sure", 0.99), _doc("unsure", 0.52), _doc("middle", 0.8)], ["unsure", "middle", "sure"]),
    # the same least-certain span: the mean decides
    ([_doc("a", 0.6, 0.99), _doc("b", 0.6, 0.7)], ["b", "a"]),
    # a full tie keeps the file order
    ([_doc("x", 0.7), _doc("y", 0.3), _doc("z", 0.7)], ["x", "y", "z"]),
    # documents without scored attribution spans come last, in file order
    ([_doc("empty1"), _doc("scored", 0.95), _doc("empty2"), _doc("person", 0.5, label="PERSON")],
     ["scored", "empty1", "empty2", "person"]),
])
def test_uncertain_first(docs, expected):
    assert [doc.doc_id for doc in order_for_review(docs, "uncertain-first")] == expected


def test_the_records_of_one_document_stay_together_and_count_together():
    article = AnnotatedDoc(doc_id="b", text=TEXT)
    docs = [_doc("a", 0.9), article, _doc("c", 0.8), _doc("b", 0.99), replace(_doc("b", 0.5), annotator="model:y@1")]
    ordered = order_for_review(docs, "uncertain-first")
    assert [(doc.doc_id, doc.annotator) for doc in ordered] == [
        ("b", None), ("b", "model:x@1"), ("b", "model:y@1"), ("c", "model:x@1"), ("a", "model:x@1")]


def test_file_order_is_the_input_order():
    docs = [_doc("sure", 0.99), _doc("unsure", 0.52)]
    assert order_for_review(iter(docs), "file") == docs


def test_an_unknown_order_is_refused():
    with pytest.raises(ConfigError, match=r"^--order 'random' is not one of file, uncertain-first$"):
        order_for_review([], "random")


def test_push_refuses_an_unknown_order_before_contacting_label_studio(run_cli, tmp_path):
    records = tmp_path / "records.jsonl"
    records.write_text('{"doc_id": "a", "text": "Officials said the plan failed."}\n', encoding="utf-8")
    # a server that is not there: the order is checked first
    done = run_cli("push", records, "--project", "p", "--order", "random",
                   env={**os.environ, "LABEL_STUDIO_URL": "http://127.0.0.1:9", "LABEL_STUDIO_API_KEY": "x"})
    assert done.returncode == 1
    assert "Error: --order 'random' is not one of file, uncertain-first" in done.stderr
