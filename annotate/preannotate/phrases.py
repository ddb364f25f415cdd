"""Cutting phrases out of a dependency parse: noun phrases, clauses and verb groups as token ranges.

Every rule module builds its spans with these, so the conventions (docs/preannotate.md) live in one place:
a SOURCE is a noun phrase without relative clauses, a CLAIM a clause without its complementizer and final
punctuation, a CUE a verb with its auxiliaries and negation.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from .model import TokenRange

OPENING_QUOTES = {"“", '"', "«", "„"}
CLOSING_QUOTES = {"”", '"', "»", "“"}
QUOTE_CHARS = OPENING_QUOTES | CLOSING_QUOTES
_LEADING_DROP = {"that", "whether"}
_VERB_GROUP_DEPS = {"aux", "auxpass", "neg"}
RELATIVIZERS = {"who", "which", "that", "whom", "whose"}


def is_quote(token: Token) -> bool:
    return token.text in QUOTE_CHARS or token.text in {"``", "''"}


def is_space(token: Token) -> bool:
    return token.is_space or not token.text.strip()


_BRACKETS = {")": "(", "]": "["}


def _edge_junk(token: Token, start: int | None = None) -> bool:
    """Punctuation, spaces and conjunctions that never start or end a phrase (quotation marks do, and so does a
    closing bracket whose opening one is inside the phrase, and "neither"/"either" opening a coordination)."""
    if is_quote(token) or token.dep_ == "preconj":
        return False
    if start is not None and token.text in _BRACKETS:
        inside = token.doc[start:token.i]
        if sum(t.text == _BRACKETS[token.text] for t in inside) > sum(t.text == token.text for t in inside):
            return False
    return token.is_punct or is_space(token) or token.dep_ == "cc" or token.pos_ == "CCONJ"


def trim(doc: Doc, start: int, end: int, drop_complementizer: bool = True) -> TokenRange | None:
    """Strip edge punctuation, spaces, conjunctions and a leading "that"; keep quotation marks that pair up."""

    def strip(start: int, end: int) -> tuple[int, int]:
        while start < end and (_edge_junk(doc[start]) or (drop_complementizer and doc[start].lower_ in _LEADING_DROP
                                                           and doc[start].dep_ == "mark")):
            start += 1
        while end > start and _edge_junk(doc[end - 1], start):
            end -= 1
        return start, end

    start, end = strip(start, end)
    # A closing bracket the parser hung outside the phrase: "advancing 2.5km (1.5 miles)".
    if start < end < len(doc) and doc[end].text == ")":
        inside = doc[start:end]
        if sum(t.text == "(" for t in inside) > sum(t.text == ")" for t in inside):
            end += 1
    # A mark at an edge whose partner lies outside the phrase belongs to a quotation around it, not to the phrase.
    if start < end and sum(1 for t in doc[start:end] if is_quote(t)) % 2 == 1:
        if is_quote(doc[start]) and not _opens(doc[start]):
            start, end = strip(start + 1, end)
        elif is_quote(doc[end - 1]) and _opens(doc[end - 1]):
            start, end = strip(start, end - 1)
    return (start, end) if start < end else None


def _opens(token: Token) -> bool:
    if token.text in {"“", "«", "„", "``"}:
        return True
    if token.text == '"':
        # A straight mark opens when glued to the next word rather than to the previous one.
        return not token.whitespace_ and (token.i == 0 or bool(token.doc[token.i - 1].whitespace_) or
                                         token.doc[token.i - 1].is_punct)
    return False


def _cut_nonrestrictive(head: Token, start: int, end: int) -> int:
    """The end of a phrase without a trailing non-restrictive part set off by a comma, which adds the author's
    background rather than the attributed content: ", where Ukraine launched …", ", a village in …",
    ", without giving any details …"."""
    doc = head.doc
    for token in head.subtree:
        if not start < token.left_edge.i < end or token.right_edge.i + 1 < end:
            continue
        comma = token.left_edge.i - 1
        while comma > start and doc[comma].is_space:
            comma -= 1
        if doc[comma].text != ",":
            continue
        if token.dep_ in {"relcl", "appos"} or (token.dep_ == "prep" and token.lower_ == "without"):
            end = min(end, comma)
    return end


def noun_phrase(head: Token, exclude: Token | None = None, cut_nonrestrictive: bool = False) -> TokenRange | None:
    """The head's subtree without relative clauses (and anything after them) and without edge punctuation.
    With `cut_nonrestrictive` (a noun phrase that is a CLAIM), restrictive relative clauses stay and only a
    comma-separated trailing part goes: "significant losses in a fight in which he participated"."""
    doc = head.doc
    start, end = head.left_edge.i, head.right_edge.i + 1
    if cut_nonrestrictive:
        end = _cut_nonrestrictive(head, start, end)
        sent = head.sent
        return trim(doc, max(start, sent.start), min(end, sent.end), drop_complementizer=False)
    for token in head.subtree:
        if token.dep_ == "relcl" and token.left_edge.i > head.i:
            end = min(end, token.left_edge.i)
        elif token.dep_ == "relcl" and token.i > head.i:
            end = min(end, token.i)
    if exclude is not None and start <= exclude.i < end:
        # A parse that hangs the cue under its own subject: keep the side of the phrase with the head.
        if exclude.i > head.i:
            end = exclude.i
        else:
            start = exclude.i + 1
    # Never run across a sentence boundary.
    sent = head.sent
    start, end = max(start, sent.start), min(end, sent.end)
    return trim(doc, start, end, drop_complementizer=False)


def clause(head: Token, exclude: tuple[int, int] | None = None) -> TokenRange | None:
    """A complement clause: the head's subtree without "that" and edge punctuation, cut before `exclude`."""
    doc = head.doc
    start, end = head.left_edge.i, head.right_edge.i + 1
    if exclude is not None:
        lo, hi = exclude
        if lo <= head.i < hi:
            return None
        if start < hi and lo < end:
            # Cut the excluded part off an edge; one in the middle stays (a span must be contiguous).
            if all(t.is_punct or t.is_space for t in doc[hi:end]):
                end = lo
            elif all(t.is_punct or t.is_space for t in doc[start:lo]):
                start = hi
    return trim(doc, start, end)


