"""People verify links: pairs of linked claims go to Label Studio as comparison tasks, judgments come back,
agreement on them is measured with the project's coefficients, and gold groups are built from them.

A task shows the two sentences side by side, each with its SOURCE and figure highlighted, and asks two things:
is it the same claim, a related one or a different one; and do the figures conflict (yes/no). Pure parts (tasks,
judgments from the export, agreement, gold) are kept apart from the network calls in `push_pairs`/`pull_judgments`.
"""

from __future__ import annotations

import hashlib
import html
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..agreement.bootstrap import Ledger, estimate
from ..agreement.coefficients import cohen_kappa, fleiss_kappa, fleiss_stats, nominal_alpha, nominal_alpha_stats
from ..clusters import components
from ..errors import AnnotateError, ServerError
from ..io import atomic_open, guard_output, jsonl_with_keys
from ..records import dumps, iter_json_lines, no_records
from .figures import find_figure
from .link import Group, Member

LINK_CHOICES = ("same claim", "related", "different")
CONFLICT_CHOICES = ("yes", "no")
LABEL_CONFIG = """<View>
  <Header value="Do these two sentences state the same claim?"/>
  <View style="display: flex; gap: 1.5em">
    <View style="flex: 1">
      <Header value="$left_outlet" size="5"/>
      <HyperText name="left" value="$left_html"/>
    </View>
    <View style="flex: 1">
      <Header value="$right_outlet" size="5"/>
      <HyperText name="right" value="$right_html"/>
    </View>
  </View>
  <Header value="The claim" size="5"/>
  <Choices name="link" toName="left" choice="single" showInline="true" required="true">
    <Choice value="same claim"/>
    <Choice value="related"/>
    <Choice value="different"/>
  </Choices>
  <Header value="Do the figures conflict?" size="5"/>
  <Choices name="figures_conflict" toName="left" choice="single" showInline="true">
    <Choice value="yes"/>
    <Choice value="no"/>
  </Choices>
</View>
"""


class JudgmentError(AnnotateError):
    """Judgments that cannot be used: no annotated pair, an unknown choice."""


def pair_id(first: str, second: str) -> str:
    a, b = sorted((first, second))
    return hashlib.sha256(f"{a}|{b}".encode()).hexdigest()[:16]


def _highlighted(member: Member) -> str:
    """The sentence as HTML: the SOURCE marked, the figure in bold; every piece of text escaped."""
    sentence, claim = member.claim.sentence, member.claim
    marks = []
    if claim.source and claim.source in sentence:
        at = sentence.index(claim.source)
        marks.append((at, at + len(claim.source), '<mark style="background:#cfe2ff">', "</mark>"))
    at = find_figure(sentence, member.figure.text)
    if at >= 0 and not any(start < at + len(member.figure.text) and at < end for start, end, _, _ in marks):
        marks.append((at, at + len(member.figure.text), '<b style="background:#ffe08a">', "</b>"))
    out, position = [], 0
    for start, end, opening, closing in sorted(marks):
        out += [html.escape(sentence[position:start]), opening, html.escape(sentence[start:end]), closing]
        position = end
    out.append(html.escape(sentence[position:]))
    source = claim.source or f"{claim.outlet} itself (no source)"
    return f"<p>{''.join(out)}</p><p><small>Source: {html.escape(source)}; cue: {html.escape(claim.cue or '–')}" \
           f"; certainty: {html.escape(claim.certainty or '–')}</small></p>"


def comparison_tasks(groups: Iterable[Group]) -> list[dict[str, Any]]:
    """One task per pair of figures from different documents in a group (copies of one passage left out)."""
    tasks = []
    for group in groups:
        voices = [m for m in group.members if m.copy_of is None]
        for index, left in enumerate(voices):
            for right in voices[index + 1:]:
                if left.claim.doc_id == right.claim.doc_id:
                    continue
                identity = pair_id(left.key, right.key)
                tasks.append({"data": {
                    "doc_id": identity,  # the task's key, as for document tasks: a second push skips it
                    "pair_id": identity, "group_id": group.group_id, "group_status": group.status,
                    "left_key": left.key, "right_key": right.key,
                    "left_outlet": left.claim.outlet, "right_outlet": right.claim.outlet,
                    "left_html": _highlighted(left), "right_html": _highlighted(right)}})
    return tasks


