"""Gold on disk: the data file, the conflicts file, and the README.md datasheet beside them."""

from __future__ import annotations

import hashlib
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, OutputError
from ..grouping import recency
from ..io import guard_output, has_marker, looks_like_records, write_text_atomic
from ..matching import Mode
from ..records import AnnotatedDoc, read_docs, write_docs
from .consensus import GoldResult, build_gold


@dataclass(frozen=True)
class GoldFiles:
    data: Path
    datasheet: Path
    conflicts: Path
    result: GoldResult

    def to_dict(self) -> dict[str, Any]:
        result = self.result
        return {"data": str(self.data), "datasheet": str(self.datasheet), "conflicts": str(self.conflicts),
                "documents": len(result.docs), "methods": result.method_counts,
                "single_annotator_documents": result.single_annotator_documents,
                "conflict_documents": result.conflict_documents, "conflict_items": result.conflict_counts,
                "skipped": dict(result.skipped)}

    def summary_lines(self) -> list[str]:
        """What was written and what is left to review, for people (the CLI prints these to stderr)."""
        result = self.result
        methods = ", ".join(f"{method.replace('_', ' ')} {n}" for method, n in result.method_counts.items())
        lines = [f"Wrote {self.data}: {len(result.docs)} documents ({methods}); datasheet {self.datasheet}"]
        if result.conflict_documents:
            kinds = ", ".join(f"{kind} {n}" for kind, n in result.conflict_counts.items())
            lines.append(f"{result.conflict_documents} document(s) have unresolved items ({kinds}): {self.conflicts}. "
                         f"Review them with `annotate push --adjudicate {self.conflicts} --project NAME-review`.")
        if result.skipped:
            lines.append("Not counted as votes: " + ", ".join(f"{n} {why}" for why, n in result.skipped.items()))
        return lines


def make_gold(input_path: str | os.PathLike[str], output: str | os.PathLike[str],
              conflicts: str | os.PathLike[str] | None = None, adjudicated: str | os.PathLike[str] | None = None,
              min_agree: int | None = None, adjudicator: str | None = None,
              schema_path: str | os.PathLike[str] | None = None, mode: Mode = "overlap",
              force: bool = False) -> GoldFiles:
    """Read annotations (and a pulled review project), write gold data, its README.md datasheet and the conflicts.

    Checked before any work: no output is an input, and none replaces a file that gold did not write (a record
    file, or a README.md with the datasheet's own line) unless `force`."""
    from ..schema import load_schema, validate_docs

    data_path, conflicts_path, datasheet_path = gold_paths(input_path, output, conflicts, adjudicated, force)
    schema = load_schema(schema_path)
    records = list(read_docs(input_path))
    review = list(read_docs(adjudicated)) if adjudicated else []
    votes = [record for record in records + review if not record.is_article and not record.is_model]
    validate_docs(votes, schema, where=Path(input_path).name)
    result = build_gold(records, review, min_agree=min_agree, mode=mode, adjudicator=adjudicator)
    if not result.docs:
        raise ConfigError(f"{input_path}: no annotations by people to make gold from "
                          f"(skipped: {', '.join(f'{n} {why}' for why, n in result.skipped.items()) or 'nothing'})")
    validate_docs(result.gold, schema, where="gold")
    write_docs(data_path, result.gold)
    write_docs(conflicts_path, result.conflict_records())
    inputs = [(Path(input_path).name, len(records))] + ([(Path(adjudicated).name, len(review))] if adjudicated else [])
    write_text_atomic(datasheet_path, datasheet(result, schema, data_path, conflicts_path, inputs,
                                                votes, min_agree, mode))
    return GoldFiles(data=data_path, datasheet=datasheet_path, conflicts=conflicts_path, result=result)


DATASHEET_MARK = "Written by `annotate gold`"
is_datasheet = has_marker(DATASHEET_MARK)


