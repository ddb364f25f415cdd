"""`annotate server start | status | env | stop`, `annotate push` and `annotate pull`: the Label Studio round trip."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ._app import (CredentialsOption, DataDirOption, ForceOption, SchemaOption, app, err, print_json, progress_bar,
                   reported_errors, say, server_app, warn)

ShowTokenOption = Annotated[bool, typer.Option("--show-token", help="Also print the admin password and API token (stdout).")]


def _print_server_access(info: Any, show_token: bool) -> None:
    from ..labelstudio.server import load_credentials, resolve_data_dir

    credentials = load_credentials(info.credentials_path)
    data_dir_option = "" if info.data_dir == resolve_data_dir(None) else f" --data-dir {info.data_dir}"
    say(f"Log in as {credentials.email}; the password and API token are in {info.credentials_path} (mode 0600).",
        f"For push/pull from a shell:  eval \"$(annotate server env{data_dir_option})\"  "
        f"(exports LABEL_STUDIO_URL={info.url} and LABEL_STUDIO_API_KEY); "
        "push and pull also find the credentials file by themselves when those are unset.")
    if show_token:
        sys.stdout.write(f"password: {credentials.password}\ntoken: {credentials.token}\n")


@server_app.command("start")
def server_start_cli(
    data_dir: DataDirOption = None,
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8080,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (default loopback only). For annotators on the network put a TLS proxy in front instead, or give this machine's address; see docs/labelstudio.md.")] = "127.0.0.1",
    database: Annotated[Optional[str], typer.Option("--database", envvar="ANNOTATE_LS_DATABASE", show_envvar=True, help="PostgreSQL instead of SQLite in the data dir: postgresql://USER@HOST:PORT/DB; the password from $ANNOTATE_PG_PASSWORD or $PGPASSWORD, or --database-password-file.")] = None,
    database_password_file: Annotated[Optional[Path], typer.Option("--database-password-file", help="A file (mode 0600) holding the PostgreSQL password.")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for /health (first start migrates a database).")] = 300.0,
    show_token: ShowTokenOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the server's address and files as JSON (no secrets).")] = False,
) -> None:
    """Start a local Label Studio on 127.0.0.1 (detached) and wait until it answers."""
    from ..errors import ConfigError
    from ..labelstudio import server
    from ..labelstudio.database import parse_database

    with reported_errors():
        if database_password_file is not None and database is None:
            raise ConfigError("--database-password-file needs --database postgresql://USER@HOST:PORT/DB")
        postgres = parse_database(database, database_password_file) if database else None
        if not as_json:
            where = f" on PostgreSQL {postgres.url}" if postgres else ""
            say(f"Starting Label Studio in {server.resolve_data_dir(data_dir)}{where} (the first start takes about a minute)...")
        info = server.start(data_dir, port=port, timeout=timeout, database=postgres, host=host)
        if as_json:
            print_json(info.to_dict())
            return
        state = "already running" if info.already_running else "running"
        say(f"Label Studio is {state} at {info.url} (pid {info.pid}, log {info.log_path}).")
        _print_server_access(info, show_token)


@server_app.command("status")
def server_status_cli(
    data_dir: DataDirOption = None,
    show_token: ShowTokenOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON (no secrets).")] = False,
) -> None:
    """Show whether the local Label Studio runs; exit code 1 if it does not."""
    from ..labelstudio import server

    with reported_errors():
        status = server.status(data_dir)
        if as_json:
            print_json(status.to_dict())
        elif status.running and status.info is not None:
            health = "healthy" if status.healthy else f"not answering: {status.note}"
            say(f"Label Studio runs at {status.info.url} (pid {status.info.pid}, {health}); data dir {status.data_dir}.")
            _print_server_access(status.info, show_token)
        else:
            say(f"Label Studio is not running for {status.data_dir} ({status.note}); start it with `annotate server start`.")
        if not status.running:
            raise typer.Exit(1)


@server_app.command("env")
def server_env_cli(data_dir: DataDirOption = None) -> None:
    """Print `export LABEL_STUDIO_URL=... LABEL_STUDIO_API_KEY=...` for the local server, for eval (contains the token)."""
    import shlex

    from ..labelstudio import server

    with reported_errors():
        credentials = server.load_credentials(server.credentials_path(data_dir))
        sys.stdout.write(f"export LABEL_STUDIO_URL={shlex.quote(credentials.url)}\n"
                         f"export LABEL_STUDIO_API_KEY={shlex.quote(credentials.token)}\n")


@server_app.command("stop")
def server_stop_cli(data_dir: DataDirOption = None) -> None:
    """Stop the Label Studio that `annotate server start` launched for this data dir (and nothing else)."""
    from ..labelstudio import server

    with reported_errors():
        result = server.stop(data_dir)
        say(f"{result.note} ({result.data_dir}).")


@app.command("push")
def push_cli(
    input_path: Annotated[Optional[Path], typer.Argument(help="AnnotatedDoc JSONL: articles and/or predictions.", show_default=False)] = None,
    project: Annotated[Optional[str], typer.Option("--project", help="Label Studio project title (created if missing).")] = None,
    session: Annotated[Optional[str], typer.Option("--session", help="With --adjudicate: the session's review project, 'NAME · review'.")] = None,
    adjudicate: Annotated[Optional[Path], typer.Option("--adjudicate", help="Conflicts JSONL: one task per doc_id with each annotator's version as a prediction tab.")] = None,
    chunk_size: Annotated[int, typer.Option("--chunk-size", help="Tasks per import request; a killed push resumes after the last chunk that landed.")] = 1000,
    force: Annotated[bool, typer.Option("--force", help="Replace what is in the way: the labeling config even if existing annotations would be orphaned, and the task of a doc_id whose text changed (deleted with its predictions and annotations, then created with the new text).")] = False,
    order: Annotated[str, typer.Option("--order", help="Order of new tasks: file (as in the input), or uncertain-first (documents whose model spans score nearest 0.5 first).")] = "file",
    schema_path: SchemaOption = None,
    credentials: CredentialsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")] = False,
) -> None:
    """Push records to Label Studio: one task per doc_id, predictions per annotator; idempotent and resumable."""
    from ..errors import ConfigError
    from ..labelstudio.client import LabelStudioClient
    from ..labelstudio.sync import push
    from itertools import chain

    from ..ordering import check_order, order_for_review
    from ..records import no_records, read_docs
    from ..schema import load_schema

    with reported_errors():
        if (input_path is None) == (adjudicate is None):
            raise ConfigError("give exactly one input: a JSONL file, or --adjudicate conflicts.jsonl")
        if session is not None:
            from ..labelstudio.session import review_title

            if adjudicate is None or project is not None:
                raise ConfigError("--session goes with --adjudicate and replaces --project (a session's annotator "
                                  "projects are filled by `annotate session create`)")
            project = review_title(session)
        if project is None:
            raise ConfigError("give --project NAME (or --session NAME with --adjudicate)")
        source = adjudicate or input_path
        check_order(order)
        schema = load_schema(schema_path)
        docs = read_docs(source)
        first = next(docs, None)
        if first is None:  # before connecting: an empty input must not create an empty project
            raise no_records(source, "Give the records to annotate, e.g. the output of `annotate preannotate`")
        client = LabelStudioClient.from_environment(credentials)
        with progress_bar(transient=not err.is_terminal) as bar:
            job = bar.add_task("push", total=None)
            records = order_for_review(chain([first], docs), order)
            summary = push(records, project=project, client=client, schema=schema, chunk_size=chunk_size, force=force,
                           adjudicate=adjudicate is not None, where=str(source),
                           progress=lambda done, total: bar.update(job, completed=done, total=total))
        warn(summary.warnings)
        if as_json:
            print_json(summary.to_dict())
        else:
            say(*summary.summary_lines())


@app.command("pull")
def pull_cli(
    project: Annotated[Optional[str], typer.Option("--project", help="Label Studio project title.")] = None,
    session: Annotated[Optional[str], typer.Option("--session", help="A session's name: merge all its annotators' projects into one file.")] = None,
    session_dir: Annotated[Optional[Path], typer.Option("--session-dir", help="Folder of session plans (default: $ANNOTATE_SESSION_DIR, else .annotate/sessions).")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the AnnotatedDoc JSONL (atomically).")] = ...,
    include_predictions: Annotated[bool, typer.Option("--include-predictions", help="Also write each prediction as a record named by its model_version.")] = False,
    reviewed_only: Annotated[bool, typer.Option("--reviewed-only", help="Keep only annotations an adjudicator marked as ground truth.")] = False,
    annotator_names: Annotated[Optional[Path], typer.Option("--annotator-names", help='JSON object mapping Label Studio emails (or user ids) to annotator names.')] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail, writing nothing, if any region's offsets could not be re-anchored.")] = False,
    force: ForceOption = False,
    credentials: CredentialsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")] = False,
) -> None:
    """Pull submitted annotations: one record per (task, annotation), lossless, offsets checked."""
    from ..errors import ConfigError
    from ..labelstudio.client import LabelStudioClient
    from ..io import guard_output, looks_like_records
    from ..labelstudio.sync import load_annotator_names, pull_to_file

    with reported_errors():
        # Before the download: a pull must not fetch everything and then find it cannot write.
        guard_output(output, inputs=[annotator_names] if annotator_names else [], ours=looks_like_records, force=force)
        names = load_annotator_names(annotator_names) if annotator_names else None
        if (project is None) == (session is None):
            raise ConfigError("give exactly one of --project NAME and --session NAME")
        client = LabelStudioClient.from_environment(credentials)
        options = {"include_predictions": include_predictions, "reviewed_only": reviewed_only,
                   "annotator_names": names, "strict": strict}
        if session is not None:
            from ..labelstudio.session import pull_session
            from ..records import write_docs

            docs, summary = pull_session(session, client=client, base_dir=session_dir, **options)
            count = write_docs(output, docs)
        else:
            count, summary = pull_to_file(output, project=project, client=client, **options)
        warn((*summary.reanchored, *summary.dropped_regions, *summary.problems))
        if as_json:
            print_json({**summary.to_dict(), "written": count, "output": str(output)})
        else:
            say(*summary.summary_lines(str(output), count))