@dataclass(frozen=True)
class PairPush:
    project: str
    project_id: int
    created: int
    skipped: int
    url: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def summary_lines(self) -> list[str]:
        return [f"Project {self.project!r} (id {self.project_id}) at {self.url}: {self.created} comparison tasks "
                f"created, {self.skipped} already there"]


def push_pairs(groups: Sequence[Group], *, project: str, client) -> PairPush:
    tasks = comparison_tasks(groups)
    if not tasks:
        raise JudgmentError("no group has figures from two documents, so there is no pair to judge; "
                            "run `annotate claims link` on articles from several outlets")
    found = client.find_project(project)
    if found is None:
        found = client.create_project(project, LABEL_CONFIG)
    elif 'name="figures_conflict"' not in found.label_config:
        raise ServerError(f"Label Studio project {project!r} is not a claims comparison project; "
                          "give --project a new name")
    existing = {key.doc_id for key in client.task_keys(found.id)}
    new = [task for task in tasks if task["data"]["pair_id"] not in existing]
    if new:
        client.import_tasks(found.id, new)
    return PairPush(project, found.id, len(new), len(tasks) - len(new), client.url)


# ---------------------------------------------------------------------------------------------------------
# Judgments back


@dataclass(frozen=True)
class Judgment:
    pair_id: str
    group_id: str
    left_key: str
    right_key: str
    annotator: str
    link: str
    figures_conflict: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _choice(result: Sequence[Mapping[str, Any]], name: str) -> str | None:
    for item in result:
        if item.get("from_name") == name and item.get("type") == "choices":
            choices = (item.get("value") or {}).get("choices") or []
            return str(choices[0]) if choices else None
    return None


def judgments_from_export(tasks: Iterable[Mapping[str, Any]], names: Mapping[Any, str]) -> list[Judgment]:
    """Submitted (not cancelled) annotations of comparison tasks; an unknown choice is an error naming the task."""
    judgments = []
    for task in tasks:
        data = task.get("data") or {}
        if "pair_id" not in data:
            continue
        for annotation in task.get("annotations") or []:
            if annotation.get("was_cancelled"):
                continue
            link = _choice(annotation.get("result") or [], "link")
            if link is None:
                continue
            if link not in LINK_CHOICES:
                raise JudgmentError(f"task {task.get('id')}: link choice {link!r} is not one of {', '.join(LINK_CHOICES)}; "
                                    "the project's labeling config was changed")
            who = annotation.get("completed_by")
            annotator = names.get(who) or names.get(str(who)) or (who.get("email") if isinstance(who, dict) else None) \
                or f"ls-user-{who}"
            judgments.append(Judgment(data["pair_id"], str(data.get("group_id", "")), data["left_key"],
                                      data["right_key"], str(annotator), link,
                                      _choice(annotation.get("result") or [], "figures_conflict")))
    return sorted(judgments, key=lambda j: (j.pair_id, j.annotator))


# ---------------------------------------------------------------------------------------------------------
# Agreement on judgments, through the agreement package's coefficients and document bootstrap (units: pairs)


@dataclass(frozen=True)
class JudgmentAgreement:
    question: str
    annotators: tuple[str, ...]
    pairs: int
    coefficients: Mapping[str, tuple[float | None, float | None, float | None]]  # name -> (value, ci low, ci high)

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "annotators": list(self.annotators), "pairs": self.pairs,
                "coefficients": {name: {"value": v, "ci_low": lo, "ci_high": hi}
                                 for name, (v, lo, hi) in self.coefficients.items()}}

    def summary_lines(self) -> list[str]:
        def show(value):
            return "–" if value is None else f"{value:.3f}"
        parts = [f"{name} {show(v)} [{show(lo)}, {show(hi)}]" for name, (v, lo, hi) in self.coefficients.items()]
        return [f"Agreement on {self.question!r} over {self.pairs} pairs by {len(self.annotators)} annotators: "
                + "; ".join(parts)]


