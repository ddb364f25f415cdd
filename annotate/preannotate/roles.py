"""The roles component: each cue candidate goes to its rule family, which finds its SOURCE, CLAIM and SUPPLEMENTs."""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc

from .according import according_attribution
from .constructions import adjective_attributions
from .context import Quotes, RoleSettings
from .cues import ACCORDING, ADVERB, NOUN, REFUSAL, VERB, WITHOUT
from .model import CUE_CANDIDATES, Attribution, set_attributions
from .nouns import adverb_attribution, noun_attribution
from .punctuation import dash_credits, transcript_turns
from .reporting import PENDING, refusal_attribution, verb_attribution, without_attribution


class AttributionRoles:
    def __init__(self, **config: Any) -> None:
        self.settings = RoleSettings.from_config(config)

    def __call__(self, doc: Doc) -> Doc:
        quotes = Quotes(doc)
        turns = transcript_turns(doc, self.settings)
        found: list[Attribution] = [*turns, *dash_credits(doc, self.settings, quotes),
                                    *adjective_attributions(doc, self.settings, quotes)]
        candidates = list(doc.spans[CUE_CANDIDATES]) if CUE_CANDIDATES in doc.spans else []
        cue_positions = frozenset(candidate.start for candidate in candidates)
        for candidate in candidates:
            kind, word = candidate.label_, candidate[0]
            attribution = None
            if kind == VERB:
                attribution = verb_attribution(word, candidate.kb_id_, self.settings, quotes, cue_positions)
            elif kind == REFUSAL:
                attribution = refusal_attribution(word, self.settings)
                if attribution is None and self.settings.of_kind(candidate.kb_id_, "intention"):
                    # "The landlord refuses to make the repairs": a refusal of an act, not of a statement.
                    attribution = verb_attribution(word, candidate.kb_id_, self.settings, quotes, cue_positions)
            elif kind == WITHOUT:
                attribution = without_attribution(word, self.settings)
            elif kind == ACCORDING:
                attribution = according_attribution(candidate, self.settings, quotes)
            elif kind == NOUN:
                attribution = noun_attribution(word, self.settings, quotes)
            elif kind == ADVERB:
                attribution = adverb_attribution(word, self.settings, quotes)
            # Nesting is not annotated inside a direct quote: the quoted words are the speaker's, one claim.
            if attribution is not None and quotes.containing(*attribution.cue) is None and not any(
                    turn.claims[0][0] <= attribution.cue[0] < turn.claims[0][1] for turn in turns):
                found.append(attribution)
        set_attributions(doc, _one_per_cue(found))
        return doc


def _one_per_cue(items: list[Attribution]) -> list[Attribution]:
    """Where two cues overlap ("declined to comment" and "comment"), keep the one with a result, then the longer."""
    def rank(item: Attribution) -> tuple[int, int]:
        return (item.rule != PENDING, item.cue[1] - item.cue[0])

    kept: list[Attribution] = []
    for item in sorted(items, key=rank, reverse=True):
        if all(item.cue[1] <= other.cue[0] or other.cue[1] <= item.cue[0] for other in kept):
            kept.append(item)
    return sorted(kept, key=lambda item: item.cue)
