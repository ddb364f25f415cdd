"""Statistics: hand-checked corpus, attribution and annotator figures; --json and tables from the command; the
HTML report opened in real Chromium, offline, with its plots rendered (a screenshot goes to test-artifacts/)."""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from annotate.cli import app
from annotate.records import AnnotatedDoc, make_span, read_docs
from annotate.report_html import render_report
from annotate.stats import corpus_stats

DATA = Path(__file__).parent / "data" / "gold"
CORPUS = DATA / "corpus.jsonl"
ANNOTATIONS = DATA / "annotations.jsonl"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
runner = CliRunner()


@pytest.fixture(scope="module")
def single(gold_corpus):
    return corpus_stats(gold_corpus)


@pytest.fixture(scope="module")
def several(gold_annotations):
    return corpus_stats(gold_annotations)


def table(frame: pd.DataFrame, key: str, value: str) -> dict:
    return dict(zip(frame[key], frame[value]))


# ---------------------------------------------------------------------------------------------------------
# Corpus and attribution figures (corpus.jsonl: 12 gold documents, see tests/data/gold/make_fixtures.py)


def test_corpus_figures(single):
    docs = list(read_docs(CORPUS))
    assert single.figure("documents") == 12 and single.figure("records") == 12 and single.figure("annotators") == 1
    # Two documents have two sentences (n01; n08 with a paragraph break), the other ten have one.
    assert single.figure("sentences") == 14
    assert single.figure("spans") == sum(len(d.spans) for d in docs) == 73
    assert single.figure("relations") == 28
    # Triples: n01 has two attributions, every other document one (n05's and n09's outer sources are unlinked).
    assert single.figure("attributions") == 13
    assert table(single.labels, "label", "spans") == dict(Counter(s.label for d in docs for s in d.spans))
    assert table(single.relations, "label", "relations") == {"attributed_to": 13, "cue_of": 13, "supplement_of": 2}


def test_token_counts_and_span_lengths_by_hand():
    text = "Western officials told the BBC that 1,000 North Korean soldiers had been killed in three months."
    claim = make_span(text, "c", 36, 95, "CLAIM", {"claim_type": "statistical"})
    cue = make_span(text, "q", 18, 22, "CUE")
    stats = corpus_stats([AnnotatedDoc("d", text, "a", (claim, cue))])
    assert stats.figure("tokens") == 17  # 16 words and the full stop
    assert stats.figure("sentences") == 1
    assert table(stats.span_lengths, "label", "tokens") == {"CLAIM": 10, "CUE": 1}
    assert table(stats.labels, "label", "mean_chars") == {"CLAIM": 59, "CUE": 4}


def test_attribution_figures(single):
    top = single.sources.iloc[0]
    assert (top["source"], top["mentions"], top["documents"], top["source_type"]) == (
        "Ukrainian special forces fighting in Kursk", 2, 2, "anonymous_official")
    assert table(single.source_types, "source_type", "spans") == {
        "anonymous_official": 5, "named_organization": 3, "media_outlet": 3, "named_person": 2, "document": 1,
        "anonymous_other": 1}
    lemmas = Counter()
    for row in single.cues.itertuples():
        lemmas[row.lemma] += row.cues
    # said/saying/say -> say; told/have told -> tell; "according to" stays whole.
    assert lemmas == {"say": 4, "tell": 3, "according to": 1, "confirm": 1, "deny": 1, "estimate": 1, "promise": 1,
                      "quote": 1, "report": 1, "warn": 1}
    # 15 cues: confirmed (factive), denied (distancing), estimated (hedged), the other 12 neutral.
    assert table(single.cue_stances, "cue_stance", "cues") == {"neutral": 12, "factive": 1, "distancing": 1, "hedged": 1}
    claim_types = single.claims.groupby("claim_type")["claims"].sum().to_dict()
    assert claim_types == {"event": 5, "statistical": 3, "prediction": 2, "causal": 1, "intention": 1, "opinion": 1}
    assert single.claims.groupby("certainty")["claims"].sum().to_dict() == {
        "(unset)": 6, "certain": 3, "probable": 2, "possible": 2}
    # Numbers: 1,000 / 1,500 / 11,000 (the statistical claims) and "three weeks" (n01, n02); not "a permanent one".
    numeric = single.numeric_claims.set_index("claim_type")
    assert numeric.loc["statistical", "numeric"] == 3 and numeric.loc["event", "numeric"] == 2
    assert numeric.loc["prediction", "numeric"] == 0
    assert single.figure("numeric claims") == 5


def test_single_annotator_has_no_agreement(single):
    assert single.agreement.empty
    row = single.annotators.iloc[0]
    assert row["annotator"] == "gold" and row["documents"] == 12 and math.isnan(row["disagreement_rate"])


# ---------------------------------------------------------------------------------------------------------
# Annotators (annotations.jsonl)


