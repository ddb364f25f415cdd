"""Corpus, attribution and annotator statistics over any file of records, as pandas DataFrames.

Documents, sentences and tokens are counted once per doc_id; spans, relations and attributes are counted over
every record (several annotators of one document each count). Tokens, sentences and cue lemmas come from the
English spaCy pipeline (tagger, lemmatizer and the statistical sentence recogniser; no parser or NER).
Agreement between annotators is span F1 (one-to-one within a label, `annotate.matching`) pooled over the
documents two annotators share; an annotator's disagreement rate is 1 - that F1 pooled against all the others.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Any

import pandas as pd

from .grouping import by_doc_and_annotator
from .matching import Counts, Mode, span_counts, triples
from .nlp import check_length
from .records import AnnotatedDoc, no_records

UNSET = "(unset)"
# Cue tokens that carry no lexical choice: "have not commented" is the lemma "comment".
_CUE_SKIP_POS = frozenset({"AUX", "PART", "DET", "PUNCT", "SPACE"})
_CUE_FIXED = {"according": "according"}  # the lemmatizer would turn "according to" into "accord to"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class CorpusStats:
    """Every figure `annotate stats` shows, one DataFrame per table."""

    overview: pd.DataFrame          # figure, value
    labels: pd.DataFrame            # label, layer, spans, documents, mean_chars, mean_tokens, median_tokens, max_tokens
    span_lengths: pd.DataFrame      # label, tokens, spans   (a histogram's bars)
    relations: pd.DataFrame         # label, relations, documents
    attributions: pd.DataFrame      # doc_id, annotator, attributions
    sources: pd.DataFrame           # source, mentions, documents, source_type
    source_types: pd.DataFrame      # source_type, spans, share
    cues: pd.DataFrame              # lemma, cue_stance, cues
    cue_stances: pd.DataFrame       # cue_stance, cues, share
    claims: pd.DataFrame            # claim_type, certainty, claims
    numeric_claims: pd.DataFrame    # claim_type, claims, numeric, share
    annotators: pd.DataFrame        # annotator, documents, spans, relations, lead_time_*, disagreement_rate
    agreement: pd.DataFrame         # annotator x annotator pairwise span F1 (empty with fewer than two)
    label_colors: Mapping[str, str] = field(default_factory=dict)
    match_mode: str = "exact"
    notes: tuple[str, ...] = ()  # warnings for the user, e.g. older duplicate records left out

    TABLES = ("overview", "labels", "span_lengths", "relations", "attributions", "sources", "source_types", "cues",
              "cue_stances", "claims", "numeric_claims", "annotators", "agreement")

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in self.TABLES}

    def figure(self, name: str) -> Any:
        row = self.overview.loc[self.overview["figure"] == name, "value"]
        return row.iloc[0] if len(row) else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: records per table; the agreement matrix as {annotator: {annotator: f1}}; NaN as null."""
        out: dict[str, Any] = {name: frame_records(frame) for name, frame in self.tables().items() if name != "agreement"}
        out["overview"] = {row["figure"]: row["value"] for row in out["overview"]}
        out["agreement"] = {str(row): {str(col): _clean(value) for col, value in values.items()}
                            for row, values in self.agreement.to_dict(orient="index").items()}
        out["match_mode"] = self.match_mode
        out["notes"] = list(self.notes)
        return out


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _clean(value.item())
    return value


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(key): _clean(value) for key, value in row.items()} for row in frame.to_dict(orient="records")]


# ---------------------------------------------------------------------------------------------------------
# Grouping


def pairwise_span_counts(by_doc: Mapping[str, Mapping[str, AnnotatedDoc]], mode: Mode) -> dict[tuple[str, str], Counts]:
    """(annotator a, annotator b), a < b -> span counts pooled over the documents both annotated."""
    pooled: dict[tuple[str, str], Counts] = defaultdict(Counts)
    for records in by_doc.values():
        for left, right in combinations(sorted(records), 2):
            for counts in span_counts(records[left].spans, records[right].spans, mode).values():
                pooled[(left, right)].add(counts)
    return dict(pooled)


