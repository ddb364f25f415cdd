"""Pre-annotation with a pipeline trained by `annotate train`: the learned spans, the rules' spans, or both.

A trained pipeline (annotate.train) carries the base pipeline and the rule components, then the span model, whose
spans land in doc.spans["attribution_learned"] with scores. The last component added here, `attribution_merge`,
turns them into the one group every later step reads, doc.spans["attribution"] (spans, scores, attributes, links),
according to the mode:

- rules: the rules' spans and links only (the span model is not run);
- model: the learned spans only, linked by the nearest-in-sentence linker below;
- hybrid (the default with a trained pipeline): per label, whoever did better on the dev set at training time
  leads (the model where its exact F1 was at least the rules', else the rules; recorded in the pipeline's meta).
  Where the model leads, its spans scored 0.5 or more are kept, and a rule span is kept too when the model gave it
  at least 0.25 and no kept span of its label overlaps it (the model half agrees; a rule span it scored lower was
  seen and rejected: the rules are among its features and its candidates). Where the rules lead, their spans are
  kept and the model's spans scored 0.5 or more fill in where no rule span of the label overlaps. A span both
  propose carries the model's score and the rules' attributes and links. Rule links are kept where both ends
  survive; what is left unlinked goes to the nearest linker.

In both modes that use the model, of two learned spans of one label that are readings of the same span
(overlapping, sharing an edge or crossing) the higher-scored is kept.

The nearest linker: a CLAIM gets the nearest CUE outside it within its sentences (one sentence either side of a
claim that spans several); a linked CLAIM gets the SOURCE of another claim of the same cue, else the SOURCE nearest
the cue in the cue's sentence, outside the claim; a SUPPLEMENT goes to the nearest CLAIM in its sentence.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Dict

import numpy
from spacy.language import Language
from spacy.tokens import Doc, Span, SpanGroup

from ..errors import ConfigError
from .model import SPAN_KEY

MODES = ("rules", "model", "hybrid")
ACCEPT = 0.5  # a learned span on its own
AGREE = 0.25  # a rule span the model half agrees with (hybrid, where the model leads)
MERGE_NAME = "attribution_merge"
LEARNED_KEY = "attribution_learned"
TRAINED_META = "attribution_trained"

Item = tuple[str, int, int]  # label, token start, token end


def check_mode(mode: str | None, trained: bool) -> str:
    """The mode to run: hybrid by default with a trained pipeline, else rules."""
    if mode is None:
        return "hybrid" if trained else "rules"
    if mode not in MODES:
        raise ConfigError(f"--mode {mode!r} is not one of {', '.join(MODES)}")
    if mode != "rules" and not trained:
        raise ConfigError(f"--mode {mode} needs a trained pipeline: pass --model DIR, a folder written by "
                          "`annotate train -o DIR`")
    return mode


def trained_pipeline_dir(model: str | os.PathLike[str] | None) -> Path | None:
    """The pipeline folder inside a folder written by `annotate train` (DIR/model-best), or the folder itself when
    it is one; None for a package name. A folder that holds no trained pipeline is an error."""
    if model is None or not Path(model).is_dir():
        return None
    folder = Path(model)
    for candidate in (folder / "model-best", folder):
        meta = candidate / "meta.json"
        if (candidate / "config.cfg").is_file() and meta.is_file():
            try:
                if TRAINED_META in json.loads(meta.read_text(encoding="utf-8")):
                    return candidate
            except (OSError, ValueError):
                break
            return None  # a saved spaCy pipeline of another kind: the rule path loads it
    raise ConfigError(f"{folder}: not a pipeline trained by `annotate train` (no model-best/ with config.cfg and "
                      "meta.json); give the folder `annotate train -o DIR` wrote, or an installed spaCy pipeline name")


def load_trained_pipeline(folder: Path, mode: str) -> Language:
    import spacy

    from ..train import components  # noqa: F401  (the config names the span model's registered layers)

    nlp = spacy.load(folder)
    for name in list(nlp.disabled):
        nlp.enable_pipe(name)
    trained = nlp.meta[TRAINED_META]
    if mode == "rules":
        nlp.disable_pipe(trained["component"])
    elif mode == "hybrid":
        # Keep the spans between AGREE and ACCEPT too: the merge needs the model's opinion of the rule spans.
        nlp.get_pipe(trained["component"]).cfg["threshold"] = AGREE
    nlp.add_pipe(MERGE_NAME, config={"mode": mode, "learned_key": trained["spans_key"],
                                     "lead": dict(trained.get("lead", {}))})
    nlp.meta["attribution_mode"] = mode
    return nlp


@Language.factory(MERGE_NAME, default_config={"mode": "hybrid", "learned_key": LEARNED_KEY, "lead": {}})
def make_merge(nlp: Language, name: str, mode: str, learned_key: str, lead: Dict[str, str]) -> AttributionMerge:
    return AttributionMerge(check_mode(mode, trained=True), learned_key, lead)


class AttributionMerge:
    def __init__(self, mode: str, learned_key: str = LEARNED_KEY, lead: Mapping[str, str] | None = None) -> None:
        self.mode = mode
        self.learned_key = learned_key
        self.lead = dict(lead or {})  # label -> "model" | "rules"; a label not named: the rules lead

    def __call__(self, doc: Doc) -> Doc:
        learned = doc.spans[self.learned_key] if self.learned_key in doc.spans else None
        if learned is not None:
            del doc.spans[self.learned_key]
        if self.mode == "rules":
            return doc
        rules = doc.spans[SPAN_KEY] if SPAN_KEY in doc.spans else None
        learned_items: dict[Item, float] = {}
        if learned is not None:
            # spancat stores one score per span, as an (n, 1) array in this spaCy version: flatten whatever shape.
            scores = numpy.asarray(learned.attrs.get("scores", []), dtype="float64").reshape(len(learned), -1)
            ranked = sorted(((round(float(scores[index].max()), 4), (span.label_, span.start, span.end))
                             for index, span in enumerate(learned)), key=lambda pair: (-pair[0], pair[1]))
            for score, item in ranked:
                if not any(_variants(item, other) for other in learned_items):
                    learned_items[item] = score
        rule_items: list[Item] = []
        rule_values: dict[Item, tuple[float, dict[str, Any]]] = {}
        if rules is not None and self.mode == "hybrid":
            rule_scores, rule_attrs = rules.attrs.get("scores", []), rules.attrs.get("attrs", [])
            for index, span in enumerate(rules):
                item = (span.label_, span.start, span.end)
                rule_items.append(item)
                rule_values[item] = (float(rule_scores[index]) if index < len(rule_scores) else 1.0,
                                     dict(rule_attrs[index]) if index < len(rule_attrs) else {})
        chosen = self._choose(learned_items, rule_values)
        kept_links: set[tuple[Item, Item, str]] = set()
        if rules is not None and self.mode == "hybrid":
            for a, b, label in rules.attrs.get("links", []):
                if rule_items[a] in chosen and rule_items[b] in chosen:
                    kept_links.add((rule_items[a], rule_items[b], label))
        links = nearest_links(doc, list(chosen), kept_links)
        order = sorted(chosen, key=lambda item: (item[1], item[2], item[0]))
        position = {item: number for number, item in enumerate(order)}
        group = SpanGroup(doc, name=SPAN_KEY, spans=[Span(doc, start, end, label=label) for label, start, end in order])
        group.attrs["scores"] = [chosen[item][0] for item in order]
        group.attrs["attrs"] = [chosen[item][1] for item in order]
        group.attrs["links"] = sorted([position[a], position[b], label] for a, b, label in links)
        doc.spans[SPAN_KEY] = group
        return doc

    def _choose(self, learned: dict[Item, float],
                rules: dict[Item, tuple[float, dict[str, Any]]]) -> dict[Item, tuple[float, dict[str, Any]]]:
        """item -> (score, attributes) of the spans to keep (see the module docstring)."""
        chosen: dict[Item, tuple[float, dict[str, Any]]] = {}
        confident = {item: score for item, score in learned.items() if score >= ACCEPT}
        if self.mode == "model":
            return {item: (score, {}) for item, score in confident.items()}
        for item, score in confident.items():
            if self.lead.get(item[0]) == "model" or not _overlaps_same_label(item, rules):
                chosen[item] = (score, dict(rules[item][1]) if item in rules else {})
        for item, (score, attrs) in rules.items():
            if item in chosen:
                continue
            if self.lead.get(item[0]) == "model":
                if learned.get(item, 0.0) >= AGREE and not _overlaps_same_label(item, chosen):
                    chosen[item] = (learned[item], attrs)
            else:
                chosen[item] = (learned.get(item, score), attrs)
        return chosen


def _variants(a: Item, b: Item) -> bool:
    """Two readings of one span: same label, overlapping, and not one nested inside the other without a shared
    edge (a claim inside a claim is kept; "plan failed" beside "the plan failed" is one span twice)."""
    if a[0] != b[0] or not (a[1] < b[2] and b[1] < a[2]):
        return False
    nested = (a[1] <= b[1] and b[2] <= a[2]) or (b[1] <= a[1] and a[2] <= b[2])
    return not nested or a[1] == b[1] or a[2] == b[2]


def _overlaps_same_label(item: Item, chosen: dict[Item, Any]) -> bool:
    label, start, end = item
    return any(other[0] == label and other[1] < end and start < other[2] for other in chosen)


def _gap(a: Item, b: Item) -> int:
    """Tokens between two spans (0 when they touch or overlap)."""
    return max(a[1] - b[2], b[1] - a[2], 0)


def nearest_links(doc: Doc, items: list[Item], links: set[tuple[Item, Item, str]]) -> set[tuple[Item, Item, str]]:
    """`links` completed for the spans they leave unlinked (see the module docstring)."""
    sentence = _sentence_numbers(doc)
    links = set(links)

    def sentences(item: Item, margin: int = 0) -> range:
        return range(sentence[item[1]] - margin, sentence[item[2] - 1] + margin + 1)

    def nearest(item: Item, label: str, within: range, anchor: Item | None = None) -> Item | None:
        """The `label` span in sentences `within` nearest `anchor` (default: `item`), not nested in `item`."""
        anchor = anchor or item
        candidates = [other for other in items if other[0] == label and sentence[other[1]] in within
                      and not (item[1] <= other[1] and other[2] <= item[2])]
        return min(candidates, key=lambda other: (_gap(other, anchor), other[1]), default=None)

    by_label: dict[str, list[Item]] = {}
    for item in items:
        by_label.setdefault(item[0], []).append(item)
    for claim in by_label.get("CLAIM", []):
        cue = next((a for a, b, label in links if label == "cue_of" and b == claim), None)
        if cue is None:
            many = sentence[claim[1]] != sentence[claim[2] - 1]
            cue = nearest(claim, "CUE", sentences(claim, 1 if many else 0))
            if cue is None:
                continue
            links.add((cue, claim, "cue_of"))
        if any(label == "attributed_to" and a == claim for a, b, label in links):
            continue
        shared = sorted(b for a, b, label in links if label == "attributed_to"
                        and (cue, a, "cue_of") in links)
        source = shared[0] if shared else nearest(claim, "SOURCE", sentences(cue), anchor=cue)
        if source is not None:
            links.add((claim, source, "attributed_to"))
    for supplement in by_label.get("SUPPLEMENT", []):
        if not any(label == "supplement_of" and a == supplement for a, b, label in links):
            claim = nearest(supplement, "CLAIM", sentences(supplement))
            if claim is not None:
                links.add((supplement, claim, "supplement_of"))
    return links


def _sentence_numbers(doc: Doc) -> list[int]:
    numbers = [0] * len(doc)
    if doc.has_annotation("SENT_START"):
        for number, sent in enumerate(doc.sents):
            numbers[sent.start:sent.end] = [number] * (sent.end - sent.start)
    return numbers
