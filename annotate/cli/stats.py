"""`annotate stats`: corpus, attribution and annotator statistics."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..matching import MatchMode
from ._app import ForceOption, app, err, print_json, reported_errors, say, warn

# Long tables: plotted in the HTML report and listed in --json, too long for a terminal.
NOT_IN_TERMINAL = ("span_lengths", "attributions")


@app.command("stats")
def stats_cli(
    records: Annotated[Path, typer.Argument(help="Any records (JSONL): articles, predictions, annotations or gold.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print every table as JSON on stdout.")] = False,
    html: Annotated[Optional[Path], typer.Option("--html", help="Also write a self-contained HTML report with plots.")] = None,
    model: Annotated[Optional[str], typer.Option("--model", help="spaCy pipeline for tokens, sentences and lemmas.")] = None,
    top: Annotated[int, typer.Option("--top", help="How many top sources and cues to list.")] = 20,
    match: Annotated[MatchMode, typer.Option("--match", help="Span match for annotator agreement: exact or overlap.")] = MatchMode.exact,
    force: ForceOption = False,
) -> None:
    """Corpus, attribution and annotator statistics; tables, --json, or an offline HTML report."""
    from rich.table import Table

    from ..io import guard_output, write_text_atomic
    from ..records import read_docs
    from ..report_html import is_report
    from ..stats import corpus_stats, frame_records

    with reported_errors():
        if html is not None:
            guard_output(html, inputs=[records], ours=is_report, force=force, option="--html")
        stats = corpus_stats(read_docs(records), model=model, top=top, mode=match.value, source=str(records))
        warn(stats.notes)
        if html is not None:
            from ..report_html import render_report

            write_text_atomic(html, render_report(stats, title=f"Corpus report: {records.name}", source=records.name))
    if as_json:
        print_json(stats.to_dict())
    else:
        for name, frame in stats.tables().items():
            if name in NOT_IN_TERMINAL or frame.empty:
                continue
            table = Table(title=name.replace("_", " "), title_justify="left")
            if name == "agreement":
                frame = frame.reset_index()
            for column in frame.columns:
                table.add_column(str(column).replace("_", " "))
            for row in frame_records(frame):
                table.add_row(*("–" if value is None else str(value) for value in row.values()))
            err.print(table)
    if html is not None:
        say(f"Wrote {html}")
