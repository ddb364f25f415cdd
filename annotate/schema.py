"""The claim-and-attribution schema: loaded from schema.toml (annotate/configs/, or a user's own; see config.py), rendered to Label Studio XML, checked on records.

One definition drives everything: the labeling XML is rendered from it with ElementTree (never by string
concatenation), and records are validated against it before they go to Label Studio or into gold.
"""

from __future__ import annotations

import hashlib
import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import config_path, is_packaged, load_toml, packaged_config_dir
from .errors import SchemaError
from .records import AnnotatedDoc

SCHEMA_FILE = "schema.toml"
LABELING_XML_FILE = "labeling.xml"
DEFAULT_SCHEMA_PATH = packaged_config_dir() / SCHEMA_FILE
DEFAULT_LABELING_XML_PATH = packaged_config_dir() / LABELING_XML_FILE
TEXT_NAME = "text"
GUIDELINES_CLASS = "annotate-guidelines"


@dataclass(frozen=True)
class LabelDef:
    name: str
    layer: str
    color: str
    hint: str = ""


@dataclass(frozen=True)
class LayerDef:
    name: str
    title: str
    labels: tuple[LabelDef, ...]


@dataclass(frozen=True)
class RelationDef:
    name: str
    from_label: str
    to_label: str


@dataclass(frozen=True)
class AttributeDef:
    name: str
    label: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Schema:
    version: str
    layers: tuple[LayerDef, ...]
    relations: tuple[RelationDef, ...]
    attributes: tuple[AttributeDef, ...]
    source: str = "<schema>"

    @property
    def labels(self) -> dict[str, LabelDef]:
        return {label.name: label for layer in self.layers for label in layer.labels}

    @property
    def attribution_labels(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.layers[0].labels)

    @property
    def relation_by_name(self) -> dict[str, RelationDef]:
        return {relation.name: relation for relation in self.relations}

    def layer_of(self, label: str) -> str:
        return self.labels[label].layer

    def attributes_for(self, label: str) -> dict[str, AttributeDef]:
        return {attribute.name: attribute for attribute in self.attributes if attribute.label == label}

    @property
    def attribute_by_name(self) -> dict[str, AttributeDef]:
        return {attribute.name: attribute for attribute in self.attributes}

    def to_dict(self) -> dict:
        return {
            "version": self.version,
            "layers": [{"name": layer.name, "title": layer.title,
                        "labels": [{"name": label.name, "color": label.color, "hint": label.hint} for label in layer.labels]}
                       for layer in self.layers],
            "relations": [{"name": r.name, "from": r.from_label, "to": r.to_label} for r in self.relations],
            "attributes": [{"name": a.name, "label": a.label, "values": list(a.values)} for a in self.attributes],
        }

    @property
    def hash(self) -> str:
        """A content hash of the schema, recorded in datasheets so that gold names the schema it was made under."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def load_schema(path: str | os.PathLike[str] | None = None) -> Schema:
    schema_path = config_path(SCHEMA_FILE, path)
    raw = load_toml(schema_path, what="schema file", option="--schema", error_cls=SchemaError)
    try:
        layers = tuple(
            LayerDef(name=layer["name"], title=layer.get("title", layer["name"]),
                     labels=tuple(LabelDef(name=label["name"], layer=layer["name"], color=label.get("color", "#cccccc"),
                                           hint=label.get("hint", "")) for label in layer["labels"]))
            for layer in raw["layers"])
        relations = tuple(RelationDef(name=r["name"], from_label=r["from"], to_label=r["to"]) for r in raw.get("relations", []))
        attributes = tuple(AttributeDef(name=a["name"], label=a["label"], values=tuple(a["values"]))
                           for a in raw.get("attributes", []))
        schema = Schema(version=str(raw["version"]), layers=layers, relations=relations, attributes=attributes,
                        source=str(schema_path))
    except (KeyError, TypeError) as error:
        raise SchemaError(f"{schema_path}: missing or malformed key {error}; see the default schema (`annotate schema show`) for the shape") from error
    _check_schema(schema)
    return schema


def _check_schema(schema: Schema) -> None:
    names = [label.name for layer in schema.layers for label in layer.labels]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise SchemaError(f"{schema.source}: labels {duplicates} appear in more than one layer; label names must be unique")
    for relation in schema.relations:
        for end in (relation.from_label, relation.to_label):
            if end not in names:
                raise SchemaError(f"{schema.source}: relation {relation.name!r} refers to unknown label {end!r}")
    for attribute in schema.attributes:
        if attribute.label not in names:
            raise SchemaError(f"{schema.source}: attribute {attribute.name!r} refers to unknown label {attribute.label!r}")
        if not attribute.values:
            raise SchemaError(f"{schema.source}: attribute {attribute.name!r} has no values")


# ---------------------------------------------------------------------------------------------------------
# Label Studio labeling config


def render_label_config(schema: Schema, *, layers: Collection[str] | None = None, guidelines: Sequence[str] = (),
                        guidelines_title: str = "", relation_labels: bool = True, hotkeys: bool = False,
                        region_labels: bool | None = None) -> str:
    """The Label Studio labeling XML for this schema, built with ElementTree so that any value is escaped.

    The defaults give the project XML (configs/labeling.xml). A session's view passes `layers` (the layer names
    to show), the short `guidelines` lines to show above the text, `relation_labels=False` (no Relations
    control, so Label Studio draws links without a label across the text; the label follows from the ends) and
    `hotkeys` (1, 2, ... on the first layer's labels) and `region_labels=True` (each region's label drawn after
    its text, taking its own space, whatever the user's editor setting).
    """
    shown = [layer for layer in schema.layers if layers is None or layer.name in layers]
    view = ET.Element("View")
    ET.SubElement(view, "Header", value="Mark claims, their sources and cues; link them; set attributes per region")
    # No ">" in this CSS: Label Studio puts the escaped text into the page as it is.
    css = []
    if guidelines:  # Label Studio draws every Header as a large title; the guidelines are a box of plain lines
        css += [f".{GUIDELINES_CLASS} {{ background: #f6f6f6; padding: 6px 12px; border-radius: 4px }}",
                f".{GUIDELINES_CLASS} * {{ font-size: 13px !important; line-height: 1.4 !important; "
                "margin: 0 !important; font-weight: normal !important }",
                f".{GUIDELINES_CLASS} :first-child {{ font-weight: 600 !important }}"]
    if css:
        ET.SubElement(view, "Style").text = " ".join(css)
    if guidelines:
        box = ET.SubElement(view, "View", className=GUIDELINES_CLASS)
        ET.SubElement(box, "Header", value=guidelines_title or "Guidelines")
        for line in guidelines:
            ET.SubElement(box, "Header", value=line)
    if relation_labels:
        relations = ET.SubElement(view, "Relations")
        for relation in schema.relations:
            ET.SubElement(relations, "Relation", value=relation.name)
    for layer in shown:
        ET.SubElement(view, "Header", value=layer.title, size="6")
        labels = ET.SubElement(view, "Labels", name=layer.name, toName=TEXT_NAME, showInline="true")
        for number, label in enumerate(layer.labels, start=1):
            attributes = {"value": label.name, "background": label.color}
            if label.hint:
                attributes["hint"] = label.hint
            if hotkeys and layer is schema.layers[0] and number <= 9:
                attributes["hotkey"] = str(number)
            ET.SubElement(labels, "Label", attributes)
    text = ET.SubElement(view, "Text", name=TEXT_NAME, value=f"${TEXT_NAME}")
    if region_labels is not None:
        text.set("showLabels", "true" if region_labels else "false")
    shown_labels = {label.name for layer in shown for label in layer.labels}
    for attribute in schema.attributes:
        if attribute.label not in shown_labels:
            continue
        panel = ET.SubElement(view, "View", visibleWhen="region-selected", whenLabelValue=attribute.label)
        ET.SubElement(panel, "Header", value=f"{attribute.label}: {attribute.name}", size="6")
        choices = ET.SubElement(panel, "Choices", name=attribute.name, toName=TEXT_NAME, perRegion="true",
                                choice="single-radio", showInline="true")
        for value in attribute.values:
            ET.SubElement(choices, "Choice", value=value)
    ET.indent(view, space="  ")
    return ET.tostring(view, encoding="unicode") + "\n"


def default_render_path(schema: Schema) -> Path:
    """Beside a user's own schema file; for the packaged schema, labeling.xml in the current folder."""
    if is_packaged(schema.source):
        return Path(LABELING_XML_FILE)
    return Path(schema.source).with_name(LABELING_XML_FILE)


def is_labeling_config(path: Path) -> bool:
    """A Label Studio labeling config (what `annotate schema render` writes), which a rerun may replace."""
    from .io import has_marker

    return has_marker("<View>", head=64)(path)


def render_to_file(schema: Schema, path: str | os.PathLike[str]) -> Path:
    from .io import write_text_atomic

    write_text_atomic(path, render_label_config(schema))
    return Path(path)


# ---------------------------------------------------------------------------------------------------------
# Validating records


def schema_problems(doc: AnnotatedDoc, schema: Schema) -> list[str]:
    """Every way this record breaks the schema, as readable sentences (empty when it conforms)."""
    problems: list[str] = []
    labels = schema.labels
    spans = doc.span_by_id()
    for span in doc.spans:
        if span.label not in labels:
            problems.append(f"span {span.id!r} has label {span.label!r}, which is not in the schema "
                            f"(known: {', '.join(sorted(labels))})")
            continue
        allowed = schema.attributes_for(span.label)
        for name, value in sorted(span.attrs.items()):
            if name not in allowed:
                problems.append(f"span {span.id!r} ({span.label}) has attribute {name!r}, which the schema does not "
                                f"define for {span.label} (allowed: {', '.join(sorted(allowed)) or 'none'})")
            elif value not in allowed[name].values:
                problems.append(f"span {span.id!r} attribute {name}={value!r} is not one of {list(allowed[name].values)}")
    relation_defs = schema.relation_by_name
    for relation in doc.relations:
        definition = relation_defs.get(relation.label)
        if definition is None:
            problems.append(f"relation {relation.from_id}->{relation.to_id} has label {relation.label!r}, which is not in "
                            f"the schema (known: {', '.join(sorted(relation_defs))})")
            continue
        source, target = spans.get(relation.from_id), spans.get(relation.to_id)
        if source is None or target is None:
            problems.append(f"relation {relation.label} {relation.from_id}->{relation.to_id} points to a missing span")
            continue
        if (source.label, target.label) != (definition.from_label, definition.to_label):
            problems.append(f"relation {relation.label} must go {definition.from_label} -> {definition.to_label}, "
                            f"but {relation.from_id}->{relation.to_id} goes {source.label} -> {target.label}")
    return problems


class SchemaCheck:
    """validate_docs one record at a time, for streams: `check` notes a record's problems and says whether it had
    none; `done` raises them all, as validate_docs does."""

    def __init__(self, schema: Schema, where: str = "input") -> None:
        self.schema = schema
        self.where = where
        self.found: list[str] = []
        self.count = 0

    def check(self, doc: AnnotatedDoc) -> bool:
        self.count += 1
        problems = [f"{self.where} record {self.count} (doc_id {doc.doc_id}, annotator {doc.annotator}): {problem}"
                    for problem in schema_problems(doc, self.schema)]
        self.found += problems
        return not problems

    def done(self) -> None:
        if self.found:
            shown = "\n  ".join(self.found[:20])
            more = f"\n  ... and {len(self.found) - 20} more" if len(self.found) > 20 else ""
            raise SchemaError(f"{len(self.found)} schema problem(s); fix the records or configs/schema.toml:\n  {shown}{more}")


def validate_docs(docs: Iterable[AnnotatedDoc], schema: Schema, where: str = "input") -> None:
    """Raise one SchemaError that lists the first problems found, each with its record, before anything is sent."""
    check = SchemaCheck(schema, where)
    for doc in docs:
        check.check(doc)
    check.done()


