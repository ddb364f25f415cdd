"""Punctuation cues: a transcript's speaker label and a dash that credits a quotation.

- "SMITH: Well, the real question is …" at the start of a line: SOURCE the label, CUE the colon, CLAIM the rest of
  the line. The turn is the speaker's words, like a quotation, so no cue inside it is annotated on its own.
- '"We will not back down." ― Maria L., a nurse': CUE the dash, SOURCE the credit after it (to the end of the
  line), CLAIM the quotation before it.
"""

from __future__ import annotations

from spacy.tokens import Doc

from .context import Quotes, RoleSettings
from .model import Attribution, TokenRange
from .phrases import is_space, line_breaks, token_positions, trim

_MAX_LABEL_WORDS = 4
_MIN_TURN_WORDS = 3
_MIN_TURNS = 2
_MAX_CREDIT_WORDS = 15


def _lines(doc: Doc) -> list[TokenRange]:
    """Token ranges of the doc's lines (paragraphs), without the line-break tokens."""
    bounds, start = [], 0
    for index in line_breaks(doc):
        bounds.append((start, index))
        start = index + 1
    bounds.append((start, len(doc)))
    return [(lo, hi) for lo, hi in bounds if lo < hi]


def _is_label_word(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters) or text in {".", "'", "-"}


def transcript_turns(doc: Doc, settings: RoleSettings) -> list[Attribution]:
    found = []
    if not token_positions(doc, {":"}):
        return found
    for lo, hi in _lines(doc):
        head = [t for t in doc[lo:min(hi, lo + 2 * _MAX_LABEL_WORDS + 2)] if not is_space(t)]
        colon = next((i for i, t in enumerate(head[:_MAX_LABEL_WORDS + 1]) if t.text == ":"), None)
        if not colon:
            continue
        words = [t for t in doc[lo:hi] if not is_space(t)]
        label = words[:colon]
        name = " ".join(t.text for t in label)
        if not all(_is_label_word(t.text) for t in label) or name in settings.transcript_non_speakers:
            continue
        turn = words[colon + 1:]
        if sum(t.is_alpha for t in turn) < _MIN_TURN_WORDS:
            continue
        found.append(Attribution(rule="transcript_turn", cue=(words[colon].i, words[colon].i + 1),
                                 score=settings.score("transcript_turn"), lemma=":",
                                 source=(label[0].i, label[-1].i + 1), claims=((turn[0].i, turn[-1].i + 1),),
                                 direct=(True,)))
    # A transcript has turns; one label alone is a dateline or a heading ("NEW DELHI: The government said ...").
    return found if len(found) >= _MIN_TURNS else []


def dash_credits(doc: Doc, settings: RoleSettings, quotes: Quotes) -> list[Attribution]:
    found = []
    dashes = token_positions(doc, settings.credit_dashes) if quotes.items else []
    if not dashes:
        return found
    ends = {quote.end: quote for quote in quotes.items}
    lines = _lines(doc)
    for index in dashes:
        dash = doc[index]
        lo, hi = next((lo, hi) for lo, hi in lines if lo <= index < hi)
        before = index
        while before > lo and is_space(doc[before - 1]):
            before -= 1
        quote = ends.get(before)
        credit = trim(doc, index + 1, hi, drop_complementizer=False)
        if quote is None or credit is None or credit[1] - credit[0] > _MAX_CREDIT_WORDS:
            continue
        if any(t.pos_ in {"VERB", "AUX"} and t.dep_ == "ROOT" for t in doc[credit[0]:credit[1]]):
            continue  # '"…" – and then the minister left': a sentence goes on, no credit
        found.append(Attribution(rule="dash_credit", cue=(index, index + 1), score=settings.score("dash_credit"),
                                 lemma=dash.text, source=credit, claims=((quote.start, quote.end),), direct=(True,)))
    return found
