"""'According to X, CLAIM' and 'CLAIM, according to X': the phrase's object is the SOURCE, the clause it
modifies (without the phrase) the CLAIM, and the CUE is the phrase's words ("according to")."""

from __future__ import annotations

from spacy.tokens import Span

from ..context import Quotes, RoleSettings
from ..model import Attribution, Rule
from ..phrases import noun_phrase, sentence_bounds, trim


def according_attribution(cue: Span, settings: RoleSettings, quotes: Quotes,
                          cue_positions: frozenset[int]) -> Attribution | None:
    doc = cue.doc
    last = cue[-1]
    pobj = next((child for child in last.children if child.dep_ == "pobj"), None)
    if pobj is None:
        pobj = next((child for token in cue for child in token.children if child.dep_ == "pobj"), None)
    if pobj is None:
        return None
    source = noun_phrase(pobj)
    phrase_start = min(cue.start, cue[0].left_edge.i)
    phrase_end = max(cue.end, pobj.right_edge.i + 1)
    host = cue[0].head
    sent_start, sent_end = sentence_bounds(doc, cue.start)
    if phrase_start <= host.i < phrase_end or host.pos_ not in {"VERB", "AUX"} or not sent_start <= host.i < sent_end:
        # A root phrase, or one hung on a noun ("the figure, according to X"), stands for its whole sentence.
        start, end = sent_start, sent_end
    else:
        start, end = host.left_edge.i, host.right_edge.i + 1
    trimmed = trim(doc, start, end, drop_complementizer=False)
    if trimmed is None:
        return None
    start, end = trimmed
    if start >= phrase_start and end <= phrase_end:
        return None
    if phrase_start <= start < phrase_end:
        start = phrase_end  # the phrase opens the clause
    elif phrase_start < end <= phrase_end:
        end = phrase_start  # the phrase closes it
    # Otherwise the phrase sits inside the clause, which keeps it: the only contiguous choice.
    found = trim(doc, start, end, drop_complementizer=False)
    if found is None:
        return None
    resolved = quotes.resolve(found, (cue.start, cue.end))
    if resolved is None:
        return None
    claim, direct = resolved
    return Attribution(rule=Rule.ACCORDING_TO, cue=(cue.start, cue.end), score=settings.score(Rule.ACCORDING_TO),
                       lemma=cue.text.lower(), source=source, claims=(claim,), direct=(direct,))
