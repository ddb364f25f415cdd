"""People verify links in a real Label Studio: pairs pushed as comparison tasks, two people judge them through the
API, the judgments come back with κ and α, and gold groups built from them score the linker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotate.claims import link_claims
from annotate.claims.groups_io import read_groups
from annotate.claims.judgments import LINK_CHOICES

pytestmark = [pytest.mark.integration]
SEED = Path(__file__).resolve().parents[1] / "gold" / "seed"


def _result(link: str, conflict: str) -> list[dict]:
    return [{"from_name": "link", "to_name": "left", "type": "choices", "value": {"choices": [link]}},
            {"from_name": "figures_conflict", "to_name": "left", "type": "choices", "value": {"choices": [conflict]}}]


def test_link_judgments_round_trip(label_studio, tmp_path, run_cli):
    claims = tmp_path / "claims.jsonl"
    link_claims(SEED / "data.jsonl", claims)
    title = label_studio.new_project_title("claims")
    pushed = run_cli("claims", "push", claims, "--project", title, "--json", env=label_studio.env)
    assert pushed.returncode == 0, pushed.stderr
    summary = json.loads(pushed.stdout)
    assert summary["created"] > 10 and summary["skipped"] == 0
    again = json.loads(run_cli("claims", "push", claims, "--project", title, "--json", env=label_studio.env).stdout)
    assert again["created"] == 0 and again["skipped"] == summary["created"]  # idempotent

    client = label_studio.client()
    project = client.find_project(title)
    tasks = client.export(project.id)
    alice = client.create_user("alice-claims@example.org")
    bob = client.create_user("bob-claims@example.org")
    kinds = {member.key: member.figure.kind for group in read_groups(claims) for member in group.members}
    for index, task in enumerate(sorted(tasks, key=lambda t: t["id"])):
        data = task["data"]
        assert "<mark" in data["left_html"] or "no source" in data["left_html"]
        # Alice calls figures of one kind the same claim and killed vs killed-or-injured related; Bob differs on
        # every fifth pair, so agreement is well above chance but not perfect.
        first = "same claim" if kinds[data["left_key"]] == kinds[data["right_key"]] else "related"
        second = first if index % 5 else "different"
        client.create_annotation(task["id"], _result(first, "yes" if data["group_status"] == "conflict" else "no"),
                                 completed_by=alice)
        client.create_annotation(task["id"], _result(second, "no"), completed_by=bob)

    judgments, gold = tmp_path / "judgments.jsonl", tmp_path / "judged_groups.jsonl"
    pulled = run_cli("claims", "pull", "--project", title, "-o", judgments, "--gold", gold, "--claims", claims,
                     "--bootstrap", "200", "--json", env=label_studio.env)
    assert pulled.returncode == 0, pulled.stderr
    report = json.loads(pulled.stdout)
    assert report["judgments"] == 2 * len(tasks)
    assert report["annotators"] == ["alice-claims@example.org", "bob-claims@example.org"]
    link = next(a for a in report["agreement"] if a["question"] == "link")
    for name in ("alpha", "fleiss_kappa", "cohen_kappa"):
        coefficient = link["coefficients"][name]
        assert 0 < coefficient["value"] < 1
        assert coefficient["ci_low"] <= coefficient["value"] <= coefficient["ci_high"]
    lines = [json.loads(line) for line in judgments.read_text(encoding="utf-8").splitlines()]
    assert {line["link"] for line in lines} <= set(LINK_CHOICES)

    scored = run_cli("claims", "evaluate", claims, gold, "--json")
    assert scored.returncode == 0, scored.stderr
    scores = json.loads(scored.stdout)
    # Only linked pairs were sent, so every pair the judges joined is a predicted pair (recall 1); the judges kept
    # killed apart from killed-or-injured and Bob's dissent broke some majorities, so precision is below 1.
    assert scores["pairwise_recall"] == 1.0 and 0 < scores["pairwise_precision"] < 1
