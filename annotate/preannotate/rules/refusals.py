"""Refusals: "X declined to comment", "X declined to provide a definitive response", "X did not return calls
seeking comment", "X could not be reached for comment", and "…, without giving any details": SOURCE and CUE, no
claim (rule "no_comment"). A negated reporting verb ("has not commented") is the verb
rules' (verbs.py).
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from ..context import Quotes, RoleSettings
from ..model import Attribution, Rule
from ..phrases import child_with, noun_phrase, subject_of, verb_group
from .verbs import is_negated, source_token, verb_attribution


def refusal_attribution(candidate: Span, settings: RoleSettings, quotes: Quotes,
                        cue_positions: frozenset[int]) -> Attribution | None:
    if candidate.kb_id_ in settings.unanswered_verbs:
        return _unanswered(candidate[0], settings)
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


# The words between the verb and the request: "calls seeking comment", "a request for comment", "reached for comment".
_REQUEST_PATH = {"dobj", "acl", "prep", "pobj", "conj"}


def _unanswered(verb: Token, settings: RoleSettings) -> Attribution | None:
    """'X did not return calls seeking comment', 'X could not be reached for comment': a negated verb whose object or
    "for" phrase asks for comment. The CUE runs from the verb group to "comment"."""
    subject = subject_of(verb)
    if subject is None or subject.pos_ in {"VERB", "AUX", "SCONJ"} or not is_negated(verb, subject):
        return None
    asked = next((token for token in verb.subtree
                  if token.i > verb.i and token.lemma_.lower() in settings.refusal_objects
                  and all(step.dep_ in _REQUEST_PATH for step in _path_up(token, verb))), None)
    source = noun_phrase(subject, exclude=verb)
    if asked is None or source is None:
        return None
    return Attribution(rule=Rule.NO_COMMENT, cue=(verb_group(verb)[0], asked.i + 1),
                       score=settings.score(Rule.NO_COMMENT), lemma=verb.lemma_.lower(), source=source, negated=True)


def _path_up(token: Token, top: Token) -> list[Token]:
    """The tokens from `token` up to its ancestor `top`, `top` left out."""
    path = []
    while token.i != top.i:
        path.append(token)
        token = token.head
    return path


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
