"""Tokenising for export and aligning character offsets to tokens, with every mismatch reported.

Offsets come from people in a browser; tokens come from spaCy. When a span does not start and end on token
boundaries, the alignment mode decides what happens, and the report says so: "strict" leaves the span out,
"contract" shrinks it to the tokens inside, "expand" grows it to the tokens it touches. Nothing is widened silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from ..errors import ConfigError
from ..records import AnnotatedDoc, Span
from ..schema import Schema

AlignmentMode = Literal["strict", "contract", "expand"]
ALIGNMENT_MODES: tuple[AlignmentMode, ...] = ("strict", "contract", "expand")


@dataclass(frozen=True)
class Misaligned:
    """A span whose offsets are not on token boundaries, and what the export did with it."""

    doc_id: str
    span_id: str
    label: str
    start: int
    end: int
    text: str
    outcome: str  # "left out", or "expanded to 10-24" / "contracted to 11-20"

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "span_id": self.span_id, "label": self.label, "start": self.start,
                "end": self.end, "text": self.text, "outcome": self.outcome}


@dataclass(frozen=True)
class Aligned:
    """A span on token boundaries: token_start inclusive, token_end exclusive (spaCy's convention)."""

    span: Span
    token_start: int
    token_end: int
    start: int  # character offsets after alignment (equal to span's in strict mode)
    end: int


@dataclass
class SplitContext:
    """What every format's split writer gets: the tokenizer (None for brat), the schema, the alignment mode, and
    the lists it reports misfit and unrepresentable spans into (they end up in the manifest)."""

    nlp: Any
    schema: Schema
    mode: AlignmentMode
    misaligned: list[Misaligned] = field(default_factory=list)
    overlaps: list[Misaligned] = field(default_factory=list)


def tokenizer(model: str | None = None):
    """A spaCy Language used only for tokenising (its pipeline is empty; callers must not add to it).

    `blank:LANG` gives spaCy's rule-based tokenizer for that language; otherwise the tokenizer of the installed
    pipeline (default: the English pipeline pre-annotation uses) with pre-annotation's tokenizer settings from
    configs/preannotate.toml, so pre-annotated offsets align."""
    from ..nlp import default_model_name

    return _tokenizer(model or default_model_name())


@lru_cache(maxsize=4)
def _tokenizer(model: str):
    import spacy

    if model.startswith("blank:"):
        try:
            return spacy.blank(model.split(":", 1)[1])
        except (ImportError, KeyError) as error:
            raise ConfigError(f"{model!r}: spaCy has no language {model.split(':', 1)[1]!r}") from error
    from ..nlp import load_pipeline, split_glued_quotes
    from ..preannotate.settings import load_settings

    nlp = load_pipeline(model)
    for name in list(nlp.pipe_names):
        nlp.remove_pipe(name)
    if load_settings().section("tokenizer").get("split_glued_quotes", True):
        split_glued_quotes(nlp)
    return nlp


def check_mode(mode: str) -> AlignmentMode:
    if mode not in ALIGNMENT_MODES:
        raise ConfigError(f"alignment mode {mode!r} is not one of {', '.join(ALIGNMENT_MODES)}")
    return mode  # type: ignore[return-value]


def align(doc, record: AnnotatedDoc, spans: Iterable[Span], mode: AlignmentMode,
          report: list[Misaligned]) -> list[Aligned]:
    """Spans of `record` on the tokens of `doc`; misfits are appended to `report`."""
    aligned = []
    for span in spans:
        window = doc.char_span(span.start, span.end, alignment_mode="strict")
        if window is None:
            if mode != "strict":
                window = doc.char_span(span.start, span.end, alignment_mode=mode)
                if window is not None and window.start_char == window.end_char:
                    window = None
            outcome = ("left out" if window is None else
                       f"{'expanded' if mode == 'expand' else 'contracted'} to {window.start_char}-{window.end_char}")
            report.append(Misaligned(record.doc_id, span.id, span.label, span.start, span.end, span.text, outcome))
            if window is None or len(window) == 0:
                continue
        aligned.append(Aligned(span, window.start, window.end, window.start_char, window.end_char))
    return aligned


def non_overlapping(items: Sequence[Aligned]) -> tuple[list[Aligned], list[Aligned]]:
    """Keep the longest spans that do not overlap (earlier first on ties), as spacy.util.filter_spans does;
    also return the ones left out."""
    ranked = sorted(items, key=lambda a: (-(a.token_end - a.token_start), a.token_start, a.span.label, a.span.id))
    taken: set[int] = set()
    kept, dropped = [], []
    for item in ranked:
        tokens = set(range(item.token_start, item.token_end))
        if tokens & taken:
            dropped.append(item)
        else:
            kept.append(item)
            taken |= tokens
    kept.sort(key=lambda a: (a.token_start, a.token_end))
    dropped.sort(key=lambda a: (a.token_start, a.token_end))
    return kept, dropped
