"""push and pull: records to a Label Studio project and back.

push is idempotent and resumable. Tasks are keyed by `data.doc_id`; a document that already has a task gets
nothing new, except a prediction for a model_version (annotator) that task does not have yet. A record whose
text differs from the text its doc_id's task holds is refused (its offsets would not fit that text) unless
`force` replaces the task. Before
planning, push learns which doc_ids exist: from a local index when the project's fingerprint (task count,
prediction count, newest task id — ids are never reused) still matches the one the index was saved with,
else by listing the project. The index is saved after every chunk, so a killed run resumes where it stopped;
a chunk that landed on the server after the last save changes the fingerprint and forces a listing. A final
fingerprint check catches tasks that appeared behind our back (the in-flight request of a killed run) and
removes duplicates that nobody has annotated.

pull reads Label Studio's full JSON export (never JSON_MIN or the SDK converter) through an export snapshot,
parsing it task by task as it downloads, and converts it with the pure functions in results.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError, RecordError, SchemaError, ServerError
from ..io import atomic_open, check_writable, os_error, write_text_atomic
from ..records import AnnotatedDoc, check_doc, dumps
from ..schema import TEXT_NAME, Schema, SchemaCheck, load_schema, render_label_config
from .client import AmbiguousWriteError, Fingerprint, LabelStudioClient, Project, label_config_problems
from .results import ExportTally, PullSummary, doc_to_prediction, task_data, task_records

DEFAULT_CHUNK_SIZE = 1000  # measured: 2,000 tasks import faster in 2 requests than in 8 (docs/labelstudio.md)
CACHE_ENV = "ANNOTATE_CACHE_DIR"
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PushSummary:
    project_id: int
    project_title: str
    url: str
    project_created: bool = False
    config_updated: bool = False
    documents: int = 0
    records: int = 0
    tasks_created: int = 0
    tasks_existing: int = 0
    tasks_replaced: int = 0  # deleted and created again because the text under their doc_id changed (force)
    predictions_created: int = 0
    predictions_existing: int = 0
    duplicates_removed: int = 0
    listed: bool = False  # whether the project had to be listed (the local index was missing or stale)
    warnings: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {"project_id": self.project_id, "project": self.project_title, "url": self.url,
                "project_created": self.project_created, "config_updated": self.config_updated,
                "documents": self.documents, "records": self.records, "tasks_created": self.tasks_created,
                "tasks_existing": self.tasks_existing, "tasks_replaced": self.tasks_replaced,
                "predictions_created": self.predictions_created,
                "predictions_existing": self.predictions_existing, "duplicates_removed": self.duplicates_removed,
                "listed_project": self.listed, "warnings": list(self.warnings)}

    def summary_lines(self) -> list[str]:
        """What happened, for people (the CLI prints these to stderr)."""
        flags = f"{' [created]' if self.project_created else ''}{' [config updated]' if self.config_updated else ''}"
        removed = f"; {self.duplicates_removed} duplicate tasks removed" if self.duplicates_removed else ""
        replaced = f" ({self.tasks_replaced} of them replacing a task whose text changed)" if self.tasks_replaced else ""
        return [f"Project {self.project_title!r} (id {self.project_id}) at {self.url}{flags}: "
                f"{self.documents} documents; {self.tasks_created} tasks created{replaced}, "
                f"{self.tasks_existing} already there; "
                f"{self.predictions_created} predictions added, {self.predictions_existing} already there{removed}.",
                f"Label the tasks at {self.url}/projects/{self.project_id}/data"]


# ---------------------------------------------------------------------------------------------------------
# Grouping and checking the input


@dataclass
class _Document:
    doc_id: str
    text_hash: str
    first: Any  # the first record, or where push keeps its task data
    versions: dict[str, Any]  # annotator -> its record, or where push keeps its prediction


class _Grouper:
    """Groups records by doc_id (first-seen order) as they pass; the same doc_id must carry the same text, and an
    annotator may appear once per document. What is held of each record is the record itself, or what
    `keep_task` (of a document's first record) and `keep_prediction` (of each annotator's) return."""

    def __init__(self, where: str, adjudicate: bool, keep_task: Callable[[AnnotatedDoc], Any] | None = None,
                 keep_prediction: Callable[[AnnotatedDoc], Any] | None = None) -> None:
        self.where = where
        self.adjudicate = adjudicate
        self.keep_task = keep_task or (lambda doc: doc)
        self.keep_prediction = keep_prediction or (lambda doc: doc)
        self.grouped: dict[str, _Document] = {}
        self.warnings: list[str] = []
        self.count = 0

    def add(self, doc: AnnotatedDoc, keep: bool = True) -> None:
        """Group `doc`; with keep=False (a record that failed its schema check: push stops anyway) hold nothing."""
        self.count += 1
        count, where = self.count, self.where
        if self.adjudicate and not doc.annotator:
            raise RecordError(f"{where} (record {count})", None, "annotator",
                              "is missing; every record to adjudicate must name its annotator")
        entry = self.grouped.get(doc.doc_id)
        hashed = text_hash(doc.text)
        if entry is None:
            entry = self.grouped[doc.doc_id] = _Document(doc.doc_id, hashed, self.keep_task(doc) if keep else None, {})
            if "\r" in doc.text:
                self.warnings.append(f"{where} record {count} (doc_id {doc.doc_id}): the text contains carriage "
                                     "returns; browsers may count CRLF as one character, so run it through `annotate "
                                     "ingest` to normalise line ends before annotating")
        elif entry.text_hash != hashed:
            raise RecordError(f"{where} (record {count})", None, "text", f"differs from an earlier record with doc_id {doc.doc_id}",
                              "Records of one document must share its text exactly")
        if doc.annotator:
            if doc.annotator in entry.versions:
                raise RecordError(f"{where} (record {count})", None, "annotator",
                                  f"{doc.annotator!r} appears twice for doc_id {doc.doc_id}",
                                  "Keep one record per (document, annotator)")
            entry.versions[doc.annotator] = self.keep_prediction(doc) if keep else None


def group_documents(docs: Iterable[AnnotatedDoc], where: str = "input", *, adjudicate: bool = False
                    ) -> tuple[list[_Document], int, list[str]]:
    """Group records by doc_id (see _Grouper). Returns the documents, the record count and warnings."""
    grouper = _Grouper(where, adjudicate)
    for doc in docs:
        grouper.add(doc)
    return list(grouper.grouped.values()), grouper.count, grouper.warnings


class _Spill:
    """Task data and predictions, built once as the records are read, parked in an anonymous temp file while push
    plans and sends them: memory holds only their offsets, so pushing 50,000 documents takes no more memory than
    pushing 5,000."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()

    def keep(self, payload: Mapping[str, Any]) -> int:
        offset = self._file.seek(0, os.SEEK_END)
        self._file.write(json.dumps(payload, ensure_ascii=False).encode("utf-8") + b"\n")
        return offset

    def load(self, offset: int) -> dict[str, Any]:
        self._file.seek(offset)
        return json.loads(self._file.readline())

    def close(self) -> None:
        self._file.close()


