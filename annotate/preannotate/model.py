"""What the attribution components pass to each other on a Doc.

An `Attribution` is one (SOURCE, CUE, CLAIMs, SUPPLEMENTs) group in token offsets. The components keep a list of
them in `doc._.attributions`; the linker removes it, or, when asked to keep it, turns it into plain dicts, because
spaCy ships Docs between processes (n_process > 1) with msgpack, which takes dicts and lists, not objects. The last component turns them into `doc.spans["attribution"]`
(links in its attrs, read through `doc._.attribution_links`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from spacy.tokens import Doc, Span

TokenRange = tuple[int, int]  # [start, end) token offsets

ATTRIBUTIONS = "attributions"
LINKS = "attribution_links"
QUOTATIONS = "quotations"
CUE_CANDIDATES = "attribution_cues"
SPAN_KEY = "attribution"


class Rule(StrEnum):
    """The rule that found an attribution; a rule's name is also its key in the [scores] of preannotate.toml."""

    VERB_CLAUSE = "verb_clause"
    VERB_QUOTE = "verb_quote"
    VERB_OBJECT = "verb_object"
    HEADLINE_OBJECT = "headline_object"
    PASSIVE_CLAUSE = "passive_clause"
    ACCORDING_TO = "according_to"
    NOUN_CLAUSE = "noun_clause"
    ADVERB = "adverb"
    NO_COMMENT = "no_comment"  # a refusal or a negated statement: SOURCE and CUE, no claim
    QUOTE_SAME_SENTENCE = "quote_same_sentence"
    QUOTE_COLON = "quote_colon"
    INTENTION = "intention"
    EVALUATION = "evaluation"
    ADJECTIVE_CLAUSE = "adjective_clause"
    TRANSCRIPT_TURN = "transcript_turn"
    DASH_CREDIT = "dash_credit"
    # A verb cue with a source and no claim yet: the quote rules may give it a quotation, the linker drops it if not.
    PENDING = "pending"


def _links(doc: Doc) -> list[list] | None:
    group = doc.spans[SPAN_KEY] if SPAN_KEY in doc.spans else None
    return group.attrs.get("links") if group is not None else None


def register_extensions() -> None:
    """Idempotent: the components' module calls it at import, so worker processes have the extensions too.

    `doc._.attributions` holds the components' working list (removed by the linker unless asked to keep it);
    `doc._.attribution_links` reads the links from the span group's attrs, so a finished Doc carries no user_data
    (Docs cross process boundaries as bytes with n_process > 1, and user_data makes that slower)."""
    if not Doc.has_extension(ATTRIBUTIONS):
        Doc.set_extension(ATTRIBUTIONS, default=None)
    if not Doc.has_extension(LINKS):
        Doc.set_extension(LINKS, getter=_links)


@dataclass(frozen=True)
class Attribution:
    rule: Rule
    cue: TokenRange
    score: float
    lemma: str = ""
    source: TokenRange | None = None
    claims: tuple[TokenRange, ...] = ()
    # Which claims are whole quotations (parallel to `claims`).
    direct: tuple[bool, ...] = ()
    # A claim's own confidence where it differs from the attribution's (a quote that continues a speaker).
    claim_scores: tuple[float, ...] = ()
    supplements: tuple[TokenRange, ...] = ()
    negated: bool = False
    # Per-role attributes, filled by the attributes component: {"cue": {...}, "source": {...}, "claims": [{...}]}.
    attrs: dict[str, Any] = field(default_factory=dict)

    def with_claim(self, claim: TokenRange, direct: bool, score: float | None = None) -> Attribution:
        if claim in self.claims:
            return self
        scores = self.claim_scores or tuple(self.score for _ in self.claims)
        return replace(self, claims=self.claims + (claim,), direct=self.direct + (direct,),
                       claim_scores=scores + (self.score if score is None else score,))

    def claim_score(self, index: int) -> float:
        return self.claim_scores[index] if index < len(self.claim_scores) else self.score

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule.value, "cue": list(self.cue), "score": self.score, "lemma": self.lemma,
                "source": list(self.source) if self.source else None, "claims": [list(c) for c in self.claims],
                "direct": list(self.direct), "claim_scores": list(self.claim_scores),
                "supplements": [list(s) for s in self.supplements],
                "negated": self.negated, "attrs": self.attrs}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Attribution:
        return cls(rule=Rule(raw["rule"]), cue=tuple(raw["cue"]), score=raw["score"], lemma=raw.get("lemma", ""),
                   source=tuple(raw["source"]) if raw.get("source") else None,
                   claims=tuple(tuple(c) for c in raw.get("claims", [])), direct=tuple(raw.get("direct", [])),
                   claim_scores=tuple(raw.get("claim_scores", [])),
                   supplements=tuple(tuple(s) for s in raw.get("supplements", [])),
                   negated=bool(raw.get("negated")), attrs=raw.get("attrs", {}))


def get_attributions(doc: Doc) -> list[Attribution]:
    """The working list: Attribution objects inside the pipeline, dicts once made serialisable (or read back)."""
    return [raw if isinstance(raw, Attribution) else Attribution.from_dict(raw)
            for raw in (doc._.get(ATTRIBUTIONS) or [])]


def set_attributions(doc: Doc, items: list[Attribution]) -> None:
    """Objects while the components work (no conversion cost); see `make_serialisable`."""
    doc._.set(ATTRIBUTIONS, list(items))


def make_serialisable(doc: Doc) -> None:
    """Dicts instead of objects, for a Doc that keeps its working list and may be shipped as bytes (msgpack)."""
    doc._.set(ATTRIBUTIONS, [item.to_dict() for item in get_attributions(doc)])


def span_of(doc: Doc, token_range: TokenRange, label: str = "") -> Span:
    return Span(doc, token_range[0], token_range[1], label=label)


register_extensions()
