"""`compute`: records in, AgreementReport out. Which statistic answers which question, and the report's assembly."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping

import numpy as np

from ..matching import MODES
from ..records import AnnotatedDoc
from .bootstrap import Estimate, Totals, estimate
from .coefficients import cohen_kappa, f1, fleiss_kappa, nominal_alpha, precision, recall
from .collect import Plan, collect, group_records, make_plan
from .report import (
    PRF,
    AgreementReport,
    AttributeAgreement,
    Coefficient,
    F1Score,
    GoldComparison,
    ModeScores,
    PairAgreement,
    RelationAgreement,
    SpanAgreement,
    TokenAgreement,
    TokenCoefficients,
    TripleAgreement,
)
from .unitizing import (
    alpha_from_disagreements,
    expected_disagreement,
    observed_disagreement,
    placements_from_histograms,
)

Key = tuple
Statistic = Callable[[Totals], np.ndarray]


def compute(docs: Iterable[AnnotatedDoc], *, bootstrap: int = 1000, seed: int = 0, include_models: bool = False,
            schema=None, source: str = "<records>") -> AgreementReport:
    """Agreement between the annotators of `docs` (AnnotatedDoc records, several annotators per doc_id).

    Model records (annotator "model:...") are left out unless include_models; records of annotator "gold" are not
    compared with people but each annotator is scored against them. `bootstrap` document resamples (seeded by
    `seed`) give every coefficient a 95% interval; bootstrap=0 skips them and is cheap. `schema` (default: the
    project schema) only orders labels and sorts them into layers; labels it does not know are still compared.
    Raises RecordError for conflicting records and AgreementError when there is nothing to compare.
    """
    corpus = group_records(docs, source)
    plan = make_plan(corpus, include_models, _label_order(schema))
    collected = collect(corpus, plan)
    statistics = _statistics(plan)
    estimates = estimate(collected.ledger, statistics, bootstrap, seed)
    point = collected.ledger.totals(np.ones((1, collected.ledger.n_docs)))
    return _assemble(plan, corpus, collected, estimates, point, bootstrap, seed)


def _label_order(schema) -> dict[str, tuple[int, str]]:
    if schema is None:
        from ..schema import load_schema

        schema = load_schema()
    order = {}
    for layer in schema.layers:
        for label in layer.labels:
            order[label.name] = (len(order), layer.name)
    return order


# ---------------------------------------------------------------------------------------------------------
# Statistics: functions of summed per-document statistics, one value per replicate


def _f1_of(counts: np.ndarray) -> np.ndarray:
    return f1(counts[..., 0], counts[..., 1], counts[..., 2])


def _nanmean(values: np.ndarray, axis: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(values, axis=axis) if values.shape[axis] else np.full(values.shape[:axis], np.nan)


def _disagreements(totals: Totals, labels: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(D_o, D_e), each replicates × labels; computed once per batch and shared by every alpha_U statistic."""
    if "unitizing" not in totals.memo:
        doc, per_label = totals["unit.doc"], totals["unit.label"]
        length, rated_length, pair_length = doc[:, 0], doc[:, 1], doc[:, 2]
        observed, expected = [], []
        for index, label in enumerate(labels):
            unit_counts, unit_values = totals.histogram(f"unit.len.{label}")
            gap_counts, gap_values = totals.histogram(f"unit.gap.{label}")
            placed = placements_from_histograms(unit_counts, unit_values, gap_counts, gap_values)
            observed.append(observed_disagreement(per_label[:, index, 0], length, pair_length))
            expected.append(expected_disagreement(per_label[:, index, 1], per_label[:, index, 2], placed,
                                                  per_label[:, index, 3], length, rated_length))
        batch = doc.shape[0]
        totals.memo["unitizing"] = (np.stack(observed, axis=1) if observed else np.zeros((batch, 0)),
                                    np.stack(expected, axis=1) if expected else np.zeros((batch, 0)))
    return totals.memo["unitizing"]


