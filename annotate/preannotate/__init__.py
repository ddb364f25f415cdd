"""spaCy pre-annotation of claims and their attribution (SOURCE, CUE, CLAIM, SUPPLEMENT, links, attributes).

    from annotate.preannotate import build_pipeline
    nlp = build_pipeline("en_core_web_sm")          # any installed English pipeline
    doc = nlp("Western officials told the BBC that 1,000 had been killed.")
    doc.spans["attribution"], doc._.attribution_links

The attribution logic is a set of registered spaCy components (see components.py), configured from
configs/preannotate.toml; conventions in docs/preannotate.md.
"""

from __future__ import annotations

from . import components  # noqa: F401  (registers the factories and the Doc extensions)
from .components import COMPONENT_NAMES
from .distributed import preannotate_file_dask
from .to_record import doc_to_record
from .pipeline import annotator_name, build_pipeline
from .run import PreannotateResult, count_records, preannotate_docs, preannotate_file
from .settings import DEFAULT_CONFIG_PATH, Settings, load_settings

__all__ = ["COMPONENT_NAMES", "DEFAULT_CONFIG_PATH", "PreannotateResult", "Settings", "annotator_name",
           "build_pipeline", "count_records", "doc_to_record", "load_settings", "preannotate_docs",
           "preannotate_file", "preannotate_file_dask"]
