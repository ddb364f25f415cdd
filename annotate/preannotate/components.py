"""The registered spaCy factories. Importing this module registers them (spaCy also finds them through the
`spacy_factories` entry points in pyproject.toml, so `spacy.load` of a saved pipeline works without an import).

`build_pipeline` passes every value from the config file it is given. An argument left out
(`nlp.add_pipe("attribution_cues")` on any English pipeline) comes from preannotate.toml (the user's config dir,
else the packaged one), read when the factory is called: importing reads no file, and a broken file stops the
build with its located ConfigError.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from spacy.language import Language

from .attributes import AttributionAttributes
from .cues import CueFinder
from .linker import AttributionLinker
from .model import register_extensions
from .paragraphs import ParagraphBreaks
from .quotes import QuoteFinder
from .roles import AttributionRoles
from .settings import load_settings
from .speakers import QuoteSpeakers

register_extensions()

# Pipeline order: quotations first (the role rules read them), the linker last.
COMPONENT_NAMES = ("attribution_paragraphs", "attribution_quotes", "attribution_cues", "attribution_roles",
                   "attribution_speakers",
                   "attribution_attributes", "attribution_linker")


def _with_defaults(method: str, given: dict[str, Any]) -> dict[str, Any]:
    """A factory's arguments (its `locals()`), each one left as None taken from preannotate.toml
    (`Settings.<method>()`); the file is read only when an argument is missing."""
    arguments = {name: value for name, value in given.items() if name not in ("nlp", "name")}
    if all(value is not None for value in arguments.values()):
        return arguments
    defaults = getattr(load_settings(), method)()
    return {name: defaults[name] if value is None else value for name, value in arguments.items()}


@Language.factory("attribution_paragraphs")
def make_paragraphs(nlp: Language, name: str) -> ParagraphBreaks:
    return ParagraphBreaks()


@Language.factory("attribution_quotes")
def make_quotes(nlp: Language, name: str, min_words: Optional[int] = None) -> QuoteFinder:
    return QuoteFinder(**_with_defaults("quotes_config", locals()))


@Language.factory("attribution_cues")
def make_cues(nlp: Language, name: str, verbs: Optional[List[str]] = None, nouns: Optional[List[str]] = None,
              adverbs: Optional[List[str]] = None, according_phrases: Optional[List[str]] = None,
              refusal_verbs: Optional[List[str]] = None, refusal_without_verbs: Optional[List[str]] = None,
              unanswered_verbs: Optional[List[str]] = None) -> CueFinder:
    return CueFinder(nlp.vocab, **_with_defaults("cues_config", locals()))


@Language.factory("attribution_roles")
def make_roles(nlp: Language, name: str, reporting_verbs: Optional[List[str]] = None,
               object_claim_verbs: Optional[List[str]] = None, recipient_verbs: Optional[List[str]] = None,
               belief_verbs: Optional[List[str]] = None, unmarked_when_negated: Optional[List[str]] = None,
               raising_verbs: Optional[List[str]] = None, as_verbs: Optional[List[str]] = None,
               figure_verbs: Optional[List[str]] = None, charge_verbs: Optional[List[str]] = None,
               refusal_complements: Optional[List[str]] = None, refusal_objects: Optional[List[str]] = None,
               refusal_without_verbs: Optional[List[str]] = None, medium_nouns: Optional[List[str]] = None,
               medium_prepositions: Optional[List[str]] = None, ignore_dependencies: Optional[List[str]] = None,
               scores: Optional[Dict[str, float]] = None, constructions: Optional[Dict[str, List[str]]] = None
               ) -> AttributionRoles:
    return AttributionRoles(**_with_defaults("roles_config", locals()))


@Language.factory("attribution_speakers")
def make_speakers(nlp: Language, name: str, max_sentences_back: Optional[int] = None,
                  max_paragraphs_back: Optional[int] = None, scores: Optional[Dict[str, float]] = None
                  ) -> QuoteSpeakers:
    return QuoteSpeakers(**_with_defaults("speakers_config", locals()))


@Language.factory("attribution_attributes")
def make_attributes(nlp: Language, name: str, stance: Optional[Dict[str, str]] = None,
                    certainty: Optional[Dict[str, List[str]]] = None, sources: Optional[Dict[str, List[str]]] = None,
                    statistical_entity_labels: Optional[List[str]] = None,
                    causal_markers: Optional[List[str]] = None, prediction_markers: Optional[List[str]] = None
                    ) -> AttributionAttributes:
    return AttributionAttributes(**_with_defaults("attributes_config", locals()))


@Language.factory("attribution_linker")
def make_linker(nlp: Language, name: str, min_score: Optional[float] = None,
                scores: Optional[Dict[str, float]] = None, drop_tensor: Optional[bool] = None,
                keep_intermediate: bool = False) -> AttributionLinker:
    return AttributionLinker(**_with_defaults("linker_config", locals()))
