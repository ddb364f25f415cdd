"""build_pipeline: an installed English spaCy pipeline plus the entity ruler and the attribution components."""

from __future__ import annotations

import os

from spacy.language import Language

from ..errors import ConfigError
from ..nlp import load_pipeline, split_glued_quotes
from . import components
from .learned import TRAINED_META, check_mode, load_trained_pipeline, trained_pipeline_dir
from .settings import Settings, load_settings

RULER_NAME = "attribution_entity_ruler"


def is_attribution_pipeline(nlp: Language) -> bool:
    return all(nlp.has_pipe(name) for name in components.COMPONENT_NAMES)


def check_base(nlp: Language, model: str) -> None:
    if nlp.lang != "en":
        raise ConfigError(f"spaCy pipeline {model!r} is for language {nlp.lang!r}; the attribution rules need an "
                          "English pipeline (en_core_web_sm, _md, _lg or _trf)")
    missing = [part for part, present in (("parser", nlp.has_pipe("parser")),
                                          ("lemmatizer", any("lemmatizer" in name for name in nlp.pipe_names)))
               if not present]
    if missing:
        raise ConfigError(f"spaCy pipeline {model!r} has no {' or '.join(missing)}; the attribution rules read the "
                          "dependency parse and lemmas. Use a trained English pipeline such as en_core_web_sm")


def build_pipeline(model_name: str | None = None, config_path: str | os.PathLike[str] | None = None,
                   settings: Settings | None = None, mode: str | None = None) -> Language:
    """Load `model_name` (default: the preferred installed English pipeline) and add the attribution components,
    configured from `config_path` (default: configs/preannotate.toml). A pipeline saved with nlp.to_disk that
    already has them is returned as it is; a folder written by `annotate train` is loaded for `mode` (rules,
    model or hybrid: see learned.py)."""
    trained = trained_pipeline_dir(model_name)
    mode = check_mode(mode, trained is not None)
    if trained is not None:
        return load_trained_pipeline(trained, mode)
    nlp = load_pipeline(model_name)
    model = model_name or f"{nlp.lang}_{nlp.meta.get('name', '?')}"
    if is_attribution_pipeline(nlp):
        return nlp
    check_base(nlp, model)
    settings = settings or load_settings(config_path)
    if settings.section("tokenizer").get("split_glued_quotes", True):
        split_glued_quotes(nlp)
    if nlp.has_pipe("parser"):
        nlp.add_pipe("attribution_paragraphs", before="parser")
    patterns = settings.entity_patterns()
    if patterns:
        where = {"before": "ner"} if nlp.has_pipe("ner") else {}
        ruler = nlp.add_pipe("entity_ruler", name=RULER_NAME, **where)
        ruler.add_patterns(patterns)
    nlp.add_pipe("attribution_quotes", config=settings.quotes_config())
    nlp.add_pipe("attribution_cues", config=settings.cues_config())
    nlp.add_pipe("attribution_roles", config=settings.roles_config())
    nlp.add_pipe("attribution_speakers", config=settings.speakers_config())
    nlp.add_pipe("attribution_attributes", config=settings.attributes_config())
    nlp.add_pipe("attribution_linker", config=settings.linker_config())
    base = f"{nlp.lang}_{nlp.meta.get('name', 'pipeline')}"
    nlp.meta["name"] = f"{nlp.meta.get('name', 'pipeline')}_attribution"
    nlp.meta["version"] = f"{nlp.meta.get('version', '0.0.0')}+attr.{settings.hash}"
    nlp.meta["attribution"] = {"base_pipeline": base, "config_hash": settings.hash,
                               "entity_scores": settings.entity_scores()}
    return nlp


def annotator_name(nlp: Language) -> str:
    """model:<pipeline>@<version>, e.g. model:en_core_web_sm_attribution@3.8.0+attr.1a2b3c4d; for a trained
    pipeline model:<its folder>@<version>, with -rules or -model when not in the default hybrid mode."""
    if TRAINED_META in nlp.meta:
        mode = nlp.meta.get("attribution_mode", "hybrid")
        suffix = "" if mode == "hybrid" else f"-{mode}"
        return f"model:{nlp.meta.get('name', 'pipeline')}{suffix}@{nlp.meta.get('version', '0.0.0')}"
    return f"model:{nlp.lang}_{nlp.meta.get('name', 'pipeline')}@{nlp.meta.get('version', '0.0.0')}"
