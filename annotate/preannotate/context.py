"""What every rule family needs besides the token it starts from: its settings and the doc's quotations."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc

from .model import QUOTATIONS, Rule, TokenRange
from .phrases import is_quote, is_space, quote_positions, trim


@dataclass(frozen=True)
class RoleSettings:
    reporting_verbs: frozenset[str]
    object_claim_verbs: frozenset[str]
    recipient_verbs: frozenset[str]
    belief_verbs: frozenset[str]
    unmarked_when_negated: frozenset[str]
    raising_verbs: frozenset[str]
    as_verbs: frozenset[str]
    figure_verbs: frozenset[str]
    charge_verbs: frozenset[str]
    refusal_complements: frozenset[str]
    refusal_objects: frozenset[str]
    refusal_without_verbs: frozenset[str]
    medium_nouns: frozenset[str]
    medium_prepositions: frozenset[str]
    ignore_dependencies: frozenset[str]
    scores: dict[str, float]
    # Verb kinds and the word lists of the broader constructions (rules/constructions.py, rules/punctuation.py).
    kinds: dict[str, frozenset[str]] = field(default_factory=dict)
    naming_verbs: frozenset[str] = frozenset()
    comparison_verbs: frozenset[str] = frozenset()
    prepositional_cues: dict[str, frozenset[str]] = field(default_factory=dict)  # verb lemma -> prepositions
    agent_nouns: frozenset[str] = frozenset()
    document_nouns: frozenset[str] = frozenset()
    cue_adjectives: frozenset[str] = frozenset()
    cue_adjective_prepositions: frozenset[str] = frozenset()
    transcript_non_speakers: frozenset[str] = frozenset()
    credit_dashes: frozenset[str] = frozenset()
    inanimate_subject_verbs: frozenset[str] = frozenset()
    infinitive_nouns: frozenset[str] = frozenset()
    agent_suffixes: frozenset[str] = frozenset()
    not_agent_nouns: frozenset[str] = frozenset()
    unanswered_verbs: frozenset[str] = frozenset()
    verdict_verbs: frozenset[str] = frozenset()

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> RoleSettings:
        def words(key: str) -> frozenset[str]:
            return frozenset(word.lower() for word in config.get(key, []))

        constructions = config.get("constructions", {})

        def listed(key: str, lower: bool = True) -> frozenset[str]:
            return frozenset(word.lower() if lower else word for word in constructions.get(key, []))

        prepositional: dict[str, set[str]] = {}
        for phrase in constructions.get("prepositional_cues", []):
            verb, _, rest = phrase.lower().partition(" ")
            prepositional.setdefault(verb, set()).add(rest)

        return cls(reporting_verbs=words("reporting_verbs"), object_claim_verbs=words("object_claim_verbs"),
                   recipient_verbs=words("recipient_verbs"), belief_verbs=words("belief_verbs"),
                   unmarked_when_negated=words("unmarked_when_negated"), raising_verbs=words("raising_verbs"),
                   as_verbs=words("as_verbs"), figure_verbs=words("figure_verbs"), charge_verbs=words("charge_verbs"),
                   refusal_complements=words("refusal_complements"), refusal_objects=words("refusal_objects"),
                   refusal_without_verbs=words("refusal_without_verbs"), medium_nouns=words("medium_nouns"),
                   medium_prepositions=words("medium_prepositions"),
                   ignore_dependencies=frozenset(config.get("ignore_dependencies", [])),
                   scores=dict(config.get("scores", {})),
                   kinds={key[:-len("_verbs")]: listed(key) for key in constructions if key.endswith("_verbs")
                          and key not in {"naming_verbs", "comparison_verbs"}},
                   naming_verbs=listed("naming_verbs"), comparison_verbs=listed("comparison_verbs"),
                   prepositional_cues={verb: frozenset(rest) for verb, rest in prepositional.items()},
                   agent_nouns=listed("agent_nouns"), document_nouns=listed("document_nouns"),
                   cue_adjectives=listed("cue_adjectives"),
                   cue_adjective_prepositions=listed("cue_adjective_prepositions"),
                   transcript_non_speakers=listed("transcript_non_speakers", lower=False),
                   credit_dashes=listed("credit_dashes", lower=False),
                   inanimate_subject_verbs=listed("inanimate_subject_verbs"),
                   infinitive_nouns=listed("infinitive_nouns"), agent_suffixes=listed("agent_suffixes"),
                   not_agent_nouns=listed("not_agent_nouns"), unanswered_verbs=listed("unanswered_verbs"),
                   verdict_verbs=listed("verdict_verbs"))

    def of_kind(self, lemma: str, kind: str) -> bool:
        return lemma in self.kinds.get(kind, frozenset())

    def score(self, rule: Rule) -> float:
        return float(self.scores.get(rule, 0.5))


@dataclass(frozen=True)
class Quote:
    start: int  # token offsets, marks included
    end: int
    group: int


class Quotes:
    """The doc's quotations (from the quotes component) and how a clause relates to them."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        group = doc.spans[QUOTATIONS] if QUOTATIONS in doc.spans else None
        groups = group.attrs.get("groups", []) if group is not None else []
        self.items = [Quote(span.start, span.end, groups[i] if i < len(groups) else i)
                      for i, span in enumerate(group or [])]

    def containing(self, start: int, end: int) -> Quote | None:
        for quote in self.items:
            if quote.start <= start and end <= quote.end:
                return quote
        return None

    def resolve(self, claim: TokenRange, cue: TokenRange) -> tuple[TokenRange, bool] | None:
        """A clause that is (all but punctuation) one quotation becomes that quotation, marks included: a direct
        claim. Any other clause stays as it is: an indirect or mixed claim. A cue inside a quotation ("“We believe
        that …,” he added") is nested: its claim stays inside that quotation, or there is none."""
        start, end = claim
        around_cue = self.containing(*cue)
        if around_cue is not None:
            found = trim(self.doc, max(start, around_cue.start + 1), min(end, around_cue.end - 1))
            return (found, False) if found is not None else None
        inside = self.containing(start, end)
        if inside is not None:
            return (inside.start, inside.end), True
        for quote in self.items:
            if quote.start < end and start < quote.end:
                outside = [t for t in self.doc[start:end] if not quote.start <= t.i < quote.end]
                if all(t.is_punct or is_space(t) for t in outside):
                    return (quote.start, quote.end), True
        # A clause that runs into a quotation takes the whole of it (the parse often stops at a sentence break
        # inside the quote): 'he would “probably be meeting ... I’d like to see that war end”'.
        for quote in self.items:
            if start < quote.start < end < quote.end:
                end = quote.end
            elif quote.start < start < quote.end < end:
                start = quote.start
        return (start, self._close_open_mark(start, end)), False

    def _close_open_mark(self, start: int, end: int) -> int:
        """A claim that opens a short quotation the parse cut before its punctuation ('the law was "vague and
        overbroad."') ends at the closing mark, with the punctuation inside it."""
        doc = self.doc
        marks = quote_positions(doc)
        if (bisect_left(marks, end) - bisect_left(marks, start)) % 2 == 0:
            return end
        after = end
        while after < len(doc) and after - end < 3 and doc[after].is_punct and not is_quote(doc[after]):
            after += 1
        return after + 1 if after < len(doc) and is_quote(doc[after]) else end
