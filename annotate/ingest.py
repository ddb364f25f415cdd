"""Ingest: raw news articles (.txt, .jsonl, .html) -> clean article records with stable ids and near-duplicate clusters.

The pipeline is a chain of generators over one stream of articles:

    read_sources -> normalise -> clean -> to_records -> drop_exact_duplicates   (streaming)
    -> mark_near_duplicates                                                       (needs every document)

Boilerplate rules and near-duplicate thresholds are data in configs/boilerplate.toml. Nothing is lost silently:
every removed line, skipped input, dropped duplicate and ignored file is collected in an `IngestReport`.
Library code raises `RecordError`/`ConfigError` and never prints or exits; the CLI does that.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import config_path, load_toml, packaged_config_dir
from .errors import ConfigError, RecordError
from .records import AnnotatedDoc, atomic_open, dumps, make_doc_id

RULES_FILE = "boilerplate.toml"
DEFAULT_RULES_PATH = packaged_config_dir() / RULES_FILE

# File kinds that ingest reads, by suffix (lower-cased).
SUFFIX_KINDS = {".txt": "txt", ".jsonl": "jsonl", ".html": "html", ".htm": "html"}

_SENTENCE_FINAL = re.compile(r"[.!?…][\"'”’)\]]*$")
_WORD = re.compile(r"\w+")
_LINE_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029\x85\x0b\x0c]")
_INNER_SPACE = re.compile(r"[ \t]{2,}|\t")


# ---------------------------------------------------------------------------------------------------------
# Rules: configs/boilerplate.toml as frozen dataclasses


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


# ---------------------------------------------------------------------------------------------------------
# Data flowing through the pipeline, and the report


@dataclass(frozen=True)
class Origin:
    """Where an article came from, as a user can find it: a file, or a line of a JSONL file."""
    path: str
    line: int | None = None

    def __str__(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


@dataclass(frozen=True)
class RawArticle:
    origin: Origin
    text: str
    meta: Mapping[str, Any]


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


@dataclass(frozen=True)
class RemovedLine:
    where: str
    line: int
    text: str
    rule: str
    reason: str

    def to_dict(self, doc_id: str | None = None) -> dict[str, Any]:
        return {"source": self.where, "line": self.line, "rule": self.rule, "reason": self.reason,
                "text": self.text, "doc_id": doc_id}


@dataclass(frozen=True)
class Skip:
    """An input that could not become an article; `message` is exactly what --strict raises."""
    path: str
    line: int | None
    field: str | None
    problem: str
    fix: str = ""

    @property
    def error(self) -> RecordError:
        return RecordError(self.path, self.line, self.field, self.problem, self.fix)

    @property
    def message(self) -> str:
        return str(self.error)


@dataclass(frozen=True)
class Duplicate:
    where: str
    duplicate_of: str
    doc_id: str


@dataclass(frozen=True)
class NearDuplicatePair:
    doc_a: str
    doc_b: str
    similarity: float
    passages: int
    sentences: int


@dataclass
class IngestReport:
    """What happened to every input. Filled in as the pipeline streams; read it after the docs are consumed."""
    strict: bool = False
    read: int = 0
    removed: list[RemovedLine] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    near_duplicates: list[NearDuplicatePair] = field(default_factory=list)
    doc_ids: dict[str, str] = field(default_factory=dict)  # where -> doc_id of the article written from it
    written: int = 0

    def skip(self, path: str, line: int | None, field_name: str | None, problem: str, fix: str = "") -> None:
        skipped = Skip(path, line, field_name, problem, fix)
        if self.strict:
            raise skipped.error
        self.skipped.append(skipped)

    def removed_by_reason(self) -> dict[str, int]:
        counts = Counter(line.rule for line in self.removed)
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def removed_rows(self) -> list[dict[str, Any]]:
        return [line.to_dict(self.doc_ids.get(line.where)) for line in self.removed]

    def summary(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "written": self.written,
            "duplicates_dropped": [{"source": d.where, "duplicate_of": d.duplicate_of, "doc_id": d.doc_id}
                                   for d in self.duplicates],
            "skipped": [skip.message for skip in self.skipped],
            "ignored": list(self.ignored),
            "lines_removed": len(self.removed),
            "lines_removed_by_rule": self.removed_by_reason(),
            "near_duplicate_pairs": [{"doc_a": p.doc_a, "doc_b": p.doc_b, "similarity": p.similarity,
                                      "passages": p.passages, "sentences": p.sentences} for p in self.near_duplicates],
        }

    def summary_lines(self) -> list[str]:
        """A human summary, one fact per line (the CLI prints these to stderr)."""
        lines = [f"Read {self.read} article(s); wrote {self.written}."]
        if self.removed:
            by_rule = ", ".join(f"{rule} {count}" for rule, count in self.removed_by_reason().items())
            lines.append(f"Removed {len(self.removed)} boilerplate line(s): {by_rule}.")
        for duplicate in self.duplicates:
            lines.append(f"Dropped exact duplicate: {duplicate.where} (same text as {duplicate.duplicate_of}).")
        for skipped in self.skipped:
            lines.append(f"Skipped: {skipped.message}")
        if self.ignored:
            lines.append(f"Ignored {len(self.ignored)} file(s) that are not .txt/.jsonl/.html: {', '.join(self.ignored)}")
        if self.near_duplicates:
            where_of = {doc_id: where for where, doc_id in self.doc_ids.items()}
            pairs = "; ".join(f"{where_of.get(p.doc_a, p.doc_a)} ~ {where_of.get(p.doc_b, p.doc_b)} "
                              f"({p.passages} passage(s), {p.sentences} sentences, similarity {p.similarity})"
                              for p in self.near_duplicates)
            lines.append(f"Near-duplicate pairs: {len(self.near_duplicates)}: {pairs}.")
        return lines


@dataclass(frozen=True)
class IngestResult:
    docs: tuple[AnnotatedDoc, ...]
    report: IngestReport


# ---------------------------------------------------------------------------------------------------------
# Stage 1: read sources


def word_count(text: str) -> int:
    return len(text.split())


def iter_input_files(paths: Iterable[str | os.PathLike[str]], report: IngestReport,
                     exclude: Iterable[str | os.PathLike[str]] = ()) -> Iterator[tuple[Path, str, str]]:
    """Yield (path, where, source_file) for each article file: files as given, folders walked in sorted order.

    `where` is the path as a user can find it; `source_file` is relative to the folder that was given.
    Hidden files and folders are passed over; other suffixes in folders are listed in `report.ignored`.
    """
    excluded = {Path(p).resolve() for p in exclude}
    for given in paths:
        root = Path(given)
        if root.is_dir():
            def unlisted(error: OSError) -> None:
                report.skip(str(error.filename), None, None, f"cannot be listed ({error.strerror})",
                            "Check the folder's permissions")

            for folder, dirnames, filenames in os.walk(root, onerror=unlisted):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    path = Path(folder) / name
                    if name.startswith(".") or path.resolve() in excluded:
                        continue
                    relative = path.relative_to(root).as_posix()
                    if path.suffix.lower() not in SUFFIX_KINDS:
                        report.ignored.append(str(path))
                        continue
                    yield path, str(path), relative
        elif root.exists() or root.is_symlink():
            if root.suffix.lower() not in SUFFIX_KINDS:
                report.skip(str(root), None, None, f"is not an article file (suffix {root.suffix or 'none'!r})",
                            "Pass .txt, .jsonl or .html files, or folders of them")
                continue
            yield root, str(root), root.name
        else:
            raise RecordError(str(root), None, None, "does not exist", "Check the path")


def _column(line_prefix: bytes) -> int:
    """The 1-based character column after `line_prefix`, the valid start of a line."""
    return len(line_prefix.decode("utf-8", errors="replace")) + 1


def _decode(data: bytes, where: str, report: IngestReport) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = _column(data[data.rfind(b"\n", 0, error.start) + 1:error.start])
        report.skip(where, line, None,
                    f"is not valid UTF-8 (byte 0x{data[error.start]:02x} at column {column})",
                    "Re-encode the file as UTF-8, e.g. `iconv -f latin1 -t utf-8`")
        return None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        report.skip(where, line, None, "contains NUL bytes, so it is not a text file", "Pass plain-text articles")
        return None
    return text.removeprefix("\ufeff")


def _read_bytes(path: Path, where: str, report: IngestReport) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as error:
        report.skip(where, None, None, f"cannot be read ({error.strerror or error})", "Check that the file exists and is readable")
        return None


def _read_txt(path: Path, where: str, source_file: str, report: IngestReport) -> Iterator[RawArticle]:
    data = _read_bytes(path, where, report)
    if data is None:
        return
    text = _decode(data, where, report)
    if text is None:
        return
    yield RawArticle(Origin(where), text, {"source_file": source_file})


def _read_jsonl(path: Path, where: str, source_file: str, report: IngestReport) -> Iterator[RawArticle]:
    try:
        handle = open(path, "rb")
    except OSError as error:
        report.skip(where, None, None, f"cannot be read ({error.strerror or error})", "Check that the file exists and is readable")
        return
    with handle:
        for number, raw_line in enumerate(handle, start=1):
            try:
                line = raw_line.decode("utf-8")
            except UnicodeDecodeError as error:
                report.skip(where, number, None, f"is not valid UTF-8 (byte 0x{raw_line[error.start]:02x} at column {_column(raw_line[:error.start])})",
                            "Re-encode the file as UTF-8")
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line.removeprefix("\ufeff"))
            except json.JSONDecodeError as error:
                report.skip(where, number, None, f"invalid JSON ({error.msg} at column {error.colno})",
                            "Each line must be one JSON object with a \"text\" field")
                continue
            if not isinstance(record, dict):
                report.skip(where, number, None, f"a record must be a JSON object, got {type(record).__name__}")
                continue
            text = record.get("text")
            if text is None:
                report.skip(where, number, "text", "is missing", "Each record needs the article in \"text\"")
                continue
            if not isinstance(text, str):
                report.skip(where, number, "text", f"must be a string, got {type(text).__name__}")
                continue
            meta: dict[str, Any] = {}
            inner = record.get("meta")
            if isinstance(inner, dict):
                meta.update(inner)
            for key, value in record.items():
                if key in ("text", "meta") and (key == "text" or isinstance(value, dict)):
                    continue
                # The record's own doc_id would clash with the id ingest computes from the cleaned text.
                meta["source_doc_id" if key == "doc_id" else key] = value
            # Records that were ingested before keep their first provenance.
            if "source_file" not in meta:
                meta.update({"source_file": source_file, "source_line": number})
            yield RawArticle(Origin(where, number), text, meta)


def _read_html(path: Path, where: str, source_file: str, report: IngestReport, rules: IngestRules) -> Iterator[RawArticle]:
    import trafilatura

    data = _read_bytes(path, where, report)
    if data is None:
        return
    # trafilatura decodes by the page's declared/detected charset, finds the main text and drops navigation.
    try:
        extracted = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False, include_images=False,
                                                include_links=False, include_formatting=False, deduplicate=False)
    except Exception as error:  # a parser failure on one page must not stop the whole run
        report.skip(where, None, None, f"could not be parsed as HTML ({type(error).__name__}: {error})",
                    "Check the file, or extract its text yourself and pass a .txt")
        return
    text = getattr(extracted, "text", None) if extracted is not None else None
    if not text or not text.strip():
        report.skip(where, None, None, "no main text found in the HTML (trafilatura extracted nothing)",
                    "Check that the page holds the article itself, not a script-rendered shell")
        return
    meta: dict[str, Any] = {"source_file": source_file}
    for key, name in (("title", "title"), ("sitename", "outlet"), ("author", "author"), ("date", "date"), ("url", "url")):
        value = getattr(extracted, key, None)
        if value:
            meta[name] = value
    title = meta.get("title")
    if rules.html_title_in_text and title and text.lstrip().split("\n", 1)[0].strip() != title.strip():
        text = f"{title}\n\n{text}"
    yield RawArticle(Origin(where), text, meta)


def read_sources(paths: Iterable[str | os.PathLike[str]], rules: IngestRules, report: IngestReport,
                 exclude: Iterable[str | os.PathLike[str]] = ()) -> Iterator[RawArticle]:
    for path, where, source_file in iter_input_files(paths, report, exclude):
        kind = SUFFIX_KINDS[path.suffix.lower()]
        if kind == "txt":
            articles = _read_txt(path, where, source_file, report)
        elif kind == "jsonl":
            articles = _read_jsonl(path, where, source_file, report)
        else:
            articles = _read_html(path, where, source_file, report, rules)
        for article in articles:
            report.read += 1
            yield article


# ---------------------------------------------------------------------------------------------------------
# Stage 2: normalise


def normalise_text(text: str) -> list[str]:
    """NFC, every line break to LF, each line stripped and inner runs of spaces/tabs made one space."""
    text = unicodedata.normalize("NFC", text.removeprefix("\ufeff"))
    return [_INNER_SPACE.sub(" ", line).strip() for line in _LINE_BREAKS.sub("\n", text).split("\n")]


def normalise(articles: Iterable[RawArticle]) -> Iterator[NormalisedArticle]:
    for article in articles:
        lines = tuple(Line(number, text) for number, text in enumerate(normalise_text(article.text), start=1))
        yield NormalisedArticle(article.origin, lines, article.meta)


# ---------------------------------------------------------------------------------------------------------
# Stage 3: clean


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

    for marker in footer_markers:
        after = [index for index in content if index > marker and index not in removed]
        if all(is_short(lines[index].text) for index in after):
            for index in after:
                removed[index] = ("footer-short-line", rules.footer_reason)
            break
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


def clean(articles: Iterable[NormalisedArticle], rules: IngestRules, report: IngestReport) -> Iterator[CleanArticle]:
    for article in articles:
        text, removed = clean_lines(article.lines, rules)
        origin = article.origin
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


# ---------------------------------------------------------------------------------------------------------
# Stage 4: records and exact duplicates


def to_records(articles: Iterable[CleanArticle]) -> Iterator[tuple[str, AnnotatedDoc]]:
    for article in articles:
        doc = AnnotatedDoc(doc_id=make_doc_id(article.text), text=article.text, meta=dict(article.meta))
        yield str(article.origin), doc


def drop_exact_duplicates(items: Iterable[tuple[str, AnnotatedDoc]], report: IngestReport) -> Iterator[AnnotatedDoc]:
    first_seen: dict[str, str] = {}
    for where, doc in items:
        if doc.doc_id in first_seen:
            report.duplicates.append(Duplicate(where, first_seen[doc.doc_id], doc.doc_id))
            continue
        first_seen[doc.doc_id] = where
        report.doc_ids[where] = doc.doc_id
        yield doc


# ---------------------------------------------------------------------------------------------------------
# Stage 5: near-duplicate passages


_ABBREVIATIONS = frozenset(
    "jan feb mar apr jun jul aug sep sept oct nov dec mr mrs ms dr prof gen col lt sgt capt st mt ft no vs etc "
    "inc ltd co corp dept gov sen rep u.s u.k u.n e.g i.e".split())
_SENTENCE_BREAK = re.compile(r"[.!?…][\"'”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Sentences, paragraph by paragraph. A light splitter: it is only used to compare texts, not to annotate."""
    sentences: list[str] = []
    for paragraph in text.split("\n"):
        start = 0
        for match in _SENTENCE_BREAK.finditer(paragraph):
            before = paragraph[start:match.start()].rsplit(None, 1)
            last_word = before[-1].lower().rstrip(".") if before else ""
            if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
                continue  # "Jan. 31", "J. Smith"
            sentences.append(paragraph[start:match.end()].strip())
            start = match.end()
        if paragraph[start:].strip():
            sentences.append(paragraph[start:].strip())
    return sentences


