"""The agreement report: frozen dataclasses, their stable JSON form, and rich tables for people.

JSON layout (`AgreementReport.to_dict()`), every coefficient being {"value", "ci_low", "ci_high"}:
  spans.{exact,overlap}.{micro,per_label.<label>}.{f1,matched,n_a,n_b}, spans.unitizing_alpha(_per_label)
  tokens.{alpha,fleiss_kappa,cohen_kappa_mean}, tokens.per_label.<label>.*, tokens.layers.<layer>.*
  relations.{exact,overlap}.{micro,per_label}, triples.{exact,overlap}
  attributes.<name>.{alpha,n_pairs,n_one_sided}, pairs.<a>.<b>.*, gold.<annotator>.*
Floats are rounded to 6 decimals so that the same input gives the same bytes on any machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..io import json_with_keys

DECIMALS = 6


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), DECIMALS)


@dataclass(frozen=True)
class Coefficient:
    """A point value with its bootstrap 95% interval; None where undefined or not resampled."""

    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None

    def to_dict(self) -> dict[str, float | None]:
        return {"value": _round(self.value), "ci_low": _round(self.ci_low), "ci_high": _round(self.ci_high)}

    def __str__(self) -> str:
        if self.value is None:
            return "—"
        if self.ci_low is None or self.ci_high is None:
            return f"{self.value:.3f}"
        return f"{self.value:.3f} [{self.ci_low:.3f}, {self.ci_high:.3f}]"


UNDEFINED = Coefficient(None)


@dataclass(frozen=True)
class F1Score:
    """Pooled F1 over all annotator pairs and documents, with the counts behind it."""

    f1: Coefficient
    matched: int
    n_a: int
    n_b: int

    def to_dict(self) -> dict[str, Any]:
        return {"f1": self.f1.to_dict(), "matched": self.matched, "n_a": self.n_a, "n_b": self.n_b}


@dataclass(frozen=True)
class ModeScores:
    micro: F1Score
    per_label: Mapping[str, F1Score]

    def to_dict(self) -> dict[str, Any]:
        return {"micro": self.micro.to_dict(), "per_label": {k: v.to_dict() for k, v in sorted(self.per_label.items())}}


@dataclass(frozen=True)
class SpanAgreement:
    exact: ModeScores
    overlap: ModeScores
    unitizing_alpha: Coefficient
    unitizing_alpha_per_label: Mapping[str, Coefficient]

    def to_dict(self) -> dict[str, Any]:
        return {"exact": self.exact.to_dict(), "overlap": self.overlap.to_dict(),
                "unitizing_alpha": self.unitizing_alpha.to_dict(),
                "unitizing_alpha_per_label": {k: v.to_dict() for k, v in sorted(self.unitizing_alpha_per_label.items())}}


@dataclass(frozen=True)
class TokenCoefficients:
    alpha: Coefficient
    fleiss_kappa: Coefficient
    cohen_kappa_mean: Coefficient

    def to_dict(self) -> dict[str, Any]:
        return {"alpha": self.alpha.to_dict(), "fleiss_kappa": self.fleiss_kappa.to_dict(),
                "cohen_kappa_mean": self.cohen_kappa_mean.to_dict()}


@dataclass(frozen=True)
class TokenAgreement:
    """Token-level coefficients: overall for the first schema layer present, per label (label vs rest), per layer."""

    layer: str | None
    labels: tuple[str, ...]
    n_tokens: int
    overall: TokenCoefficients
    per_label: Mapping[str, TokenCoefficients]
    layers: Mapping[str, TokenCoefficients]

    def to_dict(self) -> dict[str, Any]:
        return {**self.overall.to_dict(), "layer": self.layer, "labels": list(self.labels), "n_tokens": self.n_tokens,
                "per_label": {k: v.to_dict() for k, v in sorted(self.per_label.items())},
                "layers": {k: v.to_dict() for k, v in sorted(self.layers.items())}}


@dataclass(frozen=True)
class RelationAgreement:
    exact: ModeScores
    overlap: ModeScores

    def to_dict(self) -> dict[str, Any]:
        return {"exact": self.exact.to_dict(), "overlap": self.overlap.to_dict()}


@dataclass(frozen=True)
class TripleAgreement:
    exact: F1Score
    overlap: F1Score

    def to_dict(self) -> dict[str, Any]:
        return {"exact": self.exact.to_dict(), "overlap": self.overlap.to_dict()}


@dataclass(frozen=True)
class AttributeAgreement:
    """alpha over span pairs matched on overlap and label where both gave a value (n_pairs);
    n_one_sided pairs had a value on one side only and are not in alpha."""

    alpha: Coefficient
    n_pairs: int
    n_one_sided: int

    def to_dict(self) -> dict[str, Any]:
        return {"alpha": self.alpha.to_dict(), "n_pairs": self.n_pairs, "n_one_sided": self.n_one_sided}


@dataclass(frozen=True)
class PairAgreement:
    n_docs: int
    spans_exact_f1: Coefficient
    spans_overlap_f1: Coefficient
    tokens_cohen_kappa: Coefficient

    def to_dict(self) -> dict[str, Any]:
        return {"n_docs": self.n_docs, "spans_exact_f1": self.spans_exact_f1.to_dict(),
                "spans_overlap_f1": self.spans_overlap_f1.to_dict(), "tokens_cohen_kappa": self.tokens_cohen_kappa.to_dict()}


@dataclass(frozen=True)
class PRF:
    """An annotator scored against gold: precision reads the annotator as prediction, recall reads gold as reference."""

    precision: Coefficient
    recall: Coefficient
    f1: Coefficient
    matched: int
    n_annotator: int
    n_gold: int

    def to_dict(self) -> dict[str, Any]:
        return {"precision": self.precision.to_dict(), "recall": self.recall.to_dict(), "f1": self.f1.to_dict(),
                "matched": self.matched, "n_annotator": self.n_annotator, "n_gold": self.n_gold}


@dataclass(frozen=True)
class GoldComparison:
    n_docs: int
    spans: Mapping[str, PRF]
    relations: Mapping[str, PRF]
    triples: Mapping[str, PRF]

    def to_dict(self) -> dict[str, Any]:
        return {"n_docs": self.n_docs, "spans": {k: v.to_dict() for k, v in self.spans.items()},
                "relations": {k: v.to_dict() for k, v in self.relations.items()},
                "triples": {k: v.to_dict() for k, v in self.triples.items()}}


@dataclass(frozen=True)
class AgreementReport:
    annotators: tuple[str, ...]
    excluded_models: tuple[str, ...]
    n_records: int
    n_docs: int
    n_compared_docs: int
    bootstrap: int
    seed: int
    spans: SpanAgreement | None
    tokens: TokenAgreement | None
    relations: RelationAgreement | None
    triples: TripleAgreement | None
    attributes: Mapping[str, AttributeAgreement] = field(default_factory=dict)
    pairs: Mapping[str, Mapping[str, PairAgreement]] = field(default_factory=dict)
    gold: Mapping[str, GoldComparison] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        def maybe(part):
            return None if part is None else part.to_dict()

        return {
            "annotators": list(self.annotators),
            "excluded_models": list(self.excluded_models),
            "n_records": self.n_records,
            "n_docs": self.n_docs,
            "n_compared_docs": self.n_compared_docs,
            "bootstrap": {"resamples": self.bootstrap, "seed": self.seed, "unit": "document", "confidence": 0.95},
            "spans": maybe(self.spans),
            "tokens": maybe(self.tokens),
            "relations": maybe(self.relations),
            "triples": maybe(self.triples),
            "attributes": {k: v.to_dict() for k, v in sorted(self.attributes.items())},
            "pairs": {a: {b: v.to_dict() for b, v in sorted(row.items())} for a, row in sorted(self.pairs.items())},
            "gold": {k: v.to_dict() for k, v in sorted(self.gold.items())},
            "notes": list(self.notes),
        }


# ---------------------------------------------------------------------------------------------------------
# Tables for people


# A JSON report that `annotate agree -o` wrote, which a rerun may replace.
is_report_file = json_with_keys("annotators", "notes", "spans")


def render(report: AgreementReport) -> list[Any]:
    """rich renderables (a heading and tables), in reading order."""
    from rich.table import Table
    from rich.text import Text

    parts: list[Any] = []
    heading = (f"Agreement of {len(report.annotators)} annotators ({', '.join(report.annotators) or 'none'}) on "
               f"{report.n_compared_docs} of {report.n_docs} documents; ")
    heading += (f"95% intervals from {report.bootstrap} document resamples (seed {report.seed})."
                if report.bootstrap else "no bootstrap intervals (--bootstrap 0).")
    parts.append(Text(heading, style="bold"))
    for note in report.notes:
        parts.append(Text(f"Note: {note}", style="yellow"))

    if report.spans is not None:
        table = Table(title="Spans: pairwise F1 (one-to-one matching) and unitizing alpha", title_justify="left")
        for column in ("label", "exact F1", "overlap F1", "alpha_U", "spans a/b"):
            table.add_column(column, justify="left" if column == "label" else "right")
        spans = report.spans
        for label in sorted(spans.overlap.per_label):
            exact = spans.exact.per_label.get(label)
            overlap = spans.overlap.per_label[label]
            table.add_row(label, _cell(exact.f1) if exact else "—", _cell(overlap.f1),
                          _cell(spans.unitizing_alpha_per_label.get(label, UNDEFINED)), f"{overlap.n_a}/{overlap.n_b}")
        table.add_row("all (micro)", _cell(spans.exact.micro.f1), _cell(spans.overlap.micro.f1), _cell(spans.unitizing_alpha),
                      f"{spans.overlap.micro.n_a}/{spans.overlap.micro.n_b}", style="bold")
        parts.append(table)

    if report.tokens is not None:
        tokens = report.tokens
        table = Table(title=f"Tokens ({tokens.n_tokens} tokens): label vs rest, and all labels of a layer",
                      title_justify="left")
        for column in ("label", "Krippendorff alpha", "Fleiss kappa", "mean Cohen kappa"):
            table.add_column(column, justify="left" if column == "label" else "right")
        for label, scores in sorted(tokens.per_label.items()):
            table.add_row(label, _cell(scores.alpha), _cell(scores.fleiss_kappa), _cell(scores.cohen_kappa_mean))
        for layer, scores in sorted(tokens.layers.items()):
            table.add_row(f"layer {layer} (all labels)", _cell(scores.alpha), _cell(scores.fleiss_kappa),
                          _cell(scores.cohen_kappa_mean), style="bold")
        parts.append(table)

    if report.relations is not None:
        table = Table(title="Relations (endpoints matched through span alignment) and attribution triples",
                      title_justify="left")
        for column in ("relation", "exact F1", "overlap F1", "relations a/b"):
            table.add_column(column, justify="left" if column == "relation" else "right")
        relations = report.relations
        for label in sorted(relations.overlap.per_label):
            exact = relations.exact.per_label.get(label)
            overlap = relations.overlap.per_label[label]
            table.add_row(label, _cell(exact.f1) if exact else "—", _cell(overlap.f1), f"{overlap.n_a}/{overlap.n_b}")
        table.add_row("all (micro)", _cell(relations.exact.micro.f1), _cell(relations.overlap.micro.f1),
                      f"{relations.overlap.micro.n_a}/{relations.overlap.micro.n_b}", style="bold")
        if report.triples is not None:
            table.add_row("attribution triples", _cell(report.triples.exact.f1), _cell(report.triples.overlap.f1),
                          f"{report.triples.overlap.n_a}/{report.triples.overlap.n_b}", style="bold")
        parts.append(table)

    if report.attributes:
        table = Table(title="Attributes: nominal alpha over span pairs matched on overlap and label", title_justify="left")
        for column in ("attribute", "alpha", "pairs", "one-sided"):
            table.add_column(column, justify="left" if column == "attribute" else "right")
        for name, scores in sorted(report.attributes.items()):
            table.add_row(name, _cell(scores.alpha), str(scores.n_pairs), str(scores.n_one_sided))
        parts.append(table)

    if report.pairs:
        names = sorted(report.pairs)
        table = Table(title="Annotator pairs: overlap F1 on spans / Cohen kappa on tokens (documents both saw)",
                      title_justify="left")
        table.add_column("")
        for name in names:
            table.add_column(name, justify="right")
        for a in names:
            cells = []
            for b in names:
                pair = report.pairs[a].get(b)
                cells.append("·" if pair is None else
                             f"{_short(pair.spans_overlap_f1)} / {_short(pair.tokens_cohen_kappa)} ({pair.n_docs} docs)")
            table.add_row(a, *cells)
        parts.append(table)

    if report.gold:
        table = Table(title="Each annotator against gold, overlap matching (relation and triple F1: exact in brackets)", title_justify="left")
        for column in ("annotator", "docs", "span P", "span R", "span F1", "relation F1", "triple F1"):
            table.add_column(column, justify="left" if column == "annotator" else "right")
        for name, scores in sorted(report.gold.items()):
            table.add_row(name, str(scores.n_docs), _cell(scores.spans["overlap"].precision),
                          _cell(scores.spans["overlap"].recall),
                          _cell(scores.spans["overlap"].f1),
                          f"{_short(scores.relations['overlap'].f1)} ({_short(scores.relations['exact'].f1)})",
                          f"{_short(scores.triples['overlap'].f1)} ({_short(scores.triples['exact'].f1)})")
        parts.append(table)
    return parts


def _short(coefficient: Coefficient) -> str:
    return "—" if coefficient.value is None else f"{coefficient.value:.3f}"


def _cell(coefficient: Coefficient):
    """The value, and its interval on a second, dimmer line: tables stay narrow enough for 80 columns."""
    from rich.text import Text

    if coefficient.value is None:
        return Text("—")
    cell = Text(f"{coefficient.value:.3f}")
    if coefficient.ci_low is not None and coefficient.ci_high is not None:
        cell.append(f"\n[{coefficient.ci_low:.3f}, {coefficient.ci_high:.3f}]", style="dim")
    return cell
