"""Direct quotations: straight or curly marks, broken quotes and quotes that run over several paragraphs.

Quotations are found on the characters, paragraph by paragraph, before any speaker is sought: English news opens
every paragraph of a long quote with a mark and closes only the last one, so a quote left open at the end of a
paragraph continues when the next paragraph opens with a mark. All pieces of one quote share a group number, and
the speaker rules link every piece to the same cue. Quotations shorter than `min_words` are scare quotes or terms
("“withdrawn”"), not claims, unless they stand as a sentence of their own: opening a sentence (or following a colon)
and closing on punctuation inside the marks, as in "“It was terrifying,” said Lopez.".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, SpanGroup

from .model import QUOTATIONS

OPEN = "“«„"
CLOSE = "”»"
STRAIGHT = '"'
_WORD = re.compile(r"\w+")
_PARAGRAPH = re.compile(r"[^\n]+")
_SENTENCE_BEFORE = re.compile(r"(?:^|[.!?:]['\"’”)]?)\s*$")  # what precedes a quote that opens a sentence
_CLOSING_PUNCTUATION = ",.!?…"


@dataclass(frozen=True)
class Quotation:
    start: int  # character offsets; the marks are inside
    end: int
    group: int
    closed: bool


def _scan_paragraph(text: str, start: int, end: int) -> tuple[list[tuple[int, int]], int | None]:
    """Closed quotations in text[start:end], and where a quotation left open at the end begins (if any)."""
    found: list[tuple[int, int]] = []
    opened: int | None = None
    for index in range(start, end):
        char = text[index]
        if char in OPEN:
            # A second opening mark before a closing one: the first was a stray mark.
            opened = index
        elif char in CLOSE:
            if opened is not None:
                found.append((opened, index + 1))
                opened = None
        elif char == STRAIGHT:
            if opened is None:
                opened = index
            else:
                found.append((opened, index + 1))
                opened = None
    return found, opened


def find_quotations(text: str, min_words: int = 4) -> list[Quotation]:
    """Every quotation in the text, in order, with multi-paragraph quotes split into grouped pieces."""
    paragraphs = [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text) if m.group().strip()]
    pieces: list[tuple[int, int, int, bool]] = []  # start, end, group, closed
    groups = 0
    carried: int | None = None  # the group of a quote left open at the end of the previous paragraph
    for number, (start, end) in enumerate(paragraphs):
        body_start = start + len(text[start:end]) - len(text[start:end].lstrip())
        body_end = start + len(text[start:end].rstrip())
        continuing = carried if carried is not None and text[body_start] in OPEN + STRAIGHT else None
        carried = None
        found, opened = _scan_paragraph(text, start, end)
        for q_start, q_end in found:
            if continuing is not None and q_start == body_start:
                pieces.append((q_start, q_end, continuing, True))  # the closing piece of a long quote
            else:
                pieces.append((q_start, q_end, groups, True))
                groups += 1
        if opened is None:
            continue
        if continuing is not None and opened == body_start:
            group = continuing
        else:
            group, groups = groups, groups + 1
        next_opens = number + 1 < len(paragraphs) and text[paragraphs[number + 1][0]] in OPEN + STRAIGHT
        if next_opens:
            pieces.append((opened, body_end, group, False))
            carried = group
        elif group == continuing:
            pieces.append((opened, body_end, group, False))  # a long quote whose last closing mark is missing
        # Otherwise the mark is stray: an unclosed quote inside a paragraph is not guessed at.
    # Short pieces are terms or scare quotes, unless their group as a whole is long enough or is a sentence.
    words: dict[int, int] = {}
    sentential: set[int] = set()
    for q_start, q_end, q_group, closed in pieces:
        words[q_group] = words.get(q_group, 0) + len(_WORD.findall(text[q_start:q_end]))
        if closed and _is_sentence(text, q_start, q_end):
            sentential.add(q_group)
    return [Quotation(q_start, q_end, q_group, closed) for q_start, q_end, q_group, closed in sorted(pieces)
            if words[q_group] >= min_words or q_group in sentential]


def _is_sentence(text: str, start: int, end: int) -> bool:
    """A quotation that opens a sentence and ends on punctuation inside its marks: “No,” he said."""
    inner = text[start + 1:end - 1].rstrip()
    if not inner or inner[-1] not in _CLOSING_PUNCTUATION or not _WORD.search(inner):
        return False
    line_start = text.rfind("\n", 0, start) + 1
    return _SENTENCE_BEFORE.search(text[line_start:start]) is not None


class QuoteFinder:
    """Component: stores the quotations as `doc.spans["quotations"]` with their groups in the group's attrs."""

    def __init__(self, min_words: int = 4) -> None:
        self.min_words = min_words

    def __call__(self, doc: Doc) -> Doc:
        spans, groups, closed = [], [], []
        for quotation in find_quotations(doc.text, self.min_words):
            span = doc.char_span(quotation.start, quotation.end, label="QUOTE", alignment_mode="expand")
            if span is None or (spans and span.start < spans[-1].end):
                continue
            spans.append(span)
            groups.append(quotation.group)
            closed.append(quotation.closed)
        group = SpanGroup(doc, name=QUOTATIONS, spans=spans)
        group.attrs["groups"] = groups
        group.attrs["closed"] = closed
        doc.spans[QUOTATIONS] = group
        return doc
