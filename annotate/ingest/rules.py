"""Ingest rules: configs/boilerplate.toml (boilerplate lines, bios, near-duplicate thresholds) as frozen
dataclasses, validated by hand so that every mistake names its table and key."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config import config_path, load_toml, packaged_config_dir
from ..errors import ConfigError

RULES_FILE = "boilerplate.toml"
DEFAULT_RULES_PATH = packaged_config_dir() / RULES_FILE


def word_count(text: str) -> int:
    return len(text.split())


@dataclass(frozen=True)
class LineRule:
    name: str
    pattern: re.Pattern[str]
    reason: str
    max_words: int | None = None
    where: str = "any"
    footer: bool = False

    def matches(self, line: str, in_head: bool) -> bool:
        if self.where == "head" and not in_head:
            return False
        if self.max_words is not None and word_count(line) > self.max_words:
            return False
        return self.pattern.search(line) is not None


@dataclass(frozen=True)
class BioRule:
    reason: str
    min_words: int
    min_cues: int
    cues: tuple[re.Pattern[str], ...]

    def matches(self, line: str) -> bool:
        if word_count(line) < self.min_words:
            return False
        return sum(1 for cue in self.cues if cue.search(line)) >= self.min_cues


@dataclass(frozen=True)
class NearDuplicateSettings:
    shingle_size: int = 1
    sentence_similarity: float = 0.35
    min_passage_sentences: int = 3
    candidate_threshold: float = 0.4
    num_perm: int = 128
    seed: int = 1


@dataclass(frozen=True)
class IngestRules:
    line_rules: tuple[LineRule, ...]
    repeat_reason: str
    bio: BioRule
    footer_short_line_max_words: int
    footer_reason: str
    near_duplicates: NearDuplicateSettings
    max_blank_lines: int = 1
    prose_min_words: int = 8
    title_min_words: int = 3
    title_max_words: int = 25
    html_title_in_text: bool = True
    source: str = "<rules>"


def _table(raw: Mapping[str, Any], key: str, allowed: set[str], where: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{key}] must be a table")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ConfigError(f"{where}: [{key}] has unknown key(s) {unknown}; allowed: {sorted(allowed)}")
    return value


def _typed(table: Mapping[str, Any], key: str, kind: type, default: Any, where: str) -> Any:
    value = table.get(key, default)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if value is None or isinstance(value, bool) != (kind is bool) or not isinstance(value, kind):
        raise ConfigError(f"{where}: {key} must be {kind.__name__}, got {value!r}")
    return value


def _compile(pattern: Any, flags: int, where: str) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise ConfigError(f"{where}: pattern must be a non-empty string, got {pattern!r}")
    try:
        return re.compile(pattern, flags)
    except re.error as error:
        raise ConfigError(f"{where}: invalid regular expression ({error})") from error


def load_rules(path: str | os.PathLike[str] | None = None) -> IngestRules:
    """Load and check the boilerplate rules; errors name the file and the rule."""
    rules_path = config_path(RULES_FILE, path)
    where = str(rules_path)
    raw = load_toml(rules_path, what="rules file", option="--rules")
    known = {"version", "normalise", "structure", "title", "html", "line", "repeat", "bio", "footer", "near_duplicates"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown top-level key(s) {unknown}; allowed: {sorted(known)}")

    line_rules: list[LineRule] = []
    seen: set[str] = set()
    raw_lines = raw.get("line", [])
    if not isinstance(raw_lines, list):
        raise ConfigError(f"{where}: [[line]] must be an array of tables")
    for index, entry in enumerate(raw_lines):
        at = f"{where}: [[line]] #{index + 1}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{at} must be a table")
        unknown = sorted(set(entry) - {"name", "pattern", "reason", "max_words", "where", "footer", "case_sensitive"})
        if unknown:
            raise ConfigError(f"{at}: unknown key(s) {unknown}")
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{at}: needs a non-empty name")
        at = f"{where}: rule {name!r}"
        if name in seen:
            raise ConfigError(f"{at}: the name is used twice; give every rule its own name")
        seen.add(name)
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{at}: needs a reason (it is shown in --report)")
        flags = 0 if _typed(entry, "case_sensitive", bool, False, at) else re.IGNORECASE
        max_words = entry.get("max_words")
        if max_words is not None and (isinstance(max_words, bool) or not isinstance(max_words, int) or max_words < 1):
            raise ConfigError(f"{at}: max_words must be a positive integer, got {max_words!r}")
        position = entry.get("where", "any")
        if position not in ("any", "head"):
            raise ConfigError(f'{at}: where must be "any" or "head", got {position!r}')
        line_rules.append(LineRule(name=name, pattern=_compile(entry.get("pattern"), flags, at), reason=reason,
                                   max_words=max_words, where=position, footer=_typed(entry, "footer", bool, False, at)))

    repeat = _table(raw, "repeat", {"reason"}, where)
    bio = _table(raw, "bio", {"reason", "min_words", "min_cues", "cues"}, where)
    cues = bio.get("cues", [])
    if not isinstance(cues, list):
        raise ConfigError(f"{where}: [bio] cues must be a list of patterns")
    footer = _table(raw, "footer", {"short_line_max_words", "reason"}, where)
    near = _table(raw, "near_duplicates", set(NearDuplicateSettings.__dataclass_fields__), where)
    normalise = _table(raw, "normalise", {"max_blank_lines"}, where)
    structure = _table(raw, "structure", {"prose_min_words"}, where)
    title = _table(raw, "title", {"min_words", "max_words"}, where)
    html = _table(raw, "html", {"title_in_text"}, where)
    defaults = NearDuplicateSettings()
    settings = NearDuplicateSettings(
        shingle_size=_typed(near, "shingle_size", int, defaults.shingle_size, f"{where}: [near_duplicates]"),
        sentence_similarity=_typed(near, "sentence_similarity", float, defaults.sentence_similarity, f"{where}: [near_duplicates]"),
        min_passage_sentences=_typed(near, "min_passage_sentences", int, defaults.min_passage_sentences, f"{where}: [near_duplicates]"),
        candidate_threshold=_typed(near, "candidate_threshold", float, defaults.candidate_threshold, f"{where}: [near_duplicates]"),
        num_perm=_typed(near, "num_perm", int, defaults.num_perm, f"{where}: [near_duplicates]"),
        seed=_typed(near, "seed", int, defaults.seed, f"{where}: [near_duplicates]"),
    )
    if not (0 < settings.candidate_threshold < 1 and 0 < settings.sentence_similarity <= 1):
        raise ConfigError(f"{where}: [near_duplicates] needs 0 < candidate_threshold < 1 and 0 < sentence_similarity <= 1")
    if settings.shingle_size < 1 or settings.min_passage_sentences < 1 or settings.num_perm < 16:
        raise ConfigError(f"{where}: [near_duplicates] needs shingle_size >= 1, min_passage_sentences >= 1, num_perm >= 16")
    return IngestRules(
        line_rules=tuple(line_rules),
        repeat_reason=_typed(repeat, "reason", str, "the same line repeated", f"{where}: [repeat]"),
        bio=BioRule(reason=_typed(bio, "reason", str, "author bio", f"{where}: [bio]"),
                    min_words=_typed(bio, "min_words", int, 40, f"{where}: [bio]"),
                    min_cues=_typed(bio, "min_cues", int, 3, f"{where}: [bio]"),
                    cues=tuple(_compile(cue, re.IGNORECASE, f"{where}: [bio] cue #{n + 1}") for n, cue in enumerate(cues))),
        footer_short_line_max_words=_typed(footer, "short_line_max_words", int, 6, f"{where}: [footer]"),
        footer_reason=_typed(footer, "reason", str, "short line inside the page footer", f"{where}: [footer]"),
        near_duplicates=settings,
        max_blank_lines=_typed(normalise, "max_blank_lines", int, 1, f"{where}: [normalise]"),
        prose_min_words=_typed(structure, "prose_min_words", int, 8, f"{where}: [structure]"),
        title_min_words=_typed(title, "min_words", int, 3, f"{where}: [title]"),
        title_max_words=_typed(title, "max_words", int, 25, f"{where}: [title]"),
        html_title_in_text=_typed(html, "title_in_text", bool, True, f"{where}: [html]"),
        source=where,
    )
