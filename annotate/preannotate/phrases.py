"""Cutting phrases out of a dependency parse: noun phrases, clauses and verb groups as token ranges.

Every rule module builds its spans with these, so the conventions (docs/preannotate.md) live in one place:
a SOURCE is a noun phrase without relative clauses, a CLAIM a clause without its complementizer and final
punctuation, a CUE a verb with its auxiliaries and negation.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from spacy.attrs import DEP, IS_SPACE, ORTH
from spacy.strings import get_string_id
from spacy.tokens import Doc, Token

from .model import TokenRange

OPENING_QUOTES = {"“", '"', "«", "„"}
CLOSING_QUOTES = {"”", '"', "»", "“"}
QUOTE_CHARS = OPENING_QUOTES | CLOSING_QUOTES
_QUOTE_IDS = frozenset(get_string_id(mark) for mark in QUOTE_CHARS | {"``", "''"})
_RELCL = get_string_id("relcl")
CACHE_KEY = "attribution_cache"  # a private user_data key, removed by the linker
_LEADING_DROP = {"that", "whether"}
# Dependents that make a clause one with a subject of its own.
CLAUSE_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})
_CONTENT_SYMBOLS = {"%", "‰"}  # spaCy calls them punctuation, but "by 40%" ends on one
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
    return ((token.is_punct and token.text not in _CONTENT_SYMBOLS) or is_space(token) or token.dep_ == "cc"
            or token.pos_ == "CCONJ")


def _complementizer(token: Token) -> bool:
    """A clause-opening "that": a marker, or one the parser took for an adverb or an object of a clause that has its
    own subject ("claims by the ministry that no civilians were hurt", "told analysts on a call that shoppers were
    cutting back")."""
    if token.lower_ not in _LEADING_DROP:
        return False
    if token.dep_ == "mark":
        return True
    return token.dep_ in {"advmod", "dobj"} and any(child.dep_ in CLAUSE_SUBJECTS and child.i > token.i
                                                    for child in token.head.children)


def trim(doc: Doc, start: int, end: int, drop_complementizer: bool = True) -> TokenRange | None:
    """Strip edge punctuation, spaces, conjunctions and a leading "that"; keep quotation marks that pair up."""

    def strip(start: int, end: int) -> tuple[int, int]:
        while start < end and (_edge_junk(doc[start]) or (drop_complementizer and _complementizer(doc[start]))):
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
    marks = quote_positions(doc)
    if start < end and (bisect_left(marks, end) - bisect_left(marks, start)) % 2 == 1:
        if is_quote(doc[start]) and not _opens(doc[start]):
            start, end = strip(start + 1, end)
        elif is_quote(doc[end - 1]) and _opens(doc[end - 1]):
            start, end = strip(start, end - 1)
        elif _opens(doc[start]) and end < len(doc) and is_quote(doc[end]) and not _opens(doc[end]):
            end += 1  # the closing mark the parser hung outside: 'dismissed the report as "fake news".'
        elif is_quote(doc[end - 1]) and not _opens(doc[end - 1]) and start > 0 and _opens(doc[start - 1]):
            start -= 1
    return (start, end) if start < end else None


def _opens(token: Token) -> bool:
    if token.text in {"“", "«", "„", "``"}:
        return True
    if token.text == '"':
        # A straight mark opens when glued to the next word rather than to the previous one.
        return not token.whitespace_ and (token.i == 0 or bool(token.doc[token.i - 1].whitespace_) or
                                         token.doc[token.i - 1].is_punct)
    return False


def _cache(doc: Doc) -> dict:
    """Per-Doc lookups the rules share, computed once from attribute arrays (Token objects are slow to make).
    Kept in user_data under a private key while the components run; the linker drops it."""
    cache = doc.user_data.get(CACHE_KEY)
    if cache is None:
        cache = doc.user_data[CACHE_KEY] = {}
    return cache


def quote_positions(doc: Doc) -> list[int]:
    """Sorted indices of the quotation-mark tokens."""
    cache = _cache(doc)
    if "quotes" not in cache:
        cache["quotes"] = [i for i, orth in enumerate(doc.to_array(ORTH).tolist()) if orth in _QUOTE_IDS]
    return cache["quotes"]


@lru_cache(maxsize=64)
def _string_ids(texts: frozenset[str]) -> np.ndarray:
    return np.array(sorted(get_string_id(text) for text in texts), dtype="uint64")


def token_positions(doc: Doc, texts: Iterable[str], attr: int = ORTH) -> list[int]:
    """Indices of the tokens whose text (or other string attribute) is one of `texts`, from an attribute array."""
    wanted = _string_ids(frozenset(texts))
    return np.isin(doc.to_array(attr), wanted).nonzero()[0].tolist() if len(wanted) else []


def relcl_positions(doc: Doc) -> list[int]:
    """Sorted indices of the tokens that head a relative clause."""
    cache = _cache(doc)
    if "relcl" not in cache:
        cache["relcl"] = [i for i, dep in enumerate(doc.to_array(DEP).tolist()) if dep == _RELCL]
    return cache["relcl"]


def child_with(token: Token, dep: str, word: str | None = None) -> Token | None:
    """The first child on `dep` (and spelled `word`, lowercased, when given)."""
    return next((child for child in token.children if child.dep_ == dep and (word is None or child.lower_ == word)),
                None)


def sentence_bounds(doc: Doc, index: int) -> tuple[int, int]:
    """[start, end) of the sentence holding token `index` (Token.sent rescans the doc every time)."""
    cache = _cache(doc)
    if "sents" not in cache:
        cache["sents"] = [sent.start for sent in doc.sents] + [len(doc)]
    starts = cache["sents"]
    position = bisect_right(starts, index) - 1
    return starts[position], starts[position + 1]


def right_spine(head: Token, end: int) -> list[Token]:
    """The chain of descendants of `head`, outermost first, whose subtrees reach the phrase's last token."""
    spine = []
    node = head
    while True:
        node = next((child for child in node.rights if child.right_edge.i + 1 >= end), None)
        if node is None:
            return spine
        spine.append(node)


def _cut_nonrestrictive(head: Token, start: int, end: int) -> int:
    """The end of a phrase without a trailing non-restrictive part set off by a comma, which adds the author's
    background rather than the attributed content: ", where Ukraine launched …", ", a village in …",
    ", without giving any details …"."""
    doc = head.doc
    for token in right_spine(head, end):
        left = token.left_edge.i
        if not start < left < end:
            continue
        comma = left - 1
        while comma > start and doc[comma].is_space:
            comma -= 1
        if doc[comma].text != ",":
            continue
        if token.dep_ in {"relcl", "appos"} or (token.dep_ == "prep" and token.lower_ == "without"):
            return comma  # the outermost such part: everything after it goes
    return end


def noun_phrase(head: Token, exclude: Token | None = None, cut_nonrestrictive: bool = False) -> TokenRange | None:
    """The head's subtree without relative clauses (and anything after them) and without edge punctuation.
    With `cut_nonrestrictive` (a noun phrase that is a CLAIM), restrictive relative clauses stay and only a
    comma-separated trailing part goes: "significant losses in a fight in which he participated"."""
    doc = head.doc
    start, end = head.left_edge.i, head.right_edge.i + 1
    sent_start, sent_end = sentence_bounds(doc, head.i)
    if cut_nonrestrictive:
        end = _cut_nonrestrictive(head, start, end)
        return trim(doc, max(start, sent_start), min(end, sent_end), drop_complementizer=False)
    relatives = relcl_positions(doc)
    first = bisect_right(relatives, head.i)
    if first < len(relatives) and relatives[first] < end:
        relative = doc[relatives[first]]
        end = relative.left_edge.i if relative.left_edge.i > head.i else relative.i
    if exclude is not None and start <= exclude.i < end:
        # A parse that hangs the cue under its own subject: keep the side of the phrase with the head.
        if exclude.i > head.i:
            end = exclude.i
        else:
            start = exclude.i + 1
    # Never run across a sentence boundary.
    start, end = max(start, sent_start), min(end, sent_end)
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
    while current.dep_ in ("conj", "advcl", "xcomp") and current.head.i != current.i and seen < 4:
        if current.dep_ == "advcl" and current.tag_ != "VBG":
            return None
        if current.dep_ == "advcl" and current.head.dep_ == "ccomp" and current.head.head.i != current.head.i:
            # "The ministry said the talks had been productive, adding that …": the parser hangs the participle
            # on the reported clause, but the one adding is the one who said it.
            current = current.head
        current = current.head
        subject = subject_of(current)
        if subject is not None:
            return subject
        seen += 1
    return None


def line_breaks(doc: Doc) -> list[int]:
    """Indices of the whitespace tokens that hold a line break (spaCy keeps any whitespace beyond one space as a
    token of its own, so a line break is always in one)."""
    spaces = doc.to_array(IS_SPACE).nonzero()[0].tolist()
    return [i for i in spaces if "\n" in doc[i].text]


def paragraph_index(doc: Doc) -> list[int]:
    """The paragraph number of every token: a paragraph ends at a line break."""
    numbers = [0] * len(doc)
    paragraph, previous = 0, 0
    for index in line_breaks(doc):
        numbers[previous:index + 1] = [paragraph] * (index + 1 - previous)
        paragraph, previous = paragraph + 1, index + 1
    numbers[previous:] = [paragraph] * (len(doc) - previous)
    return numbers


def sentence_index(doc: Doc) -> list[int]:
    numbers = [0] * len(doc)
    for number, sent in enumerate(doc.sents):
        numbers[sent.start:sent.end] = [number] * (sent.end - sent.start)
    return numbers
