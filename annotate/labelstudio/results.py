"""Label Studio JSON <-> AnnotatedDoc, pure: no network, no SDK, golden-file tested.

The result shapes are Label Studio's own (one list per annotation or prediction):
- a span:      {"id": "c1", "from_name": <layer>, "to_name": "text", "type": "labels",
                "value": {"start", "end", "text", "labels": [LABEL]}, "score"?}
- an attribute: the SAME "id" as its span, "type": "choices", "from_name": <attribute name>,
                "value": {"start", "end", "text", "choices": [VALUE]}
- a relation:  {"from_id", "to_id", "type": "relation", "direction": "right", "labels": [NAME]}
Our span ids are kept as Label Studio region ids, so a round trip is exact. JSON_MIN and the SDK's converter
are deliberately not used: they drop relations and detach per-region attributes from their spans.

Offsets are checked on every region read back: `text[start:end]` must equal the region's stored text. A region
that fails is re-anchored to the nearest exact occurrence of its text, or dropped and reported — never passed
on with a wrong offset.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import SchemaError
from ..records import AnnotatedDoc, Relation, Span, make_doc_id
from ..schema import TEXT_NAME, Schema

# Keys that pull adds to a record's meta; everything else in meta came from the pushed task data.
PULL_META_KEYS = ("ls_task_id", "ls_annotation_id", "ls_prediction_id", "ground_truth", "lead_time",
                  "created_at", "updated_at", "prediction_score")


# ---------------------------------------------------------------------------------------------------------
# Records -> Label Studio


def doc_to_results(doc: AnnotatedDoc, schema: Schema, *, relation_labels: bool = True) -> list[dict[str, Any]]:
    """The Label Studio result list for one record: spans (each followed by its attributes), then relations
    (without their labels if not `relation_labels`: a session's view draws no label; pull infers it from the ends)."""
    layers = {label.name: layer.name for layer in schema.layers for label in layer.labels}  # label -> its control
    results: list[dict[str, Any]] = []
    for span in doc.spans:
        if span.label not in layers:
            raise SchemaError(f"doc {doc.doc_id}: span {span.id!r} has label {span.label!r}, which the schema lacks")
        region = {"start": span.start, "end": span.end, "text": span.text}
        result: dict[str, Any] = {"id": span.id, "from_name": layers[span.label], "to_name": TEXT_NAME,
                                  "type": "labels", "value": {**region, "labels": [span.label]}}
        if span.score is not None:
            result["score"] = span.score
        results.append(result)
        for name, value in sorted(span.attrs.items()):
            results.append({"id": span.id, "from_name": name, "to_name": TEXT_NAME, "type": "choices",
                            "value": {**region, "choices": [value]}})
    for relation in doc.relations:
        link = {"from_id": relation.from_id, "to_id": relation.to_id, "type": "relation", "direction": "right"}
        results.append({**link, "labels": [relation.label]} if relation_labels else link)
    return results


def prediction_score(doc: AnnotatedDoc) -> float:
    """The mean span score, or 1.0 when no span carries one (a person's version, or an empty prediction)."""
    scores = [span.score for span in doc.spans if span.score is not None]
    return round(sum(scores) / len(scores), 6) if scores else 1.0


def doc_to_prediction(doc: AnnotatedDoc, schema: Schema, *, relation_labels: bool = True) -> dict[str, Any]:
    """A Label Studio prediction whose model_version is the record's annotator (a model, or a person under review)."""
    if not doc.annotator:
        raise SchemaError(f"doc {doc.doc_id}: a record without an annotator has no predictions to send")
    return {"model_version": doc.annotator, "score": prediction_score(doc),
            "result": doc_to_results(doc, schema, relation_labels=relation_labels)}


def relation_labels_by_ends(schema: Schema) -> dict[tuple[str, str], str]:
    """(from label, to label) -> the relation name, for the pairs of labels that only one relation joins."""
    named: dict[tuple[str, str], list[str]] = {}
    for relation in schema.relations:
        named.setdefault((relation.from_label, relation.to_label), []).append(relation.name)
    return {ends: names[0] for ends, names in named.items() if len(names) == 1}


def task_data(doc: AnnotatedDoc) -> dict[str, Any]:
    """Task data: the text Label Studio shows, the doc_id that keys the task, and the record's meta."""
    return {TEXT_NAME: doc.text, "doc_id": doc.doc_id, "meta": dict(doc.meta)}


def doc_to_task(doc: AnnotatedDoc, schema: Schema) -> dict[str, Any]:
    """One import-ready task; an annotated record travels with it as a prediction."""
    task: dict[str, Any] = {"data": task_data(doc)}
    if not doc.is_article:
        task["predictions"] = [doc_to_prediction(doc, schema)]
    return task


# ---------------------------------------------------------------------------------------------------------
# Label Studio -> records


@dataclass(frozen=True)
class RegionIssue:
    """A region whose stored offsets did not cut out its stored text."""

    where: str
    region_id: str
    text: str
    stored: tuple[int, int]
    anchored: tuple[int, int] | None  # None: no exact occurrence, so the region was dropped

    def __str__(self) -> str:
        if self.anchored is None:
            return (f"{self.where}: region {self.region_id!r} {self.text!r} at {self.stored[0]}..{self.stored[1]} "
                    f"does not match the text and occurs nowhere in it; dropped with its attributes and relations")
        return (f"{self.where}: region {self.region_id!r} {self.text!r} re-anchored from "
                f"{self.stored[0]}..{self.stored[1]} to {self.anchored[0]}..{self.anchored[1]}")


def nearest_occurrence(text: str, needle: str, near: int) -> int | None:
    """Start of the exact occurrence of `needle` closest to `near` (the earlier one on a tie), or None."""
    best: int | None = None
    position = text.find(needle)
    while position != -1:
        if best is None or abs(position - near) < abs(best - near):
            best = position
        position = text.find(needle, position + 1)
    return best


def doc_from_results(results: Sequence[Mapping[str, Any]], *, doc_id: str, text: str, annotator: str,
                     meta: Mapping[str, Any] | None = None, where: str = "",
                     relation_by_ends: Mapping[tuple[str, str], str] | None = None
                     ) -> tuple[AnnotatedDoc, list[RegionIssue], list[str]]:
    """Rebuild one record from a Label Studio result list: spans, their attributes, relations.

    A relation without a label gets the one `relation_by_ends` gives for its ends' labels (a session's view
    draws links without labels); otherwise it is dropped and reported.

    Returns the record, the regions whose offsets had to be re-anchored or dropped, and other problems
    (unlabelled relations, attributes without a region), each naming `where`.
    """
    regions: dict[str, dict[str, Any]] = {}
    attributes: list[Mapping[str, Any]] = []
    relations: list[Mapping[str, Any]] = []
    problems: list[str] = []
    for result in results:
        kind = result.get("type")
        if kind == "relation":
            relations.append(result)
        elif isinstance(result.get("value"), Mapping) and "labels" in result["value"]:
            region_id = str(result.get("id", ""))
            if region_id in regions:
                problems.append(f"{where}: region id {region_id!r} is labelled twice; the second one is dropped")
                continue
            regions[region_id] = dict(result)
        else:
            attributes.append(result)

    issues: list[RegionIssue] = []
    spans: dict[str, Span] = {}
    for region_id, result in regions.items():
        value = result["value"]
        labels = value.get("labels") or []
        if len(labels) != 1:
            problems.append(f"{where}: region {region_id!r} has labels {labels}, expected exactly one; dropped")
            continue
        start, end = value.get("start"), value.get("end")
        if not isinstance(start, int) or not isinstance(end, int):
            problems.append(f"{where}: region {region_id!r} has no character offsets ({start!r}, {end!r}); dropped")
            continue
        in_range = 0 <= start < end <= len(text)
        stored_text = value.get("text")
        if not isinstance(stored_text, str) or not stored_text:
            if not in_range:
                problems.append(f"{where}: region {region_id!r} at {start}..{end} is out of range and has no text; "
                                "dropped")
                continue
            problems.append(f"{where}: region {region_id!r} stores no text, so its offsets {start}..{end} "
                            "could not be checked")
            stored_text = text[start:end]
        if not (in_range and text[start:end] == stored_text):
            found = nearest_occurrence(text, stored_text, start)
            anchored = None if found is None else (found, found + len(stored_text))
            issues.append(RegionIssue(where, region_id, stored_text, (start, end), anchored))
            if anchored is None:
                continue
            start, end = anchored
        score = result.get("score")
        spans[region_id] = Span(id=region_id, start=start, end=end, label=labels[0], text=text[start:end],
                                score=float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else None)

    attrs: dict[str, dict[str, str]] = {}
    for result in attributes:
        region_id = str(result.get("id", ""))
        name = result.get("from_name")
        value = result.get("value") if isinstance(result.get("value"), Mapping) else {}
        if region_id not in spans:
            if region_id not in regions:  # attributes of dropped regions were reported with the region
                problems.append(f"{where}: attribute {name!r} points to region {region_id!r}, which has no label; dropped")
            continue
        if "choices" in value:
            chosen = value["choices"]
        elif isinstance(value.get("text"), list):  # the TextArea form of a per-region attribute
            chosen = ["\n".join(str(part) for part in value["text"])]
        else:
            problems.append(f"{where}: region {region_id!r} attribute {name!r} has no value; dropped")
            continue
        if len(chosen) != 1 or not isinstance(chosen[0], str):
            problems.append(f"{where}: region {region_id!r} attribute {name!r} has {len(chosen)} values {chosen}, "
                            "expected one; dropped")
            continue
        attrs.setdefault(region_id, {})[str(name)] = chosen[0]

    links: list[Relation] = []
    for result in relations:
        ends = [str(result.get("from_id", "")), str(result.get("to_id", ""))]
        if result.get("direction") == "left":
            ends.reverse()
        if ends[0] not in spans or ends[1] not in spans:
            if ends[0] in regions and ends[1] in regions:
                continue  # an end was dropped above, and reported there
            problems.append(f"{where}: relation {ends[0]}->{ends[1]} points to a missing region; dropped")
            continue
        labels = result.get("labels") or []
        inferred = (relation_by_ends or {}).get((spans[ends[0]].label, spans[ends[1]].label))
        if not labels and inferred:
            labels = [inferred]
        if not labels:
            problems.append(f"{where}: relation {ends[0]}->{ends[1]} has no label; dropped")
        links.extend(Relation(from_id=ends[0], to_id=ends[1], label=str(label)) for label in labels)

    final_spans = tuple(span if span.id not in attrs else Span(id=span.id, start=span.start, end=span.end,
                                                                 label=span.label, text=span.text,
                                                                 attrs=dict(sorted(attrs[span.id].items())),
                                                                 score=span.score)
                        for span in spans.values())
    doc = AnnotatedDoc(doc_id=doc_id, text=text, annotator=annotator, spans=final_spans, relations=tuple(links),
                       meta=dict(meta or {}))
    return doc, issues, problems


@dataclass(frozen=True)
class PullSummary:
    tasks: int = 0
    annotations: int = 0  # submitted annotations turned into records
    predictions: int = 0  # predictions turned into records (only with include_predictions)
    drafts: int = 0
    cancelled: int = 0  # skipped or cancelled in Label Studio (was_cancelled)
    not_ground_truth: int = 0  # left out by reviewed_only
    reanchored: tuple[str, ...] = ()
    dropped_regions: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    annotators: tuple[str, ...] = field(default=())
    include_predictions: bool = False
    reviewed_only: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"tasks": self.tasks, "annotations": self.annotations, "predictions": self.predictions,
                "drafts_excluded": self.drafts, "cancelled_or_skipped_excluded": self.cancelled,
                "not_ground_truth_excluded": self.not_ground_truth, "reanchored": list(self.reanchored),
                "dropped_regions": list(self.dropped_regions), "problems": list(self.problems),
                "annotators": list(self.annotators)}

    def summary_lines(self, output: str, written: int) -> list[str]:
        """What was pulled and what was left out, for people (the CLI prints these to stderr)."""
        predictions = f", {self.predictions} predictions" if self.include_predictions else ""
        not_ground_truth = f", {self.not_ground_truth} not ground truth" if self.reviewed_only else ""
        return [f"Wrote {written} records to {output} from {self.tasks} tasks ({self.annotations} annotations"
                f"{predictions}; excluded: {self.drafts} drafts, {self.cancelled} cancelled or skipped"
                f"{not_ground_truth}; {len(self.reanchored)} regions re-anchored, {len(self.dropped_regions)} dropped)."]


