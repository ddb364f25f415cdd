"""Annotation sessions against a real Label Studio: three annotators, `--per-doc 2 --overlap 0.4` on 20 news
documents; annotations made through the API by each annotator with their own token; status, pull --session and
`annotate agree` agree with each other. Bad input gets exact errors (those need no server)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import httpx
import pytest

from annotate.labelstudio.client import Connection, LabelStudioClient, login_token
from annotate.labelstudio.results import doc_to_results
from annotate.labelstudio.server import Credentials, free_port, write_credentials
from annotate.labelstudio.session import project_title, session_view
from annotate.records import AnnotatedDoc, Relation, make_doc_id, make_span, read_docs, write_docs
from annotate.schema import load_schema

PEOPLE = ["ana.ruiz@example.org", "ben.okafor@example.org", "chloe.martin@example.org"]
SOURCES = ["The mayor of Leeds", "A spokesperson for the health ministry", "Maria Lopez, the union's treasurer",
           "Hospital managers", "The central bank", "Police in Lyon", "The company's chief executive",
           "Farmers in the valley", "A senior diplomat", "Independent analysts"]
CUES = ["said", "warned", "told reporters", "insisted", "announced"]
CLAIMS = ["the bridge would reopen to traffic by March", "waiting times had fallen for a third month in a row",
          "the strike would go on until wages kept pace with prices", "interest rates would stay high into next year",
          "the floods had damaged more than 200 homes", "the ceasefire talks had collapsed on Tuesday night",
          "the plant would hire 300 workers once the new line opened", "the tax would hit small farms hardest"]


def news(i: int) -> AnnotatedDoc:
    """A short news item with a rule model's pre-annotation: SOURCE, CUE, CLAIM (linked), and one entity."""
    source, cue, claim = SOURCES[i % 10], CUES[i % 5], CLAIMS[i % 8]
    text = (f"Item {i + 1}: {source} {cue} on Monday that {claim}. Officials in the region declined to comment, "
            f"and a fuller statement is expected within {i + 2} days.")
    s0 = text.index(source)
    c0 = text.index(cue, s0 + len(source))
    q0 = text.index(claim)
    r0 = text.index("the region")
    spans = (make_span(text, "s1", s0, s0 + len(source), "SOURCE", score=0.55 + (i % 4) / 10),
             make_span(text, "q1", c0, c0 + len(cue), "CUE", score=0.9),
             make_span(text, "c1", q0, q0 + len(claim), "CLAIM", score=0.7),
             make_span(text, "e1", r0 + 4, r0 + 10, "LOC", score=0.8))
    return AnnotatedDoc(make_doc_id(text), text, "model:rules@1", spans,
                        (Relation("c1", "s1", "attributed_to"), Relation("q1", "c1", "cue_of")), meta={"n": i})


@pytest.fixture(scope="module")
def session(label_studio, run_cli, tmp_path_factory):
    """One session created through the CLI, as a person would."""
    folder = tmp_path_factory.mktemp("session")
    predictions = folder / "predictions.jsonl"
    write_docs(predictions, [news(i) for i in range(20)])
    name = label_studio.new_project_title("news")
    args = ["session", "create", name, predictions, "--annotators", ",".join(PEOPLE), "--per-doc", 2,
            "--overlap", 0.4, "--seed", 11, "--session-dir", folder / "sessions"]
    created = run_cli(*args, "--json", env=label_studio.env, check=True)
    return {"name": name, "folder": folder, "predictions": predictions, "args": args,
            "created": json.loads(created.stdout), "plan": json.loads((folder / "sessions" / name / "plan.json").read_text())}


def task_docs(client: LabelStudioClient, title: str) -> list[tuple[int, str]]:
    project = client.find_project(title)
    assert project is not None, title
    return [(key.id, key.doc_id) for key in client.task_keys(project.id)]


