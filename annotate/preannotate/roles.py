"""The roles component: each cue candidate goes to its rule family, which finds its SOURCE, CLAIM and SUPPLEMENTs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spacy.tokens import Doc, Span

from .context import Quotes, RoleSettings
from .cues import ACCORDING, ADVERB, NOUN, REFUSAL, VERB, WITHOUT
from .model import CUE_CANDIDATES, Attribution, Rule, set_attributions
from .rules.according import according_attribution
from .rules.adverbs import adverb_attribution
from .rules.constructions import adjective_attributions
from .rules.nouns import noun_attribution
from .rules.punctuation import dash_credits, transcript_turns
from .rules.refusals import refusal_attribution, without_attribution
from .rules.verbs import verb_attribution


# Each cue kind's rule, behind one signature: the cue candidate (its lexicon lemma in `kb_id_`), the settings, the
# Doc's quotations and where every cue candidate starts.
CueRule = Callable[[Span, RoleSettings, Quotes, frozenset[int]], Attribution | None]
RULES: dict[str, CueRule] = {VERB: verb_attribution, REFUSAL: refusal_attribution, WITHOUT: without_attribution,
                             ACCORDING: according_attribution, NOUN: noun_attribution, ADVERB: adverb_attribution}


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
            attribution = RULES[candidate.label_](candidate, self.settings, quotes, cue_positions)
            # Nesting is not annotated inside a direct quote: the quoted words are the speaker's, one claim.
            if attribution is not None and quotes.containing(*attribution.cue) is None and not any(
                    turn.claims[0][0] <= attribution.cue[0] < turn.claims[0][1] for turn in turns):
                found.append(attribution)
        set_attributions(doc, _one_per_cue(found))
        return doc


def _one_per_cue(items: list[Attribution]) -> list[Attribution]:
    """Where two cues overlap ("declined to comment" and "comment"), keep the one with a result, then the longer."""
    def rank(item: Attribution) -> tuple[int, int]:
        return (item.rule != Rule.PENDING, item.cue[1] - item.cue[0])

    kept: list[Attribution] = []
    for item in sorted(items, key=rank, reverse=True):
        if all(item.cue[1] <= other.cue[0] or other.cue[1] <= item.cue[0] for other in kept):
            kept.append(item)
    return sorted(kept, key=lambda item: item.cue)
