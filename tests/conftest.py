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
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from annotate.errors import ServerError
from annotate.labelstudio import server


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
