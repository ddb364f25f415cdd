"""Quotations without a parse link to a cue: broken quotes, colon-introduced quotes, and quotes that continue.

Runs after the role rules. A quotation that no claim covers yet is attached, in this order, to
1. the attribution that already holds another piece of the same quote (a quote over several paragraphs);
2. the nearest cue in the sentences the quotation touches that has no indirect claim of its own
   ('“…,” Peskov said.' where the parse missed the link; 'X said: “…”');
3. a colon right before it with a noun phrase before that ('Zelensky: “…”'): the colon is the CUE;
4. the nearest earlier attribution with a source, within `max_sentences_back` sentences and
   `max_paragraphs_back` paragraphs (a quote that continues the speaker: '“…,” Peskov said. “It’s not worth …”').
Otherwise it stays unattributed and unmarked.
"""

from __future__ import annotations

from dataclasses import replace
from spacy.tokens import Doc, Token

from .context import Quote, Quotes
from .model import Attribution, Rule, TokenRange, get_attributions, set_attributions
from .phrases import is_space, paragraph_index, sentence_bounds, sentence_index, trim

_NP_INNER = {"compound", "flat", "nmod", "amod", "poss"}


class QuoteSpeakers:
    def __init__(self, max_sentences_back: int = 3, max_paragraphs_back: int = 1,
                 scores: dict[str, float] | None = None) -> None:
        self.max_sentences_back = max_sentences_back
        self.max_paragraphs_back = max_paragraphs_back
        self.scores = dict(scores or {})

    def score(self, key: str) -> float:
        """A rule's score, or "quote_continued" (a quote's own score when it continues an earlier speaker)."""
        return float(self.scores.get(key, 0.5))

    def __call__(self, doc: Doc) -> Doc:
        quotes = Quotes(doc)
        if not quotes.items:
            return doc
        items = get_attributions(doc)
        sentence_of = sentence_index(doc)
        paragraph_of = paragraph_index(doc)
        owner: dict[int, int] = {}  # quote group -> attribution holding a piece of it
        for index, item in enumerate(items):
            for claim, direct in zip(item.claims, item.direct):
                quote = quotes.containing(*claim) if direct else None
                if quote is not None:
                    owner.setdefault(quote.group, index)
        for quote in quotes.items:
            if quote.group in owner:
                index = owner[quote.group]
                items[index] = items[index].with_claim((quote.start, quote.end), True)
                continue
            if _covered(quote, items):
                continue
            index, colon = self._same_sentence(doc, quote, items, sentence_of), None
            if index is None:
                index, colon = _colon_attribution(doc, quote, items, self.score(Rule.QUOTE_COLON))
            if index is not None:
                items[index] = self._with_cue_quote(items[index], quote)
                owner[quote.group] = index
                continue
            if colon is not None:
                items.append(colon)
                owner[quote.group] = len(items) - 1
                continue
            index = self._previous_speaker(doc, quote, items, sentence_of, paragraph_of)
            if index is not None:
                items[index] = items[index].with_claim((quote.start, quote.end), True, self.score("quote_continued"))
                owner[quote.group] = index
        set_attributions(doc, items)
        return doc

    def _with_cue_quote(self, item: Attribution, quote: Quote) -> Attribution:
        """A cue takes the quotation; a pending verb cue becomes a quote attribution. A verb cue before a colon
        ('He said:' and the quote in the next paragraph) is as explicit as one in the quote's sentence, so both
        are "quote_same_sentence"; "quote_colon" is the verbless speaker label ('Zelensky: “…”')."""
        if item.rule == Rule.PENDING:
            item = replace(item, rule=Rule.QUOTE_SAME_SENTENCE, score=self.score(Rule.QUOTE_SAME_SENTENCE))
        return item.with_claim((quote.start, quote.end), True)

    def _same_sentence(self, doc: Doc, quote: Quote, items: list[Attribution], sentence_of: list[int]) -> int | None:
        first = sentence_of[quote.start]
        last = sentence_of[quote.end - 1]
        # '“…,” he said.' can be split after the mark: the words right after it still count, a new sentence not.
        after = quote.end
        while after < len(doc) and is_space(doc[after]):
            after += 1
        if after < len(doc) and not doc[after].is_sent_start:
            last = sentence_of[after]
        best, best_distance = None, None
        for index, item in enumerate(items):
            if item.source is None or item.rule == Rule.NO_COMMENT:
                continue
            if not (item.rule == Rule.PENDING or (item.claims and all(item.direct))):
                continue
            if quote.start <= item.cue[0] < quote.end or not first <= sentence_of[item.cue[0]] <= last:
                continue
            distance = min(abs(item.cue[0] - quote.end), abs(quote.start - item.cue[1]))
            if best_distance is None or distance < best_distance:
                best, best_distance = index, distance
        return best

    def _previous_speaker(self, doc: Doc, quote: Quote, items: list[Attribution], sentence_of: list[int],
                          paragraph_of: list[int]) -> int | None:
        # Only a quote that stands as its own sentence continues a speaker; one inside a narrative sentence
        # ("calling him “one of the dumbest human beings”") belongs to that sentence.
        first, last = sentence_of[quote.start], sentence_of[quote.end - 1]
        if _words_around(doc, quote, first, last, sentence_of) > 2:
            return None
        # Across a paragraph break, only a quote that opens its paragraph continues the speaker.
        previous = _previous_word(doc, quote.start)
        opens_paragraph = previous is None or paragraph_of[previous.i] != paragraph_of[quote.start]
        nested = {index for index, item in enumerate(items)
                  if any(claim[0] <= item.cue[0] < claim[1] for other in items if other is not item
                         for claim in other.claims)}
        best, best_anchor = None, -1
        for index, item in enumerate(items):
            if (index in nested or item.source is None or item.rule in {Rule.PENDING, Rule.NO_COMMENT}
                    or not item.claims):
                continue
            anchor = max([item.cue[1]] + [claim[1] for claim in item.claims])
            if anchor > quote.start:
                continue
            if sentence_of[quote.start] - sentence_of[anchor - 1] > self.max_sentences_back:
                continue
            paragraphs_back = paragraph_of[quote.start] - paragraph_of[anchor - 1]
            if paragraphs_back > self.max_paragraphs_back or (paragraphs_back and not opens_paragraph):
                continue
            if anchor > best_anchor:
                best, best_anchor = index, anchor
        return best


