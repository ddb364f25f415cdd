"""`annotate export`: training data with leakage-free seeded splits."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..export import ExportFormat
from ..export.tokens import ALIGNMENT_MODES
from ._app import app, err, print_json, reported_errors, say

# spaCy's char_span alignment modes, which the export passes on (export/tokens.py).
Alignment = StrEnum("Alignment", {mode: mode for mode in ALIGNMENT_MODES})


@app.command("export")
def export_cli(
    gold: Annotated[Path, typer.Argument(help="Records to export (JSONL), one version per document, e.g. gold data.")],
    export_format: Annotated[ExportFormat, typer.Option("--format", "-f", help="spacy (DocBin), jsonl (Prodigy), conll (BIO) or brat.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output directory.")],
    splits: Annotated[Optional[str], typer.Option("--splits", help="Shares for train,dev[,test], e.g. 0.8,0.1,0.1 (default: one 'all' split).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the split shuffle.")] = 0,
    alignment: Annotated[Alignment, typer.Option("--alignment", help="Spans off token boundaries: strict (leave out), contract or expand; all are reported.")] = Alignment.strict,
    model: Annotated[Optional[str], typer.Option("--model", help="Tokenizer: an installed spaCy pipeline, or blank:LANG.")] = None,
    annotator: Annotated[Optional[str], typer.Option("--annotator", help="Export only this annotator's records.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the export manifest on stdout.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an output folder that holds files the export did not write (it is replaced as a whole; never one that holds the input).")] = False,
) -> None:
    """Write training data (spaCy DocBin, Prodigy JSONL, CoNLL BIO, brat) with leakage-free seeded splits."""
    from ..export import MANIFEST, export_file

    with reported_errors():
        result = export_file(gold, export_format.value, output, ratios=splits, seed=seed, alignment=alignment.value,
                             model=model, annotator=annotator, force=force)
    if as_json:
        print_json(result.manifest)
    shown = ", ".join(f"{name} {split['documents']}" for name, split in result.splits.items())
    say(f"Wrote {export_format.value} to {result.output_dir}: {result.documents} documents ({shown}); "
        f"manifest {result.output_dir / MANIFEST}")
    for name, split in result.splits.items():
        if not split["documents"]:
            err.print(f"[yellow]Split {name} is empty[/]: too few documents or clusters for these shares.")
    if result.misaligned:
        err.print(f"[yellow]{len(result.misaligned)} spans do not fit token boundaries[/] (alignment {alignment.value}):")
        say(*(f"  {item.doc_id} {item.span_id} {item.label} {item.start}-{item.end} {item.text!r}: {item.outcome}"
              for item in result.misaligned[:5]))
        if len(result.misaligned) > 5:
            err.print(f"  ... {len(result.misaligned) - 5} more in {MANIFEST}")
    if result.overlaps:
        err.print(f"{len(result.overlaps)} overlapping spans could not go into a non-nesting layer; listed in {MANIFEST}.")
