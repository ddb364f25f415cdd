"""Cue candidates: reporting verbs by lemma, "according to", attribution adverbs and nouns, refusals.

A spaCy Matcher over the configured lexicons marks every word that *could* signal attribution; the role rules
(rules/) keep only the candidates whose parse gives them a claim (or, for refusals and negated verbs, a source),
so "the said document" or "he added three brigades" never become cues.
Candidates go to `doc.spans["attribution_cues"]`, labelled by kind, with the lexicon lemma in `kb_id_`.

Verbs match on the lemma and also on their inflected forms: the statistical lemmatizer sometimes misses
("hoped" -> "hop"), and a missed cue costs a whole attribution.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from spacy.attrs import LEMMA, POS
from spacy.matcher import PhraseMatcher
from spacy.symbols import VERB as VERB_POS
from spacy.tokens import Doc, Span, SpanGroup, Token
from spacy.util import filter_spans
from spacy.vocab import Vocab

from .model import CUE_CANDIDATES

VERB, ACCORDING, ADVERB, NOUN, REFUSAL, WITHOUT = "VERB", "ACCORDING", "ADVERB", "NOUN", "REFUSAL", "WITHOUT"

_IRREGULAR = {
    "say": ["said"], "tell": ["told"], "think": ["thought"], "know": ["knew", "known"], "find": ["found"],
    "write": ["wrote", "written"], "see": ["saw", "seen"], "feel": ["felt"], "understand": ["understood"],
    "learn": ["learnt"], "show": ["shown"], "speak": ["spoke", "spoken"], "hear": ["heard"], "put": ["put"],
    "forecast": ["forecast"], "foresee": ["foresaw", "foreseen"], "mean": ["meant"], "give": ["gave", "given"],
    "swear": ["swore", "sworn"], "hold": ["held"],
}
_VOWELS = "aeiou"


def inflections(lemma: str) -> set[str]:
    """Regular English verb forms of a lemma (and the irregular ones listed above)."""
    forms = {lemma}
    if lemma.endswith("e"):
        forms |= {lemma + "s", lemma + "d", lemma[:-1] + "ing"}
    elif lemma.endswith("y") and len(lemma) > 1 and lemma[-2] not in _VOWELS:
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
    elif lemma.endswith(("s", "sh", "ch", "x", "z")):
        forms |= {lemma + "es", lemma + "ed", lemma + "ing"}
    else:
        forms |= {lemma + "s", lemma + "ed", lemma + "ing"}
        # One-syllable consonant-vowel-consonant verbs double the last letter ("admit" -> "admitted").
        if len(lemma) >= 3 and lemma[-1] not in _VOWELS + "wxy" and lemma[-2] in _VOWELS and lemma[-3] not in _VOWELS:
            forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    forms |= set(_IRREGULAR.get(lemma, []))
    return forms


def _noun_forms(lemma: str) -> set[str]:
    if lemma.endswith("y") and len(lemma) > 1 and lemma[-2] not in _VOWELS:
        return {lemma, lemma[:-1] + "ies"}
    if lemma.endswith(("s", "sh", "ch", "x", "z")):
        return {lemma, lemma + "es"}
    return {lemma, lemma + "s"}


class CueFinder:
    """A PhraseMatcher over the lowercased forms of every lexicon entry (hash lookups, so the cost stays small
    beside the parser), then a part-of-speech check on the few matches."""

    def __init__(self, vocab: Vocab, verbs: Iterable[str], nouns: Iterable[str], adverbs: Iterable[str],
                 according_phrases: Iterable[str], refusal_verbs: Iterable[str],
                 refusal_without_verbs: Iterable[str] = (), unanswered_verbs: Iterable[str] = ()) -> None:
        self.matcher = PhraseMatcher(vocab, attr="LOWER")
        self.form_lemma: dict[tuple[str, str], str] = {}  # (kind, lowercased form) -> lexicon lemma
        self.verb_lemmas = frozenset(verb.lower() for verb in verbs)
        # "did not return calls seeking comment": a candidate only when negated, so that "the soldiers could return"
        # does not end a claim as if it held another attribution.
        self.unanswered_lemmas = frozenset(verb.lower() for verb in unanswered_verbs)
        self.refusal_lemmas = frozenset(verb.lower() for verb in refusal_verbs) | self.unanswered_lemmas
        self.noun_lemmas = frozenset(noun.lower() for noun in nouns)
        forms: dict[str, set[str]] = {VERB: set(), REFUSAL: set(), NOUN: set(), ADVERB: set(), ACCORDING: set(),
                                      WITHOUT: set()}
        for kind, lemmas, inflect in ((VERB, self.verb_lemmas, inflections),
                                      (REFUSAL, self.refusal_lemmas, inflections), (NOUN, self.noun_lemmas, _noun_forms)):
            for lemma in sorted(lemmas):
                for form in inflect(lemma):
                    forms[kind].add(form)
                    self.form_lemma.setdefault((kind, form), lemma)
        forms[ADVERB] = {adverb.lower() for adverb in adverbs}
        forms[ACCORDING] = {" ".join(phrase.lower().split()) for phrase in according_phrases if phrase.split()}
        forms[WITHOUT] = {f"without {form}" for verb in refusal_without_verbs
                          for form in inflections(verb.lower()) if form.endswith("ing")}
        for kind, phrases in forms.items():
            if phrases:
                self.matcher.add(kind, [_tokens(vocab, phrase) for phrase in sorted(phrases)])
        self.verb_lemma_array = np.array(sorted(vocab.strings.add(lemma) for lemma in self.verb_lemmas), dtype="uint64")

    def _accept(self, kind: str, span: Span) -> str | None:
        """The lexicon lemma when the match has the right part of speech, else None."""
        token = span[0]
        lower = token.lower_
        if kind in (VERB, REFUSAL):
            if token.pos_ not in ("VERB", "AUX") and not _has_verb_arguments(token):
                return None
            lemma = self.form_lemma.get((kind, lower), token.lemma_.lower())
            if kind == REFUSAL and lemma in self.unanswered_lemmas and not any(
                    child.dep_ == "neg" for child in token.children):
                return None
            return lemma
        if kind == NOUN:
            return self.form_lemma.get((NOUN, lower), token.lemma_.lower()) if token.pos_ in ("NOUN", "PROPN") else None
        if kind == ACCORDING:
            return span.text.lower()
        if kind == WITHOUT:
            return "without" if span[-1].tag_ == "VBG" else None
        return lower

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match_id, start, end in self.matcher(doc):
            kind = doc.vocab.strings[match_id]
            lemma = self._accept(kind, doc[start:end])
            if lemma is not None:
                spans.append(Span(doc, start, end, label=kind, kb_id=lemma))
        # A verb whose lemma is in the lexicon but whose form the list missed (an irregular form).
        seen = {span.start for span in spans}
        table = doc.to_array([LEMMA, POS])
        hits = (np.isin(table[:, 0], self.verb_lemma_array) & (table[:, 1] == VERB_POS)).nonzero()[0].tolist()
        for index in hits:
            if index not in seen:
                spans.append(Span(doc, index, index + 1, label=VERB, kb_id=doc[index].lemma_))
        doc.spans[CUE_CANDIDATES] = SpanGroup(doc, name=CUE_CANDIDATES, spans=filter_spans(spans))
        return doc


def _has_verb_arguments(token: Token) -> bool:
    """ "Emails obtained by the newspaper show that …": after a participle modifier the small model may tag the verb
    as a noun, yet still give it a subject and a clause; a noun takes neither."""
    deps = {child.dep_ for child in token.children}
    return "nsubj" in deps and "ccomp" in deps


def _tokens(vocab: Vocab, phrase: str) -> Doc:
    return Doc(vocab, words=phrase.split())
