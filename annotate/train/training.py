"""`train`: gold records in, a spaCy pipeline out that predicts attribution spans with scores.

The pipeline is the base English pipeline and the rule components (frozen, sourced from the rule pipeline that
pre-annotation builds) followed by `attribution_spancat`, a span categorizer whose token features include the base
pipeline's tags, dependencies and entity types and the rules' own spans. The frozen part runs once over the corpus
before training (it is disabled while spaCy's loop trains the span model) and is enabled again when the pipeline
is loaded for pre-annotation. Training is spaCy's own loop (`spacy.training.loop.train`) driven by
`configs/train.cfg`; it keeps the best model on the dev set in DIR/model-best.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import config_path as resolve_config_path
from ..config import read_config_text
from ..errors import ConfigError
from ..export.tokens import Misaligned
from ..preannotate.pipeline import build_pipeline
from .components import ATTRIBUTION_LABELS, LEARNED_KEY, subscribed
from .data import label_counts, load_splits, write_corpus

SPAN_COMPONENT = "attribution_spancat"
BEST = "model-best"
TRAINING_FOLDER = "training"
SCORES_KEY = f"spans_{LEARNED_KEY}_per_type"
TRAINED_KEY = "attribution_trained"  # the meta entry that marks a trained pipeline (read by preannotate.learned)


@dataclass(frozen=True)
class TrainEvent:
    """What `train` reports as it goes. kind: "preprocess" (documents done of total), "step" (one update),
    "evaluation" (score: dev F1 over all labels; per_label: {label: {"p", "r", "f"}}), "budget" (the time budget ran out)."""

    kind: str
    done: int = 0
    total: int = 0
    epoch: int = 0
    step: int = 0
    score: float = 0.0
    loss: float = 0.0
    per_label: Mapping[str, Mapping[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class TrainResult:
    output_dir: str
    model_dir: str  # DIR/model-best: load this (or DIR) with `annotate preannotate --model`
    annotator: str
    train_docs: int
    dev_docs: int
    dev_held_out: bool
    train_words: int
    labels: tuple[str, ...]
    best_score: float
    dev_scores: Mapping[str, Mapping[str, float]]  # label -> {"p", "r", "f"} of the best model
    steps: int
    epochs: int
    seconds: float
    stopped_by_budget: bool
    misaligned: int  # gold spans widened to whole tokens
    rules_dev_scores: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # the rules alone on dev
    lead: Mapping[str, str] = field(default_factory=dict)  # label -> "model" or "rules": who leads in hybrid mode

    def to_dict(self) -> dict[str, Any]:
        return {name: (dict(value) if isinstance(value, Mapping) else value)
                for name, value in self.__dict__.items()}


def describe(event: TrainEvent) -> str:
    """One line for an evaluation or the end of the time budget, e.g. for the CLI."""
    if event.kind == "budget":
        return f"Time budget reached after {event.step} steps; the best model so far is kept"
    scores = "  ".join(f"{label} P {values['p']:.2f} R {values['r']:.2f} F {values['f']:.2f}"
                       for label, values in event.per_label.items())
    return f"epoch {event.epoch} step {event.step}: dev F1 {event.score:.3f}  {scores}  (loss {event.loss:.1f})"


def _per_label(scores: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    per_type = scores.get(SCORES_KEY) or {}
    return {label: {key: round(float(value), 4) for key, value in values.items()}
            for label, values in sorted(per_type.items())}


def lead_by_label(model: Mapping[str, Mapping[str, float]],
                  rules: Mapping[str, Mapping[str, float]]) -> dict[str, str]:
    """Per label, whose spans hybrid pre-annotation starts from: the model where its dev F1 is at least the
    rules' (exact spans, same dev set), else the rules. A small gold set keeps the rules in front."""
    lead = {}
    for label in ATTRIBUTION_LABELS:
        model_f, rules_f = model.get(label, {}).get("f", 0.0), rules.get(label, {}).get("f", 0.0)
        lead[label] = "model" if model_f > 0 and model_f >= rules_f else "rules"
    return lead


