"""Paragraph breaks are sentence breaks: a component placed before the parser, which keeps preset boundaries.

Without it the parser may join a headline to the first paragraph, or a bullet to the line above, and a
reporting verb then takes the wrong subject ("North Korean troops back on front line\n\nUkraine's president").
"""

from __future__ import annotations

from spacy.tokens import Doc


class ParagraphBreaks:
    def __call__(self, doc: Doc) -> Doc:
        for token in doc[1:]:
            previous = doc[token.i - 1]
            if token.is_space:
                continue
            if "\n" in previous.whitespace_ or (previous.is_space and "\n" in previous.text):
                token.is_sent_start = True
        return doc
