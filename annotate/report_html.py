"""The statistics as one self-contained HTML file: tables and inline SVG plots, no script, no network.

The plots are SVG built here with ElementTree rather than matplotlib: a bar chart, a histogram and a heatmap are a
few rectangles each, SVG stays sharp at any zoom and can be searched and copied, the file stays small, and the
project needs no plotting dependency. Every string from the data is escaped by ElementTree.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .stats import CorpusStats

CHAR_WIDTH = 7.6  # a generous width of a 12px sans-serif character (capitals included), for laying out labels
BAR_HEIGHT = 18
DEFAULT_COLOR = "#6c8ebf"
LENGTH_BINS: tuple[tuple[int, int], ...] = ((1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 10), (11, 20), (21, 40),
                                            (41, 80), (81, 10**9))

STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 2rem auto; max-width: 1100px;
       color: #222; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1rem; margin-bottom: .3rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .85rem; }
th, td { border: 1px solid #ddd; padding: .2rem .5rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; }
.row { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
.plot { display: block; }
.plot text { font-family: system-ui, sans-serif; font-size: 12px; fill: #222; }
.plot .title { font-weight: 600; }
.note { color: #666; font-size: .85rem; }
"""


def _svg(width: float, height: float, name: str, title: str) -> ET.Element:
    svg = ET.Element("svg", {"xmlns": "http://www.w3.org/2000/svg", "class": "plot", "data-plot": name,
                             "width": f"{width:.0f}", "height": f"{height:.0f}",
                             "viewBox": f"0 0 {width:.0f} {height:.0f}", "role": "img"})
    ET.SubElement(svg, "title").text = title
    return svg


def _text(parent: ET.Element, x: float, y: float, content: str, anchor: str = "start", **extra: str) -> ET.Element:
    element = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", "text-anchor": anchor, **extra})
    element.text = content
    return element


