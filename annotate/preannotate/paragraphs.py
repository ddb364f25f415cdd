"""Paragraph breaks are sentence breaks: a component placed before the parser, which keeps preset boundaries.

Without it the parser may join a headline to the first paragraph, or a bullet to the line above, and a
reporting verb then takes the wrong subject ("North Korean troops back on front line\n\nUkraine's president").
"""

from __future__ import annotations

from spacy.tokens import Doc

from .phrases import line_breaks


class ParagraphBreaks:
    def __call__(self, doc: Doc) -> Doc:
        for index in line_breaks(doc):
            if index + 1 < len(doc) and not doc[index + 1].is_space:
                doc[index + 1].is_sent_start = True
        return doc
