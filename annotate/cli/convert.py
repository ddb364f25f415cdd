"""`annotate convert`: brat, Prodigy or Label Studio annotations into records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import ForceOption, app, reported_errors, say


@app.command("convert")
def convert_cli(
    path: Annotated[Path, typer.Argument(help="brat folder (or .txt/.ann), Prodigy JSONL, or Label Studio JSON export.")],
    source: Annotated[str, typer.Option("--from", help="Input format: brat, prodigy or labelstudio.")] = ...,
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the AnnotatedDoc JSONL (atomically).")] = ...,
    label_map: Annotated[Optional[str], typer.Option("--label-map", help="Rename labels: Person=SOURCE,Say=CUE; relation labels with rel:, e.g. rel:Content=cue_of.")] = None,
    annotator: Annotated[Optional[str], typer.Option("--annotator", help="Annotator name for files that do not carry one (brat <doc>.ann, Prodigy without _annotator_id).")] = None,
    force: ForceOption = False,
) -> None:
    """Convert brat, Prodigy or Label Studio annotations into AnnotatedDoc records."""
    from collections import Counter

    from ..convert import convert, parse_label_map
    from itertools import chain

    from ..errors import RecordError
    from ..io import guard_output, looks_like_records
    from ..records import write_docs

    with reported_errors():
        guard_output(output, inputs=[path], ours=looks_like_records, force=force)
        mapping = parse_label_map(label_map)
        skipped: Counter = Counter()
        notes: list[str] = []
        used: set[str] = set()
        docs = iter(convert(source, path, label_map=mapping, annotator=annotator, skipped=skipped, notes=notes,
                            used_labels=used))
        first = next(docs, None)
        if first is None:  # checked before writing: an empty output would pass for a real one downstream
            left_out = "; ".join(f"{n} {what}" for what, n in sorted(skipped.items()))
            raise RecordError(str(path), None, None, f"no records to convert{f' (left out: {left_out})' if left_out else ''}",
                              f"Check that it is a {source} export with annotations")
        count = write_docs(output, chain([first], docs))
    say(*(f"Warning: {note}" for note in notes))
    unused = sorted(mapping.keys() - used)
    if unused:
        say(f"Warning: --label-map names labels that never occur: {', '.join(unused)}")
    left_out = "; ".join(f"{n} {what}" for what, n in sorted(skipped.items()))
    say(f"Wrote {count} records to {output}" + (f" (left out: {left_out})" if left_out else ""))
