"""Claims across outlets: figures in claims, claims linked across documents, conflicts between their figures.

`link_claims(path, output)` reads AnnotatedDoc records with CLAIM spans (gold, people or a model), extracts the
figures of every claim (figures.py), links them across documents (link.py), compares the figures of each group
(conflicts.py) and writes one group per line. `report.py` renders the groups, `judgments.py` sends pairs to Label
Studio and brings people's judgments back, `evaluate.py` scores groups against gold groups.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import AnnotateError
from ..io import guard_output
from ..records import AnnotatedDoc, GOLD_ANNOTATOR, no_records, read_docs
from .conflicts import CONFLICT
from .figures import extract
from .groups_io import is_claims_file, read_groups, write_groups
from .link import Group, link_mentions
from .settings import check_threshold, load_settings


class ClaimsError(AnnotateError):
    """Input that claims linking cannot work on: too few documents, no claims, no figures."""


def choose_records(records: Sequence[AnnotatedDoc], path: str, annotator: str | None) -> list[AnnotatedDoc]:
    """One record per document: the named annotator's, else gold's, else the only one."""
    by_doc: dict[str, list[AnnotatedDoc]] = {}
    for record in records:
        by_doc.setdefault(record.doc_id, []).append(record)
    chosen = []
    for doc_id, candidates in by_doc.items():
        if annotator is not None:
            candidates = [r for r in candidates if r.annotator == annotator]
            if not candidates:
                continue
        elif len(candidates) > 1:
            gold = [r for r in candidates if r.annotator == GOLD_ANNOTATOR]
            if len(gold) != 1:
                names = ", ".join(sorted({str(r.annotator) for r in candidates}))
                raise ClaimsError(f"{path}: document {doc_id} has {len(candidates)} records ({names}); "
                                  "pass --annotator NAME to choose whose claims to link")
            candidates = gold
        chosen.append(candidates[-1])
    if annotator is not None and not chosen:
        raise ClaimsError(f"{path}: no record is by annotator {annotator!r}; check --annotator")
    return chosen


def check_input(docs: Sequence[AnnotatedDoc], path: str) -> None:
    if not docs:
        raise no_records(path, "pass a JSONL of annotated documents (gold, pulled annotations or predictions)")
    if len(docs) == 1:
        raise ClaimsError(f"{path}: holds one document ({docs[0].doc_id}); claims are linked across documents, "
                          "so pass the articles of at least two outlets")
    claims = sum(1 for doc in docs for span in doc.spans if span.label == "CLAIM")
    if not claims:
        raise ClaimsError(f"{path}: none of its {len(docs)} documents has a CLAIM span; run `annotate preannotate` "
                          "on the articles first, or pass annotations or gold")


@dataclass(frozen=True)
class LinkResult:
    output: Path
    groups: tuple[Group, ...]
    documents: int
    claims: int
    claims_with_figures: int
    figures: int
    threshold: float
    config: Path
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        statuses = Counter(g.status for g in self.groups if len(g.doc_ids) > 1)
        return {"output": str(self.output), "documents": self.documents, "claims": self.claims,
                "claims_with_figures": self.claims_with_figures, "figures": self.figures,
                "groups": len(self.groups), "linked_groups": sum(statuses.values()), "statuses": dict(statuses),
                "threshold": self.threshold, "config": str(self.config)}

    def summary_lines(self) -> list[str]:
        data = self.to_dict()
        lines = [f"Read {self.documents} documents: {self.claims} claims, {self.claims_with_figures} with figures; "
                 f"{self.figures} figures (claims and the outlets' own sentences)",
                 f"Wrote {data['groups']} groups to {self.output}: {data['linked_groups']} span several documents "
                 f"(threshold {self.threshold:g}, {self.config})"]
        for status, count in sorted(data["statuses"].items()):
            lines.append(f"  {status}: {count}")
        for group in self.groups:
            if group.status == CONFLICT:
                lines.append(f"  {group.group_id} conflict: {group.reasons[0]}")
        return lines


def link_claims(path: str | os.PathLike[str], output: str | os.PathLike[str], *, threshold: float | None = None,
                model: str | None = None, config: str | os.PathLike[str] | None = None,
                annotator: str | None = None, force: bool = False, nlp=None) -> LinkResult:
    settings = load_settings(config)
    if threshold is not None:
        check_threshold(threshold, "--threshold")
    out = guard_output(output, inputs=[path], ours=is_claims_file, force=force)
    name = str(path)
    docs = choose_records(list(read_docs(path)), name, annotator)
    check_input(docs, name)
    if nlp is None:
        from ..nlp import load_pipeline, split_glued_quotes

        nlp = load_pipeline(model)
        split_glued_quotes(nlp)
    mentions = extract(docs, nlp, settings)
    attributed = [m for m in mentions if m.claim.span_id is not None]
    claims = sum(1 for doc in docs for span in doc.spans if span.label == "CLAIM")
    if not attributed:
        raise ClaimsError(f"{name}: none of its {claims} CLAIM spans in {len(docs)} documents states a figure "
                          "(a number and what it counts); claims are linked by their figures, so there is nothing "
                          "to link")
    linked = link_mentions(mentions, settings, threshold)
    write_groups(out, linked.groups)
    return LinkResult(out, linked.groups, len(docs), claims, linked.claims_with_figures, linked.mentions,
                      settings.threshold if threshold is None else threshold, settings.path)



__all__ = ["ClaimsError", "LinkResult", "check_input", "choose_records", "link_claims", "read_groups"]
