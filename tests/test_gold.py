"""Gold: consensus on hand-made multi-annotator cases (majority, tie, ground truth, adjudication), conflicts,
the datasheet, and the `annotate gold` command."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from annotate.cli import app
from annotate.errors import ConfigError
from annotate.gold import build_gold, consensus, make_gold
from annotate.records import AnnotatedDoc, Relation, make_span, read_docs, write_docs
from annotate.schema import load_schema

DATA = Path(__file__).parent / "data" / "gold"
ANNOTATIONS = DATA / "annotations.jsonl"
REVIEW = DATA / "review.jsonl"
runner = CliRunner()


def by_doc(result):
    return {item.gold.doc_id: item for item in result.docs}


def shape(doc: AnnotatedDoc):
    """What gold is about, without ids: (label, text, attrs) per span and (from text, label, to text) per relation."""
    spans = doc.span_by_id()
    return (sorted((s.label, s.text, tuple(sorted(s.attrs.items()))) for s in doc.spans),
            sorted((spans[r.from_id].text, r.label, spans[r.to_id].text) for r in doc.relations))


@pytest.fixture(scope="module")
def result():
    return build_gold(read_docs(ANNOTATIONS))


# ---------------------------------------------------------------------------------------------------------
# The hand-made cases


def test_majority_spans_boundaries_attributes_and_relations(result):
    item = by_doc(result)["majority"]
    assert item.method == "consensus"
    spans, relations = shape(item.gold)
    # SOURCE: alice and bob chose "Western officials", carol "officials": the majority boundary wins.
    # CUE: alice and bob (2 of 3). CLAIM: all three; the longer boundary is chosen by two.
    # claim_type statistical/statistical/event -> statistical; certainty set only by alice -> left unset.
    assert spans == sorted([
        ("SOURCE", "Western officials", (("source_type", "anonymous_official"),)),
        ("CUE", "told", (("cue_stance", "neutral"),)),
        ("CLAIM", "1,000 North Korean soldiers had been killed in three months", (("claim_type", "statistical"),)),
    ])
    # attributed_to: all three drew it. cue_of: only alice of the two who marked both ends -> unresolved.
    assert relations == [("1,000 North Korean soldiers had been killed in three months", "attributed_to",
                          "Western officials")]
    kinds = sorted((c.kind, c.label) for c in item.conflicts)
    assert kinds == [("relation", "cue_of"), ("span", "SUPPLEMENT")]
    supplement = next(c for c in item.conflicts if c.kind == "span")
    assert supplement.votes == {"alice": None, "bob": None, "carol": "x2"}  # the model's SUPPLEMENT is no vote
    assert supplement.needed == 2
    assert item.gold.meta["gold"] == {"method": "consensus", "annotators": ["alice", "bob", "carol"],
                                      "min_agree": 2, "unresolved": 2}
    # Document meta is kept; one person's annotation meta (lead_time, updated_at) is not.
    assert item.gold.meta["cluster"] == "k1" and "lead_time" not in item.gold.meta
    assert item.gold.annotator == "gold"


def test_tie_leaves_everything_disputed_out_of_gold(result):
    item = by_doc(result)["tie"]
    spans, relations = shape(item.gold)
    # Both marked SOURCE and CUE; the CUE's stance is neutral vs factive, so it stays unset.
    assert spans == sorted([("SOURCE", "Zelensky", (("source_type", "named_person"),)), ("CUE", "said", ())])
    assert relations == []  # every relation touches the CLAIM, whose boundaries tie
    conflicts = {(c.kind, c.label, c.attribute) for c in item.conflicts}
    assert conflicts == {("boundary", "CLAIM", None), ("attribute", "CUE", "cue_stance"), ("span", "SUPPLEMENT", None),
                         ("relation", "attributed_to", None), ("relation", "cue_of", None),
                         ("relation", "supplement_of", None)}
    boundary = next(c for c in item.conflicts if c.kind == "boundary")
    assert boundary.votes == {"alice": "0-22", "bob": "1-20"}
    stance = next(c for c in item.conflicts if c.kind == "attribute")
    assert stance.votes == {"alice": "neutral", "bob": "factive"}


def test_ground_truth_star_overrides_the_majority(result):
    item = by_doc(result)["starred"]
    assert item.method == "ground_truth" and not item.conflicts
    carol = next(doc for doc in read_docs(ANNOTATIONS) if doc.doc_id == "starred" and doc.annotator == "carol")
    assert item.gold.spans == carol.spans and item.gold.relations == carol.relations  # ids kept as starred
    assert item.gold.meta["gold"]["from"] == "carol"
    assert "ground_truth" not in item.gold.meta


def test_a_single_annotator_is_the_gold(result):
    item = by_doc(result)["single"]
    dave = next(doc for doc in read_docs(ANNOTATIONS) if doc.annotator == "dave")
    assert shape(item.gold) == shape(dave) and not item.conflicts
    assert item.gold.meta["gold"]["min_agree"] == 1


def test_models_and_articles_do_not_vote(result):
    assert result.skipped == {"article (no annotator)": 1, "model prediction": 1}
    assert result.method_counts == {"adjudicated": 0, "ground_truth": 1, "consensus": 3}


# ---------------------------------------------------------------------------------------------------------
# The rules, case by case

TEXT = "Western officials told the BBC that 1,000 soldiers had been killed."


def rec(annotator, *spans, relations=(), **meta):
    made = []
    for span_id, label, words, *attrs in spans:
        start = TEXT.index(words)
        made.append(make_span(TEXT, span_id, start, start + len(words), label, attrs[0] if attrs else {}))
    return AnnotatedDoc("d", TEXT, annotator, tuple(made), tuple(Relation(*r) for r in relations), meta)


@pytest.mark.parametrize("min_agree, expected_labels, unresolved", [
    (None, ["CLAIM", "SOURCE"], {("span", "CUE"), ("span", "SUPPLEMENT")}),  # majority of 4 is 3
    (1, ["CLAIM", "CUE", "SOURCE", "SUPPLEMENT"], set()),
    (2, ["CLAIM", "CUE", "SOURCE"], {("span", "SUPPLEMENT")}),
    (4, ["SOURCE"], {("span", "CLAIM"), ("span", "CUE"), ("span", "SUPPLEMENT")}),
    (5, [], {("span", "CLAIM"), ("span", "CUE"), ("span", "SOURCE"), ("span", "SUPPLEMENT")}),
])
def test_min_agree(min_agree, expected_labels, unresolved):
    records = {
        "a": rec("a", ("1", "SOURCE", "Western officials"), ("2", "CLAIM", "1,000 soldiers had been killed"), ("3", "CUE", "told")),
        "b": rec("b", ("1", "SOURCE", "Western officials"), ("2", "CLAIM", "1,000 soldiers had been killed"), ("3", "CUE", "told")),
        "c": rec("c", ("1", "SOURCE", "officials"), ("2", "CLAIM", "soldiers had been killed")),
        "d": rec("d", ("1", "SOURCE", "Western officials"), ("9", "SUPPLEMENT", "the BBC")),
    }
    spans, _, conflicts = consensus(records, min_agree)
    assert sorted(span.label for span in spans) == expected_labels
    assert {(c.kind, c.label) for c in conflicts} == unresolved


def test_overlap_match_is_within_a_label_and_one_to_one():
    # b marks two SOURCE spans inside a's one; only one can match it. The CLAIM over the same words is not a SOURCE.
    records = {
        "a": rec("a", ("1", "SOURCE", "Western officials")),
        "b": rec("b", ("1", "SOURCE", "Western"), ("2", "SOURCE", "officials"), ("3", "CLAIM", "Western officials")),
    }
    spans, _, conflicts = consensus(records)
    assert spans == []  # a matches b:officials (the larger overlap), and they tie on boundaries; the rest has one vote each
    assert sorted((c.kind, c.label) for c in conflicts) == [("boundary", "SOURCE"), ("span", "CLAIM"), ("span", "SOURCE")]


def test_relation_majority_is_among_those_who_marked_both_ends():
    claim, source = ("c", "CLAIM", "1,000 soldiers had been killed"), ("s", "SOURCE", "Western officials")
    records = {
        "a": rec("a", claim, source, relations=[("c", "s", "attributed_to")]),
        "b": rec("b", claim, source, relations=[("c", "s", "attributed_to")]),
        "c": rec("c", claim),  # could not draw the link: no SOURCE
    }
    spans, relations, conflicts = consensus(records)
    assert [r.label for r in relations] == ["attributed_to"] and not conflicts
    ids = {span.label: span.id for span in spans}
    assert relations[0] == Relation(ids["CLAIM"], ids["SOURCE"], "attributed_to")


def test_attribute_unset_counts_as_a_vote():
    source = ("s", "SOURCE", "Western officials")
    records = {"a": rec("a", (*source, {"source_type": "anonymous_official"})), "b": rec("b", source), "c": rec("c", source)}
    spans, _, conflicts = consensus(records)
    assert spans[0].attrs == {} and not conflicts


def test_identical_records_need_no_adjudication_and_gold_is_deterministic():
    records = [rec(name, ("s", "SOURCE", "Western officials", {"source_type": "anonymous_official"}),
                   ("c", "CLAIM", "1,000 soldiers had been killed"), relations=[("c", "s", "attributed_to")])
               for name in ("zed", "amy", "kim")]
    first = build_gold(records)
    shuffled = records[:]
    random.Random(1).shuffle(shuffled)
    assert build_gold(shuffled).gold == first.gold
    assert not first.docs[0].conflicts
    assert shape(first.gold[0]) == shape(records[0])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 8), st.sampled_from(["CLAIM", "SOURCE", "CUE"])),
                max_size=6, unique_by=lambda t: (t[0], t[2])), st.integers(1, 4))
def test_unanimous_annotators_reproduce_their_record(raw_spans, annotators):
    spans = tuple(make_span(TEXT, f"x{i}", start, min(start + length, len(TEXT)), label)
                  for i, (start, length, label) in enumerate(raw_spans))
    # Overlapping spans of one label would be matched to each other: keep the case to non-overlapping ones.
    by_label: dict[str, list] = {}
    for span in sorted(spans, key=lambda s: s.start):
        others = by_label.setdefault(span.label, [])
        if not others or others[-1].end <= span.start:
            others.append(span)
    kept = tuple(span for group in by_label.values() for span in group)
    records = {f"p{n}": AnnotatedDoc("d", TEXT, f"p{n}", kept) for n in range(annotators)}
    gold_spans, _, conflicts = consensus(records)
    assert not conflicts
    assert sorted((s.start, s.end, s.label) for s in gold_spans) == sorted((s.start, s.end, s.label) for s in kept)


def test_latest_copy_of_an_annotators_record_wins():
    old = rec("a", ("s", "SOURCE", "officials"), updated_at="2025-01-01")
    new = rec("a", ("s", "SOURCE", "Western officials"), updated_at="2025-01-02")
    result = build_gold([new, old])
    assert [s.text for s in result.gold[0].spans] == ["Western officials"]
    assert result.skipped == {"older copy of the same annotator's record": 1}


def test_cancelled_annotations_do_not_vote():
    result = build_gold([rec("a", ("s", "SOURCE", "officials")), rec("b", was_cancelled=True)])
    assert [s.text for s in result.gold[0].spans] == ["officials"]
    assert result.gold[0].meta["gold"]["annotators"] == ["a"]


def test_different_texts_under_one_doc_id_is_an_error():
    other = AnnotatedDoc("d", TEXT + " More.", "b")
    with pytest.raises(ConfigError, match="different texts"):
        build_gold([rec("a"), other])


def test_min_agree_below_one_is_an_error():
    with pytest.raises(ConfigError, match="at least 1"):
        build_gold([rec("a")], min_agree=0)


# ---------------------------------------------------------------------------------------------------------
# Adjudication and conflicts files


def test_adjudicated_record_overrides_consensus_for_its_document():
    result = build_gold(read_docs(ANNOTATIONS), read_docs(REVIEW))
    item = by_doc(result)["tie"]
    eve = next(read_docs(REVIEW))
    assert item.method == "adjudicated" and not item.conflicts
    assert item.gold.spans == eve.spans and item.gold.relations == eve.relations
    assert item.gold.meta["gold"] == {"method": "adjudicated", "from": "eve", "annotators": ["alice", "bob"]}
    assert "ls_task_id" not in item.gold.meta  # the review project's task id is not the document's
    assert by_doc(result)["majority"].method == "consensus"


def test_review_with_several_people_needs_to_know_the_adjudicator():
    eve = next(read_docs(REVIEW))
    frank = eve.with_(annotator="frank", spans=eve.spans[:1], relations=())
    with pytest.raises(ConfigError, match="--adjudicator"):
        build_gold(read_docs(ANNOTATIONS), [eve, frank])
    chosen = build_gold(read_docs(ANNOTATIONS), [eve, frank], adjudicator="frank")
    assert by_doc(chosen)["tie"].gold.spans == frank.spans
    with pytest.raises(ConfigError, match="no record of document tie by adjudicator 'zoe'"):
        build_gold(read_docs(ANNOTATIONS), [eve, frank], adjudicator="zoe")
    starred = build_gold(read_docs(ANNOTATIONS), [eve.with_(meta={**eve.meta, "ground_truth": True}), frank])
    assert by_doc(starred)["tie"].gold.spans == eve.spans


def test_make_gold_writes_data_conflicts_side_by_side_and_datasheet(tmp_path):
    files = make_gold(ANNOTATIONS, tmp_path / "gold" / "seed" / "data.jsonl")
    assert files.conflicts == tmp_path / "gold" / "seed" / "conflicts.jsonl"
    gold = list(read_docs(files.data))
    assert [doc.doc_id for doc in gold] == ["majority", "tie", "starred", "single"]
    conflicts = list(read_docs(files.conflicts))
    # Every annotator's full record of each conflicted document, each carrying the same description.
    assert [(doc.doc_id, doc.annotator) for doc in conflicts] == [
        ("majority", "alice"), ("majority", "bob"), ("majority", "carol"), ("tie", "alice"), ("tie", "bob")]
    originals = {(doc.doc_id, doc.annotator): doc for doc in read_docs(ANNOTATIONS)}
    for doc in conflicts:
        assert doc.spans == originals[(doc.doc_id, doc.annotator)].spans
        assert doc.meta["lead_time"] == originals[(doc.doc_id, doc.annotator)].meta["lead_time"]
    tie = [doc.meta["conflicts"] for doc in conflicts if doc.doc_id == "tie"]
    assert tie[0] == tie[1] and len(tie[0]) == 6
    assert {"kind", "label", "start", "end", "votes", "needed", "detail"} <= set(tie[0][0])

    sheet = files.datasheet.read_text(encoding="utf-8")
    assert files.datasheet == tmp_path / "gold" / "seed" / "README.md"
    assert f"hash `{load_schema().hash}`" in sheet
    assert "# Gold set: seed" in sheet
    assert "| annotations.jsonl | 11 |" in sheet
    for annotator in ("alice", "bob", "carol", "dave"):
        assert f"| {annotator} |" in sheet
    assert "| CUE | span | 4 | 4 |" in sheet and "| GPE | entity | 2 | 1 |" in sheet
    assert "| ground_truth | 1 |" in sheet and "| consensus | 3 |" in sheet
    assert "2 documents with 8 unresolved items" in sheet
    assert "## Agreement at freeze time" in sheet
    assert "| span F1, overlap match | 0.8205 |" in sheet  # 16 pairs matched among 19 + 20 spans: 32/39


def test_datasheet_agreement_figures(tmp_path):
    # Two annotators, one document: SOURCE identical, CLAIM boundaries differ, same relation.
    a = rec("a", ("s", "SOURCE", "Western officials"), ("c", "CLAIM", "1,000 soldiers had been killed"),
            relations=[("c", "s", "attributed_to")])
    b = rec("b", ("s", "SOURCE", "Western officials"), ("c", "CLAIM", "soldiers had been killed"),
            relations=[("c", "s", "attributed_to")])
    source = tmp_path / "two.jsonl"
    write_docs(source, [a, b])
    sheet = make_gold(source, tmp_path / "g" / "data.jsonl").datasheet.read_text(encoding="utf-8")
    assert "| span F1, exact match | 0.5000 |" in sheet       # 2*1 / (2+2)
    assert "| span F1, overlap match | 1.0000 |" in sheet
    assert "| relation F1, overlap match | 1.0000 |" in sheet
    single = tmp_path / "one.jsonl"
    write_docs(single, [a])
    sheet = make_gold(single, tmp_path / "h" / "data.jsonl").datasheet.read_text(encoding="utf-8")
    assert "no agreement to report" in sheet


def test_gold_output_is_byte_for_byte_reproducible(tmp_path):
    shuffled = list(read_docs(ANNOTATIONS))
    random.Random(7).shuffle(shuffled)
    write_docs(tmp_path / "shuffled.jsonl", shuffled)
    first = make_gold(ANNOTATIONS, tmp_path / "a" / "data.jsonl")
    again = make_gold(ANNOTATIONS, tmp_path / "b" / "data.jsonl")
    assert first.data.read_bytes() == again.data.read_bytes()
    assert first.conflicts.read_bytes() == again.conflicts.read_bytes()
    assert first.datasheet.read_text().replace("# Gold set: a", "") == again.datasheet.read_text().replace("# Gold set: b", "")
    other = make_gold(tmp_path / "shuffled.jsonl", tmp_path / "c" / "data.jsonl")
    # Document order follows the input, but each document's gold does not depend on record order.
    assert sorted(other.data.read_text().splitlines()) == sorted(first.data.read_text().splitlines())


# ---------------------------------------------------------------------------------------------------------
# The command


def test_cli_gold_writes_files_and_reports(tmp_path):
    out = tmp_path / "gold" / "x" / "data.jsonl"
    done = runner.invoke(app, ["gold", str(ANNOTATIONS), "-o", str(out), "--conflicts", str(tmp_path / "c.jsonl"),
                               "--adjudicated", str(REVIEW), "--json"])
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert summary["methods"] == {"adjudicated": 1, "consensus": 2, "ground_truth": 1}
    assert summary["conflict_documents"] == 1 and summary["conflict_items"] == {"relation": 1, "span": 1}
    assert out.exists() and (out.parent / "README.md").exists() and (tmp_path / "c.jsonl").exists()


@pytest.mark.parametrize("make_input, args, message", [
    (lambda p: None, [], "cannot be read"),
    (lambda p: p.write_text('{"text": "Hi there", "annotator": "a", "spans": [{"id": "1", "start": 0, "end": 2, '
                            '"label": "CLAIM", "text": "Ho"}]}\n'), [], ':1: field "spans[0].text"'),
    (lambda p: p.write_text('{"text": "Hi there", "annotator": "a", "spans": [{"id": "1", "start": 0, "end": 2, '
                            '"label": "RUMOUR"}]}\n'), [], "has label 'RUMOUR', which is not in the schema"),
    (lambda p: p.write_text('{"text": "Hi there"}\n'), [], "no annotations by people"),
    (lambda p: p.write_text('{"text": "Hi there", "annotator": "a"}\n'), ["--min-agree", "0"], "at least 1"),
])
def test_cli_gold_bad_input(tmp_path, make_input, args, message):
    source = tmp_path / "in.jsonl"
    make_input(source)
    out = tmp_path / "g" / "data.jsonl"
    done = runner.invoke(app, ["gold", str(source), "-o", str(out), *args])
    assert done.exit_code == 1
    assert "Error:" in done.stderr and message in done.stderr.replace("\n", "")
    assert not out.exists()  # nothing half-written
