"""What every command shares: the Typer app and its sub-apps, the stderr console, the one error boundary,
and the options that several commands take.

Library errors (AnnotateError) become `Error: ...` on stderr with exit code 1 in one place, `reported_errors`.
Machine-readable output (--json) goes to stdout; everything else goes to stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape

from ..errors import AnnotateError

app = typer.Typer(help="Annotate claims and their attribution in news.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
server_app = typer.Typer(help="Run a local Label Studio on 127.0.0.1 for annotation sessions and tests.",
                         no_args_is_help=True)
schema_app = typer.Typer(help="Inspect the schema and render its Label Studio labeling XML.", no_args_is_help=True)
app.add_typer(server_app, name="server")
app.add_typer(schema_app, name="schema")

err = Console(stderr=True, highlight=False)


@contextmanager
def reported_errors() -> Iterator[None]:
    """The one place where library errors become a message and exit code 1."""
    try:
        yield
    except AnnotateError as error:
        err.print(f"[bold red]Error:[/] {escape(str(error))}", markup=True, soft_wrap=True)
        raise typer.Exit(1) from None
    except OSError as error:  # a file the library did not wrap (annotate.io wraps every write it makes)
        from ..io import os_error

        where = error.filename if error.filename is not None else "a file"
        err.print(f"[bold red]Error:[/] {escape(str(os_error(where, error)))}", markup=True, soft_wrap=True)
        raise typer.Exit(1) from None


def say(*lines: str) -> None:
    """Plain lines on stderr: never parsed as rich markup (paths and labels may hold brackets), never wrapped."""
    for line in lines:
        err.print(line, markup=False, soft_wrap=True)


def warn(messages: Iterable[str]) -> None:
    for message in messages:
        err.print("[yellow]Warning:[/] " + escape(message), markup=True, soft_wrap=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def progress_bar(transient: bool = True):
    """A progress bar on stderr: label, bar, done/total, elapsed time."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=transient)


ForceOption = Annotated[bool, typer.Option(
    "--force", help="Replace an existing output that this command did not write (never one of its inputs).")]
SchemaOption = Annotated[Optional[Path], typer.Option(
    "--schema", help="Schema TOML (default: $ANNOTATE_CONFIG_DIR/schema.toml, else the packaged one).")]
DataDirOption = Annotated[Optional[Path], typer.Option(
    "--data-dir", help="Label Studio data dir (default: $ANNOTATE_LS_DATA_DIR or <repo>/.annotate/labelstudio).")]
CredentialsOption = Annotated[Optional[Path], typer.Option(
    "--credentials", help="Credentials file to use instead of LABEL_STUDIO_URL/LABEL_STUDIO_API_KEY "
                          "(default when those are unset: $ANNOTATE_LS_CREDENTIALS, else the local server's).")]


class Executor(str, Enum):
    """Where a command's parallel part runs: here, or on a Dask cluster (`pip install .[dask]`)."""

    local = "local"
    dask = "dask"


SchedulerOption = Annotated[Optional[str], typer.Option(
    "--scheduler", help="With --executor dask: the scheduler's address, tcp://HOST:PORT (default: a local cluster of "
                        "--n-process workers).")]


def check_scheduler(executor: Executor, scheduler: str | None) -> None:
    from ..errors import ConfigError

    if scheduler is not None and executor is not Executor.dask:
        raise ConfigError("--scheduler needs --executor dask")
