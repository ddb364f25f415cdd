"""Annotation sessions on open-source Label Studio: one project per annotator, a designed overlap for blind
double annotation, progress and running agreement, and one merged pull.

The open-source server shows every task of a project to every user, and a task one user submits leaves the
queue for the others. So each annotator gets a project of their own, `NAME · EMAIL`, holding only the documents
the plan (session_plan.py) gives them, with the pre-annotations as predictions: the same overlap document sits in
K projects and nobody sees another's work on it. Accounts are made through the server's own signup form (its
user API cannot set passwords), with generated passwords kept in a 0600 file. The plan is saved as JSON beside
that file and in every session project's description, so another machine can read it from the server.
What the server does not prevent (any user can open any project whose URL they know, admins see everything) is
written down in docs/labelstudio.md.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..config import config_path, load_toml
from ..errors import ConfigError
from ..io import write_text_atomic
from ..records import AnnotatedDoc
from ..schema import Schema, load_schema, render_label_config, validate_docs
from .client import LabelStudioClient, Project
from .results import PullSummary, docs_from_export, relation_labels_by_ends
from .session_plan import SessionPlan, check_options, make_plan, plan_docs
from .sync import PushSummary, group_documents, pull, push

SESSION_DIR_ENV = "ANNOTATE_SESSION_DIR"
DEFAULT_SESSION_DIR = Path(".annotate") / "sessions"
PLAN_FILE = "plan.json"
PASSWORDS_FILE = "credentials.json"
PLAN_MARK = "annotate-session-plan: "
SEPARATOR = " · "
LAYER_ALIASES = ("attribution", "entities")
GUIDELINES_FILE = "guidelines.toml"


# ---------------------------------------------------------------------------------------------------------
# Names, files and the view


def project_title(name: str, email: str) -> str:
    return f"{name}{SEPARATOR}{email}"


def review_title(name: str) -> str:
    """The project an adjudicator works in (`annotate push --adjudicate FILE --session NAME`)."""
    return f"{name}{SEPARATOR}review"


def session_dir(name: str, base: str | os.PathLike[str] | None = None) -> Path:
    """--session-dir, else $ANNOTATE_SESSION_DIR, else .annotate/sessions; one folder per session name."""
    root = Path(base or os.environ.get(SESSION_DIR_ENV) or DEFAULT_SESSION_DIR).expanduser()
    return root / re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")


def check_name(name: str) -> None:
    if not name.strip() or SEPARATOR.strip() in name or not re.sub(r"[^A-Za-z0-9]", "", name):
        raise ConfigError(f"session name {name!r} must have letters or digits and no '{SEPARATOR.strip()}'; "
                          "for example news-2026-11")


def resolve_layers(schema: Schema, layers: Sequence[str]) -> tuple[str, ...]:
    """Layer names from --layers: `attribution` (the schema's first layer), `entities` (the others), or names."""
    chosen: list[str] = []
    for item in layers:
        if item == "attribution":
            names = [schema.layers[0].name]
        elif item == "entities":
            names = [layer.name for layer in schema.layers[1:]]
        elif item in {layer.name for layer in schema.layers}:
            names = [item]
        else:
            known = ", ".join([*LAYER_ALIASES, *(layer.name for layer in schema.layers)])
            raise ConfigError(f"--layers: unknown layer {item!r}; choose from {known}")
        chosen += [name for name in names if name not in chosen]
    if schema.layers[0].name not in chosen:
        raise ConfigError("--layers must include attribution: a session annotates claims and their attribution")
    return tuple(chosen)


def keep_layers(doc: AnnotatedDoc, schema: Schema, layers: Iterable[str]) -> AnnotatedDoc:
    """The record with only the spans of `layers`, and the relations between the spans that stay."""
    wanted = set(layers)
    spans = tuple(span for span in doc.spans if span.label in schema.labels and schema.layer_of(span.label) in wanted)
    kept = {span.id for span in spans}
    relations = tuple(r for r in doc.relations if r.from_id in kept and r.to_id in kept)
    return doc if len(spans) == len(doc.spans) and len(relations) == len(doc.relations) else doc.with_(
        spans=spans, relations=relations)


def short_guidelines(path: str | os.PathLike[str] | None = None) -> tuple[str, tuple[str, ...]]:
    """The title and lines of the guidelines' short version (configs/guidelines.toml)."""
    raw = load_toml(config_path(GUIDELINES_FILE, path), what="guidelines file", option="--guidelines")
    lines = raw.get("short")
    if not isinstance(lines, list) or not all(isinstance(line, str) and line.strip() for line in lines):
        raise ConfigError(f"{config_path(GUIDELINES_FILE, path)}: `short` must be a list of non-empty strings")
    return str(raw.get("title") or "Guidelines"), tuple(lines)


def session_view(schema: Schema, layers: Sequence[str]) -> str:
    """The labeling XML people work in: the chosen layers, the short guidelines above the text, hotkeys on the
    attribution labels, and links drawn without labels (pull infers a link's label from its ends)."""
    title, lines = short_guidelines()
    return render_label_config(schema, layers=layers, guidelines=lines, guidelines_title=title,
                               relation_labels=False, hotkeys=True, region_labels=True)


# ---------------------------------------------------------------------------------------------------------
# The plan: on disk, and in the projects' descriptions


def describe(plan: SessionPlan, email: str) -> str:
    mine = plan.docs_of(email)
    overlap = sum(doc_id in plan.overlap_docs for doc_id in mine)
    return (f"Annotation session {plan.name!r}: {email}'s tasks ({len(mine)} documents, {overlap} of them also "
            f"annotated blind by {plan.per_doc - 1} other(s)). Written by `annotate session create`; the line below "
            f"is the session plan.\n{PLAN_MARK}{json.dumps(plan.to_dict(), sort_keys=True, separators=(',', ':'))}")


def plan_from_description(description: str, where: str) -> SessionPlan | None:
    for line in description.splitlines():
        if line.startswith(PLAN_MARK):
            try:
                return SessionPlan.from_dict(json.loads(line[len(PLAN_MARK):]), where)
            except json.JSONDecodeError as error:
                raise ConfigError(f"{where}: the session plan in the description is not JSON ({error})") from error
    return None


def session_projects(client: LabelStudioClient, name: str) -> list[Project]:
    prefix = f"{name}{SEPARATOR}"
    return [project for project in client.find_projects(prefix) if project.title.startswith(prefix)]


def load_plan(name: str, client: LabelStudioClient, base: str | os.PathLike[str] | None = None) -> SessionPlan | None:
    """The saved plan: the local file, else the description of one of the session's projects on the server."""
    path = session_dir(name, base) / PLAN_FILE
    if path.exists():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise ConfigError(f"{path}: unreadable session plan ({error}); it is written by `annotate session "
                              "create`: restore it, or delete it to read the plan from the server") from error
        return SessionPlan.from_dict(raw, str(path))
    for project in session_projects(client, name):
        found = plan_from_description(client.project_description(project.id), f"project {project.title!r}")
        if found is not None:
            return found
    return None


def require_plan(name: str, client: LabelStudioClient, base: str | os.PathLike[str] | None = None) -> SessionPlan:
    plan = load_plan(name, client, base)
    if plan is None:
        raise ConfigError(f"no session named {name!r}: no {session_dir(name, base) / PLAN_FILE} and no project "
                          f"titled '{name}{SEPARATOR}…' at {client.url}; create it with `annotate session create`")
    return plan


def _save_passwords(path: Path, url: str, passwords: Mapping[str, str]) -> None:
    """Merge new passwords into the session's 0600 credentials file."""
    known: dict[str, str] = {}
    if path.exists():
        try:
            known = dict(json.loads(path.read_text(encoding="utf-8")).get("passwords", {}))
        except (OSError, json.JSONDecodeError, AttributeError) as error:
            raise ConfigError(f"{path}: unreadable session credentials ({error}); fix or move it") from error
    known.update(passwords)
    write_text_atomic(path, json.dumps({"url": url, "passwords": known}, indent=2, sort_keys=True) + "\n",
                      private=True)


# ---------------------------------------------------------------------------------------------------------
# session create


@dataclass(frozen=True)
class SessionCreateResult:
    plan: SessionPlan
    url: str
    plan_path: Path
    credentials_path: Path
    users_created: tuple[str, ...]
    pushes: Mapping[str, PushSummary]
    tasks_removed: int
    descriptions_updated: int
    passwords: Mapping[str, str] = field(default_factory=dict, repr=False)  # of the users created now
    warnings: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.users_created or self.tasks_removed or self.descriptions_updated or any(
            p.project_created or p.config_updated or p.tasks_created or p.predictions_created
            for p in self.pushes.values()))

    def to_dict(self) -> dict[str, Any]:
        plan = self.plan
        return {"session": plan.name, "url": self.url, "plan": str(self.plan_path),
                "credentials": str(self.credentials_path), "users_created": list(self.users_created),
                "documents": len(plan.documents), "overlap_documents": len(plan.overlap_docs),
                "tasks_removed": self.tasks_removed, "changed": self.changed,
                "annotators": {email: {"project": project_title(plan.name, email), "assigned": load,
                                       "project_id": self.pushes[email].project_id,
                                       "tasks_created": self.pushes[email].tasks_created}
                               for email, load in plan.loads().items()}}

    def summary_lines(self) -> list[str]:
        plan = self.plan
        lines = [f"Session {plan.name!r} at {self.url}: {len(plan.documents)} documents, {len(plan.overlap_docs)} of "
                 f"them annotated by {plan.per_doc} people each (blind), the rest by one."]
        for email, load in plan.loads().items():
            push_summary = self.pushes[email]
            lines.append(f"  {email}: {load} documents in project {project_title(plan.name, email)!r} "
                         f"(id {push_summary.project_id}); {push_summary.tasks_created} tasks created"
                         f"{' [new account]' if email in self.users_created else ''}")
        if self.tasks_removed:
            lines.append(f"  {self.tasks_removed} untouched tasks moved to the new annotator(s)")
        lines.append(f"Plan: {self.plan_path}. Passwords of the accounts this session created: "
                     f"{self.credentials_path} (mode 0600)." if self.users_created or self.credentials_path.exists()
                     else f"Plan: {self.plan_path}.")
        if not self.changed:
            lines.append("Nothing changed: the session was already as planned.")
        lines.extend(plan.notes)
        return lines


