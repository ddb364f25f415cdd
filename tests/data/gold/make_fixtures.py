"""Writes the hand-made fixtures in this folder from the readable definitions below (run it after editing them).

    .venv/bin/python tests/data/gold/make_fixtures.py

Spans are given as (id, label, quoted words, attributes); offsets are found in the text, so a definition cannot
drift from its text. annotations.jsonl holds the multi-annotator consensus cases (majority, tie, ground-truth star,
a single annotator, plus a model prediction and an article that must not vote); review.jsonl is an adjudicator's
pulled record; corpus.jsonl is a small single-version corpus (with a near-duplicate cluster) for export and stats.
"""

from __future__ import annotations

from pathlib import Path

from annotate.records import AnnotatedDoc, Relation, make_span, write_docs

HERE = Path(__file__).resolve().parent


def spans(text, items):
    made = []
    for item in items:
        span_id, label, words = item[:3]
        attrs = item[3] if len(item) > 3 else {}
        occurrence = item[4] if len(item) > 4 else 0
        start = -1
        for _ in range(occurrence + 1):
            start = text.index(words, start + 1)
        made.append(make_span(text, span_id, start, start + len(words), label, attrs))
    return tuple(made)


def record(doc_id, text, annotator, items, links=(), **meta):
    return AnnotatedDoc(doc_id=doc_id, text=text, annotator=annotator, spans=spans(text, items),
                        relations=tuple(Relation(a, b, label) for a, b, label in links), meta=meta)


MAJORITY = "Western officials told the BBC that 1,000 North Korean soldiers had been killed in three months."
TIE = '"We will not retreat," Zelensky said on Friday.'
STARRED = "A spokesman said it was likely they had pulled out after suffering heavy losses."
SINGLE = "North Korea and Russia have not commented."