def _annotator_name(completed_by: Any, names: Mapping[Any, str]) -> str:
    """An email (or a configured name) for Label Studio's `completed_by`, which is a user id or a user object."""
    if isinstance(completed_by, Mapping):
        email = str(completed_by.get("email") or f"ls-user-{completed_by.get('id')}")
        return names.get(email) or names.get(completed_by.get("id")) or email
    for key in (completed_by, str(completed_by)):
        if key in names:
            return names[key]
    return f"ls-user-{completed_by}"


def _task_identity(task: Mapping[str, Any]) -> tuple[str, str, dict[str, Any]]:
    data = task.get("data")
    if not isinstance(data, Mapping) or not isinstance(data.get(TEXT_NAME), str):
        raise SchemaError(f"Label Studio task {task.get('id')} has no data.{TEXT_NAME} string; is this an export of "
                          "a project made for this schema?")
    text = data[TEXT_NAME]
    doc_id = data.get("doc_id") if isinstance(data.get("doc_id"), str) and data.get("doc_id") else make_doc_id(text)
    meta = {key: value for key, value in data.items() if key not in (TEXT_NAME, "doc_id", "meta")}
    if isinstance(data.get("meta"), Mapping):
        meta.update(data["meta"])
    return text, doc_id, meta


RecordKey = tuple[int, int, int]  # (task id, 0 for an annotation or 1 for a prediction, its id): the pull order


