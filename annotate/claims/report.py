"""Claims groups side by side: a table per group (figure, bound, source, outlet, cue, certainty, sentence), conflicts
first, as a section of the offline HTML report or a page of its own, and as JSON."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import AnnotateError
from ..io import guard_output, has_marker, write_text_atomic
from .conflicts import STATUS_ORDER
from .figures import find_figure
from .link import Group

STATUS_COLORS = {"conflict": "#f8d7da", "consistent": "#fff3cd", "agree": "#d4edda", "different quantities": "#e2e3e5"}
CLAIMS_STYLE = """
.claims-group { margin: 1rem 0 1.5rem; }
.status { display: inline-block; padding: .05rem .45rem; border-radius: .3rem; font-size: .8rem; font-weight: 600; }
td.sentence { max-width: 520px; }
mark.figure { background: #ffe08a; padding: 0 .1rem; }
tr.copy td { color: #777; }
ul.reasons { margin: .2rem 0 .4rem; font-size: .85rem; }
"""
GENERATOR = "annotate claims report"


def multi_document(groups: Sequence[Group]) -> list[Group]:
    """Groups with figures from more than one document, conflicts first."""
    linked = [group for group in groups if len(group.doc_ids) > 1]
    return sorted(linked, key=lambda g: (STATUS_ORDER.get(g.status, 9), -len(g.members), g.group_id))


def _sentence_cell(parent: ET.Element, sentence: str, figure_text: str) -> None:
    """The sentence with its figure marked (all escaping by ElementTree)."""
    cell = ET.SubElement(parent, "td", {"class": "sentence"})
    at = find_figure(sentence, figure_text)
    if at < 0:
        cell.text = sentence
        return
    cell.text = sentence[:at]
    mark = ET.SubElement(cell, "mark", {"class": "figure"})
    mark.text = figure_text
    mark.tail = sentence[at + len(figure_text):]


def claims_section(groups: Sequence[Group]) -> ET.Element:
    """<section> with one table per multi-document group."""
    section = ET.Element("section", {"id": "claims-across-outlets"})
    ET.SubElement(section, "h2").text = "Claims across outlets"
    shown = multi_document(groups)
    counts = Counter(group.status for group in shown)
    summary = ", ".join(f"{counts[s]} {s}" for s in sorted(counts, key=lambda s: STATUS_ORDER.get(s, 9)))
    ET.SubElement(section, "p", {"class": "note"}).text = (
        f"{len(shown)} groups of figures stated in several documents ({summary or 'none'}); conflicts first. "
        "Figures are compared only within one kind of quantity; copies of one passage count once.")
    for group in shown:
        box = ET.SubElement(section, "div", {"class": "claims-group", "data-status": group.status,
                                             "id": f"group-{group.group_id}"})
        heading = ET.SubElement(box, "h3")
        heading.text = f"{group.group_id}: {', '.join(group.kinds) or 'figures'} "
        badge = ET.SubElement(heading, "span", {"class": "status",
                                                "style": f"background: {STATUS_COLORS.get(group.status, '#eee')}"})
        badge.text = group.status
        if group.reasons:
            reasons = ET.SubElement(box, "ul", {"class": "reasons"})
            for reason in group.reasons:
                ET.SubElement(reasons, "li").text = reason
        table = ET.SubElement(box, "table")
        header = ET.SubElement(table, "tr")
        for name in ("figure", "bound", "counts", "source", "outlet", "cue", "certainty", "sentence"):
            ET.SubElement(header, "th").text = name
        for member in group.members:
            figure, claim = member.figure, member.claim
            row = ET.SubElement(table, "tr", {"class": "copy"} if member.copy_of else {})
            cells = [figure.value_text, figure.bound + (f" ({figure.bound_text})" if figure.bound_text else ""),
                     figure.kind or "", claim.source or "(the outlet)", claim.outlet + (" (copy)" if member.copy_of else ""),
                     claim.cue or "", claim.certainty or ""]
            for index, value in enumerate(cells):
                ET.SubElement(row, "td", {"class": "num"} if index == 0 else {}).text = value
            _sentence_cell(row, claim.sentence, figure.text)
    return section


def stats_claims_groups(docs: Sequence[Any], model: str | None = None) -> list[Group]:
    """For `annotate stats --html`: the groups of the input's claims when they come from several documents and
    some are linked across them; [] otherwise (the section is then left out)."""
    from . import choose_records
    from .figures import extract
    from .link import link_mentions
    from .settings import load_settings

    with_claims = {doc.doc_id for doc in docs if any(span.label == "CLAIM" for span in doc.spans)}
    if len(with_claims) < 2:
        return []
    try:
        chosen = choose_records([doc for doc in docs if doc.doc_id in with_claims], "<stats>", None)
    except AnnotateError:  # several annotators per document and no gold: whose claims to link is not ours to pick
        return []
    from ..nlp import load_pipeline, split_glued_quotes

    settings = load_settings()
    nlp = load_pipeline(model)
    split_glued_quotes(nlp)
    groups = link_mentions(extract(chosen, nlp, settings), settings).groups
    return multi_document(groups)


def render_claims_report(groups: Sequence[Group], title: str, source: str = "") -> str:
    from ..report_html import page

    html, body = page(title, GENERATOR, CLAIMS_STYLE)
    if source:
        ET.SubElement(body, "p", {"class": "note"}).text = f"From {source}. Made by `annotate claims report`; works offline."
    body.append(claims_section(groups))
    ET.indent(html, space=" ")
    return "<!DOCTYPE html>\n" + ET.tostring(html, encoding="unicode", method="html") + "\n"


@dataclass(frozen=True)
class ClaimsReport:
    groups: tuple[Group, ...]
    html: Path | None

    def to_dict(self) -> dict[str, Any]:
        return {"groups": [group.to_dict() for group in multi_document(self.groups)],
                "statuses": dict(Counter(group.status for group in multi_document(self.groups)))}

    def summary_lines(self) -> list[str]:
        lines = []
        for group in multi_document(self.groups):
            lines.append(f"{group.group_id} [{group.status}] {', '.join(group.kinds)}: "
                         + "; ".join(f"{m.figure.bound_text + ' ' if m.figure.bound_text else ''}{m.figure.value_text}"
                                     f" ({m.claim.source or m.claim.outlet})" for m in group.members if not m.copy_of))
        if self.html is not None:
            lines.append(f"Wrote {self.html}")
        return lines


def claims_report(path: str | os.PathLike[str], html: str | os.PathLike[str] | None = None, *,
                  force: bool = False) -> ClaimsReport:
    from .groups_io import read_groups

    out = guard_output(html, inputs=[path], ours=has_marker(GENERATOR), force=force, option="--html") if html else None
    groups = tuple(read_groups(path))
    if out is not None:
        write_text_atomic(out, render_claims_report(groups, f"Claims across outlets: {Path(path).name}", Path(path).name))
    return ClaimsReport(groups, out)