ANNOTATIONS = [
    # Majority: three annotators.
    record("majority", MAJORITY, "alice", [
        ("s1", "SOURCE", "Western officials", {"source_type": "anonymous_official"}),
        ("q1", "CUE", "told", {"cue_stance": "neutral"}),
        ("c1", "CLAIM", "1,000 North Korean soldiers had been killed in three months",
         {"claim_type": "statistical", "certainty": "certain"}),
    ], [("c1", "s1", "attributed_to"), ("q1", "c1", "cue_of")],
        cluster="k1", source_file="bbc.txt", lead_time=40.0, updated_at="2025-02-01T10:00:00Z"),
    record("majority", MAJORITY, "bob", [
        ("a", "SOURCE", "Western officials", {"source_type": "anonymous_official"}),
        ("b", "CUE", "told", {"cue_stance": "neutral"}),
        ("c", "CLAIM", "1,000 North Korean soldiers had been killed in three months", {"claim_type": "statistical"}),
    ], [("c", "a", "attributed_to")],
        cluster="k1", source_file="bbc.txt", lead_time=25.5, updated_at="2025-02-01T11:00:00Z"),
    record("majority", MAJORITY, "carol", [
        ("x1", "SOURCE", "officials", {"source_type": "anonymous_official"}),
        ("x2", "SUPPLEMENT", "the BBC"),
        ("x3", "CLAIM", "1,000 North Korean soldiers had been killed", {"claim_type": "event"}),
    ], [("x3", "x1", "attributed_to")],
        cluster="k1", source_file="bbc.txt", lead_time=61.0, updated_at="2025-02-01T12:00:00Z"),
    # A model's prediction and an un-annotated article: neither is a vote.
    record("majority", MAJORITY, "model:en_core_web_sm@3.8.0", [("m1", "SUPPLEMENT", "the BBC")],
           cluster="k1", source_file="bbc.txt"),
    AnnotatedDoc(doc_id="majority", text=MAJORITY, meta={"cluster": "k1", "source_file": "bbc.txt"}),
    # Tie: two annotators who disagree on boundaries, on an extra span, and on an attribute.
    record("tie", TIE, "alice", [
        ("c", "CLAIM", '"We will not retreat,"', {"quote_type": "direct"}),
        ("s", "SOURCE", "Zelensky", {"source_type": "named_person"}),
        ("q", "CUE", "said", {"cue_stance": "neutral"}),
        ("p", "SUPPLEMENT", "on Friday"),
    ], [("c", "s", "attributed_to"), ("q", "c", "cue_of"), ("p", "c", "supplement_of")],
        cluster="k2", source_file="bbc.txt", lead_time=30.0, updated_at="2025-02-02T10:00:00Z"),
    record("tie", TIE, "bob", [
        ("c", "CLAIM", "We will not retreat", {"quote_type": "direct"}),
        ("s", "SOURCE", "Zelensky", {"source_type": "named_person"}),
        ("q", "CUE", "said", {"cue_stance": "factive"}),
    ], [("c", "s", "attributed_to"), ("q", "c", "cue_of")],
        cluster="k2", source_file="bbc.txt", lead_time=20.0, updated_at="2025-02-02T11:00:00Z"),
    # Ground truth: carol's starred record wins over alice and bob, who agree with each other.
    record("starred", STARRED, "alice", [
        ("s", "SOURCE", "A spokesman", {"source_type": "anonymous_official"}),
        ("q", "CUE", "said"),
    ], [], cluster="k3", source_file="afp.txt", ground_truth=False, lead_time=12.0, updated_at="2025-02-03T10:00:00Z"),
    record("starred", STARRED, "bob", [
        ("s", "SOURCE", "A spokesman", {"source_type": "anonymous_official"}),
        ("q", "CUE", "said"),
    ], [], cluster="k3", source_file="afp.txt", ground_truth=False, lead_time=14.0, updated_at="2025-02-03T11:00:00Z"),
    record("starred", STARRED, "carol", [
        ("src", "SOURCE", "A spokesman", {"source_type": "anonymous_official"}),
        ("cue", "CUE", "said", {"cue_stance": "neutral"}),
        ("clm", "CLAIM", "it was likely they had pulled out after suffering heavy losses",
         {"certainty": "probable", "claim_type": "causal"}),
    ], [("clm", "src", "attributed_to"), ("cue", "clm", "cue_of")],
        cluster="k3", source_file="afp.txt", ground_truth=True, lead_time=50.0, updated_at="2025-02-03T12:00:00Z"),
    # One annotator: their record is the gold.
    record("single", SINGLE, "dave", [
        ("s", "SOURCE", "North Korea and Russia", {"source_type": "named_organization"}),
        ("q", "CUE", "have not commented", {"cue_stance": "neutral"}),
        ("g1", "GPE", "North Korea"),
        ("g2", "GPE", "Russia"),
    ], [], source_file="afp.txt", lead_time=9.0, updated_at="2025-02-04T10:00:00Z"),
]

# The adjudicator's pulled record for the tie document (from the review project).
REVIEW = [
    record("tie", TIE, "eve", [
        ("c", "CLAIM", '"We will not retreat,"', {"quote_type": "direct"}),
        ("s", "SOURCE", "Zelensky", {"source_type": "named_person"}),
        ("q", "CUE", "said", {"cue_stance": "neutral"}),
    ], [("c", "s", "attributed_to"), ("q", "c", "cue_of")],
        cluster="k2", source_file="bbc.txt", ls_task_id=901, updated_at="2025-02-05T09:00:00Z"),
]


