"""Converters: golden files per format (tests/data/convert/<case>/), bad input, and a brat corpus scored by agree.

Regenerate a golden file only after reading the diff: UPDATE_GOLDEN=1 pytest tests/test_convert.py
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from annotate.agreement import compute
from annotate.cli import app
from annotate.convert import convert, parse_label_map
from annotate.convert.brat import parse_ann
from annotate.errors import ConfigError, RecordError
from annotate.records import read_docs

CASES = Path(__file__).parent / "data" / "convert"
runner = CliRunner()


def run_case(case: Path, output: Path):
    args = json.loads((case / "args.json").read_text())
    args[2] = str(case / args[2])  # the input path, relative to the case folder
    return runner.invoke(app, ["convert", *args, "-o", str(output)])


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if (p / "args.json").exists()))
def test_golden(case, tmp_path):
    output = tmp_path / "out.jsonl"
    result = run_case(CASES / case, output)
    assert result.exit_code == 0, result.output
    expected = CASES / case / "expected.jsonl"
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.copyfile(output, expected)
    assert output.read_bytes() == expected.read_bytes()
    # Every record written is a valid record whose span texts match the document.
    for doc in read_docs(output):
        for span in doc.spans:
            assert doc.text[span.start:span.end] == span.text


def test_golden_output_is_byte_identical_across_runs(tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    run_case(CASES / "brat_multi", first)
    run_case(CASES / "brat_multi", second)
    assert first.read_bytes() == second.read_bytes()


def test_convert_reports_what_it_left_out(tmp_path):
    result = runner.invoke(app, ["convert", "--from", "prodigy", str(CASES / "prodigy_spans" / "input.jsonl"),
                                 "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 0
    assert "Wrote 5 records" in result.stderr
    assert "1 prodigy answer 'ignore'" in result.stderr and "1 prodigy answer 'reject'" in result.stderr
    result = runner.invoke(app, ["convert", "--from", "labelstudio", str(CASES / "labelstudio_export" / "input.json"),
                                 "-o", str(tmp_path / "ls.jsonl")])
    assert "1 Label Studio drafts" in result.stderr and "1 cancelled or skipped annotations" in result.stderr


# ---------------------------------------------------------------------------------------------------------
# brat mapping details


def test_brat_discontinuous_span_becomes_linked_fragments():
    docs = list(convert("brat", CASES / "brat_multi" / "input"))
    alice = next(d for d in docs if d.annotator == "alice" and d.meta["source_file"] == "doc1.txt")
    spans = alice.span_by_id()
    assert (spans["T6"].text, spans["T6.2"].text) == ("the front is quiet", "and losses were low")
    assert any(r.from_id == "T6.2" and r.to_id == "T6" and r.label == "fragment_of" for r in alice.relations)
    # The event's role arguments hang off its trigger; attributes, notes and norms land on spans.
    assert {(r.from_id, r.to_id, r.label) for r in alice.relations} >= {("T4", "T5", "Source"), ("T4", "T6", "Content")}
    assert spans["T6"].attrs == {"Hedged": "true", "note": "interrupted by 'she added'"}
    assert spans["T5"].attrs == {"norm": "Wikidata:Q37726", "source_type": "named_organization"}


def test_brat_empty_ann_is_an_empty_annotation_and_no_ann_is_missing():
    docs = list(convert("brat", CASES / "brat_multi" / "input"))
    doc2 = {d.annotator: d for d in docs if d.meta["source_file"] == "doc2.txt"}
    assert set(doc2) == {"alice", "bob"}  # carol has no doc2 file: she never saw it
    assert doc2["bob"].spans == () and not doc2["bob"].is_article


def test_brat_events_sharing_a_trigger():
    (doc,) = convert("brat", CASES / "brat_single" / "input" / "report.ann", annotator="dana")
    spans = doc.span_by_id()
    assert (spans["T2"].start, spans["T2"].end) == (spans["E2"].start, spans["E2"].end)
    assert ("E2", "T7", "Addressee") in {(r.from_id, r.to_id, r.label) for r in doc.relations}
    assert spans["T5"].attrs == {"Factuality": "certain"}  # an attribute on event E3 lands on its trigger


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
    spans, relations = parse_ann("\n".join(lines), text)
    assert sorted((s.id, s.start, s.end, s.label) for s in spans) == sorted(wanted)
    assert relations == []


# ---------------------------------------------------------------------------------------------------------
# Bad input: a clear error naming the file and line, and nothing written


def write_brat(folder: Path, text: str, ann: str, name: str = "doc_alice.ann") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "doc.txt").write_text(text)
    (folder / name).write_text(ann)
    return folder


@pytest.mark.parametrize(("ann", "message"), [
    ("T1\tSOURCE 0 5\tWrong", 'doc_alice.ann:1: field "T1": text \'Wrong\' does not match the document'),
    ("T1\tSOURCE 0 500\tHello", 'doc_alice.ann:1: field "T1": offsets 0 500 are outside the text'),
    ("T1\tSOURCE zero five\tHello", 'doc_alice.ann:1: field "T1": cannot read type and offsets'),
    ("T1\tSOURCE 0 5\tHello\nR1\tattributed_to Arg1:T1 Arg2:T9", 'doc_alice.ann:2: field "T9": refers to an annotation this file does not define'),
    ("X1\tfoo", "doc_alice.ann:1: field \"X1\": unknown brat annotation 'X1'"),
    ("E1\tSay:T4", 'doc_alice.ann:1: field "E1": trigger \'T4\' is not a T annotation'),
])
def test_bad_brat_files_name_file_and_line(tmp_path, ann, message):
    folder = write_brat(tmp_path / "corpus", "Hello world, said Bob.\n", ann + "\n")
    output = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["convert", "--from", "brat", str(folder), "-o", str(output)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert message in " ".join(result.stderr.split())
    assert not output.exists()


def test_brat_without_annotator_name_needs_the_option(tmp_path):
    folder = write_brat(tmp_path / "c", "Hello world.\n", "T1\tX 0 5\tHello\n", name="doc.ann")
    result = runner.invoke(app, ["convert", "--from", "brat", str(folder), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 1 and "does not say who annotated it" in result.stderr and "--annotator" in result.stderr
    result = runner.invoke(app, ["convert", "--from", "brat", str(folder), "--annotator", "eve", "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 0
    assert [d.annotator for d in read_docs(tmp_path / "o.jsonl")] == ["eve"]


def test_brat_ann_without_text(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "lonely_alice.ann").write_text("")
    with pytest.raises(RecordError, match="has no text file"):
        list(convert("brat", folder))


def test_brat_doc_names_may_contain_underscores(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "000_6f75.txt").write_text("Hello world.\n")
    (folder / "000_6f75_alice.ann").write_text("T1\tX 0 5\tHello\n")
    (doc,) = convert("brat", folder)
    assert doc.annotator == "alice" and doc.meta["source_file"] == "000_6f75.txt"


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
    output = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["convert", "--from", "prodigy", str(path), "-o", str(output)])
    assert result.exit_code == 1
    assert message in " ".join(result.stderr.split())
    assert not output.exists()


def test_prodigy_duplicate_answer_is_refused(tmp_path):
    path = tmp_path / "input.jsonl"
    line = json.dumps({"text": "Hi there", "_annotator_id": "a", "spans": []})
    path.write_text(line + "\n" + line + "\n")
    with pytest.raises(RecordError, match=r"input.jsonl:2: .*already annotated by 'a' on line 1"):
        list(convert("prodigy", path))


def test_labelstudio_file_that_is_not_an_export(tmp_path):
    path = tmp_path / "export.json"
    path.write_text("{not json")
    result = runner.invoke(app, ["convert", "--from", "labelstudio", str(path), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 1 and "is not valid JSON" in result.stderr
    path.write_text('[1, 2]')
    result = runner.invoke(app, ["convert", "--from", "labelstudio", str(path), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 1 and "is not a list of Label Studio tasks" in result.stderr


@pytest.mark.parametrize(("text", "message"), [("A", "is not OLD=NEW"), ("A=B,A=C", "renames 'A' twice"), ("=B", "is not OLD=NEW")])
def test_bad_label_maps(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_label_map(text)


def test_label_map_keeps_spans_and_relations_apart():
    mapping = parse_label_map("Content=CLAIM,rel:Content=cue_of")
    assert mapping.spans == {"Content": "CLAIM"} and mapping.relations == {"Content": "cue_of"}


def test_unknown_format(tmp_path):
    result = runner.invoke(app, ["convert", "--from", "conll", str(tmp_path), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 1 and "unknown source format 'conll'" in result.stderr


# ---------------------------------------------------------------------------------------------------------
# A brat corpus with several annotators per document converts and is scored


def test_brat_multi_corpus_is_scored(tmp_path):
    output = tmp_path / "annotations.jsonl"
    assert run_case(CASES / "brat_multi", output).exit_code == 0
    report = compute(read_docs(output), bootstrap=200, seed=0).to_dict()
    assert report["annotators"] == ["alice", "bob", "carol"]
    pairs = report["pairs"]
    assert pairs["alice"]["bob"]["n_docs"] == 2  # both saw doc1 and doc2 (bob's doc2 is empty)
    assert pairs["alice"]["carol"]["n_docs"] == 1 and pairs["bob"]["carol"]["n_docs"] == 1  # carol never saw doc2
    # doc1, alice vs carol: carol's three spans are exactly alice's first three: 3 matches, 7 + 3 spans.
    assert pairs["alice"]["carol"]["spans_exact_f1"]["value"] == pytest.approx(2 * 3 / (7 + 3))
    # alice vs bob: doc1 alice 7 spans, bob 7 (4 exact matches); doc2 alice 3, bob 0 (saw it, marked nothing).
    assert pairs["alice"]["bob"]["spans_exact_f1"]["value"] == pytest.approx(2 * 4 / (10 + 7))
    exact = report["spans"]["exact"]["micro"]
    # Pairs (a, b) in name order: alice-bob, alice-carol, bob-carol (bob and carol share Officials and said).
    assert (exact["matched"], exact["n_a"], exact["n_b"]) == (4 + 3 + 2, 10 + 7 + 7, 7 + 3 + 3)
    assert report["tokens"]["alpha"]["value"] is not None
    assert report["relations"]["overlap"]["per_label"]["attributed_to"]["f1"]["value"] > 0
    assert report["attributes"]["claim_type"]["n_pairs"] >= 3
    result = runner.invoke(app, ["agree", str(output), "--bootstrap", "50"])
    assert result.exit_code == 0 and "alice" in result.stderr and "Spans" in result.stderr
