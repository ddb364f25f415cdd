"""`annotate convert`: brat, Prodigy or Label Studio annotations into records that fit the schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..importers import Source
from ._app import ForceOption, SchemaOption, app, reported_errors, say


@app.command("convert")
def convert_cli(
    path: Annotated[Path, typer.Argument(help="brat folder (or .txt/.ann), Prodigy JSONL, or Label Studio JSON export.")],
    source: Annotated[Source, typer.Option("--from", help="Input format.")] = ...,
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the AnnotatedDoc JSONL (atomically).")] = ...,
    label_map: Annotated[Optional[str], typer.Option("--label-map", help="Rename span labels and brat event roles: Source=SOURCE,Cue=CUE,Content=CLAIM; relation labels with rel:, e.g. rel:Supplements=supplement_of.")] = None,
    annotator: Annotated[Optional[str], typer.Option("--annotator", help="Annotator name for files that do not carry one (brat <doc>.ann, Prodigy without _annotator_id).")] = None,
    schema_path: SchemaOption = None,
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first label, relation or attribute the schema has no place for, instead of dropping it with a count.")] = False,
    force: ForceOption = False,
) -> None:
    """Convert brat, Prodigy or Label Studio annotations into AnnotatedDoc records that fit the schema."""
    from ..importers import convert, parse_label_map
    from ..io import guard_output, looks_like_records
    from ..records import write_docs
    from ..schema import load_schema

    with reported_errors():
        guard_output(output, inputs=[path], ours=looks_like_records, force=force)
        result = convert(source, path, label_map=parse_label_map(label_map), annotator=annotator,
                         schema=load_schema(schema_path), strict=strict)
        write_docs(output, result.docs)
    say(*result.summary_lines(output))