# ---------------------------------------------------------------------------------------------------------
# The local index of what a project holds, which lets a killed push resume without listing the project

INDEX_FORMAT = 2  # 2: entries carry a hash of the task's text; index files of other formats are re-listed


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class _Entry:
    task_id: int
    versions: set[str]  # the model versions (annotators) that have a prediction on the task
    text_hash: str  # of the text the task holds: a record with another text under this doc_id is refused


@dataclass
class _Index:
    tasks: dict[str, _Entry]  # doc_id -> the task that holds it

    def add(self, doc_id: str, task_id: int, task: Mapping[str, Any]) -> None:
        """Record a task just created from `task` (its data and predictions)."""
        self.tasks[doc_id] = _Entry(task_id, {str(p["model_version"]) for p in task["predictions"]},
                                    text_hash(task["data"][TEXT_NAME]))

    def to_json(self) -> dict[str, list[Any]]:
        return {doc_id: [entry.task_id, sorted(entry.versions), entry.text_hash]
                for doc_id, entry in self.tasks.items()}


def cache_dir() -> Path:
    base = os.environ.get(CACHE_ENV) or os.path.join(os.environ.get("XDG_CACHE_HOME") or "~/.cache", "annotate")
    return Path(base).expanduser() / "labelstudio-push"


def _cache_path(directory: Path, url: str, project: Project) -> Path:
    key = hashlib.sha256(f"{url}|{project.id}|{project.created_at}".encode()).hexdigest()[:24]
    return directory / f"{key}.json"


