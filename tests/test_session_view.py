"""The session's labelling view and its data, without a server: layers, the rendered XML, links without labels."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from annotate.errors import ConfigError
from annotate.labelstudio.client import label_config_problems
from annotate.labelstudio.results import doc_from_results, doc_to_results, relation_labels_by_ends
from annotate.labelstudio.session import keep_layers, resolve_layers, session_view, short_guidelines
from annotate.records import AnnotatedDoc, Relation, make_doc_id, make_span
from annotate.schema import load_schema

TEXT = "Residents of Dover told the BBC on Friday that the ferry queues had grown worse."


def record() -> AnnotatedDoc:
    def span(span_id, phrase, label):
        start = TEXT.index(phrase)
        return make_span(TEXT, span_id, start, start + len(phrase), label)

    spans = (span("s1", "Residents of Dover", "SOURCE"), span("q1", "told", "CUE"), span("x1", "the BBC", "SUPPLEMENT"),
             span("c1", "the ferry queues had grown worse", "CLAIM"), span("e1", "Dover", "GPE"), span("e2", "Friday", "DATE"))
    relations = (Relation("c1", "s1", "attributed_to"), Relation("q1", "c1", "cue_of"), Relation("x1", "c1", "supplement_of"))
    return AnnotatedDoc(make_doc_id(TEXT), TEXT, "model:rules@1", spans, relations)


def test_layers_default_to_attribution_and_entities_opt_in():
    schema = load_schema()
    assert resolve_layers(schema, ["attribution"]) == ("span",)
    assert resolve_layers(schema, ["attribution", "entities"]) == ("span", "entity")
    with pytest.raises(ConfigError, match=r"--layers: unknown layer 'entitys'; choose from attribution, entities, span, entity"):
        resolve_layers(schema, ["attribution", "entitys"])
    with pytest.raises(ConfigError, match="--layers must include attribution"):
        resolve_layers(schema, ["entities"])
    kept = keep_layers(record(), schema, ["span"])
    assert [s.label for s in kept.spans] == ["SOURCE", "CUE", "SUPPLEMENT", "CLAIM"]
    assert len(kept.relations) == 3
    assert keep_layers(record(), schema, ["span", "entity"]) == record()


def test_the_view_has_guidelines_hotkeys_region_labels_and_no_relation_labels():
    schema = load_schema()
    xml = session_view(schema, ["span"])
    root = ET.fromstring(xml)
    assert root.find("Relations") is None
    assert [labels.get("name") for labels in root.iter("Labels")] == ["span"]
    assert {label.get("value"): label.get("hotkey") for label in root.iter("Label")} == {
        "CLAIM": "1", "SOURCE": "2", "CUE": "3", "SUPPLEMENT": "4"}
    assert root.find("Text").get("showLabels") == "true"
    title, lines = short_guidelines()
    shown = [header.get("value") for header in root.find("View[@className='annotate-guidelines']").iter("Header")]
    assert shown == [title, *lines]
    assert ">" not in root.find("Style").text  # Label Studio would put it into the page escaped
    with_entities = ET.fromstring(session_view(schema, ["span", "entity"]))
    assert [labels.get("name") for labels in with_entities.iter("Labels")] == ["span", "entity"]


def test_links_travel_without_labels_and_come_back_with_them():
    schema = load_schema()
    doc = keep_layers(record(), schema, ["span"])
    results = doc_to_results(doc, schema, relation_labels=False)
    links = [r for r in results if r["type"] == "relation"]
    assert links and all("labels" not in r for r in links)
    assert label_config_problems(session_view(schema, ["span"]), [("doc", results)]) == []
    back, issues, problems = doc_from_results(results, doc_id=doc.doc_id, text=TEXT, annotator="a",
                                              relation_by_ends=relation_labels_by_ends(schema))
    assert (issues, problems) == ([], [])
    assert set(back.relations) == set(doc.relations)
    # A link whose ends no relation joins keeps being reported, not guessed.
    odd = [*results, {"from_id": "s1", "to_id": "q1", "type": "relation", "direction": "right"}]
    _, _, problems = doc_from_results(odd, doc_id=doc.doc_id, text=TEXT, annotator="a",
                                      relation_by_ends=relation_labels_by_ends(schema))
    assert problems == [": relation s1->q1 has no label; dropped"]
