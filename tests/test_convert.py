"""Importers: golden files per format (tests/data/convert/<case>/), brat attribution events, discontinuous spans,
layouts, UTF-16 offsets, bad input with its exact error, and converted annotators scored by agree.

Regenerate a golden file only after reading the diff: UPDATE_GOLDEN=1 pytest tests/test_convert.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from annotate.agreement import compute
from annotate.cli import app
from annotate.errors import ConfigError, RecordError, SchemaError
from annotate.importers import READERS, ConvertResult, Source, convert, parse_label_map
from annotate.importers.brat import parse_ann
from annotate.importers.labelstudio import offset_unit, utf16_to_characters
from annotate.records import read_docs, write_docs
from annotate.schema import load_schema, validate_docs

CASES = Path(__file__).parent / "data" / "convert"
ATTRIBUTION_MAP = "Source=SOURCE,Cue=CUE,Content=CLAIM,Recipient=SUPPLEMENT"
runner = CliRunner()


def convert_case(case: Path) -> ConvertResult:
    """The case's args.json (the command's arguments) run through the library."""
    args = json.loads((case / "args.json").read_text())
    assert args[0] == "--from"
    options = dict(zip(args[3::2], args[4::2], strict=True))
    return convert(args[1], case / args[2], label_map=parse_label_map(options.get("--label-map")),
                   annotator=options.get("--annotator"))


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if (p / "args.json").exists()))
def test_golden(case, tmp_path):
    result = convert_case(CASES / case)
    output = tmp_path / "out.jsonl"
    write_docs(output, result.docs)
    expected = CASES / case / "expected.jsonl"
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_bytes(output.read_bytes())
    assert output.read_bytes() == expected.read_bytes()
    # What is written is valid for gold, push and export, and every span's text is the document's.
    docs = list(read_docs(output))
    validate_docs(docs, load_schema(), where=case)
    for doc in docs:
        for span in doc.spans:
            assert doc.text[span.start:span.end] == span.text


def test_golden_output_is_byte_identical_across_runs(tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_docs(first, convert_case(CASES / "brat_attribution").docs)
    write_docs(second, convert_case(CASES / "brat_attribution").docs)
    assert first.read_bytes() == second.read_bytes()


def test_every_source_has_a_reader():
    assert set(READERS) == set(Source) and [s.value for s in Source] == ["brat", "prodigy", "labelstudio"]


def test_unknown_format():
    with pytest.raises(ConfigError, match="unknown source format 'conll'; choose one of: brat, prodigy, labelstudio"):
        convert("conll", CASES)


def test_result_reports_what_it_left_out():
    result = convert_case(CASES / "prodigy_spans")
    assert len(result.docs) == 5
    assert result.skipped == {"prodigy answer 'ignore'": 1, "prodigy answer 'reject'": 1}
    assert result.summary_lines("out.jsonl")[-1] == \
        "Wrote 5 records to out.jsonl (left out: 1 prodigy answer 'ignore'; 1 prodigy answer 'reject')"
    result = convert_case(CASES / "labelstudio_export")
    assert result.skipped == {"Label Studio drafts": 1, "cancelled or skipped annotations": 1}


# ---------------------------------------------------------------------------------------------------------
# brat attribution events


@pytest.fixture(scope="module")
def attribution() -> ConvertResult:
    return convert_case(CASES / "brat_attribution")


def _links(doc) -> set[tuple[str, str, str]]:
    spans = doc.span_by_id()
    return {(spans[r.from_id].text, r.label, spans[r.to_id].text) for r in doc.relations}


def _doc(result: ConvertResult, annotator: str, source_file: str):
    (doc,) = [d for d in result.docs if d.annotator == annotator and d.meta["source_file"] == source_file]
    return doc


def test_attribution_events_become_schema_relations(attribution):
    doc = _doc(attribution, "alice", "news1.txt")
    claim = "The city council will vote on the new housing plan next week"
    assert {("said", "cue_of", claim), (claim, "attributed_to", "Mayor Linda Park")} <= _links(doc)
    assert ("reporters", "supplement_of", '"We cannot wait any longer,"') in _links(doc)  # Recipient=SUPPLEMENT
    # The Attribution trigger spans have no place in the schema: dropped, and counted.
    assert "Attribution" not in {span.label for span in doc.spans}
    assert attribution.dropped["span label 'Attribution' is not in the schema"] == 12
    assert attribution.first_dropped_at["span label 'Attribution' is not in the schema"] == \
        "ann/alice/news1.ann (alice): span T4"
    assert attribution.unused_labels == ()


def test_numbered_roles_give_one_relation_each(attribution):
    links = _links(_doc(attribution, "alice", "news2.txt"))
    for claim in ("they had not been paid since May", "overtime was routinely ignored"):  # Content, Content2
        assert {("said", "cue_of", claim), (claim, "attributed_to", "Two nurses")} <= links


def test_a_role_naming_another_event_is_the_text_of_that_event(attribution):
    doc = _doc(attribution, "alice", "news2.txt")
    nested = doc.span_by_id()["E1"]
    assert (nested.label, nested.text) == ("CLAIM", "the minister had told them that the hospital would stay open")
    assert {("said", "cue_of", nested.text), (nested.text, "attributed_to", "Officials at the health ministry"),
            ("had told", "cue_of", "the hospital would stay open")} <= _links(doc)


def test_an_event_the_schema_cannot_link_is_counted(attribution):
    # "Dr. Omar Haddad declined to comment": a SOURCE and a CUE, no CLAIM; both spans stay, no relation.
    doc = _doc(attribution, "alice", "news2.txt")
    assert {"The hospital's director, Dr. Omar Haddad", "declined to comment"} <= {s.text for s in doc.spans}
    assert attribution.dropped["brat event whose roles the schema links in no relation"] == 1
    assert attribution.first_dropped_at["brat event whose roles the schema links in no relation"] == \
        "ann/alice/news2.ann:13: E3"


def test_several_sources_and_contents_link_every_pair():
    text = "Police and firefighters said the fire was out and nobody was hurt.\n"
    ann = ("T1\tSource 0 6\tPolice\nT2\tSource 11 23\tfirefighters\nT3\tCue 24 28\tsaid\n"
           "T4\tContent 29 45\tthe fire was out\nT5\tContent 50 65\tnobody was hurt\nT6\tAttribution 24 28\tsaid\n"
           "E1\tAttribution:T6 Source:T1 Source2:T2 Cue:T3 Content:T4 Content2:T5\n")
    from annotate.importers.brat import EventRules

    parsed = parse_ann(ann, text, rules=EventRules.build(load_schema(), parse_label_map(ATTRIBUTION_MAP)))
    assert {(r.from_id, r.label, r.to_id) for r in parsed.relations} == {
        ("T3", "cue_of", "T4"), ("T3", "cue_of", "T5"), ("T4", "attributed_to", "T1"), ("T4", "attributed_to", "T2"),
        ("T5", "attributed_to", "T1"), ("T5", "attributed_to", "T2")}
    assert parsed.used_roles == {"Source", "Cue", "Content"}


def test_strict_stops_at_the_first_thing_the_schema_cannot_hold():
    with pytest.raises(SchemaError) as caught:
        convert("brat", CASES / "brat_attribution" / "input", label_map=parse_label_map(ATTRIBUTION_MAP), strict=True)
    assert str(caught.value) == ("ann/alice/news1.ann (alice): span T4: span label 'Attribution' is not in the schema; "
                                 "map it with --label-map, or leave out --strict to drop it with a count")


def test_converted_annotators_are_scored_on_triples(attribution):
    report = compute(list(attribution.docs), bootstrap=50, seed=0).to_dict()
    assert report["annotators"] == ["alice", "bob"]
    assert report["pairs"]["alice"]["bob"]["n_docs"] == 1  # bob never saw news2
    triples = report["triples"]
    # news1: alice 5 triples (the interrupted quote is two), bob 4; they share the mayor's, the first quote's and
    # the memo's; the critics' differs in its source ("the tenants' union").
    assert triples["exact"]["f1"]["value"] == pytest.approx(2 * 3 / (5 + 4))


# ---------------------------------------------------------------------------------------------------------
# Discontinuous spans, as brat defines them


def test_fragments_across_a_line_break_are_one_span(attribution):
    doc = _doc(attribution, "bob", "news1.txt")
    assert "the vote could be delayed\nuntil March" in {span.text for span in doc.spans}


def test_fragments_split_by_words_are_one_span_each_with_the_same_links(attribution):
    doc = _doc(attribution, "alice", "news1.txt")
    spans = doc.span_by_id()
    assert (spans["T7"].text, spans["T7.2"].text) == ('"We cannot wait any longer,"', '"Rents have doubled in five years."')
    for piece in ("T7", "T7.2"):
        assert {("T6", "cue_of", piece), (piece, "attributed_to", "T5"), ("T8", "supplement_of", piece)} <= \
            {(r.from_id, r.label, r.to_id) for r in doc.relations}


DISCONTINUOUS_TEXT = "Advertisers want it. He said so. It's about reach, he said.\n"
IT, REACH = DISCONTINUOUS_TEXT.index("It's"), DISCONTINUOUS_TEXT.index("reach") + len("reach")


def test_pieces_share_attributes_and_relations_from_r_lines():
    text = '"We will win," she said, "and soon."\n'
    ann = ('T1\tCLAIM 0 14;25 36\t"We will win," "and soon."\nT2\tSOURCE 15 18\tshe\nT3\tCUE 19 23\tsaid\n'
           "R1\tattributed_to Arg1:T1 Arg2:T2\nR2\tcue_of Arg1:T3 Arg2:T1\nA1\tclaim_type T1 prediction\n")
    parsed = parse_ann(ann, text)
    pieces = [s for s in parsed.spans if s.label == "CLAIM"]
    assert [(s.id, s.text, dict(s.attrs)) for s in pieces] == [
        ("T1", '"We will win,"', {"claim_type": "prediction"}), ("T1.2", '"and soon."', {"claim_type": "prediction"})]
    assert {(r.from_id, r.label, r.to_id) for r in parsed.relations} == {
        ("T1", "attributed_to", "T2"), ("T1.2", "attributed_to", "T2"), ("T3", "cue_of", "T1"), ("T3", "cue_of", "T1.2")}


@pytest.mark.parametrize(("line", "spans"), [
    # brat's text for a discontinuous span: the fragments joined by one space (the public corpus case)
    (f"T1\tContent 0 19;{IT} {REACH}\tAdvertisers want it It's about reach", [(0, 19), (IT, REACH)]),
    # brat before 1.3 joined them with nothing, and brat still reads that
    (f"T1\tContent 0 19;{IT} {REACH}\tAdvertisers want itIt's about reach", [(0, 19), (IT, REACH)]),
    # a gap of whitespace and punctuation only is bridged into one span
    ("T1\tContent 0 19;21 23\tAdvertisers want it He", [(0, 23)]),
])
def test_discontinuous_text_is_checked_as_brat_joins_it(line, spans):
    parsed = parse_ann(line, DISCONTINUOUS_TEXT)
    assert [(s.start, s.end) for s in parsed.spans] == spans


def test_a_span_across_u2028_stays_on_its_line():
    text = "She said the plan\u2028will pass.\n"
    parsed = parse_ann("T1\tCLAIM 9 27\tthe plan\u2028will pass\nT2\tCUE 4 8\tsaid\n", text)
    assert [(s.id, s.text) for s in parsed.spans] == [("T2", "said"), ("T1", "the plan\u2028will pass")]


def test_offsets_counted_over_universal_newlines(tmp_path):
    folder = tmp_path / "crlf"
    folder.mkdir()
    (folder / "doc.txt").write_bytes(b"Line one.\r\nPolice said so.\r\n")
    (folder / "doc_alice.ann").write_text("T1\tSOURCE 10 16\tPolice\n")  # brat counts \r\n as one character
    result = convert("brat", folder)
    (doc,) = result.docs
    assert doc.text == "Line one.\nPolice said so.\n" and doc.spans[0].text == "Police"
    assert any("as brat reads text" in note for note in result.notes)


ann_spans = st.lists(st.tuples(st.integers(0, 58), st.integers(1, 12), st.sampled_from(["CLAIM", "SOURCE"])),
                     min_size=1, max_size=6)


@given(ann_spans)
@settings(max_examples=100, deadline=None)
def test_brat_round_trip_of_text_bound_annotations(raw):
    text = "Officials said that the troops had left, and sources agreed.\n"
    lines, wanted = [], []
    for index, (start, length, label) in enumerate(raw, start=1):
        end = min(start + length, len(text) - 1)
        if end <= start:
            continue
        lines.append(f"T{index}\t{label} {start} {end}\t{text[start:end]}")
        wanted.append((f"T{index}", start, end, label))
    parsed = parse_ann("\n".join(lines), text)
    assert sorted((s.id, s.start, s.end, s.label) for s in parsed.spans) == sorted(wanted)
    assert parsed.relations == []


# ---------------------------------------------------------------------------------------------------------
# brat layouts


def test_one_folder_per_annotator_each_with_its_copy_of_the_text(tmp_path):
    for name, ann in (("alice", "T1\tSOURCE 0 6\tPolice\n"), ("bob", "T1\tCUE 7 11\tsaid\n")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "doc.txt").write_text("Police said so.\n")
        (tmp_path / name / "doc.ann").write_text(ann)
    docs = convert("brat", tmp_path).docs
    assert [(d.annotator, d.meta["source_file"], d.spans[0].text) for d in docs] == [
        ("alice", "alice/doc.txt", "Police"), ("bob", "bob/doc.txt", "said")]
    assert len({d.doc_id for d in docs}) == 1


def test_one_folder_per_annotator_over_a_shared_text(attribution):
    assert sorted((d.annotator, d.meta["source_file"], d.meta["brat_ann"]) for d in attribution.docs) == [
        ("alice", "news1.txt", "ann/alice/news1.ann"), ("alice", "news2.txt", "ann/alice/news2.ann"),
        ("bob", "news1.txt", "ann/bob/news1.ann")]


def test_annotator_suffix_beside_the_text_and_empty_ann():
    docs = convert_case(CASES / "brat_multi").docs
    doc2 = {d.annotator: d for d in docs if d.meta["source_file"] == "doc2.txt"}
    assert set(doc2) == {"alice", "bob"}  # carol has no doc2 file: she never saw it
    assert doc2["bob"].spans == () and not doc2["bob"].is_article


def test_brat_doc_names_may_contain_underscores(tmp_path):
    (tmp_path / "000_6f75.txt").write_text("Hello world.\n")
    (tmp_path / "000_6f75_alice.ann").write_text("T1\tCLAIM 0 5\tHello\n")
    (doc,) = convert("brat", tmp_path).docs
    assert doc.annotator == "alice" and doc.meta["source_file"] == "000_6f75.txt"


def test_plain_ann_at_the_top_needs_the_annotator(tmp_path):
    (tmp_path / "doc.txt").write_text("Hello world.\n")
    (tmp_path / "doc.ann").write_text("T1\tCLAIM 0 5\tHello\n")
    with pytest.raises(RecordError, match=r"doc.ann: does not say who annotated it\. .*or pass --annotator NAME"):
        convert("brat", tmp_path)
    assert [d.annotator for d in convert("brat", tmp_path, annotator="eve").docs] == ["eve"]


def test_the_same_text_twice_for_one_annotator_is_refused(tmp_path):
    (tmp_path / "a.txt").write_text("Hello world.\n")
    (tmp_path / "b.txt").write_text("Hello world.\n")
    (tmp_path / "a_alice.ann").write_text("")
    (tmp_path / "b_alice.ann").write_text("")
    with pytest.raises(RecordError, match=r"b_alice.ann: annotates the same text as .*a_alice.ann for the same annotator 'alice'"):
        convert("brat", tmp_path)


# ---------------------------------------------------------------------------------------------------------
# Bad brat input: the exact error, naming the file and line


def write_brat(folder: Path, text: str, ann: str, name: str = "doc_alice.ann") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "doc.txt").write_text(text)
    (folder / name).write_text(ann)
    return folder


@pytest.mark.parametrize(("ann", "message"), [
    ("T1\tSOURCE 0 5\tWrong", "doc_alice.ann:1: field \"T1\": text 'Wrong' does not match the document at 0 5: it reads "
     "'Hello'. Is this .ann for another version of the text?"),
    ("T1\tCLAIM 0 5;13 17\tHello Bob", "doc_alice.ann:1: field \"T1\": text 'Hello Bob' does not match the document at "
     "0 5;13 17: the fragments joined by a space read 'Hello said'. Is this .ann for another version of the text?"),
    ("T1\tSOURCE 0 500\tHello", 'doc_alice.ann:1: field "T1": offsets 0 500 are outside the text (23 characters) or '
     "empty. Is this .ann for another version of the text?"),
    ("T1\tCLAIM 0 8;5 10\tHello world", 'doc_alice.ann:1: field "T1": fragments 0 8;5 10 overlap. brat fragments never overlap'),
    ("T1\tSOURCE zero five\tHello", "doc_alice.ann:1: field \"T1\": cannot read type and offsets from 'SOURCE zero five'. "
     "Expected e.g. 'SOURCE 12 30' or 'CLAIM 0 5;9 14'"),
    ("T1\tSOURCE 0 5\tHello\nR1\tattributed_to Arg1:T1 Arg2:T9",
     'doc_alice.ann:2: field "T9": refers to an annotation this file does not define'),
    ("T1\tSOURCE 0 5\tHello\nT1\tCUE 13 17\tsaid", 'doc_alice.ann:2: field "T1": is defined twice in this file'),
    ("X1\tfoo", "doc_alice.ann:1: field \"X1\": unknown brat annotation 'X1'. Lines start with T, R, E, A, M, N, # or *"),
    ("E1\tSay:T4", "doc_alice.ann:1: field \"E1\": trigger 'T4' is not a T annotation in this file"),
    ("T1\tCUE 13 17\tsaid\nE1\tAttribution:T1 Content:E1", 'doc_alice.ann:2: field "E1": is its own argument (through E1)'),
])
def test_bad_brat_files_name_file_and_line(tmp_path, ann, message):
    folder = write_brat(tmp_path / "corpus", "Hello world, said Bob.\n", ann + "\n")
    with pytest.raises(RecordError) as caught:
        convert("brat", folder)
    assert str(caught.value).endswith(message)


def test_brat_ann_without_text(tmp_path):
    (tmp_path / "lonely_alice.ann").write_text("")
    with pytest.raises(RecordError, match="lonely_alice.ann: has no text file"):
        convert("brat", tmp_path)


# ---------------------------------------------------------------------------------------------------------
# Prodigy


@pytest.mark.parametrize(("line", "message"), [
    ({"text": "Hi there", "spans": [{"start": 0, "end": 2, "label": "X"}]}, 'input.jsonl:1: field "_annotator_id": is missing'),
    ({"text": "Hi there", "_annotator_id": "a", "spans": [{"start": 0, "end": 2, "label": "X", "text": "Ho"}]},
     'input.jsonl:1: field "spans[0].text": \'Ho\' does not match text[0:2] = \'Hi\''),
    ({"text": "Hi there", "_annotator_id": "a", "spans": [{"start": 0, "end": 99, "label": "X"}]},
     'input.jsonl:1: field "spans[0]": offsets 0..99 are outside the text'),
    ({"text": "", "_annotator_id": "a"}, 'input.jsonl:1: field "text": is missing or empty'),
])
def test_bad_prodigy_lines_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "input.jsonl"
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(RecordError) as caught:
        convert("prodigy", path)
    assert message in str(caught.value)


def test_prodigy_duplicate_answer_is_refused(tmp_path):
    path = tmp_path / "input.jsonl"
    line = json.dumps({"text": "Hi there", "_annotator_id": "a", "spans": []})
    path.write_text(line + "\n" + line + "\n")
    with pytest.raises(RecordError, match=r"input.jsonl:2: .*already annotated by 'a' on line 1"):
        convert("prodigy", path)


def test_empty_prodigy_export_is_an_error(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n")
    with pytest.raises(RecordError) as caught:
        convert("prodigy", path)
    assert str(caught.value) == (f"{path}: holds no Prodigy examples (the file is empty). "
                                 "Export a dataset with: prodigy db-out DATASET > annotations.jsonl")


def test_prodigy_export_with_only_rejected_answers_is_an_error(tmp_path):
    path = tmp_path / "rejected.jsonl"
    path.write_text(json.dumps({"text": "Hi there", "_annotator_id": "a", "answer": "reject"}) + "\n")
    with pytest.raises(RecordError) as caught:
        convert("prodigy", path)
    assert str(caught.value) == (f"{path}: gives no records to convert (1 prodigy answer 'reject'). Check that this "
                                 "is the right file, and that its annotations were accepted or submitted")


def test_prodigy_labels_outside_the_schema_are_dropped_with_counts():
    result = convert_case(CASES / "prodigy_rel")
    assert result.dropped == {"relation label 'mentions' is not in the schema": 1,
                              "span label 'TOKEN' is not in the schema": 1}


# ---------------------------------------------------------------------------------------------------------
# Label Studio


def test_labelstudio_file_that_is_not_an_export(tmp_path):
    path = tmp_path / "export.json"
    for content, message in (("{not json", r"is not valid JSON \(line 1\)"), ("[1, 2]", "is not a list of Label Studio tasks"),
                             ("[]", "holds no tasks")):
        path.write_text(content)
        with pytest.raises(RecordError, match=message):
            convert("labelstudio", path)


def test_labelstudio_unknown_relation_label_is_dropped_not_passed_through():
    result = convert_case(CASES / "labelstudio_utf16")
    assert result.dropped == {"relation label 'contradicts' is not in the schema": 1}
    assert result.first_dropped_at["relation label 'contradicts' is not in the schema"] == \
        "input.json task 31 (bob@example.org): relation b4->b3"


def test_utf16_offsets_without_text_are_converted():
    result = convert_case(CASES / "labelstudio_utf16")
    for doc in result.docs:  # alice (UTF-16, no text), bob (UTF-16, told by his stored texts), carol (characters)
        assert [s.text for s in doc.spans][:3] == ["the coach", "said", "the team would win again"], doc.annotator
    converted = [note for note in result.notes if "offsets count UTF-16 code units" in note]
    assert [note.split(": ")[1] for note in converted] == ["task 31 annotation 41", "task 31 annotation 42"]


def test_offset_unit_undecidable_region_is_dropped(tmp_path):
    text = "😀😀 - - -"
    assert utf16_to_characters(text) == {0: 0, 2: 1, 4: 2, 5: 3, 6: 4, 7: 5, 8: 6, 9: 7, 10: 8}
    region = {"id": "r", "from_name": "span", "to_name": "text", "type": "labels",
              "value": {"start": 5, "end": 6, "labels": ["CLAIM"]}}  # "-" either way
    assert offset_unit(text, [region]) is None
    path = tmp_path / "export.json"
    path.write_text(json.dumps([{"id": 1, "data": {"text": text}, "annotations": [
        {"id": 2, "completed_by": 1, "result": [region]}]}]))
    result = convert("labelstudio", path)
    assert result.docs[0].spans == ()
    assert result.dropped == {"Label Studio region without text whose offsets may count characters or UTF-16 units": 1}
    with pytest.raises(SchemaError, match="task 1 annotation 2: Label Studio region without text"):
        convert("labelstudio", path, strict=True)


# ---------------------------------------------------------------------------------------------------------
# Label maps


@pytest.mark.parametrize(("text", "message"), [("A", "is not OLD=NEW"), ("A=B,A=C", "renames 'A' twice"), ("=B", "is not OLD=NEW")])
def test_bad_label_maps(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_label_map(text)


def test_label_map_keeps_spans_and_relations_apart():
    mapping = parse_label_map("Content=CLAIM,rel:Content=cue_of")
    assert mapping.spans == {"Content": "CLAIM"} and mapping.relations == {"Content": "cue_of"}


def test_unused_label_map_keys_are_reported():
    result = convert("brat", CASES / "brat_attribution" / "input", label_map=parse_label_map(ATTRIBUTION_MAP + ",Speaker=SOURCE"))
    assert result.unused_labels == ("Speaker",)
    assert "Warning: --label-map names labels that never occur: Speaker" in result.summary_lines()


# ---------------------------------------------------------------------------------------------------------
# A brat corpus with several annotators per document converts and is scored


def test_brat_multi_corpus_is_scored(tmp_path):
    output = tmp_path / "annotations.jsonl"
    write_docs(output, convert_case(CASES / "brat_multi").docs)
    report = compute(read_docs(output), bootstrap=200, seed=0).to_dict()
    assert report["annotators"] == ["alice", "bob", "carol"]
    pairs = report["pairs"]
    assert pairs["alice"]["bob"]["n_docs"] == 2  # both saw doc1 and doc2 (bob's doc2 is empty)
    assert pairs["alice"]["carol"]["n_docs"] == 1 and pairs["bob"]["carol"]["n_docs"] == 1  # carol never saw doc2
    # doc1, alice vs carol: carol's three spans are exactly alice's first three: 3 matches, 7 + 3 spans.
    assert pairs["alice"]["carol"]["spans_exact_f1"]["value"] == pytest.approx(2 * 3 / (7 + 3))
    assert report["relations"]["overlap"]["per_label"]["attributed_to"]["f1"]["value"] > 0
    assert report["attributes"]["claim_type"]["n_pairs"] >= 3


# ---------------------------------------------------------------------------------------------------------
# The command


def test_cli_writes_records_and_prints_the_summary(tmp_path):
    output = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["convert", "--from", "brat", str(CASES / "brat_attribution" / "input"),
                                 "--label-map", ATTRIBUTION_MAP, "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert output.read_bytes() == (CASES / "brat_attribution" / "expected.jsonl").read_bytes()
    lines = result.stderr.splitlines()
    assert "Dropped 12: span label 'Attribution' is not in the schema (first: ann/alice/news1.ann (alice): span T4)" in lines
    assert lines[-1] == f"Wrote 3 records to {output}"


def test_cli_errors_exit_1_and_write_nothing(tmp_path):
    output = tmp_path / "out.jsonl"
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = runner.invoke(app, ["convert", "--from", "prodigy", str(empty), "-o", str(output)])
    assert result.exit_code == 1
    assert " ".join(result.stderr.split()) == (f"Error: {empty}: holds no Prodigy examples (the file is empty). "
                                               "Export a dataset with: prodigy db-out DATASET > annotations.jsonl")
    result = runner.invoke(app, ["convert", "--from", "brat", str(CASES / "brat_attribution" / "input"),
                                 "--label-map", ATTRIBUTION_MAP, "--strict", "-o", str(output)])
    assert result.exit_code == 1 and "span label 'Attribution' is not in the schema" in result.stderr
    assert not output.exists()