@pytest.mark.integration
def test_create_assigns_exactly_and_a_second_run_creates_nothing(label_studio, run_cli, session):
    client = label_studio.client()
    holders: Counter[str] = Counter()
    loads = {}
    plan_docs = {d["doc_id"]: d["annotators"] for d in session["plan"]["documents"]}
    for email in PEOPLE:
        docs = [doc_id for _, doc_id in task_docs(client, project_title(session["name"], email))]
        assert sorted(docs) == sorted(d for d, who in plan_docs.items() if email in who)
        holders.update(docs)
        loads[email] = len(docs)
    assert Counter(holders.values()) == {2: 8, 1: 12}
    assert max(loads.values()) - min(loads.values()) <= 1
    assert session["created"]["users_created"] == PEOPLE

    # The passwords are in a 0600 file, and were not printed.
    credentials = session["folder"] / "sessions" / session["name"] / "credentials.json"
    assert credentials.stat().st_mode & 0o777 == 0o600
    passwords = json.loads(credentials.read_text())["passwords"]
    assert sorted(passwords) == sorted(PEOPLE)
    assert not any(password in json.dumps(session["created"]) for password in passwords.values())

    # The view: no entity layer (not asked for), no relation labels, hotkeys on the attribution labels.
    project = client.find_project(project_title(session["name"], PEOPLE[0]))
    assert project.label_config.strip() == session_view(load_schema(), ["span"]).strip()
    assert 'name="entity"' not in project.label_config and "<Relations" not in project.label_config
    assert 'hotkey="1"' in project.label_config
    assert "annotate-session-plan: " in client.project_description(project.id)

    again = run_cli(*session["args"], "--json", env=label_studio.env, check=True)
    summary = json.loads(again.stdout)
    assert summary["changed"] is False and summary["users_created"] == []
    assert all(row["tasks_created"] == 0 for row in summary["annotators"].values())


def _edit(doc: AnnotatedDoc, shift_source: bool) -> AnnotatedDoc:
    """A person's correction of the pre-annotation: keep it, or narrow the SOURCE by its first word."""
    spans = [span for span in doc.spans if span.label != "LOC"]
    if shift_source:
        source = next(span for span in spans if span.label == "SOURCE")
        narrowed = make_span(doc.text, "s1", doc.text.index(" ", source.start) + 1, source.end, "SOURCE")
        spans = [narrowed if span.id == "s1" else span for span in spans]
    return doc.with_(spans=tuple(make_span(doc.text, s.id, s.start, s.end, s.label) for s in spans))


