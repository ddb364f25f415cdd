"""The registered functions that `configs/train.cfg` names: the span model's layers, its candidate suggester, the
corpus reader, the batcher with a time budget, the progress logger and the tokenizer callback.

Importing this module registers them; a trained pipeline's config refers to them by name, so code that loads one
(annotate.preannotate.learned) imports this module first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, List, Optional

import numpy
from spacy.ml.models.tok2vec import MaxoutWindowEncoder, MultiHashEmbed, build_Tok2Vec_model
from spacy.tokens import Doc, DocBin
from spacy.training import Example
from spacy.training.batchers import minibatch_by_words
from spacy.util import registry
from thinc.api import Maxout, Model, chain, concatenate, with_array
from thinc.types import Floats2d, Ragged

from ..errors import AnnotateError
from ..nlp import split_glued_quotes

LEARNED_KEY = "attribution_learned"  # the span model's predictions (and the gold it trains on)
RULES_KEY = "attribution"  # the rule components' output, read as features
ATTRIBUTION_LABELS = ("CUE", "SOURCE", "CLAIM", "SUPPLEMENT")
# Tokens that open or close a candidate without belonging to a claim or a source in most guidelines.
_EDGE_WORDS = frozenset({"that", "whether", "if", "because", ",", ";", ":", "-", "—", "–", "(", ")"})
_BREAKS = frozenset({",", ";", ":", "-", "—", "–"})
_CLAUSE_DEPS = frozenset({"ROOT", "ccomp", "xcomp", "advcl", "conj", "parataxis", "relcl"})
_QUOTE_OPEN = frozenset({"“", "\"", "«", "„", "‘"})
_QUOTE_CLOSE = frozenset({"”", "\"", "»", "’"})


# --- features from the rules ---------------------------------------------------------------------------------


def rule_features(spans_key: str, labels: Iterable[str]) -> Model[List[Doc], List[Floats2d]]:
    """Per token, for each attribution label, the rule score where a rule span of that label begins, continues
    and ends on it (3 columns a label): the span model learns where the rules are right and where they miss."""
    labels = tuple(labels)
    return Model("annotate_rule_features", _rule_features_forward, dims={"nO": 3 * len(labels)},
                 attrs={"spans_key": spans_key, "labels": labels})


def _rule_features_forward(model: Model, docs: List[Doc], is_train: bool):
    key = model.attrs["spans_key"]
    column = {label: 3 * number for number, label in enumerate(model.attrs["labels"])}
    arrays = []
    for doc in docs:
        features = numpy.zeros((len(doc), model.get_dim("nO")), dtype="float32")
        group = doc.spans[key] if key in doc.spans else None
        if group is not None:
            scores = list(group.attrs.get("scores", []))
            for index, span in enumerate(group):
                first = column.get(span.label_)
                if first is None:
                    continue
                score = float(scores[index]) if index < len(scores) else 1.0
                features[span.start, first] = max(features[span.start, first], score)
                features[span.start + 1:span.end, first + 1] = numpy.maximum(
                    features[span.start + 1:span.end, first + 1], score)
                features[span.end - 1, first + 2] = max(features[span.end - 1, first + 2], score)
        arrays.append(model.ops.asarray2f(features))
    return arrays, lambda d_arrays: []


@registry.architectures("annotate.AttributionTok2Vec.v1")
def build_attribution_tok2vec(width: int, depth: int, rows: List[int], attrs: List[str], window_size: int,
                              maxout_pieces: int, rules_key: str, rule_labels: List[str]) -> Model[List[Doc], List[Floats2d]]:
    """spaCy's hash embeddings over `attrs` (which may include the base pipeline's TAG, DEP and ENT_TYPE),
    concatenated with the rule features, mixed to `width`, then a window encoder."""
    embed = MultiHashEmbed(width=width, attrs=attrs, rows=rows, include_static_vectors=False)
    features = rule_features(rules_key, rule_labels)
    mixed = chain(concatenate(embed, features),
                  with_array(Maxout(nO=width, nI=width + features.get_dim("nO"), nP=maxout_pieces,
                                    normalize=True, dropout=0.0)))
    encode = MaxoutWindowEncoder(width=width, window_size=window_size, maxout_pieces=maxout_pieces, depth=depth)
    return build_Tok2Vec_model(mixed, encode)


# --- candidate spans -----------------------------------------------------------------------------------------


def _trimmed(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Without complementisers and punctuation at the edges ("that 1,000 had died," -> "1,000 had died")."""
    while start < end and (doc[start].lower_ in _EDGE_WORDS or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].is_punct and doc[end - 1].text not in _QUOTE_CLOSE or doc[end - 1].is_space):
        end -= 1
    return start, end