def gold_paths(input_path: str | os.PathLike[str], output: str | os.PathLike[str],
               conflicts: str | os.PathLike[str] | None, adjudicated: str | os.PathLike[str] | None,
               force: bool) -> tuple[Path, Path, Path]:
    """(data, conflicts, datasheet) after the output guards (annotate.io.guard_output)."""
    inputs = [Path(input_path)] + ([Path(adjudicated)] if adjudicated else [])
    data_path = guard_output(output, inputs=inputs, ours=looks_like_records, force=force)
    conflicts_path = guard_output(conflicts or data_path.parent / "conflicts.jsonl", inputs=inputs,
                                  ours=looks_like_records, force=force, option="--conflicts")
    datasheet_path = guard_output(data_path.parent / "README.md", inputs=inputs, ours=is_datasheet, force=force,
                                  option="-o (README.md goes beside it)")
    paths = [data_path, conflicts_path, datasheet_path]
    if len({path.resolve() for path in paths}) < len(paths):
        raise OutputError(data_path, "would be written twice: the data, conflicts.jsonl and README.md must be three "
                          "files", "give -o and --conflicts different file names, neither README.md")
    return data_path, conflicts_path, datasheet_path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _number(value: Any) -> str:
    if value is None:
        return "n/a"
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def freeze_agreement(records: Sequence[AnnotatedDoc]) -> dict[str, Any] | None:
    """Agreement among the people's records at freeze time (annotate.agreement, no bootstrap), as plain numbers;
    None when no document was annotated by two people."""
    from ..agreement import AgreementError, compute

    try:
        report = compute(records, bootstrap=0)
    except AgreementError:
        return None
    if not report.n_compared_docs or report.spans is None:
        return None
    figures: dict[str, Any] = {
        "documents compared": report.n_compared_docs,
        "annotators": ", ".join(report.annotators),
        "span F1, exact match": report.spans.exact.micro.f1.value,
        "span F1, overlap match": report.spans.overlap.micro.f1.value,
        "span unitizing alpha": report.spans.unitizing_alpha.value,
    }
    if report.tokens is not None:
        figures["token alpha (attribution layer)"] = report.tokens.overall.alpha.value
    if report.relations is not None:
        figures["relation F1, overlap match"] = report.relations.overlap.micro.f1.value
    if report.triples is not None:
        figures["attribution triple F1, overlap match"] = report.triples.overlap.f1.value
    for name, attribute in sorted(report.attributes.items()):
        figures[f"attribute {name}: alpha ({attribute.n_pairs} pairs)"] = attribute.alpha.value
    per_label = {label: score.f1.value for label, score in report.spans.overlap.per_label.items()}
    return {"figures": figures, "per_label": per_label}