def corpus():
    """Gold-like records: one version per document, realistic attribution, entities, a near-duplicate cluster."""
    texts = [
        ("n01", "c-kursk", "Ukrainian special forces fighting in Kursk told the BBC they had not seen any North Korean "
         "troops there for three weeks. A spokesman said it was likely they had pulled out after heavy losses.",
         [("s1", "SOURCE", "Ukrainian special forces fighting in Kursk", {"source_type": "anonymous_official"}),
          ("q1", "CUE", "told", {"cue_stance": "neutral"}),
          ("p1", "SUPPLEMENT", "the BBC"),
          ("c1", "CLAIM", "they had not seen any North Korean troops there for three weeks", {"claim_type": "event", "certainty": "certain"}),
          ("s2", "SOURCE", "A spokesman", {"source_type": "anonymous_official"}),
          ("q2", "CUE", "said", {"cue_stance": "neutral"}),
          ("c2", "CLAIM", "it was likely they had pulled out after heavy losses", {"claim_type": "causal", "certainty": "probable"}),
          ("e1", "NORP", "Ukrainian"), ("e2", "GPE", "Kursk"), ("e3", "ORG", "BBC"), ("e4", "NORP", "North Korean"),
          ("e5", "DATE", "three weeks")],
         [("c1", "s1", "attributed_to"), ("q1", "c1", "cue_of"), ("p1", "c1", "supplement_of"),
          ("c2", "s2", "attributed_to"), ("q2", "c2", "cue_of")]),
        # n02 is a near copy of n01 (same cluster): it must land in the same split.
        ("n02", "c-kursk", "Ukrainian special forces fighting in Kursk have told the BBC they had not seen any North "
         "Korean troops there for three weeks.",
         [("s1", "SOURCE", "Ukrainian special forces fighting in Kursk", {"source_type": "anonymous_official"}),
          ("q1", "CUE", "have told", {"cue_stance": "neutral"}),
          ("c1", "CLAIM", "they had not seen any North Korean troops there for three weeks", {"claim_type": "event"}),
          ("e1", "GPE", "Kursk")],
         [("c1", "s1", "attributed_to"), ("q1", "c1", "cue_of")]),
        ("n03", "c-officials", "Western officials told the BBC that 1,000 North Korean soldiers had been killed in three months.",
         [("s1", "SOURCE", "Western officials", {"source_type": "anonymous_official"}),
          ("q1", "CUE", "told", {"cue_stance": "neutral"}),
          ("c1", "CLAIM", "1,000 North Korean soldiers had been killed in three months", {"claim_type": "statistical", "certainty": "certain"}),
          ("e1", "CARDINAL", "1,000"), ("e2", "DATE", "three months"), ("e3", "NORP", "Western")],
         [("c1", "s1", "attributed_to"), ("q1", "c1", "cue_of")]),
        ("n04", "c-nyt", "The New York Times reported that the North Koreans had been pulled off the front lines.",
         [("s1", "SOURCE", "The New York Times", {"source_type": "media_outlet"}),
          ("q1", "CUE", "reported", {"cue_stance": "neutral"}),
          ("c1", "CLAIM", "the North Koreans had been pulled off the front lines", {"claim_type": "event"}),
          ("e1", "ORG", "The New York Times"), ("e2", "NORP", "North Koreans")],
         [("c1", "s1", "attributed_to"), ("q1", "c1", "cue_of")]),
        ("n05", "c-quoted", "The newspaper quoted US officials as saying the withdrawal may not be a permanent one.",
         [("s1", "SOURCE", "The newspaper", {"source_type": "media_outlet"}),
          ("q1", "CUE", "quoted", {"cue_stance": "neutral"}),
          ("s2", "SOURCE", "US officials", {"source_type": "anonymous_official"}),
          ("q2", "CUE", "saying", {"cue_stance": "neutral"}),
          ("c2", "CLAIM", "the withdrawal may not be a permanent one", {"claim_type": "prediction", "certainty": "possible"}),
          ("e1", "GPE", "US")],
         [("c2", "s2", "attributed_to"), ("q2", "c2", "cue_of")]),
        ("n06", "c-zelensky", 'In a video address on Friday, Volodymyr Zelensky said the Russian army had "brought back" North Korean soldiers.',
         [("p1", "SUPPLEMENT", "In a video address on Friday"),
          ("s1", "SOURCE", "Volodymyr Zelensky", {"source_type": "named_person"}),
          ("q1", "CUE", "said", {"cue_stance": "neutral"}),
          ("c1", "CLAIM", 'the Russian army had "brought back" North Korean soldiers', {"claim_type": "event", "quote_type": "mixed"}),
          ("e1", "PERSON", "Volodymyr Zelensky"), ("e2", "DATE", "Friday"), ("e3", "NORP", "Russian"), ("e4", "NORP", "North Korean")],
         [("c1", "s1", "attributed_to"), ("q1", "c1", "cue_of"), ("p1", "c1", "supplement_of")]),
        ("n07", "c-reports", "Reports attributed to South Korean intelligence say the North Koreans are unprepared for modern warfare.",
         [("s1", "SOURCE", "Reports attributed to South Korean intelligence", {"source_type": "document"}),
          ("q1", "CUE", "say", {"cue_stance": "neutral"}),
          ("c1", "CLAIM", "the North Koreans are unprepared for modern warfare", {"claim_type": "opinion"}),
          ("e1", "NORP", "South Korean"), ("e2", "NORP", "North Koreans")],
         [("c1", "s1", "attributed_to"), ("q1", "c1", "cue_of")]),
        ("n08", "c-kremlin", "The Kremlin denied that any North Korean troops were in Russia.\n\nIt gave no details.",
         [("s1", "SOURCE", "The Kremlin", {"source_type": "named_organization"}),
          ("q1", "CUE", "denied", {"cue_stance": "distancing"}),
          ("c1", "CLAIM", "any North Korean troops were in Russia", {"claim_type": "event", "check_worthy": "yes"}),
          ("e1", "ORG", "Kremlin"), ("e2", "GPE", "Russia")],
         [("c1", "s1", "attributed_to"), ("q1", "c1", "cue_of")]),
        ("n09", "c-kim", "Kim Jong Un promised to send more troops, according to state media.",
         [("s1", "SOURCE", "Kim Jong Un", {"source_type": "named_person"}),
          ("q1", "CUE", "promised", {"cue_stance": "neutral"}),
          ("c1", "CLAIM", "to send more troops", {"claim_type": "intention"}),
          ("q2", "CUE", "according to", {"cue_stance": "neutral"}),
          ("s2", "SOURCE", "state media", {"source_type": "media_outlet"}),
          ("e1", "PERSON", "Kim Jong Un")],
         [("c1", "s1", "attributed_to"), ("q1", "c1", "cue_of")]),
        ("n10", "c-ministry", "Ukraine's defence ministry estimated that Russia lost more than 1,500 soldiers on Sunday.",
         [("s1", "SOURCE", "Ukraine's defence ministry", {"source_type": "named_organization"}),
          ("q1", "CUE", "estimated", {"cue_stance": "hedged"}),
          ("c1", "CLAIM", "Russia lost more than 1,500 soldiers on Sunday", {"claim_type": "statistical", "certainty": "probable"}),
          ("e1", "GPE", "Ukraine"), ("e2", "GPE", "Russia"), ("e3", "CARDINAL", "more than 1,500"), ("e4", "DATE", "Sunday")],
         [("c1", "s1", "attributed_to"), ("q1", "c1", "cue_of")]),
        ("n11", "c-analyst", "An analyst warned that the fighting could spread.",
         [("s1", "SOURCE", "An analyst", {"source_type": "anonymous_other"}),
          ("q1", "CUE", "warned", {"cue_stance": "neutral"}),
          ("c1", "CLAIM", "the fighting could spread", {"claim_type": "prediction", "certainty": "possible"})],
         [("c1", "s1", "attributed_to"), ("q1", "c1", "cue_of")]),
        ("n12", "c-pentagon", "The Pentagon confirmed that 11,000 troops had been sent from North Korea.",
         [("s1", "SOURCE", "The Pentagon", {"source_type": "named_organization"}),
          ("q1", "CUE", "confirmed", {"cue_stance": "factive"}),
          ("c1", "CLAIM", "11,000 troops had been sent from North Korea", {"claim_type": "statistical", "certainty": "certain"}),
          ("e1", "ORG", "Pentagon"), ("e2", "CARDINAL", "11,000"), ("e3", "GPE", "North Korea")],
         [("c1", "s1", "attributed_to"), ("q1", "c1", "cue_of")]),
    ]
    return [record(doc_id, text, "gold", items, links, cluster=cluster, source_file=f"{doc_id}.txt",
                   title=f"Story {doc_id}") for doc_id, cluster, text, items, links in texts]


if __name__ == "__main__":
    write_docs(HERE / "annotations.jsonl", ANNOTATIONS)
    write_docs(HERE / "review.jsonl", REVIEW)
    write_docs(HERE / "corpus.jsonl", corpus())
    print("wrote", *(p.name for p in sorted(HERE.glob("*.jsonl"))))