@dataclass
class ExportTally:
    """What converting an export met so far: counts, re-anchored and dropped regions, problems, annotators."""

    include_predictions: bool = False
    reviewed_only: bool = False
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("tasks", "annotations", "predictions", "drafts", "cancelled", "not_ground_truth"), 0))
    reanchored: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    annotators: set[str] = field(default_factory=set)

    def summary(self) -> PullSummary:
        return PullSummary(**self.counts, reanchored=tuple(self.reanchored), dropped_regions=tuple(self.dropped),
                           problems=tuple(self.problems), include_predictions=self.include_predictions,
                           reviewed_only=self.reviewed_only, annotators=tuple(sorted(self.annotators)))


def task_records(task: Mapping[str, Any], tally: ExportTally, annotator_names: Mapping[int | str, str] | None = None,
                 relation_by_ends: Mapping[tuple[str, str], str] | None = None
                 ) -> list[tuple[RecordKey, AnnotatedDoc]]:
    """The records of one exported task, each with its place in the pull order, sorted; `tally` counts.
    `relation_by_ends` labels unlabelled relations by their ends' labels (see `doc_from_results`)."""
    names = annotator_names or {}
    counts = tally.counts
    found: list[tuple[RecordKey, AnnotatedDoc]] = []

    def add(order: RecordKey, results: Any, annotator: str, meta: dict[str, Any], where: str,
            text: str, doc_id: str) -> None:
        if not isinstance(results, list):
            tally.problems.append(f"{where}: result is not a list; skipped")
            return
        doc, issues, problems = doc_from_results(results, doc_id=doc_id, text=text, annotator=annotator, meta=meta,
                                                 where=where, relation_by_ends=relation_by_ends)
        for issue in issues:
            (tally.reanchored if issue.anchored is not None else tally.dropped).append(str(issue))
        tally.problems.extend(problems)
        if doc.annotator:
            tally.annotators.add(doc.annotator)
        found.append((order, doc))

    counts["tasks"] += 1
    text, doc_id, task_meta = _task_identity(task)
    task_id = int(task.get("id") or 0)
    counts["drafts"] += len(task.get("drafts") or [])
    for annotation in task.get("annotations") or []:
        if annotation.get("was_cancelled"):
            counts["cancelled"] += 1
            continue
        if tally.reviewed_only and not annotation.get("ground_truth"):
            counts["not_ground_truth"] += 1
            continue
        annotation_id = int(annotation.get("id") or 0)
        meta = {**task_meta, "ls_task_id": task_id, "ls_annotation_id": annotation_id,
                "ground_truth": bool(annotation.get("ground_truth")), "lead_time": annotation.get("lead_time"),
                "created_at": annotation.get("created_at"), "updated_at": annotation.get("updated_at")}
        counts["annotations"] += 1
        add((task_id, 0, annotation_id), annotation.get("result"),
            _annotator_name(annotation.get("completed_by"), names), meta,
            f"task {task_id} annotation {annotation_id}", text, doc_id)
    if tally.include_predictions:
        for prediction in task.get("predictions") or []:
            if not isinstance(prediction, Mapping):
                continue  # the export lists bare prediction ids unless asked to expand them
            prediction_id = int(prediction.get("id") or 0)
            meta = {**task_meta, "ls_task_id": task_id, "ls_prediction_id": prediction_id,
                    "prediction_score": prediction.get("score"), "created_at": prediction.get("created_at"),
                    "updated_at": prediction.get("updated_at")}
            counts["predictions"] += 1
            add((task_id, 1, prediction_id), prediction.get("result"),
                str(prediction.get("model_version") or "model:unknown"), meta,
                f"task {task_id} prediction {prediction_id}", text, doc_id)
    found.sort(key=lambda pair: pair[0])
    return found