def _statistics(plan: Plan) -> dict[Key, Statistic]:
    stats: dict[Key, Statistic] = {}
    if plan.pairs:
        for mode in MODES:
            stats[("spans", mode)] = lambda t, m=mode: _f1_of(t[f"pair.span.{m}"].sum(axis=(1, 2)))
            for index, label in enumerate(plan.labels):
                stats[("spans", mode, label)] = lambda t, m=mode, i=index: _f1_of(t[f"pair.span.{m}"][:, :, i].sum(axis=1))
            stats[("relations", mode)] = lambda t, m=mode: _f1_of(t[f"pair.rel.{m}"].sum(axis=(1, 2)))
            for index, label in enumerate(plan.relation_labels):
                stats[("relations", mode, label)] = lambda t, m=mode, i=index: _f1_of(t[f"pair.rel.{m}"][:, :, i].sum(axis=1))
            stats[("triples", mode)] = lambda t, m=mode: _f1_of(t[f"pair.triple.{m}"].sum(axis=1))
            for p in range(len(plan.pairs)):
                stats[("pair", p, mode)] = lambda t, m=mode, p=p: _f1_of(t[f"pair.span.{m}"][:, p].sum(axis=1))

        stats[("unitizing",)] = lambda t: alpha_from_disagreements(*(x.sum(axis=1) for x in _disagreements(t, plan.labels)))
        for index, label in enumerate(plan.labels):
            stats[("unitizing", label)] = lambda t, i=index: alpha_from_disagreements(
                *(x[:, i] for x in _disagreements(t, plan.labels)))

        for layer in plan.layers:
            stats[("tokens", layer, "alpha")] = lambda t, l=layer: nominal_alpha(t[f"tok.{l}.totals"], t[f"tok.{l}.agree"])
            stats[("tokens", layer, "fleiss")] = lambda t, l=layer: fleiss_kappa(t[f"tok.{l}.fleiss"], t["tok.units"],
                                                                                   t[f"tok.{l}.totals"])
            stats[("tokens", layer, "cohen")] = lambda t, l=layer: _nanmean(cohen_kappa(t[f"tok.{l}.confusion"]), axis=1)
        main = next(iter(plan.layers), None)
        for p in range(len(plan.pairs)):
            stats[("pair", p, "cohen")] = (lambda t, p=p: cohen_kappa(t[f"tok.{main}.confusion"][:, p])) if main \
                else (lambda t: np.full(t["tok.units"].shape[0], np.nan))
        for index, label in enumerate(plan.labels):
            stats[("label", label, "alpha")] = lambda t, i=index: nominal_alpha(t["bin.totals"][:, i], t["bin.agree"][:, i])
            stats[("label", label, "fleiss")] = lambda t, i=index: fleiss_kappa(t["bin.fleiss"][:, i], t["tok.units"],
                                                                                  t["bin.totals"][:, i])
            stats[("label", label, "cohen")] = lambda t, i=index: _nanmean(cohen_kappa(t["bin.confusion"][:, :, i]), axis=1)

        for name in plan.attributes:
            stats[("attribute", name)] = lambda t, n=name: nominal_alpha(t[f"attr.{n}"][:, :-1], t[f"attr.{n}"][:, -1])

    for g, name in enumerate(plan.scored):
        for kind, block in (("spans", "span"), ("relations", "rel")):
            for mode in MODES:
                counts = lambda t, b=block, m=mode, g=g: t[f"gold.{b}.{m}"][:, g].sum(axis=1)
                _add_prf(stats, ("gold", name, kind, mode), counts)
        for mode in MODES:
            _add_prf(stats, ("gold", name, "triples", mode), lambda t, m=mode, g=g: t[f"gold.triple.{m}"][:, g])
    return stats


def _add_prf(stats: dict[Key, Statistic], key: Key, counts: Callable[[Totals], np.ndarray]) -> None:
    stats[(*key, "precision")] = lambda t: precision(*np.moveaxis(counts(t), -1, 0))
    stats[(*key, "recall")] = lambda t: recall(*np.moveaxis(counts(t), -1, 0))
    stats[(*key, "f1")] = lambda t: _f1_of(counts(t))


# ---------------------------------------------------------------------------------------------------------
# Assembly


