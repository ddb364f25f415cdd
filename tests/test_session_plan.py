"""The session plan: exact overlap counts, balanced loads, near-duplicate clusters kept whole, seeded, and
extensions that never move started documents."""

from __future__ import annotations

from collections import Counter

import pytest

from annotate.errors import ConfigError
from annotate.labelstudio.session_plan import PlanDoc, SessionPlan, make_plan, overlap_size

PEOPLE = ["ana@example.org", "ben@example.org", "chloe@example.org"]


def docs(n: int, prefix: str = "d") -> list[PlanDoc]:
    return [PlanDoc(f"{prefix}{i:02d}") for i in range(n)]


def spread(plan: SessionPlan) -> int:
    loads = plan.loads().values()
    return max(loads) - min(loads)


def test_three_annotators_two_per_doc_forty_percent_of_twenty():
    plan = make_plan("s", docs(20), PEOPLE, per_doc=2, overlap=0.4, seed=7)
    per_doc = Counter(len(who) for who in plan.assignments.values())
    assert per_doc == {2: 8, 1: 12}
    assert len(plan.overlap_docs) == 8
    assert all(len(plan.assignments[d]) == 2 for d in plan.overlap_docs)
    assert all(len(set(who)) == len(who) for who in plan.assignments.values())
    assert sorted(plan.loads().values()) == [9, 9, 10]
    # The overlap pairs are spread over the annotators, not always the same two people.
    assert len({frozenset(plan.assignments[d]) for d in plan.overlap_docs}) == 3


@pytest.mark.parametrize("n,people,k,f", [(1, 3, 2, 0.4), (7, 2, 2, 1.0), (31, 5, 3, 0.25), (50, 4, 1, 0.0),
                                         (13, 3, 3, 0.5)])
def test_counts_and_balance_hold_for_other_shapes(n, people, k, f):
    annotators = [f"p{i}@example.org" for i in range(people)]
    plan = make_plan("s", docs(n), annotators, per_doc=k, overlap=f, seed=1)
    assert len(plan.overlap_docs) == overlap_size(f, n)
    assert sum(len(who) == k for who in plan.assignments.values()) >= len(plan.overlap_docs)
    assert all(len(plan.assignments[d]) == (k if d in plan.overlap_docs else 1) for d in plan.documents)
    assert spread(plan) <= 1


def test_overlap_size_rounds_half_up_and_is_exact_on_binary_floats():
    assert [overlap_size(0.4, 20), overlap_size(0.5, 5), overlap_size(0.1, 30), overlap_size(0.0, 9),
            overlap_size(1.0, 9)] == [8, 3, 3, 0, 9]


def test_the_same_seed_gives_the_same_plan_and_another_seed_another_overlap_set():
    first = make_plan("s", docs(20), PEOPLE, per_doc=2, overlap=0.4, seed=3)
    again = make_plan("s", docs(20), PEOPLE, per_doc=2, overlap=0.4, seed=3)
    other = make_plan("s", docs(20), PEOPLE, per_doc=2, overlap=0.4, seed=4)
    assert first == again
    assert first.overlap_docs != other.overlap_docs


def test_near_duplicate_clusters_go_whole_to_one_annotator_outside_the_overlap():
    items = docs(20)
    # d00 heads a cluster of four (ingest names a cluster by its smallest doc_id), d10 one of two.
    clustered = {"d00": "d00", "d03": "d00", "d07": "d00", "d15": "d00", "d10": "d10", "d11": "d10"}
    items = [PlanDoc(d.doc_id, clustered.get(d.doc_id, d.doc_id)) for d in items]
    for seed in range(20):
        plan = make_plan("s", items, PEOPLE, per_doc=2, overlap=0.4, seed=seed)
        assert not plan.overlap_docs & set(clustered)
        assert len(plan.overlap_docs) == 8
        assert len({plan.assignments[d] for d in ("d00", "d03", "d07", "d15")}) == 1
        assert plan.assignments["d10"] == plan.assignments["d11"]
        assert all(len(plan.assignments[d]) == 1 for d in clustered)
        assert spread(plan) <= 1


def test_too_few_unclustered_documents_shrink_the_overlap_with_a_note():
    items = [PlanDoc(f"d{i}", "d0" if i < 8 else None) for i in range(10)]
    plan = make_plan("s", items, PEOPLE[:2], per_doc=2, overlap=0.5)
    assert plan.overlap_docs == {"d8", "d9"}
    assert plan.notes and "2 documents, not 5" in plan.notes[0]