def agreement_matrix(by_doc: Mapping[str, Mapping[str, AnnotatedDoc]], mode: Mode) -> pd.DataFrame:
    annotators = sorted({name for records in by_doc.values() for name in records})
    if len(annotators) < 2:
        return pd.DataFrame()
    matrix = pd.DataFrame(float("nan"), index=annotators, columns=annotators)
    for (left, right), counts in pairwise_span_counts(by_doc, mode).items():
        matrix.loc[left, right] = matrix.loc[right, left] = round(counts.f1, 4)
    for name in annotators:
        matrix.loc[name, name] = 1.0
    matrix.index.name = "annotator"
    return matrix


# ---------------------------------------------------------------------------------------------------------
# The figures


@lru_cache(maxsize=2)
def stats_pipeline(model: str):
    """The pipeline without parser and NER (not needed here, and the slowest parts), with sentence boundaries."""
    from .nlp import load_pipeline

    nlp = load_pipeline(model, exclude=["parser", "ner"])
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    elif not nlp.has_pipe("senter") and not nlp.has_pipe("sentencizer"):
        nlp.add_pipe("sentencizer")
    return nlp


def _normalise_source(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _is_number(token) -> bool:
    """Digits ("1,000", "21"), or a number word ("three", "thousand"); not "one", which is mostly a pronoun
    ("a permanent one", "one of them") and which the small tagger still tags as a numeral."""
    if any(char.isdigit() for char in token.text):
        return True
    return token.like_num and token.lower_ != "one"


def _cue_lemma(tokens) -> str:
    kept = [token for token in tokens if token.pos_ not in _CUE_SKIP_POS]
    if not kept:  # a colon or a dash as the cue
        kept = [token for token in tokens if not token.is_space]
    return " ".join(_CUE_FIXED.get(token.lower_, token.lemma_.lower()) for token in kept)


def corpus_stats(docs: Iterable[AnnotatedDoc], nlp=None, model: str | None = None, top: int = 20,
                 mode: Mode = "exact", label_colors: Mapping[str, str] | None = None,
                 source: str = "<records>") -> CorpusStats:
    """All statistics for a stream of records. `nlp` (or the pipeline named `model`) tokenises and lemmatises.
    Of several records by one annotator for one document, only the newest counts (annotate.grouping)."""
    docs = list(docs)
    if not docs:
        raise no_records(source, "Give a JSONL file of records: articles, predictions, annotations or gold")
    if nlp is None:
        from .nlp import default_model_name

        nlp = stats_pipeline(model or default_model_name())
    if label_colors is None:
        from .schema import load_schema

        schema = load_schema()
        label_colors = {name: label.color for name, label in schema.labels.items()}
        layers = {name: label.layer for name, label in schema.labels.items()}
    else:
        layers = {}

    texts: dict[str, str] = {}
    for number, doc in enumerate(docs, start=1):
        if doc.doc_id not in texts:
            check_length(nlp, doc, source, number)
            texts[doc.doc_id] = doc.text
    parsed = dict(zip(texts, nlp.pipe(texts.values(), batch_size=16)))
    grouped = by_doc_and_annotator(docs)
    by_doc = grouped.docs
    kept = {id(doc) for records in by_doc.values() for doc in records.values()}
    records = [doc for doc in docs if id(doc) in kept]

    sentences = sum(len(list(parsed_doc.sents)) for parsed_doc in parsed.values())
    tokens = sum(sum(1 for token in parsed_doc if not token.is_space) for parsed_doc in parsed.values())

    span_rows, cue_rows, claim_rows, source_rows = [], [], [], []
    relation_rows, attribution_rows = [], []
    for doc in records:
        parsed_doc = parsed[doc.doc_id]
        for span in doc.spans:
            window = parsed_doc.char_span(span.start, span.end, alignment_mode="expand")
            span_tokens = [token for token in window if not token.is_space] if window is not None else []
            span_rows.append({"label": span.label, "doc_id": doc.doc_id, "chars": span.end - span.start,
                              "tokens": len(span_tokens)})
            if span.label == "CUE":
                cue_rows.append({"lemma": _cue_lemma(span_tokens) or span.text.lower(),
                                 "cue_stance": span.attrs.get("cue_stance", UNSET)})
            elif span.label == "CLAIM":
                claim_rows.append({"claim_type": span.attrs.get("claim_type", UNSET),
                                   "certainty": span.attrs.get("certainty", UNSET),
                                   "numeric": any(_is_number(token) for token in span_tokens)})
            elif span.label == "SOURCE":
                source_rows.append({"source": _normalise_source(span.text), "doc_id": doc.doc_id,
                                    "source_type": span.attrs.get("source_type", UNSET)})
        for relation in doc.relations:
            relation_rows.append({"label": relation.label, "doc_id": doc.doc_id})
        attribution_rows.append({"doc_id": doc.doc_id, "annotator": doc.annotator, "attributions": len(triples(doc))})

    spans = pd.DataFrame(span_rows, columns=["label", "doc_id", "chars", "tokens"])
    labels = (spans.groupby("label").agg(spans=("doc_id", "size"), documents=("doc_id", "nunique"),
                                         mean_chars=("chars", "mean"), mean_tokens=("tokens", "mean"),
                                         median_tokens=("tokens", "median"), max_tokens=("tokens", "max"))
              .reset_index())
    labels.insert(1, "layer", [layers.get(label, "") for label in labels["label"]])
    labels = labels.sort_values(["spans", "label"], ascending=[False, True], ignore_index=True)
    labels[["mean_chars", "mean_tokens"]] = labels[["mean_chars", "mean_tokens"]].round(2)
    span_lengths = (spans.groupby(["label", "tokens"]).size().rename("spans").reset_index()
                    .sort_values(["label", "tokens"], ignore_index=True))

    relation_frame = pd.DataFrame(relation_rows, columns=["label", "doc_id"])
    relations = (relation_frame.groupby("label").agg(relations=("doc_id", "size"), documents=("doc_id", "nunique"))
                 .reset_index().sort_values(["relations", "label"], ascending=[False, True], ignore_index=True))
    attributions = pd.DataFrame(attribution_rows, columns=["doc_id", "annotator", "attributions"])

    source_frame = pd.DataFrame(source_rows, columns=["source", "doc_id", "source_type"])
    sources = _top_sources(source_frame, top)
    source_types = _shares(source_frame["source_type"], "source_type", "spans")
    cue_frame = pd.DataFrame(cue_rows, columns=["lemma", "cue_stance"])
    cues = (cue_frame.groupby(["lemma", "cue_stance"]).size().rename("cues").reset_index()
            .sort_values(["cues", "lemma", "cue_stance"], ascending=[False, True, True], ignore_index=True).head(top * 2))
    cue_stances = _shares(cue_frame["cue_stance"], "cue_stance", "cues")
    claim_frame = pd.DataFrame(claim_rows, columns=["claim_type", "certainty", "numeric"])
    claims = (claim_frame.groupby(["claim_type", "certainty"]).size().rename("claims").reset_index()
              .sort_values(["claims", "claim_type", "certainty"], ascending=[False, True, True], ignore_index=True))
    numeric_claims = _numeric_claims(claim_frame)

    agreement = agreement_matrix(by_doc, mode)
    annotators = _annotator_table(records, by_doc, mode)

    annotated_docs = {doc.doc_id for doc in records}
    overview = pd.DataFrame([
        ("documents", len(texts)),
        ("annotated documents", len(annotated_docs)),
        ("records", len(records)),
        ("annotators", len(by_annotator_names(records))),
        ("sentences", sentences),
        ("tokens", tokens),
        ("spans", len(spans)),
        ("relations", len(relation_frame)),
        ("attributions", int(attributions["attributions"].sum())),
        ("attributions per record", round(float(attributions["attributions"].mean()), 2) if len(attributions) else 0.0),
        ("claims", len(claim_frame)),
        ("numeric claims", int(claim_frame["numeric"].sum())),
    ], columns=["figure", "value"], dtype=object)
    return CorpusStats(overview=overview, labels=labels, span_lengths=span_lengths, relations=relations,
                       attributions=attributions, sources=sources, source_types=source_types, cues=cues,
                       cue_stances=cue_stances, claims=claims, numeric_claims=numeric_claims, annotators=annotators,
                       agreement=agreement, label_colors=dict(label_colors), match_mode=mode,
                       notes=tuple(note for note in (grouped.warning(),) if note))


def by_annotator_names(records: Sequence[AnnotatedDoc]) -> list[str]:
    return sorted({doc.annotator for doc in records if doc.annotator})


def _shares(values: pd.Series, name: str, count_name: str) -> pd.DataFrame:
    counts = values.value_counts().rename(count_name).rename_axis(name).reset_index()
    counts = counts.sort_values([count_name, name], ascending=[False, True], ignore_index=True)
    total = counts[count_name].sum()
    counts["share"] = (counts[count_name] / total).round(4) if total else 0.0
    return counts


def _top_sources(frame: pd.DataFrame, top: int) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=["source", "mentions", "documents", "source_type"])
    # Group case-insensitively, show the most frequent spelling and the most frequent type.
    frame = frame.assign(key=frame["source"].str.casefold())
    rows = []
    for key, group in frame.groupby("key"):
        spelling = Counter(group["source"]).most_common()
        types = Counter(group["source_type"]).most_common()
        rows.append({"source": min(spelling, key=lambda item: (-item[1], item[0]))[0], "mentions": len(group),
                     "documents": group["doc_id"].nunique(),
                     "source_type": min(types, key=lambda item: (-item[1], item[0]))[0]})
    result = pd.DataFrame(rows).sort_values(["mentions", "documents", "source"], ascending=[False, False, True],
                                            ignore_index=True)
    return result.head(top)