def create_session(name: str, records: Iterable[AnnotatedDoc], annotators: Sequence[str], *,
                   client: LabelStudioClient, per_doc: int = 2, overlap: float = 0.2, seed: int = 0,
                   order: str = "uncertain-first", layers: Sequence[str] = ("attribution",),
                   schema: Schema | None = None, base_dir: str | os.PathLike[str] | None = None,
                   where: str = "input") -> SessionCreateResult:
    """Create or extend a session: accounts, the plan, each annotator's project with their tasks and predictions.
    Idempotent: with the same input and annotators it changes nothing."""
    check_name(name)
    check_options(list(annotators), per_doc, overlap, order)
    schema = schema or load_schema()
    chosen_layers = resolve_layers(schema, layers)
    records = [keep_layers(doc, schema, chosen_layers) for doc in records]
    documents, _, warnings = group_documents(records, where)
    validate_docs(records, schema, where)
    client.whoami()  # a server that is down or a refused key fails here, before anything is planned

    folder = session_dir(name, base_dir)
    previous = load_plan(name, client, base_dir)
    by_doc = {document.doc_id: document for document in documents}
    pinned: set[str] = set()
    if previous is not None:
        pinned = {doc_id for doc_id in previous.documents if doc_id not in by_doc}
        if set(annotators) - set(previous.annotators):
            pinned |= _started_docs(client, previous)
    plan = make_plan(name, plan_docs(documents), annotators, per_doc=per_doc, overlap=overlap, seed=seed,
                     order=order, previous=previous, pinned=pinned)

    credentials_path = folder / PASSWORDS_FILE
    existing = {email.lower() for email in client.user_emails().values()}
    created: dict[str, str] = {}
    for email in plan.annotators:
        if email.lower() not in existing:
            password = secrets.token_urlsafe(15)
            client.sign_up(email, password)
            created[email] = password
            _save_passwords(credentials_path, client.url, {email: password})  # at once: a later failure keeps it

    label_config = session_view(schema, chosen_layers)
    pushes: dict[str, PushSummary] = {}
    removed = described = 0
    for email in plan.annotators:
        mine = [doc_id for doc_id in plan.docs_of(email) if doc_id in by_doc]
        batch = [doc for doc_id in mine for doc in (list(by_doc[doc_id].versions.values()) or [by_doc[doc_id].first])]
        title = project_title(name, email)
        summary = push(batch, project=title, client=client, schema=schema, label_config=label_config,
                       relation_labels=False, where=where)
        pushes[email] = summary
        warnings += list(summary.warnings)
        removed += _remove_moved(client, summary.project_id, set(plan.docs_of(email)))
        description = describe(plan, email)
        if client.project_description(summary.project_id) != description:
            client.set_project_description(summary.project_id, description)
            described += 1

    folder.mkdir(parents=True, exist_ok=True)
    plan_path = folder / PLAN_FILE
    write_text_atomic(plan_path, json.dumps(plan.to_dict(), indent=2, sort_keys=True) + "\n")
    return SessionCreateResult(plan=plan, url=client.url, plan_path=plan_path, credentials_path=credentials_path,
                               users_created=tuple(created), pushes=pushes, tasks_removed=removed,
                               descriptions_updated=described, passwords=created, warnings=tuple(warnings))


