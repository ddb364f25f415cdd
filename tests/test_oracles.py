"""Agreement coefficients against published worked examples (oracles.md) and the properties any measure must have.

The expected numbers come from the literature and reference implementations, not from this code.
"""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa, fleiss_kappa

from annotate.agreement import compute
from annotate.agreement.bootstrap import Ledger, estimate, resample_weights
from annotate.agreement.coefficients import (
    cohen_kappa,
    confusion_from_codes,
    fleiss_stats,
    nominal_alpha,
    nominal_alpha_stats,
    value_counts_from_codes,
)
from annotate.agreement.coefficients import fleiss_kappa as our_fleiss
from annotate.agreement.unitizing import (
    category_stats,
    observed_distance,
    placements,
    placements_from_histograms,
    unitizing_alpha,
)
from annotate.records import AnnotatedDoc, Span

NAN = np.nan

# Krippendorff (2011), observers × units, nan = missing.
KRIPPENDORFF_2011 = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
])

# Wikipedia's alpha example: 3 coders × 15 units.
WIKIPEDIA_ALPHA = np.array([
    [NAN, NAN, NAN, NAN, NAN, 3, 4, 1, 2, 1, 1, 3, 3, NAN, 3],
    [1, NAN, 2, 1, 3, 3, 4, 3, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
    [NAN, NAN, 2, 1, 3, 4, 4, NAN, 2, 1, 1, 3, 3, NAN, 4],
])

# Fleiss (1971): 30 subjects × 6 raters, categories 1-5.
FLEISS_1971 = np.array([[int(c) for c in group] for group in (
    "444444 222555 233335 555555 222444 113333 333355 113334 114444 555555 "
    "144444 124444 222333 144444 224445 333335 111455 111112 224444 133555 "
    "555555 244444 224555 114444 144445 222224 111155 224444 133333 555555").split()])

WIKIPEDIA_FLEISS = np.array([[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
                             [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]])

SAS_TABLE = np.array([[0, 4, 1], [0, 8, 0], [0, 1, 5]])


def codes(reliability: np.ndarray) -> tuple[np.ndarray, int]:
    """Observers × units floats (nan missing) -> integer codes (-1 missing) and the number of values."""
    values = np.unique(reliability[~np.isnan(reliability)])
    coded = np.full(reliability.shape, -1, dtype=np.int64)
    for index, value in enumerate(values):
        coded[reliability == value] = index
    return coded, len(values)


def our_alpha(reliability: np.ndarray) -> float:
    coded, n_values = codes(reliability)
    return float(nominal_alpha(*nominal_alpha_stats(value_counts_from_codes(coded, n_values))))


# ---------------------------------------------------------------------------------------------------------
# Krippendorff's alpha


def test_krippendorff_2011_nominal():
    assert our_alpha(KRIPPENDORFF_2011) == pytest.approx(0.7434, abs=5e-5)
    assert round(our_alpha(KRIPPENDORFF_2011), 3) == 0.743
    assert krippendorff.alpha(KRIPPENDORFF_2011, level_of_measurement="nominal") == pytest.approx(0.7434, abs=5e-5)


@pytest.mark.parametrize(("level", "published"), [("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)])
def test_krippendorff_2011_other_levels_through_the_package(level, published):
    assert round(krippendorff.alpha(KRIPPENDORFF_2011, level_of_measurement=level), 3) == published


def test_krippendorff_2011_percent_agreement_of_pairable_values():
    # The mean over pairable units of the share of agreeing pairs: Fleiss' P-bar with each unit's own n_i.
    coded, n_values = codes(KRIPPENDORFF_2011)
    agreement_sum, n_units, _ = fleiss_stats(value_counts_from_codes(coded, n_values))
    assert n_units == 11
    assert agreement_sum / n_units == pytest.approx(0.8182, abs=5e-5)


def test_wikipedia_alpha_example():
    assert our_alpha(WIKIPEDIA_ALPHA) == pytest.approx(0.691358, abs=5e-7)
    assert krippendorff.alpha(WIKIPEDIA_ALPHA, level_of_measurement="nominal") == pytest.approx(0.691358, abs=5e-7)
    assert krippendorff.alpha(WIKIPEDIA_ALPHA, level_of_measurement="interval") == pytest.approx(0.810845, abs=5e-7)


def test_the_package_default_is_interval_not_nominal():
    # The trap the brief warns about: forgetting level_of_measurement gives the interval value.
    assert krippendorff.alpha(WIKIPEDIA_ALPHA) == pytest.approx(0.810845, abs=5e-7)


# ---------------------------------------------------------------------------------------------------------
# Fleiss' kappa


def test_fleiss_1971():
    table, _ = aggregate_raters(FLEISS_1971)
    assert fleiss_kappa(table) == pytest.approx(0.4302, abs=5e-5)
    assert float(our_fleiss(*fleiss_stats(table))) == pytest.approx(0.4302, abs=5e-5)
    # The same data as alpha (subjects are units, the six ratings their values).
    assert float(nominal_alpha(*nominal_alpha_stats(table))) == pytest.approx(0.4334, abs=5e-5)
    assert krippendorff.alpha(FLEISS_1971.T.astype(float), level_of_measurement="nominal") == pytest.approx(0.4334, abs=5e-5)


def test_wikipedia_fleiss_example():
    assert round(fleiss_kappa(WIKIPEDIA_FLEISS), 3) == 0.210
    assert round(float(our_fleiss(*fleiss_stats(WIKIPEDIA_FLEISS))), 3) == 0.210


# ---------------------------------------------------------------------------------------------------------
# Cohen's kappa


def test_cohen_sas_example():
    result = cohens_kappa(SAS_TABLE)
    assert result.kappa == pytest.approx(0.4842, abs=5e-5)
    assert result.std_kappa == pytest.approx(0.1380, abs=5e-5)
    assert (result.kappa_low, result.kappa_upp) == (pytest.approx(0.2137, abs=5e-5), pytest.approx(0.7547, abs=5e-5))
    assert cohens_kappa(SAS_TABLE, wt="linear").kappa == pytest.approx(0.4701, abs=5e-5)
    assert float(cohen_kappa(SAS_TABLE)) == pytest.approx(0.4842, abs=5e-5)


# ---------------------------------------------------------------------------------------------------------
# Spans: the Krippendorff (2004) unitizing example

CODER0 = [(225, 70, "c"), (370, 30, "c"), (180, 60, "k"), (300, 50, "k")]
CODER1 = [(220, 80, "c"), (355, 20, "c"), (400, 20, "c"), (180, 60, "k"), (300, 50, "k")]
UNITS = [(0, start, start + length, label) for start, length, label in CODER0] + \
        [(1, start, start + length, label) for start, length, label in CODER1]


def test_unitizing_alpha_published_example():
    result = unitizing_alpha(UNITS, begin=150, length=300)
    # DKPro Statistics' Krippendorff2004Test: category values to 1e-4, the overall value to 5e-4 of 0.8591
    # (the book's figure; computed exactly, D_o and D_e give 0.85867).
    assert result.observed["c"] == pytest.approx(0.0144, abs=1e-4)
    assert result.expected["c"] == pytest.approx(0.0532, abs=1e-4)
    assert result.per_category["c"] == pytest.approx(0.7286, abs=1e-4)
    assert result.observed["k"] == pytest.approx(0.0, abs=1e-4)
    assert result.expected["k"] == pytest.approx(0.0490, abs=1e-4)
    assert result.per_category["k"] == pytest.approx(1.0, abs=1e-4)
    assert result.alpha == pytest.approx(0.8591, abs=5e-4)


@pytest.mark.parametrize(("first", "second", "distance"), [
    ([(225, 295)], [(220, 300)], 50.0),   # DKPro testDistanceMetric2: two overlapping units
    ([(370, 400)], [(355, 375)], 850.0),
    ([], [(400, 420)], 400.0),            # a unit inside the other's gap costs its length squared
    ([(5, 11)], [(5, 11)], 0.0),
])
def test_unitizing_distances(first, second, distance):
    assert observed_distance(first, second) == distance
    assert observed_distance(second, first) == distance


def span_docs(text_length: int, offset: int = 0) -> list[AnnotatedDoc]:
    text = "x" * text_length
    docs = []
    for name, coder in (("coder0", CODER0), ("coder1", CODER1)):
        spans = tuple(Span(f"u{i}", start - offset, start - offset + length, label, text[:length])
                      for i, (start, length, label) in enumerate(coder))
        docs.append(AnnotatedDoc("example", text, name, spans))
    return docs


def test_span_example_through_compute():
    # The continuum [150, 450) becomes a 300-character document: offsets shift by 150.
    report = compute(span_docs(300, offset=150), bootstrap=0).to_dict()
    spans = report["spans"]
    assert spans["exact"]["micro"]["f1"]["value"] == pytest.approx(0.4444, abs=5e-5)
    assert spans["overlap"]["micro"]["f1"]["value"] == pytest.approx(0.8889, abs=5e-5)
    assert spans["exact"]["per_label"]["c"]["f1"]["value"] == 0.0
    assert spans["overlap"]["per_label"]["c"]["f1"]["value"] == pytest.approx(0.8)
    assert spans["exact"]["per_label"]["k"]["f1"]["value"] == 1.0
    assert spans["overlap"]["per_label"]["k"]["f1"]["value"] == 1.0
    assert spans["unitizing_alpha"]["value"] == pytest.approx(0.8591, abs=5e-4)
    assert spans["unitizing_alpha_per_label"]["c"]["value"] == pytest.approx(0.7286, abs=1e-4)
    assert spans["unitizing_alpha_per_label"]["k"]["value"] == pytest.approx(1.0, abs=1e-4)


# ---------------------------------------------------------------------------------------------------------
# An independent reference: DKPro's section walk for observed disagreement, ported literally.


def dkpro_observed(first: list[tuple[int, int]], second: list[tuple[int, int]], begin: int, length: int) -> float:
    def distance(o1, l1, c1, o2, l2, c2):
        begin_diff, length_diff = o1 - o2, l1 - l2
        if c1 and c2 and -l1 < begin_diff < l2:
            return begin_diff ** 2 + (begin_diff + length_diff) ** 2
        if c1 and not c2 and -length_diff >= begin_diff >= 0:
            return l1 * l1
        if not c1 and c2 and -length_diff <= begin_diff <= 0:
            return l2 * l2
        return 0

    units1, units2 = iter(sorted(first)), iter(sorted(second))
    next1, next2 = next(units1, None), next(units2, None)
    offset1 = offset2 = begin
    length1 = length2 = 0
    category1 = category2 = False
    position, result = begin, 0
    while position < begin + length and (next1 is not None or next2 is not None):
        if position == offset1 + length1:
            if next1 is not None and position == next1[0]:
                length1, category1 = next1[1] - next1[0], True
                next1 = next(units1, None)
            else:
                length1, category1 = (next1[0] if next1 is not None else begin + length) - position, False
            offset1 = position
        if position == offset2 + length2:
            if next2 is not None and position == next2[0]:
                length2, category2 = next2[1] - next2[0], True
                next2 = next(units2, None)
            else:
                length2, category2 = (next2[0] if next2 is not None else begin + length) - position, False
            offset2 = position
        result += distance(offset1, length1, category1, offset2, length2, category2)
        position = min(offset1 + length1, offset2 + length2)
    return float(result)


def disjoint_units(draw_list: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    units, position = [], 0
    for gap, length in draw_list:
        start = position + gap
        if start + length > limit:
            break
        units.append((start, start + length))
        position = start + length
    return units


unit_layouts = st.lists(st.tuples(st.integers(0, 15), st.integers(1, 15)), max_size=6)


@pytest.mark.integration  # slow (a CLI subprocess or a spaCy run): out of the fast path
@given(unit_layouts, unit_layouts)
@settings(max_examples=300, deadline=None)
def test_observed_distance_matches_the_dkpro_walk(a, b):
    first, second = disjoint_units(a, 100), disjoint_units(b, 100)
    assert observed_distance(first, second) == dkpro_observed(first, second, 0, 100)


@given(st.lists(st.integers(1, 40), max_size=10), st.lists(st.integers(1, 60), max_size=10))
def test_placements_histogram_path_equals_direct_path(unit_lengths, gap_lengths):
    unit_values, unit_counts = np.unique(unit_lengths, return_counts=True)
    gap_values, gap_counts = np.unique(gap_lengths, return_counts=True)
    batched = placements_from_histograms(unit_counts[None, :].astype(float), unit_values.astype(float),
                                         gap_counts[None, :].astype(float), gap_values.astype(float))
    brute = sum(l * l * sum(g - l + 1 for g in gap_lengths if g >= l) for l in unit_lengths)
    assert placements(unit_lengths, gap_lengths) == pytest.approx(brute)
    assert batched[0] == pytest.approx(brute)


# ---------------------------------------------------------------------------------------------------------
# The libraries and our sufficient-statistics path agree on random data


reliability_matrices = st.integers(2, 5).flatmap(lambda raters: st.lists(
    st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=raters, max_size=raters), min_size=2, max_size=30))


@given(reliability_matrices)
@settings(max_examples=200, deadline=None)
def test_alpha_equals_the_krippendorff_package(units):
    coded = np.array([[-1 if v is None else v for v in unit] for unit in units]).T
    counts = value_counts_from_codes(coded, 4)
    pairable = counts.sum(axis=1) >= 2
    distinct = np.unique(coded[:, pairable][coded[:, pairable] >= 0])
    ours = float(nominal_alpha(*nominal_alpha_stats(counts)))
    if pairable.sum() == 0 or len(distinct) < 2:
        assert np.isnan(ours) or ours == 1.0
        return
    reliability = np.where(coded >= 0, coded, np.nan).astype(float)
    theirs = krippendorff.alpha(reliability, level_of_measurement="nominal", value_domain=[0, 1, 2, 3])
    assert ours == pytest.approx(theirs, abs=1e-9)


@pytest.mark.filterwarnings("ignore:invalid value encountered")
@given(st.integers(2, 6).flatmap(lambda raters: st.lists(
    st.lists(st.integers(0, 3), min_size=raters, max_size=raters), min_size=2, max_size=30)))
@settings(max_examples=200, deadline=None)
def test_fleiss_equals_statsmodels(ratings):
    table, _ = aggregate_raters(np.array(ratings), n_cat=4)
    theirs = fleiss_kappa(table)
    ours = float(our_fleiss(*fleiss_stats(table)))
    if np.isnan(theirs) or not np.isfinite(theirs):
        assert np.isnan(ours)
    else:
        assert ours == pytest.approx(theirs, abs=1e-9)


@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=1, max_size=50))
def test_cohen_equals_statsmodels(pairs):
    first, second = np.array(pairs).T
    table = confusion_from_codes(first, second, 3)
    ours = float(cohen_kappa(table))
    with np.errstate(all="ignore"):
        theirs = cohens_kappa(table, return_results=False)
    if not np.isfinite(theirs):
        assert np.isnan(ours)
    else:
        assert ours == pytest.approx(theirs, abs=1e-9)


# ---------------------------------------------------------------------------------------------------------
# Properties (oracles.md): symmetry, identical gives 1.0, disjoint gives 0.0, kappa tends to F1


span_layouts = st.lists(st.tuples(st.integers(0, 80), st.integers(1, 15), st.sampled_from("AB")), max_size=6)


def records(layout_a, layout_b, text_length=100):
    text = "abcdefghij" * (text_length // 10)
    out = []
    for name, layout in (("a", layout_a), ("b", layout_b)):
        spans = tuple(Span(f"s{i}", start, min(start + length, text_length), label, text[start:min(start + length, text_length)])
                      for i, (start, length, label) in enumerate(layout))
        out.append(AnnotatedDoc("d", text, name, spans))
    return out


@given(span_layouts, span_layouts)
@settings(max_examples=60, deadline=None)
def test_every_measure_is_symmetric(layout_a, layout_b):
    forward = compute(records(layout_a, layout_b), bootstrap=0).to_dict()
    a, b = records(layout_a, layout_b)
    backward = compute([a.with_(annotator="b"), b.with_(annotator="a")], bootstrap=0).to_dict()
    for path in (("spans", "exact", "micro", "f1"), ("spans", "overlap", "micro", "f1"), ("spans", "unitizing_alpha"),
                 ("tokens", "alpha"), ("tokens", "fleiss_kappa"), ("tokens", "cohen_kappa_mean")):
        x, y = forward, backward
        for key in path:
            x, y = x[key], y[key]
        if x["value"] is None:
            assert y["value"] is None
        else:
            assert x["value"] == pytest.approx(y["value"], abs=1e-9)


@given(span_layouts.filter(bool))
@settings(max_examples=60, deadline=None)
def test_identical_annotations_give_one(layout):
    report = compute(records(layout, layout), bootstrap=0).to_dict()
    assert report["spans"]["exact"]["micro"]["f1"]["value"] == 1.0
    assert report["spans"]["overlap"]["micro"]["f1"]["value"] == 1.0
    assert report["spans"]["unitizing_alpha"]["value"] == pytest.approx(1.0)
    assert report["tokens"]["alpha"]["value"] in (None, 1.0)  # None only if every token got one label


def test_disjoint_annotations_give_zero_f1():
    report = compute(records([(0, 10, "A"), (30, 5, "B")], [(50, 10, "A"), (70, 5, "B")]), bootstrap=0).to_dict()
    assert report["spans"]["exact"]["micro"]["f1"]["value"] == 0.0
    assert report["spans"]["overlap"]["micro"]["f1"]["value"] == 0.0
    assert report["spans"]["unitizing_alpha"]["value"] < 0


@given(st.integers(1, 50), st.integers(0, 50), st.integers(0, 50))
def test_cohen_kappa_on_tokens_tends_to_f1(both, only_a, only_b):
    f1 = 2 * both / (2 * both + only_a + only_b)
    previous = None
    for neither in (10 ** 3, 10 ** 5, 10 ** 8):
        table = np.array([[neither, only_b], [only_a, both]])
        gap = abs(float(cohen_kappa(table)) - f1)
        if previous is not None:
            assert gap <= previous + 1e-12
        previous = gap
    assert previous < 1e-5


# ---------------------------------------------------------------------------------------------------------
# The vectorised bootstrap is the explicit one


def test_a_replicate_is_the_sum_of_its_drawn_documents():
    rng = np.random.default_rng(3)
    ledger = Ledger(7)
    block = ledger.block("counts", (3,))
    block[:] = rng.integers(0, 20, size=(7, 3))
    for doc in range(7):
        ledger.add_to_histogram("lengths", doc, rng.integers(1, 5, size=doc))
    weights = next(resample_weights(7, 5, seed=11))
    drawn = np.random.default_rng(11).integers(0, 7, size=(5, 7))
    assert (weights == np.stack([np.bincount(row, minlength=7) for row in drawn])).all()
    totals = ledger.totals(weights)
    counts, values = totals.histogram("lengths")
    for replicate, row in enumerate(drawn):
        assert np.array_equal(totals["counts"][replicate], block[row].sum(axis=0))
        explicit = np.concatenate([ledger._histograms["lengths"]["values"][doc] for doc in row])
        assert np.array_equal(np.repeat(values, counts[replicate].astype(int)), np.sort(explicit))


def test_same_seed_same_interval_and_other_seed_other_interval():
    ledger = Ledger(20)
    ledger.block("x", (2,))[:] = np.random.default_rng(0).integers(1, 9, size=(20, 2))
    statistic = {("share",): lambda t: t["x"][:, 0] / t["x"].sum(axis=1)}
    first, again = estimate(ledger, statistic, 300, seed=5), estimate(ledger, statistic, 300, seed=5)
    other = estimate(ledger, statistic, 300, seed=6)
    assert first == again
    assert first[("share",)].ci_low != other[("share",)].ci_low
    assert first[("share",)].ci_low < first[("share",)].value < first[("share",)].ci_high


def test_overlapping_units_of_one_rater_are_merged_before_unitizing():
    stats = category_stats([[(0, 5), (3, 8), (10, 12)], [(0, 4)]], 0, 20)
    assert stats.unit_lengths == (8, 2, 4)  # the overlapping pair of one rater is merged into [0, 8)
    assert sorted(stats.gap_lengths) == [2, 8, 16]
