"""Where a local Label Studio keeps its data: SQLite in the data dir (the default), or a PostgreSQL server.

`annotate server start --database postgresql://USER@HOST:PORT/DB` (or $ANNOTATE_LS_DATABASE) picks PostgreSQL.
The password is never part of the address, the command line or any output: it comes from $ANNOTATE_PG_PASSWORD,
else $PGPASSWORD, else a file readable by its owner only (--database-password-file, mode 0600). It reaches
Label Studio through the child's environment (LABEL_STUDIO_POSTGRE_PASSWORD), which `ps` does not show.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import ConfigError, ServerError

DATABASE_ENV = "ANNOTATE_LS_DATABASE"
PASSWORD_ENVS = ("ANNOTATE_PG_PASSWORD", "PGPASSWORD")
DEFAULT_PG_PORT = 5432
# Settings Label Studio reads as LABEL_STUDIO_<NAME>; inherited values of any of them must not steer the child.
LABEL_STUDIO_DB_SETTINGS = ("DJANGO_DB", "POSTGRE_NAME", "POSTGRE_USER", "POSTGRE_PASSWORD", "POSTGRE_HOST",
                            "POSTGRE_PORT", "DATABASE_NAME")


@dataclass(frozen=True)
class PostgresDatabase:
    user: str
    host: str
    port: int
    name: str
    password: str = field(repr=False)

    @property
    def url(self) -> str:
        """The address without the password: safe to print and to keep in the data dir."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.name}"

    def child_env(self) -> dict[str, str]:
        return {"LABEL_STUDIO_DJANGO_DB": "postgresql", "LABEL_STUDIO_POSTGRE_NAME": self.name,
                "LABEL_STUDIO_POSTGRE_USER": self.user, "LABEL_STUDIO_POSTGRE_PASSWORD": self.password,
                "LABEL_STUDIO_POSTGRE_HOST": self.host, "LABEL_STUDIO_POSTGRE_PORT": str(self.port)}

    def check_reachable(self, timeout: float = 10.0) -> None:
        """Connect once before Label Studio starts, so that a wrong address or password fails in seconds with
        a message about PostgreSQL rather than after a minute with a Django traceback in the server log."""
        try:
            import psycopg
        except ImportError as error:
            raise ServerError("a PostgreSQL database needs psycopg, which `pip install -e '.[server]'` installs "
                              "with label-studio") from error
        try:
            with psycopg.connect(host=self.host, port=self.port, user=self.user, dbname=self.name,
                                 password=self.password, connect_timeout=max(1, int(timeout))):
                pass
        except psycopg.Error as error:
            reason = str(error).replace(self.password, "***") if self.password else str(error)
            raise ServerError(f"cannot connect to PostgreSQL at {self.url} ({reason.strip().splitlines()[-1]}); "
                              f"check that the server runs and accepts this user from here, that the database "
                              f"exists (createdb {self.name}), and the password in {' or '.join(PASSWORD_ENVS)} "
                              "or --database-password-file") from None


def parse_database(url: str, password_file: str | os.PathLike[str] | None = None,
                   environ: Mapping[str, str] | None = None) -> PostgresDatabase:
    """A PostgreSQL address, postgresql://USER@HOST:PORT/DB, with its password from the environment or a 0600 file."""
    env = os.environ if environ is None else environ
    parts = urlsplit(url.strip())
    if parts.scheme not in ("postgresql", "postgres"):
        raise ConfigError(f"--database {_without_password(url)}: give postgresql://USER@HOST:PORT/DB (SQLite in the "
                          "data dir is the default when --database is not given)")
    if parts.password is not None:
        raise ConfigError(f"--database {_without_password(url)}: the address holds a password, which would show in "
                          f"`ps` and in your shell history; remove it, change it if it was shared, and give it in "
                          f"{PASSWORD_ENVS[0]} (or {PASSWORD_ENVS[1]}) or a 0600 --database-password-file")
    name = unquote(parts.path.lstrip("/"))
    if not parts.username or not parts.hostname or not name or "/" in name:
        raise ConfigError(f"--database {url}: give the user, the host and the database, as in "
                          "postgresql://labelstudio@db.example.org:5432/labelstudio")
    try:
        port = parts.port or DEFAULT_PG_PORT
    except ValueError:
        raise ConfigError(f"--database {url}: the port is not a number") from None
    password = _password(password_file, env)
    return PostgresDatabase(user=unquote(parts.username), host=parts.hostname, port=port, name=name,
                            password=password)


def _password(password_file: str | os.PathLike[str] | None, env: Mapping[str, str]) -> str:
    if password_file is not None:
        path = Path(password_file)
        try:
            mode = path.stat().st_mode
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(f"{path}: cannot read the PostgreSQL password file ({error.strerror})") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(f"{path}: the PostgreSQL password file is readable by others (mode "
                              f"{stat.S_IMODE(mode):o}); run `chmod 600 {path}`")
        password = text.rstrip("\r\n")
        if not password:
            raise ConfigError(f"{path}: the PostgreSQL password file is empty")
        return password
    for name in PASSWORD_ENVS:
        if env.get(name):
            return env[name]
    raise ConfigError(f"no PostgreSQL password: set {PASSWORD_ENVS[0]} (or {PASSWORD_ENVS[1]}), or give "
                      "--database-password-file FILE (mode 0600)")


def _without_password(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1)).geturl()
