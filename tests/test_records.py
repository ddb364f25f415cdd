"""AnnotatedDoc reading and writing: every malformed record is refused with file:line and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotate.errors import RecordError
from annotate.records import AnnotatedDoc, Relation, Span, make_doc_id, make_span, read_docs, write_docs

TEXT = "Officials said the troops had left."
GOOD = {"doc_id": "d1", "text": TEXT, "annotator": "alice",
        "spans": [{"id": "s1", "start": 0, "end": 9, "label": "SOURCE", "text": "Officials", "attrs": {}},
                  {"id": "q1", "start": 10, "end": 14, "label": "CUE", "text": "said", "attrs": {}},
                  {"id": "c1", "start": 15, "end": 34, "label": "CLAIM", "text": "the troops had left", "attrs": {}}],
        "relations": [{"from": "c1", "to": "s1", "label": "attributed_to"}, {"from": "q1", "to": "c1", "label": "cue_of"}],
        "meta": {}}


def write_lines(tmp_path: Path, *lines: str | bytes) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(line if isinstance(line, bytes) else line.encode("utf-8") for line in lines) + b"\n")
    return path


def with_change(change) -> str:
    record = json.loads(json.dumps(GOOD))
    change(record)
    return json.dumps(record)


def test_good_record_reads_back_equal(tmp_path):
    path = write_lines(tmp_path, json.dumps(GOOD))
    [doc] = list(read_docs(path))
    assert doc.spans[2].text == "the troops had left"
    assert doc.relations[0] == Relation("c1", "s1", "attributed_to")
    out = tmp_path / "out.jsonl"
    write_docs(out, [doc])
    assert list(read_docs(out)) == [doc]


BAD_CASES = [
    ("missing text", lambda r: r.pop("text"), 'field "text": is missing'),
    ("empty text", lambda r: r.update(text="   "), 'field "text": is empty'),
    ("end past text", lambda r: r["spans"][0].update(end=99), 'field "spans[0].start/end": offsets 0..99 out of range'),
    ("start >= end", lambda r: r["spans"][1].update(start=14), 'field "spans[1].start/end": offsets 14..14'),
    ("negative start", lambda r: r["spans"][0].update(start=-1), 'field "spans[0].start/end"'),
    ("text mismatch", lambda r: r["spans"][0].update(text="Officers"),
     "field \"spans[0].text\": 'Officers' does not match text[0:9] = 'Officials'"),
    ("duplicate id", lambda r: r["spans"][2].update(id="s1"), "field \"spans[2].id\": duplicate span id 's1'"),
    ("dangling relation", lambda r: r["relations"][0].update(to="s9"),
     "field \"relations[0].to\": points to span 's9', which this record does not have"),
    ("float offset", lambda r: r["spans"][0].update(start=0.5), 'field "spans[0].start": must be an integer'),
    ("attr not string", lambda r: r["spans"][0].update(attrs={"source_type": 3}), 'field "spans[0].attrs.source_type"'),
]


@pytest.mark.parametrize("name,change,message", BAD_CASES, ids=[case[0] for case in BAD_CASES])
def test_bad_record_names_file_line_and_field(tmp_path, name, change, message):
    path = write_lines(tmp_path, json.dumps(GOOD), "", with_change(change))
    with pytest.raises(RecordError) as caught:
        list(read_docs(path))
    assert str(caught.value).startswith(f"{path}:3: ")
    assert message in str(caught.value)
    assert caught.value.line == 3


def test_invalid_json_names_line(tmp_path):
    path = write_lines(tmp_path, json.dumps(GOOD), '{"text": "unterminated')
    with pytest.raises(RecordError, match=rf"^{path}:2: invalid JSON"):
        list(read_docs(path))


def test_not_utf8_names_line(tmp_path):
    path = write_lines(tmp_path, json.dumps(GOOD), '{"text": "caf\xe9"}'.encode("latin-1"))
    with pytest.raises(RecordError, match=rf"^{path}:2: is not valid UTF-8 .*Re-encode the file as UTF-8"):
        list(read_docs(path))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(RecordError, match="cannot be read"):
        list(read_docs(tmp_path / "nope.jsonl"))


def test_write_is_deterministic_and_atomic(tmp_path):
    doc = AnnotatedDoc(doc_id="d", text="abc", annotator="bob", spans=(Span("x", 0, 1, "CUE", "a", {"cue_stance": "neutral"}),),
                       meta={"z": 1, "a": 2})
    first, second = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    write_docs(first, [doc])
    write_docs(second, [doc])
    assert first.read_bytes() == second.read_bytes()
    assert first.read_text().index('"a": 2') < first.read_text().index('"z": 1')

    bad = AnnotatedDoc(doc_id="d", text="abc", spans=(Span("x", 0, 1, "CUE", "b"),))
    with pytest.raises(RecordError, match=r"record 2\): field \"spans\[0\].text\""):
        write_docs(first, [doc, bad])
    # The failed write left the earlier file whole and no temp file behind.
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1.jsonl", "2.jsonl"]


def test_article_and_empty_annotation_stay_distinct(tmp_path):
    article = AnnotatedDoc(doc_id="d", text="abc")
    saw_nothing = AnnotatedDoc(doc_id="d", text="abc", annotator="carol")
    assert "spans" not in article.to_dict()
    assert saw_nothing.to_dict()["spans"] == []
    path = tmp_path / "x.jsonl"
    write_docs(path, [article, saw_nothing])
    assert list(read_docs(path)) == [article, saw_nothing]


def test_doc_id_is_a_stable_content_hash():
    assert make_doc_id("Kyiv said.") == make_doc_id("Kyiv said.")
    assert make_doc_id("Kyiv said.") != make_doc_id("Kyiv said!")
    assert len(make_doc_id("x")) == 16


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(str.strip)


@given(text=texts, data=st.data())
def test_round_trip_any_valid_doc(tmp_path_factory, text, data):
    starts = data.draw(st.lists(st.integers(0, len(text) - 1), max_size=4))
    spans = []
    for index, start in enumerate(starts):
        end = data.draw(st.integers(start + 1, len(text)))
        spans.append(make_span(text, f"s{index}", start, end, "CLAIM", score=data.draw(st.none() | st.floats(0, 1))))
    doc = AnnotatedDoc(doc_id=make_doc_id(text), text=text, annotator="a", spans=tuple(spans), meta={"k": "v"})
    path = tmp_path_factory.mktemp("rt") / "x.jsonl"
    write_docs(path, [doc])
    assert list(read_docs(path)) == [doc]