def _record_in_meta(folder: Path, values: Mapping[str, Any]) -> None:
    """Add what is known only after training to the saved pipeline's meta (spaCy wrote it at the checkpoint)."""
    path = folder / "meta.json"
    if not path.is_file():
        return
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta.setdefault(TRAINED_KEY, {}).update(values)
    path.write_text(json.dumps(meta, indent=2, sort_keys=True), encoding="utf-8")


def load_train_config(explicit: str | os.PathLike[str] | None):
    from thinc.api import Config

    path = resolve_config_path("train.cfg", explicit)
    text = read_config_text(path, what="training config", option="--config")
    try:
        config = Config().from_str(text, interpolate=False)
    except Exception as error:  # thinc raises several kinds for a bad file
        raise ConfigError(f"{path}: training config is not a valid spaCy config ({error})") from error
    for section in ("nlp", "components", "training", "paths"):
        if section not in config:
            raise ConfigError(f"{path}: training config has no [{section}] section; start from "
                              "annotate/configs/train.cfg")
    if SPAN_COMPONENT not in config["components"]:
        raise ConfigError(f"{path}: training config has no [components.{SPAN_COMPONENT}]; start from "
                          "annotate/configs/train.cfg")
    return path, config


def model_slug(output_dir: Path) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", output_dir.resolve().name) or "attribution"


