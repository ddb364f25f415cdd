"""Adverb cues: an attribution adverb ("reportedly", "allegedly") attributes the clause it modifies to an unnamed
source; that clause, adverb included, is the CLAIM.
"""

from __future__ import annotations

from spacy.tokens import Span

from ..context import Quotes, RoleSettings
from ..model import Attribution, Rule
from ..phrases import trim


def adverb_attribution(candidate: Span, settings: RoleSettings, quotes: Quotes,
                       cue_positions: frozenset[int]) -> Attribution | None:
    adverb = candidate[0]
    host = adverb.head
    if host.pos_ not in {"VERB", "AUX"} or host.i == adverb.i:
        return None
    found = trim(adverb.doc, host.left_edge.i, host.right_edge.i + 1)
    if found is None:
        return None
    resolved = quotes.resolve(found, (adverb.i, adverb.i + 1))
    if resolved is None:
        return None
    claim, direct = resolved
    return Attribution(rule=Rule.ADVERB, cue=(adverb.i, adverb.i + 1), score=settings.score(Rule.ADVERB),
                       lemma=adverb.lower_, claims=(claim,), direct=(direct,))
