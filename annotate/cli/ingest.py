"""`annotate ingest`: articles in, clean article records out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import ForceOption, app, print_json, reported_errors, say


@app.command("ingest")
def ingest_cli(
    paths: Annotated[list[Path], typer.Argument(help="Articles: .txt files (one article each), .jsonl with a \"text\" field, .html pages, or folders of them.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the article records (JSONL).")],
    report: Annotated[Optional[str], typer.Option("--report", help="Write every removed line (source, line, rule, reason, text) to FILE: .jsonl/.json as JSON Lines, else TSV; '-' prints TSV to stderr.")] = None,
    rules_path: Annotated[Optional[Path], typer.Option("--rules", help="Boilerplate and near-duplicate rules (default: $ANNOTATE_CONFIG_DIR/boilerplate.toml, else the packaged one).")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Stop with an error at the first bad input instead of skipping it.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")] = False,
    force: ForceOption = False,
) -> None:
    """Clean, normalise and de-duplicate articles into article records; flag near-duplicate passages."""
    from ..ingest import format_removed, ingest, is_removed_report, load_rules, write_removed
    from ..io import guard_output, looks_like_records
    from ..records import write_docs

    with reported_errors():
        guard_output(output, inputs=paths, ours=looks_like_records, force=force)
        if report and report != "-":
            guard_output(report, inputs=[*paths, output], ours=is_removed_report, force=force, option="--report")
        result = ingest(paths, rules=load_rules(rules_path), strict=strict, exclude=[output])
        write_docs(output, result.docs)
        if report == "-":
            sys.stderr.write(format_removed(result.report, "tsv"))  # raw: rich would expand the tabs
        elif report:
            write_removed(result.report, report)
        say(*result.report.summary_lines())
        say(f"Wrote {output}" + (f"; removed lines in {report}" if report and report != "-" else ""))
        if as_json:
            print_json(result.report.summary())
