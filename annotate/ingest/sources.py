"""Stage 1: read sources. Files and folders become raw articles; unreadable inputs become located skips."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import RecordError
from .report import IngestReport
from .rules import IngestRules

# File kinds that ingest reads, by suffix (lower-cased).
SUFFIX_KINDS = {".txt": "txt", ".jsonl": "jsonl", ".html": "html", ".htm": "html"}


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
    blank = True
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
            blank = False
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
    if blank:
        report.skip(where, None, None, "is empty (no records)", "Give one JSON object with a \"text\" field per line")


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
