"""The model card written beside a trained pipeline (DIR/README.md): data, labels, dev scores, versions, command."""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any

from ..io import write_text_atomic
from .data import Splits, label_counts


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for package in ("annotate-claims", "spacy", "thinc"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    return found


def render_model_card(result: Any, *, splits: Splits, train_path: str, dev_path: str | None, config_path: str,
                      base: str | None, seed: int, command: str, config: Any) -> str:
    train_counts, dev_counts = label_counts(splits.train), label_counts(splits.dev)
    training = config["training"]
    lines = [
        f"# {result.annotator}",
        "",
        "A spaCy pipeline trained by `annotate train` to predict attribution spans (SOURCE, CUE, CLAIM, SUPPLEMENT)",
        "with scores. Use it with `annotate preannotate --model DIR [--mode hybrid|model|rules]`; links come from",
        "the rules and a nearest-in-sentence linker (docs/train.md).",
        "",
        "## Data",
        "",
        f"- training records: `{train_path}`, {result.train_docs} documents, {result.train_words:,} tokens",
        (f"- dev records: `{dev_path}`, {result.dev_docs} document(s)" if dev_path else
         f"- dev records: {result.dev_docs} document(s) held out of the training file (seed {seed}, whole "
         "near-duplicate clusters)"),
        f"- gold spans widened to token boundaries: {result.misaligned}",
        "",
        "| label | training spans | dev spans | dev P | dev R | dev F1 | rules' dev F1 | hybrid lead |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label in result.labels:
        scores = result.dev_scores.get(label, {})
        cells = [f"{scores[key]:.3f}" if key in scores else "–" for key in ("p", "r", "f")]
        rules_f = result.rules_dev_scores.get(label, {}).get("f")
        lines.append(f"| {label} | {train_counts[label]} | {dev_counts[label]} | {' | '.join(cells)} | "
                     f"{'–' if rules_f is None else f'{rules_f:.3f}'} | {result.lead.get(label, 'rules')} |")
    lines += [
        "",
        f"Dev scores are exact span matches of the span model alone, best checkpoint (F1 {result.best_score:.3f}), and of",
        "the rules alone on the same dev set; hybrid pre-annotation starts, per label, from whichever scored higher.",
        "`annotate evaluate` gives the scores of the combined output.",
        "",
        "## Training",
        "",
        f"- base pipeline: {base}",
        f"- config: `{config_path}`; seed {seed}; max_epochs {training['max_epochs']}, patience {training['patience']},"
        f" eval_frequency {training['eval_frequency']}",
        f"- {result.steps} steps, {result.epochs + 1} epochs, {result.seconds:.0f} s"
        + (" (stopped by the time budget)" if result.stopped_by_budget else ""),
        f"- command: `{command or 'annotate.train.train(...)'}`",
        "",
        "## Versions",
        "",
    ]
    lines += [f"- {name} {value}" for name, value in _versions().items()]
    return "\n".join(lines) + "\n"


def write_model_card(path: Path, result: Any, **details: Any) -> Path:
    write_text_atomic(path, render_model_card(result, **details))
    return path