@pytest.mark.integration
def test_annotators_work_with_their_own_tokens_and_status_pull_and_agree_match(label_studio, run_cli, session):
    name, folder = session["name"], session["folder"]
    plan = session["plan"]
    passwords = json.loads((folder / "sessions" / name / "credentials.json").read_text())["passwords"]
    by_id = {doc.doc_id: doc for doc in read_docs(session["predictions"])}
    overlap = [d for d in plan["documents"] if d["overlap"]]
    schema = load_schema()
    expected: dict[tuple[str, str], AnnotatedDoc] = {}
    submitted = Counter()
    for email in PEOPLE:
        token = login_token(label_studio.url, email, passwords[email])
        assert token != label_studio.token
        person = LabelStudioClient(Connection(label_studio.url, token))
        assert person.whoami()["email"] == email
        tasks = dict((doc_id, task_id) for task_id, doc_id in task_docs(person, project_title(name, email)))
        mine_overlap = [d["doc_id"] for d in overlap if email in d["annotators"]]
        single = [d["doc_id"] for d in plan["documents"] if not d["overlap"] and email in d["annotators"]][:1]
        for index, doc_id in enumerate([*mine_overlap, *single]):
            # The second annotator of an overlap document narrows the SOURCE on every other document.
            second = email == [d for d in overlap if d["doc_id"] == doc_id][0]["annotators"][1] if doc_id in mine_overlap else False
            edited = _edit(by_id[doc_id], shift_source=second and index % 2 == 0)
            person.create_annotation(tasks[doc_id], doc_to_results(edited, schema, relation_labels=False), lead_time=20.0 + index)
            expected[(doc_id, email)] = edited
            submitted[email] += 1
        skipped, drafted = [d for d in tasks if d not in mine_overlap and d not in single][:2]
        person.create_annotation(tasks[skipped], [], was_cancelled=True)
        # A draft, as the editor autosaves one (the SDK has no call for it: the same request as the UI's).
        draft = httpx.post(f"{label_studio.url}/api/tasks/{tasks[drafted]}/drafts", timeout=60, trust_env=False,
                           headers={"Authorization": f"Token {token}"},
                           json={"result": doc_to_results(_edit(by_id[drafted], False), schema, relation_labels=False),
                                 "lead_time": 3.0})
        assert draft.status_code == 201, draft.text

    pulled = folder / "pulled.jsonl"
    run_cli("pull", "--session", name, "--session-dir", folder / "sessions", "-o", pulled, env=label_studio.env, check=True)
    records = list(read_docs(pulled))
    assert Counter((doc.doc_id, doc.annotator) for doc in records) == Counter(expected.keys())
    for doc in records:
        want = expected[(doc.doc_id, doc.annotator)]
        assert sorted((s.label, s.start, s.end) for s in doc.spans) == sorted((s.label, s.start, s.end) for s in want.spans)
        # Links were sent and drawn without labels; pull gives them back their labels from their ends.
        assert sorted((r.from_id, r.to_id, r.label) for r in doc.relations) == [("c1", "s1", "attributed_to"),
                                                                                ("q1", "c1", "cue_of")]

    status = json.loads(run_cli("session", "status", name, "--json", "--session-dir", folder / "sessions",
                                env=label_studio.env, check=True).stdout)
    for email in PEOPLE:
        row = status["annotators"][email]
        assert (row["submitted"], row["skipped"], row["drafts"]) == (submitted[email], 1, 1)
        assert row["assigned"] == sum(email in d["annotators"] for d in plan["documents"])
        assert row["median_lead_time_s"] is not None and row["last_activity"]
    assert status["overlap"]["documents"] == 8 and status["overlap"]["complete"] == 8

    everything = json.loads(run_cli("agree", pulled, "--json", env=label_studio.env, check=True).stdout)
    only_overlap = folder / "overlap.jsonl"
    write_docs(only_overlap, [doc for doc in records if doc.doc_id in {d["doc_id"] for d in overlap}])
    on_overlap = json.loads(run_cli("agree", only_overlap, "--json", env=label_studio.env, check=True).stdout)
    spans_f1, token_alpha = status["overlap"]["spans_f1"], status["overlap"]["token_alpha"]
    assert spans_f1 == on_overlap["spans"]["exact"]["micro"]["f1"]
    assert token_alpha == on_overlap["tokens"]["alpha"]
    assert spans_f1["value"] == everything["spans"]["exact"]["micro"]["f1"]["value"]
    assert token_alpha["value"] == everything["tokens"]["alpha"]["value"]
    assert 0 < spans_f1["value"] < 1 and spans_f1["ci_low"] <= spans_f1["value"] <= spans_f1["ci_high"]

    # An adjudicator gets the overlap documents' versions side by side in the session's review project.
    pushed = json.loads(run_cli("push", "--adjudicate", only_overlap, "--session", name, "--json",
                                env=label_studio.env, check=True).stdout)
    assert pushed["project"] == f"{name} · review" and pushed["tasks_created"] == 8 and pushed["predictions_created"] == 16


@pytest.mark.integration
def test_a_session_name_that_exists_with_other_annotators_is_refused(label_studio, run_cli, session):
    done = run_cli("session", "create", session["name"], session["predictions"], "--annotators",
                   "ana.ruiz@example.org,zoe@example.org", "--per-doc", 2, "--overlap", 0.4, "--seed", 11,
                   "--session-dir", session["folder"] / "sessions", env=label_studio.env)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"Error: session '{session['name']}' already exists with annotators {', '.join(PEOPLE)}; the new list lacks "
        "ben.okafor@example.org, chloe.martin@example.org. List all of them (you may add new ones), or choose "
        "another session name")


