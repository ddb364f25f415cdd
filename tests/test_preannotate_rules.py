"""The attribution rules on real sentences from the seed articles and on general news sentences, with the exact
spans they must produce (the conventions of docs/preannotate.md). Uses the real trained English pipeline."""

from __future__ import annotations

import pytest

from annotate.preannotate import annotator_name, build_pipeline, doc_to_record
from annotate.preannotate.model import get_attributions
from annotate.preannotate.reporting import PENDING


@pytest.fixture(scope="module")
def nlp():
    pipeline = build_pipeline()
    pipeline.get_pipe("attribution_linker").keep_intermediate = True  # the rules' own list, no-comments included
    return pipeline


def attributions(nlp, text: str) -> set[tuple]:
    """Every attribution the pipeline keeps, as (SOURCE, CUE, CLAIMs, SUPPLEMENTs) texts; offsets are checked too."""
    doc = nlp(text)
    minimum = nlp.get_pipe("attribution_linker").min_score
    found = set()
    for item in get_attributions(doc):
        if item.rule == PENDING or item.score < minimum:
            continue
        span = lambda r: doc[r[0]:r[1]]  # noqa: E731
        for part in [item.cue, *item.claims, *item.supplements] + ([item.source] if item.source else []):
            assert text[span(part).start_char:span(part).end_char] == span(part).text
        found.add((span(item.source).text if item.source else None, span(item.cue).text,
                   tuple(span(c).text for c in item.claims), tuple(span(s).text for s in item.supplements)))
    return found


