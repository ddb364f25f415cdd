"""The schema as data: the checked-in labeling XML is the rendering of configs/schema.toml; records are checked against it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from annotate.errors import SchemaError
from annotate.records import AnnotatedDoc, Relation, Span
from annotate.schema import DEFAULT_LABELING_XML_PATH, load_schema, render_label_config, schema_problems, validate_docs


@pytest.fixture(scope="module")
def schema():
    return load_schema()


def test_checked_in_xml_is_the_rendered_schema(schema):
    assert DEFAULT_LABELING_XML_PATH.read_text(encoding="utf-8") == render_label_config(schema), \
        "configs/labeling.xml is stale: run `annotate schema render`"


def test_xml_carries_every_label_relation_and_attribute(schema):
    root = ET.fromstring(render_label_config(schema))
    labels = {label.get("value") for label in root.iter("Label")}
    assert labels == set(schema.labels)
    assert {relation.get("value") for relation in root.iter("Relation")} == {"attributed_to", "cue_of", "supplement_of"}
    choices = {node.get("name"): node for node in root.iter("Choices")}
    assert set(choices) == {a.name for a in schema.attributes}
    assert all(node.get("perRegion") == "true" for node in choices.values())
    assert [c.get("value") for c in choices["cue_stance"]] == ["neutral", "distancing", "hedged", "factive"]


def test_hostile_label_text_is_escaped(tmp_path):
    source = (DEFAULT_LABELING_XML_PATH.parent / "schema.toml").read_text(encoding="utf-8")
    path = tmp_path / "schema.toml"
    path.write_text(source.replace('hint = "who the claim', 'hint = "<b>&\\"who the claim'), encoding="utf-8")
    root = ET.fromstring(render_label_config(load_schema(path)))
    hints = [label.get("hint") for label in root.iter("Label") if label.get("value") == "SOURCE"]
    assert hints[0].startswith('<b>&"who')


TEXT = "Officials said the troops had left."


def doc(spans, relations=()):
    return AnnotatedDoc(doc_id="d1", text=TEXT, annotator="alice", spans=tuple(spans), relations=tuple(relations))


SOURCE = Span("s1", 0, 9, "SOURCE", "Officials", {"source_type": "anonymous_official"})
CUE = Span("q1", 10, 14, "CUE", "said", {"cue_stance": "neutral"})
CLAIM = Span("c1", 15, 34, "CLAIM", "the troops had left", {"certainty": "certain"})


def test_conforming_record_has_no_problems(schema):
    assert schema_problems(doc([SOURCE, CUE, CLAIM], [Relation("c1", "s1", "attributed_to"),
                                                      Relation("q1", "c1", "cue_of")]), schema) == []


@pytest.mark.parametrize("record,expected", [
    (doc([Span("x", 0, 9, "SPEAKER", "Officials")]), "label 'SPEAKER', which is not in the schema"),
    (doc([Span("s1", 0, 9, "SOURCE", "Officials", {"certainty": "certain"})]), "attribute 'certainty', which the schema does not define for SOURCE"),
    (doc([Span("q1", 10, 14, "CUE", "said", {"cue_stance": "sarcastic"})]), "cue_stance='sarcastic' is not one of"),
    (doc([SOURCE, CLAIM], [Relation("c1", "s1", "says")]), "label 'says', which is not in the schema"),
    (doc([SOURCE, CLAIM], [Relation("s1", "c1", "attributed_to")]), "must go CLAIM -> SOURCE, but s1->c1 goes SOURCE -> CLAIM"),
])
def test_schema_problems_are_named(schema, record, expected):
    problems = schema_problems(record, schema)
    assert len(problems) == 1 and expected in problems[0]


def test_validate_docs_names_the_record(schema):
    with pytest.raises(SchemaError, match=r"input record 2 \(doc_id d1, annotator alice\): span 'x' has label 'SPEAKER'"):
        validate_docs([doc([SOURCE]), doc([Span("x", 0, 9, "SPEAKER", "Officials")])], schema)


def test_broken_schema_file_is_a_clear_error(tmp_path):
    path = tmp_path / "schema.toml"
    path.write_text('version = "1"\n[[layers]]\nname = "span"\nlabels = [{name = "A"}]\n[[relations]]\nname = "r"\nfrom = "A"\nto = "B"\n')
    with pytest.raises(SchemaError, match="relation 'r' refers to unknown label 'B'"):
        load_schema(path)
    with pytest.raises(SchemaError, match="schema file not found"):
        load_schema(tmp_path / "missing.toml")