def _started_docs(client: LabelStudioClient, plan: SessionPlan) -> set[str]:
    """Documents somebody has started on in any of the session's projects: annotations, skips or drafts."""
    started: set[str] = set()
    for email in plan.annotators:
        project = client.find_project(project_title(plan.name, email))
        if project is None:
            continue
        for task in client.export(project.id):
            if task.get("annotations") or task.get("drafts"):
                started.add(str((task.get("data") or {}).get("doc_id")))
    return started


def _remove_moved(client: LabelStudioClient, project_id: int, assigned: set[str]) -> int:
    """Delete the tasks of documents the plan has moved elsewhere (only ever untouched ones)."""
    removed = 0
    for task in client.task_keys(project_id):
        if task.doc_id and task.doc_id not in assigned and not task.annotations:
            client.delete_task(task.id)
            removed += 1
    return removed


# ---------------------------------------------------------------------------------------------------------
# pull --session


def pull_session(name: str, *, client: LabelStudioClient, base_dir: str | os.PathLike[str] | None = None,
                 schema: Schema | None = None, **options: Any) -> tuple[list[AnnotatedDoc], PullSummary]:
    """Every session project's submitted annotations, merged: one record per (document, annotator), the records
    `pull --project` writes (links drawn without a label get theirs from their ends)."""
    plan = require_plan(name, client, base_dir)
    ends = relation_labels_by_ends(schema or load_schema())
    names = options.get("annotator_names") or {}
    docs: list[AnnotatedDoc] = []
    summaries: list[PullSummary] = []
    for email in plan.annotators:
        title = project_title(name, email)
        found, summary = pull(project=title, client=client, relation_by_ends=ends, **options)
        # Any user can annotate in any project on the open-source server; a project's records are its annotator's.
        owner = names.get(email, email)
        strangers = sorted({doc.annotator or "" for doc in found if doc.annotator != owner and not _is_model(doc)})
        if strangers:
            summary = replace(summary, problems=(*summary.problems, f"project {title!r}: annotations by "
                              f"{', '.join(strangers)} left out; only {owner}'s work in this project is pulled"))
        seen = {(doc.doc_id, doc.annotator) for doc in docs}
        # An overlap document's predictions are in each of its projects: keep them once.
        docs += [doc for doc in found if doc.annotator == owner or (_is_model(doc) and (doc.doc_id, doc.annotator) not in seen)]
        summaries.append(summary)
    return _in_plan_order(docs, plan), merge_summaries(summaries)


