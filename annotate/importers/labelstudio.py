"""A Label Studio full JSON export file -> AnnotatedDoc records, through annotate.labelstudio.results.

The export is the one `ls.projects.exports.as_json(pid)` (or Export > JSON in the UI) gives: a JSON array of
tasks with their annotations. Reading Label Studio's result shapes is shared with `annotate pull`
(`docs_from_export`); this module reads the file, settles the offset unit, and reports what it left out.

**Offsets in UTF-16 code units.** Some Label Studio frontends count offsets in UTF-16 code units, so after a
character beyond U+FFFF (an emoji, some CJK) every offset is one too far per such character. A region that
stores its text is re-anchored by the shared reader; a region without text would be shifted silently. So, for
each annotation over a text with such characters, the unit is decided first:
1. from the regions that store text: the unit under which their offsets cut out that text;
2. else from the textless regions themselves: the unit under which every one of them starts and ends on a word
   boundary (a shifted offset cuts a word);
then the offsets are converted to characters. A region whose unit cannot be told (no stored text, and both
readings, or neither, fall on word boundaries) is dropped with a count, or is an error under --strict.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import AnnotateError, RecordError
from ..records import AnnotatedDoc
from .common import ReadOptions, Tally


def read_labelstudio(path: str | Path, options: ReadOptions, tally: Tally) -> list[AnnotatedDoc]:
    """Records of every submitted annotation in the export; `annotator` renames every annotator to one name."""
    from ..labelstudio.results import docs_from_export

    path = Path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            tasks = json.load(handle)
    except OSError as error:
        raise RecordError(str(path), None, None, f"cannot be read ({error.strerror})",
                          "Give a Label Studio JSON export file") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        where = f" (line {error.lineno})" if isinstance(error, json.JSONDecodeError) else ""
        raise RecordError(str(path), getattr(error, "lineno", None), None, f"is not valid JSON{where}",
                          "Export the project as JSON (not JSON_MIN or CSV)") from error
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list) or not all(isinstance(task, dict) for task in tasks):
        raise RecordError(str(path), None, None, "is not a list of Label Studio tasks",
                          "Export the project as JSON (a list of tasks with 'data' and 'annotations')")
    if not tasks:
        raise RecordError(str(path), None, None, "holds no tasks", "Export a project that has annotated tasks")
    tasks = [_in_characters(task, str(path), tally) for task in tasks]
    try:
        docs, summary = docs_from_export(tasks)
    except AnnotateError as error:
        raise RecordError(str(path), None, None, str(error)) from error
    for key, count in (("Label Studio drafts", summary.drafts), ("cancelled or skipped annotations", summary.cancelled)):
        if count:
            tally.skipped[key] += count
    tally.notes.extend(f"re-anchored: {item}" for item in summary.reanchored)
    tally.notes.extend(f"dropped region: {item}" for item in summary.dropped_regions)
    tally.notes.extend(summary.problems)
    if options.annotator:
        names = {doc.annotator for doc in docs}
        if len(names) > 1:
            raise RecordError(str(path), None, "annotator", f"the export holds several annotators ({', '.join(sorted(names))}), "
                              "so --annotator cannot name them all", "Leave out --annotator to keep their own names")
        docs = [doc.with_(annotator=options.annotator) for doc in docs]
    return docs


# ---------------------------------------------------------------------------------------------------------
# UTF-16 offsets


def utf16_to_characters(text: str) -> dict[int, int]:
    """UTF-16 code-unit offset -> character offset, for every offset that is not inside a surrogate pair."""
    table = {0: 0}
    units = 0
    for index, char in enumerate(text, start=1):
        units += 2 if ord(char) > 0xFFFF else 1
        table[units] = index
    return table


def _on_word_edges(text: str, start: int, end: int) -> bool:
    """A region that neither starts nor ends inside a word (a shifted offset usually cuts one)."""
    def inside(position: int) -> bool:
        return 0 < position < len(text) and text[position - 1].isalnum() and text[position].isalnum()

    return 0 <= start < end <= len(text) and not inside(start) and not inside(end) \
        and not text[start].isspace() and not text[end - 1].isspace()


def _regions(results: Any) -> list[dict[str, Any]]:
    return [result["value"] for result in results if isinstance(result, Mapping) and isinstance(result.get("value"), dict)
            and isinstance(result["value"].get("start"), int) and isinstance(result["value"].get("end"), int)] \
        if isinstance(results, list) else []


def offset_unit(text: str, results: Any) -> str | None:
    """'characters' or 'utf16' for one annotation's regions over `text`, or None when it cannot be told."""
    table = utf16_to_characters(text)
    regions = _regions(results)

    def cut(value: Mapping[str, Any], unit: str) -> tuple[int, int] | None:
        start, end = value["start"], value["end"]
        if unit == "utf16":
            start, end = table.get(start), table.get(end)
            if start is None or end is None:
                return None
        return (start, end) if 0 <= start < end <= len(text) else None

    def fits(unit: str, check) -> bool:
        return all((found := cut(value, unit)) is not None and check(value, found) for value in regions)

    stored = [value for value in regions if isinstance(value.get("text"), str) and value["text"]]
    if stored:
        verdicts = {unit for unit in ("characters", "utf16")
                    if all((found := cut(value, unit)) and text[found[0]:found[1]] == value["text"] for value in stored)}
        if len(verdicts) == 1:
            return verdicts.pop()
    verdicts = {unit for unit in ("characters", "utf16") if fits(unit, lambda _, found: _on_word_edges(text, *found))}
    return verdicts.pop() if len(verdicts) == 1 else None


def _in_characters(task: dict[str, Any], where: str, tally: Tally) -> dict[str, Any]:
    """The task with every annotation's offsets in characters (see the module docstring)."""
    data = task.get("data")
    text = data.get("text") if isinstance(data, Mapping) else None
    if not isinstance(text, str) or all(ord(char) <= 0xFFFF for char in text):
        return task  # without characters beyond U+FFFF both units agree
    first_wide = next(index for index, char in enumerate(text) if ord(char) > 0xFFFF)
    table = utf16_to_characters(text)
    annotations = []
    for annotation in task.get("annotations") or []:
        results = annotation.get("result") if isinstance(annotation, Mapping) else None
        affected = [value for value in _regions(results) if value["end"] > first_wide]
        if not affected:
            annotations.append(annotation)
            continue
        at = f"{where}: task {task.get('id')} annotation {annotation.get('id')}"
        unit = offset_unit(text, results)
        if unit == "characters":
            annotations.append(annotation)
            continue
        kept = []
        for result in results:
            value = result.get("value") if isinstance(result, Mapping) else None
            if unit is None and isinstance(value, Mapping) and value in affected and not value.get("text"):
                tally.drop("Label Studio region without text whose offsets may count characters or UTF-16 units", at)
                continue
            if unit == "utf16" and isinstance(value, Mapping) and isinstance(value.get("start"), int) \
                    and isinstance(value.get("end"), int):
                start, end = table.get(value["start"], value["start"]), table.get(value["end"], value["end"])
                result = {**result, "value": {**value, "start": start, "end": end}}
            kept.append(result)
        if unit == "utf16":
            tally.notes.append(f"{at}: offsets count UTF-16 code units (the text has characters beyond U+FFFF); "
                               "converted to characters")
        annotations.append({**annotation, "result": kept})
    return {**task, "annotations": annotations}
