"""Finding quotations on the characters: straight and curly marks, scare quotes, stray marks, long quotes."""

from __future__ import annotations

import pytest

from annotate.preannotate.quotes import find_quotations


def pieces(text: str, min_words: int = 4) -> list[tuple[str, int, bool]]:
    return [(text[q.start:q.end], q.group, q.closed) for q in find_quotations(text, min_words)]


@pytest.mark.parametrize("text, expected", [
    # curly, marks included, comma inside the closing mark
    ("“There are a lot of different arguments out there, both right and wrong,” Peskov said.",
     [("“There are a lot of different arguments out there, both right and wrong,”", 0, True)]),
    # straight marks pair in order
    ('"The situation is under control," she said, "and we will stay here."',
     [('"The situation is under control,"', 0, True), ('"and we will stay here."', 1, True)]),
    # a scare quote is too short to be a claim on its own
    ("North Korean soldiers have been “withdrawn” after suffering heavy losses.", []),
    # a stray closing mark after a closed quote is ignored (seed 002)
    ("the Russian army had “brought back in North Korean soldiers” who were carrying outnew assaults” in the region",
     [("“brought back in North Korean soldiers”", 0, True)]),
    # an opening mark with no closing one inside a paragraph is not guessed at
    ("He said “this will never end and went home.\n\nNothing else.", []),
    # a quote over three paragraphs: every paragraph opens with a mark, only the last one closes
    ("The mayor said:\n\n“First part of the quote here.\n\n“Second part follows on.\n\n“Third and last part.” Done.",
     [("“First part of the quote here.", 0, False), ("“Second part follows on.", 0, False),
      ("“Third and last part.”", 0, True)]),
    # the last paragraph of a long quote may lose its closing mark
    ("“One two three four five.\n\n“Six seven eight nine ten.", [("“One two three four five.", 0, False),
                                                                 ("“Six seven eight nine ten.", 0, False)]),
    # a short quote that stands as a sentence (opens it, punctuation inside the marks) is a quote, not a scare quote
    ("“No,” he said. Later: “We are ready.”", [("“No,”", 0, True), ("“We are ready.”", 1, True)]),
    ('He paused. "It was terrifying," she said.', [('"It was terrifying,"', 0, True)]),
    # ... but not inside a sentence, even with the period inside (American style)
    ("He called the plan “a disaster.” Then he left.", []),
    # a short piece counts when its group is long enough
    ("“Yes.\n\n“And everything else we said before, word for word.”",
     [("“Yes.", 0, False), ("“And everything else we said before, word for word.”", 0, True)]),
])
def test_find_quotations(text, expected):
    assert pieces(text) == expected


def test_min_words_is_configurable():
    assert pieces("a “two words” b", min_words=2) == [("“two words”", 0, True)]
    assert pieces("a “two words” b", min_words=3) == []