def _is_model(doc: AnnotatedDoc) -> bool:
    """A prediction record (--include-predictions), named by its model_version."""
    return "ls_prediction_id" in doc.meta


def _in_plan_order(docs: list[AnnotatedDoc], plan: SessionPlan) -> list[AnnotatedDoc]:
    position = {doc_id: index for index, doc_id in enumerate(plan.documents)}
    return sorted(docs, key=lambda doc: (position.get(doc.doc_id, len(position)), doc.annotator or ""))


def merge_summaries(summaries: Sequence[PullSummary]) -> PullSummary:
    counts = {key: sum(getattr(s, key) for s in summaries)
              for key in ("tasks", "annotations", "predictions", "drafts", "cancelled", "not_ground_truth")}
    first = summaries[0] if summaries else PullSummary(0, 0, 0, 0, 0, 0)
    return PullSummary(**counts, reanchored=tuple(x for s in summaries for x in s.reanchored),
                       dropped_regions=tuple(x for s in summaries for x in s.dropped_regions),
                       problems=tuple(x for s in summaries for x in s.problems),
                       include_predictions=first.include_predictions, reviewed_only=first.reviewed_only,
                       annotators=tuple(sorted({a for s in summaries for a in s.annotators})))


# ---------------------------------------------------------------------------------------------------------
# session status


