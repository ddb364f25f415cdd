"""`annotate schema render | show`: the schema and its Label Studio labeling XML."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import ForceOption, SchemaOption, print_json, reported_errors, say, schema_app


@schema_app.command("render")
def schema_render_cli(
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Where to write the XML (default: labeling.xml beside a --schema file, else in the current folder).")] = None,
    schema_path: SchemaOption = None,
    stdout: Annotated[bool, typer.Option("--stdout", help="Print the XML instead of writing it.")] = False,
    force: ForceOption = False,
) -> None:
    """Render the Label Studio labeling XML from the schema."""
    from ..io import guard_output
    from ..schema import default_render_path, is_labeling_config, load_schema, render_label_config, render_to_file

    with reported_errors():
        schema = load_schema(schema_path)
        if stdout:
            sys.stdout.write(render_label_config(schema))
            return
        target = guard_output(output or default_render_path(schema), inputs=[schema.source], ours=is_labeling_config,
                              force=force)
        path = render_to_file(schema, target)
        say(f"Wrote {path} (schema {schema.version}, hash {schema.hash})")


@schema_app.command("show")
def schema_show_cli(schema_path: SchemaOption = None) -> None:
    """Print the schema as JSON: labels, relations, attributes and their values."""
    from ..schema import load_schema

    with reported_errors():
        schema = load_schema(schema_path)
        say(f"Schema in use: {schema.source}")
        print_json({**schema.to_dict(), "hash": schema.hash, "source": schema.source})