def judgment_agreement(judgments: Sequence[Judgment], question: str = "link", *, bootstrap: int = 1000,
                       seed: int = 0) -> JudgmentAgreement:
    values = LINK_CHOICES if question == "link" else CONFLICT_CHOICES
    code = {value: index for index, value in enumerate(values)}
    annotators = tuple(sorted({j.annotator for j in judgments}))
    by_pair: dict[str, dict[str, str]] = defaultdict(dict)
    for j in judgments:
        answer = j.link if question == "link" else j.figures_conflict
        if answer in code:
            by_pair[j.pair_id][j.annotator] = answer
    pairs = sorted(pair for pair, answers in by_pair.items() if len(answers) >= 2)
    if len(annotators) < 2 or not pairs:
        raise JudgmentError(f"agreement on {question!r} needs pairs judged by at least two people; "
                            f"{len(by_pair)} pairs were judged by {len(annotators)} annotator(s)")
    n_values = len(values)
    ledger = Ledger(len(pairs))
    alpha_totals, alpha_agree = ledger.block("alpha_totals", (n_values,)), ledger.block("alpha_agree")
    fleiss_sum, fleiss_units = ledger.block("fleiss_sum"), ledger.block("fleiss_units")
    fleiss_totals = ledger.block("fleiss_totals", (n_values,))
    confusion = ledger.block("confusion", (n_values, n_values))
    first, second = annotators[0], annotators[1]
    for row, pair in enumerate(pairs):
        counts = np.zeros((1, n_values))
        for answer in by_pair[pair].values():
            counts[0, code[answer]] += 1
        totals, agreeing = nominal_alpha_stats(counts)
        alpha_totals[row], alpha_agree[row] = totals, agreeing
        agreement, units, margins = fleiss_stats(counts)
        fleiss_sum[row], fleiss_units[row], fleiss_totals[row] = agreement, units, margins
        answers = by_pair[pair]
        if first in answers and second in answers:
            confusion[row, code[answers[first]], code[answers[second]]] += 1
    statistics = {
        "alpha": lambda t: nominal_alpha(t["alpha_totals"], t["alpha_agree"]),
        "fleiss_kappa": lambda t: fleiss_kappa(t["fleiss_sum"], t["fleiss_units"], t["fleiss_totals"]),
    }
    if len(annotators) == 2:
        statistics["cohen_kappa"] = lambda t: cohen_kappa(t["confusion"])
    estimates = estimate(ledger, statistics, bootstrap, seed)
    coefficients = {name: (e.value if e.value is None else round(e.value, 4),
                           None if e.ci_low is None else round(e.ci_low, 4),
                           None if e.ci_high is None else round(e.ci_high, 4)) for name, e in estimates.items()}
    return JudgmentAgreement(question, annotators, len(pairs), coefficients)


def gold_from_judgments(judgments: Sequence[Judgment]) -> dict[str, list[str]]:
    """Gold groups: pairs that a strict majority of their judges call the same claim are linked; the groups are
    the connected components. Returns group name -> member keys (figures judged only apart stay singletons)."""
    votes: dict[str, Counter] = defaultdict(Counter)
    ends: dict[str, tuple[str, str]] = {}
    for j in judgments:
        votes[j.pair_id][j.link] += 1
        ends[j.pair_id] = (j.left_key, j.right_key)
    keys = sorted({key for pair in ends.values() for key in pair})
    same = [ends[pair] for pair, counter in votes.items()
            if counter["same claim"] * 2 > sum(counter.values())]
    component = components(keys, same)
    groups: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        groups[component[key]].append(key)
    return {f"judged_{index}": members for index, members in enumerate(sorted(groups.values()), start=1)}


