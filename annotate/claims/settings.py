"""The claims settings (annotate/configs/claims.toml), read once into a typed, checked object."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import config_path, load_toml
from ..errors import ConfigError

CONFIG_NAME = "claims.toml"


@dataclass(frozen=True)
class ClaimsSettings:
    path: Path
    scales: Mapping[str, float]
    vague: Mapping[str, tuple[float, float]]
    range_joiners: tuple[str, ...]
    bounds_before: Mapping[str, str]  # phrase -> approximate | lower | upper
    bounds_after: Mapping[str, str]
    skip_entities: frozenset[str]
    year_range: tuple[int, int]
    units: Mapping[str, str]  # unit as written -> kind
    kind_of_word: Mapping[str, str]  # phrase -> kind
    related: frozenset[frozenset[str]]
    comparable: frozenset[frozenset[str]]
    demonym_kind: str
    predicate_class: Mapping[str, str]  # lemma -> its synonym class's first lemma
    aliases: Mapping[str, str]
    threshold: float
    weights: Mapping[str, float]
    related_kind_score: float
    max_ratio: float
    block_different_owners: bool
    include_unattributed: bool
    entity_labels: frozenset[str]
    owner_labels: frozenset[str]
    approximate_tolerance: float

    def kinds_related(self, first: str | None, second: str | None) -> bool:
        return first is not None and second is not None and frozenset((first, second)) in self.related

    def kinds_comparable(self, first: str | None, second: str | None) -> bool:
        """The same quantity: compared with each other for conflicts."""
        return first is not None and (first == second or frozenset((first, second)) in self.comparable)

    def party(self, name: str) -> str:
        """One name for a party: 'Pyongyang', 'North Korean' and 'North Korea' all give 'north korea'."""
        key = re.sub(r"^the\s+|['’]s$", "", name.lower().strip())
        return self.aliases.get(key, key)


def check_threshold(value: float, where: str) -> None:
    """A link score is a weighted mean of parts in [0, 1], so a threshold outside [0, 1] links all or nothing."""
    if not 0 <= value <= 1:
        raise ConfigError(f"{where} is {value:g}; a link threshold is between 0 and 1 (the default is 0.5)")


def _section(data: Mapping[str, Any], name: str, path: Path) -> Mapping[str, Any]:
    section = data.get(name)
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: section [{name}] is missing; restore it from annotate/configs/{CONFIG_NAME}")
    return section


def _get(section: Mapping[str, Any], key: str, kind: type | tuple[type, ...], path: Path, where: str) -> Any:
    value = section.get(key)
    if value is None or isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
        raise ConfigError(f"{path}: [{where}] {key} must be {getattr(kind, '__name__', kind)}, got {value!r}; "
                          f"see annotate/configs/{CONFIG_NAME}")
    return value


def _words(values: Any, path: Path, where: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ConfigError(f"{path}: {where} must be a list of words, got {values!r}")
    return [v.lower().strip() for v in values]


def _pairs(values: Any, path: Path, where: str) -> frozenset[frozenset[str]]:
    if not isinstance(values, list):
        raise ConfigError(f"{path}: {where} must be a list of [kind, kind] pairs")
    return frozenset(frozenset(_words(pair, path, where)) for pair in values)


def load_settings(explicit: str | os.PathLike[str] | None = None) -> ClaimsSettings:
    path = config_path(CONFIG_NAME, explicit)
    data = load_toml(path, what="claims config", option="--config")
    figures, kinds = _section(data, "figures", path), _section(data, "kinds", path)
    predicates, places = _section(data, "predicates", path), _section(data, "places", path)
    link, conflicts = _section(data, "link", path), _section(data, "conflicts", path)

    bounds_before = {}
    for bound in ("approximate", "lower", "upper"):
        bounds_before.update({word: bound for word in _words(figures.get(bound), path, f"[figures] {bound}")})
    bounds_after = {}
    for bound in ("approximate", "lower", "upper"):
        bounds_after.update({word: bound for word in _words(figures.get(bound + "_after", []), path,
                                                               f"[figures] {bound}_after")})
    kind_of_word: dict[str, str] = {}
    for kind, words in kinds.items():
        if kind in ("related", "comparable", "demonym_kind"):
            continue
        for word in _words(words, path, f"[kinds] {kind}"):
            kind_of_word[word] = kind
    predicate_class = {}
    for group in predicates.get("synonyms", []):
        words = _words(group, path, "[predicates] synonyms")
        predicate_class.update({word: words[0] for word in words})
    vague = {}
    for phrase, bounds in _get(figures, "vague", dict, path, "figures").items():
        if not (isinstance(bounds, list) and len(bounds) == 2 and all(isinstance(b, (int, float)) for b in bounds)):
            raise ConfigError(f"{path}: [figures] vague.{phrase} must be [low, high], got {bounds!r}")
        vague[phrase.lower()] = (float(bounds[0]), float(bounds[1]))
    threshold = float(_get(link, "threshold", (int, float), path, "link"))
    check_threshold(threshold, f"{path}: [link] threshold")
    weights = {name: float(_get(link, f"weight_{name}", (int, float), path, "link"))
               for name in ("kind", "predicate", "entities", "text")}
    years = _get(figures, "year_range", list, path, "figures")
    return ClaimsSettings(
        path=path,
        scales={k.lower(): float(v) for k, v in _get(figures, "scales", dict, path, "figures").items()},
        vague=vague, range_joiners=tuple(_words(figures.get("range_joiners"), path, "[figures] range_joiners")),
        bounds_before=bounds_before, bounds_after=bounds_after,
        skip_entities=frozenset(_get(figures, "skip_entities", list, path, "figures")),
        year_range=(int(years[0]), int(years[1])),
        units={k.lower(): str(v) for k, v in _get(figures, "units", dict, path, "figures").items()},
        kind_of_word=kind_of_word,
        related=_pairs(kinds.get("related", []), path, "[kinds] related"),
        comparable=_pairs(kinds.get("comparable", []), path, "[kinds] comparable"),
        demonym_kind=str(kinds.get("demonym_kind", "people")),
        predicate_class=predicate_class,
        aliases={k.lower(): str(v).lower() for k, v in _get(places, "aliases", dict, path, "places").items()},
        threshold=threshold,
        weights=weights,
        related_kind_score=float(_get(link, "related_kind_score", (int, float), path, "link")),
        max_ratio=float(_get(link, "max_ratio", (int, float), path, "link")),
        block_different_owners=bool(_get(link, "block_different_owners", bool, path, "link")),
        include_unattributed=bool(_get(link, "include_unattributed", bool, path, "link")),
        entity_labels=frozenset(_get(link, "entity_labels", list, path, "link")),
        owner_labels=frozenset(_get(link, "owner_labels", list, path, "link")),
        approximate_tolerance=float(_get(conflicts, "approximate_tolerance", (int, float), path, "conflicts")),
    )
