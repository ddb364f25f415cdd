"""configs/preannotate.toml: read, checked against the schema, and split into one config dict per component.

The components receive plain data (lists, dicts, numbers), so spaCy writes it into the saved pipeline's config.cfg
and a pipeline loaded from disk needs no file from this repository.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any

from ..config import config_path, load_toml, packaged_config_dir
from ..errors import ConfigError
from .model import Rule

CONFIG_FILE = "preannotate.toml"
DEFAULT_CONFIG_PATH = packaged_config_dir() / CONFIG_FILE

STANCES = ("neutral", "distancing", "hedged", "factive")
# Kinds of verb cue ([cues.verbs.<kind>]); the kind decides which constructions a verb may take (rules/verbs.py).
VERB_KINDS = ("communication", "cognition", "intention", "evidence", "evaluation")
# Lists of [cues] that the construction rules read (rules/constructions.py, rules/punctuation.py).
CONSTRUCTION_KEYS = ("naming_verbs", "comparison_verbs", "prepositional_cues", "agent_nouns",
                     "cue_adjective_prepositions", "transcript_non_speakers", "credit_dashes",
                     "inanimate_subject_verbs", "infinitive_nouns", "agent_suffixes", "not_agent_nouns",
                     "unanswered_verbs", "verdict_verbs")
SOURCE_TYPES = ("anonymous_official", "anonymous_other", "document")
# [scores]: one per rule that reports (a pending cue has none), and the factors of the speakers and the linker.
SCORE_KEYS = (*(rule.value for rule in Rule if rule is not Rule.PENDING), "quote_continued", "pronoun_source",
              "supplement")

# Every key the file may hold, per section: a typo is an error, not a silently ignored setting.
_SHAPE: dict[str, dict[str, type | tuple[type, ...]]] = {
    "pipeline": {"min_score": (int, float), "drop_tensor": bool},
    "tokenizer": {"split_glued_quotes": bool},
    "cues": {"object_claim_verbs": list, "recipient_verbs": list, "unmarked_when_negated": list,
             **{key: list for key in CONSTRUCTION_KEYS}, "adjectives": dict,
             "raising_verbs": list, "as_verbs": list, "figure_verbs": list, "charge_verbs": list, "refusal_objects": list,
             "refusal_without_verbs": list, "refusal_verbs": list, "extra_stances": dict, "refusal_complements": list,
             "according_phrases": list, "medium_nouns": list, "medium_prepositions": list,
             "ignore_dependencies": list, "verbs": dict, "nouns": dict, "adverbs": dict},
    "quotes": {"min_words": int, "max_sentences_back": int, "max_paragraphs_back": int},
    "scores": {key: (int, float) for key in SCORE_KEYS},
    "sources": {"anonymous_official": list, "anonymous_other": list, "document": list, "organization_nouns": list,
                "person_titles": list, "media_nouns": list, "media_outlets": list},
    "certainty": {"probable": list, "possible": list, "cue_probable": list, "cue_possible": list},
    "claims": {"statistical_entity_labels": list, "causal_markers": list, "prediction_markers": list},
    "entities": {"ner_score": (int, float), "gazetteer_score": (int, float), "gazetteer": dict, "patterns": list},
}


@dataclass(frozen=True)
class Settings:
    """The checked contents of one preannotate config file."""

    path: str
    raw: dict[str, Any] = field(repr=False)

    @property
    def hash(self) -> str:
        canonical = json.dumps(self.raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:8]

    def section(self, name: str) -> dict[str, Any]:
        return self.raw.get(name, {})

    # One config dict per registered component ------------------------------------------------------------

    def quotes_config(self) -> dict[str, Any]:
        return {"min_words": self.section("quotes").get("min_words", 4)}

    def cues_config(self) -> dict[str, Any]:
        cues = self.section("cues")
        # Verbs that are cues only in one construction ("were seen to", "views as") are candidates too.
        extra = (cues.get("raising_verbs", []) + cues.get("as_verbs", []) + cues.get("figure_verbs", [])
                 + cues.get("charge_verbs", []))
        return {
            "verbs": sorted(set(self.verb_lemmas()) | {v.lower() for v in extra}),
            "nouns": _flatten(cues.get("nouns", {})),
            "adverbs": _flatten(cues.get("adverbs", {})),
            "according_phrases": cues.get("according_phrases", ["according to"]),
            "refusal_verbs": cues.get("refusal_verbs", []),
            "unanswered_verbs": cues.get("unanswered_verbs", []),
            "refusal_without_verbs": cues.get("refusal_without_verbs", []),
        }

    def verb_kinds(self) -> dict[str, list[str]]:
        """Lemmas per verb kind (a lemma may have several kinds: "call" for, "call" X Y)."""
        verbs = self.section("cues").get("verbs", {})
        return {kind: _flatten(verbs.get(kind, {})) for kind in VERB_KINDS}

    def verb_lemmas(self) -> list[str]:
        return sorted({lemma for lemmas in self.verb_kinds().values() for lemma in lemmas})

    def roles_config(self) -> dict[str, Any]:
        cues = self.section("cues")
        kinds = self.verb_kinds()
        constructions = {key: cues.get(key, []) for key in CONSTRUCTION_KEYS}
        constructions.update({f"{kind}_verbs": lemmas for kind, lemmas in kinds.items()})
        constructions["cue_adjectives"] = _flatten(cues.get("adjectives", {}))
        constructions["agent_nouns"] = sorted({noun.lower() for key in ("anonymous_official", "anonymous_other",
                                                                         "organization_nouns", "person_titles",
                                                                         "media_nouns")
                                               for noun in self.section("sources").get(key, [])}
                                              | {noun.lower() for noun in cues.get("agent_nouns", [])})
        constructions["document_nouns"] = sorted({noun.lower() for noun in self.section("sources").get("document", [])})
        return {
            "reporting_verbs": self.verb_lemmas(),
            # Negated, a verb of these kinds keeps its claim ("we do not believe that ...", "does not plan to ...").
            "belief_verbs": sorted(set(kinds["cognition"]) | set(kinds["intention"])),
            "constructions": constructions,
            **{key: cues.get(key, []) for key in (
                "object_claim_verbs", "recipient_verbs", "unmarked_when_negated", "raising_verbs",
                "as_verbs", "figure_verbs", "charge_verbs", "refusal_complements", "refusal_objects", "refusal_without_verbs",
                "medium_nouns", "medium_prepositions", "ignore_dependencies")},
            "scores": self.scores(),
        }

    def speakers_config(self) -> dict[str, Any]:
        quotes = self.section("quotes")
        return {"max_sentences_back": quotes.get("max_sentences_back", 3),
                "max_paragraphs_back": quotes.get("max_paragraphs_back", 1), "scores": self.scores()}

    def attributes_config(self) -> dict[str, Any]:
        cues = self.section("cues")
        stance: dict[str, str] = {}
        # Verbs first (in kind order), then nouns, adjectives and adverbs: a lemma listed twice keeps its first stance.
        tables = [cues.get("verbs", {}).get(kind, {}) for kind in VERB_KINDS]
        tables += [cues.get(kind, {}) for kind in ("nouns", "adjectives", "adverbs")]
        for table in tables:
            for name in STANCES:
                for lemma in table.get(name, []):
                    stance.setdefault(lemma.lower(), name)
        for lemma, name in cues.get("extra_stances", {}).items():
            stance.setdefault(lemma.lower(), name)
        sources = self.section("sources")
        return {
            "stance": stance,
            "certainty": {name: [w.lower() for w in words] for name, words in self.section("certainty").items()},
            "sources": {name: list(values) for name, values in sources.items()},
            "statistical_entity_labels": self.section("claims").get("statistical_entity_labels", []),
            "causal_markers": self.section("claims").get("causal_markers", []),
            "prediction_markers": self.section("claims").get("prediction_markers", []),
        }

    def linker_config(self) -> dict[str, Any]:
        pipeline = self.section("pipeline")
        return {"min_score": float(pipeline.get("min_score", 0.5)), "scores": self.scores(),
                "drop_tensor": bool(pipeline.get("drop_tensor", True))}

    def scores(self) -> dict[str, float]:
        return {key: float(value) for key, value in self.section("scores").items()}

    def entity_patterns(self) -> list[dict[str, Any]]:
        """Entity-ruler patterns: the phrase gazetteer, then the token patterns, all with the id "gazetteer"."""
        entities = self.section("entities")
        patterns: list[dict[str, Any]] = []
        for label, phrases in sorted(entities.get("gazetteer", {}).items()):
            patterns.extend({"label": label, "pattern": phrase, "id": "gazetteer"} for phrase in phrases)
        for item in entities.get("patterns", []):
            patterns.append({"label": item["label"], "pattern": item["pattern"], "id": "gazetteer"})
        return patterns

    def entity_scores(self) -> dict[str, float]:
        entities = self.section("entities")
        return {"ner": float(entities.get("ner_score", 0.8)), "gazetteer": float(entities.get("gazetteer_score", 0.95))}


def _flatten(by_stance: dict[str, list[str]]) -> list[str]:
    return sorted({lemma.lower() for lemmas in by_stance.values() for lemma in lemmas})


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Read and check a preannotate config; errors name the file and the key at fault."""
    settings_path = config_path(CONFIG_FILE, path)
    raw = load_toml(settings_path, what="preannotate config", option="--config")
    _check(raw, str(settings_path))
    return Settings(path=str(settings_path), raw=raw)


