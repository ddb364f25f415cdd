"""Pre-annotation with a pipeline trained by `annotate train`: the learned spans, the rules' spans, or both.

A trained pipeline (annotate.train) carries the base pipeline and the rule components, then the span model, whose
spans land in doc.spans["attribution_learned"] with scores. The last component added here, `attribution_merge`,
turns them into the one group every later step reads, doc.spans["attribution"] (spans, scores, attributes, links),
according to the mode:

- rules: the rules' spans and links only (the span model is not run);
- model: the learned spans only, linked by the nearest-in-sentence linker below;
- hybrid (the default with a trained pipeline): learned spans win where they overlap a rule span of the same label,
  rule spans fill in where the model is silent. A rule link is kept where both its ends survive (and a learned span
  identical to a rule span takes over its links and attributes); what is left unlinked goes to the nearest linker.

The nearest linker: a CLAIM gets the nearest CUE outside it within its sentences (one sentence either side of a
claim that spans several); a linked CLAIM gets the SOURCE of another claim of the same cue, else the SOURCE nearest
the cue in the cue's sentence, outside the claim; a SUPPLEMENT goes to the nearest CLAIM in its sentence.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy
from spacy.language import Language
from spacy.tokens import Doc, Span, SpanGroup

from ..errors import ConfigError
from .model import SPAN_KEY

MODES = ("rules", "model", "hybrid")
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
    nlp.add_pipe(MERGE_NAME, config={"mode": mode, "learned_key": trained["spans_key"]})
    nlp.meta["attribution_mode"] = mode
    return nlp


@Language.factory(MERGE_NAME, default_config={"mode": "hybrid", "learned_key": LEARNED_KEY})
def make_merge(nlp: Language, name: str, mode: str, learned_key: str) -> AttributionMerge:
    return AttributionMerge(check_mode(mode, trained=True), learned_key)


class AttributionMerge:
    def __init__(self, mode: str, learned_key: str = LEARNED_KEY) -> None:
        self.mode = mode
        self.learned_key = learned_key

    def __call__(self, doc: Doc) -> Doc:
        learned = doc.spans[self.learned_key] if self.learned_key in doc.spans else None
        if learned is not None:
            del doc.spans[self.learned_key]
        if self.mode == "rules":
            return doc
        rules = doc.spans[SPAN_KEY] if SPAN_KEY in doc.spans else None
        chosen: dict[Item, tuple[float, dict[str, Any]]] = {}
        if learned is not None:
            # spancat stores one score per span, as an (n, 1) array in this spaCy version: flatten whatever shape.
            scores = numpy.asarray(learned.attrs.get("scores", []), dtype="float64").reshape(len(learned), -1)
            for index, span in enumerate(learned):
                chosen[(span.label_, span.start, span.end)] = (round(float(scores[index].max()), 4), {})
        kept_links: set[tuple[Item, Item, str]] = set()
        if rules is not None and self.mode == "hybrid":
            rule_items = [(span.label_, span.start, span.end) for span in rules]
            rule_scores = rules.attrs.get("scores", [])
            rule_attrs = rules.attrs.get("attrs", [])
            for index, item in enumerate(rule_items):
                attrs = dict(rule_attrs[index]) if index < len(rule_attrs) else {}
                if item in chosen:
                    chosen[item] = (chosen[item][0], attrs)
                elif not _overlaps_same_label(item, chosen):
                    chosen[item] = (float(rule_scores[index]) if index < len(rule_scores) else 1.0, attrs)
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