def _words_around(doc: Doc, quote: Quote, first: int, last: int, sentence_of: list[int]) -> int:
    """Words in the quote's sentences that are not in the quote."""
    start = quote.start
    while start > 0 and sentence_of[start - 1] >= first:
        start -= 1
    end = quote.end
    while end < len(doc) and sentence_of[end] <= last:
        end += 1
    return sum(1 for t in doc[start:end] if not quote.start <= t.i < quote.end and not (t.is_punct or is_space(t)))


def _covered(quote: Quote, items: list[Attribution]) -> bool:
    return any(claim[0] <= quote.start and quote.end <= claim[1]
               for item in items if item.rule != Rule.PENDING for claim in item.claims)


def _previous_word(doc: Doc, index: int) -> Token | None:
    index -= 1
    while index >= 0 and is_space(doc[index]):
        index -= 1
    return doc[index] if index >= 0 else None


_OBJECT_PATH = {"dobj", "dative", "pobj", "prep", "npadvmod", "compound", "amod", "poss", "det", "nummod"}


def _ends_cue_phrase(word: Token, cue: TokenRange) -> bool:
    """The word before a colon is the cue ('He said:') or ends the cue verb's object or recipient ('He told
    reporters:', 'She described the scene:')."""
    token = word
    for _ in range(8):
        if cue[0] <= token.i < cue[1]:
            return True
        if token.dep_ not in _OBJECT_PATH or token.head.i == token.i:
            return False
        token = token.head
    return False


def _colon_attribution(doc: Doc, quote: Quote, items: list[Attribution], score: float
                       ) -> tuple[int | None, Attribution | None]:
    """A quote right after a colon: the colon's verb cue takes it ('He said:' + a quote in the next paragraph);
    with no verb, a speaker label before the colon is the SOURCE and the colon the CUE ('Zelensky: “…”')."""
    colon = _previous_word(doc, quote.start)
    if colon is None or colon.text != ":":
        return None, None
    word = _previous_word(doc, colon.i)
    if word is None:
        return None, None
    for index, item in enumerate(items):
        if item.source is not None and item.rule != Rule.NO_COMMENT and _ends_cue_phrase(word, item.cue):
            return index, None
    if word.pos_ not in {"NOUN", "PROPN", "PRON"}:
        return None, None
    head = word
    while head.dep_ in _NP_INNER and head.i < head.head.i < colon.i:
        head = head.head
    source = trim(doc, max(head.left_edge.i, sentence_bounds(doc, head.i)[0]), colon.i, drop_complementizer=False)
    if source is None or any(t.pos_ in {"VERB", "AUX"} for t in doc[source[0]:source[1]]):
        return None, None
    # A speaker label opens its sentence or line ("Zelensky: “…”"); a colon after a clause is not one.
    before = _previous_word(doc, source[0])
    if before is not None and not (before.is_punct or doc[source[0]].is_sent_start):
        return None, None
    return None, Attribution(rule=Rule.QUOTE_COLON, cue=(colon.i, colon.i + 1), score=score, lemma=":",
                             source=source, claims=((quote.start, quote.end),), direct=(True,))