def claim_clause(head: Token, exclude: tuple[int, int] | None = None) -> TokenRange | None:
    """A CLAIM clause: `clause` without a trailing non-restrictive relative clause, apposition or "without" phrase."""
    found = clause(head, exclude)
    if found is None:
        return None
    end = _cut_nonrestrictive(head, found[0], found[1])
    return trim(head.doc, found[0], end) if end < found[1] else found


def verb_group(verb: Token) -> TokenRange:
    """The verb with the auxiliaries, modals and negation before it, and adverbs between them ("have also alleged")."""
    doc = verb.doc
    group = [child.i for child in verb.children if child.dep_ in _VERB_GROUP_DEPS and child.i < verb.i
             and child.lower_ != "to"]
    start = verb.i
    if group:
        first = min(group)
        between = doc[first:verb.i]
        if all(t.i in group or (t.dep_ in {"advmod", "neg"} and t.head.i == verb.i and t.pos_ in {"ADV", "PART"})
               for t in between):
            start = first
        else:
            # Keep the contiguous run that ends at the verb.
            start = verb.i
            while start - 1 >= first and (doc[start - 1].i in group or (
                    doc[start - 1].dep_ in {"advmod", "neg"} and doc[start - 1].head.i == verb.i)):
                start -= 1
    end = verb.i + 1
    for child in verb.children:
        if child.dep_ == "prt" and child.i == end:
            end += 1
    return (start, end)


def subject_of(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass", "csubj", "csubjpass"):
            return child
    return None


def inherited_subject(verb: Token) -> Token | None:
    """The subject a verb shares with the verb it is coordinated with or subordinated to ("…, adding that")."""
    seen = 0
    current = verb
    while current.dep_ in ("conj", "advcl", "xcomp") and current.head is not current and seen < 4:
        if current.dep_ == "advcl" and current.tag_ != "VBG":
            return None
        current = current.head
        subject = subject_of(current)
        if subject is not None:
            return subject
        seen += 1
    return None


def paragraph_index(doc: Doc) -> list[int]:
    """The paragraph number of every token: a paragraph ends at a line break."""
    numbers = []
    paragraph = 0
    for token in doc:
        numbers.append(paragraph)
        if "\n" in token.text or "\n" in token.whitespace_:
            paragraph += 1
    return numbers


def sentence_index(doc: Doc) -> list[int]:
    numbers = [0] * len(doc)
    for number, sent in enumerate(doc.sents):
        for i in range(sent.start, sent.end):
            numbers[i] = number
    return numbers