SEED_CASES = [
    # 000 / 003: plural source with a participle, "have told", the recipient as SUPPLEMENT
    ("Ukrainian special forces fighting in Russia’s western Kursk region have told the BBC they have not seen any "
     "North Korean troops there for the past three weeks.",
     {("Ukrainian special forces fighting in Russia’s western Kursk region", "have told",
       ("they have not seen any North Korean troops there for the past three weeks",), ("the BBC",))}),
    # hedged attribution: the hedge stays in the claim
    ("A spokesman said it was likely they had pulled out after suffering heavy losses.",
     {("A spokesman", "said", ("it was likely they had pulled out after suffering heavy losses",), ())}),
    # "told the BBC that, …": no complementizer, no comma after it
    ("Last week, Western officials told the BBC that, out of some 11,000 troops sent from North Korea to fight for "
     "Russia, 1,000 had been killed in just three months.",
     {("Western officials", "told", ("out of some 11,000 troops sent from North Korea to fight for Russia, 1,000 had "
                                     "been killed in just three months",), ("the BBC",))}),
    # no comment: SOURCE and CUE only
    ("North Korea and Russia have not commented.", {("North Korea and Russia", "have not commented", (), ())}),
    # a broken quote: two claims on one cue, marks included
    ("“There are a lot of different arguments out there, both right and wrong,” Peskov said. “It’s not worth "
     "commenting on every time.”",
     {("Peskov", "said", ("“There are a lot of different arguments out there, both right and wrong,”",
                          "“It’s not worth commenting on every time.”"), ())}),
    # nesting: the outer claim holds the inner attribution; a scare quote makes it mixed, not a claim of its own
    ("Ukraine believes North Korean soldiers fighting alongside Russia’s army on the Kursk front line have been "
     "“withdrawn” after suffering heavy losses, a military spokesman told AFP on Jan 31.",
     {("Ukraine", "believes", ("North Korean soldiers fighting alongside Russia’s army on the Kursk front line have "
                               "been “withdrawn” after suffering heavy losses",), ()),
      ("a military spokesman", "told", ("Ukraine believes North Korean soldiers fighting alongside Russia’s army on "
                                        "the Kursk front line have been “withdrawn” after suffering heavy losses",),
       ("AFP",))}),
    ("According to the South Korea intelligence services, they were removed from the front line.",
     {("the South Korea intelligence services", "According to", ("they were removed from the front line",), ())}),
    # medium as a whole prepositional phrase; a mixed quote with a stray closing mark kept as it stands
    ("In a video address on Friday, Volodymyr Zelensky said the Russian army had “brought back in North Korean "
     "soldiers” who were carrying outnew assaults” in the region partially occupied by Ukraine.",
     {("Volodymyr Zelensky", "said", ("the Russian army had “brought back in North Korean soldiers” who were carrying "
                                      "outnew assaults” in the region partially occupied by Ukraine",),
       ("In a video address on Friday",))}),
    # a refusal: the whole phrase is the cue
    ("When asked about reports of the withdrawal, Kremlin spokesman Dmitry Peskov declined to provide a definitive "
     "response.",
     {("Kremlin spokesman Dmitry Peskov", "declined to provide a definitive response", (), ())}),
    # an evidential adverb: no source, the clause (adverb included) is the claim
    ("Frustration has reportedly been growing in the Russian border region over the lack of action by local "
     "authorities to secure their return or provide updates on their situation.",
     {(None, "reportedly", ("Frustration has reportedly been growing in the Russian border region over the lack of "
                            "action by local authorities to secure their return or provide updates on their "
                            "situation",), ())}),
    # a headline with the source after the cue
    ("No North Korean soldier has been seen in combat since mid-January in the Koursk region, says Seoul",
     {("Seoul", "says", ("No North Korean soldier has been seen in combat since mid-January in the Koursk region",),
       ())}),
    # a verbless headline complement
    ("Ukraine says North Korean troops back on front line",
     {("Ukraine", "says", ("North Korean troops back on front line",), ())}),
    # no nesting inside a direct quote
    ("“We believe that they have been withdrawn because of the heavy losses that were inflicted,” he added.",
     {("he", "added", ("“We believe that they have been withdrawn because of the heavy losses that were "
                       "inflicted,”",), ())}),
    # a raising passive: the infinitive clause, no source
    ("The troops were also seen to have been sent to boost Russia’s fighting forces who have seen significant losses.",
     {(None, "were also seen", ("to have been sent to boost Russia’s fighting forces who have seen significant "
                                "losses",), ())}),
    # a noun-phrase object, without its non-restrictive apposition
    ("On Friday, Moscow’s forces announced the capture of Novovasylivka, a village in eastern Ukraine near a key "
     "logistics hub and a vital military supply route.",
     {("Moscow’s forces", "announced", ("the capture of Novovasylivka",), ())}),
    # a venue as SUPPLEMENT
    ("Ukrainian President Volodymyr Zelenskyy announced last week in Davos, Switzerland, that despite Russia’s "
     "60,000 troops and 12,000 North Koreans in Kursk, Ukrainian forces remain in the region.",
     {("Ukrainian President Volodymyr Zelenskyy", "announced", ("despite Russia’s 60,000 troops and 12,000 North "
                                                                "Koreans in Kursk, Ukrainian forces remain in the "
                                                                "region",), ("in Davos, Switzerland",))}),
    # a quote over two sentences, a glued closing mark, and a participle cue sharing the source
    ("“I think it was a Russian ferry, not a military ship, a simple freight boat. And after arriving in Russia, we "
     "did part of the train journey”he explains, adding that he had not received a specific training on the use of "
     "Russian weapons.",
     {("he", "explains", ("“I think it was a Russian ferry, not a military ship, a simple freight boat. And after "
                          "arriving in Russia, we did part of the train journey”",), ()),
      ("he", "adding", ("he had not received a specific training on the use of Russian weapons",), ())}),
    # an adverb before a lone verb stays out of the cue; one between auxiliary and verb stays in
    ("Separately, the New York Times also reported that the North Koreans had been pulled off the front lines.",
     {("the New York Times", "reported", ("the North Koreans had been pulled off the front lines",), ())}),
    ("Ukrainian officials have also alleged that wounded North Korean soldiers were using grenades to end their lives "
     "rather than being taken prisoner.",
     {("Ukrainian officials", "have also alleged", ("wounded North Korean soldiers were using grenades to end their "
                                                    "lives rather than being taken prisoner",), ())}),
    # "quoted X as saying": two attributions
    ("The newspaper quoted US officials as saying the withdrawal may not be a permanent one, and the soldiers could "
     "return after receiving additional training.",
     {("The newspaper", "quoted", ("US officials as saying the withdrawal may not be a permanent one, and the soldiers "
                                   "could return after receiving additional training",), ()),
      ("US officials", "saying", ("the withdrawal may not be a permanent one, and the soldiers could return after "
                                  "receiving additional training",), ())}),
    # a passive with an agent and an "as" complement
    ("The deployment of North Korean troops had been criticized by Kyiv and Western nations as a dangerous escalation "
     "of the conflict.",
     {("Kyiv and Western nations", "had been criticized", ("a dangerous escalation of the conflict",), ())}),
    # a refusal inside another statement; the claim stops before it
    ("The spokesman added that he was only referring to areas where his forces were fighting, without giving any "
     "details about how long that front line was.",
     {("The spokesman", "added", ("he was only referring to areas where his forces were fighting",), ()),
      ("The spokesman", "without giving any details", (), ())}),
    # negated knowledge is no attribution; the outer one stays
    ("In a video published in mid-January by the Ukrainian president himself, one of them says that they did not "
     "know that they were going to fight against Ukraine until their deployment on the front.",
     {("one of them", "says", ("they did not know that they were going to fight against Ukraine until their "
                               "deployment on the front",),
       ("In a video published in mid-January by the Ukrainian president himself",))}),
]

