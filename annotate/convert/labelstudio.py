"""A Label Studio full JSON export file -> AnnotatedDoc records, through annotate.labelstudio.results.

The export is the one `ls.projects.exports.as_json(pid)` (or Export > JSON in the UI) gives: a JSON array of
tasks with their annotations. The reading of Label Studio's result shapes lives in annotate.labelstudio.results
(`docs_from_export`), shared with `annotate pull`; this module only reads the file and reports what it left out.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from ..errors import AnnotateError, RecordError
from ..records import AnnotatedDoc


def read_labelstudio(path: str | Path, annotator: str | None = None, skipped: Counter | None = None,
                     notes: list[str] | None = None) -> list[AnnotatedDoc]:
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
    try:
        docs, summary = docs_from_export(tasks)
    except AnnotateError as error:
        raise RecordError(str(path), None, None, str(error)) from error
    if skipped is not None:
        for key, count in (("Label Studio drafts", summary.drafts), ("cancelled or skipped annotations", summary.cancelled)):
            if count:
                skipped[key] += count
    if notes is not None:
        notes.extend(f"re-anchored: {item}" for item in summary.reanchored)
        notes.extend(f"dropped region: {item}" for item in summary.dropped_regions)
        notes.extend(summary.problems)
    if annotator:
        names = {doc.annotator for doc in docs}
        if len(names) > 1:
            raise RecordError(str(path), None, "annotator", f"the export holds several annotators ({', '.join(sorted(names))}), "
                              "so --annotator cannot name them all", "Leave out --annotator to keep their own names")
        docs = [doc.with_(annotator=annotator) for doc in docs]
    return docs