def test_annotator_workload_lead_time_and_agreement(several):
    rows = several.annotators.set_index("annotator")
    assert rows.loc["alice", "documents"] == 3 and rows.loc["alice", "spans"] == 9
    assert rows.loc["alice", "lead_time_mean"] == pytest.approx(27.33, abs=0.01)  # (40 + 30 + 12) / 3
    assert rows.loc["alice", "lead_time_median"] == 30 and rows.loc["alice", "lead_time_total"] == 82
    assert math.isnan(rows.loc["model:en_core_web_sm@3.8.0", "lead_time_mean"])
    matrix = several.agreement
    # alice vs bob, exact: 7 shared spans of 9 and 8 -> 14/17. alice vs carol: 2 of 5 and 6 -> 4/11.
    assert matrix.loc["alice", "bob"] == pytest.approx(14 / 17, abs=1e-4) == matrix.loc["bob", "alice"]
    assert matrix.loc["alice", "carol"] == pytest.approx(4 / 11, abs=1e-4)
    assert math.isnan(matrix.loc["alice", "dave"])  # no shared document
    # alice against everyone she shares a document with: 9 matched of 32 spans -> F1 18/32.
    assert rows.loc["alice", "disagreement_rate"] == pytest.approx(1 - 18 / 32, abs=1e-4)
    assert math.isnan(rows.loc["dave", "disagreement_rate"])


def test_json_output_is_plain_data(several):
    data = several.to_dict()
    text = json.dumps(data, allow_nan=False)  # NaN became null
    assert data["overview"]["annotators"] == 5
    assert data["agreement"]["alice"]["dave"] is None
    assert json.loads(text)["labels"][0]["label"] == "SOURCE"


# ---------------------------------------------------------------------------------------------------------
# The command


def test_cli_stats_json_and_tables(tmp_path):
    done = runner.invoke(app, ["stats", str(ANNOTATIONS), "--json"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert data["overview"]["documents"] == 4 and data["match_mode"] == "exact"
    shown = runner.invoke(app, ["stats", str(CORPUS)])
    assert shown.exit_code == 0 and shown.stdout == ""
    assert "Ukrainian special forces" in shown.stderr and "overview" in shown.stderr


@pytest.mark.parametrize("args, message", [
    (["missing.jsonl"], "cannot be read"),
])
def test_cli_stats_errors(args, message):
    done = runner.invoke(app, ["stats", *args])
    assert done.exit_code == 1 and "Error:" in done.stderr and message in done.stderr


def test_cli_stats_match_is_a_choice():
    done = runner.invoke(app, ["stats", str(CORPUS), "--match", "fuzzy"])
    assert done.exit_code == 2 and "--match" in done.stderr and "'fuzzy' is not one of" in done.stderr


def test_html_is_self_contained_and_escaped(tmp_path):
    text = 'The <script>alert(1)</script> group said "yes".'
    source = make_span(text, "s", 0, text.index(" group") + 6, "SOURCE")
    html = render_report(corpus_stats([AnnotatedDoc("d", text, "a", (source,))]))
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for reference in ("src=", "href=", "@import", "url(", "<link"):
        assert reference not in html


# ---------------------------------------------------------------------------------------------------------
# The report in real Chromium


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM) and os.environ.get("ANNOTATE_NEED_BROWSER") != "1",
                    reason="Chromium is not installed at /usr/bin/chromium")
def test_html_report_renders_offline_in_chromium(tmp_path):
    from playwright.sync_api import sync_playwright

    report = tmp_path / "report.html"
    done = runner.invoke(app, ["stats", str(ANNOTATIONS), "--html", str(report)])
    assert done.exit_code == 0, done.output
    requests: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("request", lambda request: requests.append(request.url))
            page.goto(report.as_uri())
            page.wait_for_load_state("load")
            plots = page.eval_on_selector_all("svg.plot", """svgs => svgs.map(svg => {
                const box = svg.getBoundingClientRect();
                const marks = [...svg.querySelectorAll('rect')].map(r => r.getBoundingClientRect())
                                  .filter(b => b.width > 0 && b.height > 0).length;
                return {name: svg.dataset.plot, width: box.width, height: box.height, marks: marks};
            })""")
            page.screenshot(path=str(ARTIFACTS / "stats_report.png"), full_page=True)
        finally:
            browser.close()
    names = {plot["name"] for plot in plots}
    assert {"labels", "top-sources", "agreement", "lengths-CLAIM", "claim-types"} <= names
    for plot in plots:
        assert plot["width"] > 0 and plot["height"] > 0 and plot["marks"] > 0, plot
    agreement = next(plot for plot in plots if plot["name"] == "agreement")
    assert agreement["marks"] == 25  # 5 annotators x 5
    assert requests == [report.as_uri()]  # the page itself, nothing else
    assert (ARTIFACTS / "stats_report.png").stat().st_size > 10_000


def test_single_annotator_report_has_no_heatmap(single):
    html = render_report(single)
    assert 'data-plot="labels"' in html and 'data-plot="agreement"' not in html


def test_a_text_over_the_pipeline_limit_is_a_located_error(tmp_path):
    from annotate.records import write_docs

    source = tmp_path / "long.jsonl"
    write_docs(source, [AnnotatedDoc("d1", "Officials said so."), AnnotatedDoc("d2", "word " * 200_001)])
    done = runner.invoke(app, ["stats", str(source)])
    assert done.exit_code == 1
    assert " ".join(done.stderr.split()) == (f"Error: {source}:2: field \"text\": doc_id d2 has 1,000,005 characters, "
                                             "more than the pipeline's max_length (1,000,000). Split the article, or "
                                             "raise the pipeline's max_length")


def test_an_empty_input_is_an_error(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    done = runner.invoke(app, ["stats", str(empty), "--html", str(tmp_path / "report.html")])
    assert done.exit_code == 1
    assert done.stderr.startswith("Error: ") and "holds no records. Give a JSONL file of records" in done.stderr
    assert not (tmp_path / "report.html").exists()
