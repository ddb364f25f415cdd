"""Shared fixtures.

`label_studio` (session scope): ONE real Label Studio for the whole test session, started by the same code as
`annotate server start` (annotate.labelstudio.server.start) on a free port on 127.0.0.1, in a temp data dir,
and stopped at the end. If it cannot start, every test that uses it FAILS with the tail of the server log; it
never skips. Mark tests that use it `@pytest.mark.integration` (browser tests: `@pytest.mark.browser` too).
Attributes of the object it yields:
  url               "http://127.0.0.1:PORT"
  token             the admin's API token (a legacy token: pass it as LABEL_STUDIO_API_KEY or api_key=)
  email, password   the admin's login for the web UI (/user/login/, fields "email" and "password")
  data_dir          Path of the server's data dir (credentials.json, server.log, label_studio.sqlite3)
  credentials_path  Path of credentials.json (what push/pull read when the env vars are unset)
  env               os.environ plus LABEL_STUDIO_URL / LABEL_STUDIO_API_KEY, for running the CLI in a subprocess
  client()          a new annotate.labelstudio.client.LabelStudioClient for this server
  new_project_title(prefix)  a project title unique in this session (tests share one server)
Push keeps a small local index of each project; for the session it lives in a temp dir ($ANNOTATE_CACHE_DIR).

`run_cli`: runs `python -m annotate.cli ARGS` in a subprocess from the checkout (so the checkout's code runs);
`gold_corpus` / `gold_annotations`: the hand-made fixtures in tests/data/gold/ (see make_fixtures.py), read once.
`dask_cluster` (module scope): a real `dask scheduler` and two `dask worker` processes on 127.0.0.1; attributes
`address` (tcp://127.0.0.1:PORT), `scheduler` and `workers` (the Popen objects). Mark its users `integration`.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from annotate.errors import ServerError
from annotate.labelstudio import server
from annotate.records import AnnotatedDoc, read_docs

ROOT = Path(__file__).resolve().parent.parent
GOLD_DATA = Path(__file__).parent / "data" / "gold"


def _run_cli(*args: object, env: dict[str, str] | None = None, timeout: float = 900,
             check: bool = False) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "annotate.cli", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=ROOT)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="session")
def run_cli() -> Callable[..., subprocess.CompletedProcess]:
    return _run_cli


@pytest.fixture(scope="session")
def gold_corpus() -> list[AnnotatedDoc]:
    """corpus.jsonl: 12 gold documents, one record each."""
    return list(read_docs(GOLD_DATA / "corpus.jsonl"))


@pytest.fixture(scope="session")
def gold_annotations() -> list[AnnotatedDoc]:
    """annotations.jsonl: several annotators per document."""
    return list(read_docs(GOLD_DATA / "annotations.jsonl"))


@dataclass
class LabelStudioServer:
    url: str
    token: str = field(repr=False)
    email: str
    password: str = field(repr=False)
    data_dir: Path
    credentials_path: Path
    _titles: Iterator[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "LABEL_STUDIO_URL": self.url, "LABEL_STUDIO_API_KEY": self.token}

    def client(self, **kwargs):
        from annotate.labelstudio.client import Connection, LabelStudioClient

        return LabelStudioClient(Connection(self.url, self.token), **kwargs)

    def new_project_title(self, prefix: str) -> str:
        return f"{prefix}-{next(self._titles)}"


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabelStudioServer]:
    data_dir = tmp_path_factory.mktemp("labelstudio")
    cache = tmp_path_factory.mktemp("annotate-cache")
    previous_cache = os.environ.get("ANNOTATE_CACHE_DIR")
    os.environ["ANNOTATE_CACHE_DIR"] = str(cache)
    try:
        info = server.start(data_dir, port=server.free_port())
    except ServerError as error:
        pytest.fail(f"the session's Label Studio could not start:\n{error}", pytrace=False)
    credentials = server.load_credentials(info.credentials_path)
    try:
        yield LabelStudioServer(url=info.url, token=credentials.token, email=credentials.email,
                                password=credentials.password, data_dir=data_dir,
                                credentials_path=info.credentials_path)
    finally:
        server.stop(data_dir)
        if previous_cache is None:
            os.environ.pop("ANNOTATE_CACHE_DIR", None)
        else:
            os.environ["ANNOTATE_CACHE_DIR"] = previous_cache


@dataclass
class DaskCluster:
    address: str
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen]


def _dask(*args: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the workers import this checkout's annotate
    with open(log, "ab") as handle:
        return subprocess.Popen([str(Path(sys.executable).with_name("dask")), *args], stdin=subprocess.DEVNULL,
                                stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=log.parent)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskCluster]:
    """`dask scheduler` and two single-threaded `dask worker` processes on loopback, importing this checkout (no
    nanny: killing one kills the worker). Module scope: a module that kills a worker does not harm the next."""
    from distributed import Client

    folder = tmp_path_factory.mktemp("dask-cluster")
    port = server.free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = _dask("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard",
                      log=folder / "scheduler.log")
    workers = [_dask("worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard", "--host", "127.0.0.1",
                     "--name", f"worker-{number}", log=folder / f"worker-{number}.log") for number in range(2)]
    try:
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield DaskCluster(address, scheduler, workers)
    except (OSError, TimeoutError) as error:
        logs = "\n".join(f"--- {log.name}\n{log.read_text()[-2000:]}" for log in sorted(folder.glob("*.log")))
        pytest.fail(f"the Dask cluster did not start ({error}):\n{logs}", pytrace=False)
    finally:
        for process in [*workers, scheduler]:
            if process.poll() is None:
                process.terminate()
        for process in [*workers, scheduler]:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
