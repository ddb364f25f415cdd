"""A throwaway PostgreSQL in a temp folder on loopback, from Debian's `postgresql` package: for the tests, the
scale benchmark and trying `annotate server start --database` on one machine. A team runs its own server.

initdb refuses to run as root, so as root the server runs as the package's `postgres` system user (runuser).
It listens on 127.0.0.1 only, with scram-sha-256 passwords, its socket in its own folder.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ServerError
from .database import PostgresDatabase
from .server import free_port, log_tail

SERVICE_USER = "postgres"  # created by Debian's postgresql-common


def postgres_bin_dir() -> Path:
    """The newest /usr/lib/postgresql/*/bin that has initdb (Debian's layout), else initdb's folder on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    raise ServerError("PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin); install Debian's "
                      "package with `apt-get install postgresql` (scripts/test does this when run as root)")


@dataclass
class ScratchPostgres:
    folder: Path
    port: int
    user: str
    name: str
    password: str = field(repr=False)
    bin_dir: Path
    run_as: list[str]  # the command prefix that runs PostgreSQL's programs as their owner

    @property
    def database(self) -> PostgresDatabase:
        return PostgresDatabase(user=self.user, host="127.0.0.1", port=self.port, name=self.name,
                                password=self.password)

    @property
    def log_path(self) -> Path:
        return self.folder / "postgres.log"

    def stop(self) -> None:
        """Stop this folder's server (pg_ctl finds it by the data dir's pid file) and remove the folder."""
        subprocess.run([*self.run_as, str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast",
                        "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_scratch_postgres(user: str = "annotate", name: str = "labelstudio", timeout: float = 120.0
                           ) -> ScratchPostgres:
    """initdb a new cluster in a temp folder, start it on a free loopback port, create `name` owned by `user`."""
    bin_dir = postgres_bin_dir()
    folder = Path(tempfile.mkdtemp(prefix="annotate-pg-"))  # directly in /tmp: the service user can reach it
    run_as: list[str] = []
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam(SERVICE_USER)
        except KeyError:
            raise ServerError(f"running as root, but there is no {SERVICE_USER!r} user to run PostgreSQL as; "
                              "install Debian's postgresql package, which creates it") from None
        run_as = ["runuser", "-u", SERVICE_USER, "--"]
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    password = secrets.token_urlsafe(18)
    password_file = folder / "pwfile"
    password_file.write_text(password + "\n", encoding="utf-8")
    password_file.chmod(0o600)
    if owner is not None:
        os.chown(password_file, owner.pw_uid, owner.pw_gid)
    port = free_port()
    scratch = ScratchPostgres(folder, port, user, name, password, bin_dir, run_as)

    def run(step: str, *command: str) -> None:
        done = subprocess.run([*run_as, *command], capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            output = (done.stdout + done.stderr).strip()[-2000:]
            scratch.stop()
            raise ServerError(f"PostgreSQL did not start: {step} failed (exit {done.returncode}):\n{output}\n"
                              f"Server log: {log_tail(scratch.log_path)}")

    run("initdb", str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", user, f"--pwfile={password_file}",
        "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale")
    password_file.unlink()
    run("pg_ctl start", str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-l", str(scratch.log_path), "-w",
        "-t", str(int(timeout)), "-o", f"-h 127.0.0.1 -p {port} -k {folder}", "start")
    try:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=port, user=user, password=password, dbname="postgres",
                             autocommit=True, connect_timeout=10) as connection:
            connection.execute(f'CREATE DATABASE "{name}" OWNER "{user}"')
    except Exception as error:
        scratch.stop()
        raise ServerError(f"PostgreSQL started but the database {name!r} could not be created: {error}") from error
    return scratch