def train(train_path: str | os.PathLike[str], output_dir: str | os.PathLike[str], *,
          dev_path: str | os.PathLike[str] | None = None, base_model: str | None = None,
          max_epochs: int | None = None, seed: int = 0, config_path: str | os.PathLike[str] | None = None,
          max_minutes: float | None = None, overrides: Mapping[str, Any] | None = None,
          command: str = "", on_progress: Callable[[TrainEvent], None] | None = None) -> TrainResult:
    """Train the span model on gold records and save the pipeline in `output_dir` (model-best, model-last, a model
    card README.md). `max_epochs`, `max_minutes` and `overrides` ({"training.patience": 400, ...}) change the
    config's values; the config file is configs/train.cfg unless `config_path` names another."""
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train as spacy_train

    started = time.monotonic()
    report = on_progress or (lambda event: None)
    output = Path(output_dir)
    cfg_path, config = load_train_config(config_path)
    splits = load_splits(train_path, dev_path, seed)
    rules = build_pipeline(base_model)
    work = output / TRAINING_FOLDER
    work.mkdir(parents=True, exist_ok=True)
    rules_dir = work / "rules"
    rules.to_disk(rules_dir)

    total = len(splits.train) + len(splits.dev)
    done = 0

    def one_more() -> None:
        nonlocal done
        done += 1
        report(TrainEvent("preprocess", done=done, total=total))

    misaligned: list[Misaligned] = []
    paths = {name: work / f"{name}.spacy" for name in ("train_predicted", "train_reference", "dev_predicted",
                                                      "dev_reference")}
    train_words, _ = write_corpus(rules, splits.train, paths["train_predicted"], paths["train_reference"],
                                  misaligned, one_more)
    _, rules_on_dev = write_corpus(rules, splits.dev, paths["dev_predicted"], paths["dev_reference"], misaligned,
                                   one_more)

    frozen = list(rules.pipe_names)
    for name, path in paths.items():
        config["paths"][name] = str(path)
    for name in frozen:
        config["components"][name] = {"source": str(rules_dir)}
    config["nlp"]["pipeline"] = [*frozen, SPAN_COMPONENT]
    config["nlp"]["disabled"] = frozen
    config["training"]["frozen_components"] = frozen
    config["system"]["seed"] = seed
    config["training"]["seed"] = seed
    if max_epochs is not None:
        if max_epochs < 1:
            raise ConfigError(f"--max-epochs must be 1 or more, got {max_epochs}")
        config["training"]["max_epochs"] = max_epochs
    budget = float(config["training"]["batcher"].get("max_minutes", 0) if max_minutes is None else max_minutes)
    if budget:
        # The budget covers the whole run; what pre-processing used is taken off the training part.
        config["training"]["batcher"]["max_minutes"] = max(budget - (time.monotonic() - started) / 60, 0.01)
    for dotted, value in (overrides or {}).items():
        *sections, key = dotted.split(".")
        target = config
        for section in sections:
            target = target[section]
        target[key] = value
    try:
        nlp = init_nlp(config)
    except (ValueError, KeyError) as error:  # spaCy's config validation errors
        raise ConfigError(f"{cfg_path}: spaCy cannot build the training pipeline: {error}") from error

    labels = tuple(label for label in ATTRIBUTION_LABELS if label in label_counts(splits.train))
    # The version names what the model was trained from (not where, nor how long the budget left), so the same
    # data, config and seed give the same version.
    fingerprint = hashlib.sha256(json.dumps({
        "train": [record.doc_id for record in splits.train], "dev": [record.doc_id for record in splits.dev],
        "config": cfg_path.read_text(encoding="utf-8"), "overrides": {k: str(v) for k, v in (overrides or {}).items()},
        "max_epochs": max_epochs, "seed": seed, "rules": rules.meta.get("version")},
        sort_keys=True).encode()).hexdigest()[:8]
    slug = model_slug(output)
    nlp.meta["name"] = slug
    nlp.meta["version"] = f"1.0.0+{fingerprint}"
    nlp.meta[TRAINED_KEY] = {"labels": list(labels), "spans_key": LEARNED_KEY,
                                       "component": SPAN_COMPONENT, "frozen": frozen,
                                       "base_pipeline": rules.meta.get("attribution", {}).get("base_pipeline"),
                                       "rules_version": rules.meta.get("version")}

    progress: dict[str, Any] = {"steps": 0, "epochs": 0, "budget": False, "best": None}

    def relay(event: dict[str, Any]) -> None:
        if event["event"] == "step":
            progress["steps"] += 1
            report(TrainEvent("step", step=progress["steps"]))
        elif event["event"] == "budget":
            progress["budget"] = True
        elif event["event"] == "evaluation":
            progress["steps"] = event["step"]
            progress["epochs"] = event["epoch"]
            evaluation = TrainEvent("evaluation", epoch=event["epoch"], step=event["step"],
                                    score=float(event["scores"].get(f"spans_{LEARNED_KEY}_f") or 0.0), loss=float(sum(event["losses"].values())),
                                    per_label=_per_label(event["scores"]))
            # spaCy saves model-best when the score equals or beats every earlier one; so does this.
            if progress["best"] is None or evaluation.score >= progress["best"].score:
                progress["best"] = evaluation
            report(evaluation)

    with subscribed(relay):
        spacy_train(nlp, output, use_gpu=-1, stdout=io.StringIO(), stderr=io.StringIO())
    if progress["budget"]:
        report(TrainEvent("budget", step=progress["steps"], epoch=progress["epochs"]))

    best = output / BEST
    best_evaluation = progress["best"] or TrainEvent("evaluation")
    rules_dev = rules_on_dev.scores()
    lead = lead_by_label(best_evaluation.per_label, rules_dev)
    for folder in (best, output / "model-last"):
        _record_in_meta(folder, {"lead": lead, "rules_dev": rules_dev, "model_dev": dict(best_evaluation.per_label)})
    result = TrainResult(
        output_dir=str(output), model_dir=str(best), annotator=f"model:{slug}@{nlp.meta['version']}",
        train_docs=len(splits.train), dev_docs=len(splits.dev), dev_held_out=splits.held_out,
        train_words=train_words, labels=labels,
        best_score=round(best_evaluation.score, 4), dev_scores=best_evaluation.per_label, steps=progress["steps"], epochs=progress["epochs"],
        seconds=round(time.monotonic() - started, 1), stopped_by_budget=progress["budget"],
        misaligned=len(misaligned), rules_dev_scores=rules_dev, lead=lead)
    from .card import write_model_card

    write_model_card(output / "README.md", result, splits=splits, train_path=str(train_path),
                     dev_path=None if dev_path is None else str(dev_path), config_path=str(cfg_path),
                     base=nlp.meta[TRAINED_KEY]["base_pipeline"], seed=seed, command=command,
                     config=config)
    return result



