"""A real local Label Studio for annotation sessions, the demo and the test suite.

`start` runs the installed `label-studio` detached on 127.0.0.1, with everything (SQLite database, media,
log) in one data dir, and returns once `/health` answers and the stored API token is accepted. On the first
start it generates an admin password and a legacy API token and keeps them in `<data-dir>/credentials.json`
(mode 0600); secrets reach the child through its environment, never its command line, so `ps` does not show
them. `stop` ends only the process that `start` recorded, after checking that the pid still belongs to it.

Nothing here imports label_studio_sdk: the server is driven over plain HTTP so that this module stays usable
without the client (and `client.py` remains the one module that talks through the SDK).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from ..errors import ServerError
from ..io import write_text_atomic
from .database import LABEL_STUDIO_DB_SETTINGS, PostgresDatabase

# Project-local, like git's .git: relative to the folder the command runs in (never inside the installed package).
DEFAULT_DATA_DIR = Path(".annotate") / "labelstudio"
DATA_DIR_ENV = "ANNOTATE_LS_DATA_DIR"
CREDENTIALS_FILE = "credentials.json"
STATE_FILE = "server.json"
LOG_FILE = "server.log"
DATABASE_FILE = "label_studio.sqlite3"
DATABASE_RECORD = "database.json"  # the PostgreSQL address (no password) a data dir's server was started with
DEFAULT_PORT = 8080
DEFAULT_EMAIL = "admin@localhost"
HOST = "127.0.0.1"
# A fresh SQLite data dir needs ~45 s of migrations on 2 idle cores; leave room for a busy machine.
DEFAULT_START_TIMEOUT = 300.0

# Label Studio reads settings from LABEL_STUDIO_<NAME>, HEARTEX_<NAME> or plain <NAME>. Plain names this
# generic (zsh exports HOST, CI systems set PORT) would silently change the server, so the child never sees them.
_AMBIGUOUS_ENV = ("HOST", "PORT", "USERNAME", "PASSWORD", "USER_TOKEN", "DATABASE_NAME", "DJANGO_DB")


@dataclass(frozen=True)
class Credentials:
    """Where the server is and how to log in. repr() hides the secrets so that they cannot leak into logs."""

    url: str
    email: str
    password: str = field(repr=False)
    token: str = field(repr=False)

    def to_dict(self) -> dict[str, str]:
        return {"url": self.url, "email": self.email, "password": self.password, "token": self.token}


@dataclass(frozen=True)
class ServerInfo:
    url: str
    port: int
    pid: int
    data_dir: Path
    log_path: Path
    credentials_path: Path
    email: str
    already_running: bool = False
    database: str = "sqlite"  # or the PostgreSQL address, without its password

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "port": self.port, "pid": self.pid, "data_dir": str(self.data_dir),
                "log": str(self.log_path), "credentials": str(self.credentials_path), "email": self.email,
                "already_running": self.already_running, "database": self.database}


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    healthy: bool
    data_dir: Path
    info: ServerInfo | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {"running": self.running, "healthy": self.healthy, "data_dir": str(self.data_dir),
                                  "note": self.note}
        if self.info is not None:
            record.update({key: value for key, value in self.info.to_dict().items() if key != "already_running"})
        return record


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """--data-dir, else $ANNOTATE_LS_DATA_DIR, else ./.annotate/labelstudio (gitignored)."""
    chosen = data_dir or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR
    return Path(chosen).expanduser().resolve()


def credentials_path(data_dir: str | os.PathLike[str] | None = None) -> Path:
    return resolve_data_dir(data_dir) / CREDENTIALS_FILE


# ---------------------------------------------------------------------------------------------------------
# Credentials


def load_credentials(path: str | os.PathLike[str]) -> Credentials:
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ServerError(f"{path}: no Label Studio credentials file; start a local server with "
                          "`annotate server start`, or set LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY") from error
    except (OSError, json.JSONDecodeError) as error:
        raise ServerError(f"{path}: unreadable credentials file ({error}); delete it only together with the "
                          "data dir's database, or fix the JSON") from error
    missing = [key for key in ("url", "email", "password", "token") if not isinstance(raw.get(key), str) or not raw[key]]
    if missing:
        raise ServerError(f"{path}: credentials file lacks {', '.join(missing)}")
    return Credentials(url=raw["url"], email=raw["email"], password=raw["password"], token=raw["token"])


def write_credentials(path: Path, credentials: Credentials) -> None:
    """Atomic and private: the temp file is created 0600, so the secrets are never readable by others."""
    write_text_atomic(path, json.dumps(credentials.to_dict(), indent=2, sort_keys=True) + "\n", private=True)


def _new_credentials(url: str) -> Credentials:
    # 40 hex characters, the shape of Label Studio's own tokens.
    return Credentials(url=url, email=DEFAULT_EMAIL, password=secrets.token_urlsafe(18), token=secrets.token_hex(20))


# ---------------------------------------------------------------------------------------------------------
# Small HTTP and process helpers


_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _get(url: str, token: str | None = None, timeout: float = 5.0) -> int:
    """The HTTP status of a GET (0 when nothing answers). Loopback requests must never go through a proxy."""
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"} if token else {})
    try:
        with _NO_PROXY.open(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return 0


def health_ok(url: str, timeout: float = 5.0) -> bool:
    return _get(url.rstrip("/") + "/health", timeout=timeout) == 200


def token_accepted(url: str, token: str) -> bool:
    return _get(url.rstrip("/") + "/api/current-user/whoami", token=token, timeout=15.0) == 200


def port_is_free(port: int, host: str = HOST) -> bool:
    """Whether a server could listen on the port now. SO_REUSEADDR, as the server itself uses it: connections
    left in TIME_WAIT by a server that just stopped must not count as "in use"."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = HOST) -> int:
    """A port that is free on loopback right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def label_studio_command() -> list[str]:
    """The `label-studio` installed beside this Python (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("label-studio")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("label-studio")
    if found:
        return [found]
    raise ServerError("the `label-studio` command is not installed; install it with "
                      "`pip install -e '.[server]'` (label-studio==1.23.2)")


def _is_label_studio(process: psutil.Process) -> bool:
    try:
        return any("label-studio" in part or "label_studio" in part for part in process.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


def _listening_ports(process: psutil.Process) -> set[int] | None:
    """The TCP ports the process and its children listen on; None where the OS does not let us look."""
    ports: set[int] = set()
    try:
        family = [process, *process.children(recursive=True)]
        for member in family:
            ports.update(c.laddr.port for c in member.net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN)
    except psutil.AccessDenied:
        return None
    except psutil.NoSuchProcess:
        pass
    return ports


def log_tail(path: Path, start_offset: int = 0, lines: int = 40) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(start_offset)
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return "(no server log)"
    tail = text.splitlines()[-lines:]
    return "\n".join(tail) if tail else "(the server log is empty)"


# ---------------------------------------------------------------------------------------------------------
# State: which process `start` launched


def _read_state(data_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((data_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def _our_process(state: Mapping[str, Any] | None) -> psutil.Process | None:
    """The recorded process if it is still the label-studio we started (a reused pid is not)."""
    if not state or not isinstance(state.get("pid"), int):
        return None
    try:
        process = psutil.Process(state["pid"])
        same_birth = abs(process.create_time() - float(state.get("create_time", 0))) < 1.0
        if same_birth and _is_label_studio(process) and process.status() != psutil.STATUS_ZOMBIE:
            return process
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        pass
    return None


def _info(data_dir: Path, state: Mapping[str, Any], email: str, already_running: bool = False) -> ServerInfo:
    return ServerInfo(url=state["url"], port=int(state["port"]), pid=int(state["pid"]), data_dir=data_dir,
                      log_path=data_dir / LOG_FILE, credentials_path=data_dir / CREDENTIALS_FILE, email=email,
                      already_running=already_running, database=str(state.get("database", "sqlite")))


def _inherited_db_setting(key: str) -> bool:
    """Whether `key` is a database setting Label Studio would read (under any of its three prefixes)."""
    return any(key in (f"LABEL_STUDIO_{name}", f"HEARTEX_{name}", name) for name in LABEL_STUDIO_DB_SETTINGS)


def _child_env(data_dir: Path, credentials: Credentials, database: PostgresDatabase | None = None) -> dict[str, str]:
    # Only the database chosen here counts: settings inherited from the shell must not switch it silently.
    env = {key: value for key, value in os.environ.items()
           if key not in _AMBIGUOUS_ENV and not _inherited_db_setting(key)}
    env.update({
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        # The organisation is created on the first start; only then does this decide whether the fixed token works.
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        # No call to PyPI for the newest version at start, and no usage analytics.
        "LABEL_STUDIO_LATEST_VERSION_CHECK": "false",
        "LABEL_STUDIO_COLLECT_ANALYTICS": "false",
        # Label Studio keeps a user_id file under the user's config dir; keep it in the data dir instead.
        "XDG_CONFIG_HOME": str(data_dir / "config"),
        "XDG_CACHE_HOME": str(data_dir / "cache"),
        "LABEL_STUDIO_USERNAME": credentials.email,
        "LABEL_STUDIO_PASSWORD": credentials.password,
        "LABEL_STUDIO_USER_TOKEN": credentials.token,
        "PYTHONUNBUFFERED": "1",
    })
    if database is not None:
        env.update(database.child_env())
    return env


def _recorded_database(data_dir: Path) -> str | None:
    try:
        return json.loads((data_dir / DATABASE_RECORD).read_text(encoding="utf-8"))["url"]
    except (OSError, json.JSONDecodeError, KeyError, TypeError):
        return None


# ---------------------------------------------------------------------------------------------------------
# start / status / stop


def start(data_dir: str | os.PathLike[str] | None = None, port: int = DEFAULT_PORT,
          timeout: float = DEFAULT_START_TIMEOUT, database: PostgresDatabase | None = None,
          host: str = HOST) -> ServerInfo:
    """Start Label Studio detached and return when it is ready; if this data dir's server runs, return that one.

    `database`: PostgreSQL instead of SQLite in the data dir. A data dir first started on PostgreSQL records the
    address (not the password) and refuses a later start without it. `host`: the address to listen on; anything
    but loopback needs TLS in front (docs/labelstudio.md, "A team server")."""
    data_dir = resolve_data_dir(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    creds_path = data_dir / CREDENTIALS_FILE
    # Checks from this machine go to loopback when the server listens on every interface.
    url = f"http://{HOST if host in ('0.0.0.0', '::') else host}:{port}"
    recorded = _recorded_database(data_dir)
    if database is None and recorded is not None:
        raise ServerError(f"{data_dir} belongs to a Label Studio on PostgreSQL ({recorded}); start it with "
                          f"`annotate server start --database {recorded}` and its password in the environment")

    state = _read_state(data_dir)
    running = _our_process(state)
    if running is not None and state is not None:
        email = load_credentials(creds_path).email
        if health_ok(state["url"]):
            return _info(data_dir, state, email, already_running=True)
        raise ServerError(f"a Label Studio (pid {state['pid']}) for {data_dir} is running but {state['url']}/health "
                          f"does not answer; stop it with `annotate server stop` and start again.\n"
                          f"Log tail ({data_dir / LOG_FILE}):\n{log_tail(data_dir / LOG_FILE)}")
    (data_dir / STATE_FILE).unlink(missing_ok=True)

    if creds_path.exists():
        credentials = load_credentials(creds_path)
        if credentials.url != url:
            credentials = Credentials(url=url, email=credentials.email, password=credentials.password,
                                      token=credentials.token)
    elif database is None and (data_dir / DATABASE_FILE).exists():
        raise ServerError(f"{data_dir} holds a Label Studio database but no {CREDENTIALS_FILE}, so its admin password "
                          "and token are unknown; use a new --data-dir, or delete that data dir to start afresh")
    else:
        credentials = _new_credentials(url)

    if not port_is_free(port, host):
        # Label Studio would quietly move to the next free port; refuse instead, so the URL we print is the real one.
        raise ServerError(f"port {port} on {host} is already in use; pass another --port")
    if database is not None:
        database.check_reachable()
        write_text_atomic(data_dir / DATABASE_RECORD, json.dumps({"url": database.url}, sort_keys=True) + "\n")

    command = [*label_studio_command(), "start", "--no-browser", "--internal-host", host, "--port", str(port),
               "--data-dir", str(data_dir), "--enable-legacy-api-token", "--log-level", "WARNING"]
    log_path = data_dir / LOG_FILE
    with open(log_path, "ab") as log:
        log.write(f"\n=== annotate server start {time.strftime('%Y-%m-%d %H:%M:%S')} port {port} ===\n".encode())
        log.flush()
        log_offset = log.tell()
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   env=_child_env(data_dir, credentials, database), cwd=data_dir,
                                   start_new_session=True)
    os.chmod(log_path, 0o600)
    write_credentials(creds_path, credentials)
    state = {"pid": process.pid, "port": port, "url": url, "host": host,
             "database": database.url if database is not None else "sqlite",
             "create_time": psutil.Process(process.pid).create_time(), "started_at": time.time()}
    write_text_atomic(data_dir / STATE_FILE, json.dumps(state, indent=2, sort_keys=True) + "\n")

    def fail(problem: str) -> ServerError:
        _terminate(process.pid)
        (data_dir / STATE_FILE).unlink(missing_ok=True)
        return ServerError(f"Label Studio did not start: {problem}.\nLog tail ({log_path}):\n"
                           f"{log_tail(log_path, log_offset)}")

    deadline = time.monotonic() + timeout
    while True:
        code = process.poll()
        if code is not None:
            raise fail(f"`label-studio start` exited with code {code}")
        if health_ok(url, timeout=3.0):
            break
        if time.monotonic() > deadline:
            raise fail(f"{url}/health did not answer within {timeout:.0f} s")
        time.sleep(0.5)
    listening = _listening_ports(psutil.Process(process.pid))
    if listening is not None and port not in listening:
        raise fail(f"something else answers on port {port}")
    if not token_accepted(url, credentials.token):
        raise fail(f"the API token in {creds_path} was refused; the database in {data_dir} was created with other "
                   "credentials (use a new --data-dir)")
    return _info(data_dir, state, credentials.email)


def status(data_dir: str | os.PathLike[str] | None = None) -> ServerStatus:
    data_dir = resolve_data_dir(data_dir)
    state = _read_state(data_dir)
    process = _our_process(state)
    if process is None or state is None:
        note = "stale state file: the recorded process is gone" if state else "not started"
        return ServerStatus(running=False, healthy=False, data_dir=data_dir, note=note)
    try:
        email = load_credentials(data_dir / CREDENTIALS_FILE).email
    except ServerError:
        email = ""
    healthy = health_ok(state["url"])
    return ServerStatus(running=True, healthy=healthy, data_dir=data_dir, info=_info(data_dir, state, email),
                        note="" if healthy else "the process runs but /health does not answer (still starting?)")


def stop(data_dir: str | os.PathLike[str] | None = None, timeout: float = 30.0) -> ServerStatus:
    """Stop the server this data dir's `start` launched; a pid now used by another program is left alone."""
    data_dir = resolve_data_dir(data_dir)
    state = _read_state(data_dir)
    process = _our_process(state)
    (data_dir / STATE_FILE).unlink(missing_ok=True)
    if process is None:
        note = ("the recorded process is gone or is no longer label-studio; nothing stopped" if state
                else "not running; nothing stopped")
        return ServerStatus(running=False, healthy=False, data_dir=data_dir, note=note)
    _terminate(process.pid, timeout)
    return ServerStatus(running=False, healthy=False, data_dir=data_dir, note=f"stopped pid {process.pid}")


def _terminate(pid: int, timeout: float = 30.0) -> None:
    """SIGTERM the process and its children, then SIGKILL what is left after `timeout`."""
    try:
        parent = psutil.Process(pid)
        family = [*parent.children(recursive=True), parent]
    except psutil.NoSuchProcess:
        return
    for member in family:
        try:
            member.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(family, timeout=timeout)
    for member in alive:
        try:
            member.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=5)