def _format(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def bar_chart(items: Sequence[tuple[str, float, str]], name: str, title: str, width: int = 520) -> ET.Element:
    """Horizontal bars, one per (label, value, colour), longest scale = the largest value."""
    label_width = min(260.0, max((len(label) for label, _, _ in items), default=4) * CHAR_WIDTH + 14)
    top = 26
    height = top + len(items) * (BAR_HEIGHT + 6) + 8
    svg = _svg(width, height, name, title)
    _text(svg, 0, 16, title, **{"class": "title"})
    largest = max((value for _, value, _ in items), default=0) or 1
    room = width - label_width - 50
    for index, (label, value, color) in enumerate(items):
        y = top + index * (BAR_HEIGHT + 6)
        shown = label if len(label) * CHAR_WIDTH < label_width - 6 else label[: int((label_width - 6) / CHAR_WIDTH) - 1] + "…"
        _text(svg, label_width - 6, y + 13, shown, "end")
        bar = ET.SubElement(svg, "rect", {"x": f"{label_width:.1f}", "y": str(y), "height": str(BAR_HEIGHT),
                                          "width": f"{max(1.0, room * value / largest):.1f}", "fill": color or DEFAULT_COLOR})
        ET.SubElement(bar, "title").text = f"{label}: {_format(value)}"
        _text(svg, label_width + max(1.0, room * value / largest) + 4, y + 13, _format(value))
    return svg


def histogram(counts: Sequence[tuple[str, int]], name: str, title: str, color: str,
              width: int = 330, height: int = 190) -> ET.Element:
    """Vertical bars over ordered bins, with the bin names under them."""
    svg = _svg(width, height, name, title)
    _text(svg, 0, 16, title, **{"class": "title"})
    left, top, bottom = 34, 28, 34
    plot_height = height - top - bottom
    largest = max((count for _, count in counts), default=0) or 1
    step = (width - left - 6) / max(1, len(counts))
    ET.SubElement(svg, "line", {"x1": str(left), "y1": str(height - bottom), "x2": str(width - 4),
                                "y2": str(height - bottom), "stroke": "#999"})
    _text(svg, left - 4, top + 10, str(largest), "end")
    _text(svg, left - 4, height - bottom, "0", "end")
    for index, (bin_name, count) in enumerate(counts):
        x = left + index * step
        bar_height = plot_height * count / largest
        if count:
            bar = ET.SubElement(svg, "rect", {"x": f"{x + 2:.1f}", "y": f"{height - bottom - bar_height:.1f}",
                                              "width": f"{max(1.0, step - 4):.1f}", "height": f"{bar_height:.1f}",
                                              "fill": color})
            ET.SubElement(bar, "title").text = f"{bin_name} tokens: {count}"
        _text(svg, x + step / 2, height - bottom + 14, bin_name, "middle", **{"font-size": "10"})
    _text(svg, left + (width - left) / 2, height - 4, "length in tokens", "middle", **{"font-size": "10"})
    return svg


def _heat_color(value: float) -> str:
    """White for 0 to a deep blue for 1; grey when there is no value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "#eeeeee"
    value = min(1.0, max(0.0, float(value)))
    low, high = (255, 255, 255), (33, 102, 172)
    r, g, b = (round(a + (z - a) * value) for a, z in zip(low, high))
    return f"#{r:02x}{g:02x}{b:02x}"


def _short(name: str, limit: int = 20) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def heatmap(matrix: pd.DataFrame, name: str, title: str, cell: int = 56) -> ET.Element:
    """A square matrix of values in [0, 1], one coloured cell each, with the value written in it."""
    names = [str(label) for label in matrix.index]
    shown = [_short(n) for n in names]
    label_width = max(len(n) for n in shown) * CHAR_WIDTH + 10
    top = 30 + label_width * 0.7  # room for the slanted column names
    width = max(label_width + cell * len(names) + label_width * 0.6, len(title) * CHAR_WIDTH + 10)
    height = top + cell * len(names) + 10
    svg = _svg(width, height, name, title)
    _text(svg, 0, 16, title, **{"class": "title"})
    for j, column in enumerate(shown):
        x = label_width + j * cell + cell / 2
        _text(svg, x, top - 6, column, "start", transform=f"rotate(-40 {x:.1f} {top - 6:.1f})")
    for i, row in enumerate(names):
        y = top + i * cell
        _text(svg, label_width - 6, y + cell / 2 + 4, shown[i], "end")
        for j, column in enumerate(names):
            value = matrix.iloc[i, j]
            rect = ET.SubElement(svg, "rect", {"x": f"{label_width + j * cell:.1f}", "y": f"{y:.1f}",
                                               "width": str(cell - 2), "height": str(cell - 2),
                                               "fill": _heat_color(value), "stroke": "#d0d0d0"})
            missing = value is None or (isinstance(value, float) and math.isnan(value))
            ET.SubElement(rect, "title").text = f"{row} / {column}: " + ("no shared documents" if missing else f"{value:.2f}")
            if not missing:
                _text(svg, label_width + j * cell + cell / 2 - 1, y + cell / 2 + 4, f"{value:.2f}", "middle",
                      style="fill: #fff" if value > 0.6 else "fill: #222")
    return svg


def _table(frame: pd.DataFrame, index: bool = False) -> ET.Element:
    table = ET.Element("table")
    head = ET.SubElement(ET.SubElement(table, "thead"), "tr")
    columns = ([frame.index.name or ""] if index else []) + [str(column) for column in frame.columns]
    for column in columns:
        ET.SubElement(head, "th").text = column.replace("_", " ")
    body = ET.SubElement(table, "tbody")
    for label, row in frame.iterrows():
        tr = ET.SubElement(body, "tr")
        values: list[Any] = ([label] if index else []) + list(row.values)
        for value in values:
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            cell = ET.SubElement(tr, "td", {"class": "num"} if numeric else {})
            if numeric and isinstance(value, float) and math.isnan(value):
                cell.text = "–"
            elif numeric and isinstance(value, float):
                cell.text = _format(value) if value.is_integer() else f"{value:.4g}"
            else:
                cell.text = str(value)
    return table


def _length_bins(lengths: pd.DataFrame) -> list[tuple[str, int]]:
    counts = []
    for low, high in LENGTH_BINS:
        chosen = lengths[(lengths["tokens"] >= low) & (lengths["tokens"] <= high)]["spans"].sum()
        name = str(low) if low == high else (f"{low}+" if high >= 10**9 else f"{low}–{high}")
        counts.append((name, int(chosen)))
    while len(counts) > 5 and counts[-1][1] == 0:  # drop empty long tails
        counts.pop()
    return counts


GENERATOR = "annotate stats"


def is_report(path: Path) -> bool:
    """An HTML report that `annotate stats --html` wrote (its generator tag), which a rerun may replace."""
    from .io import has_marker

    return has_marker(f'<meta name="generator" content="{GENERATOR}"')(path)


def render_report(stats: CorpusStats, title: str = "Corpus report", source: str = "") -> str:
    """The whole report as an HTML string (deterministic for the same statistics)."""
    html = ET.Element("html", {"lang": "en"})
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "meta", {"charset": "utf-8"})
    ET.SubElement(head, "meta", {"name": "generator", "content": GENERATOR})  # lets a rerun overwrite it
    ET.SubElement(head, "meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"})
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "style").text = STYLE
    body = ET.SubElement(html, "body")
    ET.SubElement(body, "h1").text = title
    if source:
        ET.SubElement(body, "p", {"class": "note"}).text = f"From {source}. Made by `annotate stats`; works offline."
    for note in stats.notes:
        ET.SubElement(body, "p", {"class": "note"}).text = f"Note: {note}"

    def section(heading: str) -> ET.Element:
        element = ET.SubElement(body, "section")
        ET.SubElement(element, "h2").text = heading
        return element

    def row(parent: ET.Element) -> ET.Element:
        return ET.SubElement(parent, "div", {"class": "row"})

    part = section("Corpus")
    part.append(_table(stats.overview))

    part = section("Spans per label")
    if len(stats.labels):
        items = [(str(r.label), float(r.spans), stats.label_colors.get(str(r.label), DEFAULT_COLOR))
                 for r in stats.labels.itertuples()]
        holder = row(part)
        holder.append(bar_chart(items, "labels", "Spans per label"))
        holder.append(_table(stats.labels))
    else:
        ET.SubElement(part, "p", {"class": "note"}).text = "No spans."

    part = section("Span lengths")
    if len(stats.span_lengths):
        holder = row(part)
        for label in stats.labels["label"]:
            lengths = stats.span_lengths[stats.span_lengths["label"] == label]
            holder.append(histogram(_length_bins(lengths), f"lengths-{label}", f"{label} length (tokens)",
                                    stats.label_colors.get(str(label), DEFAULT_COLOR)))

    part = section("Relations and attributions")
    holder = row(part)
    holder.append(_table(stats.relations))
    per_record = stats.attributions["attributions"].describe() if len(stats.attributions) else None
    if per_record is not None:
        summary = pd.DataFrame({"attributions per record": ["mean", "median", "max"],
                                "value": [round(float(per_record["mean"]), 2), float(stats.attributions["attributions"].median()),
                                          float(per_record["max"])]})
        holder.append(_table(summary))

    part = section("Sources")
    holder = row(part)
    if len(stats.sources):
        colors = stats.label_colors.get("SOURCE", DEFAULT_COLOR)
        holder.append(bar_chart([(str(r.source), float(r.mentions), colors) for r in stats.sources.itertuples()],
                                "top-sources", "Top sources (mentions)", width=560))
    if len(stats.source_types):
        holder.append(bar_chart([(str(r.source_type), float(r.spans), DEFAULT_COLOR)
                                 for r in stats.source_types.itertuples()], "source-types", "Source types", width=420))
    part.append(_table(stats.sources))

    part = section("Cues and stances")
    holder = row(part)
    if len(stats.cue_stances):
        holder.append(bar_chart([(str(r.cue_stance), float(r.cues), stats.label_colors.get("CUE", DEFAULT_COLOR))
                                 for r in stats.cue_stances.itertuples()], "cue-stances", "Cue stances", width=420))
    holder.append(_table(stats.cues))

    part = section("Claims")
    holder = row(part)
    if len(stats.claims):
        by_type = stats.claims.groupby("claim_type")["claims"].sum().sort_values(ascending=False)
        holder.append(bar_chart([(str(k), float(v), stats.label_colors.get("CLAIM", DEFAULT_COLOR))
                                 for k, v in by_type.items()], "claim-types", "Claim types", width=420))
        by_certainty = stats.claims.groupby("certainty")["claims"].sum().sort_values(ascending=False)
        holder.append(bar_chart([(str(k), float(v), DEFAULT_COLOR) for k, v in by_certainty.items()],
                                "certainty", "Certainty", width=420))
    part.append(_table(stats.claims))
    ET.SubElement(part, "h3").text = "Numeric claims"
    part.append(_table(stats.numeric_claims))

    part = section("Annotators")
    part.append(_table(stats.annotators))
    if len(stats.agreement) >= 2:
        ET.SubElement(part, "p", {"class": "note"}).text = (
            f"Pairwise span F1 ({stats.match_mode} match within a label), pooled over the documents both annotated.")
        part.append(heatmap(stats.agreement, "agreement", "Annotator agreement (span F1)"))

    ET.indent(html, space=" ")
    return "<!DOCTYPE html>\n" + ET.tostring(html, encoding="unicode", method="html") + "\n"