def _load_index(path: Path, fingerprint: Fingerprint) -> _Index | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    if raw.get("format") != INDEX_FORMAT or raw.get("fingerprint") != fingerprint.to_list():
        return None
    return _Index({doc_id: _Entry(int(task_id), set(versions), str(hashed))
                   for doc_id, (task_id, versions, hashed) in raw.get("tasks", {}).items()})


def _save_index(path: Path, index: _Index, fingerprint: Fingerprint, url: str, project: Project) -> None:
    record = {"format": INDEX_FORMAT, "url": url, "project_id": project.id, "project_created_at": project.created_at,
              "fingerprint": fingerprint.to_list(), "tasks": index.to_json()}
    write_text_atomic(path, json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n")


def _list_index(client: LabelStudioClient, project_id: int, warnings: list[str]) -> tuple[_Index, int]:
    """Index the project by listing it; remove duplicate tasks of one doc_id that nobody has annotated."""
    versions: dict[int, set[str]] = {}
    for prediction in client.predictions(project_id):
        versions.setdefault(prediction["task"], set()).add(str(prediction["model_version"]))
    index: dict[str, _Entry] = {}
    removed = 0
    for task in client.task_keys(project_id):  # oldest first, so the oldest task of a doc_id is kept
        if not task.doc_id:
            continue
        if task.doc_id not in index:
            index[task.doc_id] = _Entry(task.id, set(versions.get(task.id, set())), text_hash(task.text or ""))
            continue
        kept_id = index[task.doc_id].task_id
        if task.annotations:
            warnings.append(f"doc_id {task.doc_id} has two tasks ({kept_id} and {task.id}); {task.id} has "
                            "annotations, so it is kept; merge them in Label Studio")
            continue
        client.delete_task(task.id)
        removed += 1
    return _Index(index), removed


@dataclass
class _Resume:
    """A project's index, the fingerprint it matches, and the file it is saved to after every change."""

    client: LabelStudioClient
    project: Project
    path: Path
    index: _Index
    expected: Fingerprint
    listed: bool = False  # whether the project had to be listed
    removed: int = 0  # duplicate tasks removed while listing

    @classmethod
    def open(cls, client: LabelStudioClient, project: Project, created: bool, directory: Path,
             warnings: list[str]) -> _Resume:
        """The saved index if the project's fingerprint still matches it, else a fresh listing."""
        fingerprint = Fingerprint(0, 0, 0) if created else client.fingerprint(project.id)
        resume = cls(client, project, _cache_path(directory, client.url, project), _Index({}), fingerprint)
        if fingerprint.tasks:
            cached = _load_index(resume.path, fingerprint)
            if cached is None:
                resume.relist(warnings)
            else:
                resume.index = cached
        return resume

    def relist(self, warnings: list[str]) -> None:
        self.index, removed = _list_index(self.client, self.project.id, warnings)
        self.listed = True
        self.removed += removed
        if removed:
            self.expected = self.client.fingerprint(self.project.id)

    def save(self) -> None:
        _save_index(self.path, self.index, self.expected, self.client.url, self.project)

    def tasks_added(self, created: Sequence[tuple[str, int, dict[str, Any]]]) -> None:
        for doc_id, task_id, task in created:
            self.index.add(doc_id, task_id, task)
        self.expected = Fingerprint(
            tasks=self.expected.tasks + len(created),
            predictions=self.expected.predictions + sum(len(task["predictions"]) for _, _, task in created),
            max_task_id=max(self.expected.max_task_id, *(task_id for _, task_id, _ in created)))
        self.save()

    def reconcile(self, warnings: list[str]) -> None:
        """Catch tasks that appeared behind our back (typically the in-flight chunk of a killed earlier run)."""
        final = self.client.fingerprint(self.project.id)
        if final != self.expected:
            self.expected = final
            self.relist(warnings)
        self.save()


# ---------------------------------------------------------------------------------------------------------
# push


def ensure_project(client: LabelStudioClient, title: str, label_config: str, schema: Schema, *,
                   force: bool = False) -> tuple[Project, bool, bool]:
    """Find the project by title or create it; bring its labeling config up to date.

    A config change that would orphan existing annotations (their labels, attributes or relations vanish) is
    refused unless `force`. Returns the project, whether it was created, and whether its config changed.
    """
    project = client.find_project(title)
    if project is None:
        return client.create_project(title, label_config), True, False
    if project.label_config.strip() == label_config.strip():
        return project, False, False
    annotated = client.export(project.id, all_tasks=False)
    problems = label_config_problems(label_config, (
        (f"task {task.get('id')} annotation {annotation.get('id')}", annotation.get("result") or [])
        for task in annotated for annotation in task.get("annotations") or []), limit=10)
    relation_names = schema.relation_by_name
    for task in annotated:
        for annotation in task.get("annotations") or []:
            for result in annotation.get("result") or []:
                for label in result.get("labels") or [] if result.get("type") == "relation" else []:
                    if label not in relation_names and len(problems) < 10:
                        problems.append(f"task {task.get('id')} annotation {annotation.get('id')}: relation label "
                                        f"{label!r} is not in the new schema")
    if problems and not force:
        raise SchemaError(f"project {title!r} has annotations that the new labeling config would orphan, so its "
                          "config was left as it is:\n  " + "\n  ".join(problems) +
                          "\nKeep those labels, attributes and relations in configs/schema.toml, or pass --force "
                          "to replace the config anyway (the annotations stay, but Label Studio can no longer show them)")
    client.set_label_config(project.id, label_config)
    return client.get_project(project.id), False, True


def push(docs: Iterable[AnnotatedDoc], *, project: str, client: LabelStudioClient, schema: Schema | None = None,
         chunk_size: int = DEFAULT_CHUNK_SIZE, force: bool = False, adjudicate: bool = False,
         progress: Progress | None = None, index_dir: Path | None = None, where: str = "input",
         label_config: str | None = None, relation_labels: bool = True) -> PushSummary:
    """Send records to the project titled `project`: one task per doc_id, one prediction per (doc, annotator).

    Records are checked against the schema, and the results to send against the labeling config with
    Label Studio's LabelInterface, before anything is sent. A record whose text differs from the text the
    project holds under its doc_id is an error; `force` replaces such tasks (and the labeling config, see
    `ensure_project`). A session passes its own `label_config` (its view) and `relation_labels=False`.
    """
    if chunk_size < 1:
        raise ConfigError(f"--chunk-size must be at least 1, got {chunk_size}")
    schema = schema or load_schema()
    spill = _Spill()
    try:
        grouper = _Grouper(where, adjudicate, keep_task=lambda doc: spill.keep(task_data(doc)),
                           keep_prediction=lambda doc: spill.keep(
                               doc_to_prediction(doc, schema, relation_labels=relation_labels)))
        check = SchemaCheck(schema, where)  # labels, attributes and values, relation labels and directions
        for doc in docs:
            grouper.add(doc, keep=check.check(doc))
        check.done()
        documents, record_count, warnings = list(grouper.grouped.values()), grouper.count, grouper.warnings
        label_config = label_config or render_label_config(schema)
        payloads = _Payloads(spill.load)

        found, created, config_updated = ensure_project(client, project, label_config, schema, force=force)
        resume = _Resume.open(client, found, created, index_dir or cache_dir(), warnings)
        plan = _plan(documents, resume.index)
        _check_results(label_config, plan, payloads)
        if plan.changed:
            _delete_changed(resume, plan.changed, force=force, where=where, warnings=warnings)
        sent = _Progress(len(plan.new_tasks) + len(plan.new_predictions), progress)
        tasks_created, predictions_created = _send_tasks(resume, plan.new_tasks, payloads, chunk_size, warnings, sent)
        predictions_created += _send_predictions(resume, plan.new_predictions, payloads, chunk_size, warnings, sent)
    finally:
        spill.close()

    summary = PushSummary(project_id=found.id, project_title=found.title, url=client.url, project_created=created,
                          config_updated=config_updated, documents=len(documents), records=record_count,
                          tasks_created=tasks_created, tasks_existing=len(documents) - tasks_created,
                          tasks_replaced=len(plan.changed), predictions_created=predictions_created,
                          predictions_existing=plan.existing_predictions, warnings=tuple(warnings))
    if sent.total == 0 and not resume.listed:
        return summary
    resume.reconcile(warnings)
    return replace(summary, duplicates_removed=resume.removed, listed=resume.listed, warnings=tuple(warnings))


@dataclass
class _Plan:
    new_tasks: list[_Document]  # each becomes a task with every version as a prediction
    new_predictions: list[tuple[str, str, Any]]  # (doc_id, annotator, kept record) for existing tasks
    existing_predictions: int
    changed: list[tuple[str, int]]  # (doc_id, task id) of tasks whose text differs from the records'


@dataclass(frozen=True)
class _Payloads:
    """Label Studio payloads read back from where push kept them, when they are needed (checked, then sent chunk
    by chunk), never all at once."""

    load: Callable[[Any], dict[str, Any]]

    def task(self, document: _Document) -> dict[str, Any]:
        return {"data": self.load(document.first),
                "predictions": [self.load(kept) for kept in document.versions.values()]}

    def prediction(self, kept: Any) -> dict[str, Any]:
        return self.load(kept)


def _plan(documents: list[_Document], index: _Index) -> _Plan:
    """What to send: new tasks, new predictions for existing tasks, and the tasks whose text changed (planned
    as new tasks, sent only if they may be replaced)."""
    plan = _Plan([], [], 0, [])
    for document in documents:
        entry = index.tasks.get(document.doc_id)
        if entry is not None and entry.text_hash != document.text_hash:
            plan.changed.append((document.doc_id, entry.task_id))
            entry = None
        if entry is None:
            plan.new_tasks.append(document)
            continue
        for annotator, kept in document.versions.items():
            if annotator in entry.versions:
                plan.existing_predictions += 1
            else:
                plan.new_predictions.append((document.doc_id, annotator, kept))
    return plan


def _check_results(label_config: str, plan: _Plan, payloads: _Payloads) -> None:
    def to_check() -> Iterator[tuple[str, list[Any]]]:
        for document in plan.new_tasks:
            for prediction in payloads.task(document)["predictions"]:
                yield f"doc {document.doc_id} ({prediction['model_version']})", prediction["result"]
        for doc_id, annotator, kept in plan.new_predictions:
            yield f"doc {doc_id} ({annotator})", payloads.prediction(kept)["result"]
    problems = label_config_problems(label_config, to_check())
    if problems:
        raise SchemaError("predictions that the labeling config rejects (nothing was sent):\n  " + "\n  ".join(problems))


def _delete_changed(resume: _Resume, changed: Sequence[tuple[str, int]], *, force: bool, where: str,
                    warnings: list[str]) -> None:
    """Refuse records whose text differs from their task's, or with `force` delete those tasks (with their
    predictions and annotations, whose offsets belong to the old text) so that they are created anew."""
    listed = ", ".join(f"{doc_id} (task {task_id})" for doc_id, task_id in changed)
    if not force:
        raise RecordError(where, None, "text", f"differs from the text that project {resume.project.title!r} holds "
                          f"under the same doc_id for {len(changed)} document(s): {listed}; nothing was sent",
                          "Give a changed article its own doc_id (`annotate ingest` derives it from the text) and "
                          "push again, or pass --force to replace those tasks: they are deleted with their "
                          "predictions and annotations and created again with the new text")
    for doc_id, task_id in changed:
        resume.client.delete_task(task_id)
        del resume.index.tasks[doc_id]
        warnings.append(f"doc_id {doc_id}: the text changed, so task {task_id} was deleted with its predictions "
                        "and annotations, and is created again with the new text (--force)")
    resume.expected = resume.client.fingerprint(resume.project.id)
    resume.save()


@dataclass
class _Progress:
    total: int
    report: Progress | None
    done: int = 0

    def __post_init__(self) -> None:
        self.advance(0)

    def advance(self, count: int) -> None:
        self.done += count
        if self.report:
            self.report(self.done, self.total)


def _send_tasks(resume: _Resume, new_tasks: list[_Document], payloads: _Payloads, chunk_size: int,
                warnings: list[str], sent: _Progress) -> tuple[int, int]:
    """Import the new tasks chunk by chunk, saving the index after each; returns tasks and predictions created."""
    tasks_created = predictions_created = 0
    for start in range(0, len(new_tasks), chunk_size):
        chunk = [(document.doc_id, payloads.task(document)) for document in new_tasks[start:start + chunk_size]]
        created = _import_chunk(resume.client, resume.project.id, chunk, resume.index, warnings)
        if created:
            resume.tasks_added(created)
            tasks_created += len(created)
            predictions_created += sum(len(resume.index.tasks[doc_id].versions) for doc_id, _, _ in created)
        sent.advance(len(chunk))
        del chunk, created  # before the next chunk is built: never two chunks of payloads in memory at once
    return tasks_created, predictions_created


def _send_predictions(resume: _Resume, new_predictions: list[tuple[str, str, Any]], payloads: _Payloads,
                      chunk_size: int, warnings: list[str], sent: _Progress) -> int:
    """Add predictions to existing tasks chunk by chunk, saving the index after each; returns how many were added."""
    client, project_id, created = resume.client, resume.project.id, 0
    for start in range(0, len(new_predictions), chunk_size):
        chunk = [(doc_id, annotator, payloads.prediction(kept))
                 for doc_id, annotator, kept in new_predictions[start:start + chunk_size]]
        payload = [{**prediction, "task": resume.index.tasks[doc_id].task_id} for doc_id, _, prediction in chunk]
        try:
            client.import_predictions(project_id, payload)
        except AmbiguousWriteError:
            # Unknown outcome: re-list and add only what is still missing.
            resume.index, _ = _list_index(client, project_id, warnings)
            tasks = resume.index.tasks
            payload = [{**prediction, "task": tasks[doc_id].task_id} for doc_id, annotator, prediction in chunk
                       if doc_id in tasks and annotator not in tasks[doc_id].versions]
            if payload:
                client.import_predictions(project_id, payload)
            resume.expected = client.fingerprint(project_id)
        else:
            resume.expected = replace(resume.expected, predictions=resume.expected.predictions + len(payload))
        for doc_id, annotator, _ in chunk:
            if doc_id in resume.index.tasks:
                resume.index.tasks[doc_id].versions.add(annotator)
        created += len(payload)
        resume.save()
        sent.advance(len(chunk))
        del chunk, payload  # as in _send_tasks: one chunk of payloads in memory at a time
    return created


def _import_chunk(client: LabelStudioClient, project_id: int, chunk: list[tuple[str, dict[str, Any]]],
                  index: _Index, warnings: list[str]) -> list[tuple[str, int, dict[str, Any]]]:
    """Import one chunk; when the outcome is unknown, re-list and send only the documents still missing."""
    pending = chunk
    landed: list[tuple[str, int, dict[str, Any]]] = []
    for attempt in range(client.retries + 1):
        try:
            ids = client.import_tasks(project_id, [task for _, task in pending])
            return landed + [(doc_id, task_id, task) for (doc_id, task), task_id in zip(pending, ids)]
        except AmbiguousWriteError:
            if attempt == client.retries:
                raise
            client.pause(attempt)
            listed, _ = _list_index(client, project_id, warnings)
            arrived = [(doc_id, listed.tasks[doc_id].task_id, task) for doc_id, task in pending
                       if doc_id in listed.tasks]
            for doc_id, task_id, task in arrived:
                index.add(doc_id, task_id, task)
            landed += arrived
            pending = [(doc_id, task) for doc_id, task in pending if doc_id not in listed.tasks]
            if not pending:
                return landed
    return landed


# ---------------------------------------------------------------------------------------------------------
# pull


def _pull_setup(client: LabelStudioClient, project: str, include_predictions: bool, reviewed_only: bool,
                annotator_names: Mapping[str, str] | None) -> tuple[Project, ExportTally, dict[int | str, str]]:
    found = client.find_project(project)
    if found is None:
        raise ServerError(f"Label Studio at {client.url} has no project titled {project!r}; "
                          "check the name, or push to it first")
    configured = dict(annotator_names or {})
    names: dict[int | str, str] = {}
    for user_id, email in client.user_emails().items():
        names[user_id] = configured.get(email) or configured.get(str(user_id)) or email
    return found, ExportTally(include_predictions=include_predictions, reviewed_only=reviewed_only), names


def _check_strict(strict: bool, tally: ExportTally, project: str) -> None:
    if strict and tally.dropped:
        raise RecordError(f"project {project!r}", None, None,
                          f"{len(tally.dropped)} region(s) could not be placed (their text occurs nowhere "
                          "in the document); nothing was written (--strict): " + "; ".join(tally.dropped),
                          "Fix or delete those regions in Label Studio, or pull without --strict")


def pull(*, project: str, client: LabelStudioClient, include_predictions: bool = False, reviewed_only: bool = False,
         annotator_names: Mapping[str, str] | None = None, strict: bool = False,
         relation_by_ends: Mapping[tuple[str, str], str] | None = None) -> tuple[list[AnnotatedDoc], PullSummary]:
    """Every submitted annotation of the project as a record (annotator = the user's email, or the name that
    `annotator_names` gives for that email or user id). With `strict`, a region whose text occurs nowhere in
    its document is an error, so that nothing is written rather than a record that lost a region. The records
    are returned as a list; `pull_to_file` writes them with memory flat in the project's size."""
    found, tally, names = _pull_setup(client, project, include_predictions, reviewed_only, annotator_names)
    pairs = [pair for task in client.export_tasks(found.id, include_predictions=include_predictions)
             for pair in task_records(task, tally, names, relation_by_ends)]
    _check_strict(strict, tally, project)
    pairs.sort(key=lambda pair: pair[0])
    return [doc for _, doc in pairs], tally.summary()


def pull_to_file(output: str | os.PathLike[str], *, project: str, client: LabelStudioClient,
                 include_predictions: bool = False, reviewed_only: bool = False,
                 annotator_names: Mapping[str, str] | None = None, strict: bool = False,
                 relation_by_ends: Mapping[tuple[str, str], str] | None = None) -> tuple[int, PullSummary]:
    """`pull` into a JSONL file (atomically; the same bytes as write_docs of pull's list), streaming.

    Each task is converted as the export downloads and its records go, as their final JSONL lines, to an
    anonymous spill file beside the output; only their sort keys and offsets stay in memory (some 100 bytes a
    record). The output is then written in pull order from the spill file. Returns the record count."""
    found, tally, names = _pull_setup(client, project, include_predictions, reviewed_only, annotator_names)
    output = Path(output)
    places: list[tuple[tuple[int, int, int], int, int]] = []  # (pull order, offset, length) in the spill file
    check_writable(output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        spill_file = tempfile.TemporaryFile(dir=output.parent)
    except OSError as error:
        raise os_error(output, error) from error
    with spill_file as spill:
        for task in client.export_tasks(found.id, include_predictions=include_predictions):
            for key, doc in task_records(task, tally, names, relation_by_ends):
                line = (dumps(check_doc(doc, f"{output} (record {len(places) + 1})").to_dict()) + "\n").encode()
                places.append((key, spill.tell(), len(line)))
                spill.write(line)
        _check_strict(strict, tally, project)
        places.sort(key=lambda place: place[0])
        with atomic_open(output, binary=True) as handle:
            for _, offset, length in places:
                spill.seek(offset)
                handle.write(spill.read(length))
    return len(places), tally.summary()


def load_annotator_names(path: str | os.PathLike[str]) -> dict[str, str]:
    """A JSON object mapping Label Studio emails (or user ids) to the annotator names to use."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise RecordError(str(path), None, None, f"cannot be read as JSON ({error})",
                          'Write an object like {"alice@example.org": "alice"}') from error
    if not isinstance(raw, dict) or not all(isinstance(v, str) and v.strip() for v in raw.values()):
        raise RecordError(str(path), None, None, "must be a JSON object of email (or user id) -> non-empty name",
                          'Write an object like {"alice@example.org": "alice"}')
    return {str(key): value for key, value in raw.items()}


__all__ = ["PushSummary", "push", "pull", "pull_to_file", "ensure_project", "group_documents", "load_annotator_names", "cache_dir"]
