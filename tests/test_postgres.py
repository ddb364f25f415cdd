"""Label Studio on PostgreSQL: a real PostgreSQL from Debian's package in a temp folder, `annotate server start
--database`, and the full push -> annotate (through the API) -> pull round trip against it.

The PostgreSQL and the Label Studio FAIL the test when they cannot start (never skip). The password never
appears on a command line or in any output.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from test_push_pull import SCHEMA, originals

from annotate.errors import ConfigError, ServerError
from annotate.labelstudio.client import LabelStudioClient
from annotate.labelstudio.database import parse_database
from annotate.labelstudio.results import doc_to_results, strip_pull_meta
from annotate.labelstudio.scratch_postgres import ScratchPostgres, start_scratch_postgres
from annotate.labelstudio.server import free_port
from annotate.labelstudio.sync import pull, push
from annotate.records import write_docs

URL = "postgresql://labelstudio@db.example.org:5433/annotation"


@pytest.fixture(scope="module")
def postgres() -> Iterator[ScratchPostgres]:
    try:
        scratch = start_scratch_postgres()
    except ServerError as error:
        pytest.fail(f"the test PostgreSQL could not start:\n{error}", pytrace=False)
    try:
        yield scratch
    finally:
        scratch.stop()


@pytest.mark.integration
def test_round_trip_on_postgresql(postgres: ScratchPostgres, tmp_path: Path, run_cli) -> None:
    import psycopg

    data_dir = tmp_path / "ls"
    env = {key: value for key, value in os.environ.items()
           if key not in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY", "PGPASSWORD")}
    env["ANNOTATE_PG_PASSWORD"] = postgres.password
    address = postgres.database.url
    started = run_cli("server", "start", "--data-dir", data_dir, "--port", free_port(), "--database", address,
                      "--json", env=env)
    try:
        if started.returncode != 0:
            pytest.fail(f"Label Studio on PostgreSQL did not start:\n{started.stderr}", pytrace=False)
        info = json.loads(started.stdout)
        assert info["database"] == address
        assert postgres.password not in started.stdout + started.stderr
        family = [psutil.Process(info["pid"]), *psutil.Process(info["pid"]).children(recursive=True)]
        assert not any(postgres.password in " ".join(member.cmdline()) for member in family)
        assert not (data_dir / "label_studio.sqlite3").exists()

        client = LabelStudioClient.from_environment(data_dir / "credentials.json")
        alice, bob = "alice@example.org", "bob@example.org"
        user_ids = {alice: client.create_user(alice), bob: client.create_user(bob)}
        records = originals(alice, bob)
        summary = push(records, project="postgres-roundtrip", client=client)
        assert (summary.tasks_created, summary.predictions_created) == (3, 6)
        task_of = {doc_id: task_id for task_id, doc_id, _ in client.task_doc_ids(summary.project_id)}
        for record in records:
            client.create_annotation(task_of[record.doc_id], doc_to_results(record, SCHEMA),
                                     completed_by=user_ids[record.annotator], lead_time=5.0)

        pulled, pull_summary = pull(project="postgres-roundtrip", client=client)
        assert pull_summary.annotations == 6 and not pull_summary.reanchored and not pull_summary.dropped_regions
        by_key = lambda doc: (doc["doc_id"], doc["annotator"])  # noqa: E731
        assert sorted((strip_pull_meta(doc).to_dict() for doc in pulled), key=by_key) == \
            sorted((doc.to_dict() for doc in records), key=by_key)
        output = tmp_path / "pulled.jsonl"
        cli_pull = run_cli("pull", "--project", "postgres-roundtrip", "-o", output, "--credentials",
                           data_dir / "credentials.json", env=env)
        assert cli_pull.returncode == 0, cli_pull.stderr
        assert "Wrote 6 records" in cli_pull.stderr
        listed = tmp_path / "listed.jsonl"  # the streaming pull writes what write_docs writes of pull's list
        write_docs(listed, pulled)
        assert output.read_bytes() == listed.read_bytes()

        # The tasks and annotations are rows in PostgreSQL, not in a SQLite file.
        with psycopg.connect(host="127.0.0.1", port=postgres.port, user=postgres.user, password=postgres.password,
                             dbname=postgres.name) as connection:
            tasks = connection.execute("SELECT count(*) FROM task WHERE project_id = %s",
                                       (summary.project_id,)).fetchone()[0]
            annotations = connection.execute("SELECT count(*) FROM task_completion WHERE project_id = %s",
                                             (summary.project_id,)).fetchone()[0]
        assert (tasks, annotations) == (3, 6)
        assert not (data_dir / "label_studio.sqlite3").exists()
    finally:
        stopped = run_cli("server", "stop", "--data-dir", data_dir, env=env)
    assert stopped.returncode == 0 and "stopped pid" in stopped.stderr

    # The data dir remembers its database: a start without it is refused before anything runs.
    again = run_cli("server", "start", "--data-dir", data_dir, "--port", free_port(), env=env)
    assert again.returncode == 1 and f"--database {address}" in again.stderr


def test_the_password_never_comes_from_the_address() -> None:
    with pytest.raises(ConfigError, match="holds a password") as caught:
        parse_database("postgresql://labelstudio:s3cret-pw@db.example.org/annotation", environ={})
    assert "s3cret-pw" not in str(caught.value)


@pytest.mark.parametrize("environ,expected", [
    ({"ANNOTATE_PG_PASSWORD": "one", "PGPASSWORD": "two"}, "one"),
    ({"PGPASSWORD": "two"}, "two"),
])
def test_the_password_comes_from_the_environment(environ: dict[str, str], expected: str) -> None:
    database = parse_database(URL, environ=environ)
    assert (database.user, database.host, database.port, database.name) == \
        ("labelstudio", "db.example.org", 5433, "annotation")
    assert database.password == expected and expected not in repr(database) and database.url == URL
    assert database.child_env()["LABEL_STUDIO_POSTGRE_PASSWORD"] == expected


def test_a_password_file_must_be_private(tmp_path: Path) -> None:
    secret = tmp_path / "pg-password"
    secret.write_text("from-file\n", encoding="utf-8")
    secret.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        parse_database(URL, secret, environ={})
    secret.chmod(0o600)
    assert parse_database(URL, secret, environ={"PGPASSWORD": "ignored"}).password == "from-file"


@pytest.mark.parametrize("url,problem", [
    ("sqlite:///tmp/x.db", "give postgresql://"),
    ("postgresql://db.example.org/annotation", "give the user, the host and the database"),
    ("postgresql://labelstudio@db.example.org", "give the user, the host and the database"),
])
def test_malformed_addresses_say_what_to_give(url: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        parse_database(url, environ={"PGPASSWORD": "x"})


def test_no_password_names_where_to_put_it() -> None:
    with pytest.raises(ConfigError, match="ANNOTATE_PG_PASSWORD"):
        parse_database(URL, environ={})
