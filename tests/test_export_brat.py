"""The brat round trip: `annotate export --format brat`, then `annotate convert --from brat`, gives back the same
records (text, doc_id, annotator, spans with attributes, relations; ids and meta from the DOC_ID.json beside them)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from annotate.cli import app
from annotate.importers.brat import parse_ann
from annotate.export.brat import restore, to_standoff
from annotate.records import AnnotatedDoc, Relation, make_doc_id, make_span, read_docs, write_docs

DATA = Path(__file__).parent / "data" / "gold"
runner = CliRunner()


def content(doc: AnnotatedDoc):
    """Everything but ids and meta: spans as (start, end, label, text, attrs), relations through span offsets."""
    spans = doc.span_by_id()
    where = {span_id: (s.start, s.end, s.label) for span_id, s in spans.items()}
    return (doc.doc_id, doc.text, doc.annotator,
            sorted((s.start, s.end, s.label, s.text, tuple(sorted(s.attrs.items()))) for s in doc.spans),
            sorted((where[r.from_id], where[r.to_id], r.label) for r in doc.relations))


def in_order(doc: AnnotatedDoc) -> AnnotatedDoc:
    return doc.with_(spans=tuple(sorted(doc.spans, key=lambda s: (s.start, s.end, s.id))),
                     relations=tuple(sorted(doc.relations, key=lambda r: (r.from_id, r.to_id, r.label))))


def round_trip(tmp_path: Path, records: list[AnnotatedDoc], *export_args: str) -> tuple[list[AnnotatedDoc], Path]:
    source, out, back = tmp_path / "in.jsonl", tmp_path / "brat", tmp_path / "back.jsonl"
    write_docs(source, records)
    done = runner.invoke(app, ["export", str(source), "--format", "brat", "-o", str(out), *export_args])
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["convert", "--from", "brat", str(out), "-o", str(back)])
    assert done.exit_code == 0, done.output
    return list(read_docs(back)), out


def test_gold_round_trips_through_brat(tmp_path):
    # The real flow: gold made from several annotators, exported with splits, read back by `annotate convert`.
    corpus = [doc.with_(doc_id=make_doc_id(doc.text)) for doc in read_docs(DATA / "corpus.jsonl")]
    back, out = round_trip(tmp_path, corpus, "--splits", "0.6,0.2,0.2", "--seed", "1")
    assert sorted(content(doc) for doc in back) == sorted(content(doc) for doc in corpus)
    original = {doc.doc_id: doc for doc in corpus}
    for doc in back:
        restored = restore(doc, out)
        assert in_order(restored) == in_order(original[doc.doc_id])  # ids, attributes, relations and meta
    # Every record came back from the split folder it was written to.
    assert {doc.meta["source_file"].split("/")[0] for doc in back} == {"train", "dev", "test"}


def test_gold_from_annotate_gold_round_trips(tmp_path):
    made = runner.invoke(app, ["gold", str(DATA / "annotations.jsonl"), "-o", str(tmp_path / "g" / "data.jsonl")])
    assert made.exit_code == 0, made.output
    gold = [doc.with_(doc_id=make_doc_id(doc.text)) for doc in read_docs(tmp_path / "g" / "data.jsonl")]
    back, out = round_trip(tmp_path, gold)
    assert sorted(content(doc) for doc in back) == sorted(content(doc) for doc in gold)
    by_id = lambda doc: doc.doc_id  # noqa: E731
    assert sorted((in_order(restore(doc, out)) for doc in back), key=by_id) == sorted(map(in_order, gold), key=by_id)


def test_records_with_brat_ids_come_back_literally(tmp_path):
    text = "Western officials told the BBC that 1,000 soldiers had been killed."
    doc = AnnotatedDoc(make_doc_id(text), text, "alice", (
        make_span(text, "T1", 0, 17, "SOURCE", {"source_type": "anonymous_official"}),
        make_span(text, "T2", 18, 22, "CUE", {"cue_stance": "neutral"}),
        make_span(text, "T3", 36, 66, "CLAIM", {"claim_type": "statistical", "certainty": "certain"}),
    ), (Relation("T2", "T3", "cue_of"), Relation("T3", "T1", "attributed_to")))  # in the reader's (from, to) order
    back, _ = round_trip(tmp_path, [doc])
    assert back[0].with_(meta={}) == doc  # no renaming, no sidecar needed


def test_a_span_across_a_line_break_comes_back_whole(tmp_path):
    text = 'He said:\n"We left.\nWe will not return."'
    doc = AnnotatedDoc(make_doc_id(text), text, "gold", (make_span(text, "c", 9, len(text), "CLAIM"),))
    back, out = round_trip(tmp_path, [doc])
    # brat needs fragments split at the break; the reader joins fragments whose gap is only whitespace.
    assert [(s.start, s.end) for s in back[0].spans] == [(9, len(text))] and back[0].relations == ()
    assert "9 18;19 " in next(out.rglob("*.ann")).read_text()
    report = (out / "export.json").read_text()
    assert "crosses a line break" in report


_TEXT = st.text(alphabet=st.sampled_from(list("abc xyz,.é“”") + ["\U0001F600", "\t"]), min_size=5, max_size=60)


@settings(max_examples=80, deadline=None)
@given(_TEXT.filter(lambda t: t.strip()), st.data())
def test_standoff_and_the_brat_reader_agree_on_any_record(text, data):
    # Spans never start or end on whitespace (brat's reader compares texts with whitespace squashed).
    starts = [i for i, c in enumerate(text) if not c.isspace()]
    raw = data.draw(st.lists(st.tuples(st.sampled_from(starts), st.integers(1, 12),
                                       st.sampled_from(["CLAIM", "SOURCE", "CUE"]),
                                       st.sampled_from([{}, {"certainty": "probable"}, {"a": "x", "b": "y"}])),
                             max_size=5))
    spans = []
    for index, (start, length, label, attrs) in enumerate(raw):
        end = min(len(text), start + length)
        while end > start + 1 and text[end - 1].isspace():
            end -= 1
        spans.append(make_span(text, f"x{index}", start, end, label, attrs))
    relations = []
    if len(spans) >= 2:
        relations.append(Relation(spans[0].id, spans[-1].id, "attributed_to"))
    doc = AnnotatedDoc(make_doc_id(text), text, "gold", tuple(spans), tuple(relations))
    parsed = parse_ann(to_standoff(doc), text)
    read_spans, read_relations = parsed.spans, parsed.relations
    renamed = {f"T{n}": span.id for n, span in enumerate(spans, start=1)}
    assert sorted((renamed[s.id], s.start, s.end, s.label, sorted(s.attrs.items())) for s in read_spans) == \
        sorted((s.id, s.start, s.end, s.label, sorted(s.attrs.items())) for s in spans)
    assert [(renamed[r.from_id], renamed[r.to_id], r.label) for r in read_relations] == \
        [(r.from_id, r.to_id, r.label) for r in relations]
