"""The one module that talks to Label Studio through label_studio_sdk.

Everything network-shaped is here: finding the server and its key, bounded retries with backoff, and turning
SDK and httpx errors into ServerError messages that say what to do (a 401 names the API-key variable; a
refused connection names the URL and `annotate server start`). The key is never put into a message or a log.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

with warnings.catch_warnings():  # google.api_core, pulled in by the SDK, warns about Python versions on import
    warnings.simplefilter("ignore", FutureWarning)
    from label_studio_sdk import LabelStudio
    from label_studio_sdk.core.api_error import ApiError
    from label_studio_sdk.label_interface import LabelInterface

from ..errors import ServerError
from ..schema import TEXT_NAME
from . import server
from .json_stream import JSONStreamError, iter_json_array

URL_ENV = "LABEL_STUDIO_URL"
KEY_ENV = "LABEL_STUDIO_API_KEY"
CREDENTIALS_ENV = "ANNOTATE_LS_CREDENTIALS"
DEFAULT_TIMEOUT = 300.0  # a full export of a large project is one long request
# Without a job queue, Label Studio writes an export snapshot inside the request that creates it: allow for the
# project's size (a whole pull of 5,000 news-length tasks took 16-25 ms a task here; this leaves room).
EXPORT_SECONDS_PER_TASK = 0.05

T = TypeVar("T")


@dataclass(frozen=True)
class Connection:
    """Where Label Studio is, its key (hidden from repr), and where the key came from, for error messages."""

    url: str
    api_key: str = field(repr=False)
    key_source: str = KEY_ENV


def _checked_url(url: str, where: str) -> str:
    """The URL as given, or an error that names where it came from: httpx would fail later with a traceback."""
    if url and not url.startswith(("http://", "https://")):
        raise ServerError(f"{where} is {url!r}, which is not an http(s) URL; write it with its scheme, "
                          f"e.g. http://{url.split('://')[-1]}")
    return url


def resolve_connection(credentials: str | os.PathLike[str] | None = None,
                       environ: Mapping[str, str] | None = None) -> Connection:
    """LABEL_STUDIO_URL + LABEL_STUDIO_API_KEY if the key is set; otherwise the credentials file that
    `annotate server start` wrote: --credentials, else $ANNOTATE_LS_CREDENTIALS, else the default data dir's.

    The file's token is only ever sent to the file's own URL, so a local token cannot leak to another server.
    """
    env = os.environ if environ is None else environ
    key = env.get(KEY_ENV, "").strip()
    url = _checked_url(env.get(URL_ENV, "").strip().rstrip("/"), URL_ENV)
    if key and not credentials:
        if not url:
            raise ServerError(f"{KEY_ENV} is set but {URL_ENV} is not; export {URL_ENV}=http://HOST:PORT")
        return Connection(url=url, api_key=key, key_source=KEY_ENV)
    path = Path(credentials or env.get(CREDENTIALS_ENV) or server.credentials_path())
    if url and not credentials:
        found = server.load_credentials(path) if path.exists() else None
        if found is None or found.url.rstrip("/") != url:
            raise ServerError(f"{URL_ENV} is set but {KEY_ENV} is not; export {KEY_ENV}=<your Label Studio "
                              "access token>, or unset it to use the local server's credentials")
    found = server.load_credentials(path)
    return Connection(url=found.url.rstrip("/"), api_key=found.token, key_source=f"the token in {path}")


class AmbiguousWriteError(ServerError):
    """A write whose outcome is unknown (timeout, dropped connection, 5xx): the caller must re-check, not resend."""


@dataclass(frozen=True)
class Project:
    id: int
    title: str
    label_config: str
    created_at: str = ""


@dataclass(frozen=True)
class Fingerprint:
    """Cheap facts that change whenever tasks or predictions are added or removed (ids are never reused)."""

    tasks: int
    predictions: int
    max_task_id: int

    def to_list(self) -> list[int]:
        return [self.tasks, self.predictions, self.max_task_id]


@dataclass(frozen=True)
class TaskKey:
    """What push needs to know of a task: its id, the doc_id and text it holds, and whether people worked on it."""

    id: int
    doc_id: str | None
    text: str | None
    annotations: int  # submitted and cancelled ones


class LabelStudioClient:
    def __init__(self, connection: Connection, *, timeout: float = DEFAULT_TIMEOUT, retries: int = 3,
                 backoff: float = 0.5, sleep: Callable[[float], None] = time.sleep) -> None:
        self.connection = connection
        self.url = connection.url
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        # Retries are ours (below), so that a write is never resent blindly.
        self._sdk = LabelStudio(base_url=connection.url, api_key=connection.api_key, timeout=timeout, max_retries=0)

    @classmethod
    def from_environment(cls, credentials: str | os.PathLike[str] | None = None, **kwargs: Any) -> LabelStudioClient:
        return cls(resolve_connection(credentials), **kwargs)

    # -----------------------------------------------------------------------------------------------------
    # Calls with retries and clear errors

    def pause(self, attempt: int) -> None:
        """The backoff before retry number `attempt + 1`: backoff, 2 x backoff, 4 x backoff, ..."""
        self._sleep(self.backoff * 2 ** attempt)

    def _call(self, what: str, call: Callable[[], T], *, idempotent: bool = True) -> T:
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self.pause(attempt - 1)
            try:
                return call()
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:  # nothing was sent: always safe to retry
                last = error
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as error:
                if not idempotent:
                    raise AmbiguousWriteError(f"{what}: the connection to {self.url} failed mid-request "
                                              f"({type(error).__name__}); the server may or may not have applied it") from error
                last = error
            except ApiError as error:
                status = error.status_code or 0
                if status in (401, 403):
                    raise ServerError(
                        f"Label Studio at {self.url} refused the API key (HTTP {status}) while trying to {what}; "
                        f"check {KEY_ENV} (in use: {self.connection.key_source}). For a local server, "
                        f"`annotate server status` shows where its credentials are") from None
                if status >= 500 or status == 429:
                    if not idempotent:
                        raise AmbiguousWriteError(f"{what}: Label Studio at {self.url} answered HTTP {status}") from None
                    last = error
                    continue
                raise ServerError(f"Label Studio at {self.url} rejected the request to {what} "
                                  f"(HTTP {status}): {_excerpt(error.body)}") from None
        if isinstance(last, (httpx.ConnectError, httpx.ConnectTimeout)):
            raise ServerError(f"cannot connect to Label Studio at {self.url} ({_reason(last)}) after "
                              f"{self.retries + 1} attempts; start a local one with `annotate server start`, "
                              f"or set {URL_ENV} to your server's address") from None
        if isinstance(last, ApiError):
            raise ServerError(f"Label Studio at {self.url} kept failing to {what} (HTTP {last.status_code}) after "
                              f"{self.retries + 1} attempts: {_excerpt(last.body)}") from None
        raise ServerError(f"Label Studio at {self.url} did not answer the request to {what} after "
                          f"{self.retries + 1} attempts ({type(last).__name__})") from None

    # -----------------------------------------------------------------------------------------------------
    # Users and projects

    def whoami(self) -> dict[str, Any]:
        user = self._call("identify the API key's user", self._sdk.users.whoami)
        return {"id": user.id, "email": user.email, "username": user.username}

    def user_emails(self) -> dict[int, str]:
        users = self._call("list users", self._sdk.users.list)
        return {int(user.id): str(user.email or user.username or f"ls-user-{user.id}") for user in users}

    def create_user(self, email: str, username: str | None = None) -> int:
        user = self._call(f"create user {email}", lambda: self._sdk.users.create(
            email=email, username=username or email.split("@")[0]), idempotent=False)
        return int(user.id)

    def find_project(self, title: str) -> Project | None:
        """The project with exactly this title (the server's filter is a substring match)."""
        candidates = self._call(f"look up project {title!r}", lambda: list(self._sdk.projects.list(
            title=title, include="id,title,label_config,created_at")))
        exact = sorted((p for p in candidates if p.title == title), key=lambda p: p.id)
        if len(exact) > 1:
            raise ServerError(f"{len(exact)} Label Studio projects are titled {title!r} (ids "
                              f"{', '.join(str(p.id) for p in exact)}); rename or delete all but one")
        if not exact:
            return None
        found = exact[0]
        return Project(id=int(found.id), title=str(found.title), label_config=str(found.label_config or ""),
                       created_at=_iso(found.created_at) or "")

    def find_projects(self, title_part: str) -> list[Project]:
        """Every project whose title contains `title_part`, oldest first."""
        found = self._call(f"look up projects titled {title_part!r}…", lambda: list(self._sdk.projects.list(
            title=title_part, include="id,title,label_config,created_at")))
        return [Project(id=int(p.id), title=str(p.title), label_config=str(p.label_config or ""),
                        created_at=_iso(p.created_at) or "") for p in sorted(found, key=lambda p: p.id)
                if title_part in str(p.title)]

    def get_project(self, project_id: int) -> Project:
        found = self._call(f"read project {project_id}", lambda: self._sdk.projects.get(id=project_id))
        return Project(id=int(found.id), title=str(found.title), label_config=str(found.label_config or ""),
                       created_at=_iso(found.created_at) or "")

    def create_project(self, title: str, label_config: str) -> Project:
        created = self._call(f"create project {title!r}",
                             lambda: self._sdk.projects.create(title=title, label_config=label_config),
                             idempotent=False)
        return Project(id=int(created.id), title=title, label_config=str(created.label_config or label_config),
                       created_at=_iso(created.created_at) or "")

    def set_label_config(self, project_id: int, label_config: str) -> None:
        self._call(f"update the labeling config of project {project_id}",
                   lambda: self._sdk.projects.update(id=project_id, label_config=label_config))

    # -----------------------------------------------------------------------------------------------------
    # Tasks and predictions

    def fingerprint(self, project_id: int) -> Fingerprint:
        """Task count, prediction count and newest task id, from one cheap request (one task's page)."""
        pager = self._call(f"count the tasks of project {project_id}", lambda: self._sdk.tasks.list(
            project=project_id, page_size=1, include="id", query=json.dumps({"ordering": ["-tasks:id"]})))
        response = pager.response
        newest = pager.items[0].id if pager.items else 0
        return Fingerprint(tasks=int(response.total or 0), predictions=int(response.total_predictions or 0),
                           max_task_id=int(newest or 0))

    def task_keys(self, project_id: int, page_size: int = 1000) -> list[TaskKey]:
        """Every task's id, data.doc_id, data.text and number of annotations (incl. cancelled ones), oldest first."""
        def fetch() -> list[TaskKey]:
            pager = self._sdk.tasks.list(project=project_id, page_size=page_size,
                                         include="id,data,total_annotations,cancelled_annotations")
            keys = [TaskKey(int(task.id), (task.data or {}).get("doc_id"), (task.data or {}).get(TEXT_NAME),
                            int(task.total_annotations or 0) + int(task.cancelled_annotations or 0)) for task in pager]
            return sorted(keys, key=lambda key: key.id)
        return self._call(f"list the tasks of project {project_id}", fetch)

    def task_doc_ids(self, project_id: int, page_size: int = 1000) -> list[tuple[int, str | None, int]]:
        """(task id, data.doc_id, number of annotations incl. cancelled ones) for every task, oldest first."""
        return [(key.id, key.doc_id, key.annotations) for key in self.task_keys(project_id, page_size)]

    def predictions(self, project_id: int) -> list[dict[str, Any]]:
        found = self._call(f"list the predictions of project {project_id}",
                           lambda: self._sdk.predictions.list(project=project_id))
        return [{"id": int(p.id), "task": int(p.task), "model_version": p.model_version, "score": p.score,
                 "result": p.result, "created_at": _iso(p.created_at), "updated_at": _iso(p.updated_at)}
                for p in found]

    def import_tasks(self, project_id: int, tasks: Sequence[Mapping[str, Any]]) -> list[int]:
        """Create tasks (with their predictions) in one request; returns their ids in request order."""
        response = self._call(f"import {len(tasks)} tasks into project {project_id}",
                              lambda: self._sdk.projects.import_tasks(id=project_id, request=list(tasks),
                                                                      return_task_ids=True),
                              idempotent=False)
        ids = [int(task_id) for task_id in (response.task_ids or [])]
        if len(ids) != len(tasks):
            raise ServerError(f"Label Studio reported {len(ids)} task ids for {len(tasks)} imported tasks in project "
                              f"{project_id}; run the push again to reconcile")
        return ids

    def import_predictions(self, project_id: int, predictions: Sequence[Mapping[str, Any]]) -> int:
        """Add predictions to existing tasks; each item has task, model_version, score, result."""
        self._call(f"import {len(predictions)} predictions into project {project_id}",
                   lambda: self._sdk.projects.import_predictions(id=project_id, request=list(predictions)),
                   idempotent=False)
        return len(predictions)

    def delete_task(self, task_id: int) -> None:
        self._call(f"delete task {task_id}", lambda: self._sdk.tasks.delete(id=str(task_id)))

    def create_annotation(self, task_id: int, result: Sequence[Mapping[str, Any]], *, completed_by: int | None = None,
                          ground_truth: bool | None = None, was_cancelled: bool | None = None,
                          lead_time: float | None = None) -> int:
        options = {key: value for key, value in {"completed_by": completed_by, "ground_truth": ground_truth,
                                                 "was_cancelled": was_cancelled, "lead_time": lead_time}.items()
                   if value is not None}
        created = self._call(f"annotate task {task_id}", lambda: self._sdk.annotations.create(
            id=task_id, result=list(result), **options), idempotent=False)
        return int(created.id)

    def export(self, project_id: int, *, all_tasks: bool = True) -> list[dict[str, Any]]:
        """The full JSON export (annotations with completed_by, ground_truth, lead_time; drafts) of every task,
        or with all_tasks=False of the annotated ones only."""
        def fetch() -> list[dict[str, Any]]:
            chunks = self._sdk.projects.exports.download_sync(project_id, export_type="JSON",
                                                              download_all_tasks=all_tasks)
            return json.loads(b"".join(chunks))
        return self._call(f"export project {project_id}", fetch)

    def export_tasks(self, project_id: int, *, include_predictions: bool = False,
                     poll: float = 0.5, timeout: float | None = None) -> Iterator[dict[str, Any]]:
        """Every task of the project (annotations with completed_by ids, ground_truth, lead_time; drafts and,
        unless `include_predictions`, predictions as ids), one at a time as the export downloads.

        It goes through an export snapshot: Label Studio writes the export to a file batch by batch (its memory
        stays flat too), and the download streams; the snapshot is deleted afterwards. `timeout` bounds the
        wait for the snapshot; by default it grows with the project's task count.
        """
        exports = self._sdk.projects.exports
        if timeout is None:
            timeout = DEFAULT_TIMEOUT + EXPORT_SECONDS_PER_TASK * self.fingerprint(project_id).tasks
        options = {"drafts": {"only_id": True}, "predictions": {"only_id": not include_predictions},
                   "annotations__completed_by": {"only_id": True}}
        snapshot = self._call(f"create an export snapshot of project {project_id}", lambda: exports.create(
            id=project_id, title="annotate pull", serialization_options=options,
            request_options={"timeout": timeout}), idempotent=False)
        try:
            deadline = time.monotonic() + timeout
            status = str(snapshot.status or "")
            while status != "completed":
                if status == "failed":
                    raise ServerError(f"Label Studio at {self.url} failed to write the export of project "
                                      f"{project_id}; see its server log")
                if time.monotonic() > deadline:
                    raise ServerError(f"the export of project {project_id} at {self.url} was not ready after "
                                      f"{timeout:.0f} s")
                self._sleep(poll)
                status = str(self._call(f"check the export of project {project_id}",
                                        lambda: exports.get(project_id, snapshot.id)).status or "")
            chunks = exports.download(project_id, snapshot.id, export_type="JSON",
                                      request_options={"chunk_size": 1 << 20})
            try:
                for task in iter_json_array(chunks, what=f"the export of project {project_id}"):
                    if not isinstance(task, dict):
                        raise ServerError(f"the export of project {project_id} holds a {type(task).__name__} "
                                          "where a task should be")
                    yield task
            except (httpx.HTTPError, ApiError, JSONStreamError) as error:
                raise ServerError(f"the export of project {project_id} from {self.url} broke off "
                                  f"({type(error).__name__}: {_excerpt(str(error))}); pull again") from None
        finally:
            try:
                exports.delete(project_id, snapshot.id)
            except (httpx.HTTPError, ApiError):
                pass  # a leftover snapshot file only takes disk space on the server

    # -----------------------------------------------------------------------------------------------------
    # Session support: annotator accounts with passwords, project descriptions

    def sign_up(self, email: str, password: str) -> int:
        """Create a user who can log in with `password`: Label Studio's own signup form, through the
        organisation's invite link (its user API cannot set passwords). Returns the new user's id."""
        invite = self._call("read the organisation's invite link",
                            self._sdk.organizations.invites.get_invite_link)
        link = str(invite.invite_url)
        with _web_session(self.url) as web:
            try:
                page = web.get(link)
                answer = web.post(link, data={"email": email, "password": password,
                                              "csrfmiddlewaretoken": web.cookies.get("csrftoken", "")},
                                  headers={"Referer": self.url + link})
                user = web.get("/api/current-user/whoami") if answer.status_code == 302 else None
            except httpx.HTTPError as error:
                raise ServerError(f"cannot sign up {email} at {self.url}: {type(error).__name__}") from None
        if page.status_code != 200 or user is None or user.status_code != 200:
            raise ServerError(f"Label Studio at {self.url} refused to sign up {email} through its invite link "
                              f"(HTTP {answer.status_code}): {_form_errors(answer.text)}")
        return int(user.json()["id"])

    def project_description(self, project_id: int) -> str:
        found = self._call(f"read project {project_id}", lambda: self._sdk.projects.get(id=project_id))
        return str(found.description or "")

    def set_project_description(self, project_id: int, description: str) -> None:
        self._call(f"update the description of project {project_id}",
                   lambda: self._sdk.projects.update(id=project_id, description=description))

    def close(self) -> None:
        try:
            self._sdk._client_wrapper.httpx_client.httpx_client.close()
        except AttributeError:
            pass


# ---------------------------------------------------------------------------------------------------------
# Logging in as a person (the web form), for annotators' own API tokens


def _web_session(url: str) -> httpx.Client:
    """A cookie session for Label Studio's HTML forms; loopback never goes through a proxy."""
    loopback = httpx.URL(url).host in ("127.0.0.1", "localhost", "::1")
    return httpx.Client(base_url=url, trust_env=not loopback, follow_redirects=False, timeout=60.0)


def _form_errors(page: str) -> str:
    """The error texts of a Django form page, or a short excerpt."""
    import re

    found = [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)</', page, re.S)]
    found = [item for item in found if item]
    return "; ".join(found[:3]) if found else _excerpt(page, 200)


def login_token(url: str, email: str, password: str) -> str:
    """A user's own API token, got by logging in with their password (what an annotator can do for themselves)."""
    with _web_session(url) as web:
        try:
            web.get("/user/login/")
            answer = web.post("/user/login/", data={"email": email, "password": password,
                                                    "csrfmiddlewaretoken": web.cookies.get("csrftoken", "")},
                              headers={"Referer": url.rstrip("/") + "/user/login/"})
            token = web.get("/api/current-user/token") if answer.status_code == 302 else None
        except httpx.HTTPError as error:
            raise ServerError(f"cannot log in to {url} as {email}: {type(error).__name__}") from None
    if token is None or token.status_code != 200:
        raise ServerError(f"Label Studio at {url} refused the login of {email}; check the password in the "
                          "session's credentials file")
    return str(token.json()["token"])


# ---------------------------------------------------------------------------------------------------------
# Validation with Label Studio's own interface model


def label_config_problems(label_config: str, results_by_where: Iterable[tuple[str, Sequence[Mapping[str, Any]]]],
                          limit: int = 20) -> list[str]:
    """Check result lists against the labeling config with the SDK's LabelInterface (controls, labels, choices,
    relation ends). Relation *labels* it does not check; callers check those against the schema."""
    interface = LabelInterface(label_config)
    problems: list[str] = []
    # LabelInterface costs ~0.1 ms per region, and a corpus repeats a few region shapes (control, type, label or
    # choice) thousands of times: validate each shape once, with its offsets and text replaced by placeholders.
    # A relation is checked in place (its ends must be regions of the same result list).
    verdicts: dict[str, list[str]] = {}
    for where, results in results_by_where:
        results = list(results)
        found: list[str] = []
        relations = [result for result in results if result.get("type") == "relation"]
        if relations:
            region_ids = {result.get("id") for result in results if result.get("type") != "relation"}
            found += [f"relation {r.get('from_id')}->{r.get('to_id')} points to a region this result list lacks"
                      for r in relations if r.get("from_id") not in region_ids or r.get("to_id") not in region_ids]
        for result in results:
            if result.get("type") == "relation":
                continue
            key = _shape_key(result)
            if key not in verdicts:
                shape = _region_shape(result)
                verdicts[key] = list(_flatten(interface.validate_prediction({"result": [shape]}, return_errors=True)))
            found += [error.replace("Region 0", f"Region {result.get('id')!r}") for error in verdicts[key]]
        for error in found:
            problems.append(f"{where}: {error}")
            if len(problems) >= limit:
                return problems
    return problems


def _shape_key(result: Mapping[str, Any]) -> tuple:
    value = result.get("value")
    rest = tuple(sorted((key, repr(item)) for key, item in result.items() if key not in ("id", "score", "value")))
    if not isinstance(value, Mapping):
        return rest, repr(value)
    judged = tuple(sorted((key, "" if key in ("start", "end") or (key == "text" and isinstance(item, str)) else repr(item))
                          for key, item in value.items()))
    return rest, judged


def _region_shape(result: Mapping[str, Any]) -> dict[str, Any]:
    """A region with what LabelInterface judges (control, target, type, value keys, labels/choices) and fixed
    placeholders for what it does not (id, offsets, covered text, score)."""
    shape = {key: value for key, value in result.items() if key not in ("id", "score")}
    value = result.get("value")
    if isinstance(value, Mapping):
        placeholders = {"start": 0, "end": 1, "text": "x"}
        shape["value"] = {key: placeholders.get(key, item) if not (key == "text" and isinstance(item, list)) else item
                          for key, item in value.items()}
    shape["id"] = "region"
    return shape


def _flatten(errors: Any) -> Iterable[str]:
    if isinstance(errors, (list, tuple)):
        for item in errors:
            yield from _flatten(item)
    elif errors:
        yield str(errors)


def _excerpt(body: Any, limit: int = 300) -> str:
    text = body if isinstance(body, str) else json.dumps(body, default=str)
    return text if len(text) <= limit else text[:limit] + "..."


def _reason(error: Exception) -> str:
    text = str(error)
    return "connection refused" if "refused" in text.lower() else (text or type(error).__name__)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("+00:00", "Z")