def _numeric_claims(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=["claim_type", "claims", "numeric", "share"])
    table = frame.groupby("claim_type").agg(claims=("numeric", "size"), numeric=("numeric", "sum")).reset_index()
    table["numeric"] = table["numeric"].astype(int)
    table["share"] = (table["numeric"] / table["claims"]).round(4)
    return table.sort_values(["numeric", "claim_type"], ascending=[False, True], ignore_index=True)


def _annotator_table(records: Sequence[AnnotatedDoc], by_doc: Mapping[str, Mapping[str, AnnotatedDoc]],
                     mode: Mode) -> pd.DataFrame:
    columns = ["annotator", "documents", "spans", "relations", "lead_time_mean", "lead_time_median",
               "lead_time_total", "shared_documents", "disagreement_rate"]
    rows: dict[str, dict[str, Any]] = {}
    lead_times: dict[str, list[float]] = defaultdict(list)
    documents: dict[str, set[str]] = defaultdict(set)
    for doc in records:
        row = rows.setdefault(doc.annotator, {"annotator": doc.annotator, "spans": 0, "relations": 0})
        row["spans"] += len(doc.spans)
        row["relations"] += len(doc.relations)
        documents[doc.annotator].add(doc.doc_id)
        lead_time = doc.meta.get("lead_time")
        if isinstance(lead_time, (int, float)) and not isinstance(lead_time, bool):
            lead_times[doc.annotator].append(float(lead_time))
    pooled: dict[str, Counts] = defaultdict(Counts)
    shared: dict[str, set[str]] = defaultdict(set)
    for (left, right), counts in pairwise_span_counts(by_doc, mode).items():
        pooled[left].add(counts)
        pooled[right].add(counts)
    for doc_id, annotated in by_doc.items():
        if len(annotated) > 1:
            for name in annotated:
                shared[name].add(doc_id)
    table = []
    for name in sorted(rows):
        times = pd.Series(lead_times.get(name, []), dtype=float)
        table.append({**rows[name], "documents": len(documents[name]),
                      "lead_time_mean": round(times.mean(), 2) if len(times) else float("nan"),
                      "lead_time_median": round(times.median(), 2) if len(times) else float("nan"),
                      "lead_time_total": round(times.sum(), 2) if len(times) else float("nan"),
                      "shared_documents": len(shared.get(name, ())),
                      "disagreement_rate": round(1 - pooled[name].f1, 4) if name in pooled else float("nan")})
    return pd.DataFrame(table, columns=columns)