def datasheet(result: GoldResult, schema, data_path: Path, conflicts_path: Path,
              inputs: Sequence[tuple[str, int]], votes: Sequence[AnnotatedDoc], min_agree: int | None,
              mode: Mode) -> str:
    """The gold folder's README.md: where the data came from, who annotated it, what is in it, how much people agreed."""
    gold = result.gold
    name = data_path.parent.name or data_path.stem
    conflict_docs = result.conflict_documents
    latest = max((recency(record) for record in votes), default="") or "not recorded"
    rule = (f"at least {min_agree} annotators" if min_agree is not None else "a strict majority of the document's annotators")
    parts = [
        f"# Gold set: {name}",
        "",
        f"{DATASHEET_MARK}; regenerate it with the command rather than editing it by hand.",
        "",
        f"- **Data:** `{data_path.name}`: {len(gold)} documents, sha256 `{_sha256(data_path)}`",
        f"- **Schema:** version {schema.version}, hash `{schema.hash}` (`annotate schema show`)",
        f"- **Frozen at:** the newest annotation in the inputs, {latest}",
        f"- **Rule:** an adjudicated record, else the ground-truth star, else the consensus: spans that {rule} "
        f"marked ({mode} match within a label) with the most chosen boundaries; relations and attributes by strict "
        "majority of those who marked their spans.",
        f"- **Conflicts:** `{conflicts_path.name}`: {conflict_docs} documents with "
        f"{sum(result.conflict_counts.values())} unresolved items"
        + (f" ({', '.join(f'{kind}: {n}' for kind, n in result.conflict_counts.items())})" if result.conflict_counts else "")
        + (". Send them to review with `annotate push --adjudicate` and pass the pulled review with `--adjudicated`."
           if conflict_docs else "."),
        "",
        "## Sources",
        "",
        _table(["input file", "records"], inputs),
    ]
    origins = Counter(str(doc.meta.get("source_file") or doc.meta.get("outlet") or "(not recorded)") for doc in gold)
    parts += ["", _table(["source of the documents", "documents"], sorted(origins.items()))]
    if result.skipped:
        parts += ["", "Records that were not votes: " + ", ".join(f"{n} {why}" for why, n in result.skipped.items()) + "."]

    annotator_rows = []
    per_annotator: dict[str, list[AnnotatedDoc]] = defaultdict(list)
    for item in result.docs:
        for record in item.records:
            per_annotator[str(record.annotator)].append(record)
    for annotator, records in sorted(per_annotator.items()):
        annotator_rows.append((annotator, len(records), sum(len(r.spans) for r in records),
                               sum(len(r.relations) for r in records),
                               sum(1 for r in records if r.meta.get("ground_truth") is True)))
    adjudicators = Counter(item.gold.meta["gold"].get("from") for item in result.docs if item.method == "adjudicated")
    parts += ["", "## Annotators", "",
              _table(["annotator", "documents", "spans", "relations", "ground-truth stars"], annotator_rows)]
    if adjudicators:
        parts += ["", "Adjudicated by: " + ", ".join(f"{who} ({n} documents)" for who, n in sorted(adjudicators.items())) + "."]
    parts += ["", "## How each document's gold was decided", "",
              _table(["method", "documents"], result.method_counts.items())]

    layers = {label: definition.layer for label, definition in schema.labels.items()}
    spans_per_label = Counter(span.label for doc in gold for span in doc.spans)
    docs_per_label = Counter(label for doc in gold for label in {span.label for span in doc.spans})
    parts += ["", "## Counts per label", "",
              _table(["label", "layer", "spans", "documents"],
                     [(label, layers.get(label, "?"), spans_per_label[label], docs_per_label[label])
                      for label in sorted(spans_per_label, key=lambda l: (-spans_per_label[l], l))] or [("(none)", "", 0, 0)])]
    relation_counts_ = Counter(relation.label for doc in gold for relation in doc.relations)
    parts += ["", "## Relations", "", _table(["relation", "count"], sorted(relation_counts_.items()) or [("(none)", 0)])]
    attribute_counts = Counter((span.label, name, value) for doc in gold for span in doc.spans
                               for name, value in span.attrs.items())
    parts += ["", "## Attributes", "",
              _table(["label", "attribute", "value", "count"],
                     [(*key, n) for key, n in sorted(attribute_counts.items())] or [("(none)", "", "", 0)])]

    agreement = freeze_agreement([record for item in result.docs for record in item.records])
    parts += ["", "## Agreement at freeze time", ""]
    if agreement:
        shown = [(name, _number(value)) for name, value in agreement["figures"].items()]
        parts += ["Among the annotators' records that went into this gold, before consensus "
                  "(`annotate agree`, point estimates):", "",
                  _table(["measure", "value"], shown),
                  "", _table(["label", "span F1 (overlap)"],
                             [(label, _number(value)) for label, value in agreement["per_label"].items()]),
                  "", "Confidence intervals: `annotate agree` on the input file."]
    else:
        parts += ["No document was annotated by more than one person, so there is no agreement to report."]
    return "\n".join(parts) + "\n"
