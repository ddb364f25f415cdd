"""Attributes that rules can decide: cue_stance, certainty, quote_type, claim_type, source_type.

Every decision is a lexicon lookup from configs/preannotate.toml. What the rules cannot decide is left to people:
check_worthy, the claim types that need a reader (opinion, intention, policy, other), the source_type of a pronoun
with no earlier source to refer to.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from spacy.attrs import ENT_TYPE, LEMMA, LOWER, ORTH, POS
from spacy.strings import get_string_id
from spacy.symbols import ADJ, ADV, AUX, PART, SCONJ, VERB
from spacy.tokens import Doc, Span

from .model import Attribution, TokenRange, get_attributions, set_attributions
from .phrases import QUOTE_CHARS

_ORGANIZATION_ENTS = {"ORG", "GPE", "NORP", "FAC", "LOC"}
_ARTICLES = ("the ", "The ")
_HEDGE_POS = frozenset(int(pos) for pos in (ADV, ADJ, AUX, VERB, PART, SCONJ))
_MODIFIER_CLAUSES = {"relcl", "acl"}
_COLUMNS = [POS, LOWER, LEMMA, ENT_TYPE, ORTH]
_POS, _LOWER, _LEMMA, _ENT_TYPE, _ORTH = range(len(_COLUMNS))


def _markers_outside_modifiers(doc: Doc, claim: TokenRange, rows: list[list[int]], markers: set[int]) -> set[int]:
    """The hedge and future markers that bear on the claim itself: one inside a relative or participle clause
    qualifies a noun, not the claim ('was “the best we could get”'). Runs only when the claim holds a marker."""
    kept: set[int] = set()
    for offset, row in enumerate(rows):
        found = {row[_LOWER], row[_LEMMA]} & markers
        if not found or row[_POS] not in _HEDGE_POS:
            continue
        token = doc[claim[0] + offset]
        while claim[0] <= token.head.i < claim[1] and token.head.i != token.i and token.dep_ not in _MODIFIER_CLAUSES:
            token = token.head
        if token.dep_ not in _MODIFIER_CLAUSES:
            kept |= found
    return kept


def _hashes(words: list[str]) -> frozenset[int]:
    return frozenset(get_string_id(word.lower()) for word in words)


class AttributionAttributes:
    def __init__(self, stance: dict[str, str], certainty: dict[str, list[str]], sources: dict[str, list[str]],
                 statistical_entity_labels: list[str], causal_markers: list[str] = (),
                 prediction_markers: list[str] = ()) -> None:
        self.stance = {lemma.lower(): value for lemma, value in stance.items()}
        # Lexicons as string hashes, to compare with the doc's attribute table.
        self.possible = _hashes(certainty.get("possible", []))
        self.probable = _hashes(certainty.get("probable", []))
        self.quote_marks = frozenset(get_string_id(mark) for mark in QUOTE_CHARS | {"``", "''"})
        self.cue_possible = frozenset(certainty.get("cue_possible", []))
        self.cue_probable = frozenset(certainty.get("cue_probable", []))
        self.sources = {name: frozenset(word.lower() for word in words) for name, words in sources.items()
                        if name != "media_outlets"}
        self.outlets = frozenset(sources.get("media_outlets", []))
        self.statistical = frozenset(get_string_id(label) for label in statistical_entity_labels)
        self.causal = [[get_string_id(word) for word in marker.lower().split()] for marker in causal_markers
                       if marker.split()]
        self.prediction = _hashes(prediction_markers)
        self.markers = self.possible | self.probable | self.prediction

    def __call__(self, doc: Doc) -> Doc:
        items = get_attributions(doc)
        if not items:
            return doc
        annotated = []
        ents = list(doc.ents)  # Span.ents rescans the whole doc on every call: take them once
        table = doc.to_array(_COLUMNS)
        # Earlier non-pronoun sources, in text order, for a pronoun to take its source_type from.
        antecedents: list[tuple[int, Span, str]] = []
        for item in sorted(items, key=lambda item: item.source or item.cue):
            item = self.annotate(doc, item, antecedents, ents, table)
            annotated.append(item)
            if item.source is not None and item.attrs.get("source", {}).get("source_type"):
                span = doc[item.source[0]:item.source[1]]
                if span.root.pos_ != "PRON":
                    antecedents.append((span.start, span, item.attrs["source"]["source_type"]))
        set_attributions(doc, sorted(annotated, key=lambda item: item.cue))
        return doc

    def annotate(self, doc: Doc, item: Attribution, antecedents: list[tuple[int, Span, str]] = (),
                 ents: list[Span] | None = None, table: np.ndarray | None = None) -> Attribution:
        stance = self.cue_stance(item)
        attrs: dict[str, Any] = {"cue": {"cue_stance": stance}, "claims": []}
        if item.source is not None:
            span = doc[item.source[0]:item.source[1]]
            source_type = self.source_type(span, ents) or _pronoun_type(span, antecedents)
            attrs["source"] = {"source_type": source_type} if source_type else {}
        for claim, direct in zip(item.claims, item.direct):
            attrs["claims"].append(self.claim_attrs(doc, claim, direct, item.lemma, table))
        return replace(item, attrs=attrs)

    def cue_stance(self, item: Attribution) -> str:
        return self.stance.get(item.lemma, "neutral")

    def claim_attrs(self, doc: Doc, claim: TokenRange, direct: bool, cue_lemma: str = "",
                    table: np.ndarray | None = None) -> dict[str, str]:
        """From the claim's rows of the doc's attribute table (hashes), not from Token objects: claims are long
        and there are many, so this stays cheap beside the parser."""
        if table is None:
            table = doc.to_array(_COLUMNS)
        rows = table[claim[0]:claim[1]].tolist()
        # Hedges in the claim or in the cue ("believes", "were seen to", "hoped") lower certainty; the weakest wins.
        # Only hedging parts of speech count: "suspect" the noun is no hedge, "suspect" the verb is.
        words = {row[column] for row in rows if row[_POS] in _HEDGE_POS for column in (_LOWER, _LEMMA)}
        markers = words & self.markers
        if markers:
            # Hedges and future markers inside a relative clause qualify a noun, not the claim.
            words = (words - markers) | _markers_outside_modifiers(doc, claim, rows, markers)
        if words & self.possible or cue_lemma in self.cue_possible:
            certainty = "possible"
        elif words & self.probable or cue_lemma in self.cue_probable:
            certainty = "probable"
        else:
            certainty = "certain"
        if direct:
            quote_type = "direct"
        elif any(row[_ORTH] in self.quote_marks for row in rows):
            quote_type = "mixed"
        else:
            quote_type = "indirect"
        return {"certainty": certainty, "quote_type": quote_type, "claim_type": self.claim_type(rows, words)}

    def claim_type(self, rows: list[list[int]], words: set[int]) -> str:
        """Figures first (statistical), then an explicit cause, then the future; otherwise an event."""
        if any(row[_ENT_TYPE] in self.statistical for row in rows):
            return "statistical"
        lowered = [row[_LOWER] for row in rows]
        for marker in self.causal:
            first = marker[0]
            if any(lowered[i:i + len(marker)] == marker for i, word in enumerate(lowered) if word == first):
                return "causal"
        if words & self.prediction:
            return "prediction"
        return "event"

    def source_type(self, span: Span, doc_ents: list[Span] | None = None) -> str | None:
        head = span.root
        lemma = head.lemma_.lower()
        if head.pos_ == "PRON":
            return None
        text = span.text
        bare = text[4:] if text.startswith(_ARTICLES) else text
        ents = [ent for ent in (span.doc.ents if doc_ents is None else doc_ents)
                if span.start <= ent.start and ent.end <= span.end]
        if text in self.outlets or bare in self.outlets or any(ent.text in self.outlets for ent in ents
                                                             if ent.start <= head.i < ent.end):
            return "media_outlet"
        if lemma in self.sources.get("document", ()):
            return "document"
        has_person = any(ent.label_ == "PERSON" for ent in ents)
        if head.ent_type_ == "PERSON":
            return "named_person"
        if lemma in self.sources.get("person_titles", ()) and head.tag_ in {"NN", "NNP"} and any(
                child.dep_ == "poss" or (child.dep_ == "det" and child.lower_ == "the") or child.dep_ == "compound"
                and child.ent_type_ for child in head.children):
            return "named_person"
        if lemma in self.sources.get("anonymous_official", ()):
            return "named_person" if has_person else "anonymous_official"
        if lemma in self.sources.get("media_nouns", ()):
            return "media_outlet"
        if lemma in self.sources.get("anonymous_other", ()):
            return "named_person" if has_person else "anonymous_other"
        if head.ent_type_ in _ORGANIZATION_ENTS:
            return "named_organization"
        if lemma in self.sources.get("organization_nouns", ()) and (
                any(ent.label_ in _ORGANIZATION_ENTS for ent in ents) or any(
                    child.dep_ == "det" and child.lower_ == "the" for child in head.children)):
            return "named_organization"
        if head.pos_ == "PROPN":
            return "named_organization"
        return "anonymous_other"


_SINGULAR_PERSON = {"he", "she", "him", "her", "his"}
_PLURAL = {"they", "them", "their"}
_THING = {"it", "its"}
_PERSON_TYPES = {"named_person", "anonymous_official", "anonymous_other"}
_THING_TYPES = {"named_organization", "document", "media_outlet"}


def _is_plural(span: Span) -> bool:
    root = span.root
    return root.tag_ in {"NNS", "NNPS"} or any(token.dep_ == "conj" and token.head.i == root.i for token in span)


def _pronoun_type(span: Span, antecedents: list[tuple[int, Span, str]]) -> str | None:
    """A pronoun source takes the type of the nearest earlier source it can refer to (he -> a person, they -> a
    plural source, it -> an organisation or document). No coreference is resolved in the span itself."""
    if len(span) != 1 or span.root.pos_ != "PRON":
        return None
    word = span.root.lower_
    for start, antecedent, source_type in reversed(antecedents):
        if start >= span.start:
            continue
        plural = _is_plural(antecedent)
        if word in _SINGULAR_PERSON and source_type in _PERSON_TYPES and not plural:
            return source_type
        if word in _PLURAL and plural:
            return source_type
        if word in _THING and source_type in _THING_TYPES and not plural:
            return source_type
    return None
