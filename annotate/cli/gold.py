"""`annotate gold`: adjudicated > ground truth > consensus, a datasheet, and what is left to review."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import SchemaOption, app, print_json, reported_errors, say, warn


@app.command("gold")
def gold_cli(
    annotations: Annotated[Path, typer.Argument(help="Pulled annotations (JSONL), several annotators per document allowed.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Gold data file, e.g. gold/NAME/data.jsonl; README.md goes beside it.")],
    conflicts: Annotated[Optional[Path], typer.Option("--conflicts", help="Where to write unresolved documents (default: conflicts.jsonl beside the output).")] = None,
    min_agree: Annotated[Optional[int], typer.Option("--min-agree", help="Annotators who must mark a span (default: a strict majority).")] = None,
    adjudicated: Annotated[Optional[Path], typer.Option("--adjudicated", help="Pulled review project: its records override consensus for their documents.")] = None,
    adjudicator: Annotated[Optional[str], typer.Option("--adjudicator", help="Whose records in --adjudicated count, when several people are in it.")] = None,
    schema_path: SchemaOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable summary on stdout.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace existing output files that gold did not write (never an input).")] = False,
) -> None:
    """Make gold: adjudicated > ground-truth star > consensus; list what is unresolved; write a datasheet."""
    from ..gold import make_gold

    with reported_errors():
        files = make_gold(annotations, output, conflicts=conflicts, adjudicated=adjudicated, min_agree=min_agree,
                          adjudicator=adjudicator, schema_path=schema_path, force=force)
    if as_json:
        print_json(files.to_dict())
    say(*files.summary_lines())
    warn(files.result.warnings)