def _quotations(doc: Doc, max_tokens: int) -> Iterator[tuple[int, int]]:
    """From each opening quotation mark to each of the next few closing ones, marks included."""
    opens = [token.i for token in doc if token.text in _QUOTE_OPEN]
    closes = [token.i for token in doc if token.text in _QUOTE_CLOSE]
    for start in opens:
        following = [end for end in closes if start < end <= start + max_tokens][:3]
        for end in following:
            yield start, end + 1


def candidate_spans(doc: Doc, max_ngram: int, max_tokens: int, rules_key: str) -> set[tuple[int, int]]:
    """Short n-grams (cues, names), every syntactic subtree with and without its edge words (sources, claims),
    clauses cut at their first break, sentences and their parts either side of a break, quotations and whatever
    the rules proposed."""
    found: set[tuple[int, int]] = set()
    length = len(doc)
    for start in range(length):
        if doc[start].is_space:
            continue
        for size in range(1, max_ngram + 1):
            if start + size <= length and not doc[start + size - 1].is_space:
                found.add((start, start + size))
    has_parse = doc.has_annotation("DEP")
    if has_parse:
        for token in doc:
            start, end = token.left_edge.i, token.right_edge.i + 1
            found.add((start, end))
            found.add(_trimmed(doc, start, end))
            # The part of a subtree from its head on ("officials said the plan failed" -> "said the plan failed")
            # and up to its head (a fronted claim before its cue).
            found.add(_trimmed(doc, token.i, end))
            found.add(_trimmed(doc, start, token.i + 1))
        for token in doc:
            if token.pos_ == "VERB" and token.right_edge.i > token.i:
                # What a verb governs after it: "said | he would be meeting Zelensky next week".
                found.add(_trimmed(doc, token.i + 1, token.right_edge.i + 1))
            if token.dep_ in _CLAUSE_DEPS:
                # A clause up to the first break after its head: "Pyongyang sent troops to Kursk, officials say"
                # parses with "say" inside the clause's subtree.
                end = next((t.i for t in doc[token.i + 1:token.right_edge.i + 1] if t.text in _BREAKS), None)
                if end is not None:
                    found.add(_trimmed(doc, token.left_edge.i, end))
        for sentence in doc.sents:
            found.add((sentence.start, sentence.end))
            found.add(_trimmed(doc, sentence.start, sentence.end))
            # Either side of a break: fronted claims ("X, she said.") and what follows a colon or a dash.
            for token in sentence:
                if token.text in _BREAKS:
                    found.add(_trimmed(doc, sentence.start, token.i))
                    found.add(_trimmed(doc, token.i + 1, sentence.end))
    found.update(_quotations(doc, max_tokens))
    if rules_key in doc.spans:
        found.update((span.start, span.end) for span in doc.spans[rules_key])
    return {(start, end) for start, end in found if 0 < end - start <= max_tokens}


