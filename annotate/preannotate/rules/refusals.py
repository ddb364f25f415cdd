"""Refusals: "X declined to comment", "X declined to provide a definitive response", and "…, without giving any
details": SOURCE and CUE, no claim (rule "no_comment"). A negated reporting verb ("has not commented") is the verb
rules' (verbs.py).
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from ..context import Quotes, RoleSettings
from ..model import Attribution, Rule
from ..phrases import child_with, noun_phrase, subject_of, verb_group
from .verbs import source_token, verb_attribution


def refusal_attribution(candidate: Span, settings: RoleSettings, quotes: Quotes,
                        cue_positions: frozenset[int]) -> Attribution | None:
    found = _declined(candidate[0], settings)
    if found is None and settings.of_kind(candidate.kb_id_, "intention"):
        # "The landlord refuses to make the repairs": a refusal of an act, not of a statement.
        return verb_attribution(candidate, settings, quotes, cue_positions)
    return found


def _declined(verb: Token, settings: RoleSettings) -> Attribution | None:
    """'X declined to comment', 'X declined to provide a definitive response': SOURCE and CUE, no claim.
    The CUE runs from the refusal verb to the speech verb, or to the head of its object ("response")."""
    complement = child_with(verb, "xcomp")
    if complement is None:
        return None
    lemma = complement.lemma_.lower()
    end = None
    if lemma in settings.refusal_complements:
        end = complement.i + 1
    elif (obj := child_with(complement, "dobj")) is not None and obj.lemma_.lower() in settings.refusal_objects:
        end = obj.i + 1
    if end is None:
        return None
    head = source_token(verb, passive=False)
    source = noun_phrase(head, exclude=verb) if head is not None else None
    if source is None:
        return None
    return Attribution(rule=Rule.NO_COMMENT, cue=(verb_group(verb)[0], end), score=settings.score(Rule.NO_COMMENT),
                       lemma=verb.lemma_.lower(), source=source, negated=True)


def without_attribution(candidate: Span, settings: RoleSettings, quotes: Quotes,
                        cue_positions: frozenset[int]) -> Attribution | None:
    """'…, without giving any details about …': a refusal inside another statement. The SOURCE is the subject of
    the sentence's main clause."""
    word = candidate[0]
    gerund = child_with(word, "pcomp")
    if gerund is None or gerund.tag_ != "VBG" or gerund.lemma_.lower() not in settings.refusal_without_verbs:
        return None
    obj = child_with(gerund, "dobj")
    if obj is None or obj.lemma_.lower() not in settings.refusal_objects:
        return None
    current = word.head
    while current.dep_ in {"ccomp", "xcomp", "advcl", "conj", "pcomp", "prep"} and current.head.i != current.i:
        current = current.head
    head = subject_of(current)
    source = noun_phrase(head, exclude=current) if head is not None else None
    if source is None:
        return None
    return Attribution(rule=Rule.NO_COMMENT, cue=(word.i, obj.i + 1), score=settings.score(Rule.NO_COMMENT),
                       lemma="without", source=source, negated=True)