GENERAL_CASES = [
    ("It was reported by state media that the talks had collapsed.",
     {("state media", "was reported", ("the talks had collapsed",), ())}),
    ("It is believed that the hostages are still alive.",
     {(None, "is believed", ("the hostages are still alive",), ())}),
    ("The minister said: “We will rebuild every school, every hospital and every road.”",
     {("The minister", "said", ("“We will rebuild every school, every hospital and every road.”",), ())}),
    ("Zelensky: “We will not give up this fight, ever.”",
     {("Zelensky", ":", ("“We will not give up this fight, ever.”",), ())}),
    ("The mayor said:\n\n“The first paragraph of a long quote goes here.\n\n“And the second one follows it without "
     "any break.”",
     {("The mayor", "said", ("“The first paragraph of a long quote goes here.",
                             "“And the second one follows it without any break.”"), ())}),
    ("The economy will grow by 3% next year, according to the central bank.",
     {("the central bank", "according to", ("The economy will grow by 3% next year",), ())}),
    ('"The situation is under control," the spokeswoman told reporters on Monday.',
     {("the spokeswoman", "told", ('"The situation is under control,"',), ("reporters",))}),
    # a short direct quote is still a quote: its marks are in the CLAIM
    ('"It was terrifying," said Maria Lopez, who lives nearby.',
     {("Maria Lopez", "said", ('"It was terrifying,"',), ())}),
    ("“We are ready,” the general said. “The troops are in position.”",
     {("the general", "said", ("“We are ready,”", "“The troops are in position.”"), ())}),
    ("The company declined to comment.", {("The company", "declined to comment", (), ())}),
    ("Officials fear that the outbreak could spread to neighbouring regions.",
     {("Officials", "fear", ("the outbreak could spread to neighbouring regions",), ())}),
    ("The prime minister's claim that the deficit had been halved was disputed by economists.",
     {("The prime minister", "claim", ("the deficit had been halved",), ()),
      # A passive with a "by" agent: the economists took a position on the claim.
      ("economists", "was disputed", ("The prime minister's claim that the deficit had been halved",), ())}),
    ("Police said the suspect, who was arrested on Tuesday, had confessed, and prosecutors added that charges would "
     "follow.",
     {("Police", "said", ("the suspect, who was arrested on Tuesday, had confessed",), ()),
      ("prosecutors", "added", ("charges would follow",), ())}),
    ("The war, he said, would not end before the winter.",
     {("he", "said", ("The war, he said, would not end before the winter",), ())}),
    # a "that" clause the parser hung on a noun after the verb is still the verb's complement
    ("Chief financial officer Vaibhav Taneja told analysts on a call that demand in China had weakened.",
     {("Chief financial officer Vaibhav Taneja", "told", ("demand in China had weakened",),
       ("analysts", "on a call"))}),
    ("Officials said in a statement that the attack had been repelled.",
     {("Officials", "said", ("the attack had been repelled",), ("in a statement",))}),
    # ... but a content clause on an object noun is the noun's: two attributions, and who denies the reports did
    # not make them
    ("The Kremlin denied reports that the general had been dismissed.",
     {("The Kremlin", "denied", ("reports that the general had been dismissed",), ()),
      (None, "reports", ("the general had been dismissed",), ())}),
    # "adding that" hung on the reported clause: the one adding is the one who said it
    ("The ministry said the talks had been productive, adding that a second round would take place next week.",
     {("The ministry", "said", ("the talks had been productive",), ()),
      ("The ministry", "adding", ("a second round would take place next week",), ())}),
    # passive "quoted as saying": the subject speaks
    ("The general was quoted as saying that the army was ready.",
     {("The general", "saying", ("the army was ready",), ())}),
    # a noun cue's "that" parsed as an adverb is still the complementizer, outside the CLAIM
    ("Claims by the ministry that no civilians were hurt were contradicted by video footage.",
     {("the ministry", "Claims", ("no civilians were hurt",), ())}),
    # an inverted speaker the parser took for an object; a percent sign ends a claim
    ('"I don\'t know what will happen," admitted one farmer.',
     {("one farmer", "admitted", ('"I don\'t know what will happen,"',), ())}),
    ("The researchers found that the drug reduced symptoms by 40%.",
     {("The researchers", "found", ("the drug reduced symptoms by 40%",), ())}),
    # a colon after the cue verb's object or recipient introduces the quote, here over two paragraphs
    ("Dr Amina Yusuf, who runs the main hospital, described the situation:\n\n\"We have run out of beds.\n\n"
     "\"We have asked the government for help many times, but nothing has arrived.\"",
     {("Dr Amina Yusuf", "described", ("\"We have run out of beds.",
                                       "\"We have asked the government for help many times, but nothing has arrived.\""),
       ())}),
    ("He told reporters: \"We will win this war, and nobody doubts it.\"",
     {("He", "told", ("\"We will win this war, and nobody doubts it.\"",), ("reporters",))}),
    # "accuse X of Y": the accused and the charge are the CLAIM
    ("The senator accused the administration of lying to Congress about the cost of the war.",
     {("The senator", "accused", ("the administration of lying to Congress about the cost of the war",), ())}),
    ("Ukraine has blamed Russia for the attack on the dam.",
     {("Ukraine", "has blamed", ("Russia for the attack on the dam",), ())}),
    # "as" + complement, also when the parser hangs "as" on the object; a closing mark hung outside comes back in
    ("The ministry described the claims as “absurd”.",
     {("The ministry", "described", ("“absurd”",), ())}),
    ('The White House dismissed the report as "fake news".',
     {("The White House", "dismissed", ('"fake news"',), ())}),
    # a parenthetical cue the parser made the root: the CLAIM runs from the fronted subject, as with "he said"
    ('The deal, he told the Financial Times in an interview, was "the best we could get".',
     {("he", "told", ('The deal, he told the Financial Times in an interview, was "the best we could get"',),
       ("the Financial Times", "in an interview"))}),
    # "neither confirmed nor denied" is one refusal, with no claim
    ("North Korea has neither confirmed nor denied sending troops.",
     {("North Korea", "has neither confirmed nor denied", (), ())}),
    # an embedded question is not a claim; the answer is
    ('Asked whether troops would be sent, the minister replied: "Not at this stage."',
     {("the minister", "replied", ('"Not at this stage."',), ())}),
    ("Reporters asked if the ceasefire would hold.", set()),
    # a conditional inside the content stays in it
    ("He said that if the talks failed, the strike would go ahead.",
     {("He", "said", ("if the talks failed, the strike would go ahead",), ())}),
    # not attribution: an action, a modifier use, a scare quote
    ("The army said goodbye to its old tanks in a “ceremony”.", set()),
    ("Troops sent to the region have suffered losses.", set()),
]