def _check(raw: dict[str, Any], where: str) -> None:
    from ..schema import load_schema

    for section, value in raw.items():
        if section == "version":
            continue
        if section not in _SHAPE:
            raise ConfigError(f"{where}: unknown section [{section}] (known: {', '.join(sorted(_SHAPE))})")
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: [{section}] must be a table")
        for key, item in value.items():
            expected = _SHAPE[section].get(key)
            if expected is None:
                raise ConfigError(f"{where}: unknown key {section}.{key} (known: {', '.join(sorted(_SHAPE[section]))})")
            if not isinstance(item, expected) or isinstance(item, bool) and expected is not bool:
                raise ConfigError(f"{where}: {section}.{key} has the wrong type ({type(item).__name__})")
            if isinstance(item, list) and key != "patterns" and not all(isinstance(x, str) for x in item):
                raise ConfigError(f"{where}: {section}.{key} must be a list of strings")
    for section in ("pipeline", "scores", "entities"):
        for key, item in raw.get(section, {}).items():
            if isinstance(item, (int, float)) and not isinstance(item, bool) and not 0.0 <= item <= 1.0:
                raise ConfigError(f"{where}: {section}.{key} = {item} must lie in [0, 1]")
    tables = []
    for kind, by_stance in raw.get("cues", {}).get("verbs", {}).items():
        if kind not in VERB_KINDS:
            raise ConfigError(f"{where}: cues.verbs.{kind} is not a kind of verb cue (use one of "
                              f"{', '.join(VERB_KINDS)}, each a table of cue_stance = [lemmas])")
        if not isinstance(by_stance, dict):
            raise ConfigError(f"{where}: cues.verbs.{kind} must be a table of cue_stance = [lemmas]")
        tables.append((f"verbs.{kind}", by_stance))
    tables += [(kind, raw.get("cues", {}).get(kind, {})) for kind in ("nouns", "adjectives", "adverbs")]
    for name, by_stance in tables:
        for stance, lemmas in by_stance.items():
            if stance not in STANCES:
                raise ConfigError(f"{where}: cues.{name}.{stance} is not a cue_stance "
                                  f"(use one of {', '.join(STANCES)})")
            if not isinstance(lemmas, list) or not all(isinstance(x, str) for x in lemmas):
                raise ConfigError(f"{where}: cues.{name}.{stance} must be a list of lemmas")
    for lemma, stance in raw.get("cues", {}).get("extra_stances", {}).items():
        if stance not in STANCES:
            raise ConfigError(f"{where}: cues.extra_stances.{lemma} = {stance!r} is not a cue_stance "
                              f"(use one of {', '.join(STANCES)})")
    for name in ("min_words", "max_sentences_back", "max_paragraphs_back"):
        value = raw.get("quotes", {}).get(name)
        if value is not None and value < 0:
            raise ConfigError(f"{where}: quotes.{name} must not be negative")
    schema = load_schema()
    entity_labels = {label.name for layer in schema.layers if layer.name != "span" for label in layer.labels}
    entities = raw.get("entities", {})
    for label, phrases in entities.get("gazetteer", {}).items():
        if label not in entity_labels:
            raise ConfigError(f"{where}: entities.gazetteer.{label} is not an entity label of the schema "
                              f"(known: {', '.join(sorted(entity_labels))})")
        if not isinstance(phrases, list) or not all(isinstance(x, str) and x.strip() for x in phrases):
            raise ConfigError(f"{where}: entities.gazetteer.{label} must be a list of non-empty strings")
    for index, item in enumerate(entities.get("patterns", [])):
        if not isinstance(item, dict) or set(item) != {"label", "pattern"}:
            raise ConfigError(f"{where}: entities.patterns[{index}] needs exactly the keys label and pattern")
        if item["label"] not in entity_labels:
            raise ConfigError(f"{where}: entities.patterns[{index}].label {item['label']!r} is not an entity label "
                              "of the schema")
        if not isinstance(item["pattern"], (str, list)):
            raise ConfigError(f"{where}: entities.patterns[{index}].pattern must be a phrase or a list of token "
                              "patterns")
    for label in raw.get("claims", {}).get("statistical_entity_labels", []):
        if label not in entity_labels:
            raise ConfigError(f"{where}: claims.statistical_entity_labels has {label!r}, not an entity label of "
                              "the schema")
