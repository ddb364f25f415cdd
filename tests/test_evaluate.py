"""`annotate evaluate`: span P/R/F1 in exact and overlap mode, relations, triples, attributes, pairing by doc_id,
missing and extra docs, bad input, and the CLI. Span scores are checked against a published worked example."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotate.cli import app
from annotate.errors import RecordError
from annotate.evaluate import evaluate, evaluate_files
from annotate.records import AnnotatedDoc, Relation, Span, write_docs

runner = CliRunner()
TEXT = "".join(chr(ord("a") + i % 26) for i in range(500))


def spans(*items: tuple[int, int, str], attrs: dict | None = None) -> tuple[Span, ...]:
    return tuple(Span(id=f"x{i}", start=start, end=start + length, label=label, text=TEXT[start:start + length],
                      attrs=dict(attrs or {})) for i, (start, length, label) in enumerate(items))


def doc(items, doc_id="d1", annotator="model:test@1", relations=(), text=TEXT) -> AnnotatedDoc:
    return AnnotatedDoc(doc_id=doc_id, text=text, annotator=annotator, spans=items, relations=tuple(relations))


def test_krippendorff_unitizing_example_gives_the_published_f1():
    """oracles.md: Krippendorff (2004) unitizing example; c -> CLAIM, k -> SOURCE."""
    coder0 = spans((225, 70, "CLAIM"), (370, 30, "CLAIM"), (180, 60, "SOURCE"), (300, 50, "SOURCE"))
    coder1 = spans((220, 80, "CLAIM"), (355, 20, "CLAIM"), (400, 20, "CLAIM"), (180, 60, "SOURCE"), (300, 50, "SOURCE"))
    result = evaluate([doc(coder0)], [doc(coder1, annotator="gold")])
    assert result.spans["exact"]["ALL"].f1 == pytest.approx(0.4444, abs=1e-4)
    assert result.spans["overlap"]["ALL"].f1 == pytest.approx(0.8889, abs=1e-4)
    assert result.spans["exact"]["CLAIM"].f1 == 0.0
    assert result.spans["overlap"]["CLAIM"].f1 == pytest.approx(0.8)
    assert result.spans["exact"]["SOURCE"].f1 == result.spans["overlap"]["SOURCE"].f1 == 1.0
    # precision reads the predictions, recall the gold
    assert result.spans["overlap"]["CLAIM"].precision == 1.0
    assert result.spans["overlap"]["CLAIM"].recall == pytest.approx(2 / 3)


def attribution(claim: tuple[int, int], attrs: dict | None = None, doc_id: str = "d1", annotator: str = "gold"):
    items = (Span("s", 0, 10, "SOURCE", TEXT[0:10], {"source_type": "named_person"}),
             Span("q", 11, 15, "CUE", TEXT[11:15], {"cue_stance": "neutral"}),
             Span("c", claim[0], claim[1], "CLAIM", TEXT[claim[0]:claim[1]], attrs or {}),
             Span("p", 60, 70, "SUPPLEMENT", TEXT[60:70]))
    links = (Relation("c", "s", "attributed_to"), Relation("q", "c", "cue_of"), Relation("p", "c", "supplement_of"))
    return doc(items, doc_id=doc_id, annotator=annotator, relations=links)


def test_relations_and_triples_follow_span_alignment():
    gold = attribution((20, 50), {"certainty": "certain", "claim_type": "event"})
    shifted = attribution((20, 48), {"certainty": "probable"}, annotator="model:test@1")
    result = evaluate([shifted], [gold])
    # exact: the claim does not align, so no relation touching it and no triple matches
    assert result.spans["exact"]["CLAIM"].matched == 0
    assert all(result.relations["exact"][label].matched == 0 for label in ("attributed_to", "cue_of", "supplement_of"))
    assert result.triples["exact"].matched == 0 and result.triples["exact"].n_b == 1
    # overlap: everything aligns
    assert result.relations["overlap"]["ALL"].f1 == 1.0
    assert result.triples["overlap"].f1 == 1.0
    # attribute accuracy on aligned pairs, over what gold sets; a value the prediction leaves out is wrong
    overlap = {(s.label, s.attribute): s for s in result.attributes["overlap"]}
    assert overlap[("CLAIM", "certainty")].correct == 0 and overlap[("CLAIM", "certainty")].total == 1
    assert overlap[("CLAIM", "claim_type")].predicted == 0 and overlap[("CLAIM", "claim_type")].accuracy == 0.0
    assert overlap[("SOURCE", "source_type")].accuracy == 1.0
    assert overlap[("CUE", "cue_stance")].accuracy == 1.0
    assert ("CLAIM", "certainty") not in {(s.label, s.attribute) for s in result.attributes["exact"]}


def test_missing_and_extra_docs():
    gold = [attribution((20, 50), doc_id="a"), attribution((20, 50), doc_id="b")]
    predicted = [attribution((20, 50), doc_id="a", annotator="model:x@1"),
                 attribution((20, 50), doc_id="zzz", annotator="model:x@1")]
    result = evaluate(predicted, gold)
    assert result.missing == ("b",) and result.extra == ("zzz",)
    assert result.docs == 2
    # the missing doc's spans are all misses; the extra doc is not scored
    assert result.spans["exact"]["CLAIM"].n_b == 2 and result.spans["exact"]["CLAIM"].n_a == 1
    assert result.spans["exact"]["CLAIM"].recall == 0.5 and result.spans["exact"]["CLAIM"].precision == 1.0
    assert result.triples["exact"].n_b == 2 and result.triples["exact"].matched == 1


def test_entity_labels_are_scored_only_when_gold_has_them():
    predicted = doc(spans((0, 5, "GPE"), (20, 30, "CLAIM")))
    gold = doc(spans((20, 30, "CLAIM")), annotator="gold")
    result = evaluate([predicted], [gold])
    assert "GPE" not in result.labels and result.unscored_labels == {"GPE": 1}
    assert result.spans["exact"]["ALL"].f1 == 1.0
    gold_with_entities = doc(spans((0, 5, "GPE"), (20, 30, "CLAIM")), annotator="gold")
    result = evaluate([predicted], [gold_with_entities])
    assert "GPE" in result.labels and result.spans["exact"]["GPE"].f1 == 1.0


def test_bad_pairs_are_clear_errors(tmp_path):
    gold = tmp_path / "gold.jsonl"
    write_docs(gold, [attribution((20, 50), doc_id="a")])
    twice = tmp_path / "twice.jsonl"
    write_docs(twice, [attribution((20, 50), doc_id="a"), attribution((20, 50), doc_id="a")])
    with pytest.raises(RecordError, match=r"twice.jsonl:2: field \"doc_id\": duplicate doc_id 'a'"):
        evaluate_files(twice, gold)
    with pytest.raises(RecordError, match=r"twice.jsonl:2: field \"doc_id\": duplicate doc_id 'a' \(also line 1\)\. "
                                          "Gold must hold one record per document"):
        evaluate_files(gold, twice)
    other_text = tmp_path / "other.jsonl"
    write_docs(other_text, [doc((), doc_id="a", text="a different text")])
    with pytest.raises(RecordError, match="different text"):
        evaluate_files(other_text, gold)


def test_cli_json_and_table(tmp_path):
    gold = tmp_path / "gold.jsonl"
    predicted = tmp_path / "pred.jsonl"
    write_docs(gold, [attribution((20, 50), doc_id="a"), attribution((20, 50), doc_id="b")])
    write_docs(predicted, [attribution((20, 48), doc_id="a", annotator="model:x@1")])
    result = runner.invoke(app, ["evaluate", str(predicted), str(gold), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["missing_docs"] == ["b"]
    assert report["spans"]["exact"]["CLAIM"] == {"matched": 0, "predicted": 1, "gold": 2, "precision": 0.0,
                                                 "recall": 0.0, "f1": 0.0}
    assert report["spans"]["overlap"]["CLAIM"]["matched"] == 1
    assert report["triples"]["overlap"]["f1"] == pytest.approx(2 / 3)
    assert {"label", "attribute", "correct", "total", "predicted", "accuracy"} <= set(report["attributes"]["exact"][0])

    result = runner.invoke(app, ["evaluate", str(predicted), str(gold)])
    assert result.exit_code == 0
    assert result.stdout == ""  # the tables go to stderr
    assert "Missing predictions for 1 gold doc(s)" in result.output and "CLAIM" in result.output

    result = runner.invoke(app, ["evaluate", str(tmp_path / "none.jsonl"), str(gold)])
    assert result.exit_code == 1 and "Error:" in result.output and "cannot be read" in result.output


@pytest.mark.parametrize("empty_side", ["predictions", "gold"])
def test_an_empty_input_is_an_error(tmp_path, empty_side):
    gold = tmp_path / "gold.jsonl"
    predictions = tmp_path / "predictions.jsonl"
    text = "Officials said so."
    write_docs(gold, [AnnotatedDoc("d1", text, "gold", (Span("s1", 0, 9, "SOURCE", "Officials"),))])
    write_docs(predictions, [AnnotatedDoc("d1", text, "model:x", ())])
    empty = tmp_path / f"{empty_side}.jsonl"
    empty.write_text("\n")
    done = runner.invoke(app, ["evaluate", str(predictions), str(gold)])
    assert done.exit_code == 1
    fix = ("Give the records to score, e.g. the output of `annotate preannotate`" if empty_side == "predictions"
           else "Give the gold file that `annotate gold` wrote")
    assert " ".join(done.stderr.split()) == f"Error: {empty}: holds no records. {fix}"