def test_uncertain_first_puts_the_documents_the_model_is_least_sure_of_first():
    items = [PlanDoc("a", uncertainty=(0.2, 0.2)), PlanDoc("b"), PlanDoc("c", uncertainty=(1.0, 0.5)),
             PlanDoc("d", uncertainty=(1.0, 0.7))]
    assert make_plan("s", items, PEOPLE, per_doc=1, overlap=0).documents == ("d", "c", "a", "b")
    assert make_plan("s", items, PEOPLE, per_doc=1, overlap=0, order="file").documents == ("a", "b", "c", "d")


def test_running_again_and_adding_documents_moves_nothing():
    first = make_plan("s", docs(20), PEOPLE, per_doc=2, overlap=0.4, seed=5)
    same = make_plan("s", docs(20), PEOPLE, per_doc=2, overlap=0.4, seed=5, previous=first)
    assert same == first
    grown = make_plan("s", docs(20) + docs(10, "n"), PEOPLE, per_doc=2, overlap=0.4, seed=5, previous=first)
    assert all(grown.assignments[d] == first.assignments[d] for d in first.documents)
    assert grown.documents[:20] == first.documents
    assert len(grown.overlap_docs) == 12 and first.overlap_docs <= grown.overlap_docs
    assert spread(grown) <= 1


def test_a_new_annotator_takes_over_only_documents_nobody_started():
    first = make_plan("s", docs(20), PEOPLE, per_doc=2, overlap=0.4, seed=5)
    started = set(first.documents[:6])
    newcomer = "dan@example.org"
    grown = make_plan("s", docs(20), [*PEOPLE, newcomer], per_doc=2, overlap=0.4, seed=5, previous=first,
                      pinned=started)
    assert grown.annotators == (*PEOPLE, newcomer)
    assert all(grown.assignments[d] == first.assignments[d] for d in started)
    assert grown.loads()[newcomer] >= 6
    assert spread(grown) <= 1
    assert len(grown.overlap_docs) == 8
    assert first.overlap_docs & started <= grown.overlap_docs
    # Only what the newcomer takes over moves, one person's share at a time; nothing moves between the others.
    moved = [d for d in first.documents if grown.assignments[d] != first.assignments[d]]
    assert len(moved) == grown.loads()[newcomer]
    assert all(len(set(first.assignments[d]) - set(grown.assignments[d])) == 1 and newcomer in grown.assignments[d]
               for d in moved)


def test_the_plan_survives_json():
    items = [PlanDoc(d.doc_id, "d00" if d.doc_id in ("d00", "d01") else None) for d in docs(12)]
    plan = make_plan("s", items, PEOPLE, per_doc=2, overlap=0.3, seed=2)
    assert SessionPlan.from_dict(plan.to_dict(), "plan.json") == plan


@pytest.mark.parametrize("annotators,per_doc,overlap,message", [
    (["ana@example.org", "bob@"], 2, 0.2,
     "invalid annotator email 'bob@': give addresses like name@example.org, separated by commas"),
    (PEOPLE, 4, 0.2, "--per-doc 4 is more than the 3 annotator(s) given: an overlap document needs 4 different "
                     "people; add annotators or lower --per-doc"),
    (PEOPLE, 2, 1.5, "--overlap 1.5 is outside [0, 1]: it is the fraction of documents that --per-doc annotators "
                     "each annotate (0.2 = one document in five)"),
    (PEOPLE, 2, -0.1, "--overlap -0.1 is outside [0, 1]: it is the fraction of documents that --per-doc annotators "
                      "each annotate (0.2 = one document in five)"),
    (["ana@example.org", "ana@example.org"], 1, 0.0,
     "annotator ana@example.org is listed twice in --annotators; list each person once"),
])
def test_bad_options_are_refused_with_the_fix(annotators, per_doc, overlap, message):
    with pytest.raises(ConfigError) as caught:
        make_plan("s", docs(3), annotators, per_doc=per_doc, overlap=overlap)
    assert str(caught.value) == message


def test_an_existing_session_with_other_annotators_is_refused():
    first = make_plan("news", docs(4), PEOPLE, per_doc=2, overlap=0.5)
    with pytest.raises(ConfigError) as caught:
        make_plan("news", docs(4), ["ana@example.org", "zoe@example.org"], per_doc=2, overlap=0.5, previous=first)
    assert str(caught.value) == (
        "session 'news' already exists with annotators ana@example.org, ben@example.org, chloe@example.org; the new "
        "list lacks ben@example.org, chloe@example.org. List all of them (you may add new ones), or choose another "
        "session name")
    with pytest.raises(ConfigError, match=r"was created with --per-doc 2 --overlap 0.5 --seed 0"):
        make_plan("news", docs(4), PEOPLE, per_doc=2, overlap=0.25, previous=first)
