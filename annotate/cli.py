"""The `annotate` command line: one thin command per stage over the library.

Commands parse arguments, call one library function and print. Library errors (AnnotateError) are turned into
`Error: ...` on stderr with exit code 1 in one place, `reported_errors`. Machine-readable output (--json) goes to
stdout; everything else goes to stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console

from .errors import AnnotateError

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
        err.print(f"[bold red]Error:[/] {error}", markup=True, soft_wrap=True)
        raise typer.Exit(1) from None


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


SchemaOption = Annotated[Optional[Path], typer.Option("--schema", help="Schema TOML (default: configs/schema.toml).")]


# --- schema ---------------------------------------------------------------------------------------------


@schema_app.command("render")
def schema_render(
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Where to write the XML (default: configs/labeling.xml).")] = None,
    schema_path: SchemaOption = None,
    stdout: Annotated[bool, typer.Option("--stdout", help="Print the XML instead of writing it.")] = False,
) -> None:
    """Render the Label Studio labeling XML from the schema."""
    from .schema import DEFAULT_LABELING_XML_PATH, load_schema, render_label_config, render_to_file

    with reported_errors():
        schema = load_schema(schema_path)
        if stdout:
            sys.stdout.write(render_label_config(schema))
            return
        path = render_to_file(schema, output or DEFAULT_LABELING_XML_PATH)
        err.print(f"Wrote {path} (schema {schema.version}, hash {schema.hash})")


@schema_app.command("show")
def schema_show(schema_path: SchemaOption = None) -> None:
    """Print the schema as JSON: labels, relations, attributes and their values."""
    from .schema import load_schema

    with reported_errors():
        schema = load_schema(schema_path)
        print_json({**schema.to_dict(), "hash": schema.hash})


# --- ingest ---------------------------------------------------------------------------------------------

# --- preannotate / evaluate -----------------------------------------------------------------------------

# --- server / push / pull -------------------------------------------------------------------------------

# --- agree / convert ------------------------------------------------------------------------------------

# --- gold / export / stats ------------------------------------------------------------------------------


def main() -> None:
    app()


if __name__ == "__main__":
    main()