def shingles(sentence: str, size: int) -> frozenset[str]:
    words = [word.lower() for word in _WORD.findall(sentence)]
    if len(words) < size:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i:i + size]) for i in range(len(words) - size + 1))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def find_near_duplicates(docs: Sequence[AnnotatedDoc], settings: NearDuplicateSettings) -> list[NearDuplicatePair]:
    """Pairs of documents sharing at least one passage: a run of consecutive, in-order, similar sentences.

    Two stages keep this far from quadratic: MinHash LSH over single sentences proposes document pairs (one
    sentence pair whose exact Jaccard reaches `sentence_similarity` is enough), and only those pairs are
    aligned sentence by sentence, exactly.
    """
    from datasketch import MinHash, MinHashLSH

    sentence_sets = [[shingles(sentence, settings.shingle_size) for sentence in split_sentences(doc.text)]
                     for doc in docs]
    keys = [(d, s) for d, sets in enumerate(sentence_sets) for s, shingle_set in enumerate(sets) if shingle_set]
    signatures = MinHash.bulk([[item.encode("utf-8") for item in sorted(sentence_sets[d][s])] for d, s in keys],
                              num_perm=settings.num_perm, seed=settings.seed)
    lsh = MinHashLSH(threshold=settings.candidate_threshold, num_perm=settings.num_perm)
    with lsh.insertion_session() as session:
        for key, signature in zip(keys, signatures):
            session.insert(key, signature, check_duplication=False)

    candidates: set[tuple[int, int]] = set()
    for (d, s), signature in zip(keys, signatures):
        for e, t in lsh.query(signature):
            if e > d and (d, e) not in candidates and \
                    _jaccard(sentence_sets[d][s], sentence_sets[e][t]) >= settings.sentence_similarity:
                candidates.add((d, e))

    pairs: list[NearDuplicatePair] = []
    for d, e in sorted(candidates):
        aligned = {}
        for s, a in enumerate(sentence_sets[d]):
            for t, b in enumerate(sentence_sets[e]):
                similarity = _jaccard(a, b)
                if similarity >= settings.sentence_similarity:
                    aligned[(s, t)] = similarity
        runs = _passages(aligned, settings.min_passage_sentences)
        if not runs:
            continue
        similarities = [aligned[cell] for run in runs for cell in run]
        a_id, b_id = sorted((docs[d].doc_id, docs[e].doc_id))
        pairs.append(NearDuplicatePair(a_id, b_id, round(sum(similarities) / len(similarities), 3), len(runs),
                                       len(similarities)))
    return sorted(pairs, key=lambda pair: (pair.doc_a, pair.doc_b))


