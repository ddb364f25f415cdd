"""One policy for several records of one (document, annotator): the newest counts, in agree, stats and gold alike."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from annotate.agreement import compute
from annotate.cli import app
from annotate.grouping import by_doc_and_annotator
from annotate.records import AnnotatedDoc, make_span, write_docs
from annotate.stats import corpus_stats

runner = CliRunner()
TEXT = "Officials said the bridge would reopen on Monday, according to a city spokesman."


def annotation(annotator: str, *labels_and_ends: tuple[str, int, int], updated_at: str | None = None,
               doc_id: str = "d1") -> AnnotatedDoc:
    spans = tuple(make_span(TEXT, f"s{i}", start, end, label) for i, (label, start, end) in enumerate(labels_and_ends))
    return AnnotatedDoc(doc_id, TEXT, annotator, spans, (), {"updated_at": updated_at} if updated_at else {})


SOURCE = ("SOURCE", 0, 9)  # "Officials"
CLAIM = ("CLAIM", 15, 48)  # "the bridge would reopen on Monday"


@pytest.mark.parametrize(("copies", "kept"), [
    # Newest by meta.updated_at, wherever it stands in the file.
    ([annotation("alice", SOURCE, updated_at="2026-11-02T10:00:00"),
      annotation("alice", CLAIM, updated_at="2026-11-01T10:00:00")], "SOURCE"),
    ([annotation("alice", CLAIM, updated_at="2026-11-01T10:00:00"),
      annotation("alice", SOURCE, updated_at="2026-11-02T10:00:00")], "SOURCE"),
    # No timestamps, or equal ones: the one read last (a later pull appended to the file).
    ([annotation("alice", CLAIM), annotation("alice", SOURCE)], "SOURCE"),
])
def test_the_newest_record_is_kept_and_the_rest_counted(copies, kept):
    grouped = by_doc_and_annotator([*copies, annotation("bob", SOURCE), AnnotatedDoc("d2", "An article.")])
    assert [span.label for span in grouped.docs["d1"]["alice"].spans] == [kept]
    assert list(grouped.docs) == ["d1"] and list(grouped.docs["d1"]) == ["alice", "bob"]
    assert grouped.older_copies == 1
    assert grouped.warning() == ("1 older record(s) of the same document and annotator were left out, keeping the "
                                 "newest of each (e.g. doc d1 by 'alice'); pull again into a fresh file to avoid "
                                 "duplicates")


def test_no_duplicates_no_warning():
    assert by_doc_and_annotator([annotation("alice", SOURCE), annotation("bob", CLAIM)]).warning() is None


@pytest.fixture
def duplicated(tmp_path):
    """alice's stale copy disagrees with bob; her newer one agrees with him exactly."""
    stale = annotation("alice", CLAIM, updated_at="2026-11-01T09:00:00")
    newer = annotation("alice", SOURCE, CLAIM, updated_at="2026-11-01T12:00:00")
    bob = annotation("bob", SOURCE, CLAIM, updated_at="2026-11-01T11:00:00")
    write_docs(tmp_path / "with.jsonl", [newer, bob, stale])
    write_docs(tmp_path / "without.jsonl", [newer, bob])
    return {"with": tmp_path / "with.jsonl", "without": tmp_path / "without.jsonl"}


def test_agree_scores_the_newest_copy_and_says_so(duplicated):
    done = runner.invoke(app, ["agree", str(duplicated["with"]), "--json", "--bootstrap", "0"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["spans"]["exact"]["micro"]["f1"]["value"] == 1.0
    assert any("1 older record(s) of the same document and annotator were left out" in note for note in report["notes"])


def test_stats_count_a_duplicated_record_once(duplicated):
    from annotate.records import read_docs

    once = corpus_stats(read_docs(duplicated["without"]))
    twice = corpus_stats(read_docs(duplicated["with"]))
    assert twice.figure("records") == once.figure("records") == 2
    assert twice.figure("spans") == once.figure("spans") == 4
    assert twice.agreement.loc["alice", "bob"] == 1.0
    assert twice.notes and "keeping the newest of each" in twice.notes[0]
    assert not once.notes


def test_agree_and_stats_keep_the_same_record(duplicated):
    from annotate.records import read_docs

    docs = list(read_docs(duplicated["with"]))
    report = compute(docs, bootstrap=0).to_dict()
    stats = corpus_stats(docs)
    assert report["spans"]["exact"]["micro"]["f1"]["value"] == stats.agreement.loc["alice", "bob"] == 1.0
