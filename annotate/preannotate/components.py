"""The registered spaCy factories. Importing this module registers them (spaCy also finds them through the
`spacy_factories` entry points in pyproject.toml, so `spacy.load` of a saved pipeline works without an import).

Defaults come from configs/preannotate.toml, so `nlp.add_pipe("attribution_cues")` on any English pipeline works;
`build_pipeline` passes the values of the config file it is given.
"""

from __future__ import annotations

from typing import Any, Dict, List

from spacy.language import Language

from ..errors import AnnotateError
from .attributes import AttributionAttributes
from .cues import CueFinder
from .linker import AttributionLinker
from .model import register_extensions
from .paragraphs import ParagraphBreaks
from .quotes import QuoteFinder
from .roles import AttributionRoles
from .settings import Settings, load_settings
from .speakers import QuoteSpeakers

register_extensions()

# Pipeline order: quotations first (the role rules read them), the linker last.
COMPONENT_NAMES = ("attribution_paragraphs", "attribution_quotes", "attribution_cues", "attribution_roles",
                   "attribution_speakers",
                   "attribution_attributes", "attribution_linker")


def _defaults() -> Settings | None:
    try:
        return load_settings()
    except AnnotateError:
        return None


_DEFAULTS = _defaults()


def _default(method: str) -> dict[str, Any]:
    return getattr(_DEFAULTS, method)() if _DEFAULTS is not None else {}


@Language.factory("attribution_paragraphs")
def make_paragraphs(nlp: Language, name: str) -> ParagraphBreaks:
    return ParagraphBreaks()


@Language.factory("attribution_quotes", default_config=_default("quotes_config"))
def make_quotes(nlp: Language, name: str, min_words: int) -> QuoteFinder:
    return QuoteFinder(min_words=min_words)


@Language.factory("attribution_cues", default_config=_default("cues_config"))
def make_cues(nlp: Language, name: str, verbs: List[str], nouns: List[str], adverbs: List[str],
              according_phrases: List[str], refusal_verbs: List[str], refusal_without_verbs: List[str]) -> CueFinder:
    return CueFinder(nlp.vocab, verbs=verbs, nouns=nouns, adverbs=adverbs, according_phrases=according_phrases,
                     refusal_verbs=refusal_verbs, refusal_without_verbs=refusal_without_verbs)


@Language.factory("attribution_roles", default_config=_default("roles_config"))
def make_roles(nlp: Language, name: str, reporting_verbs: List[str], object_claim_verbs: List[str],
               recipient_verbs: List[str], belief_verbs: List[str], unmarked_when_negated: List[str],
               raising_verbs: List[str], as_verbs: List[str], figure_verbs: List[str], charge_verbs: List[str],
               refusal_complements: List[str],
               refusal_objects: List[str], refusal_without_verbs: List[str], medium_nouns: List[str],
               medium_prepositions: List[str], ignore_dependencies: List[str],
               scores: Dict[str, float], constructions: Dict[str, List[str]]) -> AttributionRoles:
    return AttributionRoles(
        reporting_verbs=reporting_verbs, object_claim_verbs=object_claim_verbs, recipient_verbs=recipient_verbs,
        belief_verbs=belief_verbs, unmarked_when_negated=unmarked_when_negated, raising_verbs=raising_verbs,
        as_verbs=as_verbs, figure_verbs=figure_verbs, charge_verbs=charge_verbs, refusal_complements=refusal_complements,
        refusal_objects=refusal_objects, refusal_without_verbs=refusal_without_verbs, medium_nouns=medium_nouns,
        medium_prepositions=medium_prepositions, ignore_dependencies=ignore_dependencies, scores=scores,
        constructions=constructions)


@Language.factory("attribution_speakers", default_config=_default("speakers_config"))
def make_speakers(nlp: Language, name: str, max_sentences_back: int, max_paragraphs_back: int,
                  scores: Dict[str, float]) -> QuoteSpeakers:
    return QuoteSpeakers(max_sentences_back=max_sentences_back, max_paragraphs_back=max_paragraphs_back,
                         scores=scores)


@Language.factory("attribution_attributes", default_config=_default("attributes_config"))
def make_attributes(nlp: Language, name: str, stance: Dict[str, str], certainty: Dict[str, List[str]],
                    sources: Dict[str, List[str]], statistical_entity_labels: List[str], causal_markers: List[str],
                    prediction_markers: List[str]) -> AttributionAttributes:
    return AttributionAttributes(stance=stance, certainty=certainty, sources=sources,
                                 statistical_entity_labels=statistical_entity_labels, causal_markers=causal_markers,
                                 prediction_markers=prediction_markers)


@Language.factory("attribution_linker", default_config=_default("linker_config"))
def make_linker(nlp: Language, name: str, min_score: float, scores: Dict[str, float],
                keep_intermediate: bool = False, drop_tensor: bool = True) -> AttributionLinker:
    return AttributionLinker(min_score=min_score, scores=scores, keep_intermediate=keep_intermediate,
                             drop_tensor=drop_tensor)