def docs_from_export(tasks: Iterable[Mapping[str, Any]], *, include_predictions: bool = False,
                     reviewed_only: bool = False, annotator_names: Mapping[int | str, str] | None = None,
                     relation_by_ends: Mapping[tuple[str, str], str] | None = None,
                     ) -> tuple[list[AnnotatedDoc], PullSummary]:
    """Records from a Label Studio full JSON export: one per (task, submitted annotation), in task order.

    Drafts and cancelled/skipped annotations are excluded and counted. `reviewed_only` keeps only annotations
    marked as ground truth. `annotator_names` maps Label Studio user ids (or emails) to annotator names; the
    client fills it with each user's email. Predictions given as objects (not bare ids) become records too
    when `include_predictions` is set, named by their model_version.
    """
    tally = ExportTally(include_predictions=include_predictions, reviewed_only=reviewed_only)
    docs = [pair for task in tasks for pair in task_records(task, tally, annotator_names, relation_by_ends)]
    docs.sort(key=lambda pair: pair[0])
    return [doc for _, doc in docs], tally.summary()


def strip_pull_meta(doc: AnnotatedDoc) -> AnnotatedDoc:
    """The record as it was pushed: meta without the keys that pull adds."""
    return doc.with_(meta={key: value for key, value in doc.meta.items() if key not in PULL_META_KEYS})
