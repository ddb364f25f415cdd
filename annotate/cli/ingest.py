"""`annotate ingest`: articles in, clean article records out."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import Executor, ForceOption, SchedulerOption, app, check_scheduler, print_json, reported_errors, say


@app.command("ingest")
def ingest_cli(
    paths: Annotated[list[Path], typer.Argument(help="Articles: .txt files (one article each), .jsonl with a \"text\" field, .html pages, or folders of them.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the article records (JSONL).")],
    report: Annotated[Optional[str], typer.Option("--report", help="Write every removed line (source, line, rule, reason, text) to FILE: .jsonl/.json as JSON Lines, else TSV; '-' prints TSV to stderr.")] = None,
    rules_path: Annotated[Optional[Path], typer.Option("--rules", help="Boilerplate and near-duplicate rules (default: $ANNOTATE_CONFIG_DIR/boilerplate.toml, else the packaged one).")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Stop with an error at the first bad input instead of skipping it.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")] = False,
    force: ForceOption = False,
    executor: Annotated[Executor, typer.Option("--executor", help="local: the near-duplicate pass in this process; dask: its per-document and per-pair parts on a Dask cluster (the dask extra: pip install .\\[dask]), the LSH index here; same output bytes.")] = Executor.local,
    scheduler: SchedulerOption = None,
    n_process: Annotated[int, typer.Option("--n-process", help="With --executor dask and no --scheduler: worker processes of the local cluster.")] = 1,
) -> None:
    """Clean, normalise and de-duplicate articles into article records; flag near-duplicate passages."""
    from ..distributed import dask_map
    from ..errors import ConfigError
    from ..ingest import format_removed, ingest, is_removed_report, load_rules, write_removed
    from ..io import guard_output, looks_like_records
    from ..records import write_docs

    with reported_errors():
        check_scheduler(executor, scheduler)
        if n_process < 1:
            raise ConfigError(f"--n-process must be 1 or more, got {n_process}")
        if n_process != 1 and executor is not Executor.dask:
            raise ConfigError("--n-process needs --executor dask (the local near-duplicate pass runs in one process)")
        guard_output(output, inputs=paths, ours=looks_like_records, force=force)
        if report and report != "-":
            guard_output(report, inputs=[*paths, output], ours=is_removed_report, force=force, option="--report")
        rules = load_rules(rules_path)
        # The cluster is reached before anything is read: a wrong --scheduler fails in seconds, not after the cleaning.
        with (dask_map(scheduler, n_process, key_prefix="near-duplicates") if executor is Executor.dask
              else nullcontext()) as run_on:
            result = ingest(paths, rules=rules, strict=strict, exclude=[output], executor=run_on)
        write_docs(output, result.docs)
        if report == "-":
            sys.stderr.write(format_removed(result.report, "tsv"))  # raw: rich would expand the tabs
        elif report:
            write_removed(result.report, report)
        say(*result.report.summary_lines())
        say(f"Wrote {output}" + (f"; removed lines in {report}" if report and report != "-" else ""))
        if as_json:
            print_json(result.report.summary())
