"""`annotate agree`: inter-annotator agreement with intervals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import ForceOption, SchemaOption, app, err, print_json, reported_errors, say


@app.command("agree")
def agree_cli(
    annotations: Annotated[Path, typer.Argument(help="AnnotatedDoc JSONL with several annotators per doc_id (from pull or convert).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout instead of tables.")] = False,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Also write the JSON report to this file (atomically).")] = None,
    bootstrap: Annotated[int, typer.Option("--bootstrap", min=0, help="Document resamples for the 95% intervals (0: none).")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap: the same input and seed give the same numbers.")] = 0,
    include_models: Annotated[bool, typer.Option("--include-models", help="Compare model records (annotator model:...) like people.")] = False,
    schema_path: SchemaOption = None,
    force: ForceOption = False,
) -> None:
    """Inter-annotator agreement: span F1 and alpha_U, token alpha/kappa, relations, triples, attributes, with CIs."""
    from .. import agreement
    from ..io import guard_output, write_text_atomic
    from ..records import read_docs
    from ..schema import load_schema

    with reported_errors():
        if output is not None:
            guard_output(output, inputs=[annotations], ours=agreement.is_report_file, force=force)
        report = agreement.compute(read_docs(annotations), bootstrap=bootstrap, seed=seed, include_models=include_models,
                                   schema=load_schema(schema_path), source=str(annotations))
        data = report.to_dict()
        if output is not None:
            write_text_atomic(output, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    if as_json:
        print_json(data)
    else:
        for part in agreement.render(report):
            err.print(part)
    if output is not None:
        say(f"Wrote {output}")
