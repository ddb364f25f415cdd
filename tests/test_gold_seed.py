"""The seed gold: rebuilt from its hand-written source, valid, over the real ingest output, and right where checked by hand."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from annotate.importers.phrases import PhraseError, compile_phrases, find_all
from annotate.matching import triples
from annotate.records import AnnotatedDoc, dumps, read_docs
from annotate.schema import load_schema, validate_docs

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "gold" / "seed"



@pytest.fixture(scope="module")
def schema():
    return load_schema()


@pytest.fixture(scope="module")
def gold() -> list[AnnotatedDoc]:
    return list(read_docs(SEED / "data.jsonl"))


@pytest.fixture(scope="module")
def gold_by_file(gold) -> dict[str, AnnotatedDoc]:
    return {doc.meta["source_file"]: doc for doc in gold}


# ---------------------------------------------------------------------------------------------------------
# The committed files are what the hand-written source compiles to, over the real ingest output


def test_rebuild_is_byte_identical_to_committed_data(schema):
    rebuilt = "".join(dumps(doc.to_dict()) + "\n"
                      for doc in compile_phrases(SEED / "articles.jsonl", SEED / "annotations.toml", schema))
    assert rebuilt == (SEED / "data.jsonl").read_text(encoding="utf-8"), \
        "gold/seed/data.jsonl is stale: run .venv/bin/python gold/seed/build.py"


def test_check_mode_passes_on_the_committed_files(schema):
    # --check also compares the datasheet's generated counts in README.md with what data.jsonl gives.
    result = subprocess.run([sys.executable, str(SEED / "build.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"hash `{schema.hash}`" in (SEED / "README.md").read_text(encoding="utf-8")


def test_check_mode_fails_on_stale_counts(tmp_path):
    # The script run from a copy of the seed folder whose README counts were edited by hand.
    copy = tmp_path / "seed"
    copy.mkdir()
    for name in ("build.py", "articles.jsonl", "annotations.toml", "data.jsonl"):
        (copy / name).write_bytes((SEED / name).read_bytes())
    readme = (SEED / "README.md").read_text(encoding="utf-8")
    (copy / "README.md").write_text(readme.replace("| **total** |", "| **total (edited)** |"), encoding="utf-8")
    result = subprocess.run([sys.executable, str(copy / "build.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 1 and "Stale: README.md" in result.stderr


@pytest.mark.integration  # slow (a CLI subprocess or a spaCy run): out of the fast path
def test_articles_are_the_real_ingest_output(tmp_path):
    output = tmp_path / "articles.jsonl"
    result = subprocess.run([str(Path(sys.executable).parent / "annotate"), "ingest", str(SEED / "raw"), "-o", str(output)],
                            capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    fresh = [(d.doc_id, d.meta["source_file"], d.text) for d in read_docs(output)]
    committed = [(d.doc_id, d.meta["source_file"], d.text) for d in read_docs(SEED / "articles.jsonl")]
    assert fresh == committed, "annotate ingest output changed: re-run it into gold/seed/articles.jsonl and rebuild"
    assert len(fresh) == 5


def test_gold_matches_its_articles(gold):
    articles = list(read_docs(SEED / "articles.jsonl"))
    assert [(d.doc_id, d.text) for d in gold] == [(a.doc_id, a.text) for a in articles]
    assert all(doc.annotator == "gold" for doc in gold)


def test_every_record_validates_against_the_schema(gold, schema):
    validate_docs(gold, schema, where="gold/seed/data.jsonl")
    assert all(doc.meta["schema_hash"] == schema.hash for doc in gold)


# ---------------------------------------------------------------------------------------------------------
# Structural rules of the guidelines, over every span and link


def test_every_claim_has_exactly_one_cue_and_every_link_is_well_formed(gold):
    for doc in gold:
        cues_of = Counter(r.to_id for r in doc.relations if r.label == "cue_of")
        claims = [s for s in doc.spans if s.label == "CLAIM"]
        assert claims, doc.meta["source_file"]
        for claim in claims:
            assert cues_of[claim.id] == 1, (doc.meta["source_file"], claim.text)
        linked = {r.from_id for r in doc.relations} | {r.to_id for r in doc.relations}
        for span in doc.spans:
            if span.label == "SUPPLEMENT":
                assert span.id in linked, f"unlinked SUPPLEMENT {span.text!r}"
        # Unlinked spans are refusals: a CUE with its SOURCE (which a claim of the same speaker may share).
        unlinked = Counter(span.label for span in doc.spans if span.id not in linked)
        assert set(unlinked) <= {"SOURCE", "CUE"}
        assert unlinked["SOURCE"] <= unlinked["CUE"], doc.meta["source_file"]


def test_span_boundaries_follow_the_conventions(gold):
    for doc in gold:
        for span in doc.spans:
            where = (doc.meta["source_file"], span.label, span.text)
            assert span.text == span.text.strip(), where
            assert doc.text[span.start:span.end] == span.text, where
            if span.label != "CLAIM":
                continue
            if span.attrs["quote_type"] == "direct":
                assert span.text[0] == "“" and span.text[-1] in "”“", where
            else:
                # "that" as a complementizer stays out; as a determiner ("that number") it is content.
                if span.text != "that number could be significantly higher":
                    assert not span.text.lower().startswith("that "), where
                assert not span.text.endswith("."), where


def test_span_ids_are_prefixed_by_label_and_numbered_in_reading_order(gold):
    prefix = {"CLAIM": "c", "SOURCE": "s", "CUE": "q", "SUPPLEMENT": "p"}
    for doc in gold:
        for label, letter in prefix.items():
            spans = sorted((s for s in doc.spans if s.label == label), key=lambda s: (s.start, s.end))
            assert [s.id for s in spans] == [f"{letter}{n}" for n in range(1, len(spans) + 1)]


def test_totals_are_in_the_expected_range(gold):
    attributions = sum(len(triples(doc)) for doc in gold)
    assert 60 <= attributions <= 100
    assert all(triples(doc) for doc in gold)


# ---------------------------------------------------------------------------------------------------------
# Spot checks: real annotations, read off the articles by hand


def _attribution(doc: AnnotatedDoc, claim_text: str) -> dict:
    spans = doc.span_by_id()
    found = [(s, q, c) for s, q, c in triples(doc) if spans[c].text == claim_text]
    assert len(found) == 1, f"{doc.meta['source_file']}: expected one attribution of {claim_text!r}, found {len(found)}"
    source_id, cue_id, claim_id = found[0]
    supplements = [spans[r.from_id].text for r in doc.relations if r.label == "supplement_of" and r.to_id == claim_id]
    return {"source": spans[source_id] if source_id else None, "cue": spans[cue_id], "claim": spans[claim_id],
            "supplements": supplements}


SPOT_CHECKS = [
    # (file, source, cue, supplement, claim, claim attrs subset, source_type, cue_stance)
    ("003_f31df9f8c8943dc7.txt", "Ukrainian special forces fighting in Russia’s western Kursk region", "have told",
     "the BBC", "they have not seen any North Korean troops there for the past three weeks",
     {"quote_type": "indirect", "certainty": "certain", "claim_type": "event"}, "named_organization", "neutral"),
    ("000_6f75fd2dbc16a701.txt", "Ukrainian special forces fighting in Russia's western Kursk region", "have told",
     "the BBC", "they have not seen any North Korean troops there for the past three weeks",
     {"quote_type": "indirect"}, "named_organization", "neutral"),
    ("003_f31df9f8c8943dc7.txt", "Ukraine", "says", None, "North Koreans may have pulled out of front line",
     {"certainty": "possible"}, "named_organization", "neutral"),
    ("002_729151a5d37656ca.txt", "Ukraine", "says", None, "North Korean troops back on front line",
     {"claim_type": "event"}, "named_organization", "neutral"),
    ("003_f31df9f8c8943dc7.txt", "A spokesman", "said", None, "it was likely they had pulled out after suffering heavy losses",
     {"certainty": "probable"}, "anonymous_official", "neutral"),
    ("003_f31df9f8c8943dc7.txt", "Western officials", "told", "the BBC",
     "out of some 11,000 troops sent from North Korea to fight for Russia, 1,000 had been killed in just three months",
     {"claim_type": "statistical"}, "anonymous_official", "neutral"),
    ("003_f31df9f8c8943dc7.txt", "The newspaper", "quoted", None,
     "US officials as saying the withdrawal may not be a permanent one, and the soldiers could return after receiving "
     "additional training or after the Russians come up with new ways of deploying them to avoid such heavy casualties",
     {"claim_type": "prediction"}, "media_outlet", "neutral"),
    ("003_f31df9f8c8943dc7.txt", "US officials", "saying", None,
     "the withdrawal may not be a permanent one, and the soldiers could return after receiving additional training or "
     "after the Russians come up with new ways of deploying them to avoid such heavy casualties",
     {"certainty": "possible"}, "anonymous_official", "neutral"),
    ("003_f31df9f8c8943dc7.txt", None, "was initially hoped", None,
     "the operation would relieve pressure on other parts of the more than 1,000km-long (620 miles) frontline, "
     "particularly in eastern Ukraine", {"claim_type": "prediction"}, None, "hedged"),
    ("000_6f75fd2dbc16a701.txt", "A spokesperson for Ukraine’s military special forces", "told", "CNN",
     "he believes it is because of all the mass casualties Pyongyang’s soldiers have suffered",
     {"claim_type": "causal"}, "anonymous_official", "neutral"),
    ("000_6f75fd2dbc16a701.txt", "a military spokesman", "told", "AFP",
     "Ukraine believes North Korean soldiers fighting alongside Russia’s army on the Kursk front line have been "
     "“withdrawn” after suffering heavy losses", {"quote_type": "mixed"}, "anonymous_official", "neutral"),
    ("000_6f75fd2dbc16a701.txt", "Ukraine", "believes", None,
     "North Korean soldiers fighting alongside Russia’s army on the Kursk front line have been “withdrawn” after "
     "suffering heavy losses", {"quote_type": "mixed", "certainty": "probable"}, "named_organization", "hedged"),
    ("000_6f75fd2dbc16a701.txt", "Ukrainian President Volodymyr Zelenskyy", "announced", "in Davos, Switzerland",
     "despite Russia’s 60,000 troops and 12,000 North Koreans in Kursk, Ukrainian forces remain in the region, fighting "
     "to hold onto Russian land in the hopes of having a better bargaining chip should peace talks start",
     {"claim_type": "statistical"}, "named_person", "neutral"),
    ("001_dbeedd2d902fea27.txt", "Ukraine", "has claimed", None,
     "North Korean soldiers deployed to fight alongside Russia’s forces on the Kursk front line have been “withdrawn” "
     "after suffering heavy losses", {"certainty": "certain", "quote_type": "mixed"}, "named_organization", "distancing"),
    ("001_dbeedd2d902fea27.txt", "Oleksandr Kindratenko, spokesman for Ukraine’s Special Operations Forces", "told", "AFP",
     "“Over the past three weeks, we have not seen or detected any activity or military clashes with the North Koreans,”",
     {"quote_type": "direct"}, "named_person", "neutral"),
    ("001_dbeedd2d902fea27.txt", "he", "added", None,
     "“We believe that they have been withdrawn because of the heavy losses that were inflicted,”",
     {"quote_type": "direct", "certainty": "probable", "claim_type": "causal"}, "named_person", "neutral"),
    ("001_dbeedd2d902fea27.txt", "he", "claims", None, "are North Korean prisoners of war captured on the Kursk front",
     {}, "named_person", "distancing"),
    ("001_dbeedd2d902fea27.txt", "Ukrainian officials", "have also alleged", None,
     "wounded North Korean soldiers were using grenades to end their lives rather than being taken prisoner",
     {}, "anonymous_official", "distancing"),
    ("001_dbeedd2d902fea27.txt", "Peskov", "said", None, "“It’s not worth commenting on every time.”",
     {"quote_type": "direct", "check_worthy": "no"}, "named_person", "neutral"),
    ("001_dbeedd2d902fea27.txt", None, "reportedly", None,
     "Frustration has reportedly been growing in the Russian border region over the lack of action by local authorities "
     "to secure their return or provide updates on their situation", {}, None, "neutral"),
    ("002_729151a5d37656ca.txt", "Volodymyr Zelensky", "said", "In a video address on Friday",
     "the Russian army had “brought back in North Korean soldiers” who were carrying outnew assaults” in the region "
     "partially occupied by Ukraine", {"quote_type": "mixed"}, "named_person", "neutral"),
    ("002_729151a5d37656ca.txt", "they", "believed", None,
     "at least 1,000 of the 11,000 troops sent from North Korea had been killed in the past three months",
     {"claim_type": "statistical", "certainty": "probable"}, "anonymous_official", "hedged"),
    ("002_729151a5d37656ca.txt", "Zelensky", "told", "Reuters news agency",
     "Ukraine had launched a new offensive in Kursk on Thursday, advancing 2.5km (1.5 miles)",
     {"claim_type": "statistical"}, "named_person", "neutral"),
    ("002_729151a5d37656ca.txt", "other reports", "suggest", None, "that number could be significantly higher",
     {"certainty": "possible"}, "document", "hedged"),
    ("002_729151a5d37656ca.txt", None, "reports", None, "they were withdrawn last month due to heavy casualties",
     {"claim_type": "causal"}, None, "neutral"),
    ("004_defea2fcecb28d6e.txt", "the South Korea intelligence services", "According to", None,
     "they were removed from the front line", {}, "named_organization", "neutral"),
    ("004_defea2fcecb28d6e.txt", "Seoul", "says", None,
     "No North Korean soldier has been seen in combat since mid-January in the Koursk region", {}, "named_organization", "neutral"),
    ("004_defea2fcecb28d6e.txt", "A spokesperson for Ukrainian special forces", "had already declared", "to the BBC",
     "its units mobilized in the Koursk region had not, either, saw the slightest North Korean soldier on the spot "
     "during the last three weeks", {}, "anonymous_official", "neutral"),
    ("004_defea2fcecb28d6e.txt", "he", "explains", None,
     "“I think it was a Russian ferry, not a military ship, a simple freight boat. And after arriving in Russia, we did "
     "part of the train journey”", {"quote_type": "direct", "certainty": "probable"}, "anonymous_other", "neutral"),
    ("004_defea2fcecb28d6e.txt", "Ukrainian military intelligence chief Kyrylo Budanov", "said",
     "In an interview with the magazine The War Zone, Published on January 22",
     "he would expect Pyongyang to send additional reinforcements to Russia, including artillery units",
     {"claim_type": "prediction"}, "named_person", "neutral"),
    ("004_defea2fcecb28d6e.txt", "he", "would expect", None,
     "Pyongyang to send additional reinforcements to Russia, including artillery units", {}, "named_person", "hedged"),
]


@pytest.mark.parametrize("case", SPOT_CHECKS, ids=lambda case: f"{case[0][:3]}:{case[2]}:{case[4][:30]}")
def test_spot_checked_attribution(gold_by_file, case):
    source_file, source, cue, supplement, claim, claim_attrs, source_type, cue_stance = case
    found = _attribution(gold_by_file[source_file], claim)
    assert (found["source"].text if found["source"] else None) == source
    assert found["cue"].text == cue
    assert found["supplements"] == ([supplement] if supplement else [])
    assert {key: found["claim"].attrs[key] for key in claim_attrs} == claim_attrs
    assert (found["source"].attrs["source_type"] if found["source"] else None) == source_type
    assert found["cue"].attrs["cue_stance"] == cue_stance


def test_continued_quotes_share_their_cue_and_source(gold_by_file):
    doc = gold_by_file["001_dbeedd2d902fea27.txt"]
    first = _attribution(doc, "“There are a lot of different arguments out there, both right and wrong,”")
    second = _attribution(doc, "“It’s not worth commenting on every time.”")
    assert first["cue"].id == second["cue"].id and first["source"].id == second["source"].id
    nis = gold_by_file["004_defea2fcecb28d6e.txt"]
    cue_ids = {_attribution(nis, text)["cue"].id for text in (
        "“Since mid-January, it turns out that the North Korean troops deployed in the Koursk region, in Russia, have "
        "not been engaged in fights”", "“The exact details are still being studied”",
        "“L‘One of the reasons could be the high number of victims. “")}
    assert len(cue_ids) == 1 and nis.span_by_id()[cue_ids.pop()].text == "succession"


@pytest.mark.parametrize("source_file, source, cue", [
    ("000_6f75fd2dbc16a701.txt", "North Korea and Russia", "have not commented"),
    ("002_729151a5d37656ca.txt", "North Korea and Russia", "have not commented"),
    ("003_f31df9f8c8943dc7.txt", "North Korea and Russia", "have not commented"),
    ("001_dbeedd2d902fea27.txt", "Kremlin spokesman Dmitry Peskov", "declined to provide a definitive response"),
    ("003_f31df9f8c8943dc7.txt", "The spokesman", "did not say"),
    ("004_defea2fcecb28d6e.txt", "neither Moscow nor Pyongyang", "have confirmed"),
])
def test_refusals_have_source_and_cue_but_no_claim(gold_by_file, source_file, source, cue):
    doc = gold_by_file[source_file]
    linked = {r.from_id for r in doc.relations} | {r.to_id for r in doc.relations}
    unlinked = {(s.label, s.text) for s in doc.spans if s.id not in linked}
    assert ("SOURCE", source) in unlinked and ("CUE", cue) in unlinked


@pytest.mark.parametrize("source_file, text", [
    ("003_f31df9f8c8943dc7.txt", "it does suggest"),                  # the author's inference
    ("001_dbeedd2d902fea27.txt", "released footage"),                  # an action
    ("001_dbeedd2d902fea27.txt", "“withdrawn”"),                       # a quoted word inside an indirect claim
    ("003_f31df9f8c8943dc7.txt", "Kyiv is looking to hold on"),        # a goal, not content
])
def test_non_attributions_are_not_annotated(gold_by_file, source_file, text):
    doc = gold_by_file[source_file]
    start = doc.text.index(text)
    end = start + len(text)
    assert not [s for s in doc.spans if s.label in {"CUE", "SOURCE"} and start <= s.start and s.end <= end]
    assert not [s for s in doc.spans if s.label == "CLAIM" and (s.start, s.end) == (start, end)]


def test_articles_without_the_repeated_headline_are_annotated_once(gold_by_file):
    doc = gold_by_file["004_defea2fcecb28d6e.txt"]
    headline = "No North Korean soldier has been seen in combat since mid-January in the Koursk region"
    assert doc.text.count(headline) == 1
    assert [s.text for s in doc.spans if s.label == "CLAIM"].count(headline) == 1


# ---------------------------------------------------------------------------------------------------------
# The build fails loudly on bad hand-written input, naming the article and the phrase


ARTICLE = "002_729151a5d37656ca.txt"
GOOD_BLOCK = '''
[[article.attribution]]
context = "Russia’s military said the Ukrainian attacks had been repelled."
source = "Russia’s military"
source_type = "named_organization"
cue = "said"
cue_stance = "neutral"
claim = "the Ukrainian attacks had been repelled"
claim_type = "event"
certainty = "certain"
quote_type = "indirect"
check_worthy = "yes"
'''


def _one_article(tmp_path, block: str) -> tuple[Path, Path]:
    articles = tmp_path / "articles.jsonl"
    article = next(d for d in read_docs(SEED / "articles.jsonl") if d.meta["source_file"] == ARTICLE)
    articles.write_text(dumps(article.to_dict()) + "\n", encoding="utf-8")
    annotations = tmp_path / "annotations.toml"
    annotations.write_text(f'[[article]]\nsource_file = "{ARTICLE}"\n{block}', encoding="utf-8")
    return articles, annotations


def test_a_good_block_builds(tmp_path, schema):
    [doc] = compile_phrases(*_one_article(tmp_path, GOOD_BLOCK), schema=schema)
    assert [(s.id, s.label, s.text) for s in doc.spans] == [
        ("s1", "SOURCE", "Russia’s military"), ("q1", "CUE", "said"), ("c1", "CLAIM", "the Ukrainian attacks had been repelled")]
    assert {(r.from_id, r.label, r.to_id) for r in doc.relations} == {("c1", "attributed_to", "s1"), ("q1", "cue_of", "c1")}


@pytest.mark.parametrize("change, message", [
    (("the Ukrainian attacks had been repelled", "the Ukrainian attacks were repelled"), "is not in the text"),
    (('context = "Russia’s military said the Ukrainian attacks had been repelled."\n', ""), "occurs 3 times"),
    (('source = "Russia’s military"', 'source = { text = "Russia’s military", nth = 9 }'), "nth = 9 does not exist"),
    (('certainty = "certain"', 'certainty = "sure"'), "'sure' is not one of"),
    (('check_worthy = "yes"\n', ""), "needs attribute check_worthy"),
    (('cue_stance = "neutral"', 'cue_stance = "neutral"\nspeaker = "x"'), "unknown keys ['speaker']"),
    (('cue = "said"\n', ""), "needs a cue"),
    (('claim = "the Ukrainian attacks had been repelled"\n', 'supplement = "the Ukrainian attacks"\n'), "needs a CLAIM"),
])
def test_bad_blocks_fail_naming_article_and_phrase(tmp_path, schema, change, message):
    old, new = change
    assert old in GOOD_BLOCK
    with pytest.raises(PhraseError) as caught:
        compile_phrases(*_one_article(tmp_path, GOOD_BLOCK.replace(old, new)), schema=schema)
    assert message in str(caught.value)
    assert ARTICLE in str(caught.value)


def test_conflicting_attributes_on_a_shared_span_fail(tmp_path, schema):
    second = GOOD_BLOCK.replace('source_type = "named_organization"', 'source_type = "anonymous_official"')
    with pytest.raises(PhraseError, match="different attributes"):
        compile_phrases(*_one_article(tmp_path, GOOD_BLOCK + second), schema=schema)


def test_an_article_without_an_entry_fails(tmp_path, schema):
    articles, annotations = _one_article(tmp_path, GOOD_BLOCK)
    annotations.write_text(annotations.read_text(encoding="utf-8").replace(ARTICLE, "999_missing.txt"), encoding="utf-8")
    with pytest.raises(PhraseError, match="has no \\[\\[article\\]\\] entry"):
        compile_phrases(articles, annotations, schema=schema)


def test_phrases_match_on_word_boundaries():
    text = "the spokesman said he was there"
    assert find_all(text, "he") == [text.index(" he ") + 1]
    assert find_all("“…”he explains", "he") == [3]
