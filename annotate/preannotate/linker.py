"""The last component: attributions become the spans and links of `doc.spans["attribution"]`.

Spans that several attributions share (one SOURCE for two claims, one CUE for the pieces of a broken quote) are
kept once. Scores and attributes ride in the span group's attrs (parallel lists), and so do the links, as
[from index, to index, relation] into the group (read them as `doc._.attribution_links`).
"""

from __future__ import annotations

from typing import Any

import numpy
from spacy.tokens import Doc, Span, SpanGroup

from .model import (ATTRIBUTIONS, CUE_CANDIDATES, QUOTATIONS, SPAN_KEY, Rule, TokenRange, get_attributions,
                    make_serialisable)
from .phrases import CACHE_KEY


class AttributionLinker:
    def __init__(self, min_score: float = 0.5, scores: dict[str, float] | None = None,
                 keep_intermediate: bool = False, drop_tensor: bool = True) -> None:
        self.min_score = min_score
        self.scores = dict(scores or {})
        # Keep doc._.attributions and the quotation and cue-candidate groups (for debugging and rule tests).
        self.keep_intermediate = keep_intermediate
        # The tok2vec tensor (96 floats a token, most of a Doc's bytes) is not needed once the rules have run;
        # without it a Doc crosses between processes (n_process > 1) many times faster.
        self.drop_tensor = drop_tensor

    def __call__(self, doc: Doc) -> Doc:
        keys: dict[tuple[str, int, int], int] = {}
        scores: list[float] = []
        attrs: list[dict[str, str]] = []
        links: set[tuple[int, int, str]] = set()

        def add(label: str, token_range: TokenRange, score: float, span_attrs: dict[str, Any]) -> int:
            key = (label, token_range[0], token_range[1])
            if key in keys:
                index = keys[key]
                scores[index] = max(scores[index], score)
                for name, value in span_attrs.items():
                    attrs[index].setdefault(name, value)
                return index
            keys[key] = len(scores)
            scores.append(score)
            attrs.append(dict(span_attrs))
            return keys[key]

        pronoun_factor = self.scores.get("pronoun_source", 1.0)
        supplement_factor = self.scores.get("supplement", 1.0)
        for item in get_attributions(doc):
            if item.rule == Rule.PENDING or item.score < self.min_score:
                continue
            claims = [(k, claim) for k, claim in enumerate(item.claims) if item.claim_score(k) >= self.min_score]
            if not claims and item.rule != Rule.NO_COMMENT:
                continue
            cue = add("CUE", item.cue, item.score, item.attrs.get("cue", {}))
            source = None
            if item.source is not None:
                is_pronoun = all(token.pos_ == "PRON" for token in doc[item.source[0]:item.source[1]])
                source = add("SOURCE", item.source, item.score * (pronoun_factor if is_pronoun else 1.0),
                             item.attrs.get("source", {}))
            claim_attrs = item.attrs.get("claims", [])
            for k, claim in claims:
                index = add("CLAIM", claim, item.claim_score(k), claim_attrs[k] if k < len(claim_attrs) else {})
                links.add((cue, index, "cue_of"))
                if source is not None:
                    links.add((index, source, "attributed_to"))
                for supplement in item.supplements:
                    links.add((add("SUPPLEMENT", supplement, item.score * supplement_factor, {}), index,
                               "supplement_of"))
        order = sorted(keys, key=lambda key: (key[1], key[2], key[0]))
        new_index = {keys[key]: position for position, key in enumerate(order)}
        group = SpanGroup(doc, name=SPAN_KEY, spans=[Span(doc, start, end, label=label) for label, start, end in order])
        group.attrs["scores"] = [round(scores[keys[key]], 4) for key in order]
        group.attrs["attrs"] = [attrs[keys[key]] for key in order]
        group.attrs["links"] = sorted([new_index[a], new_index[b], label] for a, b, label in links)
        doc.user_data.pop(CACHE_KEY, None)
        if self.drop_tensor:
            doc.tensor = numpy.zeros((0,), dtype="float32")
        doc.spans[SPAN_KEY] = group
        if not self.keep_intermediate:
            # The working data has served; dropping it keeps the Doc small to ship between processes.
            for key in (QUOTATIONS, CUE_CANDIDATES):
                if key in doc.spans:
                    del doc.spans[key]
            doc.user_data.pop(("._.", ATTRIBUTIONS, None, None), None)
        else:
            make_serialisable(doc)
        return doc
