"""The adjudication round trip against a real Label Studio: `annotate gold` lists conflicts, `annotate push
--adjudicate` shows each annotator's version as a prediction named after them, the adjudicator submits an
annotation, `annotate pull` brings it back, and `annotate gold --adjudicated` makes it the gold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotate.labelstudio.results import doc_to_results
from annotate.records import read_docs
from annotate.schema import load_schema

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore::FutureWarning")]
DATA = Path(__file__).parent / "data" / "gold"
ANNOTATIONS = DATA / "annotations.jsonl"




def shape(doc):
    spans = doc.span_by_id()
    return (sorted((s.start, s.end, s.label, tuple(sorted(s.attrs.items()))) for s in doc.spans),
            sorted(((spans[r.from_id].start, spans[r.from_id].label), r.label, (spans[r.to_id].start, spans[r.to_id].label))
                   for r in doc.relations))


def test_conflicts_go_to_review_and_come_back_as_gold(label_studio, tmp_path, run_cli):
    env = label_studio.env
    schema = load_schema()
    first = json.loads(run_cli("gold", ANNOTATIONS, "-o", tmp_path / "gold" / "data.jsonl", "--json", env=env, check=True).stdout)
    conflicts = Path(first["conflicts"])
    assert first["conflict_documents"] == 2  # "majority" and "tie"

    title = label_studio.new_project_title("review")
    pushed = json.loads(run_cli("push", "--adjudicate", conflicts, "--project", title, "--json", env=env, check=True).stdout)
    assert pushed["tasks_created"] == 2 and pushed["predictions_created"] == 5

    # One task per document, one prediction per annotator, named after the annotator.
    client = label_studio.client()
    project = client.find_project(title)
    tasks = {doc_id: task_id for task_id, doc_id, _ in client.task_doc_ids(project.id)}
    assert set(tasks) == {"majority", "tie"}
    versions: dict[str, set[str]] = {}
    for prediction in client.predictions(project.id):
        doc_id = next(d for d, t in tasks.items() if t == prediction["task"])
        versions.setdefault(doc_id, set()).add(prediction["model_version"])
    assert versions == {"majority": {"alice", "bob", "carol"}, "tie": {"alice", "bob"}}

    # Each prediction is that annotator's full version: pulled back as records, they equal the conflicts file.
    run_cli("pull", "--project", title, "-o", tmp_path / "predictions.jsonl", "--include-predictions", env=env, check=True)
    pulled = {(d.doc_id, d.annotator): d for d in read_docs(tmp_path / "predictions.jsonl")}
    for record in read_docs(conflicts):
        assert shape(pulled[(record.doc_id, record.annotator)]) == shape(record)

    # The adjudicator decides: bob's version for "majority", and their own version (review.jsonl) for "tie".
    originals = {(d.doc_id, d.annotator): d for d in read_docs(ANNOTATIONS)}
    decided = {"majority": originals[("majority", "bob")], "tie": next(read_docs(DATA / "review.jsonl"))}
    for doc_id, record in decided.items():
        client.create_annotation(tasks[doc_id], doc_to_results(record, schema), lead_time=12.5)

    review = tmp_path / "review.jsonl"
    run_cli("pull", "--project", title, "-o", review, env=env, check=True)
    adjudicated = list(read_docs(review))
    assert sorted(d.doc_id for d in adjudicated) == ["majority", "tie"]
    assert {d.annotator for d in adjudicated} == {label_studio.email}

    out = tmp_path / "gold2" / "data.jsonl"
    second = json.loads(run_cli("gold", ANNOTATIONS, "-o", out, "--adjudicated", review, "--json", env=env, check=True).stdout)
    assert second["methods"] == {"adjudicated": 2, "consensus": 1, "ground_truth": 1}
    assert second["conflict_documents"] == 0
    gold = {d.doc_id: d for d in read_docs(out)}
    for doc_id, record in decided.items():
        assert shape(gold[doc_id]) == shape(record)
        assert gold[doc_id].meta["gold"]["method"] == "adjudicated"
        assert gold[doc_id].meta["gold"]["from"] == label_studio.email
        assert "conflicts" not in gold[doc_id].meta and "ls_task_id" not in gold[doc_id].meta
    assert gold["majority"].meta["cluster"] == "k1"  # document meta survives the review project
    sheet = (out.parent / "README.md").read_text(encoding="utf-8")
    assert "| adjudicated | 2 |" in sheet and f"Adjudicated by: {label_studio.email} (2 documents)" in sheet