@dataclass(frozen=True)
class AnnotatorProgress:
    email: str
    project_id: int | None
    assigned: int
    submitted: int
    skipped: int
    drafts: int
    median_lead_time_s: float | None
    last_activity: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"project_id": self.project_id, "assigned": self.assigned, "submitted": self.submitted,
                "skipped": self.skipped, "drafts": self.drafts,
                "median_lead_time_s": None if self.median_lead_time_s is None else round(self.median_lead_time_s, 3),
                "last_activity": self.last_activity}


@dataclass(frozen=True)
class SessionStatus:
    name: str
    url: str
    annotators: tuple[AnnotatorProgress, ...]
    overlap_documents: int
    overlap_complete: int
    spans_f1: Any  # agreement.report.Coefficient
    token_alpha: Any
    bootstrap: int
    seed: int
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"session": self.name, "url": self.url,
                "annotators": {a.email: a.to_dict() for a in self.annotators},
                "overlap": {"documents": self.overlap_documents, "complete": self.overlap_complete,
                            "spans_f1": self.spans_f1.to_dict(), "token_alpha": self.token_alpha.to_dict(),
                            "bootstrap": {"resamples": self.bootstrap, "seed": self.seed}},
                "notes": list(self.notes)}

    def summary_lines(self) -> list[str]:
        lines = [f"Session {self.name!r} at {self.url}"]
        for a in self.annotators:
            lead = "—" if a.median_lead_time_s is None else f"{a.median_lead_time_s:.0f} s"
            lines.append(f"  {a.email}: {a.submitted}/{a.assigned} submitted, {a.skipped} skipped, {a.drafts} "
                         f"drafts; median time per task {lead}; last activity {a.last_activity or 'none'}")
        lines.append(f"Overlap: {self.overlap_complete} of {self.overlap_documents} documents done by all their "
                     f"annotators; span F1 (exact) {self.spans_f1}; token alpha {self.token_alpha} (95% CIs)")
        return [*lines, *self.notes]