@registry.misc("annotate.attribution_suggester.v1")
def build_attribution_suggester(max_ngram: int = 4, max_tokens: int = 120, rules_key: str = RULES_KEY):
    def suggest(docs: Iterable[Doc], *, ops=None) -> Ragged:
        from thinc.api import get_current_ops

        ops = ops or get_current_ops()
        rows: list[tuple[int, int]] = []
        lengths = []
        for doc in docs:
            spans = sorted(candidate_spans(doc, max_ngram, max_tokens, rules_key))
            rows.extend(spans)
            lengths.append(len(spans))
        data = ops.asarray2i(rows) if rows else ops.xp.zeros((0, 0), dtype="i")
        return Ragged(data, ops.asarray1i(lengths))

    return suggest


# --- corpus, batches, progress -------------------------------------------------------------------------------


class CorpusMismatch(AnnotateError):
    """The pre-processed corpus files do not pair up (a stale or hand-edited training folder)."""


@registry.readers("annotate.PreprocessedCorpus.v1")
def build_preprocessed_corpus(predicted: Path, reference: Path) -> Callable[[Any], Iterator[Example]]:
    """Examples whose predicted side already went through the frozen base and rule components once (they are
    disabled while training), so epochs and evaluations pay only for the span model."""

    def read(nlp) -> Iterator[Example]:
        predicted_docs = DocBin().from_disk(predicted).get_docs(nlp.vocab)
        reference_docs = DocBin().from_disk(reference).get_docs(nlp.vocab)
        for number, (doc, gold) in enumerate(zip(predicted_docs, reference_docs, strict=True), start=1):
            if [t.text for t in doc] != [t.text for t in gold]:
                raise CorpusMismatch(f"{predicted} and {reference}: document {number} is tokenised differently; "
                                     "delete the training folder and run `annotate train` again")
            yield Example(doc, gold)

    return read


@registry.batchers("annotate.batch_by_words_within.v1")
def build_timed_batcher(size: int, tolerance: float, max_minutes: float, discard_oversize: bool = False):
    """spaCy's batch_by_words that stops handing out batches `max_minutes` after training starts (0: no limit), so
    the default settings finish in a bounded time on any corpus; the best model so far is kept."""
    started: list[float] = []

    def batch(examples: Iterable[Example]) -> Iterator[list[Example]]:
        if not started:
            started.append(time.monotonic())
        for group in minibatch_by_words(examples, size=size, tolerance=tolerance, discard_oversize=discard_oversize):
            if max_minutes and time.monotonic() - started[0] > max_minutes * 60:
                _notify({"event": "budget", "minutes": max_minutes})
                return
            yield group

    return batch


# spaCy builds the logger from the config, which holds no Python objects; train() subscribes its progress
# callback here for the duration of one run.
_SUBSCRIBERS: list[Callable[[dict[str, Any]], None]] = []


def _notify(event: dict[str, Any]) -> None:
    for subscriber in list(_SUBSCRIBERS):
        subscriber(event)


@contextmanager
def subscribed(callback: Callable[[dict[str, Any]], None] | None):
    if callback is None:
        yield
        return
    _SUBSCRIBERS.append(callback)
    try:
        yield
    finally:
        _SUBSCRIBERS.remove(callback)


@registry.loggers("annotate.progress_logger.v1")
def build_progress_logger():
    def setup(nlp, stdout=None, stderr=None):
        def log_step(info: Optional[dict[str, Any]]) -> None:
            if info is None:
                _notify({"event": "step"})
                return
            _notify({"event": "evaluation", "epoch": info["epoch"], "step": info["step"], "score": info["score"],
                     "losses": dict(info["losses"]), "scores": dict(info["other_scores"]),
                     "seconds": info.get("seconds", 0)})

        def finalize() -> None:
            pass

        return log_step, finalize

    return setup


@registry.callbacks("annotate.split_glued_quotes.v1")
def build_split_glued_quotes():
    """The tokenizer setting pre-annotation and export use, so trained and rule spans share tokens."""

    def apply(nlp):
        split_glued_quotes(nlp)
        return nlp

    return apply