@pytest.mark.integration
def test_a_new_annotator_and_new_documents_extend_the_plan_without_moving_started_work(label_studio, run_cli, session):
    """Runs after the annotations above: the documents people started on stay where they are."""
    client = label_studio.client()
    name, folder = session["name"], session["folder"]
    before = {d["doc_id"]: d["annotators"] for d in session["plan"]["documents"]}
    started = set()
    for email in PEOPLE:
        project = client.find_project(project_title(name, email))
        started |= {str(task["data"]["doc_id"]) for task in client.export(project.id) if task.get("annotations")}
    assert started
    more = folder / "more.jsonl"
    write_docs(more, [*read_docs(session["predictions"]), news(20), news(21)])
    newcomer = "dana.berg@example.org"
    args = ["session", "create", name, more, "--annotators", ",".join([*PEOPLE, newcomer]), "--per-doc", 2,
            "--overlap", 0.4, "--seed", 11, "--session-dir", folder / "sessions", "--json"]
    summary = json.loads(run_cli(*args, env=label_studio.env, check=True).stdout)
    assert summary["users_created"] == [newcomer] and summary["documents"] == 22
    plan = {d["doc_id"]: d["annotators"] for d in
            json.loads((folder / "sessions" / name / "plan.json").read_text())["documents"]}
    assert all(plan[doc_id] == before[doc_id] for doc_id in started)
    theirs = [doc_id for doc_id, who in plan.items() if newcomer in who]
    assert theirs and not set(theirs) & started
    for email in [*PEOPLE, newcomer]:  # every project holds exactly its plan
        docs = sorted(doc_id for _, doc_id in task_docs(client, project_title(name, email)))
        assert docs == sorted(doc_id for doc_id, who in plan.items() if email in who)


@pytest.mark.parametrize("options,message", [
    (["--annotators", "ana@example.org,bob@example"], "invalid annotator email 'bob@example': give addresses like "
                                                       "name@example.org, separated by commas"),
    (["--annotators", "ana@example.org,bob@example.org", "--per-doc", "3"],
     "--per-doc 3 is more than the 2 annotator(s) given: an overlap document needs 3 different people; add "
     "annotators or lower --per-doc"),
    (["--annotators", "ana@example.org,bob@example.org", "--overlap", "1.2"],
     "--overlap 1.2 is outside [0, 1]: it is the fraction of documents that --per-doc annotators each annotate "
     "(0.2 = one document in five)"),
])
@pytest.mark.integration  # slow (a CLI subprocess or a spaCy run): out of the fast path
def test_bad_options_are_refused_before_any_request(run_cli, tmp_path, options, message):
    predictions = tmp_path / "predictions.jsonl"
    write_docs(predictions, [news(0)])
    done = run_cli("session", "create", "s", predictions, *options, "--session-dir", tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == f"Error: {message}"


@pytest.mark.integration  # slow (a CLI subprocess or a spaCy run): out of the fast path
def test_a_server_that_is_down_is_named(run_cli, tmp_path):
    predictions = tmp_path / "predictions.jsonl"
    write_docs(predictions, [news(0)])
    url = f"http://127.0.0.1:{free_port()}"
    write_credentials(tmp_path / "credentials.json", Credentials(url=url, email="admin@localhost", password="x" * 12,
                                                                 token="0" * 40))
    done = run_cli("session", "create", "s", predictions, "--annotators", "ana@example.org,bob@example.org",
                   "--credentials", tmp_path / "credentials.json", "--session-dir", tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"Error: cannot connect to Label Studio at {url} (connection refused) after 4 attempts; start a local one "
        "with `annotate server start`, or set LABEL_STUDIO_URL to your server's address")
    assert not (tmp_path / "s").exists()


@pytest.mark.integration  # slow (a CLI subprocess or a spaCy run): out of the fast path
def test_pull_needs_exactly_one_of_project_and_session(run_cli, tmp_path):
    done = run_cli("pull", "--project", "a", "--session", "b", "-o", tmp_path / "out.jsonl")
    assert done.returncode == 1
    assert done.stderr.strip() == "Error: give exactly one of --project NAME and --session NAME"


def test_the_short_guidelines_are_word_for_word_in_the_docs():
    from annotate.labelstudio.session import short_guidelines

    guide = (Path(__file__).resolve().parents[1] / "docs" / "guidelines.md").read_text(encoding="utf-8")
    _, lines = short_guidelines()
    assert lines and all(line in guide for line in lines)


@pytest.mark.integration  # slow (a CLI subprocess or a spaCy run): out of the fast path
def test_push_takes_a_session_only_with_adjudicate(run_cli, tmp_path):
    predictions = tmp_path / "predictions.jsonl"
    write_docs(predictions, [news(0)])
    done = run_cli("push", predictions, "--session", "s")
    assert done.returncode == 1
    assert done.stderr.strip() == ("Error: --session goes with --adjudicate and replaces --project (a session's "
                                   "annotator projects are filled by `annotate session create`)")
