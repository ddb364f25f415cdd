"""Claims across outlets: numbers, figures with the real spaCy pipeline, conflicts, linking on the seed articles,
evaluation against gold/seed/claims.jsonl, the report, and the errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotate.claims.conflicts import CONFLICT, CONSISTENT, DIFFERENT, compare
from annotate.claims.evaluate import score_clusters
from annotate.claims.figures import figure_mentions
from annotate.claims.numbers import find_numbers
from annotate.claims.settings import load_settings
from annotate.records import AnnotatedDoc, make_span, read_docs, write_docs

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "gold" / "seed"
SETTINGS = load_settings()


@pytest.mark.parametrize("text,expected", [
    ("some 11,000 troops", [(11000, 11000)]),
    ("11 000 cars", [(11000, 11000)]),
    ("11k homes", [(11000, 11000)]),
    ("eleven thousand people", [(11000, 11000)]),
    ("1.1 million dollars", [(1.1e6, 1.1e6)]),
    ("between 10,000 and 12,000 jobs", [(10000, 12000)]),
    ("10,000-12,000 voters", [(10000, 12000)]),
    ("from 5 to 10 million people", [(5e6, 10e6)]),
    ("45% of residents", [(45, 45)]),
    ("twenty-five thousand", [(25000, 25000)]),
    ("60,000 troops and 12,000 North Koreans", [(60000, 60000), (12000, 12000)]),
])
def test_numbers(text, expected):
    found = [(n.low, n.high) for n in find_numbers(text, SETTINGS.scales, SETTINGS.vague) if not n.vague]
    assert found == expected


@pytest.fixture(scope="module")
def nlp():
    from annotate.nlp import load_pipeline, split_glued_quotes

    pipeline = load_pipeline()
    split_glued_quotes(pipeline)
    return pipeline


def _figures(nlp, text: str):
    doc = AnnotatedDoc("d1", text, "alice", (make_span(text, "c1", 0, len(text), "CLAIM"),))
    return [m.figure for m in figure_mentions(doc, nlp(text), SETTINGS)]


@pytest.mark.parametrize("text,bound,kind,low,high", [
    ("Officials said some 11,000 troops were sent to the border.", "approximate", "personnel", 11000, 11000),
    ("More than 10,000 soldiers were deployed last year.", "lower", "personnel", 10000, 10000),
    ("At least 300 people were killed in the floods.", "lower", "killed", 300, 300),
    ("Up to 2,500 residents were evacuated from the valley.", "upper", "displaced", 2500, 2500),
    ("Between 10,000 and 12,000 workers lost their jobs.", "exact", "noun:worker", 10000, 12000),
    ("The strike left 1.1 million households without power.", "exact", "noun:household", 1.1e6, 1.1e6),
    ("Eleven thousand protesters marched through the capital.", "exact", "noun:protester", 11000, 11000),
    ("The fire destroyed about 4,000 hectares of forest.", "approximate", "area", 4000, 4000),
    ("Around 4,000 were killed or injured in the fighting.", "approximate", "casualties", 4000, 4000),
    ("Turnout fell to 45% of registered voters.", "exact", "percent:voter", 45, 45),
])
def test_figures(nlp, text, bound, kind, low, high):
    figures = _figures(nlp, text)
    assert len(figures) == 1, figures
    figure = figures[0]
    assert (figure.bound, figure.kind, figure.low, figure.high) == (bound, kind, low, high)
    assert text[figure.start:figure.end] == figure.text


def test_dates_years_and_durations_are_not_figures(nlp):
    assert _figures(nlp, "In 2022, on January 31, officials spoke for 21 days in a five-minute video.") == []


def test_time_and_owner(nlp):
    [figure] = _figures(nlp, "In December, the ministry put Russia's losses at 3,000 dead.")
    assert figure.owners == ("russia",)
    [figure] = _figures(nlp, "Officials said 1,000 soldiers had been killed in just three months.")
    assert figure.time == "in just three months"


def test_conflicts(nlp):
    def mention(text):
        doc = AnnotatedDoc(text[:8], text, "alice", (make_span(text, "c1", 0, len(text), "CLAIM"),))
        return next(iter(figure_mentions(doc, nlp(text), SETTINGS)))

    eleven = mention("Some 11,000 troops were sent.")
    twelve = mention("12,000 troops were sent.")
    more = mention("More than 10,000 troops were sent.")
    killed = mention("1,000 soldiers had been killed.")
    wounded = mention("3,000 soldiers were killed or injured.")
    assert compare(eleven, twelve, SETTINGS).status == CONFLICT
    assert compare(more, eleven, SETTINGS).status == CONSISTENT
    assert compare(killed, wounded, SETTINGS).status == DIFFERENT
    march = mention("In March, 300 people died in the floods.")
    june = mention("In June, 900 people died in the floods.")
    assert march.figure.time and compare(march, june, SETTINGS).status == DIFFERENT  # other times: not a conflict


# Another story, written for these tests: three outlets on one earthquake, with their own figures.
QUAKE = {
    "reuters": [("Officials in the province said at least 300 people were killed when the earthquake struck on Monday.",
                 "Officials in the province", "said", "at least 300 people were killed when the earthquake struck on Monday"),
                ("The Red Cross said more than 2,000 homes had been destroyed.", "The Red Cross", "said",
                 "more than 2,000 homes had been destroyed"),
                ("The country's 12 million residents were told to stay indoors.", None, None, None)],
    "ap": [("The health ministry said 280 people had died and about 1,200 were injured.", "The health ministry", "said",
            "280 people had died and about 1,200 were injured"),
           ("Aid agencies estimate that some 5,000 families were displaced.", "Aid agencies", "estimate",
            "some 5,000 families were displaced")],
    "guardian": [("According to local officials, the death toll stood at 410 by Tuesday evening.", "local officials",
                  "According to", "the death toll stood at 410 by Tuesday evening"),
                 ("Rescuers said roughly 2,300 houses were destroyed across 40 villages.", "Rescuers", "said",
                  "roughly 2,300 houses were destroyed across 40 villages"),
                 ("Inflation reached 45% last year, the central bank said.", "the central bank", "said",
                  "Inflation reached 45% last year")],
}


def quake_docs() -> list[AnnotatedDoc]:
    from annotate.records import Relation

    docs = []
    for outlet, sentences in QUAKE.items():
        text = " ".join(sentence for sentence, *_ in sentences)
        spans, relations = [], []
        for index, (sentence, source, cue, claim) in enumerate(sentences):
            if claim is None:
                continue
            base = text.index(sentence)
            for span_id, label, part in ((f"s{index}", "SOURCE", source), (f"q{index}", "CUE", cue),
                                         (f"c{index}", "CLAIM", claim)):
                at = base + sentence.index(part)
                spans.append(make_span(text, span_id, at, at + len(part), label))
            relations += [Relation(f"c{index}", f"s{index}", "attributed_to"), Relation(f"q{index}", f"c{index}", "cue_of")]
        docs.append(AnnotatedDoc(outlet, text, "alice", tuple(spans), tuple(relations), {"outlet": outlet}))
    return docs


def test_another_story(tmp_path, nlp):
    from annotate.claims import link_claims

    path = _write(tmp_path / "quake.jsonl", quake_docs())
    result = link_claims(path, tmp_path / "claims.jsonl", nlp=nlp)
    linked = {g.group_id: g for g in result.groups if len(g.doc_ids) > 1}
    by_figure = {m.figure.text: g for g in linked.values() for m in g.members}
    deaths = by_figure["280"]
    assert {m.figure.text for m in deaths.members} == {"300", "280", "410"} and deaths.status == CONFLICT
    assert {m.claim.outlet for m in deaths.members} == {"reuters", "ap", "guardian"}
    homes = by_figure["2,000"]
    assert {m.figure.text for m in homes.members} == {"2,000", "2,300"} and homes.status == CONSISTENT
    for alone in ("1,200", "5,000", "45", "12 million", "40"):
        assert alone not in by_figure, alone


def test_scores_of_clusters():
    gold = {"a": "1", "b": "1", "c": "1", "d": "2"}
    assert score_clusters(gold, dict(gold)).pairwise_f1 == 1.0
    split = score_clusters(gold, {"a": "x", "b": "x", "c": "y", "d": "z"})
    assert split.pairwise_precision == 1.0 and split.pairwise_recall == pytest.approx(1 / 3)
    assert 0 < split.b3_f1 < 1


# ---------------------------------------------------------------------------------------------------------
# The seeds, through the CLI


@pytest.fixture(scope="module")
def seed_links(tmp_path_factory, nlp):
    from annotate.claims import link_claims

    folder = tmp_path_factory.mktemp("claims")
    result = link_claims(SEED / "data.jsonl", folder / "claims.jsonl", nlp=nlp)
    return result, folder / "claims.jsonl"


def _group_with(groups, doc_prefix, figure_text):
    for group in groups:
        for member in group.members:
            if member.claim.doc_id.startswith(doc_prefix) and member.figure.text == figure_text:
                return group
    raise AssertionError(f"{figure_text} not found")


def test_seed_troops_and_casualties(seed_links):
    result, _ = seed_links
    troops = _group_with(result.groups, "2efc", "11,000")
    assert troops.status == CONFLICT
    assert {m.figure.text for m in troops.members} == {"11,000", "12,000", "10,000"}
    casualties = _group_with(result.groups, "d287", "3,000")
    texts = {m.figure.text for m in casualties.members}
    assert texts == {"1,000", "4,000", "3,000", "1,100"}
    kinds = {m.figure.text: m.figure.kind for m in casualties.members}
    assert kinds["1,000"] == "killed" and kinds["3,000"] == "casualties"
    assert casualties is not troops
    outside = [("cdbe", "45,100"), ("2efc", "60,000"), ("cdbe", "1,000")]  # the last: the 1,000 sq km
    for doc, text in outside:
        group = next(g for g in result.groups for m in g.members if m.claim.doc_id.startswith(doc)
                     and m.figure.text == text and (text != "1,000" or m.figure.unit))
        assert group is not troops and group is not casualties
    copies = [m for m in troops.members if m.copy_of]
    assert len(copies) == 1  # the BBC passage copied into its near-duplicate


@pytest.mark.integration  # slow (a CLI subprocess or a spaCy run): out of the fast path
def test_seed_evaluation_from_gold_spans(seed_links, run_cli):
    _, claims = seed_links
    done = run_cli("claims", "evaluate", claims, SEED / "claims.jsonl", "--json")
    assert done.returncode == 0, done.stderr
    scores = json.loads(done.stdout)
    assert scores["pairwise_f1"] >= 0.8 and scores["b3_f1"] >= 0.8


@pytest.mark.integration  # slow (a CLI subprocess or a spaCy run): out of the fast path
def test_seed_evaluation_from_model_predictions(tmp_path, run_cli):
    predictions = tmp_path / "predictions.jsonl"
    assert run_cli("preannotate", SEED / "articles.jsonl", "-o", predictions).returncode == 0
    done = run_cli("claims", "link", predictions, "-o", tmp_path / "claims.jsonl")
    assert done.returncode == 0, done.stderr
    done = run_cli("claims", "evaluate", tmp_path / "claims.jsonl", SEED / "claims.jsonl", "--json")
    scores = json.loads(done.stdout)
    assert scores["pairwise_f1"] >= 0.8, scores


@pytest.mark.integration  # slow (a CLI subprocess or a spaCy run): out of the fast path
def test_report_html_and_json(seed_links, tmp_path, run_cli):
    _, claims = seed_links
    html = tmp_path / "report.html"
    done = run_cli("claims", "report", claims, "--html", html, "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["groups"][0]["status"] == CONFLICT
    page = html.read_text(encoding="utf-8")
    assert "Claims across outlets" in page and "<script" not in page and "http" not in page.split("<body")[0]
    assert page.index('data-status="conflict"') < page.index('data-status="agree"')
    assert '1<mark class="figure">1,000</mark>' not in page  # the 1,000 killed is not the end of "11,000"
    assert 'Russia, <mark class="figure">1,000</mark> had been killed' in page
    again = run_cli("claims", "report", claims, "--html", html)  # its own output is replaced
    assert again.returncode == 0, again.stderr


@pytest.mark.integration  # slow (a CLI subprocess or a spaCy run): out of the fast path
def test_stats_html_has_the_claims_section(tmp_path, run_cli):
    html = tmp_path / "stats.html"
    done = run_cli("stats", SEED / "data.jsonl", "--html", html)
    assert done.returncode == 0, done.stderr
    page = html.read_text(encoding="utf-8")
    assert 'id="claims-across-outlets"' in page and page.count('class="claims-group"') == 5
    single = tmp_path / "one.jsonl"
    _write(single, list(read_docs(SEED / "data.jsonl"))[:1])
    assert run_cli("stats", single, "--html", tmp_path / "one.html").returncode == 0
    assert "claims-across-outlets" not in (tmp_path / "one.html").read_text(encoding="utf-8")


def test_check_seed_gold_is_current():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(SEED / "build_claims.py"), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------------------------------------------------
# Bad input


def _write(path: Path, docs) -> Path:
    write_docs(path, docs)
    return path


@pytest.mark.integration  # slow (a CLI subprocess or a spaCy run): out of the fast path
def test_one_document_is_refused(tmp_path, run_cli):
    one = _write(tmp_path / "one.jsonl", list(read_docs(SEED / "data.jsonl"))[:1])
    done = run_cli("claims", "link", one, "-o", tmp_path / "out.jsonl")
    assert done.returncode == 1
    assert done.stderr.strip() == (f"Error: {one}: holds one document (2efc5f23fc7092ac); claims are linked across "
                                   "documents, so pass the articles of at least two outlets")
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.integration  # slow (a CLI subprocess or a spaCy run): out of the fast path
def test_claims_without_figures_are_refused(tmp_path, run_cli):
    texts = ["The minister said the talks had failed.", "Officials told reporters the talks would resume."]
    docs = [AnnotatedDoc(f"doc{i}", text, "alice", (make_span(text, "c1", text.index("the talks"), len(text) - 1, "CLAIM"),))
            for i, text in enumerate(texts)]
    path = _write(tmp_path / "nofigures.jsonl", docs)
    done = run_cli("claims", "link", path, "-o", tmp_path / "out.jsonl")
    assert done.returncode == 1
    assert done.stderr.strip() == (f"Error: {path}: none of its 2 CLAIM spans in 2 documents states a figure (a number "
                                   "and what it counts); claims are linked by their figures, so there is nothing to link")


@pytest.mark.integration  # slow (a CLI subprocess or a spaCy run): out of the fast path
def test_empty_file_is_refused(tmp_path, run_cli):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    done = run_cli("claims", "link", empty, "-o", tmp_path / "out.jsonl")
    assert done.returncode == 1
    assert done.stderr.strip() == (f"Error: {empty}: holds no records. pass a JSONL of annotated documents "
                                   "(gold, pulled annotations or predictions)")


@pytest.mark.integration  # slow (a CLI subprocess or a spaCy run): out of the fast path
def test_output_over_the_input_or_a_foreign_file_is_refused(tmp_path, run_cli):
    data = tmp_path / "data.jsonl"
    data.write_bytes((SEED / "data.jsonl").read_bytes())
    done = run_cli("claims", "link", data, "-o", data)
    assert done.returncode == 1 and "is also an input of this command" in done.stderr
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n", encoding="utf-8")
    done = run_cli("claims", "link", data, "-o", notes)
    assert done.returncode == 1 and "exists and was not written by this command" in done.stderr
    assert notes.read_text(encoding="utf-8") == "my notes\n"


@pytest.mark.integration  # slow (a CLI subprocess or a spaCy run): out of the fast path
def test_threshold_outside_zero_one_is_refused(tmp_path, run_cli):
    done = run_cli("claims", "link", SEED / "data.jsonl", "-o", tmp_path / "out.jsonl", "--threshold", "1.5")
    assert done.returncode == 1
    assert done.stderr.strip() == ("Error: --threshold is 1.5; a link threshold is between 0 and 1 "
                                   "(the default is 0.5)")


@pytest.mark.integration  # slow (a CLI subprocess or a spaCy run): out of the fast path
def test_report_of_a_documents_file_is_refused(tmp_path, run_cli):
    done = run_cli("claims", "report", SEED / "data.jsonl")
    assert done.returncode == 1
    assert "is not a claims group" in done.stderr and "run `annotate claims link` on it first" in done.stderr


# ---------------------------------------------------------------------------------------------------------
# Judgments: tasks, agreement checked against the maintained libraries, gold from majority votes


def _judgments(pairs: list[tuple[str, str]]):
    from annotate.claims.judgments import Judgment

    out = []
    for index, (first, second) in enumerate(pairs):
        for annotator, answer in (("alice", first), ("bob", second)):
            out.append(Judgment(f"p{index}", "g1", f"d1:{index}-{index + 1}", f"d2:{index}-{index + 1}", annotator,
                                answer, "no"))
    return out


def test_judgment_agreement_matches_the_libraries():
    import krippendorff
    from statsmodels.stats.inter_rater import cohens_kappa, fleiss_kappa

    from annotate.claims.judgments import LINK_CHOICES, judgment_agreement

    pairs = [("same claim", "same claim")] * 6 + [("related", "related")] * 3 + [("different", "different")] * 2 \
        + [("same claim", "related"), ("related", "different"), ("same claim", "different")]
    result = judgment_agreement(_judgments(pairs), bootstrap=100)
    codes = {value: index for index, value in enumerate(LINK_CHOICES)}
    table = [[codes[a] for a, _ in pairs], [codes[b] for _, b in pairs]]
    alpha = krippendorff.alpha(reliability_data=table, level_of_measurement="nominal")
    assert result.coefficients["alpha"][0] == pytest.approx(alpha, abs=1e-4)
    confusion = [[sum(1 for a, b in pairs if codes[a] == i and codes[b] == j) for j in range(3)] for i in range(3)]
    assert result.coefficients["cohen_kappa"][0] == pytest.approx(cohens_kappa(confusion).kappa, abs=1e-4)
    counts = [[sum(1 for answer in pair if codes[answer] == v) for v in range(3)] for pair in pairs]
    assert result.coefficients["fleiss_kappa"][0] == pytest.approx(fleiss_kappa(counts), abs=1e-4)
    low, value, high = result.coefficients["alpha"][1], result.coefficients["alpha"][0], result.coefficients["alpha"][2]
    assert low <= value <= high


def test_agreement_needs_two_judges():
    from annotate.claims.judgments import JudgmentError, judgment_agreement

    one = [j for j in _judgments([("same claim", "same claim")]) if j.annotator == "alice"]
    with pytest.raises(JudgmentError, match="needs pairs judged by at least two people"):
        judgment_agreement(one)


def test_gold_from_majority_judgments():
    from annotate.claims.judgments import Judgment, gold_from_judgments

    votes = [Judgment("p1", "g", "a:0-1", "b:0-1", name, link, None)
             for name, link in (("x", "same claim"), ("y", "same claim"), ("z", "related"))]
    votes += [Judgment("p2", "g", "a:0-1", "c:0-1", name, link, None)
              for name, link in (("x", "same claim"), ("y", "different"))]
    groups = sorted(gold_from_judgments(votes).values())
    assert groups == [["a:0-1", "b:0-1"], ["c:0-1"]]


def test_comparison_tasks_mark_source_and_figure(seed_links):
    from annotate.claims.judgments import comparison_tasks

    result, _ = seed_links
    tasks = comparison_tasks(result.groups)
    assert tasks and len({t["data"]["pair_id"] for t in tasks}) == len(tasks)
    troops = next(t["data"] for t in tasks if "Zelenskyy" in t["data"]["left_html"] + t["data"]["right_html"])
    assert '<mark style="background:#cfe2ff">Ukrainian President Volodymyr Zelenskyy</mark>' in \
        troops["left_html"] + troops["right_html"]
    assert all(t["data"]["left_key"].split(":")[0] != t["data"]["right_key"].split(":")[0] for t in tasks)
