"""`annotate agree` and agreement.compute on records built from the seed articles and on small crafted corpora.

Token coefficients are checked against the maintained libraries on a reliability matrix built here, independently
of the package's own token code; "never saw it" (no record) and "saw it, marked nothing" (empty record) stay apart.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import krippendorff
import numpy as np
import pytest
import spacy
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa, fleiss_kappa
from typer.testing import CliRunner

from annotate.agreement import AgreementError, compute
from annotate.cli import app
from annotate.errors import RecordError
from annotate.matching import span_counts, triple_counts
from annotate.records import AnnotatedDoc, Relation, make_doc_id, make_span, write_docs

SEED = Path(__file__).resolve().parent.parent / "gold" / "seed" / "raw"
runner = CliRunner()

ATTRIBUTION = re.compile(r"([A-Z][\w’'-]+(?: [A-Z][\w’'-]+)*) (said|says|told|added|claimed) ([^.\n]{8,}?)[.\n]")


def seed_texts() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted(SEED.glob("*.txt"))]
    assert len(texts) == 5
    return texts


def annotate_seed(text: str, annotator: str) -> AnnotatedDoc:
    """An attribution annotation found by a pattern; 'bob' differs from 'alice' the way people do."""
    spans, relations = [], []
    for k, match in enumerate(ATTRIBUTION.finditer(text)):
        if annotator == "bob" and k % 4 == 3:
            continue  # bob misses some attributions
        claim_end = match.end(3) - (3 if annotator == "bob" and k % 3 == 1 else 0)  # and cuts some claims shorter
        source = make_span(text, f"s{k}", match.start(1), match.end(1), "SOURCE",
                           {"source_type": "named_person" if k % 2 else "named_organization"})
        cue = make_span(text, f"q{k}", match.start(2), match.end(2), "CUE",
                        {"cue_stance": "distancing" if match.group(2) == "claimed" else "neutral"})
        claim = make_span(text, f"c{k}", match.start(3), claim_end, "CLAIM",
                          {"claim_type": ("event", "statistical")[(k + (annotator == "bob" and k % 5 == 0)) % 2]})
        spans += [source, cue, claim]
        relations += [Relation(claim.id, source.id, "attributed_to"), Relation(cue.id, claim.id, "cue_of")]
    if annotator == "bob":
        extra = text.index("Kursk") if "Kursk" in text else 0
        spans.append(make_span(text, "x1", extra, extra + 5, "SOURCE"))
    return AnnotatedDoc(make_doc_id(text), text, annotator, tuple(spans), tuple(relations))


@pytest.fixture(scope="module")
def seed_records(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "annotations.jsonl"
    write_docs(path, [annotate_seed(text, name) for text in seed_texts() for name in ("alice", "bob")])
    return path


def coefficients(tree, path=()):
    """Every {"value", "ci_low", "ci_high"} in a report, with its path."""
    if isinstance(tree, dict):
        if set(tree) == {"value", "ci_low", "ci_high"}:
            yield path, tree
        else:
            for key, value in tree.items():
                yield from coefficients(value, (*path, key))


# ---------------------------------------------------------------------------------------------------------
# The seed articles, two annotators, through the command line


def test_agree_prints_the_full_report_on_seed_records(seed_records):
    result = runner.invoke(app, ["agree", str(seed_records), "--bootstrap", "200"])
    assert result.exit_code == 0, result.output
    text = result.stderr
    for title in ("Agreement of 2 annotators (alice, bob) on 5 of 5 documents", "Spans: pairwise F1",
                  "Tokens (", "Relations (endpoints matched", "attribution triples", "Attributes: nominal alpha",
                  "Annotator pairs"):
        assert title in text
    for label in ("CLAIM", "SOURCE", "CUE", "attributed_to", "cue_of", "claim_type", "source_type"):
        assert label in text


def test_agree_json_has_the_stable_structure(seed_records, tmp_path):
    report_path = tmp_path / "report.json"
    result = runner.invoke(app, ["agree", str(seed_records), "--json", "--bootstrap", "200", "-o", str(report_path)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert json.loads(report_path.read_text()) == report
    for mode in ("exact", "overlap"):
        assert set(report["spans"][mode]["micro"]["f1"]) == {"value", "ci_low", "ci_high"}
        assert set(report["spans"][mode]["per_label"]) == {"CLAIM", "SOURCE", "CUE"}
        assert report["relations"][mode]["micro"]["f1"]["value"] is not None
        assert set(report["relations"][mode]["per_label"]) == {"attributed_to", "cue_of"}
        assert report["triples"][mode]["f1"]["value"] is not None
    assert report["spans"]["unitizing_alpha"]["value"] is not None
    for name in ("alpha", "fleiss_kappa", "cohen_kappa_mean"):
        assert report["tokens"][name]["value"] is not None
        assert report["tokens"]["per_label"]["CLAIM"][name]["value"] is not None
    assert report["attributes"]["claim_type"]["n_pairs"] > 0 and "alpha" in report["attributes"]["claim_type"]
    assert report["pairs"]["alice"]["bob"] == report["pairs"]["bob"]["alice"]
    assert report["pairs"]["alice"]["bob"]["n_docs"] == 5
    found = list(coefficients(report))
    assert len(found) > 40
    for path, coefficient in found:
        if coefficient["value"] is not None and coefficient["ci_low"] is not None:
            # A percentile interval holds the point estimate unless resampling makes it one-sided; allow rounding.
            assert coefficient["ci_low"] <= coefficient["ci_high"], path
    # Values that must hold whatever the resampling: alice and bob agree on much, not on all.
    assert 0.5 < report["spans"]["overlap"]["micro"]["f1"]["value"] < 1.0
    assert report["spans"]["exact"]["micro"]["f1"]["value"] < report["spans"]["overlap"]["micro"]["f1"]["value"]


def test_same_seed_same_bytes_other_seed_other_intervals(seed_records):
    first = runner.invoke(app, ["agree", str(seed_records), "--json", "--bootstrap", "100", "--seed", "7"]).stdout
    again = runner.invoke(app, ["agree", str(seed_records), "--json", "--bootstrap", "100", "--seed", "7"]).stdout
    other = runner.invoke(app, ["agree", str(seed_records), "--json", "--bootstrap", "100", "--seed", "8"]).stdout
    assert first == again
    assert first != other
    assert json.loads(first)["spans"]["overlap"]["micro"]["f1"]["value"] == json.loads(other)["spans"]["overlap"]["micro"]["f1"]["value"]


def test_bootstrap_zero_gives_values_without_intervals(seed_records):
    from annotate.records import read_docs

    report = compute(read_docs(seed_records), bootstrap=0).to_dict()
    assert report["bootstrap"]["resamples"] == 0
    assert all(c["ci_low"] is None and c["ci_high"] is None for _, c in coefficients(report))


def test_span_scores_equal_the_matcher_summed_over_documents(seed_records):
    from annotate.records import read_docs

    docs = list(read_docs(seed_records))
    report = compute(docs, bootstrap=0).to_dict()
    by_doc: dict[str, dict[str, AnnotatedDoc]] = {}
    for doc in docs:
        by_doc.setdefault(doc.doc_id, {})[doc.annotator] = doc
    for mode in ("exact", "overlap"):
        matched = n_a = n_b = 0
        triple_matched = triple_total = 0
        for pair in by_doc.values():
            for counts in span_counts(pair["alice"].spans, pair["bob"].spans, mode).values():
                matched, n_a, n_b = matched + counts.matched, n_a + counts.n_a, n_b + counts.n_b
            triples = triple_counts(pair["alice"], pair["bob"], mode)
            triple_matched, triple_total = triple_matched + triples.matched, triple_total + triples.n_a + triples.n_b
        micro = report["spans"][mode]["micro"]
        assert (micro["matched"], micro["n_a"], micro["n_b"]) == (matched, n_a, n_b)
        assert micro["f1"]["value"] == pytest.approx(2 * matched / (n_a + n_b), abs=1e-6)
        assert report["triples"][mode]["f1"]["value"] == pytest.approx(2 * triple_matched / triple_total, abs=1e-6)


# ---------------------------------------------------------------------------------------------------------
# Tokens against the libraries, and "never saw it" against "saw it, marked nothing"


def reliability_matrix(docs: list[AnnotatedDoc], annotators: list[str]) -> np.ndarray:
    """Annotators × tokens of every document, label codes; NaN where the annotator has no record (never saw it)."""
    tokenizer = spacy.blank("en").tokenizer
    labels = sorted({span.label for doc in docs for span in doc.spans})
    code = {label: index for index, label in enumerate(labels, start=1)}
    by_doc: dict[str, dict[str, AnnotatedDoc]] = {}
    for doc in docs:
        by_doc.setdefault(doc.doc_id, {})[doc.annotator] = doc
    columns = []
    for doc_id in sorted(by_doc):
        records = by_doc[doc_id]
        if len(records) < 2:
            continue
        text = next(iter(records.values())).text
        for token in tokenizer(text):
            if token.is_space:
                continue
            start, end = token.idx, token.idx + len(token)
            column = []
            for name in annotators:
                if name not in records:
                    column.append(np.nan)
                    continue
                covering = [s for s in records[name].spans if s.start < end and start < s.end]
                column.append(float(code[min(covering, key=lambda s: (s.end - s.start, -code[s.label])).label]) if covering else 0.0)
            columns.append(column)
    return np.array(columns).T


def small_corpus(carol_on_doc2: str) -> list[AnnotatedDoc]:
    text1 = "Officials said the troops had withdrawn from the border on Friday."
    text2 = "The ministry claimed that 1,000 soldiers had been killed, analysts said."
    docs = []

    def doc(text, name, *marks):
        spans = [make_span(text, f"s{i}", text.index(phrase), text.index(phrase) + len(phrase), label)
                 for i, (phrase, label) in enumerate(marks)]
        return AnnotatedDoc(make_doc_id(text), text, name, tuple(spans))

    docs.append(doc(text1, "alice", ("Officials", "SOURCE"), ("said", "CUE"), ("the troops had withdrawn from the border", "CLAIM")))
    docs.append(doc(text1, "bob", ("Officials", "SOURCE"), ("said", "CUE"), ("the troops had withdrawn", "CLAIM")))
    docs.append(doc(text1, "carol", ("said", "CUE"), ("troops had withdrawn from the border on Friday", "CLAIM")))
    docs.append(doc(text2, "alice", ("The ministry", "SOURCE"), ("claimed", "CUE"), ("1,000 soldiers had been killed", "CLAIM")))
    docs.append(doc(text2, "bob", ("ministry", "SOURCE"), ("claimed", "CUE"), ("1,000 soldiers had been killed", "CLAIM"),
                    ("analysts", "SOURCE")))
    if carol_on_doc2 == "empty":
        docs.append(doc(text2, "carol"))  # saw it, marked nothing
    return docs


@pytest.mark.parametrize("carol_on_doc2", ["missing", "empty"])
def test_token_alpha_equals_the_krippendorff_package(carol_on_doc2):
    docs = small_corpus(carol_on_doc2)
    report = compute(docs, bootstrap=0).to_dict()
    reliability = reliability_matrix(docs, ["alice", "bob", "carol"])
    assert np.isnan(reliability).any() == (carol_on_doc2 == "missing")
    expected = krippendorff.alpha(reliability, level_of_measurement="nominal")
    assert report["tokens"]["alpha"]["value"] == pytest.approx(expected, abs=1e-6)
    assert report["tokens"]["n_tokens"] == reliability.shape[1]


def test_missing_is_not_empty():
    missing = compute(small_corpus("missing"), bootstrap=0).to_dict()
    empty = compute(small_corpus("empty"), bootstrap=0).to_dict()
    assert missing["pairs"]["alice"]["carol"]["n_docs"] == 1
    assert empty["pairs"]["alice"]["carol"]["n_docs"] == 2
    # An empty record counts as disagreement with everything alice marked; a missing one counts for nothing.
    assert empty["spans"]["overlap"]["micro"]["n_a"] > missing["spans"]["overlap"]["micro"]["n_a"]
    assert empty["pairs"]["alice"]["carol"]["spans_overlap_f1"]["value"] < missing["pairs"]["alice"]["carol"]["spans_overlap_f1"]["value"]
    assert empty["tokens"]["alpha"]["value"] != missing["tokens"]["alpha"]["value"]


def test_fleiss_and_cohen_equal_statsmodels_on_a_fully_crossed_corpus():
    docs = small_corpus("empty")
    report = compute(docs, bootstrap=0).to_dict()
    reliability = reliability_matrix(docs, ["alice", "bob", "carol"]).astype(int)
    table, _ = aggregate_raters(reliability.T)
    assert report["tokens"]["fleiss_kappa"]["value"] == pytest.approx(fleiss_kappa(table), abs=1e-6)
    kappas = []
    for a, b in ((0, 1), (0, 2), (1, 2)):
        confusion = np.zeros((4, 4))
        np.add.at(confusion, (reliability[a], reliability[b]), 1)
        kappas.append(cohens_kappa(confusion, return_results=False))
    assert report["tokens"]["cohen_kappa_mean"]["value"] == pytest.approx(np.mean(kappas), abs=1e-6)
    assert report["pairs"]["alice"]["bob"]["tokens_cohen_kappa"]["value"] == pytest.approx(kappas[0], abs=1e-6)
    # One label against the rest: CLAIM tokens vs all others.
    claim = (reliability == 1).astype(int)  # codes: CLAIM=1, CUE=2, SOURCE=3 (sorted)
    assert report["tokens"]["per_label"]["CLAIM"]["alpha"]["value"] == pytest.approx(
        krippendorff.alpha(claim.astype(float), level_of_measurement="nominal"), abs=1e-6)
    assert report["tokens"]["per_label"]["CLAIM"]["fleiss_kappa"]["value"] == pytest.approx(
        fleiss_kappa(aggregate_raters(claim.T)[0]), abs=1e-6)


# ---------------------------------------------------------------------------------------------------------
# Attributes, models, gold


def test_attribute_alpha_over_matched_pairs():
    text = "A said x. B said y. C said z. D said w. E said v."
    values = [("event", "event"), ("statistical", "statistical"), ("event", "statistical"), ("opinion", "opinion"), ("event", None)]
    docs = []
    for side, name in ((0, "alice"), (1, "bob")):
        spans = []
        for k, pair in enumerate(values):
            start = text.index("xyzwv"[k])
            attrs = {"claim_type": pair[side]} if pair[side] else {}
            spans.append(make_span(text, f"c{k}", start, start + 1, "CLAIM", attrs))
        docs.append(AnnotatedDoc("d1", text, name, tuple(spans)))
    report = compute(docs, bootstrap=0).to_dict()["attributes"]["claim_type"]
    assert report["n_pairs"] == 4 and report["n_one_sided"] == 1
    expected = krippendorff.alpha([["event", "statistical", "event", "opinion"], ["event", "statistical", "statistical", "opinion"]],
                                  level_of_measurement="nominal")
    assert report["alpha"]["value"] == pytest.approx(expected, abs=1e-6)


def test_models_are_left_out_unless_asked(seed_records):
    from annotate.records import read_docs

    docs = list(read_docs(seed_records))
    model = [doc.with_(annotator="model:en_core_web_sm@3.8.0") for doc in docs if doc.annotator == "alice"]
    left_out = compute(docs + model, bootstrap=0)
    assert left_out.annotators == ("alice", "bob") and left_out.excluded_models == ("model:en_core_web_sm@3.8.0",)
    assert any("--include-models" in note for note in left_out.notes)
    included = compute(docs + model, bootstrap=0, include_models=True).to_dict()
    assert included["annotators"] == ["alice", "bob", "model:en_core_web_sm@3.8.0"]
    assert included["pairs"]["alice"]["model:en_core_web_sm@3.8.0"]["spans_exact_f1"]["value"] == 1.0


def test_each_annotator_is_scored_against_gold(seed_records):
    from annotate.records import read_docs

    docs = list(read_docs(seed_records))
    gold = [doc.with_(annotator="gold") for doc in docs if doc.annotator == "alice"]
    report = compute(docs + gold, bootstrap=100).to_dict()
    assert report["annotators"] == ["alice", "bob"]  # gold is a reference, not a third annotator
    assert report["gold"]["alice"]["spans"]["exact"]["f1"]["value"] == 1.0
    bob = report["gold"]["bob"]["spans"]["exact"]
    assert bob["precision"]["value"] == pytest.approx(bob["matched"] / bob["n_annotator"], abs=1e-6)
    assert bob["recall"]["value"] == pytest.approx(bob["matched"] / bob["n_gold"], abs=1e-6)
    assert bob["f1"]["ci_low"] <= bob["f1"]["value"] <= bob["f1"]["ci_high"]
    assert report["gold"]["bob"]["n_docs"] == 5
    # One annotator and gold is enough for scores against gold, with no inter-annotator part.
    only = compute([d for d in docs if d.annotator == "bob"] + gold, bootstrap=0).to_dict()
    assert only["spans"] is None and only["gold"]["bob"]["spans"]["exact"]["f1"]["value"] == bob["f1"]["value"]


# ---------------------------------------------------------------------------------------------------------
# Bad input


def write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


def record(annotator, text="Officials said so.", spans=()):
    return {"doc_id": "d1", "text": text, "annotator": annotator, "spans": list(spans), "relations": []}


@pytest.mark.parametrize(("records", "message"), [
    ([record("alice"), record("bob", text="Something else.")],
     "annotations.jsonl: field \"text\": record 2 (doc d1, annotator 'bob') has a different text from record 1"),
    ([record("alice")], "agreement needs records from at least two annotators (or one annotator and 'gold'); found annotators: 'alice'"),
    ([record("alice"), record("model:x")], "Add --include-models"),
    ([{**record(None), "spans": [{"id": "s1", "start": 0, "end": 9, "label": "SOURCE"}]}, record("bob")],
     "record 1 (doc d1) has spans but no annotator"),
])
def test_bad_input_gives_one_clear_error(tmp_path, records, message):
    path = write(tmp_path / "annotations.jsonl", records)
    output = tmp_path / "report.json"
    result = runner.invoke(app, ["agree", str(path), "-o", str(output)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert message in " ".join(result.stderr.split())
    assert not output.exists()


def test_missing_file(tmp_path):
    result = runner.invoke(app, ["agree", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 1 and "cannot be read" in result.stderr


def test_library_errors_are_exceptions_not_exits():
    with pytest.raises(AgreementError):
        compute([AnnotatedDoc("d", "Hello there.", "alice")])
    with pytest.raises(RecordError):
        compute([AnnotatedDoc("d", "Hello there.", "alice"), AnnotatedDoc("d", "Hello, again.", "bob")])


def test_docs_cover_every_option_of_agree_and_convert():
    docs = (Path(__file__).resolve().parent.parent / "docs" / "agreement.md").read_text(encoding="utf-8")
    for command in ("agree", "convert"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert f"annotate {command}" in docs
        options = set(re.findall(r"(--[a-z][a-z-]+)", result.output)) - {"--help"}
        assert options, result.output
        for option in options:
            assert option in docs, f"docs/agreement.md does not mention {command} {option}"