def _gold_member(key: str, texts: Mapping[str, str]) -> dict[str, Any]:
    doc_id, offsets = key.rsplit(":", 1)
    start, end = (int(part) for part in offsets.split("-"))
    return {"doc_id": doc_id, "start": start, "end": end, "text": texts.get(key, "")}


@dataclass(frozen=True)
class PulledJudgments:
    output: Path
    judgments: tuple[Judgment, ...]
    agreement: tuple[JudgmentAgreement, ...]
    gold: Path | None
    gold_groups: int
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"output": str(self.output), "judgments": len(self.judgments),
                "annotators": sorted({j.annotator for j in self.judgments}),
                "agreement": [a.to_dict() for a in self.agreement],
                "gold": None if self.gold is None else str(self.gold), "gold_groups": self.gold_groups,
                "notes": list(self.notes)}

    def summary_lines(self) -> list[str]:
        choices = Counter(j.link for j in self.judgments)
        lines = [f"Wrote {len(self.judgments)} judgments to {self.output} ("
                 + ", ".join(f"{count} {choice}" for choice, count in sorted(choices.items())) + ")"]
        for agreement in self.agreement:
            lines += agreement.summary_lines()
        lines += list(self.notes)
        if self.gold is not None:
            lines.append(f"Wrote {self.gold_groups} gold groups to {self.gold}")
        return lines


is_judgments_file = jsonl_with_keys("pair_id", "annotator")


def pull_judgments(*, project: str, client, output: str | os.PathLike[str], gold: str | os.PathLike[str] | None = None,
                   claims: Sequence[Group] = (), bootstrap: int = 1000, seed: int = 0,
                   force: bool = False) -> PulledJudgments:
    out = guard_output(output, ours=is_judgments_file, force=force)
    gold_out = guard_output(gold, ours=jsonl_with_keys("group", "members"), force=force, option="--gold") \
        if gold is not None else None
    found = client.find_project(project)
    if found is None:
        raise ServerError(f"Label Studio at {client.url} has no project titled {project!r}; "
                          "push pairs to it first with `annotate claims push`")
    names: dict[Any, str] = dict(client.user_emails())
    judgments = judgments_from_export(client.export(found.id), names)
    if not judgments:
        raise JudgmentError(f"project {project!r} has no submitted judgment yet; judge some pairs in Label Studio "
                            "and pull again")
    with atomic_open(out) as handle:
        for judgment in judgments:
            handle.write(dumps(judgment.to_dict()) + "\n")
    agreements, notes = [], []
    for question in ("link", "figures_conflict"):
        try:
            agreements.append(judgment_agreement(judgments, question, bootstrap=bootstrap, seed=seed))
        except JudgmentError as error:
            notes.append(f"No agreement on {question!r}: {error}")
    gold_groups = 0
    if gold_out is not None:
        texts = {m.key: m.figure.text for group in claims for m in group.members}
        grouped = gold_from_judgments(judgments)
        with atomic_open(gold_out) as handle:
            for name, members in grouped.items():
                handle.write(dumps({"group": name, "members": [_gold_member(k, texts) for k in members]}) + "\n")
        gold_groups = len(grouped)
    return PulledJudgments(out, tuple(judgments), tuple(agreements), gold_out, gold_groups, tuple(notes))


def read_judgments(path: str | os.PathLike[str]) -> list[Judgment]:
    judgments = []
    for number, raw in iter_json_lines(path):
        try:
            judgments.append(Judgment(**raw))
        except TypeError as error:
            raise JudgmentError(f"{path}:{number}: not a judgment ({error}); pass the file `annotate claims pull` "
                                "wrote") from error
    if not judgments:
        raise no_records(path, "pull judgments into it with `annotate claims pull`")
    return judgments