def _assemble(plan: Plan, corpus, collected, estimates: Mapping[Key, Estimate], point: Totals,
              bootstrap: int, seed: int) -> AgreementReport:
    def coefficient(key: Key) -> Coefficient:
        found = estimates[key]
        return Coefficient(found.value, found.ci_low, found.ci_high)

    def counted(values: np.ndarray) -> tuple[int, int, int]:
        return tuple(int(round(v)) for v in values)  # type: ignore[return-value]

    def f1_score(key: Key, counts: np.ndarray) -> F1Score:
        return F1Score(coefficient(key), *counted(counts))

    spans = relations = triples = tokens = None
    attributes, pairs = {}, {}
    notes = [corpus.duplicates] if corpus.duplicates else []
    if plan.pairs:
        span_modes, relation_modes, triple_modes = {}, {}, {}
        for mode in MODES:
            block = point[f"pair.span.{mode}"][0]
            span_modes[mode] = ModeScores(
                f1_score(("spans", mode), block.sum(axis=(0, 1))),
                {label: f1_score(("spans", mode, label), block[:, i].sum(axis=0))
                 for i, label in enumerate(plan.labels) if block[:, i, 1:].sum() > 0})
            block = point[f"pair.rel.{mode}"][0]
            relation_modes[mode] = ModeScores(
                f1_score(("relations", mode), block.sum(axis=(0, 1))),
                {label: f1_score(("relations", mode, label), block[:, i].sum(axis=0))
                 for i, label in enumerate(plan.relation_labels) if block[:, i, 1:].sum() > 0})
            triple_modes[mode] = f1_score(("triples", mode), point[f"pair.triple.{mode}"][0].sum(axis=0))
        used = point["unit.label"][0][:, 1] > 0
        spans = SpanAgreement(span_modes["exact"], span_modes["overlap"], coefficient(("unitizing",)),
                              {label: coefficient(("unitizing", label)) for i, label in enumerate(plan.labels) if used[i]})
        relations = RelationAgreement(relation_modes["exact"], relation_modes["overlap"])
        triples = TripleAgreement(triple_modes["exact"], triple_modes["overlap"])

        layers = {layer: TokenCoefficients(coefficient(("tokens", layer, "alpha")), coefficient(("tokens", layer, "fleiss")),
                                           coefficient(("tokens", layer, "cohen"))) for layer in plan.layers}
        main = next(iter(plan.layers), None)
        marked = point["bin.totals"][0][:, 1] if plan.labels else np.zeros(0)
        per_label = {label: TokenCoefficients(coefficient(("label", label, "alpha")), coefficient(("label", label, "fleiss")),
                                              coefficient(("label", label, "cohen")))
                     for i, label in enumerate(plan.labels) if marked[i] > 0}
        overall = layers[main] if main else TokenCoefficients(Coefficient(None), Coefficient(None), Coefficient(None))
        tokens = TokenAgreement(main, plan.layers.get(main, ()), collected.n_tokens, overall, per_label, layers)

        for name in plan.attributes:
            block = point[f"attr.{name}"][0]
            attributes[name] = AttributeAgreement(coefficient(("attribute", name)), int(round(block[:-1].sum() / 2)),
                                                  int(round(point[f"attr.{name}.one_sided"][0])))

        shared = point["pair.docs"][0]
        for p, (i, j) in enumerate(plan.pairs):
            a, b = plan.annotators[i], plan.annotators[j]
            score = PairAgreement(int(shared[p]), coefficient(("pair", p, "exact")), coefficient(("pair", p, "overlap")),
                                  coefficient(("pair", p, "cohen")))
            pairs.setdefault(a, {})[b] = score
            pairs.setdefault(b, {})[a] = score
            if not shared[p]:
                notes.append(f"{a} and {b} share no document: their pair has no scores")
    else:
        notes.append("only one annotator besides gold: no inter-annotator agreement, only scores against gold")

    gold = {}
    if plan.scored:
        shared = point["gold.docs"][0]
        for g, name in enumerate(plan.scored):
            parts = {}
            for kind, block in (("spans", "span"), ("relations", "rel"), ("triples", "triple")):
                parts[kind] = {}
                for mode in MODES:
                    counts = point[f"gold.{block}.{mode}"][0][g]
                    counts = counts if kind == "triples" else counts.sum(axis=0)
                    key = ("gold", name, kind, mode)
                    parts[kind][mode] = PRF(coefficient((*key, "precision")), coefficient((*key, "recall")),
                                            coefficient((*key, "f1")), *counted(counts))
            gold[name] = GoldComparison(int(shared[g]), parts["spans"], parts["relations"], parts["triples"])

    if plan.pairs and not plan.labels:
        notes.append("no compared record marks any span: span and token coefficients are undefined")
    if plan.excluded_models:
        notes.append(f"model records left out: {', '.join(plan.excluded_models)} (use --include-models to compare them)")
    if corpus.n_articles:
        notes.append(f"{corpus.n_articles} article records without an annotator were skipped")
    alone = sum(1 for doc_id, by_name in corpus.docs.items() if doc_id not in set(plan.doc_ids))
    if alone:
        notes.append(f"{alone} documents have records from only one compared annotator and no gold: they add nothing")
    return AgreementReport(
        annotators=plan.annotators, excluded_models=plan.excluded_models, n_records=corpus.n_records,
        n_docs=len(corpus.docs), n_compared_docs=collected.n_compared_docs, bootstrap=max(bootstrap, 0), seed=seed,
        spans=spans, tokens=tokens, relations=relations, triples=triples, attributes=attributes, pairs=pairs,
        gold=gold, notes=tuple(notes))
