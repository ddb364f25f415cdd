"""push and pull against the session's real Label Studio (annotate/labelstudio/sync.py, client.py, the CLI).

Round trip (CRLF text, emoji before spans, attributes, relations, two real LS users), idempotency and
resumability (a re-push, a newer model version, a stale local index, a duplicate task, a push SIGKILLed
part-way through 2,000 documents), schema changes that would orphan annotations, validation before sending,
drafts / cancelled / ground truth on pull, offset re-anchoring, adjudication tasks, and the two error messages.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from annotate.errors import SchemaError, ServerError
from annotate.labelstudio.client import Connection, LabelStudioClient, label_config_problems
from annotate.labelstudio.results import doc_to_results, strip_pull_meta
from annotate.labelstudio.sync import pull, push
from annotate.records import AnnotatedDoc, Relation, make_doc_id, make_span, read_docs, write_docs
from annotate.schema import DEFAULT_LABELING_XML_PATH, DEFAULT_SCHEMA_PATH, load_schema, render_label_config

# Tests that take the `label_studio` fixture are marked integration; the client's retry logic runs offline.
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")
SCHEMA = load_schema()
ROOT = Path(__file__).resolve().parents[1]




def annotated(text: str, annotator: str, spans: list[tuple], relations: list[tuple] = (), meta=None) -> AnnotatedDoc:
    """spans: (id, surface, label, attrs, score); the surface is located in the text (its first occurrence)."""
    built = []
    for span_id, surface, label, attrs, score in spans:
        start = text.index(surface)
        built.append(make_span(text, span_id, start, start + len(surface), label, attrs, score))
    return AnnotatedDoc(doc_id=make_doc_id(text), text=text, annotator=annotator, spans=tuple(built),
                        relations=tuple(Relation(*relation) for relation in relations), meta=dict(meta or {}))


CRLF_TEXT = "Officials said on Monday.\r\nThe troops had left the border, a ministry spokesperson told the BBC."
EMOJI_TEXT = "🚀🔥 Launch day: the agency said 😀 the rocket was ready, according to officials."
PLAIN_TEXT = "Kyiv denied the report. Moscow claimed 1,000 soldiers had died, the ministry said."


def originals(alice: str, bob: str) -> list[AnnotatedDoc]:
    return [
        annotated(CRLF_TEXT, alice, [
            ("s1", "a ministry spokesperson", "SOURCE", {"source_type": "anonymous_official"}, None),
            ("q1", "told", "CUE", {"cue_stance": "neutral"}, None),
            ("c1", "The troops had left the border", "CLAIM", {"claim_type": "event", "certainty": "certain"}, None),
            ("x1", "the BBC", "SUPPLEMENT", {}, None)],
            [("c1", "s1", "attributed_to"), ("q1", "c1", "cue_of"), ("x1", "c1", "supplement_of")], {"title": "CRLF"}),
        annotated(CRLF_TEXT, bob, [
            ("b1", "Officials", "SOURCE", {}, None), ("b2", "said", "CUE", {}, None)], [], {"title": "CRLF"}),
        annotated(EMOJI_TEXT, alice, [
            ("s1", "the agency", "SOURCE", {"source_type": "named_organization"}, None),
            ("q1", "said", "CUE", {}, None),
            ("c1", "the rocket was ready", "CLAIM", {"quote_type": "indirect"}, None)],
            [("c1", "s1", "attributed_to"), ("q1", "c1", "cue_of")], {"title": "emoji"}),
        annotated(EMOJI_TEXT, bob, [
            ("o1", "officials", "SOURCE", {"source_type": "anonymous_official"}, None),
            ("q2", "according to", "CUE", {"cue_stance": "neutral"}, None),
            ("c2", "the rocket was ready", "CLAIM", {}, None)],
            [("c2", "o1", "attributed_to"), ("q2", "c2", "cue_of")], {"title": "emoji"}),
        annotated(PLAIN_TEXT, alice, [
            ("g1", "Kyiv", "GPE", {}, None), ("g2", "Moscow", "GPE", {}, None), ("q1", "claimed", "CUE", {}, None),
            ("c1", "1,000 soldiers had died", "CLAIM", {"claim_type": "statistical", "check_worthy": "yes"}, None)],
            [("q1", "c1", "cue_of")], {"title": "plain"}),
        annotated(PLAIN_TEXT, bob, [], [], {"title": "plain"}),  # looked at it and marked nothing
    ]


def predictions(count: int, version: str = "model:test@1") -> list[AnnotatedDoc]:
    docs = []
    for number in range(count):
        text = f"Officials said {number} troops had left."
        docs.append(annotated(text, version, [("s", "Officials", "SOURCE", {}, 0.9), ("q", "said", "CUE", {}, 0.8),
                                              ("c", f"{number} troops had left", "CLAIM", {}, 0.7)],
                              [("c", "s", "attributed_to"), ("q", "c", "cue_of")], {"n": number}))
    return docs


def articles(docs: list[AnnotatedDoc]) -> list[AnnotatedDoc]:
    return [AnnotatedDoc(doc_id=doc.doc_id, text=doc.text, meta=doc.meta) for doc in docs]


def task_census(client: LabelStudioClient, project_id: int) -> tuple[int, int]:
    """(number of tasks, number of distinct doc_ids) as the server has them."""
    rows = client.task_doc_ids(project_id)
    return len(rows), len({doc_id for _, doc_id, _ in rows})


# ---------------------------------------------------------------------------------------------------------


@pytest.mark.integration
def test_rendered_config_is_accepted_and_used(label_studio):
    client = label_studio.client()
    records = predictions(2)
    summary = push(records, project=label_studio.new_project_title("config"), client=client)
    stored = client.get_project(summary.project_id).label_config
    assert stored.strip() == DEFAULT_LABELING_XML_PATH.read_text(encoding="utf-8").strip()
    assert stored.strip() == render_label_config(SCHEMA).strip()


@pytest.mark.integration
def test_round_trip_two_users_crlf_and_emoji(label_studio, tmp_path, run_cli):
    client = label_studio.client()
    title = label_studio.new_project_title("roundtrip")
    alice_email, bob_email = (f"{label_studio.new_project_title(name)}@example.org" for name in ("alice", "bob"))
    user_ids = {alice_email: client.create_user(alice_email), bob_email: client.create_user(bob_email)}
    records = originals(alice_email, bob_email)

    summary = push(records, project=title, client=client)
    assert (summary.tasks_created, summary.predictions_created) == (3, 6)
    assert any("carriage returns" in warning for warning in summary.warnings)

    task_of = {doc_id: task_id for task_id, doc_id, _ in client.task_doc_ids(summary.project_id)}
    for record in records:
        client.create_annotation(task_of[record.doc_id], doc_to_results(record, SCHEMA),
                                 completed_by=user_ids[record.annotator], lead_time=5.0)

    pulled, pull_summary = pull(project=title, client=client)
    assert pull_summary.annotations == 6 and not pull_summary.reanchored and not pull_summary.dropped_regions
    key = lambda doc: (doc.doc_id, doc.annotator)
    assert sorted((strip_pull_meta(doc).to_dict() for doc in pulled), key=lambda d: (d["doc_id"], d["annotator"])) == \
        sorted((doc.to_dict() for doc in records), key=lambda d: (d["doc_id"], d["annotator"]))
    assert all(doc.meta["ls_task_id"] == task_of[doc.doc_id] and doc.meta["lead_time"] == 5.0 for doc in pulled)
    assert sorted(map(key, pulled)) == sorted(map(key, records))

    # Predictions come back as records too, named by model_version (here the annotators' emails).
    with_predictions, both = pull(project=title, client=client, include_predictions=True)
    assert both.predictions == 6 and len(with_predictions) == 12

    # The CLI writes the same records, byte-identical on every pull of the same state.
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for output in (first, second):
        result = run_cli("pull", "--project", title, "-o", str(output), env=label_studio.env)
        assert result.returncode == 0, result.stderr
    assert first.read_bytes() == second.read_bytes()
    assert [doc.to_dict() for doc in read_docs(first)] == [doc.to_dict() for doc in pulled]
    assert "Wrote 6 records" in result.stderr and label_studio.token not in result.stdout + result.stderr


@pytest.mark.integration
def test_push_is_idempotent_and_adds_newer_model_versions(label_studio, tmp_path, monkeypatch, run_cli):
    client = label_studio.client()
    title = label_studio.new_project_title("idempotent")
    first = predictions(30, "model:test@1")
    path = tmp_path / "predictions.jsonl"
    write_docs(path, first)

    pushed = run_cli("push", str(path), "--project", title, "--chunk-size", "7", "--json", env=label_studio.env)
    assert pushed.returncode == 0, pushed.stderr
    summary = json.loads(pushed.stdout)
    assert (summary["tasks_created"], summary["predictions_created"]) == (30, 30)
    again = json.loads(run_cli("push", str(path), "--project", title, "--json", env=label_studio.env).stdout)
    assert (again["tasks_created"], again["predictions_created"], again["tasks_existing"]) == (0, 0, 30)
    assert not again["listed_project"]  # the local index matched the project's fingerprint
    project_id = summary["project_id"]
    assert task_census(client, project_id) == (30, 30)

    newer = [doc.with_(annotator="model:test@2") for doc in first]
    added = push(newer, project=title, client=client)
    assert (added.tasks_created, added.predictions_created, added.predictions_existing) == (0, 30, 0)
    assert push(newer + first, project=title, client=client).predictions_created == 0
    versions = {}
    for prediction in client.predictions(project_id):
        versions.setdefault(prediction["task"], []).append(prediction["model_version"])
    assert len(versions) == 30 and all(sorted(v) == ["model:test@1", "model:test@2"] for v in versions.values())

    # Without the local index, the project is listed, and still nothing is created.
    monkeypatch.setenv("ANNOTATE_CACHE_DIR", str(tmp_path / "fresh-cache"))
    relisted = push(first, project=title, client=client)
    assert relisted.listed and relisted.tasks_created == 0 and relisted.predictions_created == 0

    # A task deleted behind push's back changes the fingerprint: the index is not trusted, the task comes back.
    victim = client.task_doc_ids(project_id)[3]
    client.delete_task(victim[0])
    repaired = push(first, project=title, client=client)
    assert repaired.listed and repaired.tasks_created == 1 and task_census(client, project_id) == (30, 30)

    # A duplicate task of a document (as a killed run's in-flight request could leave) is removed.
    duplicate = {"data": {"text": first[0].text, "doc_id": first[0].doc_id, "meta": {}}}
    client.import_tasks(project_id, [duplicate])
    deduplicated = push(first, project=title, client=client)
    assert deduplicated.duplicates_removed == 1 and task_census(client, project_id) == (30, 30)


@pytest.mark.integration
def test_push_killed_mid_way_then_rerun_gives_one_task_per_document(label_studio, tmp_path, run_cli):
    client = label_studio.client()
    title = label_studio.new_project_title("kill")
    path = tmp_path / "predictions.jsonl"
    write_docs(path, predictions(2000))
    command = [sys.executable, "-m", "annotate.cli", "push", str(path), "--project", title, "--chunk-size", "100"]
    process = subprocess.Popen(command, env=label_studio.env, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    killed_at = None
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline and process.poll() is None:
            found = client.find_project(title)
            if found is not None:
                count = client.fingerprint(found.id).tasks
                if count >= 300:
                    process.send_signal(signal.SIGKILL)
                    killed_at = count
                    break
            time.sleep(0.1)
    finally:
        if process.poll() is None and killed_at is None:
            process.kill()
        process.wait()
    assert killed_at is not None, f"the push finished before it could be killed: {process.stderr.read()[-2000:]!r}"
    assert process.returncode == -signal.SIGKILL
    project_id = client.find_project(title).id
    assert client.fingerprint(project_id).tasks < 2000

    rerun = run_cli("push", str(path), "--project", title, "--chunk-size", "100", "--json", env=label_studio.env)
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)
    assert summary["tasks_created"] + summary["tasks_existing"] == 2000 and summary["tasks_created"] < 2000
    assert task_census(client, project_id) == (2000, 2000)
    per_task: dict[int, int] = {}
    for prediction in client.predictions(project_id):
        per_task[prediction["task"]] = per_task.get(prediction["task"], 0) + 1
    assert len(per_task) == 2000 and set(per_task.values()) == {1}


@pytest.mark.integration
def test_records_are_validated_before_anything_is_sent(label_studio):
    client = label_studio.client()
    title = label_studio.new_project_title("invalid")
    good = predictions(3)
    text = "Officials said it."
    bad = AnnotatedDoc(make_doc_id(text), text, "model:x@1", (make_span(text, "s1", 0, 9, "SOURCE", {"source_type": "alien"}),
                                                                make_span(text, "c1", 15, 17, "CLAIM")),
                       (Relation("s1", "c1", "attributed_to"),))
    with pytest.raises(SchemaError) as refused:
        push([*good, bad], project=title, client=client)
    message = str(refused.value)
    assert "source_type='alien'" in message and "must go CLAIM -> SOURCE" in message and "record 4" in message
    assert client.find_project(title) is None


def test_label_interface_checks_results_against_the_config():
    text = "Officials said it."
    doc = AnnotatedDoc("d", text, "m", (make_span(text, "s1", 0, 9, "SOURCE"),))
    results = doc_to_results(doc, SCHEMA)
    config = render_label_config(SCHEMA)
    assert label_config_problems(config, [("doc d", results)]) == []
    results[0]["value"]["labels"] = ["SPEAKER"]
    results.append({"from_id": "s1", "to_id": "nowhere", "type": "relation", "direction": "right", "labels": ["cue_of"]})
    problems = label_config_problems(config, [("doc d", results)])
    assert any("SPEAKER" in problem for problem in problems) and any("nowhere" in problem for problem in problems)


@pytest.mark.integration
def test_schema_change_that_would_orphan_annotations_needs_force(label_studio, tmp_path):
    client = label_studio.client()
    title = label_studio.new_project_title("orphans")
    records = predictions(2)
    summary = push(records, project=title, client=client)
    task_id = client.task_doc_ids(summary.project_id)[0][0]
    client.create_annotation(task_id, doc_to_results(records[0], SCHEMA))

    harmless = tmp_path / "hint.toml"
    harmless.write_text(DEFAULT_SCHEMA_PATH.read_text().replace("the attributed proposition", "the proposition"))
    updated = push(articles(records), project=title, client=client, schema=load_schema(harmless))
    assert updated.config_updated

    renamed = tmp_path / "renamed.toml"
    renamed.write_text(DEFAULT_SCHEMA_PATH.read_text().replace('"CLAIM"', '"ASSERTION"'))
    new_schema = load_schema(renamed)
    before = client.get_project(summary.project_id).label_config
    with pytest.raises(SchemaError, match=r"would orphan(.|\n)*CLAIM(.|\n)*--force"):
        push(articles(records), project=title, client=client, schema=new_schema)
    assert client.get_project(summary.project_id).label_config == before
    forced = push(articles(records), project=title, client=client, schema=new_schema, force=True)
    assert forced.config_updated
    assert client.get_project(summary.project_id).label_config.strip() == render_label_config(new_schema).strip()


@pytest.mark.integration
def test_pull_excludes_drafts_cancelled_and_checks_offsets(label_studio, tmp_path, run_cli):
    client = label_studio.client()
    title = label_studio.new_project_title("pull")
    text = "Officials said 😀 the troops had left."
    doc = annotated(text, "x", [("s1", "Officials", "SOURCE", {}, None), ("c1", "the troops had left", "CLAIM", {}, None)],
                    [("c1", "s1", "attributed_to")])
    summary = push([AnnotatedDoc(doc.doc_id, text)], project=title, client=client)
    task_id = client.task_doc_ids(summary.project_id)[0][0]
    results = doc_to_results(doc, SCHEMA)
    client.create_annotation(task_id, results, ground_truth=True)
    client.create_annotation(task_id, [], was_cancelled=True)
    shifted = json.loads(json.dumps(results))  # UTF-16 style offsets: one too far after the emoji
    shifted[1]["value"].update(start=18, end=37)
    client.create_annotation(task_id, shifted)
    draft = httpx.post(f"{label_studio.url}/api/tasks/{task_id}/drafts", json={"result": results, "lead_time": 2.0},
                       headers={"Authorization": f"Token {label_studio.token}"}, timeout=60)
    assert draft.status_code == 201, draft.text

    docs, pulled = pull(project=title, client=client)
    assert (pulled.annotations, pulled.cancelled, pulled.drafts) == (2, 1, 1)
    assert len(pulled.reanchored) == 1 and "re-anchored from 18..37 to 17..36" in pulled.reanchored[0]
    assert all(d.span_by_id()["c1"].text == "the troops had left" and d.span_by_id()["c1"].start == 17 for d in docs)
    assert all(d.annotator == label_studio.email for d in docs)

    reviewed, only = pull(project=title, client=client, reviewed_only=True)
    assert len(reviewed) == 1 and reviewed[0].meta["ground_truth"] is True and only.not_ground_truth == 1

    output = tmp_path / "out.jsonl"
    result = run_cli("pull", "--project", title, "-o", str(output), env=label_studio.env)
    assert result.returncode == 0, result.stderr
    assert "Warning: task" in result.stderr and "re-anchored from 18..37 to 17..36" in result.stderr
    assert "Wrote 2 records" in result.stderr and "excluded: 1 drafts, 1 cancelled or skipped;" in result.stderr


@pytest.mark.integration
def test_adjudication_task_shows_each_annotators_version(label_studio, tmp_path, run_cli):
    client = label_studio.client()
    title = label_studio.new_project_title("review")
    text = "The ministry said the troops had left."
    versions = [annotated(text, "alice", [("s", "The ministry", "SOURCE", {}, None), ("q", "said", "CUE", {}, None)]),
                annotated(text, "bob", [("s", "The ministry", "SOURCE", {}, None),
                                        ("c", "the troops had left", "CLAIM", {}, None)], [("c", "s", "attributed_to")])]
    path = tmp_path / "conflicts.jsonl"
    write_docs(path, versions)
    result = run_cli("push", "--adjudicate", str(path), "--project", title, "--json", env=label_studio.env)
    assert result.returncode == 0, result.stderr
    project_id = json.loads(result.stdout)["project_id"]
    assert task_census(client, project_id) == (1, 1)
    assert sorted(p["model_version"] for p in client.predictions(project_id)) == ["alice", "bob"]
    docs, _ = pull(project=title, client=client, include_predictions=True)
    assert sorted((strip_pull_meta(d).to_dict() for d in docs), key=lambda d: d["annotator"]) == \
        [v.to_dict() for v in versions]

    article = tmp_path / "article.jsonl"
    write_docs(article, [AnnotatedDoc(make_doc_id(text), text)])
    refused = run_cli("push", "--adjudicate", str(article), "--project", title, env=label_studio.env)
    assert refused.returncode == 1 and "annotator" in refused.stderr and "is missing" in refused.stderr


@pytest.mark.integration
def test_wrong_key_names_the_variable(label_studio, tmp_path, run_cli):
    path = tmp_path / "p.jsonl"
    write_docs(path, predictions(1))
    wrong = "0123456789abcdef0123456789abcdef01234567"
    env = {**label_studio.env, "LABEL_STUDIO_API_KEY": wrong}
    result = run_cli("push", str(path), "--project", "never", env=env)
    assert result.returncode == 1
    assert "refused the API key (HTTP 401)" in result.stderr and "LABEL_STUDIO_API_KEY" in result.stderr
    assert wrong not in result.stdout + result.stderr
    with pytest.raises(ServerError, match="LABEL_STUDIO_API_KEY"):
        LabelStudioClient(Connection(label_studio.url, wrong)).whoami()


def test_nothing_listening_names_the_url_and_the_fix(tmp_path):
    from annotate.labelstudio.server import free_port

    url = f"http://127.0.0.1:{free_port()}"
    client = LabelStudioClient(Connection(url, "k" * 40), backoff=0.05)
    with pytest.raises(ServerError) as refused:
        push(predictions(1), project="x", client=client)
    assert f"cannot connect to Label Studio at {url} (connection refused)" in str(refused.value)
    assert "annotate server start" in str(refused.value)


# ---------------------------------------------------------------------------------------------------------
# Retries and writes with an unknown outcome


def _offline_client(**kwargs) -> tuple[LabelStudioClient, list[float]]:
    pauses: list[float] = []
    client = LabelStudioClient(Connection("http://127.0.0.1:9", "k" * 40), sleep=pauses.append, **kwargs)
    return client, pauses


def _flaky(failures: list[Exception], value: str = "ok"):
    def call() -> str:
        if failures:
            raise failures.pop(0)
        return value
    return call


def test_reads_retry_5xx_with_backoff_then_succeed():
    from label_studio_sdk.core.api_error import ApiError

    client, pauses = _offline_client(retries=3, backoff=0.5)
    assert client._call("read", _flaky([ApiError(status_code=503, body="busy"), ApiError(status_code=502, body="")])) == "ok"
    assert pauses == [0.5, 1.0]


def test_retries_are_bounded():
    from label_studio_sdk.core.api_error import ApiError

    client, pauses = _offline_client(retries=2, backoff=0.1)
    with pytest.raises(ServerError, match=r"kept failing to read \(HTTP 500\) after 3 attempts"):
        client._call("read", _flaky([ApiError(status_code=500, body="boom")] * 5))
    assert pauses == [0.1, 0.2]


def test_a_write_with_unknown_outcome_is_not_resent():
    from annotate.labelstudio.client import AmbiguousWriteError
    from label_studio_sdk.core.api_error import ApiError

    client, pauses = _offline_client(retries=3)
    with pytest.raises(AmbiguousWriteError, match="HTTP 502"):
        client._call("import", _flaky([ApiError(status_code=502, body="")]), idempotent=False)
    with pytest.raises(AmbiguousWriteError, match="ReadTimeout"):
        client._call("import", _flaky([httpx.ReadTimeout("slow")]), idempotent=False)
    assert pauses == []
    # A refused connection sent nothing, so even a write is retried.
    assert client._call("import", _flaky([httpx.ConnectError("refused")]), idempotent=False) == "ok"


@pytest.mark.parametrize("status, expected", [
    (401, "refused the API key (HTTP 401)"), (403, "refused the API key (HTTP 403)"),
    (400, "rejected the request to read (HTTP 400): {\"detail\": \"bad\"}")])
def test_client_errors_are_not_retried(status, expected):
    from label_studio_sdk.core.api_error import ApiError

    client, pauses = _offline_client()
    with pytest.raises(ServerError) as error:
        client._call("read", _flaky([ApiError(status_code=status, body={"detail": "bad"})]))
    assert expected in str(error.value) and pauses == []


@pytest.mark.integration
def test_an_import_whose_response_was_lost_is_not_duplicated(label_studio):
    """The server commits a chunk but the answer never arrives: push must find the chunk, not send it again."""
    from annotate.labelstudio.client import AmbiguousWriteError

    class LostAnswer(LabelStudioClient):
        lost = 0

        def import_tasks(self, project_id, tasks):
            ids = super().import_tasks(project_id, tasks)
            if not LostAnswer.lost:
                LostAnswer.lost += 1
                raise AmbiguousWriteError("the connection dropped after the request was sent")
            return ids

    client = LostAnswer(Connection(label_studio.url, label_studio.token), backoff=0.01)
    summary = push(predictions(25), project=label_studio.new_project_title("lost"), client=client, chunk_size=10)
    assert LostAnswer.lost == 1 and summary.tasks_created == 25
    assert task_census(client, summary.project_id) == (25, 25)


@pytest.mark.parametrize("second, field, problem", [
    ({"text": "Officials said it!"}, "text", "differs from an earlier record with doc_id"),
    ({}, "annotator", "'alice' appears twice for doc_id"),
])
def test_records_of_one_document_must_agree(second, field, problem):
    from annotate.errors import RecordError
    from annotate.labelstudio.sync import group_documents

    text = "Officials said it."
    first = AnnotatedDoc("d1", text, "alice")
    with pytest.raises(RecordError) as refused:
        group_documents([first, first.with_(**second)], "in.jsonl")
    assert refused.value.path == "in.jsonl (record 2)" and refused.value.field == field
    assert problem in str(refused.value)


@pytest.mark.integration
def test_pull_strict_refuses_unplaceable_regions_and_names_annotators(label_studio, tmp_path, run_cli):
    client = label_studio.client()
    title = label_studio.new_project_title("strict")
    text = "The ministry said nothing."
    summary = push([AnnotatedDoc(make_doc_id(text), text)], project=title, client=client)
    task_id = client.task_doc_ids(summary.project_id)[0][0]
    client.create_annotation(task_id, [
        {"id": "a", "from_name": "span", "to_name": "text", "type": "labels",
         "value": {"start": 0, "end": 12, "text": "The ministry", "labels": ["SOURCE"]}},
        {"id": "b", "from_name": "span", "to_name": "text", "type": "labels",
         "value": {"start": 13, "end": 17, "text": "told", "labels": ["CUE"]}}])
    output = tmp_path / "out.jsonl"
    strict = run_cli("pull", "--project", title, "-o", str(output), "--strict", env=label_studio.env)
    assert strict.returncode == 1 and "occurs nowhere" in strict.stderr and not output.exists()

    names = tmp_path / "names.json"
    names.write_text(json.dumps({label_studio.email: "adjudicator"}))
    lenient = run_cli("pull", "--project", title, "-o", str(output), "--annotator-names", str(names), env=label_studio.env)
    assert lenient.returncode == 0 and "region 'b' 'told' at 13..17" in lenient.stderr
    (doc,) = read_docs(output)
    assert doc.annotator == "adjudicator" and [span.text for span in doc.spans] == ["The ministry"]


@pytest.mark.integration
def test_a_changed_text_under_a_known_doc_id_is_refused_or_replaced_with_force(label_studio, tmp_path, monkeypatch, run_cli):
    from annotate.errors import RecordError

    client = label_studio.client()
    title = label_studio.new_project_title("changed")
    old_text, new_text = "Officials said the troops had left.", "Officials said on Monday that the troops had left."
    old = annotated(old_text, "model:test@1", [("s", "Officials", "SOURCE", {}, 0.9), ("c", "the troops had left", "CLAIM", {}, 0.7)])
    new = annotated(new_text, "model:test@2", [("s", "Officials", "SOURCE", {}, 0.9), ("c", "the troops had left", "CLAIM", {}, 0.7)])
    old, new = old.with_(doc_id="story-1"), new.with_(doc_id="story-1")
    kept = annotated("The ministry said nothing.", "model:test@1", [("s", "The ministry", "SOURCE", {}, 0.9)])
    summary = push([old, kept], project=title, client=client)
    (old_task,) = [task_id for task_id, doc_id, _ in client.task_doc_ids(summary.project_id) if doc_id == "story-1"]

    # Refused, from the local index and from a listing alike, naming the doc_id, its task and both ways out.
    for cache in (None, tmp_path / "fresh-cache"):
        if cache:
            monkeypatch.setenv("ANNOTATE_CACHE_DIR", str(cache))
        with pytest.raises(RecordError) as refused:
            push([new, kept], project=title, client=client, where="new.jsonl")
        message = str(refused.value)
        assert message.startswith('new.jsonl: field "text": differs from the text that project')
        assert f"story-1 (task {old_task})" in message and "annotate ingest" in message and "--force" in message
    path = tmp_path / "new.jsonl"
    write_docs(path, [new, kept])
    done = run_cli("push", str(path), "--project", title, env=label_studio.env)
    assert done.returncode == 1 and "Error:" in done.stderr and "story-1" in done.stderr
    (task,) = [task for task in client.export(summary.project_id) if task["data"]["doc_id"] == "story-1"]
    assert task["id"] == old_task and task["data"]["text"] == old_text  # nothing was sent

    # --force replaces the task: the new text, and only the new record's prediction on it.
    forced = run_cli("push", str(path), "--project", title, "--force", "--json", env=label_studio.env)
    assert forced.returncode == 0, forced.stderr
    result = json.loads(forced.stdout)
    assert (result["tasks_replaced"], result["tasks_created"], result["tasks_existing"]) == (1, 1, 1)
    assert "story-1" in forced.stderr and f"task {old_task} was deleted" in forced.stderr
    docs, _ = pull(project=title, client=client, include_predictions=True)
    (replaced,) = [doc for doc in docs if doc.doc_id == "story-1"]
    assert replaced.text == new_text and replaced.annotator == "model:test@2"
    assert [span.text for span in replaced.spans] == ["Officials", "the troops had left"]
    assert task_census(client, summary.project_id) == (2, 2)

    again = push([new, kept], project=title, client=client)
    assert (again.tasks_created, again.tasks_replaced, again.predictions_created) == (0, 0, 0)