@pytest.mark.parametrize("text, expected", SEED_CASES, ids=[case[0][:50] for case in SEED_CASES])
def test_seed_sentences(nlp, text, expected):
    assert attributions(nlp, text) == expected


@pytest.mark.parametrize("text, expected", GENERAL_CASES, ids=[case[0][:50] for case in GENERAL_CASES])
def test_general_news_sentences(nlp, text, expected):
    assert attributions(nlp, text) == expected


def record(nlp, text: str):
    return doc_to_record(nlp(text), "d", annotator_name(nlp), {}, ("GPE", "ORG", "PERSON", "NORP", "CARDINAL"), {})


def span_attrs(nlp, text: str, label: str, span_text: str) -> dict[str, str]:
    spans = [span for span in record(nlp, text).spans if span.label == label and span.text == span_text]
    assert len(spans) == 1, [s.text for s in record(nlp, text).spans if s.label == label]
    return dict(spans[0].attrs)


@pytest.mark.parametrize("text, label, span_text, expected", [
    # a hedge or a modal inside a relative clause qualifies a noun, not the claim
    ("She said the troops who may have deserted were found.", "CLAIM", "the troops who may have deserted were found",
     {"certainty": "certain", "quote_type": "indirect", "claim_type": "event"}),
    ("He said the talks could collapse.", "CLAIM", "the talks could collapse",
     {"certainty": "possible", "quote_type": "indirect", "claim_type": "prediction"}),
    ("Police said the suspect had fled.", "SOURCE", "Police", {"source_type": "anonymous_official"}),
    ("A spokesman said it was likely they had pulled out after suffering heavy losses.", "CLAIM",
     "it was likely they had pulled out after suffering heavy losses",
     {"certainty": "probable", "quote_type": "indirect", "claim_type": "event"}),
    ("Last week, Western officials told the BBC that, out of some 11,000 troops sent from North Korea to fight for "
     "Russia, 1,000 had been killed in just three months.", "CLAIM",
     "out of some 11,000 troops sent from North Korea to fight for Russia, 1,000 had been killed in just three months",
     {"certainty": "certain", "quote_type": "indirect", "claim_type": "statistical"}),
    ("“It’s not worth commenting on every time,” Peskov said.", "CLAIM", "“It’s not worth commenting on every time,”",
     {"certainty": "certain", "quote_type": "direct", "claim_type": "event"}),
    ("Officials fear that the outbreak could spread to neighbouring regions.", "CLAIM",
     "the outbreak could spread to neighbouring regions",
     {"certainty": "possible", "quote_type": "indirect", "claim_type": "prediction"}),
    ("Ukraine has claimed that North Korean soldiers have been “withdrawn” after suffering heavy losses.", "CLAIM",
     "North Korean soldiers have been “withdrawn” after suffering heavy losses",
     {"certainty": "certain", "quote_type": "mixed", "claim_type": "event"}),
    ("Ukraine has claimed that North Korean soldiers have been “withdrawn” after suffering heavy losses.", "CUE",
     "has claimed", {"cue_stance": "distancing"}),
    ("Recent reports attributed to South Korean intelligence have suggested the soldiers are unprepared.", "CUE",
     "have suggested", {"cue_stance": "hedged"}),
    ("Russia’s military has not publicly revealed its battlefield casualties.", "CUE", "has not publicly revealed",
     {"cue_stance": "factive"}),
    ("Recent reports attributed to South Korean intelligence have suggested the soldiers are unprepared.", "SOURCE",
     "Recent reports attributed to South Korean intelligence", {"source_type": "document"}),
    ("A spokesperson for Ukraine’s military special forces told CNN he believes it is because of the casualties.",
     "SOURCE", "A spokesperson for Ukraine’s military special forces", {"source_type": "anonymous_official"}),
    ("A spokesperson for Ukraine’s military special forces told CNN he believes it is because of the casualties.",
     "SOURCE", "he", {"source_type": "anonymous_official"}),
    ("Separately, the New York Times also reported that the North Koreans had been pulled off the front lines.",
     "SOURCE", "the New York Times", {"source_type": "media_outlet"}),
    ("But Ukraine’s president said this week up to 350,000 Russian soldiers had been killed.", "SOURCE",
     "Ukraine’s president", {"source_type": "named_person"}),
    ("Russia’s military said the Ukrainian attacks had been repelled.", "SOURCE", "Russia’s military",
     {"source_type": "named_organization"}),
    ("Military experts say the reports of North Korean casualties are unsustainable.", "SOURCE", "Military experts",
     {"source_type": "anonymous_other"}),
])
def test_attributes(nlp, text, label, span_text, expected):
    assert span_attrs(nlp, text, label, span_text) == expected


def test_entity_ruler_corrects_places(nlp):
    doc = nlp("Ukraine believes North Korean soldiers on the Kursk front line were withdrawn, Pyongyang said.")
    labels = {ent.text: ent.label_ for ent in doc.ents}
    assert labels["Kursk"] == "GPE" and labels["Pyongyang"] == "GPE"
    assert {ent.ent_id_ for ent in doc.ents if ent.text in ("Kursk", "Pyongyang")} == {"gazetteer"}


def test_glued_quotation_marks_are_split(nlp):
    assert [t.text for t in nlp.tokenizer("the train journey”he explains")] == ["the", "train", "journey", "”", "he",
                                                                               "explains"]
