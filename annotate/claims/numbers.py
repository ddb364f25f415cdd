"""Numbers as news writes them, read into values: "11,000", "11 000", "11k", "eleven thousand", "1.1 million",
"between 10,000 and 12,000", "10,000-12,000", "45%", "hundreds of". Pure text in, offsets and values out; the
bound words and what is counted are read by figures.py."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

ONES = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
        "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
        "seventeen": 17, "eighteen": 18, "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
WORD_SCALES = {"hundred": 100, "thousand": 1000, "million": 1e6, "billion": 1e9, "trillion": 1e12}
# Thousands separated by commas, by (narrow) no-break or plain spaces ("11 000"), or none; then decimals.
DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,.])|\d+(?:\.\d+)?"


@dataclass(frozen=True)
class Number:
    start: int
    end: int
    low: float
    high: float
    vague: bool = False  # "hundreds of": a range that is approximate by nature

    @property
    def is_range(self) -> bool:
        return self.low != self.high


def _number_pattern(scales: Mapping[str, float]) -> re.Pattern[str]:
    word = "|".join(sorted([*ONES, *TENS, *WORD_SCALES], key=len, reverse=True))
    spelled = rf"(?:{word})(?:(?:[\s-]+(?:and\s+)?)(?:{word}))*"
    suffixes = "|".join(re.escape(s) for s in sorted(scales, key=len, reverse=True))
    digits = rf"(?:{DIGITS})(?:\s?(?:{suffixes})\b)?"
    return re.compile(rf"(?<![\w.,])(?:{digits}|\b{spelled}\b)", re.IGNORECASE)


def spelled_value(words: str) -> float | None:
    """'eleven thousand' -> 11000, 'a hundred' -> 100, 'twenty-five' -> 25; None for 'a' alone."""
    total, current, seen_number = 0.0, 0.0, False
    for word in re.split(r"[\s-]+", words.lower()):
        if word == "and":
            continue
        if word in ONES:
            current += ONES[word]
            seen_number = seen_number or word != "a"
        elif word in TENS:
            current += TENS[word]
            seen_number = True
        elif word in WORD_SCALES:
            scale = WORD_SCALES[word]
            seen_number = True
            if scale == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * scale
                current = 0
    return total + current if seen_number else None


def numeral_value(text: str, scales: Mapping[str, float]) -> float | None:
    """The value of one numeral: digits with separators and a scale word or suffix, or spelled out."""
    match = re.fullmatch(rf"({DIGITS})\s?([^\d\s].*)?", text.strip(), re.IGNORECASE)
    if not match:
        return spelled_value(text)
    value = float(re.sub(r"[,\s\u00a0\u202f]", "", match.group(1)))
    suffix = (match.group(2) or "").lower().strip()
    if suffix:
        scale = scales.get(suffix) or WORD_SCALES.get(suffix)
        if scale is None:
            return None
        value *= scale
    return value


def _trailing_scale(numeral: str, scales: Mapping[str, float]) -> float:
    match = re.search(r"([a-z]+)\s*$", numeral.lower())
    return scales.get(match.group(1), WORD_SCALES.get(match.group(1), 1.0)) if match else 1.0


def find_numbers(text: str, scales: Mapping[str, float], vague: Mapping[str, tuple[float, float]],
                 range_joiners: tuple[str, ...] = ("-", "–", "—", "to", "and")) -> Iterator[Number]:
    """Every number in `text`, ranges joined into one: "between 10,000 and 12,000" and "10,000-12,000" are one."""
    pattern = _number_pattern(scales)
    found: list[Number] = []
    for match in pattern.finditer(text):
        value = numeral_value(match.group(0), scales)
        if value is None:
            continue
        found.append(Number(match.start(), match.end(), value, value))
    joiners = "|".join(re.escape(j) for j in sorted(range_joiners, key=len, reverse=True))
    index = 0
    while index < len(found):
        number = found[index]
        if index + 1 < len(found):
            following = found[index + 1]
            gap = text[number.end:following.start]
            joined = re.fullmatch(rf"\s*(?:{joiners})\s*", gap, re.IGNORECASE)
            before = text[max(0, number.start - 12):number.start].lower()
            # "A and B" is a range only after "between"; "A to B" and "A-B" are ranges on their own.
            is_and = joined and gap.strip().lower() == "and"
            if joined and (not is_and or re.search(r"\bbetween\s+$", before)) and following.low >= number.low:
                low = number.low
                # In "1.1-1.3 million" the scale written after the second number applies to the first too.
                scale = _trailing_scale(text[following.start:following.end], scales)
                if low * scale <= following.low and not re.search(r"[a-z]", text[number.start:number.end], re.I):
                    low *= scale
                yield Number(number.start, following.end, low, following.high)
                index += 2
                continue
        yield number
        index += 1
    for phrase, (low, high) in vague.items():
        for match in re.finditer(rf"\b{re.escape(phrase)}\b(?=\s+of\b)", text, re.IGNORECASE):
            yield Number(match.start(), match.end(), low, high, vague=True)
