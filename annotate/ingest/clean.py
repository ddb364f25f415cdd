"""Stages 2 and 3: normalise the text into lines, then remove boilerplate lines, each one reported with its rule."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..nlp import MAX_TEXT_LENGTH
from .report import IngestReport, RemovedLine
from .rules import IngestRules, word_count
from .sources import Origin, RawArticle

_SENTENCE_FINAL = re.compile(r"[.!?…][\"'”’)\]]*$")
_LINE_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029\x85\x0b\x0c]")
_INNER_SPACE = re.compile(r"[ \t]{2,}|\t")


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line number within the article text as read (after CRLF/CR -> LF)
    text: str    # stripped


@dataclass(frozen=True)
class NormalisedArticle:
    origin: Origin
    lines: tuple[Line, ...]
    meta: Mapping[str, Any]


@dataclass(frozen=True)
class CleanArticle:
    origin: Origin
    text: str
    meta: Mapping[str, Any]


def normalise_text(text: str) -> list[str]:
    """NFC, every line break to LF, each line stripped and inner runs of spaces/tabs made one space."""
    text = unicodedata.normalize("NFC", text.removeprefix("\ufeff"))
    return [_INNER_SPACE.sub(" ", line).strip() for line in _LINE_BREAKS.sub("\n", text).split("\n")]


def normalise(articles: Iterable[RawArticle]) -> Iterator[NormalisedArticle]:
    for article in articles:
        lines = tuple(Line(number, text) for number, text in enumerate(normalise_text(article.text), start=1))
        yield NormalisedArticle(article.origin, lines, article.meta)


def is_prose(line: str, min_words: int) -> bool:
    return word_count(line) >= min_words and _SENTENCE_FINAL.search(line) is not None


def classify_lines(lines: Sequence[Line], rules: IngestRules) -> dict[int, tuple[str, str]]:
    """Which non-blank lines are boilerplate: index -> (rule name, reason). Pure; no I/O."""
    content = [index for index, line in enumerate(lines) if line.text]
    first_prose = next((index for index in content if is_prose(lines[index].text, rules.prose_min_words)), len(lines))
    removed: dict[int, tuple[str, str]] = {}
    previous_kept: str | None = None
    footer_markers: list[int] = []
    for index in content:
        text = lines[index].text
        rule = next((r for r in rules.line_rules if r.matches(text, in_head=index < first_prose)), None)
        if rule is not None:
            removed[index] = (rule.name, rule.reason)
            if rule.footer:
                footer_markers.append(index)
        elif rules.bio.matches(text):
            removed[index] = ("author-bio", rules.bio.reason)
        elif previous_kept is not None and text == previous_kept:
            removed[index] = ("repeated-line", rules.repeat_reason)
        else:
            previous_kept = text

    # The footer opens at the first marker after which nothing unexplained (real prose) follows.
    def is_short(text: str) -> bool:
        return word_count(text) <= rules.footer_short_line_max_words and not _SENTENCE_FINAL.search(text)

    # One pass, not one per marker: a marker qualifies when it lies after the last kept line that is not short.
    kept = [index for index in content if index not in removed]
    last_long = max((index for index in kept if not is_short(lines[index].text)), default=-1)
    marker = next((marker for marker in footer_markers if marker > last_long), None)
    if marker is not None:
        for index in kept:
            if index > marker:
                removed[index] = ("footer-short-line", rules.footer_reason)
    return removed


def clean_lines(lines: Sequence[Line], rules: IngestRules) -> tuple[str, list[tuple[Line, str, str]]]:
    """The cleaned text and the removed lines with (rule, reason)."""
    removed = classify_lines(lines, rules)
    kept: list[str] = []
    blanks = 0
    for index, line in enumerate(lines):
        if index in removed:
            continue
        if not line.text:
            blanks += 1
            continue
        if kept:
            kept.extend([""] * min(blanks, rules.max_blank_lines))
        blanks = 0
        kept.append(line.text)
    return "\n".join(kept), [(lines[index], *removed[index]) for index in sorted(removed)]


def headline(text: str, rules: IngestRules) -> str | None:
    """The first line when it reads like a headline and more text follows."""
    first, _, rest = text.partition("\n")
    words = word_count(first)
    if rest.strip() and rules.title_min_words <= words <= rules.title_max_words and not re.search(r"[.:;,]$", first):
        return first
    return None


def clean(articles: Iterable[NormalisedArticle], rules: IngestRules, report: IngestReport,
          max_chars: int = MAX_TEXT_LENGTH) -> Iterator[CleanArticle]:
    for article in articles:
        text, removed = clean_lines(article.lines, rules)
        origin = article.origin
        if len(text) > max_chars:  # spaCy refuses it downstream (E088); say so here, where the article is found
            report.skip(origin.path, origin.line, "text" if origin.line else None,
                        f"has {len(text):,} characters after cleaning, more than the pipeline's max_length "
                        f"({max_chars:,})", "Split the article into parts of at most that length")
            continue
        report.removed.extend(RemovedLine(str(origin), line.number, line.text, rule, reason)
                              for line, rule, reason in removed)
        if not text:
            if not any(line.text for line in article.lines):
                # A JSONL record names its field; a file is empty as a whole.
                report.skip(origin.path, origin.line, "text" if origin.line else None, "is empty (no article text)",
                            "Remove the empty article or fill it in")
            else:
                report.skip(origin.path, origin.line, None,
                            f"nothing is left after boilerplate removal ({len(removed)} line(s) removed)",
                            "See --report for the removed lines; adjust configs/boilerplate.toml if a rule is wrong")
            continue
        meta = dict(article.meta)
        if "title" not in meta:
            title = headline(text, rules)
            if title:
                meta["title"] = title
        yield CleanArticle(origin, text, meta)
