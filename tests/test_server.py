"""The local Label Studio (annotate/labelstudio/server.py and `annotate server start|status|stop`), against real servers.

The session fixture `label_studio` (tests/conftest.py) is itself a use of server.start on a fresh data dir. One
test here starts a second server (on a copy of the fixture's migrated database, so it takes ~20 s rather than a
minute) to drive the CLI through start, status, push, stop, and a push to the stopped server.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path

import psutil
import pytest

from annotate.errors import ServerError
from annotate.labelstudio import server
from annotate.schema import load_schema, render_label_config

# google.api_core, imported by the SDK, warns about the Python version on import.
pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore::FutureWarning")]




def local_env(**extra: str) -> dict[str, str]:
    """The environment without Label Studio variables, so the CLI falls back to a credentials file."""
    env = {key: value for key, value in os.environ.items() if key not in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY")}
    return {**env, **extra}


def test_smoke_project_task_read_back_through_the_sdk(label_studio):
    from label_studio_sdk import LabelStudio

    sdk = LabelStudio(base_url=label_studio.url, api_key=label_studio.token)
    config = render_label_config(load_schema())
    project = sdk.projects.create(title=label_studio.new_project_title("smoke"), label_config=config)
    sdk.projects.import_tasks(id=project.id, request=[{"data": {"text": "Officials said it.", "doc_id": "smoke-1"}}])
    tasks = list(sdk.tasks.list(project=project.id, fields="all"))
    assert [task.data for task in tasks] == [{"text": "Officials said it.", "doc_id": "smoke-1"}]
    assert sdk.projects.get(id=project.id).label_config.strip() == config.strip()  # the server drops the final newline
    assert sdk.users.whoami().email == label_studio.email


def test_loopback_only_and_secrets_stay_private(label_studio):
    credentials = label_studio.credentials_path
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    stored = json.loads(credentials.read_text())
    assert set(stored) == {"url", "email", "password", "token"} and stored["url"] == label_studio.url

    state = json.loads((label_studio.data_dir / server.STATE_FILE).read_text())
    process = psutil.Process(state["pid"])
    family = [process, *process.children(recursive=True)]
    listening = {c.laddr for member in family for c in member.net_connections("tcp") if c.status == psutil.CONN_LISTEN}
    assert listening and {address.ip for address in listening} == {"127.0.0.1"}
    # Secrets travel in the child's environment, never its command line, and are never logged.
    assert not any(label_studio.token in part or label_studio.password in part for part in process.cmdline())
    log = (label_studio.data_dir / server.LOG_FILE).read_text(errors="replace")
    assert label_studio.token not in log and label_studio.password not in log
    # Nothing of Label Studio's own state goes to the home directory's config dir.
    assert (label_studio.data_dir / "config" / "label-studio" / "user_id").exists()


def test_status_and_env_through_the_cli(label_studio, run_cli):
    data_dir = str(label_studio.data_dir)
    status = run_cli("server", "status", "--data-dir", data_dir, "--json")
    assert status.returncode == 0, status.stderr
    shown = json.loads(status.stdout)
    assert shown["running"] and shown["healthy"] and shown["url"] == label_studio.url
    assert label_studio.token not in status.stdout + status.stderr

    human = run_cli("server", "status", "--data-dir", data_dir)
    assert label_studio.url in human.stderr and label_studio.email in human.stderr
    assert label_studio.token not in human.stdout + human.stderr and label_studio.password not in human.stderr

    exported = run_cli("server", "env", "--data-dir", data_dir)  # asked for, so it carries the token
    assert exported.stdout == (f"export LABEL_STUDIO_URL={label_studio.url}\n"
                               f"export LABEL_STUDIO_API_KEY={label_studio.token}\n")


def test_start_again_returns_the_running_server(label_studio):
    info = server.start(label_studio.data_dir, port=server.free_port())
    assert info.already_running and info.url == label_studio.url


def test_busy_port_is_refused_not_moved(tmp_path, label_studio):
    port = int(label_studio.url.rsplit(":", 1)[1])
    with pytest.raises(ServerError, match=f"port {port} on 127.0.0.1 is already in use; pass another --port"):
        server.start(tmp_path / "other", port=port)


def test_stop_leaves_a_pid_that_is_no_longer_label_studio_alone(tmp_path):
    sleeper = subprocess.Popen(["sleep", "120"])
    try:
        state = {"pid": sleeper.pid, "port": 1, "url": "http://127.0.0.1:1",
                 "create_time": psutil.Process(sleeper.pid).create_time()}
        (tmp_path / server.STATE_FILE).write_text(json.dumps(state))
        assert not server.status(tmp_path).running
        result = server.stop(tmp_path)
        assert "no longer label-studio; nothing stopped" in result.note
        assert sleeper.poll() is None  # still running
    finally:
        sleeper.kill()
        sleeper.wait()


def test_database_without_credentials_is_refused(tmp_path):
    (tmp_path / server.DATABASE_FILE).write_bytes(b"")
    with pytest.raises(ServerError, match="no credentials.json"):
        server.start(tmp_path, port=server.free_port())


def test_a_failed_start_shows_the_log_tail(tmp_path):
    server.write_credentials(tmp_path / server.CREDENTIALS_FILE,
                             server.Credentials("http://127.0.0.1:1", "admin@localhost", "pw-123456", "t" * 40))
    (tmp_path / server.DATABASE_FILE).write_bytes(b"this is not an sqlite database" * 100)
    with pytest.raises(ServerError) as failure:
        server.start(tmp_path, port=server.free_port(), timeout=240)
    message = str(failure.value)
    assert "Label Studio did not start: `label-studio start` exited with code" in message
    assert "Log tail" in message and "file is not a database" in message
    assert not server.status(tmp_path).running


def _copy_server_data(source: Path, target: Path) -> None:
    """A consistent copy of a running server's database (SQLite's backup API) and its credentials."""
    target.mkdir(mode=0o700)
    with sqlite3.connect(source / server.DATABASE_FILE) as live, sqlite3.connect(target / server.DATABASE_FILE) as copy:
        live.backup(copy)
    shutil.copy2(source / server.CREDENTIALS_FILE, target / server.CREDENTIALS_FILE)


def test_cli_start_status_push_stop_then_push_to_the_stopped_server(label_studio, tmp_path, run_cli):
    data_dir = tmp_path / "ls"
    _copy_server_data(label_studio.data_dir, data_dir)
    port = server.free_port()
    url = f"http://127.0.0.1:{port}"
    credentials = str(data_dir / server.CREDENTIALS_FILE)

    started = run_cli("server", "start", "--data-dir", str(data_dir), "--port", str(port))
    try:
        assert started.returncode == 0, started.stderr
        assert f"Label Studio is running at {url}" in started.stderr
        assert "Log in as admin@localhost" in started.stderr and "LABEL_STUDIO_API_KEY" in started.stderr
        assert label_studio.token not in started.stdout + started.stderr
        assert label_studio.password not in started.stdout + started.stderr
        assert json.loads((data_dir / server.CREDENTIALS_FILE).read_text())["url"] == url

        assert run_cli("server", "status", "--data-dir", str(data_dir)).returncode == 0
        records = tmp_path / "articles.jsonl"
        records.write_text(json.dumps({"doc_id": "srv-1", "text": "The ministry said nothing."}) + "\n")
        pushed = run_cli("push", str(records), "--project", "server-cli", env=local_env(ANNOTATE_LS_CREDENTIALS=credentials))
        assert pushed.returncode == 0, pushed.stderr
        assert "1 tasks created" in pushed.stderr and label_studio.token not in pushed.stderr
    finally:
        stopped = run_cli("server", "stop", "--data-dir", str(data_dir))
    assert stopped.returncode == 0 and "stopped pid" in stopped.stderr
    assert server.port_is_free(port)
    assert run_cli("server", "status", "--data-dir", str(data_dir)).returncode == 1

    refused = run_cli("push", str(records), "--project", "server-cli", "--credentials", credentials, env=local_env())
    assert refused.returncode == 1
    assert f"cannot connect to Label Studio at {url} (connection refused)" in refused.stderr
    assert "annotate server start" in refused.stderr