def _passages(aligned: Mapping[tuple[int, int], float], min_length: int) -> list[list[tuple[int, int]]]:
    """Maximal diagonal runs (s, t), (s+1, t+1), ... of at least min_length, not sharing sentences, longest first."""
    runs = []
    for s, t in aligned:
        if (s - 1, t - 1) in aligned:
            continue
        run = []
        while (s + len(run), t + len(run)) in aligned:
            run.append((s + len(run), t + len(run)))
        if len(run) >= min_length:
            runs.append(run)
    chosen: list[list[tuple[int, int]]] = []
    used_a: set[int] = set()
    used_b: set[int] = set()
    for run in sorted(runs, key=lambda r: (-len(r), r[0])):
        if used_a.isdisjoint(s for s, _ in run) and used_b.isdisjoint(t for _, t in run):
            chosen.append(run)
            used_a.update(s for s, _ in run)
            used_b.update(t for _, t in run)
    return chosen


def clusters(doc_ids: Sequence[str], pairs: Iterable[NearDuplicatePair]) -> dict[str, str]:
    """Connected components of the near-duplicate graph; each is named by its smallest doc_id."""
    parent = {doc_id: doc_id for doc_id in doc_ids}

    def find(doc_id: str) -> str:
        while parent[doc_id] != doc_id:
            parent[doc_id] = parent[parent[doc_id]]
            doc_id = parent[doc_id]
        return doc_id

    for pair in pairs:
        a, b = find(pair.doc_a), find(pair.doc_b)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {doc_id: find(doc_id) for doc_id in doc_ids}