def session_status(name: str, *, client: LabelStudioClient, base_dir: str | os.PathLike[str] | None = None,
                   schema: Schema | None = None, bootstrap: int = 1000, seed: int = 0) -> SessionStatus:
    """Per annotator: assigned, submitted, skipped, drafts, median lead time, last activity; and the running
    agreement on the finished overlap documents, computed as `annotate agree` computes it."""
    from ..agreement import compute
    from ..agreement.collect import AgreementError
    from ..agreement.report import UNDEFINED

    schema = schema or load_schema()
    plan = require_plan(name, client, base_dir)
    users = client.user_emails()
    ids = {email.lower(): user_id for user_id, email in users.items()}
    ends = relation_labels_by_ends(schema)
    progress: list[AnnotatorProgress] = []
    records: list[AnnotatedDoc] = []
    notes: list[str] = []
    for email in plan.annotators:
        project = client.find_project(project_title(name, email))
        if project is None:
            notes.append(f"{email}: project {project_title(name, email)!r} is missing; run `annotate session create`")
            progress.append(AnnotatorProgress(email, None, len(plan.docs_of(email)), 0, 0, 0, None, None))
            continue
        tasks = client.export(project.id)
        progress.append(_progress(email, project.id, len(plan.docs_of(email)), tasks, ids.get(email.lower())))
        found, _ = docs_from_export(tasks, annotator_names=users, relation_by_ends=ends)
        records += [doc for doc in found if doc.annotator == email]

    done = {(doc.doc_id, doc.annotator) for doc in records}
    complete = sorted(doc_id for doc_id in plan.overlap_docs
                      if all((doc_id, email) in done for email in plan.assignments[doc_id]))
    compared = [doc for doc in records if doc.doc_id in set(complete) and doc.annotator in plan.assignments[doc.doc_id]]
    spans_f1 = token_alpha = UNDEFINED
    if compared:
        try:
            report = compute(compared, bootstrap=bootstrap, seed=seed, schema=schema, source=f"session {name!r}")
        except AgreementError as error:
            notes.append(f"agreement: {error}")
        else:
            spans_f1 = report.spans.exact.micro.f1 if report.spans else UNDEFINED
            token_alpha = report.tokens.overall.alpha if report.tokens else UNDEFINED
    else:
        notes.append("agreement: no overlap document has been submitted by all its annotators yet")
    return SessionStatus(name=name, url=client.url, annotators=tuple(progress), overlap_documents=len(plan.overlap_docs),
                         overlap_complete=len(complete), spans_f1=spans_f1, token_alpha=token_alpha,
                         bootstrap=bootstrap, seed=seed, notes=tuple(notes))


def _user_of(value: Any) -> Any:
    return value.get("id") if isinstance(value, Mapping) else value


def _progress(email: str, project_id: int, assigned: int, tasks: Sequence[Mapping[str, Any]],
              user_id: int | None) -> AnnotatorProgress:
    """Counts from a project's full export; only the annotator's own annotations and drafts count."""
    submitted = skipped = drafts = 0
    lead_times: list[float] = []
    stamps: list[str] = []
    for task in tasks:
        mine = [a for a in task.get("annotations") or [] if _user_of(a.get("completed_by")) == user_id]
        done = [a for a in mine if not a.get("was_cancelled")]
        submitted += bool(done)
        skipped += bool(mine) and not done
        lead_times += [float(a["lead_time"]) for a in done if isinstance(a.get("lead_time"), (int, float))]
        own_drafts = [d for d in task.get("drafts") or [] if _user_of(d.get("user")) in (user_id, email)]
        drafts += bool(own_drafts) and not done
        stamps += [str(item.get("updated_at") or item.get("created_at")) for item in (*mine, *own_drafts)
                   if item.get("updated_at") or item.get("created_at")]
    return AnnotatorProgress(email, project_id, assigned, submitted, skipped, drafts,
                             statistics.median(lead_times) if lead_times else None, max(stamps) if stamps else None)


__all__ = ["create_session", "session_status", "pull_session", "project_title", "review_title", "session_dir",
           "session_view", "resolve_layers", "keep_layers", "short_guidelines", "load_plan", "SessionStatus",
           "SessionCreateResult"]