def mark_near_duplicates(docs: Iterable[AnnotatedDoc], settings: NearDuplicateSettings,
                         report: IngestReport) -> Iterator[AnnotatedDoc]:
    """Add meta.near_duplicates and meta.cluster (the export keeps a cluster within one split)."""
    collected = list(docs)
    pairs = find_near_duplicates(collected, settings)
    report.near_duplicates.extend(pairs)
    neighbours: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for pair in pairs:
        for this, other in ((pair.doc_a, pair.doc_b), (pair.doc_b, pair.doc_a)):
            neighbours[this].append({"doc_id": other, "similarity": pair.similarity, "passages": pair.passages,
                                     "sentences": pair.sentences})
    cluster_of = clusters([doc.doc_id for doc in collected], pairs)
    for doc in collected:
        meta = {**doc.meta, "near_duplicates": sorted(neighbours.get(doc.doc_id, []), key=lambda n: n["doc_id"]),
                "cluster": cluster_of[doc.doc_id]}
        yield doc.with_(meta=meta)


# ---------------------------------------------------------------------------------------------------------
# The whole pipeline


def ingest(paths: Iterable[str | os.PathLike[str]], *, rules: IngestRules | None = None, strict: bool = False,
           exclude: Iterable[str | os.PathLike[str]] = ()) -> IngestResult:
    """Read, normalise, clean, de-duplicate and cluster articles. Bad inputs are skipped and reported
    (or, with strict=True, raised as RecordError naming the file and line). `exclude` keeps e.g. the output
    file out of a folder walk."""
    rules = rules or load_rules()
    paths = list(paths)
    for path in paths:  # before reading anything: a mistyped path is an error, not a skip
        if not (Path(path).exists() or Path(path).is_symlink()):
            raise RecordError(str(path), None, None, "does not exist", "Check the path")
    report = IngestReport(strict=strict)
    stream = read_sources(paths, rules, report, exclude)
    stream = normalise(stream)
    stream = clean(stream, rules, report)
    docs = drop_exact_duplicates(to_records(stream), report)
    result = tuple(mark_near_duplicates(docs, rules.near_duplicates, report))
    report.written = len(result)
    if not result:
        why = "; ".join(skip.message for skip in report.skipped[:3]) or "no .txt, .jsonl or .html files found"
        raise RecordError(", ".join(str(p) for p in paths), None, None, f"no articles to write ({why})",
                          "Fix or remove the inputs above")
    return IngestResult(docs=result, report=report)


# ---------------------------------------------------------------------------------------------------------
# The removed-lines report


REPORT_COLUMNS = ("source", "line", "rule", "reason", "text", "doc_id")


def format_removed(report: IngestReport, fmt: str = "tsv") -> str:
    """Every removed line as TSV (with a header) or JSONL."""
    rows = report.removed_rows()
    if fmt == "jsonl":
        return "".join(dumps(row) + "\n" for row in rows)
    if fmt != "tsv":
        raise ConfigError(f"unknown report format {fmt!r}; use tsv or jsonl")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(REPORT_COLUMNS)
    for row in rows:
        writer.writerow(["" if row[column] is None else row[column] for column in REPORT_COLUMNS])
    return buffer.getvalue()


def write_removed(report: IngestReport, path: str | os.PathLike[str]) -> int:
    """Write the removed-lines report: JSONL for .jsonl/.json paths, TSV otherwise. Atomic."""
    fmt = "jsonl" if Path(path).suffix.lower() in (".jsonl", ".json") else "tsv"
    with atomic_open(path) as handle:
        handle.write(format_removed(report, fmt))
    return len(report.removed)
